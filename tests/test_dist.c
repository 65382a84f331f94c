/* test_dist: action distributions against PyTorch reference values
 * (fixtures/dist_torch.txt from gen_dist_torch.py), every gradient against central
 * finite differences of a double-precision reference written here, and samplers
 * against their distributions (frequencies, moments, determinism). */
#include "acrl/dist.h"
#include "test.h"

#include <string.h>

#define LOG_2PI 1.8378770664093454836

/* ---- fixtures: lines "name count v0 v1 ..." ------------------------------------ */

/* Reads array `name` of n values from fixtures/dist_torch.txt into out; false if absent. */
static bool fixture(const char* name, double* out, int n) {
    FILE* f = fopen("fixtures/dist_torch.txt", "r");
    if (!f) { fprintf(stderr, "cannot open fixtures/dist_torch.txt\n"); return false; }
    char key[64];
    int cnt;
    bool found = false;
    while (fscanf(f, "%63s %d", key, &cnt) == 2) {
        bool match = strcmp(key, name) == 0 && cnt == n;
        for (int i = 0; i < cnt; i++) {
            double v;
            if (fscanf(f, "%lf", &v) != 1) { fclose(f); return false; }
            if (match) out[i] = v;
        }
        if (match) { found = true; break; }
    }
    fclose(f);
    if (!found) fprintf(stderr, "fixture %s (%d values) missing\n", name, n);
    return found;
}

static void fixture_f(const char* name, float* out, int n) {
    double buf[64];
    CHECK(n <= 64 && fixture(name, buf, n));
    for (int i = 0; i < n; i++) out[i] = (float)buf[i];
}

/* max over i of |got - want| / max(1, |want|): relative for large values, absolute for small */
static double maxrel(const float* got, const double* want, int n) {
    double m = 0.0;
    for (int i = 0; i < n; i++) {
        double e = fabs(got[i] - want[i]) / fmax(1.0, fabs(want[i]));
        if (!(e <= m)) m = e; /* NaN propagates as a failure */
    }
    return m;
}

static void compare(const char* name, const float* got, int n, double tol) {
    double want[64];
    if (!fixture(name, want, n)) { CHECK(0); return; }
    char label[80];
    snprintf(label, sizeof label, "torch %s", name);
    CHECK_MAXDIFF(label, maxrel(got, want, n), tol);
}

static void test_torch_reference(void) {
    printf("PyTorch reference values:\n");
    const double tol = 1e-5;
    { /* categorical B=4, K=5 */
        enum { B = 4, K = 5 };
        float z[B * K], w[B], q[B * K], out[B * K], g[B * K];
        double actd[B];
        int act[B];
        fixture_f("cat_logits", z, B * K);
        fixture_f("cat_w", w, B);
        fixture_f("cat_q", q, B * K);
        CHECK(fixture("cat_act", actd, B));
        for (int b = 0; b < B; b++) act[b] = (int)actd[b];
        acrl_cat_log_prob(out, z, act, B, K);   compare("cat_logp", out, B, tol);
        acrl_cat_entropy(out, z, B, K);         compare("cat_ent", out, B, tol);
        acrl_cat_probs(out, z, B, K);           compare("cat_probs", out, B * K, tol);
        acrl_cat_log_probs(out, z, B, K);       compare("cat_log_probs", out, B * K, tol);
        memset(g, 0, sizeof g);
        acrl_cat_log_prob_backward(g, w, z, act, 1.0f, B, K);
        compare("cat_dlogits_logp", g, B * K, tol);
        memset(g, 0, sizeof g);
        acrl_cat_entropy_backward(g, w, z, 1.0f, B, K);
        compare("cat_dlogits_ent", g, B * K, tol);
        /* the same from log-probs and probs computed once */
        float lps[B * K], ps[B * K], ent[B];
        acrl_cat_log_softmax(lps, ps, z, B, K);
        compare("cat_log_probs", lps, B * K, tol);
        compare("cat_probs", ps, B * K, tol);
        acrl_cat_entropy_lp(ent, lps, ps, B, K);   compare("cat_ent", ent, B, tol);
        for (int b = 0; b < B; b++) out[b] = lps[b * K + act[b]];
        compare("cat_logp", out, B, tol);
        memset(g, 0, sizeof g);
        acrl_cat_log_prob_backward_lp(g, w, ps, act, 1.0f, B, K);
        compare("cat_dlogits_logp", g, B * K, tol);
        memset(g, 0, sizeof g);
        acrl_cat_entropy_backward_lp(g, w, lps, ps, ent, 1.0f, B, K);
        compare("cat_dlogits_ent", g, B * K, tol);
        /* sum_a p_a (alpha log p_a - q_a): g_probs = alpha log p - q, g_logp = alpha p */
        float lp[B * K], p[B * K], gp[B * K], gl[B * K];
        acrl_cat_log_probs(lp, z, B, K);
        acrl_cat_probs(p, z, B, K);
        for (int i = 0; i < B * K; i++) { gp[i] = 0.3f * lp[i] - q[i]; gl[i] = 0.3f * p[i]; }
        memset(g, 0, sizeof g);
        acrl_cat_probs_backward(g, gp, gl, z, 1.0f, B, K);
        compare("cat_dlogits_sac", g, B * K, tol);
    }
    enum { B = 3, D = 4 };
    float mean[B * D], ls[B * D], act[B * D], w[B], out[B * D], dm[B * D], dls[B * D];
    { /* Gaussian, per-row log_std */
        fixture_f("gauss_mean", mean, B * D);
        fixture_f("gauss_log_std", ls, B * D);
        fixture_f("gauss_act", act, B * D);
        fixture_f("gauss_w", w, B);
        acrl_gauss_log_prob(out, act, mean, ls, B, D);  compare("gauss_logp", out, B, tol);
        acrl_gauss_entropy(out, ls, B, D);              compare("gauss_ent", out, B, tol);
        memset(dm, 0, sizeof dm); memset(dls, 0, sizeof dls);
        acrl_gauss_log_prob_backward(dm, dls, w, act, mean, ls, 1.0f, B, D);
        compare("gauss_dmean_logp", dm, B * D, tol);
        compare("gauss_dlog_std_logp", dls, B * D, tol);
        memset(dls, 0, sizeof dls);
        acrl_gauss_entropy_backward(dls, w, 1.0f, B, D);
        compare("gauss_dlog_std_ent", dls, B * D, tol);
    }
    { /* Gaussian, shared log_std (D) clamped to [-1, 0.5]; objective sum w logp + 0.1 sum H */
        float raw[D], draw[D] = {0};
        fixture_f("gshared_log_std", raw, D);
        acrl_gauss_log_std(ls, raw, true, -1.0f, 0.5f, B, D);
        acrl_gauss_log_prob(out, act, mean, ls, B, D);  compare("gshared_logp", out, B, tol);
        acrl_gauss_entropy(out, ls, B, D);              compare("gshared_ent", out, B, tol);
        memset(dm, 0, sizeof dm); memset(dls, 0, sizeof dls);
        acrl_gauss_log_prob_backward(dm, dls, w, act, mean, ls, 1.0f, B, D);
        acrl_gauss_entropy_backward(dls, NULL, 0.1f, B, D);
        acrl_gauss_log_std_backward(draw, dls, raw, true, -1.0f, 0.5f, B, D);
        compare("gshared_dmean", dm, B * D, tol);
        compare("gshared_dlog_std", draw, D, tol);
    }
    { /* tanh-squashed Gaussian, log_std (B,D) clamped to [-5, 2], |u| up to ~10 */
        float raw[B * D], eps[B * D], sc[D], bi[D], ga[B * D], glp[B], draw[B * D] = {0};
        fixture_f("sq_mean", mean, B * D);
        fixture_f("sq_log_std", raw, B * D);
        fixture_f("sq_eps", eps, B * D);
        fixture_f("sq_act_scale", sc, D);
        fixture_f("sq_act_bias", bi, D);
        fixture_f("sq_g_act", ga, B * D);
        fixture_f("sq_g_logp", glp, B);
        acrl_gauss_log_std(ls, raw, false, -5.0f, 2.0f, B, D);
        acrl_squash_rsample(out, mean, ls, eps, sc, bi, B, D);     compare("sq_act", out, B * D, tol);
        acrl_squash_log_prob(out, mean, ls, eps, sc, B, D);        compare("sq_logp", out, B, tol);
        memset(dm, 0, sizeof dm); memset(dls, 0, sizeof dls);
        acrl_squash_backward(dm, dls, ga, glp, mean, ls, eps, sc, 1.0f, B, D);
        acrl_gauss_log_std_backward(draw, dls, raw, false, -5.0f, 2.0f, B, D);
        compare("sq_dmean", dm, B * D, tol);
        compare("sq_dlog_std", draw, B * D, tol);
    }
}

/* ---- finite differences of double-precision references --------------------------- */

typedef double (*objective_fn)(const double* x, const void* ctx);

/* Compares grad (n) with central differences of f at x (n); reports max |g - fd| / max(1, |fd|). */
static void fd_check(const char* name, objective_fn f, const void* ctx, double* x, const float* grad, int n) {
    const double h = 1e-6;
    double m = 0.0;
    for (int i = 0; i < n; i++) {
        double xi = x[i];
        x[i] = xi + h; double fp = f(x, ctx);
        x[i] = xi - h; double fm = f(x, ctx);
        x[i] = xi;
        double fd = (fp - fm) / (2 * h), e = fabs(grad[i] - fd) / fmax(1.0, fabs(fd));
        if (!(e <= m)) m = e;
    }
    char label[80];
    snprintf(label, sizeof label, "finite diff %s", name);
    CHECK_MAXDIFF(label, m, 1e-4);
}

/* rounds x (n) to float so the reference and the float code see the same values */
static void to_float(float* xf, double* x, int n) {
    for (int i = 0; i < n; i++) { xf[i] = (float)x[i]; x[i] = xf[i]; }
}

static double ref_logsumexp(const double* z, int K) {
    double m = z[0], s = 0.0;
    for (int k = 1; k < K; k++) m = fmax(m, z[k]);
    for (int k = 0; k < K; k++) s += exp(z[k] - m);
    return m + log(s);
}

enum { CB = 3, CK = 4 };
typedef struct { int act[CB]; double w[CB], gp[CB * CK], gl[CB * CK]; int which; } cat_ctx;

/* which 0: sum_b w_b log p(a_b); 1: sum_b w_b H_b; 2: sum gp*p + gl*log p */
static double cat_objective(const double* z, const void* vctx) {
    const cat_ctx* c = vctx;
    double J = 0.0;
    for (int b = 0; b < CB; b++) {
        const double* zb = z + b * CK;
        double lse = ref_logsumexp(zb, CK);
        for (int k = 0; k < CK; k++) {
            double lp = zb[k] - lse, p = exp(lp);
            if (c->which == 0 && k == c->act[b]) J += c->w[b] * lp;
            if (c->which == 1) J -= c->w[b] * p * lp;
            if (c->which == 2) J += c->gp[b * CK + k] * p + c->gl[b * CK + k] * lp;
        }
    }
    return J;
}

static void test_cat_gradients(acrl_rng* rng) {
    printf("categorical gradients:\n");
    double z[CB * CK];
    float zf[CB * CK], g[CB * CK], wf[CB], gpf[CB * CK], glf[CB * CK];
    cat_ctx c = { .act = {2, 0, 3} };
    for (int i = 0; i < CB * CK; i++) z[i] = 3.0 * acrl_rng_normal(rng);
    z[5] = 40.0; /* a near-deterministic row: large logits must not overflow */
    to_float(zf, z, CB * CK);
    for (int b = 0; b < CB; b++) { c.w[b] = wf[b] = (float)acrl_rng_normal(rng); }
    for (int i = 0; i < CB * CK; i++) {
        c.gp[i] = gpf[i] = (float)acrl_rng_normal(rng);
        c.gl[i] = glf[i] = (float)acrl_rng_normal(rng);
    }
    const float scale = 0.5f; /* backward adds scale * gradient onto what is there */
    for (c.which = 0; c.which < 3; c.which++) {
        for (int i = 0; i < CB * CK; i++) g[i] = 1.0f;
        if (c.which == 0) acrl_cat_log_prob_backward(g, wf, zf, c.act, scale, CB, CK);
        if (c.which == 1) acrl_cat_entropy_backward(g, wf, zf, scale, CB, CK);
        if (c.which == 2) acrl_cat_probs_backward(g, gpf, glf, zf, scale, CB, CK);
        for (int i = 0; i < CB * CK; i++) g[i] = (g[i] - 1.0f) / scale;
        const char* names[] = {"cat log_prob", "cat entropy", "cat probs/log_probs (SAC)"};
        fd_check(names[c.which], cat_objective, &c, z, g, CB * CK);
    }
}

/* Gaussian objective over x = [mean (B*D), raw log_std (B*D or D)]:
 * sum_b w_b logp_b + ce * sum_b H_b + sum g_act . rsample(eps) */
enum { GB = 3, GD = 2 };
typedef struct { bool shared; double lo, hi, w[GB], ce, eps[GB * GD], ga[GB * GD]; } gauss_ctx;

static double gauss_objective(const double* x, const void* vctx) {
    const gauss_ctx* c = vctx;
    static const double act[GB * GD] = {0.3, -1.1, 2.0, 0.25, -0.6, 1.4};
    double J = 0.0;
    for (int b = 0; b < GB; b++)
        for (int d = 0; d < GD; d++) {
            int i = b * GD + d;
            double m = x[i], ls = fmin(fmax(x[GB * GD + (c->shared ? d : i)], c->lo), c->hi), s = exp(ls);
            J += c->w[b] * (-(act[i] - m) * (act[i] - m) / (2 * s * s) - ls - 0.5 * LOG_2PI);
            J += c->ce * (0.5 + 0.5 * LOG_2PI + ls);
            J += c->ga[i] * (m + s * c->eps[i]);
        }
    return J;
}

static void test_gauss_gradients(acrl_rng* rng) {
    printf("Gaussian gradients:\n");
    const float act[GB * GD] = {0.3f, -1.1f, 2.0f, 0.25f, -0.6f, 1.4f};
    for (int shared = 0; shared < 2; shared++) {
        gauss_ctx c = { .shared = shared, .lo = -1.0, .hi = 0.5, .ce = 0.3 };
        int nls = shared ? GD : GB * GD, n = GB * GD + nls;
        /* log_std raw values inside and outside [-1, 0.5] (clamped ones get zero gradient) */
        double x[2 * GB * GD] = {0.1, -0.4, 1.2, 0.9, -0.3, 0.0};
        double ls_raw[GB * GD] = {-1.6, 0.2, -0.7, 0.8, 0.45, -0.95};
        memcpy(x + GB * GD, ls_raw, sizeof(double) * nls);
        float xf[2 * GB * GD], wf[GB], eps[GB * GD], ga[GB * GD];
        to_float(xf, x, n);
        for (int b = 0; b < GB; b++) c.w[b] = wf[b] = (float)acrl_rng_normal(rng);
        for (int i = 0; i < GB * GD; i++) {
            c.eps[i] = eps[i] = (float)acrl_rng_normal(rng);
            c.ga[i] = ga[i] = (float)acrl_rng_normal(rng);
        }
        float ls[GB * GD], dls[GB * GD] = {0}, grad[2 * GB * GD] = {0};
        acrl_gauss_log_std(ls, xf + GB * GD, shared, -1.0f, 0.5f, GB, GD);
        acrl_gauss_log_prob_backward(grad, dls, wf, act, xf, ls, 1.0f, GB, GD);
        acrl_gauss_entropy_backward(dls, NULL, 0.3f, GB, GD);
        acrl_gauss_rsample_backward(grad, dls, ga, ls, eps, 1.0f, GB, GD);
        acrl_gauss_log_std_backward(grad + GB * GD, dls, xf + GB * GD, shared, -1.0f, 0.5f, GB, GD);
        fd_check(shared ? "gauss shared clamped log_std" : "gauss per-row clamped log_std", gauss_objective, &c, x,
                 grad, n);
        /* forward values against the same reference */
        float logp[GB], ent[GB], a[GB * GD];
        acrl_gauss_log_prob(logp, act, xf, ls, GB, GD);
        acrl_gauss_entropy(ent, ls, GB, GD);
        acrl_gauss_rsample(a, xf, ls, eps, GB, GD);
        double J = 0.0;
        for (int b = 0; b < GB; b++) J += c.w[b] * logp[b] + 0.3 * ent[b];
        for (int i = 0; i < GB * GD; i++) J += c.ga[i] * a[i];
        CHECK_NEAR(J, gauss_objective(x, &c), 1e-5 * fmax(1.0, fabs(J)));
    }
}

/* Squashed-Gaussian objective over x = [mean, raw log_std]: sum g_act . a + sum g_logp * logp,
 * with the reference log(1 - tanh(u)^2) = log 4 - 2|u| - 2 log1p(e^{-2|u|}) and the
 * Gaussian density written in u (not eps), so the cancellation the code relies on is checked. */
enum { SB = 3, SD = 3 };
typedef struct { bool shared, scaled; double lo, hi, eps[SB * SD], ga[SB * SD], glp[SB], sc[SD], bi[SD]; } squash_ctx;

static double squash_ref(const double* x, const squash_ctx* c, double* act, double* logp) {
    double J = 0.0;
    for (int b = 0; b < SB; b++) {
        logp[b] = 0.0;
        for (int d = 0; d < SD; d++) {
            int i = b * SD + d;
            double m = x[i], ls = fmin(fmax(x[SB * SD + (c->shared ? d : i)], c->lo), c->hi), s = exp(ls);
            double u = m + s * c->eps[i], au = fabs(u);
            double sc = c->scaled ? c->sc[d] : 1.0, bi = c->scaled ? c->bi[d] : 0.0;
            act[i] = bi + sc * tanh(u);
            logp[b] += -(u - m) * (u - m) / (2 * s * s) - ls - 0.5 * LOG_2PI;
            logp[b] -= log(4.0) - 2 * au - 2 * log1p(exp(-2 * au)) + log(sc);
            J += c->ga[i] * act[i];
        }
        J += c->glp[b] * logp[b];
    }
    return J;
}

static double squash_objective(const double* x, const void* vctx) {
    double act[SB * SD], logp[SB];
    return squash_ref(x, vctx, act, logp);
}

static void test_squash(acrl_rng* rng) {
    printf("tanh-squashed Gaussian:\n");
    for (int variant = 0; variant < 2; variant++) {
        /* variant 0: per-row log_std clamped to [-5, 2], Box scale/bias; 1: shared, unclamped, no scale */
        squash_ctx c = { .shared = variant == 1, .scaled = variant == 0,
                         .lo = variant == 0 ? -5.0 : -INFINITY, .hi = variant == 0 ? 2.0 : INFINITY,
                         .sc = {2.0, 0.75, 1.5}, .bi = {1.0, -0.25, 0.0} };
        int nls = c.shared ? SD : SB * SD, n = SB * SD + nls;
        /* means up to |u| ~ 10..12, where float log(1 - tanh^2) would be -inf */
        double x[2 * SB * SD] = {0.3, -1.2, 10.0, 0.0, -11.0, 0.7, 2.5, 0.05, -0.4};
        double ls_raw[SB * SD] = {-0.5, 2.6, -6.0, 0.1, -1.0, -4.2, 1.3, -0.2, 0.4};
        memcpy(x + SB * SD, ls_raw, sizeof(double) * nls);
        float xf[2 * SB * SD], eps[SB * SD], ga[SB * SD], glp[SB], sc[SD], bi[SD];
        to_float(xf, x, n);
        for (int d = 0; d < SD; d++) { sc[d] = (float)c.sc[d]; bi[d] = (float)c.bi[d]; }
        for (int i = 0; i < SB * SD; i++) {
            c.eps[i] = eps[i] = (float)(0.5 * acrl_rng_normal(rng));
            c.ga[i] = ga[i] = (float)acrl_rng_normal(rng);
        }
        for (int b = 0; b < SB; b++) c.glp[b] = glp[b] = (float)acrl_rng_normal(rng);
        const float* scp = c.scaled ? sc : NULL;
        const float* bip = c.scaled ? bi : NULL;

        float ls[SB * SD], dls[SB * SD] = {0}, grad[2 * SB * SD] = {0};
        acrl_gauss_log_std(ls, xf + SB * SD, c.shared, (float)c.lo, (float)c.hi, SB, SD);
        acrl_squash_backward(grad, dls, ga, glp, xf, ls, eps, scp, 1.0f, SB, SD);
        acrl_gauss_log_std_backward(grad + SB * SD, dls, xf + SB * SD, c.shared, (float)c.lo, (float)c.hi, SB, SD);
        fd_check(variant == 0 ? "squash per-row clamped, Box scale" : "squash shared unclamped", squash_objective, &c,
                 x, grad, n);

        /* forward: action, log_prob, entropy estimate, mode against the double reference */
        double act_ref[SB * SD], logp_ref[SB];
        squash_ref(x, &c, act_ref, logp_ref);
        float a[SB * SD], logp[SB], ent[SB], mode[SB * SD];
        acrl_squash_rsample(a, xf, ls, eps, scp, bip, SB, SD);
        acrl_squash_log_prob(logp, xf, ls, eps, scp, SB, SD);
        acrl_squash_entropy(ent, xf, ls, eps, scp, SB, SD);
        CHECK_MAXDIFF("squash action vs reference", maxrel(a, act_ref, SB * SD), 1e-6);
        CHECK_MAXDIFF("squash log_prob vs reference", maxrel(logp, logp_ref, SB), 1e-6);
        for (int b = 0; b < SB; b++) CHECK(ent[b] == -logp[b]);
        acrl_squash_mode(mode, xf, scp, bip, SB, SD);
        double mode_ref[SB * SD];
        for (int i = 0; i < SB * SD; i++) mode_ref[i] = (c.scaled ? c.bi[i % SD] + c.sc[i % SD] * tanh(x[i]) : tanh(x[i]));
        CHECK_MAXDIFF("squash mode vs reference", maxrel(mode, mode_ref, SB * SD), 1e-6);
    }
    /* u = 10 alone: naive float log(1 - tanh^2) is -inf, the stable form is exact */
    float m = 10.0f, l = 0.0f, e = 0.0f, lp;
    acrl_squash_log_prob(&lp, &m, &l, &e, NULL, 1, 1);
    float t = tanhf(10.0f);
    double want = -0.5 * LOG_2PI - (log(4.0) - 20.0 - 2 * log1p(exp(-20.0)));
    printf("  u=10: naive float log(1-tanh^2) = %g, log_prob = %.9g (want %.9g)\n", logf(1.0f - t * t), lp, want);
    CHECK_NEAR(lp, want, 1e-5 * fabs(want));
}

/* ---- samplers ------------------------------------------------------------------- */

static void test_samplers(void) {
    printf("samplers:\n");
    acrl_rng rng;
    /* categorical: p = (0.1, 0.2, 0, 0.3, 0.4), the zero one masked by -inf */
    enum { K = 5, N = 200000 };
    const float z[K] = {logf(0.1f), logf(0.2f), -INFINITY, logf(0.3f), logf(0.4f)};
    const double p[K] = {0.1, 0.2, 0.0, 0.3, 0.4};
    float probs[K];
    acrl_cat_probs(probs, z, 1, K);
    double pd[K];
    for (int k = 0; k < K; k++) pd[k] = p[k];
    CHECK_MAXDIFF("categorical probs with a masked action", maxrel(probs, pd, K), 1e-6);
    int counts[K] = {0};
    acrl_rng_seed(&rng, 7);
    int out_of_range = 0;
    for (int i = 0; i < N; i++) {
        int a;
        acrl_cat_sample(&a, z, &rng, 1, K);
        if (a >= 0 && a < K) counts[a]++;
        else out_of_range++;
    }
    CHECK(out_of_range == 0);
    double chi2 = 0.0;
    for (int k = 0; k < K; k++)
        if (p[k] > 0) chi2 += (counts[k] - N * p[k]) * (counts[k] - N * p[k]) / (N * p[k]);
    printf("  categorical %d draws: counts %d %d %d %d %d, chi2 %.2f (3 dof)\n", N, counts[0], counts[1], counts[2],
           counts[3], counts[4], chi2);
    CHECK(counts[2] == 0);
    CHECK(chi2 < 16.27); /* p = 0.001 quantile of chi2(3) */
    float ent;
    acrl_cat_entropy(&ent, z, 1, K);
    CHECK_NEAR(ent, -(0.1 * log(0.1) + 0.2 * log(0.2) + 0.3 * log(0.3) + 0.4 * log(0.4)), 1e-6);
    float dz[K] = {0};
    acrl_cat_entropy_backward(dz, NULL, z, 1.0f, 1, K);
    CHECK(dz[2] == 0.0f && isfinite(dz[0]));
    { /* the masked action through the log-prob path: p = 0, log p = -inf, no NaN */
        float lps[K], ps[K], ent2, dz2[K] = {0};
        acrl_cat_log_softmax(lps, ps, z, 1, K);
        acrl_cat_entropy_lp(&ent2, lps, ps, 1, K);
        CHECK(ps[2] == 0.0f && isinf(lps[2]) && lps[2] < 0);
        CHECK_NEAR(ent2, ent, 1e-6);
        acrl_cat_entropy_backward_lp(dz2, NULL, lps, ps, &ent2, 1.0f, 1, K);
        double md = 0;
        for (int k = 0; k < K; k++) md = fmax(md, fabs(dz2[k] - dz[k]));
        CHECK(dz2[2] == 0.0f);
        CHECK_MAXDIFF("masked entropy gradient, log-prob path", md, 1e-6);
    }
    int mode[2];
    acrl_cat_mode(mode, (const float[]){0.1f, 3.0f, 3.0f, -1.0f, 5.0f, -INFINITY, 2.0f, 6.0f}, 2, 4);
    CHECK(mode[0] == 1 && mode[1] == 3);

    /* Gaussian: mean (1, -2), std (0.5, 2) */
    const float mean[2] = {1.0f, -2.0f}, ls[2] = {logf(0.5f), logf(2.0f)};
    double s[2] = {0}, s2[2] = {0};
    acrl_rng_seed(&rng, 11);
    for (int i = 0; i < N; i++) {
        float a[2], eps[2];
        acrl_gauss_sample(a, eps, mean, ls, &rng, 1, 2);
        for (int d = 0; d < 2; d++) { s[d] += a[d]; s2[d] += (double)a[d] * a[d]; }
    }
    for (int d = 0; d < 2; d++) {
        double mu = s[d] / N, sd = sqrt(s2[d] / N - mu * mu), want_sd = d ? 2.0 : 0.5;
        printf("  gauss dim %d: mean %.4f (want %.1f), std %.4f (want %.1f)\n", d, mu, mean[d], sd, want_sd);
        CHECK_NEAR(mu, mean[d], 5 * want_sd / sqrt(N));
        CHECK_NEAR(sd, want_sd, 5 * want_sd / sqrt(2.0 * N));
    }
    float gm[2];
    acrl_gauss_mode(gm, mean, 1, 2);
    CHECK(gm[0] == mean[0] && gm[1] == mean[1]);

    /* squashed: actions inside the Box, log_prob consistent with the returned noise */
    enum { B = 64, D = 2 };
    float m[B * D], l[B * D], a[B * D], lp[B], eps[B * D], lp2[B];
    const float sc[D] = {2.0f, 0.5f}, bi[D] = {1.0f, -0.25f};
    for (int i = 0; i < B * D; i++) { m[i] = (float)(3.0 * acrl_rng_normal(&rng)); l[i] = 0.5f; }
    acrl_squash_sample(a, lp, eps, m, l, sc, bi, &rng, B, D);
    acrl_squash_log_prob(lp2, m, l, eps, sc, B, D);
    bool inside = true, same = true;
    for (int i = 0; i < B * D; i++) inside &= fabsf(a[i] - bi[i % D]) <= sc[i % D];
    for (int b = 0; b < B; b++) same &= lp[b] == lp2[b] && isfinite(lp[b]);
    CHECK(inside);
    CHECK(same);
    /* the one-pass sample + log-prob (which acrl_squash_sample used above) gives the bits of the two passes */
    float a3[B * D];
    acrl_squash_rsample(a3, m, l, eps, sc, bi, B, D);
    CHECK(memcmp(a, a3, sizeof a) == 0);
    CHECK(memcmp(lp, lp2, sizeof lp) == 0);
    /* the backward from the kept std, tanh(u), log(1 - tanh(u)^2): the bits of the recomputing one */
    {
        double keep[B * D * 3];
        float lp3[B], ga[B * D], glp[B], dm1[B * D] = {0}, dl1[B * D] = {0}, dm2[B * D] = {0}, dl2[B * D] = {0};
        for (int i = 0; i < B * D; i++) { l[i] = (float)(0.7 * acrl_rng_normal(&rng)); ga[i] = (float)acrl_rng_normal(&rng); }
        for (int b = 0; b < B; b++) glp[b] = (float)acrl_rng_uniform(&rng, 0, 1);
        acrl_squash_rsample_logp(a3, lp3, m, l, eps, sc, bi, keep, B, D);
        acrl_squash_backward(dm1, dl1, ga, glp, m, l, eps, sc, 0.01f, B, D);
        acrl_squash_backward_kept(dm2, dl2, ga, glp, keep, eps, sc, 0.01f, B, D);
        CHECK(memcmp(dm1, dm2, sizeof dm1) == 0 && memcmp(dl1, dl2, sizeof dl1) == 0);
    }

    /* determinism: same seed, same draws; another seed, other draws */
    int c1[B], c2[B], c3[B];
    float zz[B * 3], a1[B * D], a2[B * D], e1[B * D], e2[B * D];
    for (int i = 0; i < B * 3; i++) zz[i] = (float)(i % 3);
    acrl_rng r1, r2, r3;
    acrl_rng_seed(&r1, 5); acrl_rng_seed(&r2, 5); acrl_rng_seed(&r3, 6);
    acrl_cat_sample(c1, zz, &r1, B, 3); acrl_cat_sample(c2, zz, &r2, B, 3); acrl_cat_sample(c3, zz, &r3, B, 3);
    CHECK(memcmp(c1, c2, sizeof c1) == 0 && memcmp(c1, c3, sizeof c1) != 0);
    acrl_squash_sample(a1, NULL, e1, m, l, sc, bi, &r1, B, D);
    acrl_squash_sample(a2, NULL, e2, m, l, sc, bi, &r2, B, D);
    CHECK(memcmp(a1, a2, sizeof a1) == 0 && memcmp(e1, e2, sizeof e1) == 0);
    acrl_gauss_sample(a1, e1, m, l, &r1, B, D);
    acrl_gauss_sample(a2, e2, m, l, &r3, B, D);
    CHECK(memcmp(e1, e2, sizeof e1) != 0);
}

int main(void) {
    acrl_rng rng;
    acrl_rng_seed(&rng, 2024);
    test_torch_reference();
    test_cat_gradients(&rng);
    test_gauss_gradients(&rng);
    test_squash(&rng);
    test_samplers();
    return test_summary("test_dist");
}
