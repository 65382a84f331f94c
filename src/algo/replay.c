/* Replay buffer: ring of (obs, act, rew, next_obs, terminated, truncated) per env copy,
 * uniform sampling from the learner's RNG, n-step returns, checkpoint sections. */
#include "algo/replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algo/algo.h"
#include "io/le.h"
#include "util/size.h"

size_t replay_bytes(long capacity, int num_envs, int obs_dim, int act_dim) {
    if (capacity < 1 || num_envs < 1) return 0;
    long slots = capacity / num_envs;
    size_t n = acrl_size_mul((size_t)(slots < 1 ? 1 : slots), (size_t)num_envs);
    /* obs, next_obs, act, rew; two flag bytes */
    size_t floats = acrl_size_mul(n, acrl_size_add(2 * (size_t)obs_dim + (size_t)act_dim, 1));
    return acrl_size_add(acrl_size_mul(floats, sizeof(float)), acrl_size_mul(n, 2));
}

size_t replay_batch_bytes(int cap, int obs_dim, int act_dim) {
    size_t floats = acrl_size_mul((size_t)cap, 2 * (size_t)obs_dim + (size_t)act_dim + 4);
    return acrl_size_add(acrl_size_mul(floats, sizeof(float)), acrl_size_mul((size_t)cap, sizeof(long)));
}

int replay_init(acrl_replay* r, long capacity, int num_envs, int obs_dim, int act_dim, char* err, size_t errlen) {
    memset(r, 0, sizeof *r);
    if (capacity > ACRL_MAX_ROWS) {
        snprintf(err, errlen, "replay buffer: capacity %ld is above the %ld transitions supported", capacity,
                 ACRL_MAX_ROWS);
        return -1;
    }
    if (capacity < 1 || num_envs < 1 || obs_dim < 1 || act_dim < 1) {
        snprintf(err, errlen, "replay buffer: bad shape (capacity %ld, %d envs, obs %d, act %d)", capacity,
                 num_envs, obs_dim, act_dim);
        return -1;
    }
    long slots = capacity / num_envs;
    r->slots = slots < 1 ? 1 : (int)slots;
    r->num_envs = num_envs;
    r->obs_dim = obs_dim;
    r->act_dim = act_dim;
    size_t n = (size_t)r->slots * (size_t)num_envs;
    r->obs = malloc(sizeof(float) * n * (size_t)obs_dim);
    r->next_obs = malloc(sizeof(float) * n * (size_t)obs_dim);
    r->act = malloc(sizeof(float) * n * (size_t)act_dim);
    r->rew = malloc(sizeof(float) * n);
    r->terminated = malloc(n);
    r->truncated = malloc(n);
    if (!r->obs || !r->next_obs || !r->act || !r->rew || !r->terminated || !r->truncated) {
        replay_free(r);
        snprintf(err, errlen, "replay buffer: out of memory for %ld transitions", capacity);
        return -1;
    }
    return 0;
}

void replay_free(acrl_replay* r) {
    free(r->obs); free(r->next_obs); free(r->act); free(r->rew); free(r->terminated); free(r->truncated);
    free(r->cost);
    memset(r, 0, sizeof *r);
}

void replay_add(acrl_replay* r, const float* obs, const float* act, const float* rew, const float* next_obs,
                const bool* terminated, const bool* truncated) {
    const int E = r->num_envs, od = r->obs_dim, ad = r->act_dim;
    const size_t row = (size_t)r->pos * (size_t)E;
    memcpy(r->obs + row * od, obs, sizeof(float) * (size_t)E * od);
    memcpy(r->next_obs + row * od, next_obs, sizeof(float) * (size_t)E * od);
    memcpy(r->act + row * ad, act, sizeof(float) * (size_t)E * ad);
    memcpy(r->rew + row, rew, sizeof(float) * (size_t)E);
    for (int e = 0; e < E; e++) {
        r->terminated[row + e] = terminated[e];
        r->truncated[row + e] = truncated[e];
    }
    if (++r->pos == r->slots) { r->pos = 0; r->full = 1; }
}

int replay_enable_cost(acrl_replay* r, char* err, size_t errlen) {
    if (!r->cost) r->cost = calloc((size_t)r->slots * (size_t)r->num_envs, sizeof(float));
    if (!r->cost) { snprintf(err, errlen, "replay buffer: out of memory for the cost column"); return -1; }
    return 0;
}

void replay_add_cost(acrl_replay* r, const float* costs, int stride) {
    const int E = r->num_envs, last = (r->pos + r->slots - 1) % r->slots;
    for (int e = 0; e < E; e++) r->cost[(size_t)last * E + e] = costs[(size_t)e * stride];
}

long replay_size(const acrl_replay* r) { return (long)(r->full ? r->slots : r->pos) * r->num_envs; }

int replay_batch_init(replay_batch* b, int cap, int obs_dim, int act_dim) {
    memset(b, 0, sizeof *b);
    b->cap = cap;
    b->obs = malloc(sizeof(float) * (size_t)cap * obs_dim);
    b->next_obs = malloc(sizeof(float) * (size_t)cap * obs_dim);
    b->act = malloc(sizeof(float) * (size_t)cap * act_dim);
    b->rew = malloc(sizeof(float) * (size_t)cap);
    b->done = malloc(sizeof(float) * (size_t)cap);
    b->discount = malloc(sizeof(float) * (size_t)cap);
    b->cost = calloc((size_t)cap, sizeof(float));
    b->idx = malloc(sizeof(long) * (size_t)cap);
    if (!b->obs || !b->next_obs || !b->act || !b->rew || !b->done || !b->discount || !b->cost || !b->idx) {
        replay_batch_free(b);
        return -1;
    }
    return 0;
}

void replay_batch_free(replay_batch* b) {
    free(b->obs); free(b->next_obs); free(b->act); free(b->rew); free(b->done); free(b->discount); free(b->cost);
    free(b->idx);
    memset(b, 0, sizeof *b);
}

void replay_sample(const acrl_replay* r, replay_batch* b, int B, int n_step, float gamma, acrl_rng* rng) {
    const uint64_t n = (uint64_t)replay_size(r);
    for (int i = 0; i < B; i++) b->idx[i] = (long)acrl_rng_below(rng, n);
    replay_gather(r, b, B, n_step, gamma);
}

void replay_gather(const acrl_replay* r, replay_batch* b, int B, int n_step, float gamma) {
    const int E = r->num_envs, od = r->obs_dim, ad = r->act_dim;
    const int newest = (r->pos + r->slots - 1) % r->slots;
    for (int i = 0; i < B; i++) {
        const long t0 = b->idx[i] / E;
        const int e = (int)(b->idx[i] % E);
        memcpy(b->obs + (size_t)i * od, r->obs + ((size_t)t0 * E + e) * od, sizeof(float) * od);
        memcpy(b->act + (size_t)i * ad, r->act + ((size_t)t0 * E + e) * ad, sizeof(float) * ad);
        /* walk forward in this copy's column until n steps, an episode end or the newest slot */
        double ret = 0, cret = 0, disc = 1;
        long t = t0;
        float done = 0;
        for (int k = 0;; k++) {
            const size_t j = (size_t)t * E + e;
            ret += disc * r->rew[j];
            if (r->cost) cret += disc * r->cost[j];
            disc *= gamma;
            if (r->terminated[j]) { done = 1; break; }
            if (r->truncated[j] || k + 1 >= n_step || t == newest) break;
            t = (t + 1) % r->slots;
        }
        memcpy(b->next_obs + (size_t)i * od, r->next_obs + ((size_t)t * E + e) * od, sizeof(float) * od);
        b->rew[i] = (float)ret;
        b->cost[i] = (float)cret;
        b->done[i] = done;
        b->discount[i] = (float)disc;
    }
}

/* ---- checkpoint sections ------------------------------------------------------------ */


static void section_sizes(const acrl_replay* r, size_t filled, size_t sz[6]) {
    const size_t n = filled * (size_t)r->num_envs;
    sz[0] = sz[1] = sizeof(float) * n * r->obs_dim;
    sz[2] = sizeof(float) * n * r->act_dim;
    sz[3] = sizeof(float) * n;
    sz[4] = sz[5] = n;
}

static const char* const part_names[6] = {"obs", "next_obs", "act", "rew", "term", "trunc"};

int replay_save(acrl_replay* r, acrl_ckpt_writer* w, const char* prefix) {
    const int meta[6] = {r->slots, r->num_envs, r->obs_dim, r->act_dim, r->pos, r->full};
    uint8_t mb[6 * 4];
    le_put_i32s(mb, meta, 6);
    char name[ACRL_CKPT_NAME_MAX + 1];
    snprintf(name, sizeof name, "%s.meta", prefix);
    if (acrl_ckpt_add_copy(w, name, mb, sizeof mb)) return -1;
    size_t sz[6];
    section_sizes(r, (size_t)(r->full ? r->slots : r->pos), sz);
    const void* data[6] = {r->obs, r->next_obs, r->act, r->rew, r->terminated, r->truncated};
    for (int k = 0; k < 6; k++) {
        snprintf(name, sizeof name, "%s.%s", prefix, part_names[k]);
        if (acrl_ckpt_add(w, name, data[k], sz[k])) return -1;
    }
    snprintf(name, sizeof name, "%s.cost", prefix);
    return r->cost && acrl_ckpt_add(w, name, r->cost, sz[3]) ? -1 : 0;
}

int replay_load(acrl_replay* r, const acrl_ckpt* c, const char* prefix, char* err, size_t errlen) {
    char name[ACRL_CKPT_NAME_MAX + 1];
    int mv[6];
    snprintf(name, sizeof name, "%s.meta", prefix);
    const uint8_t* mb = acrl_ckpt_get(c, name, 6 * 4, err, errlen);
    if (!mb) return -1;
    le_get_i32s(&mb, mv, 6);
    struct { int32_t slots, num_envs, obs_dim, act_dim, pos, full; } m = {mv[0], mv[1], mv[2], mv[3], mv[4], mv[5]};
    if (m.slots != r->slots || m.num_envs != r->num_envs || m.obs_dim != r->obs_dim || m.act_dim != r->act_dim ||
        m.pos < 0 || m.pos >= m.slots || (m.full != 0 && m.full != 1)) {
        snprintf(err, errlen, "checkpoint replay buffer is %d slots x %d envs (obs %d, act %d), expected %d x %d (obs %d, act %d)",
                 m.slots, m.num_envs, m.obs_dim, m.act_dim, r->slots, r->num_envs, r->obs_dim, r->act_dim);
        return -1;
    }
    size_t sz[6];
    section_sizes(r, (size_t)(m.full ? m.slots : m.pos), sz);
    void* data[6] = {r->obs, r->next_obs, r->act, r->rew, r->terminated, r->truncated};
    for (int k = 0; k < 6; k++) {
        snprintf(name, sizeof name, "%s.%s", prefix, part_names[k]);
        if (algo_load_blob(c, name, data[k], sz[k], err, errlen)) return -1;
    }
    snprintf(name, sizeof name, "%s.cost", prefix);
    if (r->cost && algo_load_blob(c, name, r->cost, sz[3], err, errlen)) return -1;
    r->pos = m.pos;
    r->full = m.full;
    return 0;
}
