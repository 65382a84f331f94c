/* test_envs.c - the classic-control envs against reference trajectories from an
 * independent NumPy re-implementation of Gymnasium (tests/gen_env_ref.py), plus the
 * registry, spaces, set_state errors, snapshots and the CartPole batch step. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/env.h"
#include "env/classic.h"
#include "test.h"
#ifdef ACRL_HAVE_MUJOCO
#include "acrl/mujoco.h"
#endif

#define MAXV 16

static const char* ids[] = { "CartPole-v1", "Acrobot-v1", "MountainCar-v0",
                             "MountainCarContinuous-v0", "Pendulum-v1" };
#define NIDS (int)(sizeof ids / sizeof ids[0])

/* Splits a comma-separated line into doubles after its leading word; returns the count. */
static int parse_values(char* line, double* v, int max) {
    int n = 0;
    char* p = strchr(line, ',');
    while (p && n < max) {
        char* end;
        v[n++] = strtod(p + 1, &end);
        p = strchr(end, ',');
    }
    return n;
}

/* Scaled difference to the float32 the fixture printed: absolute below 1, relative above. */
static double obs_diff(float got, double want) {
    return fabs((double)got - (double)(float)want) / fmax(1.0, fabs(want));
}

/* Replays fixtures/env_<id>.csv through acrl_env_make / reset / set_state / step. */
static void test_fixture(const char* id) {
    char path[256], err[ACRL_ERRLEN], line[4096], name[96];
    snprintf(path, sizeof path, "fixtures/env_%s.csv", id);
    FILE* f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f) { fprintf(stderr, "cannot open %s\n", path); return; }
    acrl_env* env = acrl_env_make(id, NULL, err, sizeof err);
    CHECK(env != NULL);
    if (!env) { fprintf(stderr, "%s\n", err); fclose(f); return; }
    int od = env->obs_space.dim, ad = env->act_space.dim;
    double v[4 * MAXV];
    float obs[MAXV], act[MAXV];
    double max_obs = 0, max_rew = 0;
    int not_bitwise = 0, flag_mismatch = 0, steps = 0, episodes = 0, terminations = 0, truncations = 0, bad_lines = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        int n = parse_values(line, v, 4 * MAXV);
        const double* want = NULL;
        if (strncmp(line, "reset,", 6) == 0 && n == 1 + od) {
            acrl_env_reset(env, (int64_t)v[0], obs);
            want = v + 1;
            episodes++;
        } else if (strncmp(line, "state,", 6) == 0 && n >= 2 && n == 2 + (int)v[1] + od) {
            int sn = (int)v[1];
            acrl_env_reset(env, (int64_t)v[0], obs);
            int rc = acrl_env_set_state(env, v + 2, sn, obs, err, sizeof err);
            CHECK(rc == 0);
            want = v + 2 + sn;
            episodes++;
        } else if (strncmp(line, "step,", 5) == 0 && n == ad + od + 3) {
            double reward;
            bool term, trunc;
            for (int i = 0; i < ad; i++) act[i] = (float)v[i];
            acrl_env_step(env, act, obs, &reward, &term, &trunc);
            want = v + ad;
            max_rew = fmax(max_rew, fabs(reward - want[od]));
            flag_mismatch += (term != (want[od + 1] != 0)) + (trunc != (want[od + 2] != 0));
            terminations += want[od + 1] != 0;
            truncations += want[od + 2] != 0;
            steps++;
        } else {
            bad_lines++;
            continue;
        }
        for (int i = 0; i < od; i++) {
            max_obs = fmax(max_obs, obs_diff(obs[i], want[i]));
            not_bitwise += obs[i] != (float)want[i];
        }
    }
    fclose(f);
    acrl_env_close(env);
    printf("  %s: %d episodes, %d steps, %d terminations, %d truncations, %d observation values "
           "not bit-identical\n", id, episodes, steps, terminations, truncations, not_bitwise);
    CHECK(bad_lines == 0);
    CHECK(steps >= 500 && episodes >= 5 && truncations >= 1);
    snprintf(name, sizeof name, "%s observations", id);
    CHECK_MAXDIFF(name, max_obs, 1e-6);
    snprintf(name, sizeof name, "%s rewards", id);
    CHECK_MAXDIFF(name, max_rew, 1e-9);
    snprintf(name, sizeof name, "%s terminated/truncated mismatches", id);
    CHECK_MAXDIFF(name, flag_mismatch, 0);
}

static void test_registry(void) {
    char err[ACRL_ERRLEN];
#ifdef ACRL_HAVE_MUJOCO
    /* DoorKeyGrid-v0, Maze-v0, Portfolio-v0, PortfolioESG-v0, MecOffload-v0, LaserNav-v0, then the
     * MuJoCo tasks and the safety velocity tasks */
    const int total = NIDS + 6 + acrl_mujoco_spec_count + acrl_mujoco_safety_spec_count;
#else
    const int total = NIDS + 6; /* DoorKeyGrid-v0, Maze-v0, Portfolio-v0, PortfolioESG-v0, MecOffload-v0, LaserNav-v0 */
#endif
    CHECK(acrl_env_count() == total);
    static const int steps[NIDS] = { 500, 500, 200, 999, 200 };
    static const double thresholds[NIDS] = { 475, -100, -110, 90, -200 };
    for (int i = 0; i < NIDS; i++) {
        const acrl_env_spec* s = acrl_env_spec_find(ids[i]);
        CHECK(s != NULL && s == acrl_env_spec_at(i));
        if (!s) continue;
        CHECK(s->max_episode_steps == steps[i]);
        CHECK(s->solved_threshold == thresholds[i]);
    }
    const acrl_env_spec* dk = acrl_env_spec_find("DoorKeyGrid-v0"); /* test_doorkey checks its dynamics */
    CHECK(dk != NULL && dk == acrl_env_spec_at(NIDS) && dk->max_episode_steps == 64 && dk->solved_threshold == 0.7);
    const acrl_env_spec* mz = acrl_env_spec_find("Maze-v0"); /* test_maze checks its dynamics */
    CHECK(mz != NULL && mz == acrl_env_spec_at(NIDS + 1) && mz->max_episode_steps == 100 && isnan(mz->solved_threshold));
    CHECK(acrl_env_spec_find("CartPole-v0") == NULL);
    CHECK(acrl_env_spec_at(total) == NULL && acrl_env_spec_at(-1) == NULL);

    err[0] = 0;
    acrl_env* e = acrl_env_make("CartPol-v1", NULL, err, sizeof err);
    CHECK(e == NULL);
    CHECK(strstr(err, "CartPol-v1") != NULL);
    for (int i = 0; i < NIDS; i++) CHECK(strstr(err, ids[i]) != NULL);
    printf("  unknown id message: %s\n", err);

    /* max_episode_steps: 0 gives the bare env, n truncates after exactly n steps */
    acrl_env_options o = acrl_env_options_default();
    CHECK(o.max_episode_steps == -1 && o.model_path == NULL);
    o.max_episode_steps = 0;
    e = acrl_env_make("Pendulum-v1", &o, err, sizeof err);
    CHECK(e && e->inner == NULL && acrl_env_unwrapped(e) == e);
    acrl_env_close(e);
    o.max_episode_steps = 7;
    e = acrl_env_make("Pendulum-v1", &o, err, sizeof err);
    CHECK(e && e->inner != NULL && strcmp(e->id, "Pendulum-v1") == 0);
    if (e) {
        float obs[3], a = 0.5f;
        double r;
        bool term, trunc;
        int first_trunc = 0;
        acrl_env_reset(e, 0, obs);
        for (int t = 1; t <= 7 && !first_trunc; t++) {
            acrl_env_step(e, &a, obs, &r, &term, &trunc);
            if (trunc) first_trunc = t;
        }
        CHECK(first_trunc == 7);
        acrl_env_close(e);
    }
    acrl_env_close(NULL);
}

/* Spaces against the bounds Gymnasium declares (float32). */
static void test_spaces(void) {
    char err[ACRL_ERRLEN], buf[64];
    static const int obs_dim[NIDS] = { 4, 6, 2, 2, 3 };
    static const int state_dim[NIDS] = { 4, 4, 2, 2, 2 };
    static const char* act_desc[NIDS] = { "Discrete(2)", "Discrete(3)", "Discrete(3)", "Box(1,)", "Box(1,)" };
    static const float high[NIDS][6] = {
        { 4.8f, FLT_MAX, 0.41887903f, FLT_MAX },             /* 2 * 12 degrees */
        { 1, 1, 1, 1, 12.566371f, 28.274334f },              /* 4 pi, 9 pi */
        { 0.6f, 0.07f }, { 0.6f, 0.07f }, { 1, 1, 8 },
    };
    static const float low[NIDS][6] = {
        { -4.8f, -FLT_MAX, -0.41887903f, -FLT_MAX },
        { -1, -1, -1, -1, -12.566371f, -28.274334f },
        { -1.2f, -0.07f }, { -1.2f, -0.07f }, { -1, -1, -8 },
    };
    for (int i = 0; i < NIDS; i++) {
        acrl_env* e = acrl_env_make(ids[i], NULL, err, sizeof err);
        CHECK(e != NULL);
        if (!e) continue;
        CHECK(e->obs_space.kind == ACRL_SPACE_BOX && e->obs_space.dim == obs_dim[i]);
        CHECK(e->state_dim == state_dim[i]);
        for (int k = 0; k < obs_dim[i]; k++) {
            CHECK(e->obs_space.low[k] == low[i][k]);
            CHECK(e->obs_space.high[k] == high[i][k]);
        }
        char want[32];
        snprintf(want, sizeof want, "Box(%d,)", obs_dim[i]);
        acrl_space_describe(&e->obs_space, buf, sizeof buf);
        CHECK(strcmp(buf, want) == 0);
        acrl_space_describe(&e->act_space, buf, sizeof buf);
        CHECK(strcmp(buf, act_desc[i]) == 0);
        printf("  %-26s obs %s act %s\n", ids[i], want, buf);
        acrl_env_close(e);
    }
    acrl_env* cp = acrl_env_make("CartPole-v1", NULL, err, sizeof err);
    acrl_env* pd = acrl_env_make("Pendulum-v1", NULL, err, sizeof err);
    acrl_env* mc = acrl_env_make("MountainCarContinuous-v0", NULL, err, sizeof err);
    CHECK(cp && pd && mc);
    if (cp && pd && mc) {
        float x[4];
        x[0] = 0; CHECK(acrl_space_contains(&cp->act_space, x));
        x[0] = 1; CHECK(acrl_space_contains(&cp->act_space, x));
        x[0] = 2; CHECK(!acrl_space_contains(&cp->act_space, x));
        x[0] = -1; CHECK(!acrl_space_contains(&cp->act_space, x));
        x[0] = 0.5f; CHECK(!acrl_space_contains(&cp->act_space, x));
        x[0] = NAN; CHECK(!acrl_space_contains(&cp->act_space, x));
        CHECK(pd->act_space.low[0] == -2.0f && pd->act_space.high[0] == 2.0f);
        CHECK(mc->act_space.low[0] == -1.0f && mc->act_space.high[0] == 1.0f);
        x[0] = 2.0f; CHECK(acrl_space_contains(&pd->act_space, x));
        x[0] = -2.0f; CHECK(acrl_space_contains(&pd->act_space, x));
        x[0] = 2.0001f; CHECK(!acrl_space_contains(&pd->act_space, x));
        x[0] = NAN; CHECK(!acrl_space_contains(&pd->act_space, x));
        x[0] = 0.6f; x[1] = 0.07f; CHECK(acrl_space_contains(&mc->obs_space, x));
        x[0] = 0.6f; x[1] = 0.0701f; CHECK(!acrl_space_contains(&mc->obs_space, x));
        x[0] = 4.8f; x[1] = 1e30f; x[2] = -0.4f; x[3] = -1e30f; CHECK(acrl_space_contains(&cp->obs_space, x));
        x[2] = 0.42f; CHECK(!acrl_space_contains(&cp->obs_space, x));
    }
    acrl_env_close(cp);
    acrl_env_close(pd);
    acrl_env_close(mc);
}

static void test_set_state_errors(void) {
    char err[ACRL_ERRLEN];
    for (int i = 0; i < NIDS; i++) {
        acrl_env* e = acrl_env_make(ids[i], NULL, err, sizeof err);
        CHECK(e != NULL);
        if (!e) continue;
        double s[8] = { 0 };
        float obs[MAXV];
        char want[32];
        acrl_env_reset(e, 0, obs);
        err[0] = 0;
        CHECK(acrl_env_set_state(e, s, e->state_dim + 1, obs, err, sizeof err) == -1);
        snprintf(want, sizeof want, "expects %d values", e->state_dim);
        CHECK(strstr(err, want) != NULL);
        CHECK(acrl_env_set_state(e, s, e->state_dim - 1, obs, err, sizeof err) == -1);
        CHECK(acrl_env_set_state(e, s, e->state_dim, obs, err, sizeof err) == 0);
        if (i == 0) printf("  wrong length: %s\n", err);
        acrl_env_close(e);
    }
    /* huge Acrobot angles (Gymnasium's wrap loop would spin for ages) still step at once */
    acrl_env* e = acrl_env_make("Acrobot-v1", NULL, err, sizeof err);
    CHECK(e != NULL);
    if (e) {
        double s[4] = { 1e7, -1e12, 1.0, -2.0 };
        float obs[6], a = 1;
        double r;
        bool term, trunc;
        acrl_env_reset(e, 0, obs);
        CHECK(acrl_env_set_state(e, s, 4, obs, err, sizeof err) == 0);
        acrl_env_step(e, &a, obs, &r, &term, &trunc);
        bool finite = true;
        for (int k = 0; k < 6; k++) finite = finite && isfinite(obs[k]);
        CHECK(finite && (r == -1.0 || r == 0.0));
        acrl_env_close(e);
    }
}

/* Steps n steps with actions from r; records obs and rewards, resetting (unseeded) on ends. */
static void rollout(acrl_env* e, acrl_rng* r, int n, float* obs_out, double* rew_out) {
    int od = e->obs_space.dim;
    for (int t = 0; t < n; t++) {
        float a[MAXV];
        if (e->act_space.kind == ACRL_SPACE_DISCRETE) a[0] = (float)acrl_rng_below(r, (uint64_t)e->act_space.n);
        else for (int k = 0; k < e->act_space.dim; k++) a[k] = (float)acrl_rng_uniform(r, -1.5, 1.5);
        bool term, trunc;
        acrl_env_step(e, a, obs_out + (size_t)t * od, &rew_out[t], &term, &trunc);
        if (term || trunc) acrl_env_reset(e, -1, obs_out + (size_t)t * od);
    }
}

/* Save, run, load (into the same env and into a fresh one), run again: bit-identical. */
static void test_snapshots(void) {
    char err[ACRL_ERRLEN];
    enum { N = 700 };
    static float obs_a[N * MAXV], obs_b[N * MAXV], obs_c[N * MAXV];
    static double rew_a[N], rew_b[N], rew_c[N];
    for (int i = 0; i < NIDS; i++) {
        acrl_env* e = acrl_env_make(ids[i], NULL, err, sizeof err);
        acrl_env* f = acrl_env_make(ids[i], NULL, err, sizeof err);
        CHECK(e && f);
        if (!e || !f) { acrl_env_close(e); acrl_env_close(f); continue; }
        float obs[MAXV];
        acrl_rng r, r0;
        acrl_rng_seed(&r, 99);
        acrl_env_reset(e, 123, obs);
        rollout(e, &r, 37, obs_a, rew_a);
        size_t nb = e->vt->state_bytes(e);
        unsigned char* snap = malloc(nb);
        e->vt->state_save(e, snap);
        r0 = r;
        size_t od = (size_t)e->obs_space.dim;
        rollout(e, &r, N, obs_a, rew_a);           /* crosses episode ends: the rng is in the snapshot */
        r = r0;
        CHECK(e->vt->state_load(e, snap) == 0);
        rollout(e, &r, N, obs_b, rew_b);
        r = r0;
        acrl_env_reset(f, 5, obs);
        CHECK(f->vt->state_load(f, snap) == 0);
        rollout(f, &r, N, obs_c, rew_c);
        bool same = memcmp(obs_a, obs_b, N * od * sizeof(float)) == 0 && memcmp(rew_a, rew_b, sizeof rew_a) == 0 &&
                    memcmp(obs_a, obs_c, N * od * sizeof(float)) == 0 && memcmp(rew_a, rew_c, sizeof rew_a) == 0;
        printf("  %-26s snapshot %zu bytes, %d steps replayed bit-identically: %s\n", ids[i], nb, N,
               same ? "yes" : "NO");
        CHECK(same);
        /* corrupted or foreign snapshots are refused */
        unsigned char* bad = malloc(nb);
        memcpy(bad, snap, nb);
        for (size_t k = 0; k < nb; k++) bad[k] ^= 0x5a;
        CHECK(e->vt->state_load(e, bad) == -1);
        acrl_env* other = acrl_env_make(ids[(i + 1) % NIDS], NULL, err, sizeof err);
        if (other && other->vt->state_bytes(other) <= nb) CHECK(other->vt->state_load(other, snap) == -1);
        else if (other) {
            unsigned char* big = calloc(1, other->vt->state_bytes(other));
            memcpy(big, snap, nb);
            CHECK(other->vt->state_load(other, big) == -1);
            free(big);
        }
        acrl_env_close(other);
        free(bad);
        free(snap);
        acrl_env_close(e);
        acrl_env_close(f);
    }
}

/* acrl_cartpole_step_batch against per-env vtable steps, bit for bit. */
static void test_cartpole_batch(void) {
    enum { NE = 9, T = 300 };
    char err[ACRL_ERRLEN];
    acrl_env *a[NE], *b[NE];
    float obs_a[NE * 4], obs_b[NE * 4], act[NE];
    double rew_a[NE], rew_b[NE];
    bool term_a[NE], term_b[NE], trunc;
    acrl_rng r;
    acrl_rng_seed(&r, 4);
    acrl_env_options o = acrl_env_options_default();
    o.max_episode_steps = 0;
    for (int i = 0; i < NE; i++) {
        a[i] = acrl_env_make("CartPole-v1", &o, err, sizeof err);
        b[i] = acrl_env_make("CartPole-v1", &o, err, sizeof err);
        CHECK(a[i] && b[i] && acrl_is_cartpole(a[i]));
        acrl_env_reset(a[i], i, obs_a + 4 * i);
        acrl_env_reset(b[i], i, obs_b + 4 * i);
    }
    int mismatches = 0;
    for (int t = 0; t < T; t++) {
        for (int i = 0; i < NE; i++) act[i] = (float)acrl_rng_below(&r, 2);
        for (int i = 0; i < NE; i++) acrl_env_step(a[i], act + i, obs_a + 4 * i, rew_a + i, term_a + i, &trunc);
        CHECK(acrl_cartpole_step_batch(b, NE, act, obs_b, rew_b, term_b) == 0);
        mismatches += memcmp(obs_a, obs_b, sizeof obs_a) != 0 || memcmp(rew_a, rew_b, sizeof rew_a) != 0 ||
                      memcmp(term_a, term_b, sizeof term_a) != 0;
        for (int i = 0; i < NE; i++)
            if (term_a[i] && (t % 7 == 0)) {   /* also keep stepping some past termination */
                acrl_env_reset(a[i], -1, obs_a + 4 * i);
                acrl_env_reset(b[i], -1, obs_b + 4 * i);
            }
    }
    CHECK_MAXDIFF("CartPole batch vs single-step mismatching steps", mismatches, 0);
    acrl_env* ab = acrl_env_make("Acrobot-v1", &o, err, sizeof err);
    CHECK(ab && !acrl_is_cartpole(ab));
    acrl_env_close(ab);
    for (int i = 0; i < NE; i++) { acrl_env_close(a[i]); acrl_env_close(b[i]); }
}

/* classic_pow2 (x*x unless pow may round differently) against libm pow(x, 2.0). */
static void test_pow2(void) {
    static const volatile double two = 2.0;
    acrl_rng r;
    acrl_rng_seed(&r, 17);
    long differ = 0, pow_not_mul = 0, n = 2000000;
    for (long i = 0; i < n; i++) {
        double x = acrl_rng_uniform(&r, -1.0, 1.0) * ldexp(1.0, (int)acrl_rng_below(&r, 300) - 150);
        double want = pow(x, two);
        differ += classic_pow2(x) != want;
        pow_not_mul += x * x != want;
    }
    double special[] = { 0.0, -0.0, 1.0, 3.0, 1e-200, 1e200, INFINITY, -INFINITY, 0x1.6a09e667f3bcdp+0 };
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) differ += classic_pow2(special[i]) != pow(special[i], two);
    printf("  pow(x, 2) != x*x for %ld of %ld samples; classic_pow2 differs from pow for %ld\n", pow_not_mul, n, differ);
    CHECK(differ == 0);
    CHECK(isnan(classic_pow2(NAN)));
}

int main(void) {
    printf("pow(x, 2):\n");
    test_pow2();
    printf("reference trajectories (tests/gen_env_ref.py):\n");
    for (int i = 0; i < NIDS; i++) test_fixture(ids[i]);
    printf("registry:\n");
    test_registry();
    printf("spaces:\n");
    test_spaces();
    printf("set_state:\n");
    test_set_state_errors();
    printf("snapshots:\n");
    test_snapshots();
    printf("cartpole batch:\n");
    test_cartpole_batch();
    return test_summary("test_envs");
}
