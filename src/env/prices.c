/* prices.c - daily price files (long or wide CSV, see acrl/portfolio.h), the one-day
 * portfolio step and the backtest metrics. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/portfolio.h"

#define MAX_COLS 4096

void acrl_prices_free(acrl_prices* p) {
    if (!p) return;
    free(p->dates);
    free(p->names);
    free(p->close);
    free(p->open);
    free(p->high);
    free(p->low);
    free(p->volume);
    memset(p, 0, sizeof *p);
}

/* Splits line (modified in place) at commas; trims spaces and a trailing CR/LF. */
static int split(char* line, char** f, int max) {
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    int k = 0;
    char* s = line;
    for (;;) {
        char* c = strchr(s, ',');
        if (c) *c = 0;
        while (*s == ' ' || *s == '\t') s++;
        size_t m = strlen(s);
        while (m && (s[m - 1] == ' ' || s[m - 1] == '\t')) s[--m] = 0;
        if (k < max) f[k] = s;
        k++;
        if (!c) break;
        s = c + 1;
    }
    return k;
}

static int valid_date(const char* s) {
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return 0;
    return 1;
}

/* Parses a number cell: 0, or -1 with a message (missing / not a number / out of range). */
static int cell(const char* path, long line, const char* col, const char* s, int positive, double* out,
                char* err, size_t errlen) {
    if (!*s || strcmp(s, "NA") == 0 || strcmp(s, "NaN") == 0 || strcmp(s, "nan") == 0) {
        snprintf(err, errlen, "%s:%ld: missing value in column '%s'", path, line, col);
        return -1;
    }
    char* end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno || !isfinite(v)) {
        snprintf(err, errlen, "%s:%ld: column '%s': '%s' is not a finite number", path, line, col, s);
        return -1;
    }
    if (positive ? v <= 0 : v < 0) {
        snprintf(err, errlen, "%s:%ld: column '%s': %s price %s (prices must be positive)", path, line, col,
                 positive ? "non-positive" : "negative", s);
        if (!positive) snprintf(err, errlen, "%s:%ld: column '%s': negative value %s", path, line, col, s);
        return -1;
    }
    *out = v;
    return 0;
}

typedef struct {
    char date[11];
    int asset;
    double v[5]; /* open high low close volume */
    long line;
} long_row;

static int grow(void** p, size_t* cap, size_t need, size_t elem) {
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap * 2 : 256;
    while (nc < need) nc *= 2;
    void* q = realloc(*p, nc * elem);
    if (!q) return -1;
    *p = q;
    *cap = nc;
    return 0;
}

static int load_long(FILE* f, const char* path, acrl_prices* p, char* err, size_t errlen) {
    static const char* cols[7] = {"date", "asset", "open", "high", "low", "close", "volume"};
    long_row* rows = NULL;
    size_t nrows = 0, cap = 0, ncap = 0;
    char* line = NULL;
    size_t lcap = 0;
    long ln = 1;
    int rc = -1;
    char* fld[8];
    while (getline(&line, &lcap, f) > 0) {
        ln++;
        if (line[0] == '\n' || (line[0] == '\r' && line[1] == '\n')) continue;
        int k = split(line, fld, 8);
        if (k != 7) { snprintf(err, errlen, "%s:%ld: expected 7 columns, found %d", path, ln, k); goto out; }
        if (!valid_date(fld[0])) {
            snprintf(err, errlen, "%s:%ld: '%s' is not a date YYYY-MM-DD", path, ln, fld[0]);
            goto out;
        }
        if (!*fld[1] || strlen(fld[1]) >= 32) {
            snprintf(err, errlen, "%s:%ld: asset name must have 1 to 31 characters", path, ln);
            goto out;
        }
        if (grow((void**)&rows, &cap, nrows + 1, sizeof *rows)) { snprintf(err, errlen, "out of memory"); goto out; }
        long_row* r = &rows[nrows];
        memcpy(r->date, fld[0], 11);
        r->line = ln;
        for (int j = 0; j < 5; j++)
            if (cell(path, ln, cols[2 + j], fld[2 + j], j < 4, &r->v[j], err, errlen)) goto out;
        int a = 0;
        while (a < p->n_assets && strcmp(p->names[a], fld[1]) != 0) a++;
        if (a == p->n_assets) {
            if (grow((void**)&p->names, &ncap, (size_t)a + 1, sizeof *p->names)) {
                snprintf(err, errlen, "out of memory");
                goto out;
            }
            snprintf(p->names[a], 32, "%s", fld[1]);
            p->n_assets++;
        }
        r->asset = a;
        nrows++;
    }
    if (p->n_assets == 0) { snprintf(err, errlen, "%s: no data rows", path); goto out; }
    /* the calendar: asset 0's dates, strictly increasing; every asset must have the same ones */
    int A = p->n_assets;
    int* cnt = calloc((size_t)A, sizeof *cnt);
    if (!cnt) { snprintf(err, errlen, "out of memory"); goto out; }
    for (size_t i = 0; i < nrows; i++) cnt[rows[i].asset]++;
    int D = cnt[0];
    p->n_days = D;
    p->dates = malloc((size_t)D * sizeof *p->dates);
    size_t nd = (size_t)D * (size_t)A;
    p->open = malloc(nd * sizeof(double));
    p->high = malloc(nd * sizeof(double));
    p->low = malloc(nd * sizeof(double));
    p->close = malloc(nd * sizeof(double));
    p->volume = malloc(nd * sizeof(double));
    p->has_ohlcv = 1;
    if (!p->dates || !p->open || !p->high || !p->low || !p->close || !p->volume) {
        free(cnt);
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    memset(cnt, 0, (size_t)A * sizeof *cnt);
    for (size_t i = 0; i < nrows; i++) {
        long_row* r = &rows[i];
        int a = r->asset, d = cnt[a];
        if (d > 0) {
            const char* prev = a == 0 ? p->dates[d - 1] : NULL;
            int c = a == 0 ? strcmp(r->date, prev) : 0;
            if (a == 0 && c <= 0) {
                snprintf(err, errlen, "%s:%ld: date %s of asset '%s' %s the previous one (%s): dates must be "
                         "sorted and unique", path, r->line, r->date, p->names[a], c == 0 ? "repeats" : "comes before",
                         prev);
                free(cnt);
                goto out;
            }
        }
        if (d >= D || (a != 0 && strcmp(r->date, p->dates[d]) != 0)) {
            snprintf(err, errlen, "%s:%ld: asset '%s' has date %s where the first asset '%s' has %s (every asset "
                     "needs the same sorted, unique dates)", path, r->line, p->names[a], r->date, p->names[0],
                     d < D ? p->dates[d] : "no more days");
            free(cnt);
            goto out;
        }
        if (a == 0) memcpy(p->dates[d], r->date, 11);
        size_t o = (size_t)d * (size_t)A + (size_t)a;
        p->open[o] = r->v[0];
        p->high[o] = r->v[1];
        p->low[o] = r->v[2];
        p->close[o] = r->v[3];
        p->volume[o] = r->v[4];
        cnt[a]++;
    }
    for (int a = 1; a < A; a++)
        if (cnt[a] != D) {
            snprintf(err, errlen, "%s: asset '%s' has %d days, the first asset '%s' %d (missing rows)", path,
                     p->names[a], cnt[a], p->names[0], D);
            free(cnt);
            goto out;
        }
    free(cnt);
    rc = 0;
out:
    free(rows);
    free(line);
    return rc;
}

static int load_wide(FILE* f, const char* path, char** hdr, int ncol, acrl_prices* p, char* err, size_t errlen) {
    int A = ncol - 1;
    p->n_assets = A;
    p->names = calloc((size_t)A, sizeof *p->names);
    if (!p->names) { snprintf(err, errlen, "out of memory"); return -1; }
    for (int a = 0; a < A; a++) {
        if (!*hdr[a + 1] || strlen(hdr[a + 1]) >= 32) {
            snprintf(err, errlen, "%s:1: asset name %d must have 1 to 31 characters", path, a + 1);
            return -1;
        }
        for (int b = 0; b < a; b++)
            if (strcmp(p->names[b], hdr[a + 1]) == 0) {
                snprintf(err, errlen, "%s:1: asset '%s' appears twice in the header", path, hdr[a + 1]);
                return -1;
            }
        snprintf(p->names[a], 32, "%s", hdr[a + 1]);
    }
    char* line = NULL;
    size_t lcap = 0, dcap = 0, ccap = 0;
    long ln = 1;
    char** fld = malloc((size_t)(ncol + 1) * sizeof *fld);
    int rc = -1;
    if (!fld) { snprintf(err, errlen, "out of memory"); return -1; }
    while (getline(&line, &lcap, f) > 0) {
        ln++;
        if (line[0] == '\n' || (line[0] == '\r' && line[1] == '\n')) continue;
        int k = split(line, fld, ncol + 1);
        if (k != ncol) { snprintf(err, errlen, "%s:%ld: expected %d columns, found %d", path, ln, ncol, k); goto out; }
        if (!valid_date(fld[0])) {
            snprintf(err, errlen, "%s:%ld: '%s' is not a date YYYY-MM-DD", path, ln, fld[0]);
            goto out;
        }
        int d = p->n_days;
        if (d > 0 && strcmp(fld[0], p->dates[d - 1]) <= 0) {
            snprintf(err, errlen, "%s:%ld: date %s %s the previous one (%s): dates must be sorted and unique", path,
                     ln, fld[0], strcmp(fld[0], p->dates[d - 1]) == 0 ? "repeats" : "comes before", p->dates[d - 1]);
            goto out;
        }
        if (grow((void**)&p->dates, &dcap, (size_t)d + 1, sizeof *p->dates) ||
            grow((void**)&p->close, &ccap, ((size_t)d + 1) * (size_t)A, sizeof(double))) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        memcpy(p->dates[d], fld[0], 11);
        for (int a = 0; a < A; a++)
            if (cell(path, ln, p->names[a], fld[a + 1], 1, &p->close[(size_t)d * (size_t)A + (size_t)a], err, errlen))
                goto out;
        p->n_days++;
    }
    if (p->n_days == 0) { snprintf(err, errlen, "%s: no data rows", path); goto out; }
    rc = 0;
out:
    free(fld);
    free(line);
    return rc;
}

int acrl_prices_load(const char* path, acrl_prices* p, char* err, size_t errlen) {
    memset(p, 0, sizeof *p);
    FILE* f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot open price file %s: %s", path, strerror(errno));
        return -1;
    }
    char* line = NULL;
    size_t lcap = 0;
    int rc = -1;
    if (getline(&line, &lcap, f) <= 0) {
        snprintf(err, errlen, "%s: empty file (expected a header line)", path);
        goto out;
    }
    char** hdr = malloc(MAX_COLS * sizeof *hdr);
    if (!hdr) { snprintf(err, errlen, "out of memory"); goto out; }
    int k = split(line, hdr, MAX_COLS);
    if (k > MAX_COLS) {
        snprintf(err, errlen, "%s:1: more than %d columns", path, MAX_COLS);
    } else if (k < 2 || strcmp(hdr[0], "date") != 0) {
        snprintf(err, errlen, "%s:1: header must start with 'date' and name at least one asset column "
                 "(long format: date,asset,open,high,low,close,volume; wide: date,NAME1,NAME2,...)", path);
    } else if (strcmp(hdr[1], "asset") == 0) {
        static const char* want[7] = {"date", "asset", "open", "high", "low", "close", "volume"};
        int ok = k == 7;
        for (int i = 0; ok && i < 7; i++) ok = strcmp(hdr[i], want[i]) == 0;
        if (!ok)
            snprintf(err, errlen, "%s:1: a long-format header must be date,asset,open,high,low,close,volume", path);
        else
            rc = load_long(f, path, p, err, errlen);
    } else {
        rc = load_wide(f, path, hdr, k, p, err, errlen);
    }
    free(hdr);
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "cannot read %s", path);
        rc = -1;
    }
out:
    free(line);
    fclose(f);
    if (rc) acrl_prices_free(p);
    return rc;
}

double acrl_portfolio_day(const double* w, const double* w_prev, const double* y, int n, double cost,
                          double* w_next, double* turnover) {
    double tv = 0, g = w[0];
    for (int i = 1; i <= n; i++) {
        tv += fabs(w[i] - w_prev[i]);
        g += w[i] * y[i - 1];
    }
    w_next[0] = w[0] / g;
    for (int i = 1; i <= n; i++) w_next[i] = w[i] * y[i - 1] / g;
    *turnover = tv;
    return log1p(-cost * tv) + log(g);
}

void acrl_portfolio_metrics_compute(const double* log_returns, const double* turnover, int n,
                                    acrl_portfolio_metrics* m) {
    memset(m, 0, sizeof *m);
    if (n <= 0) return;
    double s = 0, s2 = 0, sl = 0, dn = 0, tv = 0, peak = 0, cum = 0, mdd = 0;
    int wins = 0;
    for (int t = 0; t < n; t++) {
        double r = expm1(log_returns[t]);
        s += r;
        s2 += r * r;
        sl += log_returns[t];
        if (r < 0) dn += r * r;
        wins += r > 0;
        tv += turnover ? turnover[t] : 0;
        cum += log_returns[t];
        if (cum > peak) peak = cum;
        double dd = -expm1(cum - peak);
        if (dd > mdd) mdd = dd;
    }
    double mean = s / n, var = n > 1 ? (s2 - n * mean * mean) / (n - 1) : 0;
    double sd = var > 0 ? sqrt(var) : 0, dd = sqrt(dn / n);
    m->ann_return = expm1(252.0 * sl / n);
    m->volatility = sqrt(252.0) * sd;
    m->sharpe = sd > 0 ? sqrt(252.0) * mean / sd : 0;
    m->sortino = dd > 0 ? sqrt(252.0) * mean / dd : 0;
    m->max_drawdown = mdd;
    m->calmar = mdd > 0 ? m->ann_return / mdd : 0;
    m->turnover = tv / n;
    m->win_rate = (double)wins / n;
}
