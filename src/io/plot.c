/* plot.c - learning curves: reads the runs' progress.csv and summary.json, groups
 * runs by (algo, env), averages each group on a common step grid and has gnuplot
 * draw one mean line with a min..max band per group into a PNG. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "acrl/io.h"
#include "io/io_internal.h"

enum { GRID_POINTS = 200 };

typedef struct {
    double* step;  /* (n) non-decreasing */
    double* ret;   /* (n) return_mean at step */
    int n;
    int group;
} plot_run;

typedef struct {
    char algo[128], env[128];
    int nruns;
} plot_group;

/* the field'th comma-separated field of line (modifies nothing), as [*start, *end) */
static int csv_field(const char* line, int field, const char** start, const char** end) {
    const char* p = line;
    for (int i = 0; i < field; i++) {
        p = strchr(p, ',');
        if (!p) return -1;
        p++;
    }
    *start = p;
    *end = p + strcspn(p, ",\r\n");
    return 0;
}

/* 1 = a number, 0 = empty field, -1 = malformed */
static int field_number(const char* s, const char* e, double* v) {
    if (s == e) return 0;
    char buf[64];
    if ((size_t)(e - s) >= sizeof(buf)) return -1;
    memcpy(buf, s, (size_t)(e - s));
    buf[e - s] = 0;
    char* end;
    *v = strtod(buf, &end);
    return (*end == 0 && isfinite(*v)) ? 1 : -1;
}

static int read_progress(const char* dir, plot_run* r, char* err, size_t errlen) {
    char path[4200];
    if (acrl_path_join(path, sizeof(path), dir, "progress.csv", err, errlen)) return -1;
    char why[ACRL_ERRLEN];
    FILE* f = acrl_file_open_read(path, "progress.csv", why, sizeof(why));
    if (!f) { io_set_err(err, errlen, "run dir %s has no readable progress.csv (%s)", dir, why); return -1; }
    char* line = NULL;
    size_t cap = 0;
    int rc = -1, col_step = -1, col_ret = -1, lineno = 1, nalloc = 0;
    if (getline(&line, &cap, f) < 0) { io_set_err(err, errlen, "%s is empty", path); goto done; }
    line[strcspn(line, "\r\n")] = 0;
    for (int i = 0;; i++) {
        const char *s, *e;
        if (csv_field(line, i, &s, &e) != 0) break;
        if (e - s == 4 && memcmp(s, "step", 4) == 0) col_step = i;
        if (e - s == 11 && memcmp(s, "return_mean", 11) == 0) col_ret = i;
    }
    if (col_step < 0 || col_ret < 0) {
        io_set_err(err, errlen, "%s: header lacks a 'step' or 'return_mean' column", path);
        goto done;
    }
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        if (line[strspn(line, " \r\n")] == 0) continue;
        const char *s1, *e1, *s2, *e2;
        double step = 0, ret = 0;
        int k1 = -1, k2 = -1;
        if (csv_field(line, col_step, &s1, &e1) == 0) k1 = field_number(s1, e1, &step);
        if (csv_field(line, col_ret, &s2, &e2) == 0) k2 = field_number(s2, e2, &ret);
        if (k1 < 0 || k2 < 0) { io_set_err(err, errlen, "%s:%d: malformed row", path, lineno); goto done; }
        if (k1 == 0 || k2 == 0) continue; /* no episode finished yet */
        if (r->n > 0 && step < r->step[r->n - 1]) {
            io_set_err(err, errlen, "%s:%d: step goes backwards", path, lineno);
            goto done;
        }
        if (r->n == nalloc) {
            nalloc = nalloc ? 2 * nalloc : 256;
            double* a = realloc(r->step, (size_t)nalloc * sizeof(double));
            if (a) r->step = a;
            double* b = realloc(r->ret, (size_t)nalloc * sizeof(double));
            if (b) r->ret = b;
            if (!a || !b) { io_set_err(err, errlen, "out of memory"); goto done; }
        }
        r->step[r->n] = step;
        r->ret[r->n] = ret;
        r->n++;
    }
    if (r->n == 0) { io_set_err(err, errlen, "%s has no rows with a return_mean yet", path); goto done; }
    rc = 0;
done:
    free(line);
    fclose(f);
    return rc;
}

static int read_summary(const char* dir, char* algo, char* env, size_t len, char* err, size_t errlen) {
    char path[4200];
    if (acrl_path_join(path, sizeof(path), dir, "summary.json", err, errlen)) return -1;
    char why[ACRL_ERRLEN];
    FILE* f = acrl_file_open_read(path, "summary.json", why, sizeof(why));
    if (!f) { io_set_err(err, errlen, "run dir %s has no readable summary.json (%s)", dir, why); return -1; }
    char text[65536];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = 0;
    if (acrl_json_get_string(text, "algo", algo, len) != 0 || acrl_json_get_string(text, "env", env, len) != 0) {
        io_set_err(err, errlen, "%s lacks string fields \"algo\" and \"env\"", path);
        return -1;
    }
    return 0;
}

/* linear interpolation of (xs, ys) at x, holding the end values outside */
static double interp(const double* xs, const double* ys, int n, double x) {
    if (x <= xs[0]) return ys[0];
    if (x >= xs[n - 1]) return ys[n - 1];
    int lo = 0, hi = n - 1; /* xs[lo] < x < xs[hi] */
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (xs[mid] <= x) lo = mid;
        else hi = mid;
    }
    double t = (x - xs[lo]) / (xs[hi] - xs[lo]);
    return ys[lo] + t * (ys[hi] - ys[lo]);
}

void acrl_curve_aggregate(double* grid, double* mean, double* min, double* max, int npts,
                          const double* const* steps, const double* const* values, const int* lens, int nruns) {
    /* the steps every run reached; their union if the runs do not overlap */
    double lo = -INFINITY, hi = INFINITY, ulo = INFINITY, uhi = -INFINITY;
    for (int r = 0; r < nruns; r++) {
        lo = fmax(lo, steps[r][0]);
        hi = fmin(hi, steps[r][lens[r] - 1]);
        ulo = fmin(ulo, steps[r][0]);
        uhi = fmax(uhi, steps[r][lens[r] - 1]);
    }
    if (!(hi > lo)) { lo = ulo; hi = uhi; }
    for (int k = 0; k < npts; k++) {
        double x = npts > 1 ? lo + (hi - lo) * k / (npts - 1) : lo;
        double sum = 0, mn = INFINITY, mx = -INFINITY;
        for (int r = 0; r < nruns; r++) {
            double y = interp(steps[r], values[r], lens[r], x);
            sum += y;
            mn = fmin(mn, y);
            mx = fmax(mx, y);
        }
        grid[k] = x;
        mean[k] = sum / nruns;
        min[k] = mn;
        max[k] = mx;
    }
}

/* writes s as a gnuplot single-quoted string ('' stands for ') */
static void gp_quoted(FILE* f, const char* s) {
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', f);
        if (*s != '\n') fputc(*s, f);
    }
    fputc('\'', f);
}

static int find_in_path(const char* prog) {
    const char* path = getenv("PATH");
    if (!path) path = "/usr/bin:/bin";
    char buf[4200];
    while (*path) {
        size_t n = strcspn(path, ":");
        if (n > 0 && n < 4000) {
            snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, prog);
            if (access(buf, X_OK) == 0) return 1;
        }
        path += n + (path[n] == ':');
    }
    return 0;
}

static const char* const COLORS[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                     "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

/* the gnuplot script: terminal, labels, one datablock (step mean min max) per group, plot */
static int write_script(FILE* f, const plot_run* runs, int n, const plot_group* groups, int ngroups,
                         const char* out_png) {
    fputs("if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
          "  set terminal pngcairo size 1000,600 font 'sans,10'\n"
          "} else {\n"
          "  set terminal png size 1000,600\n"
          "}\n"
          "set termoption noenhanced\n", f);
    fputs("set output ", f);
    gp_quoted(f, out_png);
    fputs("\nset xlabel 'environment steps'\nset ylabel 'episode return'\n"
          "set format x '%.1s%c'\nset grid\nset key left top\n", f);
    int same_env = 1;
    for (int g = 1; g < ngroups; g++) same_env &= strcmp(groups[g].env, groups[0].env) == 0;
    char title[200];
    snprintf(title, sizeof(title), "learning curves%s%s (mean, min..max band over runs)",
             same_env ? ": " : "", same_env ? groups[0].env : "");
    fputs("set title ", f);
    gp_quoted(f, title);
    fputc('\n', f);

    const double** xs = malloc((size_t)n * sizeof(*xs));
    const double** ys = malloc((size_t)n * sizeof(*ys));
    int* lens = malloc((size_t)n * sizeof(*lens));
    if (!xs || !ys || !lens) { free(xs); free(ys); free(lens); return -1; }
    for (int g = 0; g < ngroups; g++) {
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (runs[i].group != g) continue;
            xs[m] = runs[i].step;
            ys[m] = runs[i].ret;
            lens[m++] = runs[i].n;
        }
        double grid[GRID_POINTS], mean[GRID_POINTS], mn[GRID_POINTS], mx[GRID_POINTS];
        acrl_curve_aggregate(grid, mean, mn, mx, GRID_POINTS, xs, ys, lens, m);
        fprintf(f, "$g%d << EOD\n", g);
        for (int k = 0; k < GRID_POINTS; k++) fprintf(f, "%.10g %.10g %.10g %.10g\n", grid[k], mean[k], mn[k], mx[k]);
        fputs("EOD\n", f);
    }
    free(xs);
    free(ys);
    free(lens);
    fputs("plot ", f);
    for (int g = 0; g < ngroups; g++) {
        const char* color = COLORS[g % (sizeof(COLORS) / sizeof(COLORS[0]))];
        char label[300];
        snprintf(label, sizeof(label), "%s on %s (%d run%s)", groups[g].algo, groups[g].env, groups[g].nruns,
                 groups[g].nruns == 1 ? "" : "s");
        fprintf(f, "%s$g%d using 1:3:4 with filledcurves lc rgb '%s' fs transparent solid 0.2 noborder notitle, \\\n",
                g ? ", \\\n     " : "", g, color);
        fprintf(f, "     $g%d using 1:2 with lines lc rgb '%s' lw 2 title ", g, color);
        gp_quoted(f, label);
    }
    fputc('\n', f);
    return 0;
}

/* runs gnuplot on script; its stderr goes to errfile. Returns the exit status or -1. */
static int run_gnuplot(const char* script, const char* errfile) {
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int fd = open(errfile, O_WRONLY | O_TRUNC);
        if (fd >= 0) { dup2(fd, 2); dup2(fd, 1); close(fd); }
        execlp("gnuplot", "gnuplot", script, (char*)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* One gnuplot invocation: a script and an error file in /tmp, removed by gp_close. */
typedef struct {
    char script[32], errfile[40];
    int  script_fd, err_fd;
    bool made_script, made_errfile;
} gp_job;

/* Creates the temp files; returns the script open for writing (NULL + err: -2 failure). */
static FILE* gp_open(gp_job* j, char* err, size_t errlen) {
    snprintf(j->script, sizeof j->script, "/tmp/acrl_plot_XXXXXX");
    snprintf(j->errfile, sizeof j->errfile, "/tmp/acrl_plot_err_XXXXXX");
    j->script_fd = mkstemp(j->script);
    j->made_script = j->script_fd >= 0;
    j->err_fd = mkstemp(j->errfile);
    j->made_errfile = j->err_fd >= 0;
    if (j->script_fd < 0 || j->err_fd < 0) {
        io_set_err(err, errlen, "cannot create a temp file in /tmp: %s", strerror(errno));
        return NULL;
    }
    FILE* f = fdopen(j->script_fd, "w");
    if (!f) { io_set_err(err, errlen, "cannot write the gnuplot script: %s", strerror(errno)); return NULL; }
    j->script_fd = -1; /* owned by f now */
    return f;
}

/* Closes the script f (bad: writing it failed), runs gnuplot on it and checks that out_png
 * was written: 0, or -2 with err (gnuplot's first error line in the message). */
static int gp_run(gp_job* j, FILE* f, int bad, const char* out_png, char* err, size_t errlen) {
    if (fclose(f) != 0 || bad) { io_set_err(err, errlen, "cannot write the gnuplot script: %s", strerror(errno)); return -2; }
    int status = run_gnuplot(j->script, j->errfile);
    if (status != 0) {
        char msg[200] = "";
        ssize_t k = pread(j->err_fd, msg, sizeof(msg) - 1, 0);
        msg[k > 0 ? k : 0] = 0;
        msg[strcspn(msg, "\n")] = 0;
        io_set_err(err, errlen, "gnuplot failed (exit status %d)%s%s", status, msg[0] ? ": " : "", msg);
        return -2;
    }
    struct stat st;
    if (stat(out_png, &st) != 0 || st.st_size == 0) { io_set_err(err, errlen, "gnuplot wrote no %s", out_png); return -2; }
    return 0;
}

static void gp_close(gp_job* j) {
    if (j->script_fd >= 0) close(j->script_fd);
    if (j->err_fd >= 0) close(j->err_fd);
    if (j->made_script) unlink(j->script);
    if (j->made_errfile) unlink(j->errfile);
}

/* The terminal (width x height PNG), grid, key position, output and labels of a chart. */
static void gp_header(FILE* f, int height, const char* key, const char* out_png, const char* title, const char* xlabel,
                      const char* ylabel) {
    fprintf(f, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n  set terminal pngcairo size 1000,%d font 'sans,10'\n"
               "} else {\n  set terminal png size 1000,%d\n}\nset termoption noenhanced\nset grid\nset key %s\n",
            height, height, key);
    fputs("set output ", f);
    gp_quoted(f, out_png);
    fputs("\nset title ", f);
    gp_quoted(f, title);
    fputs("\nset xlabel ", f);
    gp_quoted(f, xlabel);
    fputs("\nset ylabel ", f);
    gp_quoted(f, ylabel);
    fputc('\n', f);
}

int acrl_plot_runs(const char* const* run_dirs, int n, const char* out_png, char* err, size_t errlen) {
    if (n <= 0) { io_set_err(err, errlen, "no run directories to plot"); return -1; }
    if (!find_in_path("gnuplot")) {
        io_set_err(err, errlen, "gnuplot not found on PATH (install it, e.g. apt-get install gnuplot-nox)");
        return -2;
    }
    int rc = -2, ngroups = 0, made_out = 0;
    gp_job j = {.script_fd = -1, .err_fd = -1};
    plot_run* runs = calloc((size_t)n, sizeof(*runs));
    plot_group* groups = calloc((size_t)n, sizeof(*groups));
    if (!runs || !groups) { io_set_err(err, errlen, "out of memory"); goto done; }

    for (int i = 0; i < n; i++) {
        char algo[128], env[128];
        if (read_summary(run_dirs[i], algo, env, sizeof(algo), err, errlen) != 0 ||
            read_progress(run_dirs[i], &runs[i], err, errlen) != 0) {
            rc = -1; /* bad input */
            goto done;
        }
        int g = 0;
        while (g < ngroups && (strcmp(groups[g].algo, algo) != 0 || strcmp(groups[g].env, env) != 0)) g++;
        if (g == ngroups) {
            strcpy(groups[g].algo, algo);
            strcpy(groups[g].env, env);
            ngroups++;
        }
        groups[g].nruns++;
        runs[i].group = g;
    }

    /* the output must be writable before gnuplot runs: an unwritable place is an I/O error,
     * and a file created here is removed again if no plot reaches it */
    made_out = access(out_png, F_OK) != 0;
    int out_fd = open(out_png, O_WRONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0666);
    if (out_fd < 0) { made_out = 0; io_set_err(err, errlen, "cannot write %s: %s", out_png, strerror(errno)); goto done; }
    close(out_fd);

    FILE* f = gp_open(&j, err, errlen);
    if (!f) goto done;
    rc = gp_run(&j, f, write_script(f, runs, n, groups, ngroups, out_png), out_png, err, errlen);
done:
    gp_close(&j);
    if (rc != 0 && made_out) unlink(out_png);
    for (int i = 0; runs && i < n; i++) { free(runs[i].step); free(runs[i].ret); }
    free(runs);
    free(groups);
    return rc;
}

int acrl_plot_series(const char* title, const char* xlabel, const char* ylabel, const char* const* names,
                     const double* const* ys, int n, int len, const char* out_png, char* err, size_t errlen) {
    if (n <= 0 || len <= 0) { io_set_err(err, errlen, "no series to plot"); return -1; }
    if (!find_in_path("gnuplot")) {
        io_set_err(err, errlen, "gnuplot not found on PATH (install it, e.g. apt-get install gnuplot-nox)");
        return -2;
    }
    gp_job j;
    FILE* f = gp_open(&j, err, errlen);
    int rc = -2;
    if (f) {
        gp_header(f, 600, "left top", out_png, title, xlabel, ylabel);
        for (int s = 0; s < n; s++) {
            fprintf(f, "$s%d << EOD\n", s);
            for (int k = 0; k < len; k++) fprintf(f, "%d %.10g\n", k, ys[s][k]);
            fputs("EOD\n", f);
        }
        fputs("plot ", f);
        for (int s = 0; s < n; s++) {
            fprintf(f, "%s$s%d using 1:2 with lines lc rgb '%s' lw %d title ", s ? ", \\\n     " : "", s,
                    COLORS[s % (sizeof(COLORS) / sizeof(COLORS[0]))], s == 0 ? 2 : 1);
            gp_quoted(f, names[s]);
        }
        fputc('\n', f);
        rc = gp_run(&j, f, ferror(f), out_png, err, errlen);
    }
    gp_close(&j);
    return rc;
}

int acrl_plot_points(const char* title, const char* xlabel, const char* ylabel, const char* const* names,
                     const double* const* xs, const double* const* ys, const int* lens, int n, int logx, int logy,
                     const char* out_png, char* err, size_t errlen) {
    if (n <= 0) { io_set_err(err, errlen, "no points to plot"); return -1; }
    for (int s = 0; s < n; s++)
        for (int k = 0; k < lens[s]; k++)
            if (!isfinite(xs[s][k]) || !isfinite(ys[s][k]) || (logx && xs[s][k] <= 0) || (logy && ys[s][k] <= 0)) {
                io_set_err(err, errlen, "%s: point %d is not finite (or not positive on a log axis)", names[s], k + 1);
                return -1;
            }
    if (!find_in_path("gnuplot")) {
        io_set_err(err, errlen, "gnuplot not found on PATH (install it, e.g. apt-get install gnuplot-nox)");
        return -2;
    }
    gp_job j;
    FILE* f = gp_open(&j, err, errlen);
    int rc = -2;
    if (f) {
        gp_header(f, 700, "left bottom", out_png, title, xlabel, ylabel);
        if (logx) fputs("set logscale x\n", f);
        if (logy) fputs("set logscale y\n", f);
        for (int s = 0; s < n; s++) {
            fprintf(f, "$p%d << EOD\n", s);
            for (int k = 0; k < lens[s]; k++) fprintf(f, "%.10g %.10g\n", xs[s][k], ys[s][k]);
            fputs("EOD\n", f);
        }
        fputs("plot ", f);
        for (int s = 0; s < n; s++) {
            fprintf(f, "%s$p%d using 1:2 with linespoints pt %d ps 1.5 lc rgb '%s' lw %d title ", s ? ", \\\n     " : "",
                    s, 5 + 2 * (s % 4), COLORS[s % (sizeof(COLORS) / sizeof(COLORS[0]))], s == 0 ? 2 : 1);
            gp_quoted(f, names[s]);
        }
        fputc('\n', f);
        rc = gp_run(&j, f, ferror(f), out_png, err, errlen);
    }
    gp_close(&j);
    return rc;
}
