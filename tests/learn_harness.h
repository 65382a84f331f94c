/* learn_harness.h - the learning checks of test_learn_onpolicy_slow.c and
 * test_learn_offpolicy_slow.c: train ALGO on ENV with a preset for one or more seeds
 * (deterministic final evaluation over 20 episodes each) and require the median of the
 * seeds' returns to reach a threshold. Header-only: each test includes it once. */
#ifndef ACRL_LEARN_HARNESS_H
#define ACRL_LEARN_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl.h"
#include "test.h"

static double learn_read_number(const char* path, const char* key) {
    FILE* f = fopen(path, "r");
    if (!f) return NAN;
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    char* p = strstr(buf, pat);
    return p ? strtod(p + strlen(pat), NULL) : NAN;
}

static int learn_cmp(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

/* Seeds 0 .. nseeds-1 (at most 9) under root; preset NULL: the algorithm's own preset for env.
 * Checks that the median eval return is >= threshold. */
static void learn_seeds(const char* root, const char* algo, const char* env, const char* preset, int nseeds,
                        double threshold) {
    double ret[9];
    char err[ACRL_ERRLEN], dir[1200], cfg[1200], sum[1300], list[200] = "";
    double wall = 0;
    for (int s = 0; s < nseeds && s < 9; s++) {
        snprintf(dir, sizeof dir, "%s/%s-%s-%d", root, algo, env, s);
        acrl_train_options o = acrl_train_options_default();
        o.algo = algo;
        o.env_id = env;
        o.out_dir = dir;
        o.seed = s;
        o.quiet = true;
        o.eval_episodes = 20;
        if (preset) {
            snprintf(cfg, sizeof cfg, "../configs/%s/%s", algo, preset);
            o.config_file = cfg;
        }
        int rc = acrl_train(&o, err, sizeof err);
        if (rc) fprintf(stderr, "  %s %s seed %d: %s\n", algo, env, s, err);
        CHECK(rc == ACRL_OK);
        snprintf(sum, sizeof sum, "%s/summary.json", dir);
        ret[s] = learn_read_number(sum, "eval_return_mean");
        wall += learn_read_number(sum, "wall_seconds");
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%.1f", s ? ", " : "", ret[s]);
    }
    qsort(ret, (size_t)nseeds, sizeof ret[0], learn_cmp);
    const double med = ret[nseeds / 2];
    printf("  %-4s %-12s %-26s eval return %s: median %.1f (need >= %.0f), %.2f s\n", algo, env,
           preset ? preset : "(preset)", list, med, threshold, wall);
    CHECK(med >= threshold);
}

#endif
