/* On-policy experience collection: act, step, bootstrap truncated episodes, GAE. */
#include "algo/onpolicy.h"
#include "algo/algo.h"

#include "dist/comm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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
    int E = c->num_envs, od = c->obs_dim, ad = pol->act_dim, sd = r->state_dim;
    acrl_vecenv* v = c->venv;
    for (int t = 0; t < r->num_steps; t++) {
        /* gSDE: fresh exploration matrices at the rollout's start and every sde_sample_freq steps */
        if (pol->sde && (t == 0 || (pol->sde_sample_freq > 0 && t % pol->sde_sample_freq == 0)))
            policy_reset_noise(pol, p, E, rng);
        size_t i0 = (size_t)t * (size_t)E;
        float* obs = r->obs + i0 * (size_t)od;
        float* act = r->actions + i0 * (size_t)ad;
        memcpy(obs, c->obs, sizeof(float) * (size_t)E * (size_t)od);
        float* st = r->states ? r->states + i0 * (size_t)sd : NULL; /* critic_obs = state */
        if (st) memcpy(st, c->state, sizeof(float) * (size_t)E * (size_t)sd);
        if (layout_sharded(c->layout)) { /* each shard samples from its own stream */
            int Es = c->layout->envs_per_shard;
            for (int s = 0; s < c->layout->local_shards; s++) {
                size_t e0 = (size_t)s * (size_t)Es;
                policy_forward(pol, p, obs + e0 * (size_t)od, Es);
                policy_sample(pol, act + e0 * (size_t)ad, r->logprobs + i0 + e0, &c->shard_rng[s]);
                memcpy(r->values + i0 + e0, pol->value, sizeof(float) * (size_t)Es);
            }
        } else {
            policy_forward_s(pol, p, obs, st, E);
            policy_sample(pol, act, r->logprobs + i0, rng);
            memcpy(r->values + i0, pol->value, sizeof(float) * (size_t)E);
        }
        collector_step(c, act);
        if (c->failed) { snprintf(err, errlen, "%s", c->error); return -1; }
        for (int e = 0; e < E; e++) {
            r->rewards[i0 + e] = c->rewards[e];
            r->terminated[i0 + e] = v->terminated[e];
            r->truncated[i0 + e] = v->truncated[e] && !v->terminated[e];
        }
        /* V(final obs) for time-limit truncations: one batched forward over those copies */
        for (int e = 0; e < E; e++) {
            if (!r->truncated[i0 + e]) continue;
            policy_forward_s(pol, p, c->final_obs + (size_t)e * (size_t)od,
                             r->states ? c->final_state + (size_t)e * (size_t)sd : NULL, 1);
            r->final_values[i0 + e] = pol->value[0];
        }
        if (hook) hook(hook_ctx, t, c);
        if (!acrl_all_finite(r->values + i0, (size_t)E) || !acrl_all_finite(r->logprobs + i0, (size_t)E)) {
            snprintf(err, errlen, "non-finite value or log-prob at env step %ld", c->steps);
            return -1;
        }
    }
    if (policy_observe_rollout(pol, r->obs, r->num_steps * E, err, errlen)) return -1;
    float last[E > 0 ? E : 1];
    int Es = layout_sharded(c->layout) ? c->layout->envs_per_shard : E;
    for (int e0 = 0; e0 < E; e0 += Es) { /* per shard, as the steps above */
        policy_forward_s(pol, p, c->obs + (size_t)e0 * (size_t)od, r->states ? c->state + (size_t)e0 * (size_t)sd : NULL,
                         Es);
        memcpy(last + e0, pol->value, sizeof(float) * (size_t)Es);
    }
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
    policy_forward_s(pol, p, r->obs, r->states, N);
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

/* ---- data-parallel updates ------------------------------------------------------------ */

int onpolicy_dp_init(onpolicy_dp* d, const acrl_layout* L, int n_steps, size_t nparams, int nm) {
    memset(d, 0, sizeof *d);
    d->L = L;
    d->n_steps = n_steps;
    d->nparams = nparams;
    d->nm = nm;
    d->msg = (8 * (size_t)nm + 4 * nparams + 7) & ~(size_t)7;
    size_t N = (size_t)n_steps * (size_t)L->num_envs, Nl = (size_t)n_steps * (size_t)L->local_envs;
    d->g_adv = malloc(sizeof(float) * N);
    d->g_ret = malloc(sizeof(float) * N);
    d->g_val = malloc(sizeof(float) * N);
    d->xsend = malloc(sizeof(float) * 3 * Nl);
    d->xrecv = malloc(sizeof(float) * 3 * N);
    d->psend = calloc((size_t)L->local_shards, d->msg);
    d->precv = calloc((size_t)L->shards, d->msg);
    if (!d->g_adv || !d->g_ret || !d->g_val || !d->xsend || !d->xrecv || !d->psend || !d->precv) {
        onpolicy_dp_free(d);
        return -1;
    }
    return 0;
}

void onpolicy_dp_free(onpolicy_dp* d) {
    free(d->g_adv); free(d->g_ret); free(d->g_val); free(d->xsend); free(d->xrecv); free(d->psend); free(d->precv);
    memset(d, 0, sizeof *d);
}

int onpolicy_dp_gather(onpolicy_dp* d, const acrl_rollout* r, char* err, size_t errlen) {
    const acrl_layout* L = d->L;
    size_t Nl = (size_t)d->n_steps * (size_t)L->local_envs;
    memcpy(d->xsend, r->advantages, sizeof(float) * Nl);
    memcpy(d->xsend + Nl, r->returns, sizeof(float) * Nl);
    memcpy(d->xsend + 2 * Nl, r->values, sizeof(float) * Nl);
    if (comm_allgather(d->xsend, sizeof(float) * 3 * Nl, d->xrecv, err, errlen)) return -1;
    int E = L->num_envs, El = L->local_envs;
    for (int k = 0; k < L->ranks; k++) {
        const float* b = d->xrecv + (size_t)k * 3 * Nl;
        for (int t = 0; t < d->n_steps; t++)
            for (int j = 0; j < El; j++) {
                size_t g = (size_t)t * E + (size_t)k * El + j, l = (size_t)t * El + j;
                d->g_adv[g] = b[l];
                d->g_ret[g] = b[Nl + l];
                d->g_val[g] = b[2 * Nl + l];
            }
    }
    return 0;
}

int onpolicy_dp_local(const onpolicy_dp* d, int g, int s) {
    const acrl_layout* L = d->L;
    int E = L->num_envs, e = g % E, t = g / E;
    if (e / L->envs_per_shard != L->first_shard + s) return -1;
    return t * L->local_envs + (e - L->first_env);
}

void onpolicy_dp_put(onpolicy_dp* d, int s, const acrl_params* p, const double* m) {
    unsigned char* b = d->psend + (size_t)s * d->msg;
    memcpy(b, m, sizeof(double) * (size_t)d->nm);
    memcpy(b + 8 * (size_t)d->nm, p->grad, sizeof(float) * d->nparams);
}

int onpolicy_dp_reduce(onpolicy_dp* d, acrl_params* p, double* m, char* err, size_t errlen) {
    const acrl_layout* L = d->L;
    if (comm_allgather(d->psend, d->msg * (size_t)L->local_shards, d->precv, err, errlen)) return -1;
    size_t P = d->nparams;
    for (int s = 0; s < L->shards; s++) {
        const unsigned char* b = d->precv + (size_t)s * d->msg;
        double ms[d->nm > 0 ? d->nm : 1];
        memcpy(ms, b, sizeof(double) * (size_t)d->nm);
        const float* g = (const float*)(const void*)(b + 8 * (size_t)d->nm);
        if (s == 0) {
            memcpy(p->grad, g, sizeof(float) * P);
            for (int k = 0; k < d->nm; k++) m[k] = ms[k];
        } else {
            for (size_t i = 0; i < P; i++) p->grad[i] += g[i];
            for (int k = 0; k < d->nm; k++) m[k] += ms[k];
        }
    }
    return 0;
}

double onpolicy_dp_explained_variance(const onpolicy_dp* d) {
    size_t n = (size_t)d->n_steps * (size_t)d->L->num_envs;
    double sy = 0, sy2 = 0, sd = 0, sd2 = 0;
    for (size_t i = 0; i < n; i++) {
        double y = d->g_ret[i], e = d->g_ret[i] - d->g_val[i];
        sy += y; sy2 += y * y; sd += e; sd2 += e * e;
    }
    double vy = sy2 / n - (sy / n) * (sy / n), vd = sd2 / n - (sd / n) * (sd / n);
    return vy <= 0 ? NAN : 1.0 - vd / vy;
}

/* ---- warm start (acrl_algo.pretrain of PPO and A2C) -------------------------------------- */

/* Copies rows idx (B) of x (n, w) into out (B, w). */
static void gather_rows(float* out, const float* x, const int* idx, int B, int w) {
    for (int b = 0; b < B; b++) memcpy(out + (size_t)b * w, x + (size_t)idx[b] * w, sizeof(float) * (size_t)w);
}

int onpolicy_pretrain(void* self, acrl_pretrain_data* d, char* err, size_t errlen) {
    onpolicy_learner* L = self;
    acrl_policy* pol = &L->pol;
    if (pol->discrete || pol->gbrl) {
        snprintf(err, errlen, "warm start: %s", pol->discrete ? "the policy's actions are Discrete (a Box action space is "
                 "needed)" : "model = gbrl has no gradient-trained networks to pre-train");
        return -1;
    }
    const int od = pol->obs_dim, D = pol->act_dim;
    const int B = d->batch < pol->max_batch ? d->batch : pol->max_batch;
    float* obs = malloc(sizeof(float) * (size_t)B * (size_t)od);
    float* tgt = malloc(sizeof(float) * (size_t)B * (size_t)D);
    float* dhead = malloc(sizeof(float) * (size_t)B * (size_t)D);
    float* dval = malloc(sizeof(float) * (size_t)B);
    int* idx = malloc(sizeof(int) * (size_t)B);
    int rc = 0;
    if (!obs || !tgt || !dhead || !dval || !idx) { snprintf(err, errlen, "out of memory"); rc = -1; goto done; }
    acrl_optim opt = acrl_optim_default(ACRL_OPT_ADAM);
    double la = 0, lc = 0;
    int tail = 0;
    for (int s = 0; s < d->steps; s++) {
        for (int b = 0; b < B; b++) idx[b] = (int)acrl_rng_below(d->rng, (uint64_t)d->n);
        gather_rows(obs, d->obs, idx, B, od);
        gather_rows(tgt, d->act, idx, B, D);
        policy_forward(pol, &L->params, obs, B);
        double sa = 0, sc = 0;
        for (int i = 0; i < B * D; i++) {
            float e = pol->head[i] - tgt[i];
            sa += (double)e * e;
            dhead[i] = 2.0f * e / (float)(B * D);
        }
        for (int b = 0; b < B; b++) {
            float e = pol->value[b] - d->v[idx[b]];
            sc += (double)e * e;
            dval[b] = 2.0f * e / (float)B;
        }
        if (!isfinite(sa) || !isfinite(sc)) {
            snprintf(err, errlen, "warm start: non-finite loss at step %d", s);
            rc = -1;
            goto done;
        }
        acrl_params_zero_grad(&L->params);
        policy_backward_outputs(pol, &L->params, dhead, dval);
        acrl_optim_step(&opt, &L->params, d->lr);
        if (s >= d->steps - 100) { la += sa / (B * D); lc += sc / B; tail++; }
    }
    d->actor_loss = tail ? la / tail : NAN;
    d->critic_loss = tail ? lc / tail : NAN;
    /* RL starts with a fresh optimizer, as without the warm start */
    memset(L->params.m, 0, sizeof(float) * L->params.count);
    memset(L->params.v, 0, sizeof(float) * L->params.count);
    L->params.step = 0;
    acrl_params_zero_grad(&L->params);
done:
    free(obs); free(tgt); free(dhead); free(dval); free(idx);
    return rc;
}
