/* ffn.c -- the FFN layer's configuration side: names, parameter matching,
 * config checks, the handle, parameter counts and initialization. The
 * other rooms: forward/backward in ffn_layer.c, the workspace layout in
 * ffn_workspace.c, the hidden-layer statistics in ffn_stats.c, packed
 * weights in ffn_wpack.c.
 *
 * Legend: T tokens, D d_model, H d_ff, P = 2H (gated) or H (plain).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "core/rng.h"
#include "ffn/ffn_internal.h"
#include "gemm/gemm.h"

/* The FFN variants, one row each, in swiglu_ffn_variant order: everything
 * the layer derives from the variant comes from here. A gated variant runs
 * GLU op `glu` (its gate activation is swiglu_gate_init's); a plain one runs
 * activation `act`. d_ff rule: H = 8D / ff_div before rounding (plain 4D;
 * gated 8D/3, LLaMA's int(2 * 4D / 3), so that 3 matrices hold the 8D^2
 * parameters of the plain FFN's 2). */
typedef struct ffn_variant_info {
    const char *name;   /* first: the table is a name table (core/internal.h) */
    int gated;
    swiglu_act act;     /* plain variants */
    swiglu_glu glu;     /* gated variants */
    unsigned ff_div;
} ffn_variant_info;
#define PLAIN(n, a) {n, 0, a, SWIGLU_GLU_COUNT, 2}
#define GATED(n, g) {n, 1, SWIGLU_ACT_COUNT, g, 3}
static const ffn_variant_info variants[] = {
    [SWIGLU_FFN_RELU] = PLAIN("relu", SWIGLU_ACT_RELU),
    [SWIGLU_FFN_GELU] = PLAIN("gelu", SWIGLU_ACT_GELU_ERF),
    [SWIGLU_FFN_GELU_TANH] = PLAIN("gelu_tanh", SWIGLU_ACT_GELU_TANH),
    [SWIGLU_FFN_SWISH] = PLAIN("swish", SWIGLU_ACT_SWISH),
    [SWIGLU_FFN_GLU] = GATED("glu", SWIGLU_GLU_GLU),
    [SWIGLU_FFN_BILINEAR] = GATED("bilinear", SWIGLU_GLU_BILINEAR),
    [SWIGLU_FFN_REGLU] = GATED("reglu", SWIGLU_GLU_REGLU),
    [SWIGLU_FFN_GEGLU] = GATED("geglu", SWIGLU_GLU_GEGLU),
    [SWIGLU_FFN_GEGLU_TANH] = GATED("geglu_tanh", SWIGLU_GLU_GEGLU_TANH),
    [SWIGLU_FFN_SWIGLU] = GATED("swiglu", SWIGLU_GLU_SWIGLU),
    [SWIGLU_FFN_SWIGLU_CLAMPED] = GATED("swiglu_clamped", SWIGLU_GLU_SWIGLU_CLAMPED),
};
#undef PLAIN
#undef GATED
SW_STATIC_ASSERT(sizeof variants / sizeof variants[0] == SWIGLU_FFN_VARIANT_COUNT,
                 "variants must describe every swiglu_ffn_variant");

const char *swiglu_ffn_variant_name(swiglu_ffn_variant v)
{
    return SW_NAME_OF(variants, v);
}

swiglu_status swiglu_ffn_variant_from_name(swiglu_ffn_variant *v, const char *name)
{
    SW_NAME_PARSE(swiglu_ffn_variant, v, variants, name);
}

int swiglu_ffn_variant_gated(swiglu_ffn_variant v)
{
    return (unsigned)v < SWIGLU_FFN_VARIANT_COUNT && variants[v].gated;
}

swiglu_status swiglu_ffn_hidden_for(size_t *d_ff, size_t d_model, swiglu_ffn_variant v,
                                    size_t multiple_of)
{
    SW_RETURN_IF(!d_ff, SWIGLU_ERR_NULL);
    SW_RETURN_IF((unsigned)v >= SWIGLU_FFN_VARIANT_COUNT || multiple_of == 0, SWIGLU_ERR_ARG);
    SW_RETURN_IF(d_model == 0, SWIGLU_ERR_SIZE);
    size_t h;
    SW_RETURN_IF(!sw_mul_ok(&h, d_model, 8), SWIGLU_ERR_SIZE);
    /* the variant's rule (variants[]), truncated, then rounded up to multiple_of */
    h /= variants[v].ff_div;
    size_t up;
    SW_RETURN_IF(!sw_add_ok(&up, h, multiple_of - 1), SWIGLU_ERR_SIZE);
    *d_ff = up / multiple_of * multiple_of;
    return SWIGLU_OK;
}

swiglu_status swiglu_ffn_config_init(swiglu_ffn_config *cfg, size_t d_model, swiglu_ffn_variant v)
{
    SW_RETURN_IF(!cfg, SWIGLU_ERR_NULL);
    memset(cfg, 0, sizeof *cfg);
    size_t h;
    SW_FORWARD_IF_ERROR(swiglu_ffn_hidden_for(&h, d_model, v, 1));
    cfg->d_model = d_model;
    cfg->d_ff = h;
    cfg->variant = v;
    cfg->beta = v == SWIGLU_FFN_SWIGLU_CLAMPED ? 1.702f : 1.0f;
    cfg->weights = SWIGLU_WEIGHTS_SPLIT;
    cfg->dtype = SWIGLU_F32;
    return SWIGLU_OK;
}

/* Every config rule, in one place (create and param_count share it). */
static swiglu_status config_check(const swiglu_ffn_config *c)
{
    SW_RETURN_IF(!c, SWIGLU_ERR_NULL);
    SW_RETURN_IF((unsigned)c->variant >= SWIGLU_FFN_VARIANT_COUNT, SWIGLU_ERR_ARG);
    SW_RETURN_IF((unsigned)c->weights >= SWIGLU_WEIGHTS_COUNT, SWIGLU_ERR_ARG);
    SW_RETURN_IF((unsigned)c->dtype >= SWIGLU_DTYPE_COUNT, SWIGLU_ERR_DTYPE);
    SW_RETURN_IF(!isfinite(c->beta), SWIGLU_ERR_ARG);
    /* the flags are 0 or 1: any other value is a caller's mistake, not "on" */
    SW_RETURN_IF((c->learn_beta | c->bias_up | c->bias_down | c->recompute) & ~1, SWIGLU_ERR_ARG);
    SW_RETURN_IF(c->learn_beta && c->variant != SWIGLU_FFN_SWISH && c->variant != SWIGLU_FFN_SWIGLU,
                 SWIGLU_ERR_ARG);
    SW_RETURN_IF(c->d_model == 0 || c->d_ff == 0, SWIGLU_ERR_SIZE);
    /* every tensor size the layer forms must fit: 3 D H floats (weights),
     * and oneDNN's int64 dims */
    size_t n;
    SW_RETURN_IF(!sw_mul_ok(&n, c->d_model, c->d_ff) || !sw_mul_ok(&n, n, 3 * sizeof(float)) ||
                 n > (size_t)INT64_MAX, SWIGLU_ERR_SIZE);
    return SWIGLU_OK;
}

swiglu_status swiglu_ffn_param_count(size_t *count, const swiglu_ffn_config *cfg)
{
    SW_RETURN_IF(!count, SWIGLU_ERR_NULL);
    SW_FORWARD_IF_ERROR(config_check(cfg));
    int gated = swiglu_ffn_variant_gated(cfg->variant);
    size_t D = cfg->d_model, H = cfg->d_ff;
    /* weights (2 or 3) D H, + b1 (and b3): H each, + b2: D, + beta */
    size_t n = (gated ? 3 : 2) * D * H;  /* checked by config_check */
    if (cfg->bias_up) n += (gated ? 2 : 1) * H;
    if (cfg->bias_down) n += D;
    if (cfg->learn_beta) n += 1;
    *count = n;
    return SWIGLU_OK;
}

swiglu_status swiglu_ffn_create(swiglu_ffn **out, const swiglu_ffn_config *cfg)
{
    SW_RETURN_IF(!out, SWIGLU_ERR_NULL);
    *out = NULL;
    SW_FORWARD_IF_ERROR(config_check(cfg));
    swiglu_ffn *f = calloc(1, sizeof *f);
    SW_RETURN_IF(!f, SWIGLU_ERR_ALLOC);
    swiglu_status st = sw_ffn_wpack_create(&f->wpack);
    if (st != SWIGLU_OK) { free(f); return st; }
    f->cfg = *cfg;
    f->cfg.learn_beta = !!cfg->learn_beta;
    f->cfg.bias_up = !!cfg->bias_up;
    f->cfg.bias_down = !!cfg->bias_down;
    f->cfg.recompute = !!cfg->recompute;
    f->gated = swiglu_ffn_variant_gated(cfg->variant);
    size_t H = cfg->d_ff;
    f->P = f->gated ? 2 * H : H;
    f->gate_off = f->gated && cfg->weights == SWIGLU_WEIGHTS_PACKED_UP_GATE ? H : 0;
    f->up_off = f->gated ? (f->gate_off ? 0 : H) : 0;
    f->out_dtype = cfg->dtype;

    swiglu_gate g;
    if (f->gated) {
        swiglu_gate_init(&g, variants[cfg->variant].glu);
    } else {
        g.act = variants[cfg->variant].act;
        g.limit = INFINITY;
        g.up_shift = 0.0f;
    }
    f->gate.act = (int)g.act;
    f->gate.beta = cfg->beta;
    f->gate.clamp = isfinite(g.limit) || g.up_shift != 0.0f;
    f->gate.limit = g.limit;
    f->gate.shift = g.up_shift;
    f->gate.want_db = cfg->learn_beta != 0; /* dbeta terms only for a learned beta */
    f->gate.stream = 0;  /* pre/h are read back by the next GEMM: keep them cached */
    /* bf16 layers round h and dpre to bf16 right after the kernels: their
     * bf16-grade variant (a few float ulps, 2^15 times finer) suffices */
    f->gate.lowp = cfg->dtype == SWIGLU_BF16;
    *out = f;
    return SWIGLU_OK;
}

swiglu_status swiglu_ffn_destroy(swiglu_ffn *f)
{
    if (f) sw_ffn_wpack_destroy(f->wpack);
    free(f);  /* oneDNN's GEMM primitives live in the process-wide cache (src/gemm/) */
    return SWIGLU_OK;
}

swiglu_status swiglu_ffn_weights_changed(swiglu_ffn *f)
{
    SW_RETURN_IF(!f, SWIGLU_ERR_NULL);
    sw_ffn_wpack_invalidate(f->wpack);
    return SWIGLU_OK;
}

swiglu_status swiglu_ffn_get_config(const swiglu_ffn *f, swiglu_ffn_config *cfg)
{
    SW_RETURN_IF(!f || !cfg, SWIGLU_ERR_NULL);
    *cfg = f->cfg;
    return SWIGLU_OK;
}

swiglu_status swiglu_ffn_set_output_dtype(swiglu_ffn *f, swiglu_dtype out)
{
    SW_RETURN_IF(!f, SWIGLU_ERR_NULL);
    SW_RETURN_IF((unsigned)out >= SWIGLU_DTYPE_COUNT, SWIGLU_ERR_DTYPE);
    /* an fp32 layer has fp32 everything: a bf16 output is a mismatch */
    SW_RETURN_IF(f->cfg.dtype == SWIGLU_F32 && out != SWIGLU_F32, SWIGLU_ERR_DTYPE);
    f->out_dtype = out;
    return SWIGLU_OK;
}

sw_gate sw_ffn_gate(const swiglu_ffn *f) { return f->gate; }

swiglu_status sw_ffn_set_bare(swiglu_ffn *f, int bare)
{
    SW_RETURN_IF(!f, SWIGLU_ERR_NULL);
    f->bare = !!bare;
    return SWIGLU_OK;
}

/* ---- initialization -------------------------------------------------------- */

/* normal(0, 1) by Box-Muller on two 53-bit uniforms of core/rng.h's
 * splitmix64, u1 in (0, 1]: not sw_rng_normal, whose u1 is in [0, 1) clamped
 * at 1e-300, because swiglu_ffn_init's values are pinned (tests, users'
 * seeds) and the two mappings differ in the last bits. */
static double mix_normal(uint64_t *s)
{
    double u1 = ((sw_rng_next(s) >> 11) + 1) * 0x1.0p-53, u2 = (sw_rng_next(s) >> 11) * 0x1.0p-53;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static void fill_normal(void *w, swiglu_dtype dt, size_t n, double std, uint64_t *s)
{
    for (size_t i = 0; i < n; i++) {
        float v = (float)(std * mix_normal(s));
        if (dt == SWIGLU_BF16) ((uint16_t *)w)[i] = sw_f32_to_bf16(v);
        else ((float *)w)[i] = v;
    }
}

swiglu_status swiglu_ffn_init_params(const swiglu_ffn *f, swiglu_ffn_params *p, uint64_t seed,
                                     float std, float std_out)
{
    SW_RETURN_IF(!f || !p, SWIGLU_ERR_NULL);
    SW_RETURN_IF(!(std >= 0) || !(std_out >= 0) || !isfinite(std) || !isfinite(std_out),
                 SWIGLU_ERR_ARG);
    const swiglu_ffn_config *c = &f->cfg;
    int split3 = f->gated && c->weights == SWIGLU_WEIGHTS_SPLIT;
    SW_RETURN_IF(!p->w1 || !p->w2 || (split3 && !p->w3), SWIGLU_ERR_NULL);
    SW_RETURN_IF(c->bias_up && (!p->b1 || (split3 && !p->b3)), SWIGLU_ERR_NULL);
    SW_RETURN_IF((c->bias_down && !p->b2) || (c->learn_beta && !p->beta), SWIGLU_ERR_NULL);
    size_t D = c->d_model, H = c->d_ff;
    uint64_t s = seed;
    /* W1 (PACKED: [W1; W3] or [W3; W1]: all of it std), then W3, then W2 */
    fill_normal(p->w1, c->dtype, (split3 || !f->gated ? 1 : 2) * H * D, std, &s);
    if (split3) fill_normal(p->w3, c->dtype, H * D, std, &s);
    fill_normal(p->w2, c->dtype, D * H, std_out, &s);
    if (c->bias_up) {
        memset(p->b1, 0, (split3 || !f->gated ? 1 : 2) * H * sizeof(float));
        if (split3) memset(p->b3, 0, H * sizeof(float));
    }
    if (c->bias_down) memset(p->b2, 0, D * sizeof(float));
    if (c->learn_beta) p->beta[0] = c->beta;
    sw_ffn_wpack_invalidate(f->wpack);   /* the weights changed */
    return SWIGLU_OK;
}
