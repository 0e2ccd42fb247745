/* attention.c -- causal multi-head attention (grouped-query when NKV < NH),
 * forward and backward, on the GEMM interface, one (batch, head) at a time.
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
 * The backward runs over (b, c) pairs so that the G heads sharing a kv head
 * add into dK_c, dV_c in order on one thread: no races, fixed sums.
 */
#include <math.h>
#include <string.h>
#include "gemm/gemm.h"
#include "model/layers.h"
#ifdef _OPENMP
#include <omp.h>
#endif

/* Row-wise causal softmax of att [T x T] in place. */
static void causal_softmax(float *att, size_t T)
{
    for (size_t i = 0; i < T; i++) {
        float *r = att + i * T;
        float mx = r[0];
        for (size_t j = 1; j <= i; j++) mx = r[j] > mx ? r[j] : mx;
        double sum = 0.0;
        for (size_t j = 0; j <= i; j++) { r[j] = expf(r[j] - mx); sum += r[j]; }
        float inv = (float)(1.0 / sum);
        for (size_t j = 0; j <= i; j++) r[j] *= inv;
        for (size_t j = i + 1; j < T; j++) r[j] = 0.0f;
    }
}

swiglu_status sw_attention_forward(float *y, float *att, const float *q, const float *k,
                                   const float *v, size_t B, size_t T, size_t NH,
                                   size_t NKV, size_t HS, int nth)
{
    if (NKV == 0 || NH % NKV) return SWIGLU_ERR_ARG;
    size_t D = NH * HS, KV = NKV * HS, G = NH / NKV;
    float scale = (float)(1.0 / sqrt((double)HS));
    int bad = 0;
    long long jobs = (long long)(B * NH);
    SW_PRAGMA(omp parallel for num_threads(nth) schedule(static) reduction(max:bad) if (jobs * T * T * HS > SW_PAR_MIN))
    for (long long job = 0; job < jobs; job++) {
        size_t b = (size_t)job / NH, h = (size_t)job % NH, c = h / G;
        const float *qh = q + b * T * D + h * HS;
        const float *kc = k + b * T * KV + c * HS;
        const float *vc = v + b * T * KV + c * HS;
        float *P = att + (b * NH + h) * T * T;
        /* S [T x T] = scale * Q_h [T x HS] . K_c^T [HS x T] */
        if (sw_gemm_f32(P, T, qh, D, 0, kc, KV, 1, T, T, HS, scale, 0.0f)) bad = 1;
        causal_softmax(P, T);
        /* Y_h [T x HS] = P [T x T] . V_c [T x HS] */
        if (sw_gemm_f32(y + b * T * D + h * HS, D, P, T, 0, vc, KV, 0, T, HS, T, 1.0f, 0.0f)) bad = 1;
    }
    return bad ? SWIGLU_ERR_GEMM : SWIGLU_OK;
}

swiglu_status sw_attention_backward(float *dq, float *dk, float *dv, float *scratch,
                                    const float *dy, const float *att, const float *q,
                                    const float *k, const float *v, size_t B, size_t T,
                                    size_t NH, size_t NKV, size_t HS, int nth)
{
    if (NKV == 0 || NH % NKV) return SWIGLU_ERR_ARG;
    size_t D = NH * HS, KV = NKV * HS, G = NH / NKV;
    float scale = (float)(1.0 / sqrt((double)HS));
    int bad = 0;
    long long jobs = (long long)(B * NKV);
    SW_PRAGMA(omp parallel for num_threads(nth) schedule(static) reduction(max:bad) if (jobs * T * T * HS > SW_PAR_MIN))
    for (long long job = 0; job < jobs; job++) {
        int ith = 0;
#ifdef _OPENMP
        ith = omp_get_thread_num();
#endif
        float *dP = scratch + (size_t)ith * T * T;   /* [T x T] */
        size_t b = (size_t)job / NKV, c = (size_t)job % NKV;
        const float *kc = k + b * T * KV + c * HS, *vc = v + b * T * KV + c * HS;
        float *dkc = dk + b * T * KV + c * HS, *dvc = dv + b * T * KV + c * HS;
        for (size_t h = c * G; h < (c + 1) * G; h++) {
            const float *P = att + (b * NH + h) * T * T;
            const float *dyh = dy + b * T * D + h * HS, *qh = q + b * T * D + h * HS;
            float *dqh = dq + b * T * D + h * HS;
            /* dP [T x T] = dY_h [T x HS] . V_c^T */
            if (sw_gemm_f32(dP, T, dyh, D, 0, vc, KV, 1, T, T, HS, 1.0f, 0.0f)) bad = 1;
            /* dV_c [T x HS] += P^T [T x T] . dY_h [T x HS] */
            if (sw_gemm_f32(dvc, KV, P, T, 1, dyh, D, 0, T, HS, T, 1.0f, 1.0f)) bad = 1;
            /* dS = P (dP - rowsum(P dP)), in place in dP; zero above the diagonal */
            for (size_t i = 0; i < T; i++) {
                const float *pr = P + i * T;
                float *dr = dP + i * T;
                double s = 0.0;
                for (size_t j = 0; j <= i; j++) s += (double)pr[j] * dr[j];
                float fs = (float)s;
                for (size_t j = 0; j <= i; j++) dr[j] = pr[j] * (dr[j] - fs);
                for (size_t j = i + 1; j < T; j++) dr[j] = 0.0f;
            }
            /* dQ_h [T x HS] += scale dS [T x T] . K_c [T x HS] */
            if (sw_gemm_f32(dqh, D, dP, T, 0, kc, KV, 0, T, HS, T, scale, 1.0f)) bad = 1;
            /* dK_c [T x HS] += scale dS^T [T x T] . Q_h [T x HS] */
            if (sw_gemm_f32(dkc, KV, dP, T, 1, qh, D, 0, T, HS, T, scale, 1.0f)) bad = 1;
        }
    }
    return bad ? SWIGLU_ERR_GEMM : SWIGLU_OK;
}
