/* timelimit_tmp.c - TEMPORARY minimal Gymnasium TimeLimit so the h-env branch links and
 * its tests run; the real one lives in src/env/wrappers.c (h-vec). Delete at merge. */
#include <stdlib.h>
#include <string.h>

#include "acrl/env.h"

typedef struct {
    acrl_env env;     /* first member: the wrapper is one allocation */
    int max_steps;
    int elapsed;      /* steps since the last reset */
} tl_env;

static void tl_reset(acrl_env* env, float* obs) {
    ((tl_env*)env)->elapsed = 0;
    env->inner->vt->reset(env->inner, obs);
}

static void tl_step(acrl_env* env, const float* action, float* obs, double* reward,
                    bool* terminated, bool* truncated) {
    tl_env* t = (tl_env*)env;
    env->inner->vt->step(env->inner, action, obs, reward, terminated, truncated);
    if (++t->elapsed >= t->max_steps) *truncated = true;
}

static size_t tl_state_bytes(const acrl_env* env) {
    return sizeof(int) + env->inner->vt->state_bytes(env->inner);
}

static void tl_state_save(const acrl_env* env, void* buf) {
    memcpy(buf, &((const tl_env*)env)->elapsed, sizeof(int));
    env->inner->vt->state_save(env->inner, (char*)buf + sizeof(int));
}

static int tl_state_load(acrl_env* env, const void* buf) {
    int elapsed;
    memcpy(&elapsed, buf, sizeof elapsed);
    if (elapsed < 0) return -1;
    if (env->inner->vt->state_load(env->inner, (const char*)buf + sizeof(int))) return -1;
    ((tl_env*)env)->elapsed = elapsed;
    return 0;
}

static void tl_close(acrl_env* env) { acrl_env_close(env->inner); }

static const acrl_env_vtable tl_vtable = {
    .reset = tl_reset, .step = tl_step, .set_state = NULL,
    .state_bytes = tl_state_bytes, .state_save = tl_state_save, .state_load = tl_state_load,
    .close = tl_close,
};

acrl_env* acrl_wrap_time_limit(acrl_env* inner, int max_steps) {
    tl_env* t = calloc(1, sizeof *t);
    if (!t) { acrl_env_close(inner); return NULL; }
    t->env = *inner;            /* id, spaces, state_dim */
    t->env.vt = &tl_vtable;
    t->env.inner = inner;
    t->env.data = NULL;
    t->max_steps = max_steps;
    return &t->env;
}
