/* test_lm_torch: the character transformer (attention, LayerNorm, GELU MLP, tied head, value
 * head) against PyTorch (fixtures/lm_torch.txt, float64, made by gen_lm_torch.py) on fixed
 * weights: logits, values, layer-0 attention output and every parameter gradient. Then the
 * KV-cached decoding step against the full forward, and finite differences of the loss. */
#include "acrl/lm.h"
#include "test.h"

#include <string.h>

typedef struct { char name[64]; int n; double* v; } record;
typedef struct { record* r; int n; } fixture;

static int fixture_load(fixture* fx, const char* path) {
    FILE* f = fopen(path, "r");
    memset(fx, 0, sizeof *fx);
    if (!f) { fprintf(stderr, "cannot open %s\n", path); return -1; }
    char name[64];
    int n;
    while (fscanf(f, "%63s %d", name, &n) == 2) {
        fx->r = realloc(fx->r, (size_t)(fx->n + 1) * sizeof(record));
        record* r = &fx->r[fx->n++];
        snprintf(r->name, sizeof r->name, "%s", name);
        r->n = n;
        r->v = malloc((size_t)n * sizeof(double));
        for (int i = 0; i < n; i++)
            if (fscanf(f, "%lf", &r->v[i]) != 1) { fclose(f); return -1; }
    }
    fclose(f);
    return 0;
}

static const record* get(const fixture* fx, const char* name) {
    for (int i = 0; i < fx->n; i++)
        if (strcmp(fx->r[i].name, name) == 0) return &fx->r[i];
    fprintf(stderr, "fixture has no record '%s'\n", name);
    exit(1);
}

/* max |a - b| / (1 + |b|) */
static double maxdiff(const float* a, const double* b, int n) {
    double m = 0;
    for (int i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]) / (1 + fabs(b[i]));
        if (!(d <= m)) m = d;
    }
    return m;
}

/* sum(logits * R) + sum(values * S) in double, from a fresh forward */
static double loss_of(acrl_lm* m, const acrl_params* p, const int* tok, int B, int T, const float* R, const float* S) {
    acrl_lm_forward(m, p, tok, B, T);
    double l = 0;
    for (int i = 0; i < B * T * m->s.vocab; i++) l += (double)m->logits[i] * R[i];
    for (int i = 0; i < B * T; i++) l += (double)m->values[i] * S[i];
    return l;
}

int main(void) {
    fixture fx;
    if (fixture_load(&fx, "fixtures/lm_torch.txt")) return 1;
    const record* sh = get(&fx, "shape");
    acrl_lm_shape s = {(int)sh->v[0], (int)sh->v[1], (int)sh->v[2], (int)sh->v[3], (int)sh->v[4]};
    const int B = (int)sh->v[5], T = (int)sh->v[6], V = s.vocab, C = s.d_model;
    CHECK(V == ACRL_LM_VOCAB_SIZE);
    acrl_lm m;
    acrl_params p;
    acrl_params_init(&p);
    char err[256];
    CHECK(acrl_lm_build(&m, &p, &s, B, err, sizeof err) == 0);
    CHECK(acrl_params_finalize(&p, err, sizeof err) == 0);
    size_t declared = 0;
    for (int i = 0; i < p.ntensors; i++) declared += (size_t)p.tensors[i].rows * p.tensors[i].cols;
    CHECK(declared == acrl_lm_param_count(&s));
    for (int i = 0; i < p.ntensors; i++) {
        char name[80];
        snprintf(name, sizeof name, "param.%s", p.tensors[i].name);
        const record* r = get(&fx, name);
        CHECK(r->n == p.tensors[i].rows * p.tensors[i].cols);
        for (int k = 0; k < r->n; k++) p.param[p.tensors[i].offset + k] = (float)r->v[k];
    }
    int tok[64];
    const record* tr = get(&fx, "tokens");
    for (int i = 0; i < B * T; i++) tok[i] = (int)tr->v[i];
    const record* Rr = get(&fx, "R"), *Sr = get(&fx, "S");
    float* R = malloc((size_t)Rr->n * sizeof(float)), *S = malloc((size_t)Sr->n * sizeof(float));
    for (int i = 0; i < Rr->n; i++) R[i] = (float)Rr->v[i];
    for (int i = 0; i < Sr->n; i++) S[i] = (float)Sr->v[i];

    printf("forward and backward against PyTorch (B %d, T %d, C %d, %d layers, %d heads)\n", B, T, C, s.n_layer, s.n_head);
    acrl_lm_forward(&m, &p, tok, B, T);
    CHECK_MAXDIFF("logits", maxdiff(m.logits, get(&fx, "logits")->v, B * T * V), 2e-5);
    CHECK_MAXDIFF("values", maxdiff(m.values, get(&fx, "values")->v, B * T), 2e-5);
    CHECK_MAXDIFF("attention output (layer 0)", maxdiff(m.atty[0], get(&fx, "atty0")->v, B * T * C), 2e-5);
    acrl_params_zero_grad(&p);
    acrl_lm_backward(&m, &p, R, S);
    double worst = 0;
    for (int i = 0; i < p.ntensors; i++) {
        char name[80];
        snprintf(name, sizeof name, "grad.%s", p.tensors[i].name);
        const record* r = get(&fx, name);
        double d = maxdiff(p.grad + p.tensors[i].offset, r->v, r->n);
        if (d > worst) worst = d;
        if (strstr(name, "qkv_w") || strstr(name, "wte") || strstr(name, "wpe") || strstr(name, "value_w"))
            CHECK_MAXDIFF(name, d, 5e-5);
    }
    CHECK_MAXDIFF("all parameter gradients", worst, 5e-5);

    printf("KV-cached decoding step against the full forward\n");
    {
        /* rows fed one position at a time must give the full forward's logits at each position */
        float* lg = malloc((size_t)B * V * sizeof(float));
        float* full = malloc((size_t)B * T * V * sizeof(float));
        acrl_lm_forward(&m, &p, tok, B, T);
        memcpy(full, m.logits, (size_t)B * T * V * sizeof(float));
        double md = 0;
        for (int t = 0; t < T; t++) {
            int st[16], pos[16];
            for (int b = 0; b < B; b++) { st[b] = tok[b * T + t]; pos[b] = t; }
            acrl_lm_step(&m, &p, lg, st, pos, B);
            for (int b = 0; b < B; b++)
                for (int v = 0; v < V; v++) {
                    double d = fabs(lg[b * V + v] - full[((size_t)b * T + t) * V + v]);
                    if (d > md) md = d;
                }
        }
        CHECK_MAXDIFF("step logits vs forward logits", md, 1e-5);
        free(lg);
        free(full);
    }

    printf("generation: greedy continuation equals argmax of the full forward\n");
    {
        int seqs[3 * 8], plen[3] = {2, 4, 1}, len[3];
        for (int b = 0; b < 3; b++)
            for (int t = 0; t < s.ctx; t++) seqs[b * s.ctx + t] = t < plen[b] ? tok[b * T + t] : 0;
        acrl_lm_generate(&m, &p, seqs, plen, len, 3, 3, 0, NULL);
        int ok = 1;
        for (int b = 0; b < 3; b++) {
            /* recompute each generated token from a full forward of the prefix */
            for (int t = plen[b]; t < len[b]; t++) {
                acrl_lm_forward(&m, &p, seqs + b * s.ctx, 1, t);
                const float* l = m.logits + (size_t)(t - 1) * V;
                int am = 0;
                for (int v = 1; v < V; v++) if (l[v] > l[am]) am = v;
                if (am != seqs[b * s.ctx + t]) ok = 0;
            }
            CHECK(len[b] > plen[b] && len[b] <= plen[b] + 3);
            CHECK(len[b] == plen[b] + 3 || seqs[b * s.ctx + len[b] - 1] == ACRL_LM_EOS);
        }
        CHECK(ok);
    }

    printf("finite differences of the loss (central, h = 1e-2)\n");
    {
        acrl_lm_forward(&m, &p, tok, B, T);
        acrl_params_zero_grad(&p);
        acrl_lm_backward(&m, &p, R, S);
        double md = 0;
        int checked = 0;
        for (int i = 0; i < p.ntensors; i++) {
            size_t off = p.tensors[i].offset, n = (size_t)p.tensors[i].rows * p.tensors[i].cols;
            for (size_t k = 0; k < n; k += n / 3 + 1) {
                float save = p.param[off + k];
                const float h = 1e-2f;
                p.param[off + k] = save + h;
                double lp = loss_of(&m, &p, tok, B, T, R, S);
                p.param[off + k] = save - h;
                double lm = loss_of(&m, &p, tok, B, T, R, S);
                p.param[off + k] = save;
                double fd = (lp - lm) / (2 * (double)h);
                double d = fabs(fd - p.grad[off + k]) / (1 + fabs(fd));
                if (d > md) md = d;
                checked++;
            }
        }
        printf("  %d parameters checked\n", checked);
        CHECK_MAXDIFF("finite differences vs backward", md, 2e-3);
    }
    free(R);
    free(S);
    acrl_lm_free(&m);
    acrl_params_free(&p);
    for (int i = 0; i < fx.n; i++) free(fx.r[i].v);
    free(fx.r);
    return test_summary("test_lm_torch");
}
