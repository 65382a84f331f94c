/* TEMPORARY stand-in for src/env/env.c and the registry (h-vec branch only): a registry
 * holding just the toy envs of tests/toy_env.h. Delete at merge time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/env.h"
#include "../../tests/toy_env.h"

static acrl_env* tmp_toy_box(const acrl_env_options* opt, char* err, size_t errlen) {
    (void)opt;
    toy_config c = toy_config_default();
    acrl_env* e = toy_create(&c);
    if (!e && err) snprintf(err, errlen, "out of memory");
    return e;
}

static acrl_env* tmp_toy_discrete(const acrl_env_options* opt, char* err, size_t errlen) {
    (void)opt;
    toy_config c = toy_config_default();
    c.discrete = 1;
    acrl_env* e = toy_create(&c);
    if (!e && err) snprintf(err, errlen, "out of memory");
    return e;
}

static const acrl_env_spec tmp_specs[] = {
    { "Toy-v0", 50, 40.0, tmp_toy_box },
    { "ToyDiscrete-v0", 50, 40.0, tmp_toy_discrete },
};
#define TMP_NSPECS (int)(sizeof tmp_specs / sizeof tmp_specs[0])

int acrl_env_count(void) { return TMP_NSPECS; }
const acrl_env_spec* acrl_env_spec_at(int i) { return i >= 0 && i < TMP_NSPECS ? &tmp_specs[i] : NULL; }
const acrl_env_spec* acrl_env_spec_find(const char* id) {
    for (int i = 0; i < TMP_NSPECS; i++)
        if (strcmp(tmp_specs[i].id, id) == 0) return &tmp_specs[i];
    return NULL;
}

acrl_env_options acrl_env_options_default(void) {
    acrl_env_options o = { -1, NULL };
    return o;
}

acrl_env* acrl_env_make(const char* id, const acrl_env_options* opt, char* err, size_t errlen) {
    const acrl_env_spec* s = acrl_env_spec_find(id);
    if (!s) {
        if (err) {
            int k = snprintf(err, errlen, "unknown env '%s'; valid ids:", id);
            for (int i = 0; i < TMP_NSPECS && k >= 0 && (size_t)k < errlen; i++)
                k += snprintf(err + k, errlen - (size_t)k, " %s", tmp_specs[i].id);
        }
        return NULL;
    }
    acrl_env_options o = opt ? *opt : acrl_env_options_default();
    acrl_env* e = s->create(&o, err, errlen);
    if (!e) return NULL;
    int max_steps = o.max_episode_steps < 0 ? s->max_episode_steps : o.max_episode_steps;
    if (max_steps > 0) {
        e = acrl_wrap_time_limit(e, max_steps);
        if (!e && err) snprintf(err, errlen, "out of memory");
    }
    return e;
}

acrl_env* acrl_env_unwrapped(acrl_env* env) {
    while (env->inner) env = env->inner;
    return env;
}

void acrl_env_reset(acrl_env* env, int64_t seed, float* obs) {
    if (seed >= 0) acrl_rng_seed(&acrl_env_unwrapped(env)->rng, (uint64_t)seed);
    env->vt->reset(env, obs);
}

void acrl_env_step(acrl_env* env, const float* action, float* obs, double* reward,
                   bool* terminated, bool* truncated) {
    env->vt->step(env, action, obs, reward, terminated, truncated);
}

int acrl_env_set_state(acrl_env* env, const double* state, int n, float* obs, char* err, size_t errlen) {
    if (!env->vt->set_state) {
        if (err) snprintf(err, errlen, "%s does not support setting the state", env->id);
        return -1;
    }
    return env->vt->set_state(env, state, n, obs, err, errlen);
}

void acrl_env_close(acrl_env* env) {
    if (!env) return;
    if (env->vt->close) env->vt->close(env);
    free(env);
}

bool acrl_space_contains(const acrl_space* space, const float* x) {
    if (space->kind == ACRL_SPACE_DISCRETE) return x[0] >= 0 && x[0] < space->n && x[0] == (float)(int)x[0];
    for (int i = 0; i < space->dim; i++)
        if (!(x[i] >= space->low[i] && x[i] <= space->high[i])) return false;
    return true;
}

void acrl_space_describe(const acrl_space* space, char* buf, size_t len) {
    if (space->kind == ACRL_SPACE_DISCRETE) snprintf(buf, len, "Discrete(%d)", space->n);
    else snprintf(buf, len, "Box(%d,)", space->dim);
}
