/* marl_internal.h - shared between the multi-agent envs, the trainer and the tests. */
#ifndef ACRL_MARL_INTERNAL_H
#define ACRL_MARL_INTERNAL_H

#include <stdint.h>

#include "acrl/io.h"
#include "acrl/marl.h"

/* Parsed env settings (acrl_menv_make's args). */
typedef struct {
    int    n_agents;      /* MPE-SimpleSpread-v3: N */
    double local_ratio;
    int    max_cycles;
    double k;             /* PenaltyGame-v0 */
} marl_args;

acrl_menv* marl_mpe_create(const char* id, const marl_args* a, char* err, size_t errlen);
/* NumPy Generator.choice(n) through PCG64's buffered 32-bit draws (buf/has: the buffer). */
int   marl_numpy_choice(uint32_t* buf, int* has, acrl_rng* r, int n);
/* Test access to MPE worlds: NULL / -1 if e is not an MPE env. */
void* marl_mpe_world(acrl_menv* e);
int   marl_mpe_set(acrl_menv* e, int i, double px, double py, double vx, double vy);
int   marl_mpe_get(const acrl_menv* e, int i, double* pos, double* vel);
int   marl_mpe_goal(const acrl_menv* e, int agent);
/* simple_spread's scripted reference: greedy agent-landmark assignment (-1: not spread),
 * then per agent the action whose coasting point lies nearest its landmark. */
int   marl_spread_greedy_assign(const acrl_menv* e, int* assign);
void  marl_spread_greedy_actions(const acrl_menv* e, const int* assign, int* actions);
void  marl_mpe_clear_u32(acrl_menv* e);   /* no-op for other envs */

/* The trainer's configuration (keys in mappo.c's table, `acrl help mappo`). */
typedef struct {
    int   n_timesteps, n_envs, n_steps, n_epochs, n_minibatches;
    float learning_rate, critic_lr, adam_eps, gamma, gae_lambda, clip_range, ent_coef, max_grad_norm, huber_delta;
    int   value_norm, value_clip;
    int   share_policy;            /* 0 auto, 1 true, 2 false */
    acrl_intlist hidden;
    int   activation;              /* 0 tanh, 1 relu */
    int   log_freq, checkpoint_freq, n_eval_episodes;
    float dag_init, dag_acyclic, dag_sparsity, dag_threshold, dag_lr;   /* cabn only */
    char  env_args[ACRL_CONFIG_STR_MAX];
} marl_cfg;

void marl_cfg_defaults(marl_cfg* c);
const acrl_config_entry* marl_config_table(void);

/* MAPPO's value loss: mean over B of the Huber error (delta; 0: squared error / 2) of target - v,
 * with use_clip the larger of it and the error of old + clamp(v - old, +-clip). Writes dv (B;
 * NULL: skip) = dloss/dv. */
double marl_value_loss(float* dv, const float* v, const float* old, const float* target, int B, float clip,
                       float delta, bool use_clip);
/* PPO's clipped surrogate minus ent_coef times the mean entropy, for logits (B, K), actions,
 * old log-probs and advantages (B). dlogits (B, K; NULL: skip) += dloss/dlogits; scratch 3 B
 * floats; stats (4; NULL: skip) = surrogate loss, entropy, approx KL, clip fraction. */
double marl_policy_loss(float* dlogits, const float* logits, const int* act, const float* old_logp,
                        const float* adv, int B, int K, float clip, float ent_coef, float* scratch, double* stats);

/* ---- CA-BN's graph (cabn.c): W, A (N, N) row j = edge j -> i (parent j of agent i) ---- */
/* A = W o W with a zero diagonal. */
void   cabn_adjacency(double* A, const float* W, int N);
/* h = tr(e^{W o W}) - N (zero for a DAG); dW (N, N; NULL: skip) = dh/dW. N <= 16. */
double cabn_acyclicity(double* dW, const float* W, int N);
/* order (N): the agents in sampling order; allowed (N, N): edge j -> i in use (j before i and
 * A_ji >= threshold). */
void   cabn_order(int* order, unsigned char* allowed, const double* A, int N, double threshold);
/* Agent i's actor input out (od + sumK): obs (od), then A_ji one-hot(acts[j]) in agent j's
 * slot (offset koff[j]) for the edges j -> i in use, zeros elsewhere. */
void   cabn_input(float* out, const float* obs, int od, const int* acts, const double* A, const unsigned char* allowed,
                  const int* koff, int sumK, int i, int N);
/* g (N, N) = dL/dW through the inputs, from din (n, in) = dL/d(actor inputs) of rows of agents
 * agent (n) with joint actions acts (n, N). */
void   cabn_w_grad(double* g, const float* W, const unsigned char* allowed, const float* din, int n, int in, int od,
                   const int* koff, const int* agent, const int* acts, int N);

#endif
