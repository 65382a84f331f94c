/* bench_gemm: single-thread GFLOP/s of the gemm backends (reference, blocked C, acrl_gemm
 * fast path, and acrl_gemm_bf16 of precision = bf16) on the shapes the networks use, and the time of one forward + backward of a
 * 17-256-256-6 tanh MLP at batch 256. Prints Markdown tables. */
#include "acrl/nn.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef void (*gemm_fn)(bool, bool, int, int, int, float, const float*, int, const float*, int,
                        float, float*, int);

/* best-of-5 GFLOP/s, each repetition running about budget seconds */
static double gflops(gemm_fn f, bool ta, bool tb, int M, int N, int K, float beta,
                     const float* A, const float* B, float* C, double budget) {
    const int lda = ta ? M : K, ldb = tb ? K : N;
    f(ta, tb, M, N, K, 1, A, lda, B, ldb, beta, C, N); /* warm up (JIT, scratch) */
    double t0 = now();
    f(ta, tb, M, N, K, 1, A, lda, B, ldb, beta, C, N);
    double one = now() - t0;
    long iters = (long)(budget / (one > 1e-9 ? one : 1e-9)) + 1;
    double best = 1e30;
    for (int rep = 0; rep < 5; rep++) {
        t0 = now();
        for (long i = 0; i < iters; i++) f(ta, tb, M, N, K, 1, A, lda, B, ldb, beta, C, N);
        double t = (now() - t0) / (double)iters;
        if (t < best) best = t;
    }
    return 2.0 * M * N * K / best * 1e-9;
}

int main(int argc, char** argv) {
    const double budget = argc > 1 ? atof(argv[1]) : 0.05;
    struct { const char* name; bool ta, tb; int M, N, K; float beta; } cases[] = {
        {"(256x17)x(17x256)", false, false, 256, 256, 17, 0},
        {"256x256x256", false, false, 256, 256, 256, 0},
        {"(64x4)x(4x64)", false, false, 64, 64, 4, 0},
        {"matvec (1x256)x(256x256)", false, false, 1, 256, 256, 0},
        {"linear fwd Y=XW+b (256,256,256)", false, false, 256, 256, 256, 1},
        {"linear dX+=dY W^T (256,256,256)", false, true, 256, 256, 256, 1},
        {"linear dW+=X^T dY (256,256,256)", true, false, 256, 256, 256, 1},
        {"linear fwd 17->256, B=256", false, false, 256, 256, 17, 1},
        {"linear dW 17->256, B=256", true, false, 17, 256, 256, 1},
        {"linear fwd 256->6, B=256", false, false, 256, 6, 256, 1},
        {"linear dX 256->6, B=256", false, true, 256, 256, 6, 1},
        {"linear dW 256->6, B=256", true, false, 256, 6, 256, 1},
        {"value head 256->1, B=256", false, false, 256, 1, 256, 1},
    };
    const int nc = sizeof cases / sizeof cases[0];
    acrl_rng r;
    acrl_rng_seed(&r, 0);
    float* A = malloc(256 * 256 * sizeof(float));
    float* B = malloc(256 * 256 * sizeof(float));
    float* C = malloc(256 * 256 * sizeof(float));
    for (int i = 0; i < 256 * 256; i++) {
        A[i] = (float)acrl_rng_uniform(&r, -1, 1);
        B[i] = (float)acrl_rng_uniform(&r, -1, 1);
        C[i] = 0;
    }
    printf("gemm, one thread, GFLOP/s (fast backend: %s)\n\n", acrl_gemm_backend());
    printf("(acrl_gemm_bf16: operands rounded to bfloat16, float sums; avx512_bf16 here: %s)\n\n",
           acrl_bf16_supported() ? "yes" : "no, the portable loop");
    printf("| shape (M,N,K) | ta | tb | reference | blocked C | acrl_gemm | acrl_gemm_bf16 |\n"
           "|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < nc; i++) {
        double g[4];
        gemm_fn fns[4] = {acrl_gemm_ref, acrl_gemm_c, acrl_gemm, acrl_gemm_bf16};
        for (int f = 0; f < 4; f++)
            g[f] = gflops(fns[f], cases[i].ta, cases[i].tb, cases[i].M, cases[i].N, cases[i].K, cases[i].beta,
                          A, B, C, f == 0 ? budget / 4 : budget);
        printf("| %s | %d | %d | %.2f | %.1f | %.1f | %.1f |\n", cases[i].name, cases[i].ta, cases[i].tb, g[0], g[1],
               g[2], g[3]);
    }

    /* MLP 17-256-256-6, tanh, batch 256: forward + MSE-style backward with input grad */
    const int sizes[] = {17, 256, 256, 6}, Bt = 256;
    acrl_params p;
    acrl_params_init(&p);
    acrl_mlp m;
    char err[256];
    if (acrl_mlp_build(&m, &p, "q", sizes, 4, "tanh", false, Bt, err, sizeof err) ||
        acrl_params_finalize(&p, err, sizeof err)) { fprintf(stderr, "%s\n", err); return 1; }
    acrl_mlp_init(&m, &p, ACRL_INIT_TORCH, 1, 1, &r);
    float* x = malloc((size_t)Bt * 17 * sizeof(float));
    float* dout = malloc((size_t)Bt * 6 * sizeof(float));
    float* din = malloc((size_t)Bt * 17 * sizeof(float));
    for (int i = 0; i < Bt * 17; i++) x[i] = (float)acrl_rng_uniform(&r, -1, 1);
    for (int i = 0; i < Bt * 6; i++) dout[i] = (float)acrl_rng_uniform(&r, -1, 1);
    const double flops = 3 * 2.0 * Bt * (17 * 256 + 256 * 256 + 256 * 6);
    double best_f = 1e30, best_fb = 1e30, best_fbi = 1e30;
    for (int rep = 0; rep < 5; rep++) {
        const int it = 200;
        double t0 = now();
        for (int i = 0; i < it; i++) acrl_mlp_forward(&m, &p, x, Bt);
        double tf = (now() - t0) / it;
        t0 = now();
        for (int i = 0; i < it; i++) { acrl_mlp_forward(&m, &p, x, Bt); acrl_mlp_backward(&m, &p, NULL, dout); }
        double tfb = (now() - t0) / it;
        t0 = now();
        for (int i = 0; i < it; i++) { acrl_mlp_forward(&m, &p, x, Bt); acrl_mlp_backward(&m, &p, din, dout); }
        double tfbi = (now() - t0) / it;
        if (tf < best_f) best_f = tf;
        if (tfb < best_fb) best_fb = tfb;
        if (tfbi < best_fbi) best_fbi = tfbi;
    }
    printf("\nMLP 17-256-256-6 tanh, batch 256, one thread (best of 5 x 200)\n\n");
    printf("| pass | time (us) | GFLOP/s |\n|---|---|---|\n");
    printf("| forward | %.1f | %.1f |\n", best_f * 1e6, flops / 3 / best_f * 1e-9);
    printf("| forward + backward | %.1f | %.1f |\n", best_fb * 1e6, flops / best_fb * 1e-9);
    printf("| forward + backward + dinput | %.1f | - |\n", best_fbi * 1e6);
    acrl_mlp_free(&m);
    acrl_params_free(&p);
    free(x); free(dout); free(din); free(A); free(B); free(C);
    return 0;
}
