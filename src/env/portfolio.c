/* portfolio.c - Portfolio-v0 and PortfolioESG-v0 (acrl/portfolio.h, docs/portfolio.md).
 *
 * Observation: a (F, window + 1, A) tensor, F features (close, high, low divided by the
 * last close, and volume z-scored over the window and clipped at +-10; a wide file has
 * closes only, F = 1), rows the window's days oldest first, then one row holding the
 * previous (drifted) weights of the A assets in every feature channel. Action: 1 + A
 * logits (cash first) mapped to weights by a softmax. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/portfolio.h"
#include "classic.h"

#define PF_MAGIC CLASSIC_MAGIC('P', 'F', 'O', 'L')
#define PF_ACT_BOUND 5.0f /* logits in [-5, 5]: one weight may reach e^10 times another */

typedef struct {
    /* settings */
    char   data_path[512];
    int    n_pick, asset_seed, window, episode, test;
    double cost;
    int    reward_log;     /* 1: reward = log return */
    char   test_start_date[11];
    int    esg;            /* PortfolioESG-v0 */
    char   esg_path[512];
    double esg_threshold, esg_grant, esg_tax;
} pf_settings;

/* what evolves (a snapshot: these bytes, the history and the rng) */
typedef struct {
    uint32_t magic, pad;
    int64_t today, t, steps;
    double  sum_r, sum_r2;
} pf_dyn;

typedef struct {
    pf_settings s;
    acrl_prices px;
    int     A, F, test_start, n_test;
    int*    cols;          /* (A) columns of px used */
    double* esg_high;      /* (A) 1 if the asset's ESG score >= threshold, else 0 */
    pf_dyn  d;
    double* w_prev;        /* (1 + A) drifted weights */
    double* scratch;       /* (3 A + 2) step work space */
    double* hist_r, *hist_tv, *hist_esg; /* (max steps) */
    double* hist_w;        /* (max steps, 1 + A) the weights chosen */
    int     max_steps;
} portfolio;

static int parse_args(const char* args, pf_settings* s, bool esg, char* err, size_t errlen) {
    memset(s, 0, sizeof *s);
    const char* dir = getenv("ACRL_DATA_DIR");
    if (dir && *dir) snprintf(s->data_path, sizeof s->data_path, "%s/dowjones30.csv", dir);
    else snprintf(s->data_path, sizeof s->data_path, "data/dowjones30.csv");
    s->n_pick = 10;
    s->window = 50;
    s->episode = 128;
    s->cost = 0.0025;
    s->esg = esg;
    s->esg_threshold = 50;
    s->esg_grant = 0.001;
    s->esg_tax = 0.001;
    char buf[1024];
    if (!args) args = "";
    if (strlen(args) >= sizeof buf) { snprintf(err, errlen, "env_args: too long"); return -1; }
    snprintf(buf, sizeof buf, "%s", args);
    for (char* tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        while (*tok == ' ') tok++;
        if (!*tok) continue;
        char* eq = strchr(tok, '=');
        if (!eq) { snprintf(err, errlen, "env_args: '%s' is not key=value", tok); return -1; }
        *eq = 0;
        const char* k = tok, *v = eq + 1;
        char* end;
        double x = strtod(v, &end);
        int num = *v && !*end && isfinite(x);
#define NEED(cond, what) \
    if (!(cond)) { snprintf(err, errlen, "env_args: %s=%s: %s", k, v, what); return -1; }
        if (strcmp(k, "data_path") == 0) {
            NEED(*v && strlen(v) < sizeof s->data_path, "needs a file name");
            snprintf(s->data_path, sizeof s->data_path, "%s", v);
        } else if (strcmp(k, "assets") == 0) {
            NEED(num && x >= 0 && x <= 4096 && x == floor(x), "needs an integer in [0, 4096] (0: all)");
            s->n_pick = (int)x;
        } else if (strcmp(k, "asset_seed") == 0) {
            NEED(num && x >= 0 && x <= 2e9 && x == floor(x), "needs a non-negative integer");
            s->asset_seed = (int)x;
        } else if (strcmp(k, "window") == 0) {
            NEED(num && x >= 2 && x <= 1000 && x == floor(x), "needs an integer in [2, 1000]");
            s->window = (int)x;
        } else if (strcmp(k, "episode") == 0) {
            NEED(num && x >= 2 && x <= 100000 && x == floor(x), "needs an integer in [2, 100000]");
            s->episode = (int)x;
        } else if (strcmp(k, "cost") == 0) {
            NEED(num && x >= 0 && x < 0.5, "needs a number in [0, 0.5)");
            s->cost = x;
        } else if (strcmp(k, "reward") == 0) {
            NEED(strcmp(v, "sharpe") == 0 || strcmp(v, "log_return") == 0, "needs sharpe or log_return");
            s->reward_log = strcmp(v, "log_return") == 0;
        } else if (strcmp(k, "test_start") == 0) {
            NEED(strlen(v) == 10 && v[4] == '-' && v[7] == '-', "needs a date YYYY-MM-DD");
            memcpy(s->test_start_date, v, 11);
        } else if (strcmp(k, "mode") == 0) {
            NEED(strcmp(v, "train") == 0 || strcmp(v, "test") == 0, "needs train or test");
            s->test = strcmp(v, "test") == 0;
        } else if (esg && strcmp(k, "esg_path") == 0) {
            NEED(*v && strlen(v) < sizeof s->esg_path, "needs a file name");
            snprintf(s->esg_path, sizeof s->esg_path, "%s", v);
        } else if (esg && strcmp(k, "esg_threshold") == 0) {
            NEED(num, "needs a number");
            s->esg_threshold = x;
        } else if (esg && strcmp(k, "esg_grant") == 0) {
            NEED(num && x >= 0, "needs a number >= 0");
            s->esg_grant = x;
        } else if (esg && strcmp(k, "esg_tax") == 0) {
            NEED(num && x >= 0, "needs a number >= 0");
            s->esg_tax = x;
        } else {
            snprintf(err, errlen, "env_args: unknown key '%s' (valid: data_path, assets, asset_seed, window, episode, "
                     "cost, reward, test_start, mode%s)", k, esg ? ", esg_path, esg_threshold, esg_grant, esg_tax" : "");
            return -1;
        }
#undef NEED
    }
    if (esg && !s->esg_path[0]) { snprintf(err, errlen, "env_args: PortfolioESG-v0 needs esg_path=FILE"); return -1; }
    return 0;
}

/* ESG file: header "asset,score", then one line per asset; every used asset must appear. */
static int load_esg(portfolio* p, char* err, size_t errlen) {
    const char* path = p->s.esg_path;
    FILE* f = fopen(path, "r");
    if (!f) { snprintf(err, errlen, "cannot open ESG file %s", path); return -1; }
    char line[256];
    long ln = 0;
    int* seen = calloc((size_t)p->A, sizeof *seen);
    int rc = -1;
    if (!seen) { snprintf(err, errlen, "out of memory"); goto out; }
    while (fgets(line, sizeof line, f)) {
        ln++;
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (!n) continue;
        if (ln == 1) {
            if (strcmp(line, "asset,score") != 0) {
                snprintf(err, errlen, "%s:1: header must be asset,score", path);
                goto out;
            }
            continue;
        }
        char* c = strchr(line, ',');
        char* end = NULL;
        double sc = c ? strtod(c + 1, &end) : NAN;
        if (!c || !end || *end || end == c + 1 || !isfinite(sc)) {
            snprintf(err, errlen, "%s:%ld: expected asset,score with a finite score", path, ln);
            goto out;
        }
        *c = 0;
        for (int a = 0; a < p->A; a++)
            if (strcmp(p->px.names[p->cols[a]], line) == 0) {
                seen[a] = 1;
                p->esg_high[a] = sc >= p->s.esg_threshold;
            }
    }
    for (int a = 0; a < p->A; a++)
        if (!seen[a]) {
            snprintf(err, errlen, "%s: no ESG score for asset '%s' (every asset of the price file needs one)", path,
                     p->px.names[p->cols[a]]);
            goto out;
        }
    rc = 0;
out:
    free(seen);
    fclose(f);
    return rc;
}

static const portfolio* pf_of(const acrl_env* env);

static void pf_obs(const portfolio* p, float* obs) {
    const int A = p->A, W = p->s.window, H = W + 1, Acol = p->px.n_assets;
    const int64_t today = p->d.today;
    for (int a = 0; a < A; a++) {
        int c = p->cols[a];
        double last = p->px.close[today * Acol + c];
        double vm = 0, vs = 0;
        if (p->F > 1) {
            for (int h = 0; h < W; h++) vm += p->px.volume[(today - W + 1 + h) * Acol + c];
            vm /= W;
            for (int h = 0; h < W; h++) {
                double e = p->px.volume[(today - W + 1 + h) * Acol + c] - vm;
                vs += e * e;
            }
            vs = sqrt(vs / W);
        }
        for (int h = 0; h < W; h++) {
            size_t o = (size_t)(today - W + 1 + h) * (size_t)Acol + (size_t)c;
            obs[(0 * H + h) * A + a] = (float)(p->px.close[o] / last);
            if (p->F > 1) {
                obs[(1 * H + h) * A + a] = (float)(p->px.high[o] / last);
                obs[(2 * H + h) * A + a] = (float)(p->px.low[o] / last);
                double z = vs > 0 ? (p->px.volume[o] - vm) / vs : 0;
                obs[(3 * H + h) * A + a] = (float)fmin(fmax(z, -10), 10);
            }
        }
        for (int f = 0; f < p->F; f++) obs[(f * H + W) * A + a] = (float)p->w_prev[1 + a];
    }
}

static void pf_reset(acrl_env* env, float* obs) {
    portfolio* p = env->data;
    int lo = p->s.window - 1;
    if (p->s.test) {
        p->d.today = p->test_start - 1;
    } else {
        int hi = p->test_start - 1 - p->s.episode; /* inclusive */
        p->d.today = lo + (int64_t)acrl_rng_below(&env->rng, (uint64_t)(hi - lo + 1));
    }
    p->d.t = 0;
    p->d.sum_r = p->d.sum_r2 = 0;
    memset(p->w_prev, 0, (size_t)(1 + p->A) * sizeof(double));
    p->w_prev[0] = 1; /* all cash */
    pf_obs(p, obs);
}

static void pf_step(acrl_env* env, const float* action, float* obs, double* reward, bool* terminated,
                    bool* truncated) {
    portfolio* p = env->data;
    const int A = p->A, Acol = p->px.n_assets;
    double* w = p->scratch, *wn = w + 1 + A, *y = wn + 1 + A, mx = -INFINITY, z = 0;
    for (int i = 0; i <= A; i++) {
        double v = action[i];
        if (isnan(v)) v = 0;
        w[i] = v;
        if (v > mx) mx = v;
    }
    if (!isfinite(mx)) { /* all -inf (or +inf): equal weights among the largest */
        for (int i = 0; i <= A; i++) w[i] = w[i] == mx ? 0 : -INFINITY;
        mx = 0;
    }
    for (int i = 0; i <= A; i++) z += (w[i] = exp(w[i] - mx));
    for (int i = 0; i <= A; i++) w[i] /= z;
    int64_t d = p->d.today;
    for (int a = 0; a < A; a++) y[a] = p->px.close[(d + 1) * Acol + p->cols[a]] / p->px.close[d * Acol + p->cols[a]];
    double tv = 0;
    double R = acrl_portfolio_day(w, p->w_prev, y, A, p->s.cost, wn, &tv);
    double esg_w = 0, bonus = 0; /* bonus: the ESG grant less the tax, as a log return */
    if (p->esg_high) {
        double lowv = 0;
        for (int a = 0; a < A; a++) {
            if (p->esg_high[a]) esg_w += w[1 + a];
            else lowv += w[1 + a];
        }
        bonus = log1p(p->s.esg_grant * esg_w - p->s.esg_tax * lowv);
    }
    memcpy(p->w_prev, wn, (size_t)(1 + A) * sizeof(double));
    int64_t t = p->d.t;
    if (t < p->max_steps) {
        p->hist_r[t] = R;
        p->hist_tv[t] = tv;
        p->hist_esg[t] = esg_w;
        memcpy(p->hist_w + (size_t)t * (size_t)(1 + A), w, (size_t)(1 + A) * sizeof(double));
    }
    p->d.t = ++t;
    p->d.today = d + 1;
    R += bonus; /* the history above keeps the market return alone */
    p->d.sum_r += R;
    p->d.sum_r2 += R * R;
    if (p->s.reward_log) {
        *reward = R;
    } else if (t < 2) {
        *reward = 0;
    } else {
        double m = p->d.sum_r / (double)t, var = p->d.sum_r2 / (double)t - m * m;
        double sd = var > 0 ? sqrt(var) : 0;
        *reward = sqrt(252.0) * m / (sd + 1e-9) / p->s.episode;
    }
    *terminated = false;
    *truncated = p->s.test ? p->d.today >= p->px.n_days - 1 : t >= p->s.episode;
    pf_obs(p, obs);
}

static size_t pf_state_bytes(const acrl_env* env) {
    const portfolio* p = env->data;
    return sizeof(pf_dyn) + sizeof(acrl_rng) + (size_t)(1 + p->A) * sizeof(double) +
           (size_t)(4 + p->A) * (size_t)p->max_steps * sizeof(double);
}

static void pf_state_save(const acrl_env* env, void* buf) {
    const portfolio* p = env->data;
    char* b = buf;
    pf_dyn d = p->d;
    d.magic = PF_MAGIC;
    d.pad = 0;
    memcpy(b, &d, sizeof d);
    b += sizeof d;
    memcpy(b, &env->rng, sizeof env->rng);
    b += sizeof env->rng;
    memcpy(b, p->w_prev, (size_t)(1 + p->A) * sizeof(double));
    b += (size_t)(1 + p->A) * sizeof(double);
    size_t h = (size_t)p->max_steps * sizeof(double);
    memcpy(b, p->hist_r, h);
    memcpy(b + h, p->hist_tv, h);
    memcpy(b + 2 * h, p->hist_esg, h);
    memcpy(b + 3 * h, p->hist_w, h * (size_t)(1 + p->A));
}

static int pf_state_load(acrl_env* env, const void* buf) {
    portfolio* p = env->data;
    const char* b = buf;
    pf_dyn d;
    memcpy(&d, b, sizeof d);
    if (d.magic != PF_MAGIC || d.today < p->s.window - 1 || d.today >= p->px.n_days || d.t < 0) return -1;
    p->d = d;
    b += sizeof d;
    memcpy(&env->rng, b, sizeof env->rng);
    b += sizeof env->rng;
    memcpy(p->w_prev, b, (size_t)(1 + p->A) * sizeof(double));
    b += (size_t)(1 + p->A) * sizeof(double);
    size_t h = (size_t)p->max_steps * sizeof(double);
    memcpy(p->hist_r, b, h);
    memcpy(p->hist_tv, b + h, h);
    memcpy(p->hist_esg, b + 2 * h, h);
    memcpy(p->hist_w, b + 3 * h, h * (size_t)(1 + p->A));
    return 0;
}

static void pf_close(acrl_env* env) {
    portfolio* p = env->data;
    if (!p) return;
    acrl_prices_free(&p->px);
    free(p->cols);
    free(p->esg_high);
    free(p->w_prev);
    free(p->scratch);
    free(p->hist_r);
    free(p->hist_tv);
    free(p->hist_esg);
    free(p->hist_w);
    free(env->obs_space.low);
    free(env->obs_space.high);
    free(env->act_space.low);
    free(env->act_space.high);
    free(p);
    env->data = NULL; /* acrl_env_close frees env itself */
}

static const acrl_env_vtable pf_vtable = {
    .reset = pf_reset, .step = pf_step, .set_state = NULL, .state_bytes = pf_state_bytes,
    .state_save = pf_state_save, .state_load = pf_state_load, .close = pf_close,
};

static const portfolio* pf_of(const acrl_env* env) {
    while (env && env->inner) env = env->inner;
    return env && env->vt == &pf_vtable ? env->data : NULL;
}

static acrl_env* pf_create(const acrl_env_options* opt, bool esg, char* err, size_t errlen) {
    acrl_env* env = calloc(1, sizeof *env);
    portfolio* p = calloc(1, sizeof *p);
    if (!env || !p) {
        free(env);
        free(p);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    env->vt = &pf_vtable;
    env->id = esg ? "PortfolioESG-v0" : "Portfolio-v0";
    env->data = p;
    if (parse_args(opt ? opt->env_args : NULL, &p->s, esg, err, errlen)) goto fail;
    if (acrl_prices_load(p->s.data_path, &p->px, err, errlen)) {
        if (strncmp(err, "cannot open", 11) == 0 && strstr(p->s.data_path, "dowjones30.csv")) {
            size_t k = strlen(err);
            snprintf(err + k, errlen - k, " (run `make data` to extract the DowJones30 prices, or set "
                     "env_args=data_path=FILE)");
        }
        goto fail;
    }
    const int N = p->px.n_assets, D = p->px.n_days;
    int A = p->s.n_pick == 0 ? N : p->s.n_pick;
    if (A > N) {
        snprintf(err, errlen, "env_args: assets=%d but %s has %d assets", A, p->s.data_path, N);
        goto fail;
    }
    p->A = A;
    p->F = p->px.has_ohlcv ? 4 : 1;
    p->cols = malloc((size_t)A * sizeof *p->cols);
    if (!p->cols) { snprintf(err, errlen, "out of memory"); goto fail; }
    {
        /* a random A of the N columns (partial Fisher-Yates), kept in file order */
        int perm[N];
        for (int i = 0; i < N; i++) perm[i] = i;
        acrl_rng r;
        acrl_rng_seed(&r, (uint64_t)p->s.asset_seed);
        if (A < N)
            for (int i = 0; i < A; i++) {
                int j = i + (int)acrl_rng_below(&r, (uint64_t)(N - i));
                int tmp = perm[i];
                perm[i] = perm[j];
                perm[j] = tmp;
            }
        int keep[N];
        memset(keep, 0, sizeof keep);
        for (int i = 0; i < A; i++) keep[perm[i]] = 1;
        for (int i = 0, k = 0; i < N; i++)
            if (keep[i]) p->cols[k++] = i;
    }
    if (p->s.test_start_date[0]) {
        int i = 0;
        while (i < D && strcmp(p->px.dates[i], p->s.test_start_date) < 0) i++;
        p->test_start = i;
    } else {
        p->test_start = (int)floor(0.8 * D);
    }
    const int W = p->s.window, T = p->s.episode;
    if (p->test_start - 1 - T < W - 1) {
        snprintf(err, errlen, "%s: too few days: %d training days before test_start, the window (%d) and one "
                 "episode (%d) need %d", p->s.data_path, p->test_start, W, T, W + T + 1);
        goto fail;
    }
    if (p->test_start >= D) {
        snprintf(err, errlen, "%s: test_start %s leaves no test days (the last date is %s)", p->s.data_path,
                 p->s.test_start_date[0] ? p->s.test_start_date : "(default)", p->px.dates[D - 1]);
        goto fail;
    }
    p->n_test = D - p->test_start;
    p->max_steps = p->s.test ? p->n_test : T;
    p->w_prev = calloc((size_t)(1 + A), sizeof(double));
    p->scratch = calloc((size_t)(3 * A + 2), sizeof(double));
    p->hist_r = calloc((size_t)p->max_steps, sizeof(double));
    p->hist_tv = calloc((size_t)p->max_steps, sizeof(double));
    p->hist_esg = calloc((size_t)p->max_steps, sizeof(double));
    p->hist_w = calloc((size_t)p->max_steps * (size_t)(1 + A), sizeof(double));
    p->esg_high = esg ? calloc((size_t)A, sizeof(double)) : NULL;
    const int od = p->F * (W + 1) * A;
    env->obs_space = (acrl_space){ACRL_SPACE_BOX, od, 0, malloc((size_t)od * sizeof(float)),
                                  malloc((size_t)od * sizeof(float)), {p->F, W + 1, A}};
    env->act_space = (acrl_space){ACRL_SPACE_BOX, 1 + A, 0, malloc((size_t)(1 + A) * sizeof(float)),
                                  malloc((size_t)(1 + A) * sizeof(float)), {0, 0, 0}};
    if (!p->w_prev || !p->scratch || !p->hist_r || !p->hist_tv || !p->hist_esg || !p->hist_w || (esg && !p->esg_high) || !env->obs_space.low ||
        !env->obs_space.high || !env->act_space.low || !env->act_space.high) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    for (int i = 0; i < od; i++) {
        env->obs_space.low[i] = p->F > 1 ? -INFINITY : 0;
        env->obs_space.high[i] = INFINITY;
    }
    for (int i = 0; i <= A; i++) {
        env->act_space.low[i] = -PF_ACT_BOUND;
        env->act_space.high[i] = PF_ACT_BOUND;
    }
    if (esg && load_esg(p, err, errlen)) goto fail;
    p->w_prev[0] = 1;
    return env;
fail:
    pf_close(env);
    free(env);
    return NULL;
}

acrl_env* acrl_portfolio_create(const acrl_env_options* opt, char* err, size_t errlen) {
    return pf_create(opt, false, err, errlen);
}

acrl_env* acrl_portfolio_esg_create(const acrl_env_options* opt, char* err, size_t errlen) {
    return pf_create(opt, true, err, errlen);
}

const acrl_prices* acrl_portfolio_prices(const acrl_env* env) {
    const portfolio* p = pf_of(env);
    return p ? &p->px : NULL;
}

int acrl_portfolio_assets(const acrl_env* env, const int** cols) {
    const portfolio* p = pf_of(env);
    if (!p) return -1;
    *cols = p->cols;
    return p->A;
}

int acrl_portfolio_today(const acrl_env* env) {
    const portfolio* p = pf_of(env);
    return p ? (int)p->d.today : -1;
}

int acrl_portfolio_test_start(const acrl_env* env) {
    const portfolio* p = pf_of(env);
    return p ? p->test_start : -1;
}

int acrl_portfolio_history(const acrl_env* env, const double** log_returns, const double** turnover,
                           const double** weight_esg_high) {
    const portfolio* p = pf_of(env);
    if (!p) return -1;
    if (log_returns) *log_returns = p->hist_r;
    if (turnover) *turnover = p->hist_tv;
    if (weight_esg_high) *weight_esg_high = p->hist_esg;
    return (int)(p->d.t < p->max_steps ? p->d.t : p->max_steps);
}

double acrl_portfolio_cost(const acrl_env* env) {
    const portfolio* p = pf_of(env);
    return p ? p->s.cost : NAN;
}

int acrl_portfolio_weights(const acrl_env* env, const double** weights) {
    const portfolio* p = pf_of(env);
    if (!p) return -1;
    *weights = p->hist_w;
    return (int)(p->d.t < p->max_steps ? p->d.t : p->max_steps);
}
