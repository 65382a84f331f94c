/* Env stepping speed: steps per second of every registered env, single (acrl_env_make +
 * acrl_env_step) and vectorized (64 copies, 1 and 2 threads), auto-reset included, with
 * random valid actions drawn before the timed loops. Prints a Markdown table.
 * Usage: bench_env [SECONDS per measurement, default 0.5] [ENV_ID: only this env] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acrl/env.h"

#define NACT 4096      /* pre-drawn single-env actions, cycled */
#define NVEC 64
#define NBATCH 64      /* pre-drawn vec-env action batches, cycled */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void sample(const acrl_space* s, acrl_rng* r, float* a) {
    if (s->kind == ACRL_SPACE_DISCRETE) { a[0] = (float)acrl_rng_below(r, (uint64_t)s->n); return; }
    for (int i = 0; i < s->dim; i++)
        a[i] = isfinite(s->low[i]) && isfinite(s->high[i])
                   ? (float)acrl_rng_uniform(r, s->low[i], s->high[i]) : (float)acrl_rng_normal(r);
}

static double bench_single(const char* id, double secs) {
    char err[ACRL_ERRLEN];
    acrl_env* e = acrl_env_make(id, NULL, err, sizeof err);
    if (!e) { fprintf(stderr, "%s\n", err); return NAN; }
    int ad = e->act_space.dim;
    float* acts = (float*)malloc((size_t)NACT * ad * sizeof(float));
    float* obs = (float*)malloc((size_t)e->obs_space.dim * sizeof(float));
    acrl_rng r;
    acrl_rng_seed(&r, 1);
    for (int i = 0; i < NACT; i++) sample(&e->act_space, &r, acts + (size_t)i * ad);
    acrl_env_reset(e, 0, obs);
    long steps = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < NACT; i++) {
            double rew;
            bool term, trunc;
            acrl_env_step(e, acts + (size_t)i * ad, obs, &rew, &term, &trunc);
            if (term || trunc) acrl_env_reset(e, -1, obs);
        }
        steps += NACT;
    } while ((t = now() - t0) < secs);
    free(acts);
    free(obs);
    acrl_env_close(e);
    return steps / t;
}

static double bench_vec(const char* id, int threads, double secs) {
    char err[ACRL_ERRLEN];
    acrl_vecenv* v = acrl_vecenv_make(id, NVEC, 0, threads, NULL, err, sizeof err);
    if (!v) { fprintf(stderr, "%s\n", err); return NAN; }
    size_t per = (size_t)NVEC * v->act_dim;
    float* acts = (float*)malloc(NBATCH * per * sizeof(float));
    acrl_rng r;
    acrl_rng_seed(&r, 2);
    for (int b = 0; b < NBATCH; b++)
        for (int i = 0; i < NVEC; i++) sample(&v->envs[0]->act_space, &r, acts + b * per + (size_t)i * v->act_dim);
    acrl_vecenv_reset(v);
    long steps = 0;
    double t0 = now(), t;
    do {
        for (int b = 0; b < NBATCH; b++) acrl_vecenv_step(v, acts + b * per);
        steps += (long)NBATCH * NVEC;
    } while ((t = now() - t0) < secs);
    free(acts);
    acrl_vecenv_close(v);
    return steps / t;
}

static void fmt(double x, char* buf, size_t len) {
    if (isnan(x)) snprintf(buf, len, "-");
    else if (x >= 1e6) snprintf(buf, len, "%.2f M", x / 1e6);
    else snprintf(buf, len, "%.1f k", x / 1e3);
}

int main(int argc, char** argv) {
    double secs = argc > 1 ? atof(argv[1]) : 0.5;
    if (!(secs > 0)) secs = 0.5;
    printf("## Env steps per second (auto-reset included)\n\n");
    printf("| env | single env | vec %d copies, 1 thread | vec %d copies, 2 threads |\n", NVEC, NVEC);
    printf("|---|---:|---:|---:|\n");
    for (int i = 0; i < acrl_env_count(); i++) {
        const char* id = acrl_env_spec_at(i)->id;
        if (argc > 2 && strcmp(id, argv[2]) != 0) continue;   /* bench_env SECONDS ENV_ID: one env */
        char a[32], b[32], c[32];
        fmt(bench_single(id, secs), a, sizeof a);
        fmt(bench_vec(id, 1, secs), b, sizeof b);
        fmt(bench_vec(id, 2, secs), c, sizeof c);
        printf("| %s | %s | %s | %s |\n", id, a, b, c);
        fflush(stdout);
    }
    return 0;
}
