/* adamw.h -- the AdamW update over a span of parameters, one implementation
 * per ISA directory (ref/, avx2/, avx512/), the arithmetic of
 * src/model/adamw.c (PyTorch's order):
 *   g *= gscale (in place, when gscale != 1: gradient clipping)
 *   m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2
 *   p = p decay - step m / (sqrt(v) rbc2 + eps)
 * The vector bodies (adamw_body.h, GCC vector extensions) do the same float
 * operations in the same order without contraction into FMAs (sqrt and
 * division are correctly rounded in every ISA), so every ISA gives the
 * scalar twin's bits: tests/test_layers.c checks it. Used by src/model/
 * only; chosen per ISA in kernel_table.c. */
#ifndef SW_KERNELS_ADAMW_H
#define SW_KERNELS_ADAMW_H
#include <stddef.h>
#include "swiglu.h"

typedef struct sw_adamw_coef {
    float b1, b2, eps;
    float step;    /* lr / (1 - b1^t) */
    float rbc2;    /* 1 / sqrt(1 - b2^t) */
    float decay;   /* 1 - lr wd */
} sw_adamw_coef;

/* p, m, v, g [n] */
typedef void (*sw_adamw_fn)(float *restrict p, float *restrict m, float *restrict v, float *restrict g,
                            size_t n, const sw_adamw_coef *c, float gscale);
void sw_adamw_ref(float *restrict p, float *restrict m, float *restrict v, float *restrict g,
                  size_t n, const sw_adamw_coef *c, float gscale);
void sw_adamw_avx2(float *restrict p, float *restrict m, float *restrict v, float *restrict g,
                   size_t n, const sw_adamw_coef *c, float gscale);
void sw_adamw_avx512(float *restrict p, float *restrict m, float *restrict v, float *restrict g,
                     size_t n, const sw_adamw_coef *c, float gscale);
sw_adamw_fn sw_adamw_for(swiglu_isa isa);

#endif
