/* ppo.h - one PPO minibatch update from given data, for tests against reference values. */
#ifndef ACRL_PPO_H
#define ACRL_PPO_H

#include <stddef.h>

/* Runs one minibatch update of the PPO learner self (made by acrl_algo_ppo.create) on
 * obs (B, obs_dim), act (B, act_dim), old_logp, old_v, adv, ret (B) with learning rate lr
 * and the configured clip range. losses (4): policy loss, value loss (mean squared error,
 * before vf_coef), mean entropy, gradient norm before clipping. Returns 0, 1 (target-KL
 * stop, nothing updated) or -1 with a message. B <= batch_size. */
int ppo_update_minibatch(void* self, const float* obs, const float* act, const float* old_logp, const float* old_v,
                         const float* adv, const float* ret, int B, float lr, double* losses, char* err,
                         size_t errlen);

#endif
