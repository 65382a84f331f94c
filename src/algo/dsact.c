/* DSAC-T (Duan et al., "Distributional Soft Actor-Critic with Three Refinements", TPAMI 2025,
 * arXiv 2310.05858), as in the official GOPS dsact.py: twin critics that each output a mean
 * Q and a standard deviation sigma of the soft return Z ~ N(Q, sigma^2), with target copies
 * and a Polyak target policy; the three refinements are
 *   1. expected-value substitution: the mean is regressed on y_q (built from target means),
 *      the variance on a sampled return y_z;
 *   2. twin value distribution learning: the target critic with the smaller mean is used;
 *   3. variance-based gradient adjustment: the critic gradient is scaled by the running mean
 *      of sigma (sigma-bar) and y_z is clipped to Q +- 3 sigma-bar.
 * The actor and the temperature are updated every `delay` iterations, when all targets move.
 * Choices where the paper and the code leave room are in docs/algorithms.md. */
#include "algo/offpolicy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/dist.h"
#include "util/size.h"

typedef struct {
    offp_config off;              /* off.learning_rate: the critics' */
    float policy_lr, alpha_lr;
    float ent_coef;               /* > 0: fixed temperature; 0: learned */
    float log_alpha_init;         /* initial log temperature (1: alpha = e) */
    float target_entropy_scale;   /* target entropy = -scale * |A| */
    int   delay;                  /* iterations between actor / temperature / target updates */
    float tau_b;                  /* running-mean rate of sigma-bar */
    float td_bound;               /* clip bound b = td_bound * sigma-bar */
    float sample_clip;            /* the sampled return's noise is clipped to +-sample_clip */
    float std_eps;                /* epsilon of the variance-based gradient */
    float log_std_min, log_std_max; /* the actor's log-std clamp */
} dsact_config;

static void dsact_defaults(void* cfgp) {
    dsact_config* c = cfgp;
    memset(c, 0, sizeof *c);
    offp_defaults(&c->off);
    /* the official MuJoCo settings (GOPS example_train/dsact/dsact_mlp_mujoco_offserial.py) */
    c->off.learning_rate = 1e-4f;
    c->off.learning_starts = 10000;
    c->off.net_arch = (acrl_intlist){3, {256, 256, 256}};
    strcpy(c->off.activation, "gelu");
    c->policy_lr = 1e-4f;
    c->alpha_lr = 3e-4f;
    c->log_alpha_init = 1.0f;
    c->target_entropy_scale = 1.0f;
    c->delay = 2;
    c->tau_b = 0.005f;
    c->td_bound = 3.0f;
    c->sample_clip = 3.0f;
    c->std_eps = 0.1f;
    c->log_std_min = -20.0f;
    c->log_std_max = 0.5f;
}

#define F(k, t, lo, hi, h) {#k, ACRL_CFG_##t, offsetof(dsact_config, k), lo, hi, NULL, h}
static const acrl_config_entry dsact_table[] = {
    OFFP_ENTRIES(dsact_config),
    F(policy_lr, FLOAT, 0, 1, "Adam learning rate of the actor (learning_rate is the critics')"),
    F(alpha_lr, FLOAT, 0, 1, "Adam learning rate of the log temperature"),
    F(ent_coef, FLOAT, 0, 1e4, "fixed entropy temperature alpha (0: tuned automatically)"),
    F(log_alpha_init, FLOAT, -20, 10, "initial log temperature when tuned (1: alpha = e)"),
    F(target_entropy_scale, FLOAT, -1e3, 1e3, "target entropy = -target_entropy_scale * |A|"),
    F(delay, INT, 1, 1e6, "iterations between actor, temperature and target updates"),
    F(tau_b, FLOAT, 0, 1, "rate of the running mean of the critics' sigma"),
    F(td_bound, FLOAT, 0, 1e3, "the sampled target is clipped to Q +- td_bound * sigma-bar"),
    F(sample_clip, FLOAT, 0, 1e3, "noise of the sampled return clipped to +-sample_clip"),
    F(std_eps, FLOAT, 1e-8, 1e3, "epsilon of the variance-based critic gradient"),
    F(log_std_min, FLOAT, -100, 100, "lower clamp of the actor's log-std"),
    F(log_std_max, FLOAT, -100, 100, "upper clamp of the actor's log-std"),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef F

typedef struct {
    offp_learner L;               /* actor, actor_targ, critic (q0, q1), critic_targ, alpha */
    dsact_config cfg;
    int   D;
    float target_entropy;
    float sbar[3];                /* sigma-bar of critics 0 and 1; [2] = 1 once initialized (f32 section) */
    acrl_mlp pi, pi_targ;         /* the actor on obs, the target actor on next_obs */
    offp_critic cr;               /* each critic: (obs, act) -> (mean, raw std); sigma = softplus(raw) */
    /* scratch, (max_batch, D) unless noted */
    float *mean, *ls_raw, *ls, *a_pi, *mean_n, *ls_raw_n, *ls_n, *a_next, *dmean, *dls, *dls_raw, *g_act;
    float *eps_pi, *eps_next;
    float *dhead;                 /* (max_batch, 2D) */
    float *logp, *logp_n, *yq, *yz, *g_logp, *eps_z, *sig[2]; /* (max_batch) */
} dsact;

static void dsact_destroy(void* self) {
    dsact* s = self;
    if (!s) return;
    offp_learner_free(&s->L);
    acrl_mlp_free(&s->pi);
    acrl_mlp_free(&s->pi_targ);
    offp_critic_free(&s->cr);
    float* bufs[] = {s->mean, s->ls_raw, s->ls, s->a_pi, s->mean_n, s->ls_raw_n, s->ls_n, s->a_next, s->dmean,
                     s->dls, s->dls_raw, s->g_act, s->eps_pi, s->eps_next, s->dhead, s->logp, s->logp_n, s->yq,
                     s->yz, s->g_logp, s->eps_z, s->sig[0], s->sig[1]};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(bufs[i]);
    free(s);
}

static void* dsact_create(const void* cfgp, const acrl_algo_ctx* ctx, char* err, size_t errlen) {
    const dsact_config* cfg = cfgp;
    if (!(cfg->log_std_min < cfg->log_std_max)) {
        snprintf(err, errlen, "log_std_min (%g) must be below log_std_max (%g)", cfg->log_std_min, cfg->log_std_max);
        return NULL;
    }
    int maxb = cfg->off.batch_size > ctx->num_envs ? cfg->off.batch_size : ctx->num_envs;
    {
        /* the networks below and their scratch, refused before anything is allocated */
        const int od = ctx->obs_space->dim, D = ctx->act_space->dim;
        size_t nets = acrl_size_add(acrl_size_mul(2, offp_mlp_bytes(od, 2 * D, &cfg->off, maxb)),
                                    acrl_size_add(offp_critic_bytes(2, od + D, 2, &cfg->off, maxb),
                                                  offp_critic_bytes(2, od + D, 2, &cfg->off, 1)));
        nets = acrl_size_add(nets, acrl_size_mul3((size_t)maxb, 16 * (size_t)D + 8, sizeof(float)));
        if (offp_check_memory("dsact", &cfg->off, ctx, maxb, nets, err, errlen)) return NULL;
    }
    dsact* s = calloc(1, sizeof *s);
    if (!s) { snprintf(err, errlen, "out of memory"); return NULL; }
    offp_learner_init(&s->L);
    s->cfg = *cfg;
    offp_core* o = &s->L.core;
    if (offp_init(o, &cfg->off, ctx, false, maxb, err, errlen)) { free(s); return NULL; }
    const int D = s->D = o->act_dim, od = o->obs_dim;
    s->target_entropy = -cfg->target_entropy_scale * D;
    acrl_params* st[5] = {&s->L.actor, &s->L.actor_targ, &s->L.critic, &s->L.critic_targ, &s->L.alpha};
    /* the target actor is built by the same code into its own store: the same layout */
    int rc = offp_mlp_build(&s->pi, &s->L.actor, "pi", od, 2 * D, &cfg->off, maxb, err, errlen) ||
             offp_mlp_build(&s->pi_targ, &s->L.actor_targ, "pi", od, 2 * D, &cfg->off, maxb, err, errlen);
    rc = rc || offp_critic_build(&s->cr, &s->L.critic, 2, od + D, 2, &cfg->off, maxb, err, errlen);
    offp_critic tmp = {0}; /* freed below even when an earlier build failed */
    rc = rc || offp_critic_build(&tmp, &s->L.critic_targ, 2, od + D, 2, &cfg->off, 1, err, errlen);
    offp_critic_free(&tmp);
    rc = rc || acrl_params_add(&s->L.alpha, "log_alpha", 1, 1) == SIZE_MAX;
    for (int i = 0; i < 5 && !rc; i++) rc = acrl_params_finalize(st[i], err, errlen);
    if (rc) { dsact_destroy(s); return NULL; }
    size_t n = (size_t)maxb * D;
    float** bufs[] = {&s->mean, &s->ls_raw, &s->ls, &s->a_pi, &s->mean_n, &s->ls_raw_n, &s->ls_n, &s->a_next,
                      &s->dmean, &s->dls, &s->dls_raw, &s->g_act, &s->eps_pi, &s->eps_next};
    bool ok = !offp_alloc_floats(bufs, sizeof bufs / sizeof bufs[0], n);
    ok = ok && (s->dhead = calloc(2 * n, sizeof(float)));
    float** vecs[] = {&s->logp, &s->logp_n, &s->yq, &s->yz, &s->g_logp, &s->eps_z, &s->sig[0], &s->sig[1]};
    ok = !offp_alloc_floats(vecs, sizeof vecs / sizeof vecs[0], (size_t)maxb) && ok;
    if (!ok) { dsact_destroy(s); snprintf(err, errlen, "out of memory"); return NULL; }
    acrl_rng init_rng;
    acrl_rng_seed2(&init_rng, ctx->seed, 1);
    acrl_mlp_init(&s->pi, &s->L.actor, ACRL_INIT_TORCH, 1, 1, &init_rng);
    for (int i = 0; i < 2; i++) acrl_mlp_init(&s->cr.q[i], &s->L.critic, ACRL_INIT_TORCH, 1, 1, &init_rng);
    acrl_params_copy(&s->L.actor_targ, &s->L.actor, err, errlen);
    acrl_params_copy(&s->L.critic_targ, &s->L.critic, err, errlen);
    s->L.alpha.param[0] = cfg->ent_coef > 0 ? logf(cfg->ent_coef) : cfg->log_alpha_init;
    return s;
}

/* One update's data for the lanes (lane k: critic k; in phase 1 the actor at obs and the
 * target actor at next_obs). */
typedef struct {
    dsact* s;
    const replay_batch* b;
    int    B;
    const float *eps_pi, *eps_next;
    bool   actor;                 /* this iteration updates the actor, temperature and targets */
    double qloss[2], sig[2];
} dsact_job;

/* Phase 1. Lane 0: (actor iterations) the current policy's actions at obs for the actor and
 * temperature losses, and the critics' inputs; lane 1: a' ~ pi_targ(.|s'). */
static void lanes_policy(void* arg, int lane) {
    dsact_job* j = arg;
    dsact* s = j->s;
    const replay_batch* b = j->b;
    const int B = j->B, D = s->D, od = s->L.core.obs_dim;
    const float lo = s->cfg.log_std_min, hi = s->cfg.log_std_max;
    if (lane == 0) {
        offp_critic_input(&s->cr, OFFP_IN_DATA, b->obs, b->act, B, od, D);
        if (!j->actor) return;
        const float* head = acrl_mlp_forward(&s->pi, &s->L.actor, b->obs, B);
        offp_gauss_head_split(head, s->mean, s->ls_raw, s->ls, lo, hi, B, D);
        acrl_squash_rsample_logp(s->a_pi, s->logp, s->mean, s->ls, j->eps_pi, NULL, NULL, NULL, B, D);
        offp_critic_input(&s->cr, OFFP_IN_PI, b->obs, s->a_pi, B, od, D);
    } else {
        const float* head = acrl_mlp_forward(&s->pi_targ, &s->L.actor_targ, b->next_obs, B);
        offp_gauss_head_split(head, s->mean_n, s->ls_raw_n, s->ls_n, lo, hi, B, D);
        acrl_squash_rsample_logp(s->a_next, s->logp_n, s->mean_n, s->ls_n, j->eps_next, NULL, NULL, NULL, B, D);
        offp_critic_input(&s->cr, OFFP_IN_NEXT, b->next_obs, s->a_next, B, od, D);
    }
}

/* Phase 2, lane k: target critic k at (s', a') (copied out), then critic k at (s, a), kept for
 * its backward, with its sigma and their batch mean. */
static void lanes_q(void* arg, int k) {
    dsact_job* j = arg;
    dsact* s = j->s;
    offp_critic* cr = &s->cr;
    const int B = j->B;
    const float* qt = acrl_mlp_forward(&cr->q[k], &s->L.critic_targ, cr->in[OFFP_IN_NEXT], B);
    memcpy(cr->qt[k], qt, sizeof(float) * 2 * (size_t)B);
    const float* q = cr->out[k] = acrl_mlp_forward(&cr->q[k], &s->L.critic, cr->in[OFFP_IN_DATA], B);
    double sum = 0;
    for (int i = 0; i < B; i++) sum += s->sig[k][i] = offp_softplus(q[2 * i + 1]);
    j->sig[k] = sum / B;
}

/* Phase 3, lane k: critic k's variance-based gradient (paper eq. 26 with omega = sigma-bar^2):
 *   dL/dQ     = -(sigma-bar^2 + eps) (y_q - Q) / (sigma^2 + eps) / B
 *   dL/dsigma = -(sigma-bar^2 + eps) ((Q - C(y_z))^2 - sigma^2) / (sigma^3 + eps) / B
 * with C(y_z) = Q + clip(y_z - Q, -b, b), b = td_bound sigma-bar; the loss reported is the
 * surrogate whose gradient this is. Then, when the actor learns this iteration, critic k (not
 * yet stepped, as in the official code) at (s, pi(s)); else its Adam step. */
static void lanes_critic(void* arg, int k) {
    dsact_job* j = arg;
    dsact* s = j->s;
    offp_critic* cr = &s->cr;
    const int B = j->B;
    const float eps = s->cfg.std_eps, sb = s->sbar[k];
    const float w = sb * sb + eps, bound = s->cfg.td_bound * sb;
    const float* q = cr->out[k];
    float* dout = cr->dout[k];
    double loss = 0;
    for (int i = 0; i < B; i++) {
        const float qi = q[2 * i], sg = s->sig[k][i];
        const float c = qi + fminf(fmaxf(s->yz[i] - qi, -bound), bound);
        const float a_mean = (s->yq[i] - qi) / (sg * sg + eps);
        const float a_std = ((qi - c) * (qi - c) - sg * sg) / (sg * sg * sg + eps);
        loss += -(double)a_mean * qi - (double)a_std * sg;
        dout[2 * i] = -w * a_mean / B;
        dout[2 * i + 1] = -w * a_std / B * offp_softplus_grad(q[2 * i + 1]);
    }
    j->qloss[k] = w * loss / B;
    if (!isfinite(j->qloss[k])) return;
    size_t lo, hi;
    offp_critic_range(cr, &s->L.critic, k, &lo, &hi);
    memset(s->L.critic.grad + lo, 0, sizeof(float) * (hi - lo));
    offp_critic_backward(cr, &s->L.critic, k, dout, NULL);
    if (j->actor) cr->out[k] = acrl_mlp_forward(&cr->q[k], &s->L.critic, cr->in[OFFP_IN_PI], B);
    else offp_adam_range(&s->L.critic, s->cfg.off.learning_rate, s->cfg.off.adam_eps, lo, hi);
}

/* Phase 4 (actor iterations), lane k: dQ_k/da at (s, pi(s)) into din[k], then critic k's Adam
 * step and the Polyak step of its target. */
static void lanes_actor_grad(void* arg, int k) {
    dsact_job* j = arg;
    dsact* s = j->s;
    offp_critic* cr = &s->cr;
    memset(cr->din[k], 0, sizeof(float) * (size_t)j->B * cr->in_dim);
    offp_critic_input_grad(cr, &s->L.critic, k, cr->dout[k], cr->din[k]);
    size_t lo, hi;
    offp_critic_range(cr, &s->L.critic, k, &lo, &hi);
    offp_adam_range(&s->L.critic, s->cfg.off.learning_rate, s->cfg.off.adam_eps, lo, hi);
    offp_polyak_range(&s->L.critic_targ, &s->L.critic, s->cfg.off.tau, lo, hi);
}

int dsact_update(void* self, const replay_batch* b, int B, const float* eps_pi, const float* eps_next,
                 const float* eps_z, double* sums, char* err, size_t errlen) {
    dsact* s = self;
    offp_core* o = &s->L.core;
    offp_critic* cr = &s->cr;
    const dsact_config* c = &s->cfg;
    const int D = s->D, od = o->obs_dim;
    const long upd = (long)OFFP_UPDATES(o);
    const float alpha = expf(s->L.alpha.param[0]); /* every loss uses the temperature before its step */
    dsact_job j = {s, b, B, eps_pi, eps_next, upd % c->delay == 0, {0, 0}, {0, 0}};
    offp_lanes(o, lanes_policy, &j);
    offp_lanes(o, lanes_q, &j);

    /* sigma-bar: running mean of each critic's batch-mean sigma, started at the first batch's */
    for (int k = 0; k < 2; k++)
        s->sbar[k] = s->sbar[2] != 0 ? (1 - c->tau_b) * s->sbar[k] + c->tau_b * (float)j.sig[k] : (float)j.sig[k];
    s->sbar[2] = 1;

    /* targets from the target critic with the smaller mean at (s', a'):
     *   y_q = r + gamma (1 - d) (min_i Q'_i - alpha log pi'(a'|s'))            (mean)
     *   y_z = r + gamma (1 - d) (Q'_i* + clip(eps, +-3) sigma'_i* - alpha log pi'(a'|s'))  (sample) */
    for (int i = 0; i < B; i++) {
        const float q0 = cr->qt[0][2 * i], q1 = cr->qt[1][2 * i];
        const int k = q0 < q1 ? 0 : 1;
        const float z = fminf(fmaxf(eps_z[i], -c->sample_clip), c->sample_clip);
        const float zhat = cr->qt[k][2 * i] + z * offp_softplus(cr->qt[k][2 * i + 1]);
        const float g = (1.0f - b->done[i]) * b->discount[i], ent = alpha * s->logp_n[i];
        s->yq[i] = b->rew[i] + g * (fminf(q0, q1) - ent);
        s->yz[i] = b->rew[i] + g * (zhat - ent);
    }

    offp_lanes(o, lanes_critic, &j);
    const double qloss = j.qloss[0] + j.qloss[1];
    if (!isfinite(qloss)) return offp_nonfinite(err, errlen, "DSAC-T", "critic loss", upd);
    sums[M_Q_LOSS] += qloss;
    sums[M_ALPHA] += alpha;
    sums[M_Q_SIGMA] += 0.5 * (j.sig[0] + j.sig[1]);
    sums[M_Q_CLIP] += 0.5 * c->td_bound * ((double)s->sbar[0] + s->sbar[1]);
    if (!j.actor) {
        s->L.critic.step++; /* both halves took this Adam step */
        OFFP_UPDATES(o)++;
        return 0;
    }

    /* actor: mean(alpha log pi(a|s) - min_i Q_i(s, a)), a = a_pi reparameterized, through the
     * critics' means before their step */
    double aloss = 0, mean_logp = 0;
    for (int i = 0; i < B; i++) {
        const float m0 = cr->out[0][2 * i], m1 = cr->out[1][2 * i];
        const bool first = m0 <= m1;
        cr->dout[0][2 * i] = first ? 1.0f : 0.0f;
        cr->dout[1][2 * i] = first ? 0.0f : 1.0f;
        cr->dout[0][2 * i + 1] = cr->dout[1][2 * i + 1] = 0;
        aloss += (alpha * s->logp[i] - fminf(m0, m1)) / B;
        mean_logp += s->logp[i];
    }
    mean_logp /= B;
    if (!isfinite(aloss)) return offp_nonfinite(err, errlen, "DSAC-T", "actor loss", upd);
    offp_lanes(o, lanes_actor_grad, &j);
    s->L.critic.step++;
    for (int i = 0; i < B; i++) {
        for (int k = 0; k < D; k++) {
            size_t col = (size_t)i * (od + D) + od + k;
            s->g_act[i * D + k] = -(cr->din[0][col] + cr->din[1][col]);
        }
        s->g_logp[i] = alpha;
    }
    offp_gauss_head_backward(s->dhead, s->dmean, s->dls, s->dls_raw, s->g_act, s->g_logp, s->mean, s->ls, s->ls_raw,
                             eps_pi, NULL, c->log_std_min, c->log_std_max, 1.0f / B, B, D);
    acrl_params_zero_grad(&s->L.actor);
    acrl_mlp_backward(&s->pi, &s->L.actor, NULL, s->dhead);
    offp_adam(&s->L.actor, c->policy_lr, c->off.adam_eps);
    /* temperature: -(log alpha) (E[log pi] + target entropy) */
    if (c->ent_coef <= 0) {
        acrl_params_zero_grad(&s->L.alpha);
        s->L.alpha.grad[0] = (float)-(mean_logp + s->target_entropy);
        offp_adam(&s->L.alpha, c->alpha_lr, c->off.adam_eps);
    }
    acrl_params_polyak(&s->L.actor_targ, &s->L.actor, c->off.tau, NULL, 0);
    OFFP_UPDATES(o)++;
    sums[M_POLICY_LOSS] += aloss;
    sums[OFFP_ACTOR_STEPS] += 1;
    sums[M_ENTROPY] += -mean_logp;
    return 0;
}

static int dsact_train_step(void* self, double* sums, char* err, size_t errlen) {
    dsact* s = self;
    offp_core* o = &s->L.core;
    const int B = o->cfg.batch_size, n = B * s->D;
    offp_sample(o, B);
    acrl_rng_normal_floats(&o->rng, s->eps_pi, (size_t)n);
    acrl_rng_normal_floats(&o->rng, s->eps_next, (size_t)n);
    acrl_rng_normal_floats(&o->rng, s->eps_z, (size_t)B);
    return dsact_update(s, &o->batch, B, s->eps_pi, s->eps_next, s->eps_z, sums, err, errlen);
}

/* actions in learner units (n rows) for obs from the current (not the target) policy:
 * sampled, or tanh of the mean */
static void dsact_policy(dsact* s, const float* obs, int n, float* out, bool deterministic) {
    const float* head = acrl_mlp_forward(&s->pi, &s->L.actor, obs, n);
    offp_gauss_head_split(head, s->mean, s->ls_raw, s->ls, s->cfg.log_std_min, s->cfg.log_std_max, n, s->D);
    if (deterministic) acrl_squash_mode(out, s->mean, NULL, NULL, n, s->D);
    else acrl_squash_sample(out, NULL, s->eps_pi, s->mean, s->ls, NULL, NULL, &s->L.core.rng, n, s->D);
}

static void dsact_explore(void* self, const float* obs, int E) {
    dsact* s = self;
    dsact_policy(s, obs, E, s->L.core.act, false);
}

static int dsact_iterate(void* self, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    (void)progress;
    dsact* s = self;
    static const offp_hooks hooks = {dsact_explore, dsact_train_step, NULL,
                                     1u << M_Q_LOSS | 1u << M_ALPHA | 1u << M_ENTROPY | 1u << M_Q_SIGMA |
                                         1u << M_Q_CLIP};
    return offp_iterate(&s->L.core, s, &hooks, c, m, err, errlen);
}

static void dsact_act(void* self, const float* obs, int n, float* actions, bool deterministic) {
    dsact* s = self;
    float a[n * s->L.core.act_dim + 1];
    dsact_policy(s, obs, n, a, deterministic);
    offp_to_env(&s->L.core, a, actions, n);
}

static int dsact_save(void* self, acrl_ckpt_writer* w) {
    dsact* s = self;
    return algo_save_params(w, "dsact.actor", &s->L.actor) ||
           algo_save_params(w, "dsact.actor_targ", &s->L.actor_targ) ||
           algo_save_params(w, "dsact.critic", &s->L.critic) ||
           algo_save_params(w, "dsact.critic_targ", &s->L.critic_targ) ||
           algo_save_params(w, "dsact.alpha", &s->L.alpha) ||
           acrl_ckpt_add(w, "dsact.sigma_bar", s->sbar, sizeof s->sbar) || offp_save(&s->L.core, w, "dsact")
               ? -1 : 0;
}

static int dsact_load(void* self, const acrl_ckpt* c, char* err, size_t errlen) {
    dsact* s = self;
    return algo_load_params(c, "dsact.actor", &s->L.actor, err, errlen) ||
           algo_load_params(c, "dsact.actor_targ", &s->L.actor_targ, err, errlen) ||
           algo_load_params(c, "dsact.critic", &s->L.critic, err, errlen) ||
           algo_load_params(c, "dsact.critic_targ", &s->L.critic_targ, err, errlen) ||
           algo_load_params(c, "dsact.alpha", &s->L.alpha, err, errlen) ||
           algo_load_blob(c, "dsact.sigma_bar", s->sbar, sizeof s->sbar, err, errlen) ||
           offp_load(&s->L.core, c, "dsact", err, errlen)
               ? -1 : 0;
}

static acrl_params* dsact_params(void* self) { return &((dsact*)self)->L.actor; }

/* The critic's estimate of Q(s, a) (acrl qbias): the mean of the return distribution, the smaller of the twin critics' means. */
static void dsact_qvalue(void* self, const float* obs, const float* act, int n, float* q) {
    dsact* s = self;
    offp_critic_estimate(&s->cr, &s->L.critic, &s->L.core, obs, act, n, q);
}

static acrl_rng* dsact_act_rng(void* self) { return &((dsact*)self)->L.core.rng; }

const acrl_algo acrl_algo_dsact = {
    "dsact", "DSAC-T: distributional SAC with twin Gaussian critics and variance-based updates",
    sizeof(dsact_config), dsact_table, dsact_defaults,
    dsact_create, dsact_iterate, dsact_act, dsact_save, dsact_load, dsact_params, dsact_destroy,
    dsact_act_rng, dsact_qvalue,
};
