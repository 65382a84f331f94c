/* AWR: advantage-weighted regression (Peng et al. 2019) as GBRL's AWR runs it (NVlabs/gbrl_sb3
 * algos/awr.py with a shared tree structure; docs/gbrl.md): rollouts of n_steps per env go
 * into a FIFO buffer of the last buffer_rollouts rollouts; before each update the current
 * critic re-evaluates every stored state and GAE(lambda) gives advantages and returns
 * (each stored rollout bootstrapped from its own last observation); then gradient_steps
 * minibatches of batch_size rows, drawn uniformly with replacement, each take one step on
 * the loss of awr.h (one tree per step with model = gbrl; Adam on the store otherwise).
 * With buffer_rollouts = 1 it is on-policy: only the newest rollout is used. */
#include "algo/awr.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algo/algo.h"
#include "algo/onpolicy.h"
#include "io/le.h"
#include "util/size.h"

typedef struct {
    int   n_steps;            /* steps per env per rollout (GBRL's train_freq / n_envs) */
    int   buffer_rollouts;    /* rollouts kept in the buffer */
    int   batch_size;
    int   gradient_steps;     /* minibatch steps (trees) per rollout */
    float learning_rate;      /* Adam: the MLP, or a tree policy's log-std */
    float gae_lambda, beta, weights_max;
    int   normalize_advantage;
    float ent_coef, vf_coef, max_grad_norm, adam_eps;
    acrl_policy_config pol;
} awr_config;

static void awr_defaults(void* cfgp) {
    /* GBRL's AWR defaults (awr.py), the buffer of the AWR paper (about 50k samples) */
    awr_config* c = cfgp;
    memset(c, 0, sizeof *c);
    c->n_steps = 2048;
    c->buffer_rollouts = 25;
    c->batch_size = 256;
    c->gradient_steps = 150;
    c->learning_rate = 3e-4f;
    c->gae_lambda = 0.95f;
    c->beta = 1.0f;
    c->weights_max = 20.0f;
    c->normalize_advantage = 1;
    c->vf_coef = 0.56f;
    c->adam_eps = 1e-5f;
    policy_config_default(&c->pol);
}

#define F(k) offsetof(awr_config, k)
static const acrl_config_entry awr_table[] = {
    {"n_steps", ACRL_CFG_INT, F(n_steps), 1, 1e7, NULL, "steps per env per rollout"},
    {"buffer_rollouts", ACRL_CFG_INT, F(buffer_rollouts), 1, 1e5, NULL, "rollouts kept in the buffer (1: on-policy)"},
    {"batch_size", ACRL_CFG_INT, F(batch_size), 1, 1e7, NULL, "rows per gradient step (drawn with replacement)"},
    {"gradient_steps", ACRL_CFG_INT, F(gradient_steps), 1, 1e6, NULL, "gradient steps (gbrl: trees) per rollout"},
    {"learning_rate", ACRL_CFG_FLOAT, F(learning_rate), 0, 1, NULL, "Adam learning rate (gbrl: the log-std's)"},
    {"gae_lambda", ACRL_CFG_FLOAT, F(gae_lambda), 0, 1, NULL, "GAE / TD(lambda) lambda"},
    {"beta", ACRL_CFG_FLOAT, F(beta), 1e-6, 1e6, NULL, "temperature: weights exp(A / beta)"},
    {"weights_max", ACRL_CFG_FLOAT, F(weights_max), 1e-6, 1e9, NULL, "largest weight"},
    {"normalize_advantage", ACRL_CFG_BOOL, F(normalize_advantage), 0, 0, NULL, "normalize advantages per minibatch"},
    {"ent_coef", ACRL_CFG_FLOAT, F(ent_coef), 0, 10, NULL, "entropy bonus coefficient"},
    {"vf_coef", ACRL_CFG_FLOAT, F(vf_coef), 0, 100, NULL, "value loss coefficient (loss 0.5 (V - R)^2)"},
    {"max_grad_norm", ACRL_CFG_FLOAT, F(max_grad_norm), 0, 1e9, NULL, "global gradient-norm clip (0 = none)"},
    {"adam_eps", ACRL_CFG_FLOAT, F(adam_eps), 0, 1, NULL, "Adam epsilon"},
    POLICY_CONFIG_ENTRIES(F(pol)),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef F

typedef struct {
    onpolicy_learner L;          /* must come first: params, policy, rng, updates */
    awr_config   cfg;
    float        gamma;
    acrl_optim   opt;
    acrl_rollout ro;             /* the rollout being collected */
    int N, E, od, ad, K;         /* rows per rollout, envs, obs / action widths, Discrete: actions */
    /* the buffer: R slots of N rows (time-major, as the rollout), filled and next slot */
    int     R, filled, next;
    float  *b_obs, *b_act, *b_rew, *b_fobs, *b_last;   /* (R, N, od) (R, N, ad) (R, N) (R, N, od) (R, E, od) */
    uint8_t* b_flag;             /* (R, N) bit 0 terminated, bit 1 truncated */
    /* recomputed per update */
    float  *b_val, *b_fval, *b_adv, *b_ret;            /* (R, N) */
    bool   *t_term, *t_trunc;    /* (N) one slot's flags as bools, for rollout_compute_gae */
    float  *tmp_obs, *tmp_val;   /* (N, od), (N) */
    /* minibatch */
    float  *mb_obs, *mb_act, *mb_adv, *mb_ret, *mb_w, *scratch;
} awr;

static void awr_destroy(void* self) {
    awr* a = self;
    if (!a) return;
    policy_free(&a->L.pol);
    rollout_free(&a->ro);
    acrl_params_free(&a->L.params);
    free(a->b_obs); free(a->b_act); free(a->b_rew); free(a->b_fobs); free(a->b_last); free(a->b_flag);
    free(a->b_val); free(a->b_fval); free(a->b_adv); free(a->b_ret); free(a->t_term); free(a->t_trunc);
    free(a->tmp_obs); free(a->tmp_val);
    free(a->mb_obs); free(a->mb_act); free(a->mb_adv); free(a->mb_ret); free(a->mb_w); free(a->scratch);
    free(a);
}

static void* awr_create(const void* cfgp, const acrl_algo_ctx* ctx, char* err, size_t errlen) {
    const awr_config* cfg = cfgp;
    int E = ctx->num_envs, N = onpolicy_rollout_rows("awr", cfg->n_steps, E, err, errlen);
    if (N < 0) return NULL;
    if (layout_sharded(ctx->layout)) {
        snprintf(err, errlen, "awr is not supported with shards > 1 or under mpirun");
        return NULL;
    }
    if (cfg->pol.use_sde) {
        snprintf(err, errlen, "awr does not support use_sde (gSDE)");
        return NULL;
    }
    if (cfg->normalize_advantage && cfg->batch_size < 2) {
        snprintf(err, errlen, "normalize_advantage needs batch_size >= 2 (have %d)", cfg->batch_size);
        return NULL;
    }
    int od = ctx->obs_space->dim, ad = ctx->act_space->kind == ACRL_SPACE_DISCRETE ? 1 : ctx->act_space->dim;
    int B = cfg->batch_size, R = cfg->buffer_rollouts;
    int maxb = N > B ? N : B;
    maxb = maxb > E ? maxb : E;
    /* rollout, policy for maxb rows, the buffer (two observations, actions, six floats and a
     * flag per row, the last observations), slot scratch, minibatch */
    size_t rows = acrl_size_mul((size_t)R, (size_t)N);
    size_t need = acrl_size_add(rollout_bytes(cfg->n_steps, E, od, ad), policy_bytes(od, ctx->act_space, &cfg->pol, maxb));
    need = acrl_size_add(need, acrl_size_mul3(rows, 2 * (size_t)od + (size_t)ad + 6, sizeof(float)));
    need = acrl_size_add(need, acrl_size_add(rows, acrl_size_mul3((size_t)R, (size_t)E * (size_t)od, sizeof(float))));
    need = acrl_size_add(need, acrl_size_mul3((size_t)N, (size_t)od + 3, sizeof(float)));
    need = acrl_size_add(need, acrl_size_mul3((size_t)B, (size_t)od + (size_t)ad + 8, sizeof(float)));
    char what[200];
    snprintf(what, sizeof what, "awr's buffer (%d rollouts of n_steps %d x n_envs %d) and networks (batch %d)", R,
             cfg->n_steps, E, maxb);
    if (acrl_size_check(need, what, err, errlen)) return NULL;
    awr* a = calloc(1, sizeof *a);
    if (!a) { snprintf(err, errlen, "out of memory"); return NULL; }
    a->L.name = "awr";
    a->cfg = *cfg;
    a->gamma = ctx->gamma;
    a->N = N; a->E = E; a->od = od; a->ad = ad; a->R = R;
    a->K = ctx->act_space->kind == ACRL_SPACE_DISCRETE ? ctx->act_space->n : 0;
    acrl_params_init(&a->L.params);
    if (policy_build(&a->L.pol, &a->L.params, od, ctx->act_space, &cfg->pol, maxb, err, errlen) ||
        acrl_params_finalize(&a->L.params, err, errlen)) {
        awr_destroy(a);
        return NULL;
    }
    acrl_rng_seed2(&a->L.rng, ctx->seed, 1);
    if (policy_init(&a->L.pol, &a->L.params, &cfg->pol, &a->L.rng, err, errlen)) { awr_destroy(a); return NULL; }
    a->opt = acrl_optim_default(ACRL_OPT_ADAM);
    a->opt.eps = cfg->adam_eps;
    a->b_obs = calloc(rows * (size_t)od, sizeof(float));
    a->b_act = calloc(rows * (size_t)ad, sizeof(float));
    a->b_rew = calloc(rows, sizeof(float));
    a->b_fobs = calloc(rows * (size_t)od, sizeof(float));
    a->b_last = calloc((size_t)R * (size_t)E * (size_t)od, sizeof(float));
    a->b_flag = calloc(rows, 1);
    a->b_val = calloc(rows, sizeof(float));
    a->b_fval = calloc(rows, sizeof(float));
    a->b_adv = calloc(rows, sizeof(float));
    a->b_ret = calloc(rows, sizeof(float));
    a->t_term = calloc((size_t)N, sizeof(bool));
    a->t_trunc = calloc((size_t)N, sizeof(bool));
    a->tmp_obs = malloc(sizeof(float) * (size_t)N * (size_t)od);
    a->tmp_val = malloc(sizeof(float) * (size_t)N);
    a->mb_obs = malloc(sizeof(float) * (size_t)B * (size_t)od);
    a->mb_act = malloc(sizeof(float) * (size_t)B * (size_t)ad);
    a->mb_adv = malloc(sizeof(float) * (size_t)B);
    a->mb_ret = malloc(sizeof(float) * (size_t)B);
    a->mb_w = malloc(sizeof(float) * (size_t)B);
    a->scratch = malloc(sizeof(float) * 4 * (size_t)B);
    if (rollout_init(&a->ro, cfg->n_steps, E, od, ad) || !a->b_obs || !a->b_act || !a->b_rew || !a->b_fobs ||
        !a->b_last || !a->b_flag || !a->b_val || !a->b_fval || !a->b_adv || !a->b_ret || !a->t_term || !a->t_trunc ||
        !a->tmp_obs || !a->tmp_val || !a->mb_obs || !a->mb_act || !a->mb_adv || !a->mb_ret || !a->mb_w || !a->scratch) {
        snprintf(err, errlen, "out of memory");
        awr_destroy(a);
        return NULL;
    }
    return a;
}

/* ---- the loss --------------------------------------------------------------------------- */

void awr_weights(float* w, float* adv, int B, bool normalize, float beta, float weights_max) {
    if (normalize) normalize_inplace(adv, B);
    for (int i = 0; i < B; i++) {
        float e = expf(adv[i] / beta);
        w[i] = e < weights_max ? e : weights_max;
    }
}

double awr_minibatch_loss(acrl_policy* pol, acrl_params* p, const float* obs, const float* act, const float* w,
                          const float* ret, int B, float ent_coef, float vf_coef, bool backward, float* scratch,
                          double* parts) {
    float *logp = scratch, *ent = scratch + B, *wlogp = scratch + 2 * (size_t)B, *dv = scratch + 3 * (size_t)B;
    policy_forward(pol, p, obs, B);
    policy_evaluate(pol, act, logp, ent);
    double pg = 0, vl = 0, en = 0;
    const float* v = pol->value;
    for (int i = 0; i < B; i++) {
        float d = v[i] - ret[i];
        pg += -(double)w[i] * logp[i];
        vl += 0.5 * (double)d * d;
        en += ent[i];
        wlogp[i] = -w[i] / B;
        dv[i] = vf_coef * d / B;
    }
    parts[0] = pg / B;
    parts[1] = vl / B;
    parts[2] = en / B;
    if (backward) policy_backward(pol, p, act, wlogp, -ent_coef / B, dv);
    return parts[0] - ent_coef * parts[2] + vf_coef * parts[1];
}

/* ---- buffer ----------------------------------------------------------------------------- */

/* After each step of the rollout: the final observation of a copy whose episode was cut by
 * the time limit (its value is recomputed at every update). */
static void awr_step_hook(void* ctx, int t, const acrl_collector* c) {
    awr* a = ctx;
    float* fobs = a->b_fobs + ((size_t)a->next * a->N + (size_t)t * a->E) * a->od;
    for (int e = 0; e < a->E; e++) {
        float* dst = fobs + (size_t)e * a->od;
        if (a->ro.truncated[t * a->E + e]) memcpy(dst, c->final_obs + (size_t)e * a->od, sizeof(float) * (size_t)a->od);
        else memset(dst, 0, sizeof(float) * (size_t)a->od);
    }
}

/* V of n rows of obs into out, in chunks the policy's scratch holds. */
static void values_of(awr* a, const float* obs, int n, float* out) {
    int chunk = a->L.pol.max_batch;
    for (int s = 0; s < n; s += chunk) {
        int m = n - s < chunk ? n - s : chunk;
        policy_forward(&a->L.pol, &a->L.params, obs + (size_t)s * a->od, m);
        memcpy(out + s, a->L.pol.value, sizeof(float) * (size_t)m);
    }
}

/* Values, advantages and returns of every stored rollout under the current critic. */
static void recompute(awr* a) {
    const int N = a->N, E = a->E, od = a->od;
    for (int s = 0; s < a->filled; s++) {
        size_t r0 = (size_t)s * N;
        values_of(a, a->b_obs + r0 * od, N, a->b_val + r0);
        int nt = 0; /* truncated rows: V(final obs) */
        for (int i = 0; i < N; i++) {
            a->t_term[i] = a->b_flag[r0 + i] & 1;
            a->t_trunc[i] = (a->b_flag[r0 + i] >> 1) & 1;
            if (a->t_trunc[i]) memcpy(a->tmp_obs + (size_t)nt++ * od, a->b_fobs + (r0 + i) * od, sizeof(float) * (size_t)od);
        }
        if (nt) values_of(a, a->tmp_obs, nt, a->tmp_val);
        for (int i = 0, k = 0; i < N; i++) a->b_fval[r0 + i] = a->t_trunc[i] ? a->tmp_val[k++] : 0.0f;
        float last[E];
        values_of(a, a->b_last + (size_t)s * E * od, E, last);
        acrl_rollout view = {a->cfg.n_steps, E, od, a->ad, NULL, NULL, NULL, a->b_val + r0, a->b_rew + r0,
                             a->t_term, a->t_trunc, a->b_fval + r0, a->b_adv + r0, a->b_ret + r0, 0, NULL};
        rollout_compute_gae(&view, last, a->gamma, a->cfg.gae_lambda);
    }
}

static int awr_iterate(void* self, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    (void)progress;
    awr* a = self;
    const awr_config* cfg = &a->cfg;
    const int N = a->N, E = a->E, od = a->od, ad = a->ad, B = cfg->batch_size;
    acrl_rollout* r = &a->ro;
    if (onpolicy_collect_hook(&a->L.pol, &a->L.params, r, c, &a->L.rng, a->gamma, cfg->gae_lambda, awr_step_hook, a,
                              err, errlen))
        return -1;
    /* the rollout into the next slot (its final observations are there already) */
    size_t r0 = (size_t)a->next * N;
    memcpy(a->b_obs + r0 * od, r->obs, sizeof(float) * (size_t)N * od);
    memcpy(a->b_act + r0 * ad, r->actions, sizeof(float) * (size_t)N * ad);
    memcpy(a->b_rew + r0, r->rewards, sizeof(float) * (size_t)N);
    for (int i = 0; i < N; i++) a->b_flag[r0 + i] = (uint8_t)(r->terminated[i] | (r->truncated[i] << 1));
    memcpy(a->b_last + (size_t)a->next * E * od, c->obs, sizeof(float) * (size_t)E * od);
    a->next = (a->next + 1) % a->R;
    if (a->filled < a->R) a->filled++;
    recompute(a);

    double sums[3] = {0, 0, 0}, gsum = 0;
    const uint64_t rows = (uint64_t)a->filled * (uint64_t)N;
    for (int step = 0; step < cfg->gradient_steps; step++) {
        for (int k = 0; k < B; k++) {
            size_t i = (size_t)acrl_rng_below(&a->L.rng, rows);
            memcpy(a->mb_obs + (size_t)k * od, a->b_obs + i * od, sizeof(float) * (size_t)od);
            memcpy(a->mb_act + (size_t)k * ad, a->b_act + i * ad, sizeof(float) * (size_t)ad);
            a->mb_adv[k] = a->b_adv[i];
            a->mb_ret[k] = a->b_ret[i];
        }
        awr_weights(a->mb_w, a->mb_adv, B, cfg->normalize_advantage, cfg->beta, cfg->weights_max);
        acrl_params_zero_grad(&a->L.params);
        double parts[3];
        awr_minibatch_loss(&a->L.pol, &a->L.params, a->mb_obs, a->mb_act, a->mb_w, a->mb_ret, B, cfg->ent_coef,
                           cfg->vf_coef, true, a->scratch, parts);
        float gn = acrl_params_clip_grad_norm(&a->L.params, cfg->max_grad_norm > 0 ? cfg->max_grad_norm : INFINITY);
        if (!isfinite(gn) || !isfinite(parts[0]) || !isfinite(parts[1])) {
            snprintf(err, errlen, "non-finite %s in AWR update %ld", !isfinite(gn) ? "gradient" : "loss", a->L.updates);
            return -1;
        }
        acrl_optim_step(&a->opt, &a->L.params, cfg->learning_rate);
        if (policy_boost(&a->L.pol, err, errlen)) return -1;
        a->L.updates++;
        for (int k = 0; k < 3; k++) sums[k] += parts[k];
        gsum += gn;
    }
    if (!acrl_all_finite(a->L.params.param, a->L.params.count)) {
        snprintf(err, errlen, "non-finite parameter after AWR update %ld", a->L.updates);
        return -1;
    }
    int G = cfg->gradient_steps;
    m[M_POLICY_LOSS] = sums[0] / G;
    m[M_VALUE_LOSS] = sums[1] / G;
    m[M_ENTROPY] = sums[2] / G;
    m[M_LR] = cfg->learning_rate;
    m[M_GRAD_NORM] = gsum / G;
    /* the newest rollout as collected (values and GAE of the policy that acted) */
    m[M_EXPLAINED_VAR] = onpolicy_explained_variance(r);
    return 0;
}

/* ---- checkpoints: the learner, then the buffer -------------------------------------------- */

static size_t slot_floats(const awr* a) { return (size_t)a->N * (2 * (size_t)a->od + (size_t)a->ad + 1) + (size_t)a->E * a->od; }

static int awr_save(void* self, acrl_ckpt_writer* w) {
    awr* a = self;
    if (onpolicy_save(self, w)) return -1;
    int64_t meta[2] = {a->filled, a->next};
    size_t n = slot_floats(a) * (size_t)a->R;
    float* buf = malloc(sizeof(float) * (n ? n : 1));
    if (!buf) return -1;
    float* q = buf;
    const size_t N = (size_t)a->N, od = (size_t)a->od, ad = (size_t)a->ad, E = (size_t)a->E;
    for (int s = 0; s < a->R; s++) {
        memcpy(q, a->b_obs + s * N * od, sizeof(float) * N * od); q += N * od;
        memcpy(q, a->b_act + s * N * ad, sizeof(float) * N * ad); q += N * ad;
        memcpy(q, a->b_rew + s * N, sizeof(float) * N); q += N;
        memcpy(q, a->b_fobs + s * N * od, sizeof(float) * N * od); q += N * od;
        memcpy(q, a->b_last + s * E * od, sizeof(float) * E * od); q += E * od;
    }
    int rc = algo_save_i64s(w, "awr.buffer_meta", meta, 2) ||
             acrl_ckpt_add_copy(w, "awr.buffer", buf, sizeof(float) * n) ||
             acrl_ckpt_add_copy(w, "awr.buffer_flags", a->b_flag, (size_t)a->R * N);
    free(buf);
    return rc ? -1 : 0;
}

static int awr_load(void* self, const acrl_ckpt* c, char* err, size_t errlen) {
    awr* a = self;
    if (onpolicy_load(self, c, err, errlen)) return -1;
    int64_t meta[2];
    if (algo_load_i64s(c, "awr.buffer_meta", meta, 2, err, errlen)) return -1;
    if (meta[0] < 0 || meta[0] > a->R || meta[1] < 0 || meta[1] >= a->R || (meta[0] < a->R && meta[1] != meta[0])) {
        snprintf(err, errlen, "checkpoint section 'awr.buffer_meta' holds %lld filled slots, next %lld (buffer_rollouts %d)",
                 (long long)meta[0], (long long)meta[1], a->R);
        return -1;
    }
    const size_t N = (size_t)a->N, od = (size_t)a->od, ad = (size_t)a->ad, E = (size_t)a->E, n = slot_floats(a) * a->R;
    const float* buf = acrl_ckpt_get(c, "awr.buffer", sizeof(float) * n, err, errlen);
    const uint8_t* flags = buf ? acrl_ckpt_get(c, "awr.buffer_flags", (size_t)a->R * N, err, errlen) : NULL;
    if (!flags) return -1;
    float* tmp = malloc(sizeof(float) * (n ? n : 1));
    if (!tmp) { snprintf(err, errlen, "out of memory"); return -1; }
    memcpy(tmp, buf, sizeof(float) * n);
    bool ok = acrl_all_finite(tmp, n);
    for (size_t i = 0; ok && i < (size_t)a->R * N; i++) ok = flags[i] <= 2;
    /* Discrete actions index the logits: whole numbers in [0, K) */
    for (int s = 0; ok && a->K && s < a->R; s++) {
        const float* act = tmp + (size_t)s * slot_floats(a) + N * od;
        for (size_t i = 0; ok && i < N; i++) ok = act[i] >= 0 && act[i] < a->K && act[i] == floorf(act[i]);
    }
    if (!ok) {
        free(tmp);
        snprintf(err, errlen, "checkpoint section 'awr.buffer' or 'awr.buffer_flags' holds an invalid value "
                              "(NaN, Inf, a flag above 2 or an action outside the action space)");
        return -1;
    }
    const float* q = tmp;
    for (int s = 0; s < a->R; s++) {
        memcpy(a->b_obs + s * N * od, q, sizeof(float) * N * od); q += N * od;
        memcpy(a->b_act + s * N * ad, q, sizeof(float) * N * ad); q += N * ad;
        memcpy(a->b_rew + s * N, q, sizeof(float) * N); q += N;
        memcpy(a->b_fobs + s * N * od, q, sizeof(float) * N * od); q += N * od;
        memcpy(a->b_last + s * E * od, q, sizeof(float) * E * od); q += E * od;
    }
    free(tmp);
    memcpy(a->b_flag, flags, (size_t)a->R * N);
    a->filled = (int)meta[0];
    a->next = (int)meta[1];
    return 0;
}

const acrl_algo acrl_algo_awr = {
    "awr", "Advantage-Weighted Regression (GBRL's; a buffer of recent rollouts), Discrete and Box actions",
    sizeof(awr_config), awr_table, awr_defaults,
    awr_create, awr_iterate, onpolicy_act, awr_save, awr_load, onpolicy_params, awr_destroy,
    onpolicy_act_rng,
    NULL, /* no Q critic */
};
