/* acrl/train.h - training runs and evaluation, as the `acrl train` / `acrl eval`
 * commands use them. A run directory holds config.ini, progress.csv, a TensorBoard
 * event file, last.ckpt / best.ckpt / final.ckpt, policy.ckpt (policy only) and summary.json. */
#ifndef ACRL_TRAIN_H
#define ACRL_TRAIN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acrl/env.h"

/* Return codes of acrl_train / acrl_eval_checkpoint. */
#define ACRL_OK          0
#define ACRL_ERR_RUNTIME 1   /* training failed (NaN, I/O error) */
#define ACRL_ERR_INPUT   2   /* bad input: unknown algo/env, bad config, bad checkpoint */
#define ACRL_INTERRUPTED 130 /* stopped on request (stop_flag) after writing last.ckpt */

typedef struct {
    const char* algo;            /* "ppo", "a2c", "a3c" */
    const char* env_id;
    long        steps;           /* total env steps; <= 0: config n_timesteps */
    long        stop_at;         /* > 0: end this invocation once this many steps are done */
    int64_t     seed;            /* < 0: 0 */
    int         num_envs;        /* <= 0: config n_envs */
    int         threads;         /* threads stepping the env copies and running the update's lanes (>= 1);
                                  * 0: chosen per run (docs/benchmarks.md "Threads"); results never depend on it */
    const char* out_dir;         /* NULL: runs/ALGO-ENV-SEED-<time> */
    const char* config_file;     /* NULL: only the preset configs/ALGO/ENV.ini, if any */
    const char* const* overrides;/* "key=value" */
    int         n_overrides;
    const char* resume_dir;      /* continue the run in this directory; algo and env_id may be
                                    NULL, else they must match the checkpoint's */
    int         eval_episodes;   /* final evaluation episodes; < 0: 20 */
    bool        quiet;           /* no progress display */
    bool        ranks_info;      /* notice at the end: ranks, envs per rank, steps/s, time communicating */
    /* Stop request: NULL, or a flag the caller owns and sets to non-zero, e.g. from its
     * SIGINT handler (an async-signal-safe store) or from another thread. The run then
     * ends after the current iteration, writes last.ckpt and returns ACRL_INTERRUPTED.
     * The library installs no signal handlers itself; `acrl train` sets this flag on
     * SIGINT and SIGTERM. */
    volatile sig_atomic_t* stop_flag;
    /* Testing aid: > 0 overwrites the first weight with NaN once this many env steps are
     * done, to exercise the stop on non-finite values (0: off). */
    long        fault_nan_at;
    /* Called with one-line notices a run's user should see (a resume that is not exact,
     * settings applied from an edited config.ini); NULL: none are reported. */
    void      (*notice)(void* user, const char* msg);
    void*       notice_user;
    char        run_dir[1024];   /* out: the run directory used */
} acrl_train_options;

/* Defaults for every field (seed 0, threads 0: chosen per run, eval_episodes 20). */
acrl_train_options acrl_train_options_default(void);
/* Trains; returns one of the codes above with a message in err on failure. */
int acrl_train(acrl_train_options* o, char* err, size_t errlen);

/* Evaluates a checkpoint for episodes episodes (seeds seed, seed+1, ...); writes the
 * mean and std of the returns. Returns ACRL_OK or ACRL_ERR_INPUT with a message. */
int acrl_eval_checkpoint(const char* path, int episodes, uint64_t seed, bool stochastic,
                         double* mean, double* std, char* err, size_t errlen);

/* Runs one episode of a checkpoint's deterministic policy on its env, built with the
 * checkpoint's env_args followed by env_args_extra (may be NULL; e.g. "mode=test" for
 * Portfolio-v0), reset with seed; calls on_end(user, env) before the env is closed (e.g. to
 * read acrl_portfolio_history). Returns ACRL_OK or an error code with a message. */
int acrl_checkpoint_episode(const char* path, const char* env_args_extra, int64_t seed,
                            void (*on_end)(void* user, acrl_env* env), void* user, char* err, size_t errlen);
/* The same, for envs with cost signals too: *num_costs = K (0: none) and cost_mean
 * (ACRL_MAX_COSTS values; NAN past K) the mean episode sum of each cost. num_costs and
 * cost_mean may be NULL. */
int acrl_eval_checkpoint_costs(const char* path, int episodes, uint64_t seed, bool stochastic,
                               double* mean, double* std, int* num_costs, double* cost_mean,
                               char* err, size_t errlen);

/* Evaluates a checkpoint's Box-action policy when it decides only every d steps, for each of the
 * n intervals d = intervals[i] >= 1 (episodes episodes each, seeds seed, seed+1, ...): a
 * policy of action sequences (SAC with action_sequence = K) runs the first d of its K actions
 * open loop and holds the last one when d > K; any other policy holds its action for d steps.
 * Writes mean[i], std[i] of the returns and *seq_len = K (1: one action per decision; may be
 * NULL). ACRL_OK, or ACRL_ERR_INPUT with a message (bad checkpoint, Discrete actions,
 * multi-agent checkpoint). */
int acrl_eval_decision_intervals(const char* path, const int* intervals, int n, int episodes, uint64_t seed,
                                 bool stochastic, double* mean, double* std, int* seq_len, char* err, size_t errlen);
/* Writes a policy-only checkpoint (what acrl_eval_checkpoint needs: algorithm, env,
 * config, policy weights, observation statistics; no optimizer state, critic or replay
 * buffer) made from the checkpoint at ckpt_path (full or policy-only) to out_path.
 * Evaluating it gives exactly what evaluating ckpt_path gives. Returns ACRL_OK,
 * ACRL_ERR_INPUT (unreadable/invalid checkpoint) or ACRL_ERR_RUNTIME (write error). */
int acrl_export_policy(const char* ckpt_path, const char* out_path, char* err, size_t errlen);
/* A trained policy loaded from a checkpoint, acting exactly as `acrl eval` does: observations
 * are normalized with the checkpoint's statistics, and Box actions are clipped to the
 * action space's bounds. The checkpoint's env id must be registered (built in, or by the
 * program or plugin that trained it). */
typedef struct acrl_agent acrl_agent;
/* NULL + message (ACRL_ERR_INPUT kind of failure: unreadable or invalid checkpoint). */
acrl_agent* acrl_agent_load(const char* ckpt_path, char* err, size_t errlen);
void acrl_agent_free(acrl_agent* a);   /* NULL is fine */
const char* acrl_agent_algo(const acrl_agent* a);
const char* acrl_agent_env_id(const acrl_agent* a);
/* The env's spaces (observations a Box of obs_space->dim floats). */
const acrl_space* acrl_agent_obs_space(const acrl_agent* a);
const acrl_space* acrl_agent_act_space(const acrl_agent* a);
/* actions (n, act_space->dim) for raw observations obs (n, obs_space->dim), n >= 0: the
 * policy's mode if deterministic, else a sample (from the learner's RNG). A Discrete action
 * is one float holding the index. */
void acrl_agent_act(acrl_agent* a, const float* obs, int n, float* actions, bool deterministic);

/* Options of the exporters below. */
typedef struct {
    const char* name;       /* C: prefix of the header's identifiers; NULL: "acrl_policy" */
    bool        int8;       /* C: weights quantized to int8 (one scale per output unit) */
} acrl_export_options;
/* A self-contained C99 header computing the deterministic policy from raw observations
 * (docs: README "Deploy a policy"). ACRL_OK, ACRL_ERR_INPUT (bad checkpoint or name) or
 * ACRL_ERR_RUNTIME (write error), with a message. */
int acrl_export_c(const char* ckpt_path, const char* out_path, const acrl_export_options* o, char* err,
                  size_t errlen);
/* The same computation as an ONNX model (IR 8, opset 17): input "obs" (N, obs_dim), output
 * "action" (N, act_dim). Codes as acrl_export_c. */
int acrl_export_onnx(const char* ckpt_path, const char* out_path, const acrl_export_options* o, char* err,
                     size_t errlen);

/* The Q-value estimation bias of an off-policy run (acrl qbias; src/algo/qbias.h says how
 * truncated tails are handled). */
typedef struct {
    int    episodes;                    /* episodes rolled out */
    long   visited, states;             /* states visited, states counted */
    int    terminated, dropped, bootstrapped; /* episodes: ended / truncated with the tail left out
                                         * (negligible) / truncated with the tail bootstrapped */
    double max_tail_weight;             /* largest tail weight gamma^(T - t) left out (0: none) */
    double gamma;                       /* the run's discount */
    double q_mean, return_mean;         /* mean critic estimate and discounted return, counted states */
    double bias_mean, bias_std;         /* mean and std of Q(s, a) - return */
    double norm_mean, norm_std;         /* the same divided by |return_mean| */
} acrl_qbias_result;

/* Rolls out the checkpoint's policy for episodes episodes (env seeds seed, seed+1, ...; the
 * mode unless stochastic) and compares the critic's estimates with the discounted returns (in
 * the learner's reward units: scaled as in training when rewards are normalized). Returns
 * ACRL_OK, or ACRL_ERR_INPUT with a message (bad checkpoint; an algorithm without a Q critic). */
int acrl_qbias(const char* path, int episodes, uint64_t seed, bool stochastic, acrl_qbias_result* out,
               char* err, size_t errlen);
/* Adds (or replaces) the result as "q_bias_*" fields of the summary.json at path. 0 or -1. */
int acrl_qbias_write_summary(const char* path, const acrl_qbias_result* r, bool stochastic);

/* Writes the replay buffer held by the checkpoint at ckpt_path (an off-policy run saved with
 * save_buffer = 1) to out_path as a transitions file (docs/offpolicy.md "Offline data"), which
 * the off-policy key offline_data reads; the rows written into *n. ACRL_OK, ACRL_ERR_INPUT
 * (bad checkpoint, no buffer in it) or ACRL_ERR_RUNTIME (cannot write) with a message. */
int acrl_buffer_export(const char* ckpt_path, const char* out_path, long* n, char* err, size_t errlen);
/* Runs the policy of the checkpoint at ckpt_path (any algorithm; a policy.ckpt does) in its env
 * for steps steps (episodes reset with seeds seed, seed + 1, ...; sampled actions, or the
 * policy's mode if deterministic) and writes the transitions to out_path as a transitions
 * file, observations and actions in the learner's units as acrl_buffer_export writes them.
 * ACRL_OK, ACRL_ERR_INPUT (bad checkpoint, steps < 1) or ACRL_ERR_RUNTIME with a message. */
int acrl_buffer_collect(const char* ckpt_path, long steps, uint64_t seed, bool deterministic, const char* out_path,
                        char* err, size_t errlen);

/* Names of the registered algorithms, NULL-terminated; and the config help of one
 * (keys, types, defaults) written to f. Returns -1 if the algo is unknown. */
const char* const* acrl_algo_names(void);
int acrl_algo_describe(const char* algo, void* f /* FILE* */);

#endif
