/* gemm_onednn.c -- the GEMM engine on oneDNN's matmul primitive (C API, 2.x).
 *
 * Legend: C [M x N] = alpha op(A) [M x K] op(B) [K x N] + beta C, row-major,
 * row strides lda, ldb, ldc in elements.
 *
 * Why it looks like this:
 *  - Transposes are strides, not copies: a row-major [R x S] buffer with row
 *    stride ld is the logical matrix with strides {ld, 1}; its transpose is
 *    the same bytes with strides {1, ld}. oneDNN picks its kernel per shape
 *    and stride pattern (brgemm on AVX-512 / AMX), copying panels itself.
 *  - alpha is an output scale and beta a "sum" post-op, both baked into the
 *    primitive: they are part of the cache key (the FFN uses 1 and 0 or 1).
 *  - One cache entry per key holds the primitive, three memory objects whose
 *    data handle is swapped per call, and a user-mode scratchpad allocated
 *    once: after the first call for a shape nothing is allocated here.
 *  - Thread safety: a global mutex guards the list; each entry has its own
 *    mutex held while its memory objects are re-pointed and the primitive runs
 *    on the entry's own stream. The threads of an OpenMP parallel region get
 *    an entry each (the key's slot), so they run the same shape side by side;
 *    other threads on the same shape take turns.
 *  - Threads: oneDNN plans a primitive's threads when it creates it, so the
 *    key holds the thread count at the call (a program that changes it gets
 *    primitives for the new count). A batched GEMM's bits depend on that plan
 *    (a batch of 20 on 3 threads differs from 1 thread in the last bits):
 *    callers that must give the same bits at any thread count split the
 *    batch themselves (model/attention.c).
 */
#if defined(SWIGLU_HAVE_DNNL)
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <dnnl.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "core/internal.h"
#include "gemm/gemm.h"

typedef struct gemm_key {
    size_t M, N, K, lda, ldb, ldc;
    int trans_a, trans_b;
    int a_dt, b_dt, c_dt;     /* dnnl_data_type_t */
    uint32_t alpha_bits, beta_bits;
    int post;                 /* sw_gemm_post */
    uint32_t post_alpha_bits;
    int nthr;                 /* threads the primitive was planned for (oneDNN fixes them at creation) */
    int slot;                 /* 0 outside parallel regions; 1 + the OpenMP thread number inside one */
    int batched;              /* 1: 5-D, the batch dimensions below */
    size_t bdim[3], bsa[3], bsb[3], bsc[3];
} gemm_key;

typedef struct gemm_entry {
    struct gemm_entry *next;
    gemm_key key;
    pthread_mutex_t run;      /* held while mem_* are re-pointed and prim runs */
    dnnl_primitive_t prim;
    dnnl_memory_t mem_a, mem_b, mem_c, mem_scratch;  /* mem_scratch may be NULL */
    dnnl_stream_t stream;     /* one per entry: a stream is never shared between threads */
} gemm_entry;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static gemm_entry *cache_head;
static size_t cache_count;
static dnnl_engine_t engine;

size_t sw_gemm_cache_entries(void)
{
    pthread_mutex_lock(&cache_lock);
    size_t n = cache_count;
    pthread_mutex_unlock(&cache_lock);
    return n;
}

static uint32_t float_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* Logical [rows x cols] view of a row-major buffer with row stride ld;
 * transposed: the buffer is [cols x rows] and we read it column-wise. */
static dnnl_status_t md_init(dnnl_memory_desc_t *md, size_t rows, size_t cols, size_t ld,
                             int trans, dnnl_data_type_t dt)
{
    dnnl_dims_t dims = {(dnnl_dim_t)rows, (dnnl_dim_t)cols};
    dnnl_dims_t strides;
    if (trans) { strides[0] = 1; strides[1] = (dnnl_dim_t)ld; }
    else { strides[0] = (dnnl_dim_t)ld; strides[1] = 1; }
    return dnnl_memory_desc_init_by_strides(md, 2, dims, dt, strides);
}

/* The same matrix with 3 batch dimensions in front (sizes bdim, element
 * strides bs); a stride of 0 is a broadcast: that dimension has size 1. */
static dnnl_status_t md_init_batch(dnnl_memory_desc_t *md, const size_t *bdim, const size_t *bs,
                                   size_t rows, size_t cols, size_t ld, int trans, dnnl_data_type_t dt)
{
    dnnl_dims_t dims, strides;
    for (int d = 0; d < 3; d++) {
        dims[d] = bs[d] == 0 ? 1 : (dnnl_dim_t)bdim[d];
        strides[d] = bs[d] == 0 ? 1 : (dnnl_dim_t)bs[d];
    }
    dims[3] = (dnnl_dim_t)rows; dims[4] = (dnnl_dim_t)cols;
    if (trans) { strides[3] = 1; strides[4] = (dnnl_dim_t)ld; }
    else { strides[3] = (dnnl_dim_t)ld; strides[4] = 1; }
    return dnnl_memory_desc_init_by_strides(md, 5, dims, dt, strides);
}

static void entry_free(gemm_entry *e)
{
    if (!e) return;
    if (e->mem_a) dnnl_memory_destroy(e->mem_a);
    if (e->mem_b) dnnl_memory_destroy(e->mem_b);
    if (e->mem_c) dnnl_memory_destroy(e->mem_c);
    if (e->mem_scratch) dnnl_memory_destroy(e->mem_scratch);
    if (e->prim) dnnl_primitive_destroy(e->prim);
    if (e->stream) dnnl_stream_destroy(e->stream);
    pthread_mutex_destroy(&e->run);
    free(e);
}

/* Builds the primitive and its memory objects for key k (cache_lock held). */
static swiglu_status entry_create(gemm_entry **out, const gemm_key *k)
{
    dnnl_memory_desc_t a_md, b_md, c_md;
    dnnl_matmul_desc_t mm;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    dnnl_primitive_desc_t pd = NULL;
    swiglu_status st = SWIGLU_ERR_GEMM;
    gemm_entry *e = calloc(1, sizeof *e);
    if (!e) return SWIGLU_ERR_ALLOC;
    pthread_mutex_init(&e->run, NULL);
    e->key = *k;
    float alpha, beta;
    memcpy(&alpha, &k->alpha_bits, sizeof alpha);
    memcpy(&beta, &k->beta_bits, sizeof beta);

    if (k->batched) {
        if (md_init_batch(&a_md, k->bdim, k->bsa, k->M, k->K, k->lda, k->trans_a, (dnnl_data_type_t)k->a_dt) != dnnl_success ||
            md_init_batch(&b_md, k->bdim, k->bsb, k->K, k->N, k->ldb, k->trans_b, (dnnl_data_type_t)k->b_dt) != dnnl_success ||
            md_init_batch(&c_md, k->bdim, k->bsc, k->M, k->N, k->ldc, 0, (dnnl_data_type_t)k->c_dt) != dnnl_success)
            goto done;
    } else if (md_init(&a_md, k->M, k->K, k->lda, k->trans_a, (dnnl_data_type_t)k->a_dt) != dnnl_success ||
               md_init(&b_md, k->K, k->N, k->ldb, k->trans_b, (dnnl_data_type_t)k->b_dt) != dnnl_success ||
               md_init(&c_md, k->M, k->N, k->ldc, 0, (dnnl_data_type_t)k->c_dt) != dnnl_success)
        goto done;
    if (dnnl_matmul_desc_init(&mm, &a_md, &b_md, NULL, &c_md) != dnnl_success) goto done;
    if (dnnl_primitive_attr_create(&attr) != dnnl_success) goto done;
    if (dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user) != dnnl_success)
        goto done;
    if (alpha != 1.0f && dnnl_primitive_attr_set_output_scales(attr, 1, 0, &alpha) != dnnl_success)
        goto done;
    if (beta != 0.0f || k->post != SW_POST_NONE) {
        static const dnnl_alg_kind_t algs[] = {dnnl_alg_kind_undef, dnnl_eltwise_relu, dnnl_eltwise_gelu_erf,
                                               dnnl_eltwise_gelu_tanh, dnnl_eltwise_swish};
        float pa;
        memcpy(&pa, &k->post_alpha_bits, sizeof pa);
        if (dnnl_post_ops_create(&po) != dnnl_success) goto done;
        if (beta != 0.0f && dnnl_post_ops_append_sum(po, beta) != dnnl_success) goto done;
        if (k->post != SW_POST_NONE &&
            dnnl_post_ops_append_eltwise(po, 1.0f, algs[k->post], k->post == SW_POST_SWISH ? pa : 0.0f, 0.0f) != dnnl_success)
            goto done;
        if (dnnl_primitive_attr_set_post_ops(attr, po) != dnnl_success) goto done;
    }
    if (dnnl_primitive_desc_create(&pd, &mm, attr, engine, NULL) != dnnl_success) goto done;
    if (dnnl_primitive_create(&e->prim, pd) != dnnl_success) goto done;
    if (dnnl_stream_create(&e->stream, engine, dnnl_stream_default_flags) != dnnl_success) goto done;
    if (dnnl_memory_create(&e->mem_a, &a_md, engine, DNNL_MEMORY_NONE) != dnnl_success ||
        dnnl_memory_create(&e->mem_b, &b_md, engine, DNNL_MEMORY_NONE) != dnnl_success ||
        dnnl_memory_create(&e->mem_c, &c_md, engine, DNNL_MEMORY_NONE) != dnnl_success)
        goto done;
    const dnnl_memory_desc_t *sp = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    if (sp && dnnl_memory_desc_get_size(sp) > 0 &&
        dnnl_memory_create(&e->mem_scratch, sp, engine, DNNL_MEMORY_ALLOCATE) != dnnl_success) {
        st = SWIGLU_ERR_ALLOC;
        goto done;
    }
    st = SWIGLU_OK;
done:
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (po) dnnl_post_ops_destroy(po);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (st != SWIGLU_OK) { entry_free(e); e = NULL; }
    *out = e;
    return st;
}

/* The entry for key k, created on first use. */
static swiglu_status entry_get(gemm_entry **out, const gemm_key *k)
{
    swiglu_status st = SWIGLU_OK;
    pthread_mutex_lock(&cache_lock);
    if (!engine) {
        if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) {
            engine = NULL;
            st = SWIGLU_ERR_GEMM;
        }
    }
    gemm_entry *e = NULL;
    if (st == SWIGLU_OK) {
        for (e = cache_head; e; e = e->next)
            if (memcmp(&e->key, k, sizeof *k) == 0) break;
        if (!e) {
            st = entry_create(&e, k);
            if (st == SWIGLU_OK) { e->next = cache_head; cache_head = e; cache_count++; }
        }
    }
    pthread_mutex_unlock(&cache_lock);
    *out = e;
    return st;
}

static swiglu_status gemm_run(void *C, dnnl_data_type_t c_dt, size_t ldc,
                              const void *A, dnnl_data_type_t a_dt, size_t lda, int trans_a,
                              const void *B, dnnl_data_type_t b_dt, size_t ldb, int trans_b,
                              size_t M, size_t N, size_t K, float alpha, float beta,
                              sw_gemm_post post, float post_alpha, const sw_gemm_batch *bt)
{
    SW_RETURN_IF(!C || !A || !B, SWIGLU_ERR_NULL);
    SW_RETURN_IF((unsigned)post > SW_POST_SWISH, SWIGLU_ERR_ARG);
    SW_RETURN_IF(M == 0 || N == 0 || K == 0, SWIGLU_ERR_SIZE);
    /* strides must cover the rows they describe, and fit oneDNN's int64 dims */
    SW_RETURN_IF(ldc < N || lda < (trans_a ? M : K) || ldb < (trans_b ? K : N), SWIGLU_ERR_SIZE);
    const size_t lim = (size_t)INT64_MAX / 4;
    SW_RETURN_IF(M > lim || N > lim || K > lim || lda > lim || ldb > lim || ldc > lim,
                 SWIGLU_ERR_SIZE);
    gemm_key k;
    memset(&k, 0, sizeof k);  /* padding bytes take part in memcmp */
    k.M = M; k.N = N; k.K = K; k.lda = lda; k.ldb = ldb; k.ldc = ldc;
    k.trans_a = !!trans_a; k.trans_b = !!trans_b;
    k.a_dt = (int)a_dt; k.b_dt = (int)b_dt; k.c_dt = (int)c_dt;
    k.alpha_bits = float_bits(alpha);
    k.beta_bits = float_bits(beta == 0.0f ? 0.0f : beta);  /* -0 and +0: one key */
    k.post = (int)post;
    k.post_alpha_bits = post == SW_POST_SWISH ? float_bits(post_alpha) : 0;
    /* oneDNN plans a primitive's threads when it creates it: a caller that
     * changes the thread count (swiglu train's calibration) gets primitives
     * for the new count; inside a parallel region oneDNN runs on the caller */
#ifdef _OPENMP
    k.nthr = omp_in_parallel() ? 1 : omp_get_max_threads();
    /* the threads of a parallel region calling the same shape get an entry
     * each: one entry's memory objects serve one call at a time, and the
     * callers would take turns on it */
    k.slot = omp_in_parallel() ? 1 + omp_get_thread_num() : 0;
#else
    k.nthr = 1;
#endif
    if (bt) {
        k.batched = 1;
        /* dims >= 1 and no zero A or C stride: checked by the door (gemm_engine.c) */
        for (int d = 0; d < 3; d++) {
            SW_RETURN_IF(bt->dim[d] > lim || bt->sa[d] > lim || bt->sb[d] > lim || bt->sc[d] > lim, SWIGLU_ERR_SIZE);
            k.bdim[d] = bt->dim[d];
            /* a dimension of size 1 has no stride to speak of: one key for all */
            k.bsa[d] = bt->dim[d] > 1 ? bt->sa[d] : 1;
            k.bsb[d] = bt->dim[d] > 1 ? bt->sb[d] : 1;
            k.bsc[d] = bt->dim[d] > 1 ? bt->sc[d] : 1;
        }
    }
    gemm_entry *e;
    SW_FORWARD_IF_ERROR(entry_get(&e, &k));

    swiglu_status st = SWIGLU_OK;
    pthread_mutex_lock(&e->run);
    dnnl_exec_arg_t args[4] = {
        {DNNL_ARG_SRC, e->mem_a}, {DNNL_ARG_WEIGHTS, e->mem_b}, {DNNL_ARG_DST, e->mem_c},
        {DNNL_ARG_SCRATCHPAD, e->mem_scratch}};
    int nargs = e->mem_scratch ? 4 : 3;
    if (dnnl_memory_set_data_handle(e->mem_a, (void *)A) != dnnl_success ||
        dnnl_memory_set_data_handle(e->mem_b, (void *)B) != dnnl_success ||
        dnnl_memory_set_data_handle(e->mem_c, C) != dnnl_success ||
        dnnl_primitive_execute(e->prim, e->stream, nargs, args) != dnnl_success ||
        dnnl_stream_wait(e->stream) != dnnl_success)
        st = SWIGLU_ERR_GEMM;
    pthread_mutex_unlock(&e->run);
    return st;
}

swiglu_status sw_gemm_onednn_post_f32(float *C, size_t ldc,
                               const float *A, size_t lda, int trans_a,
                               const float *B, size_t ldb, int trans_b,
                               size_t M, size_t N, size_t K, float alpha, float beta,
                               sw_gemm_post post, float post_alpha)
{
    return gemm_run(C, dnnl_f32, ldc, A, dnnl_f32, lda, trans_a, B, dnnl_f32, ldb, trans_b,
                    M, N, K, alpha, beta, post, post_alpha, NULL);
}

swiglu_status sw_gemm_onednn_batch_f32(float *C, size_t ldc, const float *A, size_t lda, int trans_a,
                                       const float *B, size_t ldb, int trans_b,
                                       size_t M, size_t N, size_t K, float alpha, float beta,
                                       const sw_gemm_batch *bt)
{
    SW_RETURN_IF(!bt, SWIGLU_ERR_NULL);
    return gemm_run(C, dnnl_f32, ldc, A, dnnl_f32, lda, trans_a, B, dnnl_f32, ldb, trans_b,
                    M, N, K, alpha, beta, SW_POST_NONE, 0.0f, bt);
}

/* Whether oneDNN has a bf16 matmul on this CPU (from avx512_core on): a
 * 1 x 1 x 1 primitive is created once and dropped, outside the cache, so
 * that the cache still holds one entry per shape in use. Where it has none,
 * bf16 runs on the reference loops: the same contract, slowly. */
static pthread_once_t bf16_once = PTHREAD_ONCE_INIT;
static int bf16_native;
static void bf16_probe(void)
{
    gemm_key k;
    memset(&k, 0, sizeof k);
    k.M = k.N = k.K = k.lda = k.ldb = k.ldc = 1;
    k.a_dt = k.b_dt = (int)dnnl_bf16;
    k.c_dt = (int)dnnl_f32;
    k.alpha_bits = float_bits(1.0f);
    k.beta_bits = float_bits(0.0f);
    pthread_mutex_lock(&cache_lock);
    if (!engine && dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) engine = NULL;
    gemm_entry *e = NULL;
    bf16_native = engine && entry_create(&e, &k) == SWIGLU_OK;
    if (e) entry_free(e);
    pthread_mutex_unlock(&cache_lock);
}

swiglu_status sw_gemm_onednn_post_bf16(void *C, swiglu_dtype c_type, size_t ldc,
                                const uint16_t *A, size_t lda, int trans_a,
                                const uint16_t *B, size_t ldb, int trans_b,
                                size_t M, size_t N, size_t K, float alpha, float beta,
                                sw_gemm_post post, float post_alpha)
{
    SW_RETURN_IF(c_type != SWIGLU_F32 && c_type != SWIGLU_BF16, SWIGLU_ERR_DTYPE);
    pthread_once(&bf16_once, bf16_probe);
    if (!bf16_native)
        return sw_gemm_ref_post_bf16(C, c_type, ldc, A, lda, trans_a, B, ldb, trans_b, M, N, K, alpha, beta,
                                     post, post_alpha);
    return gemm_run(C, c_type == SWIGLU_F32 ? dnnl_f32 : dnnl_bf16, ldc,
                    A, dnnl_bf16, lda, trans_a, B, dnnl_bf16, ldb, trans_b, M, N, K, alpha, beta,
                    post, post_alpha, NULL);
}

#else
typedef int sw_gemm_onednn_unused; /* ISO C: a translation unit is never empty */
#endif
