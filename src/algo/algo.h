/* algo.h - what every algorithm provides to the shared training loop (train.c).
 *
 * An algorithm is a table of functions over its own state. The trainer owns the
 * collector (envs + normalization), the run directory, logs, evaluation and
 * checkpoint files; an algorithm file holds only what makes the algorithm itself. */
#ifndef ACRL_ALGO_H
#define ACRL_ALGO_H

#include "acrl/env.h"
#include "acrl/io.h"
#include "acrl/nn.h"
#include "algo/collector.h"

/* Scalars an iteration reports; NAN = not applicable (empty in progress.csv). */
enum {
    M_POLICY_LOSS, M_VALUE_LOSS, M_ENTROPY, M_APPROX_KL, M_CLIP_FRAC, M_LR, M_GRAD_NORM,
    M_EXPLAINED_VAR, M_Q_LOSS, M_ALPHA, M_Q_SIGMA, M_Q_CLIP, M_COUNT
};
extern const char* const acrl_metric_names[M_COUNT];

typedef struct {
    const acrl_space* obs_space;
    const acrl_space* act_space;
    const char* env_id;
    int      num_envs;
    long     total_steps;
    uint64_t seed;
    int      threads;
    float    gamma;              /* discount (run config) */
    const acrl_collector_options* col_opt; /* how the trainer's collector normalizes */
    /* data-parallel layout (dist/layout.h) when shards > 1, else NULL; num_envs above is
     * then the count of all ranks' copies, this rank holding layout->local_envs of them */
    const acrl_layout* layout;
    /* critic_obs = state: the privileged state's size (the critics' input instead of the
     * observation; the learner is given the states beside the observations), else 0 */
    int critic_dim;
} acrl_algo_ctx;

/* Supervised targets of a warm start: n samples. */
typedef struct acrl_pretrain_data {
    int n;
    const float* obs;     /* (n, obs_dim) observations as act() receives them (normalized) */
    const float* act;     /* (n, act_dim) target actions in env units, inside the Box */
    const float* v;       /* (n) state-value targets (reward units) */
    const float* q_act;   /* (n, act_dim) actions in env units that q belongs to */
    const float* q;       /* (n) Q(obs, q_act) targets */
    int   steps, batch;   /* Adam steps on minibatches of batch rows drawn with replacement */
    float lr;
    acrl_rng* rng;        /* minibatch draws */
    double actor_loss, critic_loss; /* out: mean losses over the last min(steps, 100) steps */
} acrl_pretrain_data;

typedef struct {
    const char* name;                          /* "ppo" */
    const char* summary;                       /* one line for `acrl help train` */
    size_t cfg_size;                           /* sizeof its config struct */
    const acrl_config_entry* cfg_table;
    void (*cfg_defaults)(void* cfg);
    /* Builds the learner; NULL + message if the spaces or the config do not fit. */
    void* (*create)(const void* cfg, const acrl_algo_ctx* ctx, char* err, size_t errlen);
    /* Collects experience with c and updates; progress in [0, 1) is the fraction of
     * the run done (for schedules). Writes metrics (M_COUNT, preset to NAN).
     * Returns 0, or -1 with a message (e.g. a NaN, naming the quantity). */
    int (*iterate)(void* self, acrl_collector* c, double progress, double* metrics, char* err, size_t errlen);
    /* Actions (n, act_dim) for normalized observations obs (n, obs_dim), n <= num_envs. */
    void (*act)(void* self, const float* obs, int n, float* actions, bool deterministic);
    /* Adds the learner's sections (params, optimizer state, RNG, counters) to w. The data
     * must stay valid until the commit. */
    int (*save)(void* self, acrl_ckpt_writer* w);
    /* Restores from a checkpoint made by save with the same config; -1 + message. */
    int (*load)(void* self, const acrl_ckpt* c, char* err, size_t errlen);
    /* The learner's main parameter store (policy weights), e.g. for export. */
    acrl_params* (*params)(void* self);
    void (*destroy)(void* self);
    /* The generator act() samples from when not deterministic (saved in policy-only
     * checkpoints so that stochastic evaluations repeat exactly). */
    acrl_rng* (*act_rng)(void* self);
    /* The critic's estimate q (n) of Q(s, a) at normalized observations obs (n, obs_dim) and
     * actions act (n, act_dim) as act() returns them (env units; Discrete: the index), in the
     * units of the rewards the learner sees; each algorithm decides which estimate is its own
     * (e.g. the minimum of twin critics). NULL: the algorithm has no Q critic (acrl qbias refuses). */
    void (*qvalue)(void* self, const float* obs, const float* act, int n, float* q);
} acrl_algo;

/* Supervised warm start before RL (warm_start = lqr): regresses the actor's mean action
 * towards d->act and the critic towards d->v (state values) or d->q (Q values at d->q_act),
 * then leaves target networks equal to the networks and the optimizer state fresh.
 * 0, or -1 with a message. */
typedef int (*acrl_algo_pretrain_fn)(void* self, acrl_pretrain_data* d, char* err, size_t errlen);
/* The warm start of algo, or NULL (it has none: the trainer refuses the key). A side table
 * (registry.c), like the extras, so that the algorithms' vtables stay as they are. */
acrl_algo_pretrain_fn acrl_algo_pretrain_find(const acrl_algo* algo);

/* Action sequences (SRL, docs/generalisation.md "Action sequences"): a learner whose policy
 * returns K actions per decision. With actions NULL the function returns K; else it writes
 * (n, K, act_dim) actions in env units for normalized observations obs (n, obs_dim), n <= the
 * learner's env count (the mode if deterministic), and returns K. act() gives the first of
 * them. NULL (side table, registry.c): the algorithm decides one action at a time. */
typedef int (*acrl_algo_sequence_fn)(void* self, const float* obs, int n, float* actions, bool deterministic);
acrl_algo_sequence_fn acrl_algo_sequence_find(const acrl_algo* algo);

/* Further scalars an algorithm logs after the metrics (progress.csv columns, TensorBoard
 * train/NAME): names (count <= ACRL_ALGO_MAX_EXTRA), and values writing the current ones
 * (NAN: none yet). Algorithms without an entry log none (no extra columns). */
#define ACRL_ALGO_MAX_EXTRA 8
typedef struct {
    const acrl_algo* algo;
    int count;
    const char* const* names;
    void (*values)(void* self, double* out);
} acrl_algo_extra;
/* The entry of algo, or NULL. */
const acrl_algo_extra* acrl_algo_extra_find(const acrl_algo* algo);

/* Registered algorithms (NULL-terminated) and lookup by name (NULL if unknown). */
extern const acrl_algo* const acrl_algos[];
const acrl_algo* acrl_algo_find(const char* name);
/* The whole configuration of a run of algo: the keys every run has, then the algorithm's,
 * as one table (NULL-terminated) over one block holding the defaults. Free both. */
int algo_full_config(const acrl_algo* algo, acrl_config_entry** table, void** block, char* err, size_t errlen);

/* Shared helpers for save/load of a parameter store: sections "<prefix>.param",
 * "<prefix>.m", "<prefix>.v", "<prefix>.step". */
int  algo_save_params(acrl_ckpt_writer* w, const char* prefix, const acrl_params* p);
int  algo_load_params(const acrl_ckpt* c, const char* prefix, acrl_params* p, char* err, size_t errlen);
/* The usual learner state: a store plus "<prefix>.rng" and "<prefix>.updates". */
int  algo_save_learner(acrl_ckpt_writer* w, const char* prefix, const acrl_params* p, const acrl_rng* rng,
                       const long* updates);
int  algo_load_learner(const acrl_ckpt* c, const char* prefix, acrl_params* p, acrl_rng* rng, long* updates,
                       char* err, size_t errlen);
/* Restores a section of exactly len raw bytes (float32 arrays) into dst; -1 + message naming
 * the section if it is missing or has another size. */
int  algo_load_blob(const acrl_ckpt* c, const char* name, void* dst, size_t len, char* err, size_t errlen);
/* n (<= 8) int64 counters as little-endian int64 fields (copied at once). */
int  algo_save_i64s(acrl_ckpt_writer* w, const char* name, const int64_t* v, int n);
int  algo_load_i64s(const acrl_ckpt* c, const char* name, int64_t* v, int n, char* err, size_t errlen);
/* A generator state as its 48-byte encoding (io/le.h); load refuses invalid states. */
int  algo_save_rng(acrl_ckpt_writer* w, const char* name, const acrl_rng* rng);
int  algo_load_rng(const acrl_ckpt* c, const char* name, acrl_rng* rng, char* err, size_t errlen);

#endif
