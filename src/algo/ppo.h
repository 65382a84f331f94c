/* ppo.h - one PPO minibatch update from given data, for tests against reference values. */
#ifndef ACRL_PPO_H
#define ACRL_PPO_H

#include <stddef.h>

#include "algo/algo.h"

#include "acrl/io.h"
#include "algo/onpolicy.h"
#include "algo/rollout.h"

/* PPO's configuration (Stable-Baselines3's PPO defaults from ppo_defaults) and its config-table
 * entries for a ppo_config stored base bytes into a config struct (PPO-Lagrangian embeds it). */
typedef struct {
    int   n_steps, batch_size, n_epochs;
    float learning_rate;
    int   lr_schedule;            /* 0 constant, 1 linear to 0 */
    float gae_lambda;
    float clip_range;
    int   clip_range_schedule;
    float clip_range_vf;          /* <= 0: value loss not clipped */
    int   normalize_advantage;
    float ent_coef, vf_coef, max_grad_norm;
    float target_kl;              /* <= 0: no early stop */
    float adam_eps;
    int   obs_norm_warmup;        /* ppo's key only: rollouts collected before training for the observation
                                   * statistics alone, which then stay frozen (RLtools' PPO: 1); 0: none */
    acrl_policy_config pol;       /* net_arch, activation, shared_trunk, ortho_init, log_std_init, gSDE */
} ppo_config;

void ppo_defaults(void* cfg);
#define PPO_CONFIG_ENTRIES(base) \
    {"n_steps", ACRL_CFG_INT, (base) + offsetof(ppo_config, n_steps), 1, 1e7, NULL, "steps per env per rollout"}, \
    {"batch_size", ACRL_CFG_INT, (base) + offsetof(ppo_config, batch_size), 1, 1e8, NULL, "minibatch size"}, \
    {"n_epochs", ACRL_CFG_INT, (base) + offsetof(ppo_config, n_epochs), 1, 1000, NULL, "passes over each rollout"}, \
    {"learning_rate", ACRL_CFG_FLOAT, (base) + offsetof(ppo_config, learning_rate), 0, 1, NULL, "Adam learning rate"}, \
    {"lr_schedule", ACRL_CFG_ENUM, (base) + offsetof(ppo_config, lr_schedule), 0, 0, onpolicy_schedule_names, "learning-rate schedule"}, \
    {"gae_lambda", ACRL_CFG_FLOAT, (base) + offsetof(ppo_config, gae_lambda), 0, 1, NULL, "GAE lambda"}, \
    {"clip_range", ACRL_CFG_FLOAT, (base) + offsetof(ppo_config, clip_range), 0, 10, NULL, "surrogate clip range epsilon"}, \
    {"clip_range_schedule", ACRL_CFG_ENUM, (base) + offsetof(ppo_config, clip_range_schedule), 0, 0, onpolicy_schedule_names, "clip-range schedule"}, \
    {"clip_range_vf", ACRL_CFG_FLOAT, (base) + offsetof(ppo_config, clip_range_vf), 0, 1e9, NULL, "value clip range (0 = no value clipping)"}, \
    {"normalize_advantage", ACRL_CFG_BOOL, (base) + offsetof(ppo_config, normalize_advantage), 0, 0, NULL, "normalize advantages per minibatch"}, \
    {"ent_coef", ACRL_CFG_FLOAT, (base) + offsetof(ppo_config, ent_coef), 0, 10, NULL, "entropy bonus coefficient"}, \
    {"vf_coef", ACRL_CFG_FLOAT, (base) + offsetof(ppo_config, vf_coef), 0, 100, NULL, "value loss coefficient"}, \
    {"max_grad_norm", ACRL_CFG_FLOAT, (base) + offsetof(ppo_config, max_grad_norm), 0, 1e9, NULL, "global gradient-norm clip (0 = none)"}, \
    {"target_kl", ACRL_CFG_FLOAT, (base) + offsetof(ppo_config, target_kl), 0, 100, NULL, "stop the epoch loop when approx KL > 1.5 target (0 = off)"}, \
    {"adam_eps", ACRL_CFG_FLOAT, (base) + offsetof(ppo_config, adam_eps), 0, 1, NULL, "Adam epsilon"}, \
    POLICY_CONFIG_ENTRIES((base) + offsetof(ppo_config, pol))

/* The learner as acrl_algo_ppo makes it (its first member is an onpolicy_learner). */
void* ppo_create(const void* cfg, const acrl_algo_ctx* ctx, char* err, size_t errlen);
void  ppo_destroy(void* self);
/* The learner's rollout buffer, which onpolicy_collect fills. */
acrl_rollout* ppo_rollout(void* self);
/* Called after each minibatch update with the rollout rows idx (n) it used and the learning
 * rate; 0, or -1 with a message (stops the update). */
typedef int (*ppo_minibatch_hook)(void* ctx, const int* idx, int n, float lr, char* err, size_t errlen);
/* PPO's update on the filled rollout (advantages and returns as they are): the epochs of
 * minibatches, with hook (may be NULL) after each. Writes metrics m (M_COUNT). 0 or -1. */
int ppo_train_rollout(void* self, double progress, double* m, ppo_minibatch_hook hook, void* hook_ctx,
                      char* err, size_t errlen);

/* Runs one minibatch update of the PPO learner self (made by acrl_algo_ppo.create) on
 * obs (B, obs_dim), act (B, act_dim), old_logp, old_v, adv, ret (B) with learning rate lr
 * and the configured clip range. losses (4): policy loss, value loss (mean squared error,
 * before vf_coef), mean entropy, gradient norm before clipping. Returns 0, 1 (target-KL
 * stop, nothing updated) or -1 with a message. B <= batch_size. */
int ppo_update_minibatch(void* self, const float* obs, const float* act, const float* old_logp, const float* old_v,
                         const float* adv, const float* ret, int B, float lr, double* losses, char* err,
                         size_t errlen);

#endif
