/* Two-stage constrained actor-critic (Cai et al., WWW 2023, arXiv 2302.01680), on PPO's
 * pieces, for envs with K cost signals.
 *
 * Stage one (the first stage1_fraction of the run's steps, split evenly between the K
 * signals): policy i with its own critic learns to maximize the auxiliary signal -cost_i
 * by PPO (ppo.h: the same collection and clipped update, the rollout's rewards replaced
 * by -cost_i). Stage two (the rest): the main policy maximizes the reward while staying
 * close to the stage-one policies,
 *     max_pi  E_pi[A(s, a)] - sum_i lambda_i KL(pi(.|s) || pi_i(.|s)),
 * whose maximizer is pi*(a|s) proportional to prod_i pi_i(a|s)^(lambda_i / L) exp(A(s, a) / L),
 * L = sum_i lambda_i (the dual variables lambda_i are `kl_lambda`, one per signal).
 * The main policy pi_theta is fitted to pi* by minimizing KL(pi* || pi_theta) with samples
 * from the behaviour policy b that collected the rollout: the loss is
 *     -mean_j w_j log pi_theta(a_j | s_j),  w_j = pi*(a_j|s_j) / b(a_j|s_j)
 * self-normalized over the minibatch and clipped at weight_clip (tscac_weights), plus the
 * reward critic's vf_coef * MSE. This derivation of the stage-two loss is acrl's, from the
 * problem the paper states; the paper's own (recommender) implementation was not available.
 *
 * One command runs both stages; the checkpoint holds the main learner (`tscac.main`) and
 * every stage-one learner (`tscac.aux0`, ...), so a run directory keeps both stages'
 * policies. Acting and evaluation use the main policy (untrained during stage one). */
#include "algo/tscac.h"

#include "algo/algo.h"
#include "algo/onpolicy.h"
#include "algo/ppo.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/size.h"

void tscac_weights(float* w, const float* const* logp_aux, const double* lambda, int K, const float* logp_b,
                   const float* adv, int B, float wmax) {
    double L = 0;
    for (int i = 0; i < K; i++) L += lambda[i];
    double mx = -INFINITY;
    double lw[B > 0 ? B : 1];
    for (int j = 0; j < B; j++) {
        double s = adv[j] / L;
        for (int i = 0; i < K; i++) s += lambda[i] / L * ((double)logp_aux[i][j] - (double)logp_b[j]);
        lw[j] = s;
        if (s > mx) mx = s;
    }
    double sum = 0;
    for (int j = 0; j < B; j++) sum += lw[j] = exp(lw[j] - mx);
    double mean = sum / B;
    for (int j = 0; j < B; j++) {
        double x = lw[j] / mean;
        w[j] = (float)(x > wmax ? wmax : x);
    }
}

typedef struct {
    ppo_config ppo;            /* first: PPO's table applies at offset 0 */
    float stage1_fraction;     /* share of the run's steps for stage one */
    float kl_lambda;           /* lambda_i of every signal */
    float weight_clip;         /* clip of the self-normalized stage-two weights */
} tscac_config;

static void tscac_defaults(void* cfgp) {
    tscac_config* c = cfgp;
    memset(c, 0, sizeof *c);
    ppo_defaults(&c->ppo);
    c->ppo.lr_schedule = 1;
    c->ppo.target_kl = 0.02f;
    c->ppo.max_grad_norm = 40.0f;
    c->stage1_fraction = 0.2f;
    c->kl_lambda = 0.2f;
    c->weight_clip = 20.0f;
}

#define F(k, lo, hi, h) {#k, ACRL_CFG_FLOAT, offsetof(tscac_config, k), lo, hi, NULL, h}
static const acrl_config_entry tscac_table[] = {
    PPO_CONFIG_ENTRIES(0),
    F(stage1_fraction, 0.001, 0.999, "share of the run's steps for stage one (split between the cost signals)"),
    F(kl_lambda, 1e-6, 1e6, "dual variable lambda_i weighting the KL to each stage-one policy"),
    F(weight_clip, 1, 1e6, "clip of the self-normalized stage-two weights"),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef F

static const char* const aux_names[ACRL_MAX_COSTS] = {"tscac.aux0", "tscac.aux1", "tscac.aux2", "tscac.aux3",
                                                      "tscac.aux4", "tscac.aux5", "tscac.aux6", "tscac.aux7"};

typedef struct {
    void* main;                  /* ppo learners (ppo.h) */
    void* aux[ACRL_MAX_COSTS];
    int   K;
    tscac_config cfg;
    float gamma;
    acrl_optim opt;
    int   cur;                   /* signal whose costs the collection hook writes */
    /* stage-two minibatch scratch (batch_size) */
    int   B;
    float *mb_obs, *mb_act, *mb_adv, *mb_ret, *mb_oldlogp, *logp, *ent, *wlogp, *dv, *w;
    float *aux_logp[ACRL_MAX_COSTS];
    int*  perm;
    double last_stage, last_wmax;
} tscac;

static void tscac_destroy(void* self) {
    tscac* a = self;
    if (!a) return;
    ppo_destroy(a->main);
    for (int i = 0; i < a->K; i++) { ppo_destroy(a->aux[i]); free(a->aux_logp[i]); }
    free(a->mb_obs); free(a->mb_act); free(a->mb_adv); free(a->mb_ret); free(a->mb_oldlogp);
    free(a->logp); free(a->ent); free(a->wlogp); free(a->dv); free(a->w); free(a->perm);
    free(a);
}

static void* tscac_create(const void* cfgp, const acrl_algo_ctx* ctx, char* err, size_t errlen) {
    const tscac_config* cfg = cfgp;
    acrl_env_options eo = acrl_env_options_default();
    acrl_env* probe = acrl_env_make(ctx->env_id, &eo, err, errlen);
    if (!probe) return NULL;
    int K = acrl_env_num_costs(probe);
    acrl_env_close(probe);
    if (K < 1) {
        snprintf(err, errlen, "tscac needs an env with cost signals (e.g. SafetyHopperVelocity-v1); %s has none",
                 ctx->env_id);
        return NULL;
    }
    tscac* a = calloc(1, sizeof *a);
    if (!a) { snprintf(err, errlen, "out of memory"); return NULL; }
    a->cfg = *cfg;
    a->gamma = ctx->gamma;
    a->main = ppo_create(&cfg->ppo, ctx, err, errlen);
    if (!a->main) { free(a); return NULL; }
    ((onpolicy_learner*)a->main)->name = "tscac.main";
    for (int i = 0; i < K; i++) {
        acrl_algo_ctx c2 = *ctx;
        c2.seed = ctx->seed + 1000u * (uint64_t)(i + 1);   /* own initial weights and sampling */
        a->aux[i] = ppo_create(&cfg->ppo, &c2, err, errlen);
        if (!a->aux[i]) { tscac_destroy(a); return NULL; }
        a->K = i + 1;
        ((onpolicy_learner*)a->aux[i])->name = aux_names[i];
    }
    int N = cfg->ppo.n_steps * ctx->num_envs, od = ctx->obs_space->dim;
    int ad = ctx->act_space->kind == ACRL_SPACE_DISCRETE ? 1 : ctx->act_space->dim;
    int B = cfg->ppo.batch_size < N ? cfg->ppo.batch_size : N;
    a->B = B;
    size_t b = (size_t)B;
    a->mb_obs = malloc(sizeof(float) * b * (size_t)od);
    a->mb_act = malloc(sizeof(float) * b * (size_t)ad);
    a->mb_adv = malloc(sizeof(float) * b);
    a->mb_ret = malloc(sizeof(float) * b);
    a->mb_oldlogp = malloc(sizeof(float) * b);
    a->logp = malloc(sizeof(float) * b);
    a->ent = malloc(sizeof(float) * b);
    a->wlogp = malloc(sizeof(float) * b);
    a->dv = malloc(sizeof(float) * b);
    a->w = malloc(sizeof(float) * b);
    a->perm = malloc(sizeof(int) * (size_t)N);
    bool ok = a->mb_obs && a->mb_act && a->mb_adv && a->mb_ret && a->mb_oldlogp && a->logp && a->ent && a->wlogp &&
              a->dv && a->w && a->perm;
    for (int i = 0; i < K; i++) ok = ok && (a->aux_logp[i] = malloc(sizeof(float) * b));
    if (!ok) { snprintf(err, errlen, "out of memory"); tscac_destroy(a); return NULL; }
    a->opt = acrl_optim_default(ACRL_OPT_ADAM);
    a->opt.eps = cfg->ppo.adam_eps;
    a->last_stage = a->last_wmax = NAN;
    return a;
}

/* stage one: the rollout's rewards become -cost_cur (raw) */
static void tscac_step(void* ctx, int t, const acrl_collector* c) {
    tscac* a = ctx;
    acrl_rollout* r = ppo_rollout(a->aux[a->cur]);
    for (int e = 0; e < c->num_envs; e++)
        r->rewards[(size_t)t * c->num_envs + e] = -c->costs[(size_t)e * c->num_costs + a->cur];
}

/* One stage-two minibatch of nb rows; returns 0, 1 (KL stop) or -1. */
static int stage2_minibatch(tscac* a, int nb, float lr, double* sums, char* err, size_t errlen) {
    onpolicy_learner* L = a->main;
    const ppo_config* pc = &a->cfg.ppo;
    for (int i = 0; i < a->K; i++) {
        onpolicy_learner* X = a->aux[i];
        policy_forward(&X->pol, &X->params, a->mb_obs, nb);
        policy_evaluate(&X->pol, a->mb_act, a->aux_logp[i], NULL);
    }
    double lam[ACRL_MAX_COSTS];
    for (int i = 0; i < a->K; i++) lam[i] = a->cfg.kl_lambda;
    tscac_weights(a->w, (const float* const*)a->aux_logp, lam, a->K, a->mb_oldlogp, a->mb_adv, nb, a->cfg.weight_clip);
    policy_forward(&L->pol, &L->params, a->mb_obs, nb);
    policy_evaluate(&L->pol, a->mb_act, a->logp, a->ent);
    double pl = 0, vl = 0, en = 0, kl = 0, wmax = 0;
    for (int j = 0; j < nb; j++) {
        float lr_j = a->logp[j] - a->mb_oldlogp[j];
        kl += (expf(lr_j) - 1) - lr_j;
        pl += -a->w[j] * a->logp[j];
        a->wlogp[j] = -a->w[j] / nb;
        float d = L->pol.value[j] - a->mb_ret[j];
        vl += (double)d * d;
        a->dv[j] = pc->vf_coef * 2.0f * d / nb;
        en += a->ent[j];
        if (a->w[j] > wmax) wmax = a->w[j];
    }
    double akl = kl / nb;
    if (pc->target_kl > 0 && akl > 1.5 * pc->target_kl) return 1;
    acrl_params_zero_grad(&L->params);
    policy_backward(&L->pol, &L->params, a->mb_act, a->wlogp, -pc->ent_coef / nb, a->dv);
    float gn = acrl_params_clip_grad_norm(&L->params, pc->max_grad_norm > 0 ? pc->max_grad_norm : INFINITY);
    if (!isfinite(gn) || !isfinite(pl) || !isfinite(vl)) {
        snprintf(err, errlen, "non-finite %s in the tscac stage-two update", isfinite(gn) ? "loss" : "gradient");
        return -1;
    }
    acrl_optim_step(&a->opt, &L->params, lr);
    L->updates++;
    sums[M_POLICY_LOSS] += pl / nb;
    sums[M_VALUE_LOSS] += vl / nb;
    sums[M_ENTROPY] += en / nb;
    sums[M_APPROX_KL] += akl;
    sums[M_GRAD_NORM] += gn;
    if (wmax > a->last_wmax || isnan(a->last_wmax)) a->last_wmax = wmax;
    return 0;
}

static int tscac_iterate(void* self, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    tscac* a = self;
    const ppo_config* pc = &a->cfg.ppo;
    double f = a->cfg.stage1_fraction;
    if (progress < f) {   /* stage one: signal i's segment */
        int i = (int)(progress / f * a->K);
        if (i >= a->K) i = a->K - 1;
        double seg = f / a->K, p = (progress - i * seg) / seg;
        onpolicy_learner* X = a->aux[i];
        a->cur = i;
        if (onpolicy_collect_hook(&X->pol, &X->params, ppo_rollout(X), c, &X->rng, a->gamma, pc->gae_lambda,
                                  tscac_step, a, err, errlen))
            return -1;
        /* (the hook replaced each step's reward before GAE, which runs after the last step) */
        if (ppo_train_rollout(X, p, m, NULL, NULL, err, errlen)) return -1;
        a->last_stage = 1;
        return 0;
    }
    /* stage two */
    onpolicy_learner* L = a->main;
    acrl_rollout* r = ppo_rollout(L);
    if (onpolicy_collect(&L->pol, &L->params, r, c, &L->rng, a->gamma, pc->gae_lambda, err, errlen)) return -1;
    double p = (progress - f) / (1 - f);
    float lr = acrl_lr_schedule(pc->lr_schedule ? ACRL_LR_LINEAR : ACRL_LR_CONSTANT, pc->learning_rate, (float)p);
    int N = r->num_steps * r->num_envs, od = r->obs_dim, ad = r->act_dim, B = a->B;
    normalize_inplace(r->advantages, N);
    double sums[M_COUNT] = {0};
    int nmb = 0, stop = 0;
    a->last_wmax = NAN;
    for (int i = 0; i < N; i++) a->perm[i] = i;
    for (int epoch = 0; epoch < pc->n_epochs && !stop; epoch++) {
        for (int i = N - 1; i > 0; i--) {
            int j = (int)acrl_rng_below(&L->rng, (uint64_t)i + 1);
            int t = a->perm[i]; a->perm[i] = a->perm[j]; a->perm[j] = t;
        }
        for (int start = 0; start < N; start += B) {
            int nb = N - start < B ? N - start : B;
            for (int k = 0; k < nb; k++) {
                int i = a->perm[start + k];
                memcpy(a->mb_obs + (size_t)k * od, r->obs + (size_t)i * od, sizeof(float) * (size_t)od);
                memcpy(a->mb_act + (size_t)k * ad, r->actions + (size_t)i * ad, sizeof(float) * (size_t)ad);
                a->mb_adv[k] = r->advantages[i];
                a->mb_ret[k] = r->returns[i];
                a->mb_oldlogp[k] = r->logprobs[i];
            }
            int rc = stage2_minibatch(a, nb, lr, sums, err, errlen);
            if (rc < 0) return -1;
            if (rc > 0) { stop = 1; break; }
            nmb++;
        }
    }
    if (!acrl_all_finite(L->params.param, L->params.count)) {
        snprintf(err, errlen, "non-finite parameter after tscac update %ld", L->updates);
        return -1;
    }
    for (int k = 0; k < M_COUNT; k++) m[k] = nmb ? sums[k] / nmb : NAN;
    m[M_CLIP_FRAC] = NAN;
    m[M_LR] = lr;
    m[M_EXPLAINED_VAR] = onpolicy_explained_variance(r);
    m[M_Q_LOSS] = m[M_ALPHA] = NAN;
    a->last_stage = 2;
    return 0;
}

static void tscac_act(void* self, const float* obs, int n, float* actions, bool deterministic) {
    onpolicy_act(((tscac*)self)->main, obs, n, actions, deterministic);
}

static int tscac_save(void* self, acrl_ckpt_writer* w) {
    tscac* a = self;
    if (onpolicy_save(a->main, w)) return -1;
    for (int i = 0; i < a->K; i++)
        if (onpolicy_save(a->aux[i], w)) return -1;
    return 0;
}

static int tscac_load(void* self, const acrl_ckpt* c, char* err, size_t errlen) {
    tscac* a = self;
    if (onpolicy_load(a->main, c, err, errlen)) return -1;
    for (int i = 0; i < a->K; i++)
        if (onpolicy_load(a->aux[i], c, err, errlen)) return -1;
    return 0;
}

static acrl_params* tscac_params(void* self) { return onpolicy_params(((tscac*)self)->main); }
static acrl_rng* tscac_act_rng(void* self) { return onpolicy_act_rng(((tscac*)self)->main); }

static const char* const tscac_extra_names[] = {"tscac_stage", "tscac_max_weight"};
static void tscac_extra_values(void* self, double* out) {
    tscac* a = self;
    out[0] = a->last_stage;
    out[1] = a->last_wmax;
}

const acrl_algo acrl_algo_tscac = {
    "tscac", "Two-stage constrained actor-critic: per-cost PPO policies, then the main policy KL-tied to them",
    sizeof(tscac_config), tscac_table, tscac_defaults,
    tscac_create, tscac_iterate, tscac_act, tscac_save, tscac_load, tscac_params, tscac_destroy,
    tscac_act_rng,
    NULL, /* no Q critic */
};

const acrl_algo_extra acrl_algo_tscac_extra = {&acrl_algo_tscac, 2, tscac_extra_names, tscac_extra_values};
