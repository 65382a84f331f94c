/* onpolicy_ref.h - shared by the tests of whole on-policy iterations against PyTorch
 * (test_a2c_torch.c, test_ppo_iter_torch.c): fixture files, a "twin" that replays a
 * learner's experience collection step by step to record what its update sees, and
 * parameter comparison.
 *
 * Fixture files hold one array per line, "name count v1 v2 ...", and '#' comment lines;
 * "#set key=value" comments carry a case's configuration to the Python generators.
 *
 * How the fixtures are made: the test run with "--dump DIR" writes, per case, the
 * learner's initial parameters, the configuration and every rollout it trains on (the
 * observations, actions, rewards, episode ends, final and last observations recorded by
 * the twin); the generator computes the update from these with its own PyTorch code
 * and writes the expected parameters and metrics. In a normal run the test checks that
 * the rollouts are still the recorded ones, then compares the learner after each
 * iteration with the reference. */
#ifndef ACRL_TEST_ONPOLICY_REF_H
#define ACRL_TEST_ONPOLICY_REF_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl.h"
#include "algo/algo.h"
#include "algo/collector.h"
#include "algo/onpolicy.h"
#include "test.h"

/* ---- fixture files ----------------------------------------------------------------- */

typedef struct { char name[96]; int n; float* v; } fx_array;
typedef struct { fx_array* a; int n, cap; } fx_file;

static void fx_free(fx_file* f) {
    for (int i = 0; i < f->n; i++) free(f->a[i].v);
    free(f->a);
    memset(f, 0, sizeof *f);
}

static int fx_load(fx_file* f, const char* path) {
    memset(f, 0, sizeof *f);
    FILE* fp = fopen(path, "r");
    if (!fp) { fprintf(stderr, "cannot open %s\n", path); return -1; }
    char name[96];
    int n;
    for (;;) {
        int c = fgetc(fp);
        while (c == '\n' || c == ' ') c = fgetc(fp);
        if (c == EOF) break;
        if (c == '#') { while (c != '\n' && c != EOF) c = fgetc(fp); continue; }
        ungetc(c, fp);
        if (fscanf(fp, "%95s %d", name, &n) != 2 || n < 0) break;
        if (f->n == f->cap) {
            int cap = f->cap ? 2 * f->cap : 256;
            fx_array* a = realloc(f->a, sizeof *a * (size_t)cap);
            if (!a) { fclose(fp); return -1; }
            f->a = a;
            f->cap = cap;
        }
        fx_array* a = &f->a[f->n++];
        snprintf(a->name, sizeof a->name, "%s", name);
        a->n = n;
        a->v = malloc(sizeof(float) * (size_t)(n ? n : 1));
        for (int i = 0; i < n; i++)
            if (!a->v || fscanf(fp, "%f", &a->v[i]) != 1) { fclose(fp); return -1; }
    }
    fclose(fp);
    return 0;
}

static const fx_array* fx_get(const fx_file* f, const char* name) {
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->a[i].name, name) == 0) return &f->a[i];
    fprintf(stderr, "fixture lacks %s\n", name);
    return NULL;
}

static void fx_write(FILE* fp, const char* name, const float* v, int n) {
    fprintf(fp, "%s %d", name, n);
    for (int i = 0; i < n; i++) fprintf(fp, " %.9g", v[i]);
    fputc('\n', fp);
}

/* ---- cases -------------------------------------------------------------------------- */

typedef struct {
    const char* name;            /* fixture fixtures/<name>.txt */
    const char* env_id;
    int         num_envs;
    uint64_t    seed;
    float       gamma;
    int         pre_steps;       /* fixed actions before training: puts episode ends into the rollouts */
    int         iterations;
    double      progress[4];     /* progress passed to each iteration (schedules) */
    const char* policy_set[8];   /* network keys, given to the learner and to the twin */
    const char* algo_set[24];    /* the algorithm's own keys */
} ref_case;

static int ref_apply(const acrl_config_entry* table, void* cfg, const char* const* kv, int n, char* err, size_t errlen) {
    for (int i = 0; i < n && kv[i]; i++)
        if (acrl_config_parse_override(table, cfg, kv[i], err, errlen)) return -1;
    return 0;
}

static void ref_write_config(FILE* fp, const ref_case* k) {
    fprintf(fp, "#set env=%s\n#set num_envs=%d\n#set gamma=%.9g\n", k->env_id, k->num_envs, k->gamma);
    for (int i = 0; i < 8 && k->policy_set[i]; i++) fprintf(fp, "#set %s\n", k->policy_set[i]);
    for (int i = 0; i < 24 && k->algo_set[i]; i++) fprintf(fp, "#set %s\n", k->algo_set[i]);
}

/* Fixed actions (Discrete: 1, 1, 0, 1, 1, 0, ...; Box: 0) for n steps. */
static void ref_pre_steps(acrl_collector* c, int n) {
    bool discrete = c->venv->envs[0]->act_space.kind == ACRL_SPACE_DISCRETE;
    float a[64 * 8];
    for (int t = 0; t < n; t++) {
        for (int i = 0; i < c->num_envs * c->act_dim; i++) a[i] = discrete ? (float)(t % 3 != 2) : 0.0f;
        collector_step(c, a);
    }
}

/* Parameters: every tensor of p written as "<prefix><tensor name>" / loaded from such lines. */
static void ref_write_params(FILE* fp, const char* prefix, const acrl_params* p) {
    char name[160];
    for (int i = 0; i < p->ntensors; i++) {
        const acrl_tensor* t = &p->tensors[i];
        snprintf(name, sizeof name, "%s%s", prefix, t->name);
        fx_write(fp, name, p->param + t->offset, t->rows * t->cols);
    }
}

static int ref_load_params(acrl_params* p, const fx_file* f, const char* prefix) {
    char name[160];
    for (int i = 0; i < p->ntensors; i++) {
        const acrl_tensor* t = &p->tensors[i];
        snprintf(name, sizeof name, "%s%s", prefix, t->name);
        const fx_array* a = fx_get(f, name);
        if (!a || a->n != t->rows * t->cols) return -1;
        memcpy(p->param + t->offset, a->v, sizeof(float) * (size_t)a->n);
    }
    return 0;
}

/* max over tensors of max |ours - want| / max(1, |want|) */
static double ref_compare_params(const acrl_params* p, const fx_file* f, const char* prefix) {
    char name[160];
    double worst = 0;
    for (int i = 0; i < p->ntensors; i++) {
        const acrl_tensor* t = &p->tensors[i];
        snprintf(name, sizeof name, "%s%s", prefix, t->name);
        const fx_array* a = fx_get(f, name);
        if (!a || a->n != t->rows * t->cols) return INFINITY;
        for (int j = 0; j < a->n; j++) {
            double d = fabs(p->param[t->offset + j] - a->v[j]) / fmax(1.0, fabs(a->v[j]));
            if (!(d <= worst)) worst = d;
        }
    }
    return worst;
}

/* ---- the twin: replays a learner's collection ------------------------------------------
 * Same env id, copies and seed as the learner's collector, a copy of its weights and of
 * its RNG: onpolicy_collect run one step at a time then draws the same random numbers and
 * sees the same transitions, and after each step the final observations of episodes that
 * ended are still in the collector. */
typedef struct {
    acrl_collector* col;
    acrl_params p;
    acrl_policy pol;
    acrl_rollout ro;                          /* one step */
    int E, od, ad, T;
    float *obs, *act, *rew, *term, *trunc;    /* (T, E, .) */
    float *final_obs;                         /* (T, E, od): zero where the episode goes on */
    float *last_obs;                          /* (E, od) after the rollout */
} ref_twin;

static void twin_free(ref_twin* w) {
    collector_free(w->col);
    policy_free(&w->pol);
    rollout_free(&w->ro);
    acrl_params_free(&w->p);
    free(w->obs); free(w->act); free(w->rew); free(w->term); free(w->trunc); free(w->final_obs); free(w->last_obs);
    memset(w, 0, sizeof *w);
}

static int twin_init(ref_twin* w, const char* env_id, int E, uint64_t seed, int T, const acrl_policy_config* pc,
                     char* err, size_t errlen) {
    memset(w, 0, sizeof *w);
    acrl_collector_options opt = {false, false, 10.0f, 10.0f, 0.99f};
    w->col = collector_create(env_id, E, seed, 1, &opt, err, errlen);
    if (!w->col) return -1;
    w->E = E;
    w->T = T;
    w->od = w->col->obs_dim;
    acrl_params_init(&w->p);
    if (policy_build(&w->pol, &w->p, w->od, &w->col->venv->envs[0]->act_space, pc, E, err, errlen) ||
        acrl_params_finalize(&w->p, err, errlen))
        return -1;
    w->ad = w->pol.act_dim;
    size_t n = (size_t)T * (size_t)E;
    w->obs = calloc(n * (size_t)w->od, sizeof(float));
    w->act = calloc(n * (size_t)w->ad, sizeof(float));
    w->rew = calloc(n, sizeof(float));
    w->term = calloc(n, sizeof(float));
    w->trunc = calloc(n, sizeof(float));
    w->final_obs = calloc(n * (size_t)w->od, sizeof(float));
    w->last_obs = calloc((size_t)E * (size_t)w->od, sizeof(float));
    if (rollout_init(&w->ro, 1, E, w->od, w->ad) || !w->obs || !w->act || !w->rew || !w->term || !w->trunc ||
        !w->final_obs || !w->last_obs) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* Collects T steps with the weights of src, drawing from rng (advanced in place). */
static int twin_collect(ref_twin* w, const acrl_params* src, acrl_rng* rng, float gamma, char* err, size_t errlen) {
    memcpy(w->p.param, src->param, acrl_params_bytes(src));
    int E = w->E, od = w->od, ad = w->ad;
    for (int t = 0; t < w->T; t++) {
        if (onpolicy_collect(&w->pol, &w->p, &w->ro, w->col, rng, gamma, 1.0f, err, errlen)) return -1;
        size_t i0 = (size_t)t * (size_t)E;
        memcpy(w->obs + i0 * od, w->ro.obs, sizeof(float) * (size_t)E * od);
        memcpy(w->act + i0 * ad, w->ro.actions, sizeof(float) * (size_t)E * ad);
        for (int e = 0; e < E; e++) {
            w->rew[i0 + e] = w->ro.rewards[e];
            w->term[i0 + e] = w->ro.terminated[e];
            w->trunc[i0 + e] = w->ro.truncated[e];
            if (w->ro.terminated[e] || w->ro.truncated[e])
                memcpy(w->final_obs + (i0 + e) * od, w->col->final_obs + (size_t)e * od, sizeof(float) * od);
            else
                memset(w->final_obs + (i0 + e) * od, 0, sizeof(float) * od);
        }
    }
    memcpy(w->last_obs, w->col->obs, sizeof(float) * (size_t)E * od);
    return 0;
}

#define TWIN_FIELDS(X) X(obs, od) X(act, ad) X(rew, 1) X(term, 1) X(trunc, 1) X(final_obs, od)

static void twin_write(const ref_twin* w, FILE* fp, const char* prefix) {
    char name[160];
    size_t n = (size_t)w->T * (size_t)w->E;
    int od = w->od, ad = w->ad;
    (void)ad;
#define X(f, d) snprintf(name, sizeof name, "%s" #f, prefix); fx_write(fp, name, w->f, (int)(n * (size_t)(d)));
    TWIN_FIELDS(X)
#undef X
    snprintf(name, sizeof name, "%slast_obs", prefix);
    fx_write(fp, name, w->last_obs, w->E * od);
}

/* Largest difference between the twin's rollout and the recorded one (INFINITY if a
 * discrete action or an episode end differs, or an array is missing). */
static double twin_compare(const ref_twin* w, const fx_file* f, const char* prefix) {
    char name[160];
    size_t n = (size_t)w->T * (size_t)w->E;
    int od = w->od, ad = w->ad;
    double worst = 0;
    bool discrete = w->pol.discrete;
#define X(fl, d)                                                                                 \
    {                                                                                            \
        snprintf(name, sizeof name, "%s" #fl, prefix);                                           \
        const fx_array* a = fx_get(f, name);                                                     \
        if (!a || (size_t)a->n != n * (size_t)(d)) return INFINITY;                              \
        bool exact = (discrete && strcmp(#fl, "act") == 0) || strcmp(#fl, "term") == 0 ||        \
                     strcmp(#fl, "trunc") == 0;                                                  \
        for (int j = 0; j < a->n; j++) {                                                         \
            double dd = fabs(w->fl[j] - a->v[j]) / fmax(1.0, fabs(a->v[j]));                     \
            if (exact && dd != 0) return INFINITY;                                               \
            if (!(dd <= worst)) worst = dd;                                                      \
        }                                                                                        \
    }
    TWIN_FIELDS(X)
#undef X
    (void)ad;
    snprintf(name, sizeof name, "%slast_obs", prefix);
    const fx_array* a = fx_get(f, name);
    if (!a || a->n != w->E * od) return INFINITY;
    for (int j = 0; j < a->n; j++) {
        double dd = fabs(w->last_obs[j] - a->v[j]) / fmax(1.0, fabs(a->v[j]));
        if (!(dd <= worst)) worst = dd;
    }
    return worst;
}

#endif
