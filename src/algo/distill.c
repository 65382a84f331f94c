/* Student distillation by DAgger (Ross et al. 2011), TacSL's teacher-student scheme: a teacher
 * policy that sees the env's privileged state (a run trained on the full observation) labels the
 * states a student visits, and the student, an MLP on its own observation (partial, noisy or
 * stacked: env_args hide=, obs_noise=, obs_stack=), is fitted to the labels by supervised
 * regression (Box: mean squared error of the Gaussian mean) or cross-entropy (Discrete).
 *
 * Iteration i rolls out n_steps steps per env copy of the mixture policy: each step and copy
 * executes the teacher's action with probability beta_i = beta0 * beta_decay^i, else the
 * student's mode; every visited state is labelled with the teacher's deterministic action and
 * added to the aggregated dataset (the oldest rows dropped past max_data); then train_steps Adam
 * steps on minibatches of batch_size rows drawn uniformly from the whole dataset.
 *
 * The student is an on-policy actor-critic policy (algo/policy.h: Gaussian or categorical head;
 * the value head is not trained), so its policy.ckpt is evaluated, exported and served like a
 * PPO policy's. The teacher is loaded (acrl_agent_load) at the first iteration from the key
 * teacher (a policy checkpoint or a run directory); evaluating the student needs no teacher.
 * Checkpoints hold the dataset and the iteration count: resumes are exact. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acrl/train.h"
#include "algo/algo.h"
#include "algo/onpolicy.h"
#include "io/le.h"

typedef struct {
    char  teacher[ACRL_CONFIG_STR_MAX]; /* the teacher's policy checkpoint or run directory */
    int   n_steps;                      /* rollout steps per env copy per DAgger iteration */
    float beta0, beta_decay;            /* teacher share beta_i = beta0 * beta_decay^i */
    int   train_steps, batch_size;      /* Adam steps per iteration on minibatches of batch_size */
    float learning_rate;
    int   max_data;                     /* aggregated dataset capacity (rows; oldest dropped) */
    acrl_policy_config pol;
} distill_config;

static void distill_defaults(void* cfgp) {
    distill_config* c = cfgp;
    memset(c, 0, sizeof *c);
    c->n_steps = 1000;
    c->beta0 = 1.0f;
    c->beta_decay = 0.5f;
    c->train_steps = 1000;
    c->batch_size = 256;
    c->learning_rate = 1e-3f;
    c->max_data = 200000;
    policy_config_default(&c->pol);
}

#define DF(k) offsetof(distill_config, k)
static const acrl_config_entry distill_table[] = {
    {"teacher", ACRL_CFG_STRING, DF(teacher), 0, 0, NULL,
     "the teacher: a policy checkpoint, or a run directory (its policy.ckpt), trained on the env's full observation"},
    {"n_steps", ACRL_CFG_INT, DF(n_steps), 1, 1e7, NULL, "rollout steps per env copy per DAgger iteration"},
    {"beta0", ACRL_CFG_FLOAT, DF(beta0), 0, 1, NULL, "share of teacher actions in the first iteration's rollout"},
    {"beta_decay", ACRL_CFG_FLOAT, DF(beta_decay), 0, 1, NULL, "beta_i = beta0 * beta_decay^i"},
    {"train_steps", ACRL_CFG_INT, DF(train_steps), 0, 1e7, NULL, "Adam steps on the aggregated dataset per iteration"},
    {"batch_size", ACRL_CFG_INT, DF(batch_size), 1, 1e6, NULL, "minibatch rows"},
    {"learning_rate", ACRL_CFG_FLOAT, DF(learning_rate), 0, 1, NULL, "Adam learning rate"},
    {"max_data", ACRL_CFG_INT, DF(max_data), 1, 1e8, NULL, "aggregated dataset capacity in rows (the oldest dropped beyond)"},
    POLICY_CONFIG_ENTRIES(DF(pol)),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

typedef struct {
    onpolicy_learner L;       /* must come first: params, policy, rng, updates */
    distill_config cfg;
    acrl_optim opt;
    int E, od, ad, sd, B;
    bool discrete;
    acrl_agent* teacher;      /* loaded at the first iteration */
    /* the aggregated dataset: a ring of max_data rows */
    long   n, head;           /* rows held; next row written */
    int64_t iter;             /* DAgger iterations done */
    float *d_obs, *d_act;     /* (max_data, od), (max_data, ad) */
    /* scratch */
    float *t_act, *s_act, *x_act; /* (E, ad): teacher, student, executed */
    float *mb_obs, *mb_act, *dhead, *wlogp, *logp;
    double gap, beta;         /* last iteration's mean |student - teacher| action gap and beta */
} distill;

static void distill_destroy(void* self) {
    distill* d = self;
    if (!d) return;
    policy_free(&d->L.pol);
    acrl_params_free(&d->L.params);
    acrl_agent_free(d->teacher);
    free(d->d_obs); free(d->d_act); free(d->t_act); free(d->s_act); free(d->x_act);
    free(d->mb_obs); free(d->mb_act); free(d->dhead); free(d->wlogp); free(d->logp);
    free(d);
}

static void* distill_create(const void* cfgp, const acrl_algo_ctx* ctx, char* err, size_t errlen) {
    const distill_config* cfg = cfgp;
    if (ctx->layout) { snprintf(err, errlen, "distill runs in one process (not with shards or mpirun)"); return NULL; }
    if (ctx->critic_dim < 1) {
        snprintf(err, errlen, "distill: %s has no privileged state for the teacher (env_args hide=, obs_noise= or "
                 "obs_stack= give the student an observation of its own)", ctx->env_id);
        return NULL;
    }
    distill* d = calloc(1, sizeof *d);
    if (!d) { snprintf(err, errlen, "out of memory"); return NULL; }
    d->L.name = "distill";
    d->cfg = *cfg;
    d->E = ctx->num_envs;
    d->od = ctx->obs_space->dim;
    d->discrete = ctx->act_space->kind == ACRL_SPACE_DISCRETE;
    d->ad = d->discrete ? 1 : ctx->act_space->dim;
    d->sd = ctx->critic_dim;
    d->B = cfg->batch_size;
    int maxb = d->B > d->E ? d->B : d->E;
    acrl_params_init(&d->L.params);
    if (policy_build(&d->L.pol, &d->L.params, d->od, ctx->act_space, &cfg->pol, maxb, err, errlen) ||
        acrl_params_finalize(&d->L.params, err, errlen)) {
        distill_destroy(d);
        return NULL;
    }
    if (d->L.pol.gbrl) { snprintf(err, errlen, "distill: the student is an MLP (model = mlp)"); distill_destroy(d); return NULL; }
    acrl_rng_seed2(&d->L.rng, ctx->seed, 1);
    if (policy_init(&d->L.pol, &d->L.params, &cfg->pol, &d->L.rng, err, errlen)) { distill_destroy(d); return NULL; }
    d->opt = acrl_optim_default(ACRL_OPT_ADAM);
    size_t cap = (size_t)cfg->max_data, E = (size_t)d->E, B = (size_t)d->B, od = (size_t)d->od, ad = (size_t)d->ad;
    d->d_obs = malloc(sizeof(float) * cap * od);
    d->d_act = malloc(sizeof(float) * cap * ad);
    d->t_act = malloc(sizeof(float) * E * ad);
    d->s_act = malloc(sizeof(float) * E * ad);
    d->x_act = malloc(sizeof(float) * E * ad);
    d->mb_obs = malloc(sizeof(float) * B * od);
    d->mb_act = malloc(sizeof(float) * B * ad);
    d->dhead = malloc(sizeof(float) * B * (size_t)d->L.pol.n_out);
    d->wlogp = malloc(sizeof(float) * B);
    d->logp = malloc(sizeof(float) * B);
    if (!d->d_obs || !d->d_act || !d->t_act || !d->s_act || !d->x_act || !d->mb_obs || !d->mb_act || !d->dhead ||
        !d->wlogp || !d->logp) {
        snprintf(err, errlen, "out of memory (max_data = %d rows)", cfg->max_data);
        distill_destroy(d);
        return NULL;
    }
    d->gap = d->beta = NAN;
    return d;
}

/* The teacher from cfg.teacher (a run directory: its policy.ckpt), checked against the env. */
static int load_teacher(distill* d, const acrl_collector* c, char* err, size_t errlen) {
    char path[ACRL_CONFIG_STR_MAX + 16];
    struct stat st;
    if (!d->cfg.teacher[0]) { snprintf(err, errlen, "distill needs the key teacher (a policy checkpoint or run directory)"); return -1; }
    if (stat(d->cfg.teacher, &st) == 0 && S_ISDIR(st.st_mode)) snprintf(path, sizeof path, "%s/policy.ckpt", d->cfg.teacher);
    else snprintf(path, sizeof path, "%s", d->cfg.teacher);
    char e[ACRL_ERRLEN];
    d->teacher = acrl_agent_load(path, e, sizeof e);
    if (!d->teacher) { snprintf(err, errlen, "distill: teacher %s: %s", path, e); return -1; }
    const acrl_space* os = acrl_agent_obs_space(d->teacher);
    const acrl_space* as = acrl_agent_act_space(d->teacher);
    const acrl_space* mine = &c->venv->envs[0]->act_space;
    if (os->dim != d->sd || as->kind != mine->kind || as->dim != mine->dim || as->n != mine->n) {
        snprintf(err, errlen, "distill: teacher %s observes %d values and acts in a space of %d; the env's privileged "
                 "state has %d and its actions %d (the teacher must be trained on the student env's full observation)",
                 path, os->dim, as->dim, d->sd, mine->dim);
        acrl_agent_free(d->teacher);
        d->teacher = NULL;
        return -1;
    }
    return 0;
}

/* One supervised step on a minibatch of B dataset rows; returns the loss (NAN: not finite). */
static double distill_step(distill* d, int B) {
    const int od = d->od, ad = d->ad, K = d->L.pol.n_out;
    for (int b = 0; b < B; b++) {
        long i = (long)acrl_rng_below(&d->L.rng, (uint64_t)d->n);
        memcpy(d->mb_obs + (size_t)b * od, d->d_obs + (size_t)i * od, sizeof(float) * (size_t)od);
        memcpy(d->mb_act + (size_t)b * ad, d->d_act + (size_t)i * ad, sizeof(float) * (size_t)ad);
    }
    acrl_policy* pol = &d->L.pol;
    policy_forward(pol, &d->L.params, d->mb_obs, B);
    acrl_params_zero_grad(&d->L.params);
    double loss = 0;
    if (d->discrete) { /* cross-entropy: -mean log pi(teacher's action | o) */
        policy_evaluate(pol, d->mb_act, d->logp, NULL);
        for (int b = 0; b < B; b++) {
            loss -= d->logp[b] / B;
            d->wlogp[b] = -1.0f / (float)B;
        }
        policy_backward(pol, &d->L.params, d->mb_act, d->wlogp, 0.0f, NULL);
    } else { /* mean squared error of the Gaussian mean */
        for (int i = 0; i < B * K; i++) {
            float e = pol->head[i] - d->mb_act[i];
            loss += (double)e * e / (B * K);
            d->dhead[i] = 2.0f * e / (float)(B * K);
        }
        policy_backward_outputs(pol, &d->L.params, d->dhead, NULL);
    }
    if (!isfinite(loss)) return NAN;
    acrl_optim_step(&d->opt, &d->L.params, d->cfg.learning_rate);
    d->L.updates++;
    return loss;
}

static int distill_iterate(void* self, acrl_collector* c, double progress, double* m, char* err, size_t errlen) {
    (void)progress;
    distill* d = self;
    if (!d->teacher && load_teacher(d, c, err, errlen)) return -1;
    const int E = d->E, od = d->od, ad = d->ad;
    const double beta = d->cfg.beta0 * pow(d->cfg.beta_decay, (double)d->iter);
    double gap = 0;
    for (int t = 0; t < d->cfg.n_steps; t++) {
        /* labels: the teacher's mode at the privileged states (raw; the teacher normalizes) */
        acrl_agent_act(d->teacher, c->venv->states, E, d->t_act, true);
        policy_act(&d->L.pol, &d->L.params, c->obs, E, d->s_act, true, &d->L.rng);
        for (int e = 0; e < E; e++) {
            const float* ta = d->t_act + (size_t)e * ad;
            const float* sa = d->s_act + (size_t)e * ad;
            for (int j = 0; j < ad; j++) gap += d->discrete ? (ta[j] != sa[j]) : fabs((double)ta[j] - sa[j]) / ad;
            bool teach = acrl_rng_uniform(&d->L.rng, 0.0, 1.0) < beta;
            memcpy(d->x_act + (size_t)e * ad, teach ? ta : sa, sizeof(float) * (size_t)ad);
            /* aggregate (observation as the student sees it, the teacher's label) */
            memcpy(d->d_obs + (size_t)d->head * od, c->obs + (size_t)e * od, sizeof(float) * (size_t)od);
            memcpy(d->d_act + (size_t)d->head * ad, ta, sizeof(float) * (size_t)ad);
            d->head = (d->head + 1) % d->cfg.max_data;
            if (d->n < d->cfg.max_data) d->n++;
        }
        collector_step(c, d->x_act);
        if (c->failed) { snprintf(err, errlen, "%s", c->error); return -1; }
    }
    d->gap = gap / ((double)d->cfg.n_steps * E);
    d->beta = beta;
    const int B = d->B;
    double tail = 0;
    int nt = 0;
    for (int s = 0; s < d->cfg.train_steps; s++) {
        double l = distill_step(d, B);
        if (isnan(l)) {
            snprintf(err, errlen, "non-finite distillation loss at iteration %lld step %d", (long long)d->iter, s);
            return -1;
        }
        if (s >= d->cfg.train_steps - 100) { tail += l; nt++; }
    }
    if (!acrl_all_finite(d->L.params.param, d->L.params.count)) {
        snprintf(err, errlen, "non-finite parameter after distillation iteration %lld", (long long)d->iter);
        return -1;
    }
    d->iter++;
    m[M_POLICY_LOSS] = nt ? tail / nt : NAN;
    m[M_LR] = d->cfg.learning_rate;
    return 0;
}

/* checkpoint: the learner's sections, then "distill.data" (i64 rows, head, iterations; float32
 * observations (rows, od) and labels (rows, ad) in ring order) */
static int distill_save(void* self, acrl_ckpt_writer* w) {
    distill* d = self;
    if (onpolicy_save(self, w)) return -1;
    int64_t meta[3] = {d->n, d->head, d->iter};
    if (algo_save_i64s(w, "distill.meta", meta, 3)) return -1;
    return acrl_ckpt_add(w, "distill.obs", d->d_obs, sizeof(float) * (size_t)d->n * (size_t)d->od) ||
           acrl_ckpt_add(w, "distill.act", d->d_act, sizeof(float) * (size_t)d->n * (size_t)d->ad) ? -1 : 0;
}

static int distill_load(void* self, const acrl_ckpt* c, char* err, size_t errlen) {
    distill* d = self;
    if (onpolicy_load(self, c, err, errlen)) return -1;
    int64_t meta[3];
    if (algo_load_i64s(c, "distill.meta", meta, 3, err, errlen)) return -1;
    if (meta[0] < 0 || meta[0] > d->cfg.max_data || meta[1] < 0 || meta[1] >= d->cfg.max_data || meta[2] < 0 ||
        (meta[0] < d->cfg.max_data && meta[1] != meta[0])) {
        snprintf(err, errlen, "checkpoint section 'distill.meta' (%lld rows, head %lld) does not fit max_data = %d",
                 (long long)meta[0], (long long)meta[1], d->cfg.max_data);
        return -1;
    }
    d->n = (long)meta[0];
    d->head = (long)meta[1];
    d->iter = meta[2];
    if (algo_load_blob(c, "distill.obs", d->d_obs, sizeof(float) * (size_t)d->n * (size_t)d->od, err, errlen) ||
        algo_load_blob(c, "distill.act", d->d_act, sizeof(float) * (size_t)d->n * (size_t)d->ad, err, errlen))
        return -1;
    if (!acrl_all_finite(d->d_obs, (size_t)d->n * (size_t)d->od) || !acrl_all_finite(d->d_act, (size_t)d->n * (size_t)d->ad)) {
        snprintf(err, errlen, "checkpoint dataset 'distill.obs'/'distill.act' holds NaN or Inf");
        return -1;
    }
    return 0;
}

const acrl_algo acrl_algo_distill = {
    "distill", "DAgger distillation of a teacher (full observation) into a student on a partial one",
    sizeof(distill_config), distill_table, distill_defaults,
    distill_create, distill_iterate, onpolicy_act, distill_save, distill_load, onpolicy_params, distill_destroy,
    onpolicy_act_rng,
    NULL, /* no Q critic */
};

static const char* const distill_extra_names[] = {"beta", "dataset_rows", "teacher_gap"};

static void distill_extra_values(void* self, double* out) {
    const distill* d = self;
    out[0] = d->beta;
    out[1] = (double)d->n;
    out[2] = d->gap;
}

const acrl_algo_extra acrl_algo_distill_extra = {&acrl_algo_distill, 3, distill_extra_names, distill_extra_values};
