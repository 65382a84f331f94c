/* Flat parameter stores: declaration, allocation, copies, Polyak averaging, gradient
 * clipping, the optimizers over the flat buffers, and learning-rate schedules. */
#include "acrl/nn.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void acrl_params_init(acrl_params* p) { memset(p, 0, sizeof *p); }

size_t acrl_params_add(acrl_params* p, const char* name, int rows, int cols) {
    if (p->finalized || rows <= 0 || cols <= 0) return SIZE_MAX;
    if (p->ntensors == p->cap) {
        int cap = p->cap ? 2 * p->cap : 16;
        acrl_tensor* t = realloc(p->tensors, (size_t)cap * sizeof *t);
        if (!t) return SIZE_MAX;
        p->tensors = t;
        p->cap = cap;
    }
    acrl_tensor* t = &p->tensors[p->ntensors++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->offset = p->count;
    t->rows = rows;
    t->cols = cols;
    /* keep every tensor 16-float (64-byte) aligned for the vector kernels */
    p->count += ((size_t)rows * (size_t)cols + 15) & ~(size_t)15;
    return t->offset;
}

static float* alloc_zero(size_t n) {
    void* x = NULL;
    if (posix_memalign(&x, 64, (n ? n : 1) * sizeof(float))) return NULL;
    memset(x, 0, (n ? n : 1) * sizeof(float));
    return x;
}

int acrl_params_finalize(acrl_params* p, char* err, size_t errlen) {
    if (p->finalized) { snprintf(err, errlen, "params: store already finalized"); return -1; }
    p->param = alloc_zero(p->count);
    p->grad = alloc_zero(p->count);
    p->m = alloc_zero(p->count);
    p->v = alloc_zero(p->count);
    if (!p->param || !p->grad || !p->m || !p->v) {
        snprintf(err, errlen, "params: out of memory allocating %zu floats (x4)", p->count);
        free(p->param); free(p->grad); free(p->m); free(p->v);
        p->param = p->grad = p->m = p->v = NULL;
        return -1;
    }
    p->finalized = true;
    p->step = 0;
    return 0;
}

void acrl_params_free(acrl_params* p) {
    free(p->param); free(p->grad); free(p->m); free(p->v);
    free(p->tensors);
    memset(p, 0, sizeof *p);
}

const acrl_tensor* acrl_params_find(const acrl_params* p, const char* name) {
    for (int i = 0; i < p->ntensors; i++)
        if (strcmp(p->tensors[i].name, name) == 0) return &p->tensors[i];
    return NULL;
}

bool acrl_params_same_layout(const acrl_params* a, const acrl_params* b) {
    if (a->count != b->count || a->ntensors != b->ntensors) return false;
    for (int i = 0; i < a->ntensors; i++) {
        const acrl_tensor *x = &a->tensors[i], *y = &b->tensors[i];
        if (x->offset != y->offset || x->rows != y->rows || x->cols != y->cols || strcmp(x->name, y->name))
            return false;
    }
    return true;
}

void acrl_params_zero_grad(acrl_params* p) { memset(p->grad, 0, p->count * sizeof(float)); }

static int check_pair(const acrl_params* dst, const acrl_params* src, const char* what, char* err, size_t errlen) {
    if (!dst->finalized || !src->finalized) { snprintf(err, errlen, "%s: store not finalized", what); return -1; }
    if (!acrl_params_same_layout(dst, src)) {
        snprintf(err, errlen, "%s: stores differ in layout (%d tensors/%zu floats vs %d/%zu)", what,
                 dst->ntensors, dst->count, src->ntensors, src->count);
        return -1;
    }
    return 0;
}

int acrl_params_copy(acrl_params* dst, const acrl_params* src, char* err, size_t errlen) {
    if (check_pair(dst, src, "params_copy", err, errlen)) return -1;
    memcpy(dst->param, src->param, src->count * sizeof(float));
    return 0;
}

int acrl_params_polyak(acrl_params* dst, const acrl_params* src, float tau, char* err, size_t errlen) {
    if (check_pair(dst, src, "params_polyak", err, errlen)) return -1;
    float* restrict d = dst->param;
    const float* restrict s = src->param;
    for (size_t i = 0; i < dst->count; i++) d[i] = d[i] * (1 - tau) + tau * s[i];
    return 0;
}

/* sum of squares of x (n) in double: 16 independent accumulators over blocks of 16 (a fixed
 * order, so the result does not depend on the machine's vector width), then the tail */
static double sum_squares(const float* restrict x, size_t n) {
    double acc[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int l = 0; l < 16; l++) acc[l] += (double)x[i + l] * x[i + l];
    double s = 0;
    for (int l = 0; l < 16; l++) s += acc[l];
    for (; i < n; i++) s += (double)x[i] * x[i];
    return s;
}

float acrl_params_clip_grad_norm(acrl_params* p, float max_norm) {
    float norm = (float)sqrt(sum_squares(p->grad, p->count));
    float coef = max_norm / (norm + 1e-6f);
    if (coef < 1)
        for (size_t i = 0; i < p->count; i++) p->grad[i] *= coef;
    return norm;
}

size_t acrl_params_bytes(const acrl_params* p) { return p->count * sizeof(float); }

bool acrl_all_finite(const float* x, size_t n) {
    /* x * 0 is 0 for finite x and NaN for NaN/Inf: one branch-free pass */
    float acc = 0;
    for (size_t i = 0; i < n; i++) acc += x[i] * 0.0f;
    return acc == 0;
}

/* ---- optimizers (torch.optim semantics, single-tensor path) ---------------------- */

acrl_optim acrl_optim_default(acrl_opt_kind kind) {
    acrl_optim o = {kind, 1e-3f, 0.9f, 0.999f, 0.99f, 1e-8f, 0};
    if (kind == ACRL_OPT_ADAMW) o.weight_decay = 1e-2f;
    if (kind == ACRL_OPT_RMSPROP) o.lr = 1e-2f;
    return o;
}

void acrl_optim_step(const acrl_optim* o, acrl_params* p, float lr) {
    float* restrict w = p->param;
    const float* restrict g = p->grad;
    float* restrict m = p->m;
    float* restrict v = p->v;
    const size_t n = p->count;
    const float wd = o->weight_decay, eps = o->eps;
    p->step++;
    if (o->kind == ACRL_OPT_RMSPROP) {
        /* sq = alpha sq + (1-alpha) g^2; w -= lr g / (sqrt(sq) + eps) */
        const float a = o->alpha;
        for (size_t i = 0; i < n; i++) {
            float gi = wd != 0 ? g[i] + wd * w[i] : g[i];
            m[i] = m[i] * a + (1 - a) * gi * gi;
            w[i] -= lr * gi / (sqrtf(m[i]) + eps);
        }
        return;
    }
    const float b1 = o->beta1, b2 = o->beta2;
    const double bc1 = 1 - pow(b1, (double)p->step), bc2 = 1 - pow(b2, (double)p->step);
    /* sqrt(v) / sqrt(bc2) as a product with the reciprocal: one division per element fewer
     * than PyTorch's formula, equal within float rounding */
    const float step_size = (float)(lr / bc1), inv_bc2_sqrt = (float)(1 / sqrt(bc2));
    const float decay = o->kind == ACRL_OPT_ADAMW ? 1 - lr * wd : 1; /* decoupled weight decay */
    const float l2 = o->kind == ACRL_OPT_ADAMW ? 0 : wd;              /* L2 penalty in the gradient */
    if (decay == 1 && l2 == 0) {
        for (size_t i = 0; i < n; i++) { /* plain Adam, the common case, without the decay terms */
            float gi = g[i];
            m[i] = m[i] * b1 + (1 - b1) * gi;
            v[i] = v[i] * b2 + (1 - b2) * gi * gi;
            w[i] -= step_size * (m[i] / (sqrtf(v[i]) * inv_bc2_sqrt + eps));
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] + l2 * w[i];
        w[i] *= decay;
        m[i] = m[i] * b1 + (1 - b1) * gi;
        v[i] = v[i] * b2 + (1 - b2) * gi * gi;
        w[i] -= step_size * (m[i] / (sqrtf(v[i]) * inv_bc2_sqrt + eps));
    }
}

float acrl_lr_schedule(acrl_lr_kind kind, float lr0, float progress) {
    if (kind == ACRL_LR_LINEAR) {
        float frac = 1 - progress;
        return lr0 * (frac < 0 ? 0 : frac);
    }
    return lr0;
}
