/* gemm.h -- the one door to the GEMM engines: oneDNN, our own (gemm_own.c,
 * per-ISA micro-kernels) and the reference loops. Internal: not installed.
 *
 * Row-major throughout. op(X) = X or X^T as trans_x says.
 *   C[M x N] = alpha * op(A)[M x K] * op(B)[K x N] + beta * C
 * lda/ldb/ldc are the row strides of A, B, C as stored (in elements).
 * beta = 0 overwrites C (C may hold garbage, even NaN); beta = 1 accumulates.
 * Primitives are created once per (shape, strides, transposes, alpha!=1,
 * beta!=0, dtype) and cached; the cache is thread-safe. Threads: oneDNN's,
 * on the same OpenMP runtime as the library.
 *
 * Engines (gemm_engine.c chooses per call, see sw_gemm_engine_for):
 *   onednn  gemm_onednn.c when the build found oneDNN (SWIGLU_HAVE_DNNL)
 *   own     gemm_own.c: packing, blocking, threads; micro-kernels in
 *           avx512/ (fp32 FMA) and avx512bf16/ (vdpbf16ps); needs AVX-512
 *   ref     gemm_ref.c: plain C loops, correct and slow; the engine of builds
 *           without oneDNN on CPUs without AVX-512
 * SWIGLU_GEMM=onednn|own|ref forces one (where the build and CPU have it).
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

/* A batch of fp32 GEMMs with up to 3 batch dimensions, one call (on oneDNN
 * one primitive for the whole batch; other engines loop): for every batch index
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

/* oneDNN's batch (one primitive); the batch checked by sw_gemm_batch_f32 */
swiglu_status sw_gemm_onednn_batch_f32(float *C, size_t ldc, const float *A, size_t lda, int trans_a,
                                       const float *B, size_t ldb, int trans_b,
                                       size_t M, size_t N, size_t K, float alpha, float beta,
                                       const sw_gemm_batch *bt);

/* Each engine's entry points (the same contract as sw_gemm_post_*). */
swiglu_status sw_gemm_onednn_post_f32(float *C, size_t ldc, const float *A, size_t lda, int trans_a,
                                      const float *B, size_t ldb, int trans_b,
                                      size_t M, size_t N, size_t K, float alpha, float beta,
                                      sw_gemm_post post, float post_alpha);
swiglu_status sw_gemm_onednn_post_bf16(void *C, swiglu_dtype c_type, size_t ldc,
                                       const uint16_t *A, size_t lda, int trans_a,
                                       const uint16_t *B, size_t ldb, int trans_b,
                                       size_t M, size_t N, size_t K, float alpha, float beta,
                                       sw_gemm_post post, float post_alpha);
swiglu_status sw_gemm_ref_post_f32(float *C, size_t ldc, const float *A, size_t lda, int trans_a,
                                   const float *B, size_t ldb, int trans_b,
                                   size_t M, size_t N, size_t K, float alpha, float beta,
                                   sw_gemm_post post, float post_alpha);
swiglu_status sw_gemm_own_post_f32(float *C, size_t ldc, const float *A, size_t lda, int trans_a,
                                   const float *B, size_t ldb, int trans_b,
                                   size_t M, size_t N, size_t K, float alpha, float beta,
                                   sw_gemm_post post, float post_alpha);
swiglu_status sw_gemm_own_post_bf16(void *C, swiglu_dtype c_type, size_t ldc,
                                    const uint16_t *A, size_t lda, int trans_a,
                                    const uint16_t *B, size_t ldb, int trans_b,
                                    size_t M, size_t N, size_t K, float alpha, float beta,
                                    sw_gemm_post post, float post_alpha);
/* 1 when our engine can run operands of type dt on this CPU (fp32: AVX-512
 * F/DQ/BW/VL + FMA, or AVX2 + FMA; bf16: AVX-512 and AVX512-BF16). With the
 * kernel ISA forced to AVX2 (SWIGLU_ISA=avx2) it runs as on an AVX2 CPU. */
int sw_gemm_own_supported(swiglu_dtype dt);
/* The instruction set our engine runs dt on now ("avx512", "avx2",
 * "avx512bf16"), or NULL when it cannot. */
const char *sw_gemm_own_isa(swiglu_dtype dt);

/* ---- engine choice (gemm_engine.c) ----
 * SW_GEMM_AUTO: the default rule (gemm_engine.c; docs/FFN.md, "Which
 * engine"): oneDNN where the build has it (ours only for the FFN's gated
 * inference forward at few tokens on large weights, where it measured
 * faster), else ours where the CPU has AVX-512 or AVX2, else the reference
 * loops. */
typedef enum sw_gemm_engine_id {
    SW_GEMM_AUTO = 0, SW_GEMM_ONEDNN, SW_GEMM_OWN, SW_GEMM_REF
} sw_gemm_engine_id;
/* The engine SWIGLU_GEMM or sw_gemm_set_engine asked for (AUTO if none). */
sw_gemm_engine_id sw_gemm_engine_forced(void);
/* Forces an engine for the process (tests, benchmarks); AUTO: the default
 * rule. SWIGLU_ERR_ISA when this build or CPU lacks it. */
swiglu_status sw_gemm_set_engine(sw_gemm_engine_id e);
/* The engine a GEMM of operand type dt and shape M x N x K runs on. */
sw_gemm_engine_id sw_gemm_engine_for(swiglu_dtype dt, size_t M, size_t N, size_t K);
/* The engine of the FFN's fused paths for T tokens through a layer of
 * d_model D and d_ff H, training (forward kept for a backward, and the
 * backward) or not (OWN: packed weights, the GLU epilogue in the gated
 * forward and the activation's derivative in the backward's dh GEMM,
 * src/ffn/ffn_layer.c; else the plain GEMMs and separate elementwise
 * passes). The default picks OWN for the gated inference forward at
 * T <= 64 on D H >= 2^22 weights (measured faster there: gemm_engine.c). */
sw_gemm_engine_id sw_gemm_engine_for_glu(swiglu_dtype dt, int training, size_t T, size_t D, size_t H);
const char *sw_gemm_engine_name(sw_gemm_engine_id e);
/* "onednn", "own", "ref" (the forced one), or "auto(onednn; own: ...)",
 * "auto(onednn)", "auto(own)", "auto(ref)": what `swiglu info` and the
 * benchmarks print. */
const char *sw_gemm_engine(void);
/* Message when SWIGLU_GEMM named an engine that this build or CPU lacks
 * (the default rule is used then), or NULL. */
const char *sw_gemm_engine_env_error(void);

/* ---- our engine's packed weights and epilogue (gemm_own.c) ----
 * op(B) [K x N] packed once into the micro-kernel's panels (fp32 [K][64],
 * bf16 VNNI-2 [K/2][64][2]) and reused by every call until the weights
 * change. glu_h > 0: N = 2 glu_h columns gate | up, interleaved in each
 * output block of 256 packed columns as 128 gate + 128 up columns
 * (SW_GEMM_GLU_HALF; sw_gemm_glu_col maps back), so that every output block
 * holds matching gate and up columns. */
#define SW_GEMM_GLU_HALF 128
typedef struct sw_gemm_bpack {
    swiglu_dtype dtype;
    size_t K, N, glu_h, panels, bytes;
    void *data;
} sw_gemm_bpack;
swiglu_status sw_gemm_bpack_init(sw_gemm_bpack *pb, swiglu_dtype dt, size_t K, size_t N, size_t glu_h);
/* B: op(B) [K x N]; GLU layout: B the gate and U the up half, each op() [K x glu_h] */
swiglu_status sw_gemm_bpack_fill(sw_gemm_bpack *pb, const void *B, const void *U, size_t ldb, int trans_b);
void sw_gemm_bpack_free(sw_gemm_bpack *pb);
/* logical column (0..2H) of packed column pc in the GLU layout, or SIZE_MAX (padding) */
size_t sw_gemm_glu_col(size_t pc, size_t H);

/* A caller's epilogue: gets each finished output block (the engine's
 * per-thread buffer: the epilogue may overwrite it), fp32 with alpha
 * applied, rows [row0, row0 + rows) and packed columns [col0, col0 + cols)
 * at tile[r * ldt + c], col0 a multiple of SW_GEMM_EPI_COLS (the GLU
 * layout's unit) and cols <= SW_GEMM_EPI_COLS (the last block's may run
 * past N into padding); called from the engine's threads, one block per
 * call, blocks disjoint, each block the same whatever the thread count. */
#define SW_GEMM_EPI_COLS (2 * SW_GEMM_GLU_HALF)
typedef struct sw_gemm_epi {
    void (*fn)(void *ctx, float *tile, size_t ldt, size_t row0, size_t col0,
               size_t rows, size_t cols);
    void *ctx;
} sw_gemm_epi;
/* C (or epi) = alpha op(A) [M x K] packed op(B) + beta C, on our engine
 * (A of pb's type). With epi, C, c_type, beta and post are unused and the
 * epilogue gets the blocks; without, pb must not be in the GLU layout. */
swiglu_status sw_gemm_own_packed(void *C, swiglu_dtype c_type, size_t ldc, const void *A, size_t lda,
                                 int trans_a, const sw_gemm_bpack *pb, size_t M, float alpha, float beta,
                                 sw_gemm_post post, float post_alpha, const sw_gemm_epi *epi);

/* GFLOP/s of a register-resident loop on `threads` threads, run now: FMA
 * (fp32) or vdpbf16ps (bf16); 0 where the CPU has neither. The bound the
 * benchmarks print beside each row. */
double sw_gemm_peak_gflops(swiglu_dtype dt, int threads);
/* Number of GEMM primitives cached so far (tests: one per shape). */
size_t sw_gemm_cache_entries(void);

#endif
