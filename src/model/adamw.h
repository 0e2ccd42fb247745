/* adamw.h -- the AdamW update (PyTorch's form), the one optimizer step of
 * the trainer and of the lab's expressivity task: model's door to it (the
 * layers themselves, model/layers.h, stay private to src/model/).
 * p *= 1 - lr*wd;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
 * p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps);  t >= 1.
 * Elementwise over n values, nth threads; the result does not depend on nth.
 */
#ifndef SW_MODEL_ADAMW_H
#define SW_MODEL_ADAMW_H
#include <stddef.h>
#include "kernels/adamw.h"

void sw_adamw_update(float *p, float *m, float *v, const float *g, size_t n,
                     float lr, float b1, float b2, float eps, float wd, long long t, int nth);

/* The same update in pieces, for a caller that runs its own parallel region
 * over many tensors (the trainer: one region for the whole step's tail).
 * The step's constants, once: */
/* sw_adamw_coef: kernels/adamw.h (the per-ISA kernels run the span) */
void sw_adamw_coef_init(sw_adamw_coef *c, float lr, float b1, float b2, float eps, float wd, long long t);
/* n values on the calling thread; g is first scaled by gscale in place
 * (gradient clipping; 1: untouched), so g ends as the gradient that was used. */
void sw_adamw_span(float *p, float *m, float *v, float *g, size_t n, const sw_adamw_coef *c, float gscale);

#endif
