/* elementwise.c -- the public activation and GLU entry points: argument
 * checks, layouts, ranges and threads around the per-ISA kernels.
 *
 * Legend: rows x n elements; element e of the flattened index space is
 * row e / n, column e % n. g gate, u up; ld row strides in floats.
 *
 * Threading: sw_parallel_sum (core/threads.c) splits the flattened range
 * statically in blocks of SW_GRAIN elements; each thread walks its range row
 * segment by row segment, and the dbeta partials are added in thread order.
 *
 * The interleaved layout (g0 u0 g1 u1 ...) is split into L1-resident blocks of
 * SW_IL_BLOCK pairs on the stack, so the kernels only ever see unit stride.
 *
 * bf16 storage (the _bf16 entry points): the same checks and walk over
 * uint16_t elements; each row segment goes in blocks of SW_IL_BLOCK elements
 * widened to float on the stack (k->from_bf16), through the float kernel,
 * rounded back (k->to_bf16). SW_IL_BLOCK is a multiple of every ISA's vector
 * width, so the kernel's vector body and scalar tail fall on the same
 * elements as in the float call of the same segment: the bf16 outputs are the
 * float function's outputs rounded, bit for bit.
 */
#include <math.h>
#include <string.h>
#include "core/internal.h"
#include "core/threads.h"
#include "kernels/kernels.h"
#include "core/bf16.h"

#define SW_GRAIN 64        /* elements: 4 cache lines of floats */
#define SW_IL_BLOCK 256    /* pairs per interleaved (or bf16) block: 1 KiB of stack per array */
SW_STATIC_ASSERT(SW_IL_BLOCK % 16 == 0, "a block must end on a vector boundary of every ISA");

/* ---- names ---------------------------------------------------------------- */

static const char *const act_names[] = {"identity", "relu", "gelu_erf", "gelu_tanh", "sigmoid", "swish"};
SW_STATIC_ASSERT(sizeof act_names / sizeof act_names[0] == SWIGLU_ACT_COUNT,
                 "act_names must name every swiglu_act");

static const char *const glu_names[] = {"glu", "bilinear", "reglu", "geglu", "geglu_tanh", "swiglu", "swiglu_clamped"};
SW_STATIC_ASSERT(sizeof glu_names / sizeof glu_names[0] == SWIGLU_GLU_COUNT,
                 "glu_names must name every swiglu_glu");

/* gate activation of each named GLU variant, in swiglu_glu order */
static const swiglu_act glu_acts[] = {SWIGLU_ACT_SIGMOID, SWIGLU_ACT_IDENTITY, SWIGLU_ACT_RELU,
                                      SWIGLU_ACT_GELU_ERF, SWIGLU_ACT_GELU_TANH, SWIGLU_ACT_SWISH,
                                      SWIGLU_ACT_SWISH};
SW_STATIC_ASSERT(sizeof glu_acts / sizeof glu_acts[0] == SWIGLU_GLU_COUNT,
                 "glu_acts must cover every swiglu_glu");

const char *swiglu_act_name(swiglu_act act)
{
    return SW_NAME_OF(act_names, act);
}

swiglu_status swiglu_act_from_name(swiglu_act *act, const char *name)
{
    SW_RETURN_IF(!act || !name, SWIGLU_ERR_NULL);
    static const struct { const char *alias; swiglu_act act; } aliases[] = {
        {"linear", SWIGLU_ACT_IDENTITY}, {"gelu", SWIGLU_ACT_GELU_ERF}, {"silu", SWIGLU_ACT_SWISH}};
    int i = SW_NAME_FIND(act_names, name);
    if (i >= 0) { *act = (swiglu_act)i; return SWIGLU_OK; }
    i = SW_NAME_FIND(aliases, name);
    SW_RETURN_IF(i < 0, SWIGLU_ERR_ARG);
    *act = aliases[i].act;
    return SWIGLU_OK;
}

const char *swiglu_glu_name(swiglu_glu v)
{
    return SW_NAME_OF(glu_names, v);
}

swiglu_status swiglu_glu_from_name(swiglu_glu *v, const char *name)
{
    SW_NAME_PARSE(swiglu_glu, v, glu_names, name);
}

swiglu_status swiglu_gate_init(swiglu_gate *gate, swiglu_glu variant)
{
    SW_RETURN_IF(!gate, SWIGLU_ERR_NULL);
    SW_RETURN_IF((unsigned)variant >= SWIGLU_GLU_COUNT, SWIGLU_ERR_ARG);
    gate->act = glu_acts[variant];
    gate->beta = 1.0f;
    gate->limit = INFINITY;
    gate->up_shift = 0.0f;
    if (variant == SWIGLU_GLU_SWIGLU_CLAMPED) {
        gate->beta = 1.702f;  /* gpt-oss's alpha */
        gate->limit = 7.0f;
        gate->up_shift = 1.0f;
    }
    return SWIGLU_OK;
}

/* ---- argument checks ---------------------------------------------------- */

static swiglu_status gate_normalize(sw_gate *k, const swiglu_gate *g)
{
    SW_RETURN_IF(!g, SWIGLU_ERR_NULL);
    SW_RETURN_IF((unsigned)g->act >= SWIGLU_ACT_COUNT, SWIGLU_ERR_ARG);
    SW_RETURN_IF(!isfinite(g->beta), SWIGLU_ERR_ARG);
    SW_RETURN_IF(!(g->limit > 0) || !isfinite(g->up_shift), SWIGLU_ERR_ARG);
    k->act = (int)g->act;
    k->beta = g->beta;
    k->clamp = isfinite(g->limit) || g->up_shift != 0.0f;
    k->limit = g->limit;
    k->shift = g->up_shift;
    return SWIGLU_OK;
}

/* A strided 2-D view of elements of es bytes (float or bf16): rows rows of
 * cols columns, row stride ld, column stride cs (1, or 2 for one half of an
 * interleaved buffer); strides in elements. */
typedef struct view { const void *p; size_t rows, cols, ld, cs, es; } view;

static size_t view_bytes(const view *v)
{
    /* span of the view in elements, first to last, + 1 (0 when empty);
     * es <= sizeof(float), for which sw_extent checked the product */
    size_t w = (v->cols - 1) * v->cs + 1;
    return sw_extent(v->rows, w, v->ld) * v->es;
}

/* the address of element (r, c) of a view */
static const void *view_at(const view *v, size_t r, size_t c)
{
    return (const char *)v->p + (r * v->ld + c * v->cs) * v->es;
}

/* 1 when views a and b share an element, except when they are the same
 * elements in the same order (in place). Exact for equal row strides, where
 * disjoint column bands of the same rows are common ([gate | up] halves). */
static int views_clash(const view *a, const view *b)
{
    if (!sw_overlap(a->p, view_bytes(a), b->p, view_bytes(b))) return 0;
    if (a->p == b->p && a->ld == b->ld && a->cs == b->cs && a->cols == b->cols) return 0;
    if (a->ld == b->ld && a->ld > 0) {
        const view *lo = a->p <= b->p ? a : b, *hi = a->p <= b->p ? b : a;
        /* every view of a call has one element size and is aligned for it */
        size_t off = (size_t)((const char *)hi->p - (const char *)lo->p) / lo->es;
        size_t o = off % lo->ld;
        size_t wlo = (lo->cols - 1) * lo->cs + 1, whi = (hi->cols - 1) * hi->cs + 1;
        /* hi's band starts at column o of lo's rows: disjoint when it lies
         * wholly after lo's band and before the next row starts. */
        if (o >= wlo && o + whi <= lo->ld) return 0;
        /* interleaved halves: same band, offset by one element, stride 2 */
        if (lo->cs == 2 && hi->cs == 2 && o == 1 && lo->ld % 2 == 0) return 0;
    }
    return 1;
}

/* 1 when the views' pointers are aligned for their elements (or NULL): a
 * misaligned float* or uint16_t* is refused with SWIGLU_ERR_ARG rather than
 * loaded (undefined behaviour, and a fault on some targets). */
static int views_aligned(const view *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((uintptr_t)v[i]->p % v[i]->es) return 0;
    return 1;
}

/* dbeta, the backward's scalar output (bytes: float or double), must be
 * aligned for its type and outside every view of the call (the kernels
 * write the views, then *dbeta: one inside dx would be overwritten, or
 * would change what is read). NULL passes. */
static swiglu_status dbeta_check(const void *dbeta, size_t bytes, const view *const *v, size_t n)
{
    if (!dbeta) return SWIGLU_OK;
    SW_RETURN_IF((uintptr_t)dbeta % bytes, SWIGLU_ERR_ARG);
    for (size_t i = 0; i < n; i++)
        SW_RETURN_IF(v[i]->p && sw_overlap(dbeta, bytes, v[i]->p, view_bytes(v[i])), SWIGLU_ERR_ALIAS);
    return SWIGLU_OK;
}

/* Gate and up views of a layout (n columns each), elements of es bytes. */
static swiglu_status layout_views(view *vg, view *vu, const void *in, const void *up,
                                  size_t ld, size_t rows, size_t n, swiglu_layout layout, size_t es)
{
    const char *c = in;
    size_t n2;
    SW_RETURN_IF(!in, SWIGLU_ERR_NULL);
    SW_RETURN_IF(!sw_mul_ok(&n2, n, 2), SWIGLU_ERR_SIZE);
    switch (layout) {
    case SWIGLU_LAYOUT_SPLIT:
        SW_RETURN_IF(!up, SWIGLU_ERR_NULL);
        SW_RETURN_IF(ld < n, SWIGLU_ERR_SIZE);
        *vg = (view){in, rows, n, ld, 1, es};
        *vu = (view){up, rows, n, ld, 1, es};
        break;
    case SWIGLU_LAYOUT_GATE_UP:
    case SWIGLU_LAYOUT_UP_GATE:
        SW_RETURN_IF(up != NULL, SWIGLU_ERR_ARG);
        SW_RETURN_IF(ld < n2, SWIGLU_ERR_SIZE);
        *vg = (view){c + (layout == SWIGLU_LAYOUT_UP_GATE ? n * es : 0), rows, n, ld, 1, es};
        *vu = (view){c + (layout == SWIGLU_LAYOUT_GATE_UP ? n * es : 0), rows, n, ld, 1, es};
        break;
    case SWIGLU_LAYOUT_INTERLEAVED:
        SW_RETURN_IF(up != NULL, SWIGLU_ERR_ARG);
        SW_RETURN_IF(ld < n2, SWIGLU_ERR_SIZE);
        *vg = (view){c, rows, n, ld, 2, es};
        *vu = (view){c + es, rows, n, ld, 2, es};
        break;
    default:
        return SWIGLU_ERR_ARG;
    }
    SW_RETURN_IF(view_bytes(vg) == 0 || view_bytes(vu) == 0, SWIGLU_ERR_SIZE);
    return SWIGLU_OK;
}

/* ---- the span walker: one thread, elements [begin, end) ------------------ */

typedef struct glu_job {
    const sw_kernels *k;
    sw_gate g;
    int bwd, overwrite, bf16;   /* bf16: the views hold uint16_t bf16 bits */
    view out_g, out_u;   /* fwd: out_g = out; bwd: dgate, dup */
    view dout;           /* bwd only */
    view in_g, in_u;
    size_t n;
} glu_job;

/* bf16 -> float of m elements, src's column stride cs (1 or 2) */
static void widen(const sw_kernels *k, float *dst, const uint16_t *src, size_t m, size_t cs)
{
    if (cs == 1) { k->from_bf16(dst, src, m); return; }
    for (size_t i = 0; i < m; i++) dst[i] = sw_bf16_to_f32(src[cs * i]);
}

/* float -> bf16 (to nearest even) of m elements, dst's column stride cs */
static void narrow(const sw_kernels *k, uint16_t *dst, const float *src, size_t m, size_t cs)
{
    if (cs == 1) { k->to_bf16(dst, src, m); return; }
    for (size_t i = 0; i < m; i++) dst[cs * i] = sw_f32_to_bf16(src[i]);
}

/* One row segment [c0, c1) of row r, bf16 storage: blocks widened, the float
 * kernel, rounded back. Accumulating gradients are widened first, so the
 * float kernel adds into them and each is rounded once. Every input of a
 * block is read before any of its outputs is written (in place is exact). */
static double glu_segment_bf16(const glu_job *j, size_t r, size_t c0, size_t c1)
{
    const sw_kernels *k = j->k;
    size_t len = c1 - c0, cg = j->in_g.cs, co = j->out_g.cs;
    const uint16_t *gi = view_at(&j->in_g, r, c0), *ui = view_at(&j->in_u, r, c0);
    uint16_t *og = (uint16_t *)view_at(&j->out_g, r, c0);
    uint16_t *ou = j->bwd ? (uint16_t *)view_at(&j->out_u, r, c0) : NULL;
    const uint16_t *dd = j->bwd ? view_at(&j->dout, r, c0) : NULL;
    sw_gate gb = j->g;
    gb.stream = 0;   /* the outputs are stack blocks */
    double db = 0.0;
    float bg[SW_IL_BLOCK], bu[SW_IL_BLOCK], bd[SW_IL_BLOCK], dg[SW_IL_BLOCK], du[SW_IL_BLOCK];
    for (size_t b = 0; b < len; b += SW_IL_BLOCK) {
        size_t m = len - b < SW_IL_BLOCK ? len - b : SW_IL_BLOCK;
        widen(k, bg, gi + cg * b, m, cg);
        widen(k, bu, ui + cg * b, m, cg);
        if (!j->bwd) {
            k->glu_fwd(dg, bg, bu, m, &gb);
            narrow(k, og + co * b, dg, m, co);
            continue;
        }
        widen(k, bd, dd + b, m, 1);
        /* accumulating: unit stride as the float kernel adds; interleaved as
         * glu_segment adds (stored gradient, then old + it in double) */
        int add_here = !j->overwrite && co == 2;
        if (!j->overwrite && !add_here) { widen(k, dg, og + co * b, m, 1); widen(k, du, ou + co * b, m, 1); }
        db += k->glu_bwd(dg, du, bd, bg, bu, m, &gb, j->overwrite || add_here);
        for (size_t i = 0; add_here && i < m; i++) {
            dg[i] = (float)((double)sw_bf16_to_f32(og[co * (b + i)]) + dg[i]);
            du[i] = (float)((double)sw_bf16_to_f32(ou[co * (b + i)]) + du[i]);
        }
        narrow(k, og + co * b, dg, m, co);
        narrow(k, ou + co * b, du, m, co);
    }
    return db;
}

/* One row segment [c0, c1) of row r. */
static double glu_segment(const glu_job *j, size_t r, size_t c0, size_t c1)
{
    if (j->bf16) return glu_segment_bf16(j, r, c0, c1);
    size_t len = c1 - c0;
    const float *gi = view_at(&j->in_g, r, c0);
    const float *ui = view_at(&j->in_u, r, c0);
    float *og = (float *)view_at(&j->out_g, r, c0);
    if (!j->bwd && j->in_g.cs == 1) {
        j->k->glu_fwd(og, gi, ui, len, &j->g);
        return 0.0;
    }
    float *ou = j->bwd ? (float *)view_at(&j->out_u, r, c0) : NULL;
    const float *dd = j->bwd ? view_at(&j->dout, r, c0) : NULL;
    if (j->in_g.cs == 1)
        return j->k->glu_bwd(og, ou, dd, gi, ui, len, &j->g, j->overwrite);
    /* interleaved: de-interleave a block, run the unit-stride kernel, re-interleave
     * (the block buffers are on the stack: never streamed) */
    sw_gate gb = j->g;
    gb.stream = 0;
    double db = 0.0;
    float bg[SW_IL_BLOCK], bu[SW_IL_BLOCK], dg[SW_IL_BLOCK], du[SW_IL_BLOCK];
    for (size_t b = 0; b < len; b += SW_IL_BLOCK) {
        size_t m = len - b < SW_IL_BLOCK ? len - b : SW_IL_BLOCK;
        for (size_t i = 0; i < m; i++) { bg[i] = gi[2 * (b + i)]; bu[i] = ui[2 * (b + i)]; }
        if (!j->bwd) { j->k->glu_fwd(og + b, bg, bu, m, &gb); continue; }
        db += j->k->glu_bwd(dg, du, dd + b, bg, bu, m, &gb, 1);
        for (size_t i = 0; i < m; i++) {
            float *pg = og + 2 * (b + i), *pu = ou + 2 * (b + i);
            *pg = j->overwrite ? dg[i] : (float)((double)*pg + dg[i]);
            *pu = j->overwrite ? du[i] : (float)((double)*pu + du[i]);
        }
    }
    return db;
}

static double glu_span(const glu_job *j, size_t begin, size_t end)
{
    double db = 0.0;
    size_t e = begin;
    while (e < end) {
        size_t r = e / j->n, c0 = e % j->n;
        size_t c1 = (end - e < j->n - c0) ? c0 + (end - e) : j->n;
        db += glu_segment(j, r, c0, c1);
        e += c1 - c0;
    }
    return db;
}

static double glu_span_cb(const void *ctx, size_t b, size_t e) { return glu_span(ctx, b, e); }
static double glu_run_threaded(const glu_job *j, size_t total)
{
    return sw_parallel_sum(total, SW_GRAIN, glu_span_cb, j);
}

/* ---- job set-up (the checks) --------------------------------------------- */

/* bf16: every buffer holds uint16_t bf16 bits, else floats */
static swiglu_status glu_job_fwd(glu_job *j, size_t *total, void *out, size_t ld_out,
                                 const void *in, const void *up, size_t ld_in, size_t rows,
                                 size_t n, swiglu_layout layout, const swiglu_gate *gate, int bf16)
{
    size_t es = bf16 ? sizeof(uint16_t) : sizeof(float);
    memset(j, 0, sizeof *j);
    j->bf16 = bf16;
    SW_FORWARD_IF_ERROR(gate_normalize(&j->g, gate));
    SW_RETURN_IF((unsigned)layout >= SWIGLU_LAYOUT_COUNT, SWIGLU_ERR_ARG);
    SW_RETURN_IF(!sw_mul_ok(total, rows, n), SWIGLU_ERR_SIZE);
    if (*total == 0) return SWIGLU_OK;
    SW_RETURN_IF(!out, SWIGLU_ERR_NULL);
    SW_RETURN_IF(ld_out < n, SWIGLU_ERR_SIZE);
    SW_FORWARD_IF_ERROR(layout_views(&j->in_g, &j->in_u, in, up, ld_in, rows, n, layout, es));
    j->out_g = (view){out, rows, n, ld_out, 1, es};
    SW_RETURN_IF(view_bytes(&j->out_g) == 0, SWIGLU_ERR_SIZE);
    const view *all[3] = {&j->out_g, &j->in_g, &j->in_u};
    SW_RETURN_IF(!views_aligned(all, 3), SWIGLU_ERR_ARG);
    SW_RETURN_IF(views_clash(&j->out_g, &j->in_g) || views_clash(&j->out_g, &j->in_u), SWIGLU_ERR_ALIAS);
    j->k = sw_kernels_active();
    j->n = n;
    j->g.stream = sw_stream_wanted(*total, 1);
    return SWIGLU_OK;
}

static swiglu_status glu_job_bwd(glu_job *j, size_t *total, void *din, void *dup, size_t ld_din,
                                 const void *dout, size_t ld_dout, const void *in,
                                 const void *up, size_t ld_in, size_t rows, size_t n,
                                 swiglu_layout layout, const swiglu_gate *gate, unsigned flags,
                                 int bf16)
{
    size_t es = bf16 ? sizeof(uint16_t) : sizeof(float);
    memset(j, 0, sizeof *j);
    j->bf16 = bf16;
    SW_FORWARD_IF_ERROR(gate_normalize(&j->g, gate));
    SW_RETURN_IF((unsigned)layout >= SWIGLU_LAYOUT_COUNT, SWIGLU_ERR_ARG);
    SW_RETURN_IF(flags & ~SWIGLU_BWD_OVERWRITE, SWIGLU_ERR_ARG);
    SW_RETURN_IF(!sw_mul_ok(total, rows, n), SWIGLU_ERR_SIZE);
    if (*total == 0) return SWIGLU_OK;
    SW_RETURN_IF(!dout, SWIGLU_ERR_NULL);
    SW_RETURN_IF(ld_dout < n, SWIGLU_ERR_SIZE);
    SW_FORWARD_IF_ERROR(layout_views(&j->in_g, &j->in_u, in, up, ld_in, rows, n, layout, es));
    SW_FORWARD_IF_ERROR(layout_views(&j->out_g, &j->out_u, din, dup, ld_din, rows, n, layout, es));
    j->dout = (view){dout, rows, n, ld_dout, 1, es};
    SW_RETURN_IF(view_bytes(&j->dout) == 0, SWIGLU_ERR_SIZE);
    const view *outs[2] = {&j->out_g, &j->out_u};
    const view *ins[3] = {&j->dout, &j->in_g, &j->in_u};
    SW_RETURN_IF(!views_aligned(outs, 2) || !views_aligned(ins, 3), SWIGLU_ERR_ARG);
    SW_RETURN_IF(layout == SWIGLU_LAYOUT_SPLIT && views_clash(outs[0], outs[1]), SWIGLU_ERR_ALIAS);
    SW_RETURN_IF(layout == SWIGLU_LAYOUT_SPLIT && outs[0]->p == outs[1]->p, SWIGLU_ERR_ALIAS);
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 3; b++)
            SW_RETURN_IF(views_clash(outs[a], ins[b]), SWIGLU_ERR_ALIAS);
    /* the interleaved path reads dout of a block before it writes din's block,
     * but only unit-stride outputs may stand in place of dout */
    SW_RETURN_IF(layout != SWIGLU_LAYOUT_SPLIT &&
                 (sw_overlap(din, view_bytes(&j->out_g) + es, dout, view_bytes(&j->dout))),
                 SWIGLU_ERR_ALIAS);
    j->k = sw_kernels_active();
    j->bwd = 1;
    j->overwrite = (flags & SWIGLU_BWD_OVERWRITE) != 0;
    j->n = n;
    j->g.stream = j->overwrite && sw_stream_wanted(*total, 2);
    return SWIGLU_OK;
}

/* dbeta_check over the views of a backward job (none when total is 0). */
static swiglu_status glu_dbeta_check(const glu_job *j, size_t total, const void *dbeta, size_t bytes)
{
    const view *v[5] = {&j->out_g, &j->out_u, &j->dout, &j->in_g, &j->in_u};
    return dbeta_check(dbeta, bytes, v, total ? 5 : 0);
}

/* ---- public GLU entry points (float and bf16: one body each) -------------- */

static swiglu_status glu_forward_any(void *out, size_t ld_out, const void *in, const void *up,
                                     size_t ld_in, size_t rows, size_t n, swiglu_layout layout,
                                     const swiglu_gate *gate, int ranged, size_t begin,
                                     size_t end, int bf16)
{
    glu_job j;
    size_t total;
    SW_FORWARD_IF_ERROR(glu_job_fwd(&j, &total, out, ld_out, in, up, ld_in, rows, n, layout, gate, bf16));
    if (!ranged) {
        if (total) glu_run_threaded(&j, total);
        return SWIGLU_OK;
    }
    SW_RETURN_IF(begin > end || end > total, SWIGLU_ERR_SIZE);
    if (begin < end) glu_span(&j, begin, end);
    return SWIGLU_OK;
}

/* threaded (ranged = 0): *dbf (float) (+)= the sum; ranged: *dbd (double) += the partial */
static swiglu_status glu_backward_any(void *din, void *dup, size_t ld_din, float *dbf, double *dbd,
                                      const void *dout, size_t ld_dout, const void *in,
                                      const void *up, size_t ld_in, size_t rows, size_t n,
                                      swiglu_layout layout, const swiglu_gate *gate, unsigned flags,
                                      int ranged, size_t begin, size_t end, int bf16)
{
    glu_job j;
    size_t total;
    SW_FORWARD_IF_ERROR(glu_job_bwd(&j, &total, din, dup, ld_din, dout, ld_dout, in, up, ld_in,
                                    rows, n, layout, gate, flags, bf16));
    if (ranged) SW_FORWARD_IF_ERROR(glu_dbeta_check(&j, total, dbd, sizeof *dbd));
    else SW_FORWARD_IF_ERROR(glu_dbeta_check(&j, total, dbf, sizeof *dbf));
    j.g.want_db = (ranged ? (void *)dbd : (void *)dbf) != NULL;
    if (ranged) {
        SW_RETURN_IF(begin > end || end > total, SWIGLU_ERR_SIZE);
        double db = begin < end ? glu_span(&j, begin, end) : 0.0;
        if (dbd) *dbd += db;
        return SWIGLU_OK;
    }
    double db = total ? glu_run_threaded(&j, total) : 0.0;
    if (dbf) *dbf = (flags & SWIGLU_BWD_OVERWRITE) ? (float)db : (float)((double)*dbf + db);
    return SWIGLU_OK;
}

swiglu_status swiglu_glu_forward(float *out, size_t ld_out, const float *in, const float *up,
                                 size_t ld_in, size_t rows, size_t n, swiglu_layout layout,
                                 const swiglu_gate *gate)
{
    return glu_forward_any(out, ld_out, in, up, ld_in, rows, n, layout, gate, 0, 0, 0, 0);
}

swiglu_status swiglu_glu_forward_range(float *out, size_t ld_out, const float *in,
                                       const float *up, size_t ld_in, size_t rows, size_t n,
                                       swiglu_layout layout, const swiglu_gate *gate,
                                       size_t begin, size_t end)
{
    return glu_forward_any(out, ld_out, in, up, ld_in, rows, n, layout, gate, 1, begin, end, 0);
}

swiglu_status swiglu_glu_backward(float *din, float *dup, size_t ld_din, float *dbeta,
                                  const float *dout, size_t ld_dout, const float *in,
                                  const float *up, size_t ld_in, size_t rows, size_t n,
                                  swiglu_layout layout, const swiglu_gate *gate, unsigned flags)
{
    return glu_backward_any(din, dup, ld_din, dbeta, NULL, dout, ld_dout, in, up, ld_in, rows, n,
                            layout, gate, flags, 0, 0, 0, 0);
}

swiglu_status swiglu_glu_backward_range(float *din, float *dup, size_t ld_din, double *dbeta,
                                        const float *dout, size_t ld_dout, const float *in,
                                        const float *up, size_t ld_in, size_t rows, size_t n,
                                        swiglu_layout layout, const swiglu_gate *gate,
                                        unsigned flags, size_t begin, size_t end)
{
    return glu_backward_any(din, dup, ld_din, NULL, dbeta, dout, ld_dout, in, up, ld_in, rows, n,
                            layout, gate, flags, 1, begin, end, 0);
}

swiglu_status swiglu_glu_forward_bf16(uint16_t *out, size_t ld_out, const uint16_t *in,
                                      const uint16_t *up, size_t ld_in, size_t rows, size_t n,
                                      swiglu_layout layout, const swiglu_gate *gate)
{
    return glu_forward_any(out, ld_out, in, up, ld_in, rows, n, layout, gate, 0, 0, 0, 1);
}

swiglu_status swiglu_glu_forward_range_bf16(uint16_t *out, size_t ld_out, const uint16_t *in,
                                            const uint16_t *up, size_t ld_in, size_t rows,
                                            size_t n, swiglu_layout layout,
                                            const swiglu_gate *gate, size_t begin, size_t end)
{
    return glu_forward_any(out, ld_out, in, up, ld_in, rows, n, layout, gate, 1, begin, end, 1);
}

swiglu_status swiglu_glu_backward_bf16(uint16_t *din, uint16_t *dup, size_t ld_din, float *dbeta,
                                       const uint16_t *dout, size_t ld_dout, const uint16_t *in,
                                       const uint16_t *up, size_t ld_in, size_t rows, size_t n,
                                       swiglu_layout layout, const swiglu_gate *gate,
                                       unsigned flags)
{
    return glu_backward_any(din, dup, ld_din, dbeta, NULL, dout, ld_dout, in, up, ld_in, rows, n,
                            layout, gate, flags, 0, 0, 0, 1);
}

swiglu_status swiglu_glu_backward_range_bf16(uint16_t *din, uint16_t *dup, size_t ld_din,
                                             double *dbeta, const uint16_t *dout, size_t ld_dout,
                                             const uint16_t *in, const uint16_t *up, size_t ld_in,
                                             size_t rows, size_t n, swiglu_layout layout,
                                             const swiglu_gate *gate, unsigned flags,
                                             size_t begin, size_t end)
{
    return glu_backward_any(din, dup, ld_din, NULL, dbeta, dout, ld_dout, in, up, ld_in, rows, n,
                            layout, gate, flags, 1, begin, end, 1);
}

/* ---- plain activations ------------------------------------------------- */

typedef struct act_job {
    const sw_kernels *k;
    sw_gate g;
    int bwd, overwrite, bf16;   /* bf16: out, x, dout hold uint16_t bf16 bits */
    void *out;
    const void *x, *dout;
} act_job;

/* elements [b, e), bf16 storage: blocks widened, the float kernel, rounded
 * back, as glu_segment_bf16 */
static double act_span_bf16(const act_job *j, size_t b, size_t e)
{
    const sw_kernels *k = j->k;
    uint16_t *o = (uint16_t *)j->out + b;
    const uint16_t *x = (const uint16_t *)j->x + b, *d = j->bwd ? (const uint16_t *)j->dout + b : NULL;
    sw_gate gb = j->g;
    gb.stream = 0;   /* the outputs are stack blocks */
    double db = 0.0;
    float bx[SW_IL_BLOCK], bd[SW_IL_BLOCK], bo[SW_IL_BLOCK];
    for (size_t i = 0; i < e - b; i += SW_IL_BLOCK) {
        size_t m = e - b - i < SW_IL_BLOCK ? e - b - i : SW_IL_BLOCK;
        widen(k, bx, x + i, m, 1);
        if (!j->bwd) {
            k->act_fwd(bo, bx, m, &gb);
        } else {
            widen(k, bd, d + i, m, 1);
            if (!j->overwrite) widen(k, bo, o + i, m, 1);
            db += k->act_bwd(bo, bd, bx, m, &gb, j->overwrite);
        }
        narrow(k, o + i, bo, m, 1);
    }
    return db;
}

static double act_span(const act_job *j, size_t b, size_t e)
{
    if (j->bf16) return act_span_bf16(j, b, e);
    float *out = (float *)j->out + b;
    const float *x = (const float *)j->x + b;
    if (!j->bwd) { j->k->act_fwd(out, x, e - b, &j->g); return 0.0; }
    return j->k->act_bwd(out, (const float *)j->dout + b, x, e - b, &j->g, j->overwrite);
}

static double act_span_cb(const void *ctx, size_t b, size_t e) { return act_span(ctx, b, e); }
static double act_run_threaded(const act_job *j, size_t total)
{
    return sw_parallel_sum(total, SW_GRAIN, act_span_cb, j);
}

static swiglu_status act_job_init(act_job *j, void *out, const void *dout, const void *x,
                                  size_t n, swiglu_act act, float beta, int bwd, unsigned flags,
                                  int bf16)
{
    swiglu_gate gate = {act, beta, INFINITY, 0.0f};
    size_t es = bf16 ? sizeof(uint16_t) : sizeof(float);
    memset(j, 0, sizeof *j);
    SW_FORWARD_IF_ERROR(gate_normalize(&j->g, &gate));
    SW_RETURN_IF(flags & ~SWIGLU_BWD_OVERWRITE, SWIGLU_ERR_ARG);
    if (n == 0) return SWIGLU_OK;
    SW_RETURN_IF(!out || !x || (bwd && !dout), SWIGLU_ERR_NULL);
    size_t bytes;
    SW_RETURN_IF(!sw_mul_ok(&bytes, n, sizeof(float)), SWIGLU_ERR_SIZE);
    view vo = {out, 1, n, n, 1, es}, vx = {x, 1, n, n, 1, es}, vd = {bwd ? dout : x, 1, n, n, 1, es};
    const view *all[3] = {&vo, &vx, &vd};
    SW_RETURN_IF(!views_aligned(all, 3), SWIGLU_ERR_ARG);
    SW_RETURN_IF(views_clash(&vo, &vx) || views_clash(&vo, &vd), SWIGLU_ERR_ALIAS);
    j->k = sw_kernels_active();
    j->bwd = bwd;
    j->bf16 = bf16;
    j->overwrite = (flags & SWIGLU_BWD_OVERWRITE) != 0;
    j->g.stream = (!bwd || j->overwrite) && sw_stream_wanted(n, 1);
    j->out = out;
    j->x = x;
    j->dout = dout;
    return SWIGLU_OK;
}

/* dbeta_check over dx, dout and x of an act backward job. */
static swiglu_status act_dbeta_check(const act_job *j, size_t n, const void *dbeta, size_t bytes)
{
    size_t es = j->bf16 ? sizeof(uint16_t) : sizeof(float);
    view vo = {j->out, 1, n, n, 1, es}, vx = {j->x, 1, n, n, 1, es}, vd = {j->dout, 1, n, n, 1, es};
    const view *v[3] = {&vo, &vx, &vd};
    return dbeta_check(dbeta, bytes, v, n ? 3 : 0);
}

/* one body for the float and bf16, threaded and ranged forwards */
static swiglu_status act_forward_any(void *out, const void *x, size_t n, swiglu_act act,
                                     float beta, int ranged, size_t begin, size_t end, int bf16)
{
    act_job j;
    SW_FORWARD_IF_ERROR(act_job_init(&j, out, NULL, x, n, act, beta, 0, 0, bf16));
    if (!ranged) {
        if (n) act_run_threaded(&j, n);
        return SWIGLU_OK;
    }
    SW_RETURN_IF(begin > end || end > n, SWIGLU_ERR_SIZE);
    if (begin < end) act_span(&j, begin, end);
    return SWIGLU_OK;
}

/* threaded (ranged = 0): *dbf (float) (+)= the sum; ranged: *dbd (double) += the partial */
static swiglu_status act_backward_any(void *dx, float *dbf, double *dbd, const void *dout,
                                      const void *x, size_t n, swiglu_act act, float beta,
                                      unsigned flags, int ranged, size_t begin, size_t end, int bf16)
{
    act_job j;
    SW_FORWARD_IF_ERROR(act_job_init(&j, dx, dout, x, n, act, beta, 1, flags, bf16));
    if (ranged) SW_FORWARD_IF_ERROR(act_dbeta_check(&j, n, dbd, sizeof *dbd));
    else SW_FORWARD_IF_ERROR(act_dbeta_check(&j, n, dbf, sizeof *dbf));
    j.g.want_db = (ranged ? (void *)dbd : (void *)dbf) != NULL;
    if (ranged) {
        SW_RETURN_IF(begin > end || end > n, SWIGLU_ERR_SIZE);
        double db = begin < end ? act_span(&j, begin, end) : 0.0;
        if (dbd) *dbd += db;
        return SWIGLU_OK;
    }
    double db = n ? act_run_threaded(&j, n) : 0.0;
    if (dbf) *dbf = (flags & SWIGLU_BWD_OVERWRITE) ? (float)db : (float)((double)*dbf + db);
    return SWIGLU_OK;
}

swiglu_status swiglu_act_forward(float *out, const float *x, size_t n, swiglu_act act, float beta)
{
    return act_forward_any(out, x, n, act, beta, 0, 0, 0, 0);
}

swiglu_status swiglu_act_forward_range(float *out, const float *x, size_t n, swiglu_act act,
                                       float beta, size_t begin, size_t end)
{
    return act_forward_any(out, x, n, act, beta, 1, begin, end, 0);
}

swiglu_status swiglu_act_backward(float *dx, float *dbeta, const float *dout, const float *x,
                                  size_t n, swiglu_act act, float beta, unsigned flags)
{
    return act_backward_any(dx, dbeta, NULL, dout, x, n, act, beta, flags, 0, 0, 0, 0);
}

swiglu_status swiglu_act_backward_range(float *dx, double *dbeta, const float *dout,
                                        const float *x, size_t n, swiglu_act act, float beta,
                                        unsigned flags, size_t begin, size_t end)
{
    return act_backward_any(dx, NULL, dbeta, dout, x, n, act, beta, flags, 1, begin, end, 0);
}

swiglu_status swiglu_act_forward_bf16(uint16_t *out, const uint16_t *x, size_t n, swiglu_act act,
                                      float beta)
{
    return act_forward_any(out, x, n, act, beta, 0, 0, 0, 1);
}

swiglu_status swiglu_act_forward_range_bf16(uint16_t *out, const uint16_t *x, size_t n,
                                            swiglu_act act, float beta, size_t begin, size_t end)
{
    return act_forward_any(out, x, n, act, beta, 1, begin, end, 1);
}

swiglu_status swiglu_act_backward_bf16(uint16_t *dx, float *dbeta, const uint16_t *dout,
                                       const uint16_t *x, size_t n, swiglu_act act, float beta,
                                       unsigned flags)
{
    return act_backward_any(dx, dbeta, NULL, dout, x, n, act, beta, flags, 0, 0, 0, 1);
}

swiglu_status swiglu_act_backward_range_bf16(uint16_t *dx, double *dbeta, const uint16_t *dout,
                                             const uint16_t *x, size_t n, swiglu_act act,
                                             float beta, unsigned flags, size_t begin, size_t end)
{
    return act_backward_any(dx, NULL, dbeta, dout, x, n, act, beta, flags, 1, begin, end, 1);
}

/* ---- bf16 rounding of a buffer ------------------------------------------ */

typedef struct bf16_job { const sw_kernels *k; uint16_t *dst; const float *src; } bf16_job;

static double bf16_span(const void *ctx, size_t b, size_t e)
{
    const bf16_job *j = ctx;
    j->k->to_bf16(j->dst + b, j->src + b, e - b);
    return 0.0;
}

void sw_to_bf16(uint16_t *dst, const float *src, size_t n)
{
    bf16_job j = {sw_kernels_active(), dst, src};
    /* blocks of 8192: a few microseconds each, so small buffers stay on one thread */
    sw_parallel_sum(n, 8192, bf16_span, &j);
}
