/* test_nn_tanh: the vectorized float tanh of acrl_act_forward against double tanh over a
 * dense grid of floats (every 257th bit pattern in [0, 12], every float near the clamp at 9,
 * every 251st in [0, 1e-3]), its odd symmetry, and special values (NaN, +-Inf, -0). */
#include "acrl/nn.h"
#include "test.h"

#include <stdint.h>
#include <string.h>

enum { CHUNK = 4096 };

static float from_bits(uint32_t b) { float x; memcpy(&x, &b, sizeof x); return x; }

/* error of y against t = tanh(x) in units of the spacing of floats at float(t) */
static double ulp_error(float y, double t) {
    float tf = (float)fabs(t);
    double ulp = tf >= 1.0f ? 1.0 - (double)nextafterf(1.0f, 0.0f) : (double)nextafterf(tf, INFINITY) - tf;
    return fabs((double)y - t) / ulp;
}

/* max ulp error over bit patterns lo, lo + step, ... <= hi, both signs */
static double max_ulp(uint32_t lo, uint32_t hi, uint32_t step, int* asym) {
    static float x[CHUNK], y[CHUNK], yn[CHUNK];
    double worst = 0;
    uint32_t b = lo;
    while (b <= hi) {
        int n = 0;
        for (; n < CHUNK && b <= hi; n++, b += step) x[n] = from_bits(b);
        acrl_act_forward(ACRL_ACT_TANH, y, x, (size_t)n);
        for (int i = 0; i < n; i++) x[i] = -x[i];
        acrl_act_forward(ACRL_ACT_TANH, yn, x, (size_t)n);
        for (int i = 0; i < n; i++) {
            double e = ulp_error(y[i], tanh(-(double)x[i]));
            if (!(e <= worst)) worst = e; /* NaN propagates */
            if (yn[i] != -y[i]) (*asym)++;
        }
        if (b < step) break; /* wrapped */
    }
    return worst;
}

int main(void) {
    int asym = 0;
    const uint32_t twelve = 0x41400000u, nine = 0x41100000u, milli = 0x3a83126fu /* 1e-3 */;
    double e = max_ulp(0, twelve, 257, &asym);
    CHECK_MAXDIFF("tanh, every 257th float in [0, 12] (ulp)", e, 6.0);
    e = max_ulp(nine - 100000, nine + 100000, 1, &asym);
    CHECK_MAXDIFF("tanh, all floats around 9 (ulp)", e, 6.0);
    e = max_ulp(0, milli, 251, &asym);
    CHECK_MAXDIFF("tanh, every 251st float in [0, 1e-3] (ulp)", e, 2.5);
    printf("  odd symmetry violations: %d\n", asym);
    CHECK(asym == 0);

    /* specials, at every position of a block so both the vector and the tail path see them */
    float x[37], y[37];
    const float sp[5] = {NAN, INFINITY, -INFINITY, -0.0f, 3e38f};
    const float want[5] = {NAN, 1, -1, -0.0f, 1};
    for (int k = 0; k < 5; k++)
        for (int pos = 0; pos < 37; pos++) {
            for (int i = 0; i < 37; i++) x[i] = 0.1f * (float)i - 1.5f;
            x[pos] = sp[k];
            acrl_act_forward(ACRL_ACT_TANH, y, x, 37);
            if (k == 0) CHECK(isnan(y[pos]));
            else CHECK_NEAR(y[pos], want[k], 6e-8);
            if (k == 3) CHECK(signbit(y[pos]));
            CHECK_NEAR(y[(pos + 1) % 37], tanh((double)x[(pos + 1) % 37]), 3e-7);
        }
    /* in place (y == x) */
    for (int i = 0; i < 37; i++) x[i] = 0.25f * (float)i - 4;
    acrl_act_forward(ACRL_ACT_TANH, x, x, 37);
    double md = 0;
    for (int i = 0; i < 37; i++) md = fmax(md, fabs(x[i] - tanh(0.25 * i - 4)));
    CHECK_MAXDIFF("tanh in place vs double", md, 3e-7);
    return test_summary("test_nn_tanh");
}
