/* export.h - a trained policy as plain data for the exporters (C header, ONNX): what turns
 * a raw observation into the env's action, step by step, in the order acrl computes it.
 *
 *   x = clip((obs - mean) / std, -clip_obs, clip_obs)   (float64, then float; if norm)
 *   x = act(LN_l(x W_l + b_l)) for every layer but the last (LN_l: layer norm, if the
 *       layer has one),  y = x W_last + b_last
 *   or, for a tree-ensemble policy (model = gbrl),  y = bias + sum_t leaf_t(x), the trees
 *       walked in order from flat arrays (nn/gbt.h) and only the policy's columns kept
 *   action = head(y): the mean; argmax (Discrete, the index as a float); tanh (acrl's
 *            rational tanh, or float64 tanh) then bias + scale * t; the tanh of the mean of
 *            a mixture's most likely expert; Box actions clipped
 *
 * Every algorithm's policy is a table entry in export.c mapping its learner to this
 * description (which layers of its parameter store, which head). */
#ifndef ACRL_EXPORT_H
#define ACRL_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "acrl/nn.h"
#include "algo/agent.h"

#define EXPORT_MAX_LAYERS (2 * ACRL_MLP_MAX_LAYERS)

typedef enum {
    EXPORT_HEAD_MEAN,      /* Gaussian policies: the mean */
    EXPORT_HEAD_ARGMAX,    /* categorical: index of the first largest logit */
    EXPORT_HEAD_TANH,      /* acrl's tanh (src/nn/layers.c, tanh_fast), then rescale (TD3, DDPG) */
    EXPORT_HEAD_TANH_F64,  /* (float)tanh((double)y), then rescale (SAC's squashed mean) */
    EXPORT_HEAD_MIXTURE,   /* y = [mean_k | log_std_k] for k < K, then K gate logits: the mean of the
                            * expert of the largest gate weight (softmax in float64, first of
                            * equals), then as EXPORT_HEAD_TANH_F64 (PMOE) */
} export_head;

typedef struct {
    char   algo[64], env_id[64];
    int    obs_dim, act_dim;          /* act_dim: Box width, 1 for Discrete */
    int    n_actions;                 /* Discrete: n */
    int    n_experts;                 /* EXPORT_HEAD_MIXTURE: K */
    int    nlayers;
    int    sizes[EXPORT_MAX_LAYERS + 1];
    float* w[EXPORT_MAX_LAYERS];      /* (sizes[l], sizes[l+1]) */
    float* b[EXPORT_MAX_LAYERS];      /* (sizes[l+1]) */
    float* ln_g[EXPORT_MAX_LAYERS];   /* (sizes[l+1]) layer norm after linear l (hidden), or NULL */
    float* ln_b[EXPORT_MAX_LAYERS];   /* (sizes[l+1]) */
    acrl_act act;                     /* after every layer but the last */
    bool    norm;
    double* mean;                     /* (obs_dim) if norm */
    double* std;                      /* (obs_dim) sqrt(var + 1e-8), if norm */
    float   clip_obs;
    export_head head;
    float*  scale;                    /* (act_dim) tanh heads: action = bias + scale * t */
    float*  bias;                     /* (act_dim) */
    float*  low;                      /* (act_dim) Box bounds the action is clipped to; NULL: Discrete */
    float*  high;                     /* (act_dim) */
    char    note[256];                /* how the export differs from `acrl act`, if it does ("") */
    /* model = gbrl (nlayers 0): the policy's tree ensemble, y (n_head) = bias + sum of the trees */
    bool     trees;
    int      n_head;                  /* policy outputs kept per leaf: K logits or D means */
    int      n_trees, tree_depth;
    bool     tree_oblivious;          /* oblivious: node k of a tree is level k; else child links */
    long     n_nodes, n_leaves;
    long*    tree_node_off;           /* (n_trees + 1) first node of each tree */
    long*    tree_leaf_off;           /* (n_trees + 1) first leaf of each tree */
    int*     tree_feat;               /* (n_nodes) x[feat] > thr goes right */
    float*   tree_thr;                /* (n_nodes) */
    int*     tree_kid;                /* (2 n_nodes) greedy: tree-local child node, or ~leaf; NULL if oblivious */
    float*   tree_leaf;               /* (n_leaves, n_head) */
    float*   tree_bias;               /* (n_head) */
} export_desc;

/* Describes the deterministic policy of a loaded agent. 0, or -1 + message (an algorithm
 * without a table entry). */
int  export_describe(export_desc* d, const acrl_agent* a, char* err, size_t errlen);
void export_desc_free(export_desc* d);

/* Writers: 0, or -1 + message. name: identifier prefix (C). */
int  export_write_c(FILE* f, const export_desc* d, const char* name, bool int8, char* err, size_t errlen);
int  export_write_onnx(FILE* f, const export_desc* d, char* err, size_t errlen);

#endif
