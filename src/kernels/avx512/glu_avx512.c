/* glu_avx512.c -- AVX-512 (F, DQ) register operations for simd_body.h.
 * Compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma only.
 * 16 floats a step, computed as two vectors of 8 doubles. */
#include <immintrin.h>
#include <stdint.h>

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
/* vmovntps: p 64-byte aligned; vf_fence orders these stores before the call returns */
static inline void vf_stream(float *p, vf a) { _mm512_stream_ps(p, a); }
static inline void vf_fence(void) { _mm_sfence(); }
static inline vd vf_lo(vf a) { return _mm512_cvtps_pd(_mm512_castps512_ps256(a)); }
static inline vd vf_hi(vf a) { return _mm512_cvtps_pd(_mm512_extractf32x8_ps(a, 1)); }
static inline vf vf_join(vd lo, vd hi)
{
    return _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo)), _mm512_cvtpd_ps(hi), 1);
}
/* bf16 rounding as core/bf16.h, 16 lanes: integer add, NaN lanes (|u| >
 * 0x7f800000) take u | 0x400000 instead, then vpmovdw of the high halves */
static inline void vf_store_bf16(uint16_t *p, vf a)
{
    __m512i u = _mm512_castps_si512(a);
    __m512i rn = _mm512_add_epi32(u, _mm512_add_epi32(_mm512_set1_epi32(0x7fff),
                                                      _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1))));
    __mmask16 nan = _mm512_cmpgt_epi32_mask(_mm512_and_si512(u, _mm512_set1_epi32(0x7fffffff)), _mm512_set1_epi32(0x7f800000));
    __m512i v = _mm512_mask_or_epi32(rn, nan, u, _mm512_set1_epi32(0x00400000));
    _mm256_storeu_si256((__m256i *)(void *)p, _mm512_cvtepi32_epi16(_mm512_srli_epi32(v, 16)));
}
/* 16 bf16 values: vpmovzxwd, then each in the high half of its lane */
static inline vf vf_load_bf16(const uint16_t *p)
{
    __m512i w = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(const void *)p));
    return _mm512_castsi512_ps(_mm512_slli_epi32(w, 16));
}
/* vfpclassps: QNaN 0x01 | +inf 0x08 | -inf 0x10 | SNaN 0x80 */
static inline int vf_nonfinite(vf a) { return _mm512_fpclass_ps_mask(a, 0x99) != 0; }

/* ---- single-precision lanes (simd_swiglu.h) ---- */
typedef __mmask16 vfm;
#define VF_TBITS 4   /* exp table of 2^(j/16): one vpermps of a 16-float register */
static inline vf vf_set1(float a) { return _mm512_set1_ps(a); }
static inline vf vf_add(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf vf_fma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
static inline vf vf_fms(vf a, vf b, vf c) { return _mm512_fmsub_ps(a, b, c); }
static inline vf vf_fnma(vf a, vf b, vf c) { return _mm512_fnmadd_ps(a, b, c); }
static inline vf vf_max(vf a, vf b) { return _mm512_max_ps(a, b); }
static inline vf vf_min(vf a, vf b) { return _mm512_min_ps(a, b); }
/* vrangeps imm 0b1010: min(|a|, |b|), sign cleared */
static inline vf vf_minabs(vf a, vf b) { return _mm512_range_ps(a, b, 0x0A); }
static inline vf vf_abs(vf a) { return _mm512_abs_ps(a); }
/* vrangeps imm 0b1110: -min(|a|, |c|) */
static inline vf vf_negminabs(vf a, vf c) { return _mm512_range_ps(a, c, 0x0E); }
/* vrcp14ps: relative error < 2^-14 */
static inline vf vf_rcp(vf d) { return _mm512_rcp14_ps(d); }
static inline vfm vf_lt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
static inline vfm vf_ne(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_NEQ_UQ); }
static inline vf vf_sel(vfm m, vf a, vf b) { return _mm512_mask_blend_ps(m, b, a); }
static inline vfm vfm_none(void) { return 0; }
static inline vfm vfm_or(vfm a, vfm b) { return (vfm)(a | b); }
static inline vfm vfm_and(vfm a, vfm b) { return (vfm)(a & b); }
static inline int vfm_any(vfm a) { return a != 0; }
static inline vfm vf_isnonfinite(vf a) { return _mm512_fpclass_ps_mask(a, 0x99); }
/* |a| with sign(b) ^ sign(c): one vpxord, one vpternlogd (0xCA: A ? B : C, bitwise) */
static inline vf vf_xsign(vf a, vf b, vf c)
{
    __m512i s = _mm512_xor_si512(_mm512_castps_si512(b), _mm512_castps_si512(c));
    return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(_mm512_set1_epi32((int)0x80000000u), s,
                                                         _mm512_castps_si512(a), 0xCA));
}
/* a ^ (~z & sign): one vpternlogd (0xD2: A ^ (~B & C)) */
static inline vf vf_signz(vf a, vf z)
{
    return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(_mm512_castps_si512(a), _mm512_castps_si512(z),
                                                         _mm512_set1_epi32((int)0x80000000u), 0xD2));
}
/* vpermps takes the low 4 bits of each index: k mod 16 for kf = 1.5 2^23 + 127*16 + k */
static inline vf vf_tbl(const float *t, vf kf) { return _mm512_permutexvar_ps(_mm512_castps_si512(kf), _mm512_loadu_ps(t)); }
/* t[j] of a 16-entry table, j = the low 4 bits of jf's bits (simd_gelu.h) */
static inline vf vf_tbl16(const float *t, vf jf) { return _mm512_permutexvar_ps(_mm512_castps_si512(jf), _mm512_loadu_ps(t)); }
/* 2^floor(k/16): bits of kf are 0x4B400000 + k + 127*16 (SWF_SHIFT's bias), with
 * 0 <= k + 127*16 < 2^11; shifted left by 19 and masked, the exponent field
 * holds (k >> 4) + 127 */
static inline vf vf_pow2k(vf kf)
{
    __m512i b = _mm512_slli_epi32(_mm512_castps_si512(kf), 19);
    return _mm512_castsi512_ps(_mm512_and_si512(b, _mm512_set1_epi32((int)0xFF800000u)));
}

#define SW_SIMD_PREFIX avx512
#define SW_STR_PREFIX "avx512"
#include "kernels/simd_body.h"
