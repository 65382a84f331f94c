/* progress.c - the training progress line on stderr: a live bar redrawn in place
 * on a terminal, a plain line every few seconds into a log file, or nothing. */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acrl/io.h"

enum { TTY_BAR_WIDTH = 30 };
#define TTY_INTERVAL_S 0.1 /* at most 10 redraws a second */

static double mono_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* appends with snprintf semantics, never past the end */
static void put(char* out, size_t outlen, size_t* n, const char* fmt, ...) __attribute__((format(printf, 4, 5)));
static void put(char* out, size_t outlen, size_t* n, const char* fmt, ...) {
    if (*n >= outlen) return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(out + *n, outlen - *n, fmt, ap);
    va_end(ap);
    if (k > 0) *n += (size_t)k;
    if (*n >= outlen) *n = outlen - 1;
}

/* "M:SS" or "H:MM:SS" */
static void put_duration(char* out, size_t outlen, size_t* n, double s) {
    long t = (long)(s + 0.5);
    if (t >= 3600) put(out, outlen, n, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
    else put(out, outlen, n, "%ld:%02ld", t / 60, t % 60);
}

size_t acrl_progress_format(char* out, size_t outlen, int64_t step, int64_t total, double elapsed_s,
                            double steps_per_s, double recent_return, int bar_width) {
    size_t n = 0;
    if (outlen == 0) return 0;
    out[0] = 0;
    double frac = total > 0 ? (double)step / (double)total : 0.0;
    if (frac < 0) frac = 0;
    if (frac > 1) frac = 1;
    if (bar_width > 0) {
        int full = (int)(frac * bar_width);
        put(out, outlen, &n, "[");
        for (int i = 0; i < bar_width; i++) put(out, outlen, &n, "%c", i < full ? '#' : '.');
        put(out, outlen, &n, "] ");
    }
    /* fixed width after a bar so the live line does not jitter */
    if (total > 0) put(out, outlen, &n, bar_width > 0 ? "%5.1f%%  %lld/%lld" : "%.1f%%  %lld/%lld",
                       100.0 * frac, (long long)step, (long long)total);
    else put(out, outlen, &n, "%lld steps", (long long)step);
    if (steps_per_s >= 100) put(out, outlen, &n, "  %.0f steps/s", steps_per_s);
    else if (steps_per_s > 0) put(out, outlen, &n, "  %.1f steps/s", steps_per_s);
    else put(out, outlen, &n, "  - steps/s");
    put(out, outlen, &n, "  elapsed ");
    put_duration(out, outlen, &n, elapsed_s);
    if (total > 0) {
        put(out, outlen, &n, "  ETA ");
        if (step >= total) put(out, outlen, &n, "0:00");
        else if (steps_per_s > 0) put_duration(out, outlen, &n, (double)(total - step) / steps_per_s);
        else put(out, outlen, &n, "-:--");
    }
    if (isnan(recent_return)) put(out, outlen, &n, "  return -");
    else put(out, outlen, &n, "  return %.2f", recent_return);
    return n;
}

void acrl_progress_init(acrl_progress* p, int64_t total, acrl_progress_mode mode, double plain_interval_s) {
    memset(p, 0, sizeof(*p));
    p->out = stderr;
    p->quiet = mode == ACRL_PROGRESS_QUIET;
    p->tty = isatty(fileno(stderr));
    p->total = total;
    p->interval_s = p->tty ? TTY_INTERVAL_S : plain_interval_s;
    p->t_start = p->t_last = mono_now();
}

static void draw(acrl_progress* p, int64_t step, double recent_return, double now, int final) {
    char line[256];
    double elapsed = now - p->t_start;
    double rate = elapsed > 0 ? (double)step / elapsed : 0;
    acrl_progress_format(line, sizeof(line), step, p->total, elapsed, rate, recent_return,
                         p->tty ? TTY_BAR_WIDTH : 0);
    if (p->tty) {
        fprintf(p->out, "\r%s\x1b[K%s", line, final ? "\n" : ""); /* \x1b[K clears a longer old line */
        p->drawn = !final;
    } else {
        fprintf(p->out, "%s\n", line);
    }
    fflush(p->out);
    p->t_last = now;
}

void acrl_progress_update(acrl_progress* p, int64_t step, double recent_return) {
    if (p->quiet) return;
    double now = mono_now();
    if (now - p->t_last < p->interval_s) return;
    draw(p, step, recent_return, now, 0);
}

void acrl_progress_finish(acrl_progress* p, int64_t step, double recent_return) {
    if (p->quiet) return;
    draw(p, step, recent_return, mono_now(), 1);
}
