/* kernel_table.c -- the one place that knows every kernel set exists: the
 * elementwise sets (kernels.h) and the single-token decoding kernels
 * (matvec.h) of each ISA. */
#include "kernels/kernels.h"
#include "kernels/matvec.h"
#include "kernels/adamw.h"

const sw_kernels *sw_kernels_for(swiglu_isa isa)
{
    switch (isa) {
    case SWIGLU_ISA_AVX512: return &sw_kernels_avx512;
    case SWIGLU_ISA_AVX2: return &sw_kernels_avx2;
    default: return &sw_kernels_ref;
    }
}

const sw_kernels *sw_kernels_active(void) { return sw_kernels_for(swiglu_isa_active()); }

sw_matvec_fn sw_matvec_for(swiglu_isa isa)
{
    switch (isa) {
    case SWIGLU_ISA_AVX512: return sw_matvec_avx512;
    case SWIGLU_ISA_AVX2: return sw_matvec_avx2;
    default: return sw_matvec_ref;
    }
}

sw_adamw_fn sw_adamw_for(swiglu_isa isa)
{
    switch (isa) {
    case SWIGLU_ISA_AVX512: return sw_adamw_avx512;
    case SWIGLU_ISA_AVX2: return sw_adamw_avx2;
    default: return sw_adamw_ref;
    }
}

sw_softmax_fn sw_softmax_for(swiglu_isa isa)
{
    switch (isa) {
    case SWIGLU_ISA_AVX512: return sw_softmax_avx512;
    case SWIGLU_ISA_AVX2: return sw_softmax_avx2;
    default: return sw_softmax_ref;
    }
}

sw_attn_fn sw_attn_for(swiglu_isa isa)
{
    switch (isa) {
    case SWIGLU_ISA_AVX512: return sw_attn_avx512;
    case SWIGLU_ISA_AVX2: return sw_attn_avx2;
    default: return sw_attn_ref;
    }
}
