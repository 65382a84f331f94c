/* test_mec.c - MecOffload-v0 (acrl/mec.h): the link formulas, delay and energy of placements
 * against values computed by hand, the queues, the reward and observation, seeded resets and
 * snapshots, refusals of bad settings; the Pareto tools: non-dominated filtering on
 * constructed sets and the 2-D hypervolume against a brute-force count of unit cells. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "acrl.h"
#include "test.h"

static acrl_env* make(const char* args) {
    char err[1024];
    acrl_env_options o = acrl_env_options_default();
    o.env_args = args;
    acrl_env* e = acrl_env_make("MecOffload-v0", &o, err, sizeof err);
    if (!e) fprintf(stderr, "make(%s): %s\n", args, err);
    return e;
}

static void test_formulas(void) {
    /* N0 = 10^((-30 - 30) / 10) = 1e-6 W/Hz, N0 B = 1 W; SNR = 1 * 3 / 1 = 3: rate = 1e6 log2(4) */
    CHECK_NEAR(acrl_mec_rate(1e6, 1.0, -30.0, 3.0), 2e6, 1e-6);
    /* -130 dBm/Hz = 1e-16 W/Hz; B 1e6: 1e-10 W; p g = 0.5 * 2e-10 = 1e-10: SNR 1, rate = B */
    CHECK_NEAR(acrl_mec_rate(1e6, 0.5, -130.0, 2e-10), 1e6, 1e-6);
    /* PL(1 km) = b; PL(100 m) = -35 + 100 = 65 dB; shadowing 8 dB more: 73 dB; fading x 2 */
    CHECK_NEAR(acrl_mec_gain(1000, 35, 100, 0, 1) / 1e-10, 1.0, 1e-12);
    CHECK_NEAR(acrl_mec_gain(100, 35, 100, 8, 2) / (2 * pow(10, -7.3)), 1.0, 1e-12);
}

/* fixed links of rate 1 Mbit/s (1 km, PL = b = 100 dB, no shadowing or fading, noise so that
 * the SNR is 1), tasks of exactly 2 Mbit arriving (almost) together, servers at 2 GHz, a
 * 1 GHz local CPU, C = 1000 cycles/bit, kappa 1e-28 */
static const char* HAND =
    "pref=0.25,servers=2,users=1,tasks=6,arrival_rate=1e6,size_min=2,size_max=2,cycles_per_bit=1000,"
    "edge_freq=2e9,edge_freq_spread=0,local_freq=1e9,edge_k=1e-28,local_k=1e-28,tx_power=1,bandwidth=1e6,"
    "noise_dbm=-130,dist_min=1000,dist_max=1000,pathloss_b=100,shadowing=0,fading=0,delay_scale=0.1,"
    "energy_scale=1,slots=2";

static void test_hand(void) {
    acrl_env* env = make(HAND);
    CHECK(env != NULL);
    if (!env) return;
    CHECK(env->obs_space.dim == 5 + 2 * 2 + MEC_HIST_BINS + 1);
    CHECK(env->act_space.kind == ACRL_SPACE_DISCRETE && env->act_space.n == 3);
    CHECK(acrl_env_num_costs(env) == 2);
    float obs[64];
    acrl_env_reset(env, 3, obs);
    acrl_mec_view v;
    CHECK(acrl_mec_view_get(env, &v) == 0);
    CHECK(v.servers == 2 && v.users == 1);
    CHECK_NEAR(v.size, 2e6, 0);
    CHECK_NEAR(v.rate[0], 1e6, 1e-6);
    CHECK_NEAR(v.freq[1], 2e9, 0);
    CHECK_NEAR(obs[0], 0.25, 0);
    /* local: 2e9 cycles at 1 GHz = 2 s, energy 1e-28 * 2e9 * 1e18 = 0.2 J; server: upload
     * 2 s + 1 s = 3 s, energy 1 W * 2 s + 1e-28 * 2e9 * 4e18 = 2.8 J */
    CHECK_NEAR(obs[3], 0.2, 1e-6);   /* local delay x 0.1 */
    CHECK_NEAR(obs[4], 0.2, 1e-6);   /* local energy x 1 */
    CHECK_NEAR(obs[5], 0.3, 1e-6);   /* best server: 3 s */
    CHECK_NEAR(obs[6], 2.8, 1e-6);
    CHECK_NEAR(obs[5 + 4], 1.0, 0);  /* both servers idle: histogram bin 0 holds all */
    /* expected (delay, energy) of each step; actions: rank 1, rank 1, rank 2, local, local, rank 1 */
    const float act[6] = {1, 1, 2, 0, 0, 1};
    /* 1: server 0, 3 s. 2: server 0 would give 4 s (free at 3): rank 1 is server 1, 3 s.
     * 3: both free at 3: ties by index, rank 2 = server 1: upload ends at 2, waits to 3,
     * ends at 4. 4: local 2 s. 5: local again: waits 2 s, 4 s. 6: server 0 (free at 3;
     * server 1 at 4): max(2, 3) + 1 = 4 s. */
    const double want_d[6] = {3, 3, 4, 2, 4, 4}, want_e[6] = {2.8, 2.8, 2.8, 0.2, 0.2, 2.8};
    const int want_srv[6] = {0, 1, 1, -1, -1, 0};
    double sd = 0, se = 0;
    for (int t = 0; t < 6; t++) {
        acrl_mec_view b;
        acrl_mec_view_get(env, &b);
        double r;
        bool term, trunc;
        acrl_env_step(env, &act[t], obs, &r, &term, &trunc);
        const double* c = acrl_env_costs(env);
        CHECK_NEAR(c[0], want_d[t], 1e-5);
        CHECK_NEAR(c[1], want_e[t], 1e-9);
        CHECK_NEAR(r, -0.25 * 0.1 * want_d[t] - 0.75 * want_e[t], 1e-5);
        acrl_mec_view a;
        acrl_mec_view_get(env, &a);
        if (want_srv[t] >= 0) CHECK_NEAR(a.free_at[want_srv[t]], b.now + c[0], 1e-9);
        else CHECK_NEAR(a.local_free_at, b.now + c[0], 1e-9);
        CHECK(!term && trunc == (t == 5));
        sd += want_d[t];
        se += want_e[t];
    }
    double td, te;
    int tt;
    CHECK(acrl_mec_totals(env, &td, &te, &tt) == 0);
    CHECK_NEAR(td, sd, 1e-4);
    CHECK_NEAR(te, se, 1e-9);
    CHECK(tt == 6);
    acrl_env_close(env);
}

static void test_heuristics_and_snapshot(void) {
    acrl_env* env = make("servers=6,users=4,pref=0.7");
    CHECK(env != NULL);
    if (!env) return;
    float obs[64], o1[64], o2[64];
    acrl_env_reset(env, 11, obs);
    acrl_rng rng;
    acrl_rng_seed(&rng, 1);
    for (int t = 0; t < 30; t++) {
        acrl_mec_view v;
        acrl_mec_view_get(env, &v);
        int g = acrl_mec_heuristic_choice(env, ACRL_MEC_GREEDY, &rng);
        double dg, e, d;
        acrl_mec_estimate(env, g, &dg, &e);
        int least = 1;
        for (int j = -1; j < v.servers; j++) { acrl_mec_estimate(env, j, &d, &e); least &= dg <= d; }
        CHECK(least);
        int f = acrl_mec_heuristic_choice(env, ACRL_MEC_FASTEST, &rng);
        for (int j = 0; j < v.servers; j++) CHECK(v.freq[f] >= v.freq[j]);
        /* the rank-1 action is the least-delay server */
        double best = INFINITY;
        for (int j = 0; j < v.servers; j++) { acrl_mec_estimate(env, j, &d, &e); best = fmin(best, d); }
        CHECK_NEAR(obs[5], fmin(best * 0.1, 10), 1e-6);
        double r;
        bool term, trunc;
        float a = (float)(t % 5);
        acrl_env_step(env, &a, obs, &r, &term, &trunc);
    }
    /* snapshot mid-episode: the same continuation */
    size_t nb = env->vt->state_bytes(env);
    unsigned char* snap = malloc(nb);
    env->vt->state_save(env, snap);
    double r1[20], r2[20];
    bool term, trunc;
    for (int t = 0; t < 20; t++) { float a = (float)((t * 3) % 5); acrl_env_step(env, &a, o1, &r1[t], &term, &trunc); }
    CHECK(env->vt->state_load(env, snap) == 0);
    int same = 1;
    for (int t = 0; t < 20; t++) {
        float a = (float)((t * 3) % 5);
        acrl_env_step(env, &a, o2, &r2[t], &term, &trunc);
        same &= r1[t] == r2[t];
    }
    CHECK(same && memcmp(o1, o2, sizeof(float) * (size_t)env->obs_space.dim) == 0);
    /* a snapshot of an env with other settings is refused */
    acrl_env* other = make("servers=6,users=4,pref=0.2");
    CHECK(other && other->vt->state_load(other, snap) != 0);
    acrl_env_close(other);
    free(snap);
    /* seeded resets repeat; pref=random draws w in [0, 1) per episode */
    acrl_env_reset(env, 5, o1);
    acrl_env_reset(env, 5, o2);
    CHECK(memcmp(o1, o2, sizeof(float) * (size_t)env->obs_space.dim) == 0);
    acrl_env_close(env);
    acrl_env* rnd = make("pref=random,servers=3,servers_max=8");
    double wsum = 0;
    int vary = 0, last = -1;
    for (int ep = 0; ep < 200; ep++) {
        acrl_env_reset(rnd, ep, o1);
        acrl_mec_view v;
        acrl_mec_view_get(rnd, &v);
        CHECK(v.pref >= 0 && v.pref < 1 && o1[0] == (float)v.pref);
        CHECK(v.servers >= 3 && v.servers <= 8);
        vary |= last >= 0 && v.servers != last;
        last = v.servers;
        wsum += v.pref;
    }
    CHECK(vary);
    CHECK_NEAR(wsum / 200, 0.5, 0.07);
    acrl_env_close(rnd);
}

static void test_refusals(void) {
    const char* bad[][2] = {
        {"pref=1.5", "pref=1.5: the preference w must be a number in [0, 1]"},
        {"pref=-0.1", "pref=-0.1: the preference w must be a number in [0, 1]"},
        {"pref=abc", "pref=abc"},
        {"pref=nan", "pref=nan"},
        {"servers=0", "servers=0: needs an integer"},
        {"servers=2.5", "servers=2.5"},
        {"servers=4,servers_max=2", "servers_max=2 is below servers=4"},
        {"bogus=1", "unknown key 'bogus'"},
        {"slots", "'slots' is not key=value"},
        {"edge_freq_spread=3e9", "edge_freq_spread"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[1024] = "";
        acrl_env_options o = acrl_env_options_default();
        o.env_args = bad[i][0];
        acrl_env* e = acrl_env_make("MecOffload-v0", &o, err, sizeof err);
        CHECK(e == NULL);
        if (!strstr(err, bad[i][1])) fprintf(stderr, "FAIL: %s: message '%s'\n", bad[i][0], err);
        CHECK(strstr(err, bad[i][1]) != NULL);
        acrl_env_close(e);
    }
    /* the last value of a key wins: a fixed preference after random */
    acrl_env* e = make("pref=random,pref=0.3");
    float obs[64];
    acrl_env_reset(e, 0, obs);
    CHECK_NEAR(obs[0], 0.3, 1e-7);
    acrl_env_close(e);
    /* the introspection functions refuse other envs */
    char err[256];
    acrl_env* cp = acrl_env_make("CartPole-v1", NULL, err, sizeof err);
    acrl_mec_view v;
    double d, en;
    CHECK(acrl_mec_view_get(cp, &v) == -1 && acrl_mec_totals(cp, &d, &en, NULL) == -1);
    CHECK(acrl_mec_estimate(cp, 0, &d, &en) == -1);
    acrl_env_close(cp);
}

static void test_front(void) {
    /* (1,5) (2,3) (3,3) (4,1) (2,3) again (5,5) (0.5,9): front (0.5,9) (1,5) (2,3) (4,1) */
    const double x[] = {1, 2, 3, 4, 2, 5, 0.5}, y[] = {5, 3, 3, 1, 3, 5, 9};
    int keep[7];
    int k = acrl_pareto_front(x, y, 7, keep);
    CHECK(k == 4);
    CHECK(keep[0] == 6 && keep[1] == 0 && keep[2] == 1 && keep[3] == 3);
    /* area up to (6, 10): by hand, strips 0.5..1 x (10-9), 1..2 x (10-5), 2..4 x (10-3), 4..6 x (10-1) */
    CHECK_NEAR(acrl_hypervolume2(x, y, 7, 6, 10), 0.5 * 1 + 1 * 5 + 2 * 7 + 2 * 9, 1e-12);
    /* a reference that cuts the front: points at or beyond it add nothing */
    CHECK_NEAR(acrl_hypervolume2(x, y, 7, 3, 4), (3 - 2) * (4 - 3), 1e-12);
    CHECK_NEAR(acrl_hypervolume2(x, y, 0, 3, 4), 0, 0);
    /* random integer point sets against a brute-force count of the unit cells [i, i+1) x
     * [j, j+1) that some point dominates, with the reference (G, G) */
    acrl_rng r;
    acrl_rng_seed(&r, 42);
    int maxdiff_cases = 0;
    const int G = 24;
    for (int trial = 0; trial < 300; trial++) {
        int n = 1 + (int)acrl_rng_below(&r, 12);
        double px[12], py[12];
        for (int i = 0; i < n; i++) {
            px[i] = (double)acrl_rng_below(&r, G + 4);  /* some beyond the reference */
            py[i] = (double)acrl_rng_below(&r, G + 4);
        }
        long cells = 0;
        for (int i = 0; i < G; i++)
            for (int j = 0; j < G; j++) {
                int dom = 0;
                for (int p = 0; p < n && !dom; p++) dom = px[p] <= i && py[p] <= j;
                cells += dom;
            }
        double hv = acrl_hypervolume2(px, py, n, G, G);
        maxdiff_cases += hv != (double)cells;
        /* the front: no kept point dominated, every dropped point dominated or a repeat */
        int kk[12];
        int nk = acrl_pareto_front(px, py, n, kk);
        for (int a = 0; a < n; a++) {
            int kept = 0;
            for (int b = 0; b < nk; b++) kept |= kk[b] == a;
            int dominated = 0;
            for (int b = 0; b < n; b++)
                if (b != a && px[b] <= px[a] && py[b] <= py[a] && (px[b] < px[a] || py[b] < py[a] || b < a)) dominated = 1;
            maxdiff_cases += kept == dominated;
        }
        for (int b = 1; b < nk; b++) maxdiff_cases += !(px[kk[b - 1]] < px[kk[b]] && py[kk[b - 1]] > py[kk[b]]);
    }
    CHECK(maxdiff_cases == 0);
}

/* the fronts' plot refuses points it cannot draw (before looking for gnuplot) */
static void test_plot_refusal(void) {
    const double x[2] = {1, NAN}, y[2] = {1, 2}, x0[1] = {0}, y0[1] = {1};
    const double* xs[1] = {x}, *ys[1] = {y};
    const char* names[1] = {"policy"};
    int lens[1] = {2};
    char err[256] = "";
    CHECK(acrl_plot_points("t", "x", "y", names, xs, ys, lens, 1, 0, 0, "/tmp/never.png", err, sizeof err) == -1);
    CHECK(strstr(err, "policy: point 2 is not finite") != NULL);
    xs[0] = x0;
    ys[0] = y0;
    lens[0] = 1;
    CHECK(acrl_plot_points("t", "x", "y", names, xs, ys, lens, 1, 1, 1, "/tmp/never.png", err, sizeof err) == -1);
    CHECK(strstr(err, "not positive on a log axis") != NULL);
}

int main(void) {
    test_plot_refusal();
    test_formulas();
    test_hand();
    test_heuristics_and_snapshot();
    test_refusals();
    test_front();
    return test_summary("test_mec");
}
