/* llama_infer.h -- single-token forward of a llama2.c (LLaMA-architecture)
 * model with a KV cache: the decoding loop of `swiglu generate`/`inspect`.
 *
 * Legend (llama2c.h): D dim, H hidden_dim, L n_layers, nh n_heads,
 * nkv n_kv_heads, hs = D/nh, KV = nkv*hs, V vocab, S seq_len.
 *
 * Per layer l, for the token at position pos (llama2.c run.c, exactly):
 *   xb  = rmsnorm(x) * rms_att[l]          rmsnorm(x) = x / sqrt(mean(x^2) + 1e-5)
 *   q = wq xb, k = wk xb, v = wv xb        (k, v written to the cache at pos)
 *   RoPE: pairs (i, i+1), angle pos / 10000^((i mod hs)/hs), on q and on k (i < KV)
 *   per head h (kv head h / (nh/nkv)): att_t = softmax_t(q.k_t / sqrt(hs)), t <= pos
 *   x  += wo (sum_t att_t v_t)
 *   xb  = rmsnorm(x) * rms_ffn[l]
 *   x  += w2 (swish(w1 xb) * (w3 xb))     -- libswiglu's GLU kernel
 * logits = wcls (rmsnorm(x) * rms_final)
 */
#ifndef SW_MODEL_LLAMA_INFER_H
#define SW_MODEL_LLAMA_INFER_H

#include <stddef.h>
#include "swiglu.h"
#include "io/llama2c.h"
#include "kernels/kernels.h"
#include "kernels/matvec.h"

/* Called once per layer during a forward when set (inspect): the FFN's gate
 * pre-activations g = w1 xb [H], up values u = w3 xb [H] and GLU outputs
 * swish(g) * u [H] of the current token. */
typedef void (*sw_llama_probe_fn)(void *ctx, int layer, const float *gate_pre,
                                  const float *up, const float *glu_out, int hidden);

typedef struct sw_llama_state {
    const sw_l2c_model *m;   /* not owned */
    int nthreads;
    sw_matvec_fn mv;
    sw_attn_fn attn;
    const sw_kernels *k;
    sw_gate gate;            /* Swish, beta 1: SwiGLU */
    sw_llama_probe_fn probe; /* NULL, or see above */
    void *probe_ctx;
    /* activations of the current token */
    float *x;        /* [nthreads][D] residual stream, one copy per thread */
    float *xb;       /* [nthreads][D] RMSNorm of x, one copy per thread */
    float *xb2;      /* [D] output of wo / w2 */
    float *xatt;     /* [D] attention output (all heads) */
    float *q;        /* [D] */
    float *hb;       /* [H] gate pre-activation w1 xb */
    float *hb2;      /* [H] up w3 xb */
    float *hg;       /* [H] swish(hb) * hb2 */
    float *att;      /* [nh][S] attention scores */
    float *logits;   /* [V] */
    float *key_cache;   /* [L][S][KV] */
    float *value_cache; /* [L][S][KV] */
    float *rope_cos;    /* [S][hs/2]  cosf(pos * 10000^(-2i/hs)) as llama2.c forms it */
    float *rope_sin;    /* [S][hs/2] */
} sw_llama_state;

/* Allocates the state for model m (kept by pointer). nthreads >= 1.
 * The matvec and GLU kernels of the active ISA (swiglu_isa_active()). */
swiglu_status sw_llama_init(sw_llama_state *s, const sw_l2c_model *m, int nthreads);

/* Runs token `token` at position `pos` (0 <= pos < S; positions must come in
 * order 0, 1, ... as the cache fills). *logits points at s->logits [V].
 * SWIGLU_ERR_ARG when token or pos is out of range. */
swiglu_status sw_llama_forward(sw_llama_state *s, int token, int pos, const float **logits);

void sw_llama_free(sw_llama_state *s);

#endif
