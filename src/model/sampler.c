/* sampler.c -- llama2.c run.c's sampler, and top-k (sampler.h).
 * Legend: V vocabulary. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "model/sampler.h"

static const float *sort_probs;
static int by_prob_desc(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    if (sort_probs[i] != sort_probs[j]) return sort_probs[i] > sort_probs[j] ? -1 : 1;
    return i - j;   /* ties: lower id first, so the order is total */
}

/* the first maximum (NaN never wins) */
static int argmax(const float *z, size_t V)
{
    size_t best = 0;
    for (size_t j = 1; j < V; j++) if (z[j] > z[best] || z[best] != z[best]) best = j;
    return (int)best;
}

/* run.c's sample(), and top-k: see sampler.h. p [V] probabilities, idx [V]. */
static int pick(const float *z, size_t V, float temperature, float top_p, int top_k, float coin,
                float *p, int *idx)
{
    if (temperature <= 0.0f) return argmax(z, V);
    /* softmax(z / temperature) in float, run.c's order of operations */
    for (size_t j = 0; j < V; j++) p[j] = z[j] / temperature;
    float mx = p[0], sum = 0.0f;
    for (size_t j = 1; j < V; j++) if (p[j] > mx) mx = p[j];
    for (size_t j = 0; j < V; j++) { p[j] = expf(p[j] - mx); sum += p[j]; }
    for (size_t j = 0; j < V; j++) p[j] /= sum;
    const int use_k = top_k > 0 && (size_t)top_k < V, use_p = top_p > 0.0f && top_p < 1.0f;
    if (!use_k && !use_p) {   /* multinomial */
        float cdf = 0.0f;
        for (size_t j = 0; j < V; j++) { cdf += p[j]; if (coin < cdf) return (int)j; }
        return (int)V - 1;
    }
    /* candidates, by probability descending; with top-p alone, run.c drops
     * those below (1 - top_p)/(V - 1) first (they cannot be in the nucleus) */
    const float cutoff = use_k ? 0.0f : (1.0f - top_p) / (float)(V - 1);
    size_t n = 0;
    for (size_t j = 0; j < V; j++) if (p[j] >= cutoff) idx[n++] = (int)j;
    if (n == 0) return argmax(z, V);   /* no finite probability (NaN logits) */
    sort_probs = p;   /* not thread-safe; sampling is single-threaded */
    qsort(idx, n, sizeof *idx, by_prob_desc);   /* = run.c's stable sort of (prob, id) */
    if (use_k && n > (size_t)top_k) n = (size_t)top_k;
    /* the nucleus: the shortest prefix whose mass passes top_p (of the top-k mass) */
    float thr = use_p ? top_p : INFINITY;
    if (use_k && use_p) { float t = 0.0f; for (size_t i = 0; i < n; i++) t += p[idx[i]]; thr = top_p * t; }
    float cum = 0.0f;
    size_t last = n - 1;
    for (size_t i = 0; i < n; i++) { cum += p[idx[i]]; if (cum > thr) { last = i; break; } }
    float r = coin * cum, cdf = 0.0f;
    for (size_t i = 0; i <= last; i++) { cdf += p[idx[i]]; if (r < cdf) return idx[i]; }
    return idx[last];
}

int sw_sample_pick(const float *z, size_t V, float temperature, float top_p, double u,
                   float *p, int *idx)
{
    return pick(z, V, temperature, top_p, 0, (float)u, p, idx);
}

/* run.c's random_u32 / random_f32: xorshift*, the coin in [0, 1) with 24 bits */
static uint32_t rng_u32(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (uint32_t)((*s * 0x2545F4914F6CDD1Dull) >> 32);
}

swiglu_status sw_sampler_init(sw_sampler *s, size_t V, float temperature, float top_p, int top_k,
                              uint64_t seed)
{
    if (!s) return SWIGLU_ERR_NULL;
    memset(s, 0, sizeof *s);
    if (V == 0 || V > (size_t)INT32_MAX) return SWIGLU_ERR_SIZE;
    if (!(temperature >= 0.0f) || !(top_p >= 0.0f && top_p <= 1.0f) || top_k < 0) return SWIGLU_ERR_ARG;
    s->V = V; s->temperature = temperature; s->top_p = top_p; s->top_k = top_k;
    s->rng = seed ? seed : 1;   /* 0 is xorshift's fixed point */
    s->probs = malloc(V * sizeof *s->probs);
    s->idx = malloc(V * sizeof *s->idx);
    if (!s->probs || !s->idx) { sw_sampler_free(s); return SWIGLU_ERR_ALLOC; }
    return SWIGLU_OK;
}

int sw_sampler_next(sw_sampler *s, const float *logits)
{
    if (s->temperature <= 0.0f) return argmax(logits, s->V);
    float coin = (float)(rng_u32(&s->rng) >> 8) / 16777216.0f;
    return pick(logits, s->V, s->temperature, s->top_p, s->top_k, coin, s->probs, s->idx);
}

void sw_sampler_free(sw_sampler *s)
{
    if (!s) return;
    free(s->probs);
    free(s->idx);
    memset(s, 0, sizeof *s);
}
