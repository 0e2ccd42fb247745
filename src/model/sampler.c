/* sampler.c -- temperature + top-p sampling (sampler.h).
 * Legend: T context, V vocabulary.
 *   p_j = softmax(z / temperature)_j; sort p descending; keep the shortest
 *   prefix whose mass reaches top_p; draw u * mass along it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "model/rng.h"
#include "model/sampler.h"

static const float *sort_probs;
static int by_prob_desc(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    if (sort_probs[i] != sort_probs[j]) return sort_probs[i] > sort_probs[j] ? -1 : 1;
    return i - j;   /* ties: lower id first, so the order is total */
}

int sw_sample_pick(const float *z, size_t V, float temperature, float top_p, double u,
                   float *p, int *idx)
{
    /* a NaN logit has probability 0 (it never compares greater, and the
     * weights below treat it as -inf); an infinite one wins outright: the
     * limit of the softmax. So every id returned is in [0, V), whatever
     * the logits hold. */
    size_t best = 0;
    for (size_t j = 1; j < V; j++) if (z[j] > z[best] || isnan(z[best])) best = j;
    if (temperature <= 0.0f || !isfinite(z[best])) return (int)best;
    double sum = 0.0;
    for (size_t j = 0; j < V; j++) {
        p[j] = isnan(z[j]) ? 0.0f : expf((z[j] - z[best]) / temperature);
        sum += p[j];
    }
    for (size_t j = 0; j < V; j++) { p[j] = (float)(p[j] / sum); idx[j] = (int)j; }
    sort_probs = p;   /* not thread-safe; sampling is single-threaded */
    qsort(idx, V, sizeof *idx, by_prob_desc);
    double mass = 0.0;
    size_t keep = 0;
    while (keep < V) { mass += p[idx[keep]]; keep++; if (mass >= top_p) break; }
    /* keep >= 1 (V >= 1); every p is finite, so the draw lands inside */
    double r = u * mass, c = 0.0;
    for (size_t k = 0; k < keep; k++) { c += p[idx[k]]; if (r < c) return idx[k]; }
    return idx[keep - 1];
}

swiglu_status sw_sample(sw_model *m, int *tok, size_t n_prompt, size_t n_new, float temperature,
                        float top_p, uint64_t seed, sw_emit_fn emit, void *ctx)
{
    if (n_prompt == 0) return SWIGLU_ERR_SIZE;
    size_t V = m->V, Tm = m->Tmax;
    float *p = malloc(V * sizeof(float));
    int *idx = malloc(V * sizeof(int));
    if (!p || !idx) { free(p); free(idx); return SWIGLU_ERR_ALLOC; }
    uint64_t rng = seed;
    swiglu_status st = SWIGLU_OK;
    for (size_t i = 0; i < n_new; i++) {
        size_t len = n_prompt + i, T = len < Tm ? len : Tm;
        /* no KV cache: the whole window again (contexts here are short) */
        if ((st = sw_model_forward(m, tok + len - T, NULL, 1, T, NULL))) break;
        const float *z = m->logits + (T - 1) * V;
        if (sw_count_nonfinite(z, V, NULL) == V) { st = SWIGLU_ERR_NONFINITE; break; }   /* nothing to draw from */
        int next = sw_sample_pick(z, V, temperature, top_p, sw_rng_uniform(&rng), p, idx);
        tok[len] = next;
        if (emit) emit(ctx, next);
    }
    free(p); free(idx);
    return st;
}
