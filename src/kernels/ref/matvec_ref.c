/* matvec_ref.c -- matvec.h's y = W x in plain scalar C (the fallback), with
 * four accumulators per row for latency; summation order is fixed. */
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
