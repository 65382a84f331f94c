/* test_conv: the 2-D convolution and the CNN stack against PyTorch 1.13 float32 values in
 * fixtures/conv_torch.txt (made by gen_conv_torch.py: two Conv2d layers, stride 1 and 2,
 * padding 1, tanh; output, input and parameter gradients) and fixtures/conv_pool_torch.txt
 * (the same with MaxPool2d(2) and MaxPool2d(3) after the activations, on odd sizes), and
 * against central finite differences in double precision on a layer with kernel 2, stride 2,
 * no padding. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/nn.h"
#include "test.h"

typedef struct { char name[16]; int n; float* v; } record;
static record recs[16];
static int nrecs;

static const float* get(const char* name, int n) {
    for (int i = 0; i < nrecs; i++)
        if (strcmp(recs[i].name, name) == 0) {
            if (recs[i].n != n) { printf("  record %s has %d values, want %d\n", name, recs[i].n, n); exit(1); }
            return recs[i].v;
        }
    printf("  fixture has no record %s\n", name);
    exit(1);
}

static double maxdiff(const float* a, const float* b, int n) {
    double m = 0;
    for (int i = 0; i < n; i++) m = fmax(m, fabs((double)a[i] - b[i]) / (1 + fabs((double)b[i])));
    return m;
}

/* Reads a fixture into recs (replacing what was there); -1 if it cannot. */
static int load(const char* path) {
    for (int i = 0; i < nrecs; i++) free(recs[i].v);
    nrecs = 0;
    FILE* f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f) return -1;
    char name[16];
    int n;
    while (nrecs < 16 && fscanf(f, "%15s %d", name, &n) == 2) {
        record* r = &recs[nrecs++];
        snprintf(r->name, sizeof r->name, "%s", name);
        r->n = n;
        r->v = malloc((size_t)n * sizeof(float));
        for (int i = 0; i < n; i++)
            if (fscanf(f, "%f", &r->v[i]) != 1) { fclose(f); CHECK(0); return -1; }
    }
    fclose(f);
    return 0;
}

/* The two-conv stack m (built, store p finalized) with the fixture's weights: its output for
 * input x (nx floats, batch 2) against y (ny), then the input and parameter gradients of
 * sum(out * g) into dx (zeroed here) against PyTorch's. */
static void compare_stack(acrl_cnn* m, acrl_params* p, int nx, int ny, float* dx, const char* tag) {
    const int nw0 = m->c[1] * m->c[0] * m->k[0] * m->k[0], nw1 = m->c[2] * m->c[1] * m->k[1] * m->k[1];
    memcpy(p->param + m->w_off[0], get("w0", nw0), (size_t)nw0 * sizeof(float));
    memcpy(p->param + m->b_off[0], get("b0", m->c[1]), (size_t)m->c[1] * sizeof(float));
    memcpy(p->param + m->w_off[1], get("w1", nw1), (size_t)nw1 * sizeof(float));
    memcpy(p->param + m->b_off[1], get("b1", m->c[2]), (size_t)m->c[2] * sizeof(float));
    char label[96];
    const float* y = acrl_cnn_forward(m, p, get("x", nx), 2);
    snprintf(label, sizeof label, "%sCNN output vs PyTorch", tag);
    CHECK_MAXDIFF(label, maxdiff(y, get("y", ny), ny), 1e-6);
    memset(dx, 0, (size_t)nx * sizeof(float));
    acrl_params_zero_grad(p);
    acrl_cnn_backward(m, p, dx, get("g", ny));
    const char* names[5] = {"dx", "dw0", "db0", "dw1", "db1"};
    const char* what[5] = {"input gradient", "conv 1 weight gradient", "conv 1 bias gradient",
                           "conv 2 weight gradient", "conv 2 bias gradient"};
    const float* got[5] = {dx, p->grad + m->w_off[0], p->grad + m->b_off[0], p->grad + m->w_off[1],
                           p->grad + m->b_off[1]};
    const int n[5] = {nx, nw0, m->c[1], nw1, m->c[2]};
    for (int i = 0; i < 5; i++) {
        snprintf(label, sizeof label, "%s%s", tag, what[i]);
        CHECK_MAXDIFF(label, maxdiff(got[i], get(names[i], n[i]), n[i]), 1e-5);
    }
}

/* Max-pooling in the stack: Conv(2->3, k 3) tanh MaxPool(2), Conv(3->4, k 3) tanh MaxPool(3)
 * on (2, 2, 9, 8): 9x8 -> 4x4 -> 1x1. */
static void test_torch_pool(void) {
    if (load("fixtures/conv_pool_torch.txt")) return;
    acrl_params p;
    acrl_params_init(&p);
    acrl_cnn m;
    char err[256];
    const int ch[2] = {3, 4}, ks[2] = {3, 3}, pools[2] = {2, 3};
    CHECK(acrl_cnn_build(&m, &p, "cnn", 2, 9, 8, ch, ks, NULL, pools, 2, "tanh", 2, err, sizeof err) == 0);
    CHECK(acrl_params_finalize(&p, err, sizeof err) == 0);
    CHECK(m.zh[0] == 9 && m.zw[0] == 8 && m.h[1] == 4 && m.w[1] == 4 && m.h[2] == 1 && m.w[2] == 1 && m.out_dim == 4);
    float dx[288];
    compare_stack(&m, &p, 288, 8, dx, "pooled: ");
    /* refusals: a pool window larger than the map */
    acrl_cnn bad;
    acrl_params q;
    acrl_params_init(&q);
    const int big[2] = {2, 5};
    CHECK(acrl_cnn_build(&bad, &q, "cnn", 2, 9, 8, ch, ks, NULL, big, 2, "tanh", 2, err, sizeof err) == -1);
    CHECK(strstr(err, "pooling") != NULL);
    printf("  pool 5 on a 4x4 map: %s\n", err);
    acrl_params_free(&q);
    acrl_cnn_free(&m);
    acrl_params_free(&p);
}

static void test_torch(void) {
    if (load("fixtures/conv_torch.txt")) return;
    acrl_params p;
    acrl_params_init(&p);
    acrl_cnn m;
    char err[256];
    const int ch[2] = {3, 4}, ks[2] = {3, 3}, st[2] = {1, 2};
    CHECK(acrl_cnn_build(&m, &p, "cnn", 2, 7, 5, ch, ks, st, NULL, 2, "tanh", 2, err, sizeof err) == 0);
    CHECK(acrl_params_finalize(&p, err, sizeof err) == 0);
    CHECK(m.h[2] == 4 && m.w[2] == 3 && m.out_dim == 4 * 4 * 3);
    float dx[140];
    compare_stack(&m, &p, 140, 96, dx, "");
    /* backward accumulates into din */
    acrl_cnn_backward(&m, &p, dx, get("g", 96));
    float twice[140];
    for (int i = 0; i < 140; i++) twice[i] = 2 * get("dx", 140)[i];
    CHECK_MAXDIFF("din accumulates", maxdiff(dx, twice, 140), 1e-5);
    acrl_cnn_free(&m);
    acrl_params_free(&p);
}

/* L(x, w, b) = sum(conv(x) * g) in double via the float layer on exact small values */
static double loss(const float* x, const float* w, const float* b, const float* g, int B, int Ci, int H, int W,
                   int Co, int k, int s, int pd, float* y, float* col) {
    acrl_conv2d_forward(y, x, w, b, B, Ci, H, W, Co, k, s, pd, col);
    int n = B * Co * acrl_conv2d_out(H, k, s, pd) * acrl_conv2d_out(W, k, s, pd);
    double L = 0;
    for (int i = 0; i < n; i++) L += (double)y[i] * g[i];
    return L;
}

static void test_fd(void) {
    enum { B = 2, Ci = 3, H = 6, W = 5, Co = 2, K = 2, S = 2, PD = 0 };
    const int Ho = acrl_conv2d_out(H, K, S, PD), Wo = acrl_conv2d_out(W, K, S, PD);
    CHECK(Ho == 3 && Wo == 2);
    float x[B * Ci * H * W], w[Co * Ci * K * K], b[Co], g[B * Co * 3 * 2], y[B * Co * 3 * 2], col[Ci * K * K * 3 * 2];
    acrl_rng r;
    acrl_rng_seed(&r, 5);
    for (size_t i = 0; i < sizeof x / sizeof *x; i++) x[i] = (float)acrl_rng_uniform(&r, -1, 1);
    for (size_t i = 0; i < sizeof w / sizeof *w; i++) w[i] = (float)acrl_rng_uniform(&r, -1, 1);
    for (size_t i = 0; i < sizeof b / sizeof *b; i++) b[i] = (float)acrl_rng_uniform(&r, -1, 1);
    for (size_t i = 0; i < sizeof g / sizeof *g; i++) g[i] = (float)acrl_rng_uniform(&r, -1, 1);
    float dx[sizeof x / sizeof *x], dw[sizeof w / sizeof *w], db[Co];
    memset(dx, 0, sizeof dx);
    memset(dw, 0, sizeof dw);
    memset(db, 0, sizeof db);
    acrl_conv2d_backward(dx, dw, db, g, x, w, B, Ci, H, W, Co, K, S, PD, col);
    /* L is linear in each variable: a central difference with step 0.5 is exact up to rounding */
    double m = 0;
    float* vars[3] = {x, w, b};
    float* grads[3] = {dx, dw, db};
    int ns[3] = {(int)(sizeof x / sizeof *x), (int)(sizeof w / sizeof *w), Co};
    for (int v = 0; v < 3; v++)
        for (int i = 0; i < ns[v]; i++) {
            float keep = vars[v][i];
            vars[v][i] = keep + 0.5f;
            double lp = loss(x, w, b, g, B, Ci, H, W, Co, K, S, PD, y, col);
            vars[v][i] = keep - 0.5f;
            double lm = loss(x, w, b, g, B, Ci, H, W, Co, K, S, PD, y, col);
            vars[v][i] = keep;
            m = fmax(m, fabs((lp - lm) - grads[v][i]));
        }
    CHECK_MAXDIFF("conv gradients vs central differences (x, w, b)", m, 1e-5);
    /* stride 2 with k 2 and no padding: pixels of odd rows beyond Ho * 2 get no gradient */
    for (int n = 0; n < B; n++)
        for (int c = 0; c < Ci; c++)
            for (int xx = 0; xx < W; xx++) {
                if (xx >= 4) CHECK(dx[((n * Ci + c) * H + 0) * W + xx] == 0);
            }
}

int main(void) {
    test_torch();
    test_torch_pool();
    for (int i = 0; i < nrecs; i++) free(recs[i].v);
    test_fd();
    return test_summary("test_conv");
}
