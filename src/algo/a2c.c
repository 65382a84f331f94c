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

static const char* const schedule_names[] = {"constant", "linear", NULL};
static const char* const optim_names[] = {"rmsprop", "adam", NULL};

typedef struct {
    int   n_steps;
    float learning_rate;
    int   lr_schedule;
    float gae_lambda;
    int   normalize_advantage;
    float ent_coef, vf_coef, max_grad_norm;
    int   optimizer;              /* 0 rmsprop, 1 adam */
    float optim_eps;
    acrl_policy_config pol;       /* net_arch, activation, shared_trunk, ortho_init, log_std_init, gSDE */
} a2c_config;

static void a2c_defaults(void* cfgp) {
    /* Stable-Baselines3's A2C defaults */
    a2c_config* c = cfgp;
    memset(c, 0, sizeof *c);
    c->n_steps = 5;
    c->learning_rate = 7e-4f;
    c->gae_lambda = 1.0f;
    c->vf_coef = 0.5f;
    c->max_grad_norm = 0.5f;
    c->optim_eps = 1e-5f;
    policy_config_default(&c->pol);
}

#define F(k, t, lo, hi, ch, h) {#k, ACRL_CFG_##t, offsetof(a2c_config, k), lo, hi, ch, h}
static const acrl_config_entry a2c_table[] = {
    F(n_steps, INT, 1, 1e7, NULL, "steps per env per update"),
    F(learning_rate, FLOAT, 0, 1, NULL, "learning rate"),
    F(lr_schedule, ENUM, 0, 0, schedule_names, "learning-rate schedule"),
    F(gae_lambda, FLOAT, 0, 1, NULL, "GAE lambda (1 = n-step returns)"),
    F(normalize_advantage, BOOL, 0, 0, NULL, "normalize advantages"),
    F(ent_coef, FLOAT, 0, 10, NULL, "entropy bonus coefficient"),
    F(vf_coef, FLOAT, 0, 100, NULL, "value loss coefficient"),
    F(max_grad_norm, FLOAT, 0, 1e9, NULL, "global gradient-norm clip (0 = none)"),
    F(optimizer, ENUM, 0, 0, optim_names, "optimizer"),
    F(optim_eps, FLOAT, 0, 1, NULL, "optimizer epsilon"),
    POLICY_CONFIG_ENTRIES(a2c_config, pol),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef F

typedef struct {
    a2c_config   cfg;
    float        gamma;
    acrl_params  params;
    acrl_optim   opt;
    acrl_policy  pol;
    acrl_rollout ro;
    acrl_rng     rng;
    long         updates;
    float *adv, *wlogp, *dv, *logp, *ent;   /* (n_steps * n_envs) */
} a2c;

static void a2c_destroy(void* self) {
    a2c* a = self;
    if (!a) return;
    policy_free(&a->pol);
    rollout_free(&a->ro);
    acrl_params_free(&a->params);
    free(a->adv); free(a->wlogp); free(a->dv); free(a->logp); free(a->ent);
    free(a);
}

static void* a2c_create(const void* cfgp, const acrl_algo_ctx* ctx, char* err, size_t errlen) {
    const a2c_config* cfg = cfgp;
    int E = ctx->num_envs, N = cfg->n_steps * E, od = ctx->obs_space->dim;
    a2c* a = calloc(1, sizeof *a);
    if (!a) { snprintf(err, errlen, "out of memory"); return NULL; }
    a->cfg = *cfg;
    a->gamma = ctx->gamma;
    acrl_params_init(&a->params);
    if (policy_build(&a->pol, &a->params, od, ctx->act_space, &cfg->pol, N, err, errlen) ||
        acrl_params_finalize(&a->params, err, errlen)) {
        a2c_destroy(a);
        return NULL;
    }
    acrl_rng_seed2(&a->rng, ctx->seed, 1);
    policy_init(&a->pol, &a->params, &cfg->pol, &a->rng);
    a->opt = acrl_optim_default(cfg->optimizer ? ACRL_OPT_ADAM : ACRL_OPT_RMSPROP);
    a->opt.eps = cfg->optim_eps;
    a->adv = malloc(sizeof(float) * (size_t)N);
    a->wlogp = malloc(sizeof(float) * (size_t)N);
    a->dv = malloc(sizeof(float) * (size_t)N);
    a->logp = malloc(sizeof(float) * (size_t)N);
    a->ent = malloc(sizeof(float) * (size_t)N);
    if (rollout_init(&a->ro, cfg->n_steps, E, od, a->pol.act_dim) || !a->adv || !a->wlogp || !a->dv || !a->logp || !a->ent) {
        snprintf(err, errlen, "out of memory");
        a2c_destroy(a);
        return NULL;
    }
    return a;
}

static int a2c_iterate(void* self, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    a2c* a = self;
    const a2c_config* cfg = &a->cfg;
    if (onpolicy_collect(&a->pol, &a->params, &a->ro, c, &a->rng, a->gamma, cfg->gae_lambda, err, errlen)) return -1;
    float lr = acrl_lr_schedule(cfg->lr_schedule ? ACRL_LR_LINEAR : ACRL_LR_CONSTANT, cfg->learning_rate, (float)progress);
    acrl_params_zero_grad(&a->params);
    onpolicy_a2c_backward(&a->pol, &a->params, &a->ro, cfg->normalize_advantage, cfg->ent_coef, cfg->vf_coef,
                          a->adv, a->wlogp, a->dv, a->logp, a->ent, m);
    float gn = acrl_params_clip_grad_norm(&a->params, cfg->max_grad_norm > 0 ? cfg->max_grad_norm : INFINITY);
    if (!isfinite(gn) || !isfinite(m[M_POLICY_LOSS]) || !isfinite(m[M_VALUE_LOSS])) {
        snprintf(err, errlen, "non-finite %s in A2C update %ld", !isfinite(gn) ? "gradient" : "loss", a->updates);
        return -1;
    }
    acrl_optim_step(&a->opt, &a->params, lr);
    a->updates++;
    if (!acrl_all_finite(a->params.param, a->params.count)) {
        snprintf(err, errlen, "non-finite parameter after A2C update %ld", a->updates);
        return -1;
    }
    m[M_LR] = lr;
    m[M_GRAD_NORM] = gn;
    m[M_EXPLAINED_VAR] = onpolicy_explained_variance(&a->ro);
    return 0;
}

static void a2c_act(void* self, const float* obs, int n, float* actions, bool deterministic) {
    a2c* a = self;
    policy_act(&a->pol, &a->params, obs, n, actions, deterministic, &a->rng);
}

static int a2c_save(void* self, acrl_ckpt_writer* w) {
    a2c* a = self;
    return algo_save_learner(w, "a2c", &a->params, &a->rng, &a->updates);
}

static int a2c_load(void* self, const acrl_ckpt* c, char* err, size_t errlen) {
    a2c* a = self;
    return algo_load_learner(c, "a2c", &a->params, &a->rng, &a->updates, err, errlen);
}

static acrl_params* a2c_params(void* self) { return &((a2c*)self)->params; }

const acrl_algo acrl_algo_a2c = {
    "a2c", "synchronous Advantage Actor-Critic, Discrete and Box actions",
    sizeof(a2c_config), a2c_table, a2c_defaults,
    a2c_create, a2c_iterate, a2c_act, a2c_save, a2c_load, a2c_params, a2c_destroy,
};
