/* test_marl.c - multi-agent envs and the MAPPO/IPPO losses:
 *  - MPE episodes against fixtures/marl_mpe.txt (an independent NumPy re-implementation of
 *    PettingZoo's formulas, tests/gen_marl_mpe.py), seeded resets included;
 *  - hand-computed transitions (actions, contact forces, collision penalties, words);
 *  - NumPy's Generator.choice draws; matrix-game payoffs; settings refused by name;
 *  - snapshots and the vectorized copies' auto-reset;
 *  - the centralised critic's and the actor's loss gradients against double-precision
 *    finite differences of an independent forward pass. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/dist.h"
#include "acrl/marl.h"
#include "acrl/nn.h"
#include "marl/marl_internal.h"
#include "test.h"

static void test_fixtures(void) {
    FILE* f = fopen("fixtures/marl_mpe.txt", "r");
    CHECK(f != NULL);
    if (!f) return;
    char line[8192], err[ACRL_ERRLEN];
    acrl_menv* e = NULL;
    float st[256], obs[ACRL_MARL_MAX_AGENTS * 64];
    double rw[ACRL_MARL_MAX_AGENTS];
    bool term[ACRL_MARL_MAX_AGENTS], trunc[ACRL_MARL_MAX_AGENTS];
    double maxo = 0, maxr = 0;
    int episodes = 0, steps = 0, trunc_ok = 0, t = 0;
    while (fgets(line, sizeof line, f)) {
        char* p = line + 2;
        if (strncmp(line, "EPISODE", 7) == 0) {
            char id[64];
            int seed, n;
            if (sscanf(line, "EPISODE %63s %d %d", id, &seed, &n) != 3) { CHECK(0); break; }
            acrl_menv_close(e);
            e = acrl_menv_make(id, NULL, err, sizeof err);
            CHECK(e != NULL);
            if (!e) break;
            acrl_menv_reset(e, seed, obs);
            episodes++;
        } else if (line[0] == 'P') {
            int i;
            double x, y;
            if (sscanf(line, "P %d %lf %lf", &i, &x, &y) != 3) { CHECK(0); break; }
            CHECK(marl_mpe_set(e, i, x, y, 0, 0) == 0);
        } else if (line[0] == 'S') {
            t = atoi(p);
        } else if (line[0] == 'A') {
            int a[ACRL_MARL_MAX_AGENTS];
            for (int i = 0; i < e->n_agents; i++) a[i] = (int)strtol(p, &p, 10);
            acrl_menv_step(e, a, obs, rw, term, trunc);
            trunc_ok += trunc[0] == (t == 25) && !term[0];
            steps++;
        } else if (line[0] == 'O') {
            acrl_menv_state(e, st);
            for (int k = 0; k < e->state_dim; k++) {
                double d = fabs(strtod(p, &p) - st[k]);
                if (d > maxo) maxo = d;
            }
            /* the padded per-agent observations agree with the state */
            if (t > 0) {
                int k = 0;
                for (int i = 0; i < e->n_agents; i++)
                    for (int j = 0; j < e->obs_dim[i]; j++, k++)
                        if (obs[i * e->obs_max + j] != st[k]) maxo = INFINITY;
            }
        } else if (line[0] == 'R') {
            for (int i = 0; i < e->n_agents; i++) {
                double d = fabs(strtod(p, &p) - rw[i]);
                if (d > maxr) maxr = d;
            }
        }
    }
    fclose(f);
    acrl_menv_close(e);
    printf("  %d fixture episodes, %d steps\n", episodes, steps);
    CHECK(episodes == 7 && steps == 175);
    CHECK(trunc_ok == steps);
    CHECK_MAXDIFF("MPE observations vs NumPy reference", maxo, 1e-6);
    CHECK_MAXDIFF("MPE rewards vs NumPy reference", maxr, 1e-9);
}

static void test_choice(void) {
    /* numpy.random.default_rng(5): choice(3) x 6 = 2 2 0 2 1 1; after two choices,
     * uniform(-1, 1, 2) = 0.61588158, 0.03065112 (NumPy 1.24.2) */
    acrl_rng r;
    acrl_rng_seed(&r, 5);
    uint32_t buf = 0;
    int has = 0;
    const int want[6] = {2, 2, 0, 2, 1, 1};
    int ok = 0;
    for (int k = 0; k < 6; k++) ok += marl_numpy_choice(&buf, &has, &r, 3) == want[k];
    CHECK(ok == 6);
    acrl_rng_seed(&r, 5);
    has = 0;
    marl_numpy_choice(&buf, &has, &r, 3);
    marl_numpy_choice(&buf, &has, &r, 3);
    CHECK_NEAR(acrl_rng_uniform(&r, -1, 1), 0.61588158, 5e-9);
    CHECK_NEAR(acrl_rng_uniform(&r, -1, 1), 0.03065112, 5e-9);
}

static void test_hand_cases(void) {
    char err[ACRL_ERRLEN];
    acrl_menv* e = acrl_menv_make("MPE-SimpleSpread-v3", NULL, err, sizeof err);
    CHECK(e && e->n_agents == 3 && e->obs_dim[0] == 18 && e->state_dim == 54 && e->n_actions[2] == 5);
    if (!e) return;
    float obs[3 * 18];
    double r[3], pos[2], vel[2];
    bool term[3], trunc[3];
    acrl_menv_reset(e, 0, obs);
    /* far apart, landmarks at known places: agent 0 pushes +x twice, then no-op */
    marl_mpe_set(e, 0, 0.0, 0.0, 0, 0);
    marl_mpe_set(e, 1, 5.0, 5.0, 0, 0);
    marl_mpe_set(e, 2, -5.0, 5.0, 0, 0);
    marl_mpe_set(e, 3, 1.0, 0.0, 0, 0);
    marl_mpe_set(e, 4, 5.0, 4.0, 0, 0);
    marl_mpe_set(e, 5, -5.0, 3.0, 0, 0);
    int a[3] = {2, 0, 0};
    acrl_menv_step(e, a, obs, r, term, trunc);
    marl_mpe_get(e, 0, pos, vel);
    /* vel = 0 * 0.75 + 5 * 0.1 = 0.5; pos = 0.5 * 0.1 = 0.05 */
    CHECK_NEAR(vel[0], 0.5, 1e-15);
    CHECK_NEAR(pos[0], 0.05, 1e-15);
    CHECK_NEAR(pos[1], 0.0, 0);
    /* global reward: -(|1 - 0.05| + 1 + 2) for landmarks 3, 4, 5; no collision; local_ratio 0.5 */
    CHECK_NEAR(r[0], 0.5 * -(0.95 + 1.0 + 2.0), 1e-12);
    CHECK_NEAR(r[1], r[0], 0);
    a[0] = 0;
    acrl_menv_step(e, a, obs, r, term, trunc);
    marl_mpe_get(e, 0, pos, vel);
    CHECK_NEAR(vel[0], 0.375, 1e-15);
    CHECK_NEAR(pos[0], 0.0875, 1e-15);
    /* observation of agent 0: vel, pos, landmarks relative, others relative, words (0) */
    CHECK_NEAR(obs[0], 0.375, 1e-7);
    CHECK_NEAR(obs[2], 0.0875, 1e-7);
    CHECK_NEAR(obs[4], 1.0 - 0.0875, 1e-7);
    CHECK_NEAR(obs[10], 5.0 - 0.0875, 1e-6);
    CHECK_NEAR(obs[11], 5.0, 1e-6);
    /* contact: agents 0 and 1 at distance 0.2 (< 0.3), at rest, no-ops. Penetration
     * = 1e-3 log(1 + e^{(0.3 - 0.2) / 1e-3}) = 0.1 (+1e-3 e^-100), force 100 * 0.1 = 10
     * along the line: vel -/+ 1.0, pos -/+ 0.1; afterwards 0.4 apart: no penalty */
    marl_mpe_set(e, 0, 0.0, 0.0, 0, 0);
    marl_mpe_set(e, 1, 0.2, 0.0, 0, 0);
    a[0] = a[1] = a[2] = 0;
    acrl_menv_step(e, a, obs, r, term, trunc);
    marl_mpe_get(e, 0, pos, vel);
    CHECK_NEAR(vel[0], -1.0, 1e-12);
    CHECK_NEAR(pos[0], -0.1, 1e-12);
    marl_mpe_get(e, 1, pos, vel);
    CHECK_NEAR(vel[0], 1.0, 1e-12);
    CHECK_NEAR(pos[0], 0.3, 1e-12);
    /* collision penalty: agents 0 and 1 overlapping after a step that cannot part them
     * (both pushed together along y, 0.1 apart along x... measured after the step) */
    marl_mpe_set(e, 0, 0.0, 0.0, 0, 0);
    marl_mpe_set(e, 1, 0.0, 0.05, 0, -5.0);  /* moving fast towards agent 0 */
    acrl_menv_step(e, a, obs, r, term, trunc);
    double p0[2], p1[2];
    marl_mpe_get(e, 0, p0, vel);
    marl_mpe_get(e, 1, p1, vel);
    double d01 = hypot(p0[0] - p1[0], p0[1] - p1[1]);
    CHECK(d01 < 0.3);
    double g = 0;   /* global part recomputed from the positions */
    for (int l = 3; l < 6; l++) {
        double best = INFINITY, lp[2], lv[2];
        marl_mpe_get(e, l, lp, lv);
        for (int i = 0; i < 3; i++) {
            double ap[2], av[2];
            marl_mpe_get(e, i, ap, av);
            double d = hypot(ap[0] - lp[0], ap[1] - lp[1]);
            if (d < best) best = d;
        }
        g -= best;
    }
    CHECK_NEAR(r[0], 0.5 * g - 0.5, 1e-12);
    CHECK_NEAR(r[1], 0.5 * g - 0.5, 1e-12);
    CHECK_NEAR(r[2], 0.5 * g, 1e-12);
    acrl_menv_close(e);

    /* simple_reference: action 23 = move 23 % 5 = 3 (-y), word 23 / 5 = 4 */
    e = acrl_menv_make("MPE-SimpleReference-v3", NULL, err, sizeof err);
    CHECK(e && e->n_actions[0] == 50 && e->obs_dim[0] == 21);
    float o2[2 * 21];
    acrl_menv_reset(e, 1, o2);
    double q0[2], v0[2];
    marl_mpe_get(e, 0, q0, v0);
    int b[2] = {23, 0};
    acrl_menv_step(e, b, o2, r, term, trunc);
    marl_mpe_get(e, 0, pos, vel);
    CHECK_NEAR(vel[1], -0.5, 1e-15);
    CHECK_NEAR(pos[1], q0[1] - 0.05, 1e-15);
    int hot = 0;
    for (int k = 0; k < 10; k++) hot += o2[21 + 11 + k] == (k == 4 ? 1.0f : 0.0f);
    CHECK(hot == 10);   /* agent 1 hears word 4 */
    /* goal colour in agent 1's observation: the landmark colour of its goal_b */
    int gb = marl_mpe_goal(e, 1);
    CHECK(gb >= 0 && gb < 3);
    CHECK_NEAR(o2[21 + 8 + gb], 0.75, 1e-7);
    acrl_menv_close(e);

    /* speaker-listener: the speaker's word 1 reaches the listener; reward -|listener - goal|^2 */
    e = acrl_menv_make("MPE-SimpleSpeakerListener-v4", NULL, err, sizeof err);
    CHECK(e && e->obs_dim[0] == 3 && e->obs_dim[1] == 11 && e->n_actions[0] == 3 && e->n_actions[1] == 5);
    float o3[2 * 11];
    acrl_menv_reset(e, 2, o3);
    int c[2] = {1, 0};
    acrl_menv_step(e, c, o3, r, term, trunc);
    CHECK(o3[11 + 8] == 0.0f && o3[11 + 9] == 1.0f && o3[11 + 10] == 0.0f);
    double lp[2], lv[2], gp[2], gv[2];
    marl_mpe_get(e, 1, lp, lv);
    marl_mpe_get(e, 2 + marl_mpe_goal(e, 0), gp, gv);
    double d2 = (lp[0] - gp[0]) * (lp[0] - gp[0]) + (lp[1] - gp[1]) * (lp[1] - gp[1]);
    CHECK_NEAR(r[0], -d2, 1e-15);
    CHECK_NEAR(r[1], -d2, 1e-15);
    acrl_menv_close(e);
}

static void test_matrix_games(void) {
    char err[ACRL_ERRLEN];
    const double climb[3][3] = {{11, -30, 0}, {-30, 7, 6}, {0, 0, 5}};
    acrl_menv* e = acrl_menv_make("ClimbingGame-v0", NULL, err, sizeof err);
    acrl_menv* p = acrl_menv_make("PenaltyGame-v0", "k=-50", err, sizeof err);
    CHECK(e && p);
    if (!e || !p) return;
    int ok = 0;
    for (int a0 = 0; a0 < 3; a0++)
        for (int a1 = 0; a1 < 3; a1++) {
            float obs[2];
            double r[2];
            bool term[2], trunc[2];
            int a[2] = {a0, a1};
            acrl_menv_reset(e, 0, obs);
            acrl_menv_step(e, a, obs, r, term, trunc);
            ok += r[0] == climb[a0][a1] && r[1] == climb[a0][a1] && term[0] && term[1] && !trunc[0] && obs[0] == 1.0f;
            double pen[3][3] = {{-50, 0, 10}, {0, 2, 0}, {10, 0, -50}};
            acrl_menv_reset(p, 0, obs);
            acrl_menv_step(p, a, obs, r, term, trunc);
            ok += r[0] == pen[a0][a1] && r[1] == pen[a0][a1] && term[1];
        }
    CHECK(ok == 18);
    CHECK(acrl_penalty_payoff(-100, 0, 0) == -100 && acrl_penalty_payoff(-100, 2, 0) == 10);
    acrl_menv_close(e);
    acrl_menv_close(p);
}

static void test_settings(void) {
    char err[ACRL_ERRLEN];
    acrl_menv* e = acrl_menv_make("MPE-SimpleSpread-v3", "N=4,local_ratio=0.25", err, sizeof err);
    CHECK(e && e->n_agents == 4 && e->obs_dim[0] == 4 + 8 + 6 + 6 && e->state_dim == 4 * 24);
    acrl_menv_close(e);
    const char* bad[] = {"N=abc", "N=0", "N=2.5", "N=", "N=9", "local_ratio=2", "M=3", "N"};
    int refused = 0;
    for (int i = 0; i < 8; i++) {
        err[0] = 0;
        e = acrl_menv_make("MPE-SimpleSpread-v3", bad[i], err, sizeof err);
        refused += e == NULL && strstr(err, i < 5 ? "N (agent count)" : i == 5 ? "local_ratio" : "N") != NULL;
        if (i == 0) printf("  refused: %s\n", err);
        acrl_menv_close(e);
    }
    CHECK(refused == 8);
    CHECK(acrl_menv_make("PenaltyGame-v0", "k=5", err, sizeof err) == NULL && strstr(err, "k"));
    CHECK(acrl_menv_make("ClimbingGame-v0", "k=-5", err, sizeof err) == NULL && strstr(err, "unknown setting"));
    CHECK(acrl_menv_make("CartPole-v1", NULL, err, sizeof err) == NULL);
}

static void test_snapshot_and_vec(void) {
    char err[ACRL_ERRLEN];
    const char* ids[3] = {"MPE-SimpleSpread-v3", "MPE-SimpleReference-v3", "MPE-SimpleSpeakerListener-v4"};
    for (int k = 0; k < 3; k++) {
        acrl_menv* e = acrl_menv_make(ids[k], NULL, err, sizeof err);
        float obs[128], s1[128], s2[128];
        double r[4];
        bool te[4], tr[4];
        acrl_menv_reset(e, 11, obs);
        int a[2] = {0, 0};
        int a3[3] = {1, 2, 3};
        for (int t = 0; t < 5; t++) acrl_menv_step(e, k == 0 ? a3 : (a[0] = t % e->n_actions[0], a[1] = 3, a), obs, r, te, tr);
        size_t n = acrl_menv_snapshot_bytes(e);
        unsigned char* buf = malloc(n);
        acrl_menv_snapshot_save(e, buf);
        for (int t = 0; t < 30; t++) acrl_menv_step(e, k == 0 ? a3 : a, obs, r, te, tr), t == 19 ? acrl_menv_reset(e, -1, obs) : (void)0;
        acrl_menv_state(e, s1);
        CHECK(acrl_menv_snapshot_load(e, buf) == 0);
        for (int t = 0; t < 30; t++) acrl_menv_step(e, k == 0 ? a3 : a, obs, r, te, tr), t == 19 ? acrl_menv_reset(e, -1, obs) : (void)0;
        acrl_menv_state(e, s2);
        CHECK(memcmp(s1, s2, sizeof(float) * (size_t)e->state_dim) == 0);
        buf[8 + 48] ^= 1;   /* the MPE snapshot's magic */
        CHECK(acrl_menv_snapshot_load(e, buf) != 0);
        free(buf);
        acrl_menv_close(e);
    }
    /* auto-reset: the 25th step keeps the last observation in final_obs and resets */
    acrl_mvec* v = acrl_mvec_make("MPE-SimpleSpread-v3", NULL, 2, 4, err, sizeof err);
    CHECK(v != NULL);
    if (!v) return;
    acrl_menv* ref = acrl_menv_make("MPE-SimpleSpread-v3", NULL, err, sizeof err);
    float robs[54], rst[54];
    double rr[3];
    bool rte[3], rtr[3];
    acrl_menv_reset(ref, 5, robs);   /* copy 1 is reset with seed 4 + 1 */
    int acts[6] = {1, 2, 3, 4, 0, 1};
    for (int t = 1; t <= 25; t++) {
        acrl_mvec_step(v, acts);
        acrl_menv_step(ref, acts + 3, robs, rr, rte, rtr);
    }
    acrl_menv_state(ref, rst);
    CHECK(v->truncated[3] && v->truncated[5] && !v->terminated[3]);
    CHECK(memcmp(v->final_state + 54, rst, sizeof rst) == 0);
    CHECK(memcmp(v->state + 54, rst, sizeof rst) != 0);
    CHECK(v->envs[1]->steps == 0);
    acrl_menv_close(ref);
    acrl_mvec_free(v);
}

/* ---- gradients against double-precision finite differences -------------------------- */

/* the MLP (tanh hidden layers, linear output) in double with the store's weights */
static void mlp_fwd_d(const acrl_mlp* m, const double* prm, const double* x, int B, double* out) {
    double h[64 * 128], h2[64 * 128];
    int in = m->sizes[0];
    memcpy(h, x, sizeof(double) * (size_t)B * (size_t)in);
    for (int l = 0; l < m->nlayers; l++) {
        int o = m->sizes[l + 1];
        for (int b = 0; b < B; b++)
            for (int j = 0; j < o; j++) {
                double s = prm[m->b_off[l] + (size_t)j];
                for (int i = 0; i < in; i++) s += h[b * in + i] * prm[m->w_off[l] + (size_t)i * (size_t)o + (size_t)j];
                h2[b * o + j] = l < m->nlayers - 1 ? tanh(s) : s;
            }
        memcpy(h, h2, sizeof(double) * (size_t)B * (size_t)o);
        in = o;
    }
    memcpy(out, h, sizeof(double) * (size_t)B * (size_t)in);
}

static double huber_d(double e, double d) { return fabs(e) <= d ? 0.5 * e * e : d * (fabs(e) - 0.5 * d); }

static double value_loss_d(const acrl_mlp* m, const double* prm, const double* x, const float* old, const float* tgt,
                           int B, double clip, double delta) {
    double v[64];
    mlp_fwd_d(m, prm, x, B, v);
    double L = 0;
    for (int b = 0; b < B; b++) {
        double lo = huber_d(tgt[b] - v[b], delta);
        double diff = v[b] - old[b];
        double vc = old[b] + (diff < -clip ? -clip : diff > clip ? clip : diff);
        double lc = huber_d(tgt[b] - vc, delta);
        L += lo > lc ? lo : lc;
    }
    return L / B;
}

static double policy_loss_d(const acrl_mlp* m, const double* prm, const double* x, const int* act, const float* oldlp,
                            const float* adv, int B, int K, double clip, double ent) {
    double z[64 * 8];
    mlp_fwd_d(m, prm, x, B, z);
    double L = 0;
    for (int b = 0; b < B; b++) {
        double mx = -INFINITY, s = 0, H = 0;
        for (int k = 0; k < K; k++) mx = fmax(mx, z[b * K + k]);
        for (int k = 0; k < K; k++) s += exp(z[b * K + k] - mx);
        double lse = mx + log(s);
        for (int k = 0; k < K; k++) { double lp = z[b * K + k] - lse; H -= exp(lp) * lp; }
        double r = exp(z[b * K + act[b]] - lse - oldlp[b]);
        double rc = r < 1 - clip ? 1 - clip : r > 1 + clip ? 1 + clip : r;
        L += -fmin(r * adv[b], rc * adv[b]) - ent * H;
    }
    return L / B;
}

static void test_gradients(void) {
    char err[ACRL_ERRLEN];
    /* a centralised critic input: MAPPO's (global state, one-hot agent id) for 3 agents of
     * simple_spread after a few random steps */
    acrl_menv* e = acrl_menv_make("MPE-SimpleSpread-v3", NULL, err, sizeof err);
    float obs[54];
    double r[3];
    bool te[3], tr[3];
    acrl_menv_reset(e, 3, obs);
    const int B = 12, cd = 54 + 3;
    float x[12 * 57];
    acrl_rng rng;
    acrl_rng_seed(&rng, 42);
    for (int b = 0; b < B; b++) {
        int a[3] = {(int)acrl_rng_below(&rng, 5), (int)acrl_rng_below(&rng, 5), (int)acrl_rng_below(&rng, 5)};
        acrl_menv_step(e, a, obs, r, te, tr);
        acrl_menv_state(e, x + b * cd);
        for (int k = 0; k < 3; k++) x[b * cd + 54 + k] = k == b % 3 ? 1.0f : 0.0f;
    }
    acrl_menv_close(e);
    acrl_params p;
    acrl_mlp m;
    acrl_params_init(&p);
    int sizes[4] = {cd, 16, 16, 1};
    CHECK(acrl_mlp_build(&m, &p, "critic", sizes, 4, "tanh", false, B, err, sizeof err) == 0);
    CHECK(acrl_params_finalize(&p, err, sizeof err) == 0);
    acrl_mlp_init(&m, &p, ACRL_INIT_ORTHOGONAL, 1.0f, 1.0f, &rng);
    const float* v = acrl_mlp_forward(&m, &p, x, B);
    float old[12], tgt[12], dv[12];
    for (int b = 0; b < B; b++) {
        /* old values on both sides of the clip window; targets spanning the Huber knee */
        old[b] = v[b] + (float)((b % 4) - 1.5) * 0.15f;
        tgt[b] = v[b] + (float)(b - 6) * (b % 2 ? 0.5f : 3.0f);
    }
    const float clip = 0.2f, delta = 2.0f;
    acrl_params_zero_grad(&p);
    v = acrl_mlp_forward(&m, &p, x, B);
    marl_value_loss(dv, v, old, tgt, B, clip, delta, true);
    acrl_mlp_backward(&m, &p, NULL, dv);
    double* prm = malloc(sizeof(double) * p.count);
    double xd[12 * 57];
    for (int k = 0; k < B * cd; k++) xd[k] = x[k];
    for (size_t k = 0; k < p.count; k++) prm[k] = p.param[k];
    double gmax = 0, dmax = 0;
    for (size_t k = 0; k < p.count; k++) {
        const double h = 1e-6, s = prm[k];
        prm[k] = s + h;
        double lp = value_loss_d(&m, prm, xd, old, tgt, B, clip, delta);
        prm[k] = s - h;
        double lm = value_loss_d(&m, prm, xd, old, tgt, B, clip, delta);
        prm[k] = s;
        double fd = (lp - lm) / (2 * h);
        gmax = fmax(gmax, fabs(fd));
        dmax = fmax(dmax, fabs(fd - p.grad[k]));
    }
    printf("  critic: %zu parameters, max |grad| %.3e\n", p.count, gmax);
    CHECK(gmax > 1e-2);
    CHECK_MAXDIFF("centralised critic value-loss gradient vs FD", dmax / gmax, 2e-4);
    free(prm);
    acrl_mlp_free(&m);
    acrl_params_free(&p);

    /* the actor's clipped surrogate with entropy on 5 actions */
    acrl_params_init(&p);
    int as[3] = {18, 16, 5};
    CHECK(acrl_mlp_build(&m, &p, "actor", as, 3, "tanh", false, B, err, sizeof err) == 0);
    CHECK(acrl_params_finalize(&p, err, sizeof err) == 0);
    acrl_mlp_init(&m, &p, ACRL_INIT_ORTHOGONAL, 1.0f, 1.0f, &rng);
    float ox[12 * 18];
    for (int b = 0; b < B; b++)
        for (int k = 0; k < 18; k++) ox[b * 18 + k] = x[b * cd + (b % 3) * 18 + k];
    const float* lg = acrl_mlp_forward(&m, &p, ox, B);
    int act[12];
    float oldlp[12], adv[12], lpb[12];
    for (int b = 0; b < B; b++) act[b] = b % 5;
    acrl_cat_log_prob(lpb, lg, act, B, 5);
    for (int b = 0; b < B; b++) {
        /* ratios inside and outside [0.8, 1.2], advantages of both signs */
        oldlp[b] = lpb[b] + (float)((b % 4) - 1.5) * 0.2f;
        adv[b] = (float)(b % 3) - 1.0f + 0.3f;
    }
    float dlog[12 * 5], scratch[36];
    memset(dlog, 0, sizeof dlog);
    acrl_params_zero_grad(&p);
    lg = acrl_mlp_forward(&m, &p, ox, B);
    marl_policy_loss(dlog, lg, act, oldlp, adv, B, 5, 0.2f, 0.01f, scratch, NULL);
    acrl_mlp_backward(&m, &p, NULL, dlog);
    prm = malloc(sizeof(double) * p.count);
    for (int k = 0; k < B * 18; k++) xd[k] = ox[k];
    for (size_t k = 0; k < p.count; k++) prm[k] = p.param[k];
    gmax = dmax = 0;
    for (size_t k = 0; k < p.count; k++) {
        const double h = 1e-6, s = prm[k];
        prm[k] = s + h;
        double lp = policy_loss_d(&m, prm, xd, act, oldlp, adv, B, 5, 0.2, 0.01);
        prm[k] = s - h;
        double lm = policy_loss_d(&m, prm, xd, act, oldlp, adv, B, 5, 0.2, 0.01);
        prm[k] = s;
        double fd = (lp - lm) / (2 * h);
        gmax = fmax(gmax, fabs(fd));
        dmax = fmax(dmax, fabs(fd - p.grad[k]));
    }
    printf("  actor: %zu parameters, max |grad| %.3e\n", p.count, gmax);
    CHECK(gmax > 1e-3);
    CHECK_MAXDIFF("actor surrogate+entropy gradient vs FD", dmax / gmax, 2e-4);
    free(prm);
    acrl_mlp_free(&m);
    acrl_params_free(&p);
}

/* CA-BN's graph: the acyclicity penalty, its gradient, the order, and the policy loss's
 * gradient with respect to the edge weights through the parents' action inputs. */
static double cabn_input_loss_d(const acrl_mlp* m, const double* prm, const double* W, const unsigned char* allowed,
                                const float* obs, const int* agent, const int* acts, const int* act_own,
                                const float* oldlp, const float* adv, int n, int od, int N, int K) {
    double x[16 * 32];
    int in = od + N * K;
    for (int s = 0; s < n; s++) {
        int i = agent[s];
        for (int k = 0; k < in; k++) x[s * in + k] = k < od ? obs[s * od + k] : 0.0;
        for (int j = 0; j < N; j++)
            if (allowed[j * N + i]) x[s * in + od + j * K + acts[s * N + j]] = W[j * N + i] * W[j * N + i];
    }
    return policy_loss_d(m, prm, x, act_own, oldlp, adv, n, K, 0.2, 0.01);
}

static void test_cabn(void) {
    /* h = 0 for a DAG (edges only from lower to higher index), 2 cosh(|ab|) - 2 for a 2-cycle */
    float W[9] = {0, 0.7f, -0.4f, 0, 0, 1.3f, 0, 0, 0};
    CHECK_NEAR(cabn_acyclicity(NULL, W, 3), 0.0, 1e-12);
    float C[4] = {0, 0.8f, -0.6f, 0};
    double dh[16];
    double h = cabn_acyclicity(dh, C, 2);
    double ab = (double)0.8f * 0.8f * (double)0.6f * 0.6f;
    CHECK_NEAR(h, 2 * cosh(sqrt(ab)) - 2, 1e-12);
    /* gradient of h against central differences (3 agents, a 3-cycle and more) */
    float G[9] = {0, 0.9f, 0.2f, 0.3f, 0, 0.7f, 0.8f, -0.5f, 0};
    cabn_acyclicity(dh, G, 3);
    double md = 0;
    for (int k = 0; k < 9; k++) {
        if (k % 4 == 0) continue;
        float s = G[k];
        G[k] = s + 1e-3f; double hp = cabn_acyclicity(NULL, G, 3);
        G[k] = s - 1e-3f; double hm = cabn_acyclicity(NULL, G, 3);
        G[k] = s;
        double fd = (hp - hm) / ((double)(s + 1e-3f) - (double)(s - 1e-3f));
        md = fmax(md, fabs(fd - dh[k]));
    }
    CHECK_MAXDIFF("acyclicity penalty gradient vs FD", md, 1e-5);
    /* order: strong edges 2 -> 0 and 0 -> 1: agent 2 first, then 0, then 1 */
    float O[9] = {0, 0.9f, 0.01f, 0.05f, 0, 0.02f, 0.8f, 0.6f, 0};
    double A[9];
    int order[3];
    unsigned char allowed[9];
    cabn_adjacency(A, O, 3);
    cabn_order(order, allowed, A, 3, 1e-3);
    CHECK(order[0] == 2 && order[1] == 0 && order[2] == 1);
    CHECK(allowed[2 * 3 + 0] && allowed[0 * 3 + 1] && allowed[2 * 3 + 1] && !allowed[1 * 3 + 0] && !allowed[0 * 3 + 2]);
    CHECK(!allowed[1 * 3 + 2]);   /* 1 -> 2 goes against the order */

    /* dL/dW through the parents' inputs, L = PPO surrogate + entropy of agents' conditionals */
    enum { N = 3, K = 5, OD = 4, NR = 9 };
    const int IN = OD + N * K;
    char err[ACRL_ERRLEN];
    acrl_rng rng;
    acrl_rng_seed(&rng, 9);
    float Wd[9] = {0, 0.9f, 0.7f, 0.1f, 0, 0.6f, 0.8f, 0.05f, 0};
    cabn_adjacency(A, Wd, N);
    cabn_order(order, allowed, A, N, 1e-3);
    int koff[3] = {0, K, 2 * K}, agent[NR], acts[NR * N], own[NR];
    float obs[NR * OD], x[NR * 19], oldlp[NR], adv[NR], lp[NR];
    for (int s = 0; s < NR; s++) {
        agent[s] = s % N;
        for (int j = 0; j < N; j++) acts[s * N + j] = (int)acrl_rng_below(&rng, K);
        own[s] = acts[s * N + agent[s]];
        for (int k = 0; k < OD; k++) obs[s * OD + k] = (float)acrl_rng_uniform(&rng, -1, 1);
        cabn_input(x + s * IN, obs + s * OD, OD, acts + s * N, A, allowed, koff, N * K, agent[s], N);
    }
    acrl_params p;
    acrl_mlp m;
    acrl_params_init(&p);
    int sizes[3] = {IN, 12, K};
    CHECK(acrl_mlp_build(&m, &p, "actor", sizes, 3, "tanh", false, NR, err, sizeof err) == 0);
    CHECK(acrl_params_finalize(&p, err, sizeof err) == 0);
    acrl_mlp_init(&m, &p, ACRL_INIT_ORTHOGONAL, 1.0f, 1.0f, &rng);
    const float* lg = acrl_mlp_forward(&m, &p, x, NR);
    acrl_cat_log_prob(lp, lg, own, NR, K);
    for (int s = 0; s < NR; s++) { oldlp[s] = lp[s] + (float)((s % 4) - 1.5) * 0.15f; adv[s] = (float)(s % 3) - 0.8f; }
    float dlog[NR * K], din[NR * 19], scratch[3 * NR];
    memset(dlog, 0, sizeof dlog);
    memset(din, 0, sizeof din);
    acrl_params_zero_grad(&p);
    lg = acrl_mlp_forward(&m, &p, x, NR);
    marl_policy_loss(dlog, lg, own, oldlp, adv, NR, K, 0.2f, 0.01f, scratch, NULL);
    acrl_mlp_backward(&m, &p, din, dlog);
    double g[9];
    cabn_w_grad(g, Wd, allowed, din, NR, IN, OD, koff, agent, acts, N);
    double* prm = malloc(sizeof(double) * p.count);
    for (size_t k = 0; k < p.count; k++) prm[k] = p.param[k];
    double Wdd[9], gmax = 0, dmax = 0;
    int used = 0;
    for (int k = 0; k < 9; k++) Wdd[k] = Wd[k];
    for (int k = 0; k < 9; k++) {
        if (k % 4 == 0) continue;
        double s0 = Wdd[k], hh = 1e-6;
        Wdd[k] = s0 + hh;
        double Lp = cabn_input_loss_d(&m, prm, Wdd, allowed, obs, agent, acts, own, oldlp, adv, NR, OD, N, K);
        Wdd[k] = s0 - hh;
        double Lm = cabn_input_loss_d(&m, prm, Wdd, allowed, obs, agent, acts, own, oldlp, adv, NR, OD, N, K);
        Wdd[k] = s0;
        double fd = (Lp - Lm) / (2 * hh);
        used += allowed[k];
        gmax = fmax(gmax, fabs(fd));
        dmax = fmax(dmax, fabs(fd - g[k]));
    }
    printf("  cabn: %d edges in use, max |dL/dW| %.3e\n", used, gmax);
    CHECK(used == 3 && gmax > 1e-3);
    CHECK_MAXDIFF("CA-BN policy gradient wrt graph weights vs FD", dmax / gmax, 2e-4);
    free(prm);
    acrl_mlp_free(&m);
    acrl_params_free(&p);
}

int main(void) {
    test_fixtures();
    test_choice();
    test_hand_cases();
    test_matrix_games();
    test_settings();
    test_snapshot_and_vec();
    test_gradients();
    test_cabn();
    return test_summary("test_marl");
}
