/* Row-major single-precision gemm: the reference triple loop, a portable blocked C
 * path, and the libxsmm JIT fast path with a per-thread kernel cache. */
#include "acrl/nn.h"

#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/copy.h"

/* Products and sums stay separate roundings here, as gcc does in ISO C mode: clang would fuse
 * a * b + c in the plain loops, which the register paths (separate multiply and add) must
 * match bit for bit. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define AT(X, ld, r, c) ((X)[(size_t)(r) * (size_t)(ld) + (size_t)(c)])

void acrl_gemm_ref(bool trans_a, bool trans_b, int M, int N, int K, float alpha,
                   const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < K; k++) {
                double a = trans_a ? AT(A, lda, k, i) : AT(A, lda, i, k);
                double b = trans_b ? AT(B, ldb, j, k) : AT(B, ldb, k, j);
                s += a * b;
            }
            float c = beta == 0 ? 0 : beta * AT(C, ldc, i, j);
            AT(C, ldc, i, j) = (float)(alpha * s) + c;
        }
}

/* c (n) = beta c, NaN-safe for beta = 0 */
static void scale_row(float* c, float beta, int n) {
    if (beta == 0) memset(c, 0, (size_t)n * sizeof(float));
    else if (beta != 1) for (int j = 0; j < n; j++) c[j] *= beta;
}

/* dot of a (K, stride sa) and b (K, contiguous) with 16 independent lanes so gcc vectorizes
 * without reassociation flags; the lanes are summed as a tree (4 dependent adds, not 16),
 * then the tail */
static float dot16(const float* a, size_t sa, const float* restrict b, int K) {
    float acc[16] = {0};
    int k = 0;
    if (sa == 1)
        for (; k + 16 <= K; k += 16)
            for (int l = 0; l < 16; l++) acc[l] += a[k + l] * b[k + l];
    for (int w = 8; w > 0; w /= 2)
        for (int l = 0; l < w; l++) acc[l] += acc[l + w];
    float s = acc[0];
    for (; k < K; k++) s += a[(size_t)k * sa] * b[k];
    return s;
}

/* C = alpha op(A) B + beta C with B not transposed: rows of C are axpy sums of rows of B,
 * four rows of C per pass over B. */
static void gemm_c_bn(bool trans_a, int M, int N, int K, float alpha, const float* A, int lda,
                      const float* B, int ldb, float beta, float* C, int ldc) {
    for (int i = 0; i < M; i++) scale_row(&AT(C, ldc, i, 0), beta, N);
    int i = 0;
    for (; i + 4 <= M; i += 4) {
        float* restrict c0 = &AT(C, ldc, i, 0);
        float* restrict c1 = &AT(C, ldc, i + 1, 0);
        float* restrict c2 = &AT(C, ldc, i + 2, 0);
        float* restrict c3 = &AT(C, ldc, i + 3, 0);
        for (int k = 0; k < K; k++) {
            const float* restrict b = &AT(B, ldb, k, 0);
            float a0, a1, a2, a3;
            if (trans_a) { const float* ak = &AT(A, lda, k, i); a0 = ak[0]; a1 = ak[1]; a2 = ak[2]; a3 = ak[3]; }
            else { a0 = AT(A, lda, i, k); a1 = AT(A, lda, i + 1, k); a2 = AT(A, lda, i + 2, k); a3 = AT(A, lda, i + 3, k); }
            a0 *= alpha; a1 *= alpha; a2 *= alpha; a3 *= alpha;
            int j = 0;
            for (; j + 16 <= N; j += 16) /* fixed trip count: vectorized at -O2 */
                for (int l = 0; l < 16; l++) {
                    float bj = b[j + l];
                    c0[j + l] += a0 * bj; c1[j + l] += a1 * bj; c2[j + l] += a2 * bj; c3[j + l] += a3 * bj;
                }
            for (; j < N; j++) {
                float bj = b[j];
                c0[j] += a0 * bj; c1[j] += a1 * bj; c2[j] += a2 * bj; c3[j] += a3 * bj;
            }
        }
    }
    for (; i < M; i++) {
        float* restrict c = &AT(C, ldc, i, 0);
        for (int k = 0; k < K; k++) {
            const float* restrict b = &AT(B, ldb, k, 0);
            float a = alpha * (trans_a ? AT(A, lda, k, i) : AT(A, lda, i, k));
            int j = 0;
            for (; j + 16 <= N; j += 16)
                for (int l = 0; l < 16; l++) c[j + l] += a * b[j + l];
            for (; j < N; j++) c[j] += a * b[j];
        }
    }
}

void acrl_gemm_c(bool trans_a, bool trans_b, int M, int N, int K, float alpha,
                 const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc) {
    if (M <= 0 || N <= 0) return;
    if (!trans_b) { gemm_c_bn(trans_a, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc); return; }
    /* B stored (N, K): each C element is a dot of a row (or column) of A with a row of B */
    for (int i = 0; i < M; i++) {
        const float* a = trans_a ? &AT(A, lda, 0, i) : &AT(A, lda, i, 0);
        size_t sa = trans_a ? (size_t)lda : 1;
        float* c = &AT(C, ldc, i, 0);
        for (int j = 0; j < N; j++) {
            float s = alpha * dot16(a, sa, &AT(B, ldb, j, 0), K);
            c[j] = beta == 0 ? s : s + beta * c[j];
        }
    }
}

#ifdef ACRL_HAVE_XSMM
#include <libxsmm.h>
#ifdef __AVX512F__
#include <immintrin.h>
#endif

const char* acrl_gemm_backend(void) { return "libxsmm"; }

/* Per-thread direct-mapped cache of dispatched kernels: a hit costs a hash and a compare,
 * a miss asks libxsmm's own (thread-safe) registry. */
typedef struct { int m, n, k, lda, ldb, ldc, flags; libxsmm_smmfunction fn; } xsmm_entry;
#define XSMM_CACHE 64
static _Thread_local xsmm_entry xsmm_cache[XSMM_CACHE];

static libxsmm_smmfunction xsmm_kernel(int m, int n, int k, int lda, int ldb, int ldc, int flags) {
    uint32_t h = (uint32_t)m * 73856093u ^ (uint32_t)n * 19349663u ^ (uint32_t)k * 83492791u ^
                 (uint32_t)lda * 2654435761u ^ (uint32_t)ldb * 40503u ^ (uint32_t)ldc * 97u ^ (uint32_t)flags;
    xsmm_entry* e = &xsmm_cache[(h ^ (h >> 16)) % XSMM_CACHE];
    if (e->fn && e->m == m && e->n == n && e->k == k && e->lda == lda && e->ldb == ldb &&
        e->ldc == ldc && e->flags == flags) return e->fn;
    const float one = 1, zero = 0;
    const int xflags = flags & ~LIBXSMM_GEMM_FLAG_BETA_0;
    const int prefetch = LIBXSMM_GEMM_PREFETCH_NONE;
    libxsmm_blasint xm = m, xn = n, xk = k, xlda = lda, xldb = ldb, xldc = ldc;
    libxsmm_smmfunction fn = libxsmm_smmdispatch(xm, xn, xk, &xlda, &xldb, &xldc, &one,
                                                 (flags & LIBXSMM_GEMM_FLAG_BETA_0) ? &zero : &one,
                                                 &xflags, &prefetch);
    if (fn) *e = (xsmm_entry){m, n, k, lda, ldb, ldc, flags, fn};
    return fn;
}

/* Per-thread scratch for transposing B (libxsmm 1.17 cannot JIT a transposed first
 * column-major operand); grows to the largest size seen, then never reallocates. */
static _Thread_local float* xsmm_scratch;
static _Thread_local size_t xsmm_scratch_n;

/* The key's destructor frees a thread's scratch when the thread exits. */
static pthread_key_t xsmm_scratch_key;
static pthread_once_t xsmm_scratch_once = PTHREAD_ONCE_INIT;
static void scratch_key_create(void) { pthread_key_create(&xsmm_scratch_key, free); }

static float* scratch(size_t n) {
    if (n > xsmm_scratch_n) {
        pthread_once(&xsmm_scratch_once, scratch_key_create);
        float* s = realloc(xsmm_scratch, n * sizeof(float));
        if (!s) return NULL;
        xsmm_scratch = s;
        xsmm_scratch_n = n;
        pthread_setspecific(xsmm_scratch_key, s);
    }
    return xsmm_scratch;
}

#ifdef __AVX512F__
/* dot16's tree over its 16 lanes held in a register: lanes l and l + w added for w = 8, 4, 2, 1 */
static inline float lanes_sum16(__m512 acc) {
    const __m256 s8 = _mm256_add_ps(_mm512_castps512_ps256(acc),
                                    _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc), 1)));
    const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    return _mm_cvtss_f32(_mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1)));
}

/* narrow_dots with N a constant (1 .. 7) after inlining: N accumulators stay in registers and
 * each row of A is loaded once. Every sum is dot16's: products added lane-wise (no fused
 * multiply-add), the tree above, then the tail in order. */
static inline __attribute__((always_inline)) void narrow_dots_n(int N, int M, int K, float alpha, const float* A,
                                                               int lda, const float* bt, int ldbt, const float* bias,
                                                               float beta, float* C, int ldc) {
    const int K16 = K & ~15;
    for (int i = 0; i < M; i++) {
        const float* a = &AT(A, lda, i, 0);
        __m512 acc[8];
        for (int j = 0; j < N; j++) acc[j] = _mm512_setzero_ps();
        for (int k = 0; k < K16; k += 16) {
            const __m512 x = _mm512_loadu_ps(a + k);
            for (int j = 0; j < N; j++)
                acc[j] = _mm512_add_ps(acc[j], _mm512_mul_ps(x, _mm512_loadu_ps(&AT(bt, ldbt, j, k))));
        }
        float* c = &AT(C, ldc, i, 0);
        for (int j = 0; j < N; j++) {
            float s = lanes_sum16(acc[j]);
            for (int k = K16; k < K; k++) s += a[k] * AT(bt, ldbt, j, k);
            const float v = alpha * s;
            c[j] = bias ? v + bias[j] : beta == 0 ? v : v + beta * c[j];
        }
    }
}
#endif

/* C (M, N < 8) = alpha A (M, K) Bt^T + (bias (N) on every row if given, else beta C) with Bt
 * (N, K): each element alpha * dot16(row of A, row of Bt) + the rest, the bits of the plain
 * loop (the AVX-512 form keeps the N sums in registers). */
static void narrow_dots(int M, int N, int K, float alpha, const float* A, int lda, const float* bt, int ldbt,
                        const float* bias, float beta, float* C, int ldc) {
#ifdef __AVX512F__
    switch (N) {
    case 1: narrow_dots_n(1, M, K, alpha, A, lda, bt, ldbt, bias, beta, C, ldc); return;
    case 2: narrow_dots_n(2, M, K, alpha, A, lda, bt, ldbt, bias, beta, C, ldc); return;
    case 3: narrow_dots_n(3, M, K, alpha, A, lda, bt, ldbt, bias, beta, C, ldc); return;
    case 4: narrow_dots_n(4, M, K, alpha, A, lda, bt, ldbt, bias, beta, C, ldc); return;
    case 5: narrow_dots_n(5, M, K, alpha, A, lda, bt, ldbt, bias, beta, C, ldc); return;
    case 6: narrow_dots_n(6, M, K, alpha, A, lda, bt, ldbt, bias, beta, C, ldc); return;
    case 7: narrow_dots_n(7, M, K, alpha, A, lda, bt, ldbt, bias, beta, C, ldc); return;
    default: break;
    }
#endif
    for (int i = 0; i < M; i++) {
        float* c = &AT(C, ldc, i, 0);
        for (int j = 0; j < N; j++) {
            const float v = alpha * dot16(&AT(A, lda, i, 0), 1, &AT(bt, ldbt, j, 0), K);
            c[j] = bias ? v + bias[j] : beta == 0 ? v : v + beta * c[j];
        }
    }
}

#ifdef __AVX512F__
/* dst (16, 16; row stride ldd) = src (16, 16; row stride lds) transposed, in registers: pairs of
 * rows interleaved, then pairs of pairs, then the four 128-bit lanes exchanged */
static void transpose16(float* dst, size_t ldd, const float* src, size_t lds) {
    __m512 r[16], t[16];
    for (int i = 0; i < 16; i++) r[i] = _mm512_loadu_ps(src + (size_t)i * lds);
    for (int i = 0; i < 16; i += 2) { /* lane L: [a(4L) b(4L) a(4L+1) b(4L+1)], [a(4L+2) b(4L+2) ...] */
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) { /* r[i + c], lane L: column 4L + c of rows i .. i + 3 */
        const __m512d t0 = _mm512_castps_pd(t[i]), t1 = _mm512_castps_pd(t[i + 1]);
        const __m512d t2 = _mm512_castps_pd(t[i + 2]), t3 = _mm512_castps_pd(t[i + 3]);
        r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(t0, t2));
        r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(t0, t2));
        r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(t1, t3));
        r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(t1, t3));
    }
    for (int c = 0; c < 4; c++) { /* column 4L + c: lane L of r[c], r[4 + c], r[8 + c], r[12 + c] */
        const __m512 x0 = _mm512_shuffle_f32x4(r[c], r[4 + c], 0x88), x1 = _mm512_shuffle_f32x4(r[c], r[4 + c], 0xdd);
        const __m512 y0 = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0x88);
        const __m512 y1 = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0xdd);
        _mm512_storeu_ps(dst + (size_t)c * ldd, _mm512_shuffle_f32x4(x0, y0, 0x88));
        _mm512_storeu_ps(dst + (size_t)(4 + c) * ldd, _mm512_shuffle_f32x4(x1, y1, 0x88));
        _mm512_storeu_ps(dst + (size_t)(8 + c) * ldd, _mm512_shuffle_f32x4(x0, y0, 0xdd));
        _mm512_storeu_ps(dst + (size_t)(12 + c) * ldd, _mm512_shuffle_f32x4(x1, y1, 0xdd));
    }
}
#endif

/* Narrow outputs (N < 8), e.g. a 256 -> 6 head: libxsmm's column-major m would be N, which it
 * handles poorly, and for a few rows (a rollout's batch of 4) the axpy form of gemm_c is slow.
 * Without trans_a each C element is a contiguous dot product (narrow_dots; bias as there);
 * with trans_a (a weight gradient) C^T (N, M) = op(B)^T A is a wide product for libxsmm. */
static void gemm_narrow(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                        const float* B, int ldb, const float* bias, float beta, float* C, int ldc) {
    if (!trans_a) {
        const float* bt = B; /* op(B)^T (N, K) */
        int ldbt = ldb;
        if (!trans_b) {
            float* s = scratch((size_t)N * K);
            if (!s) {
                if (bias)
                    for (int i = 0; i < M; i++) memcpy(&AT(C, ldc, i, 0), bias, (size_t)N * sizeof(float));
                acrl_gemm_c(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, bias ? 1 : beta, C, ldc);
                return;
            }
            for (int k = 0; k < K; k++)
                for (int j = 0; j < N; j++) s[(size_t)j * K + k] = AT(B, ldb, k, j);
            bt = s;
            ldbt = K;
        }
        narrow_dots(M, N, K, alpha, A, lda, bt, ldbt, bias, beta, C, ldc);
        return;
    }
    float* t = scratch((size_t)N * M); /* (N, M) */
    if (!t) { acrl_gemm_c(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc); return; }
    acrl_gemm(!trans_b, false, N, M, K, 1, B, ldb, A, lda, 0, t, M); /* uses no scratch */
    for (int i = 0; i < M; i++) {
        float* c = &AT(C, ldc, i, 0);
        for (int j = 0; j < N; j++) {
            float v = alpha * t[(size_t)j * M + i];
            c[j] = beta == 0 ? v : v + beta * c[j];
        }
    }
}

/* bt (K, N) = B (N, K; row stride ldb) transposed, in 16x16 tiles (cache-friendly on both sides) */
static void transpose_b(float* bt, const float* B, int ldb, int N, int K) {
    for (int j0 = 0; j0 < N; j0 += 16)
        for (int k0 = 0; k0 < K; k0 += 16) {
            const int j1 = j0 + 16 < N ? j0 + 16 : N, k1 = k0 + 16 < K ? k0 + 16 : K;
#ifdef __AVX512F__
            /* full tiles in registers; tiles cut in k: one gather of a column of 16 per
             * row of Bt (the scalar copy's strided stores cost a cycle per element) */
            if (j1 - j0 == 16 && k1 - k0 == 16) {
                transpose16(bt + (size_t)k0 * N + j0, (size_t)N, &AT(B, ldb, j0, k0), (size_t)ldb);
            } else if (j1 - j0 == 16 && (size_t)ldb * 16 < (size_t)1 << 31) {
                const __m512i idx = _mm512_mullo_epi32(
                    _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32(ldb));
                for (int k = k0; k < k1; k++)
                    _mm512_storeu_ps(bt + (size_t)k * N + j0, _mm512_i32gather_ps(idx, &AT(B, ldb, j0, k), 4));
            } else
#endif
                for (int j = j0; j < j1; j++)
                    for (int k = k0; k < k1; k++) bt[(size_t)k * N + j] = AT(B, ldb, j, k);
        }
}

void acrl_gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha,
               const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc) {
    if (M <= 0 || N <= 0) return;
    /* (the transposed-A narrow path recurses with M and N swapped: only for M >= 8) */
    if (N < 8 && K > 0 && (M >= 8 || !trans_a)) {
        gemm_narrow(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, NULL, beta, C, ldc);
        return;
    }
    /* JIT kernels have alpha = 1; tiny outputs and skinny transposed-B products are faster in C */
    if (alpha != 1 || K <= 0 || N < 8 || (trans_b && M < 8)) {
        acrl_gemm_c(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    if (beta != 0 && beta != 1) {
        for (int i = 0; i < M; i++) scale_row(&AT(C, ldc, i, 0), beta, N);
        beta = 1;
    }
    if (trans_b) {
        float* bt = scratch((size_t)K * (size_t)N);
        if (!bt) { acrl_gemm_c(trans_a, trans_b, M, N, K, 1, A, lda, B, ldb, beta, C, ldc); return; }
        transpose_b(bt, B, ldb, N, K);
        B = bt;
        ldb = N;
    }
    /* row-major C = op(A) B is column-major C^T = B^T op(A)^T: m = N, n = M, B first;
     * a transposed row-major A becomes libxsmm's transposed second operand. */
    int flags = (trans_a ? LIBXSMM_GEMM_FLAG_TRANS_B : 0) | (beta == 0 ? LIBXSMM_GEMM_FLAG_BETA_0 : 0);
    libxsmm_smmfunction fn = xsmm_kernel(N, M, K, ldb, lda, ldc, flags);
    if (!fn) { acrl_gemm_c(trans_a, false, M, N, K, 1, A, lda, B, ldb, beta, C, ldc); return; }
    fn(B, A, C);
#ifdef __AVX__
    /* the JIT code leaves the upper vector state dirty, which makes later SSE code (libm's
     * tanhf, expf...) pay a transition penalty on every instruction: clear it */
    __builtin_ia32_vzeroupper();
#endif
}

#ifdef __AVX512F__
/* Rows i .. i + R - 1 and columns j .. j + 16 V - 1 (the last 16 under mask mk) of
 * C = bias + A B as libxsmm's JIT kernels compute each element: a chain of fused multiply-adds
 * over k in order, starting from the bias, or from +0 without one (test_gemm checks the bits
 * against them). Then, from the registers: H = ReLU(C) (max(c, 0): c > 0 ? c : +0, NaN to 0,
 * as acrl_act_forward) when H is given; with Z given, C is instead ReLU's backward with Z the
 * forward's input, 0 + (z > 0 ? c : 0) as acrl_act_grad writes it. R x V accumulators stay in
 * registers, so neither bias rows nor partial sums go through memory. */
static inline __attribute__((always_inline)) void fma_block(int R, int V, int K, const float* A, int lda,
                                                           const float* B, int ldb, const float* bias, __mmask16 mk,
                                                           float* C, int ldc, float* H, const float* Z) {
    __m512 acc[6][4];
    _Pragma("GCC unroll 6")
    for (int v = 0; v < V; v++) {
        const __m512 b = bias ? _mm512_maskz_loadu_ps(v == V - 1 ? mk : 0xffff, bias + 16 * v) : _mm512_setzero_ps();
        _Pragma("GCC unroll 6")
        for (int r = 0; r < R; r++) acc[r][v] = b;
    }
    for (int k = 0; k < K; k++) {
        __m512 w[4];
        _Pragma("GCC unroll 6")
        for (int v = 0; v < V; v++) w[v] = _mm512_maskz_loadu_ps(v == V - 1 ? mk : 0xffff, &AT(B, ldb, k, 16 * v));
        _Pragma("GCC unroll 6")
        for (int r = 0; r < R; r++) {
            const __m512 a = _mm512_set1_ps(AT(A, lda, r, k));
            _Pragma("GCC unroll 6")
            for (int v = 0; v < V; v++) acc[r][v] = _mm512_fmadd_ps(a, w[v], acc[r][v]);
        }
    }
    const __m512 zero = _mm512_setzero_ps();
    _Pragma("GCC unroll 6")
    for (int r = 0; r < R; r++)
        _Pragma("GCC unroll 6")
        for (int v = 0; v < V; v++) {
            const __mmask16 m = v == V - 1 ? mk : 0xffff;
            if (Z) {
                const __m512 z = _mm512_maskz_loadu_ps(m, &AT(Z, ldc, r, 16 * v));
                const __mmask16 pos = _mm512_cmp_ps_mask(z, zero, _CMP_GT_OQ);
                _mm512_mask_storeu_ps(&AT(C, ldc, r, 16 * v), m, _mm512_maskz_add_ps(pos, zero, acc[r][v]));
            } else {
                _mm512_mask_storeu_ps(&AT(C, ldc, r, 16 * v), m, acc[r][v]);
                if (H) _mm512_mask_storeu_ps(&AT(H, ldc, r, 16 * v), m, _mm512_max_ps(acc[r][v], zero));
            }
        }
}

/* fma_block over all rows (6 at a time) for V vectors of columns from j */
static inline __attribute__((always_inline)) void fma_cols(int V, int M, int K, const float* A, int lda,
                                                          const float* B, int ldb, const float* bias, int j,
                                                          __mmask16 mk, float* C, int ldc, float* H, const float* Z) {
    int i = 0;
    for (; i + 6 <= M; i += 6)
        fma_block(6, V, K, &AT(A, lda, i, 0), lda, B + j, ldb, bias ? bias + j : NULL, mk, &AT(C, ldc, i, j), ldc,
                  H ? &AT(H, ldc, i, j) : NULL, Z ? &AT(Z, ldc, i, j) : NULL);
    for (; i < M; i++)
        fma_block(1, V, K, &AT(A, lda, i, 0), lda, B + j, ldb, bias ? bias + j : NULL, mk, &AT(C, ldc, i, j), ldc,
                  H ? &AT(H, ldc, i, j) : NULL, Z ? &AT(Z, ldc, i, j) : NULL);
}

/* C (M, N) = [bias +] A (M, K) B (K, N) by fma_block, 64 columns at a time */
static void fma_gemm(int M, int N, int K, const float* A, int lda, const float* B, int ldb, const float* bias,
                     float* C, int ldc, float* H, const float* Z) {
    for (int j = 0; j < N; j += 64) {
        const int left = N - j < 64 ? N - j : 64, V = (left + 15) / 16;
        const __mmask16 mk = (__mmask16)(left % 16 ? (1u << (left % 16)) - 1 : 0xffffu);
        switch (V) {
        case 1: fma_cols(1, M, K, A, lda, B, ldb, bias, j, mk, C, ldc, H, Z); break;
        case 2: fma_cols(2, M, K, A, lda, B, ldb, bias, j, mk, C, ldc, H, Z); break;
        case 3: fma_cols(3, M, K, A, lda, B, ldb, bias, j, mk, C, ldc, H, Z); break;
        default: fma_cols(4, M, K, A, lda, B, ldb, bias, j, mk, C, ldc, H, Z); break;
        }
    }
}

/* fma_gemm stands in for libxsmm only where it gives the same bits. That holds for the
 * libxsmm 1.17 kernels on the CPUs measured, but it is a property of the JIT's code for a CPU,
 * not a promise: once per process a probe compares the two on shapes that cover the blocking
 * (rows 1 to 13, widths 32 to 256, K 1 to 256, with and without a bias), and any differing bit
 * turns the fused paths off, so results never depend on the probe's outcome. */
static pthread_once_t fma_probe_once = PTHREAD_ONCE_INIT;
static bool fma_exact;

static bool fma_probe_shape(int M, int N, int K, bool with_bias, float* buf) {
    float *A = buf, *B = A + M * K, *bias = B + K * N, *C0 = bias + N, *C1 = C0 + M * N;
    uint32_t x = 2463534242u ^ (uint32_t)(M * 131 + N * 7 + K);
    for (int i = 0; i < M * K + K * N + N; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        A[i] = (float)((double)(x >> 8) * (2.0 / 16777216.0) - 1.0);
    }
    libxsmm_smmfunction fn = xsmm_kernel(N, M, K, N, K, N, with_bias ? 0 : LIBXSMM_GEMM_FLAG_BETA_0);
    if (!fn) return true; /* no kernel: the fused paths are not taken for it either */
    for (int i = 0; i < M; i++) memcpy(C0 + (size_t)i * N, bias, sizeof(float) * (size_t)N);
    fn(B, A, C0);
    fma_gemm(M, N, K, A, K, B, N, with_bias ? bias : NULL, C1, N, NULL, NULL);
    return memcmp(C0, C1, sizeof(float) * (size_t)M * N) == 0;
}

static void fma_probe(void) {
    static const int Ms[] = {1, 6, 7, 13}, Ns[] = {32, 64, 96, 256}, Ks[] = {1, 3, 17, 64, 128, 256};
    float* buf = malloc(sizeof(float) * (13 * 256 + 256 * 256 + 256 + 2 * 13 * 256));
    bool ok = buf != NULL;
    for (int a = 0; ok && a < 4; a++)
        for (int b = 0; ok && b < 4; b++)
            for (int c = 0; ok && c < 6; c++)
                ok = fma_probe_shape(Ms[a], Ns[b], Ks[c], true, buf) && fma_probe_shape(Ms[a], Ns[b], Ks[c], false, buf);
    free(buf);
    fma_exact = ok;
}

static bool fma_matches_xsmm(void) {
    pthread_once(&fma_probe_once, fma_probe);
    return fma_exact;
}

#endif

#else

const char* acrl_gemm_backend(void) { return "c"; }

void acrl_gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha,
               const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc) {
    acrl_gemm_c(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

#endif

/* Both paths: the fused kernels where they give libxsmm's bits (see fma_probe), else the bias
 * rows copied into C and acrl_gemm (libxsmm or the portable C loop) followed by a ReLU pass. */
void acrl_gemm_bias(int M, int N, int K, const float* A, int lda, const float* B, int ldb, const float* bias, float* C,
                    int ldc, float* relu) {
    if (M <= 0 || N <= 0) return;
#ifdef ACRL_HAVE_XSMM
    if (N < 8 && K > 0) { /* the head's sums and the bias added in registers, C not read */
        gemm_narrow(false, false, M, N, K, 1, A, lda, B, ldb, bias, 1, C, ldc);
        if (relu)
            for (int i = 0; i < M; i++) acrl_act_forward(ACRL_ACT_RELU, &AT(relu, ldc, i, 0), &AT(C, ldc, i, 0), (size_t)N);
        return;
    }
#ifdef __AVX512F__
    /* Widths that are multiples of 32, where libxsmm's kernels are plain FMA chains (checked
     * for M 1 .. 256, K 1 .. 256, N 32 .. 1024 here; a last block of 16 or fewer columns
     * is summed otherwise), and only where libxsmm has a kernel (else acrl_gemm's C path) */
    if (K > 0 && N % 32 == 0 && xsmm_kernel(N, M, K, ldb, lda, ldc, 0) && fma_matches_xsmm()) {
        fma_gemm(M, N, K, A, lda, B, ldb, bias, C, ldc, relu, NULL);
        return;
    }
#endif
#endif
    for (int i = 0; i < M; i++) acrl_copy_floats(&AT(C, ldc, i, 0), bias, (size_t)N);
    acrl_gemm(false, false, M, N, K, 1, A, lda, B, ldb, 1, C, ldc);
    if (relu)
        for (int i = 0; i < M; i++) acrl_act_forward(ACRL_ACT_RELU, &AT(relu, ldc, i, 0), &AT(C, ldc, i, 0), (size_t)N);
}

void acrl_gemm_relu_grad(int M, int N, int K, const float* dy, const float* w, const float* z, float* dx) {
    if (M <= 0 || N <= 0) return;
#if defined(ACRL_HAVE_XSMM) && defined(__AVX512F__)
    /* where acrl_gemm would run libxsmm's kernel (M >= 8) at a width summed as FMA chains (see
     * acrl_gemm_bias), the chains from +0 on W^T and the mask applied from the registers; up to
     * K = 128 (at 256 x 256 x 256 libxsmm and a separate pass were 5% faster here) */
    float* wt;
    if (K > 0 && K <= 128 && M >= 8 && N % 32 == 0 && xsmm_kernel(N, M, K, N, K, N, LIBXSMM_GEMM_FLAG_BETA_0) &&
        fma_matches_xsmm() && (wt = scratch((size_t)K * N))) {
        transpose_b(wt, w, K, N, K);
        fma_gemm(M, N, K, dy, K, wt, N, NULL, dx, N, NULL, z);
        return;
    }
#endif
    acrl_gemm(false, true, M, N, K, 1, dy, K, w, K, 0, dx, N);
    for (size_t i = 0; i < (size_t)M * N; i++) dx[i] = 0.0f + (z[i] > 0 ? dx[i] : 0);
}

