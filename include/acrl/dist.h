/* acrl/dist.h - action distributions for actor-critic algorithms: categorical
 * (discrete actions), diagonal Gaussian (PPO/A2C on Box), tanh-squashed
 * Gaussian (SAC). Batched free functions on plain float arrays.
 *
 * Conventions
 *   - Outputs first, then upstream gradients / weights, then inputs, then
 *     scale and sizes. B = batch rows, K = number of actions, D = action dims.
 *   - Every *_backward ADDS (+=) scale * d(objective)/d(param) into its
 *     outputs, where the objective is the weighted quantity named by the
 *     function; callers zero gradients once and combine loss terms freely
 *     (e.g. PPO: log_prob with w = advantages, scale = -1/B, then entropy with
 *     w = NULL, scale = -ent_coef/B). A NULL weight vector means all ones.
 *   - Sums over actions/dims are done in double; outputs are float32.
 *   - Randomness only through acrl_rng; the same seed gives the same samples.
 *   - Functions taking action indices return 0, or -1 without writing anything if
 *     some index lies outside [0, K).
 *
 * Gaussian log-std: distribution functions take a full (B, D) log_std. The raw
 * parameter (state-dependent (B, D) or a shared free (D) vector) is turned into
 * it by acrl_gauss_log_std (broadcast + optional clamp to [lo, hi]; pass
 * -INFINITY, INFINITY for no clamp), and gradients with respect to the full
 * log_std are taken back to the raw parameter by acrl_gauss_log_std_backward
 * (summed over B when shared; zero where clamped, as torch.clamp). The
 * squashed Gaussian uses the same pair. Typical ranges: SAC [-20, 2] or
 * [-5, 2]; PPO a shared free log_std without clamp. */
#ifndef ACRL_DIST_H
#define ACRL_DIST_H

#include <stdbool.h>

#include "acrl/rng.h"

/* ---- categorical from logits --------------------------------------------------
 * p = softmax(z). Logits may be -INFINITY (masked actions, probability 0) as
 * long as each row has a finite one. */

/* probs (B,K) = softmax(logits (B,K)), stable (max subtracted). */
void acrl_cat_probs(float* probs, const float* logits, int B, int K);
/* logp (B,K) = log_softmax(logits (B,K)) = z - logsumexp(z): log-probs of all actions. */
void acrl_cat_log_probs(float* logp, const float* logits, int B, int K);
/* act (B) ~ Categorical(logits (B,K)) by inverse CDF of one uniform per row. */
void acrl_cat_sample(int* act, const float* logits, acrl_rng* rng, int B, int K);
/* act (B) = argmax of logits (B,K) (first on ties). */
void acrl_cat_mode(int* act, const float* logits, int B, int K);
/* logp (B) = log p(act (B)) under logits (B,K). */
int  acrl_cat_log_prob(float* logp, const float* logits, const int* act, int B, int K);
/* ent (B) = -sum_k p_k log p_k. */
void acrl_cat_entropy(float* ent, const float* logits, int B, int K);
/* dlogits (B,K) += scale * w_b * d log p(act_b) / dz = scale * w_b * (onehot(act_b) - p); w (B) or NULL. */
int  acrl_cat_log_prob_backward(float* dlogits, const float* w, const float* logits, const int* act,
                                float scale, int B, int K);
/* dlogits (B,K) += scale * w_b * dH_b/dz = -scale * w_b * p * (log p + H); w (B) or NULL. */
void acrl_cat_entropy_backward(float* dlogits, const float* w, const float* logits, float scale, int B, int K);
/* dlogits (B,K) += scale * dL/dz for L = sum g_probs*probs + g_logp*log_probs (discrete SAC);
 * g_probs (B,K) and g_logp (B,K) may be NULL. */
void acrl_cat_probs_backward(float* dlogits, const float* g_probs, const float* g_logp, const float* logits,
                             float scale, int B, int K);

/* The same quantities from log-probs and probs computed once (one exp per logit, one log
 * per row), for callers that need several of them for the same logits (PPO's minibatch):
 * logp (B,K) = log_softmax(logits (B,K)), probs (B,K) = softmax(logits). */
void acrl_cat_log_softmax(float* logp, float* probs, const float* logits, int B, int K);
/* ent (B) = -sum_k p_k log p_k from logp, probs (B,K) of acrl_cat_log_softmax. */
void acrl_cat_entropy_lp(float* ent, const float* logp, const float* probs, int B, int K);
/* As acrl_cat_log_prob_backward, from probs (B,K). */
int  acrl_cat_log_prob_backward_lp(float* dlogits, const float* w, const float* probs, const int* act,
                                   float scale, int B, int K);
/* As acrl_cat_entropy_backward, from logp, probs (B,K) and ent (B) of acrl_cat_entropy_lp. */
void acrl_cat_entropy_backward_lp(float* dlogits, const float* w, const float* logp, const float* probs,
                                  const float* ent, float scale, int B, int K);

/* ---- diagonal Gaussian N(mean, exp(log_std)^2) ------------------------------- */

/* log_std (B,D) = clamp(log_std_in, lo, hi); log_std_in is (D) broadcast over rows if shared, else (B,D). */
void acrl_gauss_log_std(float* log_std, const float* log_std_in, bool shared, float lo, float hi, int B, int D);
/* dlog_std_in ((D) if shared, else (B,D)) += dlog_std (B,D) where lo <= log_std_in <= hi (no scale). */
void acrl_gauss_log_std_backward(float* dlog_std_in, const float* dlog_std, const float* log_std_in, bool shared,
                                 float lo, float hi, int B, int D);
/* eps (B,D) ~ N(0,1) drawn from rng, act (B,D) = mean + exp(log_std) * eps. */
void acrl_gauss_sample(float* act, float* eps, const float* mean, const float* log_std, acrl_rng* rng, int B, int D);
/* act (B,D) = mean (B,D) + exp(log_std (B,D)) * eps (B,D): reparameterized sample from given noise. */
void acrl_gauss_rsample(float* act, const float* mean, const float* log_std, const float* eps, int B, int D);
/* dmean (B,D) += scale * g_act; dlog_std (B,D) += scale * g_act * std * eps: gradient through rsample.
 * Either output may be NULL. */
void acrl_gauss_rsample_backward(float* dmean, float* dlog_std, const float* g_act, const float* log_std,
                                 const float* eps, float scale, int B, int D);
/* act (B,D) = mean (B,D). */
void acrl_gauss_mode(float* act, const float* mean, int B, int D);
/* logp (B) = sum_d [-z^2/2 - log_std - log(2 pi)/2], z = (act - mean) / std. */
void acrl_gauss_log_prob(float* logp, const float* act, const float* mean, const float* log_std, int B, int D);
/* ent (B) = sum_d [log_std + (1 + log(2 pi))/2]. */
void acrl_gauss_entropy(float* ent, const float* log_std, int B, int D);
/* dmean (B,D) += scale*w_b * z/std; dlog_std (B,D) += scale*w_b * (z^2 - 1); act held fixed;
 * w (B) or NULL; either output may be NULL. */
void acrl_gauss_log_prob_backward(float* dmean, float* dlog_std, const float* w, const float* act,
                                  const float* mean, const float* log_std, float scale, int B, int D);
/* dlog_std (B,D) += scale * w_b (dH/dlog_std = 1); w (B) or NULL. */
void acrl_gauss_entropy_backward(float* dlog_std, const float* w, float scale, int B, int D);

/* ---- tanh-squashed Gaussian (SAC) ---------------------------------------------
 * u = mean + std * eps, a = act_bias + act_scale * tanh(u) (act_scale, act_bias (D)
 * map to Box bounds: (high - low)/2, (high + low)/2; NULL means 1 and 0).
 * log p(a) = sum_d [log N(u; mean, std) - log(1 - tanh(u)^2) - log(act_scale)],
 * with the stable log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u)). */

/* eps (B,D) ~ N(0,1) drawn from rng, act (B,D) = squashed rsample; logp (B) may be NULL. */
void acrl_squash_sample(float* act, float* logp, float* eps, const float* mean, const float* log_std,
                        const float* act_scale, const float* act_bias, acrl_rng* rng, int B, int D);
/* act (B,D) = act_bias + act_scale * tanh(mean + exp(log_std) * eps), all (B,D) but scale/bias (D). */
void acrl_squash_rsample(float* act, const float* mean, const float* log_std, const float* eps,
                         const float* act_scale, const float* act_bias, int B, int D);
/* logp (B) = log-density of the action rsampled from eps (B,D) (see above). */
void acrl_squash_log_prob(float* logp, const float* mean, const float* log_std, const float* eps,
                          const float* act_scale, int B, int D);
/* Both of the above in one pass: act (B,D) and logp (B) from eps, the bits of the two calls
 * (u = mean + std * eps computed once per element). keep (B,D,3; NULL: not kept) receives
 * std, tanh(u) and log(1 - tanh(u)^2) for acrl_squash_backward_kept. */
void acrl_squash_rsample_logp(float* act, float* logp, const float* mean, const float* log_std, const float* eps,
                              const float* act_scale, const float* act_bias, double* keep, int B, int D);
/* ent (B) = -logp: single-sample entropy estimate (no closed form). */
void acrl_squash_entropy(float* ent, const float* mean, const float* log_std, const float* eps,
                         const float* act_scale, int B, int D);
/* act (B,D) = act_bias + act_scale * tanh(mean (B,D)): deterministic action. */
void acrl_squash_mode(float* act, const float* mean, const float* act_scale, const float* act_bias, int B, int D);
/* Reparameterized gradient of L = sum_b [g_act_b . a_b + g_logp_b * logp_b] with eps fixed
 * (SAC actor loss alpha*logp - Q(s,a): g_act = -dQ/da, g_logp = alpha):
 * dmean (B,D) += scale * dL/dmean, dlog_std (B,D) += scale * dL/dlog_std.
 * g_act (B,D) or NULL, g_logp (B) or NULL; either output may be NULL. */
void acrl_squash_backward(float* dmean, float* dlog_std, const float* g_act, const float* g_logp,
                          const float* mean, const float* log_std, const float* eps, const float* act_scale,
                          float scale, int B, int D);
/* The same from the values acrl_squash_rsample_logp kept (B,D,3) for this mean, log_std and eps:
 * the same bits without recomputing exp, tanh and log1p. */
void acrl_squash_backward_kept(float* dmean, float* dlog_std, const float* g_act, const float* g_logp,
                               const double* keep, const float* eps, const float* act_scale, float scale, int B, int D);

#endif
