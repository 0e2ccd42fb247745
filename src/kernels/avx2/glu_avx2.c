/* glu_avx2.c -- AVX2 + FMA register operations for simd_body.h.
 * Compiled with -mavx2 -mfma only. 8 floats a step, computed as two vectors
 * of 4 doubles. */
#include <immintrin.h>
#include <stdint.h>

typedef __m256d vd;
typedef __m256 vf;
typedef __m256d vm;
#define VF 8

static inline vd vd_set1(double a) { return _mm256_set1_pd(a); }
static inline vd vd_add(vd a, vd b) { return _mm256_add_pd(a, b); }
static inline vd vd_sub(vd a, vd b) { return _mm256_sub_pd(a, b); }
static inline vd vd_mul(vd a, vd b) { return _mm256_mul_pd(a, b); }
static inline vd vd_div(vd a, vd b) { return _mm256_div_pd(a, b); }
static inline vd vd_fma(vd a, vd b, vd c) { return _mm256_fmadd_pd(a, b, c); }
static inline vd vd_abs(vd a) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), a); }
static inline vd vd_min(vd a, vd b) { return _mm256_min_pd(a, b); }
static inline vd vd_max(vd a, vd b) { return _mm256_max_pd(a, b); }
static inline vd vd_round(vd a) { return _mm256_round_pd(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
/* p 2^n for integral n in [-1022, 0]: build 2^n from its exponent bits */
static inline vd vd_ldexp(vd p, vd n)
{
    __m256i e = _mm256_cvtepi32_epi64(_mm256_cvtpd_epi32(n));
    e = _mm256_slli_epi64(_mm256_add_epi64(e, _mm256_set1_epi64x(1023)), 52);
    return _mm256_mul_pd(p, _mm256_castsi256_pd(e));
}
/* 1/d: vrcpps (relative error < 1.5 2^-12), three Newton steps: < 2^-53 */
static inline vd vd_recip(vd d)
{
    vd r = _mm256_cvtps_pd(_mm_rcp_ps(_mm256_cvtpd_ps(d)));
    vd two = _mm256_set1_pd(2.0);
    r = _mm256_mul_pd(r, _mm256_fnmadd_pd(d, r, two));
    r = _mm256_mul_pd(r, _mm256_fnmadd_pd(d, r, two));
    return _mm256_mul_pd(r, _mm256_fnmadd_pd(d, r, two));
}
static inline vm vd_ge(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_GE_OQ); }
static inline vm vd_gt(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_GT_OQ); }
static inline vm vd_lt(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
static inline vm vd_le(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_LE_OQ); }
static inline vd vd_sel(vm m, vd a, vd b) { return _mm256_blendv_pd(b, a, m); }
static inline double vd_hsum(vd a)
{
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

static inline vf vf_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void vf_store(float *p, vf a) { _mm256_storeu_ps(p, a); }
/* vmovntps: p 32-byte aligned; vf_fence orders these stores before the call returns */
static inline void vf_stream(float *p, vf a) { _mm256_stream_ps(p, a); }
static inline void vf_fence(void) { _mm_sfence(); }
static inline vd vf_lo(vf a) { return _mm256_cvtps_pd(_mm256_castps256_ps128(a)); }
static inline vd vf_hi(vf a) { return _mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)); }
static inline vf vf_join(vd lo, vd hi)
{
    return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(lo)), _mm256_cvtpd_ps(hi), 1);
}
/* inf and NaN are the floats whose exponent bits are all ones */
static inline int vf_nonfinite(vf a)
{
    __m256i e = _mm256_and_si256(_mm256_castps_si256(a), _mm256_set1_epi32(0x7f800000));
    return _mm256_movemask_epi8(_mm256_cmpeq_epi32(e, _mm256_set1_epi32(0x7f800000))) != 0;
}

/* bf16 rounding as core/bf16.h, 8 lanes: integer add, NaN lanes take
 * u | 0x400000, arithmetic shift (so the signed pack is exact), pack */
static inline void vf_store_bf16(uint16_t *p, vf a)
{
    __m256i u = _mm256_castps_si256(a);
    __m256i rn = _mm256_add_epi32(u, _mm256_add_epi32(_mm256_set1_epi32(0x7fff),
                                                      _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1))));
    __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(u, _mm256_set1_epi32(0x7fffffff)), _mm256_set1_epi32(0x7f800000));
    __m256i v = _mm256_blendv_epi8(rn, _mm256_or_si256(u, _mm256_set1_epi32(0x00400000)), nan);
    v = _mm256_srai_epi32(v, 16);
    _mm_storeu_si128((__m128i *)(void *)p, _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)));
}

/* 8 bf16 values: vpmovzxwd, then each in the high half of its lane */
static inline vf vf_load_bf16(const uint16_t *p)
{
    __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(const void *)p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(w, 16));
}

/* ---- single-precision lanes (simd_swiglu.h) ---- */
typedef __m256 vfm;
#define VF_TBITS 3   /* exp table of 2^(j/8): one vpermps of an 8-float register */
static inline vf vf_set1(float a) { return _mm256_set1_ps(a); }
static inline vf vf_add(vf a, vf b) { return _mm256_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
static inline vf vf_fma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
static inline vf vf_fms(vf a, vf b, vf c) { return _mm256_fmsub_ps(a, b, c); }
static inline vf vf_fnma(vf a, vf b, vf c) { return _mm256_fnmadd_ps(a, b, c); }
static inline vf vf_max(vf a, vf b) { return _mm256_max_ps(a, b); }
static inline vf vf_min(vf a, vf b) { return _mm256_min_ps(a, b); }
static inline vf vf_minabs(vf a, vf b)
{
    vf m = _mm256_set1_ps(-0.0f);
    return _mm256_min_ps(_mm256_andnot_ps(m, a), _mm256_andnot_ps(m, b));
}
static inline vf vf_abs(vf a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
/* -min(|a|, c) for c > 0 */
static inline vf vf_negminabs(vf a, vf c)
{
    vf m = _mm256_set1_ps(-0.0f);
    return _mm256_max_ps(_mm256_or_ps(a, m), _mm256_xor_ps(c, m));
}
/* vrcpps (relative error < 1.5 2^-12) and one Newton step: < 2^-22 */
static inline vf vf_rcp(vf d)
{
    vf r = _mm256_rcp_ps(d);
    return _mm256_fmadd_ps(r, _mm256_fnmadd_ps(d, r, _mm256_set1_ps(1.0f)), r);
}
static inline vfm vf_lt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
static inline vfm vf_ne(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_NEQ_UQ); }
static inline vf vf_sel(vfm m, vf a, vf b) { return _mm256_blendv_ps(b, a, m); }
static inline vfm vfm_none(void) { return _mm256_setzero_ps(); }
static inline vfm vfm_or(vfm a, vfm b) { return _mm256_or_ps(a, b); }
static inline vfm vfm_and(vfm a, vfm b) { return _mm256_and_ps(a, b); }
static inline int vfm_any(vfm a) { return _mm256_movemask_ps(a) != 0; }
static inline vfm vf_isnonfinite(vf a)
{
    __m256i e = _mm256_and_si256(_mm256_castps_si256(a), _mm256_set1_epi32(0x7f800000));
    return _mm256_castsi256_ps(_mm256_cmpeq_epi32(e, _mm256_set1_epi32(0x7f800000)));
}
/* |a| with sign(b) ^ sign(c) */
static inline vf vf_xsign(vf a, vf b, vf c)
{
    vf m = _mm256_set1_ps(-0.0f);
    return _mm256_or_ps(_mm256_andnot_ps(m, a), _mm256_and_ps(m, _mm256_xor_ps(b, c)));
}
/* a ^ (~z & sign) */
static inline vf vf_signz(vf a, vf z) { return _mm256_xor_ps(a, _mm256_andnot_ps(z, _mm256_set1_ps(-0.0f))); }
/* vpermps takes the low 3 bits of each index: k mod 8 for kf = 1.5 2^23 + 127*8 + k;
 * 2^(j/8) is entry 2j of the 16-entry table */
static inline vf vf_tbl(const float *t, vf kf)
{
    vf t8 = _mm256_setr_ps(t[0], t[2], t[4], t[6], t[8], t[10], t[12], t[14]);
    return _mm256_permutevar8x32_ps(t8, _mm256_castps_si256(kf));
}
/* t[j] of a 16-entry table, j = the low 4 bits of jf's bits (simd_gelu.h):
 * both halves through vpermps, chosen by bit 3 (shifted into the sign bit) */
static inline vf vf_tbl16(const float *t, vf jf)
{
    __m256i j = _mm256_castps_si256(jf);
    vf lo = _mm256_permutevar8x32_ps(_mm256_loadu_ps(t), j);
    vf hi = _mm256_permutevar8x32_ps(_mm256_loadu_ps(t + 8), j);
    return _mm256_blendv_ps(lo, hi, _mm256_castsi256_ps(_mm256_slli_epi32(j, 28)));
}
/* 2^floor(k/8): bits of kf are 0x4B400000 + k + 127*8 (SWF_SHIFT's bias), with
 * 0 <= k + 127*8 < 2^10; shifted left by 20 and masked, the exponent field
 * holds (k >> 3) + 127 */
static inline vf vf_pow2k(vf kf)
{
    __m256i b = _mm256_slli_epi32(_mm256_castps_si256(kf), 20);
    return _mm256_castsi256_ps(_mm256_and_si256(b, _mm256_set1_epi32((int)0xFF800000u)));
}

#define SW_SIMD_PREFIX avx2
#define SW_STR_PREFIX "avx2"
#include "kernels/simd_body.h"
