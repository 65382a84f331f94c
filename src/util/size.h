/* size.h - private: sizes of buffers computed from configuration values. Products and
 * sums saturate at SIZE_MAX ("does not fit"), so a whole estimate can be written as one
 * expression and checked once; acrl_size_check compares the total with the machine's
 * physical memory before anything is allocated and writes a message naming the size. */
#ifndef ACRL_SIZE_H
#define ACRL_SIZE_H

#include <stddef.h>
#include <stdint.h>

/* Rows (rollout steps, replay transitions, batch rows) indexed with int arithmetic are
 * limited to 2^30, so that the sum of two such counts still fits in an int. */
#define ACRL_MAX_ROWS (1L << 30)

/* a * b, or SIZE_MAX if it overflows (or either is SIZE_MAX). */
static inline size_t acrl_size_mul(size_t a, size_t b) {
    size_t r;
    if (a == SIZE_MAX || b == SIZE_MAX || __builtin_mul_overflow(a, b, &r)) return SIZE_MAX;
    return r;
}

/* a + b, or SIZE_MAX if it overflows (or either is SIZE_MAX). */
static inline size_t acrl_size_add(size_t a, size_t b) {
    size_t r;
    if (a == SIZE_MAX || b == SIZE_MAX || __builtin_add_overflow(a, b, &r)) return SIZE_MAX;
    return r;
}

/* a * b * c, saturating. */
static inline size_t acrl_size_mul3(size_t a, size_t b, size_t c) { return acrl_size_mul(acrl_size_mul(a, b), c); }

/* Bytes of physical memory (sysconf), or SIZE_MAX if the system does not say. */
size_t acrl_size_physical_memory(void);

/* bytes as "3.20 TiB (3518437208883 bytes)"; SIZE_MAX as "more than 16 EiB". */
void acrl_size_format(char* buf, size_t len, size_t bytes);

/* 0 if bytes fit in physical memory; else -1 with the message
 * "WHAT need(s) SIZE of memory; this machine has SIZE". */
int acrl_size_check(size_t bytes, const char* what, char* err, size_t errlen);

#endif
