/* gemm_ref.c -- the reference GEMM: plain C loops with fp32 accumulation in
 * the k order. Correct and slow. It is the whole engine of builds without
 * oneDNN (so that the library and its tests build and pass everywhere), and
 * the oneDNN engine's bf16 path on CPUs where oneDNN has no bf16 matmul.
 * Legend: C [M x N] = alpha op(A) [M x K] op(B) [K x N] + beta C. */
#include <math.h>
#include "core/internal.h"
#include "gemm/gemm.h"
#include "kernels/kernels.h"

typedef float (*load_fn)(const void *p, size_t i);
static float load_bf16(const void *p, size_t i) { return sw_bf16_to_f32(((const uint16_t *)p)[i]); }

static swiglu_status ref_gemm(void *C, int c_bf16, size_t ldc, const void *A, size_t lda,
                              int ta, const void *B, size_t ldb, int tb, load_fn ld,
                              size_t M, size_t N, size_t K, float alpha, float beta,
                              sw_gemm_post post, float post_alpha)
{
    SW_RETURN_IF((unsigned)post > SW_POST_SWISH, SWIGLU_ERR_ARG);
    static const int acts[] = {SWIGLU_ACT_IDENTITY, SWIGLU_ACT_RELU, SWIGLU_ACT_GELU_ERF,
                               SWIGLU_ACT_GELU_TANH, SWIGLU_ACT_SWISH};
    sw_gate g = {.act = acts[post], .beta = post_alpha, .clamp = 0, .limit = INFINITY, .shift = 0};
    const sw_kernels *kt = sw_kernels_active();
    SW_RETURN_IF(!C || !A || !B, SWIGLU_ERR_NULL);
    SW_RETURN_IF(M == 0 || N == 0 || K == 0, SWIGLU_ERR_SIZE);
    SW_RETURN_IF(ldc < N || lda < (ta ? M : K) || ldb < (tb ? K : N), SWIGLU_ERR_SIZE);
    long long nm = (long long)M;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (long long ii = 0; ii < nm; ii++) {
        size_t i = (size_t)ii;
        for (size_t j = 0; j < N; j++) {
            float s = 0.0f;
            for (size_t k = 0; k < K; k++)
                s += ld(A, ta ? k * lda + i : i * lda + k) * ld(B, tb ? j * ldb + k : k * ldb + j);
            size_t c = i * ldc + j;
            float v;
            if (c_bf16) {
                uint16_t *cp = C;
                float old = beta != 0.0f ? sw_bf16_to_f32(cp[c]) : 0.0f;
                v = alpha * s + beta * old;
                if (post != SW_POST_NONE) kt->act_fwd(&v, &v, 1, &g);
                cp[c] = sw_f32_to_bf16(v);
            } else {
                float *cp = C;
                v = alpha * s + (beta != 0.0f ? beta * cp[c] : 0.0f);
                if (post != SW_POST_NONE) kt->act_fwd(&v, &v, 1, &g);
                cp[c] = v;
            }
        }
    }
    return SWIGLU_OK;
}

swiglu_status sw_gemm_ref_post_bf16(void *C, swiglu_dtype c_type, size_t ldc,
                                    const uint16_t *A, size_t lda, int trans_a,
                                    const uint16_t *B, size_t ldb, int trans_b,
                                    size_t M, size_t N, size_t K, float alpha, float beta,
                                    sw_gemm_post post, float post_alpha)
{
    SW_RETURN_IF(c_type != SWIGLU_F32 && c_type != SWIGLU_BF16, SWIGLU_ERR_DTYPE);
    return ref_gemm(C, c_type == SWIGLU_BF16, ldc, A, lda, trans_a, B, ldb, trans_b, load_bf16,
                    M, N, K, alpha, beta, post, post_alpha);
}

static float load_f32(const void *p, size_t i) { return ((const float *)p)[i]; }

swiglu_status sw_gemm_ref_post_f32(float *C, size_t ldc, const float *A, size_t lda, int trans_a,
                                   const float *B, size_t ldb, int trans_b,
                                   size_t M, size_t N, size_t K, float alpha, float beta,
                                   sw_gemm_post post, float post_alpha)
{
    return ref_gemm(C, 0, ldc, A, lda, trans_a, B, ldb, trans_b, load_f32, M, N, K, alpha, beta,
                    post, post_alpha);
}

#if !defined(SWIGLU_HAVE_DNNL)
size_t sw_gemm_cache_entries(void) { return 0; }
#endif
