/* conv.c - 2-D convolution (NCHW, square kernel, stride, zero padding) by im2col and gemm,
 * and a stack of convolutions with a hidden activation (the CNN feature extractor). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "acrl/nn.h"

int acrl_conv2d_out(int n, int k, int s, int pd) { return n + 2 * pd < k || s < 1 ? 0 : (n + 2 * pd - k) / s + 1; }

/* col (Ci k k, Ho Wo) from x (Ci, H, W) */
static void im2col(float* col, const float* x, int Ci, int H, int W, int k, int s, int pd, int Ho, int Wo) {
    for (int c = 0; c < Ci; c++)
        for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++) {
                float* row = col + ((size_t)(c * k + ky) * k + kx) * (size_t)(Ho * Wo);
                for (int oy = 0; oy < Ho; oy++) {
                    int iy = oy * s + ky - pd;
                    float* r = row + (size_t)oy * Wo;
                    if (iy < 0 || iy >= H) { memset(r, 0, sizeof(float) * (size_t)Wo); continue; }
                    const float* xr = x + ((size_t)c * H + iy) * W;
                    for (int ox = 0; ox < Wo; ox++) {
                        int ix = ox * s + kx - pd;
                        r[ox] = ix >= 0 && ix < W ? xr[ix] : 0.0f;
                    }
                }
            }
}

/* dx (Ci, H, W) += col2im(dcol) */
static void col2im(float* dx, const float* col, int Ci, int H, int W, int k, int s, int pd, int Ho, int Wo) {
    for (int c = 0; c < Ci; c++)
        for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++) {
                const float* row = col + ((size_t)(c * k + ky) * k + kx) * (size_t)(Ho * Wo);
                for (int oy = 0; oy < Ho; oy++) {
                    int iy = oy * s + ky - pd;
                    if (iy < 0 || iy >= H) continue;
                    float* xr = dx + ((size_t)c * H + iy) * W;
                    const float* r = row + (size_t)oy * Wo;
                    for (int ox = 0; ox < Wo; ox++) {
                        int ix = ox * s + kx - pd;
                        if (ix >= 0 && ix < W) xr[ix] += r[ox];
                    }
                }
            }
}

void acrl_conv2d_forward(float* y, const float* x, const float* w, const float* b, int B, int Ci, int H, int W,
                         int Co, int k, int s, int pd, float* col) {
    int Ho = acrl_conv2d_out(H, k, s, pd), Wo = acrl_conv2d_out(W, k, s, pd), P = Ho * Wo, K = Ci * k * k;
    for (int n = 0; n < B; n++) {
        float* yn = y + (size_t)n * Co * P;
        im2col(col, x + (size_t)n * Ci * H * W, Ci, H, W, k, s, pd, Ho, Wo);
        for (int o = 0; o < Co; o++)
            for (int p = 0; p < P; p++) yn[(size_t)o * P + p] = b ? b[o] : 0.0f;
        acrl_gemm(false, false, Co, P, K, 1.0f, w, K, col, P, 1.0f, yn, P);
    }
}

void acrl_conv2d_backward(float* dx, float* dw, float* db, const float* dy, const float* x, const float* w, int B,
                          int Ci, int H, int W, int Co, int k, int s, int pd, float* col) {
    int Ho = acrl_conv2d_out(H, k, s, pd), Wo = acrl_conv2d_out(W, k, s, pd), P = Ho * Wo, K = Ci * k * k;
    for (int n = 0; n < B; n++) {
        const float* dyn = dy + (size_t)n * Co * P;
        if (db)
            for (int o = 0; o < Co; o++) {
                float a = 0;
                for (int p = 0; p < P; p++) a += dyn[(size_t)o * P + p];
                db[o] += a;
            }
        im2col(col, x + (size_t)n * Ci * H * W, Ci, H, W, k, s, pd, Ho, Wo);
        /* dw (Co, K) += dy (Co, P) col^T */
        acrl_gemm(false, true, Co, K, P, 1.0f, dyn, P, col, P, 1.0f, dw, K);
        if (dx) {
            /* dcol (K, P) = w^T dy */
            acrl_gemm(true, false, K, P, Co, 1.0f, w, K, dyn, P, 0.0f, col, P);
            col2im(dx + (size_t)n * Ci * H * W, col, Ci, H, W, k, s, pd, Ho, Wo);
        }
    }
}

/* ---- the stack ------------------------------------------------------------------ */

/* ---- max-pooling: window q x q, stride q, floor (PyTorch's MaxPool2d(q)) ------------ */

/* y (B, C, H / q, W / q) = window maxima of x (B, C, H, W); arg = flat index in x of each. */
static void maxpool_forward(float* y, int* arg, const float* x, int B, int C, int H, int W, int q) {
    const int Ho = H / q, Wo = W / q;
    for (int n = 0; n < B * C; n++) {
        const float* xp = x + (size_t)n * H * W;
        for (int i = 0; i < Ho; i++)
            for (int j = 0; j < Wo; j++) {
                int best = (i * q) * W + j * q;
                for (int u = 0; u < q; u++)
                    for (int v = 0; v < q; v++) {
                        const int at = (i * q + u) * W + j * q + v;
                        if (xp[at] > xp[best] || isnan(xp[at])) best = at;
                    }
                const size_t o = (size_t)n * Ho * Wo + (size_t)i * Wo + j;
                y[o] = xp[best];
                arg[o] = (int)((size_t)n * H * W + (size_t)best);
            }
    }
}

int acrl_cnn_build(acrl_cnn* m, acrl_params* p, const char* name, int C, int H, int W, const int* channels,
                   const int* kernels, const int* strides, const int* pools, int nlayers, const char* act,
                   int max_batch, char* err, size_t errlen) {
    memset(m, 0, sizeof *m);
    if (nlayers < 1 || nlayers > ACRL_CNN_MAX_LAYERS) {
        snprintf(err, errlen, "a CNN needs 1 to %d conv layers", ACRL_CNN_MAX_LAYERS);
        return -1;
    }
    if (acrl_act_parse(&m->act, act, err, errlen)) return -1;
    m->nlayers = nlayers;
    m->max_batch = max_batch;
    m->c[0] = C;
    m->h[0] = H;
    m->w[0] = W;
    size_t maxcol = 0;
    for (int l = 0; l < nlayers; l++) {
        int k = kernels[l], s = strides ? strides[l] : 1, q = pools ? pools[l] : 1;
        if (channels[l] < 1 || k < 1 || s < 1 || q < 1) {
            snprintf(err, errlen, "conv layer %d: channels, kernel, stride and pool must be >= 1", l + 1);
            return -1;
        }
        m->k[l] = k;
        m->s[l] = s;
        m->pool[l] = q;
        m->pad[l] = k / 2; /* "same" size at stride 1 for odd kernels */
        m->c[l + 1] = channels[l];
        m->zh[l] = acrl_conv2d_out(m->h[l], k, s, m->pad[l]);
        m->zw[l] = acrl_conv2d_out(m->w[l], k, s, m->pad[l]);
        if (m->zh[l] < 1 || m->zw[l] < 1) {
            snprintf(err, errlen, "conv layer %d: kernel %d stride %d leaves no output from %dx%d", l + 1, k, s,
                     m->h[l], m->w[l]);
            return -1;
        }
        m->h[l + 1] = m->zh[l] / q;
        m->w[l + 1] = m->zw[l] / q;
        if (m->h[l + 1] < 1 || m->w[l + 1] < 1) {
            snprintf(err, errlen, "conv layer %d: pooling %dx%d leaves no output from %dx%d", l + 1, q, q, m->zh[l],
                     m->zw[l]);
            return -1;
        }
        char nm[96];
        snprintf(nm, sizeof nm, "%s.%d.w", name, l);
        m->w_off[l] = acrl_params_add(p, nm, channels[l], m->c[l] * k * k);
        snprintf(nm, sizeof nm, "%s.%d.b", name, l);
        m->b_off[l] = acrl_params_add(p, nm, 1, channels[l]);
        if (m->w_off[l] == SIZE_MAX || m->b_off[l] == SIZE_MAX) { snprintf(err, errlen, "out of memory"); return -1; }
        size_t cs = (size_t)m->c[l] * k * k * (size_t)(m->zh[l] * m->zw[l]);
        if (cs > maxcol) maxcol = cs;
    }
    m->out_dim = m->c[nlayers] * m->h[nlayers] * m->w[nlayers];
    m->col = malloc(maxcol * sizeof(float));
    int ok = m->col != NULL;
    size_t maxact = (size_t)max_batch * (size_t)(C * H * W);
    for (int l = 0; l < nlayers && ok; l++) {
        size_t n = (size_t)max_batch * (size_t)(m->c[l + 1] * m->zh[l] * m->zw[l]);
        if (n > maxact) maxact = n;
        m->z[l] = malloc(n * sizeof(float));
        m->a[l] = malloc(n * sizeof(float));
        ok = m->z[l] && m->a[l];
        if (ok && m->pool[l] > 1) {
            size_t np = (size_t)max_batch * (size_t)(m->c[l + 1] * m->h[l + 1] * m->w[l + 1]);
            m->pl[l] = malloc(np * sizeof(float));
            m->arg[l] = malloc(np * sizeof(int));
            ok = m->pl[l] && m->arg[l];
        }
    }
    for (int i = 0; i < 4; i++) m->d[i] = ok ? calloc(maxact, sizeof(float)) : NULL;
    if (!ok || !m->d[0] || !m->d[1] || !m->d[2] || !m->d[3]) {
        acrl_cnn_free(m);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

size_t acrl_cnn_bytes(int C, int H, int W, const int* channels, const int* kernels, const int* strides,
                      const int* pools, int nlayers, int max_batch) {
    if (nlayers < 1 || nlayers > ACRL_CNN_MAX_LAYERS) return SIZE_MAX;
    double floats = 0, params = 0, maxcol = 0, maxact = (double)max_batch * C * H * W;
    int c = C, h = H, w = W;
    for (int l = 0; l < nlayers; l++) {
        int k = kernels[l], s = strides ? strides[l] : 1, q = pools && pools[l] > 1 ? pools[l] : 1;
        int ho = acrl_conv2d_out(h, k, s, k / 2), wo = acrl_conv2d_out(w, k, s, k / 2);
        params += (double)channels[l] * c * k * k + channels[l];
        double cs = (double)c * k * k * ho * wo;
        if (cs > maxcol) maxcol = cs;
        double act = (double)max_batch * channels[l] * ho * wo;
        floats += 2 * act;
        if (act > maxact) maxact = act;
        if (q > 1) floats += 2.0 * max_batch * channels[l] * (ho / q) * (wo / q); /* pooled maps and indices */
        c = channels[l];
        h = ho / q;
        w = wo / q;
    }
    double bytes = 4.0 * (floats + maxcol + 4 * maxact + 4 * params);
    return bytes >= (double)SIZE_MAX / 2 ? SIZE_MAX : (size_t)bytes;
}

void acrl_cnn_init(const acrl_cnn* m, acrl_params* p, float gain, acrl_rng* rng) {
    for (int l = 0; l < m->nlayers; l++) {
        int fan_in = m->c[l] * m->k[l] * m->k[l];
        /* PyTorch's Conv2d default: kaiming_uniform(a = sqrt 5) = U(+-1/sqrt(fan_in)), bias likewise;
         * gain scales the weights (1: the default) */
        float bound = 1.0f / sqrtf((float)fan_in);
        acrl_init_uniform(p->param + m->w_off[l], (size_t)m->c[l + 1] * (size_t)fan_in, gain * bound, rng);
        acrl_init_uniform(p->param + m->b_off[l], (size_t)m->c[l + 1], bound, rng);
    }
}

const float* acrl_cnn_forward(acrl_cnn* m, const acrl_params* p, const float* in, int B) {
    m->input = in;
    m->batch = B;
    const float* x = in;
    for (int l = 0; l < m->nlayers; l++) {
        acrl_conv2d_forward(m->z[l], x, p->param + m->w_off[l], p->param + m->b_off[l], B, m->c[l], m->h[l], m->w[l],
                            m->c[l + 1], m->k[l], m->s[l], m->pad[l], m->col);
        acrl_act_forward(m->act, m->a[l], m->z[l], (size_t)B * (size_t)(m->c[l + 1] * m->zh[l] * m->zw[l]));
        x = m->a[l];
        if (m->pool[l] > 1) {
            maxpool_forward(m->pl[l], m->arg[l], m->a[l], B, m->c[l + 1], m->zh[l], m->zw[l], m->pool[l]);
            x = m->pl[l];
        }
    }
    return x;
}

void acrl_cnn_backward(acrl_cnn* m, acrl_params* p, float* din, const float* dout) {
    const int B = m->batch;
    const float* dy = dout;
    for (int l = m->nlayers - 1; l >= 0; l--) {
        size_t n = (size_t)B * (size_t)(m->c[l + 1] * m->zh[l] * m->zw[l]);
        if (m->pool[l] > 1) { /* the pooled gradient back to the maxima it came from */
            float* da = m->d[3];
            memset(da, 0, n * sizeof(float));
            const size_t np = (size_t)B * (size_t)(m->c[l + 1] * m->h[l + 1] * m->w[l + 1]);
            for (size_t i = 0; i < np; i++) da[m->arg[l][i]] += dy[i];
            dy = da;
        }
        float* dz = m->d[2];
        memset(dz, 0, n * sizeof(float));
        acrl_act_backward(m->act, dz, dy, m->z[l], m->a[l], n);
        float* dx = NULL;
        if (l > 0) {
            dx = m->d[l & 1];
            memset(dx, 0, (size_t)B * (size_t)(m->c[l] * m->h[l] * m->w[l]) * sizeof(float));
        } else {
            dx = din;
        }
        const float* xin = l == 0 ? m->input : m->pool[l - 1] > 1 ? m->pl[l - 1] : m->a[l - 1];
        acrl_conv2d_backward(dx, p->grad + m->w_off[l], p->grad + m->b_off[l], dz, xin,
                             p->param + m->w_off[l], B, m->c[l], m->h[l], m->w[l], m->c[l + 1], m->k[l], m->s[l],
                             m->pad[l], m->col);
        dy = dx;
    }
}

void acrl_cnn_free(acrl_cnn* m) {
    free(m->col);
    for (int l = 0; l < ACRL_CNN_MAX_LAYERS; l++) {
        free(m->z[l]);
        free(m->a[l]);
        free(m->pl[l]);
        free(m->arg[l]);
    }
    for (int i = 0; i < 4; i++) free(m->d[i]);
    memset(m, 0, sizeof *m);
}
