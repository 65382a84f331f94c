/* mec.c - MecOffload-v0: one decision per arriving task (local CPU or one of E edge
 * servers), delay and energy as two objectives, scalarised by a preference w that is part
 * of the observation (acrl/mec.h, docs/mec.md). Also the Pareto tools of acrl/mec.h.
 *
 * Queues are first-come-first-served in the order of assignment: a server (or a user's own
 * CPU) keeps the time free_at at which its assigned work ends, so the delay of a placement
 * is known exactly when it is made: upload s / r, then wait until the server is free, then
 * C s / f. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/mec.h"
#include "classic.h"

#define MEC_MAGIC CLASSIC_MAGIC('M', 'E', 'C', '1')

/* plain old data: the tag, then float64 fields only (classic snapshots) */
typedef struct {
    classic_tag tag;
    /* settings */
    double pref_random, pref, servers, servers_max, users, tasks, arrival_rate, size_mean, load, size_min,
        size_max, cpb, edge_freq, edge_spread, local_freq, edge_k, local_k, tx_power, bandwidth, noise_dbm,
        dist_min, dist_max, pl_a, pl_b, shadowing, fading, delay_scale, energy_scale, slots;
    /* episode state */
    double E, w, now, size, user, step, sum_delay, sum_energy, mean_bits;
    double freq[MEC_MAX_SERVERS], free_at[MEC_MAX_SERVERS];
    double local_free[MEC_MAX_USERS];
    double rate[MEC_MAX_USERS * MEC_MAX_SERVERS]; /* (U, MAX_SERVERS) */
} mec;

static const char ENV_ID[] = "MecOffload-v0";

double acrl_mec_rate(double bandwidth, double tx_power, double noise_dbm, double gain) {
    double n0 = pow(10.0, (noise_dbm - 30.0) / 10.0);
    return bandwidth * log2(1.0 + tx_power * gain / (n0 * bandwidth));
}

double acrl_mec_gain(double d, double a, double b, double shadowing, double fading) {
    return pow(10.0, -(a * log10(d / 1000.0) + b + shadowing) / 10.0) * fading;
}

static mec* mec_of(const acrl_env* env) {
    if (!env) return NULL;
    const acrl_env* b = env;
    while (b->inner) b = b->inner;
    if (!b->id || strcmp(b->id, ENV_ID) != 0 || !b->data) return NULL;
    mec* m = b->data;
    return m->tag.magic == MEC_MAGIC ? m : NULL;
}

static int mec_obs_dim(int slots) { return 5 + 2 * slots + MEC_HIST_BINS + 1; }

/* ---- settings ---------------------------------------------------------------------- */

typedef struct { const char* key; size_t off; double lo, hi, def; int integer; } mec_key;
#define K(name, field, lo, hi, def, integer) { name, offsetof(mec, field), lo, hi, def, integer }
static const mec_key KEYS[] = {
    K("servers", servers, 1, MEC_MAX_SERVERS, 5, 1),
    K("servers_max", servers_max, 0, MEC_MAX_SERVERS, 0, 1),
    K("users", users, 1, MEC_MAX_USERS, 10, 1),
    K("tasks", tasks, 1, 1e7, 100, 1),
    K("arrival_rate", arrival_rate, 1e-6, 1e6, 1, 0),
    K("size_mean", size_mean, 0, 1e6, 0, 0),
    K("load", load, 1e-6, 1e3, 1, 0),
    K("size_min", size_min, 1e-9, 1e6, 0.1, 0),
    K("size_max", size_max, 1e-9, 1e6, 100, 0),
    K("cycles_per_bit", cpb, 1e-6, 1e9, 1000, 0),
    K("edge_freq", edge_freq, 1, 1e15, 2e9, 0),
    K("edge_freq_spread", edge_spread, 0, 1e15, 0.5e9, 0),
    K("local_freq", local_freq, 1, 1e15, 1e9, 0),
    K("edge_k", edge_k, 0, 1, 5e-31, 0),
    K("local_k", local_k, 0, 1, 5e-31, 0),
    K("tx_power", tx_power, 1e-12, 1e6, 0.01, 0),
    K("bandwidth", bandwidth, 1, 1e15, 16.6e6, 0),
    K("noise_dbm", noise_dbm, -400, 100, -174, 0),
    K("dist_min", dist_min, 1e-3, 1e8, 50, 0),
    K("dist_max", dist_max, 1e-3, 1e8, 500, 0),
    K("pathloss_a", pl_a, 0, 1e3, 35, 0),
    K("pathloss_b", pl_b, -1e3, 1e3, 133.6, 0),
    K("shadowing", shadowing, -1e3, 1e3, 8, 0),
    K("fading", fading, 0, 1, 1, 1),
    K("delay_scale", delay_scale, 0, 1e9, 0.1, 0),
    K("energy_scale", energy_scale, 0, 1e9, 50, 0),
    K("slots", slots, 1, MEC_MAX_SLOTS, 4, 1),
};
#undef K
#define NKEYS ((int)(sizeof KEYS / sizeof KEYS[0]))

static double* field(mec* m, const mec_key* k) { return (double*)((char*)m + k->off); }

static int parse_args(mec* m, const char* args, char* err, size_t errlen) {
    for (int i = 0; i < NKEYS; i++) *field(m, &KEYS[i]) = KEYS[i].def;
    m->pref_random = 1;
    m->pref = 0.5;
    char buf[2048];
    if (!args) args = "";
    if (strlen(args) >= sizeof buf) { snprintf(err, errlen, "env_args: too long"); return -1; }
    snprintf(buf, sizeof buf, "%s", args);
    char* save = NULL;
    for (char* tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') tok++;
        if (!*tok) continue;
        char* eq = strchr(tok, '=');
        if (!eq) { snprintf(err, errlen, "env_args: '%s' is not key=value", tok); return -1; }
        *eq = 0;
        const char* k = tok, *v = eq + 1;
        char* end;
        double x = strtod(v, &end);
        int num = *v && !*end && isfinite(x);
        if (strcmp(k, "pref") == 0) {
            if (strcmp(v, "random") == 0) { m->pref_random = 1; continue; }
            if (!num || !(x >= 0 && x <= 1)) {
                snprintf(err, errlen, "env_args: pref=%s: the preference w must be a number in [0, 1] or 'random'", v);
                return -1;
            }
            m->pref_random = 0;
            m->pref = x;
            continue;
        }
        int i = 0;
        while (i < NKEYS && strcmp(KEYS[i].key, k) != 0) i++;
        if (i == NKEYS) {
            char valid[1024] = "pref";
            size_t n = strlen(valid);
            for (int j = 0; j < NKEYS && n < sizeof valid; j++)
                n += (size_t)snprintf(valid + n, sizeof valid - n, ", %s", KEYS[j].key);
            snprintf(err, errlen, "env_args: unknown key '%s' (valid: %s)", k, valid);
            return -1;
        }
        const mec_key* kk = &KEYS[i];
        if (!num || x < kk->lo || x > kk->hi || (kk->integer && x != floor(x))) {
            snprintf(err, errlen, "env_args: %s=%s: needs %s in [%g, %g]", k, v, kk->integer ? "an integer" : "a number",
                     kk->lo, kk->hi);
            return -1;
        }
        *field(m, kk) = x;
    }
    if (m->servers_max > 0 && m->servers_max < m->servers) {
        snprintf(err, errlen, "env_args: servers_max=%g is below servers=%g (0: a fixed number)", m->servers_max,
                 m->servers);
        return -1;
    }
    if (m->size_max < m->size_min) {
        snprintf(err, errlen, "env_args: size_max=%g is below size_min=%g", m->size_max, m->size_min);
        return -1;
    }
    if (m->dist_max < m->dist_min) {
        snprintf(err, errlen, "env_args: dist_max=%g is below dist_min=%g", m->dist_max, m->dist_min);
        return -1;
    }
    if (m->edge_spread >= m->edge_freq) {
        snprintf(err, errlen, "env_args: edge_freq_spread=%g must be below edge_freq=%g", m->edge_spread, m->edge_freq);
        return -1;
    }
    return 0;
}

int acrl_mec_args(const acrl_env* env, char* buf, size_t len) {
    mec* m = mec_of(env);
    if (!m || !buf || !len) return -1;
    size_t n = 0;
    if (m->pref_random) n += (size_t)snprintf(buf, len, "pref=random");
    else n += (size_t)snprintf(buf, len, "pref=%.17g", m->pref);
    for (int i = 0; i < NKEYS && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, ",%s=%.17g", KEYS[i].key, *field(m, &KEYS[i]));
    return n < len ? 0 : -1;
}

/* ---- dynamics ----------------------------------------------------------------------- */

static double exp_draw(acrl_rng* r, double mean) { return -log1p(-acrl_rng_double(r)) * mean; }

static void next_task(acrl_env* env, mec* m) {
    m->now += exp_draw(&env->rng, 1.0 / m->arrival_rate);
    m->user = (double)acrl_rng_below(&env->rng, (uint64_t)m->users);
    double s = exp_draw(&env->rng, m->mean_bits);
    double lo = m->size_min * 1e6, hi = m->size_max * 1e6;
    m->size = s < lo ? lo : s > hi ? hi : s;
}

/* delay and energy of the current task on server j (-1: local) */
static void estimate(const mec* m, int j, double* delay, double* energy) {
    double cycles = m->cpb * m->size;
    if (j < 0) {
        double f = m->local_freq;
        double start = fmax(m->now, m->local_free[(int)m->user]);
        *delay = start + cycles / f - m->now;
        *energy = m->local_k * cycles * f * f;
        return;
    }
    double f = m->freq[j], r = m->rate[(int)m->user * MEC_MAX_SERVERS + j];
    double tx = m->size / r;
    double start = fmax(m->now + tx, m->free_at[j]);
    *delay = start + cycles / f - m->now;
    *energy = m->tx_power * tx + m->edge_k * cycles * f * f;
}

/* server indices sorted by the current task's delay (ties: lower index first) */
static void rank_servers(const mec* m, int* order, double* d, double* e) {
    int E = (int)m->E;
    for (int j = 0; j < E; j++) {
        estimate(m, j, &d[j], &e[j]);
        order[j] = j;
    }
    for (int a = 1; a < E; a++) { /* insertion sort: stable */
        int o = order[a], b = a;
        while (b > 0 && d[order[b - 1]] > d[o]) { order[b] = order[b - 1]; b--; }
        order[b] = o;
    }
}

static float clip10(double v) { return (float)(v < 0 ? 0 : v > 10 ? 10 : v); }

static void mec_obs(const mec* m, float* obs) {
    int E = (int)m->E, S = (int)m->slots;
    int order[MEC_MAX_SERVERS];
    double d[MEC_MAX_SERVERS], e[MEC_MAX_SERVERS], ld, le;
    rank_servers(m, order, d, e);
    estimate(m, -1, &ld, &le);
    obs[0] = (float)m->w;
    obs[1] = (float)(m->E / 10.0);
    obs[2] = clip10(m->size / 1e7);
    obs[3] = clip10(ld * m->delay_scale);
    obs[4] = clip10(le * m->energy_scale);
    for (int r = 0; r < S; r++) {
        int j = order[r < E ? r : E - 1];
        obs[5 + 2 * r] = clip10(d[j] * m->delay_scale);
        obs[6 + 2 * r] = clip10(e[j] * m->energy_scale);
    }
    float* h = obs + 5 + 2 * S;
    for (int b = 0; b < MEC_HIST_BINS; b++) h[b] = 0;
    for (int j = 0; j < E; j++) {
        double backlog = fmax(0.0, m->free_at[j] - m->now);
        int b = 0;  /* bins [0, .5) [.5, 1) [1, 2) [2, 4) [4, 8) [8, 16) [16, 32) [32, inf) seconds */
        for (double edge = 0.5; b < MEC_HIST_BINS - 1 && backlog >= edge; edge *= 2) b++;
        h[b] += 1.0f / (float)E;
    }
    h[MEC_HIST_BINS] = clip10(fmax(0.0, m->local_free[(int)m->user] - m->now) * m->delay_scale);
}

static void mec_reset(acrl_env* env, float* obs) {
    mec* m = env->data;
    acrl_rng* r = &env->rng;
    int E = (int)m->servers;
    if (m->servers_max > m->servers) E += (int)acrl_rng_below(r, (uint64_t)(m->servers_max - m->servers + 1));
    m->E = E;
    m->w = m->pref_random ? acrl_rng_double(r) : m->pref;
    double fsum = 0;
    for (int j = 0; j < E; j++) {
        m->freq[j] = m->edge_spread > 0 ? acrl_rng_uniform(r, m->edge_freq - m->edge_spread, m->edge_freq + m->edge_spread)
                                        : m->edge_freq;
        fsum += m->freq[j];
        m->free_at[j] = 0;
    }
    for (int j = E; j < MEC_MAX_SERVERS; j++) m->freq[j] = m->free_at[j] = 0;
    memset(m->rate, 0, sizeof m->rate);
    memset(m->local_free, 0, sizeof m->local_free);
    for (int u = 0; u < (int)m->users; u++)
        for (int j = 0; j < E; j++) {
            double d = m->dist_max > m->dist_min ? acrl_rng_uniform(r, m->dist_min, m->dist_max) : m->dist_min;
            double fade = m->fading ? exp_draw(r, 1.0) : 1.0;
            double g = acrl_mec_gain(d, m->pl_a, m->pl_b, m->shadowing, fade);
            double rate = acrl_mec_rate(m->bandwidth, m->tx_power, m->noise_dbm, g);
            m->rate[u * MEC_MAX_SERVERS + j] = rate > 1e-3 ? rate : 1e-3; /* a deep fade: a (very) slow link */
        }
    m->mean_bits = m->size_mean > 0 ? m->size_mean * 1e6 : m->load * fsum / (m->cpb * m->arrival_rate);
    m->now = 0;
    m->step = 0;
    m->sum_delay = m->sum_energy = 0;
    next_task(env, m);
    mec_obs(m, obs);
}

static void place(acrl_env* env, mec* m, int j, float* obs, double* reward, bool* terminated, bool* truncated) {
    double delay, energy;
    estimate(m, j, &delay, &energy);
    if (j < 0) m->local_free[(int)m->user] = m->now + delay;
    else m->free_at[j] = m->now + delay;
    env->costs[0] = delay;
    env->costs[1] = energy;
    m->sum_delay += delay;
    m->sum_energy += energy;
    *reward = -m->w * m->delay_scale * delay - (1.0 - m->w) * m->energy_scale * energy;
    m->step += 1;
    *terminated = false;
    *truncated = m->step >= m->tasks;
    next_task(env, m);
    mec_obs(m, obs);
}

static void mec_step(acrl_env* env, const float* action, float* obs, double* reward, bool* terminated,
                     bool* truncated) {
    mec* m = env->data;
    int a = classic_action_index(action[0], 1 + (int)m->slots);
    int j = -1;
    if (a > 0) {
        int order[MEC_MAX_SERVERS];
        double d[MEC_MAX_SERVERS], e[MEC_MAX_SERVERS];
        rank_servers(m, order, d, e);
        int E = (int)m->E;
        j = order[a - 1 < E ? a - 1 : E - 1];
    }
    place(env, m, j, obs, reward, terminated, truncated);
}

static size_t mec_state_bytes(const acrl_env* env) { return classic_snap_bytes(env, 0); }
static void mec_state_save(const acrl_env* env, void* buf) { classic_snap_save(env, buf, 0); }
static int mec_state_load(acrl_env* env, const void* buf) {
    /* the settings travel in the snapshot too: they must be the env's own */
    mec* m = env->data;
    mec keep = *m;
    if (classic_snap_load(env, buf, 0)) return -1;
    if (memcmp(&keep.pref_random, &m->pref_random, offsetof(mec, E) - offsetof(mec, pref_random)) != 0) {
        *m = keep;
        return -1;
    }
    return 0;
}

static const acrl_env_vtable mec_vtable = {
    .reset = mec_reset, .step = mec_step, .set_state = NULL,
    .state_bytes = mec_state_bytes, .state_save = mec_state_save, .state_load = mec_state_load, .close = NULL,
};

acrl_env* acrl_mec_create(const acrl_env_options* opt, char* err, size_t errlen) {
    mec tmp;
    memset(&tmp, 0, sizeof tmp);
    if (parse_args(&tmp, opt ? opt->env_args : NULL, err, errlen)) return NULL;
    int S = (int)tmp.slots, od = mec_obs_dim(S);
    acrl_env* env = classic_env_alloc(&mec_vtable, ENV_ID, MEC_MAGIC, sizeof(mec), od, 1, 1 + S, 0, err, errlen);
    if (!env) return NULL;
    mec* m = env->data;
    tmp.tag = m->tag;
    *m = tmp;
    for (int i = 0; i < od; i++) {
        env->obs_space.low[i] = 0.0f;
        env->obs_space.high[i] = 10.0f;
    }
    env->num_costs = 2;
    return env;
}

/* ---- introspection and baselines ---------------------------------------------------- */

int acrl_mec_view_get(const acrl_env* env, acrl_mec_view* v) {
    const mec* m = mec_of(env);
    if (!m || !v) return -1;
    memset(v, 0, sizeof *v);
    v->servers = (int)m->E;
    v->users = (int)m->users;
    v->user = (int)m->user;
    v->now = m->now;
    v->size = m->size;
    v->pref = m->w;
    for (int j = 0; j < v->servers; j++) {
        v->freq[j] = m->freq[j];
        v->free_at[j] = m->free_at[j];
        v->rate[j] = m->rate[v->user * MEC_MAX_SERVERS + j];
    }
    v->local_free_at = m->local_free[v->user];
    return 0;
}

int acrl_mec_estimate(const acrl_env* env, int j, double* delay, double* energy) {
    const mec* m = mec_of(env);
    if (!m || j < -1 || j >= (int)m->E) return -1;
    estimate(m, j, delay, energy);
    return 0;
}

int acrl_mec_step_server(acrl_env* env, int j, float* obs, double* reward, bool* terminated, bool* truncated) {
    mec* m = mec_of(env);
    if (!m || j < -1 || j >= (int)m->E) return -1;
    acrl_env* b = env;
    while (b->inner) b = b->inner;
    place(b, m, j, obs, reward, terminated, truncated);
    return 0;
}

int acrl_mec_totals(const acrl_env* env, double* delay, double* energy, int* tasks) {
    const mec* m = mec_of(env);
    if (!m) return -1;
    if (delay) *delay = m->sum_delay;
    if (energy) *energy = m->sum_energy;
    if (tasks) *tasks = (int)m->step;
    return 0;
}

int acrl_mec_heuristic_choice(const acrl_env* env, acrl_mec_heuristic h, acrl_rng* rng) {
    const mec* m = mec_of(env);
    if (!m) return -2;
    int E = (int)m->E;
    switch (h) {
    case ACRL_MEC_LOCAL: return -1;
    case ACRL_MEC_FASTEST: {
        int best = 0;
        for (int j = 1; j < E; j++) if (m->freq[j] > m->freq[best]) best = j;
        return best;
    }
    case ACRL_MEC_RANDOM: return (int)acrl_rng_below(rng, (uint64_t)E + 1) - 1;
    case ACRL_MEC_GREEDY: {
        int best = -1;
        double bd, e;
        estimate(m, -1, &bd, &e);
        for (int j = 0; j < E; j++) {
            double d;
            estimate(m, j, &d, &e);
            if (d < bd) { bd = d; best = j; }
        }
        return best;
    }
    }
    return -2;
}

/* ---- Pareto tools --------------------------------------------------------------------- */

int acrl_pareto_front(const double* x, const double* y, int n, int* keep) {
    int k = 0;
    for (int i = 0; i < n; i++) {
        int dominated = 0;
        for (int j = 0; j < n && !dominated; j++) {
            if (j == i) continue;
            int le = x[j] <= x[i] && y[j] <= y[i], lt = x[j] < x[i] || y[j] < y[i];
            if (le && (lt || j < i)) dominated = 1;   /* equal points: the first one stays */
        }
        if (!dominated) keep[k++] = i;
    }
    for (int a = 1; a < k; a++) { /* by x ascending */
        int v = keep[a], b = a;
        while (b > 0 && x[keep[b - 1]] > x[v]) { keep[b] = keep[b - 1]; b--; }
        keep[b] = v;
    }
    return k;
}

double acrl_hypervolume2(const double* x, const double* y, int n, double rx, double ry) {
    if (n <= 0) return 0;
    int* keep = malloc(sizeof(int) * (size_t)n);
    if (!keep) return NAN;
    int k = acrl_pareto_front(x, y, n, keep);
    /* sweep the front by x ascending (y then descends): each point adds the strip from its
     * x to the next point's x (or rx), from its y up to ry */
    double hv = 0;
    for (int a = 0; a < k; a++) {
        double xi = x[keep[a]], yi = y[keep[a]];
        if (!(xi < rx && yi < ry)) continue;
        double xn = rx;
        for (int b = a + 1; b < k; b++)
            if (x[keep[b]] < rx && y[keep[b]] < ry) { xn = x[keep[b]]; break; }
        hv += (xn - xi) * (ry - yi);
    }
    free(keep);
    return hv;
}
