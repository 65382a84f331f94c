/* The algorithm table, the metric names and the checkpoint helpers algorithms share. */
#include "algo/algo.h"

#include <stdio.h>
#include <string.h>

extern const acrl_algo acrl_algo_ppo, acrl_algo_a2c, acrl_algo_a3c;
extern const acrl_algo acrl_algo_sac, acrl_algo_td3, acrl_algo_ddpg;
extern const acrl_algo acrl_algo_pmoe;

const acrl_algo* const acrl_algos[] = {&acrl_algo_ppo, &acrl_algo_a2c, &acrl_algo_a3c,
                                       &acrl_algo_sac, &acrl_algo_td3, &acrl_algo_ddpg,
                                       &acrl_algo_pmoe, NULL};

const char* const acrl_metric_names[M_COUNT] = {
    "policy_loss", "value_loss", "entropy", "approx_kl", "clip_fraction", "learning_rate",
    "grad_norm", "explained_variance", "q_loss", "alpha",
};

const acrl_algo* acrl_algo_find(const char* name) {
    for (int i = 0; acrl_algos[i]; i++)
        if (strcmp(acrl_algos[i]->name, name) == 0) return acrl_algos[i];
    return NULL;
}

int algo_save_params(acrl_ckpt_writer* w, const char* prefix, const acrl_params* p) {
    char name[ACRL_CKPT_NAME_MAX + 1];
    const char* part[3] = {"param", "m", "v"};
    const float* buf[3] = {p->param, p->m, p->v};
    for (int k = 0; k < 3; k++) {
        snprintf(name, sizeof name, "%s.%s", prefix, part[k]);
        if (acrl_ckpt_add(w, name, buf[k], acrl_params_bytes(p))) return -1;
    }
    snprintf(name, sizeof name, "%s.step", prefix);
    return acrl_ckpt_add(w, name, &p->step, sizeof p->step);
}

int algo_load_params(const acrl_ckpt* c, const char* prefix, acrl_params* p, char* err, size_t errlen) {
    char name[ACRL_CKPT_NAME_MAX + 1];
    const char* part[3] = {"param", "m", "v"};
    float* buf[3] = {p->param, p->m, p->v};
    for (int k = 0; k < 3; k++) {
        snprintf(name, sizeof name, "%s.%s", prefix, part[k]);
        if (algo_load_blob(c, name, buf[k], acrl_params_bytes(p), err, errlen)) return -1;
    }
    snprintf(name, sizeof name, "%s.step", prefix);
    if (algo_load_blob(c, name, &p->step, sizeof p->step, err, errlen)) return -1;
    if (!acrl_all_finite(p->param, p->count)) {
        snprintf(err, errlen, "checkpoint parameters '%s' contain NaN or Inf", prefix);
        return -1;
    }
    return 0;
}

int algo_load_blob(const acrl_ckpt* c, const char* name, void* dst, size_t len, char* err, size_t errlen) {
    if (acrl_ckpt_expect(c, name, len, err, errlen)) return -1;
    memcpy(dst, acrl_ckpt_section(c, name, NULL), len);
    return 0;
}

/* "<prefix>.<part>" into buf (the writer copies names). */
static const char* section_name(const char* prefix, const char* part, char* buf, size_t len) {
    snprintf(buf, len, "%s.%s", prefix, part);
    return buf;
}

int algo_save_learner(acrl_ckpt_writer* w, const char* prefix, const acrl_params* p, const acrl_rng* rng,
                      const long* updates) {
    char name[ACRL_CKPT_NAME_MAX + 1];
    if (algo_save_params(w, prefix, p)) return -1;
    if (acrl_ckpt_add(w, section_name(prefix, "rng", name, sizeof name), rng, sizeof *rng)) return -1;
    return acrl_ckpt_add(w, section_name(prefix, "updates", name, sizeof name), updates, sizeof *updates);
}

int algo_load_learner(const acrl_ckpt* c, const char* prefix, acrl_params* p, acrl_rng* rng, long* updates,
                      char* err, size_t errlen) {
    char name[ACRL_CKPT_NAME_MAX + 1];
    if (algo_load_params(c, prefix, p, err, errlen)) return -1;
    if (algo_load_blob(c, section_name(prefix, "rng", name, sizeof name), rng, sizeof *rng, err, errlen)) return -1;
    return algo_load_blob(c, section_name(prefix, "updates", name, sizeof name), updates, sizeof *updates, err, errlen);
}
