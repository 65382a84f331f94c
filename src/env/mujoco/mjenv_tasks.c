/* mjenv_tasks.c - the nine Gymnasium v4 MuJoCo tasks with their default arguments:
 * reset noise, observation, reward and termination of each *_v4.py, and the table
 * of registry entries. Scalar arithmetic follows Gymnasium's order of operations so
 * that rewards agree to the last bit wherever the simulation does. */
#include "env/mujoco/mjenv.h"

#include <math.h>
#include <stdio.h>

static double clip10(double x) { return x < -10.0 ? -10.0 : x > 10.0 ? 10.0 : x; }

/* qpos = qpos0 + U(-s, s), coordinate by coordinate (numpy's uniform(size=nq)). */
static void noise_qpos_uniform(mjenv* e, acrl_rng* rng, double s) {
    for (int i = 0; i < e->m->nq; i++) e->d->qpos[i] = e->m->qpos0[i] + acrl_rng_uniform(rng, -s, s);
}
/* qvel = 0 + U(-s, s) */
static void noise_qvel_uniform(mjenv* e, acrl_rng* rng, double s) {
    for (int i = 0; i < e->m->nv; i++) e->d->qvel[i] = 0.0 + acrl_rng_uniform(rng, -s, s);
}
/* qvel = 0 + s * N(0, 1), N from NumPy's ziggurat stream (Gymnasium's np_random.standard_normal) */
static void noise_qvel_normal(mjenv* e, acrl_rng* rng, double s) {
    for (int i = 0; i < e->m->nv; i++) e->d->qvel[i] = 0.0 + s * acrl_rng_standard_normal(rng);
}

static bool all_finite(const double* x, int n) {
    for (int i = 0; i < n; i++)
        if (!isfinite(x[i])) return false;
    return true;
}

/* obs = qpos[skip:], then qvel (clipped to +-10 if clip) */
static void observe_qpos_qvel(const mjenv* e, float* obs, int skip, bool clip) {
    const mjModel* m = e->m;
    const mjData* d = e->d;
    int k = 0;
    for (int i = skip; i < m->nq; i++) obs[k++] = (float)d->qpos[i];
    for (int i = 0; i < m->nv; i++) obs[k++] = (float)(clip ? clip10(d->qvel[i]) : d->qvel[i]);
}

/* Runners whose forward reward is the finite difference of qpos[0] (and qpos[1]). */
static void remember_root_xy(mjenv* e) {
    e->memo[0] = e->d->qpos[0];
    e->memo[1] = e->d->qpos[1];
}

/* ---- InvertedPendulum-v4: reward 1 per step, ends when |pole angle| > 0.2 ---------- */

static void ipend_reset(mjenv* e, acrl_rng* rng) {
    noise_qpos_uniform(e, rng, 0.01);
    noise_qvel_uniform(e, rng, 0.01);
}
static void remember_nothing(mjenv* e) { (void)e; }
static void ipend_observe(const mjenv* e, float* obs) { observe_qpos_qvel(e, obs, 0, false); }
static void ipend_reward(const mjenv* e, const float* a, const double* before, double* r, bool* term) {
    (void)a; (void)before;
    const mjData* d = e->d;
    *r = 1.0;
    /* Gymnasium tests the float64 observation: qpos, qvel */
    *term = !all_finite(d->qpos, e->m->nq) || !all_finite(d->qvel, e->m->nv) || fabs(d->qpos[1]) > 0.2;
}

/* ---- InvertedDoublePendulum-v4: alive bonus minus tip distance and velocity penalties */

static void idp_reset(mjenv* e, acrl_rng* rng) {
    noise_qpos_uniform(e, rng, 0.1);
    noise_qvel_normal(e, rng, 0.1);
}
static void idp_observe(const mjenv* e, float* obs) {
    const mjData* d = e->d;
    obs[0] = (float)d->qpos[0];
    obs[1] = (float)sin(d->qpos[1]);
    obs[2] = (float)sin(d->qpos[2]);
    obs[3] = (float)cos(d->qpos[1]);
    obs[4] = (float)cos(d->qpos[2]);
    for (int i = 0; i < 3; i++) obs[5 + i] = (float)clip10(d->qvel[i]);
    for (int i = 0; i < 3; i++) obs[8 + i] = (float)clip10(d->qfrc_constraint[i]);
}
static void idp_reward(const mjenv* e, const float* a, const double* before, double* r, bool* term) {
    (void)a; (void)before;
    const mjData* d = e->d;
    double x = d->site_xpos[0], y = d->site_xpos[2];   /* the tip site */
    double dist_penalty = 0.01 * (x * x) + (y - 2) * (y - 2);
    double v1 = d->qvel[1], v2 = d->qvel[2];
    double vel_penalty = 1e-3 * (v1 * v1) + 5e-3 * (v2 * v2);
    *r = 10 - dist_penalty - vel_penalty;
    *term = y <= 1;
}

/* ---- Reacher-v4: -|fingertip - target| - |a|^2, measured before the step ------------ */

static int reacher_bind(mjenv* e, char* err, size_t errlen) {
    e->ids[0] = mj_name2id(e->m, mjOBJ_BODY, "fingertip");
    e->ids[1] = mj_name2id(e->m, mjOBJ_BODY, "target");
    if (e->ids[0] < 0 || e->ids[1] < 0) {
        snprintf(err, errlen, "Reacher-v4: the model needs bodies 'fingertip' and 'target'");
        return -1;
    }
    return 0;
}
static void reacher_reset(mjenv* e, acrl_rng* rng) {
    noise_qpos_uniform(e, rng, 0.1);
    double g0, g1;
    do {   /* target uniform in the disc of radius 0.2, by rejection */
        g0 = acrl_rng_uniform(rng, -0.2, 0.2);
        g1 = acrl_rng_uniform(rng, -0.2, 0.2);
    } while (!(sqrt(g0 * g0 + g1 * g1) < 0.2));
    e->d->qpos[2] = g0;
    e->d->qpos[3] = g1;
    noise_qvel_uniform(e, rng, 0.005);
    e->d->qvel[2] = 0.0;
    e->d->qvel[3] = 0.0;
}
/* memo = fingertip - target (body frame origins as MuJoCo last computed them) */
static void reacher_remember(mjenv* e) {
    const double* xp = e->d->xpos;
    for (int k = 0; k < 3; k++) e->memo[k] = xp[3 * e->ids[0] + k] - xp[3 * e->ids[1] + k];
}
static void reacher_observe(const mjenv* e, float* obs) {
    const mjData* d = e->d;
    obs[0] = (float)cos(d->qpos[0]);
    obs[1] = (float)cos(d->qpos[1]);
    obs[2] = (float)sin(d->qpos[0]);
    obs[3] = (float)sin(d->qpos[1]);
    obs[4] = (float)d->qpos[2];
    obs[5] = (float)d->qpos[3];
    obs[6] = (float)d->qvel[0];
    obs[7] = (float)d->qvel[1];
    for (int k = 0; k < 3; k++) obs[8 + k] = (float)e->memo[k];
}
static void reacher_reward(const mjenv* e, const float* a, const double* before, double* r, bool* term) {
    double reward_dist = -sqrt(before[0] * before[0] + before[1] * before[1] + before[2] * before[2]);
    float reward_ctrl = -mjenv_sumsq_f32(a, e->m->nu);
    *r = reward_dist + (double)reward_ctrl;
    *term = false;
}

/* ---- Swimmer-v4: x velocity - 1e-4 |a|^2 ------------------------------------------- */

static void swimmer_reset(mjenv* e, acrl_rng* rng) {
    noise_qpos_uniform(e, rng, 0.1);
    noise_qvel_uniform(e, rng, 0.1);
}
static void swimmer_observe(const mjenv* e, float* obs) { observe_qpos_qvel(e, obs, 2, false); }
static void swimmer_reward(const mjenv* e, const float* a, const double* before, double* r, bool* term) {
    double x_velocity = (e->d->qpos[0] - before[0]) / e->dt;
    double forward_reward = 1.0 * x_velocity;
    double ctrl_cost = 1e-4 * (double)mjenv_sumsq_f32(a, e->m->nu);
    *r = forward_reward - ctrl_cost;
    *term = false;
}

/* ---- HalfCheetah-v4: x velocity - 0.1 |a|^2, never terminates ------------------------ */

static void cheetah_reset(mjenv* e, acrl_rng* rng) {
    noise_qpos_uniform(e, rng, 0.1);
    noise_qvel_normal(e, rng, 0.1);
}
static void cheetah_observe(const mjenv* e, float* obs) { observe_qpos_qvel(e, obs, 1, false); }
static void cheetah_reward(const mjenv* e, const float* a, const double* before, double* r, bool* term) {
    double x_velocity = (e->d->qpos[0] - before[0]) / e->dt;
    double forward_reward = 1.0 * x_velocity;
    double ctrl_cost = 0.1 * (double)mjenv_sumsq_f32(a, e->m->nu);
    *r = forward_reward - ctrl_cost;
    *term = false;
}

/* ---- Hopper-v4 and Walker2d-v4: x velocity + 1 - 1e-3 |a|^2, end when unhealthy ----- */

static void hopper_reset(mjenv* e, acrl_rng* rng) {
    noise_qpos_uniform(e, rng, 5e-3);
    noise_qvel_uniform(e, rng, 5e-3);
}
static void planar_observe(const mjenv* e, float* obs) { observe_qpos_qvel(e, obs, 1, true); }

/* Hopper: qpos[2:] and qvel in (-100, 100), height > 0.7, |angle| < 0.2 (all strict). */
static bool hopper_healthy(const mjData* d, const mjModel* m) {
    double z = d->qpos[1], angle = d->qpos[2];
    bool state_ok = true;
    for (int i = 2; i < m->nq + m->nv; i++) {
        double s = i < m->nq ? d->qpos[i] : d->qvel[i - m->nq];
        state_ok = state_ok && -100.0 < s && s < 100.0;
    }
    return state_ok && 0.7 < z && z < INFINITY && -0.2 < angle && angle < 0.2;
}
/* Walker2d: 0.8 < height < 2, -1 < angle < 1. */
static bool walker_healthy(const mjData* d, const mjModel* m) {
    (void)m;
    double z = d->qpos[1], angle = d->qpos[2];
    return 0.8 < z && z < 2.0 && -1.0 < angle && angle < 1.0;
}
static void planar_reward(const mjenv* e, const float* a, const double* before, double* r, bool* term,
                          bool healthy) {
    double x_velocity = (e->d->qpos[0] - before[0]) / e->dt;
    double ctrl_cost = 1e-3 * (double)mjenv_sumsq_f32(a, e->m->nu);
    double forward_reward = 1.0 * x_velocity;
    double healthy_reward = 1.0;   /* terminate_when_unhealthy: paid on every step */
    double rewards = forward_reward + healthy_reward;
    *r = rewards - ctrl_cost;
    *term = !healthy;
}
static void hopper_reward(const mjenv* e, const float* a, const double* before, double* r, bool* term) {
    planar_reward(e, a, before, r, term, hopper_healthy(e->d, e->m));
}
static void walker_reward(const mjenv* e, const float* a, const double* before, double* r, bool* term) {
    planar_reward(e, a, before, r, term, walker_healthy(e->d, e->m));
}

/* ---- Ant-v4: torso x velocity + 1 - 0.5 |a|^2, end when 0.2 <= z <= 1 fails ---------- */

static int ant_bind(mjenv* e, char* err, size_t errlen) {
    e->ids[0] = mj_name2id(e->m, mjOBJ_BODY, "torso");
    if (e->ids[0] < 0) {
        snprintf(err, errlen, "Ant-v4: the model needs a body 'torso'");
        return -1;
    }
    return 0;
}
static void ant_reset(mjenv* e, acrl_rng* rng) {
    noise_qpos_uniform(e, rng, 0.1);
    noise_qvel_normal(e, rng, 0.1);
}
/* get_body_com("torso")[:2]: the body frame origin as MuJoCo last computed it */
static void ant_remember(mjenv* e) {
    e->memo[0] = e->d->xpos[3 * e->ids[0]];
    e->memo[1] = e->d->xpos[3 * e->ids[0] + 1];
}
static void ant_observe(const mjenv* e, float* obs) { observe_qpos_qvel(e, obs, 2, false); }
static void ant_reward(const mjenv* e, const float* a, const double* before, double* r, bool* term) {
    const mjData* d = e->d;
    double x_velocity = (e->memo[0] - before[0]) / e->dt;
    double forward_reward = x_velocity;
    double healthy_reward = 1.0;
    double rewards = forward_reward + healthy_reward;
    double ctrl_cost = 0.5 * (double)mjenv_sumsq_f32(a, e->m->nu);
    *r = rewards - ctrl_cost;
    bool healthy = all_finite(d->qpos, e->m->nq) && all_finite(d->qvel, e->m->nv) &&
                   0.2 <= d->qpos[2] && d->qpos[2] <= 1.0;
    *term = !healthy;
}

/* ---- Humanoid-v4: 1.25 * centre-of-mass x velocity + 5 - 0.1 |ctrl|^2 --------------- */

static void humanoid_reset(mjenv* e, acrl_rng* rng) {
    noise_qpos_uniform(e, rng, 1e-2);
    noise_qvel_uniform(e, rng, 1e-2);
}
/* mass_center(): sum_b mass_b * xipos_b / sum_b mass_b, x and y */
static void humanoid_remember(mjenv* e) {
    const mjModel* m = e->m;
    const mjData* d = e->d;
    double sx = 0.0, sy = 0.0;
    for (int b = 0; b < m->nbody; b++) {
        sx += m->body_mass[b] * d->xipos[3 * b];
        sy += m->body_mass[b] * d->xipos[3 * b + 1];
    }
    double mass = mjenv_sum_f64(m->body_mass, m->nbody);
    e->memo[0] = sx / mass;
    e->memo[1] = sy / mass;
}
/* qpos[2:], qvel, cinert, cvel, qfrc_actuator, cfrc_ext (all bodies, world included) */
static void humanoid_observe(const mjenv* e, float* obs) {
    const mjModel* m = e->m;
    const mjData* d = e->d;
    observe_qpos_qvel(e, obs, 2, false);
    int k = m->nq - 2 + m->nv;
    for (int i = 0; i < 10 * m->nbody; i++) obs[k++] = (float)d->cinert[i];
    for (int i = 0; i < 6 * m->nbody; i++) obs[k++] = (float)d->cvel[i];
    for (int i = 0; i < m->nv; i++) obs[k++] = (float)d->qfrc_actuator[i];
    for (int i = 0; i < 6 * m->nbody; i++) obs[k++] = (float)d->cfrc_ext[i];
}
static void humanoid_reward(const mjenv* e, const float* a, const double* before, double* r, bool* term) {
    (void)a;   /* Humanoid-v4 charges the control it stored in data.ctrl */
    const mjModel* m = e->m;
    double sq[32];
    for (int i = 0; i < m->nu; i++) sq[i] = e->d->ctrl[i] * e->d->ctrl[i];
    double x_velocity = (e->memo[0] - before[0]) / e->dt;
    double ctrl_cost = 0.1 * mjenv_sum_f64(sq, m->nu);
    double forward_reward = 1.25 * x_velocity;
    double healthy_reward = 5.0;
    double rewards = forward_reward + healthy_reward;
    *r = rewards - ctrl_cost;
    double z = e->d->qpos[2];
    *term = !(1.0 < z && z < 2.0);
}

/* ---- table -------------------------------------------------------------------------- */

static const mjenv_task task_ipend = {
    "InvertedPendulum-v4", "inverted_pendulum.xml", 2, 2, 2, 1, 4, false,
    NULL, ipend_reset, remember_nothing, ipend_reward, ipend_observe, 0, 0.0};
static const mjenv_task task_idp = {
    "InvertedDoublePendulum-v4", "inverted_double_pendulum.xml", 5, 3, 3, 1, 11, false,
    NULL, idp_reset, remember_nothing, idp_reward, idp_observe, 0, 0.0};
static const mjenv_task task_reacher = {
    "Reacher-v4", "reacher.xml", 2, 4, 4, 2, 11, false,
    reacher_bind, reacher_reset, reacher_remember, reacher_reward, reacher_observe, 0, 0.0};
static const mjenv_task task_swimmer = {
    "Swimmer-v4", "swimmer.xml", 4, 5, 5, 2, 8, false,
    NULL, swimmer_reset, remember_root_xy, swimmer_reward, swimmer_observe, 0, 0.0};
static const mjenv_task task_cheetah = {
    "HalfCheetah-v4", "half_cheetah.xml", 5, 9, 9, 6, 17, false,
    NULL, cheetah_reset, remember_root_xy, cheetah_reward, cheetah_observe, 0, 0.0};
static const mjenv_task task_hopper = {
    "Hopper-v4", "hopper.xml", 4, 6, 6, 3, 11, false,
    NULL, hopper_reset, remember_root_xy, hopper_reward, planar_observe, 0, 0.0};
static const mjenv_task task_walker = {
    "Walker2d-v4", "walker2d.xml", 4, 9, 9, 6, 17, false,
    NULL, hopper_reset, remember_root_xy, walker_reward, planar_observe, 0, 0.0};
static const mjenv_task task_ant = {
    "Ant-v4", "ant.xml", 5, 15, 14, 8, 27, false,
    ant_bind, ant_reset, ant_remember, ant_reward, ant_observe, 0, 0.0};
static const mjenv_task task_humanoid = {
    "Humanoid-v4", "humanoid.xml", 5, 24, 23, 17, 376, true,
    NULL, humanoid_reset, humanoid_remember, humanoid_reward, humanoid_observe, 0, 0.0};

/* Safety-Gymnasium's velocity tasks (safety_gymnasium/tasks/safe_velocity, v1): the v4
 * task unchanged plus cost 1[speed > threshold] per step. The speed is the x velocity of
 * qpos[0] (Hopper, Walker2d, HalfCheetah, Swimmer), the norm of the torso's xy velocity
 * (Ant) or of the mass centre's xy velocity (Humanoid): what the v4 reward differentiates. */
static const mjenv_task task_safe_hopper = {
    "SafetyHopperVelocity-v1", "hopper.xml", 4, 6, 6, 3, 11, false,
    NULL, hopper_reset, remember_root_xy, hopper_reward, planar_observe, 1, 0.7402};
static const mjenv_task task_safe_walker = {
    "SafetyWalker2dVelocity-v1", "walker2d.xml", 4, 9, 9, 6, 17, false,
    NULL, hopper_reset, remember_root_xy, walker_reward, planar_observe, 1, 2.3415};
static const mjenv_task task_safe_cheetah = {
    "SafetyHalfCheetahVelocity-v1", "half_cheetah.xml", 5, 9, 9, 6, 17, false,
    NULL, cheetah_reset, remember_root_xy, cheetah_reward, cheetah_observe, 1, 3.2096};
static const mjenv_task task_safe_swimmer = {
    "SafetySwimmerVelocity-v1", "swimmer.xml", 4, 5, 5, 2, 8, false,
    NULL, swimmer_reset, remember_root_xy, swimmer_reward, swimmer_observe, 1, 0.2282};
static const mjenv_task task_safe_ant = {
    "SafetyAntVelocity-v1", "ant.xml", 5, 15, 14, 8, 27, false,
    ant_bind, ant_reset, ant_remember, ant_reward, ant_observe, 2, 2.6222};
static const mjenv_task task_safe_humanoid = {
    "SafetyHumanoidVelocity-v1", "humanoid.xml", 5, 24, 23, 17, 376, true,
    NULL, humanoid_reset, humanoid_remember, humanoid_reward, humanoid_observe, 2, 1.4149};

#define MJENV_CREATE(name, task) \
    acrl_env* acrl_mujoco_create_##name(const acrl_env_options* opt, char* err, size_t errlen) { \
        return mjenv_create(&task, opt, err, errlen); \
    }
MJENV_CREATE(inverted_pendulum, task_ipend)
MJENV_CREATE(inverted_double_pendulum, task_idp)
MJENV_CREATE(reacher, task_reacher)
MJENV_CREATE(swimmer, task_swimmer)
MJENV_CREATE(half_cheetah, task_cheetah)
MJENV_CREATE(hopper, task_hopper)
MJENV_CREATE(walker2d, task_walker)
MJENV_CREATE(ant, task_ant)
MJENV_CREATE(humanoid, task_humanoid)
MJENV_CREATE(safety_hopper, task_safe_hopper)
MJENV_CREATE(safety_walker2d, task_safe_walker)
MJENV_CREATE(safety_half_cheetah, task_safe_cheetah)
MJENV_CREATE(safety_swimmer, task_safe_swimmer)
MJENV_CREATE(safety_ant, task_safe_ant)
MJENV_CREATE(safety_humanoid, task_safe_humanoid)

const acrl_env_spec acrl_mujoco_specs[] = {
    {"Reacher-v4", 50, -3.75, acrl_mujoco_create_reacher},
    {"InvertedPendulum-v4", 1000, 950.0, acrl_mujoco_create_inverted_pendulum},
    {"InvertedDoublePendulum-v4", 1000, 9100.0, acrl_mujoco_create_inverted_double_pendulum},
    {"HalfCheetah-v4", 1000, 4800.0, acrl_mujoco_create_half_cheetah},
    {"Hopper-v4", 1000, 3800.0, acrl_mujoco_create_hopper},
    {"Swimmer-v4", 1000, 360.0, acrl_mujoco_create_swimmer},
    {"Walker2d-v4", 1000, NAN, acrl_mujoco_create_walker2d},
    {"Ant-v4", 1000, 6000.0, acrl_mujoco_create_ant},
    {"Humanoid-v4", 1000, NAN, acrl_mujoco_create_humanoid},
};
const int acrl_mujoco_spec_count = (int)(sizeof acrl_mujoco_specs / sizeof acrl_mujoco_specs[0]);

/* Safety-Gymnasium velocity tasks (cost limit 25 per 1000-step episode in OmniSafe) */
const acrl_env_spec acrl_mujoco_safety_specs[] = {
    {"SafetyHopperVelocity-v1", 1000, NAN, acrl_mujoco_create_safety_hopper},
    {"SafetyWalker2dVelocity-v1", 1000, NAN, acrl_mujoco_create_safety_walker2d},
    {"SafetyHalfCheetahVelocity-v1", 1000, NAN, acrl_mujoco_create_safety_half_cheetah},
    {"SafetyAntVelocity-v1", 1000, NAN, acrl_mujoco_create_safety_ant},
    {"SafetyHumanoidVelocity-v1", 1000, NAN, acrl_mujoco_create_safety_humanoid},
    {"SafetySwimmerVelocity-v1", 1000, NAN, acrl_mujoco_create_safety_swimmer},
};
const int acrl_mujoco_safety_spec_count =
    (int)(sizeof acrl_mujoco_safety_specs / sizeof acrl_mujoco_safety_specs[0]);
