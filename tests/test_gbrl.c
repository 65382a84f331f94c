/* test_gbrl: the tree ensemble of model = gbrl (src/nn/gbt.c) and its use by PPO.
 *  - quantile bin edges on known data;
 *  - greedy and oblivious trees, cosine and L2 scores, clipping: every tree's predictions
 *    against a brute-force reference (all splits scored from the samples directly, in
 *    double precision), and the first split against the reference's;
 *  - gbt_predict against the one-sample-one-tree reference walk, bit for bit;
 *  - serialization round trip, and corrupted ensembles refused with a message;
 *  - the gradients PPO feeds the trees against central differences of PPO's own loss
 *    (ppo_update_minibatch's losses) in each output of each sample, categorical and Gaussian,
 *    and A2C's (onpolicy_a2c_backward's losses);
 *  - a tree checkpoint given to an MLP config, and the reverse, refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl.h"
#include "algo/algo.h"
#include "algo/awr.h"
#include "algo/onpolicy.h"
#include "algo/ppo.h"
#include "algo/rollout.h"
#include "io/le.h"
#include "nn/gbt.h"
#include "test.h"

extern const acrl_algo acrl_algo_ppo;

/* ---- brute-force reference ------------------------------------------------- */

typedef struct {
    const float* x;    /* (n, F) */
    double* g;         /* (n, C) clipped gradients */
    double* sg;        /* (n, C) what the scores see */
    int n, F, C, n_pi;
    const gbt* m;      /* edges, hyperparameters */
} refdata;

static void ref_prepare(refdata* d, const float* g) {
    const gbt_params* hp = &d->m->hp;
    for (int i = 0; i < d->n; i++) {
        for (int c = 0; c < d->C; c++) d->g[i * d->C + c] = g[i * d->C + c];
        int lo[2] = {0, d->n_pi}, hi[2] = {d->n_pi, d->C};
        for (int k = 0; k < 2; k++) {
            double s = 0;
            for (int c = lo[k]; c < hi[k]; c++) s += d->g[i * d->C + c] * d->g[i * d->C + c];
            if (hp->clip[k] > 0 && sqrt(s) > hp->clip[k])
                for (int c = lo[k]; c < hi[k]; c++) d->g[i * d->C + c] *= hp->clip[k] / sqrt(s);
        }
    }
    memcpy(d->sg, d->g, sizeof(double) * (size_t)d->n * d->C);
    if (!hp->score_l2) return;
    for (int c = 0; c < d->C; c++) {
        double mu = 0, var = 0;
        for (int i = 0; i < d->n; i++) mu += d->sg[i * d->C + c];
        mu /= d->n;
        for (int i = 0; i < d->n; i++) var += (d->sg[i * d->C + c] - mu) * (d->sg[i * d->C + c] - mu);
        double sd = sqrt(var / d->n);
        for (int i = 0; i < d->n; i++) d->sg[i * d->C + c] = sd > 0 ? (d->sg[i * d->C + c] - mu) / sd : d->sg[i * d->C + c] - mu;
    }
}

/* n |mean|^2 of the score gradients of the listed samples */
static double ref_side(const refdata* d, const int* s, int n) {
    if (n == 0) return 0;
    double tot = 0;
    for (int c = 0; c < d->C; c++) {
        double mu = 0;
        for (int k = 0; k < n; k++) mu += d->sg[s[k] * d->C + c];
        mu /= n;
        tot += mu * mu;
    }
    return n * tot;
}

static double ref_score(const refdata* d, double s) { return d->m->hp.score_l2 ? s : sqrt(s); }

static float edge(const refdata* d, int f, int t) { return d->m->edges[(size_t)f * (d->m->hp.n_bins - 1) + t]; }

/* splits s by x_f <= thr into l and r; returns the left count */
static int ref_part(const refdata* d, const float* x, const int* s, int n, int f, float thr, int* l, int* r) {
    int nl = 0, nr = 0;
    for (int k = 0; k < n; k++) {
        if (x[s[k] * d->F + f] <= thr) l[nl++] = s[k];
        else r[nr++] = s[k];
    }
    return nl;
}

static void ref_leaf(const refdata* d, const int* s, int n, const int* q, int nq, double* out) {
    for (int c = 0; c < d->C; c++) {
        double mu = 0;
        for (int k = 0; k < n; k++) mu += d->g[s[k] * d->C + c];
        double v = n ? -(double)d->m->hp.lr[c < d->n_pi ? 0 : 1] * mu / n : 0;
        for (int k = 0; k < nq; k++) out[q[k] * d->C + c] += v;
    }
}

/* Greedy tree on samples s, routing query points q (rows of qx) to its leaves. */
static void ref_greedy(const refdata* d, const int* s, int n, const float* qx, const int* q, int nq, int depth,
                       double* out, int* first_f, float* first_thr) {
    int bf = -1;
    float bthr = 0;
    double best = -INFINITY;
    if (depth < d->m->hp.max_depth) {
        double parent = depth == 0 ? 0 : ref_score(d, ref_side(d, s, n));
        int* l = malloc(sizeof(int) * (size_t)(n + 1)), *r = malloc(sizeof(int) * (size_t)(n + 1));
        for (int f = 0; f < d->F; f++)
            for (int t = 0; t < d->m->n_edges[f]; t++) {
                int nl = ref_part(d, d->x, s, n, f, edge(d, f, t), l, r), nr = n - nl;
                if (nl < d->m->hp.min_leaf || nr < d->m->hp.min_leaf) continue;
                double sc = ref_score(d, ref_side(d, l, nl) + ref_side(d, r, nr)) - parent;
                if (sc > best) { best = sc; bf = f; bthr = edge(d, f, t); }
            }
        free(l); free(r);
    }
    if (bf < 0 || best < 0) { ref_leaf(d, s, n, q, nq, out); return; }
    if (depth == 0 && first_f) { *first_f = bf; *first_thr = bthr; }
    int* l = malloc(sizeof(int) * (size_t)(n + 1)), *r = malloc(sizeof(int) * (size_t)(n + 1));
    int* ql = malloc(sizeof(int) * (size_t)(nq + 1)), *qr = malloc(sizeof(int) * (size_t)(nq + 1));
    int nl = ref_part(d, d->x, s, n, bf, bthr, l, r);
    int nql = ref_part(d, qx, q, nq, bf, bthr, ql, qr);
    ref_greedy(d, l, nl, qx, ql, nql, depth + 1, out, NULL, NULL);
    ref_greedy(d, r, n - nl, qx, qr, nq - nql, depth + 1, out, NULL, NULL);
    free(l); free(r); free(ql); free(qr);
}

/* Oblivious tree: one (feature, edge) per level maximizing the summed node scores. */
static void ref_oblivious(const refdata* d, const float* qx, int nq, double* out, int* first_f, float* first_thr) {
    int n = d->n, D = d->m->hp.max_depth;
    int* node = calloc((size_t)n, sizeof(int)), *qnode = calloc((size_t)nq, sizeof(int));
    int* l = malloc(sizeof(int) * (size_t)n), *r = malloc(sizeof(int) * (size_t)n), *s = malloc(sizeof(int) * (size_t)n);
    int depth = 0;
    for (; depth < D; depth++) {
        int bf = -1;
        float bthr = 0;
        double best = -INFINITY;
        for (int f = 0; f < d->F; f++)
            for (int t = 0; t < d->m->n_edges[f]; t++) {
                double tot = 0;
                int ok = 0;
                for (int j = 0; j < (1 << depth); j++) {
                    int ns = 0;
                    for (int i = 0; i < n; i++)
                        if (node[i] == j) s[ns++] = i;
                    if (!ns) continue;
                    int nl = ref_part(d, d->x, s, ns, f, edge(d, f, t), l, r);
                    tot += ref_score(d, ref_side(d, l, nl) + ref_side(d, r, ns - nl));
                    if (nl >= d->m->hp.min_leaf && ns - nl >= d->m->hp.min_leaf) ok = 1;
                }
                if (ok && tot > best) { best = tot; bf = f; bthr = edge(d, f, t); }
            }
        if (bf < 0) break;
        if (depth == 0) { *first_f = bf; *first_thr = bthr; }
        for (int i = 0; i < n; i++) node[i] = 2 * node[i] + (d->x[i * d->F + bf] > bthr);
        for (int i = 0; i < nq; i++) qnode[i] = 2 * qnode[i] + (qx[i * d->F + bf] > bthr);
    }
    for (int j = 0; j < (1 << depth); j++) {
        int ns = 0, nqs = 0;
        for (int i = 0; i < n; i++)
            if (node[i] == j) s[ns++] = i;
        int* qs = malloc(sizeof(int) * (size_t)(nq + 1));
        for (int i = 0; i < nq; i++)
            if (qnode[i] == j) qs[nqs++] = i;
        ref_leaf(d, s, ns, qs, nqs, out);
        free(qs);
    }
    free(node); free(qnode); free(l); free(r); free(s);
}

/* ---- ensembles against the reference ---------------------------------------- */

static float urand(acrl_rng* r) { return (float)acrl_rng_uniform(r, 0.0, 1.0); }

static void test_bins(void) {
    char err[ACRL_ERRLEN];
    gbt_params hp = {3, 4, 0, 0, 1, {0.1f, 0.1f}, {0, 0}};
    gbt m;
    CHECK(gbt_init(&m, &hp, 2, 1, 1, 16, err, sizeof err) == 0);
    float x[20];
    for (int i = 0; i < 10; i++) { x[2 * i] = (float)(9 - i); x[2 * i + 1] = (float)(i % 2); }
    CHECK(gbt_set_bins(&m, x, 10, err, sizeof err) == 0);
    /* ranks 10k/4 = 2, 5, 7 of 0..9: edges 2, 5, 7; a 0/1 column: the single edge 0 */
    printf("bins: feature 0 edges %d (%g %g %g), feature 1 edges %d (%g)\n", m.n_edges[0], m.edges[0], m.edges[1],
           m.edges[2], m.n_edges[1], m.edges[3]);
    CHECK(m.n_edges[0] == 3 && m.edges[0] == 2 && m.edges[1] == 5 && m.edges[2] == 7);
    CHECK(m.n_edges[1] == 1 && m.edges[3] == 0);
    uint8_t b[2];
    float q[2] = {5.0f, 0.5f};
    gbt_bin(&m, b, q, 1);
    CHECK(b[0] == 1 && b[1] == 1); /* 5 <= edge 5: bin 1; 0.5 > 0: bin 1 */
    gbt_free(&m);
    gbt_params bad = hp;
    bad.max_depth = 0;
    CHECK(gbt_params_check(&bad, err, sizeof err) != 0 && strstr(err, "tree_depth"));
    bad = hp;
    bad.n_bins = 1;
    CHECK(gbt_params_check(&bad, err, sizeof err) != 0 && strstr(err, "tree_bins"));
}

/* Fits `trees` trees to random gradients and compares every prediction with the
 * reference's sum over the same trees, on the training points and on fresh points. */
static void fit_case(const char* name, int oblivious, int l2, int depth, float clip) {
    enum { N = 96, F = 3, C = 3, NQ = 64, TREES = 6 };
    char err[ACRL_ERRLEN];
    gbt_params hp = {depth, 16, oblivious, l2, 2, {0.3f, 0.05f}, {clip, clip}};
    gbt m;
    CHECK(gbt_init(&m, &hp, F, C, 2, N, err, sizeof err) == 0);
    acrl_rng rng;
    acrl_rng_seed(&rng, 7);
    float x[N * F], g[N * C], qx[NQ * F];
    for (int i = 0; i < N * F; i++) x[i] = (i % F == 2) ? (float)(acrl_rng_below(&rng, 4)) : urand(&rng) * 4 - 2;
    for (int i = 0; i < NQ * F; i++) qx[i] = (i % F == 2) ? (float)(acrl_rng_below(&rng, 5)) - 0.5f : urand(&rng) * 5 - 2.5f;
    CHECK(gbt_set_bins(&m, x, N, err, sizeof err) == 0);
    double want_tr[N * C], want_q[NQ * C], dg[N * C], dsg[N * C];
    memset(want_tr, 0, sizeof want_tr);
    memset(want_q, 0, sizeof want_q);
    int all[N], qi[NQ];
    for (int i = 0; i < N; i++) all[i] = i;
    for (int i = 0; i < NQ; i++) qi[i] = i;
    refdata d = {x, dg, dsg, N, F, C, 2, &m};
    bool first_ok = true;
    for (int t = 0; t < TREES; t++) {
        /* gradients with structure the trees can find, plus noise */
        for (int i = 0; i < N; i++)
            for (int c = 0; c < C; c++)
                g[i * C + c] = (x[i * F + c % F] > 0.3f * c ? 1.0f : -0.5f) * (c + 1) + 0.7f * (urand(&rng) - 0.5f);
        ref_prepare(&d, g);
        int ff = -1;
        float fthr = 0;
        double dtr[N * C], dq[NQ * C];
        memset(dtr, 0, sizeof dtr);
        memset(dq, 0, sizeof dq);
        if (oblivious) {
            ref_oblivious(&d, x, N, dtr, &ff, &fthr);
            ref_oblivious(&d, qx, NQ, dq, &ff, &fthr);
        } else {
            ref_greedy(&d, all, N, x, all, N, 0, dtr, &ff, &fthr);
            ref_greedy(&d, all, N, qx, qi, NQ, 0, dq, NULL, NULL);
        }
        for (int k = 0; k < N * C; k++) want_tr[k] += dtr[k];
        for (int k = 0; k < NQ * C; k++) want_q[k] += dq[k];
        CHECK(gbt_fit(&m, x, g, N, err, sizeof err) == 0);
        int64_t n0 = m.node_off[m.n_trees - 1];
        if (m.node_off[m.n_trees] == n0 || m.feat[n0] != ff || m.thr[n0] != fthr) first_ok = false;
    }
    float got_tr[N * C], got_q[NQ * C], ref_q[NQ * C];
    gbt_predict(&m, got_tr, x, N);
    gbt_predict(&m, got_q, qx, NQ);
    gbt_predict_ref(&m, ref_q, qx, NQ);
    double md = 0;
    for (int k = 0; k < N * C; k++) md = fmax(md, fabs(got_tr[k] - want_tr[k]));
    for (int k = 0; k < NQ * C; k++) md = fmax(md, fabs(got_q[k] - want_q[k]));
    char label[96];
    snprintf(label, sizeof label, "%s: %d trees vs brute force", name, TREES);
    CHECK_MAXDIFF(label, md, 1e-5);
    printf("  %-40s %s\n", "first split of every tree", first_ok ? "same feature and edge" : "DIFFERENT");
    CHECK(first_ok);
    CHECK(memcmp(got_q, ref_q, sizeof got_q) == 0); /* batch prediction == reference walk, bit for bit */
    /* serialization round trip */
    size_t n = gbt_bytes(&m);
    uint8_t* buf = malloc(n);
    gbt_write(&m, buf);
    gbt m2;
    CHECK(gbt_init(&m2, &hp, F, C, 2, N, err, sizeof err) == 0);
    CHECK(gbt_read(&m2, buf, n, err, sizeof err) == 0);
    float got2[NQ * C];
    gbt_predict(&m2, got2, qx, NQ);
    CHECK(memcmp(got2, got_q, sizeof got2) == 0 && m2.n_trees == TREES);
    /* a byte short, a byte long */
    CHECK(gbt_read(&m2, buf, n - 1, err, sizeof err) != 0);
    uint8_t* longer = calloc(n + 1, 1);
    memcpy(longer, buf, n);
    CHECK(gbt_read(&m2, longer, n + 1, err, sizeof err) != 0);
    free(longer);
    gbt_free(&m2);
    free(buf);
    gbt_free(&m);
}

/* Corrupted ensembles (a child pointing back, a feature out of range, a NaN leaf) are
 * refused with a message and leave the model as it was. */
static void test_corrupt(void) {
    char err[ACRL_ERRLEN];
    gbt_params hp = {2, 8, 0, 0, 1, {0.5f, 0.5f}, {0, 0}};
    gbt m;
    CHECK(gbt_init(&m, &hp, 2, 1, 1, 32, err, sizeof err) == 0);
    float x[64], g[32];
    for (int i = 0; i < 32; i++) { x[2 * i] = (float)i; x[2 * i + 1] = (float)(i % 3); g[i] = i < 16 ? 1.0f : -1.0f; }
    CHECK(gbt_set_bins(&m, x, 32, err, sizeof err) == 0);
    CHECK(gbt_fit(&m, x, g, 32, err, sizeof err) == 0);
    CHECK(m.n_nodes >= 2);
    size_t n = gbt_bytes(&m);
    uint8_t* buf = malloc(n);
    gbt_write(&m, buf);
    /* offsets of the arrays after the header, edges, bias and tree offsets */
    size_t nodes_at = 64 + 4 * 2 + 4 * 2 * 7 + 4 + 16 * 2;
    size_t feat_at = nodes_at, kid_at = nodes_at + 8 * (size_t)m.n_nodes, leaf_at = kid_at + 8 * (size_t)m.n_nodes;
    struct { const char* what; size_t at; uint32_t v; } cases[] = {
        {"feature out of range", feat_at, 2},
        {"child pointing back to the root", kid_at, 0},
        {"NaN leaf value", leaf_at, 0x7fc00000u},
    };
    for (int k = 0; k < 3; k++) {
        uint8_t* b = malloc(n);
        memcpy(b, buf, n);
        le_put_u32(b + cases[k].at, cases[k].v);
        err[0] = 0;
        int rc = gbt_read(&m, b, n, err, sizeof err);
        printf("corrupt ensemble (%s): %s\n", cases[k].what, err);
        CHECK(rc != 0 && err[0]);
        free(b);
    }
    CHECK(m.n_trees == 1);
    free(buf);
    gbt_free(&m);
}

/* ---- the gradients PPO gives the trees --------------------------------------- */

/* An ensemble of one greedy tree of depth 3 splitting feature 0 at 3.5, 1.5, 5.5, ...:
 * samples with x0 = 0..7 land in leaves 0..7, whose values are v (8, C). */
static size_t craft(uint8_t* b, int C, const float* v) {
    uint8_t* p = b;
    int64_t h[8] = {2, C, 0, 256, 1, 1, 7, 8};
    for (int i = 0; i < 8; i++) p = le_put_i64(p, h[i]);
    for (int f = 0; f < 2; f++) p = le_put_i32(p, 0);
    for (int k = 0; k < 2 * 255; k++) p = le_put_f32s(p, (float[]){0}, 1);
    for (int c = 0; c < C; c++) p = le_put_f32s(p, (float[]){0.1f * c}, 1);
    int64_t offs[4] = {0, 7, 0, 8};
    for (int i = 0; i < 4; i++) p = le_put_i64(p, offs[i]);
    for (int k = 0; k < 7; k++) p = le_put_i32(p, 0);
    float thr[7] = {3.5f, 1.5f, 0.5f, 2.5f, 5.5f, 4.5f, 6.5f};
    p = le_put_f32s(p, thr, 7);
    int32_t kid[14] = {1, 4, 2, 3, ~0, ~1, ~2, ~3, 5, 6, ~4, ~5, ~6, ~7};
    for (int k = 0; k < 14; k++) p = le_put_i32(p, kid[k]);
    p = le_put_f32s(p, v, (size_t)8 * C);
    return (size_t)(p - b);
}

static void fd_case(bool discrete) {
    enum { B = 8 };
    int A = discrete ? 3 : 2, K = A, C = K + 1;
    char err[ACRL_ERRLEN];
    void* cfg = calloc(1, acrl_algo_ppo.cfg_size);
    acrl_algo_ppo.cfg_defaults(cfg);
    const char* kv[] = {"model=gbrl", "tree_growth=greedy", "tree_depth=3", "n_steps=8", "batch_size=8",
                        "ent_coef=0.05", "vf_coef=0.7", "clip_range=0.2", "normalize_advantage=1"};
    for (int k = 0; k < 9; k++) CHECK(acrl_config_parse_override(acrl_algo_ppo.cfg_table, cfg, kv[k], err, sizeof err) == 0);
    float olo[2] = {-INFINITY, -INFINITY}, ohi[2] = {INFINITY, INFINITY}, alo[2] = {-1, -1}, ahi[2] = {1, 1};
    acrl_space os = {ACRL_SPACE_BOX, 2, 0, olo, ohi, {0, 0, 0}};
    acrl_space as = discrete ? (acrl_space){ACRL_SPACE_DISCRETE, 1, A, NULL, NULL, {0, 0, 0}} : (acrl_space){ACRL_SPACE_BOX, A, 0, alo, ahi, {0, 0, 0}};
    acrl_algo_ctx ctx = {&os, &as, "test", 1, 1000, 0, 1, 0.99f, NULL, NULL, 0};
    void* L = acrl_algo_ppo.create(cfg, &ctx, err, sizeof err);
    CHECK(L != NULL);
    if (!L) { fprintf(stderr, "%s\n", err); free(cfg); return; }
    acrl_policy* pol = &((onpolicy_learner*)L)->pol;
    acrl_params* p = acrl_algo_ppo.params(L);
    acrl_rng rng;
    acrl_rng_seed(&rng, 11);
    float v[8 * 4];
    for (int k = 0; k < 8 * C; k++) v[k] = urand(&rng) - 0.5f;
    uint8_t snap[8192];
    size_t sn = craft(snap, C, v);
    CHECK(gbt_read(&pol->ens[0], snap, sn, err, sizeof err) == 0);
    float obs[B * 2], act[B * 2], oldlp[B], oldv[B], adv[B], ret[B];
    for (int i = 0; i < B; i++) {
        obs[2 * i] = (float)i;
        obs[2 * i + 1] = urand(&rng);
        adv[i] = urand(&rng) * 2 - 1;
        ret[i] = urand(&rng) * 2 - 1;
        oldv[i] = 0;
        for (int j = 0; j < (discrete ? 1 : A); j++)
            act[i * (discrete ? 1 : A) + j] = discrete ? (float)acrl_rng_below(&rng, (uint64_t)A) : urand(&rng) * 2 - 1;
    }
    /* old log-probs: current ones shifted by 0.05 (ratio inside the clip range) or, for
     * two samples, by 0.6 (clipped, no policy gradient) */
    policy_forward(pol, p, obs, B);
    policy_evaluate(pol, act, oldlp, NULL);
    for (int i = 0; i < B; i++) oldlp[i] += i == 2 ? 0.6f : i == 5 ? -0.6f : 0.05f * (i % 2 ? 1 : -1);
    size_t pc = p->count;
    float* p0 = malloc(sizeof(float) * (pc + 1) * 3);
    memcpy(p0, p->param, sizeof(float) * pc);
    memcpy(p0 + pc, p->m, sizeof(float) * pc);
    memcpy(p0 + 2 * pc, p->v, sizeof(float) * pc);
    long step0 = p->step;
    /* loss at the crafted ensemble with leaf (i, c) moved by delta */
    double vf = 0.7, ent = 0.05;
    float* grad = malloc(sizeof(float) * B * (size_t)C);
    double md = 0, gmax = 0;
    for (int i = -1; i < B; i++)
        for (int c = 0; c < (i < 0 ? 1 : C); c++) {
            double lval[2];
            for (int s = 0; s < (i < 0 ? 1 : 2); s++) {
                float w[8 * 4];
                memcpy(w, v, sizeof w);
                double h = 1e-3;
                if (i >= 0) w[i * C + c] += (float)(s ? -h : h);
                craft(snap, C, w);
                CHECK(gbt_read(&pol->ens[0], snap, sn, err, sizeof err) == 0);
                memcpy(p->param, p0, sizeof(float) * pc);
                memcpy(p->m, p0 + pc, sizeof(float) * pc);
                memcpy(p->v, p0 + 2 * pc, sizeof(float) * pc);
                p->step = step0;
                double l[4];
                CHECK(ppo_update_minibatch(L, obs, act, oldlp, oldv, adv, ret, B, 1e-3f, l, err, sizeof err) == 0);
                lval[s] = l[0] + vf * l[1] - ent * l[2];
                if (i < 0) memcpy(grad, pol->tgrad[0], sizeof(float) * B * (size_t)C);
            }
            if (i < 0) continue;
            /* the perturbed leaf values are float: use the step actually taken */
            float up = v[i * C + c] + 1e-3f, dn = v[i * C + c] - 1e-3f;
            double fd = (lval[0] - lval[1]) / ((double)up - dn);
            double want = grad[i * C + c] / (double)B; /* trees get B dL/dF */
            md = fmax(md, fabs(fd - want));
            gmax = fmax(gmax, fabs(want));
        }
    char label[96];
    snprintf(label, sizeof label, "PPO tree gradients vs FD (%s)", discrete ? "categorical" : "Gaussian");
    printf("  largest |dL/dF| %.3e\n", gmax);
    CHECK(gmax > 1e-2);
    CHECK_MAXDIFF(label, md, 2e-4);
    /* the update added one tree */
    CHECK(pol->ens[0].n_trees == 2);
    free(p0);
    free(grad);
    acrl_algo_ppo.destroy(L);
    free(cfg);
}

/* The same for A2C's loss (onpolicy_a2c_backward over a rollout of 8 steps, 1 env copy). */
static void fd_a2c(void) {
    enum { B = 8, K = 3, C = K + 1 };
    char err[ACRL_ERRLEN];
    acrl_policy_config cfg;
    policy_config_default(&cfg);
    cfg.model = 1;
    cfg.tree_growth = 0;
    cfg.tree_depth = 3;
    acrl_space as = {ACRL_SPACE_DISCRETE, 1, K, NULL, NULL, {0, 0, 0}};
    acrl_policy pol;
    acrl_params p;
    acrl_params_init(&p);
    acrl_rng rng;
    acrl_rng_seed(&rng, 5);
    CHECK(policy_build(&pol, &p, 2, &as, &cfg, B, err, sizeof err) == 0);
    CHECK(acrl_params_finalize(&p, err, sizeof err) == 0);
    CHECK(policy_init(&pol, &p, &cfg, &rng, err, sizeof err) == 0);
    acrl_rollout r;
    CHECK(rollout_init(&r, B, 1, 2, 1) == 0);
    for (int i = 0; i < B; i++) {
        r.obs[2 * i] = (float)i;
        r.obs[2 * i + 1] = urand(&rng);
        r.actions[i] = (float)acrl_rng_below(&rng, K);
        r.advantages[i] = urand(&rng) * 2 - 1;
        r.returns[i] = urand(&rng) * 2 - 1;
    }
    float v[8 * C];
    for (int k = 0; k < 8 * C; k++) v[k] = urand(&rng) - 0.5f;
    uint8_t buf[8192];
    size_t n = craft(buf, C, v);
    float adv[B], wl[B], dv[B], lp[B], en[B], grad[B * C];
    double m[M_COUNT], vf = 0.6, ent = 0.03, md = 0, gmax = 0;
    CHECK(gbt_read(&pol.ens[0], buf, n, err, sizeof err) == 0);
    onpolicy_a2c_backward(&pol, &p, &r, true, (float)ent, (float)vf, adv, wl, dv, lp, en, m);
    memcpy(grad, pol.tgrad[0], sizeof grad);
    for (int i = 0; i < B; i++)
        for (int c = 0; c < C; c++) {
            double l[2];
            float w[8 * C];
            for (int s2 = 0; s2 < 2; s2++) {
                memcpy(w, v, sizeof w);
                w[i * C + c] += s2 ? -1e-3f : 1e-3f;
                craft(buf, C, w);
                CHECK(gbt_read(&pol.ens[0], buf, n, err, sizeof err) == 0);
                onpolicy_a2c_backward(&pol, &p, &r, true, (float)ent, (float)vf, adv, wl, dv, lp, en, m);
                l[s2] = m[M_POLICY_LOSS] + vf * m[M_VALUE_LOSS] - ent * m[M_ENTROPY];
            }
            float up = v[i * C + c] + 1e-3f, dn = v[i * C + c] - 1e-3f;
            double fd = (l[0] - l[1]) / ((double)up - dn), want = grad[i * C + c] / (double)B;
            md = fmax(md, fabs(fd - want));
            gmax = fmax(gmax, fabs(want));
        }
    printf("  largest |dL/dF| %.3e\n", gmax);
    CHECK(gmax > 1e-2);
    CHECK_MAXDIFF("A2C tree gradients vs FD (categorical)", md, 2e-4);
    rollout_free(&r);
    policy_free(&pol);
    acrl_params_free(&p);
}

/* The same for AWR's loss (awr_minibatch_loss: weighted log-likelihood, entropy, value),
 * categorical policy, weights with some at the weights_max clip. */
static void fd_awr(void) {
    enum { B = 8, K = 3, C = K + 1 };
    char err[ACRL_ERRLEN];
    acrl_policy_config cfg;
    policy_config_default(&cfg);
    cfg.model = 1;
    cfg.tree_growth = 0;
    cfg.tree_depth = 3;
    acrl_space as = {ACRL_SPACE_DISCRETE, 1, K, NULL, NULL, {0, 0, 0}};
    acrl_policy pol;
    acrl_params p;
    acrl_params_init(&p);
    acrl_rng rng;
    acrl_rng_seed(&rng, 6);
    CHECK(policy_build(&pol, &p, 2, &as, &cfg, B, err, sizeof err) == 0);
    CHECK(acrl_params_finalize(&p, err, sizeof err) == 0);
    CHECK(policy_init(&pol, &p, &cfg, &rng, err, sizeof err) == 0);
    float obs[2 * B], act[B], adv[B], w[B], ret[B], scratch[4 * B], grad[B * C];
    for (int i = 0; i < B; i++) {
        obs[2 * i] = (float)i;
        obs[2 * i + 1] = urand(&rng);
        act[i] = (float)acrl_rng_below(&rng, K);
        adv[i] = 3 * (urand(&rng) * 2 - 1);
        ret[i] = urand(&rng) * 2 - 1;
    }
    awr_weights(w, adv, B, false, 0.7f, 5.0f); /* exp(A / 0.7) up to 5: some clipped */
    int clipped = 0;
    for (int i = 0; i < B; i++) clipped += w[i] == 5.0f;
    CHECK(clipped > 0 && clipped < B);
    float v[8 * C];
    for (int k = 0; k < 8 * C; k++) v[k] = urand(&rng) - 0.5f;
    uint8_t buf[8192];
    size_t n = craft(buf, C, v);
    double parts[3], vf = 0.56, ent = 0.05, md = 0, gmax = 0;
    CHECK(gbt_read(&pol.ens[0], buf, n, err, sizeof err) == 0);
    awr_minibatch_loss(&pol, &p, obs, act, w, ret, B, (float)ent, (float)vf, true, scratch, parts);
    memcpy(grad, pol.tgrad[0], sizeof grad);
    for (int i = 0; i < B; i++)
        for (int c = 0; c < C; c++) {
            double l[2];
            float vv[8 * C];
            for (int s2 = 0; s2 < 2; s2++) {
                memcpy(vv, v, sizeof vv);
                vv[i * C + c] += s2 ? -1e-3f : 1e-3f;
                craft(buf, C, vv);
                CHECK(gbt_read(&pol.ens[0], buf, n, err, sizeof err) == 0);
                l[s2] = awr_minibatch_loss(&pol, &p, obs, act, w, ret, B, (float)ent, (float)vf, false, scratch, parts);
            }
            float up = v[i * C + c] + 1e-3f, dn = v[i * C + c] - 1e-3f;
            double fd = (l[0] - l[1]) / ((double)up - dn), want = grad[i * C + c] / (double)B;
            md = fmax(md, fabs(fd - want));
            gmax = fmax(gmax, fabs(want));
        }
    printf("  largest |dL/dF| %.3e\n", gmax);
    CHECK(gmax > 1e-2);
    CHECK_MAXDIFF("AWR tree gradients vs FD (categorical)", md, 2e-4);
    policy_free(&pol);
    acrl_params_free(&p);
}

/* ---- checkpoints: model mismatch ---------------------------------------------- */

static void* make_ppo(const char* model, acrl_space* os, acrl_space* as) {
    char err[ACRL_ERRLEN], kv[64];
    void* cfg = calloc(1, acrl_algo_ppo.cfg_size);
    acrl_algo_ppo.cfg_defaults(cfg);
    snprintf(kv, sizeof kv, "model=%s", model);
    CHECK(acrl_config_parse_override(acrl_algo_ppo.cfg_table, cfg, kv, err, sizeof err) == 0);
    CHECK(acrl_config_parse_override(acrl_algo_ppo.cfg_table, cfg, "n_steps=16", err, sizeof err) == 0);
    acrl_algo_ctx ctx = {os, as, "test", 1, 1000, 0, 1, 0.99f, NULL, NULL, 0};
    void* L = acrl_algo_ppo.create(cfg, &ctx, err, sizeof err);
    free(cfg);
    return L;
}

static void test_mismatch(void) {
    char err[ACRL_ERRLEN];
    float olo[2] = {-INFINITY, -INFINITY}, ohi[2] = {INFINITY, INFINITY};
    acrl_space os = {ACRL_SPACE_BOX, 2, 0, olo, ohi, {0, 0, 0}};
    acrl_space as = {ACRL_SPACE_DISCRETE, 1, 2, NULL, NULL, {0, 0, 0}};
    void* tree = make_ppo("gbrl", &os, &as);
    void* mlp = make_ppo("mlp", &os, &as);
    CHECK(tree && mlp);
    if (!tree || !mlp) return;
    const char* path[2] = {"test_gbrl_tree.ckpt", "test_gbrl_mlp.ckpt"};
    void* who[2] = {tree, mlp};
    for (int k = 0; k < 2; k++) {
        acrl_ckpt_writer* w = acrl_ckpt_begin("ppo", "CartPole-v1");
        CHECK(acrl_algo_ppo.save(who[k], w) == 0);
        CHECK(acrl_ckpt_commit(w, path[k], err, sizeof err) == 0);
    }
    for (int k = 0; k < 2; k++) {
        acrl_ckpt* c = acrl_ckpt_load(path[k], err, sizeof err);
        CHECK(c != NULL);
        if (!c) continue;
        CHECK(acrl_algo_ppo.load(who[k], c, err, sizeof err) == 0); /* its own kind loads */
        int rc = acrl_algo_ppo.load(who[1 - k], c, err, sizeof err);
        printf("%s checkpoint into a %s learner: %s\n", k ? "mlp" : "tree", k ? "gbrl" : "mlp", err);
        CHECK(rc != 0 && strstr(err, k ? "no tree ensemble" : "model = gbrl"));
        acrl_ckpt_free(c);
        remove(path[k]);
    }
    acrl_algo_ppo.destroy(tree);
    acrl_algo_ppo.destroy(mlp);
}

int main(void) {
    test_bins();
    fit_case("greedy cosine depth 3", 0, 0, 3, 0);
    fit_case("greedy L2 depth 4", 0, 1, 4, 0);
    fit_case("greedy cosine depth 2, clipped", 0, 0, 2, 1.5f);
    fit_case("oblivious cosine depth 3", 1, 0, 3, 0);
    fit_case("oblivious L2 depth 2, clipped", 1, 1, 2, 2.0f);
    test_corrupt();
    fd_case(true);
    fd_case(false);
    fd_a2c();
    fd_awr();
    test_mismatch();
    return test_summary("test_gbrl");
}
