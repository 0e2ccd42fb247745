/* test_ffn.c -- the FFN layer (fp32): forward against a double reference,
 * backward against finite differences of that reference (every variant,
 * with and without biases, dbeta), all weight layouts agree, recompute and
 * store modes give identical gradients, the accumulate contract, parameter
 * matching, init/stats, and bad configs (a status, no crash).
 *
 * Legend: T tokens, D d_model, H d_ff. Weights as nn.Linear: W1, W3 [H x D],
 * W2 [D x H]. The reference loss is L = sum_{t,c} y[t][c] dy[t][c], so
 * dL/dy = dy and dL/dtheta is what backward returns for upstream dy.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "support/testlib.h"
#include "support/actref.h"
#include "gemm/gemm.h"
#include "ffn/ffn.h"

/* ---- a layer in split form, in double for the reference --------------------- */

typedef struct model {
    size_t T, D, H;
    swiglu_ffn_variant v;
    int gated, bias;           /* bias: b1 (b3) and b2 */
    int act; double beta;      /* gate activation code (swiglu_act) and beta */
    int clamp; double limit, shift;
    double *w1, *w3, *w2, *b1, *b3, *b2, *x, *dy;  /* [H x D] [H x D] [D x H] [H] [H] [D] [T x D] [T x D] */
} model;

static double *dalloc(size_t n) { return calloc(n ? n : 1, sizeof(double)); }

static void model_init(model *m, swiglu_ffn_variant v, size_t T, size_t D, size_t H, int bias,
                       uint64_t seed, double xscale)
{
    memset(m, 0, sizeof *m);
    m->T = T; m->D = D; m->H = H; m->v = v; m->bias = bias;
    m->gated = swiglu_ffn_variant_gated(v);
    swiglu_ffn_config c;
    swiglu_ffn_config_init(&c, D, v);
    m->beta = v == SWIGLU_FFN_SWIGLU_CLAMPED ? 1.702 : 1.0;
    if (v == SWIGLU_FFN_SWISH || v == SWIGLU_FFN_SWIGLU) m->beta = 1.25;  /* not 1: dbeta means something */
    m->beta = (double)(float)m->beta;
    static const int plain_act[] = {SWIGLU_ACT_RELU, SWIGLU_ACT_GELU_ERF, SWIGLU_ACT_GELU_TANH, SWIGLU_ACT_SWISH};
    if (m->gated) {
        swiglu_gate g;
        swiglu_gate_init(&g, (swiglu_glu)(v - SWIGLU_FFN_GLU));
        m->act = (int)g.act; m->clamp = isfinite(g.limit) || g.up_shift != 0;
        m->limit = g.limit; m->shift = g.up_shift;
    } else {
        m->act = plain_act[v];
    }
    tl_rng r = {seed};
    m->w1 = dalloc(H * D); m->w3 = dalloc(H * D); m->w2 = dalloc(D * H);
    m->b1 = dalloc(H); m->b3 = dalloc(H); m->b2 = dalloc(D);
    m->x = dalloc(T * D); m->dy = dalloc(T * D);
    /* values rounded to float: the library sees exactly the reference's numbers */
    double s1 = 1.0 / sqrt((double)D), s2 = 1.0 / sqrt((double)H);
    for (size_t i = 0; i < H * D; i++) m->w1[i] = (float)(s1 * tl_normal(&r));
    for (size_t i = 0; i < H * D; i++) m->w3[i] = (float)(s1 * tl_normal(&r));
    for (size_t i = 0; i < D * H; i++) m->w2[i] = (float)(s2 * tl_normal(&r));
    if (bias) {
        for (size_t i = 0; i < H; i++) m->b1[i] = (float)(0.3 * tl_normal(&r));
        for (size_t i = 0; i < H; i++) m->b3[i] = (float)(0.3 * tl_normal(&r));
        for (size_t i = 0; i < D; i++) m->b2[i] = (float)(0.3 * tl_normal(&r));
    }
    for (size_t i = 0; i < T * D; i++) m->x[i] = (float)(xscale * tl_normal(&r));
    for (size_t i = 0; i < T * D; i++) m->dy[i] = (float)tl_normal(&r);
}

static void model_free(model *m)
{
    free(m->w1); free(m->w3); free(m->w2); free(m->b1); free(m->b3); free(m->b2);
    free(m->x); free(m->dy);
}

/* the hidden unit of one token: act(min(g, L)) * (clamp(u, -L, L) + shift), or act(g) */
static double ref_unit(const model *m, double g, double u)
{
    if (!m->gated) return ref_act_dbl(m->act, g, m->beta);
    if (m->clamp) {
        g = g < m->limit ? g : m->limit;
        u = (u < -m->limit ? -m->limit : (u > m->limit ? m->limit : u)) + m->shift;
    }
    return ref_act_dbl(m->act, g, m->beta) * u;
}

/* y [T x D] in double; returns L = sum y * dy */
static double ref_forward(const model *m, double *y)
{
    size_t T = m->T, D = m->D, H = m->H;
    double L = 0;
    double *h = dalloc(H);
    for (size_t t = 0; t < T; t++) {
        const double *xt = m->x + t * D;
        for (size_t j = 0; j < H; j++) {
            double g = m->bias ? m->b1[j] : 0, u = m->bias ? m->b3[j] : 0;
            for (size_t c = 0; c < D; c++) { g += m->w1[j * D + c] * xt[c]; u += m->w3[j * D + c] * xt[c]; }
            h[j] = ref_unit(m, g, u);
        }
        for (size_t c = 0; c < D; c++) {
            double s = m->bias ? m->b2[c] : 0;
            for (size_t j = 0; j < H; j++) s += m->w2[c * H + j] * h[j];
            if (y) y[t * D + c] = s;
            L += s * m->dy[t * D + c];
        }
    }
    free(h);
    return L;
}

/* ---- the library's view of the same layer ------------------------------------ */

typedef struct lib {
    swiglu_ffn *f;
    swiglu_ffn_config cfg;
    swiglu_ffn_params p, g;   /* parameters (float) and gradients */
    float pbeta, gbeta;
    float *x, *dy, *y, *dx;
    void *ws; size_t wsb;
} lib;

static float *fcopy(const double *d, size_t n)
{
    float *f = malloc((n ? n : 1) * sizeof(float));
    for (size_t i = 0; i < n; i++) f[i] = (float)d[i];
    return f;
}
static float *fzeros(size_t n) { return calloc(n ? n : 1, sizeof(float)); }

/* The model as a library layer with weight layout wl. */
static int lib_make(lib *L, const model *m, swiglu_weight_layout wl, int recompute, int learn)
{
    memset(L, 0, sizeof *L);
    size_t T = m->T, D = m->D, H = m->H;
    swiglu_ffn_config_init(&L->cfg, D, m->v);
    L->cfg.d_ff = H;
    L->cfg.beta = (float)m->beta;
    L->cfg.learn_beta = learn;
    L->cfg.bias_up = L->cfg.bias_down = m->bias;
    L->cfg.weights = wl;
    L->cfg.recompute = recompute;
    if (swiglu_ffn_create(&L->f, &L->cfg) != SWIGLU_OK) return 0;
    int packed = m->gated && wl != SWIGLU_WEIGHTS_SPLIT;
    if (packed) {
        /* [W1; W3] or [W3; W1] (and the biases in the same order) */
        int ug = wl == SWIGLU_WEIGHTS_PACKED_UP_GATE;
        float *w = malloc(2 * H * D * sizeof(float)), *b = fzeros(2 * H);
        for (size_t i = 0; i < H * D; i++) {
            w[(ug ? H * D : 0) + i] = (float)m->w1[i];
            w[(ug ? 0 : H * D) + i] = (float)m->w3[i];
        }
        for (size_t i = 0; i < H; i++) { b[(ug ? H : 0) + i] = (float)m->b1[i]; b[(ug ? 0 : H) + i] = (float)m->b3[i]; }
        L->p.w1 = w;
        L->g.w1 = fzeros(2 * H * D);
        if (m->bias) { L->p.b1 = b; L->g.b1 = fzeros(2 * H); } else free(b);
    } else {
        L->p.w1 = fcopy(m->w1, H * D);
        L->g.w1 = fzeros(H * D);
        if (m->gated) { L->p.w3 = fcopy(m->w3, H * D); L->g.w3 = fzeros(H * D); }
        if (m->bias) {
            L->p.b1 = fcopy(m->b1, H); L->g.b1 = fzeros(H);
            if (m->gated) { L->p.b3 = fcopy(m->b3, H); L->g.b3 = fzeros(H); }
        }
    }
    L->p.w2 = fcopy(m->w2, D * H);
    L->g.w2 = fzeros(D * H);
    if (m->bias) { L->p.b2 = fcopy(m->b2, D); L->g.b2 = fzeros(D); }
    L->pbeta = (float)m->beta;
    if (learn) { L->p.beta = &L->pbeta; L->g.beta = &L->gbeta; }
    L->x = fcopy(m->x, T * D);
    L->dy = fcopy(m->dy, T * D);
    L->y = fzeros(T * D);
    L->dx = fzeros(T * D);
    swiglu_ffn_workspace_size(&L->wsb, L->f, T, 1);
    L->ws = malloc(L->wsb);
    return 1;
}

static void lib_free(lib *L)
{
    free(L->p.w1); free(L->p.w3); free(L->p.w2); free(L->p.b1); free(L->p.b3); free(L->p.b2);
    free(L->g.w1); free(L->g.w3); free(L->g.w2); free(L->g.b1); free(L->g.b3); free(L->g.b2);
    free(L->x); free(L->dy); free(L->y); free(L->dx); free(L->ws);
    swiglu_ffn_destroy(L->f);
}

static int lib_run(lib *L, size_t T)
{
    swiglu_status s1 = swiglu_ffn_forward(L->f, L->y, L->x, T, &L->p, L->ws, L->wsb, 1);
    swiglu_status s2 = swiglu_ffn_backward(L->f, L->dx, &L->g, L->dy, L->x, T, &L->p, L->ws, L->wsb);
    CHECK(s1 == SWIGLU_OK && s2 == SWIGLU_OK, "forward %s, backward %s",
          swiglu_status_str(s1), swiglu_status_str(s2));
    return s1 == SWIGLU_OK && s2 == SWIGLU_OK;
}

/* The split-form view of the library's gradient of W1/W3/b1/b3 (packed layouts
 * hold them in one buffer). */
static const float *grad_w(const lib *L, const model *m, int which /*1 or 3*/)
{
    if (!m->gated || L->cfg.weights == SWIGLU_WEIGHTS_SPLIT) return which == 1 ? L->g.w1 : L->g.w3;
    int ug = L->cfg.weights == SWIGLU_WEIGHTS_PACKED_UP_GATE;
    return (const float *)L->g.w1 + ((which == 1) == ug ? m->H * m->D : 0);
}
static const float *grad_b(const lib *L, const model *m, int which)
{
    if (!m->gated || L->cfg.weights == SWIGLU_WEIGHTS_SPLIT) return which == 1 ? L->g.b1 : L->g.b3;
    int ug = L->cfg.weights == SWIGLU_WEIGHTS_PACKED_UP_GATE;
    return L->g.b1 + ((which == 1) == ug ? m->H : 0);
}

/* ---- finite differences ------------------------------------------------------ */

/* max over i of |got[i] - dL/dp[i]| / scale, dL/dp by central differences in double */
static double fd_err(model *m, double *p, size_t n, const float *got)
{
    double worst = 0, scale = 1e-3;
    double *fd = dalloc(n);
    for (size_t i = 0; i < n; i++) {
        double keep = p[i], e = 1e-6 * fmax(1.0, fabs(keep));
        p[i] = keep + e; double lp = ref_forward(m, NULL);
        p[i] = keep - e; double lm = ref_forward(m, NULL);
        p[i] = keep;
        fd[i] = (lp - lm) / (2 * e);
        scale = fmax(scale, fabs(fd[i]));
    }
    for (size_t i = 0; i < n; i++) worst = fmax(worst, fabs(got[i] - fd[i]) / scale);
    free(fd);
    return worst;
}

static double fd_beta(model *m)
{
    double keep = m->beta, e = 1e-6;
    m->beta = keep + e; double lp = ref_forward(m, NULL);
    m->beta = keep - e; double lm = ref_forward(m, NULL);
    m->beta = keep;
    return (lp - lm) / (2 * e);
}

static void gradcheck(swiglu_ffn_variant v, int bias, size_t T, size_t D, size_t H)
{
    model m;
    /* clamped SwiGLU: large inputs so that some gates and ups hit the clamp */
    model_init(&m, v, T, D, H, bias, 1000 + (uint64_t)v * 10 + (uint64_t)bias,
               v == SWIGLU_FFN_SWIGLU_CLAMPED ? 6.0 : 1.0);
    int learn = v == SWIGLU_FFN_SWISH || v == SWIGLU_FFN_SWIGLU;
    lib L;
    if (!lib_make(&L, &m, SWIGLU_WEIGHTS_SPLIT, 0, learn)) { CHECK(0, "create %s", swiglu_ffn_variant_name(v)); model_free(&m); return; }
    const char *name = swiglu_ffn_variant_name(v);
    if (lib_run(&L, T)) {
        double *yr = dalloc(T * D), ye = 0, ys = 1e-3;
        ref_forward(&m, yr);
        for (size_t i = 0; i < T * D; i++) { ye = fmax(ye, fabs(L.y[i] - yr[i])); ys = fmax(ys, fabs(yr[i])); }
        CHECK(ye / ys < 2e-6, "%s bias %d: forward max err %.3g (scale %.3g)", name, bias, ye, ys);
        free(yr);
        const double tol = 2e-5;  /* fp32 layer vs double FD: ~1e-6 observed */
        double e;
        e = fd_err(&m, m.x, T * D, L.dx);          CHECK(e < tol, "%s bias %d: dx err %.3g", name, bias, e);
        e = fd_err(&m, m.w1, H * D, L.g.w1);       CHECK(e < tol, "%s bias %d: dW1 err %.3g", name, bias, e);
        e = fd_err(&m, m.w2, D * H, L.g.w2);       CHECK(e < tol, "%s bias %d: dW2 err %.3g", name, bias, e);
        if (m.gated) { e = fd_err(&m, m.w3, H * D, L.g.w3); CHECK(e < tol, "%s bias %d: dW3 err %.3g", name, bias, e); }
        if (bias) {
            e = fd_err(&m, m.b1, H, L.g.b1);       CHECK(e < tol, "%s: db1 err %.3g", name, e);
            e = fd_err(&m, m.b2, D, L.g.b2);       CHECK(e < tol, "%s: db2 err %.3g", name, e);
            if (m.gated) { e = fd_err(&m, m.b3, H, L.g.b3); CHECK(e < tol, "%s: db3 err %.3g", name, e); }
        }
        if (learn) {
            double fb = fd_beta(&m);
            CHECK(fabs(L.gbeta - fb) <= 1e-4 * fmax(1.0, fabs(fb)), "%s bias %d: dbeta %.7g vs fd %.7g",
                  name, bias, L.gbeta, fb);
        }
    }
    lib_free(&L);
    model_free(&m);
}

/* ---- layouts, modes, accumulation -------------------------------------------- */

static double maxdiff(const float *a, const float *b, size_t n)
{
    double w = 0, s = 1e-6;
    for (size_t i = 0; i < n; i++) { w = fmax(w, fabs((double)a[i] - b[i])); s = fmax(s, fabs((double)b[i])); }
    return w / s;
}

static void layouts_and_modes(swiglu_ffn_variant v, int bias, size_t T, size_t D, size_t H)
{
    model m;
    model_init(&m, v, T, D, H, bias, 77 + (uint64_t)v, 1.0);
    const char *name = swiglu_ffn_variant_name(v);
    lib S, R;
    lib_make(&S, &m, SWIGLU_WEIGHTS_SPLIT, 0, 0);
    lib_make(&R, &m, SWIGLU_WEIGHTS_SPLIT, 1, 0);
    lib_run(&S, T);
    lib_run(&R, T);
    /* recompute: the same kernels on the same pre -> the same bits */
    int same = !memcmp(S.y, R.y, T * D * 4) && !memcmp(S.dx, R.dx, T * D * 4) &&
               !memcmp(S.g.w1, R.g.w1, H * D * 4) && !memcmp(S.g.w2, R.g.w2, D * H * 4) &&
               (!m.gated || !memcmp(S.g.w3, R.g.w3, H * D * 4)) &&
               (!bias || (!memcmp(S.g.b1, R.g.b1, H * 4) && !memcmp(S.g.b2, R.g.b2, D * 4)));
    CHECK(same, "%s bias %d: recompute and store modes differ", name, bias);
    size_t ks, kr;
    {
        swiglu_ffn_workspace_size(&ks, S.f, T, 0);
        swiglu_ffn_workspace_size(&kr, S.f, T, 1);
        CHECK(ks < kr, "inference workspace %zu < training %zu", ks, kr);
    }
    if (m.gated) {
        for (int wl = 1; wl < SWIGLU_WEIGHTS_COUNT; wl++) {
            lib P;
            lib_make(&P, &m, (swiglu_weight_layout)wl, 0, 0);
            lib_run(&P, T);
            double e = fmax(maxdiff(P.y, S.y, T * D), maxdiff(P.dx, S.dx, T * D));
            e = fmax(e, maxdiff(grad_w(&P, &m, 1), S.g.w1, H * D));
            e = fmax(e, maxdiff(grad_w(&P, &m, 3), S.g.w3, H * D));
            e = fmax(e, maxdiff(P.g.w2, S.g.w2, D * H));
            if (bias) {
                e = fmax(e, maxdiff(grad_b(&P, &m, 1), S.g.b1, H));
                e = fmax(e, maxdiff(grad_b(&P, &m, 3), S.g.b3, H));
                e = fmax(e, maxdiff(P.g.b2, S.g.b2, D));
            }
            /* not bitwise: one GEMM of N = 2H vs two of N = H may block the sums differently */
            CHECK(e < 4e-6, "%s bias %d layout %d: differs from SPLIT by %.3g", name, bias, wl, e);
            lib_free(&P);
        }
    }
    /* accumulate contract: a second backward adds the same gradients again */
    float *w2once = malloc(D * H * 4), *dxonce = malloc(T * D * 4);
    memcpy(w2once, S.g.w2, D * H * 4);
    memcpy(dxonce, S.dx, T * D * 4);
    swiglu_ffn_backward(S.f, S.dx, &S.g, S.dy, S.x, T, &S.p, S.ws, S.wsb);
    for (size_t i = 0; i < D * H; i++) w2once[i] *= 2;
    for (size_t i = 0; i < T * D; i++) dxonce[i] *= 2;
    CHECK(maxdiff(S.g.w2, w2once, D * H) < 1e-6 && maxdiff(S.dx, dxonce, T * D) < 1e-6,
          "%s: a second backward did not add the same gradients", name);
    /* inference forward: same y, nothing kept */
    float *yi = fzeros(T * D);
    size_t wi;
    swiglu_ffn_workspace_size(&wi, S.f, T, 0);
    CHECK(swiglu_ffn_forward(S.f, yi, S.x, T, &S.p, S.ws, wi, 0) == SWIGLU_OK, "inference forward");
    /* h sits in pre's gate columns (row stride P, not H): another GEMM primitive */
    CHECK(maxdiff(yi, S.y, T * D) < 1e-6, "%s: inference y differs from training y by %.3g", name,
          maxdiff(yi, S.y, T * D));
    CHECK(swiglu_ffn_backward(S.f, S.dx, &S.g, S.dy, S.x, T, &S.p, S.ws, S.wsb) == SWIGLU_ERR_STATE,
          "backward after an inference forward must be refused");
    free(yi); free(w2once); free(dxonce);
    lib_free(&S); lib_free(&R);
    model_free(&m);
}

/* A larger layer: y against the double reference, fp32 and bf16; the bf16
 * layer's y and gradients within 1e-2 of the fp32 layer's (docs/FFN.md). */
static void larger_forward(swiglu_ffn_variant v, size_t T, size_t D, size_t H)
{
    model m;
    model_init(&m, v, T, D, H, 1, 4242, 1.0);
    /* weights and x exact in bf16: the comparisons below see the bf16 layer's
     * own error (h, dy, dpre rounded), not that of rounding its inputs */
    double *ins[] = {m.w1, m.w3, m.w2, m.x};
    size_t nin[] = {H * D, H * D, D * H, T * D};
    for (int k = 0; k < 4; k++)
        for (size_t i = 0; i < nin[k]; i++) ins[k][i] = sw_bf16_to_f32(sw_f32_to_bf16((float)ins[k][i]));
    lib L;
    lib_make(&L, &m, SWIGLU_WEIGHTS_PACKED, 0, 0);
    lib_run(&L, T);
    double *yr = dalloc(T * D);
    ref_forward(&m, yr);
    float *yrf = fcopy(yr, T * D);
    double e = maxdiff(L.y, yrf, T * D);
    CHECK(e < 2e-6, "%s T %zu: forward err %.3g", swiglu_ffn_variant_name(v), T, e);
    /* the same layer in bf16 (fp32 output) */
    swiglu_ffn_config c = L.cfg;
    c.dtype = SWIGLU_BF16;
    swiglu_ffn *fb;
    CHECK(swiglu_ffn_create(&fb, &c) == SWIGLU_OK, "bf16 create");
    swiglu_ffn_set_output_dtype(fb, SWIGLU_F32);
    size_t P = m.gated ? 2 * H : H;
    uint16_t *w1 = malloc(P * D * 2), *w2 = malloc(D * H * 2), *x = malloc(T * D * 2);
    for (size_t i = 0; i < P * D; i++) w1[i] = sw_f32_to_bf16(((float *)L.p.w1)[i]);
    for (size_t i = 0; i < D * H; i++) w2[i] = sw_f32_to_bf16(((float *)L.p.w2)[i]);
    for (size_t i = 0; i < T * D; i++) x[i] = sw_f32_to_bf16(L.x[i]);
    swiglu_ffn_params pb = L.p;
    pb.w1 = w1; pb.w2 = w2;
    size_t wsb;
    swiglu_ffn_workspace_size(&wsb, fb, T, 0);
    void *ws = malloc(wsb);
    float *yb = fzeros(T * D);
    CHECK(swiglu_ffn_forward(fb, yb, x, T, &pb, ws, wsb, 0) == SWIGLU_OK, "bf16 forward");
    e = maxdiff(yb, yrf, T * D);
    CHECK(e < 1e-2, "%s T %zu: bf16 forward err %.3g", swiglu_ffn_variant_name(v), T, e);
    /* bf16 store and recompute modes: the same gradients, bit for bit */
    {
        swiglu_ffn_config cr = c;
        cr.recompute = 1;
        swiglu_ffn *fr;
        CHECK(swiglu_ffn_create(&fr, &cr) == SWIGLU_OK, "bf16 recompute create");
        float *gw[2][2], *gx[2], *gb[2][3];
        for (int mode = 0; mode < 2; mode++) {
            swiglu_ffn *fm = mode ? fr : fb;
            gw[mode][0] = fzeros(P * D); gw[mode][1] = fzeros(D * H); gx[mode] = fzeros(T * D);
            gb[mode][0] = fzeros(P); gb[mode][1] = fzeros(D); gb[mode][2] = NULL;
            swiglu_ffn_params gm = {.w1 = gw[mode][0], .w2 = gw[mode][1], .b1 = gb[mode][0], .b2 = gb[mode][1]};
            size_t wt;
            swiglu_ffn_workspace_size(&wt, fm, T, 1);
            void *wsm = malloc(wt);
            swiglu_status s1 = swiglu_ffn_forward(fm, yb, x, T, &pb, wsm, wt, 1);
            swiglu_status s2 = swiglu_ffn_backward(fm, gx[mode], &gm, L.dy, x, T, &pb, wsm, wt);
            CHECK(s1 == SWIGLU_OK && s2 == SWIGLU_OK, "bf16 mode %d: %s %s", mode, swiglu_status_str(s1), swiglu_status_str(s2));
            free(wsm);
        }
        CHECK(!memcmp(gw[0][0], gw[1][0], P * D * 4) && !memcmp(gw[0][1], gw[1][1], D * H * 4) &&
              !memcmp(gx[0], gx[1], T * D * 4) && !memcmp(gb[0][0], gb[1][0], P * 4),
              "%s: bf16 store and recompute gradients differ", swiglu_ffn_variant_name(v));
        /* and they are those of the fp32 layer within the bf16 bound */
        e = fmax(maxdiff(gw[0][1], L.g.w2, D * H), maxdiff(gx[0], L.dx, T * D));
        CHECK(e < 1e-2, "%s: bf16 gradients vs fp32 %.3g", swiglu_ffn_variant_name(v), e);
        for (int mode = 0; mode < 2; mode++) { free(gw[mode][0]); free(gw[mode][1]); free(gx[mode]); free(gb[mode][0]); free(gb[mode][1]); }
        swiglu_ffn_destroy(fr);
    }
    free(w1); free(w2); free(x); free(ws); free(yb); free(yr); free(yrf);
    swiglu_ffn_destroy(fb);
    lib_free(&L);
    model_free(&m);
}

/* ---- sizes, counts, bad configs ---------------------------------------------- */

static void matching(void)
{
    size_t h = 0;
    CHECK(swiglu_ffn_hidden_for(&h, 4096, SWIGLU_FFN_SWIGLU, 256) == SWIGLU_OK && h == 11008, "LLaMA 7B: %zu", h);
    CHECK(swiglu_ffn_hidden_for(&h, 4096, SWIGLU_FFN_RELU, 256) == SWIGLU_OK && h == 16384, "plain 4D: %zu", h);
    CHECK(swiglu_ffn_hidden_for(&h, 512, SWIGLU_FFN_GEGLU, 32) == SWIGLU_OK && h == 1376, "512/32: %zu", h);
    CHECK(swiglu_ffn_hidden_for(&h, 768, SWIGLU_FFN_SWIGLU, 1) == SWIGLU_OK && h == 2048, "768: %zu", h);
    CHECK(swiglu_ffn_hidden_for(&h, 4096, SWIGLU_FFN_SWIGLU, 0) == SWIGLU_ERR_ARG, "multiple_of 0");
    /* matched pairs: parameter counts within 1 % */
    static const size_t dims[][2] = {{4096, 256}, {512, 32}, {768, 1}, {5120, 64}, {288, 32}};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
        swiglu_ffn_config a, b;
        swiglu_ffn_config_init(&a, dims[i][0], SWIGLU_FFN_GELU);
        swiglu_ffn_config_init(&b, dims[i][0], SWIGLU_FFN_SWIGLU);
        swiglu_ffn_hidden_for(&b.d_ff, dims[i][0], SWIGLU_FFN_SWIGLU, dims[i][1]);
        size_t na, nb;
        swiglu_ffn_param_count(&na, &a);
        swiglu_ffn_param_count(&nb, &b);
        double r = (double)nb / (double)na;
        CHECK(fabs(r - 1) < 0.01, "D %zu: gated/plain parameters %.4f", dims[i][0], r);
    }
    swiglu_ffn_config c;
    swiglu_ffn_config_init(&c, 5, SWIGLU_FFN_SWIGLU);
    c.d_ff = 7; c.bias_up = c.bias_down = 1; c.learn_beta = 1;
    size_t n;
    CHECK(swiglu_ffn_param_count(&n, &c) == SWIGLU_OK && n == 3 * 35 + 14 + 5 + 1, "param count %zu", n);
}

static void bad_configs(void)
{
    swiglu_ffn *f = NULL;
    swiglu_ffn_config c;
    swiglu_ffn_config_init(&c, 16, SWIGLU_FFN_SWIGLU);
    CHECK(swiglu_ffn_create(NULL, &c) == SWIGLU_ERR_NULL, "NULL handle pointer");
    CHECK(swiglu_ffn_create(&f, NULL) == SWIGLU_ERR_NULL, "NULL config");
    swiglu_ffn_config b = c; b.d_model = 0;
    CHECK(swiglu_ffn_create(&f, &b) == SWIGLU_ERR_SIZE && !f, "d_model 0");
    b = c; b.d_ff = 0;
    CHECK(swiglu_ffn_create(&f, &b) == SWIGLU_ERR_SIZE, "d_ff 0");
    b = c; b.d_model = (size_t)1 << 40; b.d_ff = (size_t)1 << 40;
    CHECK(swiglu_ffn_create(&f, &b) == SWIGLU_ERR_SIZE, "D*H overflows");
    b = c; b.d_model = SIZE_MAX / 5; b.d_ff = 2;
    CHECK(swiglu_ffn_create(&f, &b) == SWIGLU_ERR_SIZE, "3*D*H*4 overflows");
    b = c; b.variant = SWIGLU_FFN_VARIANT_COUNT;
    CHECK(swiglu_ffn_create(&f, &b) == SWIGLU_ERR_ARG, "bad variant");
    b = c; b.weights = SWIGLU_WEIGHTS_COUNT;
    CHECK(swiglu_ffn_create(&f, &b) == SWIGLU_ERR_ARG, "bad layout");
    b = c; b.dtype = SWIGLU_DTYPE_COUNT;
    CHECK(swiglu_ffn_create(&f, &b) == SWIGLU_ERR_DTYPE, "bad dtype");
    b = c; b.beta = NAN;
    CHECK(swiglu_ffn_create(&f, &b) == SWIGLU_ERR_ARG, "NaN beta");
    swiglu_ffn_config_init(&b, 16, SWIGLU_FFN_RELU); b.learn_beta = 1;
    CHECK(swiglu_ffn_create(&f, &b) == SWIGLU_ERR_ARG, "learned beta on ReLU");
    CHECK(swiglu_ffn_config_init(&b, 0, SWIGLU_FFN_SWIGLU) == SWIGLU_ERR_SIZE, "config_init D 0");
    CHECK(swiglu_ffn_destroy(NULL) == SWIGLU_OK, "destroy NULL");

    /* calls on a good layer with bad arguments */
    CHECK(swiglu_ffn_create(&f, &c) == SWIGLU_OK, "create");
    CHECK(swiglu_ffn_set_output_dtype(f, SWIGLU_BF16) == SWIGLU_ERR_DTYPE, "bf16 output of an fp32 layer");
    size_t ws;
    CHECK(swiglu_ffn_workspace_size(&ws, f, 0, 1) == SWIGLU_ERR_SIZE, "T = 0");
    CHECK(swiglu_ffn_workspace_size(&ws, f, SIZE_MAX / 8, 1) == SWIGLU_ERR_SIZE, "T * H overflows");
    CHECK(swiglu_ffn_workspace_size(NULL, f, 4, 1) == SWIGLU_ERR_NULL, "NULL bytes");
    swiglu_ffn_workspace_size(&ws, f, 4, 1);
    size_t D = c.d_model, H = c.d_ff;
    float *w1 = fzeros(H * D), *w3 = fzeros(H * D), *w2 = fzeros(D * H), *x = fzeros(4 * D), *y = fzeros(4 * D);
    void *wsp = malloc(ws);
    swiglu_ffn_params p = {.w1 = w1, .w3 = w3, .w2 = w2};
    CHECK(swiglu_ffn_init_params(f, &p, 1, 0.02f, 0.01f) == SWIGLU_OK, "init");
    CHECK(swiglu_ffn_forward(f, y, x, 4, &p, wsp, ws - 65, 1) == SWIGLU_ERR_WORKSPACE, "workspace too small");
    CHECK(swiglu_ffn_forward(f, y, x, 4, NULL, wsp, ws, 1) == SWIGLU_ERR_NULL, "NULL params");
    swiglu_ffn_params q = p; q.w3 = NULL;
    CHECK(swiglu_ffn_forward(f, y, x, 4, &q, wsp, ws, 1) == SWIGLU_ERR_NULL, "NULL W3 in SPLIT");
    CHECK(swiglu_ffn_forward(f, y, x, 0, &p, wsp, ws, 1) == SWIGLU_ERR_SIZE, "forward T = 0");
    CHECK(swiglu_ffn_forward(f, y, NULL, 4, &p, wsp, ws, 1) == SWIGLU_ERR_NULL, "NULL x");
    CHECK(swiglu_ffn_forward(f, (char *)wsp + 64, x, 4, &p, wsp, ws, 1) == SWIGLU_ERR_ALIAS, "y inside workspace");
    memset(wsp, 0, ws);
    /* gradients on the parameters themselves are an alias (issue #21) */
    CHECK(swiglu_ffn_backward(f, NULL, &p, y, x, 4, &p, wsp, ws) == SWIGLU_ERR_ALIAS, "gradients on the parameters");
    float *g1 = fzeros(H * D), *g3 = fzeros(H * D), *g2 = fzeros(D * H);
    swiglu_ffn_params g = {.w1 = g1, .w3 = g3, .w2 = g2};
    CHECK(swiglu_ffn_backward(f, NULL, &g, y, x, 4, &p, wsp, ws) == SWIGLU_ERR_STATE, "backward before forward");
    CHECK(swiglu_ffn_forward(f, y, x, 4, &p, wsp, ws, 1) == SWIGLU_OK, "forward");
    CHECK(swiglu_ffn_backward(f, NULL, &g, y, x, 3, &p, wsp, ws) == SWIGLU_ERR_STATE, "backward with another T");
    CHECK(swiglu_ffn_backward(f, y, &g, y, x, 4, &p, wsp, ws) == SWIGLU_ERR_ALIAS, "dx == dy");
    CHECK(swiglu_ffn_backward(f, (float *)wsp + 16, &g, y, x, 4, &p, wsp, ws) == SWIGLU_ERR_ALIAS, "dx inside workspace");
    swiglu_ffn_stats st;
    CHECK(swiglu_ffn_hidden_stats(f, &st, wsp, 4) == SWIGLU_OK, "stats");
    swiglu_ffn_destroy(f);
    free(w1); free(w3); free(w2); free(x); free(y); free(wsp); free(g1); free(g3); free(g2);
}

/* init is deterministic with the stated spread; ReLU zeroes about half its units */
static void init_and_stats(void)
{
    swiglu_ffn_config c;
    swiglu_ffn_config_init(&c, 64, SWIGLU_FFN_RELU);
    swiglu_ffn *f;
    swiglu_ffn_create(&f, &c);
    size_t D = 64, H = c.d_ff, T = 32;
    float *w1 = fzeros(H * D), *w2 = fzeros(D * H), *w1b = fzeros(H * D), *x = fzeros(T * D), *y = fzeros(T * D);
    swiglu_ffn_params p = {.w1 = w1, .w2 = w2}, p2 = {.w1 = w1b, .w2 = w2};
    swiglu_ffn_init_params(f, &p, 42, 0.02f, 0.002f);
    swiglu_ffn_init_params(f, &p2, 42, 0.02f, 0.002f);
    CHECK(!memcmp(w1, w1b, H * D * 4), "init is deterministic");
    double s1 = 0, s2 = 0;
    for (size_t i = 0; i < H * D; i++) s1 += (double)w1[i] * w1[i];
    for (size_t i = 0; i < D * H; i++) s2 += (double)w2[i] * w2[i];
    s1 = sqrt(s1 / (double)(H * D)); s2 = sqrt(s2 / (double)(D * H));
    CHECK(fabs(s1 - 0.02) < 0.001 && fabs(s2 - 0.002) < 0.0001, "init std %.5f %.5f", s1, s2);
    tl_rng r = {5};
    for (size_t i = 0; i < T * D; i++) x[i] = (float)tl_normal(&r);
    size_t ws;
    swiglu_ffn_workspace_size(&ws, f, T, 1);
    void *wsp = malloc(ws);
    swiglu_ffn_forward(f, y, x, T, &p, wsp, ws, 1);
    swiglu_ffn_stats st;
    CHECK(swiglu_ffn_hidden_stats(f, &st, wsp, T) == SWIGLU_OK, "stats");
    CHECK(st.zero_fraction > 0.4 && st.zero_fraction < 0.6, "ReLU zero fraction %.3f", st.zero_fraction);
    CHECK(st.dead_fraction < 0.05 && fabs(st.gate_mean) < 0.05 && st.act_mean > 0, "stats: dead %.3f gate mean %.3f act mean %.3f",
          st.dead_fraction, st.gate_mean, st.act_mean);
    CHECK(st.up_abs_mean == 0.0, "plain layer has no up");
    free(w1); free(w2); free(w1b); free(x); free(y); free(wsp);
    swiglu_ffn_destroy(f);
}

/* Our engine's packed-weight cache: a forward after an in-place change of
 * the weights and swiglu_ffn_weights_changed gives the new weights' y (the
 * same bits as a fresh handle); one pack per weight set and change. */
static void packed_weights_cache(void)
{
    size_t T = 20, D = 24, H = 150;
    model m;
    model_init(&m, SWIGLU_FFN_SWIGLU, T, D, H, 1, 77, 1.0);
    lib L;
    lib_make(&L, &m, SWIGLU_WEIGHTS_PACKED, 0, 0);
    lib_run(&L, T);
    size_t packs = sw_ffn_wpack_count(L.f);
    float *w1 = (float *)L.p.w1;
    for (size_t i = 0; i < 2 * H * D; i++) w1[i] *= 0.5f;
    CHECK(swiglu_ffn_weights_changed(L.f) == SWIGLU_OK, "weights_changed");
    CHECK(swiglu_ffn_weights_changed(NULL) == SWIGLU_ERR_NULL, "weights_changed(NULL)");
    lib_run(&L, T);
    float *got = malloc(T * D * sizeof *got);
    memcpy(got, L.y, T * D * sizeof *got);
    lib L2;
    lib_make(&L2, &m, SWIGLU_WEIGHTS_PACKED, 0, 0);
    memcpy((void *)L2.p.w1, w1, 2 * H * D * sizeof *w1);
    CHECK(swiglu_ffn_weights_changed(L2.f) == SWIGLU_OK, "weights_changed");
    lib_run(&L2, T);
    CHECK(!memcmp(got, L2.y, T * D * sizeof *got), "forward after weights_changed differs from a fresh handle's");
    int own = sw_gemm_engine_for_glu(SWIGLU_F32, 1, T, D, H) == SW_GEMM_OWN;
    CHECK(sw_ffn_wpack_count(L.f) == packs + (size_t)own, "packs: %zu -> %zu (own engine %d)", packs,
          sw_ffn_wpack_count(L.f), own);
    lib_run(&L, T);   /* unchanged: no new pack */
    CHECK(sw_ffn_wpack_count(L.f) == packs + (size_t)own, "a forward with unchanged weights repacked");
    free(got);
    lib_free(&L);
    lib_free(&L2);
    model_free(&m);
}

/* Our engine's fused backward (dh never written: the derivative in the dh
 * GEMM's epilogue) against the oneDNN engine's GEMM + separate pass, at a
 * shape of several row and column blocks with partial last ones (T 100 =
 * 2 x 48 + 4, H 600 = 2 x 256 + 88), a learned beta and biases; and the same
 * bits at 1, 2 and 3 threads (each block is one thread's, the dbeta
 * partials are summed in block order). */
static void fused_backward(swiglu_ffn_variant v, int bias, int learn)
{
    if (sw_gemm_set_engine(SW_GEMM_OWN) != SWIGLU_OK || sw_gemm_set_engine(SW_GEMM_ONEDNN) != SWIGLU_OK) {
        tl_skip("fused backward: needs both GEMM engines");
        return;
    }
    const size_t T = 100, D = 40, H = 600;
    const char *name = swiglu_ffn_variant_name(v);
    model m;
    model_init(&m, v, T, D, H, bias, 91 + (uint64_t)v, 1.0);
    lib O, E[3];
    sw_gemm_set_engine(SW_GEMM_ONEDNN);
    lib_make(&O, &m, SWIGLU_WEIGHTS_PACKED, 0, learn);
    lib_run(&O, T);
    sw_gemm_set_engine(SW_GEMM_OWN);
    int threads0 = swiglu_threads_get();
    for (int k = 0; k < 3; k++) {
        swiglu_threads_set(k + 1);
        lib_make(&E[k], &m, SWIGLU_WEIGHTS_PACKED, 0, learn);
        lib_run(&E[k], T);
    }
    swiglu_threads_set(threads0);
    sw_gemm_set_engine(SW_GEMM_ONEDNN);
    size_t P = m.gated ? 2 * H : H;
    double e = fmax(maxdiff(E[0].dx, O.dx, T * D), maxdiff(E[0].g.w1, O.g.w1, P * D));
    e = fmax(e, maxdiff(E[0].g.w2, O.g.w2, D * H));
    if (bias) e = fmax(e, fmax(maxdiff(E[0].g.b1, O.g.b1, P), maxdiff(E[0].g.b2, O.g.b2, D)));
    CHECK(e < 2e-5, "%s bias %d beta %d: own engine's fused backward differs from oneDNN's by %.3g", name, bias,
          learn, e);
    if (learn)
        CHECK(fabs(E[0].gbeta - O.gbeta) <= 1e-5 * (1 + fabs(O.gbeta)), "%s: dbeta %.9g (own) vs %.9g (oneDNN)",
              name, E[0].gbeta, O.gbeta);
    for (int k = 1; k < 3; k++) {
        int same = !memcmp(E[k].dx, E[0].dx, T * D * 4) && !memcmp(E[k].g.w1, E[0].g.w1, P * D * 4) &&
                   !memcmp(E[k].g.w2, E[0].g.w2, D * H * 4) && E[k].gbeta == E[0].gbeta &&
                   (!bias || !memcmp(E[k].g.b1, E[0].g.b1, P * 4));
        CHECK(same, "%s bias %d beta %d: own engine's backward at %d threads differs from 1 thread", name, bias,
              learn, k + 1);
    }
    lib_free(&O);
    for (int k = 0; k < 3; k++) lib_free(&E[k]);
    model_free(&m);
}

/* The default rule for the fused paths (gemm_engine.c): our engine for the
 * gated inference forward at T <= 64 on D H >= 2^22 weights, oneDNN
 * elsewhere and whenever an engine is forced. */
static void engine_rule(void)
{
    if (sw_gemm_set_engine(SW_GEMM_ONEDNN) != SWIGLU_OK || !sw_gemm_own_supported(SWIGLU_F32)) {
        tl_skip("engine rule: needs oneDNN and our engine");
        return;
    }
    sw_gemm_set_engine(SW_GEMM_AUTO);
    CHECK(sw_gemm_engine_for_glu(SWIGLU_F32, 0, 64, 2048, 2048) == SW_GEMM_OWN, "auto: T 64, D H 2^22 -> own");
    CHECK(sw_gemm_engine_for_glu(SWIGLU_F32, 0, 1, 4096, 11008) == SW_GEMM_OWN, "auto: T 1, LLaMA 7B -> own");
    CHECK(sw_gemm_engine_for_glu(SWIGLU_F32, 1, 64, 2048, 2048) == SW_GEMM_ONEDNN, "auto: training -> oneDNN");
    CHECK(sw_gemm_engine_for_glu(SWIGLU_F32, 0, 65, 2048, 2048) == SW_GEMM_ONEDNN, "auto: T 65 -> oneDNN");
    CHECK(sw_gemm_engine_for_glu(SWIGLU_F32, 0, 64, 2048, 2047) == SW_GEMM_ONEDNN, "auto: D H < 2^22 -> oneDNN");
    CHECK(sw_gemm_engine_for_glu(SWIGLU_BF16, 0, 16, 4096, 11008) ==
          (sw_gemm_own_supported(SWIGLU_BF16) ? SW_GEMM_OWN : SW_GEMM_ONEDNN), "auto: bf16 follows the CPU");
    sw_gemm_set_engine(SW_GEMM_ONEDNN);
    CHECK(sw_gemm_engine_for_glu(SWIGLU_F32, 0, 64, 2048, 2048) == SW_GEMM_ONEDNN, "forced oneDNN stays oneDNN");
    /* wired: an auto inference forward at such a shape gives our engine's bits */
    const size_t T = 9, D = 2048, H = 2048;
    swiglu_ffn_config c;
    swiglu_ffn_config_init(&c, D, SWIGLU_FFN_SWIGLU);
    c.d_ff = H;
    c.weights = SWIGLU_WEIGHTS_PACKED;   /* w1 = [W1; W3] */
    swiglu_ffn *f = NULL;
    size_t wsb = 0;
    CHECK(swiglu_ffn_create(&f, &c) == SWIGLU_OK && swiglu_ffn_workspace_size(&wsb, f, T, 0) == SWIGLU_OK, "create");
    float *w1 = malloc(2 * H * D * 4), *w2 = malloc(D * H * 4), *x = malloc(T * D * 4);
    float *y[2] = {malloc(T * D * 4), malloc(T * D * 4)};
    void *ws = malloc(wsb);
    tl_rng r = {5};
    for (size_t i = 0; i < 2 * H * D; i++) w1[i] = (float)(0.02 * tl_normal(&r));
    for (size_t i = 0; i < D * H; i++) w2[i] = (float)(0.02 * tl_normal(&r));
    for (size_t i = 0; i < T * D; i++) x[i] = (float)tl_normal(&r);
    swiglu_ffn_params p = {.w1 = w1, .w2 = w2};
    static const sw_gemm_engine_id eng[2] = {SW_GEMM_AUTO, SW_GEMM_OWN};
    for (int e = 0; e < 2; e++) {
        sw_gemm_set_engine(eng[e]);
        swiglu_status st = swiglu_ffn_forward(f, y[e], x, T, &p, ws, wsb, 0);
        CHECK(st == SWIGLU_OK, "forward: %s", swiglu_status_str(st));
    }
    CHECK(!memcmp(y[0], y[1], T * D * 4), "auto's inference forward at T %zu, D %zu, H %zu is not our engine's", T, D, H);
    sw_gemm_set_engine(SW_GEMM_AUTO);
    free(w1); free(w2); free(x); free(y[0]); free(y[1]); free(ws);
    swiglu_ffn_destroy(f);
}

int main(void)
{
    /* every numeric check on each GEMM engine this build and CPU have */
    static const sw_gemm_engine_id engines[] = {SW_GEMM_ONEDNN, SW_GEMM_OWN};
    for (size_t ei = 0; ei < sizeof engines / sizeof engines[0]; ei++) {
        if (sw_gemm_set_engine(engines[ei]) != SWIGLU_OK) {
            tl_skip("GEMM engine %s: not in this build or CPU", sw_gemm_engine_name(engines[ei]));
            continue;
        }
        printf("engine %s\n", sw_gemm_engine());
        for (int v = 0; v < SWIGLU_FFN_VARIANT_COUNT; v++)
            for (int bias = 0; bias < 2; bias++) {
                gradcheck((swiglu_ffn_variant)v, bias, 3, 5, 7);
                layouts_and_modes((swiglu_ffn_variant)v, bias, 37, 24, 40);
            }
        gradcheck(SWIGLU_FFN_SWIGLU, 1, 1, 9, 20);
        /* larger T and H: several threads' row ranges, long vector bodies */
        layouts_and_modes(SWIGLU_FFN_SWIGLU, 1, 300, 16, 700);
        layouts_and_modes(SWIGLU_FFN_GELU, 0, 300, 16, 1400);
        larger_forward(SWIGLU_FFN_SWIGLU, 300, 16, 700);
        larger_forward(SWIGLU_FFN_RELU, 300, 16, 1400);
        matching();
        packed_weights_cache();
    }
    fused_backward(SWIGLU_FFN_SWIGLU, 1, 1);
    fused_backward(SWIGLU_FFN_GEGLU, 0, 0);
    fused_backward(SWIGLU_FFN_GELU, 1, 0);
    fused_backward(SWIGLU_FFN_SWISH, 0, 1);
    engine_rule();
    sw_gemm_set_engine(SW_GEMM_AUTO);
    bad_configs();
    init_and_stats();
    return tl_finish("test_ffn");
}
