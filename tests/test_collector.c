/* test_collector: the collector's VecNormalize semantics against a plain re-computation
 * from the same env copies stepped without it: running mean/var of observations (initial
 * count 1e-4, Chan's batch update), normalized and clipped observations, rewards scaled by
 * the std of the discounted return (reset at episode ends), Box actions clipped (the raw
 * copies get the clipped actions; Pendulum clips internally too, so the reference is exact). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algo/collector.h"
#include "test.h"

enum { E = 3, STEPS = 450 };

/* Welford-style batch update as in Stable-Baselines3's RunningMeanStd, in double */
typedef struct { double mean[8], var[8], count; } ref_stat;

static void ref_update(ref_stat* s, const double* x, int n, int d) {
    for (int j = 0; j < d; j++) {
        double bm = 0, bv = 0;
        for (int i = 0; i < n; i++) bm += x[i * d + j];
        bm /= n;
        for (int i = 0; i < n; i++) bv += (x[i * d + j] - bm) * (x[i * d + j] - bm);
        bv /= n;
        double delta = bm - s->mean[j], tot = s->count + n;
        double m2 = s->var[j] * s->count + bv * n + delta * delta * s->count * n / tot;
        s->mean[j] += delta * n / tot;
        s->var[j] = m2 / tot;
    }
    s->count += n;
}

static double clip(double x, double c) { return x < -c ? -c : x > c ? c : x; }

int main(void) {
    char err[ACRL_ERRLEN];
    const char* id = "Pendulum-v1"; /* Box actions in [-2, 2]; episodes end by the 200-step limit */
    acrl_collector_options opt = {true, true, 5.0f, 3.0f, 0.97f, NULL};
    acrl_collector* c = collector_create(id, E, 17, 1, &opt, err, sizeof err);
    acrl_env_options eo = acrl_env_options_default();
    acrl_vecenv* raw = acrl_vecenv_make(id, E, 17, 1, &eo, err, sizeof err);
    CHECK(c && raw);
    if (!c || !raw) return test_summary("test_collector");
    acrl_vecenv_reset(raw);
    int d = raw->obs_dim;
    ref_stat os = {{0}, {1, 1, 1, 1, 1, 1, 1, 1}, 1e-4}, rs = {{0}, {1}, 1e-4};
    double x[E * 8], ret[E] = {0};
    for (int i = 0; i < E * d; i++) x[i] = raw->obs[i];
    ref_update(&os, x, E, d);
    acrl_rng rng;
    acrl_rng_seed(&rng, 5);
    double max_obs = 0, max_rew = 0, max_stat = 0, max_act = 0;
    int ends = 0;
    float act[E], clipped[E];
    for (int t = 0; t < STEPS; t++) {
        for (int e = 0; e < E; e++) {
            act[e] = (float)(3.0 * acrl_rng_normal(&rng)); /* often outside [-2, 2] */
            clipped[e] = act[e] < -2 ? -2 : act[e] > 2 ? 2 : act[e];
        }
        collector_step(c, act);
        for (int e = 0; e < E; e++) max_act = fmax(max_act, fabs(c->act_env[e] - clipped[e]));
        acrl_vecenv_step(raw, clipped);
        for (int i = 0; i < E * d; i++) x[i] = raw->obs[i];
        ref_update(&os, x, E, d);
        double rets[E];
        for (int e = 0; e < E; e++) rets[e] = ret[e] = ret[e] * opt.gamma + raw->rewards[e];
        ref_update(&rs, rets, E, 1);
        for (int e = 0; e < E; e++) {
            double want_r = clip(raw->rewards[e] / sqrt(rs.var[0] + 1e-8), opt.clip_reward);
            max_rew = fmax(max_rew, fabs(c->rewards[e] - want_r));
            for (int j = 0; j < d; j++) {
                double want = clip((raw->obs[e * d + j] - os.mean[j]) / sqrt(os.var[j] + 1e-8), opt.clip_obs);
                max_obs = fmax(max_obs, fabs(c->obs[e * d + j] - want));
                if (raw->terminated[e] || raw->truncated[e]) {
                    double wf = clip((raw->final_obs[e * d + j] - os.mean[j]) / sqrt(os.var[j] + 1e-8), opt.clip_obs);
                    max_obs = fmax(max_obs, fabs(c->final_obs[e * d + j] - wf));
                }
            }
            if (raw->terminated[e] || raw->truncated[e]) { ret[e] = 0; ends++; }
        }
    }
    for (int j = 0; j < d; j++) {
        max_stat = fmax(max_stat, fabs(c->obs_stat.mean[j] - os.mean[j]));
        max_stat = fmax(max_stat, fabs(c->obs_stat.var[j] - os.var[j]) / os.var[j]);
    }
    printf("  %d episode ends in %d steps of %d copies\n", ends, STEPS, E);
    CHECK(ends > 0);
    CHECK_MAXDIFF("observation statistics", max_stat, 1e-9);
    CHECK_MAXDIFF("normalized observations (incl. final)", max_obs, 1e-5);
    CHECK_MAXDIFF("scaled rewards", max_rew, 1e-5);
    CHECK_MAXDIFF("actions the envs received vs clipped", max_act, 0);
    CHECK(c->steps == (long)STEPS * E);
    collector_free(c);
    acrl_vecenv_close(raw);
    return test_summary("test_collector");
}
