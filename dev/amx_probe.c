/* amx_probe.c -- what the AMX tiles of this CPU can do, next to what oneDNN's
 * bf16 matmuls get out of them, for the SwiGLU FFN's six GEMMs at
 * (T, D, H) = (512, 512, 1376) (the first `swiglu bench ffn` shape).
 *
 *   peak: a loop of TDPBF16PS on four accumulator tiles (two A, two B tiles
 *     loaded once): 16x16x32 multiply-adds each, no memory traffic -- the
 *     ceiling for any bf16 GEMM on one core; run on 1 and on every thread.
 *   oneDNN: each GEMM of the layer's forward and backward with the layouts
 *     src/gemm/gemm_onednn.c uses (plain, B possibly transposed), then with
 *     the weights in oneDNN's own blocked layout (format "any", reorder not
 *     timed) and with bf16 instead of fp32 output: median of 21.
 *
 *   gcc -O2 -fopenmp -mamx-tile -mamx-bf16 dev/amx_probe.c -ldnnl -o build/amx_probe
 *   OMP_NUM_THREADS=2 build/amx_probe
 *
 * Legend: T tokens, D d_model, H d_ff; GEMM C[M x N] = A[M x K] B[K x N].
 */
#define _GNU_SOURCE
#include <dnnl.h>
#include <immintrin.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- the tile ceiling ---- */
typedef struct { uint8_t palette, start; uint8_t res[14]; uint16_t colsb[16]; uint8_t rows[16]; } tilecfg;

/* GFLOP/s of n rounds of 4 TDPBF16PS on the calling thread */
static double tile_loop(long n)
{
    static uint16_t buf[16 * 32] __attribute__((aligned(64)));
    tilecfg c;
    memset(&c, 0, sizeof c);
    c.palette = 1;
    for (int i = 0; i < 8; i++) { c.rows[i] = 16; c.colsb[i] = 64; }
    _tile_loadconfig(&c);
    _tile_loadd(4, buf, 64); _tile_loadd(5, buf, 64); _tile_loadd(6, buf, 64); _tile_loadd(7, buf, 64);
    _tile_zero(0); _tile_zero(1); _tile_zero(2); _tile_zero(3);
    double t = now();
    for (long i = 0; i < n; i++) {
        _tile_dpbf16ps(0, 4, 6); _tile_dpbf16ps(1, 4, 7); _tile_dpbf16ps(2, 5, 6); _tile_dpbf16ps(3, 5, 7);
    }
    t = now() - t;
    _tile_release();
    return 4.0 * (double)n * 16 * 16 * 32 * 2 / t * 1e-9;
}

/* ---- oneDNN ---- */
#define CK(x) do { dnnl_status_t s_ = (x); if (s_ != dnnl_success) { fprintf(stderr, "amx_probe: oneDNN status %d at line %d\n", (int)s_, __LINE__); exit(1); } } while (0)

/* median ms of C = A B with A in tag atag, B in tag btag (or "any"), C of type cdt */
static double matmul_ms(dnnl_engine_t eng, dnnl_stream_t st, long M, long K, long N, dnnl_format_tag_t atag,
                        dnnl_format_tag_t btag, dnnl_data_type_t cdt)
{
    dnnl_memory_desc_t a, b, c;
    dnnl_dims_t da = {M, K}, db = {K, N}, dc = {M, N};
    CK(dnnl_memory_desc_init_by_tag(&a, 2, da, dnnl_bf16, atag));
    CK(dnnl_memory_desc_init_by_tag(&b, 2, db, dnnl_bf16, btag));
    CK(dnnl_memory_desc_init_by_tag(&c, 2, dc, cdt, dnnl_ab));
    dnnl_matmul_desc_t md;
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t p;
    CK(dnnl_matmul_desc_init(&md, &a, &b, NULL, &c));
    CK(dnnl_primitive_desc_create(&pd, &md, NULL, eng, NULL));
    const dnnl_memory_desc_t *bq = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    CK(dnnl_primitive_create(&p, pd));
    dnnl_memory_t ma, mb, mc;
    CK(dnnl_memory_create(&ma, &a, eng, DNNL_MEMORY_ALLOCATE));
    CK(dnnl_memory_create(&mb, bq, eng, DNNL_MEMORY_ALLOCATE));
    CK(dnnl_memory_create(&mc, &c, eng, DNNL_MEMORY_ALLOCATE));
    void *h;
    dnnl_memory_get_data_handle(ma, &h); memset(h, 0, dnnl_memory_desc_get_size(&a));
    dnnl_memory_get_data_handle(mb, &h); memset(h, 0, dnnl_memory_desc_get_size(bq));
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, ma}, {DNNL_ARG_WEIGHTS, mb}, {DNNL_ARG_DST, mc}};
    double t[21];
    for (int r = 0; r < 21; r++) {
        double t0 = now();
        CK(dnnl_primitive_execute(p, st, 3, args));
        CK(dnnl_stream_wait(st));
        t[r] = now() - t0;
    }
    qsort(t, 21, sizeof t[0], cmpd);
    dnnl_memory_destroy(ma); dnnl_memory_destroy(mb); dnnl_memory_destroy(mc);
    dnnl_primitive_destroy(p); dnnl_primitive_desc_destroy(pd);
    return t[10] * 1e3;
}

int main(void)
{
    /* Linux: ask for the AMX tile state (ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) */
    if (syscall(SYS_arch_prctl, 0x1023, 18) != 0) { fprintf(stderr, "amx_probe: no AMX tile permission (not an AMX CPU?)\n"); return 1; }
    int nt = omp_get_max_threads();
    double one = tile_loop(20000000 / 4), all = 0;
#pragma omp parallel reduction(+ : all)
    all += tile_loop(20000000 / 4);
    printf("AMX TDPBF16PS ceiling: %.0f GFLOP/s on 1 core, %.0f GFLOP/s on %d threads\n", one, all, nt);

    dnnl_engine_t eng;
    dnnl_stream_t st;
    CK(dnnl_engine_create(&eng, dnnl_cpu, 0));
    CK(dnnl_stream_create(&st, eng, dnnl_stream_default_flags));
    const long T = 512, D = 512, H = 1376;
    struct { const char *name; long M, K, N; dnnl_format_tag_t a, b; } g[] = {
        {"up    pre = x W13^T", T, D, 2 * H, dnnl_ab, dnnl_ba},
        {"down  y = h W2^T", T, H, D, dnnl_ab, dnnl_ba},
        {"dh    = dy W2", T, D, H, dnnl_ab, dnnl_ab},
        {"dW2  += dy^T h", D, T, H, dnnl_ba, dnnl_ab},
        {"dx   += dpre W13", T, 2 * H, D, dnnl_ab, dnnl_ab},
        {"dW13 += dpre^T x", 2 * H, T, D, dnnl_ba, dnnl_ab},
    };
    double sum[3] = {0}, flops = 0;
    printf("oneDNN bf16 matmul, T %ld D %ld H %ld, %d threads, median of 21 (ms, GFLOP/s):\n", T, D, H, nt);
    printf("  %-20s %16s %16s %16s\n", "GEMM", "plain, f32 out", "B blocked", "bf16 out");
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
        double f = 2.0 * g[i].M * g[i].K * g[i].N, ms[3];
        ms[0] = matmul_ms(eng, st, g[i].M, g[i].K, g[i].N, g[i].a, g[i].b, dnnl_f32);
        ms[1] = matmul_ms(eng, st, g[i].M, g[i].K, g[i].N, g[i].a, dnnl_format_tag_any, dnnl_f32);
        ms[2] = matmul_ms(eng, st, g[i].M, g[i].K, g[i].N, g[i].a, g[i].b, dnnl_bf16);
        printf("  %-20s", g[i].name);
        for (int k = 0; k < 3; k++) { printf("  %6.3f (%5.0f)", ms[k], f / ms[k] * 1e-6); sum[k] += ms[k]; }
        printf("\n");
        flops += f;
    }
    printf("  %-20s", "all six");
    for (int k = 0; k < 3; k++) printf("  %6.3f (%5.0f)", sum[k], flops / sum[k] * 1e-6);
    printf("\n  (%.2f GFLOP: at the tile ceiling they would take %.2f ms)\n", flops * 1e-9, flops / (all * 1e9) * 1e3);
    dnnl_stream_destroy(st);
    dnnl_engine_destroy(eng);
    return 0;
}
