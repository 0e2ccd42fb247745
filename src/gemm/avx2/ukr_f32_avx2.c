/* ukr_f32_avx2.c -- the fp32 micro-kernel of our GEMM engine on AVX2 + FMA:
 * the same contract and packed layouts as the AVX-512 kernel (a 6 x 64 tile
 * from panels Ap [kc][6], Bp [kc][64]: gemm/gemm_own.h), computed as four
 * strips of 6 x 16 columns, one after the other. A strip holds 12 ymm
 * accumulators (6 rows x 2 vectors of 8 floats); per k step it loads 2
 * vectors of the packed B row (its 16 columns of the 64), broadcasts 6
 * elements of the packed A column and issues 12 FMAs: 12 independent
 * chains cover the FMA latency (4 cycles) at 2 FMAs a cycle, and 12 + 2 + 1
 * of the 16 registers are live (BLIS's Haswell kernel is the same 6 x 16).
 * A's panel (6 x kc, 9 KiB at kc 384) is read once per strip from L1; the
 * packing and cache blocking of gemm_own.c are shared with the AVX-512
 * kernel, so a packed weight serves both.
 *
 * Every element is computed as the AVX-512 kernel computes it (acc = fma(a,
 * b, acc) over k in order from 0, then alpha acc, then fma(beta, C, that)):
 * the two kernels give the same bits (tests/test_gemm_own.c checks it).
 * Built with the avx2 flags only (Makefile).
 *
 * Legend: C [m x n] (m <= 6, n <= 64) = alpha Ap [kc x 6]^T Bp [kc x 64] + beta C.
 */
#include <immintrin.h>
#include <math.h>
#include "gemm/gemm_own.h"

#define STRIP 16   /* columns of one strip: 2 ymm */

/* rows i < m, columns j < w of the strip at C: alpha acc + beta C */
static void strip_store(float *C, size_t ldc, const __m256 acc[6][2], size_t m, size_t w, float alpha, float beta)
{
    __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    if (w == STRIP) {
        for (size_t i = 0; i < m; i++) {
            float *cr = C + i * ldc;
            for (int h = 0; h < 2; h++) {
                __m256 v = _mm256_mul_ps(va, acc[i][h]);
                if (beta != 0.0f) v = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cr + 8 * h), v);
                _mm256_storeu_ps(cr + 8 * h, v);
            }
        }
        return;
    }
    float t[STRIP];
    for (size_t i = 0; i < m; i++) {
        float *cr = C + i * ldc;
        _mm256_storeu_ps(t, acc[i][0]);
        _mm256_storeu_ps(t + 8, acc[i][1]);
        for (size_t j = 0; j < w; j++) {
            float v = alpha * t[j];
            cr[j] = beta != 0.0f ? fmaf(beta, cr[j], v) : v;
        }
    }
}

#define ROW_FMA(i)                                                  \
    do {                                                            \
        __m256 a = _mm256_broadcast_ss(Ak + (i));                   \
        c##i##0 = _mm256_fmadd_ps(a, b0, c##i##0);                  \
        c##i##1 = _mm256_fmadd_ps(a, b1, c##i##1);                  \
    } while (0)

void sw_ukr_f32_avx2(float *C, size_t ldc, const float *Ap, const float *Bp,
                     size_t kc, size_t m, size_t n, float alpha, float beta)
{
    for (size_t s = 0; s * STRIP < n; s++) {
        __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        const float *Ak = Ap, *Bk = Bp + s * STRIP;
        for (size_t k = 0; k < kc; k++) {
            __m256 b0 = _mm256_loadu_ps(Bk), b1 = _mm256_loadu_ps(Bk + 8);
            _mm_prefetch((const char *)(Bk + 8 * SW_OWN_NR), _MM_HINT_T0);
            ROW_FMA(0); ROW_FMA(1); ROW_FMA(2); ROW_FMA(3); ROW_FMA(4); ROW_FMA(5);
            Ak += SW_OWN_MR;
            Bk += SW_OWN_NR;
        }
        const __m256 acc[6][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
        size_t w = n - s * STRIP < STRIP ? n - s * STRIP : STRIP;
        strip_store(C + s * STRIP, ldc, acc, m, w, alpha, beta);
    }
}

/* 12 independent FMA chains, register-resident: the AVX2 fp32 peak.
 * FLOPs per iteration: 12 x 8 x 2. */
float sw_peak_fma_avx2(size_t iters)
{
    __m256 a[12], x = _mm256_set1_ps(1.0000001f), y = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) a[i] = _mm256_set1_ps((float)i);
    for (size_t it = 0; it < iters; it++) {
        a[0] = _mm256_fmadd_ps(a[0], x, y); a[1] = _mm256_fmadd_ps(a[1], x, y);
        a[2] = _mm256_fmadd_ps(a[2], x, y); a[3] = _mm256_fmadd_ps(a[3], x, y);
        a[4] = _mm256_fmadd_ps(a[4], x, y); a[5] = _mm256_fmadd_ps(a[5], x, y);
        a[6] = _mm256_fmadd_ps(a[6], x, y); a[7] = _mm256_fmadd_ps(a[7], x, y);
        a[8] = _mm256_fmadd_ps(a[8], x, y); a[9] = _mm256_fmadd_ps(a[9], x, y);
        a[10] = _mm256_fmadd_ps(a[10], x, y); a[11] = _mm256_fmadd_ps(a[11], x, y);
    }
    __m256 s = a[0];
    for (int i = 1; i < 12; i++) s = _mm256_add_ps(s, a[i]);
    float t[8];
    _mm256_storeu_ps(t, s);
    return t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
}
