/* SAC as in Haarnoja et al., "Soft Actor-Critic Algorithms and Applications" (2018), in
 * Stable-Baselines3's order: twin Q critics with Polyak-averaged targets, a tanh-squashed
 * Gaussian policy, automatic temperature tuning towards the target entropy -|A|. On a
 * Discrete action space the same command runs discrete SAC (Christodoulou 2019): soft
 * targets and the policy loss are expectations over all actions, and the temperature is
 * tuned towards a fraction of the maximum entropy log|A|.
 *
 * action_sequence = K > 1 (Box only) makes it SRL's sequence learner (Patel & Siegelmann,
 * "Overcoming Slow Decision Frequencies in Continuous Control", 2024; docs/generalisation.md
 * "Action sequences"): the actor's head holds K tanh-Gaussians, the K actions of one decision
 * run open loop, the critics learn from primitive steps as in SAC, and a dynamics model
 * (trained on the same batches) supplies the intermediate states at which the critics judge
 * actions 2..K of a sequence. */
#include "algo/sac.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/dist.h"
#include "io/le.h"
#include "util/size.h"

#define LOG_STD_MIN -20.0f
#define LOG_STD_MAX 2.0f

void sac_config_defaults(void* cfgp) {
    sac_config* c = cfgp;
    memset(c, 0, sizeof *c);
    offp_defaults(&c->off);
    c->ent_coef_init = 1.0f;
    c->target_entropy_scale = 1.0f;
    c->target_entropy_ratio = 0.98f;
    c->target_update_interval = 1;
    c->n_experts = 2;
    c->action_sequence = 1;
}

#define F(k, t, lo, hi, h) SAC_E(sac_config, k, t, lo, hi, h)
static const acrl_config_entry sac_table[] = {
    SAC_BOX_ENTRIES(sac_config),
    F(target_entropy_ratio, FLOAT, -10, 1, "Discrete: target entropy = ratio * log|A|"),
    F(target_update_interval, INT, 1, 1e6, "gradient steps between target-network updates"),
    F(action_sequence, INT, 1, 64, "actions per decision, run open loop (SRL; 1: plain SAC; Box only)"),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef F

typedef struct {
    offp_learner L;               /* actor, critic (q0, q1), critic_targ, alpha (log alpha) */
    sac_config   cfg;
    bool  discrete;
    int   D;                      /* Box: action dims; Discrete: number of actions */
    float target_entropy;
    acrl_mlp pi, pi_next;         /* the actor on obs (kept for backward) and on next_obs */
    offp_critic cr;
    /* scratch, (max_batch, D) unless noted */
    float *mean, *ls_raw, *ls, *a_pi, *eps_pi, *eps_next, *a_next, *mean_n, *ls_raw_n, *ls_n;
    float *dmean, *dls, *dls_raw, *g_act;
    float *probs, *logp_all, *probs_n, *logp_all_n, *minq, *g_probs, *g_logp_all;
    float *dhead;                 /* (max_batch, 2D) */
    double *keep;                 /* (max_batch * K, D, 3): the actor step's std, tanh(u), log(1 - tanh(u)^2) */
    float *logp, *logp_n, *y, *g_logp, *qmin; /* (max_batch) */
    int*  iact;                   /* (max_batch) */
    sac_actor_term_fn term;       /* a constrained learner's actor-loss term (sac-lag), or NULL */
    void* term_ctx;
    /* action sequences (K > 1; with K = 1 none of this is allocated or used). The scratch
     * above then holds (max_batch * K, D): row b * K + j is action j of row b's sequence. */
    int   K;
    acrl_params model, model_targ; /* dynamics model [s | a] -> s' and its Polyak target */
    acrl_mlp mdl;                 /* its MLP (runs on either store) */
    float *m_in, *m_out, *m_grad; /* (max_batch, od + D), (max_batch, od), (max_batch, od) */
    float *seq;                   /* (E, K, D) each copy's current sequence, learner units */
    int   *seq_pos;               /* (E) index of the copy's next action; 0: decide anew */
    float *dec_obs;               /* (E, od) observations of the copies deciding now */
    int   *dec_idx;               /* (E) their copy indices */
} sac;

void sac_set_actor_term(void* self, sac_actor_term_fn fn, void* ctx) {
    sac* s = self;
    s->term = fn;
    s->term_ctx = ctx;
}

static void sac_destroy(void* self) {
    sac* s = self;
    if (!s) return;
    offp_learner_free(&s->L);
    acrl_mlp_free(&s->pi);
    acrl_mlp_free(&s->pi_next);
    offp_critic_free(&s->cr);
    acrl_params_free(&s->model);
    acrl_params_free(&s->model_targ);
    acrl_mlp_free(&s->mdl);
    free(s->m_in);
    free(s->m_out);
    free(s->m_grad);
    free(s->seq);
    free(s->seq_pos);
    free(s->dec_obs);
    free(s->dec_idx);
    float* bufs[] = {s->mean, s->ls_raw, s->ls, s->a_pi, s->eps_pi, s->eps_next, s->a_next, s->mean_n, s->ls_raw_n,
                     s->ls_n, s->dmean, s->dls, s->dls_raw, s->g_act, s->probs, s->logp_all, s->probs_n,
                     s->logp_all_n, s->minq, s->g_probs, s->g_logp_all, s->dhead, s->logp, s->logp_n, s->y,
                     s->g_logp, s->qmin};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(bufs[i]);
    free(s->iact);
    free(s->keep);
    free(s);
}

static void* sac_create(const void* cfgp, const acrl_algo_ctx* ctx, char* err, size_t errlen) {
    const sac_config* cfg = cfgp;
    int maxb = cfg->off.batch_size > ctx->num_envs ? cfg->off.batch_size : ctx->num_envs;
    const int K = cfg->action_sequence > 1 ? cfg->action_sequence : 1;
    if (K > 1 && ctx->act_space->kind == ACRL_SPACE_DISCRETE) {
        snprintf(err, errlen, "action_sequence = %d needs a Box action space; %s's is Discrete (set "
                 "action_sequence = 1)", K, ctx->env_id ? ctx->env_id : "the env");
        return NULL;
    }
    if (K > 1 && ctx->critic_dim > 0) {
        snprintf(err, errlen, "action_sequence = %d does not combine with critic_obs = state (the sequence model "
                 "predicts observations); set one of them back", K);
        return NULL;
    }
    if (K > 1 && ctx->layout && ctx->layout->ranks > 1) {
        snprintf(err, errlen, "action_sequence = %d is not supported in a distributed run (mpirun with %d ranks); "
                 "run it in one process", K, ctx->layout->ranks);
        return NULL;
    }
    {
        /* the networks below and their scratch, refused before anything is allocated */
        bool disc = ctx->act_space->kind == ACRL_SPACE_DISCRETE;
        int od = ctx->obs_space->dim, D = disc ? ctx->act_space->n : ctx->act_space->dim;
        int head = disc ? D : 2 * D, qin = disc ? od : od + D, qout = disc ? D : 1;
        size_t nets = acrl_size_add(acrl_size_mul(2, offp_mlp_bytes(od, K * head, &cfg->off, maxb)),
                                    acrl_size_add(offp_critic_bytes(2, qin, qout, &cfg->off, maxb * K),
                                                  offp_critic_bytes(2, qin, qout, &cfg->off, 1)));
        nets = acrl_size_add(nets, acrl_size_mul3((size_t)maxb * K, 23 * (size_t)D + 6, sizeof(float)));
        nets = acrl_size_add(nets, acrl_size_mul3((size_t)maxb * K, 3 * (size_t)D, sizeof(double))); /* keep */
        if (K > 1) /* the model and its target, its scratch, the sequences */
            nets = acrl_size_add(nets, acrl_size_add(acrl_size_mul(2, offp_mlp_bytes(od + D, od, &cfg->off, maxb)),
                                                     acrl_size_mul3((size_t)maxb, 3 * (size_t)od + D + K * D + 2,
                                                                    sizeof(float))));
        if (offp_check_memory("sac", &cfg->off, ctx, maxb, nets, err, errlen)) return NULL;
    }
    sac* s = calloc(1, sizeof *s);
    if (!s) { snprintf(err, errlen, "out of memory"); return NULL; }
    offp_learner_init(&s->L);
    acrl_params_init(&s->model);
    acrl_params_init(&s->model_targ);
    s->cfg = *cfg;
    s->K = K;
    offp_core* o = &s->L.core;
    if (offp_init(o, &cfg->off, ctx, true, maxb, err, errlen)) { free(s); return NULL; }
    s->discrete = o->discrete;
    if (o->critic_dim && s->discrete) {
        offp_free(o);
        free(s);
        snprintf(err, errlen, "critic_obs = state is not supported by discrete SAC (Box action spaces only)");
        return NULL;
    }
    s->D = s->discrete ? o->n_actions : o->act_dim;
    const int D = s->D, od = o->obs_dim, cd = o->critic_dim ? o->critic_dim : od; /* the critics' state input */
    s->target_entropy = s->discrete ? cfg->target_entropy_ratio * logf((float)D) : -cfg->target_entropy_scale * D;
    acrl_params* st[4] = {&s->L.actor, &s->L.critic, &s->L.critic_targ, &s->L.alpha};
    /* the actor's last layer holds the mean and log-std heads side by side (B, 2D), or K logits */
    int head = s->discrete ? D : 2 * D, qin = s->discrete ? od : cd + D, qout = s->discrete ? D : 1;
    /* pi_next reads pi's weights: it is built into a scratch store by the same code, so its
     * offsets are those of pi in the actor store */
    acrl_params scratch;
    acrl_params_init(&scratch);
    int rc = offp_mlp_build(&s->pi, &s->L.actor, "pi", od, K * head, &cfg->off, maxb, err, errlen) ||
             offp_mlp_build(&s->pi_next, &scratch, "pi", od, K * head, &cfg->off, maxb, err, errlen);
    acrl_params_free(&scratch);
    /* the critics judge all K actions of each row's sequence at once in the actor step */
    rc = rc || offp_critic_build(&s->cr, &s->L.critic, 2, qin, qout, &cfg->off, maxb * K, err, errlen);
    offp_critic tmp = {0}; /* freed below even when an earlier build failed */
    rc = rc || offp_critic_build(&tmp, &s->L.critic_targ, 2, qin, qout, &cfg->off, 1, err, errlen);
    offp_critic_free(&tmp);
    rc = rc || acrl_params_add(&s->L.alpha, "log_alpha", 1, 1) == SIZE_MAX;
    for (int i = 0; i < 4 && !rc; i++) rc = acrl_params_finalize(st[i], err, errlen);
    if (!rc && K > 1) {
        acrl_mlp tmp_m = {0};
        rc = offp_mlp_build(&s->mdl, &s->model, "model", od + D, od, &cfg->off, maxb, err, errlen) ||
             offp_mlp_build(&tmp_m, &s->model_targ, "model", od + D, od, &cfg->off, 1, err, errlen);
        acrl_mlp_free(&tmp_m);
        rc = rc || acrl_params_finalize(&s->model, err, errlen) || acrl_params_finalize(&s->model_targ, err, errlen);
    }
    if (rc) { sac_destroy(s); return NULL; }
    size_t n = (size_t)maxb * K * D;
    float** bufs[] = {&s->mean, &s->ls_raw, &s->ls, &s->a_pi, &s->eps_pi, &s->eps_next, &s->a_next, &s->mean_n,
                      &s->ls_raw_n, &s->ls_n, &s->dmean, &s->dls, &s->dls_raw, &s->g_act, &s->probs, &s->logp_all,
                      &s->probs_n, &s->logp_all_n, &s->minq, &s->g_probs, &s->g_logp_all};
    bool ok = !offp_alloc_floats(bufs, sizeof bufs / sizeof bufs[0], n);
    ok = ok && (s->dhead = calloc(2 * n, sizeof(float)));
    float** vecs[] = {&s->logp, &s->logp_n, &s->y, &s->g_logp, &s->qmin};
    ok = !offp_alloc_floats(vecs, sizeof vecs / sizeof vecs[0], (size_t)maxb * K) && ok; /* logp, g_logp: (B, K) */
    ok = ok && (s->iact = calloc((size_t)maxb, sizeof(int)));
    ok = ok && (s->keep = calloc(3 * n, sizeof(double)));
    if (ok && K > 1) {
        const size_t E = (size_t)o->num_envs;
        float** mb[] = {&s->m_in, &s->m_out, &s->m_grad, &s->dec_obs, &s->seq};
        const size_t cnt[] = {(size_t)maxb * (od + D), (size_t)maxb * od, (size_t)maxb * od, E * od, E * K * D};
        for (size_t i = 0; i < 5 && ok; i++) ok = (*mb[i] = calloc(cnt[i] ? cnt[i] : 1, sizeof(float))) != NULL;
        ok = ok && (s->seq_pos = calloc(E, sizeof(int))) && (s->dec_idx = calloc(E, sizeof(int)));
    }
    if (!ok) { sac_destroy(s); snprintf(err, errlen, "out of memory"); return NULL; }
    acrl_rng init_rng;
    acrl_rng_seed2(&init_rng, ctx->seed, 1);
    /* nn.Linear's default init allocates nothing and cannot fail */
    acrl_mlp_init(&s->pi, &s->L.actor, ACRL_INIT_TORCH, 1, 1, &init_rng);
    for (int i = 0; i < 2; i++) acrl_mlp_init(&s->cr.q[i], &s->L.critic, ACRL_INIT_TORCH, 1, 1, &init_rng);
    acrl_params_copy(&s->L.critic_targ, &s->L.critic, err, errlen);
    if (K > 1) {
        acrl_mlp_init(&s->mdl, &s->model, ACRL_INIT_TORCH, 1, 1, &init_rng);
        acrl_params_copy(&s->model_targ, &s->model, err, errlen);
    }
    s->L.alpha.param[0] = logf(cfg->ent_coef > 0 ? cfg->ent_coef : cfg->ent_coef_init);
    return s;
}

acrl_params* sac_model_params(void* self, bool target) {
    sac* s = self;
    return s->K > 1 ? (target ? &s->model_targ : &s->model) : NULL;
}

/* head (B, 2D) -> mean (B, D), clamped log-std ls (B, D) (raw values in ls_raw) */
static void split_head(const float* head, float* mean, float* ls_raw, float* ls, int B, int D) {
    offp_gauss_head_split(head, mean, ls_raw, ls, LOG_STD_MIN, LOG_STD_MAX, B, D);
}

static float alpha_of(const sac* s) { return expf(s->L.alpha.param[0]); }

void sac_temperature_step(acrl_params* alpha, const sac_config* cfg, float target_entropy, double mean_logp) {
    if (cfg->ent_coef > 0) return;
    acrl_params_zero_grad(alpha);
    alpha->grad[0] = (float)-(mean_logp + target_entropy);
    offp_adam(alpha, cfg->off.learning_rate, cfg->off.adam_eps);
}

/* mean_logp: the batch mean of log pi (Box: of the sampled actions; Discrete: -entropy) */
static void alpha_step(sac* s, double mean_logp) {
    sac_temperature_step(&s->L.alpha, &s->cfg, s->target_entropy, mean_logp);
}

static void polyak_targets(sac* s) {
    if (OFFP_UPDATES(&s->L.core) % s->cfg.target_update_interval == 0)
        acrl_params_polyak(&s->L.critic_targ, &s->L.critic, s->cfg.off.tau, NULL, 0);
}

/* One update's data for the lanes (lane k: twin critic k; in phase 1 the actor at obs and at
 * next_obs). */
typedef struct {
    sac* s;
    const replay_batch* b;
    int   B;
    int   n_pi;                   /* rows of the actor step: B * K */
    const float *eps_pi, *eps_next;
    float  alpha;
    bool   polyak;
    double qloss[2];
} sac_job;

/* Phase 1. Lane 0: actions of the current policy at obs (kept for the temperature and the
 * actor losses) and the critics' inputs at obs; lane 1: the next actions a' ~ pi(.|s'). */
/* Row b of x (n rows of K blocks of w floats) becomes its block 0, in place: x (n, w). */
static void first_blocks(float* x, int n, int K, int w) {
    for (int b = 1; b < n; b++) memmove(x + (size_t)b * w, x + (size_t)b * K * w, sizeof(float) * (size_t)w);
}

/* Phase 1 of a sequence update. Lane 0: the K actions a_j of every row's sequence at obs and
 * their log-densities, and the actor step's critic inputs [s_j | a_j] (row b * K + j) at the
 * intermediate states s_0 = s, s_{j+1} = model'(s_j, a_j) of the target model (SRL's "temporal
 * recall"; no gradient flows through the model). Lane 1: the next action a' ~ pi(.|s'), the
 * first of the sequence at s'. */
static void sac_lanes_policy_seq(void* arg, int lane) {
    sac_job* j = arg;
    sac* s = j->s;
    const replay_batch* b = j->b;
    const int B = j->B, D = s->D, K = s->K, od = s->L.core.obs_dim, w = od + D;
    if (lane == 0) {
        const float* head = acrl_mlp_forward(&s->pi, &s->L.actor, b->obs, B); /* (B, K, 2D) */
        split_head(head, s->mean, s->ls_raw, s->ls, B * K, D);
        acrl_squash_rsample_logp(s->a_pi, s->logp, s->mean, s->ls, j->eps_pi, NULL, NULL, s->keep, B * K, D);
        offp_critic_input(&s->cr, OFFP_IN_DATA, b->obs, b->act, B, od, D);
        float* in = s->cr.in[OFFP_IN_PI];
        const float* st = b->obs;  /* s_j (B, od) */
        for (int k = 0; k < K; k++) {
            for (int r = 0; r < B; r++) {
                float* row = in + ((size_t)r * K + k) * w;
                memcpy(row, st + (size_t)r * od, sizeof(float) * od);
                memcpy(row + od, s->a_pi + ((size_t)r * K + k) * D, sizeof(float) * D);
                memcpy(s->m_in + (size_t)r * w, row, sizeof(float) * w);
            }
            if (k + 1 == K) break;
            st = acrl_mlp_forward(&s->mdl, &s->model_targ, s->m_in, B);
        }
    } else {
        const float* head_n = acrl_mlp_forward(&s->pi_next, &s->L.actor, b->next_obs, B);
        split_head(head_n, s->mean_n, s->ls_raw_n, s->ls_n, B * K, D);
        first_blocks(s->mean_n, B, K, D);
        first_blocks(s->ls_raw_n, B, K, D);
        first_blocks(s->ls_n, B, K, D);
        acrl_squash_rsample_logp(s->a_next, s->logp_n, s->mean_n, s->ls_n, j->eps_next, NULL, NULL, NULL, B, D);
        offp_critic_input(&s->cr, OFFP_IN_NEXT, b->next_obs, s->a_next, B, od, D);
    }
}

/* The model's step on the batch: loss mean over rows and dims of (model(s, a) - s')^2
 * (PyTorch's MSELoss), one Adam step; returns the loss. */
static double model_step(sac* s, const replay_batch* b, int B) {
    const int D = s->D, od = s->L.core.obs_dim, w = od + D;
    for (int r = 0; r < B; r++) {
        memcpy(s->m_in + (size_t)r * w, b->obs + (size_t)r * od, sizeof(float) * od);
        memcpy(s->m_in + (size_t)r * w + od, b->act + (size_t)r * D, sizeof(float) * D);
    }
    const float* pred = acrl_mlp_forward(&s->mdl, &s->model, s->m_in, B);
    const size_t n = (size_t)B * od;
    double loss = 0;
    for (size_t i = 0; i < n; i++) {
        float d = pred[i] - b->next_obs[i];
        loss += (double)d * d / (double)n;
        s->m_grad[i] = 2.0f * d / (float)n;
    }
    if (!isfinite(loss)) return loss;
    acrl_params_zero_grad(&s->model);
    acrl_mlp_backward(&s->mdl, &s->model, NULL, s->m_grad);
    offp_adam(&s->model, s->cfg.off.learning_rate, s->cfg.off.adam_eps);
    return loss;
}

static void sac_lanes_policy(void* arg, int lane) {
    sac_job* j = arg;
    sac* s = j->s;
    const replay_batch* b = j->b;
    if (s->K > 1) { sac_lanes_policy_seq(arg, lane); return; }
    const int B = j->B, D = s->D, cd = s->L.core.critic_dim ? s->L.core.critic_dim : s->L.core.obs_dim;
    /* the critics' inputs: the states with critic_obs = state, else the observations */
    const float* cs = b->state ? b->state : b->obs;
    const float* cs_n = b->next_state ? b->next_state : b->next_obs;
    if (lane == 0) {
        const float* head = acrl_mlp_forward(&s->pi, &s->L.actor, b->obs, B);
        split_head(head, s->mean, s->ls_raw, s->ls, B, D);
        acrl_squash_rsample_logp(s->a_pi, s->logp, s->mean, s->ls, j->eps_pi, NULL, NULL, s->keep, B, D);
        offp_critic_input(&s->cr, OFFP_IN_DATA, cs, b->act, B, cd, D);
        offp_critic_input(&s->cr, OFFP_IN_PI, cs, s->a_pi, B, cd, D);
    } else {
        const float* head_n = acrl_mlp_forward(&s->pi_next, &s->L.actor, b->next_obs, B);
        split_head(head_n, s->mean_n, s->ls_raw_n, s->ls_n, B, D);
        acrl_squash_rsample_logp(s->a_next, s->logp_n, s->mean_n, s->ls_n, j->eps_next, NULL, NULL, NULL, B, D);
        offp_critic_input(&s->cr, OFFP_IN_NEXT, cs_n, s->a_next, B, cd, D);
    }
}

/* Phase 2, lane k: target critic k at (s', a') (copied out: the same MLP runs next), then
 * critic k at the batch's (s, a), kept for its backward. */
static void sac_lanes_q(void* arg, int k) {
    sac_job* j = arg;
    sac_critic_forward_lane(&j->s->cr, &j->s->L.critic, &j->s->L.critic_targ, k, j->B);
}

void sac_critic_forward_lane(offp_critic* cr, const acrl_params* critic, const acrl_params* critic_targ, int k, int B) {
    const float* qt = acrl_mlp_forward(&cr->q[k], critic_targ, cr->in[OFFP_IN_NEXT], B);
    memcpy(cr->qt[k], qt, sizeof(float) * (size_t)B);
    cr->out[k] = acrl_mlp_forward(&cr->q[k], critic, cr->in[OFFP_IN_DATA], B);
}

/* Phase 3, lane k: critic k's loss 0.5 mean (Q_k(s, a) - y)^2, its gradient and Adam step on
 * its own part of the store, then the updated critic k at (s, pi(s)) for the actor step. */
static void sac_lanes_critic_step(void* arg, int k) {
    sac_job* j = arg;
    j->qloss[k] = sac_critic_step_lane(&j->s->cr, &j->s->L.critic, j->s->y, j->s->cfg.off.learning_rate,
                                       j->s->cfg.off.adam_eps, k, j->B, j->n_pi);
}

double sac_critic_step_lane(offp_critic* cr, acrl_params* critic, const float* y, float lr, float eps, int k, int B,
                            int n_pi) {
    double qloss = 0;
    for (int i = 0; i < B; i++) {
        float d = cr->out[k][i] - y[i];
        qloss += 0.5 * (double)d * d / B;
        cr->dout[k][i] = d / B;
    }
    if (!isfinite(qloss)) return qloss;
    size_t lo, hi;
    offp_critic_range(cr, critic, k, &lo, &hi);
    memset(critic->grad + lo, 0, sizeof(float) * (hi - lo));
    offp_critic_backward(cr, critic, k, cr->dout[k], NULL);
    offp_adam_range(critic, lr, eps, lo, hi);
    cr->out[k] = acrl_mlp_forward(&cr->q[k], critic, cr->in[OFFP_IN_PI], n_pi);
    return qloss;
}

/* Phase 4, lane k: dQ_k/da at (s, pi(s)) into din[k] (the two are summed after the join),
 * and the Polyak step of target critic k. */
static void sac_lanes_actor_grad(void* arg, int k) {
    sac_job* j = arg;
    sac* s = j->s;
    sac_actor_grad_lane(&s->cr, &s->L.critic, &s->L.critic_targ, s->cfg.off.tau, j->polyak, k, j->n_pi);
}

void sac_actor_grad_lane(offp_critic* cr, const acrl_params* critic, acrl_params* critic_targ, float tau, bool polyak,
                         int k, int B) {
    memset(cr->din[k], 0, sizeof(float) * (size_t)B * cr->in_dim);
    offp_critic_input_grad(cr, critic, k, cr->dout[k], cr->din[k]);
    if (!polyak) return;
    size_t lo, hi;
    offp_critic_range(cr, critic, k, &lo, &hi);
    offp_polyak_range(critic_targ, critic, tau, lo, hi);
}

/* Metric sums of one update (continuous or discrete SAC). */
static void record_update(double* sums, double qloss, double aloss, float alpha, double mean_logp) {
    sums[M_Q_LOSS] += qloss;
    sums[M_POLICY_LOSS] += aloss;
    sums[OFFP_ACTOR_STEPS] += 1;
    sums[M_ALPHA] += alpha;
    sums[M_ENTROPY] += -mean_logp;
}

int sac_update(void* self, const replay_batch* b, int B, const float* eps_pi, const float* eps_next, double* sums,
               char* err, size_t errlen) {
    sac* s = self;
    offp_core* o = &s->L.core;
    offp_critic* cr = &s->cr;
    /* the critics' state input (with action sequences always the observation: refused otherwise) */
    const int D = s->D, cd = o->critic_dim ? o->critic_dim : o->obs_dim, BK = B * s->K;
    const long upd = (long)OFFP_UPDATES(o);
    sac_job j = {s, b, B, BK, eps_pi, eps_next, alpha_of(s), /* the temperature before its update, as SB3 */
                 upd % s->cfg.target_update_interval == 0, {0, 0}};
    const float alpha = j.alpha;
    offp_lanes(o, sac_lanes_policy, &j);
    /* sequences: the mean over rows and the K actions (SRL: log pi averaged over the sequence) */
    double mean_logp = 0;
    for (int i = 0; i < BK; i++) mean_logp += s->logp[i];
    mean_logp /= BK;
    alpha_step(s, mean_logp);

    /* soft TD target y = r + (1 - done) gamma^m (min_i Q'_i(s', a') - alpha log pi(a'|s')) */
    offp_lanes(o, sac_lanes_q, &j);
    for (int i = 0; i < B; i++) {
        float q = fminf(cr->qt[0][i], cr->qt[1][i]) - alpha * s->logp_n[i];
        s->y[i] = b->rew[i] + (1.0f - b->done[i]) * b->discount[i] * q;
    }

    /* critics: 0.5 * sum_i mean (Q_i(s, a) - y)^2 */
    offp_lanes(o, sac_lanes_critic_step, &j);
    const double qloss = j.qloss[0] + j.qloss[1];
    if (!isfinite(qloss)) return offp_nonfinite(err, errlen, "SAC", "critic loss", upd);
    s->L.critic.step++; /* both halves took this Adam step */
    if (s->K > 1 && !isfinite(model_step(s, b, B))) return offp_nonfinite(err, errlen, "SAC", "model loss", upd);

    /* actor: mean(alpha log pi(a|s) - min_i Q_i(s, a)), a = a_pi reparameterized, updated critics;
     * sequences: sum_j mean_b(alpha log pi_j(a_j|s) - min_i Q_i(s_j, a_j)) over the K actions */
    double aloss = 0;
    for (int i = 0; i < BK; i++) {
        bool first_min = cr->out[0][i] <= cr->out[1][i];
        cr->dout[0][i] = first_min ? 1.0f : 0.0f;
        cr->dout[1][i] = first_min ? 0.0f : 1.0f;
        aloss += (alpha * s->logp[i] - fminf(cr->out[0][i], cr->out[1][i])) / B;
    }
    if (!isfinite(aloss)) return offp_nonfinite(err, errlen, "SAC", "actor loss", upd);
    offp_lanes(o, sac_lanes_actor_grad, &j);
    for (int i = 0; i < BK; i++) {
        for (int k = 0; k < D; k++) {
            size_t c = (size_t)i * (cd + D) + cd + k;
            s->g_act[i * D + k] = -(cr->din[0][c] + cr->din[1][c]);
        }
        s->g_logp[i] = alpha;
    }
    if (s->term) { /* (loss + term) * scale */
        const float scale = s->term(s->term_ctx, b, B, s->a_pi, s->mean_n, s->g_act, &aloss, err, errlen);
        if (!(scale > 0)) return -1;
        for (int i = 0; i < B * D; i++) s->g_act[i] *= scale;
        for (int i = 0; i < B; i++) s->g_logp[i] *= scale;
        aloss *= scale;
    }
    offp_gauss_head_backward(s->dhead, s->dmean, s->dls, s->dls_raw, s->g_act, s->g_logp, s->mean, s->ls, s->ls_raw,
                             eps_pi, s->keep, LOG_STD_MIN, LOG_STD_MAX, 1.0f / B, BK, D);
    acrl_params_zero_grad(&s->L.actor);
    acrl_mlp_backward(&s->pi, &s->L.actor, NULL, s->dhead); /* dhead (B, K, 2D) */
    offp_adam(&s->L.actor, s->cfg.off.learning_rate, s->cfg.off.adam_eps);
    if (s->K > 1 && j.polyak) acrl_params_polyak(&s->model_targ, &s->model, s->cfg.off.tau, NULL, 0);

    OFFP_UPDATES(o)++;
    record_update(sums, qloss, aloss, alpha, mean_logp);
    return 0;
}

int sacd_update(void* self, const replay_batch* b, int B, double* sums, char* err, size_t errlen) {
    sac* s = self;
    offp_core* o = &s->L.core;
    const int K = s->D;
    const long upd = (long)OFFP_UPDATES(o);
    /* policy at obs: probabilities and log-probabilities of every action */
    const float* logits = acrl_mlp_forward(&s->pi, &s->L.actor, b->obs, B);
    acrl_cat_probs(s->probs, logits, B, K);
    acrl_cat_log_probs(s->logp_all, logits, B, K);
    double mean_logp = 0; /* E_a[log pi] = -entropy */
    for (int i = 0; i < B * K; i++) mean_logp += (double)s->probs[i] * s->logp_all[i];
    mean_logp /= B;
    const float alpha = alpha_of(s);
    alpha_step(s, mean_logp);

    /* y = r + (1 - done) gamma^m sum_a pi(a|s') (min_i Q'_i(s', a) - alpha log pi(a|s')) */
    const float* logits_n = acrl_mlp_forward(&s->pi_next, &s->L.actor, b->next_obs, B);
    acrl_cat_probs(s->probs_n, logits_n, B, K);
    acrl_cat_log_probs(s->logp_all_n, logits_n, B, K);
    memcpy(s->cr.in[OFFP_IN_NEXT], b->next_obs, sizeof(float) * (size_t)B * o->obs_dim);
    offp_critic_forward(&s->cr, &s->L.critic_targ, OFFP_IN_NEXT, B);
    for (int i = 0; i < B; i++) {
        double v = 0;
        for (int a = 0; a < K; a++) {
            float q = fminf(s->cr.out[0][i * K + a], s->cr.out[1][i * K + a]);
            v += (double)s->probs_n[i * K + a] * (q - alpha * s->logp_all_n[i * K + a]);
        }
        s->y[i] = b->rew[i] + (1.0f - b->done[i]) * b->discount[i] * (float)v;
    }

    /* critics: 0.5 * sum_i mean (Q_i(s)[a] - y)^2 */
    memcpy(s->cr.in[OFFP_IN_DATA], b->obs, sizeof(float) * (size_t)B * o->obs_dim);
    offp_critic_forward(&s->cr, &s->L.critic, OFFP_IN_DATA, B);
    acrl_params_zero_grad(&s->L.critic);
    double qloss = 0;
    for (int k = 0; k < 2; k++) {
        memset(s->cr.dout[k], 0, sizeof(float) * (size_t)B * K);
        for (int i = 0; i < B; i++) {
            int a = (int)b->act[i];
            float d = s->cr.out[k][i * K + a] - s->y[i];
            qloss += 0.5 * (double)d * d / B;
            s->cr.dout[k][i * K + a] = d / B;
        }
        offp_critic_backward(&s->cr, &s->L.critic, k, s->cr.dout[k], NULL);
    }
    if (!isfinite(qloss)) return offp_nonfinite(err, errlen, "SAC", "critic loss", upd);
    offp_adam(&s->L.critic, s->cfg.off.learning_rate, s->cfg.off.adam_eps);

    /* actor: mean_s sum_a pi(a|s) (alpha log pi(a|s) - min_i Q_i(s, a)) with the updated critics */
    offp_critic_forward(&s->cr, &s->L.critic, OFFP_IN_DATA, B);
    double aloss = 0;
    for (int i = 0; i < B * K; i++) {
        float q = fminf(s->cr.out[0][i], s->cr.out[1][i]);
        aloss += (double)s->probs[i] * (alpha * s->logp_all[i] - q) / B;
        s->g_probs[i] = alpha * s->logp_all[i] - q;
        s->g_logp_all[i] = alpha * s->probs[i];
    }
    memset(s->dhead, 0, sizeof(float) * (size_t)B * K);
    acrl_cat_probs_backward(s->dhead, s->g_probs, s->g_logp_all, logits, 1.0f / B, B, K);
    acrl_params_zero_grad(&s->L.actor);
    acrl_mlp_backward(&s->pi, &s->L.actor, NULL, s->dhead);
    if (!isfinite(aloss)) return offp_nonfinite(err, errlen, "SAC", "actor loss", upd);
    offp_adam(&s->L.actor, s->cfg.off.learning_rate, s->cfg.off.adam_eps);

    polyak_targets(s);
    OFFP_UPDATES(o)++;
    record_update(sums, qloss, aloss, alpha, mean_logp);
    return 0;
}

static int sac_train_step(void* self, double* sums, char* err, size_t errlen) {
    sac* s = self;
    offp_core* o = &s->L.core;
    const int B = o->cfg.batch_size;
    offp_sample(o, B);
    if (s->discrete) return sacd_update(s, &o->batch, B, sums, err, errlen);
    const int n = B * s->D; /* eps_pi: (B, K, D), eps_next: (B, D) */
    acrl_rng_normal_floats(&o->rng, s->eps_pi, (size_t)n * s->K);
    acrl_rng_normal_floats(&o->rng, s->eps_next, (size_t)n);
    return sac_update(s, &o->batch, B, s->eps_pi, s->eps_next, sums, err, errlen);
}

/* actions in learner units (n rows) for obs: sampled, or the mode */
static void sac_policy(sac* s, const float* obs, int n, float* out, bool deterministic) {
    const float* head = acrl_mlp_forward(&s->pi, &s->L.actor, obs, n);
    if (s->discrete) {
        if (deterministic) acrl_cat_mode(s->iact, head, n, s->D);
        else acrl_cat_sample(s->iact, head, &s->L.core.rng, n, s->D);
        for (int i = 0; i < n; i++) out[i] = (float)s->iact[i];
        return;
    }
    split_head(head, s->mean, s->ls_raw, s->ls, n * s->K, s->D);
    if (s->K > 1) { /* act(): the first action of each row's sequence */
        first_blocks(s->mean, n, s->K, s->D);
        first_blocks(s->ls, n, s->K, s->D);
    }
    if (deterministic) acrl_squash_mode(out, s->mean, NULL, NULL, n, s->D);
    else acrl_squash_sample(out, NULL, s->eps_pi, s->mean, s->ls, NULL, NULL, &s->L.core.rng, n, s->D);
}

/* The K actions (n, K, D) in learner units of each row's sequence: sampled, or the modes. */
static void sac_sequence(sac* s, const float* obs, int n, float* out, bool deterministic) {
    const float* head = acrl_mlp_forward(&s->pi, &s->L.actor, obs, n);
    const int nk = n * s->K;
    split_head(head, s->mean, s->ls_raw, s->ls, nk, s->D);
    if (deterministic) acrl_squash_mode(out, s->mean, NULL, NULL, nk, s->D);
    else acrl_squash_sample(out, NULL, s->eps_pi, s->mean, s->ls, NULL, NULL, &s->L.core.rng, nk, s->D);
}

static void sac_explore(void* self, const float* obs, int E) {
    sac* s = self;
    sac_policy(s, obs, E, s->L.core.act, false);
}

/* Open-loop execution: a copy whose sequence is used up (or whose episode ended) decides
 * anew, sampling all K actions at its observation; every copy then takes its next action. */
static void sac_explore_seq(void* self, const float* obs, int E) {
    sac* s = self;
    const int K = s->K, D = s->D, od = s->L.core.obs_dim;
    int m = 0;
    for (int e = 0; e < E; e++)
        if (s->seq_pos[e] == 0) {
            memcpy(s->dec_obs + (size_t)m * od, obs + (size_t)e * od, sizeof(float) * od);
            s->dec_idx[m++] = e;
        }
    if (m) {
        sac_sequence(s, s->dec_obs, m, s->a_next, false); /* a_next: (m, K, D) scratch here */
        for (int i = 0; i < m; i++)
            memcpy(s->seq + (size_t)s->dec_idx[i] * K * D, s->a_next + (size_t)i * K * D, sizeof(float) * K * D);
    }
    for (int e = 0; e < E; e++) {
        memcpy(s->L.core.act + (size_t)e * D, s->seq + ((size_t)e * K + s->seq_pos[e]) * D, sizeof(float) * D);
        s->seq_pos[e] = (s->seq_pos[e] + 1) % K;
    }
}

/* An episode's end inside a sequence ends the sequence. */
static void sac_seq_episode_end(void* self, int e) { ((sac*)self)->seq_pos[e] = 0; }

static int sac_iterate(void* self, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    (void)progress;
    sac* s = self;
    static const offp_hooks hooks = {sac_explore, sac_train_step, NULL,
                                     1u << M_Q_LOSS | 1u << M_ALPHA | 1u << M_ENTROPY};
    static const offp_hooks hooks_seq = {sac_explore_seq, sac_train_step, sac_seq_episode_end,
                                         1u << M_Q_LOSS | 1u << M_ALPHA | 1u << M_ENTROPY};
    return offp_iterate(&s->L.core, s, s->K > 1 ? &hooks_seq : &hooks, c, m, err, errlen);
}

int sac_act_sequence(void* self, const float* obs, int n, float* actions, bool deterministic) {
    sac* s = self;
    if (!actions) return s->K;
    float* a = s->a_next; /* (n, K, D) scratch, n <= the env count <= max_batch */
    sac_sequence(s, obs, n, a, deterministic);
    offp_to_env(&s->L.core, a, actions, n * s->K);
    return s->K;
}

static void sac_act(void* self, const float* obs, int n, float* actions, bool deterministic) {
    sac* s = self;
    float a[n * s->L.core.act_dim + 1];
    sac_policy(s, obs, n, a, deterministic);
    offp_to_env(&s->L.core, a, actions, n);
}

/* Sections of action sequences (K > 1 only): the model and its target, and each copy's
 * sequence ("sac.seq": int32 position per copy, then the (E, K, D) float32 actions), so that a
 * run stopped inside a sequence resumes inside it. */
static int sac_save_seq(sac* s, acrl_ckpt_writer* w) {
    if (s->K == 1) return 0;
    const size_t E = (size_t)s->L.core.num_envs, nf = E * s->K * s->D, len = 4 * E + 4 * nf;
    uint8_t* buf = malloc(len);
    if (!buf) return -1;
    le_put_f32s(le_put_i32s(buf, s->seq_pos, E), s->seq, nf);
    int rc = algo_save_params(w, "sac.model", &s->model) || algo_save_params(w, "sac.model_targ", &s->model_targ) ||
             acrl_ckpt_add_copy(w, "sac.seq", buf, len);
    free(buf);
    return rc ? -1 : 0;
}

static int sac_load_seq(sac* s, const acrl_ckpt* c, char* err, size_t errlen) {
    if (s->K == 1) return 0;
    const size_t E = (size_t)s->L.core.num_envs, nf = E * s->K * s->D, len = 4 * E + 4 * nf;
    if (algo_load_params(c, "sac.model", &s->model, err, errlen) ||
        algo_load_params(c, "sac.model_targ", &s->model_targ, err, errlen))
        return -1;
    const uint8_t* p = acrl_ckpt_get(c, "sac.seq", len, err, errlen);
    if (!p) return -1;
    le_get_i32s(&p, s->seq_pos, E);
    le_get_f32s(&p, s->seq, nf);
    for (size_t e = 0; e < E; e++)
        if (s->seq_pos[e] < 0 || s->seq_pos[e] >= s->K) {
            snprintf(err, errlen, "checkpoint section sac.seq: position %d of copy %zu outside [0, %d)", s->seq_pos[e],
                     e, s->K);
            return -1;
        }
    if (!acrl_all_finite(s->seq, nf)) {
        snprintf(err, errlen, "checkpoint section sac.seq holds non-finite actions");
        return -1;
    }
    return 0;
}

static int sac_save(void* self, acrl_ckpt_writer* w) {
    sac* s = self;
    return algo_save_params(w, "sac.actor", &s->L.actor) || algo_save_params(w, "sac.critic", &s->L.critic) ||
           algo_save_params(w, "sac.critic_targ", &s->L.critic_targ) ||
           algo_save_params(w, "sac.alpha", &s->L.alpha) || offp_save(&s->L.core, w, "sac") || sac_save_seq(s, w)
               ? -1 : 0;
}

static int sac_load(void* self, const acrl_ckpt* c, char* err, size_t errlen) {
    sac* s = self;
    return algo_load_params(c, "sac.actor", &s->L.actor, err, errlen) ||
           algo_load_params(c, "sac.critic", &s->L.critic, err, errlen) ||
           algo_load_params(c, "sac.critic_targ", &s->L.critic_targ, err, errlen) ||
           algo_load_params(c, "sac.alpha", &s->L.alpha, err, errlen) ||
           offp_load(&s->L.core, c, "sac", err, errlen) || sac_load_seq(s, c, err, errlen)
               ? -1 : 0;
}

static acrl_params* sac_params(void* self) { return &((sac*)self)->L.actor; }

static void sac_qvalue(void* self, const float* obs, const float* act, int n, float* q) {
    sac* s = self;
    offp_critic_estimate(&s->cr, &s->L.critic, &s->L.core, obs, act, n, q);
}

static acrl_rng* sac_act_rng(void* self) { return &((sac*)self)->L.core.rng; }

int sac_pretrain(void* self, acrl_pretrain_data* d, char* err, size_t errlen) {
    sac* s = self;
    if (s->K > 1) {
        snprintf(err, errlen, "warm_start = lqr does not combine with action_sequence = %d (it regresses one action "
                 "per state); set action_sequence = 1 or warm_start = none", s->K);
        return -1;
    }
    return offp_pretrain(&s->L, &s->pi, 2 * s->D, &s->cr, d, err, errlen);
}

const acrl_algo acrl_algo_sac = {
    "sac", "Soft Actor-Critic (twin Q, learned temperature); discrete SAC on Discrete actions",
    sizeof(sac_config), sac_table, sac_config_defaults,
    sac_create, sac_iterate, sac_act, sac_save, sac_load, sac_params, sac_destroy,
    sac_act_rng, sac_qvalue,
};
