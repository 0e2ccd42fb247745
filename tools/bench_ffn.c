/* bench_ffn.c -- `swiglu bench ffn`: the FFN layer's forward and
 * forward+backward time (median of repetitions), GFLOP/s, and the ratio to
 * the bare GEMMs: the same oneDNN calls on the same buffers with every
 * elementwise pass switched off (sw_ffn_set_bare), measured in the same run,
 * alternating sample for sample so that machine noise hits both alike.
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

/* seconds of one forward (inference, training = 0) or forward+backward */
static double run_once(layer *L, int bare, int with_bwd)
{
    sw_ffn_set_bare(L->f, bare);
    double t0 = now_s();
    cli_check(swiglu_ffn_forward(L->f, L->y, L->x, L->T, &L->p, L->ws, L->wsb, with_bwd), "forward");
    if (with_bwd)
        cli_check(swiglu_ffn_backward(L->f, L->dx, &L->g, L->dy, L->x, L->T, &L->p, L->ws, L->wsb), "backward");
    return now_s() - t0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: swiglu bench ffn [--json] [--reps N] [--shape I] [--dtype f32|bf16] [--variant NAME] [--threads N]\n"
               "  Forward and forward+backward of the FFN layer (median ms, GFLOP/s) and the ratio\n"
               "  to the bare GEMMs of the same run. Shapes (T, D, H): 0 = 512,512,1376;\n"
               "  1 = 2048,768,2048; 2 = 64,4096,11008 (plain variants use H = 4D).\n"
               "  Variants: swiglu, relu, gelu by default; --variant any of\n"
               "  " SW_FFN_NAMES "\n"
               "  Threads: --threads N (default: OMP_NUM_THREADS, else every core).\n");
}

typedef struct bench_opts {
    int json, reps, only_shape, only_dt, only_v, only_lb;
} bench_opts;

/* Parses argv into o (--threads is applied at once); 1 when --help was printed. */
static int parse_args(bench_opts *o, int argc, char **argv)
{
    *o = (bench_opts){0, 7, -1, -1, -1, 0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) o->json = 1;
        else if (!strcmp(argv[i], "--reps")) o->reps = (int)cli_parse_int("--reps", cli_value(argc, argv, &i), 1, MAX_REPS);
        else if (!strcmp(argv[i], "--shape")) o->only_shape = (int)cli_parse_int("--shape", cli_value(argc, argv, &i), 0, 2);
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
    return 0;
}

/* One layer (variant v, dtype dt, shape si) timed forward, then forward
 * and backward, against the bare GEMMs: two rows. *first: no row printed yet. */
static void bench_layer(const bench_opts *o, swiglu_ffn_variant v, int dt, int si, int *first)
{
    char vname[48];
    sw_ffn_name(vname, sizeof vname, v, o->only_lb);
    size_t T = shapes[si].T, D = shapes[si].D, H = shapes[si].H;
    if (!swiglu_ffn_variant_gated(v)) H = 4 * D;
    size_t P = swiglu_ffn_variant_gated(v) ? 2 * H : H;
    double fl = 2.0 * (double)T * (double)D * (double)P + 2.0 * (double)T * (double)H * (double)D;
    const int reps = o->reps;
    layer L;
    layer_make(&L, v, o->only_lb, (swiglu_dtype)dt, T, D, H);
    for (int pass = 0; pass < 2; pass++) {
        double ours[MAX_REPS], bare[MAX_REPS];
        run_once(&L, 0, pass);  /* warm-up: primitives created, pages touched */
        run_once(&L, 1, pass);
        for (int r = 0; r < reps; r++) {
            ours[r] = run_once(&L, 0, pass);
            bare[r] = run_once(&L, 1, pass);
        }
        double mo = median(ours, reps), mb = median(bare, reps);
        double flops = pass ? 3 * fl : fl;
        const char *dn = dt == SWIGLU_BF16 ? "bf16" : "f32";
        const char *pn = pass ? "fwd+bwd" : "fwd";
        if (o->json)
            printf("%s\n  {\"variant\": \"%s\", \"dtype\": \"%s\", \"T\": %zu, \"D\": %zu, \"H\": %zu, "
                   "\"pass\": \"%s\", \"ms\": %.4f, \"gflops\": %.2f, \"bare_ms\": %.4f, \"ratio\": %.4f}",
                   *first ? "" : ",", vname, dn, T, D, H, pn, 1e3 * mo,
                   flops / mo * 1e-9, 1e3 * mb, mo / mb);
        else
            printf("%-19s %-5s %5zu %5zu %6zu  %-8s %9.3f %8.1f %9.3f %6.3f\n", vname,
                   dn, T, D, H, pn, 1e3 * mo, flops / mo * 1e-9, 1e3 * mb, mo / mb);
        fflush(stdout);
        *first = 0;
    }
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
    /* the default set; --variant runs that one alone */
    swiglu_ffn_variant variants[3] = {SWIGLU_FFN_SWIGLU, SWIGLU_FFN_RELU, SWIGLU_FFN_GELU};
    size_t nv = 3;
    if (o.only_v >= 0) { variants[0] = (swiglu_ffn_variant)o.only_v; nv = 1; }
    if (o.json) printf("{\"bench\": \"ffn\", \"engine\": \"%s\", \"threads\": %d, \"reps\": %d, \"rows\": [",
                       sw_gemm_engine(), threads, o.reps);
    else printf("FFN layer, %s GEMMs, %d threads, median of %d (bare = the same GEMMs, no elementwise work)\n"
                "%-19s %-5s %5s %5s %6s  %-8s %9s %8s %9s %6s\n", sw_gemm_engine(), threads, o.reps,
                "variant", "dtype", "T", "D", "H", "pass", "ms", "GFLOP/s", "bare ms", "ratio");
    int first = 1;
    for (int si = 0; si < 3; si++) {
        if (o.only_shape >= 0 && si != o.only_shape) continue;
        for (int dt = 0; dt < 2; dt++) {
            if (o.only_dt >= 0 && dt != o.only_dt) continue;
            for (size_t vi = 0; vi < nv; vi++) bench_layer(&o, variants[vi], dt, si, &first);
        }
    }
    if (o.json) printf("\n]}\n");
    return 0;
}
