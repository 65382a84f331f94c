/* bench_comm: the time of the transfers a data-parallel PPO update makes (dist/comm.h),
 * under mpirun -n R: the per-env-step statistics exchange, the per-rollout gather of
 * advantages/returns/values, and the per-minibatch gather of the shards' gradient partials.
 * Prints one Markdown row per size on rank 0 (median of REPS).
 * Usage: mpirun -n 2 build/bench_comm [NPARAMS] [REPS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dist/comm.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
    char err[256];
    if (comm_init(&argc, &argv, err, sizeof err)) { fprintf(stderr, "bench_comm: %s\n", err); return 1; }
    long nparams = argc > 1 ? atol(argv[1]) : 142605; /* PPO HalfCheetah preset: 256x256 actor and critic */
    int reps = argc > 2 ? atoi(argv[2]) : 200;
    int R = comm_size();
    /* what one rank sends per transfer (bytes) */
    struct { const char* what; size_t bytes; } sizes[] = {
        {"env-step statistics (HalfCheetah, 4 copies per shard)", 8 * (2 * 17 + 2 + 3 * 4)},
        {"rollout gather (512 steps x 4 copies x 3 floats)", 4 * 3 * 512 * 4},
        {"gradient partial (NPARAMS floats + 5 sums)", 4 * (size_t)nparams + 40},
    };
    if (comm_rank() == 0) {
        printf("ranks %d, %ld parameters, median of %d\n\n", R, nparams, reps);
        printf("| transfer | bytes per rank | allgather us |\n|---|---:|---:|\n");
    }
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k].bytes;
        char* send = calloc(n, 1);
        char* recv = calloc(n * (size_t)R, 1);
        double* t = malloc(sizeof(double) * (size_t)reps);
        if (!send || !recv || !t) return 1;
        for (int i = 0; i < reps; i++) {
            double t0 = now_s();
            if (comm_allgather(send, n, recv, err, sizeof err)) { fprintf(stderr, "bench_comm: %s\n", err); return 1; }
            t[i] = now_s() - t0;
        }
        qsort(t, (size_t)reps, sizeof(double), cmp);
        if (comm_rank() == 0) printf("| %s | %zu | %.1f |\n", sizes[k].what, n, 1e6 * t[reps / 2]);
        free(send); free(recv); free(t);
    }
    comm_finalize();
    return 0;
}
