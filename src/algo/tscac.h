/* tscac.h - the stage-two pieces of the two-stage constrained actor-critic (tscac.c), as
 * free functions for tests: the KL term towards a stage-one policy and the dual step. */
#ifndef ACRL_TSCAC_H
#define ACRL_TSCAC_H

#include "algo/policy.h"

/* KL(N(mu, exp(ls)^2) || N(mu_k, exp(ls_k)^2)) of diagonal Gaussians, per row:
 *   kl_b = sum_d [ls_k - ls + (exp(2 ls) + (mu - mu_k)^2) / (2 exp(2 ls_k)) - 1/2],
 * all arrays (B, D) but kl (B; NULL: not written). dmu, dls (B, D; NULL: skipped) += scale *
 * the gradient of kl_b with respect to mu and ls (mu_k, ls_k held fixed):
 *   (mu - mu_k) / exp(2 ls_k)  and  exp(2 ls) / exp(2 ls_k) - 1. Sums in double. */
void tscac_gauss_kl(double* kl, float* dmu, float* dls, const float* mu, const float* ls, const float* mu_k,
                    const float* ls_k, float scale, int B, int D);

/* One projected dual-ascent step on the weight of a KL constraint KL <= target:
 * max(lambda_min, lambda + lr * (kl - target)); lambda_min if that is NaN. */
double tscac_dual_step(double lambda, double kl, double target, double lr, double lambda_min);

/* After policy_forward of pol (an MLP Gaussian policy with a state-independent log-std, as
 * tscac builds) on B rows: p->grad += the gradient of
 *   sum_b [dmu_b . mean_b + dls_b . log_std_b + dvalue_b * value_b]
 * for gradients dmu, dls (B, D) with respect to the means and the broadcast log-std and
 * dvalue (B; NULL: none) with respect to the values. */
void tscac_policy_backward(acrl_policy* pol, acrl_params* p, const float* dmu, const float* dls, const float* dvalue);

#endif
