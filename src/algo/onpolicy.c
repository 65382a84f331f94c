/* On-policy experience collection: act, step, bootstrap truncated episodes, GAE. */
#include "algo/onpolicy.h"
#include "algo/algo.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/size.h"

const char* const onpolicy_schedule_names[] = {"constant", "linear", NULL};
const char* const a2c_optimizer_names[] = {"rmsprop", "adam", NULL};

int onpolicy_rollout_rows(const char* algo, int n_steps, int n_envs, char* err, size_t errlen) {
    size_t n = acrl_size_mul((size_t)(n_steps > 0 ? n_steps : 0), (size_t)(n_envs > 0 ? n_envs : 0));
    if (n > (size_t)ACRL_MAX_ROWS) {
        snprintf(err, errlen, "%s: n_steps * n_envs = %d * %d = %zu rollout steps; at most %ld are supported",
                 algo, n_steps, n_envs, n, ACRL_MAX_ROWS);
        return -1;
    }
    return (int)n;
}

void a2c_config_default(a2c_config* c) {
    memset(c, 0, sizeof *c);
    c->n_steps = 5;
    c->learning_rate = 7e-4f;
    c->gae_lambda = 1.0f;
    c->vf_coef = 0.5f;
    c->max_grad_norm = 0.5f;
    c->optim_eps = 1e-5f;
    policy_config_default(&c->pol);
}

int onpolicy_collect(acrl_policy* pol, const acrl_params* p, acrl_rollout* r, acrl_collector* c,
                     acrl_rng* rng, float gamma, float gae_lambda, char* err, size_t errlen) {
    return onpolicy_collect_hook(pol, p, r, c, rng, gamma, gae_lambda, NULL, NULL, err, errlen);
}

int onpolicy_collect_hook(acrl_policy* pol, const acrl_params* p, acrl_rollout* r, acrl_collector* c,
                          acrl_rng* rng, float gamma, float gae_lambda, onpolicy_step_hook hook, void* hook_ctx,
                          char* err, size_t errlen) {
    int E = c->num_envs, od = c->obs_dim, ad = pol->act_dim;
    acrl_vecenv* v = c->venv;
    for (int t = 0; t < r->num_steps; t++) {
        /* gSDE: fresh exploration matrices at the rollout's start and every sde_sample_freq steps */
        if (pol->sde && (t == 0 || (pol->sde_sample_freq > 0 && t % pol->sde_sample_freq == 0)))
            policy_reset_noise(pol, p, E, rng);
        size_t i0 = (size_t)t * (size_t)E;
        float* obs = r->obs + i0 * (size_t)od;
        float* act = r->actions + i0 * (size_t)ad;
        memcpy(obs, c->obs, sizeof(float) * (size_t)E * (size_t)od);
        policy_forward(pol, p, obs, E);
        policy_sample(pol, act, r->logprobs + i0, rng);
        memcpy(r->values + i0, pol->value, sizeof(float) * (size_t)E);
        collector_step(c, act);
        for (int e = 0; e < E; e++) {
            r->rewards[i0 + e] = c->rewards[e];
            r->terminated[i0 + e] = v->terminated[e];
            r->truncated[i0 + e] = v->truncated[e] && !v->terminated[e];
        }
        /* V(final obs) for time-limit truncations: one batched forward over those copies */
        for (int e = 0; e < E; e++) {
            if (!r->truncated[i0 + e]) continue;
            policy_forward(pol, p, c->final_obs + (size_t)e * (size_t)od, 1);
            r->final_values[i0 + e] = pol->value[0];
        }
        if (hook) hook(hook_ctx, t, c);
        if (!acrl_all_finite(r->values + i0, (size_t)E) || !acrl_all_finite(r->logprobs + i0, (size_t)E)) {
            snprintf(err, errlen, "non-finite value or log-prob at env step %ld", c->steps);
            return -1;
        }
    }
    if (policy_observe_rollout(pol, r->obs, r->num_steps * E, err, errlen)) return -1;
    policy_forward(pol, p, c->obs, E);
    float last[E > 0 ? E : 1];
    memcpy(last, pol->value, sizeof(float) * (size_t)E);
    rollout_compute_gae(r, last, gamma, gae_lambda);
    return 0;
}

double onpolicy_explained_variance(const acrl_rollout* r) {
    size_t n = (size_t)r->num_steps * (size_t)r->num_envs;
    double sy = 0, sy2 = 0, sd = 0, sd2 = 0;
    for (size_t i = 0; i < n; i++) {
        double y = r->returns[i], d = r->returns[i] - r->values[i];
        sy += y; sy2 += y * y; sd += d; sd2 += d * d;
    }
    double vy = sy2 / n - (sy / n) * (sy / n), vd = sd2 / n - (sd / n) * (sd / n);
    return vy <= 0 ? NAN : 1.0 - vd / vy;
}

void onpolicy_a2c_backward(acrl_policy* pol, acrl_params* p, const acrl_rollout* r, bool normalize_advantage,
                           float ent_coef, float vf_coef, float* adv, float* w_logp, float* dvalue,
                           float* logp, float* ent, double* m) {
    int N = r->num_steps * r->num_envs;
    policy_forward(pol, p, r->obs, N);
    policy_evaluate(pol, r->actions, logp, ent);
    memcpy(adv, r->advantages, sizeof(float) * (size_t)N);
    if (normalize_advantage) normalize_inplace(adv, N);
    double pg = 0, vl = 0, en = 0;
    for (int i = 0; i < N; i++) {
        float d = pol->value[i] - r->returns[i];
        pg += -adv[i] * logp[i];
        vl += (double)d * d;
        en += ent[i];
        w_logp[i] = -adv[i] / N;
        dvalue[i] = vf_coef * 2.0f * d / N;
    }
    policy_backward(pol, p, r->actions, w_logp, -ent_coef / N, dvalue);
    m[M_POLICY_LOSS] = pg / N;
    m[M_VALUE_LOSS] = vl / N;
    m[M_ENTROPY] = en / N;
}

void onpolicy_act(void* self, const float* obs, int n, float* actions, bool deterministic) {
    onpolicy_learner* L = self;
    policy_act(&L->pol, &L->params, obs, n, actions, deterministic, &L->rng);
}

int onpolicy_save(void* self, acrl_ckpt_writer* w) {
    onpolicy_learner* L = self;
    return algo_save_learner(w, L->name, &L->params, &L->rng, &L->updates) ||
           policy_save_trees(&L->pol, w, L->name) ? -1 : 0;
}

int onpolicy_load(void* self, const acrl_ckpt* c, char* err, size_t errlen) {
    onpolicy_learner* L = self;
    /* the tree sections first: a model mismatch gets its own message */
    if (policy_load_trees(&L->pol, c, L->name, err, errlen)) return -1;
    return algo_load_learner(c, L->name, &L->params, &L->rng, &L->updates, err, errlen);
}

acrl_params* onpolicy_params(void* self) { return &((onpolicy_learner*)self)->params; }
acrl_rng* onpolicy_act_rng(void* self) { return &((onpolicy_learner*)self)->rng; }
