/* llama_infer.c -- single-token forward of a llama2.c model (llama_infer.h).
 *
 * Threads: one OpenMP parallel region per token when nthreads > 1. Every
 * thread walks the layers; matvec rows and attention heads are split
 * statically (sw_partition); each thread keeps a private copy of the
 * residual stream, so elementwise steps need no single-thread sections and
 * a layer costs 5 barriers. With nthreads == 1 the same body runs without a
 * parallel region (its barriers are then no-ops).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "core/internal.h"
#include "core/threads.h"
#include "ffn/ffn.h"            /* the FFN handle's gate */
#include "model/layers.h"        /* sw_rope_tables */
#include "model/llama_infer.h"

#ifdef _OPENMP
#define OMP(x) _Pragma(#x)
static int thread_id(void) { return omp_get_thread_num(); }
static int thread_count(void) { return omp_get_num_threads(); }
#else
#define OMP(x)
static int thread_id(void) { return 0; }
static int thread_count(void) { return 1; }
#endif

static float *alloc_floats(size_t n)
{
    size_t bytes;
    if (n == 0 || !sw_mul_ok(&bytes, n, sizeof(float))) return NULL;
    return calloc(n, sizeof(float));
}

void sw_llama_free(sw_llama_state *s)
{
    if (!s) return;
    float *bufs[] = {s->x, s->xb, s->xb2, s->xatt, s->q, s->hb, s->hb2, s->hg, s->att, s->logits,
                     s->key_cache, s->value_cache, s->rope_cos, s->rope_sin};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(bufs[i]);
    free(s->layer);
    memset(s, 0, sizeof *s);
}

/* The buffers and kernels of a state whose s->c, s->layer, weights and eps
 * are set; the RoPE tables are left to the caller. */
static swiglu_status alloc_state(sw_llama_state *s, int nthreads)
{
    const sw_l2c_config *c = &s->c;
    size_t D = (size_t)c->dim, H = (size_t)c->hidden_dim, L = (size_t)c->n_layers;
    size_t S = (size_t)c->seq_len, KV = (size_t)c->kv_dim, hs = (size_t)c->head_size;
    size_t nh = (size_t)c->n_heads, V = (size_t)c->vocab_size;
    size_t cache, att, rope;
    SW_RETURN_IF(!sw_mul_ok(&cache, L, S) || !sw_mul_ok(&cache, cache, KV), SWIGLU_ERR_SIZE);
    SW_RETURN_IF(!sw_mul_ok(&att, nh, S) || !sw_mul_ok(&rope, S, hs / 2), SWIGLU_ERR_SIZE);
    s->nthreads = s->max_threads = nthreads;
    s->mv = sw_matvec_for(swiglu_isa_active());
    s->attn = sw_attn_for(swiglu_isa_active());
    s->k = sw_kernels_active();
    size_t per_thread;  /* [nthreads][D] private residual and norm copies */
    SW_RETURN_IF(!sw_mul_ok(&per_thread, (size_t)nthreads, D), SWIGLU_ERR_SIZE);
    s->x = alloc_floats(per_thread); s->xb = alloc_floats(per_thread); s->xb2 = alloc_floats(D);
    s->xatt = alloc_floats(D);
    s->q = alloc_floats(D); s->hb = alloc_floats(H); s->hb2 = alloc_floats(H);
    s->hg = alloc_floats(H); s->att = alloc_floats(att); s->logits = alloc_floats(V);
    s->key_cache = alloc_floats(cache); s->value_cache = alloc_floats(cache);
    s->rope_cos = alloc_floats(rope); s->rope_sin = alloc_floats(rope);
    if (!s->x || !s->xb || !s->xb2 || !s->xatt || !s->q || !s->hb || !s->hb2 || !s->hg || !s->att ||
        !s->logits || !s->key_cache || !s->value_cache || !s->rope_cos || !s->rope_sin) {
        sw_llama_free(s);
        return SWIGLU_ERR_ALLOC;
    }
    return SWIGLU_OK;
}

swiglu_status sw_llama_init(sw_llama_state *s, const sw_l2c_model *m, int nthreads)
{
    SW_RETURN_IF(!s || !m, SWIGLU_ERR_NULL);
    SW_RETURN_IF(nthreads < 1, SWIGLU_ERR_ARG);
    memset(s, 0, sizeof *s);
    const sw_l2c_config *c = &m->cfg;
    const sw_l2c_weights *w = &m->w;
    size_t D = (size_t)c->dim, H = (size_t)c->hidden_dim, L = (size_t)c->n_layers;
    size_t S = (size_t)c->seq_len, KV = (size_t)c->kv_dim, hs = (size_t)c->head_size;
    s->c = *c;
    s->emb = w->tok_emb; s->rms_final = w->rms_final; s->wcls = w->wcls;
    s->eps = c->rms_eps ? c->rms_eps : 1e-5f;   /* llama2.c's, unless the file said otherwise */
    const float theta = c->rope_theta ? c->rope_theta : 10000.0f;
    s->gate = (sw_gate){.act = SWIGLU_ACT_SWISH, .beta = 1.0, .clamp = 0, .limit = INFINITY, .shift = 0.0};
    s->layer = calloc(L, sizeof *s->layer);
    SW_RETURN_IF(!s->layer, SWIGLU_ERR_ALLOC);
    for (size_t l = 0; l < L; l++)   /* llama2.c stacks each tensor over the layers */
        s->layer[l] = (sw_llama_layer){
            .rms_att = w->rms_att + l * D, .wq = w->wq + l * D * D, .wk = w->wk + l * KV * D,
            .wv = w->wv + l * KV * D, .wo = w->wo + l * D * D, .rms_ffn = w->rms_ffn + l * D,
            .w1 = w->w1 + l * H * D, .w3 = w->w3 + l * H * D, .w2 = w->w2 + l * D * H, .beta = 1.0};
    swiglu_status st = alloc_state(s, nthreads);
    if (st) return st;
    /* RoPE table, formed in float exactly as run.c does per token (theta
     * 10000 there): freq = 1 / powf(theta, (i mod hs) / (float)hs),
     * angle = pos * freq. */
    for (size_t pos = 0; pos < S; pos++)
        for (size_t i = 0; i < hs; i += 2) {
            float freq = 1.0f / powf(theta, (float)i / (float)hs);
            float val = (float)pos * freq;
            s->rope_cos[pos * (hs / 2) + i / 2] = cosf(val);
            s->rope_sin[pos * (hs / 2) + i / 2] = sinf(val);
        }
    return SWIGLU_OK;
}

swiglu_status sw_llama_init_model(sw_llama_state *s, const sw_model *m, int nthreads)
{
    SW_RETURN_IF(!s || !m, SWIGLU_ERR_NULL);
    SW_RETURN_IF(nthreads < 1, SWIGLU_ERR_ARG);
    memset(s, 0, sizeof *s);
    sw_l2c_config *c = &s->c;
    c->dim = (int)m->D; c->hidden_dim = (int)m->H; c->n_layers = (int)m->L; c->n_heads = (int)m->NH;
    c->n_kv_heads = (int)m->NKV; c->vocab_size = (int)m->V; c->seq_len = (int)m->Tmax;
    c->shared_classifier = m->cfg.tied; c->head_size = (int)m->HS; c->kv_dim = (int)m->KV;
    s->emb = m->w.emb; s->rms_final = m->w.rms_final; s->wcls = m->w.head;
    s->eps = m->cfg.rms_eps;
    /* the FFN handle's own gate (variant, beta, clamp), at full precision */
    s->gate = sw_ffn_gate(m->ffn);
    s->gate.lowp = 0; s->gate.want_db = 0; s->gate.stream = 0;
    s->layer = calloc(m->L, sizeof *s->layer);
    SW_RETURN_IF(!s->layer, SWIGLU_ERR_ALLOC);
    for (size_t l = 0; l < m->L; l++) {
        const sw_layer_weights *lw = &m->w.layer[l];
        s->layer[l] = (sw_llama_layer){
            .rms_att = lw->rms_att, .wq = lw->wq, .wk = lw->wk, .wv = lw->wv, .wo = lw->wo,
            .rms_ffn = lw->rms_ffn, .w1 = lw->w1, .w3 = lw->w3, .w2 = lw->w2,
            .beta = lw->beta ? (double)lw->beta[0] : s->gate.beta};
    }
    swiglu_status st = alloc_state(s, nthreads);
    if (st) return st;
    sw_rope_tables(s->rope_cos, s->rope_sin, m->Tmax, m->HS, m->cfg.rope_theta);
    return SWIGLU_OK;
}

/* o = x / sqrt(mean(x^2) + eps) * w, in float as run.c. o may be x.
 * Not the model's sw_rmsnorm_forward: that one sums the squares in double
 * (the trainer's choice), which changes the last bits of every logit and so
 * run.c's greedy ids and seeded samples, which this file must reproduce. */
static void rmsnorm(float *o, const float *x, const float *w, size_t n, float eps)
{
    float ss = 0.0f;
    for (size_t j = 0; j < n; j++) ss += x[j] * x[j];
    ss /= (float)n;
    ss += eps;
    ss = 1.0f / sqrtf(ss);
    for (size_t j = 0; j < n; j++) o[j] = w[j] * (ss * x[j]);
}

/* This thread's rows [*r0, *r1) of `rows`, in blocks of `grain` (a multiple
 * of 4, so RoPE pairs and GLU vectors never straddle two threads). */
static void my_rows(size_t *r0, size_t *r1, size_t rows, size_t grain)
{
    sw_partition(r0, r1, rows, grain, thread_id(), thread_count());
}

/* RoPE on rows [r0, r1) (r0 even) of a vector of query or key heads:
 * pair (i, i+1) rotated by angle pos * theta^(-(i mod hs)/hs), with the
 * model's tables and rotation (model/layers.h); only the row range is this
 * thread's own (sw_rope_forward turns whole [B*T] batches). */
static void rope(float *v, size_t r0, size_t r1, size_t hs, const float *cs, const float *sn)
{
    for (size_t i = r0; i < r1; i += 2) {
        size_t f = (i % hs) / 2;
        sw_rope_rotate(v + i, cs[f], sn[f]);
    }
}

/* Not the model's sw_attention_forward: that one computes the whole causal
 * [T x T] score matrix of a batch through the GEMM, its softmax summed in
 * double; decoding one token reads a KV cache, one query row per head, with
 * run.c's float softmax (matvec.h's per-ISA head kernel keeps run.c's
 * results).
 * Attention of heads [h0, h1) at position pos, layer cache offset loff:
 * out[h*hs ..] = sum_t softmax_t(q_h . k_t / sqrt(hs)) v_t  (matvec.h's
 * per-ISA head kernel; query head h reads kv head h / (nh / nkv)). */
static void attention(const sw_llama_state *s, float *out, size_t loff, int pos,
                      size_t h0, size_t h1)
{
    const sw_l2c_config *c = &s->c;
    size_t hs = (size_t)c->head_size, KV = (size_t)c->kv_dim, S = (size_t)c->seq_len;
    size_t kv_mul = (size_t)(c->n_heads / c->n_kv_heads);
    for (size_t h = h0; h < h1; h++) {
        size_t koff = loff + (h / kv_mul) * hs;
        s->attn(out + h * hs, s->att + h * S, s->q + h * hs, s->key_cache + koff,
                s->value_cache + koff, KV, (size_t)pos + 1, hs);
    }
}

/* Every thread runs this. Each keeps its own copy of the residual stream
 * (x) and of its RMSNorm (xn), updated redundantly from shared results, so
 * that the only synchronization is one barrier after each step whose output
 * other threads read: 5 per layer (q/k/v, attention, wo, w1/w3 + GLU, w2).
 * Rows are split in blocks of 64 (a multiple of every vector width), so the
 * GLU kernel sees the same vector/tail split for any thread count: results
 * are the same bits for any number of threads. */
static void forward_body(sw_llama_state *s, int token, int pos)
{
    const sw_l2c_config *c = &s->c;
    const size_t D = (size_t)c->dim, H = (size_t)c->hidden_dim, KV = (size_t)c->kv_dim;
    const size_t hs = (size_t)c->head_size, S = (size_t)c->seq_len;
    const size_t nh = (size_t)c->n_heads, V = (size_t)c->vocab_size;
    const size_t G = 64;  /* row block */
    float *x = s->x + (size_t)thread_id() * D;    /* private [D] */
    float *xn = s->xb + (size_t)thread_id() * D;  /* private [D] */
    const float *cs = s->rope_cos + (size_t)pos * (hs / 2);
    const float *sn = s->rope_sin + (size_t)pos * (hs / 2);
    size_t r0, r1;

    /* the profile's laps (profile.h) are taken by thread 0 after each
     * barrier: a phase includes the waiting of the threads at its end */
    sw_profile *pf = thread_id() == 0 ? &s->prof : NULL;
    memcpy(x, s->emb + (size_t)token * D, D * sizeof(float));
    sw_prof_lap(pf, SW_PH_EMBED);

    for (size_t l = 0; l < (size_t)c->n_layers; l++) {
        const sw_llama_layer *w = &s->layer[l];
        size_t loff = l * S * KV;
        float *kc = s->key_cache + loff + (size_t)pos * KV;
        float *vc = s->value_cache + loff + (size_t)pos * KV;

        /* q, k, v of this thread's rows, RoPE on them */
        rmsnorm(xn, x, w->rms_att, D, s->eps);
        my_rows(&r0, &r1, D, G);
        if (r0 < r1) { s->mv(s->q, w->wq, xn, D, r0, r1); rope(s->q, r0, r1, hs, cs, sn); }
        my_rows(&r0, &r1, KV, G);
        if (r0 < r1) {
            s->mv(kc, w->wk, xn, D, r0, r1);
            rope(kc, r0, r1, hs, cs, sn);
            s->mv(vc, w->wv, xn, D, r0, r1);
        }
        OMP(omp barrier)
        sw_prof_lap(pf, SW_PH_GEMM);

        /* attention heads -> xatt [D] */
        my_rows(&r0, &r1, nh, 1);
        attention(s, s->xatt, loff, pos, r0, r1);
        OMP(omp barrier)
        sw_prof_lap(pf, SW_PH_ATTN);

        /* wo -> xb2 [D]; every thread adds it to its residual copy */
        my_rows(&r0, &r1, D, G);
        if (r0 < r1) s->mv(s->xb2, w->wo, s->xatt, D, r0, r1);
        OMP(omp barrier)
        sw_prof_lap(pf, SW_PH_GEMM);
        for (size_t i = 0; i < D; i++) x[i] += s->xb2[i];

        /* FFN: hb = w1 xn (gate), hb2 = w3 xn (up), hg = act(hb) * hb2;
         * plain: hg = act(hb) */
        rmsnorm(xn, x, w->rms_ffn, D, s->eps);
        my_rows(&r0, &r1, H, G);
        if (r0 < r1) {
            sw_gate g = s->gate;
            g.beta = w->beta;
            s->mv(s->hb, w->w1, xn, D, r0, r1);
            if (w->w3) {
                s->mv(s->hb2, w->w3, xn, D, r0, r1);
                s->k->glu_fwd(s->hg + r0, s->hb + r0, s->hb2 + r0, r1 - r0, &g);
            } else {
                s->k->act_fwd(s->hg + r0, s->hb + r0, r1 - r0, &g);
            }
        }
        OMP(omp barrier)
        if (s->probe) {
            OMP(omp single)
            s->probe(s->probe_ctx, (int)l, s->hb, s->hb2, s->hg, (int)H);
        }

        /* w2 -> xb2 (all threads finished reading the old xb2 before the
         * barrier above); add to the residual copies */
        my_rows(&r0, &r1, D, G);
        if (r0 < r1) s->mv(s->xb2, w->w2, s->hg, H, r0, r1);
        OMP(omp barrier)
        sw_prof_lap(pf, SW_PH_FFN);
        for (size_t i = 0; i < D; i++) x[i] += s->xb2[i];
    }

    rmsnorm(xn, x, s->rms_final, D, s->eps);
    my_rows(&r0, &r1, V, G);
    if (r0 < r1) s->mv(s->logits, s->wcls, xn, D, r0, r1);
    if (s->prof.on) {   /* the lap must see every row (without a profile the region's end waits) */
        OMP(omp barrier)
    }
    sw_prof_lap(pf, SW_PH_GEMM);
}

swiglu_status sw_llama_set_threads(sw_llama_state *s, int n)
{
    SW_RETURN_IF(!s, SWIGLU_ERR_NULL);
    SW_RETURN_IF(n < 1 || n > s->max_threads, SWIGLU_ERR_ARG);
    s->nthreads = n;
    return SWIGLU_OK;
}

swiglu_status sw_llama_forward(sw_llama_state *s, int token, int pos, const float **logits)
{
    SW_RETURN_IF(!s || !s->layer, SWIGLU_ERR_NULL);
    const sw_l2c_config *c = &s->c;
    SW_RETURN_IF(token < 0 || token >= c->vocab_size, SWIGLU_ERR_ARG);
    SW_RETURN_IF(pos < 0 || pos >= c->seq_len, SWIGLU_ERR_ARG);
#ifdef _OPENMP
    if (s->nthreads > 1) {
        sw_prof_begin(&s->prof, SW_PROF_FWD);
    OMP(omp parallel num_threads(s->nthreads))
        forward_body(s, token, pos);
    } else {
        sw_prof_begin(&s->prof, SW_PROF_FWD);
        forward_body(s, token, pos);
    }
#else
    sw_prof_begin(&s->prof, SW_PROF_FWD);
    forward_body(s, token, pos);
#endif
    if (logits) *logits = s->logits;
    return SWIGLU_OK;
}
