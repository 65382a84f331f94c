/* collector.h - a vectorized env plus the normalization every algorithm shares.
 *
 * Algorithms step the envs through a collector: it keeps SB3-VecNormalize-style
 * running statistics shared across the copies (observations; rewards scaled by the
 * std of the discounted return), hands out normalized observations and scaled
 * rewards, and remembers the raw returns of finished episodes for logging. */
#ifndef ACRL_COLLECTOR_H
#define ACRL_COLLECTOR_H

#include "acrl/env.h"

typedef struct {
    acrl_vecenv* venv;
    int num_envs, obs_dim, act_dim;
    bool norm_obs, norm_reward;
    float clip_obs, clip_reward;   /* symmetric clip after normalization */
    float gamma;                   /* discount of the return whose std scales rewards */
    acrl_running_stat obs_stat;    /* (obs_dim) */
    acrl_running_stat ret_stat;    /* (1) */
    double* disc_return;           /* (E) running discounted return per copy */
    float*  obs;                   /* (E, obs_dim) normalized current observations */
    float*  final_obs;             /* (E, obs_dim) normalized final observations */
    float*  rewards;               /* (E) scaled rewards of the last step */
    double* scratch;               /* (E, obs_dim) */
    float*  act_env;               /* (E, act_dim) actions as the envs receive them (Box: clipped) */
    /* finished-episode log: ring of the last 100 raw returns and lengths */
    double  ep_returns[100];
    int     ep_lengths[100];
    int     ep_count;              /* episodes finished in total */
    long    steps;                 /* env steps taken in total (all copies) */
    /* cost signals (CMDPs): K = num_costs (0: none; costs NULL), raw, never normalized */
    int     num_costs;
    float*  costs;                 /* (E, K) costs of the last step */
    double  ep_costs[100 * ACRL_MAX_COSTS]; /* (100, K) ring: cost sums of finished episodes */
} acrl_collector;

typedef struct {
    bool  norm_obs, norm_reward;
    float clip_obs, clip_reward, gamma;
} acrl_collector_options;

/* Creates the vectorized env and resets it (copy i seeded seed + i). NULL + message. */
acrl_collector* collector_create(const char* env_id, int num_envs, uint64_t seed, int threads,
                                 const acrl_collector_options* opt, char* err, size_t errlen);
void collector_free(acrl_collector* c);
/* Steps every copy with actions (E, act_dim), Box actions clipped to the bounds first (as
 * Stable-Baselines3 does: policies may sample outside them); updates statistics and buffers. */
void collector_step(acrl_collector* c, const float* actions);
/* Normalizes raw observations (n, obs_dim) with the current statistics (no update). */
void collector_normalize_obs(const acrl_collector* c, const float* raw, float* out, int n);
/* A raw reward r in the learner's units: scaled by the current std of the discounted return
 * and clipped when rewards are normalized (as collector_step does, without updating), else r. */
float collector_scale_reward(const acrl_collector* c, double r);
/* Mean and std of the last (up to 100) finished episodes' raw returns; NAN if none. */
void collector_recent(const acrl_collector* c, double* ret_mean, double* ret_std, double* len_mean);

/* Mean of the last (up to 100) finished episodes' sums of cost k; NAN if none or no cost k. */
double collector_recent_cost(const acrl_collector* c, int k);

/* Snapshot of everything that evolves (envs, statistics, buffers, counters). */
size_t collector_state_bytes(const acrl_collector* c);
void   collector_state_save(const acrl_collector* c, void* buf);
int    collector_state_load(acrl_collector* c, const void* buf, size_t len, char* err, size_t errlen);

#endif
