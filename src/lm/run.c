/* The LM training runs: supervised pretraining on a task's examples, and RL from a
 * pretrained checkpoint with PPO (token-level value head, GAE, KL penalty in the reward),
 * GRPO (group-normalised rewards, k3 KL in the loss) and DAPO (GRPO with clip-higher,
 * dynamic sampling, token-level loss averaging and the over-long penalty). Writes
 * progress.csv, TensorBoard events, summary.json and last/final checkpoints; resumes exactly. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "acrl/io.h"
#include "util/sys.h"
#include "acrl/lm.h"
#include "acrl/lm_run.h"

/* ---- configuration ---------------------------------------------------------------- */

static const char* const algo_names[] = {"pretrain", "ppo", "grpo", "dapo", "pacs", NULL};

#define E(key, type, field, lo, hi, help) {key, type, offsetof(acrl_lm_config, field), lo, hi, NULL, help}
static const acrl_config_entry lm_table[] = {
    E("d_model", ACRL_CFG_INT, d_model, 1, 1024, "model width"),
    E("n_layer", ACRL_CFG_INT, n_layer, 1, ACRL_LM_MAX_LAYERS, "transformer blocks"),
    E("n_head", ACRL_CFG_INT, n_head, 1, 64, "attention heads (divide d_model)"),
    E("ctx", ACRL_CFG_INT, ctx, 2, 256, "context length in tokens"),
    E("digits", ACRL_CFG_INT, digits, 1, 9, "add/mul: digits per operand"),
    E("reverse", ACRL_CFG_BOOL, reverse, 0, 0, "add/mul: answer least significant digit first"),
    E("numbers", ACRL_CFG_INT, numbers, 2, 4, "countdown: how many numbers"),
    E("max_number", ACRL_CFG_INT, max_number, 1, 99, "countdown: numbers drawn from 1..max_number"),
    E("reward_correct", ACRL_CFG_FLOAT, reward_correct, 0, 0, "reward of a correct answer"),
    E("reward_format", ACRL_CFG_FLOAT, reward_format, 0, 0, "reward of a well-formed wrong answer"),
    E("reward_bad", ACRL_CFG_FLOAT, reward_bad, 0, 0, "reward of an unparsable answer (or no EOS)"),
    E("lr", ACRL_CFG_FLOAT, lr, 0, 1, "Adam learning rate"),
    E("warmup", ACRL_CFG_INT, warmup, 0, 1000000, "linear learning-rate warmup steps"),
    E("max_grad_norm", ACRL_CFG_FLOAT, max_grad_norm, 0, 1e9, "gradient clipping (0: off)"),
    E("batch_size", ACRL_CFG_INT, batch_size, 1, 4096, "pretrain: sequences per step"),
    E("eval_n", ACRL_CFG_INT, eval_n, 1, 100000, "held-out prompts for exact match"),
    E("eval_interval", ACRL_CFG_INT, eval_interval, 1, 100000000, "steps between evaluations"),
    E("eval_seed", ACRL_CFG_INT, eval_seed, 0, 2000000000, "seed of the held-out prompt set"),
    E("log_interval", ACRL_CFG_INT, log_interval, 1, 100000000, "steps between progress rows"),
    E("max_seconds", ACRL_CFG_DOUBLE, max_seconds, 0, 1e9, "stop after this much wall time (0: no limit)"),
    E("max_cpu_seconds", ACRL_CFG_DOUBLE, max_cpu_seconds, 0, 1e9, "stop after this much CPU time of the process (0: no limit)"),
    E("prompts_per_step", ACRL_CFG_INT, prompts_per_step, 1, 4096, "rl: prompts (groups) per step"),
    E("group_size", ACRL_CFG_INT, group_size, 1, 256, "rl: completions sampled per prompt"),
    E("temperature", ACRL_CFG_FLOAT, temperature, 0, 100, "rl: sampling temperature"),
    E("max_new_tokens", ACRL_CFG_INT, max_new_tokens, 1, 256, "rl: longest completion (with EOS)"),
    E("epochs", ACRL_CFG_INT, epochs, 1, 100, "rl: passes over each step's samples"),
    E("minibatch", ACRL_CFG_INT, minibatch, 1, 65536, "rl: sequences per gradient step"),
    E("clip_low", ACRL_CFG_FLOAT, clip_low, 0, 1, "rl: ratio clip below 1 (epsilon_low)"),
    E("clip_high", ACRL_CFG_FLOAT, clip_high, 0, 10, "rl: ratio clip above 1 (epsilon_high; DAPO 0.28)"),
    E("kl_coef", ACRL_CFG_FLOAT, kl_coef, 0, 100, "rl: KL to the reference (ppo: in the reward; grpo: k3 in the loss)"),
    E("gamma", ACRL_CFG_FLOAT, gamma, 0, 1, "ppo: discount over answer tokens"),
    E("gae_lambda", ACRL_CFG_FLOAT, gae_lambda, 0, 1, "ppo: GAE lambda"),
    E("vf_coef", ACRL_CFG_FLOAT, vf_coef, 0, 100, "ppo: value loss weight"),
    E("vf_clip", ACRL_CFG_FLOAT, vf_clip, 0, 1e9, "ppo: value clip range (0: off)"),
    E("ent_coef", ACRL_CFG_FLOAT, ent_coef, 0, 100, "rl: entropy bonus"),
    E("pacs_beta", ACRL_CFG_FLOAT, pacs_beta, 0, 1000, "pacs: scale of the log-ratio score"),
    E("whiten_adv", ACRL_CFG_BOOL, whiten_adv, 0, 0, "ppo: normalise advantages over the batch's tokens"),
    E("token_level_loss", ACRL_CFG_BOOL, token_level_loss, 0, 0, "average the loss over all tokens (DAPO) instead of per sequence"),
    E("dynamic_sampling", ACRL_CFG_BOOL, dynamic_sampling, 0, 0, "drop groups whose rewards are all equal (DAPO)"),
    E("max_resample", ACRL_CFG_INT, max_resample, 0, 100, "dynamic sampling: extra sampling rounds to refill the batch"),
    E("overlong_penalty", ACRL_CFG_BOOL, overlong_penalty, 0, 0, "DAPO soft over-long punishment added to the reward"),
    E("overlong_buffer", ACRL_CFG_INT, overlong_buffer, 0, 256, "over-long penalty ramp length (tokens)"),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef E

const acrl_config_entry* acrl_lm_config_table(void) { return lm_table; }

int acrl_lm_algo_parse(const char* name, char* err, size_t errlen) {
    for (int i = 0; algo_names[i]; i++)
        if (strcmp(algo_names[i], name) == 0) return i;
    snprintf(err, errlen, "unknown variant '%s' (valid: ppo, grpo, dapo, pacs)", name);
    return -1;
}

void acrl_lm_config_defaults(acrl_lm_config* c, int algo) {
    memset(c, 0, sizeof *c);
    c->d_model = 64; c->n_layer = 2; c->n_head = 4; c->ctx = 16;
    c->digits = 3; c->reverse = 1; c->numbers = 3; c->max_number = 20;
    c->reward_correct = 1; c->reward_format = 0.1f; c->reward_bad = 0;
    c->lr = 1e-3f; c->warmup = 50; c->max_grad_norm = 1; c->batch_size = 64;
    c->eval_n = 500; c->eval_interval = 100; c->eval_seed = 1234567; c->log_interval = 10;
    c->prompts_per_step = 16; c->group_size = 8; c->temperature = 1; c->max_new_tokens = 8;
    c->epochs = 1; c->minibatch = 64; c->clip_low = 0.2f; c->clip_high = 0.2f;
    c->kl_coef = 0.01f; c->gamma = 1; c->gae_lambda = 0.95f; c->vf_coef = 0.5f; c->vf_clip = 0.2f;
    c->ent_coef = 0; c->pacs_beta = 1; c->whiten_adv = 1; c->max_resample = 2; c->overlong_buffer = 2;
    if (algo > 0) { c->lr = 1e-4f; c->warmup = 0; c->eval_interval = 20; c->log_interval = 5; }
    if (algo == ACRL_LM_PACS) c->kl_coef = 0;
    if (algo == ACRL_LM_DAPO) {
        c->clip_high = 0.28f; c->dynamic_sampling = 1; c->token_level_loss = 1; c->overlong_penalty = 1;
        c->kl_coef = 0;
    }
}

static void task_from_config(acrl_lm_task* t, const acrl_lm_config* c) {
    t->digits = c->digits; t->reverse = c->reverse != 0; t->numbers = c->numbers; t->max_number = c->max_number;
    t->reward_correct = c->reward_correct; t->reward_format = c->reward_format; t->reward_bad = c->reward_bad;
}

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- the run's state --------------------------------------------------------------- */

typedef struct {
    int algo;
    acrl_lm_config c;
    acrl_lm_task task;
    char task_name[32];
    acrl_lm m;
    acrl_params p, ref;       /* policy (+ value head); reference = the initial policy (rl) */
    acrl_optim opt;
    acrl_rng rng;             /* data, sampling and shuffling */
    int64_t step, total_steps, tokens;
    int prompt_max, answer_max;
    /* held-out set */
    acrl_lm_example* eval;
    /* rl buffers: rows = prompts_per_step * group_size */
    int rows_cap;
    int* seq;                 /* (rows, ctx) */
    int* plen, *len;          /* (rows) */
    float* reward;            /* (rows) */
    int* verdict;             /* (rows) */
    acrl_lm_example* prompts; /* (prompts_per_step) */
    float* logp_old, *logp_ref, *value_old, *adv, *ret;  /* (rows, ctx): token t+1 predicted at t */
    float* dlogits, *dvalues; /* (max_batch * ctx, V), (max_batch * ctx) */
    int* order;               /* (rows) */
    int* mb_seq;              /* (max_batch, ctx) */
    int* cseq, *cplen, *clen; /* (rows, ctx), (rows), (rows): one sampling round */
    acrl_lm_example* cex;     /* (prompts_per_step) */
} lm_run;

static void run_free(lm_run* r) {
    acrl_lm_free(&r->m);
    acrl_params_free(&r->p);
    acrl_params_free(&r->ref);
    free(r->eval); free(r->seq); free(r->plen); free(r->len); free(r->reward); free(r->verdict);
    free(r->prompts); free(r->logp_old); free(r->logp_ref); free(r->value_old); free(r->adv); free(r->ret);
    free(r->dlogits); free(r->dvalues); free(r->order); free(r->mb_seq);
    free(r->cseq); free(r->cplen); free(r->clen); free(r->cex);
}

static acrl_lm_shape run_shape(const acrl_lm_config* c) {
    acrl_lm_shape s = {ACRL_LM_VOCAB_SIZE, c->ctx, c->d_model, c->n_layer, c->n_head};
    return s;
}

/* Builds the model, buffers and held-out set from r->c, r->algo and r->task_name. */
static int run_setup(lm_run* r, char* err, size_t errlen) {
    acrl_lm_config* c = &r->c;
    if (acrl_lm_task_parse(&r->task, r->task_name, err, errlen)) return ACRL_ERR_INPUT;
    task_from_config(&r->task, c);
    if (acrl_lm_task_check(&r->task, err, errlen)) return ACRL_ERR_INPUT;
    acrl_lm_task_lengths(&r->task, &r->prompt_max, &r->answer_max);
    if (r->algo == ACRL_LM_PRETRAIN && r->prompt_max + r->answer_max + 1 > c->ctx) {
        snprintf(err, errlen, "task '%s' needs up to %d prompt + %d answer + 1 EOS tokens, longer than the context "
                 "ctx=%d (raise ctx or lower digits/numbers)", r->task_name, r->prompt_max, r->answer_max, c->ctx);
        return ACRL_ERR_INPUT;
    }
    if (r->prompt_max + 1 > c->ctx) {
        snprintf(err, errlen, "task '%s' has prompts of up to %d tokens, too long for the context ctx=%d",
                 r->task_name, r->prompt_max, c->ctx);
        return ACRL_ERR_INPUT;
    }
    acrl_lm_shape s = run_shape(c);
    int rows = c->prompts_per_step * c->group_size;
    int max_batch = r->algo == ACRL_LM_PRETRAIN ? c->batch_size : rows;
    if (max_batch < 64) max_batch = 64;
    if (r->algo != ACRL_LM_PRETRAIN && c->minibatch > max_batch) max_batch = c->minibatch;
    acrl_params_init(&r->p);
    acrl_params_init(&r->ref);
    if (acrl_lm_build(&r->m, &r->p, &s, max_batch, err, errlen)) return ACRL_ERR_INPUT;
    if (acrl_params_finalize(&r->p, err, errlen)) return ACRL_ERR_RUNTIME;
    if (r->algo != ACRL_LM_PRETRAIN) {
        acrl_lm tmp;
        if (acrl_lm_build(&tmp, &r->ref, &s, 1, err, errlen)) return ACRL_ERR_RUNTIME;
        acrl_lm_free(&tmp);
        if (acrl_params_finalize(&r->ref, err, errlen)) return ACRL_ERR_RUNTIME;
    }
    r->opt = acrl_optim_default(ACRL_OPT_ADAM);
    r->opt.lr = c->lr;
    r->eval = calloc((size_t)c->eval_n, sizeof *r->eval);
    if (!r->eval) goto oom;
    acrl_rng er;
    acrl_rng_seed(&er, (uint64_t)c->eval_seed);
    for (int i = 0; i < c->eval_n; i++) acrl_lm_task_sample(&r->task, &er, &r->eval[i]);
    const size_t T = (size_t)c->ctx, V = ACRL_LM_VOCAB_SIZE;
    r->rows_cap = rows > max_batch ? rows : max_batch;
    size_t RT = (size_t)r->rows_cap * T;
    r->seq = calloc(RT, sizeof(int));
    r->plen = calloc((size_t)r->rows_cap, sizeof(int));
    r->len = calloc((size_t)r->rows_cap, sizeof(int));
    r->reward = calloc((size_t)r->rows_cap, sizeof(float));
    r->verdict = calloc((size_t)r->rows_cap, sizeof(int));
    r->prompts = calloc((size_t)c->prompts_per_step, sizeof *r->prompts);
    r->logp_old = calloc(RT, sizeof(float)); r->logp_ref = calloc(RT, sizeof(float));
    r->value_old = calloc(RT, sizeof(float)); r->adv = calloc(RT, sizeof(float)); r->ret = calloc(RT, sizeof(float));
    r->dlogits = calloc((size_t)max_batch * T * V, sizeof(float));
    r->dvalues = calloc((size_t)max_batch * T, sizeof(float));
    r->order = calloc((size_t)r->rows_cap, sizeof(int));
    r->mb_seq = calloc((size_t)max_batch * T, sizeof(int));
    r->cseq = calloc((size_t)rows * T, sizeof(int));
    r->cplen = calloc((size_t)rows, sizeof(int));
    r->clen = calloc((size_t)rows, sizeof(int));
    r->cex = calloc((size_t)c->prompts_per_step, sizeof *r->cex);
    if (!r->cseq || !r->cplen || !r->clen || !r->cex) goto oom;
    if (!r->seq || !r->plen || !r->len || !r->reward || !r->verdict || !r->prompts || !r->logp_old || !r->logp_ref ||
        !r->value_old || !r->adv || !r->ret || !r->dlogits || !r->dvalues || !r->order || !r->mb_seq)
        goto oom;
    return ACRL_OK;
oom:
    snprintf(err, errlen, "out of memory");
    return ACRL_ERR_RUNTIME;
}

/* Puts prompt text (and, if answer, answer + EOS) into row b of seq; returns the prompt length. */
static int put_example(const lm_run* r, int* seq, int* len, const acrl_lm_example* ex, bool answer) {
    char err[ACRL_ERRLEN];
    const int T = r->c.ctx;
    int n = acrl_lm_encode(seq, T, ex->prompt, err, sizeof err);
    int pl = n;
    if (answer) {
        n += acrl_lm_encode(seq + n, T - n, ex->answer, err, sizeof err);
        seq[n++] = ACRL_LM_EOS;
    }
    for (int t = n; t < T; t++) seq[t] = ACRL_LM_EOS;
    *len = n;
    return pl;
}

/* Judges row b's completion; returns its verdict. */
static acrl_lm_verdict judge_row(const lm_run* r, const int* seq, int plen, int len, const char* prompt) {
    bool term = len > plen && seq[len - 1] == ACRL_LM_EOS;
    char text[ACRL_LM_TEXT_MAX * 4];
    int n = len - plen - (term ? 1 : 0);
    acrl_lm_decode(text, sizeof text, seq + plen, n);
    return acrl_lm_task_judge(&r->task, prompt, text, n, term);
}

/* Greedy exact match (and mean reward) on the held-out set. */
static double evaluate(lm_run* r, double* reward_mean) {
    const int T = r->c.ctx, B = r->m.max_batch;
    int correct = 0;
    double rsum = 0;
    int max_new = r->answer_max + 1 < T ? r->answer_max + 1 : T;
    for (int i0 = 0; i0 < r->c.eval_n; i0 += B) {
        int nb = r->c.eval_n - i0 < B ? r->c.eval_n - i0 : B;
        for (int b = 0; b < nb; b++) r->plen[b] = put_example(r, r->seq + (size_t)b * T, &r->len[b], &r->eval[i0 + b], false);
        acrl_lm_generate(&r->m, &r->p, r->seq, r->plen, r->len, nb, max_new, 0, NULL);
        for (int b = 0; b < nb; b++) {
            acrl_lm_verdict v = judge_row(r, r->seq + (size_t)b * T, r->plen[b], r->len[b], r->eval[i0 + b].prompt);
            correct += v == ACRL_LM_CORRECT;
            rsum += acrl_lm_task_reward(&r->task, v);
        }
    }
    *reward_mean = rsum / r->c.eval_n;
    return (double)correct / r->c.eval_n;
}

/* log-softmax of logits (V) at token k; probabilities into prob (V); entropy into *ent. */
static float logp_of(const float* logits, int V, int k, float* prob, float* ent) {
    float mx = logits[0];
    for (int v = 1; v < V; v++) mx = logits[v] > mx ? logits[v] : mx;
    double sum = 0;
    for (int v = 0; v < V; v++) sum += exp((double)(logits[v] - mx));
    double lse = mx + log(sum);
    double h = 0;
    for (int v = 0; v < V; v++) {
        double lp = logits[v] - lse;
        prob[v] = (float)exp(lp);
        h -= prob[v] * lp;
    }
    if (ent) *ent = (float)h;
    return (float)(logits[k] - lse);
}

/* ---- supervised step ------------------------------------------------------------------ */

static double pretrain_step(lm_run* r) {
    const int B = r->c.batch_size, T = r->c.ctx, V = ACRL_LM_VOCAB_SIZE;
    int Tmax = 0;
    for (int b = 0; b < B; b++) {
        acrl_lm_example ex;
        acrl_lm_task_sample(&r->task, &r->rng, &ex);
        r->plen[b] = put_example(r, r->mb_seq + (size_t)b * T, &r->len[b], &ex, true);
        if (r->len[b] > Tmax) Tmax = r->len[b];
    }
    /* compact to (B, Tmax) */
    for (int b = 0; b < B; b++) memmove(r->seq + (size_t)b * Tmax, r->mb_seq + (size_t)b * T, (size_t)Tmax * sizeof(int));
    acrl_lm_forward(&r->m, &r->p, r->seq, B, Tmax);
    int count = 0;
    for (int b = 0; b < B; b++) count += r->len[b] - r->plen[b];
    memset(r->dlogits, 0, (size_t)B * Tmax * V * sizeof(float));
    double loss = 0;
    float prob[256];
    for (int b = 0; b < B; b++)
        for (int t = r->plen[b] - 1; t < r->len[b] - 1; t++) {
            size_t i = (size_t)b * Tmax + t;
            int k = r->seq[(size_t)b * Tmax + t + 1];
            loss -= logp_of(r->m.logits + i * V, V, k, prob, NULL);
            float* d = r->dlogits + i * V;
            for (int v = 0; v < V; v++) d[v] = prob[v] / count;
            d[k] -= 1.0f / count;
        }
    acrl_params_zero_grad(&r->p);
    acrl_lm_backward(&r->m, &r->p, r->dlogits, NULL);
    r->tokens += (int64_t)B * Tmax;
    return loss / count;
}

/* ---- RL step ---------------------------------------------------------------------------- */

typedef struct { double reward, kl, entropy, resp_len, sample_acc, loss, value_loss, kept_groups; long gen; } rl_stats;

/* Samples prompts_per_step groups (refilling dropped ones under dynamic sampling) into the
 * rl buffers; returns the number of groups kept. */
static int rl_collect(lm_run* r, rl_stats* st) {
    const acrl_lm_config* c = &r->c;
    const int T = c->ctx, G = c->group_size, P = c->prompts_per_step;
    int kept = 0;
    bool first = true;
    int* seq = r->cseq, *plen = r->cplen, *len = r->clen;
    acrl_lm_example* ex = r->cex;
    for (int round = 0; round <= (c->dynamic_sampling ? c->max_resample : 0) && kept < P; round++) {
        for (int g = 0; g < P; g++) {
            acrl_lm_task_sample(&r->task, &r->rng, &ex[g]);
            for (int i = 0; i < G; i++) {
                int row = g * G + i;
                plen[row] = put_example(r, seq + (size_t)row * T, &len[row], &ex[g], false);
            }
        }
        int max_new = c->max_new_tokens < T - r->prompt_max ? c->max_new_tokens : T - r->prompt_max;
        st->gen += acrl_lm_generate(&r->m, &r->p, seq, plen, len, P * G, max_new, c->temperature, &r->rng);
        for (int g = 0; g < P && kept < P; g++) {
            float rew[256];
            int ver[256];
            for (int i = 0; i < G; i++) {
                int row = g * G + i;
                acrl_lm_verdict v = judge_row(r, seq + (size_t)row * T, plen[row], len[row], ex[g].prompt);
                ver[i] = v;
                rew[i] = acrl_lm_task_reward(&r->task, v);
                int n = len[row] - plen[row];
                bool term = seq[(size_t)row * T + len[row] - 1] == ACRL_LM_EOS && n > 0;
                if (c->overlong_penalty) rew[i] += acrl_lm_overlong_penalty(term ? n : max_new + 1, max_new, c->overlong_buffer);
                if (first) {
                    st->reward += rew[i] / (P * G);
                    st->sample_acc += (v == ACRL_LM_CORRECT) / (double)(P * G);
                    st->resp_len += n / (double)(P * G);
                }
            }
            if (c->dynamic_sampling && acrl_lm_group_degenerate(rew, G)) continue;
            r->prompts[kept] = ex[g];
            for (int i = 0; i < G; i++) {
                int row = g * G + i, dst = kept * G + i;
                memcpy(r->seq + (size_t)dst * T, seq + (size_t)row * T, (size_t)T * sizeof(int));
                r->plen[dst] = plen[row];
                r->len[dst] = len[row];
                r->reward[dst] = rew[i];
                r->verdict[dst] = ver[i];
            }
            kept++;
        }
        first = false;
    }
    st->kept_groups = kept;
    return kept;
}

/* Forward of rows [r0, r0+n) of the rl buffers (padded to their longest); copies them to mb_seq
 * as (n, Tb) and returns Tb. */
static int rl_forward(lm_run* r, const acrl_params* p, const int* rows, int n) {
    const int T = r->c.ctx;
    int Tb = 1;
    for (int i = 0; i < n; i++) if (r->len[rows[i]] > Tb) Tb = r->len[rows[i]];
    for (int i = 0; i < n; i++) memcpy(r->mb_seq + (size_t)i * Tb, r->seq + (size_t)rows[i] * T, (size_t)Tb * sizeof(int));
    acrl_lm_forward(&r->m, p, r->mb_seq, n, Tb);
    return Tb;
}

/* PACS: minibatches of whole groups; each completion's tokens get the gradient of the group's
 * cross-entropy wrt its sequence log-probability (acrl_lm_pacs_loss). */
static int pacs_update(lm_run* r, int kept, rl_stats* st) {
    const acrl_lm_config* c = &r->c;
    const int T = c->ctx, G = c->group_size, V = ACRL_LM_VOCAB_SIZE;
    int gpm = c->minibatch / G;                /* groups per minibatch */
    if (gpm < 1) gpm = 1;
    if (gpm * G > r->m.max_batch) gpm = r->m.max_batch / G;
    int* gorder = r->cplen;                    /* scratch (kept <= rows) */
    float prob[256], s[256], y[256], dl[256];
    for (int g = 0; g < kept; g++) gorder[g] = g;
    double loss_sum = 0;
    int nupd = 0;
    for (int ep = 0; ep < c->epochs; ep++) {
        for (int i = kept - 1; i > 0; i--) {
            int j = (int)acrl_rng_below(&r->rng, (uint64_t)(i + 1));
            int tmp = gorder[i]; gorder[i] = gorder[j]; gorder[j] = tmp;
        }
        for (int g0 = 0; g0 < kept; g0 += gpm) {
            int ng = kept - g0 < gpm ? kept - g0 : gpm, n = ng * G;
            for (int k = 0; k < ng; k++)
                for (int i = 0; i < G; i++) r->order[k * G + i] = gorder[g0 + k] * G + i;
            int Tb = rl_forward(r, &r->p, r->order, n);
            memset(r->dlogits, 0, (size_t)n * Tb * V * sizeof(float));
            double loss = 0;
            long mtok = 0;
            for (int k = 0; k < ng; k++) {
                for (int i = 0; i < G; i++) {
                    int row = r->order[k * G + i];
                    double lr = 0;
                    for (int t = r->plen[row] - 1; t < r->len[row] - 1; t++) {
                        size_t kk = (size_t)row * T + t;
                        lr += logp_of(r->m.logits + ((size_t)(k * G + i) * Tb + t) * V, V, r->seq[kk + 1], prob, NULL) -
                              r->logp_ref[kk];
                    }
                    s[i] = (float)lr;
                    y[i] = r->verdict[row] == ACRL_LM_CORRECT ? 1.0f : 0.0f;
                }
                loss += acrl_lm_pacs_loss(dl, s, y, G, c->pacs_beta) / n;
                for (int i = 0; i < G; i++) {
                    int row = r->order[k * G + i];
                    for (int t = r->plen[row] - 1; t < r->len[row] - 1; t++) {
                        size_t li = (size_t)(k * G + i) * Tb + t;
                        int tok = r->seq[(size_t)row * T + t + 1];
                        logp_of(r->m.logits + li * V, V, tok, prob, NULL);
                        float* d = r->dlogits + li * V;
                        float w = dl[i] / (float)n;
                        for (int v = 0; v < V; v++) d[v] = -w * prob[v];
                        d[tok] += w;
                        mtok++;
                    }
                }
            }
            acrl_params_zero_grad(&r->p);
            acrl_lm_backward(&r->m, &r->p, r->dlogits, NULL);
            if (c->max_grad_norm > 0) acrl_params_clip_grad_norm(&r->p, c->max_grad_norm);
            acrl_optim_step(&r->opt, &r->p, c->lr);
            r->tokens += mtok;
            loss_sum += loss;
            nupd++;
        }
    }
    st->loss = nupd ? loss_sum / nupd : NAN;
    st->value_loss = NAN;
    return nupd;
}

static int rl_step(lm_run* r, rl_stats* st) {
    const acrl_lm_config* c = &r->c;
    const int T = c->ctx, G = c->group_size, V = ACRL_LM_VOCAB_SIZE;
    const bool ppo = r->algo == ACRL_LM_PPO;
    int kept = rl_collect(r, st);
    r->tokens += st->gen;
    if (kept == 0) return 0;
    const int rows = kept * G, MB = r->m.max_batch;
    float prob[256];
    /* old-policy log-probabilities, values and entropies; reference log-probabilities */
    double ent_sum = 0, kl_sum = 0;
    long ntok = 0;
    for (int i = 0; i < rows; i++) r->order[i] = i;
    for (int r0 = 0; r0 < rows; r0 += MB) {
        int n = rows - r0 < MB ? rows - r0 : MB;
        int Tb = rl_forward(r, &r->ref, r->order + r0, n);
        for (int i = 0; i < n; i++) {
            int row = r0 + i;
            for (int t = r->plen[row] - 1; t < r->len[row] - 1; t++)
                r->logp_ref[(size_t)row * T + t] =
                    logp_of(r->m.logits + ((size_t)i * Tb + t) * V, V, r->seq[(size_t)row * T + t + 1], prob, NULL);
        }
        Tb = rl_forward(r, &r->p, r->order + r0, n);
        for (int i = 0; i < n; i++) {
            int row = r0 + i;
            for (int t = r->plen[row] - 1; t < r->len[row] - 1; t++) {
                float ent;
                size_t k = (size_t)row * T + t;
                r->logp_old[k] = logp_of(r->m.logits + ((size_t)i * Tb + t) * V, V, r->seq[k + 1], prob, &ent);
                r->value_old[k] = r->m.values[(size_t)i * Tb + t];
                ent_sum += ent;
                kl_sum += r->logp_old[k] - r->logp_ref[k];
                ntok++;
            }
        }
    }
    st->entropy = ntok ? ent_sum / ntok : 0;
    st->kl = ntok ? kl_sum / ntok : 0;
    /* advantages */
    if (ppo) {
        double s = 0, s2 = 0;
        for (int row = 0; row < rows; row++) {
            int t0 = r->plen[row] - 1, n = r->len[row] - 1 - t0;
            if (n <= 0) continue;
            float rw[256];
            size_t k0 = (size_t)row * T + t0;
            for (int j = 0; j < n; j++) rw[j] = -c->kl_coef * (r->logp_old[k0 + j] - r->logp_ref[k0 + j]);
            rw[n - 1] += r->reward[row];
            acrl_lm_gae(r->adv + k0, r->ret + k0, rw, r->value_old + k0, n, c->gamma, c->gae_lambda);
            for (int j = 0; j < n; j++) { s += r->adv[k0 + j]; s2 += (double)r->adv[k0 + j] * r->adv[k0 + j]; }
        }
        if (c->whiten_adv && ntok > 1) {
            double mean = s / ntok, sd = sqrt((s2 - s * mean) / (ntok - 1));
            for (int row = 0; row < rows; row++)
                for (int t = r->plen[row] - 1; t < r->len[row] - 1; t++) {
                    size_t k = (size_t)row * T + t;
                    r->adv[k] = (float)((r->adv[k] - mean) / (sd + 1e-8));
                }
        }
    } else {
        for (int g = 0; g < kept; g++) {
            float a[256];
            acrl_lm_grpo_advantages(a, r->reward + g * G, G, 1e-4f);
            for (int i = 0; i < G; i++) {
                int row = g * G + i;
                for (int t = r->plen[row] - 1; t < r->len[row] - 1; t++) r->adv[(size_t)row * T + t] = a[i];
            }
        }
    }
    if (r->algo == ACRL_LM_PACS) return pacs_update(r, kept, st);
    /* updates */
    double loss_sum = 0, vloss_sum = 0;
    int nupd = 0;
    const int mbsize = c->minibatch < rows ? c->minibatch : rows;
    for (int ep = 0; ep < c->epochs; ep++) {
        for (int i = rows - 1; i > 0; i--) {
            int j = (int)acrl_rng_below(&r->rng, (uint64_t)(i + 1));
            int tmp = r->order[i]; r->order[i] = r->order[j]; r->order[j] = tmp;
        }
        for (int r0 = 0; r0 < rows; r0 += mbsize) {
            int n = rows - r0 < mbsize ? rows - r0 : mbsize;
            const int* mrows = r->order + r0;
            int Tb = rl_forward(r, &r->p, mrows, n);
            memset(r->dlogits, 0, (size_t)n * Tb * V * sizeof(float));
            memset(r->dvalues, 0, (size_t)n * Tb * sizeof(float));
            long mtok = 0;
            for (int i = 0; i < n; i++) mtok += r->len[mrows[i]] - r->plen[mrows[i]];
            double loss = 0, vloss = 0;
            for (int i = 0; i < n; i++) {
                int row = mrows[i];
                int t0 = r->plen[row] - 1, nt = r->len[row] - 1 - t0;
                if (nt <= 0) continue;
                double w = c->token_level_loss ? 1.0 / mtok : 1.0 / ((double)nt * n);
                for (int t = t0; t < t0 + nt; t++) {
                    size_t k = (size_t)row * T + t, li = (size_t)i * Tb + t;
                    int tok = r->seq[k + 1];
                    float ent;
                    float lp = logp_of(r->m.logits + li * V, V, tok, prob, &ent);
                    float dlp;
                    double l = acrl_lm_clip_loss(&dlp, lp, r->logp_old[k], r->adv[k], c->clip_low, c->clip_high);
                    if (!ppo && c->kl_coef > 0) {   /* k3 estimator of KL(pi || ref) */
                        double d = r->logp_ref[k] - lp;
                        l += c->kl_coef * (exp(d) - d - 1);
                        dlp += c->kl_coef * (float)(1 - exp(d));
                    }
                    l -= c->ent_coef * ent;
                    loss += w * l;
                    /* d/dz of dlp * logp(tok) = dlp (onehot - p); of -ent_coef H = ent_coef p (log p + H) */
                    float* d = r->dlogits + li * V;
                    for (int v = 0; v < V; v++) {
                        double g = -dlp * prob[v];
                        if (c->ent_coef > 0 && prob[v] > 0) g += c->ent_coef * prob[v] * (log(prob[v]) + ent);
                        d[v] = (float)(w * g);
                    }
                    d[tok] += (float)(w * dlp);
                    if (ppo) {
                        float v = r->m.values[li], vo = r->value_old[k], R = r->ret[k];
                        float e1 = v - R, dv = e1;
                        double vl = 0.5 * e1 * e1;
                        if (c->vf_clip > 0) {
                            float vc = vo + (v - vo < -c->vf_clip ? -c->vf_clip : v - vo > c->vf_clip ? c->vf_clip : v - vo);
                            float e2 = vc - R;
                            if (0.5 * e2 * e2 > vl) {
                                vl = 0.5 * e2 * e2;
                                dv = (v - vo < -c->vf_clip || v - vo > c->vf_clip) ? 0 : e2;
                            }
                        }
                        vloss += w * vl;
                        r->dvalues[li] = (float)(w * c->vf_coef * dv);
                    }
                }
            }
            acrl_params_zero_grad(&r->p);
            acrl_lm_backward(&r->m, &r->p, r->dlogits, ppo ? r->dvalues : NULL);
            if (c->max_grad_norm > 0) acrl_params_clip_grad_norm(&r->p, c->max_grad_norm);
            acrl_optim_step(&r->opt, &r->p, c->lr);
            r->tokens += mtok;
            loss_sum += loss;
            vloss_sum += vloss;
            nupd++;
        }
    }
    st->loss = nupd ? loss_sum / nupd : NAN;
    st->value_loss = ppo && nupd ? vloss_sum / nupd : NAN;
    return nupd;
}

/* ---- checkpoints --------------------------------------------------------------------------- */

static char* config_text(const lm_run* r, size_t* n) {
    char* buf = NULL;
    FILE* f = open_memstream(&buf, n);
    if (!f) return NULL;
    acrl_config_write(lm_table, &r->c, f);
    fclose(f);
    return buf;
}

static int save_ckpt(const lm_run* r, const char* dir, const char* name, char* err, size_t errlen) {
    char path[4096];
    if (acrl_path_join(path, sizeof path, dir, name, err, errlen)) return ACRL_ERR_RUNTIME;
    acrl_ckpt_writer* w = acrl_ckpt_begin(r->algo == ACRL_LM_PRETRAIN ? "lm_pretrain" : algo_names[r->algo] , r->task_name);
    if (!w) { snprintf(err, errlen, "out of memory"); return ACRL_ERR_RUNTIME; }
    int32_t shape[5] = {r->m.s.vocab, r->m.s.ctx, r->m.s.d_model, r->m.s.n_layer, r->m.s.n_head};
    int64_t counters[4] = {r->step, r->total_steps, r->tokens, r->p.step};
    size_t n = 0;
    char* text = config_text(r, &n);
    size_t bytes = acrl_params_bytes(&r->p);
    acrl_ckpt_add_copy(w, "lm_shape", shape, sizeof shape);
    acrl_ckpt_add_copy(w, "counters", counters, sizeof counters);
    acrl_ckpt_add_copy(w, "config", text ? text : "", text ? n : 0);
    free(text);
    acrl_ckpt_add(w, "params", r->p.param, bytes);
    acrl_ckpt_add(w, "adam_m", r->p.m, bytes);
    acrl_ckpt_add(w, "adam_v", r->p.v, bytes);
    acrl_ckpt_add_copy(w, "rng", &r->rng, sizeof r->rng);
    if (r->algo != ACRL_LM_PRETRAIN) acrl_ckpt_add(w, "ref_params", r->ref.param, bytes);
    return acrl_ckpt_commit(w, path, err, errlen) ? ACRL_ERR_RUNTIME : ACRL_OK;
}

/* Loads params (and ref params if load_ref and present) from an lm checkpoint whose shape must
 * equal the run's. */
static int load_weights(lm_run* r, const acrl_ckpt* ck, const char* path, char* err, size_t errlen) {
    char e2[ACRL_ERRLEN];
    const int32_t* shape = acrl_ckpt_get(ck, "lm_shape", 5 * sizeof(int32_t), e2, sizeof e2);
    if (!shape) { snprintf(err, errlen, "%s is not an lm checkpoint: %s", path, e2); return ACRL_ERR_INPUT; }
    const acrl_lm_shape* s = &r->m.s;
    if (shape[0] != s->vocab || shape[1] != s->ctx || shape[2] != s->d_model || shape[3] != s->n_layer ||
        shape[4] != s->n_head) {
        snprintf(err, errlen, "%s holds a model of another size (ctx %d, d_model %d, n_layer %d, n_head %d) than "
                 "this run's (ctx %d, d_model %d, n_layer %d, n_head %d); set the same model keys with --set",
                 path, shape[1], shape[2], shape[3], shape[4], s->ctx, s->d_model, s->n_layer, s->n_head);
        return ACRL_ERR_INPUT;
    }
    size_t bytes = acrl_params_bytes(&r->p);
    const void* prm = acrl_ckpt_get(ck, "params", bytes, e2, sizeof e2);
    if (!prm) { snprintf(err, errlen, "%s: %s", path, e2); return ACRL_ERR_INPUT; }
    memcpy(r->p.param, prm, bytes);
    return ACRL_OK;
}

/* ---- the run ------------------------------------------------------------------------------- */

static const char* const csv_cols[] = {"step", "time_s", "tokens", "tokens_per_s", "loss", "exact_match",
                                       "eval_reward", "reward_mean", "sample_acc", "kl", "entropy", "resp_len",
                                       "value_loss", "kept_groups", "cpu_s"};
#define NCOLS 15

int acrl_lm_run(const acrl_lm_run_opts* o, char* err, size_t errlen) {
    lm_run r;
    memset(&r, 0, sizeof r);
    int rc = ACRL_OK;
    acrl_ckpt* resume = NULL, *init = NULL;
    acrl_csv* csv = NULL;
    acrl_tboard* tb = NULL;
    const char* out = o->out_dir;
    char resume_path[4096];
    if (o->resume_dir) {
        out = o->resume_dir;
        if (acrl_path_join(resume_path, sizeof resume_path, out, "last.ckpt", err, errlen)) return ACRL_ERR_INPUT;
        resume = acrl_ckpt_load(resume_path, err, errlen);
        if (!resume) return ACRL_ERR_INPUT;
        const char* a = acrl_ckpt_algo(resume);
        r.algo = strcmp(a, "lm_pretrain") == 0 ? ACRL_LM_PRETRAIN : acrl_lm_algo_parse(a, err, errlen);
        if (r.algo < 0) { rc = ACRL_ERR_INPUT; goto done; }
        snprintf(r.task_name, sizeof r.task_name, "%s", acrl_ckpt_env_id(resume));
        acrl_lm_config_defaults(&r.c, r.algo);
        size_t n = 0;
        const char* text = acrl_ckpt_get_var(resume, "config", &n, err, errlen);
        if (!text || acrl_config_load_text(lm_table, &r.c, text, n, "checkpoint config", err, errlen)) {
            rc = ACRL_ERR_INPUT;
            goto done;
        }
    } else {
        r.algo = o->algo;
        snprintf(r.task_name, sizeof r.task_name, "%s", o->task);
        acrl_lm_config_defaults(&r.c, r.algo);
        for (int i = 0; i < o->nsets; i++)
            if (acrl_config_parse_override(lm_table, &r.c, o->sets[i], err, errlen)) return ACRL_ERR_INPUT;
    }
    {
        char e2[ACRL_ERRLEN];
        acrl_lm_shape s = run_shape(&r.c);
        if (acrl_lm_shape_check(&s, e2, sizeof e2)) { snprintf(err, errlen, "%s", e2); rc = ACRL_ERR_INPUT; goto done; }
    }
    if (r.algo != ACRL_LM_PRETRAIN && !o->init_ckpt && !resume) {
        snprintf(err, errlen, "rl needs --init CKPT (a checkpoint of 'acrl lm pretrain')");
        rc = ACRL_ERR_INPUT;
        goto done;
    }
    if ((rc = run_setup(&r, err, errlen))) goto done;
    r.total_steps = o->steps > 0 ? o->steps : (r.algo == ACRL_LM_PRETRAIN ? 2000 : 200);
    if (resume) {
        if ((rc = load_weights(&r, resume, resume_path, err, errlen))) goto done;
        size_t bytes = acrl_params_bytes(&r.p);
        const int64_t* cnt = acrl_ckpt_get(resume, "counters", 4 * sizeof(int64_t), err, errlen);
        const void* am = cnt ? acrl_ckpt_get(resume, "adam_m", bytes, err, errlen) : NULL;
        const void* av = am ? acrl_ckpt_get(resume, "adam_v", bytes, err, errlen) : NULL;
        const void* rg = av ? acrl_ckpt_get(resume, "rng", sizeof r.rng, err, errlen) : NULL;
        const void* rp = r.algo == ACRL_LM_PRETRAIN ? rg : rg ? acrl_ckpt_get(resume, "ref_params", bytes, err, errlen) : NULL;
        if (!rp) { rc = ACRL_ERR_INPUT; goto done; }
        r.step = cnt[0];
        if (o->steps <= 0) r.total_steps = cnt[1];
        r.tokens = cnt[2];
        r.p.step = cnt[3];
        memcpy(r.p.m, am, bytes);
        memcpy(r.p.v, av, bytes);
        memcpy(&r.rng, rg, sizeof r.rng);
        if (r.algo != ACRL_LM_PRETRAIN) memcpy(r.ref.param, rp, bytes);
    } else {
        acrl_rng_seed2(&r.rng, o->seed, 2);
        if (r.algo == ACRL_LM_PRETRAIN) {
            acrl_rng ir;
            acrl_rng_seed2(&ir, o->seed, 1);
            acrl_lm_init(&r.m, &r.p, &ir);
        } else {
            init = acrl_ckpt_load(o->init_ckpt, err, errlen);
            if (!init) { rc = ACRL_ERR_INPUT; goto done; }
            if ((rc = load_weights(&r, init, o->init_ckpt, err, errlen))) goto done;
            memcpy(r.ref.param, r.p.param, acrl_params_bytes(&r.p));
        }
        if (mkdir(out, 0777) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create %s: %s", out, strerror(errno));
            rc = ACRL_ERR_RUNTIME;
            goto done;
        }
        char cpath[4096];
        if (acrl_path_join(cpath, sizeof cpath, out, "config.ini", err, errlen)) { rc = ACRL_ERR_RUNTIME; goto done; }
        FILE* cf = fopen(cpath, "w");
        if (!cf || acrl_config_write(lm_table, &r.c, cf)) {
            if (cf) fclose(cf);
            snprintf(err, errlen, "cannot write %s", cpath);
            rc = ACRL_ERR_RUNTIME;
            goto done;
        }
        fclose(cf);
    }
    char path[4096];
    if (acrl_path_join(path, sizeof path, out, "progress.csv", err, errlen)) { rc = ACRL_ERR_RUNTIME; goto done; }
    csv = resume ? acrl_csv_append(path, csv_cols, NCOLS, (double)r.step, err, errlen)
                 : acrl_csv_open(path, csv_cols, NCOLS, err, errlen);
    if (!csv) { rc = ACRL_ERR_RUNTIME; goto done; }
    tb = acrl_tboard_open(out, err, errlen);
    if (!tb) { rc = ACRL_ERR_RUNTIME; goto done; }

    const double t0 = acrl_now_s(), c0 = cpu_s();
    int64_t stop = o->stop_at > 0 && o->stop_at < r.total_steps ? o->stop_at : r.total_steps;
    double em0 = NAN, em = NAN, erew = NAN;
    if (r.step == 0) {
        em0 = em = evaluate(&r, &erew);
        double row[NCOLS] = {0, 0, 0, NAN, NAN, em, erew, NAN, NAN, NAN, NAN, NAN, NAN, NAN, 0};
        if (acrl_csv_row(csv, row, err, errlen)) { rc = ACRL_ERR_RUNTIME; goto done; }
        if (!o->quiet) fprintf(stderr, "step 0: held-out exact match %.3f\n", em);
    }
    rl_stats acc = {0};
    double loss_acc = 0, t_log = acrl_now_s();
    int64_t tok_log = r.tokens;
    int nacc = 0;
    bool timed_out = false;
    while (r.step < stop) {
        if (r.algo == ACRL_LM_PRETRAIN) {
            loss_acc += pretrain_step(&r);
            float lr = r.c.warmup > 0 && r.step < r.c.warmup ? r.c.lr * (float)(r.step + 1) / (float)r.c.warmup : r.c.lr;
            if (r.c.max_grad_norm > 0) acrl_params_clip_grad_norm(&r.p, r.c.max_grad_norm);
            acrl_optim_step(&r.opt, &r.p, lr);
        } else {
            rl_stats st = {0};
            rl_step(&r, &st);
            acc.reward += st.reward; acc.sample_acc += st.sample_acc; acc.kl += st.kl; acc.entropy += st.entropy;
            acc.resp_len += st.resp_len; acc.kept_groups += st.kept_groups;
            if (!isnan(st.loss)) loss_acc += st.loss;
            if (!isnan(st.value_loss)) acc.value_loss += st.value_loss;
        }
        if (!acrl_all_finite(r.p.param, r.p.count)) {
            snprintf(err, errlen, "parameters became non-finite at step %lld", (long long)r.step + 1);
            rc = ACRL_ERR_RUNTIME;
            goto done;
        }
        r.step++;
        nacc++;
        timed_out = (r.c.max_seconds > 0 && acrl_now_s() - t0 >= r.c.max_seconds) ||
                    (r.c.max_cpu_seconds > 0 && cpu_s() - c0 >= r.c.max_cpu_seconds);
        bool last = r.step == stop || timed_out;
        bool do_eval = r.step % r.c.eval_interval == 0 || last;
        if (do_eval || r.step % r.c.log_interval == 0) {
            em = NAN;
            erew = NAN;
            double tnow = acrl_now_s();
            double tps = (double)(r.tokens - tok_log) / (tnow - t_log);
            if (do_eval) em = evaluate(&r, &erew);
            bool rl = r.algo != ACRL_LM_PRETRAIN;
            double row[NCOLS] = {(double)r.step, acrl_now_s() - t0, (double)r.tokens, tps, loss_acc / nacc, em, erew,
                                 rl ? acc.reward / nacc : NAN, rl ? acc.sample_acc / nacc : NAN,
                                 rl ? acc.kl / nacc : NAN, rl ? acc.entropy / nacc : NAN,
                                 rl ? acc.resp_len / nacc : NAN,
                                 r.algo == ACRL_LM_PPO ? acc.value_loss / nacc : NAN, rl ? acc.kept_groups / nacc : NAN,
                                 cpu_s() - c0};
            if (acrl_csv_row(csv, row, err, errlen)) { rc = ACRL_ERR_RUNTIME; goto done; }
            for (int i = 1; i < NCOLS; i++)
                if (!isnan(row[i])) acrl_tboard_scalar(tb, csv_cols[i], row[i], r.step);
            acrl_tboard_flush(tb);
            if (!o->quiet) {
                if (rl)
                    fprintf(stderr, "step %lld: exact %s%.3f reward %.3f kl %.4f entropy %.3f len %.2f  %.0f tok/s\n",
                            (long long)r.step, do_eval ? "" : "(-) ", do_eval ? em : NAN, row[7], row[9], row[10],
                            row[11], tps);
                else
                    fprintf(stderr, "step %lld: loss %.4f exact %.3f  %.0f tok/s\n", (long long)r.step, row[4], em, tps);
            }
            memset(&acc, 0, sizeof acc);
            loss_acc = 0;
            nacc = 0;
            t_log = acrl_now_s();
            tok_log = r.tokens;
            if (do_eval && (rc = save_ckpt(&r, out, "last.ckpt", err, errlen))) goto done;
        }
        if (timed_out) break;
    }
    if (r.step >= r.total_steps || timed_out) {
        if ((rc = save_ckpt(&r, out, "final.ckpt", err, errlen))) goto done;
        if (acrl_path_join(path, sizeof path, out, "summary.json", err, errlen)) { rc = ACRL_ERR_RUNTIME; goto done; }
        FILE* f = fopen(path, "w");
        if (!f) { snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno)); rc = ACRL_ERR_RUNTIME; goto done; }
        acrl_json j;
        acrl_json_begin(&j, f);
        acrl_json_string(&j, "algo", r.algo == ACRL_LM_PRETRAIN ? "lm_pretrain" : algo_names[r.algo]);
        acrl_json_string(&j, "env", r.task_name);
        acrl_json_int(&j, "steps", r.step);
        acrl_json_int(&j, "seed", (int64_t)o->seed);
        acrl_json_int(&j, "tokens", r.tokens);
        acrl_json_int(&j, "params", (int64_t)acrl_lm_param_count(&r.m.s));
        acrl_json_number(&j, "exact_match", em);
        acrl_json_number(&j, "eval_reward", erew);
        if (!isnan(em0)) acrl_json_number(&j, "exact_match_initial", em0);
        acrl_json_number(&j, "wall_s", acrl_now_s() - t0);
        acrl_json_number(&j, "cpu_s", cpu_s() - c0);
        acrl_json_number(&j, "tokens_per_s", (double)r.tokens / (acrl_now_s() - t0));
        acrl_json_bool(&j, "timed_out", timed_out);
        acrl_json_string(&j, "gemm_backend", acrl_gemm_backend());
        int jr = acrl_json_end(&j);
        if (fclose(f) != 0 || jr) { snprintf(err, errlen, "cannot write %s", path); rc = ACRL_ERR_RUNTIME; goto done; }
        if (!o->quiet) fprintf(stderr, "done: %lld steps, held-out exact match %.3f, summary in %s\n",
                               (long long)r.step, em, path);
    }
done:
    if (csv && acrl_csv_close(csv) && rc == ACRL_OK) { snprintf(err, errlen, "cannot write progress.csv"); rc = ACRL_ERR_RUNTIME; }
    acrl_tboard_close(tb);
    acrl_ckpt_free(resume);
    acrl_ckpt_free(init);
    run_free(&r);
    return rc;
}
