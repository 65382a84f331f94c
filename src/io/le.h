/* le.h - explicit little-endian encoding of checkpoint fields, so that a section's bytes
 * do not depend on the writer's struct layout, padding or integer sizes.
 *
 * le_put_* writes one field at p and returns the position after it; le_get_* reads one
 * field at *p and advances *p. Arrays of float32/float64 are stored as the IEEE 754
 * little-endian bytes (memcpy on the little-endian hosts acrl supports; see below). */
#ifndef ACRL_LE_H
#define ACRL_LE_H

#include <stdint.h>
#include <string.h>

#include "acrl/rng.h"

/* Float arrays are copied as they lie in memory: the library is little-endian only. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "acrl checkpoints assume a little-endian host");
_Static_assert(sizeof(double) == 8 && sizeof(float) == 4, "acrl needs IEEE 754 binary32/binary64");

static inline uint8_t* le_put_u32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
    return p + 4;
}
static inline uint8_t* le_put_u64(uint8_t* p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
    return p + 8;
}
static inline uint8_t* le_put_i32(uint8_t* p, int32_t v) { return le_put_u32(p, (uint32_t)v); }
static inline uint8_t* le_put_i64(uint8_t* p, int64_t v) { return le_put_u64(p, (uint64_t)v); }
static inline uint8_t* le_put_f64(uint8_t* p, double v) {
    uint64_t b;
    memcpy(&b, &v, 8);
    return le_put_u64(p, b);
}
/* n float64 / float32 / int32 values */
static inline uint8_t* le_put_f64s(uint8_t* p, const double* v, size_t n) {
    if (n) memcpy(p, v, 8 * n);
    return p + 8 * n;
}
static inline uint8_t* le_put_f32s(uint8_t* p, const float* v, size_t n) {
    if (n) memcpy(p, v, 4 * n);
    return p + 4 * n;
}
static inline uint8_t* le_put_i32s(uint8_t* p, const int* v, size_t n) {
    for (size_t i = 0; i < n; i++) p = le_put_i32(p, (int32_t)v[i]);
    return p;
}

static inline uint32_t le_get_u32(const uint8_t** p) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) v = (v << 8) | (*p)[i];
    *p += 4;
    return v;
}
static inline uint64_t le_get_u64(const uint8_t** p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | (*p)[i];
    *p += 8;
    return v;
}
static inline int32_t le_get_i32(const uint8_t** p) { return (int32_t)le_get_u32(p); }
static inline int64_t le_get_i64(const uint8_t** p) { return (int64_t)le_get_u64(p); }
static inline double le_get_f64(const uint8_t** p) {
    uint64_t b = le_get_u64(p);
    double v;
    memcpy(&v, &b, 8);
    return v;
}
static inline void le_get_f64s(const uint8_t** p, double* v, size_t n) {
    if (n) memcpy(v, *p, 8 * n);
    *p += 8 * n;
}
static inline void le_get_f32s(const uint8_t** p, float* v, size_t n) {
    if (n) memcpy(v, *p, 4 * n);
    *p += 4 * n;
}
static inline void le_get_i32s(const uint8_t** p, int* v, size_t n) {
    for (size_t i = 0; i < n; i++) v[i] = le_get_i32(p);
}

/* An acrl_rng as 48 bytes: uint64 state_hi, state_lo, inc_hi, inc_lo, float64 normal_spare,
 * uint32 has_spare (0/1), 4 bytes zero (which x86-64's struct layout matches, so format
 * version 1 files decode the same way; their padding bytes are ignored). */
#define LE_RNG_BYTES 48
static inline uint8_t* le_put_rng(uint8_t* p, const acrl_rng* r) {
    p = le_put_u64(p, r->state_hi);
    p = le_put_u64(p, r->state_lo);
    p = le_put_u64(p, r->inc_hi);
    p = le_put_u64(p, r->inc_lo);
    p = le_put_f64(p, r->normal_spare);
    p = le_put_u32(p, (uint32_t)r->has_spare);
    return le_put_u32(p, 0);
}
/* Decodes into *r; -1 (r untouched) if it is not a valid generator state. */
static inline int le_get_rng(const uint8_t** p, acrl_rng* r) {
    acrl_rng t;
    t.state_hi = le_get_u64(p);
    t.state_lo = le_get_u64(p);
    t.inc_hi = le_get_u64(p);
    t.inc_lo = le_get_u64(p);
    t.normal_spare = le_get_f64(p);
    uint32_t spare = le_get_u32(p);
    *p += 4;
    if (!(t.inc_lo & 1u) || spare > 1) return -1;
    t.has_spare = (int)spare;
    *r = t;
    return 0;
}

#endif
