/* acrobot.c - Acrobot-v1, a line-by-line port of Gymnasium's classic_control/acrobot.py:
 * the "book" dynamics integrated with one RK4 step of dt = 0.2, angles wrapped into
 * [-pi, pi], velocities bounded, no torque noise (Gymnasium's default). */
#include <math.h>

#include "acrl/env.h"
#include "classic.h"

#define AB_DT     0.2
#define AB_L1     1.0   /* link lengths [m] */
#define AB_M1     1.0   /* link masses [kg] */
#define AB_M2     1.0
#define AB_LC1    0.5   /* centre-of-mass positions [m] */
#define AB_LC2    0.5
#define AB_I1     1.0   /* moments of inertia */
#define AB_I2     1.0
#define AB_G      9.8
#define AB_MAX_VEL_1 (4 * M_PI)
#define AB_MAX_VEL_2 (9 * M_PI)

typedef struct {
    classic_tag tag;
    double s[4];   /* theta1, theta2, dtheta1, dtheta2 (Gymnasium's self.state) */
} acrobot;

static const double acrobot_torque[3] = { -1.0, 0.0, 1.0 };

static void acrobot_obs(const acrobot* a, float* obs) {
    obs[0] = (float)cos(a->s[0]);
    obs[1] = (float)sin(a->s[0]);
    obs[2] = (float)cos(a->s[1]);
    obs[3] = (float)sin(a->s[1]);
    obs[4] = (float)a->s[2];
    obs[5] = (float)a->s[3];
}

/* Time derivative of s (4) under torque a, written in Gymnasium's evaluation order. */
static void acrobot_dsdt(double* ds, const double* s, double a) {
    double theta1 = s[0], theta2 = s[1], dtheta1 = s[2], dtheta2 = s[3];
    double d1 = AB_M1 * (AB_LC1 * AB_LC1) +
                AB_M2 * ((AB_L1 * AB_L1) + (AB_LC2 * AB_LC2) + 2 * AB_L1 * AB_LC2 * cos(theta2)) + AB_I1 + AB_I2;
    double d2 = AB_M2 * ((AB_LC2 * AB_LC2) + AB_L1 * AB_LC2 * cos(theta2)) + AB_I2;
    double phi2 = AB_M2 * AB_LC2 * AB_G * cos(theta1 + theta2 - M_PI / 2.0);
    double phi1 = -AB_M2 * AB_L1 * AB_LC2 * classic_pow2(dtheta2) * sin(theta2)
                  - 2 * AB_M2 * AB_L1 * AB_LC2 * dtheta2 * dtheta1 * sin(theta2)
                  + (AB_M1 * AB_LC1 + AB_M2 * AB_L1) * AB_G * cos(theta1 - M_PI / 2)
                  + phi2;
    double ddtheta2 = (a + d2 / d1 * phi1 - AB_M2 * AB_L1 * AB_LC2 * classic_pow2(dtheta1) * sin(theta2) - phi2) /
                      (AB_M2 * (AB_LC2 * AB_LC2) + AB_I2 - classic_pow2(d2) / d1);
    double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    ds[0] = dtheta1;
    ds[1] = dtheta2;
    ds[2] = ddtheta1;
    ds[3] = ddtheta2;
}

/* Gymnasium's wrap(): shifts x by whole periods into [m, M]. Where Gymnasium's loop
 * would run for ages (|x| > 1e6, only reachable through set_state) or forever (inf),
 * one fmod does the job instead (NaN for inf). */
static double acrobot_wrap(double x, double m, double M) {
    double diff = M - m;
    if (!(fabs(x) <= 1e6)) x = m + fmod(fmod(x - m, diff) + diff, diff);
    while (x > M) x = x - diff;
    while (x < m) x = x + diff;
    return x;
}

/* Gymnasium's bound(): min(max(x, m), M) with Python's argument-order semantics. */
static double acrobot_bound(double x, double m, double M) {
    if (m > x) x = m;
    if (M < x) x = M;
    return x;
}

static void acrobot_reset(acrl_env* env, float* obs) {
    acrobot* a = env->data;
    /* Gymnasium draws float64 and stores .astype(np.float32) */
    for (int i = 0; i < 4; i++) a->s[i] = (float)acrl_rng_uniform(&env->rng, -0.1, 0.1);
    acrobot_obs(a, obs);
}

static void acrobot_step(acrl_env* env, const float* action, float* obs, double* reward,
                         bool* terminated, bool* truncated) {
    acrobot* a = env->data;
    double torque = acrobot_torque[classic_action_index(action[0], 3)];
    /* rk4 over t = [0, dt]; the torque component of the augmented state has derivative 0 */
    const double dt = AB_DT - 0, dt2 = dt / 2.0;
    const double* y0 = a->s;
    double k1[4], k2[4], k3[4], k4[4], y[4];
    acrobot_dsdt(k1, y0, torque);
    for (int i = 0; i < 4; i++) y[i] = y0[i] + dt2 * k1[i];
    acrobot_dsdt(k2, y, torque);
    for (int i = 0; i < 4; i++) y[i] = y0[i] + dt2 * k2[i];
    acrobot_dsdt(k3, y, torque);
    for (int i = 0; i < 4; i++) y[i] = y0[i] + dt * k3[i];
    acrobot_dsdt(k4, y, torque);
    double ns[4];
    for (int i = 0; i < 4; i++) ns[i] = y0[i] + dt / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);

    a->s[0] = acrobot_wrap(ns[0], -M_PI, M_PI);
    a->s[1] = acrobot_wrap(ns[1], -M_PI, M_PI);
    a->s[2] = acrobot_bound(ns[2], -AB_MAX_VEL_1, AB_MAX_VEL_1);
    a->s[3] = acrobot_bound(ns[3], -AB_MAX_VEL_2, AB_MAX_VEL_2);

    bool done = -cos(a->s[0]) - cos(a->s[1] + a->s[0]) > 1.0;
    *reward = done ? 0.0 : -1.0;
    *terminated = done;
    *truncated = false;
    acrobot_obs(a, obs);
}

static int acrobot_set_state(acrl_env* env, const double* state, int n, float* obs,
                             char* err, size_t errlen) {
    if (classic_check_state_len(env, n, err, errlen)) return -1;
    acrobot* a = env->data;
    for (int i = 0; i < 4; i++) a->s[i] = state[i];
    acrobot_obs(a, obs);
    return 0;
}

static const acrl_env_vtable acrobot_vtable = {
    .reset = acrobot_reset, .step = acrobot_step, .set_state = acrobot_set_state,
    .state_bytes = classic_state_bytes, .state_save = classic_state_save,
    .state_load = classic_state_load, .close = NULL,
};

acrl_env* acrl_acrobot_create(const acrl_env_options* opt, char* err, size_t errlen) {
    (void)opt;
    acrl_env* env = classic_env_alloc(&acrobot_vtable, "Acrobot-v1", CLASSIC_MAGIC('A', 'C', 'R', 'O'),
                                      sizeof(acrobot), 6, 1, 3, 4, err, errlen);
    if (!env) return NULL;
    const float high[6] = { 1.0f, 1.0f, 1.0f, 1.0f, (float)AB_MAX_VEL_1, (float)AB_MAX_VEL_2 };
    for (int i = 0; i < 6; i++) {
        env->obs_space.low[i] = -high[i];
        env->obs_space.high[i] = high[i];
    }
    return env;
}
