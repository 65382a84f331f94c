/* agent.h - what the exporters (export.c) see of a loaded policy (acrl_agent_load in
 * train.c): the algorithm, its learner, the collector with the observation statistics, and
 * the run's configuration values by key. */
#ifndef ACRL_AGENT_H
#define ACRL_AGENT_H

#include "acrl/train.h"
#include "algo/algo.h"

const acrl_algo*      agent_algo(const acrl_agent* a);
void*                 agent_learner(const acrl_agent* a);
const acrl_collector* agent_collector(const acrl_agent* a);   /* normalize_obs, clip_obs, obs_stat */
/* The configuration value of key as the config file spells it ("tanh", "64,64", "1");
 * 0, or -1 if the run's configuration has no such key. */
int agent_config_value(const acrl_agent* a, const char* key, char* out, size_t outlen);

#endif
