/* Policy descriptions for the exporters: one table entry per algorithm names the layers of
 * its parameter store that make the deterministic policy and the head that turns their
 * output into an action. A new algorithm is one entry (e.g. a mixture-of-experts policy
 * would add a head that takes the mean of the expert with the largest gate weight). Layers
 * carry their layer norm when they have one; dropout is off when acting. */
#include "algo/export.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algo/offpolicy.h"
#include "algo/onpolicy.h"

#define NORM_EPS 1e-8 /* collector.c's epsilon under the observation variance */

void export_desc_free(export_desc* d) {
    for (int l = 0; l < d->nlayers; l++) { free(d->w[l]); free(d->b[l]); free(d->ln_g[l]); free(d->ln_b[l]); }
    free(d->mean); free(d->std); free(d->scale); free(d->bias); free(d->low); free(d->high);
    free(d->tree_node_off); free(d->tree_leaf_off); free(d->tree_feat); free(d->tree_thr); free(d->tree_kid);
    free(d->tree_leaf); free(d->tree_bias);
    memset(d, 0, sizeof *d);
}

/* Appends layer "<prefix>.<i>" of p, keeping only its first `keep` outputs (0: all).
 * 0 if found, 1 if p has no such layer, -1 + message otherwise. */
static int add_layer(export_desc* d, const acrl_params* p, const char* prefix, int i, int keep, char* err,
                     size_t errlen) {
    char wn[80], bn[80];
    snprintf(wn, sizeof wn, "%s.%d.w", prefix, i);
    snprintf(bn, sizeof bn, "%s.%d.b", prefix, i);
    const acrl_tensor* tw = acrl_params_find(p, wn);
    const acrl_tensor* tb = acrl_params_find(p, bn);
    if (!tw || !tb) return 1;
    int in = tw->rows, out = tw->cols, n = keep > 0 && keep < out ? keep : out;
    if (d->nlayers == EXPORT_MAX_LAYERS || (d->nlayers > 0 && d->sizes[d->nlayers] != in) || tb->cols != out) {
        snprintf(err, errlen, "layer %s does not continue the network", wn);
        return -1;
    }
    float* w = malloc(sizeof(float) * (size_t)in * (size_t)n);
    float* b = malloc(sizeof(float) * (size_t)n);
    if (!w || !b) { free(w); free(b); snprintf(err, errlen, "out of memory"); return -1; }
    for (int k = 0; k < in; k++) memcpy(w + (size_t)k * n, p->param + tw->offset + (size_t)k * out, sizeof(float) * n);
    memcpy(b, p->param + tb->offset, sizeof(float) * n);
    if (d->nlayers == 0) d->sizes[0] = in;
    d->w[d->nlayers] = w;
    d->b[d->nlayers] = b;
    d->sizes[++d->nlayers] = n;
    const int l = d->nlayers - 1;
    /* a layer norm "<prefix>.<i>.ln_g" / ".ln_b" after the linear part (hidden layers) */
    snprintf(wn, sizeof wn, "%s.%d.ln_g", prefix, i);
    snprintf(bn, sizeof bn, "%s.%d.ln_b", prefix, i);
    const acrl_tensor* tg = acrl_params_find(p, wn);
    const acrl_tensor* tbeta = acrl_params_find(p, bn);
    if (tg && tbeta && tg->cols == n && tbeta->cols == n) {
        d->ln_g[l] = malloc(sizeof(float) * (size_t)n);
        d->ln_b[l] = malloc(sizeof(float) * (size_t)n);
        if (!d->ln_g[l] || !d->ln_b[l]) { snprintf(err, errlen, "out of memory"); return -1; }
        memcpy(d->ln_g[l], p->param + tg->offset, sizeof(float) * (size_t)n);
        memcpy(d->ln_b[l], p->param + tbeta->offset, sizeof(float) * (size_t)n);
    } else if (tg || tbeta) {
        snprintf(err, errlen, "layer %s.%d has an incomplete layer norm", prefix, i);
        return -1;
    }
    return 0;
}

/* Every layer "<prefix>.0", "<prefix>.1", ... of p; the last one keeps `keep` outputs. */
static int add_mlp(export_desc* d, const acrl_params* p, const char* prefix, int keep, char* err, size_t errlen) {
    int n = 0;
    char wn[80];
    for (;; n++) {
        snprintf(wn, sizeof wn, "%s.%d.w", prefix, n);
        if (!acrl_params_find(p, wn)) break;
    }
    if (n == 0) { snprintf(err, errlen, "the policy has no layers '%s.*'", prefix); return -1; }
    for (int i = 0; i < n; i++)
        if (add_layer(d, p, prefix, i, i == n - 1 ? keep : 0, err, errlen)) return -1;
    return 0;
}

/* PPO, A2C, A3C, AWR: a shared trunk then the policy head, or the separate policy MLP; the mean
 * of the Gaussian (gSDE too) or the argmax of the logits. */
/* model = gbrl: the policy's columns of its tree ensemble (the shared one holds the value
 * as its last column), copied into flat arrays. */
static int describe_trees(export_desc* d, const acrl_policy* pol, char* err, size_t errlen) {
    const gbt* m = &pol->ens[0];
    const int K = pol->n_out, C = m->n_out;
    if (m->n_feat != d->obs_dim || m->n_pi != K || C < K) {
        snprintf(err, errlen, "the %s tree ensemble maps %d inputs to %d outputs, the env needs %d to %d", d->algo,
                 m->n_feat, m->n_pi, d->obs_dim, K);
        return -1;
    }
    d->trees = true;
    d->n_head = K;
    d->n_trees = m->n_trees;
    d->tree_depth = m->hp.max_depth;
    d->tree_oblivious = m->hp.oblivious != 0;
    d->n_nodes = (long)m->n_nodes;
    d->n_leaves = (long)m->n_leaves;
    size_t T = (size_t)m->n_trees + 1, N = (size_t)m->n_nodes, L = (size_t)m->n_leaves;
    /* one element at least: the header declares no empty arrays */
    d->tree_node_off = malloc(sizeof(long) * T);
    d->tree_leaf_off = malloc(sizeof(long) * T);
    d->tree_feat = malloc(sizeof(int) * (N ? N : 1));
    d->tree_thr = calloc(N ? N : 1, sizeof(float));
    d->tree_kid = d->tree_oblivious ? NULL : malloc(sizeof(int) * 2 * (N ? N : 1));
    d->tree_leaf = calloc(L ? L * (size_t)K : 1, sizeof(float));
    d->tree_bias = malloc(sizeof(float) * (size_t)K);
    if (!d->tree_node_off || !d->tree_leaf_off || !d->tree_feat || !d->tree_thr || (!d->tree_oblivious && !d->tree_kid) ||
        !d->tree_leaf || !d->tree_bias) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t t = 0; t < T; t++) {
        d->tree_node_off[t] = (long)m->node_off[t];
        d->tree_leaf_off[t] = (long)m->leaf_off[t];
    }
    d->tree_feat[0] = 0;
    for (size_t i = 0; i < N; i++) {
        d->tree_feat[i] = m->feat[i];
        d->tree_thr[i] = m->thr[i];
    }
    if (d->tree_kid) {
        d->tree_kid[0] = d->tree_kid[1] = -1;
        for (size_t i = 0; i < 2 * N; i++) d->tree_kid[i] = m->kid[i];
    }
    for (size_t l = 0; l < L; l++) memcpy(d->tree_leaf + l * (size_t)K, m->leaf + l * (size_t)C, sizeof(float) * (size_t)K);
    memcpy(d->tree_bias, m->bias, sizeof(float) * (size_t)K);
    return 0;
}

static int describe_onpolicy(export_desc* d, const acrl_agent* a, char* err, size_t errlen) {
    /* PPO and A2C learners start with an onpolicy_learner (A3C's does not, and has no trees) */
    const acrl_policy* pol =
        agent_algo(a)->act == onpolicy_act ? &((const onpolicy_learner*)agent_learner(a))->pol : NULL;
    if (pol && pol->gbrl) {
        if (describe_trees(d, pol, err, errlen)) return -1;
        d->head = d->n_actions ? EXPORT_HEAD_ARGMAX : EXPORT_HEAD_MEAN;
        return 0;
    }
    const acrl_params* p = agent_algo(a)->params(agent_learner(a));
    if (acrl_params_find(p, "trunk.0.w") && add_mlp(d, p, "trunk", 0, err, errlen)) return -1;
    if (add_mlp(d, p, "pi", 0, err, errlen)) return -1;
    d->head = d->n_actions ? EXPORT_HEAD_ARGMAX : EXPORT_HEAD_MEAN;
    return 0;
}

/* The off-policy learners' scaling of [-1, 1] to the Box bounds. */
static int copy_rescale(export_desc* d, const acrl_agent* a, char* err, size_t errlen) {
    const offp_core* o = &((const offp_learner*)agent_learner(a))->core;
    d->scale = malloc(sizeof(float) * (size_t)d->act_dim);
    d->bias = malloc(sizeof(float) * (size_t)d->act_dim);
    if (!d->scale || !d->bias) { snprintf(err, errlen, "out of memory"); return -1; }
    memcpy(d->scale, o->act_scale, sizeof(float) * (size_t)d->act_dim);
    memcpy(d->bias, o->act_bias, sizeof(float) * (size_t)d->act_dim);
    return 0;
}

/* SAC: the actor's last layer holds means and log-stds side by side; the deterministic
 * action is tanh of the mean (float64), rescaled. Discrete SAC: argmax of the logits. */
static int describe_sac(export_desc* d, const acrl_agent* a, char* err, size_t errlen) {
    if (add_mlp(d, agent_algo(a)->params(agent_learner(a)), "pi", d->n_actions ? 0 : d->act_dim, err, errlen)) return -1;
    if (d->n_actions) { d->head = EXPORT_HEAD_ARGMAX; return 0; }
    d->head = EXPORT_HEAD_TANH_F64;
    return copy_rescale(d, a, err, errlen);
}

/* TD3, DDPG: tanh (acrl's) of the actor's output, rescaled. */
static int describe_td3(export_desc* d, const acrl_agent* a, char* err, size_t errlen) {
    if (add_mlp(d, agent_algo(a)->params(agent_learner(a)), "pi", 0, err, errlen)) return -1;
    d->head = EXPORT_HEAD_TANH;
    return copy_rescale(d, a, err, errlen);
}

/* STAC: SAC's head; with eval_samples > 0 acrl evaluates with the mean of that many sampled
 * actions, which no deterministic function reproduces: the export is tanh of the mean. */
static int describe_stac(export_desc* d, const acrl_agent* a, char* err, size_t errlen) {
    char v[32];
    if (agent_config_value(a, "eval_samples", v, sizeof v) == 0 && atoi(v) > 0)
        snprintf(d->note, sizeof d->note,
                 "acrl evaluates this STAC policy with the mean of %d sampled actions (eval_samples); this\n"
                 "export computes the deterministic tanh of the mean (as with eval_samples = 0)", atoi(v));
    return describe_sac(d, a, err, errlen);
}

/* PMOE: the actor's output holds K experts' [mean | log-std] and the K gate logits; the
 * deterministic action is the squashed mean of the expert with the largest gate weight. */
static int describe_pmoe(export_desc* d, const acrl_agent* a, char* err, size_t errlen) {
    char v[32];
    if (agent_config_value(a, "n_experts", v, sizeof v) || (d->n_experts = atoi(v)) < 1) {
        snprintf(err, errlen, "the checkpoint's configuration has no valid n_experts");
        return -1;
    }
    if (add_mlp(d, agent_algo(a)->params(agent_learner(a)), "pi", 0, err, errlen)) return -1;
    d->head = EXPORT_HEAD_MIXTURE;
    return copy_rescale(d, a, err, errlen);
}

typedef struct {
    const char* algo;
    int (*describe)(export_desc* d, const acrl_agent* a, char* err, size_t errlen);
} export_kind;

static const export_kind kinds[] = {
    {"ppo", describe_onpolicy}, {"a2c", describe_onpolicy}, {"a3c", describe_onpolicy}, {"awr", describe_onpolicy},
    {"distill", describe_onpolicy},
    {"sac", describe_sac},      {"td3", describe_td3},      {"ddpg", describe_td3},
    {"pmoe", describe_pmoe},    {"dsact", describe_sac},    {"stac", describe_stac},
};

int export_describe(export_desc* d, const acrl_agent* a, char* err, size_t errlen) {
    memset(d, 0, sizeof *d);
    const export_kind* k = NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].algo, acrl_agent_algo(a)) == 0) k = &kinds[i];
    if (!k) {
        snprintf(err, errlen, "exporting %s policies is not supported yet", acrl_agent_algo(a));
        return -1;
    }
    snprintf(d->algo, sizeof d->algo, "%s", acrl_agent_algo(a));
    snprintf(d->env_id, sizeof d->env_id, "%s", acrl_agent_env_id(a));
    const acrl_space* as = acrl_agent_act_space(a);
    d->obs_dim = acrl_agent_obs_space(a)->dim;
    d->act_dim = as->kind == ACRL_SPACE_BOX ? as->dim : 1;
    d->n_actions = as->kind == ACRL_SPACE_BOX ? 0 : as->n;
    char v[64];
    if (agent_config_value(a, "activation", v, sizeof v) || acrl_act_parse(&d->act, v, err, errlen)) {
        snprintf(err, errlen, "the checkpoint's configuration names no valid activation");
        return -1;
    }
    if (agent_config_value(a, "extractor", v, sizeof v) == 0 && strcmp(v, "cnn") == 0) {
        snprintf(err, errlen, "exporting a policy with extractor = cnn is not supported (the exporters write MLPs); "
                              "'acrl act' and the Python binding run it");
        return -1;
    }
    if (k->describe(d, a, err, errlen)) goto fail;
    int want = d->n_actions ? d->n_actions : d->act_dim;
    if (d->head == EXPORT_HEAD_MIXTURE) want = d->n_experts * (2 * d->act_dim + 1);
    if (!d->trees && (d->sizes[0] != d->obs_dim || d->sizes[d->nlayers] != want)) {
        snprintf(err, errlen, "the %s network maps %d inputs to %d outputs, the env needs %d to %d", d->algo,
                 d->sizes[0], d->sizes[d->nlayers], d->obs_dim, want);
        goto fail;
    }
    const acrl_collector* c = agent_collector(a);
    d->norm = c->norm_obs;
    d->clip_obs = c->clip_obs;
    if (d->norm) {
        d->mean = malloc(sizeof(double) * (size_t)d->obs_dim);
        d->std = malloc(sizeof(double) * (size_t)d->obs_dim);
        if (!d->mean || !d->std) { snprintf(err, errlen, "out of memory"); goto fail; }
        for (int j = 0; j < d->obs_dim; j++) {
            d->mean[j] = c->obs_stat.mean[j];
            d->std[j] = sqrt(c->obs_stat.var[j] + NORM_EPS);
        }
    }
    if (!d->n_actions) {
        d->low = malloc(sizeof(float) * (size_t)d->act_dim);
        d->high = malloc(sizeof(float) * (size_t)d->act_dim);
        if (!d->low || !d->high) { snprintf(err, errlen, "out of memory"); goto fail; }
        memcpy(d->low, as->low, sizeof(float) * (size_t)d->act_dim);
        memcpy(d->high, as->high, sizeof(float) * (size_t)d->act_dim);
    }
    return 0;
fail:
    export_desc_free(d);
    return -1;
}

/* Loads the checkpoint, describes its policy and writes it with the C or ONNX writer into
 * a temporary file renamed to out_path once complete. */
static int export_file(const char* ckpt_path, const char* out_path, const acrl_export_options* o, bool onnx,
                       char* err, size_t errlen) {
    acrl_agent* a = acrl_agent_load(ckpt_path, err, errlen);
    if (!a) return ACRL_ERR_INPUT;
    export_desc d;
    int rc = export_describe(&d, a, err, errlen);
    acrl_agent_free(a);
    if (rc) return ACRL_ERR_INPUT;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", out_path);
    FILE* f = fopen(tmp, "wb");
    if (!f) {
        export_desc_free(&d);
        snprintf(err, errlen, "cannot write %s", tmp);
        return ACRL_ERR_RUNTIME;
    }
    rc = onnx ? export_write_onnx(f, &d, err, errlen)
              : export_write_c(f, &d, o ? o->name : NULL, o && o->int8, err, errlen);
    export_desc_free(&d);
    int code = rc ? (ferror(f) ? ACRL_ERR_RUNTIME : ACRL_ERR_INPUT) : ACRL_OK;
    if (fclose(f) && code == ACRL_OK) {
        snprintf(err, errlen, "cannot write %s", tmp);
        code = ACRL_ERR_RUNTIME;
    }
    if (code == ACRL_OK && rename(tmp, out_path)) {
        snprintf(err, errlen, "cannot rename %s to %s", tmp, out_path);
        code = ACRL_ERR_RUNTIME;
    }
    if (code != ACRL_OK) remove(tmp);
    return code;
}

int acrl_export_c(const char* ckpt_path, const char* out_path, const acrl_export_options* o, char* err,
                  size_t errlen) {
    return export_file(ckpt_path, out_path, o, false, err, errlen);
}

int acrl_export_onnx(const char* ckpt_path, const char* out_path, const acrl_export_options* o, char* err,
                     size_t errlen) {
    return export_file(ckpt_path, out_path, o, true, err, errlen);
}
