/* simd_gelu.h -- the fast GELU (erf): forward gelu(x) = x Phi(x) and the
 * backward dx = d gelu'(x), and GEGLU's out = gelu(g) u with its fused
 * backward, in single precision on VF float lanes, one vector at a time (the
 * loops are in simd_float_loops.h). Included by simd_body.h after
 * simd_swiglu.h; the double kernels stay the fallback.
 *
 * Legend: x the input, t = |x|, d the upstream gradient.
 * With E(t) = exp(-t^2/2), Q(t) = 1 - Phi(t) = erfc(t/sqrt2)/2 and
 *   R(t) = Q(t)/E(t) = erfcx(t/sqrt2)/2      (smooth: 0.5 at 0, 0.044 at 9)
 *   F(t) = R(t) - t/sqrt(2 pi)               (one zero, at t0 = 0.75179...)
 * the activation and its derivative (phi(x) = E/sqrt(2 pi)) are
 *   gelu(x)  = x (1 - E R)   (x >= 0)        x E R    (x < 0)
 *   gelu'(x) = Phi + x phi = 1 - E F (x >= 0)  E F    (x < 0)
 * since 1 - Q + t phi = 1 - E (R - t/sqrt(2 pi)) and Q - t phi = E F. The
 * zero crossing of gelu' at x = -t0, where Phi and x phi cancel and where
 * the double kernel needs Phi to 1e-16, is thus a zero of F alone, and F
 * is represented around it as v P(v), v = t - t0: no cancellation is left.
 *
 * R and F come from piecewise polynomials: 15 intervals of width w = 5/8,
 * interval j centred on m_j = t0 + (j - 1) w (so t0 is the centre of
 * interval 1), j = round((t - t0)/w) + 1, t clamped to 9; v = t - m_j, |v| <=
 * w/2, with m_j = M_HI + M_LO and v = v_hi + v_lo exactly. On each,
 * c0 + v (c1 + ... + c7 v^6), c0 as a float pair (F's c0 = 0 on interval 1),
 * c1..c7 fitted by least squares on Chebyshev nodes for relative error
 * (dev/fit_gelu.py, 40-digit mpmath); with the float coefficients the fits
 * are within 6.2e-9 (R) and 4.2e-8 (F) relative. The 16-entry tables are read
 * with one vpermps a coefficient (vf_tbl16); entry 15 repeats entry 14.
 * E is swf_exp_reduce/swf_exp_pair of simd_swiglu.h on w = -t^2/2, t^2 as the
 * exact pair (y_h, y_l) (FMA) and y_l/2 folded into r: 2^-27 relative.
 *
 * Both directions compute alike (C = R, m = x forward; C = F, m = d
 * backward): v as an exact pair, C = c0 + v T(v) as a pair (v T as a pair,
 * Fast2Sum with c0), E C as a pair, 1 - E C by Fast2Sum (|E C| <= 1/2),
 * then m (1 - E C) or m E C rounded once. What is left: T's own rounding
 * (2^-24 of T), scaled by |v T / C| (< 0.35 for R; up to 1 for F, whose c0
 * is 0 or near -v T on intervals 0 and 1), the fit, E's 2^-27 and the
 * final rounding:
 *   forward  < 0.5 + 0.38 + 0.10 + 0.13 = 1.1 ulp (measured 0.80 over all 2^32 inputs)
 *   backward < 0.5 + 1.1 + 0.70 + 0.13 = 2.4 ulp (measured 2.16 over all 2^32
 *            inputs with d = 1; 2.28 on 10^6 inputs with random d)
 * lp (sw_gate.lowp: the caller rounds the results to bf16, 2^15 float ulps):
 * the same without the low parts (E, v, C, E C, 1 - E C in plain float),
 * about 30 % faster; a few roundings of 2^-24 more: 3.0 ulp forward, 4.0
 * backward measured (tests/test_act_accuracy, 10^6 inputs; bound there 8).
 * A vector goes to the double kernel when a lane has x < -9 (E < 2^-58:
 *   the pairs' low parts would approach the denormals there), a non-finite
 *   x, or a non-finite result (an inf or NaN in d, or an overflow). For x > 9, Q < 2^-62 and
 *   the clamped t gives gelu = x and gelu' = 1, as they should be.
 */
#ifndef SW_SIMD_PREFIX
#error "include simd_gelu.h through simd_body.h"
#endif

#define SWGE_T0 0.75179152469356446f    /* the zero of F, to float */
#define SWGE_W 0.625f                   /* interval width */
#define SWGE_XNEG (-9.0f)               /* x below: the double kernel */

/* rows of sw_gelu_tab */
enum { SWGE_MHI, SWGE_MLO, SWGE_R0H, SWGE_R0L, SWGE_R1, SWGE_F0H = SWGE_R1 + 7, SWGE_F0L, SWGE_F1,
       SWGE_ROWS = SWGE_F1 + 7 };
static const float sw_gelu_tab[SWGE_ROWS][16] = {
    {0x1.03ab46p-3f, 0x1.80ead2p-1f, 0x1.607568p+0f, 0x1.003ab4p+1f, 0x1.503ab4p+1f, 0x1.a03ab4p+1f, 0x1.f03ab4p+1f, 0x1.201d5ap+2f, 0x1.481d5ap+2f, 0x1.701d5ap+2f, 0x1.981d5ap+2f, 0x1.c01d5ap+2f, 0x1.e81d5ap+2f, 0x1.080eaep+3f, 0x1.1c0eaep+3f, 0x1.1c0eaep+3f}, /* m_hi */
    {0x1.7f00b4p-29f, -0x1.a03fd4p-27f, 0x1.97f00cp-25f, 0x1.97f00cp-25f, 0x1.97f00cp-25f, 0x1.97f00cp-25f, 0x1.97f00cp-25f, 0x1.97f00cp-25f, 0x1.97f00cp-25f, 0x1.97f00cp-25f, 0x1.97f00cp-25f, 0x1.97f00cp-25f, 0x1.97f00cp-25f, -0x1.cd01fep-22f, -0x1.cd01fep-22f, -0x1.cd01fep-22f}, /* m_lo */
    {0x1.d00ea0p-2f, 0x1.331e9ap-2f, 0x1.bd5c62p-3f, 0x1.580af8p-3f, 0x1.160932p-3f, 0x1.d07a5cp-4f, 0x1.8dbfc2p-4f, 0x1.5b3a44p-4f, 0x1.33c742p-4f, 0x1.1430c8p-4f, 0x1.f4bb98p-5f, 0x1.c9c440p-5f, 0x1.a57dbep-5f, 0x1.86796ep-5f, 0x1.6ba954p-5f, 0x1.6ba954p-5f}, /* R c0 hi */
    {-0x1.3bc2ecp-30f, 0x1.19e09ep-29f, -0x1.388802p-29f, 0x1.459fd4p-30f, -0x1.857118p-30f, 0x1.762f74p-33f, 0x1.cdd15ap-30f, -0x1.14d986p-29f, -0x1.ae780cp-29f, 0x1.9c025cp-31f, 0x1.8d87e2p-30f, 0x1.4a91e0p-31f, 0x1.88ad0cp-33f, -0x1.568d02p-33f, 0x1.8a7bd0p-30f, 0x1.8a7bd0p-30f}, /* R c0 lo */
    {-0x1.5dadaap-2f, -0x1.63410ap-3f, -0x1.97babep-4f, -0x1.00a9d8p-4f, -0x1.5ac3fep-5f, -0x1.eeba6ep-6f, -0x1.704f40p-6f, -0x1.1baf76p-6f, -0x1.c137b8p-7f, -0x1.6bd114p-7f, -0x1.2c4414p-7f, -0x1.f7972cp-8f, -0x1.ac140cp-8f, -0x1.702dcep-8f, -0x1.3fe802p-8f, -0x1.3fe802p-8f}, /* R c1 */
    {0x1.a3b888p-3f, 0x1.5b2986p-4f, 0x1.495d04p-5f, 0x1.5c9912p-6f, 0x1.928682p-7f, 0x1.f25144p-8f, 0x1.46460ep-8f, 0x1.bf4576p-9f, 0x1.3e5cecp-9f, 0x1.d3b4d6p-10f, 0x1.60ca9ep-10f, 0x1.1031a8p-10f, 0x1.ac4316p-11f, 0x1.56a2bep-11f, 0x1.16335ep-11f, 0x1.16335ep-11f}, /* R c2 */
    {-0x1.aec29ep-4f, -0x1.2bad18p-5f, -0x1.e2a8b0p-7f, -0x1.b671d2p-8f, -0x1.b79db8p-9f, -0x1.ddfc1cp-10f, -0x1.15ca8ap-10f, -0x1.554802p-11f, -0x1.b72c66p-12f, -0x1.25d860p-12f, -0x1.968882p-13f, -0x1.2160a4p-13f, -0x1.a64bbcp-14f, -0x1.3adc80p-14f, -0x1.de8322p-15f, -0x1.de8322p-15f}, /* R c3 */
    {0x1.887016p-5f, 0x1.d4f88cp-7f, 0x1.4670c6p-8f, 0x1.02587cp-9f, 0x1.c74ea8p-11f, 0x1.b6f41ap-12f, 0x1.c84e4cp-13f, 0x1.f96946p-14f, 0x1.2759e2p-14f, 0x1.69606cp-15f, 0x1.cbe806p-16f, 0x1.2ec7e8p-16f, 0x1.9aaadap-17f, 0x1.1dd4a0p-17f, 0x1.971d24p-18f, 0x1.971d24p-18f}, /* R c4 */
    {-0x1.44c922p-6f, -0x1.527464p-8f, -0x1.9cae5cp-10f, -0x1.1fc4d2p-11f, -0x1.c1f15ap-13f, -0x1.839e3cp-14f, -0x1.6aa3e6p-15f, -0x1.6bfa0ep-16f, -0x1.83f774p-17f, -0x1.b38018p-18f, -0x1.ff3e9ap-19f, -0x1.380232p-19f, -0x1.8a0e7cp-20f, -0x1.006f9ep-20f, -0x1.56c404p-21f, -0x1.56c404p-21f}, /* R c5 */
    {0x1.e867bcp-8f, 0x1.d0058ep-10f, 0x1.f2f268p-12f, 0x1.347ef0p-13f, 0x1.ae512cp-15f, 0x1.4cd930p-16f, 0x1.196438p-17f, 0x1.00cc16p-18f, 0x1.f4afdep-20f, 0x1.026b9ap-20f, 0x1.186220p-21f, 0x1.3dc56ap-22f, 0x1.763af4p-23f, 0x1.c7eeb6p-24f, 0x1.1e3ddep-24f, 0x1.1e3ddep-24f}, /* R c6 */
    {-0x1.14f848p-9f, -0x1.233a0cp-11f, -0x1.184c9cp-13f, -0x1.3716ccp-15f, -0x1.86f916p-17f, -0x1.11ba5ep-18f, -0x1.a4fbc4p-20f, -0x1.5f3518p-21f, -0x1.3a85f6p-22f, -0x1.2ba760p-23f, -0x1.2d65a0p-24f, -0x1.3df876p-25f, -0x1.5de98ap-26f, -0x1.8fc2cep-27f, -0x1.d83c62p-28f, -0x1.d83c62p-28f}, /* R c7 */
    {0x1.9c42bap-2f, 0x0.000000p+0f, -0x1.53c31ep-2f, -0x1.42df44p-1f, -0x1.d3090ep-1f, -0x1.2f12b4p+0f, -0x1.73130cp+0f, -0x1.b61010p+0f, -0x1.f85beep+0f, -0x1.1d1502p+1f, -0x1.3dcdf0p+1f, -0x1.5e6424p+1f, -0x1.7edf94p+1f, -0x1.9f45fcp+1f, -0x1.bf9b92p+1f, -0x1.bf9b92p+1f}, /* F c0 hi */
    {-0x1.85711ap-29f, 0x0.000000p+0f, 0x1.5ed198p-27f, 0x1.e489aap-26f, -0x1.4e7184p-26f, -0x1.9cbc18p-25f, 0x1.2d1732p-25f, -0x1.6b9400p-26f, 0x1.faee10p-26f, 0x1.edd4c2p-24f, 0x1.2f4054p-24f, 0x1.6a0cd0p-24f, 0x1.5aa5f0p-26f, 0x1.a74eacp-25f, -0x1.ee2bf8p-25f, -0x1.ee2bf8p-25f}, /* F c0 lo */
    {-0x1.7b18fep-1f, -0x1.25126cp-1f, -0x1.fe7302p-2f, -0x1.d8aecap-2f, -0x1.c3dcd4p-2f, -0x1.b76ffap-2f, -0x1.af8948p-2f, -0x1.aa3f4ap-2f, -0x1.a68e10p-2f, -0x1.a3e2dcp-2f, -0x1.a1e674p-2f, -0x1.a062b0p-2f, -0x1.9f34a4p-2f, -0x1.9e450ap-2f, -0x1.9d83f4p-2f, -0x1.9d83f4p-2f}, /* F c1 */
    {0x1.a3b888p-3f, 0x1.5b2984p-4f, 0x1.495d04p-5f, 0x1.5c9912p-6f, 0x1.928682p-7f, 0x1.f25144p-8f, 0x1.46460ep-8f, 0x1.bf4576p-9f, 0x1.3e5cecp-9f, 0x1.d3b4d6p-10f, 0x1.60ca9ep-10f, 0x1.1031a8p-10f, 0x1.ac4316p-11f, 0x1.56a2bep-11f, 0x1.16335ep-11f, 0x1.16335ep-11f}, /* F c2 */
    {-0x1.aec2b4p-4f, -0x1.2bad2ap-5f, -0x1.e2a904p-7f, -0x1.b671eap-8f, -0x1.b79dc2p-9f, -0x1.ddfc20p-10f, -0x1.15ca8ap-10f, -0x1.554804p-11f, -0x1.b72c66p-12f, -0x1.25d860p-12f, -0x1.968882p-13f, -0x1.2160a4p-13f, -0x1.a64bbcp-14f, -0x1.3adc80p-14f, -0x1.de8322p-15f, -0x1.de8322p-15f}, /* F c3 */
    {0x1.8870b2p-5f, 0x1.d4fbdcp-7f, 0x1.4670dap-8f, 0x1.02587cp-9f, 0x1.c74ea8p-11f, 0x1.b6f41ap-12f, 0x1.c84e4cp-13f, 0x1.f96946p-14f, 0x1.2759e2p-14f, 0x1.69606cp-15f, 0x1.cbe806p-16f, 0x1.2ec7e8p-16f, 0x1.9aaadap-17f, 0x1.1dd4a0p-17f, 0x1.971d24p-18f, 0x1.971d24p-18f}, /* F c4 */
    {-0x1.44bc72p-6f, -0x1.526944p-8f, -0x1.9c78e4p-10f, -0x1.1fb628p-11f, -0x1.c1e56ap-13f, -0x1.839840p-14f, -0x1.6aa06ap-15f, -0x1.6bf7c4p-16f, -0x1.83f5cep-17f, -0x1.b37eccp-18f, -0x1.ff3d84p-19f, -0x1.3801b8p-19f, -0x1.8a0e12p-20f, -0x1.006f6cp-20f, -0x1.56c3cep-21f, -0x1.56c3cep-21f}, /* F c5 */
    {0x1.e729d0p-8f, 0x1.cf443cp-10f, 0x1.f2e95ap-12f, 0x1.347eb2p-13f, 0x1.ae5160p-15f, 0x1.4cd95cp-16f, 0x1.196454p-17f, 0x1.00cc28p-18f, 0x1.f4aff0p-20f, 0x1.026ba0p-20f, 0x1.186222p-21f, 0x1.3dc580p-22f, 0x1.763b50p-23f, 0x1.c7eef8p-24f, 0x1.1e3e3cp-24f, 0x1.1e3e3cp-24f}, /* F c6 */
    {-0x1.114156p-9f, -0x1.252a62p-11f, -0x1.2209c2p-13f, -0x1.3c6e6ep-15f, -0x1.8b5246p-17f, -0x1.13e8b0p-18f, -0x1.a785ccp-20f, -0x1.60ded6p-21f, -0x1.3bb9f4p-22f, -0x1.2c98f6p-23f, -0x1.2e30bcp-24f, -0x1.3eaa18p-25f, -0x1.5e8168p-26f, -0x1.905348p-27f, -0x1.d8d892p-28f, -0x1.d8d892p-28f}, /* F c7 */
};

SW_INLINE vx vx_tbl16(const float *t, vx jf) { vx r = {vf_tbl16(t, jf.a), vf_tbl16(t, jf.b)}; return r; }

/* What forward and backward share: t = min(|x|, 9), E = exp(-t^2/2) as the
 * pair e_hi + e_lo, the interval (jf: its index in SWF_SHIFT-style bits) and
 * v = t - m_j as the pair v_hi + v_lo. */
typedef struct swge_arg {
    vx e_hi, e_lo, jf, v_hi, v_lo;
    vxm neg;   /* x < 0 */
} swge_arg;

SW_INLINE swge_arg swge_prepare(int lp, vx x)
{
    swge_arg a;
    vx t = vx_min(vx_abs(x), vx_set1(9.0f));
    vx yh = vx_mul(t, t), yl = vx_fms(t, t, yh);             /* t^2 = yh + yl exactly */
    vx kf, el, s2, r = swf_exp_reduce(vx_mul(yh, vx_set1(-0.5f)), &kf);
    r = vx_fma(yl, vx_set1(-0.5f), r);
    swf_exp_pair(r, kf, &a.e_hi, &el, &s2);
    a.e_lo = lp ? vx_set1(0.0f) : vx_mul(el, s2);
    /* j = round((t - t0)/w + 1): the 1.5 2^23 shift rounds to an integer in the low bits */
    a.jf = vx_add(vx_fma(t, vx_set1(1.0f / SWGE_W), vx_set1(1.0f - SWGE_T0 / SWGE_W)), vx_set1(0x1.8p23f));
    /* v = (t - M_HI) - M_LO: the first difference is exact (Sterbenz) near m_j,
     * and |t - M_HI| >= |M_LO| unless 0, so Fast2Sum keeps the second exactly */
    vx d = vx_sub(t, vx_tbl16(sw_gelu_tab[SWGE_MHI], a.jf)), ml = vx_tbl16(sw_gelu_tab[SWGE_MLO], a.jf);
    a.v_hi = vx_sub(d, ml);
    a.v_lo = lp ? vx_set1(0.0f) : vx_sub(vx_sub(d, a.v_hi), ml);
    a.neg = vx_lt(x, vx_set1(0.0f));
    return a;
}

/* C = c0 + v T(v), T = c1 + c2 v + ... + c7 v^6, from the 9 rows from row0
 * (c0 hi, c0 lo, c1..c7), as the pair (*hi, *lo): v T as a pair, then
 * Fast2Sum with c0 (|v T| < 0.6 |c0|, or c0 = 0). Left: T's own rounding,
 * scaled by |v T / C| (< 1). */
SW_INLINE void swge_poly(int lp, const swge_arg *a, int row0, vx *hi, vx *lo)
{
    vx p = vx_tbl16(sw_gelu_tab[row0 + 8], a->jf);
    SW_UNROLL
    for (int k = 6; k >= 1; k--) p = vx_fma(p, a->v_hi, vx_tbl16(sw_gelu_tab[row0 + 1 + k], a->jf));
    vx tv = vx_mul(p, a->v_hi);
    vx c0 = vx_tbl16(sw_gelu_tab[row0], a->jf);
    *hi = vx_add(c0, tv);
    if (lp) { *lo = vx_set1(0.0f); return; }
    vx tv_lo = vx_fma(p, a->v_lo, vx_fms(p, a->v_hi, tv));
    *lo = vx_add(vx_add(vx_sub(c0, *hi), tv), vx_add(tv_lo, vx_tbl16(sw_gelu_tab[row0 + 1], a->jf)));
}

/* The factor A = 1 - E C for x >= 0, E C for x < 0, as the pair (*fh, *fl):
 * E C as a pair, 1 - E C by Fast2Sum (|E C| <= 1/2). C = R: A = Phi(x);
 * C = F: A = gelu'(x). lp: *fl = 0. */
SW_INLINE void swge_factor(int lp, const swge_arg *a, vx ch, vx cl, vx *fh, vx *fl)
{
    vx one = vx_set1(1.0f);
    vx qh = vx_mul(a->e_hi, ch);
    if (lp) {
        *fh = vx_sel(a->neg, qh, vx_sub(one, qh));
        *fl = vx_set1(0.0f);
        return;
    }
    vx ql = vx_fma(a->e_hi, cl, vx_fma(a->e_lo, ch, vx_fms(a->e_hi, ch, qh)));
    vx ph = vx_sub(one, qh);
    vx pl = vx_sub(vx_sub(vx_sub(one, ph), qh), ql);
    *fh = vx_sel(a->neg, qh, ph);
    *fl = vx_sel(a->neg, ql, pl);
}

/* m A, rounded once. Forward: C = R, m = x; backward: C = F, m = d. */
SW_INLINE vx swge_finish(int lp, const swge_arg *a, vx m, vx ch, vx cl)
{
    vx fh, fl;
    swge_factor(lp, a, ch, cl, &fh, &fl);
    return lp ? vx_mul(m, fh) : vx_fma(m, fh, vx_mul(m, fl));
}

/* (p q) A for the exact product p q (an FMA pair), rounded once (lp: plainly) */
SW_INLINE vx swge_times2(int lp, vx p, vx q, vx fh, vx fl)
{
    vx h = vx_mul(p, q);
    if (lp) return vx_mul(h, fh);
    return vx_fma(h, fh, vx_fma(h, fl, vx_mul(vx_fms(p, q, h), fh)));
}

/* the lanes to redo in double: x < -9, or a non-finite x or result (x
 * itself too: t = min(|x|, 9) turns a NaN into 9, and the backward's result
 * d gelu'(t) would not carry it) */
SW_INLINE vxm swge_bad(vx x, vx out)
{
    return vxm_or(vx_lt(x, vx_set1(SWGE_XNEG)), vxm_or(vx_isnonfinite(x), vx_isnonfinite(out)));
}

/* m A(x), rounded once: gelu(x) = x Phi(x) (row0 = SWGE_R0H, m = x) or
 * d gelu'(x) (row0 = SWGE_F0H, m = d); *bad: lanes to redo in double */
SW_INLINE vx swf_gelu(int lp, int row0, vx x, vx m, vxm *bad)
{
    swge_arg a = swge_prepare(lp, x);
    vx ch, cl;
    swge_poly(lp, &a, row0, &ch, &cl);
    vx out = swge_finish(lp, &a, m, ch, cl);
    *bad = vxm_or(*bad, swge_bad(x, out));
    return out;
}

/* GEGLU: out = gelu(g) u = (g u) Phi(g), rounded once; its sign is
 * sign(g) XOR sign(u), zeros included (Phi > 0) */
SW_INLINE vx swf_geglu_fwd(int lp, vx g, vx u, vxm *bad)
{
    swge_arg a = swge_prepare(lp, g);
    vx rh, rl, fh, fl;
    swge_poly(lp, &a, SWGE_R0H, &rh, &rl);
    swge_factor(lp, &a, rh, rl, &fh, &fl);
    vx out = vx_xsign(swge_times2(lp, g, u, fh, fl), g, u);
    *bad = vxm_or(*bad, swge_bad(g, out));
    return out;
}

/* GEGLU backward: dg = (d u) gelu'(g), du = (d g) Phi(g) (sign(d) XOR sign(g)),
 * each rounded once; R and F share the exponential and the interval */
SW_INLINE void swf_geglu_bwd(int lp, vx g, vx u, vx d, vx *dg_out, vx *du_out, vxm *bad)
{
    swge_arg a = swge_prepare(lp, g);
    vx ch, cl, fh, fl;
    swge_poly(lp, &a, SWGE_R0H, &ch, &cl);
    swge_factor(lp, &a, ch, cl, &fh, &fl);
    *du_out = vx_xsign(swge_times2(lp, d, g, fh, fl), g, d);
    swge_poly(lp, &a, SWGE_F0H, &ch, &cl);
    swge_factor(lp, &a, ch, cl, &fh, &fl);
    *dg_out = swge_times2(lp, d, u, fh, fl);
    *bad = vxm_or(*bad, swge_bad(g, vx_add(*dg_out, *du_out)));
}
