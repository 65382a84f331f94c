/* Replay buffer: ring of (obs, act, rew, next_obs, terminated, truncated) per env copy,
 * uniform sampling from the learner's RNG, n-step returns, checkpoint sections. */
#include "algo/replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acrl/train.h"
#include "algo/algo.h"
#include "io/le.h"
#include "util/copy.h"
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
    free(r->state);
    free(r->next_state);
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

int replay_enable_state(acrl_replay* r, int state_dim, char* err, size_t errlen) {
    size_t n = (size_t)r->slots * (size_t)r->num_envs * (size_t)state_dim;
    r->state_dim = state_dim;
    r->state = calloc(n ? n : 1, sizeof(float));
    r->next_state = calloc(n ? n : 1, sizeof(float));
    if (!r->state || !r->next_state) { snprintf(err, errlen, "replay buffer: out of memory for the state columns"); return -1; }
    return 0;
}

int replay_batch_enable_state(replay_batch* b, int state_dim) {
    b->state_dim = state_dim;
    b->state = malloc(sizeof(float) * (size_t)b->cap * (size_t)state_dim);
    b->next_state = malloc(sizeof(float) * (size_t)b->cap * (size_t)state_dim);
    return b->state && b->next_state ? 0 : -1;
}

void replay_add_state(acrl_replay* r, const float* state, const float* next_state) {
    const int last = (r->pos + r->slots - 1) % r->slots;
    const size_t n = (size_t)r->num_envs * (size_t)r->state_dim;
    memcpy(r->state + (size_t)last * n, state, sizeof(float) * n);
    memcpy(r->next_state + (size_t)last * n, next_state, sizeof(float) * n);
}

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
    free(b->idx); free(b->state); free(b->next_state);
    memset(b, 0, sizeof *b);
}

void replay_sample(const acrl_replay* r, replay_batch* b, int B, int n_step, float gamma, acrl_rng* rng) {
    const uint64_t n = (uint64_t)replay_size(r);
    for (int i = 0; i < B; i++) b->idx[i] = (long)acrl_rng_below(rng, n);
    replay_gather(r, b, B, n_step, gamma);
}

void replay_gather(const acrl_replay* r, replay_batch* b, int B, int n_step, float gamma) {
    const int E = r->num_envs, od = r->obs_dim, ad = r->act_dim, sd = r->state ? r->state_dim : 0;
    const int newest = (r->pos + r->slots - 1) % r->slots;
    /* rows j = t * E + e: copy e's next step is row j + E (wrapping at the end), the newest slot's
     * rows are [newest E, newest E + E); no division per sampled index */
    const size_t rows = (size_t)r->slots * E, newest_lo = (size_t)newest * E;
    for (int i = 0; i < B; i++) {
        if (i + 8 < B) { /* random rows: ask for those of 8 samples ahead while copying this one */
            const size_t jp = (size_t)b->idx[i + 8];
            __builtin_prefetch(r->obs + jp * od);
            __builtin_prefetch(r->next_obs + jp * od);
            __builtin_prefetch(r->act + jp * ad);
            __builtin_prefetch(r->rew + jp);
            __builtin_prefetch(r->terminated + jp);
            __builtin_prefetch(r->truncated + jp);
        }
        const size_t j0 = (size_t)b->idx[i];
        acrl_copy_floats(b->obs + (size_t)i * od, r->obs + j0 * od, (size_t)od);
        acrl_copy_floats(b->act + (size_t)i * ad, r->act + j0 * ad, (size_t)ad);
        if (sd) acrl_copy_floats(b->state + (size_t)i * sd, r->state + j0 * sd, (size_t)sd);
        /* walk forward in this copy's column until n steps, an episode end or the newest slot */
        double ret = 0, cret = 0, disc = 1;
        size_t j = j0;
        float done = 0;
        for (int k = 0;; k++) {
            ret += disc * r->rew[j];
            if (r->cost) cret += disc * r->cost[j];
            disc *= gamma;
            if (r->terminated[j]) { done = 1; break; }
            if (r->truncated[j] || k + 1 >= n_step || (j >= newest_lo && j - newest_lo < (size_t)E)) break;
            j += (size_t)E;
            if (j >= rows) j -= rows;
        }
        acrl_copy_floats(b->next_obs + (size_t)i * od, r->next_obs + j * od, (size_t)od);
        if (sd) acrl_copy_floats(b->next_state + (size_t)i * sd, r->next_state + j * sd, (size_t)sd);
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
    if (r->cost && acrl_ckpt_add(w, name, r->cost, sz[3])) return -1;
    if (!r->state) return 0;
    const size_t ss = sz[3] * (size_t)r->state_dim;
    snprintf(name, sizeof name, "%s.state", prefix);
    if (acrl_ckpt_add(w, name, r->state, ss)) return -1;
    snprintf(name, sizeof name, "%s.next_state", prefix);
    return acrl_ckpt_add(w, name, r->next_state, ss);
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
    if (r->state) {
        const size_t ss = sz[3] * (size_t)r->state_dim;
        snprintf(name, sizeof name, "%s.state", prefix);
        if (algo_load_blob(c, name, r->state, ss, err, errlen)) return -1;
        snprintf(name, sizeof name, "%s.next_state", prefix);
        if (algo_load_blob(c, name, r->next_state, ss, err, errlen)) return -1;
    }
    r->pos = m.pos;
    r->full = m.full;
    return 0;
}

/* ---- transitions files ----------------------------------------------------------------- */

static const char trn_magic[8] = {'A', 'C', 'R', 'L', 'T', 'R', 'N', '1'};

/* fwrite of n little-endian f32 (this code runs on little-endian hosts: io/le.h checks) */
static int put(FILE* f, const void* p, size_t size, size_t n) { return n && fwrite(p, size, n, f) != n ? -1 : 0; }

int replay_write_transitions(const acrl_replay* r, const char* path, char* err, size_t errlen) {
    const int E = r->num_envs, od = r->obs_dim, ad = r->act_dim;
    const long filled = r->full ? r->slots : r->pos, n = filled * E;
    /* row order: copy e, its slots oldest first */
    long* order = malloc(sizeof(long) * (size_t)(n ? n : 1));
    if (!order) { snprintf(err, errlen, "out of memory"); return -1; }
    long k = 0;
    const long first = r->full ? r->pos : 0;
    for (int e = 0; e < E; e++)
        for (long t = 0; t < filled; t++) order[k++] = ((first + t) % r->slots) * E + e;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE* f = fopen(tmp, "wb");
    if (!f) { snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno)); free(order); return -1; }
    uint8_t head[24];
    memcpy(head, trn_magic, 8);
    le_put_i32(head + 8, od);
    le_put_i32(head + 12, ad);
    le_put_i64(head + 16, (int64_t)n);
    int bad = put(f, head, 1, sizeof head);
    for (long i = 0; i < n && !bad; i++) bad = put(f, r->obs + (size_t)order[i] * od, sizeof(float), (size_t)od);
    for (long i = 0; i < n && !bad; i++) bad = put(f, r->act + (size_t)order[i] * ad, sizeof(float), (size_t)ad);
    for (long i = 0; i < n && !bad; i++) bad = put(f, r->rew + order[i], sizeof(float), 1);
    for (long i = 0; i < n && !bad; i++) bad = put(f, r->next_obs + (size_t)order[i] * od, sizeof(float), (size_t)od);
    for (long i = 0; i < n && !bad; i++) bad = put(f, r->terminated + order[i], 1, 1);
    for (long i = 0; i < n && !bad; i++) {
        /* the last row of each copy ends its run of consecutive rows */
        uint8_t tr = r->truncated[order[i]] || (i + 1) % filled == 0;
        bad = put(f, &tr, 1, 1);
    }
    free(order);
    if (fflush(f) || fsync(fileno(f))) bad = -1;
    if (fclose(f)) bad = -1;
    if (bad || rename(tmp, path)) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno ? errno : EIO));
        remove(tmp);
        return -1;
    }
    return 0;
}

int replay_read_transitions(acrl_replay* r, const char* path, int obs_dim, int act_dim, char* err, size_t errlen) {
    memset(r, 0, sizeof *r);
    FILE* f = acrl_file_open_read(path, "offline data", err, errlen);
    if (!f) return -1;
    uint8_t head[24];
    int rc = -1;
    if (fread(head, 1, sizeof head, f) != sizeof head || memcmp(head, trn_magic, 8) != 0) {
        snprintf(err, errlen, "%s: not an acrl transitions file (no ACRLTRN1 header; make one with 'acrl buffer export')",
                 path);
        goto done;
    }
    const uint8_t* p = head + 8;
    const int32_t od = le_get_i32(&p), ad = le_get_i32(&p);
    const int64_t n = le_get_i64(&p);
    if (od != obs_dim || ad != act_dim) {
        snprintf(err, errlen, "%s: transitions of obs %d, act %d; this env and algorithm need obs %d, act %d", path,
                 od, ad, obs_dim, act_dim);
        goto done;
    }
    if (n < 1 || n > ACRL_MAX_ROWS) {
        snprintf(err, errlen, "%s: %lld transitions (1 to %ld supported)", path, (long long)n, ACRL_MAX_ROWS);
        goto done;
    }
    if (replay_init(r, (long)n, 1, od, ad, err, errlen)) goto done;
    const size_t N = (size_t)n;
    int bad = fread(r->obs, sizeof(float) * od, N, f) != N || fread(r->act, sizeof(float) * ad, N, f) != N ||
              fread(r->rew, sizeof(float), N, f) != N || fread(r->next_obs, sizeof(float) * od, N, f) != N ||
              fread(r->terminated, 1, N, f) != N || fread(r->truncated, 1, N, f) != N;
    if (bad) { snprintf(err, errlen, "%s: truncated (the header says %lld transitions)", path, (long long)n); goto done; }
    if (fgetc(f) != EOF) { snprintf(err, errlen, "%s: longer than its %lld transitions", path, (long long)n); goto done; }
    for (size_t i = 0; i < N; i++)
        if (r->terminated[i] > 1 || r->truncated[i] > 1) {
            snprintf(err, errlen, "%s: transition %zu has a flag other than 0 or 1", path, i);
            goto done;
        }
    r->pos = 0;
    r->full = 1;
    rc = 0;
done:
    fclose(f);
    if (rc) replay_free(r);
    return rc;
}

int replay_export_ckpt(const acrl_ckpt* ck, const char* path, long* n, char* err, size_t errlen) {
    char prefix[ACRL_CKPT_NAME_MAX + 1], name[ACRL_CKPT_NAME_MAX + 16];
    snprintf(prefix, sizeof prefix, "%s.replay", acrl_ckpt_algo(ck));
    snprintf(name, sizeof name, "%s.meta", prefix);
    if (!acrl_ckpt_section(ck, name, NULL)) {
        snprintf(err, errlen, "the checkpoint holds no replay buffer (an off-policy run with save_buffer = 1 has one)");
        return -1;
    }
    const uint8_t* mb = acrl_ckpt_get(ck, name, 6 * 4, err, errlen);
    if (!mb) return -1;
    int mv[6];
    le_get_i32s(&mb, mv, 6);
    acrl_replay r;
    if (mv[0] < 1 || mv[1] < 1 || replay_init(&r, (long)mv[0] * mv[1], mv[1], mv[2], mv[3], err, errlen)) {
        if (mv[0] < 1 || mv[1] < 1) snprintf(err, errlen, "checkpoint section '%s': bad shape", name);
        return -1;
    }
    int rc = replay_load(&r, ck, prefix, err, errlen) || replay_write_transitions(&r, path, err, errlen) ? -1 : 0;
    if (!rc) *n = replay_size(&r);
    replay_free(&r);
    return rc;
}

int acrl_buffer_export(const char* ckpt_path, const char* out_path, long* n, char* err, size_t errlen) {
    acrl_ckpt* ck = acrl_ckpt_load(ckpt_path, err, errlen);
    if (!ck) return ACRL_ERR_INPUT;
    char prefix[ACRL_CKPT_NAME_MAX + 16];
    snprintf(prefix, sizeof prefix, "%s.replay.meta", acrl_ckpt_algo(ck));
    const bool has = acrl_ckpt_section(ck, prefix, NULL) != NULL;
    int rc = replay_export_ckpt(ck, out_path, n, err, errlen);
    acrl_ckpt_free(ck);
    /* a checkpoint without (or with a damaged) buffer is bad input; a write failure is I/O */
    return rc == 0 ? ACRL_OK : has && strncmp(err, "cannot write", 12) == 0 ? ACRL_ERR_RUNTIME : ACRL_ERR_INPUT;
}
