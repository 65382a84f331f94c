/* ckpt_policy.h - policy-only checkpoints (policy.ckpt, `acrl export --format ckpt`): what
 * `acrl eval` needs and nothing else. Sections (docs/checkpoint-format.md):
 *   config          the run's configuration text (rebuilds the networks)
 *   policy.params   float32, the learner's main parameter store (algo->params)
 *   policy.obs_norm float64 observation mean (obs_dim), var (obs_dim), count
 *   policy.rng      the 48-byte generator act() samples from (stochastic evaluation) */
#ifndef ACRL_CKPT_POLICY_H
#define ACRL_CKPT_POLICY_H

#include <stdbool.h>

#include "algo/algo.h"

/* true if c is a policy-only checkpoint (it has a policy.params section). */
bool policy_ckpt_is(const acrl_ckpt* c);
/* Writes a policy-only checkpoint of learner (an algo learner) and the observation
 * statistics of col to path, atomically. 0, or -1 + message. */
int policy_ckpt_write(const acrl_algo* algo, void* learner, const acrl_collector* col, const char* config_text,
                      const char* path, char* err, size_t errlen);
/* Restores what a policy-only checkpoint holds into a learner built from its config and a
 * collector (only its observation statistics). 0, or -1 + message naming the section. */
int policy_ckpt_load(const acrl_algo* algo, void* learner, acrl_collector* col, const acrl_ckpt* c,
                     char* err, size_t errlen);

#endif
