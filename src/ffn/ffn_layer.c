/* ffn_layer.c -- the FFN layer's forward and backward: GEMMs through
 * src/gemm/, elementwise work through the kernel table, on row blocks.
 *
 * Legend: T tokens, D d_model, H d_ff, P = 2H (gated) or H (plain).
 *   x  [T x D]  input            W  [P x D]  W1 (gated: with W3, rows in pre's order)
 *   pre[T x P]  x W^T + b        h  [T x H]  act(gate) * up   (plain: act(pre))
 *   y  [T x D]  h W2^T + b2      W2 [D x H]
 *
 * Forward on our GEMM engine (gated variants, when sw_gemm_engine_for_glu
 * picks it): 2 passes, no pre round trip. W1;W3 and W2 are packed once per
 * weight set (ffn_wpack.c); the first GEMM's blocks hold matching gate and
 * up columns and its epilogue (glu_epilogue) adds b1/b3, keeps pre when
 * training, and writes h = act(gate) * up (bf16 rounding included) while the
 * block is in L1/L2; then y = b2; y += h W2^T on packed W2.
 *
 * Forward on oneDNN (3 passes over memory, 2 of them GEMMs):
 *   pre = x W^T                  one GEMM against packed weights (two for SPLIT,
 *                                writing the two column halves of the same pre)
 *   pre += b; h = gate_fn(pre)   one threaded pass over rows (L1/L2-resident rows)
 *   y = b2; y += h W2^T          one GEMM (sum post-op when b2 is on)
 *
 * Backward, with dh = dL/dh, dpre = dL/dpre (the derivation is in docs/FFN.md):
 *   dW2 += dy^T h                [D x H]
 *   db2 += sum_t dy
 *   dh   = dy W2                 [T x H]
 *   dgate = dh * up * act'(gate), dup = dh * act(gate)   (one pass; plain:
 *   dpre = dh * act'(pre));  dbeta += sum dh * up * d act/d beta
 *   db  += sum_t dpre
 *   dW  += dpre^T x              one GEMM for PACKED (two for SPLIT)
 *   dx  += dpre W                one GEMM for PACKED (two for SPLIT)
 * On our engine (when sw_gemm_engine_for_glu picks it) dh is never written:
 * the dh GEMM runs on W2 packed once per weight set and its epilogue
 * (bwd_epilogue) applies the derivative to each finished dh block while it
 * is in L1/L2, writing dpre (and its bf16 copy) and the block's dbeta
 * partial; the same kernels on the same values as the separate pass.
 *
 * Accumulate contract: backward ADDS into dx, dW1, dW3, dW2, db1, db3, db2
 * and dbeta; it never reads or writes the workspace's kept part.
 * Recompute mode keeps only pre; backward recomputes h from it with the same
 * kernel, so both modes give bit-identical gradients.
 * bf16 layers: x, W, y (and h as fed to the GEMM) are bf16, every GEMM
 * accumulates in fp32, pre/dh/dpre are fp32; dy and dpre are rounded to bf16
 * before they enter a GEMM.
 */
#include <math.h>
#include <string.h>
#include "core/internal.h"
#include "core/threads.h"
#include "ffn/ffn_internal.h"
#include "gemm/gemm.h"
#ifdef _OPENMP
#include <omp.h>
#endif

#define ROW_CHUNK 256  /* columns through a stack buffer at a time (bf16): 1 KiB per array, L1 */

/* ---- argument checks ------------------------------------------------------------ */

static swiglu_status params_check(const swiglu_ffn *f, const swiglu_ffn_params *p)
{
    SW_RETURN_IF(!p, SWIGLU_ERR_NULL);
    const swiglu_ffn_config *c = &f->cfg;
    int split3 = f->gated && c->weights == SWIGLU_WEIGHTS_SPLIT;
    SW_RETURN_IF(!p->w1 || !p->w2 || (split3 && !p->w3), SWIGLU_ERR_NULL);
    SW_RETURN_IF(c->bias_up && (!p->b1 || (split3 && !p->b3)), SWIGLU_ERR_NULL);
    SW_RETURN_IF((c->bias_down && !p->b2) || (c->learn_beta && !p->beta), SWIGLU_ERR_NULL);
    return SWIGLU_OK;
}

/* ---- aliasing and alignment of a call's tensors --------------------------------- */

typedef struct span { const void *p; size_t bytes; } span;

/* The parameter tensors of p as byte spans (the absent ones skipped), with
 * weights of `we` bytes an element (2: bf16, 4: float; gradients are always
 * float); returns how many. The sizes fit: checked at create. */
static size_t param_spans(span *s, const swiglu_ffn *f, const swiglu_ffn_params *p, size_t we)
{
    const swiglu_ffn_config *c = &f->cfg;
    size_t D = c->d_model, H = c->d_ff, F = sizeof(float), n = 0;
    int split3 = f->gated && c->weights == SWIGLU_WEIGHTS_SPLIT;
    size_t w1rows = split3 ? H : f->P;   /* PACKED: [2H x D] */
    s[n++] = (span){p->w1, w1rows * D * we};
    if (split3) s[n++] = (span){p->w3, H * D * we};
    s[n++] = (span){p->w2, D * H * we};
    if (c->bias_up) {
        s[n++] = (span){p->b1, w1rows * F};
        if (split3) s[n++] = (span){p->b3, H * F};
    }
    if (c->bias_down) s[n++] = (span){p->b2, D * F};
    if (c->learn_beta) s[n++] = (span){p->beta, F};
    return n;
}

/* 1 when a span of a[0..na) overlaps one of b[0..nb) (b NULL: the spans of
 * a among themselves). */
static int spans_clash(const span *a, size_t na, const span *b, size_t nb)
{
    for (size_t i = 0; i < na; i++)
        for (size_t j = b ? 0 : i + 1; j < (b ? nb : na); j++)
            if (sw_overlap(a[i].p, a[i].bytes, (b ? b : a)[j].p, (b ? b : a)[j].bytes)) return 1;
    return 0;
}

/* 1 when every span starts at a multiple of its element size (float 4,
 * bf16 2): a misaligned float* is refused (SWIGLU_ERR_ARG), never loaded. */
static int spans_aligned(const span *s, size_t n, size_t align)
{
    for (size_t i = 0; i < n; i++)
        if (s[i].p && (uintptr_t)s[i].p % align) return 0;
    return 1;
}

/* The gate with this call's beta (the learned one when cfg.learn_beta). */
static swiglu_status call_gate(sw_gate *g, const swiglu_ffn *f, const swiglu_ffn_params *p)
{
    *g = f->gate;
    if (f->cfg.learn_beta) {
        SW_RETURN_IF(!isfinite(p->beta[0]), SWIGLU_ERR_ARG);
        g->beta = p->beta[0];
    }
    return SWIGLU_OK;
}

/* ---- the elementwise passes, on row blocks ----------------------------------- */

typedef struct row_job {
    const swiglu_ffn *f;
    const sw_kernels *k;
    sw_gate g;
    float *pre;              /* [T x P] */
    const float *bg, *bu;    /* forward: biases to add to gate / up columns, or NULL */
    float *h32; size_t ldh;  /* forward: fp32 h (ld H, or P when over pre), or NULL */
    uint16_t *h16;           /* forward: bf16 h [T x H], or NULL */
    const float *dh;         /* backward: [T x H] */
    float *dpre;             /* backward: [T x P]; NULL: bf16 copy only */
    uint16_t *dpre16;        /* backward: bf16 copy of dpre, or NULL */
    double *dbeta;           /* fused backward: per-block dbeta partials, or NULL */
    int keep_pre;            /* fused forward: write pre (training) */
} row_job;

/* forward on rows [r0, r1): pre += b, h = act(gate) (* up) */
static double fwd_rows(const row_job *j, size_t r0, size_t r1)
{
    const swiglu_ffn *f = j->f;
    size_t H = f->cfg.d_ff, P = f->P;
    for (size_t r = r0; r < r1; r++) {
        float *g = j->pre + r * P + f->gate_off, *u = j->pre + r * P + f->up_off;
        if (j->bg) for (size_t c = 0; c < H; c++) g[c] += j->bg[c];
        if (j->bu) for (size_t c = 0; c < H; c++) u[c] += j->bu[c];
        if (j->h16) {
            float buf[ROW_CHUNK];
            for (size_t c = 0; c < H; c += ROW_CHUNK) {
                size_t n = H - c < ROW_CHUNK ? H - c : ROW_CHUNK;
                if (f->gated) j->k->glu_fwd(buf, g + c, u + c, n, &j->g);
                else j->k->act_fwd(buf, g + c, n, &j->g);
                j->k->to_bf16(j->h16 + r * H + c, buf, n);
            }
        } else if (f->gated) {
            j->k->glu_fwd(j->h32 + r * j->ldh, g, u, H, &j->g);  /* may be in place over g */
        } else {
            j->k->act_fwd(j->h32 + r * j->ldh, g, H, &j->g);
        }
    }
    return 0.0;
}

/* backward on rows [r0, r1), returning the dbeta partial:
 *   gated: dgate = dh u' act'(g') [g <= limit], dup = dh act(g') [|u| <= limit]
 *   plain: dpre  = dh act'(pre) */
static double bwd_rows(const row_job *j, size_t r0, size_t r1)
{
    const swiglu_ffn *f = j->f;
    size_t H = f->cfg.d_ff, P = f->P;
    double db = 0.0;
    for (size_t r = r0; r < r1; r++) {
        const float *g = j->pre + r * P + f->gate_off, *u = j->pre + r * P + f->up_off;
        if (j->dpre16 && !j->dpre) {
            /* bf16 without bias gradients: dpre only as bf16, through an L1 buffer */
            float bg[ROW_CHUNK], bu[ROW_CHUNK];
            uint16_t *dg16 = j->dpre16 + r * P + f->gate_off, *du16 = j->dpre16 + r * P + f->up_off;
            for (size_t c = 0; c < H; c += ROW_CHUNK) {
                size_t n = H - c < ROW_CHUNK ? H - c : ROW_CHUNK;
                if (f->gated) db += j->k->glu_bwd(bg, bu, j->dh + r * H + c, g + c, u + c, n, &j->g, 1);
                else db += j->k->act_bwd(bg, j->dh + r * H + c, g + c, n, &j->g, 1);
                j->k->to_bf16(dg16 + c, bg, n);
                if (f->gated) j->k->to_bf16(du16 + c, bu, n);
            }
            continue;
        }
        float *dg = j->dpre + r * P + f->gate_off, *du = j->dpre + r * P + f->up_off;
        if (f->gated) db += j->k->glu_bwd(dg, du, j->dh + r * H, g, u, H, &j->g, 1);
        else db += j->k->act_bwd(dg, j->dh + r * H, g, H, &j->g, 1);
        if (j->dpre16) j->k->to_bf16(j->dpre16 + r * P, j->dpre + r * P, P);
    }
    return db;
}

/* Runs fn over rows [r0, r1), split statically over the library's threads
 * (core/threads.c's sw_parallel_sum: partials summed in thread order, the
 * same bits for a fixed thread count). */
typedef struct rows_ctx {
    const row_job *j;
    size_t r0;
    double (*fn)(const row_job *, size_t, size_t);
} rows_ctx;

static double rows_span(const void *ctx, size_t b, size_t e)
{
    const rows_ctx *c = ctx;
    return c->fn(c->j, c->r0 + b, c->r0 + e);
}

static double run_rows_range(const row_job *j, size_t r0, size_t r1,
                             double (*fn)(const row_job *, size_t, size_t))
{
    rows_ctx c = {j, r0, fn};
    return r1 > r0 ? sw_parallel_sum(r1 - r0, 1, rows_span, &c) : 0.0;
}

static double run_rows(const row_job *j, size_t T, double (*fn)(const row_job *, size_t, size_t))
{
    return run_rows_range(j, 0, T, fn);
}

/* db[c] += sum_t m[t*ld + c], c < n: columns split over threads, each column
 * summed over t in order in double (same bits for any thread count). */
static void colsum_add(float *db, const float *m, size_t ld, size_t T, size_t n)
{
    long long nb = (long long)((n + 63) / 64);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(swiglu_threads_get()) if (T * n > 32768)
#endif
    for (long long b = 0; b < nb; b++) {
        size_t c0 = (size_t)b * 64, w = n - c0 < 64 ? n - c0 : 64;
        double acc[64] = {0};
        for (size_t t = 0; t < T; t++)
            for (size_t c = 0; c < w; c++) acc[c] += m[t * ld + c0 + c];
        for (size_t c = 0; c < w; c++) db[c0 + c] += (float)acc[c];
    }
}

/* y rows = b2 (y [T x D] of type dt) */
static void broadcast_rows(void *y, swiglu_dtype dt, const float *b, size_t T, size_t D)
{
    for (size_t t = 0; t < T; t++)
        for (size_t c = 0; c < D; c++) {
            if (dt == SWIGLU_BF16) ((uint16_t *)y)[t * D + c] = sw_f32_to_bf16(b[c]);
            else ((float *)y)[t * D + c] = b[c];
        }
}

/* ---- GEMM helpers: one call site per product, dtype chosen here -------------- */

/* C (f32 or bf16 by ct) = op(A) op(B) + beta C; A and B are of the layer's dtype */
static swiglu_status gemm(const swiglu_ffn *f, void *C, swiglu_dtype ct, size_t ldc,
                          const void *A, size_t lda, int ta, const void *B, size_t ldb, int tb,
                          size_t M, size_t N, size_t K, float beta)
{
    if (f->cfg.dtype == SWIGLU_BF16)
        return sw_gemm_bf16(C, ct, ldc, A, lda, ta, B, ldb, tb, M, N, K, 1.0f, beta);
    return sw_gemm_f32(C, ldc, A, lda, ta, B, ldb, tb, M, N, K, 1.0f, beta);
}

static size_t esize(const swiglu_ffn *f) { return f->cfg.dtype == SWIGLU_BF16 ? 2 : 4; }

/* pre [T x P] = x W^T: one GEMM with packed weights, two for SPLIT */
static swiglu_status gemm_up(const swiglu_ffn *f, float *pre, const void *x, size_t T,
                             const swiglu_ffn_params *p)
{
    size_t D = f->cfg.d_model, H = f->cfg.d_ff, P = f->P;
    if (f->gated && f->cfg.weights == SWIGLU_WEIGHTS_SPLIT) {
        SW_FORWARD_IF_ERROR(gemm(f, pre, SWIGLU_F32, P, x, D, 0, p->w1, D, 1, T, H, D, 0.0f));
        return gemm(f, pre + H, SWIGLU_F32, P, x, D, 0, p->w3, D, 1, T, H, D, 0.0f);
    }
    return gemm(f, pre, SWIGLU_F32, P, x, D, 0, p->w1, D, 1, T, P, D, 0.0f);
}

/* ---- forward ------------------------------------------------------------------- */

/* One finished block of the fused first GEMM (our engine, GLU layout): rows
 * [r0, r0 + rows) of pre's gate columns gc.. and up columns gc.. (w of them),
 * gc = 128 (col0 / 256); the block holds the 128 gate then the 128 up
 * columns. Adds the biases, keeps pre when j->keep_pre, writes h. */
static void glu_epilogue(void *ctx, float *tile, size_t ldt, size_t r0, size_t col0, size_t rows,
                         size_t cols)
{
    const row_job *j = ctx;
    const swiglu_ffn *f = j->f;
    size_t H = f->cfg.d_ff, P = f->P, half = SW_GEMM_GLU_HALF, gc = col0 / (2 * half) * half;
    size_t w = H - gc < half ? H - gc : half;
    (void)cols;
    if (f->bare) return;
    for (size_t r = 0; r < rows; r++) {
        float *g = tile + r * ldt, *u = g + half;
        size_t t = r0 + r;
        if (j->bg) for (size_t c = 0; c < w; c++) g[c] += j->bg[gc + c];
        if (j->bu) for (size_t c = 0; c < w; c++) u[c] += j->bu[gc + c];
        if (j->keep_pre) {
            memcpy(j->pre + t * P + f->gate_off + gc, g, w * sizeof *g);
            memcpy(j->pre + t * P + f->up_off + gc, u, w * sizeof *u);
        }
        if (j->h16) {
            float buf[SW_GEMM_GLU_HALF];
            j->k->glu_fwd(buf, g, u, w, &j->g);
            j->k->to_bf16(j->h16 + t * H + gc, buf, w);
        } else {
            j->k->glu_fwd(j->h32 + t * j->ldh + gc, g, u, w, &j->g);
        }
    }
}

/* The forward on our engine with packed weights (gated variants): see the
 * file's head. */
static swiglu_status forward_own(const swiglu_ffn *f, void *y, const void *x, size_t T,
                                 const swiglu_ffn_params *p, row_job *j, int training)
{
    size_t D = f->cfg.d_model, H = f->cfg.d_ff;
    const sw_gemm_bpack *up, *down;
    SW_FORWARD_IF_ERROR(sw_ffn_wpack_get(&up, &down, f, p));
    j->keep_pre = training;
    sw_gemm_epi epi = {glu_epilogue, j};
    SW_FORWARD_IF_ERROR(sw_gemm_own_packed(NULL, SWIGLU_F32, 0, x, D, 0, up, T, 1.0f, 0.0f,
                                           SW_POST_NONE, 0.0f, &epi));
    float beta = 0.0f;
    if (f->cfg.bias_down && !f->bare) { broadcast_rows(y, f->out_dtype, p->b2, T, D); beta = 1.0f; }
    const void *h = j->h16 ? (const void *)j->h16 : (const void *)j->h32;
    return sw_gemm_own_packed(y, f->out_dtype, D, h, j->h16 ? H : j->ldh, 0, down, T, 1.0f, beta,
                              SW_POST_NONE, 0.0f, NULL);
}

/* The post-op that computes h inside the first GEMM, or NONE: only plain
 * variants (a gated h needs the up columns too), only inference (training
 * keeps pre), only without b1 (it comes before the activation), and only a
 * fixed beta (a learned one would make a primitive per value). */
static sw_gemm_post fused_post(const swiglu_ffn *f, int training)
{
    if (training || f->gated || f->cfg.bias_up) return SW_POST_NONE;
    switch (f->cfg.variant) {
    case SWIGLU_FFN_RELU: return SW_POST_RELU;
    case SWIGLU_FFN_GELU: return SW_POST_GELU_ERF;
    case SWIGLU_FFN_GELU_TANH: return SW_POST_GELU_TANH;
    case SWIGLU_FFN_SWISH: return f->cfg.learn_beta ? SW_POST_NONE : SW_POST_SWISH;
    default: return SW_POST_NONE;
    }
}

swiglu_status swiglu_ffn_forward(const swiglu_ffn *f, void *y, const void *x, size_t T,
                                 const swiglu_ffn_params *p, void *workspace,
                                 size_t workspace_bytes, int training)
{
    SW_RETURN_IF(!f || !y || !x || !workspace, SWIGLU_ERR_NULL);
    SW_FORWARD_IF_ERROR(params_check(f, p));
    sw_ffn_ws L;
    SW_FORWARD_IF_ERROR(sw_ffn_ws_layout(&L, f, T, !!training));
    SW_RETURN_IF(workspace_bytes < L.total, SWIGLU_ERR_WORKSPACE);
    size_t D = f->cfg.d_model, H = f->cfg.d_ff, P = f->P;
    size_t ye = f->out_dtype == SWIGLU_BF16 ? 2 : 4, yb = T * D * ye, xb = T * D * esize(f);
    SW_RETURN_IF(training != 0 && training != 1, SWIGLU_ERR_ARG);
    span par[7];
    size_t np = param_spans(par, f, p, esize(f));
    span outs[2] = {{y, yb}, {workspace, workspace_bytes}}, xin = {x, xb};
    SW_RETURN_IF(!spans_aligned(par, np, esize(f)) || (uintptr_t)y % ye || (uintptr_t)x % esize(f),
                 SWIGLU_ERR_ARG);
    /* outputs: y and the workspace; neither may touch the parameters, x or
     * each other, except y == x (x is read before y is written) */
    SW_RETURN_IF(spans_clash(outs, 2, par, np) || spans_clash(outs, 2, NULL, 0) ||
                 sw_overlap(workspace, workspace_bytes, x, xb), SWIGLU_ERR_ALIAS);
    SW_RETURN_IF(y != x && spans_clash(outs, 1, &xin, 1), SWIGLU_ERR_ALIAS);
    sw_gate g;
    SW_FORWARD_IF_ERROR(call_gate(&g, f, p));

    unsigned char *base = sw_ffn_ws_base(workspace);
    sw_ffn_hdr *hd = (sw_ffn_hdr *)(base + L.hdr);
    hd->magic = 0;  /* valid again only when this forward succeeds */
    float *pre = (float *)(base + L.pre);
    int bf = f->cfg.dtype == SWIGLU_BF16;

    if (f->gated && sw_gemm_engine_for_glu(f->cfg.dtype, training, T, D, H) == SW_GEMM_OWN) {
        row_job j = {.f = f, .k = sw_kernels_active(), .g = g, .pre = pre};
        if (f->cfg.bias_up) {
            int split3 = f->cfg.weights == SWIGLU_WEIGHTS_SPLIT;
            j.bg = (const float *)p->b1 + (split3 ? 0 : f->gate_off);
            j.bu = split3 ? p->b3 : (const float *)p->b1 + f->up_off;
        }
        if (bf) j.h16 = (uint16_t *)(base + L.h);
        else { j.h32 = (float *)(base + L.h); j.ldh = L.h_in_pre ? P : H; }
        SW_FORWARD_IF_ERROR(forward_own(f, y, x, T, p, &j, training));
    } else {
    /* Plain FFN, inference, no b1, fixed beta: h = act(x W1^T) in one GEMM,
     * the activation as a oneDNN eltwise post-op on the tile in registers
     * (bf16: written straight as bf16). No pass over pre at all. */
    sw_gemm_post post = fused_post(f, training);
    if (post != SW_POST_NONE) {
        sw_gemm_post pp = f->bare ? SW_POST_NONE : post;  /* bare: the same call, no activation */
        if (bf)
            SW_FORWARD_IF_ERROR(sw_gemm_post_bf16(base + L.h, SWIGLU_BF16, H, x, D, 0, p->w1, D, 1,
                                                  T, H, D, 1.0f, 0.0f, pp, (float)g.beta));
        else
            SW_FORWARD_IF_ERROR(sw_gemm_post_f32((float *)(base + L.h), L.h_in_pre ? P : H, x, D, 0,
                                                 p->w1, D, 1, T, H, D, 1.0f, 0.0f, pp, (float)g.beta));
    } else {
        /* pre = x W^T, whole T at once. (Row blocks of ~1 MiB of pre, GEMM ->
         * pass -> GEMM per block, measured 1.5-2x slower in absolute time with
         * AMX at T = 512 and 2048: small-M GEMMs lose more than the cache saves.) */
        SW_FORWARD_IF_ERROR(gemm_up(f, pre, x, T, p));
    }

    /* pre += b; h = act(gate) (* up): one threaded pass over rows */
    row_job j = {.f = f, .k = sw_kernels_active(), .g = g, .pre = pre};
    if (f->cfg.bias_up) {
        const float *b1 = p->b1;
        int split3 = f->gated && f->cfg.weights == SWIGLU_WEIGHTS_SPLIT;
        j.bg = b1 + (split3 ? 0 : f->gate_off);
        j.bu = f->gated ? (split3 ? p->b3 : b1 + f->up_off) : NULL;
    }
    size_t ldh = L.h_in_pre ? P : H;
    if (bf) j.h16 = (uint16_t *)(base + L.h);
    else { j.h32 = (float *)(base + L.h); j.ldh = ldh; }
    if (!f->bare && post == SW_POST_NONE) run_rows(&j, T, fwd_rows);

    /* y = b2; y += h W2^T  (W2 is [D x H]: op(B) = W2^T) */
    float beta = 0.0f;
    if (f->cfg.bias_down && !f->bare) { broadcast_rows(y, f->out_dtype, p->b2, T, D); beta = 1.0f; }
    SW_FORWARD_IF_ERROR(gemm(f, y, f->out_dtype, D, base + L.h, ldh, 0, p->w2, H, 1, T, D, H, beta));
    }

    hd->owner = f;
    hd->T = T;
    hd->training = !!training;
    hd->beta = (float)g.beta;
    hd->magic = SW_FFN_MAGIC;
    return SWIGLU_OK;
}

/* ---- backward ------------------------------------------------------------------ */

/* backward's arguments: present, aligned, no output on another output or
 * an input, and a workspace that this layer's training forward filled for
 * T tokens; *L its layout. */
static swiglu_status backward_check(sw_ffn_ws *L_out, const swiglu_ffn *f, const float *dx, const swiglu_ffn_params *grads,
                                    const float *dy, const void *x, size_t T, const swiglu_ffn_params *p,
                                    void *workspace, size_t workspace_bytes)
{
    SW_RETURN_IF(!f || !grads || !dy || !x || !workspace, SWIGLU_ERR_NULL);
    SW_FORWARD_IF_ERROR(params_check(f, p));
    const swiglu_ffn_config *c = &f->cfg;
    int split3 = f->gated && c->weights == SWIGLU_WEIGHTS_SPLIT;
    /* gradients are float tensors shaped as the parameters */
    SW_RETURN_IF(!grads->w1 || !grads->w2 || (split3 && !grads->w3), SWIGLU_ERR_NULL);
    SW_RETURN_IF(c->bias_up && (!grads->b1 || (split3 && !grads->b3)), SWIGLU_ERR_NULL);
    SW_RETURN_IF((c->bias_down && !grads->b2) || (c->learn_beta && !grads->beta), SWIGLU_ERR_NULL);
    sw_ffn_ws L;
    SW_FORWARD_IF_ERROR(sw_ffn_ws_layout(&L, f, T, 1));
    SW_RETURN_IF(workspace_bytes < L.total, SWIGLU_ERR_WORKSPACE);
    size_t TDb = T * c->d_model * sizeof(float);  /* fits: checked by the layout */
    /* outputs: dx, every gradient and the workspace (read and written);
     * inputs: dy, x and the parameters. No output may touch another output
     * or an input. */
    span outs[9], ins[9];
    size_t no = param_spans(outs, f, grads, sizeof(float)), ni = param_spans(ins, f, p, esize(f));
    SW_RETURN_IF(!spans_aligned(outs, no, sizeof(float)) || !spans_aligned(ins, ni, esize(f)) ||
                 (uintptr_t)dx % sizeof(float) || (uintptr_t)dy % sizeof(float) || (uintptr_t)x % esize(f),
                 SWIGLU_ERR_ARG);
    outs[no++] = (span){workspace, workspace_bytes};
    if (dx) outs[no++] = (span){(void *)dx, TDb};
    ins[ni++] = (span){dy, TDb};
    ins[ni++] = (span){x, T * c->d_model * esize(f)};
    SW_RETURN_IF(spans_clash(outs, no, NULL, 0) || spans_clash(outs, no, ins, ni), SWIGLU_ERR_ALIAS);
    unsigned char *base = sw_ffn_ws_base(workspace);
    const sw_ffn_hdr *hd = (const sw_ffn_hdr *)(base + L.hdr);
    SW_RETURN_IF(hd->magic != SW_FFN_MAGIC || hd->owner != f || hd->T != T || !hd->training,
                 SWIGLU_ERR_STATE);
    *L_out = L;
    return SWIGLU_OK;
}

/* bwd_rows' derivative on one finished block of the fused dh GEMM (our
 * engine): dh rows [r0, r0 + rows), columns [col0, col0 + cols) of H (past
 * H: padding). Writes dgate/dup (plain: dpre) for those columns into dpre
 * and/or dpre16, and the block's dbeta partial into dbeta[t][col0 / 256]
 * (summed in a fixed order afterwards: the same bits for any thread count). */
static void bwd_epilogue(void *ctx, float *tile, size_t ldt, size_t r0, size_t col0, size_t rows,
                         size_t cols)
{
    const row_job *j = ctx;
    const swiglu_ffn *f = j->f;
    size_t H = f->cfg.d_ff, P = f->P, nb = (H + SW_GEMM_EPI_COLS - 1) / SW_GEMM_EPI_COLS;
    size_t w = H - col0 < cols ? H - col0 : cols;
    if (f->bare) return;
    for (size_t r = 0; r < rows; r++) {
        size_t t = r0 + r, go = t * P + f->gate_off + col0, uo = t * P + f->up_off + col0;
        const float *dh = tile + r * ldt, *g = j->pre + go, *u = j->pre + uo;
        float bg[SW_GEMM_EPI_COLS], bu[SW_GEMM_EPI_COLS];
        float *dg = j->dpre ? j->dpre + go : bg, *du = j->dpre ? j->dpre + uo : bu;
        double db = f->gated ? j->k->glu_bwd(dg, du, dh, g, u, w, &j->g, 1)
                             : j->k->act_bwd(dg, dh, g, w, &j->g, 1);
        if (j->dpre16) {
            j->k->to_bf16(j->dpre16 + go, dg, w);
            if (f->gated) j->k->to_bf16(j->dpre16 + uo, du, w);
        }
        if (j->dbeta) j->dbeta[t * nb + col0 / SW_GEMM_EPI_COLS] = db;
    }
}

/* dh = dy W2 on our engine with bwd_epilogue: dpre (j->dpre, j->dpre16)
 * without dh; returns dbeta (0 unless j->dbeta). */
static swiglu_status dh_fused(double *dbeta, const swiglu_ffn *f, const row_job *j, const void *dyop,
                              size_t T, const swiglu_ffn_params *p)
{
    const sw_gemm_bpack *w2;
    size_t D = f->cfg.d_model, H = f->cfg.d_ff, nb = (H + SW_GEMM_EPI_COLS - 1) / SW_GEMM_EPI_COLS;
    SW_FORWARD_IF_ERROR(sw_ffn_wpack_get_dh(&w2, f, p));
    sw_gemm_epi epi = {bwd_epilogue, (void *)j};
    SW_FORWARD_IF_ERROR(sw_gemm_own_packed(NULL, SWIGLU_F32, 0, dyop, D, 0, w2, T, 1.0f, 0.0f,
                                           SW_POST_NONE, 0.0f, &epi));
    double db = 0.0;
    if (j->dbeta && !f->bare)
        for (size_t i = 0; i < T * nb; i++) db += j->dbeta[i];
    *dbeta = db;
    return SWIGLU_OK;
}

/* The first layer's gradients from dpre (operand dop, fp32 or bf16):
 * dW [P x D] += dpre^T [P x T] x [T x D]; dx [T x D] += dpre [T x P] W [P x D] */
static swiglu_status first_layer_grads(const swiglu_ffn *f, float *dx, swiglu_ffn_params *grads, const void *dop,
                                       const void *x, size_t T, const swiglu_ffn_params *p)
{
    const swiglu_ffn_config *c = &f->cfg;
    int split3 = f->gated && c->weights == SWIGLU_WEIGHTS_SPLIT;
    size_t D = c->d_model, H = c->d_ff, P = f->P;
    size_t es = esize(f);
    const unsigned char *dopb = dop;
    if (split3) {
        SW_FORWARD_IF_ERROR(gemm(f, grads->w1, SWIGLU_F32, D, dopb, P, 1, x, D, 0, H, D, T, 1.0f));
        SW_FORWARD_IF_ERROR(gemm(f, grads->w3, SWIGLU_F32, D, dopb + H * es, P, 1, x, D, 0, H, D, T, 1.0f));
        if (dx) {
            SW_FORWARD_IF_ERROR(gemm(f, dx, SWIGLU_F32, D, dopb, P, 0, p->w1, D, 0, T, D, H, 1.0f));
            SW_FORWARD_IF_ERROR(gemm(f, dx, SWIGLU_F32, D, dopb + H * es, P, 0, p->w3, D, 0, T, D, H, 1.0f));
        }
    } else {
        SW_FORWARD_IF_ERROR(gemm(f, grads->w1, SWIGLU_F32, D, dop, P, 1, x, D, 0, P, D, T, 1.0f));
        if (dx) SW_FORWARD_IF_ERROR(gemm(f, dx, SWIGLU_F32, D, dop, P, 0, p->w1, D, 0, T, D, P, 1.0f));
    }
    return SWIGLU_OK;
}

swiglu_status swiglu_ffn_backward(const swiglu_ffn *f, float *dx, swiglu_ffn_params *grads,
                                  const float *dy, const void *x, size_t T,
                                  const swiglu_ffn_params *p, void *workspace,
                                  size_t workspace_bytes)
{
    sw_ffn_ws L;
    SW_FORWARD_IF_ERROR(backward_check(&L, f, dx, grads, dy, x, T, p, workspace, workspace_bytes));
    const swiglu_ffn_config *c = &f->cfg;
    int split3 = f->gated && c->weights == SWIGLU_WEIGHTS_SPLIT;
    unsigned char *base = sw_ffn_ws_base(workspace);
    sw_gate g;
    SW_FORWARD_IF_ERROR(call_gate(&g, f, p));

    size_t D = c->d_model, H = c->d_ff, P = f->P;
    int bf = c->dtype == SWIGLU_BF16;
    float *pre = (float *)(base + L.pre), *dh = (float *)(base + L.dh);
    float *dpre = (float *)(base + L.dpre);
    void *h = base + L.h;
    row_job j = {.f = f, .k = sw_kernels_active(), .g = g, .pre = pre};

    /* recompute mode: h = act(gate) (* up) from the kept pre (bias already in) */
    if (c->recompute && !f->bare) {
        if (bf) j.h16 = h;
        else { j.h32 = h; j.ldh = H; }
        run_rows(&j, T, fwd_rows);
        j.h16 = NULL; j.h32 = NULL;
    }

    /* dy as the GEMMs' operand: bf16 layers round it once */
    const void *dyop = dy;
    if (bf) {
        uint16_t *dy16 = (uint16_t *)(base + L.dy16);
        if (!f->bare) sw_to_bf16(dy16, dy, T * D);
        dyop = dy16;
    }

    /* dW2 [D x H] += dy^T [D x T] h [T x H];  db2 += sum_t dy */
    SW_FORWARD_IF_ERROR(gemm(f, grads->w2, SWIGLU_F32, H, dyop, D, 1, h, H, 0, D, H, T, 1.0f));
    if (c->bias_down && !f->bare) colsum_add(grads->b2, dy, D, T, D);

    /* dpre = dh * d h / d pre (dgate and dup together); dbeta */
    j.dpre = dpre;
    if (bf) {
        j.dpre16 = (uint16_t *)(base + L.dpre16);
        if (!c->bias_up) j.dpre = NULL;  /* fp32 dpre only feeds the bias sums */
    }
    double dbeta = 0.0;
    if (sw_gemm_engine_for_glu(c->dtype, 1, T, D, H) == SW_GEMM_OWN) {
        /* in the epilogue of dh's GEMM (the file's head) */
        if (c->learn_beta) j.dbeta = (double *)(base + L.dbeta);
        SW_FORWARD_IF_ERROR(dh_fused(&dbeta, f, &j, dyop, T, p));
    } else {
        /* dh [T x H] = dy [T x D] W2 [D x H], then one pass over dh's rows */
        SW_FORWARD_IF_ERROR(gemm(f, dh, SWIGLU_F32, H, dyop, D, 0, p->w2, H, 0, T, H, D, 0.0f));
        j.dh = dh;
        if (!f->bare) dbeta = run_rows(&j, T, bwd_rows);
    }
    if (c->learn_beta) grads->beta[0] += (float)dbeta;
    if (c->bias_up && !f->bare) {
        if (split3) {
            colsum_add(grads->b1, dpre, P, T, H);
            colsum_add(grads->b3, dpre + H, P, T, H);
        } else {
            colsum_add(grads->b1, dpre, P, T, P);
        }
    }
    const void *dop = bf ? (const void *)j.dpre16 : (const void *)dpre;  /* dpre as an operand */

    return first_layer_grads(f, dx, grads, dop, x, T, p);
}
