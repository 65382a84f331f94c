/* Env registration (acrl_env_register): refused specs with their messages, a registered
 * env made, stepped and trained by id; envs made of callbacks; the vecenv's next-step
 * autoreset against the same-step one; reseeding; acrl_agent acting as acrl eval does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acrl.h"
#include "test.h"

static int contains(const char* s, const char* part) { return strstr(s, part) != NULL; }

/* ---- a callback env: x counts steps, the episode terminates after `len` steps, where len
 * is 2 + seed % 3 (so the seed it receives is visible in the episode lengths) ---- */
typedef struct { int t, len, closed; uint64_t last_seed; } counter;
static counter g_counters[16];
static int g_ncounters;

static void counter_reset(void* user, uint64_t seed, float* obs) {
    counter* c = user;
    c->t = 0;
    c->len = 2 + (int)(seed % 3);
    c->last_seed = seed;
    obs[0] = 0.0f;
}
static void counter_step(void* user, const float* action, float* obs, double* reward, bool* term, bool* trunc) {
    counter* c = user;
    c->t++;
    obs[0] = (float)c->t;
    *reward = action[0];
    *term = c->t >= c->len;
    *trunc = false;
}
static void counter_close(void* user) { ((counter*)user)->closed = 1; }

static acrl_env* counter_create(const acrl_env_options* opt, char* err, size_t errlen) {
    (void)opt;
    float lo = 0, hi = 100, alo = -1, ahi = 1;
    acrl_space os = {ACRL_SPACE_BOX, 1, 0, &lo, &hi}, as = {ACRL_SPACE_BOX, 1, 0, &alo, &ahi};
    acrl_env_callbacks cb = {&g_counters[g_ncounters++ % 16], counter_reset, counter_step, counter_close};
    return acrl_env_from_callbacks("Counter-v0", &cb, &os, &as, err, errlen);
}

static acrl_env* null_create(const acrl_env_options* opt, char* err, size_t errlen) {
    (void)opt;
    snprintf(err, errlen, "null_create fails on purpose");
    return NULL;
}

/* an env whose vtable lacks the snapshot functions: refused when made */
static void nostate_reset(acrl_env* env, float* obs) { (void)env; obs[0] = 0; }
static void nostate_step(acrl_env* env, const float* a, float* obs, double* r, bool* te, bool* tr) {
    (void)env; (void)a; obs[0] = 0; *r = 0; *te = true; *tr = false;
}
static const acrl_env_vtable nostate_vt = {.reset = nostate_reset, .step = nostate_step};
static acrl_env* nostate_create(const acrl_env_options* opt, char* err, size_t errlen) {
    (void)opt; (void)err; (void)errlen;
    static float lo = -1, hi = 1;
    acrl_env* e = calloc(1, sizeof *e);
    e->vt = &nostate_vt;
    e->id = "NoState-v0";
    e->obs_space = (acrl_space){ACRL_SPACE_BOX, 1, 0, &lo, &hi};
    e->act_space = (acrl_space){ACRL_SPACE_DISCRETE, 1, 2, NULL, NULL};
    return e;
}

static void test_register_refusals(void) {
    char err[ACRL_ERRLEN];
    acrl_env_spec s = {"CartPole-v1", 10, NAN, null_create};
    CHECK(acrl_env_register(&s, err, sizeof err) == -1 && contains(err, "'CartPole-v1' is already registered"));
    s.id = "";
    CHECK(acrl_env_register(&s, err, sizeof err) == -1 && contains(err, "empty"));
    s.id = "bad id";
    CHECK(acrl_env_register(&s, err, sizeof err) == -1 && contains(err, "malformed"));
    s.id = "9Lives-v0";
    CHECK(acrl_env_register(&s, err, sizeof err) == -1 && contains(err, "malformed"));
    s.id = "a/b";
    CHECK(acrl_env_register(&s, err, sizeof err) == -1 && contains(err, "malformed"));
    char longid[80];
    memset(longid, 'x', 79);
    longid[79] = 0;
    s.id = longid;
    CHECK(acrl_env_register(&s, err, sizeof err) == -1 && contains(err, "longer than 63"));
    s.id = "NoCreate-v0";
    s.create = NULL;
    CHECK(acrl_env_register(&s, err, sizeof err) == -1 && contains(err, "no create function"));
    s.create = null_create;
    s.max_episode_steps = -1;
    CHECK(acrl_env_register(&s, err, sizeof err) == -1 && contains(err, "negative"));
    CHECK(acrl_env_register(NULL, err, sizeof err) == -1);
    CHECK(acrl_env_spec_find("NoCreate-v0") == NULL);

    /* create failing, and a created env without snapshot functions */
    int n0 = acrl_env_count();
    acrl_env_spec f = {"Failing-v0", 0, NAN, null_create};
    CHECK(acrl_env_register(&f, err, sizeof err) == 0);
    CHECK(acrl_env_count() == n0 + 1);
    CHECK(acrl_env_make("Failing-v0", NULL, err, sizeof err) == NULL && contains(err, "on purpose"));
    acrl_env_spec ns = {"NoState-v0", 5, NAN, nostate_create};
    CHECK(acrl_env_register(&ns, err, sizeof err) == 0);
    CHECK(acrl_env_make("NoState-v0", NULL, err, sizeof err) == NULL && contains(err, "state_bytes"));
}

static void test_callback_env(void) {
    char err[ACRL_ERRLEN];
    char id[32];
    snprintf(id, sizeof id, "Counter-v0");   /* the registry copies the id */
    acrl_env_spec s = {id, 3, 1.5, counter_create};
    CHECK(acrl_env_register(&s, err, sizeof err) == 0);
    snprintf(id, sizeof id, "Clobbered");
    const acrl_env_spec* found = acrl_env_spec_find("Counter-v0");
    CHECK(found && found->max_episode_steps == 3 && found->solved_threshold == 1.5);
    CHECK(acrl_env_register(&s, err, sizeof err) == 0);   /* "Clobbered" now: a new id, fine */
    snprintf(id, sizeof id, "Counter-v0");
    CHECK(acrl_env_register(&s, err, sizeof err) == -1 && contains(err, "already registered"));

    acrl_env* e = acrl_env_make("Counter-v0", NULL, err, sizeof err);
    CHECK(e != NULL);
    if (!e) return;
    counter* c = &g_counters[(g_ncounters - 1) % 16];   /* the one counter_create just handed out */
    float obs[1], a[1] = {0.5f};
    double r;
    bool te, tr;
    /* same seed, same seed handed to the callback; the time limit of 3 truncates */
    acrl_env_reset(e, 7, obs);
    uint64_t s7 = c->last_seed;
    acrl_env_reset(e, 8, obs);
    CHECK(c->last_seed != s7);
    acrl_env_reset(e, 7, obs);
    CHECK(c->last_seed == s7);
    int steps = 0;
    do { acrl_env_step(e, a, obs, &r, &te, &tr); steps++; } while (!te && !tr);
    CHECK(r == 0.5 && obs[0] == (float)steps);
    CHECK(steps == (c->len < 3 ? c->len : 3) && (te == (c->len <= 3)));
    acrl_env_close(e);
    CHECK(c->closed == 1);

    /* bad spaces */
    float lo = 1, hi = 0;
    acrl_space os = {ACRL_SPACE_BOX, 1, 0, &lo, &hi}, as = {ACRL_SPACE_DISCRETE, 1, 0, NULL, NULL};
    acrl_env_callbacks cb = {NULL, counter_reset, counter_step, NULL};
    CHECK(acrl_env_from_callbacks("X-v0", &cb, &os, &as, err, sizeof err) == NULL && contains(err, "low <= high"));
    lo = 0, hi = 1;
    CHECK(acrl_env_from_callbacks("X-v0", &cb, &os, &as, err, sizeof err) == NULL && contains(err, "n >= 1"));
    cb.step = NULL;
    as.n = 2;
    CHECK(acrl_env_from_callbacks("X-v0", &cb, &os, &as, err, sizeof err) == NULL);
}

/* next-step autoreset: the step after an episode end only resets (reward 0, no flags), and
 * every transition otherwise equals the same-step vecenv's */
static void test_next_step_autoreset(void) {
    char err[ACRL_ERRLEN];
    acrl_vecenv* same = acrl_vecenv_make("CartPole-v1", 3, 11, 1, NULL, err, sizeof err);
    acrl_vecenv* next = acrl_vecenv_make("CartPole-v1", 3, 11, 1, NULL, err, sizeof err);
    CHECK(same && next);
    if (!same || !next) return;
    acrl_vecenv_set_autoreset(next, ACRL_AUTORESET_NEXT_STEP);
    acrl_vecenv_reset(same);
    acrl_vecenv_reset(next);
    CHECK(memcmp(same->obs, next->obs, sizeof(float) * 12) == 0);
    bool pending[3] = {false, false, false};
    int resets = 0, mismatches = 0;
    float acts[3];
    acrl_rng rng;
    acrl_rng_seed(&rng, 5);
    /* the next-step env runs one extra step per episode end; drive the same-step env only
     * on the steps where the next-step copy really stepped (per copy: one copy each) */
    acrl_vecenv* s1[3];
    for (int i = 0; i < 3; i++) {
        s1[i] = acrl_vecenv_make("CartPole-v1", 1, 11 + (uint64_t)i, 1, NULL, err, sizeof err);
        acrl_vecenv_reset(s1[i]);
    }
    for (int t = 0; t < 300; t++) {
        for (int i = 0; i < 3; i++) acts[i] = (float)acrl_rng_below(&rng, 2);
        acrl_vecenv_step(next, acts);
        for (int i = 0; i < 3; i++) {
            if (pending[i]) {   /* reset step: obs is the one the same-step env already shows */
                resets++;
                mismatches += next->rewards[i] != 0.0 || next->terminated[i] || next->truncated[i] ||
                              memcmp(next->obs + 4 * i, s1[i]->obs, 16) != 0;
                pending[i] = false;
                continue;
            }
            acrl_vecenv_step(s1[i], &acts[i]);
            bool done = s1[i]->terminated[0] || s1[i]->truncated[0];
            const float* want = done ? s1[i]->final_obs : s1[i]->obs;
            mismatches += memcmp(next->obs + 4 * i, want, 16) != 0 || next->rewards[i] != s1[i]->rewards[0] ||
                          next->terminated[i] != s1[i]->terminated[0] || next->truncated[i] != s1[i]->truncated[0];
            pending[i] = done;
        }
    }
    printf("  next-step autoreset: %d reset steps, %d mismatches\n", resets, mismatches);
    CHECK(resets > 5 && mismatches == 0);
    /* reseed: the next reset starts copy i from seed + i again */
    float first[12];
    acrl_vecenv_reseed(next, 11);
    acrl_vecenv_reset(next);
    memcpy(first, next->obs, sizeof first);
    acrl_vecenv_reset(same);   /* unseeded */
    CHECK(memcmp(first, same->obs, sizeof first) != 0);
    acrl_vecenv_reseed(same, 11);
    acrl_vecenv_reset(same);
    CHECK(memcmp(first, same->obs, sizeof first) == 0);
    for (int i = 0; i < 3; i++) acrl_vecenv_close(s1[i]);
    acrl_vecenv_close(same);
    acrl_vecenv_close(next);
}

/* train a registered callback env by id, then act with the loaded checkpoint */
static void test_train_and_agent(void) {
    char err[1024];
    acrl_train_options o = acrl_train_options_default();
    const char* sets[] = {"n_envs=2", "n_steps=16", "batch_size=32", "n_epochs=1", "eval_freq=0"};
    o.algo = "ppo";
    o.env_id = "Counter-v0";
    o.steps = 64;
    char dir[128], path[160];
    snprintf(dir, sizeof dir, "/tmp/acrl_test_registry_%d", (int)getpid());
    o.out_dir = dir;
    o.quiet = true;
    o.eval_episodes = 2;
    o.overrides = sets;
    o.n_overrides = 5;
    int rc = acrl_train(&o, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    CHECK(rc == ACRL_OK);
    snprintf(path, sizeof path, "%s/final.ckpt", dir);
    acrl_agent* a = acrl_agent_load(path, err, sizeof err);
    CHECK(a != NULL);
    if (!a) return;
    CHECK(strcmp(acrl_agent_env_id(a), "Counter-v0") == 0 && strcmp(acrl_agent_algo(a), "ppo") == 0);
    CHECK(acrl_agent_obs_space(a)->dim == 1 && acrl_agent_act_space(a)->dim == 1);
    /* a batch of 5 (more than the 2 env copies) equals 5 single calls; actions stay in [-1, 1] */
    float obs[5] = {0, 1, 2, 3, 50}, batch[5], one[1];
    acrl_agent_act(a, obs, 5, batch, true);
    int same = 0, inside = 0;
    for (int i = 0; i < 5; i++) {
        acrl_agent_act(a, obs + i, 1, one, true);
        same += one[0] == batch[i];
        inside += batch[i] >= -1.0f && batch[i] <= 1.0f;
    }
    CHECK(same == 5 && inside == 5);
    acrl_agent_free(a);
    snprintf(path, sizeof path, "%s/none.ckpt", dir);
    CHECK(acrl_agent_load(path, err, sizeof err) == NULL);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

int main(void) {
    test_register_refusals();
    test_callback_env();
    test_next_step_autoreset();
    test_train_and_agent();
    return test_summary("test_registry");
}
