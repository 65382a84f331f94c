/* test_offpolicy_train: SAC (Box and Discrete), TD3, DDPG, PMOE, DSAC-T and STAC through the trainer: same seed ->
 * byte-identical final checkpoints, also with two update threads (--threads 2); stop halfway + resume with save_buffer=1 -> byte-identical
 * final checkpoint; the replay buffer is in the checkpoint only when asked; bad configs
 * and spaces are refused with clear messages; a checkpoint of another algorithm or env is
 * refused by load(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acrl.h"
#include "algo/algo.h"
#include "test.h"
#include "test_files.h"

static char tmp_root[] = "/tmp/acrl-test-offp-XXXXXX";

static int train_t(const char* algo, const char* env, const char* dir, long steps, long stop_at, const char* resume,
                   const char* const* sets, int nsets, int threads, char* err) {
    acrl_train_options o = acrl_train_options_default();
    o.algo = algo;
    o.env_id = env;
    o.out_dir = dir;
    o.steps = steps;
    o.stop_at = stop_at;
    o.resume_dir = resume;
    o.seed = 11;
    o.quiet = true;
    o.eval_episodes = 1;
    o.overrides = sets;
    o.n_overrides = nsets;
    o.threads = threads;
    return acrl_train(&o, err, ACRL_ERRLEN);
}

static int train(const char* algo, const char* env, const char* dir, long steps, long stop_at, const char* resume,
                 const char* const* sets, int nsets, char* err) {
    return train_t(algo, env, dir, steps, stop_at, resume, sets, nsets, 1, err);
}

static void check_determinism_and_resume(const char* algo, const char* env, const char* const* sets, int nsets,
                                         long steps, long stop) {
    char err[ACRL_ERRLEN], a[1200], b[1200], c[1200], d[1200], pa[1300], pb[1300], pc[1300], pd[1300];
    snprintf(a, sizeof a, "%s/%s-%s-a", tmp_root, algo, env);
    snprintf(b, sizeof b, "%s/%s-%s-b", tmp_root, algo, env);
    snprintf(c, sizeof c, "%s/%s-%s-c", tmp_root, algo, env);
    snprintf(d, sizeof d, "%s/%s-%s-d", tmp_root, algo, env);
    int rc = train(algo, env, a, steps, 0, NULL, sets, nsets, err);
    if (rc) fprintf(stderr, "  %s %s: %s\n", algo, env, err);
    CHECK(rc == ACRL_OK);
    CHECK(train(algo, env, b, steps, 0, NULL, sets, nsets, err) == ACRL_OK);
    CHECK(train(algo, env, c, steps, stop, NULL, sets, nsets, err) == ACRL_OK);
    rc = train(NULL, NULL, NULL, 0, 0, c, NULL, 0, err);
    if (rc) fprintf(stderr, "  %s %s resume: %s\n", algo, env, err);
    CHECK(rc == ACRL_OK);
    /* two threads: the update's lanes (twin critics, actor at obs / next_obs) run on a worker */
    rc = train_t(algo, env, d, steps, 0, NULL, sets, nsets, 2, err);
    if (rc) fprintf(stderr, "  %s %s threads 2: %s\n", algo, env, err);
    CHECK(rc == ACRL_OK);
    snprintf(pa, sizeof pa, "%s/final.ckpt", a);
    snprintf(pb, sizeof pb, "%s/final.ckpt", b);
    snprintf(pc, sizeof pc, "%s/final.ckpt", c);
    snprintf(pd, sizeof pd, "%s/final.ckpt", d);
    bool ab = same_file(pa, pb), ac = same_file(pa, pc), ad = same_file(pa, pd);
    printf("  %-5s %-14s same seed: %s; stop at %ld + resume: %s; 2 threads: %s\n", algo, env,
           ab ? "identical" : "DIFFER", stop, ac ? "identical" : "DIFFER", ad ? "identical" : "DIFFER");
    CHECK(ab);
    CHECK(ac);
    CHECK(ad);
    /* the buffer is in the checkpoint: the learner trained from it (updates were made) */
    acrl_ckpt* ck = acrl_ckpt_load(pa, err, sizeof err);
    CHECK(ck != NULL);
    if (ck) {
        char name[64];
        snprintf(name, sizeof name, "%s.replay.obs", algo);
        size_t len = 0;
        CHECK(acrl_ckpt_section(ck, name, &len) != NULL && len > 0);
        snprintf(name, sizeof name, "%s.counters", algo);
        const int64_t* cnt = acrl_ckpt_section(ck, name, NULL);
        CHECK(cnt && cnt[0] > 0);
        if (cnt) printf("        %lld gradient updates, %zu bytes of stored observations\n", (long long)cnt[0], len);
        acrl_ckpt_free(ck);
    }
}

static void check_bad_input(void) {
    char err[ACRL_ERRLEN], dir[1200];
    snprintf(dir, sizeof dir, "%s/bad", tmp_root);
    CHECK(train("td3", "CartPole-v1", dir, 100, 0, NULL, NULL, 0, err) == ACRL_ERR_INPUT);
    printf("  td3 on CartPole: %s\n", err);
    CHECK(strstr(err, "Box") != NULL);
    const char* zero[] = {"gradient_steps=0"};
    CHECK(train("sac", "Pendulum-v1", dir, 100, 0, NULL, zero, 1, err) == ACRL_ERR_INPUT);
    printf("  gradient_steps=0: %s\n", err);
    CHECK(strstr(err, "gradient_steps") != NULL);
    const char* typo[] = {"learning_start=10"};
    CHECK(train("sac", "Pendulum-v1", dir, 100, 0, NULL, typo, 1, err) == ACRL_ERR_INPUT);
    printf("  typo: %s\n", err);
    CHECK(strstr(err, "learning_starts") != NULL);
    const char* range[] = {"tau=2"};
    CHECK(train("sac", "Pendulum-v1", dir, 100, 0, NULL, range, 1, err) == ACRL_ERR_INPUT);
    printf("  tau=2: %s\n", err);
    const char* noise[] = {"noise_type=pink"};
    CHECK(train("ddpg", "Pendulum-v1", dir, 100, 0, NULL, noise, 1, err) == ACRL_ERR_INPUT);
    printf("  noise_type=pink: %s\n", err);
    CHECK(strstr(err, "ornstein-uhlenbeck") != NULL);
    const char* act[] = {"activation=swish"};
    CHECK(train("td3", "Pendulum-v1", dir, 100, 0, NULL, act, 1, err) == ACRL_ERR_INPUT);
    printf("  activation=swish: %s\n", err);
    const char* nobuf[] = {"buffer_size=0"};
    CHECK(train("sac", "Pendulum-v1", dir, 100, 0, NULL, nobuf, 1, err) == ACRL_ERR_INPUT);
    printf("  buffer_size=0: %s\n", err);
}

/* Builds a learner of algo for env with the given settings and tries to load checkpoint path. */
static int load_into(const char* algo_name, const char* env_id, const char* const* sets, int nsets, const char* path,
                     char* err, size_t errlen) {
    const acrl_algo* algo = acrl_algo_find(algo_name);
    acrl_env_options eo = acrl_env_options_default();
    acrl_env* env = acrl_env_make(env_id, &eo, err, errlen);
    void* cfg = calloc(1, algo->cfg_size);
    algo->cfg_defaults(cfg);
    for (int i = 0; i < nsets; i++) acrl_config_parse_override(algo->cfg_table, cfg, sets[i], err, errlen);
    acrl_algo_ctx ctx = {&env->obs_space, &env->act_space, env_id, 1, 1000, 0, 1, 0.99f, NULL, NULL, 0};
    void* l = algo->create(cfg, &ctx, err, errlen);
    int rc = -2;
    acrl_ckpt* ck = acrl_ckpt_load(path, err, errlen);
    if (l && ck) rc = algo->load(l, ck, err, errlen);
    acrl_ckpt_free(ck);
    if (l) algo->destroy(l);
    free(cfg);
    acrl_env_close(env);
    return rc;
}

static void check_mismatched_checkpoints(void) {
    char err[ACRL_ERRLEN], dir[1200], ppo[1300], sac[1300];
    const char* small[] = {"net_arch=16,16", "batch_size=16", "learning_starts=50", "eval_freq=0"};
    snprintf(dir, sizeof dir, "%s/mm-sac", tmp_root);
    CHECK(train("sac", "Pendulum-v1", dir, 200, 0, NULL, small, 4, err) == ACRL_OK);
    snprintf(sac, sizeof sac, "%s/final.ckpt", dir);
    const char* ppo_sets[] = {"n_steps=32", "batch_size=32", "n_epochs=1", "eval_freq=0"};
    snprintf(dir, sizeof dir, "%s/mm-ppo", tmp_root);
    CHECK(train("ppo", "Pendulum-v1", dir, 64, 0, NULL, ppo_sets, 4, err) == ACRL_OK);
    snprintf(ppo, sizeof ppo, "%s/final.ckpt", dir);
    CHECK(load_into("sac", "Pendulum-v1", small, 3, sac, err, sizeof err) == 0); /* the right one loads */
    CHECK(load_into("sac", "Pendulum-v1", small, 3, ppo, err, sizeof err) == -1);
    printf("  PPO checkpoint into SAC: %s\n", err);
    CHECK(strstr(err, "sac.") != NULL);
    CHECK(load_into("td3", "Pendulum-v1", small, 3, sac, err, sizeof err) == -1);
    printf("  SAC checkpoint into TD3: %s\n", err);
    CHECK(load_into("sac", "MountainCarContinuous-v0", small, 3, sac, err, sizeof err) == -1);
    printf("  Pendulum SAC checkpoint into MountainCarContinuous SAC: %s\n", err);
    CHECK(strstr(err, "bytes") != NULL);
    const char* with_buf[] = {"net_arch=16,16", "batch_size=16", "learning_starts=50", "save_buffer=1"};
    CHECK(load_into("sac", "Pendulum-v1", with_buf, 4, sac, err, sizeof err) == -1);
    printf("  checkpoint without buffer, save_buffer=1: %s\n", err);
    /* resuming without the buffer still works: training waits until the buffer refills */
    snprintf(dir, sizeof dir, "%s/nobuf", tmp_root);
    CHECK(train("sac", "Pendulum-v1", dir, 400, 200, NULL, small, 4, err) == ACRL_OK);
    CHECK(train(NULL, NULL, NULL, 0, 0, dir, NULL, 0, err) == ACRL_OK);
}

/* A copy of checkpoint src at dst with its config section replaced by config (the rest as is). */
static int rewrite_config(const char* src, const char* dst, const char* config, char* err) {
    acrl_ckpt* ck = acrl_ckpt_load(src, err, ACRL_ERRLEN);
    if (!ck) return -1;
    acrl_ckpt_writer* w = acrl_ckpt_begin(acrl_ckpt_algo(ck), acrl_ckpt_env_id(ck));
    int rc = 0;
    for (int i = 0; i < acrl_ckpt_section_count(ck) && !rc; i++) {
        const char* name = acrl_ckpt_section_name(ck, i);
        size_t len;
        const void* data = acrl_ckpt_section(ck, name, &len);
        rc = strcmp(name, "config") == 0 ? acrl_ckpt_add(w, name, config, strlen(config)) : acrl_ckpt_add(w, name, data, len);
    }
    rc = rc ? (acrl_ckpt_abort(w), -1) : acrl_ckpt_commit(w, dst, err, ACRL_ERRLEN);
    acrl_ckpt_free(ck);
    return rc;
}

/* PMOE: n_experts outside [1, 64] refused; a 2-expert checkpoint refused by a 3-expert learner
 * (load) and, with its config edited to n_experts = 3, by acrl eval (ACRL_ERR_INPUT = exit 2);
 * checkpoints of SAC and PMOE refused by each other. */
static void check_pmoe_input(void) {
    char err[ACRL_ERRLEN], dir[1200], pm[1300], sac[1300], forged[1300];
    snprintf(dir, sizeof dir, "%s/bad-pmoe", tmp_root);
    const char* zero[] = {"n_experts=0"}, *many[] = {"n_experts=65"};
    CHECK(train("pmoe", "Pendulum-v1", dir, 100, 0, NULL, zero, 1, err) == ACRL_ERR_INPUT);
    printf("  pmoe n_experts=0: %s\n", err);
    CHECK(strstr(err, "n_experts") != NULL);
    CHECK(train("pmoe", "Pendulum-v1", dir, 100, 0, NULL, many, 1, err) == ACRL_ERR_INPUT);
    printf("  pmoe n_experts=65: %s\n", err);
    CHECK(strstr(err, "n_experts") != NULL);
    CHECK(train("pmoe", "CartPole-v1", dir, 100, 0, NULL, NULL, 0, err) == ACRL_ERR_INPUT);
    printf("  pmoe on CartPole: %s\n", err);
    const char* two[] = {"net_arch=16,16", "batch_size=16", "learning_starts=50", "eval_freq=0", "n_experts=2"};
    snprintf(dir, sizeof dir, "%s/mm-pmoe", tmp_root);
    CHECK(train("pmoe", "Pendulum-v1", dir, 200, 0, NULL, two, 5, err) == ACRL_OK);
    snprintf(pm, sizeof pm, "%s/final.ckpt", dir);
    snprintf(sac, sizeof sac, "%s/mm-sac/final.ckpt", tmp_root); /* written by check_mismatched_checkpoints */
    CHECK(load_into("pmoe", "Pendulum-v1", two, 5, pm, err, sizeof err) == 0);
    const char* three[] = {"net_arch=16,16", "batch_size=16", "learning_starts=50", "eval_freq=0", "n_experts=3"};
    CHECK(load_into("pmoe", "Pendulum-v1", three, 5, pm, err, sizeof err) == -1);
    printf("  2-expert checkpoint, n_experts=3: %s\n", err);
    CHECK(strstr(err, "2 experts") != NULL && strstr(err, "n_experts = 3") != NULL);
    CHECK(load_into("pmoe", "Pendulum-v1", two, 5, sac, err, sizeof err) == -1);
    printf("  SAC checkpoint into PMOE: %s\n", err);
    CHECK(strstr(err, "pmoe.") != NULL);
    CHECK(load_into("sac", "Pendulum-v1", two, 4, pm, err, sizeof err) == -1);
    printf("  PMOE checkpoint into SAC: %s\n", err);
    CHECK(strstr(err, "sac.") != NULL);
    /* the checkpoint's own config drives acrl eval: make it claim three experts */
    size_t len;
    acrl_ckpt* ck = acrl_ckpt_load(pm, err, sizeof err);
    const char* text = ck ? acrl_ckpt_section(ck, "config", &len) : NULL;
    CHECK(text != NULL);
    if (!text) { acrl_ckpt_free(ck); return; }
    char* cfg = calloc(len + 64, 1);
    memcpy(cfg, text, len);
    acrl_ckpt_free(ck);
    char* k = strstr(cfg, "n_experts = 2");
    CHECK(k != NULL);
    if (k) k[12] = '3';
    snprintf(forged, sizeof forged, "%s/forged.ckpt", dir);
    CHECK(rewrite_config(pm, forged, cfg, err) == 0);
    free(cfg);
    double mean, std;
    int rc = acrl_eval_checkpoint(forged, 1, 0, false, &mean, &std, err, sizeof err);
    printf("  eval of a 2-expert checkpoint whose config says n_experts = 3: code %d, %s\n", rc, err);
    CHECK(rc == ACRL_ERR_INPUT && strstr(err, "2 experts") != NULL);
}

/* DSAC-T: its keys are validated by name; checkpoints of SAC and DSAC-T are not interchangeable. */
static void check_dsact_input(void) {
    char err[ACRL_ERRLEN], dir[1200], path[1300];
    snprintf(dir, sizeof dir, "%s/bad-dsact", tmp_root);
    const char* bad[][2] = {{"delay=0", "delay"}, {"tau_b=1.5", "tau_b"}, {"std_eps=0", "std_eps"},
                            {"td_bound=-1", "td_bound"}, {"log_std_max=-30", "log_std_max"}};
    for (int i = 0; i < 5; i++) {
        const char* set[] = {bad[i][0]};
        CHECK(train("dsact", "Pendulum-v1", dir, 100, 0, NULL, set, 1, err) == ACRL_ERR_INPUT);
        printf("  dsact %s: %s\n", bad[i][0], err);
        CHECK(strstr(err, bad[i][1]) != NULL);
    }
    CHECK(train("dsact", "CartPole-v1", dir, 100, 0, NULL, NULL, 0, err) == ACRL_ERR_INPUT);
    printf("  dsact on CartPole: %s\n", err);
    CHECK(strstr(err, "Box") != NULL);
    const char* small[] = {"net_arch=16,16", "batch_size=16", "learning_starts=50", "eval_freq=0"};
    snprintf(dir, sizeof dir, "%s/mm-dsact", tmp_root);
    CHECK(train("dsact", "Pendulum-v1", dir, 200, 0, NULL, small, 4, err) == ACRL_OK);
    snprintf(path, sizeof path, "%s/final.ckpt", dir);
    CHECK(load_into("dsact", "Pendulum-v1", small, 3, path, err, sizeof err) == 0); /* the right one loads */
    CHECK(load_into("sac", "Pendulum-v1", small, 3, path, err, sizeof err) == -1);
    printf("  DSAC-T checkpoint into SAC: %s\n", err);
    CHECK(strstr(err, "sac.") != NULL);
    snprintf(path, sizeof path, "%s/mm-sac/final.ckpt", tmp_root);
    CHECK(load_into("dsact", "Pendulum-v1", small, 3, path, err, sizeof err) == -1);
    printf("  SAC checkpoint into DSAC-T: %s\n", err);
    CHECK(strstr(err, "dsact.") != NULL);
}

/* STAC: its keys are validated by name; a DSAC-T checkpoint is refused. */
static void check_stac_input(void) {
    char err[ACRL_ERRLEN], dir[1200], path[1300];
    snprintf(dir, sizeof dir, "%s/bad-stac", tmp_root);
    const char* bad[][2] = {{"beta=11", "beta"}, {"beta=-0.5", "beta"}, {"dropout=1", "dropout"},
                            {"dropout=-0.1", "dropout"}, {"weight_decay=2", "weight_decay"},
                            {"eval_samples=-1", "eval_samples"}, {"layer_norm=2", "layer_norm"}};
    for (int i = 0; i < 7; i++) {
        const char* set[] = {bad[i][0]};
        CHECK(train("stac", "Pendulum-v1", dir, 100, 0, NULL, set, 1, err) == ACRL_ERR_INPUT);
        printf("  stac %s: %s\n", bad[i][0], err);
        CHECK(strstr(err, bad[i][1]) != NULL);
    }
    /* the keys of the other algorithms' networks do not exist there */
    const char* ln[] = {"layer_norm=1"};
    CHECK(train("dsact", "Pendulum-v1", dir, 100, 0, NULL, ln, 1, err) == ACRL_ERR_INPUT);
    printf("  dsact layer_norm=1: %s\n", err);
    CHECK(strstr(err, "layer_norm") != NULL);
    const char* small[] = {"net_arch=16,16", "batch_size=16", "learning_starts=50", "eval_freq=0"};
    snprintf(path, sizeof path, "%s/mm-dsact/final.ckpt", tmp_root);
    CHECK(load_into("stac", "Pendulum-v1", small, 3, path, err, sizeof err) == -1);
    printf("  DSAC-T checkpoint into STAC: %s\n", err);
    CHECK(strstr(err, "stac.") != NULL);
    snprintf(dir, sizeof dir, "%s/mm-stac", tmp_root);
    CHECK(train("stac", "Pendulum-v1", dir, 200, 0, NULL, small, 4, err) == ACRL_OK);
    snprintf(path, sizeof path, "%s/final.ckpt", dir);
    CHECK(load_into("stac", "Pendulum-v1", small, 3, path, err, sizeof err) == 0);
    CHECK(load_into("dsact", "Pendulum-v1", small, 3, path, err, sizeof err) == -1);
    printf("  STAC checkpoint into DSAC-T: %s\n", err);
}

/* Regression: more hidden layers than an MLP holds crashed SAC, PMOE and DSAC-T (a target
 * critic struct freed uninitialized after the actor's build failed); now refused up front. */
static void check_net_arch_limit(void) {
    char err[ACRL_ERRLEN], dir[1200];
    snprintf(dir, sizeof dir, "%s/deep", tmp_root);
    const char* deep[] = {"net_arch=8,8,8,8,8,8,8,8"};
    const char* algos[] = {"sac", "td3", "ddpg", "pmoe", "dsact", "stac"};
    for (int i = 0; i < 6; i++) {
        CHECK(train(algos[i], "Pendulum-v1", dir, 50, 0, NULL, deep, 1, err) == ACRL_ERR_INPUT);
        CHECK(strstr(err, "net_arch") != NULL);
    }
    printf("  net_arch with 8 hidden layers: %s\n", err);
    const char* seven[] = {"net_arch=8,8,8,8,8,8,8", "learning_starts=20", "batch_size=8", "eval_freq=0"};
    CHECK(train("dsact", "Pendulum-v1", dir, 40, 0, NULL, seven, 4, err) == ACRL_OK); /* the most it holds */
}

int main(void) {
    if (!mkdtemp(tmp_root)) { perror("mkdtemp"); return 1; }
    const char* sac_box[] = {"net_arch=32,32", "batch_size=32", "learning_starts=100", "save_buffer=1",
                             "eval_freq=200", "n_eval_episodes=1", "checkpoint_freq=150", "log_freq=100"};
    check_determinism_and_resume("sac", "Pendulum-v1", sac_box, 8, 600, 300);
    const char* sac_disc[] = {"net_arch=32,32", "batch_size=32", "learning_starts=64", "save_buffer=1", "n_envs=2",
                              "n_step=3", "train_freq=2", "gradient_steps=3", "eval_freq=0", "buffer_size=300"};
    check_determinism_and_resume("sac", "CartPole-v1", sac_disc, 10, 800, 400);
    const char* td3[] = {"net_arch=32,32", "batch_size=32", "learning_starts=100", "save_buffer=1", "eval_freq=0",
                         "buffer_size=250"};
    check_determinism_and_resume("td3", "Pendulum-v1", td3, 6, 600, 300);
    const char* ddpg[] = {"net_arch=32,32", "batch_size=32", "learning_starts=100", "save_buffer=1", "eval_freq=0",
                          "noise_type=ornstein-uhlenbeck", "n_envs=3", "gradient_steps=-1"};
    check_determinism_and_resume("ddpg", "Pendulum-v1", ddpg, 8, 600, 300);
    const char* pmoe[] = {"net_arch=32,32", "batch_size=32", "learning_starts=100", "save_buffer=1",
                          "eval_freq=200", "n_eval_episodes=1", "checkpoint_freq=150", "n_experts=3"};
    check_determinism_and_resume("pmoe", "Pendulum-v1", pmoe, 8, 600, 300);
    const char* dsact[] = {"net_arch=32,32", "batch_size=32", "learning_starts=100", "save_buffer=1", "eval_freq=0",
                           "buffer_size=250", "n_envs=2", "log_freq=50"};
    check_determinism_and_resume("dsact", "Pendulum-v1", dsact, 8, 600, 300);
    /* STAC: dropout masks from the learner's RNG; evaluation (mean of sampled actions) from its own */
    const char* stac[] = {"net_arch=32,32", "batch_size=32", "learning_starts=100", "save_buffer=1",
                          "eval_freq=200", "n_eval_episodes=1", "dropout=0.1", "buffer_size=250"};
    check_determinism_and_resume("stac", "Pendulum-v1", stac, 8, 600, 300);
    /* dropout in the targets too: the update's lanes run on one thread then (both draw masks) */
    const char* stac_td[] = {"net_arch=32,32", "batch_size=32", "learning_starts=100", "save_buffer=1",
                             "eval_freq=0", "dropout=0.2", "target_dropout=1", "eval_samples=0"};
    check_determinism_and_resume("stac", "MountainCarContinuous-v0", stac_td, 8, 600, 300);
    check_bad_input();
    check_mismatched_checkpoints();
    check_pmoe_input();
    check_dsact_input(); /* after check_mismatched_checkpoints: uses its SAC checkpoint */
    check_stac_input();  /* after check_dsact_input: uses its DSAC-T checkpoint */
    check_net_arch_limit();
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp_root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp_root);
    return test_summary("test_offpolicy_train");
}
