/* test_ckpt_sections: every checkpoint reader checks each section's presence and exact
 * size before use. For real (tiny) runs of every algorithm, valid-CRC checkpoints are
 * rewritten with one section removed, shortened by a byte or lengthened by a byte, or
 * labelled with another algorithm or env; evaluating or resuming them must fail with
 * ACRL_ERR_INPUT (the CLI: exit code 2) and a message naming the section, never crash
 * (the ASan build runs this too). Regression: a checkpoint without its "run" section
 * used to crash `acrl eval` with a segmentation fault.
 * Also: policy.ckpt evaluates exactly like final.ckpt, equals `acrl export` of it, holds
 * only the policy, and cannot be resumed.
 * Every section and variant goes through the library calls that `acrl eval` and `acrl train
 * --resume` make (acrl_eval_checkpoint, acrl_train with resume_dir). The CLI itself, which
 * only maps the refusal to exit code 2, runs for a sample per case: the sections "run" and
 * "config" and the first and last of the others, removed (all variants with cli_all). Running
 * it for every section spawned about 740 processes, 95% of this test's time under ASan. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "acrl.h"
#include "test.h"
#include "test_files.h"

static char tmp_root[] = "/tmp/acrl-test-cksec-XXXXXX";

typedef struct {
    const char* algo;
    const char* env;
    long steps;
    const char* sets[10];
    int nsets;
    int cli_all;   /* run the CLI for every variant of the sampled sections (else only removed) */
} run_case;

static const run_case cases[] = {
    {"ppo", "CartPole-v1", 64, {"n_steps=16", "batch_size=16", "n_epochs=1", "n_envs=2", "normalize=1", "net_arch=8",
                                "eval_freq=0"}, 7, 1},
    {"a2c", "CartPole-v1", 40, {"n_envs=2", "net_arch=8", "eval_freq=0", "normalize_reward=1"}, 4, 0},
    /* tree ensembles: their sections (.tree, .tree_rollouts; policy.tree, ...) like any other */
    {"ppo", "CartPole-v1", 64, {"model=gbrl", "n_steps=16", "batch_size=16", "n_epochs=1", "n_envs=2", "normalize=1",
                                "eval_freq=0"}, 7, 1},
    {"a2c", "Pendulum-v1", 40, {"model=gbrl", "tree_shared=0", "tree_growth=greedy", "n_envs=2", "eval_freq=0"}, 5, 0},
    {"a3c", "Pendulum-v1", 40, {"sync=1", "updates_per_iter=2", "net_arch=8", "eval_freq=0"}, 4, 0},
    {"sac", "Pendulum-v1", 80, {"net_arch=8", "buffer_size=200", "learning_starts=50", "batch_size=8", "save_buffer=1",
                                "normalize=1", "eval_freq=0"}, 7, 0},
    {"sac", "CartPole-v1", 80, {"net_arch=8", "buffer_size=60", "learning_starts=50", "batch_size=8", "save_buffer=1",
                                "eval_freq=0"}, 6, 0},
    {"td3", "Pendulum-v1", 80, {"net_arch=8", "buffer_size=200", "learning_starts=50", "batch_size=8",
                                "eval_freq=0"}, 5, 0},
    {"ddpg", "Pendulum-v1", 80, {"net_arch=8", "buffer_size=200", "learning_starts=50", "batch_size=8",
                                 "noise_type=ornstein-uhlenbeck", "eval_freq=0"}, 6, 0},
    {"dsact", "Pendulum-v1", 80, {"net_arch=8", "buffer_size=200", "learning_starts=50", "batch_size=8",
                                  "save_buffer=1", "eval_freq=0"}, 6, 0},
    {"stac", "Pendulum-v1", 80, {"net_arch=8", "buffer_size=200", "learning_starts=50", "batch_size=8",
                                 "eval_freq=0"}, 5, 0},
    /* the buffer's cost column, the cost critic and the multiplier */
    {"sac-lag", "SafetyHopperVelocity-v1", 80, {"net_arch=8", "buffer_size=200", "learning_starts=50",
                                                "batch_size=8", "save_buffer=1", "lagrange_warmup=0",
                                                "eval_freq=0"}, 7, 0},
    /* the cost critic and the multiplier (ppo_lag.cost.*, ppo_lag.lambda) */
    {"ppo-lag", "SafetyHopperVelocity-v1", 64, {"n_steps=16", "batch_size=16", "n_epochs=1", "n_envs=2",
                                                 "net_arch=8", "eval_freq=0"}, 6, 0},
    /* both stages: the main learner, the stage-one PPO-Lagrangian learner and the duals
     * (tscac.main.*, tscac.aux0.*, tscac.aux0.cost.*, tscac.aux0.lambda, tscac.dual); one
     * rollout of each stage */
    {"tscac", "SafetyHopperVelocity-v1", 64, {"n_steps=16", "batch_size=16", "n_epochs=1", "n_envs=2",
                                               "net_arch=8", "stage1_fraction=0.5", "eval_freq=0"}, 7, 0},
    /* AWR's buffer of rollouts (awr.buffer, .buffer_flags, .buffer_meta), MLP and trees */
    {"awr", "CartPole-v1", 96, {"n_steps=16", "n_envs=2", "buffer_rollouts=2", "batch_size=8", "gradient_steps=2",
                                "net_arch=8", "eval_freq=0"}, 7, 0},
    {"awr", "Pendulum-v1", 48, {"model=gbrl", "n_steps=8", "n_envs=2", "buffer_rollouts=4", "batch_size=8",
                                "gradient_steps=2", "eval_freq=0"}, 7, 0},
};
#define NCASES (int)(sizeof cases / sizeof cases[0])

enum { V_REMOVED, V_SHORT, V_LONG, V_COUNT };
static const char* const variant_names[V_COUNT] = {"removed", "short by 1 byte", "long by 1 byte"};

/* Rewrites checkpoint c into path with section `victim` changed by variant v (valid CRC),
 * and the header's algo/env replaced when given. */
static int rewrite(const acrl_ckpt* c, const char* path, const char* victim, int v, const char* algo,
                   const char* env) {
    char err[ACRL_ERRLEN];
    acrl_ckpt_writer* w = acrl_ckpt_begin(algo ? algo : acrl_ckpt_algo(c), env ? env : acrl_ckpt_env_id(c));
    for (int i = 0; i < acrl_ckpt_section_count(c); i++) {
        const char* name = acrl_ckpt_section_name(c, i);
        size_t len;
        const char* data = acrl_ckpt_section(c, name, &len);
        if (!victim || strcmp(name, victim) != 0) { acrl_ckpt_add(w, name, data, len); continue; }
        if (v == V_REMOVED) continue;
        if (v == V_SHORT) { acrl_ckpt_add(w, name, data, len ? len - 1 : 0); continue; }
        char* longer = calloc(1, len + 1);
        memcpy(longer, data, len);
        acrl_ckpt_add_copy(w, name, longer, len + 1);
        free(longer);
    }
    int rc = acrl_ckpt_commit(w, path, err, sizeof err);
    if (rc) fprintf(stderr, "  rewrite %s: %s\n", path, err);
    return rc;
}

static int eval_lib(const char* path, char* err) {
    double m, s;
    return acrl_eval_checkpoint(path, 1, 3, false, &m, &s, err, ACRL_ERRLEN);
}

static int resume_lib(const char* dir, char* err) {
    acrl_train_options o = acrl_train_options_default();
    o.resume_dir = dir;
    o.quiet = true;
    o.eval_episodes = 0;
    return acrl_train(&o, err, ACRL_ERRLEN);
}

/* Runs the acrl CLI with args; its exit code, stderr into msg. -1 if not run. */
static int run_cli(const char* args, char* msg, size_t len) {
#ifdef ACRL_CLI_PATH
    char cmd[4096], errfile[1300];
    snprintf(errfile, sizeof errfile, "%s/cli.err", tmp_root);
    snprintf(cmd, sizeof cmd, "%s %s >/dev/null 2>'%s'", ACRL_CLI_PATH, args, errfile);
    int st = system(cmd);
    size_t n = 0;
    char* text = slurp(errfile, &n);
    snprintf(msg, len, "%s", text ? text : "");
    free(text);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
#else
    (void)args;
    snprintf(msg, len, "(no CLI)");
    return -1;
#endif
}

/* the error names the section: "'name'", or for config (text, no fixed size) "config" */
static int names(const char* err, const char* section) {
    char q[128];
    snprintf(q, sizeof q, "'%s'", section);
    if (strcmp(section, "config") == 0) return strstr(err, "config") != NULL;
    return strstr(err, q) != NULL;
}

#define EXPECT_REFUSED(rc, err, section, what, ...) do { \
    int ok_ = (rc) == ACRL_ERR_INPUT && names(err, section); \
    CHECK(ok_); \
    if (!ok_) { fprintf(stderr, "  " what ": rc %d: %s\n", __VA_ARGS__, rc, err); } \
} while (0)

static void check_case(const run_case* rc_) {
    char dir[1200], final[1300], policy[1300], bad[1300], rdir[1300], last[1400], err[ACRL_ERRLEN];
    char args[4096], msg[4096];
    snprintf(dir, sizeof dir, "%s/%d-%s-%s", tmp_root, (int)(rc_ - cases), rc_->algo, rc_->env);
    acrl_train_options o = acrl_train_options_default();
    o.algo = rc_->algo;
    o.env_id = rc_->env;
    o.out_dir = dir;
    o.steps = rc_->steps;
    o.seed = 3;
    o.quiet = true;
    o.eval_episodes = 1;
    o.overrides = rc_->sets;
    o.n_overrides = rc_->nsets;
    int rc = acrl_train(&o, err, sizeof err);
    if (rc != ACRL_OK) fprintf(stderr, "  train %s %s: %s\n", rc_->algo, rc_->env, err);
    CHECK(rc == ACRL_OK);
    snprintf(final, sizeof final, "%s/final.ckpt", dir);
    snprintf(policy, sizeof policy, "%s/policy.ckpt", dir);

    /* ---- policy.ckpt: the same evaluations, only the policy ---- */
    double m1, s1, m2, s2;
    CHECK(acrl_eval_checkpoint(final, 3, 11, false, &m1, &s1, err, sizeof err) == ACRL_OK);
    CHECK(acrl_eval_checkpoint(policy, 3, 11, false, &m2, &s2, err, sizeof err) == ACRL_OK);
    CHECK(m1 == m2 && s1 == s2);
    printf("  %s %s: final.ckpt %.17g +- %.17g, policy.ckpt %.17g +- %.17g", rc_->algo, rc_->env, m1, s1, m2, s2);
    CHECK(acrl_eval_checkpoint(final, 2, 12, true, &m1, &s1, err, sizeof err) == ACRL_OK);
    CHECK(acrl_eval_checkpoint(policy, 2, 12, true, &m2, &s2, err, sizeof err) == ACRL_OK);
    CHECK(m1 == m2 && s1 == s2);
    printf(" (stochastic %.17g / %.17g)\n", m1, m2);
    snprintf(bad, sizeof bad, "%s/exported.ckpt", dir);
    CHECK(acrl_export_policy(final, bad, err, sizeof err) == ACRL_OK);
    CHECK(same_file(bad, policy));
    acrl_ckpt* pc = acrl_ckpt_load(policy, err, sizeof err);
    acrl_ckpt* fc = acrl_ckpt_load(final, err, sizeof err);
    CHECK(pc && fc);
    if (!pc || !fc) { acrl_ckpt_free(pc); acrl_ckpt_free(fc); return; }
    struct stat sp, sf;
    stat(policy, &sp);
    stat(final, &sf);
    printf("    policy.ckpt %lld bytes, final.ckpt %lld bytes\n", (long long)sp.st_size, (long long)sf.st_size);
    CHECK(sp.st_size < sf.st_size);
    /* tree policies add their ensembles and the bin-refresh counter */
    const int trees = acrl_ckpt_section(pc, "policy.tree_rollouts", NULL) != NULL;
    const int n_ens = trees ? (acrl_ckpt_section(pc, "policy.tree", NULL) ? 1 : 2) : 0;
    CHECK(acrl_ckpt_section_count(pc) == 4 + (trees ? 1 + n_ens : 0));
    CHECK(acrl_ckpt_section(pc, "config", NULL) && acrl_ckpt_section(pc, "policy.params", NULL) &&
          acrl_ckpt_section(pc, "policy.obs_norm", NULL) && acrl_ckpt_section(pc, "policy.rng", NULL));
    /* resuming a policy-only checkpoint is refused */
    snprintf(rdir, sizeof rdir, "%s/resume", dir);
    mkdir(rdir, 0777);
    snprintf(last, sizeof last, "%s/last.ckpt", rdir);
    CHECK(rewrite(pc, last, NULL, 0, NULL, NULL) == 0);
    rc = resume_lib(rdir, err);
    CHECK(rc == ACRL_ERR_INPUT && strstr(err, "policy-only"));
    snprintf(args, sizeof args, "train --resume '%s'", rdir);
    rc = run_cli(args, msg, sizeof msg);
    CHECK(rc == -1 || (rc == 2 && strstr(msg, "policy-only")));

    /* ---- every section of the full checkpoint: removed, short, long ---- */
    int nsec = acrl_ckpt_section_count(fc), refused = 0, total = 0, cli_runs = 0, first_other = -1, last_other = -1;
    for (int i = 0; i < nsec; i++) {
        const char* name = acrl_ckpt_section_name(fc, i);
        if (strcmp(name, "run") == 0 || strcmp(name, "config") == 0) continue;
        if (first_other < 0) first_other = i;
        last_other = i;
    }
    for (int i = 0; i < nsec; i++) {
        char name[80];
        snprintf(name, sizeof name, "%s", acrl_ckpt_section_name(fc, i));
        size_t slen = 0;
        acrl_ckpt_section(fc, name, &slen);
        for (int v = 0; v < V_COUNT; v++) {
            /* an empty section (a categorical tree policy's parameter store) has no shorter form */
            if (v == V_SHORT && slen == 0) continue;
            snprintf(bad, sizeof bad, "%s/bad.ckpt", dir);
            CHECK(rewrite(fc, bad, name, v, NULL, NULL) == 0);
            CHECK(rewrite(fc, last, name, v, NULL, NULL) == 0);
            int is_config = strcmp(name, "config") == 0;
            rc = eval_lib(bad, err);
            total++;
            if (is_config && v != V_REMOVED && rc == ACRL_OK) {
                /* config is text with no fixed size: a byte less or more may still be a valid config
                 * (a final newline); then it must be the same config, i.e. everything else loads */
            } else {
                refused += rc == ACRL_ERR_INPUT;
                EXPECT_REFUSED(rc, err, name, "eval, section %s %s", name, variant_names[v]);
            }
            int rr = resume_lib(rdir, err);
            if (!(is_config && v != V_REMOVED && rc == ACRL_OK))
                EXPECT_REFUSED(rr, err, name, "resume, section %s %s", name, variant_names[v]);
            const int sampled = strcmp(name, "run") == 0 || is_config || i == first_other || i == last_other;
            if (sampled && (v == V_REMOVED || rc_->cli_all)) {
                cli_runs++;
                snprintf(args, sizeof args, "eval '%s' --episodes 1", bad);
                int cr = run_cli(args, msg, sizeof msg);
                if (cr != -1 && !(is_config && v != V_REMOVED && cr == 0))
                    EXPECT_REFUSED(cr == 2 ? ACRL_ERR_INPUT : cr, msg, name, "acrl eval, section %s %s", name,
                                   variant_names[v]);
                snprintf(args, sizeof args, "train --resume '%s' --quiet", rdir);
                cr = run_cli(args, msg, sizeof msg);
                if (cr != -1 && !(is_config && v != V_REMOVED && cr == 0))
                    EXPECT_REFUSED(cr == 2 ? ACRL_ERR_INPUT : cr, msg, name, "acrl train --resume, section %s %s",
                                   name, variant_names[v]);
            }
        }
    }
    printf("    %d sections x 3 variants: %d of %d evaluations refused; the CLI on %d of them\n", nsec, refused,
           total, cli_runs);
    CHECK(refused >= total - 2);

    /* ---- the policy-only checkpoint's sections ---- */
    for (int i = 0; i < acrl_ckpt_section_count(pc); i++) {
        const char* name = acrl_ckpt_section_name(pc, i);
        size_t slen = 0;
        acrl_ckpt_section(pc, name, &slen);
        for (int v = 0; v < V_COUNT; v++) {
            if (v == V_SHORT && slen == 0) continue;
            CHECK(rewrite(pc, bad, name, v, NULL, NULL) == 0);
            rc = eval_lib(bad, err);
            if (strcmp(name, "config") == 0 && v != V_REMOVED && rc == ACRL_OK) continue;
            /* without policy.params the file is no longer policy-only: it lacks the full sections */
            const char* want = strcmp(name, "policy.params") == 0 && v == V_REMOVED ? "run" : name;
            EXPECT_REFUSED(rc, err, want, "eval policy.ckpt, section %s %s", name, variant_names[v]);
        }
    }

    /* ---- foreign: another algorithm's or env's checkpoint under this header ---- */
    const char* other_algo = strcmp(rc_->algo, "ppo") == 0    ? "a2c"
                             : strcmp(rc_->algo, "sac") == 0   ? "td3"
                             : strcmp(rc_->algo, "dsact") == 0 ? "stac" /* a DSAC-T checkpoint given to STAC */
                             : strcmp(rc_->algo, "stac") == 0  ? "dsact"
                                                               : "ppo";
    const char* other_env = strcmp(rc_->env, "CartPole-v1") == 0               ? "Acrobot-v1"
                            : strcmp(rc_->env, "SafetyHopperVelocity-v1") == 0 ? "SafetyWalker2dVelocity-v1"
                                                                               : "MountainCarContinuous-v0";
    for (int k = 0; k < 2; k++) {
        CHECK(rewrite(fc, bad, NULL, 0, k == 0 ? other_algo : NULL, k == 1 ? other_env : NULL) == 0);
        CHECK(rewrite(fc, last, NULL, 0, k == 0 ? other_algo : NULL, k == 1 ? other_env : NULL) == 0);
        rc = eval_lib(bad, err);
        int ok = rc == ACRL_ERR_INPUT && (strstr(err, "section '") || strstr(err, "config"));
        CHECK(ok);
        printf("    as %s: %s\n", k == 0 ? other_algo : other_env, err);
        rc = resume_lib(rdir, err);
        CHECK(rc == ACRL_ERR_INPUT && (strstr(err, "section '") || strstr(err, "config")));
        snprintf(args, sizeof args, "eval '%s'", bad);
        rc = run_cli(args, msg, sizeof msg);
        CHECK(rc == -1 || rc == 2);
    }
    acrl_ckpt_free(pc);
    acrl_ckpt_free(fc);
}

/* A tree checkpoint given to an MLP config and the reverse: the tree run's and the MLP run's
 * checkpoints (case ia and ib: same algorithm and env) with their config sections swapped
 * are refused, by the library (ACRL_ERR_INPUT, a message naming the models) and the CLI
 * (exit code 2), for final.ckpt and policy.ckpt. */
static void check_model_swap(int ia, int ib) {
    char err[ACRL_ERRLEN], path[2][1400], bad[1400], args[4096], msg[4096];
    const char* files[2] = {"final.ckpt", "policy.ckpt"};
    snprintf(bad, sizeof bad, "%s/swapped.ckpt", tmp_root);
    for (int f = 0; f < 2; f++) {
        acrl_ckpt* c[2];
        for (int k = 0; k < 2; k++) {
            int i = k ? ib : ia;
            snprintf(path[k], sizeof path[k], "%s/%d-%s-%s/%s", tmp_root, i, cases[i].algo, cases[i].env, files[f]);
            c[k] = acrl_ckpt_load(path[k], err, sizeof err);
            CHECK(c[k] != NULL);
        }
        if (!c[0] || !c[1]) { acrl_ckpt_free(c[0]); acrl_ckpt_free(c[1]); continue; }
        for (int k = 0; k < 2; k++) {
            /* c[k]'s sections under c[1-k]'s config */
            acrl_ckpt_writer* w = acrl_ckpt_begin(acrl_ckpt_algo(c[k]), acrl_ckpt_env_id(c[k]));
            for (int i = 0; i < acrl_ckpt_section_count(c[k]); i++) {
                const char* name = acrl_ckpt_section_name(c[k], i);
                size_t len;
                const void* data = acrl_ckpt_section(c[strcmp(name, "config") == 0 ? 1 - k : k], name, &len);
                acrl_ckpt_add(w, name, data, len);
            }
            CHECK(acrl_ckpt_commit(w, bad, err, sizeof err) == 0);
            int rc = eval_lib(bad, err);
            const char* want = k == 0 ? "holds a tree ensemble (model = gbrl) but the config says model = mlp"
                                      : "holds no tree ensemble";
            int ok = rc == ACRL_ERR_INPUT && strstr(err, want) != NULL;
            CHECK(ok);
            printf("  %s %s under the %s config: %s\n", k == 0 ? "tree" : "MLP", files[f], k == 0 ? "MLP" : "tree", err);
            snprintf(args, sizeof args, "eval '%s' --episodes 1", bad);
            rc = run_cli(args, msg, sizeof msg);
            CHECK(rc == -1 || (rc == 2 && strstr(msg, want)));
        }
        acrl_ckpt_free(c[0]);
        acrl_ckpt_free(c[1]);
    }
}

/* AWR's buffer values are checked, not only its size: a NaN observation, an action outside
 * CartPole's two, a flag above 2 and a filled count above buffer_rollouts are refused. */
static void check_awr_values(int idx) {
    char err[ACRL_ERRLEN], path[1400], bad[1400];
    snprintf(path, sizeof path, "%s/%d-%s-%s/final.ckpt", tmp_root, idx, cases[idx].algo, cases[idx].env);
    snprintf(bad, sizeof bad, "%s/awr-bad.ckpt", tmp_root);
    acrl_ckpt* c = acrl_ckpt_load(path, err, sizeof err);
    CHECK(c != NULL);
    if (!c) return;
    const int n_steps = 16, E = 2, od = 4; /* the case's n_steps, n_envs; CartPole's observation */
    const size_t act0 = (size_t)n_steps * E * od; /* slot 0: observations, then actions */
    for (int k = 0; k < 4; k++) {
        acrl_ckpt_writer* w = acrl_ckpt_begin(acrl_ckpt_algo(c), acrl_ckpt_env_id(c));
        for (int i = 0; i < acrl_ckpt_section_count(c); i++) {
            const char* name = acrl_ckpt_section_name(c, i);
            size_t len;
            const uint8_t* data = acrl_ckpt_section(c, name, &len);
            uint8_t* copy = malloc(len ? len : 1);
            memcpy(copy, data, len);
            float nan = NAN, three = 3.0f;
            int64_t big = 3;
            if (k == 0 && strcmp(name, "awr.buffer") == 0) memcpy(copy + 4 * 5, &nan, 4);
            if (k == 1 && strcmp(name, "awr.buffer") == 0) memcpy(copy + 4 * (act0 + 7), &three, 4);
            if (k == 2 && strcmp(name, "awr.buffer_flags") == 0) copy[9] = 3;
            if (k == 3 && strcmp(name, "awr.buffer_meta") == 0) memcpy(copy, &big, 8); /* little-endian hosts */
            acrl_ckpt_add_copy(w, name, copy, len);
            free(copy);
        }
        CHECK(acrl_ckpt_commit(w, bad, err, sizeof err) == 0);
        int rc = eval_lib(bad, err);
        int ok = rc == ACRL_ERR_INPUT && strstr(err, "'awr.buffer");
        CHECK(ok);
        printf("  awr buffer, corruption %d: %s\n", k, err);
    }
    acrl_ckpt_free(c);
}

int main(void) {
    if (!mkdtemp(tmp_root)) { perror("mkdtemp"); return 1; }
#ifndef ACRL_CLI_PATH
    printf("(the acrl binary's path is not known: CLI checks skipped)\n");
#endif
    for (int i = 0; i < NCASES; i++) check_case(&cases[i]);
    check_model_swap(2, 0); /* PPO CartPole-v1: trees (case 2), MLP (case 0) */
    for (int i = 0; i < NCASES; i++)
        if (strcmp(cases[i].algo, "awr") == 0 && strcmp(cases[i].env, "CartPole-v1") == 0) check_awr_values(i);

    /* export refuses what is not a checkpoint */
    char err[ACRL_ERRLEN], out[1300];
    snprintf(out, sizeof out, "%s/x.ckpt", tmp_root);
    CHECK(acrl_export_policy("fixtures/env_CartPole-v1.csv", out, err, sizeof err) == ACRL_ERR_INPUT);
    CHECK(strstr(err, "not an acrl checkpoint") != NULL);
    CHECK(access(out, F_OK) != 0);

    char cmd[1600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", tmp_root);
    return test_summary("test_ckpt_sections");
}
