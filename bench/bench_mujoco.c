/* bench_mujoco.c - steps/s of each MuJoCo task through the env's step versus the raw
 * simulation (ctrl copy + mj_step x frame_skip) on the same model and trajectory;
 * prints a Markdown table. Usage: bench_mujoco [seconds per measurement, default 0.3] */
#include <mujoco/mujoco.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acrl/mujoco.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

enum { NACT = 1000 };   /* a fixed cycle of random actions */

/* Both loops start from the same reset state and apply the same actions without
 * resetting on termination, so they simulate the same trajectory. */
static double run_env(acrl_env* env, const float* acts, int n, float* obs, double* state0) {
    char err[ACRL_ERRLEN];
    mj_resetData(acrl_mujoco_model(env), acrl_mujoco_data(env));   /* same warm start as raw */
    env->vt->set_state(env, state0, env->state_dim, obs, err, sizeof err);
    int ad = env->act_space.dim;
    double t0 = now();
    for (int t = 0; t < n; t++) {
        double r;
        bool term, trunc;
        env->vt->step(env, acts + (size_t)(t % NACT) * ad, obs, &r, &term, &trunc);
    }
    return now() - t0;
}

static double run_raw(const mjModel* m, mjData* d, int skip, const float* acts, int n, const double* state0) {
    mj_resetData(m, d);
    memcpy(d->qpos, state0, sizeof(double) * (size_t)m->nq);
    memcpy(d->qvel, state0 + m->nq, sizeof(double) * (size_t)m->nv);
    mj_forward(m, d);
    double t0 = now();
    for (int t = 0; t < n; t++) {
        const float* a = acts + (size_t)(t % NACT) * m->nu;
        for (int i = 0; i < m->nu; i++) d->ctrl[i] = a[i];
        for (int k = 0; k < skip; k++) mj_step(m, d);
    }
    return now() - t0;
}

int main(int argc, char** argv) {
    double budget = argc > 1 ? atof(argv[1]) : 0.3;
    printf("| task | env steps/s | raw mj_step x frame_skip steps/s | overhead |\n");
    printf("|---|---:|---:|---:|\n");
    for (int s = 0; s < acrl_mujoco_spec_count; s++) {
        char err[ACRL_ERRLEN];
        acrl_env* env = acrl_mujoco_specs[s].create(NULL, err, sizeof err);
        if (!env) { fprintf(stderr, "%s\n", err); return 1; }
        const mjModel* m = acrl_mujoco_model(env);
        mjData* raw = mj_makeData(m);
        mjData* d = acrl_mujoco_data(env);
        int skip = acrl_mujoco_frame_skip(env), ad = env->act_space.dim;
        float* acts = malloc(sizeof(float) * NACT * (size_t)ad);
        float obs[400];
        acrl_rng r;
        acrl_rng_seed(&r, 1);
        for (int i = 0; i < NACT * ad; i++) acts[i] = (float)acrl_rng_uniform(&r, env->act_space.low[i % ad], env->act_space.high[i % ad]);
        acrl_rng_seed(&env->rng, 0);
        env->vt->reset(env, obs);
        double* state0 = malloc(sizeof(double) * (size_t)env->state_dim);
        memcpy(state0, d->qpos, sizeof(double) * (size_t)m->nq);
        memcpy(state0 + m->nq, d->qvel, sizeof(double) * (size_t)m->nv);
        /* calibrate the step count to the time budget */
        int n = 100;
        while (run_raw(m, raw, skip, acts, n, state0) < budget / 4 && n < 10000000) n *= 2;
        double best_env = 1e30, best_raw = 1e30;
        for (int rep = 0; rep < 5; rep++) {   /* interleaved, best of 5 */
            double te = run_env(env, acts, n, obs, state0);
            double tr = run_raw(m, raw, skip, acts, n, state0);
            if (te < best_env) best_env = te;
            if (tr < best_raw) best_raw = tr;
        }
        int same = memcmp(d->qpos, raw->qpos, sizeof(double) * (size_t)m->nq) == 0;
        printf("| %s | %.0f | %.0f | %+.1f%%%s |\n", env->id, n / best_env, n / best_raw,
               100.0 * (best_env / best_raw - 1.0), same ? "" : " (trajectories differ!)");
        free(state0);
        free(acts);
        mj_deleteData(raw);
        env->vt->close(env);
    }
    return 0;
}
