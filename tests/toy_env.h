/* toy_env.h - a deterministic toy env for tests: a 1-D walk x += move(action),
 * started at x0 ~ U(-0.5, 0.5) from the env's RNG, terminated when |x| >= bound.
 * Header-only (static functions); used through the acrl_env vtable.
 *
 *   obs     (2,)  [x, last move]
 *   action  Box(1,) [low, high]: move = action (no clipping: tests see the raw value)
 *           Discrete(3): move = (action - 1) * 0.25
 *   reward  1 + x_after (double)
 *   state   [x, last move] (set_state) */
#ifndef ACRL_TOY_ENV_H
#define ACRL_TOY_ENV_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/env.h"

typedef struct {
    double bound;      /* terminate when |x| >= bound */
    int    discrete;   /* 1: Discrete(3) actions, 0: Box(1,) */
    float  low, high;  /* Box bounds */
} toy_config;

typedef struct {
    acrl_env env;
    toy_config cfg;
    float  obs_low[2], obs_high[2];
    float  act_low[1], act_high[1];
    double x, last;
    long   steps;       /* steps since the env was created (any episode) */
} toy_env;

static void toy_obs(const toy_env* t, float* obs) {
    obs[0] = (float)t->x;
    obs[1] = (float)t->last;
}

static void toy_reset(acrl_env* env, float* obs) {
    toy_env* t = (toy_env*)env;
    t->x = acrl_rng_uniform(&env->rng, -0.5, 0.5);
    t->last = 0.0;
    toy_obs(t, obs);
}

static void toy_step(acrl_env* env, const float* action, float* obs, double* reward,
                     bool* terminated, bool* truncated) {
    toy_env* t = (toy_env*)env;
    double move = t->cfg.discrete ? ((double)action[0] - 1.0) * 0.25 : (double)action[0];
    t->x += move;
    t->last = move;
    t->steps++;
    toy_obs(t, obs);
    *reward = 1.0 + t->x;
    *terminated = fabs(t->x) >= t->cfg.bound;
    *truncated = false;
}

static int toy_set_state(acrl_env* env, const double* state, int n, float* obs, char* err, size_t errlen) {
    toy_env* t = (toy_env*)env;
    if (n != 2) {
        if (err) snprintf(err, errlen, "toy: state needs 2 values, got %d", n);
        return -1;
    }
    t->x = state[0];
    t->last = state[1];
    toy_obs(t, obs);
    return 0;
}

typedef struct { double x, last; long steps; acrl_rng rng; } toy_snapshot;

static size_t toy_state_bytes(const acrl_env* env) { (void)env; return sizeof(toy_snapshot); }

static void toy_state_save(const acrl_env* env, void* buf) {
    const toy_env* t = (const toy_env*)env;
    toy_snapshot s = { t->x, t->last, t->steps, env->rng };
    memcpy(buf, &s, sizeof s);
}

static int toy_state_load(acrl_env* env, const void* buf) {
    toy_env* t = (toy_env*)env;
    toy_snapshot s;
    memcpy(&s, buf, sizeof s);
    t->x = s.x;
    t->last = s.last;
    t->steps = s.steps;
    env->rng = s.rng;
    return 0;
}

static const acrl_env_vtable toy_vtable = {
    toy_reset, toy_step, toy_set_state, toy_state_bytes, toy_state_save, toy_state_load, NULL,
};

/* The struct is one allocation; acrl_env_close (or free) releases it. */
static acrl_env* toy_create(const toy_config* cfg) {
    toy_env* t = (toy_env*)calloc(1, sizeof *t);
    if (!t) return NULL;
    t->cfg = *cfg;
    t->obs_low[0] = t->obs_low[1] = -INFINITY;
    t->obs_high[0] = t->obs_high[1] = INFINITY;
    t->act_low[0] = cfg->low;
    t->act_high[0] = cfg->high;
    acrl_env* e = &t->env;
    e->vt = &toy_vtable;
    e->id = cfg->discrete ? "ToyDiscrete-v0" : "Toy-v0";
    e->obs_space = (acrl_space){ ACRL_SPACE_BOX, 2, 0, t->obs_low, t->obs_high, {0, 0, 0} };
    e->act_space = cfg->discrete ? (acrl_space){ ACRL_SPACE_DISCRETE, 1, 3, NULL, NULL, {0, 0, 0} }
                                 : (acrl_space){ ACRL_SPACE_BOX, 1, 0, t->act_low, t->act_high, {0, 0, 0} };
    e->state_dim = 2;
    e->data = t;
    acrl_rng_seed(&e->rng, 0);
    return e;
}

static toy_config toy_config_default(void) {
    toy_config c = { 1.0, 0, -1.0f, 1.0f };
    return c;
}

#endif
