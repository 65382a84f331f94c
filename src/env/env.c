/* env.c - spaces and the generic env functions (make, reset, step, set_state, close),
 * plus the one-block allocation and plain-old-data snapshots the classic envs share.
 *
 * Ownership: acrl_env_close calls vt->close (which frees what the env owns besides its
 * own struct; wrappers close their inner env there) and then frees the struct itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/env.h"
#include "classic.h"
#include "io/le.h"

/* ---- spaces ------------------------------------------------------------------ */

bool acrl_space_contains(const acrl_space* space, const float* x) {
    if (space->kind == ACRL_SPACE_DISCRETE)
        return x[0] >= 0.0f && x[0] < (float)space->n && x[0] == (float)(int)x[0];
    for (int i = 0; i < space->dim; i++)
        if (!(x[i] >= space->low[i] && x[i] <= space->high[i])) return false; /* NaN fails */
    return true;
}

void acrl_space_describe(const acrl_space* space, char* buf, size_t len) {
    if (!buf || len == 0) return;
    if (space->kind == ACRL_SPACE_DISCRETE) snprintf(buf, len, "Discrete(%d)", space->n);
    else snprintf(buf, len, "Box(%d,)", space->dim);
}

/* ---- generic env functions ----------------------------------------------------- */

acrl_env_options acrl_env_options_default(void) {
    acrl_env_options o = { .max_episode_steps = -1, .model_path = NULL, .env_args = NULL };
    return o;
}

/* ---- partial observability keys (hide, obs_noise) ------------------------------------ */

#define MAX_HIDE 64

/* The velocity entries of the observations of the envs with a known layout. */
static int velocity_dims(const char* id, int obs_dim, int* out) {
    static const struct { const char* id; int obs_dim, lo, hi; int extra; } T[] = {
        {"Pendulum-v1", 3, 2, 3, -1},            /* cos th, sin th, th dot */
        {"CartPole-v1", 4, 1, 2, 3},             /* x, x dot, th, th dot */
        {"Acrobot-v1", 6, 4, 6, -1},             /* cos/sin th1, th2, th1 dot, th2 dot */
        {"MountainCar-v0", 2, 1, 2, -1},
        {"MountainCarContinuous-v0", 2, 1, 2, -1},
        {"InvertedPendulum-v4", 4, 2, 4, -1},    /* qpos (2), qvel (2) */
        {"InvertedDoublePendulum-v4", 11, 5, 8, -1}, /* x, sin, cos, qvel (3), constraint forces */
        {"Hopper-v4", 11, 5, 11, -1},            /* qpos[1:] (5), qvel (6) */
        {"Walker2d-v4", 17, 8, 17, -1},          /* qpos[1:] (8), qvel (9) */
        {"HalfCheetah-v4", 17, 8, 17, -1},
        {"Swimmer-v4", 8, 3, 8, -1},             /* qpos[2:] (3), qvel (5) */
    };
    for (size_t k = 0; k < sizeof T / sizeof T[0]; k++) {
        if (strcmp(T[k].id, id) != 0 || T[k].obs_dim != obs_dim) continue;
        int n = 0;
        for (int j = T[k].lo; j < T[k].hi; j++) out[n++] = j;
        if (T[k].extra >= 0) out[n++] = T[k].extra;
        return n;
    }
    return -1;
}

/* Splits hide=..., obs_noise=... and obs_stack=... off args: the rest into rest (restlen), the
 * hide value into hide (hidelen; "" if none), the noise into *noise (0 if none), the frames into
 * *stack (1 if none). 0, or -1 + message. */
static int split_partial_args(const char* args, char* rest, size_t restlen, char* hide, size_t hidelen, double* noise,
                              int* stack, char* err, size_t errlen) {
    rest[0] = hide[0] = '\0';
    *noise = 0;
    *stack = 1;
    if (!args) return 0;
    size_t n = strlen(args), used = 0;
    if (n >= restlen) { snprintf(err, errlen, "env_args: too long"); return -1; }
    const char* p = args;
    while (*p) {
        const char* end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 5 && strncmp(p, "hide=", 5) == 0) {
            if (len - 5 >= hidelen) { snprintf(err, errlen, "env_args: hide=...: too long"); return -1; }
            memcpy(hide, p + 5, len - 5);
            hide[len - 5] = '\0';
        } else if (len >= 10 && strncmp(p, "obs_noise=", 10) == 0) {
            char v[64], *q;
            if (len - 10 >= sizeof v || len == 10) { snprintf(err, errlen, "env_args: obs_noise needs a number"); return -1; }
            memcpy(v, p + 10, len - 10);
            v[len - 10] = '\0';
            double s = strtod(v, &q);
            if (*q || !(s >= 0 && s <= 1e6)) {
                snprintf(err, errlen, "env_args: obs_noise=%s: the noise std must be a number in [0, 1e6]", v);
                return -1;
            }
            *noise = s;
        } else if (len >= 10 && strncmp(p, "obs_stack=", 10) == 0) {
            char v[32], *q;
            if (len - 10 >= sizeof v || len == 10) { snprintf(err, errlen, "env_args: obs_stack needs a number"); return -1; }
            memcpy(v, p + 10, len - 10);
            v[len - 10] = '\0';
            long k = strtol(v, &q, 10);
            if (*q || k < 1 || k > 64) {
                snprintf(err, errlen, "env_args: obs_stack=%s: the frames stacked must be an integer in [1, 64]", v);
                return -1;
            }
            *stack = (int)k;
        } else if (len == 4 && strncmp(p, "hide", 4) == 0) {
            snprintf(err, errlen, "env_args: hide needs a value (velocity, or observation indices I+J+...)");
            return -1;
        } else if (len > 0) {
            if (used) rest[used++] = ',';
            memcpy(rest + used, p, len);
            used += len;
            rest[used] = '\0';
        }
        p += len;
        if (*p == ',') p++;
    }
    return 0;
}

/* hide value -> sorted distinct indices of an obs_dim observation; -1 + message. */
static int parse_hide(const char* id, int obs_dim, const char* spec, int* idx, int* n, char* err, size_t errlen) {
    *n = 0;
    if (!spec[0]) return 0;
    if (strcmp(spec, "velocity") == 0) {
        int k = obs_dim <= MAX_HIDE ? velocity_dims(id, obs_dim, idx) : -1;
        if (k < 0) {
            snprintf(err, errlen, "env_args: hide=velocity: %s has no known velocity entries (name them: hide=I+J+...)", id);
            return -1;
        }
        *n = k;
    } else {
        const char* p = spec;
        while (*p) {
            char* q;
            long v = *p >= '0' && *p <= '9' ? strtol(p, &q, 10) : -1;
            if (v < 0 || (*q && *q != '+') || (*q == '+' && !q[1]) || v >= obs_dim) {
                snprintf(err, errlen, "env_args: hide=%s: velocity, or observation indices in [0, %d) joined by '+'",
                         spec, obs_dim);
                return -1;
            }
            for (int j = 0; j < *n; j++)
                if (idx[j] == v) { snprintf(err, errlen, "env_args: hide=%s: index %ld twice", spec, v); return -1; }
            if (*n >= MAX_HIDE) { snprintf(err, errlen, "env_args: hide=%s: at most %d indices", spec, MAX_HIDE); return -1; }
            idx[(*n)++] = (int)v;
            p = *q ? q + 1 : q;
        }
    }
    if (*n >= obs_dim) { snprintf(err, errlen, "env_args: hide=%s hides every observation entry of %s", spec, id); return -1; }
    for (int i = 1; i < *n; i++) /* insertion sort */
        for (int j = i; j > 0 && idx[j - 1] > idx[j]; j--) { int t = idx[j]; idx[j] = idx[j - 1]; idx[j - 1] = t; }
    return 0;
}

int acrl_env_priv_dim(const acrl_env* env) {
    for (const acrl_env* e = env; e; e = e->inner)
        if (e->priv_state) return e->priv_dim;
    return 0;
}

void acrl_env_priv_state(const acrl_env* env, float* out) {
    for (const acrl_env* e = env; e; e = e->inner)
        if (e->priv_state) { e->priv_state(e, out); return; }
}

acrl_env* acrl_env_make(const char* id, const acrl_env_options* opt, char* err, size_t errlen) {
    const acrl_env_spec* spec = id ? acrl_env_spec_find(id) : NULL;
    if (!spec) {
        if (err && errlen) {
            size_t k = (size_t)snprintf(err, errlen, "unknown env id '%s'; valid ids:", id ? id : "(null)");
            for (int i = 0; i < acrl_env_count() && k < errlen; i++)
                k += (size_t)snprintf(err + k, errlen - k, "%s %s", i ? "," : "", acrl_env_spec_at(i)->id);
        }
        return NULL;
    }
    acrl_env_options o = opt ? *opt : acrl_env_options_default();
    /* hide= and obs_noise= are the wrapper's (acrl_wrap_partial_obs), not the env's */
    char rest[1024], hide[256];
    double noise = 0;
    int stack = 1;
    if (o.env_args && (strstr(o.env_args, "hide") || strstr(o.env_args, "obs_noise") || strstr(o.env_args, "obs_stack"))) {
        if (split_partial_args(o.env_args, rest, sizeof rest, hide, sizeof hide, &noise, &stack, err, errlen)) return NULL;
        o.env_args = rest[0] ? rest : NULL;
    } else {
        hide[0] = '\0';
    }
    acrl_env* env = spec->create(&o, err, errlen);
    if (!env) return NULL;
    if (env_check_created(spec, env, err, errlen)) return NULL; /* registered at run time: checked */
    int idx[MAX_HIDE], nh = 0;
    if (parse_hide(spec->id, env->obs_space.dim, hide, idx, &nh, err, errlen)) { acrl_env_close(env); return NULL; }
    int max_steps = o.max_episode_steps < 0 ? spec->max_episode_steps : o.max_episode_steps;
    if (max_steps > 0) env = acrl_wrap_time_limit(env, max_steps, err, errlen); /* closes the base env on failure */
    if (env && (nh > 0 || noise > 0 || stack > 1)) env = acrl_wrap_partial_obs(env, idx, nh, noise, stack, err, errlen);
    return env;
}

acrl_env* acrl_env_unwrapped(acrl_env* env) {
    while (env->inner) env = env->inner;
    return env;
}

int acrl_env_num_costs(const acrl_env* env) {
    while (env->inner) env = env->inner;
    return env->num_costs;
}

const double* acrl_env_costs(const acrl_env* env) {
    while (env->inner) env = env->inner;
    return env->costs;
}

void acrl_env_reset(acrl_env* env, int64_t seed, float* obs) {
    if (seed >= 0) acrl_rng_seed(&acrl_env_unwrapped(env)->rng, (uint64_t)seed);
    env->vt->reset(env, obs);
}

void acrl_env_step(acrl_env* env, const float* action, float* obs, double* reward,
                   bool* terminated, bool* truncated) {
    env->vt->step(env, action, obs, reward, terminated, truncated);
}

/* The outermost env that implements set_state handles it (a wrapper may transform the
 * observation); wrappers without one pass the call down. */
int acrl_env_set_state(acrl_env* env, const double* state, int n, float* obs, char* err, size_t errlen) {
    for (acrl_env* e = env; e; e = e->inner)
        if (e->vt->set_state) return e->vt->set_state(e, state, n, obs, err, errlen);
    if (err && errlen) snprintf(err, errlen, "%s does not support setting its state", env->id);
    return -1;
}

void acrl_env_close(acrl_env* env) {
    if (!env) return;
    if (env->vt->close) env->vt->close(env);
    free(env);
}

/* ---- classic env helpers (classic.h) ---------------------------------------------- */

/* Rounds n up to a multiple of the strictest alignment the block holds. */
static size_t align_up(size_t n) { return (n + 15) & ~(size_t)15; }

acrl_env* classic_env_alloc(const acrl_env_vtable* vt, const char* id, uint32_t magic,
                            size_t data_size, int obs_dim, int act_dim, int act_n,
                            int state_dim, char* err, size_t errlen) {
    size_t off_data = align_up(sizeof(acrl_env));
    size_t off_obs = off_data + align_up(data_size);
    size_t off_act = off_obs + align_up(2 * (size_t)obs_dim * sizeof(float));
    size_t total = off_act + (act_n ? 0 : 2 * (size_t)act_dim * sizeof(float));
    char* block = calloc(1, total);
    if (!block) {
        if (err && errlen) snprintf(err, errlen, "out of memory creating %s", id);
        return NULL;
    }
    acrl_env* env = (acrl_env*)block;
    env->vt = vt;
    env->id = id;
    env->data = block + off_data;
    classic_tag* tag = env->data;
    tag->magic = magic;
    tag->size = (uint32_t)data_size;
    env->obs_space.kind = ACRL_SPACE_BOX;
    env->obs_space.dim = obs_dim;
    env->obs_space.low = (float*)(block + off_obs);
    env->obs_space.high = env->obs_space.low + obs_dim;
    if (act_n) {
        env->act_space.kind = ACRL_SPACE_DISCRETE;
        env->act_space.dim = 1;
        env->act_space.n = act_n;
    } else {
        env->act_space.kind = ACRL_SPACE_BOX;
        env->act_space.dim = act_dim;
        env->act_space.low = (float*)(block + off_act);
        env->act_space.high = env->act_space.low + act_dim;
    }
    env->state_dim = state_dim;
    acrl_rng_seed(&env->rng, 0); /* a valid generator until the first seeded reset */
    return env;
}

/* Snapshot (explicit little-endian fields, see docs/checkpoint-format.md): uint32 magic,
 * uint32 size of the data struct as x86-64 lays it out (what format version 1 stored), the
 * struct's float64 fields, its nints int32 fields padded with zeros to a multiple of 8
 * bytes, then the 48-byte RNG. The data struct is a classic_tag, float64s, then the ints. */
static uint32_t snap_data_bytes(const acrl_env* env, int nints) {
    size_t native = ((const classic_tag*)env->data)->size;
    size_t nd = (native - sizeof(classic_tag) - sizeof(int) * (size_t)nints) / sizeof(double);
    return (uint32_t)(8 + 8 * nd + 8 * (((size_t)nints + 1) / 2));
}

size_t classic_snap_bytes(const acrl_env* env, int nints) { return snap_data_bytes(env, nints) + LE_RNG_BYTES; }

void classic_snap_save(const acrl_env* env, void* buf, int nints) {
    const classic_tag* tag = env->data;
    uint32_t size = snap_data_bytes(env, nints);
    size_t nd = (size - 8 - 8 * (((size_t)nints + 1) / 2)) / 8;
    const unsigned char* data = env->data;
    uint8_t* p = le_put_u32(buf, tag->magic);
    p = le_put_u32(p, size);
    for (size_t i = 0; i < nd; i++) {
        double v;
        memcpy(&v, data + sizeof(classic_tag) + 8 * i, 8);
        p = le_put_f64(p, v);
    }
    for (int i = 0; i < nints; i++) {
        int v;
        memcpy(&v, data + sizeof(classic_tag) + 8 * nd + sizeof(int) * (size_t)i, sizeof v);
        p = le_put_i32(p, v);
    }
    if (nints % 2) p = le_put_u32(p, 0);
    le_put_rng(p, &env->rng);
}

int classic_snap_load(acrl_env* env, const void* buf, int nints) {
    const classic_tag* mine = env->data;
    uint32_t size = snap_data_bytes(env, nints);
    const uint8_t* p = buf;
    if (le_get_u32(&p) != mine->magic || le_get_u32(&p) != size) return -1;
    size_t nd = (size - 8 - 8 * (((size_t)nints + 1) / 2)) / 8;
    const uint8_t* rp = (const uint8_t*)buf + size;
    acrl_rng rng;
    if (le_get_rng(&rp, &rng)) return -1;
    unsigned char* data = env->data;
    for (size_t i = 0; i < nd; i++) {
        double v = le_get_f64(&p);
        memcpy(data + sizeof(classic_tag) + 8 * i, &v, 8);
    }
    for (int i = 0; i < nints; i++) {
        int v = le_get_i32(&p);
        memcpy(data + sizeof(classic_tag) + 8 * nd + sizeof(int) * (size_t)i, &v, sizeof v);
    }
    env->rng = rng;
    return 0;
}

size_t classic_state_bytes(const acrl_env* env) { return classic_snap_bytes(env, 0); }
void classic_state_save(const acrl_env* env, void* buf) { classic_snap_save(env, buf, 0); }
int classic_state_load(acrl_env* env, const void* buf) { return classic_snap_load(env, buf, 0); }

int classic_check_state_len(const acrl_env* env, int n, char* err, size_t errlen) {
    if (n == env->state_dim) return 0;
    if (err && errlen)
        snprintf(err, errlen, "%s: set_state expects %d values, got %d", env->id, env->state_dim, n);
    return -1;
}
