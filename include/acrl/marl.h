/* acrl/marl.h - cooperative multi-agent envs (PettingZoo parallel semantics) and the
 * multi-agent on-policy trainers (ippo, mappo).
 *
 * A multi-agent env (acrl_menv) has N agents stepping together: per-agent observation
 * sizes and Discrete action counts, per-agent rewards, terminations and truncations,
 * and a global state for centralised critics (PettingZoo's state(): the agents'
 * observations concatenated). Observations are written padded: (N, obs_max) floats,
 * agent i's obs_dim[i] values first and zeros after. Actions are N integers.
 *
 * Envs: MPE-SimpleSpread-v3, MPE-SimpleReference-v3, MPE-SimpleSpeakerListener-v4
 * (PettingZoo's MPE with continuous_actions=False, max_cycles 25) and the one-step
 * matrix games ClimbingGame-v0 and PenaltyGame-v0 (docs/multiagent.md). */
#ifndef ACRL_MARL_H
#define ACRL_MARL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acrl/rng.h"
#include "acrl/train.h"

#define ACRL_MARL_MAX_AGENTS 16

typedef struct acrl_menv acrl_menv;

typedef struct {
    void   (*reset)(acrl_menv* e);                            /* new episode from e->rng */
    void   (*step)(acrl_menv* e, const int* actions, double* rewards, bool* terminated);
    void   (*observe)(const acrl_menv* e, int agent, float* obs); /* obs_dim[agent] floats */
    size_t (*state_bytes)(const acrl_menv* e);
    void   (*state_save)(const acrl_menv* e, void* buf);
    int    (*state_load)(acrl_menv* e, const void* buf);
    void   (*close)(acrl_menv* e);
} acrl_menv_vtable;

struct acrl_menv {
    const acrl_menv_vtable* vt;
    const char* id;
    int      n_agents;
    int      obs_dim[ACRL_MARL_MAX_AGENTS];
    int      n_actions[ACRL_MARL_MAX_AGENTS];
    int      obs_max;        /* max of obs_dim */
    int      state_dim;      /* sum of obs_dim */
    int      max_cycles;     /* truncation after this many steps (0: none) */
    int      steps;          /* steps of the current episode */
    acrl_rng rng;
    void*    data;
};

/* Registered multi-agent env ids (count, i-th) and whether id is one. */
int         acrl_menv_count(void);
const char* acrl_menv_id_at(int i);
bool        acrl_menv_exists(const char* id);
/* Makes env id with settings "key=value,..." (NULL or "": defaults): MPE-SimpleSpread-v3
 * takes N (agents, 1..8), local_ratio ([0, 1]) and max_cycles; the other MPE tasks
 * local_ratio (SimpleReference) and max_cycles; PenaltyGame-v0 takes k (<= 0). NULL and
 * a message naming the key on an unknown id or a bad setting. */
acrl_menv* acrl_menv_make(const char* id, const char* args, char* err, size_t errlen);
/* seed >= 0 reseeds (PettingZoo reset(seed=...)); writes obs (n_agents, obs_max). */
void acrl_menv_reset(acrl_menv* e, int64_t seed, float* obs);
/* One joint step: actions (n_agents) each in [0, n_actions[i]); writes obs, rewards,
 * terminated and truncated (n_agents each). Out-of-range actions are clamped. */
void acrl_menv_step(acrl_menv* e, const int* actions, float* obs, double* rewards, bool* terminated,
                    bool* truncated);
/* The global state (state_dim floats). */
void acrl_menv_state(const acrl_menv* e, float* state);
/* Snapshot of everything that evolves (for exact resume). */
size_t acrl_menv_snapshot_bytes(const acrl_menv* e);
void   acrl_menv_snapshot_save(const acrl_menv* e, void* buf);
int    acrl_menv_snapshot_load(acrl_menv* e, const void* buf);
void   acrl_menv_close(acrl_menv* e);   /* NULL is fine */

/* ---- vectorized copies with auto-reset ------------------------------------------- */
typedef struct {
    int         num_envs;
    acrl_menv** envs;        /* (num_envs) */
    int         n_agents, obs_max, state_dim;
    float*      obs;         /* (num_envs, n_agents, obs_max) current observations */
    float*      state;       /* (num_envs, state_dim) current global states */
    float*      final_obs;   /* (num_envs, n_agents, obs_max) last obs of an episode that just ended */
    float*      final_state; /* (num_envs, state_dim) */
    double*     rewards;     /* (num_envs, n_agents) */
    bool*       terminated;  /* (num_envs, n_agents) */
    bool*       truncated;   /* (num_envs, n_agents) */
} acrl_mvec;

/* num_envs copies of id; copy i is reset with seed + i. NULL + message on failure. */
acrl_mvec* acrl_mvec_make(const char* id, const char* args, int num_envs, uint64_t seed, char* err, size_t errlen);
/* Steps every copy with actions (num_envs, n_agents); a copy whose episode ended (any agent
 * terminated or truncated) keeps its last obs/state in final_* and is reset (own RNG). */
void acrl_mvec_step(acrl_mvec* v, const int* actions);
/* Recomputes obs/state from the copies (after loading snapshots). */
void acrl_mvec_refresh(acrl_mvec* v);
void acrl_mvec_free(acrl_mvec* v);   /* NULL is fine */

/* ---- matrix games ------------------------------------------------------------------ */
/* The team payoff of ClimbingGame-v0 / PenaltyGame-v0(k) for actions (a0, a1). */
double acrl_climbing_payoff(int a0, int a1);
double acrl_penalty_payoff(double k, int a0, int a1);

/* ---- training ---------------------------------------------------------------------- */
/* true if name is a multi-agent algorithm (ippo, mappo). */
bool acrl_marl_algo_exists(const char* name);
/* The training run for a multi-agent algorithm (acrl_train dispatches here): the same
 * options, run directory files and return codes as acrl_train. */
int  acrl_marl_train(acrl_train_options* o, char* err, size_t errlen);
/* Evaluates a multi-agent checkpoint (team return: per step the mean of the agents'
 * rewards, summed over the episode). */
int  acrl_marl_eval_checkpoint(const char* path, int episodes, uint64_t seed, bool stochastic, double* mean,
                               double* std, char* err, size_t errlen);
/* Describes the keys of a multi-agent algorithm (acrl help ippo|mappo). */
int  acrl_marl_describe(const char* algo, void* f /* FILE* */);

#endif
