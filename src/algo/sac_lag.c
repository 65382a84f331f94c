/* SAC-Lagrangian as OmniSafe's SACLag (omnisafe/algorithms/off_policy/sac_lag.py): SAC (sac.c,
 * unchanged) plus a cost critic Q_c(s, a) and a Lagrange multiplier lambda. Every update, after
 * SAC's critics, the cost critic takes one Adam step on the mean squared TD error towards
 *     y_c = c + gamma^m (1 - d) Q_c'(s', tanh(mean(s')))     (the deterministic next action),
 * its target follows by Polyak averaging, and the actor minimizes
 *     mean(alpha log pi(a|s) - min_i Q_i(s, a) + lambda Q_c(s, a)) / (1 + lambda).
 * Lambda (lagrange.c: its own Adam, clamped at 0) moves once per iteration after
 * lagrange_warmup env steps, towards the cost limit, with Jc the mean cost of the last
 * cost_window finished episodes. The buffer stores the env's first cost signal beside the
 * reward. Choices and differences from OmniSafe: docs/algorithms.md. */
#include "algo/sac.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algo/lagrange.h"
#include "util/size.h"

typedef struct {
    sac_config sac;            /* first: SAC's keys apply at offset 0 */
    float cost_limit;          /* d: the bound on the expected episode cost */
    float lagrangian_init;     /* lambda_0 */
    float lagrangian_lr;       /* Adam learning rate of lambda */
    float cost_learning_rate;  /* Adam learning rate of the cost critic (0: learning_rate) */
    int   lagrange_warmup;     /* env steps (all copies) before lambda moves */
    int   cost_window;         /* finished episodes averaged into Jc */
} sac_lag_config;

static void sac_lag_defaults(void* cfgp) {
    /* OmniSafe's SACLag.yaml: SAC with a fixed temperature 0.2, 256x256 ReLU, lr 3e-4, batch
     * 256, 10,000 warm-up steps, tau 0.005; cost limit 25, lambda_0 0.001, lambda lr 1e-5
     * (Adam), lambda updated every step after 100 epochs of 2,000 steps, Jc over the last 10
     * episodes (window_lens). */
    sac_lag_config* c = cfgp;
    memset(c, 0, sizeof *c);
    sac_config_defaults(&c->sac);
    c->sac.ent_coef = 0.2f;
    c->sac.off.learning_starts = 10000;
    c->cost_limit = 25.0f;
    c->lagrangian_init = 0.001f;
    c->lagrangian_lr = 1e-5f;
    c->lagrange_warmup = 200000;
    c->cost_window = 10;
}

#define F(k, t, lo, hi, h) {#k, ACRL_CFG_##t, offsetof(sac_lag_config, k), lo, hi, NULL, h}
static const acrl_config_entry sac_lag_table[] = {
    SAC_BOX_ENTRIES(sac_config),
    SAC_E(sac_config, target_update_interval, INT, 1, 1e6, "gradient steps between target-network updates"),
    F(cost_limit, FLOAT, 0, 1e9, "bound on the expected episode cost (first cost signal)"),
    F(lagrangian_init, FLOAT, 0, 1e6, "initial Lagrange multiplier"),
    F(lagrangian_lr, FLOAT, 0, 10, "Adam learning rate of the Lagrange multiplier"),
    F(cost_learning_rate, FLOAT, 0, 1, "Adam learning rate of the cost critic (0: learning_rate)"),
    F(lagrange_warmup, INT, 0, 2e9, "env steps before the multiplier starts to move"),
    F(cost_window, INT, 1, 100, "finished episodes whose mean cost is Jc"),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef F

typedef struct {
    void*          base;       /* the SAC learner (acrl_algo_sac); begins with an offp_learner */
    sac_lag_config cfg;
    int            D, od;
    acrl_params    cp, cpt;    /* the cost critic and its Polyak target (same layout) */
    acrl_mlp       qc;         /* (obs | act) -> Q_c, run on either store */
    float *in, *din, *dout, *y, *a_nd; /* (maxb, od + D) x 2, (maxb) x 2, (maxb, D) */
    acrl_lagrange  lag;
    double cql_sum;            /* cost critic losses since the last report */
    long   cql_n;
    double last_cql, last_jc;
    uint8_t lag_buf[ACRL_LAGRANGE_BYTES];
} sac_lag;

static void sac_lag_destroy(void* self) {
    sac_lag* a = self;
    if (!a) return;
    acrl_algo_sac.destroy(a->base);
    acrl_mlp_free(&a->qc);
    acrl_params_free(&a->cp);
    acrl_params_free(&a->cpt);
    free(a->in); free(a->din); free(a->dout); free(a->y); free(a->a_nd);
    free(a);
}

/* [obs | act] rows into a->in */
static void cost_input(sac_lag* a, const float* obs, const float* act, int B) {
    const int od = a->od, D = a->D, w = od + D;
    for (int i = 0; i < B; i++) {
        memcpy(a->in + (size_t)i * w, obs + (size_t)i * od, sizeof(float) * od);
        memcpy(a->in + (size_t)i * w + od, act + (size_t)i * D, sizeof(float) * D);
    }
}

/* SAC's actor-loss term (sac.h): the cost critic's step, then lambda Q_c(s, a_pi). */
static float sac_lag_term(void* ctx, const replay_batch* b, int B, const float* a_pi, const float* mean_n,
                          float* g_act, double* aloss, char* err, size_t errlen) {
    sac_lag* a = ctx;
    const int od = a->od, D = a->D, w = od + D;
    const sac_config* sc = &a->cfg.sac;
    /* target y_c = c + gamma^m (1 - d) Q_c'(s', tanh(mean(s'))) */
    for (int i = 0; i < B * D; i++) a->a_nd[i] = tanhf(mean_n[i]);
    cost_input(a, b->next_obs, a->a_nd, B);
    const float* qn = acrl_mlp_forward(&a->qc, &a->cpt, a->in, B);
    for (int i = 0; i < B; i++) a->y[i] = b->cost[i] + (1.0f - b->done[i]) * b->discount[i] * qn[i];
    /* cost critic: mean (Q_c(s, a) - y_c)^2, one Adam step, then the Polyak step of its target */
    cost_input(a, b->obs, b->act, B);
    const float* q = acrl_mlp_forward(&a->qc, &a->cp, a->in, B);
    double loss = 0;
    for (int i = 0; i < B; i++) {
        const float d = q[i] - a->y[i];
        loss += (double)d * d / B;
        a->dout[i] = 2.0f * d / B;
    }
    if (!isfinite(loss))
        return (float)offp_nonfinite(err, errlen, "SAC-Lag", "cost critic loss",
                                     (long)OFFP_UPDATES(&((offp_learner*)a->base)->core));
    acrl_params_zero_grad(&a->cp);
    acrl_mlp_backward(&a->qc, &a->cp, NULL, a->dout);
    offp_adam(&a->cp, a->cfg.cost_learning_rate > 0 ? a->cfg.cost_learning_rate : sc->off.learning_rate,
              sc->off.adam_eps);
    acrl_params_polyak(&a->cpt, &a->cp, sc->off.tau, NULL, 0);
    a->cql_sum += loss;
    a->cql_n++;
    /* actor term lambda Q_c(s, a_pi) with the updated cost critic */
    const float lam = (float)a->lag.lambda;
    cost_input(a, b->obs, a_pi, B);
    const float* qp = acrl_mlp_forward(&a->qc, &a->cp, a->in, B);
    double qmean = 0;
    for (int i = 0; i < B; i++) { qmean += qp[i]; a->dout[i] = 1.0f; }
    memset(a->din, 0, sizeof(float) * (size_t)B * w);
    acrl_mlp_backward_input(&a->qc, &a->cp, a->din, a->dout);
    for (int i = 0; i < B; i++)
        for (int k = 0; k < D; k++) g_act[(size_t)i * D + k] += lam * a->din[(size_t)i * w + od + k];
    *aloss += lam * qmean / B;
    return 1.0f / (1.0f + lam);
}

static void* sac_lag_create(const void* cfgp, const acrl_algo_ctx* ctx, char* err, size_t errlen) {
    const sac_lag_config* cfg = cfgp;
    if (ctx->act_space->kind != ACRL_SPACE_BOX) {
        snprintf(err, errlen, "sac-lag needs a Box action space (discrete SAC has no Lagrangian version here)");
        return NULL;
    }
    if (cfg->sac.off.n_step != 1) {
        snprintf(err, errlen, "sac-lag supports n_step = 1 only, got %d", cfg->sac.off.n_step);
        return NULL;
    }
    acrl_env_options eo = acrl_env_options_default();
    acrl_env* probe = acrl_env_make(ctx->env_id, &eo, err, errlen);
    if (!probe) return NULL;
    const int K = acrl_env_num_costs(probe);
    acrl_env_close(probe);
    if (K < 1) {
        snprintf(err, errlen, "sac-lag needs an env with cost signals (e.g. SafetyHopperVelocity-v1); %s has none",
                 ctx->env_id);
        return NULL;
    }
    const int maxb = cfg->sac.off.batch_size > ctx->num_envs ? cfg->sac.off.batch_size : ctx->num_envs;
    const int od = ctx->obs_space->dim, D = ctx->act_space->dim;
    size_t need = acrl_size_add(acrl_size_mul(2, offp_mlp_bytes(od + D, 1, &cfg->sac.off, maxb)),
                                acrl_size_mul3((size_t)maxb, 2 * (size_t)(od + D) + 2 + (size_t)D, sizeof(float)));
    if (acrl_size_check(need, "sac-lag's cost critic", err, errlen)) return NULL;
    sac_lag* a = calloc(1, sizeof *a);
    if (!a) { snprintf(err, errlen, "out of memory"); return NULL; }
    acrl_params_init(&a->cp);
    acrl_params_init(&a->cpt);
    a->cfg = *cfg;
    a->D = D;
    a->od = od;
    a->base = acrl_algo_sac.create(&cfg->sac, ctx, err, errlen);
    if (!a->base) { free(a); return NULL; }
    offp_core* o = &((offp_learner*)a->base)->core;
    if (o->dist) {
        snprintf(err, errlen, "sac-lag does not run distributed (the collectors send no costs); run one process");
        sac_lag_destroy(a);
        return NULL;
    }
    acrl_mlp tmp = {0}; /* the target's layout: built the same way into its own store */
    int rc = offp_mlp_build(&a->qc, &a->cp, "qc", od + D, 1, &cfg->sac.off, maxb, err, errlen) ||
             offp_mlp_build(&tmp, &a->cpt, "qc", od + D, 1, &cfg->sac.off, 1, err, errlen) ||
             acrl_params_finalize(&a->cp, err, errlen) || acrl_params_finalize(&a->cpt, err, errlen);
    acrl_mlp_free(&tmp);
    if (rc) { sac_lag_destroy(a); return NULL; }
    float** bufs[] = {&a->in, &a->din};
    float** vecs[] = {&a->dout, &a->y};
    if (offp_alloc_floats(bufs, 2, (size_t)maxb * (od + D)) || offp_alloc_floats(vecs, 2, (size_t)maxb) ||
        !(a->a_nd = calloc((size_t)maxb * D, sizeof(float)))) {
        snprintf(err, errlen, "out of memory");
        sac_lag_destroy(a);
        return NULL;
    }
    if (replay_enable_cost(&o->rb, err, errlen)) { sac_lag_destroy(a); return NULL; }
    acrl_rng init_rng; /* a stream of its own: SAC's networks start exactly as plain SAC's */
    acrl_rng_seed2(&init_rng, ctx->seed, 9);
    acrl_mlp_init(&a->qc, &a->cp, ACRL_INIT_TORCH, 1, 1, &init_rng);
    acrl_params_copy(&a->cpt, &a->cp, err, errlen);
    acrl_lagrange_init(&a->lag, cfg->lagrangian_init, cfg->lagrangian_lr);
    a->last_cql = a->last_jc = NAN;
    sac_set_actor_term(a->base, sac_lag_term, a);
    return a;
}

static int sac_lag_iterate(void* self, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    sac_lag* a = self;
    if (acrl_algo_sac.iterate(a->base, c, progress, m, err, errlen)) return -1;
    if (a->cql_n) { a->last_cql = a->cql_sum / a->cql_n; a->cql_sum = 0; a->cql_n = 0; }
    const double jc = collector_recent_cost_n(c, 0, a->cfg.cost_window);
    a->last_jc = jc;
    if (c->steps > a->cfg.lagrange_warmup && isfinite(jc)) acrl_lagrange_update(&a->lag, jc, a->cfg.cost_limit);
    if (!acrl_all_finite(a->cp.param, a->cp.count)) {
        snprintf(err, errlen, "non-finite cost critic parameter at step %ld", c->steps);
        return -1;
    }
    return 0;
}

static void sac_lag_act(void* self, const float* obs, int n, float* actions, bool deterministic) {
    acrl_algo_sac.act(((sac_lag*)self)->base, obs, n, actions, deterministic);
}

static int sac_lag_save(void* self, acrl_ckpt_writer* w) {
    sac_lag* a = self;
    return acrl_algo_sac.save(a->base, w) || algo_save_params(w, "sac_lag.cost", &a->cp) ||
           algo_save_params(w, "sac_lag.cost_targ", &a->cpt) ||
           acrl_lagrange_save(&a->lag, w, "sac_lag.lambda", a->lag_buf);
}

static int sac_lag_load(void* self, const acrl_ckpt* c, char* err, size_t errlen) {
    sac_lag* a = self;
    return acrl_algo_sac.load(a->base, c, err, errlen) || algo_load_params(c, "sac_lag.cost", &a->cp, err, errlen) ||
           algo_load_params(c, "sac_lag.cost_targ", &a->cpt, err, errlen) ||
           acrl_lagrange_load(&a->lag, c, "sac_lag.lambda", err, errlen);
}

static acrl_params* sac_lag_params(void* self) { return acrl_algo_sac.params(((sac_lag*)self)->base); }
static acrl_rng* sac_lag_act_rng(void* self) { return acrl_algo_sac.act_rng(((sac_lag*)self)->base); }
static void sac_lag_qvalue(void* self, const float* obs, const float* act, int n, float* q) {
    acrl_algo_sac.qvalue(((sac_lag*)self)->base, obs, act, n, q);
}

void* sac_lag_base(void* self) { return ((sac_lag*)self)->base; }
acrl_params* sac_lag_cost_params(void* self, bool target) {
    sac_lag* a = self;
    return target ? &a->cpt : &a->cp;
}
double* sac_lag_lambda(void* self) { return &((sac_lag*)self)->lag.lambda; }

/* progress.csv / TensorBoard extras */
static const char* const sac_lag_extra_names[] = {"lagrange_multiplier", "recent_episode_cost", "cost_value_loss"};
static void sac_lag_extra_values(void* self, double* out) {
    sac_lag* a = self;
    out[0] = a->lag.lambda;
    out[1] = a->last_jc;
    out[2] = a->last_cql;
}

const acrl_algo acrl_algo_sac_lag = {
    "sac-lag", "SAC-Lagrangian: SAC under an episode-cost limit (envs with costs, e.g. Safety*Velocity-v1)",
    sizeof(sac_lag_config), sac_lag_table, sac_lag_defaults,
    sac_lag_create, sac_lag_iterate, sac_lag_act, sac_lag_save, sac_lag_load, sac_lag_params, sac_lag_destroy,
    sac_lag_act_rng, sac_lag_qvalue,
};

const acrl_algo_extra acrl_algo_sac_lag_extra = {&acrl_algo_sac_lag, 3, sac_lag_extra_names, sac_lag_extra_values};
