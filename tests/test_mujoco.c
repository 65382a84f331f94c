/* test_mujoco.c - the Gymnasium v4 MuJoCo tasks: sizes and model facts against the
 * values Gymnasium's model files imply (masses computed here from their geometry),
 * reset noise order, observation layouts, hand-computed rewards, termination,
 * determinism, snapshots, threads and loader errors. */
#include <mujoco/mujoco.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acrl/mujoco.h"
#include "test.h"

typedef acrl_env* (*create_fn)(const acrl_env_options*, char*, size_t);

static acrl_env* make(create_fn f) {
    char err[ACRL_ERRLEN] = "";
    acrl_env* env = f(NULL, err, sizeof err);
    if (!env) fprintf(stderr, "create failed: %s\n", err);
    return env;
}
static void close_env(acrl_env* env) { acrl_env_close(env); }

/* ---- masses from Gymnasium's geometry (density 1000 unless stated) ------------------ */

static double capsule(double r, double len) { return M_PI * r * r * len + 4.0 / 3.0 * M_PI * r * r * r; }
static double sphere(double r) { return 4.0 / 3.0 * M_PI * r * r * r; }
static double len3(double x, double y, double z) { return sqrt(x * x + y * y + z * z); }

static double hopper_mass(void) {   /* torso, thigh, leg, foot capsules */
    return 1000 * (capsule(0.05, 0.4) + capsule(0.05, 0.45) + capsule(0.04, 0.5) + capsule(0.06, 0.39));
}
static double walker_mass(void) {
    return 1000 * (capsule(0.05, 0.4) + 2 * (capsule(0.05, 0.45) + capsule(0.04, 0.5) + capsule(0.06, 0.2)));
}
static double ant_mass(void) {      /* density 5: sphere torso, per leg 2 short + 1 long capsule */
    double s = len3(0.2, 0.2, 0), l = len3(0.4, 0.4, 0);
    return 5 * (sphere(0.25) + 4 * (2 * capsule(0.08, s) + capsule(0.08, l)));
}
static double humanoid_mass(void) {
    double torso = capsule(0.07, 0.14) + sphere(0.09) + capsule(0.06, 0.12);
    double abdomen = capsule(0.06, 0.12) + capsule(0.09, 0.14);
    double leg = capsule(0.06, len3(0, 0.01, 0.34)) + capsule(0.049, 0.3) + sphere(0.075);
    double arm = capsule(0.04, len3(0.16, 0.16, 0.16)) + capsule(0.031, len3(0.16, 0.16, 0.16)) + sphere(0.04);
    return 1000 * (torso + abdomen + 2 * leg + 2 * arm);
}
static double swimmer_mass(void) { return 1000 * 3 * capsule(0.1, 1.0); }
static double reacher_mass(void) { return 1000 * (2 * capsule(0.01, 0.1) + sphere(0.01) + sphere(0.009)); }
static double ipend_mass(void) { return 1000 * (capsule(0.1, 0.2) + capsule(0.049, len3(0.001, 0, 0.6))); }
static double idp_mass(void) { return 1000 * (capsule(0.1, 0.2) + 2 * capsule(0.045, 0.6)); }
static double cheetah_mass(void) { return 14.0; }   /* settotalmass */

typedef struct {
    const char* id;
    create_fn create;
    int obs_dim, act_dim, nq, nv, nbody;
    double act_high, timestep;
    int frame_skip;
    double (*mass)(void);
} task_facts;

static const task_facts facts[] = {
    {"InvertedPendulum-v4", acrl_mujoco_create_inverted_pendulum, 4, 1, 2, 2, 3, 3.0, 0.02, 2, ipend_mass},
    {"InvertedDoublePendulum-v4", acrl_mujoco_create_inverted_double_pendulum, 11, 1, 3, 3, 4, 1.0, 0.01, 5, idp_mass},
    {"Reacher-v4", acrl_mujoco_create_reacher, 11, 2, 4, 4, 5, 1.0, 0.01, 2, reacher_mass},
    {"Swimmer-v4", acrl_mujoco_create_swimmer, 8, 2, 5, 5, 4, 1.0, 0.01, 4, swimmer_mass},
    {"HalfCheetah-v4", acrl_mujoco_create_half_cheetah, 17, 6, 9, 9, 8, 1.0, 0.01, 5, cheetah_mass},
    {"Hopper-v4", acrl_mujoco_create_hopper, 11, 3, 6, 6, 5, 1.0, 0.002, 4, hopper_mass},
    {"Walker2d-v4", acrl_mujoco_create_walker2d, 17, 6, 9, 9, 8, 1.0, 0.002, 4, walker_mass},
    {"Ant-v4", acrl_mujoco_create_ant, 27, 8, 15, 14, 14, 1.0, 0.01, 5, ant_mass},
    {"Humanoid-v4", acrl_mujoco_create_humanoid, 376, 17, 24, 23, 14, 0.4, 0.003, 5, humanoid_mass},
};
#define NTASK ((int)(sizeof facts / sizeof facts[0]))

static void test_sizes_and_models(void) {
    printf("sizes and model facts\n");
    for (int t = 0; t < NTASK; t++) {
        const task_facts* f = &facts[t];
        acrl_env* env = make(f->create);
        CHECK(env != NULL);
        if (!env) continue;
        const mjModel* m = acrl_mujoco_model(env);
        CHECK(strcmp(env->id, f->id) == 0);
        CHECK(env->obs_space.dim == f->obs_dim);
        CHECK(env->act_space.dim == f->act_dim);
        CHECK(env->state_dim == f->nq + f->nv);
        CHECK(m->nq == f->nq && m->nv == f->nv && m->nu == f->act_dim && m->nbody == f->nbody);
        for (int i = 0; i < f->act_dim; i++)
            CHECK(env->act_space.low[i] == (float)-f->act_high && env->act_space.high[i] == (float)f->act_high);
        CHECK(m->opt.timestep == f->timestep);
        CHECK(acrl_mujoco_frame_skip(env) == f->frame_skip);
        double mass = mj_getTotalmass(m), want = f->mass();
        printf("  %-26s obs %3d act %2d  mass %10.6f (Gymnasium geometry %10.6f)  dt %.3f\n", f->id,
               env->obs_space.dim, env->act_space.dim, mass, want, m->opt.timestep * f->frame_skip);
        CHECK_NEAR(mass, want, 1e-9 * want);
        close_env(env);
    }
}

static void test_specs(void) {
    CHECK(acrl_mujoco_spec_count == 9);
    for (int i = 0; i < acrl_mujoco_spec_count; i++) {
        const acrl_env_spec* s = &acrl_mujoco_specs[i];
        CHECK(s->max_episode_steps == (strcmp(s->id, "Reacher-v4") == 0 ? 50 : 1000));
        char err[ACRL_ERRLEN];
        acrl_env* env = s->create(NULL, err, sizeof err);
        CHECK(env && strcmp(env->id, s->id) == 0);
        close_env(env);
        if (strcmp(s->id, "Hopper-v4") == 0) CHECK(s->solved_threshold == 3800.0);
        if (strcmp(s->id, "Walker2d-v4") == 0) CHECK(isnan(s->solved_threshold));
    }
}

/* Reset noise: qpos0 + U(-s, s) for every qpos, then qvel draws, from the env's RNG. */
static void test_reset_noise(void) {
    printf("reset noise\n");
    acrl_env* env = make(acrl_mujoco_create_hopper);
    const mjModel* m = acrl_mujoco_model(env);
    mjData* d = acrl_mujoco_data(env);
    float obs[11];
    acrl_rng_seed(&env->rng, 42);
    env->vt->reset(env, obs);
    acrl_rng r;
    acrl_rng_seed(&r, 42);
    double maxd = 0;
    for (int i = 0; i < m->nq; i++) maxd = fmax(maxd, fabs(d->qpos[i] - (m->qpos0[i] + acrl_rng_uniform(&r, -5e-3, 5e-3))));
    for (int i = 0; i < m->nv; i++) maxd = fmax(maxd, fabs(d->qvel[i] - (0.0 + acrl_rng_uniform(&r, -5e-3, 5e-3))));
    CHECK_MAXDIFF("Hopper reset = qpos0 + U, then U", maxd, 0.0);
    CHECK(obs[0] == (float)d->qpos[1] && fabs(obs[0] - 1.25) <= 5e-3);
    close_env(env);

    /* Reacher: target drawn in the disc of radius 0.2 after the qpos noise, target velocity 0 */
    env = make(acrl_mujoco_create_reacher);
    d = acrl_mujoco_data(env);
    for (int s = 0; s < 20; s++) {
        float o[11];
        acrl_rng_seed(&env->rng, (uint64_t)s);
        env->vt->reset(env, o);
        CHECK(hypot(d->qpos[2], d->qpos[3]) < 0.2 && d->qvel[2] == 0 && d->qvel[3] == 0);
        CHECK(fabs(d->qvel[0]) <= 0.005 && fabs(d->qpos[0]) <= 0.1);
        /* obs[8:11] = fingertip - target */
        CHECK_NEAR(o[8], d->xpos[3 * 3 + 0] - d->xpos[3 * 4 + 0], 1e-6);
        CHECK_NEAR(o[9], d->xpos[3 * 3 + 1] - d->xpos[3 * 4 + 1], 1e-6);
    }
    close_env(env);
}

/* Steps one env from a state with an action; returns reward and terminated. */
static void step_from(acrl_env* env, const double* state, const float* a, float* obs, double* r, bool* term) {
    char err[ACRL_ERRLEN];
    bool trunc = true;
    float o0[400];
    CHECK(env->vt->set_state(env, state, env->state_dim, o0, err, sizeof err) == 0);
    env->vt->step(env, a, obs, r, term, &trunc);
    CHECK(!trunc);
}

static double sumsq(const float* a, int n) { double s = 0; for (int i = 0; i < n; i++) s += (double)a[i] * a[i]; return s; }

/* Normal reset noise follows Gymnasium's np_random = default_rng(seed) exactly: qpos = qpos0 +
 * uniform(-s, s, nq), then qvel = s * standard_normal(nv) (NumPy values from gen_rng_normal.py). */
static void test_reset_normal_numpy(void) {
    printf("reset noise vs NumPy (standard_normal)\n");
    FILE* f = fopen("fixtures/mujoco_reset_normal.txt", "r");
    CHECK(f != NULL);
    if (!f) return;
    char line[256], id[64];
    CHECK(fgets(line, sizeof line, f) && line[0] == '#');
    unsigned long long seed;
    int nq, nv, ncases = 0;
    while (fscanf(f, " %63s %llu %d %d", id, &seed, &nq, &nv) == 4) {
        double dq[32], qv[32];
        CHECK(nq <= 32 && nv <= 32);
        if (nq > 32 || nv > 32) break;
        for (int i = 0; i < nq; i++) CHECK(fscanf(f, " %la", &dq[i]) == 1);
        for (int i = 0; i < nv; i++) CHECK(fscanf(f, " %la", &qv[i]) == 1);
        create_fn fn = NULL;
        for (int t = 0; t < NTASK; t++)
            if (strcmp(facts[t].id, id) == 0) fn = facts[t].create;
        CHECK(fn != NULL);
        if (!fn) continue;
        acrl_env* env = make(fn);
        const mjModel* m = acrl_mujoco_model(env);
        mjData* d = acrl_mujoco_data(env);
        CHECK(m->nq == nq && m->nv == nv);
        float obs[64];
        acrl_rng_seed(&env->rng, (uint64_t)seed);
        env->vt->reset(env, obs);
        /* Ant's free joint: MuJoCo normalizes the noisy quaternion qpos[3:7] in place during
         * mj_forward (Gymnasium's set_state does the same), so compare it normalized */
        int q0 = strcmp(id, "Ant-v4") == 0 ? 3 : nq, exact = 1;
        for (int i = 0; i < nq; i++)
            if (i < q0 || i >= q0 + 4) exact &= d->qpos[i] == m->qpos0[i] + dq[i];
        for (int i = 0; i < nv; i++) exact &= d->qvel[i] == qv[i];
        double qmax = 0;
        if (q0 < nq) {
            double q[4], n2 = 0;
            for (int k = 0; k < 4; k++) { q[k] = m->qpos0[q0 + k] + dq[q0 + k]; n2 += q[k] * q[k]; }
            for (int k = 0; k < 4; k++) qmax = fmax(qmax, fabs(d->qpos[q0 + k] - q[k] / sqrt(n2)));
        }
        printf("  %-26s seed %-5llu qpos, qvel %s  (qvel[0] %+.17g)%s\n", id, seed, exact ? "identical" : "DIFFER",
               d->qvel[0], q0 < nq ? "  quaternion normalized" : "");
        CHECK(qmax <= 1e-15);
        CHECK(exact);
        ncases++;
        close_env(env);
    }
    fclose(f);
    CHECK(ncases == 9);
}

/* Planar runners: reward = w_fwd * (x1 - x0) / dt [+ healthy] - w_ctrl * |a|^2. */
static void test_planar_rewards(void) {
    printf("planar runner rewards\n");
    struct { create_fn f; double w_ctrl, healthy; } cases[] = {
        {acrl_mujoco_create_half_cheetah, 0.1, 0.0},
        {acrl_mujoco_create_hopper, 1e-3, 1.0},
        {acrl_mujoco_create_walker2d, 1e-3, 1.0},
        {acrl_mujoco_create_swimmer, 1e-4, 0.0},
    };
    for (int c = 0; c < 4; c++) {
        acrl_env* env = make(cases[c].f);
        const mjModel* m = acrl_mujoco_model(env);
        mjData* d = acrl_mujoco_data(env);
        double state[64] = {0};
        for (int i = 0; i < m->nq; i++) state[i] = m->qpos0[i] + 0.01 * (i + 1);
        for (int i = 0; i < m->nv; i++) state[m->nq + i] = 0.1 * ((i % 3) - 1);
        float a[8], obs[32];
        for (int i = 0; i < m->nu; i++) a[i] = 0.3f * (float)(i + 1) - 0.7f;
        double r;
        bool term;
        step_from(env, state, a, obs, &r, &term);
        double dt = m->opt.timestep * acrl_mujoco_frame_skip(env);
        double want = (d->qpos[0] - state[0]) / dt + cases[c].healthy - cases[c].w_ctrl * sumsq(a, m->nu);
        printf("  %-16s reward %.9f  hand %.9f  x %.6f -> %.6f\n", env->id, r, want, state[0], d->qpos[0]);
        CHECK_NEAR(r, want, 1e-7);
        CHECK(!term);
        CHECK(fabs(d->qpos[0] - state[0]) > 1e-6);   /* it moved */
        /* observation layout: qpos without x (Swimmer: without x, y), then qvel */
        int skip = cases[c].f == acrl_mujoco_create_swimmer ? 2 : 1;
        int k = 0;
        double maxd = 0;
        for (int i = skip; i < m->nq; i++) maxd = fmax(maxd, fabs(obs[k++] - (float)d->qpos[i]));
        for (int i = 0; i < m->nv; i++) maxd = fmax(maxd, fabs(obs[k++] - (float)fmin(fmax(d->qvel[i], -10), 10)));
        CHECK(k == env->obs_space.dim);
        CHECK_MAXDIFF("obs = qpos[skip:], qvel", maxd, 0.0);
        close_env(env);
    }
    /* Velocity clipping: Hopper clips qvel to +-10 in the observation, HalfCheetah does not. */
    acrl_env* hop = make(acrl_mujoco_create_hopper);
    acrl_env* che = make(acrl_mujoco_create_half_cheetah);
    char err[ACRL_ERRLEN];
    double hs[12] = {0, 1.25, 0, 0, 0, 0, 25.0, -30.0, 0, 0, 0, 0};
    double cs[18] = {0};
    cs[9] = 25.0;
    cs[10] = -30.0;
    float ho[11], co[17];
    CHECK(hop->vt->set_state(hop, hs, 12, ho, err, sizeof err) == 0);
    CHECK(che->vt->set_state(che, cs, 18, co, err, sizeof err) == 0);
    CHECK(ho[5] == 10.0f && ho[6] == -10.0f && ho[0] == 1.25f);
    CHECK(co[8] == 25.0f && co[9] == -30.0f);
    /* MuJoCo clamps the control to ctrlrange; the cost uses the action as given. */
    const mjModel* m = acrl_mujoco_model(che);
    mjData* d = acrl_mujoco_data(che);
    float a1[6] = {1, -1, 1, -1, 1, -1}, a2[6] = {2, -3, 1, -1, 5, -1}, obs[17];
    double r1, r2;
    bool term;
    step_from(che, cs, a1, obs, &r1, &term);
    double x1 = d->qpos[0];
    step_from(che, cs, a2, obs, &r2, &term);
    CHECK(d->qpos[0] == x1);
    CHECK_NEAR(r1 - r2, 0.1 * (sumsq(a2, 6) - sumsq(a1, 6)), 1e-9);
    (void)m;
    close_env(hop);
    close_env(che);
}

static void test_hopper_walker_termination(void) {
    printf("termination\n");
    acrl_env* env = make(acrl_mujoco_create_hopper);
    float a[3] = {0, 0, 0}, obs[11];
    double r;
    bool term;
    double ok[12] = {0, 1.25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    step_from(env, ok, a, obs, &r, &term);
    CHECK(!term);
    double low[12] = {0, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};      /* torso too low */
    step_from(env, low, a, obs, &r, &term);
    CHECK(term);
    double tilted[12] = {0, 1.25, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0};  /* angle beyond 0.2 */
    step_from(env, tilted, a, obs, &r, &term);
    CHECK(term);
    double fast[12] = {0, 1.25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 150};   /* a velocity beyond 100 */
    step_from(env, fast, a, obs, &r, &term);
    CHECK(term);
    /* a healthy reset stays healthy for the first steps with zero torque */
    acrl_rng_seed(&env->rng, 3);
    env->vt->reset(env, obs);
    bool trunc;
    for (int t = 0; t < 10; t++) {
        env->vt->step(env, a, obs, &r, &term, &trunc);
        CHECK(!term);
    }
    close_env(env);

    env = make(acrl_mujoco_create_walker2d);
    float aw[6] = {0};
    float ow[17];
    double w_ok[18] = {0, 1.25};
    step_from(env, w_ok, aw, ow, &r, &term);
    CHECK(!term);
    double w_high[18] = {0, 2.5};           /* above healthy_z_range (0.8, 2) */
    step_from(env, w_high, aw, ow, &r, &term);
    CHECK(term);
    double w_tilt[18] = {0, 1.25, 1.2};     /* |angle| >= 1 */
    step_from(env, w_tilt, aw, ow, &r, &term);
    CHECK(term);
    close_env(env);
}

/* Ant: forward reward from the torso body position MuJoCo reports, z range [0.2, 1]. */
static void test_ant(void) {
    printf("Ant\n");
    acrl_env* env = make(acrl_mujoco_create_ant);
    const mjModel* m = acrl_mujoco_model(env);
    mjData* d = acrl_mujoco_data(env);
    int torso = mj_name2id(m, mjOBJ_BODY, "torso");
    double state[29] = {0};
    for (int i = 0; i < m->nq; i++) state[i] = m->qpos0[i];
    state[0] = 0.3;
    state[15] = 0.5;      /* x velocity */
    float a[8] = {0.5f, -0.5f, 0.2f, 0.1f, -0.3f, 0.9f, 0.0f, -1.0f}, obs[27];
    char err[ACRL_ERRLEN];
    CHECK(env->vt->set_state(env, state, 29, obs, err, sizeof err) == 0);
    double x0 = d->xpos[3 * torso];
    double r;
    bool term, trunc;
    env->vt->step(env, a, obs, &r, &term, &trunc);
    double want = (d->xpos[3 * torso] - x0) / 0.05 + 1.0 - 0.5 * sumsq(a, 8);
    printf("  reward %.9f  hand %.9f\n", r, want);
    CHECK_NEAR(r, want, 1e-7);
    CHECK(!term);
    CHECK(obs[0] == (float)d->qpos[2] && obs[13] == (float)d->qvel[0]);
    state[2] = 1.2;   /* too high */
    step_from(env, state, a, obs, &r, &term);
    CHECK(term);
    close_env(env);
}

/* Humanoid: 1.25 * centre-of-mass x velocity + 5 - 0.1 |ctrl|^2; obs blocks. */
static void com_x(const mjModel* m, const mjData* d, double* x) {
    double s = 0, ms = 0;
    for (int b = 0; b < m->nbody; b++) { s += m->body_mass[b] * d->xipos[3 * b]; ms += m->body_mass[b]; }
    *x = s / ms;
}
static void test_humanoid(void) {
    printf("Humanoid\n");
    acrl_env* env = make(acrl_mujoco_create_humanoid);
    const mjModel* m = acrl_mujoco_model(env);
    mjData* d = acrl_mujoco_data(env);
    float obs[376], a[17];
    for (int i = 0; i < 17; i++) a[i] = 0.05f * (float)(i - 8);
    acrl_rng_seed(&env->rng, 7);
    env->vt->reset(env, obs);
    double x0;
    com_x(m, d, &x0);
    double r;
    bool term, trunc;
    env->vt->step(env, a, obs, &r, &term, &trunc);
    double x1;
    com_x(m, d, &x1);
    double want = 1.25 * (x1 - x0) / 0.015 + 5.0 - 0.1 * sumsq(a, 17);
    printf("  reward %.9f  hand %.9f\n", r, want);
    CHECK_NEAR(r, want, 1e-7);
    CHECK(!term);
    for (int t = 0; t < 40; t++) {   /* fall onto the floor so that contact forces appear */
        float z[17] = {0};
        env->vt->step(env, z, obs, &r, &term, &trunc);
    }
    /* blocks: qpos[2:] 22, qvel 23, cinert 140, cvel 84, qfrc_actuator 23, cfrc_ext 84 */
    CHECK(obs[0] == (float)d->qpos[2] && obs[22] == (float)d->qvel[0]);
    CHECK(obs[45 + 10 * 1] == (float)d->cinert[10]);
    CHECK(obs[185 + 6 * 2 + 3] == (float)d->cvel[15]);
    CHECK(obs[269 + 7] == (float)d->qfrc_actuator[7]);
    double maxext = 0;
    for (int i = 0; i < 84; i++) { CHECK(obs[292 + i] == (float)d->cfrc_ext[i]); maxext = fmax(maxext, fabs(d->cfrc_ext[i])); }
    printf("  max |cfrc_ext| %.3f (feet on the floor)\n", maxext);
    CHECK(maxext > 1.0);   /* mj_rnePostConstraint ran: contact forces are filled in */
    double state[47] = {0};
    for (int i = 0; i < 24; i++) state[i] = m->qpos0[i];
    state[2] = 0.9;   /* below healthy_z_range (1, 2) */
    step_from(env, state, a, obs, &r, &term);
    CHECK(term);
    close_env(env);
}

/* Reacher: the reward is measured before the step; InvertedDoublePendulum: after. */
static void test_reacher_and_pendulums(void) {
    printf("Reacher and pendulums\n");
    acrl_env* env = make(acrl_mujoco_create_reacher);
    mjData* d = acrl_mujoco_data(env);
    double state[8] = {0.3, -0.5, 0.05, 0.12, 0.1, -0.2, 0, 0};
    float a[2] = {0.4f, -0.7f}, obs[11];
    char err[ACRL_ERRLEN];
    CHECK(env->vt->set_state(env, state, 8, obs, err, sizeof err) == 0);
    double v[3];
    for (int k = 0; k < 3; k++) v[k] = d->xpos[3 * 3 + k] - d->xpos[3 * 4 + k];
    /* fingertip by hand: body0 at z 0.01, links 0.1 and 0.11 */
    CHECK_NEAR(d->xpos[3 * 3 + 0], 0.1 * cos(0.3) + 0.11 * cos(0.3 - 0.5), 1e-12);
    CHECK_NEAR(v[1], 0.1 * sin(0.3) + 0.11 * sin(-0.2) - 0.12, 1e-12);
    double r;
    bool term, trunc;
    env->vt->step(env, a, obs, &r, &term, &trunc);
    double want = -sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) - sumsq(a, 2);
    CHECK_NEAR(r, want, 1e-7);
    CHECK(!term);
    CHECK(obs[0] == (float)cos(d->qpos[0]) && obs[3] == (float)sin(d->qpos[1]) && obs[5] == (float)d->qpos[3]);
    close_env(env);

    env = make(acrl_mujoco_create_inverted_double_pendulum);
    d = acrl_mujoco_data(env);
    double s2[6] = {0.1, 0.05, -0.1, 0.2, 0.3, -0.4};
    float a1[1] = {0.3f}, o2[11];
    CHECK(env->vt->set_state(env, s2, 6, o2, err, sizeof err) == 0);
    env->vt->step(env, a1, o2, &r, &term, &trunc);
    double x = d->site_xpos[0], y = d->site_xpos[2];
    want = 10 - (0.01 * x * x + (y - 2) * (y - 2)) - (1e-3 * d->qvel[1] * d->qvel[1] + 5e-3 * d->qvel[2] * d->qvel[2]);
    printf("  IDP reward %.9f  hand %.9f  tip height %.4f\n", r, want, y);
    CHECK_NEAR(r, want, 1e-12);
    CHECK(!term && y > 1);
    CHECK(o2[1] == (float)sin(d->qpos[1]) && o2[4] == (float)cos(d->qpos[2]));
    double fallen[6] = {0, 1.5, 0, 0, 0, 0};
    CHECK(env->vt->set_state(env, fallen, 6, o2, err, sizeof err) == 0);
    env->vt->step(env, a1, o2, &r, &term, &trunc);
    CHECK(term);
    close_env(env);

    env = make(acrl_mujoco_create_inverted_pendulum);
    float o1[4];
    double up[4] = {0, 0.05, 0, 0}, over[4] = {0, 0.3, 0, 0};
    CHECK(env->vt->set_state(env, up, 4, o1, err, sizeof err) == 0);
    env->vt->step(env, a1, o1, &r, &term, &trunc);
    CHECK(r == 1.0 && !term);
    CHECK(env->vt->set_state(env, over, 4, o1, err, sizeof err) == 0);
    env->vt->step(env, a1, o1, &r, &term, &trunc);
    CHECK(r == 1.0 && term);
    close_env(env);
}

/* Runs n steps of pseudo-random actions, resetting on termination; records everything. */
static void rollout(acrl_env* env, acrl_rng* arng, int n, float* obs_log, double* rew_log, bool* term_log) {
    int od = env->obs_space.dim, ad = env->act_space.dim;
    float a[32];
    for (int t = 0; t < n; t++) {
        for (int i = 0; i < ad; i++) a[i] = (float)acrl_rng_uniform(arng, env->act_space.low[i], env->act_space.high[i]);
        bool trunc;
        env->vt->step(env, a, obs_log + (size_t)t * od, &rew_log[t], &term_log[t], &trunc);
        if (term_log[t]) env->vt->reset(env, obs_log + (size_t)t * od);
    }
}

/* From a given qpos/qvel (Hopper's foot pressed into the floor: contacts), a step
 * gives the same result however the env was used before. */
static void test_step_from_state(void) {
    printf("step from a state\n");
    acrl_env* env = make(acrl_mujoco_create_hopper);
    double st[12] = {0.1, 1.2, 0.05, -0.1, -0.2, 0.1, 0.3, -0.2, 0.1, 0.5, -0.5, 0.2};
    float a[3] = {0.5f, -0.3f, 0.8f}, o1[11], o2[11], o[11];
    double r1, r2, r;
    bool t1, t2, term, trunc;
    step_from(env, st, a, o1, &r1, &t1);
    CHECK(((mjData*)acrl_mujoco_data(env))->ncon > 0);
    for (int t = 0; t < 25; t++) env->vt->step(env, a, o, &r, &term, &trunc);
    step_from(env, st, a, o2, &r2, &t2);
    CHECK(memcmp(o1, o2, sizeof o1) == 0 && r1 == r2 && t1 == t2);
    close_env(env);
}

static void test_determinism_and_snapshots(void) {
    printf("determinism and snapshots\n");
    create_fn fs[] = {acrl_mujoco_create_hopper, acrl_mujoco_create_ant, acrl_mujoco_create_humanoid,
                      acrl_mujoco_create_reacher, acrl_mujoco_create_half_cheetah};
    enum { N = 60 };
    for (int c = 0; c < 5; c++) {
        acrl_env* a = make(fs[c]);
        acrl_env* b = make(fs[c]);
        CHECK(acrl_mujoco_model(a) == acrl_mujoco_model(b));   /* one shared model */
        int od = a->obs_space.dim;
        float* oa = malloc(sizeof(float) * N * (size_t)od);
        float* ob = malloc(sizeof(float) * N * (size_t)od);
        double ra[N], rb[N];
        bool ta[N], tb[N];
        float o0[400];
        /* same seed, same actions -> identical */
        acrl_rng ar;
        acrl_rng_seed(&a->rng, 5);
        a->vt->reset(a, o0);
        acrl_rng_seed(&ar, 9);
        rollout(a, &ar, N, oa, ra, ta);
        acrl_rng_seed(&b->rng, 5);
        b->vt->reset(b, o0);
        acrl_rng_seed(&ar, 9);
        rollout(b, &ar, N, ob, rb, tb);
        CHECK(memcmp(oa, ob, sizeof(float) * N * (size_t)od) == 0 && memcmp(ra, rb, sizeof ra) == 0);
        /* snapshot after 20 steps of a, continue a; load into b, continue b */
        acrl_rng_seed(&a->rng, 11);
        a->vt->reset(a, o0);
        acrl_rng_seed(&ar, 12);
        rollout(a, &ar, 20, oa, ra, ta);
        size_t nb = a->vt->state_bytes(a);
        void* snap = malloc(nb);
        a->vt->state_save(a, snap);
        acrl_rng ar2 = ar;
        rollout(a, &ar, N, oa, ra, ta);
        acrl_rng_seed(&b->rng, 999);
        b->vt->reset(b, o0);
        rollout(b, &ar2, 7, ob, rb, tb);       /* b goes elsewhere first */
        acrl_rng_seed(&ar2, 12);
        for (int t = 0; t < 20; t++)          /* replay the action stream up to the snapshot */
            for (int i = 0; i < a->act_space.dim; i++) acrl_rng_uniform(&ar2, a->act_space.low[i], a->act_space.high[i]);
        CHECK(b->vt->state_load(b, snap) == 0);
        rollout(b, &ar2, N, ob, rb, tb);
        int nterm = 0;
        for (int t = 0; t < N; t++) nterm += ta[t];
        bool same = memcmp(oa, ob, sizeof(float) * N * (size_t)od) == 0 && memcmp(ra, rb, sizeof ra) == 0 &&
                    memcmp(ta, tb, sizeof ta) == 0;
        printf("  %-16s snapshot %4zu bytes, %d steps after restore bit-identical: %s (%d resets inside)\n",
               a->id, nb, N, same ? "yes" : "NO", nterm);
        CHECK(same);
        ((unsigned char*)snap)[0] ^= 0xff;     /* corrupted header */
        CHECK(b->vt->state_load(b, snap) == -1);
        free(snap);
        free(oa);
        free(ob);
        close_env(a);
        close_env(b);
    }
}

/* Copies sharing one model step on different threads exactly as they do alone. */
typedef struct { acrl_env* env; double ret; } thread_job;
static void* thread_run(void* p) {
    thread_job* j = p;
    float obs[32];
    float a[3];
    acrl_rng ar;
    acrl_rng_seed(&ar, 77);
    acrl_rng_seed(&j->env->rng, 1);
    j->env->vt->reset(j->env, obs);
    for (int t = 0; t < 300; t++) {
        for (int i = 0; i < 3; i++) a[i] = (float)acrl_rng_uniform(&ar, -1, 1);
        double r;
        bool term, trunc;
        j->env->vt->step(j->env, a, obs, &r, &term, &trunc);
        j->ret += r;
        if (term) j->env->vt->reset(j->env, obs);
    }
    return NULL;
}
static void test_threads(void) {
    printf("threads\n");
    thread_job jobs[3];
    for (int i = 0; i < 3; i++) jobs[i] = (thread_job){make(acrl_mujoco_create_hopper), 0.0};
    thread_run(&jobs[0]);
    pthread_t th[2];
    for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, thread_run, &jobs[1 + i]);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    printf("  returns: alone %.12f, threads %.12f %.12f\n", jobs[0].ret, jobs[1].ret, jobs[2].ret);
    CHECK(jobs[0].ret == jobs[1].ret && jobs[0].ret == jobs[2].ret);
    for (int i = 0; i < 3; i++) close_env(jobs[i].env);
}

static void test_errors(void) {
    printf("errors\n");
    char err[ACRL_ERRLEN] = "", mjmsg[1000] = "";
    acrl_env_options opt = {.max_episode_steps = -1, .model_path = "/nonexistent/acrl/hopper.xml"};
    acrl_env* env = acrl_mujoco_create_hopper(&opt, err, sizeof err);
    CHECK(env == NULL);
    CHECK(mj_loadXML(opt.model_path, NULL, mjmsg, sizeof mjmsg) == NULL);
    printf("  missing file: %s\n", err);
    CHECK(strstr(err, opt.model_path) != NULL);
    mjmsg[strcspn(mjmsg, "\n")] = 0;   /* first line of MuJoCo's own message is passed on */
    CHECK(mjmsg[0] && strstr(err, mjmsg) != NULL);

    const char* bad = "/tmp/acrl_test_mujoco_bad.xml";
    FILE* f = fopen(bad, "w");
    CHECK(f != NULL);
    if (f) { fputs("<mujoco><worldbody><body><geom type=\"capsule\" size=\"oops\"/></body></worldbody></mujoco>\n", f); fclose(f); }
    opt.model_path = bad;
    env = acrl_mujoco_create_hopper(&opt, err, sizeof err);
    CHECK(env == NULL);
    mjmsg[0] = 0;
    mj_loadXML(bad, NULL, mjmsg, sizeof mjmsg);
    printf("  invalid file: %s\n", err);
    mjmsg[strcspn(mjmsg, "\n")] = 0;
    CHECK(mjmsg[0] && strstr(err, mjmsg) != NULL);
    remove(bad);

    /* a FIFO as model file is refused, not opened (the loader would block forever) */
    const char* fifo = "/tmp/acrl_test_mujoco_fifo.xml";
    remove(fifo);
    CHECK(mkfifo(fifo, 0644) == 0);
    opt.model_path = fifo;
    alarm(30); /* a blocked open ends the test (SIGALRM) instead of hanging it */
    env = acrl_mujoco_create_hopper(&opt, err, sizeof err);
    alarm(0);
    CHECK(env == NULL && strstr(err, "is a FIFO, not a regular file") != NULL);
    printf("  FIFO: %s\n", err);
    remove(fifo);

    /* a valid model of the wrong task */
    opt.model_path = "../models/hopper.xml";   /* tests run in tests/ */
    env = acrl_mujoco_create_ant(&opt, err, sizeof err);
    CHECK(env == NULL && strstr(err, "nq=6") != NULL);
    printf("  wrong model: %s\n", err);

    env = make(acrl_mujoco_create_ant);
    double s[10] = {0};
    float obs[27];
    CHECK(env->vt->set_state(env, s, 10, obs, err, sizeof err) == -1);
    printf("  set_state: %s\n", err);
    CHECK(strstr(err, "29") != NULL);
    close_env(env);
}

int main(void) {
    test_sizes_and_models();
    test_specs();
    test_reset_noise();
    test_reset_normal_numpy();
    test_planar_rewards();
    test_hopper_walker_termination();
    test_ant();
    test_humanoid();
    test_reacher_and_pendulums();
    test_step_from_state();
    test_determinism_and_snapshots();
    test_threads();
    test_errors();
    return test_summary("test_mujoco");
}
