/* onpolicy.h - experience collection shared by PPO, A2C and A3C. */
#ifndef ACRL_ONPOLICY_H
#define ACRL_ONPOLICY_H

#include "acrl/io.h"
#include "algo/collector.h"
#include "algo/policy.h"
#include "algo/rollout.h"
#include "dist/layout.h"

/* A2C's configuration, which A3C's embeds (Stable-Baselines3's A2C defaults). */
typedef struct {
    int   n_steps;
    float learning_rate;
    int   lr_schedule;            /* 0 constant, 1 linear to 0 */
    float gae_lambda;
    int   normalize_advantage;
    float ent_coef, vf_coef, max_grad_norm;
    int   optimizer;              /* 0 rmsprop, 1 adam */
    float optim_eps;
    acrl_policy_config pol;       /* net_arch, activation, shared_trunk, ortho_init, log_std_init, gSDE */
} a2c_config;

void a2c_config_default(a2c_config* c);

extern const char* const onpolicy_schedule_names[]; /* "constant", "linear" */
extern const char* const a2c_optimizer_names[];     /* "rmsprop", "adam" */

/* Config-table entries of an a2c_config stored base bytes into a config struct. */
#define A2C_FIELD(base, k) ((base) + offsetof(a2c_config, k))
#define A2C_CONFIG_ENTRIES(base)                                                                          \
    {"n_steps", ACRL_CFG_INT, A2C_FIELD(base, n_steps), 1, 1e7, NULL, "steps per env per update"},           \
    {"learning_rate", ACRL_CFG_FLOAT, A2C_FIELD(base, learning_rate), 0, 1, NULL, "learning rate"},          \
    {"lr_schedule", ACRL_CFG_ENUM, A2C_FIELD(base, lr_schedule), 0, 0, onpolicy_schedule_names, "learning-rate schedule"}, \
    {"gae_lambda", ACRL_CFG_FLOAT, A2C_FIELD(base, gae_lambda), 0, 1, NULL, "GAE lambda (1 = n-step returns)"}, \
    {"normalize_advantage", ACRL_CFG_BOOL, A2C_FIELD(base, normalize_advantage), 0, 0, NULL, "normalize advantages"}, \
    {"ent_coef", ACRL_CFG_FLOAT, A2C_FIELD(base, ent_coef), 0, 10, NULL, "entropy bonus coefficient"},      \
    {"vf_coef", ACRL_CFG_FLOAT, A2C_FIELD(base, vf_coef), 0, 100, NULL, "value loss coefficient"},          \
    {"max_grad_norm", ACRL_CFG_FLOAT, A2C_FIELD(base, max_grad_norm), 0, 1e9, NULL, "global gradient-norm clip (0 = none)"}, \
    {"optimizer", ACRL_CFG_ENUM, A2C_FIELD(base, optimizer), 0, 0, a2c_optimizer_names, "optimizer (A3C: the shared one)"}, \
    {"optim_eps", ACRL_CFG_FLOAT, A2C_FIELD(base, optim_eps), 0, 1, NULL, "optimizer epsilon"},            \
    POLICY_CONFIG_ENTRIES(A2C_FIELD(base, pol))

/* What the PPO and A2C learners begin with, so that acting, checkpointing and the
 * parameter accessor are written once. */
typedef struct {
    const char*  name;       /* checkpoint section prefix: "ppo", "a2c" */
    acrl_params  params;     /* actor, critic and log-std */
    acrl_policy  pol;
    acrl_rng     rng;        /* sampling and minibatch shuffling */
    long         updates;    /* gradient updates done */
} onpolicy_learner;

/* acrl_algo entries for a learner struct whose first member is an onpolicy_learner. */
void         onpolicy_act(void* self, const float* obs, int n, float* actions, bool deterministic);
int          onpolicy_save(void* self, acrl_ckpt_writer* w);
int          onpolicy_load(void* self, const acrl_ckpt* c, char* err, size_t errlen);
acrl_params* onpolicy_params(void* self);
acrl_rng*    onpolicy_act_rng(void* self);
/* The warm start of PPO and A2C (acrl_algo_pretrain_find): means and values regressed, log-std kept. */
struct acrl_pretrain_data;
int          onpolicy_pretrain(void* self, struct acrl_pretrain_data* d, char* err, size_t errlen);


/* Fills the rollout with r->num_steps steps of every copy in c, acting with pol on the
 * weights p (sampling from rng), records V(final obs) of truncated episodes, and
 * computes GAE. Returns 0, or -1 with a message if a value or log-prob is not finite. */
int onpolicy_collect(acrl_policy* pol, const acrl_params* p, acrl_rollout* r, acrl_collector* c,
                     acrl_rng* rng, float gamma, float gae_lambda, char* err, size_t errlen);

/* The same, calling hook (if not NULL) after the step at rollout time t has been stored. */
typedef void (*onpolicy_step_hook)(void* ctx, int t, const acrl_collector* c);
int onpolicy_collect_hook(acrl_policy* pol, const acrl_params* p, acrl_rollout* r, acrl_collector* c,
                          acrl_rng* rng, float gamma, float gae_lambda, onpolicy_step_hook hook, void* hook_ctx,
                          char* err, size_t errlen);

/* The rollout's size n_steps * n_envs in steps, or -1 with a message naming algo if it is
 * above ACRL_MAX_ROWS (util/size.h). */
int onpolicy_rollout_rows(const char* algo, int n_steps, int n_envs, char* err, size_t errlen);

/* 1 - Var(returns - values) / Var(returns) over the rollout (NaN if Var(returns) = 0). */
double onpolicy_explained_variance(const acrl_rollout* r);

/* Advantage actor-critic gradient of the whole rollout, accumulated into p->grad:
 *   loss = -mean(A * logp) - ent_coef * mean(entropy) + vf_coef * mean((V - R)^2).
 * w_logp, dvalue, logp, ent, adv: scratch of num_steps * num_envs floats.
 * Writes policy_loss, value_loss and entropy into m. */
void onpolicy_a2c_backward(acrl_policy* pol, acrl_params* p, const acrl_rollout* r, bool normalize_advantage,
                           float ent_coef, float vf_coef, float* adv, float* w_logp, float* dvalue,
                           float* logp, float* ent, double* m);

/* ---- data-parallel updates (dist/layout.h; docs/distributed.md) -------------------------
 * Each rank holds the rollout of its copies. The advantages, returns and values of all
 * copies are gathered once per rollout (global order t * E + e), so minibatch choice and
 * advantage normalization are those of one process; each shard computes the gradient of its
 * rows (divided by the whole batch size) and metric sums; the shards' partials are then
 * added in shard order on every rank, so all ranks take the same optimizer step. */
typedef struct {
    const acrl_layout* L;
    int     n_steps, nm;          /* rollout length; metric sums per partial */
    size_t  nparams, msg;         /* floats per gradient; bytes per shard message */
    float  *g_adv, *g_ret, *g_val;/* (n_steps * E) gathered */
    float  *xsend, *xrecv;        /* rollout exchange */
    unsigned char *psend, *precv; /* partial exchange */
} onpolicy_dp;

int  onpolicy_dp_init(onpolicy_dp* d, const acrl_layout* L, int n_steps, size_t nparams, int nm);
void onpolicy_dp_free(onpolicy_dp* d);
/* Gathers r's advantages, returns and values of every rank into g_*. */
int  onpolicy_dp_gather(onpolicy_dp* d, const acrl_rollout* r, char* err, size_t errlen);
/* The local index in r of global index g (t * E + e); -1 if another shard than local
 * shard s holds it. */
int  onpolicy_dp_local(const onpolicy_dp* d, int g, int s);
/* Stores p->grad and nm metric sums as local shard s's partial. */
void onpolicy_dp_put(onpolicy_dp* d, int s, const acrl_params* p, const double* m);
/* p->grad = the partials of all shards added in shard order; m (nm) likewise. */
int  onpolicy_dp_reduce(onpolicy_dp* d, acrl_params* p, double* m, char* err, size_t errlen);
/* onpolicy_explained_variance over the gathered returns and values. */
double onpolicy_dp_explained_variance(const onpolicy_dp* d);

#endif
