/* crc32c.c - CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), used by the
 * checkpoint trailer and TFRecord framing. SSE4.2 has an instruction for it; the
 * byte-table version is the reference and the fallback. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "acrl/io.h"

#ifdef __SSE4_2__
#include <nmmintrin.h>
#else
static uint32_t crc32c_table[256];
static pthread_once_t crc32c_once = PTHREAD_ONCE_INIT;

static void crc32c_init_table(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        crc32c_table[i] = c;
    }
}
#endif

uint32_t acrl_crc32c(uint32_t crc, const void* data, size_t n) {
    const uint8_t* p = data;
    uint32_t c = ~crc;
#ifdef __SSE4_2__
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t v;
        memcpy(&v, p, 8); /* unaligned-safe; x86 is little-endian as the CRC expects */
        c = (uint32_t)_mm_crc32_u64(c, v);
    }
    for (; n > 0; n--, p++) c = _mm_crc32_u8(c, *p);
#else
    pthread_once(&crc32c_once, crc32c_init_table);
    for (; n > 0; n--, p++) c = crc32c_table[(c ^ *p) & 0xFF] ^ (c >> 8);
#endif
    return ~c;
}
