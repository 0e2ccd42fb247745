/* swiglu_kernel_bench.c -- dev harness (not built by `make`): GB/s of the
 * SwiGLU forward and fused backward (SPLIT layout, SWIGLU_BWD_OVERWRITE)
 * against triad a[i] = b[i] + s c[i] and copy, measured in the same process,
 * interleaved, median of REPS runs; and an accuracy check of the same kernels
 * against the tests' long-double reference (tests/support/actref.h).
 *
 *   gcc -O2 -fopenmp -Iinclude -Isrc dev/swiglu_kernel_bench.c build/libswiglu.a -lm -o build/kbench
 *   build/kbench [bench|acc|cache|sweep] [n (default 16M)] [reps (default 9)]
 *
 * Bytes counted: triad 12 B/elem (2 reads + 1 write), copy 8, forward 12
 * (g, u read; out written), backward 20 (dout, g, u read; dg, du written).
 * Write-allocate traffic is not counted for any of them (all use ordinary
 * stores), so the ratios compare like with like. */
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "swiglu.h"
#include "../tests/support/actref.h"   /* relative: builds without -Itests */

static double now(void) { return omp_get_wtime(); }
static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
static double median(double *v, int n) { qsort(v, (size_t)n, sizeof *v, cmpd); return v[n / 2]; }

static uint64_t rng_s = 88172645463325252ull;
static uint64_t rnext(void) { rng_s ^= rng_s << 13; rng_s ^= rng_s >> 7; rng_s ^= rng_s << 17; return rng_s; }
static double runif(double lo, double hi) { return lo + (hi - lo) * (double)(rnext() >> 11) * 0x1p-53; }
static double rnorm(void) { double a = runif(1e-300, 1), b = runif(0, 1); return sqrt(-2 * log(a)) * cos(6.283185307179586 * b); }

static void triad(float *restrict a, const float *restrict b, const float *restrict c, size_t n, int nth)
{
#pragma omp parallel for num_threads(nth) schedule(static)
    for (size_t i = 0; i < n; i++) a[i] = b[i] + 3.0f * c[i];
}
static void copy(float *restrict a, const float *restrict b, size_t n, int nth)
{
#pragma omp parallel for num_threads(nth) schedule(static)
    for (size_t i = 0; i < n; i++) a[i] = b[i];
}

static void bench(size_t n, int reps, int cache)
{
    float *g = aligned_alloc(64, n * 4), *u = aligned_alloc(64, n * 4), *o = aligned_alloc(64, n * 4);
    float *d = aligned_alloc(64, n * 4), *dg = aligned_alloc(64, n * 4), *du = aligned_alloc(64, n * 4);
    for (size_t i = 0; i < n; i++) { g[i] = (float)(2.0 * rnorm()); u[i] = (float)rnorm(); d[i] = (float)rnorm(); o[i] = dg[i] = du[i] = 0; }
    swiglu_gate gate;
    swiglu_gate_init(&gate, SWIGLU_GLU_SWIGLU);
    float betas[2] = {1.0f, 1.702f};
    swiglu_isa isas[2] = {SWIGLU_ISA_AVX512, SWIGLU_ISA_AVX2};
    printf("n = %zu floats, %d reps (median), gate ~ N(0, 2^2), %s\n", n, reps, cache ? "in cache (repeated small n)" : "memory");
    for (int nth = 1; nth <= 2; nth++) {
        swiglu_threads_set(nth);
        enum { NK = 2 + 2 * 2 * 2 };
        double t[NK][64];
        int inner = cache ? (int)(16777216 / n) : 1;
        for (int r = 0; r < reps; r++) {
            int k = 0;
            double t0 = now(); for (int j = 0; j < inner; j++) triad(o, g, u, n, nth); t[k++][r] = now() - t0;
            t0 = now(); for (int j = 0; j < inner; j++) copy(o, g, n, nth); t[k++][r] = now() - t0;
            for (int ia = 0; ia < 2; ia++) {
                swiglu_isa_set(isas[ia]);
                for (int ib = 0; ib < 2; ib++) {
                    gate.beta = betas[ib];
                    t0 = now();
                    for (int j = 0; j < inner; j++) swiglu_glu_forward(o, n, g, u, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate);
                    t[k++][r] = now() - t0;
                    float db = 0;
                    t0 = now();
                    for (int j = 0; j < inner; j++) swiglu_glu_backward(dg, du, n, &db, d, n, g, u, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE);
                    t[k++][r] = now() - t0;
                }
            }
        }
        double tot = (double)n * inner;
        /* per-rep ratio kernel/triad (bytes-weighted), median: robust to drifts of a shared machine */
        double ratio[NK][64];
        for (int kk = 2; kk < NK; kk++)
            for (int r = 0; r < reps; r++) ratio[kk][r] = (kk % 2 == 0 ? 12.0 : 20.0) / 12.0 * t[0][r] / t[kk][r];
        double tri = 12 * tot / median(t[0], reps) * 1e-9, cp = 8 * tot / median(t[1], reps) * 1e-9;
        printf("threads %d: triad %.2f GB/s, copy %.2f GB/s\n", nth, tri, cp);
        int k = 2;
        for (int ia = 0; ia < 2; ia++)
            for (int ib = 0; ib < 2; ib++) {
                double rf = median(ratio[k], reps), rb = median(ratio[k + 1], reps);
                double f = 12 * tot / median(t[k++], reps) * 1e-9, b = 20 * tot / median(t[k++], reps) * 1e-9;
                printf("  %-6s beta=%-5g fwd %6.2f GB/s (%5.1f%% triad; per-rep %5.1f%%)  bwd %6.2f GB/s (%5.1f%% triad; per-rep %5.1f%%)\n",
                       swiglu_isa_name(isas[ia]), betas[ib], f, 100 * f / tri, 100 * rf, b, 100 * b / tri, 100 * rb);
            }
    }
    swiglu_threads_set(0);
    free(g); free(u); free(o); free(d); free(dg); free(du);
}

/* ---- accuracy vs long double -------------------------------------------- */

static double ulp_err(float got, long double want)
{
    if (isnan(want)) return isnan(got) ? 0 : 1e30;
    if (isinf(want)) return got == (float)want ? 0 : 1e30;
    if (isnan(got) || isinf(got)) return (fabsl(want) > FLT_MAX) ? 0 : 1e30;
    long double a = fabsl(want);
    int e;
    frexpl(a > FLT_MIN ? a : FLT_MIN, &e);
    long double ulp = ldexpl(1.0L, e - 24);
    if (a >= (long double)FLT_MAX) ulp = ldexpl(1.0L, 104);
    return (double)(fabsl((long double)got - want) / ulp);
}

static float pick(size_t i)
{
    switch (i % 6) {
    case 0: { uint32_t b = (uint32_t)rnext(); float f; memcpy(&f, &b, 4); return f; }
    case 1: return (float)runif(-20, 20);
    case 2: return (float)runif(-150, 150);
    case 3: return (float)runif(-2, 0);
    case 4: { double m = exp2(runif(-30, 8)); return (float)((rnext() & 1) ? m : -m); }
    default: return (float)(-1.2784645 + runif(-1e-4, 1e-4));
    }
}

static void acc(size_t n)
{
    float *g = malloc(n * 4), *u = malloc(n * 4), *o = malloc(n * 4), *d = malloc(n * 4), *dg = malloc(n * 4), *du = malloc(n * 4);
    float betas[4] = {1.0f, 1.702f, 0.5f, -0.75f};
    swiglu_isa isas[3] = {SWIGLU_ISA_AVX512, SWIGLU_ISA_AVX2, SWIGLU_ISA_REF};
    for (int ib = 0; ib < 4; ib++) {
        float beta = betas[ib];
        /* the float gates nearest the zero crossing of swish' for this beta */
        float zc = (float)(-1.2784645427610738 / beta);
        for (size_t i = 0; i < n; i++) {
            g[i] = pick(i);
            if (i % 97 == 5) { float x = zc; int s = (int)(rnext() % 2001) - 1000; uint32_t b; memcpy(&b, &x, 4); b += (uint32_t)s; memcpy(&x, &b, 4); g[i] = x; }
            u[i] = (i % 7 == 0) ? pick(i + 1) : (float)runif(-12, 12);
            d[i] = (i % 11 == 0) ? pick(i + 2) : (float)rnorm();
        }
        long double dbref = 0;
        for (size_t i = 0, m = 0; i < n && m < (1u << 22); i++)
            if (fabsf(g[i]) < 1e4f && fabsf(u[i]) < 1e4f && fabsf(d[i]) < 1e4f) { dbref += (long double)d[i] * u[i] * ref_dact_dbeta(5, g[i], beta); m++; }
        swiglu_gate gate = {SWIGLU_ACT_SWISH, beta, INFINITY, 0.0f};
        for (int k = 0; k < 3; k++) {
            swiglu_isa_set(isas[k]);
            swiglu_glu_forward(o, n, g, u, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate);
            double wf = 0; size_t iwf = 0;
            for (size_t i = 0; i < n; i++) {
                double e = ulp_err(o[i], ref_act(5, g[i], beta) * (long double)u[i]);
                if (e > wf) { wf = e; iwf = i; }
            }
            /* backward on moderate inputs only (|x| < 1e4: dbeta compares sums in float) */
            size_t m = 0;
            static float gg[1 << 22], uu[1 << 22], dd[1 << 22];
            for (size_t i = 0; i < n && m < (1u << 22); i++)
                if (fabsf(g[i]) < 1e4f && fabsf(u[i]) < 1e4f && fabsf(d[i]) < 1e4f) { gg[m] = g[i]; uu[m] = u[i]; dd[m] = d[i]; m++; }
            float db = 0;
            swiglu_glu_backward(dg, du, m, &db, dd, m, gg, uu, m, 1, m, SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE);
            double wg = 0, wu = 0, rg = 0; size_t iwg = 0;
            for (size_t i = 0; i < m; i++) {
                long double rg_ = (long double)dd[i] * uu[i] * ref_dact(5, gg[i], beta);
                long double ru_ = (long double)dd[i] * ref_act(5, gg[i], beta);
                double e = ulp_err(dg[i], rg_);
                if (e > wg) { wg = e; iwg = i; }
                double rel = rg_ != 0 ? (double)(fabsl(dg[i] - rg_) / fabsl(rg_)) : 0;
                if (e > 8 && rel > rg) rg = rel;
                e = ulp_err(du[i], ru_);
                if (e > wu) wu = e;
            }
            printf("beta %-6g %-6s fwd max %.3f ulp (g=%.9g u=%.9g)  bwd dgate %.3f ulp (g=%.9g; worst rel beyond 8 ulp %.2g)  dup %.3f ulp  dbeta rel %.2g\n",
                   beta, swiglu_isa_name(isas[k]), wf, g[iwf], u[iwf], wg, gg[iwg], rg, wu,
                   (double)(fabsl(db - dbref) / fabsl(dbref)));
        }
    }
    free(g); free(u); free(o); free(d); free(dg); free(du);
}

/* ---- sweeps: every float ------------------------------------------------
 * act: all 2^32 inputs of Swish (beta = 1 and 1.702) on each SIMD ISA against
 *      the double element function (act_scalar.h: libm exp, ~2^-29 float ulp);
 * crossing: every float g with beta g in [-1.5, -1.1] (the zero crossing of
 *      swish' at -1.2785), dgate = swish'(beta g) (d = u = 1) against long double. */
#include "kernels/act_scalar.h"

static void sweep(void)
{
    const size_t CH = (size_t)1 << 24;
    float *x = malloc(CH * 4), *y = malloc(CH * 4), *u = malloc(CH * 4), *d = malloc(CH * 4), *du = malloc(CH * 4);
    double *ref = malloc(CH * 8);
    float betas[4] = {1.0f, 1.702f, 0.5f, -0.75f};
    swiglu_isa isas[2] = {SWIGLU_ISA_AVX512, SWIGLU_ISA_AVX2};
    for (int ib = 0; ib < 2; ib++) {
        double worst[2] = {0, 0}; float wx[2] = {0, 0};
        for (uint64_t base = 0; base < (1ull << 32); base += CH) {
            for (size_t i = 0; i < CH; i++) { uint32_t b = (uint32_t)(base + i); memcpy(&x[i], &b, 4); }
#pragma omp parallel for schedule(static)
            for (size_t i = 0; i < CH; i++) ref[i] = sw_act_d(5, x[i], betas[ib]);
            for (int k = 0; k < 2; k++) {
                swiglu_isa_set(isas[k]);
                swiglu_act_forward(y, x, CH, SWIGLU_ACT_SWISH, betas[ib]);
                double wk = worst[k]; float wxk = wx[k];
#pragma omp parallel
                {
                    double w = 0; float xw = 0;
#pragma omp for schedule(static) nowait
                    for (size_t i = 0; i < CH; i++) {
                        if (isnan(x[i])) { if (!isnan(y[i])) { w = 1e30; xw = x[i]; } continue; }
                        /* the precise error only where it can exceed 0.5 ulp */
                        if (y[i] == (float)ref[i] && fabs((double)y[i] - ref[i]) <= 0.5 * fabs(ref[i]) * 0x1p-23 * 0.9) continue;
                        double e = ulp_err(y[i], ref[i]);
                        if (e > w) { w = e; xw = x[i]; }
                    }
#pragma omp critical
                    if (w > wk) { wk = w; wxk = xw; }
                }
                worst[k] = wk; wx[k] = wxk;
            }
        }
        for (int k = 0; k < 2; k++)
            printf("swish beta=%g %s: all 2^32 inputs, max %.3f ulp (x = %.9g) vs double\n", betas[ib],
                   swiglu_isa_name(isas[k]), worst[k], wx[k]);
        fflush(stdout);
    }
    for (int ib = 0; ib < 4; ib++) {
        float lo = (float)(1.1 / fabs(betas[ib])), hi = (float)(1.5 / fabs(betas[ib]));
        size_t m = 0;
        for (float v = lo; v <= hi && m < CH; v = nextafterf(v, INFINITY)) x[m++] = betas[ib] > 0 ? -v : v;
        for (size_t i = 0; i < m; i++) { u[i] = 1.0f; d[i] = 1.0f; }
        swiglu_gate gate = {SWIGLU_ACT_SWISH, betas[ib], INFINITY, 0.0f};
        for (int k = 0; k < 2; k++) {
            swiglu_isa_set(isas[k]);
            swiglu_glu_backward(y, du, m, NULL, d, m, x, u, m, 1, m, SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE);
            double w = 0; float wg = 0;
            for (size_t i = 0; i < m; i++) {
                double e = ulp_err(y[i], ref_dact(5, x[i], betas[ib]));
                if (e > w) { w = e; wg = x[i]; }
            }
            printf("dgate beta=%g %s: all %zu floats with beta g in [-1.5, -1.1], max %.3f ulp (g = %.9g) vs long double\n",
                   betas[ib], swiglu_isa_name(isas[k]), m, w, wg);
        }
    }
    free(x); free(y); free(u); free(d); free(du); free(ref);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "bench";
    size_t n = argc > 2 ? (size_t)atol(argv[2]) : (size_t)1 << 24;
    int reps = argc > 3 ? atoi(argv[3]) : 9;
    if (reps > 64) reps = 64;
    if (!strcmp(mode, "acc")) acc(argc > 2 ? n : 4000000);
    else if (!strcmp(mode, "sweep")) sweep();
    else bench(n, reps, !strcmp(mode, "cache"));
    return 0;
}
