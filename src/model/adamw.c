/* adamw.c -- the AdamW update, in PyTorch's order (decoupled weight decay
 * first, then the bias-corrected Adam step). Elementwise: threads split the
 * range, results do not depend on the thread count.
 *   p *= 1 - lr wd
 *   m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2
 *   p -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 */
#include <math.h>
#include "model/layers.h"

void sw_adamw_update(float *p, float *m, float *v, const float *g, size_t n,
                     float lr, float b1, float b2, float eps, float wd, long long t, int nth)
{
    double bc1 = 1.0 - pow((double)b1, (double)t), bc2 = 1.0 - pow((double)b2, (double)t);
    float step = (float)((double)lr / bc1), rbc2 = (float)(1.0 / sqrt(bc2));
    float decay = 1.0f - lr * wd;
    SW_PRAGMA(omp parallel for num_threads(nth) schedule(static) if (n > SW_PAR_MIN))
    for (size_t i = 0; i < n; i++) {
        float gi = g[i];
        float mi = b1 * m[i] + (1.0f - b1) * gi;
        float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
        m[i] = mi; v[i] = vi;
        p[i] = p[i] * decay - step * mi / (sqrtf(vi) * rbc2 + eps);
    }
}
