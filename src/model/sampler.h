/* sampler.h -- text generation from a trained model: temperature and
 * nucleus (top-p) sampling, deterministic for a seed.
 * Legend: T context (the model's seq_len), V vocabulary. */
#ifndef SW_MODEL_SAMPLER_H
#define SW_MODEL_SAMPLER_H
#include <stddef.h>
#include <stdint.h>
#include "model/model.h"

/* Called with each new token. */
typedef void (*sw_emit_fn)(void *ctx, int token);

/* tok [n_prompt + n_new]: the first n_prompt hold the prompt (>= 1 token);
 * appends n_new tokens, each from the model's distribution at the last
 * position over the last T tokens: softmax(logits / temperature), cut to the
 * smallest set of tokens whose mass reaches top_p. temperature 0: argmax.
 * The model needs Bmax >= 1 (any model from sw_model_create). */
swiglu_status sw_sample(sw_model *m, int *tok, size_t n_prompt, size_t n_new, float temperature,
                        float top_p, uint64_t seed, sw_emit_fn emit, void *ctx);
/* One draw from logits [V] (exposed for tests). u in [0, 1). scratch [2V] floats + V ints. */
int sw_sample_pick(const float *logits, size_t V, float temperature, float top_p, double u,
                   float *prob_scratch, int *idx_scratch);
#endif
