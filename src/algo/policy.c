/* Actor-critic policy of the on-policy algorithms: networks, action distribution, backward. */
#include "algo/policy.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "io/le.h"
#include "util/size.h"

#define SDE_EPS 1e-6f /* Stable-Baselines3's epsilon under the gSDE variance */

const char* const policy_model_names[] = {"mlp", "gbrl", NULL};
const char* const tree_growth_names[] = {"greedy", "oblivious", NULL};
const char* const tree_split_names[] = {"cosine", "l2", NULL};

void policy_config_default(acrl_policy_config* c) {
    memset(c, 0, sizeof *c);
    c->net_arch = (acrl_intlist){2, {64, 64}};
    strcpy(c->activation, "tanh");
    c->ortho_init = 1;
    c->sde_sample_freq = -1;
    strcpy(c->extractor, "mlp");
    c->cnn_channels = (acrl_intlist){2, {16, 32}};
    c->cnn_kernels = (acrl_intlist){2, {3, 3}};
    /* GBRL's defaults (gbrl_sb3 config/defaults.yaml): depth 4, oblivious, cosine,
     * shared structure, policy lr 0.17, value lr 0.01; 256 bins instead of 250 */
    c->tree_depth = 4;
    c->tree_bins = 256;
    c->tree_growth = 1;
    c->tree_shared = 1;
    c->tree_min_leaf = 1;
    c->tree_policy_lr = 0.17f;
    c->tree_value_lr = 0.01f;
}

int policy_cnn_check(const char* extractor, const acrl_intlist* input, const acrl_intlist* channels,
                     const acrl_intlist* kernels, const acrl_intlist* strides, const acrl_intlist* pools, int obs_dim,
                     char* err, size_t errlen) {
    if (strcmp(extractor, "mlp") == 0) return 0;
    if (strcmp(extractor, "cnn") != 0) {
        snprintf(err, errlen, "extractor: '%s' is not mlp or cnn", extractor);
        return -1;
    }
    if (input->n != 3 || (long)input->v[0] * input->v[1] * input->v[2] != obs_dim) {
        snprintf(err, errlen, "extractor = cnn needs observations with an image shape (C, H, W); this env's are a "
                 "flat Box(%d,)", obs_dim);
        return -1;
    }
    int n = channels->n;
    if (n < 1 || n > ACRL_CNN_MAX_LAYERS || kernels->n != n || (strides->n != 0 && strides->n != n) ||
        (pools->n != 0 && pools->n != n)) {
        snprintf(err, errlen, "cnn_channels, cnn_kernels (and cnn_strides, cnn_pools if given) need the same length, 1 to %d",
                 ACRL_CNN_MAX_LAYERS);
        return -1;
    }
    return 1;
}

static int cnn_check(const acrl_policy_config* cfg, int obs_dim, char* err, size_t errlen) {
    return policy_cnn_check(cfg->extractor, &cfg->cnn_input, &cfg->cnn_channels, &cfg->cnn_kernels, &cfg->cnn_strides,
                            &cfg->cnn_pools, obs_dim, err, errlen);
}

/* model = gbrl: ensembles, the log-std parameter (Box) and output scratch. */
static int policy_build_gbrl(acrl_policy* pol, acrl_params* p, const acrl_policy_config* cfg, char* err,
                             size_t errlen) {
    if (pol->sde) {
        snprintf(err, errlen, "use_sde needs model = mlp (gSDE's features are an MLP's last hidden layer)");
        return -1;
    }
    pol->gbrl = true;
    pol->bin_refresh = cfg->tree_bin_refresh;
    gbt_params hp = {cfg->tree_depth, cfg->tree_bins, cfg->tree_growth, cfg->tree_split, cfg->tree_min_leaf,
                     {cfg->tree_policy_lr, cfg->tree_value_lr}, {cfg->tree_policy_clip, cfg->tree_value_clip}};
    int K = pol->n_out, B = pol->max_batch;
    pol->n_ens = cfg->tree_shared ? 1 : 2;
    if (pol->n_ens == 1) {
        if (gbt_init(&pol->ens[0], &hp, pol->obs_dim, K + 1, K, B, err, errlen)) return -1;
    } else if (gbt_init(&pol->ens[0], &hp, pol->obs_dim, K, K, B, err, errlen) ||
               gbt_init(&pol->ens[1], &hp, pol->obs_dim, 1, 0, B, err, errlen)) {
        return -1;
    }
    if (!pol->discrete) {
        pol->log_std_off = acrl_params_add(p, "log_std", 1, pol->act_dim);
        if (pol->log_std_off == SIZE_MAX) { snprintf(err, errlen, "out of memory"); return -1; }
    }
    size_t b = (size_t)B;
    pol->tout = calloc(b * (size_t)(K + 1), sizeof(float));
    pol->head_buf = calloc(b * (size_t)K, sizeof(float));
    pol->value_buf = calloc(b, sizeof(float));
    pol->tgrad[0] = calloc(b * (size_t)(K + 1), sizeof(float));
    pol->tgrad[1] = calloc(b, sizeof(float));
    if (!pol->tout || !pol->head_buf || !pol->value_buf || !pol->tgrad[0] || !pol->tgrad[1]) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int policy_build(acrl_policy* pol, acrl_params* p, int obs_dim, const acrl_space* act_space,
                 const acrl_policy_config* cfg, int max_batch, char* err, size_t errlen) {
    memset(pol, 0, sizeof *pol);
    pol->obs_dim = obs_dim;
    pol->discrete = act_space->kind == ACRL_SPACE_DISCRETE;
    pol->act_dim = pol->discrete ? 1 : act_space->dim;
    pol->n_out = pol->discrete ? act_space->n : act_space->dim;
    pol->shared = cfg->shared_trunk;
    pol->sde = cfg->use_sde && !pol->discrete;
    pol->sde_sample_freq = cfg->sde_sample_freq;
    pol->max_batch = max_batch;
    if (acrl_act_parse(&pol->act, cfg->activation, err, errlen)) return -1;
    int nh = cfg->net_arch.n;
    if (cfg->model == 1 && policy_build_gbrl(pol, p, cfg, err, errlen)) return -1;
    if (nh < 1 || nh + 2 > ACRL_MLP_MAX_LAYERS + 1) {
        snprintf(err, errlen, "net_arch needs 1 to %d hidden layers", ACRL_MLP_MAX_LAYERS - 1);
        return -1;
    }
    int use_cnn = cnn_check(cfg, obs_dim, err, errlen);
    if (use_cnn < 0) return -1;
    pol->critic_dim = cfg->critic_dim > 0 ? cfg->critic_dim : 0;
    if (pol->critic_dim && (cfg->shared_trunk || use_cnn || cfg->model == 1)) {
        snprintf(err, errlen, "critic_obs = state needs separate actor and critic networks: not with %s",
                 cfg->shared_trunk ? "shared_trunk = 1" : use_cnn ? "extractor = cnn" : "model = gbrl");
        return -1;
    }
    if (use_cnn && cfg->model == 1) {
        snprintf(err, errlen, "extractor = cnn needs model = mlp");
        return -1;
    }
    int sizes[ACRL_MLP_MAX_LAYERS + 1];
    sizes[0] = obs_dim;
    if (use_cnn) {
        pol->use_cnn = true;
        const acrl_intlist* in = &cfg->cnn_input;
        if (acrl_cnn_build(&pol->cnn, p, "cnn", in->v[0], in->v[1], in->v[2], cfg->cnn_channels.v, cfg->cnn_kernels.v,
                           cfg->cnn_strides.n ? cfg->cnn_strides.v : NULL, cfg->cnn_pools.n ? cfg->cnn_pools.v : NULL,
                           cfg->cnn_channels.n, cfg->activation, max_batch, err, errlen))
            return -1;
        sizes[0] = pol->cnn.out_dim;
        pol->dfeat = calloc((size_t)max_batch * (size_t)sizes[0], sizeof(float));
        if (!pol->dfeat) { snprintf(err, errlen, "out of memory"); return -1; }
    }
    for (int i = 0; i < nh; i++) sizes[i + 1] = cfg->net_arch.v[i];
    int hidden = cfg->net_arch.v[nh - 1];
    if (pol->gbrl) {
        /* no networks */
    } else if (pol->shared) {
        if (acrl_mlp_build(&pol->trunk, p, "trunk", sizes, nh + 1, cfg->activation, false, max_batch, err, errlen))
            return -1;
        int ph[2] = {hidden, pol->n_out}, vh[2] = {hidden, 1};
        if (acrl_mlp_build(&pol->pi, p, "pi", ph, 2, cfg->activation, false, max_batch, err, errlen) ||
            acrl_mlp_build(&pol->vf, p, "vf", vh, 2, cfg->activation, false, max_batch, err, errlen))
            return -1;
    } else {
        sizes[nh + 1] = pol->n_out;
        if (acrl_mlp_build(&pol->pi, p, "pi", sizes, nh + 2, cfg->activation, false, max_batch, err, errlen))
            return -1;
        sizes[nh + 1] = 1;
        if (pol->critic_dim) sizes[0] = pol->critic_dim;
        if (acrl_mlp_build(&pol->vf, p, "vf", sizes, nh + 2, cfg->activation, false, max_batch, err, errlen))
            return -1;
    }
    pol->latent = hidden;
    if (!pol->discrete && !pol->gbrl) {
        pol->log_std_off = acrl_params_add(p, "log_std", pol->sde ? hidden : 1, pol->act_dim);
        if (pol->log_std_off == SIZE_MAX) { snprintf(err, errlen, "out of memory"); return -1; }
    }
    size_t B = (size_t)max_batch;
    pol->trunk_h = calloc(B * (size_t)hidden, sizeof(float));
    pol->dtrunk = calloc(B * (size_t)hidden, sizeof(float));
    pol->dpre = calloc(B * (size_t)hidden, sizeof(float));
    pol->log_std = calloc(B * (size_t)pol->act_dim, sizeof(float));
    pol->dhead = calloc(B * (size_t)pol->n_out, sizeof(float));
    pol->dlog_std = calloc(B * (size_t)pol->act_dim, sizeof(float));
    pol->dvalue = calloc(B, sizeof(float));
    pol->eps = calloc(B * (size_t)pol->act_dim, sizeof(float));
    pol->iact = calloc(B, sizeof(int));
    size_t nk = pol->discrete ? B * (size_t)pol->n_out : 1;
    pol->cat_logp = calloc(nk, sizeof(float));
    pol->cat_probs = calloc(nk, sizeof(float));
    pol->cat_ent = calloc(B, sizeof(float));
    if (pol->sde) {
        pol->sde_var = calloc(B * (size_t)pol->act_dim, sizeof(float));
        pol->sde_mat = calloc(B * (size_t)hidden * (size_t)pol->act_dim, sizeof(float));
        if (!pol->sde_var || !pol->sde_mat) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    if (!pol->cat_logp || !pol->cat_probs || !pol->cat_ent ||
        !pol->trunk_h || !pol->dtrunk || !pol->dpre || !pol->log_std || !pol->dhead || !pol->dlog_std || !pol->dvalue ||
        !pol->eps || !pol->iact) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

size_t policy_bytes(int obs_dim, const acrl_space* act_space, const acrl_policy_config* cfg, int max_batch) {
    int nh = cfg->net_arch.n;
    if (nh < 1 || nh + 2 > ACRL_MLP_MAX_LAYERS + 1 || max_batch < 1) return 0;
    bool discrete = act_space->kind == ACRL_SPACE_DISCRETE;
    size_t ad = discrete ? 1 : (size_t)act_space->dim, nout = discrete ? (size_t)act_space->n : ad;
    int hidden = cfg->net_arch.v[nh - 1];
    int sizes[ACRL_MLP_MAX_LAYERS + 1];
    sizes[0] = obs_dim;
    size_t cnn_b = 0;
    char e[8];
    int use_cnn = cnn_check(cfg, obs_dim, e, sizeof e);
    if (use_cnn < 0) return 0;
    if (use_cnn) {
        const acrl_intlist* in = &cfg->cnn_input;
        int c = in->v[0], h = in->v[1], w = in->v[2];
        for (int l = 0; l < cfg->cnn_channels.n; l++) {
            int k = cfg->cnn_kernels.v[l], s = cfg->cnn_strides.n ? cfg->cnn_strides.v[l] : 1;
            int q = cfg->cnn_pools.n ? cfg->cnn_pools.v[l] : 1;
            c = cfg->cnn_channels.v[l];
            h = acrl_conv2d_out(h, k, s, k / 2) / q;
            w = acrl_conv2d_out(w, k, s, k / 2) / q;
        }
        sizes[0] = c * h * w;
        cnn_b = acrl_cnn_bytes(in->v[0], in->v[1], in->v[2], cfg->cnn_channels.v, cfg->cnn_kernels.v,
                               cfg->cnn_strides.n ? cfg->cnn_strides.v : NULL,
                               cfg->cnn_pools.n ? cfg->cnn_pools.v : NULL, cfg->cnn_channels.n, max_batch);
        cnn_b = acrl_size_add(cnn_b, acrl_size_mul3((size_t)max_batch, (size_t)sizes[0], sizeof(float)));
    }
    for (int i = 0; i < nh; i++) sizes[i + 1] = cfg->net_arch.v[i];
    size_t bytes = cnn_b;
    if (cfg->shared_trunk) {
        int ph[2] = {hidden, (int)nout}, vh[2] = {hidden, 1};
        bytes = acrl_size_add(bytes, acrl_size_add(acrl_mlp_bytes(sizes, nh + 1, false, max_batch),
                              acrl_size_add(acrl_mlp_bytes(ph, 2, false, max_batch), acrl_mlp_bytes(vh, 2, false, max_batch))));
    } else {
        sizes[nh + 1] = (int)nout;
        bytes = acrl_size_add(bytes, acrl_mlp_bytes(sizes, nh + 2, false, max_batch));
        sizes[nh + 1] = 1;
        if (cfg->critic_dim > 0) sizes[0] = cfg->critic_dim;
        bytes = acrl_size_add(bytes, acrl_mlp_bytes(sizes, nh + 2, false, max_batch));
    }
    /* scratch: three (B, hidden), four (B, D), (B, K) head gradient, value gradient, int
     * actions, entropies and for Discrete two (B, K); gSDE adds (B, D) and (B, hidden, D) */
    size_t B = (size_t)max_batch, H = hidden > 0 ? (size_t)hidden : 0;
    size_t floats = acrl_size_add(acrl_size_mul3(3, B, H), acrl_size_mul3(4, B, ad));
    floats = acrl_size_add(floats, acrl_size_mul(B, acrl_size_add(nout, 3)));
    if (discrete) floats = acrl_size_add(floats, acrl_size_mul3(2, B, nout));
    if (cfg->use_sde && !discrete) floats = acrl_size_add(floats, acrl_size_mul(acrl_size_mul(B, ad), acrl_size_add(H, 1)));
    return acrl_size_add(bytes, acrl_size_mul(floats, sizeof(float)));
}

int policy_init(const acrl_policy* pol, acrl_params* p, const acrl_policy_config* cfg, acrl_rng* rng,
                char* err, size_t errlen) {
    if (pol->gbrl) { /* the ensembles start empty (F = 0); only the log-std is a parameter */
        if (!pol->discrete) acrl_init_const(p->param + pol->log_std_off, (size_t)pol->act_dim, cfg->log_std_init);
        return 0;
    }
    acrl_init_kind k = cfg->ortho_init ? ACRL_INIT_ORTHOGONAL : ACRL_INIT_TORCH;
    float g = sqrtf(2.0f);
    /* Stable-Baselines3 / CleanRL: hidden gain sqrt(2), policy head 0.01, value head 1 */
    if ((pol->shared && acrl_mlp_init(&pol->trunk, p, k, g, g, rng)) || acrl_mlp_init(&pol->pi, p, k, g, 0.01f, rng) ||
        acrl_mlp_init(&pol->vf, p, k, g, 1.0f, rng)) {
        snprintf(err, errlen, "out of memory initializing the policy's weights");
        return -1;
    }
    if (pol->use_cnn) acrl_cnn_init(&pol->cnn, p, 1.0f, rng); /* PyTorch's Conv2d default */
    if (!pol->discrete)
        acrl_init_const(p->param + pol->log_std_off, (size_t)(pol->sde ? pol->latent : 1) * (size_t)pol->act_dim,
                        cfg->log_std_init);
    return 0;
}

void policy_free(acrl_policy* pol) {
    for (int e = 0; e < pol->n_ens; e++) gbt_free(&pol->ens[e]);
    free(pol->tout);
    free(pol->head_buf);
    free(pol->value_buf);
    free(pol->tgrad[0]);
    free(pol->tgrad[1]);
    if (pol->shared) acrl_mlp_free(&pol->trunk);
    acrl_mlp_free(&pol->pi);
    acrl_mlp_free(&pol->vf);
    free(pol->trunk_h);
    free(pol->dtrunk);
    free(pol->dpre);
    free(pol->log_std);
    free(pol->dhead);
    free(pol->dlog_std);
    free(pol->dvalue);
    free(pol->eps);
    free(pol->iact);
    free(pol->cat_logp);
    free(pol->cat_probs);
    free(pol->cat_ent);
    free(pol->sde_var);
    free(pol->sde_mat);
    if (pol->use_cnn) acrl_cnn_free(&pol->cnn);
    free(pol->dfeat);
    memset(pol, 0, sizeof *pol);
}

void policy_forward(acrl_policy* pol, const acrl_params* p, const float* obs, int B) {
    policy_forward_s(pol, p, obs, NULL, B);
}

void policy_forward_s(acrl_policy* pol, const acrl_params* p, const float* obs, const float* state, int B) {
    pol->batch = B;
    pol->cat_ready = false;
    if (pol->gbrl) {
        int K = pol->n_out;
        pol->fit_obs = obs;
        if (pol->n_ens == 1) {
            gbt_predict(&pol->ens[0], pol->tout, obs, B);
            for (int b = 0; b < B; b++) {
                memcpy(pol->head_buf + (size_t)b * K, pol->tout + (size_t)b * (K + 1), sizeof(float) * (size_t)K);
                pol->value_buf[b] = pol->tout[(size_t)b * (K + 1) + K];
            }
        } else {
            gbt_predict(&pol->ens[0], pol->head_buf, obs, B);
            gbt_predict(&pol->ens[1], pol->value_buf, obs, B);
        }
        pol->head = pol->head_buf;
        pol->value = pol->value_buf;
        if (!pol->discrete)
            acrl_gauss_log_std(pol->log_std, p->param + pol->log_std_off, true, -INFINITY, INFINITY, B, pol->act_dim);
        return;
    }
    if (pol->use_cnn) obs = acrl_cnn_forward(&pol->cnn, p, obs, B);
    const float* x = obs;
    if (pol->shared) {
        const float* z = acrl_mlp_forward(&pol->trunk, p, obs, B);
        int h = pol->trunk.sizes[pol->trunk.nlayers];
        acrl_act_forward(pol->act, pol->trunk_h, z, (size_t)B * (size_t)h);
        x = pol->trunk_h;
    }
    pol->head = acrl_mlp_forward(&pol->pi, p, x, B);
    if (!pol->critic_dim) pol->value = acrl_mlp_forward(&pol->vf, p, x, B);
    else pol->value = state ? acrl_mlp_forward(&pol->vf, p, state, B) : NULL; /* asymmetric: the state */
    if (pol->sde) {
        /* features: the activated last hidden layer of the policy network (or the trunk) */
        pol->phi = pol->shared ? pol->trunk_h : pol->pi.h[pol->pi.nlayers - 2];
        int K = pol->latent, D = pol->act_dim;
        const float* L = p->param + pol->log_std_off; /* (K, D) */
        for (int b = 0; b < B; b++)
            for (int j = 0; j < D; j++) {
                double v = 0;
                for (int k = 0; k < K; k++) {
                    double f = pol->phi[(size_t)b * K + k];
                    v += f * f * exp(2.0 * L[(size_t)k * D + j]);
                }
                pol->sde_var[(size_t)b * D + j] = (float)v;
                pol->log_std[(size_t)b * D + j] = 0.5f * logf((float)v + SDE_EPS);
            }
    } else if (!pol->discrete) {
        acrl_gauss_log_std(pol->log_std, p->param + pol->log_std_off, true, -INFINITY, INFINITY, B, pol->act_dim);
    }
}

void policy_reset_noise(acrl_policy* pol, const acrl_params* p, int n, acrl_rng* rng) {
    if (!pol->sde) return;
    int K = pol->latent, D = pol->act_dim;
    const float* L = p->param + pol->log_std_off;
    for (int e = 0; e < n; e++)
        for (int i = 0; i < K * D; i++)
            pol->sde_mat[(size_t)e * K * D + i] = (float)(acrl_rng_normal(rng) * exp((double)L[i]));
    pol->sde_rows = n;
}

void policy_act(acrl_policy* pol, const acrl_params* p, const float* obs, int n, float* actions, bool deterministic,
                acrl_rng* rng) {
    float logp[n > 0 ? n : 1];
    policy_forward(pol, p, obs, n);
    if (deterministic) {
        policy_mode(pol, actions);
        return;
    }
    if (pol->sde && pol->sde_rows < n) policy_reset_noise(pol, p, n, rng);
    policy_sample(pol, actions, logp, rng);
}

void policy_sample(acrl_policy* pol, float* actions, float* logp, acrl_rng* rng) {
    int B = pol->batch;
    if (pol->discrete) {
        acrl_cat_sample(pol->iact, pol->head, rng, B, pol->n_out);
        for (int b = 0; b < B; b++) actions[b] = (float)pol->iact[b];
        acrl_cat_log_prob(logp, pol->head, pol->iact, B, pol->n_out);
    } else if (pol->sde) {
        /* a = mean + phi M_b: state-dependent noise, fixed between matrix draws */
        int K = pol->latent, D = pol->act_dim;
        for (int b = 0; b < B; b++) {
            const float* M = pol->sde_mat + (size_t)(b < pol->sde_rows ? b : 0) * K * D;
            for (int j = 0; j < D; j++) {
                double noise = 0;
                for (int k = 0; k < K; k++) noise += (double)pol->phi[(size_t)b * K + k] * M[(size_t)k * D + j];
                actions[(size_t)b * D + j] = pol->head[(size_t)b * D + j] + (float)noise;
            }
        }
        acrl_gauss_log_prob(logp, actions, pol->head, pol->log_std, B, D);
    } else {
        acrl_gauss_sample(actions, pol->eps, pol->head, pol->log_std, rng, B, pol->act_dim);
        acrl_gauss_log_prob(logp, actions, pol->head, pol->log_std, B, pol->act_dim);
    }
}

void policy_mode(acrl_policy* pol, float* actions) {
    int B = pol->batch;
    if (pol->discrete) {
        acrl_cat_mode(pol->iact, pol->head, B, pol->n_out);
        for (int b = 0; b < B; b++) actions[b] = (float)pol->iact[b];
    } else {
        acrl_gauss_mode(actions, pol->head, B, pol->act_dim);
    }
}

/* log-softmax, softmax and entropy of the last forward's logits, once per forward */
static void cat_prepare(acrl_policy* pol) {
    if (pol->cat_ready) return;
    acrl_cat_log_softmax(pol->cat_logp, pol->cat_probs, pol->head, pol->batch, pol->n_out);
    acrl_cat_entropy_lp(pol->cat_ent, pol->cat_logp, pol->cat_probs, pol->batch, pol->n_out);
    pol->cat_ready = true;
}

void policy_evaluate(acrl_policy* pol, const float* actions, float* logp, float* entropy) {
    int B = pol->batch;
    if (pol->discrete) {
        /* one softmax per row serves log-prob, entropy and policy_backward */
        int K = pol->n_out;
        cat_prepare(pol);
        for (int b = 0; b < B; b++) {
            pol->iact[b] = (int)actions[b];
            /* rollout actions are the policy's own samples (acrl_cat_sample), always in [0, K) */
            assert(pol->iact[b] >= 0 && pol->iact[b] < K);
            logp[b] = pol->cat_logp[(size_t)b * K + pol->iact[b]];
        }
        if (entropy) memcpy(entropy, pol->cat_ent, sizeof(float) * (size_t)B);
    } else {
        acrl_gauss_log_prob(logp, actions, pol->head, pol->log_std, B, pol->act_dim);
        if (entropy) acrl_gauss_entropy(entropy, pol->log_std, B, pol->act_dim);
    }
}

static void policy_backward_nets(acrl_policy* pol, acrl_params* p, const float* dvalue);

void policy_backward(acrl_policy* pol, acrl_params* p, const float* actions, const float* w_logp,
                     float w_ent, const float* dvalue) {
    int B = pol->batch, K = pol->n_out, D = pol->act_dim;
    memset(pol->dhead, 0, sizeof(float) * (size_t)B * (size_t)K);
    if (pol->discrete) {
        for (int b = 0; b < B; b++) pol->iact[b] = (int)actions[b];
        cat_prepare(pol);
        acrl_cat_log_prob_backward_lp(pol->dhead, w_logp, pol->cat_probs, pol->iact, 1.0f, B, K);
        if (w_ent != 0.0f)
            acrl_cat_entropy_backward_lp(pol->dhead, NULL, pol->cat_logp, pol->cat_probs, pol->cat_ent, w_ent, B, K);
    } else {
        memset(pol->dlog_std, 0, sizeof(float) * (size_t)B * (size_t)D);
        acrl_gauss_log_prob_backward(pol->dhead, pol->dlog_std, w_logp, actions, pol->head, pol->log_std, 1.0f, B, D);
        if (w_ent != 0.0f) acrl_gauss_entropy_backward(pol->dlog_std, NULL, w_ent, B, D);
        if (pol->sde) {
            /* log_std_bj = 0.5 log(var_bj + eps), var_bj = sum_k phi_bk^2 exp(2 L_kj); phi detached */
            int K = pol->latent;
            const float* L = p->param + pol->log_std_off;
            float* dL = p->grad + pol->log_std_off;
            for (int k = 0; k < K; k++)
                for (int j = 0; j < D; j++) {
                    double g = 0, s2 = exp(2.0 * L[(size_t)k * D + j]);
                    for (int b = 0; b < B; b++) {
                        double f = pol->phi[(size_t)b * K + k];
                        double dvar = pol->dlog_std[(size_t)b * D + j] * 0.5 / (pol->sde_var[(size_t)b * D + j] + SDE_EPS);
                        g += dvar * f * f * 2.0 * s2;
                    }
                    dL[(size_t)k * D + j] += (float)g;
                }
        } else {
            acrl_gauss_log_std_backward(p->grad + pol->log_std_off, pol->dlog_std, p->param + pol->log_std_off, true,
                                        -INFINITY, INFINITY, B, D);
        }
    }
    policy_backward_nets(pol, p, dvalue);
}

void policy_backward_outputs(acrl_policy* pol, acrl_params* p, const float* dhead, const float* dvalue) {
    memcpy(pol->dhead, dhead, sizeof(float) * (size_t)pol->batch * (size_t)pol->n_out);
    policy_backward_nets(pol, p, dvalue);
}

/* p->grad += the networks' part of the gradient for pol->dhead and dvalue (NULL: none) */
static void policy_backward_nets(acrl_policy* pol, acrl_params* p, const float* dvalue) {
    int B = pol->batch, K = pol->n_out;
    if (pol->gbrl) {
        /* the trees' targets: per-sample gradients of the loss written as a sum, B dL/dF */
        float* g = pol->tgrad[0];
        int W = pol->n_ens == 1 ? K + 1 : K;
        for (int b = 0; b < B; b++) {
            for (int k = 0; k < K; k++) g[(size_t)b * W + k] = (float)B * pol->dhead[(size_t)b * K + k];
            float gv = dvalue ? (float)B * dvalue[b] : 0.0f;
            if (pol->n_ens == 1) g[(size_t)b * W + K] = gv;
            else pol->tgrad[1][b] = gv;
        }
        pol->fit_batch = B;
        return;
    }
    float* dfeat = NULL;
    if (pol->use_cnn) {
        dfeat = pol->dfeat;
        memset(dfeat, 0, sizeof(float) * (size_t)B * (size_t)pol->cnn.out_dim);
    }
    float* dx = dfeat;
    if (pol->shared) {
        dx = pol->dtrunk;
        memset(dx, 0, sizeof(float) * (size_t)B * (size_t)pol->trunk.sizes[pol->trunk.nlayers]);
    }
    acrl_mlp_backward(&pol->pi, p, dx, pol->dhead);
    if (dvalue) acrl_mlp_backward(&pol->vf, p, dx, dvalue);
    if (pol->shared) {
        int h = pol->trunk.sizes[pol->trunk.nlayers];
        const float* z = pol->trunk.z[pol->trunk.nlayers - 1];
        float* dpre = pol->dpre;
        memset(dpre, 0, sizeof(float) * (size_t)B * (size_t)h);
        acrl_act_backward(pol->act, dpre, pol->dtrunk, z, pol->trunk_h, (size_t)B * (size_t)h);
        acrl_mlp_backward(&pol->trunk, p, dfeat, dpre);
    }
    if (pol->use_cnn) acrl_cnn_backward(&pol->cnn, p, NULL, dfeat);
}

int policy_boost(acrl_policy* pol, char* err, size_t errlen) {
    if (!pol->gbrl || pol->fit_batch == 0) return 0;
    int B = pol->fit_batch;
    pol->fit_batch = 0;
    for (int e = 0; e < pol->n_ens; e++)
        if (gbt_fit(&pol->ens[e], pol->fit_obs, pol->tgrad[e], B, err, errlen)) return -1;
    return 0;
}

int policy_observe_rollout(acrl_policy* pol, const float* obs, int n, char* err, size_t errlen) {
    if (!pol->gbrl) return 0;
    bool refresh = !pol->ens[0].has_bins || (pol->bin_refresh > 0 && pol->rollouts % pol->bin_refresh == 0);
    pol->rollouts++;
    for (int e = 0; refresh && e < pol->n_ens; e++)
        if (gbt_set_bins(&pol->ens[e], obs, n, err, errlen)) return -1;
    return 0;
}

static const char* tree_section(const acrl_policy* pol, const char* prefix, int e, char* buf, size_t len) {
    snprintf(buf, len, "%s.%s", prefix, pol->n_ens == 1 ? "tree" : e == 0 ? "tree_pi" : "tree_vf");
    return buf;
}

int policy_save_trees(const acrl_policy* pol, acrl_ckpt_writer* w, const char* prefix) {
    if (!pol->gbrl) return 0;
    char name[ACRL_CKPT_NAME_MAX + 1];
    for (int e = 0; e < pol->n_ens; e++) {
        size_t n = gbt_bytes(&pol->ens[e]);
        uint8_t* buf = malloc(n);
        if (!buf) return -1;
        gbt_write(&pol->ens[e], buf);
        int rc = acrl_ckpt_add_copy(w, tree_section(pol, prefix, e, name, sizeof name), buf, n);
        free(buf);
        if (rc) return -1;
    }
    uint8_t r[8];
    le_put_i64(r, pol->rollouts);
    snprintf(name, sizeof name, "%s.tree_rollouts", prefix);
    return acrl_ckpt_add_copy(w, name, r, sizeof r);
}

int policy_load_trees(acrl_policy* pol, const acrl_ckpt* c, const char* prefix, char* err, size_t errlen) {
    char name[ACRL_CKPT_NAME_MAX + 1];
    /* any tree section makes a tree checkpoint; a missing one of those is then named below */
    bool has = false;
    static const char* const kinds[] = {"tree", "tree_pi", "tree_vf", "tree_rollouts"};
    for (int k = 0; k < 4; k++) {
        snprintf(name, sizeof name, "%s.%s", prefix, kinds[k]);
        has = has || acrl_ckpt_section(c, name, NULL) != NULL;
    }
    if (has != pol->gbrl) {
        if (has) snprintf(err, errlen, "the checkpoint holds a tree ensemble (model = gbrl) but the config says model = mlp");
        else snprintf(err, errlen, "the checkpoint holds no tree ensemble (no section '%s') but the config says model = gbrl",
                      name);
        return -1;
    }
    if (!pol->gbrl) return 0;
    const uint8_t* r = acrl_ckpt_get(c, name, 8, err, errlen);
    if (!r) return -1;
    int64_t n = le_get_i64(&r);
    if (n < 0) { snprintf(err, errlen, "checkpoint section '%s' holds a negative count", name); return -1; }
    for (int e = 0; e < pol->n_ens; e++) {
        size_t len;
        const uint8_t* buf = acrl_ckpt_get_var(c, tree_section(pol, prefix, e, name, sizeof name), &len, err, errlen);
        if (!buf) return -1;
        if (gbt_read(&pol->ens[e], buf, len, err, errlen)) {
            char msg[ACRL_ERRLEN];
            snprintf(msg, sizeof msg, "checkpoint section '%s': %s", name, err);
            snprintf(err, errlen, "%s", msg);
            return -1;
        }
    }
    pol->rollouts = (long)n;
    return 0;
}
