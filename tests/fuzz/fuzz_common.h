/* fuzz_common.h - helpers shared by the libFuzzer harnesses of tests/fuzz (see README.md there):
 * in-memory files that the library can open by path, checkpoint size/CRC repair, and the
 * merged configuration tables (run keys + one algorithm's keys) that acrl train parses. */
#ifndef ACRL_FUZZ_COMMON_H
#define ACRL_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sanitizer/common_interface_defs.h>
#include <unistd.h>

#include "acrl/io.h"
#include "algo/algo.h"

/* Stops the run with a message: libFuzzer reports the abort and saves the input. The message
 * goes through the sanitizer's report channel, which -close_fd_mask=2 keeps open. */
#define FZ_CHECK(cond, ...)                                                                   \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            char fz_msg_[4096];                                                               \
            int fz_k_ = snprintf(fz_msg_, sizeof fz_msg_, "fuzz check failed (%s:%d): %s: ",  \
                                 __FILE__, __LINE__, #cond);                                  \
            if (fz_k_ > 0 && (size_t)fz_k_ < sizeof fz_msg_)                                  \
                snprintf(fz_msg_ + fz_k_, sizeof fz_msg_ - (size_t)fz_k_, __VA_ARGS__);       \
            __sanitizer_report_error_summary(fz_msg_);                                        \
            abort();                                                                          \
        }                                                                                     \
    } while (0)

/* An in-memory file (memfd) with a path that fopen accepts: /proc/self/fd/N. */
typedef struct {
    int  fd;
    char path[64];
} fz_file;

static inline void fz_file_open(fz_file* f, const char* name) {
    f->fd = memfd_create(name, 0);
    FZ_CHECK(f->fd >= 0, "memfd_create failed");
    snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
}

/* Replaces the file's contents with data (n bytes). */
static inline void fz_file_set(fz_file* f, const void* data, size_t n) {
    FZ_CHECK(ftruncate(f->fd, 0) == 0, "ftruncate failed");
    const uint8_t* p = data;
    size_t done = 0;
    while (done < n) {
        ssize_t k = pwrite(f->fd, p + done, n - done, (off_t)done);
        FZ_CHECK(k > 0, "pwrite failed");
        done += (size_t)k;
    }
}

/* A NUL-terminated copy of data (caller frees). */
static inline char* fz_cstr(const uint8_t* data, size_t n) {
    char* s = malloc(n + 1);
    FZ_CHECK(s != NULL, "out of memory");
    memcpy(s, data, n);
    s[n] = 0;
    return s;
}

/* ---- checkpoints (layout: docs/checkpoint-format.md) ---- */

enum { FZ_CKPT_HEADER = 152, FZ_CKPT_TRAILER = 8 };

/* Makes a mutated checkpoint image pass the size and CRC-32C checks, so that what lies
 * behind them (section table, section readers) is reached: the header's total size
 * becomes n and the trailer the CRC of everything before it. Shorter images are left. */
static inline void fz_ckpt_repair(uint8_t* b, size_t n) {
    if (n < FZ_CKPT_HEADER + FZ_CKPT_TRAILER) return;
    uint64_t size = n;
    for (int i = 0; i < 8; i++) b[16 + i] = (uint8_t)(size >> (8 * i));
    uint32_t crc = acrl_crc32c(0, b, n - FZ_CKPT_TRAILER);
    for (int i = 0; i < 4; i++) b[n - 8 + i] = (uint8_t)(crc >> (8 * i));
    memset(b + n - 4, 0, 4);
}

/* ---- configuration: the table acrl train parses config files and --set with ---- */

/* Mirror of the run keys of src/algo/train.c (run_table), which that file keeps static;
 * only the keys, types and ranges matter here. */
typedef struct {
    int   n_envs, n_timesteps;
    float gamma;
    int   normalize, normalize_reward;
    float clip_obs, clip_reward;
    int   eval_freq, n_eval_episodes, checkpoint_freq, log_freq;
} fz_run_config;

#define FZ_F(k, t, lo, hi) {#k, ACRL_CFG_##t, offsetof(fz_run_config, k), lo, hi, NULL, "run key"}
static const acrl_config_entry fz_run_table[] = {
    FZ_F(n_envs, INT, 1, 65536),        FZ_F(n_timesteps, INT, 1, 2e9),    FZ_F(gamma, FLOAT, 0, 1),
    FZ_F(normalize, BOOL, 0, 0),        FZ_F(normalize_reward, BOOL, 0, 0), FZ_F(clip_obs, FLOAT, 0, 1e9),
    FZ_F(clip_reward, FLOAT, 0, 1e9),   FZ_F(eval_freq, INT, 0, 2e9),      FZ_F(n_eval_episodes, INT, 1, 100000),
    FZ_F(checkpoint_freq, INT, 0, 2e9), FZ_F(log_freq, INT, 1, 2e9),
};
#undef FZ_F
#define FZ_RUN_KEYS ((int)(sizeof fz_run_table / sizeof fz_run_table[0]))

/* One algorithm's full table (run keys first, as train.c merges them) and a config block. */
typedef struct {
    const acrl_algo*   algo;
    acrl_config_entry* table;
    size_t             size, algo_off;
} fz_config_kind;

static inline void fz_config_kind_init(fz_config_kind* k, const acrl_algo* algo) {
    int na = 0;
    while (algo->cfg_table[na].key) na++;
    k->algo = algo;
    k->algo_off = (sizeof(fz_run_config) + 15) & ~(size_t)15;
    k->size = k->algo_off + algo->cfg_size;
    k->table = calloc((size_t)(FZ_RUN_KEYS + na + 1), sizeof(acrl_config_entry));
    FZ_CHECK(k->table != NULL, "out of memory");
    for (int i = 0; i < FZ_RUN_KEYS; i++) k->table[i] = fz_run_table[i];
    for (int i = 0; i < na; i++) {
        k->table[FZ_RUN_KEYS + i] = algo->cfg_table[i];
        k->table[FZ_RUN_KEYS + i].offset += k->algo_off;
    }
}

/* A block holding the defaults (caller frees). */
static inline unsigned char* fz_config_defaults(const fz_config_kind* k) {
    unsigned char* b = calloc(1, k->size);
    FZ_CHECK(b != NULL, "out of memory");
    fz_run_config* r = (fz_run_config*)b;
    r->n_envs = 1;
    r->n_timesteps = 1000000;
    r->gamma = 0.99f;
    r->clip_obs = r->clip_reward = 10.0f;
    r->eval_freq = 10000;
    r->n_eval_episodes = 10;
    r->checkpoint_freq = 100000;
    r->log_freq = 2048;
    k->algo->cfg_defaults(b + k->algo_off);
    return b;
}

/* acrl_config_write into a malloc'ed string (caller frees). */
static inline char* fz_config_text(const acrl_config_entry* table, const void* cfg, size_t* len) {
    char* buf = NULL;
    size_t n = 0;
    FILE* f = open_memstream(&buf, &n);
    FZ_CHECK(f != NULL, "open_memstream failed");
    FZ_CHECK(acrl_config_write(table, cfg, f) == 0, "acrl_config_write failed");
    fclose(f);
    if (len) *len = n;
    return buf;
}

/* 1 if every entry of table holds the same value in a and b (strings up to their NUL, int
 * lists up to their length); the first differing key in *which. */
static inline int fz_config_equal(const acrl_config_entry* table, const void* a, const void* b, const char** which) {
    for (const acrl_config_entry* e = table; e->key; e++) {
        const char* pa = (const char*)a + e->offset;
        const char* pb = (const char*)b + e->offset;
        int same;
        switch (e->type) {
        case ACRL_CFG_FLOAT: same = memcmp(pa, pb, sizeof(float)) == 0; break;
        case ACRL_CFG_DOUBLE: same = memcmp(pa, pb, sizeof(double)) == 0; break;
        case ACRL_CFG_STRING: same = strcmp(pa, pb) == 0; break;
        case ACRL_CFG_INTLIST: {
            const acrl_intlist *la = (const acrl_intlist*)pa, *lb = (const acrl_intlist*)pb;
            same = la->n == lb->n && la->n >= 0 && la->n <= ACRL_INTLIST_MAX &&
                   memcmp(la->v, lb->v, sizeof(int) * (size_t)la->n) == 0;
            break;
        }
        default: same = memcmp(pa, pb, sizeof(int)) == 0; break;
        }
        if (!same) {
            if (which) *which = e->key;
            return 0;
        }
    }
    return 1;
}

/* The oracle of the config harnesses: a configuration that was accepted can be written with
 * acrl_config_write, and read back into fresh defaults it holds the same values. */
static inline void fz_config_roundtrip(const fz_config_kind* k, const void* cfg) {
    size_t n1;
    char* t1 = fz_config_text(k->table, cfg, &n1);
    unsigned char* back = fz_config_defaults(k);
    char err[ACRL_ERRLEN];
    int rc = acrl_config_load_text(k->table, back, t1, n1, "written config", err, sizeof err);
    FZ_CHECK(rc == 0, "the written config does not load back: %s\n%s", err, t1);
    const char* key = "";
    FZ_CHECK(fz_config_equal(k->table, cfg, back, &key), "'%s' changed on write + read:\n%s", key, t1);
    free(t1);
    free(back);
}

#endif
