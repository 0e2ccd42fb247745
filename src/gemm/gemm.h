/* gemm.h -- the one door to the GEMM engine (oneDNN today; OpenBLAS or CUDA
 * could slot in behind the same functions). Internal: not installed.
 *
 * Row-major throughout. op(X) = X or X^T as trans_x says.
 *   C[M x N] = alpha * op(A)[M x K] * op(B)[K x N] + beta * C
 * lda/ldb/ldc are the row strides of A, B, C as stored (in elements).
 * beta = 0 overwrites C (C may hold garbage, even NaN); beta = 1 accumulates.
 * Primitives are created once per (shape, strides, transposes, alpha!=1,
 * beta!=0, dtype) and cached; the cache is thread-safe. Threads: oneDNN's,
 * on the same OpenMP runtime as the library.
 *
 * Engines: gemm_onednn.c when the build found oneDNN (SWIGLU_HAVE_DNNL),
 * else gemm_ref.c (plain C loops: correct, slow). An engine implements the
 * functions below and nothing else.
 */
#ifndef SW_GEMM_GEMM_H
#define SW_GEMM_GEMM_H

#include <stddef.h>
#include <stdint.h>
#include "swiglu.h"
#include "core/bf16.h"   /* sw_f32_to_bf16, sw_bf16_to_f32 (buffers: the kernels' to_bf16) */

swiglu_status sw_gemm_f32(float *C, size_t ldc,
                          const float *A, size_t lda, int trans_a,
                          const float *B, size_t ldb, int trans_b,
                          size_t M, size_t N, size_t K, float alpha, float beta);

/* The same with bf16 operands (uint16_t bit patterns, round-to-nearest-even
 * values) and fp32 accumulation. C is float* when c_type is SWIGLU_F32 and
 * uint16_t* (bf16) when SWIGLU_BF16; beta != 0 reads C in that type. On CPUs
 * with AMX-BF16 oneDNN runs this on the tiles, else AVX-512 (BF16). */
swiglu_status sw_gemm_bf16(void *C, swiglu_dtype c_type, size_t ldc,
                           const uint16_t *A, size_t lda, int trans_a,
                           const uint16_t *B, size_t ldb, int trans_b,
                           size_t M, size_t N, size_t K, float alpha, float beta);

/* An activation applied to C after the product (and after beta C), in the
 * engine's epilogue while the tile is in registers (oneDNN eltwise post-op):
 * C = act(alpha op(A) op(B) + beta C). post_alpha is Swish's beta. */
typedef enum sw_gemm_post {
    SW_POST_NONE = 0, SW_POST_RELU, SW_POST_GELU_ERF, SW_POST_GELU_TANH, SW_POST_SWISH
} sw_gemm_post;
swiglu_status sw_gemm_post_f32(float *C, size_t ldc,
                               const float *A, size_t lda, int trans_a,
                               const float *B, size_t ldb, int trans_b,
                               size_t M, size_t N, size_t K, float alpha, float beta,
                               sw_gemm_post post, float post_alpha);
swiglu_status sw_gemm_post_bf16(void *C, swiglu_dtype c_type, size_t ldc,
                                const uint16_t *A, size_t lda, int trans_a,
                                const uint16_t *B, size_t ldb, int trans_b,
                                size_t M, size_t N, size_t K, float alpha, float beta,
                                sw_gemm_post post, float post_alpha);

/* The reference loops' bf16 GEMM (gemm_ref.c), whatever the engine: the
 * oneDNN engine runs bf16 on it where oneDNN has no bf16 matmul for the CPU
 * (before AVX-512: an AVX2 machine, or valgrind's emulated CPU). */
swiglu_status sw_gemm_ref_post_bf16(void *C, swiglu_dtype c_type, size_t ldc,
                                    const uint16_t *A, size_t lda, int trans_a,
                                    const uint16_t *B, size_t ldb, int trans_b,
                                    size_t M, size_t N, size_t K, float alpha, float beta,
                                    sw_gemm_post post, float post_alpha);

/* A batch of fp32 GEMMs with up to 3 batch dimensions, one call (one oneDNN
 * primitive, threaded over the whole batch): for every batch index
 * (i0, i1, i2) < dim,
 *   C[i] = alpha op(A[i]) op(B[i]) + beta C[i],   X[i] = X + sum_d i_d sx[d]
 * (element offsets). A B stride of 0 broadcasts B over that dimension
 * (grouped-query attention: one key head serves G query heads); A and C
 * strides must not be 0 where dim > 1 (no reductions over the batch).
 * Unused trailing dimensions have dim 1. */
typedef struct sw_gemm_batch {
    size_t dim[3];
    size_t sa[3], sb[3], sc[3];
} sw_gemm_batch;
swiglu_status sw_gemm_batch_f32(float *C, size_t ldc,
                                const float *A, size_t lda, int trans_a,
                                const float *B, size_t ldb, int trans_b,
                                size_t M, size_t N, size_t K, float alpha, float beta,
                                const sw_gemm_batch *bt);

/* "onednn" or "ref": which engine this build has. */
const char *sw_gemm_engine(void);
/* Number of GEMM primitives cached so far (tests: one per shape). */
size_t sw_gemm_cache_entries(void);

#endif
