/* bf16 products (precision = bf16): acrl_gemm's contract with both operands rounded to
 * bfloat16 and float accumulation.
 *
 * Both operands are packed once per call: op(A) to bf16 rows with K padded to even, op(B)
 * to "pair-interleaved" columns (for each pair of k and each group of 16 columns, the 32
 * values one vdpbf16ps reads). The avx512_bf16 kernel keeps a 6 x 64 tile of C in 24
 * registers; each instruction adds, per lane, a[2p+1] b[2p+1] and then a[2p] b[2p], each
 * rounded to float with denormals flushed. The portable loop below does exactly that,
 * in the same order, so both paths give the same bits and the reference (double sums of
 * the rounded operands) checks them both. */
#include "acrl/nn.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define BF16_X86 1
#include <immintrin.h>
#endif

#define AT(X, ld, r, c) ((X)[(size_t)(r) * (size_t)(ld) + (size_t)(c)])

/* float -> bf16 bits, round to nearest even; denormals become signed zeros (as the
 * instructions treat them); NaN stays a quiet NaN. Branch-free, so the packing loops vectorize. */
static inline uint16_t to_bf16(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    const uint32_t mag = u & 0x7fffffffu;
    const uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
    const uint32_t r = mag > 0x7f800000u ? (u >> 16) | 0x40u : mag < 0x00800000u ? (u >> 16) & 0x8000u : rounded;
    return (uint16_t)r;
}

static float from_bf16(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

float acrl_bf16_round(float x) { return from_bf16(to_bf16(x)); }

bool acrl_bf16_supported(void) {
#ifdef BF16_X86
    return __builtin_cpu_supports("avx512bf16");
#else
    return false;
#endif
}

void acrl_gemm_bf16_ref(bool trans_a, bool trans_b, int M, int N, int K, float alpha,
                        const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < K; k++) {
                double a = acrl_bf16_round(trans_a ? AT(A, lda, k, i) : AT(A, lda, i, k));
                double b = acrl_bf16_round(trans_b ? AT(B, ldb, j, k) : AT(B, ldb, k, j));
                s += a * b;
            }
            float c = beta == 0 ? 0 : beta * AT(C, ldc, i, j);
            AT(C, ldc, i, j) = (float)(alpha * s) + c;
        }
}

/* ---- packing ---------------------------------------------------------------------- */

/* Per-thread packing buffers (64-byte aligned), grown to the largest size seen; freed when
 * the thread exits. */
static _Thread_local void* pack_buf[2];
static _Thread_local size_t pack_cap[2];
static pthread_key_t pack_key[2];
static pthread_once_t pack_once = PTHREAD_ONCE_INIT;
static void pack_keys_create(void) {
    pthread_key_create(&pack_key[0], free);
    pthread_key_create(&pack_key[1], free);
}

static void* pack_scratch(int slot, size_t bytes) {
    if (bytes > pack_cap[slot]) {
        pthread_once(&pack_once, pack_keys_create);
        void* p = NULL;
        if (posix_memalign(&p, 64, bytes)) return NULL;
        free(pack_buf[slot]);
        pack_buf[slot] = p;
        pack_cap[slot] = bytes;
        pthread_setspecific(pack_key[slot], p);
    }
    return pack_buf[slot];
}

/* ap (M, Kp) = bf16 of op(A), zero in the padding column; a transposed A is read in
 * blocks of 16 of its columns (rows of ap), each of its rows once per block */
static void pack_a(uint16_t* restrict ap, bool trans_a, int M, int K, int Kp, const float* A, int lda) {
    if (!trans_a) {
        for (int i = 0; i < M; i++) {
            uint16_t* r = ap + (size_t)i * Kp;
            const float* a = &AT(A, lda, i, 0);
            for (int k = 0; k < K; k++) r[k] = to_bf16(a[k]);
            for (int k = K; k < Kp; k++) r[k] = 0;
        }
        return;
    }
    for (int i0 = 0; i0 < M; i0 += 16) {
        const int n = M - i0 < 16 ? M - i0 : 16;
        for (int k = 0; k < K; k++) {
            const float* a = &AT(A, lda, k, i0);
            for (int l = 0; l < n; l++) ap[(size_t)(i0 + l) * Kp + k] = to_bf16(a[l]);
        }
        for (int l = 0; l < n && K < Kp; l++) ap[(size_t)(i0 + l) * Kp + K] = 0;
    }
}

/* bp (Kh, Nv, 16, 2): element (p, v, l, e) = op(B)[2p + e][16 v + l], zero beyond K and N.
 * Stored transposed, B's rows hold the pairs already: one group of 16 rows at a time. */
static void pack_b(uint16_t* restrict bp, bool trans_b, int N, int K, int Kh, int Nv, const float* B, int ldb) {
    memset(bp, 0, (size_t)Kh * Nv * 32 * sizeof(uint16_t)); /* the columns beyond N */
    if (!trans_b) { /* rows 2p and 2p + 1 of B give one 32-bit pair per column */
        for (int p = 0; p < Kh; p++) {
            uint32_t* row = (uint32_t*)(void*)(bp + (size_t)p * Nv * 32);
            const float* b0 = &AT(B, ldb, 2 * p, 0);
            if (2 * p + 1 < K) {
                const float* b1 = &AT(B, ldb, 2 * p + 1, 0);
                for (int j = 0; j < N; j++) row[j] = (uint32_t)to_bf16(b0[j]) | (uint32_t)to_bf16(b1[j]) << 16;
            } else {
                for (int j = 0; j < N; j++) row[j] = to_bf16(b0[j]);
            }
        }
        return;
    }
    for (int v = 0; v < Nv; v++) {
        const int n = N - 16 * v < 16 ? N - 16 * v : 16;
        for (int p = 0; p < Kh; p++) {
            uint16_t* dst = bp + ((size_t)p * Nv + v) * 32;
            const int k = 2 * p;
            for (int l = 0; l < n; l++) {
                const float* b = &AT(B, ldb, 16 * v + l, k);
                dst[2 * l] = to_bf16(b[0]);
                dst[2 * l + 1] = k + 1 < K ? to_bf16(b[1]) : 0;
            }
        }
    }
}

/* c = alpha acc + beta c, one rounding per operation (the same in both paths) */
static float finish(float acc, float alpha, float beta, float c) {
    float t = alpha == 1 ? acc : alpha * acc;
    return beta == 0 ? t : beta == 1 ? c + t : fmaf(beta, c, t);
}

static float ftz(float x) { return fabsf(x) < 1.17549435e-38f ? copysignf(0.0f, x) : x; }

/* the portable loop: per element, the instruction's order and rounding */
static void gemm_packed_c(int M, int N, int Kh, int Nv, float alpha, const uint16_t* ap, const uint16_t* bp,
                          float beta, float* C, int ldc) {
    for (int i = 0; i < M; i++) {
        const uint16_t* a = ap + (size_t)i * 2 * Kh;
        for (int j = 0; j < N; j++) {
            const uint16_t* b = bp + (size_t)(j >> 4) * 32 + (size_t)(j & 15) * 2;
            float acc = 0;
            for (int p = 0; p < Kh; p++, b += (size_t)Nv * 32) {
                acc = ftz(fmaf(from_bf16(a[2 * p + 1]), from_bf16(b[1]), acc));
                acc = ftz(fmaf(from_bf16(a[2 * p]), from_bf16(b[0]), acc));
            }
            AT(C, ldc, i, j) = finish(acc, alpha, beta, AT(C, ldc, i, j));
        }
    }
}

#ifdef BF16_X86
#define BF16_TARGET __attribute__((target("avx512f,avx512bf16")))
#define MR 6 /* rows of a register tile */
#define NV 4 /* vectors of 16 columns of a register tile */

/* One tile of mr rows and nv vectors of columns at C (row i0, vector v0); cols: valid columns
 * from the tile's first, a multiple of 16 except at the right edge. */
static inline __attribute__((always_inline)) BF16_TARGET void tile(
    const int mr, const int nv, int Kh, int Nv, const uint16_t* restrict ap, const uint16_t* restrict bp,
    float alpha, float beta, float* C, int ldc, int cols) {
    __m512 acc[MR][NV];
    for (int r = 0; r < mr; r++)
        for (int q = 0; q < nv; q++) acc[r][q] = _mm512_setzero_ps();
    for (int p = 0; p < Kh; p++) {
        __m512bh b[NV];
        for (int q = 0; q < nv; q++) b[q] = (__m512bh)_mm512_loadu_si512(bp + ((size_t)p * Nv + q) * 32);
        for (int r = 0; r < mr; r++) {
            uint32_t pair;
            memcpy(&pair, ap + (size_t)r * 2 * Kh + 2 * p, sizeof pair);
            const __m512bh a = (__m512bh)_mm512_set1_epi32((int)pair);
            for (int q = 0; q < nv; q++) acc[r][q] = _mm512_dpbf16_ps(acc[r][q], b[q], a);
        }
    }
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    for (int r = 0; r < mr; r++)
        for (int q = 0; q < nv; q++) {
            const int left = cols - 16 * q;
            const __mmask16 m = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
            float* c = C + (size_t)r * ldc + 16 * q;
            __m512 t = alpha == 1 ? acc[r][q] : _mm512_mul_ps(va, acc[r][q]);
            if (beta == 1) t = _mm512_add_ps(_mm512_maskz_loadu_ps(m, c), t);
            else if (beta != 0) t = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m, c), t);
            _mm512_mask_storeu_ps(c, m, t);
        }
}

#define TILE(mr, nv) tile(mr, nv, Kh, Nv, a, b, alpha, beta, c, ldc, cols)

static BF16_TARGET void gemm_packed_avx512(int M, int N, int Kh, int Nv, float alpha, const uint16_t* ap,
                                           const uint16_t* bp, float beta, float* C, int ldc) {
    for (int v0 = 0; v0 < Nv; v0 += NV) {
        const int nv = Nv - v0 < NV ? Nv - v0 : NV;
        const int cols = N - 16 * v0;
        const uint16_t* b = bp + (size_t)v0 * 32;
        for (int i0 = 0; i0 < M; i0 += MR) {
            const int mr = M - i0 < MR ? M - i0 : MR;
            const uint16_t* a = ap + (size_t)i0 * 2 * Kh;
            float* c = C + (size_t)i0 * ldc + 16 * v0;
            switch (mr * 8 + nv) { /* constant tile shapes: the accumulators stay in registers */
            case 6 * 8 + 4: TILE(6, 4); break; case 6 * 8 + 3: TILE(6, 3); break;
            case 6 * 8 + 2: TILE(6, 2); break; case 6 * 8 + 1: TILE(6, 1); break;
            case 5 * 8 + 4: TILE(5, 4); break; case 5 * 8 + 3: TILE(5, 3); break;
            case 5 * 8 + 2: TILE(5, 2); break; case 5 * 8 + 1: TILE(5, 1); break;
            case 4 * 8 + 4: TILE(4, 4); break; case 4 * 8 + 3: TILE(4, 3); break;
            case 4 * 8 + 2: TILE(4, 2); break; case 4 * 8 + 1: TILE(4, 1); break;
            case 3 * 8 + 4: TILE(3, 4); break; case 3 * 8 + 3: TILE(3, 3); break;
            case 3 * 8 + 2: TILE(3, 2); break; case 3 * 8 + 1: TILE(3, 1); break;
            case 2 * 8 + 4: TILE(2, 4); break; case 2 * 8 + 3: TILE(2, 3); break;
            case 2 * 8 + 2: TILE(2, 2); break; case 2 * 8 + 1: TILE(2, 1); break;
            case 1 * 8 + 4: TILE(1, 4); break; case 1 * 8 + 3: TILE(1, 3); break;
            case 1 * 8 + 2: TILE(1, 2); break; default: TILE(1, 1); break;
            }
        }
    }
    _mm256_zeroupper();
}
#undef TILE
#endif

static void gemm_bf16(bool fast, bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A,
                      int lda, const float* B, int ldb, float beta, float* C, int ldc) {
    if (M <= 0 || N <= 0) return;
    const int Kh = (K + 1) / 2, Kp = 2 * Kh, Nv = (N + 15) / 16;
    uint16_t* ap = pack_scratch(0, (size_t)M * (Kp ? Kp : 1) * sizeof(uint16_t));
    uint16_t* bp = pack_scratch(1, (size_t)(Kh ? Kh : 1) * Nv * 32 * sizeof(uint16_t));
    if (!ap || !bp) { /* out of memory: the same sums, operands rounded on the fly */
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) {
                float acc = 0;
                for (int k = 0; k + 1 < Kp; k += 2) {
                    float a1 = k + 1 < K ? (trans_a ? AT(A, lda, k + 1, i) : AT(A, lda, i, k + 1)) : 0;
                    float b1 = k + 1 < K ? (trans_b ? AT(B, ldb, j, k + 1) : AT(B, ldb, k + 1, j)) : 0;
                    float a0 = trans_a ? AT(A, lda, k, i) : AT(A, lda, i, k);
                    float b0 = trans_b ? AT(B, ldb, j, k) : AT(B, ldb, k, j);
                    acc = ftz(fmaf(acrl_bf16_round(a1), acrl_bf16_round(b1), acc));
                    acc = ftz(fmaf(acrl_bf16_round(a0), acrl_bf16_round(b0), acc));
                }
                AT(C, ldc, i, j) = finish(acc, alpha, beta, AT(C, ldc, i, j));
            }
        return;
    }
    pack_a(ap, trans_a, M, K, Kp, A, lda);
    pack_b(bp, trans_b, N, K, Kh, Nv, B, ldb);
#ifdef BF16_X86
    if (fast && acrl_bf16_supported()) {
        gemm_packed_avx512(M, N, Kh, Nv, alpha, ap, bp, beta, C, ldc);
        return;
    }
#endif
    (void)fast;
    gemm_packed_c(M, N, Kh, Nv, alpha, ap, bp, beta, C, ldc);
}

void acrl_gemm_bf16(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                    const float* B, int ldb, float beta, float* C, int ldc) {
    gemm_bf16(true, trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void acrl_gemm_bf16_c(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                      const float* B, int ldb, float beta, float* C, int ldc) {
    gemm_bf16(false, trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
