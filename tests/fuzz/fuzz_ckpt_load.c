/* fuzz_ckpt_load.c - the checkpoint readers: what `acrl eval` and `acrl train --resume` do
 * with a checkpoint once the container has loaded it (acrl_eval_checkpoint with 0 episodes
 * runs exactly the setup that both share): algorithm and env names, the config section
 * (parsed with the full table), the run, collector (env states, normalization statistics)
 * and every section the algorithm's load reads (parameters, optimizer state, RNG, counters,
 * replay buffer), and the policy-only checkpoints of `acrl export`. Inputs get their size
 * field and CRC-32C repaired first, or the CRC check would stop nearly every mutation.
 * Oracle: a refusal is ACRL_ERR_INPUT with a message; a checkpoint that is accepted can be
 * exported (acrl_export_policy) and the policy-only checkpoint is accepted in turn.
 *
 * Inputs whose config asks for large sizes (any number above FZ_MAX_NUMBER, e.g. n_envs or
 * net_arch) or that name a MuJoCo env are skipped: they only make an input slow (allocating
 * and initializing big networks, loading a model), not parse differently. */
#include <math.h>

#include "acrl/train.h"
#include "fuzz_common.h"

#define FZ_MAX_NUMBER 256.0

static fz_file g_in;
static char g_out[256];

static void remove_out(void) { unlink(g_out); }

/* 1 if the config section (if any) has a number above FZ_MAX_NUMBER in absolute value */
static int config_too_big(const acrl_ckpt* c) {
    size_t n;
    const char* t = acrl_ckpt_section(c, "config", &n);
    if (!t) return 0;
    char* s = fz_cstr((const uint8_t*)t, n);
    int big = 0;
    for (char* p = s; *p && !big; p++) {
        if ((*p >= '0' && *p <= '9') || *p == '.') {
            char* end;
            double v = strtod(p, &end);
            if (end > p) {
                big = !(fabs(v) <= FZ_MAX_NUMBER);
                p = end - 1;
            }
        }
    }
    free(s);
    return big;
}

static int is_mujoco(const char* env) {
    size_t n = strlen(env);
    return n >= 3 && strcmp(env + n - 3, "-v4") == 0;
}

int LLVMFuzzerInitialize(int* argc, char*** argv) {
    (void)argc;
    (void)argv;
    fz_file_open(&g_in, "fuzz_ckpt_load");
    snprintf(g_out, sizeof g_out, "%s/acrl_fuzz_policy.%ld.ckpt", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
             (long)getpid());
    atexit(remove_out);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < FZ_CKPT_HEADER + FZ_CKPT_TRAILER) return 0;
    uint8_t* b = malloc(size);
    FZ_CHECK(b != NULL, "out of memory");
    memcpy(b, data, size);
    fz_ckpt_repair(b, size);
    fz_file_set(&g_in, b, size);
    free(b);
    char err[ACRL_ERRLEN];
    acrl_ckpt* c = acrl_ckpt_load(g_in.path, err, sizeof err);
    if (!c) return 0;
    int skip = config_too_big(c) || is_mujoco(acrl_ckpt_env_id(c));
    acrl_ckpt_free(c);
    if (skip) return -1; /* not added to the corpus */
    double mean = 0, std = 0;
    err[0] = 0;
    int rc = acrl_eval_checkpoint(g_in.path, 0, 0, false, &mean, &std, err, sizeof err);
    FZ_CHECK(rc == ACRL_OK || (rc == ACRL_ERR_INPUT && err[0]), "rc %d, message '%s'", rc, err);
    if (rc != ACRL_OK) return 0;
    rc = acrl_export_policy(g_in.path, g_out, err, sizeof err);
    FZ_CHECK(rc == ACRL_OK, "an accepted checkpoint cannot be exported: rc %d, %s", rc, err);
    rc = acrl_eval_checkpoint(g_out, 0, 0, false, &mean, &std, err, sizeof err);
    FZ_CHECK(rc == ACRL_OK, "its exported policy is refused: rc %d, %s", rc, err);
    return 0;
}
