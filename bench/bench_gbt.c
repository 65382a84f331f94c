/* Tree-ensemble speed (model = gbrl): prediction time per sample per 1,000 trees, batch
 * (gbt_predict, tree by tree) and one sample at a time (gbt_predict_ref), and the time to
 * fit one tree to a minibatch, for CartPole-sized (4 features, 3 outputs) and
 * gridworld-sized (176 binary features, 5 outputs) synthetic inputs. Prints a Markdown table.
 * Times are process CPU time (the machine is shared), so they read as one idle core.
 * Usage: bench_gbt [TREES, default 2000] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "acrl/rng.h"
#include "nn/gbt.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void run(const char* what, int F, int C, int onehot, int oblivious, int depth, int trees) {
    enum { B = 64, N = 1024 };
    char err[256];
    gbt_params hp = {depth, 256, oblivious, 0, 1, {0.05f, 0.05f}, {0, 0}};
    gbt m;
    if (gbt_init(&m, &hp, F, C, C - 1, B, err, sizeof err)) { fprintf(stderr, "%s\n", err); return; }
    acrl_rng r;
    acrl_rng_seed(&r, 1);
    float* x = malloc(sizeof(float) * N * (size_t)F);
    float* g = malloc(sizeof(float) * B * (size_t)C);
    float* out = malloc(sizeof(float) * N * (size_t)C);
    for (int i = 0; i < N * F; i++)
        x[i] = onehot ? (float)(acrl_rng_below(&r, 7) == 0) : (float)acrl_rng_normal(&r);
    gbt_set_bins(&m, x, N, err, sizeof err);
    double t0 = now();
    for (int t = 0; t < trees; t++) {
        const float* xb = x + (size_t)(t % (N / B)) * B * F;
        for (int i = 0; i < B * C; i++) g[i] = (float)acrl_rng_normal(&r) + xb[(i / C) * F] * (float)(i % C);
        gbt_fit(&m, xb, g, B, err, sizeof err);
    }
    double fit_us = 1e6 * (now() - t0) / trees;
    int reps = 10;
    t0 = now();
    for (int k = 0; k < reps; k++) gbt_predict(&m, out, x, N);
    double batch_ns = 1e9 * (now() - t0) / reps / N / (trees / 1000.0);
    t0 = now();
    for (int k = 0; k < reps * 128; k++) gbt_predict(&m, out, x + (size_t)(k % 128) * 8 * F, 8);
    double b8_ns = 1e9 * (now() - t0) / (reps * 128) / 8 / (trees / 1000.0);
    t0 = now();
    for (int k = 0; k < reps; k++) gbt_predict_ref(&m, out, x, N);
    double ref_ns = 1e9 * (now() - t0) / reps / N / (trees / 1000.0);
    size_t bytes = gbt_bytes(&m);
    printf("| %s | %s %d | %.1f | %.1f | %.1f | %.0f | %.0f |\n", what, oblivious ? "oblivious" : "greedy", depth,
           batch_ns / 1000, b8_ns / 1000, ref_ns / 1000, fit_us, (double)bytes / trees);
    free(x); free(g); free(out);
    gbt_free(&m);
}

int main(int argc, char** argv) {
    int trees = argc > 1 ? atoi(argv[1]) : 2000;
    if (trees < 1000) trees = 1000;
    printf("%d trees, minibatches of 64\n\n", trees);
    printf("| input | trees | predict, batch of 1024 (us / sample / 1000 trees) | batch of 8 | one at a time | fit (us / tree) | bytes / tree |\n");
    printf("|---|---|---:|---:|---:|---:|---:|\n");
    run("4 features, 3 outputs", 4, 3, 0, 1, 4, trees);
    run("4 features, 3 outputs", 4, 3, 0, 0, 4, trees);
    run("176 binary features, 5 outputs", 176, 5, 1, 1, 4, trees);
    run("176 binary features, 5 outputs", 176, 5, 1, 0, 4, trees);
    return 0;
}
