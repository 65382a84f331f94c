/* Multi-agent env figures: stepping speed of the vectorized MPE/matrix-game copies (64 copies,
 * random actions, auto-reset included) and the return of simple_spread's scripted greedy
 * assignment (the reference line of docs/benchmarks.md), on the evaluation seeds
 * 1000000 + i that `acrl eval` and the final evaluation of a run use.
 * Usage: bench_marl [EPISODES, default 1000] [N agents, default 3] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "acrl/marl.h"
#include "marl/marl_internal.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char** argv) {
    int episodes = argc > 1 ? atoi(argv[1]) : 1000;
    int n = argc > 2 ? atoi(argv[2]) : 3;
    char err[ACRL_ERRLEN], args[32];
    printf("| env | joint steps/s (64 copies) |\n|---|---|\n");
    for (int k = 0; k < acrl_menv_count(); k++) {
        acrl_mvec* v = acrl_mvec_make(acrl_menv_id_at(k), NULL, 64, 0, err, sizeof err);
        if (!v) { fprintf(stderr, "%s\n", err); return 1; }
        acrl_rng r;
        acrl_rng_seed(&r, 1);
        int* acts = malloc(sizeof(int) * 64 * (size_t)v->n_agents * 16);
        for (int i = 0; i < 64 * v->n_agents * 16; i++)
            acts[i] = (int)acrl_rng_below(&r, (uint64_t)v->envs[0]->n_actions[i % v->n_agents]);
        long steps = 0;
        double t0 = now(), t;
        do {
            for (int b = 0; b < 16; b++) acrl_mvec_step(v, acts + (size_t)b * 64 * (size_t)v->n_agents);
            steps += 16 * 64;
        } while ((t = now() - t0) < 0.5);
        printf("| %s | %.3g M |\n", acrl_menv_id_at(k), steps / t / 1e6);
        free(acts);
        acrl_mvec_free(v);
    }
    snprintf(args, sizeof args, "N=%d", n);
    acrl_menv* e = acrl_menv_make("MPE-SimpleSpread-v3", args, err, sizeof err);
    if (!e) { fprintf(stderr, "%s\n", err); return 1; }
    float obs[16 * 64];
    double s = 0, s2 = 0, sr = 0, sr2 = 0;
    acrl_rng r;
    acrl_rng_seed(&r, 2);
    for (int ep = 0; ep < episodes; ep++) {
        for (int pass = 0; pass < 2; pass++) {   /* greedy, then uniform random actions */
            int assign[16], a[16];
            double rw[16], ret = 0;
            bool te[16], tr[16];
            acrl_menv_reset(e, 1000000 + ep, obs);
            marl_spread_greedy_assign(e, assign);
            for (;;) {
                if (pass == 0) marl_spread_greedy_actions(e, assign, a);
                else for (int i = 0; i < n; i++) a[i] = (int)acrl_rng_below(&r, 5);
                acrl_menv_step(e, a, obs, rw, te, tr);
                double team = 0;
                for (int i = 0; i < n; i++) team += rw[i];
                ret += team / n;
                if (tr[0] || te[0]) break;
            }
            if (pass == 0) { s += ret; s2 += ret * ret; } else { sr += ret; sr2 += ret * ret; }
        }
    }
    double m = s / episodes, mr = sr / episodes;
    printf("\nMPE-SimpleSpread-v3 N=%d, %d episodes (seeds 1000000..), team return (per step the agents' mean reward):\n",
           n, episodes);
    printf("  scripted greedy assignment: mean %.3f  std %.3f\n", m, sqrt(fmax(s2 / episodes - m * m, 0)));
    printf("  uniform random actions:     mean %.3f  std %.3f\n", mr, sqrt(fmax(sr2 / episodes - mr * mr, 0)));
    acrl_menv_close(e);
    return 0;
}
