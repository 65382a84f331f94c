/* gbt.h - gradient-boosted tree ensembles trained by functional gradient steps (GBRL,
 * Fox et al., arXiv 2407.08250), the tree model behind `model = gbrl`.
 *
 * The ensemble maps an observation x (n_feat floats) to n_out outputs
 *     F(x) = bias + sum_m h_m(x),
 * each h_m a tree whose leaves hold n_out values. One boosting step takes per-sample
 * gradients g_i = dL/dF(x_i) (B, n_out), scaled so that the loss is a per-sample mean
 * times B, and fits one new tree to them:
 *   - features are quantile-binned (at most n_bins bins per feature, edges from a batch
 *     given to gbt_set_bins); a split "x_f <= edge_t goes left" is a (feature, edge) pair;
 *   - the structure is grown to max_depth, greedily node by node or obliviously (one
 *     split per level shared by all nodes), scoring candidates by the "cosine" score
 *     sqrt(sum_side |sum g|^2 / n) or the "L2" score sum_side |sum g|^2 / n on
 *     column-standardized gradients; greedy scores are gains over the unsplit node;
 *   - each leaf gets -lr_c * mean(g_ic) over its samples (an SGD step on the leaf), with
 *     lr[0] for the columns [0, n_pi) (policy) and lr[1] for [n_pi, n_out) (value);
 *   - optional clipping of each sample's gradient norm, per column group.
 * Trees are kept in flat arrays (a node table and a leaf-value table with per-tree
 * offsets) and thresholds as float edges, so prediction compares raw features and the
 * bins can be refreshed without touching grown trees. */
#ifndef ACRL_GBT_H
#define ACRL_GBT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GBT_MAX_DEPTH 16
#define GBT_MAX_BINS  256

typedef struct {
    int   max_depth;      /* 1..16 */
    int   n_bins;         /* 2..256 */
    int   oblivious;      /* 0 greedy, 1 oblivious */
    int   score_l2;       /* 0 cosine, 1 L2 */
    int   min_leaf;       /* samples each side of a split needs (greedy; >= 1) */
    float lr[2];          /* leaf learning rates: columns [0, n_pi), [n_pi, n_out) */
    float clip[2];        /* per-sample gradient-norm clip of each column group (0 = none) */
} gbt_params;

typedef struct {
    gbt_params hp;
    int n_feat, n_out, n_pi;
    /* bins */
    int    has_bins;
    int*   n_edges;       /* (n_feat) edges per feature, <= n_bins - 1 */
    float* edges;         /* (n_feat, n_bins - 1) ascending, strictly increasing */
    /* ensemble */
    float*   bias;        /* (n_out) */
    int      n_trees, cap_trees;
    int64_t* node_off;    /* (n_trees + 1) first node of each tree */
    int64_t* leaf_off;    /* (n_trees + 1) first leaf of each tree */
    int64_t  n_nodes, cap_nodes;
    int32_t* feat;        /* (n_nodes) split feature */
    float*   thr;         /* (n_nodes) x[feat] <= thr goes left (bit 0 of an oblivious level) */
    int32_t* kid;         /* (n_nodes, 2) greedy: child node (tree-local) or ~leaf (tree-local); oblivious: unused (-1) */
    int64_t  n_leaves, cap_leaves;
    float*   leaf;        /* (n_leaves, n_out) leaf values, learning rate applied */
    /* scratch, sized for max_batch samples */
    int      max_batch;
    uint8_t* bins;        /* (max_batch, n_feat) */
    float*   g;           /* (max_batch, n_out) clipped gradients (leaf values) */
    float*   sg;          /* (max_batch, n_out) gradients the split scores see */
    int*     idx;         /* (max_batch) */
    int*     tmp;         /* (max_batch) */
    int*     node_of;     /* (max_batch) oblivious: node of each sample */
    int*     seg;         /* (2^max_depth + 1) oblivious: segment starts per node */
    int*     pos;         /* (2^max_depth) oblivious: fill positions per node */
    double*  hist;        /* (n_feat, n_bins, n_out + 1) one node's histogram */
    double*  cand;        /* (n_feat, n_bins) oblivious: candidate scores summed over nodes */
    uint8_t* cand_ok;     /* (n_feat, n_bins) oblivious: candidate splits some node */
} gbt;

/* Checks the hyperparameters; -1 + message naming the key (tree_depth, tree_bins, ...). */
int  gbt_params_check(const gbt_params* hp, char* err, size_t errlen);
/* An empty ensemble (bias 0, no trees, no bins) with scratch for max_batch samples. */
int  gbt_init(gbt* m, const gbt_params* hp, int n_feat, int n_out, int n_pi, int max_batch, char* err, size_t errlen);
void gbt_free(gbt* m);

/* Quantile bin edges of each feature from x (n, n_feat): the values at ranks k n / n_bins,
 * deduplicated, without the maximum. Replaces earlier edges; trees keep their thresholds. */
int  gbt_set_bins(gbt* m, const float* x, int n, char* err, size_t errlen);
/* Bin of each feature of x (n, n_feat): the number of edges below the value. */
void gbt_bin(const gbt* m, uint8_t* bins, const float* x, int n);

/* out (n, n_out) = F(x) for x (n, n_feat). */
void gbt_predict(const gbt* m, float* out, const float* x, int n);
/* The same, one sample and one tree at a time (the readable reference). */
void gbt_predict_ref(const gbt* m, float* out, const float* x, int n);

/* One boosting step: fits one tree to gradients g (B, n_out) at x (B, n_feat), B <= max_batch;
 * needs bins. Returns 0, or -1 with a message (no bins, out of memory). */
int  gbt_fit(gbt* m, const float* x, const float* g, int B, char* err, size_t errlen);

/* Serialized ensemble (bins, bias, trees; not the hyperparameters): size, write, and a
 * checked read into an ensemble made by gbt_init with the same shapes. */
size_t gbt_bytes(const gbt* m);
void   gbt_write(const gbt* m, uint8_t* buf);
int    gbt_read(gbt* m, const uint8_t* buf, size_t len, char* err, size_t errlen);

#endif
