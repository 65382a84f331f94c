/* On-policy rollout buffer and GAE(lambda) with correct time-limit bootstrapping. */
#include "algo/rollout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/size.h"

size_t rollout_bytes(int num_steps, int num_envs, int obs_dim, int act_dim) {
    size_t n = acrl_size_mul((size_t)num_steps, (size_t)num_envs);
    /* obs, actions and six floats per step, two bools */
    size_t floats = acrl_size_mul(n, acrl_size_add((size_t)obs_dim + (size_t)act_dim, 6));
    return acrl_size_add(acrl_size_mul(floats, sizeof(float)), acrl_size_mul(n, 2 * sizeof(bool)));
}

int rollout_init(acrl_rollout* r, int num_steps, int num_envs, int obs_dim, int act_dim) {
    memset(r, 0, sizeof *r);
    r->num_steps = num_steps;
    r->num_envs = num_envs;
    r->obs_dim = obs_dim;
    r->act_dim = act_dim;
    size_t n = (size_t)num_steps * (size_t)num_envs;
    r->obs = calloc(n * (size_t)obs_dim, sizeof(float));
    r->actions = calloc(n * (size_t)act_dim, sizeof(float));
    r->logprobs = calloc(n, sizeof(float));
    r->values = calloc(n, sizeof(float));
    r->rewards = calloc(n, sizeof(float));
    r->terminated = calloc(n, sizeof(bool));
    r->truncated = calloc(n, sizeof(bool));
    r->final_values = calloc(n, sizeof(float));
    r->advantages = calloc(n, sizeof(float));
    r->returns = calloc(n, sizeof(float));
    if (!r->obs || !r->actions || !r->logprobs || !r->values || !r->rewards || !r->terminated ||
        !r->truncated || !r->final_values || !r->advantages || !r->returns) {
        rollout_free(r);
        return -1;
    }
    return 0;
}

int rollout_init_states(acrl_rollout* r, int state_dim) {
    r->state_dim = state_dim;
    r->states = calloc((size_t)r->num_steps * (size_t)r->num_envs * (size_t)(state_dim > 0 ? state_dim : 1), sizeof(float));
    return r->states ? 0 : -1;
}

void rollout_free(acrl_rollout* r) {
    free(r->states);
    free(r->obs);
    free(r->actions);
    free(r->logprobs);
    free(r->values);
    free(r->rewards);
    free(r->terminated);
    free(r->truncated);
    free(r->final_values);
    free(r->advantages);
    free(r->returns);
    memset(r, 0, sizeof *r);
}

void rollout_compute_gae(acrl_rollout* r, const float* last_values, float gamma, float lambda) {
    int T = r->num_steps, E = r->num_envs;
    for (int e = 0; e < E; e++) {
        double next_adv = 0.0;
        double next_value = last_values[e];
        for (int t = T - 1; t >= 0; t--) {
            int i = t * E + e;
            bool ended = r->terminated[i] || r->truncated[i];
            /* value of the state after this step, within the same episode */
            double boot = r->terminated[i] ? 0.0 : r->truncated[i] ? r->final_values[i] : next_value;
            double delta = r->rewards[i] + gamma * boot - r->values[i];
            double adv = delta + (ended ? 0.0 : gamma * lambda * next_adv);
            r->advantages[i] = (float)adv;
            r->returns[i] = (float)(adv + r->values[i]);
            next_adv = adv;
            next_value = r->values[i];
        }
    }
}

void normalize_inplace(float* x, int n) {
    if (n < 2) return;
    double s = 0.0;
    for (int i = 0; i < n; i++) s += x[i];
    double mean = s / n, ss = 0.0;
    for (int i = 0; i < n; i++) ss += (x[i] - mean) * (x[i] - mean);
    double std = sqrt(ss / (n - 1));
    float m = (float)mean, inv = (float)(1.0 / (std + 1e-8));
    for (int i = 0; i < n; i++) x[i] = (x[i] - m) * inv;
}
