/* test_act_accuracy.c -- accuracy of every activation and GLU product,
 * forward and backward, on every ISA this CPU runs, against the tests' own
 * long-double reference (tests/support/actref.h).
 *
 *   default       >= 10^7 sampled inputs per unary activation (every special
 *                 value among them), 2 10^6 per GLU variant, backward 10^6
 *   --exhaustive  all 2^32 float inputs of each transcendental activation
 *                 (sigmoid, swish with beta = 1, gelu_erf, gelu_tanh) on each
 *                 SIMD kernel set, against the double-precision reference
 *                 (libm's exp and erfc are within an ulp of double: 2^29
 *                 times finer than the float ulp measured here); and the
 *                 gelu_erf backward (d = 1) on all 2^32 inputs, whose
 *                 single-precision path has no double computation. The ref
 *                 set is left out there: it is those same libm calls. Minutes.
 *
 * Bounds (docs/KERNELS.md): forward <= 2 ulp (the kernels reach 1); backward
 * within 8 ulp or 1e-6 relative; dbeta within 1e-6 relative.
 * Legend: n elements; g gate, u up, d upstream gradient. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "swiglu.h"
#include "testlib.h"
#include "support/actref.h"
#include "kernels/kernels.h"   /* sw_gate.lowp: internal */
#ifdef _OPENMP
#include <omp.h>
#endif

#define CHUNK (1u << 20)
#define FWD_ULP_BOUND 2.0
#define BWD_ULP_BOUND 8.0
#define BWD_REL_BOUND 1e-6

typedef struct { int act; float beta; const char *name; } unary_case;
static const unary_case unary[] = {
    {SWIGLU_ACT_SIGMOID, 1.0f, "sigmoid"},   {SWIGLU_ACT_SWISH, 1.0f, "swish(b=1)"},
    {SWIGLU_ACT_SWISH, 1.702f, "swish(b=1.702)"}, {SWIGLU_ACT_SWISH, 0.5f, "swish(b=0.5)"},
    {SWIGLU_ACT_SWISH, -0.75f, "swish(b=-0.75)"},
    {SWIGLU_ACT_GELU_ERF, 1.0f, "gelu_erf"}, {SWIGLU_ACT_GELU_TANH, 1.0f, "gelu_tanh"},
    {SWIGLU_ACT_RELU, 1.0f, "relu"},         {SWIGLU_ACT_IDENTITY, 1.0f, "identity"},
};
#define NUNARY (sizeof unary / sizeof unary[0])

/* Every special value the issue names, and the boundaries where exp
 * overflows/underflows in float (88.72, -87.34, -103.97) and where a naive
 * 1 - sigmoid loses everything (16.75). */
static const float specials[] = {
    0.0f, -0.0f, INFINITY, -INFINITY, NAN, -NAN, 1e-45f, -1e-45f, 1e-40f, -1e-40f, FLT_MIN, -FLT_MIN,
    FLT_MAX, -FLT_MAX, 88.72f, -88.72f, 88.7228f, -87.3365f, 87.3365f, -103.97f, 103.97f, -104.0f,
    -150.0f, 150.0f, 16.75f, -16.75f, 17.0f, -100.0f, 100.0f, 1.0f, -1.0f, 0.5f, -0.5f, 1e-8f,
    -1e-8f, 3.4e38f, -3.4e38f, 9.0f, -9.0f, 15.0f, -15.0f, 20.0f, -20.0f, 0.75f * 1.41421356f,
    -0.75f * 1.41421356f, -1.2784645f, -0.7517915f, 709.0f, -709.0f, 745.2f, -745.2f, 1e30f, -1e30f,
};
#define NSPECIAL (sizeof specials / sizeof specials[0])

/* Inputs: a quarter each of random bit patterns (every binade, inf, NaN),
 * uniform on [-20, 20], uniform on [-150, 150], and +-2^U(-30, 8). */
static float sample(tl_rng *r, uint64_t i)
{
    switch (i & 3) {
    case 0: { uint32_t b = (uint32_t)tl_next(r); float f; memcpy(&f, &b, 4); return f; }
    case 1: return (float)tl_uniform(r, -20, 20);
    case 2: return (float)tl_uniform(r, -150, 150);
    default: { double m = ldexp(1.0, 0) * exp2(tl_uniform(r, -30, 8)); return (float)((tl_next(r) & 1) ? m : -m); }
    }
}

static int isa_list(swiglu_isa *out)
{
    int k = 0;
    for (int i = 0; i < SWIGLU_ISA_COUNT; i++)
        if (swiglu_isa_supported((swiglu_isa)i)) out[k++] = (swiglu_isa)i;
    return k;
}

/* ---- unary forward: sampled (>= 10^7) or exhaustive ---------------------- */

static void unary_forward(int exhaustive)
{
    swiglu_isa isas[SWIGLU_ISA_COUNT];
    int nisa = isa_list(isas);
    float *x = malloc(CHUNK * sizeof *x), *y = malloc(CHUNK * sizeof *y);
    double *ref = malloc(CHUNK * sizeof *ref);
    const uint64_t total = exhaustive ? (1ull << 32) : (uint64_t)(10000000.0 * tl_scale());
    for (size_t c = 0; c < NUNARY; c++) {
        const unary_case *uc = &unary[c];
        if (exhaustive && (uc->beta != 1.0f || uc->act == SWIGLU_ACT_RELU || uc->act == SWIGLU_ACT_IDENTITY)) continue;
        double worst[SWIGLU_ISA_COUNT] = {0};
        float worst_x[SWIGLU_ISA_COUNT] = {0};
        tl_rng rng = {0x5eed0000u + c};
        for (uint64_t base = 0; base < total; base += CHUNK) {
            size_t m = (size_t)(total - base < CHUNK ? total - base : CHUNK);
            for (size_t i = 0; i < m; i++) {
                if (exhaustive) { uint32_t b = (uint32_t)(base + i); memcpy(&x[i], &b, 4); }
                else x[i] = (base == 0 && i < NSPECIAL) ? specials[i] : sample(&rng, i);
            }
#pragma omp parallel for schedule(static)
            for (size_t i = 0; i < m; i++)
                ref[i] = exhaustive ? ref_act_dbl(uc->act, x[i], uc->beta) : (double)ref_act(uc->act, x[i], uc->beta);
            for (int k = 0; k < nisa; k++) {
                if (exhaustive && isas[k] == SWIGLU_ISA_REF) continue;
                swiglu_isa_set(isas[k]);
                CHECK(swiglu_act_forward(y, x, m, (swiglu_act)uc->act, uc->beta) == SWIGLU_OK, "act_forward status");
                /* largest error of this chunk, per thread, then merged in thread order */
                double cw[256] = {0};
                float cx[256] = {0};
                int nt = 1;
#pragma omp parallel
                {
#ifdef _OPENMP
                    int t = omp_get_thread_num();
#pragma omp single
                    nt = omp_get_num_threads();
#else
                    int t = 0;
#endif
#pragma omp for schedule(static)
                    for (size_t i = 0; i < m; i++) {
                        double e = tl_ulp_err(y[i], ref[i]);
                        if (t < 256 && e > cw[t]) { cw[t] = e; cx[t] = x[i]; }
                    }
                }
                for (int t = 0; t < nt && t < 256; t++)
                    if (cw[t] > worst[k]) { worst[k] = cw[t]; worst_x[k] = cx[t]; }
            }
        }
        for (int k = 0; k < nisa; k++) {
            if (exhaustive && isas[k] == SWIGLU_ISA_REF) continue;
            printf("  %-16s %-7s max error %.3f ulp (at x = %.9g) over %llu inputs\n", uc->name,
                   swiglu_isa_name(isas[k]), worst[k], worst_x[k], (unsigned long long)total);
            CHECK(worst[k] <= FWD_ULP_BOUND, "%s on %s: %.3f ulp at x = %.9g (bound %.1f)", uc->name,
                  swiglu_isa_name(isas[k]), worst[k], worst_x[k], FWD_ULP_BOUND);
        }
    }
    free(x); free(y); free(ref);
}

/* ---- special values: the limits, exactly --------------------------------- */

static float one_act(int act, float x, float beta)
{
    float y = -12345.0f;
    swiglu_act_forward(&y, &x, 1, (swiglu_act)act, beta);
    return y;
}

static int grad_ok(float got, long double want, double *worst_ulp);
static int grad_ok_any(float got, long double want, double *worst_ulp);

static void special_values(void)
{
    swiglu_isa isas[SWIGLU_ISA_COUNT];
    int nisa = isa_list(isas);
    for (int k = 0; k < nisa; k++) {
        swiglu_isa_set(isas[k]);
        const char *in = swiglu_isa_name(isas[k]);
        /* vectors of 32 so the SIMD body (not only the tail) sees them */
        float x[32], y[32];
        for (int i = 0; i < 32; i++) x[i] = -100.0f;
        swiglu_act_forward(y, x, 32, SWIGLU_ACT_SWISH, 1.0f);
        CHECK(y[0] < 0 && y[0] > -1e-41f && y[31] == y[0], "%s: silu(-100) = %g, want -3.7e-42", in, y[0]);
        CHECK(one_act(SWIGLU_ACT_SIGMOID, INFINITY, 1) == 1.0f, "%s: sigmoid(inf)", in);
        CHECK(one_act(SWIGLU_ACT_SIGMOID, -INFINITY, 1) == 0.0f, "%s: sigmoid(-inf)", in);
        CHECK(one_act(SWIGLU_ACT_SWISH, INFINITY, 1) == INFINITY, "%s: silu(inf)", in);
        CHECK(one_act(SWIGLU_ACT_SWISH, -INFINITY, 1) == 0.0f, "%s: silu(-inf)", in);
        CHECK(one_act(SWIGLU_ACT_GELU_ERF, -INFINITY, 1) == 0.0f, "%s: gelu(-inf)", in);
        CHECK(one_act(SWIGLU_ACT_GELU_TANH, INFINITY, 1) == INFINITY, "%s: gelu_tanh(inf)", in);
        CHECK(isnan(one_act(SWIGLU_ACT_SWISH, NAN, 1)) && isnan(one_act(SWIGLU_ACT_GELU_ERF, NAN, 1)) &&
              isnan(one_act(SWIGLU_ACT_RELU, NAN, 1)) && isnan(one_act(SWIGLU_ACT_SIGMOID, NAN, 1)),
              "%s: NaN propagates", in);
        CHECK(isfinite(one_act(SWIGLU_ACT_GELU_ERF, 150, 1)) && isfinite(one_act(SWIGLU_ACT_GELU_TANH, -150, 1)),
              "%s: gelu(+-150) finite", in);
        /* sigma'(20) = sigma(20) sigma(-20) = 2.06e-9, not 0 as sigma(1 - sigma) would give */
        float dx[32], d1[32];
        for (int i = 0; i < 32; i++) { x[i] = 20.0f; d1[i] = 1.0f; }
        swiglu_act_backward(dx, NULL, d1, x, 32, SWIGLU_ACT_SIGMOID, 1, SWIGLU_BWD_OVERWRITE);
        CHECK(fabs(dx[0] - 2.0611536e-9) < 1e-15 && dx[31] == dx[0], "%s: sigmoid'(20) = %g", in, dx[0]);
        for (int i = 0; i < 32; i++) x[i] = 17.0f;
        swiglu_act_backward(dx, NULL, d1, x, 32, SWIGLU_ACT_SIGMOID, 1, SWIGLU_BWD_OVERWRITE);
        CHECK(dx[0] > 0, "%s: sigmoid'(17) = %g, must not be 0", in, dx[0]);
        /* every activation's backward on the special values, inside full
         * vectors: an inf or NaN in x or d gives what the scalar reference
         * gives (NaN, or the limit; the single-precision GELU backward once
         * turned a NaN x in an otherwise ordinary vector into 1), a finite x
         * the usual bound. Two sets: the specials in order (vectors that also
         * hold -inf or x < -9 go to the fallback as a whole) and ordinary
         * vectors with one non-finite lane each (the fast paths). */
        for (size_t c = 0; c < NUNARY; c++) {
            const unary_case *uc = &unary[c];
            float xs[128], ds[128], gs[128], gr[128];
            for (int i = 0; i < 64; i++) { xs[i] = specials[i % NSPECIAL]; ds[i] = (i & 1) ? 0.5f : -2.0f; }
            for (int i = 64; i < 128; i++) { xs[i] = 0.5f + 0.01f * (float)i; ds[i] = 1.0f; }
            ds[7] = NAN; xs[7] = 0.25f; ds[9] = 0.0f; xs[9] = 1.5f;
            xs[69] = NAN; xs[85] = INFINITY; ds[101] = NAN; ds[117] = INFINITY; xs[118] = -NAN;
            swiglu_isa_set(SWIGLU_ISA_REF);
            swiglu_act_backward(gr, NULL, ds, xs, 128, (swiglu_act)uc->act, uc->beta, SWIGLU_BWD_OVERWRITE);
            swiglu_isa_set(isas[k]);
            CHECK(swiglu_act_backward(gs, NULL, ds, xs, 128, (swiglu_act)uc->act, uc->beta, SWIGLU_BWD_OVERWRITE) == SWIGLU_OK,
                  "act bwd status");
            /* every lane against the tests' own oracle (actref.h), the
             * non-finite ones too, and against the scalar kernel as well */
            size_t badn = 0, badr = 0;
            for (int i = 0; i < 128; i++) {
                double w = 0;
                badn += !grad_ok_any(gs[i], ref_grad(uc->act, ds[i], xs[i], uc->beta), &w);
                if (!isfinite(xs[i]) || !isfinite(ds[i])) badr += !(gs[i] == gr[i] || (isnan(gs[i]) && isnan(gr[i])));
            }
            CHECK(badn == 0 && badr == 0, "%s %s backward on special values: %zu wrong, %zu unlike the scalar kernel", uc->name,
                  in, badn, badr);
        }
    }
}

/* ---- GLU products, forward ---------------------------------------------- */

static long double ref_glu(const swiglu_gate *g, float gi, float ui)
{
    long double gv = gi, uv = ui;
    if (isfinite(g->limit) || g->up_shift != 0) {
        gv = gv > g->limit ? g->limit : gv;
        uv = (uv > g->limit ? g->limit : (uv < -g->limit ? -g->limit : uv)) + g->up_shift;
    }
    return ref_act(g->act, gv, g->beta) * uv;
}

static void glu_forward(void)
{
    swiglu_isa isas[SWIGLU_ISA_COUNT];
    int nisa = isa_list(isas);
    const size_t n = (size_t)(2000000.0 * tl_scale());
    float *gi = malloc(n * 4), *ui = malloc(n * 4), *y = malloc(n * 4);
    double *ref = malloc(n * 8);
    for (int v = 0; v < SWIGLU_GLU_COUNT; v++) {
        swiglu_gate gate;
        swiglu_gate_init(&gate, (swiglu_glu)v);
        tl_rng rng = {0x61u + (uint64_t)v};
        for (size_t i = 0; i < n; i++) {
            gi[i] = i < NSPECIAL ? specials[i] : sample(&rng, i);
            ui[i] = (float)tl_uniform(&rng, -12, 12);
        }
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++) ref[i] = (double)ref_glu(&gate, gi[i], ui[i]);
        for (int k = 0; k < nisa; k++) {
            swiglu_isa_set(isas[k]);
            CHECK(swiglu_glu_forward(y, n, gi, ui, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate) == SWIGLU_OK, "glu fwd");
            double worst = 0; float wg = 0, wu = 0;
            for (size_t i = 0; i < n; i++) {
                double e = tl_ulp_err(y[i], ref[i]);
                if (e > worst) { worst = e; wg = gi[i]; wu = ui[i]; }
            }
            printf("  %-16s %-7s max error %.3f ulp (g = %.9g, u = %.9g)\n", swiglu_glu_name((swiglu_glu)v),
                   swiglu_isa_name(isas[k]), worst, wg, wu);
            CHECK(worst <= FWD_ULP_BOUND, "%s on %s: %.3f ulp", swiglu_glu_name((swiglu_glu)v),
                  swiglu_isa_name(isas[k]), worst);
        }
    }
    free(gi); free(ui); free(y); free(ref);
}

/* ---- backward ------------------------------------------------------------ */

/* error of a gradient value against its reference, in the accepted sense:
 * fine when within BWD_ULP_BOUND ulp or BWD_REL_BOUND relative */
static int grad_ok(float got, long double want, double *worst_ulp)
{
    double e = tl_ulp_err(got, (double)want);
    if (e > *worst_ulp) *worst_ulp = e;
    if (e <= BWD_ULP_BOUND) return 1;
    return fabsl((long double)got - want) <= BWD_REL_BOUND * fabsl(want);
}

/* grad_ok for any expected value: a NaN must come out NaN, an infinity
 * exactly, a finite value within the bounds */
static int grad_ok_any(float got, long double want, double *worst_ulp)
{
    if (isnan(want)) return isnan(got);
    if (isinf(want)) return got == want;
    return grad_ok(got, want, worst_ulp);
}

/* the GLU's d up = scale * act(g), non-finite inputs included; with an
 * infinite scale act is rounded to double first (as in ref_grad) */
static long double ref_dup(int act, long double scale, long double x, long double beta)
{
    if (isnan(x) || isnan(scale)) return NAN;
    long double a = ref_act(act, x, beta);
    if (isinf(scale)) a = (double)a;
    return scale * a;
}

/* Non-finite and huge lanes spread through the sampled vectors (issue #22:
 * the sampled backward never saw |x| > 150, NaN or inf): one lane in 16
 * gets a non-finite x, one a non-finite d, one |x| in [150, 3.4e38]. */
static void add_nonfinite_lanes(float *x, float *d, size_t n, tl_rng *r)
{
    static const float nf[] = {NAN, -NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i + 16 <= n; i += 16) {
        x[i + 5] = nf[tl_next(r) & 3];
        d[i + 11] = nf[tl_next(r) & 3];
        float big = (float)exp2(tl_uniform(r, log2(150.0), 127.99));
        x[i + 13] = (tl_next(r) & 1) ? big : -big;
    }
}

static void backward(void)
{
    swiglu_isa isas[SWIGLU_ISA_COUNT];
    int nisa = isa_list(isas);
    const size_t n = (size_t)(1000000.0 * tl_scale());
    float *x = malloc(n * 4), *u = malloc(n * 4), *d = malloc(n * 4), *dg = malloc(n * 4), *du = malloc(n * 4);
    for (size_t c = 0; c < NUNARY; c++) {
        const unary_case *uc = &unary[c];
        tl_rng rng = {0xbacc + c};
        for (size_t i = 0; i < n; i++) {
            /* dense near the derivatives' zero crossings, and the usual ranges */
            x[i] = (i % 4 == 0) ? (float)tl_uniform(&rng, -2, 0) : (float)tl_uniform(&rng, (i & 1) ? -20 : -150, (i & 1) ? 20 : 150);
            u[i] = (float)tl_uniform(&rng, -4, 4);
            d[i] = (float)tl_normal(&rng);
        }
        long double dbeta_ref = 0;
        for (size_t i = 0; i < n; i++) dbeta_ref += (long double)d[i] * ref_dact_dbeta(uc->act, x[i], uc->beta);
        long double dbeta_glu_ref = 0;
        for (size_t i = 0; i < n; i++) dbeta_glu_ref += (long double)d[i] * u[i] * ref_dact_dbeta(uc->act, x[i], uc->beta);
        swiglu_gate gate = {(swiglu_act)uc->act, uc->beta, INFINITY, 0.0f};
        for (int k = 0; k < nisa; k++) {
            swiglu_isa_set(isas[k]);
            const char *in = swiglu_isa_name(isas[k]);
            /* plain activation: dx = d act'(x) */
            float dbeta = 0;
            CHECK(swiglu_act_backward(dg, &dbeta, d, x, n, (swiglu_act)uc->act, uc->beta, SWIGLU_BWD_OVERWRITE) == SWIGLU_OK, "act bwd");
            double wu = 0; size_t bad = 0, first = 0;
            for (size_t i = 0; i < n; i++)
                if (!grad_ok(dg[i], (long double)d[i] * ref_dact(uc->act, x[i], uc->beta), &wu) && !bad++) first = i;
            CHECK(bad == 0, "%s %s dx: %zu bad, first x = %.9g got %.9g", uc->name, in, bad, x[first], dg[first]);
            if (uc->act == SWIGLU_ACT_SWISH)
                CHECK(fabsl(dbeta - dbeta_ref) <= 1e-6L * fabsl(dbeta_ref), "%s %s dbeta %.9g vs %.9Lg", uc->name, in, dbeta, dbeta_ref);
            /* GLU: dg = d u act'(g), du = d act(g) */
            float dbg = 0;
            CHECK(swiglu_glu_backward(dg, du, n, &dbg, d, n, x, u, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE) == SWIGLU_OK, "glu bwd");
            double wg = 0, wuu = 0; size_t badg = 0, badu = 0;
            for (size_t i = 0; i < n; i++) {
                badg += !grad_ok(dg[i], (long double)d[i] * u[i] * ref_dact(uc->act, x[i], uc->beta), &wg);
                badu += !grad_ok(du[i], (long double)d[i] * ref_act(uc->act, x[i], uc->beta), &wuu);
            }
            CHECK(badg == 0 && badu == 0, "%s %s glu backward: %zu dgate, %zu dup outside bounds", uc->name, in, badg, badu);
            if (uc->act == SWIGLU_ACT_SWISH)
                CHECK(fabsl(dbg - dbeta_glu_ref) <= 1e-6L * fabsl(dbeta_glu_ref), "%s %s glu dbeta %.9g vs %.9Lg", uc->name, in, dbg, dbeta_glu_ref);
            printf("  %-16s %-7s backward max ulp: dx %.2f, dgate %.2f, dup %.2f\n", uc->name, in, wu, wg, wuu);
        }
        /* the same vectors with non-finite and huge lanes, every lane
         * against actref.h (dbeta is then NaN or inf: not compared) */
        add_nonfinite_lanes(x, d, n, &rng);
        for (int k = 0; k < nisa; k++) {
            swiglu_isa_set(isas[k]);
            const char *in = swiglu_isa_name(isas[k]);
            float dbeta = 0, dbg = 0;
            CHECK(swiglu_act_backward(dg, &dbeta, d, x, n, (swiglu_act)uc->act, uc->beta, SWIGLU_BWD_OVERWRITE) == SWIGLU_OK, "act bwd");
            double w = 0; size_t bad = 0, first = 0;
            for (size_t i = 0; i < n; i++)
                if (!grad_ok_any(dg[i], ref_grad(uc->act, d[i], x[i], uc->beta), &w) && !bad++) first = i;
            CHECK(bad == 0, "%s %s dx with non-finite/huge lanes: %zu bad, first x = %.9g d = %.9g got %.9g", uc->name, in,
                  bad, x[first], d[first], dg[first]);
            CHECK(swiglu_glu_backward(dg, du, n, &dbg, d, n, x, u, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE) == SWIGLU_OK, "glu bwd");
            size_t badg = 0, badu = 0, fg = 0, fu = 0;
            for (size_t i = 0; i < n; i++) {
                if (!grad_ok_any(dg[i], ref_grad(uc->act, (long double)d[i] * u[i], x[i], uc->beta), &w) && !badg++) fg = i;
                if (!grad_ok_any(du[i], ref_dup(uc->act, d[i], x[i], uc->beta), &w) && !badu++) fu = i;
            }
            CHECK(badg == 0 && badu == 0,
                  "%s %s glu backward with non-finite/huge lanes: %zu dgate (first x %.9g u %.9g d %.9g got %.9g), "
                  "%zu dup (first x %.9g d %.9g got %.9g)", uc->name, in, badg, x[fg], u[fg], d[fg], dg[fg], badu, x[fu],
                  d[fu], du[fu]);
        }
    }
    free(x); free(u); free(d); free(dg); free(du);
}

/* ---- the bf16-grade kernels (sw_gate.lowp: what bf16 FFN layers use) ---- */

/* 32 float ulps = 2^-19 relative at worst, 2^10 times finer than the bf16
 * rounding that follows. Measured: GELU 3.0 / 3.7, Swish and SwiGLU forward
 * <= 3.9, dup 3.5, dgate 17 (just outside the Taylor window around swish's
 * zero crossing, where 1 + z c cancels up to 7x and lowp has no pairs) */
#define LOWP_ULP_BOUND 32.0

/* largest ulp error of y against want (finite x only; a NaN x must give NaN),
 * and how many exceed the bound */
static size_t lowp_check(const float *y, const long double *want, const float *x, size_t n, double *worst)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i])) { bad += !isnan(y[i]); continue; }
        if (isinf(x[i])) continue;  /* the limits: special_values() */
        double e = tl_ulp_err(y[i], (double)want[i]);
        if (e > *worst) *worst = e;
        bad += e > LOWP_ULP_BOUND;
    }
    return bad;
}

/* GELU forward and backward, GEGLU, Swish forward, SwiGLU forward and fused
 * backward (beta 1 and 1.702) of the lowp variants on 10^6 inputs per SIMD set (dense
 * around the derivatives' zero crossings and the usual range, the specials
 * first), against long double: within LOWP_ULP_BOUND float ulps, a 2^12th of
 * the bf16 rounding that follows */
static void lowp_kernels(void)
{
    const size_t n = (size_t)(1000000.0 * tl_scale());
    float *x = malloc(n * 4), *u = malloc(n * 4), *d = malloc(n * 4), *y = malloc(n * 4), *y2 = malloc(n * 4);
    long double *w = malloc(n * sizeof *w), *w2 = malloc(n * sizeof *w2);
    tl_rng rng = {0x10f0};
    for (size_t i = 0; i < n; i++) {
        x[i] = i < NSPECIAL ? specials[i] : (float)tl_uniform(&rng, (i & 1) ? -2 : -12, (i & 1) ? 0 : 12);
        u[i] = (float)tl_uniform(&rng, -4, 4);
        d[i] = (float)tl_normal(&rng);
    }
    for (int isa = SWIGLU_ISA_AVX2; isa < SWIGLU_ISA_COUNT; isa++) {
        if (!swiglu_isa_supported((swiglu_isa)isa)) continue;
        const sw_kernels *k = sw_kernels_for((swiglu_isa)isa);
        /* GELU: act forward and backward */
        sw_gate g = {.act = SWIGLU_ACT_GELU_ERF, .beta = 1.0, .lowp = 1};
        double wf = 0, wb = 0;
        k->act_fwd(y, x, n, &g);
        for (size_t i = 0; i < n; i++) w[i] = ref_act(SWIGLU_ACT_GELU_ERF, x[i], 1.0L);
        size_t bad = lowp_check(y, w, x, n, &wf);
        k->act_bwd(y, d, x, n, &g, 1);
        for (size_t i = 0; i < n; i++) w[i] = (long double)d[i] * ref_dact(SWIGLU_ACT_GELU_ERF, x[i], 1.0L);
        bad += lowp_check(y, w, x, n, &wb);
        /* GEGLU: GLU forward and fused backward */
        double wgf = 0, wgdg = 0, wgdu = 0;
        k->glu_fwd(y, x, u, n, &g);
        for (size_t i = 0; i < n; i++) w[i] = ref_act(SWIGLU_ACT_GELU_ERF, x[i], 1.0L) * u[i];
        bad += lowp_check(y, w, x, n, &wgf);
        k->glu_bwd(y, y2, d, x, u, n, &g, 1);
        for (size_t i = 0; i < n; i++) {
            w[i] = (long double)d[i] * u[i] * ref_dact(SWIGLU_ACT_GELU_ERF, x[i], 1.0L);
            w2[i] = (long double)d[i] * ref_act(SWIGLU_ACT_GELU_ERF, x[i], 1.0L);
        }
        bad += lowp_check(y, w, x, n, &wgdg) + lowp_check(y2, w2, x, n, &wgdu);
        printf("  gelu_erf lowp     %-7s max error: forward %.2f ulp, backward %.2f ulp; geglu %.2f, dgate %.2f, dup %.2f\n",
               k->name, wf, wb, wgf, wgdg, wgdu);
        CHECK(bad == 0, "%s gelu lowp: %zu values outside %.0f ulp", k->name, bad, LOWP_ULP_BOUND);
        /* Swish gate: act forward, GLU forward, fused backward */
        const float betas[2] = {1.0f, 1.702f};
        for (int b = 0; b < 2; b++) {
            sw_gate s = {.act = SWIGLU_ACT_SWISH, .beta = betas[b], .lowp = 1};
            double wa = 0, wg = 0, wdg = 0, wdu = 0;
            k->act_fwd(y, x, n, &s);
            for (size_t i = 0; i < n; i++) w[i] = ref_act(SWIGLU_ACT_SWISH, x[i], betas[b]);
            bad = lowp_check(y, w, x, n, &wa);
            k->glu_fwd(y, x, u, n, &s);
            for (size_t i = 0; i < n; i++) w[i] = ref_act(SWIGLU_ACT_SWISH, x[i], betas[b]) * u[i];
            bad += lowp_check(y, w, x, n, &wg);
            k->glu_bwd(y, y2, d, x, u, n, &s, 1);
            for (size_t i = 0; i < n; i++) {
                w[i] = (long double)d[i] * u[i] * ref_dact(SWIGLU_ACT_SWISH, x[i], betas[b]);
                w2[i] = (long double)d[i] * ref_act(SWIGLU_ACT_SWISH, x[i], betas[b]);
            }
            bad += lowp_check(y, w, x, n, &wdg) + lowp_check(y2, w2, x, n, &wdu);
            printf("  swish(b=%.3g) lowp %-7s max error: act %.2f, glu %.2f, dgate %.2f, dup %.2f ulp\n", betas[b],
                   k->name, wa, wg, wdg, wdu);
            CHECK(bad == 0, "%s swish(b=%g) lowp: %zu values outside %.0f ulp", k->name, betas[b], bad, LOWP_ULP_BOUND);
        }
    }
    free(x); free(u); free(d); free(y); free(y2); free(w); free(w2);
}

/* ---- exhaustive: the fast GELU backward --------------------------------- */

/* gelu'(x) in double: Phi(x) + x phi(x) with libm's erfc and exp (within an
 * ulp of double; at the float nearest gelu's zero crossing, |gelu'| > 1e-8,
 * so the reference is still 2^20 times finer than the float ulp there) */
static double gelu_d_dbl(double x)
{
    double phi = exp(-0.5 * x * x) * 0.39894228040143267794;
    return 0.5 * erfc(-x * 0.70710678118654752440) + (phi == 0 ? 0.0 : x * phi);
}

/* dx = gelu'(x) (d = 1) for all 2^32 inputs on each SIMD set: the single-
 * precision GELU backward (simd_gelu.h) has no double computation to lean
 * on, so every input is checked against the bound */
static void gelu_backward_exhaustive(void)
{
    swiglu_isa isas[SWIGLU_ISA_COUNT];
    int nisa = isa_list(isas);
    float *x = malloc(CHUNK * sizeof *x), *y = malloc(CHUNK * sizeof *y), *d = malloc(CHUNK * sizeof *d);
    double *ref = malloc(CHUNK * sizeof *ref);
    for (size_t i = 0; i < CHUNK; i++) d[i] = 1.0f;
    for (int k = 0; k < nisa; k++) {
        if (isas[k] == SWIGLU_ISA_REF) continue;
        swiglu_isa_set(isas[k]);
        double worst = 0;
        float worst_x = 0;
        size_t bad = 0;
        for (uint64_t base = 0; base < (1ull << 32); base += CHUNK) {
            for (size_t i = 0; i < CHUNK; i++) { uint32_t b = (uint32_t)(base + i); memcpy(&x[i], &b, 4); }
            CHECK(swiglu_act_backward(y, NULL, d, x, CHUNK, SWIGLU_ACT_GELU_ERF, 1.0f, SWIGLU_BWD_OVERWRITE) == SWIGLU_OK,
                  "act_backward status");
#pragma omp parallel for schedule(static)
            for (size_t i = 0; i < CHUNK; i++) ref[i] = gelu_d_dbl(x[i]);
            for (size_t i = 0; i < CHUNK; i++) {
                if (isnan(x[i])) { bad += !isnan(y[i]); continue; }
                double w = worst;
                bad += !grad_ok(y[i], ref[i], &worst);
                if (worst > w) worst_x = x[i];
            }
        }
        printf("  %-16s %-7s backward max error %.3f ulp (at x = %.9g) over all 2^32 inputs\n", "gelu_erf",
               swiglu_isa_name(isas[k]), worst, worst_x);
        CHECK(bad == 0, "gelu_erf backward on %s: %zu inputs outside the bound", swiglu_isa_name(isas[k]), bad);
    }
    free(x); free(y); free(d); free(ref);
}

int main(int argc, char **argv)
{
    int exhaustive = argc > 1 && !strcmp(argv[1], "--exhaustive");
    swiglu_threads_set(2);
    printf("forward, unary activations:\n");
    unary_forward(exhaustive);
    if (exhaustive) {
        printf("backward, gelu_erf (single-precision path):\n");
        gelu_backward_exhaustive();
        return tl_finish("test_act_accuracy --exhaustive");
    }
    special_values();
    printf("forward, GLU products:\n");
    glu_forward();
    printf("backward:\n");
    backward();
    printf("bf16-grade (lowp) kernels:\n");
    lowp_kernels();
    return tl_finish("test_act_accuracy");
}
