/* Multi-layer perceptron over a parameter store: Linear [-> Dropout] [-> LayerNorm] -> act per
 * hidden layer, a plain Linear output; activations kept for backward, no allocation after build. */
#include "acrl/nn.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/size.h"

static float* alloc_floats(size_t n) {
    void* x = NULL;
    if (posix_memalign(&x, 64, (n ? n : 1) * sizeof(float))) return NULL;
    memset(x, 0, (n ? n : 1) * sizeof(float));
    return x;
}

int acrl_mlp_build(acrl_mlp* m, acrl_params* p, const char* name, const int* sizes, int nsizes,
                   const char* act, bool layernorm, int max_batch, char* err, size_t errlen) {
    memset(m, 0, sizeof *m);
    if (nsizes < 2 || nsizes > ACRL_MLP_MAX_LAYERS + 1) {
        snprintf(err, errlen, "mlp '%s': need 2..%d sizes, got %d", name, ACRL_MLP_MAX_LAYERS + 1, nsizes);
        return -1;
    }
    if (max_batch <= 0) { snprintf(err, errlen, "mlp '%s': max_batch must be > 0", name); return -1; }
    if (p->finalized) { snprintf(err, errlen, "mlp '%s': parameter store already finalized", name); return -1; }
    int maxw = 0;
    for (int i = 0; i < nsizes; i++) {
        if (sizes[i] <= 0) { snprintf(err, errlen, "mlp '%s': size %d is %d", name, i, sizes[i]); return -1; }
        m->sizes[i] = sizes[i];
        if (sizes[i] > maxw) maxw = sizes[i];
    }
    char e2[160];
    if (acrl_act_parse(&m->act, act, e2, sizeof e2)) { snprintf(err, errlen, "mlp '%s': %s", name, e2); return -1; }
    m->nlayers = nsizes - 1;
    m->in_dim = sizes[0];
    m->layernorm = layernorm;
    m->max_batch = max_batch;
    char tn[64];
    bool ok = true;
    for (int l = 0; l < m->nlayers; l++) {
        const int in = sizes[l], out = sizes[l + 1];
        const bool hidden = l < m->nlayers - 1;
        snprintf(tn, sizeof tn, "%s.%d.w", name, l);
        m->w_off[l] = acrl_params_add(p, tn, in, out);
        snprintf(tn, sizeof tn, "%s.%d.b", name, l);
        m->b_off[l] = acrl_params_add(p, tn, 1, out);
        ok = ok && m->w_off[l] != SIZE_MAX && m->b_off[l] != SIZE_MAX;
        const size_t n = (size_t)max_batch * out;
        ok = ok && (m->z[l] = alloc_floats(n));
        if (hidden) {
            ok = ok && (m->h[l] = alloc_floats(n));
            if (layernorm) {
                snprintf(tn, sizeof tn, "%s.%d.ln_g", name, l);
                m->g_off[l] = acrl_params_add(p, tn, 1, out);
                snprintf(tn, sizeof tn, "%s.%d.ln_b", name, l);
                m->beta_off[l] = acrl_params_add(p, tn, 1, out);
                ok = ok && m->g_off[l] != SIZE_MAX && m->beta_off[l] != SIZE_MAX;
                ok = ok && (m->ln[l] = alloc_floats(n)) && (m->ln_mean[l] = alloc_floats((size_t)max_batch)) &&
                     (m->ln_rstd[l] = alloc_floats((size_t)max_batch));
            }
        }
    }
    for (int i = 0; i < 3; i++) ok = ok && (m->d[i] = alloc_floats((size_t)max_batch * maxw));
    if (!ok) {
        acrl_mlp_free(m);
        snprintf(err, errlen, "mlp '%s': out of memory", name);
        return -1;
    }
    return 0;
}

int acrl_mlp_build_cnn(acrl_mlp* m, acrl_params* p, const char* name, const acrl_cnn_spec* cs, const int* sizes,
                       int nsizes, const char* act, bool layernorm, int max_batch, char* err, size_t errlen) {
    if (!cs) return acrl_mlp_build(m, p, name, sizes, nsizes, act, layernorm, max_batch, err, errlen);
    memset(m, 0, sizeof *m);
    const long img = (long)cs->c * cs->h * cs->w;
    if (nsizes < 2 || cs->c < 1 || cs->h < 1 || cs->w < 1 || img > sizes[0]) {
        snprintf(err, errlen, "mlp '%s': input rows of %d columns cannot hold a %dx%dx%d image", name,
                 nsizes > 0 ? sizes[0] : 0, cs->c, cs->h, cs->w);
        return -1;
    }
    if (cs->n < 1 || cs->n > ACRL_CNN_MAX_LAYERS) {
        snprintf(err, errlen, "mlp '%s': 1 to %d conv layers, got %d", name, ACRL_CNN_MAX_LAYERS, cs->n);
        return -1;
    }
    /* the features' width first (the MLP's tensors are declared before the CNN's) */
    int c = cs->c, h = cs->h, w = cs->w;
    for (int l = 0; l < cs->n; l++) {
        const int k = cs->kernels[l], st = cs->strides ? cs->strides[l] : 1;
        const int q = cs->pools && cs->pools[l] > 1 ? cs->pools[l] : 1;
        c = cs->channels[l];
        h = acrl_conv2d_out(h, k, st, k / 2) / q;
        w = acrl_conv2d_out(w, k, st, k / 2) / q;
        if (c < 1 || h < 1 || w < 1) {
            snprintf(err, errlen, "mlp '%s': conv layer %d leaves no output of a %dx%dx%d image", name, l, cs->c,
                     cs->h, cs->w);
            return -1;
        }
    }
    const int extra = sizes[0] - (int)img, F = c * h * w;
    int s2[ACRL_MLP_MAX_LAYERS + 1];
    for (int i = 0; i < nsizes && i <= ACRL_MLP_MAX_LAYERS; i++) s2[i] = sizes[i];
    s2[0] = F + extra;
    if (acrl_mlp_build(m, p, name, s2, nsizes, act, layernorm, max_batch, err, errlen)) return -1;
    m->in_dim = sizes[0];
    m->img_dim = (int)img;
    char tn[64];
    snprintf(tn, sizeof tn, "%s.cnn", name);
    const size_t B = (size_t)max_batch;
    m->cnn = calloc(1, sizeof *m->cnn);
    if (!m->cnn || !(m->xin = alloc_floats(B * s2[0])) || !(m->dxin = alloc_floats(B * s2[0])) ||
        !(m->dfeat = alloc_floats(B * F)) ||
        (extra > 0 && (!(m->img = alloc_floats(B * img)) || !(m->dimg = alloc_floats(B * img))))) {
        acrl_mlp_free(m);
        snprintf(err, errlen, "mlp '%s': out of memory", name);
        return -1;
    }
    if (acrl_cnn_build(m->cnn, p, tn, cs->c, cs->h, cs->w, cs->channels, cs->kernels, cs->strides, cs->pools, cs->n,
                       cs->act ? cs->act : act, max_batch, err, errlen)) {
        free(m->cnn);
        m->cnn = NULL;
        acrl_mlp_free(m);
        return -1;
    }
    return 0;
}

size_t acrl_mlp_bytes(const int* sizes, int nsizes, bool layernorm, int max_batch) {
    if (nsizes < 2 || max_batch < 1) return 0;
    const size_t B = (size_t)max_batch;
    size_t floats = 0, params = 0, maxw = 0;
    for (int l = 0; l + 1 < nsizes; l++) {
        const size_t in = (size_t)(sizes[l] > 0 ? sizes[l] : 0), out = (size_t)(sizes[l + 1] > 0 ? sizes[l + 1] : 0);
        const bool hidden = l + 2 < nsizes;
        /* z, and h (+ LN output, mean, rstd) for hidden layers */
        size_t rows = hidden ? (layernorm ? 3 : 2) : 1;
        floats = acrl_size_add(floats, acrl_size_mul3(B, out, rows));
        if (hidden && layernorm) floats = acrl_size_add(floats, 2 * B);
        /* w, b (+ LN gain and bias), each rounded up to 16 floats */
        params = acrl_size_add(params, acrl_size_add(acrl_size_mul(in, out), 16 + out + 16));
        if (hidden && layernorm) params = acrl_size_add(params, 2 * (out + 16));
    }
    for (int i = 0; i < nsizes; i++) if (sizes[i] > 0 && (size_t)sizes[i] > maxw) maxw = (size_t)sizes[i];
    floats = acrl_size_add(floats, acrl_size_mul3(3, B, maxw)); /* backward scratch */
    floats = acrl_size_add(floats, acrl_size_mul(4, params));   /* param, grad, m, v */
    return acrl_size_mul(floats, sizeof(float));
}

int acrl_mlp_init(const acrl_mlp* m, acrl_params* p, acrl_init_kind kind, float hidden_gain,
                  float out_gain, acrl_rng* rng) {
    for (int l = 0; l < m->nlayers; l++) {
        const int in = m->sizes[l], out = m->sizes[l + 1];
        float* w = p->param + m->w_off[l];
        float* b = p->param + m->b_off[l];
        if (kind == ACRL_INIT_TORCH) {
            const float bound = 1 / sqrtf((float)in);
            acrl_init_uniform(w, (size_t)in * out, bound, rng);
            acrl_init_uniform(b, (size_t)out, bound, rng);
        } else {
            if (acrl_init_orthogonal(w, in, out, l < m->nlayers - 1 ? hidden_gain : out_gain, rng)) return -1;
            acrl_init_const(b, (size_t)out, 0);
        }
        if (m->layernorm && l < m->nlayers - 1) {
            acrl_init_const(p->param + m->g_off[l], (size_t)out, 1);
            acrl_init_const(p->param + m->beta_off[l], (size_t)out, 0);
        }
    }
    if (m->cnn) acrl_cnn_init(m->cnn, p, 1.0f, rng);
    return 0;
}

int acrl_mlp_set_dropout(acrl_mlp* m, float p, char* err, size_t errlen) {
    if (!(p >= 0 && p < 1)) { snprintf(err, errlen, "dropout must be in [0, 1), got %g", p); return -1; }
    m->dropout = p;
    for (int l = 0; l < m->nlayers - 1 && p > 0; l++) {
        const size_t n = (size_t)m->max_batch * m->sizes[l + 1];
        if (!m->mask[l] && !(m->mask[l] = alloc_floats(n))) goto oom;
        if (!m->dr[l] && !(m->dr[l] = alloc_floats(n))) goto oom;
    }
    return 0;
oom:
    snprintf(err, errlen, "mlp: out of memory for dropout masks");
    return -1;
}

/* drop: apply dropout (masks from rng, or the given ones when rng is NULL) */
/* the CNN front: xin (B, sizes[0]) = [CNN features of the image columns | extra columns] */
static const float* cnn_front(acrl_mlp* m, const acrl_params* p, const float* in, int B) {
    const int img = m->img_dim, extra = m->in_dim - img, F = m->cnn->out_dim, W0 = m->sizes[0];
    const float* im = in;
    if (extra > 0) {
        for (int b = 0; b < B; b++)
            memcpy(m->img + (size_t)b * img, in + (size_t)b * m->in_dim, sizeof(float) * (size_t)img);
        im = m->img;
    }
    const float* f = acrl_cnn_forward(m->cnn, p, im, B);
    for (int b = 0; b < B; b++) {
        memcpy(m->xin + (size_t)b * W0, f + (size_t)b * F, sizeof(float) * (size_t)F);
        memcpy(m->xin + (size_t)b * W0 + F, in + (size_t)b * m->in_dim + img, sizeof(float) * (size_t)extra);
    }
    return m->xin;
}

static const float* forward(acrl_mlp* m, const acrl_params* p, const float* in, int B, bool drop, acrl_rng* rng) {
    if (m->cnn) in = cnn_front(m, p, in, B);
    m->input = in; /* the first linear layer's input */
    m->batch = B;
    m->dropped = drop;
    const float* x = in;
    for (int l = 0; l < m->nlayers; l++) {
        const int din = m->sizes[l], dout = m->sizes[l + 1];
        if (l < m->nlayers - 1 && m->act == ACRL_ACT_RELU && !drop && !m->layernorm && !m->bf16[l]) {
            /* ReLU straight after the linear layer: both from the same registers */
            acrl_gemm_bias(B, dout, din, x, din, p->param + m->w_off[l], dout, p->param + m->b_off[l], m->z[l], dout,
                           m->h[l]);
            x = m->h[l];
            continue;
        }
        acrl_linear_forward_with(acrl_mlp_gemm(m, l), m->z[l], x, p->param + m->w_off[l], p->param + m->b_off[l], B,
                                 din, dout);
        if (l == m->nlayers - 1) break;
        const float* a = m->z[l];
        const size_t n = (size_t)B * dout;
        if (drop) {
            if (rng) acrl_dropout_forward(m->dr[l], m->mask[l], a, m->dropout, true, rng, n);
            else for (size_t i = 0; i < n; i++) m->dr[l][i] = a[i] * m->mask[l][i];
            a = m->dr[l];
        }
        if (m->layernorm) {
            acrl_layernorm_forward(m->ln[l], m->ln_mean[l], m->ln_rstd[l], a, p->param + m->g_off[l],
                                   p->param + m->beta_off[l], B, dout);
            a = m->ln[l];
        }
        acrl_act_forward(m->act, m->h[l], a, n);
        x = m->h[l];
    }
    return m->z[m->nlayers - 1];
}

const float* acrl_mlp_forward(acrl_mlp* m, const acrl_params* p, const float* in, int B) {
    return forward(m, p, in, B, false, NULL);
}

const float* acrl_mlp_forward_train(acrl_mlp* m, const acrl_params* p, const float* in, int B, acrl_rng* rng) {
    return forward(m, p, in, B, m->dropout > 0, rng);
}

/* da (n) = act'(a) dh given the activation's input a and output h (n): tanh written directly
 * (no zeroing pass; the backward's hot loop), the others through acrl_act_grad */
static void act_grad(acrl_act act, float* restrict da, const float* restrict dh, const float* a,
                     const float* restrict h, size_t n) {
    if (act == ACRL_ACT_TANH) {
        for (size_t i = 0; i < n; i++) da[i] = dh[i] * (1 - h[i] * h[i]);
        return;
    }
    acrl_act_grad(act, da, dh, a, h, n);
}

/* Backward of the last forward; grad (NULL: input gradient only) += parameter gradients. */
static void backward(acrl_mlp* m, const acrl_params* p, float* grad, float* din, const float* dout) {
    const int B = m->batch;
    const float* dz = dout; /* dL/d(linear output of layer l), (B, sizes[l+1]) */
    for (int l = m->nlayers - 1; l >= 0; l--) {
        const int in = m->sizes[l], out = m->sizes[l + 1];
        const float* x = l ? m->h[l - 1] : m->input;
        const float* w = p->param + m->w_off[l];
        const acrl_gemm_fn gemm = acrl_mlp_gemm(m, l);
        if (grad) acrl_linear_backward_with(gemm, NULL, grad + m->w_off[l], grad + m->b_off[l], dz, x, w, B, in, out);
        if (l == 0) {
            if (m->cnn && (grad || din)) { /* dL/d[features | extra], for the CNN and the extra columns */
                memset(m->dxin, 0, sizeof(float) * (size_t)B * in);
                gemm(false, true, B, in, out, 1, dz, out, w, out, 1, m->dxin, in);
            } else if (din) {
                gemm(false, true, B, in, out, 1, dz, out, w, out, 1, din, in);
            }
            break;
        }
        /* two scratch buffers other than the one dz is in */
        float* dh = m->d[0] == dz ? m->d[1] : m->d[0];
        float* da = m->d[2] == dz || m->d[2] == dh ? (m->d[1] == dz || m->d[1] == dh ? m->d[0] : m->d[1]) : m->d[2];
        const size_t n = (size_t)B * in;
        const float* pre = m->dropped ? m->dr[l - 1] : m->z[l - 1]; /* what enters LN / act */
        const float* a = m->layernorm ? m->ln[l - 1] : pre;
        if (m->act == ACRL_ACT_RELU && !m->layernorm && gemm == acrl_gemm) {
            acrl_gemm_relu_grad(B, in, out, dz, w, a, da); /* dL/dh[l-1] masked in one pass */
        } else {
            gemm(false, true, B, in, out, 1, dz, out, w, out, 0, dh, in); /* dL/dh[l-1] */
            act_grad(m->act, da, dh, a, m->h[l - 1], n);
        }
        float* dpre = da;
        if (m->layernorm) {
            memset(dh, 0, n * sizeof(float));
            acrl_layernorm_backward(dh, grad ? grad + m->g_off[l - 1] : NULL, grad ? grad + m->beta_off[l - 1] : NULL,
                                    da, pre, m->ln_mean[l - 1], m->ln_rstd[l - 1], p->param + m->g_off[l - 1], B,
                                    in);
            dpre = dh;
        }
        if (m->dropped) {
            const float* mask = m->mask[l - 1];
            for (size_t i = 0; i < n; i++) dpre[i] *= mask[i];
        }
        dz = dpre;
    }
}

/* after backward with a CNN front: din's extra columns += dxin's, and (when params) the CNN's
 * backward from the features' gradient, its input gradient into din's image columns */
static void cnn_back(acrl_mlp* m, acrl_params* p, float* din, bool params) {
    const int B = m->batch, img = m->img_dim, extra = m->in_dim - img, F = m->cnn->out_dim, W0 = m->sizes[0];
    if (din)
        for (int b = 0; b < B; b++) {
            float* d = din + (size_t)b * m->in_dim + img;
            const float* g = m->dxin + (size_t)b * W0 + F;
            for (int j = 0; j < extra; j++) d[j] += g[j];
        }
    if (!params) return;
    for (int b = 0; b < B; b++) memcpy(m->dfeat + (size_t)b * F, m->dxin + (size_t)b * W0, sizeof(float) * (size_t)F);
    if (!din || extra == 0) { acrl_cnn_backward(m->cnn, p, din, m->dfeat); return; }
    /* image columns interleaved with extra ones: the CNN's input gradient in its own rows */
    memset(m->dimg, 0, sizeof(float) * (size_t)B * img);
    acrl_cnn_backward(m->cnn, p, m->dimg, m->dfeat);
    for (int b = 0; b < B; b++) {
        float* d = din + (size_t)b * m->in_dim;
        const float* g = m->dimg + (size_t)b * img;
        for (int j = 0; j < img; j++) d[j] += g[j];
    }
}

void acrl_mlp_backward(acrl_mlp* m, acrl_params* p, float* din, const float* dout) {
    backward(m, p, p->grad, din, dout);
    if (m->cnn) cnn_back(m, p, din, true);
}

void acrl_mlp_backward_input(acrl_mlp* m, const acrl_params* p, float* din, const float* dout) {
    backward(m, p, NULL, din, dout);
    if (m->cnn && din) cnn_back(m, NULL, din, false);
}

int acrl_mlp_set_bf16(acrl_mlp* m, int min_width) {
    int n = 0;
    for (int l = 0; l < m->nlayers; l++) {
        m->bf16[l] = min_width > 0 && m->sizes[l] >= min_width && m->sizes[l + 1] >= min_width;
        n += m->bf16[l];
    }
    return n;
}

acrl_gemm_fn acrl_mlp_gemm(const acrl_mlp* m, int l) { return m->bf16[l] ? acrl_gemm_bf16 : acrl_gemm; }

void acrl_mlp_free(acrl_mlp* m) {
    for (int l = 0; l < ACRL_MLP_MAX_LAYERS; l++) {
        free(m->z[l]); free(m->h[l]); free(m->ln[l]); free(m->ln_mean[l]); free(m->ln_rstd[l]);
        free(m->mask[l]); free(m->dr[l]);
    }
    for (int i = 0; i < 3; i++) free(m->d[i]);
    if (m->cnn) acrl_cnn_free(m->cnn);
    free(m->cnn);
    free(m->img); free(m->dimg); free(m->xin); free(m->dxin); free(m->dfeat);
    memset(m, 0, sizeof *m);
}
