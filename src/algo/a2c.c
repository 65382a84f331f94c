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
    onpolicy_dp* dp;                        /* data-parallel run (shards > 1), else NULL */
    float *s_obs, *s_act, *s_ret;           /* dp: one shard's rows */
} a2c;

static void a2c_destroy(void* self) {
    a2c* a = self;
    if (!a) return;
    policy_free(&a->L.pol);
    rollout_free(&a->ro);
    acrl_params_free(&a->L.params);
    free(a->adv); free(a->wlogp); free(a->dv); free(a->logp); free(a->ent);
    if (a->dp) onpolicy_dp_free(a->dp);
    free(a->dp); free(a->s_obs); free(a->s_act); free(a->s_ret);
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
    a->cfg.pol.critic_dim = ctx->critic_dim; /* critic_obs = state (refused with shards by the trainer) */
    cfg = &a->cfg;
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
    const acrl_layout* lay = layout_sharded(ctx->layout) ? ctx->layout : NULL;
    if (lay && a->L.pol.gbrl) { /* trees are grown from one process's gradients, not summed */
        snprintf(err, errlen, "the gbrl (tree ensemble) policy is not supported with shards > 1 or under mpirun");
        a2c_destroy(a);
        return NULL;
    }
    if (lay && cfg->pol.use_sde) {
        snprintf(err, errlen, "use_sde is not supported with shards > 1 or under mpirun");
        a2c_destroy(a);
        return NULL;
    }
    if (lay) {
        size_t ns = (size_t)cfg->n_steps * (size_t)lay->envs_per_shard;
        a->dp = calloc(1, sizeof *a->dp);
        a->s_obs = malloc(sizeof(float) * ns * (size_t)od);
        a->s_act = malloc(sizeof(float) * ns * (size_t)a->L.pol.act_dim);
        a->s_ret = malloc(sizeof(float) * ns);
        if (!a->dp || !a->s_obs || !a->s_act || !a->s_ret || onpolicy_dp_init(a->dp, lay, cfg->n_steps, a->L.params.count, 3)) {
            snprintf(err, errlen, "out of memory");
            a2c_destroy(a);
            return NULL;
        }
    }
    if (rollout_init(&a->ro, cfg->n_steps, lay ? lay->local_envs : E, od, a->L.pol.act_dim) || !a->adv || !a->wlogp || !a->dv || !a->logp || !a->ent ||
        (ctx->critic_dim > 0 && rollout_init_states(&a->ro, ctx->critic_dim))) {
        snprintf(err, errlen, "out of memory");
        a2c_destroy(a);
        return NULL;
    }
    return a;
}

/* Data-parallel gradient (onpolicy.h): each local shard's rows, divided by the whole
 * rollout's size, added over the shards in shard order. Writes the loss metrics. */
static int a2c_backward_dp(a2c* a, double* m, char* err, size_t errlen) {
    const a2c_config* cfg = &a->cfg;
    onpolicy_dp* d = a->dp;
    const acrl_layout* L = d->L;
    const acrl_rollout* r = &a->ro;
    if (onpolicy_dp_gather(d, r, err, errlen)) return -1;
    int E = L->num_envs, Es = L->envs_per_shard, N = cfg->n_steps * E, od = r->obs_dim, ad = r->act_dim;
    if (cfg->normalize_advantage) normalize_inplace(d->g_adv, N);
    for (int s = 0; s < L->local_shards; s++) {
        int n = 0, e0 = (L->first_shard + s) * Es;
        for (int t = 0; t < cfg->n_steps; t++)
            for (int e = e0; e < e0 + Es; e++, n++) {
                int i = t * L->local_envs + (e - L->first_env), g = t * E + e;
                memcpy(a->s_obs + (size_t)n * od, r->obs + (size_t)i * od, sizeof(float) * (size_t)od);
                memcpy(a->s_act + (size_t)n * ad, r->actions + (size_t)i * ad, sizeof(float) * (size_t)ad);
                a->s_ret[n] = r->returns[i];
                a->adv[n] = d->g_adv[g];
            }
        policy_forward(&a->L.pol, &a->L.params, a->s_obs, n);
        policy_evaluate(&a->L.pol, a->s_act, a->logp, a->ent);
        double ps[3] = {0, 0, 0};
        for (int i = 0; i < n; i++) {
            float dd = a->L.pol.value[i] - a->s_ret[i];
            ps[0] += -a->adv[i] * a->logp[i];
            ps[1] += (double)dd * dd;
            ps[2] += a->ent[i];
            a->wlogp[i] = -a->adv[i] / N;
            a->dv[i] = cfg->vf_coef * 2.0f * dd / N;
        }
        acrl_params_zero_grad(&a->L.params);
        policy_backward(&a->L.pol, &a->L.params, a->s_act, a->wlogp, -cfg->ent_coef / N, a->dv);
        onpolicy_dp_put(d, s, &a->L.params, ps);
    }
    double ms[3];
    if (onpolicy_dp_reduce(d, &a->L.params, ms, err, errlen)) return -1;
    m[M_POLICY_LOSS] = ms[0] / N;
    m[M_VALUE_LOSS] = ms[1] / N;
    m[M_ENTROPY] = ms[2] / N;
    return 0;
}

static int a2c_iterate(void* self, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    a2c* a = self;
    const a2c_config* cfg = &a->cfg;
    if (onpolicy_collect(&a->L.pol, &a->L.params, &a->ro, c, &a->L.rng, a->gamma, cfg->gae_lambda, err, errlen)) return -1;
    float lr = acrl_lr_schedule(cfg->lr_schedule ? ACRL_LR_LINEAR : ACRL_LR_CONSTANT, cfg->learning_rate, (float)progress);
    acrl_params_zero_grad(&a->L.params);
    if (a->dp) {
        if (a2c_backward_dp(a, m, err, errlen)) return -1;
    } else {
        onpolicy_a2c_backward(&a->L.pol, &a->L.params, &a->ro, cfg->normalize_advantage, cfg->ent_coef, cfg->vf_coef,
                              a->adv, a->wlogp, a->dv, a->logp, a->ent, m);
    }
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
    m[M_EXPLAINED_VAR] = a->dp ? onpolicy_dp_explained_variance(a->dp) : onpolicy_explained_variance(&a->ro);
    return 0;
}

const acrl_algo acrl_algo_a2c = {
    "a2c", "synchronous Advantage Actor-Critic, Discrete and Box actions",
    sizeof(a2c_config), a2c_table, a2c_defaults,
    a2c_create, a2c_iterate, onpolicy_act, onpolicy_save, onpolicy_load, onpolicy_params, a2c_destroy,
    onpolicy_act_rng,
    NULL, /* no Q critic */
};
