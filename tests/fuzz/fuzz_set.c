/* fuzz_set.c - `acrl train --set key=value` overrides: acrl_config_parse_override with the
 * full table of every algorithm. The input is a list of overrides, one per line (a NUL also
 * ends one); they are applied in order until one is refused, as acrl train does. The
 * accepted configuration must survive acrl_config_write + load unchanged, and
 * acrl_config_format_value must fit any value into a short buffer without overflowing. */
#include "fuzz_common.h"

static fz_config_kind g_kinds[16];
static int g_nkinds;

int LLVMFuzzerInitialize(int* argc, char*** argv) {
    (void)argc;
    (void)argv;
    for (int i = 0; acrl_algos[i] && g_nkinds < 16; i++) fz_config_kind_init(&g_kinds[g_nkinds++], acrl_algos[i]);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    char* text = fz_cstr(data, size);
    for (int k = 0; k < g_nkinds; k++) {
        const fz_config_kind* kind = &g_kinds[k];
        unsigned char* cfg = fz_config_defaults(kind);
        int rc = 0;
        const char* p = text;
        const char* end = text + size;
        while (p < end && rc == 0) {
            size_t n = strcspn(p, "\n"); /* strcspn also stops at a NUL */
            char* kv = fz_cstr((const uint8_t*)p, n);
            char err[ACRL_ERRLEN] = "";
            rc = acrl_config_parse_override(kind->table, cfg, kv, err, sizeof err);
            FZ_CHECK(rc == 0 || err[0], "'%s' refused without a message", kv);
            FZ_CHECK(strlen(err) < sizeof err, "message overflow");
            free(kv);
            p += n + 1;
        }
        if (rc == 0) fz_config_roundtrip(kind, cfg);
        for (const acrl_config_entry* e = kind->table; e->key; e++) {
            char small[8];
            memset(small, 'x', sizeof small);
            acrl_config_format_value(e, cfg, small, 5);
            FZ_CHECK(small[5] == 'x' && small[6] == 'x' && memchr(small, 0, 5), "format_value overflowed");
        }
        free(cfg);
    }
    free(text);
    return 0;
}
