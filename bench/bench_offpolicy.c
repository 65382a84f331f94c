/* bench_offpolicy: gradient updates per second of SAC, TD3 and DDPG at the reference settings
 * (256,256 ReLU, batch 256, Adam) for obs/action sizes 3/1 (Pendulum), 17/6 (HalfCheetah)
 * and 376/17 (Humanoid), with 1 .. max_threads update threads (2: the update's lanes on a
 * worker thread, as `acrl train --threads 2`); the FLOPs of one update counted from the layer shapes (forward
 * 2*B*in*out per linear, backward twice that; input-gradient-only passes once that), the
 * achieved GFLOP/s, that as a percentage of the gemm peak measured on a 256x256x256
 * product here, and the process's CPU time per update (less disturbed than the wall time on a
 * loaded machine; with 2 threads it sums both). Work the implementation does but does not need
 * (the weight gradients of the critics in the actor step) is not counted. Takes the minimum
 * time of several repeats (shared machines are noisy).
 * Then PMOE with K = 2, 4, 8 experts against SAC (obs 17, act 6), timed alternately in the same run.
 *
 * Then DSAC-T and STAC against SAC measured in the same run (obs 17, act 6).
 *
 *     bench_offpolicy [updates_per_repeat (default 100)] [repeats (default 5)] [max_threads (default 2)]
 *                     [pmoe | dist | bf16 | table]   ("pmoe", "dist", "bf16", "table": only the PMOE,
 *                     the DSAC-T / STAC, the precision = bf16 or the SAC / TD3 / DDPG table) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xmmintrin.h>

#include "acrl.h"
#include "algo/offpolicy.h"

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* FLOPs of one MLP pass over B rows: forward 2*B*sum(in*out); backward with weight gradients
 * twice that (dX and dW), without the first layer's dX unless din. */
static double mlp_flops(int B, const int* sizes, int n, int pass /* 0 fwd, 1 bwd, 2 input gradient only */) {
    double f = 0;
    for (int l = 0; l + 1 < n; l++) {
        double mm = 2.0 * B * sizes[l] * sizes[l + 1];
        if (pass == 0 || pass == 2) f += mm;
        else f += mm + (l > 0 ? mm : 0);
    }
    return f;
}

static double gemm_peak(void) {
    const int n = 256;
    float* a = malloc(sizeof(float) * n * n);
    float* b = malloc(sizeof(float) * n * n);
    float* c = malloc(sizeof(float) * n * n);
    for (int i = 0; i < n * n; i++) { a[i] = (float)(i % 7) * 0.1f; b[i] = (float)(i % 5) * 0.1f; }
    double best = 1e9;
    for (int r = 0; r < 7; r++) {
        double t0 = now_s();
        for (int k = 0; k < 50; k++) acrl_gemm(false, false, n, n, n, 1, a, n, b, n, 0, c, n);
        double t = (now_s() - t0) / 50;
        if (t < best) best = t;
    }
    free(a); free(b); free(c);
    return 2.0 * n * n * n / best / 1e9;
}

static void bench(const char* algo_name, int od, int ad, int threads, int updates, int repeats, double peak) {
    const acrl_algo* algo = acrl_algo_find(algo_name);
    void* cfg = calloc(1, algo->cfg_size);
    char err[ACRL_ERRLEN];
    algo->cfg_defaults(cfg);
    const char* sets[] = {"net_arch=256,256", "batch_size=256", "learning_rate=0.0003", "buffer_size=4096"};
    for (int i = 0; i < 4; i++) acrl_config_parse_override(algo->cfg_table, cfg, sets[i], err, sizeof err);
    float olo[400], ohi[400], alo[32], ahi[32];
    for (int i = 0; i < od; i++) { olo[i] = -INFINITY; ohi[i] = INFINITY; }
    for (int i = 0; i < ad; i++) { alo[i] = -1; ahi[i] = 1; }
    acrl_space os = {ACRL_SPACE_BOX, od, 0, olo, ohi, {0, 0, 0}}, as = {ACRL_SPACE_BOX, ad, 0, alo, ahi, {0, 0, 0}};
    acrl_algo_ctx ctx = {&os, &as, "bench", 1, 1000000, 0, threads, 0.99f, NULL, NULL, 0};
    offp_learner* L = algo->create(cfg, &ctx, err, sizeof err);
    if (!L) { fprintf(stderr, "%s: %s\n", algo_name, err); free(cfg); return; }
    const int B = 256;
    acrl_rng rng;
    acrl_rng_seed(&rng, 1);
    /* fill the buffer with random transitions */
    float obs[400], nobs[400], act[32], rew;
    bool f = false;
    for (int t = 0; t < 4096; t++) {
        for (int i = 0; i < od; i++) { obs[i] = (float)acrl_rng_normal(&rng); nobs[i] = (float)acrl_rng_normal(&rng); }
        for (int i = 0; i < ad; i++) act[i] = (float)acrl_rng_uniform(&rng, -1, 1);
        rew = (float)acrl_rng_normal(&rng);
        replay_add(&L->core.rb, obs, act, &rew, nobs, &f, &f);
    }
    replay_batch* b = &L->core.batch;
    float* e1 = malloc(sizeof(float) * B * ad);
    float* e2 = malloc(sizeof(float) * B * ad);
    for (int i = 0; i < B * ad; i++) { e1[i] = (float)acrl_rng_normal(&rng); e2[i] = (float)acrl_rng_normal(&rng); }
    double sums[M_COUNT + 1];
    bool sac = strcmp(algo_name, "sac") == 0, ddpg = strcmp(algo_name, "ddpg") == 0;
    double best = 1e9, best_cpu = 1e9; /* the CPU time: the process's, all threads */
    for (int r = 0; r < repeats; r++) {
        double t0 = now_s(), c0 = cpu_s();
        for (int k = 0; k < updates; k++) {
            replay_sample(&L->core.rb, b, B, 1, 0.99f, &L->core.rng);
            if (sac) sac_update(L, b, B, e1, e2, sums, err, sizeof err);
            else td3_update(L, b, B, e1, ddpg || (k & 1) == 1, sums, err, sizeof err);
        }
        double t = (now_s() - t0) / updates, c = (cpu_s() - c0) / updates;
        if (t < best) best = t;
        if (c < best_cpu) best_cpu = c;
    }
    /* FLOPs per update from the layer shapes */
    int q[4] = {od + ad, 256, 256, 1}, pi[4] = {od, 256, 256, sac ? 2 * ad : ad};
    double fl;
    if (sac) {
        fl = 2 * mlp_flops(B, pi, 4, 0)                            /* actor at obs and next_obs */
             + 2 * mlp_flops(B, q, 4, 0)                           /* target critics */
             + 2 * (mlp_flops(B, q, 4, 0) + mlp_flops(B, q, 4, 1)) /* critic step */
             + 2 * (mlp_flops(B, q, 4, 0) + mlp_flops(B, q, 4, 2)) /* critics at a_pi, dQ/da */
             + mlp_flops(B, pi, 4, 1);                             /* actor backward */
    } else {
        /* per update on average: critic step every time (TD3 two critics, DDPG one), actor step
         * every second one (TD3) or every one (DDPG) */
        double nq = ddpg ? 1 : 2, actor = ddpg ? 1 : 0.5;
        fl = mlp_flops(B, pi, 4, 0) + nq * mlp_flops(B, q, 4, 0) + nq * (mlp_flops(B, q, 4, 0) + mlp_flops(B, q, 4, 1)) +
             actor * (mlp_flops(B, pi, 4, 0) + mlp_flops(B, q, 4, 0) + mlp_flops(B, q, 4, 2) + mlp_flops(B, pi, 4, 1));
    }
    double gf = fl / best / 1e9;
    printf("| %-4s | %3d/%-2d | %d | %8.1f | %7.1f | %6.1f | %5.1f%% | %6.3f |\n", algo_name, od, ad, threads, 1.0 / best,
           fl / 1e6, gf, 100 * gf / peak, 1e3 * best_cpu);
    free(e1); free(e2);
    algo->destroy(L);
    free(cfg);
}

/* A learner of algo_name (SAC or PMOE with K experts) at the reference settings, its buffer
 * filled with random transitions; NULL on error. */
static offp_learner* make_filled(const char* algo_name, int od, int ad, int K, int threads, void** cfg_out) {
    const acrl_algo* algo = acrl_algo_find(algo_name);
    void* cfg = calloc(1, algo->cfg_size);
    char err[ACRL_ERRLEN], kset[32];
    algo->cfg_defaults(cfg);
    snprintf(kset, sizeof kset, "n_experts=%d", K);
    const char* sets[] = {"net_arch=256,256", "batch_size=256", "learning_rate=0.0003", "buffer_size=4096", kset};
    for (int i = 0; i < (K > 0 ? 5 : 4); i++) acrl_config_parse_override(algo->cfg_table, cfg, sets[i], err, sizeof err);
    float olo[400], ohi[400], alo[32], ahi[32];
    for (int i = 0; i < od; i++) { olo[i] = -INFINITY; ohi[i] = INFINITY; }
    for (int i = 0; i < ad; i++) { alo[i] = -1; ahi[i] = 1; }
    acrl_space os = {ACRL_SPACE_BOX, od, 0, olo, ohi, {0, 0, 0}}, as = {ACRL_SPACE_BOX, ad, 0, alo, ahi, {0, 0, 0}};
    acrl_algo_ctx ctx = {&os, &as, "bench", 1, 1000000, 0, threads, 0.99f, NULL, NULL, 0};
    offp_learner* L = algo->create(cfg, &ctx, err, sizeof err);
    if (!L) { fprintf(stderr, "%s: %s\n", algo_name, err); free(cfg); return NULL; }
    acrl_rng rng;
    acrl_rng_seed(&rng, 1);
    float obs[400], nobs[400], act[32], rew;
    bool f = false;
    for (int t = 0; t < 4096; t++) {
        for (int i = 0; i < od; i++) { obs[i] = (float)acrl_rng_normal(&rng); nobs[i] = (float)acrl_rng_normal(&rng); }
        for (int i = 0; i < ad; i++) act[i] = (float)acrl_rng_uniform(&rng, -1, 1);
        rew = (float)acrl_rng_normal(&rng);
        replay_add(&L->core.rb, obs, act, &rew, nobs, &f, &f);
    }
    *cfg_out = cfg;
    return L;
}


/* PMOE with K experts against SAC at equal network sizes (256,256, batch 256), timed in
 * alternating blocks in the same run (best of repeats each): updates per second and the ratio
 * of the times per update, by wall clock and by the process's CPU time (which other processes
 * on a loaded machine disturb less; with 2 threads it includes the worker's spinning). */
static void bench_pmoe(int od, int ad, int K, int threads, int updates, int repeats) {
    void *cs, *cp;
    offp_learner* S = make_filled("sac", od, ad, 0, threads, &cs);
    offp_learner* P = make_filled("pmoe", od, ad, K, threads, &cp);
    if (!S || !P) return;
    const int B = 256;
    acrl_rng rng;
    acrl_rng_seed(&rng, 2);
    float* e1 = malloc(sizeof(float) * B * K * ad);
    float* e2 = malloc(sizeof(float) * B * ad);
    float* u = malloc(sizeof(float) * B);
    for (int i = 0; i < B * K * ad; i++) e1[i] = (float)acrl_rng_normal(&rng);
    for (int i = 0; i < B * ad; i++) e2[i] = (float)acrl_rng_normal(&rng);
    for (int i = 0; i < B; i++) u[i] = (float)acrl_rng_uniform(&rng, 0, 1);
    double sums[M_COUNT + 1], ts = 1e9, tp = 1e9, cs_best = 1e9, cp_best = 1e9;
    char err[ACRL_ERRLEN];
    for (int r = 0; r < repeats; r++) {
        double c0 = cpu_s(), t0 = now_s();
        for (int k = 0; k < updates; k++) {
            replay_sample(&S->core.rb, &S->core.batch, B, 1, 0.99f, &S->core.rng);
            sac_update(S, &S->core.batch, B, e1, e2, sums, err, sizeof err);
        }
        double c1 = cpu_s(), t1 = now_s();
        for (int k = 0; k < updates; k++) {
            replay_sample(&P->core.rb, &P->core.batch, B, 1, 0.99f, &P->core.rng);
            pmoe_update(P, &P->core.batch, B, e1, e2, u, sums, err, sizeof err);
        }
        double c2 = cpu_s(), t2 = now_s();
        if (c1 - c0 < cs_best) cs_best = c1 - c0;
        if (c2 - c1 < cp_best) cp_best = c2 - c1;
        if ((t1 - t0) / updates < ts) ts = (t1 - t0) / updates;
        if ((t2 - t1) / updates < tp) tp = (t2 - t1) / updates;
    }
    printf("| pmoe K=%-2d | %3d/%-2d | %d | %8.1f | %8.1f | %.3f | %.3f |\n", K, od, ad, threads, 1.0 / tp, 1.0 / ts,
           tp / ts, cp_best / cs_best);
    free(e1); free(e2); free(u);
    acrl_algo_find("sac")->destroy(S);
    acrl_algo_find("pmoe")->destroy(P);
    free(cs); free(cp);
}

/* Seconds per update of algo (sac, dsact or stac; obs 17, act 6, batch 256) with the given
 * hidden layers and activation (STAC keeps its layer norm and dropout 0.01), best of repeats:
 * wall time, and the process's CPU time into *cpu (on a loaded machine the CPU time of one
 * thread measures the work; with two threads it also counts the worker's spinning). */
static double time_update(const char* algo_name, const char* arch, const char* act, const char* prec, int threads,
                          int updates, int repeats, double* cpu) {
    enum { OD = 17, AD = 6, B = 256 };
    const acrl_algo* algo = acrl_algo_find(algo_name);
    void* cfg = calloc(1, algo->cfg_size);
    char err[ACRL_ERRLEN], s_arch[64], s_act[64], s_prec[64];
    algo->cfg_defaults(cfg);
    snprintf(s_arch, sizeof s_arch, "net_arch=%s", arch);
    snprintf(s_act, sizeof s_act, "activation=%s", act);
    snprintf(s_prec, sizeof s_prec, "precision=%s", prec);
    const char* sets[] = {s_arch, s_act, "batch_size=256", "buffer_size=4096", s_prec};
    for (int i = 0; i < 5; i++)
        if (acrl_config_parse_override(algo->cfg_table, cfg, sets[i], err, sizeof err)) fprintf(stderr, "%s\n", err);
    float olo[OD], ohi[OD], alo[AD], ahi[AD];
    for (int i = 0; i < OD; i++) { olo[i] = -INFINITY; ohi[i] = INFINITY; }
    for (int i = 0; i < AD; i++) { alo[i] = -1; ahi[i] = 1; }
    acrl_space os = {ACRL_SPACE_BOX, OD, 0, olo, ohi, {0, 0, 0}}, as = {ACRL_SPACE_BOX, AD, 0, alo, ahi, {0, 0, 0}};
    acrl_algo_ctx ctx = {&os, &as, "bench", 1, 1000000, 0, threads, 0.99f, NULL, NULL, 0};
    offp_learner* L = algo->create(cfg, &ctx, err, sizeof err);
    if (!L) { fprintf(stderr, "%s: %s\n", algo_name, err); free(cfg); return NAN; }
    acrl_rng rng;
    acrl_rng_seed(&rng, 1);
    float obs[OD], nobs[OD], a[AD], rew, e1[B * AD], e2[B * AD], ez[B];
    bool f = false;
    for (int t = 0; t < 4096; t++) {
        for (int i = 0; i < OD; i++) { obs[i] = (float)acrl_rng_normal(&rng); nobs[i] = (float)acrl_rng_normal(&rng); }
        for (int i = 0; i < AD; i++) a[i] = (float)acrl_rng_uniform(&rng, -1, 1);
        rew = (float)acrl_rng_normal(&rng);
        replay_add(&L->core.rb, obs, a, &rew, nobs, &f, &f);
    }
    for (int i = 0; i < B * AD; i++) { e1[i] = (float)acrl_rng_normal(&rng); e2[i] = (float)acrl_rng_normal(&rng); }
    for (int i = 0; i < B; i++) ez[i] = (float)acrl_rng_normal(&rng);
    replay_batch* b = &L->core.batch;
    double sums[M_COUNT + 1], best = 1e9, best_cpu = 1e9;
    for (int r = 0; r < repeats; r++) {
        double t0 = now_s(), c0 = cpu_s();
        for (int k = 0; k < updates; k++) {
            replay_sample(&L->core.rb, b, B, 1, 0.99f, &L->core.rng);
            if (algo_name[0] == 'd') dsact_update(L, b, B, e1, e2, ez, sums, err, sizeof err);
            else if (algo_name[1] == 't') stac_update(L, b, B, e1, e2, &L->core.rng, sums, err, sizeof err);
            else sac_update(L, b, B, e1, e2, sums, err, sizeof err);
        }
        double t = (now_s() - t0) / updates, c = (cpu_s() - c0) / updates;
        if (t < best) best = t;
        if (c < best_cpu) best_cpu = c;
    }
    *cpu = best_cpu;
    algo->destroy(L);
    free(cfg);
    return best;
}

/* DSAC-T and STAC against SAC measured in the same run (obs 17, act 6, batch 256). */
static void bench_vs_sac(int max_threads, int updates, int repeats) {
    printf("\nDSAC-T and STAC against SAC (obs 17, act 6, batch 256; best of %d x %d updates; DSAC-T averages\n"
           "its critic-only and actor iterations)\n\n", repeats, updates);
    printf("| algo | hidden layers | threads | updates/s (wall) | time / SAC's (wall) | CPU ms/update | CPU time / SAC's |\n"
           "|---|---|---|---:|---:|---:|---:|\n");
    const struct { const char *algo, *arch, *act, *label; } rows[] = {
        {"dsact", "256,256", "relu", "256,256 ReLU (SAC's sizes)"},
        {"dsact", "256,256,256", "relu", "256,256,256 ReLU"},
        {"dsact", "256,256,256", "gelu", "256,256,256 GELU (official)"},
        {"stac", "256,256", "relu", "256,256 ReLU + LayerNorm + Dropout 0.01 (paper)"},
    };
    for (int t = 1; t <= max_threads; t++) {
        double sac_cpu, sac = time_update("sac", "256,256", "relu", "float", t, updates, repeats, &sac_cpu);
        printf("| sac | 256,256 ReLU | %d | %.1f | 1.00 | %.2f | 1.00 |\n", t, 1 / sac, 1e3 * sac_cpu);
        for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
            double c, x = time_update(rows[r].algo, rows[r].arch, rows[r].act, "float", t, updates, repeats, &c);
            printf("| %s | %s | %d | %.1f | %.2f | %.2f | %.2f |\n", rows[r].algo, rows[r].label, t, 1 / x, x / sac,
                   1e3 * c, c / sac_cpu);
        }
    }
}

/* precision = bf16 against float, same algorithm and sizes, measured in the same run (obs 17,
 * act 6, batch 256; bf16 in the layers 256 wide on both sides). */
static void bench_bf16(int max_threads, int updates, int repeats) {
    printf("\nprecision = bf16 against float (obs 17, act 6, batch 256; best of %d x %d updates; avx512_bf16: %s)\n\n",
           repeats, updates, acrl_bf16_supported() ? "yes" : "no (bf16 runs in float)");
    printf("| algo | hidden layers | threads | float updates/s | bf16 updates/s | speed-up (wall) | speed-up (CPU) |\n"
           "|---|---|---|---:|---:|---:|---:|\n");
    const struct { const char *algo, *arch, *act; } rows[] = {
        {"sac", "256,256", "relu"}, {"sac", "512,512", "relu"}, {"sac", "256,256,256", "relu"},
        {"dsact", "256,256,256", "gelu"}, {"stac", "256,256", "relu"},
    };
    for (int t = 1; t <= max_threads; t++)
        for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
            double cf, cb, f = 1e9, b = 1e9;
            cf = cb = 1e9;
            for (int k = 0; k < 2; k++) { /* alternate, best of both */
                double c, x = time_update(rows[r].algo, rows[r].arch, rows[r].act, "float", t, updates, repeats, &c);
                if (x < f) f = x;
                if (c < cf) cf = c;
                x = time_update(rows[r].algo, rows[r].arch, rows[r].act, "bf16", t, updates, repeats, &c);
                if (x < b) b = x;
                if (c < cb) cb = c;
            }
            printf("| %s | %s %s | %d | %.1f | %.1f | %.2f | %.2f |\n", rows[r].algo, rows[r].arch, rows[r].act, t,
                   1 / f, 1 / b, f / b, cf / cb);
        }
}

int main(int argc, char** argv) {
    int updates = argc > 1 ? atoi(argv[1]) : 100, repeats = argc > 2 ? atoi(argv[2]) : 5;
    int max_threads = argc > 3 ? atoi(argv[3]) : 2;
    _mm_setcsr(_mm_getcsr() | 0x8040u); /* FTZ/DAZ, as the trainer runs gradient steps */
    if (argc > 4 && strcmp(argv[4], "bf16") == 0) { /* only precision = bf16 against float */
        bench_bf16(max_threads, updates, repeats);
        return 0;
    }
    if (argc > 4 && strcmp(argv[4], "dist") == 0) { /* only the DSAC-T / STAC comparison */
        bench_vs_sac(max_threads, updates, repeats);
        return 0;
    }
    double peak = gemm_peak();
    printf("off-policy updates, 256,256 ReLU, batch 256 (best of %d x %d updates)\n", repeats, updates);
    printf("gemm peak (256x256x256, %s): %.1f GFLOP/s\n\n", acrl_gemm_backend(), peak);
    printf("| algo | obs/act | threads | updates/s | MFLOP/update | GFLOP/s | %% of peak (1 core) | CPU ms/update |\n"
           "|---|---|---|---|---|---|---|---|\n");
    const int shapes[3][2] = {{3, 1}, {17, 6}, {376, 17}};
    const char* algos[3] = {"sac", "td3", "ddpg"};
    const bool only_pmoe = argc > 4 && strcmp(argv[4], "pmoe") == 0; /* just the PMOE/SAC table */
    for (int a = 0; a < 3 && !only_pmoe; a++)
        for (int s = 0; s < 3; s++)
            for (int t = 1; t <= max_threads; t++) bench(algos[a], shapes[s][0], shapes[s][1], t, updates, repeats, peak);
    if (argc > 4 && strcmp(argv[4], "table") == 0) return 0;
    printf("\nPMOE against SAC in the same run (equal networks; time per update, PMOE / SAC):\n\n"
           "| algo | obs/act | threads | PMOE updates/s | SAC updates/s | time ratio (wall) | time ratio (CPU) |\n"
           "|---|---|---|---|---|---|---|\n");
    const int ks[3] = {2, 4, 8};
    for (int k = 0; k < 3; k++)
        for (int t = 1; t <= max_threads; t++) bench_pmoe(17, 6, ks[k], t, updates, repeats);
    double after = gemm_peak();
    printf("\ngemm peak measured again after the runs: %.1f GFLOP/s (percentages above use the first; on a\n"
           "loaded machine take the larger)\n", after);
    if (!only_pmoe) bench_vs_sac(max_threads, updates, repeats);
    return 0;
}
