/* sac.h - SAC's config and the pieces of its update that PMOE (pmoe.c) reuses: the
 * temperature step, the twin soft critics' forward and step (one lane per critic) and
 * the actor's gradient through the critics with the Polyak step of the targets. */
#ifndef ACRL_SAC_H
#define ACRL_SAC_H

#include "algo/offpolicy.h"

typedef struct {
    offp_config off;
    float ent_coef;               /* > 0: fixed temperature; 0: learned */
    float ent_coef_init;          /* initial temperature when learned */
    float target_entropy_scale;   /* Box: target entropy = -scale * |A| */
    float target_entropy_ratio;   /* Discrete: target entropy = ratio * log|A| */
    int   target_update_interval; /* gradient steps between Polyak updates */
    int   n_experts;              /* PMOE's number of experts (not a SAC key) */
    int   action_sequence;        /* actions per decision, executed open loop (SRL; 1: plain SAC) */
} sac_config;

/* SB3's SAC defaults; n_experts 2 (the PMOE reference code's K); action_sequence 1. */
void sac_config_defaults(void* cfg);

#define SAC_E(T, k, t, lo, hi, h) {#k, ACRL_CFG_##t, offsetof(T, k), lo, hi, NULL, h}
/* The Box keys of SAC (the off-policy keys and the temperature). */
#define SAC_BOX_ENTRIES(T)                                                                          \
    OFFP_ENTRIES(T),                                                                                \
    SAC_E(T, ent_coef, FLOAT, 0, 1e4, "fixed entropy temperature alpha (0: tuned automatically)"),  \
    SAC_E(T, ent_coef_init, FLOAT, 1e-8, 1e4, "initial temperature when tuned"),                    \
    SAC_E(T, target_entropy_scale, FLOAT, -1e3, 1e3, "Box: target entropy = -target_entropy_scale * |A|")

/* SAC's warm start (acrl_algo_pretrain_find): offp_pretrain of its actor's means and critics. */
int sac_pretrain(void* self, acrl_pretrain_data* d, char* err, size_t errlen);
/* SAC's action sequences (acrl_algo_sequence_find): with actions NULL returns K; else writes
 * the K actions per decision (n, K, act_dim) in env units for normalized obs (n, obs_dim),
 * n <= the learner's env count, and returns K. */
int sac_act_sequence(void* self, const float* obs, int n, float* actions, bool deterministic);
/* SAC's dynamics model of action sequences (NULL when action_sequence = 1) and its target,
 * for tests: the model maps [obs | act] (learner units) to the next observation. */
acrl_params* sac_model_params(void* sac, bool target);

/* A constrained learner's term in SAC's actor loss (sac_lag.c). Called in every update of
 * continuous SAC after the critics' step with the batch, the policy's reparameterized actions
 * a_pi (B, D) at obs and its Gaussian's mean at next_obs, mean_n (B, D) (tanh(mean_n) is the
 * deterministic next action). It adds the gradient of its term (summed over rows) with respect
 * to each row's action into g_act (B, D), the term's mean into *aloss, and returns the factor
 * (> 0) that scales the whole actor loss; a value <= 0 (or NAN) fails the update with the
 * message it wrote into err. */
typedef float (*sac_actor_term_fn)(void* ctx, const replay_batch* b, int B, const float* a_pi, const float* mean_n,
                                   float* g_act, double* aloss, char* err, size_t errlen);
/* The SAC vtable's learner (acrl_algo_sac.create) gets the term fn(ctx, ...). */
void sac_set_actor_term(void* sac, sac_actor_term_fn fn, void* ctx);
extern const acrl_algo acrl_algo_sac;

/* sac-lag's learner (acrl_algo_sac_lag.create, sac_lag.c) for tests: its SAC learner, the cost
 * critic's store (or its target's) and the multiplier. */
void*        sac_lag_base(void* sac_lag);
acrl_params* sac_lag_cost_params(void* sac_lag, bool target);
double*      sac_lag_lambda(void* sac_lag);

/* Temperature loss -(log alpha * (E[log pi] + target_entropy)) with the policy held fixed:
 * one Adam step of alpha (a store holding log alpha), unless cfg->ent_coef fixes it. */
void sac_temperature_step(acrl_params* alpha, const sac_config* cfg, float target_entropy, double mean_logp);

/* Lane k of the critics' forward: target critic k at cr->in[OFFP_IN_NEXT] (copied into
 * cr->qt[k]) and critic k at cr->in[OFFP_IN_DATA] (kept for its backward), B rows. */
void sac_critic_forward_lane(offp_critic* cr, const acrl_params* critic, const acrl_params* critic_targ, int k, int B);
/* Lane k of the critics' step: loss 0.5 mean_b (Q_k(s, a) - y)^2 (returned), its gradient and
 * the Adam step of critic k's floats (the caller increments critic->step once both lanes are
 * done); then the updated critic k on the n_pi rows of cr->in[OFFP_IN_PI]. Skips the step and
 * the forward when the loss is not finite. */
double sac_critic_step_lane(offp_critic* cr, acrl_params* critic, const float* y, float lr, float eps, int k, int B,
                            int n_pi);
/* Lane k of the actor's step: cr->din[k] (B, in_dim) = dQ_k/dinput for output gradient
 * cr->dout[k] (after the last forward of critic k, of B rows), then, when polyak, the Polyak
 * step of target critic k. */
void sac_actor_grad_lane(offp_critic* cr, const acrl_params* critic, acrl_params* critic_targ, float tau, bool polyak,
                         int k, int B);

#endif
