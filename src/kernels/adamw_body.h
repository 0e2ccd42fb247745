/* adamw_body.h -- the one vector AdamW body (adamw.h), instantiated per ISA
 * directory with AW_NAME and AW_W (vector width in floats); the tail runs
 * the scalar twin's loop. No FMA contraction: the same bits as ref. */
#include <math.h>
#include <string.h>
#include <immintrin.h>
#include "kernels/adamw.h"

/* no a*b+c fused into one rounding (the scalar twin has two) */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#else
#pragma GCC optimize("fp-contract=off")
#endif

typedef float aw_vec __attribute__((vector_size(AW_W * sizeof(float))));

static inline aw_vec aw_load(const float *p) { aw_vec v; memcpy(&v, p, sizeof v); return v; }
static inline void aw_store(float *p, aw_vec v) { memcpy(p, &v, sizeof v); }
/* sqrt per lane: one vsqrtps (correctly rounded, as sqrtf) */
static inline aw_vec aw_sqrt(aw_vec x)
{
#if AW_W == 16
    __m512 r = _mm512_sqrt_ps((__m512)x);
#elif AW_W == 8
    __m256 r = _mm256_sqrt_ps((__m256)x);
#else
#error "AW_W must be 8 or 16"
#endif
    return (aw_vec)r;
}

void AW_NAME(float *restrict p, float *restrict m, float *restrict v, float *restrict g,
             size_t n, const sw_adamw_coef *c, float gscale)
{
    const float b1 = c->b1, b2 = c->b2, eps = c->eps, step = c->step, rbc2 = c->rbc2, decay = c->decay;
    const float ob1 = 1.0f - b1, ob2 = 1.0f - b2;
    size_t i = 0;
    for (; i + AW_W <= n; i += AW_W) {
        aw_vec gi = aw_load(g + i);
        if (gscale != 1.0f) { gi = gi * gscale; aw_store(g + i, gi); }
        aw_vec mi = b1 * aw_load(m + i) + ob1 * gi;
        aw_vec vi = b2 * aw_load(v + i) + (ob2 * gi) * gi;
        aw_store(m + i, mi);
        aw_store(v + i, vi);
        aw_store(p + i, aw_load(p + i) * decay - (step * mi) / (aw_sqrt(vi) * rbc2 + eps));
    }
    if (i < n) sw_adamw_ref(p + i, m + i, v + i, g + i, n - i, c, gscale);
}
