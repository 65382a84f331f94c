/* bench_conv: single-thread GFLOP/s of the CNN extractor (acrl_cnn, im2col + acrl_gemm) at
 * PPO's minibatch size on the Portfolio-v0 observation (1, 51, 10) and on an Atari-like
 * (4, 84, 84) frame, forward and forward + backward. Prints a Markdown table. */
#include "acrl/nn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void run(const char* label, int C, int H, int W, const int* ch, const int* ks, const int* st, int n, int B,
                double budget) {
    acrl_params p;
    acrl_params_init(&p);
    acrl_cnn m;
    char err[256];
    if (acrl_cnn_build(&m, &p, "cnn", C, H, W, ch, ks, st, NULL, n, "relu", B, err, sizeof err) ||
        acrl_params_finalize(&p, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    acrl_rng r;
    acrl_rng_seed(&r, 1);
    acrl_cnn_init(&m, &p, 1.0f, &r);
    size_t in = (size_t)B * C * H * W;
    float* x = malloc(in * sizeof(float));
    float* g = malloc((size_t)B * m.out_dim * sizeof(float));
    for (size_t i = 0; i < in; i++) x[i] = (float)acrl_rng_normal(&r);
    for (size_t i = 0; i < (size_t)B * m.out_dim; i++) g[i] = (float)acrl_rng_normal(&r);
    double flops = 0; /* multiply-adds x 2 of the convolutions */
    for (int l = 0; l < n; l++) flops += 2.0 * B * m.c[l + 1] * m.h[l + 1] * m.w[l + 1] * m.c[l] * m.k[l] * m.k[l];
    for (int pass = 0; pass < 2; pass++) {
        double best = 1e30;
        for (int rep = 0; rep < 5; rep++) {
            int iters = 0;
            double t0 = now(), t;
            do {
                acrl_cnn_forward(&m, &p, x, B);
                if (pass) acrl_cnn_backward(&m, &p, NULL, g);
                iters++;
                t = now() - t0;
            } while (t < budget);
            if (t / iters < best) best = t / iters;
        }
        /* backward without the input gradient of layer 0: dW (1x) and dX (1x) except layer 0 */
        double f = pass ? 2 * flops + (flops - 2.0 * B * m.c[1] * m.h[1] * m.w[1] * m.c[0] * m.k[0] * m.k[0]) : flops;
        printf("| %s | %s | %d | %.1f | %.1f |\n", label, pass ? "forward + backward" : "forward", B, best * 1e6,
               f / best * 1e-9);
    }
    acrl_cnn_free(&m);
    acrl_params_free(&p);
    free(x);
    free(g);
}

int main(int argc, char** argv) {
    const double budget = argc > 1 ? atof(argv[1]) : 0.2;
    printf("| input, layers | pass | batch | time (us) | GFLOP/s |\n|---|---|---|---|---|\n");
    const int c1[2] = {8, 16}, k1[2] = {3, 3}, s1[2] = {1, 2};
    run("(1,51,10), 8 k3, 16 k3 s2 (Portfolio preset)", 1, 51, 10, c1, k1, s1, 2, 256, budget);
    const int c2[3] = {32, 64, 64}, k2[3] = {8, 4, 3}, s2[3] = {4, 2, 1};
    run("(4,84,84), 32 k8 s4, 64 k4 s2, 64 k3 (NatureCNN sizes, padding k/2)", 4, 84, 84, c2, k2, s2, 3, 32, budget);
    return 0;
}
