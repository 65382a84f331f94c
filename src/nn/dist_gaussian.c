/* Diagonal Gaussian and tanh-squashed Gaussian (SAC) action distributions:
 * sampling, log-prob, entropy and reparameterized gradients. See acrl/dist.h. */
#include "acrl/dist.h"

#include <math.h>
#include <string.h>

#define HALF_LOG_2PI 0.91893853320467274178 /* log(2 pi) / 2 */
#define LOG_2        0.69314718055994530942

/* ---- log-std layout and clamp ---------------------------------------------------- */

void acrl_gauss_log_std(float* log_std, const float* log_std_in, bool shared, float lo, float hi, int B, int D) {
    for (int b = 0; b < B; b++) {
        const float* in = shared ? log_std_in : log_std_in + (size_t)b * D;
        for (int d = 0; d < D; d++) log_std[(size_t)b * D + d] = fminf(fmaxf(in[d], lo), hi);
    }
}

/* torch.clamp passes the gradient where lo <= x <= hi (bounds included) */
void acrl_gauss_log_std_backward(float* dlog_std_in, const float* dlog_std, const float* log_std_in, bool shared,
                                 float lo, float hi, int B, int D) {
    for (int b = 0; b < B; b++) {
        const float* in = shared ? log_std_in : log_std_in + (size_t)b * D;
        float* din = shared ? dlog_std_in : dlog_std_in + (size_t)b * D;
        for (int d = 0; d < D; d++)
            if (in[d] >= lo && in[d] <= hi) din[d] += dlog_std[(size_t)b * D + d];
    }
}

/* ---- diagonal Gaussian --------------------------------------------------------- */

void acrl_gauss_sample(float* act, float* eps, const float* mean, const float* log_std, acrl_rng* rng, int B, int D) {
    acrl_rng_normal_floats(rng, eps, (size_t)B * D);
    acrl_gauss_rsample(act, mean, log_std, eps, B, D);
}

void acrl_gauss_rsample(float* act, const float* mean, const float* log_std, const float* eps, int B, int D) {
    for (size_t i = 0; i < (size_t)B * D; i++) act[i] = (float)(mean[i] + exp((double)log_std[i]) * eps[i]);
}

/* da/dmean = 1, da/dlog_std = std * eps */
void acrl_gauss_rsample_backward(float* dmean, float* dlog_std, const float* g_act, const float* log_std,
                                 const float* eps, float scale, int B, int D) {
    for (size_t i = 0; i < (size_t)B * D; i++) {
        if (dmean) dmean[i] += scale * g_act[i];
        if (dlog_std) dlog_std[i] += (float)((double)scale * g_act[i] * exp((double)log_std[i]) * eps[i]);
    }
}

void acrl_gauss_mode(float* act, const float* mean, int B, int D) {
    memcpy(act, mean, (size_t)B * D * sizeof(float));
}

void acrl_gauss_log_prob(float* logp, const float* act, const float* mean, const float* log_std, int B, int D) {
    for (int b = 0; b < B; b++) {
        double s = 0.0;
        for (size_t i = (size_t)b * D; i < (size_t)(b + 1) * D; i++) {
            double z = ((double)act[i] - mean[i]) * exp(-(double)log_std[i]);
            s += -0.5 * z * z - log_std[i] - HALF_LOG_2PI;
        }
        logp[b] = (float)s;
    }
}

void acrl_gauss_entropy(float* ent, const float* log_std, int B, int D) {
    for (int b = 0; b < B; b++) {
        double s = 0.0;
        for (size_t i = (size_t)b * D; i < (size_t)(b + 1) * D; i++) s += log_std[i] + 0.5 + HALF_LOG_2PI;
        ent[b] = (float)s;
    }
}

/* z = (a - mean)/std: dlogp/dmean = z/std, dlogp/dlog_std = z^2 - 1 */
void acrl_gauss_log_prob_backward(float* dmean, float* dlog_std, const float* w, const float* act,
                                  const float* mean, const float* log_std, float scale, int B, int D) {
    for (int b = 0; b < B; b++) {
        double c = (double)scale * (w ? w[b] : 1.0f);
        for (size_t i = (size_t)b * D; i < (size_t)(b + 1) * D; i++) {
            double inv_std = exp(-(double)log_std[i]);
            double z = ((double)act[i] - mean[i]) * inv_std;
            if (dmean) dmean[i] += (float)(c * z * inv_std);
            if (dlog_std) dlog_std[i] += (float)(c * (z * z - 1.0));
        }
    }
}

void acrl_gauss_entropy_backward(float* dlog_std, const float* w, float scale, int B, int D) {
    for (int b = 0; b < B; b++) {
        float c = scale * (w ? w[b] : 1.0f);
        for (size_t i = (size_t)b * D; i < (size_t)(b + 1) * D; i++) dlog_std[i] += c;
    }
}

/* ---- tanh-squashed Gaussian ------------------------------------------------------ */

/* softplus(x) = log(1 + e^x) without overflow */
static double softplus(double x) {
    return x > 0.0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

/* log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u)): finite for every u, exact in the tails */
static double log_one_minus_tanh2(double u) {
    return 2.0 * (LOG_2 - u - softplus(-2.0 * u));
}

void acrl_squash_sample(float* act, float* logp, float* eps, const float* mean, const float* log_std,
                        const float* act_scale, const float* act_bias, acrl_rng* rng, int B, int D) {
    acrl_rng_normal_floats(rng, eps, (size_t)B * D);
    if (logp) acrl_squash_rsample_logp(act, logp, mean, log_std, eps, act_scale, act_bias, NULL, B, D);
    else acrl_squash_rsample(act, mean, log_std, eps, act_scale, act_bias, B, D);
}

/* acrl_squash_rsample's and acrl_squash_log_prob's expressions, each evaluated once */
void acrl_squash_rsample_logp(float* act, float* logp, const float* mean, const float* log_std, const float* eps,
                              const float* act_scale, const float* act_bias, double* keep, int B, int D) {
    for (int b = 0; b < B; b++) {
        double s = 0.0;
        for (int d = 0; d < D; d++) {
            size_t i = (size_t)b * D + d;
            const double std = exp((double)log_std[i]), u = mean[i] + std * eps[i], t = tanh(u);
            const double l = log_one_minus_tanh2(u);
            if (keep) { keep[3 * i] = std; keep[3 * i + 1] = t; keep[3 * i + 2] = l; }
            act[i] = (float)((act_bias ? act_bias[d] : 0.0) + (act_scale ? act_scale[d] : 1.0) * t);
            s += -0.5 * (double)eps[i] * eps[i] - log_std[i] - HALF_LOG_2PI - l;
            if (act_scale) s -= log((double)act_scale[d]);
        }
        logp[b] = (float)s;
    }
}

void acrl_squash_rsample(float* act, const float* mean, const float* log_std, const float* eps,
                         const float* act_scale, const float* act_bias, int B, int D) {
    for (int b = 0; b < B; b++)
        for (int d = 0; d < D; d++) {
            size_t i = (size_t)b * D + d;
            double u = mean[i] + exp((double)log_std[i]) * eps[i];
            act[i] = (float)((act_bias ? act_bias[d] : 0.0) + (act_scale ? act_scale[d] : 1.0) * tanh(u));
        }
}

/* log N(u; mean, std) = -eps^2/2 - log_std - log(2 pi)/2 since (u - mean)/std = eps */
void acrl_squash_log_prob(float* logp, const float* mean, const float* log_std, const float* eps,
                          const float* act_scale, int B, int D) {
    for (int b = 0; b < B; b++) {
        double s = 0.0;
        for (int d = 0; d < D; d++) {
            size_t i = (size_t)b * D + d;
            double u = mean[i] + exp((double)log_std[i]) * eps[i];
            s += -0.5 * (double)eps[i] * eps[i] - log_std[i] - HALF_LOG_2PI - log_one_minus_tanh2(u);
            if (act_scale) s -= log((double)act_scale[d]);
        }
        logp[b] = (float)s;
    }
}

void acrl_squash_entropy(float* ent, const float* mean, const float* log_std, const float* eps,
                         const float* act_scale, int B, int D) {
    acrl_squash_log_prob(ent, mean, log_std, eps, act_scale, B, D);
    for (int b = 0; b < B; b++) ent[b] = -ent[b];
}

void acrl_squash_mode(float* act, const float* mean, const float* act_scale, const float* act_bias, int B, int D) {
    for (int b = 0; b < B; b++)
        for (int d = 0; d < D; d++) {
            size_t i = (size_t)b * D + d;
            act[i] = (float)((act_bias ? act_bias[d] : 0.0) + (act_scale ? act_scale[d] : 1.0) * tanh((double)mean[i]));
        }
}

/* With eps fixed, u = mean + std*eps, t = tanh(u):
 *   da/du = act_scale (1 - t^2),  dlogp/du = -d log(1 - t^2)/du = 2t  (Gaussian term: du/dmean
 *   cancels in (u - mean), so dlogp/dmean = 2t and dlogp/dlog_std = -1 + 2t std eps)
 *   dL/du = g_act act_scale (1 - t^2) + g_logp 2t
 *   dL/dmean = dL/du,  dL/dlog_std = dL/du * std * eps - g_logp */
void acrl_squash_backward(float* dmean, float* dlog_std, const float* g_act, const float* g_logp,
                          const float* mean, const float* log_std, const float* eps, const float* act_scale,
                          float scale, int B, int D) {
    for (int b = 0; b < B; b++) {
        double glp = g_logp ? g_logp[b] : 0.0;
        for (int d = 0; d < D; d++) {
            size_t i = (size_t)b * D + d;
            double std = exp((double)log_std[i]), u = mean[i] + std * eps[i];
            double du = 2.0 * tanh(u) * glp;
            if (g_act) du += g_act[i] * (act_scale ? act_scale[d] : 1.0) * exp(log_one_minus_tanh2(u));
            if (dmean) dmean[i] += (float)(scale * du);
            if (dlog_std) dlog_std[i] += (float)(scale * (du * std * eps[i] - glp));
        }
    }
}

/* acrl_squash_backward with std, tanh(u) and log(1 - tanh(u)^2) read from keep */
void acrl_squash_backward_kept(float* dmean, float* dlog_std, const float* g_act, const float* g_logp,
                               const double* keep, const float* eps, const float* act_scale, float scale, int B, int D) {
    for (int b = 0; b < B; b++) {
        double glp = g_logp ? g_logp[b] : 0.0;
        for (int d = 0; d < D; d++) {
            size_t i = (size_t)b * D + d;
            double std = keep[3 * i];
            double du = 2.0 * keep[3 * i + 1] * glp;
            if (g_act) du += g_act[i] * (act_scale ? act_scale[d] : 1.0) * exp(keep[3 * i + 2]);
            if (dmean) dmean[i] += (float)(scale * du);
            if (dlog_std) dlog_std[i] += (float)(scale * (du * std * eps[i] - glp));
        }
    }
}
