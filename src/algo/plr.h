/* plr.h - Prioritized Level Replay (Jiang et al. 2021, facebookresearch/level-replay's
 * LevelSampler; docs/generalisation.md): level scores from the GAE advantages of the
 * episodes played on each level, rank prioritisation with a temperature, staleness mixing,
 * and the replay schedules that decide between a seen level and a new one.
 *
 * Levels are indices 0..n-1 (Maze-v0's training levels). E env copies play levels; each
 * step of a rollout records which level each copy played, episode ends pick the next level
 * with plr_sample, and after the update the rollout's advantages score the levels. */
#ifndef ACRL_PLR_H
#define ACRL_PLR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acrl/rng.h"

enum { PLR_VALUE_L1 = 0, PLR_POSITIVE_VALUE_LOSS = 1 };      /* score: mean |A|, mean max(A, 0) */
enum { PLR_PROPORTIONATE = 0, PLR_FIXED = 1 };               /* replay schedule */

typedef struct {
    int    score;             /* PLR_VALUE_L1 or PLR_POSITIVE_VALUE_LOSS */
    int    schedule;          /* PLR_PROPORTIONATE or PLR_FIXED */
    double temperature;       /* beta: rank weights 1 / rank^(1/beta) */
    double staleness_coef;    /* rho in P = (1 - rho) P_S + rho P_C */
    double rho;               /* fraction of levels seen before replaying starts */
    double nu;                /* fixed schedule: probability of a new level */
    double alpha;             /* score update S <- (1 - alpha) S + alpha S_new */
} plr_config;

typedef struct {
    plr_config cfg;
    int      n, E, T;         /* levels, env copies, rollout steps */
    double*  scores;          /* (n) */
    double*  staleness;       /* (n) samples since the level was last sampled */
    uint8_t* seen;            /* (n) 1: scored at least once (official: 1 - unseen_seed_weights) */
    double*  partial;         /* (E, n) running mean score of an episode still going */
    int64_t* partial_steps;   /* (E, n) */
    int32_t* current;         /* (E) level each copy plays */
    int32_t* step_level;      /* (T, E) level played at rollout step t */
    int      t;               /* steps recorded in this rollout */
    acrl_rng rng;             /* replay decisions and draws */
    double*  w;               /* (n) scratch: weights */
    int*     order;           /* (n) scratch: sort order */
} acrl_plr;

/* Allocates for n levels, E copies and rollouts of T steps; rng seeded (seed, stream).
 * 0, or -1 with a message (bad sizes or config, no memory). */
int  plr_init(acrl_plr* p, const plr_config* cfg, int n, int E, int T, uint64_t seed, char* err, size_t errlen);
void plr_free(acrl_plr* p);

/* The replay distribution over the n levels (the official sample_weights): rank weights of
 * the scores (rank 1 = highest score, ties: the higher index first) to the power 1/temperature,
 * zero for unseen levels, normalized; mixed with the staleness weights (staleness of seen
 * levels, normalized) as (1 - c) P_S + c P_C when staleness_coef c > 0. w (n). */
void plr_replay_weights(acrl_plr* p, double* w);
/* Draws the next level: a replay level from plr_replay_weights (uniform if they sum to ~0)
 * or an unseen level (uniform), by the schedule; updates staleness when staleness_coef > 0. */
int  plr_sample(acrl_plr* p);

/* Rollout bookkeeping: records step t's levels (the copies' current ones); for every copy
 * with done[e] (its episode ended at this step) returns the next level in next[e] (and makes
 * it current), else next[e] = -1. done, next: (E). */
void plr_record_step(acrl_plr* p, const bool* done, int* next);
/* After the update: scores every episode segment of the recorded rollout from its
 * advantages adv (T, E) and episode ends done (T, E) (segments that ended: a full score
 * update; the open one at the end: a partial one), then flushes the partial scores as the
 * official after_update does, and starts a new rollout. */
void plr_update(acrl_plr* p, const float* adv, const bool* done);

/* Checkpoint image of the state that lives across iterations (scores, staleness, seen,
 * current levels, rng): plr_state_bytes() bytes; load returns 0, or -1 if the bytes do not fit. */
size_t plr_state_bytes(const acrl_plr* p);
void   plr_state_save(const acrl_plr* p, void* buf);
int    plr_state_load(acrl_plr* p, const void* buf, size_t len);

#endif
