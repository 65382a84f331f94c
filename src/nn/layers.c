/* Layers as free functions (linear, activations, layer norm, dropout), losses and
 * initializers. Forward writes its outputs; backward accumulates (+=). */
#include "acrl/nn.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/copy.h"
#include "util/size.h"

/* ---- linear: W stored (in, out) -------------------------------------------------- */

void acrl_linear_forward_with(acrl_gemm_fn gemm, float* y, const float* x, const float* w, const float* b, int B,
                              int in, int out) {
    if (b && gemm == acrl_gemm) {
        acrl_gemm_bias(B, out, in, x, in, w, out, b, y, out, NULL);
    } else if (b) {
        acrl_copy_row_bcast(y, (size_t)out, b, (size_t)out, B);
        gemm(false, false, B, out, in, 1, x, in, w, out, 1, y, out);
    } else {
        gemm(false, false, B, out, in, 1, x, in, w, out, 0, y, out);
    }
}

void acrl_linear_forward(float* y, const float* x, const float* w, const float* b, int B, int in, int out) {
    acrl_linear_forward_with(acrl_gemm, y, x, w, b, B, in, out);
}

void acrl_linear_backward(float* dx, float* dw, float* db, const float* dy, const float* x,
                          const float* w, int B, int in, int out) {
    acrl_linear_backward_with(acrl_gemm, dx, dw, db, dy, x, w, B, in, out);
}

void acrl_linear_backward_with(acrl_gemm_fn gemm, float* dx, float* dw, float* db, const float* dy, const float* x,
                               const float* w, int B, int in, int out) {
    if (dx) gemm(false, true, B, in, out, 1, dy, out, w, out, 1, dx, in);
    gemm(true, false, in, out, B, 1, x, in, dy, out, 1, dw, out);
    if (!db) return;
    /* column sums 16 columns at a time in registers (no store-to-load chain through db) */
    int j0 = 0;
    for (; j0 + 16 <= out; j0 += 16) {
        float acc[16];
        memcpy(acc, db + j0, sizeof acc);
        for (int i = 0; i < B; i++) {
            const float* d = dy + (size_t)i * out + j0;
            for (int l = 0; l < 16; l++) acc[l] += d[l];
        }
        memcpy(db + j0, acc, sizeof acc);
    }
    for (int i = 0; i < B; i++)
        for (int j = j0; j < out; j++) db[j] += dy[(size_t)i * out + j];
}

/* ---- activations ------------------------------------------------------------------ */

int acrl_act_parse(acrl_act* out, const char* name, char* err, size_t errlen) {
    static const char* names[] = {"none", "tanh", "relu", "elu", "gelu", "gelu_tanh"};
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
        if (name && strcmp(name, names[i]) == 0) { *out = (acrl_act)i; return 0; }
    snprintf(err, errlen, "unknown activation '%s' (valid: none, tanh, relu, elu, gelu, gelu_tanh)",
             name ? name : "(null)");
    return -1;
}

/* Branch-free float tanh that gcc vectorizes (libm's tanhf is a scalar call, ~20 ns each,
 * and dominated the MLP forward): tanh(x) ~ x P(x^2) / Q(x^2) on |x| <= 9 with P of degree 6
 * and Q of degree 3, a rational fit minimizing the relative error (6.6e-9 before rounding; see
 * tests/gen_tanh_coef.py); beyond 9 it is +-1, within an ulp of tanh. Max error 5 ulp over
 * all floats (checked exhaustively against double tanh); NaN stays NaN (the comparisons below
 * are false for it), -0 stays -0. */
#ifndef __AVX512F__
#ifdef __FP_FAST_FMAF
#define MADD(a, b, c) fmaf(a, b, c)
#else
#define MADD(a, b, c) ((a) * (b) + (c)) /* fmaf would be a libm call */
#endif
static inline float tanh_fast(float x) {
    /* unnested selects, each comparison always evaluated, so gcc if-converts them (AVX2 too) */
    float c = x > 9.0f ? 9.0f : x;
    c = c < -9.0f ? -9.0f : c;
    const float s = c * c;
    float p = MADD(-8.48831706e-14f, s, 5.27780215e-11f);
    p = MADD(p, s, -2.02249399e-08f);
    p = MADD(p, s, 1.11542422e-05f);
    p = MADD(p, s, 0.00310395029f);
    p = MADD(p, s, 0.130840048f);
    p = MADD(p, s, 1.0f);
    float q = MADD(0.000254613638f, s, 0.0244951546f);
    q = MADD(q, s, 0.464173317f);
    q = MADD(q, s, 1.0f);
    float y = c * p / q;
    y = x > 9.0f ? 1.0f : y;
    return x < -9.0f ? -1.0f : y;
}
#endif

#ifdef __AVX512F__
#include <immintrin.h>

/* t (16) = tanh(t) with tanh_fast's formula, the division replaced by rcp14 and one Newton
 * step (relative error ~2^-27, well under float rounding; a division costs as much as the rest
 * of the function). max(-9, x) and min(9, x) return x for NaN, which then stays NaN. */
static void tanh16(float* t) {
    const __m512 x = _mm512_loadu_ps(t), nine = _mm512_set1_ps(9.0f), one = _mm512_set1_ps(1.0f);
    const __m512 c = _mm512_min_ps(nine, _mm512_max_ps(_mm512_set1_ps(-9.0f), x));
    const __m512 s = _mm512_mul_ps(c, c);
    __m512 p = _mm512_fmadd_ps(_mm512_set1_ps(-8.48831706e-14f), s, _mm512_set1_ps(5.27780215e-11f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(-2.02249399e-08f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(1.11542422e-05f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(0.00310395029f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(0.130840048f));
    p = _mm512_fmadd_ps(p, s, one);
    __m512 q = _mm512_fmadd_ps(_mm512_set1_ps(0.000254613638f), s, _mm512_set1_ps(0.0244951546f));
    q = _mm512_fmadd_ps(q, s, _mm512_set1_ps(0.464173317f));
    q = _mm512_fmadd_ps(q, s, one);
    __m512 r = _mm512_rcp14_ps(q);
    r = _mm512_fmadd_ps(r, _mm512_fnmadd_ps(q, r, one), r);
    __m512 y = _mm512_mul_ps(_mm512_mul_ps(c, p), r);
    y = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, nine, _CMP_GT_OQ), y, one);
    y = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(-9.0f), _CMP_LT_OQ), y, _mm512_set1_ps(-1.0f));
    _mm512_storeu_ps(t, y);
}
#else
static void tanh16(float* t) {
    for (int l = 0; l < 16; l++) t[l] = tanh_fast(t[l]);
}
#endif

/* y (n) = tanh(x (n)); y may equal x. Blocks of 16 through a local array (a fixed trip count
 * and no aliasing for gcc's vectorizer); the tail is padded to a block, so an element's value
 * does not depend on its position. */
static void tanh_forward(float* y, const float* x, size_t n) {
    size_t i = 0;
    float t[16];
    for (; i + 16 <= n; i += 16) {
        memcpy(t, x + i, sizeof t);
        tanh16(t);
        memcpy(y + i, t, sizeof t);
    }
    if (i < n) {
        memset(t, 0, sizeof t);
        memcpy(t, x + i, (n - i) * sizeof(float));
        tanh16(t);
        memcpy(y + i, t, (n - i) * sizeof(float));
    }
}

#define SQRT_2_OVER_PI 0.7978845608028654f
#define GELU_C 0.044715f

/* ---- GELU, exact (erf) form: a vectorizable fast path beside libm's erff -------------------
 *
 * libm's erff and expf are scalar calls (about 10 ns an element here), which made GELU
 * networks several times slower than ReLU ones. The fast path: e^x by Cody-Waite reduction
 * x = k ln2 + r, |r| <= ln2/2, a degree-7 Taylor polynomial (relative error < 1e-7 before
 * rounding) and 2^k put into the exponent bits; erf by Abramowitz & Stegun 7.1.26 (absolute
 * error < 1.5e-7; PyTorch's vectorized CPU erf uses the same formula). Branch-free, in blocks
 * of 16 through local arrays so that gcc vectorizes them and every element takes the same path.
 * tests/test_nn_grad.c compares both directions against double-precision erf on a dense grid. */
#ifdef __FP_FAST_FMAF
#define GMADD(a, b, c) fmaf(a, b, c)
#else
#define GMADD(a, b, c) ((a) * (b) + (c))
#endif
static inline float exp_fast(float x) {
    x = x > -87.0f ? x : -87.0f; /* NaN becomes -87: the int conversion below stays defined */
    x = x < 88.0f ? x : 88.0f;
    /* k = round(x / ln2) by the 1.5 * 2^23 shift (floorf does not vectorize under gcc's default
     * trapping-math) */
    const float k = GMADD(x, 1.44269504f, 12582912.0f) - 12582912.0f;
    const float r = GMADD(k, 2.12194440e-4f, GMADD(k, -0.693359375f, x)); /* x - k ln2, in two parts */
    float p = GMADD(1.98412698e-4f, r, 1.38888889e-3f);
    p = GMADD(p, r, 8.33333333e-3f);
    p = GMADD(p, r, 4.16666667e-2f);
    p = GMADD(p, r, 1.66666667e-1f);
    p = GMADD(p, r, 0.5f);
    p = GMADD(p, r, 1.0f);
    p = GMADD(p, r, 1.0f);
    const int32_t bits = ((int32_t)k + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* Phi(u) (the standard normal CDF) given e = exp(-u^2 / 2): 0.5 (1 + erf(u / sqrt 2)) */
static inline float normal_cdf_fast(float u, float e) {
    const float a = fabsf(u) * 0.70710678f;
    const float t = 1.0f / GMADD(0.3275911f, a, 1.0f);
    float p = GMADD(1.061405429f, t, -1.453152027f);
    p = GMADD(p, t, 1.421413741f);
    p = GMADD(p, t, -0.284496736f);
    p = GMADD(p, t, 0.254829592f);
    const float erf_abs = 1.0f - p * t * e;
    return 0.5f + 0.5f * (u < 0 ? -erf_abs : erf_abs);
}

static void gelu16(float* y, const float* x) {
    for (int l = 0; l < 16; l++) {
        const float u = x[l];
        y[l] = u * normal_cdf_fast(u, exp_fast(-0.5f * u * u));
    }
}

/* dx (16) = dy * (Phi(x) + x phi(x)) */
static void gelu_grad16(float* dx, const float* dy, const float* x) {
    for (int l = 0; l < 16; l++) {
        const float u = x[l], e = exp_fast(-0.5f * u * u);
        dx[l] = dy[l] * GMADD(u, 0.39894228f * e, normal_cdf_fast(u, e));
    }
}

/* y (n) = GELU(x (n)) (y may equal x); dx (n) += GELU'(x) dy when dy is given. Blocks of 16,
 * the tail padded to a block as tanh_forward does. */
static void gelu_apply(float* out, const float* x, const float* dy, size_t n) {
    float t[16], g[16], d[16];
    for (size_t i = 0; i < n; i += 16) {
        const size_t m = n - i < 16 ? n - i : 16;
        memset(t, 0, sizeof t);
        memcpy(t, x + i, m * sizeof(float));
        if (dy) {
            memset(g, 0, sizeof g);
            memcpy(g, dy + i, m * sizeof(float));
            gelu_grad16(d, g, t);
            for (size_t l = 0; l < m; l++) out[i + l] += d[l];
        } else {
            gelu16(d, t);
            memcpy(out + i, d, m * sizeof(float));
        }
    }
}

/* The readable references (libm's erff and expf), kept for tests and comparison. */
void acrl_gelu_ref_forward(float* y, const float* x, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1 + erff(x[i] * (float)M_SQRT1_2));
}

void acrl_gelu_ref_backward(float* dx, const float* dy, const float* x, size_t n) {
    /* d/dx x Phi(x) = Phi(x) + x phi(x) */
    for (size_t i = 0; i < n; i++) {
        float u = x[i];
        float cdf = 0.5f * (1 + erff(u * (float)M_SQRT1_2));
        float pdf = 0.3989422804014327f * expf(-0.5f * u * u);
        dx[i] += dy[i] * (cdf + u * pdf);
    }
}

void acrl_act_forward(acrl_act act, float* y, const float* x, size_t n) {
    switch (act) {
    case ACRL_ACT_NONE: if (y != x) memmove(y, x, n * sizeof(float)); break;
    case ACRL_ACT_TANH: tanh_forward(y, x, n); break;
    case ACRL_ACT_RELU: for (size_t i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0; break;
    case ACRL_ACT_ELU: for (size_t i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : expm1f(x[i]); break;
    case ACRL_ACT_GELU: gelu_apply(y, x, NULL, n); break;
    case ACRL_ACT_GELU_TANH:
        for (size_t i = 0; i < n; i++) {
            float u = x[i];
            y[i] = 0.5f * u * (1 + tanhf(SQRT_2_OVER_PI * (u + GELU_C * u * u * u)));
        }
        break;
    }
}

void acrl_act_backward(acrl_act act, float* dx, const float* dy, const float* x, const float* y, size_t n) {
    switch (act) {
    case ACRL_ACT_NONE: for (size_t i = 0; i < n; i++) dx[i] += dy[i]; break;
    case ACRL_ACT_TANH: for (size_t i = 0; i < n; i++) dx[i] += dy[i] * (1 - y[i] * y[i]); break;
    case ACRL_ACT_RELU: for (size_t i = 0; i < n; i++) dx[i] += x[i] > 0 ? dy[i] : 0; break;
    case ACRL_ACT_ELU: for (size_t i = 0; i < n; i++) dx[i] += x[i] > 0 ? dy[i] : dy[i] * (y[i] + 1); break;
    case ACRL_ACT_GELU: gelu_apply(dx, x, dy, n); break;
    case ACRL_ACT_GELU_TANH:
        for (size_t i = 0; i < n; i++) {
            float u = x[i];
            float t = tanhf(SQRT_2_OVER_PI * (u + GELU_C * u * u * u));
            float dt = (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * GELU_C * u * u);
            dx[i] += dy[i] * (0.5f * (1 + t) + 0.5f * u * dt);
        }
        break;
    }
}

void acrl_act_grad(acrl_act act, float* restrict dx, const float* restrict dy, const float* restrict x,
                   const float* restrict y, size_t n) {
    /* 0 + v as the accumulation into zeros gives it (a -0 becomes +0) */
    switch (act) {
    case ACRL_ACT_RELU: for (size_t i = 0; i < n; i++) dx[i] = 0.0f + (x[i] > 0 ? dy[i] : 0); return;
    case ACRL_ACT_NONE: for (size_t i = 0; i < n; i++) dx[i] = 0.0f + dy[i]; return;
    default:
        memset(dx, 0, n * sizeof(float));
        acrl_act_backward(act, dx, dy, x, y, n);
    }
}

/* ---- layer norm ------------------------------------------------------------------- */

#define LN_EPS 1e-5f

void acrl_layernorm_forward(float* y, float* mean, float* rstd, const float* x, const float* g,
                            const float* b, int B, int C) {
    for (int i = 0; i < B; i++) {
        const float* xi = x + (size_t)i * C;
        float* yi = y + (size_t)i * C;
        float mu = 0;
        for (int j = 0; j < C; j++) mu += xi[j];
        mu /= C;
        float var = 0;
        for (int j = 0; j < C; j++) { float d = xi[j] - mu; var += d * d; }
        var /= C;
        float rs = 1 / sqrtf(var + LN_EPS);
        for (int j = 0; j < C; j++) yi[j] = (xi[j] - mu) * rs * g[j] + b[j];
        mean[i] = mu;
        rstd[i] = rs;
    }
}

void acrl_layernorm_backward(float* dx, float* dg, float* db, const float* dy, const float* x,
                             const float* mean, const float* rstd, const float* g, int B, int C) {
    for (int i = 0; i < B; i++) {
        const float* xi = x + (size_t)i * C;
        const float* dyi = dy + (size_t)i * C;
        float* dxi = dx + (size_t)i * C;
        float mu = mean[i], rs = rstd[i];
        /* dxhat = dy g; dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)) */
        float s1 = 0, s2 = 0;
        for (int j = 0; j < C; j++) {
            float xh = (xi[j] - mu) * rs, dxh = dyi[j] * g[j];
            s1 += dxh;
            s2 += dxh * xh;
            if (dg) dg[j] += dyi[j] * xh;
            if (db) db[j] += dyi[j];
        }
        s1 /= C;
        s2 /= C;
        for (int j = 0; j < C; j++) {
            float xh = (xi[j] - mu) * rs;
            dxi[j] += rs * (dyi[j] * g[j] - s1 - xh * s2);
        }
    }
}

/* ---- dropout ---------------------------------------------------------------------- */

/* Units kept before the next dropped one: a geometric variable, floor(log(1 - u) / log(1 - p))
 * for u uniform in [0, 1), at most n. */
static size_t dropout_gap(acrl_rng* rng, double log_keep, size_t n) {
    const double g = floor(log1p(-acrl_rng_double(rng)) / log_keep);
    return g < (double)n ? (size_t)g : n;
}

void acrl_dropout_forward(float* y, float* mask, const float* x, float p, bool training, acrl_rng* rng, size_t n) {
    if (!training || p <= 0) {
        for (size_t i = 0; i < n; i++) { mask[i] = 1; y[i] = x[i]; }
        return;
    }
    /* The dropped units are a Bernoulli(p) process over the n units, drawn by its geometric gaps:
     * one uniform number per dropped unit instead of one per unit (100x fewer at p = 0.01). */
    const float keep = 1 / (1 - p);
    const double log_keep = log1p(-(double)p);
    size_t next = dropout_gap(rng, log_keep, n);
    for (size_t i = 0; i < n; i++) {
        if (i == next) {
            mask[i] = 0;
            const size_t gap = dropout_gap(rng, log_keep, n);
            next = gap < n - i ? i + 1 + gap : n;
        } else {
            mask[i] = keep;
        }
        y[i] = x[i] * mask[i];
    }
}

void acrl_dropout_backward(float* dx, const float* dy, const float* mask, size_t n) {
    for (size_t i = 0; i < n; i++) dx[i] += dy[i] * mask[i];
}

/* ---- losses ----------------------------------------------------------------------- */

float acrl_mse_loss(float* dpred, const float* pred, const float* target, size_t n) {
    double s = 0;
    const float scale = 2.0f / (float)n;
    for (size_t i = 0; i < n; i++) {
        float d = pred[i] - target[i];
        s += (double)d * d;
        if (dpred) dpred[i] += scale * d;
    }
    return (float)(s / (double)n);
}

float acrl_huber_loss(float* dpred, const float* pred, const float* target, float delta, size_t n) {
    double s = 0;
    const float inv_n = 1.0f / (float)n;
    for (size_t i = 0; i < n; i++) {
        float d = pred[i] - target[i], ad = fabsf(d);
        if (ad < delta) {
            s += 0.5 * (double)d * d;
            if (dpred) dpred[i] += d * inv_n;
        } else {
            s += (double)delta * (ad - 0.5 * delta);
            if (dpred) dpred[i] += (d > 0 ? delta : -delta) * inv_n;
        }
    }
    return (float)(s / (double)n);
}

/* ---- initializers ----------------------------------------------------------------- */

void acrl_init_uniform(float* x, size_t n, float bound, acrl_rng* rng) {
    for (size_t i = 0; i < n; i++) x[i] = (float)acrl_rng_uniform(rng, -bound, bound);
}

void acrl_init_const(float* x, size_t n, float value) {
    for (size_t i = 0; i < n; i++) x[i] = value;
}

int acrl_init_orthogonal(float* w, int rows, int cols, float gain, acrl_rng* rng) {
    /* Householder QR of a Gaussian (r, c) matrix with r >= c (the transpose if rows < cols);
     * Q's first c columns times sign(diag(R)) are orthonormal. */
    if (rows < 1 || cols < 1) return -1;
    const bool tall = rows >= cols;
    const int r = tall ? rows : cols, c = tall ? cols : rows;
    const size_t rc = acrl_size_mul3((size_t)r, (size_t)c, sizeof(double));
    if (rc == SIZE_MAX) return -1;
    double* a = malloc(rc);                             /* (r, c) overwritten by R */
    double* q = malloc(rc);                             /* (r, c) */
    double* vs = malloc(rc);                            /* stored reflectors (column k: rows k..r-1) */
    double* v = malloc((size_t)r * sizeof(double));
    double* d = malloc((size_t)c * sizeof(double));     /* diag(R) */
    if (!a || !q || !vs || !v || !d) { free(a); free(q); free(vs); free(v); free(d); return -1; }
    for (size_t i = 0; i < (size_t)r * c; i++) a[i] = acrl_rng_normal(rng);
    /* q = first c columns of the identity; reflections are applied to it in reverse */
    for (int i = 0; i < r; i++)
        for (int j = 0; j < c; j++) q[(size_t)i * c + j] = i == j;
    for (int k = 0; k < c; k++) {
        double norm = 0;
        for (int i = k; i < r; i++) norm += a[(size_t)i * c + k] * a[(size_t)i * c + k];
        norm = sqrt(norm);
        double x0 = a[(size_t)k * c + k];
        double alpha = x0 > 0 ? -norm : norm;
        for (int i = k; i < r; i++) v[i] = a[(size_t)i * c + k];
        v[k] -= alpha;
        double vn = 0;
        for (int i = k; i < r; i++) vn += v[i] * v[i];
        if (vn > 0)
            for (int j = k; j < c; j++) {
                double s = 0;
                for (int i = k; i < r; i++) s += v[i] * a[(size_t)i * c + j];
                s = 2 * s / vn;
                for (int i = k; i < r; i++) a[(size_t)i * c + j] -= s * v[i];
            }
        for (int i = 0; i < r; i++) vs[(size_t)i * c + k] = i >= k && vn > 0 ? v[i] / sqrt(vn) : 0;
        d[k] = a[(size_t)k * c + k];
    }
    /* Q = H_0 H_1 ... H_{c-1} I[:, :c]: apply H_k for k = c-1 down to 0 */
    for (int k = c - 1; k >= 0; k--)
        for (int j = 0; j < c; j++) {
            double s = 0;
            for (int i = k; i < r; i++) s += vs[(size_t)i * c + k] * q[(size_t)i * c + j];
            for (int i = k; i < r; i++) q[(size_t)i * c + j] -= 2 * s * vs[(size_t)i * c + k];
        }
    for (int i = 0; i < r; i++)
        for (int j = 0; j < c; j++) {
            double val = gain * q[(size_t)i * c + j] * (d[j] < 0 ? -1 : 1);
            if (tall) w[(size_t)i * cols + j] = (float)val;
            else w[(size_t)j * cols + i] = (float)val;
        }
    free(a); free(q); free(v); free(d); free(vs);
    return 0;
}
