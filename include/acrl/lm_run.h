/* acrl/lm_run.h - the LM training runs behind `acrl lm pretrain` and `acrl lm rl`:
 * their configuration keys and one entry point. See docs/lm.md. */
#ifndef ACRL_LM_RUN_H
#define ACRL_LM_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "acrl/io.h"
#include "acrl/train.h"

enum { ACRL_LM_PRETRAIN = 0, ACRL_LM_PPO = 1, ACRL_LM_GRPO = 2, ACRL_LM_DAPO = 3, ACRL_LM_PACS = 4 };

/* Every key of `--set key=value` (see the table in src/lm/run.c for ranges and help). */
typedef struct {
    int d_model, n_layer, n_head, ctx;
    int digits, reverse, numbers, max_number;
    float reward_correct, reward_format, reward_bad;
    float lr;
    int warmup;
    float max_grad_norm;
    int batch_size;
    int eval_n, eval_interval, eval_seed, log_interval;
    double max_seconds, max_cpu_seconds;
    int prompts_per_step, group_size;
    float temperature;
    int max_new_tokens, epochs, minibatch;
    float clip_low, clip_high, kl_coef, gamma, gae_lambda, vf_coef, vf_clip, ent_coef;
    float pacs_beta;
    int whiten_adv, token_level_loss, dynamic_sampling, max_resample, overlong_penalty, overlong_buffer;
} acrl_lm_config;

typedef struct {
    int algo;                 /* ACRL_LM_PRETRAIN, _PPO, _GRPO, _DAPO */
    const char* task;         /* "add", "mul", "countdown" */
    const char* const* sets;  /* (nsets) "key=value" overrides */
    int nsets;
    int64_t steps;            /* total steps (<= 0: the default, or the resumed run's) */
    int64_t stop_at;          /* end this invocation after this step (<= 0: no) */
    uint64_t seed;
    const char* out_dir;
    const char* init_ckpt;    /* rl: the pretrained checkpoint */
    const char* resume_dir;   /* continue the run in this directory from last.ckpt */
    int quiet;
} acrl_lm_run_opts;

/* The configuration table (for --set and `acrl help lm`). */
const acrl_config_entry* acrl_lm_config_table(void);
/* Defaults for algo (rl variants: lr 1e-4; dapo switches its refinements on). */
void acrl_lm_config_defaults(acrl_lm_config* c, int algo);
/* "ppo", "grpo", "dapo", "pacs" (and "pretrain") -> ACRL_LM_*, or -1 with a message. */
int  acrl_lm_algo_parse(const char* name, char* err, size_t errlen);
/* Runs pretraining or RL. Returns ACRL_OK, ACRL_ERR_INPUT (bad key, task, checkpoint,
 * prompts longer than the context) or ACRL_ERR_RUNTIME (I/O, non-finite parameters). */
int  acrl_lm_run(const acrl_lm_run_opts* o, char* err, size_t errlen);

#endif
