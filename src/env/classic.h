/* classic.h - private to src/env: the classic-control envs' constructors (used by the
 * registry), the CartPole batch step, and the plain-old-data helpers they share.
 *
 * Every base env here is one malloc'd block: the acrl_env, then its data (plain old
 * data that starts with a classic_tag), then its space bounds. acrl_env_close frees it
 * with one free(); a snapshot is the data block followed by the env's acrl_rng.
 *
 * Discrete actions arrive as one float; they are rounded to the nearest index and
 * clamped into [0, n) (Gymnasium asserts instead; valid actions behave identically). */
#ifndef ACRL_CLASSIC_H
#define ACRL_CLASSIC_H

#include <stdbool.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "acrl/env.h"

/* First member of every classic env's data: identifies the env kind in snapshots. */
typedef struct {
    uint32_t magic;   /* per-env constant, e.g. CLASSIC_MAGIC('C','P','O','L') */
    uint32_t size;    /* sizeof the env's data struct */
} classic_tag;

#define CLASSIC_MAGIC(a, b, c, d) \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

/* Allocates a base env in one zeroed block: the env, data_size bytes of data (its tag
 * filled with magic and data_size), obs bounds (obs_dim floats each) and, for a Box
 * action space, act bounds (act_dim each). act_n is the Discrete size (0 for Box).
 * The caller fills the bounds. Returns NULL (message in err) when out of memory. */
acrl_env* classic_env_alloc(const acrl_env_vtable* vt, const char* id, uint32_t magic,
                            size_t data_size, int obs_dim, int act_dim, int act_n,
                            int state_dim, char* err, size_t errlen);

/* Snapshot functions for the vtables of envs whose data is a classic_tag then float64 fields:
 * the fields and the rng as explicit little-endian values (env.c), validated on load. */
size_t classic_state_bytes(const acrl_env* env);
void   classic_state_save(const acrl_env* env, void* buf);
int    classic_state_load(acrl_env* env, const void* buf);
/* The same for data ending in nints int fields after the float64 ones (CartPole). */
size_t classic_snap_bytes(const acrl_env* env, int nints);
void   classic_snap_save(const acrl_env* env, void* buf, int nints);
int    classic_snap_load(acrl_env* env, const void* buf, int nints);

/* Checks a set_state length; on mismatch writes the message and returns -1. */
int classic_check_state_len(const acrl_env* env, int n, char* err, size_t errlen);

/* Discrete action index: nearest integer to a, clamped into [0, n). NaN gives 0. */
static inline int classic_action_index(float a, int n) {
    int i = 0;
    for (int k = 1; k < n; k++) i += a >= (float)k - 0.5f;
    return i;
}

/* x**2 as Gymnasium computes it on a Python float or NumPy float64 scalar: libm's
 * pow(x, 2.0), which glibc rounds differently from x*x about once in 1200 calls. pow
 * costs some 20 multiplies, so it is only called where it can differ. glibc's pow
 * (sysdeps/ieee754/dbl-64/e_pow.c) errs by at most 0.509 ulp + |y log x| 1.3 2^-15 ulp,
 * i.e. below 0.517 ulp while |x| lies in [2^-130, 2^130]; there it returns p = fl(x*x)
 * unless the exact square p + r lies within 0.017 ulp of a rounding midpoint (we test
 * 0.02), or p is a power of two (the spacing below p is half the one above). Outside
 * that range pow is always called. tests/test_envs.c checks this against pow itself. */
static inline double classic_pow2(double x) {
    double p = x * x;
    double r = fma(x, x, -p);              /* exact residual: x*x = p + r */
    uint64_t bits;
    memcpy(&bits, &p, sizeof bits);
    uint64_t exp_bits = bits & 0x7ff0000000000000ull;
    double scale;                          /* 2^exponent(p) */
    memcpy(&scale, &exp_bits, sizeof scale);
    double ulp = scale * 0x1p-52;
    int e = (int)(exp_bits >> 52) - 1023;  /* p in [2^-260, 2^261): |x| in [2^-130, 2^130.5) */
    if (fabs(r) >= 0.48 * ulp || (bits & 0x000fffffffffffffull) == 0 || e < -260 || e > 260) {
        static const volatile double two = 2.0; /* keeps the compiler from folding pow(x, 2) into x*x */
        return pow(x, two);
    }
    return p;
}

/* Constructors (base env, no time limit), as registered in registry.c. */
acrl_env* acrl_cartpole_create(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_acrobot_create(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_mountaincar_create(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_mountaincar_continuous_create(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_pendulum_create(const acrl_env_options* opt, char* err, size_t errlen);
/* portfolio.c: Portfolio-v0 and PortfolioESG-v0 (settings from opt->env_args) */
acrl_env* acrl_portfolio_create(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_portfolio_esg_create(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_doorkey_create(const acrl_env_options* opt, char* err, size_t errlen);
acrl_env* acrl_maze_create(const acrl_env_options* opt, char* err, size_t errlen);
/* mec.c: MecOffload-v0 (settings from opt->env_args, acrl/mec.h) */
acrl_env* acrl_mec_create(const acrl_env_options* opt, char* err, size_t errlen);
/* lasernav.c: LaserNav-v0 (settings from opt->env_args, acrl/lasernav.h) */
acrl_env* acrl_lasernav_create(const acrl_env_options* opt, char* err, size_t errlen);

/* Checks an env that spec->create returned (a vtable with reset, step and the three
 * snapshot functions; valid spaces); on failure closes it and writes the message. */
int env_check_created(const acrl_env_spec* spec, acrl_env* env, char* err, size_t errlen);

/* true if env is a CartPole-v1 base env (so acrl_cartpole_step_batch may be used). */
bool acrl_is_cartpole(const acrl_env* env);

/* Steps n CartPole base envs at once, exactly as n calls of their vtable step would:
 * envs (n) base envs, actions (n) discrete actions, obs (n, 4), rewards (n),
 * terminated (n). CartPole never truncates by itself. Returns 0, or -1 (nothing
 * stepped) if some envs[i] is not a CartPole base env (acrl_is_cartpole). */
int acrl_cartpole_step_batch(acrl_env* const* envs, int n, const float* actions,
                             float* obs, double* rewards, bool* terminated);

#endif
