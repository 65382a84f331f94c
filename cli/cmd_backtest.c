/* acrl backtest POLICY_OR_BASELINE --env Portfolio-v0: the test-period performance of a
 * trained policy (or of a baseline alone) next to the baselines, as a table, a CSV file and
 * an equity-curve plot. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acrl.h"
#include "cli.h"

#define CMD "backtest"
#define MAX_SETS 32
#define NBASE 5

static const char* const BASE_NAMES[NBASE] = {"equal_weight", "buy_and_hold", "mean_variance", "risk_parity",
                                              "best_asset"};
static const acrl_baseline BASE_KINDS[NBASE] = {ACRL_BL_EQUAL_WEIGHT, ACRL_BL_BUY_AND_HOLD, ACRL_BL_MEAN_VARIANCE,
                                                ACRL_BL_RISK_PARITY, ACRL_BL_BEST_ASSET};

typedef struct {
    char name[160];
    double* r;   /* (n) log returns */
    double* tv;  /* (n) turnover */
    acrl_portfolio_metrics m;
} row;

typedef struct {
    int est_window;
    double risk_aversion;
    const double* fixed;  /* NULL or (1 + A) */
    int nfixed;
    char err[1024];
    int failed;           /* 0, or an exit code */
    row rows[NBASE + 2];
    int nrows, n;
    char dates[2][11];
    char assets[2048];     /* the asset names in use, ", "-separated */
    const char* esg_file;  /* --esg-file: report the policy's weight in high-score assets */
    double esg_threshold;
    double w_high, w_cash; /* mean weights over the test period (policy) */
    int have_w;
} bt;

/* The mean weight the policy held in assets whose score in b->esg_file is >= the threshold.
 * An asset missing from the file is an error naming it. */
static void esg_weight(bt* b, acrl_env* env) {
    const double* w;
    int n = acrl_portfolio_weights(env, &w);
    const int* cols;
    int A = acrl_portfolio_assets(env, &cols);
    const acrl_prices* px = acrl_portfolio_prices(env);
    FILE* f = fopen(b->esg_file, "r");
    if (!f) { snprintf(b->err, sizeof b->err, "cannot open ESG file %s", b->esg_file); b->failed = CLI_EXIT_USAGE; return; }
    int high[4096], seen[4096];
    memset(seen, 0, sizeof seen);
    char line[256];
    long ln = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        line[strcspn(line, "\r\n")] = 0;
        if (ln == 1 || !line[0]) continue;
        char* c = strchr(line, ',');
        char* end = NULL;
        double s = c ? strtod(c + 1, &end) : NAN;
        if (!c || end == c + 1 || *end || !isfinite(s)) {
            snprintf(b->err, sizeof b->err, "%s:%ld: expected asset,score", b->esg_file, ln);
            b->failed = CLI_EXIT_USAGE;
            fclose(f);
            return;
        }
        *c = 0;
        for (int a = 0; a < A && a < 4096; a++)
            if (strcmp(px->names[cols[a]], line) == 0) { seen[a] = 1; high[a] = s >= b->esg_threshold; }
    }
    fclose(f);
    for (int a = 0; a < A && a < 4096; a++)
        if (!seen[a]) {
            snprintf(b->err, sizeof b->err, "%s: no ESG score for asset '%s'", b->esg_file, px->names[cols[a]]);
            b->failed = CLI_EXIT_USAGE;
            return;
        }
    double sh = 0, sc = 0;
    for (int t = 0; t < n; t++) {
        sc += w[(size_t)t * (1 + A)];
        for (int a = 0; a < A; a++) if (high[a]) sh += w[(size_t)t * (1 + A) + 1 + a];
    }
    b->w_high = n ? sh / n : 0;
    b->w_cash = n ? sc / n : 0;
    b->have_w = 1;
}

static int add_row(bt* b, const char* name, int n) {
    row* r = &b->rows[b->nrows];
    snprintf(r->name, sizeof r->name, "%s", name);
    r->r = calloc((size_t)n, sizeof(double));
    r->tv = calloc((size_t)n, sizeof(double));
    if (!r->r || !r->tv) { free(r->r); free(r->tv); return -1; }
    b->nrows++;
    return 0;
}

/* the baselines (and the fixed weights) on env's test period; the policy row, if any, first */
static void run_baselines(bt* b, acrl_env* env) {
    const acrl_prices* px = acrl_portfolio_prices(env);
    const int* cols;
    int A = acrl_portfolio_assets(env, &cols);
    int start = acrl_portfolio_test_start(env);
    int n = px->n_days - start;
    double cost = acrl_portfolio_cost(env);
    if (b->nrows > 0 && b->n != n) {
        snprintf(b->err, sizeof b->err, "the policy's episode has %d steps, the test period %d days", b->n, n);
        b->failed = 1;
        return;
    }
    b->n = n;
    snprintf(b->dates[0], 11, "%s", px->dates[start]);
    snprintf(b->dates[1], 11, "%s", px->dates[px->n_days - 1]);
    size_t k = 0;
    for (int a = 0; a < A && k < sizeof b->assets; a++)
        k += (size_t)snprintf(b->assets + k, sizeof b->assets - k, "%s%s", a ? ", " : "", px->names[cols[a]]);
    if (b->fixed && b->nfixed != A + 1) {
        snprintf(b->err, sizeof b->err, "--weights: %d values given, the env has cash + %d assets = %d", b->nfixed,
                 A, A + 1);
        b->failed = CLI_EXIT_USAGE;
        return;
    }
    for (int k = 0; k <= NBASE; k++) {
        if (k == NBASE && !b->fixed) break;
        if (add_row(b, k < NBASE ? BASE_NAMES[k] : "fixed_weights", n)) {
            snprintf(b->err, sizeof b->err, "out of memory");
            b->failed = 1;
            return;
        }
        row* r = &b->rows[b->nrows - 1];
        char e[512];
        if (acrl_portfolio_baseline(px, cols, A, start, b->est_window, b->risk_aversion, cost,
                                    k < NBASE ? BASE_KINDS[k] : ACRL_BL_FIXED, b->fixed, r->r, r->tv, e, sizeof e)) {
            snprintf(b->err, sizeof b->err, "%s%s", k == NBASE ? "--weights: " : "", e);
            b->failed = CLI_EXIT_USAGE;
            return;
        }
    }
}

static void on_policy_end(void* user, acrl_env* env) {
    bt* b = user;
    const double* r, *tv;
    int n = acrl_portfolio_history(env, &r, &tv, NULL);
    if (n < 0) {
        snprintf(b->err, sizeof b->err, "the checkpoint's env is not a Portfolio env");
        b->failed = CLI_EXIT_USAGE;
        return;
    }
    row* pr = &b->rows[0];
    memcpy(pr->r, r, (size_t)n * sizeof(double));
    memcpy(pr->tv, tv, (size_t)n * sizeof(double));
    b->n = n;
    if (b->esg_file) esg_weight(b, env);
    if (!b->failed) run_baselines(b, env);
}

static int backtest_run(int argc, char** argv) {
    const char* sets[MAX_SETS];
    int nsets = 0;
    char* rest[argc + 1];
    int nrest = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--set") == 0 || strncmp(argv[i], "--set=", 6) == 0) {
            const char* v = argv[i][5] == '=' ? argv[i] + 6 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v) return cli_error(CMD, "--set needs a key=value");
            if (nsets == MAX_SETS) return cli_error(CMD, "too many --set options (at most %d)", MAX_SETS);
            sets[nsets++] = v;
        } else {
            rest[nrest++] = argv[i];
        }
    }
    rest[nrest] = NULL;
    enum { O_ENV, O_CSV, O_PLOT, O_EST, O_RISK, O_WEIGHTS, O_SEED, O_ESG, O_ESGT, O_N };
    cli_opt opts[O_N] = {{"--env", true, NULL}, {"--csv", true, NULL}, {"--plot", true, NULL},
                         {"--est-window", true, NULL}, {"--risk-aversion", true, NULL}, {"--weights", true, NULL},
                         {"--seed", true, NULL}, {"--esg-file", true, NULL}, {"--esg-threshold", true, NULL}};
    const char* pos[1];
    int npos = 0;
    if (cli_parse(CMD, nrest, rest, opts, O_N, pos, 1, &npos)) return CLI_EXIT_USAGE;
    if (npos != 1) return cli_error(CMD, "expected one POLICY (checkpoint or run directory) or 'baselines'");
    const char* env_id = opts[O_ENV].value ? opts[O_ENV].value : "Portfolio-v0";
    if (strcmp(env_id, "Portfolio-v0") != 0 && strcmp(env_id, "PortfolioESG-v0") != 0)
        return cli_error(CMD, "--env %s: backtests need Portfolio-v0 or PortfolioESG-v0", env_id);
    static bt b;
    memset(&b, 0, sizeof b);
    b.est_window = 60;
    b.risk_aversion = 5;
    long long v;
    if (opts[O_EST].value && cli_opt_int(CMD, "--est-window", opts[O_EST].value, 2, 100000, &v)) return CLI_EXIT_USAGE;
    if (opts[O_EST].value) b.est_window = (int)v;
    char msg[256];
    if (opts[O_RISK].value && (cli_to_double(opts[O_RISK].value, &b.risk_aversion, msg, sizeof msg) ||
                               !(b.risk_aversion > 0)))
        return cli_error(CMD, "--risk-aversion: needs a number > 0");
    b.esg_file = opts[O_ESG].value;
    b.esg_threshold = 50;
    if (opts[O_ESGT].value && cli_to_double(opts[O_ESGT].value, &b.esg_threshold, msg, sizeof msg))
        return cli_error(CMD, "--esg-threshold: %s", msg);
    long long seed = 0;
    if (opts[O_SEED].value && cli_opt_int(CMD, "--seed", opts[O_SEED].value, 0, 4294967295LL, &seed))
        return CLI_EXIT_USAGE;
    double fixed[1024];
    if (opts[O_WEIGHTS].value) {
        if (cli_to_doubles(opts[O_WEIGHTS].value, fixed, 1024, &b.nfixed, msg, sizeof msg) || b.nfixed > 1024)
            return cli_error(CMD, "--weights: %s", b.nfixed > 1024 ? "too many values" : msg);
        double s = 0;
        for (int i = 0; i < b.nfixed; i++) {
            if (fixed[i] < 0) return cli_error(CMD, "--weights: value %d is negative (%g)", i + 1, fixed[i]);
            s += fixed[i];
        }
        if (fabs(s - 1) > 1e-6)
            return cli_error(CMD, "--weights: the weights sum to %.9g, not 1 (cash first, then one per asset)", s);
        b.fixed = fixed;
    }
    /* env settings: --set key=value pairs joined into env_args */
    char args[2048] = "";
    size_t k = 0;
    for (int i = 0; i < nsets; i++) {
        if (!strchr(sets[i], '=')) return cli_error(CMD, "--set %s: expected key=value", sets[i]);
        const char* s = strncmp(sets[i], "env_args=", 9) == 0 ? sets[i] + 9 : sets[i];
        k += (size_t)snprintf(args + k, k < sizeof args ? sizeof args - k : 0, "%s%s", k ? "," : "", s);
        if (k >= sizeof args) return cli_error(CMD, "--set: the settings are too long");
    }
    const char* target = pos[0];
    int policy = strcmp(target, "baselines") != 0;
    for (int i = 0; i < NBASE; i++) policy &= strcmp(target, BASE_NAMES[i]) != 0;
    char err[1024];
    if (policy) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s", target);
        if (stat(target, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (acrl_path_join(path, sizeof path, target, "policy.ckpt", err, sizeof err)) return cli_error(CMD, "%s", err);
            if (stat(path, &st) != 0) acrl_path_join(path, sizeof path, target, "final.ckpt", NULL, 0);
            if (stat(path, &st) != 0) acrl_path_join(path, sizeof path, target, "last.ckpt", NULL, 0);
        }
        /* the row is named after the run directory (or checkpoint file) */
        char name[160];
        const char* base = target;
        size_t tl = strlen(target);
        while (tl > 1 && target[tl - 1] == '/') tl--;
        for (size_t i = 0; i + 1 < tl; i++) if (target[i] == '/') base = target + i + 1;
        snprintf(name, sizeof name, "%.*s", (int)(tl - (size_t)(base - target)), base);
        /* the policy's row is sized once the episode length is known: use the largest possible */
        b.rows[0].r = NULL;
        char extra[2100];
        snprintf(extra, sizeof extra, "%s%smode=test", args, args[0] ? "," : "");
        if (add_row(&b, name, 100000)) return cli_error(CMD, "out of memory");
        int rc = acrl_checkpoint_episode(path, extra, seed, on_policy_end, &b, err, sizeof err);
        if (rc != ACRL_OK) {
            if (rc == ACRL_ERR_INPUT) return cli_error(CMD, "%s", err);
            fprintf(stderr, "acrl: %s: %s\n", CMD, err);
            return 1;
        }
    } else {
        char full[2100];
        snprintf(full, sizeof full, "%s%smode=test", args, args[0] ? "," : "");
        acrl_env_options eo = acrl_env_options_default();
        eo.env_args = full;
        acrl_env* env = acrl_env_make(env_id, &eo, err, sizeof err);
        if (!env) return cli_error(CMD, "%s", err);
        run_baselines(&b, env);
        acrl_env_close(env);
    }
    if (b.failed) {
        if (b.failed == CLI_EXIT_USAGE) return cli_error(CMD, "%s", b.err);
        fprintf(stderr, "acrl: %s: %s\n", CMD, b.err);
        return b.failed;
    }
    printf("test period %s .. %s (%d days)\nassets: %s\n", b.dates[0], b.dates[1], b.n, b.assets);
    printf("%-24s %10s %10s %8s %8s %12s %8s %9s %8s\n", "name", "ann_return", "volatility", "sharpe", "sortino",
           "max_drawdown", "calmar", "turnover", "win_rate");
    for (int i = 0; i < b.nrows; i++) {
        row* r = &b.rows[i];
        acrl_portfolio_metrics_compute(r->r, r->tv, b.n, &r->m);
        printf("%-24s %10.4f %10.4f %8.3f %8.3f %12.4f %8.3f %9.4f %8.4f\n", r->name, r->m.ann_return,
               r->m.volatility, r->m.sharpe, r->m.sortino, r->m.max_drawdown, r->m.calmar, r->m.turnover,
               r->m.win_rate);
    }
    if (b.have_w)
        printf("%s: mean weight in assets scoring >= %g in %s: %.4f (cash %.4f)\n", b.rows[0].name, b.esg_threshold,
               b.esg_file, b.w_high, b.w_cash);
    int code = 0;
    if (opts[O_CSV].value) {
        FILE* f = fopen(opts[O_CSV].value, "w");
        if (!f) {
            fprintf(stderr, "acrl: %s: cannot write %s\n", CMD, opts[O_CSV].value);
            code = 1;
        } else {
            fprintf(f, "name,ann_return,volatility,sharpe,sortino,max_drawdown,calmar,turnover,win_rate\n");
            for (int i = 0; i < b.nrows; i++) {
                const acrl_portfolio_metrics* m = &b.rows[i].m;
                fprintf(f, "%s,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g\n", b.rows[i].name, m->ann_return,
                        m->volatility, m->sharpe, m->sortino, m->max_drawdown, m->calmar, m->turnover, m->win_rate);
            }
            if (fclose(f) != 0) {
                fprintf(stderr, "acrl: %s: cannot write %s\n", CMD, opts[O_CSV].value);
                code = 1;
            }
        }
    }
    if (opts[O_PLOT].value && b.n > 0) {
        /* equity curves: value of 1 invested at the start */
        const char* names[NBASE + 2];
        const double* ys[NBASE + 2];
        double* eq = malloc((size_t)b.nrows * (size_t)(b.n + 1) * sizeof(double));
        if (!eq) { fprintf(stderr, "acrl: %s: out of memory\n", CMD); return 1; }
        for (int i = 0; i < b.nrows; i++) {
            double* e = eq + (size_t)i * (size_t)(b.n + 1), c = 0;
            e[0] = 1;
            for (int t = 0; t < b.n; t++) e[t + 1] = exp(c += b.rows[i].r[t]);
            names[i] = b.rows[i].name;
            ys[i] = e;
        }
        char title[128];
        snprintf(title, sizeof title, "%s test period %s .. %s: equity curves", env_id, b.dates[0], b.dates[1]);
        int rc = acrl_plot_series(title, "trading days", "portfolio value", names, ys, b.nrows, b.n + 1,
                                  opts[O_PLOT].value, err, sizeof err);
        free(eq);
        if (rc) {
            fprintf(stderr, "acrl: %s: %s\n", CMD, err);
            code = rc == -1 ? CLI_EXIT_USAGE : 1;
        }
    }
    for (int i = 0; i < b.nrows; i++) { free(b.rows[i].r); free(b.rows[i].tv); }
    return code;
}

const cli_command cli_cmd_backtest = {
    CMD, "backtest a portfolio policy and baselines: acrl backtest POLICY|baselines [--env Portfolio-v0] ...",
    "usage: acrl backtest POLICY|baselines|BASELINE [--env Portfolio-v0|PortfolioESG-v0] [--set key=value]...\n"
    "                     [--csv FILE] [--plot FILE.png] [--weights W0,W1,...] [--est-window N]\n"
    "                     [--risk-aversion L] [--seed S] [--esg-file FILE [--esg-threshold 50]]\n"
    "\n"
    "Runs the test period of a Portfolio env (env_args mode=test: from the day test_start to\n"
    "the last day) with POLICY (a checkpoint or run directory; its own env settings, then the\n"
    "--set ones) or with the baselines only ('baselines' or a baseline's name; env settings from --set, e.g.\n"
    "--set data_path=prices.csv --set assets=10). Prints annualised return, volatility,\n"
    "Sharpe, Sortino, maximum drawdown, Calmar, mean daily turnover and win rate for the\n"
    "policy and the baselines: equal_weight (rebalanced daily), buy_and_hold, mean_variance\n"
    "(long-only, max mu'w - L/2 w'Sw, L from --risk-aversion, default 5, on the last\n"
    "--est-window days, default 60), risk_parity (equal risk contributions) and best_asset\n"
    "(the best asset of the training period); --weights adds fixed daily-rebalanced weights\n"
    "(cash first, summing to 1). --csv writes the table (header name,ann_return,volatility,\n"
    "sharpe,sortino,max_drawdown,calmar,turnover,win_rate); --plot draws the equity curves.\n"
    "--esg-file (asset,score lines) adds the policy's mean weight in assets scoring at least\n"
    "--esg-threshold. A run directory stands for its policy.ckpt (else final.ckpt, last.ckpt).\n",
    backtest_run,
};
