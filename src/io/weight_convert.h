/* weight_convert.h -- stored weight types of other formats (GGUF,
 * safetensors) into fp32, one tensor at a time (internal; not installed).
 *   F32   4 bytes, IEEE binary32 (copied)
 *   F16   2 bytes, IEEE binary16: sign, 5 exponent bits (bias 15), 10
 *         mantissa bits; subnormals, infinities and NaN kept
 *   BF16  2 bytes, the high half of a binary32
 *   Q8_0  ggml's blocks of 32 values: an F16 scale d, then 32 int8 q;
 *         x = d * q (the product in float, as ggml dequantizes)
 *   K-quants: ggml's super-blocks of 256 values (ggml-common.h's
 *   block_qN_K), each value from an F16 super-scale d (and dmin) times a
 *   per-sub-block integer scale (and min), as dequantize_row_qN_K computes,
 *   in float, each product rounded before the next operation:
 *   Q2_K  84 B: scales[16] (scale | min << 4 per 16 values), qs[64] (2 bits),
 *         F16 d, F16 dmin;                 x = (d sc) q - (dmin m)
 *   Q3_K 110 B: hmask[32] (the third bit), qs[64] (the low 2 bits),
 *         scales[12] (16 6-bit scales), F16 d;
 *                                          x = (d (sc - 32)) (q - (hbit ? 0 : 4))
 *   Q4_K 144 B: F16 d, F16 dmin, scales[12] (8 6-bit scales and 8 6-bit
 *         mins, per 32 values), qs[128] (4 bits); x = (d sc) q - (dmin m)
 *   Q5_K 176 B: F16 d, F16 dmin, scales[12], qh[32] (the fifth bit), qs[128];
 *                                          x = (d sc) (q + 16 hbit) - (dmin m)
 *   Q6_K 210 B: ql[128] (low 4 bits), qh[64] (high 2 bits), scales[16]
 *         (int8, per 16 values), F16 d;    x = (d sc) (q - 32)
 *   The bit positions of each value: weight_convert.c, and the numpy
 *   writer of the tests, tests/support/kquants.py.
 * All little-endian; sources may be unaligned (read bytewise). */
#ifndef SW_IO_WEIGHT_CONVERT_H
#define SW_IO_WEIGHT_CONVERT_H
#include <stddef.h>

typedef enum sw_wtype {
    SW_W_F32, SW_W_F16, SW_W_BF16, SW_W_Q8_0, SW_W_Q2_K, SW_W_Q3_K, SW_W_Q4_K, SW_W_Q5_K, SW_W_Q6_K
} sw_wtype;

/* Values per block of type t: 1, 32 (Q8_0) or 256 (the K-quants). A row
 * (ggml: ne[0]) must be whole blocks. */
size_t sw_wtype_block(sw_wtype t);
/* Bytes that n values of type t take (n a multiple of the block); the
 * callers bound n so that this cannot overflow (n < 2^40). */
size_t sw_wtype_bytes(sw_wtype t, size_t n);
/* One binary16 as a float, exactly. */
float sw_f16_to_f32(unsigned h);
/* dst[0..n) = the n values at src. */
void sw_weights_to_f32(float *dst, const void *src, sw_wtype t, size_t n);

#endif
