/* mjenv.h - private: the generic MuJoCo env (model sharing, stepping, snapshots) and
 * the table entry that each Gymnasium v4 task fills in (mjenv_tasks.c). */
#ifndef ACRL_MJENV_H
#define ACRL_MJENV_H

#include <stdbool.h>

#include <mujoco/mujoco.h>

#include "acrl/env.h"
#include "acrl/mujoco.h"

#define MJENV_MEMO 3 /* doubles a task remembers between steps */

typedef struct mjenv mjenv;
typedef struct mjenv_shared mjenv_shared;

/* One task. The generic env calls, in this order:
 *   reset:  mj_resetData, task->reset (draws qpos/qvel), mj_forward, remember, observe
 *   step:   memo -> before, ctrl = action, mj_step x frame_skip, [mj_rnePostConstraint],
 *           remember, reward, observe */
typedef struct {
    const char* id;           /* Gymnasium id, e.g. "Hopper-v4" */
    const char* model_file;   /* file name under models/ */
    int  frame_skip;
    int  nq, nv, nu;          /* sizes the model must have */
    int  obs_dim;
    bool rne_post;            /* call mj_rnePostConstraint after stepping (cfrc_ext is observed) */
    /* Optional: looks up named bodies/sites into e->ids; 0, or -1 with a message. */
    int  (*bind)(mjenv* e, char* err, size_t errlen);
    /* Sets d->qpos, d->qvel to the initial state plus noise drawn from rng. */
    void (*reset)(mjenv* e, acrl_rng* rng);
    /* Stores into e->memo what the next step's reward needs from the current data. */
    void (*remember)(mjenv* e);
    /* Reward and termination after stepping; before = memo from before the step;
     * a = the action (act_space.dim floats, unclipped). */
    void (*reward)(const mjenv* e, const float* a, const double* before, double* reward, bool* terminated);
    /* obs (obs_dim) from the current data. */
    void (*observe)(const mjenv* e, float* obs);
    /* Safety-Gymnasium velocity tasks: one cost, 1 when the speed measured from memo over
     * the step exceeds cost_threshold; speed_dims 1: (memo[0] - before[0]) / dt, 2: the
     * norm of that over memo[0..1]. 0: no cost. */
    int    speed_dims;
    double cost_threshold;
} mjenv_task;

struct mjenv {
    const mjenv_task* task;
    mjenv_shared* shared;     /* the loaded model, shared between envs */
    const mjModel* m;
    mjData* d;
    double dt;                /* m->opt.timestep * frame_skip */
    int    ids[2];            /* task-specific body/site ids (bind) */
    double memo[MJENV_MEMO];  /* task-specific values carried from one step to the next */
};

/* Builds the env for a task; NULL + message on failure. */
acrl_env* mjenv_create(const mjenv_task* task, const acrl_env_options* opt, char* err, size_t errlen);

/* The velocity task's cost (0 or 1) for memo values after and before a step of length dt. */
double mjenv_speed_cost(const mjenv_task* task, const double* after, const double* before, double dt);

/* Sum of squares in float32 with NumPy's summation order (np.sum(np.square(a))), any n. */
float  mjenv_sumsq_f32(const float* a, int n);
/* Sum with NumPy's pairwise order for float64, any n. */
double mjenv_sum_f64(const double* x, int n);

#endif
