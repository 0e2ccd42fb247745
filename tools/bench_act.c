/* bench_act.c -- `swiglu bench act`: effective bandwidth (GB/s) of the
 * elementwise kernels (every activation forward, every GLU forward, the fused
 * SwiGLU backward), per ISA and thread count, next to copy and triad loops
 * measured in the same run on the same buffers.
 *
 * Why ratios to a bound: on a shared 2-core machine absolute GB/s drift by
 * tens of percent from one minute to the next; a kernel's fraction of the
 * triad bandwidth measured in the same run, sample for sample, does not.
 * So within one (size, threads) group the samples are taken round-robin --
 * repetition r runs every row once before repetition r+1 starts -- and each
 * row reports the median of its samples: a burst of noise hits every row
 * alike instead of one row entirely.
 *
 * Effective bytes per element (what the operation must move at least; the
 * write-allocate read of a store is not counted, as in STREAM):
 *   copy a = b               8     act forward  out = act(x)        8
 *   triad a = b + s c       12     GLU forward  out = f(g, u)      12
 *   triad, streaming stores 12
 *   GLU backward, overwrite: reads dout g u, writes dg du          20
 *   GLU backward, accumulate: also reads dg du                     28
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <immintrin.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "cli.h"

#define MAX_LIST 8
#define MIN_SAMPLE_S 2e-3     /* in-cache rows repeat a call until a sample is >= 2 ms */
#define SLOW_CALL_S 40e-3     /* rows slower than this get 3 samples by default */
#define TARGET_N (16u << 20)  /* the targets are stated at 16M floats, 2 threads */
#define TARGET_THREADS 2
#define TARGET_PCT 85.0

enum row_kind { RK_COPY, RK_TRIAD, RK_TRIAD_NT, RK_ACT_FWD, RK_GLU_FWD, RK_GLU_BWD, RK_GLU_BWD_ACC };
#define NBOUND 3 /* rows[0..2]: copy, triad, triad_nt; the kernels follow */

static const char *const kind_names[] = {"copy", "triad", "triad_nt", "act_fwd", "glu_fwd", "glu_bwd", "glu_bwd_acc"};
static const double kind_bytes[] = {8, 12, 12, 8, 12, 20, 28};

typedef struct row {
    enum row_kind kind;
    int op;            /* swiglu_act or swiglu_glu; unused for copy/triad */
    int isa;           /* swiglu_isa; -1 for copy/triad */
    long calls;        /* calls per sample */
    int nsamples;      /* repetitions of this row (slow rows take fewer by default) */
    double *samples;   /* seconds per call, one per repetition */
    double med, lo, hi;/* median, min, max seconds per call */
} row;

typedef struct bufs { float *g, *u, *out, *dout, *dg, *du; size_t n; } bufs;

typedef struct opts {
    int json, reps, reps_given, full, swiglu_only;
    size_t sizes[MAX_LIST]; int nsizes;
    int threads[MAX_LIST]; int nthreads;
    int isas[SWIGLU_ISA_COUNT]; int nisas;
} opts;

/* one group's result, kept for the JSON document and the target lines */
typedef struct group {
    size_t n; int threads;
    row *rows; int nrows;
} group;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- the bound loops ------------------------------------------------------
 * Plain C loops, split between threads exactly as the library splits its
 * kernels (contiguous blocks of GRAIN floats, core/threads.c) and entered with
 * the same `if (nth > 1)`, so a 1-thread bound pays no fork either.
 * `omp simd` because -O2's cost model leaves a loop of unknown trip count
 * scalar. Out of cache any vector width saturates memory, but in L2 a 16-byte
 * SSE2 loop is instruction-bound at a fraction of what the AVX-512 kernels
 * move, which would make "% of triad" meaningless there: so the loops are
 * compiled three times (target attributes, no tree-wide flags) and the widest
 * one the library itself reports as supported runs. */
#define GRAIN 64
#ifdef _OPENMP
#define OMP_SIMD _Pragma("omp simd")
#else
#define OMP_SIMD
#endif

#define BOUND_LOOPS(sfx, attr)                                                              \
    attr static void copy_##sfx(float *restrict a, const float *restrict b, size_t i0,      \
                                size_t i1)                                                  \
    {                                                                                       \
        OMP_SIMD for (size_t i = i0; i < i1; i++) a[i] = b[i];                              \
    }                                                                                       \
    attr static void triad_##sfx(float *restrict a, const float *restrict b,                \
                                 const float *restrict c, float s, size_t i0, size_t i1)    \
    {                                                                                       \
        OMP_SIMD for (size_t i = i0; i < i1; i++) a[i] = b[i] + s * c[i];                   \
    }
BOUND_LOOPS(sse2, )
BOUND_LOOPS(avx2, __attribute__((target("avx2,fma"))))
BOUND_LOOPS(avx512, __attribute__((target("avx512f,avx2,fma"))))

/* The triad again with streaming stores (vmovntps): the line is written
 * without first being read, so the loop moves 3 streams instead of 4. The
 * library streams the outputs of large calls (swiglu_stream_threshold_set),
 * so this is the bound a streaming kernel meets on equal terms; the targets
 * are stated against the plain triad above, as the issue (and STREAM) do. */
#define TRIAD_NT(sfx, attr, W, vt, set1, add, mul, load, stream)                             \
    attr static void triad_nt_##sfx(float *restrict a, const float *restrict b,              \
                                    const float *restrict c, float s, size_t i0, size_t i1)  \
    {                                                                                        \
        size_t i = i0;                                                                       \
        for (; i < i1 && ((uintptr_t)(a + i) % (W * 4)); i++) a[i] = b[i] + s * c[i];        \
        vt vs = set1(s);                                                                     \
        for (; i + W <= i1; i += W) stream(a + i, add(load(b + i), mul(vs, load(c + i))));   \
        for (; i < i1; i++) a[i] = b[i] + s * c[i];                                          \
        _mm_sfence();                                                                        \
    }
TRIAD_NT(sse2, , 4, __m128, _mm_set1_ps, _mm_add_ps, _mm_mul_ps, _mm_loadu_ps, _mm_stream_ps)
TRIAD_NT(avx2, __attribute__((target("avx2,fma"))), 8, __m256, _mm256_set1_ps, _mm256_add_ps,
         _mm256_mul_ps, _mm256_loadu_ps, _mm256_stream_ps)
TRIAD_NT(avx512, __attribute__((target("avx512f,avx2,fma"))), 16, __m512, _mm512_set1_ps,
         _mm512_add_ps, _mm512_mul_ps, _mm512_loadu_ps, _mm512_stream_ps)

typedef void (*copy_fn)(float *restrict, const float *restrict, size_t, size_t);
typedef void (*triad_fn)(float *restrict, const float *restrict, const float *restrict, float,
                         size_t, size_t);
static copy_fn bound_copy_range = copy_sse2;
static triad_fn bound_triad_range = triad_sse2;
static triad_fn bound_triad_nt_range = triad_nt_sse2;
static const char *bound_width = "sse2";

static void bounds_pick(void)
{
    if (swiglu_isa_supported(SWIGLU_ISA_AVX512)) {
        bound_copy_range = copy_avx512, bound_triad_range = triad_avx512, bound_width = "avx512";
        bound_triad_nt_range = triad_nt_avx512;
    } else if (swiglu_isa_supported(SWIGLU_ISA_AVX2)) {
        bound_copy_range = copy_avx2, bound_triad_range = triad_avx2, bound_width = "avx2";
        bound_triad_nt_range = triad_nt_avx2;
    }
}

/* [*b, *e) of thread ith of nth: contiguous blocks of GRAIN floats, the first
 * n_blocks % nth threads one block more -- the library's sw_partition */
static void part(size_t *b, size_t *e, size_t n, int ith, int nth)
{
    size_t blocks = (n + GRAIN - 1) / GRAIN, per = blocks / (size_t)nth, extra = blocks % (size_t)nth;
    size_t i = (size_t)ith, b0 = i * per + (i < extra ? i : extra), nb = per + (i < extra ? 1 : 0);
    *b = b0 * GRAIN < n ? b0 * GRAIN : n;
    *e = (b0 + nb) * GRAIN < n ? (b0 + nb) * GRAIN : n;
}

/* runs body(ith, nth) on nth threads (the calling thread alone when nth = 1);
 * if the runtime grants fewer, the threads it gave take over the rest */
#ifdef _OPENMP
#define PAR_BEGIN(nth)                                                          \
    _Pragma("omp parallel num_threads(nth) if (nth > 1)")                       \
    for (int t_ = omp_get_thread_num(); t_ < (nth); t_ += omp_get_num_threads()) {
#else
#define PAR_BEGIN(nth) for (int t_ = 0; t_ < (nth); t_++) {
#endif
#define PAR_END }

static void bound_copy(float *a, const float *b, size_t n, int nth)
{
    PAR_BEGIN(nth)
        size_t i0, i1;
        part(&i0, &i1, n, t_, nth);
        bound_copy_range(a, b, i0, i1);
    PAR_END
}

static void bound_triad(triad_fn f, float *a, const float *b, const float *c, float s, size_t n, int nth)
{
    PAR_BEGIN(nth)
        size_t i0, i1;
        part(&i0, &i1, n, t_, nth);
        f(a, b, c, s, i0, i1);
    PAR_END
}

/* ---- buffers ------------------------------------------------------------- */

static float *alloc_floats(size_t n)
{
    /* 4 KiB alignment: every buffer starts on a page, so the partition of
     * pages between threads is the same for every buffer */
    size_t bytes = (n * sizeof(float) + 4095) & ~(size_t)4095;
    void *p = NULL;
    if (posix_memalign(&p, 4096, bytes)) cli_die("out of memory (%zu bytes)", bytes);
    return p;
}

/* deterministic values in [-1, 1) from the index (no state: any thread can fill any part) */
static float hash_unit(uint64_t i, uint64_t seed)
{
    uint64_t z = i * 0x9E3779B97F4A7C15ull + seed;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (float)((double)(z >> 40) * 0x1p-23 - 1.0);
}

static void bufs_init(bufs *b, size_t n, int nth)
{
    b->n = n;
    b->g = alloc_floats(n); b->u = alloc_floats(n); b->out = alloc_floats(n);
    b->dout = alloc_floats(n); b->dg = alloc_floats(n); b->du = alloc_floats(n);
    /* First touch in parallel, with the partition the kernels and the bound
     * loops use at the largest thread count, before any timing: no page fault
     * is ever timed, and each thread's pages were faulted in by that thread
     * (the 1-thread groups reuse them: one socket, one NUMA node here). Gate values in
     * [-6, 6), the interesting range of every activation; all finite, so the
     * kernels stay on their vector path (non-finite lanes go scalar). */
    float *g = b->g, *u = b->u, *out = b->out, *dout = b->dout, *dg = b->dg, *du = b->du;
    PAR_BEGIN(nth)
        size_t i0, i1;
        part(&i0, &i1, n, t_, nth);
        for (size_t i = i0; i < i1; i++) {
            g[i] = 6.0f * hash_unit(i, 1);
            u[i] = 2.0f * hash_unit(i, 2);
            dout[i] = hash_unit(i, 3);
            out[i] = 0.0f; dg[i] = 0.0f; du[i] = 0.0f;
        }
    PAR_END
}

static void bufs_free(bufs *b)
{
    free(b->g); free(b->u); free(b->out); free(b->dout); free(b->dg); free(b->du);
}

/* ---- running a row ------------------------------------------------------- */

static void run_once(const row *r, const bufs *b, int nth)
{
    size_t n = b->n;
    swiglu_gate gate;
    switch (r->kind) {
    case RK_COPY: bound_copy(b->out, b->g, n, nth); return;
    case RK_TRIAD: bound_triad(bound_triad_range, b->out, b->g, b->u, 0.5f, n, nth); return;
    case RK_TRIAD_NT: bound_triad(bound_triad_nt_range, b->out, b->g, b->u, 0.5f, n, nth); return;
    case RK_ACT_FWD:
        cli_check(swiglu_act_forward(b->out, b->g, n, (swiglu_act)r->op, 1.0f), "act forward");
        return;
    case RK_GLU_FWD:
        cli_check(swiglu_gate_init(&gate, (swiglu_glu)r->op), "gate");
        cli_check(swiglu_glu_forward(b->out, n, b->g, b->u, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate),
                  "glu forward");
        return;
    case RK_GLU_BWD:
    case RK_GLU_BWD_ACC:
        cli_check(swiglu_gate_init(&gate, (swiglu_glu)r->op), "gate");
        cli_check(swiglu_glu_backward(b->dg, b->du, n, NULL, b->dout, n, b->g, b->u, n, 1, n,
                                      SWIGLU_LAYOUT_SPLIT, &gate,
                                      r->kind == RK_GLU_BWD ? SWIGLU_BWD_OVERWRITE : 0u),
                  "glu backward");
        return;
    }
}

static double time_row(const row *r, const bufs *b, int nth)
{
    if (r->isa >= 0) cli_check(swiglu_isa_set((swiglu_isa)r->isa), "setting the ISA");
    double t0 = now_s();
    for (long k = 0; k < r->calls; k++) run_once(r, b, nth);
    return (now_s() - t0) / (double)r->calls;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void row_stats(row *r)
{
    int reps = r->nsamples;
    double *s = malloc((size_t)reps * sizeof *s);
    if (!s) cli_die("out of memory");
    memcpy(s, r->samples, (size_t)reps * sizeof *s);
    qsort(s, (size_t)reps, sizeof *s, cmp_double);
    r->lo = s[0];
    r->hi = s[reps - 1];
    r->med = reps % 2 ? s[reps / 2] : 0.5 * (s[reps / 2 - 1] + s[reps / 2]);
    free(s);
}

static double row_gbs(const row *r, size_t n) { return kind_bytes[r->kind] * (double)n / r->med * 1e-9; }

/* ---- which rows ---------------------------------------------------------- */

static int isa_is_ref_large(int isa, size_t n) { return isa == SWIGLU_ISA_REF && n > (1u << 20); }

static int build_rows(row *rows, const opts *o, size_t n)
{
    int k = 0;
    rows[k++] = (row){.kind = RK_COPY, .isa = -1};
    rows[k++] = (row){.kind = RK_TRIAD, .isa = -1};
    rows[k++] = (row){.kind = RK_TRIAD_NT, .isa = -1};
    for (int i = 0; i < o->nisas; i++) {
        int isa = o->isas[i];
        /* The scalar reference is 10-50x slower than the SIMD sets: out of
         * cache it keeps only the SwiGLU rows (--full for all), so that the
         * default run stays short. */
        int only_swiglu = (isa_is_ref_large(isa, n) && !o->full) || o->swiglu_only;
        int acc = !(isa_is_ref_large(isa, n) && !o->full); /* ref out of cache: no bwd+= */
        if (!only_swiglu)
            for (int a = 0; a < SWIGLU_ACT_COUNT; a++)
                rows[k++] = (row){.kind = RK_ACT_FWD, .op = a, .isa = isa};
        for (int v = 0; v < SWIGLU_GLU_COUNT; v++)
            if (!only_swiglu || v == SWIGLU_GLU_SWIGLU)
                rows[k++] = (row){.kind = RK_GLU_FWD, .op = v, .isa = isa};
        rows[k++] = (row){.kind = RK_GLU_BWD, .op = SWIGLU_GLU_SWIGLU, .isa = isa};
        if (acc) rows[k++] = (row){.kind = RK_GLU_BWD_ACC, .op = SWIGLU_GLU_SWIGLU, .isa = isa};
    }
    return k;
}

static const char *op_name(const row *r)
{
    if (r->kind < NBOUND) return kind_names[r->kind];
    if (r->kind == RK_ACT_FWD) return swiglu_act_name((swiglu_act)r->op);
    return swiglu_glu_name((swiglu_glu)r->op);
}

/* the row label in the table: "fwd swish", "glu swiglu", "bwd swiglu" */
static void row_label(char *buf, size_t cap, const row *r)
{
    static const char *const prefix[] = {"", "", "", "act ", "glu ", "bwd ", "bwd+= "};
    snprintf(buf, cap, "%s%s", prefix[r->kind], op_name(r));
}

static int best_isa(const opts *o)
{
    int b = o->isas[0];
    for (int i = 1; i < o->nisas; i++) if (o->isas[i] > b) b = o->isas[i];
    return b;
}

static int is_target_row(const opts *o, const group *gr, const row *r)
{
    return gr->n == TARGET_N && gr->threads == TARGET_THREADS && r->isa == best_isa(o) &&
           r->op == SWIGLU_GLU_SWIGLU && (r->kind == RK_GLU_FWD || r->kind == RK_GLU_BWD);
}

/* ---- text output --------------------------------------------------------- */

static void fmt_size(char *buf, size_t cap, size_t n)
{
    if (n % (1u << 20) == 0) snprintf(buf, cap, "%zuM", n >> 20);
    else if (n % (1u << 10) == 0) snprintf(buf, cap, "%zuK", n >> 10);
    else snprintf(buf, cap, "%zu", n);
}

static void print_group(const opts *o, const group *gr)
{
    const row *rows = gr->rows;
    double triad = row_gbs(&rows[1], gr->n), copy = row_gbs(&rows[0], gr->n);
    double triad_nt = row_gbs(&rows[2], gr->n);
    char sz[32];
    fmt_size(sz, sizeof sz, gr->n);
    printf("\nn = %s floats (%.1f MiB a buffer), %d thread%s:  copy %.1f GB/s, triad %.1f GB/s "
           "(%.1f with streaming stores)\n",
           sz, (double)gr->n * 4.0 / (1 << 20), gr->threads, gr->threads == 1 ? "" : "s", copy, triad,
           triad_nt);
    printf("  %-20s %4s", "kernel", "B/el");
    for (int i = 0; i < o->nisas; i++) printf("  %8s %-6s", swiglu_isa_name((swiglu_isa)o->isas[i]), "");
    printf("\n");
    /* one line per (kind, op) in a fixed order, one column pair (GB/s, % of
     * triad) per ISA; "-" where an ISA has no such row (ref out of cache) */
    for (int kind = RK_ACT_FWD; kind <= RK_GLU_BWD_ACC; kind++) {
        int nops = kind == RK_ACT_FWD ? SWIGLU_ACT_COUNT : SWIGLU_GLU_COUNT;
        for (int op = 0; op < nops; op++) {
            const row *any = NULL;
            for (int j = NBOUND; j < gr->nrows; j++)
                if ((int)rows[j].kind == kind && rows[j].op == op) any = &rows[j];
            if (!any) continue;
            char label[48];
            row_label(label, sizeof label, any);
            printf("  %-20s %4.0f", label, kind_bytes[kind]);
            int mark = 0;
            for (int c = 0; c < o->nisas; c++) {
                const row *m = NULL;
                for (int j = NBOUND; j < gr->nrows; j++)
                    if ((int)rows[j].kind == kind && rows[j].op == op && rows[j].isa == o->isas[c]) m = &rows[j];
                if (!m) { printf("  %8s %-6s", "-", ""); continue; }
                double g = row_gbs(m, gr->n);
                printf("  %8.2f %4.0f%%%s", g, 100.0 * g / triad, is_target_row(o, gr, m) ? "*" : " ");
                mark |= is_target_row(o, gr, m);
            }
            printf("%s\n", mark ? "  <- goal" : "");
        }
    }
    fflush(stdout);
}

static void print_targets(const opts *o, const group *groups, int ngroups)
{
    int any = 0;
    for (int gi = 0; gi < ngroups; gi++) {
        const group *gr = &groups[gi];
        double triad = row_gbs(&gr->rows[1], gr->n), triad_nt = row_gbs(&gr->rows[2], gr->n);
        for (int i = NBOUND; i < gr->nrows; i++) {
            const row *r = &gr->rows[i];
            if (!is_target_row(o, gr, r)) continue;
            if (!any) printf("\ndevelopment goals of the kernels (* above; a yardstick for their authors, not a pass/fail\n"
                             "of this machine -- other load lowers it): >= %.0f%% of the triad bandwidth of the same run\n",
                             TARGET_PCT);
            any = 1;
            double pct = 100.0 * row_gbs(r, gr->n) / triad;
            printf("  swiglu %-8s 16M floats, %d threads, %-6s  %6.2f GB/s = %3.0f%% of triad  %-6s"
                   " (%3.0f%% of the streaming-store triad)\n",
                   r->kind == RK_GLU_FWD ? "forward" : "backward", gr->threads,
                   swiglu_isa_name((swiglu_isa)r->isa), row_gbs(r, gr->n), pct,
                   pct >= TARGET_PCT ? "reached" : "below", 100.0 * row_gbs(r, gr->n) / triad_nt);
        }
    }
    if (!any) printf("\n(the kernels' development goals are stated at 16M floats and 2 threads: not in this run)\n");
}

/* Other processes' share of the machine during the run, in cores: the busy
 * time of all CPUs (/proc/stat) minus this process's own CPU time, over the
 * wall time. On 2 cores anything above a few tenths takes a core from the
 * 2-thread rows, whose OpenMP barriers then wait for a descheduled thread.
 * (The load average is no use here: it lags by minutes.) */
typedef struct load_probe { double wall, self, busy; int ok; } load_probe;

static load_probe load_probe_now(void)
{
    load_probe p = {now_s(), 0, 0, 0};
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    p.self = (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return p;
    unsigned long long v[8] = {0};
    if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
               &v[5], &v[6], &v[7]) == 8) {
        /* user nice system idle iowait irq softirq steal: all but idle, iowait */
        p.busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)sysconf(_SC_CLK_TCK);
        p.ok = 1;
    }
    fclose(f);
    return p;
}

/* cores' worth of other work between two probes, or -1 when unknown */
static double other_load(load_probe a, load_probe b)
{
    if (!a.ok || !b.ok || b.wall <= a.wall) return -1;
    double o = ((b.busy - a.busy) - (b.self - a.self)) / (b.wall - a.wall);
    return o > 0 ? o : 0;
}

static void warn_load(double other, const opts *o)
{
    int maxth = 1;
    for (int i = 0; i < o->nthreads; i++) if (o->threads[i] > maxth) maxth = o->threads[i];
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (other > 0.25 && maxth + other > (double)cpus)
        fprintf(stderr, "swiglu: note: other processes kept %.2f of the %ld CPUs busy during the run: "
                        "the %d-thread numbers are unreliable (ratios to triad less so)\n", other, cpus, maxth);
}

/* ---- JSON ---------------------------------------------------------------- */


static void print_json(const opts *o, const group *groups, int ngroups, double other)
{
    char cpu[256];
    cli_cpu_name(cpu, sizeof cpu);
    printf("{\n  \"bench\": \"act\",\n  \"version\": \"%s\",\n  \"cpu\": \"%s\",\n", swiglu_version_string(), cpu);
    printf("  \"reps\": %d,\n  \"statistic\": \"median\",\n  \"best_isa\": \"%s\",\n  \"bound_loops\": \"%s\",\n",
           o->reps, swiglu_isa_name((swiglu_isa)best_isa(o)), bound_width);
    printf("  \"cpus\": %ld,\n  \"other_load_cores\": %.2f,\n", sysconf(_SC_NPROCESSORS_ONLN), other);
    size_t st = swiglu_stream_threshold_get();
    if (st == SIZE_MAX) printf("  \"stream_threshold_bytes\": null,\n");
    else printf("  \"stream_threshold_bytes\": %zu,\n", st);
    printf("  \"bytes_per_elem\": {");
    for (int k = 0; k <= RK_GLU_BWD_ACC; k++) printf("%s\"%s\": %.0f", k ? ", " : "", kind_names[k], kind_bytes[k]);
    printf("},\n  \"rows\": [\n");
    int first = 1;
    for (int gi = 0; gi < ngroups; gi++) {
        const group *gr = &groups[gi];
        double triad = row_gbs(&gr->rows[1], gr->n);
        for (int i = 0; i < gr->nrows; i++) {
            const row *r = &gr->rows[i];
            double g = row_gbs(r, gr->n);
            printf("%s    {\"kind\": \"%s\", \"op\": \"%s\", \"isa\": \"%s\", \"n\": %zu, \"threads\": %d, "
                   "\"gbs\": %.3f, \"pct_triad\": %.1f, \"s_median\": %.6g, \"s_min\": %.6g, \"s_max\": %.6g, "
                   "\"samples\": %d, \"calls_per_sample\": %ld%s}",
                   first ? "" : ",\n", kind_names[r->kind], op_name(r),
                   r->isa >= 0 ? swiglu_isa_name((swiglu_isa)r->isa) : "plain-c", gr->n, gr->threads,
                   g, 100.0 * g / triad, r->med, r->lo, r->hi, r->nsamples, r->calls,
                   is_target_row(o, gr, r) ? ", \"target\": true" : "");
            first = 0;
        }
    }
    printf("\n  ],\n  \"targets\": [");
    first = 1;
    for (int gi = 0; gi < ngroups; gi++) {
        const group *gr = &groups[gi];
        double triad = row_gbs(&gr->rows[1], gr->n), triad_nt = row_gbs(&gr->rows[2], gr->n);
        for (int i = NBOUND; i < gr->nrows; i++) {
            const row *r = &gr->rows[i];
            if (!is_target_row(o, gr, r)) continue;
            double pct = 100.0 * row_gbs(r, gr->n) / triad;
            printf("%s\n    {\"what\": \"swiglu_%s\", \"isa\": \"%s\", \"n\": %zu, \"threads\": %d, "
                   "\"pct_triad\": %.1f, \"pct_triad_nt\": %.1f, \"goal_pct\": %.0f, \"met\": %s}",
                   first ? "" : ",", r->kind == RK_GLU_FWD ? "fwd" : "bwd",
                   swiglu_isa_name((swiglu_isa)r->isa), gr->n, gr->threads, pct,
                   100.0 * row_gbs(r, gr->n) / triad_nt, TARGET_PCT, pct >= TARGET_PCT ? "true" : "false");
            first = 0;
        }
    }
    printf("%s]\n}\n", first ? "" : "\n  ");
}

/* ---- options ------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: swiglu bench act [--json] [--reps N] [--sizes 16M,64K] [--threads 1,2]\n"
            "                        [--isa ref,avx2,avx512|best] [--full] [--swiglu-only] [--no-stream]\n"
            "Effective GB/s of every activation forward, every GLU forward and the fused\n"
            "SwiGLU backward (overwrite and accumulate), per ISA and thread count, and\n"
            "their %% of the triad bandwidth measured in the same run (median of N reps).\n"
            "  --json     one JSON document on stdout instead of the table\n"
            "  --reps N   repetitions of every row (default 7; 3 for rows slower than\n"
            "             40 ms a call, except the bounds and the target rows)\n"
            "  --sizes    floats per buffer, K/M/G suffixes (default 16M,64K: out of and in L2)\n"
            "  --threads  thread counts (default 1,2)\n"
            "  --isa      kernel sets (default: every one this CPU supports; best: the\n"
            "             widest supported)\n"
            "  --full     every row for the scalar ref set out of cache too (slow)\n"
            "  --swiglu-only  only the SwiGLU forward and backward rows (and the bounds)\n"
            "  --no-stream    no streaming stores in the kernels (swiglu_stream_threshold_set\n"
            "             (SIZE_MAX)); by default outputs of calls >= 32 MiB are streamed\n");
}

static size_t parse_size(const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || v > (1ull << 30)) cli_die("--sizes expects sizes like 16M, 65536 or 1G (at most 1G), got '%s'", s);
    if (*end == 'K' || *end == 'k') { v <<= 10; end++; }
    else if (*end == 'M' || *end == 'm') { v <<= 20; end++; }
    else if (*end == 'G' || *end == 'g') { v <<= 30; end++; }
    if (*end || v < 1 || v > (1ull << 30)) cli_die("--sizes: '%s' is not a size in [1, 1G] floats", s);
    return (size_t)v;
}

/* splits a comma list (in place) into at most `max` items */
static int split_list(char *s, char **items, int max, const char *opt)
{
    int k = 0;
    for (char *t = strtok(s, ","); t; t = strtok(NULL, ",")) {
        if (k == max) cli_die("%s takes at most %d values", opt, max);
        items[k++] = t;
    }
    if (k == 0) cli_die("%s needs at least one value", opt);
    return k;
}

static void parse_opts(opts *o, int argc, char **argv)
{
    *o = (opts){.reps = 7, .nsizes = 2, .sizes = {TARGET_N, 64u << 10}, .nthreads = 2, .threads = {1, 2}};
    for (int i = 0; i < SWIGLU_ISA_COUNT; i++)
        if (swiglu_isa_supported((swiglu_isa)i)) o->isas[o->nisas++] = i;
    char *items[MAX_LIST];
    char buf[256];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(stdout); cli_exit(0); }
        else if (!strcmp(a, "--json")) o->json = 1;
        else if (!strcmp(a, "--full")) o->full = 1;
        else if (!strcmp(a, "--swiglu-only")) o->swiglu_only = 1;
        else if (!strcmp(a, "--no-stream")) cli_check(swiglu_stream_threshold_set(SIZE_MAX), "stream threshold");
        else if (!strcmp(a, "--reps")) {
            o->reps = (int)cli_parse_int(a, cli_value(argc, argv, &i), 1, 1000);
            o->reps_given = 1;
        }
        else if (!strcmp(a, "--sizes") || !strcmp(a, "--threads") || !strcmp(a, "--isa")) {
            snprintf(buf, sizeof buf, "%s", cli_value(argc, argv, &i));
            int k = split_list(buf, items, MAX_LIST, a);
            if (a[2] == 's') {
                o->nsizes = k;
                for (int j = 0; j < k; j++) o->sizes[j] = parse_size(items[j]);
            } else if (a[2] == 't') {
                o->nthreads = k;
                for (int j = 0; j < k; j++) o->threads[j] = (int)cli_parse_int(a, items[j], 1, 256);
            } else {
                if (k > SWIGLU_ISA_COUNT) cli_die("--isa: at most %d sets", SWIGLU_ISA_COUNT);
                o->nisas = k;
                for (int j = 0; j < k; j++) {
                    swiglu_isa isa = SWIGLU_ISA_REF;
                    if (!strcmp(items[j], "best")) {
                        for (int m = 0; m < SWIGLU_ISA_COUNT; m++)
                            if (swiglu_isa_supported((swiglu_isa)m)) isa = (swiglu_isa)m;
                    } else if (swiglu_isa_from_name(&isa, items[j]) != SWIGLU_OK)
                        cli_die("--isa: unknown kernel set '%s' (ref, avx2, avx512)", items[j]);
                    if (!swiglu_isa_supported(isa)) cli_die("--isa: this CPU cannot run '%s'", items[j]);
                    for (int m = 0; m < j; m++)
                        if (o->isas[m] == (int)isa) cli_die("--isa: '%s' given twice", items[j]);
                    o->isas[j] = (int)isa;
                }
            }
        } else {
            usage(stderr);
            cli_die("bench act: unknown option '%s'", a);
        }
    }
}

/* ---- main ---------------------------------------------------------------- */

int bench_act(int argc, char **argv)
{
    opts o;
    parse_opts(&o, argc, argv);
    cli_args_done();
    bounds_pick();
    load_probe probe0 = load_probe_now();
    int maxth = 1;
    for (int i = 0; i < o.nthreads; i++) if (o.threads[i] > maxth) maxth = o.threads[i];
    int max_rows = NBOUND + o.nisas * (SWIGLU_ACT_COUNT + SWIGLU_GLU_COUNT + 2);
    int ngroups = o.nsizes * o.nthreads;
    group *groups = calloc((size_t)ngroups, sizeof *groups);
    if (!groups) cli_die("out of memory");
    swiglu_isa isa_before = swiglu_isa_active();

    if (!o.json) {
        char cpu[256];
        cli_cpu_name(cpu, sizeof cpu);
        printf("swiglu %s bench act -- %s; effective GB/s, median of %d reps; %% = of triad in the same group\n",
               swiglu_version_string(), cpu, o.reps);
        printf("(act: out = act(x); glu: out = act(g) u; bwd: SwiGLU dg, du overwritten; bwd+=: accumulated;\n"
               " copy/triad: plain C loops, %s vectors; slow rows: median of 3)\n", bound_width);
        if (swiglu_stream_threshold_get() == SIZE_MAX) printf("(--no-stream: the kernels use normal stores only)\n");
        else printf("(the kernels stream the stores of calls whose outputs reach %zu MiB)\n",
                    swiglu_stream_threshold_get() >> 20);
        fflush(stdout);
    }
    int gi = 0;
    for (int si = 0; si < o.nsizes; si++) {
        bufs b;
        bufs_init(&b, o.sizes[si], maxth);
        for (int ti = 0; ti < o.nthreads; ti++, gi++) {
            int nth = o.threads[ti];
            group *gr = &groups[gi];
            gr->n = b.n;
            gr->threads = nth;
            gr->rows = calloc((size_t)max_rows, sizeof *gr->rows);
            if (!gr->rows) cli_die("out of memory");
            gr->nrows = build_rows(gr->rows, &o, b.n);
            cli_check(swiglu_threads_set(nth), "setting threads");
            /* calibration, which is also the warm-up: calls per sample so that
             * a sample lasts >= MIN_SAMPLE_S (in-cache rows take microseconds) */
            for (int i = 0; i < gr->nrows; i++) {
                row *r = &gr->rows[i];
                r->calls = 1;
                double t = time_row(r, &b, nth);
                if (t < SLOW_CALL_S) t = fmin(t, time_row(r, &b, nth));
                r->calls = t >= MIN_SAMPLE_S ? 1 : (long)ceil(MIN_SAMPLE_S / (t > 1e-7 ? t : 1e-7));
                /* the slow rows (scalar ref, erf/tanh out of cache) would take most
                 * of the default run's time: 3 samples give them a median too */
                r->nsamples = o.reps;
                if (!o.reps_given && t > SLOW_CALL_S && r->isa >= 0 && !is_target_row(&o, gr, r) && o.reps > 3)
                    r->nsamples = 3;
                r->samples = calloc((size_t)o.reps, sizeof *r->samples);
                if (!r->samples) cli_die("out of memory");
            }
            for (int rep = 0; rep < o.reps; rep++)
                for (int i = 0; i < gr->nrows; i++)
                    if (rep < gr->rows[i].nsamples) gr->rows[i].samples[rep] = time_row(&gr->rows[i], &b, nth);
            for (int i = 0; i < gr->nrows; i++) row_stats(&gr->rows[i]);
            if (!o.json) print_group(&o, gr);
        }
        bufs_free(&b);
    }
    cli_check(swiglu_isa_set(isa_before), "restoring the ISA");
    cli_check(swiglu_threads_set(0), "restoring threads");
    double other = other_load(probe0, load_probe_now());
    if (o.json) print_json(&o, groups, ngroups, other);
    else {
        print_targets(&o, groups, ngroups);
        if (other >= 0) printf("other processes: %.2f CPUs busy on average during the run\n", other);
    }
    warn_load(other, &o);
    for (int i = 0; i < ngroups; i++) {
        for (int j = 0; j < groups[i].nrows; j++) free(groups[i].rows[j].samples);
        free(groups[i].rows);
    }
    free(groups);
    return 0;
}
