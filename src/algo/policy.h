/* policy.h - the actor-critic network of the on-policy algorithms (PPO, A2C, A3C).
 *
 * Actor and critic live in one parameter store: separate MLPs (obs -> hidden -> out),
 * or a shared trunk (obs -> hidden, activation) with a linear policy head and a
 * linear value head. Discrete spaces get a categorical over logits; Box spaces a
 * diagonal Gaussian with a state-independent, learned log-std (one per action dim).
 * A policy holds only activations and scratch; the weights are read from whatever
 * store is passed in (A3C workers keep their own copy of the shared weights). */
#ifndef ACRL_POLICY_H
#define ACRL_POLICY_H

#include "acrl/env.h"
#include "acrl/nn.h"
#include "acrl/io.h"
#include "acrl/dist.h"

typedef struct {
    int  obs_dim, act_dim;     /* act_dim: Box dims, 1 for Discrete */
    int  n_out;                /* policy head width: K logits or D means */
    bool discrete, shared;
    int  max_batch;
    acrl_act act;
    acrl_mlp pi, vf;           /* separate: full MLPs; shared: the two linear heads */
    acrl_mlp trunk;            /* shared only: obs -> hidden (pre-activation output) */
    size_t log_std_off;        /* Box: (D) */
    float* trunk_h;            /* (max_batch, hidden) activated trunk output */
    float* dtrunk;             /* (max_batch, hidden) gradient wrt the activated trunk output */
    float* dpre;               /* (max_batch, hidden) gradient wrt the trunk pre-activation */
    float* log_std;            /* (max_batch, D) broadcast log-std */
    float* dhead;              /* (max_batch, n_out) */
    float* dlog_std;           /* (max_batch, D) */
    float* dvalue;             /* (max_batch) */
    float* eps;                /* (max_batch, D) */
    int*   iact;               /* (max_batch) */
    float* cat_logp;           /* Discrete: (max_batch, K) log-softmax of the last forward's logits */
    float* cat_probs;          /* Discrete: (max_batch, K) softmax */
    float* cat_ent;            /* Discrete: (max_batch) entropies */
    bool   cat_ready;          /* cat_* hold the last forward's values (set by evaluate) */
    const float* head;         /* (B, n_out) last forward's logits / means */
    const float* value;        /* (B) last forward's values */
    int    batch;
} acrl_policy;

typedef struct {
    acrl_intlist hidden;       /* e.g. 64,64 */
    const char*  activation;   /* "tanh", "relu", ... */
    bool  shared;              /* shared trunk */
    bool  ortho_init;          /* orthogonal (gains sqrt 2 / 0.01 / 1) or PyTorch default init */
    float log_std_init;
} acrl_policy_config;

/* Declares the policy's tensors in p (not finalized) and allocates scratch for max_batch. */
int  policy_build(acrl_policy* pol, acrl_params* p, int obs_dim, const acrl_space* act_space,
                  const acrl_policy_config* cfg, int max_batch, char* err, size_t errlen);
/* Initializes the weights in the finalized store p. */
void policy_init(const acrl_policy* pol, acrl_params* p, const acrl_policy_config* cfg, acrl_rng* rng);
void policy_free(acrl_policy* pol);

/* Forward of obs (B, obs_dim): fills pol->head, pol->value and the log-std scratch. */
void policy_forward(acrl_policy* pol, const acrl_params* p, const float* obs, int B);
/* After forward: samples actions (B, act_dim) and their log-probs (B). */
void policy_sample(acrl_policy* pol, float* actions, float* logp, acrl_rng* rng);
/* After forward: the most likely actions (B, act_dim). */
void policy_mode(acrl_policy* pol, float* actions);
/* After forward: log-probs (B) of given actions (B, act_dim) and entropies (B; NULL: skip). */
void policy_evaluate(acrl_policy* pol, const float* actions, float* logp, float* entropy);
/* After forward: p->grad += gradient of
 *   sum_b [ w_logp[b] * logp_b + w_ent * entropy_b + dvalue[b] * value_b ]
 * for the given actions. w_logp (B), dvalue (B; NULL: no value term). */
void policy_backward(acrl_policy* pol, acrl_params* p, const float* actions, const float* w_logp,
                     float w_ent, const float* dvalue);

#endif
