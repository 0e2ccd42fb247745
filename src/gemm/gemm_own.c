/* gemm_own.c -- our own GEMM engine: packing, cache blocking, threads and
 * the epilogue around the per-ISA micro-kernels of gemm_own.h.
 *
 * Legend: C [M x N] = alpha op(A) [M x K] op(B) [K x N] + beta C, row-major,
 * row strides lda, ldb, ldc in elements. MR x NR = 6 x 64 register tile
 * (AVX-512: 24 zmm; AVX2: four strips of 6 x 16 in 12 ymm, the same bits).
 *
 * Why it looks like this (docs/FFN.md, "Our GEMM engine"):
 *  - Both operands are packed, so that one micro-kernel serves every
 *    orientation (y = x W^T, dx = dy W, dW += dy^T x: transposes are the
 *    packing's strides) and every edge (panels are zero padded to MR / NR,
 *    the kernel's stores are masked to the m x n that exist: any M, N, K >= 1).
 *    A: panels of MR rows, k-major [K][MR]; B: panels of NR columns [K][NR];
 *    bf16 VNNI-2: [K/2][MR][2] and [K/2][NR][2]. A weight operand can be
 *    packed once (sw_gemm_bpack) and reused: the FFN caches its packed
 *    weights in the handle.
 *  - Cache blocking: output blocks of MC x NC (48 x 256) are the unit of
 *    work; inside one, k runs in blocks of KC (384 fp32, 768 bf16), B's
 *    micro-panel (KC x NR, 96 KiB) is reused from L2 across the block's 8
 *    row panels and A's micro-panel (MR x KC, 9 KiB) sits in L1.
 *  - Threads: OpenMP over output blocks, static contiguous ranges in
 *    column-block-major order, so that a thread's consecutive blocks share B.
 *    Each block is computed by one thread in a fixed k order: the bits do
 *    not depend on the thread count.
 *  - Epilogue: fp32 C without an activation is written by the micro-kernel
 *    (alpha, and beta on the first k block). Otherwise the block is
 *    accumulated in a per-thread fp32 buffer and finished once: beta C,
 *    the activation (the kernel set's act_fwd), bf16 rounding (to_bf16), or
 *    a caller's epilogue (the FFN's act(gate) * up on interleaved columns).
 *  - Scratch (packed operands, block buffers) comes from a pool that grows
 *    to the largest call and is then reused: no allocation per call after
 *    the first of a size.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "core/internal.h"
#include "core/cpu.h"
#include "gemm/gemm.h"
#include "gemm/gemm_own.h"
#include "kernels/kernels.h"

#define MR SW_OWN_MR
#define NR SW_OWN_NR
#ifndef MC
#define MC (8 * MR)
#endif
#define NC (4 * NR)
#ifndef KC_F32
#define KC_F32 384
#endif
#ifndef KC_BF16
#define KC_BF16 768
#endif
  /* elements of k (384 pairs): the same bytes per panel */
#define GLU_HALF SW_GEMM_GLU_HALF   /* GLU layout: 128 gate + 128 up columns per block */
SW_STATIC_ASSERT(2 * GLU_HALF == NC && SW_GEMM_EPI_COLS == NC, "a GLU block is an output block");

/* ---- what this CPU can run ---------------------------------------------------- */

static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;
static int have_avx512, have_bf16, have_avx2;
static void cpu_init(void)
{
    sw_cpu c;
    sw_cpu_detect(&c);
    have_avx512 = c.avx512f && c.avx512dq && c.avx512bw && c.avx512vl && c.fma;
    have_bf16 = have_avx512 && c.avx512_bf16;
    have_avx2 = c.avx2 && c.fma;
}

/* The AVX-512 kernels where the CPU has them, unless the kernel ISA is
 * forced to AVX2 (SWIGLU_ISA=avx2, swiglu_isa_set): then the AVX2 fp32
 * kernel and no bf16, as on a CPU without AVX-512. Asked per call, so a
 * swiglu_isa_set between calls takes effect (a packed weight serves both:
 * the layouts are the same). */
static int use_avx512(void)
{
    pthread_once(&cpu_once, cpu_init);
    return have_avx512 && swiglu_isa_active() != SWIGLU_ISA_AVX2;
}

int sw_gemm_own_supported(swiglu_dtype dt)
{
    int wide = use_avx512();
    return dt == SWIGLU_BF16 ? wide && have_bf16 : dt == SWIGLU_F32 ? wide || have_avx2 : 0;
}

const char *sw_gemm_own_isa(swiglu_dtype dt)
{
    if (!sw_gemm_own_supported(dt)) return NULL;
    return dt == SWIGLU_BF16 ? "avx512bf16" : use_avx512() ? "avx512" : "avx2";
}

/* ---- scratch pool --------------------------------------------------------------- */

#define POOL_SLOTS 16
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct { void *p; size_t bytes; int busy; } pool[POOL_SLOTS];

/* a 64-byte aligned buffer of at least `bytes`, or NULL; give it back with pool_put */
static void *pool_get(size_t bytes)
{
    void *r = NULL;
    size_t b = (bytes + 63) & ~(size_t)63;
    if (b < bytes) return NULL;
    pthread_mutex_lock(&pool_lock);
    int free_slot = -1;
    for (int i = 0; i < POOL_SLOTS && !r; i++) {
        if (pool[i].busy) continue;
        if (pool[i].bytes >= b) { pool[i].busy = 1; r = pool[i].p; }
        else if (free_slot < 0) free_slot = i;
    }
    if (!r && free_slot >= 0) {
        free(pool[free_slot].p);
        pool[free_slot].p = aligned_alloc(64, b);
        pool[free_slot].bytes = pool[free_slot].p ? b : 0;
        if (pool[free_slot].p) { pool[free_slot].busy = 1; r = pool[free_slot].p; }
    }
    pthread_mutex_unlock(&pool_lock);
    return r;
}

static void pool_put(void *p)
{
    if (!p) return;
    pthread_mutex_lock(&pool_lock);
    for (int i = 0; i < POOL_SLOTS; i++)
        if (pool[i].p == p) pool[i].busy = 0;
    pthread_mutex_unlock(&pool_lock);
}

/* ---- packing -------------------------------------------------------------------- */

static size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }
#define NONE ((size_t)-1)   /* a padding line of a packed panel */
static size_t esz(swiglu_dtype dt) { return dt == SWIGLU_BF16 ? 2 : 4; }

/* logical column of op(B) held by packed column pc, or NONE for padding.
 * glu_h > 0: op(B)'s N = 2 glu_h columns are gate | up; each output block of
 * NC packed columns q holds gate columns GLU_HALF q.. and the matching up
 * columns side by side (GLU_HALF + GLU_HALF). */
static size_t packed_col(size_t pc, size_t N, size_t glu_h)
{
    if (!glu_h) return pc < N ? pc : NONE;
    size_t q = pc / NC, w = pc % NC, c = q * GLU_HALF + (w % GLU_HALF);
    if (c >= glu_h) return NONE;
    return w < GLU_HALF ? c : glu_h + c;
}

/* How many of the w lines, from the first, are one run of consecutive
 * elements (line[l] = line[0] + l elements of es bytes) with every line after
 * the run NULL (padding); 0 when the lines are not so (the general loops
 * then). The packers of A^T and of B (k-major sources) see such runs: a
 * panel's rows or columns are neighbours in memory. */
static size_t run_lines(const void *const *line, size_t w, size_t es)
{
    size_t n = 0;
    while (n < w && line[n] && (const unsigned char *)line[n] == (const unsigned char *)line[0] + n * es) n++;
    for (size_t l = n; l < w; l++)
        if (line[l]) return 0;
    return n;
}

/* One packed panel of w lines (MR rows of op(A) or NR columns of op(B)):
 * line l starts at line[l] (NULL: zero padding), its element k at
 * line[l][k * s_k].
 *   fp32: dst [K][w]        bf16: dst [K2][w][2] (VNNI-2, a zero k past K)
 * Lines with s_k = 1 are read along k; otherwise k runs outer so that the
 * reads are contiguous across lines (op(A) = A^T, op(B) = B). */
static void pack_f32(float *dst, size_t w, const float *const *line, size_t s_k, size_t K)
{
    if (s_k == 1) {
        size_t l = 0;
#ifdef __SSE2__
        /* 4 lines x 4 k at a time: a 4 x 4 transpose (x86-64's baseline SSE) */
        for (; l + 4 <= w && line[l] && line[l + 1] && line[l + 2] && line[l + 3]; l += 4) {
            size_t k = 0;
            for (; k + 4 <= K; k += 4) {
                __m128 r0 = _mm_loadu_ps(line[l] + k), r1 = _mm_loadu_ps(line[l + 1] + k);
                __m128 r2 = _mm_loadu_ps(line[l + 2] + k), r3 = _mm_loadu_ps(line[l + 3] + k);
                _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
                _mm_storeu_ps(dst + k * w + l, r0);
                _mm_storeu_ps(dst + (k + 1) * w + l, r1);
                _mm_storeu_ps(dst + (k + 2) * w + l, r2);
                _mm_storeu_ps(dst + (k + 3) * w + l, r3);
            }
            for (; k < K; k++)
                for (size_t q = l; q < l + 4; q++) dst[k * w + q] = line[q][k];
        }
        /* 2 lines x 4 k (A's panels of 6 rows end so) */
        for (; l + 2 <= w && line[l] && line[l + 1]; l += 2) {
            size_t k = 0;
            for (; k + 4 <= K; k += 4) {
                __m128 a = _mm_loadu_ps(line[l] + k), b = _mm_loadu_ps(line[l + 1] + k);
                __m128 lo = _mm_unpacklo_ps(a, b), hi = _mm_unpackhi_ps(a, b);  /* a0 b0 a1 b1 | a2 b2 a3 b3 */
                _mm_storel_pi((__m64 *)(void *)(dst + k * w + l), lo);
                _mm_storeh_pi((__m64 *)(void *)(dst + (k + 1) * w + l), lo);
                _mm_storel_pi((__m64 *)(void *)(dst + (k + 2) * w + l), hi);
                _mm_storeh_pi((__m64 *)(void *)(dst + (k + 3) * w + l), hi);
            }
            for (; k < K; k++) { dst[k * w + l] = line[l][k]; dst[k * w + l + 1] = line[l + 1][k]; }
        }
#endif
        for (; l < w; l++) {
            const float *p = line[l];
            if (!p) { for (size_t k = 0; k < K; k++) dst[k * w + l] = 0.0f; continue; }
            for (size_t k = 0; k < K; k++) dst[k * w + l] = p[k];
        }
        return;
    }
    size_t n = run_lines((const void *const *)line, w, sizeof(float));
    if (n) {   /* k-major rows: n values and zeros per k (no memcpy: a call per 6 values cost more than the copy) */
        for (size_t k = 0; k < K; k++) {
            const float *src = line[0] + k * s_k;
            float *d = dst + k * w;
            size_t l = 0;
#ifdef __SSE2__
            for (; l + 4 <= n; l += 4) _mm_storeu_ps(d + l, _mm_loadu_ps(src + l));
#endif
            for (; l < n; l++) d[l] = src[l];
            for (; l < w; l++) d[l] = 0.0f;
        }
        return;
    }
    for (size_t k = 0; k < K; k++)
        for (size_t l = 0; l < w; l++)
            dst[k * w + l] = line[l] ? line[l][k * s_k] : 0.0f;
}

/* VNNI-2: the pair (k, k+1) of line l is one 32-bit word, k in the low half
 * (little-endian), at word k/2 * w + l of dst. Line l's pairs from k2 on,
 * read along k, and the odd last k with a zero beside it. */
static void pack_pairs(uint32_t *d32, size_t w, size_t l, const uint16_t *p, size_t k2, size_t K)
{
    for (; k2 < K / 2; k2++) d32[k2 * w + l] = (uint32_t)p[2 * k2] | (uint32_t)p[2 * k2 + 1] << 16;
    if (K & 1) d32[(K / 2) * w + l] = p[K - 1];
}

static void pack_bf16(uint16_t *dst, size_t w, const uint16_t *const *line, size_t s_k, size_t K)
{
    size_t K2 = ceil_div(K, 2);
    uint32_t *d32 = (uint32_t *)(void *)dst;             /* dst is 4-byte aligned: panels start at even offsets */
    if (s_k == 1) {
        size_t l = 0;
#ifdef __SSE2__
        /* 4 lines x 4 pairs at a time: a 4 x 4 transpose of 32-bit words */
        for (; l + 4 <= w && line[l] && line[l + 1] && line[l + 2] && line[l + 3]; l += 4) {
            size_t k2 = 0;
            for (; k2 + 4 <= K / 2; k2 += 4) {
                __m128i r0 = _mm_loadu_si128((const __m128i *)(const void *)(line[l] + 2 * k2));
                __m128i r1 = _mm_loadu_si128((const __m128i *)(const void *)(line[l + 1] + 2 * k2));
                __m128i r2 = _mm_loadu_si128((const __m128i *)(const void *)(line[l + 2] + 2 * k2));
                __m128i r3 = _mm_loadu_si128((const __m128i *)(const void *)(line[l + 3] + 2 * k2));
                __m128i t0 = _mm_unpacklo_epi32(r0, r1), t1 = _mm_unpacklo_epi32(r2, r3);
                __m128i t2 = _mm_unpackhi_epi32(r0, r1), t3 = _mm_unpackhi_epi32(r2, r3);
                _mm_storeu_si128((__m128i *)(void *)(d32 + k2 * w + l), _mm_unpacklo_epi64(t0, t1));
                _mm_storeu_si128((__m128i *)(void *)(d32 + (k2 + 1) * w + l), _mm_unpackhi_epi64(t0, t1));
                _mm_storeu_si128((__m128i *)(void *)(d32 + (k2 + 2) * w + l), _mm_unpacklo_epi64(t2, t3));
                _mm_storeu_si128((__m128i *)(void *)(d32 + (k2 + 3) * w + l), _mm_unpackhi_epi64(t2, t3));
            }
            for (size_t q = l; q < l + 4; q++) pack_pairs(d32, w, q, line[q], k2, K);
        }
#endif
        for (; l < w; l++) {
            const uint16_t *p = line[l];
            if (!p) { for (size_t k2 = 0; k2 < K2; k2++) d32[k2 * w + l] = 0; continue; }
            pack_pairs(d32, w, l, p, 0, K);
        }
        return;
    }
    size_t n = run_lines((const void *const *)line, w, sizeof(uint16_t));
    if (n) {   /* k-major rows: two rows interleaved per pair, zeros past the run */
        for (size_t k2 = 0; k2 < K2; k2++) {
            const uint16_t *r0 = line[0] + 2 * k2 * s_k, *r1 = r0 + s_k;
            uint32_t *o = d32 + k2 * w;
            if (2 * k2 + 1 < K) {
                size_t l = 0;
#ifdef __SSE2__
                /* 8 columns at a time: the two rows' halves interleaved (x86-64's baseline SSE2) */
                for (; l + 8 <= n; l += 8) {
                    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(r0 + l));
                    __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(r1 + l));
                    _mm_storeu_si128((__m128i *)(void *)(o + l), _mm_unpacklo_epi16(a, b));
                    _mm_storeu_si128((__m128i *)(void *)(o + l + 4), _mm_unpackhi_epi16(a, b));
                }
                if (l + 4 <= n) {   /* A's panels have 6 lines */
                    __m128i a = _mm_loadl_epi64((const __m128i *)(const void *)(r0 + l));
                    __m128i b = _mm_loadl_epi64((const __m128i *)(const void *)(r1 + l));
                    _mm_storeu_si128((__m128i *)(void *)(o + l), _mm_unpacklo_epi16(a, b));
                    l += 4;
                }
#endif
                for (; l < n; l++) o[l] = (uint32_t)r0[l] | (uint32_t)r1[l] << 16;
            } else
                for (size_t l = 0; l < n; l++) o[l] = r0[l];
            for (size_t l = n; l < w; l++) o[l] = 0;
        }
        return;
    }
    for (size_t k = 0; k < 2 * K2; k++)
        for (size_t l = 0; l < w; l++)
            dst[(k / 2) * 2 * w + 2 * l + (k & 1)] = line[l] && k < K ? line[l][k * s_k] : 0;
}

static void pack_lines(void *dst, swiglu_dtype dt, size_t w, const void *const *line, size_t s_k, size_t K)
{
    if (dt == SWIGLU_BF16) pack_bf16(dst, w, (const uint16_t *const *)line, s_k, K);
    else pack_f32(dst, w, (const float *const *)line, s_k, K);
}

/* A panel p: rows p MR.. of op(A) (padding past M) */
static void pack_a(void *dst, swiglu_dtype dt, const void *A, size_t lda, int ta, size_t p, size_t M, size_t K)
{
    const void *line[MR];
    size_t es = esz(dt);
    for (size_t i = 0; i < MR; i++) {
        size_t r = p * MR + i;
        line[i] = r < M ? (const unsigned char *)A + (ta ? r : r * lda) * es : NULL;
    }
    pack_lines(dst, dt, MR, line, ta ? lda : 1, K);
}

/* B panel q: packed columns q NR.. (packed_col); the gate columns come from
 * G and the up columns (glu_h > 0) from U, each an op(B) of glu_h (or N) columns */
static void pack_b(void *dst, swiglu_dtype dt, const void *G, const void *U, size_t ldb, int tb, size_t q,
                   size_t N, size_t K, size_t glu_h)
{
    const void *line[NR];
    size_t es = esz(dt);
    for (size_t j = 0; j < NR; j++) {
        size_t c = packed_col(q * NR + j, N, glu_h);
        const unsigned char *src = G;
        if (c != NONE && glu_h && c >= glu_h) { src = U; c -= glu_h; }
        line[j] = c == NONE ? NULL : src + (tb ? c * ldb : c) * es;
    }
    pack_lines(dst, dt, NR, line, tb ? 1 : ldb, K);
}

/* elements (fp32 or uint16) of one packed panel of `rows` (MR or NR) over K */
static size_t panel_elems(swiglu_dtype dt, size_t rows, size_t K)
{
    return dt == SWIGLU_BF16 ? rows * 2 * ceil_div(K, 2) : rows * K;
}

static void pack_b_panels(void *dst, swiglu_dtype dt, const void *G, const void *U, size_t ldb, int tb,
                          size_t K, size_t N, size_t glu_h, size_t panels, int nt)
{
    size_t pe = panel_elems(dt, NR, K);
    long long np = (long long)panels;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(nt) if (np > 1 && nt > 1)
#endif
    for (long long q = 0; q < np; q++) {
        pack_b((unsigned char *)dst + (size_t)q * pe * esz(dt), dt, G, U, ldb, tb, (size_t)q, N, K, glu_h);
    }
    (void)nt;
}

swiglu_status sw_gemm_bpack_init(sw_gemm_bpack *pb, swiglu_dtype dt, size_t K, size_t N, size_t glu_h)
{
    SW_RETURN_IF(!pb, SWIGLU_ERR_NULL);
    SW_RETURN_IF(dt != SWIGLU_F32 && dt != SWIGLU_BF16, SWIGLU_ERR_DTYPE);
    SW_RETURN_IF(K == 0 || N == 0 || (glu_h && N != 2 * glu_h), SWIGLU_ERR_SIZE);
    memset(pb, 0, sizeof *pb);
    size_t cols = glu_h ? ceil_div(glu_h, GLU_HALF) * NC : N;
    size_t panels = ceil_div(cols, NR), pe, bytes;
    SW_RETURN_IF(K > ((size_t)-1 >> 2), SWIGLU_ERR_SIZE);
    SW_RETURN_IF(!sw_mul_ok(&pe, NR * 2, ceil_div(K, 2)) || !sw_mul_ok(&bytes, pe, panels) ||
                 !sw_mul_ok(&bytes, bytes, esz(dt)), SWIGLU_ERR_SIZE);
    pb->data = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
    SW_RETURN_IF(!pb->data, SWIGLU_ERR_ALLOC);
    pb->dtype = dt; pb->K = K; pb->N = N; pb->glu_h = glu_h; pb->panels = panels; pb->bytes = bytes;
    return SWIGLU_OK;
}

void sw_gemm_bpack_free(sw_gemm_bpack *pb)
{
    if (!pb) return;
    free(pb->data);
    memset(pb, 0, sizeof *pb);
}

swiglu_status sw_gemm_bpack_fill(sw_gemm_bpack *pb, const void *B, const void *U, size_t ldb, int trans_b)
{
    SW_RETURN_IF(!pb || !pb->data || !B || (pb->glu_h && !U), SWIGLU_ERR_NULL);
    size_t n = pb->glu_h ? pb->glu_h : pb->N;   /* columns of each source */
    SW_RETURN_IF(ldb < (trans_b ? pb->K : n), SWIGLU_ERR_SIZE);
    pack_b_panels(pb->data, pb->dtype, B, U, ldb, !!trans_b, pb->K, pb->N, pb->glu_h, pb->panels,
                  swiglu_threads_get());
    return SWIGLU_OK;
}

/* ---- the driver ------------------------------------------------------------------ */

typedef struct own_call {
    swiglu_dtype dt;              /* operands' type */
    const void *A; size_t lda; int ta;
    const void *Bp;               /* packed op(B): panels of NR columns */
    size_t M, N, K, ncols;        /* ncols: packed columns (N, or the GLU layout's) */
    float alpha, beta;
    void *C; swiglu_dtype ct; size_t ldc;
    sw_gemm_post post; float post_alpha;
    const sw_gemm_epi *epi;       /* NULL: the generic epilogue into C */
    sw_ukr_f32_fn ukr_f32;        /* the fp32 micro-kernel of this call (own_run sets it) */
} own_call;

/* generic epilogue of a block: C rows [i0, i0+m) cols [j0, j0+n) from the
 * fp32 block buffer (alpha applied): + beta C, activation, type */
static void epi_generic(const own_call *c, const float *blk, size_t ldb_, size_t i0, size_t j0,
                        size_t m, size_t n, float *row)
{
    static const int acts[] = {SWIGLU_ACT_IDENTITY, SWIGLU_ACT_RELU, SWIGLU_ACT_GELU_ERF,
                               SWIGLU_ACT_GELU_TANH, SWIGLU_ACT_SWISH};
    sw_gate g = {.act = acts[c->post], .beta = c->post_alpha, .clamp = 0, .limit = INFINITY, .shift = 0};
    const sw_kernels *kt = sw_kernels_active();
    for (size_t r = 0; r < m; r++) {
        const float *src = blk + r * ldb_;
        size_t ci = (i0 + r) * c->ldc + j0;
        memcpy(row, src, n * sizeof *row);
        if (c->beta != 0.0f) {
            if (c->ct == SWIGLU_BF16)
                for (size_t j = 0; j < n; j++) row[j] += c->beta * sw_bf16_to_f32(((const uint16_t *)c->C)[ci + j]);
            else
                for (size_t j = 0; j < n; j++) row[j] += c->beta * ((const float *)c->C)[ci + j];
        }
        if (c->post != SW_POST_NONE) kt->act_fwd(row, row, n, &g);
        if (c->ct == SWIGLU_BF16) kt->to_bf16((uint16_t *)c->C + ci, row, n);
        else memcpy((float *)c->C + ci, row, n * sizeof *row);
    }
}

/* one output block: rows [i0, i0+mc), packed columns [j0, j0+nc) */
static void run_block(const own_call *c, const void *Ap, size_t i0, size_t mc, size_t j0, size_t nc,
                      float *blk, float *row)
{
    int direct = !c->epi && c->ct == SWIGLU_F32 && c->post == SW_POST_NONE;
    float *T = direct ? (float *)c->C + i0 * c->ldc + j0 : blk;
    size_t ldt = direct ? c->ldc : NC;
    float beta0 = direct ? c->beta : 0.0f;
    int bf = c->dt == SWIGLU_BF16;
    size_t Kp = bf ? ceil_div(c->K, 2) : c->K;        /* k steps of the kernel */
    size_t KCp = bf ? KC_BF16 / 2 : KC_F32;
    size_t step = bf ? 2 : 1;                         /* elements per k step and row */
    size_t ape = panel_elems(c->dt, MR, c->K), bpe = panel_elems(c->dt, NR, c->K);
    size_t ncol_lim = direct ? c->N : c->ncols;       /* columns the kernel stores */
    for (size_t k0 = 0; k0 < Kp; k0 += KCp) {
        size_t kc = Kp - k0 < KCp ? Kp - k0 : KCp;
        float bt = k0 == 0 ? beta0 : 1.0f;
        for (size_t jr = 0; jr < nc; jr += NR) {
            size_t q = (j0 + jr) / NR;
            size_t n = ncol_lim - (j0 + jr) < NR ? ncol_lim - (j0 + jr) : NR;
            for (size_t ir = 0; ir < mc; ir += MR) {
                size_t p = (i0 + ir) / MR;
                size_t m = mc - ir < MR ? mc - ir : MR;
                if (bf)
                    sw_ukr_bf16_avx512bf16(T + ir * ldt + jr, ldt,
                                           (const uint16_t *)Ap + p * ape + k0 * step * MR,
                                           (const uint16_t *)c->Bp + q * bpe + k0 * step * NR,
                                           kc, m, n, c->alpha, bt);
                else
                    c->ukr_f32(T + ir * ldt + jr, ldt,
                                      (const float *)Ap + p * ape + k0 * MR,
                                      (const float *)c->Bp + q * bpe + k0 * NR,
                                      kc, m, n, c->alpha, bt);
            }
        }
    }
    if (direct) return;
    if (c->epi) c->epi->fn(c->epi->ctx, blk, NC, i0, j0, mc, nc);
    else epi_generic(c, blk, NC, i0, j0, mc, c->N - j0 < nc ? c->N - j0 : nc, row);
}

static swiglu_status own_run(const own_call *call)
{
    own_call cc = *call;
    const own_call *c = &cc;
    cc.ukr_f32 = use_avx512() ? sw_ukr_f32_avx512 : sw_ukr_f32_avx2;
    int nt = swiglu_threads_get();
    if (nt < 1) nt = 1;
    size_t MP = ceil_div(c->M, MR), ape = panel_elems(c->dt, MR, c->K);
    size_t abytes, bbytes = NC * sizeof(float) + NC * sizeof(float), tot;
    SW_RETURN_IF(!sw_mul_ok(&abytes, MP, ape) || !sw_mul_ok(&abytes, abytes, esz(c->dt)), SWIGLU_ERR_SIZE);
    /* per thread: an MC x NC block buffer and one row for the generic epilogue */
    SW_RETURN_IF(!sw_mul_ok(&bbytes, (size_t)MC * NC + NC, sizeof(float)) ||
                 !sw_mul_ok(&tot, bbytes, (size_t)nt) || !sw_add_ok(&tot, tot, abytes + 64),
                 SWIGLU_ERR_SIZE);
    unsigned char *scratch = pool_get(tot);
    SW_RETURN_IF(!scratch, SWIGLU_ERR_ALLOC);
    void *Ap = scratch;
    float *blocks = (float *)(scratch + ((abytes + 63) & ~(size_t)63));
    size_t nmb = ceil_div(c->M, MC), nnb = ceil_div(c->ncols, NC);
    long long items = (long long)(nmb * nnb), np = (long long)MP;
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
    {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#pragma omp for schedule(static)
#endif
        for (long long p = 0; p < np; p++) {
            pack_a((unsigned char *)Ap + (size_t)p * ape * esz(c->dt), c->dt, c->A, c->lda, c->ta, (size_t)p,
                   c->M, c->K);
        }
        float *blk = blocks + (size_t)tid * (MC * NC + NC), *row = blk + MC * NC;
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (long long it = 0; it < items; it++) {
            size_t nb = (size_t)it / nmb, mb = (size_t)it % nmb;   /* column-block-major */
            size_t i0 = mb * MC, j0 = nb * NC;
            size_t mc = c->M - i0 < MC ? c->M - i0 : MC;
            size_t nc = c->ncols - j0 < NC ? c->ncols - j0 : NC;
            run_block(c, Ap, i0, mc, j0, nc, blk, row);
        }
    }
    pool_put(scratch);
    return SWIGLU_OK;
}

static swiglu_status own_check(const void *C, const void *A, const void *B, size_t ldc, size_t lda, int ta,
                               size_t ldb, int tb, size_t M, size_t N, size_t K, sw_gemm_post post)
{
    SW_RETURN_IF(!C || !A || !B, SWIGLU_ERR_NULL);
    SW_RETURN_IF((unsigned)post > SW_POST_SWISH, SWIGLU_ERR_ARG);
    SW_RETURN_IF(M == 0 || N == 0 || K == 0, SWIGLU_ERR_SIZE);
    SW_RETURN_IF(ldc < N || lda < (ta ? M : K) || ldb < (tb ? K : N), SWIGLU_ERR_SIZE);
    return SWIGLU_OK;
}

/* A GEMM with B packed for this call (from the pool). */
static swiglu_status own_gemm(swiglu_dtype dt, void *C, swiglu_dtype ct, size_t ldc,
                              const void *A, size_t lda, int ta, const void *B, size_t ldb, int tb,
                              size_t M, size_t N, size_t K, float alpha, float beta,
                              sw_gemm_post post, float post_alpha)
{
    SW_FORWARD_IF_ERROR(own_check(C, A, B, ldc, lda, ta, ldb, tb, M, N, K, post));
    SW_RETURN_IF(!sw_gemm_own_supported(dt), SWIGLU_ERR_ISA);
    size_t panels = ceil_div(N, NR), bytes;
    SW_RETURN_IF(!sw_mul_ok(&bytes, panels, panel_elems(dt, NR, K)) || !sw_mul_ok(&bytes, bytes, esz(dt)),
                 SWIGLU_ERR_SIZE);
    void *Bp = pool_get(bytes);
    SW_RETURN_IF(!Bp, SWIGLU_ERR_ALLOC);
    pack_b_panels(Bp, dt, B, NULL, ldb, !!tb, K, N, 0, panels, swiglu_threads_get());
    own_call c = {.dt = dt, .A = A, .lda = lda, .ta = !!ta, .Bp = Bp, .M = M, .N = N, .K = K,
                  .ncols = N, .alpha = alpha, .beta = beta, .C = C, .ct = ct, .ldc = ldc,
                  .post = post, .post_alpha = post_alpha};
    swiglu_status st = own_run(&c);
    pool_put(Bp);
    return st;
}

swiglu_status sw_gemm_own_post_f32(float *C, size_t ldc, const float *A, size_t lda, int trans_a,
                                   const float *B, size_t ldb, int trans_b,
                                   size_t M, size_t N, size_t K, float alpha, float beta,
                                   sw_gemm_post post, float post_alpha)
{
    return own_gemm(SWIGLU_F32, C, SWIGLU_F32, ldc, A, lda, trans_a, B, ldb, trans_b, M, N, K,
                    alpha, beta, post, post_alpha);
}

swiglu_status sw_gemm_own_post_bf16(void *C, swiglu_dtype c_type, size_t ldc,
                                    const uint16_t *A, size_t lda, int trans_a,
                                    const uint16_t *B, size_t ldb, int trans_b,
                                    size_t M, size_t N, size_t K, float alpha, float beta,
                                    sw_gemm_post post, float post_alpha)
{
    SW_RETURN_IF(c_type != SWIGLU_F32 && c_type != SWIGLU_BF16, SWIGLU_ERR_DTYPE);
    return own_gemm(SWIGLU_BF16, C, c_type, ldc, A, lda, trans_a, B, ldb, trans_b, M, N, K,
                    alpha, beta, post, post_alpha);
}

swiglu_status sw_gemm_own_packed(void *C, swiglu_dtype c_type, size_t ldc, const void *A, size_t lda,
                                 int trans_a, const sw_gemm_bpack *pb, size_t M, float alpha, float beta,
                                 sw_gemm_post post, float post_alpha, const sw_gemm_epi *epi)
{
    SW_RETURN_IF(!pb || !pb->data || (!C && !epi) || !A, SWIGLU_ERR_NULL);
    SW_RETURN_IF(c_type != SWIGLU_F32 && c_type != SWIGLU_BF16, SWIGLU_ERR_DTYPE);
    SW_RETURN_IF((unsigned)post > SW_POST_SWISH, SWIGLU_ERR_ARG);
    SW_RETURN_IF(M == 0 || lda < (trans_a ? M : pb->K), SWIGLU_ERR_SIZE);
    SW_RETURN_IF(!epi && (pb->glu_h || ldc < pb->N), SWIGLU_ERR_ARG);
    SW_RETURN_IF(!sw_gemm_own_supported(pb->dtype), SWIGLU_ERR_ISA);
    own_call c = {.dt = pb->dtype, .A = A, .lda = lda, .ta = !!trans_a, .Bp = pb->data, .M = M,
                  .N = pb->N, .K = pb->K, .ncols = pb->panels * NR,
                  .alpha = alpha, .beta = beta, .C = C, .ct = c_type, .ldc = ldc,
                  .post = post, .post_alpha = post_alpha, .epi = epi};
    return own_run(&c);
}

size_t sw_gemm_glu_col(size_t pc, size_t H) { return packed_col(pc, 2 * H, H); }

/* ---- the peak loops -------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double sw_gemm_peak_gflops(swiglu_dtype dt, int threads)
{
    if (!sw_gemm_own_supported(dt) || threads < 1) return 0.0;
    /* ~20 ms at the peak; the pool is started by a first, short run */
    size_t iters = dt == SWIGLU_BF16 ? 1000000 : 2000000;
    int wide = use_avx512();
    double flops_it = dt == SWIGLU_BF16 ? 24.0 * 2.0 * 32.0 : wide ? 24.0 * 2.0 * 16.0 : 12.0 * 2.0 * 8.0;
    float (*loop)(size_t) = dt == SWIGLU_BF16 ? sw_peak_dpbf16_avx512bf16 : wide ? sw_peak_fma_avx512 : sw_peak_fma_avx2;
    float sink = 0.0f;
#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
#endif
    {
        float v = loop(1000);
#ifdef _OPENMP
#pragma omp atomic
#endif
        sink += v;
    }
    double t0 = now_s();
#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
#endif
    {
        float v = loop(iters);
#ifdef _OPENMP
#pragma omp atomic
#endif
        sink += v;
    }
    double t = now_s() - t0;
    volatile float keep = sink;   /* the loops' results are used */
    (void)keep;
    return flops_it * (double)iters * (double)threads / t * 1e-9;
}
