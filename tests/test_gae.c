/* test_gae: GAE(lambda) with termination vs truncation, against (1) a hand-computed
 * case and (2) the forward-sum definition A_t = sum_k (gamma lambda)^k delta_{t+k}. */
#include "algo/rollout.h"
#include "acrl/rng.h"
#include "test.h"

static void hand_case(void) {
    /* one env, 3 steps: step 0 truncated (final value 10), step 2 terminated */
    acrl_rollout r;
    CHECK(rollout_init(&r, 3, 1, 1, 1) == 0);
    float rew[3] = {1, 2, 3}, val[3] = {0.5f, 1.0f, 2.0f};
    for (int t = 0; t < 3; t++) { r.rewards[t] = rew[t]; r.values[t] = val[t]; }
    r.truncated[0] = true;
    r.final_values[0] = 10.0f;
    r.terminated[2] = true;
    float last = 100.0f; /* must be ignored: the last step terminated */
    rollout_compute_gae(&r, &last, 0.9f, 0.5f);
    /* t=2: delta = 3 - 2 = 1; adv = 1 */
    CHECK_NEAR(r.advantages[2], 1.0, 1e-6);
    /* t=1: delta = 2 + 0.9*2 - 1 = 2.8; adv = 2.8 + 0.45*1 = 3.25 */
    CHECK_NEAR(r.advantages[1], 3.25, 1e-6);
    /* t=0: truncated: delta = 1 + 0.9*10 - 0.5 = 9.5; no carry from t=1 */
    CHECK_NEAR(r.advantages[0], 9.5, 1e-6);
    CHECK_NEAR(r.returns[0], 10.0, 1e-6);
    /* open episode at the end bootstraps from last_values */
    r.terminated[2] = false;
    rollout_compute_gae(&r, &last, 0.9f, 0.5f);
    CHECK_NEAR(r.advantages[2], 3 + 0.9 * 100 - 2, 1e-4);
    rollout_free(&r);
}

static void random_case(void) {
    const int T = 64, E = 5;
    const double g = 0.97, l = 0.9;
    acrl_rollout r;
    CHECK(rollout_init(&r, T, E, 1, 1) == 0);
    acrl_rng rng;
    acrl_rng_seed(&rng, 3);
    float last[5];
    for (int e = 0; e < E; e++) last[e] = (float)acrl_rng_normal(&rng);
    for (int i = 0; i < T * E; i++) {
        r.rewards[i] = (float)acrl_rng_normal(&rng);
        r.values[i] = (float)acrl_rng_normal(&rng);
        double u = acrl_rng_double(&rng);
        r.terminated[i] = u < 0.05;
        r.truncated[i] = u > 0.95;
        r.final_values[i] = (float)acrl_rng_normal(&rng);
    }
    rollout_compute_gae(&r, last, (float)g, (float)l);
    double maxdiff = 0;
    for (int e = 0; e < E; e++) {
        for (int t = 0; t < T; t++) {
            /* forward sum of discounted TD errors until the episode ends */
            double a = 0, w = 1;
            for (int k = t; k < T; k++) {
                int i = k * E + e;
                double next = r.terminated[i] ? 0 : r.truncated[i] ? r.final_values[i]
                             : (k + 1 < T ? r.values[(k + 1) * E + e] : last[e]);
                a += w * (r.rewards[i] + g * next - r.values[i]);
                if (r.terminated[i] || r.truncated[i]) break;
                w *= g * l;
            }
            double d = fabs(a - r.advantages[t * E + e]);
            if (d > maxdiff) maxdiff = d;
        }
    }
    CHECK_MAXDIFF("gae vs forward-sum definition", maxdiff, 1e-4);
    rollout_free(&r);
}

int main(void) {
    hand_case();
    random_case();
    float x[4] = {1, 2, 3, 4};
    normalize_inplace(x, 4);
    CHECK_NEAR(x[0], -1.5 / sqrt(5.0 / 3.0), 1e-5);
    CHECK_NEAR(x[0] + x[1] + x[2] + x[3], 0.0, 1e-6);
    return test_summary("test_gae");
}
