/* fuzz_ckpt.c - the checkpoint container (acrl_ckpt_load): header, section table, names,
 * sizes, padding. Each input is loaded twice: as it is (so the size and CRC checks
 * themselves are fuzzed) and with its size field and CRC-32C repaired (so everything
 * behind them is). A loaded checkpoint must be self-consistent, and writing its sections
 * again with acrl_ckpt_commit must give a file that loads back to the same sections. */
#include "fuzz_common.h"

static fz_file g_in;
static char g_out[256];

static void check_and_rewrite(const acrl_ckpt* c) {
    const char* algo = acrl_ckpt_algo(c);
    const char* env = acrl_ckpt_env_id(c);
    FZ_CHECK(algo && env && strlen(algo) <= ACRL_CKPT_NAME_MAX && strlen(env) <= ACRL_CKPT_NAME_MAX, "bad names");
    int n = acrl_ckpt_section_count(c);
    FZ_CHECK(n >= 0, "negative section count");
    FZ_CHECK(acrl_ckpt_section_name(c, n) == NULL && acrl_ckpt_section_name(c, -1) == NULL, "name out of range");
    acrl_ckpt_writer* w = acrl_ckpt_begin(algo, env);
    FZ_CHECK(w != NULL, "out of memory");
    uint32_t sum = 0;
    char err[ACRL_ERRLEN];
    for (int i = 0; i < n; i++) {
        const char* name = acrl_ckpt_section_name(c, i);
        FZ_CHECK(name && *name && strlen(name) <= ACRL_CKPT_NAME_MAX, "bad section name");
        size_t len = 99;
        const uint8_t* d = acrl_ckpt_section(c, name, &len);
        FZ_CHECK(d != NULL, "section '%s' listed but not found", name);
        FZ_CHECK(((uintptr_t)d & 7) == 0, "section '%s' not 8-byte aligned", name);
        sum = acrl_crc32c(sum, d, len); /* every byte must be readable (ASan) */
        FZ_CHECK(acrl_ckpt_expect(c, name, len, err, sizeof err) == 0, "expect: %s", err);
        FZ_CHECK(acrl_ckpt_expect(c, name, len + 1, err, sizeof err) != 0, "expect accepted a wrong size");
        FZ_CHECK(acrl_ckpt_add(w, name, d, len) == 0, "a loaded section '%s' cannot be written", name);
    }
    FZ_CHECK(acrl_ckpt_section(c, "", NULL) == NULL, "empty name found");
    FZ_CHECK(acrl_ckpt_commit(w, g_out, err, sizeof err) == 0, "rewrite failed: %s", err);
    acrl_ckpt* c2 = acrl_ckpt_load(g_out, err, sizeof err);
    FZ_CHECK(c2 != NULL, "the rewritten checkpoint does not load: %s", err);
    FZ_CHECK(strcmp(acrl_ckpt_algo(c2), algo) == 0 && strcmp(acrl_ckpt_env_id(c2), env) == 0, "names changed");
    FZ_CHECK(acrl_ckpt_section_count(c2) == n, "section count changed");
    for (int i = 0; i < n; i++) {
        const char* name = acrl_ckpt_section_name(c, i);
        FZ_CHECK(strcmp(acrl_ckpt_section_name(c2, i), name) == 0, "section order changed");
        size_t l1, l2;
        const void* d1 = acrl_ckpt_section(c, name, &l1);
        const void* d2 = acrl_ckpt_section(c2, name, &l2);
        FZ_CHECK(l1 == l2 && (l1 == 0 || memcmp(d1, d2, l1) == 0), "section '%s' changed", name);
    }
    acrl_ckpt_free(c2);
}

static void load(const uint8_t* data, size_t size) {
    char err[ACRL_ERRLEN];
    fz_file_set(&g_in, data, size);
    err[0] = 0;
    acrl_ckpt* c = acrl_ckpt_load(g_in.path, err, sizeof err);
    if (!c) {
        FZ_CHECK(err[0] != 0, "load failed without a message");
        return;
    }
    check_and_rewrite(c);
    acrl_ckpt_free(c);
}

static void remove_out(void) { unlink(g_out); }

int LLVMFuzzerInitialize(int* argc, char*** argv) {
    (void)argc;
    (void)argv;
    fz_file_open(&g_in, "fuzz_ckpt");
    atexit(remove_out);
    const char* dir = getenv("TMPDIR");
    snprintf(g_out, sizeof g_out, "%s/acrl_fuzz_ckpt.%ld.ckpt", access("/dev/shm", W_OK) == 0 ? "/dev/shm" :
             dir ? dir : "/tmp", (long)getpid());
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    load(data, size);
    uint8_t* b = malloc(size ? size : 1);
    FZ_CHECK(b != NULL, "out of memory");
    memcpy(b, data, size);
    fz_ckpt_repair(b, size);
    if (size >= FZ_CKPT_HEADER + FZ_CKPT_TRAILER && memcmp(b, data, size) != 0) load(b, size);
    free(b);
    return 0;
}
