/* The algorithm table, the metric names and the checkpoint helpers algorithms share. */
#include "algo/algo.h"

#include <stdio.h>
#include <string.h>

#include "io/le.h"
#include "algo/onpolicy.h"
#include "algo/sac.h"
#include "algo/td3.h"

extern const acrl_algo acrl_algo_ppo, acrl_algo_a2c, acrl_algo_a3c, acrl_algo_awr;
extern const acrl_algo acrl_algo_sac, acrl_algo_td3, acrl_algo_ddpg;
extern const acrl_algo acrl_algo_pmoe, acrl_algo_dsact, acrl_algo_stac;
extern const acrl_algo acrl_algo_ppo_lag;
extern const acrl_algo_extra acrl_algo_ppo_lag_extra;
extern const acrl_algo acrl_algo_sac_lag;
extern const acrl_algo_extra acrl_algo_sac_lag_extra;
extern const acrl_algo acrl_algo_tscac;
extern const acrl_algo_extra acrl_algo_tscac_extra;
extern const acrl_algo acrl_algo_distill;
extern const acrl_algo_extra acrl_algo_distill_extra;

const acrl_algo* const acrl_algos[] = {&acrl_algo_ppo, &acrl_algo_a2c, &acrl_algo_a3c,
                                       &acrl_algo_sac, &acrl_algo_td3, &acrl_algo_ddpg,
                                       &acrl_algo_pmoe, &acrl_algo_dsact, &acrl_algo_stac,
                                       &acrl_algo_ppo_lag, &acrl_algo_sac_lag, &acrl_algo_tscac, &acrl_algo_awr,
                                       &acrl_algo_distill, NULL};

const char* const acrl_metric_names[M_COUNT] = {
    "policy_loss", "value_loss", "entropy", "approx_kl", "clip_fraction", "learning_rate",
    "grad_norm", "explained_variance", "q_loss", "alpha", "q_sigma", "q_clip_bound",
};

static const acrl_algo_extra* const algo_extras[] = {&acrl_algo_ppo_lag_extra, &acrl_algo_sac_lag_extra,
                                                            &acrl_algo_tscac_extra, &acrl_algo_distill_extra, NULL};

const acrl_algo_extra* acrl_algo_extra_find(const acrl_algo* algo) {
    for (int i = 0; algo_extras[i]; i++)
        if (algo_extras[i]->algo == algo) return algo_extras[i];
    return NULL;
}

acrl_algo_pretrain_fn acrl_algo_pretrain_find(const acrl_algo* algo) {
    static const struct { const acrl_algo* algo; acrl_algo_pretrain_fn fn; } table[] = {
        {&acrl_algo_ppo, onpolicy_pretrain}, {&acrl_algo_a2c, onpolicy_pretrain}, {&acrl_algo_sac, sac_pretrain},
        {&acrl_algo_td3, td3_pretrain}, {&acrl_algo_ddpg, td3_pretrain},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].algo == algo) return table[i].fn;
    return NULL;
}

acrl_algo_sequence_fn acrl_algo_sequence_find(const acrl_algo* algo) {
    return algo == &acrl_algo_sac ? sac_act_sequence : NULL;
}

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
    int64_t step = p->step;
    return algo_save_i64s(w, name, &step, 1);
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
    int64_t step;
    if (algo_load_i64s(c, name, &step, 1, err, errlen)) return -1;
    if (step < 0) { snprintf(err, errlen, "checkpoint section '%s' holds a negative step count", name); return -1; }
    p->step = (long)step;
    if (!acrl_all_finite(p->param, p->count)) {
        snprintf(err, errlen, "checkpoint parameters '%s' contain NaN or Inf", prefix);
        return -1;
    }
    return 0;
}

int algo_load_blob(const acrl_ckpt* c, const char* name, void* dst, size_t len, char* err, size_t errlen) {
    const void* src = acrl_ckpt_get(c, name, len, err, errlen);
    if (!src) return -1;
    if (len) memcpy(dst, src, len);
    return 0;
}

int algo_save_i64s(acrl_ckpt_writer* w, const char* name, const int64_t* v, int n) {
    uint8_t buf[8 * 8];
    if (n < 0 || n > 8) return -1;
    uint8_t* p = buf;
    for (int i = 0; i < n; i++) p = le_put_i64(p, v[i]);
    return acrl_ckpt_add_copy(w, name, buf, (size_t)(p - buf));
}

int algo_load_i64s(const acrl_ckpt* c, const char* name, int64_t* v, int n, char* err, size_t errlen) {
    const uint8_t* p = acrl_ckpt_get(c, name, 8 * (size_t)n, err, errlen);
    if (!p) return -1;
    for (int i = 0; i < n; i++) v[i] = le_get_i64(&p);
    return 0;
}

int algo_save_rng(acrl_ckpt_writer* w, const char* name, const acrl_rng* rng) {
    uint8_t buf[LE_RNG_BYTES];
    le_put_rng(buf, rng);
    return acrl_ckpt_add_copy(w, name, buf, sizeof buf);
}

int algo_load_rng(const acrl_ckpt* c, const char* name, acrl_rng* rng, char* err, size_t errlen) {
    const uint8_t* p = acrl_ckpt_get(c, name, LE_RNG_BYTES, err, errlen);
    if (!p) return -1;
    if (le_get_rng(&p, rng)) {
        snprintf(err, errlen, "checkpoint section '%s' is not a valid generator state", name);
        return -1;
    }
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
    if (algo_save_rng(w, section_name(prefix, "rng", name, sizeof name), rng)) return -1;
    int64_t u = *updates;
    return algo_save_i64s(w, section_name(prefix, "updates", name, sizeof name), &u, 1);
}

int algo_load_learner(const acrl_ckpt* c, const char* prefix, acrl_params* p, acrl_rng* rng, long* updates,
                      char* err, size_t errlen) {
    char name[ACRL_CKPT_NAME_MAX + 1];
    if (algo_load_params(c, prefix, p, err, errlen)) return -1;
    if (algo_load_rng(c, section_name(prefix, "rng", name, sizeof name), rng, err, errlen)) return -1;
    int64_t u;
    if (algo_load_i64s(c, section_name(prefix, "updates", name, sizeof name), &u, 1, err, errlen)) return -1;
    *updates = (long)u;
    return 0;
}
