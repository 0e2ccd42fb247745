/* cpu.h -- CPU feature probe (cpuid + XCR0). */
#ifndef SW_CORE_CPU_H
#define SW_CORE_CPU_H
#include "swiglu.h"

typedef struct sw_cpu {
    int avx, avx2, fma, f16c, bmi2;
    int avx512f, avx512dq, avx512bw, avx512vl, avx512_bf16, avx512_fp16;
    int amx_tile, amx_bf16, amx_int8;
} sw_cpu;

void sw_cpu_detect(sw_cpu *c);

#endif
