/* test_plr.c - Prioritized Level Replay's sampler on constructed cases: replay weights
 * (rank transform with temperature, unseen levels zeroed, staleness mixing, ties) against an
 * independent NumPy statement of the official formulas, score updates from a constructed
 * rollout (value_l1 and positive value loss, partial episodes, alpha), sampling frequencies
 * of both schedules, and the checkpoint image. */
#include <math.h>
#include <string.h>

#include "algo/plr.h"
#include "test.h"

static plr_config cfg_of(double T, double c, int score, int schedule, double rho, double nu, double alpha) {
    plr_config c_ = {score, schedule, T, c, rho, nu, alpha};
    return c_;
}

static void set_state(acrl_plr* p, const double* scores, const int* seen, const double* stale) {
    for (int i = 0; i < p->n; i++) {
        p->scores[i] = scores[i];
        p->seen[i] = (uint8_t)seen[i];
        p->staleness[i] = stale[i];
    }
}

static void test_weights(void) {
    char err[256];
    acrl_plr p;
    const double sc[5] = {0.5, 2.0, 1.0, 0.0, 3.0}, st[5] = {3, 0, 1, 5, 2};
    const int seen[5] = {1, 1, 1, 0, 1};
    /* NumPy (tests/test_plr.c header): rank, beta = 0.1, staleness 0.1 */
    const double want1[5] = {5.0000857454188370e-02, 8.7803308888656929e-04, 1.6681893103744683e-02, 0.0,
                             9.3243921635318028e-01};
    const double want2[5] = {0.12, 0.24, 0.16, 0.0, 0.48}; /* beta = 1, no staleness */
    plr_config c = cfg_of(0.1, 0.1, PLR_VALUE_L1, PLR_PROPORTIONATE, 1.0, 0.5, 1.0);
    CHECK(plr_init(&p, &c, 5, 1, 4, 1, err, sizeof err) == 0);
    set_state(&p, sc, seen, st);
    double w[5], d = 0;
    plr_replay_weights(&p, w);
    for (int i = 0; i < 5; i++) d = fmax(d, fabs(w[i] - want1[i]));
    CHECK_MAXDIFF("rank beta=0.1 + staleness 0.1 vs NumPy", d, 1e-15);
    p.cfg.temperature = 1.0;
    p.cfg.staleness_coef = 0.0;
    plr_replay_weights(&p, w);
    d = 0;
    for (int i = 0; i < 5; i++) d = fmax(d, fabs(w[i] - want2[i]));
    CHECK_MAXDIFF("rank beta=1, unseen level zeroed", d, 1e-15);
    plr_free(&p);
    /* ties: stable ascending argsort flipped: among equal scores the higher index ranks first */
    const double sc2[4] = {1, 1, 1, 2}, st2[4] = {0};
    const int seen2[4] = {1, 1, 1, 1};
    const double want3[4] = {0.12, 0.16, 0.24, 0.48};
    CHECK(plr_init(&p, &c, 4, 1, 4, 1, err, sizeof err) == 0);
    p.cfg.temperature = 1.0;
    p.cfg.staleness_coef = 0.0;
    set_state(&p, sc2, seen2, st2);
    plr_replay_weights(&p, w);
    d = 0;
    for (int i = 0; i < 4; i++) d = fmax(d, fabs(w[i] - want3[i]));
    CHECK_MAXDIFF("ties", d, 1e-15);
    plr_free(&p);
}

/* a constructed rollout, T = 5, E = 2, four levels */
static void test_scores(int kind, double alpha) {
    char err[256];
    acrl_plr p;
    plr_config c = cfg_of(0.1, 0.1, kind, PLR_PROPORTIONATE, 1.0, 0.5, alpha);
    CHECK(plr_init(&p, &c, 4, 2, 5, 1, err, sizeof err) == 0);
    const int lv[5][2] = {{2, 1}, {2, 1}, {0, 1}, {0, 3}, {0, 3}};
    const float adv[10] = {1, -1, -3, 2, 0.5f, -4, -0.5f, 1, 2, 1};
    bool done[10] = {0};
    done[1 * 2 + 0] = true; /* copy 0's episode ends at t = 1 */
    done[2 * 2 + 1] = true; /* copy 1's at t = 2 */
    for (int t = 0; t < 5; t++)
        for (int e = 0; e < 2; e++) p.step_level[t * 2 + e] = lv[t][e];
    p.t = 5;
    p.scores[2] = 1.0;  /* an earlier score: (1 - alpha) of it stays */
    plr_update(&p, adv, done);
    double want[4];
    if (kind == PLR_VALUE_L1) {
        want[2] = (1 + 3) / 2.0;             /* copy 0, t 0..1 */
        want[0] = (0.5 + 0.5 + 2) / 3.0;     /* copy 0, t 2..4: open, flushed after the update */
        want[1] = (1 + 2 + 4) / 3.0;         /* copy 1, t 0..2 */
        want[3] = (1 + 1) / 2.0;             /* copy 1, t 3..4: open */
    } else {
        want[2] = (1 + 0) / 2.0;
        want[0] = (0.5 + 0 + 2) / 3.0;
        want[1] = (0 + 2 + 0) / 3.0;
        want[3] = (1 + 1) / 2.0;
    }
    want[2] = (1 - alpha) * 1.0 + alpha * want[2];
    for (int i = 0; i < 4; i++)
        if (i != 2) want[i] *= alpha;
    double d = 0;
    for (int i = 0; i < 4; i++) d = fmax(d, fabs(p.scores[i] - want[i]));
    char name[80];
    snprintf(name, sizeof name, "%s scores, alpha %.1f", kind == PLR_VALUE_L1 ? "value_l1" : "positive_value_loss", alpha);
    CHECK_MAXDIFF(name, d, 1e-12);
    CHECK(p.seen[0] && p.seen[1] && p.seen[2] && p.seen[3]);
    CHECK(p.t == 0);
    plr_free(&p);
}

/* the official after_update flushes only partial scores != 0: an open episode whose positive
 * value loss is 0 leaves its level unseen */
static void test_zero_partial(void) {
    char err[256];
    acrl_plr p;
    plr_config c = cfg_of(0.1, 0.1, PLR_POSITIVE_VALUE_LOSS, PLR_PROPORTIONATE, 1.0, 0.5, 1.0);
    CHECK(plr_init(&p, &c, 3, 1, 2, 1, err, sizeof err) == 0);
    const float adv[2] = {-1, -2};
    const bool done[2] = {false, false};
    p.step_level[0] = p.step_level[1] = 1;
    p.t = 2;
    plr_update(&p, adv, done);
    CHECK(!p.seen[1]);
    CHECK(p.scores[1] == 0.0);
    plr_free(&p);
}

static void test_sampling(void) {
    char err[256];
    acrl_plr p;
    /* all seen: the proportionate schedule always replays, by the weights */
    plr_config c = cfg_of(1.0, 0.0, PLR_VALUE_L1, PLR_PROPORTIONATE, 1.0, 0.5, 1.0);
    CHECK(plr_init(&p, &c, 4, 1, 4, 7, err, sizeof err) == 0);
    const double sc[4] = {0.5, 2.0, 1.0, 3.0}, st[4] = {0};
    const int seen[4] = {1, 1, 1, 1};
    set_state(&p, sc, seen, st);
    double w[4], cnt[4] = {0};
    plr_replay_weights(&p, w);
    const int N = 200000;
    for (int k = 0; k < N; k++) cnt[plr_sample(&p)]++;
    double d = 0;
    for (int i = 0; i < 4; i++) d = fmax(d, fabs(cnt[i] / N - w[i]));
    printf("  replay frequencies %.4f %.4f %.4f %.4f, weights %.4f %.4f %.4f %.4f\n", cnt[0] / N, cnt[1] / N,
           cnt[2] / N, cnt[3] / N, w[0], w[1], w[2], w[3]);
    CHECK_MAXDIFF("replay frequencies vs weights (200k draws)", d, 0.005);
    plr_free(&p);
    /* fixed schedule, half the levels seen, rho 0.5: a new level with probability nu = 0.3,
     * uniform over the unseen ones */
    c = cfg_of(1.0, 0.0, PLR_VALUE_L1, PLR_FIXED, 0.5, 0.3, 1.0);
    CHECK(plr_init(&p, &c, 4, 1, 4, 7, err, sizeof err) == 0);
    const int seen2[4] = {1, 0, 1, 0};
    set_state(&p, sc, seen2, st);
    double nw = 0, n1 = 0;
    for (int k = 0; k < N; k++) {
        int i = plr_sample(&p);
        if (!seen2[i]) nw++;
        if (i == 1) n1++;
    }
    printf("  fixed schedule: new levels %.4f (nu 0.3), level 1 of the new ones %.4f (0.5)\n", nw / N, n1 / nw);
    CHECK_NEAR(nw / N, 0.3, 0.005);
    CHECK_NEAR(n1 / nw, 0.5, 0.01);
    /* below rho: always new */
    p.cfg.rho = 0.75;
    for (int k = 0; k < 1000; k++) CHECK(!seen2[plr_sample(&p)]);
    plr_free(&p);
    /* proportionate schedule: replay with probability = fraction seen (0.5) once rho (0.5) is reached */
    c = cfg_of(1.0, 0.0, PLR_VALUE_L1, PLR_PROPORTIONATE, 0.5, 0.5, 1.0);
    CHECK(plr_init(&p, &c, 4, 1, 4, 9, err, sizeof err) == 0);
    set_state(&p, sc, seen2, st);
    nw = 0;
    for (int k = 0; k < N; k++) nw += !seen2[plr_sample(&p)];
    CHECK_NEAR(nw / N, 0.5, 0.005);
    plr_free(&p);
    /* staleness: a sampled level's staleness is 0, the others grow by one */
    c = cfg_of(0.1, 0.1, PLR_VALUE_L1, PLR_PROPORTIONATE, 1.0, 0.5, 1.0);
    CHECK(plr_init(&p, &c, 4, 1, 4, 3, err, sizeof err) == 0);
    set_state(&p, sc, seen, st);
    int i = plr_sample(&p);
    for (int k = 0; k < 4; k++) CHECK(p.staleness[k] == (k == i ? 0.0 : 1.0));
    plr_free(&p);
}

static void test_record_and_image(void) {
    char err[256];
    acrl_plr p, q;
    plr_config c = cfg_of(0.1, 0.1, PLR_VALUE_L1, PLR_PROPORTIONATE, 1.0, 0.5, 1.0);
    CHECK(plr_init(&p, &c, 6, 3, 4, 11, err, sizeof err) == 0);
    CHECK(plr_init(&q, &c, 6, 3, 4, 99, err, sizeof err) == 0);
    bool done[3] = {false, true, false};
    int next[3];
    p.current[0] = 4; p.current[1] = 5; p.current[2] = 0;
    plr_record_step(&p, done, next);
    CHECK(p.step_level[0] == 4 && p.step_level[1] == 5 && p.step_level[2] == 0);
    CHECK(next[0] == -1 && next[2] == -1 && next[1] >= 0 && next[1] < 6 && p.current[1] == next[1]);
    unsigned char buf[1024];
    CHECK(plr_state_bytes(&p) <= sizeof buf);
    p.scores[3] = 0.25;
    p.seen[3] = 1;
    plr_state_save(&p, buf);
    CHECK(plr_state_load(&q, buf, plr_state_bytes(&p)) == 0);
    CHECK(q.scores[3] == 0.25 && q.seen[3] == 1 && q.current[1] == p.current[1]);
    for (int k = 0; k < 50; k++) CHECK(plr_sample(&p) == plr_sample(&q)); /* the generator came along */
    buf[4] ^= 1; /* another level count */
    CHECK(plr_state_load(&q, buf, plr_state_bytes(&p)) < 0);
    plr_free(&p);
    plr_free(&q);
}

int main(void) {
    test_weights();
    test_scores(PLR_VALUE_L1, 1.0);
    test_scores(PLR_POSITIVE_VALUE_LOSS, 1.0);
    test_scores(PLR_VALUE_L1, 0.5);
    test_zero_partial();
    test_sampling();
    test_record_and_image();
    return test_summary("test_plr");
}
