/* registry.c - the table of registered env ids with their gym.make time limits and
 * "solved" reward thresholds, in registration order. */
#include <string.h>

#include "acrl/env.h"
#include "classic.h"

static const acrl_env_spec registry[] = {
    /* id                          steps  threshold  constructor */
    { "CartPole-v1",                500,   475.0,    acrl_cartpole_create },
    { "Acrobot-v1",                 500,  -100.0,    acrl_acrobot_create },
    { "MountainCar-v0",             200,  -110.0,    acrl_mountaincar_create },
    { "MountainCarContinuous-v0",   999,    90.0,    acrl_mountaincar_continuous_create },
    { "Pendulum-v1",                200,  -200.0,    acrl_pendulum_create }, /* Gymnasium sets none */
};
#define REGISTRY_COUNT ((int)(sizeof registry / sizeof registry[0]))

int acrl_env_count(void) { return REGISTRY_COUNT; }

const acrl_env_spec* acrl_env_spec_at(int i) {
    return i >= 0 && i < REGISTRY_COUNT ? &registry[i] : NULL;
}

const acrl_env_spec* acrl_env_spec_find(const char* id) {
    for (int i = 0; i < REGISTRY_COUNT; i++)
        if (strcmp(registry[i].id, id) == 0) return &registry[i];
    return NULL;
}
