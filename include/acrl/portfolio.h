/* acrl/portfolio.h - daily price data, the Portfolio-v0 env and backtest metrics.
 *
 * Price files (CSV, first line a header):
 *   long format: date,asset,open,high,low,close,volume   (one row per day and asset,
 *                every asset on every date; rows grouped in any order of assets)
 *   wide format: date,NAME1,NAME2,...                     (one row per day, closes only)
 * Dates are YYYY-MM-DD, strictly increasing (long format: per asset). Prices must be
 * positive and finite; volume non-negative; no empty cells.
 *
 * Portfolio-v0 (see docs/portfolio.md): assets plus cash, price relatives y_i = close_t /
 * close_{t-1} (cash 1); the action is softmax(a) over 1 + n_assets weights (cash first).
 * Weights drift with prices; a proportional cost on the traded non-cash weight; per-step
 * log return R_t = ln(1 - c) + ln(w . y). Reward: sharpe (r_t = SR(R_1..R_t) / T, SR the
 * annualised Sharpe ratio sqrt(252) mean / std of the returns so far, 0 for t < 2) or
 * log_return (r_t = R_t).
 *
 * Env settings come as acrl_env_options.env_args, "key=value" pairs split by ',':
 *   data_path   price file (default $ACRL_DATA_DIR/dowjones30.csv, else data/dowjones30.csv)
 *   assets      number of assets drawn at random (fixed by asset_seed) from the file; 0 all (default 10)
 *   asset_seed  seed of that draw (default 0)
 *   window      days of history in the observation (default 50)
 *   episode     training episode length in days (default 128)
 *   cost        proportional transaction cost (default 0.0025)
 *   reward      sharpe | log_return (default sharpe)
 *   test_start  first date of the test period (default: the date at 80% of the days)
 *   mode        train (random starts in the training period) | test (the whole test period)
 *   esg_path, esg_threshold, esg_grant, esg_tax: PortfolioESG-v0 only (see docs/portfolio.md). */
#ifndef ACRL_PORTFOLIO_H
#define ACRL_PORTFOLIO_H

#include <stddef.h>

#include "acrl/env.h"

typedef struct {
    int     n_days, n_assets;
    int     has_ohlcv;      /* 1: long format (open/high/low/volume filled), 0: closes only */
    char  (*dates)[11];     /* (n_days) "YYYY-MM-DD" */
    char  (*names)[32];     /* (n_assets) */
    double* close;          /* (n_days, n_assets) */
    double* open, *high, *low, *volume; /* (n_days, n_assets), NULL unless has_ohlcv */
} acrl_prices;

/* Reads a price file (either format). Returns 0, or -1 with a message naming the file and
 * line. Free with acrl_prices_free. */
int  acrl_prices_load(const char* path, acrl_prices* p, char* err, size_t errlen);
void acrl_prices_free(acrl_prices* p);

/* Portfolio growth of one day: target weights w (1 + n, cash first, summing to 1), the
 * weights held before trading w_prev (drifted), price relatives y (n, cash excluded).
 * Returns the log return ln(1 - c) + ln(w . y) with c = cost * sum_i>0 |w_i - w_prev_i|;
 * writes the drifted weights into w_next (1 + n) and the turnover sum_i>0 |w_i - w_prev_i|
 * into *turnover. */
double acrl_portfolio_day(const double* w, const double* w_prev, const double* y, int n, double cost,
                          double* w_next, double* turnover);

/* Performance of a series of daily log returns (and daily turnovers), 252 days a year. */
typedef struct {
    double ann_return;    /* exp(252 mean R) - 1 */
    double volatility;    /* sqrt(252) std of the simple returns */
    double sharpe;        /* sqrt(252) mean / std of the simple returns (0 if std is 0) */
    double sortino;       /* sqrt(252) mean / downside deviation (root mean of min(r, 0)^2) */
    double max_drawdown;  /* largest fall from a running peak of the value, as a fraction */
    double calmar;        /* ann_return / max_drawdown (0 if no drawdown) */
    double turnover;      /* mean daily turnover */
    double win_rate;      /* fraction of days with a positive return */
} acrl_portfolio_metrics;

void acrl_portfolio_metrics_compute(const double* log_returns, const double* turnover, int n,
                                    acrl_portfolio_metrics* m);

/* Portfolio-v0 base env introspection (env may be wrapped). NULL / -1 if env is not one.
 * The test-mode history: log returns and turnover of the steps taken in this episode. */
const acrl_prices* acrl_portfolio_prices(const acrl_env* env);
/* The weights chosen at each step of the episode: (steps, 1 + A), cash first; returns steps. */
int acrl_portfolio_weights(const acrl_env* env, const double** weights);
/* Asset columns used (n_used entries of the file's columns) and the day index of the next
 * step's decision (prices up to and including that day are known). */
int acrl_portfolio_assets(const acrl_env* env, const int** cols);
int acrl_portfolio_today(const acrl_env* env);
/* The env's proportional cost (NAN if env is not a Portfolio env). */
double acrl_portfolio_cost(const acrl_env* env);
/* First test day index and the episode history (steps taken so far). */
int acrl_portfolio_test_start(const acrl_env* env);
int acrl_portfolio_history(const acrl_env* env, const double** log_returns, const double** turnover,
                           const double** weight_esg_high);

/* ---- baselines over the test period ---------------------------------------------
 * Each decides, on day d (start - 1 <= d <= n_days - 2, prices up to d known), the weights
 * held over day d + 1, beginning from all cash, with the env's dynamics
 * (acrl_portfolio_day) and cost:
 *   EQUAL_WEIGHT   1/A in every asset, rebalanced daily
 *   BUY_AND_HOLD   1/A bought on the first day, then left to drift
 *   MEAN_VARIANCE  long-only max mu'w - (risk_aversion / 2) w' S w over the simplex (a small
 *                  QP by projected gradient), mu and S the annualised mean and covariance of
 *                  the daily simple returns over the last est_window days, re-solved daily
 *   RISK_PARITY    equal risk contributions w_i (S w)_i under the same S, re-solved daily
 *   BEST_ASSET     all in the asset with the highest return over the training days [0, start)
 *   FIXED          the weights fixed_w (1 + A, cash first, summing to 1), rebalanced daily */
typedef enum {
    ACRL_BL_EQUAL_WEIGHT, ACRL_BL_BUY_AND_HOLD, ACRL_BL_MEAN_VARIANCE, ACRL_BL_RISK_PARITY,
    ACRL_BL_BEST_ASSET, ACRL_BL_FIXED
} acrl_baseline;

/* Writes n_days - start daily log returns and turnovers. cols: the A price columns used.
 * Returns 0, or -1 with a message (bad arguments, fixed_w not summing to 1, no memory). */
int acrl_portfolio_baseline(const acrl_prices* px, const int* cols, int A, int start, int est_window,
                            double risk_aversion, double cost, acrl_baseline kind, const double* fixed_w,
                            double* log_returns, double* turnover, char* err, size_t errlen);

/* The solvers the baselines use (exposed for tests). S: (A, A) covariance, w: (A) out.
 * Mean-variance: projected gradient ascent, iters steps. Risk parity: multiplicative
 * fixed-point updates until max |rc_i / mean rc - 1| < 1e-10 or iters steps. */
void acrl_portfolio_mean_variance(const double* mu, const double* S, int A, double risk_aversion, int iters,
                                  double* w);
void acrl_portfolio_risk_parity(const double* S, int A, int iters, double* w);
/* Euclidean projection of v (n) onto the probability simplex, in place. */
void acrl_simplex_project(double* v, int n);

#endif
