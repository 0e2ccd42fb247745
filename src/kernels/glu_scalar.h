/* glu_scalar.h -- scalar loops over elements [i0, n) built from the element
 * functions of act_scalar.h: the whole of the reference kernels, and the tail
 * of every SIMD kernel (so a tail element is computed exactly as ref does).
 *
 * GLU element, general (clamped) form, with g' = min(g, L), u' = clamp(u, -L, L) + shift:
 *   out   = act(g') u'
 *   dg    = dout u' act'(g') [g <= L]      (the clamp passes gradient where it is inactive)
 *   du    = dout act(g') [-L <= u <= L]
 * A zero factor act' or mask gives a zero gradient even against an inf or NaN
 * upstream (as PyTorch's relu and clamp backward do).
 *   dbeta = dout u' d act/d beta (g')
 * Without clamping g' = g, u' = u and the masks are 1. */
#ifndef SW_KERNELS_GLU_SCALAR_H
#define SW_KERNELS_GLU_SCALAR_H

#include "kernels/kernels.h"
#include "kernels/act_scalar.h"

static inline double sw_act_bwd_tail(float *dx, const float *dout, const float *x,
                                     size_t i0, size_t n, const sw_gate *g, int overwrite)
{
    double db = 0.0;
    for (size_t i = i0; i < n; i++) {
        double da = sw_dact_d(g->act, x[i], g->beta);
        double d = da == 0 ? 0.0 : (double)dout[i] * da;
        if (g->act == SWIGLU_ACT_SWISH) db += (double)dout[i] * sw_dact_dbeta_d(g->act, x[i], g->beta);
        dx[i] = overwrite ? (float)d : (float)((double)dx[i] + d);
    }
    return db;
}

static inline void sw_glu_fwd_tail(float *out, const float *gi, const float *ui,
                                   size_t i0, size_t n, const sw_gate *g)
{
    for (size_t i = i0; i < n; i++) {
        double gv = gi[i], uv = ui[i];
        if (g->clamp) {
            gv = gv > g->limit ? g->limit : gv;
            uv = (uv > g->limit ? g->limit : (uv < -g->limit ? -g->limit : uv)) + g->shift;
        }
        out[i] = (float)(sw_act_d(g->act, gv, g->beta) * uv);
    }
}

static inline double sw_glu_bwd_tail(float *dg, float *du, const float *dout, const float *gi,
                                     const float *ui, size_t i0, size_t n, const sw_gate *g,
                                     int overwrite)
{
    double db = 0.0;
    for (size_t i = i0; i < n; i++) {
        double gv = gi[i], uv = ui[i], d = dout[i];
        double mg = 1.0, mu = 1.0;
        if (g->clamp) {
            mg = gv <= g->limit ? 1.0 : 0.0;
            mu = (uv >= -g->limit && uv <= g->limit) ? 1.0 : 0.0;
            gv = gv > g->limit ? g->limit : gv;
            uv = (uv > g->limit ? g->limit : (uv < -g->limit ? -g->limit : uv)) + g->shift;
        }
        double a = sw_act_d(g->act, gv, g->beta);
        double da = sw_dact_d(g->act, gv, g->beta);
        double dgv = (mg == 0 || da == 0) ? 0.0 : d * uv * da;
        double duv = mu == 0 ? 0.0 : d * a;
        if (g->act == SWIGLU_ACT_SWISH) db += d * uv * sw_dact_dbeta_d(g->act, gv, g->beta);
        /* read both inputs of element i before writing: dg/du may alias g/u/dout */
        if (overwrite) { dg[i] = (float)dgv; du[i] = (float)duv; }
        else { dg[i] = (float)((double)dg[i] + dgv); du[i] = (float)((double)du[i] + duv); }
    }
    return db;
}

#endif
