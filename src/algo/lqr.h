/* lqr.h - LQR warm start (warm_start = lqr, docs/generalisation.md): the env's dynamics
 * linearised at an equilibrium by central finite differences through set_state, the
 * discounted discrete algebraic Riccati equation, and the supervised targets (the LQR
 * action, the quadratic value) that pre-train actor and critic before RL starts.
 *
 * State vectors are set_state's order (Pendulum-v1: th, thdot; MuJoCo: qpos then qvel);
 * the equilibrium is the zero state with zero action for every env in the table. Matrices
 * are row-major doubles. */
#ifndef ACRL_LQR_H
#define ACRL_LQR_H

#include <stddef.h>

#include "acrl/env.h"

#define LQR_MAX_N 8   /* largest state dimension in the table */
#define LQR_MAX_M 2   /* largest action dimension */

/* What the warm start knows of one env: sizes, the quadratic stage cost x'Qx + u'Ru (diagonal),
 * the half-widths of the box around the equilibrium that targets are sampled in, and how a
 * state is read back from an observation (the envs have no get_state). */
typedef struct {
    const char* env_id;
    int    n, m;                 /* state, action dims */
    double q[LQR_MAX_N];         /* diag(Q) */
    double r[LQR_MAX_M];         /* diag(R) */
    double box[LQR_MAX_N];       /* sampling half-widths (times warm_start_radius) */
    void (*state_of_obs)(const float* obs, double* s);
} lqr_env_info;

/* The table entry of env_id, or NULL (no equilibrium known). */
const lqr_env_info* lqr_env_find(const char* env_id);

/* Solves P = Q + g A'PA - g^2 A'PB (R + g B'PB)^-1 B'PA (g = gamma in (0, 1]) by value
 * iteration from P = Q, and K = g (R + g B'PB)^-1 B'PA, so that u = -K x minimises
 * sum_t g^t (x'Qx + u'Ru) of x' = Ax + Bu with cost-to-go x'Px. A (n, n), B (n, m), Q (n, n),
 * R (m, m) symmetric positive definite; P (n, n), K (m, n). Returns the iterations used, or
 * -1 with a message when it does not converge (an unstabilisable pair) or R + gB'PB is singular. */
int lqr_dare(double* P, double* K, const double* A, const double* B, const double* Q, const double* R, int n, int m,
             double gamma, char* err, size_t errlen);

/* Linearises env (a base env or wrapped; its base env is stepped) at the zero state and
 * action: A (n, n) = d x'/d x, B (n, m) = d x'/d u by central differences of step eps,
 * f0 (n) = x' and r0 = the reward of one step from the zero state (f0 is not exactly zero for
 * InvertedPendulum-v4, whose pole is tilted by 0.001 in 0.6: LQR treats it as a disturbance). Returns 0, or -1 with a message
 * (no set_state, a step that terminates). The env's state is left changed. */
int lqr_linearise(double* A, double* B, double* f0, double* r0, acrl_env* env, const lqr_env_info* info, double eps, char* err,
                  size_t errlen);

/* The linear-quadratic model of one env and its solution. */
typedef struct {
    const lqr_env_info* info;
    double A[LQR_MAX_N * LQR_MAX_N], B[LQR_MAX_N * LQR_MAX_M];
    double Q[LQR_MAX_N * LQR_MAX_N], R[LQR_MAX_M * LQR_MAX_M];
    double P[LQR_MAX_N * LQR_MAX_N], K[LQR_MAX_M * LQR_MAX_N];
    double f0[LQR_MAX_N];        /* next state of a step from the zero state */
    double r0;                   /* reward of that step */
    double gamma;
} lqr_model;

/* Fills M for env: table entry, linearisation, Riccati solution. Returns 0, or -1 with a
 * message naming the env (not in the table, no set_state, no convergence). */
int lqr_model_make(lqr_model* M, acrl_env* env, double gamma, char* err, size_t errlen);

/* The quadratic values of M: V(x) = r0 / (1 - gamma) - x'Px and
 * Q(x, u) = r0 / (1 - gamma) - (x'Qx + u'Ru + gamma (Ax + Bu)'P(Ax + Bu)). */
double lqr_value(const lqr_model* M, const double* x);
double lqr_qvalue(const lqr_model* M, const double* x, const double* u);

/* N supervised targets: states x uniform in the box (times radius) around the equilibrium,
 * set into env for their raw observations obs (N, obs_dim); act (N, m) = clip(-Kx) to the
 * action bounds; v (N) = V(x); q_act (N, m) uniform in the action bounds and q (N) = Q(x, q_act).
 * Draws from rng. Returns 0, or -1 with a message. */
int lqr_targets(float* obs, float* act, float* v, float* q_act, float* q, int N, acrl_env* env, const lqr_model* M,
                double radius, acrl_rng* rng, char* err, size_t errlen);

#endif
