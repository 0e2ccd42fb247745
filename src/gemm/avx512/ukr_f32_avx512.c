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
#include "gemm/ukr_avx512_tile.h"

#define ROW_FMA(i)                                                  \
    do {                                                            \
        __m512 a = _mm512_set1_ps(Ap[(i)]);                         \
        c##i##0 = _mm512_fmadd_ps(a, b0, c##i##0);                  \
        c##i##1 = _mm512_fmadd_ps(a, b1, c##i##1);                  \
        c##i##2 = _mm512_fmadd_ps(a, b2, c##i##2);                  \
        c##i##3 = _mm512_fmadd_ps(a, b3, c##i##3);                  \
    } while (0)

void sw_ukr_f32_avx512(float *C, size_t ldc, const float *Ap, const float *Bp,
                       size_t kc, size_t m, size_t n, float alpha, float beta)
{
    SW_TILE_DECLARE;
    for (size_t k = 0; k < kc; k++) {
        __m512 b0 = _mm512_loadu_ps(Bp), b1 = _mm512_loadu_ps(Bp + 16);
        __m512 b2 = _mm512_loadu_ps(Bp + 32), b3 = _mm512_loadu_ps(Bp + 48);
        _mm_prefetch((const char *)(Bp + 8 * SW_OWN_NR), _MM_HINT_T0);
        ROW_FMA(0); ROW_FMA(1); ROW_FMA(2); ROW_FMA(3); ROW_FMA(4); ROW_FMA(5);
        Ap += SW_OWN_MR;
        Bp += SW_OWN_NR;
    }
    SW_TILE_STORE;
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
