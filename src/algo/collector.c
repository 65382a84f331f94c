/* Vectorized env + shared observation/reward normalization (SB3 VecNormalize semantics). */
#include "algo/collector.h"
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

acrl_collector* collector_create(const char* env_id, int num_envs, uint64_t seed, int threads,
                                 const acrl_collector_options* opt, char* err, size_t errlen) {
    acrl_env_options eo = acrl_env_options_default();
    acrl_vecenv* v = acrl_vecenv_make(env_id, num_envs, seed, threads, &eo, err, errlen);
    if (!v) return NULL;
    acrl_collector* c = calloc(1, sizeof *c);
    if (!c) { acrl_vecenv_close(v); snprintf(err, errlen, "out of memory"); return NULL; }
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

void collector_free(acrl_collector* c) {
    if (!c) return;
    acrl_vecenv_close(c->venv);
    acrl_running_stat_free(&c->obs_stat);
    acrl_running_stat_free(&c->ret_stat);
    free(c->disc_return);
    free(c->obs);
    free(c->final_obs);
    free(c->rewards);
    free(c->scratch);
    free(c->act_env);
    free(c->costs);
    free(c);
}

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
    c->steps += E;
    if (c->norm_obs) acrl_running_stat_update_f(&c->obs_stat, v->obs, E);
    collector_normalize_obs(c, v->obs, c->obs, E);
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
            c->disc_return[e] = 0.0;
            int slot = c->ep_count % 100;
            c->ep_returns[slot] = v->done_return[e];
            c->ep_lengths[slot] = v->done_length[e];
            for (int k = 0; k < K; k++) c->ep_costs[slot * K + k] = v->done_cost[(size_t)e * K + k];
            c->ep_count++;
        }
    }
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
        le_put_f64s(p, c->ep_costs, 100 * (size_t)c->num_costs);
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
    if (c->ep_count < 0 || c->steps < 0) {
        snprintf(err, errlen, "checkpoint section 'collector' holds negative counters");
        return -1;
    }
    /* the same statistics rule as the policy-only reader: finite means, variances and
     * counts >= 0 (else a loadable run would export a policy.ckpt that eval refuses) */
    for (int k = 0; k < 2; k++) {
        int bad = !isfinite(st[k]->count) || st[k]->count < 0;
        for (int j = 0; j < st[k]->dim; j++)
            bad |= !isfinite(st[k]->mean[j]) || !isfinite(st[k]->var[j]) || st[k]->var[j] < 0;
        if (bad) {
            snprintf(err, errlen, "checkpoint section 'collector' holds an invalid %s statistic",
                     k == 0 ? "observation" : "return");
            return -1;
        }
    }
    collector_normalize_obs(c, v->obs, c->obs, c->num_envs);
    return 0;
}
