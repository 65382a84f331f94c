/* acrl/mujoco.h - Gymnasium v4 MuJoCo locomotion tasks (built with ACRL_MUJOCO=ON).
 *
 * Each create function returns the base env (no time limit; the registry's
 * TimeLimit wrapper truncates), or NULL with a message in err. Observations,
 * rewards, termination, reset noise and frame skip follow Gymnasium's *_v4.py
 * with default arguments; see docs/mujoco.md for the layouts.
 *
 * Models are read from opt->model_path if set, else ACRL_DATADIR/models/NAME.xml,
 * else the source tree's models/. A model file is loaded once and shared read-only
 * (reference counted) by every env that uses it; each env has its own mjData, so
 * different envs may step on different threads.
 *
 * set_state takes qpos (nq) followed by qvel (nv). Snapshots hold time, qpos, qvel,
 * act, ctrl, qacc_warmstart, the RNG and the env's memo of the previous step, so a
 * restored env continues bit-identically. opt may be NULL (defaults). */
#ifndef ACRL_MUJOCO_H
#define ACRL_MUJOCO_H

#include "acrl/env.h"

acrl_env* acrl_mujoco_create_inverted_pendulum(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_mujoco_create_inverted_double_pendulum(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_mujoco_create_reacher(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_mujoco_create_swimmer(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_mujoco_create_half_cheetah(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_mujoco_create_hopper(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_mujoco_create_walker2d(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_mujoco_create_ant(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_mujoco_create_humanoid(const acrl_env_options* opt, char* err, size_t errlen);
/* Safety-Gymnasium velocity tasks (v1): the v4 task plus one cost, 1[speed > threshold]. */
acrl_env* acrl_mujoco_create_safety_hopper(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_mujoco_create_safety_walker2d(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_mujoco_create_safety_half_cheetah(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_mujoco_create_safety_swimmer(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_mujoco_create_safety_ant(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_mujoco_create_safety_humanoid(const acrl_env_options* opt, char* err, size_t errlen);

/* Registry entries in Gymnasium's registration order: ids, TimeLimit (1000; Reacher 50)
 * and reward thresholds (NAN where Gymnasium registers none). */
extern const acrl_env_spec acrl_mujoco_specs[];
extern const int acrl_mujoco_spec_count;
/* The Safety-Gymnasium velocity tasks (registered after the v4 tasks). */
extern const acrl_env_spec acrl_mujoco_safety_specs[];
extern const int acrl_mujoco_safety_spec_count;

/* The env's MuJoCo model and data (const mjModel*, mjData*), for tests and tools;
 * NULL if env is not a MuJoCo base env. Returned as void* so that this header does
 * not need mujoco.h. */
const void* acrl_mujoco_model(const acrl_env* env);
void*       acrl_mujoco_data(acrl_env* env);
/* Frame skip of the env (mj_step calls per env step); 0 if not a MuJoCo env. */
int         acrl_mujoco_frame_skip(const acrl_env* env);

#endif
