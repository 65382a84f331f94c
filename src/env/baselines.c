/* baselines.c - the backtest baselines of Portfolio-v0 (acrl/portfolio.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/portfolio.h"

static int cmp_desc(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return (x < y) - (x > y);
}

void acrl_simplex_project(double* v, int n) {
    /* sort descending, find the largest k with u_k - (sum_{j<=k} u_j - 1) / k > 0 */
    double* u = malloc((size_t)n * sizeof *u);
    if (!u) { /* fall back: clip and renormalize */
        double s = 0;
        for (int i = 0; i < n; i++) s += (v[i] = v[i] > 0 ? v[i] : 0);
        for (int i = 0; i < n; i++) v[i] = s > 0 ? v[i] / s : 1.0 / n;
        return;
    }
    memcpy(u, v, (size_t)n * sizeof *u);
    qsort(u, (size_t)n, sizeof *u, cmp_desc);
    double cs = 0, theta = 0;
    for (int k = 0; k < n; k++) {
        cs += u[k];
        double t = (cs - 1) / (k + 1);
        if (u[k] - t > 0) theta = t;
    }
    for (int i = 0; i < n; i++) v[i] = v[i] - theta > 0 ? v[i] - theta : 0;
    free(u);
}

void acrl_portfolio_mean_variance(const double* mu, const double* S, int A, double risk_aversion, int iters,
                                  double* w) {
    /* f(w) = mu'w - (l/2) w'Sw is concave with a gradient Lipschitz constant <= l * max row
     * sum of |S|; steps of 1/L keep projected gradient ascent monotone. */
    double L = 0;
    for (int i = 0; i < A; i++) {
        double r = 0;
        for (int j = 0; j < A; j++) r += fabs(S[i * A + j]);
        if (r > L) L = r;
    }
    L *= risk_aversion;
    double g[A];
    for (int i = 0; i < A; i++) w[i] = 1.0 / A;
    if (!(L > 0)) { /* no risk term: all in the best mean */
        int b = 0;
        for (int i = 1; i < A; i++) if (mu[i] > mu[b]) b = i;
        for (int i = 0; i < A; i++) w[i] = i == b;
        return;
    }
    for (int it = 0; it < iters; it++) {
        for (int i = 0; i < A; i++) {
            double sw = 0;
            for (int j = 0; j < A; j++) sw += S[i * A + j] * w[j];
            g[i] = mu[i] - risk_aversion * sw;
        }
        for (int i = 0; i < A; i++) w[i] += g[i] / L;
        acrl_simplex_project(w, A);
    }
}

void acrl_portfolio_risk_parity(const double* S, int A, int iters, double* w) {
    double m[A];
    for (int i = 0; i < A; i++) w[i] = S[i * A + i] > 0 ? 1.0 / sqrt(S[i * A + i]) : 1.0; /* inverse volatility */
    for (int it = 0; it < iters; it++) {
        double s = 0;
        for (int i = 0; i < A; i++) s += w[i];
        for (int i = 0; i < A; i++) w[i] /= s;
        double mean = 0, worst = 0;
        for (int i = 0; i < A; i++) {
            m[i] = 0;
            for (int j = 0; j < A; j++) m[i] += S[i * A + j] * w[j];
            mean += w[i] * m[i];
        }
        mean /= A;
        if (!(mean > 0)) return;
        for (int i = 0; i < A; i++) {
            double rc = w[i] * m[i];
            if (fabs(rc / mean - 1) > worst) worst = fabs(rc / mean - 1);
            if (rc > 0) w[i] *= sqrt(mean / rc);
        }
        if (worst < 1e-10) break;
    }
    double s = 0;
    for (int i = 0; i < A; i++) s += w[i];
    for (int i = 0; i < A; i++) w[i] /= s;
}

/* annualised mean and covariance of the simple returns of days d-L+1..d */
static void estimate(const acrl_prices* px, const int* cols, int A, int d, int L, double* mu, double* S, double* r) {
    const int N = px->n_assets;
    for (int k = 0; k < L; k++) {
        int t = d - L + 1 + k;
        for (int a = 0; a < A; a++)
            r[k * A + a] = px->close[(size_t)t * N + cols[a]] / px->close[(size_t)(t - 1) * N + cols[a]] - 1;
    }
    for (int a = 0; a < A; a++) {
        mu[a] = 0;
        for (int k = 0; k < L; k++) mu[a] += r[k * A + a];
        mu[a] /= L;
    }
    for (int a = 0; a < A; a++)
        for (int b = 0; b <= a; b++) {
            double c = 0;
            for (int k = 0; k < L; k++) c += (r[k * A + a] - mu[a]) * (r[k * A + b] - mu[b]);
            S[a * A + b] = S[b * A + a] = 252.0 * c / (L > 1 ? L - 1 : 1);
        }
    for (int a = 0; a < A; a++) mu[a] *= 252.0;
}

int acrl_portfolio_baseline(const acrl_prices* px, const int* cols, int A, int start, int est_window,
                            double risk_aversion, double cost, acrl_baseline kind, const double* fixed_w,
                            double* log_returns, double* turnover, char* err, size_t errlen) {
    const int D = px->n_days, N = px->n_assets;
    if (A < 1 || start < 1 || start >= D) {
        snprintf(err, errlen, "baseline: bad period (start %d of %d days, %d assets)", start, D, A);
        return -1;
    }
    if ((kind == ACRL_BL_MEAN_VARIANCE || kind == ACRL_BL_RISK_PARITY) && (est_window < 2 || start - 1 < est_window)) {
        snprintf(err, errlen, "baseline: the estimation window (%d days) needs %d days before the test period, "
                 "there are %d", est_window, est_window + 1, start);
        return -1;
    }
    if (kind == ACRL_BL_FIXED) {
        double s = 0;
        for (int i = 0; i <= A; i++) {
            if (!(fixed_w[i] >= 0) || !isfinite(fixed_w[i])) {
                snprintf(err, errlen, "fixed weights: weight %d is %g (weights must be >= 0)", i, fixed_w[i]);
                return -1;
            }
            s += fixed_w[i];
        }
        if (fabs(s - 1) > 1e-6) {
            snprintf(err, errlen, "fixed weights sum to %.9g, not 1 (cash first, then %d assets)", s, A);
            return -1;
        }
    }
    const int L = est_window > 1 ? est_window : 2;
    double* buf = malloc(((size_t)5 * (A + 1) + (size_t)A * A + (size_t)L * A) * sizeof(double));
    if (!buf) { snprintf(err, errlen, "out of memory"); return -1; }
    double* w = buf, *wp = w + A + 1, *wn = wp + A + 1, *y = wn + A + 1, *mu = y + A + 1, *S = mu + A + 1,
          *r = S + (size_t)A * A;
    memset(wp, 0, (size_t)(A + 1) * sizeof(double));
    wp[0] = 1;
    int best = 0;
    if (kind == ACRL_BL_BEST_ASSET) {
        double bv = -INFINITY;
        for (int a = 0; a < A; a++) {
            double g = px->close[(size_t)(start - 1) * N + cols[a]] / px->close[cols[a]];
            if (g > bv) { bv = g; best = a; }
        }
    }
    for (int d = start - 1, k = 0; d <= D - 2; d++, k++) {
        w[0] = 0;
        switch (kind) {
        case ACRL_BL_EQUAL_WEIGHT:
            for (int a = 0; a < A; a++) w[1 + a] = 1.0 / A;
            break;
        case ACRL_BL_BUY_AND_HOLD:
            if (k == 0) for (int a = 0; a < A; a++) w[1 + a] = 1.0 / A;
            else memcpy(w, wp, (size_t)(A + 1) * sizeof(double));
            break;
        case ACRL_BL_MEAN_VARIANCE:
            estimate(px, cols, A, d, L, mu, S, r);
            acrl_portfolio_mean_variance(mu, S, A, risk_aversion, 300, w + 1);
            break;
        case ACRL_BL_RISK_PARITY:
            estimate(px, cols, A, d, L, mu, S, r);
            acrl_portfolio_risk_parity(S, A, 500, w + 1);
            break;
        case ACRL_BL_BEST_ASSET:
            for (int a = 0; a < A; a++) w[1 + a] = a == best;
            break;
        case ACRL_BL_FIXED:
            memcpy(w, fixed_w, (size_t)(A + 1) * sizeof(double));
            break;
        }
        for (int a = 0; a < A; a++)
            y[a] = px->close[(size_t)(d + 1) * N + cols[a]] / px->close[(size_t)d * N + cols[a]];
        log_returns[k] = acrl_portfolio_day(w, wp, y, A, cost, wn, &turnover[k]);
        memcpy(wp, wn, (size_t)(A + 1) * sizeof(double));
    }
    free(buf);
    return 0;
}
