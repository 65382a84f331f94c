/* rollout.h - on-policy rollout storage and generalized advantage estimation.
 *
 * Storage is time-major: index (t, e) = t * num_envs + e, sized once. Episode ends
 * are kept as terminated and truncated apart: a truncated step bootstraps from the
 * value of the episode's final observation (final_value), a terminated one does not. */
#ifndef ACRL_ROLLOUT_H
#define ACRL_ROLLOUT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    int num_steps, num_envs, obs_dim, act_dim;
    float* obs;          /* (T, E, obs_dim) observation the action was taken in */
    float* actions;      /* (T, E, act_dim) */
    float* logprobs;     /* (T, E) log-prob of the action under the behaviour policy */
    float* values;       /* (T, E) V(obs) */
    float* rewards;      /* (T, E) */
    bool*  terminated;   /* (T, E) */
    bool*  truncated;    /* (T, E) */
    float* final_values; /* (T, E) V(final obs), used only where truncated */
    float* advantages;   /* (T, E) filled by rollout_compute_gae */
    float* returns;      /* (T, E) advantages + values */
    int    state_dim;    /* critic_obs = state: the privileged state's size, else 0 */
    float* states;       /* (T, E, state_dim) the states of obs (the critic's input), or NULL */
} acrl_rollout;

/* Bytes rollout_init allocates (saturating at SIZE_MAX, see util/size.h). */
size_t rollout_bytes(int num_steps, int num_envs, int obs_dim, int act_dim);
/* Allocates every array; returns 0, or -1 when out of memory (buffer left empty). */
int  rollout_init(acrl_rollout* r, int num_steps, int num_envs, int obs_dim, int act_dim);
void rollout_free(acrl_rollout* r);
/* Adds the states array (critic_obs = state) to an initialized rollout: 0, or -1 (no memory). */
int  rollout_init_states(acrl_rollout* r, int state_dim);

/* GAE(lambda) over the whole buffer. last_values: (E) V of the observation after the
 * last stored step (for steps that did not end an episode there). */
void rollout_compute_gae(acrl_rollout* r, const float* last_values, float gamma, float lambda);

/* Normalizes x (n) in place to zero mean and unit std (std computed with n-1, +1e-8,
 * as Stable-Baselines3 and CleanRL do per minibatch). */
void normalize_inplace(float* x, int n);

#endif
