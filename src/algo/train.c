/* The training loop every algorithm shares: configuration (preset, file, overrides),
 * run directory, collector, logs (progress.csv, TensorBoard, progress line), periodic
 * evaluation, checkpoints (last, best, final; exact resume) and summary.json. */
#include "acrl/train.h"
#include "util/sys.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "algo/agent.h"
#include "algo/algo.h"
#include "algo/qbias.h"
#include "util/datadir.h"
#include "algo/ckpt_policy.h"
#include "algo/offpolicy.h"
#include "algo/lqr.h"
#include "algo/plr.h"
#include "algo/dred.h"
#include "algo/ppo.h"
#include "acrl/maze.h"
#include "dist/comm.h"
#include "dist/layout.h"
#include "acrl/marl.h"
#include "io/le.h"

/* ---- run configuration: keys every algorithm has --------------------------------- */

typedef struct {
    int   n_envs;
    int   n_timesteps;
    float gamma;
    int   normalize;          /* observations */
    int   normalize_reward;
    float clip_obs, clip_reward;
    int   eval_freq;          /* env steps between evaluations (0 = only at the end) */
    int   n_eval_episodes;    /* episodes per periodic evaluation */
    int   checkpoint_freq;    /* env steps between last.ckpt writes (0 = only at the end) */
    int   log_freq;           /* env steps between progress rows */
    char  env_args[ACRL_CONFIG_STR_MAX]; /* env settings key=value,... (Portfolio-v0) */
    int   shards;             /* data-parallel shards (dist/layout.h); 1: the ordinary path */
    int   sync_interval;      /* off-policy under mpirun: learner updates between actor broadcasts */
    int   sync;               /* off-policy under mpirun: 1 lock-step schedule, 0 asynchronous collectors */
    int   max_lag;            /* sync = 0: weight versions a collector's data may run ahead of the learner */
    int   warm_start;         /* 0 none, 1 lqr (algo/lqr.h) */
    int   warm_start_samples; /* supervised targets drawn */
    int   warm_start_steps;   /* Adam steps of the pre-training */
    float warm_start_lr;
    float warm_start_radius;  /* scale of the sampling box around the equilibrium */
    int   level_replay;       /* 0 none (the env's uniform levels), 1 plr (algo/plr.h) */
    int   plr_score, plr_schedule;
    float plr_temperature, plr_staleness, plr_rho, plr_nu, plr_alpha;
    int   level_generator;    /* 0 none, 1 vae (DRED, algo/dred.h) */
    int   vae_levels, vae_latent, vae_hidden, vae_steps;
    int   critic_obs;         /* 0 obs, 1 state: the critics see the env's privileged state */
} run_config;

#define RUN_MAX_LAG_DEFAULT 4

static const char* const warm_start_names[] = {"none", "lqr", NULL};
static const char* const level_replay_names[] = {"none", "plr", NULL};
static const char* const plr_score_names[] = {"value_l1", "positive_value_loss", NULL};
static const char* const plr_schedule_names[] = {"proportionate", "fixed", NULL};
static const char* const level_generator_names[] = {"none", "vae", NULL};
static const char* const critic_obs_names[] = {"obs", "state", NULL};

/* a generated level in a checkpoint: w, h, sx, sy, gx, gy (uint8 each), then the w x h walls */
#define GEN_LEVEL_BYTES(S) (6 + (size_t)(S) * (size_t)(S))

#define F(k, t, lo, hi, h) {#k, ACRL_CFG_##t, offsetof(run_config, k), lo, hi, NULL, h}
static const acrl_config_entry run_table[] = {
    F(n_envs, INT, 1, 65536, "parallel env copies"),
    F(n_timesteps, INT, 1, 2e9, "total env steps of the run"),
    F(gamma, FLOAT, 0, 1, "discount factor"),
    F(normalize, BOOL, 0, 0, "normalize observations (running mean/std, shared by the copies)"),
    F(normalize_reward, BOOL, 0, 0, "scale rewards by the running std of the discounted return"),
    F(clip_obs, FLOAT, 0, 1e9, "clip normalized observations to +-clip_obs"),
    F(clip_reward, FLOAT, 0, 1e9, "clip scaled rewards to +-clip_reward"),
    F(eval_freq, INT, 0, 2e9, "env steps between evaluations (0: none during training)"),
    F(n_eval_episodes, INT, 1, 100000, "episodes per periodic evaluation"),
    F(checkpoint_freq, INT, 0, 2e9, "env steps between checkpoints (0: only at the end)"),
    F(log_freq, INT, 1, 2e9, "env steps between progress rows"),
    F(env_args, STRING, 0, 0, "env settings key=value,key=value (Portfolio-v0: data_path, assets, test_start, ...)"),
    F(shards, INT, 1, 65536, "ppo/a2c: gradient shards, as mpirun -n shards computes them (docs/distributed.md)"),
    F(sync_interval, INT, 1, 1e9, "off-policy under mpirun: learner updates between policy broadcasts to the collectors"),
    F(sync, BOOL, 0, 0, "off-policy under mpirun: 1 a fixed lock-step schedule (byte-identical reruns), 0 asynchronous "
      "collectors (docs/distributed.md)"),
    F(max_lag, INT, 1, 1e6, "sync = 0: weight versions (of sync_interval updates) a collector's data may run ahead of "
      "the learner's updates before it waits"),
    {"warm_start", ACRL_CFG_ENUM, offsetof(run_config, warm_start), 0, 0, warm_start_names,
     "none, or lqr: pre-train actor and critic towards the LQR solution at the env's equilibrium (docs/generalisation.md)"},
    F(warm_start_samples, INT, 1, 1e7, "warm start: supervised targets drawn around the equilibrium"),
    F(warm_start_steps, INT, 1, 1e7, "warm start: Adam steps (minibatches of 256) before RL"),
    F(warm_start_lr, FLOAT, 1e-8, 1, "warm start: Adam learning rate"),
    F(warm_start_radius, FLOAT, 1e-6, 100, "warm start: scale of the env's sampling box around the equilibrium"),
    {"level_replay", ACRL_CFG_ENUM, offsetof(run_config, level_replay), 0, 0, level_replay_names,
     "none, or plr: prioritized level replay over the env's training levels (ppo on Maze-v0; docs/generalisation.md)"},
    {"plr_score", ACRL_CFG_ENUM, offsetof(run_config, plr_score), 0, 0, plr_score_names,
     "plr: level score, mean |GAE| (value_l1) or mean max(GAE, 0) (positive_value_loss)"},
    F(plr_temperature, FLOAT, 1e-3, 100, "plr: rank prioritisation temperature beta (weights 1/rank^(1/beta))"),
    F(plr_staleness, FLOAT, 0, 1, "plr: staleness mixing coefficient rho"),
    {"plr_schedule", ACRL_CFG_ENUM, offsetof(run_config, plr_schedule), 0, 0, plr_schedule_names,
     "plr: proportionate (replay with probability = fraction seen) or fixed (new level with probability plr_nu)"},
    F(plr_rho, FLOAT, 0, 1, "plr: fraction of levels seen before replay starts"),
    F(plr_nu, FLOAT, 0, 1, "plr: fixed schedule: probability of a new level"),
    F(plr_alpha, FLOAT, 0, 1, "plr: score update S <- (1 - alpha) S + alpha S_new"),
    {"level_generator", ACRL_CFG_ENUM, offsetof(run_config, level_generator), 0, 0, level_generator_names,
     "none, or vae: DRED, levels generated by a VAE fitted to the training levels join them under level_replay = plr"},
    F(vae_levels, INT, 1, 100000, "vae: levels generated before training"),
    F(vae_latent, INT, 1, 256, "vae: latent size"),
    F(vae_hidden, INT, 1, 4096, "vae: hidden width of encoder and decoder"),
    F(vae_steps, INT, 1, 1e7, "vae: Adam steps (minibatches of 32, lr 1e-3) fitting the VAE"),
    {"critic_obs", ACRL_CFG_ENUM, offsetof(run_config, critic_obs), 0, 0, critic_obs_names,
     "obs, or state: the critics see the env's privileged state, the actor the observation (ppo, a2c, sac, td3, ddpg; "
     "docs/generalisation.md)"},
};
#undef F
#define RUN_KEYS ((int)(sizeof run_table / sizeof run_table[0]))

static void run_defaults(run_config* r) {
    r->n_envs = 1;
    r->n_timesteps = 1000000;
    r->gamma = 0.99f;
    r->clip_obs = 10.0f;
    r->clip_reward = 10.0f;
    r->eval_freq = 10000;
    r->n_eval_episodes = 10;
    r->checkpoint_freq = 100000;
    r->log_freq = 2048;
    r->shards = 1;
    r->sync_interval = 1;
    r->sync = 1;
    r->max_lag = RUN_MAX_LAG_DEFAULT;
    r->warm_start_samples = 8192;
    r->warm_start_steps = 2000;
    r->warm_start_lr = 1e-3f;
    r->warm_start_radius = 1.0f;
    r->plr_temperature = 0.1f;  /* the level-replay README's Procgen settings */
    r->plr_staleness = 0.1f;
    r->plr_rho = 1.0f;
    r->plr_nu = 0.5f;
    r->plr_alpha = 1.0f;
    r->vae_levels = 200;
    r->vae_latent = 16;
    r->vae_hidden = 128;
    r->vae_steps = 2000;
}

/* run_config and the algorithm's config in one block, described by one merged table */
typedef struct {
    const acrl_algo*   algo;
    acrl_config_entry* table;
    unsigned char*     block;    /* run_config, then the algorithm config at algo_off */
    size_t             algo_off;
} full_config;

static run_config* fc_run(const full_config* fc) { return (run_config*)fc->block; }
static void* fc_algo(const full_config* fc) { return fc->block + fc->algo_off; }

static void fc_free(full_config* fc) {
    free(fc->table);
    free(fc->block);
    memset(fc, 0, sizeof *fc);
}

static int fc_init(full_config* fc, const acrl_algo* algo, char* err, size_t errlen) {
    memset(fc, 0, sizeof *fc);
    fc->algo = algo;
    fc->algo_off = (sizeof(run_config) + 15) & ~(size_t)15;
    int na = 0;
    while (algo->cfg_table[na].key) na++;
    fc->block = calloc(1, fc->algo_off + algo->cfg_size);
    fc->table = calloc((size_t)(RUN_KEYS + na + 1), sizeof(acrl_config_entry));
    if (!fc->block || !fc->table) { fc_free(fc); snprintf(err, errlen, "out of memory"); return -1; }
    /* a run key the algorithm also has is the algorithm's (a3c's sync: its workers' mode; a3c
     * never runs under mpirun, where the run key sync applies) */
    int n = 0;
    for (int i = 0; i < RUN_KEYS; i++) {
        bool own = false;
        for (int j = 0; j < na && !own; j++) own = strcmp(run_table[i].key, algo->cfg_table[j].key) == 0;
        if (!own) fc->table[n++] = run_table[i];
    }
    for (int i = 0; i < na; i++) {
        fc->table[n] = algo->cfg_table[i];
        fc->table[n++].offset += fc->algo_off;
    }
    run_defaults(fc_run(fc));
    algo->cfg_defaults(fc_algo(fc));
    return 0;
}

/* Preset: configs/ALGO/ENV.ini in the presets dir (util/datadir.h: $ACRL_CONFIG_DIR, else
 * the source tree for an uninstalled build, else the installed one).
 * 1 found, 0 none, -1 a directory name too long for path (message in err). */
static int find_preset(const char* algo, const char* env, char* path, size_t len, char* err, size_t errlen) {
    char dir[4096];
    int fits = datadir_get(DATADIR_CONFIGS, dir, sizeof dir) == 0;
    int n = snprintf(path, len, "%s/%s/%s.ini", dir, algo, env);
    if (!fits || n < 0 || (size_t)n >= len) {
        snprintf(err, errlen, "preset path too long (at most %zu bytes) under %.80s", len - 1, dir);
        return -1;
    }
    if (access(dir, X_OK) != 0) /* no presets at all (a binary copied out of its build tree) */
        fprintf(stderr, "acrl: warning: no presets directory %s (set ACRL_CONFIG_DIR to the source tree's configs/ "
                        "or install acrl); %s on %s uses the algorithm's defaults\n", dir, algo, env);
    return access(path, R_OK) == 0;
}

int algo_full_config(const acrl_algo* algo, acrl_config_entry** table, void** block, char* err, size_t errlen) {
    full_config fc;
    if (fc_init(&fc, algo, err, errlen)) return -1;
    *table = fc.table;
    *block = fc.block;
    return 0;
}

static char* config_to_text(const full_config* fc) {
    char* buf = NULL;
    size_t len = 0;
    FILE* f = open_memstream(&buf, &len);
    if (!f) return NULL;
    /* the distributed keys at their defaults (shards = 1, sync_interval = 1, sync = 1, max_lag)
     * are left out, so that one-process runs write the configuration they always did */
    const run_config* rc = fc_run(fc);
    acrl_config_entry tmp[RUN_KEYS + 512];
    int k = 0;
    for (int i = 0; fc->table[i].key && k < (int)(sizeof tmp / sizeof tmp[0]) - 1; i++) {
        const acrl_config_entry* e = &fc->table[i];
        bool run_key = e->offset < fc->algo_off;
        if (run_key && ((e->offset == offsetof(run_config, shards) && rc->shards == 1) ||
                        (e->offset == offsetof(run_config, sync_interval) && rc->sync_interval == 1) ||
                        (e->offset == offsetof(run_config, sync) && rc->sync == 1) ||
                        (e->offset == offsetof(run_config, max_lag) && rc->max_lag == RUN_MAX_LAG_DEFAULT)))
            continue;
        tmp[k++] = *e;
    }
    tmp[k].key = NULL;
    acrl_config_entry* t = tmp;
    int bad = acrl_config_write(t, fc->block, f);
    if (fclose(f) || bad) { free(buf); return NULL; } /* a failed write (out of memory) */
    return buf;
}


/* ---- public helpers ------------------------------------------------------------ */

acrl_train_options acrl_train_options_default(void) {
    acrl_train_options o;
    memset(&o, 0, sizeof o);
    o.threads = 0; /* chosen per run: both cores where they pay */
    o.eval_episodes = 20;
    return o;
}

const char* const* acrl_algo_names(void) {
    static const char* names[16];
    for (int i = 0; acrl_algos[i] && i < 15; i++) names[i] = acrl_algos[i]->name;
    return names;
}

int acrl_algo_describe(const char* name, void* f) {
    if (acrl_marl_algo_exists(name)) {
        fprintf(f, "%s: %s\n", name, strcmp(name, "mappo") == 0
                    ? "multi-agent PPO with a centralised critic on the global state (docs/multiagent.md)"
                    : strcmp(name, "cabn") == 0
                    ? "MAPPO with actions along a learned agent graph (CA-BN; docs/multiagent.md)"
                    : "independent PPO per agent, critics on the agents' own observations (docs/multiagent.md)");
        return acrl_marl_describe(name, f);
    }
    const acrl_algo* a = acrl_algo_find(name);
    if (!a) return -1;
    full_config fc;
    char err[ACRL_ERRLEN];
    if (fc_init(&fc, a, err, sizeof err)) return -1;
    fprintf(f, "%s: %s\n", a->name, a->summary);
    acrl_config_describe(fc.table, fc.block, f);
    fc_free(&fc);
    return 0;
}

/* ---- evaluation ------------------------------------------------------------------ */

static void clip_box(const acrl_space* s, float* a) {
    if (s->kind != ACRL_SPACE_BOX) return;
    for (int j = 0; j < s->dim; j++) a[j] = a[j] < s->low[j] ? s->low[j] : a[j] > s->high[j] ? s->high[j] : a[j];
}

/* Runs episodes with seeds seed, seed+1, ... and writes the mean/std of the returns. */
static int evaluate_costs(const acrl_algo* algo, void* learner, const acrl_collector* c, const char* env_id,
                          int episodes, uint64_t seed, bool stochastic, double* mean, double* std,
                          double* cost_mean, char* err, size_t errlen) {
    acrl_env_options eo = acrl_env_options_default();
    if (c->env_args[0]) eo.env_args = c->env_args;
    acrl_env* env = acrl_env_make(env_id, &eo, err, errlen);
    if (!env) return -1;
    const int K = acrl_env_num_costs(env);
    const double* costs = acrl_env_costs(env);
    double csum[ACRL_MAX_COSTS] = {0};
    int od = env->obs_space.dim, ad = env->act_space.dim;
    float raw[od], obs[od], act[ad > 0 ? ad : 1];
    double s = 0, s2 = 0;
    for (int ep = 0; ep < episodes; ep++) {
        acrl_env_reset(env, (int64_t)(seed + (uint64_t)ep), raw);
        double ret = 0;
        bool term = false, trunc = false;
        while (!term && !trunc) {
            collector_normalize_obs(c, raw, obs, 1);
            algo->act(learner, obs, 1, act, !stochastic);
            clip_box(&env->act_space, act);
            double r;
            acrl_env_step(env, act, raw, &r, &term, &trunc);
            ret += r;
            for (int k = 0; k < K; k++) csum[k] += costs[k];
        }
        s += ret;
        s2 += ret * ret;
    }
    acrl_env_close(env);
    if (cost_mean)
        for (int k = 0; k < ACRL_MAX_COSTS; k++) cost_mean[k] = k < K ? csum[k] / episodes : NAN;
    *mean = s / episodes;
    double var = s2 / episodes - *mean * *mean;
    *std = var > 0 ? sqrt(var) : 0.0;
    return 0;
}

static int evaluate(const acrl_algo* algo, void* learner, const acrl_collector* c, const char* env_id,
                    int episodes, uint64_t seed, bool stochastic, double* mean, double* std,
                    char* err, size_t errlen) {
    return evaluate_costs(algo, learner, c, env_id, episodes, seed, stochastic, mean, std, NULL, err, errlen);
}

/* ---- the run ------------------------------------------------------------------------ */

/* Counters that evolve and belong in checkpoints (no wall-clock values: a resumed run
 * must write byte-identical checkpoints). */
typedef struct {
    int64_t steps, iterations, next_eval, next_log, next_ckpt, total_steps;
    int64_t first_solved_step;     /* -1: not yet */
    double  best_eval;
    uint64_t seed;
    int32_t num_envs, pad;
} run_state;

/* The "run" section: int64 steps, iterations, next_eval, next_log, next_ckpt, total_steps,
 * first_solved_step, float64 best_eval, uint64 seed, int32 num_envs, 4 zero bytes (x86-64's
 * layout of run_state, which format version 1 stored as is). */
#define RUN_STATE_BYTES 80

static void run_state_encode(uint8_t* p, const run_state* s) {
    const int64_t v[7] = {s->steps, s->iterations, s->next_eval, s->next_log, s->next_ckpt, s->total_steps,
                          s->first_solved_step};
    for (int i = 0; i < 7; i++) p = le_put_i64(p, v[i]);
    p = le_put_f64(p, s->best_eval);
    p = le_put_u64(p, s->seed);
    p = le_put_i32(p, s->num_envs);
    le_put_i32(p, 0);
}

/* Decodes and checks the "run" section; -1 + message naming it. */
static int run_state_decode(const acrl_ckpt* ck, run_state* s, char* err, size_t errlen) {
    const uint8_t* p = acrl_ckpt_get(ck, "run", RUN_STATE_BYTES, err, errlen);
    if (!p) return -1;
    int64_t v[7];
    for (int i = 0; i < 7; i++) v[i] = le_get_i64(&p);
    *s = (run_state){v[0], v[1], v[2], v[3], v[4], v[5], v[6], 0, 0, 0, 0};
    s->best_eval = le_get_f64(&p);
    s->seed = le_get_u64(&p);
    s->num_envs = le_get_i32(&p);
    if (s->steps < 0 || s->iterations < 0 || s->total_steps < 1 || s->first_solved_step < -1 || s->num_envs < 1 ||
        isnan(s->best_eval)) {
        snprintf(err, errlen, "checkpoint section 'run' holds invalid counters");
        return -1;
    }
    return 0;
}

typedef struct {
    const acrl_algo* algo;
    void*            learner;
    acrl_collector*  col;
    full_config      fc;
    char*            config_text;
    run_state        st;
    bool             dist;       /* a training run: under mpirun, one of comm_size() ranks */
    acrl_layout      lay;        /* its layout (shards = 1: unsharded) */
    bool             offdist;    /* off-policy under mpirun: rank 0 learns, the others collect */
    void*            extra;      /* offdist, rank 0 while writing a checkpoint: the collectors' parts */
    size_t           extra_len;
    acrl_plr*        plr;        /* level_replay = plr, else NULL */
    bool*            plr_done;   /* (T, E) episode ends of the last rollout */
    bool*            plr_d;      /* (E) scratch of the step hook */
    int*             plr_next;   /* (E) */
    int              maze_size;  /* the env's level settings (level replay) */
    double           maze_density;
    int              n_train;    /* training levels; PLR's levels n_train.. are gen[] */
    acrl_maze_level* gen;        /* level_generator = vae: the generated levels (n_gen) */
    int              n_gen;
    int              threads;    /* threads in use (--threads, or chosen when it is 0) */
} run;

/* ---- --threads 0 (the default): both cores where they pay ----------------------------
 * Results never depend on the thread count (the update lanes and the env-stepping slices
 * combine in a fixed order), so the choice only changes speed. From docs/benchmarks.md
 * ("Threads"): the off-policy algorithms whose update has two lanes (twin critics, or the
 * critic beside its target) gain 1.3x at 64x64 and 1.6x at 256x256 on 2 cores; DDPG's one
 * critic gains a few percent. Env-stepping threads pay when one env step costs more than
 * the hand-off between threads (a few microseconds): MuJoCo tasks (20-60 us per step) yes,
 * classic control (under 1 us) no. So: 1 thread on a single CPU or under mpirun/shards (the
 * ranks use the cores); 2 for the two-lane off-policy algorithms; otherwise 2 when there are
 * at least 2 env copies and a probe of the env measures at least AUTO_THREADS_STEP_US per step
 * (its fastest batch: robust to this process being preempted during the probe). */
#define AUTO_THREADS_STEP_US 10.0

/* Microseconds per step of one copy of env_id: the fastest of 8 batches of 10 steps of
 * uniform random actions after a seeded reset (the minimum, so that a preemption of this
 * process during the probe does not count); NAN if the env cannot be made. */
static double env_step_us(const char* env_id, const char* env_args) {
    char err[ACRL_ERRLEN];
    acrl_env_options eo = acrl_env_options_default();
    eo.env_args = env_args;
    acrl_env* e = acrl_env_make(env_id, &eo, err, sizeof err);
    if (!e) return NAN;
    const acrl_space* as = &e->act_space;
    float* obs = calloc((size_t)e->obs_space.dim + 1, sizeof(float));
    float* act = calloc((size_t)as->dim + 1, sizeof(float));
    double us = NAN;
    if (obs && act) {
        acrl_rng rng;
        acrl_rng_seed2(&rng, 0, 77);
        acrl_env_reset(e, 0, obs);
        for (int batch = 0; batch < 8; batch++) {
            const double t0 = acrl_now_s();
            for (int i = 0; i < 10; i++) {
                for (int j = 0; j < (as->kind == ACRL_SPACE_DISCRETE ? 1 : as->dim); j++)
                    act[j] = as->kind == ACRL_SPACE_DISCRETE ? (float)acrl_rng_below(&rng, (uint64_t)as->n)
                                                             : (float)acrl_rng_uniform(&rng, as->low[j], as->high[j]);
                double rew;
                bool term, trunc;
                acrl_env_step(e, act, obs, &rew, &term, &trunc);
                if (term || trunc) acrl_env_reset(e, -1, obs);
            }
            const double b = (acrl_now_s() - t0) / 10 * 1e6;
            if (!(us <= b)) us = b;
        }
    }
    free(obs);
    free(act);
    acrl_env_close(e);
    return us;
}

static int auto_threads(const acrl_algo* algo, const char* env_id, const char* env_args, int n_envs, bool ranks) {
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (ncpu < 2 || ranks) return 1;
    static const char* const two_lane[] = {"sac", "td3", "pmoe", "dsact", "stac", "sac-lag", NULL};
    for (int i = 0; two_lane[i]; i++)
        if (strcmp(algo->name, two_lane[i]) == 0) return 2;
    if (n_envs < 2) return 1;
    double us = env_step_us(env_id, env_args);
    return us >= AUTO_THREADS_STEP_US ? 2 : 1;
}

static int run_ranks(const run* r) { return r->dist ? comm_size() : 1; }
static int run_rank(const run* r) { return r->dist ? comm_rank() : 0; }

/* Rank 0's code, given to every rank of a distributed run; the others get an empty message
 * (rank 0 reports the error). Returns the code. */
static int sync_code(const run* r, int code, char* err, size_t errlen) {
    if (run_ranks(r) == 1) return code;
    int32_t c = code;
    char e[ACRL_ERRLEN] = "";
    if (comm_bcast(&c, sizeof c, 0, e, sizeof e)) { snprintf(err, errlen, "%s", e); return ACRL_ERR_RUNTIME; }
    if (run_rank(r) != 0 && c != ACRL_OK) err[0] = 0;
    return c;
}

/* Whether any rank failed (code != OK). Only rank 0, or a rank that failed alone, keeps its
 * message: the others get an empty one. */
static int agree_code(const run* r, int code, char* err, size_t errlen) {
    if (run_ranks(r) == 1) return code;
    int R = run_ranks(r);
    uint8_t mine = code != ACRL_OK, all[R];
    char e[ACRL_ERRLEN] = "";
    if (comm_allgather(&mine, 1, all, e, sizeof e)) { snprintf(err, errlen, "%s", e); return ACRL_ERR_RUNTIME; }
    int any = 0;
    for (int k = 0; k < R; k++) any |= all[k];
    if (any && code == ACRL_OK) { err[0] = 0; return ACRL_ERR_RUNTIME; }
    if (code != ACRL_OK && run_rank(r) != 0 && all[0]) err[0] = 0; /* rank 0 failed as well and reports */
    return code;
}

static int ckpt_assemble(run* r, const char* dir, const char* name, void* cbuf, size_t cn, char* err, size_t errlen);

/* Data-parallel runs: every rank's CRC-32C of the learner's parameters and optimizer state;
 * -1 with a message naming the ranks that differ from rank 0 (they must all be identical
 * after every update). *crc: rank 0's. */
static int check_params_synced(run* r, uint32_t* crc, char* err, size_t errlen) {
    const acrl_params* p = r->algo->params(r->learner);
    uint32_t c = acrl_crc32c(0, p->param, sizeof(float) * p->count);
    if (p->m) c = acrl_crc32c(c, p->m, sizeof(float) * p->count);
    if (p->v) c = acrl_crc32c(c, p->v, sizeof(float) * p->count);
    int R = run_ranks(r);
    uint32_t all[R];
    if (comm_allgather(&c, sizeof c, all, err, errlen)) return -1;
    *crc = all[0];
    for (int k = 1; k < R; k++)
        if (all[k] != all[0]) {
            snprintf(err, errlen, "ranks hold different parameters: rank 0 crc32c %08x, rank %d %08x", all[0], k, all[k]);
            return -1;
        }
    return 0;
}

static int write_ckpt(run* r, const char* dir, const char* name, char* err, size_t errlen) {
    size_t cn;
    void* cbuf;
    if (layout_sharded(r->col->layout)) {
        uint32_t crc;
        if (run_ranks(r) > 1 && check_params_synced(r, &crc, err, errlen)) return -1;
        /* every rank's part to rank 0, which alone writes (collective) */
        size_t pn = collector_part_bytes(r->col), counts[run_ranks(r)];
        void* part = malloc(pn);
        if (!part) { snprintf(err, errlen, "out of memory"); return -1; }
        collector_part_save(r->col, part);
        void* all = NULL;
        int g = comm_gatherv(part, pn, &all, counts, err, errlen);
        free(part);
        if (g) return -1;
        if (run_rank(r) != 0) return sync_code(r, ACRL_OK, err, errlen) == ACRL_OK ? 0 : -1;
        cn = collector_global_bytes(r->col);
        cbuf = malloc(cn);
        if (!cbuf) { free(all); snprintf(err, errlen, "out of memory"); sync_code(r, ACRL_ERR_RUNTIME, err, errlen); return -1; }
        collector_merge_parts(r->col, all, cbuf);
        free(all);
    } else if (r->offdist && r->lay.sync == 0) {
        /* asynchronous collectors: the learner writes its own state alone */
        if (run_rank(r) != 0) return 0;
        cn = collector_state_bytes(r->col);
        cbuf = malloc(cn);
        if (!cbuf) { snprintf(err, errlen, "out of memory"); return -1; }
        collector_state_save(r->col, cbuf);
        return ckpt_assemble(r, dir, name, cbuf, cn, err, errlen);
    } else if (r->offdist) {
        /* the collectors' parts to rank 0 (collective) */
        offp_core* o = r->learner;
        size_t pn = offp_dist_part_bytes(o, r->col), counts[run_ranks(r)];
        void* part = malloc(pn ? pn : 1);
        if (!part) { snprintf(err, errlen, "out of memory"); return -1; }
        offp_dist_part_save(o, r->col, part);
        void* all = NULL;
        int g = comm_gatherv(part, pn, &all, counts, err, errlen);
        free(part);
        if (g) return -1;
        if (run_rank(r) != 0) return sync_code(r, ACRL_OK, err, errlen) == ACRL_OK ? 0 : -1;
        size_t tot = 0;
        for (int k = 0; k < run_ranks(r); k++) tot += counts[k];
        r->extra = all;
        r->extra_len = tot;
        cn = collector_state_bytes(r->col);
        cbuf = malloc(cn);
        if (!cbuf) { snprintf(err, errlen, "out of memory"); sync_code(r, ACRL_ERR_RUNTIME, err, errlen); return -1; }
        collector_state_save(r->col, cbuf);
    } else {
        cn = collector_state_bytes(r->col);
        cbuf = malloc(cn);
        if (!cbuf) { snprintf(err, errlen, "out of memory"); return -1; }
        collector_state_save(r->col, cbuf);
    }
    int code = ckpt_assemble(r, dir, name, cbuf, cn, err, errlen);
    free(r->extra);
    r->extra = NULL;
    return (layout_sharded(r->col->layout) || r->offdist) &&
                   sync_code(r, code ? ACRL_ERR_RUNTIME : ACRL_OK, err, errlen) != ACRL_OK ? -1 : code;
}

/* Rank 0 (or the only process): the checkpoint file with collector snapshot cbuf (freed). */
static int ckpt_assemble(run* r, const char* dir, const char* name, void* cbuf, size_t cn, char* err, size_t errlen) {
    char path[1200];
    if (acrl_path_join(path, sizeof path, dir, name, err, errlen)) { free(cbuf); return -1; }
    acrl_ckpt_writer* w = acrl_ckpt_begin(r->algo->name, r->col->venv->envs[0]->id);
    if (!w) { free(cbuf); snprintf(err, errlen, "out of memory"); return -1; }
    uint8_t st[RUN_STATE_BYTES];
    run_state_encode(st, &r->st);
    int rc = acrl_ckpt_add(w, "config", r->config_text, strlen(r->config_text));
    rc = rc || acrl_ckpt_add_copy(w, "run", st, sizeof st);
    rc = rc || acrl_ckpt_add(w, "collector", cbuf, cn);
    rc = rc || r->algo->save(r->learner, w);
    if (r->gen) {
        const int S = r->maze_size;
        size_t gn = GEN_LEVEL_BYTES(S) * (size_t)r->n_gen;
        uint8_t* gb = malloc(gn);
        for (int k = 0; gb && k < r->n_gen; k++) {
            const acrl_maze_level* l = &r->gen[k];
            uint8_t* q = gb + GEN_LEVEL_BYTES(S) * (size_t)k;
            q[0] = (uint8_t)l->w; q[1] = (uint8_t)l->h; q[2] = (uint8_t)l->sx; q[3] = (uint8_t)l->sy;
            q[4] = (uint8_t)l->gx; q[5] = (uint8_t)l->gy;
            memcpy(q + 6, l->wall, (size_t)S * (size_t)S);
        }
        rc = rc || !gb || acrl_ckpt_add_copy(w, "dred.levels", gb, gn);
        free(gb);
    }
    if (r->plr) {
        size_t pn = plr_state_bytes(r->plr);
        void* pb = malloc(pn);
        if (pb) plr_state_save(r->plr, pb);
        rc = rc || !pb || acrl_ckpt_add_copy(w, "plr", pb, pn);
        free(pb);
    }
    if (r->offdist) { /* "dist": int64 ranks, learner updates at the last broadcast */
        int64_t dv[2] = {run_ranks(r), *offp_dist_last_sync(r->learner)};
        rc = rc || algo_save_i64s(w, "dist", dv, 2) ||
             (r->lay.sync && acrl_ckpt_add(w, "dist.collectors", r->extra, r->extra_len));
    }
    if (rc) { acrl_ckpt_abort(w); free(cbuf); snprintf(err, errlen, "cannot assemble checkpoint %s", path); return -1; }
    rc = acrl_ckpt_commit(w, path, err, errlen);
    free(cbuf);
    return rc;
}

static void run_free(run* r) {
    if (r->plr) plr_free(r->plr);
    free(r->plr);
    free(r->plr_done);
    free(r->plr_d);
    free(r->plr_next);
    free(r->gen);
    if (r->learner) r->algo->destroy(r->learner);
    collector_free(r->col);
    fc_free(&r->fc);
    free(r->config_text);
}

/* Builds config, collector and learner; from a checkpoint when ck is not NULL (a full one,
 * or a policy-only one, which restores only what acting needs). Every section is checked
 * for presence and size before use. */
static int run_configure(run* r, acrl_train_options* o, const acrl_ckpt* ck, char* err, size_t errlen);
static int run_build(run* r, acrl_train_options* o, const acrl_ckpt* ck, char* err, size_t errlen);

static int run_setup(run* r, acrl_train_options* o, const acrl_ckpt* ck, char* err, size_t errlen) {
    int code = run_configure(r, o, ck, err, errlen);
    if (run_ranks(r) > 1) { /* rank 0 read the configuration: every rank takes its text */
        code = sync_code(r, code, err, errlen);
        if (code != ACRL_OK) return code;
        char* text = run_rank(r) == 0 ? config_to_text(&r->fc) : NULL;
        size_t n = text ? strlen(text) : 0;
        if (run_rank(r) == 0 && !text) code = ACRL_ERR_RUNTIME;
        code = sync_code(r, code, err, errlen);
        if (code != ACRL_OK) return code;
        if (comm_bcast_var((void**)&text, &n, 0, err, errlen)) return ACRL_ERR_RUNTIME;
        if (run_rank(r) != 0 && acrl_config_load_text(r->fc.table, r->fc.block, text, n, "rank 0's configuration", err, errlen))
            code = ACRL_ERR_INPUT;
        free(text);
        code = agree_code(r, code, err, errlen);
    }
    if (code != ACRL_OK) return code;
    return agree_code(r, run_build(r, o, ck, err, errlen), err, errlen);
}

/* Algorithm, env and configuration (in a distributed run, rank 0 reads the files). */
static int run_configure(run* r, acrl_train_options* o, const acrl_ckpt* ck, char* err, size_t errlen) {
    const char* algo_name = ck ? acrl_ckpt_algo(ck) : o->algo;
    const char* env_id = ck ? acrl_ckpt_env_id(ck) : o->env_id;
    r->algo = acrl_algo_find(algo_name);
    if (!r->algo) {
        char list[256] = "";
        for (int i = 0; acrl_algos[i]; i++) {
            strcat(list, i ? ", " : "");
            strcat(list, acrl_algos[i]->name);
        }
        snprintf(err, errlen, "unknown algorithm '%s' (valid: %s)", algo_name, list);
        return ACRL_ERR_INPUT;
    }
    if (!acrl_env_spec_find(env_id)) {
        acrl_env_options eo = acrl_env_options_default();
        acrl_env_make(env_id, &eo, err, errlen); /* for the message listing the valid ids */
        return ACRL_ERR_INPUT;
    }
    if (fc_init(&r->fc, r->algo, err, errlen)) return ACRL_ERR_RUNTIME;
    run_config* rc = fc_run(&r->fc);
    if (ck) {
        size_t n;
        const char* text = acrl_ckpt_get_var(ck, "config", &n, err, errlen);
        if (!text) return ACRL_ERR_INPUT;
        if (acrl_config_load_text(r->fc.table, r->fc.block, text, n, "checkpoint config", err, errlen))
            return ACRL_ERR_INPUT;
    } else if (run_rank(r) == 0) {
        char path[1024];
        /* the preset, unless the user brings a config file of their own */
        int preset = o->config_file ? 0 : find_preset(r->algo->name, env_id, path, sizeof path, err, errlen);
        if (preset < 0) return ACRL_ERR_INPUT;
        if (preset && acrl_config_load_file(r->fc.table, r->fc.block, path, err, errlen)) return ACRL_ERR_INPUT;
        if (o->config_file && acrl_config_load_file(r->fc.table, r->fc.block, o->config_file, err, errlen))
            return ACRL_ERR_INPUT;
        for (int i = 0; i < o->n_overrides; i++)
            if (acrl_config_parse_override(r->fc.table, r->fc.block, o->overrides[i], err, errlen)) {
                if (strncmp(o->overrides[i], "save_buffer=", 12) == 0)
                    snprintf(err, errlen, "%s has no replay buffer: --save-buffer (save_buffer) applies to the "
                             "off-policy algorithms", r->algo->name);
                return ACRL_ERR_INPUT;
            }
        if (o->num_envs > 0) rc->n_envs = o->num_envs;
        if (o->steps > 0) {
            if (o->steps > 2000000000L) { snprintf(err, errlen, "--steps %ld is too large", o->steps); return ACRL_ERR_INPUT; }
            rc->n_timesteps = (int)o->steps;
        }
    }
    return ACRL_OK;
}

/* Layout, collector and learner, restored from ck when given. */
static int run_build(run* r, acrl_train_options* o, const acrl_ckpt* ck, char* err, size_t errlen) {
    run_config* rc = fc_run(&r->fc);
    const char* env_id = ck ? acrl_ckpt_env_id(ck) : o->env_id;
    int R = run_ranks(r);
    const char* a = r->algo->name;
    bool onp = strcmp(a, "ppo") == 0 || strcmp(a, "a2c") == 0;
    r->offdist = R > 1 && r->algo->qvalue; /* the off-policy algorithms (their learners begin with an offp_learner) */
    bool policy_only_ck = ck && policy_ckpt_is(ck);
    if (r->offdist) {
        if (rc->shards > 1) {
            snprintf(err, errlen, "shards applies to ppo and a2c; under mpirun %s runs one learner (rank 0) and %d "
                     "collectors", a, R - 1);
            return ACRL_ERR_INPUT;
        }
        if (rc->normalize || rc->normalize_reward) {
            snprintf(err, errlen, "normalize and normalize_reward are not supported by %s under mpirun (each collector "
                     "would keep its own statistics)", a);
            return ACRL_ERR_INPUT;
        }
        if (ck && !policy_only_ck) {
            size_t n;
            const void* dsec = acrl_ckpt_section(ck, "dist", &n);
            int64_t dv[2] = {1, 0};
            if (dsec && algo_load_i64s(ck, "dist", dv, 2, err, errlen)) return ACRL_ERR_INPUT;
            if (dv[0] != R) {
                snprintf(err, errlen, "the checkpoint was written by %s%lld process%s; this run has %d ranks (mpirun -n "
                         "%d): resume it with the same count", dsec ? "mpirun with " : "", (long long)dv[0],
                         dv[0] == 1 ? "" : "es", R, R);
                return ACRL_ERR_INPUT;
            }
        }
        if (layout_make_offpolicy(&r->lay, rc->n_envs, R, run_rank(r), rc->sync_interval, err, errlen))
            return ACRL_ERR_INPUT;
        r->lay.sync = rc->sync;
        r->lay.max_lag = rc->max_lag;
        char ns[32] = "";
        for (int i = 0; r->fc.table[i].key; i++)
            if (strcmp(r->fc.table[i].key, "n_step") == 0) acrl_config_format_value(&r->fc.table[i], r->fc.block, ns, sizeof ns);
        if (rc->sync == 0 && R > 2 && ns[0] && strcmp(ns, "1") != 0) {
            snprintf(err, errlen, "n_step = %s does not combine with sync = 0 and %d collectors (their steps reach the "
                     "learner's buffer interleaved); use n_step = 1, sync = 1 or one collector", ns, R - 1);
            return ACRL_ERR_INPUT;
        }
    } else if (rc->sync == 0 || rc->max_lag != RUN_MAX_LAG_DEFAULT) {
        /* sync = 0 only has a meaning for the off-policy learner and its collectors */
        bool sync_key = rc->sync == 0;
        if (!ck) { /* (a checkpoint of such a run is evaluated or exported as it is; resumed: below) */
            snprintf(err, errlen, "%s applies to the off-policy algorithms under mpirun with several ranks (one learner, "
                     "collectors)%s", sync_key ? "sync = 0 (asynchronous collectors)" : "max_lag",
                     R > 1 ? "; not to ppo and a2c, whose ranks compute every update together" : "; this run has one process");
            return ACRL_ERR_INPUT;
        }
    }
    if (r->offdist && rc->sync == 1 && rc->max_lag != RUN_MAX_LAG_DEFAULT) {
        snprintf(err, errlen, "max_lag = %d applies with sync = 0 (asynchronous collectors); sync = 1 runs a fixed "
                 "schedule", rc->max_lag);
        return ACRL_ERR_INPUT;
    }
    /* a learner's checkpoint of a distributed off-policy run: evaluated, exported or measured
     * as it is (its collector section holds one copy), resumed only under mpirun */
    bool dist_learner_ck = !r->offdist && ck && !policy_only_ck && acrl_ckpt_section(ck, "dist", &(size_t){0});
    if (dist_learner_ck && r->dist) {
        int64_t dv[2];
        if (algo_load_i64s(ck, "dist", dv, 2, err, errlen)) return ACRL_ERR_INPUT;
        snprintf(err, errlen, "the checkpoint was written by mpirun with %lld processes (1 learner, %lld collectors); "
                 "resume it under mpirun -n %lld", (long long)dv[0], (long long)dv[0] - 1, (long long)dv[0]);
        return ACRL_ERR_INPUT;
    }
    if (R > 1 && rc->shards == 1 && !ck && onp) rc->shards = R; /* mpirun -n R: R shards unless set */
    if (!r->offdist && (rc->shards > 1 || R > 1)) {
        if (!onp) {
            snprintf(err, errlen, "%s cannot run %s: only ppo and a2c train data-parallel (a3c's asynchronous "
                     "workers run in one process; the off-policy algorithms under mpirun run one learner and "
                     "collectors, without shards)",
                     a, R > 1 ? "under mpirun with several ranks" : "with shards > 1");
            return ACRL_ERR_INPUT;
        }
        if (ck && rc->shards % R) {
            snprintf(err, errlen, "the checkpoint was written with shards = %d (%d env copies); it cannot resume "
                     "under mpirun with %d ranks: use a rank count that divides %d", rc->shards, rc->n_envs, R,
                     rc->shards);
            return ACRL_ERR_INPUT;
        }
    }
    if (!r->offdist && layout_make(&r->lay, rc->n_envs, rc->shards, R, run_rank(r), err, errlen)) return ACRL_ERR_INPUT;
    r->config_text = config_to_text(&r->fc);
    if (!r->config_text) { snprintf(err, errlen, "out of memory"); return ACRL_ERR_RUNTIME; }
    bool policy_only = ck && policy_ckpt_is(ck);
    run_state saved;
    if (ck && !policy_only) {
        if (run_state_decode(ck, &saved, err, errlen)) return ACRL_ERR_INPUT;
        if (saved.num_envs != rc->n_envs) {
            snprintf(err, errlen, "checkpoint section 'run' says %d env copies, its config %d", saved.num_envs,
                     rc->n_envs);
            return ACRL_ERR_INPUT;
        }
    }
    uint64_t seed = ck && !policy_only ? saved.seed : (uint64_t)(o->seed < 0 ? 0 : o->seed);
    acrl_collector_options co = {rc->normalize != 0, rc->normalize_reward != 0, rc->clip_obs, rc->clip_reward, rc->gamma,
                                 rc->env_args};
    if (rc->critic_obs == 1) { /* asymmetric critics: the algorithms and modes that have them */
        static const char* const with[] = {"ppo", "a2c", "sac", "td3", "ddpg", NULL};
        bool ok = false;
        for (int i = 0; with[i]; i++) ok = ok || strcmp(r->algo->name, with[i]) == 0;
        const char* why = !ok ? "is supported by ppo, a2c, sac, td3 and ddpg" : (R > 1 || rc->shards > 1) ?
                          "is not supported under mpirun or with shards > 1" : rc->warm_start ?
                          "does not combine with warm_start (its critic targets are functions of the observation)" :
                          rc->level_replay ? "does not combine with level_replay" : NULL;
        if (why) {
            snprintf(err, errlen, "critic_obs = state %s%s%s", why, ok ? "" : "; not by ", ok ? "" : r->algo->name);
            return ACRL_ERR_INPUT;
        }
    }
    bool sharded = layout_sharded(&r->lay);
    int threads = o->threads > 0 ? o->threads
                                 : auto_threads(r->algo, env_id, rc->env_args[0] ? rc->env_args : NULL, rc->n_envs,
                                                sharded || r->offdist);
    int n_local = dist_learner_ck ? 1 : rc->n_envs;
    r->threads = threads;
    if (r->offdist) {
        /* the learner keeps one copy for the spaces and its evaluations; collector k steps
         * copies (k-1) Ec.. seeded by global index; its learner needs no replay buffer */
        n_local = run_rank(r) == 0 ? 1 : r->lay.local_envs;
        seed += (uint64_t)r->lay.first_env;
        if (run_rank(r) > 0 && acrl_config_set(r->fc.table, r->fc.block, "buffer_size", "1", err, errlen))
            return ACRL_ERR_RUNTIME;
    }
    r->col = sharded ? collector_create_sharded(env_id, &r->lay, seed, threads, &co, err, errlen)
                     : collector_create(env_id, n_local, seed, threads, &co, err, errlen);
    if (r->offdist) seed -= (uint64_t)r->lay.first_env;
    if (!r->col) return ACRL_ERR_INPUT;
    /* privileged states: the critics' input (critic_obs = state) or the teacher's (distill) */
    if ((rc->critic_obs == 1 || strcmp(r->algo->name, "distill") == 0) && collector_enable_state(r->col, err, errlen))
        return ACRL_ERR_INPUT;
    acrl_env* e0 = r->col->venv->envs[0];
    if (e0->obs_space.kind == ACRL_SPACE_BOX && e0->obs_space.shape[0] > 0) {
        /* an image-shaped observation: the algorithms with a CNN extractor read its shape
         * from the key cnn_input (the others have no such key) */
        char shape[64], e[ACRL_ERRLEN];
        snprintf(shape, sizeof shape, "%d,%d,%d", e0->obs_space.shape[0], e0->obs_space.shape[1],
                 e0->obs_space.shape[2]);
        if (acrl_config_set(r->fc.table, r->fc.block, "cnn_input", shape, e, sizeof e) == 0) {
            free(r->config_text);
            r->config_text = config_to_text(&r->fc);
            if (!r->config_text) { snprintf(err, errlen, "out of memory"); return ACRL_ERR_RUNTIME; }
        }
    }
    /* the learner's buffer: one column per copy, or under sync = 0 per copy of a collector (the
     * collectors' steps arrive apart); its checkpoint evaluated without mpirun the same */
    int ctx_envs = r->offdist && run_rank(r) > 0 ? n_local : rc->n_envs;
    if (r->offdist && rc->sync == 0) ctx_envs = r->lay.envs_per_shard;
    if (dist_learner_ck && rc->sync == 0) {
        int64_t dv[2];
        if (algo_load_i64s(ck, "dist", dv, 2, err, errlen)) return ACRL_ERR_INPUT;
        if (dv[0] < 2 || rc->n_envs % (dv[0] - 1)) {
            snprintf(err, errlen, "checkpoint section 'dist' says %lld ranks, which do not split %d env copies",
                     (long long)dv[0], rc->n_envs);
            return ACRL_ERR_INPUT;
        }
        ctx_envs = rc->n_envs / (int)(dv[0] - 1);
    }
    acrl_algo_ctx ctx = {&e0->obs_space, &e0->act_space, env_id, ctx_envs,
                         rc->n_timesteps, seed, threads, rc->gamma, &co, sharded || r->offdist ? &r->lay : NULL,
                         r->col->state_dim};
    r->learner = r->algo->create(fc_algo(&r->fc), &ctx, err, errlen);
    if (!r->learner) return ACRL_ERR_INPUT;
    r->st = (run_state){0, 0, rc->eval_freq, rc->log_freq, rc->checkpoint_freq, rc->n_timesteps, -1, -INFINITY,
                        seed, rc->n_envs, 0};
    if (policy_only) {
        if (policy_ckpt_load(r->algo, r->learner, r->col, ck, err, errlen)) return ACRL_ERR_INPUT;
    } else if (ck && r->offdist && run_rank(r) > 0 && rc->sync == 0) {
        r->st = saved; /* an asynchronous collector starts afresh; the learner sends it the actor */
    } else if (ck && r->offdist && run_rank(r) > 0) {
        /* a collector: its part of "dist.collectors" (env copies, generator, the actor it holds) */
        size_t n;
        const uint8_t* all = acrl_ckpt_get_var(ck, "dist.collectors", &n, err, errlen);
        size_t pn = offp_dist_part_bytes(r->learner, r->col);
        if (!all) return ACRL_ERR_INPUT;
        if (n != pn * (size_t)(R - 1)) {
            snprintf(err, errlen, "checkpoint section 'dist.collectors' has %zu bytes, expected %zu", n, pn * (size_t)(R - 1));
            return ACRL_ERR_INPUT;
        }
        if (offp_dist_part_load(r->learner, r->col, all + pn * (size_t)(run_rank(r) - 1), pn, err, errlen))
            return ACRL_ERR_INPUT;
        r->st = saved;
    } else if (ck) {
        size_t n;
        if (r->offdist) {
            int64_t dv[2];
            if (algo_load_i64s(ck, "dist", dv, 2, err, errlen)) return ACRL_ERR_INPUT;
            *offp_dist_last_sync(r->learner) = dv[1];
        }
        const void* cs = acrl_ckpt_get_var(ck, "collector", &n, err, errlen);
        if (!cs || (sharded ? collector_global_load(r->col, cs, n, err, errlen) : collector_state_load(r->col, cs, n, err, errlen)) ||
            r->algo->load(r->learner, ck, err, errlen))
            return ACRL_ERR_INPUT;
        r->st = saved;
    }
    return ACRL_OK;
}

/* summary.json: written when a run starts (so that `acrl plot` can read runs in progress)
 * and again at its end */
typedef struct {
    bool   finished;
    double wall, train_time, sps, eval_mean, eval_std;   /* wall, train_time, sps: all invocations */
    int    eval_episodes;
    double train_return, last_eval, first_solved_s;
    int    invocations;
    int64_t inv_steps;                                   /* this invocation's figures */
    double inv_wall, inv_sps;
    double comm_rank0, comm_max;                         /* seconds communicating (distributed runs) */
    double eval_cost[ACRL_MAX_COSTS], train_cost[ACRL_MAX_COSTS]; /* envs with costs only */
} summary_values;

/* -1 with errno set on failure, and no partial file left */
static int write_summary(const char* dir, const run* r, const summary_values* v) {
    char path[1200];
    if (acrl_path_join(path, sizeof path, dir, "summary.json", NULL, 0)) return -1;
    FILE* f = fopen(path, "w");
    if (!f) return -1;
    const char* env_id = r->col->venv->envs[0]->id;
    const acrl_env_spec* spec = acrl_env_spec_find(env_id);
    acrl_json j;
    acrl_json_begin(&j, f);
    acrl_json_string(&j, "algo", r->algo->name);
    acrl_json_string(&j, "env", env_id);
    acrl_json_int(&j, "seed", (int64_t)r->st.seed);
    acrl_json_int(&j, "steps", r->st.steps);
    acrl_json_bool(&j, "finished", v->finished);
    acrl_json_number(&j, "wall_seconds", v->wall);
    acrl_json_number(&j, "train_seconds", v->train_time);
    acrl_json_number(&j, "sps", v->sps);
    acrl_json_number(&j, "eval_return_mean", v->eval_mean);
    acrl_json_number(&j, "eval_return_std", v->eval_std);
    acrl_json_int(&j, "eval_episodes", v->eval_episodes);
    acrl_json_number(&j, "train_return_mean", v->train_return);
    acrl_json_number(&j, "last_periodic_eval", v->last_eval);
    acrl_json_number(&j, "solved_threshold", spec ? spec->solved_threshold : NAN);
    if (r->st.first_solved_step >= 0) acrl_json_int(&j, "first_solved_step", r->st.first_solved_step);
    else acrl_json_null(&j, "first_solved_step");
    acrl_json_number(&j, "first_solved_seconds", v->first_solved_s);
    acrl_json_int(&j, "threads", r->threads);
    acrl_json_int(&j, "invocations", v->invocations);
    acrl_json_int(&j, "invocation_steps", v->inv_steps);
    acrl_json_number(&j, "invocation_wall_seconds", v->inv_wall);
    acrl_json_number(&j, "invocation_sps", v->inv_sps);
    if (r->offdist) { /* distributed off-policy: the layout, the learner's rates, communication */
        int64_t upd = OFFP_UPDATES((offp_core*)r->learner);
        acrl_json_int(&j, "ranks", r->lay.ranks);
        acrl_json_int(&j, "collectors", r->lay.ranks - 1);
        acrl_json_int(&j, "envs_per_collector", r->lay.envs_per_shard);
        acrl_json_number(&j, "updates_per_second", v->inv_wall > 0 ? upd / v->inv_wall : NAN);
        acrl_json_number(&j, "comm_seconds_rank0", v->comm_rank0);
        acrl_json_number(&j, "comm_seconds_max", v->comm_max);
        /* the sync mode and every rank's counts: rank 0's updates, collector k's env steps */
        offp_dist_info di;
        offp_dist_stats((const offp_core*)r->learner, &di);
        acrl_json_int(&j, "sync", r->lay.sync);
        acrl_json_int(&j, "updates", upd);
        if (r->lay.sync == 0) {
            acrl_json_int(&j, "max_lag", r->lay.max_lag);
            acrl_json_number(&j, "learner_wait_seconds", di.wait_s);
            acrl_json_number(&j, "policy_lag_mean_updates", di.lag_mean);
            if (di.lag_max >= 0) acrl_json_int(&j, "policy_lag_max_updates", di.lag_max);
            else acrl_json_null(&j, "policy_lag_max_updates");
        }
        for (int k = 0; k < di.collectors && k < OFFP_DIST_INFO_MAX; k++) {
            char key[64];
            snprintf(key, sizeof key, "rank%d_env_steps_received", k + 1);
            acrl_json_int(&j, key, di.c[k].received);
            if (r->lay.sync == 0) {
                snprintf(key, sizeof key, "rank%d_env_steps_taken", k + 1);
                acrl_json_int(&j, key, di.c[k].taken);
                snprintf(key, sizeof key, "rank%d_env_steps_dropped", k + 1);
                acrl_json_int(&j, key, di.c[k].dropped);
                snprintf(key, sizeof key, "rank%d_wait_seconds", k + 1);
                acrl_json_number(&j, key, di.c[k].wait_s);
            }
        }
    }
    if (r->lay.shards > 1) { /* data-parallel runs: the layout and the communication time */
        int R = r->lay.ranks;
        acrl_json_int(&j, "ranks", R);
        acrl_json_int(&j, "shards", r->lay.shards);
        acrl_json_int(&j, "envs_per_rank", r->lay.local_envs);
        acrl_json_number(&j, "invocation_sps_per_rank", v->inv_sps / R);
        acrl_json_number(&j, "comm_seconds_rank0", v->comm_rank0);
        acrl_json_number(&j, "comm_seconds_max", v->comm_max);
    }
    for (int k = 0; k < r->col->num_costs; k++) {
        char key[2][32];
        snprintf(key[0], sizeof key[0], k ? "eval_cost_mean_%d" : "eval_cost_mean", k);
        snprintf(key[1], sizeof key[1], k ? "train_cost_mean_%d" : "train_cost_mean", k);
        acrl_json_number(&j, key[0], v->eval_cost[k]);
        acrl_json_number(&j, key[1], v->train_cost[k]);
    }
    int bad = acrl_json_end(&j) != 0 || fflush(f) != 0;
    int e = errno;
    if (fclose(f) != 0 && !bad) { bad = 1; e = errno; }
    if (!bad) return 0;
    unlink(path);
    errno = e;
    return -1;
}

static const char* const base_columns[] = {"step", "wall_seconds", "sps", "return_mean", "return_std", "episode_length",
                                           "episodes", "eval_return_mean"};
#define NBASE 8

static void notify(const acrl_train_options* o, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
static void notify(const acrl_train_options* o, const char* fmt, ...) {
    if (!o->notice) return;
    char msg[ACRL_ERRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    o->notice(o->notice_user, msg);
}

/* ---- level replay (level_replay = plr) ------------------------------------------------------ */

/* Starts copy e on training level i (Maze-v0), its first observation into the vec env's row. */
static void plr_start_level(run* r, int e, int i) {
    acrl_vecenv* v = r->col->venv;
    acrl_maze_level lvl;
    char msg[200];
    if (i >= r->n_train) lvl = r->gen[i - r->n_train];
    else if (acrl_maze_training_level(&lvl, i, r->maze_density, r->maze_size, msg, sizeof msg))
        acrl_maze_generate(&lvl, i, 0.0, r->maze_size, msg, sizeof msg); /* as the env itself falls back */
    acrl_maze_set_level(v->envs[e], &lvl);
    acrl_env_reset(v->envs[e], -1, v->obs + (size_t)e * v->obs_dim);
}

/* the collector's step hook: record the levels played, start ended copies on sampled levels */
static void plr_step_hook(void* user, acrl_collector* c) {
    run* r = user;
    acrl_vecenv* v = c->venv;
    bool* d = r->plr_d;
    int* nx = r->plr_next;
    int t = r->plr->t;
    for (int e = 0; e < c->num_envs; e++) {
        d[e] = v->terminated[e] || v->truncated[e];
        if (t < r->plr->T) r->plr_done[(size_t)t * c->num_envs + e] = d[e];
    }
    plr_record_step(r->plr, d, nx);
    for (int e = 0; e < c->num_envs; e++)
        if (nx[e] >= 0) plr_start_level(r, e, nx[e]);
}

/* level_generator = vae (DRED): fits the VAE to the training levels and generates
 * vae_levels levels, or restores them from ck's section "dred.levels". */
static int run_dred_setup(run* r, const acrl_ckpt* ck, char* err, size_t errlen) {
    const run_config* rc = fc_run(&r->fc);
    const int S = r->maze_size, M = rc->vae_levels;
    r->gen = malloc(sizeof *r->gen * (size_t)M);
    if (!r->gen) { snprintf(err, errlen, "out of memory"); return ACRL_ERR_RUNTIME; }
    r->n_gen = M;
    if (ck) {
        size_t len;
        const uint8_t* b = acrl_ckpt_get_var(ck, "dred.levels", &len, err, errlen);
        if (!b) return ACRL_ERR_INPUT;
        if (len != GEN_LEVEL_BYTES(S) * (size_t)M) {
            snprintf(err, errlen, "checkpoint section 'dred.levels' has %zu bytes, expected %zu", len,
                     GEN_LEVEL_BYTES(S) * (size_t)M);
            return ACRL_ERR_INPUT;
        }
        for (int k = 0; k < M; k++, b += GEN_LEVEL_BYTES(S)) {
            acrl_maze_level* l = &r->gen[k];
            memset(l, 0, sizeof *l);
            l->w = b[0]; l->h = b[1]; l->sx = b[2]; l->sy = b[3]; l->gx = b[4]; l->gy = b[5];
            l->seed = -1 - (int64_t)k;
            bool okw = true;
            for (int c = 0; c < S * S; c++) { l->wall[c] = b[6 + c]; okw &= b[6 + c] <= 1; }
            if (l->w != S || l->h != S || l->sx >= S || l->sy >= S || l->gx >= S || l->gy >= S || !okw ||
                acrl_maze_distance(l) <= 0) {
                snprintf(err, errlen, "checkpoint section 'dred.levels': level %d is invalid", k);
                return ACRL_ERR_INPUT;
            }
        }
        return ACRL_OK;
    }
    acrl_maze_level* train = malloc(sizeof *train * (size_t)r->n_train);
    if (!train) { snprintf(err, errlen, "out of memory"); return ACRL_ERR_RUNTIME; }
    for (int i = 0; i < r->n_train; i++)
        if (acrl_maze_training_level(&train[i], i, r->maze_density, S, err, errlen))
            acrl_maze_generate(&train[i], i, 0.0, S, err, errlen);
    acrl_rng rng;
    acrl_rng_seed2(&rng, r->st.seed, 0x44524544ull); /* "DRED" */
    dred_vae v;
    int code = ACRL_OK;
    if (dred_vae_init(&v, S, rc->vae_latent, rc->vae_hidden, 32, &rng, err, errlen)) code = ACRL_ERR_RUNTIME;
    else {
        dred_vae_train(&v, train, r->n_train, rc->vae_steps, 32, 1e-3f, &rng);
        if (dred_generate(&v, train, r->n_train, r->gen, M, &rng, err, errlen)) code = ACRL_ERR_INPUT;
        dred_vae_free(&v);
    }
    free(train);
    return code;
}

/* level_replay = plr: the sampler, restored from ck or with every copy started on a sampled
 * level; ACRL_ERR_INPUT for combinations that cannot work. */
static int run_plr_setup(run* r, const acrl_ckpt* ck, char* err, size_t errlen) {
    const run_config* rc = fc_run(&r->fc);
    acrl_collector* c = r->col;
    acrl_env* e0 = c->venv->envs[0];
    int n = acrl_maze_num_levels(e0);
    if (strcmp(r->algo->name, "ppo") != 0) {
        snprintf(err, errlen, "level_replay = plr is supported by ppo (it scores levels from the rollout's GAE); not by %s",
                 r->algo->name);
        return ACRL_ERR_INPUT;
    }
    if (n < 0) {
        snprintf(err, errlen, "level_replay = plr needs an env with levels (Maze-v0); %s has none", e0->id);
        return ACRL_ERR_INPUT;
    }
    if (n == 0) {
        snprintf(err, errlen, "level_replay = plr needs a finite training set: env_args levels=0 is unbounded");
        return ACRL_ERR_INPUT;
    }
    if (run_ranks(r) > 1 || layout_sharded(&r->lay)) {
        snprintf(err, errlen, "level_replay = plr is not supported under mpirun or with shards > 1");
        return ACRL_ERR_INPUT;
    }
    acrl_maze_settings(e0, &r->maze_size, &r->maze_density);
    r->n_train = n;
    if (rc->level_generator) {
        int code = run_dred_setup(r, ck, err, errlen);
        if (code != ACRL_OK) return code;
        n += r->n_gen;
    }
    const acrl_rollout* ro = ppo_rollout(r->learner);
    plr_config pc = {rc->plr_score, rc->plr_schedule, rc->plr_temperature, rc->plr_staleness, rc->plr_rho, rc->plr_nu,
                     rc->plr_alpha};
    r->plr = calloc(1, sizeof *r->plr);
    r->plr_done = calloc((size_t)ro->num_steps * (size_t)c->num_envs, sizeof(bool));
    r->plr_d = calloc((size_t)c->num_envs, sizeof(bool));
    r->plr_next = calloc((size_t)c->num_envs, sizeof(int));
    if (!r->plr || !r->plr_done || !r->plr_d || !r->plr_next) {
        snprintf(err, errlen, "out of memory");
        return ACRL_ERR_RUNTIME;
    }
    if (plr_init(r->plr, &pc, n, c->num_envs, ro->num_steps, r->st.seed, err, errlen)) {
        free(r->plr);
        r->plr = NULL;
        return ACRL_ERR_INPUT;
    }
    if (ck) {
        size_t len;
        const void* b = acrl_ckpt_get_var(ck, "plr", &len, err, errlen);
        if (!b) return ACRL_ERR_INPUT;
        if (plr_state_load(r->plr, b, len)) {
            snprintf(err, errlen, "checkpoint section 'plr' does not fit this run (%d levels, %d copies)", n, c->num_envs);
            return ACRL_ERR_INPUT;
        }
    } else {
        for (int e = 0; e < c->num_envs; e++) {
            int i = plr_sample(r->plr);
            r->plr->current[e] = i;
            plr_start_level(r, e, i);
        }
        collector_normalize_obs(c, c->venv->obs, c->obs, c->num_envs);
    }
    c->step_hook = plr_step_hook;
    c->step_hook_user = r;
    return ACRL_OK;
}

/* warm_start = lqr on a fresh run: the LQR model of the env (algo/lqr.h), targets around its
 * equilibrium, observations normalized as the collector does now, then the algorithm's
 * supervised pre-training. ACRL_ERR_INPUT for combinations that cannot work. */
static int run_warm_start(run* r, const acrl_train_options* o, char* err, size_t errlen) {
    const run_config* rc = fc_run(&r->fc);
    const char* env_id = r->col->venv->envs[0]->id;
    acrl_algo_pretrain_fn pretrain = acrl_algo_pretrain_find(r->algo);
    if (!pretrain) {
        snprintf(err, errlen, "warm_start = lqr is not supported by %s (ppo, a2c, sac, td3 and ddpg have it)", r->algo->name);
        return ACRL_ERR_INPUT;
    }
    if (run_ranks(r) > 1 || layout_sharded(&r->lay)) {
        snprintf(err, errlen, "warm_start = lqr is not supported under mpirun or with shards > 1");
        return ACRL_ERR_INPUT;
    }
    if (rc->normalize_reward) {
        snprintf(err, errlen, "warm_start = lqr does not combine with normalize_reward (the value targets are in reward "
                 "units; the scale is not known before training)");
        return ACRL_ERR_INPUT;
    }
    acrl_env_options eo = acrl_env_options_default();
    eo.env_args = rc->env_args[0] ? rc->env_args : NULL;
    acrl_env* env = acrl_env_make(env_id, &eo, err, errlen);
    if (!env) return ACRL_ERR_INPUT;
    lqr_model M;
    if (lqr_model_make(&M, env, rc->gamma, err, errlen)) { acrl_env_close(env); return ACRL_ERR_INPUT; }
    const int N = rc->warm_start_samples, od = env->obs_space.dim, ad = M.info->m;
    float* raw = malloc(sizeof(float) * (size_t)N * (size_t)od);
    float* obs = malloc(sizeof(float) * (size_t)N * (size_t)od);
    float* act = malloc(sizeof(float) * (size_t)N * (size_t)ad);
    float* qa = malloc(sizeof(float) * (size_t)N * (size_t)ad);
    float* v = malloc(sizeof(float) * (size_t)N);
    float* q = malloc(sizeof(float) * (size_t)N);
    int code = ACRL_OK;
    acrl_rng rng;
    acrl_rng_seed2(&rng, r->st.seed, 0x5741524dull); /* "WARM": apart from every other stream */
    if (!raw || !obs || !act || !qa || !v || !q) {
        snprintf(err, errlen, "out of memory");
        code = ACRL_ERR_RUNTIME;
    } else if (lqr_targets(raw, act, v, qa, q, N, env, &M, rc->warm_start_radius, &rng, err, errlen)) {
        code = ACRL_ERR_INPUT;
    } else {
        collector_normalize_obs(r->col, raw, obs, N);
        acrl_pretrain_data d = {N, obs, act, v, qa, q, rc->warm_start_steps, 256, rc->warm_start_lr, &rng, NAN, NAN};
        if (pretrain(r->learner, &d, err, errlen)) code = ACRL_ERR_INPUT;
        else {
            char k[160] = "";
            size_t len = 0;
            for (int i = 0; i < M.info->n && len < sizeof k - 16; i++)
                len += (size_t)snprintf(k + len, sizeof k - len, "%s%.4g", i ? " " : "", M.K[i]);
            notify(o, "warm start (lqr): K = [%s], %d targets, %d steps: actor MSE %.4g, critic MSE %.4g", k, N,
                   rc->warm_start_steps, d.actor_loss, d.critic_loss);
        }
    }
    free(raw); free(obs); free(act); free(qa); free(v); free(q);
    acrl_env_close(env);
    return code;
}

/* Keys that may change between the invocations of a run (edited config.ini, --steps): they
 * set how long the run lasts and how often it evaluates, logs and checkpoints, not what it
 * learns. Any other change would make the checkpoint mean something else. */
static const char* const resume_mutable[] = {"n_timesteps", "eval_freq", "n_eval_episodes", "checkpoint_freq",
                                             "log_freq", NULL};

static bool is_resume_mutable(const char* key) {
    for (int i = 0; resume_mutable[i]; i++) if (strcmp(key, resume_mutable[i]) == 0) return true;
    return false;
}

/* the first multiple of freq after steps */
static int64_t next_multiple(int64_t steps, int freq) { return freq > 0 ? (steps / freq + 1) * freq : steps + 1; }

/* On resume: compares dir/config.ini (possibly edited by hand) with the checkpoint's
 * configuration. Changes to resume_mutable keys are applied with a notice; any other change
 * is refused, naming the keys, and nothing is written. */
static int resume_config_ini(run* r, const acrl_train_options* o, const char* dir, char* err, size_t errlen) {
    char path[1200];
    snprintf(path, sizeof path, "%s/config.ini", dir);
    if (access(path, F_OK) != 0) return ACRL_OK; /* deleted: the checkpoint's configuration is written back */
    full_config ed;
    if (fc_init(&ed, r->algo, err, errlen)) return ACRL_ERR_RUNTIME;
    char msg[ACRL_ERRLEN], a[512], b[512], refused[ACRL_ERRLEN] = "";
    if (acrl_config_load_file(ed.table, ed.block, path, msg, sizeof msg)) {
        snprintf(err, errlen, "%s; fix it, or delete it to resume with the checkpoint's configuration", msg);
        fc_free(&ed);
        return ACRL_ERR_INPUT;
    }
    size_t used = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; r->fc.table[i].key; i++) {
            const acrl_config_entry* e = &r->fc.table[i];
            acrl_config_format_value(e, r->fc.block, a, sizeof a);
            acrl_config_format_value(&ed.table[i], ed.block, b, sizeof b);
            if (strcmp(a, b) == 0) continue;
            if (pass == 0 && !is_resume_mutable(e->key) && used < sizeof refused)
                used += (size_t)snprintf(refused + used, sizeof refused - used, "%s%s (%s in the checkpoint, %s in "
                                         "config.ini)", used ? ", " : "", e->key, a, b);
            if (pass == 1) {
                acrl_config_set(r->fc.table, r->fc.block, e->key, b, msg, sizeof msg); /* parsed once: cannot fail */
                notify(o, "%s: %s changed from %s to %s; applied", path, e->key, a, b);
            }
        }
        if (pass == 0 && used) {
            snprintf(err, errlen, "%s was edited in keys that cannot change on resume: %s (only n_timesteps, "
                     "eval_freq, n_eval_episodes, checkpoint_freq and log_freq can); undo the edit, or start a new run "
                     "with --config", path, refused);
            fc_free(&ed);
            return ACRL_ERR_INPUT;
        }
    }
    fc_free(&ed);
    return ACRL_OK;
}

/* On resume, after the checkpoint (whose run config was ck) and config.ini: the run state
 * follows the lengths and frequencies that changed, and the resume's exactness is reported. */
static int resume_adjust(run* r, const run_config* ck, const acrl_train_options* o, char* err, size_t errlen) {
    run_config* rc = fc_run(&r->fc);
    if (o->steps > 0) {
        if (o->steps > 2000000000L) { snprintf(err, errlen, "--steps %ld is too large", o->steps); return ACRL_ERR_INPUT; }
        rc->n_timesteps = (int)o->steps; /* extend (or shorten) the run */
    }
    /* (a run extended by --steps before n_timesteps followed it keeps its total) */
    if (o->steps > 0 || rc->n_timesteps != ck->n_timesteps) r->st.total_steps = rc->n_timesteps;
    int64_t s = r->st.steps;
    if (rc->eval_freq != ck->eval_freq) r->st.next_eval = next_multiple(s, rc->eval_freq);
    if (rc->log_freq != ck->log_freq) r->st.next_log = next_multiple(s, rc->log_freq);
    if (rc->checkpoint_freq != ck->checkpoint_freq) r->st.next_ckpt = next_multiple(s, rc->checkpoint_freq);
    free(r->config_text);
    r->config_text = config_to_text(&r->fc);
    if (!r->config_text) { snprintf(err, errlen, "out of memory"); return ACRL_ERR_RUNTIME; }
    /* which resumes are exact (see the README): on-policy PPO/A2C always; off-policy only with
     * the replay buffer in the checkpoint; A3C never */
    char v[16] = "";
    for (int i = 0; r->fc.table[i].key; i++)
        if (strcmp(r->fc.table[i].key, "save_buffer") == 0) acrl_config_format_value(&r->fc.table[i], r->fc.block, v, sizeof v);
    if (strcmp(r->algo->name, "a3c") == 0)
        notify(o, "warning: this resume is not exact: a3c checkpoints hold the shared weights, not the workers' env "
               "and random states");
    else if (r->offdist && rc->sync == 0)
        notify(o, "warning: this resume is not exact: with sync = 0 the checkpoint holds the learner's state only; the "
               "collectors start new episodes with a fresh exploration stream, and their data arrives in a new order%s",
               strcmp(v, "false") == 0 ? " (and without --save-buffer the buffer refills past learning_starts first)" : "");
    else if (strcmp(v, "false") == 0)
        notify(o, "warning: this resume is not exact: the checkpoint has no replay buffer (train with --save-buffer "
               "for exact resumes); updates wait until the buffer refills past learning_starts");
    return ACRL_OK;
}

/* Figures of earlier invocations of a resumed run, from its summary.json. */
typedef struct {
    double wall, train_time, first_solved_s;
    int    invocations;
} earlier_runs;

static void read_earlier(const char* dir, earlier_runs* e) {
    *e = (earlier_runs){0, 0, NAN, 0};
    char path[1200];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    FILE* f = fopen(path, "r");
    if (!f) return;
    char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
    fclose(f);
    double x;
    e->invocations = 1;
    if (acrl_json_get_number(text, "wall_seconds", &x) == 0 && x >= 0) e->wall = x;
    if (acrl_json_get_number(text, "train_seconds", &x) == 0 && x >= 0) e->train_time = x;
    if (acrl_json_get_number(text, "first_solved_seconds", &x) == 0) e->first_solved_s = x;
    if (acrl_json_get_number(text, "invocations", &x) == 0 && x >= 1 && x < 1e9) e->invocations = (int)x;
}

/* The run directory, and the checkpoint to resume from (read when load; in a distributed run
 * only rank 0 reads files). */
static int open_run(acrl_train_options* o, acrl_ckpt** ckp, const char** dirp, bool load, char* err, size_t errlen) {
    acrl_ckpt* ck = NULL;
    const char* dir;
    /* every file of the run is DIR/NAME in a buffer sized for a run_dir-long DIR */
    const char* given = o->resume_dir ? o->resume_dir : o->out_dir;
    if (given && strlen(given) >= sizeof o->run_dir) {
        snprintf(err, errlen, "run directory path too long (%zu bytes, at most %zu): %.80s...", strlen(given),
                 sizeof o->run_dir - 1, given);
        return ACRL_ERR_INPUT;
    }
    if (o->resume_dir && !load) {
        dir = o->resume_dir;
    } else if (o->resume_dir) {
        char path[1200];
        if (acrl_path_join(path, sizeof path, o->resume_dir, "last.ckpt", err, errlen)) return ACRL_ERR_INPUT;
        ck = acrl_ckpt_load(path, err, errlen);
        if (!ck) return ACRL_ERR_INPUT;
        if (policy_ckpt_is(ck)) {
            snprintf(err, errlen, "%s is a policy-only checkpoint (policy.ckpt, acrl export): it holds no training "
                     "state and cannot be resumed; resume from a run's last.ckpt", path);
            acrl_ckpt_free(ck);
            return ACRL_ERR_INPUT;
        }
        const char* ca = acrl_ckpt_algo(ck);
        const char* ce = acrl_ckpt_env_id(ck);
        if ((o->algo && strcmp(o->algo, ca) != 0) || (o->env_id && strcmp(o->env_id, ce) != 0)) {
            snprintf(err, errlen, "%s holds a %s run on %s; it cannot be resumed as %s on %s", o->resume_dir, ca, ce,
                     o->algo ? o->algo : ca, o->env_id ? o->env_id : ce);
            acrl_ckpt_free(ck);
            return ACRL_ERR_INPUT;
        }
        dir = o->resume_dir;
    } else {
        int n = o->out_dir ? snprintf(o->run_dir, sizeof o->run_dir, "%s", o->out_dir)
                           : snprintf(o->run_dir, sizeof o->run_dir, "runs/%s-%s-%lld-%ld", o->algo, o->env_id,
                                      (long long)(o->seed < 0 ? 0 : o->seed), (long)time(NULL));
        if (n < 0 || (size_t)n >= sizeof o->run_dir) {
            snprintf(err, errlen, "run directory path too long (at most %zu bytes)", sizeof o->run_dir - 1);
            return ACRL_ERR_INPUT;
        }
        dir = o->run_dir;
    }
    *ckp = ck;
    *dirp = dir;
    return ACRL_OK;
}

static int open_logs(run* r, acrl_train_options* o, const char* dir, const char** cols, int ncols, acrl_csv** csvp,
                     acrl_tboard** tbp, earlier_runs* prevp, summary_values* vp, char* err, size_t errlen) {
    /* I/O errors from here on are ACRL_ERR_RUNTIME: the path and the system's reason */
    if (acrl_mkdir_p(dir)) {
        snprintf(err, errlen, "cannot create run directory %s: %s", dir, strerror(errno));
        return ACRL_ERR_RUNTIME;
    }
    acrl_ckpt_remove_stale(dir, NULL, 0); /* temp files of a run killed while writing a checkpoint */
    char path[1200];
    if (acrl_path_join(path, sizeof path, dir, "config.ini", err, errlen)) { return ACRL_ERR_INPUT; }
    FILE* cf = fopen(path, "w");
    if (!cf || fputs(r->config_text, cf) < 0 || fflush(cf) != 0 || fclose(cf) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        if (cf) unlink(path);
        return ACRL_ERR_RUNTIME;
    }

    /* logs: progress.csv (appended on resume), TensorBoard (earlier files trimmed to the
     * checkpoint's step on resume, like progress.csv) */
    if (acrl_path_join(path, sizeof path, dir, "progress.csv", err, errlen)) { return ACRL_ERR_INPUT; }
    *csvp = o->resume_dir ? acrl_csv_append(path, cols, ncols, (double)r->st.steps, err, errlen)
                                  : acrl_csv_open(path, cols, ncols, err, errlen);
    acrl_csv* csv = *csvp;
    if (csv && o->resume_dir && acrl_tboard_trim(dir, r->st.steps, err, errlen)) {
        acrl_csv_close(csv);
        *csvp = NULL;
        return ACRL_ERR_RUNTIME;
    }
    *tbp = *csvp ? acrl_tboard_open(dir, err, errlen) : NULL;
    if (!csv || !*tbp) { acrl_csv_close(csv); *csvp = NULL; return ACRL_ERR_RUNTIME; }

    /* wall time, training time and steps/s in summary.json count every invocation of the run */
    if (o->resume_dir) read_earlier(dir, prevp);
    earlier_runs prev = *prevp;
    int64_t steps0 = r->st.steps;
    double first_solved_s = r->st.first_solved_step >= 0 ? prev.first_solved_s : NAN;
    *vp = (summary_values){false, prev.wall, prev.train_time, prev.wall > 0 ? steps0 / prev.wall : NAN, NAN, NAN, 0, NAN,
                        NAN, first_solved_s, prev.invocations + 1, 0, 0, NAN, 0, 0, {0}, {0}};
    for (int k = 0; k < ACRL_MAX_COSTS; k++) vp->eval_cost[k] = vp->train_cost[k] = NAN;
    if (write_summary(dir, r, vp)) {
        snprintf(err, errlen, "cannot write %s/summary.json: %s", dir, strerror(errno));
        acrl_csv_close(csv);
        acrl_tboard_close(*tbp);
        *csvp = NULL;
        *tbp = NULL;
        return ACRL_ERR_RUNTIME;
    }
    return ACRL_OK;
}

/* Rank 0's configuration text and run state to every rank (after a resume adjusted them). */
static int share_state(run* r, char* err, size_t errlen) {
    char* text = run_rank(r) == 0 ? r->config_text : NULL;
    size_t n = text ? strlen(text) + 1 : 0;
    if (comm_bcast_var((void**)&text, &n, 0, err, errlen)) return ACRL_ERR_RUNTIME;
    if (run_rank(r) != 0) {
        free(r->config_text);
        r->config_text = text;
        if (n == 0 || text[n - 1] || acrl_config_load_text(r->fc.table, r->fc.block, text, n - 1, "rank 0's configuration", err, errlen))
            return ACRL_ERR_RUNTIME;
    }
    return comm_bcast(&r->st, sizeof r->st, 0, err, errlen) ? ACRL_ERR_RUNTIME : ACRL_OK;
}

/* Multi-agent runs go to acrl_marl_train; a single-agent algorithm is refused a multi-agent
 * env or checkpoint (and acrl_marl_train refuses the reverse). 1: handled (code in *code). */
static int marl_dispatch(acrl_train_options* o, int* code, char* err, size_t errlen) {
    if (o->algo && acrl_marl_algo_exists(o->algo)) { *code = acrl_marl_train(o, err, errlen); return 1; }
    if (o->env_id && acrl_menv_exists(o->env_id)) {
        snprintf(err, errlen, "%s is a multi-agent env; the single-agent algorithm %s cannot train it (use ippo, "
                 "mappo or cabn)", o->env_id, o->algo ? o->algo : "?");
        *code = ACRL_ERR_INPUT;
        return 1;
    }
    if (!o->resume_dir) return 0;
    char path[1200];
    if (acrl_path_join(path, sizeof path, o->resume_dir, "last.ckpt", NULL, 0)) return 0;
    char e2[ACRL_ERRLEN];
    acrl_ckpt* ck = acrl_ckpt_load(path, e2, sizeof e2);
    if (!ck) return 0;   /* the ordinary path reports it */
    bool marl = acrl_marl_algo_exists(acrl_ckpt_algo(ck));
    if (marl && o->algo) {
        snprintf(err, errlen, "%s holds a multi-agent %s checkpoint; the single-agent %s cannot resume it", path,
                 acrl_ckpt_algo(ck), o->algo);
        *code = ACRL_ERR_INPUT;
    } else if (marl) {
        *code = acrl_marl_train(o, err, errlen);
    }
    acrl_ckpt_free(ck);
    return marl;
}

int acrl_train(acrl_train_options* o, char* err, size_t errlen) {
    {
        int mcode;
        if (marl_dispatch(o, &mcode, err, errlen)) return mcode;
    }
    run r;
    memset(&r, 0, sizeof r);
    r.dist = true;
    const int R = run_ranks(&r), rank = run_rank(&r);
    if (rank != 0) { o->quiet = true; o->notice = NULL; } /* rank 0 reports */
    acrl_ckpt* ck = NULL;
    const char* dir = NULL;
    int code = open_run(o, &ck, &dir, rank == 0, err, errlen);
    if (R > 1) {
        code = sync_code(&r, code, err, errlen);
        if (code == ACRL_OK && o->resume_dir) {
            /* rank 0 read the checkpoint; every rank gets its bytes (no shared file system) */
            size_t n = 0;
            void* buf = rank == 0 ? (void*)acrl_ckpt_image(ck, &n) : NULL;
            if (comm_bcast_var(&buf, &n, 0, err, errlen)) code = ACRL_ERR_RUNTIME;
            else if (rank != 0 && !(ck = acrl_ckpt_from_bytes(buf, n, "rank 0's last.ckpt", err, errlen)))
                code = ACRL_ERR_INPUT;
            code = agree_code(&r, code, err, errlen);
        }
    }
    if (code != ACRL_OK) { acrl_ckpt_free(ck); return code; }
    code = run_setup(&r, o, ck, err, errlen);
    if (!ck && code == ACRL_OK && fc_run(&r.fc)->warm_start) code = run_warm_start(&r, o, err, errlen);
    if (code == ACRL_OK && fc_run(&r.fc)->level_generator && !fc_run(&r.fc)->level_replay) {
        snprintf(err, errlen, "level_generator = vae replays its levels with level_replay = plr (DRED): set both");
        code = ACRL_ERR_INPUT;
    }
    if (code == ACRL_OK && fc_run(&r.fc)->level_replay) code = run_plr_setup(&r, ck, err, errlen);
    acrl_ckpt_free(ck);
    run_config ck_run = code == ACRL_OK ? *fc_run(&r.fc) : (run_config){0};
    if (ck && code == ACRL_OK && rank == 0) code = resume_config_ini(&r, o, dir, err, errlen);
    if (ck && code == ACRL_OK && rank == 0) code = resume_adjust(&r, &ck_run, o, err, errlen);
    if (R > 1 && ck && r.col) {
        code = sync_code(&r, code, err, errlen);
        if (code == ACRL_OK) code = agree_code(&r, share_state(&r, err, errlen), err, errlen);
    }
    if (code != ACRL_OK) { run_free(&r); return code; }
    if (o->resume_dir) snprintf(o->run_dir, sizeof o->run_dir, "%s", o->resume_dir);
    /* rank 0 alone writes the run directory */
    /* columns: base, metrics, then (envs with costs) cost_mean[_k] and the algorithm's extras */
    const char* cols[NBASE + M_COUNT + ACRL_MAX_COSTS + ACRL_ALGO_MAX_EXTRA];
    char cost_cols[ACRL_MAX_COSTS][24];
    for (int i = 0; i < NBASE; i++) cols[i] = base_columns[i];
    for (int i = 0; i < M_COUNT; i++) cols[NBASE + i] = acrl_metric_names[i];
    const int ncost = r.col->num_costs;
    const acrl_algo_extra* extra = acrl_algo_extra_find(r.algo);
    int nextra = 0;
    for (int k = 0; k < ncost; k++) {
        snprintf(cost_cols[k], sizeof cost_cols[k], k ? "cost_mean_%d" : "cost_mean", k);
        cols[NBASE + M_COUNT + k] = cost_cols[k];
    }
    for (; extra && nextra < extra->count && nextra < ACRL_ALGO_MAX_EXTRA; nextra++)
        cols[NBASE + M_COUNT + ncost + nextra] = extra->names[nextra];
    const int ncols = NBASE + M_COUNT + ncost + nextra;
    acrl_csv* csv = NULL;
    acrl_tboard* tb = NULL;
    earlier_runs prev = {0, 0, NAN, 0};
    summary_values v;
    memset(&v, 0, sizeof v);
    code = rank == 0 ? open_logs(&r, o, dir, cols, ncols, &csv, &tb, &prev, &v, err, errlen) : ACRL_OK;
    code = sync_code(&r, code, err, errlen);
    if (code != ACRL_OK) { acrl_csv_close(csv); acrl_tboard_close(tb); run_free(&r); return code; }
    int64_t steps0 = r.st.steps;
    double first_solved_s = r.st.first_solved_step >= 0 ? prev.first_solved_s : NAN;
    char path[1200];
    run_config* rc = fc_run(&r.fc);


    acrl_progress prog;
    acrl_progress_init(&prog, r.st.total_steps, o->quiet ? ACRL_PROGRESS_QUIET : ACRL_PROGRESS_AUTO, 5.0);
    const char* env_id = r.col->venv->envs[0]->id;
    const acrl_env_spec* spec = acrl_env_spec_find(env_id);
    uint64_t eval_seed = r.st.seed + 1000003u; /* apart from the training copies' seeds */
    double t0 = acrl_now_s(), train_time = 0, last_eval = NAN;
    long fault_at = o->fault_nan_at > 0 ? o->fault_nan_at : -1;
    /* test hooks of distributed runs: ACRL_FAULT_STALL=RANK:STEP makes that rank sleep 600 s
     * there (the others must time out); ACRL_FAULT_DESYNC=RANK:STEP changes one weight of
     * that rank there (the parameter check must notice) */
    long stall_at = -1, desync_at = -1;
    const char* fs = getenv("ACRL_FAULT_STALL");
    if (fs && atoi(fs) == rank && strchr(fs, ':')) stall_at = atol(strchr(fs, ':') + 1);
    const char* fd = getenv("ACRL_FAULT_DESYNC");
    if (fd && atoi(fd) == rank && strchr(fd, ':')) desync_at = atol(strchr(fd, ':') + 1);
    code = ACRL_OK;
    double m[M_COUNT];
    double ret_mean, ret_std, len_mean;
    double comm0 = comm_seconds();
    int rank0_failed = 0; /* distributed: rank 0 could not write its logs; every rank stops at the next iteration */
    int stop_after = 0;   /* distributed: a stop request every rank learnt of during this iteration */
    /* sync = 0: the collectors step in their iterate until the learner stops them; the learner
     * runs this loop alone (no per-iteration exchange) */
    const bool async = r.offdist && r.lay.sync == 0;
    if (async && rank > 0) {
        offp_dist_set_stop_flag(r.learner, o->stop_flag);
        if (r.algo->iterate(r.learner, r.col, 0.0, m, err, errlen)) code = ACRL_ERR_RUNTIME;
        r.st.steps = r.col->steps;
    }
    while (!(async && rank > 0) && r.st.steps < r.st.total_steps) {
        if ((R == 1 || async) && o->stop_flag && *o->stop_flag) { code = ACRL_INTERRUPTED; break; }
        if (async && offp_dist_stop_requested(r.learner)) { code = ACRL_INTERRUPTED; break; }
        if (o->stop_at > 0 && r.st.steps >= o->stop_at) break;
        for (int k = 0; k < M_COUNT; k++) m[k] = NAN;
        double ti = acrl_now_s();
        double progress = (double)r.st.steps / (double)r.st.total_steps;
        if (fault_at >= 0 && r.st.steps >= fault_at) { r.algo->params(r.learner)->param[0] = NAN; fault_at = -1; }
        if (R > 1 && stall_at >= 0 && r.st.steps >= stall_at) { sleep(600); stall_at = -1; }
        if (R > 1 && desync_at >= 0 && r.st.steps >= desync_at) { r.algo->params(r.learner)->param[0] += 1e-3f; desync_at = -1; }
        int failed = r.algo->iterate(r.learner, r.col, progress, m, err, errlen) != 0;
        if (!failed && r.plr) plr_update(r.plr, ppo_rollout(r.learner)->advantages, r.plr_done);
        if (R > 1 && !async) { /* one exchange per iteration: failures, rank 0's log failures, stop requests */
            int fl = (failed ? 1 : 0) | (rank0_failed ? 2 : 0) | (o->stop_flag && *o->stop_flag ? 4 : 0);
            char e2[ACRL_ERRLEN] = "";
            if (comm_any(fl, &fl, e2, sizeof e2)) { if (!failed) snprintf(err, errlen, "%s", e2); code = ACRL_ERR_RUNTIME; break; }
            if ((fl & 1) && !failed) { code = ACRL_ERR_RUNTIME; err[0] = 0; break; } /* the failed rank reports */
            if ((fl & 2) && !failed) { if (!rank0_failed) { code = ACRL_ERR_RUNTIME; err[0] = 0; } break; }
            if (fl & 4) stop_after = 1;
        }
        if (failed) {
            char msg[ACRL_ERRLEN];
            snprintf(msg, sizeof msg, "%s", err);
            snprintf(err, errlen, "training stopped at step %ld: %s (last good checkpoint: %s/last.ckpt)",
                     r.col->steps, msg, dir);
            code = ACRL_ERR_RUNTIME;
            break;
        }
        train_time += acrl_now_s() - ti;
        r.st.steps = r.col->steps;
        r.st.iterations++;
        double eval_mean = NAN, eval_std;
        if (rc->eval_freq > 0 && r.st.steps >= r.st.next_eval) {
            while (r.st.next_eval <= r.st.steps) r.st.next_eval += rc->eval_freq;
            int ev = rank == 0 ? evaluate(r.algo, r.learner, r.col, env_id, rc->n_eval_episodes, eval_seed, false,
                                          &eval_mean, &eval_std, err, errlen) : 0;
            if (R > 1 && !async) { /* rank 0 evaluates; every rank learns the result (best.ckpt is collective) */
                double pk[2] = {ev, eval_mean};
                if (comm_bcast(pk, sizeof pk, 0, err, errlen)) { code = ACRL_ERR_RUNTIME; break; }
                ev = (int)pk[0];
                eval_mean = pk[1];
            }
            if (ev == 0) {
                last_eval = eval_mean;
                if (r.st.first_solved_step < 0 && spec && eval_mean >= spec->solved_threshold) {
                    r.st.first_solved_step = r.st.steps;
                    first_solved_s = prev.train_time + train_time;
                }
                if (eval_mean > r.st.best_eval) {
                    r.st.best_eval = eval_mean;
                    if (write_ckpt(&r, dir, "best.ckpt", err, errlen)) { code = ACRL_ERR_RUNTIME; break; }
                }
            }
        }
        collector_recent(r.col, &ret_mean, &ret_std, &len_mean);
        /* a row every log_freq steps, at the end, and whenever an evaluation ran */
        bool log_now = r.st.steps >= r.st.next_log || r.st.steps >= r.st.total_steps || !isnan(eval_mean);
        if (log_now)
            while (r.st.next_log <= r.st.steps) r.st.next_log += rc->log_freq;
        if (log_now && rank == 0) {
            double wall = acrl_now_s() - t0;
            double row[NBASE + M_COUNT + ACRL_MAX_COSTS + ACRL_ALGO_MAX_EXTRA] = {
                (double)r.st.steps, prev.wall + wall, (r.st.steps - steps0) / (wall > 0 ? wall : 1e-9),
                ret_mean, ret_std, len_mean, (double)r.col->ep_count, eval_mean};
            for (int k = 0; k < M_COUNT; k++) row[NBASE + k] = m[k];
            for (int k = 0; k < ncost; k++) row[NBASE + M_COUNT + k] = collector_recent_cost(r.col, k);
            if (nextra) extra->values(r.learner, row + NBASE + M_COUNT + ncost);
            if (acrl_csv_row(csv, row, err, errlen)) { code = ACRL_ERR_RUNTIME; rank0_failed = 1; if (R == 1) break; }
            for (int k = 3; k < ncols; k++) {
                if (isnan(row[k]) || k == 6) continue;
                char tag[64];
                bool rollout = k < NBASE || (k >= NBASE + M_COUNT && k < NBASE + M_COUNT + ncost);
                snprintf(tag, sizeof tag, rollout ? "rollout/%s" : "train/%s", cols[k]);
                acrl_tboard_scalar(tb, tag, row[k], r.st.steps);
            }
            acrl_tboard_scalar(tb, "time/sps", row[2], r.st.steps);
            if (acrl_tboard_flush(tb)) {
                snprintf(err, errlen, "cannot write %s: %s", acrl_tboard_path(tb), strerror(errno));
                code = ACRL_ERR_RUNTIME;
                rank0_failed = 1;
                if (R == 1) break;
            }
        }
        if (rc->checkpoint_freq > 0 && r.st.steps >= r.st.next_ckpt) {
            while (r.st.next_ckpt <= r.st.steps) r.st.next_ckpt += rc->checkpoint_freq;
            if (write_ckpt(&r, dir, "last.ckpt", err, errlen)) { code = ACRL_ERR_RUNTIME; break; }
            if (rank == 0) {
            /* summary.json follows last.ckpt, so that even a killed run's summary is current */
            double wall = acrl_now_s() - t0;
            v.wall = prev.wall + wall;
            v.train_time = prev.train_time + train_time;
            v.sps = r.st.steps / (v.wall > 0 ? v.wall : 1e-9);
            v.train_return = ret_mean;
            for (int k = 0; k < ncost; k++) v.train_cost[k] = collector_recent_cost(r.col, k);
            v.last_eval = last_eval;
            v.first_solved_s = first_solved_s;
            v.inv_steps = r.st.steps - steps0;
            v.inv_wall = wall;
            v.inv_sps = v.inv_steps / (wall > 0 ? wall : 1e-9);
            if (write_summary(dir, &r, &v)) {
                snprintf(err, errlen, "cannot write %s/summary.json", dir);
                code = ACRL_ERR_RUNTIME;
                rank0_failed = 1;
                if (R == 1) break;
            }
            }
        }
        acrl_progress_update(&prog, r.st.steps, ret_mean);
        if (stop_after) { code = ACRL_INTERRUPTED; break; }
    }
    if (async && rank == 0 && !comm_failed()) { /* stop the collectors (they drain) */
        char e2[ACRL_ERRLEN] = "";
        if (offp_dist_finish(r.learner, r.col, e2, sizeof e2) && code != ACRL_ERR_RUNTIME) {
            snprintf(err, errlen, "%s", e2);
            code = ACRL_ERR_RUNTIME;
        }
    }
    if (R > 1 && !async && code != ACRL_INTERRUPTED) { /* a failure on the last iteration: every rank ends alike */
        int fl = code != ACRL_OK;
        char e2[ACRL_ERRLEN] = "";
        if (comm_any(fl, &fl, e2, sizeof e2) && code == ACRL_OK) { snprintf(err, errlen, "%s", e2); code = ACRL_ERR_RUNTIME; }
        if (fl && code == ACRL_OK) { code = ACRL_ERR_RUNTIME; err[0] = 0; }
    }
    double wall = acrl_now_s() - t0;
    /* communication figures of every rank (summary.json, --ranks-info) */
    double mine[2] = {comm_seconds() - comm0, wall}, all_comm[2 * R];
    if (R > 1 && !comm_failed() && comm_allgather(mine, sizeof mine, all_comm, err, errlen) && code == ACRL_OK)
        code = ACRL_ERR_RUNTIME;
    if (R == 1 || comm_failed())
        for (int k = 0; k < R; k++) { all_comm[2 * k] = mine[0]; all_comm[2 * k + 1] = mine[1]; }
    v.comm_max = 0;
    for (int k = 0; k < R; k++) v.comm_max = all_comm[2 * k] > v.comm_max ? all_comm[2 * k] : v.comm_max;
    v.comm_rank0 = all_comm[0];
    uint32_t params_crc = 0;
    if (R > 1 && !r.offdist && code == ACRL_OK && check_params_synced(&r, &params_crc, err, errlen)) code = ACRL_ERR_RUNTIME;
    collector_recent(r.col, &ret_mean, &ret_std, &len_mean);
    acrl_progress_finish(&prog, r.st.steps, ret_mean);
    if (code == ACRL_OK || code == ACRL_INTERRUPTED) {
        /* last.ckpt always reflects where this invocation stopped */
        if (write_ckpt(&r, dir, "last.ckpt", err, errlen)) code = ACRL_ERR_RUNTIME;
    }
    if (code == ACRL_INTERRUPTED)
        snprintf(err, errlen, "interrupted at step %lld; continue with --resume %s", (long long)r.st.steps, dir);
    bool finished = code == ACRL_OK && r.st.steps >= r.st.total_steps;
    if (finished && write_ckpt(&r, dir, "final.ckpt", err, errlen)) code = ACRL_ERR_RUNTIME;
    if (rank != 0) { /* rank 0 writes policy.ckpt, evaluates and writes the summary */
        run_free(&r);
        return code;
    }
    if (finished && code == ACRL_OK) {
        snprintf(path, sizeof path, "%s/policy.ckpt", dir);
        if (policy_ckpt_write(r.algo, r.learner, r.col, r.config_text, path, err, errlen)) code = ACRL_ERR_RUNTIME;
    }
    double em = NAN, es = NAN;
    int neps = o->eval_episodes >= 0 ? o->eval_episodes : 20;
    if (code == ACRL_OK && neps > 0 &&
        evaluate_costs(r.algo, r.learner, r.col, env_id, neps, eval_seed + 7919u, false, &em, &es, v.eval_cost, err,
                       errlen))
        code = ACRL_ERR_RUNTIME;
    for (int k = 0; k < ncost; k++) v.train_cost[k] = collector_recent_cost(r.col, k);
    /* summary.json on every exit: an interrupted or failed invocation records the steps it
     * reached with finished false */
    v.finished = finished && code == ACRL_OK;
    v.wall = prev.wall + wall;
    v.train_time = prev.train_time + train_time;
    v.sps = r.st.steps / (v.wall > 0 ? v.wall : 1e-9);
    v.eval_mean = em;
    v.eval_std = es;
    v.eval_episodes = code == ACRL_OK ? neps : 0;
    v.train_return = ret_mean;
    v.last_eval = last_eval;
    v.first_solved_s = first_solved_s;
    v.inv_steps = r.st.steps - steps0;
    v.inv_wall = wall;
    v.inv_sps = v.inv_steps / (wall > 0 ? wall : 1e-9);
    if (write_summary(dir, &r, &v) && (code == ACRL_OK || code == ACRL_INTERRUPTED)) {
        snprintf(err, errlen, "cannot write %s/summary.json: %s", dir, strerror(errno));
        code = ACRL_ERR_RUNTIME;
    }
    if (o->ranks_info && r.offdist) {
        char msg[ACRL_ERRLEN];
        int64_t upd = OFFP_UPDATES((offp_core*)r.learner);
        snprintf(msg, sizeof msg, "ranks %d: 1 learner, %d collectors of %d env copies; env steps/s received by the "
                 "learner %.0f, updates/s %.0f; communicating %.3f s on the learner, %.3f s at most (of %.1f s)", R, R - 1,
                 r.lay.envs_per_shard, v.inv_sps, wall > 0 ? upd / wall : 0.0, v.comm_rank0, v.comm_max, wall);
        if (o->notice) o->notice(o->notice_user, msg);
        offp_dist_info di;
        offp_dist_stats((const offp_core*)r.learner, &di);
        int len = r.lay.sync ? snprintf(msg, sizeof msg, "sync = 1 (lock-step): rank 0 %lld updates", (long long)upd)
                             : snprintf(msg, sizeof msg, "sync = 0 (asynchronous, max_lag %d): rank 0 %lld updates, "
                                        "waited %.1f s for data, actor lag %.1f updates on average (%lld at most)",
                                        r.lay.max_lag, (long long)upd, di.wait_s, di.lag_mean, (long long)di.lag_max);
        for (int k = 0; k < di.collectors && k < OFFP_DIST_INFO_MAX && len > 0 && (size_t)len < sizeof msg; k++)
            len += r.lay.sync ? snprintf(msg + len, sizeof msg - (size_t)len, "; rank %d %lld env steps", k + 1,
                                         (long long)di.c[k].received)
                              : snprintf(msg + len, sizeof msg - (size_t)len, "; rank %d %lld env steps (%lld taken, "
                                         "%lld dropped at the stop), waited %.1f s", k + 1, (long long)di.c[k].received,
                                         (long long)di.c[k].taken, (long long)di.c[k].dropped, di.c[k].wait_s);
        if (o->notice) o->notice(o->notice_user, msg);
    } else if (o->ranks_info) {
        char msg[ACRL_ERRLEN];
        snprintf(msg, sizeof msg, "ranks %d, shards %d, env copies %d (%d per rank); steps/s %.0f overall, %.0f per "
                 "rank; communicating %.3f s on rank 0, %.3f s at most (%.1f%% of %.1f s)", R, r.lay.shards,
                 r.lay.num_envs, r.lay.local_envs, v.inv_sps, v.inv_sps / R, v.comm_rank0, v.comm_max,
                 wall > 0 ? 100.0 * v.comm_max / wall : 0.0, wall);
        if (o->notice) o->notice(o->notice_user, msg);
        if (R > 1 && code == ACRL_OK) {
            snprintf(msg, sizeof msg, "parameters identical on all %d ranks (crc32c %08x)", R, params_crc);
            if (o->notice) o->notice(o->notice_user, msg);
        }
    }
    if (acrl_csv_close(csv) && code == ACRL_OK) {
        snprintf(err, errlen, "cannot write %s/progress.csv: %s", dir, strerror(errno));
        code = ACRL_ERR_RUNTIME;
    }
    acrl_tboard_close(tb);
    run_free(&r);
    return code;
}

int acrl_eval_checkpoint(const char* path, int episodes, uint64_t seed, bool stochastic, double* mean, double* std,
                         char* err, size_t errlen) {
    return acrl_eval_checkpoint_costs(path, episodes, seed, stochastic, mean, std, NULL, NULL, err, errlen);
}

int acrl_eval_checkpoint_costs(const char* path, int episodes, uint64_t seed, bool stochastic, double* mean,
                               double* std, int* num_costs, double* cost_mean, char* err, size_t errlen) {
    acrl_ckpt* ck = acrl_ckpt_load(path, err, errlen);
    if (!ck) return ACRL_ERR_INPUT;
    if (acrl_marl_algo_exists(acrl_ckpt_algo(ck))) {   /* a multi-agent checkpoint */
        acrl_ckpt_free(ck);
        if (num_costs) *num_costs = 0;
        return acrl_marl_eval_checkpoint(path, episodes, seed, stochastic, mean, std, err, errlen);
    }
    run r;
    memset(&r, 0, sizeof r);
    acrl_train_options o = acrl_train_options_default();
    int code = run_setup(&r, &o, ck, err, errlen);
    acrl_ckpt_free(ck);
    if (code == ACRL_OK &&
        evaluate_costs(r.algo, r.learner, r.col, r.col->venv->envs[0]->id, episodes, seed, stochastic, mean, std,
                       cost_mean, err, errlen))
        code = ACRL_ERR_RUNTIME;
    if (num_costs) *num_costs = code == ACRL_OK ? r.col->num_costs : 0;
    run_free(&r);
    return code;
}

int acrl_checkpoint_episode(const char* path, const char* env_args_extra, int64_t seed,
                            void (*on_end)(void* user, acrl_env* env), void* user, char* err, size_t errlen) {
    acrl_ckpt* ck = acrl_ckpt_load(path, err, errlen);
    if (!ck) return ACRL_ERR_INPUT;
    run r;
    memset(&r, 0, sizeof r);
    acrl_train_options o = acrl_train_options_default();
    int code = run_setup(&r, &o, ck, err, errlen);
    acrl_ckpt_free(ck);
    acrl_env* env = NULL;
    if (code == ACRL_OK) {
        char args[600];
        snprintf(args, sizeof args, "%s%s%s", r.col->env_args, r.col->env_args[0] && env_args_extra ? "," : "",
                 env_args_extra ? env_args_extra : "");
        acrl_env_options eo = acrl_env_options_default();
        if (args[0]) eo.env_args = args;
        env = acrl_env_make(r.col->venv->envs[0]->id, &eo, err, errlen);
        if (!env) code = ACRL_ERR_INPUT;
    }
    if (code == ACRL_OK) {
        int od = env->obs_space.dim, ad = env->act_space.dim;
        float* raw = malloc(sizeof(float) * (size_t)od * 2);
        float act[ad > 0 ? ad : 1];
        if (!raw) {
            snprintf(err, errlen, "out of memory");
            code = ACRL_ERR_RUNTIME;
        } else {
            float* obs = raw + od;
            acrl_env_reset(env, seed, raw);
            bool term = false, trunc = false;
            while (!term && !trunc) {
                collector_normalize_obs(r.col, raw, obs, 1);
                r.algo->act(r.learner, obs, 1, act, true);
                clip_box(&env->act_space, act);
                double rew;
                acrl_env_step(env, act, raw, &rew, &term, &trunc);
            }
            if (on_end) on_end(user, env);
            free(raw);
        }
    }
    acrl_env_close(env);
    run_free(&r);
    return code;
}

/* One interval: a decision every d steps (the first d of a sequence policy's K actions, its
 * last action held when d > K; an ordinary policy's action held for d steps). */
static int eval_interval(run* r, acrl_env* env, acrl_algo_sequence_fn seqfn, int K, int d, int episodes,
                         uint64_t seed, bool stochastic, double* mean, double* std) {
    const int od = env->obs_space.dim, ad = env->act_space.dim;
    float* buf = malloc(sizeof(float) * ((size_t)2 * od + (size_t)K * ad + ad));
    if (!buf) return -1;
    float *raw = buf, *obs = raw + od, *acts = obs + od, *act = acts + (size_t)K * ad;
    double s = 0, s2 = 0;
    for (int ep = 0; ep < episodes; ep++) {
        acrl_env_reset(env, (int64_t)(seed + (uint64_t)ep), raw);
        double ret = 0;
        bool term = false, trunc = false;
        while (!term && !trunc) {
            collector_normalize_obs(r->col, raw, obs, 1);
            if (K > 1) seqfn(r->learner, obs, 1, acts, !stochastic);
            else r->algo->act(r->learner, obs, 1, acts, !stochastic);
            for (int i = 0; i < d && !term && !trunc; i++) {
                memcpy(act, acts + (size_t)(i < K ? i : K - 1) * ad, sizeof(float) * ad);
                clip_box(&env->act_space, act);
                double rw;
                acrl_env_step(env, act, raw, &rw, &term, &trunc);
                ret += rw;
            }
        }
        s += ret;
        s2 += ret * ret;
    }
    free(buf);
    *mean = s / episodes;
    double var = s2 / episodes - *mean * *mean;
    *std = var > 0 ? sqrt(var) : 0.0;
    return 0;
}

int acrl_eval_decision_intervals(const char* path, const int* intervals, int n, int episodes, uint64_t seed,
                                 bool stochastic, double* mean, double* std, int* seq_len, char* err, size_t errlen) {
    acrl_ckpt* ck = acrl_ckpt_load(path, err, errlen);
    if (!ck) return ACRL_ERR_INPUT;
    if (acrl_marl_algo_exists(acrl_ckpt_algo(ck))) {
        snprintf(err, errlen, "--decision-intervals: %s is a multi-agent checkpoint (%s); decision intervals apply to "
                 "single-agent policies with Box actions", path, acrl_ckpt_algo(ck));
        acrl_ckpt_free(ck);
        return ACRL_ERR_INPUT;
    }
    run r;
    memset(&r, 0, sizeof r);
    acrl_train_options o = acrl_train_options_default();
    int code = run_setup(&r, &o, ck, err, errlen);
    acrl_ckpt_free(ck);
    acrl_env* env = NULL;
    if (code == ACRL_OK) {
        acrl_env_options eo = acrl_env_options_default();
        if (r.col->env_args[0]) eo.env_args = r.col->env_args;
        env = acrl_env_make(r.col->venv->envs[0]->id, &eo, err, errlen);
        if (!env) code = ACRL_ERR_INPUT;
    }
    if (code == ACRL_OK && env->act_space.kind != ACRL_SPACE_BOX) {
        snprintf(err, errlen, "--decision-intervals: %s's env %s has a Discrete action space; decision intervals "
                 "apply to policies with Box (continuous) actions", path, env->id);
        code = ACRL_ERR_INPUT;
    }
    acrl_algo_sequence_fn seqfn = code == ACRL_OK ? acrl_algo_sequence_find(r.algo) : NULL;
    const int K = seqfn ? seqfn(r.learner, NULL, 0, NULL, true) : 1;
    if (seq_len) *seq_len = K;
    for (int i = 0; i < n && code == ACRL_OK; i++)
        if (eval_interval(&r, env, seqfn, K, intervals[i], episodes, seed, stochastic, &mean[i], &std[i])) {
            snprintf(err, errlen, "out of memory");
            code = ACRL_ERR_RUNTIME;
        }
    acrl_env_close(env);
    run_free(&r);
    return code;
}

int acrl_export_policy(const char* ckpt_path, const char* out_path, char* err, size_t errlen) {
    acrl_ckpt* ck = acrl_ckpt_load(ckpt_path, err, errlen);
    if (!ck) return ACRL_ERR_INPUT;
    run r;
    memset(&r, 0, sizeof r);
    acrl_train_options o = acrl_train_options_default();
    int code = run_setup(&r, &o, ck, err, errlen);
    acrl_ckpt_free(ck);
    if (code == ACRL_OK && policy_ckpt_write(r.algo, r.learner, r.col, r.config_text, out_path, err, errlen))
        code = ACRL_ERR_RUNTIME;
    run_free(&r);
    return code;
}

/* ---- loaded policies (acrl_agent) ----------------------------------------------------- */

struct acrl_agent {
    run    r;
    int    chunk;     /* rows per algo->act call: the learner's batch (its env count) */
    float* scratch;   /* (chunk, obs_dim) normalized observations */
};

void acrl_agent_free(acrl_agent* a) {
    if (!a) return;
    run_free(&a->r);
    free(a->scratch);
    free(a);
}

acrl_agent* acrl_agent_load(const char* ckpt_path, char* err, size_t errlen) {
    acrl_ckpt* ck = acrl_ckpt_load(ckpt_path, err, errlen);
    if (!ck) return NULL;
    acrl_agent* a = calloc(1, sizeof *a);
    if (!a) { acrl_ckpt_free(ck); snprintf(err, errlen, "out of memory"); return NULL; }
    acrl_train_options o = acrl_train_options_default();
    int code = run_setup(&a->r, &o, ck, err, errlen);
    acrl_ckpt_free(ck);
    if (code != ACRL_OK) { acrl_agent_free(a); return NULL; }
    a->chunk = a->r.col->num_envs;
    a->scratch = malloc(sizeof(float) * (size_t)a->chunk * (size_t)a->r.col->obs_dim);
    if (!a->scratch) { acrl_agent_free(a); snprintf(err, errlen, "out of memory"); return NULL; }
    return a;
}

const char* acrl_agent_algo(const acrl_agent* a) { return a->r.algo->name; }
const char* acrl_agent_env_id(const acrl_agent* a) { return a->r.col->venv->envs[0]->id; }
const acrl_space* acrl_agent_obs_space(const acrl_agent* a) { return &a->r.col->venv->envs[0]->obs_space; }
const acrl_space* acrl_agent_act_space(const acrl_agent* a) { return &a->r.col->venv->envs[0]->act_space; }

void acrl_agent_act(acrl_agent* a, const float* obs, int n, float* actions, bool deterministic) {
    const acrl_space* as = acrl_agent_act_space(a);
    int od = a->r.col->obs_dim, ad = as->dim;
    for (int i = 0; i < n; i += a->chunk) {
        int k = n - i < a->chunk ? n - i : a->chunk;
        collector_normalize_obs(a->r.col, obs + (size_t)i * od, a->scratch, k);
        a->r.algo->act(a->r.learner, a->scratch, k, actions + (size_t)i * ad, deterministic);
        for (int j = 0; j < k; j++) clip_box(as, actions + (size_t)(i + j) * ad);
    }
}

/* what the exporters (algo/export.c) read of a loaded policy (algo/agent.h) */
const acrl_algo* agent_algo(const acrl_agent* a) { return a->r.algo; }
void* agent_learner(const acrl_agent* a) { return a->r.learner; }
const acrl_collector* agent_collector(const acrl_agent* a) { return a->r.col; }

int agent_config_value(const acrl_agent* a, const char* key, char* out, size_t outlen) {
    const full_config* fc = &a->r.fc;
    for (const acrl_config_entry* e = fc->table; e->key; e++)
        if (strcmp(e->key, key) == 0) {
            acrl_config_format_value(e, fc->block, out, outlen);
            return 0;
        }
    return -1;
}

/* ---- Q-value estimation bias (acrl qbias) ---------------------------------------------- */

#define QBIAS_TAIL_EPS 0.01 /* a truncated return is counted without its tail when gamma^(T - t) <= this */

/* One episode of the policy: critic estimates q and learner-unit rewards r per step (grown as
 * needed); *q_boot: the critic at the final state and the policy's action there. */
static int qbias_episode(run* r, acrl_env* env, uint64_t seed, bool stochastic, float** q, double** rew, int* cap,
                         int* T, bool* terminated, double* q_boot) {
    const int od = env->obs_space.dim, ad = env->act_space.dim;
    float raw[od], obs[od], act[ad > 0 ? ad : 1], qv;
    acrl_env_reset(env, (int64_t)seed, raw);
    bool term = false, trunc = false;
    int t = 0;
    while (!term && !trunc) {
        if (t == *cap) {
            int nc = *cap ? 2 * *cap : 1024;
            float* nq = realloc(*q, sizeof(float) * (size_t)nc);
            if (nq) *q = nq;
            double* nr = realloc(*rew, sizeof(double) * (size_t)nc);
            if (nr) *rew = nr;
            if (!nq || !nr) return -1;
            *cap = nc;
        }
        collector_normalize_obs(r->col, raw, obs, 1);
        r->algo->act(r->learner, obs, 1, act, !stochastic);
        r->algo->qvalue(r->learner, obs, act, 1, &qv);
        clip_box(&env->act_space, act);
        double rw;
        acrl_env_step(env, act, raw, &rw, &term, &trunc);
        (*q)[t] = qv;
        (*rew)[t] = collector_scale_reward(r->col, rw);
        t++;
    }
    *T = t;
    *terminated = term;
    *q_boot = 0;
    if (!term) { /* raw holds the final observation */
        collector_normalize_obs(r->col, raw, obs, 1);
        r->algo->act(r->learner, obs, 1, act, !stochastic);
        r->algo->qvalue(r->learner, obs, act, 1, &qv);
        *q_boot = qv;
    }
    return 0;
}

int acrl_qbias(const char* path, int episodes, uint64_t seed, bool stochastic, acrl_qbias_result* out, char* err,
               size_t errlen) {
    acrl_ckpt* ck = acrl_ckpt_load(path, err, errlen);
    if (!ck) return ACRL_ERR_INPUT;
    if (policy_ckpt_is(ck)) {
        snprintf(err, errlen, "%s is a policy-only checkpoint (no critic): give the run's final.ckpt or last.ckpt", path);
        acrl_ckpt_free(ck);
        return ACRL_ERR_INPUT;
    }
    run r;
    memset(&r, 0, sizeof r);
    acrl_train_options o = acrl_train_options_default();
    int code = run_setup(&r, &o, ck, err, errlen);
    acrl_ckpt_free(ck);
    if (code == ACRL_OK && !r.algo->qvalue) {
        snprintf(err, errlen, "%s has no Q critic: the Q-bias applies to the off-policy algorithms", r.algo->name);
        code = ACRL_ERR_INPUT;
    }
    if (code == ACRL_OK && fc_run(&r.fc)->critic_obs == 1) {
        snprintf(err, errlen, "the run's critics read privileged states (critic_obs = state): the Q-bias is not "
                 "measured for them");
        code = ACRL_ERR_INPUT;
    }
    acrl_env* env = NULL;
    if (code == ACRL_OK) {
        acrl_env_options eo = acrl_env_options_default();
        if (r.col->env_args[0]) eo.env_args = r.col->env_args;
        env = acrl_env_make(r.col->venv->envs[0]->id, &eo, err, errlen);
        if (!env) code = ACRL_ERR_RUNTIME;
    }
    float* q = NULL;
    double* rew = NULL;
    int cap = 0;
    qbias_acc acc = {0};
    const double gamma = code == ACRL_OK ? fc_run(&r.fc)->gamma : 0;
    for (int ep = 0; ep < episodes && code == ACRL_OK; ep++) {
        int T;
        bool term;
        double q_boot;
        if (qbias_episode(&r, env, seed + (uint64_t)ep, stochastic, &q, &rew, &cap, &T, &term, &q_boot)) {
            snprintf(err, errlen, "out of memory");
            code = ACRL_ERR_RUNTIME;
            break;
        }
        qbias_add_episode(&acc, rew, q, T, term, q_boot, gamma, QBIAS_TAIL_EPS);
    }
    if (code == ACRL_OK) {
        qbias_finish(&acc, out);
        out->gamma = gamma;
    }
    free(q);
    free(rew);
    acrl_env_close(env);
    run_free(&r);
    return code;
}

int acrl_qbias_write_summary(const char* path, const acrl_qbias_result* q, bool stochastic) {
    FILE* f = fopen(path, "r");
    if (!f) return -1;
    char* text = NULL;
    size_t len = 0, cap = 0;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = 2 * (len + n + 1);
            char* t = realloc(text, cap);
            if (!t) { free(text); fclose(f); return -1; }
            text = t;
        }
        memcpy(text + len, buf, n);
        len += n;
    }
    fclose(f);
    if (!text) return -1;
    text[len] = 0;
    /* keep every field but earlier q_bias_* ones (acrl's summaries hold one field per line) */
    char* end = strrchr(text, '}');
    if (!end) { free(text); return -1; }
    *end = 0;
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE* w = fopen(tmp, "w");
    if (!w) { free(text); return -1; }
    acrl_json j = {w, 0};
    for (char* line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char* p = line;
        while (*p == ' ') p++;
        if (*p == '{' || *p == 0 || strncmp(p, "\"q_bias_", 8) == 0) continue;
        size_t l = strlen(p);
        if (p[l - 1] == ',') p[l - 1] = 0;
        fputs(j.nfields++ ? ",\n  " : "{\n  ", w);
        fputs(p, w);
    }
    free(text);
    if (!j.nfields) fputc('{', w);
    acrl_json_string(&j, "q_bias_policy", stochastic ? "stochastic" : "deterministic");
    acrl_json_int(&j, "q_bias_episodes", q->episodes);
    acrl_json_int(&j, "q_bias_states", q->states);
    acrl_json_number(&j, "q_bias_q_mean", q->q_mean);
    acrl_json_number(&j, "q_bias_return_mean", q->return_mean);
    acrl_json_number(&j, "q_bias_mean", q->bias_mean);
    acrl_json_number(&j, "q_bias_std", q->bias_std);
    acrl_json_number(&j, "q_bias_normalized_mean", q->norm_mean);
    acrl_json_number(&j, "q_bias_normalized_std", q->norm_std);
    acrl_json_int(&j, "q_bias_tail_bootstrapped", q->bootstrapped);
    acrl_json_int(&j, "q_bias_tail_dropped", q->dropped);
    int bad = acrl_json_end(&j);
    if (fclose(w) || bad || rename(tmp, path)) { remove(tmp); return -1; }
    return 0;
}
