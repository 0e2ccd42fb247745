/* bf16.h -- bf16 <-> fp32, one element (round to nearest even; NaN stays a
 * quiet NaN). bf16 is the high half of an fp32: 8 exponent bits, 7 stored
 * mantissa bits. The vector conversion of whole buffers is a kernel
 * (sw_kernels.to_bf16, sw_to_bf16 in src/kernels/); this is its scalar
 * definition and tail. Internal: not installed. */
#ifndef SW_CORE_BF16_H
#define SW_CORE_BF16_H

#include <stdint.h>

/* u + 0x7fff + ((u >> 16) & 1), high half: ties go to the even bf16; a NaN
 * keeps its sign and top payload bits and is made quiet (0x40) */
static inline uint16_t sw_f32_to_bf16(float f)
{
    union { float f; uint32_t u; } v = {f};
    if ((v.u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((v.u >> 16) | 0x40u);  /* quiet NaN */
    v.u += 0x7fffu + ((v.u >> 16) & 1u);
    return (uint16_t)(v.u >> 16);
}

static inline float sw_bf16_to_f32(uint16_t h)
{
    union { uint32_t u; float f; } v = {(uint32_t)h << 16};
    return v.f;
}

#endif
