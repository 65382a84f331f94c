/* PCG64 with NumPy's SeedSequence seeding: bit-compatible with numpy.random.default_rng. */
#include "acrl/rng.h"

#include <math.h>

/* ---- SeedSequence (numpy/random/bit_generator.pyx), pool of 4 uint32 words ---- */
#define SS_INIT_A 0x43b0d7e5u
#define SS_MULT_A 0x931e8875u
#define SS_INIT_B 0x8b51f9ddu
#define SS_MULT_B 0x58f38dedu
#define SS_MIX_L  0xca01f9ddu
#define SS_MIX_R  0x4973f715u
#define SS_POOL   4

static uint32_t ss_hashmix(uint32_t v, uint32_t* h) {
    v ^= *h;
    *h *= SS_MULT_A;
    v *= *h;
    v ^= v >> 16;
    return v;
}

static uint32_t ss_mix(uint32_t x, uint32_t y) {
    uint32_t r = SS_MIX_L * x - SS_MIX_R * y;
    return r ^ (r >> 16);
}

/* entropy: little-endian uint32 words of the seed integer(s), n >= 1 */
static void ss_generate(const uint32_t* entropy, int n, uint32_t* out, int n_out) {
    uint32_t pool[SS_POOL];
    uint32_t h = SS_INIT_A;
    for (int i = 0; i < SS_POOL; i++) pool[i] = ss_hashmix(i < n ? entropy[i] : 0u, &h);
    for (int s = 0; s < SS_POOL; s++)
        for (int d = 0; d < SS_POOL; d++)
            if (s != d) pool[d] = ss_mix(pool[d], ss_hashmix(pool[s], &h));
    for (int s = SS_POOL; s < n; s++)
        for (int d = 0; d < SS_POOL; d++) pool[d] = ss_mix(pool[d], ss_hashmix(entropy[s], &h));
    uint32_t hb = SS_INIT_B;
    for (int i = 0; i < n_out; i++) {
        uint32_t v = pool[i % SS_POOL];
        v ^= hb;
        hb *= SS_MULT_B;
        v *= hb;
        v ^= v >> 16;
        out[i] = v;
    }
}

/* ---- PCG64 XSL-RR ---- */
typedef unsigned __int128 u128;
#define PCG_MULT (((u128)0x2360ed051fc65da4ull << 64) | 0x4385df649fccf645ull)

static u128 rng_state(const acrl_rng* r) { return ((u128)r->state_hi << 64) | r->state_lo; }
static u128 rng_inc(const acrl_rng* r) { return ((u128)r->inc_hi << 64) | r->inc_lo; }
static void rng_set_state(acrl_rng* r, u128 s) { r->state_hi = (uint64_t)(s >> 64); r->state_lo = (uint64_t)s; }

static void rng_step(acrl_rng* r) { rng_set_state(r, rng_state(r) * PCG_MULT + rng_inc(r)); }

static void rng_seed_words(acrl_rng* r, const uint32_t* words, int n) {
    uint32_t st[8];
    ss_generate(words, n, st, 8);
    uint64_t v[4];
    for (int i = 0; i < 4; i++) v[i] = (uint64_t)st[2 * i] | ((uint64_t)st[2 * i + 1] << 32);
    u128 init_state = ((u128)v[0] << 64) | v[1];
    u128 init_seq = ((u128)v[2] << 64) | v[3];
    u128 inc = (init_seq << 1) | 1u;
    r->inc_hi = (uint64_t)(inc >> 64);
    r->inc_lo = (uint64_t)inc;
    rng_set_state(r, 0);
    rng_step(r);
    rng_set_state(r, rng_state(r) + init_state);
    rng_step(r);
    r->has_spare = 0;
    r->normal_spare = 0.0;
}

/* Writes the uint32 words numpy's _coerce_to_uint32_array gives an integer. */
static int seed_words(uint64_t x, uint32_t* w) {
    w[0] = (uint32_t)x;
    if (x >> 32) { w[1] = (uint32_t)(x >> 32); return 2; }
    return 1;
}

void acrl_rng_seed(acrl_rng* r, uint64_t seed) {
    uint32_t w[2];
    rng_seed_words(r, w, seed_words(seed, w));
}

void acrl_rng_seed2(acrl_rng* r, uint64_t seed, uint64_t stream) {
    /* numpy coerces a list element-wise; each element is one uint32 word when < 2^32 */
    uint32_t w[4];
    int n = seed_words(seed, w);
    n += seed_words(stream, w + n);
    rng_seed_words(r, w, n);
}

uint64_t acrl_rng_u64(acrl_rng* r) {
    rng_step(r);
    uint64_t hi = r->state_hi, lo = r->state_lo;
    unsigned rot = (unsigned)(hi >> 58);
    uint64_t x = hi ^ lo;
    return (x >> rot) | (x << ((64 - rot) & 63));
}

double acrl_rng_double(acrl_rng* r) { return (double)(acrl_rng_u64(r) >> 11) * (1.0 / 9007199254740992.0); }

double acrl_rng_uniform(acrl_rng* r, double lo, double hi) { return lo + (hi - lo) * acrl_rng_double(r); }

double acrl_rng_normal(acrl_rng* r) {
    if (r->has_spare) { r->has_spare = 0; return r->normal_spare; }
    double u1, u2;
    do u1 = acrl_rng_double(r); while (u1 <= 0.0);
    u2 = acrl_rng_double(r);
    double mag = sqrt(-2.0 * log(u1));
    r->normal_spare = mag * sin(2.0 * M_PI * u2);
    r->has_spare = 1;
    return mag * cos(2.0 * M_PI * u2);
}

void acrl_rng_normal_floats(acrl_rng* r, float* out, size_t n) {
    enum { PAIRS = 32 };
    double u1[PAIRS], u2[PAIRS], mag[PAIRS];
    size_t i = 0;
    if (n && r->has_spare) { r->has_spare = 0; out[i++] = (float)r->normal_spare; }
    while (n - i >= 2) {
        const size_t m = (n - i) / 2 < PAIRS ? (n - i) / 2 : PAIRS;
        for (size_t k = 0; k < m; k++) { /* the draws in acrl_rng_normal's order */
            do u1[k] = acrl_rng_double(r); while (u1[k] <= 0.0);
            u2[k] = acrl_rng_double(r);
        }
        for (size_t k = 0; k < m; k++) mag[k] = sqrt(-2.0 * log(u1[k]));
        double second = 0;
        for (size_t k = 0; k < m; k++) {
            second = mag[k] * sin(2.0 * M_PI * u2[k]);
            out[i + 2 * k] = (float)(mag[k] * cos(2.0 * M_PI * u2[k]));
            out[i + 2 * k + 1] = (float)second;
        }
        r->normal_spare = second; /* as acrl_rng_normal leaves it (checkpoints store it) */
        i += 2 * m;
    }
    if (i < n) out[i] = (float)acrl_rng_normal(r); /* keeps the pair's second for the next call */
}

uint64_t acrl_rng_below(acrl_rng* r, uint64_t n) {
    /* Lemire's multiply-shift with rejection: unbiased and division-free on the fast path */
    u128 m = (u128)acrl_rng_u64(r) * n;
    uint64_t l = (uint64_t)m;
    if (l < n) {
        uint64_t t = -n % n;
        while (l < t) { m = (u128)acrl_rng_u64(r) * n; l = (uint64_t)m; }
    }
    return (uint64_t)(m >> 64);
}
