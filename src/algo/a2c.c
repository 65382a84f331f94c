/* A2C: synchronous advantage actor-critic (Mnih et al. 2016, synchronous variant), as in
 * Stable-Baselines3: n-step rollouts from parallel envs, one gradient step per rollout,
 * RMSprop (alpha 0.99, eps 1e-5) by default or Adam. */
#include "algo/algo.h"
#include "algo/onpolicy.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/size.h"

static void a2c_defaults(void* cfgp) { a2c_config_default(cfgp); }

static const acrl_config_entry a2c_table[] = {
    A2C_CONFIG_ENTRIES(0),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

typedef struct {
    onpolicy_learner L;          /* must come first: params, policy, rng, updates */
    a2c_config   cfg;
    float        gamma;
    acrl_optim   opt;
    acrl_rollout ro;
    float *adv, *wlogp, *dv, *logp, *ent;   /* (n_steps * n_envs) */
} a2c;

static void a2c_destroy(void* self) {
    a2c* a = self;
    if (!a) return;
    policy_free(&a->L.pol);
    rollout_free(&a->ro);
    acrl_params_free(&a->L.params);
    free(a->adv); free(a->wlogp); free(a->dv); free(a->logp); free(a->ent);
    free(a);
}

static void* a2c_create(const void* cfgp, const acrl_algo_ctx* ctx, char* err, size_t errlen) {
    const a2c_config* cfg = cfgp;
    int E = ctx->num_envs, N = onpolicy_rollout_rows("a2c", cfg->n_steps, E, err, errlen), od = ctx->obs_space->dim;
    if (N < 0) return NULL;
    /* rollout, policy for the whole rollout at once, five per-step vectors */
    int ad = ctx->act_space->kind == ACRL_SPACE_DISCRETE ? 1 : ctx->act_space->dim;
    size_t need = acrl_size_add(rollout_bytes(cfg->n_steps, E, od, ad), policy_bytes(od, ctx->act_space, &cfg->pol, N));
    need = acrl_size_add(need, acrl_size_mul3((size_t)N, 5, sizeof(float)));
    char what[160];
    snprintf(what, sizeof what, "a2c's rollout and networks (n_steps %d x n_envs %d = %d rows)", cfg->n_steps, E, N);
    if (acrl_size_check(need, what, err, errlen)) return NULL;
    a2c* a = calloc(1, sizeof *a);
    if (!a) { snprintf(err, errlen, "out of memory"); return NULL; }
    a->L.name = "a2c";
    a->cfg = *cfg;
    a->gamma = ctx->gamma;
    acrl_params_init(&a->L.params);
    if (policy_build(&a->L.pol, &a->L.params, od, ctx->act_space, &cfg->pol, N, err, errlen) ||
        acrl_params_finalize(&a->L.params, err, errlen)) {
        a2c_destroy(a);
        return NULL;
    }
    acrl_rng_seed2(&a->L.rng, ctx->seed, 1);
    if (policy_init(&a->L.pol, &a->L.params, &cfg->pol, &a->L.rng, err, errlen)) { a2c_destroy(a); return NULL; }
    a->opt = acrl_optim_default(cfg->optimizer ? ACRL_OPT_ADAM : ACRL_OPT_RMSPROP);
    a->opt.eps = cfg->optim_eps;
    a->adv = malloc(sizeof(float) * (size_t)N);
    a->wlogp = malloc(sizeof(float) * (size_t)N);
    a->dv = malloc(sizeof(float) * (size_t)N);
    a->logp = malloc(sizeof(float) * (size_t)N);
    a->ent = malloc(sizeof(float) * (size_t)N);
    if (rollout_init(&a->ro, cfg->n_steps, E, od, a->L.pol.act_dim) || !a->adv || !a->wlogp || !a->dv || !a->logp || !a->ent) {
        snprintf(err, errlen, "out of memory");
        a2c_destroy(a);
        return NULL;
    }
    return a;
}

static int a2c_iterate(void* self, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    a2c* a = self;
    const a2c_config* cfg = &a->cfg;
    if (onpolicy_collect(&a->L.pol, &a->L.params, &a->ro, c, &a->L.rng, a->gamma, cfg->gae_lambda, err, errlen)) return -1;
    float lr = acrl_lr_schedule(cfg->lr_schedule ? ACRL_LR_LINEAR : ACRL_LR_CONSTANT, cfg->learning_rate, (float)progress);
    acrl_params_zero_grad(&a->L.params);
    onpolicy_a2c_backward(&a->L.pol, &a->L.params, &a->ro, cfg->normalize_advantage, cfg->ent_coef, cfg->vf_coef,
                          a->adv, a->wlogp, a->dv, a->logp, a->ent, m);
    float gn = acrl_params_clip_grad_norm(&a->L.params, cfg->max_grad_norm > 0 ? cfg->max_grad_norm : INFINITY);
    if (!isfinite(gn) || !isfinite(m[M_POLICY_LOSS]) || !isfinite(m[M_VALUE_LOSS])) {
        snprintf(err, errlen, "non-finite %s in A2C update %ld", !isfinite(gn) ? "gradient" : "loss", a->L.updates);
        return -1;
    }
    acrl_optim_step(&a->opt, &a->L.params, lr);
    if (policy_boost(&a->L.pol, err, errlen)) return -1;
    a->L.updates++;
    if (!acrl_all_finite(a->L.params.param, a->L.params.count)) {
        snprintf(err, errlen, "non-finite parameter after A2C update %ld", a->L.updates);
        return -1;
    }
    m[M_LR] = lr;
    m[M_GRAD_NORM] = gn;
    m[M_EXPLAINED_VAR] = onpolicy_explained_variance(&a->ro);
    return 0;
}

const acrl_algo acrl_algo_a2c = {
    "a2c", "synchronous Advantage Actor-Critic, Discrete and Box actions",
    sizeof(a2c_config), a2c_table, a2c_defaults,
    a2c_create, a2c_iterate, onpolicy_act, onpolicy_save, onpolicy_load, onpolicy_params, a2c_destroy,
    onpolicy_act_rng,
    NULL, /* no Q critic */
};
