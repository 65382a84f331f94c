/* menv.c - the multi-agent env registry, settings, the matrix games and vectorized copies.
 *
 * Matrix games (one step per episode, both agents get the team payoff, terminated after it):
 * ClimbingGame-v0 is Claus & Boutilier's climbing game [[11,-30,0],[-30,7,6],[0,0,5]] (the
 * original, not the [[11,-30,0],[-30,7,0],[0,6,5]] variant of the `matrixgames` package);
 * PenaltyGame-v0 is [[k,0,10],[0,2,0],[10,0,k]] with k = -100 unless set (k <= 0). Rows are
 * agent 0's action, columns agent 1's. Each agent observes the constant 1. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/marl.h"
#include "io/le.h"
#include "marl/marl_internal.h"

static const char* const menv_ids[] = {"MPE-SimpleSpread-v3", "MPE-SimpleReference-v3", "MPE-SimpleSpeakerListener-v4",
                                       "ClimbingGame-v0", "PenaltyGame-v0"};
#define N_MENV 5

int acrl_menv_count(void) { return N_MENV; }
const char* acrl_menv_id_at(int i) { return i >= 0 && i < N_MENV ? menv_ids[i] : NULL; }
bool acrl_menv_exists(const char* id) {
    for (int i = 0; id && i < N_MENV; i++)
        if (strcmp(id, menv_ids[i]) == 0) return true;
    return false;
}

/* ---- matrix games ---------------------------------------------------------------- */

static const double climbing[3][3] = {{11, -30, 0}, {-30, 7, 6}, {0, 0, 5}};

double acrl_climbing_payoff(int a0, int a1) { return climbing[a0][a1]; }
double acrl_penalty_payoff(double k, int a0, int a1) {
    const double m[3][3] = {{k, 0, 10}, {0, 2, 0}, {10, 0, k}};
    return m[a0][a1];
}

typedef struct { bool penalty; double k; } matrix_game;

static void mg_reset(acrl_menv* e) { (void)e; }
static void mg_step(acrl_menv* e, const int* actions, double* rewards, bool* terminated) {
    const matrix_game* g = e->data;
    double r = g->penalty ? acrl_penalty_payoff(g->k, actions[0], actions[1]) : acrl_climbing_payoff(actions[0], actions[1]);
    for (int i = 0; i < 2; i++) { rewards[i] = r; terminated[i] = true; }
}
static void mg_observe(const acrl_menv* e, int agent, float* obs) { (void)e; (void)agent; obs[0] = 1.0f; }
static size_t mg_state_bytes(const acrl_menv* e) { (void)e; return 0; }
static void mg_state_save(const acrl_menv* e, void* buf) { (void)e; (void)buf; }
static int mg_state_load(acrl_menv* e, const void* buf) { (void)e; (void)buf; return 0; }
static void mg_close(acrl_menv* e) { free(e->data); }
static const acrl_menv_vtable mg_vtable = {
    .reset = mg_reset, .step = mg_step, .observe = mg_observe, .state_bytes = mg_state_bytes,
    .state_save = mg_state_save, .state_load = mg_state_load, .close = mg_close,
};

static acrl_menv* mg_create(bool penalty, double k, char* err, size_t errlen) {
    acrl_menv* e = calloc(1, sizeof *e);
    matrix_game* g = calloc(1, sizeof *g);
    if (!e || !g) {
        free(e); free(g);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    g->penalty = penalty;
    g->k = k;
    e->vt = &mg_vtable;
    e->data = g;
    e->n_agents = 2;
    e->obs_dim[0] = e->obs_dim[1] = 1;
    e->n_actions[0] = e->n_actions[1] = 3;
    e->max_cycles = 0;
    return e;
}

/* ---- settings ------------------------------------------------------------------- */

static int parse_num(const char* id, const char* key, const char* v, bool integer, double lo, double hi, double* out,
                     char* err, size_t errlen) {
    char* end;
    errno = 0;
    double x = strtod(v, &end);
    bool ok = *v && !isspace((unsigned char)*v) && *end == '\0' && errno == 0 && isfinite(x) && x >= lo && x <= hi;
    if (ok && integer) ok = x == floor(x);
    if (!ok) {
        snprintf(err, errlen, "%s: setting %s: '%s' is not %s in [%g, %g]", id, key, v,
                 integer ? "an integer" : "a number", lo, hi);
        return -1;
    }
    *out = x;
    return 0;
}

/* Parses "key=value,..." for env id into a (defaults first). */
static int parse_args(const char* id, const char* args, marl_args* a, char* err, size_t errlen) {
    a->n_agents = 3;
    a->local_ratio = 0.5;
    a->max_cycles = 25;
    a->k = -100;
    bool spread = strcmp(id, "MPE-SimpleSpread-v3") == 0, ref = strcmp(id, "MPE-SimpleReference-v3") == 0;
    bool mpe = strncmp(id, "MPE-", 4) == 0, penalty = strcmp(id, "PenaltyGame-v0") == 0;
    const char* valid = spread ? "N, local_ratio, max_cycles" : ref ? "local_ratio, max_cycles"
                        : mpe ? "max_cycles" : penalty ? "k" : "none";
    if (!args || !*args) return 0;
    char buf[512];
    if (strlen(args) >= sizeof buf) {
        snprintf(err, errlen, "%s: settings longer than %zu characters", id, sizeof buf - 1);
        return -1;
    }
    snprintf(buf, sizeof buf, "%s", args);
    for (char *save = NULL, *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char* eq = strchr(kv, '=');
        if (!eq) {
            snprintf(err, errlen, "%s: setting '%s' is not key=value (keys: %s)", id, kv, valid);
            return -1;
        }
        *eq = '\0';
        const char* v = eq + 1;
        double x;
        if (spread && strcmp(kv, "N") == 0) {
            if (parse_num(id, "N (agent count)", v, true, 1, 8, &x, err, errlen)) return -1;
            a->n_agents = (int)x;
        } else if ((spread || ref) && strcmp(kv, "local_ratio") == 0) {
            if (parse_num(id, kv, v, false, 0, 1, &x, err, errlen)) return -1;
            a->local_ratio = x;
        } else if (mpe && strcmp(kv, "max_cycles") == 0) {
            if (parse_num(id, kv, v, true, 1, 100000, &x, err, errlen)) return -1;
            a->max_cycles = (int)x;
        } else if (penalty && strcmp(kv, "k") == 0) {
            if (parse_num(id, kv, v, false, -1e6, 0, &x, err, errlen)) return -1;
            a->k = x;
        } else {
            snprintf(err, errlen, "%s: unknown setting '%s' (keys: %s)", id, kv, valid);
            return -1;
        }
    }
    return 0;
}

acrl_menv* acrl_menv_make(const char* id, const char* args, char* err, size_t errlen) {
    if (!acrl_menv_exists(id)) {
        snprintf(err, errlen, "unknown multi-agent env '%s' (MPE-SimpleSpread-v3, MPE-SimpleReference-v3, "
                 "MPE-SimpleSpeakerListener-v4, ClimbingGame-v0, PenaltyGame-v0)", id ? id : "(null)");
        return NULL;
    }
    marl_args a;
    if (parse_args(id, args, &a, err, errlen)) return NULL;
    acrl_menv* e;
    if (strncmp(id, "MPE-", 4) == 0) e = marl_mpe_create(id, &a, err, errlen);
    else e = mg_create(strcmp(id, "PenaltyGame-v0") == 0, a.k, err, errlen);
    if (!e) return NULL;
    for (int i = 0; i < N_MENV; i++)
        if (strcmp(id, menv_ids[i]) == 0) e->id = menv_ids[i];
    e->obs_max = 0;
    e->state_dim = 0;
    for (int i = 0; i < e->n_agents; i++) {
        if (e->obs_dim[i] > e->obs_max) e->obs_max = e->obs_dim[i];
        e->state_dim += e->obs_dim[i];
    }
    acrl_rng_seed(&e->rng, 0);
    return e;
}

static void observe_all(const acrl_menv* e, float* obs) {
    memset(obs, 0, sizeof(float) * (size_t)e->n_agents * (size_t)e->obs_max);
    for (int i = 0; i < e->n_agents; i++) e->vt->observe(e, i, obs + (size_t)i * (size_t)e->obs_max);
}

void acrl_menv_reset(acrl_menv* e, int64_t seed, float* obs) {
    if (seed >= 0) {
        acrl_rng_seed(&e->rng, (uint64_t)seed);
        marl_mpe_clear_u32(e); /* a new Generator holds no buffered 32-bit half */
    }
    e->steps = 0;
    e->vt->reset(e);
    if (obs) observe_all(e, obs);
}

void acrl_menv_step(acrl_menv* e, const int* actions, float* obs, double* rewards, bool* terminated, bool* truncated) {
    int a[ACRL_MARL_MAX_AGENTS];
    for (int i = 0; i < e->n_agents; i++) {
        a[i] = actions[i] < 0 ? 0 : actions[i] >= e->n_actions[i] ? e->n_actions[i] - 1 : actions[i];
    }
    e->vt->step(e, a, rewards, terminated);
    e->steps++;
    bool trunc = e->max_cycles > 0 && e->steps >= e->max_cycles;
    for (int i = 0; i < e->n_agents; i++) truncated[i] = trunc;
    if (obs) observe_all(e, obs);
}

void acrl_menv_state(const acrl_menv* e, float* state) {
    int k = 0;
    for (int i = 0; i < e->n_agents; i++) {
        e->vt->observe(e, i, state + k);
        k += e->obs_dim[i];
    }
}

size_t acrl_menv_snapshot_bytes(const acrl_menv* e) { return 8 + LE_RNG_BYTES + e->vt->state_bytes(e); }

void acrl_menv_snapshot_save(const acrl_menv* e, void* buf) {
    uint8_t* p = le_put_i32(buf, e->steps);
    p = le_put_i32(p, e->n_agents);
    p = le_put_rng(p, &e->rng);
    e->vt->state_save(e, p);
}

int acrl_menv_snapshot_load(acrl_menv* e, const void* buf) {
    const uint8_t* p = buf;
    int32_t steps = le_get_i32(&p), na = le_get_i32(&p);
    acrl_rng r;
    if (na != e->n_agents || steps < 0 || le_get_rng(&p, &r)) return -1;
    if (e->vt->state_load(e, p)) return -1;
    e->steps = steps;
    e->rng = r;
    return 0;
}

void acrl_menv_close(acrl_menv* e) {
    if (!e) return;
    if (e->vt->close) e->vt->close(e);
    free(e);
}

/* ---- vectorized copies --------------------------------------------------------------- */

void acrl_mvec_free(acrl_mvec* v) {
    if (!v) return;
    for (int i = 0; v->envs && i < v->num_envs; i++) acrl_menv_close(v->envs[i]);
    free(v->envs);
    free(v->obs); free(v->state); free(v->final_obs); free(v->final_state);
    free(v->rewards); free(v->terminated); free(v->truncated);
    free(v);
}

acrl_mvec* acrl_mvec_make(const char* id, const char* args, int num_envs, uint64_t seed, char* err, size_t errlen) {
    if (num_envs < 1) {
        snprintf(err, errlen, "n_envs must be >= 1");
        return NULL;
    }
    acrl_mvec* v = calloc(1, sizeof *v);
    if (!v || !(v->envs = calloc((size_t)num_envs, sizeof *v->envs))) {
        free(v);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    v->num_envs = num_envs;
    for (int i = 0; i < num_envs; i++)
        if (!(v->envs[i] = acrl_menv_make(id, args, err, errlen))) { acrl_mvec_free(v); return NULL; }
    const acrl_menv* e = v->envs[0];
    v->n_agents = e->n_agents;
    v->obs_max = e->obs_max;
    v->state_dim = e->state_dim;
    size_t no = (size_t)num_envs * (size_t)e->n_agents * (size_t)e->obs_max, ns = (size_t)num_envs * (size_t)e->state_dim;
    size_t na = (size_t)num_envs * (size_t)e->n_agents;
    v->obs = calloc(no, sizeof(float));
    v->final_obs = calloc(no, sizeof(float));
    v->state = calloc(ns, sizeof(float));
    v->final_state = calloc(ns, sizeof(float));
    v->rewards = calloc(na, sizeof(double));
    v->terminated = calloc(na, sizeof(bool));
    v->truncated = calloc(na, sizeof(bool));
    if (!v->obs || !v->final_obs || !v->state || !v->final_state || !v->rewards || !v->terminated || !v->truncated) {
        acrl_mvec_free(v);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (int i = 0; i < num_envs; i++) acrl_menv_reset(v->envs[i], (int64_t)(seed + (uint64_t)i), NULL);
    acrl_mvec_refresh(v);
    return v;
}

void acrl_mvec_refresh(acrl_mvec* v) {
    const size_t on = (size_t)v->n_agents * (size_t)v->obs_max;
    for (int i = 0; i < v->num_envs; i++) {
        observe_all(v->envs[i], v->obs + on * (size_t)i);
        acrl_menv_state(v->envs[i], v->state + (size_t)v->state_dim * (size_t)i);
    }
}

void acrl_mvec_step(acrl_mvec* v, const int* actions) {
    const int N = v->n_agents;
    const size_t on = (size_t)N * (size_t)v->obs_max, sd = (size_t)v->state_dim;
    for (int i = 0; i < v->num_envs; i++) {
        acrl_menv* e = v->envs[i];
        float* obs = v->obs + on * (size_t)i;
        float* st = v->state + sd * (size_t)i;
        bool* term = v->terminated + (size_t)N * (size_t)i;
        bool* trunc = v->truncated + (size_t)N * (size_t)i;
        acrl_menv_step(e, actions + (size_t)N * (size_t)i, obs, v->rewards + (size_t)N * (size_t)i, term, trunc);
        acrl_menv_state(e, st);
        bool done = false;
        for (int a = 0; a < N; a++) done |= term[a] || trunc[a];
        if (done) {
            memcpy(v->final_obs + on * (size_t)i, obs, on * sizeof(float));
            memcpy(v->final_state + sd * (size_t)i, st, sd * sizeof(float));
            acrl_menv_reset(e, -1, obs);
            acrl_menv_state(e, st);
        }
    }
}
