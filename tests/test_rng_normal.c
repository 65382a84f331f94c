/* test_rng_normal.c - acrl_rng_standard_normal against NumPy's Generator.standard_normal
 * (fixture from tests/gen_rng_normal.py): every value bit for bit, the number of raw draws
 * each value consumed, and the next Generator.random() after the stream. */
#include <stdio.h>
#include <string.h>

#include "acrl/rng.h"
#include "test.h"

#define ZIG_R 3.6541528853610088

static int same_state(const acrl_rng* a, const acrl_rng* b) {
    return a->state_hi == b->state_hi && a->state_lo == b->state_lo && a->inc_hi == b->inc_hi && a->inc_lo == b->inc_lo;
}

static void test_fixture(void) {
    FILE* f = fopen("fixtures/rng_normal.txt", "r");
    CHECK(f != NULL);
    if (!f) return;
    char line[256];
    CHECK(fgets(line, sizeof line, f) && line[0] == '#');
    int nseeds = 0, nvals = 0, bad_val = 0, bad_draws = 0, n_tail = 0, n_wedge = 0, n_fast = 0;
    unsigned long long seed;
    int n;
    while (fscanf(f, " seed %llu %d", &seed, &n) == 2) {
        acrl_rng r, shadow;
        acrl_rng_seed(&r, (uint64_t)seed);
        shadow = r;
        int seed_bad = 0;
        for (int i = 0; i < n; i++) {
            double want;
            int draws;
            if (fscanf(f, " %la %d", &want, &draws) != 2) { CHECK(0); fclose(f); return; }
            double got = acrl_rng_standard_normal(&r);
            for (int k = 0; k < draws; k++) (void)acrl_rng_u64(&shadow);
            if (!(got == want && signbit(got) == signbit(want))) {
                if (bad_val < 5) fprintf(stderr, "  seed %llu [%d]: got %a want %a\n", seed, i, got, want);
                bad_val++;
                seed_bad = 1;
            }
            if (!same_state(&r, &shadow)) {
                if (bad_draws < 5) fprintf(stderr, "  seed %llu [%d]: draw count differs from NumPy's %d\n", seed, i, draws);
                bad_draws++;
                shadow = r;
            }
            if (fabs(want) > ZIG_R) n_tail++;
            else if (draws > 1) n_wedge++;
            else n_fast++;
            nvals++;
        }
        double next;
        CHECK(fscanf(f, " next %la", &next) == 1);
        double got_next = acrl_rng_double(&r);
        CHECK(got_next == next);
        printf("  seed %-14llu %d values %s, next random() %s\n", seed, n, seed_bad ? "DIFFER" : "identical",
               got_next == next ? "identical" : "DIFFERS");
        nseeds++;
    }
    fclose(f);
    printf("  %d seeds, %d values: %d fast path, %d wedge (>1 draw), %d tail (|x| > r)\n", nseeds, nvals, n_fast,
           n_wedge, n_tail);
    CHECK(nseeds >= 6 && nvals >= 12000);
    CHECK(bad_val == 0);
    CHECK(bad_draws == 0);
    /* every branch of the ziggurat was exercised */
    CHECK(n_tail >= 3);
    CHECK(n_wedge >= 50);
}

/* Sanity of the distribution itself over a long stream (mean 0, variance 1, kurtosis 3). */
static void test_moments(void) {
    acrl_rng r;
    acrl_rng_seed(&r, 2024);
    double s1 = 0, s2 = 0, s4 = 0;
    const int n = 1000000;
    for (int i = 0; i < n; i++) {
        double x = acrl_rng_standard_normal(&r);
        s1 += x;
        s2 += x * x;
        s4 += x * x * x * x;
    }
    s1 /= n; s2 /= n; s4 /= n;
    printf("  1e6 draws: mean %.5f var %.5f kurtosis %.4f\n", s1, s2 - s1 * s1, s4 / (s2 * s2));
    CHECK(fabs(s1) < 5 * sqrt(1.0 / n));
    CHECK(fabs(s2 - 1) < 5 * sqrt(2.0 / n));
    CHECK(fabs(s4 / (s2 * s2) - 3) < 0.05);
}

int main(void) {
    printf("standard_normal vs NumPy\n");
    test_fixture();
    printf("moments\n");
    test_moments();
    return test_summary("test_rng_normal");
}
