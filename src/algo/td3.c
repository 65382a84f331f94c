/* TD3 (Fujimoto et al. 2018): a deterministic tanh actor, clipped double-Q learning, target
 * policy smoothing (noise 0.2 clipped at 0.5) and delayed actor and target updates, in
 * Stable-Baselines3's order. Exploration adds Gaussian or Ornstein-Uhlenbeck noise. DDPG
 * (ddpg.c) is this file with one critic, no smoothing and no delay. */
#include "algo/offpolicy.h"
#include "algo/td3.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/size.h"

#define OU_THETA 0.15f
#define OU_DT    0.01f

const char* const td3_noise_names[] = {"normal", "ornstein-uhlenbeck", NULL};

static void td3_defaults(void* cfgp) {
    td3_config* c = cfgp;
    memset(c, 0, sizeof *c);
    offp_defaults(&c->off);
    c->off.learning_rate = 1e-3f; /* SB3's TD3/DDPG default */
    c->policy_delay = 2;
    c->target_policy_noise = 0.2f;
    c->target_noise_clip = 0.5f;
    c->noise_type = 0;
    c->noise_std = 0.1f;
    c->n_critics = 2;
}

#define F(k, t, lo, hi, ch, h) {#k, ACRL_CFG_##t, offsetof(td3_config, k), lo, hi, ch, h}
static const acrl_config_entry td3_table[] = {
    OFFP_ENTRIES(td3_config),
    F(policy_delay, INT, 1, 1000, NULL, "critic updates per actor and target update"),
    F(target_policy_noise, FLOAT, 0, 10, NULL, "std of the target policy smoothing noise"),
    F(target_noise_clip, FLOAT, 0, 10, NULL, "clip of the target policy smoothing noise"),
    F(noise_type, ENUM, 0, 0, td3_noise_names, "exploration noise: normal or ornstein-uhlenbeck"),
    F(noise_std, FLOAT, 0, 10, NULL, "exploration noise std (in [-1, 1] action units)"),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef F

typedef struct {
    offp_learner L;               /* actor, actor_targ, critic (q0[, q1]), critic_targ */
    td3_config cfg;
    const char* name;             /* "td3" or "ddpg": checkpoint section prefix */
    int  D;
    acrl_mlp pi;                  /* obs -> D, then tanh */
    acrl_mlp pi_targ;             /* the same layout, run on the target weights (own activations) */
    offp_critic cr;
    float *a, *a_next, *dz, *eps; /* (max_batch, D) */
    float *y;                     /* (max_batch) */
    float *ou;                    /* (E, D) Ornstein-Uhlenbeck state per copy */
} td3;

void td3_destroy(void* self) {
    td3* t = self;
    if (!t) return;
    offp_learner_free(&t->L);
    acrl_mlp_free(&t->pi);
    acrl_mlp_free(&t->pi_targ);
    offp_critic_free(&t->cr);
    free(t->a); free(t->a_next); free(t->dz); free(t->eps); free(t->y); free(t->ou);
    free(t);
}

void* td3_create_from(const void* cfgp, const acrl_algo_ctx* ctx, const char* name, char* err, size_t errlen) {
    const td3_config* cfg = cfgp;
    int maxb = cfg->off.batch_size > ctx->num_envs ? cfg->off.batch_size : ctx->num_envs;
    {
        /* the networks below and their scratch, refused before anything is allocated */
        int od = ctx->obs_space->dim, D = ctx->act_space->dim;
        size_t nets = acrl_size_add(acrl_size_mul(2, offp_mlp_bytes(od, D, &cfg->off, maxb)),
                                    acrl_size_add(offp_critic_bytes(cfg->n_critics, od + D, 1, &cfg->off, maxb),
                                                  offp_critic_bytes(cfg->n_critics, od + D, 1, &cfg->off, 1)));
        nets = acrl_size_add(nets, acrl_size_mul3((size_t)maxb, 4 * (size_t)D + 1, sizeof(float)));
        if (offp_check_memory(name, &cfg->off, ctx, maxb, nets, err, errlen)) return NULL;
    }
    td3* t = calloc(1, sizeof *t);
    if (!t) { snprintf(err, errlen, "out of memory"); return NULL; }
    offp_learner_init(&t->L);
    t->cfg = *cfg;
    t->name = name;
    offp_core* o = &t->L.core;
    if (offp_init(o, &cfg->off, ctx, false, maxb, err, errlen)) { free(t); return NULL; }
    const int D = t->D = o->act_dim, od = o->obs_dim, cd = o->critic_dim ? o->critic_dim : od; /* critics' state input */
    acrl_params* st[5] = {&t->L.actor, &t->L.actor_targ, &t->L.critic, &t->L.critic_targ, &t->L.alpha};
    offp_critic cr_t = {0}; /* freed below even when an earlier build failed */
    int rc = offp_mlp_build(&t->pi, &t->L.actor, "pi", od, D, &cfg->off, maxb, err, errlen);
    rc = rc || offp_mlp_build(&t->pi_targ, &t->L.actor_targ, "pi", od, D, &cfg->off, maxb, err, errlen);
    rc = rc || offp_critic_build(&t->cr, &t->L.critic, cfg->n_critics, cd + D, 1, &cfg->off, maxb, err, errlen);
    rc = rc || offp_critic_build(&cr_t, &t->L.critic_targ, cfg->n_critics, cd + D, 1, &cfg->off, 1, err, errlen);
    offp_critic_free(&cr_t);
    for (int i = 0; i < 4 && !rc; i++) rc = acrl_params_finalize(st[i], err, errlen);
    if (rc) { td3_destroy(t); return NULL; }
    size_t n = (size_t)maxb * D;
    t->a = calloc(n, sizeof(float));
    t->a_next = calloc(n, sizeof(float));
    t->dz = calloc(n, sizeof(float));
    t->eps = calloc(n, sizeof(float));
    t->y = calloc((size_t)maxb, sizeof(float));
    t->ou = calloc((size_t)ctx->num_envs * D, sizeof(float));
    if (!t->a || !t->a_next || !t->dz || !t->eps || !t->y || !t->ou) {
        td3_destroy(t);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    acrl_rng init_rng;
    acrl_rng_seed2(&init_rng, ctx->seed, 1);
    /* nn.Linear's default init allocates nothing and cannot fail */
    acrl_mlp_init(&t->pi, &t->L.actor, ACRL_INIT_TORCH, 1, 1, &init_rng);
    for (int i = 0; i < cfg->n_critics; i++) acrl_mlp_init(&t->cr.q[i], &t->L.critic, ACRL_INIT_TORCH, 1, 1, &init_rng);
    acrl_params_copy(&t->L.actor_targ, &t->L.actor, err, errlen);
    acrl_params_copy(&t->L.critic_targ, &t->L.critic, err, errlen);
    return t;
}

static void* td3_create(const void* cfg, const acrl_algo_ctx* ctx, char* err, size_t errlen) {
    return td3_create_from(cfg, ctx, "td3", err, errlen);
}

/* a (B, D) = tanh(m(obs)) with the weights in p */
static void actor_forward(td3* t, acrl_mlp* m, const acrl_params* p, const float* obs, float* a, int B) {
    const float* z = acrl_mlp_forward(m, p, obs, B);
    acrl_act_forward(ACRL_ACT_TANH, a, z, (size_t)B * t->D);
}

/* One update's data for the lanes (lane k: critic k; first the target and the online actor). */
typedef struct {
    td3* t;
    const replay_batch* b;
    int    B;
    const float* eps;
    bool   actor_step;
    double qloss[2];
} td3_job;

/* Phase 1. Lane 0: smoothed target actions a' = clip(pi'(s') + clip(sig eps, -c, c), -1, 1)
 * and the critics' inputs; lane 1 (actor steps only): a = pi(s), kept for the actor's backward. */
static void td3_lanes_actions(void* arg, int lane) {
    td3_job* j = arg;
    td3* t = j->t;
    const replay_batch* b = j->b;
    const int B = j->B, D = t->D, cd = t->L.core.critic_dim ? t->L.core.critic_dim : t->L.core.obs_dim;
    /* the critics' inputs: the states with critic_obs = state, else the observations */
    const float* cs = b->state ? b->state : b->obs;
    const float* cs_n = b->next_state ? b->next_state : b->next_obs;
    if (lane == 1) {
        if (!j->actor_step) return;
        actor_forward(t, &t->pi, &t->L.actor, b->obs, t->a, B);
        offp_critic_input(&t->cr, OFFP_IN_PI, cs, t->a, B, cd, D);
        return;
    }
    const float sig = t->cfg.target_policy_noise, clip = t->cfg.target_noise_clip;
    actor_forward(t, &t->pi_targ, &t->L.actor_targ, b->next_obs, t->a_next, B);
    for (int i = 0; i < B * D; i++) {
        float n = fminf(fmaxf(sig * j->eps[i], -clip), clip);
        t->a_next[i] = fminf(fmaxf(t->a_next[i] + n, -1.0f), 1.0f);
    }
    offp_critic_input(&t->cr, OFFP_IN_NEXT, cs_n, t->a_next, B, cd, D);
    offp_critic_input(&t->cr, OFFP_IN_DATA, cs, b->act, B, cd, D);
}

/* Phase 2, lane k: target critic k at (s', a') (copied out), then critic k at (s, a). */
static void td3_lanes_q(void* arg, int k) {
    td3_job* j = arg;
    offp_critic* cr = &j->t->cr;
    if (k >= cr->n) return;
    const float* qt = acrl_mlp_forward(&cr->q[k], &j->t->L.critic_targ, cr->in[OFFP_IN_NEXT], j->B);
    memcpy(cr->qt[k], qt, sizeof(float) * (size_t)j->B);
    cr->out[k] = acrl_mlp_forward(&cr->q[k], &j->t->L.critic, cr->in[OFFP_IN_DATA], j->B);
}

/* Phase 3, lane k: critic k's loss mean (Q_k(s, a) - y)^2, gradient and Adam step on its own
 * part of the store. */
static void td3_lanes_critic_step(void* arg, int k) {
    td3_job* j = arg;
    td3* t = j->t;
    offp_critic* cr = &t->cr;
    const int B = j->B;
    if (k >= cr->n) return;
    double qloss = 0;
    for (int i = 0; i < B; i++) {
        float d = cr->out[k][i] - t->y[i];
        qloss += (double)d * d / B;
        cr->dout[k][i] = 2.0f * d / B;
    }
    j->qloss[k] = qloss;
    if (!isfinite(qloss)) return;
    size_t lo, hi;
    offp_critic_range(cr, &t->L.critic, k, &lo, &hi);
    memset(t->L.critic.grad + lo, 0, sizeof(float) * (hi - lo));
    offp_critic_backward(cr, &t->L.critic, k, cr->dout[k], NULL);
    offp_adam_range(&t->L.critic, t->cfg.off.learning_rate, t->cfg.off.adam_eps, lo, hi);
}

/* Phase 4: both targets move towards the online networks (lane 0 critics, lane 1 actor). */
static void td3_lanes_polyak(void* arg, int lane) {
    td3_job* j = arg;
    td3* t = j->t;
    acrl_params* dst = lane ? &t->L.actor_targ : &t->L.critic_targ;
    const acrl_params* src = lane ? &t->L.actor : &t->L.critic;
    offp_polyak_range(dst, src, t->cfg.off.tau, 0, dst->count);
}

/* Phases whose lane 1 has no work run on the caller alone. */
static void td3_lanes(td3* t, bool two, void (*fn)(void*, int), td3_job* j) {
    if (two) offp_lanes(&t->L.core, fn, j);
    else fn(j, 0);
}

int td3_update(void* self, const replay_batch* b, int B, const float* eps, bool actor_step, double* sums,
               char* err, size_t errlen) {
    td3* t = self;
    offp_core* o = &t->L.core;
    offp_critic* cr = &t->cr;
    const int D = t->D, od = o->critic_dim ? o->critic_dim : o->obs_dim, nq = t->cfg.n_critics; /* od: critics' state input */
    td3_job j = {t, b, B, eps, actor_step, {0, 0}};
    td3_lanes(t, actor_step, td3_lanes_actions, &j);
    /* y = r + (1 - done) gamma^m min_i Q'_i(s', a') */
    td3_lanes(t, nq > 1, td3_lanes_q, &j);
    for (int i = 0; i < B; i++) {
        float q = cr->qt[0][i];
        if (nq > 1) q = fminf(q, cr->qt[1][i]);
        t->y[i] = b->rew[i] + (1.0f - b->done[i]) * b->discount[i] * q;
    }
    /* critics: sum_i mean (Q_i(s, a) - y)^2 */
    td3_lanes(t, nq > 1, td3_lanes_critic_step, &j);
    const double qloss = j.qloss[0] + j.qloss[1];
    if (!isfinite(qloss)) {
        snprintf(err, errlen, "non-finite critic loss in %s update %ld", t->name, (long)OFFP_UPDATES(o));
        return -1;
    }
    t->L.critic.step++; /* every critic took this Adam step */
    OFFP_UPDATES(o)++;
    sums[M_Q_LOSS] += qloss;
    if (!actor_step) return 0;

    /* actor: -mean Q_0(s, pi(s)) with a = pi(s) from phase 1 */
    const float* q = acrl_mlp_forward(&cr->q[0], &t->L.critic, cr->in[OFFP_IN_PI], B);
    double aloss = 0;
    for (int i = 0; i < B; i++) {
        aloss -= (double)q[i] / B;
        cr->dout[0][i] = -1.0f / B;
    }
    if (!isfinite(aloss)) {
        snprintf(err, errlen, "non-finite actor loss in %s update %ld", t->name, (long)OFFP_UPDATES(o));
        return -1;
    }
    memset(cr->din[0], 0, sizeof(float) * (size_t)B * (od + D));
    offp_critic_input_grad(cr, &t->L.critic, 0, cr->dout[0], cr->din[0]);
    for (int i = 0; i < B; i++)
        for (int k = 0; k < D; k++) {
            float a = t->a[i * D + k];
            t->dz[i * D + k] = cr->din[0][(size_t)i * (od + D) + od + k] * (1.0f - a * a);
        }
    acrl_params_zero_grad(&t->L.actor);
    acrl_mlp_backward(&t->pi, &t->L.actor, NULL, t->dz);
    offp_adam(&t->L.actor, t->cfg.off.learning_rate, t->cfg.off.adam_eps);
    td3_lanes(t, true, td3_lanes_polyak, &j);
    sums[M_POLICY_LOSS] += aloss;
    sums[OFFP_ACTOR_STEPS] += 1;
    return 0;
}

static int td3_train_step(void* self, double* sums, char* err, size_t errlen) {
    td3* t = self;
    offp_core* o = &t->L.core;
    const int B = o->cfg.batch_size;
    offp_sample(o, B);
    if (t->cfg.target_policy_noise > 0)
        acrl_rng_normal_floats(&o->rng, t->eps, (size_t)B * t->D);
    else
        memset(t->eps, 0, sizeof(float) * (size_t)B * t->D);
    bool actor_step = (OFFP_UPDATES(o) + 1) % t->cfg.policy_delay == 0; /* SB3: after n_updates += 1 */
    return td3_update(t, &o->batch, B, t->eps, actor_step, sums, err, errlen);
}

static void td3_explore(void* self, const float* obs, int E) {
    td3* t = self;
    offp_core* o = &t->L.core;
    const int n = E * t->D;
    actor_forward(t, &t->pi, &t->L.actor, obs, o->act, E);
    const float sd = t->cfg.noise_std;
    for (int i = 0; i < n; i++) {
        float noise;
        if (t->cfg.noise_type == 1) {
            t->ou[i] += OU_THETA * (0.0f - t->ou[i]) * OU_DT + sd * sqrtf(OU_DT) * (float)acrl_rng_normal(&o->rng);
            noise = t->ou[i];
        } else {
            noise = sd * (float)acrl_rng_normal(&o->rng);
        }
        o->act[i] = fminf(fmaxf(o->act[i] + noise, -1.0f), 1.0f);
    }
}

static void td3_episode_end(void* self, int e) {
    td3* t = self;
    memset(t->ou + (size_t)e * t->D, 0, sizeof(float) * t->D);
}

int td3_iterate(void* self, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    (void)progress;
    td3* t = self;
    static const offp_hooks hooks = {td3_explore, td3_train_step, td3_episode_end, 1u << M_Q_LOSS};
    return offp_iterate(&t->L.core, t, &hooks, c, m, err, errlen);
}

void td3_act(void* self, const float* obs, int n, float* actions, bool deterministic) {
    (void)deterministic; /* the policy is deterministic; exploration noise is for training only */
    td3* t = self;
    float a[n * t->D + 1];
    actor_forward(t, &t->pi, &t->L.actor, obs, a, n);
    offp_to_env(&t->L.core, a, actions, n);
}

int td3_save(void* self, acrl_ckpt_writer* w) {
    td3* t = self;
    char p[4][32];
    const char* part[4] = {"actor", "actor_targ", "critic", "critic_targ"};
    acrl_params* st[4] = {&t->L.actor, &t->L.actor_targ, &t->L.critic, &t->L.critic_targ};
    for (int i = 0; i < 4; i++) {
        snprintf(p[i], sizeof p[i], "%s.%s", t->name, part[i]);
        if (algo_save_params(w, p[i], st[i])) return -1;
    }
    char name[32];
    snprintf(name, sizeof name, "%s.ou", t->name);
    if (acrl_ckpt_add(w, name, t->ou, sizeof(float) * (size_t)t->L.core.num_envs * t->D)) return -1;
    return offp_save(&t->L.core, w, t->name);
}

int td3_load(void* self, const acrl_ckpt* c, char* err, size_t errlen) {
    td3* t = self;
    char p[32];
    const char* part[4] = {"actor", "actor_targ", "critic", "critic_targ"};
    acrl_params* st[4] = {&t->L.actor, &t->L.actor_targ, &t->L.critic, &t->L.critic_targ};
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s.%s", t->name, part[i]);
        if (algo_load_params(c, p, st[i], err, errlen)) return -1;
    }
    snprintf(p, sizeof p, "%s.ou", t->name);
    if (algo_load_blob(c, p, t->ou, sizeof(float) * (size_t)t->L.core.num_envs * t->D, err, errlen)) return -1;
    return offp_load(&t->L.core, c, t->name, err, errlen);
}

acrl_params* td3_params(void* self) { return &((td3*)self)->L.actor; }
acrl_rng* td3_act_rng(void* self) { return &((td3*)self)->L.core.rng; }

void td3_qvalue(void* self, const float* obs, const float* act, int n, float* q) {
    td3* t = self;
    offp_critic_estimate(&t->cr, &t->L.critic, &t->L.core, obs, act, n, q);
}

int td3_pretrain(void* self, acrl_pretrain_data* d, char* err, size_t errlen) {
    td3* t = self;
    return offp_pretrain(&t->L, &t->pi, t->D, &t->cr, d, err, errlen);
}

const acrl_algo acrl_algo_td3 = {
    "td3", "Twin Delayed DDPG (clipped double Q, target smoothing, delayed actor), Box actions",
    sizeof(td3_config), td3_table, td3_defaults,
    td3_create, td3_iterate, td3_act, td3_save, td3_load, td3_params, td3_destroy,
    td3_act_rng, td3_qvalue,
};
