/* llama_infer.h -- single-token forward of a LLaMA-architecture model with a
 * KV cache: the decoding loop of `swiglu generate`/`sample`/`inspect`, for a
 * llama2.c model (sw_llama_init) or one of ours (sw_llama_init_model: any FFN
 * variant, learned beta, its RMSNorm eps and RoPE theta).
 *
 * Legend (llama2c.h): D dim, H hidden_dim, L n_layers, nh n_heads,
 * nkv n_kv_heads, hs = D/nh, KV = nkv*hs, V vocab, S seq_len.
 *
 * Per layer l, for the token at position pos (llama2.c run.c, exactly):
 *   xb  = rmsnorm(x) * rms_att[l]          rmsnorm(x) = x / sqrt(mean(x^2) + eps)
 *   q = wq xb, k = wk xb, v = wv xb        (k, v written to the cache at pos)
 *   RoPE: pairs (i, i+1), angle pos / theta^((i mod hs)/hs), on q and on k (i < KV)
 *   per head h (kv head h / (nh/nkv)): att_t = softmax_t(q.k_t / sqrt(hs)), t <= pos
 *   x  += wo (sum_t att_t v_t)
 *   xb  = rmsnorm(x) * rms_ffn[l]
 *   x  += w2 (act(w1 xb) * (w3 xb))       -- libswiglu's GLU kernel (gated FFN)
 *   x  += w2 act(w1 xb)                   -- its activation kernel (plain FFN)
 * logits = wcls (rmsnorm(x) * rms_final)
 * llama2.c: eps 1e-5, theta 10000 (or the model file's, sw_l2c_config's
 * rms_eps and rope_theta), act = Swish with beta 1 (SwiGLU), the RoPE
 * table in float as run.c forms it. Ours: the model's eps, theta, FFN gate
 * (beta per layer when learned) and RoPE table (sw_rope_tables), so the
 * logits equal sw_model_forward's at the last position up to rounding
 * (fp32 weights; a bf16 model runs here on its fp32 master weights).
 */
#ifndef SW_MODEL_LLAMA_INFER_H
#define SW_MODEL_LLAMA_INFER_H

#include <stddef.h>
#include "swiglu.h"
#include "io/llama2c.h"
#include "model/profile.h"
#include "kernels/kernels.h"
#include "kernels/matvec.h"
#include "model/model.h"

/* Called once per layer during a forward when set (inspect): the FFN's gate
 * pre-activations g = w1 xb [H], up values u = w3 xb [H] and GLU outputs
 * swish(g) * u [H] of the current token. */
typedef void (*sw_llama_probe_fn)(void *ctx, int layer, const float *gate_pre,
                                  const float *up, const float *glu_out, int hidden);

/* One layer's weights (row-major [out][in]); w3 NULL: a plain FFN. */
typedef struct sw_llama_layer {
    const float *rms_att, *wq, *wk, *wv, *wo, *rms_ffn, *w1, *w3, *w2;
    double beta;             /* the gate's Swish beta in this layer */
} sw_llama_layer;

typedef struct sw_llama_state {
    sw_l2c_config c;         /* the dimensions (for ours, in llama2.c's terms) */
    sw_llama_layer *layer;   /* [L] */
    const float *emb, *rms_final, *wcls;   /* [V][D], [D], [V][D]; not owned */
    float eps;               /* RMSNorm epsilon */
    int nthreads;            /* threads of the next forward, 1..max_threads */
    int max_threads;         /* the per-thread buffers' count (init) */
    sw_profile prof;         /* per-phase times of the forward, when prof.on (profile.h) */
    sw_matvec_fn mv;
    sw_attn_fn attn;
    const sw_kernels *k;
    sw_gate gate;            /* the FFN's activation (llama2.c: Swish, beta 1: SwiGLU) */
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
    float *rope_cos;    /* [S][hs/2]  cosf(pos * theta^(-2i/hs)) as llama2.c forms it */
    float *rope_sin;    /* [S][hs/2] */
} sw_llama_state;

/* Allocates the state for model m (its weights are used in place and must
 * outlive the state). nthreads >= 1. The matvec and GLU kernels of the
 * active ISA (swiglu_isa_active()). */
swiglu_status sw_llama_init(sw_llama_state *s, const sw_l2c_model *m, int nthreads);
/* The same for a model of ours (src/model/model.h), any FFN variant. */
swiglu_status sw_llama_init_model(sw_llama_state *s, const sw_model *m, int nthreads);

/* Runs token `token` at position `pos` (0 <= pos < S; positions must come in
 * order 0, 1, ... as the cache fills). *logits points at s->logits [V].
 * SWIGLU_ERR_ARG when token or pos is out of range. */
swiglu_status sw_llama_forward(sw_llama_state *s, int token, int pos, const float **logits);

/* Threads of the following forwards, 1 <= n <= the count given at init
 * (the results are the same bits at any count). */
swiglu_status sw_llama_set_threads(sw_llama_state *s, int n);

void sw_llama_free(sw_llama_state *s);

#endif
