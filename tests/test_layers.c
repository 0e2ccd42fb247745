/* test_layers.c -- each non-FFN layer of the model (embedding, RMSNorm, RoPE,
 * attention, linear, cross-entropy, AdamW): backward against central finite
 * differences of its forward, along random directions, in double.
 *
 * For a layer y = f(p), L = sum r . y with r random; for a random direction u
 * over one input p:   (L(p + h u) - L(p - h u)) / 2h  ~=  <dL/dp, u>.
 * Legend: B batch, T tokens, N = B*T, D width, NH/NKV heads, HS head size. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "support/testlib.h"
#include "model/layers.h"
#include "kernels/matvec.h"
#include "kernels/adamw.h"

static tl_rng rng = {12345};

static float *randv(size_t n, double s)
{
    float *p = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) p[i] = (float)(s * tl_normal(&rng));
    return p;
}
static float *zeros(size_t n) { return calloc(n, sizeof(float)); }
static double dot(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

/* the layer under test: recompute y from the current inputs, return r . y */
typedef double (*loss_fn)(void *ctx);

/* <g, u> vs the central difference along u over the n floats of p */
static void check_dir(const char *what, loss_fn f, void *ctx, float *p, const float *g,
                      size_t n, double h, double tol)
{
    float *u = randv(n, 1.0), *save = malloc(n * sizeof(float));
    memcpy(save, p, n * sizeof(float));
    for (size_t i = 0; i < n; i++) p[i] = save[i] + (float)(h * u[i]);
    double lp = f(ctx);
    for (size_t i = 0; i < n; i++) p[i] = save[i] - (float)(h * u[i]);
    double lm = f(ctx);
    memcpy(p, save, n * sizeof(float));
    f(ctx);   /* leave the outputs of the unperturbed inputs behind */
    double fd = (lp - lm) / (2 * h), an = dot(g, u, n);
    double err = fabs(fd - an) / (fabs(an) + 1e-3);
    CHECK(err < tol, "%s: analytic %.8g, finite difference %.8g (rel err %.2e)", what, an, fd, err);
    free(u); free(save);
}

/* ---- RMSNorm ---- */
typedef struct { float *y, *rstd, *x, *w, *r; size_t N, D; } rms_ctx;
static double rms_loss(void *c_)
{
    rms_ctx *c = c_;
    sw_rmsnorm_forward(c->y, c->rstd, c->x, c->w, c->N, c->D, 1e-5f);
    return dot(c->r, c->y, c->N * c->D);
}
static void test_rmsnorm(void)
{
    size_t N = 6, D = 24;
    rms_ctx c = {zeros(N * D), zeros(N), randv(N * D, 1.5), randv(D, 1.0), randv(N * D, 1.0), N, D};
    float *dx = zeros(N * D), *dw = zeros(D), *part = zeros(((N + SW_RMS_BLOCK - 1) / SW_RMS_BLOCK) * D);
    rms_loss(&c);
    sw_rmsnorm_backward(dx, dw, part, c.r, c.x, c.w, c.rstd, N, D);
    check_dir("rmsnorm dx", rms_loss, &c, c.x, dx, N * D, 1e-3, 2e-3);
    check_dir("rmsnorm dw", rms_loss, &c, c.w, dw, D, 1e-3, 2e-3);
    /* accumulate: a second backward doubles the gradients */
    float *dx2 = malloc(N * D * sizeof(float));
    memcpy(dx2, dx, N * D * sizeof(float));
    sw_rmsnorm_backward(dx, dw, part, c.r, c.x, c.w, c.rstd, N, D);
    CHECK(fabsf(dx[5] - 2 * dx2[5]) <= 1e-6f * fabsf(dx2[5]) + 1e-7f, "rmsnorm backward adds");
    /* mean square of y / w is 1 */
    double ms = 0;
    for (size_t j = 0; j < D; j++) { double t = c.y[j] / c.w[j]; ms += t * t; }
    CHECK(fabs(ms / D - 1) < 1e-3, "rmsnorm: mean((y/w)^2) = %.6f", ms / D);
    free(c.y); free(c.rstd); free(c.x); free(c.w); free(c.r); free(dx); free(dw); free(dx2); free(part);
}

/* ---- RoPE: a rotation, so the backward is the transpose and norms stay ---- */
static void test_rope(void)
{
    size_t B = 2, T = 7, nh = 3, HS = 8, n = B * T * nh * HS;
    float *cs = zeros(T * HS / 2), *sn = zeros(T * HS / 2);
    sw_rope_tables(cs, sn, T, HS, 10000.0f);
    float *x = randv(n, 1), *r = randv(n, 1), *rx = malloc(n * 4), *rr = malloc(n * 4);
    memcpy(rx, x, n * 4); memcpy(rr, r, n * 4);
    sw_rope_forward(rx, cs, sn, B, T, nh, HS);
    sw_rope_backward(rr, cs, sn, B, T, nh, HS);
    double a = dot(r, rx, n), b = dot(rr, x, n);
    CHECK(fabs(a - b) < 1e-4 * (fabs(a) + 1), "rope: <r, R x> %.8g = <R^T r, x> %.8g", a, b);
    CHECK(fabs(dot(rx, rx, n) - dot(x, x, n)) < 1e-3 * dot(x, x, n), "rope keeps the norm");
    /* position 0 is unrotated; pair i of position t turns by t * 10000^(-2i/HS) */
    CHECK(!memcmp(rx, x, nh * HS * 4), "rope: position 0 unchanged");
    double ang = 3 * pow(10000.0, -2.0 * 1 / 8);
    CHECK(fabs(cs[3 * 4 + 1] - cos(ang)) < 1e-6 && fabs(sn[3 * 4 + 1] - sin(ang)) < 1e-6,
          "rope table: llama2.c frequencies");
    free(cs); free(sn); free(x); free(r); free(rx); free(rr);
}

/* ---- attention ---- */
typedef struct { float *y, *att, *q, *k, *v, *r; size_t B, T, NH, NKV, HS; } att_ctx;
static double att_loss(void *c_)
{
    att_ctx *c = c_;
    swiglu_status st = sw_attention_forward(c->y, c->att, c->q, c->k, c->v, c->B, c->T, c->NH,
                                            c->NKV, c->HS, 2);
    if (st) return NAN;
    return dot(c->r, c->y, c->B * c->T * c->NH * c->HS);
}
static void test_attention(size_t NH, size_t NKV)
{
    size_t B = 2, T = 6, HS = 4, D = NH * HS, KV = NKV * HS, N = B * T;
    att_ctx c = {zeros(N * D), zeros(B * NH * T * T), randv(N * D, 1), randv(N * KV, 1),
                 randv(N * KV, 1), randv(N * D, 1), B, T, NH, NKV, HS};
    float *dq = zeros(N * D), *dk = zeros(N * KV), *dv = zeros(N * KV), *scr = zeros(B * NH * T * T);
    double l0 = att_loss(&c);
    CHECK(isfinite(l0), "attention forward runs (NH %zu, NKV %zu)", NH, NKV);
    /* rows are distributions over j <= i */
    int ok = 1;
    for (size_t bh = 0; bh < B * NH; bh++)
        for (size_t i = 0; i < T; i++) {
            double s = 0;
            for (size_t j = 0; j < T; j++) {
                float p = c.att[(bh * T + i) * T + j];
                if (j > i && p != 0.0f) ok = 0;
                s += p;
            }
            if (fabs(s - 1) > 1e-5) ok = 0;
        }
    CHECK(ok, "attention: causal rows sum to 1");
    CHECK(sw_attention_backward(dq, dk, dv, scr, c.r, c.att, c.q, c.k, c.v, B, T, NH, NKV, HS, 2) == SWIGLU_OK,
          "attention backward runs");
    char name[64];
    snprintf(name, sizeof name, "attention dq (NH %zu NKV %zu)", NH, NKV);
    check_dir(name, att_loss, &c, c.q, dq, N * D, 1e-3, 3e-3);
    snprintf(name, sizeof name, "attention dk (NH %zu NKV %zu)", NH, NKV);
    check_dir(name, att_loss, &c, c.k, dk, N * KV, 1e-3, 3e-3);
    snprintf(name, sizeof name, "attention dv (NH %zu NKV %zu)", NH, NKV);
    check_dir(name, att_loss, &c, c.v, dv, N * KV, 1e-3, 3e-3);
    /* causality: changing the last token's k, v leaves earlier outputs alone */
    float *y0 = malloc(N * D * 4);
    memcpy(y0, c.y, N * D * 4);
    for (size_t j = 0; j < KV; j++) { c.k[(T - 1) * KV + j] += 1; c.v[(T - 1) * KV + j] -= 1; }
    att_loss(&c);
    CHECK(!memcmp(y0, c.y, (T - 1) * D * 4), "attention is causal");
    free(y0); free(c.y); free(c.att); free(c.q); free(c.k); free(c.v); free(c.r);
    free(dq); free(dk); free(dv); free(scr);
}

/* ---- linear ---- */
typedef struct { float *y, *x, *w, *r; size_t N, in, out; } lin_ctx;
static double lin_loss(void *c_)
{
    lin_ctx *c = c_;
    if (sw_linear_forward(c->y, c->x, c->w, c->N, c->in, c->out)) return NAN;
    return dot(c->r, c->y, c->N * c->out);
}
static void test_linear(void)
{
    size_t N = 9, in = 13, out = 7;
    lin_ctx c = {zeros(N * out), randv(N * in, 1), randv(out * in, 1), randv(N * out, 1), N, in, out};
    float *dx = zeros(N * in), *dw = zeros(out * in);
    lin_loss(&c);
    /* y[0][0] = sum_i x[0][i] w[0][i] */
    double y00 = dot(c.x, c.w, in);
    CHECK(fabs(c.y[0] - y00) < 1e-5 * (fabs(y00) + 1), "linear: y = x W^T");
    CHECK(sw_linear_backward(dx, dw, c.r, c.x, c.w, N, in, out) == SWIGLU_OK, "linear backward runs");
    check_dir("linear dx", lin_loss, &c, c.x, dx, N * in, 1e-2, 1e-3);
    check_dir("linear dw", lin_loss, &c, c.w, dw, out * in, 1e-2, 1e-3);
    free(c.y); free(c.x); free(c.w); free(c.r); free(dx); free(dw);
}

/* ---- cross-entropy ---- */
typedef struct { float *loss, *p, *z; int *t; size_t N, V; } ce_ctx;
static double ce_loss(void *c_)
{
    ce_ctx *c = c_;
    sw_crossentropy_forward(c->loss, c->p, c->z, c->t, c->N, c->V);
    double s = 0;
    for (size_t n = 0; n < c->N; n++) s += c->loss[n];
    return s;
}
static void test_crossentropy(void)
{
    size_t N = 5, V = 11;
    int t[5] = {0, 3, 10, -1, 7};
    ce_ctx c = {zeros(N), zeros(N * V), randv(N * V, 2), t, N, V};
    float *dz = zeros(N * V);
    ce_loss(&c);
    CHECK(c.loss[3] == 0.0f, "cross-entropy: target -1 has no loss");
    sw_crossentropy_backward(dz, c.p, t, N, V, 1.0f);
    check_dir("cross-entropy dlogits", ce_loss, &c, c.z, dz, N * V, 1e-3, 1e-3);
    /* uniform logits: loss = ln V */
    float *z0 = zeros(V), l;
    int t0 = 4;
    sw_crossentropy_forward(&l, z0, z0, &t0, 1, V);
    CHECK(fabs(l - log((double)V)) < 1e-6, "cross-entropy of uniform logits = ln V (%.7f)", l);
    /* in place: dlogits == probs */
    float *p2 = malloc(N * V * 4);
    memcpy(p2, c.p, N * V * 4);
    sw_crossentropy_backward(p2, p2, t, N, V, 1.0f);
    CHECK(!memcmp(p2, dz, N * V * 4), "cross-entropy backward in place");
    free(c.loss); free(c.p); free(c.z); free(dz); free(z0); free(p2);
}

/* ---- embedding ---- */
static void test_embedding(void)
{
    size_t V = 5, D = 40, N = 7;
    int tok[7] = {1, 4, 1, 0, 1, 3, 4};
    float *emb = randv(V * D, 1), *out = zeros(N * D), *dout = randv(N * D, 1), *demb = zeros(V * D);
    sw_embedding_forward(out, emb, tok, N, D);
    CHECK(!memcmp(out + 2 * D, emb + 1 * D, D * 4), "embedding lookup");
    sw_embedding_backward(demb, dout, tok, N, D);
    float want = dout[0 * D + 3] + dout[2 * D + 3] + dout[4 * D + 3];
    CHECK(demb[1 * D + 3] == want, "embedding backward sums repeated tokens in order");
    CHECK(demb[2 * D + 7] == 0.0f, "embedding backward: unused rows stay 0");
    free(emb); free(out); free(dout); free(demb);
}

/* ---- AdamW: one step against the formula in double ---- */
static void test_adamw(void)
{
    size_t n = 100;
    float *p = randv(n, 1), *m = randv(n, 0.1), *v = zeros(n), *g = randv(n, 1);
    for (size_t i = 0; i < n; i++) v[i] = (float)fabs(tl_normal(&rng)) * 0.01f;
    float *p0 = malloc(n * 4), *m0 = malloc(n * 4), *v0 = malloc(n * 4);
    memcpy(p0, p, n * 4); memcpy(m0, m, n * 4); memcpy(v0, v, n * 4);
    double lr = 1e-2, b1 = 0.9, b2 = 0.95, eps = 1e-8, wd = 0.1;
    long long t = 3;
    sw_adamw_update(p, m, v, g, n, (float)lr, (float)b1, (float)b2, (float)eps, (float)wd, t, 2);
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double mm = b1 * m0[i] + (1 - b1) * g[i], vv = b2 * v0[i] + (1 - b2) * (double)g[i] * g[i];
        double pp = p0[i] * (1 - lr * wd) - lr * (mm / (1 - pow(b1, t))) / (sqrt(vv / (1 - pow(b2, t))) + eps);
        double e = fabs(pp - p[i]);
        if (e > worst) worst = e;
    }
    CHECK(worst < 1e-5, "adamw matches the formula (max err %.2e)", worst);
    free(p); free(m); free(v); free(g); free(p0); free(m0); free(v0);
}

/* ---- the softmax kernels (kernels/matvec.h), every ISA the CPU has ----
 * against a double softmax: every length 1..80 (vector bodies and tails),
 * scores up to +-60 (e^ spans 2^-170..1 after the max), a row whose other
 * entries are -inf (weight below 1.3e-38: the vector e^ clamps its argument
 * at -87.3, the smallest normal); the weights sum to 1. */
static void test_softmax_kernels(void)
{
    tl_rng r = {31};
    for (int isa = 0; isa < SWIGLU_ISA_COUNT; isa++) {
        if (!swiglu_isa_supported((swiglu_isa)isa)) continue;
        sw_softmax_fn sm = sw_softmax_for((swiglu_isa)isa);
        double worst = 0, worst_sum = 0;
        float x[80];
        double e[80];
        for (size_t n = 1; n <= 80; n++)
            for (int rep = 0; rep < 20; rep++) {
                double spread = rep < 10 ? 4.0 : 60.0, mx = -INFINITY, s = 0;
                for (size_t t = 0; t < n; t++) x[t] = (float)tl_uniform(&r, -spread, spread);
                for (size_t t = 0; t < n; t++) mx = fmax(mx, x[t]);
                for (size_t t = 0; t < n; t++) s += e[t] = exp((double)x[t] - mx);
                sm(x, n);
                double sum = 0;
                for (size_t t = 0; t < n; t++) {
                    double want = e[t] / s;
                    worst = fmax(worst, fabs(x[t] - want) / (want + 1e-30) * (want > 1e-30));
                    sum += x[t];
                }
                worst_sum = fmax(worst_sum, fabs(sum - 1.0));
            }
        /* bound: the float sum of up to 80 weights (n eps / 2 = 4.8e-6), and e^ itself */
        CHECK(worst < 1e-5, "softmax kernel %s: relative error %.3g (bound 1e-5)",
              swiglu_isa_name((swiglu_isa)isa), worst);
        CHECK(worst_sum < 1e-5, "softmax kernel %s: weights sum to 1 within %.3g", swiglu_isa_name((swiglu_isa)isa), worst_sum);
        float y[19];
        for (int t = 0; t < 19; t++) y[t] = -INFINITY;
        y[7] = 3.5f;
        sm(y, 19);
        int ok = y[7] == 1.0f;
        for (int t = 0; t < 19; t++) if (t != 7 && !(y[t] >= 0.0f && y[t] < 1.3e-38f)) ok = 0;
        CHECK(ok, "softmax kernel %s: -inf entries weigh (next to) nothing", swiglu_isa_name((swiglu_isa)isa));
    }
}

/* ---- the AdamW kernels (kernels/adamw.h): every ISA gives the scalar
 * twin's bits, with and without clipping, every tail length ---- */
static void test_adamw_kernels(void)
{
    enum { N = 1000 };
    static float p0[N], m0[N], v0[N], g0[N], p[2][N], m[2][N], v[2][N], g[2][N];
    tl_rng r = {77};
    for (int i = 0; i < N; i++) {
        p0[i] = (float)tl_uniform(&r, -1, 1); m0[i] = (float)tl_uniform(&r, -1e-2, 1e-2);
        v0[i] = (float)tl_uniform(&r, 0, 1e-4); g0[i] = (float)tl_uniform(&r, -0.1, 0.1);
    }
    g0[5] = 0.0f; v0[5] = 0.0f; m0[5] = 0.0f;   /* sqrt(0) + eps */
    sw_adamw_coef c = {0.9f, 0.95f, 1e-8f, 1e-3f / 0.1f, 1.0f / sqrtf(0.05f), 1.0f - 1e-3f * 0.1f};
    for (int isa = 0; isa < SWIGLU_ISA_COUNT; isa++) {
        if (!swiglu_isa_supported((swiglu_isa)isa)) continue;
        sw_adamw_fn k = sw_adamw_for((swiglu_isa)isa);
        size_t bad = 0;
        for (int clip = 0; clip < 2; clip++)
            for (size_t n = 1; n <= 40; n++) {
                size_t len = n < 40 ? n : N;
                for (int w = 0; w < 2; w++) {
                    memcpy(p[w], p0, sizeof p0); memcpy(m[w], m0, sizeof m0);
                    memcpy(v[w], v0, sizeof v0); memcpy(g[w], g0, sizeof g0);
                }
                float gs = clip ? 0.37f : 1.0f;
                sw_adamw_ref(p[0], m[0], v[0], g[0], len, &c, gs);
                k(p[1], m[1], v[1], g[1], len, &c, gs);
                bad += memcmp(p[0], p[1], sizeof p0) != 0 || memcmp(m[0], m[1], sizeof m0) != 0 ||
                       memcmp(v[0], v[1], sizeof v0) != 0 || memcmp(g[0], g[1], sizeof g0) != 0;
            }
        CHECK(bad == 0, "adamw kernel %s: %zu of 80 runs differ from the scalar twin's bits",
              swiglu_isa_name((swiglu_isa)isa), bad);
    }
}

int main(void)
{
    swiglu_threads_set(2);
    test_rmsnorm();
    test_rope();
    test_attention(4, 4);
    test_attention(4, 2);
    test_attention(6, 1);
    test_linear();
    test_crossentropy();
    test_embedding();
    test_adamw();
    test_softmax_kernels();
    test_adamw_kernels();
    return tl_finish("test_layers");
}
