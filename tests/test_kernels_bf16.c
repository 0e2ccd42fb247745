/* test_kernels_bf16.c -- the bf16 elementwise API (swiglu_*_bf16): on every
 * ISA, every activation, GLU variant and layout, odd lengths and tails,
 * forward, backward overwrite and accumulate, in place and ranges, each
 * output is bit for bit the bf16 rounding of the float function's output on
 * the widened inputs (the header's promise); the SIMD ISAs agree with ref
 * within one bf16 ulp (they agree with each other in fp32 to a few float
 * ulps, so a rounding boundary can fall between them); the widening kernel
 * of every ISA is exact on all 65536 bit patterns; bad arguments give
 * statuses. Legend: rows x n elements; g gate, u up, d upstream gradient. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "swiglu.h"
#include "testlib.h"
#include "core/bf16.h"
#include "kernels/kernels.h"

static const size_t lens[] = {1, 2, 7, 15, 16, 17, 31, 33, 64, 100, 255, 256, 257, 300, 513};
#define NLEN (sizeof lens / sizeof lens[0])
#define ROWS 3
#define MAXN 513
#define CAP (ROWS * (2 * MAXN + 5))
static const uint16_t SENT = 0x4b00;  /* 8388608.0: padding the calls must not touch */

static int isa_list(swiglu_isa *out)
{
    int k = 0;
    for (int i = 0; i < SWIGLU_ISA_COUNT; i++)
        if (swiglu_isa_supported((swiglu_isa)i)) out[k++] = (swiglu_isa)i;
    return k;
}

/* random bf16 on [-lo, hi), with non-finite and huge values at a few
 * positions when `special` */
static void fill(uint16_t *p, size_t n, tl_rng *r, double a, int special)
{
    for (size_t i = 0; i < n; i++) p[i] = sw_f32_to_bf16((float)tl_uniform(r, -a, a));
    if (special && n > 8) {
        p[n / 3] = 0x7fc0;    /* NaN */
        p[n / 2] = 0x7f80;    /* +inf */
        p[n - 2] = 0xff80;    /* -inf */
        p[n / 5] = 0x7149;    /* ~1e30 */
    }
}

static void widen(float *f, const uint16_t *h, size_t n)
{
    for (size_t i = 0; i < n; i++) f[i] = sw_bf16_to_f32(h[i]);
}

/* 1 when h[i] == bf16(f[i]) for every i (NaN: any quiet NaN of both) */
static int same_rounded(const uint16_t *h, const float *f, size_t n, size_t *at)
{
    for (size_t i = 0; i < n; i++) {
        uint16_t w = sw_f32_to_bf16(f[i]);
        if (h[i] != w && !(isnan(f[i]) && isnan(sw_bf16_to_f32(h[i])))) { *at = i; return 0; }
    }
    return 1;
}

/* largest distance in bf16 steps between finite a[i] and b[i]; a NaN in one
 * and not the other counts as 1000 */
static unsigned bf16_dist(const uint16_t *a, const uint16_t *b, size_t n)
{
    unsigned w = 0;
    for (size_t i = 0; i < n; i++) {
        float x = sw_bf16_to_f32(a[i]), y = sw_bf16_to_f32(b[i]);
        if (isnan(x) || isnan(y)) { if (isnan(x) != isnan(y)) w = 1000; continue; }
        int32_t ia = (a[i] & 0x8000) ? -(int32_t)(a[i] & 0x7fff) : (int32_t)a[i];
        int32_t ib = (b[i] & 0x8000) ? -(int32_t)(b[i] & 0x7fff) : (int32_t)b[i];
        unsigned d = (unsigned)abs(ia - ib);
        if (d > w) w = d;
    }
    return w;
}

static void widen_exact(void)
{
    swiglu_isa isas[SWIGLU_ISA_COUNT];
    int nisa = isa_list(isas);
    uint16_t *h = malloc(65536 * 2 + 2);
    float *f = malloc(65536 * 4 + 4);
    for (uint32_t i = 0; i < 65536; i++) h[i] = (uint16_t)i;
    for (int k = 0; k < nisa; k++) {
        const sw_kernels *kt = sw_kernels_for(isas[k]);
        int bad = 0;
        for (size_t off = 0; off < 3; off++) {   /* unaligned starts and tails */
            kt->from_bf16(f, h + off, 65536 - off);
            for (uint32_t i = 0; i + off < 65536; i++) {
                uint32_t want = (uint32_t)h[i + off] << 16, got;
                memcpy(&got, &f[i], 4);
                bad += got != want;
            }
        }
        CHECK(bad == 0, "%s from_bf16: %d of 3 x 65536 values not exact", kt->name, bad);
    }
    free(h);
    free(f);
}

/* GLU: every ISA, variant, layout, length: fwd, bwd (overwrite, accumulate) */
static void glu_exact(void)
{
    swiglu_isa isas[SWIGLU_ISA_COUNT];
    int nisa = isa_list(isas);
    tl_rng r = {18};
    uint16_t *in = malloc(CAP * 2), *up = malloc(CAP * 2), *d = malloc(CAP * 2);
    uint16_t *o = malloc(CAP * 2), *o2 = malloc(CAP * 2), *oref[2] = {malloc(CAP * 2), malloc(CAP * 2)};
    float *fin = malloc(CAP * 4), *fup = malloc(CAP * 4), *fd = malloc(CAP * 4);
    float *fo = malloc(CAP * 4), *fo2 = malloc(CAP * 4);
    int bad = 0, checked = 0;
    unsigned worst_vs_ref = 0;
    for (size_t t = 0; t < NLEN; t++) {
        size_t n = lens[t];
        for (int lay = 0; lay < SWIGLU_LAYOUT_COUNT; lay++) {
            int split = lay == SWIGLU_LAYOUT_SPLIT;
            size_t ld_in = (split ? n : 2 * n) + 3, ld_out = n + 2, ld_dg = ld_in;
            size_t nin = ROWS * ld_in, nout = ROWS * ld_out;
            fill(in, nin, &r, 6, t % 3 == 2); fill(up, nin, &r, 6, 0); fill(d, nout, &r, 2, 0);
            widen(fin, in, nin); widen(fup, up, nin); widen(fd, d, nout);
            for (int v = 0; v < SWIGLU_GLU_COUNT; v++) {
                swiglu_gate gate;
                swiglu_gate_init(&gate, (swiglu_glu)v);
                if (v == SWIGLU_GLU_SWIGLU) gate.beta = 1.3f;   /* a learned beta's value */
                const uint16_t *hu = split ? up : NULL;
                const float *fu = split ? fup : NULL;
                for (int k = 0; k < nisa; k++) {
                    swiglu_isa_set(isas[k]);
                    size_t at = 0;
                    /* forward */
                    for (size_t i = 0; i < nout; i++) o[i] = SENT;
                    widen(fo, o, nout);
                    int s1 = swiglu_glu_forward_bf16(o, ld_out, in, hu, ld_in, ROWS, n, (swiglu_layout)lay, &gate);
                    int s2 = swiglu_glu_forward(fo, ld_out, fin, fu, ld_in, ROWS, n, (swiglu_layout)lay, &gate);
                    checked++;
                    if (s1 || s2 || !same_rounded(o, fo, nout, &at)) {
                        if (bad++ < 5) CHECK(0, "%s fwd %s layout %d n %zu: status %d/%d, element %zu", swiglu_isa_name(isas[k]), swiglu_glu_name((swiglu_glu)v), lay, n, s1, s2, at);
                    }
                    if (isas[k] == SWIGLU_ISA_REF) memcpy(oref[0], o, nout * 2);
                    else { unsigned dd = bf16_dist(o, oref[0], nout); if (dd > worst_vs_ref) worst_vs_ref = dd; }
                    /* backward: overwrite, then accumulate onto random gradients */
                    for (int acc = 0; acc < 2; acc++) {
                        size_t ng = ROWS * ld_dg;
                        if (acc) fill(o, ng, &r, 1, 0); else for (size_t i = 0; i < ng; i++) o[i] = SENT;
                        memcpy(o2, o, ng * 2);
                        widen(fo, o, ng); widen(fo2, o2, ng);
                        float db1 = 0.5f, db2 = 0.5f;
                        unsigned fl = acc ? 0 : SWIGLU_BWD_OVERWRITE;
                        s1 = swiglu_glu_backward_bf16(o, split ? o2 : NULL, ld_dg, &db1, d, ld_out, in, hu, ld_in, ROWS, n, (swiglu_layout)lay, &gate, fl);
                        s2 = swiglu_glu_backward(fo, split ? fo2 : NULL, ld_dg, &db2, fd, ld_out, fin, fu, ld_in, ROWS, n, (swiglu_layout)lay, &gate, fl);
                        checked++;
                        int ok = !s1 && !s2 && same_rounded(o, fo, ng, &at) && (!split || same_rounded(o2, fo2, ng, &at));
                        ok &= db1 == db2 || fabsf(db1 - db2) <= 1e-5f * (fabsf(db2) + 1) || (isnan(db1) && isnan(db2));
                        if (!ok && bad++ < 5)
                            CHECK(0, "%s bwd(acc %d) %s layout %d n %zu: status %d/%d, element %zu, dbeta %g/%g", swiglu_isa_name(isas[k]), acc, swiglu_glu_name((swiglu_glu)v), lay, n, s1, s2, at, db1, db2);
                        if (!acc) {
                            if (isas[k] == SWIGLU_ISA_REF) memcpy(oref[1], o, ng * 2);
                            else { unsigned dd = bf16_dist(o, oref[1], ng); if (dd > worst_vs_ref) worst_vs_ref = dd; }
                        }
                    }
                }
            }
        }
    }
    swiglu_isa_set(isas[nisa - 1]);
    printf("  glu bf16: %d calls bit for bit the rounded float calls; SIMD vs ref: at most %u bf16 ulp\n", checked - bad, worst_vs_ref);
    CHECK(bad == 0, "glu bf16: %d of %d calls differ from the rounded float call", bad, checked);
    CHECK(worst_vs_ref <= 1, "glu bf16: SIMD ISAs %u bf16 ulp from ref (bound 1)", worst_vs_ref);
    free(in); free(up); free(d); free(o); free(o2); free(oref[0]); free(oref[1]);
    free(fin); free(fup); free(fd); free(fo); free(fo2);
}

/* activations: every ISA, activation, length; fwd, in place, bwd both modes */
static void act_exact(void)
{
    swiglu_isa isas[SWIGLU_ISA_COUNT];
    int nisa = isa_list(isas);
    tl_rng r = {81};
    enum { N = 1029 };
    uint16_t x[N], d[N], o[N], o2[N], oref[N];
    float fx[N], fd[N], fo[N];
    int bad = 0, checked = 0;
    unsigned worst = 0;
    for (size_t t = 0; t < NLEN; t++) {
        size_t n = lens[t] * 2 + 1;
        fill(x, n, &r, 9, t % 2); fill(d, n, &r, 2, 0);
        widen(fx, x, n); widen(fd, d, n);
        for (int a = 0; a < SWIGLU_ACT_COUNT; a++)
            for (int k = 0; k < nisa; k++) {
                swiglu_isa_set(isas[k]);
                float beta = a == SWIGLU_ACT_SWISH ? 0.7f : 1.0f;
                size_t at = 0;
                int s1 = swiglu_act_forward_bf16(o, x, n, (swiglu_act)a, beta);
                int s2 = swiglu_act_forward(fo, fx, n, (swiglu_act)a, beta);
                memcpy(o2, x, n * 2);
                int s3 = swiglu_act_forward_bf16(o2, o2, n, (swiglu_act)a, beta);   /* in place */
                checked++;
                if (s1 || s2 || s3 || !same_rounded(o, fo, n, &at) || memcmp(o, o2, n * 2))
                    if (bad++ < 5) CHECK(0, "%s act %s fwd n %zu: status %d/%d/%d element %zu", swiglu_isa_name(isas[k]), swiglu_act_name((swiglu_act)a), n, s1, s2, s3, at);
                if (isas[k] == SWIGLU_ISA_REF) memcpy(oref, o, n * 2);
                else { unsigned dd = bf16_dist(o, oref, n); if (dd > worst) worst = dd; }
                for (int acc = 0; acc < 2; acc++) {
                    fill(o, n, &r, 1, 0);
                    widen(fo, o, n);
                    float db1 = 0, db2 = 0;
                    unsigned fl = acc ? 0 : SWIGLU_BWD_OVERWRITE;
                    s1 = swiglu_act_backward_bf16(o, &db1, d, x, n, (swiglu_act)a, beta, fl);
                    s2 = swiglu_act_backward(fo, &db2, fd, fx, n, (swiglu_act)a, beta, fl);
                    checked++;
                    int ok = !s1 && !s2 && same_rounded(o, fo, n, &at);
                    ok &= db1 == db2 || fabsf(db1 - db2) <= 1e-5f * (fabsf(db2) + 1) || (isnan(db1) && isnan(db2));
                    if (!ok && bad++ < 5) CHECK(0, "%s act %s bwd(acc %d) n %zu: element %zu, dbeta %g/%g", swiglu_isa_name(isas[k]), swiglu_act_name((swiglu_act)a), acc, n, at, db1, db2);
                }
            }
    }
    swiglu_isa_set(isas[nisa - 1]);
    printf("  act bf16: %d calls bit for bit the rounded float calls; SIMD vs ref: at most %u bf16 ulp\n", checked - bad, worst);
    CHECK(bad == 0, "act bf16: %d of %d calls differ from the rounded float call", bad, checked);
    CHECK(worst <= 1, "act bf16: SIMD ISAs %u bf16 ulp from ref (bound 1)", worst);
}

/* ranges: pieces of the index space give the rounded float ranges' values,
 * and the dbeta partials add up */
static void ranges(void)
{
    enum { R = 4, NN = 45, T = R * NN };
    tl_rng r = {5};
    uint16_t g[T], u[T], d[T], o[T], dg[T], du[T];
    float fg[T], fu[T], fd[T], fo[T], fdg[T], fdu[T];
    fill(g, T, &r, 5, 0); fill(u, T, &r, 5, 0); fill(d, T, &r, 1, 0);
    widen(fg, g, T); widen(fu, u, T); widen(fd, d, T);
    swiglu_gate gate;
    swiglu_gate_init(&gate, SWIGLU_GLU_SWIGLU);
    static const size_t cut[] = {0, 13, 64, 100, T};
    double db = 0, fdb = 0;
    int ok = 1;
    for (int c = 0; c < 4; c++) {
        ok &= swiglu_glu_forward_range_bf16(o, NN, g, u, NN, R, NN, SWIGLU_LAYOUT_SPLIT, &gate, cut[c], cut[c + 1]) == SWIGLU_OK;
        ok &= swiglu_glu_forward_range(fo, NN, fg, fu, NN, R, NN, SWIGLU_LAYOUT_SPLIT, &gate, cut[c], cut[c + 1]) == SWIGLU_OK;
        ok &= swiglu_glu_backward_range_bf16(dg, du, NN, &db, d, NN, g, u, NN, R, NN, SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE, cut[c], cut[c + 1]) == SWIGLU_OK;
        ok &= swiglu_glu_backward_range(fdg, fdu, NN, &fdb, fd, NN, fg, fu, NN, R, NN, SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE, cut[c], cut[c + 1]) == SWIGLU_OK;
    }
    size_t at;
    CHECK(ok && same_rounded(o, fo, T, &at) && same_rounded(dg, fdg, T, &at) && same_rounded(du, fdu, T, &at),
          "glu ranges: bf16 pieces are the rounded float pieces");
    CHECK(fabs(db - fdb) <= 1e-9 * (fabs(fdb) + 1), "glu ranges: dbeta partials %.17g vs %.17g", db, fdb);
    double adb = 0, afdb = 0;
    ok = 1;
    for (int c = 0; c < 4; c++) {
        ok &= swiglu_act_forward_range_bf16(o, g, T, SWIGLU_ACT_GELU_TANH, 1.0f, cut[c], cut[c + 1]) == SWIGLU_OK;
        ok &= swiglu_act_forward_range(fo, fg, T, SWIGLU_ACT_GELU_TANH, 1.0f, cut[c], cut[c + 1]) == SWIGLU_OK;
        ok &= swiglu_act_backward_range_bf16(dg, &adb, d, g, T, SWIGLU_ACT_SWISH, 1.2f, SWIGLU_BWD_OVERWRITE, cut[c], cut[c + 1]) == SWIGLU_OK;
        ok &= swiglu_act_backward_range(fdg, &afdb, fd, fg, T, SWIGLU_ACT_SWISH, 1.2f, SWIGLU_BWD_OVERWRITE, cut[c], cut[c + 1]) == SWIGLU_OK;
    }
    CHECK(ok && same_rounded(o, fo, T, &at) && same_rounded(dg, fdg, T, &at), "act ranges: bf16 pieces are the rounded float pieces");
    CHECK(fabs(adb - afdb) <= 1e-9 * (fabs(afdb) + 1) && adb != 0, "act ranges: dbeta partials %.17g vs %.17g", adb, afdb);
    CHECK(swiglu_glu_forward_range_bf16(o, NN, g, u, NN, R, NN, SWIGLU_LAYOUT_SPLIT, &gate, 5, T + 1) == SWIGLU_ERR_SIZE, "range past the end");
}

/* values a reader can check by hand: swiglu(2, 3) = 2 sigmoid(2) 3 = 5.2842... -> bf16 5.28125 */
static void known_values(void)
{
    uint16_t g = sw_f32_to_bf16(2.0f), u = sw_f32_to_bf16(3.0f), o = 0;
    swiglu_gate gate;
    swiglu_gate_init(&gate, SWIGLU_GLU_SWIGLU);
    CHECK(swiglu_glu_forward_bf16(&o, 1, &g, &u, 1, 1, 1, SWIGLU_LAYOUT_SPLIT, &gate) == SWIGLU_OK, "1 x 1 swiglu");
    CHECK(sw_bf16_to_f32(o) == 5.28125f, "swiglu(2, 3) in bf16: %g, want 5.28125 (5.2842 rounded)", (double)sw_bf16_to_f32(o));
    /* accumulate: dx = bf16(1 + 1 * relu'(1)) = 2 */
    uint16_t dx = sw_f32_to_bf16(1.0f), one = sw_f32_to_bf16(1.0f);
    CHECK(swiglu_act_backward_bf16(&dx, NULL, &one, &one, 1, SWIGLU_ACT_RELU, 1.0f, 0) == SWIGLU_OK && dx == sw_f32_to_bf16(2.0f),
          "relu backward accumulates: %g, want 2", (double)sw_bf16_to_f32(dx));
}

static void bad_input(void)
{
    uint16_t buf[64] = {0}, out[64];
    float db = 0;
    swiglu_gate gate;
    swiglu_gate_init(&gate, SWIGLU_GLU_GEGLU);
    uint16_t *odd = (uint16_t *)(void *)((char *)out + 1);
    CHECK(swiglu_glu_forward_bf16(odd, 8, buf, buf + 8, 8, 2, 8, SWIGLU_LAYOUT_SPLIT, &gate) == SWIGLU_ERR_ARG, "misaligned out");
    CHECK(swiglu_act_forward_bf16(out, (uint16_t *)(void *)((char *)buf + 1), 4, SWIGLU_ACT_RELU, 1) == SWIGLU_ERR_ARG, "misaligned x");
    CHECK(swiglu_glu_forward_bf16(out, 8, NULL, buf, 8, 2, 8, SWIGLU_LAYOUT_SPLIT, &gate) == SWIGLU_ERR_NULL, "NULL gate");
    CHECK(swiglu_glu_forward_bf16(out, 8, buf, buf, 8, 2, 8, SWIGLU_LAYOUT_GATE_UP, &gate) == SWIGLU_ERR_ARG, "up with a packed layout");
    CHECK(swiglu_glu_forward_bf16(out, 8, buf, NULL, 15, 2, 8, SWIGLU_LAYOUT_GATE_UP, &gate) == SWIGLU_ERR_SIZE, "ld < 2n");
    CHECK(swiglu_glu_forward_bf16(out, 8, buf, NULL, 16, SIZE_MAX, 8, SWIGLU_LAYOUT_GATE_UP, &gate) == SWIGLU_ERR_SIZE, "rows * n overflows");
    CHECK(swiglu_glu_forward_bf16(buf + 1, 8, buf, buf + 16, 8, 2, 8, SWIGLU_LAYOUT_SPLIT, &gate) == SWIGLU_ERR_ALIAS, "out one element off the gate");
    CHECK(swiglu_glu_forward_bf16(buf, 8, buf, buf + 16, 8, 2, 8, SWIGLU_LAYOUT_SPLIT, &gate) == SWIGLU_OK, "out exactly the gate (in place)");
    CHECK(swiglu_act_forward_bf16(buf + 1, buf, 8, SWIGLU_ACT_RELU, 1) == SWIGLU_ERR_ALIAS, "act out one element off x");
    CHECK(swiglu_act_backward_bf16(out, (float *)(void *)out, buf, buf, 8, SWIGLU_ACT_SWISH, 1, 0) == SWIGLU_ERR_ALIAS, "dbeta inside dx");
    CHECK(swiglu_act_backward_bf16(out, &db, buf, buf, 8, SWIGLU_ACT_SWISH, 1, 4u) == SWIGLU_ERR_ARG, "unknown flag");
    CHECK(swiglu_glu_backward_bf16(out, out + 32, 8, &db, buf, 8, buf + 16, buf + 32, 8, 2, 8, SWIGLU_LAYOUT_SPLIT, &gate, 0) == SWIGLU_OK, "a valid backward");
    CHECK(swiglu_glu_backward_bf16(out, out, 8, &db, buf, 8, buf + 16, buf + 32, 8, 2, 8, SWIGLU_LAYOUT_SPLIT, &gate, 0) == SWIGLU_ERR_ALIAS, "din == dup");
    CHECK(swiglu_act_forward_bf16(NULL, NULL, 0, SWIGLU_ACT_RELU, 1) == SWIGLU_OK, "n = 0 is a no-op");
}

int main(void)
{
    widen_exact();
    glu_exact();
    act_exact();
    ranges();
    known_values();
    bad_input();
    return tl_finish("test_kernels_bf16");
}
