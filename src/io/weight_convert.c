/* weight_convert.c -- F32/F16/BF16/Q8_0 weights into fp32 (weight_convert.h). */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "core/bf16.h"
#include "io/weight_convert.h"

size_t sw_wtype_bytes(sw_wtype t, size_t n)
{
    switch (t) {
    case SW_W_F32: return 4 * n;
    case SW_W_F16:
    case SW_W_BF16: return 2 * n;
    case SW_W_Q8_0: return n / 32 * 34;
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
    }
}
