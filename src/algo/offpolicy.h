/* offpolicy.h - what the off-policy actor-critic algorithms (DDPG, TD3, SAC, discrete SAC, DSAC-T, STAC)
 * share: the common config keys, the collect-then-train loop over a replay buffer, action
 * scaling to Box bounds, Q networks over (obs, act), and checkpoint sections. Each
 * algorithm's update is a pure function of a sampled batch and its noise, declared here
 * so that tests can drive one update with injected noise and compare it to PyTorch.
 *
 * Actions inside the learner are in [-1, 1]^D for Box spaces (the replay buffer stores
 * them so, as SB3 does); the env gets low + (a + 1) (high - low) / 2. Discrete actions
 * are stored as one float holding the index. */
#ifndef ACRL_OFFPOLICY_H
#define ACRL_OFFPOLICY_H

#include <math.h>
#include <signal.h>
#include <stddef.h>

#include "algo/algo.h"
#include "algo/replay.h"

/* Keys every off-policy algorithm has (embedded as the first member `off` of its config). */
typedef struct {
    int   buffer_size;        /* replay capacity in transitions */
    int   learning_starts;    /* env steps (all copies) of uniform random actions before training */
    int   batch_size;
    int   train_freq;         /* vectorized env steps between training phases */
    int   gradient_steps;     /* updates per training phase; -1: train_freq (one per vectorized step) */
    int   n_step;             /* n-step returns (1: plain TD) */
    float learning_rate;      /* Adam, every network (and the temperature) */
    float tau;                /* Polyak coefficient of the target networks */
    acrl_intlist net_arch;    /* hidden widths of actor and critics */
    char  activation[ACRL_CONFIG_STR_MAX];
    int   save_buffer;        /* put the replay buffer into checkpoints (exact resume) */
    int   layer_norm;         /* hidden layers Linear -> [Dropout] -> LayerNorm -> act (STAC's key) */
    float dropout;            /* inverted dropout after each hidden linear (STAC's key; 0: none) */
    float adam_eps;           /* Adam's epsilon, every network and the temperature (PyTorch's 1e-8) */
    char  offline_data[ACRL_CONFIG_STR_MAX]; /* transitions file mixed into every batch ("": none) */
    float offline_ratio;      /* share of each batch drawn from offline_data */
    int   offline_pretrain;   /* updates on offline_data alone before the first env step */
    int   precision;          /* OFFP_FLOAT, OFFP_BF16 (float where the CPU lacks avx512_bf16), OFFP_BF16_STRICT */
    int   bf16_min_width;     /* bf16: layers with input and output at least this wide */
    char  extractor[ACRL_CONFIG_STR_MAX]; /* "mlp", or "cnn": every network reads the image through its own CNN */
    acrl_intlist cnn_channels, cnn_kernels, cnn_strides, cnn_pools; /* per conv layer (strides, pools empty: 1) */
    acrl_intlist cnn_input;   /* (C, H, W): set from the env's observation shape */
} offp_config;

enum { OFFP_FLOAT = 0, OFFP_BF16 = 1, OFFP_BF16_STRICT = 2 };
extern const char* const offp_precision_names[];

/* SB3's defaults for SAC: buffer 1e6, learning_starts 100, batch 256, train_freq 1,
 * gradient_steps 1, lr 3e-4, tau 0.005, 256,256 ReLU. */
void offp_defaults(offp_config* c);

#define OFFP_E(T, k, t, lo, hi, h) {#k, ACRL_CFG_##t, offsetof(T, off.k), lo, hi, NULL, h}
#define OFFP_ENTRIES(T)                                                                                           \
    OFFP_E(T, buffer_size, INT, 1, 1e9, "replay buffer capacity (transitions)"),                                 \
    OFFP_E(T, learning_starts, INT, 0, 2e9, "env steps with uniform random actions before training"),            \
    OFFP_E(T, batch_size, INT, 1, 1e6, "minibatch size of each gradient step"),                                  \
    OFFP_E(T, train_freq, INT, 1, 1e7, "vectorized env steps between training phases"),                          \
    OFFP_E(T, gradient_steps, INT, -1, 1e6, "gradient steps per training phase (-1: train_freq; 0 is refused)"), \
    OFFP_E(T, n_step, INT, 1, 1000, "n-step returns (1: one-step TD targets)"),                                  \
    OFFP_E(T, learning_rate, FLOAT, 0, 1, "Adam learning rate (actor, critics, temperature)"),                   \
    OFFP_E(T, tau, FLOAT, 0, 1, "Polyak coefficient of the target networks"),                                    \
    OFFP_E(T, net_arch, INTLIST, 1, 4096, "hidden layer widths of actor and critics, e.g. 256,256"),             \
    OFFP_E(T, activation, STRING, 0, 0, "hidden activation: relu, tanh, elu, gelu"),                             \
    OFFP_E(T, save_buffer, BOOL, 0, 0, "store the replay buffer in checkpoints (exact resume)"),                 \
    OFFP_E(T, adam_eps, FLOAT, 1e-12, 1, "Adam's epsilon (every network and the temperature)"),                   \
    OFFP_E(T, offline_data, STRING, 0, 0, "transitions file (acrl buffer export) mixed into every batch"),         \
    OFFP_E(T, offline_ratio, FLOAT, 0, 1, "share of each batch drawn from offline_data (rounded to rows)"),        \
    OFFP_E(T, offline_pretrain, INT, 0, 1e7, "gradient steps on offline_data alone before the first env step"),   \
    {"precision", ACRL_CFG_ENUM, offsetof(T, off.precision), 0, 0, offp_precision_names,                          \
     "float, bf16 (the wide layers' products in bfloat16 with float sums and weights; float with a notice where "  \
     "the CPU lacks avx512_bf16) or bf16_strict (refused there)"},                                                 \
    OFFP_E(T, bf16_min_width, INT, 1, 65536, "precision = bf16: layers whose input and output are this wide or wider"), \
    OFFP_E(T, extractor, STRING, 0, 0, "feature extractor: mlp (flat) or cnn (observations with a (C, H, W) shape; "   \
           "actor and each critic get their own convolutions)"),                                                    \
    OFFP_E(T, cnn_channels, INTLIST, 1, 4096, "cnn: output channels per conv layer, e.g. 16,32"),                    \
    OFFP_E(T, cnn_kernels, INTLIST, 1, 64, "cnn: square kernel size per conv layer (padding k/2)"),                  \
    OFFP_E(T, cnn_strides, INTLIST, 1, 64, "cnn: stride per conv layer (empty: 1)"),                                  \
    OFFP_E(T, cnn_pools, INTLIST, 1, 64, "cnn: max-pooling window after each conv layer's activation (empty or 1: none)"), \
    OFFP_E(T, cnn_input, INTLIST, 1, 1e6, "cnn: observation shape C,H,W (filled in from the env)")

typedef struct offp_worker offp_worker; /* the second update thread (offpolicy.c) */
typedef struct offp_dist offp_dist;     /* distributed learner/collectors (offpolicy.c) */

/* State every off-policy learner has. */
typedef struct {
    offp_config cfg;
    int    obs_dim, act_dim;  /* act_dim: Box dims, 1 for Discrete */
    int    num_envs, max_batch;
    bool   discrete;
    int    n_actions;         /* Discrete: n */
    float  gamma;
    float* act_scale;         /* (act_dim) Box: (high - low) / 2 */
    float* act_bias;          /* (act_dim) Box: (high + low) / 2 */
    acrl_replay  rb;
    acrl_replay  offline;     /* offline_data's transitions (one copy; slots 0 when none) */
    bool         offline_only; /* offp_sample draws whole batches from offline (pre-training) */
    replay_batch batch;
    acrl_rng rng;             /* the learner's: random actions, exploration, minibatches, noise */
    int64_t  counters[2];     /* updates done, vectorized steps done (checkpoint section) */
    float* obs;               /* (E, obs_dim) observations the actions were chosen for */
    float* next_obs;          /* (E, obs_dim) real next observations (final ones at episode ends) */
    float* act;               /* (E, act_dim) actions in learner units */
    float* act_env;           /* (E, act_dim) the same in env units */
    offp_worker* worker;      /* the second update thread (NULL: threads <= 1) */
    offp_dist*   dist;        /* under mpirun with R > 1 ranks (ctx->layout), else NULL */
    /* critic_obs = state (ctx->critic_dim > 0): the critics read privileged states, which the
     * buffer and batches store beside the observations (rb.state, batch.state); else 0, NULL */
    int    critic_dim;
    float* state;             /* (E, critic_dim) states of obs */
    float* next_state;        /* (E, critic_dim) states of next_obs */
} offp_core;

#define OFFP_UPDATES(o) ((o)->counters[0])

/* The first member of every off-policy learner: the shared state and the parameter stores
 * (a store the algorithm does not use stays empty, count 0). Tests and benchmarks reach a
 * learner's weights through it. */
typedef struct {
    offp_core   core;
    acrl_params actor, actor_targ, critic, critic_targ, alpha;
} offp_learner;

/* The five stores empty (offp_learner_init) before any build, so that a failed create can
 * always call offp_learner_free: the core (offp_free) and the five stores. */
void offp_learner_init(offp_learner* L);
void offp_learner_free(offp_learner* L);
/* *slots[i] = count zeroed floats, for each of the n slots; -1 when any allocation failed
 * (the caller's destroy frees what was allocated). */
int  offp_alloc_floats(float** const* slots, size_t n, size_t count);
/* Message "non-finite WHAT in ALGO update N" into err; returns -1 (an update's failure). */
int  offp_nonfinite(char* err, size_t errlen, const char* algo, const char* what, long update);
/* softplus as torch.nn.functional.softplus (threshold 20) and its derivative. */
static inline float offp_softplus(float x) { return x > 20.0f ? x : log1pf(expf(x)); }
static inline float offp_softplus_grad(float x) {
    if (x > 20.0f) return 1.0f;
    const float z = expf(x);
    return z / (z + 1.0f);
}

/* Refuses, before anything is allocated, a configuration whose replay buffer, minibatch
 * and net_bytes of networks (the algorithm's estimate, e.g. from offp_mlp_bytes) do not fit
 * in memory: 0, or -1 with a message naming algo and the size needed. */
int  offp_check_memory(const char* algo, const offp_config* cfg, const acrl_algo_ctx* ctx, int max_batch,
                       size_t net_bytes, char* err, size_t errlen);
/* Bytes offp_mlp_build / offp_critic_build allocate, with the parameters' four buffers. */
size_t offp_mlp_bytes(int in_dim, int out_dim, const offp_config* cfg, int max_batch);
size_t offp_critic_bytes(int n, int in_dim, int out_dim, const offp_config* cfg, int max_batch);
/* Checks the spaces (Box with finite bounds; Discrete only if allow_discrete) and the
 * config (buffers refused as by offp_check_memory without networks), allocates the buffer
 * and scratch, seeds the learner RNG (stream 2), and starts the second update thread when
 * ctx->threads > 1. */
int  offp_init(offp_core* o, const offp_config* cfg, const acrl_algo_ctx* ctx, bool allow_discrete, int max_batch,
               char* err, size_t errlen);
void offp_free(offp_core* o);
/* The batch of one update (B rows into o->batch): uniform from the replay buffer, or, with
 * offline_data, round(B * offline_ratio) rows from the offline transitions after the others
 * (all B while offline_pretrain's updates run). */
void offp_sample(offp_core* o, int B);
/* Env actions (n, act_dim) from learner actions (n, act_dim). */
void offp_to_env(const offp_core* o, const float* a, float* env, int n);

/* What an algorithm plugs into the shared loop. */
typedef struct {
    /* Exploration actions o->act (E, act_dim) for observations obs (E, obs_dim). */
    void (*explore)(void* self, const float* obs, int E);
    /* One gradient step on a batch it samples itself; adds metrics into sums (M_COUNT + 1;
     * sums[OFFP_ACTOR_STEPS] counts actor updates, which average M_POLICY_LOSS);
     * -1 + message on a non-finite loss. */
    int (*train_step)(void* self, double* sums, char* err, size_t errlen);
    /* Called when copy e's episode ended (e.g. reset its OU noise); may be NULL. */
    void (*episode_end)(void* self, int e);
    unsigned metrics;  /* bit k set: the steps report metric k (others stay NAN) */
} offp_hooks;

#define OFFP_ACTOR_STEPS M_COUNT

/* One iteration: train_freq vectorized steps (random actions during warm-up, else
 * explore), each stored in the buffer, then the due gradient steps. m gets the mean of
 * the steps' metrics (NAN when none ran). */
int  offp_iterate(offp_core* o, void* self, const offp_hooks* h, acrl_collector* c, double* m, char* err, size_t errlen);

/* ---- two lanes: an update's independent halves on two threads ---------------------------
 *
 * An update is cut into phases whose work splits into two lanes that write disjoint memory
 * (twin critic k is lane k; the actor at obs and the actor at next_obs are lanes 0 and 1).
 * With a worker, lane 1 runs on it while the caller runs lane 0; without one, the caller runs
 * lane 0 then lane 1. Lanes combine their results only after the join, in a fixed order, so
 * an update gives bit-identical results for any thread count. The worker spins briefly for
 * the next phase, then sleeps on a condition variable (the machines are shared). */

/* Runs fn(arg, 0) and fn(arg, 1) (on two threads when o has a worker) and returns when both
 * are done. The worker runs with the caller's floating-point control (MXCSR: FTZ/DAZ). */
void offp_lanes(offp_core* o, void (*fn)(void* arg, int lane), void* arg);

/* Sections "<prefix>.rng", "<prefix>.counters" and, with save_buffer, the buffer. */
/* ---- distributed off-policy (docs/distributed.md) -------------------------------------
 * Rank 0 is the learner and holds the replay buffer; ranks 1..R-1 are collectors, each
 * stepping n_envs / (R - 1) copies (global indices first_env..) with the policy the learner
 * last broadcast. Every iteration each collector steps train_freq times and sends its
 * transitions (gather); the learner adds them in copy order, broadcasts its actor when
 * sync_interval updates were made since the last broadcast, then takes gradient_steps
 * updates (the configured update-to-data ratio) while the collectors already step the next
 * iteration: a fixed schedule, so reruns with the same R are byte-identical. offp_iterate
 * does all of this when o->dist is set (every algorithm whose learner begins with an
 * offp_learner). */
/* A collector's checkpoint part (collector snapshot, exploration generator, the actor it
 * holds, its vectorized-step count); 0 bytes on the learner. */
size_t offp_dist_part_bytes(const offp_core* o, const acrl_collector* c);
void   offp_dist_part_save(const offp_core* o, const acrl_collector* c, void* buf);
int    offp_dist_part_load(offp_core* o, acrl_collector* c, const void* buf, size_t len, char* err, size_t errlen);
/* Learner's broadcast counter (updates at the last broadcast), for checkpoints. */
int64_t* offp_dist_last_sync(offp_core* o);

/* sync = 0 (layout->sync; docs/distributed.md): the collectors step freely and send batches of
 * train_freq vectorized steps as they fill; the learner adds what has arrived, makes the
 * updates the received env steps call for at the configured ratio (waiting for data only when
 * it has made them all), and sends its actor every sync_interval updates without making the
 * collectors wait; flow control (max_lag) keeps a collector's data within max_lag weight
 * versions of the learner's updates, and the learner within max_lag versions (+ one training
 * phase) of the actor that chose any collector's last batch. A collector's offp_iterate runs until the learner stops
 * it; the learner's makes the updates due. The learner's checkpoints hold its own state
 * only (a resume restarts the collectors' env copies: not exact). */
/* Learner, after its last iteration: stops every collector and takes (drops) what they still
 * send, until each has said it is done. 0 elsewhere and under sync = 1. */
int  offp_dist_finish(offp_core* o, acrl_collector* c, char* err, size_t errlen);
/* Learner: a collector asked to stop (its process got a stop request). */
bool offp_dist_stop_requested(const offp_core* o);
/* Collector: the process's stop request flag (a signal), passed on to the learner. */
void offp_dist_set_stop_flag(offp_core* o, volatile sig_atomic_t* flag);

#define OFFP_DIST_INFO_MAX 1024
typedef struct {
    int64_t received;          /* env steps the learner added from this collector */
    int64_t taken;             /* env steps it took (sync = 0: as it reported at the stop) */
    int64_t dropped;           /* sync = 0: env steps that reached the learner after the stop */
    double  wait_s;            /* sync = 0: seconds it waited for credit (NAN under sync = 1) */
} offp_dist_collector_info;
typedef struct {
    int     sync, collectors;
    int64_t updates;           /* the learner's */
    double  wait_s;            /* sync = 0: seconds the learner waited for data */
    double  lag_mean;          /* sync = 0: updates made between the actor that chose a batch and its arrival */
    int64_t lag_max;           /* (-1 / NAN: none) */
    offp_dist_collector_info c[OFFP_DIST_INFO_MAX]; /* collectors 1..R-1 (the first OFFP_DIST_INFO_MAX) */
} offp_dist_info;
/* Learner (rank 0): the figures of a distributed run (zeroes when not distributed). */
void offp_dist_stats(const offp_core* o, offp_dist_info* s);

int  offp_save(offp_core* o, acrl_ckpt_writer* w, const char* prefix);
int  offp_load(offp_core* o, const acrl_ckpt* c, const char* prefix, char* err, size_t errlen);

/* ---- Q networks over the store of the critics ---------------------------------------- */

/* n (1 or 2) MLPs "q0", "q1": in_dim -> hidden -> out_dim in one store; the targets are a
 * second store built by the same call. Holds the input/gradient scratch, one set per critic
 * so that the critics can run on two lanes at once. */
#define OFFP_IN_NEXT 0  /* input slots: [s' | a'] for the target critics */
#define OFFP_IN_DATA 1  /*              [s | a] from the batch (kept for the critics' backward) */
#define OFFP_IN_PI   2  /*              [s | pi(s)] for the actor step */
typedef struct {
    int      n, in_dim, out_dim, max_batch;
    acrl_mlp q[2];
    float*   in[3];             /* (max_batch, in_dim) each: the inputs of one update's forwards */
    float*   din[2];            /* (max_batch, in_dim) critic i's gradient wrt its input */
    float*   dout[2];           /* (max_batch, out_dim) critic i's output gradient */
    float*   qt[2];             /* (max_batch, out_dim) copy of target critic i's output */
    const float* out[2];        /* (B, out_dim) critic i's last forward's output */
} offp_critic;

int  offp_critic_build(offp_critic* cr, acrl_params* p, int n, int in_dim, int out_dim, const offp_config* cfg,
                       int max_batch, char* err, size_t errlen);
void offp_critic_free(offp_critic* cr);
/* cr->in[slot] (B, od + ad) = [obs | act]. */
void offp_critic_input(offp_critic* cr, int slot, const float* obs, const float* act, int B, int od, int ad);
/* Forward of all critics on cr->in[slot] with the weights in p (the critics' or the targets' store). */
void offp_critic_forward(offp_critic* cr, const acrl_params* p, int slot, int B);
/* Floats [*lo, *hi) of p (the critics' store or the targets') that belong to critic i. */
void offp_critic_range(const offp_critic* cr, const acrl_params* p, int i, size_t* lo, size_t* hi);
/* p->grad += d/dparams of sum_b dout_i (B, out) . Q_i for critic i (after a forward on p's layout);
 * din (B, in_dim; NULL: skip) += gradient wrt the input. */
void offp_critic_backward(offp_critic* cr, acrl_params* p, int i, const float* dout, float* din);
/* din (B, in_dim) += gradient wrt the input only (no weight gradients: the actor's step through
 * the critics), after a forward of critic i with the weights in p. */
void offp_critic_input_grad(offp_critic* cr, const acrl_params* p, int i, const float* dout, float* din);

/* q (n) = min over the critics of Q_i(obs, act) with the weights in p (the critics' store),
 * obs (n, obs_dim) normalized, act (n, act_dim) in env units (converted to learner units;
 * Discrete: the index picks the critic's output), in chunks of cr->max_batch rows (uses the
 * OFFP_IN_DATA slot). The acrl_algo qvalue entry of the twin-critic algorithms. NAN for learners
 * with critic_obs = state (their critics read states, not observations). */
void offp_critic_estimate(offp_critic* cr, const acrl_params* p, const offp_core* o, const float* obs,
                          const float* act, int n, float* q);
/* Keeps rows[r] (r < n) of the cached activations of critic i's last forward as its rows r, so
 * that offp_critic_input_grad runs on the n selected rows only (PMOE: the best expert's rows); needs rows[r] >= r. */
void offp_critic_keep_rows(offp_critic* cr, int i, const int* rows, int n);

/* Warm start (acrl_algo_pretrain_find) of a tanh actor and Q critics: Adam regression of tanh of
 * the actor pi's first act_dim outputs per row (of head_width; SAC's mean, TD3's pre-tanh action)
 * towards d->act in learner units (mean squared error), and of every critic at (d->obs, d->q_act) towards d->q; then
 * the target stores copy the networks and the optimizer state starts fresh. 0, or -1 + message. */
int  offp_pretrain(offp_learner* L, acrl_mlp* pi, int head_width, offp_critic* cr, acrl_pretrain_data* d, char* err,
                   size_t errlen);

/* extractor = cnn: the observation space has cfg's image shape and the lists agree; -1 with
 * a message naming the keys if not (offp_check_memory runs it first). */
int offp_check_extractor(const offp_config* cfg, const acrl_space* obs, char* err, size_t errlen);
/* Builds an MLP in_dim -> net_arch -> out_dim in p with cfg's activation, layer norm and dropout
 * (and with extractor = cnn, its own CNN over the image the input rows start with). */
int  offp_mlp_build(acrl_mlp* m, acrl_params* p, const char* name, int in_dim, int out_dim, const offp_config* cfg,
                    int max_batch, char* err, size_t errlen);
/* One Adam step of p at learning rate lr with epsilon eps (after grads are in). */
void offp_adam(acrl_params* p, float lr, float eps);
/* The same step on floats [lo, hi) of p only, as step p->step + 1: the caller increments
 * p->step once every range is done. Elementwise, so ranges may run on different lanes. */
void offp_adam_range(acrl_params* p, float lr, float eps, size_t lo, size_t hi);
/* dst = (1 - tau) dst + tau src on floats [lo, hi) (acrl_params_polyak on a range). */
void offp_polyak_range(acrl_params* dst, const acrl_params* src, float tau, size_t lo, size_t hi);

/* ---- the tanh-squashed Gaussian actor (SAC, DSAC-T, STAC) ----------------------------- */

/* The actor's last layer holds the mean and log-std heads side by side: head (B, 2D) ->
 * mean (B, D), raw log-std ls_raw (B, D) and ls (B, D) = ls_raw clamped to [ls_min, ls_max]. */
void offp_gauss_head_split(const float* head, float* mean, float* ls_raw, float* ls, float ls_min, float ls_max,
                           int B, int D);
/* Gradient of sum_b [g_act_b . a_b + g_logp_b logp_b] * scale wrt the head, for a = tanh(mean +
 * exp(ls) eps): dhead (B, 2D) is overwritten; dmean, dls, dls_raw (B, D) are scratch. g_act (B, D),
 * g_logp (B); mean, ls, ls_raw, eps (B, D) from the forward; keep (B, D, 3) what
 * acrl_squash_rsample_logp kept for them, or NULL (recomputed). */
void offp_gauss_head_backward(float* dhead, float* dmean, float* dls, float* dls_raw, const float* g_act,
                              const float* g_logp, const float* mean, const float* ls, const float* ls_raw,
                              const float* eps, const double* keep, float ls_min, float ls_max, float scale, int B,
                              int D);

/* ---- the algorithms' updates (tests drive these with injected noise) ------------------- */

/* SAC: one update (temperature, critics, actor, Polyak) on batch b (B rows) with
 * reparameterization noise eps_pi (B, D) for the actions at obs and eps_next (B, D) at
 * next_obs. Adds metrics into sums. */
int  sac_update(void* self, const replay_batch* b, int B, const float* eps_pi, const float* eps_next, double* sums,
                char* err, size_t errlen);
/* PMOE: one update on batch b with reparameterization noise eps_pi (B, K, D) for every expert's
 * action at obs, eps_next (B, D) for the next action and u (B) in [0, 1) drawing the next expert
 * from the gate (inverse CDF). */
int  pmoe_update(void* self, const replay_batch* b, int B, const float* eps_pi, const float* eps_next, const float* u,
                 double* sums, char* err, size_t errlen);
/* Discrete SAC: one update (no noise: expectations over all actions). */
int  sacd_update(void* self, const replay_batch* b, int B, double* sums, char* err, size_t errlen);
/* TD3 / DDPG: one update; target smoothing noise eps (B, D) ~ N(0, 1) is scaled by
 * target_policy_noise and clipped; actor and targets are updated when actor_step. */
int  td3_update(void* self, const replay_batch* b, int B, const float* eps, bool actor_step, double* sums,
                char* err, size_t errlen);

/* DSAC-T: one update (critics every call; actor, temperature and targets when the update
 * counter is a multiple of delay) with noise eps_pi (B, D) for the actions at obs, eps_next
 * (B, D) for the target policy's at next_obs, and eps_z (B) ~ N(0, 1) for the sampled return. */
int  dsact_update(void* self, const replay_batch* b, int B, const float* eps_pi, const float* eps_next,
                  const float* eps_z, double* sums, char* err, size_t errlen);
/* STAC: one update (critic, Polyak target, actor, temperature) with noise eps_pi (B, D) at obs
 * and eps_next (B, D) at next_obs; dropout masks are drawn from drop_rng (the learner's RNG in
 * training; a test passes its own). */
int  stac_update(void* self, const replay_batch* b, int B, const float* eps_pi, const float* eps_next,
                 acrl_rng* drop_rng, double* sums, char* err, size_t errlen);

/* TD3's vtable entries, which DDPG shares. */
void* td3_create_from(const void* cfg, const acrl_algo_ctx* ctx, const char* name, char* err, size_t errlen);

#endif
