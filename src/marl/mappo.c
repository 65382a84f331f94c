/* mappo.c - IPPO and MAPPO on the multi-agent envs (acrl/marl.h).
 *
 * Both are PPO per agent with discrete actions (clipped surrogate, entropy bonus, GAE,
 * clipped value loss with a Huber error, separate actor and critic networks and Adam
 * optimizers, gradient-norm clipping per network, advantages normalized per batch) as the
 * MAPPO code (marlbenchmark/on-policy, r_mappo.py) does it. They differ in the critic's
 * input: IPPO's critic sees the agent's own observation, MAPPO's the global state (the
 * agents' observations concatenated, PettingZoo's state()) and a one-hot agent id.
 * share_policy: one actor and one critic for all agents (auto: when their spaces agree).
 * value_norm: the critic learns returns normalized by running statistics (MAPPO's ValueNorm:
 * debiased exponential moving mean and mean square, beta 0.99999, variance >= 1e-2).
 * Each agent learns from its own reward; an episode cut by the time limit is bootstrapped
 * with the critic's value of its last state (added to the last reward). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "acrl/dist.h"
#include "util/sys.h"
#include "acrl/io.h"
#include "acrl/marl.h"
#include "acrl/nn.h"
#include "algo/algo.h"
#include "io/le.h"
#include "marl/marl_internal.h"
#include "util/datadir.h"

#define MAXA ACRL_MARL_MAX_AGENTS
#define WINDOW 100

/* ---- configuration ----------------------------------------------------------------- */

static const char* const share_choices[] = {"auto", "true", "false", NULL};
static const char* const act_choices[] = {"tanh", "relu", NULL};

#define F(k, t, lo, hi, h) {#k, ACRL_CFG_##t, offsetof(marl_cfg, k), lo, hi, NULL, h}
#define E(k, c, h) {#k, ACRL_CFG_ENUM, offsetof(marl_cfg, k), 0, 0, c, h}
static const acrl_config_entry marl_table[] = {
    F(n_timesteps, INT, 1, 2e9, "total env steps of the run (joint steps, all copies together)"),
    F(n_envs, INT, 1, 4096, "parallel env copies (MAPPO's n_rollout_threads)"),
    F(n_steps, INT, 1, 100000, "steps per copy per update (MAPPO's episode_length)"),
    F(n_epochs, INT, 1, 1000, "passes over each batch (ppo_epoch)"),
    F(n_minibatches, INT, 1, 4096, "minibatches per pass (num_mini_batch)"),
    F(learning_rate, FLOAT, 0, 1, "actor Adam learning rate"),
    F(critic_lr, FLOAT, 0, 1, "critic Adam learning rate"),
    F(adam_eps, FLOAT, 0, 1, "Adam epsilon (opti_eps)"),
    F(gamma, FLOAT, 0, 1, "discount factor"),
    F(gae_lambda, FLOAT, 0, 1, "GAE lambda"),
    F(clip_range, FLOAT, 0, 10, "PPO clip parameter (also the value clip)"),
    F(ent_coef, FLOAT, 0, 10, "entropy bonus coefficient"),
    F(max_grad_norm, FLOAT, 0, 1e9, "gradient-norm clip per network (0: none)"),
    F(huber_delta, FLOAT, 0, 1e9, "Huber threshold of the value error (0: squared error)"),
    F(value_norm, BOOL, 0, 0, "normalize value targets by running statistics (ValueNorm)"),
    F(value_clip, BOOL, 0, 0, "clip the value loss like the surrogate (use_clipped_value_loss)"),
    E(share_policy, share_choices, "one network for all agents (auto: when all agents' spaces agree)"),
    F(hidden, INTLIST, 1, 4096, "hidden layer widths of the actor and the critic"),
    E(activation, act_choices, "hidden activation"),
    F(log_freq, INT, 1, 2e9, "env steps between progress rows"),
    F(checkpoint_freq, INT, 0, 2e9, "env steps between last.ckpt writes (0: only at the end)"),
    F(n_eval_episodes, INT, 1, 100000, "episodes of the final evaluation when --eval-episodes is not given"),
    F(env_args, STRING, 0, 0, "env settings key=value,... (MPE-SimpleSpread-v3: N, local_ratio, max_cycles)"),
    F(dag_init, FLOAT, 0, 10, "cabn: initial weight of every edge of the agent graph"),
    F(dag_acyclic, FLOAT, 0, 1e6, "cabn: weight of the acyclicity penalty tr(e^{W o W}) - N"),
    F(dag_sparsity, FLOAT, 0, 1e6, "cabn: final weight of the L1 sparsity of W (annealed from 0 over the run)"),
    F(dag_threshold, FLOAT, 0, 1e6, "cabn: an edge j -> i is used while W_ji^2 >= this"),
    F(dag_lr, FLOAT, 0, 1, "cabn: Adam learning rate of the graph weights"),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef F
#undef E

void marl_cfg_defaults(marl_cfg* c) {
    memset(c, 0, sizeof *c);
    c->n_timesteps = 1000000;
    c->n_envs = 8;
    c->n_steps = 25;
    c->n_epochs = 10;
    c->n_minibatches = 1;
    c->learning_rate = 7e-4f;
    c->critic_lr = 7e-4f;
    c->adam_eps = 1e-5f;
    c->gamma = 0.99f;
    c->gae_lambda = 0.95f;
    c->clip_range = 0.2f;
    c->ent_coef = 0.01f;
    c->max_grad_norm = 10.0f;
    c->huber_delta = 10.0f;
    c->value_norm = 1;
    c->value_clip = 1;
    c->share_policy = 0;
    c->hidden.n = 2;
    c->hidden.v[0] = c->hidden.v[1] = 64;
    c->activation = 1;
    c->log_freq = 1000;
    c->checkpoint_freq = 100000;
    c->n_eval_episodes = 20;
    c->dag_init = 0.5f;
    c->dag_acyclic = 1.0f;
    c->dag_sparsity = 0.1f;
    c->dag_threshold = 1e-3f;
    c->dag_lr = 1e-3f;
}

const acrl_config_entry* marl_config_table(void) { return marl_table; }

bool acrl_marl_algo_exists(const char* name) {
    return name && (strcmp(name, "ippo") == 0 || strcmp(name, "mappo") == 0 || strcmp(name, "cabn") == 0);
}

/* ---- value normalization (MAPPO's ValueNorm) ---------------------------------------- */

static void vn_stats(const double* vn, double* mean, double* std) {
    double d = vn[2] > 1e-5 ? vn[2] : 1e-5;
    double m = vn[0] / d, sq = vn[1] / d;
    double var = sq - m * m;
    *mean = m;
    *std = sqrt(var > 1e-2 ? var : 1e-2);
}
static void vn_update(double* vn, const float* x, int n) {
    const double beta = 0.99999;
    double m = 0, sq = 0;
    for (int i = 0; i < n; i++) { m += x[i]; sq += (double)x[i] * x[i]; }
    m /= n; sq /= n;
    vn[0] = vn[0] * beta + m * (1 - beta);
    vn[1] = vn[1] * beta + sq * (1 - beta);
    vn[2] = vn[2] * beta + 1.0 * (1 - beta);
}

/* ---- losses (exposed for the finite-difference tests) ------------------------------- */

static double huber(double e, double d) { return d <= 0 || fabs(e) <= d ? 0.5 * e * e : d * (fabs(e) - 0.5 * d); }
static double huber_d(double e, double d) { return d <= 0 || fabs(e) <= d ? e : (e > 0 ? d : -d); }

double marl_value_loss(float* dv, const float* v, const float* old, const float* target, int B, float clip,
                       float delta, bool use_clip) {
    double loss = 0;
    for (int b = 0; b < B; b++) {
        double e = (double)target[b] - v[b];
        double lo = huber(e, delta), g = -huber_d(e, delta);
        if (use_clip) {
            double diff = (double)v[b] - old[b];
            double vc = old[b] + (diff < -clip ? -clip : diff > clip ? clip : diff);
            double ec = (double)target[b] - vc, lc = huber(ec, delta);
            if (lc > lo) {
                lo = lc;
                g = (diff > -clip && diff < clip) ? -huber_d(ec, delta) : 0.0;
            }
        }
        loss += lo;
        if (dv) dv[b] = (float)(g / B);
    }
    return loss / B;
}

double marl_policy_loss(float* dlogits, const float* logits, const int* act, const float* old_logp,
                        const float* adv, int B, int K, float clip, float ent_coef, float* scratch, double* stats) {
    /* scratch: 3 B floats */
    float* logp = scratch;
    float* ent = scratch + B;
    float* w = scratch + 2 * B;
    acrl_cat_log_prob(logp, logits, act, B, K);
    acrl_cat_entropy(ent, logits, B, K);
    double pl = 0, H = 0, kl = 0, cf = 0;
    for (int b = 0; b < B; b++) {
        double r = exp((double)logp[b] - old_logp[b]);
        double s1 = r * adv[b], rc = r < 1 - clip ? 1 - clip : r > 1 + clip ? 1 + clip : r, s2 = rc * adv[b];
        pl += -(s1 < s2 ? s1 : s2);
        w[b] = s1 <= s2 ? (float)(-adv[b] * r / B) : 0.0f;
        H += ent[b];
        kl += (double)old_logp[b] - logp[b];
        cf += fabs(r - 1) > clip;
    }
    if (dlogits) {
        acrl_cat_log_prob_backward(dlogits, w, logits, act, 1.0f, B, K);
        acrl_cat_entropy_backward(dlogits, NULL, logits, -ent_coef / (float)B, B, K);
    }
    if (stats) { stats[0] = pl / B; stats[1] = H / B; stats[2] = kl / B; stats[3] = cf / B; }
    return pl / B - ent_coef * H / B;
}

/* ---- the learner ------------------------------------------------------------------------- */

typedef struct {
    marl_cfg    cfg;
    const char* algo;
    bool        central;
    bool        bn;           /* cabn: actions along the agent graph */
    acrl_params dag;          /* cabn: W (N, N) */
    int         order[MAXA];
    unsigned char allowed[MAXA * MAXA];
    int         koff[MAXA];   /* cabn: offset of agent j's action slot in the actor input */
    int         sumK;
    float*      din;          /* (maxB, max input) actor input gradients */
    int*        b_agent;      /* (maxB) agent of each batch row */
    int*        b_row;        /* (maxB) its rollout row */
    int*        mb_agent;     /* (maxB) the same for the minibatch */
    int*        mb_row;
    int*        mb_joint;     /* (maxB, N) cabn: joint actions of the minibatch rows */
    double      progress;
    acrl_mvec*  vec;
    int N, E, T, G;
    int group[MAXA];          /* agent -> network group */
    int od[MAXA], K[MAXA];    /* actor input and action count per agent */
    int cd;                   /* critic input size */
    acrl_params actor[MAXA], critic[MAXA];
    acrl_mlp    amlp[MAXA], cmlp[MAXA];
    double      vn[MAXA][3];  /* ValueNorm per group: running mean, mean square, debias */
    acrl_rng    rng;
    /* rollout, per agent, rows t * E + e */
    float* obs[MAXA]; float* cin[MAXA]; int* act[MAXA]; float* logp[MAXA]; float* vraw[MAXA]; float* val[MAXA];
    double* rew[MAXA]; float* adv[MAXA]; float* ret[MAXA];
    unsigned char* done;      /* (T * E) the episode of copy e ended at step t */
    /* batch scratch for one group */
    int maxB;
    float *b_obs, *b_cin, *b_logp, *b_adv, *b_ret, *b_vold, *mb_obs, *mb_cin, *mb_logp, *mb_adv, *mb_ret, *mb_vold;
    int *b_act, *mb_act, *perm;
    float *dlogits, *dv, *scratch, *row;
    /* counters and episode statistics */
    int64_t steps, iterations, episodes;
    double  ep_partial[4096];
    double  window[WINDOW];
    int64_t wcount;
    double  metrics[4];       /* policy loss, value loss, entropy, approx kl (last iteration) */
    double  clipfrac;
} mlearner;

static void ml_free(mlearner* m) {
    if (!m) return;
    for (int g = 0; g < m->G; g++) {
        acrl_params_free(&m->actor[g]); acrl_params_free(&m->critic[g]);
        acrl_mlp_free(&m->amlp[g]); acrl_mlp_free(&m->cmlp[g]);
    }
    for (int i = 0; i < m->N; i++) {
        free(m->obs[i]); free(m->cin[i]); free(m->act[i]); free(m->logp[i]); free(m->vraw[i]); free(m->val[i]);
        free(m->rew[i]); free(m->adv[i]); free(m->ret[i]);
    }
    free(m->done);
    float* fs[] = {m->b_obs, m->b_cin, m->b_logp, m->b_adv, m->b_ret, m->b_vold, m->mb_obs, m->mb_cin, m->mb_logp,
                   m->mb_adv, m->mb_ret, m->mb_vold, m->dlogits, m->dv, m->scratch, m->row};
    for (size_t k = 0; k < sizeof fs / sizeof fs[0]; k++) free(fs[k]);
    free(m->b_act); free(m->mb_act); free(m->perm); free(m->din); free(m->b_agent); free(m->b_row); free(m->mb_agent); free(m->mb_row); free(m->mb_joint);
    acrl_params_free(&m->dag);
    acrl_mvec_free(m->vec);
    free(m);
}

/* critic input of agent i in copy e from obs (N, obs_max) and state (state_dim) */
static void critic_input(const mlearner* m, int i, const float* obs, const float* state, float* out) {
    if (!m->central) {
        memcpy(out, obs + (size_t)i * (size_t)m->vec->obs_max, sizeof(float) * (size_t)m->od[i]);
        return;
    }
    memcpy(out, state, sizeof(float) * (size_t)m->vec->state_dim);
    if (m->N > 1)
        for (int k = 0; k < m->N; k++) out[m->vec->state_dim + k] = k == i ? 1.0f : 0.0f;
}

static int ml_build(mlearner* m, char* err, size_t errlen) {
    const acrl_menv* e0 = m->vec->envs[0];
    m->N = e0->n_agents;
    bool same = true;
    for (int i = 0; i < m->N; i++) {
        m->od[i] = e0->obs_dim[i];
        m->K[i] = e0->n_actions[i];
        same &= m->od[i] == m->od[0] && m->K[i] == m->K[0];
    }
    if (m->cfg.share_policy == 1 && !same) {
        snprintf(err, errlen, "share_policy = true needs agents with equal observation and action spaces; %s's differ "
                 "(set share_policy = false or auto)", e0->id);
        return -1;
    }
    bool share = m->cfg.share_policy == 1 || (m->cfg.share_policy == 0 && same);
    m->G = share ? 1 : m->N;
    for (int i = 0; i < m->N; i++) m->group[i] = share ? 0 : i;
    m->cd = m->central ? m->vec->state_dim + (m->N > 1 ? m->N : 0) : 0;
    m->sumK = 0;
    for (int i = 0; i < m->N; i++) { m->koff[i] = m->sumK; m->sumK += m->K[i]; }
    if (m->bn) {
        acrl_params_init(&m->dag);
        if (acrl_params_add(&m->dag, "dag", m->N, m->N) == SIZE_MAX || acrl_params_finalize(&m->dag, err, errlen)) return -1;
        for (int j = 0; j < m->N; j++)
            for (int i = 0; i < m->N; i++) m->dag.param[j * m->N + i] = i == j ? 0.0f : m->cfg.dag_init;
    }
    m->E = m->cfg.n_envs;
    m->T = m->cfg.n_steps;
    size_t rows = (size_t)m->T * (size_t)m->E;
    m->maxB = (int)(rows * (size_t)m->N);
    const char* act = m->cfg.activation == 1 ? "relu" : "tanh";
    int maxod = 0, maxcd = 0, maxK = 0;
    for (int g = 0; g < m->G; g++) {
        int i = g;   /* the group's first agent (share: agent 0) */
        int cd = m->central ? m->cd : m->od[i];
        int as[ACRL_MLP_MAX_LAYERS + 1], cs[ACRL_MLP_MAX_LAYERS + 1], n = 0;
        as[n] = m->od[i] + (m->bn ? m->sumK : 0); cs[n] = cd; n++;
        for (int h = 0; h < m->cfg.hidden.n && n < ACRL_MLP_MAX_LAYERS; h++, n++) as[n] = cs[n] = m->cfg.hidden.v[h];
        as[n] = m->K[i]; cs[n] = 1; n++;
        acrl_params_init(&m->actor[g]);
        acrl_params_init(&m->critic[g]);
        if (acrl_mlp_build(&m->amlp[g], &m->actor[g], "actor", as, n, act, false, m->maxB, err, errlen) ||
            acrl_mlp_build(&m->cmlp[g], &m->critic[g], "critic", cs, n, act, false, m->maxB, err, errlen) ||
            acrl_params_finalize(&m->actor[g], err, errlen) || acrl_params_finalize(&m->critic[g], err, errlen))
            return -1;
        float gain = m->cfg.activation == 1 ? sqrtf(2.0f) : 5.0f / 3.0f;
        if (acrl_mlp_init(&m->amlp[g], &m->actor[g], ACRL_INIT_ORTHOGONAL, gain, 0.01f, &m->rng) ||
            acrl_mlp_init(&m->cmlp[g], &m->critic[g], ACRL_INIT_ORTHOGONAL, gain, 1.0f, &m->rng)) {
            snprintf(err, errlen, "out of memory initializing the networks");
            return -1;
        }
        m->vn[g][0] = m->vn[g][1] = m->vn[g][2] = 0.0;
        if (m->od[i] + (m->bn ? m->sumK : 0) > maxod) maxod = m->od[i] + (m->bn ? m->sumK : 0);
        if (cd > maxcd) maxcd = cd;
        if (m->K[i] > maxK) maxK = m->K[i];
    }
    for (int i = 0; i < m->N; i++) {
        int cd = m->central ? m->cd : m->od[i];
        if (!(m->obs[i] = calloc(rows * (size_t)m->od[i], sizeof(float))) ||
            !(m->cin[i] = calloc(rows * (size_t)cd, sizeof(float))) || !(m->act[i] = calloc(rows, sizeof(int))) ||
            !(m->logp[i] = calloc(rows, sizeof(float))) || !(m->vraw[i] = calloc(rows, sizeof(float))) ||
            !(m->val[i] = calloc(rows, sizeof(float))) || !(m->rew[i] = calloc(rows, sizeof(double))) ||
            !(m->adv[i] = calloc(rows, sizeof(float))) || !(m->ret[i] = calloc(rows, sizeof(float))))
            goto oom;
    }
    size_t B = (size_t)m->maxB;
    m->done = calloc(rows, 1);
    m->b_obs = calloc(B * (size_t)maxod, sizeof(float)); m->mb_obs = calloc(B * (size_t)maxod, sizeof(float));
    m->b_cin = calloc(B * (size_t)maxcd, sizeof(float)); m->mb_cin = calloc(B * (size_t)maxcd, sizeof(float));
    m->b_logp = calloc(B, sizeof(float)); m->b_adv = calloc(B, sizeof(float)); m->b_ret = calloc(B, sizeof(float));
    m->b_vold = calloc(B, sizeof(float)); m->mb_logp = calloc(B, sizeof(float)); m->mb_adv = calloc(B, sizeof(float));
    m->mb_ret = calloc(B, sizeof(float)); m->mb_vold = calloc(B, sizeof(float));
    m->b_act = calloc(B, sizeof(int)); m->mb_act = calloc(B, sizeof(int)); m->perm = calloc(B, sizeof(int));
    m->dlogits = calloc(B * (size_t)maxK, sizeof(float)); m->dv = calloc(B, sizeof(float));
    m->scratch = calloc(3 * B, sizeof(float));
    m->din = calloc(B * (size_t)maxod, sizeof(float));
    m->b_agent = calloc(B, sizeof(int));
    m->b_row = calloc(B, sizeof(int));
    m->mb_agent = calloc(B, sizeof(int));
    m->mb_row = calloc(B, sizeof(int));
    m->mb_joint = calloc(B * (size_t)m->N, sizeof(int));
    m->row = calloc((size_t)(maxcd > maxod ? maxcd : maxod) + 1, sizeof(float));
    if (!m->done || !m->b_obs || !m->mb_obs || !m->b_cin || !m->mb_cin || !m->b_logp || !m->b_adv || !m->b_ret ||
        !m->b_vold || !m->mb_logp || !m->mb_adv || !m->mb_ret || !m->mb_vold || !m->b_act || !m->mb_act || !m->perm ||
        !m->dlogits || !m->dv || !m->scratch || !m->row || !m->din || !m->b_agent || !m->b_row || !m->mb_agent || !m->mb_row || !m->mb_joint)
        goto oom;
    return 0;
oom:
    snprintf(err, errlen, "out of memory for the rollout storage (%d copies x %d steps x %d agents)", m->E, m->T, m->N);
    return -1;
}

/* A learner for algo on env with cfg; vec NULL: an evaluation-only learner (one copy). */
static mlearner* ml_create(const char* algo, const char* env_id, const marl_cfg* cfg, uint64_t seed, char* err,
                           size_t errlen) {
    mlearner* m = calloc(1, sizeof *m);
    if (!m) { snprintf(err, errlen, "out of memory"); return NULL; }
    m->cfg = *cfg;
    m->algo = strcmp(algo, "mappo") == 0 ? "mappo" : "ippo";
    m->central = strcmp(algo, "mappo") == 0 || strcmp(algo, "cabn") == 0;
    m->bn = strcmp(algo, "cabn") == 0;
    if (strcmp(algo, "cabn") == 0) m->algo = "cabn";
    if (cfg->n_envs > 4096) { snprintf(err, errlen, "n_envs at most 4096"); free(m); return NULL; }
    if ((long long)cfg->n_envs * cfg->n_steps > 1000000) {
        snprintf(err, errlen, "n_envs x n_steps = %lld is more than the 1,000,000 rows a batch may hold",
                 (long long)cfg->n_envs * cfg->n_steps);
        free(m);
        return NULL;
    }
    acrl_rng_seed2(&m->rng, seed, 0x6d61);
    m->vec = acrl_mvec_make(env_id, cfg->env_args, cfg->n_envs, seed, err, errlen);
    if (!m->vec || ml_build(m, err, errlen)) { ml_free(m); return NULL; }
    return m;
}

/* logits of agent i for rows (B, od) */
static const float* actor_fwd(mlearner* m, int i, const float* x, int B) {
    int g = m->group[i];
    return acrl_mlp_forward(&m->amlp[g], &m->actor[g], x, B);
}
/* denormalized value estimates of agent i for critic inputs x (B, cd); raw: network outputs */
static void critic_values(mlearner* m, int i, const float* x, int B, float* raw, float* val) {
    int g = m->group[i];
    const float* y = acrl_mlp_forward(&m->cmlp[g], &m->critic[g], x, B);
    double mean = 0, std = 1;
    if (m->cfg.value_norm) vn_stats(m->vn[g], &mean, &std);
    for (int b = 0; b < B; b++) {
        if (raw) raw[b] = y[b];
        val[b] = (float)(y[b] * std + mean);
    }
}

static int cdim(const mlearner* m, int i) { return m->central ? m->cd : m->od[i]; }
static int indim(const mlearner* m, int i) { return m->od[i] + (m->bn ? m->sumK : 0); }

/* cabn: agent i's actor input: its observation, then A_ji one-hot(acts[j]) in agent j's slot
 * for its parents j (edges in use), zeros elsewhere. A (N, N) from the current weights. */
static void bn_input(const mlearner* m, int i, const float* obs, const int* acts, const double* A, float* out) {
    cabn_input(out, obs, m->od[i], acts, A, m->allowed, m->koff, m->sumK, i, m->N);
}

/* the order and the edges in use, from the current graph weights */
static void bn_plan(mlearner* m, double* A) {
    cabn_adjacency(A, m->dag.param, m->N);
    cabn_order(m->order, m->allowed, A, m->N, m->cfg.dag_threshold);
}

static int dag_edges(const mlearner* m) {
    int n = 0;
    for (int k = 0; k < m->N * m->N; k++) n += m->allowed[k];
    return n;
}

/* One rollout of T steps on every copy, then GAE. */
static void ml_collect(mlearner* m) {
    acrl_mvec* v = m->vec;
    const int N = m->N, E = m->E, om = v->obs_max, sd = v->state_dim;
    int* joint = (int*)m->perm;   /* (E, N) actions, reusing the permutation buffer */
    double A[MAXA * MAXA];
    if (m->bn) bn_plan(m, A);
    for (int t = 0; t < m->T; t++) {
        size_t r0 = (size_t)t * (size_t)E;
        for (int p = 0; p < N; p++) {
            const int i = m->bn ? m->order[p] : p;
            float* o = m->obs[i] + r0 * (size_t)m->od[i];
            float* c = m->cin[i] + r0 * (size_t)cdim(m, i);
            for (int e = 0; e < E; e++) {
                const float* eo = v->obs + ((size_t)e * (size_t)N) * (size_t)om;
                memcpy(o + (size_t)e * (size_t)m->od[i], eo + (size_t)i * (size_t)om, sizeof(float) * (size_t)m->od[i]);
                critic_input(m, i, eo, v->state + (size_t)e * (size_t)sd, c + (size_t)e * (size_t)cdim(m, i));
            }
            const float* in = o;
            if (m->bn) {   /* parents' actions of this step are already in joint */
                for (int e = 0; e < E; e++)
                    bn_input(m, i, o + (size_t)e * (size_t)m->od[i], joint + (size_t)e * (size_t)N, A,
                             m->mb_obs + (size_t)e * (size_t)indim(m, i));
                in = m->mb_obs;
            }
            const float* lg = actor_fwd(m, i, in, E);
            acrl_cat_sample(m->act[i] + r0, lg, &m->rng, E, m->K[i]);
            acrl_cat_log_prob(m->logp[i] + r0, lg, m->act[i] + r0, E, m->K[i]);
            critic_values(m, i, c, E, m->vraw[i] + r0, m->val[i] + r0);
            for (int e = 0; e < E; e++) joint[e * N + i] = m->act[i][r0 + (size_t)e];
        }
        acrl_mvec_step(v, joint);
        for (int e = 0; e < E; e++) {
            const double* rw = v->rewards + (size_t)e * (size_t)N;
            bool term = false, trunc = false;
            double team = 0;
            for (int i = 0; i < N; i++) {
                term |= v->terminated[(size_t)e * (size_t)N + (size_t)i];
                trunc |= v->truncated[(size_t)e * (size_t)N + (size_t)i];
                m->rew[i][r0 + (size_t)e] = rw[i];
                team += rw[i];
            }
            m->ep_partial[e] += team / N;
            m->done[r0 + (size_t)e] = term || trunc;
            if (trunc && !term) { /* time limit: bootstrap with V(last state) */
                const float* fo = v->final_obs + (size_t)e * (size_t)N * (size_t)om;
                for (int i = 0; i < N; i++) {
                    float vb;
                    critic_input(m, i, fo, v->final_state + (size_t)e * (size_t)sd, m->row);
                    critic_values(m, i, m->row, 1, NULL, &vb);
                    m->rew[i][r0 + (size_t)e] += (double)m->cfg.gamma * vb;
                }
            }
            if (term || trunc) {
                m->window[m->wcount % WINDOW] = m->ep_partial[e];
                m->wcount++;
                m->episodes++;
                m->ep_partial[e] = 0;
            }
        }
    }
    m->steps += (int64_t)m->T * E;
    /* GAE per agent with the values of the states after the rollout */
    for (int i = 0; i < N; i++) {
        float* lastv = m->scratch;
        for (int e = 0; e < E; e++) {
            const float* eo = v->obs + ((size_t)e * (size_t)N) * (size_t)om;
            critic_input(m, i, eo, v->state + (size_t)e * (size_t)sd, m->row);
            critic_values(m, i, m->row, 1, NULL, &lastv[e]);
        }
        for (int e = 0; e < E; e++) {
            double gae = 0;
            for (int t = m->T - 1; t >= 0; t--) {
                size_t r = (size_t)t * (size_t)E + (size_t)e;
                double nonterm = m->done[r] ? 0.0 : 1.0;
                double nv = t == m->T - 1 ? lastv[e] : m->val[i][r + (size_t)E];
                double delta = m->rew[i][r] + m->cfg.gamma * nv * nonterm - m->val[i][r];
                gae = delta + (double)m->cfg.gamma * m->cfg.gae_lambda * nonterm * gae;
                m->adv[i][r] = (float)gae;
                m->ret[i][r] = (float)(gae + m->val[i][r]);
            }
        }
    }
}

/* cabn: one Adam step of the graph weights W from the minibatch's actor input gradients
 * (m->din, through A_ji = W_ji^2 for the edges in use), the acyclicity penalty and the
 * annealed L1 sparsity (weight dag_sparsity * progress). */
static void bn_step(mlearner* m, int n, int in, int od) {
    const int N = m->N;
    float* W = m->dag.param;
    double g[MAXA * MAXA], dh[MAXA * MAXA];
    int* acts = m->mb_joint;   /* (n, N) joint actions of the minibatch rows */
    for (int s = 0; s < n; s++)
        for (int j = 0; j < N; j++) acts[s * N + j] = m->act[j][m->mb_row[s]];
    cabn_w_grad(g, W, m->allowed, m->din, n, in, od, m->koff, m->mb_agent, acts, N);
    cabn_acyclicity(dh, W, N);
    double lam = m->cfg.dag_sparsity * m->progress;
    acrl_params_zero_grad(&m->dag);
    for (int j = 0; j < N; j++)
        for (int i = 0; i < N; i++) {
            if (i == j) continue;
            double w = W[j * N + i];
            m->dag.grad[j * N + i] = (float)(g[j * N + i] + m->cfg.dag_acyclic * dh[j * N + i] +
                                              lam * (w > 0 ? 1.0 : w < 0 ? -1.0 : 0.0));
        }
    acrl_optim o = acrl_optim_default(ACRL_OPT_ADAM);
    o.eps = m->cfg.adam_eps;
    acrl_optim_step(&o, &m->dag, m->cfg.dag_lr);
    for (int i = 0; i < N; i++) W[i * N + i] = 0.0f;
}

/* PPO epochs for every network group. Returns 0, or -1 on a non-finite loss. */
static int ml_update(mlearner* m, char* err, size_t errlen) {
    const int rows = m->T * m->E;
    double sum[5] = {0}, cnt = 0;
    for (int g = 0; g < m->G; g++) {
        /* gather the group's agents into one batch */
        int i0 = -1, B = 0;
        for (int i = 0; i < m->N; i++) {
            if (m->group[i] != g) continue;
            if (i0 < 0) i0 = i;
            int od = m->od[i], cd = cdim(m, i);
            memcpy(m->b_obs + (size_t)B * (size_t)od, m->obs[i], sizeof(float) * (size_t)rows * (size_t)od);
            memcpy(m->b_cin + (size_t)B * (size_t)cd, m->cin[i], sizeof(float) * (size_t)rows * (size_t)cd);
            memcpy(m->b_act + B, m->act[i], sizeof(int) * (size_t)rows);
            memcpy(m->b_logp + B, m->logp[i], sizeof(float) * (size_t)rows);
            memcpy(m->b_adv + B, m->adv[i], sizeof(float) * (size_t)rows);
            memcpy(m->b_ret + B, m->ret[i], sizeof(float) * (size_t)rows);
            memcpy(m->b_vold + B, m->vraw[i], sizeof(float) * (size_t)rows);
            for (int r = 0; r < rows; r++) { m->b_agent[B + r] = i; m->b_row[B + r] = r; }
            B += rows;
        }
        const int od = m->od[i0], cd = cdim(m, i0), K = m->K[i0], in = indim(m, i0);
        double am = 0, as = 0;
        for (int b = 0; b < B; b++) am += m->b_adv[b];
        am /= B;
        for (int b = 0; b < B; b++) as += (m->b_adv[b] - am) * (m->b_adv[b] - am);
        as = B > 1 ? sqrt(as / (B - 1)) : 0.0;  /* torch.std: unbiased */
        for (int b = 0; b < B; b++) m->b_adv[b] = (float)((m->b_adv[b] - am) / (as + 1e-5));
        int nmb = m->cfg.n_minibatches > B ? B : m->cfg.n_minibatches;
        int mbs = B / nmb;
        for (int ep = 0; ep < m->cfg.n_epochs; ep++) {
            for (int b = 0; b < B; b++) m->perm[b] = b;
            for (int b = B - 1; b > 0; b--) {   /* Fisher-Yates with the learner's generator */
                int j = (int)acrl_rng_below(&m->rng, (uint64_t)b + 1);
                int t = m->perm[b]; m->perm[b] = m->perm[j]; m->perm[j] = t;
            }
            for (int k = 0; k < nmb; k++) {
                int n = k == nmb - 1 ? B - k * mbs : mbs;
                double A[MAXA * MAXA];
                if (m->bn) cabn_adjacency(A, m->dag.param, m->N);
                for (int s = 0; s < n; s++) {
                    int b = m->perm[k * mbs + s];
                    m->mb_agent[s] = m->b_agent[b];
                    m->mb_row[s] = m->b_row[b];
                    if (m->bn) {
                        int acts[MAXA];
                        for (int j = 0; j < m->N; j++) acts[j] = m->act[j][m->b_row[b]];
                        bn_input(m, m->b_agent[b], m->b_obs + (size_t)b * (size_t)od, acts, A,
                                 m->mb_obs + (size_t)s * (size_t)in);
                    } else {
                        memcpy(m->mb_obs + (size_t)s * (size_t)od, m->b_obs + (size_t)b * (size_t)od, sizeof(float) * (size_t)od);
                    }
                    memcpy(m->mb_cin + (size_t)s * (size_t)cd, m->b_cin + (size_t)b * (size_t)cd, sizeof(float) * (size_t)cd);
                    m->mb_act[s] = m->b_act[b]; m->mb_logp[s] = m->b_logp[b]; m->mb_adv[s] = m->b_adv[b];
                    m->mb_ret[s] = m->b_ret[b]; m->mb_vold[s] = m->b_vold[b];
                }
                /* actor */
                acrl_params_zero_grad(&m->actor[g]);
                const float* lg = acrl_mlp_forward(&m->amlp[g], &m->actor[g], m->mb_obs, n);
                memset(m->dlogits, 0, sizeof(float) * (size_t)n * (size_t)K);
                double st[4];
                double pl = marl_policy_loss(m->dlogits, lg, m->mb_act, m->mb_logp, m->mb_adv, n, K, m->cfg.clip_range,
                                             m->cfg.ent_coef, m->scratch, st);
                if (m->bn) memset(m->din, 0, sizeof(float) * (size_t)n * (size_t)in);
                acrl_mlp_backward(&m->amlp[g], &m->actor[g], m->bn ? m->din : NULL, m->dlogits);
                if (m->cfg.max_grad_norm > 0) acrl_params_clip_grad_norm(&m->actor[g], m->cfg.max_grad_norm);
                acrl_optim ao = acrl_optim_default(ACRL_OPT_ADAM);
                ao.eps = m->cfg.adam_eps;
                acrl_optim_step(&ao, &m->actor[g], m->cfg.learning_rate);
                if (m->bn) bn_step(m, n, in, od);
                /* critic: targets normalized after updating the statistics with them */
                if (m->cfg.value_norm) {
                    vn_update(m->vn[g], m->mb_ret, n);
                    double mean, std;
                    vn_stats(m->vn[g], &mean, &std);
                    for (int s = 0; s < n; s++) m->mb_ret[s] = (float)((m->mb_ret[s] - mean) / std);
                }
                acrl_params_zero_grad(&m->critic[g]);
                const float* vp = acrl_mlp_forward(&m->cmlp[g], &m->critic[g], m->mb_cin, n);
                double vl = marl_value_loss(m->dv, vp, m->mb_vold, m->mb_ret, n, m->cfg.clip_range, m->cfg.huber_delta,
                                            m->cfg.value_clip);
                acrl_mlp_backward(&m->cmlp[g], &m->critic[g], NULL, m->dv);
                if (m->cfg.max_grad_norm > 0) acrl_params_clip_grad_norm(&m->critic[g], m->cfg.max_grad_norm);
                acrl_optim co = acrl_optim_default(ACRL_OPT_ADAM);
                co.eps = m->cfg.adam_eps;
                acrl_optim_step(&co, &m->critic[g], m->cfg.critic_lr);
                if (!isfinite(pl) || !isfinite(vl)) {
                    snprintf(err, errlen, "non-finite %s loss at step %lld (group %d)", isfinite(pl) ? "value" : "policy",
                             (long long)m->steps, g);
                    return -1;
                }
                sum[0] += st[0]; sum[1] += vl; sum[2] += st[1]; sum[3] += st[2]; sum[4] += st[3];
                cnt++;
            }
        }
    }
    for (int k = 0; k < 4; k++) m->metrics[k] = sum[k] / cnt;
    m->clipfrac = sum[4] / cnt;
    m->iterations++;
    for (int g = 0; g < m->G; g++)
        if (!acrl_all_finite(m->actor[g].param, m->actor[g].count) ||
            !acrl_all_finite(m->critic[g].param, m->critic[g].count)) {
            snprintf(err, errlen, "non-finite weights after the update at step %lld", (long long)m->steps);
            return -1;
        }
    return 0;
}

static double window_mean(const mlearner* m) {
    int64_t n = m->wcount < WINDOW ? m->wcount : WINDOW;
    if (n == 0) return NAN;
    double s = 0;
    for (int64_t k = 0; k < n; k++) s += m->window[k];
    return s / (double)n;
}

/* ---- checkpoints ----------------------------------------------------------------------- */

static char* config_text(const marl_cfg* c, size_t* len) {
    char* buf = NULL;
    size_t n = 0;
    FILE* f = open_memstream(&buf, &n);
    if (!f) return NULL;
    int rc = acrl_config_write(marl_table, c, f);
    fclose(f);
    if (rc) { free(buf); return NULL; }
    *len = n;
    return buf;
}

/* full: the training state too (last/final.ckpt); else the policy alone (policy.ckpt) */
static int ml_save(mlearner* m, const char* env_id, const char* path, bool full, char* err, size_t errlen) {
    acrl_ckpt_writer* w = acrl_ckpt_begin(m->algo, env_id);
    if (!w) { snprintf(err, errlen, "out of memory"); return ACRL_ERR_RUNTIME; }
    size_t clen = 0;
    char* ct = config_text(&m->cfg, &clen);
    int bad = !ct || acrl_ckpt_add_copy(w, "marl.config", ct, clen);
    free(ct);
    uint8_t* envbuf = NULL;
    uint8_t misc[8 * (3 * MAXA + WINDOW + 4096)];
    char name[64];
    for (int g = 0; !bad && g < m->G; g++) {
        snprintf(name, sizeof name, "marl.actor%d", g);
        if (full) bad |= algo_save_params(w, name, &m->actor[g]);
        else {
            snprintf(name, sizeof name, "marl.actor%d.param", g);
            bad |= acrl_ckpt_add(w, name, m->actor[g].param, acrl_params_bytes(&m->actor[g]));
        }
        if (full) {
            snprintf(name, sizeof name, "marl.critic%d", g);
            bad |= algo_save_params(w, name, &m->critic[g]);
        }
    }
    if (m->bn && !bad) bad |= full ? algo_save_params(w, "marl.dag", &m->dag)
                                   : acrl_ckpt_add(w, "marl.dag.param", m->dag.param, acrl_params_bytes(&m->dag));
    if (!full && !bad) bad |= acrl_ckpt_add(w, "marl.policy", "1", 1);
    if (full && !bad) {
        int64_t cnt[4] = {m->steps, m->iterations, m->episodes, m->wcount};
        bad |= algo_save_i64s(w, "marl.counters", cnt, 4) || algo_save_rng(w, "marl.rng", &m->rng);
        uint8_t* p = misc;
        for (int g = 0; g < m->G; g++) p = le_put_f64s(p, m->vn[g], 3);
        p = le_put_f64s(p, m->window, WINDOW);
        p = le_put_f64s(p, m->ep_partial, (size_t)m->E);
        bad |= acrl_ckpt_add_copy(w, "marl.stats", misc, (size_t)(p - misc));
        size_t sb = acrl_menv_snapshot_bytes(m->vec->envs[0]);
        envbuf = malloc(sb * (size_t)m->E + 1);
        if (!envbuf) bad = 1;
        for (int e = 0; !bad && e < m->E; e++) acrl_menv_snapshot_save(m->vec->envs[e], envbuf + sb * (size_t)e);
        if (!bad) bad |= acrl_ckpt_add_copy(w, "marl.envs", envbuf, sb * (size_t)m->E);
    }
    free(envbuf);
    if (bad) {
        acrl_ckpt_abort(w);
        snprintf(err, errlen, "out of memory writing %s", path);
        return ACRL_ERR_RUNTIME;
    }
    return acrl_ckpt_commit(w, path, err, errlen) ? ACRL_ERR_RUNTIME : ACRL_OK;
}

/* Reads the config of a multi-agent checkpoint. */
static int ck_config(const acrl_ckpt* ck, marl_cfg* c, char* err, size_t errlen) {
    size_t n;
    const void* t = acrl_ckpt_get_var(ck, "marl.config", &n, err, errlen);
    if (!t) return -1;
    marl_cfg_defaults(c);
    return acrl_config_load_text(marl_table, c, t, n, "the checkpoint's config", err, errlen);
}

static int ml_load(mlearner* m, const acrl_ckpt* ck, bool full, char* err, size_t errlen) {
    char name[64];
    for (int g = 0; g < m->G; g++) {
        snprintf(name, sizeof name, "marl.actor%d", g);
        if (full) {
            if (algo_load_params(ck, name, &m->actor[g], err, errlen)) return -1;
            snprintf(name, sizeof name, "marl.critic%d", g);
            if (algo_load_params(ck, name, &m->critic[g], err, errlen)) return -1;
        } else {
            snprintf(name, sizeof name, "marl.actor%d.param", g);
            if (algo_load_blob(ck, name, m->actor[g].param, acrl_params_bytes(&m->actor[g]), err, errlen)) return -1;
        }
    }
    if (m->bn && (full ? algo_load_params(ck, "marl.dag", &m->dag, err, errlen)
                       : algo_load_blob(ck, "marl.dag.param", m->dag.param, acrl_params_bytes(&m->dag), err, errlen)))
        return -1;
    if (!full) return 0;
    int64_t cnt[4];
    if (algo_load_i64s(ck, "marl.counters", cnt, 4, err, errlen) || algo_load_rng(ck, "marl.rng", &m->rng, err, errlen))
        return -1;
    if (cnt[0] < 0 || cnt[1] < 0 || cnt[2] < 0 || cnt[3] < 0) {
        snprintf(err, errlen, "section marl.counters holds negative counts");
        return -1;
    }
    m->steps = cnt[0]; m->iterations = cnt[1]; m->episodes = cnt[2]; m->wcount = cnt[3];
    size_t need = 8 * (3 * (size_t)m->G + WINDOW + (size_t)m->E);
    const uint8_t* p = acrl_ckpt_get(ck, "marl.stats", need, err, errlen);
    if (!p) return -1;
    for (int g = 0; g < m->G; g++) le_get_f64s(&p, m->vn[g], 3);
    le_get_f64s(&p, m->window, WINDOW);
    le_get_f64s(&p, m->ep_partial, (size_t)m->E);
    size_t sb = acrl_menv_snapshot_bytes(m->vec->envs[0]);
    const uint8_t* eb = acrl_ckpt_get(ck, "marl.envs", sb * (size_t)m->E, err, errlen);
    if (!eb) return -1;
    for (int e = 0; e < m->E; e++)
        if (acrl_menv_snapshot_load(m->vec->envs[e], eb + sb * (size_t)e)) {
            snprintf(err, errlen, "section marl.envs: copy %d holds no valid %s snapshot", e, m->vec->envs[0]->id);
            return -1;
        }
    acrl_mvec_refresh(m->vec);
    return 0;
}

/* ---- evaluation --------------------------------------------------------------------- */

/* Joint actions a (N) of the policy for one copy's observations obs (N, obs_max). */
static void joint_act(mlearner* m, const float* obs, int obs_max, bool stochastic, acrl_rng* r, int* a) {
    double A[MAXA * MAXA];
    if (m->bn) bn_plan(m, A);
    for (int p = 0; p < m->N; p++) {
        int i = m->bn ? m->order[p] : p;
        const float* x = obs + (size_t)i * (size_t)obs_max;
        if (m->bn) {
            bn_input(m, i, x, a, A, m->row);
            x = m->row;
        }
        const float* lg = actor_fwd(m, i, x, 1);
        if (stochastic) acrl_cat_sample(&a[i], lg, r, 1, m->K[i]);
        else acrl_cat_mode(&a[i], lg, 1, m->K[i]);
    }
}

static int ml_evaluate(mlearner* m, const char* env_id, int episodes, uint64_t seed, bool stochastic, double* mean,
                       double* std, char* err, size_t errlen) {
    acrl_menv* e = acrl_menv_make(env_id, m->cfg.env_args, err, errlen);
    if (!e) return ACRL_ERR_INPUT;
    acrl_rng r;
    acrl_rng_seed2(&r, seed, 0x65);
    float obs[MAXA * 256];
    if ((size_t)e->n_agents * (size_t)e->obs_max > sizeof obs / sizeof obs[0]) {
        acrl_menv_close(e);
        snprintf(err, errlen, "observations too large to evaluate");
        return ACRL_ERR_INPUT;
    }
    double s = 0, s2 = 0;
    for (int k = 0; k < episodes; k++) {
        acrl_menv_reset(e, (int64_t)(seed + (uint64_t)k), obs);
        double ret = 0;
        for (int t = 0; t < 1000000; t++) {
            int a[MAXA];
            double rw[MAXA];
            bool term[MAXA], trunc[MAXA];
            joint_act(m, obs, e->obs_max, stochastic, &r, a);
            acrl_menv_step(e, a, obs, rw, term, trunc);
            bool done = false;
            double team = 0;
            for (int i = 0; i < e->n_agents; i++) { team += rw[i]; done |= term[i] || trunc[i]; }
            ret += team / e->n_agents;
            if (done) break;
        }
        s += ret;
        s2 += ret * ret;
    }
    acrl_menv_close(e);
    *mean = s / episodes;
    double var = s2 / episodes - *mean * *mean;
    *std = sqrt(var > 0 ? var : 0);
    return ACRL_OK;
}

/* joint greedy actions of the policy in the first copy (for the matrix-game results) */
static void greedy_joint(mlearner* m, char* out, size_t len) {
    const acrl_mvec* v = m->vec;
    size_t k = 0;
    int a[MAXA];
    out[0] = 0;
    joint_act(m, v->obs, v->obs_max, false, NULL, a);
    for (int i = 0; i < m->N && k < len; i++) k += (size_t)snprintf(out + k, len - k, i ? ",%d" : "%d", a[i]);
}

int acrl_marl_eval_checkpoint(const char* path, int episodes, uint64_t seed, bool stochastic, double* mean, double* std,
                              char* err, size_t errlen) {
    acrl_ckpt* ck = acrl_ckpt_load(path, err, errlen);
    if (!ck) return ACRL_ERR_INPUT;
    marl_cfg c;
    int code = ACRL_ERR_INPUT;
    mlearner* m = NULL;
    if (!acrl_marl_algo_exists(acrl_ckpt_algo(ck))) {
        snprintf(err, errlen, "%s holds a single-agent %s checkpoint, not a multi-agent one", path, acrl_ckpt_algo(ck));
    } else if (ck_config(ck, &c, err, errlen) == 0) {
        c.n_envs = 1;
        c.n_steps = 1;
        m = ml_create(acrl_ckpt_algo(ck), acrl_ckpt_env_id(ck), &c, 0, err, errlen);
        if (m && ml_load(m, ck, false, err, errlen) == 0) {   /* the actors (and graph) of either file */
            code = ml_evaluate(m, acrl_ckpt_env_id(ck), episodes, seed, stochastic, mean, std, err, errlen);
        }
    }
    ml_free(m);
    acrl_ckpt_free(ck);
    return code;
}

/* ---- the run ------------------------------------------------------------------------- */

static const char* const progress_cols[] = {"step", "episodes", "return_mean", "policy_loss", "value_loss",
                                            "entropy", "approx_kl", "clip_fraction"};
#define NCOLS 8

static int write_summary(const char* dir, const char* algo, const char* env_id, int64_t seed, const mlearner* m,
                         bool finished, double ev_mean, double ev_std, int ev_n, double wall, double sps,
                         const char* joint, char* err, size_t errlen) {
    char path[1200];
    if (acrl_path_join(path, sizeof path, dir, "summary.json", err, errlen)) return ACRL_ERR_INPUT;
    FILE* f = fopen(path, "w");
    if (!f) { snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno)); return ACRL_ERR_RUNTIME; }
    acrl_json j;
    acrl_json_begin(&j, f);
    acrl_json_string(&j, "algo", algo);
    acrl_json_string(&j, "env", env_id);
    acrl_json_int(&j, "seed", seed);
    acrl_json_int(&j, "n_agents", m->N);
    acrl_json_bool(&j, "shared_policy", m->G == 1 && m->N > 1);
    acrl_json_int(&j, "total_timesteps", m->steps);
    acrl_json_int(&j, "episodes", m->episodes);
    acrl_json_bool(&j, "finished", finished);
    acrl_json_number(&j, "train_return_mean", window_mean(m));
    if (ev_n > 0) {
        acrl_json_number(&j, "eval_return_mean", ev_mean);
        acrl_json_number(&j, "eval_return_std", ev_std);
        acrl_json_int(&j, "eval_episodes", ev_n);
    }
    if (joint) acrl_json_string(&j, "greedy_joint_action", joint);
    if (m->bn) {
        char ws[512];
        size_t k = 0;
        for (int q = 0; q < m->N * m->N && k < sizeof ws; q++)
            k += (size_t)snprintf(ws + k, sizeof ws - k, q ? ",%.4g" : "%.4g", (double)m->dag.param[q]);
        acrl_json_string(&j, "dag_weights", ws);
        acrl_json_int(&j, "dag_edges_in_use", dag_edges(m));
    }
    acrl_json_number(&j, "wall_seconds", wall);
    acrl_json_number(&j, "steps_per_second", sps);
    int rc = acrl_json_end(&j);
    if (fclose(f) != 0 || rc) { snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno)); return ACRL_ERR_RUNTIME; }
    return ACRL_OK;
}

static void notify(acrl_train_options* o, const char* msg) {
    if (o->notice) o->notice(o->notice_user, msg);
}

int acrl_marl_train(acrl_train_options* o, char* err, size_t errlen) {
    acrl_ckpt* ck = NULL;
    const char* algo = o->algo;
    const char* env_id = o->env_id;
    marl_cfg cfg;
    marl_cfg_defaults(&cfg);
    char path[1200], algo_buf[32], env_buf[ACRL_ENV_ID_MAX + 1];
    if (o->resume_dir) {
        if (strlen(o->resume_dir) >= sizeof o->run_dir) { snprintf(err, errlen, "run directory path too long"); return ACRL_ERR_INPUT; }
        if (acrl_path_join(path, sizeof path, o->resume_dir, "last.ckpt", err, errlen)) return ACRL_ERR_INPUT;
        if (!(ck = acrl_ckpt_load(path, err, errlen))) return ACRL_ERR_INPUT;
        const char* ca = acrl_ckpt_algo(ck);
        if (!acrl_marl_algo_exists(ca)) {
            snprintf(err, errlen, "%s holds a single-agent %s checkpoint; the multi-agent %s cannot resume it", path, ca,
                     algo ? algo : "trainer");
            acrl_ckpt_free(ck);
            return ACRL_ERR_INPUT;
        }
        if (acrl_ckpt_section(ck, "marl.policy", NULL)) {
            snprintf(err, errlen, "%s is a policy-only checkpoint: it cannot be resumed", path);
            acrl_ckpt_free(ck);
            return ACRL_ERR_INPUT;
        }
        if ((algo && strcmp(algo, ca) != 0) || (env_id && strcmp(env_id, acrl_ckpt_env_id(ck)) != 0)) {
            snprintf(err, errlen, "%s holds a %s run on %s; it cannot be resumed as %s on %s", o->resume_dir, ca,
                     acrl_ckpt_env_id(ck), algo ? algo : ca, env_id ? env_id : acrl_ckpt_env_id(ck));
            acrl_ckpt_free(ck);
            return ACRL_ERR_INPUT;
        }
        snprintf(algo_buf, sizeof algo_buf, "%s", ca);   /* the names outlive the checkpoint */
        snprintf(env_buf, sizeof env_buf, "%s", acrl_ckpt_env_id(ck));
        algo = algo_buf;
        env_id = env_buf;
        if (ck_config(ck, &cfg, err, errlen)) { acrl_ckpt_free(ck); return ACRL_ERR_INPUT; }
        snprintf(o->run_dir, sizeof o->run_dir, "%s", o->resume_dir);
    } else {
        if (!acrl_marl_algo_exists(algo)) { snprintf(err, errlen, "unknown multi-agent algorithm '%s' (ippo, mappo, cabn)", algo); return ACRL_ERR_INPUT; }
        if (!acrl_menv_exists(env_id)) {
            snprintf(err, errlen, "%s is a multi-agent algorithm; '%s' is not a multi-agent env (MPE-SimpleSpread-v3, "
                     "MPE-SimpleReference-v3, MPE-SimpleSpeakerListener-v4, ClimbingGame-v0, PenaltyGame-v0)", algo, env_id);
            return ACRL_ERR_INPUT;
        }
        char dir[4096];
        int fits = datadir_get(DATADIR_CONFIGS, dir, sizeof dir) == 0;
        int n = snprintf(path, sizeof path, "%s/%s/%s.ini", dir, algo, env_id);
        if (!o->config_file && fits && n > 0 && (size_t)n < sizeof path && access(path, R_OK) == 0 &&
            acrl_config_load_file(marl_table, &cfg, path, err, errlen))
            return ACRL_ERR_INPUT;
        if (o->config_file && acrl_config_load_file(marl_table, &cfg, o->config_file, err, errlen)) return ACRL_ERR_INPUT;
        for (int i = 0; i < o->n_overrides; i++)
            if (acrl_config_parse_override(marl_table, &cfg, o->overrides[i], err, errlen)) return ACRL_ERR_INPUT;
        if (o->num_envs > 0) cfg.n_envs = o->num_envs;
        marl_cfg d;
        marl_cfg_defaults(&d);
        for (int i = 0; i < o->n_overrides && strcmp(algo, "cabn") != 0; i++)
            if (strncmp(o->overrides[i], "dag_", 4) == 0) {
                snprintf(err, errlen, "%.*s is a graph option of cabn; %s has no agent graph",
                         (int)strcspn(o->overrides[i], "="), o->overrides[i], algo);
                return ACRL_ERR_INPUT;
            }
        if (strcmp(algo, "cabn") != 0) {
            const char* keys[5] = {"dag_init", "dag_acyclic", "dag_sparsity", "dag_threshold", "dag_lr"};
            const float got[5] = {cfg.dag_init, cfg.dag_acyclic, cfg.dag_sparsity, cfg.dag_threshold, cfg.dag_lr};
            const float def[5] = {d.dag_init, d.dag_acyclic, d.dag_sparsity, d.dag_threshold, d.dag_lr};
            for (int k = 0; k < 5; k++)
                if (got[k] != def[k]) {
                    snprintf(err, errlen, "%s is a graph option of cabn; %s has no agent graph", keys[k], algo);
                    return ACRL_ERR_INPUT;
                }
        }
        int nn = o->out_dir ? snprintf(o->run_dir, sizeof o->run_dir, "%s", o->out_dir)
                            : snprintf(o->run_dir, sizeof o->run_dir, "runs/%s-%s-%lld-%ld", algo, env_id,
                                       (long long)(o->seed < 0 ? 0 : o->seed), (long)time(NULL));
        if (nn < 0 || (size_t)nn >= sizeof o->run_dir) { snprintf(err, errlen, "run directory path too long"); return ACRL_ERR_INPUT; }
    }
    if (o->steps > 0) cfg.n_timesteps = (int)o->steps;
    int64_t seed = o->seed < 0 ? 0 : o->seed;
    if (ck) {
        /* the seed is the run's: read it back from summary.json */
        char sp[1200];
        snprintf(sp, sizeof sp, "%s/summary.json", o->run_dir);
        FILE* f = fopen(sp, "r");
        if (f) {
            char text[4096];
            size_t n = fread(text, 1, sizeof text - 1, f);
            text[n] = 0;
            fclose(f);
            double x;
            if (acrl_json_get_number(text, "seed", &x) == 0 && x >= 0) seed = (int64_t)x;
        }
    }
    mlearner* m = ml_create(algo, env_id, &cfg, (uint64_t)seed, err, errlen);
    if (!m) { acrl_ckpt_free(ck); return ACRL_ERR_INPUT; }
    if (ck && ml_load(m, ck, true, err, errlen)) { acrl_ckpt_free(ck); ml_free(m); return ACRL_ERR_INPUT; }
    acrl_ckpt_free(ck);
    const char* dir = o->run_dir;
    if (acrl_mkdir_p(dir)) {
        snprintf(err, errlen, "cannot create run directory %s: %s", dir, strerror(errno));
        ml_free(m);
        return ACRL_ERR_RUNTIME;
    }
    acrl_ckpt_remove_stale(dir, NULL, 0);
    int code = ACRL_OK;
    if (!o->resume_dir) {
        if (acrl_path_join(path, sizeof path, dir, "config.ini", err, errlen)) { ml_free(m); return ACRL_ERR_INPUT; }
        FILE* cf = fopen(path, "w");
        if (!cf || acrl_config_write(marl_table, &m->cfg, cf) || fclose(cf) != 0) {
            snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
            ml_free(m);
            return ACRL_ERR_RUNTIME;
        }
    }
    acrl_path_join(path, sizeof path, dir, "progress.csv", NULL, 0);
    acrl_csv* csv = o->resume_dir ? acrl_csv_append(path, progress_cols, NCOLS, (double)m->steps, err, errlen)
                                  : acrl_csv_open(path, progress_cols, NCOLS, err, errlen);
    if (!csv) { ml_free(m); return ACRL_ERR_RUNTIME; }
    if (!o->resume_dir &&
        (code = write_summary(dir, algo, env_id, seed, m, false, 0, 0, 0, 0, 0, NULL, err, errlen)) != ACRL_OK) {
        acrl_csv_close(csv);
        ml_free(m);
        return code;
    }
    acrl_progress prog;
    acrl_progress_init(&prog, cfg.n_timesteps, o->quiet ? ACRL_PROGRESS_QUIET : ACRL_PROGRESS_AUTO, 10.0);
    const double t0 = acrl_now_s();
    const int64_t start_steps = m->steps;
    int64_t next_log = (m->steps / cfg.log_freq + 1) * cfg.log_freq;
    int64_t next_ck = cfg.checkpoint_freq > 0 ? (m->steps / cfg.checkpoint_freq + 1) * cfg.checkpoint_freq : INT64_MAX;
    bool interrupted = false, stopped = false;
    while (m->steps < cfg.n_timesteps) {
        ml_collect(m);
        m->progress = m->steps >= cfg.n_timesteps ? 1.0 : (double)m->steps / cfg.n_timesteps;
        if (ml_update(m, err, errlen)) { code = ACRL_ERR_RUNTIME; break; }
        if (m->steps >= next_log || m->steps >= cfg.n_timesteps) {
            double row[NCOLS] = {(double)m->steps, (double)m->episodes, window_mean(m), m->metrics[0], m->metrics[1],
                                 m->metrics[2], m->metrics[3], m->clipfrac};
            if (acrl_csv_row(csv, row, err, errlen)) { code = ACRL_ERR_RUNTIME; break; }
            while (next_log <= m->steps) next_log += cfg.log_freq;
        }
        acrl_progress_update(&prog, m->steps, window_mean(m));
        bool want_stop = o->stop_flag && *o->stop_flag;
        bool stop_at = o->stop_at > 0 && m->steps >= o->stop_at && m->steps < cfg.n_timesteps;
        if (m->steps >= next_ck || want_stop || stop_at) {
            acrl_path_join(path, sizeof path, dir, "last.ckpt", NULL, 0);
            if ((code = ml_save(m, env_id, path, true, err, errlen)) != ACRL_OK) break;
            while (next_ck <= m->steps) next_ck += cfg.checkpoint_freq;
        }
        if (want_stop) { interrupted = true; break; }
        if (stop_at) { stopped = true; break; }
    }
    acrl_progress_finish(&prog, m->steps, window_mean(m));
    if (acrl_csv_close(csv) && code == ACRL_OK) { snprintf(err, errlen, "cannot write progress.csv"); code = ACRL_ERR_RUNTIME; }
    double wall = acrl_now_s() - t0;
    double sps = wall > 0 ? (double)(m->steps - start_steps) / wall : 0;
    if (code == ACRL_OK && !interrupted && !stopped) {
        acrl_path_join(path, sizeof path, dir, "last.ckpt", NULL, 0);
        code = ml_save(m, env_id, path, true, err, errlen);
        if (code == ACRL_OK) { acrl_path_join(path, sizeof path, dir, "final.ckpt", NULL, 0); code = ml_save(m, env_id, path, true, err, errlen); }
        if (code == ACRL_OK) { acrl_path_join(path, sizeof path, dir, "policy.ckpt", NULL, 0); code = ml_save(m, env_id, path, false, err, errlen); }
        int ne = o->eval_episodes >= 0 ? o->eval_episodes : cfg.n_eval_episodes;
        double em = 0, es = 0;
        char joint[64];
        greedy_joint(m, joint, sizeof joint);
        if (code == ACRL_OK && ne > 0) code = ml_evaluate(m, env_id, ne, 1000000, false, &em, &es, err, errlen);
        if (code == ACRL_OK) code = write_summary(dir, algo, env_id, seed, m, true, em, es, ne, wall, sps, joint, err, errlen);
        char msg[160];
        snprintf(msg, sizeof msg, "%lld steps in %.1f s (%.0f steps/s)", (long long)(m->steps - start_steps), wall, sps);
        notify(o, msg);
    } else if (code == ACRL_OK) {
        write_summary(dir, algo, env_id, seed, m, false, 0, 0, 0, wall, sps, NULL, err, errlen);
    }
    ml_free(m);
    if (code == ACRL_OK && interrupted) return ACRL_INTERRUPTED;
    return code;
}

int acrl_marl_describe(const char* algo, void* f) {
    if (!acrl_marl_algo_exists(algo)) return -1;
    marl_cfg c;
    marl_cfg_defaults(&c);
    acrl_config_describe(marl_table, &c, f);
    return 0;
}
