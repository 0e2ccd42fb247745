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
 */
#ifndef SW_GEMM_GEMM_H
#define SW_GEMM_GEMM_H

#include <stddef.h>
#include <stdint.h>
#include "swiglu.h"

swiglu_status sw_gemm_f32(float *C, size_t ldc,
                          const float *A, size_t lda, int trans_a,
                          const float *B, size_t ldb, int trans_b,
                          size_t M, size_t N, size_t K, float alpha, float beta);

#endif
