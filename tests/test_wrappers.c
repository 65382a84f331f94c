/* Tests of the env wrappers on the toy env: exact transitions for time limit, action
 * repeat, rescale and clip; normalizers against a closed-form double re-computation;
 * bit-identical continuation after a snapshot round trip. */
#include <stdint.h>
#include <string.h>

#include "acrl/env.h"
#include "test.h"
#include "toy_env.h"

static acrl_env* toy(double bound, float low, float high) {
    toy_config c = toy_config_default();
    c.bound = bound;
    c.low = low;
    c.high = high;
    return toy_create(&c);
}

static void set_x(acrl_env* env, double x, float* obs) {
    double st[2] = { x, 0.0 };
    char err[ACRL_ERRLEN];
    CHECK(acrl_env_set_state(env, st, 2, obs, err, sizeof err) == 0);
}

static void test_time_limit(void) {
    float obs[2], a = 0.25f;
    double r;
    bool term, trunc;
    acrl_env* e = acrl_wrap_time_limit(toy(100.0, -1, 1), 5, NULL, 0);
    acrl_env_reset(e, 3, obs);
    for (int t = 1; t <= 5; t++) {
        acrl_env_step(e, &a, obs, &r, &term, &trunc);
        CHECK(!term);
        CHECK(trunc == (t == 5));
    }
    acrl_env_reset(e, -1, obs); /* counter back to 0 */
    for (int t = 1; t <= 4; t++) {
        acrl_env_step(e, &a, obs, &r, &term, &trunc);
        CHECK(!trunc);
    }
    acrl_env_step(e, &a, obs, &r, &term, &trunc);
    CHECK(trunc);
    /* terminated and truncated on the same step: x = 0, +0.25 per step, bound 1.25 */
    acrl_env_close(e);
    e = acrl_wrap_time_limit(toy(1.25, -1, 1), 5, NULL, 0);
    acrl_env_reset(e, 0, obs);
    set_x(e, 0.0, obs);
    for (int t = 1; t <= 5; t++) {
        acrl_env_step(e, &a, obs, &r, &term, &trunc);
        CHECK(term == (t == 5));
        CHECK(trunc == (t == 5));
    }
    CHECK_NEAR(obs[0], 1.25, 0);
    acrl_env_close(e);
}

static void test_action_repeat(void) {
    float obs[2], a = 0.5f;
    double r;
    bool term, trunc;
    acrl_env* e = acrl_wrap_action_repeat(toy(100.0, -1, 1), 3, NULL, 0);
    acrl_env_reset(e, 1, obs);
    set_x(e, 0.0, obs);
    acrl_env_step(e, &a, obs, &r, &term, &trunc);
    CHECK_NEAR(r, 1.5 + 2.0 + 2.5, 0);        /* rewards 1 + x after each substep */
    CHECK_NEAR(obs[0], 1.5, 0);
    CHECK(((toy_env*)acrl_env_unwrapped(e))->steps == 3);
    acrl_env_close(e);
    /* stops early: bound 0.9 is reached after the second substep */
    e = acrl_wrap_action_repeat(toy(0.9, -1, 1), 3, NULL, 0);
    acrl_env_reset(e, 1, obs);
    set_x(e, 0.0, obs);
    acrl_env_step(e, &a, obs, &r, &term, &trunc);
    CHECK(term && !trunc);
    CHECK_NEAR(r, 1.5 + 2.0, 0);
    CHECK_NEAR(obs[0], 1.0, 0);
    CHECK(((toy_env*)acrl_env_unwrapped(e))->steps == 2);
    acrl_env_close(e);
}

/* One step from x = 0 with action a; returns the move the toy env received. */
static double move_of(acrl_env* e, float a) {
    float obs[2];
    double r;
    bool term, trunc;
    set_x(e, 0.0, obs);
    acrl_env_step(e, &a, obs, &r, &term, &trunc);
    return ((toy_env*)acrl_env_unwrapped(e))->last;
}

static void test_rescale_clip(void) {
    float obs[2];
    acrl_env* e = acrl_wrap_rescale_action(toy(100.0, -2.0f, 3.0f), NULL, 0);
    acrl_env_reset(e, 0, obs);
    CHECK(e->act_space.low[0] == -1.0f && e->act_space.high[0] == 1.0f);
    CHECK(e->inner->act_space.low[0] == -2.0f);
    CHECK(move_of(e, -1.0f) == -2.0);
    CHECK(move_of(e, 1.0f) == 3.0);
    CHECK(move_of(e, 0.0f) == 0.5);
    CHECK(move_of(e, 0.5f) == 1.75);
    CHECK(move_of(e, -0.5f) == -0.75);
    CHECK(move_of(e, 5.0f) == 3.0);     /* clipped to 1 first */
    CHECK(move_of(e, -7.0f) == -2.0);
    acrl_env_close(e);

    e = acrl_wrap_clip_action(toy(100.0, -2.0f, 3.0f), NULL, 0);
    acrl_env_reset(e, 0, obs);
    CHECK(e->act_space.low[0] == -2.0f && e->act_space.high[0] == 3.0f);
    CHECK(move_of(e, 5.0f) == 3.0);
    CHECK(move_of(e, -7.0f) == -2.0);
    CHECK(move_of(e, 0.3f) == (double)0.3f);
    CHECK(move_of(e, 3.0f) == 3.0);
    acrl_env_close(e);

    /* Discrete spaces: no wrapper */
    toy_config c = toy_config_default();
    c.discrete = 1;
    acrl_env* d = toy_create(&c);
    CHECK(acrl_wrap_clip_action(d, NULL, 0) == d);
    CHECK(acrl_wrap_rescale_action(d, NULL, 0) == d);
    acrl_env_close(d);
}

/* Closed-form statistics of a prior (count 1e-4, mean 0, var 1) plus samples x[0..n). */
static void prior_stats(const double* x, int n, double* mean, double* var) {
    double c0 = 1e-4, s = 0.0;
    for (int i = 0; i < n; i++) s += x[i];
    double m = s / (c0 + n), q = c0 * (1.0 + m * m);
    for (int i = 0; i < n; i++) q += (x[i] - m) * (x[i] - m);
    *mean = m;
    *var = q / (c0 + n);
}

#define NORM_T 300

/* Appends raw obs ro to the history; returns max |normalized - closed form| for no. */
static double obs_check(double hist[][2 * NORM_T + 2], int* n, const float* ro, const float* no, double eps) {
    double maxd = 0.0;
    for (int j = 0; j < 2; j++) hist[j][*n] = ro[j];
    (*n)++;
    for (int j = 0; j < 2; j++) {
        double m, v;
        prior_stats(hist[j], *n, &m, &v);
        double want = (float)((ro[j] - m) / sqrt(v + eps));
        maxd = fmax(maxd, fabs(no[j] - want));
    }
    return maxd;
}

static void test_normalize_obs(void) {
    const double eps = 1e-8;
    acrl_env* raw = toy(1.0, -1, 1);
    acrl_env* e = acrl_wrap_normalize_obs(toy(1.0, -1, 1), eps, 0.0, NULL, 0);
    acrl_rng ar;
    acrl_rng_seed(&ar, 99);
    static double hist[2][2 * NORM_T + 2];
    int n = 0;
    float ro[2], no[2];
    double rr, nr, maxd = 0.0;
    bool term, trunc, t2, u2;
    acrl_env_reset(raw, 5, ro);
    acrl_env_reset(e, 5, no);
    maxd = fmax(maxd, obs_check(hist, &n, ro, no, eps));
    for (int t = 0; t < NORM_T; t++) {
        float a = (float)acrl_rng_uniform(&ar, -0.4, 0.4);
        acrl_env_step(raw, &a, ro, &rr, &term, &trunc);
        acrl_env_step(e, &a, no, &nr, &t2, &u2);
        CHECK(rr == nr && term == t2);
        maxd = fmax(maxd, obs_check(hist, &n, ro, no, eps));
        if (term) {
            acrl_env_reset(raw, -1, ro);
            acrl_env_reset(e, -1, no);
            maxd = fmax(maxd, obs_check(hist, &n, ro, no, eps));
        }
    }
    CHECK_MAXDIFF("normalize obs vs closed form", maxd, 2e-6);
    acrl_running_stat* s = acrl_wrap_obs_stat(e);
    CHECK(s != NULL);
    CHECK_NEAR(s->count, 1e-4 + n, 1e-9);
    CHECK(n > NORM_T + 3);   /* resets happened and were counted */
    /* frozen: statistics unchanged, obs normalized with them */
    CHECK(acrl_wrap_normalize_set_training(e, false) == 1);
    double m0 = s->mean[0], v0 = s->var[0], c0 = s->count;
    float a = 0.1f;
    acrl_env_step(raw, &a, ro, &rr, &term, &trunc);
    acrl_env_step(e, &a, no, &nr, &t2, &u2);
    CHECK(s->mean[0] == m0 && s->var[0] == v0 && s->count == c0);
    CHECK(no[0] == (float)((ro[0] - m0) / sqrt(v0 + eps)));
    /* clipping */
    acrl_env* c = acrl_wrap_normalize_obs(toy(100.0, -1, 1), eps, 0.5, NULL, 0);
    acrl_env_reset(c, 0, no);
    a = 1.0f;
    for (int t = 0; t < 5; t++) acrl_env_step(c, &a, no, &nr, &term, &trunc);
    CHECK(no[0] == 0.5f);   /* a steadily growing x sits above the mean: clipped */
    acrl_env_close(c);
    acrl_env_close(raw);
    acrl_env_close(e);
}

static void test_normalize_reward(void) {
    const double gamma = 0.9, eps = 1e-8;
    acrl_env* raw = toy(1.0, -1, 1);
    acrl_env* e = acrl_wrap_normalize_reward(toy(1.0, -1, 1), gamma, eps, 0.0, NULL, 0);
    acrl_rng ar;
    acrl_rng_seed(&ar, 4);
    static double rets[NORM_T];
    double ret = 0.0, maxd = 0.0;
    float ro[2], no[2];
    int nterm = 0;
    acrl_env_reset(raw, 8, ro);
    acrl_env_reset(e, 8, no);
    for (int t = 0; t < NORM_T; t++) {
        float a = (float)acrl_rng_uniform(&ar, -0.5, 0.5);
        double rr, nr;
        bool term, trunc, t2, u2;
        acrl_env_step(raw, &a, ro, &rr, &term, &trunc);
        acrl_env_step(e, &a, no, &nr, &t2, &u2);
        CHECK(ro[0] == no[0]);
        ret = term ? rr : ret * gamma + rr;
        rets[t] = ret;
        double m, v;
        prior_stats(rets, t + 1, &m, &v);
        double d = fabs(nr - rr / sqrt(v + eps)) / fabs(nr);
        if (d > maxd) maxd = d;
        if (term) { nterm++; acrl_env_reset(raw, -1, ro); acrl_env_reset(e, -1, no); }
    }
    CHECK(nterm > 3);
    CHECK_MAXDIFF("normalize reward vs closed form (rel)", maxd, 1e-12);
    CHECK(acrl_wrap_reward_stat(e) != NULL && acrl_wrap_obs_stat(e) == NULL);
    /* clip */
    acrl_env* c = acrl_wrap_normalize_reward(toy(100.0, -1, 1), gamma, eps, 0.25, NULL, 0);
    acrl_env_reset(c, 0, no);
    float a = 1.0f;
    double r;
    bool term, trunc;
    acrl_env_step(c, &a, no, &r, &term, &trunc);
    CHECK(r == 0.25);
    acrl_env_close(c);
    acrl_env_close(raw);
    acrl_env_close(e);
}

static void test_running_stat_batch(void) {
    acrl_running_stat s;
    CHECK(acrl_running_stat_init(&s, 3) == 0);
    double x[7][3];
    float xf[7][3];
    acrl_rng r;
    acrl_rng_seed(&r, 1);
    for (int i = 0; i < 7; i++)
        for (int j = 0; j < 3; j++) { xf[i][j] = (float)acrl_rng_normal(&r) * 3 + 1; x[i][j] = xf[i][j]; }
    acrl_running_stat_update(&s, &x[0][0], 4);     /* two batches */
    acrl_running_stat_update(&s, &x[4][0], 3);
    acrl_running_stat sf;
    CHECK(acrl_running_stat_init(&sf, 3) == 0);
    for (int i = 0; i < 7; i++) acrl_running_stat_update_f(&sf, xf[i], 1);
    double maxd = 0.0;
    for (int j = 0; j < 3; j++) {
        double col[7], m, v;
        for (int i = 0; i < 7; i++) col[i] = x[i][j];
        prior_stats(col, 7, &m, &v);
        maxd = fmax(maxd, fmax(fabs(s.mean[j] - m), fabs(s.var[j] - v)));
        maxd = fmax(maxd, fmax(fabs(sf.mean[j] - m), fabs(sf.var[j] - v)));
    }
    CHECK_MAXDIFF("running stat batch/single vs closed form", maxd, 1e-12);
    CHECK_NEAR(s.count, 7.0001, 1e-12);
    acrl_running_stat_free(&s);
    acrl_running_stat_free(&sf);
}

/* The full chain; its outputs after a snapshot load must repeat bit for bit. */
static acrl_env* chain(void) {
    acrl_env* e = acrl_wrap_time_limit(toy(1.0, -2.0f, 2.0f), 7, NULL, 0);
    e = acrl_wrap_action_repeat(e, 2, NULL, 0);
    e = acrl_wrap_rescale_action(e, NULL, 0);
    e = acrl_wrap_normalize_obs(e, 1e-8, 5.0, NULL, 0);
    e = acrl_wrap_normalize_reward(e, 0.99, 1e-8, 10.0, NULL, 0);
    return e;
}

typedef struct { float obs[2]; double r; bool term, trunc; } rec;

static void run_chain(acrl_env* e, acrl_rng* ar, rec* out, int n) {
    for (int t = 0; t < n; t++) {
        float a = (float)acrl_rng_uniform(ar, -1.0, 1.0);
        memset(&out[t], 0, sizeof out[t]);
        acrl_env_step(e, &a, out[t].obs, &out[t].r, &out[t].term, &out[t].trunc);
        if (out[t].term || out[t].trunc) acrl_env_reset(e, -1, out[t].obs);
    }
}

static void test_snapshot(void) {
    acrl_env* e = chain();
    float obs[2];
    acrl_rng ar;
    acrl_rng_seed(&ar, 12);
    static rec a[60], b[60], c[60];
    acrl_env_reset(e, 21, obs);
    run_chain(e, &ar, a, 33);                      /* some history, mid-episode */
    size_t nb = e->vt->state_bytes(e);
    CHECK(nb == 4 + 4 * 8 + 4 + 5 * 8 + 4 + 4 + 4 + 4 + sizeof(toy_snapshot));
    unsigned char* snap = (unsigned char*)malloc(nb);
    e->vt->state_save(e, snap);
    acrl_rng ar2 = ar;
    run_chain(e, &ar, a, 60);
    /* the same env, rewound */
    CHECK(e->vt->state_load(e, snap) == 0);
    acrl_rng ar3 = ar2;
    run_chain(e, &ar2, b, 60);
    CHECK(memcmp(a, b, sizeof a) == 0);
    /* a fresh env with a different history */
    acrl_env* f = chain();
    acrl_env_reset(f, 5, obs);
    acrl_rng junk;
    acrl_rng_seed(&junk, 77);
    run_chain(f, &junk, c, 11);
    CHECK(f->vt->state_load(f, snap) == 0);
    run_chain(f, &ar3, c, 60);
    CHECK(memcmp(a, c, sizeof a) == 0);
    int diff = 0;
    for (int t = 0; t < 60; t++) diff += a[t].term || a[t].trunc;
    CHECK(diff > 0);   /* the replay crossed episode ends */
    /* a corrupted tag is refused */
    snap[0] ^= 0xff;
    CHECK(f->vt->state_load(f, snap) == -1);
    free(snap);
    acrl_env_close(e);
    acrl_env_close(f);
}

int main(void) {
    test_time_limit();
    test_action_repeat();
    test_rescale_clip();
    test_normalize_obs();
    test_normalize_reward();
    test_running_stat_batch();
    test_snapshot();
    return test_summary("wrappers");
}
