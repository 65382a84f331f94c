/* registry.c - the table of registered env ids with their gym.make time limits and
 * "solved" reward thresholds, in registration order. */
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

int acrl_env_count(void) { return REGISTRY_COUNT + MUJOCO_COUNT + SAFETY_COUNT; }

const acrl_env_spec* acrl_env_spec_at(int i) {
    if (i >= 0 && i < REGISTRY_COUNT) return &registry[i];
#ifdef ACRL_HAVE_MUJOCO
    if (i >= REGISTRY_COUNT && i < REGISTRY_COUNT + MUJOCO_COUNT) return &acrl_mujoco_specs[i - REGISTRY_COUNT];
    if (i >= REGISTRY_COUNT + MUJOCO_COUNT && i < REGISTRY_COUNT + MUJOCO_COUNT + SAFETY_COUNT)
        return &acrl_mujoco_safety_specs[i - REGISTRY_COUNT - MUJOCO_COUNT];
#endif
    return NULL;
}

const acrl_env_spec* acrl_env_spec_find(const char* id) {
    for (int i = 0; i < acrl_env_count(); i++)
        if (strcmp(acrl_env_spec_at(i)->id, id) == 0) return acrl_env_spec_at(i);
    return NULL;
}
