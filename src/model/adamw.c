/* adamw.c -- the AdamW update, in PyTorch's order (decoupled weight decay
 * first, then the bias-corrected Adam step). Elementwise: threads split the
 * range, results do not depend on the thread count.
 *   p *= 1 - lr wd
 *   m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2
 *   p -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 */
#include <math.h>
#include <stdint.h>
#include "model/adamw.h"
#include "model/layers.h"

void sw_adamw_coef_init(sw_adamw_coef *c, float lr, float b1, float b2, float eps, float wd, long long t)
{
    double bc1 = 1.0 - pow((double)b1, (double)t), bc2 = 1.0 - pow((double)b2, (double)t);
    c->b1 = b1; c->b2 = b2; c->eps = eps;
    c->step = (float)((double)lr / bc1);
    c->rbc2 = (float)(1.0 / sqrt(bc2));
    c->decay = 1.0f - lr * wd;
}

void sw_adamw_span(float *p, float *m, float *v, float *g, size_t n, const sw_adamw_coef *c, float gscale)
{
    sw_adamw_for(swiglu_isa_active())(p, m, v, g, n, c, gscale);
}

void sw_adamw_update(float *p, float *m, float *v, const float *g, size_t n,
                     float lr, float b1, float b2, float eps, float wd, long long t, int nth)
{
    sw_adamw_coef c;
    sw_adamw_coef_init(&c, lr, b1, b2, eps, wd, t);
    const size_t chunk = 4096;
    long long chunks = (long long)((n + chunk - 1) / chunk);
    SW_PRAGMA(omp parallel for num_threads(nth) schedule(static) if (n > SW_PAR_MIN))
    for (long long k = 0; k < chunks; k++) {
        size_t b = (size_t)k * chunk, e = b + chunk < n ? b + chunk : n;
        /* g is read only: gscale 1 leaves it untouched */
        sw_adamw_span(p + b, m + b, v + b, (float *)(uintptr_t)(g + b), e - b, &c, 1.0f);
    }
}
