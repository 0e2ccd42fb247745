/* attention.c -- causal multi-head attention (grouped-query when NKV < NH),
 * forward and backward, on the GEMM interface. Threads split the sequences
 * b of the batch (a static split: the same bits at any thread count); each
 * product is one batched GEMM over the heads of a sequence, run on its
 * thread (for T = 64, HS = 32 one head's GEMM is ~0.3 MFLOP: a call per head
 * cost more in overhead than in arithmetic). Not one GEMM over the whole
 * batch threaded by the engine: its bits depend on how the engine splits it.
 * Legend: B batch, T tokens, NH query heads, NKV key/value heads, HS head
 * size, D = NH*HS (row stride of q, y), KV = NKV*HS (row stride of k, v),
 * G = NH/NKV query heads per key/value head.
 *
 * Forward, per batch b and query head h (kv head c = h / G):
 *   S = Q_h K_c^T / sqrt(HS)            [T x T]
 *   P_ij = softmax_j(S_ij), j <= i; 0 for j > i (causal)
 *   Y_h = P V_c                          [T x HS]
 * Backward:
 *   dP = dY_h V_c^T,   dV_c += P^T dY_h
 *   dS_ij = P_ij (dP_ij - sum_k P_ik dP_ik)         (softmax)
 *   dQ_h += dS K_c / sqrt(HS),   dK_c += dS^T Q_h / sqrt(HS)
 * The batch runs over (b, c, g), query head h = c G + g; K and V are
 * broadcast over g (a batch stride of 0). dK_c and dV_c sum over the G heads
 * of their group: one batched GEMM per g, in g order (fixed sums, no races).
 */
#include <math.h>
#include <string.h>
#include "core/internal.h"
#include "gemm/gemm.h"
#include "kernels/matvec.h"   /* the softmax kernels */
#include "model/layers.h"

/* Row-wise causal softmax of R rows of att [R/T x T x T] in place (row r is
 * query position i = r mod T: its first i + 1 entries; the rest zeroed), on
 * the active ISA's softmax kernel (kernels/matvec.h: vector e^, ~2 ulp). */
static void causal_softmax(float *att, size_t R, size_t T, sw_softmax_fn softmax)
{
    for (size_t rr = 0; rr < R; rr++) {
        size_t i = rr % T;
        float *r = att + rr * T;
        softmax(r, i + 1);
        for (size_t j = i + 1; j < T; j++) r[j] = 0.0f;
    }
}

/* Batch views, index (b, c, g): a query-head tensor [N x NH*HS] (q, y, dq,
 * dy), a key/value tensor [N x KV] broadcast over g, and the [T x T] maps of
 * att [B x NH x T x T]. */
static sw_gemm_batch view(size_t B, size_t NKV, size_t G, size_t s0, size_t s1, size_t s2)
{
    sw_gemm_batch v = {{B, NKV, G}, {0}, {0}, {0}};
    v.sa[0] = s0; v.sa[1] = s1; v.sa[2] = s2;
    return v;
}
static void set_b(sw_gemm_batch *v, size_t s0, size_t s1, size_t s2) { v->sb[0] = s0; v->sb[1] = s1; v->sb[2] = s2; }
static void set_c(sw_gemm_batch *v, size_t s0, size_t s1, size_t s2) { v->sc[0] = s0; v->sc[1] = s1; v->sc[2] = s2; }

swiglu_status sw_attention_forward(float *y, float *att, const float *q, const float *k,
                                   const float *v, size_t B, size_t T, size_t NH,
                                   size_t NKV, size_t HS, int nth)
{
    if (NKV == 0 || NH % NKV) return SWIGLU_ERR_ARG;
    size_t D = NH * HS, KV = NKV * HS, G = NH / NKV, TT = T * T;
    float scale = (float)(1.0 / sqrt((double)HS));
    int bad = 0;
    long long nb = (long long)B;
    /* S [T x T] = scale Q_h [T x HS] . K_c^T, for every (c, g) of sequence b */
    sw_gemm_batch s_bt = view(1, NKV, G, 1, G * HS, HS);
    set_b(&s_bt, 1, HS, 0);
    set_c(&s_bt, 1, G * TT, TT);
    /* Y_h [T x HS] = P [T x T] . V_c [T x HS] */
    sw_gemm_batch y_bt = view(1, NKV, G, 1, G * TT, TT);
    sw_softmax_fn softmax = sw_softmax_for(swiglu_isa_active());
    set_b(&y_bt, 1, HS, 0);
    set_c(&y_bt, 1, G * HS, HS);
    SW_PRAGMA(omp parallel for num_threads(nth) schedule(static) reduction(max:bad) if (nth > 1 && B * NH * TT * HS > SW_PAR_MIN))
    for (long long bb = 0; bb < nb; bb++) {
        size_t b = (size_t)bb;
        float *P = att + b * NH * TT;
        if (sw_gemm_batch_f32(P, T, q + b * T * D, D, 0, k + b * T * KV, KV, 1, T, T, HS, scale, 0.0f, &s_bt)) bad = 1;
        causal_softmax(P, NH * T, T, softmax);
        if (sw_gemm_batch_f32(y + b * T * D, D, P, T, 0, v + b * T * KV, KV, 0, T, HS, T, 1.0f, 0.0f, &y_bt)) bad = 1;
    }
    return bad ? SWIGLU_ERR_GEMM : SWIGLU_OK;
}

swiglu_status sw_attention_backward(float *dq, float *dk, float *dv, float *scratch,
                                    const float *dy, const float *att, const float *q,
                                    const float *k, const float *v, size_t B, size_t T,
                                    size_t NH, size_t NKV, size_t HS, int nth)
{
    if (NKV == 0 || NH % NKV) return SWIGLU_ERR_ARG;
    size_t D = NH * HS, KV = NKV * HS, G = NH / NKV, TT = T * T;
    float scale = (float)(1.0 / sqrt((double)HS));
    int bad = 0;
    long long nb = (long long)B;
    /* dP [T x T] = dY_h [T x HS] . V_c^T, and dQ_h [T x HS] += scale dS [T x T] . K_c: all (c, g) */
    sw_gemm_batch dp_bt = view(1, NKV, G, 1, G * HS, HS);
    set_b(&dp_bt, 1, HS, 0);
    set_c(&dp_bt, 1, G * TT, TT);
    sw_gemm_batch dq_bt = view(1, NKV, G, 1, G * TT, TT);
    set_b(&dq_bt, 1, HS, 0);
    set_c(&dq_bt, 1, G * HS, HS);
    /* dV_c += P^T dY_h and dK_c += scale dS^T Q_h: over c, one g at a time (a sum over the group) */
    sw_gemm_batch kv_bt = view(1, NKV, 1, 1, G * TT, 1);
    set_b(&kv_bt, 1, G * HS, 1);
    set_c(&kv_bt, 1, HS, 1);
    SW_PRAGMA(omp parallel for num_threads(nth) schedule(static) reduction(max:bad) if (nth > 1 && B * NH * TT * HS > SW_PAR_MIN))
    for (long long bb = 0; bb < nb; bb++) {
        size_t b = (size_t)bb;
        const float *P = att + b * NH * TT, *dyb = dy + b * T * D, *qb = q + b * T * D;
        const float *kb = k + b * T * KV, *vb = v + b * T * KV;
        float *dP = scratch + b * NH * TT;   /* [NH x T x T] of [B x NH x T x T] */
        float *dkb = dk + b * T * KV, *dvb = dv + b * T * KV;
        if (sw_gemm_batch_f32(dP, T, dyb, D, 0, vb, KV, 1, T, T, HS, 1.0f, 0.0f, &dp_bt)) bad = 1;
        for (size_t g = 0; g < G; g++)
            if (sw_gemm_batch_f32(dvb, KV, P + g * TT, T, 1, dyb + g * HS, D, 0, T, HS, T, 1.0f, 1.0f, &kv_bt)) bad = 1;
        /* dS = P (dP - rowsum(P dP)), in place in dP; zero above the diagonal */
        for (size_t r = 0; r < NH * T; r++) {
            size_t i = r % T;
            const float *pr = P + r * T;
            float *dr = dP + r * T;
            double s = 0.0;
            for (size_t j = 0; j <= i; j++) s += (double)pr[j] * dr[j];
            float fs = (float)s;
            for (size_t j = 0; j <= i; j++) dr[j] = pr[j] * (dr[j] - fs);
            for (size_t j = i + 1; j < T; j++) dr[j] = 0.0f;
        }
        if (sw_gemm_batch_f32(dq + b * T * D, D, dP, T, 0, kb, KV, 0, T, HS, T, scale, 1.0f, &dq_bt)) bad = 1;
        for (size_t g = 0; g < G; g++)
            if (sw_gemm_batch_f32(dkb, KV, dP + g * TT, T, 1, qb + g * HS, D, 0, T, HS, T, scale, 1.0f, &kv_bt)) bad = 1;
    }
    return bad ? SWIGLU_ERR_GEMM : SWIGLU_OK;
}
