/* callback.c - an env whose reset and step are callbacks with a user pointer, for
 * language bindings (the Python package's register_env) and other embedders. The
 * callbacks own the dynamics; this file owns the acrl_env, its spaces and its RNG, from
 * which every reset draws the seed it passes on (so seeded resets replay exactly). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/env.h"
#include "io/le.h"

typedef struct {
    acrl_env_callbacks cb;
    char id[ACRL_ENV_ID_MAX + 1];
} callback_env;

static void callback_reset(acrl_env* env, float* obs) {
    callback_env* c = env->data;
    /* 31 bits: any binding's integer type holds it */
    uint64_t seed = acrl_rng_below(&env->rng, (uint64_t)1 << 31);
    c->cb.reset(c->cb.user, seed, obs);
}

static void callback_step(acrl_env* env, const float* action, float* obs, double* reward, bool* terminated,
                          bool* truncated) {
    callback_env* c = env->data;
    c->cb.step(c->cb.user, action, obs, reward, terminated, truncated);
}

/* The snapshot is the RNG only (little-endian, as every snapshot): the callbacks' own state
 * is theirs to keep. */
static size_t callback_state_bytes(const acrl_env* env) { (void)env; return LE_RNG_BYTES; }
static void callback_state_save(const acrl_env* env, void* buf) { le_put_rng(buf, &env->rng); }
static int callback_state_load(acrl_env* env, const void* buf) {
    const uint8_t* p = buf;
    return le_get_rng(&p, &env->rng);
}

static void callback_close(acrl_env* env) {
    callback_env* c = env->data;
    if (c->cb.close) c->cb.close(c->cb.user);
}

static const acrl_env_vtable callback_vtable = {
    .reset = callback_reset, .step = callback_step, .set_state = NULL,
    .state_bytes = callback_state_bytes, .state_save = callback_state_save,
    .state_load = callback_state_load, .close = callback_close,
};

static int space_check(const char* id, const char* what, const acrl_space* s, char* err, size_t errlen) {
    const char* bad = NULL;
    if (s->kind == ACRL_SPACE_DISCRETE) {
        if (s->n < 1) bad = "a Discrete space needs n >= 1";
    } else if (s->kind == ACRL_SPACE_BOX) {
        if (s->dim < 1 || s->dim > 1 << 20) bad = "a Box space needs 1 to 2^20 dimensions";
        else if (!s->low || !s->high) bad = "a Box space needs low and high bounds";
        else
            for (int i = 0; i < s->dim && !bad; i++)
                if (!(s->low[i] <= s->high[i])) bad = "a Box space needs low <= high (and no NaN)";
    } else {
        bad = "unknown space kind";
    }
    if (bad && err && errlen) snprintf(err, errlen, "env '%s': %s space: %s", id, what, bad);
    return bad ? -1 : 0;
}

acrl_env* acrl_env_from_callbacks(const char* id, const acrl_env_callbacks* cb, const acrl_space* obs_space,
                                  const acrl_space* act_space, char* err, size_t errlen) {
    if (!id || strlen(id) > ACRL_ENV_ID_MAX || !cb || !cb->reset || !cb->step || !obs_space || !act_space) {
        if (err && errlen) snprintf(err, errlen, "acrl_env_from_callbacks: missing id (at most %d characters), "
                                    "reset or step callback, or space", ACRL_ENV_ID_MAX);
        return NULL;
    }
    if (space_check(id, "observation", obs_space, err, errlen) || space_check(id, "action", act_space, err, errlen))
        return NULL;
    if (obs_space->kind != ACRL_SPACE_BOX) {
        if (err && errlen) snprintf(err, errlen, "env '%s': observations must be a Box", id);
        return NULL;
    }
    int od = obs_space->dim, ad = act_space->kind == ACRL_SPACE_BOX ? act_space->dim : 0;
    size_t off_data = (sizeof(acrl_env) + 15) & ~(size_t)15;
    size_t off_bounds = off_data + ((sizeof(callback_env) + 15) & ~(size_t)15);
    char* block = calloc(1, off_bounds + 2 * ((size_t)od + (size_t)ad) * sizeof(float));
    if (!block) {
        if (err && errlen) snprintf(err, errlen, "out of memory creating %s", id);
        return NULL;
    }
    acrl_env* env = (acrl_env*)block;
    callback_env* c = (callback_env*)(block + off_data);
    c->cb = *cb;
    snprintf(c->id, sizeof c->id, "%s", id);
    float* f = (float*)(block + off_bounds);
    env->vt = &callback_vtable;
    env->id = c->id;
    env->data = c;
    env->obs_space = (acrl_space){ACRL_SPACE_BOX, od, 0, f, f + od};
    memcpy(f, obs_space->low, (size_t)od * sizeof(float));
    memcpy(f + od, obs_space->high, (size_t)od * sizeof(float));
    if (act_space->kind == ACRL_SPACE_DISCRETE) {
        env->act_space = (acrl_space){ACRL_SPACE_DISCRETE, 1, act_space->n, NULL, NULL};
    } else {
        env->act_space = (acrl_space){ACRL_SPACE_BOX, ad, 0, f + 2 * od, f + 2 * od + ad};
        memcpy(f + 2 * od, act_space->low, (size_t)ad * sizeof(float));
        memcpy(f + 2 * od + ad, act_space->high, (size_t)ad * sizeof(float));
    }
    acrl_rng_seed(&env->rng, 0);
    return env;
}
