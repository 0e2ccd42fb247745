/* rope.c -- rotary position embedding, llama2.c's form: within each head the
 * adjacent pair (x_2i, x_2i+1) at position t turns by angle a = t * freq_i,
 * freq_i = theta^(-2i/HS):
 *   x'_2i   = x_2i cos a - x_2i+1 sin a
 *   x'_2i+1 = x_2i sin a + x_2i+1 cos a
 * A rotation is orthogonal: the backward applies the transpose (angle -a).
 * Legend: B batch, T positions, nh heads, HS head size (even). */
#include <math.h>
#include "model/layers.h"

/* cos_t, sin_t [T x HS/2] */
void sw_rope_tables(float *cos_t, float *sin_t, size_t T, size_t HS, float theta)
{
    size_t P = HS / 2;
    for (size_t t = 0; t < T; t++)
        for (size_t i = 0; i < P; i++) {
            double freq = pow((double)theta, -(double)(2 * i) / (double)HS);
            double a = (double)t * freq;
            cos_t[t * P + i] = (float)cos(a);
            sin_t[t * P + i] = (float)sin(a);
        }
}

/* x [B*T x nh*HS] in place; sign = +1 forward, -1 backward */
static void rope_apply(float *x, const float *cos_t, const float *sin_t,
                       size_t B, size_t T, size_t nh, size_t HS, float sign)
{
    size_t P = HS / 2, C = nh * HS;
    int nth = swiglu_threads_get();
    SW_PRAGMA(omp parallel for num_threads(nth) schedule(static) if (B * T * C > SW_PAR_MIN))
    for (size_t n = 0; n < B * T; n++) {
        size_t t = n % T;
        const float *c = cos_t + t * P, *s = sin_t + t * P;
        float *row = x + n * C;
        for (size_t h = 0; h < nh; h++) {
            float *xh = row + h * HS;
            for (size_t i = 0; i < P; i++) sw_rope_rotate(xh + 2 * i, c[i], sign * s[i]);
        }
    }
}

void sw_rope_forward(float *x, const float *cos_t, const float *sin_t,
                     size_t B, size_t T, size_t nh, size_t HS)
{
    rope_apply(x, cos_t, sin_t, B, T, nh, HS, 1.0f);
}

void sw_rope_backward(float *dx, const float *cos_t, const float *sin_t,
                      size_t B, size_t T, size_t nh, size_t HS)
{
    rope_apply(dx, cos_t, sin_t, B, T, nh, HS, -1.0f);
}
