/* layers.h -- the transformer's layers other than the FFN (which is
 * libswiglu's swiglu_ffn_*): each a forward/backward pair, llm.c style.
 *
 * Dimension legend (every file of src/model/):
 *   B batch, T tokens per sequence (context), N = B*T rows, D d_model,
 *   H d_ff, V vocabulary, NH query heads, NKV key/value heads (grouped-query
 *   attention when NKV < NH), HS head size = D / NH, KV = NKV * HS.
 *
 * Conventions: outputs first, then inputs, then sizes. Backward functions
 * ADD into their gradient buffers (dx += ...). Matrices are row-major and
 * weights are [out x in] like PyTorch's nn.Linear and llama2.c. Every matmul
 * goes through sw_gemm_f32 (src/gemm/gemm.h). Threads: OpenMP, static
 * partitions, reductions in a fixed order: the same bits for a given
 * thread count. Nothing here allocates.
 */
#ifndef SW_MODEL_LAYERS_H
#define SW_MODEL_LAYERS_H
#include <stddef.h>
#include "swiglu.h"

/* OpenMP pragmas that vanish without -fopenmp (NO_OMP=1 builds). */
#ifdef _OPENMP
#define SW_PRAGMA(x) _Pragma(#x)
#else
#define SW_PRAGMA(x)
#endif
/* Below this many elements of work a loop runs on the calling thread: a
 * parallel region costs microseconds, and far more on a busy machine. */
#define SW_PAR_MIN 32768

/* ---- embedding: out[n,:] = emb[tok[n],:] ------------------------------- */
/* out [N x D]; emb [V x D]; tok [N] in [0, V) */
void sw_embedding_forward(float *out, const float *emb, const int *tok, size_t N, size_t D);
/* demb[tok[n],:] += dout[n,:] */
void sw_embedding_backward(float *demb, const float *dout, const int *tok, size_t N, size_t D);

/* ---- RMSNorm: y = x * rstd * w, rstd = 1/sqrt(mean(x^2) + eps) ---------- */
/* y [N x D], rstd [N] (kept for backward); x [N x D]; w [D] */
void sw_rmsnorm_forward(float *y, float *rstd, const float *x, const float *w,
                        size_t N, size_t D, float eps);
/* dx [N x D] +=, dw [D] +=; dw_part: scratch [ceil(N / SW_RMS_BLOCK) x D];
 * dy [N x D]; x, w, rstd as in the forward */
#define SW_RMS_BLOCK 32
void sw_rmsnorm_backward(float *dx, float *dw, float *dw_part, const float *dy, const float *x,
                         const float *w, const float *rstd, size_t N, size_t D);

/* ---- RoPE, llama2.c's form: adjacent pairs (2i, 2i+1) of each head ------ */
/* Tables for positions [0, T): cos/sin [T x HS/2], freq_i = theta^(-2i/HS). */
void sw_rope_tables(float *cos_t, float *sin_t, size_t T, size_t HS, float theta);
/* One pair turned by the angle of (c, s) = (cos a, sin a): the rotation
 * itself, shared by the batched layer below and llama_infer's single token. */
static inline void sw_rope_rotate(float *pair, float c, float s)
{
    float x0 = pair[0], x1 = pair[1];
    pair[0] = x0 * c - x1 * s;
    pair[1] = x0 * s + x1 * c;
}
/* In place on x [B*T x (nh*HS)]: rotates pair i of every head at position t
 * by angle t*freq_i. */
void sw_rope_forward(float *x, const float *cos_t, const float *sin_t,
                     size_t B, size_t T, size_t nh, size_t HS);
/* In place on dx: the transpose, a rotation by -t*freq_i. */
void sw_rope_backward(float *dx, const float *cos_t, const float *sin_t,
                      size_t B, size_t T, size_t nh, size_t HS);

/* ---- causal multi-head attention (grouped-query when NKV < NH) ---------- */
/* y [N x NH*HS], att [B x NH x T x T] (probabilities, kept for backward);
 * q [N x NH*HS], k, v [N x NKV*HS]. Query head h reads key/value head
 * h / (NH/NKV). S = q k^T / sqrt(HS), masked to j <= i, P = softmax(S), y = P v. */
swiglu_status sw_attention_forward(float *y, float *att, const float *q, const float *k,
                                   const float *v, size_t B, size_t T, size_t NH,
                                   size_t NKV, size_t HS, int nth);
/* dq [N x NH*HS] +=, dk, dv [N x KV] +=; scratch [B x NH x T x T];
 * dy [N x NH*HS]; att, q, k, v from the forward. */
swiglu_status sw_attention_backward(float *dq, float *dk, float *dv, float *scratch,
                                    const float *dy, const float *att, const float *q,
                                    const float *k, const float *v, size_t B, size_t T,
                                    size_t NH, size_t NKV, size_t HS, int nth);

/* ---- linear (no bias): y = x W^T ---------------------------------------- */
/* y [N x out]; x [N x in]; w [out x in] */
swiglu_status sw_linear_forward(float *y, const float *x, const float *w,
                                size_t N, size_t in, size_t out);
/* dx [N x in] += dy W (dx may be NULL), dw [out x in] += dy^T x */
swiglu_status sw_linear_backward(float *dx, float *dw, const float *dy, const float *x,
                                 const float *w, size_t N, size_t in, size_t out);

/* bf16 operands (uint16_t bit patterns), fp32 accumulation and outputs
 * (mixed precision: AMX tiles where the CPU has them). dy_bf [N x out] is
 * scratch for dy rounded to bf16. */
swiglu_status sw_linear_forward_bf16(float *y, const uint16_t *x, const uint16_t *w,
                                     size_t N, size_t in, size_t out);
swiglu_status sw_linear_backward_bf16(float *dx, float *dw, uint16_t *dy_bf, const float *dy,
                                      const uint16_t *x, const uint16_t *w,
                                      size_t N, size_t in, size_t out);

/* ---- softmax cross-entropy ---------------------------------------------- */
/* losses [N] = -log softmax(logits[n])[tgt[n]]; probs [N x V] = softmax,
 * probs may be exactly logits (in place). tgt[n] < 0: no loss (0). */
void sw_crossentropy_forward(float *losses, float *probs, const float *logits,
                             const int *tgt, size_t N, size_t V);
/* d loss_n / d logits = probs - onehot(tgt), times scale (the mean's 1/N
 * and the gradient accumulation's 1/steps). dlogits [N x V] +=; dlogits may
 * be exactly probs (in place: then it is overwritten). */
void sw_crossentropy_backward(float *dlogits, const float *probs, const int *tgt,
                              size_t N, size_t V, float scale);

/* ---- AdamW: model/adamw.h (the lab uses it too) ------------------------- */
#include "model/adamw.h"

#endif
