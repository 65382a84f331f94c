/* test_config_roundtrip: every key of every algorithm's configuration survives
 * acrl_config_write then acrl_config_load_text: each set to a non-default value (two
 * different ones in turn), written, read back over the defaults, and compared in memory.
 * String values a config file cannot hold (a comment start, control bytes, outer
 * spaces) are refused by acrl_config_set and by acrl_config_write; a binary line's bytes
 * are shown escaped in the error message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl.h"
#include "algo/algo.h"
#include "test.h"



/* A valid value for e other than cur, variant 0 or 1; "" if none exists. */
static void other_value(const acrl_config_entry* e, const char* cur, int variant, char* out, size_t n) {
    double lo = e->min, hi = e->max;
    bool ranged = lo < hi;
    switch (e->type) {
    case ACRL_CFG_INT: {
        long cands[] = {ranged ? (long)lo : -3, ranged ? (long)hi : 7, ranged ? (long)lo + 1 : 11};
        for (int i = variant; i < variant + 3; i++) {
            snprintf(out, n, "%ld", cands[i % 3]);
            if (strcmp(out, cur) != 0) return;
        }
        break;
    }
    case ACRL_CFG_FLOAT:
    case ACRL_CFG_DOUBLE: {
        double cands[] = {ranged ? lo + (hi - lo) * 0.3183 : 0.1234567, ranged ? hi : -2.5e-7,
                          ranged ? lo : 3.75};
        for (int i = variant; i < variant + 3; i++) {
            snprintf(out, n, "%.9g", cands[i % 3]);
            if (strcmp(out, cur) != 0) return;
        }
        break;
    }
    case ACRL_CFG_BOOL: snprintf(out, n, "%s", strcmp(cur, "true") == 0 ? "false" : "true"); return;
    case ACRL_CFG_STRING: snprintf(out, n, "%s", variant ? "a;b=c" : "x#y z"); return; /* no ' #' or ' ;' */
    case ACRL_CFG_ENUM: {
        int k = 0;
        while (e->choices[k]) k++;
        for (int i = 0; i < k; i++) {
            const char* c = e->choices[(i + variant) % k];
            if (strcmp(c, cur) != 0) { snprintf(out, n, "%s", c); return; }
        }
        break;
    }
    case ACRL_CFG_INTLIST: {
        int a = ranged ? (int)lo : 3, b = ranged ? (int)hi : 1000;
        snprintf(out, n, variant ? "%d" : "%d,%d,%d", variant ? b : a, b, a);
        if (strcmp(out, cur) != 0) return;
        snprintf(out, n, "%d,%d", a, a);
        return;
    }
    }
    out[0] = 0;
}

static void check_roundtrip(const acrl_algo* a) {
    char err[ACRL_ERRLEN];
    acrl_config_entry* table;
    void *defaults, *cfg, *back;
    if (algo_full_config(a, &table, &defaults, err, sizeof err)) { CHECK(0); return; }
    size_t size = 0;
    for (int i = 0; table[i].key; i++) {
        size_t end = table[i].offset + (table[i].type == ACRL_CFG_STRING ? ACRL_CONFIG_STR_MAX
                                       : table[i].type == ACRL_CFG_INTLIST ? sizeof(acrl_intlist)
                                       : table[i].type == ACRL_CFG_DOUBLE  ? sizeof(double) : sizeof(int));
        if (end > size) size = end;
    }

    int keys = 0, bad = 0;
    for (int variant = 0; variant < 2; variant++) {
        cfg = malloc(size);
        back = malloc(size);
        memcpy(cfg, defaults, size);
        memcpy(back, defaults, size);
        char cur[512], val[512], got[512];
        for (int i = 0; table[i].key; i++) {
            acrl_config_format_value(&table[i], cfg, cur, sizeof cur);
            other_value(&table[i], cur, variant, val, sizeof val);
            if (!val[0] || acrl_config_set(table, cfg, table[i].key, val, err, sizeof err)) {
                printf("  %s %s: no other value (%s)\n", a->name, table[i].key, err);
                bad++;
            }
        }
        char* text = NULL;
        size_t len = 0;
        FILE* f = open_memstream(&text, &len);
        CHECK(acrl_config_write(table, cfg, f) == 0);
        fclose(f);
        CHECK(acrl_config_load_text(table, back, text, len, "written config", err, sizeof err) == 0);
        for (int i = 0; table[i].key; i++) {
            acrl_config_format_value(&table[i], cfg, val, sizeof val);
            acrl_config_format_value(&table[i], back, got, sizeof got);
            acrl_config_format_value(&table[i], defaults, cur, sizeof cur);
            if (strcmp(val, got) != 0 || strcmp(val, cur) == 0) {
                printf("  %s %s: set %s, read back %s (default %s)\n", a->name, table[i].key, val, got, cur);
                bad++;
            }
            keys++;
        }
        CHECK(memcmp(cfg, back, size) == 0); /* bit for bit, floats included */
        free(text);
        free(cfg);
        free(back);
    }
    printf("  %-5s %3d key values written and read back, %d wrong\n", a->name, keys, bad);
    CHECK(bad == 0);
    free(table);
    free(defaults);
}

static void check_unwritable_strings(void) {
    const acrl_algo* a = acrl_algo_find("ppo");
    char err[ACRL_ERRLEN];
    acrl_config_entry* table;
    void* cfg;
    if (algo_full_config(a, &table, &cfg, err, sizeof err)) { CHECK(0); return; }
    const char* refused[] = {"relu #x", "relu ;x", "#relu", ";relu", " relu", "relu ", "re\tlu", "re\nlu", "re\033lu"};
    for (int i = 0; i < 9; i++) {
        CHECK(acrl_config_set(table, cfg, "activation", refused[i], err, sizeof err) == -1);
        CHECK(strchr(err, '\033') == NULL && strchr(err, '\n') == NULL && strchr(err, '\t') == NULL);
        if (i == 0 || i == 8) printf("  activation = '%s': %s\n", i == 8 ? "re\\033lu" : refused[i], err);
    }
    /* a value put into the struct directly: acrl_config_write refuses to write it */
    const acrl_config_entry* e = NULL;
    for (int i = 0; table[i].key; i++) if (strcmp(table[i].key, "activation") == 0) e = &table[i];
    strcpy((char*)cfg + e->offset, "tanh #not a comment");
    FILE* f = fopen("/dev/null", "w");
    CHECK(acrl_config_write(table, cfg, f) == -1);
    fclose(f);
    /* a binary line: the message shows its bytes escaped */
    static const char bin[] = "n_steps = 12\x1b[2J\x07\x01\xff\n";
    CHECK(acrl_config_load_text(table, cfg, bin, sizeof bin - 1, "bin.ini", err, sizeof err) == -1);
    printf("  binary line: %s\n", err);
    CHECK(strstr(err, "bin.ini:1:") && strstr(err, "12\\x1b[2J\\x07\\x01\\xff"));
    bool raw = false;
    for (const char* p = err; *p; p++) raw |= (unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f;
    CHECK(!raw);
    static const char nul[] = "n_steps = 12\0junk\n";
    CHECK(acrl_config_load_text(table, cfg, nul, sizeof nul - 1, "nul.ini", err, sizeof err) == -1);
    printf("  NUL byte: %s\n", err);
    CHECK(strstr(err, "nul.ini:1: NUL byte") != NULL);
    free(table);
    free(cfg);
}

int main(void) {
    for (int i = 0; acrl_algos[i]; i++) check_roundtrip(acrl_algos[i]);
    check_unwritable_strings();
    return test_summary("test_config_roundtrip");
}
