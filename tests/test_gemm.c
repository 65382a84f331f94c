/* test_gemm: the fast gemm (libxsmm or blocked C) and the blocked C path against the
 * double-accumulating reference on odd shapes, batch 1, all transposes, alpha/beta variants. */
#include "acrl/nn.h"
#include "test.h"

#include <string.h>


static double max_rel_diff(const float* x, const float* ref, int M, int N, int ldc) {
    double m = 0;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double a = x[(size_t)i * ldc + j], b = ref[(size_t)i * ldc + j];
            double d = fabs(a - b) / (fabs(b) + 1.0);
            if (!(d <= m)) m = d; /* NaN propagates */
        }
    return m;
}

typedef void (*gemm_fn)(bool, bool, int, int, int, float, const float*, int, const float*, int,
                        float, float*, int);

/* Fast paths that must give the same bits as a plainer form of the same sums:
 * - a narrow product (N < 8) without transposes and the blocked C path on B stored transposed
 *   (both are dot16 per element), with and without a bias (acrl_gemm_bias against the bias
 *   copied into C and beta 1);
 * - ReLU's backward through a linear layer in one pass (acrl_gemm_relu_grad) against the
 *   transposed-B product followed by acrl_act_grad;
 * - a transposed-B product and the same product on B transposed beforehand (the register
 *   16x16 transpose against plain copies), for M >= 8. bits_differ: how many elements differ. */
static int bits_differ(const float* x, const float* y, size_t n) {
    int d = 0;
    for (size_t i = 0; i < n; i++) d += memcmp(x + i, y + i, sizeof(float)) != 0;
    return d;
}

static void check_exact_paths(acrl_rng* rng) {
    const bool xsmm = strcmp(acrl_gemm_backend(), "libxsmm") == 0; /* the C backend has no such paths */
    const int Ms[] = {1, 5, 100, 256}, Ks[] = {1, 3, 15, 16, 23, 64, 100, 256}, Ns[] = {1, 2, 3, 6, 7, 12, 32, 64, 65, 256};
    int cases = 0, bad = 0;
    for (int mi = 0; mi < 4; mi++)
        for (int ki = 0; ki < 8; ki++)
            for (int ni = 0; ni < 10; ni++) {
                const int M = Ms[mi], K = Ks[ki], N = Ns[ni];
                float* A = malloc(sizeof(float) * (size_t)M * K);
                float* B = malloc(sizeof(float) * (size_t)K * N);  /* (K, N) */
                float* Bt = malloc(sizeof(float) * (size_t)N * K); /* (N, K) */
                float* bias = malloc(sizeof(float) * (size_t)N);
                float* C1 = malloc(sizeof(float) * (size_t)M * N);
                float* C2 = malloc(sizeof(float) * (size_t)M * N);
                for (size_t i = 0; i < (size_t)M * K; i++) A[i] = (float)acrl_rng_uniform(rng, -1, 1);
                for (int k = 0; k < K; k++)
                    for (int j = 0; j < N; j++) B[(size_t)k * N + j] = Bt[(size_t)j * K + k] = (float)acrl_rng_uniform(rng, -1, 1);
                for (int j = 0; j < N; j++) bias[j] = (float)acrl_rng_uniform(rng, -1, 1);
                if (xsmm && N < 8) {
                    acrl_gemm(false, false, M, N, K, 1, A, K, B, N, 0, C1, N);
                    acrl_gemm_c(false, true, M, N, K, 1, A, K, Bt, K, 0, C2, N);
                    if (bits_differ(C1, C2, (size_t)M * N)) { bad++; printf("narrow M %d N %d K %d\n", M, N, K); }
                    cases++;
                }
                acrl_gemm_bias(M, N, K, A, K, B, N, bias, C1, N, NULL);
                for (int i = 0; i < M; i++) memcpy(C2 + (size_t)i * N, bias, sizeof(float) * (size_t)N);
                acrl_gemm(false, false, M, N, K, 1, A, K, B, N, 1, C2, N);
                if (bits_differ(C1, C2, (size_t)M * N)) { bad++; printf("bias M %d N %d K %d\n", M, N, K); }
                cases++;
                { /* ReLU's backward of A Bt^T in one pass against the product, then acrl_act_grad */
                    float* z = malloc(sizeof(float) * (size_t)M * N);
                    float* dh = malloc(sizeof(float) * (size_t)M * N);
                    for (size_t i = 0; i < (size_t)M * N; i++) z[i] = i % 5 == 0 ? 0.0f : (float)acrl_rng_uniform(rng, -1, 1);
                    acrl_gemm_relu_grad(M, N, K, A, Bt, z, C1);
                    acrl_gemm(false, true, M, N, K, 1, A, K, Bt, K, 0, dh, N);
                    acrl_act_grad(ACRL_ACT_RELU, C2, dh, z, NULL, (size_t)M * N);
                    if (bits_differ(C1, C2, (size_t)M * N)) { bad++; printf("relu_grad M %d N %d K %d\n", M, N, K); }
                    cases++;
                    free(z); free(dh);
                }
                if (xsmm && M >= 8) { /* (a transposed B with fewer rows takes the C path) */
                    acrl_gemm(false, true, M, N, K, 1, A, K, Bt, K, 0, C1, N);
                    acrl_gemm(false, false, M, N, K, 1, A, K, B, N, 0, C2, N);
                    if (bits_differ(C1, C2, (size_t)M * N)) { bad++; printf("transb M %d N %d K %d\n", M, N, K); }
                    cases++;
                }
                free(A); free(B); free(Bt); free(bias); free(C1); free(C2);
            }
    printf("exact paths: %d cases, %d with differing bits (narrow products, bias, ReLU gradient, transposed B)\n",
           cases, bad);
    CHECK(bad == 0);
}

int main(void) {
    acrl_rng rng;
    acrl_rng_seed(&rng, 5);
    const int dims[] = {1, 3, 17, 63, 65, 257};
    const int nd = sizeof dims / sizeof dims[0];
    const float alphas[] = {1.0f, -0.5f};
    const float betas[] = {0.0f, 1.0f, 0.3f};
    printf("backend: %s\n", acrl_gemm_backend());
    gemm_fn fns[2] = {acrl_gemm, acrl_gemm_c};
    const char* fn_names[2] = {"fast", "c"};
    int cases = 0;
    double worst[2] = {0, 0};
    for (int mi = 0; mi < nd; mi++)
        for (int ni = 0; ni < nd; ni++)
            for (int ki = 0; ki < nd; ki++) {
                int M = dims[mi], N = dims[ni], K = dims[ki];
                /* thin the grid: all of it for small sizes, some for large */
                if (M * N * K > 65 * 65 * 65 && (mi + ni + ki) % 3) continue;
                for (int t = 0; t < 4; t++) {
                    bool ta = t & 1, tb = t & 2;
                    float alpha = alphas[(mi + ki + t) % 2], beta = betas[(ni + ki + t) % 3];
                    if (M == 1 && N == 257 && K == 257) { alpha = 1; beta = 0; } /* exact fast path */
                    int lda = (ta ? M : K) + (t == 3 ? 3 : 0), ldb = (tb ? K : N) + (t == 1 ? 5 : 0);
                    int ldc = N + (t == 2 ? 2 : 0);
                    size_t na = (size_t)(ta ? K : M) * lda, nb = (size_t)(tb ? N : K) * ldb, nc = (size_t)M * ldc;
                    float* A = malloc(na * sizeof(float));
                    float* B = malloc(nb * sizeof(float));
                    float* C1 = malloc(nc * sizeof(float));
                    float* C2 = malloc(nc * sizeof(float));
                    for (size_t i = 0; i < na; i++) A[i] = (float)acrl_rng_uniform(&rng, -1, 1);
                    for (size_t i = 0; i < nb; i++) B[i] = (float)acrl_rng_uniform(&rng, -1, 1);
                    for (int f = 0; f < 2; f++) {
                        /* C2 = reference from the same initial C; beta = 0 must ignore C's NaNs */
                        for (size_t i = 0; i < nc; i++) C1[i] = C2[i] = (float)((i * 7919) % 1000) / 500.0f - 1.0f;
                        if (beta == 0) for (size_t i = 0; i < nc; i++) C1[i] = NAN; /* beta 0 ignores C */
                        acrl_gemm_ref(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C2, ldc);
                        fns[f](ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C1, ldc);
                        double d = max_rel_diff(C1, C2, M, N, ldc);
                        if (!(d <= worst[f])) worst[f] = d;
                        if (!(d <= 1e-5) || (M * N * K >= 257 * 65 * 17 && f == 0 && t == 3))
                            printf("  %-4s M=%3d N=%3d K=%3d ta=%d tb=%d alpha=%4.1f beta=%.1f  max rel diff %.2e\n",
                                   fn_names[f], M, N, K, ta, tb, alpha, beta, d);
                        CHECK(d <= 1e-5);
                    }
                    cases++;
                    free(A); free(B); free(C1); free(C2);
                }
            }
    check_exact_paths(&rng);
    printf("%d cases; worst max rel diff: fast %.2e, c %.2e (tol 1e-5)\n", cases, worst[0], worst[1]);
    CHECK_MAXDIFF("fast vs reference (worst case)", worst[0], 1e-5);
    CHECK_MAXDIFF("blocked C vs reference (worst case)", worst[1], 1e-5);
    return test_summary("test_gemm");
}
