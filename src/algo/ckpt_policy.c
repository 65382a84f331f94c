/* Policy-only checkpoints: the policy's weights, the observation statistics, the config
 * and the sampling generator, without optimizer state, critics or replay buffer. */
#include "algo/ckpt_policy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algo/onpolicy.h"
#include "io/le.h"

#define SEC_PARAMS   "policy.params"
#define SEC_OBS_NORM "policy.obs_norm"
#define SEC_RNG      "policy.rng"

bool policy_ckpt_is(const acrl_ckpt* c) { return acrl_ckpt_section(c, SEC_PARAMS, NULL) != NULL; }

static size_t obs_norm_bytes(const acrl_collector* col) { return 8 * (2 * (size_t)col->obs_stat.dim + 1); }

int policy_ckpt_write(const acrl_algo* algo, void* learner, const acrl_collector* col, const char* config_text,
                      const char* path, char* err, size_t errlen) {
    const acrl_params* p = algo->params(learner);
    const acrl_running_stat* s = &col->obs_stat;
    uint8_t* norm = malloc(obs_norm_bytes(col));
    acrl_ckpt_writer* w = acrl_ckpt_begin(algo->name, col->venv->envs[0]->id);
    if (!norm || !w) {
        free(norm);
        acrl_ckpt_abort(w);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    uint8_t* q = le_put_f64s(norm, s->mean, (size_t)s->dim);
    q = le_put_f64s(q, s->var, (size_t)s->dim);
    le_put_f64(q, s->count);
    uint8_t rng[LE_RNG_BYTES];
    le_put_rng(rng, algo->act_rng(learner));
    int rc = acrl_ckpt_add(w, "config", config_text, strlen(config_text));
    rc = rc || acrl_ckpt_add(w, SEC_PARAMS, p->param, sizeof(float) * p->count);
    rc = rc || acrl_ckpt_add(w, SEC_OBS_NORM, norm, obs_norm_bytes(col));
    rc = rc || acrl_ckpt_add_copy(w, SEC_RNG, rng, sizeof rng);
    /* PPO / A2C with model = gbrl: the tree ensembles are the policy */
    if (algo->act == onpolicy_act) rc = rc || policy_save_trees(&((onpolicy_learner*)learner)->pol, w, "policy");
    if (rc) {
        acrl_ckpt_abort(w);
        free(norm);
        snprintf(err, errlen, "cannot assemble checkpoint %s", path);
        return -1;
    }
    rc = acrl_ckpt_commit(w, path, err, errlen);
    free(norm);
    return rc;
}

int policy_ckpt_load(const acrl_algo* algo, void* learner, acrl_collector* col, const acrl_ckpt* c,
                     char* err, size_t errlen) {
    acrl_params* p = algo->params(learner);
    if (algo->act == onpolicy_act && policy_load_trees(&((onpolicy_learner*)learner)->pol, c, "policy", err, errlen))
        return -1;
    const void* params = acrl_ckpt_get(c, SEC_PARAMS, sizeof(float) * p->count, err, errlen);
    const uint8_t* norm = params ? acrl_ckpt_get(c, SEC_OBS_NORM, obs_norm_bytes(col), err, errlen) : NULL;
    const uint8_t* rng = norm ? acrl_ckpt_get(c, SEC_RNG, LE_RNG_BYTES, err, errlen) : NULL;
    if (!rng) return -1;
    if (!acrl_all_finite(params, p->count)) {
        snprintf(err, errlen, "checkpoint section '%s' contains NaN or Inf", SEC_PARAMS);
        return -1;
    }
    acrl_rng r;
    if (le_get_rng(&rng, &r)) {
        snprintf(err, errlen, "checkpoint section '%s' is not a valid generator state", SEC_RNG);
        return -1;
    }
    acrl_running_stat* s = &col->obs_stat;
    size_t d = (size_t)s->dim;
    double* tmp = malloc(8 * (2 * d + 1));
    if (!tmp) { snprintf(err, errlen, "out of memory"); return -1; }
    le_get_f64s(&norm, tmp, 2 * d + 1);
    for (size_t j = 0; j <= 2 * d; j++) {
        /* variances (j in [d, 2d)) and the count must be >= 0 */
        if (!isfinite(tmp[j]) || (j >= d && tmp[j] < 0)) {
            free(tmp);
            snprintf(err, errlen, "checkpoint section '%s' holds an invalid statistic", SEC_OBS_NORM);
            return -1;
        }
    }
    memcpy(s->mean, tmp, 8 * d);
    memcpy(s->var, tmp + d, 8 * d);
    s->count = tmp[2 * d];
    free(tmp);
    memcpy(p->param, params, sizeof(float) * p->count);
    *algo->act_rng(learner) = r;
    return 0;
}
