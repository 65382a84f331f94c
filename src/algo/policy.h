/* policy.h - the actor-critic network of the on-policy algorithms (PPO, A2C, A3C).
 *
 * Actor and critic live in one parameter store: separate MLPs (obs -> hidden -> out),
 * or a shared trunk (obs -> hidden, activation) with a linear policy head and a
 * linear value head. Discrete spaces get a categorical over logits; Box spaces a
 * diagonal Gaussian with a state-independent, learned log-std (one per action dim), or
 * with generalized state-dependent exploration (gSDE, Raffin et al. 2021, as in
 * Stable-Baselines3 with full_std and learn_features off): the noise is the last hidden
 * layer's features (detached) times an exploration matrix drawn from N(0, exp(L)) and
 * redrawn every sde_sample_freq steps, so that the action's std is
 * sqrt(sum_k phi_k^2 exp(2 L_kj) + 1e-6) per dimension j.
 * A policy holds only activations and scratch; the weights are read from whatever
 * store is passed in (A3C workers keep their own copy of the shared weights).
 *
 * With `model = gbrl` the logits / means and the value are instead the outputs of a
 * gradient-boosted tree ensemble (nn/gbt.h, docs/gbrl.md), one shared tree structure for
 * both heads (or one ensemble per head); the store then holds only the Gaussian log-std.
 * policy_backward leaves the per-sample gradients with respect to the outputs, and
 * policy_boost fits one tree to them; the algorithms call it after their optimizer step. */
#ifndef ACRL_POLICY_H
#define ACRL_POLICY_H

#include "acrl/env.h"
#include "acrl/nn.h"
#include "acrl/io.h"
#include "acrl/dist.h"
#include "nn/gbt.h"

typedef struct {
    int  obs_dim, act_dim;     /* act_dim: Box dims, 1 for Discrete */
    int  n_out;                /* policy head width: K logits or D means */
    bool discrete, shared;
    int  max_batch;
    acrl_act act;
    acrl_mlp pi, vf;           /* separate: full MLPs; shared: the two linear heads */
    acrl_mlp trunk;            /* shared only: obs -> hidden (pre-activation output) */
    size_t log_std_off;        /* Box: (D), or gSDE: (latent, D) */
    bool   sde;                /* gSDE exploration */
    int    latent;             /* gSDE: width of the features phi */
    const float* phi;          /* gSDE: (B, latent) last forward's features */
    float* sde_var;            /* gSDE: (max_batch, D) sum_k phi^2 exp(2L) */
    float* sde_mat;            /* gSDE: (max_batch, latent, D) exploration matrix per env copy */
    int    sde_rows;           /* gSDE: exploration matrices drawn (env copies) */
    int    sde_sample_freq;    /* gSDE: steps between draws during a rollout (<= 0: once per rollout) */
    float* trunk_h;            /* (max_batch, hidden) activated trunk output */
    float* dtrunk;             /* (max_batch, hidden) gradient wrt the activated trunk output */
    float* dpre;               /* (max_batch, hidden) gradient wrt the trunk pre-activation */
    float* log_std;            /* (max_batch, D) broadcast log-std */
    float* dhead;              /* (max_batch, n_out) */
    float* dlog_std;           /* (max_batch, D) */
    float* dvalue;             /* (max_batch) */
    float* eps;                /* (max_batch, D) */
    int*   iact;               /* (max_batch) */
    float* cat_logp;           /* Discrete: (max_batch, K) log-softmax of the last forward's logits */
    float* cat_probs;          /* Discrete: (max_batch, K) softmax */
    float* cat_ent;            /* Discrete: (max_batch) entropies */
    bool   cat_ready;          /* cat_* hold the last forward's values (set by evaluate) */
    const float* head;         /* (B, n_out) last forward's logits / means */
    const float* value;        /* (B) last forward's values */
    int    batch;
    bool   use_cnn;            /* extractor = cnn: obs -> CNN features -> the networks above */
    acrl_cnn cnn;              /* shared by actor and critic (SB3's on-policy default) */
    float* dfeat;              /* (max_batch, cnn.out_dim) gradient wrt the features */
    /* model = gbrl */
    bool   gbrl;
    int    n_ens;              /* 1: shared structure (outputs n_out + 1); 2: policy, value ensembles */
    gbt    ens[2];
    int    bin_refresh;        /* rollouts between bin-edge refreshes (0: edges of the first rollout) */
    long   rollouts;           /* rollouts seen (bin refresh schedule; checkpointed) */
    const float* fit_obs;      /* (fit_batch, obs_dim) observations of the last backward */
    int    fit_batch;          /* samples waiting for policy_boost (0: none) */
    float* tout;               /* (max_batch, n_out + 1) shared ensemble's outputs */
    float* head_buf;           /* (max_batch, n_out) */
    float* value_buf;          /* (max_batch) */
    float* tgrad[2];           /* per-sample gradients wrt each ensemble's outputs, loss as a sum */
    int    critic_dim;         /* > 0: the value network reads privileged states of this size
                                * (asymmetric actor-critic), given to policy_forward_s */
} acrl_policy;

/* Network keys every on-policy algorithm's configuration embeds (storage for io.h tables). */
typedef struct {
    acrl_intlist net_arch;                    /* hidden widths, e.g. 64,64 */
    char  activation[ACRL_CONFIG_STR_MAX];    /* "tanh", "relu", ... */
    int   shared_trunk;                       /* actor and critic share the hidden layers */
    int   ortho_init;                         /* orthogonal (gains sqrt 2 / 0.01 / 1) or PyTorch init */
    float log_std_init;
    int   use_sde;                            /* gSDE instead of a state-independent std */
    int   sde_sample_freq;                    /* steps between exploration-matrix draws (-1: per rollout) */
    char  extractor[ACRL_CONFIG_STR_MAX];     /* "mlp" (flat observations) or "cnn" */
    acrl_intlist cnn_channels, cnn_kernels, cnn_strides; /* per conv layer (strides empty: all 1) */
    acrl_intlist cnn_pools;                   /* per conv layer max-pooling window (empty: none; 1: none) */
    acrl_intlist cnn_input;                   /* (C, H, W): set from the env's observation shape */
    int   model;                              /* 0 mlp, 1 gbrl (tree ensemble) */
    int   tree_depth, tree_bins, tree_growth;  /* growth: 0 greedy, 1 oblivious */
    int   tree_split;                         /* 0 cosine, 1 l2 */
    int   tree_shared;                        /* one tree structure for policy and value */
    int   tree_min_leaf, tree_bin_refresh;
    float tree_policy_lr, tree_value_lr, tree_policy_clip, tree_value_clip;
    int   critic_dim;                         /* not a key: critic_obs = state's state size (0: the
                                               * critic reads the observation), set by the algorithm */
} acrl_policy_config;

extern const char* const policy_model_names[];  /* "mlp", "gbrl" */
extern const char* const tree_growth_names[];   /* "greedy", "oblivious" */
extern const char* const tree_split_names[];    /* "cosine", "l2" */

/* Stable-Baselines3's defaults: 64,64 tanh, separate networks, orthogonal init, log-std 0. */
void policy_config_default(acrl_policy_config* c);

/* Config-table entries of an acrl_policy_config stored base bytes into a config struct. */
#define POLICY_FIELD(base, k) ((base) + offsetof(acrl_policy_config, k))
#define POLICY_CONFIG_ENTRIES(base)                                                                        \
    {"net_arch", ACRL_CFG_INTLIST, POLICY_FIELD(base, net_arch), 1, 4096, NULL, "hidden layer widths, e.g. 64,64"}, \
    {"activation", ACRL_CFG_STRING, POLICY_FIELD(base, activation), 0, 0, NULL, "hidden activation: tanh, relu, elu, gelu"}, \
    {"shared_trunk", ACRL_CFG_BOOL, POLICY_FIELD(base, shared_trunk), 0, 0, NULL, "actor and critic share the hidden layers"}, \
    {"ortho_init", ACRL_CFG_BOOL, POLICY_FIELD(base, ortho_init), 0, 0, NULL, "orthogonal init (else PyTorch default)"}, \
    {"log_std_init", ACRL_CFG_FLOAT, POLICY_FIELD(base, log_std_init), -20, 5, NULL, "initial log-std of Gaussian policies"}, \
    {"use_sde", ACRL_CFG_BOOL, POLICY_FIELD(base, use_sde), 0, 0, NULL, "Box: generalized state-dependent exploration (gSDE)"}, \
    {"sde_sample_freq", ACRL_CFG_INT, POLICY_FIELD(base, sde_sample_freq), -1, 1e9, NULL, "gSDE: steps between noise draws (-1: once per rollout)"}, \
    {"extractor", ACRL_CFG_STRING, POLICY_FIELD(base, extractor), 0, 0, NULL, "feature extractor: mlp (flat) or cnn (observations with a (C, H, W) shape)"}, \
    {"cnn_channels", ACRL_CFG_INTLIST, POLICY_FIELD(base, cnn_channels), 1, 4096, NULL, "cnn: output channels per conv layer, e.g. 16,32"}, \
    {"cnn_kernels", ACRL_CFG_INTLIST, POLICY_FIELD(base, cnn_kernels), 1, 64, NULL, "cnn: square kernel size per conv layer (padding k/2)"}, \
    {"cnn_strides", ACRL_CFG_INTLIST, POLICY_FIELD(base, cnn_strides), 1, 64, NULL, "cnn: stride per conv layer (empty: 1)"}, \
    {"cnn_pools", ACRL_CFG_INTLIST, POLICY_FIELD(base, cnn_pools), 1, 64, NULL, "cnn: max-pooling window after each conv layer's activation (empty or 1: none)"}, \
    {"cnn_input", ACRL_CFG_INTLIST, POLICY_FIELD(base, cnn_input), 1, 1e6, NULL, "cnn: observation shape C,H,W (filled in from the env)"}, \
    {"model", ACRL_CFG_ENUM, POLICY_FIELD(base, model), 0, 0, policy_model_names, "mlp, or gbrl: gradient-boosted trees as actor and critic"}, \
    {"tree_depth", ACRL_CFG_INT, POLICY_FIELD(base, tree_depth), 1, 16, NULL, "gbrl: maximum tree depth"}, \
    {"tree_bins", ACRL_CFG_INT, POLICY_FIELD(base, tree_bins), 2, 256, NULL, "gbrl: quantile bins per feature"}, \
    {"tree_growth", ACRL_CFG_ENUM, POLICY_FIELD(base, tree_growth), 0, 0, tree_growth_names, "gbrl: greedy or oblivious trees"}, \
    {"tree_split", ACRL_CFG_ENUM, POLICY_FIELD(base, tree_split), 0, 0, tree_split_names, "gbrl: split score, cosine or l2"}, \
    {"tree_shared", ACRL_CFG_BOOL, POLICY_FIELD(base, tree_shared), 0, 0, NULL, "gbrl: one tree structure for policy and value"}, \
    {"tree_min_leaf", ACRL_CFG_INT, POLICY_FIELD(base, tree_min_leaf), 1, 1e9, NULL, "gbrl: samples each side of a split needs"}, \
    {"tree_bin_refresh", ACRL_CFG_INT, POLICY_FIELD(base, tree_bin_refresh), 0, 1e9, NULL, "gbrl: rollouts between bin-edge refreshes (0: first rollout only)"}, \
    {"tree_policy_lr", ACRL_CFG_FLOAT, POLICY_FIELD(base, tree_policy_lr), 0, 1e3, NULL, "gbrl: policy leaf learning rate"}, \
    {"tree_value_lr", ACRL_CFG_FLOAT, POLICY_FIELD(base, tree_value_lr), 0, 1e3, NULL, "gbrl: value leaf learning rate"}, \
    {"tree_policy_clip", ACRL_CFG_FLOAT, POLICY_FIELD(base, tree_policy_clip), 0, 1e9, NULL, "gbrl: per-sample policy gradient-norm clip (0 = none)"}, \
    {"tree_value_clip", ACRL_CFG_FLOAT, POLICY_FIELD(base, tree_value_clip), 0, 1e9, NULL, "gbrl: per-sample value gradient-norm clip (0 = none)"}

/* Declares the policy's tensors in p (not finalized) and allocates scratch for max_batch. */
int  policy_build(acrl_policy* pol, acrl_params* p, int obs_dim, const acrl_space* act_space,
                  const acrl_policy_config* cfg, int max_batch, char* err, size_t errlen);
/* Bytes policy_build allocates for max_batch rows, with the parameters' four buffers
 * (SIZE_MAX if that does not fit in a size_t); 0 for a net_arch policy_build refuses. */
size_t policy_bytes(int obs_dim, const acrl_space* act_space, const acrl_policy_config* cfg, int max_batch);
/* Initializes the weights in the finalized store p. Returns 0, or -1 with a message. */
int  policy_init(const acrl_policy* pol, acrl_params* p, const acrl_policy_config* cfg, acrl_rng* rng,
                 char* err, size_t errlen);
void policy_free(acrl_policy* pol);

/* Forward of obs (B, obs_dim): fills pol->head, pol->value and the log-std scratch. With
 * critic_dim > 0 the value comes from state (B, critic_dim) instead (policy_forward: none,
 * pol->value NULL); state must stay valid until the backward. */
void policy_forward(acrl_policy* pol, const acrl_params* p, const float* obs, int B);
void policy_forward_s(acrl_policy* pol, const acrl_params* p, const float* obs, const float* state, int B);
/* gSDE: draws new exploration matrices for n env copies (no-op without gSDE). */
void policy_reset_noise(acrl_policy* pol, const acrl_params* p, int n, acrl_rng* rng);
/* Forward, then the mode (deterministic) or a sample: actions (n, act_dim). */
void policy_act(acrl_policy* pol, const acrl_params* p, const float* obs, int n, float* actions, bool deterministic,
                acrl_rng* rng);
/* After forward: samples actions (B, act_dim) and their log-probs (B); with gSDE row b
 * uses env copy b's exploration matrix (B <= the copies drawn by policy_reset_noise). */
void policy_sample(acrl_policy* pol, float* actions, float* logp, acrl_rng* rng);
/* After forward: the most likely actions (B, act_dim). */
void policy_mode(acrl_policy* pol, float* actions);
/* After forward: log-probs (B) of given actions (B, act_dim) and entropies (B; NULL: skip). */
void policy_evaluate(acrl_policy* pol, const float* actions, float* logp, float* entropy);
/* After forward: p->grad += gradient of
 *   sum_b [ w_logp[b] * logp_b + w_ent * entropy_b + dvalue[b] * value_b ]
 * for the given actions. w_logp (B), dvalue (B; NULL: no value term). */
void policy_backward(acrl_policy* pol, acrl_params* p, const float* actions, const float* w_logp,
                     float w_ent, const float* dvalue);

/* After forward: p->grad += gradient of sum_b [ dhead[b] . head_b + dvalue[b] * value_b ] for
 * given output gradients dhead (B, n_out: logits or Gaussian means) and dvalue (B; NULL: none);
 * the log-std gets none (the warm start's regression of means and values). */
void policy_backward_outputs(acrl_policy* pol, acrl_params* p, const float* dhead, const float* dvalue);

/* gbrl: after policy_backward, one boosting step (a new tree) on its gradients, which
 * policy_backward scaled by the batch size (g_i = B dL/dF(s_i)). No-op for an MLP.
 * The observations given to the last forward must still be valid. 0 or -1 + message. */
int  policy_boost(acrl_policy* pol, char* err, size_t errlen);
/* gbrl: sees a rollout's observations (n, obs_dim): sets the bin edges from the first one
 * and refreshes them every bin_refresh rollouts. No-op for an MLP. 0 or -1 + message. */
int  policy_observe_rollout(acrl_policy* pol, const float* obs, int n, char* err, size_t errlen);
/* gbrl: checkpoint sections "<prefix>.tree" (or ".tree_pi", ".tree_vf") and
 * "<prefix>.tree_rollouts". Load refuses a tree checkpoint for an MLP config and the
 * reverse, with a message. */
int  policy_save_trees(const acrl_policy* pol, acrl_ckpt_writer* w, const char* prefix);
int  policy_load_trees(acrl_policy* pol, const acrl_ckpt* c, const char* prefix, char* err, size_t errlen);

/* The extractor keys (the on- and off-policy algorithms have the same ones): 0 for mlp, 1 for a
 * cnn whose lists agree in length and whose input shape (C, H, W) holds obs_dim values, -1
 * with a message naming the keys otherwise. */
int policy_cnn_check(const char* extractor, const acrl_intlist* input, const acrl_intlist* channels,
                     const acrl_intlist* kernels, const acrl_intlist* strides, const acrl_intlist* pools, int obs_dim,
                     char* err, size_t errlen);

#endif
