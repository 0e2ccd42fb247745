/* model.c -- the transformer's weights, forward and backward (model.h).
 * Legend: B batch, T tokens, N = B*T, D d_model, H d_ff, V vocabulary,
 * NH / NKV heads, HS head size, KV = NKV*HS, L layers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"      /* sw_count_nonfinite */
#include "core/rng.h"
#include "kernels/kernels.h"   /* sw_to_bf16 */
#include "model/layers.h"
#include "model/model.h"

void sw_model_config_default(sw_model_config *c)
{
    memset(c, 0, sizeof *c);
    c->vocab = 256; c->n_layer = 4; c->n_head = 4; c->n_kv_head = 0; c->d_model = 128;
    c->d_ff = 0; c->seq_len = 64; c->ffn = SWIGLU_FFN_SWIGLU; c->ffn_beta = 0.0f;
    c->learn_beta = 0; c->tied = 1; c->rms_eps = 1e-5f; c->rope_theta = 10000.0f;
    c->dropout = 0.0f; c->init_std = 0.02f; c->init_scheme = SW_INIT_GPT2;
}

static const char *const init_names[SW_INIT_COUNT] = {"gpt2", "fan-in", "small"};

const char *sw_init_scheme_name(int scheme)
{
    return scheme >= 0 && scheme < SW_INIT_COUNT ? init_names[scheme] : "?";
}

int sw_init_scheme_from_name(const char *name)
{
    for (int i = 0; i < SW_INIT_COUNT; i++)
        if (name && !strcmp(name, init_names[i])) return i;
    return -1;
}

double sw_model_init_std(const sw_model_config *c, size_t fan_in, int out)
{
    float L = (float)c->n_layer;
    double D = (double)c->d_model;
    switch (c->init_scheme) {
    case SW_INIT_FAN_IN:
        return 1.0 / sqrt((double)fan_in) / (out ? sqrt(2.0 * (double)L) : 1.0);
    case SW_INIT_SMALL:
        return out ? 2.0 / ((double)L * sqrt(D)) : sqrt(2.0 / (5.0 * D));
    default:
        /* in float, as it always was: gpt2 runs stay bit-identical */
        return out ? (double)(c->init_std / sqrtf(2.0f * L)) : (double)c->init_std;
    }
}

double sw_model_init_scale(const sw_model_config *c)
{
    return sw_model_init_std(c, (size_t)c->d_model, 0);
}

swiglu_status sw_model_config_check(const sw_model_config *c, char *err, size_t cap)
{
#define BAD(...) do { snprintf(err, cap, __VA_ARGS__); return SWIGLU_ERR_ARG; } while (0)
    if (c->vocab < 2 || c->vocab > 256) BAD("vocabulary must be in [2, 256], got %d", c->vocab);
    if (c->n_layer < 1 || c->n_layer > 1024) BAD("layers must be in [1, 1024], got %d", c->n_layer);
    if (c->n_head < 1) BAD("heads must be >= 1, got %d", c->n_head);
    int nkv = c->n_kv_head ? c->n_kv_head : c->n_head;
    if (nkv < 1 || c->n_head % nkv) BAD("kv heads (%d) must divide heads (%d)", nkv, c->n_head);
    if (c->d_model < 2 || c->d_model % c->n_head || (c->d_model / c->n_head) % 2)
        BAD("d_model (%d) must be heads (%d) times an even head size", c->d_model, c->n_head);
    if (c->d_model > SW_MODEL_MAX_DIM) BAD("d_model must be <= %d, got %d", SW_MODEL_MAX_DIM, c->d_model);
    if (c->d_ff < 0 || c->d_ff > SW_MODEL_MAX_DFF)
        BAD("d_ff must be in [0, %d] (0: parameter-matched), got %d", SW_MODEL_MAX_DFF, c->d_ff);
    if (c->seq_len < 1 || c->seq_len > 65536) BAD("context must be in [1, 65536], got %d", c->seq_len);
    if ((unsigned)c->ffn >= SWIGLU_FFN_VARIANT_COUNT) BAD("unknown FFN variant %d", (int)c->ffn);
    if (c->learn_beta && c->ffn != SWIGLU_FFN_SWIGLU && c->ffn != SWIGLU_FFN_SWISH)
        BAD("a learned beta needs the swish or swiglu FFN, not %s", swiglu_ffn_variant_name(c->ffn));
    if ((unsigned)c->learn_beta > 1 || (unsigned)c->tied > 1 || (unsigned)c->bf16 > 1)
        BAD("the flags learn_beta, tied, bf16 must be 0 or 1, got %d, %d, %d", c->learn_beta, c->tied, c->bf16);
    if (!isfinite(c->ffn_beta)) BAD("ffn beta must be finite, got %g", (double)c->ffn_beta);
    if (!(c->rms_eps > 0.0f) || !isfinite(c->rms_eps)) BAD("rms eps must be finite and > 0, got %g", (double)c->rms_eps);
    if (!(c->rope_theta > 1.0f) || !isfinite(c->rope_theta)) BAD("rope theta must be finite and > 1, got %g", (double)c->rope_theta);
    if (!(c->dropout >= 0.0f && c->dropout < 1.0f)) BAD("dropout must be in [0, 1), got %g", (double)c->dropout);
    if (!(c->init_std > 0.0f) || !isfinite(c->init_std)) BAD("init std must be finite and > 0, got %g", (double)c->init_std);
    if ((unsigned)c->init_scheme >= SW_INIT_COUNT) BAD("unknown init scheme %d", c->init_scheme);
    return SWIGLU_OK;
#undef BAD
}

/* ---- sizes ----------------------------------------------------------------- */

/* a * b, setting *ovf when it does not fit in size_t */
static size_t mul_ovf(size_t a, size_t b, int *ovf)
{
    size_t r;
    if (__builtin_mul_overflow(a, b, &r)) { *ovf = 1; return SIZE_MAX; }
    return r;
}
static size_t add_ovf(size_t a, size_t b, int *ovf)
{
    size_t r;
    if (__builtin_add_overflow(a, b, &r)) { *ovf = 1; return SIZE_MAX; }
    return r;
}

/* The FFN configuration of every layer (d_ff parameter-matched when cfg->d_ff is 0). */
static swiglu_status config_ffn(swiglu_ffn_config *fc, const sw_model_config *cfg)
{
    swiglu_status st = swiglu_ffn_config_init(fc, (size_t)cfg->d_model, cfg->ffn);
    if (st) return st;
    if (cfg->d_ff > 0) fc->d_ff = (size_t)cfg->d_ff;
    if (cfg->ffn_beta != 0.0f) fc->beta = cfg->ffn_beta;
    fc->learn_beta = cfg->learn_beta;
    if (cfg->bf16) fc->dtype = SWIGLU_BF16;
    return SWIGLU_OK;
}

/* The parameter count of `layout` below, in checked arithmetic:
 *   V D (tied) or 2 V D, + D, + L (2 D + 2 D^2 + 2 KV D + (2 or 3) H D + learn_beta) */
swiglu_status sw_model_config_param_count(size_t *n, const sw_model_config *cfg)
{
    char why[160];
    *n = 0;
    swiglu_status st = sw_model_config_check(cfg, why, sizeof why);
    if (st) return st;
    swiglu_ffn_config fc;
    if ((st = config_ffn(&fc, cfg))) return st;
    size_t D = (size_t)cfg->d_model, V = (size_t)cfg->vocab, L = (size_t)cfg->n_layer, H = fc.d_ff;
    size_t nkv = (size_t)(cfg->n_kv_head ? cfg->n_kv_head : cfg->n_head);
    size_t KV = nkv * (D / (size_t)cfg->n_head);
    int ovf = 0;
    size_t per = add_ovf(2 * D + 2 * mul_ovf(D, D, &ovf), mul_ovf(2 * KV, D, &ovf), &ovf);
    per = add_ovf(per, mul_ovf((size_t)(swiglu_ffn_variant_gated(cfg->ffn) ? 3 : 2), mul_ovf(H, D, &ovf), &ovf), &ovf);
    per = add_ovf(per, (size_t)(cfg->learn_beta != 0), &ovf);
    size_t total = add_ovf(mul_ovf(L, per, &ovf), mul_ovf(V, D, &ovf) * (cfg->tied ? 1 : 2), &ovf);
    total = add_ovf(total, D, &ovf);
    if (ovf || total > SW_MODEL_MAX_ELEMS) return SWIGLU_ERR_SIZE;
    *n = total;
    return SWIGLU_OK;
}

/* Refuses a model whose largest buffers (in elements) overflow or pass
 * SW_MODEL_MAX_ELEMS. Every buffer `carve` takes is at most 8 times one of
 * these products, so its size_t arithmetic cannot wrap once this passes:
 *   attention L N NH T, activations (2L + 2) N max(D, V, KV), FFN workspace
 *   L ws, per-thread attention scratch nth T T. */
static swiglu_status check_sizes(const sw_model *m)
{
    int ovf = 0;
    size_t N = mul_ovf(m->Bmax, m->Tmax, &ovf);
    size_t wide = m->D > m->V ? m->D : m->V;
    size_t terms[4] = {
        mul_ovf(mul_ovf(mul_ovf(m->L, N, &ovf), m->NH, &ovf), m->Tmax, &ovf),
        mul_ovf(mul_ovf(2 * m->L + 2, N, &ovf), wide, &ovf),
        mul_ovf(m->L, m->ffn_ws_bytes, &ovf),
        mul_ovf(mul_ovf((size_t)m->nth, m->Tmax, &ovf), m->Tmax, &ovf),
    };
    for (int i = 0; i < 4; i++) if (terms[i] > SW_MODEL_MAX_ELEMS) ovf = 1;
    return ovf ? SWIGLU_ERR_SIZE : SWIGLU_OK;
}

/* ---- parameter layout ---------------------------------------------------- */

static void add_tensor(sw_model *m, const char *name, int layer, size_t numel, int decay)
{
    if (m->tensors) {
        sw_tensor *t = &m->tensors[m->n_tensors];
        if (layer >= 0) snprintf(t->name, sizeof t->name, "l%d.%s", layer, name);
        else snprintf(t->name, sizeof t->name, "%s", name);
        t->layer = layer; t->offset = m->n_params; t->numel = numel; t->decay = decay;
    }
    m->n_tensors++;
    m->n_params += numel;
}

/* Walks the layout: counts (tensors == NULL) or fills the table. */
static void layout(sw_model *m)
{
    size_t D = m->D, H = m->H, KV = m->KV, V = m->V;
    int gated = swiglu_ffn_variant_gated(m->cfg.ffn);
    m->n_tensors = 0; m->n_params = 0;
    add_tensor(m, "emb", -1, V * D, 1);
    for (int l = 0; l < (int)m->L; l++) {
        add_tensor(m, "rms_att", l, D, 0);
        add_tensor(m, "wq", l, D * D, 1);
        add_tensor(m, "wk", l, KV * D, 1);
        add_tensor(m, "wv", l, KV * D, 1);
        add_tensor(m, "wo", l, D * D, 1);
        add_tensor(m, "rms_ffn", l, D, 0);
        add_tensor(m, "w1", l, H * D, 1);
        if (gated) add_tensor(m, "w3", l, H * D, 1);
        add_tensor(m, "w2", l, D * H, 1);
        if (m->cfg.learn_beta) add_tensor(m, "beta", l, 1, 0);
    }
    add_tensor(m, "rms_final", -1, D, 0);
    if (!m->cfg.tied) add_tensor(m, "head", -1, V * D, 1);
}

/* Points the weight struct at a buffer laid out as `layout` says. */
static void point(sw_model *m, sw_weights *w, float *base)
{
    size_t i = 0;
    int gated = swiglu_ffn_variant_gated(m->cfg.ffn);
#define NEXT() (base + m->tensors[i++].offset)
    w->emb = NEXT();
    for (size_t l = 0; l < m->L; l++) {
        sw_layer_weights *lw = &w->layer[l];
        lw->rms_att = NEXT(); lw->wq = NEXT(); lw->wk = NEXT(); lw->wv = NEXT(); lw->wo = NEXT();
        lw->rms_ffn = NEXT(); lw->w1 = NEXT(); lw->w3 = gated ? NEXT() : NULL; lw->w2 = NEXT();
        lw->beta = m->cfg.learn_beta ? NEXT() : NULL;
    }
    w->rms_final = NEXT();
    w->head = m->cfg.tied ? w->emb : NEXT();
#undef NEXT
}

static swiglu_ffn_params ffn_params(const sw_layer_weights *lw)
{
    swiglu_ffn_params p;
    memset(&p, 0, sizeof p);
    p.w1 = lw->w1; p.w3 = lw->w3; p.w2 = lw->w2; p.beta = lw->beta;
    return p;
}

/* The bf16 copy of the fp32 weight tensor at p (mixed precision). */
static uint16_t *bfw(const sw_model *m, const float *p)
{
    return p ? m->pbf + (p - m->params) : NULL;
}

/* The FFN's weights as its handle takes them: fp32, or the bf16 copies. */
static swiglu_ffn_params ffn_weights(const sw_model *m, const sw_layer_weights *lw)
{
    swiglu_ffn_params p = ffn_params(lw);
    if (m->cfg.bf16) { p.w1 = bfw(m, lw->w1); p.w3 = bfw(m, lw->w3); p.w2 = bfw(m, lw->w2); }
    return p;
}

/* ---- create / free ------------------------------------------------------- */

/* a bump allocator over one block: every activation buffer, 64-byte aligned */
typedef struct arena { char *base; size_t used; } arena;
static void *take(arena *a, size_t bytes)
{
    size_t off = (a->used + 63) & ~(size_t)63;
    a->used = off + bytes;
    return a->base ? a->base + off : NULL;
}

static void carve(sw_model *m, arena *a, int training)
{
    size_t N = m->Bmax * m->Tmax, D = m->D, KV = m->KV, L = m->L, T = m->Tmax, V = m->V;
    size_t fl = sizeof(float);
    m->x = take(a, N * sizeof(int));
    m->y = take(a, N * sizeof(int));
    m->resid = take(a, (L + 1) * N * D * fl);
    m->resid_mid = take(a, L * N * D * fl);
    m->ln1 = take(a, L * N * D * fl);
    m->ln2 = take(a, L * N * D * fl);
    m->rstd1 = take(a, L * N * fl);
    m->rstd2 = take(a, L * N * fl);
    m->q = take(a, L * N * D * fl);
    m->k = take(a, L * N * KV * fl);
    m->v = take(a, L * N * KV * fl);
    m->att = take(a, L * m->Bmax * m->NH * T * T * fl);
    m->atty = take(a, L * N * D * fl);
    m->proj = take(a, N * D * fl);
    if (m->cfg.bf16) {
        size_t hb = sizeof(uint16_t);
        m->ln1_bf = take(a, L * N * D * hb);
        m->ln2_bf = take(a, L * N * D * hb);
        m->atty_bf = take(a, L * N * D * hb);
        m->lnf_bf = take(a, N * D * hb);
        if (training) m->dy_bf = take(a, N * (D > V ? D : V) * hb);
    }
    m->ffn_ws = take(a, L * m->ffn_ws_bytes);
    m->lnf = take(a, N * D * fl);
    m->rstdf = take(a, N * fl);
    m->logits = take(a, N * V * fl);
    m->losses = take(a, N * fl);
    m->rope_cos = take(a, T * (m->HS / 2) * fl);
    m->rope_sin = take(a, T * (m->HS / 2) * fl);
    if (training) {
        m->dresid = take(a, N * D * fl);
        m->dln = take(a, N * D * fl);
        m->dq = take(a, N * D * fl);
        m->datty = take(a, N * D * fl);
        m->dk = take(a, N * KV * fl);
        m->dv = take(a, N * KV * fl);
        m->att_scratch = take(a, m->Bmax * m->NH * T * T * fl);
        m->rms_part = take(a, ((N + SW_RMS_BLOCK - 1) / SW_RMS_BLOCK) * D * fl);
        if (m->cfg.dropout > 0.0f) m->drop_mask = take(a, (1 + 2 * L) * N * D);
    }
}


swiglu_status sw_model_create(sw_model **out, const sw_model_config *cfg, size_t Bmax, int training)
{
    char err[160];
    *out = NULL;
    if (Bmax == 0) return SWIGLU_ERR_SIZE;
    swiglu_status st = sw_model_config_check(cfg, err, sizeof err);
    if (st) return st;
    sw_model *m = calloc(1, sizeof *m);
    if (!m) return SWIGLU_ERR_ALLOC;
    m->cfg = *cfg;
    m->V = (size_t)cfg->vocab; m->L = (size_t)cfg->n_layer; m->D = (size_t)cfg->d_model;
    m->NH = (size_t)cfg->n_head; m->NKV = (size_t)(cfg->n_kv_head ? cfg->n_kv_head : cfg->n_head);
    m->HS = m->D / m->NH; m->KV = m->NKV * m->HS; m->Tmax = (size_t)cfg->seq_len; m->Bmax = Bmax;
    m->nth = swiglu_threads_get();
    if (m->nth < 1) m->nth = 1;

    swiglu_ffn_config fc;
    size_t n_params;
    if ((st = sw_model_config_param_count(&n_params, cfg))) goto fail;   /* layout's sums cannot wrap */
    if ((st = config_ffn(&fc, cfg))) goto fail;
    m->H = fc.d_ff;
    m->cfg.d_ff = (int)fc.d_ff;
    m->cfg.ffn_beta = fc.beta;
    if ((st = swiglu_ffn_create(&m->ffn, &fc))) goto fail;
    if (cfg->bf16 && (st = swiglu_ffn_set_output_dtype(m->ffn, SWIGLU_F32))) goto fail;
    if ((st = swiglu_ffn_workspace_size(&m->ffn_ws_bytes, m->ffn, Bmax * m->Tmax, 1))) goto fail;
    m->ffn_ws_bytes = (m->ffn_ws_bytes + 63) & ~(size_t)63;
    if ((st = check_sizes(m))) goto fail;

    layout(m);                                   /* count */
    m->tensors = calloc(m->n_tensors, sizeof *m->tensors);
    m->w.layer = calloc(m->L, sizeof *m->w.layer);
    m->g.layer = calloc(m->L, sizeof *m->g.layer);
    if (!m->tensors || !m->w.layer || !m->g.layer) { st = SWIGLU_ERR_ALLOC; goto fail; }
    layout(m);                                   /* fill */
    if (m->n_params != n_params) { st = SWIGLU_ERR_STATE; goto fail; }   /* the two counts must agree */
    m->params = calloc(m->n_params, sizeof(float));
    if (!m->params) { st = SWIGLU_ERR_ALLOC; goto fail; }
    point(m, &m->w, m->params);
    if (cfg->bf16 && !(m->pbf = calloc(m->n_params, sizeof(uint16_t)))) { st = SWIGLU_ERR_ALLOC; goto fail; }
    if (training) {
        m->grads = calloc(m->n_params, sizeof(float));
        if (!m->grads) { st = SWIGLU_ERR_ALLOC; goto fail; }
        point(m, &m->g, m->grads);
    }
    arena a = {NULL, 0};
    carve(m, &a, training);
    a.base = aligned_alloc(64, (a.used + 63) & ~(size_t)63);
    if (!a.base) { st = SWIGLU_ERR_ALLOC; goto fail; }
    memset(a.base, 0, a.used);
    a.used = 0;
    carve(m, &a, training);
    /* the block starts at m->x (the first buffer carved) */
    sw_rope_tables(m->rope_cos, m->rope_sin, m->Tmax, m->HS, cfg->rope_theta);
    *out = m;
    return SWIGLU_OK;
fail:
    sw_model_free(m);
    return st;
}

swiglu_status sw_model_create_part(sw_model **out, const sw_model *owner, size_t Bmax)
{
    *out = NULL;
    if (!owner->grads) return SWIGLU_ERR_STATE;
    sw_model *m;
    swiglu_status st = sw_model_create(&m, &owner->cfg, Bmax, 1);
    if (st) return st;
    free(m->params);
    free(m->pbf);
    m->params = owner->params;
    m->pbf = owner->pbf;
    m->borrowed = 1;
    m->keep_bf16 = 1;
    m->nth = 1;
    point(m, &m->w, m->params);
    *out = m;
    return SWIGLU_OK;
}

void sw_model_round_weights(sw_model *m)
{
    if (m->cfg.bf16) sw_to_bf16(m->pbf, m->params, m->n_params);
}

void sw_model_free(sw_model *m)
{
    if (!m) return;
    swiglu_ffn_destroy(m->ffn);
    free(m->x);               /* the activation block (x is carved first, at offset 0) */
    if (!m->borrowed) {
        free(m->params);
        free(m->pbf);
    }
    free(m->grads);
    free(m->tensors);
    free(m->w.layer);
    free(m->g.layer);
    free(m);
}

size_t sw_model_param_count(const sw_model *m) { return m->n_params; }
size_t sw_model_nonfinite(const sw_model *m) { return sw_count_nonfinite(m->params, m->n_params, NULL); }

swiglu_status sw_model_init(sw_model *m, uint64_t seed)
{
    uint64_t rng = seed ^ 0x5EED0F5CA1AB1Eull;
    const sw_model_config *c = &m->cfg;
    /* the FFN initializer writes its handle's dtype: the fp32 masters need an fp32 handle */
    swiglu_ffn *init_ffn = m->ffn;
    if (m->cfg.bf16) {
        swiglu_ffn_config fc;
        swiglu_ffn_get_config(m->ffn, &fc);
        fc.dtype = SWIGLU_F32;
        swiglu_status st = swiglu_ffn_create(&init_ffn, &fc);
        if (st) return st;
    }
    for (size_t i = 0; i < m->n_tensors; i++) {
        const sw_tensor *t = &m->tensors[i];
        float *p = m->params + t->offset;
        const char *nm = t->layer >= 0 ? strchr(t->name, '.') + 1 : t->name;
        if (!strncmp(nm, "rms", 3)) {
            for (size_t j = 0; j < t->numel; j++) p[j] = 1.0f;
        } else if (!strcmp(nm, "beta")) {
            p[0] = m->cfg.ffn_beta;
        } else if (!strcmp(nm, "w1") || !strcmp(nm, "w3") || !strcmp(nm, "w2")) {
            /* the FFN's own initializer, once per layer (at w1): W1, W3 see D inputs, W2 sees H */
            if (!strcmp(nm, "w1")) {
                const sw_layer_weights *lw = &m->w.layer[t->layer];
                swiglu_ffn_params fp = ffn_params(lw);
                swiglu_status st = swiglu_ffn_init_params(init_ffn, &fp, sw_rng_next(&rng),
                                                          (float)sw_model_init_std(c, m->D, 0),
                                                          (float)sw_model_init_std(c, m->H, 1));
                if (st) { if (init_ffn != m->ffn) swiglu_ffn_destroy(init_ffn); return st; }
                if (lw->beta) lw->beta[0] = m->cfg.ffn_beta;
            }
        } else {
            /* emb, head, wq, wk, wv, wo: every one sees D inputs (emb as the tied head) */
            float s = (float)sw_model_init_std(c, m->D, !strcmp(nm, "wo"));
            for (size_t j = 0; j < t->numel; j++) p[j] = (float)(s * sw_rng_normal(&rng));
        }
    }
    if (init_ffn != m->ffn) swiglu_ffn_destroy(init_ffn);
    return SWIGLU_OK;
}

void sw_model_zero_grad(sw_model *m)
{
    if (m->grads) memset(m->grads, 0, m->n_params * sizeof(float));
}

/* out = a + b, n elements */
static void add2(float *out, const float *a, const float *b, size_t n, int nth)
{
    SW_PRAGMA(omp parallel for num_threads(nth) schedule(static) if (n > SW_PAR_MIN))
    for (size_t i = 0; i < n; i++) out[i] = a[i] + b[i];
}

void sw_model_set_dropout(sw_model *m, int on, uint64_t seed)
{
    m->dropout_on = on && m->cfg.dropout > 0.0f && m->drop_mask;
    m->dropout_seed = seed;
}

/* Dropout at `site` over n = N*D values, in place:
 *   x_i = keep_i x_i / (1 - p),  keep_i = [hash(seed, site, i) >= p 2^32]
 * Backward: dx_i = keep_i dy_i / (1 - p) (dropout_backward). */
static void dropout_forward(sw_model *m, float *x, size_t site, size_t n)
{
    uint8_t *keep = m->drop_mask + site * m->Bmax * m->Tmax * m->D;
    uint64_t thr = (uint64_t)((double)m->cfg.dropout * 4294967296.0);
    float s = 1.0f / (1.0f - m->cfg.dropout);
    uint64_t base = m->dropout_seed ^ (site * 0xA24BAED4963EE407ull);
    size_t i0 = m->drop_base * m->D;   /* a part's positions are its tokens' in the whole batch */
    int nth = m->nth;
    SW_PRAGMA(omp parallel for num_threads(nth) schedule(static) if (n > SW_PAR_MIN))
    for (size_t i = 0; i < n; i++) {
        uint64_t z = base + (uint64_t)(i0 + i) * 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        keep[i] = (z >> 32) >= thr;
        x[i] = keep[i] ? x[i] * s : 0.0f;
    }
}

/* out = keep * dy / (1 - p); out may be dy */
static void dropout_backward(const sw_model *m, float *out, const float *dy, size_t site, size_t n)
{
    const uint8_t *keep = m->drop_mask + site * m->Bmax * m->Tmax * m->D;
    float s = 1.0f / (1.0f - m->cfg.dropout);
    int nth = m->nth;
    SW_PRAGMA(omp parallel for num_threads(nth) schedule(static) if (n > SW_PAR_MIN))
    for (size_t i = 0; i < n; i++) out[i] = keep[i] ? dy[i] * s : 0.0f;
}

/* ---- forward -------------------------------------------------------------- */

swiglu_status sw_model_forward(sw_model *m, const int *x, const int *y, size_t B, size_t T,
                               double *loss)
{
    if (B == 0 || T == 0 || B > m->Bmax || T > m->Tmax) return SWIGLU_ERR_SIZE;
    size_t N = B * T, D = m->D, KV = m->KV, V = m->V, NH = m->NH, NKV = m->NKV, HS = m->HS;
    size_t Tm = m->Tmax, Nm = m->Bmax * Tm;
    float eps = m->cfg.rms_eps;
    swiglu_status st;
    for (size_t n = 0; n < N; n++) {
        if (x[n] < 0 || (size_t)x[n] >= V) return SWIGLU_ERR_ARG;
        m->x[n] = x[n];
        m->y[n] = y ? y[n] : -1;
        if (y && y[n] >= (int)V) return SWIGLU_ERR_ARG;
    }
    m->B = B; m->T = T; m->have_targets = y != NULL;
    int bf = m->cfg.bf16;
    sw_profile *pf = &m->prof;
    sw_prof_begin(pf, SW_PROF_FWD);
    if (!m->keep_bf16) sw_model_round_weights(m);   /* this step's weights, rounded once */
    sw_prof_lap(pf, SW_PH_ELEM);
    /* per-layer buffers are strided by the capacity Nm, so a smaller batch fits */
    sw_embedding_forward(m->resid, m->w.emb, m->x, N, D);
    sw_prof_lap(pf, SW_PH_EMBED);
    int drop = m->dropout_on;
    m->have_dropout = drop;
    if (drop) dropout_forward(m, m->resid, 0, N * D);
    sw_prof_lap(pf, SW_PH_ELEM);
    for (size_t l = 0; l < m->L; l++) {
        const sw_layer_weights *lw = &m->w.layer[l];
        float *xin = m->resid + l * Nm * D, *xmid = m->resid_mid + l * Nm * D;
        float *ln1 = m->ln1 + l * Nm * D, *ln2 = m->ln2 + l * Nm * D;
        float *q = m->q + l * Nm * D, *k = m->k + l * Nm * KV, *v = m->v + l * Nm * KV;
        float *att = m->att + l * m->Bmax * NH * Tm * Tm, *atty = m->atty + l * Nm * D;
        void *ws = (char *)m->ffn_ws + l * m->ffn_ws_bytes;
        /* attention block */
        sw_rmsnorm_forward(ln1, m->rstd1 + l * Nm, xin, lw->rms_att, N, D, eps);
        sw_prof_lap(pf, SW_PH_NORM);
        uint16_t *ln1b = bf ? m->ln1_bf + l * Nm * D : NULL, *ln2b = bf ? m->ln2_bf + l * Nm * D : NULL;
        uint16_t *attyb = bf ? m->atty_bf + l * Nm * D : NULL;
        if (bf) {
            sw_to_bf16(ln1b, ln1, N * D);
            sw_prof_lap(pf, SW_PH_ELEM);
            if ((st = sw_linear_forward_bf16(q, ln1b, bfw(m, lw->wq), N, D, D))) return st;
            if ((st = sw_linear_forward_bf16(k, ln1b, bfw(m, lw->wk), N, D, KV))) return st;
            if ((st = sw_linear_forward_bf16(v, ln1b, bfw(m, lw->wv), N, D, KV))) return st;
        } else {
            if ((st = sw_linear_forward(q, ln1, lw->wq, N, D, D))) return st;
            if ((st = sw_linear_forward(k, ln1, lw->wk, N, D, KV))) return st;
            if ((st = sw_linear_forward(v, ln1, lw->wv, N, D, KV))) return st;
        }
        sw_prof_lap(pf, SW_PH_GEMM);
        sw_rope_forward(q, m->rope_cos, m->rope_sin, B, T, NH, HS);
        sw_rope_forward(k, m->rope_cos, m->rope_sin, B, T, NKV, HS);
        sw_prof_lap(pf, SW_PH_ELEM);
        if ((st = sw_attention_forward(atty, att, q, k, v, B, T, NH, NKV, HS, m->nth))) return st;
        sw_prof_lap(pf, SW_PH_ATTN);
        if (bf) {
            sw_to_bf16(attyb, atty, N * D);
            sw_prof_lap(pf, SW_PH_ELEM);
            if ((st = sw_linear_forward_bf16(m->proj, attyb, bfw(m, lw->wo), N, D, D))) return st;
        } else if ((st = sw_linear_forward(m->proj, atty, lw->wo, N, D, D))) return st;
        sw_prof_lap(pf, SW_PH_GEMM);
        if (drop) dropout_forward(m, m->proj, 1 + 2 * l, N * D);
        add2(xmid, xin, m->proj, N * D, m->nth);
        sw_prof_lap(pf, SW_PH_ELEM);
        /* FFN block */
        sw_rmsnorm_forward(ln2, m->rstd2 + l * Nm, xmid, lw->rms_ffn, N, D, eps);
        sw_prof_lap(pf, SW_PH_NORM);
        swiglu_ffn_params fp = ffn_weights(m, lw);
        if (bf) sw_to_bf16(ln2b, ln2, N * D);
        sw_prof_lap(pf, SW_PH_ELEM);
        if ((st = swiglu_ffn_forward(m->ffn, m->proj, bf ? (const void *)ln2b : (const void *)ln2, N, &fp,
                                     ws, m->ffn_ws_bytes, 1))) return st;
        sw_prof_lap(pf, SW_PH_FFN);
        if (drop) dropout_forward(m, m->proj, 2 + 2 * l, N * D);
        add2(m->resid + (l + 1) * Nm * D, xmid, m->proj, N * D, m->nth);
        sw_prof_lap(pf, SW_PH_ELEM);
    }
    sw_rmsnorm_forward(m->lnf, m->rstdf, m->resid + m->L * Nm * D, m->w.rms_final, N, D, eps);
    sw_prof_lap(pf, SW_PH_NORM);
    if (bf) {
        sw_to_bf16(m->lnf_bf, m->lnf, N * D);
        sw_prof_lap(pf, SW_PH_ELEM);
        if ((st = sw_linear_forward_bf16(m->logits, m->lnf_bf, bfw(m, m->w.head), N, D, V))) return st;
    } else if ((st = sw_linear_forward(m->logits, m->lnf, m->w.head, N, D, V))) return st;
    sw_prof_lap(pf, SW_PH_GEMM);
    if (y) {
        sw_crossentropy_forward(m->losses, m->logits, m->logits, m->y, N, V);
        double s = 0.0;
        size_t cnt = 0;
        for (size_t n = 0; n < N; n++) if (m->y[n] >= 0) { s += m->losses[n]; cnt++; }
        if (loss) *loss = cnt ? s / (double)cnt : 0.0;
        sw_prof_lap(pf, SW_PH_LOSS);
    }
    return SWIGLU_OK;
}

/* ---- backward ------------------------------------------------------------- */

swiglu_status sw_model_backward(sw_model *m, float scale)
{
    if (!m->grads || !m->have_targets) return SWIGLU_ERR_STATE;
    size_t B = m->B, T = m->T, N = B * T, D = m->D, KV = m->KV, V = m->V;
    size_t NH = m->NH, NKV = m->NKV, HS = m->HS, Tm = m->Tmax, Nm = m->Bmax * Tm;
    swiglu_status st;
    sw_profile *pf = &m->prof;
    sw_prof_begin(pf, SW_PROF_BWD);
    /* dlogits = scale (p - onehot), in place over the probabilities */
    sw_crossentropy_backward(m->logits, m->logits, m->y, N, V, scale);
    sw_prof_lap(pf, SW_PH_LOSS);
    memset(m->dln, 0, N * D * sizeof(float));
    sw_prof_lap(pf, SW_PH_ELEM);
    int bf = m->cfg.bf16;
    if (bf) st = sw_linear_backward_bf16(m->dln, m->g.head, m->dy_bf, m->logits, m->lnf_bf, bfw(m, m->w.head), N, D, V);
    else st = sw_linear_backward(m->dln, m->g.head, m->logits, m->lnf, m->w.head, N, D, V);
    if (st) return st;
    sw_prof_lap(pf, SW_PH_GEMM);
    memset(m->dresid, 0, N * D * sizeof(float));
    sw_prof_lap(pf, SW_PH_ELEM);
    sw_rmsnorm_backward(m->dresid, m->g.rms_final, m->rms_part, m->dln, m->resid + m->L * Nm * D,
                        m->w.rms_final, m->rstdf, N, D);
    sw_prof_lap(pf, SW_PH_NORM);
    for (size_t l = m->L; l-- > 0;) {
        const sw_layer_weights *lw = &m->w.layer[l];
        sw_layer_weights *lg = &m->g.layer[l];
        float *xin = m->resid + l * Nm * D, *xmid = m->resid_mid + l * Nm * D;
        float *ln1 = m->ln1 + l * Nm * D, *ln2 = m->ln2 + l * Nm * D;
        float *q = m->q + l * Nm * D, *k = m->k + l * Nm * KV, *v = m->v + l * Nm * KV;
        float *att = m->att + l * m->Bmax * NH * Tm * Tm, *atty = m->atty + l * Nm * D;
        void *ws = (char *)m->ffn_ws + l * m->ffn_ws_bytes;
        /* x_out = xmid + FFN(rms(xmid)): dresid holds d x_out = the direct part of d xmid */
        memset(m->dln, 0, N * D * sizeof(float));
        sw_prof_lap(pf, SW_PH_ELEM);
        swiglu_ffn_params fp = ffn_weights(m, lw), fg = ffn_params(lg);
        uint16_t *ln1b = bf ? m->ln1_bf + l * Nm * D : NULL, *ln2b = bf ? m->ln2_bf + l * Nm * D : NULL;
        uint16_t *attyb = bf ? m->atty_bf + l * Nm * D : NULL;
        const float *dffn = m->dresid;   /* d FFN output; through the dropout mask when on */
        if (m->have_dropout) { dropout_backward(m, m->datty, m->dresid, 2 + 2 * l, N * D); dffn = m->datty; }
        sw_prof_lap(pf, SW_PH_ELEM);
        if ((st = swiglu_ffn_backward(m->ffn, m->dln, &fg, dffn, bf ? (const void *)ln2b : (const void *)ln2, N,
                                      &fp, ws, m->ffn_ws_bytes))) return st;
        sw_prof_lap(pf, SW_PH_FFN);
        sw_rmsnorm_backward(m->dresid, lg->rms_ffn, m->rms_part, m->dln, xmid, lw->rms_ffn, m->rstd2 + l * Nm, N, D);
        sw_prof_lap(pf, SW_PH_NORM);
        /* xmid = xin + Wo atty(...): dresid now holds d xmid = the direct part of d xin */
        const float *dproj = m->dresid;  /* d Wo output; through the dropout mask when on (dq as scratch) */
        if (m->have_dropout) { dropout_backward(m, m->dq, m->dresid, 1 + 2 * l, N * D); dproj = m->dq; }
        memset(m->datty, 0, N * D * sizeof(float));
        sw_prof_lap(pf, SW_PH_ELEM);
        if (bf) st = sw_linear_backward_bf16(m->datty, lg->wo, m->dy_bf, dproj, attyb, bfw(m, lw->wo), N, D, D);
        else st = sw_linear_backward(m->datty, lg->wo, dproj, atty, lw->wo, N, D, D);
        if (st) return st;
        sw_prof_lap(pf, SW_PH_GEMM);
        memset(m->dq, 0, N * D * sizeof(float));
        memset(m->dk, 0, N * KV * sizeof(float));
        memset(m->dv, 0, N * KV * sizeof(float));
        sw_prof_lap(pf, SW_PH_ELEM);
        if ((st = sw_attention_backward(m->dq, m->dk, m->dv, m->att_scratch, m->datty, att, q, k, v,
                                        B, T, NH, NKV, HS, m->nth))) return st;
        sw_prof_lap(pf, SW_PH_ATTN);
        sw_rope_backward(m->dq, m->rope_cos, m->rope_sin, B, T, NH, HS);
        sw_rope_backward(m->dk, m->rope_cos, m->rope_sin, B, T, NKV, HS);
        memset(m->dln, 0, N * D * sizeof(float));
        sw_prof_lap(pf, SW_PH_ELEM);
        if (bf) {
            if ((st = sw_linear_backward_bf16(m->dln, lg->wq, m->dy_bf, m->dq, ln1b, bfw(m, lw->wq), N, D, D))) return st;
            if ((st = sw_linear_backward_bf16(m->dln, lg->wk, m->dy_bf, m->dk, ln1b, bfw(m, lw->wk), N, D, KV))) return st;
            if ((st = sw_linear_backward_bf16(m->dln, lg->wv, m->dy_bf, m->dv, ln1b, bfw(m, lw->wv), N, D, KV))) return st;
        } else {
            if ((st = sw_linear_backward(m->dln, lg->wq, m->dq, ln1, lw->wq, N, D, D))) return st;
            if ((st = sw_linear_backward(m->dln, lg->wk, m->dk, ln1, lw->wk, N, D, KV))) return st;
            if ((st = sw_linear_backward(m->dln, lg->wv, m->dv, ln1, lw->wv, N, D, KV))) return st;
        }
        sw_prof_lap(pf, SW_PH_GEMM);
        sw_rmsnorm_backward(m->dresid, lg->rms_att, m->rms_part, m->dln, xin, lw->rms_att, m->rstd1 + l * Nm, N, D);
        sw_prof_lap(pf, SW_PH_NORM);
        if (m->on_layer_grads) {
            m->on_layer_grads(m->on_layer_grads_ctx, l);
            sw_prof_lap(pf, SW_PH_COMM);
        }
    }
    if (m->have_dropout) dropout_backward(m, m->dresid, m->dresid, 0, N * D);
    sw_prof_lap(pf, SW_PH_ELEM);
    sw_embedding_backward(m->g.emb, m->dresid, m->x, N, D);
    sw_prof_lap(pf, SW_PH_EMBED);
    m->have_targets = 0;   /* the probabilities were overwritten */
    return SWIGLU_OK;
}

swiglu_status sw_model_ffn_stats(const sw_model *m, size_t l, swiglu_ffn_stats *st)
{
    if (l >= m->L || m->B == 0) return SWIGLU_ERR_ARG;
    return swiglu_ffn_hidden_stats(m->ffn, st, (const char *)m->ffn_ws + l * m->ffn_ws_bytes,
                                   m->B * m->T);
}
