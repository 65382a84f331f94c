/* mountaincar.c - MountainCar-v0 and MountainCarContinuous-v0, line-by-line ports of
 * Gymnasium's classic_control/mountain_car.py and continuous_mountain_car.py (NumPy 1.x
 * promotion: float32 actions are widened to double before any arithmetic). */
#include <math.h>

#include "acrl/env.h"
#include "classic.h"

#define MC_MIN_POSITION  -1.2
#define MC_MAX_POSITION   0.6
#define MC_MAX_SPEED      0.07
#define MC_GOAL_POSITION  0.5    /* discrete version */
#define MC_FORCE          0.001
#define MC_GRAVITY        0.0025
#define MCC_GOAL_POSITION 0.45   /* continuous version */
#define MCC_POWER         0.0015
#define MCC_MIN_ACTION   -1.0
#define MCC_MAX_ACTION    1.0

typedef struct {
    classic_tag tag;
    double position, velocity;   /* Gymnasium's self.state */
} mountaincar;

static void mountaincar_obs(const mountaincar* m, float* obs) {
    obs[0] = (float)m->position;
    obs[1] = (float)m->velocity;
}

/* Both versions: position ~ U(-0.6, -0.4), velocity 0. */
static void mountaincar_reset(acrl_env* env, float* obs) {
    mountaincar* m = env->data;
    m->position = acrl_rng_uniform(&env->rng, -0.6, -0.4);
    m->velocity = 0.0;
    mountaincar_obs(m, obs);
}

static void mountaincar_step(acrl_env* env, const float* action, float* obs, double* reward,
                             bool* terminated, bool* truncated) {
    mountaincar* m = env->data;
    int a = classic_action_index(action[0], 3);
    double position = m->position, velocity = m->velocity;
    velocity += (a - 1) * MC_FORCE + cos(3 * position) * (-MC_GRAVITY);
    velocity = fmin(fmax(velocity, -MC_MAX_SPEED), MC_MAX_SPEED);   /* np.clip */
    position += velocity;
    position = fmin(fmax(position, MC_MIN_POSITION), MC_MAX_POSITION);
    if (position == MC_MIN_POSITION && velocity < 0) velocity = 0;  /* inelastic left wall */
    *terminated = position >= MC_GOAL_POSITION && velocity >= 0;
    *reward = -1.0;
    *truncated = false;
    m->position = position;
    m->velocity = velocity;
    mountaincar_obs(m, obs);
}

static void mountaincar_continuous_step(acrl_env* env, const float* action, float* obs, double* reward,
                                        bool* terminated, bool* truncated) {
    mountaincar* m = env->data;
    double a = action[0];
    double position = m->position, velocity = m->velocity;
    double force = a;                          /* min(max(action[0], min_action), max_action) */
    if (MCC_MIN_ACTION > force) force = MCC_MIN_ACTION;
    if (MCC_MAX_ACTION < force) force = MCC_MAX_ACTION;
    velocity += force * MCC_POWER - MC_GRAVITY * cos(3 * position);
    if (velocity > MC_MAX_SPEED) velocity = MC_MAX_SPEED;
    if (velocity < -MC_MAX_SPEED) velocity = -MC_MAX_SPEED;
    position += velocity;
    if (position > MC_MAX_POSITION) position = MC_MAX_POSITION;
    if (position < MC_MIN_POSITION) position = MC_MIN_POSITION;
    if (position == MC_MIN_POSITION && velocity < 0) velocity = 0;
    bool done = position >= MCC_GOAL_POSITION && velocity >= 0;
    double r = done ? 100.0 : 0.0;
    r -= (a * a) * 0.1;   /* math.pow(action[0], 2) of the unclipped action: a float32 squares exactly */
    *reward = r;
    *terminated = done;
    *truncated = false;
    m->position = (float)position;             /* Gymnasium keeps this state in float32 */
    m->velocity = (float)velocity;
    mountaincar_obs(m, obs);
}

static int mountaincar_set_state(acrl_env* env, const double* state, int n, float* obs,
                                 char* err, size_t errlen) {
    if (classic_check_state_len(env, n, err, errlen)) return -1;
    mountaincar* m = env->data;
    m->position = state[0];
    m->velocity = state[1];
    mountaincar_obs(m, obs);
    return 0;
}

static const acrl_env_vtable mountaincar_vtable = {
    .reset = mountaincar_reset, .step = mountaincar_step, .set_state = mountaincar_set_state,
    .state_bytes = classic_state_bytes, .state_save = classic_state_save,
    .state_load = classic_state_load, .close = NULL,
};

static const acrl_env_vtable mountaincar_continuous_vtable = {
    .reset = mountaincar_reset, .step = mountaincar_continuous_step, .set_state = mountaincar_set_state,
    .state_bytes = classic_state_bytes, .state_save = classic_state_save,
    .state_load = classic_state_load, .close = NULL,
};

static void mountaincar_obs_bounds(acrl_env* env) {
    env->obs_space.low[0] = (float)MC_MIN_POSITION;
    env->obs_space.low[1] = (float)-MC_MAX_SPEED;
    env->obs_space.high[0] = (float)MC_MAX_POSITION;
    env->obs_space.high[1] = (float)MC_MAX_SPEED;
}

acrl_env* acrl_mountaincar_create(const acrl_env_options* opt, char* err, size_t errlen) {
    (void)opt;
    acrl_env* env = classic_env_alloc(&mountaincar_vtable, "MountainCar-v0", CLASSIC_MAGIC('M', 'C', 'A', 'R'),
                                      sizeof(mountaincar), 2, 1, 3, 2, err, errlen);
    if (env) mountaincar_obs_bounds(env);
    return env;
}

acrl_env* acrl_mountaincar_continuous_create(const acrl_env_options* opt, char* err, size_t errlen) {
    (void)opt;
    acrl_env* env = classic_env_alloc(&mountaincar_continuous_vtable, "MountainCarContinuous-v0",
                                      CLASSIC_MAGIC('M', 'C', 'C', 'O'), sizeof(mountaincar), 2, 1, 0, 2,
                                      err, errlen);
    if (!env) return NULL;
    mountaincar_obs_bounds(env);
    env->act_space.low[0] = (float)MCC_MIN_ACTION;
    env->act_space.high[0] = (float)MCC_MAX_ACTION;
    return env;
}
