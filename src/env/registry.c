/* registry.c - the table of registered env ids with their gym.make time limits and
 * "solved" reward thresholds, in registration order: the built-in envs, then those
 * added at run time with acrl_env_register (programs, plugins, language bindings). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/env.h"
#include "classic.h"
#ifdef ACRL_HAVE_MUJOCO
#include "acrl/mujoco.h"
#endif

static const acrl_env_spec registry[] = {
    /* id                          steps  threshold  constructor */
    { "CartPole-v1",                500,   475.0,    acrl_cartpole_create },
    { "Acrobot-v1",                 500,  -100.0,    acrl_acrobot_create },
    { "MountainCar-v0",             200,  -110.0,    acrl_mountaincar_create },
    { "MountainCarContinuous-v0",   999,    90.0,    acrl_mountaincar_continuous_create },
    { "Pendulum-v1",                200,  -200.0,    acrl_pendulum_create }, /* Gymnasium sets none */
    /* categorical observations (GBRL, docs/gbrl.md); threshold: within ~21 steps of the goal */
    { "DoorKeyGrid-v0",              64,     0.7,    acrl_doorkey_create },
    /* grid-maze levels (acrl/maze.h, docs/generalisation.md): the measure is the solved rate */
    { "Maze-v0",                    100,   NAN,      acrl_maze_create },
    /* episodes end by themselves (env_args episode, or the end of the test period) */
    { "Portfolio-v0",                 0,   NAN,      acrl_portfolio_create },
    { "PortfolioESG-v0",              0,   NAN,      acrl_portfolio_esg_create },
    /* task offloading (docs/mec.md): episodes end after env_args tasks (default 100) */
    { "MecOffload-v0",                0,   NAN,      acrl_mec_create },
    /* laser-scan robot navigation (acrl/lasernav.h): the measure is the success rate */
    { "LaserNav-v0",                200,   NAN,      acrl_lasernav_create },
};
#define REGISTRY_COUNT ((int)(sizeof registry / sizeof registry[0]))

/* The MuJoCo tasks (src/env/mujoco) follow the classic-control table when built in. */
#ifdef ACRL_HAVE_MUJOCO
#define MUJOCO_COUNT acrl_mujoco_spec_count
#define SAFETY_COUNT acrl_mujoco_safety_spec_count
#else
#define MUJOCO_COUNT 0
#define SAFETY_COUNT 0
#endif
#define BUILTIN_COUNT (REGISTRY_COUNT + MUJOCO_COUNT + SAFETY_COUNT)

/* Envs registered at run time: a fixed table, so that a spec pointer once handed out
 * stays valid while other threads register more (entries are never moved or removed). */
#define USER_MAX 256
static acrl_env_spec user_specs[USER_MAX];
static char user_ids[USER_MAX][ACRL_ENV_ID_MAX + 1];
static int user_count;          /* published under the lock; read without it */
static pthread_mutex_t user_lock = PTHREAD_MUTEX_INITIALIZER;

int acrl_env_count(void) { return BUILTIN_COUNT + __atomic_load_n(&user_count, __ATOMIC_ACQUIRE); }

const acrl_env_spec* acrl_env_spec_at(int i) {
    if (i >= 0 && i < REGISTRY_COUNT) return &registry[i];
#ifdef ACRL_HAVE_MUJOCO
    if (i >= REGISTRY_COUNT && i < REGISTRY_COUNT + MUJOCO_COUNT) return &acrl_mujoco_specs[i - REGISTRY_COUNT];
    if (i >= REGISTRY_COUNT + MUJOCO_COUNT && i < BUILTIN_COUNT)
        return &acrl_mujoco_safety_specs[i - REGISTRY_COUNT - MUJOCO_COUNT];
#endif
    if (i >= BUILTIN_COUNT && i < acrl_env_count()) return &user_specs[i - BUILTIN_COUNT];
    return NULL;
}

const acrl_env_spec* acrl_env_spec_find(const char* id) {
    for (int i = 0; i < acrl_env_count(); i++)
        if (strcmp(acrl_env_spec_at(i)->id, id) == 0) return acrl_env_spec_at(i);
    return NULL;
}

/* Ids are what checkpoints, run directory names and config file names carry: letters,
 * digits and . _ - only, starting with a letter. */
static int check_id(const char* id, char* err, size_t errlen) {
    if (!id || !id[0]) {
        if (err && errlen) snprintf(err, errlen, "env id is empty");
        return -1;
    }
    size_t n = strlen(id);
    if (n > ACRL_ENV_ID_MAX) {
        if (err && errlen) snprintf(err, errlen, "env id '%.40s...' is longer than %d characters", id, ACRL_ENV_ID_MAX);
        return -1;
    }
    bool ok = (id[0] >= 'A' && id[0] <= 'Z') || (id[0] >= 'a' && id[0] <= 'z');
    for (size_t i = 0; ok && i < n; i++) {
        char c = id[i];
        ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '_' || c == '-';
    }
    if (!ok) {
        if (err && errlen)
            snprintf(err, errlen, "env id '%s' is malformed: use letters, digits, '.', '_' and '-', "
                     "starting with a letter (e.g. 'GridWalk-v0')", id);
        return -1;
    }
    return 0;
}

int acrl_env_register(const acrl_env_spec* spec, char* err, size_t errlen) {
    if (!spec) {
        if (err && errlen) snprintf(err, errlen, "acrl_env_register: spec is NULL");
        return -1;
    }
    if (check_id(spec->id, err, errlen)) return -1;
    if (!spec->create) {
        if (err && errlen) snprintf(err, errlen, "env '%s': the spec has no create function", spec->id);
        return -1;
    }
    if (spec->max_episode_steps < 0) {
        if (err && errlen)
            snprintf(err, errlen, "env '%s': max_episode_steps %d is negative (0: no time limit)", spec->id,
                     spec->max_episode_steps);
        return -1;
    }
    pthread_mutex_lock(&user_lock);
    int rc = 0;
    if (acrl_env_spec_find(spec->id)) {
        if (err && errlen) snprintf(err, errlen, "env id '%s' is already registered", spec->id);
        rc = -1;
    } else if (user_count == USER_MAX) {
        if (err && errlen) snprintf(err, errlen, "cannot register '%s': %d envs are registered already", spec->id, USER_MAX);
        rc = -1;
    } else {
        int k = user_count;
        snprintf(user_ids[k], sizeof user_ids[k], "%s", spec->id);
        user_specs[k] = *spec;
        user_specs[k].id = user_ids[k];   /* the caller's string may be temporary */
        __atomic_store_n(&user_count, k + 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&user_lock);
    return rc;
}

int env_check_created(const acrl_env_spec* spec, acrl_env* env, char* err, size_t errlen) {
    const char* bad = NULL;
    const acrl_space* o = &env->obs_space;
    const acrl_space* a = &env->act_space;
    if (!env->vt || !env->vt->reset || !env->vt->step) bad = "its vtable has no reset or step function";
    else if (!env->vt->state_bytes || !env->vt->state_save || !env->vt->state_load)
        bad = "its vtable lacks state_bytes, state_save or state_load (checkpoints need them)";
    else if (!env->id) bad = "env->id is NULL";
    else if (o->kind != ACRL_SPACE_BOX || o->dim < 1 || !o->low || !o->high)
        bad = "its observation space is not a Box with dim >= 1 and bounds";
    else if (a->kind == ACRL_SPACE_DISCRETE ? (a->n < 1 || a->dim != 1)
                                            : (a->kind != ACRL_SPACE_BOX || a->dim < 1 || !a->low || !a->high))
        bad = "its action space is neither Discrete (dim 1, n >= 1) nor a Box with dim >= 1 and bounds";
    if (!bad) return 0;
    if (err && errlen) snprintf(err, errlen, "env '%s': create returned an unusable env: %s", spec->id, bad);
    if (env->vt && env->vt->close) env->vt->close(env);
    free(env);
    return -1;
}
