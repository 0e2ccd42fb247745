/* simd_body.h -- the SIMD kernels, written once over a small set of vector
 * operations that each ISA file (avx2/glu_avx2.c, avx512/glu_avx512.c)
 * defines before including this file: BLIS's split of one algorithm and
 * per-ISA register code, without a copy of the algorithm per ISA.
 *
 * The Swish gate (SwiGLU forward, Swish forward, and the fused SwiGLU backward
 * in overwrite mode) and GELU (erf; GEGLU too) have their own single-precision
 * kernels in simd_swiglu.h and simd_gelu.h (loops: simd_float_loops.h):
 * compensated float arithmetic, rounded once (Swish: < 0.7 and < 0.9 ulp by
 * their bounds; GELU: < 1.1 forward, < 2.4 backward), two to three times as
 * fast; they fall back to the loops here.
 *
 * Every other activation is evaluated in double precision on float inputs and
 * rounded to float once, at the end: the results are within ~0.5 ulp of the
 * exact value plus the approximation errors below, which are < 1e-11
 * relative, so the float results are at most 1 ulp off (docs/KERNELS.md has
 * the measured table). Vectors that hold an inf or NaN in any input are
 * handed to the scalar element functions (act_scalar.h), which give the
 * mathematical limits; so is the tail of n mod VF elements.
 *
 * The ISA file provides (vd: VDL doubles; vf: VF = 2 VDL floats; vm: a mask):
 *   vd_set1 vd_add vd_sub vd_mul vd_fma(a,b,c)=ab+c vd_abs vd_min vd_max vd_div
 *   vd_round (to nearest) vd_ldexp(p, n) = p 2^n for integral n in [-1022, 0]
 *   vd_recip(d) ~ 1/d for d in [1, 2], relative error < 2^-50
 *   vd_ge vd_gt vd_lt vd_le (masks) vd_sel(m, a, b) = m ? a : b  vd_hsum
 *   vf_load vf_store vf_lo vf_hi (float halves to vd) vf_join(lo, hi)
 *   vf_stream(p, a): a non-temporal store (p VF-float aligned); vf_fence()
 *   vf_nonfinite(x) -> nonzero when a lane is inf or NaN
 *   vf_store_bf16(p, a): the VF lanes rounded to bf16 (core/bf16.h's
 *     rounding: u + 0x7fff + ((u >> 16) & 1), NaN made quiet), stored at p
 *   vf_load_bf16(p): VF bf16 values at p widened to float (exact: u << 16)
 */
#ifndef SW_SIMD_PREFIX
#error "include simd_body.h from an ISA file that defines the vector operations"
#endif

#include <stdint.h>
#include "kernels/kernels.h"
#include "kernels/act_scalar.h"
#include "kernels/glu_scalar.h"
#include "core/bf16.h"

#define SW_INLINE static inline __attribute__((always_inline))
/* Horner loops fully unrolled: -O2 keeps a short loop of constant trip
 * count as a loop, and a compare and branch after every FMA (with the
 * coefficient reloaded) cost the double kernels about half their speed. */
#if defined(__clang__)
#define SW_UNROLL _Pragma("clang loop unroll(full)")
#else
#define SW_UNROLL _Pragma("GCC unroll 16")
#endif

/* exp(-a) for a >= 0 (a finite).
 * a is clamped to 708 so that 2^n stays a normal double; below exp(-708) =
 * 3e-308 every result here underflows float anyway (docs/KERNELS.md).
 * n = round(-a log2 e), r = -a - n ln2 (ln2 in two parts, Cody-Waite: r is
 * exact to ~2^-60), |r| <= ln2/2; e^r by its Taylor polynomial of degree 12:
 * truncation error <= (ln2/2)^13/13! = 1.7e-16 relative. Double-precision
 * accuracy is needed, not only float's: derivatives such as swish' =
 * s + z q cross zero, and near the crossing their float result is only as
 * good as s and q are in absolute terms. */
SW_INLINE vd v_expneg(vd a)
{
    static const double inv_fact[13] = {
        1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040,
        1.0 / 40320, 1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600};
    vd y = vd_max(vd_sub(vd_set1(0.0), a), vd_set1(-708.0));
    vd n = vd_round(vd_mul(y, vd_set1(1.4426950408889634074)));
    vd r = vd_fma(n, vd_set1(-6.93147180369123816490e-01), y);
    r = vd_fma(n, vd_set1(-1.90821492927058770002e-10), r);
    vd p = vd_set1(inv_fact[12]);
    SW_UNROLL
    for (int k = 11; k >= 0; k--) p = vd_fma(p, r, vd_set1(inv_fact[k]));
    return vd_ldexp(p, n);
}

/* s = sigmoid(z), q = sigmoid(z) sigmoid(-z), through e = exp(-|z|):
 * s = 1/(1+e) (z >= 0) or e/(1+e) (z < 0);  q = e/(1+e)^2. */
SW_INLINE void v_sig(vd z, vd *s, vd *q)
{
    vd e = v_expneg(vd_abs(z));
    vd r = vd_recip(vd_add(vd_set1(1.0), e));
    vd er = vd_mul(e, r);
    *s = vd_sel(vd_ge(z, vd_set1(0.0)), r, er);
    *q = vd_mul(er, r);
}

/* erfcx(z) = exp(z^2) erfc(z) for z in [0, 10.75]: a degree-14 polynomial in
 * u = (z - 3)/(z + 3), fitted to erfcx in 40-digit arithmetic (mpmath) on
 * Chebyshev nodes; max relative error 5.7e-12 on [0, 10.75]. Beyond 10.75,
 * erfc(z) < 1e-51 and gelu_erf underflows or equals x in float. */
SW_INLINE vd v_erfcx(vd z)
{
    static const double c[15] = {
        0.17900115118105667, /* u^0 */
        -0.32623356004514259, /* u^1 */
        0.24560380177859195, /* u^2 */
        -0.15011593634560841, /* u^3 */
        0.071665835072256198, /* u^4 */
        -0.024392503222267319, /* u^5 */
        0.0042691610098993917, /* u^6 */
        0.0007077923209328653, /* u^7 */
        -0.00059718744002105507, /* u^8 */
        4.4984502083897687e-05, /* u^9 */
        6.431315008286693e-05, /* u^10 */
        -1.2071470993351586e-05, /* u^11 */
        -7.9876017598689564e-06, /* u^12 */
        1.1352306496211217e-06, /* u^13 */
        7.5381992708475503e-07, /* u^14 */
    };
    vd zc = vd_min(z, vd_set1(10.75));
    vd u = vd_div(vd_sub(zc, vd_set1(3.0)), vd_add(zc, vd_set1(3.0)));
    vd p = vd_set1(c[14]);
    SW_UNROLL
    for (int k = 13; k >= 0; k--) p = vd_fma(p, u, vd_set1(c[k]));
    return p;
}

/* erf(z)/z as a polynomial in t = z^2, for t <= 0.5625: the Taylor series
 * 2/sqrt(pi) sum_k (-1)^k t^k / (k! (2k+1)), k = 0..13; the first omitted
 * term bounds the error: 1.4e-16. */
SW_INLINE vd v_erf_over_z(vd t)
{
    static const double c[14] = {
        1.1283791670955126, -0.37612638903183754, 0.11283791670955126, -0.026866170645131252,
        0.005223977625442188, -0.0008548327023450853, 0.00012055332981789664,
        -1.492565035840625e-05, 1.6462114365889248e-06, -1.6365844691234924e-07,
        1.4807192815879218e-08, -1.2290555301717928e-09, 9.422759064650411e-11,
        -6.7113668551641105e-12};
    vd p = vd_set1(c[13]);
    SW_UNROLL
    for (int k = 12; k >= 0; k--) p = vd_fma(p, t, vd_set1(c[k]));
    return p;
}

/* Value a = act(x), derivative da = act'(x), beta-derivative db = d act/d beta
 * (Swish only) of VDL finite doubles. want_d: also compute da and db.
 * `act` is a compile-time constant at every call site (the loops below are
 * instantiated per activation), so the switch folds away. */
SW_INLINE void v_act(int act, int want_d, vd x, vd beta, vd *a, vd *da, vd *db)
{
    vd zero = vd_set1(0.0), one = vd_set1(1.0), s, q;
    *db = zero;
    switch (act) {
    case SWIGLU_ACT_IDENTITY:
        *a = x;
        *da = one;
        break;
    case SWIGLU_ACT_RELU: /* x < 0 ? 0 : x, keeps -0 as the reference does */
        *a = vd_sel(vd_lt(x, zero), zero, x);
        *da = vd_sel(vd_gt(x, zero), one, zero);
        break;
    case SWIGLU_ACT_GELU_ERF: {
        /* gelu = x Phi(x), gelu' = Phi(x) + x phi(x), phi(x) = exp(-x^2/2)/sqrt(2 pi).
         * |x| <= 0.75 sqrt2, derivative wanted: Phi = 1/2 + (x/sqrt2) P(x^2/2) / 2,
         *   P(t) = erf(z)/z by its Taylor series (exact coefficients, 14 terms,
         *   error < 1.5e-16): no cancellation at the zero crossing of gelu', x = -0.7518.
         * otherwise: Phi = 1 - h (x >= 0) or h (x < 0), h = erfc(z)/2,
         *   z = |x|/sqrt2, erfc(z) = exp(-x^2/2) erfcx(z). */
        vd e2 = v_expneg(vd_mul(vd_set1(0.5), vd_mul(x, x)));
        vd h = vd_mul(vd_mul(vd_set1(0.5), e2), v_erfcx(vd_mul(vd_abs(x), vd_set1(SW_SQRT1_2))));
        vd phi_cdf = vd_sel(vd_ge(x, zero), vd_sub(one, h), h);
        /* gelu itself, x Phi, has no cancellation: the erfc form serves every x
         * (Phi to 6e-12 relative); only gelu' = Phi + x phi, which cancels near
         * -0.7518, needs Phi to 1e-16 in absolute terms there */
        if (want_d) {
            vd small = vd_set1(0.75 * 1.41421356237309504880);
            vd phi_small = vd_fma(vd_mul(vd_set1(0.5 * SW_SQRT1_2), x), v_erf_over_z(vd_mul(vd_set1(0.5), vd_mul(x, x))), vd_set1(0.5));
            phi_cdf = vd_sel(vd_le(vd_abs(x), small), phi_small, phi_cdf);
            *da = vd_fma(vd_mul(x, e2), vd_set1(SW_INV_SQRT_2PI), phi_cdf);
        }
        *a = vd_mul(x, phi_cdf);
        break;
    }
    case SWIGLU_ACT_GELU_TANH: {
        /* gelu = x s(2u), u = c (x + a x^3); gelu' = s + 2 x q u', u' = c (1 + 3a x^2) */
        vd x2 = vd_mul(x, x);
        vd u2 = vd_mul(vd_set1(2.0 * SW_SQRT_2_OVER_PI), vd_mul(x, vd_fma(vd_set1(SW_GELU_TANH_A), x2, one)));
        v_sig(u2, &s, &q);
        *a = vd_mul(x, s);
        if (want_d) {
            vd du = vd_mul(vd_set1(SW_SQRT_2_OVER_PI), vd_fma(vd_set1(3.0 * SW_GELU_TANH_A), x2, one));
            *da = vd_fma(vd_mul(vd_set1(2.0), x), vd_mul(q, du), s);
        }
        break;
    }
    case SWIGLU_ACT_SIGMOID:
        v_sig(x, &s, &q);
        *a = s;
        *da = q;
        break;
    default: { /* SWIGLU_ACT_SWISH: a = x s(z), z = beta x; a' = s + z q; da/dbeta = x^2 q */
        vd z = vd_mul(beta, x);
        v_sig(z, &s, &q);
        *a = vd_mul(x, s);
        if (want_d) {
            *da = vd_fma(z, q, s);
            *db = vd_mul(vd_mul(x, x), q);
        }
        break;
    }
    }
}

/* ---- loops, one instance per activation -------------------------------- */

/* A vector store; nt (a constant at every call site): a streaming store,
 * which writes the line to memory without reading it into the cache first
 * (the caller has aligned p; see stream_head below). */
SW_INLINE void sw_st(int nt, float *p, vf a)
{
    if (nt) vf_stream(p, a);
    else vf_store(p, a);
}

SW_INLINE void act_fwd_loop(int act, int nt, float *out, const float *x, size_t n, const sw_gate *g)
{
    vd beta = vd_set1(g->beta), da, db;
    size_t i = 0;
    for (; i + VF <= n; i += VF) {
        vf xv = vf_load(x + i);
        if (vf_nonfinite(xv)) { for (size_t k = i; k < i + VF; k++) out[k] = (float)sw_act_d(act, x[k], g->beta); continue; }
        vd lo, hi;
        v_act(act, 0, vf_lo(xv), beta, &lo, &da, &db);
        v_act(act, 0, vf_hi(xv), beta, &hi, &da, &db);
        sw_st(nt, out + i, vf_join(lo, hi));
    }
    for (; i < n; i++) out[i] = (float)sw_act_d(act, x[i], g->beta);
}

SW_INLINE vd bwd_half(int act, vd x, vd d, vd beta, vd *dbacc)
{
    vd a, da, db;
    v_act(act, 1, x, beta, &a, &da, &db);
    (void)a;
    if (act == SWIGLU_ACT_SWISH) *dbacc = vd_fma(d, db, *dbacc);
    return vd_mul(d, da);
}

SW_INLINE double act_bwd_loop(int act, int nt, float *dx, const float *dout, const float *x, size_t n,
                              const sw_gate *g, int overwrite)
{
    vd beta = vd_set1(g->beta), dbacc = vd_set1(0.0);
    double db = 0.0;
    size_t i = 0;
    for (; i + VF <= n; i += VF) {
        vf xv = vf_load(x + i), dv = vf_load(dout + i);
        if (vf_nonfinite(xv) || vf_nonfinite(dv) || (!overwrite && vf_nonfinite(vf_load(dx + i)))) {
            db += sw_act_bwd_tail(dx, dout, x, i, i + VF, g, overwrite);
            continue;
        }
        vd lo = bwd_half(act, vf_lo(xv), vf_lo(dv), beta, &dbacc);
        vd hi = bwd_half(act, vf_hi(xv), vf_hi(dv), beta, &dbacc);
        if (!overwrite) {
            vf old = vf_load(dx + i);
            lo = vd_add(lo, vf_lo(old));
            hi = vd_add(hi, vf_hi(old));
        }
        sw_st(nt, dx + i, vf_join(lo, hi));
    }
    db += sw_act_bwd_tail(dx, dout, x, i, n, g, overwrite);
    return db + vd_hsum(dbacc);
}

/* gate and up, clamped when the gate asks: g' = min(g, L), u' = clamp(u, -L, L) + shift */
SW_INLINE void clamp_gu(const sw_gate *g, vd *gv, vd *uv)
{
    vd lim = vd_set1(g->limit);
    *gv = vd_min(*gv, lim);
    *uv = vd_add(vd_min(vd_max(*uv, vd_sub(vd_set1(0.0), lim)), lim), vd_set1(g->shift));
}

SW_INLINE vd glu_fwd_half(int act, const sw_gate *g, vd gv, vd uv, vd beta)
{
    vd a, da, db;
    if (g->clamp) clamp_gu(g, &gv, &uv);
    v_act(act, 0, gv, beta, &a, &da, &db);
    return vd_mul(a, uv);
}

SW_INLINE void glu_fwd_loop(int act, int nt, float *out, const float *gi, const float *ui, size_t n,
                            const sw_gate *g)
{
    vd beta = vd_set1(g->beta);
    size_t i = 0;
    for (; i + VF <= n; i += VF) {
        vf gv = vf_load(gi + i), uv = vf_load(ui + i);
        if (vf_nonfinite(gv) || vf_nonfinite(uv)) { sw_glu_fwd_tail(out, gi, ui, i, i + VF, g); continue; }
        vd lo = glu_fwd_half(act, g, vf_lo(gv), vf_lo(uv), beta);
        vd hi = glu_fwd_half(act, g, vf_hi(gv), vf_hi(uv), beta);
        sw_st(nt, out + i, vf_join(lo, hi));
    }
    sw_glu_fwd_tail(out, gi, ui, i, n, g);
}

/* dg = d u' act'(g') [g <= L],  du = d act(g') [-L <= u <= L],  dbeta += d u' dact/dbeta */
SW_INLINE void glu_bwd_half(int act, const sw_gate *g, vd gv, vd uv, vd d, vd beta,
                            vd *dg, vd *du, vd *dbacc)
{
    vd a, da, db, zero = vd_set1(0.0);
    vd g0 = gv, u0 = uv;
    if (g->clamp) clamp_gu(g, &gv, &uv);
    v_act(act, 1, gv, beta, &a, &da, &db);
    vd du_ = vd_mul(d, uv);
    *dg = vd_mul(du_, da);
    *du = vd_mul(d, a);
    if (act == SWIGLU_ACT_SWISH) *dbacc = vd_fma(du_, db, *dbacc);
    if (g->clamp) {
        vd lim = vd_set1(g->limit);
        *dg = vd_sel(vd_le(g0, lim), *dg, zero);
        *du = vd_sel(vd_le(vd_abs(u0), lim), *du, zero);
    }
}

SW_INLINE double glu_bwd_loop(int act, int nt, float *dg, float *du, const float *dout, const float *gi,
                              const float *ui, size_t n, const sw_gate *g, int overwrite)
{
    vd beta = vd_set1(g->beta), dbacc = vd_set1(0.0);
    double db = 0.0;
    size_t i = 0;
    for (; i + VF <= n; i += VF) {
        vf gv = vf_load(gi + i), uv = vf_load(ui + i), dv = vf_load(dout + i);
        if (vf_nonfinite(gv) || vf_nonfinite(uv) || vf_nonfinite(dv) ||
            (!overwrite && (vf_nonfinite(vf_load(dg + i)) || vf_nonfinite(vf_load(du + i))))) {
            db += sw_glu_bwd_tail(dg, du, dout, gi, ui, i, i + VF, g, overwrite);
            continue;
        }
        vd glo, ghi, ulo, uhi;
        glu_bwd_half(act, g, vf_lo(gv), vf_lo(uv), vf_lo(dv), beta, &glo, &ulo, &dbacc);
        glu_bwd_half(act, g, vf_hi(gv), vf_hi(uv), vf_hi(dv), beta, &ghi, &uhi, &dbacc);
        if (!overwrite) {
            vf og = vf_load(dg + i), ou = vf_load(du + i);
            glo = vd_add(glo, vf_lo(og)); ghi = vd_add(ghi, vf_hi(og));
            ulo = vd_add(ulo, vf_lo(ou)); uhi = vd_add(uhi, vf_hi(ou));
        }
        sw_st(nt, dg + i, vf_join(glo, ghi));
        sw_st(nt, du + i, vf_join(ulo, uhi));
    }
    db += sw_glu_bwd_tail(dg, du, dout, gi, ui, i, n, g, overwrite);
    return db + vd_hsum(dbacc);
}

/* the fast single-precision Swish/SwiGLU forward (its fallback: the loops above) */
#include "kernels/simd_swiglu.h"
/* the fast single-precision GELU (erf) */
#include "kernels/simd_gelu.h"
/* the loops of both fast paths */
#include "kernels/simd_float_loops.h"

/* ---- the kernel table: dispatch on the activation once per call -------- */

#define SW_CAT2(a, b) a##b
#define SW_CAT(a, b) SW_CAT2(a, b)
#define SW_FN(name) SW_CAT(name, SW_SIMD_PREFIX)

#define SW_SWITCH_ACT(CALL)                                                  \
    switch (g->act) {                                                        \
    case SWIGLU_ACT_IDENTITY: CALL(SWIGLU_ACT_IDENTITY); break;              \
    case SWIGLU_ACT_RELU: CALL(SWIGLU_ACT_RELU); break;                      \
    case SWIGLU_ACT_GELU_ERF: CALL(SWIGLU_ACT_GELU_ERF); break;              \
    case SWIGLU_ACT_GELU_TANH: CALL(SWIGLU_ACT_GELU_TANH); break;            \
    case SWIGLU_ACT_SIGMOID: CALL(SWIGLU_ACT_SIGMOID); break;                \
    default: CALL(SWIGLU_ACT_SWISH); break;                                  \
    }

/* Streaming stores (g->stream: the framework found the call's outputs large,
 * see swiglu_stream_threshold_set) need VF-float aligned vectors: the first
 * elements, up to out's boundary, take normal stores. Returns that head's
 * length, or n (nothing streamed) when out is not float-aligned or when a
 * second output b cannot be aligned together with it. */
static size_t SW_FN(stream_head_)(const float *out, const float *b, size_t n)
{
    const uintptr_t al = VF * sizeof(float), p = (uintptr_t)out;
    if (p % sizeof(float) || (b && ((uintptr_t)b - p) % al)) return n;
    size_t h = (size_t)((al - p % al) % al) / sizeof(float);
    return h < n ? h : n;
}

SW_INLINE void act_fwd_any(int nt, float *out, const float *x, size_t n, const sw_gate *g)
{
    if (g->act == SWIGLU_ACT_SWISH) {
        if (g->lowp) {
            if (g->beta == 1.0) swf_unary_loop(SWIGLU_ACT_SWISH, 0, 1, 1, nt, out, NULL, x, n, g);
            else swf_unary_loop(SWIGLU_ACT_SWISH, 0, 0, 1, nt, out, NULL, x, n, g);
        } else {
            if (g->beta == 1.0) swf_unary_loop(SWIGLU_ACT_SWISH, 0, 1, 0, nt, out, NULL, x, n, g);
            else swf_unary_loop(SWIGLU_ACT_SWISH, 0, 0, 0, nt, out, NULL, x, n, g);
        }
        return;
    }
    if (g->act == SWIGLU_ACT_GELU_ERF) {
        if (g->lowp) swf_unary_loop(SWIGLU_ACT_GELU_ERF, 0, 1, 1, nt, out, NULL, x, n, g);
        else swf_unary_loop(SWIGLU_ACT_GELU_ERF, 0, 1, 0, nt, out, NULL, x, n, g);
        return;
    }
#define CALL(A) act_fwd_loop(A, nt, out, x, n, g)
    SW_SWITCH_ACT(CALL)
#undef CALL
}

static void SW_FN(act_fwd_)(float *out, const float *x, size_t n, const sw_gate *g)
{
    size_t h = g->stream ? SW_FN(stream_head_)(out, NULL, n) : n;
    act_fwd_any(0, out, x, h, g);
    if (h < n) { act_fwd_any(1, out + h, x + h, n - h, g); vf_fence(); }
}

SW_INLINE double act_bwd_any(int nt, float *dx, const float *dout, const float *x, size_t n,
                             const sw_gate *g, int overwrite)
{
    if (g->act == SWIGLU_ACT_GELU_ERF && overwrite) {
        if (g->lowp) swf_unary_loop(SWIGLU_ACT_GELU_ERF, 1, 1, 1, nt, dx, dout, x, n, g);
        else swf_unary_loop(SWIGLU_ACT_GELU_ERF, 1, 1, 0, nt, dx, dout, x, n, g);
        return 0.0;
    }
    double r = 0.0;
#define CALL(A) r = act_bwd_loop(A, nt, dx, dout, x, n, g, overwrite)
    SW_SWITCH_ACT(CALL)
#undef CALL
    return r;
}

static double SW_FN(act_bwd_)(float *dx, const float *dout, const float *x, size_t n,
                              const sw_gate *g, int overwrite)
{
    size_t h = g->stream && overwrite ? SW_FN(stream_head_)(dx, NULL, n) : n;
    double r = act_bwd_any(0, dx, dout, x, h, g, overwrite);
    if (h < n) { r += act_bwd_any(1, dx + h, dout + h, x + h, n - h, g, overwrite); vf_fence(); }
    return r;
}

SW_INLINE void glu_fwd_any(int nt, float *out, const float *gi, const float *ui, size_t n,
                           const sw_gate *g)
{
    if (g->act == SWIGLU_ACT_SWISH && !g->clamp) {
        if (g->lowp) {
            if (g->beta == 1.0) swf_glu_fwd_loop(SWIGLU_ACT_SWISH, 1, 1, nt, out, gi, ui, n, g);
            else swf_glu_fwd_loop(SWIGLU_ACT_SWISH, 0, 1, nt, out, gi, ui, n, g);
        } else {
            if (g->beta == 1.0) swf_glu_fwd_loop(SWIGLU_ACT_SWISH, 1, 0, nt, out, gi, ui, n, g);
            else swf_glu_fwd_loop(SWIGLU_ACT_SWISH, 0, 0, nt, out, gi, ui, n, g);
        }
        return;
    }
    if (g->act == SWIGLU_ACT_GELU_ERF && !g->clamp) {
        if (g->lowp) swf_glu_fwd_loop(SWIGLU_ACT_GELU_ERF, 1, 1, nt, out, gi, ui, n, g);
        else swf_glu_fwd_loop(SWIGLU_ACT_GELU_ERF, 1, 0, nt, out, gi, ui, n, g);
        return;
    }
#define CALL(A) glu_fwd_loop(A, nt, out, gi, ui, n, g)
    SW_SWITCH_ACT(CALL)
#undef CALL
}

static void SW_FN(glu_fwd_)(float *out, const float *gi, const float *ui, size_t n, const sw_gate *g)
{
    size_t h = g->stream ? SW_FN(stream_head_)(out, NULL, n) : n;
    glu_fwd_any(0, out, gi, ui, h, g);
    if (h < n) { glu_fwd_any(1, out + h, gi + h, ui + h, n - h, g); vf_fence(); }
}

SW_INLINE double glu_bwd_any(int nt, float *dg, float *du, const float *dout, const float *gi,
                             const float *ui, size_t n, const sw_gate *g, int overwrite)
{
    if (g->act == SWIGLU_ACT_SWISH && !g->clamp && overwrite) {
        /* beta = 1 and lowp select instances; want_db stays a run-time flag
         * in the lowp ones (bf16 layers with a learned beta are rare) */
        const int S = SWIGLU_ACT_SWISH;
        if (g->lowp)
            return g->beta == 1.0 ? swf_glu_bwd_loop(S, 1, g->want_db, 1, nt, dg, du, dout, gi, ui, n, g)
                                  : swf_glu_bwd_loop(S, 0, g->want_db, 1, nt, dg, du, dout, gi, ui, n, g);
        if (g->want_db)
            return g->beta == 1.0 ? swf_glu_bwd_loop(S, 1, 1, 0, nt, dg, du, dout, gi, ui, n, g)
                                  : swf_glu_bwd_loop(S, 0, 1, 0, nt, dg, du, dout, gi, ui, n, g);
        return g->beta == 1.0 ? swf_glu_bwd_loop(S, 1, 0, 0, nt, dg, du, dout, gi, ui, n, g)
                              : swf_glu_bwd_loop(S, 0, 0, 0, nt, dg, du, dout, gi, ui, n, g);
    }
    if (g->act == SWIGLU_ACT_GELU_ERF && !g->clamp && overwrite) {
        const int G = SWIGLU_ACT_GELU_ERF;
        return g->lowp ? swf_glu_bwd_loop(G, 1, 0, 1, nt, dg, du, dout, gi, ui, n, g)
                       : swf_glu_bwd_loop(G, 1, 0, 0, nt, dg, du, dout, gi, ui, n, g);
    }
    double r = 0.0;
#define CALL(A) r = glu_bwd_loop(A, nt, dg, du, dout, gi, ui, n, g, overwrite)
    SW_SWITCH_ACT(CALL)
#undef CALL
    return r;
}

static double SW_FN(glu_bwd_)(float *dg, float *du, const float *dout, const float *gi,
                              const float *ui, size_t n, const sw_gate *g, int overwrite)
{
    size_t h = g->stream && overwrite ? SW_FN(stream_head_)(dg, du, n) : n;
    double r = glu_bwd_any(0, dg, du, dout, gi, ui, h, g, overwrite);
    if (h < n) {
        r += glu_bwd_any(1, dg + h, du + h, dout + h, gi + h, ui + h, n - h, g, overwrite);
        vf_fence();
    }
    return r;
}

/* bf16 rounding of a buffer: VF at a time (vf_store_bf16), the tail by the
 * scalar definition; the same bits */
static void SW_FN(to_bf16_)(uint16_t *dst, const float *src, size_t n)
{
    size_t i = 0;
    for (; i + VF <= n; i += VF) vf_store_bf16(dst + i, vf_load(src + i));
    for (; i < n; i++) dst[i] = sw_f32_to_bf16(src[i]);
}

/* bf16 widening of a buffer: VF at a time, the tail by the scalar definition */
static void SW_FN(from_bf16_)(float *dst, const uint16_t *src, size_t n)
{
    size_t i = 0;
    for (; i + VF <= n; i += VF) vf_store(dst + i, vf_load_bf16(src + i));
    for (; i < n; i++) dst[i] = sw_bf16_to_f32(src[i]);
}

const sw_kernels SW_CAT(sw_kernels_, SW_SIMD_PREFIX) = {
    SW_STR_PREFIX, SW_FN(act_fwd_), SW_FN(act_bwd_), SW_FN(glu_fwd_), SW_FN(glu_bwd_), SW_FN(to_bf16_),
    SW_FN(from_bf16_)};
