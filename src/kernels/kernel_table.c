/* kernel_table.c -- the one place that knows every kernel set exists. */
#include "kernels/kernels.h"

const sw_kernels *sw_kernels_for(swiglu_isa isa)
{
    switch (isa) {
    case SWIGLU_ISA_AVX512: return &sw_kernels_avx512;
    case SWIGLU_ISA_AVX2: return &sw_kernels_avx2;
    default: return &sw_kernels_ref;
    }
}

const sw_kernels *sw_kernels_active(void) { return sw_kernels_for(swiglu_isa_active()); }
