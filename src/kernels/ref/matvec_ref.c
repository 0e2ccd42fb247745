/* matvec_ref.c -- matvec.h in plain scalar C (the fallback): y = W x with
 * four accumulators per row for latency; summation order is fixed. */
#include <math.h>
#include "kernels/matvec.h"

void sw_matvec_ref(float *restrict y, const float *restrict W, const float *restrict x,
                   size_t cols, size_t r0, size_t r1)
{
    for (size_t i = r0; i < r1; i++) {
        const float *w = W + i * cols;
        float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;
        size_t j = 0;
        for (; j + 4 <= cols; j += 4) {
            a0 += w[j] * x[j]; a1 += w[j + 1] * x[j + 1];
            a2 += w[j + 2] * x[j + 2]; a3 += w[j + 3] * x[j + 3];
        }
        for (; j < cols; j++) a0 += w[j] * x[j];
        y[i] = (a0 + a1) + (a2 + a3);
    }
}

/* matvec.h's attention head, scalar, exactly llama2.c's order of operations. */
void sw_attn_ref(float *restrict out, float *restrict att, const float *restrict q,
                 const float *restrict K, const float *restrict Vc, size_t stride, size_t n, size_t hs)
{
    const float root = sqrtf((float)hs);
    float mx = -INFINITY, sum = 0.0f;
    for (size_t t = 0; t < n; t++) {
        const float *k = K + t * stride;
        float s = 0.0f;
        for (size_t i = 0; i < hs; i++) s += q[i] * k[i];
        att[t] = s / root;
        if (att[t] > mx) mx = att[t];
    }
    for (size_t t = 0; t < n; t++) { att[t] = expf(att[t] - mx); sum += att[t]; }
    for (size_t t = 0; t < n; t++) att[t] /= sum;
    for (size_t i = 0; i < hs; i++) out[i] = 0.0f;
    for (size_t t = 0; t < n; t++) {
        const float *v = Vc + t * stride;
        const float a = att[t];
        for (size_t i = 0; i < hs; i++) out[i] += a * v[i];
    }
}

/* matvec.h's softmax, scalar: max, e^(x - max) by expf, sum in order, times 1/sum. */
void sw_softmax_ref(float *restrict x, size_t n)
{
    float mx = -INFINITY, sum = 0.0f;
    for (size_t t = 0; t < n; t++) if (x[t] > mx) mx = x[t];
    for (size_t t = 0; t < n; t++) { x[t] = expf(x[t] - mx); sum += x[t]; }
    const float inv = 1.0f / sum;
    for (size_t t = 0; t < n; t++) x[t] *= inv;
}
