/* test_replay: the replay buffer's ring (wrap-around keeps the newest slots), uniform
 * sampling (chi-square over a fixed seed, reproducible indices), n-step returns worked
 * out by hand across a termination, a truncation and the newest slot, and the
 * checkpoint round trip. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "acrl.h"
#include "algo/replay.h"
#include "test.h"

/* Adds step s of two copies: obs = (10 s + e, -s), act = s + e/10, rew = s + 1 + e. */
static void add_step(acrl_replay* r, int s, bool term0, bool trunc0, bool term1, bool trunc1) {
    float obs[4], next[4], act[2], rew[2];
    for (int e = 0; e < 2; e++) {
        obs[2 * e] = 10.0f * s + e;
        obs[2 * e + 1] = -(float)s;
        next[2 * e] = 10.0f * (s + 1) + e + 0.5f; /* distinguishable from the next obs */
        next[2 * e + 1] = -(float)s - 1;
        act[e] = s + e / 10.0f;
        rew[e] = s + 1.0f + e;
    }
    bool term[2] = {term0, term1}, trunc[2] = {trunc0, trunc1};
    replay_add(r, obs, act, rew, next, term, trunc);
}

static void test_ring(void) {
    char err[ACRL_ERRLEN];
    acrl_replay r;
    CHECK(replay_init(&r, 6, 2, 2, 1, err, sizeof err) == 0);
    CHECK(r.slots == 3);
    CHECK(replay_size(&r) == 0);
    for (int s = 0; s < 2; s++) add_step(&r, s, false, false, false, false);
    CHECK(replay_size(&r) == 4 && r.pos == 2 && !r.full);
    for (int s = 2; s < 5; s++) add_step(&r, s, false, false, false, false);
    /* 5 steps in 3 slots: slot 0 holds step 3, slot 1 step 4, slot 2 step 2 */
    CHECK(replay_size(&r) == 6 && r.full && r.pos == 2);
    CHECK(r.obs[(0 * 2 + 1) * 2] == 31.0f && r.obs[(1 * 2 + 0) * 2] == 40.0f && r.obs[(2 * 2 + 1) * 2] == 21.0f);
    CHECK_NEAR(r.act[1 * 2 + 1], 4.1, 1e-6);
    CHECK(r.rew[2 * 2 + 0] == 3.0f);
    printf("  ring: 5 steps of 2 copies in 3 slots keep steps 2..4 (pos %d, full %d)\n", r.pos, r.full);
    char bad[ACRL_ERRLEN];
    acrl_replay z;
    CHECK(replay_init(&z, 0, 1, 2, 1, bad, sizeof bad) == -1);
    printf("  capacity 0: %s\n", bad);
    replay_free(&r);
}

static void test_uniform(void) {
    char err[ACRL_ERRLEN];
    acrl_replay r;
    CHECK(replay_init(&r, 10, 1, 1, 1, err, sizeof err) == 0);
    for (int s = 0; s < 10; s++) {
        float o = (float)s, a = 0, rw = 0;
        bool f = false;
        replay_add(&r, &o, &a, &rw, &o, &f, &f);
    }
    replay_batch b;
    CHECK(replay_batch_init(&b, 1000, 1, 1) == 0);
    acrl_rng rng;
    acrl_rng_seed(&rng, 42);
    long count[10] = {0};
    const int rounds = 100;
    for (int k = 0; k < rounds; k++) {
        replay_sample(&r, &b, 1000, 1, 0.99f, &rng);
        for (int i = 0; i < 1000; i++) {
            CHECK(b.obs[i] == (float)b.idx[i]);
            if (b.idx[i] >= 0 && b.idx[i] < 10) count[b.idx[i]]++;
        }
    }
    double chi2 = 0, expect = rounds * 1000 / 10.0;
    for (int i = 0; i < 10; i++) chi2 += (count[i] - expect) * (count[i] - expect) / expect;
    printf("  uniform: 100000 draws over 10 slots, chi-square %.2f (9 dof, 0.1%% critical value 27.88)\n", chi2);
    CHECK(chi2 < 27.88);
    /* the same seed gives the same indices */
    acrl_rng a1, a2;
    acrl_rng_seed(&a1, 3);
    acrl_rng_seed(&a2, 3);
    long first[16];
    replay_sample(&r, &b, 16, 1, 0.99f, &a1);
    memcpy(first, b.idx, sizeof first);
    replay_sample(&r, &b, 16, 1, 0.99f, &a2);
    CHECK(memcmp(first, b.idx, sizeof first) == 0);
    replay_batch_free(&b);
    replay_free(&r);
}

static void test_nstep(void) {
    char err[ACRL_ERRLEN];
    acrl_replay r;
    CHECK(replay_init(&r, 16, 2, 2, 1, err, sizeof err) == 0);
    /* copy 0: steps 0,1,2 then terminated at step 2; 3.. new episode, truncated at 4; 5 last
     * copy 1: no episode end */
    add_step(&r, 0, false, false, false, false);
    add_step(&r, 1, false, false, false, false);
    add_step(&r, 2, true, false, false, false);
    add_step(&r, 3, false, false, false, false);
    add_step(&r, 4, false, true, false, false);
    add_step(&r, 5, false, false, false, false);
    const float g = 0.9f;
    replay_batch b;
    CHECK(replay_batch_init(&b, 8, 2, 1) == 0);
    /* flat index = t * 2 + e */
    long idx[8] = {0 * 2 + 0, 1 * 2 + 0, 2 * 2 + 0, 3 * 2 + 0, 4 * 2 + 0, 5 * 2 + 0, 0 * 2 + 1, 4 * 2 + 1};
    memcpy(b.idx, idx, sizeof idx);
    replay_gather(&r, &b, 8, 3, g);
    /* by hand, rewards of copy 0 are s + 1, of copy 1 s + 2 */
    struct { double rew, disc, done, next0; } want[8] = {
        {1 + g * 2 + g * g * 3, g * g * g, 1, 30.5}, /* t0: 3 steps, the third terminates */
        {2 + g * 3, g * g, 1, 30.5},                 /* t1: terminated at step 2: no bootstrap */
        {3, g, 1, 30.5},                             /* t2: terminates itself */
        {4 + g * 5, g * g, 0, 50.5},                 /* t3: truncated at 4: bootstrap from final obs */
        {5, g, 0, 50.5},                             /* t4: truncated */
        {6, g, 0, 60.5},                             /* t5: newest slot */
        {2 + g * 3 + g * g * 4, g * g * g, 0, 31.5}, /* copy 1, t0 */
        {6 + g * 7, g * g, 0, 61.5},                 /* copy 1, t4: cut at the newest slot */
    };
    double maxd = 0;
    for (int i = 0; i < 8; i++) {
        double d = fabs(b.rew[i] - want[i].rew) + fabs(b.discount[i] - want[i].disc) + fabs(b.done[i] - want[i].done) +
                   fabs(b.next_obs[2 * i] - want[i].next0);
        if (d > maxd) maxd = d;
        if (d > 1e-5) printf("  row %d: rew %g disc %g done %g next %g\n", i, b.rew[i], b.discount[i], b.done[i], b.next_obs[2 * i]);
    }
    CHECK_MAXDIFF("n-step (n = 3) returns vs hand values", maxd, 1e-5);
    /* n = 1: the plain transition */
    replay_gather(&r, &b, 8, 1, g);
    maxd = 0;
    for (int i = 0; i < 8; i++) {
        int t = (int)(idx[i] / 2), e = (int)(idx[i] % 2);
        maxd = fmax(maxd, fabs(b.rew[i] - (t + 1 + e)) + fabs(b.discount[i] - g) +
                              fabs(b.next_obs[2 * i] - (10.0 * (t + 1) + e + 0.5)));
    }
    CHECK_MAXDIFF("1-step transitions", maxd, 1e-6);
    CHECK(b.done[2] == 1 && b.done[4] == 0);
    /* wrap: 3 slots, the walk from the oldest slot crosses the ring's end and stops at the newest */
    acrl_replay w;
    CHECK(replay_init(&w, 6, 2, 2, 1, err, sizeof err) == 0);
    for (int s = 0; s < 5; s++) add_step(&w, s, false, false, false, false);
    b.idx[0] = 2 * 2 + 0; /* slot 2 = step 2, then slot 0 = step 3, slot 1 = step 4 (newest) */
    replay_gather(&w, &b, 1, 5, g);
    CHECK_NEAR(b.rew[0], 3 + g * 4 + g * g * 5, 1e-5);
    CHECK_NEAR(b.next_obs[0], 50.5, 0);
    replay_free(&w);
    replay_batch_free(&b);
    replay_free(&r);
}

static void test_ckpt(void) {
    char err[ACRL_ERRLEN], path[] = "/tmp/acrl-test-replay-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    acrl_replay r, q;
    CHECK(replay_init(&r, 8, 2, 2, 1, err, sizeof err) == 0);
    for (int s = 0; s < 6; s++) add_step(&r, s, s == 2, s == 4, false, false);
    acrl_ckpt_writer* w = acrl_ckpt_begin("sac", "Pendulum-v1");
    CHECK(replay_save(&r, w, "replay") == 0);
    CHECK(acrl_ckpt_commit(w, path, err, sizeof err) == 0);
    acrl_ckpt* c = acrl_ckpt_load(path, err, sizeof err);
    CHECK(c != NULL);
    CHECK(replay_init(&q, 8, 2, 2, 1, err, sizeof err) == 0);
    CHECK(c && replay_load(&q, c, "replay", err, sizeof err) == 0);
    size_t n = (size_t)replay_size(&r);
    CHECK(q.pos == r.pos && q.full == r.full && replay_size(&q) == (long)n);
    CHECK(memcmp(q.obs, r.obs, n * 2 * sizeof(float)) == 0 && memcmp(q.next_obs, r.next_obs, n * 2 * sizeof(float)) == 0 &&
          memcmp(q.act, r.act, n * sizeof(float)) == 0 && memcmp(q.rew, r.rew, n * sizeof(float)) == 0 &&
          memcmp(q.terminated, r.terminated, n) == 0 && memcmp(q.truncated, r.truncated, n) == 0);
    acrl_replay other;
    CHECK(replay_init(&other, 8, 2, 3, 1, err, sizeof err) == 0);
    CHECK(c && replay_load(&other, c, "replay", err, sizeof err) == -1);
    printf("  other shape: %s\n", err);
    replay_free(&other);
    acrl_ckpt_free(c);
    unlink(path);
    replay_free(&q);
    replay_free(&r);
}

int main(void) {
    test_ring();
    test_uniform();
    test_nstep();
    test_ckpt();
    return test_summary("test_replay");
}
