/* PPO-Lagrangian (Ray et al. 2019, as OmniSafe's PPOLag): PPO on the combined advantage
 * (A_r - lambda A_c) / (1 + lambda), a cost critic V_c trained beside the reward critic on
 * the same minibatches, and the Lagrange multiplier lambda updated once per rollout by its
 * own Adam towards cost_limit (lagrange.h) before the policy update. The constraint is on
 * one cost signal (`acrl train ppo-lag`: the env's first), summed over an episode. Everything
 * PPO does is PPO's code (ppo.h); this file adds the cost critic, the cost advantages and
 * lambda, as a learner other algorithms run too (ppo_lag.h; tscac's stage one).
 *
 * Advantages as OmniSafe standardizes them: A_r to zero mean and unit std over the whole
 * rollout, A_c centred only; PPO's per-minibatch normalization is off in the defaults. */
#include "algo/ppo_lag.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/size.h"

void ppo_lag_defaults(void* cfgp) {
    /* OmniSafe's PPOLag.yaml: 2048 steps per update, 40 epochs of minibatches of 64, target
     * KL 0.02, clip 0.2, GAE 0.95 (both), lr 3e-4 decayed linearly, grad-norm 40, 64x64 tanh,
     * no entropy bonus; cost limit 25, lambda_0 0.001, lambda lr 0.035, critic L2 1e-3. */
    ppo_lag_config* c = cfgp;
    memset(c, 0, sizeof *c);
    ppo_defaults(&c->ppo);
    c->ppo.n_epochs = 40;
    c->ppo.lr_schedule = 1;
    c->ppo.normalize_advantage = 0;
    c->ppo.max_grad_norm = 40.0f;
    c->ppo.target_kl = 0.02f;
    c->ppo.vf_coef = 0.5f;
    c->cost_limit = 25.0f;
    c->lagrangian_init = 0.001f;
    c->lagrangian_lr = 0.035f;
    c->cost_gae_lambda = 0.95f;
    c->cost_critic_l2 = 0.001f;
}

static const acrl_config_entry ppo_lag_table[] = {
    PPO_LAG_CONFIG_ENTRIES(0),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

void ppo_lag_free(ppo_lag* a) {
    if (!a) return;
    ppo_destroy(a->base);
    acrl_mlp_free(&a->critic);
    acrl_params_free(&a->cp);
    free(a->cost); free(a->cvalue); free(a->cfinal); free(a->cadv); free(a->cret);
    free(a->mb_obs); free(a->mb_d);
    free(a);
}

onpolicy_learner* ppo_lag_learner(ppo_lag* a) { return a->base; }

ppo_lag* ppo_lag_init(const ppo_lag_config* cfg, const acrl_algo_ctx* ctx, int cost_index, const char* prefix,
                      char* err, size_t errlen) {
    acrl_env_options eo = acrl_env_options_default();
    acrl_env* probe = acrl_env_make(ctx->env_id, &eo, err, errlen);
    if (!probe) return NULL;
    int K = acrl_env_num_costs(probe);
    acrl_env_close(probe);
    if (K < 1) {
        snprintf(err, errlen, "ppo-lag needs an env with cost signals (e.g. SafetyHopperVelocity-v1); %s has none",
                 ctx->env_id);
        return NULL;
    }
    if (cost_index < 0 || cost_index >= K) {
        snprintf(err, errlen, "cost signal %d asked of %s, which has %d", cost_index, ctx->env_id, K);
        return NULL;
    }
    if (prefix && strlen(prefix) > 40) {
        snprintf(err, errlen, "checkpoint prefix '%s' is longer than 40 characters", prefix);
        return NULL;
    }
    ppo_lag* a = calloc(1, sizeof *a);
    if (!a) { snprintf(err, errlen, "out of memory"); return NULL; }
    a->cfg = *cfg;
    a->gamma = ctx->gamma;
    a->num_costs = K;
    a->cost_index = cost_index;
    snprintf(a->cost_name, sizeof a->cost_name, "%s.cost", prefix ? prefix : "ppo_lag");
    snprintf(a->lambda_name, sizeof a->lambda_name, "%s.lambda", prefix ? prefix : "ppo_lag");
    a->base = ppo_create(&cfg->ppo, ctx, err, errlen);
    if (!a->base) { free(a); return NULL; }
    if (prefix) ((onpolicy_learner*)a->base)->name = prefix;
    int E = ctx->num_envs, T = cfg->ppo.n_steps, N = T * E, od = ctx->obs_space->dim;
    int B = cfg->ppo.batch_size < N ? cfg->ppo.batch_size : N;
    int rows = N > B ? N : B;   /* forward over the whole rollout */
    /* cost critic: obs -> net_arch -> 1 */
    int sizes[ACRL_INTLIST_MAX + 2], ns = 0;
    sizes[ns++] = od;
    for (int i = 0; i < cfg->ppo.pol.net_arch.n; i++) sizes[ns++] = cfg->ppo.pol.net_arch.v[i];
    sizes[ns++] = 1;
    char what[160];
    snprintf(what, sizeof what, "ppo-lag's cost critic (rollout %d rows)", rows);
    size_t need = acrl_size_add(acrl_mlp_bytes(sizes, ns, false, rows), acrl_size_mul3((size_t)N, 5, sizeof(float)));
    if (acrl_size_check(need, what, err, errlen)) { ppo_lag_free(a); return NULL; }
    acrl_params_init(&a->cp);
    if (acrl_mlp_build(&a->critic, &a->cp, "cost_critic", sizes, ns, cfg->ppo.pol.activation, false, rows, err,
                       errlen) ||
        acrl_params_finalize(&a->cp, err, errlen)) {
        ppo_lag_free(a);
        return NULL;
    }
    acrl_rng_seed2(&a->rng, ctx->seed, 7);
    if (acrl_mlp_init(&a->critic, &a->cp, cfg->ppo.pol.ortho_init ? ACRL_INIT_ORTHOGONAL : ACRL_INIT_TORCH,
                      sqrtf(2.0f), 1.0f, &a->rng)) {
        snprintf(err, errlen, "out of memory");
        ppo_lag_free(a);
        return NULL;
    }
    a->copt = acrl_optim_default(ACRL_OPT_ADAM);
    a->copt.eps = cfg->ppo.adam_eps;
    a->copt.weight_decay = 2.0f * cfg->cost_critic_l2;   /* gradient of l2 * sum(theta^2) */
    acrl_lagrange_init(&a->lag, cfg->lagrangian_init, cfg->lagrangian_lr);
    size_t n = (size_t)N;
    a->cost = calloc(n, sizeof(float));
    a->cvalue = calloc(n, sizeof(float));
    a->cfinal = calloc(n, sizeof(float));
    a->cadv = calloc(n, sizeof(float));
    a->cret = calloc(n, sizeof(float));
    a->mb_obs = calloc((size_t)B * (size_t)od, sizeof(float));
    a->mb_d = calloc((size_t)B, sizeof(float));
    if (!a->cost || !a->cvalue || !a->cfinal || !a->cadv || !a->cret || !a->mb_obs || !a->mb_d) {
        snprintf(err, errlen, "out of memory");
        ppo_lag_free(a);
        return NULL;
    }
    a->last_jc = a->last_cvl = NAN;
    return a;
}

/* After each env step: the constrained cost, V_c of truncated episodes' final observations,
 * and the cost sums of episodes that ended. */
static void ppo_lag_step(void* ctx, int t, const acrl_collector* c) {
    ppo_lag* a = ctx;
    int E = c->num_envs, K = c->num_costs, od = c->obs_dim, k = a->cost_index;
    const acrl_vecenv* v = c->venv;
    const acrl_rollout* r = ppo_rollout(a->base);
    for (int e = 0; e < E; e++) {
        size_t i = (size_t)t * E + e;
        a->cost[i] = c->costs[(size_t)e * K + k];
        a->cfinal[i] = 0.0f;
        if (r->truncated[i]) a->cfinal[i] = acrl_mlp_forward(&a->critic, &a->cp, c->final_obs + (size_t)e * od, 1)[0];
        if (v->terminated[e] || v->truncated[e]) {
            a->jc_sum += v->done_cost[(size_t)e * K + k];
            a->jc_n++;
        }
    }
}

/* After each PPO minibatch: one cost critic step on the same rows. */
static int ppo_lag_minibatch(void* ctx, const int* idx, int n, float lr, char* err, size_t errlen) {
    ppo_lag* a = ctx;
    const acrl_rollout* r = ppo_rollout(a->base);
    int od = r->obs_dim;
    for (int k = 0; k < n; k++)
        memcpy(a->mb_obs + (size_t)k * od, r->obs + (size_t)idx[k] * od, sizeof(float) * (size_t)od);
    const float* v = acrl_mlp_forward(&a->critic, &a->cp, a->mb_obs, n);
    double loss = 0;
    for (int k = 0; k < n; k++) {
        float d = v[k] - a->cret[idx[k]];
        loss += (double)d * d;
        a->mb_d[k] = 2.0f * d / n;
    }
    acrl_params_zero_grad(&a->cp);
    acrl_mlp_backward(&a->critic, &a->cp, NULL, a->mb_d);
    float mg = a->cfg.ppo.max_grad_norm;
    float gn = acrl_params_clip_grad_norm(&a->cp, mg > 0 ? mg : INFINITY);
    if (!isfinite(gn) || !isfinite(loss)) {
        snprintf(err, errlen, "non-finite %s in the cost critic update", isfinite(gn) ? "loss" : "gradient");
        return -1;
    }
    acrl_optim_step(&a->copt, &a->cp, lr);
    a->cupdates++;
    a->cvl_sum += loss / n;
    a->cvl_n++;
    return 0;
}

int ppo_lag_collect(ppo_lag* a, acrl_collector* c, char* err, size_t errlen) {
    onpolicy_learner* L = a->base;
    acrl_rollout* r = ppo_rollout(a->base);
    a->jc_sum = 0;
    a->jc_n = 0;
    if (onpolicy_collect_hook(&L->pol, &L->params, r, c, &L->rng, a->gamma, a->cfg.ppo.gae_lambda, ppo_lag_step, a,
                              err, errlen))
        return -1;
    int T = r->num_steps, E = r->num_envs, N = T * E;
    /* cost values of the rollout and of the observation after it, then cost GAE through a
     * view of the rollout that shares its episode flags */
    memcpy(a->cvalue, acrl_mlp_forward(&a->critic, &a->cp, r->obs, N), sizeof(float) * (size_t)N);
    float last[E];
    memcpy(last, acrl_mlp_forward(&a->critic, &a->cp, c->obs, E), sizeof(float) * (size_t)E);
    acrl_rollout view = *r;
    view.rewards = a->cost;
    view.values = a->cvalue;
    view.final_values = a->cfinal;
    view.advantages = a->cadv;
    view.returns = a->cret;
    rollout_compute_gae(&view, last, a->gamma, a->cfg.cost_gae_lambda);
    if (!acrl_all_finite(a->cadv, (size_t)N)) {
        snprintf(err, errlen, "non-finite cost advantage at env step %ld", c->steps);
        return -1;
    }
    return 0;
}

int ppo_lag_update(ppo_lag* a, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    onpolicy_learner* L = a->base;
    acrl_rollout* r = ppo_rollout(a->base);
    int N = r->num_steps * r->num_envs;
    /* lambda first (OmniSafe updates it before the policy), from this rollout's episodes,
     * else the last 100 episodes' mean if none ended in it */
    double jc = a->jc_n ? a->jc_sum / a->jc_n : collector_recent_cost(c, a->cost_index);
    if (isfinite(jc)) acrl_lagrange_update(&a->lag, jc, a->cfg.cost_limit);
    a->last_jc = jc;
    /* A_r standardized, A_c centred, combined */
    normalize_inplace(r->advantages, N);
    double cm = 0;
    for (int i = 0; i < N; i++) cm += a->cadv[i];
    cm /= N;
    float lam = (float)a->lag.lambda;
    for (int i = 0; i < N; i++) r->advantages[i] = (r->advantages[i] - lam * (a->cadv[i] - (float)cm)) / (1.0f + lam);
    a->cvl_sum = 0;
    a->cvl_n = 0;
    if (ppo_train_rollout(a->base, progress, m, ppo_lag_minibatch, a, err, errlen)) return -1;
    a->last_cvl = a->cvl_n ? a->cvl_sum / a->cvl_n : NAN;
    if (!acrl_all_finite(a->cp.param, a->cp.count)) {
        snprintf(err, errlen, "non-finite cost critic parameter after update %ld", L->updates);
        return -1;
    }
    return 0;
}

int ppo_lag_save(ppo_lag* a, acrl_ckpt_writer* w) {
    return onpolicy_save(a->base, w) || algo_save_learner(w, a->cost_name, &a->cp, &a->rng, &a->cupdates) ||
           acrl_lagrange_save(&a->lag, w, a->lambda_name, a->lag_buf);
}

int ppo_lag_load(ppo_lag* a, const acrl_ckpt* c, char* err, size_t errlen) {
    return onpolicy_load(a->base, c, err, errlen) ||
           algo_load_learner(c, a->cost_name, &a->cp, &a->rng, &a->cupdates, err, errlen) ||
           acrl_lagrange_load(&a->lag, c, a->lambda_name, err, errlen);
}

/* ---- acrl train ppo-lag: the learner on the env's first cost signal ------------------- */

static void* ppo_lag_create(const void* cfg, const acrl_algo_ctx* ctx, char* err, size_t errlen) {
    return ppo_lag_init(cfg, ctx, 0, NULL, err, errlen);
}

static int ppo_lag_iterate(void* self, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    return ppo_lag_collect(self, c, err, errlen) || ppo_lag_update(self, c, progress, m, err, errlen) ? -1 : 0;
}

static void ppo_lag_act(void* self, const float* obs, int n, float* actions, bool deterministic) {
    onpolicy_act(((ppo_lag*)self)->base, obs, n, actions, deterministic);
}
static int ppo_lag_save_vt(void* self, acrl_ckpt_writer* w) { return ppo_lag_save(self, w); }
static int ppo_lag_load_vt(void* self, const acrl_ckpt* c, char* err, size_t errlen) {
    return ppo_lag_load(self, c, err, errlen);
}
static void ppo_lag_destroy(void* self) { ppo_lag_free(self); }
static acrl_params* ppo_lag_params(void* self) { return onpolicy_params(((ppo_lag*)self)->base); }
static acrl_rng* ppo_lag_act_rng(void* self) { return onpolicy_act_rng(((ppo_lag*)self)->base); }

/* progress.csv / TensorBoard extras */
static const char* const ppo_lag_extra_names[] = {"lagrange_multiplier", "rollout_episode_cost", "cost_value_loss"};
static void ppo_lag_extra_values(void* self, double* out) {
    ppo_lag* a = self;
    out[0] = a->lag.lambda;
    out[1] = a->last_jc;
    out[2] = a->last_cvl;
}

const acrl_algo acrl_algo_ppo_lag = {
    "ppo-lag", "PPO-Lagrangian: PPO under an episode-cost limit (envs with costs, e.g. Safety*Velocity-v1)",
    sizeof(ppo_lag_config), ppo_lag_table, ppo_lag_defaults,
    ppo_lag_create, ppo_lag_iterate, ppo_lag_act, ppo_lag_save_vt, ppo_lag_load_vt, ppo_lag_params, ppo_lag_destroy,
    ppo_lag_act_rng,
    NULL, /* no Q critic */
};

const acrl_algo_extra acrl_algo_ppo_lag_extra = {&acrl_algo_ppo_lag, 3, ppo_lag_extra_names, ppo_lag_extra_values};
