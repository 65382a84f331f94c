/* config.c - table-driven hyperparameter configuration: strict parsing of
 * "key = value" settings into an algorithm's config struct, INI-style files,
 * and writing the effective configuration back in the same format. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/io.h"
#include "io/io_internal.h"

static void* field(void* cfg, const acrl_config_entry* e) { return (char*)cfg + e->offset; }
static const void* cfield(const void* cfg, const acrl_config_entry* e) { return (const char*)cfg + e->offset; }

static int has_range(const acrl_config_entry* e) { return e->min < e->max; }

/* in[0..n) for a message: printable ASCII as is, other bytes as \xNN (a binary file's line
 * must not reach a terminal raw) */
static void escape(const char* in, size_t n, char* out, size_t outlen) {
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < outlen; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c >= 0x20 && c < 0x7f) out[o++] = (char)c;
        else o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
    }
    out[o] = 0;
}

/* A string value reads back from a config file only if it has no comment start (a '#' or
 * ';' first or after whitespace; "a#b" is fine), no control byte and no leading or
 * trailing space (values are trimmed). */
static int string_writable(const char* v) {
    size_t n = strlen(v);
    if (n && (isspace((unsigned char)v[0]) || isspace((unsigned char)v[n - 1]))) return 0;
    for (const char* p = v; *p; p++) {
        if ((*p == '#' || *p == ';') && (p == v || isspace((unsigned char)p[-1]))) return 0;
        if ((unsigned char)*p < 0x20 || *p == 0x7f) return 0;
    }
    return 1;
}

/* Levenshtein distance, for "did you mean" (keys are short; O(n*m) on the stack). Not inlined,
 * so that the fuzz build can leave its comparisons untraced (tests/fuzz/coverage-ignore.txt). */
__attribute__((noinline)) static int edit_distance(const char* a, const char* b) {
    size_t n = strlen(a), m = strlen(b);
    if (n > 63 || m > 63) return INT_MAX;
    int prev[64], cur[64];
    for (size_t j = 0; j <= m; j++) prev[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= m; j++) {
            int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            int del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (m + 1) * sizeof(int));
    }
    return prev[m];
}

static const acrl_config_entry* find_entry(const acrl_config_entry* table, const char* key) {
    for (const acrl_config_entry* e = table; e->key; e++) if (strcmp(e->key, key) == 0) return e;
    return NULL;
}

static void unknown_key(const acrl_config_entry* table, const char* key, char* err, size_t errlen) {
    const acrl_config_entry* best = NULL;
    int bestd = INT_MAX;
    for (const acrl_config_entry* e = table; e->key; e++) {
        int d = edit_distance(key, e->key);
        if (d < bestd) { bestd = d; best = e; }
    }
    /* suggest only plausible typos: at most a third of the key's length (min 2) edits */
    int limit = (int)strlen(key) / 3;
    if (limit < 2) limit = 2;
    if (best && bestd <= limit) io_set_err(err, errlen, "unknown key '%s'; did you mean '%s'?", key, best->key);
    else io_set_err(err, errlen, "unknown key '%s'", key);
}

static const char* type_name(acrl_config_type t) {
    switch (t) {
    case ACRL_CFG_INT: return "int";
    case ACRL_CFG_FLOAT: return "float";
    case ACRL_CFG_DOUBLE: return "float";
    case ACRL_CFG_BOOL: return "bool";
    case ACRL_CFG_STRING: return "string";
    case ACRL_CFG_ENUM: return "enum";
    case ACRL_CFG_INTLIST: return "int list";
    }
    return "?";
}

/* strict base-10 integer: optional sign, digits, nothing else */
static int parse_long(const char* s, long* out) {
    if (!*s || isspace((unsigned char)*s)) return -1;
    char* end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end) return -1;
    *out = v;
    return 0;
}

static int check_range(const acrl_config_entry* e, double v, const char* value, char* err, size_t errlen) {
    if (has_range(e) && (v < e->min || v > e->max)) {
        io_set_err(err, errlen, "%s = %s is out of range [%g, %g]", e->key, value, e->min, e->max);
        return -1;
    }
    return 0;
}

static int parse_int_value(const acrl_config_entry* e, const char* value, int* out, char* err, size_t errlen) {
    long v;
    if (parse_long(value, &v) != 0 || v < INT_MIN || v > INT_MAX) {
        io_set_err(err, errlen, "%s expects an integer, got '%s'", e->key, value);
        return -1;
    }
    if (check_range(e, (double)v, value, err, errlen) != 0) return -1;
    *out = (int)v;
    return 0;
}

int acrl_config_set(const acrl_config_entry* table, void* cfg, const char* key, const char* value,
                    char* err, size_t errlen) {
    const acrl_config_entry* e = find_entry(table, key);
    if (!e) { unknown_key(table, key, err, errlen); return -1; }
    switch (e->type) {
    case ACRL_CFG_INT: {
        int v;
        if (parse_int_value(e, value, &v, err, errlen) != 0) return -1;
        *(int*)field(cfg, e) = v;
        return 0;
    }
    case ACRL_CFG_FLOAT:
    case ACRL_CFG_DOUBLE: {
        char* end = NULL;
        double v = 0;
        int ok = *value && !isspace((unsigned char)*value);
        if (ok) {
            v = strtod(value, &end);
            ok = end != value && *end == 0 && isfinite(v) &&
                 (e->type == ACRL_CFG_DOUBLE || fabs(v) <= 3.4028234663852886e38);
        }
        if (!ok) {
            io_set_err(err, errlen, "%s expects a finite number, got '%s'", e->key, value);
            return -1;
        }
        if (check_range(e, v, value, err, errlen) != 0) return -1;
        if (e->type == ACRL_CFG_FLOAT) *(float*)field(cfg, e) = (float)v;
        else *(double*)field(cfg, e) = v;
        return 0;
    }
    case ACRL_CFG_BOOL: {
        static const char* yes[] = {"true", "1", "yes", "on"};
        static const char* no[] = {"false", "0", "no", "off"};
        for (int i = 0; i < 4; i++) {
            if (strcasecmp(value, yes[i]) == 0) { *(int*)field(cfg, e) = 1; return 0; }
            if (strcasecmp(value, no[i]) == 0) { *(int*)field(cfg, e) = 0; return 0; }
        }
        io_set_err(err, errlen, "%s expects true or false, got '%s'", e->key, value);
        return -1;
    }
    case ACRL_CFG_STRING:
        if (strlen(value) >= ACRL_CONFIG_STR_MAX) {
            io_set_err(err, errlen, "%s: value longer than %d characters", e->key, ACRL_CONFIG_STR_MAX - 1);
            return -1;
        }
        if (!string_writable(value)) {
            char shown[4 * ACRL_CONFIG_STR_MAX + 8];
            escape(value, strlen(value), shown, sizeof(shown));
            io_set_err(err, errlen, "%s: '%s' would not read back from a config file (a '#' or ';' "
                       "first or after a space starts a comment; no control characters or outer spaces)", e->key, shown);
            return -1;
        }
        strcpy((char*)field(cfg, e), value);
        return 0;
    case ACRL_CFG_ENUM: {
        for (int i = 0; e->choices && e->choices[i]; i++) {
            if (strcmp(value, e->choices[i]) == 0) { *(int*)field(cfg, e) = i; return 0; }
        }
        char list[200] = "";
        for (int i = 0; e->choices && e->choices[i]; i++) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", e->choices[i]);
        }
        io_set_err(err, errlen, "bad value '%s' for %s: expected one of %s", value, e->key, list);
        return -1;
    }
    case ACRL_CFG_INTLIST: {
        acrl_intlist l = {0};
        char buf[256];
        if (strlen(value) >= sizeof(buf)) { io_set_err(err, errlen, "%s: value too long", e->key); return -1; }
        strcpy(buf, value);
        char* p = buf;
        for (;;) {
            char* comma = strchr(p, ',');
            if (comma) *comma = 0;
            while (*p == ' ') p++;
            for (char* q = p + strlen(p); q > p && q[-1] == ' '; q--) q[-1] = 0;
            if (l.n == ACRL_INTLIST_MAX) {
                io_set_err(err, errlen, "%s: more than %d values in '%s'", e->key, ACRL_INTLIST_MAX, value);
                return -1;
            }
            if (!*p) { io_set_err(err, errlen, "%s expects comma-separated integers, got '%s'", e->key, value); return -1; }
            long v;
            if (parse_long(p, &v) != 0 || v < INT_MIN || v > INT_MAX) {
                io_set_err(err, errlen, "%s expects comma-separated integers, got '%s'", e->key, value);
                return -1;
            }
            if (check_range(e, (double)v, value, err, errlen) != 0) return -1;
            l.v[l.n] = (int)v;
            l.n++;
            if (!comma) break;
            p = comma + 1;
        }
        *(acrl_intlist*)field(cfg, e) = l;
        return 0;
    }
    }
    io_set_err(err, errlen, "%s: bad entry type", e->key);
    return -1;
}

static char* trim(char* s) {
    while (isspace((unsigned char)*s)) s++;
    char* end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1])) *--end = 0;
    return s;
}

int acrl_config_parse_override(const acrl_config_entry* table, void* cfg, const char* kv,
                               char* err, size_t errlen) {
    char buf[512];
    const char* eq = strchr(kv, '=');
    if (!eq || strlen(kv) >= sizeof(buf)) {
        io_set_err(err, errlen, "expected key=value, got '%s'", kv);
        return -1;
    }
    strcpy(buf, kv);
    buf[eq - kv] = 0;
    char* key = trim(buf);
    char* value = trim(buf + (eq - kv) + 1);
    if (!*key) { io_set_err(err, errlen, "expected key=value, got '%s'", kv); return -1; }
    return acrl_config_set(table, cfg, key, value, err, errlen);
}

/* Reads "key = value" lines from f; path names it in messages, which show the line's
 * bytes escaped. */
static int load_stream(const acrl_config_entry* table, void* cfg, FILE* f, const char* path, char* err,
                       size_t errlen) {
    char section[128] = "", msg[ACRL_ERRLEN], shown[ACRL_ERRLEN];
    char* line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, rc = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (len > 1023) {
            io_set_err(err, errlen, "%s:%d: line too long", path, lineno);
            rc = -1;
            break;
        }
        if (memchr(line, 0, (size_t)len)) {
            io_set_err(err, errlen, "%s:%d: NUL byte; not a text config file", path, lineno);
            rc = -1;
            break;
        }
        /* a comment starts at '#' or ';' at the line start or after whitespace */
        for (char* p = line; *p; p++) {
            if ((*p == '#' || *p == ';') && (p == line || isspace((unsigned char)p[-1]))) { *p = 0; break; }
        }
        char* s = trim(line);
        if (!*s) continue;
        escape(s, strlen(s), shown, sizeof(shown));
        if (*s == '[') {
            char* close = strchr(s, ']');
            if (!close || close[1] || close == s + 1 || (size_t)(close - s) >= sizeof(section)) {
                io_set_err(err, errlen, "%s:%d: bad section header '%s'", path, lineno, shown);
                rc = -1;
                break;
            }
            *close = 0;
            snprintf(section, sizeof(section), "%s", trim(s + 1));
            continue;
        }
        char* eq = strchr(s, '=');
        if (!eq) {
            io_set_err(err, errlen, "%s:%d: expected 'key = value', got '%s'", path, lineno, shown);
            rc = -1;
            break;
        }
        *eq = 0;
        char* key = trim(s);
        char* value = trim(eq + 1);
        char full[256];
        if (snprintf(full, sizeof(full), "%s%s%s", section, *section ? "." : "", key) >= (int)sizeof(full) || !*key) {
            escape(key, strlen(key), shown, sizeof(shown));
            io_set_err(err, errlen, "%s:%d: bad key '%s'", path, lineno, shown);
            rc = -1;
            break;
        }
        if (acrl_config_set(table, cfg, full, value, msg, sizeof(msg)) != 0) {
            escape(msg, strlen(msg), shown, sizeof(shown));
            io_set_err(err, errlen, "%s:%d: %s", path, lineno, shown);
            rc = -1;
            break;
        }
    }
    int rd_errno = errno;
    free(line);
    if (rc == 0 && ferror(f)) { io_set_err(err, errlen, "cannot read %s: %s", path, strerror(rd_errno)); rc = -1; }
    return rc;
}

int acrl_config_load_file(const acrl_config_entry* table, void* cfg, const char* path,
                          char* err, size_t errlen) {
    FILE* f = acrl_file_open_read(path, "config", err, errlen);
    if (!f) return -1;
    int rc = load_stream(table, cfg, f, path, err, errlen);
    fclose(f);
    return rc;
}

int acrl_config_load_text(const acrl_config_entry* table, void* cfg, const char* text, size_t len,
                          const char* name, char* err, size_t errlen) {
    if (len == 0) return 0;
    FILE* f = fmemopen((void*)text, len, "r");
    if (!f) { io_set_err(err, errlen, "cannot read %s: %s", name, strerror(errno)); return -1; }
    int rc = load_stream(table, cfg, f, name, err, errlen);
    fclose(f);
    return rc;
}

/* shortest decimal that reads back to the same double (or float) */
static void format_real(double v, int is_float, char* out, size_t outlen) {
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(out, outlen, "%.*g", prec, v);
        double back = strtod(out, NULL);
        if (is_float ? (float)back == (float)v : back == v) return;
    }
}

void acrl_config_format_value(const acrl_config_entry* e, const void* cfg, char* out, size_t outlen) {
    const void* p = cfield(cfg, e);
    out[0] = 0;
    switch (e->type) {
    case ACRL_CFG_INT: snprintf(out, outlen, "%d", *(const int*)p); break;
    case ACRL_CFG_FLOAT: format_real(*(const float*)p, 1, out, outlen); break;
    case ACRL_CFG_DOUBLE: format_real(*(const double*)p, 0, out, outlen); break;
    case ACRL_CFG_BOOL: snprintf(out, outlen, "%s", *(const int*)p ? "true" : "false"); break;
    case ACRL_CFG_STRING: snprintf(out, outlen, "%s", (const char*)p); break;
    case ACRL_CFG_ENUM: {
        int i = *(const int*)p, n = 0;
        while (e->choices && e->choices[n]) n++;
        snprintf(out, outlen, "%s", i >= 0 && i < n ? e->choices[i] : "?");
        break;
    }
    case ACRL_CFG_INTLIST: {
        const acrl_intlist* l = p;
        size_t used = 0;
        for (int i = 0; i < l->n && i < ACRL_INTLIST_MAX && used < outlen; i++)
            used += (size_t)snprintf(out + used, outlen - used, "%s%d", i ? "," : "", l->v[i]);
        break;
    }
    }
}

int acrl_config_write(const acrl_config_entry* table, const void* cfg, FILE* f) {
    char v[512];
    for (const acrl_config_entry* e = table; e->key; e++) {
        acrl_config_format_value(e, cfg, v, sizeof(v));
        if (e->type == ACRL_CFG_STRING && !string_writable(v)) return -1; /* would not read back */
        if (e->help && *e->help) fprintf(f, "# %s\n", e->help);
        fprintf(f, "%s = %s\n", e->key, v);
    }
    return ferror(f) ? -1 : 0;
}

void acrl_config_describe(const acrl_config_entry* table, const void* cfg, FILE* f) {
    char v[512], kind[256];
    for (const acrl_config_entry* e = table; e->key; e++) {
        acrl_config_format_value(e, cfg, v, sizeof(v));
        if (e->type == ACRL_CFG_ENUM) {
            size_t used = 0;
            for (int i = 0; e->choices && e->choices[i] && used < sizeof(kind); i++)
                used += (size_t)snprintf(kind + used, sizeof(kind) - used, "%s%s", i ? "|" : "", e->choices[i]);
        } else if (has_range(e)) {
            snprintf(kind, sizeof(kind), "%s in [%g, %g]", type_name(e->type), e->min, e->max);
        } else {
            snprintf(kind, sizeof(kind), "%s", type_name(e->type));
        }
        fprintf(f, "  %-24s %-12s %-28s %s\n", e->key, v, kind, e->help ? e->help : "");
    }
}
