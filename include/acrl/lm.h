/* acrl/lm.h - token-level actor-critic for sequence policies: a small GPT-style
 * character transformer (with a value head), tasks with verifiable rewards, and
 * the advantage/loss computations of PPO, GRPO and DAPO on sampled completions.
 *
 * The model's parameters live in one acrl_params store (see acrl/nn.h), in the
 * order: wte (V, C), wpe (T, C), per layer h.L.{ln1_g, ln1_b, qkv_w (C, 3C),
 * qkv_b, proj_w (C, C), proj_b, ln2_g, ln2_b, fc_w (C, 4C), fc_b, fc2_w (4C, C),
 * fc2_b}, lnf_g, lnf_b, value_w (C, 1), value_b (1). The output head is tied to
 * wte (logits = LN(x) wte^T). Weights are (in, out), PyTorch's transposed.
 * Every sequence starts at position 0; padding goes at the end (attention is
 * causal, so it never changes earlier positions). Design notes: docs/lm.md. */
#ifndef ACRL_LM_H
#define ACRL_LM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acrl/nn.h"
#include "acrl/rng.h"

#define ACRL_LM_MAX_LAYERS 8

/* ---- tokenizer: one token per character ------------------------------------------ */

/* The vocabulary: token i is ACRL_LM_VOCAB[i]; token 0 ('.') ends an answer and pads. */
#define ACRL_LM_VOCAB     ".0123456789+-*/=,():"
#define ACRL_LM_VOCAB_SIZE 20
#define ACRL_LM_EOS       0

/* Token of character c, or -1 if c is not in the vocabulary. */
int  acrl_lm_char_token(char c);
/* Encodes s into tokens (cap); returns the count, or -1 with err on an unknown character
 * or when it does not fit. */
int  acrl_lm_encode(int* tokens, int cap, const char* s, char* err, size_t errlen);
/* Decodes n tokens into out (outlen >= n + 1), NUL-terminated; bad ids become '?'. */
void acrl_lm_decode(char* out, size_t outlen, const int* tokens, int n);

/* ---- model ------------------------------------------------------------------------ */

typedef struct {
    int vocab, ctx, d_model, n_layer, n_head;
} acrl_lm_shape;

typedef struct {
    size_t ln1_g, ln1_b, qkv_w, qkv_b, proj_w, proj_b, ln2_g, ln2_b, fc_w, fc_b, fc2_w, fc2_b;
} acrl_lm_layer;

/* Offsets of the tensors and the activation buffers of one forward over at most
 * max_batch sequences of ctx tokens (N = max_batch * ctx rows), plus a KV cache. */
typedef struct {
    acrl_lm_shape s;
    int    max_batch;
    size_t wte, wpe, lnf_g, lnf_b, value_w, value_b;
    acrl_lm_layer L[ACRL_LM_MAX_LAYERS];
    /* forward activations (rows = B * T of the last forward) */
    int*   tokens;                                  /* (N) */
    float* x0;                                      /* (N, C) embeddings */
    float* ln1[ACRL_LM_MAX_LAYERS], *ln1_mean[ACRL_LM_MAX_LAYERS], *ln1_rstd[ACRL_LM_MAX_LAYERS];
    float* qkv[ACRL_LM_MAX_LAYERS];                 /* (N, 3C) */
    float* att[ACRL_LM_MAX_LAYERS];                 /* (B, H, T, T) softmax probabilities */
    float* atty[ACRL_LM_MAX_LAYERS];                /* (N, C) attention output before proj */
    float* res1[ACRL_LM_MAX_LAYERS];                /* (N, C) after the attention residual */
    float* ln2[ACRL_LM_MAX_LAYERS], *ln2_mean[ACRL_LM_MAX_LAYERS], *ln2_rstd[ACRL_LM_MAX_LAYERS];
    float* fc[ACRL_LM_MAX_LAYERS];                  /* (N, 4C) before GELU */
    float* fcg[ACRL_LM_MAX_LAYERS];                 /* (N, 4C) after GELU */
    float* res2[ACRL_LM_MAX_LAYERS];                /* (N, C) block output */
    float* lnf, *lnf_mean, *lnf_rstd;               /* (N, C), (N), (N) */
    float* logits;                                  /* (N, V) */
    float* values;                                  /* (N) value head */
    /* backward scratch */
    float* d1, *d2, *d3;                            /* (N, C) */
    float* d4a, *d4b;                               /* (N, 4C) */
    float* dqkv;                                    /* (N, 3C) */
    float* datt;                                    /* (T, T) */
    /* KV cache for sampling: (n_layer, max_batch, ctx, C) each, and per-step buffers */
    float* kcache, *vcache;
    float* sx, *sln, *sqkv, *sy, *stmp, *sfc, *sfcg, *sprob;  /* (max_batch, ...) */
    int*   gtok, *gpos, *gdone;                     /* (max_batch) sampling state */
    float* glogits;                                 /* (max_batch, V) */
    int    B, T;                                    /* the last forward's batch and length */
} acrl_lm;

/* Checks a shape (sizes positive, d_model divisible by n_head, n_layer <= ACRL_LM_MAX_LAYERS);
 * 0 or -1 with err. */
int  acrl_lm_shape_check(const acrl_lm_shape* s, char* err, size_t errlen);
/* Declares the model's tensors in p (not yet finalized) and allocates buffers for batches
 * of up to max_batch sequences. 0, or -1 with err. */
int  acrl_lm_build(acrl_lm* m, acrl_params* p, const acrl_lm_shape* s, int max_batch, char* err, size_t errlen);
/* GPT-2's initialization in a finalized store: weights N(0, 0.02), the two residual output
 * projections N(0, 0.02/sqrt(2 n_layer)), biases 0, LayerNorm gains 1, value head 0. */
void acrl_lm_init(const acrl_lm* m, acrl_params* p, acrl_rng* rng);
void acrl_lm_free(acrl_lm* m);
/* Number of trainable parameters (the store's count adds alignment padding). */
size_t acrl_lm_param_count(const acrl_lm_shape* s);

/* Forward of tokens (B, T), B <= max_batch, T <= ctx, with the weights in p (this model's
 * store or one of the same layout): fills m->logits (B*T, V) and m->values (B*T). */
void acrl_lm_forward(acrl_lm* m, const acrl_params* p, const int* tokens, int B, int T);
/* Backward of the last forward: p->grad += dL/dparams from dlogits (B*T, V) and dvalues
 * (B*T; NULL: the value head gets no gradient). */
void acrl_lm_backward(acrl_lm* m, acrl_params* p, const float* dlogits, const float* dvalues);

/* One decoding step with the KV cache: row b (b < B) feeds token tok[b] at position pos[b]
 * (rows must be fed positions 0, 1, 2, ... in order; pos[b] < ctx); writes logits (B, V) of
 * the next token. Rows are independent, so prompts of different lengths may share a batch. */
void acrl_lm_step(acrl_lm* m, const acrl_params* p, float* logits, const int* tok, const int* pos, int B);

/* Samples completions: seqs (B, ctx) hold each row's prompt (prompt_len[b] >= 1 tokens);
 * appends tokens drawn from softmax(logits / temperature) (temperature 0: argmax) until
 * EOS, max_new tokens or the context is full. len[b] receives the total length (prompt +
 * completion, including the EOS if one was drawn). B <= max_batch. Returns the number of
 * tokens generated. Allocates nothing. */
long acrl_lm_generate(acrl_lm* m, const acrl_params* p, int* seqs, const int* prompt_len, int* len,
                      int B, int max_new, float temperature, acrl_rng* rng);

/* ---- tasks with verifiable rewards ------------------------------------------------- */

typedef enum { ACRL_LM_ADD, ACRL_LM_MUL, ACRL_LM_COUNTDOWN } acrl_lm_task_kind;

typedef struct {
    acrl_lm_task_kind kind;
    int   digits;          /* ADD/MUL: operands have exactly this many digits (zero-padded) */
    bool  reverse;         /* ADD/MUL: the answer is written least significant digit first */
    int   numbers;         /* COUNTDOWN: how many numbers (2..4) */
    int   max_number;      /* COUNTDOWN: numbers are drawn from 1..max_number */
    float reward_correct;  /* TinyZero: 1 */
    float reward_format;   /* a well-formed wrong answer: 0.1 */
    float reward_bad;      /* unparsable (or no EOS): 0 */
} acrl_lm_task;

#define ACRL_LM_TEXT_MAX 64

typedef struct {
    char prompt[ACRL_LM_TEXT_MAX];   /* "123+045=" or "28:3,7,25=" (target:numbers=), see docs/lm.md */
    char answer[ACRL_LM_TEXT_MAX];   /* one correct answer, without the EOS */
} acrl_lm_example;

/* Parses a task name ("add", "mul", "countdown") into t->kind; -1 with the list if unknown. */
int  acrl_lm_task_parse(acrl_lm_task* t, const char* name, char* err, size_t errlen);
/* Checks the task's settings; 0 or -1 with err. */
int  acrl_lm_task_check(const acrl_lm_task* t, char* err, size_t errlen);
/* Draws one example from rng. */
void acrl_lm_task_sample(const acrl_lm_task* t, acrl_rng* rng, acrl_lm_example* ex);
/* Longest prompt and longest correct answer (characters, without EOS) the task produces. */
void acrl_lm_task_lengths(const acrl_lm_task* t, int* prompt_max, int* answer_max);

typedef enum { ACRL_LM_UNPARSABLE = 0, ACRL_LM_WRONG = 1, ACRL_LM_CORRECT = 2 } acrl_lm_verdict;

/* Judges a completion (n characters, EOS already stripped; terminated says whether the EOS
 * was produced) against the prompt. */
acrl_lm_verdict acrl_lm_task_judge(const acrl_lm_task* t, const char* prompt, const char* completion,
                                   int n, bool terminated);
/* The reward of a verdict under the task's reward keys. */
float acrl_lm_task_reward(const acrl_lm_task* t, acrl_lm_verdict v);

/* ---- policy-gradient pieces --------------------------------------------------------- */

/* GRPO: adv (G) = (r - mean(r)) / (std(r) + eps) over one group of G rewards, std with
 * Bessel's correction (n - 1) as TRL's GRPOTrainer. All-equal rewards give 0. */
void acrl_lm_grpo_advantages(float* adv, const float* r, int G, float eps);
/* GAE over one completion of n tokens: rewards r (n), values v (n) of the states before
 * each token, zero value after the last token. adv (n), ret (n) = adv + v. */
void acrl_lm_gae(float* adv, float* ret, const float* r, const float* v, int n, float gamma, float lambda);
/* DAPO's soft over-long punishment for a completion of len tokens: 0 up to max_len - buffer,
 * then linear down to -1 at max_len; -1 beyond (or when cut off at max_len, the caller's choice). */
float acrl_lm_overlong_penalty(int len, int max_len, int buffer);
/* True when all G rewards of a group are equal (DAPO's dynamic sampling drops it). */
bool acrl_lm_group_degenerate(const float* r, int G);
/* The clipped surrogate of one token, as a loss to minimize: -min(ratio A, clip(ratio, 1 - lo,
 * 1 + hi) A) with ratio = exp(logp - logp_old); *dlogp receives its gradient wrt logp. */
float acrl_lm_clip_loss(float* dlogp, float logp, float logp_old, float adv, float clip_lo, float clip_hi);

/* PACS for one group of G completions: scores psi_i = beta (s_i - mean_{j != i} s_j) (the RLOO
 * form) of the sequence log-ratios s (G) = log pi(o_i) - log pi_ref(o_i), fitted to the labels
 * y (G, 1 = correct, 0 = not) by binary cross-entropy on sigmoid(psi). Returns the summed loss;
 * dlogp (G) receives its gradient wrt each sequence's log-probability. G >= 2. */
double acrl_lm_pacs_loss(float* dlogp, const float* s, const float* y, int G, float beta);

#endif
