/* awr.h - advantage-weighted regression (Peng et al. 2019, arXiv 1910.00177), as GBRL's
 * AWR (NVlabs/gbrl_sb3 algos/awr.py, shared tree structure): the loss of one minibatch,
 * exposed for the tests.
 *
 * Over a buffer of the last buffer_rollouts rollouts, with advantages A and returns R from
 * GAE(lambda) recomputed by the current critic before every update, each gradient step
 * samples B rows uniformly (with replacement) and minimizes
 *     L = -(1/B) sum_i w_i log pi(a_i | s_i) - ent_coef (1/B) sum_i H_i
 *         + vf_coef (1/B) sum_i 0.5 (V(s_i) - R_i)^2,
 *     w_i = min(exp(A'_i / beta), weights_max),
 * A' the minibatch's advantages normalized to zero mean and unit std (normalize_advantage).
 * The weights are constants: no gradient flows through them. */
#ifndef ACRL_AWR_H
#define ACRL_AWR_H

#include <stdbool.h>

#include "algo/policy.h"

/* w (B) = min(exp(A' / beta), weights_max); adv (B) is normalized in place first when
 * normalize is set. */
void awr_weights(float* w, float* adv, int B, bool normalize, float beta, float weights_max);

/* Forward of obs (B, obs_dim); returns L above for actions act, weights w and returns ret,
 * and writes its parts (policy term, value term 0.5 mean (V - R)^2, mean entropy) into
 * parts (3). With backward, also accumulates dL/dtheta into p->grad (policy_backward; for a
 * tree policy the per-sample output gradients wait for policy_boost). scratch: 4 B floats. */
double awr_minibatch_loss(acrl_policy* pol, acrl_params* p, const float* obs, const float* act, const float* w,
                          const float* ret, int B, float ent_coef, float vf_coef, bool backward, float* scratch,
                          double* parts);

#endif
