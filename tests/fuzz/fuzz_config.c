/* fuzz_config.c - configuration files (acrl train --config FILE, the preset files and the
 * config section of checkpoints): acrl_config_load_file and acrl_config_load_text with the
 * full table acrl train uses (run keys + the algorithm's keys), for every algorithm. An
 * accepted configuration must survive acrl_config_write + load unchanged, and describe
 * (acrl help ALGO) must format every value. */
#include "fuzz_common.h"

static fz_file g_in;
static fz_config_kind g_kinds[16];
static int g_nkinds;
static FILE* g_null;

int LLVMFuzzerInitialize(int* argc, char*** argv) {
    (void)argc;
    (void)argv;
    fz_file_open(&g_in, "fuzz_config");
    for (int i = 0; acrl_algos[i] && g_nkinds < 16; i++) fz_config_kind_init(&g_kinds[g_nkinds++], acrl_algos[i]);
    g_null = fopen("/dev/null", "w");
    FZ_CHECK(g_null != NULL, "cannot open /dev/null");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fz_file_set(&g_in, data, size);
    for (int k = 0; k < g_nkinds; k++) {
        const fz_config_kind* kind = &g_kinds[k];
        unsigned char* a = fz_config_defaults(kind);
        char ea[ACRL_ERRLEN] = "", eb[ACRL_ERRLEN] = "";
        int ra = acrl_config_load_text(kind->table, a, (const char*)data, size, g_in.path, ea, sizeof ea);
        FZ_CHECK(ra == 0 || ea[0], "refused without a message");
        if ((size_t)k == size % (size_t)g_nkinds) {
            /* the file and in-memory readers are one parser: same verdict, message and values
             * (checked for one algorithm per input, chosen by its length, to save time) */
            unsigned char* b = fz_config_defaults(kind);
            int rb = acrl_config_load_file(kind->table, b, g_in.path, eb, sizeof eb);
            FZ_CHECK(ra == rb && strcmp(ea, eb) == 0, "text %d '%s' vs file %d '%s'", ra, ea, rb, eb);
            const char* key = "";
            FZ_CHECK(fz_config_equal(kind->table, a, b, &key), "text and file readers set '%s' differently", key);
            free(b);
        }
        if (ra == 0) {
            fz_config_roundtrip(kind, a);
            acrl_config_describe(kind->table, a, g_null);
        }
        free(a);
    }
    return 0;
}
