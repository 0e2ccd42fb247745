/* matvec.h -- y = W x and one attention head, for single-token decoding
 * (llama2.c inference).
 *
 *   y[i] = sum_j W[i*cols + j] * x[j],   i in [r0, r1)
 *
 * W is [rows][cols] row-major (the [out][in] layout of llama2.c checkpoints).
 * One implementation per ISA directory (ref/, avx2/, avx512/), written in
 * plain C with GCC vector extensions (no intrinsics): the directory's flags
 * decide the instructions. Not part of sw_kernels (kernels.h) on purpose: it
 * is used only by src/model/ (llama_infer.c; attention.c the softmax) and keeps the shared table as is;
 * the choice per ISA is made beside it, in kernel_table.c.
 * Summation order differs between ISAs (vector lanes), so results agree to
 * rounding, not bitwise, across ISAs; for one ISA they are deterministic.
 */
#ifndef SW_KERNELS_MATVEC_H
#define SW_KERNELS_MATVEC_H
#include <stddef.h>
#include "swiglu.h"

typedef void (*sw_matvec_fn)(float *restrict y, const float *restrict W,
                             const float *restrict x, size_t cols, size_t r0, size_t r1);

void sw_matvec_ref(float *restrict y, const float *restrict W, const float *restrict x,
                   size_t cols, size_t r0, size_t r1);
void sw_matvec_avx2(float *restrict y, const float *restrict W, const float *restrict x,
                    size_t cols, size_t r0, size_t r1);
void sw_matvec_avx512(float *restrict y, const float *restrict W, const float *restrict x,
                      size_t cols, size_t r0, size_t r1);

/* One attention head of single-token decoding, over positions t < n:
 *   att[t] = q . K[t] / sqrtf(hs)         K[t] = K + t*stride, hs floats
 *   att    = softmax(att)                  (max-subtracted, as llama2.c)
 *   out    = sum_t att[t] V[t]             V[t] = Vc + t*stride
 * q, out [hs]; att [n] scratch (left holding the weights). */
typedef void (*sw_attn_fn)(float *restrict out, float *restrict att, const float *restrict q,
                           const float *restrict K, const float *restrict Vc, size_t stride,
                           size_t n, size_t hs);

void sw_attn_ref(float *restrict out, float *restrict att, const float *restrict q,
                 const float *restrict K, const float *restrict Vc, size_t stride, size_t n, size_t hs);
void sw_attn_avx2(float *restrict out, float *restrict att, const float *restrict q,
                  const float *restrict K, const float *restrict Vc, size_t stride, size_t n, size_t hs);
void sw_attn_avx512(float *restrict out, float *restrict att, const float *restrict q,
                    const float *restrict K, const float *restrict Vc, size_t stride, size_t n, size_t hs);

/* x[0..n) = softmax(x) in place (n >= 1): max-subtracted, e^ by the
 * attention head's vector exp (~2 ulp of expf; expf in the scalar twin),
 * the sum in a fixed order. The trainer's causal attention rows. */
typedef void (*sw_softmax_fn)(float *restrict x, size_t n);
void sw_softmax_ref(float *restrict x, size_t n);
void sw_softmax_avx2(float *restrict x, size_t n);
void sw_softmax_avx512(float *restrict x, size_t n);

/* The set for an ISA: chosen in kernel_table.c, with the elementwise sets. */
sw_matvec_fn sw_matvec_for(swiglu_isa isa);
sw_attn_fn sw_attn_for(swiglu_isa isa);
sw_softmax_fn sw_softmax_for(swiglu_isa isa);

#endif
