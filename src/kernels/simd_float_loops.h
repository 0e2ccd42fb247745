/* simd_float_loops.h -- the loops of the single-precision kernels: the
 * unary ones (Swish forward, GELU forward and backward) and the GLU ones
 * (SwiGLU and GEGLU forward, their fused backward in overwrite mode), two
 * vectors a step, every vector a lane of which the fast path cannot serve
 * redone by the double kernels of simd_body.h. The per-vector arithmetic is
 * in simd_swiglu.h (Swish gate) and simd_gelu.h (GELU); included by
 * simd_body.h after both. Legend: n elements; g gate, u up, x input, d / dout
 * upstream gradient. */
#ifndef SW_SIMD_PREFIX
#error "include simd_float_loops.h through simd_body.h"
#endif

/* ---- GLU forward ---------------------------------------------------------- */

/* a vector the fast path cannot serve (a lane of *bad): redone in double */
static __attribute__((noinline, cold)) void swf_glu_fwd_fix(int act, float *out, const float *gi, const float *ui,
                                                            size_t i, vf gv, vf uv, const sw_gate *g)
{
    if (vf_nonfinite(gv) || vf_nonfinite(uv)) { sw_glu_fwd_tail(out, gi, ui, i, i + VF, g); return; }
    vd betad = vd_set1(g->beta), lo, hi;
    if (act == SWIGLU_ACT_GELU_ERF) {
        lo = glu_fwd_half(SWIGLU_ACT_GELU_ERF, g, vf_lo(gv), vf_lo(uv), betad);
        hi = glu_fwd_half(SWIGLU_ACT_GELU_ERF, g, vf_hi(gv), vf_hi(uv), betad);
    } else {
        lo = glu_fwd_half(SWIGLU_ACT_SWISH, g, vf_lo(gv), vf_lo(uv), betad);
        hi = glu_fwd_half(SWIGLU_ACT_SWISH, g, vf_hi(gv), vf_hi(uv), betad);
    }
    vf_store(out + i, vf_join(lo, hi));
}

/* one vector of the GLU forward with a Swish or GELU gate */
SW_INLINE vx swf_glu_any(int act, int beta1, int lp, vx gv, vx uv, vx beta, vxm *bad)
{
    if (act == SWIGLU_ACT_GELU_ERF) return swf_geglu_fwd(lp, gv, uv, bad);
    return swf_glu_fwd(beta1, lp, gv, uv, beta, bad);
}

/* Two vectors a step (the vx operations interleave them), one test of the
 * fallback masks for both; a last single vector goes through the same code
 * with its copy as the second. */
SW_INLINE void swf_glu_fwd_loop(int act, int beta1, int lp, int nt, float *out, const float *gi, const float *ui, size_t n,
                                const sw_gate *g)
{
    vx beta = vx_set1((float)g->beta);
    size_t i = 0;
    for (; i + 2 * VF <= n; i += 2 * VF) {
        swf_prefetch(gi + i);
        swf_prefetch(ui + i);
        vx gv = vx_load(gi + i), uv = vx_load(ui + i);
        vxm bad = vxm_none();
        vx o = swf_glu_any(act, beta1, lp, gv, uv, beta, &bad);
        if (__builtin_expect(vxm_any(bad), 0)) {
            if (vfm_any(bad.a)) swf_glu_fwd_fix(act, out, gi, ui, i, gv.a, uv.a, g);
            else sw_st(nt, out + i, o.a);
            if (vfm_any(bad.b)) swf_glu_fwd_fix(act, out, gi, ui, i + VF, gv.b, uv.b, g);
            else sw_st(nt, out + i + VF, o.b);
            continue;
        }
        sw_st(nt, out + i, o.a);
        sw_st(nt, out + i + VF, o.b);
    }
    if (i + VF <= n) {
        vx gv = vx_dup(vf_load(gi + i)), uv = vx_dup(vf_load(ui + i));
        vxm bad = vxm_none();
        vx o = swf_glu_any(act, beta1, lp, gv, uv, beta, &bad);
        if (__builtin_expect(vfm_any(bad.a), 0)) swf_glu_fwd_fix(act, out, gi, ui, i, gv.a, uv.a, g);
        else sw_st(nt, out + i, o.a);
        i += VF;
    }
    sw_glu_fwd_tail(out, gi, ui, i, n, g);
}

/* ---- GLU backward (overwrite) ---------------------------------------------- */

/* a vector the fast path cannot serve: redone in double; returns its dbeta
 * part that is not added to *dbacc */
static __attribute__((noinline, cold)) double swf_glu_bwd_fix(int act, float *dg, float *du, const float *dout,
                                                              const float *gi, const float *ui, size_t i,
                                                              vf gv, vf uv, vf dv, const sw_gate *g,
                                                              vd *dbacc)
{
    if (vf_nonfinite(gv) || vf_nonfinite(uv) || vf_nonfinite(dv))
        return sw_glu_bwd_tail(dg, du, dout, gi, ui, i, i + VF, g, 1);
    vd betad = vd_set1(g->beta), acc = *dbacc;
    vd glo, ghi, ulo, uhi;
    if (act == SWIGLU_ACT_GELU_ERF) {
        glu_bwd_half(SWIGLU_ACT_GELU_ERF, g, vf_lo(gv), vf_lo(uv), vf_lo(dv), betad, &glo, &ulo, &acc);
        glu_bwd_half(SWIGLU_ACT_GELU_ERF, g, vf_hi(gv), vf_hi(uv), vf_hi(dv), betad, &ghi, &uhi, &acc);
    } else {
        glu_bwd_half(SWIGLU_ACT_SWISH, g, vf_lo(gv), vf_lo(uv), vf_lo(dv), betad, &glo, &ulo, &acc);
        glu_bwd_half(SWIGLU_ACT_SWISH, g, vf_hi(gv), vf_hi(uv), vf_hi(dv), betad, &ghi, &uhi, &acc);
    }
    *dbacc = acc;
    vf_store(dg + i, vf_join(glo, ghi));
    vf_store(du + i, vf_join(ulo, uhi));
    return 0.0;
}

/* one vector of the fused backward with a Swish or GELU gate (GELU: no dbeta) */
SW_INLINE void swf_glu_bwd_any(int act, int beta1, int want_db, int lp, vx gv, vx uv, vx dv, vx beta,
                               vx *og, vx *ou, vx *ob, vxm *bad)
{
    if (act == SWIGLU_ACT_GELU_ERF) {
        swf_geglu_bwd(lp, gv, uv, dv, og, ou, bad);
        *ob = vx_set1(0.0f);
        return;
    }
    swf_glu_bwd(beta1, want_db, lp, gv, uv, dv, beta, og, ou, ob, bad);
}

/* Two vectors a step, as the forward loop. */
SW_INLINE double swf_glu_bwd_loop(int act, int beta1, int want_db, int lp, int nt, float *dg, float *du, const float *dout, const float *gi,
                                  const float *ui, size_t n, const sw_gate *g)
{
    vx beta = vx_set1((float)g->beta);
    vd dbacc = vd_set1(0.0);
    double db = 0.0;
    size_t i = 0;
    for (; i + 2 * VF <= n; i += 2 * VF) {
        swf_prefetch(gi + i);
        swf_prefetch(ui + i);
        swf_prefetch(dout + i);
        vx gv = vx_load(gi + i), uv = vx_load(ui + i), dv = vx_load(dout + i);
        vxm bad = vxm_none();
        vx og, ou, ob;
        swf_glu_bwd_any(act, beta1, want_db, lp, gv, uv, dv, beta, &og, &ou, &ob, &bad);
        /* all inputs of a vector are read before its stores: dg/du may alias g/u/dout */
        if (__builtin_expect(vxm_any(bad), 0)) {
            if (vfm_any(bad.a)) db += swf_glu_bwd_fix(act, dg, du, dout, gi, ui, i, gv.a, uv.a, dv.a, g, &dbacc);
            else {
                if (want_db) dbacc = vd_add(dbacc, vd_add(vf_lo(ob.a), vf_hi(ob.a)));
                sw_st(nt, dg + i, og.a);
                sw_st(nt, du + i, ou.a);
            }
            if (vfm_any(bad.b)) db += swf_glu_bwd_fix(act, dg, du, dout, gi, ui, i + VF, gv.b, uv.b, dv.b, g, &dbacc);
            else {
                if (want_db) dbacc = vd_add(dbacc, vd_add(vf_lo(ob.b), vf_hi(ob.b)));
                sw_st(nt, dg + i + VF, og.b);
                sw_st(nt, du + i + VF, ou.b);
            }
            continue;
        }
        if (want_db)
            dbacc = vd_add(dbacc, vd_add(vd_add(vf_lo(ob.a), vf_hi(ob.a)), vd_add(vf_lo(ob.b), vf_hi(ob.b))));
        sw_st(nt, dg + i, og.a);
        sw_st(nt, du + i, ou.a);
        sw_st(nt, dg + i + VF, og.b);
        sw_st(nt, du + i + VF, ou.b);
    }
    if (i + VF <= n) {
        vx gv = vx_dup(vf_load(gi + i)), uv = vx_dup(vf_load(ui + i)), dv = vx_dup(vf_load(dout + i));
        vxm bad = vxm_none();
        vx og, ou, ob;
        swf_glu_bwd_any(act, beta1, want_db, lp, gv, uv, dv, beta, &og, &ou, &ob, &bad);
        if (__builtin_expect(vfm_any(bad.a), 0)) {
            db += swf_glu_bwd_fix(act, dg, du, dout, gi, ui, i, gv.a, uv.a, dv.a, g, &dbacc);
        } else {
            if (want_db) dbacc = vd_add(dbacc, vd_add(vf_lo(ob.a), vf_hi(ob.a)));
            sw_st(nt, dg + i, og.a);
            sw_st(nt, du + i, ou.a);
        }
        i += VF;
    }
    db += sw_glu_bwd_tail(dg, du, dout, gi, ui, i, n, g, 1);
    return db + vd_hsum(dbacc);
}

/* ---- the single-precision unary loops: Swish (beta1: beta = 1) forward,
 * GELU forward and backward (bwd: out = dout act'(x), overwrite mode) ---- */

/* one vector: act(x), or d act'(x) */
SW_INLINE vx swf_unary(int act, int bwd, int beta1, int lp, vx x, vx d, vx beta, vxm *bad)
{
    if (bwd) return swf_gelu(lp, SWGE_F0H, x, d, bad);
    if (act == SWIGLU_ACT_GELU_ERF) return swf_gelu(lp, SWGE_R0H, x, x, bad);
    return swf_act_fwd(beta1, lp, x, beta, bad);
}

/* a vector the fast path cannot serve (a lane of *bad): redone in double,
 * or by the scalar element functions when an input is not finite */
static __attribute__((noinline, cold)) void swf_unary_fix(int act, int bwd, float *out, const float *dout,
                                                          const float *x, size_t i, vf xv, vf dv,
                                                          const sw_gate *g)
{
    vd beta = vd_set1(g->beta), da, db, lo, hi;
    if (bwd) {
        if (vf_nonfinite(xv) || vf_nonfinite(dv)) { sw_act_bwd_tail(out, dout, x, i, i + VF, g, 1); return; }
        vd dbacc = vd_set1(0.0);
        lo = bwd_half(SWIGLU_ACT_GELU_ERF, vf_lo(xv), vf_lo(dv), beta, &dbacc);
        hi = bwd_half(SWIGLU_ACT_GELU_ERF, vf_hi(xv), vf_hi(dv), beta, &dbacc);
    } else if (vf_nonfinite(xv)) {
        for (size_t k = i; k < i + VF; k++) out[k] = (float)sw_act_d(act, x[k], g->beta);
        return;
    } else if (act == SWIGLU_ACT_GELU_ERF) {
        v_act(SWIGLU_ACT_GELU_ERF, 0, vf_lo(xv), beta, &lo, &da, &db);
        v_act(SWIGLU_ACT_GELU_ERF, 0, vf_hi(xv), beta, &hi, &da, &db);
    } else {
        v_act(SWIGLU_ACT_SWISH, 0, vf_lo(xv), beta, &lo, &da, &db);
        v_act(SWIGLU_ACT_SWISH, 0, vf_hi(xv), beta, &hi, &da, &db);
    }
    vf_store(out + i, vf_join(lo, hi));
}

/* Two vectors a step (the vx operations interleave them), one test of the
 * fallback masks for both; a last single vector goes through the same code
 * with its copy as the second. Every input of a step is read before its
 * stores: out may be x or dout (in place). dout is read only when bwd. */
SW_INLINE void swf_unary_loop(int act, int bwd, int beta1, int lp, int nt, float *out, const float *dout,
                              const float *x, size_t n, const sw_gate *g)
{
    vx beta = vx_set1((float)g->beta), dv = vx_set1(0.0f);
    size_t i = 0;
    for (; i + 2 * VF <= n; i += 2 * VF) {
        swf_prefetch(x + i);
        if (bwd) swf_prefetch(dout + i);
        vx xv = vx_load(x + i);
        if (bwd) dv = vx_load(dout + i);
        vxm bad = vxm_none();
        vx o = swf_unary(act, bwd, beta1, lp, xv, dv, beta, &bad);
        if (__builtin_expect(vxm_any(bad), 0)) {
            if (vfm_any(bad.a)) swf_unary_fix(act, bwd, out, dout, x, i, xv.a, dv.a, g);
            else sw_st(nt, out + i, o.a);
            if (vfm_any(bad.b)) swf_unary_fix(act, bwd, out, dout, x, i + VF, xv.b, dv.b, g);
            else sw_st(nt, out + i + VF, o.b);
            continue;
        }
        sw_st(nt, out + i, o.a);
        sw_st(nt, out + i + VF, o.b);
    }
    if (i + VF <= n) {
        vx xv = vx_dup(vf_load(x + i));
        if (bwd) dv = vx_dup(vf_load(dout + i));
        vxm bad = vxm_none();
        vx o = swf_unary(act, bwd, beta1, lp, xv, dv, beta, &bad);
        if (__builtin_expect(vfm_any(bad.a), 0)) swf_unary_fix(act, bwd, out, dout, x, i, xv.a, dv.a, g);
        else sw_st(nt, out + i, o.a);
        i += VF;
    }
    if (bwd) sw_act_bwd_tail(out, dout, x, i, n, g, 1);
    else for (; i < n; i++) out[i] = (float)sw_act_d(act, x[i], g->beta);
}
