/* json.c - the few JSON needs of a run: writing summary.json (one flat object)
 * and reading a string field back from it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/io.h"

static void json_escaped(FILE* f, const char* s) {
    fputc('"', f);
    for (const unsigned char* p = (const unsigned char*)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        default:
            if (*p < 0x20) fprintf(f, "\\u%04x", *p);
            else fputc(*p, f);
        }
    }
    fputc('"', f);
}

static void json_key(acrl_json* j, const char* key) {
    fputs(j->nfields++ ? ",\n  " : "\n  ", j->f);
    json_escaped(j->f, key);
    fputs(": ", j->f);
}

void acrl_json_begin(acrl_json* j, FILE* f) {
    j->f = f;
    j->nfields = 0;
    fputc('{', f);
}

void acrl_json_string(acrl_json* j, const char* key, const char* value) {
    json_key(j, key);
    if (value) json_escaped(j->f, value);
    else fputs("null", j->f);
}

void acrl_json_number(acrl_json* j, const char* key, double value) {
    json_key(j, key);
    if (!isfinite(value)) { fputs("null", j->f); return; }
    /* shortest form that reads back to the same double */
    char buf[40];
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*g", prec, value);
        if (strtod(buf, NULL) == value) break;
    }
    fputs(buf, j->f);
}

void acrl_json_int(acrl_json* j, const char* key, int64_t value) {
    json_key(j, key);
    fprintf(j->f, "%lld", (long long)value);
}

void acrl_json_bool(acrl_json* j, const char* key, int value) {
    json_key(j, key);
    fputs(value ? "true" : "false", j->f);
}

void acrl_json_null(acrl_json* j, const char* key) {
    json_key(j, key);
    fputs("null", j->f);
}

int acrl_json_end(acrl_json* j) {
    fputs(j->nfields ? "\n}\n" : "}\n", j->f);
    return ferror(j->f) ? -1 : 0;
}

/* ---- reading: a minimal scanner over one object's top level ---- */

static const char* skip_ws(const char* p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Parses a string at p (which points at '"'). Copies the unescaped value into out
 * (if out) and returns the position after the closing quote, or NULL if malformed
 * or if it does not fit. \u escapes become UTF-8. */
static const char* scan_string(const char* p, char* out, size_t outlen, int* toolong) {
    size_t n = 0;
    p++;
    for (;;) {
        unsigned cp;
        char c = *p++;
        if (c == 0 || (unsigned char)c < 0x20) return NULL;
        if (c == '"') break;
        if (c == '\\') {
            char e = *p++;
            switch (e) {
            case '"': cp = '"'; break;
            case '\\': cp = '\\'; break;
            case '/': cp = '/'; break;
            case 'b': cp = '\b'; break;
            case 'f': cp = '\f'; break;
            case 'n': cp = '\n'; break;
            case 'r': cp = '\r'; break;
            case 't': cp = '\t'; break;
            case 'u':
                cp = 0;
                for (int i = 0; i < 4; i++) {
                    int h = hexval(*p++);
                    if (h < 0) return NULL;
                    cp = cp * 16 + (unsigned)h;
                }
                break;
            default: return NULL;
            }
        } else {
            cp = (unsigned char)c; /* raw bytes (UTF-8) pass through */
            if (out) { if (n + 1 < outlen) out[n++] = c; else *toolong = 1; }
            continue;
        }
        char u[3];
        int k;
        if (cp < 0x80) { u[0] = (char)cp; k = 1; }
        else if (cp < 0x800) { u[0] = (char)(0xC0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3F)); k = 2; }
        else { u[0] = (char)(0xE0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[2] = (char)(0x80 | (cp & 0x3F)); k = 3; }
        for (int i = 0; i < k && out; i++) { if (n + 1 < outlen) out[n++] = u[i]; else *toolong = 1; }
    }
    if (out && outlen) out[n < outlen ? n : outlen - 1] = 0;
    return p;
}

/* skips any JSON value; returns the position after it or NULL if malformed */
static const char* skip_value(const char* p, int depth) {
    p = skip_ws(p);
    if (depth > 64) return NULL;
    if (*p == '"') { int tl = 0; return scan_string(p, NULL, 0, &tl); }
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        p = skip_ws(p + 1);
        if (*p == close) return p + 1;
        for (;;) {
            if (close == '}') {
                if (*p != '"') return NULL;
                int tl = 0;
                p = scan_string(p, NULL, 0, &tl);
                if (!p) return NULL;
                p = skip_ws(p);
                if (*p++ != ':') return NULL;
            }
            p = skip_value(p, depth + 1);
            if (!p) return NULL;
            p = skip_ws(p);
            if (*p == ',') { p = skip_ws(p + 1); continue; }
            if (*p == close) return p + 1;
            return NULL;
        }
    }
    /* number, true, false, null: a run of literal characters */
    const char* start = p;
    while (*p && strchr("+-0123456789.eEtrufalsn", *p)) p++;
    return p > start ? p : NULL;
}

/* the value of top-level field key in object text (after whitespace), or NULL */
static const char* json_find(const char* text, const char* key) {
    const char* p = skip_ws(text);
    if (*p++ != '{') return NULL;
    p = skip_ws(p);
    if (*p == '}') return NULL;
    char name[256];
    for (;;) {
        if (*p != '"') return NULL;
        int toolong = 0;
        p = scan_string(p, name, sizeof(name), &toolong);
        if (!p) return NULL;
        p = skip_ws(p);
        if (*p++ != ':') return NULL;
        p = skip_ws(p);
        if (!toolong && strcmp(name, key) == 0) return p;
        p = skip_value(p, 0);
        if (!p) return NULL;
        p = skip_ws(p);
        if (*p == ',') { p = skip_ws(p + 1); continue; }
        return NULL; /* '}' (key not found) or malformed */
    }
}

int acrl_json_get_string(const char* text, const char* key, char* out, size_t outlen) {
    const char* p = json_find(text, key);
    if (!p || *p != '"') return -1;
    int toolong = 0;
    return scan_string(p, out, outlen, &toolong) && !toolong ? 0 : -1;
}

int acrl_json_get_number(const char* text, const char* key, double* out) {
    const char* p = json_find(text, key);
    if (!p || !(*p == '-' || (*p >= '0' && *p <= '9'))) return -1;
    char* end;
    double v = strtod(p, &end);
    if (end == p || !isfinite(v)) return -1;
    *out = v;
    return 0;
}
