/* bench_ffn.c -- `swiglu bench ffn`: the FFN layer's forward and
 * forward+backward time (median of repetitions), GFLOP/s, and the ratio to
 * the bare GEMMs: the same GEMM calls on the same buffers with every
 * elementwise pass switched off (sw_ffn_set_bare), measured in the same run,
 * alternating sample for sample so that machine noise hits both alike.
 * Each row is run on each GEMM engine (oneDNN, ours and auto, the default
 * rule; --engine to pick one), the engines alternating sample for sample
 * too, with the time ratio to oneDNN, and beside it the machine's peak measured in the same run
 * (sw_gemm_peak_gflops: a register-resident FMA loop for fp32, vdpbf16ps for
 * bf16, on as many threads; median of 3, taken just before the row's
 * samples) and the fraction of it. Training rows (fwd+bwd) call
 * swiglu_ffn_weights_changed before every step: our engine's repack of the
 * weights, once per optimizer step in training, is in their time.
 *
 * Legend: T tokens, D d_model, H d_ff, P = 2H gated / H plain.
 * FLOPs counted (GEMMs only, 2 per multiply-add):
 *   forward          2 T D P + 2 T H D
 *   forward+backward 3 x forward (backward: dW2, dh, dW, dx)
 * Shapes: (T, D, H) = (512, 512, 1376), (2048, 768, 2048), (64, 4096, 11008)
 * with SwiGLU, and plain ReLU and GELU at the matched d_ff (4D); fp32 and bf16.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "cli.h"
#include "ffn/ffn.h"
#include "gemm/gemm.h"
#include "model/ffn_name.h"

#define MAX_REPS 101

typedef struct shape { size_t T, D, H; } shape;
static const shape shapes[] = {{512, 512, 1376}, {2048, 768, 2048}, {64, 4096, 11008}};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* One layer's buffers, allocated and filled once. */
typedef struct layer {
    swiglu_ffn *f;
    swiglu_ffn_params p, g;
    void *x, *y, *ws;
    float *dy, *dx;
    float beta, dbeta;        /* a learned beta's value and gradient */
    size_t wsb, T;
} layer;

static void *xmalloc(size_t n)
{
    void *p = aligned_alloc(64, (n + 63) / 64 * 64);
    if (!p) cli_die("out of memory (%zu bytes)", n);
    return p;
}

static void layer_make(layer *L, swiglu_ffn_variant v, int learn_beta, swiglu_dtype dt, size_t T, size_t D, size_t H)
{
    memset(L, 0, sizeof *L);
    swiglu_ffn_config c;
    cli_check(swiglu_ffn_config_init(&c, D, v), "config");
    c.d_ff = H;
    c.dtype = dt;
    c.learn_beta = learn_beta;
    if (learn_beta) { L->beta = c.beta; L->p.beta = &L->beta; L->g.beta = &L->dbeta; }
    c.weights = SWIGLU_WEIGHTS_PACKED;  /* the fused layout: one gate/up GEMM */
    cli_check(swiglu_ffn_create(&L->f, &c), "create");
    if (dt == SWIGLU_BF16) cli_check(swiglu_ffn_set_output_dtype(L->f, SWIGLU_BF16), "output dtype");
    size_t es = dt == SWIGLU_BF16 ? 2 : 4;
    size_t P = swiglu_ffn_variant_gated(v) ? 2 * H : H;
    L->T = T;
    L->p.w1 = xmalloc(P * D * es);
    L->p.w2 = xmalloc(D * H * es);
    L->g.w1 = xmalloc(P * D * 4);
    L->g.w2 = xmalloc(D * H * 4);
    memset(L->g.w1, 0, P * D * 4);
    memset(L->g.w2, 0, D * H * 4);
    cli_check(swiglu_ffn_init_params(L->f, &L->p, 1, 0.02f, 0.02f), "init");
    L->x = xmalloc(T * D * es);
    L->y = xmalloc(T * D * es);
    L->dy = xmalloc(T * D * 4);
    L->dx = xmalloc(T * D * 4);
    uint64_t s = 12345;
    for (size_t i = 0; i < T * D; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        float u = (float)((double)(s >> 40) / 16777216.0 - 0.5);
        if (dt == SWIGLU_BF16) ((uint16_t *)L->x)[i] = sw_f32_to_bf16(u);
        else ((float *)L->x)[i] = u;
        L->dy[i] = 0.01f * u;
        L->dx[i] = 0;
    }
    cli_check(swiglu_ffn_workspace_size(&L->wsb, L->f, T, 1), "workspace");
    L->ws = xmalloc(L->wsb);
    memset(L->ws, 0, L->wsb);
}

static void layer_free(layer *L)
{
    swiglu_ffn_destroy(L->f);
    free(L->p.w1); free(L->p.w2); free(L->g.w1); free(L->g.w2);
    free(L->x); free(L->y); free(L->dy); free(L->dx); free(L->ws);
}

/* seconds of one forward (inference, training = 0) or forward+backward
 * (a training step: the weights changed since the last one) */
static double run_once(layer *L, int bare, int with_bwd)
{
    sw_ffn_set_bare(L->f, bare);
    double t0 = now_s();
    if (with_bwd) cli_check(swiglu_ffn_weights_changed(L->f), "weights changed");
    cli_check(swiglu_ffn_forward(L->f, L->y, L->x, L->T, &L->p, L->ws, L->wsb, with_bwd), "forward");
    if (with_bwd)
        cli_check(swiglu_ffn_backward(L->f, L->dx, &L->g, L->dy, L->x, L->T, &L->p, L->ws, L->wsb), "backward");
    return now_s() - t0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: swiglu bench ffn [--json] [--reps N] [--shape I|T,D,H] [--dtype f32|bf16] [--variant NAME] [--threads N]\n"
               "                        [--engine onednn|own|auto|all]\n"
               "  Forward and forward+backward of the FFN layer (median ms, GFLOP/s), the ratio\n"
               "  to the bare GEMMs of the same run, per GEMM engine (default all: oneDNN,\n"
               "  ours, and auto = the default rule, alternating; /1dnn = time ratio to\n"
               "  oneDNN), and the peak loop's\n"
               "  GFLOP/s measured in the same run with the fraction of it reached.\n"
               "  Shapes (T, D, H): 0 = 512,512,1376;\n"
               "  1 = 2048,768,2048; 2 = 64,4096,11008, or any T,D,H (plain variants use H = 4D).\n"
               "  Variants: swiglu, relu, gelu by default; --variant any of\n"
               "  " SW_FFN_NAMES "\n"
               "  Threads: --threads N (default: OMP_NUM_THREADS, else every core).\n");
}

typedef struct bench_opts {
    int json, reps, only_shape, only_dt, only_v, only_lb;
    int threads;
    sw_gemm_engine_id engines[3];
    int n_engines;
    shape custom;            /* --shape T,D,H (only_shape = -2) */
} bench_opts;

/* Parses argv into o (--threads is applied at once); 1 when --help was printed. */
static int parse_args(bench_opts *o, int argc, char **argv)
{
    *o = (bench_opts){0, 7, -1, -1, -1, 0, 1, {SW_GEMM_ONEDNN, SW_GEMM_OWN, SW_GEMM_AUTO}, 3, {0, 0, 0}};
    const char *eng = "all";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) o->json = 1;
        else if (!strcmp(argv[i], "--engine")) eng = cli_value(argc, argv, &i);
        else if (!strcmp(argv[i], "--reps")) o->reps = (int)cli_parse_int("--reps", cli_value(argc, argv, &i), 1, MAX_REPS);
        else if (!strcmp(argv[i], "--shape")) {
            const char *v = cli_value(argc, argv, &i);
            if (strchr(v, ',')) {
                unsigned long long t, d, h;
                char tail;
                if (sscanf(v, "%llu,%llu,%llu%c", &t, &d, &h, &tail) != 3 || !t || !d || !h ||
                    t > 65536 || d > 65536 || h > 262144)
                    cli_die("--shape: an index 0..2 or T,D,H (each >= 1; T, D <= 65536, H <= 262144), not '%s'", v);
                o->custom = (shape){(size_t)t, (size_t)d, (size_t)h};
                o->only_shape = -2;
            } else
                o->only_shape = (int)cli_parse_int("--shape", v, 0, 2);
        }
        else if (!strcmp(argv[i], "--dtype")) {
            const char *d = cli_value(argc, argv, &i);
            if (!strcmp(d, "f32") || !strcmp(d, "fp32")) o->only_dt = SWIGLU_F32;
            else if (!strcmp(d, "bf16")) o->only_dt = SWIGLU_BF16;
            else cli_die("--dtype: f32 or bf16, not '%s'", d);
        } else if (!strcmp(argv[i], "--variant")) {
            swiglu_ffn_variant v;
            const char *n = cli_value(argc, argv, &i);
            if (sw_ffn_name_parse(&v, &o->only_lb, n) != SWIGLU_OK) cli_die("--variant: unknown '%s' (" SW_FFN_NAMES ")", n);
            o->only_v = (int)v;
        } else if (!strcmp(argv[i], "--threads")) {
            int th = (int)cli_parse_int("--threads", cli_value(argc, argv, &i), 1, 1024);
            cli_check(swiglu_threads_set(th), "--threads");
#ifdef _OPENMP
            omp_set_num_threads(th);   /* oneDNN's GEMMs run on the OpenMP pool */
#endif
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { usage(stdout); return 1; }
        else { usage(stderr); cli_die("bench ffn: unknown option '%s'", argv[i]); }
    }
    if (!strcmp(eng, "onednn")) { o->engines[0] = SW_GEMM_ONEDNN; o->n_engines = 1; }
    else if (!strcmp(eng, "own")) { o->engines[0] = SW_GEMM_OWN; o->n_engines = 1; }
    else if (!strcmp(eng, "auto")) { o->engines[0] = SW_GEMM_AUTO; o->n_engines = 1; }
    else if (strcmp(eng, "all") != 0) cli_die("--engine: onednn, own, auto or all, not '%s'", eng);
    /* the engines this build and CPU have (all: those present) */
    int n = 0;
    for (int e = 0; e < o->n_engines; e++)
        if (sw_gemm_set_engine(o->engines[e]) == SWIGLU_OK) o->engines[n++] = o->engines[e];
        else if (o->n_engines == 1) cli_die("--engine %s: not in this build or CPU", eng);
    o->n_engines = n;
    if (!n) { o->engines[0] = SW_GEMM_AUTO; o->n_engines = 1; }
    return 0;
}

/* the peak loop's GFLOP/s on the benchmark's threads, median of 3 */
static double peak_now(swiglu_dtype dt, int threads)
{
    double p[3];
    for (int i = 0; i < 3; i++) p[i] = sw_gemm_peak_gflops(dt, threads);
    return median(p, 3);
}

/* One layer (variant v, dtype dt, shape si) timed forward, then forward
 * and backward, against the bare GEMMs: two rows. *first: no row printed yet. */
static void bench_layer(const bench_opts *o, swiglu_ffn_variant v, int dt, shape sh, int *first)
{
    char vname[48];
    sw_ffn_name(vname, sizeof vname, v, o->only_lb);
    size_t T = sh.T, D = sh.D, H = sh.H;
    if (!swiglu_ffn_variant_gated(v)) H = 4 * D;
    size_t P = swiglu_ffn_variant_gated(v) ? 2 * H : H;
    double fl = 2.0 * (double)T * (double)D * (double)P + 2.0 * (double)T * (double)H * (double)D;
    const int reps = o->reps;
    layer L;
    layer_make(&L, v, o->only_lb, (swiglu_dtype)dt, T, D, H);
    const int ne = o->n_engines;
    for (int pass = 0; pass < 2; pass++) {
        double ours[3][MAX_REPS], bare[3][MAX_REPS], mo[3], mb[3];
        for (int e = 0; e < ne; e++) {   /* warm-up: primitives created, weights packed, pages touched */
            sw_gemm_set_engine(o->engines[e]);
            run_once(&L, 0, pass);
            run_once(&L, 1, pass);
        }
        double peak = peak_now((swiglu_dtype)dt, o->threads);
        for (int r = 0; r < reps; r++)
            for (int e = 0; e < ne; e++) {
                sw_gemm_set_engine(o->engines[e]);
                ours[e][r] = run_once(&L, 0, pass);
                bare[e][r] = run_once(&L, 1, pass);
            }
        double flops = pass ? 3 * fl : fl;
        const char *dn = dt == SWIGLU_BF16 ? "bf16" : "f32";
        const char *pn = pass ? "fwd+bwd" : "fwd";
        for (int e = 0; e < ne; e++) { mo[e] = median(ours[e], reps); mb[e] = median(bare[e], reps); }
        for (int e = 0; e < ne; e++) {
            const char *en = sw_gemm_engine_name(o->engines[e]);
            /* vs oneDNN: engines[0] is oneDNN whenever it is present */
            double gf = flops / mo[e] * 1e-9, vs = o->engines[0] == SW_GEMM_ONEDNN ? mo[e] / mo[0] : 1.0;
            double frac = peak > 0 ? gf / peak : 0.0;
            if (o->json)
                printf("%s\n  {\"variant\": \"%s\", \"dtype\": \"%s\", \"T\": %zu, \"D\": %zu, \"H\": %zu, "
                       "\"pass\": \"%s\", \"engine\": \"%s\", \"ms\": %.4f, \"gflops\": %.2f, \"bare_ms\": %.4f, "
                       "\"ratio\": %.4f, \"vs_onednn\": %.4f, \"peak_gflops\": %.2f, \"peak_fraction\": %.4f}",
                       *first ? "" : ",", vname, dn, T, D, H, pn, en, 1e3 * mo[e], gf, 1e3 * mb[e],
                       mo[e] / mb[e], vs, peak, frac);
            else
                printf("%-19s %-5s %5zu %5zu %6zu  %-8s %-6s %9.3f %8.1f %9.3f %6.3f %7.3f %7.0f %6.1f%%\n", vname,
                       dn, T, D, H, pn, en, 1e3 * mo[e], gf, 1e3 * mb[e], mo[e] / mb[e], vs, peak, 100 * frac);
            fflush(stdout);
            *first = 0;
        }
    }
    sw_gemm_set_engine(SW_GEMM_AUTO);
    layer_free(&L);
}

int bench_ffn(int argc, char **argv)
{
    bench_opts o;
    if (parse_args(&o, argc, argv)) return 0;
    cli_args_done();
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    o.threads = threads;
    /* the default set; --variant runs that one alone */
    swiglu_ffn_variant variants[3] = {SWIGLU_FFN_SWIGLU, SWIGLU_FFN_RELU, SWIGLU_FFN_GELU};
    size_t nv = 3;
    if (o.only_v >= 0) { variants[0] = (swiglu_ffn_variant)o.only_v; nv = 1; }
    char cpu[128];
    cli_cpu_name(cpu, sizeof cpu);
    if (o.json) printf("{\"bench\": \"ffn\", \"cpu\": \"%s\", \"engine\": \"%s\", \"threads\": %d, \"reps\": %d, \"rows\": [",
                       cpu, sw_gemm_engine(), threads, o.reps);
    else printf("FFN layer on %s, %d threads, median of %d (bare = the same GEMMs, no elementwise work;\n"
                "own/1dnn = time on this engine / time on oneDNN; peak = FMA (f32) or vdpbf16ps (bf16) loop, same run)\n"
                "%-19s %-5s %5s %5s %6s  %-8s %-6s %9s %8s %9s %6s %7s %7s %7s\n", cpu, threads, o.reps,
                "variant", "dtype", "T", "D", "H", "pass", "engine", "ms", "GFLOP/s", "bare ms", "ratio",
                "/1dnn", "peak", "%peak");
    int first = 1;
    for (int si = 0; si < 3; si++) {
        if (o.only_shape == -2 ? si > 0 : o.only_shape >= 0 && si != o.only_shape) continue;
        shape sh = o.only_shape == -2 ? o.custom : shapes[si];
        for (int dt = 0; dt < 2; dt++) {
            if (o.only_dt >= 0 && dt != o.only_dt) continue;
            for (size_t vi = 0; vi < nv; vi++) bench_layer(&o, variants[vi], dt, sh, &first);
        }
    }
    if (o.json) printf("\n]}\n");
    return 0;
}
