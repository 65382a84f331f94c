/* test_portfolio: Portfolio-v0 on small synthetic price files written here: the CSV loader
 * (both formats) and its refusals, the one-day dynamics against hand-computed values, the
 * env's observation layout, rewards (log return and running Sharpe re-computed from the
 * step returns), episode bounds, snapshots; the backtest metrics against NumPy values
 * (computed once with /usr/bin/python3, numbers below); the baselines' solvers (simplex
 * projection, mean-variance optimality conditions, equal risk contributions); the ESG file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acrl/portfolio.h"
#include "test.h"

static char dir[64];

static const char* write_file(const char* name, const char* text) {
    static char path[8][128];
    static int k;
    char* p = path[k++ % 8];
    snprintf(p, 128, "%s/%s", dir, name);
    FILE* f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
    return p;
}

/* a wide file of D days and 3 assets with deterministic, varied closes */
static const char* write_wide(const char* name, int D) {
    static char text[200000];
    size_t k = (size_t)snprintf(text, sizeof text, "date,AAA,BBB,CCC\n");
    for (int d = 0; d < D; d++)
        k += (size_t)snprintf(text + k, sizeof text - k, "2000-%02d-%02d,%.4f,%.4f,%.4f\n", 1 + d / 28, 1 + d % 28,
                              10 + 2 * sin(0.3 * d), 20 + 0.05 * d + cos(0.7 * d), 5 * exp(0.01 * d * sin(0.05 * d)));
    return write_file(name, text);
}

static void expect_err(const char* text, const char* want1, const char* want2) {
    const char* p = write_file("bad.csv", text);
    acrl_prices px;
    char err[512] = "";
    int rc = acrl_prices_load(p, &px, err, sizeof err);
    CHECK(rc == -1);
    if (!strstr(err, want1) || (want2 && !strstr(err, want2))) {
        printf("  message '%s' lacks '%s' / '%s'\n", err, want1, want2 ? want2 : "");
        CHECK(0);
    }
}

static void test_loader(void) {
    const char* p = write_file("long.csv",
                               "date,asset,open,high,low,close,volume\n"
                               "2001-01-02,X,1,2,0.5,1.5,100\n"
                               "2001-01-02,Y,10,12,9,11,0\n"
                               "2001-01-03,X,1.5,2.5,1.25,2,200\n"
                               "2001-01-03,Y,11,13,10,12,50\n");
    acrl_prices px;
    char err[512];
    CHECK(acrl_prices_load(p, &px, err, sizeof err) == 0);
    CHECK(px.n_days == 2 && px.n_assets == 2 && px.has_ohlcv == 1);
    CHECK(strcmp(px.names[1], "Y") == 0 && strcmp(px.dates[1], "2001-01-03") == 0);
    CHECK(px.close[0] == 1.5 && px.close[1] == 11 && px.close[2] == 2 && px.close[3] == 12);
    CHECK(px.high[3] == 13 && px.low[2] == 1.25 && px.volume[1] == 0 && px.open[2] == 1.5);
    acrl_prices_free(&px);

    p = write_file("wide.csv", "date,A,B\n2001-01-02,1,2\n2001-01-03,1.5,2.5\n");
    CHECK(acrl_prices_load(p, &px, err, sizeof err) == 0);
    CHECK(px.n_days == 2 && px.n_assets == 2 && px.has_ohlcv == 0 && px.close[3] == 2.5 && !px.high);
    acrl_prices_free(&px);

    expect_err("date,A,B\n2001-01-02,1,2\n2001-01-03,,2.5\n", "bad.csv:3: missing value in column 'A'", NULL);
    expect_err("date,A,B\n2001-01-02,1,2\n2001-01-03,NA,2.5\n", "bad.csv:3: missing value", NULL);
    expect_err("date,A,B\n2001-01-03,1,2\n2001-01-02,1,2.5\n", "bad.csv:3: date 2001-01-02 comes before", "sorted");
    expect_err("date,A,B\n2001-01-02,1,2\n2001-01-02,1,2.5\n", "bad.csv:3: date 2001-01-02 repeats", NULL);
    expect_err("date,A,B\n2001-01-02,1,2\n2001-01-03,0,2.5\n", "bad.csv:3: column 'A'", "non-positive price");
    expect_err("date,A,B\n2001-01-02,1,2\n2001-01-03,-1,2.5\n", "bad.csv:3:", "non-positive price");
    expect_err("date,A,B\n2001-01-02,1,2\n2001-01-03,1\n", "bad.csv:3: expected 3 columns", NULL);
    expect_err("date,A,B\n01/02/2001,1,2\n", "bad.csv:2: '01/02/2001' is not a date", NULL);
    expect_err("day,A\n2001-01-02,1\n", "bad.csv:1: header must start with 'date'", NULL);
    expect_err("date,A\n", "bad.csv: no data rows", NULL);
    expect_err("date,asset,open,high,low,close,volume\n2001-01-02,X,1,2,0.5,1.5,100\n"
               "2001-01-02,X,1,2,0.5,1.5,100\n", "bad.csv:3: date 2001-01-02 of asset 'X' repeats", NULL);
    expect_err("date,asset,open,high,low,close,volume\n2001-01-02,X,1,2,0.5,1.5,100\n"
               "2001-01-03,X,1,2,0.5,1.5,100\n2001-01-03,Y,1,2,0.5,1.5,100\n",
               "bad.csv:4: asset 'Y' has date 2001-01-03 where the first asset 'X' has 2001-01-02", NULL);
    expect_err("date,asset,open,high,low,close,volume\n2001-01-02,X,1,2,0.5,1.5,-3\n", "bad.csv:2: column 'volume'",
               "negative");
    expect_err("date,asset,close\n2001-01-02,X,1\n", "bad.csv:1: a long-format header", NULL);
    CHECK(acrl_prices_load("/nonexistent/p.csv", &px, err, sizeof err) == -1 && strstr(err, "/nonexistent/p.csv"));
}

static void test_day(void) {
    /* cash 0.2, assets 0.5 and 0.3, from all cash; relatives 1.1 and 0.9; cost 0.25% */
    const double w[3] = {0.2, 0.5, 0.3}, wp[3] = {1, 0, 0}, y[2] = {1.1, 0.9};
    double wn[3], tv;
    double R = acrl_portfolio_day(w, wp, y, 2, 0.0025, wn, &tv);
    CHECK_NEAR(tv, 0.8, 1e-15);
    CHECK_NEAR(R, log(1 - 0.0025 * 0.8) + log(1.02), 1e-15);
    CHECK_NEAR(wn[0], 0.2 / 1.02, 1e-15);
    CHECK_NEAR(wn[1], 0.55 / 1.02, 1e-15);
    CHECK_NEAR(wn[2], 0.27 / 1.02, 1e-15);
}

static void test_metrics(void) {
    const double lr[8] = {0.01, -0.02, 0.015, 0.003, -0.007, 0.012, -0.001, 0.004};
    const double tv[8] = {1.0, 0.1, 0.2, 0.0, 0.05, 0.3, 0.1, 0.0};
    acrl_portfolio_metrics m;
    acrl_portfolio_metrics_compute(lr, tv, 8, &m);
    /* NumPy: expm1(252 mean lr), sqrt(252) std(r, ddof=1), sharpe, sortino (root mean of
     * min(r,0)^2), max drawdown of exp(cumsum lr) from a peak starting at 1, calmar,
     * mean turnover, mean(r > 0) */
    CHECK_NEAR(m.ann_return, 0.655329363157055, 1e-12);
    CHECK_NEAR(m.volatility, 0.180805941461905, 1e-12);
    CHECK_NEAR(m.sharpe, 2.86969016690675, 1e-11);
    CHECK_NEAR(m.sortino, 4.39849581307858, 1e-11);
    CHECK_NEAR(m.max_drawdown, 0.0198013266932445, 1e-13);
    CHECK_NEAR(m.calmar, 33.0952250477555, 1e-9);
    CHECK_NEAR(m.turnover, 0.21875, 1e-15);
    CHECK_NEAR(m.win_rate, 0.625, 0);
}

static void test_solvers(void) {
    double v[3] = {0.6, 0.3, -1};
    acrl_simplex_project(v, 3);
    CHECK_NEAR(v[0], 0.65, 1e-15);
    CHECK_NEAR(v[1], 0.35, 1e-15);
    CHECK(v[2] == 0);
    double u[3] = {0.5, 0.5, 0.5};
    acrl_simplex_project(u, 3);
    CHECK_NEAR(u[0], 1.0 / 3, 1e-15);

    const double S[9] = {0.04, 0.006, 0.002, 0.006, 0.09, 0.01, 0.002, 0.01, 0.0225};
    double w[3];
    acrl_portfolio_risk_parity(S, 3, 1000, w);
    double rc[3], s = 0;
    for (int i = 0; i < 3; i++) {
        double m = 0;
        for (int j = 0; j < 3; j++) m += S[i * 3 + j] * w[j];
        rc[i] = w[i] * m;
        s += w[i];
    }
    CHECK_NEAR(s, 1, 1e-12);
    CHECK_NEAR(rc[0] / rc[1], 1, 1e-9);
    CHECK_NEAR(rc[2] / rc[1], 1, 1e-9);

    /* mean-variance on the simplex: KKT, the gradient equal (= nu) on the support and <= nu off it */
    const double mu[3] = {0.10, 0.30, -0.05};
    const double lam = 5;
    acrl_portfolio_mean_variance(mu, S, 3, lam, 5000, w);
    double g[3];
    for (int i = 0; i < 3; i++) {
        double m = 0;
        for (int j = 0; j < 3; j++) m += S[i * 3 + j] * w[j];
        g[i] = mu[i] - lam * m;
    }
    CHECK(w[0] > 0.01 && w[1] > 0.01 && w[2] == 0); /* the negative-mean asset is left out */
    CHECK_NEAR(g[0], g[1], 1e-9);
    CHECK(g[2] <= g[1] + 1e-12);
    CHECK_NEAR(w[0] + w[1] + w[2], 1, 1e-12);
}

static acrl_env* make(const char* args, char* err) {
    acrl_env_options o = acrl_env_options_default();
    o.env_args = args;
    return acrl_env_make("Portfolio-v0", &o, err, 512);
}

static void test_env(void) {
    const int D = 120;
    const char* p = write_wide("w.csv", D);
    char args[512], err[512];
    acrl_prices px;
    CHECK(acrl_prices_load(p, &px, err, sizeof err) == 0);
    snprintf(args, sizeof args, "data_path=%s,assets=0,window=5,episode=10,reward=log_return,cost=0.001", p);
    acrl_env* env = make(args, err);
    CHECK(env != NULL);
    if (!env) { printf("  %s\n", err); acrl_prices_free(&px); return; }
    CHECK(env->obs_space.dim == 1 * 6 * 3 && env->act_space.dim == 4);
    CHECK(acrl_portfolio_test_start(env) == 96); /* floor(0.8 * 120) */
    float obs[18], obs2[18];
    acrl_env_reset(env, 7, obs);
    int d = acrl_portfolio_today(env);
    CHECK(d >= 4 && d <= 96 - 1 - 10);
    /* obs[(0 * 6 + h) * 3 + a] = close[d - 4 + h][a] / close[d][a]; row 5 the weights (all cash: 0) */
    double maxd = 0;
    for (int h = 0; h < 5; h++)
        for (int a = 0; a < 3; a++)
            maxd = fmax(maxd, fabs(obs[h * 3 + a] - (float)(px.close[(d - 4 + h) * 3 + a] / px.close[d * 3 + a])));
    CHECK_MAXDIFF("close window / last close", maxd, 0);
    CHECK(obs[15] == 0 && obs[16] == 0 && obs[17] == 0);
    /* step with logits: the reward is the day's log return under softmax weights */
    const float act[4] = {0.0f, 1.0f, -0.5f, 0.25f};
    double w[4], z = 0, wp[4] = {1, 0, 0, 0}, y[3], wn[4], tv;
    for (int i = 0; i < 4; i++) z += w[i] = exp(act[i]);
    for (int i = 0; i < 4; i++) w[i] /= z;
    for (int a = 0; a < 3; a++) y[a] = px.close[(d + 1) * 3 + a] / px.close[d * 3 + a];
    double want = acrl_portfolio_day(w, wp, y, 3, 0.001, wn, &tv);
    double r;
    bool term, trunc;
    acrl_env_step(env, act, obs, &r, &term, &trunc);
    CHECK_NEAR(r, want, 1e-14);
    CHECK(!term && !trunc);
    CHECK(acrl_portfolio_today(env) == d + 1);
    const double* hw;
    CHECK(acrl_portfolio_weights(env, &hw) == 1);
    CHECK_NEAR(hw[0], w[0], 1e-15);
    CHECK_NEAR(hw[3], w[3], 1e-15);
    CHECK_NEAR(obs[15], wn[1], 1e-7); /* the drifted weights row */
    CHECK_NEAR(obs[17], wn[3], 1e-7);
    int steps = 1;
    while (!trunc) { acrl_env_step(env, act, obs, &r, &term, &trunc); steps++; }
    CHECK(steps == 10);
    /* snapshot: save mid-episode, run on, load, run again: identical */
    acrl_env_reset(env, 11, obs);
    acrl_env_step(env, act, obs, &r, &term, &trunc);
    size_t nb = env->vt->state_bytes(env);
    void* snap = malloc(nb);
    env->vt->state_save(env, snap);
    double r1[5], r2[5];
    for (int i = 0; i < 5; i++) acrl_env_step(env, act, obs, &r1[i], &term, &trunc);
    memcpy(obs2, obs, sizeof obs);
    CHECK(env->vt->state_load(env, snap) == 0);
    for (int i = 0; i < 5; i++) acrl_env_step(env, act, obs, &r2[i], &term, &trunc);
    CHECK(memcmp(r1, r2, sizeof r1) == 0 && memcmp(obs, obs2, sizeof obs) == 0);
    free(snap);
    acrl_env_close(env);

    /* the running-Sharpe reward: SR of the returns so far / T, re-computed from the history */
    snprintf(args, sizeof args, "data_path=%s,assets=2,asset_seed=3,window=5,episode=10", p);
    env = make(args, err);
    CHECK(env != NULL && env->act_space.dim == 3);
    if (env) {
        acrl_env_reset(env, 1, obs);
        double maxr = 0;
        for (int t = 1; t <= 10; t++) {
            const float a2[3] = {0.3f * (float)t, -0.2f, 0.1f};
            acrl_env_step(env, a2, obs, &r, &term, &trunc);
            const double* h;
            CHECK(acrl_portfolio_history(env, &h, NULL, NULL) == t);
            double s = 0, s2 = 0;
            for (int i = 0; i < t; i++) s += h[i];
            double m = s / t;
            for (int i = 0; i < t; i++) s2 += (h[i] - m) * (h[i] - m);
            double sr = t < 2 ? 0 : sqrt(252.0) * m / (sqrt(s2 / t) + 1e-9) / 10;
            maxr = fmax(maxr, fabs(r - sr) / fmax(1, fabs(sr)));
        }
        CHECK_MAXDIFF("running Sharpe reward", maxr, 1e-9);
        CHECK(trunc);
        acrl_env_close(env);
    }

    /* test mode: from test_start to the last day */
    snprintf(args, sizeof args, "data_path=%s,window=5,episode=10,assets=0,mode=test,test_start=2000-04-01,reward=log_return", p);
    env = make(args, err);
    CHECK(env != NULL);
    if (env) {
        int ts = acrl_portfolio_test_start(env);
        CHECK(ts == 3 * 28); /* 2000-04-01 is day 84 */
        acrl_env_reset(env, 0, obs);
        int n = 0;
        trunc = false;
        while (!trunc) { acrl_env_step(env, act, obs, &r, &term, &trunc); n++; }
        CHECK(n == D - ts);
        /* equal weights through the env give the equal-weight baseline's returns */
        const int* cols;
        int A = acrl_portfolio_assets(env, &cols);
        double* br = malloc(sizeof(double) * (size_t)n * 2);
        CHECK(acrl_portfolio_baseline(&px, cols, A, ts, 20, 5, 0.0025, ACRL_BL_EQUAL_WEIGHT, NULL, br, br + n, err,
                                      sizeof err) == 0);
        acrl_env_close(env);
        snprintf(args, sizeof args, "data_path=%s,window=5,episode=10,assets=0,mode=test,test_start=2000-04-01,reward=log_return", p);
        env = make(args, err);
        acrl_env_reset(env, 0, obs);
        const float eq[4] = {-INFINITY, 0, 0, 0};
        double maxb = 0;
        for (int t = 0; t < n; t++) {
            acrl_env_step(env, eq, obs, &r, &term, &trunc);
            maxb = fmax(maxb, fabs(r - br[t]));
        }
        CHECK_MAXDIFF("env with equal weights vs equal_weight baseline", maxb, 1e-14);
        double fw[4] = {0.1, 0.3, 0.3, 0.2};
        CHECK(acrl_portfolio_baseline(&px, cols, A, ts, 20, 5, 0.0025, ACRL_BL_FIXED, fw, br, br + n, err,
                                      sizeof err) == -1 && strstr(err, "sum to 0.9"));
        free(br);
        acrl_env_close(env);
    }

    /* refusals */
    snprintf(args, sizeof args, "data_path=%s,assets=0,window=50,episode=128", p);
    CHECK(make(args, err) == NULL && strstr(err, "too few days") && strstr(err, "w.csv"));
    printf("  %s\n", err);
    snprintf(args, sizeof args, "data_path=%s,assets=4", p);
    CHECK(make(args, err) == NULL && strstr(err, "assets=4"));
    CHECK(make("reward=sharp", err) == NULL && strstr(err, "reward=sharp"));
    CHECK(make("colour=red", err) == NULL && strstr(err, "unknown key 'colour'"));
    snprintf(args, sizeof args, "data_path=%s,assets=0,window=5,episode=10,test_start=2001-01-01", p);
    CHECK(make(args, err) == NULL && strstr(err, "no test days"));
    printf("  %s\n", err);
    acrl_prices_free(&px);
}

static void test_esg(void) {
    const char* p = write_wide("e.csv", 120);
    const char* good = write_file("esg.csv", "asset,score\nAAA,80\nBBB,20\nCCC,60\n");
    const char* bad = write_file("esg_bad.csv", "asset,score\nAAA,80\nCCC,60\n");
    char args[600], err[512];
    acrl_env_options o = acrl_env_options_default();
    o.env_args = args;
    snprintf(args, sizeof args, "data_path=%s,assets=0,window=5,episode=10,esg_path=%s", p, bad);
    CHECK(acrl_env_make("PortfolioESG-v0", &o, err, sizeof err) == NULL && strstr(err, "esg_bad.csv") &&
          strstr(err, "'BBB'"));
    snprintf(args, sizeof args, "data_path=%s,assets=0,window=5,episode=10,reward=log_return,esg_path=%s,"
             "esg_threshold=50,esg_grant=0.01,esg_tax=0.02", p, good);
    acrl_env* env = acrl_env_make("PortfolioESG-v0", &o, err, sizeof err);
    CHECK(env != NULL);
    if (!env) { printf("  %s\n", err); return; }
    float obs[18];
    acrl_env_reset(env, 3, obs);
    const float act[4] = {0, 1, 0.5f, -1};
    double w[4], z = 0, r;
    for (int i = 0; i < 4; i++) z += w[i] = exp(act[i]);
    for (int i = 0; i < 4; i++) w[i] /= z;
    bool term, trunc;
    acrl_env_step(env, act, obs, &r, &term, &trunc);
    const double* h, *he;
    CHECK(acrl_portfolio_history(env, &h, NULL, &he) == 1);
    CHECK_NEAR(he[0], w[1] + w[3], 1e-15); /* AAA and CCC score >= 50 */
    CHECK_NEAR(r, h[0] + log1p(0.01 * (w[1] + w[3]) - 0.02 * w[2]), 1e-14);
    acrl_env_close(env);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/acrl_test_portfolio_XXXXXX");
    if (!mkdtemp(dir)) return 1;
    test_loader();
    test_day();
    test_metrics();
    test_solvers();
    test_env();
    test_esg();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) printf("  could not remove %s\n", dir);
    return test_summary("test_portfolio");
}
