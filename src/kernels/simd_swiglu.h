/* simd_swiglu.h -- the fast Swish gate: SwiGLU forward out = g sigmoid(beta g) u
 * (and Swish forward, u = 1) in single precision on VF float lanes, with
 * compensated (float pair) arithmetic where the rounding would otherwise
 * show, rounded once at the end. Included by simd_body.h, after the double
 * kernels, which stay the fallback for every vector this path cannot serve.
 *
 * The ISA file provides, besides simd_body.h's list (vfm: a VF-lane mask):
 *   vf_set1 vf_add vf_sub vf_mul vf_fma(a,b,c)=ab+c vf_fms(a,b,c)=ab-c
 *   vf_max vf_min vf_abs vf_negabs(a) = -|a|  vf_minabs(a, b) = min(|a|, |b|)
 *   vf_rcp(d) ~ 1/d for d in [1, 2]: relative error <= 2^-14 (rcp14, or rcp + Newton)
 *   vf_lt vf_ne (masks) vf_sel(m, a, b) = m ? a : b  vfm_or vfm_and vfm_any
 *   vf_isnonfinite(a) -> mask of the inf/NaN lanes
 *   vf_xsign(a, b, c) = |a| with the sign bit of b XOR c
 *   vf_signz(a, z) = z < 0 ? a : -a  (for z not NaN; bitwise: a ^ (~z & sign))
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
 *       t = expm1(r) by Taylor to degree 4: truncation |r|^5/120 < 1.3e-9 (TB = 3),
 *           4e-11 (TB = 4)
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
 * Total: the exact value times (1 + d), |d| < 2^-27 (e) + 2^-28 (quotient; 2^-44
 * on AVX2, whose vf_rcp has a Newton step) + 2^-40 (the pairs), then one
 * rounding: a relative d is at most d 2^24 ulp, so |error| < 0.5 + 0.19 ulp:
 * always one of the two floats around the exact value (faithful), hence
 * within 1 ulp of the double kernel's result. Measured (tests/test_act_accuracy,
 * dev/swiglu_kernel_bench.c acc and sweep): 0.54 ulp (avx512), 0.60 (avx2).
 *
 * A vector goes to the double kernel (simd_body.h's glu_fwd_half, or the
 * scalar element functions) when a lane
 *   - has z < -69 (e < 2^-99: e_lo could lose its bits to denormals),
 *   - has |a_hi| < 2^-100 (a_lo would lose bits: denormal g, or a tiny g sigma)
 *     or |out| < 2^-100 (a_lo u would), unless g = 0 or u = 0 (out = +-0 exactly),
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

/* lanes with |x| < 2^-100 among those of mask nz (x = 0 there means underflow) */
SW_INLINE vfm swf_tiny(vf x, vfm nz)
{
    return vfm_and(vf_lt(vf_abs(x), vf_set1(SWF_ATINY)), nz);
}

/* The sigmoid of z = beta g (the algorithm above), shared by forward and
 * backward. refine (backward): one Newton step on the reciprocal (c = 1 - s
 * needs q1 to carry the quotient to 2^-40, not 2^-28); the backward also
 * redoes every lane with z > 87 in double, so its r needs no clamp. */
typedef struct swf_sig {
    vf z, zl;       /* z + zl = beta g exactly (zl = 0 for beta = 1) */
    vfm neg;        /* z < 0 */
    vf e_hi, el, s2; /* e = exp(-|z + zl|) = e_hi + el s2 */
    vf y;           /* ~ 1/D_hi */
    vf q0, q1;      /* sigmoid(z) = q0 + q1 */
} swf_sig;

SW_INLINE swf_sig swf_sigmoid(int beta1, int refine, vf g, vf beta)
{
    swf_sig o;
    vf one = vf_set1(1.0f), zero = vf_set1(0.0f);
    o.z = beta1 ? g : vf_mul(beta, g);
    o.zl = beta1 ? zero : vf_fms(beta, g, o.z);
    o.neg = vf_lt(o.z, zero);
    vf w = vf_max(vf_negabs(o.z), vf_set1(-87.0f));          /* -|z|, clamped */
    vf kf = vf_fma(w, vf_set1((float)(1 << VF_TBITS) * 0x1.715476p+0f), vf_set1(SWF_SHIFT));
    vf k = vf_sub(kf, vf_set1(SWF_SHIFT));
    vf r = vf_fma(k, vf_set1(-SWF_LN2_C1 / (float)(1 << VF_TBITS)), w);
    r = vf_fma(k, vf_set1(-SWF_LN2_C2 / (float)(1 << VF_TBITS)), r);
    if (!beta1) {
        /* exp(-|z + zl|) = exp(-|z| - sign(z) zl) */
        r = vf_add(r, vf_signz(o.zl, o.z));
        /* |z| > 87 was clamped and its zl (up to 2^-24 |z|) is meaningless:
         * keep r in range (a no-op for every other lane) */
        if (!refine) r = vf_min(vf_max(r, vf_set1(-0.0625f)), vf_set1(0.0625f));
    }
    /* expm1(r) = r + r^2 (1/2 + r/6 + r^2/24) */
    vf p = vf_fma(r, vf_set1(1.0f / 24), vf_set1(1.0f / 6));
    p = vf_fma(p, r, vf_set1(0.5f));
    vf t = vf_fma(vf_mul(r, r), p, r);
    vf thi = vf_tbl(sw_exp2_16_hi, kf), tlo = vf_tbl(sw_exp2_16_lo, kf);
    o.s2 = vf_pow2k(kf);
    vf el = vf_fma(thi, t, tlo);                            /* |el| < 2^-3.5 thi */
    vf eh = vf_add(thi, el);
    o.el = vf_add(vf_sub(thi, eh), el);                     /* Fast2Sum: eh + el exact */
    o.e_hi = vf_mul(eh, o.s2);
    vf d_hi = vf_add(one, o.e_hi);
    vf d_lo = vf_fma(o.el, o.s2, vf_add(vf_sub(one, d_hi), o.e_hi));
    vf n_hi = vf_sel(o.neg, o.e_hi, one), n_lo = vf_sel(o.neg, o.el, zero);
    vf y = vf_rcp(d_hi);
    if (refine) y = vf_fma(y, vf_fnma(y, d_hi, one), y);
    o.y = y;
    o.q0 = vf_mul(n_hi, y);
    vf rho = vf_fnma(o.q0, d_hi, n_hi);
    rho = vf_fma(n_lo, o.s2, vf_fnma(o.q0, d_lo, rho));
    o.q1 = vf_mul(rho, y);
    return o;
}

/* sigmoid(beta g) g as the pair (*a_hi, *a_lo), and sigmoid's parts */
SW_INLINE swf_sig swf_gsig(int beta1, vf g, vf beta, vf *a_hi, vf *a_lo, vfm *bad)
{
    swf_sig o = swf_sigmoid(beta1, 0, g, beta);
    vf ah = vf_mul(g, o.q0);
    *a_hi = ah;
    *a_lo = vf_fma(g, o.q1, vf_fms(g, o.q0, ah));
    *bad = vfm_or(*bad, vf_lt(o.z, vf_set1(SWF_ZNEG)));
    return o;
}

/* out = g sigmoid(beta g) u, rounded once; *bad: lanes to redo in double */
SW_INLINE vf swf_glu_fwd(int beta1, vf g, vf u, vf beta, vfm *bad)
{
    vf ah, al;
    swf_gsig(beta1, g, beta, &ah, &al, bad);
    vf out = vf_xsign(vf_fma(ah, u, vf_mul(al, u)), g, u);
    /* g = 0 or u = 0: out = +-0 exactly; otherwise neither a_hi nor out may be tiny */
    vf zero = vf_set1(0.0f);
    vfm tiny = swf_tiny(vf_minabs(ah, out), vfm_and(vf_ne(g, zero), vf_ne(u, zero)));
    *bad = vfm_or(*bad, vfm_or(vf_isnonfinite(out), tiny));
    return out;
}

/* out = g sigmoid(beta g) (Swish), rounded once */
SW_INLINE vf swf_act_fwd(int beta1, vf g, vf beta, vfm *bad)
{
    vf ah, al;
    swf_gsig(beta1, g, beta, &ah, &al, bad);
    vf out = vf_xsign(vf_add(ah, al), g, vf_set1(1.0f));
    *bad = vfm_or(*bad, vfm_or(vf_isnonfinite(out), swf_tiny(vf_minabs(ah, out), vf_ne(g, vf_set1(0.0f)))));
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

/* ---- fused backward (SWIGLU_BWD_OVERWRITE) -------------------------------
 * du = d g sigmoid(z),  dg = d u swish'(z),  dbeta += d u g^2 sigmoid(z) sigmoid(-z),
 * z = beta g. sigmoid(z) = s = q0 + q1 as in the forward, with the reciprocal
 * refined by a Newton step (q1 then carries the quotient to 2^-40); s is then
 * as good as e: < 2^-27 relative.
 *   du = fma(a_hi, d, a_lo d), a = g s as a pair (as the forward's out)
 *   swish'(z) = s G, G = 1 + z c, c = sigmoid(-z) = 1 - s (Fast2Sum: exact pair)
 *     z c as a pair (FMA), 1 + z c by TwoSum: G to 2^-40 absolute, plus what c
 *     brings: |z| s (1 - s) 2^-27 absolute.
 *   G crosses 0 at z0 = -1.27846454276107... (1 + e^z + z = 0). There the
 *   absolute error above is a large relative one, so for |z - z0| < 1/8:
 *     G = h R(h), h = z - z0 exact as a pair (z0 = Z1 + Z2 + Z3, Z1 + Z2 on the
 *     2^-47 grid of the products beta g in [1, 2), so z - Z1 and zl - Z2 are
 *     exact), R = the Taylor series of G/h at z0 (G'(z0) = 1 exactly) to h^5:
 *     truncation 7e-11 relative; R = 1 + h S(h) as a pair.
 *   Outside the window the amplification |z| s (1 - s)/|G| is < 2.1, so
 *   G is within 2.1 2^-27 relative everywhere (2^-30 inside).
 *   dg = P m, P = d u (exact pair), m = s G (pair): rounded once.
 * dgate: |error| < 0.5 + (2^-27 + 2.1 2^-27) 2^24 = 0.89 ulp; dup as the forward.
 * Measured: dgate 0.56 ulp (avx512) / 0.60 (avx2) in tests/test_act_accuracy,
 * <= 0.85 with denormal-range products in dev/swiglu_kernel_bench.c acc; dup 0.53 / 0.78.
 *   dbeta: the float term (d u g)(g s c), relative error < 3 2^-24, summed in double.
 * A vector goes to the double kernel when a lane has z outside [-69, 87], a
 * tiny (0 < |x| < 2^-100) g s or d u, or a non-finite result. */
#define SWG_Z1 (-0x1.474974p+0f)
#define SWG_Z2 0x1.bdf7p-27f
#define SWG_Z3 (-0x1.6fc6bap-49f)

SW_INLINE void swf_glu_bwd(int beta1, vf g, vf u, vf d, vf beta, vf *dg_out, vf *du_out,
                           vf *dbt_out, vfm *bad)
{
    vf one = vf_set1(1.0f);
    swf_sig o = swf_sigmoid(beta1, 1, g, beta);
    vf z = o.z, zl = o.zl, q0 = o.q0, q1 = o.q1;
    vfm neg = o.neg;
    /* du = d g s */
    vf ah = vf_mul(g, q0);
    vf al = vf_fma(g, q1, vf_fms(g, q0, ah));
    vf du = vf_xsign(vf_fma(ah, d, vf_mul(al, d)), g, d);
    /* c = 1 - s exactly as a pair */
    vf c_hi = vf_sub(one, q0);
    vf c_lo = vf_sub(vf_sub(vf_sub(one, c_hi), q0), q1);
    /* G = 1 + z c: z c as a pair, then TwoSum */
    vf zc = vf_mul(z, c_hi);
    vf zc_lo = vf_fma(z, c_lo, vf_fms(z, c_hi, zc));
    if (!beta1) zc_lo = vf_fma(zl, c_hi, zc_lo);
    vf g_hi = vf_add(one, zc);
    vf bb = vf_sub(g_hi, zc);
    vf g_lo = vf_add(vf_add(vf_sub(one, bb), vf_sub(zc, vf_sub(g_hi, bb))), zc_lo);
    /* the window |z - z0| < 1/8: G = h R(h) */
    vf h1 = vf_sub(z, vf_set1(SWG_Z1));
    vf h2 = beta1 ? vf_set1(-SWG_Z2) : vf_sub(zl, vf_set1(SWG_Z2));
    vf h_hi = vf_add(h1, h2);
    vf h_lo = vf_sub(vf_add(vf_sub(h1, h_hi), h2), vf_set1(SWG_Z3));
    vf sp = vf_fma(vf_set1(0x1.20a572p-10f), h_hi, vf_set1(0x1.8f0d82p-9f));
    sp = vf_fma(sp, h_hi, vf_set1(-0x1.353eb6p-8f));
    sp = vf_fma(sp, h_hi, vf_set1(-0x1.9072f0p-5f));
    sp = vf_fma(sp, h_hi, vf_set1(-0x1.be1410p-4f));
    vf r_hi = vf_fma(h_hi, sp, one);
    vf r_lo = vf_fma(h_hi, sp, vf_sub(one, r_hi));
    vf w_hi = vf_mul(h_hi, r_hi);
    vf w_lo = vf_fma(h_lo, r_hi, vf_fma(h_hi, r_lo, vf_fms(h_hi, r_hi, w_hi)));
    vfm win = vf_lt(vf_abs(h1), vf_set1(0.125f));
    g_hi = vf_sel(win, w_hi, g_hi);
    g_lo = vf_sel(win, w_lo, g_lo);
    /* m = s G, dg = (d u) m */
    vf m_hi = vf_mul(q0, g_hi);
    vf m_lo = vf_fma(q1, g_hi, vf_fma(q0, g_lo, vf_fms(q0, g_hi, m_hi)));
    vf p_hi = vf_mul(d, u);
    vf p_lo = vf_fms(d, u, p_hi);
    vf dg = vf_fma(p_hi, m_hi, vf_fma(p_hi, m_lo, vf_mul(p_lo, m_hi)));
    /* dbeta term: d u g (g s c), s and c rounded from their pairs, but c = e s
     * for z >= 0 (1 - s would lose it): 1.5 2^-24 for s c, 3 2^-24 in all */
    vf s_f = vf_add(q0, q1);
    vf c_f = vf_sel(neg, vf_add(c_hi, c_lo), vf_fma(vf_mul(o.el, o.s2), s_f, vf_mul(o.e_hi, s_f)));
    vf dbt = vf_mul(vf_mul(p_hi, g), vf_mul(g, vf_mul(s_f, c_f)));
    *dg_out = dg;
    *du_out = du;
    *dbt_out = dbt;
    vfm range = vfm_or(vf_lt(z, vf_set1(SWF_ZNEG)), vf_lt(vf_set1(87.0f), z));
    vf zero = vf_set1(0.0f);
    vfm tiny = vfm_or(swf_tiny(ah, vf_ne(g, zero)), swf_tiny(p_hi, vfm_and(vf_ne(d, zero), vf_ne(u, zero))));
    *bad = vfm_or(*bad, vfm_or(vfm_or(range, tiny), vf_isnonfinite(vf_add(vf_add(dg, du), dbt))));
}

SW_INLINE double swf_glu_bwd_loop(int beta1, float *dg, float *du, const float *dout, const float *gi,
                                  const float *ui, size_t n, const sw_gate *g)
{
    vf beta = vf_set1((float)g->beta);
    vd betad = vd_set1(g->beta), dbacc = vd_set1(0.0);
    double db = 0.0;
    size_t i = 0;
    for (; i + VF <= n; i += VF) {
        vf gv = vf_load(gi + i), uv = vf_load(ui + i), dv = vf_load(dout + i);
        vfm bad = vfm_none();
        vf og, ou, ob;
        swf_glu_bwd(beta1, gv, uv, dv, beta, &og, &ou, &ob, &bad);
        if (__builtin_expect(vfm_any(bad), 0)) {
            if (vf_nonfinite(gv) || vf_nonfinite(uv) || vf_nonfinite(dv)) {
                db += sw_glu_bwd_tail(dg, du, dout, gi, ui, i, i + VF, g, 1);
                continue;
            }
            vd glo, ghi, ulo, uhi;
            glu_bwd_half(SWIGLU_ACT_SWISH, g, vf_lo(gv), vf_lo(uv), vf_lo(dv), betad, &glo, &ulo, &dbacc);
            glu_bwd_half(SWIGLU_ACT_SWISH, g, vf_hi(gv), vf_hi(uv), vf_hi(dv), betad, &ghi, &uhi, &dbacc);
            og = vf_join(glo, ghi);
            ou = vf_join(ulo, uhi);
        } else {
            dbacc = vd_add(dbacc, vd_add(vf_lo(ob), vf_hi(ob)));
        }
        /* both inputs of the vector are read: dg/du may alias g/u/dout */
        vf_store(dg + i, og);
        vf_store(du + i, ou);
    }
    db += sw_glu_bwd_tail(dg, du, dout, gi, ui, i, n, g, 1);
    return db + vd_hsum(dbacc);
}
