/* target_reach.c - an env of your own in one C file, trained with PPO through libacrl.
 *
 * TargetReach-v0: a point on the line [-1, 1] must reach a target drawn at each reset.
 * Observation (x, target); actions Discrete(3): move -0.1, stay, move +0.1; reward -0.05
 * per step and +1 on arrival (|x - target| < 0.05, which ends the episode); 100 steps at
 * most. Random actions score about -2.3 (200 episodes); a good policy about +0.7.
 *
 * Two ways to use it (`make examples` builds both in build/examples/):
 *   program:  cc target_reach.c $(pkg-config --cflags --libs acrl) -lm -o target_reach
 *             ./target_reach [RUN_DIR]     registers the env, trains PPO, prints the return
 *   plugin:   cc -shared -fPIC target_reach.c -o libtarget_reach.so
 *             acrl train ppo TargetReach-v0 --plugin ./libtarget_reach.so
 *   (a plugin is not linked with libacrl: the acrl binary provides its functions) */
#include <acrl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double x, target;   /* everything that evolves besides env->rng */
} target_reach;

static void tr_obs(const target_reach* t, float* obs) {
    obs[0] = (float)t->x;
    obs[1] = (float)t->target;
}

static void tr_reset(acrl_env* env, float* obs) {
    target_reach* t = env->data;
    t->x = acrl_rng_uniform(&env->rng, -1.0, 1.0);   /* the env's own RNG: seeded resets replay */
    t->target = acrl_rng_uniform(&env->rng, -1.0, 1.0);
    tr_obs(t, obs);
}

static void tr_step(acrl_env* env, const float* action, float* obs, double* reward, bool* terminated,
                    bool* truncated) {
    target_reach* t = env->data;
    int a = action[0] < 0.5f ? 0 : action[0] < 1.5f ? 1 : 2;   /* Discrete: one float holding the index */
    t->x = fmin(1.0, fmax(-1.0, t->x + 0.1 * (a - 1)));
    *terminated = fabs(t->x - t->target) < 0.05;
    *reward = *terminated ? 1.0 : -0.05;
    *truncated = false;   /* the registered time limit truncates */
    tr_obs(t, obs);
}

/* Snapshots for checkpoints (exact resume): the state and the RNG. */
static size_t tr_state_bytes(const acrl_env* env) { (void)env; return sizeof(target_reach) + sizeof(acrl_rng); }
static void tr_state_save(const acrl_env* env, void* buf) {
    memcpy(buf, env->data, sizeof(target_reach));
    memcpy((char*)buf + sizeof(target_reach), &env->rng, sizeof(acrl_rng));
}
static int tr_state_load(acrl_env* env, const void* buf) {
    memcpy(env->data, buf, sizeof(target_reach));
    memcpy(&env->rng, (const char*)buf + sizeof(target_reach), sizeof(acrl_rng));
    return 0;
}

static const acrl_env_vtable tr_vtable = {
    .reset = tr_reset, .step = tr_step, .state_bytes = tr_state_bytes,
    .state_save = tr_state_save, .state_load = tr_state_load,
};

/* One block: the env, its data and its observation bounds; acrl_env_close frees it. */
typedef struct {
    acrl_env env;
    target_reach data;
    float obs_low[2], obs_high[2];
} tr_block;

static acrl_env* tr_create(const acrl_env_options* opt, char* err, size_t errlen) {
    (void)opt;
    tr_block* b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    acrl_env* env = &b->env;
    env->vt = &tr_vtable;
    env->id = "TargetReach-v0";
    env->data = &b->data;
    for (int i = 0; i < 2; i++) b->obs_low[i] = -1.0f, b->obs_high[i] = 1.0f;
    env->obs_space = (acrl_space){ACRL_SPACE_BOX, 2, 0, b->obs_low, b->obs_high};
    env->act_space = (acrl_space){ACRL_SPACE_DISCRETE, 1, 3, NULL, NULL};
    acrl_rng_seed(&env->rng, 0);
    return env;
}

static const acrl_env_spec tr_spec = {"TargetReach-v0", 100, 0.5, tr_create};

/* The plugin entry point: `acrl ... --plugin libtarget_reach.so` calls it. */
int acrl_plugin_init(char* err, size_t errlen) { return acrl_env_register(&tr_spec, err, errlen); }

int main(int argc, char** argv) {
    char err[1024];
    if (acrl_env_register(&tr_spec, err, sizeof err) != 0) {
        fprintf(stderr, "target_reach: %s\n", err);
        return 2;
    }
    const char* sets[] = {"n_envs=8", "n_steps=128", "batch_size=256", "n_epochs=10", "learning_rate=1e-3",
                          "gamma=0.98", "eval_freq=0"};
    acrl_train_options o = acrl_train_options_default();
    o.algo = "ppo";
    o.env_id = "TargetReach-v0";
    o.steps = 60000;
    o.seed = 0;
    o.overrides = sets;
    o.n_overrides = (int)(sizeof sets / sizeof sets[0]);
    o.out_dir = argc > 1 ? argv[1] : "runs/target-reach";
    o.quiet = true;
    int rc = acrl_train(&o, err, sizeof err);
    if (rc != ACRL_OK) {
        fprintf(stderr, "target_reach: %s\n", err);
        return rc;
    }
    double mean, std;
    char path[1100];
    snprintf(path, sizeof path, "%s/final.ckpt", o.run_dir);
    if (acrl_eval_checkpoint(path, 100, 12345, false, &mean, &std, err, sizeof err) != ACRL_OK) {
        fprintf(stderr, "target_reach: %s\n", err);
        return 1;
    }
    printf("TargetReach-v0: PPO, 60000 steps: return over 100 episodes %.3f +- %.3f\n", mean, std);
    return 0;
}
