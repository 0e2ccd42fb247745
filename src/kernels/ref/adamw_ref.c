/* adamw_ref.c -- adamw.h in plain scalar C: the oracle of the vector bodies. */
#include <math.h>
#include "kernels/adamw.h"

void sw_adamw_ref(float *restrict p, float *restrict m, float *restrict v, float *restrict g,
                  size_t n, const sw_adamw_coef *c, float gscale)
{
    const float b1 = c->b1, b2 = c->b2, eps = c->eps, step = c->step, rbc2 = c->rbc2, decay = c->decay;
    const float ob1 = 1.0f - b1, ob2 = 1.0f - b2;
    for (size_t i = 0; i < n; i++) {
        float gi = g[i];
        if (gscale != 1.0f) { gi = gi * gscale; g[i] = gi; }
        float mi = b1 * m[i] + ob1 * gi;
        float vi = b2 * v[i] + (ob2 * gi) * gi;
        m[i] = mi; v[i] = vi;
        p[i] = p[i] * decay - (step * mi) / (sqrtf(vi) * rbc2 + eps);
    }
}
