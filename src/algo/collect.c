/* acrl_buffer_collect: transitions of a trained policy acting in its env, written as a
 * transitions file (docs/offpolicy.md "Offline data") for offline_data: the "medium policy"
 * data sets of the offline and hybrid RL literature. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/train.h"
#include "algo/agent.h"
#include "algo/collector.h"
#include "algo/replay.h"

int acrl_buffer_collect(const char* ckpt_path, long steps, uint64_t seed, bool deterministic, const char* out_path,
                        char* err, size_t errlen) {
    if (steps < 1) {
        snprintf(err, errlen, "--steps must be at least 1, got %ld", steps);
        return ACRL_ERR_INPUT;
    }
    acrl_agent* a = acrl_agent_load(ckpt_path, err, errlen);
    if (!a) return ACRL_ERR_INPUT;
    const acrl_collector* c = agent_collector(a);
    acrl_env_options eo = acrl_env_options_default();
    if (c->env_args[0]) eo.env_args = c->env_args;
    acrl_env* env = acrl_env_make(acrl_agent_env_id(a), &eo, err, errlen);
    if (!env) { acrl_agent_free(a); return ACRL_ERR_INPUT; }
    const acrl_space* as = &env->act_space;
    const int od = env->obs_space.dim, ad = as->dim;
    acrl_replay rb;
    memset(&rb, 0, sizeof rb);
    float* buf = malloc(sizeof(float) * (size_t)(4 * od + 2 * ad));
    int code = ACRL_OK;
    if (!buf || replay_init(&rb, steps, 1, od, ad, err, errlen)) {
        if (!buf) snprintf(err, errlen, "out of memory");
        code = ACRL_ERR_RUNTIME;
    } else {
        float *raw = buf, *next_raw = raw + od, *obs = next_raw + od, *next = obs + od, *act = next + od,
              *act_l = act + ad;
        long episode = 0;
        acrl_env_reset(env, (int64_t)(seed + (uint64_t)episode), raw);
        for (long t = 0; t < steps; t++) {
            acrl_agent_act(a, raw, 1, act, deterministic);
            double rew;
            bool term = false, trunc = false;
            acrl_env_step(env, act, next_raw, &rew, &term, &trunc);
            /* what the learner sees: normalized observations, Box actions in [-1, 1] */
            collector_normalize_obs(c, raw, obs, 1);
            collector_normalize_obs(c, next_raw, next, 1);
            for (int j = 0; j < ad; j++)
                act_l[j] = as->kind == ACRL_SPACE_BOX ? (act[j] - 0.5f * (as->high[j] + as->low[j])) /
                                                            (0.5f * (as->high[j] - as->low[j]))
                                                      : act[j];
            const float r = (float)rew;
            replay_add(&rb, obs, act_l, &r, next, &term, &trunc);
            if (term || trunc) acrl_env_reset(env, (int64_t)(seed + (uint64_t)++episode), raw);
            else memcpy(raw, next_raw, sizeof(float) * (size_t)od);
        }
        if (replay_write_transitions(&rb, out_path, err, errlen)) code = ACRL_ERR_RUNTIME;
    }
    replay_free(&rb);
    free(buf);
    acrl_env_close(env);
    acrl_agent_free(a);
    return code;
}
