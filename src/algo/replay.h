/* replay.h - the replay buffer of the off-policy algorithms (DDPG, TD3, SAC).
 *
 * A ring of contiguous float arrays sized once at init: slot t holds one transition of
 * each of the E env copies, element (t, e). Terminated and truncated are kept apart:
 * targets bootstrap through a truncation (time limit) but not through a termination.
 * Sampling is uniform over the stored transitions, from the caller's RNG (the
 * learner's), so a run is reproducible and a checkpoint with the buffer resumes exactly.
 * Optional n-step returns are computed at sampling time per env copy:
 *
 *     R = sum_{k<m} gamma^k r_{t+k},  next_obs = s_{t+m},  discount = gamma^m,
 *
 * where m <= n stops early at the end of an episode (terminated: done = 1, no bootstrap;
 * truncated: bootstrap from the final observation) or at the newest stored slot. A
 * learner's TD target is then y = R + (1 - done) * discount * V(next_obs). */
#ifndef ACRL_REPLAY_H
#define ACRL_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acrl/io.h"
#include "acrl/rng.h"

typedef struct {
    int      slots, num_envs, obs_dim, act_dim;
    int      pos;            /* next slot written, in [0, slots) */
    int      full;           /* every slot holds data */
    float*   obs;            /* (slots, E, obs_dim) */
    float*   next_obs;       /* (slots, E, obs_dim) the real next observation (final one at episode ends) */
    float*   act;            /* (slots, E, act_dim) */
    float*   rew;            /* (slots, E) */
    uint8_t* terminated;     /* (slots, E) */
    uint8_t* truncated;      /* (slots, E) */
    float*   cost;           /* (slots, E) the first cost signal (constrained learners), or NULL */
    int      state_dim;      /* critic_obs = state: the privileged state's size (0: none, arrays NULL) */
    float*   state;          /* (slots, E, state_dim) the states of obs */
    float*   next_state;     /* (slots, E, state_dim) the states of next_obs */
} acrl_replay;

/* A sampled minibatch; arrays sized for cap rows by replay_batch_init. */
typedef struct {
    int    cap;
    float* obs;              /* (B, obs_dim) */
    float* act;              /* (B, act_dim) */
    float* rew;              /* (B) n-step discounted reward sum */
    float* next_obs;         /* (B, obs_dim) */
    float* done;             /* (B) 1: terminated, do not bootstrap */
    float* discount;         /* (B) gamma^m for the bootstrap term */
    float* cost;             /* (B) n-step discounted cost sum, like rew (0 when the buffer holds no costs) */
    long*  idx;              /* (B) the sampled flat indices t * E + e */
    int    state_dim;        /* as the buffer's (replay_batch_enable_state; 0: none, arrays NULL) */
    float* state;            /* (B, state_dim) */
    float* next_state;       /* (B, state_dim) the state of next_obs */
} replay_batch;

/* Bytes replay_init / replay_batch_init allocate (saturating at SIZE_MAX, see util/size.h). */
size_t replay_bytes(long capacity, int num_envs, int obs_dim, int act_dim);
size_t replay_batch_bytes(int cap, int obs_dim, int act_dim);
/* Sizes the ring for capacity transitions: slots = max(1, capacity / num_envs). 0, or -1 + err. */
int  replay_init(acrl_replay* r, long capacity, int num_envs, int obs_dim, int act_dim, char* err, size_t errlen);
void replay_free(acrl_replay* r);
/* Stores one step of every copy: obs, next_obs (E, obs_dim), act (E, act_dim), rew (E),
 * terminated, truncated (E). Overwrites the oldest slot when full. */
void replay_add(acrl_replay* r, const float* obs, const float* act, const float* rew, const float* next_obs,
                const bool* terminated, const bool* truncated);
/* Gives the buffer a cost column (zeroed; before any replay_add): 0, or -1 + err. */
int  replay_enable_cost(acrl_replay* r, char* err, size_t errlen);
/* Stores the costs of the step replay_add stored last: costs[e * stride] for copy e (the
 * collector's (E, K) costs with stride K: the first signal). */
void replay_add_cost(acrl_replay* r, const float* costs, int stride);
/* Gives the buffer (before any replay_add) and a batch state columns of state_dim floats
 * (critic_obs = state): 0, or -1 + err / -1 (no memory). */
int  replay_enable_state(acrl_replay* r, int state_dim, char* err, size_t errlen);
int  replay_batch_enable_state(replay_batch* b, int state_dim);
/* Stores the states (E, state_dim) of the step replay_add stored last. */
void replay_add_state(acrl_replay* r, const float* state, const float* next_state);
/* Number of transitions stored (slots filled * E). */
long replay_size(const acrl_replay* r);

int  replay_batch_init(replay_batch* b, int cap, int obs_dim, int act_dim);
void replay_batch_free(replay_batch* b);
/* Draws B indices uniformly (one acrl_rng_below per row) and gathers them. size > 0, B <= cap. */
void replay_sample(const acrl_replay* r, replay_batch* b, int B, int n_step, float gamma, acrl_rng* rng);
/* Gathers the transitions b->idx[0..B) (flat indices t * E + e < replay_size) with n-step returns. */
void replay_gather(const acrl_replay* r, replay_batch* b, int B, int n_step, float gamma);

/* ---- transitions files (docs/offpolicy.md "Offline data") ----------------------------
 * A file of n transitions, all little-endian: "ACRLTRN1" (8 bytes), i32 obs_dim, i32 act_dim,
 * i64 n, then f32 obs (n, obs_dim), f32 act (n, act_dim), f32 rew (n), f32 next_obs (n,
 * obs_dim), u8 terminated (n), u8 truncated (n). Rows of one env copy follow each other in
 * time order (n-step returns walk forward through them); the last row of a copy is marked
 * truncated. Actions are in the learner's units (Box actions scaled to [-1, 1], a Discrete
 * action its index), observations as the learner saw them (normalized if the run normalized). */
/* Writes the filled part of r (copy by copy, oldest first) to path atomically; 0, or -1 + err. */
int  replay_write_transitions(const acrl_replay* r, const char* path, char* err, size_t errlen);
/* Reads a transitions file into a fresh one-copy buffer r holding exactly its n rows (full),
 * refusing a bad header, a truncated or longer file, or dimensions other than obs_dim and
 * act_dim, with a message naming path. 0, or -1 + err. */
int  replay_read_transitions(acrl_replay* r, const char* path, int obs_dim, int act_dim, char* err, size_t errlen);
/* The replay buffer in checkpoint ck (saved with save_buffer) into a transitions file:
 * 0 with the rows written in *n, or -1 + err. */
int  replay_export_ckpt(const acrl_ckpt* ck, const char* path, long* n, char* err, size_t errlen);

/* Adds sections "<prefix>.meta", ".obs", ".next_obs", ".act", ".rew", ".term", ".trunc" (and
 * ".cost" for a buffer with costs, ".state" and ".next_state" for one with states) holding the filled slots (streamed from the buffer: it must not change until the commit). */
int  replay_save(acrl_replay* r, acrl_ckpt_writer* w, const char* prefix);
/* Restores what replay_save wrote into a buffer of the same shape; -1 + err on a mismatch. */
int  replay_load(acrl_replay* r, const acrl_ckpt* c, const char* prefix, char* err, size_t errlen);

#endif
