/* kernels.h -- the contract between the elementwise framework
 * (src/kernels/elementwise.c) and the per-ISA kernels (ref/, avx2/, avx512/).
 *
 * Every ISA provides the same five functions with the same signatures; a
 * kernel works on n contiguous elements, any n >= 0 (vector body, then the
 * scalar element functions of act_scalar.h for the tail and for any vector
 * holding a non-finite input). Unaligned pointers are legal.
 * Layouts, strides, ranges, threads and argument checks are the framework's
 * business: a kernel trusts its arguments.
 *
 * Legend: n elements; g gate, u up, dout upstream gradient.
 */
#ifndef SW_KERNELS_KERNELS_H
#define SW_KERNELS_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include "swiglu.h"

/* A gate, normalized for kernels: clamp = 0 means limit and shift are unused. */
typedef struct sw_gate {
    int act;        /* swiglu_act */
    double beta;    /* Swish's beta */
    int clamp;      /* 1: g' = min(g, limit), u' = clamp(u, -limit, limit) + shift */
    double limit;
    double shift;
    int want_db;    /* 1: the caller wants dbeta (kernels may skip its terms otherwise) */
    int stream;     /* 1: overwritten outputs may take streaming stores (large calls) */
    int lowp;       /* 1: bf16-grade results suffice (the caller rounds them to bf16):
                     * the float GELU and Swish-gate kernels drop most of their
                     * compensation terms, 30-40 % faster; errors of a few float
                     * ulps (SwiGLU dgate up to 17 near swish's zero crossing)
                     * instead of < 1 (2.4 GELU backward); tests/test_act_accuracy */
} sw_gate;

typedef struct sw_kernels {
    const char *name;
    /* out[i] = act(x[i]) */
    void (*act_fwd)(float *out, const float *x, size_t n, const sw_gate *g);
    /* dx[i] (+)= dout[i] act'(x[i]); returns sum_i dout[i] d act/d beta (Swish) */
    double (*act_bwd)(float *dx, const float *dout, const float *x, size_t n,
                      const sw_gate *g, int overwrite);
    /* out[i] = act(g'[i]) * u'[i] */
    void (*glu_fwd)(float *out, const float *gi, const float *ui, size_t n, const sw_gate *g);
    /* dg[i] (+)= dout[i] u'[i] act'(g'[i]) [g <= limit]
     * du[i] (+)= dout[i] act(g'[i]) [|u| <= limit];  returns sum dout u' d act/d beta */
    double (*glu_bwd)(float *dg, float *du, const float *dout, const float *gi,
                      const float *ui, size_t n, const sw_gate *g, int overwrite);
    /* dst[i] = bf16(src[i]) (core/bf16.h's rounding, bit for bit) */
    void (*to_bf16)(uint16_t *dst, const float *src, size_t n);
    /* dst[i] = float(src[i]) (exact: the bf16 bits are the float's high half) */
    void (*from_bf16)(float *dst, const uint16_t *src, size_t n);
} sw_kernels;

extern const sw_kernels sw_kernels_ref;
extern const sw_kernels sw_kernels_avx2;
extern const sw_kernels sw_kernels_avx512;

/* The table of an ISA (kernel_table.c). */
const sw_kernels *sw_kernels_for(swiglu_isa isa);
/* The table of the active ISA. */
const sw_kernels *sw_kernels_active(void);

/* dst[i] = bf16(src[i]), i < n, with the active ISA's to_bf16, threaded
 * (swiglu_threads_get(), static chunks: the same bits for any split);
 * elementwise.c. */
void sw_to_bf16(uint16_t *dst, const float *src, size_t n);

#endif
