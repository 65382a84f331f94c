/* STAC (Özalp, "Stochastic Actor-Critic", arXiv 2601.00737, 2026), as in the author's
 * rl-warehouse stac.py: one Gaussian critic Z(s, a) ~ N(mu, sigma^2), sigma = softplus(raw)
 * with raw floored, and its Polyak target; no target actor. The critic is fitted by Gaussian
 * negative log-likelihood to y = r + gamma (1 - d) (mu'(s', a') - beta sigma'(s', a') -
 * alpha log pi(a'|s')), and the actor maximises mu - beta sigma - alpha log pi: the critic's
 * own uncertainty makes both pessimistic, in place of a twin minimum. Critic and actor are
 * [Linear -> Dropout -> LayerNorm -> ReLU] MLPs trained by AdamW; the temperature follows
 * alpha <- alpha exp(lr_q alpha (H_target - H)). Choices: docs/algorithms.md. */
#include "algo/offpolicy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/dist.h"
#include "util/size.h"

typedef struct {
    offp_config off;              /* off.learning_rate: the critic's (also the temperature's rate) */
    float policy_lr;
    float weight_decay;           /* AdamW's decoupled weight decay, both networks */
    float beta;                   /* pessimism: the actor and the target use mu - beta sigma */
    float ent_coef;               /* > 0: fixed temperature; 0: tuned */
    float ent_coef_init;          /* initial temperature when tuned */
    float target_entropy_scale;   /* target entropy = -scale * |A| */
    float sigma_raw_min;          /* sigma = softplus(max(raw, sigma_raw_min)) */
    int   eval_samples;           /* deterministic acting: mean of this many sampled actions (0: tanh(mean)) */
    int   target_dropout;         /* dropout also in the target's forwards (the next action and target critic) */
    float actor_dropout;          /* the actor's dropout; -1: dropout's */
    float critic_dropout;         /* the critic's dropout; -1: dropout's */
    float log_std_min, log_std_max;
} stac_config;

static void stac_defaults(void* cfgp) {
    stac_config* c = cfgp;
    memset(c, 0, sizeof *c);
    offp_defaults(&c->off);
    /* the paper's settings (rl-warehouse stac.py and its critic / policy networks) */
    c->off.learning_rate = 1e-3f;
    c->off.learning_starts = 10000;
    c->off.layer_norm = 1;
    c->off.dropout = 0.01f;
    c->policy_lr = 3e-4f;
    c->weight_decay = 0.01f; /* torch.optim.AdamW's default */
    c->beta = 0.5f;
    c->ent_coef_init = 0.2f;
    c->target_entropy_scale = 1.0f;
    c->sigma_raw_min = -5.0f;
    c->eval_samples = 10;
    c->log_std_min = -20.0f;
    c->log_std_max = 2.0f;
    c->actor_dropout = -1.0f;
    c->critic_dropout = -1.0f;
}

#define F(k, t, lo, hi, h) {#k, ACRL_CFG_##t, offsetof(stac_config, k), lo, hi, NULL, h}
static const acrl_config_entry stac_table[] = {
    OFFP_ENTRIES(stac_config),
    OFFP_E(stac_config, layer_norm, BOOL, 0, 0, "hidden layers Linear -> Dropout -> LayerNorm -> activation"),
    OFFP_E(stac_config, dropout, FLOAT, 0, 1, "dropout probability after each hidden linear, in [0, 1)"),
    F(policy_lr, FLOAT, 0, 1, "AdamW learning rate of the actor (learning_rate is the critic's)"),
    F(weight_decay, FLOAT, 0, 1, "AdamW decoupled weight decay of actor and critic"),
    F(beta, FLOAT, 0, 10, "pessimism: targets and actor use mu - beta * sigma"),
    F(ent_coef, FLOAT, 0, 1e4, "fixed entropy temperature alpha (0: tuned automatically)"),
    F(ent_coef_init, FLOAT, 1e-8, 1e4, "initial temperature when tuned"),
    F(target_entropy_scale, FLOAT, -1e3, 1e3, "target entropy = -target_entropy_scale * |A|"),
    F(sigma_raw_min, FLOAT, -100, 100, "floor of the critic's raw sigma before softplus"),
    F(eval_samples, INT, 0, 1000, "evaluation acts with the mean of this many sampled actions (0: tanh(mean))"),
    F(target_dropout, BOOL, 0, 0, "dropout also when computing targets (next action, target critic)"),
    F(actor_dropout, FLOAT, -1, 1, "the actor's dropout in [0, 1) (-1: dropout's value; the paper's pi_dropout)"),
    F(critic_dropout, FLOAT, -1, 1, "the critic's dropout in [0, 1) (-1: dropout's value; the paper's q_dropout)"),
    F(log_std_min, FLOAT, -100, 100, "lower clamp of the actor's log-std"),
    F(log_std_max, FLOAT, -100, 100, "upper clamp of the actor's log-std"),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef F

typedef struct {
    offp_learner L;               /* actor, critic (q0), critic_targ, alpha (the temperature itself) */
    stac_config cfg;
    int   D;
    float target_entropy;
    acrl_rng eval_rng;            /* evaluation's sampled actions, apart from training's stream */
    acrl_optim opt;               /* AdamW */
    acrl_mlp pi;
    offp_critic cr;               /* q0: (obs, act) -> (mu, raw) */
    offp_critic crt;              /* the target critic's activations (weights in critic_targ) */
    /* scratch, (max_batch, D) unless noted */
    float *mean, *ls_raw, *ls, *a_pi, *a_next, *dmean, *dls, *dls_raw, *g_act, *eps_pi, *eps_next, *a_sum;
    float *dhead;                 /* (max_batch, 2D) */
    float *logp, *logp_n, *y, *g_logp; /* (max_batch) */
} stac;

static void stac_destroy(void* self) {
    stac* s = self;
    if (!s) return;
    offp_learner_free(&s->L);
    acrl_mlp_free(&s->pi);
    offp_critic_free(&s->cr);
    offp_critic_free(&s->crt);
    float* bufs[] = {s->mean, s->ls_raw, s->ls, s->a_pi, s->a_next, s->dmean, s->dls, s->dls_raw, s->g_act,
                     s->eps_pi, s->eps_next, s->a_sum, s->dhead, s->logp, s->logp_n, s->y, s->g_logp};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(bufs[i]);
    free(s);
}

static void* stac_create(const void* cfgp, const acrl_algo_ctx* ctx, char* err, size_t errlen) {
    const stac_config* cfg = cfgp;
    if (!(cfg->off.dropout < 1)) {
        snprintf(err, errlen, "dropout must be in [0, 1), got %g", cfg->off.dropout);
        return NULL;
    }
    const float drops[2] = {cfg->actor_dropout, cfg->critic_dropout};
    for (int i = 0; i < 2; i++)
        if (!(drops[i] == -1.0f || (drops[i] >= 0 && drops[i] < 1))) {
            snprintf(err, errlen, "%s must be -1 (use dropout) or in [0, 1), got %g",
                     i ? "critic_dropout" : "actor_dropout", drops[i]);
            return NULL;
        }
    /* the actor's and the critic's network settings (the paper's pi_dropout and q_dropout) */
    offp_config acfg = cfg->off, ccfg = cfg->off;
    if (cfg->actor_dropout >= 0) acfg.dropout = cfg->actor_dropout;
    if (cfg->critic_dropout >= 0) ccfg.dropout = cfg->critic_dropout;
    if (!(cfg->log_std_min < cfg->log_std_max)) {
        snprintf(err, errlen, "log_std_min (%g) must be below log_std_max (%g)", cfg->log_std_min, cfg->log_std_max);
        return NULL;
    }
    int maxb = cfg->off.batch_size > ctx->num_envs ? cfg->off.batch_size : ctx->num_envs;
    {
        /* the networks below (the target critic's activations are full size too) and their
         * scratch, refused before anything is allocated */
        const int od = ctx->obs_space->dim, D = ctx->act_space->dim;
        size_t nets = acrl_size_add(offp_mlp_bytes(od, 2 * D, &acfg, maxb),
                                    acrl_size_mul(2, offp_critic_bytes(1, od + D, 2, &ccfg, maxb)));
        nets = acrl_size_add(nets, acrl_size_mul3((size_t)maxb, 14 * (size_t)D + 4, sizeof(float)));
        if (offp_check_memory("stac", &cfg->off, ctx, maxb, nets, err, errlen)) return NULL;
    }
    stac* s = calloc(1, sizeof *s);
    if (!s) { snprintf(err, errlen, "out of memory"); return NULL; }
    offp_learner_init(&s->L);
    s->cfg = *cfg;
    offp_core* o = &s->L.core;
    if (offp_init(o, &cfg->off, ctx, false, maxb, err, errlen)) { free(s); return NULL; }
    const int D = s->D = o->act_dim, od = o->obs_dim;
    s->target_entropy = -cfg->target_entropy_scale * D;
    s->opt = acrl_optim_default(ACRL_OPT_ADAMW);
    s->opt.weight_decay = cfg->weight_decay;
    s->opt.eps = cfg->off.adam_eps;
    acrl_params* st[5] = {&s->L.actor, &s->L.actor_targ, &s->L.critic, &s->L.critic_targ, &s->L.alpha};
    int rc = offp_mlp_build(&s->pi, &s->L.actor, "pi", od, 2 * D, &acfg, maxb, err, errlen);
    rc = rc || offp_critic_build(&s->cr, &s->L.critic, 1, od + D, 2, &ccfg, maxb, err, errlen);
    /* the target critic has an MLP of its own (same layout): it runs on the other lane */
    rc = rc || offp_critic_build(&s->crt, &s->L.critic_targ, 1, od + D, 2, &ccfg, maxb, err, errlen);
    rc = rc || acrl_params_add(&s->L.alpha, "alpha", 1, 1) == SIZE_MAX;
    for (int i = 0; i < 5 && !rc; i++)
        if (i != 1) rc = acrl_params_finalize(st[i], err, errlen);
    if (rc) { stac_destroy(s); return NULL; }
    size_t n = (size_t)maxb * D;
    float** bufs[] = {&s->mean, &s->ls_raw, &s->ls, &s->a_pi, &s->a_next, &s->dmean, &s->dls, &s->dls_raw,
                      &s->g_act, &s->eps_pi, &s->eps_next, &s->a_sum};
    bool ok = !offp_alloc_floats(bufs, sizeof bufs / sizeof bufs[0], n);
    ok = ok && (s->dhead = calloc(2 * n, sizeof(float)));
    float** vecs[] = {&s->logp, &s->logp_n, &s->y, &s->g_logp};
    ok = !offp_alloc_floats(vecs, sizeof vecs / sizeof vecs[0], (size_t)maxb) && ok;
    if (!ok) { stac_destroy(s); snprintf(err, errlen, "out of memory"); return NULL; }
    acrl_rng init_rng;
    acrl_rng_seed2(&init_rng, ctx->seed, 1);
    acrl_mlp_init(&s->pi, &s->L.actor, ACRL_INIT_TORCH, 1, 1, &init_rng);
    acrl_mlp_init(&s->cr.q[0], &s->L.critic, ACRL_INIT_TORCH, 1, 1, &init_rng);
    /* the critic's raw-sigma output starts with bias 0, as the reference network */
    acrl_mlp* q = &s->cr.q[0];
    s->L.critic.param[q->b_off[q->nlayers - 1] + 1] = 0;
    acrl_params_copy(&s->L.critic_targ, &s->L.critic, err, errlen);
    s->L.alpha.param[0] = cfg->ent_coef > 0 ? cfg->ent_coef : cfg->ent_coef_init;
    acrl_rng_seed2(&s->eval_rng, ctx->seed, 3);
    return s;
}

/* sigma of raw output r with the floor, and dsigma/draw (0 below the floor, as torch.clip) */
static float sigma_of(float r, float floor_, float* dr) {
    const float x = r < floor_ ? floor_ : r;
    if (dr) *dr = r < floor_ ? 0.0f : offp_softplus_grad(x);
    return offp_softplus(x);
}

/* The actor at obs (B rows) with dropout if drop (masks from rng): mean, ls, ls_raw. */
static void actor_head(stac* s, const float* obs, int B, bool drop, acrl_rng* rng) {
    const float* head = drop ? acrl_mlp_forward_train(&s->pi, &s->L.actor, obs, B, rng)
                             : acrl_mlp_forward(&s->pi, &s->L.actor, obs, B);
    offp_gauss_head_split(head, s->mean, s->ls_raw, s->ls, s->cfg.log_std_min, s->cfg.log_std_max, B, s->D);
}

/* One update's data for the lanes. Only lane 0 draws dropout masks (and only when the
 * targets use none), so the masks come from drop_rng in the same order for any thread count. */
typedef struct {
    stac* s;
    const replay_batch* b;
    int    B;
    const float *eps_pi, *eps_next;
    acrl_rng* drop_rng;
    float  alpha;
    const float* qo;              /* the critic's output at (s, a) */
} stac_job;

/* Phase 1. Lane 0: the critic at (s, a) with dropout, kept for its backward; lane 1: the
 * target y = r + gamma^m (1 - d) (mu' - beta sigma' - alpha log pi(a'|s')), a' ~ pi(.|s'). */
static void lanes_forward(void* arg, int lane) {
    stac_job* j = arg;
    stac* s = j->s;
    const replay_batch* b = j->b;
    const int B = j->B, D = s->D, od = s->L.core.obs_dim;
    offp_critic* cr = &s->cr;
    if (lane == 0) {
        offp_critic_input(cr, OFFP_IN_DATA, b->obs, b->act, B, od, D);
        j->qo = acrl_mlp_forward_train(&cr->q[0], &s->L.critic, cr->in[OFFP_IN_DATA], B, j->drop_rng);
        return;
    }
    const bool tdrop = s->cfg.target_dropout != 0;
    actor_head(s, b->next_obs, B, tdrop, j->drop_rng);
    acrl_squash_rsample_logp(s->a_next, s->logp_n, s->mean, s->ls, j->eps_next, NULL, NULL, NULL, B, D);
    offp_critic_input(&s->crt, OFFP_IN_NEXT, b->next_obs, s->a_next, B, od, D);
    acrl_mlp* qt = &s->crt.q[0];
    const float* o = tdrop ? acrl_mlp_forward_train(qt, &s->L.critic_targ, s->crt.in[OFFP_IN_NEXT], B, j->drop_rng)
                           : acrl_mlp_forward(qt, &s->L.critic_targ, s->crt.in[OFFP_IN_NEXT], B);
    for (int i = 0; i < B; i++) {
        const float v = o[2 * i] - s->cfg.beta * sigma_of(o[2 * i + 1], s->cfg.sigma_raw_min, NULL) -
                        j->alpha * s->logp_n[i];
        s->y[i] = b->rew[i] + (1.0f - b->done[i]) * b->discount[i] * v;
    }
}

/* Phase 2. Lane 0: the actor at obs with dropout, a ~ pi(.|s) reparameterized; lane 1: the
 * critic's backward (cr->dout), its AdamW step and the Polyak step of the target. */
static void lanes_step(void* arg, int lane) {
    stac_job* j = arg;
    stac* s = j->s;
    const int B = j->B, D = s->D, od = s->L.core.obs_dim;
    offp_critic* cr = &s->cr;
    if (lane == 0) {
        actor_head(s, j->b->obs, B, true, j->drop_rng);
        acrl_squash_rsample_logp(s->a_pi, s->logp, s->mean, s->ls, j->eps_pi, NULL, NULL, NULL, B, D);
        offp_critic_input(cr, OFFP_IN_PI, j->b->obs, s->a_pi, B, od, D);
        return;
    }
    acrl_params_zero_grad(&s->L.critic);
    acrl_mlp_backward(&cr->q[0], &s->L.critic, NULL, cr->dout[0]);
    acrl_optim_step(&s->opt, &s->L.critic, s->cfg.off.learning_rate);
    acrl_params_polyak(&s->L.critic_targ, &s->L.critic, s->cfg.off.tau, NULL, 0);
}

int stac_update(void* self, const replay_batch* b, int B, const float* eps_pi, const float* eps_next,
                acrl_rng* drop_rng, double* sums, char* err, size_t errlen) {
    stac* s = self;
    offp_core* o = &s->L.core;
    offp_critic* cr = &s->cr;
    acrl_mlp* q = &cr->q[0];
    const stac_config* c = &s->cfg;
    const int D = s->D, od = o->obs_dim;
    const long upd = (long)OFFP_UPDATES(o);
    const float alpha = s->L.alpha.param[0], beta = c->beta, fl = c->sigma_raw_min;
    stac_job j = {s, b, B, eps_pi, eps_next, drop_rng, alpha, NULL};

    /* critic forward and target; with dropout in the targets both lanes draw masks: one thread */
    if (c->target_dropout) { lanes_forward(&j, 0); lanes_forward(&j, 1); }
    else offp_lanes(o, lanes_forward, &j);

    /* critic: Gaussian negative log-likelihood mean(log sigma + (y - mu)^2 / (2 sigma^2)) + log sqrt(2 pi) */
    const float* qo = j.qo;
    double qloss = 0, sig_sum = 0;
    for (int i = 0; i < B; i++) {
        float dr;
        const float mu = qo[2 * i], sg = sigma_of(qo[2 * i + 1], fl, &dr), d = s->y[i] - mu;
        qloss += (double)logf(sg) + 0.91893853320467274 /* log sqrt(2 pi) */ + 0.5 * (double)d * d / ((double)sg * sg);
        sig_sum += sg;
        cr->dout[0][2 * i] = -d / (sg * sg) / B;
        cr->dout[0][2 * i + 1] = (1 / sg - d * d / (sg * sg * sg)) / B * dr;
    }
    qloss /= B;
    if (!isfinite(qloss)) return offp_nonfinite(err, errlen, "STAC", "critic loss", upd);
    offp_lanes(o, lanes_step, &j); /* critic AdamW step + Polyak beside the actor's forward */

    /* actor: mean(alpha log pi(a|s) - mu(s, a) + beta sigma(s, a)), a reparameterized, through the
     * updated critic (both with dropout, as in training mode) */
    const float* qp = acrl_mlp_forward_train(q, &s->L.critic, cr->in[OFFP_IN_PI], B, drop_rng);
    double aloss = 0, mean_logp = 0;
    for (int i = 0; i < B; i++) {
        float dr;
        const float sg = sigma_of(qp[2 * i + 1], fl, &dr);
        aloss += ((double)alpha * s->logp[i] - qp[2 * i] + (double)beta * sg) / B;
        mean_logp += s->logp[i];
        cr->dout[0][2 * i] = -1.0f;
        cr->dout[0][2 * i + 1] = beta * dr;
    }
    mean_logp /= B;
    if (!isfinite(aloss)) return offp_nonfinite(err, errlen, "STAC", "actor loss", upd);
    memset(cr->din[0], 0, sizeof(float) * (size_t)B * cr->in_dim);
    acrl_mlp_backward_input(q, &s->L.critic, cr->din[0], cr->dout[0]);
    for (int i = 0; i < B; i++) {
        memcpy(s->g_act + (size_t)i * D, cr->din[0] + (size_t)i * (od + D) + od, sizeof(float) * D);
        s->g_logp[i] = alpha;
    }
    offp_gauss_head_backward(s->dhead, s->dmean, s->dls, s->dls_raw, s->g_act, s->g_logp, s->mean, s->ls, s->ls_raw,
                             eps_pi, NULL, c->log_std_min, c->log_std_max, 1.0f / B, B, D);
    acrl_params_zero_grad(&s->L.actor);
    acrl_mlp_backward(&s->pi, &s->L.actor, NULL, s->dhead);
    acrl_optim_step(&s->opt, &s->L.actor, c->policy_lr);

    /* temperature: alpha <- alpha exp(lr_q alpha (H_target - H)), H = -mean log pi */
    if (c->ent_coef <= 0)
        s->L.alpha.param[0] = (float)(alpha * exp((double)c->off.learning_rate * alpha * (s->target_entropy + mean_logp)));

    OFFP_UPDATES(o)++;
    sums[M_Q_LOSS] += qloss;
    sums[M_Q_SIGMA] += sig_sum / B;
    sums[M_POLICY_LOSS] += aloss;
    sums[OFFP_ACTOR_STEPS] += 1;
    sums[M_ALPHA] += alpha;
    sums[M_ENTROPY] += -mean_logp;
    return 0;
}

static int stac_train_step(void* self, double* sums, char* err, size_t errlen) {
    stac* s = self;
    offp_core* o = &s->L.core;
    const int B = o->cfg.batch_size, n = B * s->D;
    offp_sample(o, B);
    acrl_rng_normal_floats(&o->rng, s->eps_pi, (size_t)n);
    acrl_rng_normal_floats(&o->rng, s->eps_next, (size_t)n);
    return stac_update(s, &o->batch, B, s->eps_pi, s->eps_next, &o->rng, sums, err, errlen);
}

/* actions in learner units for obs (no dropout): sampled from rng; deterministic: the mean of
 * eval_samples sampled actions from rng, or tanh(mean) when eval_samples = 0 */
static void stac_policy(stac* s, const float* obs, int n, float* out, bool deterministic, acrl_rng* rng) {
    const int D = s->D, k = s->cfg.eval_samples;
    actor_head(s, obs, n, false, NULL);
    if (!deterministic) {
        acrl_squash_sample(out, NULL, s->eps_pi, s->mean, s->ls, NULL, NULL, rng, n, D);
    } else if (k == 0) {
        acrl_squash_mode(out, s->mean, NULL, NULL, n, D);
    } else {
        memset(s->a_sum, 0, sizeof(float) * (size_t)n * D);
        for (int j = 0; j < k; j++) {
            acrl_squash_sample(out, NULL, s->eps_pi, s->mean, s->ls, NULL, NULL, rng, n, D);
            for (int i = 0; i < n * D; i++) s->a_sum[i] += out[i];
        }
        for (int i = 0; i < n * D; i++) out[i] = s->a_sum[i] / k;
    }
}

static void stac_explore(void* self, const float* obs, int E) {
    stac* s = self;
    stac_policy(s, obs, E, s->L.core.act, false, &s->L.core.rng);
}

static int stac_iterate(void* self, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    (void)progress;
    stac* s = self;
    static const offp_hooks hooks = {stac_explore, stac_train_step, NULL,
                                     1u << M_Q_LOSS | 1u << M_ALPHA | 1u << M_ENTROPY | 1u << M_Q_SIGMA};
    return offp_iterate(&s->L.core, s, &hooks, c, m, err, errlen);
}

static void stac_act(void* self, const float* obs, int n, float* actions, bool deterministic) {
    stac* s = self;
    float a[n * s->L.core.act_dim + 1];
    stac_policy(s, obs, n, a, deterministic, &s->eval_rng); /* evaluation never moves the training RNG */
    offp_to_env(&s->L.core, a, actions, n);
}

static int stac_save(void* self, acrl_ckpt_writer* w) {
    stac* s = self;
    return algo_save_params(w, "stac.actor", &s->L.actor) || algo_save_params(w, "stac.critic", &s->L.critic) ||
           algo_save_params(w, "stac.critic_targ", &s->L.critic_targ) ||
           algo_save_params(w, "stac.alpha", &s->L.alpha) ||
           algo_save_rng(w, "stac.eval_rng", &s->eval_rng) || offp_save(&s->L.core, w, "stac")
               ? -1 : 0;
}

static int stac_load(void* self, const acrl_ckpt* c, char* err, size_t errlen) {
    stac* s = self;
    return algo_load_params(c, "stac.actor", &s->L.actor, err, errlen) ||
           algo_load_params(c, "stac.critic", &s->L.critic, err, errlen) ||
           algo_load_params(c, "stac.critic_targ", &s->L.critic_targ, err, errlen) ||
           algo_load_params(c, "stac.alpha", &s->L.alpha, err, errlen) ||
           algo_load_rng(c, "stac.eval_rng", &s->eval_rng, err, errlen) ||
           offp_load(&s->L.core, c, "stac", err, errlen)
               ? -1 : 0;
}

static acrl_params* stac_params(void* self) { return &((stac*)self)->L.actor; }

/* The critic's estimate of Q(s, a) (acrl qbias): the mean of the return distribution, the critic's mu, without dropout. */
static void stac_qvalue(void* self, const float* obs, const float* act, int n, float* q) {
    stac* s = self;
    offp_critic_estimate(&s->cr, &s->L.critic, &s->L.core, obs, act, n, q);
}

static acrl_rng* stac_act_rng(void* self) { return &((stac*)self)->eval_rng; }

const acrl_algo acrl_algo_stac = {
    "stac", "STAC: one Gaussian critic, pessimism mu - beta sigma, dropout and layer norm, AdamW",
    sizeof(stac_config), stac_table, stac_defaults,
    stac_create, stac_iterate, stac_act, stac_save, stac_load, stac_params, stac_destroy,
    stac_act_rng, stac_qvalue,
};
