/* test_qbias: the Q-bias measurement (acrl qbias) on constructed cases whose discounted returns
 * are known: a terminated episode with hand-set critic errors; a long truncated episode whose
 * counted states (tail weight <= 0.01) and left-out tails are checked against direct sums; a
 * short truncated episode bootstrapped with the true value (bias 0). Then end to end through
 * acrl_qbias: discrete SAC on CartPole-v1 (reward 1 per step, one terminated episode of T
 * steps: the mean return is (1/T) sum_t (1 - gamma^(T - t)) / (1 - gamma)); SAC, TD3, DDPG and
 * PMOE runs on Pendulum-v1 give finite statistics and q_bias_* fields in summary.json (replaced,
 * not duplicated, on a second call); PPO is refused (no Q critic). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl.h"
#include "algo/qbias.h"
#include "test.h"

static char tmp_root[] = "/tmp/acrl-test-qbias-XXXXXX";

/* G_t = sum_{k >= t} gamma^(k - t) r_k (no tail), summed forwards */
static double direct_return(const double* r, int T, int t, double gamma) {
    double g = 0, w = 1;
    for (int k = t; k < T; k++, w *= gamma) g += w * r[k];
    return g;
}

static void test_terminated(void) {
    const double r[5] = {1, 2, 3, 4, 5}, gamma = 0.9;
    const double c[5] = {0.5, -0.5, 1.0, 0.0, 0.5}; /* the critic's errors */
    float q[5];
    double sg = 0, sc = 0, sc2 = 0;
    for (int t = 0; t < 5; t++) {
        double g = direct_return(r, 5, t, gamma);
        q[t] = (float)(g + c[t]);
        sg += g;
        sc += c[t];
        sc2 += c[t] * c[t];
    }
    qbias_acc a = {0};
    qbias_add_episode(&a, r, q, 5, true, 1e9 /* unused */, gamma, 0.01);
    acrl_qbias_result out;
    qbias_finish(&a, &out);
    const double mc = sc / 5, sd = sqrt(sc2 / 5 - mc * mc), mg = sg / 5;
    printf("terminated episode: bias %.6f (want %.6f), std %.6f (want %.6f), states %ld\n", out.bias_mean, mc,
           out.bias_std, sd, out.states);
    CHECK(out.states == 5 && out.terminated == 1 && out.dropped == 0 && out.bootstrapped == 0);
    CHECK_NEAR(out.return_mean, mg, 1e-6);
    CHECK_NEAR(out.bias_mean, mc, 1e-6);
    CHECK_NEAR(out.bias_std, sd, 1e-6);
    CHECK_NEAR(out.norm_mean, mc / mg, 1e-6);
    CHECK_NEAR(out.norm_std, sd / mg, 1e-6);
}

/* r = 1, T = 600, gamma 0.99: states t <= 141 have gamma^(600 - t) <= 0.01 (600 - t >= 459). The
 * critic holds the infinite-horizon value 100, so Q - G is the left-out tail gamma^(T-t) / (1-gamma). */
static void test_truncated_long(void) {
    enum { T = 600 };
    const double gamma = 0.99;
    static double r[T];
    static float q[T];
    for (int t = 0; t < T; t++) { r[t] = 1; q[t] = 100; }
    qbias_acc a = {0};
    qbias_add_episode(&a, r, q, T, false, 12345 /* not used: the tail is left out */, gamma, 0.01);
    acrl_qbias_result out;
    qbias_finish(&a, &out);
    double sd = 0, sg = 0, maxw = 0;
    int n = 0;
    for (int t = 0; t < T; t++) {
        double w = pow(gamma, T - t);
        if (w > 0.01) continue;
        double g = direct_return(r, T, t, gamma);
        sd += 100 - g;
        sg += g;
        if (w > maxw) maxw = w;
        n++;
    }
    printf("truncated 600-step episode: %ld states counted (want %d = t <= 141), bias %.6f (want %.6f), max tail "
           "weight %.5f\n", out.states, n, out.bias_mean, sd / n, out.max_tail_weight);
    CHECK(n == 142 && out.states == n && out.visited == T && out.dropped == 1 && out.bootstrapped == 0);
    CHECK_NEAR(out.bias_mean, sd / n, 1e-6);
    CHECK_NEAR(out.return_mean, sg / n, 1e-6);
    CHECK_NEAR(out.max_tail_weight, maxw, 1e-12);
    CHECK(out.max_tail_weight <= 0.01);
}

/* r = 1, T = 200 at gamma 0.99 (0.99^200 = 0.134 > 0.01): bootstrapped with the true value 100,
 * every G_t is 100 and the critic (100) has no bias. */
static void test_truncated_short(void) {
    enum { T = 200 };
    double r[T];
    float q[T];
    for (int t = 0; t < T; t++) { r[t] = 1; q[t] = 100; }
    qbias_acc a = {0};
    qbias_add_episode(&a, r, q, T, false, 100, 0.99, 0.01);
    qbias_add_episode(&a, r, q, 0, true, 0, 0.99, 0.01); /* an empty episode adds nothing */
    acrl_qbias_result out;
    qbias_finish(&a, &out);
    printf("truncated 200-step episode, bootstrapped: %ld states, return mean %.9f, bias %.3g\n", out.states,
           out.return_mean, out.bias_mean);
    CHECK(out.states == T && out.bootstrapped == 1 && out.dropped == 0 && out.episodes == 2);
    CHECK_NEAR(out.return_mean, 100, 1e-9);
    CHECK_NEAR(out.bias_mean, 0, 1e-9);
    CHECK_NEAR(out.bias_std, 0, 1e-6);
}

static int train(const char* algo, const char* env, const char* dir, long steps, const char* const* sets, int n,
                 char* err) {
    acrl_train_options o = acrl_train_options_default();
    o.algo = algo;
    o.env_id = env;
    o.out_dir = dir;
    o.steps = steps;
    o.seed = 3;
    o.quiet = true;
    o.eval_episodes = 1;
    o.overrides = sets;
    o.n_overrides = n;
    return acrl_train(&o, err, ACRL_ERRLEN);
}

static int count(const char* text, const char* pat) {
    int n = 0;
    for (const char* p = strstr(text, pat); p; p = strstr(p + 1, pat)) n++;
    return n;
}

static void test_cartpole_end_to_end(void) {
    char err[ACRL_ERRLEN], dir[1200], ck[1300];
    snprintf(dir, sizeof dir, "%s/sacd", tmp_root);
    const char* sets[] = {"net_arch=16,16", "batch_size=16", "learning_starts=50", "eval_freq=0", "gamma=0.95"};
    int rc = train("sac", "CartPole-v1", dir, 200, sets, 5, err);
    if (rc) fprintf(stderr, "%s\n", err);
    CHECK(rc == ACRL_OK);
    snprintf(ck, sizeof ck, "%s/final.ckpt", dir);
    acrl_qbias_result q;
    rc = acrl_qbias(ck, 1, 7, false, &q, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    CHECK(rc == ACRL_OK);
    if (rc) return;
    const long T = q.visited;
    double sg = 0;
    const double g = 0.95f; /* the run config holds gamma as a float */
    for (long t = 0; t < T; t++) sg += (1 - pow(g, (double)(T - t))) / (1 - g);
    printf("discrete SAC, CartPole-v1: one episode of %ld steps, return mean %.9f (want %.9f), Q mean %.4f, bias "
           "%.4f (%.4f of |G|)\n", T, q.return_mean, sg / T, q.q_mean, q.bias_mean, q.norm_mean);
    CHECK(q.terminated == 1 && q.states == T && T > 0 && T < 500 && q.gamma == 0.95f);
    CHECK_NEAR(q.return_mean, sg / T, 1e-9);
    CHECK_NEAR(q.bias_mean, q.q_mean - q.return_mean, 1e-9);
}

static void test_pendulum_algos(void) {
    const char* algos[] = {"sac", "td3", "ddpg", "pmoe"};
    for (int i = 0; i < 4; i++) {
        char err[ACRL_ERRLEN], dir[1200], path[1300];
        snprintf(dir, sizeof dir, "%s/%s", tmp_root, algos[i]);
        const char* sets[] = {"net_arch=16,16", "batch_size=16", "learning_starts=50", "eval_freq=0"};
        int rc = train(algos[i], "Pendulum-v1", dir, 150, sets, 4, err);
        CHECK(rc == ACRL_OK);
        acrl_qbias_result q;
        snprintf(path, sizeof path, "%s/final.ckpt", dir);
        rc = acrl_qbias(path, 2, 0, i == 3, &q, err, sizeof err);
        if (rc) fprintf(stderr, "%s: %s\n", algos[i], err);
        CHECK(rc == ACRL_OK);
        if (rc) continue;
        printf("%-4s Pendulum-v1: %ld states, Q mean %.3f, G mean %.3f, bias %.3f +- %.3f, bootstrapped %d\n",
               algos[i], q.states, q.q_mean, q.return_mean, q.bias_mean, q.bias_std, q.bootstrapped);
        CHECK(q.states == 400 && q.bootstrapped == 2 && isfinite(q.bias_mean) && isfinite(q.norm_std));
        snprintf(path, sizeof path, "%s/summary.json", dir);
        CHECK(acrl_qbias_write_summary(path, &q, false) == 0);
        CHECK(acrl_qbias_write_summary(path, &q, false) == 0); /* replaces its fields */
        FILE* f = fopen(path, "r");
        char text[8192] = "";
        if (f) { size_t n = fread(text, 1, sizeof text - 1, f); text[n] = 0; fclose(f); }
        CHECK(count(text, "\"q_bias_mean\"") == 1 && count(text, "\"algo\"") == 1 && count(text, "{") == 1);
        char algo[16];
        CHECK(acrl_json_get_string(text, "algo", algo, sizeof algo) == 0 && strcmp(algo, algos[i]) == 0);
        CHECK(acrl_json_get_string(text, "q_bias_policy", algo, sizeof algo) == 0 && strcmp(algo, "deterministic") == 0);
    }
}

static void test_refused(void) {
    char err[ACRL_ERRLEN], dir[1200], path[1300];
    snprintf(dir, sizeof dir, "%s/ppo", tmp_root);
    const char* sets[] = {"n_steps=32", "batch_size=32", "n_epochs=1", "eval_freq=0"};
    CHECK(train("ppo", "Pendulum-v1", dir, 64, sets, 4, err) == ACRL_OK);
    snprintf(path, sizeof path, "%s/final.ckpt", dir);
    acrl_qbias_result q;
    CHECK(acrl_qbias(path, 1, 0, false, &q, err, sizeof err) == ACRL_ERR_INPUT);
    printf("PPO: %s\n", err);
    CHECK(strstr(err, "no Q critic") != NULL);
    CHECK(acrl_qbias("/nonexistent.ckpt", 1, 0, false, &q, err, sizeof err) == ACRL_ERR_INPUT);
    /* a policy-only checkpoint has no critic */
    snprintf(path, sizeof path, "%s/sac/final.ckpt", tmp_root);
    char pol[1300];
    snprintf(pol, sizeof pol, "%s/sac/policy.ckpt", tmp_root);
    CHECK(acrl_export_policy(path, pol, err, sizeof err) == ACRL_OK);
    CHECK(acrl_qbias(pol, 1, 0, false, &q, err, sizeof err) == ACRL_ERR_INPUT);
    printf("policy-only checkpoint: %s\n", err);
    CHECK(strstr(err, "policy-only") != NULL);
}

int main(void) {
    if (!mkdtemp(tmp_root)) { perror("mkdtemp"); return 1; }
    test_terminated();
    test_truncated_long();
    test_truncated_short();
    test_cartpole_end_to_end();
    test_pendulum_algos();
    test_refused();
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp_root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp_root);
    return test_summary("test_qbias");
}
