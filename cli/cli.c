/* Shared helpers of the acrl command-line tool: option parsing, strict number parsing,
 * and the one-line error messages with a hint. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acrl.h"
#include "cli.h"

int cli_error(const char* cmd, const char* fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (cmd) fprintf(stderr, "acrl: %s: %s (see 'acrl help %s')\n", cmd, msg, cmd);
    else fprintf(stderr, "acrl: %s (see 'acrl help')\n", msg);
    return CLI_EXIT_USAGE;
}

int cli_parse(const char* cmd, int argc, char** argv, cli_opt* opts, int nopts,
              const char** pos, int maxpos, int* npos) {
    *npos = 0;
    for (int i = 1; i < argc; i++) {
        const char* a = argv[i];
        if (a[0] == '-' && a[1] == '-' && a[2]) {
            const char* eq = strchr(a, '=');
            size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
            cli_opt* o = NULL;
            for (int k = 0; k < nopts; k++)
                if (strlen(opts[k].name) == nlen && strncmp(opts[k].name, a, nlen) == 0) o = &opts[k];
            if (!o) return cli_error(cmd, "unknown option '%.*s'", (int)nlen, a);
            if (!o->takes_value) {
                if (eq) return cli_error(cmd, "option '%s' takes no value", o->name);
                o->value = "";
            } else if (eq) {
                o->value = eq + 1;
            } else {
                if (i + 1 >= argc) return cli_error(cmd, "option '%s' needs a value", o->name);
                o->value = argv[++i];
            }
        } else if (a[0] == '-' && a[1] != '\0' && !(a[1] >= '0' && a[1] <= '9')) {
            /* short options such as -o take their value from the next word */
            cli_opt* o = NULL;
            for (int k = 0; k < nopts; k++)
                if (strcmp(opts[k].name, a) == 0) o = &opts[k];
            if (!o) return cli_error(cmd, "unknown option '%s'", a);
            if (!o->takes_value) o->value = "";
            else if (i + 1 >= argc) return cli_error(cmd, "option '%s' needs a value", o->name);
            else o->value = argv[++i];
        } else {
            if (*npos >= maxpos) return cli_error(cmd, "unexpected argument '%s'", a);
            pos[(*npos)++] = a;
        }
    }
    return 0;
}

int cli_to_int(const char* s, long long lo, long long hi, long long* out, char* msg, size_t len) {
    char* end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || end == s || *end != '\0' || s[0] == ' ' || s[0] == '\t') {
        snprintf(msg, len, "'%s' is not an integer", s);
        return -1;
    }
    if (errno == ERANGE || v < lo || v > hi) {
        snprintf(msg, len, "'%s' is out of range [%lld, %lld]", s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_to_double(const char* s, double* out, char* msg, size_t len) {
    char* end;
    errno = 0;
    double v = strtod(s, &end);
    if (*s == '\0' || end == s || *end != '\0' || s[0] == ' ' || s[0] == '\t') {
        snprintf(msg, len, "'%s' is not a number", s);
        return -1;
    }
    if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1.0)) {
        snprintf(msg, len, "'%s' is not a finite number", s);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_to_doubles(const char* s, double* out, int cap, int* n, char* msg, size_t len) {
    char item[128];
    *n = 0;
    for (const char* p = s;; ) {
        const char* c = strchr(p, ',');
        size_t k = c ? (size_t)(c - p) : strlen(p);
        if (k >= sizeof item) {
            snprintf(msg, len, "value %d is too long", *n + 1);
            return -1;
        }
        memcpy(item, p, k);
        item[k] = '\0';
        double v;
        if (cli_to_double(item, &v, msg, len) != 0) return -1;
        if (*n < cap) out[*n] = v;
        (*n)++;
        if (!c) break;
        p = c + 1;
    }
    return 0;
}

int cli_opt_int(const char* cmd, const char* opt, const char* s, long long lo, long long hi, long long* out) {
    char msg[256];
    if (cli_to_int(s, lo, hi, out, msg, sizeof msg) != 0) return cli_error(cmd, "%s: %s", opt, msg);
    return 0;
}

int cli_checkpoint_arg(const char* cmd, const char* arg, const char* plugin, char* buf, size_t len) {
    struct stat st;
    char dir[4096]; /* the run directory, whose plugin file names the env's plugin */
    snprintf(dir, sizeof dir, "%s", arg);
    snprintf(buf, len, "%s", arg);
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
        char err[ACRL_ERRLEN];
        if (acrl_path_join(buf, len, arg, "final.ckpt", err, sizeof err)) return cli_error(cmd, "%s", err);
        if (stat(buf, &st) != 0) acrl_path_join(buf, len, arg, "last.ckpt", NULL, 0);
    } else {
        char* slash = strrchr(dir, '/');
        if (slash) *slash = '\0';
        else snprintf(dir, sizeof dir, ".");
    }
    if (plugin) return cli_plugin_load(cmd, plugin) ? CLI_EXIT_USAGE : 0;
    return cli_plugin_load_recorded(cmd, dir) ? CLI_EXIT_USAGE : 0;
}
