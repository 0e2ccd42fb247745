/* test_kv_cache.c -- cached decoding of our own models (sw_llama_init_model,
 * model/llama_infer.h) against the full forward (sw_model_forward), for every
 * FFN variant, a learned beta, an untied head, grouped-query attention and a
 * non-default RMSNorm eps and RoPE theta:
 *   1. logits at every position t of a sequence, fed one token at a time
 *      into the cache, equal the full forward's row t (tolerance below);
 *   2. greedy decoding with the cache gives the same tokens as greedy
 *      decoding that recomputes the whole prefix every step;
 *   3. the sampler (model/sampler.h): run.c's draws for a fixed coin, top-k,
 *      top-p, greedy, and NaN logits never crash it.
 * Tolerance: 5e-5 absolute (measured: 2-4e-6) on logits of magnitude up to ~3 (the weights are
 * random with std 0.2, so activations are not tiny): the two paths sum in
 * different orders (GEMM vs matvec kernels; the decoder's RMSNorm sums in
 * float, the model's in double). The max difference is printed.
 * Legend: V vocab, T positions, D dim.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testlib.h"
#include "model/llama_infer.h"
#include "model/model.h"
#include "model/sampler.h"

enum { T = 24, GREEDY = 20 };

static sw_model *make(swiglu_ffn_variant v, int learn_beta, int tied, int nkv, float eps, float theta)
{
    sw_model_config c;
    sw_model_config_default(&c);
    c.vocab = 37; c.n_layer = 2; c.n_head = 4; c.n_kv_head = nkv; c.d_model = 32; c.seq_len = T;
    c.ffn = v; c.learn_beta = learn_beta; c.tied = tied; c.rms_eps = eps; c.rope_theta = theta;
    c.init_std = 0.2f;
    sw_model *m;
    if (sw_model_create(&m, &c, 1, 0) != SWIGLU_OK) return NULL;
    if (sw_model_init(m, 1234) != SWIGLU_OK) { sw_model_free(m); return NULL; }
    /* RMS weights and a learned beta away from their initial 1, so that a
     * path that ignored them would differ */
    for (size_t l = 0; l < m->L; l++) {
        sw_layer_weights *lw = &m->w.layer[l];
        for (size_t j = 0; j < m->D; j++) { lw->rms_att[j] = 0.8f + 0.02f * (float)j; lw->rms_ffn[j] = 1.3f - 0.01f * (float)j; }
        if (lw->beta) lw->beta[0] = 1.0f + 0.4f * (float)(l + 1);
    }
    return m;
}

/* max |cached logits - full-forward logits| over every position of x [T] */
static double cached_vs_full(sw_model *m, const int *x)
{
    if (sw_model_forward(m, x, NULL, 1, T, NULL) != SWIGLU_OK) return INFINITY;
    sw_llama_state st;
    if (sw_llama_init_model(&st, m, 1) != SWIGLU_OK) return INFINITY;
    double md = 0;
    for (int t = 0; t < T; t++) {
        const float *lg;
        if (sw_llama_forward(&st, x[t], t, &lg) != SWIGLU_OK) { md = INFINITY; break; }
        for (size_t j = 0; j < m->V; j++) md = fmax(md, fabs((double)lg[j] - m->logits[(size_t)t * m->V + j]));
    }
    sw_llama_free(&st);
    return md;
}

static int argmax(const float *z, size_t n)
{
    size_t b = 0;
    for (size_t j = 1; j < n; j++) if (z[j] > z[b]) b = j;
    return (int)b;
}

/* greedy from token 0: cached vs recomputing the prefix; 1 when equal */
static int greedy_same(sw_model *m)
{
    int full[GREEDY + 1] = {0}, cached[GREEDY + 1] = {0};
    for (int i = 0; i < GREEDY; i++) {
        if (sw_model_forward(m, full, NULL, 1, (size_t)i + 1, NULL) != SWIGLU_OK) return 0;
        full[i + 1] = argmax(m->logits + (size_t)i * m->V, m->V);
    }
    sw_llama_state st;
    if (sw_llama_init_model(&st, m, 2) != SWIGLU_OK) return 0;
    for (int i = 0; i < GREEDY; i++) {
        const float *lg;
        if (sw_llama_forward(&st, cached[i], i, &lg) != SWIGLU_OK) { sw_llama_free(&st); return 0; }
        cached[i + 1] = argmax(lg, m->V);
    }
    sw_llama_free(&st);
    return !memcmp(full, cached, sizeof full);
}

static void test_models(void)
{
    int x[T];
    for (int t = 0; t < T; t++) x[t] = (t * 7 + 3) % 37;
    for (int v = 0; v < SWIGLU_FFN_VARIANT_COUNT; v++) {
        sw_model *m = make((swiglu_ffn_variant)v, 0, 1, 0, 1e-5f, 10000.0f);
        CHECK(m != NULL, "create %s", swiglu_ffn_variant_name((swiglu_ffn_variant)v));
        if (!m) continue;
        double md = cached_vs_full(m, x);
        CHECK(md < 5e-5, "%s: max |cached - full| = %.3g", swiglu_ffn_variant_name((swiglu_ffn_variant)v), md);
        CHECK(greedy_same(m), "%s: greedy tokens differ with the cache", swiglu_ffn_variant_name((swiglu_ffn_variant)v));
        printf("test_kv_cache: %-15s max |cached - full logits| = %.2g\n", swiglu_ffn_variant_name((swiglu_ffn_variant)v), md);
        sw_model_free(m);
    }
    struct { const char *what; swiglu_ffn_variant v; int learn, tied, nkv; float eps, theta; } cases[] = {
        {"swiglu, learned beta", SWIGLU_FFN_SWIGLU, 1, 1, 0, 1e-5f, 10000.0f},
        {"swish, learned beta", SWIGLU_FFN_SWISH, 1, 1, 0, 1e-5f, 10000.0f},
        {"untied head, 2 kv heads", SWIGLU_FFN_GEGLU, 0, 0, 2, 1e-5f, 10000.0f},
        {"eps 1e-3, theta 500", SWIGLU_FFN_SWIGLU, 0, 1, 1, 1e-3f, 500.0f},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sw_model *m = make(cases[i].v, cases[i].learn, cases[i].tied, cases[i].nkv, cases[i].eps, cases[i].theta);
        CHECK(m != NULL, "create %s", cases[i].what);
        if (!m) continue;
        double md = cached_vs_full(m, x);
        CHECK(md < 5e-5, "%s: max |cached - full| = %.3g", cases[i].what, md);
        CHECK(greedy_same(m), "%s: greedy tokens differ with the cache", cases[i].what);
        printf("test_kv_cache: %-24s max |cached - full logits| = %.2g\n", cases[i].what, md);
        sw_model_free(m);
    }
}

static void test_sampler(void)
{
    /* probabilities (temperature 1): softmax of log p = p */
    const float p[5] = {0.1f, 0.4f, 0.2f, 0.25f, 0.05f};
    float z[5], prob[5];
    int idx[5];
    for (int i = 0; i < 5; i++) z[i] = logf(p[i]);
    CHECK(sw_sample_pick(z, 5, 0.0f, 0.9f, 0.99, prob, idx) == 1, "temperature 0: argmax");
    /* multinomial (top-p 1): cdf 0.1 0.5 0.7 0.95 1.0 */
    CHECK(sw_sample_pick(z, 5, 1.0f, 1.0f, 0.05, prob, idx) == 0, "multinomial, coin 0.05");
    CHECK(sw_sample_pick(z, 5, 1.0f, 1.0f, 0.60, prob, idx) == 2, "multinomial, coin 0.60");
    CHECK(sw_sample_pick(z, 5, 1.0f, 0.0f, 0.96, prob, idx) == 4, "top-p 0 = off, coin 0.96");
    /* top-p 0.6: sorted 1 (.4) 3 (.25): mass .65 > .6; r = coin * .65 */
    CHECK(sw_sample_pick(z, 5, 1.0f, 0.6f, 0.5, prob, idx) == 1, "top-p 0.6, coin 0.5 -> id 1");
    CHECK(sw_sample_pick(z, 5, 1.0f, 0.6f, 0.7, prob, idx) == 3, "top-p 0.6, coin 0.7 -> id 3");
    /* top-k 2 through a sampler: only ids 1 and 3 ever come out */
    sw_sampler s;
    CHECK(sw_sampler_init(&s, 5, 1.0f, 1.0f, 2, 42) == SWIGLU_OK, "sampler init");
    int seen[5] = {0};
    for (int i = 0; i < 2000; i++) seen[sw_sampler_next(&s, z)]++;
    CHECK(seen[0] == 0 && seen[2] == 0 && seen[4] == 0 && seen[1] > seen[3] && seen[3] > 0,
          "top-k 2: counts %d %d %d %d %d", seen[0], seen[1], seen[2], seen[3], seen[4]);
    sw_sampler_free(&s);
    /* a seed gives the same draws */
    sw_sampler a, b;
    sw_sampler_init(&a, 5, 0.8f, 0.9f, 0, 7);
    sw_sampler_init(&b, 5, 0.8f, 0.9f, 0, 7);
    int same = 1;
    for (int i = 0; i < 100; i++) same &= sw_sampler_next(&a, z) == sw_sampler_next(&b, z);
    CHECK(same, "the same seed, different draws");
    sw_sampler_free(&a); sw_sampler_free(&b);
    /* NaN logits: an id in range, never a crash */
    float zn[5] = {NAN, NAN, NAN, NAN, NAN};
    for (int mode = 0; mode < 3; mode++) {
        sw_sampler n;
        sw_sampler_init(&n, 5, mode ? 1.0f : 0.0f, mode == 1 ? 0.9f : 1.0f, mode == 2 ? 3 : 0, 3);
        int id = sw_sampler_next(&n, zn);
        CHECK(id >= 0 && id < 5, "NaN logits, mode %d: id %d", mode, id);
        sw_sampler_free(&n);
    }
    CHECK(sw_sampler_init(&s, 5, -1.0f, 0.9f, 0, 1) == SWIGLU_ERR_ARG, "temperature -1 accepted");
    CHECK(sw_sampler_init(&s, 5, 1.0f, 1.5f, 0, 1) == SWIGLU_ERR_ARG, "top-p 1.5 accepted");
}

int main(void)
{
    test_models();
    test_sampler();
    return tl_finish("test_kv_cache");
}
