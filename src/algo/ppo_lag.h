/* ppo_lag.h - the PPO-Lagrangian learner (ppo_lag.c) as a piece other algorithms run: the
 * two-stage constrained actor-critic (tscac.c) trains one per cost signal in its stage one.
 * `acrl train ppo-lag` is this learner on the env's first cost signal. */
#ifndef ACRL_PPO_LAG_H
#define ACRL_PPO_LAG_H

#include <stddef.h>

#include "algo/algo.h"
#include "algo/lagrange.h"
#include "algo/onpolicy.h"
#include "algo/ppo.h"

typedef struct {
    ppo_config ppo;            /* first: PPO's table applies at offset 0 */
    float cost_limit;          /* d: the bound on the expected episode cost */
    float lagrangian_init;     /* lambda_0 */
    float lagrangian_lr;       /* Adam learning rate of lambda */
    float cost_gae_lambda;     /* GAE lambda of the cost advantages */
    float cost_critic_l2;      /* coefficient of sum(theta^2) added to the cost critic's loss */
} ppo_lag_config;

/* OmniSafe's PPOLag settings (see ppo_lag.c). */
void ppo_lag_defaults(void* cfg);

/* Config-table entries of a ppo_lag_config stored base bytes into a config struct. */
#define PPO_LAG_FIELD(base, k) ((base) + offsetof(ppo_lag_config, k))
#define PPO_LAG_CONFIG_ENTRIES(base)                                                                         \
    PPO_CONFIG_ENTRIES(PPO_LAG_FIELD(base, ppo)),                                                            \
    {"cost_limit", ACRL_CFG_FLOAT, PPO_LAG_FIELD(base, cost_limit), 0, 1e9, NULL,                            \
     "bound on the expected episode cost (first cost signal)"},                                              \
    {"lagrangian_init", ACRL_CFG_FLOAT, PPO_LAG_FIELD(base, lagrangian_init), 0, 1e6, NULL,                  \
     "initial Lagrange multiplier"},                                                                         \
    {"lagrangian_lr", ACRL_CFG_FLOAT, PPO_LAG_FIELD(base, lagrangian_lr), 0, 10, NULL,                       \
     "Adam learning rate of the Lagrange multiplier"},                                                       \
    {"cost_gae_lambda", ACRL_CFG_FLOAT, PPO_LAG_FIELD(base, cost_gae_lambda), 0, 1, NULL,                    \
     "GAE lambda of the cost advantages"},                                                                   \
    {"cost_critic_l2", ACRL_CFG_FLOAT, PPO_LAG_FIELD(base, cost_critic_l2), 0, 100, NULL,                    \
     "L2 coefficient on the cost critic's weights"}

typedef struct {
    void*          base;        /* the PPO learner (ppo.h); its first member is an onpolicy_learner */
    ppo_lag_config cfg;
    float          gamma;
    int            num_costs;   /* K of the env */
    int            cost_index;  /* the constrained signal, 0..K-1 */
    acrl_params    cp;          /* cost critic obs -> net_arch -> 1 */
    acrl_mlp       critic;
    acrl_optim     copt;
    acrl_rng       rng;         /* cost critic init */
    long           cupdates;    /* cost critic steps */
    acrl_lagrange  lag;
    /* per rollout (T * E) */
    float *cost, *cvalue, *cfinal, *cadv, *cret;
    /* minibatch scratch (batch_size) */
    float *mb_obs, *mb_d;
    /* per-rollout figures */
    double jc_sum;              /* finished episodes' cost sums this rollout */
    int    jc_n;
    double last_jc, cvl_sum;
    int    cvl_n;
    double last_cvl;
    /* checkpoint section names: "<prefix>.cost", "<prefix>.lambda" (standalone: "ppo_lag") */
    char   cost_name[64], lambda_name[64];
    uint8_t lag_buf[ACRL_LAGRANGE_BYTES];
} ppo_lag;

/* A learner constraining cost signal cost_index of ctx's env. prefix names the PPO learner's
 * checkpoint sections and, with ".cost" / ".lambda", the cost critic's and the multiplier's;
 * NULL: those of `acrl train ppo-lag` ("ppo", "ppo_lag.cost", "ppo_lag.lambda"; at most 40
 * characters). NULL + message if the env has no such signal or the config does not fit. */
ppo_lag* ppo_lag_init(const ppo_lag_config* cfg, const acrl_algo_ctx* ctx, int cost_index, const char* prefix,
                      char* err, size_t errlen);
void     ppo_lag_free(ppo_lag* a);
/* The PPO learner (policy, reward critic, RNG, update count). */
onpolicy_learner* ppo_lag_learner(ppo_lag* a);
/* Fills the rollout from c with the learner's policy, then the reward and cost advantages.
 * 0, or -1 with a message. */
int ppo_lag_collect(ppo_lag* a, acrl_collector* c, char* err, size_t errlen);
/* After ppo_lag_collect: lambda's step towards cost_limit, the combined advantage and PPO's
 * epochs (the cost critic trained on the same minibatches); progress in [0, 1) drives the
 * schedules. Writes metrics m (M_COUNT). 0, or -1 with a message. */
int ppo_lag_update(ppo_lag* a, acrl_collector* c, double progress, double* m, char* err, size_t errlen);
int ppo_lag_save(ppo_lag* a, acrl_ckpt_writer* w);
int ppo_lag_load(ppo_lag* a, const acrl_ckpt* c, char* err, size_t errlen);

#endif
