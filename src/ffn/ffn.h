/* ffn.h -- the FFN folder's door for the layers above the library (model,
 * tools): what they need of a swiglu_ffn handle beyond the public API. The
 * handle's layout and the workspace stay in ffn_internal.h, private to
 * src/ffn/. Not installed.
 */
#ifndef SW_FFN_FFN_H
#define SW_FFN_FFN_H
#include "swiglu.h"
#include "kernels/kernels.h"

/* The handle's kernel gate (activation, GLU op, beta, clamp) as the layer
 * runs it: llama_infer computes the same FFN one token at a time with it. */
sw_gate sw_ffn_gate(const swiglu_ffn *f);

/* Bench hook: 1 = run only the GEMMs of forward/backward (the same calls,
 * no activation, bias or conversion passes): the "bare GEMM" baseline. */
swiglu_status sw_ffn_set_bare(swiglu_ffn *f, int bare);

/* Weight sets packed for our GEMM engine so far (tests: once per set and
 * per swiglu_ffn_weights_changed). */
size_t sw_ffn_wpack_count(const swiglu_ffn *f);

#endif
