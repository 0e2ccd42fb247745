/* sampler.h -- the one sampler of `swiglu sample` / `generate`: llama2.c
 * run.c's, so a seed gives run.c's text (up to the float rounding of the
 * logits), with top-k added. Legend: V vocabulary.
 *
 *   temperature 0: argmax (the first maximum); no coin is drawn.
 *   else p = softmax(logits / temperature) (float, run.c's order), then
 *   - top_k in (0, V): keep the k most probable (ties: lower id first);
 *   - top_p in (0, 1): keep the shortest most-probable-first prefix whose
 *     mass passes top_p (of the kept mass);
 *   - neither: multinomial over all V;
 *   and draw coin * (kept mass) along the kept list. The coin: run.c's
 *   xorshift* generator, (u32 >> 8) / 2^24, one per sampled token.
 * top_p 0 or 1 and top_k 0 or >= V mean off (llama2.c's convention).
 */
#ifndef SW_MODEL_SAMPLER_H
#define SW_MODEL_SAMPLER_H
#include <stddef.h>
#include <stdint.h>
#include "swiglu.h"

typedef struct sw_sampler {
    size_t V;
    float temperature, top_p;
    int top_k;
    uint64_t rng;     /* run.c's xorshift* state */
    float *probs;     /* [V] scratch */
    int *idx;         /* [V] scratch */
} sw_sampler;

/* seed 0 is taken as 1 (xorshift's fixed point; run.c replaces a seed <= 0
 * by the clock, which the CLI does). SWIGLU_ERR_ARG for temperature < 0,
 * top_p outside [0, 1], top_k < 0. */
swiglu_status sw_sampler_init(sw_sampler *s, size_t V, float temperature, float top_p, int top_k,
                              uint64_t seed);
/* The next token from logits [V] (NaN logits never crash it: any id < V). */
int sw_sampler_next(sw_sampler *s, const float *logits);
void sw_sampler_free(sw_sampler *s);

/* One draw with coin u in [0, 1), no top-k (exposed for tests).
 * prob_scratch [V] floats, idx_scratch [V] ints. */
int sw_sample_pick(const float *logits, size_t V, float temperature, float top_p, double u,
                   float *prob_scratch, int *idx_scratch);
#endif
