/* cartpole.c - CartPole-v1, a line-by-line port of Gymnasium's classic_control/cartpole.py:
 * double-precision state, explicit Euler, float32 observations, reward 1.0 on the
 * terminating step and 0.0 (Gymnasium warns) on steps taken after termination. */
#include <float.h>
#include <math.h>

#include "acrl/env.h"
#include "classic.h"

/* Constants as Gymnasium defines them; the derived ones are folded in the same order. */
#define CP_GRAVITY         9.8
#define CP_MASSCART        1.0
#define CP_MASSPOLE        0.1
#define CP_TOTAL_MASS      (CP_MASSPOLE + CP_MASSCART)
#define CP_LENGTH          0.5   /* half the pole's length */
#define CP_POLEMASS_LENGTH (CP_MASSPOLE * CP_LENGTH)
#define CP_FORCE_MAG       10.0
#define CP_TAU             0.02
#define CP_THETA_THRESHOLD (12 * 2 * M_PI / 360)
#define CP_X_THRESHOLD     2.4

typedef struct {
    classic_tag tag;
    double x, x_dot, theta, theta_dot;   /* Gymnasium's self.state */
    int steps_beyond_terminated;         /* -1 stands for None */
} cartpole;

static void cartpole_obs(const cartpole* c, float* obs) {
    obs[0] = (float)c->x;
    obs[1] = (float)c->x_dot;
    obs[2] = (float)c->theta;
    obs[3] = (float)c->theta_dot;
}

static void cartpole_reset(acrl_env* env, float* obs) {
    cartpole* c = env->data;
    c->x = acrl_rng_uniform(&env->rng, -0.05, 0.05);
    c->x_dot = acrl_rng_uniform(&env->rng, -0.05, 0.05);
    c->theta = acrl_rng_uniform(&env->rng, -0.05, 0.05);
    c->theta_dot = acrl_rng_uniform(&env->rng, -0.05, 0.05);
    c->steps_beyond_terminated = -1;
    cartpole_obs(c, obs);
}

/* One transition of one cart-pole; the whole of Gymnasium's step() but the warning. */
static inline void cartpole_advance(cartpole* c, float action, float* obs, double* reward,
                                    bool* terminated) {
    double force = classic_action_index(action, 2) == 1 ? CP_FORCE_MAG : -CP_FORCE_MAG;
    double costheta = cos(c->theta);
    double sintheta = sin(c->theta);
    double temp = (force + CP_POLEMASS_LENGTH * classic_pow2(c->theta_dot) * sintheta) / CP_TOTAL_MASS;
    double thetaacc = (CP_GRAVITY * sintheta - costheta * temp) /
        (CP_LENGTH * (4.0 / 3.0 - CP_MASSPOLE * classic_pow2(costheta) / CP_TOTAL_MASS));
    double xacc = temp - CP_POLEMASS_LENGTH * thetaacc * costheta / CP_TOTAL_MASS;

    c->x = c->x + CP_TAU * c->x_dot;
    c->x_dot = c->x_dot + CP_TAU * xacc;
    c->theta = c->theta + CP_TAU * c->theta_dot;
    c->theta_dot = c->theta_dot + CP_TAU * thetaacc;

    bool done = c->x < -CP_X_THRESHOLD || c->x > CP_X_THRESHOLD ||
                c->theta < -CP_THETA_THRESHOLD || c->theta > CP_THETA_THRESHOLD;
    double r = 1.0;
    if (done) {
        if (c->steps_beyond_terminated < 0) c->steps_beyond_terminated = 0; /* pole just fell */
        else { c->steps_beyond_terminated++; r = 0.0; }
    }
    *reward = r;
    *terminated = done;
    cartpole_obs(c, obs);
}

static void cartpole_step(acrl_env* env, const float* action, float* obs, double* reward,
                          bool* terminated, bool* truncated) {
    cartpole_advance(env->data, action[0], obs, reward, terminated);
    *truncated = false;
}

static int cartpole_set_state(acrl_env* env, const double* state, int n, float* obs,
                              char* err, size_t errlen) {
    if (classic_check_state_len(env, n, err, errlen)) return -1;
    cartpole* c = env->data;
    c->x = state[0];
    c->x_dot = state[1];
    c->theta = state[2];
    c->theta_dot = state[3];
    cartpole_obs(c, obs);
    return 0;
}

/* snapshot: the four float64 state values, then steps_beyond_terminated */
static size_t cartpole_state_bytes(const acrl_env* env) { return classic_snap_bytes(env, 1); }
static void cartpole_state_save(const acrl_env* env, void* buf) { classic_snap_save(env, buf, 1); }
static int cartpole_state_load(acrl_env* env, const void* buf) { return classic_snap_load(env, buf, 1); }

static const acrl_env_vtable cartpole_vtable = {
    .reset = cartpole_reset, .step = cartpole_step, .set_state = cartpole_set_state,
    .state_bytes = cartpole_state_bytes, .state_save = cartpole_state_save,
    .state_load = cartpole_state_load, .close = NULL,
};

bool acrl_is_cartpole(const acrl_env* env) { return env->vt == &cartpole_vtable; }

int acrl_cartpole_step_batch(acrl_env* const* envs, int n, const float* actions,
                             float* obs, double* rewards, bool* terminated) {
    for (int i = 0; i < n; i++)
        if (!envs[i] || envs[i]->vt != &cartpole_vtable) return -1; /* base envs only, not their wrappers */
    for (int i = 0; i < n; i++)
        cartpole_advance(envs[i]->data, actions[i], obs + 4 * (size_t)i, rewards + i, terminated + i);
    return 0;
}

acrl_env* acrl_cartpole_create(const acrl_env_options* opt, char* err, size_t errlen) {
    (void)opt;
    acrl_env* env = classic_env_alloc(&cartpole_vtable, "CartPole-v1", CLASSIC_MAGIC('C', 'P', 'O', 'L'),
                                      sizeof(cartpole), 4, 1, 2, 4, err, errlen);
    if (!env) return NULL;
    const float high[4] = { (float)(CP_X_THRESHOLD * 2), FLT_MAX, (float)(CP_THETA_THRESHOLD * 2), FLT_MAX };
    for (int i = 0; i < 4; i++) {
        env->obs_space.low[i] = -high[i];
        env->obs_space.high[i] = high[i];
    }
    ((cartpole*)env->data)->steps_beyond_terminated = -1;
    return env;
}
