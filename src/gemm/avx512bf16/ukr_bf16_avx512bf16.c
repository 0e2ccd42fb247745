/* ukr_bf16_avx512bf16.c -- the bf16 micro-kernel of our GEMM engine
 * (AVX512-BF16): the same 6 x 64 register tile as the fp32 kernel, fp32
 * accumulators, one vdpbf16ps per accumulator and k pair:
 *   acc[i][j] += A[i][k] B[k][j] + A[i][k+1] B[k+1][j]
 * with B packed VNNI-2 (for each k pair, each column's two values side by
 * side: one zmm = 16 columns x 2 k) and A's pair broadcast as one 32-bit
 * lane. The products of bf16 values are exact in fp32; vdpbf16ps treats
 * denormal inputs and outputs as zero (DAZ/FTZ), a difference below the
 * bf16 tolerance of the tests. Contract and layouts: gemm/gemm_own.h.
 * Built with the avx512 flags plus -mavx512bf16 only (Makefile).
 *
 * Legend: C [m x n] (m <= 6, n <= 64) = alpha sum_k A B + beta C, kc2 k pairs.
 */
#include <immintrin.h>
#include "gemm/gemm_own.h"
#include "gemm/ukr_avx512_tile.h"

static inline __m512 dp(__m512 acc, __m512i a, __m512i b)
{
    return _mm512_dpbf16_ps(acc, (__m512bh)a, (__m512bh)b);
}

#define ROW_DP(i)                                                        \
    do {                                                                 \
        int32_t pair;                                                    \
        __builtin_memcpy(&pair, Ap + 2 * (i), sizeof pair);              \
        __m512i a = _mm512_set1_epi32(pair);                             \
        c##i##0 = dp(c##i##0, a, b0);                                    \
        c##i##1 = dp(c##i##1, a, b1);                                    \
        c##i##2 = dp(c##i##2, a, b2);                                    \
        c##i##3 = dp(c##i##3, a, b3);                                    \
    } while (0)

void sw_ukr_bf16_avx512bf16(float *C, size_t ldc, const uint16_t *Ap, const uint16_t *Bp,
                            size_t kc2, size_t m, size_t n, float alpha, float beta)
{
    SW_TILE_DECLARE;
    for (size_t k = 0; k < kc2; k++) {
        __m512i b0 = _mm512_loadu_si512(Bp), b1 = _mm512_loadu_si512(Bp + 32);
        __m512i b2 = _mm512_loadu_si512(Bp + 64), b3 = _mm512_loadu_si512(Bp + 96);
        _mm_prefetch((const char *)(Bp + 8 * 2 * SW_OWN_NR), _MM_HINT_T0);
        ROW_DP(0); ROW_DP(1); ROW_DP(2); ROW_DP(3); ROW_DP(4); ROW_DP(5);
        Ap += 2 * SW_OWN_MR;
        Bp += 2 * SW_OWN_NR;
    }
    SW_TILE_STORE;
}

/* 24 independent vdpbf16ps chains, register-resident: the bf16 peak */
float sw_peak_dpbf16_avx512bf16(size_t iters)
{
    __m512 a[24];
    __m512i x = _mm512_set1_epi32(0x3f803f80), y = _mm512_set1_epi32(0x33d633d6); /* bf16 1.0, 1e-7 */
    for (int i = 0; i < 24; i++) a[i] = _mm512_set1_ps((float)i);
    for (size_t it = 0; it < iters; it++) {
        a[0] = dp(a[0], x, y); a[1] = dp(a[1], x, y); a[2] = dp(a[2], x, y); a[3] = dp(a[3], x, y);
        a[4] = dp(a[4], x, y); a[5] = dp(a[5], x, y); a[6] = dp(a[6], x, y); a[7] = dp(a[7], x, y);
        a[8] = dp(a[8], x, y); a[9] = dp(a[9], x, y); a[10] = dp(a[10], x, y); a[11] = dp(a[11], x, y);
        a[12] = dp(a[12], x, y); a[13] = dp(a[13], x, y); a[14] = dp(a[14], x, y); a[15] = dp(a[15], x, y);
        a[16] = dp(a[16], x, y); a[17] = dp(a[17], x, y); a[18] = dp(a[18], x, y); a[19] = dp(a[19], x, y);
        a[20] = dp(a[20], x, y); a[21] = dp(a[21], x, y); a[22] = dp(a[22], x, y); a[23] = dp(a[23], x, y);
    }
    __m512 s = a[0];
    for (int i = 1; i < 24; i++) s = _mm512_add_ps(s, a[i]);
    return _mm512_reduce_add_ps(s);
}
