/* gemm_util.c -- engine-independent pieces of the GEMM layer: the plain
 * entry points (a GEMM without a post-op, on whichever engine is built), and
 * bf16 rounding of whole row blocks (the bf16 FFN converts activations and
 * gradients before handing them to the engine). Legend: rows x cols, row
 * strides ld. */
#include "core/internal.h"
#include "gemm/gemm.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void sw_f32_to_bf16_n(uint16_t *dst, const float *src, size_t n)
{
    size_t j = 0;
#if defined(__SSE2__)
    /* per 32-bit lane, as sw_f32_to_bf16: u + 0x7fff + ((u >> 16) & 1), or for
     * NaN u | 0x400000 (quiet); then the high half, sign-extended so that the
     * signed pack to 16 bits is exact */
    const __m128i one = _mm_set1_epi32(1), bias = _mm_set1_epi32(0x7fff);
    const __m128i absm = _mm_set1_epi32(0x7fffffff), inf = _mm_set1_epi32(0x7f800000);
    const __m128i quiet = _mm_set1_epi32(0x00400000);
    for (; j + 8 <= n; j += 8) {
        __m128i r[2];
        for (int h = 0; h < 2; h++) {
            __m128i u = _mm_castps_si128(_mm_loadu_ps(src + j + 4 * h));
            __m128i rn = _mm_add_epi32(u, _mm_add_epi32(bias, _mm_and_si128(_mm_srli_epi32(u, 16), one)));
            __m128i nan = _mm_cmpgt_epi32(_mm_and_si128(u, absm), inf);
            __m128i v = _mm_or_si128(_mm_and_si128(nan, _mm_or_si128(u, quiet)), _mm_andnot_si128(nan, rn));
            r[h] = _mm_srai_epi32(v, 16);
        }
        _mm_storeu_si128((__m128i *)(void *)(dst + j), _mm_packs_epi32(r[0], r[1]));
    }
#endif
    for (; j < n; j++) dst[j] = sw_f32_to_bf16(src[j]);
}

void sw_f32_to_bf16_rows(uint16_t *dst, size_t ld_dst, const float *src, size_t ld_src,
                         size_t rows, size_t cols)
{
    /* rows are independent: split them statically (bit-exact for any split) */
    long long nr = (long long)rows;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (rows * cols > 65536)
#endif
    for (long long r = 0; r < nr; r++) {
        const float *s = src + (size_t)r * ld_src;
        uint16_t *d = dst + (size_t)r * ld_dst;
        sw_f32_to_bf16_n(d, s, cols);
    }
}

swiglu_status sw_gemm_f32(float *C, size_t ldc,
                          const float *A, size_t lda, int trans_a,
                          const float *B, size_t ldb, int trans_b,
                          size_t M, size_t N, size_t K, float alpha, float beta)
{
    return sw_gemm_post_f32(C, ldc, A, lda, trans_a, B, ldb, trans_b, M, N, K, alpha, beta,
                            SW_POST_NONE, 0.0f);
}

swiglu_status sw_gemm_bf16(void *C, swiglu_dtype c_type, size_t ldc,
                           const uint16_t *A, size_t lda, int trans_a,
                           const uint16_t *B, size_t ldb, int trans_b,
                           size_t M, size_t N, size_t K, float alpha, float beta)
{
    return sw_gemm_post_bf16(C, c_type, ldc, A, lda, trans_a, B, ldb, trans_b, M, N, K, alpha, beta,
                             SW_POST_NONE, 0.0f);
}
