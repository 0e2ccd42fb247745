/* gemm_util.c -- engine-independent helpers of the GEMM layer: bf16 rounding
 * of whole row blocks (the bf16 FFN converts activations and gradients before
 * handing them to the engine). Legend: rows x cols, row strides ld. */
#include "core/internal.h"
#include "gemm/gemm.h"

void sw_f32_to_bf16_rows(uint16_t *dst, size_t ld_dst, const float *src, size_t ld_src,
                         size_t rows, size_t cols)
{
    /* rows are independent: split them statically (bit-exact for any split) */
    long long nr = (long long)rows;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (rows * cols > 65536)
#endif
    for (long long r = 0; r < nr; r++) {
        const float *s = src + (size_t)r * ld_src;
        uint16_t *d = dst + (size_t)r * ld_dst;
        for (size_t j = 0; j < cols; j++) d[j] = sw_f32_to_bf16(s[j]);
    }
}
