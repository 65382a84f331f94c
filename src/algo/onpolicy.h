/* onpolicy.h - experience collection shared by PPO, A2C and A3C. */
#ifndef ACRL_ONPOLICY_H
#define ACRL_ONPOLICY_H

#include "algo/collector.h"
#include "algo/policy.h"
#include "algo/rollout.h"

/* Fills the rollout with r->num_steps steps of every copy in c, acting with pol on the
 * weights p (sampling from rng), records V(final obs) of truncated episodes, and
 * computes GAE. Returns 0, or -1 with a message if a value or log-prob is not finite. */
int onpolicy_collect(acrl_policy* pol, const acrl_params* p, acrl_rollout* r, acrl_collector* c,
                     acrl_rng* rng, float gamma, float gae_lambda, char* err, size_t errlen);

/* 1 - Var(returns - values) / Var(returns) over the rollout (NaN if Var(returns) = 0). */
double onpolicy_explained_variance(const acrl_rollout* r);

/* Advantage actor-critic gradient of the whole rollout, accumulated into p->grad:
 *   loss = -mean(A * logp) - ent_coef * mean(entropy) + vf_coef * mean((V - R)^2).
 * w_logp, dvalue, logp, ent, adv: scratch of num_steps * num_envs floats.
 * Writes policy_loss, value_loss and entropy into m. */
void onpolicy_a2c_backward(acrl_policy* pol, acrl_params* p, const acrl_rollout* r, bool normalize_advantage,
                           float ent_coef, float vf_coef, float* adv, float* w_logp, float* dvalue,
                           float* logp, float* ent, double* m);

#endif
