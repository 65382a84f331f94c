/* test.h - the tests' tiny harness: checks that print what they compared and a
 * summary line "N passed, M failed"; the program exits non-zero on any failure. */
#ifndef ACRL_TEST_H
#define ACRL_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int test_passed_, test_failed_;

#define CHECK(cond) do { \
    if (cond) test_passed_++; \
    else { test_failed_++; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

/* |got - want| <= tol, or both NaN */
#define CHECK_NEAR(got, want, tol) do { \
    double g_ = (double)(got), w_ = (double)(want); \
    if (fabs(g_ - w_) <= (tol) || (isnan(g_) && isnan(w_))) test_passed_++; \
    else { test_failed_++; fprintf(stderr, "FAIL %s:%d: %s = %.9g, want %.9g (tol %g)\n", \
                                   __FILE__, __LINE__, #got, g_, w_, (double)(tol)); } \
} while (0)

/* Reports a maximum difference and checks it against a tolerance. */
#define CHECK_MAXDIFF(name, maxdiff, tol) do { \
    double d_ = (double)(maxdiff); \
    printf("  %-40s max diff %.3e (tol %.1e)%s\n", name, d_, (double)(tol), d_ <= (tol) ? "" : "  FAIL"); \
    if (d_ <= (tol)) test_passed_++; \
    else { test_failed_++; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, name); } \
} while (0)

static inline int test_summary(const char* suite) {
    printf("%s: %d passed, %d failed\n", suite, test_passed_, test_failed_);
    return test_failed_ ? 1 : 0;
}

#endif
