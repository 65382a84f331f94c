/* Vectorized env + shared observation/reward normalization (SB3 VecNormalize semantics). */
#include "algo/collector.h"
#include "dist/comm.h"
#include "io/le.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NORM_EPS 1e-8

static float clipf(double x, float c) { return (float)(x < -c ? -c : x > c ? c : x); }

float collector_scale_reward(const acrl_collector* c, double r) {
    if (!c->norm_reward) return (float)r;
    return clipf(r * (1.0 / sqrt(c->ret_stat.var[0] + NORM_EPS)), c->clip_reward);
}

void collector_normalize_obs(const acrl_collector* c, const float* raw, float* out, int n) {
    int d = c->obs_dim;
    if (!c->norm_obs) { memmove(out, raw, sizeof(float) * (size_t)n * (size_t)d); return; }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < d; j++) {
            double z = (raw[i * d + j] - c->obs_stat.mean[j]) / sqrt(c->obs_stat.var[j] + NORM_EPS);
            out[i * d + j] = clipf(z, c->clip_obs);
        }
}

void collector_normalize_state(const acrl_collector* c, const float* raw, float* out, int n) {
    int d = c->state_dim;
    if (!c->norm_obs) { memmove(out, raw, sizeof(float) * (size_t)n * (size_t)d); return; }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < d; j++) {
            double z = (raw[i * d + j] - c->state_stat.mean[j]) / sqrt(c->state_stat.var[j] + NORM_EPS);
            out[i * d + j] = clipf(z, c->clip_obs);
        }
}

acrl_collector* collector_create(const char* env_id, int num_envs, uint64_t seed, int threads,
                                 const acrl_collector_options* opt, char* err, size_t errlen) {
    acrl_env_options eo = acrl_env_options_default();
    if (opt->env_args && *opt->env_args) eo.env_args = opt->env_args;
    if (eo.env_args && strlen(eo.env_args) >= sizeof ((acrl_collector*)0)->env_args) {
        snprintf(err, errlen, "env_args: too long");
        return NULL;
    }
    acrl_vecenv* v = acrl_vecenv_make(env_id, num_envs, seed, threads, &eo, err, errlen);
    if (!v) return NULL;
    acrl_collector* c = calloc(1, sizeof *c);
    if (!c) { acrl_vecenv_close(v); snprintf(err, errlen, "out of memory"); return NULL; }
    if (eo.env_args) snprintf(c->env_args, sizeof c->env_args, "%s", eo.env_args);
    c->venv = v;
    c->num_envs = num_envs;
    c->obs_dim = v->obs_dim;
    c->act_dim = v->act_dim;
    c->norm_obs = opt->norm_obs;
    c->norm_reward = opt->norm_reward;
    c->clip_obs = opt->clip_obs;
    c->clip_reward = opt->clip_reward;
    c->gamma = opt->gamma;
    c->num_costs = v->num_costs;
    size_t od = (size_t)num_envs * (size_t)c->obs_dim;
    c->disc_return = calloc((size_t)num_envs, sizeof(double));
    c->obs = calloc(od, sizeof(float));
    c->final_obs = calloc(od, sizeof(float));
    c->rewards = calloc((size_t)num_envs, sizeof(float));
    c->scratch = calloc(od, sizeof(double));
    c->act_env = calloc((size_t)num_envs * (size_t)(c->act_dim > 0 ? c->act_dim : 1), sizeof(float));
    if (c->num_costs) c->costs = calloc((size_t)num_envs * (size_t)c->num_costs, sizeof(float));
    if ((c->num_costs && !c->costs) || !c->disc_return || !c->obs || !c->final_obs || !c->rewards || !c->scratch || !c->act_env ||
        acrl_running_stat_init(&c->obs_stat, c->obs_dim) || acrl_running_stat_init(&c->ret_stat, 1)) {
        collector_free(c);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    acrl_vecenv_reset(v);
    if (c->norm_obs) acrl_running_stat_update_f(&c->obs_stat, v->obs, num_envs);
    collector_normalize_obs(c, v->obs, c->obs, num_envs);
    return c;
}

int collector_enable_state(acrl_collector* c, char* err, size_t errlen) {
    acrl_vecenv* v = c->venv;
    if (v->priv_dim < 1) {
        snprintf(err, errlen, "%s has no privileged state, which critic_obs = state and distill need (env_args hide=..., "
                 "obs_noise=... or obs_stack=... give an env one: docs/generalisation.md)", v->envs[0]->id);
        return -1;
    }
    if (c->layout) { snprintf(err, errlen, "critic_obs = state: not with a sharded collector"); return -1; }
    c->state_dim = v->priv_dim;
    size_t sd = (size_t)c->num_envs * (size_t)c->state_dim;
    c->state = calloc(sd, sizeof(float));
    c->final_state = calloc(sd, sizeof(float));
    if (!c->state || !c->final_state || acrl_running_stat_init(&c->state_stat, c->state_dim)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    /* the statistics start from the reset's states, as the observations' do */
    if (c->norm_obs) acrl_running_stat_update_f(&c->state_stat, v->states, c->num_envs);
    collector_normalize_state(c, v->states, c->state, c->num_envs);
    return 0;
}

void collector_free(acrl_collector* c) {
    if (!c) return;
    acrl_vecenv_close(c->venv);
    acrl_running_stat_free(&c->obs_stat);
    acrl_running_stat_free(&c->ret_stat);
    acrl_running_stat_free(&c->state_stat);
    free(c->state);
    free(c->final_state);
    free(c->disc_return);
    free(c->obs);
    free(c->final_obs);
    free(c->rewards);
    free(c->scratch);
    free(c->act_env);
    free(c->shard_rng);
    free(c->xsend);
    free(c->xrecv);
    free(c->costs);
    free(c);
}

static void sharded_step(acrl_collector* c);

void collector_step(acrl_collector* c, const float* actions) {
    acrl_vecenv* v = c->venv;
    int E = c->num_envs;
    const acrl_space* as = &v->envs[0]->act_space;
    if (as->kind == ACRL_SPACE_BOX) {
        int D = c->act_dim;
        for (int e = 0; e < E; e++)
            for (int j = 0; j < D; j++) {
                float a = actions[(size_t)e * D + j];
                c->act_env[(size_t)e * D + j] = a < as->low[j] ? as->low[j] : a > as->high[j] ? as->high[j] : a;
            }
        actions = c->act_env;
    }
    acrl_vecenv_step(v, actions);
    if (layout_sharded(c->layout)) { sharded_step(c); return; }
    if (c->step_hook) c->step_hook(c->step_hook_user, c);
    c->steps += E;
    if (c->norm_obs && !c->obs_stats_frozen) acrl_running_stat_update_f(&c->obs_stat, v->obs, E);
    collector_normalize_obs(c, v->obs, c->obs, E);
    if (c->state_dim) {
        if (c->norm_obs && !c->obs_stats_frozen) acrl_running_stat_update_f(&c->state_stat, v->states, E);
        collector_normalize_state(c, v->states, c->state, E);
    }
    if (c->norm_reward) {
        for (int e = 0; e < E; e++) c->scratch[e] = c->disc_return[e] = c->disc_return[e] * c->gamma + v->rewards[e];
        acrl_running_stat_update(&c->ret_stat, c->scratch, E);
    }
    const int K = c->num_costs;
    for (int j = 0; j < E * K; j++) c->costs[j] = (float)v->costs[j];
    double rscale = c->norm_reward ? 1.0 / sqrt(c->ret_stat.var[0] + NORM_EPS) : 1.0;
    for (int e = 0; e < E; e++) {
        c->rewards[e] = c->norm_reward ? clipf(v->rewards[e] * rscale, c->clip_reward) : (float)v->rewards[e];
        if (v->terminated[e] || v->truncated[e]) {
            collector_normalize_obs(c, v->final_obs + (size_t)e * c->obs_dim, c->final_obs + (size_t)e * c->obs_dim, 1);
            if (c->state_dim)
                collector_normalize_state(c, v->final_states + (size_t)e * c->state_dim,
                                          c->final_state + (size_t)e * c->state_dim, 1);
            c->disc_return[e] = 0.0;
            int slot = c->ep_count % 100;
            c->ep_returns[slot] = v->done_return[e];
            c->ep_lengths[slot] = v->done_length[e];
            for (int k = 0; k < K; k++) c->ep_costs[slot * K + k] = v->done_cost[(size_t)e * K + k];
            c->ep_count++;
        }
    }
}

void collector_log_episode(acrl_collector* c, double ret, int len) {
    int slot = c->ep_count % 100;
    c->ep_returns[slot] = ret;
    c->ep_lengths[slot] = len;
    c->ep_count++;
}

void collector_recent(const acrl_collector* c, double* ret_mean, double* ret_std, double* len_mean) {
    int n = c->ep_count < 100 ? c->ep_count : 100;
    if (n == 0) { *ret_mean = *ret_std = *len_mean = NAN; return; }
    double s = 0, s2 = 0, l = 0;
    for (int i = 0; i < n; i++) { s += c->ep_returns[i]; l += c->ep_lengths[i]; }
    double m = s / n;
    for (int i = 0; i < n; i++) s2 += (c->ep_returns[i] - m) * (c->ep_returns[i] - m);
    *ret_mean = m;
    *ret_std = sqrt(s2 / n);
    *len_mean = l / n;
}

double collector_recent_cost(const acrl_collector* c, int k) {
    int n = c->ep_count < 100 ? c->ep_count : 100;
    if (n == 0 || k < 0 || k >= c->num_costs) return NAN;
    double s = 0;
    for (int i = 0; i < n; i++) s += c->ep_costs[i * c->num_costs + k];
    return s / n;
}

double collector_recent_cost_n(const acrl_collector* c, int k, int n) {
    if (n > 100) n = 100;
    if (n > c->ep_count) n = c->ep_count;
    if (n <= 0 || k < 0 || k >= c->num_costs) return NAN;
    double s = 0;
    for (int i = 0; i < n; i++) s += c->ep_costs[((c->ep_count - 1 - i) % 100) * c->num_costs + k];
    return s / n;
}

/* ---- snapshot: [envs][obs stat][ret stat][disc_return][raw obs][ep log][counters] ----
 * Explicit little-endian fields (docs/checkpoint-format.md): each env's own snapshot, then
 * per statistic float64 mean (dim), var (dim), count; float64 disc_return (E); float32 raw
 * obs (E, obs_dim); float64 running episode returns (E); int32 running lengths (E);
 * float64 ep_returns (100); int32 ep_lengths (100); int32 ep_count; int64 steps; then, only
 * for envs with K > 0 costs, float64 running episode cost sums (E, K) and ep_costs (100, K). */

static size_t stat_bytes(const acrl_running_stat* s) { return 8 * (2 * (size_t)s->dim + 1); }

size_t collector_state_bytes(const acrl_collector* c) {
    size_t n = 0, E = (size_t)c->num_envs;
    for (int e = 0; e < c->num_envs; e++) n += c->venv->envs[e]->vt->state_bytes(c->venv->envs[e]);
    n += stat_bytes(&c->obs_stat) + stat_bytes(&c->ret_stat);
    n += 8 * E + 4 * E * (size_t)c->obs_dim + 8 * E + 4 * E;
    n += 8 * 100 + 4 * 100 + 4 + 8;
    n += 8 * (E + 100) * (size_t)c->num_costs;
    if (c->state_dim) n += stat_bytes(&c->state_stat);
    return n;
}

void collector_state_save(const acrl_collector* c, void* buf) {
    uint8_t* p = buf;
    acrl_vecenv* v = c->venv;
    size_t E = (size_t)c->num_envs;
    for (int e = 0; e < c->num_envs; e++) {
        v->envs[e]->vt->state_save(v->envs[e], p);
        p += v->envs[e]->vt->state_bytes(v->envs[e]);
    }
    const acrl_running_stat* st[2] = {&c->obs_stat, &c->ret_stat};
    for (int k = 0; k < 2; k++) {
        p = le_put_f64s(p, st[k]->mean, (size_t)st[k]->dim);
        p = le_put_f64s(p, st[k]->var, (size_t)st[k]->dim);
        p = le_put_f64(p, st[k]->count);
    }
    p = le_put_f64s(p, c->disc_return, E);
    p = le_put_f32s(p, v->obs, E * (size_t)c->obs_dim);
    p = le_put_f64s(p, v->episode_return, E);
    p = le_put_i32s(p, v->episode_length, E);
    p = le_put_f64s(p, c->ep_returns, 100);
    p = le_put_i32s(p, c->ep_lengths, 100);
    p = le_put_i32(p, c->ep_count);
    p = le_put_i64(p, c->steps);
    if (c->num_costs) {
        p = le_put_f64s(p, v->episode_cost, E * (size_t)c->num_costs);
        p = le_put_f64s(p, c->ep_costs, 100 * (size_t)c->num_costs);
    }
    if (c->state_dim) {
        p = le_put_f64s(p, c->state_stat.mean, (size_t)c->state_dim);
        p = le_put_f64s(p, c->state_stat.var, (size_t)c->state_dim);
        le_put_f64(p, c->state_stat.count);
    }
}

int collector_state_load(acrl_collector* c, const void* buf, size_t len, char* err, size_t errlen) {
    if (len != collector_state_bytes(c)) {
        snprintf(err, errlen, "checkpoint section 'collector' has %zu bytes, expected %zu (different env count or env?)",
                 len, collector_state_bytes(c));
        return -1;
    }
    const uint8_t* p = buf;
    acrl_vecenv* v = c->venv;
    size_t E = (size_t)c->num_envs;
    for (int e = 0; e < c->num_envs; e++) {
        if (v->envs[e]->vt->state_load(v->envs[e], p) != 0) {
            snprintf(err, errlen, "checkpoint section 'collector': env %d state is invalid", e);
            return -1;
        }
        p += v->envs[e]->vt->state_bytes(v->envs[e]);
    }
    acrl_running_stat* st[2] = {&c->obs_stat, &c->ret_stat};
    for (int k = 0; k < 2; k++) {
        le_get_f64s(&p, st[k]->mean, (size_t)st[k]->dim);
        le_get_f64s(&p, st[k]->var, (size_t)st[k]->dim);
        st[k]->count = le_get_f64(&p);
    }
    le_get_f64s(&p, c->disc_return, E);
    le_get_f32s(&p, v->obs, E * (size_t)c->obs_dim);
    le_get_f64s(&p, v->episode_return, E);
    le_get_i32s(&p, v->episode_length, E);
    le_get_f64s(&p, c->ep_returns, 100);
    le_get_i32s(&p, c->ep_lengths, 100);
    c->ep_count = le_get_i32(&p);
    c->steps = (long)le_get_i64(&p);
    if (c->num_costs) {
        le_get_f64s(&p, v->episode_cost, E * (size_t)c->num_costs);
        le_get_f64s(&p, c->ep_costs, 100 * (size_t)c->num_costs);
    }
    if (c->state_dim) {
        le_get_f64s(&p, c->state_stat.mean, (size_t)c->state_dim);
        le_get_f64s(&p, c->state_stat.var, (size_t)c->state_dim);
        c->state_stat.count = le_get_f64(&p);
    }
    if (c->ep_count < 0 || c->steps < 0) {
        snprintf(err, errlen, "checkpoint section 'collector' holds negative counters");
        return -1;
    }
    /* the same statistics rule as the policy-only reader: finite means, variances and
     * counts >= 0 (else a loadable run would export a policy.ckpt that eval refuses) */
    acrl_running_stat* st3[3] = {st[0], st[1], &c->state_stat};
    for (int k = 0; k < (c->state_dim ? 3 : 2); k++) {
        const acrl_running_stat* sk = st3[k];
        int bad = !isfinite(sk->count) || sk->count < 0;
        for (int j = 0; j < sk->dim; j++)
            bad |= !isfinite(sk->mean[j]) || !isfinite(sk->var[j]) || sk->var[j] < 0;
        if (bad) {
            snprintf(err, errlen, "checkpoint section 'collector' holds an invalid %s statistic",
                     k == 0 ? "observation" : k == 1 ? "return" : "state");
            return -1;
        }
    }
    collector_normalize_obs(c, v->obs, c->obs, c->num_envs);
    if (c->state_dim) { /* the envs' snapshots hold the states of their observations */
        for (int e = 0; e < c->num_envs; e++) acrl_env_priv_state(v->envs[e], v->states + (size_t)e * c->state_dim);
        collector_normalize_state(c, v->states, c->state, c->num_envs);
    }
    return 0;
}

/* ---- data-parallel (sharded) collectors ---------------------------------------------
 * Every step each shard sends its batch moments (observations; discounted returns) and its
 * finished episodes; every rank merges them in shard order, so the statistics and the
 * episode log are those of all copies, the same whatever the rank count. */

static size_t shard_msg(const acrl_collector* c) {
    return 2 * (size_t)c->obs_dim + 2 + 3 * (size_t)c->layout->envs_per_shard;
}

/* moments of rows [0, n) of x (float or double rows of d columns) */
static void moments_f(const float* x, int n, int d, double* mean, double* m2) {
    for (int j = 0; j < d; j++) {
        double sum = 0.0, sq = 0.0;
        for (int i = 0; i < n; i++) sum += (double)x[(size_t)i * d + j];
        double bm = sum / n;
        for (int i = 0; i < n; i++) { double t = (double)x[(size_t)i * d + j] - bm; sq += t * t; }
        mean[j] = bm;
        m2[j] = sq;
    }
}

/* Fills this rank's messages, exchanges them, merges the statistics. with_step: after a step
 * (returns and episodes), else after the reset. */
static int shard_exchange(acrl_collector* c, bool with_step) {
    const acrl_layout* L = c->layout;
    acrl_vecenv* v = c->venv;
    int od = c->obs_dim, Es = L->envs_per_shard;
    size_t M = shard_msg(c);
    for (int s = 0; s < L->local_shards; s++) {
        double* m = c->xsend + (size_t)s * M;
        int e0 = s * Es;
        moments_f(v->obs + (size_t)e0 * od, Es, od, m, m + od);
        m[2 * od] = m[2 * od + 1] = 0;
        if (with_step && c->norm_reward) {
            double sum = 0, sq = 0;
            for (int e = 0; e < Es; e++) sum += c->scratch[e0 + e];
            double bm = sum / Es;
            for (int e = 0; e < Es; e++) { double t = c->scratch[e0 + e] - bm; sq += t * t; }
            m[2 * od] = bm;
            m[2 * od + 1] = sq;
        }
        double* ep = m + 2 * od + 2;
        for (int e = 0; e < Es; e++) {
            bool done = with_step && (v->terminated[e0 + e] || v->truncated[e0 + e]);
            ep[3 * e] = done;
            ep[3 * e + 1] = done ? v->done_return[e0 + e] : 0;
            ep[3 * e + 2] = done ? v->done_length[e0 + e] : 0;
        }
    }
    char err[200] = "";
    if (comm_allgather(c->xsend, sizeof(double) * M * (size_t)L->local_shards, c->xrecv, err, sizeof err)) {
        snprintf(c->error, sizeof c->error, "%s", err);
        c->failed = true;
        return -1;
    }
    /* Chan et al.'s pairwise merge, shard by shard in shard order */
    int S = L->shards;
    double mean[od > 0 ? od : 1], m2[od > 0 ? od : 1], n = 0, rmean = 0, rm2 = 0;
    for (int s = 0; s < S; s++) {
        const double* m = c->xrecv + (size_t)s * M;
        double nt = n + Es;
        for (int j = 0; j < od; j++) {
            if (s == 0) { mean[j] = m[j]; m2[j] = m[od + j]; continue; }
            double d = m[j] - mean[j];
            mean[j] += d * Es / nt;
            m2[j] += m[od + j] + d * d * n * Es / nt;
        }
        if (s == 0) { rmean = m[2 * od]; rm2 = m[2 * od + 1]; }
        else {
            double d = m[2 * od] - rmean;
            rmean += d * Es / nt;
            rm2 += m[2 * od + 1] + d * d * n * Es / nt;
        }
        n = nt;
    }
    if (c->norm_obs) {
        for (int j = 0; j < od; j++) m2[j] /= n;
        acrl_running_stat_merge(&c->obs_stat, mean, m2, n);
    }
    if (with_step && c->norm_reward) {
        double rv = rm2 / n;
        acrl_running_stat_merge(&c->ret_stat, &rmean, &rv, n);
    }
    if (with_step)
        for (int s = 0; s < S; s++) {
            const double* ep = c->xrecv + (size_t)s * M + 2 * od + 2;
            for (int e = 0; e < Es; e++) {
                if (ep[3 * e] == 0) continue;
                int slot = c->ep_count % 100;
                c->ep_returns[slot] = ep[3 * e + 1];
                c->ep_lengths[slot] = (int)ep[3 * e + 2];
                c->ep_count++;
            }
        }
    return 0;
}

static void sharded_step(acrl_collector* c) {
    acrl_vecenv* v = c->venv;
    int E = c->num_envs;
    c->steps += c->layout->num_envs;
    if (c->norm_reward)
        for (int e = 0; e < E; e++) c->scratch[e] = c->disc_return[e] = c->disc_return[e] * c->gamma + v->rewards[e];
    if (shard_exchange(c, true)) return;
    collector_normalize_obs(c, v->obs, c->obs, E);
    double rscale = c->norm_reward ? 1.0 / sqrt(c->ret_stat.var[0] + NORM_EPS) : 1.0;
    for (int e = 0; e < E; e++) {
        c->rewards[e] = c->norm_reward ? clipf(v->rewards[e] * rscale, c->clip_reward) : (float)v->rewards[e];
        if (v->terminated[e] || v->truncated[e]) {
            collector_normalize_obs(c, v->final_obs + (size_t)e * c->obs_dim, c->final_obs + (size_t)e * c->obs_dim, 1);
            c->disc_return[e] = 0.0;
        }
    }
}

acrl_collector* collector_create_sharded(const char* env_id, const acrl_layout* L, uint64_t seed, int threads,
                                         const acrl_collector_options* opt, char* err, size_t errlen) {
    acrl_collector_options o = *opt;
    bool nobs = o.norm_obs;
    o.norm_obs = false; /* the statistics start from every shard's reset, below */
    acrl_collector* c = collector_create(env_id, L->local_envs, seed + (uint64_t)L->first_env, threads, &o, err, errlen);
    if (!c) return NULL;
    c->norm_obs = nobs;
    c->layout = L;
    size_t M = shard_msg(c);
    c->shard_rng = calloc((size_t)L->local_shards, sizeof(acrl_rng));
    c->xsend = calloc(M * (size_t)L->local_shards, sizeof(double));
    c->xrecv = calloc(M * (size_t)L->shards, sizeof(double));
    if (!c->shard_rng || !c->xsend || !c->xrecv) {
        collector_free(c);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (int s = 0; s < L->local_shards; s++) acrl_rng_seed2(&c->shard_rng[s], seed, 65536u + (uint64_t)(L->first_shard + s));
    if (shard_exchange(c, false)) {
        snprintf(err, errlen, "%s", c->error);
        collector_free(c);
        return NULL;
    }
    collector_normalize_obs(c, c->venv->obs, c->obs, c->num_envs);
    return c;
}

#define RNG_BYTES 48

size_t collector_part_bytes(const acrl_collector* c) {
    return collector_state_bytes(c) + RNG_BYTES * (size_t)c->layout->local_shards;
}

void collector_part_save(const acrl_collector* c, void* buf) {
    collector_state_save(c, buf);
    uint8_t* p = (uint8_t*)buf + collector_state_bytes(c);
    for (int s = 0; s < c->layout->local_shards; s++) p = le_put_rng(p, &c->shard_rng[s]);
}

/* byte sizes of the snapshot's blocks for n copies */
typedef struct { size_t env, stats, disc, obs, epret, eplen, tail; } snap_sizes;

static snap_sizes snap(const acrl_collector* c, size_t n) {
    snap_sizes z;
    acrl_env* e0 = c->venv->envs[0];
    z.env = n * e0->vt->state_bytes(e0);
    z.stats = stat_bytes(&c->obs_stat) + stat_bytes(&c->ret_stat);
    z.disc = 8 * n;
    z.obs = 4 * n * (size_t)c->obs_dim;
    z.epret = 8 * n;
    z.eplen = 4 * n;
    z.tail = 8 * 100 + 4 * 100 + 4 + 8;
    return z;
}

size_t collector_global_bytes(const acrl_collector* c) {
    snap_sizes g = snap(c, (size_t)c->layout->num_envs);
    return g.env + g.stats + g.disc + g.obs + g.epret + g.eplen + g.tail + RNG_BYTES * (size_t)c->layout->shards;
}

void collector_merge_parts(const acrl_collector* c, const void* parts, void* out) {
    const acrl_layout* L = c->layout;
    snap_sizes l = snap(c, (size_t)L->local_envs);
    size_t lsz = collector_part_bytes(c);
    const uint8_t* in = parts;
    uint8_t* o = out;
    /* blocks in the snapshot's order: per-copy blocks from every rank, shared ones from rank 0 */
    size_t blk[7] = {l.env, l.stats, l.disc, l.obs, l.epret, l.eplen, l.tail};
    bool per_copy[7] = {true, false, true, true, true, true, false};
    size_t off = 0;
    for (int b = 0; b < 7; b++) {
        for (int r = 0; r < (per_copy[b] ? L->ranks : 1); r++) {
            memcpy(o, in + (size_t)r * lsz + off, blk[b]);
            o += blk[b];
        }
        off += blk[b];
    }
    for (int r = 0; r < L->ranks; r++) {
        memcpy(o, in + (size_t)r * lsz + off, RNG_BYTES * (size_t)L->local_shards);
        o += RNG_BYTES * (size_t)L->local_shards;
    }
}

int collector_global_load(acrl_collector* c, const void* buf, size_t len, char* err, size_t errlen) {
    const acrl_layout* L = c->layout;
    if (len != collector_global_bytes(c)) {
        snprintf(err, errlen, "checkpoint section 'collector' has %zu bytes, expected %zu for %d env copies in %d "
                 "shards", len, collector_global_bytes(c), L->num_envs, L->shards);
        return -1;
    }
    snap_sizes g = snap(c, (size_t)L->num_envs), l = snap(c, (size_t)L->local_envs);
    size_t lsz = collector_state_bytes(c);
    uint8_t* part = malloc(lsz);
    if (!part) { snprintf(err, errlen, "out of memory"); return -1; }
    const uint8_t* in = buf;
    uint8_t* o = part;
    size_t gblk[7] = {g.env, g.stats, g.disc, g.obs, g.epret, g.eplen, g.tail};
    size_t lblk[7] = {l.env, l.stats, l.disc, l.obs, l.epret, l.eplen, l.tail};
    bool per_copy[7] = {true, false, true, true, true, true, false};
    for (int b = 0; b < 7; b++) {
        memcpy(o, in + (per_copy[b] ? (size_t)L->rank * lblk[b] : 0), lblk[b]);
        o += lblk[b];
        in += gblk[b];
    }
    int rc = collector_state_load(c, part, lsz, err, errlen);
    free(part);
    if (rc) return -1;
    in += RNG_BYTES * (size_t)L->first_shard;
    for (int s = 0; s < L->local_shards; s++)
        if (le_get_rng(&in, &c->shard_rng[s])) {
            snprintf(err, errlen, "checkpoint section 'collector': shard %d's generator state is invalid",
                     L->first_shard + s);
            return -1;
        }
    return 0;
}
