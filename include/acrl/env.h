/* acrl/env.h - environments: spaces, single envs, wrappers, vectorized envs.
 *
 * An env is a struct plus a table of functions. Observations are float32,
 * rewards float64 (Gymnasium returns Python floats), actions float32: a Box
 * action is act_space.dim floats, a Discrete action is one float holding the
 * integer index. terminated and truncated are always kept apart.
 *
 * acrl_env_make() builds what gym.make() builds: the base env wrapped in its
 * registered time limit. Each env owns its RNG (acrl/rng.h); reset with a seed
 * reseeds it exactly like Gymnasium's reset(seed=...). */
#ifndef ACRL_ENV_H
#define ACRL_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acrl/rng.h"

#define ACRL_ERRLEN 256 /* size of caller-supplied error buffers */
#define ACRL_MAX_COSTS 8 /* cost signals an env may declare */
#define ACRL_ENV_ID_MAX 63 /* longest env id (checkpoints store ids of up to 63 bytes) */

/* ---- spaces ---------------------------------------------------------------- */

typedef enum { ACRL_SPACE_BOX = 0, ACRL_SPACE_DISCRETE = 1 } acrl_space_kind;

typedef struct {
    acrl_space_kind kind;
    int    dim;   /* Box: number of dimensions; Discrete: 1 (one float in buffers) */
    int    n;     /* Discrete: number of actions; Box: 0 */
    float* low;   /* (dim) Box bounds (may hold +-INFINITY); NULL for Discrete */
    float* high;  /* (dim) */
    int    shape[3]; /* Box observations laid out as an image (C, H, W), C H W = dim, in C order
                      * (a CNN extractor may read it); all 0: a flat vector */
} acrl_space;

/* true if x (space->dim floats) lies in the space (Discrete: an integer in [0, n)). */
bool acrl_space_contains(const acrl_space* space, const float* x);
/* Writes a short description such as "Box(4,)" or "Discrete(2)" into buf. */
void acrl_space_describe(const acrl_space* space, char* buf, size_t len);

/* ---- env ------------------------------------------------------------------- */

typedef struct acrl_env acrl_env;

typedef struct {
    /* Starts an episode; the RNG was already (re)seeded by acrl_env_reset if asked. */
    void (*reset)(acrl_env* env, float* obs);
    /* One transition. obs receives the observation after the step. */
    void (*step)(acrl_env* env, const float* action, float* obs, double* reward,
                 bool* terminated, bool* truncated);
    /* Optional: sets the internal state (Gymnasium's env.unwrapped.state order) and
     * writes the matching observation. Returns 0, or -1 with a message in err. */
    int (*set_state)(acrl_env* env, const double* state, int n, float* obs, char* err, size_t errlen);
    /* Snapshot of everything that evolves (physics state, RNG, counters, running
     * statistics), for checkpoints: state_bytes() bytes written by save, read by load.
     * load returns 0, or -1 if the bytes are not a valid snapshot. */
    size_t (*state_bytes)(const acrl_env* env);
    void (*state_save)(const acrl_env* env, void* buf);
    int (*state_load)(acrl_env* env, const void* buf);
    /* Frees data (and the wrapped env, for wrappers). NULL if nothing to free. */
    void (*close)(acrl_env* env);
} acrl_env_vtable;

struct acrl_env {
    const acrl_env_vtable* vt;
    const char* id;             /* registry id, e.g. "CartPole-v1" */
    acrl_space  obs_space;
    acrl_space  act_space;
    int         state_dim;      /* length of the set_state vector (0 if unsupported) */
    acrl_env*   inner;          /* wrapped env, NULL for a base env */
    acrl_rng    rng;            /* base envs: the env's own generator */
    void*       data;           /* env-specific state */
    /* Constrained tasks (CMDPs): a base env declares num_costs = K cost signals (0: none,
     * the default of a zeroed struct) and each step writes them into costs[0..K). Wrappers
     * declare none; acrl_env_costs finds the base env's. Costs are outputs, not state. */
    int         num_costs;
    double      costs[ACRL_MAX_COSTS];
    /* Privileged state (asymmetric critics, distillation; docs/generalisation.md): optional
     * (NULL and 0, the defaults of a zeroed struct: none), the priv_dim floats that go with the
     * observation the last reset/step/set_state returned, e.g. the clean full state of a
     * partially observed or noisy env. acrl_env_priv_dim finds them through wrappers. */
    void      (*priv_state)(const acrl_env* env, float* out);
    int         priv_dim;
};

typedef struct {
    int max_episode_steps;      /* -1: registry default; 0: no time limit */
    const char* model_path;     /* MuJoCo envs: model file to load instead of the installed one */
    const char* env_args;       /* env settings "key=value,key=value" (Portfolio-v0: acrl/portfolio.h); NULL: none */
} acrl_env_options;

/* Defaults: registry time limit, installed model files. */
acrl_env_options acrl_env_options_default(void);

/* Creates a registered env wrapped in its time limit (like gym.make). Returns NULL
 * and writes a message into err (which lists the valid ids for an unknown id). */
acrl_env* acrl_env_make(const char* id, const acrl_env_options* opt, char* err, size_t errlen);
/* Resets; seed >= 0 reseeds the base env's RNG first (Gymnasium's reset(seed=...)). */
void acrl_env_reset(acrl_env* env, int64_t seed, float* obs);
void acrl_env_step(acrl_env* env, const float* action, float* obs, double* reward,
                   bool* terminated, bool* truncated);
/* Sets the base env's state (see vtable). Returns 0, or -1 with a message. */
int  acrl_env_set_state(acrl_env* env, const double* state, int n, float* obs, char* err, size_t errlen);
/* The innermost (base) env. */
acrl_env* acrl_env_unwrapped(acrl_env* env);
/* The cost signals of env's base env: their number K (0: an unconstrained env) and the K
 * costs its last step wrote (zeros before the first step). */
int acrl_env_num_costs(const acrl_env* env);
const double* acrl_env_costs(const acrl_env* env);
/* Frees the env and every wrapper under it; NULL is fine. */
void acrl_env_close(acrl_env* env);
/* The privileged state of env's chain: its length (0: none), from the outermost env in the chain
 * that has priv_state, and that env's state now (priv_dim floats; for the last observation). */
int  acrl_env_priv_dim(const acrl_env* env);
void acrl_env_priv_state(const acrl_env* env, float* out);

/* ---- registry -------------------------------------------------------------- */

typedef struct {
    const char* id;
    int    max_episode_steps;   /* TimeLimit of gym.make */
    double solved_threshold;    /* reward threshold used as "solved" */
    /* Creates the base env (no time limit); NULL + message on failure. */
    acrl_env* (*create)(const acrl_env_options* opt, char* err, size_t errlen);
} acrl_env_spec;

/* Registers an env of your own, so that acrl_env_make, vectorized envs and acrl_train (every
 * algorithm) find it by id. The spec is copied (its id string too). The id takes letters,
 * digits, '.', '_' and '-', starts with a letter, has at most ACRL_ENV_ID_MAX characters and
 * is not registered yet; create is required; max_episode_steps >= 0 (0: no time limit);
 * solved_threshold may be NAN (none). What create returns is checked when it is made: a
 * vtable with reset, step, state_bytes, state_save and state_load (snapshots are what
 * checkpoints and exact resume need; close and set_state may be NULL), a Box observation
 * space and a Box or Discrete action space. Thread-safe. Returns 0, or -1 with a message
 * (malformed or duplicate id, missing create, bad time limit). Registrations last until
 * the process ends. */
int acrl_env_register(const acrl_env_spec* spec, char* err, size_t errlen);

/* A plugin (a shared object loaded by `acrl ... --plugin FILE.so`) exports this entry
 * point, which registers its envs with acrl_env_register; it returns 0, or -1 with a message. */
typedef int (*acrl_plugin_init_fn)(char* err, size_t errlen);
#define ACRL_PLUGIN_INIT "acrl_plugin_init"

/* Number of registered envs and the i-th spec (registration order). */
int acrl_env_count(void);
const acrl_env_spec* acrl_env_spec_at(int i);
/* NULL if id is unknown. */
const acrl_env_spec* acrl_env_spec_find(const char* id);

/* ---- envs made of callbacks (language bindings) ------------------------------
 * An env whose dynamics are two callbacks over a user pointer: the Python package's
 * register_env is built on it. reset receives a seed drawn from the env's own RNG (which
 * acrl_env_reset(env, seed, ...) reseeds), so seeded resets replay exactly; its snapshot
 * holds that RNG only (the callbacks' state is not in checkpoints). */
typedef struct {
    void* user;
    /* Starts an episode: writes obs (obs_dim floats). */
    void (*reset)(void* user, uint64_t seed, float* obs);
    /* One transition, as acrl_env_vtable.step. */
    void (*step)(void* user, const float* action, float* obs, double* reward, bool* terminated,
                 bool* truncated);
    /* Called by acrl_env_close; may be NULL. */
    void (*close)(void* user);
} acrl_env_callbacks;

/* A base env (no time limit) with id (copied), the callbacks and copies of the spaces (a Box
 * observation space; a Box or Discrete action space). NULL + message on bad arguments or
 * no memory; cb->close is not called then. */
acrl_env* acrl_env_from_callbacks(const char* id, const acrl_env_callbacks* cb, const acrl_space* obs_space,
                                  const acrl_space* act_space, char* err, size_t errlen);

/* ---- wrappers ---------------------------------------------------------------
 * Each takes ownership of inner and returns the wrapped env, or NULL with a message in
 * err (which may be NULL) on a bad argument or allocation failure; inner is then closed.
 * A NULL inner gives NULL (so that calls can be chained). */

/* Truncates after max_steps >= 1 steps (Gymnasium TimeLimit). */
acrl_env* acrl_wrap_time_limit(acrl_env* inner, int max_steps, char* err, size_t errlen);
/* Repeats each action k >= 1 times, summing rewards; stops early at episode end. */
acrl_env* acrl_wrap_action_repeat(acrl_env* inner, int k, char* err, size_t errlen);
/* Takes actions in [-1, 1] and maps them affinely to the Box bounds, clipping first
 * (dimensions with infinite bounds pass through). Discrete spaces: returns inner. */
acrl_env* acrl_wrap_rescale_action(acrl_env* inner, char* err, size_t errlen);
/* Clips actions to the Box bounds. Discrete spaces: returns inner. */
acrl_env* acrl_wrap_clip_action(acrl_env* inner, char* err, size_t errlen);
/* Running mean/variance observation normalization (Gymnasium NormalizeObservation),
 * epsilon >= 0, optional clip (<= 0: none; not NaN). */
acrl_env* acrl_wrap_normalize_obs(acrl_env* inner, double epsilon, double clip, char* err, size_t errlen);
/* Scales rewards by the running std of the discounted return (Gymnasium NormalizeReward:
 * ret = ret * gamma * (1 - terminated) + r), gamma in [0, 1], epsilon >= 0, optional clip
 * (<= 0: none; not NaN). */
acrl_env* acrl_wrap_normalize_reward(acrl_env* inner, double gamma, double epsilon, double clip,
                                     char* err, size_t errlen);

/* Partial observability (docs/generalisation.md): the observation is the last n_stack >= 1
 * frames (oldest first; an episode starts with copies of its first frame), each frame inner's
 * observation with the entries hide[0..n_hide) removed and Gaussian noise of std noise_std >= 0
 * added to the rest (drawn from the base env's RNG, so seeded and in checkpoints). Its
 * privileged state (acrl_env_priv_state) is inner's clean, full observation. set_state gives
 * a noiseless observation (all frames alike). acrl_env_make applies it for the env_args keys
 * hide=velocity (the velocity entries of the envs docs/generalisation.md lists) or hide=I+J+...
 * (observation indices), obs_noise=STD and obs_stack=K, taken off before the env sees env_args. */
acrl_env* acrl_wrap_partial_obs(acrl_env* inner, const int* hide, int n_hide, double noise_std, int n_stack, char* err,
                                size_t errlen);
/* Freezes (training = false, for evaluation) or resumes the statistics updates of every
 * normalize wrapper in env's chain. Returns how many normalize wrappers were found. */
int acrl_wrap_normalize_set_training(acrl_env* env, bool training);

/* Running mean/variance (parallel Welford / Chan et al.), the core of the normalizers;
 * also usable on whole batches, e.g. shared across a vectorized env. */
typedef struct {
    int     dim;
    double* mean;   /* (dim) */
    double* var;    /* (dim) */
    double  count;
} acrl_running_stat;

int  acrl_running_stat_init(acrl_running_stat* s, int dim);   /* 0, or -1: dim < 1 or no memory */
void acrl_running_stat_free(acrl_running_stat* s);
/* x: (n, dim) */
void acrl_running_stat_update(acrl_running_stat* s, const double* x, int n);
void acrl_running_stat_update_f(acrl_running_stat* s, const float* x, int n);
/* Merges a batch given by its moments: per-column mean and population variance of n rows. */
void acrl_running_stat_merge(acrl_running_stat* s, const double* mean, const double* var, double n);

/* The statistics of the outermost observation / reward normalize wrapper in env's chain
 * (for checkpoints and export; writable to restore them), or NULL if there is none. */
acrl_running_stat* acrl_wrap_obs_stat(acrl_env* env);
acrl_running_stat* acrl_wrap_reward_stat(acrl_env* env);

/* ---- vectorized env -----------------------------------------------------------
 * N copies of one env id stepped together, SB3-style auto-reset: when a copy's
 * episode ends, final_obs gets its last observation, the copy is reset, and obs
 * holds the first observation of the new episode. Copy i is seeded with seed + i
 * on the first reset. With threads > 1 the copies are split across worker threads;
 * results are identical for any thread count. */
typedef struct acrl_vecenv acrl_vecenv;
struct acrl_vecenv {
    int num_envs, obs_dim, act_dim;
    acrl_env** envs;          /* (num_envs) */
    float*   obs;             /* (num_envs, obs_dim) current observations */
    double*  rewards;         /* (num_envs) */
    bool*    terminated;      /* (num_envs) */
    bool*    truncated;       /* (num_envs) */
    float*   final_obs;       /* (num_envs, obs_dim) valid where terminated|truncated */
    double*  episode_return;  /* (num_envs) running undiscounted return of the current episode */
    int*     episode_length;  /* (num_envs) */
    double*  done_return;     /* (num_envs) return of the episode that ended this step */
    int*     done_length;     /* (num_envs) */
    /* cost signals (K = num_costs, 0 for unconstrained envs: then all NULL) */
    int      num_costs;
    double*  costs;           /* (num_envs, K) costs of the last step */
    double*  episode_cost;    /* (num_envs, K) running cost sums of the current episode */
    double*  done_cost;       /* (num_envs, K) cost sums of the episode that ended this step */
    void*    impl;            /* thread pool */
    /* privileged states (acrl_env_priv_dim of the copies; 0: none, then both NULL) */
    int      priv_dim;
    float*   states;          /* (num_envs, priv_dim) states of the current observations */
    float*   final_states;    /* (num_envs, priv_dim) states of final_obs, valid where an episode ended */
};

acrl_vecenv* acrl_vecenv_make(const char* id, int num_envs, uint64_t seed, int threads,
                              const acrl_env_options* opt, char* err, size_t errlen);
/* The same from envs built by the caller (any wrappers, any env; all with the same
 * observation and action sizes). Takes ownership of every envs[i], also on failure;
 * the array itself stays the caller's. */
acrl_vecenv* acrl_vecenv_make_envs(acrl_env* const* envs, int num_envs, uint64_t seed, int threads,
                                   char* err, size_t errlen);
/* Autoreset modes (Gymnasium 1.x names). SAME_STEP (the default, SB3's): a copy whose episode
 * ends is reset within that step, as described above. NEXT_STEP (Gymnasium's default): obs
 * keeps the episode's last observation; the copy's next step ignores its action, resets it
 * and reports reward 0, not terminated, not truncated, and the new episode's first
 * observation. Set before the first reset. */
typedef enum { ACRL_AUTORESET_SAME_STEP = 0, ACRL_AUTORESET_NEXT_STEP = 1 } acrl_autoreset_mode;
void acrl_vecenv_set_autoreset(acrl_vecenv* v, acrl_autoreset_mode mode);
/* Makes the next acrl_vecenv_reset seed copy i with seed + i again (Gymnasium's reset(seed=)). */
void acrl_vecenv_reseed(acrl_vecenv* v, uint64_t seed);
/* Resets every copy (copy i with seed + i the first time, unseeded afterwards). */
void acrl_vecenv_reset(acrl_vecenv* v);
/* actions: (num_envs, act_dim) */
void acrl_vecenv_step(acrl_vecenv* v, const float* actions);
void acrl_vecenv_close(acrl_vecenv* v);

#endif
