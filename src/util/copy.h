/* copy.h - private: short float copies inlined. The update copies many rows of a few to a
 * few hundred floats (bias rows, [obs | act] rows, replay rows); a libc memcpy call per row
 * cost more than the copy. Only fixed-size memcpy's are used here, which the compiler turns
 * into register moves (a loop of element copies could be turned back into a memcpy call). */
#ifndef ACRL_COPY_H
#define ACRL_COPY_H

#include <stddef.h>
#include <string.h>

/* dst (n) = src (n); the two do not overlap. Blocks of 16 floats, then 8, 4, 2, 1. The empty
 * asm hides the index from the optimizer, which would otherwise recognize the block loop as a
 * copy and call memcpy for it. */
static inline void acrl_copy_floats(float* restrict dst, const float* restrict src, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __asm__("" : "+r"(i));
        memcpy(dst + i, src + i, 16 * sizeof(float));
    }
    if (n - i >= 8) { memcpy(dst + i, src + i, 8 * sizeof(float)); i += 8; }
    if (n - i >= 4) { memcpy(dst + i, src + i, 4 * sizeof(float)); i += 4; }
    if (n - i >= 2) { memcpy(dst + i, src + i, 2 * sizeof(float)); i += 2; }
    if (n - i >= 1) dst[i] = src[i];
}

/* dst rows (B, n, row stride ldd) = the same row src (n) */
static inline void acrl_copy_row_bcast(float* dst, size_t ldd, const float* src, size_t n, int B) {
    for (int b = 0; b < B; b++) acrl_copy_floats(dst + (size_t)b * ldd, src, n);
}

#endif
