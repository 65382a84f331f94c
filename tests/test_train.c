/* test_train: the training command's promises, through acrl_train / acrl_eval_checkpoint:
 * same seed -> byte-identical checkpoints and progress; stop + resume -> byte-identical
 * final checkpoint; NaN stops training with a message and keeps the last good checkpoint;
 * bad algorithms, envs, config keys and checkpoints are refused with clear messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acrl.h"
#include "test.h"
#include "test_files.h"

static char tmp_root[] = "/tmp/acrl-test-train-XXXXXX";
static long fault_nan_at; /* passed to every train() call (0: off) */

/* progress.csv without the wall-clock columns (2: wall_seconds, 3: sps) */
static char* progress_without_time(const char* dir) {
    char path[1200];
    snprintf(path, sizeof path, "%s/progress.csv", dir);
    size_t n;
    char* text = slurp(path, &n);
    if (!text) return NULL;
    char* out = malloc(n + 1);
    size_t o = 0;
    int col = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '\n') col = 0;
        else if (text[i] == ',') col++;
        if (col == 1 || col == 2) continue;
        out[o++] = text[i];
    }
    out[o] = 0;
    free(text);
    return out;
}

static int train(const char* algo, const char* env, const char* dir, long steps, long stop_at, const char* resume,
                 const char* const* sets, int nsets, char* err) {
    acrl_train_options o = acrl_train_options_default();
    o.algo = algo;
    o.env_id = env;
    o.out_dir = dir;
    o.steps = steps;
    o.stop_at = stop_at;
    o.resume_dir = resume;
    o.seed = 7;
    o.quiet = true;
    o.eval_episodes = 2;
    o.overrides = sets;
    o.n_overrides = nsets;
    o.fault_nan_at = fault_nan_at;
    return acrl_train(&o, err, ACRL_ERRLEN);
}

static void path_of(char* out, const char* name, const char* file) {
    if (file) sprintf(out, "%s/%s/%s", tmp_root, name, file);
    else sprintf(out, "%s/%s", tmp_root, name);
}

static void check_determinism_and_resume(const char* algo, const char* env, const char* const* sets, int nsets,
                                         long steps, long stop) {
    char err[ACRL_ERRLEN], a[1200], b[1200], c[1200], fa[1200], fb[1200], fc[1200];
    char tag[128];
    snprintf(tag, sizeof tag, "%s-%s", algo, env);
    snprintf(fa, sizeof fa, "%s-a", tag);
    snprintf(fb, sizeof fb, "%s-b", tag);
    snprintf(fc, sizeof fc, "%s-c", tag);
    path_of(a, fa, NULL);
    path_of(b, fb, NULL);
    path_of(c, fc, NULL);
    int rc = train(algo, env, a, steps, 0, NULL, sets, nsets, err);
    if (rc) fprintf(stderr, "  %s: %s\n", tag, err);
    CHECK(rc == ACRL_OK);
    CHECK(train(algo, env, b, steps, 0, NULL, sets, nsets, err) == ACRL_OK);
    /* interrupted at `stop`, then resumed to the end */
    CHECK(train(algo, env, c, steps, stop, NULL, sets, nsets, err) == ACRL_OK);
    char last[1300];
    snprintf(last, sizeof last, "%s/final.ckpt", c);
    CHECK(access(last, F_OK) != 0); /* not finished yet */
    rc = train(NULL, NULL, NULL, 0, 0, c, NULL, 0, err);
    if (rc) fprintf(stderr, "  %s resume: %s\n", tag, err);
    CHECK(rc == ACRL_OK);
    char pa[1300], pb[1300], pc[1300];
    snprintf(pa, sizeof pa, "%s/final.ckpt", a);
    snprintf(pb, sizeof pb, "%s/final.ckpt", b);
    snprintf(pc, sizeof pc, "%s/final.ckpt", c);
    bool same_ab = same_file(pa, pb), same_ac = same_file(pa, pc);
    printf("  %-28s same seed: checkpoints %s; stop at %ld + resume: %s\n", tag, same_ab ? "identical" : "DIFFER", stop,
           same_ac ? "identical" : "DIFFER");
    CHECK(same_ab);
    CHECK(same_ac);
    char* qa = progress_without_time(a);
    char* qb = progress_without_time(b);
    char* qc = progress_without_time(c);
    CHECK(qa && qb && strcmp(qa, qb) == 0);
    CHECK(qa && qc && strcmp(qa, qc) == 0);
    free(qa); free(qb); free(qc);
}

static void check_bad_input(void) {
    char err[ACRL_ERRLEN], dir[1200];
    path_of(dir, "bad", NULL);
    CHECK(train("dqn", "CartPole-v1", dir, 1000, 0, NULL, NULL, 0, err) == ACRL_ERR_INPUT);
    printf("  unknown algo: %s\n", err);
    CHECK(strstr(err, "dqn") && strstr(err, "ppo"));
    CHECK(train("ppo", "CartPole-v9", dir, 1000, 0, NULL, NULL, 0, err) == ACRL_ERR_INPUT);
    printf("  unknown env: %s\n", err);
    CHECK(strstr(err, "CartPole-v1") != NULL);
    const char* typo[] = {"learning_rat=0.1"};
    CHECK(train("ppo", "CartPole-v1", dir, 1000, 0, NULL, typo, 1, err) == ACRL_ERR_INPUT);
    printf("  typo key: %s\n", err);
    CHECK(strstr(err, "learning_rate") != NULL);
    const char* badval[] = {"n_steps=abc"};
    CHECK(train("ppo", "CartPole-v1", dir, 1000, 0, NULL, badval, 1, err) == ACRL_ERR_INPUT);
    CHECK(strstr(err, "n_steps") != NULL);
    const char* badbatch[] = {"n_steps=1", "n_envs=1"};
    CHECK(train("ppo", "CartPole-v1", dir, 1000, 0, NULL, badbatch, 2, err) == ACRL_ERR_INPUT);
    printf("  rollout of one step with advantage normalization: %s\n", err);
}

static void check_checkpoint_errors(void) {
    char err[ACRL_ERRLEN], dir[1200], ck[1300], bad[1300];
    path_of(dir, "ckerr", NULL);
    const char* sets[] = {"n_steps=32", "batch_size=64", "n_epochs=2", "n_envs=2"};
    CHECK(train("ppo", "CartPole-v1", dir, 256, 0, NULL, sets, 4, err) == ACRL_OK);
    snprintf(ck, sizeof ck, "%s/final.ckpt", dir);
    double mean, std;
    CHECK(acrl_eval_checkpoint(ck, 2, 5, false, &mean, &std, err, sizeof err) == ACRL_OK);
    CHECK(mean >= 1 && mean <= 500);
    size_t n;
    char* bytes = slurp(ck, &n);
    /* truncated */
    snprintf(bad, sizeof bad, "%s/truncated.ckpt", dir);
    FILE* f = fopen(bad, "wb");
    fwrite(bytes, 1, n / 2, f);
    fclose(f);
    CHECK(acrl_eval_checkpoint(bad, 1, 0, false, &mean, &std, err, sizeof err) == ACRL_ERR_INPUT);
    printf("  truncated checkpoint: %s\n", err);
    /* one flipped byte */
    snprintf(bad, sizeof bad, "%s/corrupt.ckpt", dir);
    bytes[n / 3] ^= 0x10;
    f = fopen(bad, "wb");
    fwrite(bytes, 1, n, f);
    fclose(f);
    CHECK(acrl_eval_checkpoint(bad, 1, 0, false, &mean, &std, err, sizeof err) == ACRL_ERR_INPUT);
    printf("  corrupted checkpoint: %s\n", err);
    free(bytes);
    /* a valid file whose weights do not fit its config: rewritten with other network sizes */
    acrl_ckpt* c = acrl_ckpt_load(ck, err, sizeof err);
    CHECK(c != NULL);
    if (c) {
        acrl_ckpt_writer* w = acrl_ckpt_begin(acrl_ckpt_algo(c), acrl_ckpt_env_id(c));
        char* cfg = NULL;
        for (int i = 0; i < acrl_ckpt_section_count(c); i++) {
            const char* name = acrl_ckpt_section_name(c, i);
            size_t len;
            const char* data = acrl_ckpt_section(c, name, &len);
            if (strcmp(name, "config") == 0) {
                cfg = malloc(len + 32);
                memcpy(cfg, data, len);
                cfg[len] = 0;
                strcat(cfg, "\nnet_arch = 32,32\n");
                acrl_ckpt_add(w, name, cfg, strlen(cfg));
            } else {
                acrl_ckpt_add(w, name, data, len);
            }
        }
        snprintf(bad, sizeof bad, "%s/mismatch.ckpt", dir);
        CHECK(acrl_ckpt_commit(w, bad, err, sizeof err) == 0);
        free(cfg);
        acrl_ckpt_free(c);
        CHECK(acrl_eval_checkpoint(bad, 1, 0, false, &mean, &std, err, sizeof err) == ACRL_ERR_INPUT);
        printf("  mismatched shapes: %s\n", err);
        CHECK(strstr(err, "bytes") != NULL);
    }
    snprintf(bad, sizeof bad, "%s/missing.ckpt", dir);
    CHECK(acrl_eval_checkpoint(bad, 1, 0, false, &mean, &std, err, sizeof err) == ACRL_ERR_INPUT);
}

static void check_nan_stop(void) {
    char err[ACRL_ERRLEN], dir[1200], ck[1300];
    path_of(dir, "nan", NULL);
    const char* sets[] = {"n_steps=32", "batch_size=64", "n_epochs=2", "n_envs=2", "checkpoint_freq=256"};
    fault_nan_at = 700;
    int rc = train("ppo", "CartPole-v1", dir, 2048, 0, NULL, sets, 5, err);
    fault_nan_at = 0;
    printf("  NaN: rc %d: %s\n", rc, err);
    CHECK(rc == ACRL_ERR_RUNTIME);
    CHECK(strstr(err, "step 706") && strstr(err, "non-finite"));
    snprintf(ck, sizeof ck, "%s/last.ckpt", dir);
    acrl_ckpt* c = acrl_ckpt_load(ck, err, sizeof err);
    CHECK(c != NULL);
    double mean, std;
    CHECK(acrl_eval_checkpoint(ck, 1, 0, false, &mean, &std, err, sizeof err) == ACRL_OK);
    acrl_ckpt_free(c);
}

int main(void) {
    if (!mkdtemp(tmp_root)) { perror("mkdtemp"); return 1; }
    const char* ppo_disc[] = {"n_steps=64", "batch_size=64", "n_epochs=2", "n_envs=4", "eval_freq=1024",
                              "n_eval_episodes=2", "log_freq=256", "checkpoint_freq=1024"};
    check_determinism_and_resume("ppo", "CartPole-v1", ppo_disc, 8, 4096, 2048);
    const char* ppo_box[] = {"n_steps=128", "batch_size=64", "n_epochs=2", "n_envs=2", "normalize=1",
                             "normalize_reward=1", "eval_freq=1024", "n_eval_episodes=1"};
    check_determinism_and_resume("ppo", "Pendulum-v1", ppo_box, 8, 2048, 1024);
    const char* a2c[] = {"n_envs=4", "eval_freq=1000", "n_eval_episodes=2"};
    check_determinism_and_resume("a2c", "CartPole-v1", a2c, 3, 3000, 1500);
    const char* a3c[] = {"n_envs=2", "sync=1", "n_workers=2", "eval_freq=0"};
    {
        /* synchronous A3C: identical runs for one seed (resume is not exact for A3C: worker state is not saved) */
        char err[ACRL_ERRLEN], a[1200], b[1200], pa[1300], pb[1300];
        path_of(a, "a3c-a", NULL);
        path_of(b, "a3c-b", NULL);
        CHECK(train("a3c", "CartPole-v1", a, 4000, 0, NULL, a3c, 4, err) == ACRL_OK);
        CHECK(train("a3c", "CartPole-v1", b, 4000, 0, NULL, a3c, 4, err) == ACRL_OK);
        snprintf(pa, sizeof pa, "%s/final.ckpt", a);
        snprintf(pb, sizeof pb, "%s/final.ckpt", b);
        bool same = same_file(pa, pb);
        printf("  a3c sync mode, same seed: %s\n", same ? "identical" : "DIFFER");
        CHECK(same);
    }
    check_bad_input();
    check_checkpoint_errors();
    check_nan_stop();
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp_root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp_root);
    return test_summary("test_train");
}
