/* A3C: asynchronous advantage actor-critic (Mnih et al. 2016). Worker threads, each with
 * its own envs, policy buffers and copy of the weights, collect n-step rollouts and
 * compute gradients; the gradients update the shared weights through one shared
 * optimizer (shared RMSprop statistics, as in the paper).
 *
 * Updates are applied under a mutex rather than Hogwild-style: the optimizer state
 * (moments, step count) must change atomically with the weights, and for networks of
 * this size the critical section (one pass over a few thousand floats) is tiny next to a
 * rollout plus backward pass, so the lock costs nothing measurable on 2 cores.
 * Asynchronous runs are not bit-reproducible (the order in which workers update depends
 * on thread scheduling). With sync = true every worker computes its gradient on the same
 * weights and the gradients are applied in worker order: deterministic for a seed. */
#include "algo/algo.h"
#include "algo/onpolicy.h"

#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/size.h"

typedef struct {
    int   n_workers;
    int   sync;
    int   updates_per_iter;       /* updates per worker between trainer log/eval points */
    a2c_config a2c;               /* n_steps, learning rate, coefficients, optimizer, network */
} a3c_config;

static void a3c_defaults(void* cfgp) {
    a3c_config* c = cfgp;
    memset(c, 0, sizeof *c);
    c->n_workers = 2;
    c->updates_per_iter = 8;
    a2c_config_default(&c->a2c);
}

#define F(k, t, lo, hi, h) {#k, ACRL_CFG_##t, offsetof(a3c_config, k), lo, hi, NULL, h}
static const acrl_config_entry a3c_table[] = {
    F(n_workers, INT, 1, 256, "worker threads, each with n_envs env copies"),
    F(sync, BOOL, 0, 0, "deterministic synchronous mode (gradients applied in worker order)"),
    F(updates_per_iter, INT, 1, 1e6, "updates per worker between log/eval points"),
    A2C_CONFIG_ENTRIES(offsetof(a3c_config, a2c)),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef F

typedef struct a3c a3c;

typedef struct {
    a3c*            owner;
    int             id;
    acrl_collector* col;          /* worker 0: the trainer's collector (set per iterate) */
    acrl_params     local;        /* same layout as the shared store */
    acrl_policy     pol;
    acrl_rollout    ro;
    acrl_rng        rng;
    float *adv, *wlogp, *dv, *logp, *ent;
    double          m[M_COUNT];
    float           grad_norm;
    int             failed;
    char            err[ACRL_ERRLEN];
    int             seen_episodes; /* episodes of this worker already merged into the log */
} a3c_worker;

struct a3c {
    a3c_config      cfg;
    float           gamma;
    acrl_params     shared;
    acrl_optim      opt;
    acrl_policy     pol;          /* for act() on the shared weights */
    acrl_rng        rng;
    a3c_worker*     w;            /* (n_workers) */
    pthread_mutex_t lock;
    float           lr;
    long            updates;
};

static void worker_free(a3c_worker* w) {
    policy_free(&w->pol);
    rollout_free(&w->ro);
    acrl_params_free(&w->local);
    if (w->id > 0) collector_free(w->col);
    free(w->adv); free(w->wlogp); free(w->dv); free(w->logp); free(w->ent);
}

static void a3c_destroy(void* self) {
    a3c* a = self;
    if (!a) return;
    if (a->w) for (int i = 0; i < a->cfg.n_workers; i++) worker_free(&a->w[i]);
    free(a->w);
    policy_free(&a->pol);
    acrl_params_free(&a->shared);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

static void* a3c_create(const void* cfgp, const acrl_algo_ctx* ctx, char* err, size_t errlen) {
    const a3c_config* cfg = cfgp;
    if (cfg->a2c.pol.model != 0) {
        /* workers apply gradients to shared weights; a tree ensemble grows by whole trees */
        snprintf(err, errlen, "a3c does not support model = gbrl (asynchronous workers share weights, not trees); "
                 "use ppo or a2c");
        return NULL;
    }
    int E = ctx->num_envs, N = onpolicy_rollout_rows("a3c", cfg->a2c.n_steps, E, err, errlen), od = ctx->obs_space->dim;
    if (N < 0) return NULL;
    if (ctx->col_opt && ctx->col_opt->norm_obs) {
        /* each worker's envs would keep their own statistics, and the policy would see
         * observations normalized in several ways */
        snprintf(err, errlen, "a3c does not support normalize = 1 (observation statistics are per worker); "
                 "use a2c or ppo for normalized observations");
        return NULL;
    }
    /* every worker steps n_envs copies of its own: as many in all as n_envs allows one run */
    if ((long)cfg->n_workers * E > 65536) {
        snprintf(err, errlen, "a3c: n_workers * n_envs = %d * %d = %ld env copies; at most 65536 are supported",
                 cfg->n_workers, E, (long)cfg->n_workers * E);
        return NULL;
    }
    /* the shared policy for n_envs rows; per worker: rollout, policy for the whole rollout,
     * five per-step vectors (the env copies of workers 1.. are not counted) */
    int ad = ctx->act_space->kind == ACRL_SPACE_DISCRETE ? 1 : ctx->act_space->dim;
    size_t per_worker = acrl_size_add(rollout_bytes(cfg->a2c.n_steps, E, od, ad),
                                      policy_bytes(od, ctx->act_space, &cfg->a2c.pol, N));
    per_worker = acrl_size_add(per_worker, acrl_size_mul3((size_t)N, 5, sizeof(float)));
    size_t need = acrl_size_add(policy_bytes(od, ctx->act_space, &cfg->a2c.pol, E),
                                acrl_size_mul((size_t)cfg->n_workers, per_worker));
    char what[192];
    snprintf(what, sizeof what, "a3c's %d workers' rollouts and networks (n_steps %d x n_envs %d = %d rows each)",
             cfg->n_workers, cfg->a2c.n_steps, E, N);
    if (acrl_size_check(need, what, err, errlen)) return NULL;
    a3c* a = calloc(1, sizeof *a);
    if (!a) { snprintf(err, errlen, "out of memory"); return NULL; }
    pthread_mutex_init(&a->lock, NULL);
    a->cfg = *cfg;
    a->gamma = ctx->gamma;
    acrl_params_init(&a->shared);
    if (policy_build(&a->pol, &a->shared, od, ctx->act_space, &cfg->a2c.pol, E, err, errlen) ||
        acrl_params_finalize(&a->shared, err, errlen)) { a3c_destroy(a); return NULL; }
    acrl_rng_seed2(&a->rng, ctx->seed, 1);
    if (policy_init(&a->pol, &a->shared, &cfg->a2c.pol, &a->rng, err, errlen)) { a3c_destroy(a); return NULL; }
    a->opt = acrl_optim_default(cfg->a2c.optimizer ? ACRL_OPT_ADAM : ACRL_OPT_RMSPROP);
    a->opt.eps = cfg->a2c.optim_eps;
    a->w = calloc((size_t)cfg->n_workers, sizeof(a3c_worker));
    if (!a->w) { snprintf(err, errlen, "out of memory"); a3c_destroy(a); return NULL; }
    for (int i = 0; i < cfg->n_workers; i++) {
        a3c_worker* w = &a->w[i];
        w->owner = a;
        w->id = i;
        acrl_params_init(&w->local);
        if (policy_build(&w->pol, &w->local, od, ctx->act_space, &cfg->a2c.pol, N, err, errlen) ||
            acrl_params_finalize(&w->local, err, errlen)) {
            a3c_destroy(a);
            return NULL;
        }
        if (rollout_init(&w->ro, cfg->a2c.n_steps, E, od, w->pol.act_dim)) {
            snprintf(err, errlen, "out of memory");
            a3c_destroy(a);
            return NULL;
        }
        acrl_rng_seed2(&w->rng, ctx->seed, 100 + (uint64_t)i);
        if (i > 0) {
            /* worker i's copies get seeds seed + i * n_envs + e, apart from worker 0's */
            w->col = collector_create(ctx->env_id, E, ctx->seed + (uint64_t)i * (uint64_t)E, 1, ctx->col_opt, err, errlen);
            if (!w->col) { a3c_destroy(a); return NULL; }
        }
        w->adv = malloc(sizeof(float) * (size_t)N);
        w->wlogp = malloc(sizeof(float) * (size_t)N);
        w->dv = malloc(sizeof(float) * (size_t)N);
        w->logp = malloc(sizeof(float) * (size_t)N);
        w->ent = malloc(sizeof(float) * (size_t)N);
        if (!w->adv || !w->wlogp || !w->dv || !w->logp || !w->ent) {
            snprintf(err, errlen, "out of memory");
            a3c_destroy(a);
            return NULL;
        }
    }
    return a;
}

/* Rollout on the worker's current local weights, gradient into local.grad. */
static int worker_gradient(a3c_worker* w) {
    const a3c_config* cfg = &w->owner->cfg;
    if (onpolicy_collect(&w->pol, &w->local, &w->ro, w->col, &w->rng, w->owner->gamma, cfg->a2c.gae_lambda, w->err,
                         sizeof w->err))
        return -1;
    acrl_params_zero_grad(&w->local);
    onpolicy_a2c_backward(&w->pol, &w->local, &w->ro, cfg->a2c.normalize_advantage, cfg->a2c.ent_coef, cfg->a2c.vf_coef, w->adv,
                          w->wlogp, w->dv, w->logp, w->ent, w->m);
    return 0;
}

/* Shared weights -= optimizer(worker's gradient); then the worker takes the new weights. */
static int worker_apply(a3c_worker* w, bool refresh) {
    a3c* a = w->owner;
    memcpy(a->shared.grad, w->local.grad, acrl_params_bytes(&a->shared));
    float gn = acrl_params_clip_grad_norm(&a->shared, a->cfg.a2c.max_grad_norm > 0 ? a->cfg.a2c.max_grad_norm : INFINITY);
    if (!isfinite(gn)) {
        snprintf(w->err, sizeof w->err, "non-finite gradient in A3C worker %d", w->id);
        return -1;
    }
    acrl_optim_step(&a->opt, &a->shared, a->lr);
    a->updates++;
    w->grad_norm = gn;
    if (refresh) memcpy(w->local.param, a->shared.param, acrl_params_bytes(&a->shared));
    return 0;
}

static void* worker_async(void* arg) {
    a3c_worker* w = arg;
    a3c* a = w->owner;
    for (int k = 0; k < a->cfg.updates_per_iter && !w->failed; k++) {
        if (worker_gradient(w)) { w->failed = 1; break; }
        pthread_mutex_lock(&a->lock);
        if (worker_apply(w, true)) w->failed = 1;
        pthread_mutex_unlock(&a->lock);
    }
    return NULL;
}

static void* worker_sync_gradient(void* arg) {
    a3c_worker* w = arg;
    if (worker_gradient(w)) w->failed = 1;
    return NULL;
}

/* Runs fn on every worker, worker 0 on the calling thread. */
static void run_workers(a3c* a, void* (*fn)(void*)) {
    int W = a->cfg.n_workers;
    pthread_t th[W > 1 ? W : 1];
    int started[W > 1 ? W : 1];
    for (int i = 1; i < W; i++) started[i] = pthread_create(&th[i], NULL, fn, &a->w[i]) == 0;
    fn(&a->w[0]);
    for (int i = 1; i < W; i++) {
        if (started[i]) pthread_join(th[i], NULL);
        else fn(&a->w[i]);
    }
}

static int a3c_iterate(void* self, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    a3c* a = self;
    int W = a->cfg.n_workers;
    a->w[0].col = c;
    a->lr = acrl_lr_schedule(a->cfg.a2c.lr_schedule ? ACRL_LR_LINEAR : ACRL_LR_CONSTANT, a->cfg.a2c.learning_rate, (float)progress);
    long steps_before[W];
    for (int i = 0; i < W; i++) {
        memcpy(a->w[i].local.param, a->shared.param, acrl_params_bytes(&a->shared));
        steps_before[i] = a->w[i].col->steps;
    }
    if (a->cfg.sync) {
        for (int k = 0; k < a->cfg.updates_per_iter; k++) {
            run_workers(a, worker_sync_gradient);
            for (int i = 0; i < W; i++) {
                if (a->w[i].failed) break;
                if (worker_apply(&a->w[i], false)) a->w[i].failed = 1;
            }
            for (int i = 0; i < W; i++) memcpy(a->w[i].local.param, a->shared.param, acrl_params_bytes(&a->shared));
            int failed = 0;
            for (int i = 0; i < W; i++) failed |= a->w[i].failed;
            if (failed) break;
        }
    } else {
        run_workers(a, worker_async);
    }
    for (int i = 0; i < W; i++)
        if (a->w[i].failed) { snprintf(err, errlen, "%s", a->w[i].err); return -1; }
    /* the trainer counts steps and episodes through worker 0's collector: add the others' */
    for (int i = 1; i < W; i++) {
        acrl_collector* wc = a->w[i].col;
        c->steps += wc->steps - steps_before[i];
        for (; a->w[i].seen_episodes < wc->ep_count; a->w[i].seen_episodes++) {
            int src = a->w[i].seen_episodes % 100, dst = c->ep_count % 100;
            c->ep_returns[dst] = wc->ep_returns[src];
            c->ep_lengths[dst] = wc->ep_lengths[src];
            c->ep_count++;
        }
    }
    if (!acrl_all_finite(a->shared.param, a->shared.count)) {
        snprintf(err, errlen, "non-finite parameter after A3C update %ld", a->updates);
        return -1;
    }
    for (int k = 0; k < M_COUNT; k++) m[k] = a->w[0].m[k];
    m[M_LR] = a->lr;
    m[M_GRAD_NORM] = a->w[0].grad_norm;
    m[M_EXPLAINED_VAR] = onpolicy_explained_variance(&a->w[0].ro);
    m[M_APPROX_KL] = m[M_CLIP_FRAC] = m[M_Q_LOSS] = m[M_ALPHA] = NAN;
    return 0;
}

static void a3c_act(void* self, const float* obs, int n, float* actions, bool deterministic) {
    a3c* a = self;
    policy_act(&a->pol, &a->shared, obs, n, actions, deterministic, &a->rng);
}

/* Only the shared weights, optimizer state and counters are saved: worker envs and RNGs
 * are not, so a resumed asynchronous run continues but does not repeat bit for bit. */
static int a3c_save(void* self, acrl_ckpt_writer* w) {
    a3c* a = self;
    if (algo_save_params(w, "a3c", &a->shared)) return -1;
    int64_t u = a->updates;
    return algo_save_i64s(w, "a3c.updates", &u, 1);
}

static int a3c_load(void* self, const acrl_ckpt* c, char* err, size_t errlen) {
    a3c* a = self;
    if (algo_load_params(c, "a3c", &a->shared, err, errlen)) return -1;
    int64_t u;
    if (algo_load_i64s(c, "a3c.updates", &u, 1, err, errlen)) return -1;
    a->updates = (long)u;
    return 0;
}

static acrl_params* a3c_params(void* self) { return &((a3c*)self)->shared; }

static acrl_rng* a3c_act_rng(void* self) { return &((a3c*)self)->rng; }

const acrl_algo acrl_algo_a3c = {
    "a3c", "Asynchronous Advantage Actor-Critic on worker threads (sync = 1: deterministic)",
    sizeof(a3c_config), a3c_table, a3c_defaults,
    a3c_create, a3c_iterate, a3c_act, a3c_save, a3c_load, a3c_params, a3c_destroy,
    a3c_act_rng,
    NULL, /* no Q critic */
};
