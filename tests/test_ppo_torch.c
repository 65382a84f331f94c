/* test_ppo_torch: three PPO minibatch updates (clipped surrogate, clipped value loss,
 * entropy bonus, advantage normalization, grad-norm clipping, Adam) against PyTorch
 * (tests/gen_ppo_torch.py), for a categorical and a Gaussian policy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl.h"
#include "algo/algo.h"
#include "algo/ppo.h"
#include "test.h"

/* measured (gcc 12, -O3 -march=native, and the ASan build): parameters 5.2e-8, losses
 * 2.1e-7 (the fixture is float32 PyTorch); tolerances a little above */
#define TOL_PARAMS 1e-7
#define TOL_LOSSES 5e-7

extern const acrl_algo acrl_algo_ppo;

typedef struct { char name[64]; int n; float* v; } array;
typedef struct { array a[128]; int n; } fixture;

static int load(fixture* f, const char* path) {
    FILE* fp = fopen(path, "r");
    if (!fp) { fprintf(stderr, "cannot open %s\n", path); return -1; }
    f->n = 0;
    char name[64];
    int n;
    while (f->n < 128) {
        int c = fgetc(fp);
        if (c == EOF) break;
        if (c == '#') { while (c != '\n' && c != EOF) c = fgetc(fp); continue; }
        ungetc(c, fp);
        if (fscanf(fp, "%63s %d", name, &n) != 2) break;
        array* a = &f->a[f->n++];
        snprintf(a->name, sizeof a->name, "%s", name);
        a->n = n;
        a->v = malloc(sizeof(float) * (size_t)n);
        for (int i = 0; i < n; i++)
            if (fscanf(fp, "%f", &a->v[i]) != 1) { fclose(fp); return -1; }
    }
    fclose(fp);
    return 0;
}

static const array* get(const fixture* f, const char* name) {
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->a[i].name, name) == 0) return &f->a[i];
    fprintf(stderr, "fixture lacks %s\n", name);
    return NULL;
}

/* max |ours - theirs| / max(1, |theirs|) over a tensor of the store */
static double compare_tensor(const acrl_params* p, const char* name, const array* want) {
    const acrl_tensor* t = acrl_params_find(p, name);
    if (!t || !want || t->rows * t->cols != want->n) return INFINITY;
    double m = 0;
    for (int i = 0; i < want->n; i++) {
        double d = fabs(p->param[t->offset + i] - want->v[i]) / fmax(1.0, fabs(want->v[i]));
        if (d > m) m = d;
    }
    return m;
}

static void run_case(const char* file) {
    fixture f;
    char path[256];
    snprintf(path, sizeof path, "fixtures/%s", file);
    if (load(&f, path)) { CHECK(!"fixture loads"); return; }
    const float* cfgv = get(&f, "config")->v;
    int obs_dim = (int)cfgv[0], hid = (int)cfgv[1], A = (int)cfgv[2], B = (int)cfgv[3];
    bool discrete = cfgv[4] != 0;
    printf("%s (%s, B=%d)\n", file, discrete ? "categorical" : "Gaussian", B);

    /* learner configured like the generator */
    void* cfg = calloc(1, acrl_algo_ppo.cfg_size);
    acrl_algo_ppo.cfg_defaults(cfg);
    char err[ACRL_ERRLEN], kv[128];
    const char* keys[] = {"clip_range", "clip_range_vf", "ent_coef", "vf_coef", "max_grad_norm"};
    for (int k = 0; k < 5; k++) {
        snprintf(kv, sizeof kv, "%s=%.9g", keys[k], cfgv[5 + k]);
        CHECK(acrl_config_parse_override(acrl_algo_ppo.cfg_table, cfg, kv, err, sizeof err) == 0);
    }
    snprintf(kv, sizeof kv, "adam_eps=%.9g", cfgv[11]);
    CHECK(acrl_config_parse_override(acrl_algo_ppo.cfg_table, cfg, kv, err, sizeof err) == 0);
    snprintf(kv, sizeof kv, "net_arch=%d,%d", hid, hid);
    CHECK(acrl_config_parse_override(acrl_algo_ppo.cfg_table, cfg, kv, err, sizeof err) == 0);
    snprintf(kv, sizeof kv, "n_steps=%d", B);
    CHECK(acrl_config_parse_override(acrl_algo_ppo.cfg_table, cfg, kv, err, sizeof err) == 0);
    snprintf(kv, sizeof kv, "batch_size=%d", B);
    CHECK(acrl_config_parse_override(acrl_algo_ppo.cfg_table, cfg, kv, err, sizeof err) == 0);

    float olo[16], ohi[16], alo[8], ahi[8];
    for (int i = 0; i < obs_dim; i++) { olo[i] = -INFINITY; ohi[i] = INFINITY; }
    for (int i = 0; i < A; i++) { alo[i] = -1; ahi[i] = 1; }
    acrl_space obs_space = {ACRL_SPACE_BOX, obs_dim, 0, olo, ohi, {0, 0, 0}};
    acrl_space act_space = discrete ? (acrl_space){ACRL_SPACE_DISCRETE, 1, A, NULL, NULL, {0, 0, 0}}
                                    : (acrl_space){ACRL_SPACE_BOX, A, 0, alo, ahi, {0, 0, 0}};
    acrl_algo_ctx ctx = {&obs_space, &act_space, "test", 1, 1000, 0, 1, 0.99f, NULL, NULL, 0};
    void* learner = acrl_algo_ppo.create(cfg, &ctx, err, sizeof err);
    CHECK(learner != NULL);
    if (!learner) { fprintf(stderr, "%s\n", err); free(cfg); return; }
    acrl_params* p = acrl_algo_ppo.params(learner);
    char name[80];
    for (int net = 0; net < 2; net++)
        for (int l = 0; l < 3; l++)
            for (int wb = 0; wb < 2; wb++) {
                snprintf(name, sizeof name, "%s.%d.%s", net ? "vf" : "pi", l, wb ? "b" : "w");
                const acrl_tensor* t = acrl_params_find(p, name);
                const array* src = get(&f, name);
                CHECK(t && src && t->rows * t->cols == src->n);
                if (t && src && t->rows * t->cols == src->n)
                    memcpy(p->param + t->offset, src->v, sizeof(float) * (size_t)src->n);
            }
    if (!discrete) {
        const acrl_tensor* t = acrl_params_find(p, "log_std");
        const array* src = get(&f, "log_std");
        CHECK(t && src && t->cols == src->n);
        if (t && src) memcpy(p->param + t->offset, src->v, sizeof(float) * (size_t)src->n);
    }
    const float *obs = get(&f, "obs")->v, *act = get(&f, "act")->v, *old_logp = get(&f, "old_logp")->v;
    const float *old_v = get(&f, "old_v")->v, *adv = get(&f, "adv")->v, *ret = get(&f, "ret")->v;
    for (int step = 0; step < 3; step++) {
        double losses[4];
        int rc = ppo_update_minibatch(learner, obs, act, old_logp, old_v, adv, ret, B, cfgv[10], losses, err, sizeof err);
        CHECK(rc == 0);
        snprintf(name, sizeof name, "step%d.losses", step);
        const float* want = get(&f, name)->v;
        const char* what[4] = {"policy loss", "value loss", "entropy", "grad norm"};
        for (int k = 0; k < 4; k++) {
            char label[96];
            snprintf(label, sizeof label, "step %d %s", step, what[k]);
            CHECK_MAXDIFF(label, fabs(losses[k] - want[k]) / fmax(1.0, fabs(want[k])), TOL_LOSSES);
        }
        double worst = 0;
        for (int net = 0; net < 2; net++)
            for (int l = 0; l < 3; l++)
                for (int wb = 0; wb < 2; wb++) {
                    char tn[64], fn[80];
                    snprintf(tn, sizeof tn, "%s.%d.%s", net ? "vf" : "pi", l, wb ? "b" : "w");
                    snprintf(fn, sizeof fn, "step%d.%s", step, tn);
                    double d = compare_tensor(p, tn, get(&f, fn));
                    if (d > worst) worst = d;
                }
        if (!discrete) {
            snprintf(name, sizeof name, "step%d.log_std", step);
            double d = compare_tensor(p, "log_std", get(&f, name));
            if (d > worst) worst = d;
        }
        char label[96];
        snprintf(label, sizeof label, "step %d parameters after Adam", step);
        CHECK_MAXDIFF(label, worst, TOL_PARAMS);
    }
    acrl_algo_ppo.destroy(learner);
    free(cfg);
    for (int i = 0; i < f.n; i++) free(f.a[i].v);
}

int main(void) {
    run_case("ppo_torch_discrete.txt");
    run_case("ppo_torch_box.txt");
    return test_summary("test_ppo_torch");
}
