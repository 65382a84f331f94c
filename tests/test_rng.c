/* test_rng: PCG64 + SeedSequence against values printed by NumPy 1.24
 * (numpy.random.PCG64(seed).random_raw(), default_rng(seed).uniform/random). */
#include "acrl/rng.h"
#include "test.h"

#include <string.h>

int main(void) {
    acrl_rng r;
    acrl_rng_seed(&r, 42);
    CHECK(acrl_rng_u64(&r) == 14276969152011380360ull);
    CHECK(acrl_rng_u64(&r) == 8095878257575067585ull);
    CHECK(acrl_rng_u64(&r) == 15838336090824644132ull);
    acrl_rng_seed(&r, 0);
    CHECK(acrl_rng_uniform(&r, -0.05, 0.05) == 0.013696168732145436);
    acrl_rng_seed(&r, 1ull << 40);
    CHECK(acrl_rng_double(&r) == 0.3608095734199638);
    acrl_rng_seed2(&r, 7, 3);
    CHECK(acrl_rng_double(&r) == 0.9750335537195014);

    /* normal deviates: mean ~0, variance ~1 over many draws */
    acrl_rng_seed(&r, 1);
    double s = 0, s2 = 0;
    int n = 200000;
    for (int i = 0; i < n; i++) { double x = acrl_rng_normal(&r); s += x; s2 += x * x; }
    CHECK_NEAR(s / n, 0.0, 0.01);
    CHECK_NEAR(s2 / n, 1.0, 0.01);

    /* normal_floats: the numbers of one (float)acrl_rng_normal call each and the same state after,
     * for lengths odd and even, shorter and longer than a block, with and without a spare pending */
    {
        acrl_rng a, b;
        acrl_rng_seed(&a, 9);
        acrl_rng_seed(&b, 9);
        const int lens[] = {1, 2, 3, 64, 65, 100, 7, 200, 1};
        float x[200];
        int diff = 0, total = 0;
        for (int t = 0; t < (int)(sizeof lens / sizeof lens[0]); t++) {
            acrl_rng_normal_floats(&a, x, (size_t)lens[t]);
            for (int i = 0; i < lens[t]; i++, total++) {
                float y = (float)acrl_rng_normal(&b);
                diff += memcmp(&x[i], &y, sizeof y) != 0;
            }
        }
        /* the whole state, the spent spare included (checkpoints store it) */
        diff += memcmp(&a.normal_spare, &b.normal_spare, sizeof(double)) != 0 || a.has_spare != b.has_spare;
        diff += acrl_rng_u64(&a) != acrl_rng_u64(&b);
        printf("normal_floats: %d numbers, %d differ from one call each\n", total, diff);
        CHECK(diff == 0);
    }

    /* below(n): in range and roughly uniform */
    int counts[7] = {0};
    for (int i = 0; i < 70000; i++) { uint64_t k = acrl_rng_below(&r, 7); CHECK(k < 7); if (k < 7) counts[k]++; }
    for (int k = 0; k < 7; k++) CHECK_NEAR(counts[k], 10000, 500);
    return test_summary("test_rng");
}
