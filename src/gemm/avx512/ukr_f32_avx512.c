/* ukr_f32_avx512.c -- the fp32 micro-kernel of our GEMM engine (AVX-512F):
 * a 6 x 64 register tile, 24 zmm accumulators, per k step 4 loads of the
 * packed B row (64 floats), 6 broadcasts of the packed A column and 24 FMAs.
 * 24 independent accumulators cover the FMA latency (4 cycles) times its
 * throughput; 4 + 1 more registers hold B and the broadcast (29 of 32).
 * Contract and packed layouts: gemm/gemm_own.h. Built with the avx512 flags
 * only (Makefile); nothing here is reached on a CPU without AVX-512F.
 *
 * Legend: C [m x n] (m <= 6, n <= 64) = alpha Ap [kc x 6]^T Bp [kc x 64] + beta C.
 */
#include <immintrin.h>
#include "gemm/gemm_own.h"

/* mask of the columns j of zmm group q (16 columns) with 16 q + j < n */
static inline __mmask16 col_mask(size_t n, int q)
{
    size_t lo = (size_t)q * 16;
    if (n >= lo + 16) return (__mmask16)0xFFFF;
    if (n <= lo) return 0;
    return (__mmask16)((1u << (n - lo)) - 1u);
}

#define ROW_FMA(i)                                                  \
    do {                                                            \
        __m512 a = _mm512_set1_ps(Ap[(i)]);                         \
        c##i##0 = _mm512_fmadd_ps(a, b0, c##i##0);                  \
        c##i##1 = _mm512_fmadd_ps(a, b1, c##i##1);                  \
        c##i##2 = _mm512_fmadd_ps(a, b2, c##i##2);                  \
        c##i##3 = _mm512_fmadd_ps(a, b3, c##i##3);                  \
    } while (0)

/* C row i = alpha acc + beta C on the columns < n */
#define ROW_STORE(i)                                                            \
    do {                                                                        \
        if ((i) < m) {                                                          \
            float *cr = C + (size_t)(i) * ldc;                                  \
            __m512 r[4] = {c##i##0, c##i##1, c##i##2, c##i##3};                 \
            for (int q = 0; q < 4; q++) {                                       \
                __mmask16 k = mk[q];                                            \
                if (!k) break;                                                  \
                __m512 v = _mm512_mul_ps(va, r[q]);                             \
                if (beta != 0.0f)                                               \
                    v = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(k, cr + 16 * q), v); \
                _mm512_mask_storeu_ps(cr + 16 * q, k, v);                       \
            }                                                                   \
        }                                                                       \
    } while (0)

void sw_ukr_f32_avx512(float *C, size_t ldc, const float *Ap, const float *Bp,
                       size_t kc, size_t m, size_t n, float alpha, float beta)
{
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c02 = c00, c03 = c00;
    __m512 c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    __m512 c20 = c00, c21 = c00, c22 = c00, c23 = c00;
    __m512 c30 = c00, c31 = c00, c32 = c00, c33 = c00;
    __m512 c40 = c00, c41 = c00, c42 = c00, c43 = c00;
    __m512 c50 = c00, c51 = c00, c52 = c00, c53 = c00;
    for (size_t k = 0; k < kc; k++) {
        __m512 b0 = _mm512_loadu_ps(Bp), b1 = _mm512_loadu_ps(Bp + 16);
        __m512 b2 = _mm512_loadu_ps(Bp + 32), b3 = _mm512_loadu_ps(Bp + 48);
        _mm_prefetch((const char *)(Bp + 8 * SW_OWN_NR), _MM_HINT_T0);
        ROW_FMA(0); ROW_FMA(1); ROW_FMA(2); ROW_FMA(3); ROW_FMA(4); ROW_FMA(5);
        Ap += SW_OWN_MR;
        Bp += SW_OWN_NR;
    }
    __mmask16 mk[4] = {col_mask(n, 0), col_mask(n, 1), col_mask(n, 2), col_mask(n, 3)};
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    ROW_STORE(0); ROW_STORE(1); ROW_STORE(2); ROW_STORE(3); ROW_STORE(4); ROW_STORE(5);
}

/* 24 independent FMA chains, register-resident: the fp32 peak */
float sw_peak_fma_avx512(size_t iters)
{
    __m512 a[24], x = _mm512_set1_ps(1.0000001f), y = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < 24; i++) a[i] = _mm512_set1_ps((float)i);
    for (size_t it = 0; it < iters; it++) {
        a[0] = _mm512_fmadd_ps(a[0], x, y); a[1] = _mm512_fmadd_ps(a[1], x, y);
        a[2] = _mm512_fmadd_ps(a[2], x, y); a[3] = _mm512_fmadd_ps(a[3], x, y);
        a[4] = _mm512_fmadd_ps(a[4], x, y); a[5] = _mm512_fmadd_ps(a[5], x, y);
        a[6] = _mm512_fmadd_ps(a[6], x, y); a[7] = _mm512_fmadd_ps(a[7], x, y);
        a[8] = _mm512_fmadd_ps(a[8], x, y); a[9] = _mm512_fmadd_ps(a[9], x, y);
        a[10] = _mm512_fmadd_ps(a[10], x, y); a[11] = _mm512_fmadd_ps(a[11], x, y);
        a[12] = _mm512_fmadd_ps(a[12], x, y); a[13] = _mm512_fmadd_ps(a[13], x, y);
        a[14] = _mm512_fmadd_ps(a[14], x, y); a[15] = _mm512_fmadd_ps(a[15], x, y);
        a[16] = _mm512_fmadd_ps(a[16], x, y); a[17] = _mm512_fmadd_ps(a[17], x, y);
        a[18] = _mm512_fmadd_ps(a[18], x, y); a[19] = _mm512_fmadd_ps(a[19], x, y);
        a[20] = _mm512_fmadd_ps(a[20], x, y); a[21] = _mm512_fmadd_ps(a[21], x, y);
        a[22] = _mm512_fmadd_ps(a[22], x, y); a[23] = _mm512_fmadd_ps(a[23], x, y);
    }
    __m512 s = a[0];
    for (int i = 1; i < 24; i++) s = _mm512_add_ps(s, a[i]);
    return _mm512_reduce_add_ps(s);
}
