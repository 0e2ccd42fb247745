/* glu_ref.c -- the scalar reference kernels: plain loops over the element
 * functions of act_scalar.h. Compiled without ISA flags. The oracle of the
 * tests, the fallback for CPUs without AVX2, and the reader's documentation.
 * Legend: n elements; g gate, u up. */
#include "kernels/kernels.h"
#include "kernels/act_scalar.h"
#include "kernels/glu_scalar.h"
#include "core/bf16.h"

static void act_fwd_ref(float *out, const float *x, size_t n, const sw_gate *g)
{
    for (size_t i = 0; i < n; i++) out[i] = (float)sw_act_d(g->act, x[i], g->beta);
}

static double act_bwd_ref(float *dx, const float *dout, const float *x, size_t n,
                          const sw_gate *g, int overwrite)
{
    return sw_act_bwd_tail(dx, dout, x, 0, n, g, overwrite);
}

static void glu_fwd_ref(float *out, const float *gi, const float *ui, size_t n, const sw_gate *g)
{
    sw_glu_fwd_tail(out, gi, ui, 0, n, g);
}

static double glu_bwd_ref(float *dg, float *du, const float *dout, const float *gi,
                          const float *ui, size_t n, const sw_gate *g, int overwrite)
{
    return sw_glu_bwd_tail(dg, du, dout, gi, ui, 0, n, g, overwrite);
}

static void to_bf16_ref(uint16_t *dst, const float *src, size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] = sw_f32_to_bf16(src[i]);
}

static void from_bf16_ref(float *dst, const uint16_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] = sw_bf16_to_f32(src[i]);
}

const sw_kernels sw_kernels_ref = {"ref", act_fwd_ref, act_bwd_ref, glu_fwd_ref, glu_bwd_ref,
                                   to_bf16_ref, from_bf16_ref};
