/* ukr_avx512_tile.h -- what the AVX-512 micro-kernels of our GEMM engine
 * share (avx512/ukr_f32_avx512.c, avx512bf16/ukr_bf16_avx512bf16.c): the
 * 6 x 64 tile of fp32 accumulators c<row><vector> and its masked store.
 * Included only by those files, compiled with their ISA flags; private to
 * src/gemm/. Contract: gemm/gemm_own.h.
 *
 * Legend: C [m x n] (m <= 6, n <= 64) = alpha acc + beta C, row stride ldc.
 */
#ifndef SW_GEMM_UKR_AVX512_TILE_H
#define SW_GEMM_UKR_AVX512_TILE_H

#include <immintrin.h>
#include <stddef.h>

/* mask of the columns j of zmm group q (16 columns) with 16 q + j < n */
static inline __mmask16 sw_tile_col_mask(size_t n, int q)
{
    size_t lo = (size_t)q * 16;
    if (n >= lo + 16) return (__mmask16)0xFFFF;
    if (n <= lo) return 0;
    return (__mmask16)((1u << (n - lo)) - 1u);
}

/* the 24 accumulators, zeroed */
#define SW_TILE_DECLARE                                                         \
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c02 = c00, c03 = c00;          \
    __m512 c10 = c00, c11 = c00, c12 = c00, c13 = c00;                          \
    __m512 c20 = c00, c21 = c00, c22 = c00, c23 = c00;                          \
    __m512 c30 = c00, c31 = c00, c32 = c00, c33 = c00;                          \
    __m512 c40 = c00, c41 = c00, c42 = c00, c43 = c00;                          \
    __m512 c50 = c00, c51 = c00, c52 = c00, c53 = c00

/* C row i = alpha acc + beta C on the columns < n (beta 0: C not read) */
#define SW_TILE_ROW_STORE(i)                                                    \
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

/* the whole tile, rows < m, columns < n */
#define SW_TILE_STORE                                                           \
    do {                                                                        \
        __mmask16 mk[4] = {sw_tile_col_mask(n, 0), sw_tile_col_mask(n, 1),     \
                           sw_tile_col_mask(n, 2), sw_tile_col_mask(n, 3)};     \
        __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);           \
        SW_TILE_ROW_STORE(0); SW_TILE_ROW_STORE(1); SW_TILE_ROW_STORE(2);       \
        SW_TILE_ROW_STORE(3); SW_TILE_ROW_STORE(4); SW_TILE_ROW_STORE(5);       \
    } while (0)

#endif
