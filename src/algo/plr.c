/* plr.c - Prioritized Level Replay's level sampler (plr.h). */
#include "algo/plr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/le.h"

int plr_init(acrl_plr* p, const plr_config* cfg, int n, int E, int T, uint64_t seed, char* err, size_t errlen) {
    memset(p, 0, sizeof *p);
    if (n < 1 || E < 1 || T < 1 || !(cfg->temperature > 0) || !(cfg->staleness_coef >= 0 && cfg->staleness_coef <= 1) ||
        !(cfg->rho >= 0 && cfg->rho <= 1) || !(cfg->nu >= 0 && cfg->nu <= 1) || !(cfg->alpha >= 0 && cfg->alpha <= 1)) {
        snprintf(err, errlen, "level_replay: bad sizes (levels %d, copies %d, steps %d) or settings", n, E, T);
        return -1;
    }
    p->cfg = *cfg;
    p->n = n;
    p->E = E;
    p->T = T;
    p->scores = calloc((size_t)n, sizeof(double));
    p->staleness = calloc((size_t)n, sizeof(double));
    p->seen = calloc((size_t)n, 1);
    p->partial = calloc((size_t)n * (size_t)E, sizeof(double));
    p->partial_steps = calloc((size_t)n * (size_t)E, sizeof(int64_t));
    p->current = calloc((size_t)E, sizeof(int32_t));
    p->step_level = calloc((size_t)T * (size_t)E, sizeof(int32_t));
    p->w = calloc((size_t)n, sizeof(double));
    p->order = calloc((size_t)n, sizeof(int));
    if (!p->scores || !p->staleness || !p->seen || !p->partial || !p->partial_steps || !p->current || !p->step_level ||
        !p->w || !p->order) {
        plr_free(p);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    acrl_rng_seed2(&p->rng, seed, 0x504c52ull); /* "PLR" */
    return 0;
}

void plr_free(acrl_plr* p) {
    free(p->scores); free(p->staleness); free(p->seen); free(p->partial); free(p->partial_steps);
    free(p->current); free(p->step_level); free(p->w); free(p->order);
    memset(p, 0, sizeof *p);
}

/* ---- sampling ------------------------------------------------------------------------------ */

/* order (n) = indices sorted by score ascending, stably (merge sort: numpy's argsort of small
 * arrays, insertion sort, is stable too); the official code flips it for ranks */
static void argsort_stable(int* order, const double* x, int n, int* tmp) {
    for (int i = 0; i < n; i++) order[i] = i;
    for (int width = 1; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
            int mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            int a = lo, b = mid, k = lo;
            while (a < mid && b < hi) tmp[k++] = x[order[b]] < x[order[a]] ? order[b++] : order[a++];
            while (a < mid) tmp[k++] = order[a++];
            while (b < hi) tmp[k++] = order[b++];
        }
        memcpy(order, tmp, sizeof(int) * (size_t)n);
    }
}

void plr_replay_weights(acrl_plr* p, double* w) {
    const int n = p->n;
    int* tmp = malloc(sizeof(int) * (size_t)n);
    if (!tmp) { for (int i = 0; i < n; i++) w[i] = 0; return; }
    argsort_stable(p->order, p->scores, n, tmp);
    free(tmp);
    /* flipped: order[n-1] gets rank 1 */
    double z = 0;
    for (int k = 0; k < n; k++) {
        int i = p->order[n - 1 - k];
        double rank = k + 1;
        w[i] = p->seen[i] ? 1.0 / pow(rank, 1.0 / p->cfg.temperature) : 0.0;
    }
    for (int i = 0; i < n; i++) z += w[i];
    if (z > 0) for (int i = 0; i < n; i++) w[i] /= z;
    const double c = p->cfg.staleness_coef;
    if (c > 0) {
        double zs = 0;
        for (int i = 0; i < n; i++) zs += p->seen[i] ? p->staleness[i] : 0.0;
        for (int i = 0; i < n; i++) {
            double s = p->seen[i] ? p->staleness[i] : 0.0;
            if (zs > 0) s /= zs;
            w[i] = (1 - c) * w[i] + c * s;
        }
    }
}

/* index drawn from weights w (n) with total z > 0 */
static int draw(acrl_rng* rng, const double* w, int n, double z) {
    double u = acrl_rng_double(rng) * z, acc = 0;
    int last = -1;
    for (int i = 0; i < n; i++) {
        if (w[i] <= 0) continue;
        acc += w[i];
        last = i;
        if (u < acc) return i;
    }
    return last; /* rounding at the top end */
}

static void touch(acrl_plr* p, int i) {
    if (p->cfg.staleness_coef <= 0) return;
    for (int k = 0; k < p->n; k++) p->staleness[k] += 1;
    p->staleness[i] = 0;
}

static int sample_replay(acrl_plr* p) {
    plr_replay_weights(p, p->w);
    double z = 0;
    for (int i = 0; i < p->n; i++) z += p->w[i];
    if (fabs(z) <= 1e-8) { /* np.isclose(sum, 0): uniform */
        for (int i = 0; i < p->n; i++) p->w[i] = 1.0 / p->n;
        z = 1.0;
    }
    int i = draw(&p->rng, p->w, p->n, z);
    touch(p, i);
    return i;
}

static int sample_unseen(acrl_plr* p) {
    double z = 0;
    for (int i = 0; i < p->n; i++) z += (p->w[i] = p->seen[i] ? 0.0 : 1.0);
    if (z <= 0) return sample_replay(p);
    int i = draw(&p->rng, p->w, p->n, z);
    touch(p, i);
    return i;
}

int plr_sample(acrl_plr* p) {
    int unseen = 0;
    for (int i = 0; i < p->n; i++) unseen += !p->seen[i];
    double seen = (double)(p->n - unseen) / p->n;
    if (p->cfg.schedule == PLR_FIXED) {
        if (seen >= p->cfg.rho) {
            double u = acrl_rng_double(&p->rng);
            if (u > p->cfg.nu || !(seen < 1.0)) return sample_replay(p);
        }
        return sample_unseen(p);
    }
    if (seen >= p->cfg.rho && acrl_rng_double(&p->rng) < seen) return sample_replay(p);
    return sample_unseen(p);
}

/* ---- scores ---------------------------------------------------------------------------------- */

/* the official _partial_update_seed_score: a running mean over an episode split across rollouts */
static double partial_update(acrl_plr* p, int e, int i, double score, int64_t steps, bool done) {
    size_t k = (size_t)e * p->n + i;
    double ps = p->partial[k];
    int64_t run = p->partial_steps[k] + steps;
    double merged = run > 0 ? ps + (score - ps) * (double)steps / (double)run : ps;
    if (done) {
        p->partial[k] = 0;
        p->partial_steps[k] = 0;
    } else {
        p->partial[k] = merged;
        p->partial_steps[k] = run;
    }
    return merged;
}

static void update_score(acrl_plr* p, int e, int i, double score, int64_t steps) {
    double merged = partial_update(p, e, i, score, steps, true);
    p->seen[i] = 1;
    p->scores[i] = (1 - p->cfg.alpha) * p->scores[i] + p->cfg.alpha * merged;
}

void plr_record_step(acrl_plr* p, const bool* done, int* next) {
    if (p->t < p->T)
        for (int e = 0; e < p->E; e++) p->step_level[(size_t)p->t * p->E + e] = p->current[e];
    p->t++;
    for (int e = 0; e < p->E; e++) {
        next[e] = -1;
        if (done[e]) next[e] = p->current[e] = plr_sample(p);
    }
}

static double segment_score(const acrl_plr* p, const float* adv, int e, int t0, int t1) {
    double s = 0;
    for (int t = t0; t < t1; t++) {
        double a = adv[(size_t)t * p->E + e];
        s += p->cfg.score == PLR_VALUE_L1 ? fabs(a) : (a > 0 ? a : 0.0);
    }
    return s / (t1 - t0);
}

void plr_update(acrl_plr* p, const float* adv, const bool* done) {
    const int T = p->t < p->T ? p->t : p->T, E = p->E;
    for (int e = 0; e < E; e++) {
        int start = 0;
        for (int t = 0; t < T; t++) {
            if (!done[(size_t)t * E + e]) continue;
            int lvl = p->step_level[(size_t)start * E + e];
            update_score(p, e, lvl, segment_score(p, adv, e, start, t + 1), t + 1 - start);
            start = t + 1;
        }
        if (start < T) {
            int lvl = p->step_level[(size_t)start * E + e];
            partial_update(p, e, lvl, segment_score(p, adv, e, start, T), T - start, false);
        }
    }
    /* after_update: partial scores become full updates (the official test: != 0) */
    for (int e = 0; e < E; e++)
        for (int i = 0; i < p->n; i++)
            if (p->partial[(size_t)e * p->n + i] != 0) update_score(p, e, i, 0.0, 0);
    memset(p->partial, 0, sizeof(double) * (size_t)p->n * (size_t)E);
    memset(p->partial_steps, 0, sizeof(int64_t) * (size_t)p->n * (size_t)E);
    p->t = 0;
}

/* ---- checkpoint ------------------------------------------------------------------------------ */

size_t plr_state_bytes(const acrl_plr* p) { return 12 + (size_t)p->n * 17 + (size_t)p->E * 4 + 48; }

void plr_state_save(const acrl_plr* p, void* buf) {
    uint8_t* q = le_put_u32(buf, 0x31524c50u); /* "PLR1" */
    q = le_put_i32(q, p->n);
    q = le_put_i32(q, p->E);
    q = le_put_f64s(q, p->scores, (size_t)p->n);
    q = le_put_f64s(q, p->staleness, (size_t)p->n);
    memcpy(q, p->seen, (size_t)p->n);
    q += p->n;
    for (int e = 0; e < p->E; e++) q = le_put_i32(q, p->current[e]);
    le_put_rng(q, &p->rng);
}

int plr_state_load(acrl_plr* p, const void* buf, size_t len) {
    if (len != plr_state_bytes(p)) return -1;
    const uint8_t* q = buf;
    if (le_get_u32(&q) != 0x31524c50u || le_get_i32(&q) != p->n || le_get_i32(&q) != p->E) return -1;
    le_get_f64s(&q, p->scores, (size_t)p->n);
    le_get_f64s(&q, p->staleness, (size_t)p->n);
    memcpy(p->seen, q, (size_t)p->n);
    q += p->n;
    for (int i = 0; i < p->n; i++)
        if (p->seen[i] > 1 || !isfinite(p->scores[i]) || !isfinite(p->staleness[i])) return -1;
    for (int e = 0; e < p->E; e++) {
        p->current[e] = le_get_i32(&q);
        if (p->current[e] < 0 || p->current[e] >= p->n) return -1;
    }
    if (le_get_rng(&q, &p->rng)) return -1;
    p->t = 0;
    return 0;
}
