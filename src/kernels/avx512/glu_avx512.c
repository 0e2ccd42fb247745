/* glu_avx512.c -- AVX-512 (F, DQ) register operations for simd_body.h.
 * Compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma only.
 * 16 floats a step, computed as two vectors of 8 doubles. */
#include <immintrin.h>

typedef __m512d vd;
typedef __m512 vf;
typedef __mmask8 vm;
#define VF 16

static inline vd vd_set1(double a) { return _mm512_set1_pd(a); }
static inline vd vd_add(vd a, vd b) { return _mm512_add_pd(a, b); }
static inline vd vd_sub(vd a, vd b) { return _mm512_sub_pd(a, b); }
static inline vd vd_mul(vd a, vd b) { return _mm512_mul_pd(a, b); }
static inline vd vd_div(vd a, vd b) { return _mm512_div_pd(a, b); }
static inline vd vd_fma(vd a, vd b, vd c) { return _mm512_fmadd_pd(a, b, c); }
static inline vd vd_abs(vd a) { return _mm512_abs_pd(a); }
static inline vd vd_min(vd a, vd b) { return _mm512_min_pd(a, b); }
static inline vd vd_max(vd a, vd b) { return _mm512_max_pd(a, b); }
static inline vd vd_round(vd a) { return _mm512_roundscale_pd(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
/* p 2^n: vscalefpd does it in one instruction */
static inline vd vd_ldexp(vd p, vd n) { return _mm512_scalef_pd(p, n); }
/* 1/d: vrcp14pd (relative error < 2^-14), two Newton steps r (2 - d r): < 2^-53 */
static inline vd vd_recip(vd d)
{
    vd r = _mm512_rcp14_pd(d), two = _mm512_set1_pd(2.0);
    r = _mm512_mul_pd(r, _mm512_fnmadd_pd(d, r, two));
    return _mm512_mul_pd(r, _mm512_fnmadd_pd(d, r, two));
}
static inline vm vd_ge(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_GE_OQ); }
static inline vm vd_gt(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ); }
static inline vm vd_lt(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
static inline vm vd_le(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_LE_OQ); }
static inline vd vd_sel(vm m, vd a, vd b) { return _mm512_mask_blend_pd(m, b, a); }
static inline double vd_hsum(vd a) { return _mm512_reduce_add_pd(a); }

static inline vf vf_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void vf_store(float *p, vf a) { _mm512_storeu_ps(p, a); }
static inline vd vf_lo(vf a) { return _mm512_cvtps_pd(_mm512_castps512_ps256(a)); }
static inline vd vf_hi(vf a) { return _mm512_cvtps_pd(_mm512_extractf32x8_ps(a, 1)); }
static inline vf vf_join(vd lo, vd hi)
{
    return _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo)), _mm512_cvtpd_ps(hi), 1);
}
/* vfpclassps: QNaN 0x01 | +inf 0x08 | -inf 0x10 | SNaN 0x80 */
static inline int vf_nonfinite(vf a) { return _mm512_fpclass_ps_mask(a, 0x99) != 0; }

#define SW_SIMD_PREFIX avx512
#define SW_STR_PREFIX "avx512"
#include "kernels/simd_body.h"
