/* test_limits: what the library does with arguments that used to abort it (asserts) or
 * to overflow or fail silently: it returns an error (with a message where the function
 * takes an error buffer) and writes nothing. Also the checked size arithmetic, and
 * NumPy's pairwise sums of the MuJoCo rewards beyond 128 elements, bit for bit. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acrl.h"
#include "algo/replay.h"
#include "algo/rollout.h"
#include "env/classic.h"
#include "test.h"
#include "util/size.h"
#ifdef ACRL_HAVE_MUJOCO
#include "env/mujoco/mjenv.h"
#endif

/* Under AddressSanitizer an impossible malloc returns NULL (as libc's does) instead of
 * stopping the program, so that the failure path itself is tested. */
const char* __asan_default_options(void);
const char* __asan_default_options(void) { return "allocator_may_return_null=1"; }

static void check_sizes(void) {
    CHECK(acrl_size_mul(3, 5) == 15);
    CHECK(acrl_size_mul(SIZE_MAX / 2 + 1, 2) == SIZE_MAX);
    CHECK(acrl_size_mul((size_t)1 << 32, (size_t)1 << 32) == SIZE_MAX);
    CHECK(acrl_size_mul(SIZE_MAX, 0) == SIZE_MAX); /* an overflow stays an overflow */
    CHECK(acrl_size_add(SIZE_MAX - 1, 1) == SIZE_MAX && acrl_size_add(SIZE_MAX - 2, 1) == SIZE_MAX - 1);
    CHECK(acrl_size_mul3(1000, 1000, 1000) == 1000000000);
    size_t mem = acrl_size_physical_memory();
    printf("  physical memory %zu bytes\n", mem);
    CHECK(mem > ((size_t)1 << 26) && mem != SIZE_MAX);
    char err[ACRL_ERRLEN];
    CHECK(acrl_size_check(mem / 2, "half", err, sizeof err) == 0);
    CHECK(acrl_size_check(mem + 1, "one byte more", err, sizeof err) == -1);
    printf("  %s\n", err);
    char want[64];
    snprintf(want, sizeof want, "(%zu bytes) of memory", mem + 1);
    CHECK(strstr(err, want) != NULL);
    CHECK(acrl_size_check(SIZE_MAX, "overflowed", err, sizeof err) == -1 && strstr(err, "overflows"));
    /* sizes from configuration: the estimates saturate instead of wrapping around */
    CHECK(rollout_bytes(10000000, 65536, 376, 17) != SIZE_MAX);
    CHECK(rollout_bytes(10000000, 65536, 376, 17) == (size_t)10000000 * 65536 * ((376 + 17 + 6) * 4 + 2));
    int wide[9] = {376, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 17};
    size_t mb = acrl_mlp_bytes(wide, 9, true, 1 << 30);
    printf("  8-layer 4096-wide MLP for 2^30 rows: %zu bytes\n", mb);
    CHECK(mb > (size_t)7 * 3 * 4096 * ((size_t)1 << 30) * 4 && mb != SIZE_MAX);
    CHECK(replay_bytes(1000000000, 1, 376, 17) == (size_t)1000000000 * ((2 * 376 + 17 + 1) * 4 + 2));
    acrl_replay r;
    CHECK(replay_init(&r, ACRL_MAX_ROWS + 1, 1, 4, 1, err, sizeof err) == -1);
    printf("  replay_init above the limit: %s\n", err);
    CHECK(strstr(err, "1073741825") != NULL && r.obs == NULL);
}

static void check_orthogonal(void) {
    acrl_rng rng, before;
    acrl_rng_seed(&rng, 5);
    before = rng;
    float w[4] = {7, 7, 7, 7};
    /* scratch of 3 * 2^48 doubles: no machine has it; the product of INT_MAX^2 does not fit in size_t */
    CHECK(acrl_init_orthogonal(w, 1 << 24, 1 << 24, 1.0f, &rng) == -1);
    CHECK(acrl_init_orthogonal(w, INT32_MAX, INT32_MAX, 1.0f, &rng) == -1);
    CHECK(acrl_init_orthogonal(w, 0, 2, 1.0f, &rng) == -1);
    CHECK(w[0] == 7 && w[3] == 7 && memcmp(&rng, &before, sizeof rng) == 0);
    CHECK(acrl_init_orthogonal(w, 2, 2, 1.0f, &rng) == 0);
    CHECK_NEAR(w[0] * w[0] + w[1] * w[1], 1.0, 1e-6);
}

static void check_categorical(void) {
    float logits[6] = {0.1f, -0.3f, 2.0f, 1.0f, 0.0f, -1.0f}, probs[6], logp[2] = {9, 9}, d[6] = {0};
    int bad[2] = {1, 3}, neg[2] = {-1, 0}, good[2] = {2, 0};
    CHECK(acrl_cat_log_prob(logp, logits, bad, 2, 3) == -1);
    CHECK(acrl_cat_log_prob(logp, logits, neg, 2, 3) == -1);
    CHECK(logp[0] == 9 && logp[1] == 9);
    CHECK(acrl_cat_log_prob_backward(d, NULL, logits, bad, 1.0f, 2, 3) == -1);
    acrl_cat_probs(probs, logits, 2, 3);
    CHECK(acrl_cat_log_prob_backward_lp(d, NULL, probs, neg, 1.0f, 2, 3) == -1);
    bool untouched = true;
    for (int i = 0; i < 6; i++) untouched = untouched && d[i] == 0;
    CHECK(untouched);
    CHECK(acrl_cat_log_prob(logp, logits, good, 2, 3) == 0);
    CHECK_NEAR(logp[1], log(probs[3]), 1e-6);
    CHECK(acrl_cat_log_prob_backward(d, NULL, logits, good, 1.0f, 2, 3) == 0);
    CHECK_NEAR(d[2], 1 - probs[2], 1e-6);
}

/* A wrapper refusing its argument: NULL, a message containing want, inner closed (the
 * sanitizer build reports a leak otherwise). */
static void expect_refused(acrl_env* got, const char* err, const char* want) {
    printf("  %s\n", err);
    CHECK(got == NULL);
    CHECK(strstr(err, want) != NULL);
}

static void check_wrappers(void) {
    char err[ACRL_ERRLEN];
    acrl_env_options o = acrl_env_options_default();
    o.max_episode_steps = 0;
    expect_refused(acrl_wrap_time_limit(acrl_env_make("CartPole-v1", &o, err, sizeof err), 0, err, sizeof err), err,
                   "max_steps must be >= 1, got 0");
    expect_refused(acrl_wrap_action_repeat(acrl_env_make("CartPole-v1", &o, err, sizeof err), -2, err, sizeof err),
                   err, "must be >= 1, got -2");
    expect_refused(acrl_wrap_normalize_obs(acrl_env_make("Pendulum-v1", &o, err, sizeof err), -1e-8, 10, err,
                                           sizeof err), err, "epsilon -1e-08");
    expect_refused(acrl_wrap_normalize_obs(acrl_env_make("Pendulum-v1", &o, err, sizeof err), 1e-8, NAN, err,
                                           sizeof err), err, "clip nan");
    expect_refused(acrl_wrap_normalize_reward(acrl_env_make("Pendulum-v1", &o, err, sizeof err), 1.5, 1e-8, 10, err,
                                              sizeof err), err, "gamma 1.5");
    /* a NULL message buffer is fine; a NULL inner gives NULL */
    CHECK(acrl_wrap_time_limit(acrl_env_make("CartPole-v1", &o, err, sizeof err), 0, NULL, 0) == NULL);
    CHECK(acrl_wrap_clip_action(NULL, err, sizeof err) == NULL);
    acrl_env* e = acrl_wrap_time_limit(acrl_env_make("CartPole-v1", &o, err, sizeof err), 3, err, sizeof err);
    CHECK(e != NULL);
    acrl_env_close(e);
    acrl_running_stat s;
    CHECK(acrl_running_stat_init(&s, 0) == -1 && s.mean == NULL);
}

static void check_cartpole_batch(void) {
    char err[ACRL_ERRLEN];
    acrl_env_options o = acrl_env_options_default();
    o.max_episode_steps = 0;
    acrl_env* envs[2] = {acrl_env_make("CartPole-v1", &o, err, sizeof err), acrl_env_make("CartPole-v1", NULL, err,
                                                                                           sizeof err)};
    float obs[8], o0[4], act[2] = {1, 0};
    double rew[2] = {-1, -1};
    bool term[2];
    acrl_env_reset(envs[0], 1, o0);
    acrl_env_reset(envs[1], 2, obs + 4);
    /* envs[1] is wrapped in its time limit: refused, nothing stepped */
    CHECK(acrl_cartpole_step_batch(envs, 2, act, obs, rew, term) == -1);
    CHECK(rew[0] == -1 && rew[1] == -1);
    acrl_env* one[1] = {envs[0]};
    CHECK(acrl_cartpole_step_batch(one, 1, act, obs, rew, term) == 0 && rew[0] == 1.0);
    acrl_env_close(envs[0]);
    acrl_env_close(envs[1]);
}

/* A discrete SAC checkpoint whose stored replay action is not an action index (it would
 * index the Q outputs out of bounds) is refused on load. */
static void check_replay_actions(void) {
    char dir[] = "/tmp/acrl-test-limits-XXXXXX", err[ACRL_ERRLEN], ck[256], bad[256];
    if (!mkdtemp(dir)) { CHECK(!"mkdtemp"); return; }
    static const char* sets[] = {"net_arch=16,16", "batch_size=16", "learning_starts=32", "save_buffer=1",
                                 "eval_freq=0", "checkpoint_freq=0"};
    acrl_train_options o = acrl_train_options_default();
    o.algo = "sac";
    o.env_id = "CartPole-v1";
    o.out_dir = dir;
    o.steps = 64;
    o.quiet = true;
    o.eval_episodes = 0;
    o.overrides = sets;
    o.n_overrides = 6;
    CHECK(acrl_train(&o, err, sizeof err) == ACRL_OK);
    snprintf(ck, sizeof ck, "%s/last.ckpt", dir);
    double mean, std;
    CHECK(acrl_eval_checkpoint(ck, 1, 0, false, &mean, &std, err, sizeof err) == ACRL_OK);
    const float wrong[3] = {2.0f, -1.0f, 0.5f};
    for (int k = 0; k < 3; k++) {
        acrl_ckpt* c = acrl_ckpt_load(ck, err, sizeof err);
        CHECK(c != NULL);
        if (!c) break;
        acrl_ckpt_writer* w = acrl_ckpt_begin(acrl_ckpt_algo(c), acrl_ckpt_env_id(c));
        float* act = NULL;
        for (int i = 0; i < acrl_ckpt_section_count(c); i++) {
            const char* name = acrl_ckpt_section_name(c, i);
            size_t len;
            const void* data = acrl_ckpt_section(c, name, &len);
            if (strcmp(name, "sac.replay.act") == 0 && len >= 6 * sizeof(float)) {
                act = malloc(len);
                memcpy(act, data, len);
                act[5] = wrong[k];
                data = act;
            }
            acrl_ckpt_add(w, name, data, len);
        }
        CHECK(act != NULL);
        snprintf(bad, sizeof bad, "%s/bad.ckpt", dir);
        CHECK(acrl_ckpt_commit(w, bad, err, sizeof err) == 0);
        free(act);
        acrl_ckpt_free(c);
        CHECK(acrl_eval_checkpoint(bad, 1, 0, false, &mean, &std, err, sizeof err) == ACRL_ERR_INPUT);
        printf("  replay action %g: %s\n", (double)wrong[k], err);
        CHECK(strstr(err, "action 5 is") && strstr(err, "not an action index"));
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

#ifdef ACRL_HAVE_MUJOCO
/* x_i exactly representable in the same way by NumPy (tests/ values from
 *   x = [math.ldexp((((i*7919) % 1000) - 500) / 7.0, (i*31) % 20 - 10) for i in range(n)]
 *   np.sum(x), np.sum(np.square(np.float32(x)))). */
static void check_pairwise_sums(void) {
    static const struct { int n; double sum; float sumsq; } ref[] = {
        {129, -0x1.38d99fb6db6dep+15, 0x1.9d003cp+31},
        {300, -0x1.ecb45db6db6f0p+11, 0x1.eec1eap+32},
        {1000, -0x1.33be5db6db6e0p+13, 0x1.bac7f4p+34},
    };
    static double x[1000];
    static float a[1000];
    for (int i = 0; i < 1000; i++) {
        x[i] = ldexp((double)((i * 7919) % 1000 - 500) / 7.0, (i * 31) % 20 - 10);
        a[i] = (float)x[i];
    }
    for (int k = 0; k < 3; k++) {
        double s = mjenv_sum_f64(x, ref[k].n);
        float q = mjenv_sumsq_f32(a, ref[k].n);
        printf("  n %4d: sum %a (numpy %a), sum of squares %a (numpy %a)\n", ref[k].n, s, ref[k].sum, (double)q,
               (double)ref[k].sumsq);
        CHECK(s == ref[k].sum);
        CHECK(q == ref[k].sumsq);
    }
}

/* A NaN action: the step runs with zero controls, as MuJoCo itself does, but without
 * MuJoCo's warning on stdout and in MUJOCO_LOG.TXT of the working directory; an infinite
 * one is clamped into the control range (Hopper's are limited to [-1, 1]) as MuJoCo does. */
static void check_bad_mujoco_actions(void) {
    char dir[] = "/tmp/acrl-test-limits-mj-XXXXXX", cwd[1024], err[ACRL_ERRLEN];
    if (!mkdtemp(dir) || !getcwd(cwd, sizeof cwd) || chdir(dir) != 0) { CHECK(!"temp dir"); return; }
    acrl_env* a = acrl_env_make("Hopper-v4", NULL, err, sizeof err);
    acrl_env* b = acrl_env_make("Hopper-v4", NULL, err, sizeof err);
    CHECK(a && b);
    if (a && b) {
        float oa[11], ob[11], bad[3] = {NAN, 0.5f, -0.25f}, inf[3] = {0.1f, INFINITY, -INFINITY}, zero[3] = {0, 0, 0},
              clamped[3] = {0.1f, 1.0f, -1.0f};
        double ra, rb;
        bool ta, tra, tb, trb;
        acrl_env_reset(a, 4, oa);
        acrl_env_reset(b, 4, ob);
        acrl_env_step(a, bad, oa, &ra, &ta, &tra);
        acrl_env_step(b, zero, ob, &rb, &tb, &trb);
        acrl_env_step(a, inf, oa, &ra, &ta, &tra);
        acrl_env_step(b, clamped, ob, &rb, &tb, &trb);
        printf("  Hopper-v4 after NaN and Inf actions: obs %s those of zero and clamped actions, reward %g\n",
               memcmp(oa, ob, sizeof oa) == 0 ? "equal to" : "DIFFER from", ra);
        CHECK(memcmp(oa, ob, sizeof oa) == 0);
        CHECK(access("MUJOCO_LOG.TXT", F_OK) != 0);
    }
    acrl_env_close(a);
    acrl_env_close(b);
    remove("MUJOCO_LOG.TXT");
    if (chdir(cwd) != 0 || rmdir(dir) != 0) fprintf(stderr, "could not remove %s\n", dir);
}
#endif

int main(void) {
    check_sizes();
    check_orthogonal();
    check_categorical();
    check_wrappers();
    check_cartpole_batch();
    check_replay_actions();
#ifdef ACRL_HAVE_MUJOCO
    check_pairwise_sums();
    check_bad_mujoco_actions();
#endif
    return test_summary("test_limits");
}
