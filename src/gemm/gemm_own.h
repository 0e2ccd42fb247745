/* gemm_own.h -- the contract between our own GEMM engine's framework
 * (gemm_own.c: packing, cache blocking, threads, epilogue) and its per-ISA
 * micro-kernels (avx2/, avx512/, avx512bf16/: one file per instruction set,
 * compiled with that ISA's flags only). Internal to src/gemm/.
 *
 * Legend: C [M x N] = alpha op(A) [M x K] op(B) [K x N] + beta C.
 * A micro-kernel computes one register tile of MR rows x NR columns over
 * kc steps of k from two packed micro-panels:
 *   fp32: Ap [kc][MR]      Bp [kc][NR]          (k-major)
 *   bf16: Ap [kc2][MR][2]  Bp [kc2][NR][2]      (VNNI-2: k pairs side by side,
 *         kc2 = ceil(kc / 2), an odd K padded with a zero k)
 * and writes C[i][j] = alpha acc[i][j] + beta C[i][j] for i < m, j < n
 * (beta == 0: C is not read, it may hold NaN); the rest of the tile is
 * computed on the zero padding and never stored (masked stores).
 */
#ifndef SW_GEMM_GEMM_OWN_H
#define SW_GEMM_GEMM_OWN_H

#include <stddef.h>
#include <stdint.h>

#define SW_OWN_MR 6    /* rows of the register tile: 6 x 4 zmm accumulators */
#define SW_OWN_NR 64   /* columns: 4 zmm of 16 floats                      */

typedef void (*sw_ukr_f32_fn)(float *C, size_t ldc, const float *Ap, const float *Bp,
                              size_t kc, size_t m, size_t n, float alpha, float beta);
typedef void (*sw_ukr_bf16_fn)(float *C, size_t ldc, const uint16_t *Ap, const uint16_t *Bp,
                               size_t kc2, size_t m, size_t n, float alpha, float beta);

/* avx2/ukr_f32_avx2.c (AVX2 FMA: the same tile as four 6 x 16 strips, the same bits) */
void sw_ukr_f32_avx2(float *C, size_t ldc, const float *Ap, const float *Bp,
                     size_t kc, size_t m, size_t n, float alpha, float beta);
/* avx512/ukr_f32_avx512.c (AVX-512F FMA) */
void sw_ukr_f32_avx512(float *C, size_t ldc, const float *Ap, const float *Bp,
                       size_t kc, size_t m, size_t n, float alpha, float beta);
/* avx512bf16/ukr_bf16_avx512bf16.c (AVX512-BF16 vdpbf16ps) */
void sw_ukr_bf16_avx512bf16(float *C, size_t ldc, const uint16_t *Ap, const uint16_t *Bp,
                            size_t kc2, size_t m, size_t n, float alpha, float beta);

/* The peak loops of `swiglu bench ffn`: a register-resident loop of
 * independent FMAs (fp32) or vdpbf16ps (bf16) on one thread, `iters`
 * iterations of 24 instructions; returns a value that depends on every
 * accumulator (so that nothing is optimized away). FLOPs per iteration:
 * 24 x 16 x 2 (fp32), 24 x 32 x 2 (bf16). */
float sw_peak_fma_avx512(size_t iters);
/* AVX2: 12 ymm FMAs an iteration, 12 x 8 x 2 FLOPs */
float sw_peak_fma_avx2(size_t iters);
float sw_peak_dpbf16_avx512bf16(size_t iters);

#endif
