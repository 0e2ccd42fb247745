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

void sw_adamw_update(float *p, float *m, float *v, const float *g, size_t n,
                     float lr, float b1, float b2, float eps, float wd, long long t, int nth);

#endif
