/* Tasks with verifiable rewards for the character LM: k-digit addition and
 * multiplication (answer optionally least significant digit first) and Countdown
 * (reach a target with each given number used once and + - * / and parentheses).
 * Rewards follow TinyZero: correct 1, well-formed but wrong 0.1, unparsable 0. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/lm.h"

int acrl_lm_task_parse(acrl_lm_task* t, const char* name, char* err, size_t errlen) {
    if (strcmp(name, "add") == 0) t->kind = ACRL_LM_ADD;
    else if (strcmp(name, "mul") == 0) t->kind = ACRL_LM_MUL;
    else if (strcmp(name, "countdown") == 0) t->kind = ACRL_LM_COUNTDOWN;
    else {
        snprintf(err, errlen, "unknown task '%s' (valid: add, mul, countdown)", name);
        return -1;
    }
    return 0;
}

int acrl_lm_task_check(const acrl_lm_task* t, char* err, size_t errlen) {
    if (t->kind == ACRL_LM_ADD && (t->digits < 1 || t->digits > 9)) {
        snprintf(err, errlen, "add: digits must be in 1..9 (got %d)", t->digits);
        return -1;
    }
    if (t->kind == ACRL_LM_MUL && (t->digits < 1 || t->digits > 4)) {
        snprintf(err, errlen, "mul: digits must be in 1..4 (got %d)", t->digits);
        return -1;
    }
    if (t->kind == ACRL_LM_COUNTDOWN && (t->numbers < 2 || t->numbers > 4 || t->max_number < 1 || t->max_number > 99)) {
        snprintf(err, errlen, "countdown: numbers must be in 2..4 and max_number in 1..99 (got %d, %d)",
                 t->numbers, t->max_number);
        return -1;
    }
    return 0;
}

static long pow10l_(int k) {
    long p = 1;
    while (k-- > 0) p *= 10;
    return p;
}

/* the answer text of value v: decimal, reversed when t->reverse */
static void number_answer(const acrl_lm_task* t, long v, char* out, size_t outlen) {
    snprintf(out, outlen, "%ld", v);
    if (t->reverse) {
        size_t n = strlen(out);
        for (size_t i = 0; i < n / 2; i++) { char c = out[i]; out[i] = out[n - 1 - i]; out[n - 1 - i] = c; }
    }
}

void acrl_lm_task_lengths(const acrl_lm_task* t, int* prompt_max, int* answer_max) {
    if (t->kind == ACRL_LM_COUNTDOWN) {
        int nd = t->max_number >= 10 ? 2 : 1;
        *prompt_max = 3 + 1 + t->numbers * (nd + 1);                  /* "999:" + "nn," ... "=" */
        *answer_max = t->numbers * nd + (t->numbers - 1) + 2 * (t->numbers - 2);
    } else {
        *prompt_max = 2 * t->digits + 2;
        *answer_max = t->kind == ACRL_LM_ADD ? t->digits + 1 : 2 * t->digits;
    }
}

/* ---- Countdown: random expression trees over a permutation of the numbers ---------- */

typedef struct { double v; char s[ACRL_LM_TEXT_MAX]; bool ok; } expr;

static expr build_expr(const int* nums, int n, acrl_rng* rng, bool top) {
    expr e = {0, "", true};
    if (n == 1) {
        e.v = nums[0];
        snprintf(e.s, sizeof e.s, "%d", nums[0]);
        return e;
    }
    int split = 1 + (int)acrl_rng_below(rng, (uint64_t)(n - 1));
    expr a = build_expr(nums, split, rng, false), b = build_expr(nums + split, n - split, rng, false);
    static const char ops[] = "+-*/";
    char op = ops[acrl_rng_below(rng, 4)];
    e.ok = a.ok && b.ok;
    switch (op) {
    case '+': e.v = a.v + b.v; break;
    case '-': e.v = a.v - b.v; break;
    case '*': e.v = a.v * b.v; break;
    default:
        if (b.v == 0 || fmod(a.v, b.v) != 0) e.ok = false;
        else e.v = a.v / b.v;
    }
    if (e.v < 0) e.ok = false; /* keep intermediate results non-negative integers */
    snprintf(e.s, sizeof e.s, top ? "%s%c%s" : "(%s%c%s)", a.s, op, b.s);
    return e;
}

void acrl_lm_task_sample(const acrl_lm_task* t, acrl_rng* rng, acrl_lm_example* ex) {
    if (t->kind != ACRL_LM_COUNTDOWN) {
        long lim = pow10l_(t->digits);
        long a = (long)acrl_rng_below(rng, (uint64_t)lim), b = (long)acrl_rng_below(rng, (uint64_t)lim);
        char op = t->kind == ACRL_LM_ADD ? '+' : '*';
        snprintf(ex->prompt, sizeof ex->prompt, "%0*ld%c%0*ld=", t->digits, a, op, t->digits, b);
        number_answer(t, t->kind == ACRL_LM_ADD ? a + b : a * b, ex->answer, sizeof ex->answer);
        return;
    }
    for (;;) {
        int nums[4];
        for (int i = 0; i < t->numbers; i++) nums[i] = 1 + (int)acrl_rng_below(rng, (uint64_t)t->max_number);
        expr e = build_expr(nums, t->numbers, rng, true);
        if (!e.ok || e.v < 1 || e.v > 999) continue;
        /* the prompt lists the numbers in an order of their own */
        int shown[4];
        memcpy(shown, nums, sizeof shown);
        for (int i = t->numbers - 1; i > 0; i--) {
            int j = (int)acrl_rng_below(rng, (uint64_t)(i + 1));
            int tmp = shown[i]; shown[i] = shown[j]; shown[j] = tmp;
        }
        int k = snprintf(ex->prompt, sizeof ex->prompt, "%d:", (int)e.v);
        for (int i = 0; i < t->numbers; i++)
            k += snprintf(ex->prompt + k, sizeof ex->prompt - (size_t)k, i ? ",%d" : "%d", shown[i]);
        snprintf(ex->prompt + k, sizeof ex->prompt - (size_t)k, "=");
        snprintf(ex->answer, sizeof ex->answer, "%s", e.s);
        return;
    }
}

/* ---- judging ------------------------------------------------------------------------ */

/* recursive-descent parser of expr := term (('+'|'-') term)*, term := factor (('*'|'/') factor)*,
 * factor := number | '(' expr ')'; collects the numbers used */
typedef struct { const char* s; int n, i; int used[16]; int nused; bool divzero, bad; } parser;

static double parse_expr(parser* p);

static double parse_factor(parser* p) {
    if (p->i < p->n && p->s[p->i] == '(') {
        p->i++;
        double v = parse_expr(p);
        if (p->i < p->n && p->s[p->i] == ')') p->i++;
        else p->bad = true;
        return v;
    }
    if (p->i >= p->n || p->s[p->i] < '0' || p->s[p->i] > '9') { p->bad = true; return 0; }
    long v = 0;
    int digits = 0;
    while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9' && digits < 6) { v = v * 10 + (p->s[p->i++] - '0'); digits++; }
    if (p->nused < 16) p->used[p->nused] = (int)v;
    p->nused++;
    return (double)v;
}

static double parse_term(parser* p) {
    double v = parse_factor(p);
    while (!p->bad && p->i < p->n && (p->s[p->i] == '*' || p->s[p->i] == '/')) {
        char op = p->s[p->i++];
        double w = parse_factor(p);
        if (op == '*') v *= w;
        else if (w == 0) p->divzero = true;
        else v /= w;
    }
    return v;
}

static double parse_expr(parser* p) {
    double v = parse_term(p);
    while (!p->bad && p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-')) {
        char op = p->s[p->i++];
        double w = parse_term(p);
        v = op == '+' ? v + w : v - w;
    }
    return v;
}

static int cmp_int(const void* a, const void* b) { return *(const int*)a - *(const int*)b; }

acrl_lm_verdict acrl_lm_task_judge(const acrl_lm_task* t, const char* prompt, const char* completion,
                                   int n, bool terminated) {
    if (!terminated || n <= 0) return ACRL_LM_UNPARSABLE;
    if (t->kind != ACRL_LM_COUNTDOWN) {
        for (int i = 0; i < n; i++)
            if (completion[i] < '0' || completion[i] > '9') return ACRL_LM_UNPARSABLE;
        long a = 0, b = 0;
        char op = 0;
        if (sscanf(prompt, "%ld%c%ld=", &a, &op, &b) != 3) return ACRL_LM_UNPARSABLE;
        char want[ACRL_LM_TEXT_MAX];
        number_answer(t, op == '+' ? a + b : a * b, want, sizeof want);
        return (size_t)n == strlen(want) && memcmp(want, completion, (size_t)n) == 0 ? ACRL_LM_CORRECT : ACRL_LM_WRONG;
    }
    parser p = {completion, n, 0, {0}, 0, false, false};
    double v = parse_expr(&p);
    if (p.bad || p.i != n) return ACRL_LM_UNPARSABLE;
    /* the prompt: "target:n1,n2,...=" */
    int target = 0, nums[16], nn = 0;
    const char* s = prompt;
    if (sscanf(s, "%d:", &target) != 1) return ACRL_LM_UNPARSABLE;
    s = strchr(s, ':') + 1;
    while (*s && *s != '=' && nn < 16) {
        int x, k = 0;
        if (sscanf(s, "%d%n", &x, &k) != 1) break;
        nums[nn++] = x;
        s += k;
        if (*s == ',') s++;
    }
    if (p.divzero || p.nused != nn) return ACRL_LM_WRONG;
    qsort(nums, (size_t)nn, sizeof(int), cmp_int);
    qsort(p.used, (size_t)nn, sizeof(int), cmp_int);
    if (memcmp(nums, p.used, (size_t)nn * sizeof(int)) != 0) return ACRL_LM_WRONG;
    return fabs(v - target) < 1e-6 ? ACRL_LM_CORRECT : ACRL_LM_WRONG;
}

float acrl_lm_task_reward(const acrl_lm_task* t, acrl_lm_verdict v) {
    return v == ACRL_LM_CORRECT ? t->reward_correct : v == ACRL_LM_WRONG ? t->reward_format : t->reward_bad;
}

/* ---- policy-gradient pieces ------------------------------------------------------------ */

void acrl_lm_grpo_advantages(float* adv, const float* r, int G, float eps) {
    double mean = 0, var = 0;
    for (int i = 0; i < G; i++) mean += r[i];
    mean /= G;
    for (int i = 0; i < G; i++) var += (r[i] - mean) * (r[i] - mean);
    double sd = G > 1 ? sqrt(var / (G - 1)) : 0;
    for (int i = 0; i < G; i++) adv[i] = (float)((r[i] - mean) / (sd + eps));
}

void acrl_lm_gae(float* adv, float* ret, const float* r, const float* v, int n, float gamma, float lambda) {
    double last = 0;
    for (int t = n - 1; t >= 0; t--) {
        double next_v = t + 1 < n ? v[t + 1] : 0;
        double delta = r[t] + gamma * next_v - v[t];
        last = delta + (double)gamma * lambda * last;
        adv[t] = (float)last;
        ret[t] = (float)(last + v[t]);
    }
}

float acrl_lm_overlong_penalty(int len, int max_len, int buffer) {
    if (buffer <= 0) return len > max_len ? -1.0f : 0.0f;
    int free_len = max_len - buffer;
    if (len <= free_len) return 0;
    if (len <= max_len) return (float)(free_len - len) / (float)buffer;
    return -1;
}

bool acrl_lm_group_degenerate(const float* r, int G) {
    for (int i = 1; i < G; i++)
        if (r[i] != r[0]) return false;
    return true;
}

float acrl_lm_clip_loss(float* dlogp, float logp, float logp_old, float adv, float clip_lo, float clip_hi) {
    float ratio = expf(logp - logp_old);
    float clipped = ratio < 1 - clip_lo ? 1 - clip_lo : ratio > 1 + clip_hi ? 1 + clip_hi : ratio;
    float a = ratio * adv, b = clipped * adv;
    /* min(a, b): the unclipped branch carries the gradient when it is the smaller one (or equal) */
    if (a <= b) {
        *dlogp = -adv * ratio;
        return -a;
    }
    *dlogp = 0;
    return -b;
}

double acrl_lm_pacs_loss(float* dlogp, const float* s, const float* y, int G, float beta) {
    double sum = 0, loss = 0, gsum = 0;
    for (int i = 0; i < G; i++) sum += s[i];
    double g[256];
    for (int i = 0; i < G; i++) {
        double psi = beta * (s[i] - (sum - s[i]) / (G - 1));
        /* BCE with logits, stable form: max(psi, 0) - psi y + log(1 + exp(-|psi|)) */
        loss += (psi > 0 ? psi : 0) - psi * y[i] + log1p(exp(-fabs(psi)));
        g[i] = 1 / (1 + exp(-psi)) - y[i];   /* dL/dpsi_i */
        gsum += g[i];
    }
    /* dpsi_k/ds_i = beta if k == i, -beta/(G-1) otherwise */
    for (int i = 0; i < G; i++) dlogp[i] = (float)(beta * (g[i] - (gsum - g[i]) / (G - 1)));
    return loss;
}
