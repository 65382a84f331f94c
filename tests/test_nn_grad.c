/* test_nn_grad: analytic gradients of every layer, loss and a whole MLP (float32) against
 * central finite differences of a double-precision reference forward written here; also
 * orthogonal init (W W^T = gain^2 I), one optimizer step against hand-derived formulas,
 * and the store's copy / Polyak / clipping / schedule / finiteness helpers. */
#include "acrl/nn.h"
#include "test.h"

#include <string.h>

/* A scalar function of n doubles; the checks differentiate it numerically. */
typedef double (*scalar_fn)(const double* th, const void* ctx);

/* max over i of |analytic - numeric| / max(|numeric|, 1e-2 * max|numeric|, 1e-6) */
static double fd_check(const char* name, scalar_fn f, const void* ctx, const float* theta, int n,
                       const float* analytic, double tol) {
    double* th = malloc((size_t)n * sizeof(double));
    double* num = malloc((size_t)n * sizeof(double));
    for (int i = 0; i < n; i++) th[i] = theta[i];
    double scale = 0;
    for (int i = 0; i < n; i++) {
        const double h = 1e-6 * (1 + fabs(th[i])), keep = th[i];
        th[i] = keep + h; double fp = f(th, ctx);
        th[i] = keep - h; double fm = f(th, ctx);
        th[i] = keep;
        num[i] = (fp - fm) / (2 * h);
        if (fabs(num[i]) > scale) scale = fabs(num[i]);
    }
    double worst = 0;
    for (int i = 0; i < n; i++) {
        double den = fmax(fabs(num[i]), fmax(1e-2 * scale, 1e-6));
        double e = fabs(analytic[i] - num[i]) / den;
        if (!(e <= worst)) worst = e;
    }
    char label[96];
    snprintf(label, sizeof label, "%s (rel err, %d grads)", name, n);
    CHECK_MAXDIFF(label, worst, tol);
    free(th);
    free(num);
    return worst;
}

static void fill(float* x, int n, double lo, double hi, acrl_rng* r) {
    for (int i = 0; i < n; i++) x[i] = (float)acrl_rng_uniform(r, lo, hi);
}

/* ---- double reference forwards ---------------------------------------------------- */

static double act_d(acrl_act a, double x) {
    switch (a) {
    case ACRL_ACT_TANH: return tanh(x);
    case ACRL_ACT_RELU: return x > 0 ? x : 0;
    case ACRL_ACT_ELU: return x > 0 ? x : exp(x) - 1;
    case ACRL_ACT_GELU: return 0.5 * x * (1 + erf(x / sqrt(2.0)));
    case ACRL_ACT_GELU_TANH: return 0.5 * x * (1 + tanh(sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
    default: return x;
    }
}

/* y (B, out) = x (B, in) w (in, out) + b */
static void linear_d(double* y, const double* x, const double* w, const double* b, int B, int in, int out) {
    for (int i = 0; i < B; i++)
        for (int j = 0; j < out; j++) {
            double s = b ? b[j] : 0;
            for (int k = 0; k < in; k++) s += x[i * in + k] * w[k * out + j];
            y[i * out + j] = s;
        }
}

static void layernorm_d(double* y, const double* x, const double* g, const double* b, int B, int C) {
    for (int i = 0; i < B; i++) {
        double mu = 0, var = 0;
        for (int j = 0; j < C; j++) mu += x[i * C + j];
        mu /= C;
        for (int j = 0; j < C; j++) var += (x[i * C + j] - mu) * (x[i * C + j] - mu);
        var /= C;
        for (int j = 0; j < C; j++) y[i * C + j] = (x[i * C + j] - mu) / sqrt(var + 1e-5) * g[j] + b[j];
    }
}

static double weighted_sum(const double* y, const float* w, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += y[i] * w[i];
    return s;
}

/* ---- per-layer contexts ----------------------------------------------------------- */

typedef struct { int B, in, out; const float* wt; } linear_ctx; /* th = [x, w, b] */
static double linear_f(const double* th, const void* c) {
    const linear_ctx* k = c;
    double y[64];
    linear_d(y, th, th + k->B * k->in, th + k->B * k->in + k->in * k->out, k->B, k->in, k->out);
    return weighted_sum(y, k->wt, k->B * k->out);
}

typedef struct { acrl_act act; int n; const float* wt; } act_ctx; /* th = x */
static double act_f(const double* th, const void* c) {
    const act_ctx* k = c;
    double s = 0;
    for (int i = 0; i < k->n; i++) s += act_d(k->act, th[i]) * k->wt[i];
    return s;
}

typedef struct { int B, C; const float* wt; } ln_ctx; /* th = [x, g, b] */
static double ln_f(const double* th, const void* c) {
    const ln_ctx* k = c;
    double y[64];
    layernorm_d(y, th, th + k->B * k->C, th + k->B * k->C + k->C, k->B, k->C);
    return weighted_sum(y, k->wt, k->B * k->C);
}

typedef struct { int n; const float* mask; const float* wt; } dropout_ctx; /* th = x */
static double dropout_f(const double* th, const void* c) {
    const dropout_ctx* k = c;
    double s = 0;
    for (int i = 0; i < k->n; i++) s += th[i] * k->mask[i] * k->wt[i];
    return s;
}

typedef struct { int n; const float* target; float delta; } loss_ctx; /* th = pred; delta 0: MSE */
static double loss_f(const double* th, const void* c) {
    const loss_ctx* k = c;
    double s = 0;
    for (int i = 0; i < k->n; i++) {
        double d = th[i] - k->target[i], ad = fabs(d);
        if (k->delta == 0) s += d * d;
        else s += ad < k->delta ? 0.5 * d * d : k->delta * (ad - 0.5 * k->delta);
    }
    return s / k->n;
}

typedef struct { const acrl_mlp* m; int B; const float* wt; } mlp_ctx; /* th = [x, store params] */
static double mlp_f(const double* th, const void* c) {
    const mlp_ctx* k = c;
    const acrl_mlp* m = k->m;
    const double* p = th + k->B * m->sizes[0];
    double a[2][512], z[512];
    memcpy(a[0], th, sizeof(double) * (size_t)(k->B * m->sizes[0]));
    int cur = 0;
    for (int l = 0; l < m->nlayers; l++) {
        const int in = m->sizes[l], out = m->sizes[l + 1];
        linear_d(z, a[cur], p + m->w_off[l], p + m->b_off[l], k->B, in, out);
        if (l == m->nlayers - 1) return weighted_sum(z, k->wt, k->B * out);
        if (m->dropped) /* the masks of the last training forward, held fixed */
            for (int i = 0; i < k->B * out; i++) z[i] *= m->mask[l][i];
        if (m->layernorm) {
            double t[512];
            layernorm_d(t, z, p + m->g_off[l], p + m->beta_off[l], k->B, out);
            memcpy(z, t, sizeof(double) * (size_t)(k->B * out));
        }
        for (int i = 0; i < k->B * out; i++) a[1 - cur][i] = act_d(m->act, z[i]);
        cur = 1 - cur;
    }
    return 0;
}

/* ---- checks ----------------------------------------------------------------------- */

static void check_linear(acrl_rng* r) {
    enum { B = 4, IN = 7, OUT = 5, NX = B * IN, NW = IN * OUT };
    float th[NX + NW + OUT], g[NX + NW + OUT], y[B * OUT], wt[B * OUT];
    fill(th, NX + NW + OUT, -1, 1, r);
    fill(wt, B * OUT, -1, 1, r);
    memset(g, 0, sizeof g);
    acrl_linear_forward(y, th, th + NX, th + NX + NW, B, IN, OUT);
    acrl_linear_backward(g, g + NX, g + NX + NW, wt, th, th + NX, B, IN, OUT);
    linear_ctx c = {B, IN, OUT, wt};
    fd_check("linear: dx, dw, db", linear_f, &c, th, NX + NW + OUT, g, 1e-3);
    /* the forward value against the double reference */
    double xd[NX + NW + OUT], yd[B * OUT];
    for (int i = 0; i < NX + NW + OUT; i++) xd[i] = th[i];
    linear_d(yd, xd, xd + NX, xd + NX + NW, B, IN, OUT);
    double md = 0;
    for (int i = 0; i < B * OUT; i++) md = fmax(md, fabs(y[i] - yd[i]));
    CHECK_MAXDIFF("linear forward vs double", md, 1e-5);
}

static void check_acts(acrl_rng* r) {
    const char* names[] = {"tanh", "relu", "elu", "gelu", "gelu_tanh", "none"};
    enum { N = 40 };
    for (int a = 0; a < 6; a++) {
        acrl_act act;
        char err[128];
        CHECK(acrl_act_parse(&act, names[a], err, sizeof err) == 0);
        float x[N], y[N], g[N], wt[N];
        fill(x, N, -3, 3, r);
        fill(wt, N, -1, 1, r);
        memset(g, 0, sizeof g);
        acrl_act_forward(act, y, x, N);
        acrl_act_backward(act, g, wt, x, y, N);
        double md = 0;
        for (int i = 0; i < N; i++) md = fmax(md, fabs(y[i] - act_d(act, x[i])));
        char label[64];
        snprintf(label, sizeof label, "%s forward vs double", names[a]);
        CHECK_MAXDIFF(label, md, 1e-6);
        act_ctx c = {act, N, wt};
        snprintf(label, sizeof label, "%s: dx", names[a]);
        fd_check(label, act_f, &c, x, N, g, 1e-3);
    }
    acrl_act act;
    char err[128];
    CHECK(acrl_act_parse(&act, "sigmoid", err, sizeof err) == -1);
    CHECK(strstr(err, "tanh") && strstr(err, "relu") && strstr(err, "gelu"));
    printf("  unknown activation message: %s\n", err);
}

static void check_layernorm(acrl_rng* r) {
    enum { B = 3, C = 9, NX = B * C };
    float th[NX + 2 * C], g[NX + 2 * C], y[NX], wt[NX], mean[B], rstd[B];
    fill(th, NX, -2, 2, r);
    fill(th + NX, C, 0.5, 1.5, r);
    fill(th + NX + C, C, -0.5, 0.5, r);
    fill(wt, NX, -1, 1, r);
    memset(g, 0, sizeof g);
    acrl_layernorm_forward(y, mean, rstd, th, th + NX, th + NX + C, B, C);
    acrl_layernorm_backward(g, g + NX, g + NX + C, wt, th, mean, rstd, th + NX, B, C);
    ln_ctx c = {B, C, wt};
    fd_check("layernorm: dx, dgain, dbias", ln_f, &c, th, NX + 2 * C, g, 1e-3);
}

static void check_dropout(acrl_rng* r) {
    enum { N = 50 };
    float x[N], y[N], mask[N], g[N], wt[N];
    fill(x, N, -1, 1, r);
    fill(wt, N, -1, 1, r);
    memset(g, 0, sizeof g);
    acrl_dropout_forward(y, mask, x, 0.3f, true, r, N);
    int zeros = 0;
    bool ok = true;
    for (int i = 0; i < N; i++) {
        zeros += mask[i] == 0;
        ok = ok && (mask[i] == 0 || fabsf(mask[i] - 1 / 0.7f) < 1e-6f) && y[i] == x[i] * mask[i];
    }
    CHECK(ok);
    CHECK(zeros > 5 && zeros < 30);
    acrl_dropout_backward(g, wt, mask, N);
    dropout_ctx c = {N, mask, wt};
    fd_check("dropout (fixed mask): dx", dropout_f, &c, x, N, g, 1e-3);
    acrl_dropout_forward(y, mask, x, 0.3f, false, r, N);
    ok = true;
    for (int i = 0; i < N; i++) ok = ok && y[i] == x[i] && mask[i] == 1;
    CHECK(ok);
    /* the drop rate, and independence of neighbours (the gaps are geometric), on 2e6 units */
    enum { M = 2000000 };
    float* xs = malloc(sizeof(float) * M);
    float* ms = malloc(sizeof(float) * M);
    const float ps[3] = {0.01f, 0.3f, 0.9f};
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < M; i++) xs[i] = 1;
        acrl_dropout_forward(xs, ms, xs, ps[k], true, r, M);
        long z = 0, zz = 0;
        for (int i = 0; i < M; i++) {
            z += ms[i] == 0;
            zz += i > 0 && ms[i] == 0 && ms[i - 1] == 0;
        }
        double rate = (double)z / M, pair = (double)zz / (M - 1), sd = sqrt(ps[k] * (1 - ps[k]) / M);
        printf("  dropout p %.2f: rate %.5f (sd %.5f), both neighbours dropped %.5f (p^2 %.5f)\n", ps[k], rate, sd,
               pair, (double)ps[k] * ps[k]);
        CHECK(fabs(rate - ps[k]) < 5 * sd);
        CHECK(fabs(pair - (double)ps[k] * ps[k]) < 5 * sqrt((double)ps[k] * ps[k] / M) + 1e-9);
    }
    free(xs);
    free(ms);
}

static void check_losses(acrl_rng* r) {
    enum { N = 12 };
    float pred[N], target[N], g[N];
    fill(pred, N, -2, 2, r);
    fill(target, N, -2, 2, r);
    for (int k = 0; k < 2; k++) {
        loss_ctx c = {N, target, k ? 0.7f : 0};
        memset(g, 0, sizeof g);
        float v = k ? acrl_huber_loss(g, pred, target, 0.7f, N) : acrl_mse_loss(g, pred, target, N);
        double th[N];
        for (int i = 0; i < N; i++) th[i] = pred[i];
        CHECK_NEAR(v, loss_f(th, &c), 1e-6);
        fd_check(k ? "huber (delta 0.7): dpred" : "mse: dpred", loss_f, &c, pred, N, g, 1e-3);
    }
    int inside = 0;
    for (int i = 0; i < N; i++) inside += fabsf(pred[i] - target[i]) < 0.7f;
    CHECK(inside > 0 && inside < N); /* both Huber branches exercised */
}

static void check_mlp(acrl_rng* r, const char* act, bool layernorm, float dropout) {
    enum { B = 5 };
    const int sizes[] = {6, 10, 9, 4};
    acrl_params p;
    acrl_params_init(&p);
    acrl_mlp m;
    char err[256];
    CHECK(acrl_mlp_build(&m, &p, "q", sizes, 4, act, layernorm, B, err, sizeof err) == 0);
    CHECK(acrl_params_finalize(&p, err, sizeof err) == 0);
    acrl_mlp_init(&m, &p, ACRL_INIT_TORCH, 1, 1, r);
    CHECK(acrl_mlp_set_dropout(&m, dropout, err, sizeof err) == 0);
    if (layernorm)
        for (int l = 0; l < 2; l++) {
            fill(p.param + m.g_off[l], sizes[l + 1], 0.5, 1.5, r);
            fill(p.param + m.beta_off[l], sizes[l + 1], -0.3, 0.3, r);
        }
    const int nx = B * sizes[0], n = nx + (int)p.count;
    float* th = calloc((size_t)n, sizeof(float));
    float* g = calloc((size_t)n, sizeof(float));
    float wt[B * 4];
    fill(th, nx, -1.5, 1.5, r);
    fill(wt, B * 4, -1, 1, r);
    memcpy(th + nx, p.param, p.count * sizeof(float));
    acrl_params_zero_grad(&p);
    acrl_mlp_forward_train(&m, &p, th, B, r); /* = acrl_mlp_forward without dropout */
    acrl_mlp_backward(&m, &p, g, wt);
    memcpy(g + nx, p.grad, p.count * sizeof(float));
    mlp_ctx c = {&m, B, wt};
    char label[80];
    snprintf(label, sizeof label, "mlp %s%s%s: dinput + all params", dropout > 0 ? "dropout+" : "",
             layernorm ? "layernorm+" : "", act);
    fd_check(label, mlp_f, &c, th, n, g, 1e-3);
    if (dropout > 0) { /* some units dropped, the others scaled by 1 / (1 - p) */
        int zeros = 0, kept = 0;
        for (int l = 0; l < 2; l++)
            for (int i = 0; i < B * sizes[l + 1]; i++) {
                zeros += m.mask[l][i] == 0;
                kept += m.mask[l][i] == 1 / (1 - dropout);
            }
        CHECK(zeros > 0 && kept > 0 && zeros + kept == B * (sizes[1] + sizes[2]));
    }
    /* the input-only backward gives the same input gradient and leaves the parameters' alone */
    float* din = calloc((size_t)nx, sizeof(float));
    float* gsave = malloc(p.count * sizeof(float));
    memcpy(gsave, p.grad, p.count * sizeof(float));
    acrl_mlp_backward_input(&m, &p, din, wt);
    double mi = 0;
    for (int i = 0; i < nx; i++) mi = fmax(mi, fabs(din[i] - g[i]));
    CHECK_MAXDIFF("mlp backward_input = backward's dinput", mi, 0);
    CHECK(memcmp(gsave, p.grad, p.count * sizeof(float)) == 0);
    free(din);
    free(gsave);
    /* backward accumulates: a second backward doubles the gradient */
    acrl_mlp_backward(&m, &p, NULL, wt);
    double md = 0;
    for (size_t i = 0; i < p.count; i++) md = fmax(md, fabs(p.grad[i] - 2 * g[nx + i]));
    CHECK_MAXDIFF("mlp backward accumulates (2x grad)", md, 1e-6);
    free(th);
    free(g);
    acrl_mlp_free(&m);
    acrl_params_free(&p);
}

static void check_orthogonal(acrl_rng* r) {
    const int shapes[][2] = {{8, 5}, {5, 8}, {6, 6}, {64, 17}};
    for (int s = 0; s < 4; s++) {
        const int rows = shapes[s][0], cols = shapes[s][1], k = rows < cols ? rows : cols;
        const float gain = 1.41421356f;
        float* w = malloc((size_t)rows * cols * sizeof(float));
        acrl_init_orthogonal(w, rows, cols, gain, r);
        /* Gram matrix of the shorter side: W W^T if wide, W^T W if tall */
        double md = 0;
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++) {
                double dot = 0;
                if (rows < cols) for (int j = 0; j < cols; j++) dot += (double)w[a * cols + j] * w[b * cols + j];
                else for (int i = 0; i < rows; i++) dot += (double)w[i * cols + a] * w[i * cols + b];
                md = fmax(md, fabs(dot - (a == b ? (double)gain * gain : 0)));
            }
        char label[64];
        snprintf(label, sizeof label, "orthogonal %dx%d: gram - gain^2 I", rows, cols);
        CHECK_MAXDIFF(label, md, 1e-5);
        free(w);
    }
}

static void check_optim(void) {
    acrl_params p;
    char err[256];
    acrl_params_init(&p);
    size_t off = acrl_params_add(&p, "w", 1, 3);
    CHECK(acrl_params_finalize(&p, err, sizeof err) == 0);
    const float w0[3] = {0.5f, -1.0f, 2.0f}, g0[3] = {0.1f, -0.2f, 0.0f}, g1[3] = {-0.3f, 0.4f, 0.5f};
    const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
    for (int kind = 0; kind < 3; kind++) {
        acrl_optim o = acrl_optim_default((acrl_opt_kind)kind);
        if (kind == ACRL_OPT_ADAMW) o.weight_decay = (float)wd;
        if (kind == ACRL_OPT_RMSPROP) o.eps = 1e-5f;
        memcpy(p.param + off, w0, sizeof w0);
        memset(p.m, 0, p.count * sizeof(float));
        memset(p.v, 0, p.count * sizeof(float));
        p.step = 0;
        memcpy(p.grad + off, g0, sizeof g0);
        acrl_optim_step(&o, &p, (float)lr);
        memcpy(p.grad + off, g1, sizeof g1);
        acrl_optim_step(&o, &p, (float)lr);
        double md = 0;
        for (int i = 0; i < 3; i++) {
            double w = w0[i], m = 0, v = 0, want;
            for (int t = 1; t <= 2; t++) {
                double g = t == 1 ? g0[i] : g1[i];
                if (kind == ACRL_OPT_RMSPROP) {
                    v = 0.99 * v + 0.01 * g * g;
                    w -= lr * g / (sqrt(v) + 1e-5);
                    continue;
                }
                if (kind == ACRL_OPT_ADAMW) w *= 1 - lr * wd;
                m = b1 * m + (1 - b1) * g;
                v = b2 * v + (1 - b2) * g * g;
                double mh = m / (1 - pow(b1, t)), vh = v / (1 - pow(b2, t));
                w -= lr * mh / (sqrt(vh) + eps);
            }
            want = w;
            md = fmax(md, fabs(p.param[off + i] - want));
        }
        const char* names[] = {"adam: 2 steps vs formula", "adamw: 2 steps vs formula", "rmsprop: 2 steps vs formula"};
        CHECK_MAXDIFF(names[kind], md, 1e-6);
    }
    /* clip: norm of (3, 4) is 5; to max 1 -> scale 1/(5+1e-6) */
    p.grad[off] = 3; p.grad[off + 1] = 4; p.grad[off + 2] = 0;
    CHECK_NEAR(acrl_params_clip_grad_norm(&p, 1.0f), 5.0, 1e-6);
    CHECK_NEAR(p.grad[off + 1], 4 / (5 + 1e-6), 1e-6);
    CHECK_NEAR(acrl_params_clip_grad_norm(&p, 10.0f), 1.0, 1e-5); /* no scaling above */
    CHECK_NEAR(p.grad[off + 1], 4 / (5 + 1e-6), 1e-6);

    /* copy / polyak between stores of the same layout; a different layout is an error */
    acrl_params q, z;
    acrl_params_init(&q);
    acrl_params_add(&q, "w", 1, 3);
    CHECK(acrl_params_finalize(&q, err, sizeof err) == 0);
    acrl_params_init(&z);
    acrl_params_add(&z, "w", 3, 1);
    CHECK(acrl_params_finalize(&z, err, sizeof err) == 0);
    CHECK(acrl_params_copy(&q, &p, err, sizeof err) == 0);
    CHECK(memcmp(q.param, p.param, p.count * sizeof(float)) == 0);
    for (int i = 0; i < 3; i++) q.param[i] = 1.0f;
    for (int i = 0; i < 3; i++) p.param[i] = (float)i;
    CHECK(acrl_params_polyak(&q, &p, 0.005f, err, sizeof err) == 0);
    CHECK_NEAR(q.param[2], 0.995 * 1 + 0.005 * 2, 1e-7);
    CHECK(acrl_params_polyak(&z, &p, 0.5f, err, sizeof err) == -1);
    printf("  layout mismatch message: %s\n", err);
    CHECK(acrl_params_copy(&z, &p, err, sizeof err) == -1);
    CHECK(acrl_params_find(&p, "w") && acrl_params_find(&p, "w")->cols == 3 && !acrl_params_find(&p, "x"));
    CHECK(acrl_params_bytes(&p) == p.count * sizeof(float));
    acrl_params_free(&p);
    acrl_params_free(&q);
    acrl_params_free(&z);

    CHECK_NEAR(acrl_lr_schedule(ACRL_LR_CONSTANT, 3e-4f, 0.7f), 3e-4, 1e-9);
    CHECK_NEAR(acrl_lr_schedule(ACRL_LR_LINEAR, 3e-4f, 0.25f), 2.25e-4, 1e-9);
    CHECK_NEAR(acrl_lr_schedule(ACRL_LR_LINEAR, 3e-4f, 1.0f), 0, 1e-12);

    float x[5] = {1, -2, 3e38f, 0, 5};
    CHECK(acrl_all_finite(x, 5));
    x[3] = NAN;
    CHECK(!acrl_all_finite(x, 5));
    x[3] = INFINITY;
    CHECK(!acrl_all_finite(x, 5));
    x[3] = -INFINITY;
    CHECK(!acrl_all_finite(x, 5));
}

/* GELU's vectorized fast path against double-precision erf and against the libm reference
 * (acrl_gelu_ref_*) on a dense grid over [-12, 12] plus far values; NaN stays NaN. */
static void check_gelu_fast(void) {
    enum { N = 24001 + 6 };
    float* x = malloc(sizeof(float) * N);
    float* y = malloc(sizeof(float) * N);
    float* yr = malloc(sizeof(float) * N);
    float* g = calloc(N, sizeof(float));
    float* gr = calloc(N, sizeof(float));
    float* one = malloc(sizeof(float) * N);
    for (int i = 0; i < 24001; i++) x[i] = -12.0f + 1e-3f * (float)i;
    const float far[6] = {-100.0f, -40.0f, -0.0f, 1e-30f, 40.0f, 100.0f};
    for (int i = 0; i < 6; i++) x[24001 + i] = far[i];
    for (int i = 0; i < N; i++) one[i] = 1;
    acrl_act_forward(ACRL_ACT_GELU, y, x, N);
    acrl_act_backward(ACRL_ACT_GELU, g, one, x, y, N);
    acrl_gelu_ref_forward(yr, x, N);
    acrl_gelu_ref_backward(gr, one, x, N);
    double ef = 0, eb = 0, rf = 0, rb = 0;
    for (int i = 0; i < N; i++) {
        double u = x[i], cdf = 0.5 * (1 + erf(u / sqrt(2.0))), pdf = exp(-0.5 * u * u) / sqrt(2 * M_PI);
        ef = fmax(ef, fabs(y[i] - u * cdf) / fmax(1, fabs(u * cdf)));
        eb = fmax(eb, fabs(g[i] - (cdf + u * pdf)));
        rf = fmax(rf, fabs(y[i] - yr[i]) / fmax(1, fabs(yr[i])));
        rb = fmax(rb, fabs(g[i] - gr[i]));
    }
    CHECK_MAXDIFF("gelu fast forward vs double, [-12, 12] + far", ef, 3e-7);
    CHECK_MAXDIFF("gelu fast derivative vs double", eb, 3e-7);
    CHECK_MAXDIFF("gelu fast forward vs libm reference", rf, 4e-7);
    CHECK_MAXDIFF("gelu fast derivative vs libm reference", rb, 4e-7);
    float nan_in[3] = {NAN, 1, -1}, nan_out[3];
    acrl_act_forward(ACRL_ACT_GELU, nan_out, nan_in, 3);
    CHECK(isnan(nan_out[0]) && fabsf(nan_out[1] - 0.8413447f) < 1e-6f);
    free(x); free(y); free(yr); free(g); free(gr); free(one);
}

static void check_mlp_dropout_bad(void) {
    const int sizes[] = {3, 4, 2};
    acrl_params p;
    acrl_params_init(&p);
    acrl_mlp m;
    char err[256];
    CHECK(acrl_mlp_build(&m, &p, "q", sizes, 3, "relu", false, 2, err, sizeof err) == 0);
    CHECK(acrl_mlp_set_dropout(&m, 1.0f, err, sizeof err) == -1);
    printf("  dropout 1: %s\n", err);
    CHECK(strstr(err, "dropout") != NULL);
    CHECK(acrl_mlp_set_dropout(&m, -0.1f, err, sizeof err) == -1);
    acrl_mlp_free(&m);
    acrl_params_free(&p);
}

int main(void) {
    acrl_rng r;
    acrl_rng_seed(&r, 11);
    check_linear(&r);
    check_acts(&r);
    check_gelu_fast();
    check_layernorm(&r);
    check_dropout(&r);
    check_losses(&r);
    check_mlp(&r, "tanh", false, 0);
    check_mlp(&r, "relu", false, 0);
    check_mlp(&r, "elu", false, 0);
    check_mlp(&r, "gelu", true, 0);
    check_mlp(&r, "gelu", true, 0.3f);  /* Linear -> Dropout -> LayerNorm -> GELU */
    check_mlp(&r, "relu", true, 0.3f);  /* STAC's critic */
    check_mlp(&r, "tanh", false, 0.3f);
    check_mlp_dropout_bad();
    check_orthogonal(&r);
    check_optim();
    return test_summary("test_nn_grad");
}
