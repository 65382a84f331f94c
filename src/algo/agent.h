/* agent.h - what the exporters (export.c) see of a loaded policy (acrl_agent_load in
 * train.c): the algorithm, its learner, the observation statistics and the env's spaces,
 * and the run's configuration values by key. */
#ifndef ACRL_AGENT_H
#define ACRL_AGENT_H

#include "acrl/train.h"
#include "algo/algo.h"

struct acrl_agent {
    const acrl_algo*      algo;
    void*                 learner;
    const acrl_collector* col;        /* normalize_obs, clip_obs, obs_stat */
    const acrl_space*     obs_space;
    const acrl_space*     act_space;
};

/* The configuration value of key as the config file spells it ("tanh", "64,64", "1");
 * 0, or -1 if the run's configuration has no such key. */
int agent_config_value(const acrl_agent* a, const char* key, char* out, size_t outlen);

#endif
