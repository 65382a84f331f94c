/* acrl/rng.h - explicit random number generator state.
 *
 * acrl_rng is PCG64 (XSL-RR 128/64) seeded through NumPy's SeedSequence, so
 * acrl_rng_seed(r, s) followed by acrl_rng_uniform() draws the same doubles as
 * numpy.random.default_rng(s).uniform(). Gymnasium seeds its envs this way, so
 * an env reset with the same seed starts from the same state as Gymnasium's.
 * Every env, learner and worker owns one; there is no global generator. */
#ifndef ACRL_RNG_H
#define ACRL_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t state_hi, state_lo; /* 128-bit LCG state */
    uint64_t inc_hi, inc_lo;     /* 128-bit odd increment (stream) */
    double   normal_spare;       /* second Box-Muller deviate, valid if has_spare */
    int      has_spare;
} acrl_rng;

/* Seeds like numpy.random.default_rng(seed) for a non-negative integer seed. */
void     acrl_rng_seed(acrl_rng* r, uint64_t seed);
/* Seeds from a seed and a stream id (for workers/envs derived from one run seed):
 * like numpy.random.default_rng([seed, stream]). */
void     acrl_rng_seed2(acrl_rng* r, uint64_t seed, uint64_t stream);
/* Next raw 64-bit output (numpy's PCG64.random_raw()). */
uint64_t acrl_rng_u64(acrl_rng* r);
/* Uniform double in [0, 1), 53 bits (numpy's Generator.random()). */
double   acrl_rng_double(acrl_rng* r);
/* Uniform double in [lo, hi) (numpy's Generator.uniform(lo, hi)). */
double   acrl_rng_uniform(acrl_rng* r, double lo, double hi);
/* Standard normal deviate by Box-Muller (uses normal_spare; NOT numpy's stream: use
 * acrl_rng_standard_normal for that). Kept as is: existing training streams depend on it. */
double   acrl_rng_normal(acrl_rng* r);
/* out (n) = n successive (float)acrl_rng_normal(r), the same numbers and generator state after,
 * the pairs made in blocks (the uniforms drawn first, then the arithmetic). */
void     acrl_rng_normal_floats(acrl_rng* r, float* out, size_t n);
/* Standard normal deviate, bit-identical to numpy.random.Generator.standard_normal()
 * (NumPy's 256-level ziggurat): after acrl_rng_seed(r, s), successive calls return
 * default_rng(s).standard_normal(n) element by element and consume the same u64 draws,
 * so later uniform draws stay in step too. Thread-safe (tables built once). */
double   acrl_rng_standard_normal(acrl_rng* r);
/* Uniform integer in [0, n), unbiased; n > 0. */
uint64_t acrl_rng_below(acrl_rng* r, uint64_t n);

#endif
