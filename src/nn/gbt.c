/* Gradient-boosted tree ensembles: quantile bins, one tree per boosting step (greedy or
 * oblivious growth, cosine or L2 split scores), flat-array prediction, serialization. */
#include "nn/gbt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/le.h"

int gbt_params_check(const gbt_params* hp, char* err, size_t errlen) {
    if (hp->max_depth < 1 || hp->max_depth > GBT_MAX_DEPTH) {
        snprintf(err, errlen, "tree_depth must be in [1, %d] (got %d)", GBT_MAX_DEPTH, hp->max_depth);
        return -1;
    }
    if (hp->n_bins < 2 || hp->n_bins > GBT_MAX_BINS) {
        snprintf(err, errlen, "tree_bins must be in [2, %d] (got %d)", GBT_MAX_BINS, hp->n_bins);
        return -1;
    }
    if (hp->min_leaf < 1) { snprintf(err, errlen, "tree_min_leaf must be >= 1 (got %d)", hp->min_leaf); return -1; }
    for (int k = 0; k < 2; k++)
        if (!(hp->lr[k] >= 0) || !isfinite(hp->lr[k]) || !(hp->clip[k] >= 0) || !isfinite(hp->clip[k])) {
            snprintf(err, errlen, "tree learning rates and clips must be finite and >= 0");
            return -1;
        }
    return 0;
}

void gbt_free(gbt* m) {
    free(m->n_edges); free(m->edges); free(m->bias);
    free(m->node_off); free(m->leaf_off); free(m->feat); free(m->thr); free(m->kid); free(m->leaf);
    free(m->bins); free(m->g); free(m->sg); free(m->idx); free(m->tmp); free(m->node_of); free(m->seg); free(m->pos);
    free(m->hist); free(m->cand); free(m->cand_ok);
    memset(m, 0, sizeof *m);
}

int gbt_init(gbt* m, const gbt_params* hp, int n_feat, int n_out, int n_pi, int max_batch, char* err, size_t errlen) {
    memset(m, 0, sizeof *m);
    if (gbt_params_check(hp, err, errlen)) return -1;
    if (n_feat < 1 || n_out < 1 || n_pi < 0 || n_pi > n_out || max_batch < 1) {
        snprintf(err, errlen, "gbt: bad shapes (features %d, outputs %d, batch %d)", n_feat, n_out, max_batch);
        return -1;
    }
    m->hp = *hp;
    m->n_feat = n_feat; m->n_out = n_out; m->n_pi = n_pi; m->max_batch = max_batch;
    size_t nf = (size_t)n_feat, nb = (size_t)hp->n_bins, B = (size_t)max_batch, C = (size_t)n_out;
    m->n_edges = calloc(nf, sizeof(int));
    m->edges = calloc(nf * (nb - 1), sizeof(float));
    m->bias = calloc(C, sizeof(float));
    m->cap_trees = 64;
    m->node_off = calloc((size_t)m->cap_trees + 1, sizeof(int64_t));
    m->leaf_off = calloc((size_t)m->cap_trees + 1, sizeof(int64_t));
    m->bins = malloc(B * nf);
    m->g = malloc(B * C * sizeof(float));
    m->sg = malloc(B * C * sizeof(float));
    m->idx = malloc(B * sizeof(int));
    m->tmp = malloc(B * sizeof(int));
    m->node_of = malloc(B * sizeof(int));
    m->seg = malloc(((size_t)1 << hp->max_depth) * sizeof(int) + sizeof(int));
    m->pos = malloc(((size_t)1 << hp->max_depth) * sizeof(int));
    m->hist = malloc(nf * nb * (C + 1) * sizeof(double));
    m->cand = malloc(nf * nb * sizeof(double));
    m->cand_ok = malloc(nf * nb);
    if (!m->n_edges || !m->edges || !m->bias || !m->node_off || !m->leaf_off || !m->bins || !m->g || !m->sg ||
        !m->idx || !m->tmp || !m->node_of || !m->seg || !m->pos || !m->hist || !m->cand || !m->cand_ok) {
        gbt_free(m);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* ---- bins ------------------------------------------------------------------ */

static int cmp_float(const void* a, const void* b) {
    float x = *(const float*)a, y = *(const float*)b;
    return (x > y) - (x < y);
}

int gbt_set_bins(gbt* m, const float* x, int n, char* err, size_t errlen) {
    int nf = m->n_feat, nb = m->hp.n_bins;
    if (n < 1) { snprintf(err, errlen, "gbt: no samples for the bin edges"); return -1; }
    float* col = malloc(sizeof(float) * (size_t)n);
    if (!col) { snprintf(err, errlen, "out of memory"); return -1; }
    for (int f = 0; f < nf; f++) {
        for (int i = 0; i < n; i++) {
            col[i] = x[(size_t)i * nf + f];
            if (!isfinite(col[i])) {
                free(col);
                snprintf(err, errlen, "gbt: non-finite feature %d in the bin sample", f);
                return -1;
            }
        }
        qsort(col, (size_t)n, sizeof(float), cmp_float);
        float vmax = col[n - 1];
        float* e = m->edges + (size_t)f * (nb - 1);
        int ne = 0;
        for (int k = 1; k < nb; k++) {
            float v = col[(size_t)k * (size_t)n / (size_t)nb];
            if (v < vmax && (ne == 0 || v > e[ne - 1])) e[ne++] = v;
        }
        m->n_edges[f] = ne;
    }
    free(col);
    m->has_bins = 1;
    return 0;
}

void gbt_bin(const gbt* m, uint8_t* bins, const float* x, int n) {
    int nf = m->n_feat, nb = m->hp.n_bins;
    for (int i = 0; i < n; i++)
        for (int f = 0; f < nf; f++) {
            const float* e = m->edges + (size_t)f * (nb - 1);
            float v = x[(size_t)i * nf + f];
            int lo = 0, hi = m->n_edges[f];
            while (lo < hi) { /* first edge >= v: the count of edges below v */
                int mid = (lo + hi) / 2;
                if (e[mid] < v) lo = mid + 1;
                else hi = mid;
            }
            bins[(size_t)i * nf + f] = (uint8_t)lo;
        }
}

/* ---- prediction ------------------------------------------------------------ */

/* Leaf (tree-local) that x reaches in tree t. */
static int64_t tree_leaf_of(const gbt* m, int t, const float* x) {
    int64_t n0 = m->node_off[t], nn = m->node_off[t + 1] - n0;
    const int32_t* F = m->feat + n0;
    const float* T = m->thr + n0;
    if (m->hp.oblivious) {
        int64_t k = 0;
        for (int64_t l = 0; l < nn; l++) k = 2 * k + (x[F[l]] > T[l]);
        return k;
    }
    if (nn == 0) return 0;
    const int32_t* K = m->kid + 2 * n0;
    int32_t k = 0;
    while (k >= 0) k = K[2 * k + (x[F[k]] > T[k])];
    return ~k;
}

void gbt_predict_ref(const gbt* m, float* out, const float* x, int n) {
    int C = m->n_out;
    for (int b = 0; b < n; b++) {
        float* o = out + (size_t)b * C;
        for (int c = 0; c < C; c++) o[c] = m->bias[c];
        for (int t = 0; t < m->n_trees; t++) {
            const float* L = m->leaf + (m->leaf_off[t] + tree_leaf_of(m, t, x + (size_t)b * m->n_feat)) * C;
            for (int c = 0; c < C; c++) o[c] += L[c];
        }
    }
}

void gbt_predict(const gbt* m, float* out, const float* x, int n) {
    /* tree by tree over the whole batch: each tree's nodes are read once; every sample
     * still adds the trees in order, so the sums equal gbt_predict_ref's bit for bit */
    int C = m->n_out, nf = m->n_feat;
    for (int b = 0; b < n; b++)
        for (int c = 0; c < C; c++) out[(size_t)b * C + c] = m->bias[c];
    for (int t = 0; t < m->n_trees; t++) {
        int64_t n0 = m->node_off[t], nn = m->node_off[t + 1] - n0;
        const int32_t* F = m->feat + n0;
        const float* T = m->thr + n0;
        const int32_t* K = m->kid + 2 * n0;
        const float* L = m->leaf + m->leaf_off[t] * C;
        for (int b = 0; b < n; b++) {
            const float* xb = x + (size_t)b * nf;
            int64_t k = 0;
            if (m->hp.oblivious) {
                for (int64_t l = 0; l < nn; l++) k = 2 * k + (xb[F[l]] > T[l]);
            } else if (nn > 0) {
                int32_t j = 0;
                while (j >= 0) j = K[2 * j + (xb[F[j]] > T[j])];
                k = ~j;
            }
            const float* l = L + k * C;
            float* o = out + (size_t)b * C;
            for (int c = 0; c < C; c++) o[c] += l[c];
        }
    }
}

/* ---- fitting --------------------------------------------------------------- */

static int reserve(gbt* m, int64_t nodes, int64_t leaves) {
    if (m->n_trees + 1 > m->cap_trees) {
        int cap = 2 * m->cap_trees;
        int64_t* a = realloc(m->node_off, sizeof(int64_t) * ((size_t)cap + 1));
        if (!a) return -1;
        m->node_off = a;
        int64_t* b = realloc(m->leaf_off, sizeof(int64_t) * ((size_t)cap + 1));
        if (!b) return -1;
        m->leaf_off = b;
        m->cap_trees = cap;
    }
    if (m->n_nodes + nodes > m->cap_nodes) {
        int64_t cap = m->cap_nodes ? m->cap_nodes : 256;
        while (cap < m->n_nodes + nodes) cap *= 2;
        int32_t* f = realloc(m->feat, sizeof(int32_t) * (size_t)cap);
        if (!f) return -1;
        m->feat = f;
        float* t = realloc(m->thr, sizeof(float) * (size_t)cap);
        if (!t) return -1;
        m->thr = t;
        int32_t* k = realloc(m->kid, 2 * sizeof(int32_t) * (size_t)cap);
        if (!k) return -1;
        m->kid = k;
        m->cap_nodes = cap;
    }
    if (m->n_leaves + leaves > m->cap_leaves) {
        int64_t cap = m->cap_leaves ? m->cap_leaves : 256;
        while (cap < m->n_leaves + leaves) cap *= 2;
        float* l = realloc(m->leaf, sizeof(float) * (size_t)cap * (size_t)m->n_out);
        if (!l) return -1;
        m->leaf = l;
        m->cap_leaves = cap;
    }
    return 0;
}

/* Histogram (n_feat, n_bins, 1 + n_out) of counts and score-gradient sums of samples s[0..n). */
static void node_hist(gbt* m, const int* s, int n) {
    int nf = m->n_feat, nb = m->hp.n_bins, C = m->n_out, W = C + 1;
    for (int f = 0; f < nf; f++) /* only the bins in use: one-hot features have two */
        memset(m->hist + (size_t)f * nb * W, 0, sizeof(double) * (size_t)(m->n_edges[f] + 1) * W);
    for (int k = 0; k < n; k++) {
        int i = s[k];
        const uint8_t* bi = m->bins + (size_t)i * nf;
        const float* gi = m->sg + (size_t)i * C;
        for (int f = 0; f < nf; f++) {
            double* h = m->hist + ((size_t)f * nb + bi[f]) * W;
            h[0] += 1;
            for (int c = 0; c < C; c++) h[1 + c] += gi[c];
        }
    }
}

/* |sum|^2 / n of one side (0 when empty) */
static double side_score(const double* sum, double n, int C) {
    if (n <= 0) return 0;
    double s = 0;
    for (int c = 0; c < C; c++) s += sum[c] * sum[c];
    return s / n;
}

static double node_score(const gbt* m, double s) { return m->hp.score_l2 ? s : sqrt(s); }

/* Best greedy split of samples s[0..n): feature and edge index, gain over the unsplit node
 * (root: over 0); returns 0 if no split leaves min_leaf samples on both sides. */
static int best_split(gbt* m, const int* s, int n, bool root, int* bf, int* bt, double* gain) {
    int nf = m->n_feat, nb = m->hp.n_bins, C = m->n_out, W = C + 1, minl = m->hp.min_leaf;
    if (n < 2 * minl) return 0;
    node_hist(m, s, n);
    double tot[C], left[C], right[C];
    memset(tot, 0, sizeof tot);
    for (int k = 0; k < n; k++)
        for (int c = 0; c < C; c++) tot[c] += m->sg[(size_t)s[k] * C + c];
    double parent = root ? 0.0 : node_score(m, side_score(tot, n, C));
    int found = 0;
    double best = -INFINITY;
    for (int f = 0; f < nf; f++) {
        memset(left, 0, sizeof left);
        double nl = 0;
        for (int t = 0; t < m->n_edges[f]; t++) {
            const double* h = m->hist + ((size_t)f * nb + t) * W;
            nl += h[0];
            for (int c = 0; c < C; c++) left[c] += h[1 + c];
            double nr = n - nl;
            if (nl < minl || nr < minl) continue;
            for (int c = 0; c < C; c++) right[c] = tot[c] - left[c];
            double sc = node_score(m, side_score(left, nl, C) + side_score(right, nr, C)) - parent;
            if (sc > best) { best = sc; *bf = f; *bt = t; found = 1; }
        }
    }
    *gain = best;
    return found;
}

/* Appends a leaf: -lr * mean of the clipped gradients of samples s[0..n) (0 if empty). */
static void add_leaf(gbt* m, const int* s, int n) {
    int C = m->n_out;
    float* L = m->leaf + m->n_leaves * C;
    for (int c = 0; c < C; c++) {
        double sum = 0;
        for (int k = 0; k < n; k++) sum += m->g[(size_t)s[k] * C + c];
        float lr = m->hp.lr[c < m->n_pi ? 0 : 1];
        L[c] = n > 0 ? (float)(-(double)lr * sum / n) : 0.0f;
    }
    m->n_leaves++;
}

/* Grows the subtree of samples idx[lo..hi) at depth d; returns its code in the parent's
 * kid slot: a tree-local node index, or ~(tree-local leaf index). */
static int32_t grow_greedy(gbt* m, int lo, int hi, int d) {
    int f = 0, t = 0;
    double gain = 0;
    int64_t n0 = m->node_off[m->n_trees], l0 = m->leaf_off[m->n_trees];
    if (d >= m->hp.max_depth || !best_split(m, m->idx + lo, hi - lo, d == 0, &f, &t, &gain) || gain < 0) {
        add_leaf(m, m->idx + lo, hi - lo);
        return ~(int32_t)(m->n_leaves - 1 - l0);
    }
    int64_t node = m->n_nodes++;
    m->feat[node] = f;
    m->thr[node] = m->edges[(size_t)f * (m->hp.n_bins - 1) + t];
    /* stable partition: bin <= t left */
    int nl = 0, nr = 0;
    for (int k = lo; k < hi; k++) {
        int i = m->idx[k];
        if (m->bins[(size_t)i * m->n_feat + f] <= t) m->idx[lo + nl++] = i;
        else m->tmp[nr++] = i;
    }
    memcpy(m->idx + lo + nl, m->tmp, sizeof(int) * (size_t)nr);
    int32_t a = grow_greedy(m, lo, lo + nl, d + 1);
    int32_t b = grow_greedy(m, lo + nl, hi, d + 1);
    m->kid[2 * node] = a;
    m->kid[2 * node + 1] = b;
    return (int32_t)(node - n0);
}

/* Sorts the samples by node_of (counting sort, stable): node j's samples are
 * idx[seg[j] .. seg[j+1]). */
static void group_by_node(gbt* m, int B, int nn) {
    memset(m->seg, 0, sizeof(int) * ((size_t)nn + 1));
    for (int i = 0; i < B; i++) m->seg[m->node_of[i] + 1]++;
    for (int j = 0; j < nn; j++) m->seg[j + 1] += m->seg[j];
    memcpy(m->pos, m->seg, sizeof(int) * (size_t)nn);
    for (int i = 0; i < B; i++) m->idx[m->pos[m->node_of[i]]++] = i;
}

static void grow_oblivious(gbt* m, int B) {
    int nf = m->n_feat, nb = m->hp.n_bins, C = m->n_out, W = C + 1, minl = m->hp.min_leaf;
    for (int i = 0; i < B; i++) m->node_of[i] = 0;
    int depth = 0;
    while (depth < m->hp.max_depth) {
        int nn = 1 << depth;
        group_by_node(m, B, nn);
        memset(m->cand, 0, sizeof(double) * (size_t)nf * nb);
        memset(m->cand_ok, 0, (size_t)nf * nb);
        for (int j = 0; j < nn; j++) {
            int n = m->seg[j + 1] - m->seg[j];
            if (n == 0) continue;
            const int* s = m->idx + m->seg[j];
            node_hist(m, s, n);
            double tot[C], left[C], right[C];
            memset(tot, 0, sizeof tot);
            for (int k = 0; k < n; k++)
                for (int c = 0; c < C; c++) tot[c] += m->sg[(size_t)s[k] * C + c];
            for (int f = 0; f < nf; f++) {
                memset(left, 0, sizeof left);
                double nl = 0;
                for (int t = 0; t < m->n_edges[f]; t++) {
                    const double* h = m->hist + ((size_t)f * nb + t) * W;
                    nl += h[0];
                    for (int c = 0; c < C; c++) left[c] += h[1 + c];
                    double nr = n - nl;
                    for (int c = 0; c < C; c++) right[c] = tot[c] - left[c];
                    m->cand[(size_t)f * nb + t] += node_score(m, side_score(left, nl, C) + side_score(right, nr, C));
                    if (nl >= minl && nr >= minl) m->cand_ok[(size_t)f * nb + t] = 1;
                }
            }
        }
        int bf = -1, bt = 0;
        double best = -INFINITY;
        for (int f = 0; f < nf; f++)
            for (int t = 0; t < m->n_edges[f]; t++)
                if (m->cand_ok[(size_t)f * nb + t] && m->cand[(size_t)f * nb + t] > best) {
                    best = m->cand[(size_t)f * nb + t];
                    bf = f; bt = t;
                }
        if (bf < 0) break;
        int64_t node = m->n_nodes++;
        m->feat[node] = bf;
        m->thr[node] = m->edges[(size_t)bf * (nb - 1) + bt];
        m->kid[2 * node] = m->kid[2 * node + 1] = -1;
        for (int i = 0; i < B; i++) m->node_of[i] = 2 * m->node_of[i] + (m->bins[(size_t)i * nf + bf] > bt);
        depth++;
    }
    /* leaves in index order: group the samples by final node */
    int nl = 1 << depth;
    group_by_node(m, B, nl);
    for (int j = 0; j < nl; j++) add_leaf(m, m->idx + m->seg[j], m->seg[j + 1] - m->seg[j]);
}

/* Clipped gradients into m->g, and the gradients the split scores see into m->sg. */
static void prepare_grads(gbt* m, const float* g, int B) {
    int C = m->n_out;
    memcpy(m->g, g, sizeof(float) * (size_t)B * C);
    for (int i = 0; i < B; i++) {
        float* gi = m->g + (size_t)i * C;
        int lo[2] = {0, m->n_pi}, hi[2] = {m->n_pi, C};
        for (int k = 0; k < 2; k++) {
            if (m->hp.clip[k] <= 0 || lo[k] >= hi[k]) continue;
            double s = 0;
            for (int c = lo[k]; c < hi[k]; c++) s += (double)gi[c] * gi[c];
            double nrm = sqrt(s);
            if (nrm > m->hp.clip[k]) {
                float sc = (float)(m->hp.clip[k] / nrm);
                for (int c = lo[k]; c < hi[k]; c++) gi[c] *= sc;
            }
        }
    }
    memcpy(m->sg, m->g, sizeof(float) * (size_t)B * C);
    if (!m->hp.score_l2) return;
    /* L2: each column centred and divided by its standard deviation over the batch */
    for (int c = 0; c < C; c++) {
        double mu = 0, var = 0;
        for (int i = 0; i < B; i++) mu += m->sg[(size_t)i * C + c];
        mu /= B;
        for (int i = 0; i < B; i++) { double d = m->sg[(size_t)i * C + c] - mu; var += d * d; }
        double sd = sqrt(var / B);
        for (int i = 0; i < B; i++) {
            double d = m->sg[(size_t)i * C + c] - mu;
            m->sg[(size_t)i * C + c] = (float)(sd > 0 ? d / sd : d);
        }
    }
}

int gbt_fit(gbt* m, const float* x, const float* g, int B, char* err, size_t errlen) {
    if (!m->has_bins) { snprintf(err, errlen, "gbt: fit before the bin edges were set"); return -1; }
    if (B < 1 || B > m->max_batch) { snprintf(err, errlen, "gbt: batch of %d (at most %d)", B, m->max_batch); return -1; }
    int D = m->hp.max_depth;
    int64_t max_leaves = m->hp.oblivious ? ((int64_t)1 << D) : ((int64_t)1 << D) < B ? ((int64_t)1 << D) : B;
    if (reserve(m, m->hp.oblivious ? D : max_leaves, max_leaves)) {
        snprintf(err, errlen, "out of memory growing tree %d", m->n_trees + 1);
        return -1;
    }
    gbt_bin(m, m->bins, x, B);
    prepare_grads(m, g, B);
    m->node_off[m->n_trees] = m->n_nodes;
    m->leaf_off[m->n_trees] = m->n_leaves;
    if (m->hp.oblivious) {
        grow_oblivious(m, B);
    } else {
        for (int i = 0; i < B; i++) m->idx[i] = i;
        grow_greedy(m, 0, B, 0);
    }
    m->n_trees++;
    m->node_off[m->n_trees] = m->n_nodes;
    m->leaf_off[m->n_trees] = m->n_leaves;
    return 0;
}

/* ---- serialization ----------------------------------------------------------
 * little-endian: 8 int64 (n_feat, n_out, oblivious, n_bins, has_bins, n_trees, n_nodes,
 * n_leaves), int32 n_edges (n_feat), f32 edges (n_feat, n_bins - 1), f32 bias (n_out),
 * int64 node_off and leaf_off (n_trees + 1 each), int32 feat, f32 thr, int32 kid (2 per
 * node), f32 leaf values (n_leaves, n_out). */

#define GBT_HEADER 8

static size_t bytes_for(int64_t nf, int64_t C, int64_t nb, int64_t nt, int64_t nn, int64_t nl) {
    return 8 * GBT_HEADER + 4 * (size_t)nf + 4 * (size_t)nf * (size_t)(nb - 1) + 4 * (size_t)C +
           16 * ((size_t)nt + 1) + 16 * (size_t)nn + 4 * (size_t)nl * (size_t)C;
}

size_t gbt_bytes(const gbt* m) {
    return bytes_for(m->n_feat, m->n_out, m->hp.n_bins, m->n_trees, m->n_nodes, m->n_leaves);
}

static uint8_t* put_i64s(uint8_t* p, const int64_t* v, size_t n) {
    for (size_t i = 0; i < n; i++) p = le_put_i64(p, v[i]);
    return p;
}

void gbt_write(const gbt* m, uint8_t* p) {
    int64_t h[GBT_HEADER] = {m->n_feat, m->n_out, m->hp.oblivious, m->hp.n_bins, m->has_bins,
                             m->n_trees, m->n_nodes, m->n_leaves};
    size_t nf = (size_t)m->n_feat;
    p = put_i64s(p, h, GBT_HEADER);
    p = le_put_i32s(p, m->n_edges, nf);
    p = le_put_f32s(p, m->edges, nf * (size_t)(m->hp.n_bins - 1));
    p = le_put_f32s(p, m->bias, (size_t)m->n_out);
    p = put_i64s(p, m->node_off, (size_t)m->n_trees + 1);
    p = put_i64s(p, m->leaf_off, (size_t)m->n_trees + 1);
    for (int64_t i = 0; i < m->n_nodes; i++) p = le_put_i32(p, m->feat[i]);
    p = le_put_f32s(p, m->thr, (size_t)m->n_nodes);
    for (int64_t i = 0; i < 2 * m->n_nodes; i++) p = le_put_i32(p, m->kid[i]);
    le_put_f32s(p, m->leaf, (size_t)m->n_leaves * (size_t)m->n_out);
}

static bool all_finite_f(const float* v, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return false;
    return true;
}

/* Checks the structure of tree t (offsets already checked): every split on a known
 * feature, and for greedy trees children after their parent, leaves in range, each
 * leaf reached once; so that prediction always ends on a stored leaf. */
static int check_tree(const gbt* m, int t, char* err, size_t errlen) {
    int64_t n0 = m->node_off[t], nn = m->node_off[t + 1] - n0, nl = m->leaf_off[t + 1] - m->leaf_off[t];
    for (int64_t k = 0; k < nn; k++)
        if (m->feat[n0 + k] < 0 || m->feat[n0 + k] >= m->n_feat) {
            snprintf(err, errlen, "tree %d splits on feature %d (the model has %d)", t, m->feat[n0 + k], m->n_feat);
            return -1;
        }
    if (m->hp.oblivious) {
        if (nn > m->hp.max_depth || nl != ((int64_t)1 << nn)) {
            snprintf(err, errlen, "oblivious tree %d has %lld levels and %lld leaves (depth at most %d)", t,
                     (long long)nn, (long long)nl, m->hp.max_depth);
            return -1;
        }
        return 0;
    }
    if (nl != nn + 1 || nn >= ((int64_t)1 << m->hp.max_depth)) {
        snprintf(err, errlen, "tree %d has %lld nodes and %lld leaves", t, (long long)nn, (long long)nl);
        return -1;
    }
    int64_t seen_nodes = 0, seen_leaves = 0;
    for (int64_t k = 0; k < nn; k++)
        for (int s = 0; s < 2; s++) {
            int32_t c = m->kid[2 * (n0 + k) + s];
            if (c >= 0 ? (c <= k || c >= nn) : (~(int64_t)c >= nl)) {
                snprintf(err, errlen, "tree %d: node %lld has an invalid child %d", t, (long long)k, c);
                return -1;
            }
            if (c >= 0) seen_nodes++;
            else seen_leaves++;
        }
    if (nn > 0 && (seen_nodes != nn - 1 || seen_leaves != nl)) {
        snprintf(err, errlen, "tree %d is not a binary tree", t);
        return -1;
    }
    return 0;
}

int gbt_read(gbt* m, const uint8_t* p, size_t len, char* err, size_t errlen) {
    if (len < 8 * GBT_HEADER) { snprintf(err, errlen, "tree ensemble section too short (%zu bytes)", len); return -1; }
    int64_t h[GBT_HEADER];
    for (int i = 0; i < GBT_HEADER; i++) h[i] = le_get_i64(&p);
    if (h[0] != m->n_feat || h[1] != m->n_out || h[2] != m->hp.oblivious || h[3] != m->hp.n_bins) {
        snprintf(err, errlen, "tree ensemble has %lld features, %lld outputs, %s growth, %lld bins; the config "
                 "gives %d, %d, %s, %d", (long long)h[0], (long long)h[1], h[2] ? "oblivious" : "greedy",
                 (long long)h[3], m->n_feat, m->n_out, m->hp.oblivious ? "oblivious" : "greedy", m->hp.n_bins);
        return -1;
    }
    int64_t nt = h[5], nn = h[6], nl = h[7];
    /* bounded before any size arithmetic: every tree has >= 1 leaf, every node 16 bytes */
    if ((h[4] != 0 && h[4] != 1) || nt < 0 || nn < 0 || nl < 0 || nt > (int64_t)len || nn > (int64_t)len ||
        nl > (int64_t)len || nt > INT32_MAX - 1 || len != bytes_for(h[0], h[1], h[3], nt, nn, nl)) {
        snprintf(err, errlen, "tree ensemble section has %zu bytes, which does not fit its header (%lld trees, "
                 "%lld nodes, %lld leaves)", len, (long long)nt, (long long)nn, (long long)nl);
        return -1;
    }
    gbt t = *m;
    t.n_trees = 0; t.n_nodes = 0; t.n_leaves = 0;
    t.node_off = NULL; t.leaf_off = NULL; t.feat = NULL; t.thr = NULL; t.kid = NULL; t.leaf = NULL;
    t.cap_trees = (int)(nt > 64 ? nt : 64);
    t.node_off = malloc(sizeof(int64_t) * ((size_t)t.cap_trees + 1));
    t.leaf_off = malloc(sizeof(int64_t) * ((size_t)t.cap_trees + 1));
    t.cap_nodes = nn > 0 ? nn : 1;
    t.cap_leaves = nl > 0 ? nl : 1;
    t.feat = malloc(sizeof(int32_t) * (size_t)t.cap_nodes);
    t.thr = malloc(sizeof(float) * (size_t)t.cap_nodes);
    t.kid = malloc(2 * sizeof(int32_t) * (size_t)t.cap_nodes);
    t.leaf = malloc(sizeof(float) * (size_t)t.cap_leaves * (size_t)m->n_out);
    int* ne = malloc(sizeof(int) * (size_t)m->n_feat);
    float* edges = malloc(sizeof(float) * (size_t)m->n_feat * (size_t)(m->hp.n_bins - 1));
    float bias[m->n_out];
    int rc = -1;
    if (!t.node_off || !t.leaf_off || !t.feat || !t.thr || !t.kid || !t.leaf || !ne || !edges) {
        snprintf(err, errlen, "out of memory reading a tree ensemble of %lld trees", (long long)nt);
        goto done;
    }
    size_t nf = (size_t)m->n_feat, nb1 = (size_t)(m->hp.n_bins - 1);
    le_get_i32s(&p, ne, nf);
    le_get_f32s(&p, edges, nf * nb1);
    le_get_f32s(&p, bias, (size_t)m->n_out);
    for (int64_t i = 0; i <= nt; i++) t.node_off[i] = le_get_i64(&p);
    for (int64_t i = 0; i <= nt; i++) t.leaf_off[i] = le_get_i64(&p);
    for (int64_t i = 0; i < nn; i++) t.feat[i] = le_get_i32(&p);
    le_get_f32s(&p, t.thr, (size_t)nn);
    for (int64_t i = 0; i < 2 * nn; i++) t.kid[i] = le_get_i32(&p);
    le_get_f32s(&p, t.leaf, (size_t)nl * (size_t)m->n_out);
    for (size_t f = 0; f < nf; f++) {
        if (ne[f] < 0 || (size_t)ne[f] > nb1 || !all_finite_f(edges + f * nb1, (size_t)ne[f])) {
            snprintf(err, errlen, "tree ensemble: bad bin edges of feature %zu", f);
            goto done;
        }
        for (int k = 1; k < ne[f]; k++)
            if (!(edges[f * nb1 + k] > edges[f * nb1 + k - 1])) {
                snprintf(err, errlen, "tree ensemble: bin edges of feature %zu not increasing", f);
                goto done;
            }
    }
    if (!all_finite_f(bias, (size_t)m->n_out) || !all_finite_f(t.thr, (size_t)nn) ||
        !all_finite_f(t.leaf, (size_t)nl * (size_t)m->n_out)) {
        snprintf(err, errlen, "tree ensemble contains NaN or Inf");
        goto done;
    }
    if (t.node_off[0] != 0 || t.leaf_off[0] != 0 || t.node_off[nt] != nn || t.leaf_off[nt] != nl) {
        snprintf(err, errlen, "tree ensemble: tree offsets do not cover its nodes and leaves");
        goto done;
    }
    for (int64_t i = 0; i < nt; i++)
        if (t.node_off[i + 1] < t.node_off[i] || t.leaf_off[i + 1] <= t.leaf_off[i]) {
            snprintf(err, errlen, "tree ensemble: offsets of tree %lld decrease", (long long)i);
            goto done;
        }
    t.n_trees = (int)nt; t.n_nodes = nn; t.n_leaves = nl;
    for (int i = 0; i < t.n_trees; i++)
        if (check_tree(&t, i, err, errlen)) goto done;
    /* accepted: move into m */
    free(m->node_off); free(m->leaf_off); free(m->feat); free(m->thr); free(m->kid); free(m->leaf);
    m->node_off = t.node_off; m->leaf_off = t.leaf_off; m->feat = t.feat; m->thr = t.thr; m->kid = t.kid;
    m->leaf = t.leaf;
    t.node_off = t.leaf_off = NULL; t.feat = t.kid = NULL; t.thr = t.leaf = NULL;
    m->cap_trees = t.cap_trees; m->cap_nodes = t.cap_nodes; m->cap_leaves = t.cap_leaves;
    m->n_trees = t.n_trees; m->n_nodes = nn; m->n_leaves = nl;
    memcpy(m->n_edges, ne, sizeof(int) * nf);
    memcpy(m->edges, edges, sizeof(float) * nf * nb1);
    memcpy(m->bias, bias, sizeof bias);
    m->has_bins = (int)h[4];
    rc = 0;
done:
    free(t.node_off); free(t.leaf_off); free(t.feat); free(t.thr); free(t.kid); free(t.leaf);
    free(ne); free(edges);
    return rc;
}
