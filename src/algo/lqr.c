/* lqr.c - LQR warm start: the env table, linearisation through set_state, the discounted
 * Riccati equation by value iteration, and the quadratic targets (see lqr.h). */
#include "algo/lqr.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- the env table ------------------------------------------------------------------------ */

static void pendulum_state(const float* obs, double* s) {
    s[0] = atan2((double)obs[1], (double)obs[0]);
    s[1] = obs[2];
}
static void identity4_state(const float* obs, double* s) {
    for (int i = 0; i < 4; i++) s[i] = obs[i];
}
/* obs: x, sin t1, sin t2, cos t1, cos t2, qvel (3, clipped to +-10), constraint forces */
static void idp_state(const float* obs, double* s) {
    s[0] = obs[0];
    s[1] = atan2((double)obs[1], (double)obs[3]);
    s[2] = atan2((double)obs[2], (double)obs[4]);
    for (int i = 0; i < 3; i++) s[3 + i] = obs[5 + i];
}

/* Pendulum-v1's cost is exactly th^2 + 0.1 thdot^2 + 0.001 u^2. The MuJoCo tasks reward
 * being alive (InvertedDoublePendulum also the tip's height), which has no quadratic part
 * to read Q and R from: their Q and R are surrogate costs (docs/generalisation.md). */
static const lqr_env_info lqr_table[] = {
    {"Pendulum-v1", 2, 1, {1.0, 0.1}, {0.001}, {1.0, 2.0}, pendulum_state},
    {"InvertedPendulum-v4", 4, 1, {1.0, 10.0, 0.1, 0.1}, {0.1}, {0.5, 0.15, 0.5, 0.5}, identity4_state},
    {"InvertedDoublePendulum-v4", 6, 1, {0.1, 10.0, 10.0, 0.1, 0.1, 0.1}, {0.1}, {0.3, 0.05, 0.05, 0.3, 0.3, 0.3},
     idp_state},
};

const lqr_env_info* lqr_env_find(const char* env_id) {
    for (size_t i = 0; i < sizeof lqr_table / sizeof lqr_table[0]; i++)
        if (strcmp(lqr_table[i].env_id, env_id) == 0) return &lqr_table[i];
    return NULL;
}

/* ---- small dense algebra (row-major) ------------------------------------------------------ */

/* C (r, c) = op(A) op(B) with op(A) (r, k), op(B) (k, c) */
static void mm(double* C, const double* A, bool ta, const double* B, bool tb, int r, int k, int c) {
    for (int i = 0; i < r; i++)
        for (int j = 0; j < c; j++) {
            double s = 0;
            for (int l = 0; l < k; l++) s += (ta ? A[l * r + i] : A[i * k + l]) * (tb ? B[j * k + l] : B[l * c + j]);
            C[i * c + j] = s;
        }
}

/* X (m, c) = S^-1 Y for S (m, m), Y (m, c) by Gaussian elimination with partial pivoting;
 * -1 if S is singular. S and Y are overwritten. */
static int solve(double* X, double* S, double* Y, int m, int c) {
    for (int p = 0; p < m; p++) {
        int piv = p;
        for (int i = p + 1; i < m; i++)
            if (fabs(S[i * m + p]) > fabs(S[piv * m + p])) piv = i;
        if (!(fabs(S[piv * m + p]) > 1e-300)) return -1;
        if (piv != p) {
            for (int j = 0; j < m; j++) { double t = S[p * m + j]; S[p * m + j] = S[piv * m + j]; S[piv * m + j] = t; }
            for (int j = 0; j < c; j++) { double t = Y[p * c + j]; Y[p * c + j] = Y[piv * c + j]; Y[piv * c + j] = t; }
        }
        for (int i = p + 1; i < m; i++) {
            double f = S[i * m + p] / S[p * m + p];
            for (int j = p; j < m; j++) S[i * m + j] -= f * S[p * m + j];
            for (int j = 0; j < c; j++) Y[i * c + j] -= f * Y[p * c + j];
        }
    }
    for (int i = m - 1; i >= 0; i--)
        for (int j = 0; j < c; j++) {
            double s = Y[i * c + j];
            for (int l = i + 1; l < m; l++) s -= S[i * m + l] * X[l * c + j];
            X[i * c + j] = s / S[i * m + i];
        }
    return 0;
}

int lqr_dare(double* P, double* K, const double* A, const double* B, const double* Q, const double* R, int n, int m,
             double gamma, char* err, size_t errlen) {
    enum { NN = LQR_MAX_N * LQR_MAX_N, NM = LQR_MAX_N * LQR_MAX_M, MM = LQR_MAX_M * LQR_MAX_M };
    if (n < 1 || n > LQR_MAX_N || m < 1 || m > LQR_MAX_M || !(gamma > 0 && gamma <= 1)) {
        snprintf(err, errlen, "lqr: sizes n = %d, m = %d or gamma = %g out of range", n, m, gamma);
        return -1;
    }
    double PA[NN], PB[NM], S[MM], Y[NM], Kn[NM], Pn[NN], tmp[NN];
    memcpy(P, Q, sizeof(double) * (size_t)(n * n));
    const int max_iter = 1000000;
    for (int it = 1; it <= max_iter; it++) {
        mm(PA, P, false, A, false, n, n, n);          /* P A (n, n) */
        mm(PB, P, false, B, false, n, n, m);          /* P B (n, m) */
        mm(S, B, true, PB, false, m, n, m);           /* B'PB (m, m) */
        for (int i = 0; i < m * m; i++) S[i] = R[i] + gamma * S[i];
        mm(Y, B, true, PA, false, m, n, n);           /* B'PA (m, n) */
        for (int i = 0; i < m * n; i++) Y[i] *= gamma;
        if (solve(Kn, S, Y, m, n)) {
            snprintf(err, errlen, "lqr: R + gamma B'PB is singular");
            return -1;
        }
        /* P' = Q + g A'PA - g A'PB K (with K = g S^-1 B'PA) */
        mm(Pn, A, true, PA, false, n, n, n);
        mm(tmp, PB, false, Kn, false, n, m, n);       /* PB K (n, n) */
        double change = 0, size = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double v = Q[i * n + j] + gamma * Pn[i * n + j];
                double w = 0;
                for (int l = 0; l < n; l++) w += A[l * n + i] * tmp[l * n + j];   /* A' PB K */
                v -= gamma * w;
                Pn[i * n + j] = v;
            }
        for (int i = 0; i < n; i++)     /* symmetrise against rounding drift */
            for (int j = 0; j < n; j++) {
                double v = 0.5 * (Pn[i * n + j] + Pn[j * n + i]);
                change = fmax(change, fabs(v - P[i * n + j]));
                size = fmax(size, fabs(v));
                tmp[i * n + j] = v;
            }
        memcpy(P, tmp, sizeof(double) * (size_t)(n * n));
        memcpy(K, Kn, sizeof(double) * (size_t)(m * n));
        if (!isfinite(size) || size > 1e300) break;
        if (change <= 1e-13 * fmax(1.0, size)) return it;
    }
    snprintf(err, errlen, "lqr: the Riccati iteration does not converge (is (A, B) stabilisable?)");
    return -1;
}

/* ---- linearisation ------------------------------------------------------------------------ */

/* x' of one step from state x with action u (raw env units) on the base env */
static int lqr_step(double* xn, double* r, bool* ended, acrl_env* base, const lqr_env_info* info, const double* x,
                    const double* u, float* obs, char* err, size_t errlen) {
    double st[LQR_MAX_N];
    memcpy(st, x, sizeof(double) * (size_t)info->n);
    if (acrl_env_set_state(base, st, info->n, obs, err, errlen)) return -1;
    float a[LQR_MAX_M];
    for (int i = 0; i < info->m; i++) a[i] = (float)u[i];
    bool term = false, trunc = false;
    acrl_env_step(base, a, obs, r, &term, &trunc);
    *ended = term;
    info->state_of_obs(obs, xn);
    return 0;
}

int lqr_linearise(double* A, double* B, double* f0, double* r0, acrl_env* env, const lqr_env_info* info, double eps, char* err,
                  size_t errlen) {
    acrl_env* base = acrl_env_unwrapped(env);
    if (!base->vt->set_state || base->state_dim != info->n) {
        snprintf(err, errlen, "warm_start = lqr needs an env with set_state of %d values; %s has %s", info->n, env->id,
                 base->vt->set_state ? "another state size" : "no set_state");
        return -1;
    }
    const int n = info->n, m = info->m;
    float obs[64];
    if (base->obs_space.dim > 64) { snprintf(err, errlen, "lqr: observation too large"); return -1; }
    double x[LQR_MAX_N] = {0}, u[LQR_MAX_M] = {0}, xp[LQR_MAX_N], xm[LQR_MAX_N], r;
    bool ended = false, e2 = false;
    if (lqr_step(f0, r0, &ended, base, info, x, u, obs, err, errlen)) return -1;
    for (int j = 0; j < n + m; j++) {
        double* v = j < n ? &x[j] : &u[j - n];
        *v = eps;
        if (lqr_step(xp, &r, &ended, base, info, x, u, obs, err, errlen)) return -1;
        *v = -eps;
        if (lqr_step(xm, &r, &e2, base, info, x, u, obs, err, errlen)) return -1;
        *v = 0;
        if (ended || e2) {
            snprintf(err, errlen, "lqr: %s terminates one step from its equilibrium", env->id);
            return -1;
        }
        for (int i = 0; i < n; i++) {
            double d = (xp[i] - xm[i]) / (2 * eps);
            if (j < n) A[i * n + j] = d;
            else B[i * m + (j - n)] = d;
        }
    }
    return 0;
}

int lqr_model_make(lqr_model* M, acrl_env* env, double gamma, char* err, size_t errlen) {
    memset(M, 0, sizeof *M);
    acrl_env* base = acrl_env_unwrapped(env);
    const lqr_env_info* info = lqr_env_find(base->id);
    if (!base->vt->set_state) {
        snprintf(err, errlen, "warm_start = lqr needs an env with set_state (it linearises the dynamics through it); "
                 "%s has none", base->id);
        return -1;
    }
    if (!info) {
        snprintf(err, errlen, "warm_start = lqr knows no equilibrium of %s (it has one of Pendulum-v1, "
                 "InvertedPendulum-v4, InvertedDoublePendulum-v4)", base->id);
        return -1;
    }
    if (base->act_space.kind != ACRL_SPACE_BOX || base->act_space.dim != info->m) {
        snprintf(err, errlen, "warm_start = lqr: %s's action space does not match its table entry", base->id);
        return -1;
    }
    M->info = info;
    M->gamma = gamma;
    const int n = info->n, m = info->m;
    for (int i = 0; i < n; i++) M->Q[i * n + i] = info->q[i];
    for (int i = 0; i < m; i++) M->R[i * m + i] = info->r[i];
    if (lqr_linearise(M->A, M->B, M->f0, &M->r0, env, info, 1e-3, err, errlen)) return -1;
    if (lqr_dare(M->P, M->K, M->A, M->B, M->Q, M->R, n, m, gamma, err, errlen) < 0) return -1;
    return 0;
}

static double quad(const double* P, const double* x, int n) {
    double s = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) s += x[i] * P[i * n + j] * x[j];
    return s;
}

static double lqr_const(const lqr_model* M) { return M->gamma < 1 ? M->r0 / (1 - M->gamma) : 0.0; }

double lqr_value(const lqr_model* M, const double* x) { return lqr_const(M) - quad(M->P, x, M->info->n); }

double lqr_qvalue(const lqr_model* M, const double* x, const double* u) {
    const int n = M->info->n, m = M->info->m;
    double xn[LQR_MAX_N];
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < n; j++) s += M->A[i * n + j] * x[j];
        for (int j = 0; j < m; j++) s += M->B[i * m + j] * u[j];
        xn[i] = s;
    }
    return lqr_const(M) - (quad(M->Q, x, n) + quad(M->R, u, m) + M->gamma * quad(M->P, xn, n));
}

int lqr_targets(float* obs, float* act, float* v, float* q_act, float* q, int N, acrl_env* env, const lqr_model* M,
                double radius, acrl_rng* rng, char* err, size_t errlen) {
    acrl_env* base = acrl_env_unwrapped(env);
    const lqr_env_info* info = M->info;
    const int n = info->n, m = info->m, od = base->obs_space.dim;
    const float* lo = base->act_space.low;
    const float* hi = base->act_space.high;
    for (int k = 0; k < N; k++) {
        double x[LQR_MAX_N], u[LQR_MAX_M];
        for (int i = 0; i < n; i++) x[i] = acrl_rng_uniform(rng, -radius * info->box[i], radius * info->box[i]);
        if (acrl_env_set_state(base, x, n, obs + (size_t)k * od, err, errlen)) return -1;
        for (int i = 0; i < m; i++) {
            double a = 0;
            for (int j = 0; j < n; j++) a -= M->K[i * n + j] * x[j];
            act[(size_t)k * m + i] = (float)fmin(fmax(a, lo[i]), hi[i]);
            u[i] = acrl_rng_uniform(rng, lo[i], hi[i]);
            q_act[(size_t)k * m + i] = (float)u[i];
        }
        v[k] = (float)lqr_value(M, x);
        q[k] = (float)lqr_qvalue(M, x, u);
    }
    return 0;
}
