/* test_gemm_own.c -- our GEMM engine (src/gemm/gemm_own.c and its AVX-512 /
 * AVX512-BF16 / AVX2 micro-kernels, each kernel set this CPU has) against a double-precision reference on
 * bf16-exact inputs and against the oneDNN engine, in the three orientations
 * the FFN runs (y = x W^T: ta 0 tb 1; dx = dy W: 0 0; dW += dy^T x: 1 0 with
 * beta 1) and the fourth, at 1x1x1, 17x33x65, 511x1377x513 and K not a
 * multiple of 32; alpha/beta, activations, bf16 output, strided operands;
 * the packed-weight path and the GLU layout's column map. LLaMA 7B's FFN
 * (64 tokens, D 4096, H 11008) in the three orientations once, on the
 * widest kernel set (operands of 180 MB fp32: not repeated per set).
 * Legend: C [M x N] = alpha op(A) [M x K] op(B) [K x N] + beta C.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "support/testlib.h"
#include "gemm/gemm.h"

/* values that are exact in bf16: the fp32 and bf16 runs see the same operands */
static void fill_bf16_exact(float *f, uint16_t *h, size_t n, tl_rng *r)
{
    /* large operands: k / 128, |k| <= 255 (8 significant bits, exact in
     * bf16): a normal per element would cost more than the GEMMs */
    int fast = n > ((size_t)1 << 22);
    for (size_t i = 0; i < n; i++) {
        double v = fast ? ((double)(tl_next(r) % 511) - 255.0) / 128.0 : tl_normal(r);
        h[i] = sw_f32_to_bf16((float)v);
        f[i] = sw_bf16_to_f32(h[i]);
    }
}


/* One shape and orientation: fp32 and bf16 (fp32 and bf16 output) on our
 * engine against the double reference (every entry, or 4096 sampled ones
 * for large shapes) and against oneDNN (every entry). */
static void check(size_t M, size_t N, size_t K, int ta, int tb, float alpha, float beta)
{
    tl_rng r = {M * 1009 + N * 31 + K * 7 + (size_t)ta * 2 + (size_t)tb + 1};
    size_t lda = (ta ? M : K) + 1, ldb = (tb ? K : N) + 3, ldc = N + 2;
    size_t na = (ta ? K : M) * lda, nb = (tb ? N : K) * ldb, nc = M * ldc;
    float *A = malloc(na * 4), *B = malloc(nb * 4), *C0 = malloc(nc * 4), *C = malloc(nc * 4),
          *Cd = malloc(nc * 4);
    uint16_t *Ah = malloc(na * 2), *Bh = malloc(nb * 2), *Ch = malloc(nc * 2), *Chd = malloc(nc * 2);
    if (!(A && B && C0 && C && Cd && Ah && Bh && Ch && Chd)) { CHECK(0, "out of memory"); exit(1); }
    fill_bf16_exact(A, Ah, na, &r);
    fill_bf16_exact(B, Bh, nb, &r);
    uint16_t *C0h = malloc(nc * 2);
    fill_bf16_exact(C0, C0h, nc, &r);
    size_t total = M * N, samples = total > 20000 ? 4096 : total;
    for (int dt = 0; dt < 3; dt++) {   /* 0 fp32, 1 bf16 -> fp32, 2 bf16 -> bf16 */
        if (dt && !sw_gemm_own_supported(SWIGLU_BF16)) continue;
        swiglu_status st, sd = SWIGLU_OK;
        if (dt == 2) memcpy(Ch, C0h, nc * 2), memcpy(Chd, C0h, nc * 2);
        else memcpy(C, C0, nc * 4), memcpy(Cd, C0, nc * 4);
        if (beta == 0.0f && dt < 2) for (size_t i = 0; i < nc; i++) C[i] = NAN;  /* not read */
        if (dt == 0) {
            st = sw_gemm_own_post_f32(C, ldc, A, lda, ta, B, ldb, tb, M, N, K, alpha, beta, SW_POST_NONE, 0);
#if defined(SWIGLU_HAVE_DNNL)
            sd = sw_gemm_onednn_post_f32(Cd, ldc, A, lda, ta, B, ldb, tb, M, N, K, alpha, beta, SW_POST_NONE, 0);
#endif
        } else {
            swiglu_dtype ct = dt == 1 ? SWIGLU_F32 : SWIGLU_BF16;
            st = sw_gemm_own_post_bf16(dt == 1 ? (void *)C : (void *)Ch, ct, ldc, Ah, lda, ta, Bh, ldb, tb,
                                       M, N, K, alpha, beta, SW_POST_NONE, 0);
#if defined(SWIGLU_HAVE_DNNL)
            sd = sw_gemm_onednn_post_bf16(dt == 1 ? (void *)Cd : (void *)Chd, ct, ldc, Ah, lda, ta, Bh, ldb, tb,
                                          M, N, K, alpha, beta, SW_POST_NONE, 0);
#endif
        }
        CHECK(st == SWIGLU_OK && sd == SWIGLU_OK, "own %zux%zux%zu ta%d tb%d dt%d: %s / %s", M, N, K, ta, tb, dt,
              swiglu_status_str(st), swiglu_status_str(sd));
        double worst = 0, worst_d = 0;
        for (size_t s = 0; s < samples; s++) {
            size_t e = samples == total ? s : (size_t)(tl_next(&r) % total), i = e / N, j = e % N;
            double ref = alpha * tl_gemm_ref_at(A, lda, ta, B, ldb, tb, i, j, K) + beta * (double)C0[i * ldc + j];
            double got = dt == 2 ? sw_bf16_to_f32(Ch[i * ldc + j]) : C[i * ldc + j];
            double err = fabs(got - ref) / (sqrt((double)K) + fabs(ref));
            if (!(err <= worst)) worst = isnan(err) ? INFINITY : err;
        }
#if defined(SWIGLU_HAVE_DNNL)
        for (size_t i = 0; i < M; i++)
            for (size_t j = 0; j < N; j++) {
                double a = dt == 2 ? sw_bf16_to_f32(Ch[i * ldc + j]) : C[i * ldc + j];
                double b = dt == 2 ? sw_bf16_to_f32(Chd[i * ldc + j]) : Cd[i * ldc + j];
                double err = fabs(a - b) / (sqrt((double)K) + fabs(b));
                if (!(err <= worst_d)) worst_d = isnan(err) ? INFINITY : err;
            }
#endif
        /* fp32 sums of exact products: ~1e-6 of sqrt(K) + |C|; bf16 output: one
         * rounding (2^-9) against double, one on each side against oneDNN */
        double bound = dt == 2 ? 4e-3 : 1e-5;
        CHECK(worst < bound && worst_d < 2 * bound, "own %zux%zux%zu ta%d tb%d dt%d alpha %g beta %g: "
              "err %.3g vs double, %.3g vs oneDNN", M, N, K, ta, tb, dt, alpha, beta, worst, worst_d);
        /* the padding columns of C untouched */
        int pad_ok = 1;
        for (size_t i = 0; i < M && pad_ok; i++)
            for (size_t j = N; j < ldc; j++) {
                if (dt == 2) pad_ok &= Ch[i * ldc + j] == C0h[i * ldc + j];
                else if (beta != 0.0f) pad_ok &= !memcmp(&C[i * ldc + j], &C0[i * ldc + j], 4);
                else pad_ok &= isnan(C[i * ldc + j]);
            }
        CHECK(pad_ok, "own %zux%zux%zu dt%d wrote outside its N columns", M, N, K, dt);
    }
    free(A); free(B); free(C0); free(C); free(Cd); free(Ah); free(Bh); free(Ch); free(Chd); free(C0h);
}

/* activation epilogue and the packed path against the plain product */
static void check_post_and_packed(void)
{
    enum { M = 13, N = 70, K = 45 };
    static float A[M * K], B[N * K], C0[M * N], C1[M * N];
    static uint16_t Ah[M * K], Bh[N * K];
    tl_rng r = {5};
    fill_bf16_exact(A, Ah, M * K, &r);
    fill_bf16_exact(B, Bh, N * K, &r);
    CHECK(sw_gemm_own_post_f32(C0, N, A, K, 0, B, K, 1, M, N, K, 1.0f, 0.0f, SW_POST_NONE, 0) == SWIGLU_OK, "plain");
    static const swiglu_act acts[] = {SWIGLU_ACT_IDENTITY, SWIGLU_ACT_RELU, SWIGLU_ACT_GELU_ERF,
                                      SWIGLU_ACT_GELU_TANH, SWIGLU_ACT_SWISH};
    for (int post = SW_POST_RELU; post <= SW_POST_SWISH; post++) {
        float want[M * N];
        swiglu_act_forward(want, C0, M * N, acts[post], 1.25f);
        swiglu_status st = sw_gemm_own_post_f32(C1, N, A, K, 0, B, K, 1, M, N, K, 1.0f, 0.0f,
                                                (sw_gemm_post)post, 1.25f);
        double w = 0;
        for (int i = 0; i < M * N; i++) w = fmax(w, fabs((double)C1[i] - want[i]) / (1.0 + fabs((double)want[i])));
        CHECK(st == SWIGLU_OK && w < 2e-6, "own post-op %d: %s, err %.3g", post, swiglu_status_str(st), w);
    }
    /* packed once, used twice: the same bits as the per-call packing */
    sw_gemm_bpack pb;
    CHECK(sw_gemm_bpack_init(&pb, SWIGLU_F32, K, N, 0) == SWIGLU_OK, "bpack init");
    CHECK(sw_gemm_bpack_fill(&pb, B, NULL, K, 1) == SWIGLU_OK, "bpack fill");
    for (int rep = 0; rep < 2; rep++) {
        memset(C1, 0, sizeof C1);
        CHECK(sw_gemm_own_packed(C1, SWIGLU_F32, N, A, K, 0, &pb, M, 1.0f, 0.0f, SW_POST_NONE, 0, NULL) == SWIGLU_OK &&
              !memcmp(C1, C0, sizeof C0), "packed fp32 GEMM differs from the per-call packing");
    }
    sw_gemm_bpack_free(&pb);
    /* the GLU layout: a bijection of the 2H columns onto 128 gate + 128 up per block */
    for (size_t H = 1; H < 200; H += 37) {
        size_t seen = 0, ok = 1, blocks = (H + 127) / 128;
        for (size_t pc = 0; pc < blocks * 256; pc++) {
            size_t c = sw_gemm_glu_col(pc, H);
            if (c == (size_t)-1) continue;
            seen++;
            ok &= (pc % 256 < 128) ? c == (pc / 256) * 128 + pc % 256 : c == H + (pc / 256) * 128 + pc % 256 - 128;
        }
        CHECK(ok && seen == 2 * H, "GLU column map, H %zu", H);
    }
    /* bad arguments: a status */
    float c[4];
    CHECK(sw_gemm_own_post_f32(c, 2, NULL, 2, 0, A, 2, 0, 2, 2, 2, 1, 0, SW_POST_NONE, 0) == SWIGLU_ERR_NULL, "NULL A");
    CHECK(sw_gemm_own_post_f32(c, 2, A, 2, 0, B, 2, 0, 2, 2, 0, 1, 0, SW_POST_NONE, 0) == SWIGLU_ERR_SIZE, "K = 0");
    CHECK(sw_gemm_own_post_f32(c, 1, A, 2, 0, B, 2, 0, 2, 2, 2, 1, 0, SW_POST_NONE, 0) == SWIGLU_ERR_SIZE, "ldc < N");
}

/* The AVX2 kernel computes every element as the AVX-512 kernel does: the
 * same bits, every orientation, edges and alpha/beta included. */
static void check_avx2_same_bits(void)
{
    static const size_t shapes[][3] = {{1, 1, 1}, {67, 131, 97}, {6, 64, 385}, {13, 200, 800}};
    tl_rng r = {77};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int o = 0; o < 3; o++) {
            size_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
            int ta = o == 2, tb = o == 0;
            float beta = o == 2 ? 1.0f : 0.0f, alpha = s == 2 ? 0.75f : 1.0f;
            size_t lda = ta ? M : K, ldb = tb ? K : N, na = (ta ? K : M) * lda, nb = (tb ? N : K) * ldb;
            float *A = malloc(na * 4), *B = malloc(nb * 4), *C0 = malloc(M * N * 4), *C1 = malloc(M * N * 4),
                  *C2 = malloc(M * N * 4);
            if (!(A && B && C0 && C1 && C2)) { CHECK(0, "out of memory"); exit(1); }
            for (size_t i = 0; i < na; i++) A[i] = (float)tl_normal(&r);
            for (size_t i = 0; i < nb; i++) B[i] = (float)tl_normal(&r);
            for (size_t i = 0; i < M * N; i++) C0[i] = (float)tl_normal(&r);
            memcpy(C1, C0, M * N * 4); memcpy(C2, C0, M * N * 4);
            swiglu_isa_set(SWIGLU_ISA_AVX512);
            swiglu_status a = sw_gemm_own_post_f32(C1, N, A, lda, ta, B, ldb, tb, M, N, K, alpha, beta, SW_POST_NONE, 0);
            swiglu_isa_set(SWIGLU_ISA_AVX2);
            CHECK(!strcmp(sw_gemm_own_isa(SWIGLU_F32), "avx2"), "forced AVX2: the engine says avx2");
            swiglu_status b = sw_gemm_own_post_f32(C2, N, A, lda, ta, B, ldb, tb, M, N, K, alpha, beta, SW_POST_NONE, 0);
            CHECK(a == SWIGLU_OK && b == SWIGLU_OK && !memcmp(C1, C2, M * N * 4),
                  "AVX2 kernel = AVX-512 kernel bit for bit at %zux%zux%zu ta %d tb %d", M, N, K, ta, tb);
            free(A); free(B); free(C0); free(C1); free(C2);
        }
    swiglu_isa_set(SWIGLU_ISA_AVX512);
}

static void run_all(void)
{
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            check(1, 1, 1, ta, tb, 1.0f, 0.0f);
            check(17, 33, 65, ta, tb, 1.0f, 0.0f);
            check(17, 33, 65, ta, tb, 0.5f, 1.0f);
            check(7, 130, 45, ta, tb, 1.0f, 1.0f);     /* K odd, not a multiple of 32 */
            check(50, 64, 1, ta, tb, 1.0f, 0.0f);      /* K = 1 */
        }
    check(511, 1377, 513, 0, 1, 1.0f, 0.0f);   /* y = x W^T */
    check(511, 1377, 513, 0, 0, 1.0f, 0.0f);   /* dx = dy W */
    check(511, 1377, 513, 1, 0, 1.0f, 1.0f);   /* dW += dy^T x */
    check(300, 800, 1000, 0, 1, 1.0f, 0.0f);   /* K > one k block, not a multiple of 32 */
    check_post_and_packed();
}

int main(void)
{
    printf("engine: %s\n", sw_gemm_engine());
    if (!sw_gemm_own_supported(SWIGLU_F32)) {
        tl_skip("neither AVX-512 nor AVX2 + FMA on this CPU: our engine is not built to run here");
        return tl_finish("test_gemm_own");
    }
    /* every kernel set this CPU has: AVX-512 (with AVX512-BF16 where there), then AVX2 */
    for (int isa = SWIGLU_ISA_AVX512; isa >= SWIGLU_ISA_AVX2; isa--) {
        if (!swiglu_isa_supported((swiglu_isa)isa)) {
            tl_skip("%s: not on this CPU", swiglu_isa_name((swiglu_isa)isa));
            continue;
        }
        swiglu_isa_set((swiglu_isa)isa);
        printf("kernels: fp32 %s, bf16 %s\n", sw_gemm_own_isa(SWIGLU_F32),
               sw_gemm_own_isa(SWIGLU_BF16) ? sw_gemm_own_isa(SWIGLU_BF16) : "none");
        if (isa == SWIGLU_ISA_AVX512 && !sw_gemm_own_supported(SWIGLU_BF16))
            tl_skip("no AVX512-BF16: our bf16 kernel untested here");
        run_all();
    }
    /* 64 x 4096 x 11008: y = x W1^T, dx = dpre W1, dW1 += dpre^T x */
    swiglu_isa_set(swiglu_isa_supported(SWIGLU_ISA_AVX512) ? SWIGLU_ISA_AVX512 : SWIGLU_ISA_AVX2);
    check(64, 11008, 4096, 0, 1, 1.0f, 0.0f);
    check(64, 4096, 11008, 0, 0, 1.0f, 0.0f);
    check(11008, 4096, 64, 1, 0, 1.0f, 1.0f);
    if (swiglu_isa_supported(SWIGLU_ISA_AVX512)) check_avx2_same_bits();
    else tl_skip("no AVX-512: the AVX2 kernel's bits not compared with the AVX-512 kernel's");
    return tl_finish("test_gemm_own");
}
