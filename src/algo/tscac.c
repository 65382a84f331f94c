/* Two-stage constrained actor-critic (Cai et al., WWW 2023, arXiv 2302.01680) for envs with
 * K cost signals, on PPO-Lagrangian's and PPO's pieces.
 *
 * Stage one (the first stage1_fraction of the run's steps, split evenly between the K
 * signals): for each signal i a PPO-Lagrangian learner (ppo_lag.h) learns pi_i, the best
 * policy for the reward it can find with that signal's episode cost under cost_limit: a
 * policy that keeps moving within the constraint, where maximizing -cost_i alone would
 * teach Hopper to fall over at once.
 *
 * Stage two (the rest): the main policy pi_theta, started from pi_0, solves the paper's
 *     max_pi E[A(s, a)]  subject to  KL(pi(.|s) || pi_i(.|s)) <= kl_target  for every i
 * through its Lagrangian E[A] - sum_i lambda_i (KL_i - kl_target): the paper's closed form
 * pi* ~ prod_i pi_i^(lambda_i / L) exp(A / L) (L = sum lambda_i) is this Lagrangian's
 * maximizer; acrl climbs the same Lagrangian by gradient steps instead of fitting pi*
 * from importance-weighted samples, which needs no weight clipping. Per minibatch:
 *     PPO's clipped surrogate on the (standardized) reward advantage
 *     + sum_i lambda_i mean_s KL(pi_theta(.|s) || pi_i(.|s))  (analytic for the Gaussians)
 *     + vf_coef * (V - R)^2,
 * and once per rollout, before the update, projected dual ascent on each lambda_i with
 * the mean KL over the rollout's states (tscac_dual_step): lambda_i >= kl_lambda_min.
 * The observation statistics stay frozen in stage two, so the stage-one policies see the
 * inputs they were trained on.
 *
 * One command runs both stages. The checkpoint (and so the run directory's last.ckpt and
 * final.ckpt) holds the main learner (`tscac.main.*`), every stage-one learner
 * (`tscac.aux0.*`, `tscac.aux0.cost.*`, `tscac.aux0.lambda`, ...) and the duals
 * (`tscac.dual`). During stage one the main policy is a copy of pi_0 after each of its
 * updates, so acting, evaluation and policy.ckpt show pi_0 (with K > 1, also during the
 * later signals' segments) until stage two trains the main policy itself. */
#include "algo/tscac.h"

#include "algo/algo.h"
#include "algo/onpolicy.h"
#include "algo/ppo.h"
#include "algo/ppo_lag.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/le.h"

void tscac_gauss_kl(double* kl, float* dmu, float* dls, const float* mu, const float* ls, const float* mu_k,
                    const float* ls_k, float scale, int B, int D) {
    for (int b = 0; b < B; b++) {
        double s = 0;
        for (int d = 0; d < D; d++) {
            size_t i = (size_t)b * D + d;
            double var = exp(2.0 * ls[i]), var_k = exp(2.0 * ls_k[i]), dm = (double)mu[i] - mu_k[i];
            s += (double)ls_k[i] - ls[i] + (var + dm * dm) / (2.0 * var_k) - 0.5;
            if (dmu) dmu[i] += (float)(scale * dm / var_k);
            if (dls) dls[i] += (float)(scale * (var / var_k - 1.0));
        }
        if (kl) kl[b] = s;
    }
}

double tscac_dual_step(double lambda, double kl, double target, double lr, double lambda_min) {
    double x = lambda + lr * (kl - target);
    return x > lambda_min ? x : lambda_min;   /* (NaN: lambda_min) */
}

void tscac_policy_backward(acrl_policy* pol, acrl_params* p, const float* dmu, const float* dls, const float* dvalue) {
    acrl_gauss_log_std_backward(p->grad + pol->log_std_off, dls, p->param + pol->log_std_off, true, -INFINITY,
                                INFINITY, pol->batch, pol->act_dim);
    policy_backward_outputs(pol, p, dmu, dvalue);
}

typedef struct {
    ppo_lag_config lag;        /* first: PPO-Lagrangian's table (and PPO's inside) applies at offset 0 */
    float stage1_fraction;     /* share of the run's steps for stage one */
    float kl_lambda;           /* initial dual variable lambda_i of every signal */
    float kl_lambda_min;       /* floor of the dual variables */
    float kl_lambda_lr;        /* dual ascent step size */
    float kl_target;           /* the KL bound to each stage-one policy */
} tscac_config;

static void tscac_defaults(void* cfgp) {
    tscac_config* c = cfgp;
    memset(c, 0, sizeof *c);
    ppo_lag_defaults(&c->lag);
    c->stage1_fraction = 0.5f;
    c->kl_lambda = 1.0f;
    c->kl_lambda_min = 0.1f;
    c->kl_lambda_lr = 20.0f;
    c->kl_target = 0.002f;
}

#define F(k, lo, hi, h) {#k, ACRL_CFG_FLOAT, offsetof(tscac_config, k), lo, hi, NULL, h}
static const acrl_config_entry tscac_table[] = {
    PPO_LAG_CONFIG_ENTRIES(0),
    F(stage1_fraction, 0.001, 0.999, "share of the run's steps for stage one (split between the cost signals)"),
    F(kl_lambda, 0, 1e6, "initial dual variable lambda_i weighting the KL to stage-one policy i"),
    F(kl_lambda_min, 0, 1e6, "floor of the dual variables (at most kl_lambda)"),
    F(kl_lambda_lr, 0, 1e6, "dual ascent step: lambda_i += kl_lambda_lr * (KL_i - kl_target) per rollout"),
    F(kl_target, 0, 1e6, "bound on the mean KL from the main policy to each stage-one policy"),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef F

static const char* const aux_names[ACRL_MAX_COSTS] = {"tscac.aux0", "tscac.aux1", "tscac.aux2", "tscac.aux3",
                                                      "tscac.aux4", "tscac.aux5", "tscac.aux6", "tscac.aux7"};

typedef struct {
    void*        main;           /* the main PPO learner (ppo.h; an onpolicy_learner first) */
    ppo_lag*     aux[ACRL_MAX_COSTS];
    int          K;
    tscac_config cfg;
    float        gamma;
    acrl_optim   opt;            /* the main policy's Adam (its moments live in its store) */
    double       lambda[ACRL_MAX_COSTS];  /* the dual variables */
    int64_t      rollouts2;      /* stage-two rollouts done */
    int          B, N, D;        /* minibatch rows, rollout rows, action dims */
    /* per rollout (N, D): the stage-one policies' means and log-stds at the rollout's states */
    float*       aux_mu[ACRL_MAX_COSTS];
    float*       aux_ls[ACRL_MAX_COSTS];
    /* minibatch scratch (B rows) */
    int*   perm;                 /* (N) */
    int*   rows;                 /* (B) rollout rows of the minibatch */
    float *mb_obs, *mb_act, *mb_adv, *mb_ret, *mb_oldlogp, *mb_mu, *mb_ls, *logp, *ent, *wlogp, *dv, *dmu, *dls;
    double* kl;                  /* (B) */
    /* logged */
    double last_stage, last_kl;
    uint8_t dual_buf[16 + 8 * ACRL_MAX_COSTS];
} tscac;

static void tscac_destroy(void* self) {
    tscac* a = self;
    if (!a) return;
    ppo_destroy(a->main);
    for (int i = 0; i < a->K; i++) { ppo_lag_free(a->aux[i]); free(a->aux_mu[i]); free(a->aux_ls[i]); }
    free(a->perm); free(a->rows);
    free(a->mb_obs); free(a->mb_act); free(a->mb_adv); free(a->mb_ret); free(a->mb_oldlogp); free(a->mb_mu);
    free(a->mb_ls); free(a->logp); free(a->ent); free(a->wlogp); free(a->dv); free(a->dmu); free(a->dls);
    free(a->kl);
    free(a);
}

static void* tscac_create(const void* cfgp, const acrl_algo_ctx* ctx, char* err, size_t errlen) {
    const tscac_config* cfg = cfgp;
    const ppo_config* pc = &cfg->lag.ppo;
    if (cfg->kl_lambda_min > cfg->kl_lambda) {
        snprintf(err, errlen, "kl_lambda_min = %g is above kl_lambda = %g (the dual variables start at kl_lambda "
                 "and stay at or above kl_lambda_min)", cfg->kl_lambda_min, cfg->kl_lambda);
        return NULL;
    }
    if (pc->pol.model != 0) {
        snprintf(err, errlen, "tscac needs model = mlp: stage two's KL term is on the Gaussian policies' means and "
                 "log-std (model = gbrl has no such network)");
        return NULL;
    }
    if (pc->pol.use_sde) {
        snprintf(err, errlen, "tscac does not support use_sde: stage two's KL term needs a state-independent "
                 "log-std (set use_sde = 0)");
        return NULL;
    }
    if (ctx->act_space->kind == ACRL_SPACE_DISCRETE) {
        snprintf(err, errlen, "tscac needs a Box action space (its KL term is between Gaussian policies); %s has "
                 "Discrete actions", ctx->env_id);
        return NULL;
    }
    if (ctx->layout || ctx->critic_dim > 0) {
        snprintf(err, errlen, "tscac does not support %s", ctx->layout ? "shards > 1 or mpirun" : "critic_obs = state");
        return NULL;
    }
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
    a->main = ppo_create(pc, ctx, err, errlen);
    if (!a->main) { free(a); return NULL; }
    ((onpolicy_learner*)a->main)->name = "tscac.main";
    for (int i = 0; i < K; i++) {
        acrl_algo_ctx c2 = *ctx;
        c2.seed = ctx->seed + 1000u * (uint64_t)(i + 1);   /* own initial weights and sampling */
        a->aux[i] = ppo_lag_init(&cfg->lag, &c2, i, aux_names[i], err, errlen);
        if (!a->aux[i]) { tscac_destroy(a); return NULL; }
        a->K = i + 1;
        a->lambda[i] = cfg->kl_lambda;
    }
    int N = pc->n_steps * ctx->num_envs, od = ctx->obs_space->dim, D = ctx->act_space->dim;
    int B = pc->batch_size < N ? pc->batch_size : N;
    a->B = B;
    a->N = N;
    a->D = D;
    size_t b = (size_t)B, bd = b * (size_t)D;
    a->perm = malloc(sizeof(int) * (size_t)N);
    a->rows = malloc(sizeof(int) * b);
    a->mb_obs = malloc(sizeof(float) * b * (size_t)od);
    a->mb_act = malloc(sizeof(float) * bd);
    a->mb_adv = malloc(sizeof(float) * b);
    a->mb_ret = malloc(sizeof(float) * b);
    a->mb_oldlogp = malloc(sizeof(float) * b);
    a->mb_mu = malloc(sizeof(float) * bd);
    a->mb_ls = malloc(sizeof(float) * bd);
    a->logp = malloc(sizeof(float) * b);
    a->ent = malloc(sizeof(float) * b);
    a->wlogp = malloc(sizeof(float) * b);
    a->dv = malloc(sizeof(float) * b);
    a->dmu = malloc(sizeof(float) * bd);
    a->dls = malloc(sizeof(float) * bd);
    a->kl = malloc(sizeof(double) * b);
    bool ok = a->perm && a->rows && a->mb_obs && a->mb_act && a->mb_adv && a->mb_ret && a->mb_oldlogp && a->mb_mu &&
              a->mb_ls && a->logp && a->ent && a->wlogp && a->dv && a->dmu && a->dls && a->kl;
    for (int i = 0; i < K; i++) {
        a->aux_mu[i] = malloc(sizeof(float) * (size_t)N * (size_t)D);
        a->aux_ls[i] = malloc(sizeof(float) * (size_t)N * (size_t)D);
        ok = ok && a->aux_mu[i] && a->aux_ls[i];
    }
    if (!ok) { snprintf(err, errlen, "out of memory"); tscac_destroy(a); return NULL; }
    a->opt = acrl_optim_default(ACRL_OPT_ADAM);
    a->opt.eps = pc->adam_eps;
    a->last_stage = a->last_kl = NAN;
    return a;
}

/* The main learner's weights := stage-one policy 0's (same architecture and layout). */
static void copy_policy0(tscac* a) {
    onpolicy_learner *L = a->main, *X = ppo_lag_learner(a->aux[0]);
    memcpy(L->params.param, X->params.param, sizeof(float) * L->params.count);
}

/* Stage one: signal i's PPO-Lagrangian learner on its segment of the steps. */
static int stage1_iterate(tscac* a, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    double f = a->cfg.stage1_fraction;
    int i = (int)(progress / f * a->K);
    if (i >= a->K) i = a->K - 1;
    double seg = f / a->K, p = (progress - i * seg) / seg;
    c->obs_stats_frozen = false;
    if (ppo_lag_collect(a->aux[i], c, err, errlen) || ppo_lag_update(a->aux[i], c, p, m, err, errlen)) return -1;
    if (i == 0) copy_policy0(a);
    a->last_stage = 1;
    return 0;
}

/* Rows rows[0..n) of the rollout: the stage-one policies' means and log-stds into aux_*, and
 * (when kl_sum is not NULL) the main policy's KL to each added into kl_sum (K). */
static void stage2_reference(tscac* a, const acrl_rollout* r, int start, int n, double* kl_sum) {
    onpolicy_learner* L = a->main;
    int od = r->obs_dim, D = a->D;
    const float* obs = r->obs + (size_t)start * od;
    if (kl_sum) policy_forward(&L->pol, &L->params, obs, n);
    for (int i = 0; i < a->K; i++) {
        onpolicy_learner* X = ppo_lag_learner(a->aux[i]);
        policy_forward(&X->pol, &X->params, obs, n);
        float* mu = a->aux_mu[i] + (size_t)start * D;
        float* ls = a->aux_ls[i] + (size_t)start * D;
        memcpy(mu, X->pol.head, sizeof(float) * (size_t)n * D);
        memcpy(ls, X->pol.log_std, sizeof(float) * (size_t)n * D);
        if (!kl_sum) continue;
        tscac_gauss_kl(a->kl, NULL, NULL, L->pol.head, L->pol.log_std, mu, ls, 0.0f, n, D);
        for (int b = 0; b < n; b++) kl_sum[i] += a->kl[b];
    }
}

/* One stage-two minibatch of nb rows (mb_* filled); returns 0, 1 (target-KL stop) or -1. */
static int stage2_minibatch(tscac* a, int nb, float lr, float clip, double* sums, char* err, size_t errlen) {
    onpolicy_learner* L = a->main;
    const ppo_config* pc = &a->cfg.lag.ppo;
    int D = a->D;
    size_t bd = (size_t)nb * D;
    policy_forward(&L->pol, &L->params, a->mb_obs, nb);
    policy_evaluate(&L->pol, a->mb_act, a->logp, a->ent);
    double pg = 0, vl = 0, en = 0, akl = 0;
    for (int j = 0; j < nb; j++) {
        float logratio = a->logp[j] - a->mb_oldlogp[j];
        float ratio = expf(logratio), A = a->mb_adv[j];
        float rc = ratio < 1 - clip ? 1 - clip : ratio > 1 + clip ? 1 + clip : ratio;
        float l1 = -A * ratio, l2 = -A * rc;
        bool inside = ratio >= 1 - clip && ratio <= 1 + clip;
        pg += l1 > l2 ? l1 : l2;
        a->wlogp[j] = (l1 >= l2 || inside) ? -A * ratio / nb : 0.0f;
        akl += (ratio - 1) - logratio;
        en += a->ent[j];
        float d = L->pol.value[j] - a->mb_ret[j];
        vl += (double)d * d;
        a->dv[j] = pc->vf_coef * 2.0f * d / nb;
    }
    akl /= nb;
    if (pc->target_kl > 0 && akl > 1.5 * pc->target_kl) return 1;   /* as PPO */
    /* gradients with respect to the means and the (broadcast) log-std: the surrogate, the
     * entropy bonus, then each KL term sum_i lambda_i mean_b KL_i(b) */
    memset(a->dmu, 0, sizeof(float) * bd);
    memset(a->dls, 0, sizeof(float) * bd);
    acrl_gauss_log_prob_backward(a->dmu, a->dls, a->wlogp, a->mb_act, L->pol.head, L->pol.log_std, 1.0f, nb, D);
    if (pc->ent_coef != 0.0f) acrl_gauss_entropy_backward(a->dls, NULL, -pc->ent_coef / nb, nb, D);
    double klt = 0;
    for (int i = 0; i < a->K; i++) {
        for (int j = 0; j < nb; j++) {
            memcpy(a->mb_mu + (size_t)j * D, a->aux_mu[i] + (size_t)a->rows[j] * D, sizeof(float) * (size_t)D);
            memcpy(a->mb_ls + (size_t)j * D, a->aux_ls[i] + (size_t)a->rows[j] * D, sizeof(float) * (size_t)D);
        }
        tscac_gauss_kl(a->kl, a->dmu, a->dls, L->pol.head, L->pol.log_std, a->mb_mu, a->mb_ls,
                       (float)(a->lambda[i] / nb), nb, D);
        for (int j = 0; j < nb; j++) klt += a->lambda[i] * a->kl[j] / nb;
    }
    acrl_params_zero_grad(&L->params);
    tscac_policy_backward(&L->pol, &L->params, a->dmu, a->dls, a->dv);
    float gn = acrl_params_clip_grad_norm(&L->params, pc->max_grad_norm > 0 ? pc->max_grad_norm : INFINITY);
    if (!isfinite(gn) || !isfinite(pg) || !isfinite(vl) || !isfinite(klt)) {
        snprintf(err, errlen, "non-finite %s in tscac stage-two update %ld",
                 !isfinite(gn) ? "gradient" : !isfinite(klt) ? "KL term" : "loss", L->updates);
        return -1;
    }
    acrl_optim_step(&a->opt, &L->params, lr);
    L->updates++;
    sums[M_POLICY_LOSS] += pg / nb + klt;
    sums[M_VALUE_LOSS] += vl / nb;
    sums[M_ENTROPY] += en / nb;
    sums[M_APPROX_KL] += akl;
    sums[M_GRAD_NORM] += gn;
    return 0;
}

/* Stage two: collect with the main policy, one dual step per signal, PPO's epochs on the
 * Lagrangian. */
static int stage2_iterate(tscac* a, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    const ppo_config* pc = &a->cfg.lag.ppo;
    onpolicy_learner* L = a->main;
    acrl_rollout* r = ppo_rollout(a->main);
    c->obs_stats_frozen = true;
    if (onpolicy_collect(&L->pol, &L->params, r, c, &L->rng, a->gamma, pc->gae_lambda, err, errlen)) return -1;
    int N = a->N, B = a->B, od = r->obs_dim, D = a->D;
    double kl_sum[ACRL_MAX_COSTS] = {0};
    for (int s = 0; s < N; s += B) stage2_reference(a, r, s, N - s < B ? N - s : B, kl_sum);
    for (int i = 0; i < a->K; i++)
        a->lambda[i] = tscac_dual_step(a->lambda[i], kl_sum[i] / N, a->cfg.kl_target, a->cfg.kl_lambda_lr,
                                       a->cfg.kl_lambda_min);
    a->last_kl = kl_sum[0] / N;
    double p = (progress - a->cfg.stage1_fraction) / (1 - a->cfg.stage1_fraction);
    if (p < 0) p = 0;
    float lr = acrl_lr_schedule(pc->lr_schedule ? ACRL_LR_LINEAR : ACRL_LR_CONSTANT, pc->learning_rate, (float)p);
    float clip = acrl_lr_schedule(pc->clip_range_schedule ? ACRL_LR_LINEAR : ACRL_LR_CONSTANT, pc->clip_range, (float)p);
    normalize_inplace(r->advantages, N);
    double sums[M_COUNT] = {0};
    int nmb = 0, stop = 0;
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
                a->rows[k] = i;
                memcpy(a->mb_obs + (size_t)k * od, r->obs + (size_t)i * od, sizeof(float) * (size_t)od);
                memcpy(a->mb_act + (size_t)k * D, r->actions + (size_t)i * D, sizeof(float) * (size_t)D);
                a->mb_adv[k] = r->advantages[i];
                a->mb_ret[k] = r->returns[i];
                a->mb_oldlogp[k] = r->logprobs[i];
            }
            int rc = stage2_minibatch(a, nb, lr, clip, sums, err, errlen);
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
    a->rollouts2++;
    a->last_stage = 2;
    return 0;
}

static int tscac_iterate(void* self, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    tscac* a = self;
    return progress < a->cfg.stage1_fraction ? stage1_iterate(a, c, progress, m, err, errlen)
                                             : stage2_iterate(a, c, progress, m, err, errlen);
}

static void tscac_act(void* self, const float* obs, int n, float* actions, bool deterministic) {
    onpolicy_act(((tscac*)self)->main, obs, n, actions, deterministic);
}

/* "tscac.dual": int64 K, int64 stage-two rollouts, float64 lambda[K] (little-endian) */
static int tscac_save(void* self, acrl_ckpt_writer* w) {
    tscac* a = self;
    if (onpolicy_save(a->main, w)) return -1;
    for (int i = 0; i < a->K; i++)
        if (ppo_lag_save(a->aux[i], w)) return -1;
    uint8_t* p = le_put_i64(a->dual_buf, a->K);
    p = le_put_i64(p, a->rollouts2);
    for (int i = 0; i < a->K; i++) p = le_put_f64(p, a->lambda[i]);
    return acrl_ckpt_add(w, "tscac.dual", a->dual_buf, 16 + 8 * (size_t)a->K);
}

static int tscac_load(void* self, const acrl_ckpt* c, char* err, size_t errlen) {
    tscac* a = self;
    if (onpolicy_load(a->main, c, err, errlen)) return -1;
    for (int i = 0; i < a->K; i++)
        if (ppo_lag_load(a->aux[i], c, err, errlen)) return -1;
    const uint8_t* p = acrl_ckpt_get(c, "tscac.dual", 16 + 8 * (size_t)a->K, err, errlen);
    if (!p) return -1;
    int64_t K = le_get_i64(&p), n2 = le_get_i64(&p);
    double lam[ACRL_MAX_COSTS];
    bool ok = K == a->K && n2 >= 0;
    for (int i = 0; i < a->K; i++) {
        lam[i] = le_get_f64(&p);
        ok = ok && isfinite(lam[i]) && lam[i] >= 0;
    }
    if (!ok) {
        snprintf(err, errlen, "checkpoint section 'tscac.dual' holds an invalid dual state (K %lld, expected %d)",
                 (long long)K, a->K);
        return -1;
    }
    a->rollouts2 = n2;
    memcpy(a->lambda, lam, sizeof(double) * (size_t)a->K);
    return 0;
}

static acrl_params* tscac_params(void* self) { return onpolicy_params(((tscac*)self)->main); }
static acrl_rng* tscac_act_rng(void* self) { return onpolicy_act_rng(((tscac*)self)->main); }

/* progress.csv / TensorBoard extras; the lambda and KL columns are signal 0's */
static const char* const tscac_extra_names[] = {"tscac_stage", "lagrange_multiplier", "kl_lambda",
                                                "kl_to_stage_one"};
static void tscac_extra_values(void* self, double* out) {
    tscac* a = self;
    out[0] = a->last_stage;
    out[1] = a->aux[0]->lag.lambda;
    out[2] = a->lambda[0];
    out[3] = a->last_kl;
}

const acrl_algo acrl_algo_tscac = {
    "tscac", "Two-stage constrained actor-critic: a PPO-Lagrangian policy per cost, then the main policy KL-tied to them",
    sizeof(tscac_config), tscac_table, tscac_defaults,
    tscac_create, tscac_iterate, tscac_act, tscac_save, tscac_load, tscac_params, tscac_destroy,
    tscac_act_rng,
    NULL, /* no Q critic */
};

const acrl_algo_extra acrl_algo_tscac_extra = {&acrl_algo_tscac, 4, tscac_extra_names, tscac_extra_values};
