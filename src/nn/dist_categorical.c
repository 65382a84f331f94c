/* Categorical distribution from logits (B, K): probabilities, sampling, log-prob,
 * entropy and their gradients with respect to the logits. See acrl/dist.h. */
#include "acrl/dist.h"

#include <math.h>
#include <stddef.h>

/* logsumexp of one row z (K) in double, max subtracted for stability. */
static double row_logsumexp(const float* z, int K) {
    double m = -INFINITY;
    for (int k = 0; k < K; k++) if (z[k] > m) m = z[k];
    double s = 0.0;
    for (int k = 0; k < K; k++) s += exp((double)z[k] - m);
    return m + log(s);
}

void acrl_cat_probs(float* probs, const float* logits, int B, int K) {
    for (int b = 0; b < B; b++) {
        const float* z = logits + (size_t)b * K;
        double lse = row_logsumexp(z, K);
        for (int k = 0; k < K; k++) probs[(size_t)b * K + k] = (float)exp((double)z[k] - lse);
    }
}

void acrl_cat_log_probs(float* logp, const float* logits, int B, int K) {
    for (int b = 0; b < B; b++) {
        const float* z = logits + (size_t)b * K;
        double lse = row_logsumexp(z, K);
        for (int k = 0; k < K; k++) logp[(size_t)b * K + k] = (float)((double)z[k] - lse);
    }
}

void acrl_cat_sample(int* act, const float* logits, acrl_rng* rng, int B, int K) {
    for (int b = 0; b < B; b++) {
        const float* z = logits + (size_t)b * K;
        /* unnormalized weights e_k = exp(z_k - max) (no log needed): the first k with
         * u sum(e) < e_0 + ... + e_k; rounding can leave no such k, then take the last
         * action of non-zero probability */
        double m = -INFINITY;
        for (int k = 0; k < K; k++) if (z[k] > m) m = z[k];
        double w[32], s = 0.0; /* the weights are kept for K <= 32, recomputed otherwise */
        for (int k = 0; k < K; k++) {
            double e = exp((double)z[k] - m);
            if (k < 32) w[k] = e;
            s += e;
        }
        double u = acrl_rng_double(rng) * s, cdf = 0.0;
        int pick = -1, last = 0;
        for (int k = 0; k < K; k++) {
            double e = k < 32 ? w[k] : exp((double)z[k] - m);
            if (e > 0.0) last = k;
            cdf += e;
            if (pick < 0 && e > 0.0 && u < cdf) pick = k;
        }
        act[b] = pick >= 0 ? pick : last;
    }
}

void acrl_cat_mode(int* act, const float* logits, int B, int K) {
    for (int b = 0; b < B; b++) {
        const float* z = logits + (size_t)b * K;
        int best = 0;
        for (int k = 1; k < K; k++) if (z[k] > z[best]) best = k;
        act[b] = best;
    }
}

/* 0 if every act[b] is an index in [0, K), else -1 */
static int check_actions(const int* act, int B, int K) {
    for (int b = 0; b < B; b++)
        if (act[b] < 0 || act[b] >= K) return -1;
    return 0;
}

int acrl_cat_log_prob(float* logp, const float* logits, const int* act, int B, int K) {
    if (check_actions(act, B, K)) return -1;
    for (int b = 0; b < B; b++) {
        const float* z = logits + (size_t)b * K;
        logp[b] = (float)((double)z[act[b]] - row_logsumexp(z, K));
    }
    return 0;
}

/* H = -sum p log p = lse - sum p z (masked actions, p = 0, contribute nothing). */
static double row_entropy(const float* z, int K, double lse) {
    double pz = 0.0;
    for (int k = 0; k < K; k++) {
        double p = exp((double)z[k] - lse);
        if (p > 0.0) pz += p * z[k];
    }
    return lse - pz;
}

void acrl_cat_entropy(float* ent, const float* logits, int B, int K) {
    for (int b = 0; b < B; b++) {
        const float* z = logits + (size_t)b * K;
        ent[b] = (float)row_entropy(z, K, row_logsumexp(z, K));
    }
}

/* d log p_a / dz_k = [k == a] - p_k */
int acrl_cat_log_prob_backward(float* dlogits, const float* w, const float* logits, const int* act,
                               float scale, int B, int K) {
    if (check_actions(act, B, K)) return -1;
    for (int b = 0; b < B; b++) {
        const float* z = logits + (size_t)b * K;
        float* dz = dlogits + (size_t)b * K;
        double lse = row_logsumexp(z, K);
        double c = (double)scale * (w ? w[b] : 1.0f);
        for (int k = 0; k < K; k++) {
            double p = exp((double)z[k] - lse);
            dz[k] += (float)(c * ((k == act[b]) - p));
        }
    }
    return 0;
}

/* dH/dz_k = -p_k (log p_k + H) */
void acrl_cat_entropy_backward(float* dlogits, const float* w, const float* logits, float scale, int B, int K) {
    for (int b = 0; b < B; b++) {
        const float* z = logits + (size_t)b * K;
        float* dz = dlogits + (size_t)b * K;
        double lse = row_logsumexp(z, K);
        double H = row_entropy(z, K, lse);
        double c = (double)scale * (w ? w[b] : 1.0f);
        for (int k = 0; k < K; k++) {
            double logp = (double)z[k] - lse, p = exp(logp);
            if (p > 0.0) dz[k] += (float)(-c * p * (logp + H));
        }
    }
}

/* L = sum_j gp_j p_j + gl_j log p_j, with dp_j/dz_k = p_j ([j==k] - p_k), dlog p_j/dz_k = [j==k] - p_k:
 * dL/dz_k = p_k (gp_k - sum_j p_j gp_j) + gl_k - p_k sum_j gl_j */
void acrl_cat_probs_backward(float* dlogits, const float* g_probs, const float* g_logp, const float* logits,
                             float scale, int B, int K) {
    for (int b = 0; b < B; b++) {
        const float* z = logits + (size_t)b * K;
        const float* gp = g_probs ? g_probs + (size_t)b * K : NULL;
        const float* gl = g_logp ? g_logp + (size_t)b * K : NULL;
        float* dz = dlogits + (size_t)b * K;
        double lse = row_logsumexp(z, K);
        double pgp = 0.0, sgl = 0.0;
        for (int k = 0; k < K; k++) {
            double p = exp((double)z[k] - lse);
            if (gp && p > 0.0) pgp += p * gp[k];
            if (gl) sgl += gl[k];
        }
        for (int k = 0; k < K; k++) {
            double p = exp((double)z[k] - lse), d = -p * sgl;
            if (gp && p > 0.0) d += p * (gp[k] - pgp);
            if (gl) d += gl[k];
            dz[k] += (float)(scale * d);
        }
    }
}

/* ---- from log-probs: several quantities of the same logits at the cost of one softmax ---- */

void acrl_cat_log_softmax(float* logp, float* probs, const float* logits, int B, int K) {
    for (int b = 0; b < B; b++) {
        const float* z = logits + (size_t)b * K;
        float* lp = logp + (size_t)b * K;
        float* p = probs + (size_t)b * K;
        double m = -INFINITY;
        for (int k = 0; k < K; k++) if (z[k] > m) m = z[k];
        double s = 0.0;
        for (int k = 0; k < K; k++) {
            double e = exp((double)z[k] - m);
            p[k] = (float)e; /* unnormalized until s is known */
            s += e;
        }
        double lse = m + log(s), inv = 1.0 / s;
        for (int k = 0; k < K; k++) {
            lp[k] = (float)((double)z[k] - lse);
            p[k] = (float)(p[k] * inv);
        }
    }
}

void acrl_cat_entropy_lp(float* ent, const float* logp, const float* probs, int B, int K) {
    for (int b = 0; b < B; b++) {
        const float* lp = logp + (size_t)b * K;
        const float* p = probs + (size_t)b * K;
        double h = 0.0;
        for (int k = 0; k < K; k++) if (p[k] > 0.0f) h -= (double)p[k] * lp[k];
        ent[b] = (float)h;
    }
}

int acrl_cat_log_prob_backward_lp(float* dlogits, const float* w, const float* probs, const int* act,
                                  float scale, int B, int K) {
    if (check_actions(act, B, K)) return -1;
    for (int b = 0; b < B; b++) {
        const float* p = probs + (size_t)b * K;
        float* dz = dlogits + (size_t)b * K;
        double c = (double)scale * (w ? w[b] : 1.0f);
        for (int k = 0; k < K; k++) dz[k] += (float)(c * ((k == act[b]) - (double)p[k]));
    }
    return 0;
}

void acrl_cat_entropy_backward_lp(float* dlogits, const float* w, const float* logp, const float* probs,
                                  const float* ent, float scale, int B, int K) {
    for (int b = 0; b < B; b++) {
        const float* lp = logp + (size_t)b * K;
        const float* p = probs + (size_t)b * K;
        float* dz = dlogits + (size_t)b * K;
        double c = (double)scale * (w ? w[b] : 1.0f), h = ent[b];
        for (int k = 0; k < K; k++)
            if (p[k] > 0.0f) dz[k] += (float)(-c * p[k] * (lp[k] + h));
    }
}
