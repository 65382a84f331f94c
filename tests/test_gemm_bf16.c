/* test_gemm_bf16: precision = bf16. The rounding of single values by hand; the avx512_bf16
 * kernel against the portable loop bit for bit (when the CPU has the instruction) on odd shapes,
 * every transpose and alpha/beta; both against the double-accumulating reference of the rounded
 * operands; the pair order of the sums on a constructed case; an MLP with bf16 layers against
 * the same products composed by hand, and a bf16 SAC run's determinism. */
#include <string.h>

#include "acrl/nn.h"
#include "test.h"

static float bits(unsigned u) {
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static void check_rounding(void) {
    CHECK(acrl_bf16_round(1.0f) == 1.0f);
    CHECK(acrl_bf16_round(1.0078125f) == 1.0078125f);            /* 1 + 2^-7: representable */
    CHECK(acrl_bf16_round(1.00390625f) == 1.0f);                 /* 1 + 2^-8: tie, to even */
    CHECK(acrl_bf16_round(1.01171875f) == 1.015625f);            /* 1 + 3 2^-8: tie, to even (up) */
    CHECK(acrl_bf16_round(bits(0x3F808001u)) == 1.0078125f);    /* just above the tie: up */
    CHECK(acrl_bf16_round(-3.14159265f) == -3.140625f);          /* 0xC0490FDB -> 0xC049 */
    CHECK(acrl_bf16_round(3.4028235e38f) == INFINITY);           /* FLT_MAX rounds up to inf */
    CHECK(acrl_bf16_round(-INFINITY) == -INFINITY);
    CHECK(isnan(acrl_bf16_round(NAN)));
    float z = acrl_bf16_round(-1e-40f);                          /* denormal: signed zero */
    CHECK(z == 0 && signbit(z));
    CHECK(acrl_bf16_round(bits(0x00800000u)) == bits(0x00800000u)); /* smallest normal stays */
}

static double max_abs(const float* x, const float* y, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)x[i] - (double)y[i]);
        if (!(d <= m)) m = d;
    }
    return m;
}

/* the same over the (M, N) matrices of row stride ldc (not the padding) */
static double max_abs_mat(const float* x, const float* y, int M, int N, int ldc) {
    double m = 0;
    for (int i = 0; i < M; i++) {
        double d = max_abs(x + (size_t)i * ldc, y + (size_t)i * ldc, (size_t)N);
        if (!(d <= m)) m = d;
    }
    return m;
}

/* kernel vs portable loop (bits), both vs the reference (float rounding of K sums) */
static void check_products(void) {
    acrl_rng rng;
    acrl_rng_seed(&rng, 11);
    const int dims[] = {1, 5, 6, 7, 16, 17, 33, 64, 100, 257};
    const int nd = sizeof dims / sizeof dims[0];
    const float alphas[] = {1, -0.5f}, betas[] = {0, 1, 0.3f};
    const bool fast = acrl_bf16_supported();
    printf("avx512_bf16: %s\n", fast ? "yes (kernel checked bit for bit)" : "no (portable loop only)");
    int cases = 0, same = 0;
    double worst = 0, worst_float = 0;
    for (int mi = 0; mi < nd; mi++)
        for (int ni = 0; ni < nd; ni++)
            for (int ki = 0; ki < nd; ki++) {
                const int M = dims[mi], N = dims[ni], K = dims[ki];
                if (M * N * K > 64 * 64 * 64 && (mi + ni + ki) % 4) continue;
                for (int t = 0; t < 4; t++) {
                    const bool ta = t & 1, tb = t & 2;
                    const float alpha = alphas[(mi + ni + t) % 2], beta = betas[(ki + t) % 3];
                    const int lda = (ta ? M : K) + (t == 1), ldb = (tb ? K : N) + 2 * (t == 2), ldc = N + (t == 3);
                    const size_t na = (size_t)(ta ? K : M) * lda, nb = (size_t)(tb ? N : K) * ldb, nc = (size_t)M * ldc;
                    float* A = malloc(na * sizeof(float));
                    float* B = malloc(nb * sizeof(float));
                    float* C[4];
                    for (int i = 0; i < 4; i++) C[i] = malloc(nc * sizeof(float));
                    for (size_t i = 0; i < na; i++) A[i] = (float)acrl_rng_uniform(&rng, -1, 1);
                    for (size_t i = 0; i < nb; i++) B[i] = (float)acrl_rng_uniform(&rng, -1, 1);
                    for (size_t i = 0; i < nc; i++)
                        for (int c = 0; c < 4; c++) C[c][i] = beta == 0 && c < 2 ? NAN : (float)(i % 13) / 7 - 1;
                    acrl_gemm_bf16(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C[0], ldc);
                    acrl_gemm_bf16_c(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C[1], ldc);
                    acrl_gemm_bf16_ref(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C[2], ldc);
                    acrl_gemm_ref(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C[3], ldc);
                    cases++;
                    same += memcmp(C[0], C[1], nc * sizeof(float)) == 0; /* padding included: untouched */
                    /* float sums of K products of |x| <= 1: error <= K 2^-24 K (loose: 6e-8 K^2) */
                    double d = max_abs_mat(C[1], C[2], M, N, ldc), tol = 6e-8 * K * K + 1e-6;
                    if (!(d <= tol)) { CHECK(d <= tol); fprintf(stderr, "  M %d N %d K %d t %d: %g\n", M, N, K, t, d); }
                    if (d / tol > worst) worst = d / tol;
                    /* against float operands: the rounding shows (bf16 keeps 8 bits: <= 2^-8 |a||b| each) */
                    double df = max_abs_mat(C[2], C[3], M, N, ldc);
                    CHECK(df <= K * (2.0 / 256 + 1.0 / 65536) + 1e-6);
                    if (K >= 16 && df > worst_float) worst_float = df;
                    free(A); free(B);
                    for (int i = 0; i < 4; i++) free(C[i]);
                }
            }
    printf("  %d products; kernel == portable loop bit for bit on %d; worst portable-vs-reference / tolerance %.3f;"
           " worst |bf16 - float| %.3e\n", cases, same, worst, worst_float);
    CHECK(same == cases);
    CHECK(worst_float > 1e-4); /* the operands were rounded */
}

/* the order inside a pair: a1 b1 is added before a0 b0, each sum rounded. With the products
 * (2^24, 1) in the first pair and (-2^24, 1) in the second, in (odd, even) order:
 * 0 + 1 = 1, + 2^24 = 2^24 + 1 -> 2^24 (tie to even)... */
static void check_pair_order(void) {
    const float big = 16777216.0f; /* 2^24 */
    /* k = 0..3: products a_k b_k = 1, big, 1, -big (b = 1) */
    const float A[4] = {1, big, 1, -big}, B[4] = {1, 1, 1, 1};
    float c[2];
    acrl_gemm_bf16_c(false, false, 1, 1, 4, 1, A, 4, B, 1, 0, &c[0], 1);
    acrl_gemm_bf16(false, false, 1, 1, 4, 1, A, 4, B, 1, 0, &c[1], 1);
    /* odd first: (0 + big) + 1 -> big; (big + -big) + 1 -> 1. Even first would give
     * ((0 + 1) + big) -> big, (big + 1) -> big, + -big -> 0; the exact sum is 2. */
    printf("  pair order: portable %g, kernel %g (odd-then-even order: 1; even-then-odd: 0; exact: 2)\n",
           (double)c[0], (double)c[1]);
    CHECK(c[0] == 1.0f);
    CHECK(c[1] == 1.0f);
    float r;
    acrl_gemm_bf16_ref(false, false, 1, 1, 4, 1, A, 4, B, 1, 0, &r, 1);
    CHECK(r == 2.0f);
}

/* an MLP 20 -> 256 -> 256 -> 3 with bf16 from width 256: its forward and parameter gradient of
 * the middle layer equal the products composed by hand, bit for bit; other layers stay float */
static void check_mlp(void) {
    acrl_params p;
    acrl_params_init(&p);
    acrl_mlp m;
    char err[256];
    const int sizes[] = {20, 256, 256, 3}, B = 37;
    CHECK(acrl_mlp_build(&m, &p, "q", sizes, 4, "relu", false, 64, err, sizeof err) == 0);
    CHECK(acrl_params_finalize(&p, err, sizeof err) == 0);
    acrl_rng rng;
    acrl_rng_seed(&rng, 3);
    CHECK(acrl_mlp_init(&m, &p, ACRL_INIT_TORCH, 1, 1, &rng) == 0);
    CHECK(acrl_mlp_set_bf16(&m, 256) == 1);
    CHECK(!m.bf16[0] && m.bf16[1] && !m.bf16[2]);
    CHECK(acrl_mlp_gemm(&m, 1) == acrl_gemm_bf16 && acrl_mlp_gemm(&m, 0) == acrl_gemm);
    float* x = malloc(sizeof(float) * B * 20);
    float* dy = malloc(sizeof(float) * B * 3);
    for (int i = 0; i < B * 20; i++) x[i] = (float)acrl_rng_normal(&rng);
    for (int i = 0; i < B * 3; i++) dy[i] = (float)acrl_rng_normal(&rng);
    const float* y = acrl_mlp_forward(&m, &p, x, B);
    /* by hand: h1 = relu(x W0 + b0) in float, z1 = h1 W1 + b1 in bf16 */
    float* h1 = malloc(sizeof(float) * B * 256);
    float* z1 = malloc(sizeof(float) * B * 256);
    acrl_linear_forward(h1, x, p.param + m.w_off[0], p.param + m.b_off[0], B, 20, 256);
    acrl_act_forward(ACRL_ACT_RELU, h1, h1, (size_t)B * 256);
    for (int i = 0; i < B; i++) memcpy(z1 + i * 256, p.param + m.b_off[1], 256 * sizeof(float));
    acrl_gemm_bf16(false, false, B, 256, 256, 1, h1, 256, p.param + m.w_off[1], 256, 1, z1, 256);
    CHECK(memcmp(z1, m.z[1], sizeof(float) * B * 256) == 0);
    (void)y;
    /* the weight gradient of the middle layer: dW1 = h1^T dz1, dz1 = relu'(z1) (dy W2^T) */
    acrl_params_zero_grad(&p);
    acrl_mlp_backward(&m, &p, NULL, dy);
    float* dh = malloc(sizeof(float) * B * 256);
    float* dw = calloc(256 * 256, sizeof(float));
    acrl_gemm(false, true, B, 256, 3, 1, dy, 3, p.param + m.w_off[2], 3, 0, dh, 256);
    for (int i = 0; i < B * 256; i++) dh[i] = m.z[1][i] > 0 ? dh[i] : 0;
    acrl_gemm_bf16(true, false, 256, 256, B, 1, h1, 256, dh, 256, 1, dw, 256);
    CHECK(memcmp(dw, p.grad + m.w_off[1], sizeof(float) * 256 * 256) == 0);
    /* and the gradient differs from float's (the path is really taken) */
    acrl_mlp_set_bf16(&m, 0);
    acrl_params_zero_grad(&p);
    acrl_mlp_forward(&m, &p, x, B);
    acrl_mlp_backward(&m, &p, NULL, dy);
    CHECK(max_abs(dw, p.grad + m.w_off[1], 256 * 256) > 0);
    free(x); free(dy); free(h1); free(z1); free(dh); free(dw);
    acrl_mlp_free(&m);
    acrl_params_free(&p);
}

int main(void) {
    check_rounding();
    check_products();
    check_pair_order();
    check_mlp();
    return test_summary("test_gemm_bf16");
}
