/* PMOE (Ren, Li, Ding, Pan, Dong, "Probabilistic Mixture-of-Experts for Efficient Deep
 * Reinforcement Learning", arXiv 2104.09122) on SAC: the policy is a softmax gate w(s) over K
 * tanh-Gaussian experts, trained with the paper's frequency-approximate gradient: one
 * reparameterized action per expert, each scored by the twin critics' minimum; the best
 * expert k* gets SAC's actor loss alpha log pi_k*(a_k*|s) - min Q(s, a_k*) and the gate a
 * cross-entropy towards k*. The soft TD target draws the next expert from the gate. Critics,
 * temperature and Polyak steps are SAC's (sac.h); docs/algorithms.md lists every choice. */
#include "algo/sac.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/dist.h"
#include "util/size.h"

#define LOG_STD_MIN -20.0f
#define LOG_STD_MAX 2.0f
#define PMOE_MAX_EXPERTS 64

static void pmoe_defaults(void* cfgp) { sac_config_defaults(cfgp); }

#define F(k, t, lo, hi, h) SAC_E(sac_config, k, t, lo, hi, h)
static const acrl_config_entry pmoe_table[] = {
    SAC_BOX_ENTRIES(sac_config),
    F(target_update_interval, INT, 1, 1e6, "gradient steps between target-network updates"),
    F(n_experts, INT, 1, PMOE_MAX_EXPERTS, "number of tanh-Gaussian experts K behind the softmax gate"),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef F

typedef struct {
    offp_learner L;     /* actor (one MLP: K expert heads and the gate), critic (q0, q1), critic_targ, alpha */
    sac_config cfg;
    int   K, D, H;      /* experts, action dims, actor output width K * 2D + K */
    float target_entropy;
    acrl_mlp pi, pi_next;   /* the actor on obs (kept for backward) and on next_obs */
    offp_critic cr;         /* max_batch K * maxb: the actor step scores every expert's action */
    /* expert-major scratch: row k * B + b is expert k at sample b */
    float *mean, *ls_raw, *ls, *eps, *a_pi;     /* (K * maxb, D) */
    float *logp;                                /* (K * maxb) */
    float *logits, *gate, *log_gate;            /* (maxb, K) at obs */
    float *logits_n, *gate_n;                   /* (maxb, K) at next_obs */
    float *mean_n, *ls_raw_n, *ls_n, *a_next;   /* (maxb, D) the expert drawn at next_obs */
    float *sel_mean, *sel_ls_raw, *sel_ls, *sel_eps, *g_act, *dmean, *dls, *dls_raw; /* (maxb, D) best expert */
    float *logp_n, *y, *g_logp;                 /* (maxb) */
    float *dhead;                               /* (maxb, H) */
    float *noise_pi, *noise_next, *noise_u;     /* (maxb, K, D), (maxb, D), (maxb): one update's draws */
    int   *best, *rows, *next_k;                /* (maxb) */
    int32_t shape[2];                           /* {K, D}: checkpoint section "pmoe.experts" */
} pmoe;

static void pmoe_destroy(void* self) {
    pmoe* p = self;
    if (!p) return;
    offp_learner_free(&p->L);
    acrl_mlp_free(&p->pi);
    acrl_mlp_free(&p->pi_next);
    offp_critic_free(&p->cr);
    float* bufs[] = {p->mean, p->ls_raw, p->ls, p->eps, p->a_pi, p->logp, p->logits, p->gate, p->log_gate,
                     p->logits_n, p->gate_n, p->mean_n, p->ls_raw_n, p->ls_n, p->a_next, p->sel_mean,
                     p->sel_ls_raw, p->sel_ls, p->sel_eps, p->g_act, p->dmean, p->dls, p->dls_raw, p->logp_n,
                     p->y, p->g_logp, p->dhead, p->noise_pi, p->noise_next, p->noise_u};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(bufs[i]);
    free(p->best); free(p->rows); free(p->next_k);
    free(p);
}

static void* pmoe_create(const void* cfgp, const acrl_algo_ctx* ctx, char* err, size_t errlen) {
    const sac_config* cfg = cfgp;
    if (cfg->n_experts < 1 || cfg->n_experts > PMOE_MAX_EXPERTS) { /* the config table checks this too */
        snprintf(err, errlen, "n_experts must be in [1, %d], got %d", PMOE_MAX_EXPERTS, cfg->n_experts);
        return NULL;
    }
    int maxb = cfg->off.batch_size > ctx->num_envs ? cfg->off.batch_size : ctx->num_envs;
    {
        /* the networks below (critics for K * maxb rows) and their scratch, refused before
         * anything is allocated */
        size_t K = (size_t)cfg->n_experts, D = (size_t)ctx->act_space->dim, od = (size_t)ctx->obs_space->dim;
        size_t H = K * 2 * D + K, kb = K * (size_t)maxb, b = (size_t)maxb;
        size_t nets = acrl_size_add(acrl_size_mul(2, offp_mlp_bytes((int)od, (int)H, &cfg->off, maxb)),
                                    acrl_size_add(offp_critic_bytes(2, (int)(od + D), 1, &cfg->off, (int)kb),
                                                  offp_critic_bytes(2, (int)(od + D), 1, &cfg->off, 1)));
        size_t floats = acrl_size_add(acrl_size_mul(kb, 6 * D + 1), acrl_size_mul(b, 5 * K + 13 * D + H + 9));
        nets = acrl_size_add(nets, acrl_size_mul(floats, sizeof(float)));
        if (offp_check_memory("pmoe", &cfg->off, ctx, maxb, nets, err, errlen)) return NULL;
    }
    pmoe* p = calloc(1, sizeof *p);
    if (!p) { snprintf(err, errlen, "out of memory"); return NULL; }
    offp_learner_init(&p->L);
    p->cfg = *cfg;
    offp_core* o = &p->L.core;
    if (offp_init(o, &cfg->off, ctx, false, maxb, err, errlen)) { free(p); return NULL; }
    const int K = p->K = cfg->n_experts, D = p->D = o->act_dim, od = o->obs_dim;
    p->H = K * 2 * D + K;
    p->target_entropy = -cfg->target_entropy_scale * D;
    acrl_params scratch; /* pi_next reads pi's weights: built the same way, its offsets are pi's */
    acrl_params_init(&scratch);
    int rc = offp_mlp_build(&p->pi, &p->L.actor, "pi", od, p->H, &cfg->off, maxb, err, errlen) ||
             offp_mlp_build(&p->pi_next, &scratch, "pi", od, p->H, &cfg->off, maxb, err, errlen);
    acrl_params_free(&scratch);
    rc = rc || offp_critic_build(&p->cr, &p->L.critic, 2, od + D, 1, &cfg->off, K * maxb, err, errlen);
    offp_critic tmp = {0}; /* freed below even when an earlier build failed */
    rc = rc || offp_critic_build(&tmp, &p->L.critic_targ, 2, od + D, 1, &cfg->off, 1, err, errlen);
    offp_critic_free(&tmp);
    rc = rc || acrl_params_add(&p->L.alpha, "log_alpha", 1, 1) == SIZE_MAX;
    acrl_params* fin[4] = {&p->L.actor, &p->L.critic, &p->L.critic_targ, &p->L.alpha};
    for (int i = 0; i < 4 && !rc; i++) rc = acrl_params_finalize(fin[i], err, errlen);
    if (rc) { pmoe_destroy(p); return NULL; }
    const size_t kb = (size_t)K * maxb, b = (size_t)maxb;
    struct { float** ptr; size_t n; } bufs[] = {
        {&p->mean, kb * D}, {&p->ls_raw, kb * D}, {&p->ls, kb * D}, {&p->eps, kb * D}, {&p->a_pi, kb * D},
        {&p->logp, kb}, {&p->logits, b * K}, {&p->gate, b * K}, {&p->log_gate, b * K}, {&p->logits_n, b * K},
        {&p->gate_n, b * K}, {&p->mean_n, b * D}, {&p->ls_raw_n, b * D}, {&p->ls_n, b * D}, {&p->a_next, b * D},
        {&p->sel_mean, b * D}, {&p->sel_ls_raw, b * D}, {&p->sel_ls, b * D}, {&p->sel_eps, b * D},
        {&p->g_act, b * D}, {&p->dmean, b * D}, {&p->dls, b * D}, {&p->dls_raw, b * D}, {&p->logp_n, b},
        {&p->y, b}, {&p->g_logp, b}, {&p->dhead, b * p->H},
        {&p->noise_pi, kb * D}, {&p->noise_next, b * D}, {&p->noise_u, b}};
    bool ok = true;
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) ok = ok && (*bufs[i].ptr = calloc(bufs[i].n, sizeof(float)));
    ok = ok && (p->best = calloc(b, sizeof(int))) && (p->rows = calloc(b, sizeof(int))) &&
         (p->next_k = calloc(b, sizeof(int)));
    if (!ok) { pmoe_destroy(p); snprintf(err, errlen, "out of memory"); return NULL; }
    acrl_rng init_rng;
    acrl_rng_seed2(&init_rng, ctx->seed, 1);
    acrl_mlp_init(&p->pi, &p->L.actor, ACRL_INIT_TORCH, 1, 1, &init_rng);
    for (int i = 0; i < 2; i++) acrl_mlp_init(&p->cr.q[i], &p->L.critic, ACRL_INIT_TORCH, 1, 1, &init_rng);
    acrl_params_copy(&p->L.critic_targ, &p->L.critic, err, errlen);
    p->L.alpha.param[0] = logf(cfg->ent_coef > 0 ? cfg->ent_coef : cfg->ent_coef_init);
    return p;
}

/* Expert k's mean and raw log-std of sample b in the actor's output (b, H): [mean_k | log_std_k]
 * for k = 0..K-1, then the K gate logits. */
static const float* head_expert(const pmoe* p, const float* head, int b, int k) {
    return head + (size_t)b * p->H + (size_t)k * 2 * p->D;
}
static const float* head_logits(const pmoe* p, const float* head, int b) {
    return head + (size_t)b * p->H + (size_t)p->K * 2 * p->D;
}

/* The expert drawn by inverse CDF for u in [0, 1): the first k with u < w_0 + ... + w_k
 * (the last one if rounding leaves the sum below u). */
static int draw_expert(const float* w, int K, float u) {
    float c = 0;
    for (int k = 0; k < K - 1; k++) {
        c += w[k];
        if (u < c) return k;
    }
    return K - 1;
}

/* The first expert of the largest weight. */
static int argmax(const float* v, int K) {
    int best = 0;
    for (int k = 1; k < K; k++)
        if (v[k] > v[best]) best = k;
    return best;
}

static float alpha_of(const pmoe* p) { return expf(p->L.alpha.param[0]); }

typedef struct {
    pmoe* p;
    const replay_batch* b;
    int   B;
    const float *eps_pi, *eps_next, *u;
    bool   polyak;
    double qloss[2];
} pmoe_job;

/* Phase 1. Lane 0: every expert's reparameterized action and log-density at obs, the gate, and
 * the critics' inputs [s | a] and [s | a_k] (K * B rows); lane 1: the next action, from the
 * expert the gate draws at next_obs. */
static void pmoe_lanes_policy(void* arg, int lane) {
    pmoe_job* j = arg;
    pmoe* p = j->p;
    const replay_batch* b = j->b;
    const int B = j->B, K = p->K, D = p->D, od = p->L.core.obs_dim, in = od + D;
    offp_critic* cr = &p->cr;
    if (lane == 0) {
        const float* head = acrl_mlp_forward(&p->pi, &p->L.actor, b->obs, B);
        for (int i = 0; i < B; i++) {
            for (int k = 0; k < K; k++) {
                const float* e = head_expert(p, head, i, k);
                const size_t r = ((size_t)k * B + i) * D;
                memcpy(p->mean + r, e, sizeof(float) * D);
                memcpy(p->ls_raw + r, e + D, sizeof(float) * D);
                memcpy(p->eps + r, j->eps_pi + ((size_t)i * K + k) * D, sizeof(float) * D);
            }
            memcpy(p->logits + (size_t)i * K, head_logits(p, head, i), sizeof(float) * K);
        }
        const int n = K * B;
        acrl_gauss_log_std(p->ls, p->ls_raw, false, LOG_STD_MIN, LOG_STD_MAX, n, D);
        acrl_squash_rsample_logp(p->a_pi, p->logp, p->mean, p->ls, p->eps, NULL, NULL, NULL, n, D);
        acrl_cat_probs(p->gate, p->logits, B, K);
        acrl_cat_log_probs(p->log_gate, p->logits, B, K);
        offp_critic_input(cr, OFFP_IN_DATA, b->obs, b->act, B, od, D);
        for (int r = 0; r < n; r++) {
            float* row = cr->in[OFFP_IN_PI] + (size_t)r * in;
            memcpy(row, b->obs + (size_t)(r % B) * od, sizeof(float) * od);
            memcpy(row + od, p->a_pi + (size_t)r * D, sizeof(float) * D);
        }
    } else {
        const float* head = acrl_mlp_forward(&p->pi_next, &p->L.actor, b->next_obs, B);
        for (int i = 0; i < B; i++) memcpy(p->logits_n + (size_t)i * K, head_logits(p, head, i), sizeof(float) * K);
        acrl_cat_probs(p->gate_n, p->logits_n, B, K);
        for (int i = 0; i < B; i++) {
            const int k = p->next_k[i] = draw_expert(p->gate_n + (size_t)i * K, K, j->u[i]);
            const float* e = head_expert(p, head, i, k);
            memcpy(p->mean_n + (size_t)i * D, e, sizeof(float) * D);
            memcpy(p->ls_raw_n + (size_t)i * D, e + D, sizeof(float) * D);
        }
        acrl_gauss_log_std(p->ls_n, p->ls_raw_n, false, LOG_STD_MIN, LOG_STD_MAX, B, D);
        acrl_squash_rsample_logp(p->a_next, p->logp_n, p->mean_n, p->ls_n, j->eps_next, NULL, NULL, NULL, B, D);
        offp_critic_input(cr, OFFP_IN_NEXT, b->next_obs, p->a_next, B, od, D);
    }
}

static void pmoe_lanes_q(void* arg, int k) {
    pmoe_job* j = arg;
    sac_critic_forward_lane(&j->p->cr, &j->p->L.critic, &j->p->L.critic_targ, k, j->B);
}

static void pmoe_lanes_critic_step(void* arg, int k) {
    pmoe_job* j = arg;
    pmoe* p = j->p;
    j->qloss[k] = sac_critic_step_lane(&p->cr, &p->L.critic, p->y, p->cfg.off.learning_rate, p->cfg.off.adam_eps, k, j->B,
                                       p->K * j->B);
}

/* Phase 4, lane k: critic k's input gradient at the best experts' rows only, then the Polyak
 * step of target critic k. */
static void pmoe_lanes_actor_grad(void* arg, int k) {
    pmoe_job* j = arg;
    pmoe* p = j->p;
    offp_critic_keep_rows(&p->cr, k, p->rows, j->B);
    sac_actor_grad_lane(&p->cr, &p->L.critic, &p->L.critic_targ, p->cfg.off.tau, j->polyak, k, j->B);
}

int pmoe_update(void* self, const replay_batch* b, int B, const float* eps_pi, const float* eps_next, const float* u,
                double* sums, char* err, size_t errlen) {
    pmoe* p = self;
    offp_core* o = &p->L.core;
    offp_critic* cr = &p->cr;
    const int K = p->K, D = p->D, od = o->obs_dim;
    const long upd = (long)OFFP_UPDATES(o);
    const float alpha = alpha_of(p); /* the temperature before its update, as SAC */
    pmoe_job j = {p, b, B, eps_pi, eps_next, u, upd % p->cfg.target_update_interval == 0, {0, 0}};
    offp_lanes(o, pmoe_lanes_policy, &j);

    /* soft TD target with the drawn expert: y = r + (1 - done) gamma^m (min_i Q'_i(s', a') - alpha log pi_j(a'|s')) */
    offp_lanes(o, pmoe_lanes_q, &j);
    for (int i = 0; i < B; i++) {
        float q = fminf(cr->qt[0][i], cr->qt[1][i]) - alpha * p->logp_n[i];
        p->y[i] = b->rew[i] + (1.0f - b->done[i]) * b->discount[i] * q;
    }
    offp_lanes(o, pmoe_lanes_critic_step, &j); /* then the updated critics at every (s, a_k) */
    const double qloss = j.qloss[0] + j.qloss[1];
    if (!isfinite(qloss)) return offp_nonfinite(err, errlen, "PMOE", "critic loss", upd);
    p->L.critic.step++;

    /* the best expert k* = argmax_k min_i Q_i(s, a_k); loss alpha log pi_k* - min Q + CE(gate, k*) */
    double aloss = 0, mean_logp = 0;
    for (int i = 0; i < B; i++) {
        int best = 0;
        float qbest = fminf(cr->out[0][i], cr->out[1][i]);
        for (int k = 1; k < K; k++) {
            float q = fminf(cr->out[0][(size_t)k * B + i], cr->out[1][(size_t)k * B + i]);
            if (q > qbest) { qbest = q; best = k; }
        }
        const int r = best * B + i;
        p->best[i] = best;
        p->rows[i] = r;
        bool first_min = cr->out[0][r] <= cr->out[1][r];
        cr->dout[0][i] = first_min ? 1.0f : 0.0f;
        cr->dout[1][i] = first_min ? 0.0f : 1.0f;
        aloss += (alpha * p->logp[r] - qbest - p->log_gate[(size_t)i * K + best]) / B;
        mean_logp += p->logp[r];
        memcpy(p->sel_mean + (size_t)i * D, p->mean + (size_t)r * D, sizeof(float) * D);
        memcpy(p->sel_ls_raw + (size_t)i * D, p->ls_raw + (size_t)r * D, sizeof(float) * D);
        memcpy(p->sel_ls + (size_t)i * D, p->ls + (size_t)r * D, sizeof(float) * D);
        memcpy(p->sel_eps + (size_t)i * D, p->eps + (size_t)r * D, sizeof(float) * D);
    }
    mean_logp /= B;
    if (!isfinite(aloss)) return offp_nonfinite(err, errlen, "PMOE", "actor loss", upd);
    offp_lanes(o, pmoe_lanes_actor_grad, &j);
    for (int i = 0; i < B; i++) {
        for (int k = 0; k < D; k++) {
            size_t c = (size_t)i * (od + D) + od + k;
            p->g_act[i * D + k] = -(cr->din[0][c] + cr->din[1][c]);
        }
        p->g_logp[i] = alpha;
    }
    const size_t bd = (size_t)B * D;
    memset(p->dmean, 0, sizeof(float) * bd);
    memset(p->dls, 0, sizeof(float) * bd);
    memset(p->dls_raw, 0, sizeof(float) * bd);
    acrl_squash_backward(p->dmean, p->dls, p->g_act, p->g_logp, p->sel_mean, p->sel_ls, p->sel_eps, NULL, 1.0f / B, B, D);
    acrl_gauss_log_std_backward(p->dls_raw, p->dls, p->sel_ls_raw, false, LOG_STD_MIN, LOG_STD_MAX, B, D);
    /* only the best expert's heads get the actor gradient; the gate gets (w - onehot(k*)) / B */
    memset(p->dhead, 0, sizeof(float) * (size_t)B * p->H);
    for (int i = 0; i < B; i++) {
        float* row = p->dhead + (size_t)i * p->H;
        memcpy(row + (size_t)p->best[i] * 2 * D, p->dmean + (size_t)i * D, sizeof(float) * D);
        memcpy(row + (size_t)p->best[i] * 2 * D + D, p->dls_raw + (size_t)i * D, sizeof(float) * D);
        for (int k = 0; k < K; k++)
            row[(size_t)K * 2 * D + k] = (p->gate[(size_t)i * K + k] - (k == p->best[i] ? 1.0f : 0.0f)) / B;
    }
    acrl_params_zero_grad(&p->L.actor);
    acrl_mlp_backward(&p->pi, &p->L.actor, NULL, p->dhead);
    offp_adam(&p->L.actor, p->cfg.off.learning_rate, p->cfg.off.adam_eps);

    /* temperature towards -|A| with the best expert's log-density (the policy before its step) */
    sac_temperature_step(&p->L.alpha, &p->cfg, p->target_entropy, mean_logp);

    OFFP_UPDATES(o)++;
    sums[M_Q_LOSS] += qloss;
    sums[M_POLICY_LOSS] += aloss;
    sums[OFFP_ACTOR_STEPS] += 1;
    sums[M_ALPHA] += alpha;
    sums[M_ENTROPY] += -mean_logp;
    return 0;
}

/* noise: eps_pi (B, K, D) and eps_next (B, D) ~ N(0, 1), then u (B) ~ U[0, 1) */
static int pmoe_train_step(void* self, double* sums, char* err, size_t errlen) {
    pmoe* p = self;
    offp_core* o = &p->L.core;
    const int B = o->cfg.batch_size, K = p->K, D = p->D;
    offp_sample(o, B);
    float *eps_pi = p->noise_pi, *eps_next = p->noise_next, *u = p->noise_u;
    acrl_rng_normal_floats(&o->rng, eps_pi, (size_t)B * K * D);
    acrl_rng_normal_floats(&o->rng, eps_next, (size_t)B * D);
    for (int i = 0; i < B; i++) u[i] = (float)acrl_rng_uniform(&o->rng, 0.0, 1.0);
    return pmoe_update(p, &o->batch, B, eps_pi, eps_next, u, sums, err, errlen);
}

/* Actions in learner units (n rows): an expert drawn from the gate, then its squashed sample;
 * deterministic: the mean of the expert with the largest gate weight. */
static void pmoe_policy(pmoe* p, const float* obs, int n, float* out, bool deterministic) {
    const int K = p->K, D = p->D;
    const float* head = acrl_mlp_forward(&p->pi, &p->L.actor, obs, n);
    for (int i = 0; i < n; i++) memcpy(p->logits + (size_t)i * K, head_logits(p, head, i), sizeof(float) * K);
    acrl_cat_probs(p->gate, p->logits, n, K);
    for (int i = 0; i < n; i++) {
        const float* w = p->gate + (size_t)i * K;
        int k = deterministic ? argmax(w, K) : draw_expert(w, K, (float)acrl_rng_uniform(&p->L.core.rng, 0.0, 1.0));
        const float* e = head_expert(p, head, i, k);
        memcpy(p->mean_n + (size_t)i * D, e, sizeof(float) * D);
        memcpy(p->ls_raw_n + (size_t)i * D, e + D, sizeof(float) * D);
        for (int d = 0; d < D && !deterministic; d++) p->a_next[(size_t)i * D + d] = (float)acrl_rng_normal(&p->L.core.rng);
    }
    if (deterministic) { acrl_squash_mode(out, p->mean_n, NULL, NULL, n, D); return; }
    acrl_gauss_log_std(p->ls_n, p->ls_raw_n, false, LOG_STD_MIN, LOG_STD_MAX, n, D);
    acrl_squash_rsample(out, p->mean_n, p->ls_n, p->a_next, NULL, NULL, n, D);
}

static void pmoe_explore(void* self, const float* obs, int E) {
    pmoe* p = self;
    pmoe_policy(p, obs, E, p->L.core.act, false);
}

static int pmoe_iterate(void* self, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    (void)progress;
    pmoe* p = self;
    static const offp_hooks hooks = {pmoe_explore, pmoe_train_step, NULL,
                                     1u << M_Q_LOSS | 1u << M_ALPHA | 1u << M_ENTROPY};
    return offp_iterate(&p->L.core, p, &hooks, c, m, err, errlen);
}

static void pmoe_act(void* self, const float* obs, int n, float* actions, bool deterministic) {
    pmoe* p = self;
    float a[n * p->D + 1];
    pmoe_policy(p, obs, n, a, deterministic);
    offp_to_env(&p->L.core, a, actions, n);
}

static int pmoe_save(void* self, acrl_ckpt_writer* w) {
    pmoe* p = self;
    p->shape[0] = p->K; /* the writer reads the data at commit */
    p->shape[1] = p->D;
    return acrl_ckpt_add(w, "pmoe.experts", p->shape, sizeof p->shape) || algo_save_params(w, "pmoe.actor", &p->L.actor) ||
           algo_save_params(w, "pmoe.critic", &p->L.critic) ||
           algo_save_params(w, "pmoe.critic_targ", &p->L.critic_targ) ||
           algo_save_params(w, "pmoe.alpha", &p->L.alpha) || offp_save(&p->L.core, w, "pmoe") ? -1 : 0;
}

static int pmoe_load(void* self, const acrl_ckpt* c, char* err, size_t errlen) {
    pmoe* p = self;
    int32_t shape[2];
    if (algo_load_blob(c, "pmoe.experts", shape, sizeof shape, err, errlen)) return -1;
    if (shape[0] != p->K || shape[1] != p->D) {
        snprintf(err, errlen, "checkpoint holds a PMOE policy with %d experts over %d action dims, the "
                 "configuration asks for n_experts = %d over %d", shape[0], shape[1], p->K, p->D);
        return -1;
    }
    return algo_load_params(c, "pmoe.actor", &p->L.actor, err, errlen) ||
           algo_load_params(c, "pmoe.critic", &p->L.critic, err, errlen) ||
           algo_load_params(c, "pmoe.critic_targ", &p->L.critic_targ, err, errlen) ||
           algo_load_params(c, "pmoe.alpha", &p->L.alpha, err, errlen) ||
           offp_load(&p->L.core, c, "pmoe", err, errlen) ? -1 : 0;
}

static acrl_params* pmoe_params(void* self) { return &((pmoe*)self)->L.actor; }

static acrl_rng* pmoe_act_rng(void* self) { return &((pmoe*)self)->L.core.rng; }

static void pmoe_qvalue(void* self, const float* obs, const float* act, int n, float* q) {
    pmoe* p = self;
    offp_critic_estimate(&p->cr, &p->L.critic, &p->L.core, obs, act, n, q);
}

const acrl_algo acrl_algo_pmoe = {
    "pmoe", "Probabilistic Mixture-of-Experts on SAC (softmax gate over K tanh-Gaussian experts), Box actions",
    sizeof(sac_config), pmoe_table, pmoe_defaults,
    pmoe_create, pmoe_iterate, pmoe_act, pmoe_save, pmoe_load, pmoe_params, pmoe_destroy,
    pmoe_act_rng, pmoe_qvalue,
};
