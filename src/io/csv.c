/* csv.c - progress.csv: a header row of column names, then one row of numbers per
 * log interval, flushed at once so a crashed or running job can still be plotted. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdbool.h>

#include "acrl/io.h"
#include "io/io_internal.h"

struct acrl_csv {
    FILE* f;
    int ncols;
    int failed; /* a write error happened */
};

acrl_csv* acrl_csv_open(const char* path, const char* const* columns, int ncols, char* err, size_t errlen) {
    if (ncols <= 0) { io_set_err(err, errlen, "%s: no columns", path); return NULL; }
    for (int i = 0; i < ncols; i++) {
        if (!columns[i] || !*columns[i] || strpbrk(columns[i], ",\"\n\r")) {
            io_set_err(err, errlen, "%s: bad column name '%s'", path, columns[i] ? columns[i] : "(null)");
            return NULL;
        }
    }
    acrl_csv* c = calloc(1, sizeof(*c));
    if (!c) { io_set_err(err, errlen, "out of memory"); return NULL; }
    c->f = fopen(path, "w");
    if (!c->f) {
        io_set_err(err, errlen, "cannot create %s: %s", path, strerror(errno));
        free(c);
        return NULL;
    }
    c->ncols = ncols;
    for (int i = 0; i < ncols; i++) fprintf(c->f, "%s%s", i ? "," : "", columns[i]);
    fputc('\n', c->f);
    if (fflush(c->f) != 0 || ferror(c->f)) {
        io_set_err(err, errlen, "cannot write %s: %s", path, strerror(errno));
        fclose(c->f);
        unlink(path); /* no empty or partial file left behind */
        free(c);
        return NULL;
    }
    return c;
}

acrl_csv* acrl_csv_append(const char* path, const char* const* columns, int ncols, double max_step,
                          char* err, size_t errlen) {
    /* keep the header and the rows up to max_step; a crash after the last checkpoint may
     * have logged rows that the resumed run will log again */
    FILE* in = acrl_file_open_read(path, "progress file", err, errlen);
    if (!in && errno != ENOENT) return NULL;
    char* kept = NULL;
    size_t kept_len = 0;
    if (in) {
        FILE* out = open_memstream(&kept, &kept_len);
        char* line = NULL;
        size_t cap = 0;
        bool header = true;
        while (out && getline(&line, &cap, in) > 0) {
            if (header || strtod(line, NULL) <= max_step) fputs(line, out);
            header = false;
        }
        free(line);
        fclose(in);
        if (out) fclose(out);
    }
    acrl_csv* c = acrl_csv_open(path, columns, ncols, err, errlen);
    if (c && kept) {
        /* acrl_csv_open wrote a fresh header; replace the file with the kept rows instead */
        rewind(c->f);
        if (ftruncate(fileno(c->f), 0) != 0 || fwrite(kept, 1, kept_len, c->f) != kept_len || fflush(c->f) != 0) {
            io_set_err(err, errlen, "cannot write %s: %s", path, strerror(errno));
            acrl_csv_close(c);
            c = NULL;
        }
    }
    free(kept);
    return c;
}

/* integers exactly (steps, episode counts); everything else with 8 significant digits */
static void csv_number(FILE* f, double v) {
    if (isnan(v)) return;
    if (v == floor(v) && fabs(v) < 9007199254740992.0) fprintf(f, "%.0f", v);
    else fprintf(f, "%.8g", v);
}

int acrl_csv_row(acrl_csv* c, const double* values, char* err, size_t errlen) {
    for (int i = 0; i < c->ncols; i++) {
        if (i) fputc(',', c->f);
        csv_number(c->f, values[i]);
    }
    fputc('\n', c->f);
    if (fflush(c->f) != 0 || ferror(c->f)) {
        c->failed = 1;
        io_set_err(err, errlen, "cannot write progress row: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int acrl_csv_close(acrl_csv* c) {
    if (!c) return 0;
    int rc = (fclose(c->f) != 0 || c->failed) ? -1 : 0;
    free(c);
    return rc;
}
