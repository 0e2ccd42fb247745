/* gemm_engine.c -- which GEMM engine runs a call, and the dispatching
 * entry points sw_gemm_post_f32 / sw_gemm_post_bf16.
 *
 * Legend: C [M x N] = alpha op(A) [M x K] op(B) [K x N] + beta C.
 *
 * The default rule (SW_GEMM_AUTO; docs/FFN.md, "Which engine"): oneDNN
 * for every GEMM where the build has it, except the FFN's gated inference
 * forward at few tokens on large weights (sw_gemm_engine_for_glu), where
 * our engine's kept packed weights and GLU epilogue measured faster at
 * every point. Elsewhere ours measured 0.7-1.2x oneDNN's time on the plain
 * GEMMs and level on the fused forward from T 128 on, and slower on every
 * training step; so the rule keeps oneDNN there. A build
 * without oneDNN runs our engine where the CPU has AVX-512 (many times the
 * reference loops' speed), else the reference loops. SWIGLU_GEMM or
 * sw_gemm_set_engine forces one; a forced engine the dtype cannot run on
 * this CPU (our bf16 kernel without AVX512-BF16) falls back to the rule.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "gemm/gemm.h"

static const char *const engine_names[] = {"auto", "onednn", "own", "ref"};

static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static sw_gemm_engine_id forced = SW_GEMM_AUTO;
static const char *env_error;

static int have_onednn(void)
{
#if defined(SWIGLU_HAVE_DNNL)
    return 1;
#else
    return 0;
#endif
}

static int available(sw_gemm_engine_id e)
{
    switch (e) {
    case SW_GEMM_AUTO: case SW_GEMM_REF: return 1;
    case SW_GEMM_ONEDNN: return have_onednn();
    case SW_GEMM_OWN: return sw_gemm_own_supported(SWIGLU_F32);
    default: return 0;
    }
}

static void env_init(void)
{
    const char *env = getenv("SWIGLU_GEMM");
    if (!env || !*env) return;
    sw_gemm_engine_id e = SW_GEMM_AUTO;
    int found = 0;
    for (int i = 0; i < (int)(sizeof engine_names / sizeof engine_names[0]); i++)
        if (!strcmp(env, engine_names[i])) { e = (sw_gemm_engine_id)i; found = 1; }
    if (!found) env_error = "SWIGLU_GEMM is not one of auto, onednn, own, ref; using the default rule";
    else if (!available(e)) env_error = "SWIGLU_GEMM names an engine this build or CPU lacks; using the default rule";
    else forced = e;
}

sw_gemm_engine_id sw_gemm_engine_forced(void)
{
    pthread_once(&env_once, env_init);
    return forced;
}

const char *sw_gemm_engine_env_error(void)
{
    pthread_once(&env_once, env_init);
    return env_error;
}

swiglu_status sw_gemm_set_engine(sw_gemm_engine_id e)
{
    SW_RETURN_IF((unsigned)e > SW_GEMM_REF, SWIGLU_ERR_ARG);
    SW_RETURN_IF(!available(e), SWIGLU_ERR_ISA);
    pthread_once(&env_once, env_init);
    forced = e;
    return SWIGLU_OK;
}

const char *sw_gemm_engine_name(sw_gemm_engine_id e)
{
    return (unsigned)e <= SW_GEMM_REF ? engine_names[e] : "?";
}

sw_gemm_engine_id sw_gemm_engine_for(swiglu_dtype dt, size_t M, size_t N, size_t K)
{
    (void)M; (void)N; (void)K;   /* no shape rule: oneDNN won or tied at every measured shape */
    sw_gemm_engine_id e = sw_gemm_engine_forced();
    if (e == SW_GEMM_OWN && !sw_gemm_own_supported(dt)) e = SW_GEMM_AUTO;
    if (e != SW_GEMM_AUTO) return e;
    if (have_onednn()) return SW_GEMM_ONEDNN;
    return sw_gemm_own_supported(dt) ? SW_GEMM_OWN : SW_GEMM_REF;
}

/* The FFN's fused paths: the plain rule, except that the default picks
 * our engine for the gated inference forward at few tokens on large
 * weights (T <= GLU_OWN_MAX_T, D H >= GLU_OWN_MIN_DH), where our engine runs
 * on weights packed once and kept, with h computed in the first GEMM's
 * epilogue: measured 0.60-0.99x oneDNN's time at every such point (T 1, 2,
 * 4, 8, 16, 64; D 2048, H 5504 and D 4096, H 11008; fp32 and bf16;
 * docs/FFN.md, "Which engine"), level from T 128 on, and not reliably
 * faster on the smaller layer (D 512: 0.80-1.15x). */
#define GLU_OWN_MAX_T 64
#define GLU_OWN_MIN_DH ((size_t)1 << 22)
sw_gemm_engine_id sw_gemm_engine_for_glu(swiglu_dtype dt, int training, size_t T, size_t D, size_t H)
{
    sw_gemm_engine_id e = sw_gemm_engine_for(dt, T, 2 * H, D);
    if (sw_gemm_engine_forced() == SW_GEMM_AUTO && e == SW_GEMM_ONEDNN && !training &&
        T <= GLU_OWN_MAX_T && (double)D * (double)H >= (double)GLU_OWN_MIN_DH &&
        sw_gemm_own_supported(dt))
        return SW_GEMM_OWN;
    return e;
}

const char *sw_gemm_engine(void)
{
    sw_gemm_engine_id e = sw_gemm_engine_forced();
    if (e != SW_GEMM_AUTO) return engine_names[e];
    if (have_onednn())
        return sw_gemm_own_supported(SWIGLU_F32) ? "auto(onednn; own: FFN inference, T <= 64, D H >= 2^22)"
                                                 : "auto(onednn)";
    return sw_gemm_own_supported(SWIGLU_F32) ? "auto(own)" : "auto(ref)";
}

swiglu_status sw_gemm_post_f32(float *C, size_t ldc, const float *A, size_t lda, int trans_a,
                               const float *B, size_t ldb, int trans_b,
                               size_t M, size_t N, size_t K, float alpha, float beta,
                               sw_gemm_post post, float post_alpha)
{
    switch (sw_gemm_engine_for(SWIGLU_F32, M, N, K)) {
    case SW_GEMM_OWN:
        return sw_gemm_own_post_f32(C, ldc, A, lda, trans_a, B, ldb, trans_b, M, N, K, alpha, beta,
                                    post, post_alpha);
#if defined(SWIGLU_HAVE_DNNL)
    case SW_GEMM_ONEDNN:
        return sw_gemm_onednn_post_f32(C, ldc, A, lda, trans_a, B, ldb, trans_b, M, N, K, alpha, beta,
                                       post, post_alpha);
#endif
    default:
        return sw_gemm_ref_post_f32(C, ldc, A, lda, trans_a, B, ldb, trans_b, M, N, K, alpha, beta,
                                    post, post_alpha);
    }
}

/* The batch: oneDNN's one primitive where oneDNN runs this shape, else a
 * loop of single GEMMs in index order on the engine of the shape. */
swiglu_status sw_gemm_batch_f32(float *C, size_t ldc, const float *A, size_t lda, int trans_a,
                                const float *B, size_t ldb, int trans_b,
                                size_t M, size_t N, size_t K, float alpha, float beta,
                                const sw_gemm_batch *bt)
{
    SW_RETURN_IF(!bt, SWIGLU_ERR_NULL);
    for (int d = 0; d < 3; d++) {
        SW_RETURN_IF(bt->dim[d] == 0, SWIGLU_ERR_SIZE);
        /* a stride of 0 in A or C would be a reduction or a race, not a broadcast */
        SW_RETURN_IF(bt->dim[d] > 1 && (bt->sa[d] == 0 || bt->sc[d] == 0), SWIGLU_ERR_ARG);
    }
#if defined(SWIGLU_HAVE_DNNL)
    if (sw_gemm_engine_for(SWIGLU_F32, M, N, K) == SW_GEMM_ONEDNN)
        return sw_gemm_onednn_batch_f32(C, ldc, A, lda, trans_a, B, ldb, trans_b, M, N, K, alpha, beta, bt);
#endif
    for (size_t i0 = 0; i0 < bt->dim[0]; i0++)
        for (size_t i1 = 0; i1 < bt->dim[1]; i1++)
            for (size_t i2 = 0; i2 < bt->dim[2]; i2++) {
                size_t oa = i0 * bt->sa[0] + i1 * bt->sa[1] + i2 * bt->sa[2];
                size_t ob = i0 * bt->sb[0] + i1 * bt->sb[1] + i2 * bt->sb[2];
                size_t oc = i0 * bt->sc[0] + i1 * bt->sc[1] + i2 * bt->sc[2];
                SW_FORWARD_IF_ERROR(sw_gemm_post_f32(C + oc, ldc, A + oa, lda, trans_a, B + ob, ldb, trans_b,
                                                     M, N, K, alpha, beta, SW_POST_NONE, 0.0f));
            }
    return SWIGLU_OK;
}

swiglu_status sw_gemm_post_bf16(void *C, swiglu_dtype c_type, size_t ldc,
                                const uint16_t *A, size_t lda, int trans_a,
                                const uint16_t *B, size_t ldb, int trans_b,
                                size_t M, size_t N, size_t K, float alpha, float beta,
                                sw_gemm_post post, float post_alpha)
{
    switch (sw_gemm_engine_for(SWIGLU_BF16, M, N, K)) {
    case SW_GEMM_OWN:
        return sw_gemm_own_post_bf16(C, c_type, ldc, A, lda, trans_a, B, ldb, trans_b, M, N, K,
                                     alpha, beta, post, post_alpha);
#if defined(SWIGLU_HAVE_DNNL)
    case SW_GEMM_ONEDNN:
        return sw_gemm_onednn_post_bf16(C, c_type, ldc, A, lda, trans_a, B, ldb, trans_b, M, N, K,
                                        alpha, beta, post, post_alpha);
#endif
    default:
        return sw_gemm_ref_post_bf16(C, c_type, ldc, A, lda, trans_a, B, ldb, trans_b, M, N, K,
                                     alpha, beta, post, post_alpha);
    }
}
