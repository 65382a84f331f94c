/* Tests of the vectorized env on the toy env (1-D walk, |x| >= 1 terminates) under a
 * 50-step time limit: auto-reset against a trajectory re-computed here by plain
 * arithmetic (seeding seed + i, final_obs, done_return/length, truncation at exactly 50),
 * and identical buffers for 1, 2 and 3 threads. */
#include <string.h>

#include "acrl/env.h"
#include "env/wrap_internal.h"
#include "test.h"
#include "toy_env.h"

/* n toy envs, each under a time limit (0: none) and optionally an action repeat of 2. */
static acrl_vecenv* toy_vec(int n, uint64_t seed, int threads, int max_steps, bool repeat) {
    char err[ACRL_ERRLEN];
    acrl_env* envs[16];
    toy_config c = toy_config_default();
    for (int i = 0; i < n; i++) {
        envs[i] = toy_create(&c);
        if (max_steps > 0) envs[i] = acrl_wrap_time_limit(envs[i], max_steps, NULL, 0);
        if (repeat) envs[i] = acrl_wrap_action_repeat(envs[i], 2, NULL, 0);
    }
    acrl_vecenv* v = acrl_vecenv_make_envs(envs, n, seed, threads, err, sizeof err);
    if (!v) fprintf(stderr, "%s\n", err);
    return v;
}

/* The test's own model of one copy: x, and the RNG that draws x0 on every reset. */
typedef struct { acrl_rng rng; double x, ret; int len; } model;

static void test_autoreset(void) {
    const int N = 3;
    const uint64_t seed = 10;
    acrl_vecenv* v = toy_vec(N, seed, 1, 50, false);
    CHECK(v != NULL);
    if (!v) return;
    CHECK(v->obs_dim == 2 && v->act_dim == 1);
    acrl_vecenv_reset(v);
    model m[3];
    for (int i = 0; i < N; i++) {
        acrl_rng_seed(&m[i].rng, seed + (uint64_t)i);
        m[i].x = acrl_rng_uniform(&m[i].rng, -0.5, 0.5);
        m[i].ret = 0.0;
        m[i].len = 0;
        CHECK(v->obs[i * 2] == (float)m[i].x && v->obs[i * 2 + 1] == 0.0f);
    }
    /* copy 0 walks right (terminates every few steps), copy 1 left, copy 2 stays (truncated at 50) */
    const float act[3] = { 0.3f, -0.45f, 0.0f };
    int nterm = 0, ntrunc = 0, bad = 0;
    for (int t = 1; t <= 120; t++) {
        acrl_vecenv_step(v, act);
        for (int i = 0; i < N; i++) {
            m[i].x += (double)act[i];
            double r = 1.0 + m[i].x;
            m[i].ret += r;
            m[i].len++;
            bool term = fabs(m[i].x) >= 1.0, trunc = m[i].len >= 50;
            bad += v->rewards[i] != r || v->terminated[i] != term || v->truncated[i] != trunc;
            if (term || trunc) {
                nterm += term;
                ntrunc += trunc;
                bad += v->final_obs[i * 2] != (float)m[i].x || v->final_obs[i * 2 + 1] != act[i];
                bad += v->done_return[i] != m[i].ret || v->done_length[i] != m[i].len;
                if (trunc && i == 2) bad += m[i].len != 50;
                m[i].x = acrl_rng_uniform(&m[i].rng, -0.5, 0.5);   /* unseeded reset */
                m[i].ret = 0.0;
                m[i].len = 0;
                bad += v->obs[i * 2 + 1] != 0.0f;
            } else {
                bad += v->done_length[i] != 0 || v->obs[i * 2 + 1] != act[i];
            }
            bad += v->obs[i * 2] != (float)m[i].x;
            bad += v->episode_return[i] != m[i].ret || v->episode_length[i] != m[i].len;
            /* the fast path keeps the time limit wrapper's own counter in step */
            bad += ((acrl_time_limit*)v->envs[i])->elapsed != m[i].len;
        }
    }
    CHECK(bad == 0);
    CHECK(ntrunc == 2);          /* copy 2 at steps 50 and 100 */
    CHECK(nterm > 40);
    printf("  autoreset: %d terminations, %d truncations, %d mismatches\n", nterm, ntrunc, bad);
    /* a second reset is unseeded: every copy draws its next x0 */
    acrl_vecenv_reset(v);
    for (int i = 0; i < N; i++) {
        m[i].x = acrl_rng_uniform(&m[i].rng, -0.5, 0.5);
        CHECK(v->obs[i * 2] == (float)m[i].x);
        CHECK(v->episode_length[i] == 0 && v->episode_return[i] == 0.0);
    }
    acrl_vecenv_close(v);
}

/* Steps vec envs with 1, 2 and 3 threads in lockstep and compares every buffer. */
static void test_threads(int max_episode_steps, bool repeat) {
    const int N = 7, T = 400;
    acrl_vecenv* v[3];
    for (int k = 0; k < 3; k++) {
        v[k] = toy_vec(N, 1234, k + 1, max_episode_steps, repeat);
        CHECK(v[k] != NULL);
        if (!v[k]) return;
        acrl_vecenv_reset(v[k]);
    }
    acrl_rng ar;
    acrl_rng_seed(&ar, 3);
    float act[7];
    int diff = 0, dones = 0;
    size_t od = (size_t)N * 2;
    for (int t = 0; t < T; t++) {
        for (int i = 0; i < N; i++) act[i] = (float)acrl_rng_uniform(&ar, -0.6, 0.6);
        for (int k = 0; k < 3; k++) acrl_vecenv_step(v[k], act);
        for (int k = 1; k < 3; k++) {
            diff += memcmp(v[0]->obs, v[k]->obs, od * sizeof(float)) != 0;
            diff += memcmp(v[0]->final_obs, v[k]->final_obs, od * sizeof(float)) != 0;
            diff += memcmp(v[0]->rewards, v[k]->rewards, N * sizeof(double)) != 0;
            diff += memcmp(v[0]->terminated, v[k]->terminated, N * sizeof(bool)) != 0;
            diff += memcmp(v[0]->truncated, v[k]->truncated, N * sizeof(bool)) != 0;
            diff += memcmp(v[0]->episode_return, v[k]->episode_return, N * sizeof(double)) != 0;
            diff += memcmp(v[0]->episode_length, v[k]->episode_length, N * sizeof(int)) != 0;
            diff += memcmp(v[0]->done_return, v[k]->done_return, N * sizeof(double)) != 0;
            diff += memcmp(v[0]->done_length, v[k]->done_length, N * sizeof(int)) != 0;
        }
        for (int i = 0; i < N; i++) dones += v[0]->terminated[i] || v[0]->truncated[i];
    }
    printf("  threads 1/2/3, time limit %d%s: %d steps x %d copies, %d episode ends, %d differing buffers\n",
           max_episode_steps, repeat ? ", action repeat 2" : "", T, N, dones, diff);
    CHECK(diff == 0);
    CHECK(dones > 50);
    for (int k = 0; k < 3; k++) acrl_vecenv_close(v[k]);
}

/* Through the registry: the first registered env, and the error paths. */
static void test_registry(void) {
    char err[ACRL_ERRLEN] = "";
    CHECK(acrl_env_count() > 0);
    const char* id = acrl_env_spec_at(0)->id;
    CHECK(acrl_vecenv_make("NoSuchEnv-v9", 4, 0, 2, NULL, err, sizeof err) == NULL);
    CHECK(strstr(err, "NoSuchEnv-v9") != NULL && strstr(err, id) != NULL);
    CHECK(acrl_vecenv_make(id, 0, 0, 1, NULL, err, sizeof err) == NULL);
    CHECK(strstr(err, "num_envs") != NULL);
    /* more threads than copies is fine; copy i matches a single env reset with seed + i */
    acrl_vecenv* v = acrl_vecenv_make(id, 2, 40, 8, NULL, err, sizeof err);
    CHECK(v != NULL);
    if (!v) return;
    acrl_env* e = acrl_env_make(id, NULL, err, sizeof err);
    float obs[64], a[64];
    acrl_vecenv_reset(v);
    for (int i = 0; i < 2; i++) {
        acrl_env_reset(e, 40 + i, obs);
        CHECK(memcmp(obs, v->obs + i * v->obs_dim, (size_t)v->obs_dim * sizeof(float)) == 0);
    }
    /* copy 1 against the single env (seed 41) for 300 steps of action 0 with auto-reset */
    memset(a, 0, sizeof a);
    int bad = 0;
    for (int t = 0; t < 300; t++) {
        double r;
        bool term, trunc;
        acrl_vecenv_step(v, a);
        acrl_env_step(e, a, obs, &r, &term, &trunc);
        bad += r != v->rewards[1] || term != v->terminated[1] || trunc != v->truncated[1];
        if (term || trunc) {
            bad += memcmp(obs, v->final_obs + v->obs_dim, (size_t)v->obs_dim * sizeof(float)) != 0;
            acrl_env_reset(e, -1, obs);
        }
        bad += memcmp(obs, v->obs + v->obs_dim, (size_t)v->obs_dim * sizeof(float)) != 0;
    }
    printf("  %s: vec copy 1 vs single env, 300 steps, %d mismatches\n", id, bad);
    CHECK(bad == 0);
    acrl_env_close(e);
    acrl_vecenv_close(v);
}

int main(void) {
    test_autoreset();
    test_threads(50, false);   /* fast path: base env + time limit counted by the vec env */
    test_threads(0, false);    /* no time limit: the base env alone */
    test_threads(13, true);    /* generic path through a wrapper chain */
    test_registry();
    return test_summary("vecenv");
}
