/* test_offline: transitions files (replay_write_transitions / replay_read_transitions) and
 * the off-policy batch mixing of offline_data (offp_sample).
 * - a ring buffer of 2 copies that has wrapped is written copy by copy, oldest first, each
 *   copy's last row marked truncated, and read back row for row;
 * - files with a bad header, other dimensions, a truncated body, trailing bytes or a bad flag
 *   are refused with a message naming the file;
 * - a SAC learner with offline_data and offline_ratio 0.3 fills the last 3 of 10 rows of each
 *   batch from the file (their rewards are the file's) and the first 7 from its own buffer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acrl.h"
#include "algo/offpolicy.h"
#include "algo/replay.h"
#include "test.h"

enum { OD = 3, AD = 1, E = 2 };

static char dir[] = "/tmp/acrl_test_offline_XXXXXX";

/* step t of copy e: obs = (100 t + e, ...), act = t, rew = 10 t + e, terminated at t = 3 for copy 1 */
static void add_step(acrl_replay* r, int t) {
    float obs[E * OD], nxt[E * OD], act[E * AD], rew[E];
    bool term[E], trunc[E];
    for (int e = 0; e < E; e++) {
        for (int j = 0; j < OD; j++) {
            obs[e * OD + j] = (float)(100 * t + e) + 0.1f * (float)j;
            nxt[e * OD + j] = obs[e * OD + j] + 100;
        }
        act[e] = (float)t / 10;
        rew[e] = (float)(10 * t + e);
        term[e] = e == 1 && t == 3;
        trunc[e] = false;
    }
    replay_add(r, obs, act, rew, nxt, term, trunc);
}

static void test_roundtrip(void) {
    char err[512], path[256];
    snprintf(path, sizeof path, "%s/t.bin", dir);
    acrl_replay r;
    CHECK(replay_init(&r, 8, E, OD, AD, err, sizeof err) == 0); /* 4 slots */
    for (int t = 0; t < 6; t++) add_step(&r, t);                /* wraps: slots hold t = 2..5 */
    CHECK(r.full && r.pos == 2);
    CHECK(replay_write_transitions(&r, path, err, sizeof err) == 0);
    acrl_replay q;
    CHECK(replay_read_transitions(&q, path, OD, AD, err, sizeof err) == 0);
    CHECK(q.slots == 8 && q.num_envs == 1 && q.full);
    int bad = 0;
    for (int i = 0; i < 8; i++) {
        const int e = i / 4, t = 2 + i % 4;
        bad += q.rew[i] != (float)(10 * t + e);
        bad += q.obs[i * OD] != (float)(100 * t + e) || q.next_obs[i * OD + 2] != (float)(100 * t + e) + 0.2f + 100;
        bad += q.act[i] != (float)t / 10;
        bad += q.terminated[i] != (e == 1 && t == 3);
        bad += q.truncated[i] != (t == 5); /* each copy's last row */
    }
    printf("  wrapped 2-copy buffer written and read back: %d mismatches\n", bad);
    CHECK(bad == 0);
    replay_free(&q);
    replay_free(&r);
}

/* refused files: the message names the file and the fault */
static void refused(const char* what, const unsigned char* bytes, size_t n, int od, const char* want) {
    char err[512], path[256];
    snprintf(path, sizeof path, "%s/bad.bin", dir);
    FILE* f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fwrite(bytes, 1, n, f);
    fclose(f);
    acrl_replay q;
    int rc = replay_read_transitions(&q, path, od, AD, err, sizeof err);
    printf("  %s: %s\n", what, err);
    CHECK(rc == -1 && strstr(err, path) && strstr(err, want));
}

static void test_refusals(void) {
    char err[512], path[256];
    snprintf(path, sizeof path, "%s/t.bin", dir);
    FILE* f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f) return;
    unsigned char good[4096];
    size_t n = fread(good, 1, sizeof good, f);
    fclose(f);
    CHECK(n == 24 + 8 * (2 * OD + AD + 1) * 4 + 2 * 8);
    unsigned char b[4096];
    memcpy(b, good, n);
    b[0] = 'X';
    refused("bad magic", b, n, OD, "not an acrl transitions file");
    refused("other obs size", good, n, OD + 1, "transitions of obs 3, act 1");
    refused("truncated", good, n - 1, OD, "truncated");
    memcpy(b, good, n);
    b[n] = 0;
    refused("trailing byte", b, n + 1, OD, "longer than");
    memcpy(b, good, n);
    b[n - 1] = 2;
    refused("flag 2", b, n, OD, "flag other than 0 or 1");
    acrl_replay q;
    CHECK(replay_read_transitions(&q, "/nonexistent/t.bin", OD, AD, err, sizeof err) == -1);
    printf("  missing file: %s\n", err);
}

static void test_mix(void) {
    char err[512], path[256];
    snprintf(path, sizeof path, "%s/t.bin", dir);
    const acrl_algo* algo = acrl_algo_find("sac");
    void* cfg = calloc(1, algo->cfg_size);
    algo->cfg_defaults(cfg);
    char set[320];
    snprintf(set, sizeof set, "offline_data=%s", path);
    const char* sets[] = {"batch_size=10", "net_arch=8", "buffer_size=64", "offline_ratio=0.3", set};
    for (int i = 0; i < 5; i++) CHECK(acrl_config_parse_override(algo->cfg_table, cfg, sets[i], err, sizeof err) == 0);
    float lo[OD] = {-INFINITY, -INFINITY, -INFINITY}, hi[OD] = {INFINITY, INFINITY, INFINITY}, alo[1] = {-1},
          ahi[1] = {1};
    acrl_space os = {ACRL_SPACE_BOX, OD, 0, lo, hi, {0, 0, 0}}, as = {ACRL_SPACE_BOX, AD, 0, alo, ahi, {0, 0, 0}};
    acrl_algo_ctx ctx = {&os, &as, "test", 1, 1000, 0, 1, 0.99f, NULL, NULL, 0};
    offp_learner* L = algo->create(cfg, &ctx, err, sizeof err);
    CHECK(L != NULL);
    if (!L) { fprintf(stderr, "%s\n", err); free(cfg); return; }
    offp_core* o = &L->core;
    CHECK(replay_size(&o->offline) == 8);
    for (int t = 0; t < 20; t++) { /* online rewards -1 .. -20 */
        float obs[OD] = {0}, a[1] = {0}, r[1] = {(float)-(t + 1)};
        bool f0[1] = {false};
        replay_add(&o->rb, obs, a, r, obs, f0, f0);
    }
    int bad = 0;
    for (int rep = 0; rep < 20; rep++) {
        offp_sample(o, 10);
        for (int i = 0; i < 10; i++) bad += i < 7 ? o->batch.rew[i] >= 0 : o->batch.rew[i] < 20;
    }
    printf("  offline_ratio 0.3, batch 10: rows from the wrong source in 20 batches: %d\n", bad);
    CHECK(bad == 0);
    algo->destroy(L);
    /* a mismatched file is refused at create, naming it */
    const char* set2[] = {"offline_data=/nonexistent.bin"};
    CHECK(acrl_config_parse_override(algo->cfg_table, cfg, set2[0], err, sizeof err) == 0);
    CHECK(algo->create(cfg, &ctx, err, sizeof err) == NULL && strstr(err, "/nonexistent.bin"));
    free(cfg);
}

int main(void) {
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    test_roundtrip();
    test_refusals();
    test_mix();
    char path[256];
    snprintf(path, sizeof path, "%s/t.bin", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/bad.bin", dir);
    unlink(path);
    rmdir(dir);
    return test_summary("test_offline");
}
