/* PPO (Schulman et al. 2017), clipped surrogate objective, as in Stable-Baselines3 / CleanRL:
 * GAE advantages, minibatch epochs, optional clipped value loss, entropy bonus, global
 * grad-norm clipping, annealed learning rate and clip range, optional target-KL stop. */
#include "algo/algo.h"
#include "algo/onpolicy.h"
#include "algo/ppo.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/size.h"




void ppo_defaults(void* cfgp) {
    /* Stable-Baselines3's PPO defaults */
    ppo_config* c = cfgp;
    memset(c, 0, sizeof *c);
    c->n_steps = 2048;
    c->batch_size = 64;
    c->n_epochs = 10;
    c->learning_rate = 3e-4f;
    c->gae_lambda = 0.95f;
    c->clip_range = 0.2f;
    c->normalize_advantage = 1;
    c->vf_coef = 0.5f;
    c->max_grad_norm = 0.5f;
    c->adam_eps = 1e-5f;
    policy_config_default(&c->pol);
}

static const acrl_config_entry ppo_table[] = {
    PPO_CONFIG_ENTRIES(0),
    {"obs_norm_warmup", ACRL_CFG_INT, offsetof(ppo_config, obs_norm_warmup), 0, 1e6, NULL,
     "rollouts collected before training only for the observation statistics, then frozen (needs normalize = 1)"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

typedef struct {
    onpolicy_learner L;          /* must come first: params, policy, rng, updates */
    ppo_config   cfg;
    float        gamma;
    acrl_optim   opt;
    acrl_rollout ro;
    /* minibatch scratch (batch_size) */
    int*   perm;
    float *mb_obs, *mb_act, *mb_adv, *mb_ret, *mb_oldlogp, *mb_oldv, *logp, *ent, *wlogp, *dv;
    float *mb_state;             /* critic_obs = state: (batch_size, state_dim), else NULL */
    onpolicy_dp* dp;             /* data-parallel run (shards > 1), else NULL */
    float*       mb_norm;        /* dp: the minibatch's normalized advantages (batch_size) */
} ppo;

void ppo_destroy(void* self) {
    ppo* a = self;
    if (!a) return;
    policy_free(&a->L.pol);
    rollout_free(&a->ro);
    acrl_params_free(&a->L.params);
    free(a->perm);
    free(a->mb_obs); free(a->mb_act); free(a->mb_adv); free(a->mb_ret); free(a->mb_oldlogp);
    free(a->mb_oldv); free(a->logp); free(a->ent); free(a->wlogp); free(a->dv); free(a->mb_state);
    if (a->dp) onpolicy_dp_free(a->dp);
    free(a->dp); free(a->mb_norm);
    free(a);
}

void* ppo_create(const void* cfgp, const acrl_algo_ctx* ctx, char* err, size_t errlen) {
    const ppo_config* cfg = cfgp;
    int E = ctx->num_envs, N = onpolicy_rollout_rows("ppo", cfg->n_steps, E, err, errlen);
    if (N < 0) return NULL;
    if (cfg->normalize_advantage && N < 2) {
        snprintf(err, errlen, "normalize_advantage needs n_steps * n_envs >= 2 (have %d)", N);
        return NULL;
    }
    if (cfg->obs_norm_warmup > 0 && !(ctx->col_opt && ctx->col_opt->norm_obs)) {
        snprintf(err, errlen, "obs_norm_warmup = %d needs normalize = 1 (it collects observation statistics)",
                 cfg->obs_norm_warmup);
        return NULL;
    }
    if (cfg->obs_norm_warmup > 0 && ctx->layout) {
        snprintf(err, errlen, "obs_norm_warmup does not combine with shards or mpirun");
        return NULL;
    }
    /* as in SB3, a batch_size above the rollout size means one minibatch of the rollout */
    int B = cfg->batch_size < N ? cfg->batch_size : N;
    int maxb = B > E ? B : E;
    int od = ctx->obs_space->dim, ad = ctx->act_space->kind == ACRL_SPACE_DISCRETE ? 1 : ctx->act_space->dim;
    /* rollout, policy for maxb rows, permutation, minibatch copies */
    size_t need = acrl_size_add(rollout_bytes(cfg->n_steps, E, od, ad),
                                policy_bytes(od, ctx->act_space, &cfg->pol, maxb));
    need = acrl_size_add(need, acrl_size_mul((size_t)N, sizeof(int)));
    need = acrl_size_add(need, acrl_size_mul3((size_t)B, (size_t)od + (size_t)ad + 9, sizeof(float)));
    char what[160];
    snprintf(what, sizeof what, "ppo's rollout (n_steps %d x n_envs %d) and networks (batch %d)", cfg->n_steps, E, maxb);
    if (acrl_size_check(need, what, err, errlen)) return NULL;
    ppo* a = calloc(1, sizeof *a);
    if (!a) { snprintf(err, errlen, "out of memory"); return NULL; }
    a->L.name = "ppo";
    a->cfg = *cfg;
    a->cfg.pol.critic_dim = ctx->critic_dim;
    cfg = &a->cfg;
    a->gamma = ctx->gamma;
    acrl_params_init(&a->L.params);
    if (policy_build(&a->L.pol, &a->L.params, od, ctx->act_space, &cfg->pol, maxb, err, errlen) ||
        acrl_params_finalize(&a->L.params, err, errlen)) {
        ppo_destroy(a);
        return NULL;
    }
    acrl_rng_seed2(&a->L.rng, ctx->seed, 1);
    if (policy_init(&a->L.pol, &a->L.params, &cfg->pol, &a->L.rng, err, errlen)) { ppo_destroy(a); return NULL; }
    a->opt = acrl_optim_default(ACRL_OPT_ADAM);
    a->opt.eps = cfg->adam_eps;
    a->perm = malloc(sizeof(int) * (size_t)N);
    a->mb_obs = malloc(sizeof(float) * (size_t)B * (size_t)od);
    a->mb_act = malloc(sizeof(float) * (size_t)B * (size_t)ad);
    a->mb_adv = malloc(sizeof(float) * (size_t)B);
    a->mb_ret = malloc(sizeof(float) * (size_t)B);
    a->mb_oldlogp = malloc(sizeof(float) * (size_t)B);
    a->mb_oldv = malloc(sizeof(float) * (size_t)B);
    a->logp = malloc(sizeof(float) * (size_t)B);
    a->ent = malloc(sizeof(float) * (size_t)B);
    a->wlogp = malloc(sizeof(float) * (size_t)B);
    a->dv = malloc(sizeof(float) * (size_t)B);
    const acrl_layout* lay = layout_sharded(ctx->layout) ? ctx->layout : NULL;
    if (lay && a->L.pol.gbrl) { /* trees are grown from one process's gradients, not summed */
        snprintf(err, errlen, "the gbrl (tree ensemble) policy is not supported with shards > 1 or under mpirun");
        ppo_destroy(a);
        return NULL;
    }
    if (lay && (cfg->pol.use_sde || lay->num_envs != E)) {
        snprintf(err, errlen, cfg->pol.use_sde ? "use_sde is not supported with shards > 1 or under mpirun"
                                               : "layout does not match n_envs");
        ppo_destroy(a);
        return NULL;
    }
    if (lay) {
        a->dp = calloc(1, sizeof *a->dp);
        a->mb_norm = malloc(sizeof(float) * (size_t)B);
        if (!a->dp || !a->mb_norm || onpolicy_dp_init(a->dp, lay, cfg->n_steps, a->L.params.count, 5)) {
            snprintf(err, errlen, "out of memory");
            ppo_destroy(a);
            return NULL;
        }
    }
    if (ctx->critic_dim > 0 && lay) {
        snprintf(err, errlen, "critic_obs = state is not supported with shards > 1 or under mpirun");
        ppo_destroy(a);
        return NULL;
    }
    if (rollout_init(&a->ro, cfg->n_steps, lay ? lay->local_envs : E, od, ad) || !a->perm || !a->mb_obs || !a->mb_act || !a->mb_adv ||
        !a->mb_ret || !a->mb_oldlogp || !a->mb_oldv || !a->logp || !a->ent || !a->wlogp || !a->dv) {
        snprintf(err, errlen, "out of memory");
        ppo_destroy(a);
        return NULL;
    }
    if (ctx->critic_dim > 0 && (rollout_init_states(&a->ro, ctx->critic_dim) ||
                                !(a->mb_state = malloc(sizeof(float) * (size_t)B * (size_t)ctx->critic_dim)))) {
        snprintf(err, errlen, "out of memory");
        ppo_destroy(a);
        return NULL;
    }
    return a;
}

static float clampf(float x, float lo, float hi) { return x < lo ? lo : x > hi ? hi : x; }

/* One minibatch: losses, gradients, clipped optimizer step. Accumulates metric sums. */
static int ppo_minibatch(ppo* a, int B, float lr, float clip, double* sums, char* err, size_t errlen) {
    const ppo_config* cfg = &a->cfg;
    policy_forward_s(&a->L.pol, &a->L.params, a->mb_obs, a->mb_state, B);
    policy_evaluate(&a->L.pol, a->mb_act, a->logp, a->ent);
    if (cfg->normalize_advantage) normalize_inplace(a->mb_adv, B);
    double pg = 0, vl = 0, en = 0, kl = 0, cf = 0;
    const float* v = a->L.pol.value;
    for (int i = 0; i < B; i++) {
        float logratio = a->logp[i] - a->mb_oldlogp[i];
        float r = expf(logratio), A = a->mb_adv[i];
        float l1 = -A * r, l2 = -A * clampf(r, 1 - clip, 1 + clip);
        bool inside = r >= 1 - clip && r <= 1 + clip;
        pg += l1 > l2 ? l1 : l2;
        /* d(loss_i)/d(logp_i) = d(loss_i)/d(ratio) * ratio */
        a->wlogp[i] = (l1 >= l2 || inside) ? -A * r / B : 0.0f;
        kl += (r - 1) - logratio;
        cf += fabsf(r - 1) > clip;
        en += a->ent[i];
        /* value loss: mean (V - R)^2, or the max of it and the clipped version */
        float d = v[i] - a->mb_ret[i], dvdv = 1.0f;
        if (cfg->clip_range_vf > 0) {
            float dc = v[i] - a->mb_oldv[i];
            float vc = a->mb_oldv[i] + clampf(dc, -cfg->clip_range_vf, cfg->clip_range_vf);
            float d2 = vc - a->mb_ret[i];
            if (d2 * d2 > d * d) { d = d2; dvdv = fabsf(dc) < cfg->clip_range_vf ? 1.0f : 0.0f; }
        }
        vl += (double)d * d;
        a->dv[i] = cfg->vf_coef * 2.0f * d * dvdv / B;
    }
    double approx_kl = kl / B;
    if (cfg->target_kl > 0 && approx_kl > 1.5 * cfg->target_kl) return 1; /* early stop, as SB3 */
    acrl_params_zero_grad(&a->L.params);
    policy_backward(&a->L.pol, &a->L.params, a->mb_act, a->wlogp, -cfg->ent_coef / B, a->dv);
    float gn = cfg->max_grad_norm > 0 ? acrl_params_clip_grad_norm(&a->L.params, cfg->max_grad_norm)
                                      : acrl_params_clip_grad_norm(&a->L.params, INFINITY);
    if (!isfinite(gn) || !isfinite(pg) || !isfinite(vl)) {
        snprintf(err, errlen, "non-finite %s in PPO update %ld", !isfinite(gn) ? "gradient" : !isfinite(pg) ? "policy loss" : "value loss",
                 a->L.updates);
        return -1;
    }
    acrl_optim_step(&a->opt, &a->L.params, lr);
    if (policy_boost(&a->L.pol, err, errlen)) return -1;
    a->L.updates++;
    sums[M_POLICY_LOSS] += pg / B;
    sums[M_VALUE_LOSS] += vl / B;
    sums[M_ENTROPY] += en / B;
    sums[M_APPROX_KL] += approx_kl;
    sums[M_CLIP_FRAC] += cf / B;
    sums[M_GRAD_NORM] += gn;
    return 0;
}

int ppo_update_minibatch(void* self, const float* obs, const float* act, const float* old_logp, const float* old_v,
                         const float* adv, const float* ret, int B, float lr, double* losses, char* err,
                         size_t errlen) {
    ppo* a = self;
    int od = a->L.pol.obs_dim, ad = a->L.pol.act_dim;
    memcpy(a->mb_obs, obs, sizeof(float) * (size_t)B * (size_t)od);
    memcpy(a->mb_act, act, sizeof(float) * (size_t)B * (size_t)ad);
    memcpy(a->mb_oldlogp, old_logp, sizeof(float) * (size_t)B);
    memcpy(a->mb_oldv, old_v, sizeof(float) * (size_t)B);
    memcpy(a->mb_adv, adv, sizeof(float) * (size_t)B);
    memcpy(a->mb_ret, ret, sizeof(float) * (size_t)B);
    double sums[M_COUNT] = {0};
    int rc = ppo_minibatch(a, B, lr, a->cfg.clip_range, sums, err, errlen);
    losses[0] = sums[M_POLICY_LOSS];
    losses[1] = sums[M_VALUE_LOSS];
    losses[2] = sums[M_ENTROPY];
    losses[3] = sums[M_GRAD_NORM];
    return rc;
}

static int ppo_iterate_dp(ppo* a, acrl_collector* c, double progress, double* m, char* err, size_t errlen);

acrl_rollout* ppo_rollout(void* self) { return &((ppo*)self)->ro; }

/* The end of an update (both paths): parameters checked finite, the minibatches' mean
 * metrics, the learning rate and the explained variance ev into m. */
static int ppo_finish(const ppo* a, const double* sums, int nmb, float lr, double ev, double* m, char* err,
                      size_t errlen) {
    if (!acrl_all_finite(a->L.params.param, a->L.params.count)) {
        snprintf(err, errlen, "non-finite parameter after PPO update %ld", a->L.updates);
        return -1;
    }
    for (int k = 0; k < M_COUNT; k++) m[k] = nmb ? sums[k] / nmb : NAN;
    m[M_LR] = lr;
    m[M_EXPLAINED_VAR] = ev;
    m[M_Q_LOSS] = m[M_ALPHA] = NAN;
    return 0;
}

int ppo_train_rollout(void* self, double progress, double* m, ppo_minibatch_hook hook, void* hook_ctx, char* err,
                      size_t errlen) {
    ppo* a = self;
    const ppo_config* cfg = &a->cfg;
    acrl_rollout* r = &a->ro;
    float lr = acrl_lr_schedule(cfg->lr_schedule ? ACRL_LR_LINEAR : ACRL_LR_CONSTANT, cfg->learning_rate, (float)progress);
    float clip = acrl_lr_schedule(cfg->clip_range_schedule ? ACRL_LR_LINEAR : ACRL_LR_CONSTANT, cfg->clip_range, (float)progress);
    int N = r->num_steps * r->num_envs, od = r->obs_dim, ad = r->act_dim;
    int B = cfg->batch_size < N ? cfg->batch_size : N;
    double sums[M_COUNT] = {0};
    int nmb = 0, stop = 0;
    for (int i = 0; i < N; i++) a->perm[i] = i;
    for (int epoch = 0; epoch < cfg->n_epochs && !stop; epoch++) {
        for (int i = N - 1; i > 0; i--) { /* Fisher-Yates from the learner's RNG */
            int j = (int)acrl_rng_below(&a->L.rng, (uint64_t)i + 1);
            int t = a->perm[i]; a->perm[i] = a->perm[j]; a->perm[j] = t;
        }
        /* minibatches of batch_size; the last one is shorter if batch_size does not divide
         * the rollout (Stable-Baselines3 does the same) */
        for (int start = 0; start < N; start += B) {
            int nb = N - start < B ? N - start : B;
            for (int k = 0; k < nb; k++) {
                int i = a->perm[start + k];
                memcpy(a->mb_obs + (size_t)k * od, r->obs + (size_t)i * od, sizeof(float) * (size_t)od);
                memcpy(a->mb_act + (size_t)k * ad, r->actions + (size_t)i * ad, sizeof(float) * (size_t)ad);
                if (r->states)
                    memcpy(a->mb_state + (size_t)k * r->state_dim, r->states + (size_t)i * r->state_dim,
                           sizeof(float) * (size_t)r->state_dim);
                a->mb_adv[k] = r->advantages[i];
                a->mb_ret[k] = r->returns[i];
                a->mb_oldlogp[k] = r->logprobs[i];
                a->mb_oldv[k] = r->values[i];
            }
            int rc = ppo_minibatch(a, nb, lr, clip, sums, err, errlen);
            if (rc < 0) return -1;
            if (rc > 0) { stop = 1; break; }
            if (hook && hook(hook_ctx, a->perm + start, nb, lr, err, errlen)) return -1;
            nmb++;
        }
    }
    return ppo_finish(a, sums, nmb, lr, onpolicy_explained_variance(r), m, err, errlen);
}

/* ---- data-parallel PPO (onpolicy.h): the same update, each shard's rows apart ------ */

/* Metric sums of a shard's partial: pg, vl, en, kl, clip count (divided by B later). */
enum { DP_PG, DP_VL, DP_EN, DP_KL, DP_CF, DP_N };

/* Forward and backward of the n rows in the mb_* buffers, part of a minibatch of B rows
 * (gradients divided by B); adds into p->grad (zeroed by the caller) and sums. */
static void ppo_shard_rows(ppo* a, int n, int B, float clip, double* sums) {
    const ppo_config* cfg = &a->cfg;
    policy_forward(&a->L.pol, &a->L.params, a->mb_obs, n);
    policy_evaluate(&a->L.pol, a->mb_act, a->logp, a->ent);
    const float* v = a->L.pol.value;
    for (int i = 0; i < n; i++) {
        float logratio = a->logp[i] - a->mb_oldlogp[i];
        float r = expf(logratio), A = a->mb_adv[i];
        float l1 = -A * r, l2 = -A * clampf(r, 1 - clip, 1 + clip);
        bool inside = r >= 1 - clip && r <= 1 + clip;
        sums[DP_PG] += l1 > l2 ? l1 : l2;
        a->wlogp[i] = (l1 >= l2 || inside) ? -A * r / B : 0.0f;
        sums[DP_KL] += (r - 1) - logratio;
        sums[DP_CF] += fabsf(r - 1) > clip;
        sums[DP_EN] += a->ent[i];
        float d = v[i] - a->mb_ret[i], dvdv = 1.0f;
        if (cfg->clip_range_vf > 0) {
            float dc = v[i] - a->mb_oldv[i];
            float vc = a->mb_oldv[i] + clampf(dc, -cfg->clip_range_vf, cfg->clip_range_vf);
            float d2 = vc - a->mb_ret[i];
            if (d2 * d2 > d * d) { d = d2; dvdv = fabsf(dc) < cfg->clip_range_vf ? 1.0f : 0.0f; }
        }
        sums[DP_VL] += (double)d * d;
        a->dv[i] = cfg->vf_coef * 2.0f * d * dvdv / B;
    }
    policy_backward(&a->L.pol, &a->L.params, a->mb_act, a->wlogp, -cfg->ent_coef / B, a->dv);
}

static int ppo_iterate_dp(ppo* a, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    const ppo_config* cfg = &a->cfg;
    acrl_rollout* r = &a->ro;
    onpolicy_dp* d = a->dp;
    const acrl_layout* L = d->L;
    if (onpolicy_collect(&a->L.pol, &a->L.params, r, c, &a->L.rng, a->gamma, cfg->gae_lambda, err, errlen)) return -1;
    if (onpolicy_dp_gather(d, r, err, errlen)) return -1;
    float lr = acrl_lr_schedule(cfg->lr_schedule ? ACRL_LR_LINEAR : ACRL_LR_CONSTANT, cfg->learning_rate, (float)progress);
    float clip = acrl_lr_schedule(cfg->clip_range_schedule ? ACRL_LR_LINEAR : ACRL_LR_CONSTANT, cfg->clip_range, (float)progress);
    int N = cfg->n_steps * L->num_envs, od = r->obs_dim, ad = r->act_dim;
    int B = cfg->batch_size < N ? cfg->batch_size : N;
    double sums[M_COUNT] = {0};
    int nmb = 0, stop = 0;
    for (int i = 0; i < N; i++) a->perm[i] = i;
    for (int epoch = 0; epoch < cfg->n_epochs && !stop; epoch++) {
        for (int i = N - 1; i > 0; i--) {
            int j = (int)acrl_rng_below(&a->L.rng, (uint64_t)i + 1);
            int t = a->perm[i]; a->perm[i] = a->perm[j]; a->perm[j] = t;
        }
        for (int start = 0; start < N; start += B) {
            int nb = N - start < B ? N - start : B;
            for (int k = 0; k < nb; k++) a->mb_norm[k] = d->g_adv[a->perm[start + k]];
            if (cfg->normalize_advantage) normalize_inplace(a->mb_norm, nb);
            for (int s = 0; s < L->local_shards; s++) {
                int n = 0;
                for (int k = 0; k < nb; k++) {
                    int i = onpolicy_dp_local(d, a->perm[start + k], s);
                    if (i < 0) continue;
                    memcpy(a->mb_obs + (size_t)n * od, r->obs + (size_t)i * od, sizeof(float) * (size_t)od);
                    memcpy(a->mb_act + (size_t)n * ad, r->actions + (size_t)i * ad, sizeof(float) * (size_t)ad);
                    a->mb_adv[n] = a->mb_norm[k];
                    a->mb_ret[n] = r->returns[i];
                    a->mb_oldlogp[n] = r->logprobs[i];
                    a->mb_oldv[n] = r->values[i];
                    n++;
                }
                double ps[DP_N] = {0};
                acrl_params_zero_grad(&a->L.params);
                if (n > 0) ppo_shard_rows(a, n, nb, clip, ps);
                onpolicy_dp_put(d, s, &a->L.params, ps);
            }
            double ms[DP_N];
            if (onpolicy_dp_reduce(d, &a->L.params, ms, err, errlen)) return -1;
            double approx_kl = ms[DP_KL] / nb;
            if (cfg->target_kl > 0 && approx_kl > 1.5 * cfg->target_kl) { stop = 1; break; }
            float gn = acrl_params_clip_grad_norm(&a->L.params, cfg->max_grad_norm > 0 ? cfg->max_grad_norm : INFINITY);
            if (!isfinite(gn) || !isfinite(ms[DP_PG]) || !isfinite(ms[DP_VL])) {
                snprintf(err, errlen, "non-finite %s in PPO update %ld", !isfinite(gn) ? "gradient" : !isfinite(ms[DP_PG]) ? "policy loss" : "value loss",
                         a->L.updates);
                return -1;
            }
            acrl_optim_step(&a->opt, &a->L.params, lr);
            a->L.updates++;
            sums[M_POLICY_LOSS] += ms[DP_PG] / nb;
            sums[M_VALUE_LOSS] += ms[DP_VL] / nb;
            sums[M_ENTROPY] += ms[DP_EN] / nb;
            sums[M_APPROX_KL] += approx_kl;
            sums[M_CLIP_FRAC] += ms[DP_CF] / nb;
            sums[M_GRAD_NORM] += gn;
            nmb++;
        }
    }
    return ppo_finish(a, sums, nmb, lr, onpolicy_dp_explained_variance(d), m, err, errlen);
}

static int ppo_iterate(void* self, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    ppo* a = self;
    if (a->dp) return ppo_iterate_dp(a, c, progress, m, err, errlen);
    /* obs_norm_warmup: the first rollouts only feed the observation statistics (as RLtools'
     * PPO loop does before its first update); after them the statistics stay as they are.
     * Decided from the env steps taken, so a resumed run freezes them again. */
    const long warm = (long)a->cfg.obs_norm_warmup * a->cfg.n_steps * c->num_envs;
    c->obs_stats_frozen = a->cfg.obs_norm_warmup > 0 && c->steps >= warm;
    if (onpolicy_collect(&a->L.pol, &a->L.params, &a->ro, c, &a->L.rng, a->gamma, a->cfg.gae_lambda, err, errlen))
        return -1;
    if (!c->obs_stats_frozen && a->cfg.obs_norm_warmup > 0) {
        for (int k = 0; k < M_COUNT; k++) m[k] = NAN;
        return 0;
    }
    return ppo_train_rollout(a, progress, m, NULL, NULL, err, errlen);
}

const acrl_algo acrl_algo_ppo = {
    "ppo", "Proximal Policy Optimization (clipped), Discrete and Box actions",
    sizeof(ppo_config), ppo_table, ppo_defaults,
    ppo_create, ppo_iterate, onpolicy_act, onpolicy_save, onpolicy_load, onpolicy_params, ppo_destroy,
    onpolicy_act_rng,
    NULL, /* no Q critic */
};
