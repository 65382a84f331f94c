/* On-policy training speed: the two reference PPO runs (CleanRL's CartPole settings, RLtools'
 * Pendulum settings) in-process through acrl_train, and the time of each part of one PPO
 * minibatch (CartPole shapes: 4 -> 64 -> 64 -> 2 actor and -> 1 critic, batch 128) and of
 * one rollout step's forward (batch 4). Prints Markdown tables; the best of REPS runs.
 * Usage: bench_ppo [REPS, default 3]   (run from the source tree: reads configs/ppo/) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acrl/train.h"
#include "algo/policy.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* value of "key": NUMBER in a summary.json text, NAN if absent or null */
static double json_num(const char* text, const char* key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char* p = strstr(text, pat);
    if (!p) return NAN;
    p += strlen(pat);
    while (*p == ' ') p++;
    char* end;
    double v = strtod(p, &end);
    return end == p ? NAN : v;
}

typedef struct { const char* name; const char* env; const char* config; const char* const* sets; int nsets; int eval; } run_spec;

static void bench_run(const run_spec* r, int reps) {
    double best = INFINITY, best_wall = INFINITY, steps = NAN, ret = NAN;
    for (int i = 0; i < reps; i++) {
        acrl_train_options o = acrl_train_options_default();
        o.algo = "ppo";
        o.env_id = r->env;
        o.config_file = r->config;
        o.overrides = r->sets;
        o.n_overrides = r->nsets;
        o.eval_episodes = r->eval;
        o.quiet = true;
        char dir[64];
        snprintf(dir, sizeof dir, "/tmp/acrl-bench-ppo-%ld", (long)getpid());
        o.out_dir = dir;
        char err[512];
        double t0 = now();
        int rc = acrl_train(&o, err, sizeof err);
        double wall = now() - t0;
        if (rc) { fprintf(stderr, "%s: %s\n", r->name, err); return; }
        char path[1200], text[4096] = {0};
        snprintf(path, sizeof path, "%s/summary.json", o.run_dir);
        FILE* f = fopen(path, "r");
        if (f) { size_t n = fread(text, 1, sizeof text - 1, f); text[n] = 0; fclose(f); }
        double ts = json_num(text, "train_seconds");
        if (ts < best) best = ts;
        if (wall < best_wall) best_wall = wall;
        steps = json_num(text, "steps");
        ret = json_num(text, "eval_return_mean");
    }
    printf("| %s | %.0f | %.3f | %.3f | %.0f | %.1f |\n", r->name, steps, best, best_wall, steps / best, ret);
}

/* ---- one minibatch, part by part ----------------------------------------------------- */

enum { OD = 4, K = 2, MB = 128, NE = 4, PARTS = 7 };
static const char* part_names[PARTS] = {"forward (B=128)", "evaluate (log-prob, entropy)", "zero_grad",
                                        "backward", "clip_grad_norm", "Adam step", "rollout forward + sample (B=4)"};

static void bench_minibatch(int reps) {
    acrl_params p;
    acrl_params_init(&p);
    acrl_policy pol;
    acrl_space sp = {0};
    sp.kind = ACRL_SPACE_DISCRETE;
    sp.n = K;
    acrl_policy_config pc;
    policy_config_default(&pc); /* 64,64 tanh, orthogonal */
    char err[256];
    if (policy_build(&pol, &p, OD, &sp, &pc, MB, err, sizeof err) || acrl_params_finalize(&p, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    acrl_rng rng;
    acrl_rng_seed(&rng, 1);
    if (policy_init(&pol, &p, &pc, &rng, err, sizeof err)) { fprintf(stderr, "%s\n", err); return; }
    acrl_optim opt = acrl_optim_default(ACRL_OPT_ADAM);
    float obs[MB * OD], act[MB], w[MB], dv[MB], logp[MB], ent[MB], ract[NE], rlogp[NE];
    for (int i = 0; i < MB * OD; i++) obs[i] = (float)acrl_rng_normal(&rng);
    for (int i = 0; i < MB; i++) {
        act[i] = (float)acrl_rng_below(&rng, K);
        w[i] = (float)acrl_rng_normal(&rng) / MB;
        dv[i] = (float)acrl_rng_normal(&rng) / MB;
    }
    double best[PARTS];
    for (int k = 0; k < PARTS; k++) best[k] = INFINITY;
    const int iters = 200;
    for (int r = 0; r < 50 * reps; r++) {
        double t[PARTS] = {0};
        for (int it = 0; it < iters; it++) {
            double t0 = now();
            policy_forward(&pol, &p, obs, MB);
            double t1 = now();
            policy_evaluate(&pol, act, logp, ent);
            double t2 = now();
            acrl_params_zero_grad(&p);
            double t3 = now();
            policy_backward(&pol, &p, act, w, -0.01f / MB, dv);
            double t4 = now();
            acrl_params_clip_grad_norm(&p, 0.5f);
            double t5 = now();
            acrl_optim_step(&opt, &p, 1e-7f);
            double t6 = now();
            policy_forward(&pol, &p, obs, NE);
            policy_sample(&pol, ract, rlogp, &rng);
            double t7 = now();
            t[0] += t1 - t0; t[1] += t2 - t1; t[2] += t3 - t2; t[3] += t4 - t3;
            t[4] += t5 - t4; t[5] += t6 - t5; t[6] += t7 - t6;
        }
        for (int k = 0; k < PARTS; k++) if (t[k] / iters < best[k]) best[k] = t[k] / iters;
    }
    printf("| part | us |\n|---|---:|\n");
    double sum = 0;
    for (int k = 0; k < PARTS - 1; k++) { printf("| %s | %.2f |\n", part_names[k], 1e6 * best[k]); sum += best[k]; }
    printf("| **minibatch total** | **%.2f** |\n", 1e6 * sum);
    printf("| %s | %.2f |\n\n", part_names[PARTS - 1], 1e6 * best[PARTS - 1]);
    policy_free(&pol);
    acrl_params_free(&p);
}

int main(int argc, char** argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 3;
    if (reps < 1) reps = 1;
    printf("PPO minibatch parts (CartPole shapes, best of %d x 200):\n\n", 50 * reps);
    bench_minibatch(reps);
    static const char* const cp_sets[] = {"eval_freq=0"};
    const run_spec runs[] = {
        {"ppo CartPole-v1 (CleanRL settings)", "CartPole-v1", "configs/ppo/CartPole-v1-cleanrl.ini", cp_sets, 1, 0},
        {"ppo Pendulum-v1 (RLtools settings)", "Pendulum-v1", "configs/ppo/Pendulum-v1-rltools.ini", NULL, 0, -1},
    };
    printf("Training runs (best of %d):\n\n", reps);
    printf("| config | steps | train s | wall s | sps | eval return |\n|---|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < 2; i++) bench_run(&runs[i], reps);
    return 0;
}
