/* collector.h - a vectorized env plus the normalization every algorithm shares.
 *
 * Algorithms step the envs through a collector: it keeps SB3-VecNormalize-style
 * running statistics shared across the copies (observations; rewards scaled by the
 * std of the discounted return), hands out normalized observations and scaled
 * rewards, and remembers the raw returns of finished episodes for logging. */
#ifndef ACRL_COLLECTOR_H
#define ACRL_COLLECTOR_H

#include "acrl/env.h"
#include "acrl/rng.h"
#include "dist/layout.h"

typedef struct acrl_collector {
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
    char    env_args[256];         /* the envs' settings (acrl_env_options.env_args), "" if none */
    /* data-parallel runs (dist/layout.h; NULL or one shard: none of this is used). This
     * process holds layout->local_envs copies, global indices first_env.. ; statistics,
     * the episode log and steps are global (exchanged every step). */
    const acrl_layout* layout;
    acrl_rng* shard_rng;           /* (local_shards) action-sampling stream of each shard */
    double *xsend, *xrecv;         /* exchange buffers */
    bool    failed;                /* a collective failed: message in error */
    char    error[256];
    /* cost signals (CMDPs): K = num_costs (0: none; costs NULL), raw, never normalized */
    bool    obs_stats_frozen;      /* the observation statistics no longer update (PPO's obs_norm_warmup) */
    int     num_costs;
    float*  costs;                 /* (E, K) costs of the last step */
    double  ep_costs[100 * ACRL_MAX_COSTS]; /* (100, K) ring: cost sums of finished episodes */
    /* Optional (NULL: none; unsharded runs): called after every vectorized step, before the
     * observations are normalized; it may reset copies whose episode ended (rewriting their
     * venv->obs row), e.g. to start them on a level of its choice (level replay). */
    void  (*step_hook)(void* user, struct acrl_collector* c);
    void*   step_hook_user;
    /* privileged states (critic_obs = state; docs/generalisation.md), normalized like the
     * observations with statistics of their own; state_dim 0: none (the arrays NULL) */
    int     state_dim;
    acrl_running_stat state_stat;  /* (state_dim) */
    float*  state;                 /* (E, state_dim) normalized states of the current observations */
    float*  final_state;           /* (E, state_dim) normalized states of final_obs */
} acrl_collector;

typedef struct {
    bool  norm_obs, norm_reward;
    float clip_obs, clip_reward, gamma;
    const char* env_args;          /* acrl_env_options.env_args; NULL or "": none */
} acrl_collector_options;

/* Creates the vectorized env and resets it (copy i seeded seed + i). NULL + message. */
acrl_collector* collector_create(const char* env_id, int num_envs, uint64_t seed, int threads,
                                 const acrl_collector_options* opt, char* err, size_t errlen);
void collector_free(acrl_collector* c);
/* Makes c hand out the envs' privileged states too (state, final_state; before the first
 * step): 0, or -1 with a message if the envs have none (critic_obs = state). */
int  collector_enable_state(acrl_collector* c, char* err, size_t errlen);
/* The same for a data-parallel run: this rank's copies of layout (kept by pointer; the
 * caller keeps it alive), seeded by global index; shard s's stream is seed2(seed, 65536 + s).
 * Collective: every rank calls it. */
acrl_collector* collector_create_sharded(const char* env_id, const acrl_layout* layout, uint64_t seed, int threads,
                                         const acrl_collector_options* opt, char* err, size_t errlen);
/* Sharded collectors' checkpoint part: the local snapshot (collector_state_bytes), then the
 * local shards' streams (48 bytes each). Rank 0 merges the ranks' parts (in rank order,
 * concatenated) into the snapshot a one-process collector of all copies has, followed by
 * every shard's stream; every rank loads its slice of such a snapshot. */
size_t collector_part_bytes(const acrl_collector* c);
void   collector_part_save(const acrl_collector* c, void* buf);
size_t collector_global_bytes(const acrl_collector* c);
void   collector_merge_parts(const acrl_collector* c, const void* parts, void* out);
int    collector_global_load(acrl_collector* c, const void* buf, size_t len, char* err, size_t errlen);
/* Steps every copy with actions (E, act_dim), Box actions clipped to the bounds first (as
 * Stable-Baselines3 does: policies may sample outside them); updates statistics and buffers. */
void collector_step(acrl_collector* c, const float* actions);
/* Normalizes raw privileged states (n, state_dim) with their statistics (no update). */
void collector_normalize_state(const acrl_collector* c, const float* raw, float* out, int n);
/* Normalizes raw observations (n, obs_dim) with the current statistics (no update). */
void collector_normalize_obs(const acrl_collector* c, const float* raw, float* out, int n);
/* A raw reward r in the learner's units: scaled by the current std of the discounted return
 * and clipped when rewards are normalized (as collector_step does, without updating), else r. */
float collector_scale_reward(const acrl_collector* c, double r);
/* Records a finished episode (raw return, length) in the log, as collector_step does. */
void collector_log_episode(acrl_collector* c, double ret, int len);
/* Mean and std of the last (up to 100) finished episodes' raw returns; NAN if none. */
void collector_recent(const acrl_collector* c, double* ret_mean, double* ret_std, double* len_mean);

/* Mean of the last (up to 100) finished episodes' sums of cost k; NAN if none or no cost k. */
double collector_recent_cost(const acrl_collector* c, int k);
/* The same over the last n (1..100) finished episodes only. */
double collector_recent_cost_n(const acrl_collector* c, int k, int n);

/* Snapshot of everything that evolves (envs, statistics, buffers, counters; with states, their
 * statistics at the end). */
size_t collector_state_bytes(const acrl_collector* c);
void   collector_state_save(const acrl_collector* c, void* buf);
int    collector_state_load(acrl_collector* c, const void* buf, size_t len, char* err, size_t errlen);

#endif
