/* Shared machinery of the off-policy algorithms: config defaults, the collect-then-train
 * loop over the replay buffer, action scaling, the two update lanes, Q networks and
 * checkpoint sections. */
#include "algo/offpolicy.h"
#include "algo/policy.h"
#include "dist/comm.h"
#include "io/le.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/copy.h"
#include "util/size.h"
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "acrl/dist.h"

void offp_defaults(offp_config* c) {
    memset(c, 0, sizeof *c);
    c->buffer_size = 1000000;
    c->learning_starts = 100;
    c->batch_size = 256;
    c->train_freq = 1;
    c->gradient_steps = 1;
    c->n_step = 1;
    c->learning_rate = 3e-4f;
    c->tau = 0.005f;
    c->net_arch = (acrl_intlist){2, {256, 256}};
    strcpy(c->activation, "relu");
    c->adam_eps = 1e-8f;
    c->offline_ratio = 0.5f;
    c->precision = OFFP_FLOAT;
    c->bf16_min_width = 256;
    strcpy(c->extractor, "mlp");
    c->cnn_channels = (acrl_intlist){2, {16, 32}};
    c->cnn_kernels = (acrl_intlist){2, {3, 3}};
}

/* extractor = cnn: the convolutions' description (NULL for mlp) */
static const acrl_cnn_spec* offp_cnn_spec(const offp_config* c, acrl_cnn_spec* cs) {
    if (strcmp(c->extractor, "cnn") != 0) return NULL;
    *cs = (acrl_cnn_spec){c->cnn_input.v[0], c->cnn_input.v[1], c->cnn_input.v[2], c->cnn_channels.n,
                          c->cnn_channels.v, c->cnn_kernels.v, c->cnn_strides.n ? c->cnn_strides.v : NULL,
                          c->cnn_pools.n ? c->cnn_pools.v : NULL, NULL};
    return cs;
}

/* extractor = cnn with an image shape of obs_dim values and lists that agree (policy_cnn_check) */
static int cnn_keys(const offp_config* c, int obs_dim, char* err, size_t errlen) {
    return policy_cnn_check(c->extractor, &c->cnn_input, &c->cnn_channels, &c->cnn_kernels, &c->cnn_strides,
                            &c->cnn_pools, obs_dim, err, errlen);
}

int offp_check_extractor(const offp_config* c, const acrl_space* obs, char* err, size_t errlen) {
    return cnn_keys(c, obs->dim, err, errlen) < 0 ? -1 : 0;
}

const char* const offp_precision_names[] = {"float", "bf16", "bf16_strict", NULL};

static float* falloc(size_t n) { return calloc(n ? n : 1, sizeof(float)); }

/* ---- the second update thread -------------------------------------------------------- */

/* Pause iterations a waiting side spins before it sleeps: ~50 us, longer than the serial
 * gaps between the phases of one update, far shorter than a time slice. */
#define OFFP_SPIN 1000

struct offp_worker {
    pthread_t       thread;
    pthread_mutex_t mu;
    pthread_cond_t  go_cv, done_cv;
    atomic_uint     go, done;     /* generation of the last posted / finished job */
    bool            quit;
    void (*fn)(void*, int);
    void*           arg;
    unsigned        csr;          /* the caller's MXCSR */
};

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Waits until *x == want: spins, then sleeps on cv (whoever changes *x signals cv under mu). */
static void wait_for(offp_worker* w, atomic_uint* x, unsigned want, pthread_cond_t* cv) {
    for (int k = 0; k < OFFP_SPIN; k++) {
        if (atomic_load_explicit(x, memory_order_acquire) == want) return;
        cpu_relax();
    }
    pthread_mutex_lock(&w->mu);
    while (atomic_load_explicit(x, memory_order_acquire) != want) pthread_cond_wait(cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
}

static void publish(offp_worker* w, atomic_uint* x, unsigned v, pthread_cond_t* cv) {
    pthread_mutex_lock(&w->mu);
    atomic_store_explicit(x, v, memory_order_release);
    pthread_cond_signal(cv);
    pthread_mutex_unlock(&w->mu);
}

static void* worker_main(void* arg) {
    offp_worker* w = arg;
    for (unsigned gen = 1;; gen++) {
        wait_for(w, &w->go, gen, &w->go_cv);
        if (w->quit) return NULL;
#if defined(__SSE__)
        _mm_setcsr(w->csr);
#endif
        w->fn(w->arg, 1);
        publish(w, &w->done, gen, &w->done_cv);
    }
}

static offp_worker* worker_start(char* err, size_t errlen) {
    offp_worker* w = calloc(1, sizeof *w);
    if (!w) { snprintf(err, errlen, "out of memory"); return NULL; }
    atomic_init(&w->go, 0);
    atomic_init(&w->done, 0);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->go_cv, NULL);
    pthread_cond_init(&w->done_cv, NULL);
    int rc = pthread_create(&w->thread, NULL, worker_main, w);
    if (rc) {
        snprintf(err, errlen, "cannot start the update thread: %s", strerror(rc));
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->go_cv);
        pthread_cond_destroy(&w->done_cv);
        free(w);
        return NULL;
    }
    return w;
}

static void worker_stop(offp_worker* w) {
    if (!w) return;
    w->quit = true;
    publish(w, &w->go, atomic_load(&w->go) + 1, &w->go_cv);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->go_cv);
    pthread_cond_destroy(&w->done_cv);
    free(w);
}

void offp_lanes(offp_core* o, void (*fn)(void* arg, int lane), void* arg) {
    offp_worker* w = o->worker;
    if (!w) { fn(arg, 0); fn(arg, 1); return; }
    w->fn = fn;
    w->arg = arg;
#if defined(__SSE__)
    w->csr = _mm_getcsr();
#endif
    const unsigned gen = atomic_load(&w->go) + 1; /* only this thread posts */
    publish(w, &w->go, gen, &w->go_cv);
    fn(arg, 0);
    wait_for(w, &w->done, gen, &w->done_cv);
}

size_t offp_mlp_bytes(int in_dim, int out_dim, const offp_config* cfg, int max_batch) {
    int sizes[ACRL_INTLIST_MAX + 2], n = 0;
    sizes[n++] = in_dim;
    for (int i = 0; i < cfg->net_arch.n && i < ACRL_INTLIST_MAX; i++) sizes[n++] = cfg->net_arch.v[i];
    sizes[n++] = out_dim;
    size_t bytes = acrl_mlp_bytes(sizes, n, cfg->layer_norm != 0, max_batch);
    acrl_cnn_spec cs;
    char e[ACRL_ERRLEN];
    const acrl_intlist* in = &cfg->cnn_input;
    const long img = in->n == 3 ? (long)in->v[0] * in->v[1] * in->v[2] : 0;
    if (offp_cnn_spec(cfg, &cs) && img > 0 && img <= INT_MAX && cnn_keys(cfg, (int)img, e, sizeof e) == 1)
        bytes = acrl_size_add(bytes, acrl_cnn_bytes(cs.c, cs.h, cs.w, cs.channels, cs.kernels, cs.strides, cs.pools,
                                                    cs.n, max_batch));
    for (int l = 1; l + 1 < n && cfg->dropout > 0; l++) /* dropout's masks and outputs, hidden layers */
        bytes = acrl_size_add(bytes, acrl_size_mul3(2 * (size_t)max_batch, (size_t)sizes[l], sizeof(float)));
    return bytes;
}

size_t offp_critic_bytes(int n, int in_dim, int out_dim, const offp_config* cfg, int max_batch) {
    size_t nets = acrl_size_mul((size_t)n, offp_mlp_bytes(in_dim, out_dim, cfg, max_batch));
    /* five (B, in) and four (B, out) scratch arrays */
    size_t floats = acrl_size_mul((size_t)max_batch, 5 * (size_t)in_dim + 4 * (size_t)out_dim);
    return acrl_size_add(nets, acrl_size_mul(floats, sizeof(float)));
}

int offp_check_memory(const char* algo, const offp_config* cfg, const acrl_algo_ctx* ctx, int max_batch,
                      size_t net_bytes, char* err, size_t errlen) {
    if (offp_check_extractor(cfg, ctx->obs_space, err, errlen)) return -1;
    const acrl_space* as = ctx->act_space;
    int od = ctx->obs_space->dim, ad = as->dim, E = ctx->num_envs;
    size_t need = acrl_size_add(replay_bytes(cfg->buffer_size, E, od, ad), replay_batch_bytes(cfg->batch_size, od, ad));
    /* per env copy: obs, next_obs, two actions; action scale and bias */
    need = acrl_size_add(need, acrl_size_mul3((size_t)E, 2 * (size_t)od + 2 * (size_t)ad, sizeof(float)));
    need = acrl_size_add(need, net_bytes);
    char what[200];
    if (net_bytes)
        snprintf(what, sizeof what, "%s's replay buffer (buffer_size %d, obs %d, act %d) and networks (batch %d)",
                 algo, cfg->buffer_size, od, ad, max_batch);
    else
        snprintf(what, sizeof what, "%s's replay buffer (buffer_size %d, obs %d, act %d) and minibatch (batch_size %d)",
                 algo, cfg->buffer_size, od, ad, cfg->batch_size);
    return acrl_size_check(need, what, err, errlen);
}

static int offp_dist_init(offp_core* o, const acrl_algo_ctx* ctx, char* err, size_t errlen);
static void offp_dist_free(offp_dist* d);

#define OFFP_HDR 6  /* int64 fields of a sync = 0 message header */

typedef struct {
    int64_t sent_u;            /* updates of the actor last sent (-1: no message yet) */
    int64_t sent_credit;       /* credit last sent */
    int64_t ack;               /* updates of the actor that chose its last batch (at first: of the first actor sent) */
    bool    stop_sent, done;   /* stop sent; the collector said it is done */
    int64_t received, dropped; /* env steps added / dropped after the stop */
    int64_t taken;             /* env steps it took (its "done" message) */
    double  wait_s;            /* seconds it waited for credit (its "done" message) */
} offp_dist_peer;

struct offp_dist {
    int R, rank, E, Ec;        /* ranks, this rank, copies in all, copies per collector */
    int sync_interval;         /* learner updates between actor broadcasts */
    int64_t last_sync;         /* learner: updates at the last broadcast */
    acrl_params* policy;       /* the actor (offp_learner.actor) */
    size_t rec;                /* bytes of one collector's vectorized step */
    unsigned char* send;       /* collector: train_freq records */
    float* rew;                /* learner: (E) rewards of one step */
    bool*  term;               /* learner: (2E) terminated, truncated */
    /* sync = 0 (asynchronous collectors; the section "sync = 0" below) */
    bool    async;
    uint64_t seed;
    int     T, G, max_lag;     /* train_freq; updates per T vectorized steps of all copies */
    int64_t L0;                /* learning_starts / (T E): batches before the first update */
    size_t  hdr, wmsg, slot;   /* bytes: a header; header + actor (rounded to 8); header + T records */
    bool    started;           /* learner: first messages due / sent; collector: the first one came */
    bool    stop, stop_request, stop_requested;
    volatile sig_atomic_t* stop_flag; /* collector: its process's stop request (signal) */
    int64_t batch, credit, version; /* collector: batches sent, credit, updates of the actor it holds */
    int     nb;                /* collector: send ring of nb slots */
    unsigned char* ring;       /* (nb, slot) */
    comm_req* ring_req;        /* (nb) */
    unsigned char* lbuf;       /* collector: one learner message (wmsg) */
    int64_t small[OFFP_HDR];   /* collector: a stop request or "done" */
    comm_req small_req;
    int64_t b0;                /* the batch the collectors start at (0, or a resume's) */
    int64_t skipped;           /* learner: updates skipped while the buffer was too small */
    unsigned char* rbuf;       /* learner: one collector message (slot) */
    unsigned char* wbuf;       /* learner: (R - 1, wmsg) messages to the collectors */
    comm_req* wreq;            /* (R - 1) */
    offp_dist_peer* k;         /* (R - 1) */
    double  wait_s;            /* learner: seconds waiting for data; collector: for credit */
    double  lag_sum;           /* learner: updates between the actor that chose a batch and its arrival */
    int64_t lag_n, lag_max;
};


int offp_init(offp_core* o, const offp_config* cfg, const acrl_algo_ctx* ctx, bool allow_discrete, int max_batch,
              char* err, size_t errlen) {
    memset(o, 0, sizeof *o);
    if (offp_check_memory("the learner", cfg, ctx, max_batch, 0, err, errlen)) return -1;
    const acrl_space* as = ctx->act_space;
    char desc[64];
    acrl_space_describe(as, desc, sizeof desc);
    if (as->kind == ACRL_SPACE_DISCRETE) {
        if (!allow_discrete) {
            snprintf(err, errlen, "this algorithm needs a Box action space, the env has %s", desc);
            return -1;
        }
    } else if (as->kind == ACRL_SPACE_BOX) {
        for (int j = 0; j < as->dim; j++)
            if (!isfinite(as->low[j]) || !isfinite(as->high[j]) || !(as->high[j] > as->low[j])) {
                snprintf(err, errlen, "action space %s has an unbounded or empty dimension %d: off-policy "
                         "algorithms squash actions into finite bounds", desc, j);
                return -1;
            }
    } else {
        snprintf(err, errlen, "unsupported action space %s", desc);
        return -1;
    }
    if (cfg->gradient_steps == 0) {
        snprintf(err, errlen, "gradient_steps must be >= 1 or -1 (one per vectorized step), got 0");
        return -1;
    }
    if (cfg->net_arch.n < 1) { snprintf(err, errlen, "net_arch needs at least one hidden layer"); return -1; }
    if (cfg->net_arch.n > ACRL_MLP_MAX_LAYERS - 1) { /* checked here: the networks are built after this */
        snprintf(err, errlen, "net_arch has %d hidden layers, at most %d are supported", cfg->net_arch.n,
                 ACRL_MLP_MAX_LAYERS - 1);
        return -1;
    }
    acrl_act act;
    if (acrl_act_parse(&act, cfg->activation, err, errlen)) return -1;
    o->cfg = *cfg;
    o->discrete = as->kind == ACRL_SPACE_DISCRETE;
    o->n_actions = as->n;
    o->obs_dim = ctx->obs_space->dim;
    o->act_dim = as->dim;
    o->num_envs = ctx->num_envs;
    o->max_batch = max_batch;
    o->gamma = ctx->gamma;
    const int E = o->num_envs, od = o->obs_dim, ad = o->act_dim;
    if (replay_init(&o->rb, cfg->buffer_size, E, od, ad, err, errlen)) return -1;
    o->act_scale = falloc((size_t)ad);
    o->act_bias = falloc((size_t)ad);
    o->obs = falloc((size_t)E * od);
    o->next_obs = falloc((size_t)E * od);
    o->act = falloc((size_t)E * ad);
    o->act_env = falloc((size_t)E * ad);
    if (!o->act_scale || !o->act_bias || !o->obs || !o->next_obs || !o->act || !o->act_env ||
        replay_batch_init(&o->batch, cfg->batch_size, od, ad)) {
        offp_free(o);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (cfg->precision != OFFP_FLOAT && !acrl_bf16_supported()) {
        if (cfg->precision == OFFP_BF16_STRICT) {
            offp_free(o);
            snprintf(err, errlen, "precision = bf16_strict: this CPU has no avx512_bf16 (precision = bf16 falls back "
                                  "to float)");
            return -1;
        }
        fprintf(stderr, "acrl: precision = bf16: this CPU has no avx512_bf16; training in float\n");
    }
    if (ctx->critic_dim > 0) { /* critic_obs = state: state columns beside the observations */
        const bool cnn = strcmp(cfg->extractor, "cnn") == 0;
        if (cfg->offline_data[0] || cnn || (ctx->layout && ctx->layout->ranks > 1)) {
            snprintf(err, errlen, "critic_obs = state does not combine with %s", cfg->offline_data[0] ?
                     "offline_data (transitions files hold no states)" : cnn ? "extractor = cnn (the critics' "
                     "input is the flat state)" : "mpirun");
            offp_free(o);
            return -1;
        }
        o->critic_dim = ctx->critic_dim;
        o->state = falloc((size_t)E * (size_t)o->critic_dim);
        o->next_state = falloc((size_t)E * (size_t)o->critic_dim);
        if (!o->state || !o->next_state || replay_enable_state(&o->rb, o->critic_dim, err, errlen) ||
            replay_batch_enable_state(&o->batch, o->critic_dim)) {
            offp_free(o);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    /* offline transitions for the learner (collectors of a distributed run sample nothing) */
    const bool collector = ctx->layout && ctx->layout->ranks > 1 && ctx->layout->rank > 0;
    if (cfg->offline_data[0] && !collector &&
        replay_read_transitions(&o->offline, cfg->offline_data, od, ad, err, errlen)) {
        offp_free(o);
        return -1;
    }
    for (int j = 0; j < ad && !o->discrete; j++) {
        o->act_scale[j] = 0.5f * (as->high[j] - as->low[j]);
        o->act_bias[j] = 0.5f * (as->high[j] + as->low[j]);
    }
    acrl_rng_seed2(&o->rng, ctx->seed, 2);
    if (ctx->threads > 1 && !(o->worker = worker_start(err, errlen))) { offp_free(o); return -1; }
    if (ctx->layout && ctx->layout->ranks > 1 && offp_dist_init(o, ctx, err, errlen)) { offp_free(o); return -1; }
    return 0;
}

void offp_free(offp_core* o) {
    worker_stop(o->worker);
    offp_dist_free(o->dist);
    replay_free(&o->rb);
    replay_free(&o->offline);
    replay_batch_free(&o->batch);
    free(o->act_scale); free(o->act_bias); free(o->obs); free(o->next_obs); free(o->act); free(o->act_env);
    free(o->state); free(o->next_state);
    memset(o, 0, sizeof *o);
}

void offp_learner_init(offp_learner* L) {
    acrl_params* st[5] = {&L->actor, &L->actor_targ, &L->critic, &L->critic_targ, &L->alpha};
    for (int i = 0; i < 5; i++) acrl_params_init(st[i]);
}

void offp_learner_free(offp_learner* L) {
    offp_free(&L->core);
    acrl_params* st[5] = {&L->actor, &L->actor_targ, &L->critic, &L->critic_targ, &L->alpha};
    for (int i = 0; i < 5; i++) acrl_params_free(st[i]);
}

int offp_alloc_floats(float** const* slots, size_t n, size_t count) {
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        if (!(*slots[i] = calloc(count, sizeof(float)))) rc = -1;
    return rc;
}

int offp_nonfinite(char* err, size_t errlen, const char* algo, const char* what, long update) {
    snprintf(err, errlen, "non-finite %s in %s update %ld", what, algo, update);
    return -1;
}

void offp_sample(offp_core* o, int B) {
    const int nf = !o->offline.slots ? 0 : o->offline_only ? B : (int)lroundf(o->cfg.offline_ratio * (float)B);
    if (nf == 0) { replay_sample(&o->rb, &o->batch, B, o->cfg.n_step, o->gamma, &o->rng); return; }
    if (B - nf > 0) replay_sample(&o->rb, &o->batch, B - nf, o->cfg.n_step, o->gamma, &o->rng);
    /* the offline rows: the same gather on a view of the batch from row B - nf */
    const int r0 = B - nf, od = o->obs_dim, ad = o->act_dim;
    replay_batch v = o->batch;
    v.obs += (size_t)r0 * od;
    v.act += (size_t)r0 * ad;
    v.next_obs += (size_t)r0 * od;
    v.rew += r0;
    v.done += r0;
    v.discount += r0;
    v.cost += r0;
    v.idx += r0;
    replay_sample(&o->offline, &v, nf, o->cfg.n_step, o->gamma, &o->rng);
}

void offp_to_env(const offp_core* o, const float* a, float* env, int n) {
    const int ad = o->act_dim;
    if (o->discrete) { memcpy(env, a, sizeof(float) * (size_t)n * ad); return; }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < ad; j++) env[i * ad + j] = o->act_bias[j] + o->act_scale[j] * a[i * ad + j];
}

static void random_actions(offp_core* o) {
    const int n = o->num_envs * o->act_dim;
    for (int i = 0; i < n; i++)
        o->act[i] = o->discrete ? (float)acrl_rng_below(&o->rng, (uint64_t)o->n_actions)
                                : (float)acrl_rng_uniform(&o->rng, -1.0, 1.0);
}

static int offp_iterate_dist(offp_core* o, void* self, const offp_hooks* h, acrl_collector* c, double* m, char* err,
                             size_t errlen);

int offp_iterate(offp_core* o, void* self, const offp_hooks* h, acrl_collector* c, double* m, char* err, size_t errlen) {
    if (o->dist) return offp_iterate_dist(o, self, h, c, m, err, errlen);
    const int E = o->num_envs, od = o->obs_dim;
    const acrl_vecenv* v = c->venv;
    /* offline_pretrain: updates on the offline data alone, before the run's first env step */
    const int pre = o->counters[1] == 0 && OFFP_UPDATES(o) == 0 && o->offline.slots ? o->cfg.offline_pretrain : 0;
    for (int s = 0; s < o->cfg.train_freq; s++) {
        memcpy(o->obs, c->obs, sizeof(float) * (size_t)E * od);
        const int sd = o->critic_dim;
        if (sd) memcpy(o->state, c->state, sizeof(float) * (size_t)E * sd);
        if (c->steps < o->cfg.learning_starts) random_actions(o);
        else h->explore(self, o->obs, E);
        offp_to_env(o, o->act, o->act_env, E);
        collector_step(c, o->act_env);
        for (int e = 0; e < E && sd; e++) {
            const bool end = v->terminated[e] || v->truncated[e];
            memcpy(o->next_state + (size_t)e * sd, (end ? c->final_state : c->state) + (size_t)e * sd, sizeof(float) * sd);
        }
        for (int e = 0; e < E; e++) {
            const bool end = v->terminated[e] || v->truncated[e];
            memcpy(o->next_obs + (size_t)e * od, (end ? c->final_obs : c->obs) + (size_t)e * od, sizeof(float) * od);
            if (end && h->episode_end) h->episode_end(self, e);
        }
        replay_add(&o->rb, o->obs, o->act, c->rewards, o->next_obs, v->terminated, v->truncated);
        if (o->rb.cost) replay_add_cost(&o->rb, c->costs, c->num_costs);
        if (sd) replay_add_state(&o->rb, o->state, o->next_state);
        o->counters[1]++;
    }
    /* train once past learning_starts (SB3: num_timesteps > learning_starts); a run resumed
     * without its buffer waits until the buffer holds that many again */
    long need = o->cfg.learning_starts < o->cfg.batch_size ? o->cfg.learning_starts : o->cfg.batch_size;
    int steps = o->cfg.gradient_steps < 0 ? o->cfg.train_freq : o->cfg.gradient_steps;
    if (c->steps <= o->cfg.learning_starts || replay_size(&o->rb) < (need > 0 ? need : 1)) steps = 0;
    double sums[M_COUNT + 1] = {0};
    /* Gradient steps run with denormals flushed to zero: Adam's moments of dead ReLU units
     * decay geometrically into the denormal range, where each operation costs ~100 cycles
     * (this halved the update rate). Restored afterwards: env stepping keeps IEEE semantics. */
#if defined(__SSE__)
    const unsigned csr = _mm_getcsr();
    _mm_setcsr(csr | 0x8040u); /* FTZ | DAZ */
#endif
    int rc = 0;
    o->offline_only = true;
    for (int k = 0; k < pre && !rc; k++) rc = h->train_step(self, sums, err, errlen);
    o->offline_only = false;
    for (int k = 0; k < steps && !rc; k++) rc = h->train_step(self, sums, err, errlen);
#if defined(__SSE__)
    _mm_setcsr(csr);
#endif
    if (rc) return -1;
    steps += pre;
    for (int k = 0; k < M_COUNT; k++) m[k] = steps && (h->metrics >> k & 1u) ? sums[k] / steps : NAN;
    m[M_POLICY_LOSS] = sums[OFFP_ACTOR_STEPS] > 0 ? sums[M_POLICY_LOSS] / sums[OFFP_ACTOR_STEPS] : NAN;
    /* the entropy estimate comes from the actor's steps too (all steps for SAC; every
     * delay-th for DSAC-T) */
    if (h->metrics >> M_ENTROPY & 1u)
        m[M_ENTROPY] = sums[OFFP_ACTOR_STEPS] > 0 ? sums[M_ENTROPY] / sums[OFFP_ACTOR_STEPS] : NAN;
    if (steps) m[M_LR] = o->cfg.learning_rate;
    return 0;
}

int offp_save(offp_core* o, acrl_ckpt_writer* w, const char* prefix) {
    char name[ACRL_CKPT_NAME_MAX + 1];
    snprintf(name, sizeof name, "%s.rng", prefix);
    if (algo_save_rng(w, name, &o->rng)) return -1;
    snprintf(name, sizeof name, "%s.counters", prefix);
    if (algo_save_i64s(w, name, o->counters, 2)) return -1;
    if (!o->cfg.save_buffer) return 0;
    snprintf(name, sizeof name, "%s.replay", prefix);
    return replay_save(&o->rb, w, name);
}

int offp_load(offp_core* o, const acrl_ckpt* c, const char* prefix, char* err, size_t errlen) {
    char name[ACRL_CKPT_NAME_MAX + 1];
    snprintf(name, sizeof name, "%s.rng", prefix);
    if (algo_load_rng(c, name, &o->rng, err, errlen)) return -1;
    snprintf(name, sizeof name, "%s.counters", prefix);
    if (algo_load_i64s(c, name, o->counters, 2, err, errlen)) return -1;
    if (!o->cfg.save_buffer) return 0;
    snprintf(name, sizeof name, "%s.replay", prefix);
    if (replay_load(&o->rb, c, name, err, errlen)) return -1;
    /* the updates index Q outputs with Discrete actions: only indices in [0, n) may enter */
    const size_t n = (size_t)replay_size(&o->rb) * (size_t)o->act_dim;
    for (size_t i = 0; i < n; i++) {
        float a = o->rb.act[i];
        bool bad = o->discrete ? !(a >= 0 && a < (float)o->n_actions && a == floorf(a)) : !isfinite(a);
        if (bad) {
            snprintf(err, errlen, "checkpoint replay buffer: action %zu is %g, %s", i, (double)a,
                     o->discrete ? "not an action index of the Discrete space" : "not finite");
            return -1;
        }
    }
    return 0;
}

/* ---- networks ------------------------------------------------------------------------ */

int offp_mlp_build(acrl_mlp* m, acrl_params* p, const char* name, int in_dim, int out_dim, const offp_config* cfg,
                   int max_batch, char* err, size_t errlen) {
    int sizes[ACRL_INTLIST_MAX + 2], n = 0;
    sizes[n++] = in_dim;
    for (int i = 0; i < cfg->net_arch.n; i++) sizes[n++] = cfg->net_arch.v[i];
    sizes[n++] = out_dim;
    acrl_cnn_spec cs;
    if (acrl_mlp_build_cnn(m, p, name, offp_cnn_spec(cfg, &cs), sizes, n, cfg->activation, cfg->layer_norm != 0,
                           max_batch, err, errlen) ||
        acrl_mlp_set_dropout(m, cfg->dropout, err, errlen))
        return -1;
    if (cfg->precision != OFFP_FLOAT && acrl_bf16_supported()) acrl_mlp_set_bf16(m, cfg->bf16_min_width);
    return 0;
}

void offp_adam(acrl_params* p, float lr, float eps) {
    acrl_optim o = acrl_optim_default(ACRL_OPT_ADAM);
    o.eps = eps;
    acrl_optim_step(&o, p, lr);
}

void offp_adam_range(acrl_params* p, float lr, float eps, size_t lo, size_t hi) {
    acrl_params view = *p; /* the elementwise step sees only the range */
    view.param += lo;
    view.grad += lo;
    view.m += lo;
    view.v += lo;
    view.count = hi - lo;
    offp_adam(&view, lr, eps);
}

void offp_polyak_range(acrl_params* dst, const acrl_params* src, float tau, size_t lo, size_t hi) {
    float* restrict d = dst->param;
    const float* restrict s = src->param;
    for (size_t i = lo; i < hi; i++) d[i] = d[i] * (1 - tau) + tau * s[i];
}

int offp_critic_build(offp_critic* cr, acrl_params* p, int n, int in_dim, int out_dim, const offp_config* cfg,
                      int max_batch, char* err, size_t errlen) {
    memset(cr, 0, sizeof *cr);
    cr->n = n;
    cr->in_dim = in_dim;
    cr->out_dim = out_dim;
    cr->max_batch = max_batch;
    for (int i = 0; i < n; i++) {
        const char* name = i ? "q1" : "q0";
        if (offp_mlp_build(&cr->q[i], p, name, in_dim, out_dim, cfg, max_batch, err, errlen)) return -1;
    }
    bool ok = true;
    for (int s = 0; s < 3; s++) ok = ok && (cr->in[s] = falloc((size_t)max_batch * in_dim));
    for (int i = 0; i < 2; i++) {
        ok = ok && (cr->din[i] = falloc((size_t)max_batch * in_dim));
        ok = ok && (cr->dout[i] = falloc((size_t)max_batch * out_dim));
        ok = ok && (cr->qt[i] = falloc((size_t)max_batch * out_dim));
    }
    if (!ok) { snprintf(err, errlen, "out of memory"); return -1; }
    return 0;
}

void offp_critic_free(offp_critic* cr) {
    for (int i = 0; i < cr->n; i++) acrl_mlp_free(&cr->q[i]);
    for (int s = 0; s < 3; s++) free(cr->in[s]);
    for (int i = 0; i < 2; i++) { free(cr->din[i]); free(cr->dout[i]); free(cr->qt[i]); }
    memset(cr, 0, sizeof *cr);
}

void offp_critic_input(offp_critic* cr, int slot, const float* obs, const float* act, int B, int od, int ad) {
    float* in = cr->in[slot];
    for (int b = 0; b < B; b++) {
        acrl_copy_floats(in + (size_t)b * (od + ad), obs + (size_t)b * od, (size_t)od);
        acrl_copy_floats(in + (size_t)b * (od + ad) + od, act + (size_t)b * ad, (size_t)ad);
    }
}

void offp_critic_forward(offp_critic* cr, const acrl_params* p, int slot, int B) {
    for (int i = 0; i < cr->n; i++) cr->out[i] = acrl_mlp_forward(&cr->q[i], p, cr->in[slot], B);
}

void offp_critic_range(const offp_critic* cr, const acrl_params* p, int i, size_t* lo, size_t* hi) {
    *lo = cr->q[i].w_off[0]; /* the critics' tensors are declared one critic after the other */
    *hi = i + 1 < cr->n ? cr->q[i + 1].w_off[0] : p->count;
}

void offp_critic_backward(offp_critic* cr, acrl_params* p, int i, const float* dout, float* din) {
    acrl_mlp_backward(&cr->q[i], p, din, dout);
}

void offp_critic_input_grad(offp_critic* cr, const acrl_params* p, int i, const float* dout, float* din) {
    acrl_mlp* m = &cr->q[i];
    const int B = m->batch;
    const float* dz = dout; /* gradient wrt layer l's linear output, (B, sizes[l+1]) */
    for (int l = m->nlayers - 1; l >= 0; l--) {
        const int in = m->sizes[l], out = m->sizes[l + 1];
        const float* w = p->param + m->w_off[l];
        const acrl_gemm_fn gemm = acrl_mlp_gemm(m, l);
        if (l == 0 && m->cnn) { /* [features | actions]: only the actions' part reaches din */
            const int F = m->cnn->out_dim, img = m->img_dim, extra = m->in_dim - img;
            memset(m->dxin, 0, sizeof(float) * (size_t)B * in);
            gemm(false, true, B, in, out, 1, dz, out, w, out, 1, m->dxin, in);
            for (int b = 0; b < B; b++)
                for (int j = 0; j < extra; j++) din[(size_t)b * m->in_dim + img + j] += m->dxin[(size_t)b * in + F + j];
            break;
        }
        if (l == 0) { gemm(false, true, B, in, out, 1, dz, out, w, out, 1, din, in); break; }
        float* dh = m->d[0];                         /* never holds dz */
        float* da = dz == m->d[1] ? m->d[2] : m->d[1]; /* alternates with dz */
        if (m->act == ACRL_ACT_RELU && gemm == acrl_gemm) {
            acrl_gemm_relu_grad(B, in, out, dz, w, m->z[l - 1], da);
        } else {
            gemm(false, true, B, in, out, 1, dz, out, w, out, 0, dh, in);
            acrl_act_grad(m->act, da, dh, m->z[l - 1], m->h[l - 1], (size_t)B * in);
        }
        dz = da;
    }
}

void offp_critic_estimate(offp_critic* cr, const acrl_params* p, const offp_core* o, const float* obs,
                          const float* act, int n, float* q) {
    if (o->critic_dim) { /* critic_obs = state: the critics read states, which callers do not have */
        for (int i = 0; i < n; i++) q[i] = NAN;
        return;
    }
    const int od = o->obs_dim, ad = o->act_dim, K = cr->out_dim;
    for (int lo = 0; lo < n; lo += cr->max_batch) {
        const int B = n - lo < cr->max_batch ? n - lo : cr->max_batch;
        float* in = cr->in[OFFP_IN_DATA];
        for (int b = 0; b < B; b++) {
            const float* s = obs + (size_t)(lo + b) * od;
            memcpy(in + (size_t)b * cr->in_dim, s, sizeof(float) * od);
            for (int j = 0; j < ad && !o->discrete; j++)
                in[(size_t)b * cr->in_dim + od + j] = (act[(size_t)(lo + b) * ad + j] - o->act_bias[j]) / o->act_scale[j];
        }
        offp_critic_forward(cr, p, OFFP_IN_DATA, B);
        for (int b = 0; b < B; b++) {
            const int a = o->discrete ? (int)act[lo + b] : 0;
            float v = cr->out[0][(size_t)b * K + a];
            for (int i = 1; i < cr->n; i++) v = fminf(v, cr->out[i][(size_t)b * K + a]);
            q[lo + b] = v;
        }
    }
}

void offp_critic_keep_rows(offp_critic* cr, int i, const int* rows, int n) {
    acrl_mlp* m = &cr->q[i];
    for (int l = 0; l < m->nlayers - 1; l++) { /* the hidden layers' linear and activation outputs */
        const size_t w = (size_t)m->sizes[l + 1];
        for (int r = 0; r < n; r++) { /* needs rows[r] >= r: then no row is overwritten before it is read */
            memmove(m->z[l] + (size_t)r * w, m->z[l] + (size_t)rows[r] * w, sizeof(float) * w);
            memmove(m->h[l] + (size_t)r * w, m->h[l] + (size_t)rows[r] * w, sizeof(float) * w);
        }
    }
    m->batch = n;
}

/* ---- distributed learner and collectors ------------------------------------------------ */


/* One record: float obs (Ec, od), act (Ec, ad), reward, next_obs (Ec, od), terminated,
 * truncated, done, episode length (Ec each); float64 episode return (Ec). */
static size_t rec_floats(const offp_dist* d, int od, int ad) { return (size_t)d->Ec * (2 * (size_t)od + (size_t)ad + 5); }

/* sync = 0: messages are a header of OFFP_HDR int64 fields, then their payload.
 * Learner -> collector (tag OFFP_TAG_L2C): type, learner updates U, credit (batches the
 * collector may have sent), start batch (the first message only, else -1); payload: the actor
 * (float32), when the type is OFFP_MSG_WEIGHTS.
 * Collector -> learner (tag OFFP_TAG_C2L): type, batch index, updates of the actor that chose
 * the batch's first actions, env steps taken in all, microseconds waited for credit; payload:
 * train_freq records (OFFP_MSG_DATA). */
#define OFFP_TAG_L2C 7101
#define OFFP_TAG_C2L 7102
enum { OFFP_MSG_WEIGHTS = 1, OFFP_MSG_CREDIT = 2, OFFP_MSG_STOP = 3 };          /* learner -> collector */
enum { OFFP_MSG_DATA = 1, OFFP_MSG_DONE = 2, OFFP_MSG_STOP_REQUEST = 3 };      /* collector -> learner */
#define OFFP_RING_MAX 64                 /* a collector's send buffers at most */
#define OFFP_RING_BYTES ((size_t)64 << 20)

static size_t round8(size_t n) { return (n + 7) & ~(size_t)7; }

static int offp_dist_init(offp_core* o, const acrl_algo_ctx* ctx, char* err, size_t errlen) {
    const acrl_layout* L = ctx->layout;
    offp_dist* d = calloc(1, sizeof *d);
    if (!d) { snprintf(err, errlen, "out of memory"); return -1; }
    o->dist = d;
    d->R = L->ranks;
    d->rank = L->rank;
    d->E = L->num_envs;
    d->Ec = L->envs_per_shard;
    d->sync_interval = L->sync_interval > 0 ? L->sync_interval : 1;
    d->policy = &((offp_learner*)(void*)o)->actor; /* o is the first member of an offp_learner */
    d->rec = (4 * rec_floats(d, o->obs_dim, o->act_dim) + 8 * (size_t)d->Ec + 7) & ~(size_t)7;
    if (d->rank > 0) {
        d->send = malloc(d->rec * (size_t)o->cfg.train_freq);
        acrl_rng_seed2(&o->rng, ctx->seed, 4096u + (uint64_t)d->rank); /* each collector explores apart */
    } else {
        d->rew = malloc(sizeof(float) * (size_t)d->E);
        d->term = malloc(sizeof(bool) * 2 * (size_t)d->E);
    }
    if (d->rank > 0 ? !d->send : (!d->rew || !d->term)) { snprintf(err, errlen, "out of memory"); return -1; }
    if (L->sync == 0) {
        const int T = o->cfg.train_freq, R1 = d->R - 1;
        d->async = true;
        d->seed = ctx->seed;
        d->T = T;
        d->G = o->cfg.gradient_steps < 0 ? T : o->cfg.gradient_steps;
        d->max_lag = L->max_lag > 0 ? L->max_lag : 1;
        d->L0 = o->cfg.learning_starts / ((int64_t)T * d->E);
        d->hdr = 8 * OFFP_HDR;
        d->slot = d->hdr + (size_t)T * d->rec;
        if (d->rank > 0) {
            /* enough buffers for the credit window (one more for the batch being filled) */
            int64_t window = 1 + ((int64_t)d->max_lag * d->sync_interval) / d->G;
            int64_t nb = window + 1;
            if (nb > OFFP_RING_MAX) nb = OFFP_RING_MAX;
            if (nb > (int64_t)(OFFP_RING_BYTES / d->slot)) nb = (int64_t)(OFFP_RING_BYTES / d->slot);
            d->nb = nb < 2 ? 2 : (int)nb;
            d->ring = malloc(d->slot * (size_t)d->nb);
            d->ring_req = calloc((size_t)d->nb, sizeof(comm_req));
            if (!d->ring || !d->ring_req) { snprintf(err, errlen, "out of memory"); return -1; }
        } else {
            d->rbuf = malloc(d->slot);
            d->wreq = calloc((size_t)R1, sizeof(comm_req));
            d->k = calloc((size_t)R1, sizeof *d->k);
            if (!d->rbuf || !d->wreq || !d->k) { snprintf(err, errlen, "out of memory"); return -1; }
            for (int k = 0; k < R1; k++) d->k[k].sent_u = -1;
        }
    }
    return 0;
}

/* sync = 0: the buffers of the actor's messages, once the algorithm has built the actor (the
 * first iteration; offp_dist_init runs before) */
static int offp_dist_async_buffers(offp_dist* d, char* err, size_t errlen) {
    if (d->wmsg) return 0;
    d->wmsg = round8(d->hdr + sizeof(float) * d->policy->count);
    if (d->rank > 0) d->lbuf = malloc(d->wmsg);
    else d->wbuf = malloc(d->wmsg * (size_t)(d->R - 1));
    if (d->rank > 0 ? !d->lbuf : !d->wbuf) { snprintf(err, errlen, "out of memory"); return -1; }
    return 0;
}

static void offp_dist_free(offp_dist* d) {
    if (!d) return;
    free(d->send); free(d->rew); free(d->term);
    free(d->ring); free(d->ring_req); free(d->lbuf);
    free(d->rbuf); free(d->wbuf); free(d->wreq); free(d->k);
    free(d);
}

int64_t* offp_dist_last_sync(offp_core* o) { return o->dist ? &o->dist->last_sync : NULL; }

static void collector_random_actions(offp_core* o, int n) {
    for (int i = 0; i < n * o->act_dim; i++)
        o->act[i] = o->discrete ? (float)acrl_rng_below(&o->rng, (uint64_t)o->n_actions)
                                : (float)acrl_rng_uniform(&o->rng, -1.0, 1.0);
}

/* A collector's train_freq vectorized steps with the actor it holds, as records into out. */
static void collector_fill(offp_core* o, void* self, const offp_hooks* h, acrl_collector* c, unsigned char* out) {
    offp_dist* d = o->dist;
    const int E = d->E, Ec = d->Ec, od = o->obs_dim, ad = o->act_dim, T = o->cfg.train_freq;
    const size_t nf = rec_floats(d, od, ad);
    const acrl_vecenv* v = c->venv;
    for (int s = 0; s < T; s++) {
        memcpy(o->obs, c->obs, sizeof(float) * (size_t)Ec * od);
        if (o->counters[1] * (int64_t)E < o->cfg.learning_starts) collector_random_actions(o, Ec);
        else h->explore(self, o->obs, Ec);
        offp_to_env(o, o->act, o->act_env, Ec);
        collector_step(c, o->act_env);
        float* f = (float*)(void*)(out + (size_t)s * d->rec);
        float *fo = f, *fa = fo + (size_t)Ec * od, *fr = fa + (size_t)Ec * ad, *fn = fr + Ec, *ft = fn + (size_t)Ec * od;
        double* fret = (double*)(void*)(out + (size_t)s * d->rec + 4 * nf);
        memcpy(fo, o->obs, sizeof(float) * (size_t)Ec * od);
        memcpy(fa, o->act, sizeof(float) * (size_t)Ec * ad);
        memcpy(fr, c->rewards, sizeof(float) * (size_t)Ec);
        for (int e = 0; e < Ec; e++) {
            const bool end = v->terminated[e] || v->truncated[e];
            memcpy(fn + (size_t)e * od, (end ? c->final_obs : c->obs) + (size_t)e * od, sizeof(float) * od);
            ft[e] = v->terminated[e];
            ft[Ec + e] = v->truncated[e];
            ft[2 * Ec + e] = end;
            ft[3 * Ec + e] = end ? (float)v->done_length[e] : 0;
            fret[e] = end ? v->done_return[e] : 0;
            if (end && h->episode_end) h->episode_end(self, e);
        }
        o->counters[1]++;
    }
}

/* The learner's gradient steps (steps of them), their metrics added into sums (M_COUNT + 1).
 * Under sync = 0 the learner answers its collectors between steps (learner_service). */
static int learner_service(offp_core* o, bool stopping, char* err, size_t errlen);

static int learner_train(offp_core* o, void* self, const offp_hooks* h, int64_t steps, double* sums, char* err,
                         size_t errlen) {
#if defined(__SSE__)
    const unsigned csr = _mm_getcsr();
    _mm_setcsr(csr | 0x8040u);
#endif
    int rc = 0;
    const bool async = o->dist && o->dist->async;
    for (int64_t k = 0; k < steps && !rc; k++) {
        rc = h->train_step(self, sums, err, errlen);
        if (!rc && async) rc = learner_service(o, false, err, errlen);
    }
#if defined(__SSE__)
    _mm_setcsr(csr);
#endif
    return rc ? -1 : 0;
}

/* m: the mean metrics of steps gradient steps whose sums learner_train added */
static void learner_metrics(const offp_core* o, const offp_hooks* h, int64_t steps, const double* sums, double* m) {
    for (int k = 0; k < M_COUNT; k++) m[k] = steps && (h->metrics >> k & 1u) ? sums[k] / (double)steps : NAN;
    m[M_POLICY_LOSS] = sums[OFFP_ACTOR_STEPS] > 0 ? sums[M_POLICY_LOSS] / sums[OFFP_ACTOR_STEPS] : NAN;
    if (steps) m[M_LR] = o->cfg.learning_rate;
}

static int offp_iterate_async(offp_core* o, void* self, const offp_hooks* h, acrl_collector* c, double* m, char* err,
                              size_t errlen);

static int offp_iterate_dist(offp_core* o, void* self, const offp_hooks* h, acrl_collector* c, double* m, char* err,
                             size_t errlen) {
    offp_dist* d = o->dist;
    const int E = d->E, Ec = d->Ec, od = o->obs_dim, ad = o->act_dim, T = o->cfg.train_freq;
    const size_t nf = rec_floats(d, od, ad);
    for (int k = 0; k < M_COUNT; k++) m[k] = NAN;
    if (d->async) return offp_iterate_async(o, self, h, c, m, err, errlen);
    if (d->rank > 0) { /* collector: T vectorized steps with the actor it holds */
        collector_fill(o, self, h, c, d->send);
        size_t counts[d->R];
        for (int k = 0; k < d->R; k++) counts[k] = k ? d->rec * (size_t)T : 0;
        if (comm_gather_counts(d->send, NULL, counts, err, errlen)) return -1;
    } else { /* learner: the collectors' steps, in copy order, into the replay buffer */
        size_t counts[d->R];
        for (int k = 0; k < d->R; k++) counts[k] = k ? d->rec * (size_t)T : 0;
        unsigned char* all = malloc(d->rec * (size_t)T * (size_t)(d->R - 1));
        if (!all) { snprintf(err, errlen, "out of memory"); return -1; }
        if (comm_gather_counts(NULL, all, counts, err, errlen)) { free(all); return -1; }
        const unsigned char* base = all;
        for (int s = 0; s < T; s++) {
            for (int k = 1; k < d->R; k++) {
                const unsigned char* r = base + (size_t)(k - 1) * d->rec * T + (size_t)s * d->rec;
                const float* f = (const float*)(const void*)r;
                const float *fo = f, *fa = fo + (size_t)Ec * od, *fr = fa + (size_t)Ec * ad, *fn = fr + Ec, *ft = fn + (size_t)Ec * od;
                size_t e0 = (size_t)(k - 1) * Ec;
                memcpy(o->obs + e0 * od, fo, sizeof(float) * (size_t)Ec * od);
                memcpy(o->act + e0 * ad, fa, sizeof(float) * (size_t)Ec * ad);
                memcpy(d->rew + e0, fr, sizeof(float) * (size_t)Ec);
                memcpy(o->next_obs + e0 * od, fn, sizeof(float) * (size_t)Ec * od);
                for (int e = 0; e < Ec; e++) {
                    d->term[e0 + e] = ft[e] != 0;
                    d->term[E + e0 + e] = ft[Ec + e] != 0;
                }
            }
            replay_add(&o->rb, o->obs, o->act, d->rew, o->next_obs, d->term, d->term + E);
            for (int k = 1; k < d->R; k++) { /* finished episodes into the log, in copy order */
                const unsigned char* r = base + (size_t)(k - 1) * d->rec * T + (size_t)s * d->rec;
                const float* ft = (const float*)(const void*)r + (size_t)Ec * (2 * (size_t)od + (size_t)ad + 1);
                const double* fret = (const double*)(const void*)(r + 4 * nf);
                for (int e = 0; e < Ec; e++)
                    if (ft[2 * Ec + e] != 0) collector_log_episode(c, fret[e], (int)ft[3 * Ec + e]);
            }
            o->counters[1]++;
        }
        free(all);
    }
    c->steps = (long)(o->counters[1] * (int64_t)E); /* env steps of all collectors */
    /* the actor to the collectors when due: before this iteration's updates, which the
     * collectors' next steps overlap. Due once learning has started, every
     * max(1, sync_interval / updates per iteration) iterations: every rank knows when. */
    int per_iter = o->cfg.gradient_steps < 0 ? o->cfg.train_freq : o->cfg.gradient_steps;
    int64_t every = d->sync_interval / per_iter > 1 ? d->sync_interval / per_iter : 1;
    int64_t iter = o->counters[1] / T;
    bool due = c->steps > o->cfg.learning_starts + (int64_t)T * E && iter % every == 0;
    if (due) {
        if (comm_bcast(d->policy->param, sizeof(float) * d->policy->count, 0, err, errlen)) return -1;
        if (d->rank == 0) d->last_sync = OFFP_UPDATES(o);
    }
    if (d->rank > 0) return 0;
    long need = o->cfg.learning_starts < o->cfg.batch_size ? o->cfg.learning_starts : o->cfg.batch_size;
    int steps = o->cfg.gradient_steps < 0 ? o->cfg.train_freq : o->cfg.gradient_steps;
    if (c->steps <= o->cfg.learning_starts || replay_size(&o->rb) < (need > 0 ? need : 1)) steps = 0;
    double sums[M_COUNT + 1] = {0};
    if (learner_train(o, self, h, steps, sums, err, errlen)) return -1;
    learner_metrics(o, h, steps, sums, m);
    return 0;
}

/* ---- sync = 0: asynchronous collectors ------------------------------------------------
 * Collectors step without waiting for the learner and send each batch of train_freq
 * vectorized steps as soon as it is full (non-blocking sends from a ring of buffers). The
 * learner adds whatever has arrived, in arrival order, and makes the updates the received env
 * steps S call for at the configured ratio, due(S) = G (floor(S / TE) - floor(learning_starts
 * / TE)) once S > learning_starts (G updates per T vectorized steps of all E copies: one
 * process's count); it waits for data only when it has made them all. Every sync_interval
 * updates it sends each collector its actor (non-blocking; a collector whose last message is
 * still in flight gets the newest actor when that one completes). Flow control: with its
 * messages the learner grants each collector credit, the batches it may have sent,
 * L0 + 1 + floor((U + max_lag * sync_interval) / G) after U updates; a collector without
 * credit waits for the learner's next message. So a collector's data runs at most max_lag
 * weight versions (plus one training phase) ahead of the updates. And the learner makes no
 * update that would put it more than max_lag * sync_interval + G updates past the actor that
 * chose any collector's last batch (it waits for that collector's next batch instead), so the
 * actor that chose a batch is at most that many updates old when it arrives, whatever the
 * number of collectors. Stop: the learner sends every collector a stop
 * message, then receives (and drops) what they still send until each has said it is done. */

static int64_t async_credit(const offp_dist* d, int64_t updates) {
    return d->L0 + 1 + (updates + (int64_t)d->max_lag * d->sync_interval) / d->G;
}

static int64_t async_due(const offp_core* o, const acrl_collector* c) {
    const offp_dist* d = o->dist;
    const int64_t TE = (int64_t)d->T * d->E, S = c->steps;
    return S > o->cfg.learning_starts ? (int64_t)d->G * (S / TE - o->cfg.learning_starts / TE) : 0;
}

/* Learner: a message to every collector that needs one and whose last one has left: a stop
 * (stopping), the actor when sync_interval updates passed since it last got one (and as the
 * first message, with the start batch), else new credit. */
static int learner_service(offp_core* o, bool stopping, char* err, size_t errlen) {
    offp_dist* d = o->dist;
    const int64_t U = OFFP_UPDATES(o), A = async_credit(d, U), si = d->sync_interval;
    for (int k = 0; k < d->R - 1; k++) {
        offp_dist_peer* p = &d->k[k];
        int done;
        if (comm_test(&d->wreq[k], &done, err, errlen)) return -1;
        if (!done || p->stop_sent) continue;
        int64_t* hd = (int64_t*)(void*)(d->wbuf + (size_t)k * d->wmsg);
        int type = stopping ? OFFP_MSG_STOP : p->sent_u < 0 || U / si > p->sent_u / si ? OFFP_MSG_WEIGHTS
                 : A > p->sent_credit ? OFFP_MSG_CREDIT : 0;
        if (!type) continue;
        size_t n = d->hdr;
        hd[0] = type;
        hd[1] = U;
        hd[2] = A;
        hd[3] = p->sent_u < 0 ? d->b0 : -1;
        hd[4] = hd[5] = 0;
        if (type == OFFP_MSG_WEIGHTS) {
            memcpy(d->wbuf + (size_t)k * d->wmsg + d->hdr, d->policy->param, sizeof(float) * d->policy->count);
            n += sizeof(float) * d->policy->count;
            if (p->sent_u < 0) p->ack = U;
            p->sent_u = U;
            d->last_sync = U;
        }
        if (type == OFFP_MSG_STOP) p->stop_sent = true;
        else p->sent_credit = A;
        if (comm_isend(hd, n, k + 1, OFFP_TAG_L2C, &d->wreq[k], err, errlen)) return -1;
    }
    return 0;
}

/* Learner: adds a data message's records (Ec copies each) to the buffer and the log. */
static void learner_add(offp_core* o, acrl_collector* c, int k, const unsigned char* msg) {
    offp_dist* d = o->dist;
    const int Ec = d->Ec, od = o->obs_dim, ad = o->act_dim;
    const size_t nf = rec_floats(d, od, ad);
    const int64_t* hd = (const int64_t*)(const void*)msg;
    for (int s = 0; s < d->T; s++) {
        const unsigned char* r = msg + d->hdr + (size_t)s * d->rec;
        const float* f = (const float*)(const void*)r;
        const float *fo = f, *fa = fo + (size_t)Ec * od, *fr = fa + (size_t)Ec * ad, *fn = fr + Ec, *ft = fn + (size_t)Ec * od;
        const double* fret = (const double*)(const void*)(r + 4 * nf);
        for (int e = 0; e < Ec; e++) {
            d->term[e] = ft[e] != 0;
            d->term[Ec + e] = ft[Ec + e] != 0;
        }
        replay_add(&o->rb, fo, fa, fr, fn, d->term, d->term + Ec);
        for (int e = 0; e < Ec; e++)
            if (ft[2 * Ec + e] != 0) collector_log_episode(c, fret[e], (int)ft[3 * Ec + e]);
        o->counters[1]++;
    }
    c->steps = (long)(o->counters[1] * (int64_t)Ec);
    d->k[k].received += (int64_t)d->T * Ec;
    d->k[k].ack = hd[2];
    const int64_t lag = OFFP_UPDATES(o) - hd[2];
    d->lag_sum += (double)lag;
    d->lag_n++;
    if (lag > d->lag_max) d->lag_max = lag;
}

/* Learner: receives every message that has arrived (with wait, at least one, waiting for it);
 * data is added, or dropped when stopping. */
static int learner_receive(offp_core* o, acrl_collector* c, bool wait, bool stopping, char* err, size_t errlen) {
    offp_dist* d = o->dist;
    const double t0 = comm_now();
    bool got = false;
    for (;;) {
        int from;
        size_t n;
        int p = comm_probe(-1, OFFP_TAG_C2L, &from, &n, err, errlen);
        if (p < 0) return -1;
        if (p == 0) {
            if (!wait || got) break;
            if (learner_service(o, stopping, err, errlen) ||
                comm_poll_wait(t0, "data from the collectors", err, errlen))
                return -1;
            continue;
        }
        if (from < 1 || from >= d->R || n < d->hdr || n > d->slot) {
            snprintf(err, errlen, "the learner received an unexpected message of %zu bytes from rank %d", n, from);
            return -1;
        }
        if (comm_recv(d->rbuf, n, from, OFFP_TAG_C2L, err, errlen)) return -1;
        const int64_t* hd = (const int64_t*)(const void*)d->rbuf;
        offp_dist_peer* pk = &d->k[from - 1];
        if (hd[0] == OFFP_MSG_DATA && n == d->slot) {
            if (stopping) pk->dropped += (int64_t)d->T * d->Ec;
            else learner_add(o, c, from - 1, d->rbuf);
        } else if (hd[0] == OFFP_MSG_DONE) {
            pk->done = true;
            pk->taken = hd[3];
            pk->wait_s = (double)hd[4] * 1e-6;
        } else if (hd[0] == OFFP_MSG_STOP_REQUEST) {
            d->stop_request = true;
        } else {
            snprintf(err, errlen, "the learner received a malformed message (type %lld, %zu bytes) from rank %d",
                     (long long)hd[0], n, from);
            return -1;
        }
        got = true;
    }
    if (wait) d->wait_s += comm_now() - t0;
    return 0;
}

/* Collector: applies every message of the learner that has arrived; 1 if any, 0 none. */
static int collector_poll(offp_core* o, char* err, size_t errlen) {
    offp_dist* d = o->dist;
    int got = 0;
    for (;;) {
        int from;
        size_t n;
        int p = comm_probe(0, OFFP_TAG_L2C, &from, &n, err, errlen);
        if (p <= 0) return p < 0 ? -1 : got;
        const size_t wn = d->hdr + sizeof(float) * d->policy->count;
        if (n != d->hdr && n != wn) {
            snprintf(err, errlen, "collector %d received an unexpected message of %zu bytes from the learner", d->rank, n);
            return -1;
        }
        if (comm_recv(d->lbuf, n, 0, OFFP_TAG_L2C, err, errlen)) return -1;
        const int64_t* hd = (const int64_t*)(const void*)d->lbuf;
        if (hd[3] >= 0 && !d->started) { /* the first message: where the run stands */
            d->batch = d->b0 = hd[3];
            o->counters[1] = hd[3] * d->T;
            if (hd[3] > 0) /* a resumed run: a fresh exploration stream */
                acrl_rng_seed2(&o->rng, d->seed, 4096u + (uint64_t)d->rank + 65536u * (uint64_t)hd[3]);
            d->started = true;
        }
        if (hd[0] == OFFP_MSG_STOP) d->stop = true;
        else {
            if (hd[2] > d->credit) d->credit = hd[2];
            if (n == wn) {
                memcpy(d->policy->param, d->lbuf + d->hdr, sizeof(float) * d->policy->count);
                d->version = hd[1];
            }
        }
        got = 1;
    }
}

/* Collector: steps and sends until the learner says stop, then lets the last sends complete
 * and says it is done. */
static int collector_run(offp_core* o, void* self, const offp_hooks* h, acrl_collector* c, char* err, size_t errlen) {
    offp_dist* d = o->dist;
    double t0 = comm_now(), waited = 0;
    while (!d->started && !d->stop) { /* the learner's first message */
        int p = collector_poll(o, err, errlen);
        if (p < 0 || (!p && comm_poll_wait(t0, "the learner's first message", err, errlen))) return -1;
    }
    int64_t* small = d->small;
    while (!d->stop) {
        if (collector_poll(o, err, errlen) < 0) return -1;
        if (d->stop) break;
        if (d->stop_flag && *d->stop_flag && !d->stop_requested) { /* a stop request (signal) to the learner */
            int done;
            if (comm_test(&d->small_req, &done, err, errlen)) return -1;
            if (done) {
                small[0] = OFFP_MSG_STOP_REQUEST;
                small[1] = d->batch;
                small[2] = d->version;
                small[3] = small[4] = small[5] = 0;
                if (comm_isend(small, d->hdr, 0, OFFP_TAG_C2L, &d->small_req, err, errlen)) return -1;
                d->stop_requested = true;
            }
        }
        if (d->batch >= d->credit) { /* ahead of the learner by max_lag versions: wait for it */
            const double tw = comm_now();
            int p;
            while ((p = collector_poll(o, err, errlen)) == 0)
                if (comm_poll_wait(tw, "the learner (credit to send more data)", err, errlen)) return -1;
            waited += comm_now() - tw;
            if (p < 0) return -1;
            continue;
        }
        const int i = (int)(d->batch % d->nb);
        const double tw = comm_now();
        for (;;) { /* the ring slot's last send has left */
            int done;
            if (comm_test(&d->ring_req[i], &done, err, errlen)) return -1;
            if (done) break;
            if (collector_poll(o, err, errlen) < 0) return -1;
            if (d->stop) break;
            if (comm_poll_wait(tw, "the learner to take data", err, errlen)) return -1;
        }
        waited += comm_now() - tw;
        if (d->stop) break;
        unsigned char* buf = d->ring + (size_t)i * d->slot;
        int64_t* hd = (int64_t*)(void*)buf;
        hd[0] = OFFP_MSG_DATA;
        hd[1] = d->batch;
        hd[2] = d->version;
        hd[3] = hd[4] = hd[5] = 0;
        collector_fill(o, self, h, c, buf + d->hdr);
        if (comm_isend(buf, d->slot, 0, OFFP_TAG_C2L, &d->ring_req[i], err, errlen)) return -1;
        d->batch++;
    }
    /* drain: the learner takes (and drops) what is in flight, then gets "done" */
    t0 = comm_now();
    for (int i = 0; i <= d->nb; i++) {
        comm_req* q = i < d->nb ? &d->ring_req[i] : &d->small_req;
        for (;;) {
            int done;
            if (comm_test(q, &done, err, errlen)) return -1;
            if (done) break;
            if (comm_poll_wait(t0, "the learner to take the last data", err, errlen)) return -1;
        }
    }
    small[0] = OFFP_MSG_DONE;
    small[1] = d->batch;
    small[2] = d->version;
    small[3] = (o->counters[1] - d->b0 * d->T) * d->Ec; /* this invocation's */
    small[4] = (int64_t)(waited * 1e6);
    small[5] = 0;
    if (comm_isend(small, d->hdr, 0, OFFP_TAG_C2L, &d->small_req, err, errlen)) return -1;
    for (;;) {
        int done;
        if (comm_test(&d->small_req, &done, err, errlen)) return -1;
        if (done) break;
        if (comm_poll_wait(t0, "the learner to take the last data", err, errlen)) return -1;
    }
    d->wait_s = waited;
    c->steps = (long)(o->counters[1] * (int64_t)d->Ec);
    return 0;
}

static int offp_iterate_async(offp_core* o, void* self, const offp_hooks* h, acrl_collector* c, double* m, char* err,
                              size_t errlen) {
    offp_dist* d = o->dist;
    if (offp_dist_async_buffers(d, err, errlen)) return -1;
    if (d->rank > 0) return collector_run(o, self, h, c, err, errlen);
    if (!d->started) { /* the collectors start at the batch the received steps reach */
        d->b0 = c->steps / ((int64_t)d->T * d->E);
        d->started = true;
    }
    if (learner_service(o, false, err, errlen) || learner_receive(o, c, false, false, err, errlen)) return -1;
    while (!d->stop_request && async_due(o, c) - d->skipped <= OFFP_UPDATES(o))
        if (learner_receive(o, c, true, false, err, errlen)) return -1;
    /* the updates the data calls for, never more than max_lag versions (+ G) past the actor a
     * collector last used: past that, wait for its next batch */
    const int64_t X = (int64_t)d->max_lag * d->sync_interval + d->G;
    double sums[M_COUNT + 1] = {0};
    int64_t done = 0;
    while (!d->stop_request) {
        int64_t steps = async_due(o, c) - d->skipped - OFFP_UPDATES(o);
        if (steps <= 0) break;
        /* a run resumed without its buffer skips the updates until it holds a batch again */
        long need = o->cfg.learning_starts < o->cfg.batch_size ? o->cfg.learning_starts : o->cfg.batch_size;
        if (replay_size(&o->rb) < (need > 0 ? need : 1)) { d->skipped += steps; break; }
        int64_t oldest = INT64_MAX;
        for (int k = 0; k < d->R - 1; k++) if (d->k[k].ack < oldest) oldest = d->k[k].ack;
        if (oldest + X - OFFP_UPDATES(o) < steps) steps = oldest + X - OFFP_UPDATES(o);
        if (steps > 0) {
            if (learner_train(o, self, h, steps, sums, err, errlen)) return -1;
            done += steps;
        } else if (learner_receive(o, c, true, false, err, errlen)) {
            return -1;
        }
    }
    learner_metrics(o, h, done, sums, m);
    return 0;
}

int offp_dist_finish(offp_core* o, acrl_collector* c, char* err, size_t errlen) {
    offp_dist* d = o->dist;
    if (!d || !d->async || d->rank != 0) return 0;
    if (offp_dist_async_buffers(d, err, errlen)) return -1;
    const double t0 = comm_now();
    for (;;) {
        if (learner_service(o, true, err, errlen) || learner_receive(o, c, false, true, err, errlen)) return -1;
        bool all = true;
        for (int k = 0; k < d->R - 1; k++) all = all && d->k[k].stop_sent && d->k[k].done;
        if (all) break;
        if (comm_poll_wait(t0, "the collectors to stop", err, errlen)) return -1;
    }
    for (int k = 0; k < d->R - 1; k++) { /* the stop messages have been taken */
        for (;;) {
            int done;
            if (comm_test(&d->wreq[k], &done, err, errlen)) return -1;
            if (done) break;
            if (comm_poll_wait(t0, "the collectors to stop", err, errlen)) return -1;
        }
    }
    return 0;
}

bool offp_dist_stop_requested(const offp_core* o) { return o->dist && o->dist->stop_request; }

void offp_dist_set_stop_flag(offp_core* o, volatile sig_atomic_t* flag) {
    if (o->dist) o->dist->stop_flag = flag;
}

void offp_dist_stats(const offp_core* o, offp_dist_info* s) {
    const offp_dist* d = o->dist;
    memset(s, 0, sizeof *s);
    if (!d) return;
    s->sync = d->async ? 0 : 1;
    s->collectors = d->R - 1;
    s->updates = OFFP_UPDATES(o);
    s->wait_s = d->wait_s;
    s->lag_mean = d->lag_n ? d->lag_sum / (double)d->lag_n : NAN;
    s->lag_max = d->lag_n ? d->lag_max : -1;
    for (int k = 0; k < d->R - 1 && k < OFFP_DIST_INFO_MAX; k++) {
        offp_dist_collector_info* ck = &s->c[k];
        if (d->async) {
            ck->received = d->k[k].received;
            ck->taken = d->k[k].taken;
            ck->dropped = d->k[k].dropped;
            ck->wait_s = d->k[k].wait_s;
        } else { /* the schedule: every collector's steps reach the learner */
            ck->received = ck->taken = o->counters[1] * d->Ec;
            ck->wait_s = NAN;
        }
    }
}

size_t offp_dist_part_bytes(const offp_core* o, const acrl_collector* c) {
    if (!o->dist || o->dist->rank == 0) return 0;
    return collector_state_bytes(c) + 48 + sizeof(float) * o->dist->policy->count + 8;
}

void offp_dist_part_save(const offp_core* o, const acrl_collector* c, void* buf) {
    if (!o->dist || o->dist->rank == 0) return;
    collector_state_save(c, buf);
    uint8_t* p = (uint8_t*)buf + collector_state_bytes(c);
    p = le_put_rng(p, &o->rng);
    p = le_put_f32s(p, o->dist->policy->param, o->dist->policy->count);
    le_put_i64(p, o->counters[1]);
}

int offp_dist_part_load(offp_core* o, acrl_collector* c, const void* buf, size_t len, char* err, size_t errlen) {
    if (len != offp_dist_part_bytes(o, c)) {
        snprintf(err, errlen, "checkpoint section 'dist.collectors': a collector's part has %zu bytes, expected %zu", len,
                 offp_dist_part_bytes(o, c));
        return -1;
    }
    if (collector_state_load(c, buf, collector_state_bytes(c), err, errlen)) return -1;
    const uint8_t* p = (const uint8_t*)buf + collector_state_bytes(c);
    if (le_get_rng(&p, &o->rng)) { snprintf(err, errlen, "checkpoint section 'dist.collectors': invalid generator"); return -1; }
    le_get_f32s(&p, o->dist->policy->param, o->dist->policy->count);
    o->counters[1] = le_get_i64(&p); /* vectorized steps: the schedule every rank follows */
    if (o->counters[1] < 0) { snprintf(err, errlen, "checkpoint section 'dist.collectors': negative step count"); return -1; }
    return 0;
}

/* ---- the tanh-squashed Gaussian actor ------------------------------------------------- */

void offp_gauss_head_split(const float* head, float* mean, float* ls_raw, float* ls, float ls_min, float ls_max,
                           int B, int D) {
    for (int b = 0; b < B; b++) {
        acrl_copy_floats(mean + (size_t)b * D, head + (size_t)b * 2 * D, (size_t)D);
        acrl_copy_floats(ls_raw + (size_t)b * D, head + (size_t)b * 2 * D + D, (size_t)D);
    }
    acrl_gauss_log_std(ls, ls_raw, false, ls_min, ls_max, B, D);
}

void offp_gauss_head_backward(float* dhead, float* dmean, float* dls, float* dls_raw, const float* g_act,
                              const float* g_logp, const float* mean, const float* ls, const float* ls_raw,
                              const float* eps, const double* keep, float ls_min, float ls_max, float scale, int B,
                              int D) {
    const size_t n = (size_t)B * D;
    memset(dmean, 0, sizeof(float) * n);
    memset(dls, 0, sizeof(float) * n);
    memset(dls_raw, 0, sizeof(float) * n);
    if (keep) acrl_squash_backward_kept(dmean, dls, g_act, g_logp, keep, eps, NULL, scale, B, D);
    else acrl_squash_backward(dmean, dls, g_act, g_logp, mean, ls, eps, NULL, scale, B, D);
    acrl_gauss_log_std_backward(dls_raw, dls, ls_raw, false, ls_min, ls_max, B, D);
    for (int i = 0; i < B; i++) {
        acrl_copy_floats(dhead + (size_t)i * 2 * D, dmean + (size_t)i * D, (size_t)D);
        acrl_copy_floats(dhead + (size_t)i * 2 * D + D, dls_raw + (size_t)i * D, (size_t)D);
    }
}

/* ---- warm start ------------------------------------------------------------------------- */

static void offp_fresh_optimizer(acrl_params* p) {
    if (!p->count) return;
    memset(p->m, 0, sizeof(float) * p->count);
    memset(p->v, 0, sizeof(float) * p->count);
    memset(p->grad, 0, sizeof(float) * p->count);
    p->step = 0;
}

int offp_pretrain(offp_learner* L, acrl_mlp* pi, int head_width, offp_critic* cr, acrl_pretrain_data* d, char* err,
                  size_t errlen) {
    offp_core* o = &L->core;
    if (o->discrete) {
        snprintf(err, errlen, "warm start: the action space is Discrete (a Box action space is needed)");
        return -1;
    }
    const int od = o->obs_dim, D = o->act_dim, W = head_width;
    int B = d->batch < o->max_batch ? d->batch : o->max_batch;
    if (B > cr->max_batch) B = cr->max_batch;
    float* obs = malloc(sizeof(float) * (size_t)B * (size_t)od);
    float* z = malloc(sizeof(float) * (size_t)B * (size_t)D);      /* action targets, learner units */
    float* qa = malloc(sizeof(float) * (size_t)B * (size_t)D);     /* learner-unit actions of the Q targets */
    float* dhead = calloc((size_t)B * (size_t)W, sizeof(float));
    float* dq = malloc(sizeof(float) * (size_t)B);
    int rc = 0;
    if (!obs || !z || !qa || !dhead || !dq) { snprintf(err, errlen, "out of memory"); rc = -1; goto done; }
    double la = 0, lc = 0;
    int tail = 0;
    for (int s = 0; s < d->steps; s++) {
        for (int b = 0; b < B; b++) {
            int k = (int)acrl_rng_below(d->rng, (uint64_t)d->n);
            memcpy(obs + (size_t)b * od, d->obs + (size_t)k * od, sizeof(float) * (size_t)od);
            for (int j = 0; j < D; j++) {
                /* the target in learner units [-1, 1], where tanh of the actor's output lies */
                float a = (d->act[(size_t)k * D + j] - o->act_bias[j]) / o->act_scale[j];
                z[(size_t)b * D + j] = fminf(fmaxf(a, -1.0f), 1.0f);
                float u = (d->q_act[(size_t)k * D + j] - o->act_bias[j]) / o->act_scale[j];
                qa[(size_t)b * D + j] = fminf(fmaxf(u, -1.0f), 1.0f);
            }
            dq[b] = d->q[k];
        }
        const float* head = acrl_mlp_forward(pi, &L->actor, obs, B);
        double sa = 0, sc = 0;
        for (int b = 0; b < B; b++)
            for (int j = 0; j < D; j++) {
                /* loss (tanh(h) - a)^2 in learner units: the deterministic action's error */
                float t = tanhf(head[(size_t)b * W + j]), e = t - z[(size_t)b * D + j];
                sa += (double)e * e;
                dhead[(size_t)b * W + j] = 2.0f * e * (1.0f - t * t) / (float)(B * D);
            }
        acrl_params_zero_grad(&L->actor);
        acrl_mlp_backward(pi, &L->actor, NULL, dhead);
        offp_adam(&L->actor, d->lr, o->cfg.adam_eps);
        offp_critic_input(cr, OFFP_IN_DATA, obs, qa, B, od, D);
        offp_critic_forward(cr, &L->critic, OFFP_IN_DATA, B);
        acrl_params_zero_grad(&L->critic);
        for (int i = 0; i < cr->n; i++) {
            float* g = cr->dout[i];
            for (int b = 0; b < B; b++) {
                float e = cr->out[i][b] - dq[b];
                sc += (double)e * e / cr->n;
                g[b] = 2.0f * e / (float)B;
            }
            offp_critic_backward(cr, &L->critic, i, g, NULL);
        }
        offp_adam(&L->critic, d->lr, o->cfg.adam_eps);
        if (!isfinite(sa) || !isfinite(sc)) {
            snprintf(err, errlen, "warm start: non-finite loss at step %d", s);
            rc = -1;
            goto done;
        }
        if (s >= d->steps - 100) { la += sa / (B * D); lc += sc / B; tail++; }
    }
    d->actor_loss = tail ? la / tail : NAN;
    d->critic_loss = tail ? lc / tail : NAN;
    if (L->actor_targ.count && acrl_params_copy(&L->actor_targ, &L->actor, err, errlen)) { rc = -1; goto done; }
    if (L->critic_targ.count && acrl_params_copy(&L->critic_targ, &L->critic, err, errlen)) { rc = -1; goto done; }
    offp_fresh_optimizer(&L->actor);
    offp_fresh_optimizer(&L->critic);
done:
    free(obs); free(z); free(qa); free(dhead); free(dq);
    return rc;
}
