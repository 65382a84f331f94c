/* tscac.h - the stage-two weights of the two-stage constrained actor-critic (tscac.c), for
 * tests. */
#ifndef ACRL_TSCAC_H
#define ACRL_TSCAC_H

/* Self-normalized weights w (B) of the stage-two fit for samples drawn from the behaviour
 * policy b:  log w_j = sum_i (lambda_i / L) (logp_aux[i][j] - logp_b[j]) + adv[j] / L with
 * L = sum_i lambda_i (lambda_i > 0), shifted by their maximum, exponentiated, divided by
 * their mean and clipped at wmax (> 0). logp_aux: K arrays of B. */
void tscac_weights(float* w, const float* const* logp_aux, const double* lambda, int K, const float* logp_b,
                   const float* adv, int B, float wmax);

#endif
