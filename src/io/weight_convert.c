/* weight_convert.c -- F32/F16/BF16/Q8_0 and ggml's K-quant weights into
 * fp32 (weight_convert.h).
 * Legend: QK = 256 values per K-quant super-block, v the index of a value
 * in its block (0..255), d/dmin the block's F16 scales, sc/m a sub-block's
 * integer scale and min, q a value's quantized integer.
 * Every product is its own statement: ggml's reference dequantization
 * rounds (d sc) before multiplying by q, and (d sc) q before subtracting
 * (dmin m), and a compiler allowed to contract `a * b - c` into one fused
 * operation (clang's default) would round once instead. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "core/bf16.h"
#include "io/weight_convert.h"

enum { QK = 256 };

size_t sw_wtype_block(sw_wtype t)
{
    switch (t) {
    case SW_W_F32: case SW_W_F16: case SW_W_BF16: return 1;
    case SW_W_Q8_0: return 32;
    case SW_W_Q2_K: case SW_W_Q3_K: case SW_W_Q4_K: case SW_W_Q5_K: case SW_W_Q6_K: return QK;
    }
    return 1;
}

size_t sw_wtype_bytes(sw_wtype t, size_t n)
{
    switch (t) {
    case SW_W_F32: return 4 * n;
    case SW_W_F16:
    case SW_W_BF16: return 2 * n;
    case SW_W_Q8_0: return n / 32 * 34;
    case SW_W_Q2_K: return n / QK * 84;
    case SW_W_Q3_K: return n / QK * 110;
    case SW_W_Q4_K: return n / QK * 144;
    case SW_W_Q5_K: return n / QK * 176;
    case SW_W_Q6_K: return n / QK * 210;
    }
    return 0;
}

/* binary16 = (-1)^s 2^(e-15) (1 + m/1024) for e in 1..30; e = 0:
 * 2^-14 m/1024 (subnormal); e = 31: infinity (m = 0) or NaN. */
float sw_f16_to_f32(unsigned h)
{
    unsigned s = h >> 15 & 1, e = h >> 10 & 31, m = h & 1023;
    float v;
    if (e == 0) v = ldexpf((float)m, -24);
    else if (e == 31) v = m ? NAN : INFINITY;
    else v = ldexpf((float)(m | 1024), (int)e - 25);
    return s ? -v : v;
}

static unsigned u16_at(const unsigned char *p) { return (unsigned)p[0] | (unsigned)p[1] << 8; }

/* y = a * q - b, rounded after the product as ggml's reference is */
static float mul_sub(float a, float q, float b)
{
    float p = a * q;
    return p - b;
}

/* Q4_K/Q5_K's 12 scale bytes s: sub-block j's (0..7, 32 values each)
 * 6-bit scale and min. j < 4: s[j] & 63, s[j+4] & 63; j >= 4: the low 4
 * bits in s[j+4] (scale low nibble, min high nibble), the high 2 in the
 * top bits of s[j-4] (scale) and s[j] (min). */
static void scale_min_k4(int j, const unsigned char *s, float *sc, float *m)
{
    if (j < 4) {
        *sc = (float)(s[j] & 63);
        *m = (float)(s[j + 4] & 63);
    } else {
        *sc = (float)((s[j + 4] & 15) | (s[j - 4] >> 6) << 4);
        *m = (float)((s[j + 4] >> 4) | (s[j] >> 6) << 4);
    }
}

/* Q4_K (qh NULL) and Q5_K: value v is in 64-value chunk c = v/64, the
 * low (v%64 < 32) or high nibble of qs[32c + v%32]; Q5_K's fifth bit is
 * bit 2c (low nibble) or 2c+1 (high) of qh[v%32]. */
static void q45_k(float *y, const unsigned char *b, int five)
{
    float d = sw_f16_to_f32(u16_at(b)), dmin = sw_f16_to_f32(u16_at(b + 2));
    const unsigned char *s = b + 4, *qh = five ? b + 16 : NULL, *qs = five ? b + 48 : b + 16;
    for (int c = 0; c < 4; c++)
        for (int hi = 0; hi < 2; hi++) {
            float sc, m;
            scale_min_k4(2 * c + hi, s, &sc, &m);
            float d1 = d * sc, m1 = dmin * m;
            for (int l = 0; l < 32; l++) {
                int q = qs[32 * c + l] >> (4 * hi) & 15;
                if (qh) q += (qh[l] >> (2 * c + hi) & 1) << 4;
                y[64 * c + 32 * hi + l] = mul_sub(d1, (float)q, m1);
            }
        }
}

/* Q6_K: half h = v/128, r = v%128: the low 4 bits are nibble r >= 64 of
 * ql[64h + r%64], the high 2 bits are bits 2(r/32) of qh[32h + r%32];
 * the int8 scale of the 16 values v/16. */
static void q6_k(float *y, const unsigned char *b)
{
    const unsigned char *ql = b, *qh = b + 128;
    const signed char *sc = (const signed char *)(b + 192);
    float d = sw_f16_to_f32(u16_at(b + 208));
    for (int v = 0; v < QK; v++) {
        int h = v / 128, r = v % 128;
        int q = (ql[64 * h + r % 64] >> (4 * (r >= 64)) & 15) | (qh[32 * h + r % 32] >> (2 * (r / 32)) & 3) << 4;
        float dl = d * (float)sc[v / 16];
        y[v] = dl * (float)(q - 32);
    }
}

/* Q2_K and Q3_K share their 2-bit packing: half h = v/128, r = v%128,
 * bits 2(r/32) of qs[32h + r%32]; 16 values per scale (v/16). */
static int q2_bits(const unsigned char *qs, int v) { return qs[32 * (v / 128) + v % 32] >> (2 * (v % 128 / 32)) & 3; }

static void q2_k(float *y, const unsigned char *b)
{
    const unsigned char *s = b, *qs = b + 16;
    float d = sw_f16_to_f32(u16_at(b + 80)), dmin = sw_f16_to_f32(u16_at(b + 82));
    for (int v = 0; v < QK; v++) {
        float dl = d * (float)(s[v / 16] & 15), ml = dmin * (float)(s[v / 16] >> 4);
        y[v] = mul_sub(dl, (float)q2_bits(qs, v), ml);
    }
}

/* Q3_K: q = the 2 bits, minus 4 when bit v/32 of hmask[v%32] is clear;
 * scale j (0..15) has its low 4 bits in s[j] (j < 8) or the high nibble
 * of s[j-8], its high 2 bits at bits 2(j/4) of s[8 + j%4]; it is stored
 * plus 32. */
static void q3_k(float *y, const unsigned char *b)
{
    const unsigned char *hm = b, *qs = b + 32, *s = b + 96;
    float d = sw_f16_to_f32(u16_at(b + 108));
    for (int v = 0; v < QK; v++) {
        int j = v / 16;
        int sc = (j < 8 ? s[j] & 15 : s[j - 8] >> 4) | (s[8 + j % 4] >> (2 * (j / 4)) & 3) << 4;
        int q = q2_bits(qs, v) - (hm[v % 32] >> (v / 32) & 1 ? 0 : 4);
        float dl = d * (float)(sc - 32);
        y[v] = dl * (float)q;
    }
}

void sw_weights_to_f32(float *dst, const void *src, sw_wtype t, size_t n)
{
    const unsigned char *p = src;
    switch (t) {
    case SW_W_F32: memcpy(dst, p, 4 * n); return;
    case SW_W_F16: for (size_t i = 0; i < n; i++) dst[i] = sw_f16_to_f32(u16_at(p + 2 * i)); return;
    case SW_W_BF16: for (size_t i = 0; i < n; i++) dst[i] = sw_bf16_to_f32((uint16_t)u16_at(p + 2 * i)); return;
    case SW_W_Q8_0:
        for (size_t b = 0; b < n / 32; b++, p += 34) {
            float d = sw_f16_to_f32(u16_at(p));
            for (int j = 0; j < 32; j++) dst[32 * b + (size_t)j] = d * (float)(int8_t)p[2 + j];
        }
        return;
    case SW_W_Q2_K: for (size_t b = 0; b < n / QK; b++) q2_k(dst + QK * b, p + 84 * b); return;
    case SW_W_Q3_K: for (size_t b = 0; b < n / QK; b++) q3_k(dst + QK * b, p + 110 * b); return;
    case SW_W_Q4_K: for (size_t b = 0; b < n / QK; b++) q45_k(dst + QK * b, p + 144 * b, 0); return;
    case SW_W_Q5_K: for (size_t b = 0; b < n / QK; b++) q45_k(dst + QK * b, p + 176 * b, 1); return;
    case SW_W_Q6_K: for (size_t b = 0; b < n / QK; b++) q6_k(dst + QK * b, p + 210 * b); return;
    }
}
