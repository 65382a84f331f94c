/* pendulum.c - Pendulum-v1, a line-by-line port of Gymnasium's classic_control/pendulum.py
 * with its default g = 10.0: torque clipped to [-2, 2] in float32, cost on the angle
 * normalized into [-pi, pi), speed clipped to [-8, 8]. It never terminates. */
#include <math.h>

#include "acrl/env.h"
#include "classic.h"

#define PD_MAX_SPEED  8
#define PD_MAX_TORQUE 2.0
#define PD_DT         0.05
#define PD_G          10.0
#define PD_M          1.0
#define PD_L          1.0

typedef struct {
    classic_tag tag;
    double th, thdot;   /* Gymnasium's self.state: angle (0 = upright), angular velocity */
} pendulum;

static void pendulum_obs(const pendulum* p, float* obs) {
    obs[0] = (float)cos(p->th);
    obs[1] = (float)sin(p->th);
    obs[2] = (float)p->thdot;
}

/* ((x + pi) % (2 pi)) - pi with NumPy's floored float modulo (result takes the
 * divisor's sign, an exact zero becomes +0). */
static double pendulum_angle_normalize(double x) {
    const double period = 2 * M_PI;
    double mod = fmod(x + M_PI, period);
    if (mod != 0.0) {
        if (mod < 0.0) mod += period;
    } else {
        mod = 0.0;
    }
    return mod - M_PI;
}

static void pendulum_reset(acrl_env* env, float* obs) {
    pendulum* p = env->data;
    /* np_random.uniform(low=-high, high=high) with high = [pi, 1], drawn in order */
    p->th = acrl_rng_uniform(&env->rng, -M_PI, M_PI);
    p->thdot = acrl_rng_uniform(&env->rng, -1.0, 1.0);
    pendulum_obs(p, obs);
}

static void pendulum_step(acrl_env* env, const float* action, float* obs, double* reward,
                          bool* terminated, bool* truncated) {
    pendulum* p = env->data;
    double th = p->th, thdot = p->thdot;
    float uf = action[0];                      /* np.clip keeps the action's float32 */
    if (uf < (float)-PD_MAX_TORQUE) uf = (float)-PD_MAX_TORQUE;
    if (uf > (float)PD_MAX_TORQUE) uf = (float)PD_MAX_TORQUE;
    double u = uf;
    double an = pendulum_angle_normalize(th);
    /* u is a float32 value, so u**2 is exact and equals u * u */
    double costs = classic_pow2(an) + 0.1 * classic_pow2(thdot) + 0.001 * (u * u);

    double newthdot = thdot + (3 * PD_G / (2 * PD_L) * sin(th) + 3.0 / (PD_M * (PD_L * PD_L)) * u) * PD_DT;
    newthdot = fmin(fmax(newthdot, -PD_MAX_SPEED), PD_MAX_SPEED);  /* np.clip */
    double newth = th + newthdot * PD_DT;

    p->th = newth;
    p->thdot = newthdot;
    *reward = -costs;
    *terminated = false;
    *truncated = false;
    pendulum_obs(p, obs);
}

static int pendulum_set_state(acrl_env* env, const double* state, int n, float* obs,
                              char* err, size_t errlen) {
    if (classic_check_state_len(env, n, err, errlen)) return -1;
    pendulum* p = env->data;
    p->th = state[0];
    p->thdot = state[1];
    pendulum_obs(p, obs);
    return 0;
}

static const acrl_env_vtable pendulum_vtable = {
    .reset = pendulum_reset, .step = pendulum_step, .set_state = pendulum_set_state,
    .state_bytes = classic_state_bytes, .state_save = classic_state_save,
    .state_load = classic_state_load, .close = NULL,
};

acrl_env* acrl_pendulum_create(const acrl_env_options* opt, char* err, size_t errlen) {
    (void)opt;
    acrl_env* env = classic_env_alloc(&pendulum_vtable, "Pendulum-v1", CLASSIC_MAGIC('P', 'E', 'N', 'D'),
                                      sizeof(pendulum), 3, 1, 0, 2, err, errlen);
    if (!env) return NULL;
    const float high[3] = { 1.0f, 1.0f, (float)PD_MAX_SPEED };
    for (int i = 0; i < 3; i++) {
        env->obs_space.low[i] = -high[i];
        env->obs_space.high[i] = high[i];
    }
    env->act_space.low[0] = (float)-PD_MAX_TORQUE;
    env->act_space.high[0] = (float)PD_MAX_TORQUE;
    return env;
}
