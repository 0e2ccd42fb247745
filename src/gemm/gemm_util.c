/* gemm_util.c -- engine-independent pieces of the GEMM layer: the plain
 * entry points (a GEMM without a post-op, on whichever engine is built).
 * Legend: rows x cols, row strides ld. */
#include "core/internal.h"
#include "gemm/gemm.h"

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
