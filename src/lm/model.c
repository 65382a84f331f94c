/* A GPT-style character transformer: embeddings, pre-LN blocks of causal multi-head
 * self-attention and a GELU MLP with residuals, a final LayerNorm, the output head tied
 * to the token embedding, and a scalar value head. Forward/backward over padded batches,
 * and a KV-cached decoding step for sampling. All products go through acrl_gemm. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "acrl/lm.h"

/* ---- tokenizer -------------------------------------------------------------------- */

int acrl_lm_char_token(char c) {
    const char* v = ACRL_LM_VOCAB;
    for (int i = 0; i < ACRL_LM_VOCAB_SIZE; i++)
        if (v[i] == c) return i;
    return -1;
}

int acrl_lm_encode(int* tokens, int cap, const char* s, char* err, size_t errlen) {
    int n = 0;
    for (; s[n]; n++) {
        int t = acrl_lm_char_token(s[n]);
        if (t < 0) {
            snprintf(err, errlen, "character '%c' of \"%s\" is not in the vocabulary \"%s\"", s[n], s, ACRL_LM_VOCAB);
            return -1;
        }
        if (n >= cap) {
            snprintf(err, errlen, "\"%s\" is longer than %d tokens", s, cap);
            return -1;
        }
        tokens[n] = t;
    }
    return n;
}

void acrl_lm_decode(char* out, size_t outlen, const int* tokens, int n) {
    if (outlen == 0) return;
    size_t k = 0;
    for (int i = 0; i < n && k + 1 < outlen; i++)
        out[k++] = tokens[i] >= 0 && tokens[i] < ACRL_LM_VOCAB_SIZE ? ACRL_LM_VOCAB[tokens[i]] : '?';
    out[k] = 0;
}

/* ---- building ------------------------------------------------------------------------ */

int acrl_lm_shape_check(const acrl_lm_shape* s, char* err, size_t errlen) {
    if (s->vocab < 2 || s->ctx < 2 || s->d_model < 1 || s->n_head < 1 || s->n_layer < 1) {
        snprintf(err, errlen, "model shape must be positive (vocab %d, ctx %d, d_model %d, n_layer %d, n_head %d)",
                 s->vocab, s->ctx, s->d_model, s->n_layer, s->n_head);
        return -1;
    }
    if (s->vocab > 256) {
        snprintf(err, errlen, "vocab %d exceeds 256", s->vocab);
        return -1;
    }
    if (s->n_layer > ACRL_LM_MAX_LAYERS) {
        snprintf(err, errlen, "n_layer %d exceeds %d", s->n_layer, ACRL_LM_MAX_LAYERS);
        return -1;
    }
    if (s->d_model % s->n_head) {
        snprintf(err, errlen, "d_model %d is not divisible by n_head %d", s->d_model, s->n_head);
        return -1;
    }
    return 0;
}

size_t acrl_lm_param_count(const acrl_lm_shape* s) {
    size_t C = (size_t)s->d_model;
    size_t per = 2 * C + C * 3 * C + 3 * C + C * C + C + 2 * C + C * 4 * C + 4 * C + 4 * C * C + C;
    return (size_t)s->vocab * C + (size_t)s->ctx * C + (size_t)s->n_layer * per + 2 * C + C + 1;
}

static float* falloc(size_t n, bool* ok) {
    float* p = calloc(n ? n : 1, sizeof(float));
    if (!p) *ok = false;
    return p;
}

int acrl_lm_build(acrl_lm* m, acrl_params* p, const acrl_lm_shape* s, int max_batch, char* err, size_t errlen) {
    memset(m, 0, sizeof *m);
    if (acrl_lm_shape_check(s, err, errlen)) return -1;
    if (max_batch < 1) {
        snprintf(err, errlen, "max_batch must be positive");
        return -1;
    }
    m->s = *s;
    m->max_batch = max_batch;
    const int C = s->d_model, V = s->vocab, T = s->ctx;
    char name[64];
    m->wte = acrl_params_add(p, "wte", V, C);
    m->wpe = acrl_params_add(p, "wpe", T, C);
    for (int l = 0; l < s->n_layer; l++) {
        acrl_lm_layer* L = &m->L[l];
#define ADD(field, r, c) (snprintf(name, sizeof name, "h.%d." #field, l), L->field = acrl_params_add(p, name, r, c))
        ADD(ln1_g, 1, C); ADD(ln1_b, 1, C);
        ADD(qkv_w, C, 3 * C); ADD(qkv_b, 1, 3 * C);
        ADD(proj_w, C, C); ADD(proj_b, 1, C);
        ADD(ln2_g, 1, C); ADD(ln2_b, 1, C);
        ADD(fc_w, C, 4 * C); ADD(fc_b, 1, 4 * C);
        ADD(fc2_w, 4 * C, C); ADD(fc2_b, 1, C);
#undef ADD
    }
    m->lnf_g = acrl_params_add(p, "lnf_g", 1, C);
    m->lnf_b = acrl_params_add(p, "lnf_b", 1, C);
    m->value_w = acrl_params_add(p, "value_w", C, 1);
    m->value_b = acrl_params_add(p, "value_b", 1, 1);
    if (m->value_b == (size_t)-1) {
        snprintf(err, errlen, "cannot declare the model's tensors (store finalized or out of memory)");
        return -1;
    }
    size_t N = (size_t)max_batch * T;
    bool ok = true;
    m->tokens = calloc(N, sizeof(int));
    if (!m->tokens) ok = false;
    m->x0 = falloc(N * C, &ok);
    for (int l = 0; l < s->n_layer; l++) {
        m->ln1[l] = falloc(N * C, &ok); m->ln1_mean[l] = falloc(N, &ok); m->ln1_rstd[l] = falloc(N, &ok);
        m->qkv[l] = falloc(N * 3 * C, &ok);
        m->att[l] = falloc((size_t)max_batch * s->n_head * T * T, &ok);
        m->atty[l] = falloc(N * C, &ok);
        m->res1[l] = falloc(N * C, &ok);
        m->ln2[l] = falloc(N * C, &ok); m->ln2_mean[l] = falloc(N, &ok); m->ln2_rstd[l] = falloc(N, &ok);
        m->fc[l] = falloc(N * 4 * C, &ok);
        m->fcg[l] = falloc(N * 4 * C, &ok);
        m->res2[l] = falloc(N * C, &ok);
    }
    m->lnf = falloc(N * C, &ok); m->lnf_mean = falloc(N, &ok); m->lnf_rstd = falloc(N, &ok);
    m->logits = falloc(N * V, &ok);
    m->values = falloc(N, &ok);
    m->d1 = falloc(N * C, &ok); m->d2 = falloc(N * C, &ok); m->d3 = falloc(N * C, &ok);
    m->d4a = falloc(N * 4 * C, &ok); m->d4b = falloc(N * 4 * C, &ok);
    m->dqkv = falloc(N * 3 * C, &ok);
    m->datt = falloc((size_t)T * T, &ok);
    size_t cache = (size_t)s->n_layer * max_batch * T * C;
    m->kcache = falloc(cache, &ok); m->vcache = falloc(cache, &ok);
    size_t B = (size_t)max_batch;
    m->sx = falloc(B * C, &ok); m->sln = falloc(B * C, &ok); m->sqkv = falloc(B * 3 * C, &ok);
    m->sy = falloc(B * C, &ok); m->stmp = falloc(B * C, &ok);
    m->sfc = falloc(B * 4 * C, &ok); m->sfcg = falloc(B * 4 * C, &ok); m->sprob = falloc((size_t)T, &ok);
    m->glogits = falloc(B * V, &ok);
    m->gtok = calloc(B, sizeof(int)); m->gpos = calloc(B, sizeof(int)); m->gdone = calloc(B, sizeof(int));
    if (!m->gtok || !m->gpos || !m->gdone) ok = false;
    if (!ok) {
        acrl_lm_free(m);
        snprintf(err, errlen, "out of memory for the model's activations");
        return -1;
    }
    return 0;
}

void acrl_lm_free(acrl_lm* m) {
    free(m->tokens); free(m->x0);
    for (int l = 0; l < ACRL_LM_MAX_LAYERS; l++) {
        free(m->ln1[l]); free(m->ln1_mean[l]); free(m->ln1_rstd[l]); free(m->qkv[l]); free(m->att[l]);
        free(m->atty[l]); free(m->res1[l]); free(m->ln2[l]); free(m->ln2_mean[l]); free(m->ln2_rstd[l]);
        free(m->fc[l]); free(m->fcg[l]); free(m->res2[l]);
    }
    free(m->lnf); free(m->lnf_mean); free(m->lnf_rstd); free(m->logits); free(m->values);
    free(m->d1); free(m->d2); free(m->d3); free(m->d4a); free(m->d4b); free(m->dqkv); free(m->datt);
    free(m->kcache); free(m->vcache);
    free(m->sx); free(m->sln); free(m->sqkv); free(m->sy); free(m->stmp); free(m->sfc); free(m->sfcg);
    free(m->sprob); free(m->glogits); free(m->gtok); free(m->gpos); free(m->gdone);
    memset(m, 0, sizeof *m);
}

static void init_normal(float* x, size_t n, float std, acrl_rng* rng) {
    for (size_t i = 0; i < n; i++) x[i] = (float)(std * acrl_rng_standard_normal(rng));
}

void acrl_lm_init(const acrl_lm* m, acrl_params* p, acrl_rng* rng) {
    const int C = m->s.d_model;
    float* w = p->param;
    memset(w, 0, p->count * sizeof(float));
    init_normal(w + m->wte, (size_t)m->s.vocab * C, 0.02f, rng);
    init_normal(w + m->wpe, (size_t)m->s.ctx * C, 0.02f, rng);
    float res_std = 0.02f / sqrtf(2.0f * m->s.n_layer);
    for (int l = 0; l < m->s.n_layer; l++) {
        const acrl_lm_layer* L = &m->L[l];
        acrl_init_const(w + L->ln1_g, (size_t)C, 1);
        acrl_init_const(w + L->ln2_g, (size_t)C, 1);
        init_normal(w + L->qkv_w, (size_t)C * 3 * C, 0.02f, rng);
        init_normal(w + L->proj_w, (size_t)C * C, res_std, rng);
        init_normal(w + L->fc_w, (size_t)C * 4 * C, 0.02f, rng);
        init_normal(w + L->fc2_w, (size_t)4 * C * C, res_std, rng);
    }
    acrl_init_const(w + m->lnf_g, (size_t)C, 1);
}

/* ---- attention ----------------------------------------------------------------------- */

/* Causal attention of one sequence for all heads: qkv (T, 3C) -> y (T, C), probabilities
 * att (H, T, T) saved for backward. */
static void attention_forward(float* y, float* att, const float* qkv, int T, int C, int H) {
    const int hd = C / H;
    const float scale = 1.0f / sqrtf((float)hd);
    for (int h = 0; h < H; h++) {
        const float* q = qkv + h * hd, *k = qkv + C + h * hd, *v = qkv + 2 * C + h * hd;
        float* P = att + (size_t)h * T * T;
        acrl_gemm(false, true, T, T, hd, scale, q, 3 * C, k, 3 * C, 0, P, T);
        for (int i = 0; i < T; i++) {
            float* row = P + (size_t)i * T;
            float mx = row[0];
            for (int j = 1; j <= i; j++) mx = row[j] > mx ? row[j] : mx;
            float sum = 0;
            for (int j = 0; j <= i; j++) { row[j] = expf(row[j] - mx); sum += row[j]; }
            float inv = 1 / sum;
            for (int j = 0; j <= i; j++) row[j] *= inv;
            for (int j = i + 1; j < T; j++) row[j] = 0;
        }
        acrl_gemm(false, false, T, hd, T, 1, P, T, v, 3 * C, 0, y + h * hd, C);
    }
}

/* dqkv (T, 3C) += gradient of the attention from dy (T, C); datt (T, T) scratch. */
static void attention_backward(float* dqkv, float* datt, const float* dy, const float* qkv, const float* att,
                               int T, int C, int H) {
    const int hd = C / H;
    const float scale = 1.0f / sqrtf((float)hd);
    for (int h = 0; h < H; h++) {
        const float* q = qkv + h * hd, *k = qkv + C + h * hd, *v = qkv + 2 * C + h * hd;
        float* dq = dqkv + h * hd, *dk = dqkv + C + h * hd, *dv = dqkv + 2 * C + h * hd;
        const float* P = att + (size_t)h * T * T;
        const float* dyh = dy + h * hd;
        acrl_gemm(false, true, T, T, hd, 1, dyh, C, v, 3 * C, 0, datt, T);   /* dP = dy v^T */
        acrl_gemm(true, false, T, hd, T, 1, P, T, dyh, C, 1, dv, 3 * C);     /* dv += P^T dy */
        for (int i = 0; i < T; i++) {                                         /* softmax backward */
            const float* pr = P + (size_t)i * T;
            float* dr = datt + (size_t)i * T;
            float dot = 0;
            for (int j = 0; j <= i; j++) dot += pr[j] * dr[j];
            for (int j = 0; j <= i; j++) dr[j] = pr[j] * (dr[j] - dot) * scale;
            for (int j = i + 1; j < T; j++) dr[j] = 0;
        }
        acrl_gemm(false, false, T, hd, T, 1, datt, T, k, 3 * C, 1, dq, 3 * C); /* dq += dS k */
        acrl_gemm(true, false, T, hd, T, 1, datt, T, q, 3 * C, 1, dk, 3 * C);  /* dk += dS^T q */
    }
}

/* ---- forward / backward ---------------------------------------------------------------- */

void acrl_lm_forward(acrl_lm* m, const acrl_params* p, const int* tokens, int B, int T) {
    const int C = m->s.d_model, V = m->s.vocab, H = m->s.n_head;
    const int N = B * T;
    const float* w = p->param;
    m->B = B;
    m->T = T;
    memcpy(m->tokens, tokens, (size_t)N * sizeof(int));
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            float* x = m->x0 + ((size_t)b * T + t) * C;
            const float* e = w + m->wte + (size_t)tokens[b * T + t] * C, *pe = w + m->wpe + (size_t)t * C;
            for (int c = 0; c < C; c++) x[c] = e[c] + pe[c];
        }
    const float* x = m->x0;
    for (int l = 0; l < m->s.n_layer; l++) {
        const acrl_lm_layer* L = &m->L[l];
        acrl_layernorm_forward(m->ln1[l], m->ln1_mean[l], m->ln1_rstd[l], x, w + L->ln1_g, w + L->ln1_b, N, C);
        acrl_linear_forward(m->qkv[l], m->ln1[l], w + L->qkv_w, w + L->qkv_b, N, C, 3 * C);
        for (int b = 0; b < B; b++)
            attention_forward(m->atty[l] + (size_t)b * T * C, m->att[l] + (size_t)b * H * T * T,
                              m->qkv[l] + (size_t)b * T * 3 * C, T, C, H);
        acrl_linear_forward(m->res1[l], m->atty[l], w + L->proj_w, w + L->proj_b, N, C, C);
        for (size_t i = 0; i < (size_t)N * C; i++) m->res1[l][i] += x[i];
        acrl_layernorm_forward(m->ln2[l], m->ln2_mean[l], m->ln2_rstd[l], m->res1[l], w + L->ln2_g, w + L->ln2_b, N, C);
        acrl_linear_forward(m->fc[l], m->ln2[l], w + L->fc_w, w + L->fc_b, N, C, 4 * C);
        acrl_act_forward(ACRL_ACT_GELU, m->fcg[l], m->fc[l], (size_t)N * 4 * C);
        acrl_linear_forward(m->res2[l], m->fcg[l], w + L->fc2_w, w + L->fc2_b, N, 4 * C, C);
        for (size_t i = 0; i < (size_t)N * C; i++) m->res2[l][i] += m->res1[l][i];
        x = m->res2[l];
    }
    acrl_layernorm_forward(m->lnf, m->lnf_mean, m->lnf_rstd, x, w + m->lnf_g, w + m->lnf_b, N, C);
    acrl_gemm(false, true, N, V, C, 1, m->lnf, C, w + m->wte, C, 0, m->logits, V);
    acrl_linear_forward(m->values, m->lnf, w + m->value_w, w + m->value_b, N, C, 1);
}

void acrl_lm_backward(acrl_lm* m, acrl_params* p, const float* dlogits, const float* dvalues) {
    const int C = m->s.d_model, V = m->s.vocab, H = m->s.n_head;
    const int B = m->B, T = m->T, N = B * T;
    const float* w = p->param;
    float* g = p->grad;
    const size_t NC = (size_t)N * C;
    float* dlnf = m->d1, *dx = m->d2, *dtmp = m->d3;
    /* tied head: logits = lnf wte^T */
    acrl_gemm(false, false, N, C, V, 1, dlogits, V, w + m->wte, C, 0, dlnf, C);
    acrl_gemm(true, false, V, C, N, 1, dlogits, V, m->lnf, C, 1, g + m->wte, C);
    if (dvalues) acrl_linear_backward(dlnf, g + m->value_w, g + m->value_b, dvalues, m->lnf, w + m->value_w, N, C, 1);
    const float* xlast = m->s.n_layer ? m->res2[m->s.n_layer - 1] : m->x0;
    memset(dx, 0, NC * sizeof(float));
    acrl_layernorm_backward(dx, g + m->lnf_g, g + m->lnf_b, dlnf, xlast, m->lnf_mean, m->lnf_rstd, w + m->lnf_g, N, C);
    for (int l = m->s.n_layer - 1; l >= 0; l--) {
        const acrl_lm_layer* L = &m->L[l];
        const float* xin = l ? m->res2[l - 1] : m->x0;
        /* res2 = res1 + gelu(ln2 W1 + b1) W2 + b2; dx holds d res2, becomes d res1 */
        memset(m->d4a, 0, NC * 4 * sizeof(float));
        acrl_linear_backward(m->d4a, g + L->fc2_w, g + L->fc2_b, dx, m->fcg[l], w + L->fc2_w, N, 4 * C, C);
        memset(m->d4b, 0, NC * 4 * sizeof(float));
        acrl_act_backward(ACRL_ACT_GELU, m->d4b, m->d4a, m->fc[l], m->fcg[l], NC * 4);
        memset(dtmp, 0, NC * sizeof(float));
        acrl_linear_backward(dtmp, g + L->fc_w, g + L->fc_b, m->d4b, m->ln2[l], w + L->fc_w, N, C, 4 * C);
        acrl_layernorm_backward(dx, g + L->ln2_g, g + L->ln2_b, dtmp, m->res1[l], m->ln2_mean[l], m->ln2_rstd[l],
                                w + L->ln2_g, N, C);
        /* res1 = xin + att(ln1(xin)) Wp + bp; dx holds d res1, becomes d xin */
        memset(dtmp, 0, NC * sizeof(float));
        acrl_linear_backward(dtmp, g + L->proj_w, g + L->proj_b, dx, m->atty[l], w + L->proj_w, N, C, C);
        memset(m->dqkv, 0, NC * 3 * sizeof(float));
        for (int b = 0; b < B; b++)
            attention_backward(m->dqkv + (size_t)b * T * 3 * C, m->datt, dtmp + (size_t)b * T * C,
                               m->qkv[l] + (size_t)b * T * 3 * C, m->att[l] + (size_t)b * H * T * T, T, C, H);
        memset(dlnf, 0, NC * sizeof(float));
        acrl_linear_backward(dlnf, g + L->qkv_w, g + L->qkv_b, m->dqkv, m->ln1[l], w + L->qkv_w, N, C, 3 * C);
        acrl_layernorm_backward(dx, g + L->ln1_g, g + L->ln1_b, dlnf, xin, m->ln1_mean[l], m->ln1_rstd[l],
                                w + L->ln1_g, N, C);
    }
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            const float* d = dx + ((size_t)b * T + t) * C;
            float* ge = g + m->wte + (size_t)m->tokens[b * T + t] * C, *gp = g + m->wpe + (size_t)t * C;
            for (int c = 0; c < C; c++) { ge[c] += d[c]; gp[c] += d[c]; }
        }
}

/* ---- KV-cached decoding ------------------------------------------------------------------- */

void acrl_lm_step(acrl_lm* m, const acrl_params* p, float* logits, const int* tok, const int* pos, int B) {
    const int C = m->s.d_model, V = m->s.vocab, H = m->s.n_head, T = m->s.ctx, hd = C / H;
    const float* w = p->param;
    const float scale = 1.0f / sqrtf((float)hd);
    float mean[1], rstd[1];
    for (int b = 0; b < B; b++) {
        float* x = m->sx + (size_t)b * C;
        const float* e = w + m->wte + (size_t)tok[b] * C, *pe = w + m->wpe + (size_t)pos[b] * C;
        for (int c = 0; c < C; c++) x[c] = e[c] + pe[c];
    }
    for (int l = 0; l < m->s.n_layer; l++) {
        const acrl_lm_layer* L = &m->L[l];
        for (int b = 0; b < B; b++)
            acrl_layernorm_forward(m->sln + (size_t)b * C, mean, rstd, m->sx + (size_t)b * C, w + L->ln1_g,
                                   w + L->ln1_b, 1, C);
        acrl_linear_forward(m->sqkv, m->sln, w + L->qkv_w, w + L->qkv_b, B, C, 3 * C);
        for (int b = 0; b < B; b++) {
            const float* qkv = m->sqkv + (size_t)b * 3 * C;
            float* kc = m->kcache + ((size_t)l * m->max_batch + b) * T * C;
            float* vc = m->vcache + ((size_t)l * m->max_batch + b) * T * C;
            memcpy(kc + (size_t)pos[b] * C, qkv + C, (size_t)C * sizeof(float));
            memcpy(vc + (size_t)pos[b] * C, qkv + 2 * C, (size_t)C * sizeof(float));
            float* y = m->sy + (size_t)b * C;
            const int n = pos[b] + 1;
            for (int h = 0; h < H; h++) {
                const float* q = qkv + h * hd;
                float* pr = m->sprob;
                float mx = -INFINITY;
                for (int j = 0; j < n; j++) {
                    const float* k = kc + (size_t)j * C + h * hd;
                    float s = 0;
                    for (int d = 0; d < hd; d++) s += q[d] * k[d];
                    pr[j] = s * scale;
                    mx = pr[j] > mx ? pr[j] : mx;
                }
                float sum = 0;
                for (int j = 0; j < n; j++) { pr[j] = expf(pr[j] - mx); sum += pr[j]; }
                float* yh = y + h * hd;
                for (int d = 0; d < hd; d++) yh[d] = 0;
                for (int j = 0; j < n; j++) {
                    const float* v = vc + (size_t)j * C + h * hd;
                    float a = pr[j] / sum;
                    for (int d = 0; d < hd; d++) yh[d] += a * v[d];
                }
            }
        }
        acrl_linear_forward(m->stmp, m->sy, w + L->proj_w, w + L->proj_b, B, C, C);
        for (size_t i = 0; i < (size_t)B * C; i++) m->sx[i] += m->stmp[i];
        for (int b = 0; b < B; b++)
            acrl_layernorm_forward(m->sln + (size_t)b * C, mean, rstd, m->sx + (size_t)b * C, w + L->ln2_g,
                                   w + L->ln2_b, 1, C);
        acrl_linear_forward(m->sfc, m->sln, w + L->fc_w, w + L->fc_b, B, C, 4 * C);
        acrl_act_forward(ACRL_ACT_GELU, m->sfcg, m->sfc, (size_t)B * 4 * C);
        acrl_linear_forward(m->stmp, m->sfcg, w + L->fc2_w, w + L->fc2_b, B, 4 * C, C);
        for (size_t i = 0; i < (size_t)B * C; i++) m->sx[i] += m->stmp[i];
    }
    for (int b = 0; b < B; b++)
        acrl_layernorm_forward(m->sln + (size_t)b * C, mean, rstd, m->sx + (size_t)b * C, w + m->lnf_g,
                               w + m->lnf_b, 1, C);
    acrl_gemm(false, true, B, V, C, 1, m->sln, C, w + m->wte, C, 0, logits, V);
}

long acrl_lm_generate(acrl_lm* m, const acrl_params* p, int* seqs, const int* prompt_len, int* len,
                      int B, int max_new, float temperature, acrl_rng* rng) {
    const int T = m->s.ctx, V = m->s.vocab;
    int* tok = m->gtok, *pos = m->gpos, *done = m->gdone;
    float* logits = m->glogits;
    long generated = 0;
    for (int b = 0; b < B; b++) {
        len[b] = prompt_len[b];
        done[b] = prompt_len[b] >= T || max_new <= 0;
    }
    /* every row advances one position per step; a row still in its prompt is fed the prompt */
    for (int t = 0; t < T - 1; t++) {
        bool any = false;
        for (int b = 0; b < B; b++) {
            tok[b] = seqs[(size_t)b * T + (t < len[b] ? t : len[b] - 1)];
            pos[b] = t;
            if (!done[b]) any = true;
        }
        if (!any) break;
        acrl_lm_step(m, p, logits, tok, pos, B);
        for (int b = 0; b < B; b++) {
            if (done[b] || t + 1 < prompt_len[b] || t + 1 != len[b]) continue;
            const float* lg = logits + (size_t)b * V;
            int next = 0;
            if (temperature <= 0) {
                for (int v = 1; v < V; v++) if (lg[v] > lg[next]) next = v;
            } else {
                float mx = lg[0];
                for (int v = 1; v < V; v++) mx = lg[v] > mx ? lg[v] : mx;
                double pr[256], sum = 0;
                for (int v = 0; v < V; v++) { pr[v] = exp((double)(lg[v] - mx) / temperature); sum += pr[v]; }
                double u = acrl_rng_double(rng) * sum, acc = 0;
                next = V - 1;
                for (int v = 0; v < V; v++) {
                    acc += pr[v];
                    if (u < acc) { next = v; break; }
                }
            }
            seqs[(size_t)b * T + len[b]] = next;
            len[b]++;
            generated++;
            if (next == ACRL_LM_EOS || len[b] - prompt_len[b] >= max_new || len[b] >= T) done[b] = 1;
        }
    }
    return generated;
}
