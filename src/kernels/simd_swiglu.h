/* simd_swiglu.h -- the fast Swish gate: SwiGLU forward out = g sigmoid(beta g) u
 * (and Swish forward, u = 1) in single precision on VF float lanes, with
 * compensated (float pair) arithmetic where the rounding would otherwise
 * show, rounded once at the end. Included by simd_body.h, after the double
 * kernels, which stay the fallback for every vector this path cannot serve.
 *
 * The ISA file provides, besides simd_body.h's list (vfm: a VF-lane mask):
 *   vf_set1 vf_add vf_sub vf_mul vf_fma(a,b,c)=ab+c vf_fms(a,b,c)=ab-c
 *   vf_max vf_min vf_abs vf_neg vf_negabs(a) = -|a|
 *   vf_rcp(d) ~ 1/d for d in [1, 2]: relative error <= 2^-14 (rcp14, or rcp + Newton)
 *   vf_lt vf_ne (masks) vf_sel(m, a, b) = m ? a : b  vfm_or vfm_and vfm_any
 *   vf_isnonfinite(a) -> mask of the inf/NaN lanes
 *   vf_xsign(a, b, c) = |a| with the sign bit of b XOR c
 *   vf_tbl(t, kf): t[k mod 2^VF_TBITS] for the integer k that vf_kbits(kf)
 *     holds (t holds 2^VF_TBITS floats)
 *   vf_pow2k(kf) = 2^floor(k / 2^VF_TBITS) for that k, as a float (k >= -127 2^TBITS)
 *
 * Algorithm (lanes are independent; g, u finite floats):
 *   z = beta g exactly, as the pair z + zl (zl = fma(beta, g, -z); zl = 0 for beta = 1)
 *   e = exp(-|z + zl|) = 2^m 2^(j/2^TB) (1 + t),  |z| clamped to 87 (below exp(-87)
 *       the sigmoid of a positive z is 1 to 2^-125: the result cannot change)
 *       k = round(-|z| 2^TB / ln2), j = k mod 2^TB, m = floor(k / 2^TB)
 *       r = -|z| - k ln2/2^TB (Cody-Waite: ln2 = C1 + C2, C1 with 9 bits, so k C1
 *           is exact for |k| < 2^15 and -|z| - k C1 is exact by Sterbenz) - sign(z) zl
 *       |r| <= ln2/2^(TB+1) (+ rounding): 0.0217 (TB = 4) or 0.0434 (TB = 3)
 *       t = expm1(r) by Taylor to degree 5: truncation |r|^6/720 < 1e-11
 *       2^(j/2^TB) = T_hi + T_lo (two floats: 2^-48 relative)
 *       e = e_hi + e_lo = 2^m (T_hi + fma(T_hi, t, T_lo)), renormalized by Fast2Sum
 *       (|e_lo| <= 2^-24 e_hi: the quotient below needs D_lo small)
 *     relative error of e_hi + e_lo: r's two roundings (<= 2^-29 each, TB = 3;
 *       2^-30, TB = 4), C2's rounding times k (< 2^-36 for |z| <= 87), the
 *       rounding of fma(T_hi, t, T_lo) (< 2^-28.5 of e), truncation: < 2^-27 in all.
 *   D = 1 + e as the pair D_hi = fl(1 + e_hi), D_lo = ((1 - D_hi) + e_hi) + e_lo
 *       (Fast2Sum, exact; then e_lo's rounding: 2^-24 of 2^-5 e)
 *   sigmoid(z) = N/D, N = 1 (z >= 0) or e (z < 0): q0 = N_hi y, y = vf_rcp(D_hi),
 *       q1 = y ((N_hi - q0 D_hi) - q0 D_lo + N_lo) (residual by FMA): q0 + q1 is
 *       N/D to (2^-14)^2 + 2^-47 = 2^-28 relative.
 *   a = g sigmoid(z) as the pair a_hi = fl(g q0), a_lo = fma(g, q0, -a_hi) + g q1
 *   out = fma(a_hi, u, a_lo u): one rounding of a u to within 2^-26 relative.
 *   The sign of out is sign(g) XOR sign(u) always (sigmoid > 0), also for zeros.
 * Total: the exact value times (1 + d), |d| < 2^-27 + 2^-28 + 2^-26 ~ 2^-25, then
 * one rounding: |error| < 0.5 + 2^-25 2^24 = 0.5 + 0.5 ... measured 0.6 ulp
 * (dev/swiglu_kernel_bench.c acc): always one of the two floats around the
 * exact result (faithful), the double path's ~0.5 ulp to within 1 ulp.
 *
 * A vector goes to the double kernel (simd_body.h's glu_fwd_half, or the
 * scalar element functions) when a lane
 *   - has z < -69 (e < 2^-99: e_lo could lose its bits to denormals),
 *   - has 0 < |a_hi| < 2^-100 (a_lo would: denormal g, or a tiny g sigma),
 *   - has 0 < |out| < 2^-100 (a_lo u would),
 *   - gives a non-finite out (an inf or NaN input, or an overflow).
 * None of these happen to the gate values of a working network.
 */
#ifndef SW_SIMD_PREFIX
#error "include simd_swiglu.h through simd_body.h"
#endif

/* 2^(j/16) = hi + lo, j = 0..15 (hi: float(2^(j/16)); lo: float(2^(j/16) - hi)) */
static const float sw_exp2_16_hi[16] = {
    0x1.000000p+0f, 0x1.0b5586p+0f, 0x1.172b84p+0f, 0x1.2387a6p+0f, 0x1.306fe0p+0f, 0x1.3dea64p+0f,
    0x1.4bfdaep+0f, 0x1.5ab07ep+0f, 0x1.6a09e6p+0f, 0x1.7a1148p+0f, 0x1.8ace54p+0f, 0x1.9c4918p+0f,
    0x1.ae89fap+0f, 0x1.c199bep+0f, 0x1.d5818ep+0f, 0x1.ea4afap+0f};
static const float sw_exp2_16_lo[16] = {
    0x0.0p+0f, 0x1.9f3122p-25f, -0x1.c15742p-27f, 0x1.ceac48p-25f, 0x1.4636e2p-25f, 0x1.824684p-25f,
    -0x1.593abcp-25f, -0x1.5bd5ecp-27f, 0x1.9fcef4p-26f, -0x1.829fd0p-25f, 0x1.15506ep-27f,
    0x1.51f848p-27f, -0x1.a94b14p-26f, -0x1.3d56b2p-27f, -0x1.822dbcp-27f, 0x1.52486cp-27f};

#define SWF_SHIFT 0x1.8p23f           /* 1.5 2^23: fma(x, c, SHIFT) - SHIFT rounds to an integer */
#define SWF_LN2_C1 0.693359375f       /* ln2 = C1 + C2, C1 with 9 significant bits */
#define SWF_LN2_C2 -0x1.bd0106p-13f
#define SWF_ZNEG (-69.0f)             /* z below: the double kernel (e < 2^-99) */
#define SWF_ATINY 0x1p-100f           /* |g sigma| below (and nonzero): the double kernel */

/* lanes with 0 < |x| < 2^-100 */
SW_INLINE vfm swf_tiny(vf x)
{
    return vfm_and(vf_lt(vf_abs(x), vf_set1(SWF_ATINY)), vf_ne(x, vf_set1(0.0f)));
}

/* sigmoid(beta g) g as the pair (*a_hi, *a_lo); *bad |= lanes this path cannot serve.
 * beta1: beta == 1 (a compile-time constant at every call site). */
SW_INLINE void swf_gsig(int beta1, vf g, vf beta, vf *a_hi, vf *a_lo, vfm *bad)
{
    vf one = vf_set1(1.0f), zero = vf_set1(0.0f);
    vf z = beta1 ? g : vf_mul(beta, g);
    vfm neg = vf_lt(z, zero);
    vf w = vf_max(vf_negabs(z), vf_set1(-87.0f));          /* -|z|, clamped */
    vf kf = vf_fma(w, vf_set1((float)(1 << VF_TBITS) * 0x1.715476p+0f), vf_set1(SWF_SHIFT));
    vf k = vf_sub(kf, vf_set1(SWF_SHIFT));
    vf r = vf_fma(k, vf_set1(-SWF_LN2_C1 / (float)(1 << VF_TBITS)), w);
    r = vf_fma(k, vf_set1(-SWF_LN2_C2 / (float)(1 << VF_TBITS)), r);
    if (!beta1) {
        /* exp(-|z + zl|) = exp(-|z| - sign(z) zl) */
        vf zl = vf_fms(beta, g, z);
        r = vf_add(r, vf_sel(neg, zl, vf_neg(zl)));
        /* |z| > 87 was clamped and its zl (up to 2^-24 |z|) is meaningless:
         * keep r in range (a no-op for every other lane) */
        r = vf_min(vf_max(r, vf_set1(-0.0625f)), vf_set1(0.0625f));
    }
    /* expm1(r) = r + r^2 (1/2 + r/6 + r^2/24 + r^3/120) */
    vf p = vf_fma(r, vf_set1(1.0f / 120), vf_set1(1.0f / 24));
    p = vf_fma(p, r, vf_set1(1.0f / 6));
    p = vf_fma(p, r, vf_set1(0.5f));
    vf t = vf_fma(vf_mul(r, r), p, r);
    vf thi = vf_tbl(sw_exp2_16_hi, kf), tlo = vf_tbl(sw_exp2_16_lo, kf);
    vf s = vf_pow2k(kf);
    vf el = vf_fma(thi, t, tlo);                            /* |el| < 2^-3.5 thi */
    vf eh = vf_add(thi, el);
    el = vf_add(vf_sub(thi, eh), el);                       /* Fast2Sum: eh + el exact */
    vf e_hi = vf_mul(eh, s), e_lo = vf_mul(el, s);
    vf d_hi = vf_add(one, e_hi);
    vf d_lo = vf_add(vf_add(vf_sub(one, d_hi), e_hi), e_lo);
    vf n_hi = vf_sel(neg, e_hi, one), n_lo = vf_sel(neg, e_lo, zero);
    vf y = vf_rcp(d_hi);
    vf q0 = vf_mul(n_hi, y);
    vf rho = vf_fnma(q0, d_hi, n_hi);
    rho = vf_add(vf_fnma(q0, d_lo, rho), n_lo);
    vf q1 = vf_mul(rho, y);
    vf ah = vf_mul(g, q0);
    *a_hi = ah;
    *a_lo = vf_fma(g, q1, vf_fms(g, q0, ah));
    *bad = vfm_or(*bad, vfm_or(swf_tiny(ah), vf_lt(z, vf_set1(SWF_ZNEG))));
}

/* out = g sigmoid(beta g) u, rounded once; *bad: lanes to redo in double */
SW_INLINE vf swf_glu_fwd(int beta1, vf g, vf u, vf beta, vfm *bad)
{
    vf ah, al;
    swf_gsig(beta1, g, beta, &ah, &al, bad);
    vf out = vf_xsign(vf_fma(ah, u, vf_mul(al, u)), g, u);
    *bad = vfm_or(*bad, vfm_or(vf_isnonfinite(out), swf_tiny(out)));
    return out;
}

/* out = g sigmoid(beta g) (Swish), rounded once */
SW_INLINE vf swf_act_fwd(int beta1, vf g, vf beta, vfm *bad)
{
    vf ah, al;
    swf_gsig(beta1, g, beta, &ah, &al, bad);
    vf out = vf_xsign(vf_add(ah, al), g, vf_set1(1.0f));
    *bad = vfm_or(*bad, vfm_or(vf_isnonfinite(out), swf_tiny(out)));
    return out;
}

SW_INLINE void swf_glu_fwd_loop(int beta1, float *out, const float *gi, const float *ui, size_t n,
                                const sw_gate *g)
{
    vf beta = vf_set1((float)g->beta);
    vd betad = vd_set1(g->beta);
    size_t i = 0;
    for (; i + VF <= n; i += VF) {
        vf gv = vf_load(gi + i), uv = vf_load(ui + i);
        vfm bad = vfm_none();
        vf o = swf_glu_fwd(beta1, gv, uv, beta, &bad);
        if (__builtin_expect(vfm_any(bad), 0)) {
            if (vf_nonfinite(gv) || vf_nonfinite(uv)) { sw_glu_fwd_tail(out, gi, ui, i, i + VF, g); continue; }
            vd lo = glu_fwd_half(SWIGLU_ACT_SWISH, g, vf_lo(gv), vf_lo(uv), betad);
            vd hi = glu_fwd_half(SWIGLU_ACT_SWISH, g, vf_hi(gv), vf_hi(uv), betad);
            o = vf_join(lo, hi);
        }
        vf_store(out + i, o);
    }
    sw_glu_fwd_tail(out, gi, ui, i, n, g);
}

SW_INLINE void swf_act_fwd_loop(int beta1, float *out, const float *x, size_t n, const sw_gate *g)
{
    vf beta = vf_set1((float)g->beta);
    vd betad = vd_set1(g->beta), da, db;
    size_t i = 0;
    for (; i + VF <= n; i += VF) {
        vf xv = vf_load(x + i);
        vfm bad = vfm_none();
        vf o = swf_act_fwd(beta1, xv, beta, &bad);
        if (__builtin_expect(vfm_any(bad), 0)) {
            if (vf_nonfinite(xv)) { for (size_t k = i; k < i + VF; k++) out[k] = (float)sw_act_d(SWIGLU_ACT_SWISH, x[k], g->beta); continue; }
            vd lo, hi;
            v_act(SWIGLU_ACT_SWISH, 0, vf_lo(xv), betad, &lo, &da, &db);
            v_act(SWIGLU_ACT_SWISH, 0, vf_hi(xv), betad, &hi, &da, &db);
            o = vf_join(lo, hi);
        }
        vf_store(out + i, o);
    }
    for (; i < n; i++) out[i] = (float)sw_act_d(SWIGLU_ACT_SWISH, x[i], g->beta);
}
