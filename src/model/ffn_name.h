/* ffn_name.h -- one vocabulary of FFN variant names for every command
 * (`train --ffn`, `compare --variants`, `bench ffn --variant`):
 *   the library's names (swiglu_ffn_variant_name): relu gelu gelu_tanh swish
 *   glu bilinear reglu geglu geglu_tanh swiglu swiglu_clamped,
 *   and swiglu-learned-beta, swish-learned-beta (beta a parameter per layer);
 * '-' and '_' are the same character in a name (gelu-tanh = gelu_tanh,
 * swiglu_learned_beta = swiglu-learned-beta). */
#ifndef SW_MODEL_FFN_NAME_H
#define SW_MODEL_FFN_NAME_H
#include <stddef.h>
#include "swiglu.h"

#define SW_FFN_NAMES "relu gelu gelu_tanh swish glu bilinear reglu geglu geglu_tanh swiglu swiglu_clamped " \
                     "swiglu-learned-beta swish-learned-beta"

/* *v and *learn_beta (0 or 1) of a name; SWIGLU_ERR_ARG when it is none. */
swiglu_status sw_ffn_name_parse(swiglu_ffn_variant *v, int *learn_beta, const char *name);
/* The canonical name: the library's, or "<name>-learned-beta". */
void sw_ffn_name(char *dst, size_t cap, swiglu_ffn_variant v, int learn_beta);
#endif
