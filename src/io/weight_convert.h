/* weight_convert.h -- stored weight types of other formats (GGUF,
 * safetensors) into fp32, one tensor at a time (internal; not installed).
 *   F32   4 bytes, IEEE binary32 (copied)
 *   F16   2 bytes, IEEE binary16: sign, 5 exponent bits (bias 15), 10
 *         mantissa bits; subnormals, infinities and NaN kept
 *   BF16  2 bytes, the high half of a binary32
 *   Q8_0  ggml's blocks of 32 values: an F16 scale d, then 32 int8 q;
 *         x = d * q (the product in float, as ggml dequantizes)
 * All little-endian; sources may be unaligned (read bytewise). */
#ifndef SW_IO_WEIGHT_CONVERT_H
#define SW_IO_WEIGHT_CONVERT_H
#include <stddef.h>

typedef enum sw_wtype { SW_W_F32, SW_W_F16, SW_W_BF16, SW_W_Q8_0 } sw_wtype;

/* Bytes that n values of type t take (Q8_0: n a multiple of 32); the
 * callers bound n so that this cannot overflow (n < 2^40). */
size_t sw_wtype_bytes(sw_wtype t, size_t n);
/* One binary16 as a float, exactly. */
float sw_f16_to_f32(unsigned h);
/* dst[0..n) = the n values at src. */
void sw_weights_to_f32(float *dst, const void *src, sw_wtype t, size_t n);

#endif
