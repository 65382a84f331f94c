/* test_awr: AWR's minibatch loss (src/algo/awr.c):
 *  - the weights min(exp(A' / beta), weights_max) against a double-precision reference,
 *    A' normalized with the unbiased std (+1e-8) as the other algorithms do;
 *  - the gradient awr_minibatch_loss accumulates into an MLP's parameters against central
 *    differences of the loss it returns, for a Gaussian policy (means, log-std and value
 *    weights; separate networks) and a categorical one (shared trunk).
 * The tree path's gradients are checked in test_gbrl (fd_awr). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl.h"
#include "algo/awr.h"
#include "algo/rollout.h"
#include "test.h"

static float urand(acrl_rng* r) { return (float)acrl_rng_uniform(r, 0.0, 1.0); }

static void test_weights(void) {
    enum { B = 7 };
    float adv[B] = {-2.0f, -0.5f, 0.0f, 0.3f, 1.1f, 2.5f, 4.0f}, a2[B], w[B];
    const float beta = 0.5f, wmax = 5.0f;
    double mean = 0, ss = 0, md = 0;
    for (int i = 0; i < B; i++) mean += adv[i];
    mean /= B;
    for (int i = 0; i < B; i++) ss += (adv[i] - mean) * (adv[i] - mean);
    double sd = sqrt(ss / (B - 1)) + 1e-8;
    memcpy(a2, adv, sizeof adv);
    awr_weights(w, a2, B, true, beta, wmax);
    int clipped = 0;
    for (int i = 0; i < B; i++) {
        double want = fmin(exp((adv[i] - mean) / sd / beta), wmax);
        md = fmax(md, fabs(w[i] - want) / want);
        clipped += w[i] == wmax;
    }
    CHECK_MAXDIFF("weights, normalized (relative)", md, 1e-6);
    CHECK(clipped == 2); /* A' = 0.87 and 1.63 (mean 0.77, std 1.99): exp(2 A') = 5.7 and 25.9 > 5 */
    memcpy(a2, adv, sizeof adv);
    awr_weights(w, a2, B, false, beta, wmax);
    md = 0;
    for (int i = 0; i < B; i++) md = fmax(md, fabs(w[i] - fmin(exp(adv[i] / beta), wmax)) / fmin(exp(adv[i] / beta), wmax));
    CHECK_MAXDIFF("weights, raw advantages (relative)", md, 1e-6);
    CHECK(memcmp(a2, adv, sizeof adv) == 0);
}

/* dL/dtheta of every parameter against (L(theta + h) - L(theta - h)) / 2h */
static void fd_mlp(const char* name, bool discrete, bool shared) {
    enum { B = 6, OD = 3, D = 2, K = 3 };
    char err[ACRL_ERRLEN];
    acrl_policy_config cfg;
    policy_config_default(&cfg);
    cfg.net_arch.n = 1;
    cfg.net_arch.v[0] = 5;
    cfg.shared_trunk = shared;
    cfg.log_std_init = -0.3f;
    float lo[D] = {-1, -1}, hi[D] = {1, 1};
    acrl_space as = discrete ? (acrl_space){ACRL_SPACE_DISCRETE, 1, K, NULL, NULL, {0, 0, 0}}
                             : (acrl_space){ACRL_SPACE_BOX, D, 0, lo, hi, {0, 0, 0}};
    int ad = discrete ? 1 : D;
    acrl_policy pol;
    acrl_params p;
    acrl_params_init(&p);
    acrl_rng rng;
    acrl_rng_seed(&rng, 11);
    CHECK(policy_build(&pol, &p, OD, &as, &cfg, B, err, sizeof err) == 0);
    CHECK(acrl_params_finalize(&p, err, sizeof err) == 0);
    CHECK(policy_init(&pol, &p, &cfg, &rng, err, sizeof err) == 0);
    float obs[B * OD], act[B * D], adv[B], w[B], ret[B], scratch[4 * B];
    for (int i = 0; i < B * OD; i++) obs[i] = 2 * urand(&rng) - 1;
    for (int i = 0; i < B; i++) {
        for (int j = 0; j < ad; j++) act[i * ad + j] = discrete ? (float)acrl_rng_below(&rng, K) : 2 * urand(&rng) - 1;
        adv[i] = 2 * urand(&rng) - 1;
        ret[i] = 2 * urand(&rng) - 1;
    }
    awr_weights(w, adv, B, true, 1.0f, 2.0f);
    const float ent = 0.07f, vf = 0.56f;
    double parts[3];
    acrl_params_zero_grad(&p);
    awr_minibatch_loss(&pol, &p, obs, act, w, ret, B, ent, vf, true, scratch, parts);
    double md = 0, gmax = 0;
    for (size_t k = 0; k < p.count; k++) {
        float keep = p.param[k];
        double l[2];
        for (int s = 0; s < 2; s++) {
            p.param[k] = keep + (s ? -1e-2f : 1e-2f);
            l[s] = awr_minibatch_loss(&pol, &p, obs, act, w, ret, B, ent, vf, false, scratch, parts);
        }
        double h = (double)(keep + 1e-2f) - (double)(keep - 1e-2f);
        p.param[k] = keep;
        double fd = (l[0] - l[1]) / h;
        md = fmax(md, fabs(fd - p.grad[k]));
        gmax = fmax(gmax, fabs(p.grad[k]));
    }
    printf("  %s: %zu parameters, largest |dL/dtheta| %.3e\n", name, p.count, gmax);
    CHECK(gmax > 1e-2);
    CHECK_MAXDIFF(name, md, 5e-4);
    policy_free(&pol);
    acrl_params_free(&p);
}

int main(void) {
    test_weights();
    fd_mlp("AWR MLP gradient vs FD (Gaussian)", false, false);
    fd_mlp("AWR MLP gradient vs FD (categorical, trunk)", true, true);
    return test_summary("test_awr");
}
