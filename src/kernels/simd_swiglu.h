/* simd_swiglu.h -- the fast Swish gate: SwiGLU forward out = g sigmoid(beta g) u
 * (and Swish forward, u = 1) in single precision on VF float lanes, with
 * compensated (float pair) arithmetic where the rounding would otherwise
 * show, rounded once at the end. Included by simd_body.h, after the double
 * kernels, which stay the fallback for every vector this path cannot serve.
 *
 * The ISA file provides, besides simd_body.h's list (vfm: a VF-lane mask):
 *   vf_set1 vf_add vf_sub vf_mul vf_fma(a,b,c)=ab+c vf_fms(a,b,c)=ab-c
 *   vf_max vf_min vf_abs vf_minabs(a, b) = min(|a|, |b|)  vf_negminabs(a, c) = -min(|a|, c) (c > 0)
 *   vf_rcp(d) ~ 1/d for d in [1, 2]: relative error <= 2^-14 (rcp14, or rcp + Newton)
 *   vf_lt vf_ne (masks) vf_sel(m, a, b) = m ? a : b  vfm_or vfm_and vfm_any
 *   vf_isnonfinite(a) -> mask of the inf/NaN lanes
 *   vf_xsign(a, b, c) = |a| with the sign bit of b XOR c
 *   vf_signz(a, z) = z < 0 ? a : -a  (for z not NaN; bitwise: a ^ (~z & sign))
 *   vf_tbl(t, kf): t[k mod 2^VF_TBITS] for the integer k that vf_kbits(kf)
 *     holds (t holds 2^VF_TBITS floats)
 *   vf_pow2k(kf) = 2^floor(k / 2^VF_TBITS) for that k, as a float (-127 2^TBITS <= k <= 0;
 *     kf's bits hold k + 127 2^TBITS, SWF_SHIFT's bias: a shift and a mask)
 *   vf_tbl16(t, jf): t[j] of a 16-float table for the j in jf's low 4 bits (simd_gelu.h)
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
 * The loops (simd_float_loops.h) take two vectors a step (vx below: every operation issued for
 * both, back to back), so that the two dependency chains overlap; the same
 * arithmetic lane by lane, hence the same results, as one vector a step.
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

/* 1.5 2^23 + 127 2^TBITS: fma(x, c, SHIFT) - SHIFT rounds to an integer k, and
 * kf's low bits hold k + 127 2^TBITS (>= 0 for |z| <= 87): the exponent bias
 * of vf_pow2k, and the same k mod 2^TBITS for vf_tbl */
#define SWF_SHIFT (0x1.8p23f + 127.0f * (float)(1 << VF_TBITS))
#define SWF_LN2_C1 0.693359375f       /* ln2 = C1 + C2, C1 with 9 significant bits */
#define SWF_LN2_C2 -0x1.bd0106p-13f
#define SWF_ZNEG (-69.0f)             /* z below: the double kernel (e < 2^-99) */
#define SWF_ATINY 0x1p-100f           /* |g sigma| below (and nonzero): the double kernel */

/* ---- two vectors as one: every operation below is issued for both vectors
 * back to back, so that their long dependency chains (the exp polynomial, the
 * reciprocal and its residual, the pair arithmetic) overlap in the core. */
typedef struct { vf a, b; } vx;
typedef struct { vfm a, b; } vxm;
#define SWX_1(op) SW_INLINE vx vx_##op(vx x) { vx r = {vf_##op(x.a), vf_##op(x.b)}; return r; }
#define SWX_2(op) SW_INLINE vx vx_##op(vx x, vx y) { vx r = {vf_##op(x.a, y.a), vf_##op(x.b, y.b)}; return r; }
#define SWX_3(op) SW_INLINE vx vx_##op(vx x, vx y, vx z) { vx r = {vf_##op(x.a, y.a, z.a), vf_##op(x.b, y.b, z.b)}; return r; }
#define SWX_M2(op) SW_INLINE vxm vx_##op(vx x, vx y) { vxm r = {vf_##op(x.a, y.a), vf_##op(x.b, y.b)}; return r; }
SWX_2(add) SWX_2(sub) SWX_2(mul) SWX_3(fma) SWX_3(fms) SWX_3(fnma) SWX_2(max) SWX_2(min)
SWX_1(abs) SWX_2(negminabs) SWX_2(minabs) SWX_1(rcp) SWX_3(xsign) SWX_2(signz) SWX_1(pow2k)
SWX_M2(lt) SWX_M2(ne)
SW_INLINE vx vx_set1(float c) { vx r = {vf_set1(c), vf_set1(c)}; return r; }
SW_INLINE vx vx_sel(vxm m, vx x, vx y) { vx r = {vf_sel(m.a, x.a, y.a), vf_sel(m.b, x.b, y.b)}; return r; }
SW_INLINE vx vx_tbl(const float *t, vx kf) { vx r = {vf_tbl(t, kf.a), vf_tbl(t, kf.b)}; return r; }
SW_INLINE vxm vx_isnonfinite(vx x) { vxm r = {vf_isnonfinite(x.a), vf_isnonfinite(x.b)}; return r; }
SW_INLINE vxm vxm_none(void) { vxm r = {vfm_none(), vfm_none()}; return r; }
SW_INLINE vxm vxm_or(vxm x, vxm y) { vxm r = {vfm_or(x.a, y.a), vfm_or(x.b, y.b)}; return r; }
SW_INLINE vxm vxm_and(vxm x, vxm y) { vxm r = {vfm_and(x.a, y.a), vfm_and(x.b, y.b)}; return r; }
SW_INLINE int vxm_any(vxm m) { return vfm_any(vfm_or(m.a, m.b)); }
SW_INLINE vx vx_load(const float *p) { vx r = {vf_load(p), vf_load(p + VF)}; return r; }
SW_INLINE vx vx_dup(vf v) { vx r = {v, v}; return r; }

/* Software prefetch of the inputs SWF_PF_AHEAD floats ahead, every 64-byte
 * line of a 2 VF step (SWF_PF_LINES; PF_EVERY_OTHER halves them). This loop
 * does ~3 cycles of arithmetic per element, long enough that the hardware
 * prefetcher alone leaves the core waiting on memory for part of each step
 * out of cache (measured: forward 80-86 % of triad without, 92-95 % with, at
 * 16M floats, 2 threads). In cache the prefetches hit and cost a load slot. */
#ifndef SWF_PF_AHEAD
#define SWF_PF_AHEAD 512
#endif
SW_INLINE void swf_prefetch(const float *p)
{
#ifdef PF_EVERY_OTHER
    __builtin_prefetch(p + SWF_PF_AHEAD);
#else
    for (int l = 0; l < 2 * VF; l += 16) __builtin_prefetch(p + SWF_PF_AHEAD + l);
#endif
}

/* lanes with x < 2^-100 among those of mask nz (x = |.| >= 0; 0 there means underflow) */
SW_INLINE vxm swf_tiny_abs(vx x, vxm nz)
{
    return vxm_and(vx_lt(x, vx_set1(SWF_ATINY)), nz);
}

/* The sigmoid of z = beta g (the algorithm above), shared by forward and
 * backward. refine (backward): one Newton step on the reciprocal (c = 1 - s
 * needs q1 to carry the quotient to 2^-40, not 2^-28); the backward also
 * redoes every lane with z > 87 in double, so its r needs no clamp. */
typedef struct swf_sig {
    vx z, zl;       /* z + zl = beta g exactly (zl = 0 for beta = 1) */
    vxm neg;        /* z < 0 */
    vx e_hi, el, s2; /* e = exp(-|z + zl|) = e_hi + el s2 */
    vx y;           /* ~ 1/D_hi */
    vx q0, q1;      /* sigmoid(z) = q0 + q1 */
} swf_sig;

/* The exponential both fast gates use (the sigmoid here, GELU's exp(-x^2/2)
 * in simd_gelu.h), in two steps so that a caller can correct r in between:
 * swf_exp_reduce: w in [-87, 0] -> r = w - k ln2/2^TB (Cody-Waite), *kf = k
 * in SWF_SHIFT's encoding (for vf_tbl and vf_pow2k); exp(w) = 2^(k/2^TB) e^r.
 * swf_exp_pair: e = 2^(k/2^TB) e^r as e_hi + el s2 (e_hi = eh s2; eh + el
 * exact by Fast2Sum, |el| <= 2^-24 eh; s2 = 2^floor(k/2^TB)), to 2^-27
 * relative for |r| <= ln2/2^(TB+1) (the analysis above). */
SW_INLINE vx swf_exp_reduce(vx w, vx *kf)
{
    *kf = vx_fma(w, vx_set1((float)(1 << VF_TBITS) * 0x1.715476p+0f), vx_set1(SWF_SHIFT));
    vx k = vx_sub(*kf, vx_set1(SWF_SHIFT));
    vx r = vx_fma(k, vx_set1(-SWF_LN2_C1 / (float)(1 << VF_TBITS)), w);
    return vx_fma(k, vx_set1(-SWF_LN2_C2 / (float)(1 << VF_TBITS)), r);
}

SW_INLINE void swf_exp_pair(vx r, vx kf, vx *e_hi, vx *el, vx *s2)
{
    /* expm1(r) = r + r^2 (1/2 + r/6 + r^2/24) */
    vx p = vx_fma(r, vx_set1(1.0f / 24), vx_set1(1.0f / 6));
    p = vx_fma(p, r, vx_set1(0.5f));
    vx t = vx_fma(vx_mul(r, r), p, r);
    vx thi = vx_tbl(sw_exp2_16_hi, kf), tlo = vx_tbl(sw_exp2_16_lo, kf);
    *s2 = vx_pow2k(kf);
    vx l = vx_fma(thi, t, tlo);                             /* |l| < 2^-3.5 thi */
    vx eh = vx_add(thi, l);
    *el = vx_add(vx_sub(thi, eh), l);                       /* Fast2Sum: eh + el exact */
    *e_hi = vx_mul(eh, *s2);
}

/* lp (sw_gate.lowp: bf16-grade results suffice): the quotient from a
 * Newton-refined reciprocal alone (q1 = 0: 2^-24 relative, rounding of q0
 * and of e_hi included) instead of the residual step on the pairs */
SW_INLINE swf_sig swf_sigmoid(int beta1, int refine, int lp, vx g, vx beta)
{
    swf_sig o;
    vx one = vx_set1(1.0f), zero = vx_set1(0.0f);
    o.z = beta1 ? g : vx_mul(beta, g);
    o.zl = beta1 ? zero : vx_fms(beta, g, o.z);
    o.neg = vx_lt(o.z, zero);
    vx kf, r = swf_exp_reduce(vx_negminabs(o.z, vx_set1(87.0f)), &kf);   /* w = -|z|, clamped */
    if (!beta1) {
        /* exp(-|z + zl|) = exp(-|z| - sign(z) zl) */
        r = vx_add(r, vx_signz(o.zl, o.z));
        /* |z| > 87 was clamped and its zl (up to 2^-24 |z|) is meaningless:
         * keep r in range (a no-op for every other lane) */
        if (!refine) r = vx_min(vx_max(r, vx_set1(-0.0625f)), vx_set1(0.0625f));
    }
    swf_exp_pair(r, kf, &o.e_hi, &o.el, &o.s2);
    vx d_hi = vx_add(one, o.e_hi);
    if (lp) {
        vx y = vx_rcp(d_hi);
        y = vx_fma(y, vx_fnma(y, d_hi, one), y);
        o.y = y;
        o.q0 = vx_mul(vx_sel(o.neg, o.e_hi, one), y);
        o.q1 = zero;
        return o;
    }
    vx d_lo = vx_fma(o.el, o.s2, vx_add(vx_sub(one, d_hi), o.e_hi));
    vx n_hi = vx_sel(o.neg, o.e_hi, one), n_lo = vx_sel(o.neg, o.el, zero);
    vx y = vx_rcp(d_hi);
    if (refine) y = vx_fma(y, vx_fnma(y, d_hi, one), y);
    o.y = y;
    o.q0 = vx_mul(n_hi, y);
    vx rho = vx_fnma(o.q0, d_hi, n_hi);
    rho = vx_fma(n_lo, o.s2, vx_fnma(o.q0, d_lo, rho));
    o.q1 = vx_mul(rho, y);
    return o;
}

/* sigmoid(beta g) g as the pair (*a_hi, *a_lo), and sigmoid's parts */
SW_INLINE swf_sig swf_gsig(int beta1, int lp, vx g, vx beta, vx *a_hi, vx *a_lo, vxm *bad)
{
    swf_sig o = swf_sigmoid(beta1, 0, lp, g, beta);
    vx ah = vx_mul(g, o.q0);
    *a_hi = ah;
    *a_lo = lp ? vx_set1(0.0f) : vx_fma(g, o.q1, vx_fms(g, o.q0, ah));
    *bad = vxm_or(*bad, vx_lt(o.z, vx_set1(SWF_ZNEG)));
    return o;
}

/* out = g sigmoid(beta g) u, rounded once (lp: a_hi u); *bad: lanes to redo in double */
SW_INLINE vx swf_glu_fwd(int beta1, int lp, vx g, vx u, vx beta, vxm *bad)
{
    vx ah, al;
    swf_gsig(beta1, lp, g, beta, &ah, &al, bad);
    vx out = vx_xsign(lp ? vx_mul(ah, u) : vx_fma(ah, u, vx_mul(al, u)), g, u);
    vxm flag = vx_isnonfinite(out);
    if (!lp) {
        /* g = 0 or u = 0: out = +-0 exactly; otherwise neither a_hi nor out may be tiny */
        vx zero = vx_set1(0.0f);
        flag = vxm_or(flag, swf_tiny_abs(vx_minabs(ah, out), vxm_and(vx_ne(g, zero), vx_ne(u, zero))));
    }
    *bad = vxm_or(*bad, flag);
    return out;
}

/* out = g sigmoid(beta g) (Swish), rounded once */
SW_INLINE vx swf_act_fwd(int beta1, int lp, vx g, vx beta, vxm *bad)
{
    vx ah, al;
    swf_gsig(beta1, lp, g, beta, &ah, &al, bad);
    vx out = vx_xsign(vx_add(ah, al), g, vx_set1(1.0f));
    *bad = vxm_or(*bad, vxm_or(vx_isnonfinite(out), swf_tiny_abs(vx_minabs(ah, out), vx_ne(g, vx_set1(0.0f)))));
    return out;
}

/* ---- fused backward (SWIGLU_BWD_OVERWRITE) -------------------------------
 * du = d g sigmoid(z),  dg = d u swish'(z),  dbeta += d u g^2 sigmoid(z) sigmoid(-z),
 * z = beta g. sigmoid(z) = s = q0 + q1 as in the forward, with the reciprocal
 * refined by a Newton step (q1 then carries the quotient to 2^-40); s is then
 * as good as e: < 2^-27 relative.
 *   du = (d g) s: d g as an exact pair (FMA), times s = q0 + q1, rounded once
 *   swish'(z) = s G, G = 1 + z c, c = sigmoid(-z) = 1 - s (Fast2Sum: exact pair)
 *     z c as a pair (FMA), 1 + z c by TwoSum: G to 2^-40 absolute, plus what c
 *     brings: |z| s (1 - s) 2^-27 absolute.
 *   G crosses 0 at z0 = -1.27846454276107... (1 + e^z + z = 0). There the
 *   absolute error above is a large relative one, so for |z - z0| < 1/8:
 *     G = h R(h), h = z - z0 exact as a pair (z0 = Z1 + Z2 + Z3, Z1 + Z2 on the
 *     2^-47 grid of the products beta g in [1, 2), so z - Z1 and zl - Z2 are
 *     exact), R = the Taylor series of G/h at z0 (G'(z0) = 1 exactly) to h^5:
 *     truncation 7e-11 relative; R = 1 + h S(h) as a pair.
 *     G = h + h^2 S(h) is handed on as the pair (A, B) = (h_hi, h_lo + h_hi^2 S):
 *     |B| < 2^-6 |A|, the terms dropped are < 2^-29 relative.
 *   Outside the window the amplification |z| s (1 - s)/|G| is < 2.1, so
 *   G is within 2.1 2^-27 relative everywhere (2^-30 inside).
 *   dg = P m, P = d u (exact pair), m = s G (pair): rounded once.
 * dgate: |error| < 0.5 + (2^-27 + 2.1 2^-27) 2^24 = 0.89 ulp; dup as the forward.
 * Underflow: where a product inside the pairs (d g, d u, their low parts,
 * p m_lo) falls below 2^-126 it is rounded to the denormal grid, 2^-150 at
 * most each; the results are then themselves tiny (|s| <= 1, |m| < 1.1), so
 * each such term adds at most half an ulp of the result's own grid: < 1.9 ulp
 * in all, and only for results below ~2^-100. No lane needs a check for it.
 * Measured: dgate 0.56 ulp (avx512) / 0.60 (avx2) in tests/test_act_accuracy
 * (0.64 for gates dense around the crossing); with denormal-range products
 * (dev/swiglu_kernel_bench.c acc) dgate 1.36, dup 1.48.
 *   dbeta (only when the caller asks for it, want_db): the float term
 *   (d u g)(g s c), relative error < 3 2^-24, summed in double.
 * A vector goes to the double kernel when a lane has z outside [-69, 87] or
 * a non-finite result (an inf or NaN input, or an overflow).
 *
 * lp (sw_gate.lowp, bf16 layers): s = q0 from the Newton-refined reciprocal,
 * du = (d g) s, c = 1/D (D's rounding put back) for z < 0 or e/D, G = 1 + z c
 * by one FMA outside the window, the window's G as above, dg = (d u)(s G):
 * no pairs. Outside the window 1 + z c cancels up to 7x just past |h| = 1/8,
 * where c's rounding makes up to 17 ulp of dgate (2^-20 relative); elsewhere
 * a few ulp. */
#define SWG_Z1 (-0x1.474974p+0f)
#define SWG_Z2 0x1.bdf7p-27f
#define SWG_Z3 (-0x1.6fc6bap-49f)

SW_INLINE void swf_glu_bwd(int beta1, int want_db, int lp, vx g, vx u, vx d, vx beta, vx *dg_out, vx *du_out,
                           vx *dbt_out, vxm *bad)
{
    vx one = vx_set1(1.0f);
    swf_sig o = swf_sigmoid(beta1, 1, lp, g, beta);
    vx z = o.z, zl = o.zl, q0 = o.q0, q1 = o.q1;
    vxm neg = o.neg;
    /* du = d g s: d g as an exact pair times s = q0 + q1, rounded once */
    vx dg_hi = vx_mul(d, g);
    vx dg_lo = lp ? vx_set1(0.0f) : vx_fms(d, g, dg_hi);
    vx du = vx_xsign(lp ? vx_mul(dg_hi, q0) : vx_fma(dg_hi, q0, vx_fma(dg_hi, q1, vx_mul(dg_lo, q0))), g, d);
    /* c = 1 - s exactly as a pair (lp: c = N'/D with N' = 1 (z < 0) or e, the
     * reciprocal's product like s, so that c keeps its relative accuracy for
     * z >> 0, where 1 - s would lose it and z c with it) */
    vx c_hi;
    if (lp) {
        /* z < 0, where G = 1 + z c cancels (up to 7x just outside the window):
         * c = 1/D with D's rounding put back, D = D_hi + D_lo (Fast2Sum):
         * c = y - y^2 D_lo */
        vx d_hi = vx_add(one, o.e_hi);
        vx d_lo = vx_add(vx_sub(one, d_hi), o.e_hi);
        c_hi = vx_sel(neg, vx_fnma(o.y, vx_mul(o.y, d_lo), o.y), vx_mul(o.e_hi, o.y));
    } else {
        c_hi = vx_sub(one, q0);
    }
    vx c_lo = lp ? vx_set1(0.0f) : vx_sub(vx_sub(vx_sub(one, c_hi), q0), q1);
    /* G = 1 + z c: z c as a pair, then TwoSum (lp: one FMA) */
    vx g_hi, g_lo;
    if (lp) {
        g_hi = vx_fma(z, c_hi, one);
        g_lo = vx_set1(0.0f);
    } else {
        vx zc = vx_mul(z, c_hi);
        vx zc_lo = vx_fma(z, c_lo, vx_fms(z, c_hi, zc));
        if (!beta1) zc_lo = vx_fma(zl, c_hi, zc_lo);
        g_hi = vx_add(one, zc);
        vx bb = vx_sub(g_hi, zc);
        g_lo = vx_add(vx_add(vx_sub(one, bb), vx_sub(zc, vx_sub(g_hi, bb))), zc_lo);
    }
    /* the window |z - z0| < 1/8: G = h R(h) */
    vx h1 = vx_sub(z, vx_set1(SWG_Z1));
    vx h2 = beta1 ? vx_set1(-SWG_Z2) : vx_sub(zl, vx_set1(SWG_Z2));
    vx h_hi = vx_add(h1, h2);
    vx h_lo = vx_sub(vx_add(vx_sub(h1, h_hi), h2), vx_set1(SWG_Z3));
    vx sp = vx_fma(vx_set1(0x1.20a572p-10f), h_hi, vx_set1(0x1.8f0d82p-9f));
    sp = vx_fma(sp, h_hi, vx_set1(-0x1.353eb6p-8f));
    sp = vx_fma(sp, h_hi, vx_set1(-0x1.9072f0p-5f));
    sp = vx_fma(sp, h_hi, vx_set1(-0x1.be1410p-4f));
    /* G = h + h^2 S(h) as A + B: A = h_hi, B = h_lo + h_hi^2 S, |B| < 2^-6 |A| */
    vx w_lo = vx_fma(vx_mul(h_hi, h_hi), sp, h_lo);
    vxm win = vx_lt(vx_abs(h1), vx_set1(0.125f));
    g_hi = vx_sel(win, h_hi, g_hi);
    g_lo = vx_sel(win, w_lo, g_lo);
    /* m = s G, dg = (d u) m */
    vx p_hi = vx_mul(d, u), dg;
    if (lp) {
        dg = vx_mul(p_hi, vx_mul(q0, vx_add(g_hi, g_lo)));
    } else {
        vx m_hi = vx_mul(q0, g_hi);
        vx m_lo = vx_fma(q1, g_hi, vx_fma(q0, g_lo, vx_fms(q0, g_hi, m_hi)));
        vx p_lo = vx_fms(d, u, p_hi);
        dg = vx_fma(p_hi, m_hi, vx_fma(p_hi, m_lo, vx_mul(p_lo, m_hi)));
    }
    /* dbeta term: d u g (g s c), s and c rounded from their pairs, but c = e s
     * for z >= 0 (1 - s would lose it): 1.5 2^-24 for s c, 3 2^-24 in all */
    vx dbt = vx_set1(0.0f);
    if (want_db) {
        vx s_f = vx_add(q0, q1);
        vx c_f = vx_sel(neg, vx_add(c_hi, c_lo), vx_fma(vx_mul(o.el, o.s2), s_f, vx_mul(o.e_hi, s_f)));
        dbt = vx_mul(vx_mul(p_hi, g), vx_mul(g, vx_mul(s_f, c_f)));
    }
    *dg_out = dg;
    *du_out = du;
    *dbt_out = dbt;
    vxm range = vxm_or(vx_lt(z, vx_set1(SWF_ZNEG)), vx_lt(vx_set1(87.0f), z));
    vx sum = vx_add(dg, du);
    if (want_db) sum = vx_add(sum, dbt);
    *bad = vxm_or(*bad, vxm_or(range, vx_isnonfinite(sum)));
}
