/* NumPy-exact standard normal: the 256-level ziggurat of numpy.random.Generator
 * (random_standard_normal), on top of acrl_rng's PCG64. Tables built once at first use. */
#include "acrl/rng.h"

#include <math.h>
#include <pthread.h>

#define ZIG_N     256
#define ZIG_R     3.6541528853610088          /* right edge of the base strip's rectangle */
#define ZIG_INV_R 0.27366123732975828         /* 1 / ZIG_R */
#define ZIG_V     0.004928673233974652        /* area of each strip, as a double (0x1.43016a5a4372ep-8) */
#define ZIG_M     4503599627370496.0          /* 2^52: the magnitude draw has 52 bits */

static uint64_t zig_k[ZIG_N]; /* rabs < zig_k[i] <=> rabs * zig_w[i] is inside strip i's inner rectangle */
static double   zig_w[ZIG_N]; /* x_i / 2^52 (zig_w[0]: base strip width V / f(r) over 2^52) */
static double   zig_f[ZIG_N]; /* exp(-x_i^2 / 2), zig_f[0] = 1 */
static pthread_once_t zig_once = PTHREAD_ONCE_INIT;

/* Edges x_255 = r > x_254 > ... > x_1, each strip of area V: x_i = f^-1(V / x_{i+1} + f(x_{i+1})),
 * evaluated in double arithmetic in exactly this order; this reproduces NumPy's tables bit for bit
 * (checked by tests/test_rng_normal.c through the generated stream) with one exception: NumPy's
 * f at x_38 is one ulp above the correctly rounded exp(), so it is nudged up here. */
static void zig_init(void) {
    double x[ZIG_N];
    x[ZIG_N - 1] = ZIG_R;
    zig_f[ZIG_N - 1] = exp(-0.5 * ZIG_R * ZIG_R);
    x[0] = ZIG_V / zig_f[ZIG_N - 1];
    zig_f[0] = 1.0;
    for (int i = ZIG_N - 2; i > 0; i--) {
        x[i] = sqrt(-2.0 * log(ZIG_V / x[i + 1] + zig_f[i + 1]));
        zig_f[i] = exp(-0.5 * x[i] * x[i]);
        if (i == 38) zig_f[i] = nextafter(zig_f[i], 2.0);
    }
    for (int i = 0; i < ZIG_N; i++) zig_w[i] = x[i] / ZIG_M;
    /* k_i = round(2^52 * x_{i-1} / x_i) (ties to even); the base strip uses r / x_0; the top strip has none */
    zig_k[0] = (uint64_t)rint(x[ZIG_N - 1] / x[0] * ZIG_M);
    zig_k[1] = 0;
    for (int i = 2; i < ZIG_N; i++) zig_k[i] = (uint64_t)rint(x[i - 1] / x[i] * ZIG_M);
}

double acrl_rng_standard_normal(acrl_rng* r) {
    pthread_once(&zig_once, zig_init);
    for (;;) {
        uint64_t u = acrl_rng_u64(r);
        int idx = (int)(u & 0xff);
        u >>= 8;
        int neg = (int)(u & 1);
        uint64_t rabs = (u >> 1) & 0x000fffffffffffffull;
        double x = (double)rabs * zig_w[idx];
        if (neg) x = -x;
        if (rabs < zig_k[idx]) return x;        /* inside the rectangle: ~99% of draws */
        if (idx == 0) {
            /* tail beyond r (Marsaglia): exponential proposals, log1p(-U) so U = 0 is safe */
            for (;;) {
                double xx = -ZIG_INV_R * log1p(-acrl_rng_double(r));
                double yy = -log1p(-acrl_rng_double(r));
                if (yy + yy > xx * xx) return ((rabs >> 8) & 1) ? -(ZIG_R + xx) : ZIG_R + xx;
            }
        }
        /* wedge between strips idx-1 and idx */
        if ((zig_f[idx - 1] - zig_f[idx]) * acrl_rng_double(r) + zig_f[idx] < exp(-0.5 * x * x)) return x;
    }
}
