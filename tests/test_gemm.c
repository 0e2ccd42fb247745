/* test_gemm.c -- the GEMM door (src/gemm/gemm.h) against a double-precision
 * triple loop: every transpose pair, strided operands, alpha/beta, bf16 with
 * fp32 and bf16 outputs, bad arguments, and one cached primitive per shape.
 * Legend: C [M x N] = alpha op(A) [M x K] op(B) [K x N] + beta C. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "support/testlib.h"
#include "gemm/gemm.h"
#include "kernels/kernels.h"

static void fill(float *p, size_t n, tl_rng *r)
{
    for (size_t i = 0; i < n; i++) p[i] = (float)tl_normal(r);
}


static void check_f32(size_t M, size_t N, size_t K, int ta, int tb, float alpha, float beta)
{
    tl_rng r = {M * 131 + N * 7 + K + (size_t)ta * 3 + (size_t)tb};
    size_t lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 1, ldc = N + 2;
    size_t na = (ta ? K : M) * lda, nb = (tb ? N : K) * ldb, nc = M * ldc;
    float *A = malloc(na * 4), *B = malloc(nb * 4), *C = malloc(nc * 4), *C0 = malloc(nc * 4);
    fill(A, na, &r); fill(B, nb, &r); fill(C0, nc, &r);
    memcpy(C, C0, nc * 4);
    if (beta == 0.0f) for (size_t i = 0; i < nc; i++) C[i] = NAN;  /* beta 0 must not read C */
    swiglu_status st = sw_gemm_f32(C, ldc, A, lda, ta, B, ldb, tb, M, N, K, alpha, beta);
    CHECK(st == SWIGLU_OK, "gemm f32 %zux%zux%zu ta%d tb%d: %s", M, N, K, ta, tb, swiglu_status_str(st));
    double worst = 0;
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) {
            double ref = alpha * tl_gemm_ref_at(A, lda, ta, B, ldb, tb, i, j, K) + (beta != 0.0f ? beta * (double)C0[i * ldc + j] : 0.0);
            double e = fabs(C[i * ldc + j] - ref) / (sqrt((double)K) + fabs(ref));
            if (!(e <= worst)) worst = isnan(e) ? INFINITY : (e > worst ? e : worst);
        }
    CHECK(worst < 1e-5, "gemm f32 %zux%zux%zu ta%d tb%d alpha %g beta %g: rel err %.3g",
          M, N, K, ta, tb, alpha, beta, worst);
    /* padding columns of C untouched */
    int pad_ok = 1;
    for (size_t i = 0; i < M; i++)
        for (size_t j = N; j < ldc; j++)
            if (memcmp(&C[i * ldc + j], beta == 0.0f ? &(float){NAN} : &C0[i * ldc + j], 4) != 0 &&
                !(beta == 0.0f && isnan(C[i * ldc + j]))) pad_ok = 0;
    CHECK(pad_ok, "gemm f32 wrote outside its N columns");
    free(A); free(B); free(C); free(C0);
}

static void check_bf16(size_t M, size_t N, size_t K, int ta, int tb, swiglu_dtype ct, float beta)
{
    tl_rng r = {M + N * 3 + K * 5};
    size_t lda = ta ? M : K, ldb = tb ? K : N, ldc = N;
    size_t na = M * K, nb = K * N, nc = M * N;
    float *A = malloc(na * 4), *B = malloc(nb * 4), *C0 = malloc(nc * 4), *C = malloc(nc * 4);
    uint16_t *Ah = malloc(na * 2), *Bh = malloc(nb * 2), *Ch = malloc(nc * 2);
    fill(A, na, &r); fill(B, nb, &r); fill(C0, nc, &r);
    /* the exact bf16 values, so the reference sees what the engine sees */
    for (size_t i = 0; i < na; i++) { Ah[i] = sw_f32_to_bf16(A[i]); A[i] = sw_bf16_to_f32(Ah[i]); }
    for (size_t i = 0; i < nb; i++) { Bh[i] = sw_f32_to_bf16(B[i]); B[i] = sw_bf16_to_f32(Bh[i]); }
    for (size_t i = 0; i < nc; i++) { Ch[i] = sw_f32_to_bf16(C0[i]); C0[i] = sw_bf16_to_f32(Ch[i]); C[i] = C0[i]; }
    swiglu_status st = sw_gemm_bf16(ct == SWIGLU_F32 ? (void *)C : (void *)Ch, ct, ldc,
                                    Ah, lda, ta, Bh, ldb, tb, M, N, K, 1.0f, beta);
    CHECK(st == SWIGLU_OK, "gemm bf16: %s", swiglu_status_str(st));
    double worst = 0;
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) {
            double ref = tl_gemm_ref_at(A, lda, ta, B, ldb, tb, i, j, K) + beta * (double)C0[i * N + j];
            double got = ct == SWIGLU_F32 ? C[i * N + j] : sw_bf16_to_f32(Ch[i * N + j]);
            double e = fabs(got - ref) / (sqrt((double)K) + fabs(ref));
            if (e > worst || isnan(e)) worst = isnan(e) ? INFINITY : e;
        }
    /* exact products, fp32 sums: ~1e-6; a bf16 output adds one rounding (2^-9) */
    double bound = ct == SWIGLU_F32 ? 1e-5 : 4e-3;
    CHECK(worst < bound, "gemm bf16 %zux%zux%zu ta%d tb%d out %s beta %g: rel err %.3g",
          M, N, K, ta, tb, ct == SWIGLU_F32 ? "f32" : "bf16", beta, worst);
    free(A); free(B); free(C0); free(C); free(Ah); free(Bh); free(Ch);
}


/* A batched GEMM over (b, c, g) with B broadcast over g (grouped-query
 * attention's shape: q [b, t, c, g, hs], k [b, t, c, hs]) against one plain
 * GEMM per batch index, each against the double reference. */
static void check_batch(int ta, int tb, float alpha, float beta)
{
    enum { NB = 2, NC = 3, NG = 2, M = 7, N = 5, K = 6 };
    /* A: [NB][M or K rows][NC][NG][K or M] interleaved like q; B: [NB][rows][NC][cols]; C dense */
    size_t arow = (size_t)NC * NG * (ta ? M : K), brow = (size_t)NC * (tb ? K : N);
    size_t asz = NB * (size_t)(ta ? K : M) * arow, bsz = NB * (size_t)(tb ? N : K) * brow;
    size_t csz = (size_t)NB * NC * NG * M * N;
    float *A = malloc(asz * sizeof *A), *B = malloc(bsz * sizeof *B), *C = malloc(csz * sizeof *C);
    float *C0 = malloc(csz * sizeof *C0);
    tl_rng r = {5 + (uint64_t)(2 * ta + tb)};
    fill(A, asz, &r); fill(B, bsz, &r); fill(C, csz, &r);
    memcpy(C0, C, csz * sizeof *C);
    size_t acol = ta ? M : K, bcol = tb ? K : N;
    sw_gemm_batch bt = {{NB, NC, NG},
                        {(ta ? K : M) * arow, NG * acol, acol},
                        {(tb ? N : K) * brow, bcol, 0},
                        {(size_t)NC * NG * M * N, (size_t)NG * M * N, (size_t)M * N}};
    swiglu_status st = sw_gemm_batch_f32(C, N, A, arow, ta, B, brow, tb, M, N, K, alpha, beta, &bt);
    CHECK(st == SWIGLU_OK, "batched gemm ta%d tb%d: %s", ta, tb, swiglu_status_str(st));
    double worst = 0;
    for (size_t b = 0; b < NB; b++)
        for (size_t c = 0; c < NC; c++)
            for (size_t g = 0; g < NG; g++) {
                const float *Ai = A + b * bt.sa[0] + c * bt.sa[1] + g * bt.sa[2];
                const float *Bi = B + b * bt.sb[0] + c * bt.sb[1];
                size_t oc = b * bt.sc[0] + c * bt.sc[1] + g * bt.sc[2];
                for (size_t i = 0; i < M; i++)
                    for (size_t j = 0; j < N; j++) {
                        double want = alpha * tl_gemm_ref_at(Ai, arow, ta, Bi, brow, tb, i, j, K) + beta * (double)C0[oc + i * N + j];
                        worst = fmax(worst, fabs(C[oc + i * N + j] - want) / (1.0 + fabs(want)));
                    }
            }
    CHECK(worst < 1e-5, "batched gemm ta%d tb%d alpha %g beta %g: rel err %.3g", ta, tb, alpha, beta, worst);
    /* a zero stride in A or C where the dimension is > 1 is refused, not raced */
    sw_gemm_batch bad = bt;
    bad.sc[2] = 0;
    CHECK(sw_gemm_batch_f32(C, N, A, arow, ta, B, brow, tb, M, N, K, alpha, beta, &bad) == SWIGLU_ERR_ARG,
          "batched gemm: C stride 0 refused");
    free(A); free(B); free(C); free(C0);
}

int main(void)
{
    printf("engine: %s\n", sw_gemm_engine());
    /* a build without oneDNN tests the reference loops only: said and counted */
    if (!strstr(sw_gemm_engine(), "onednn")) tl_skip("no oneDNN in this build: engine %s tested in its place", sw_gemm_engine());
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            check_f32(1, 1, 1, ta, tb, 1.0f, 0.0f);
            check_f32(37, 19, 64, ta, tb, 1.0f, 0.0f);
            check_f32(5, 33, 7, ta, tb, 1.0f, 1.0f);
            check_f32(64, 17, 130, ta, tb, 0.5f, 1.0f);
            check_bf16(37, 19, 64, ta, tb, SWIGLU_F32, 0.0f);
            check_bf16(16, 48, 33, ta, tb, SWIGLU_F32, 1.0f);
            check_bf16(3, 40, 64, ta, tb, SWIGLU_BF16, 0.0f);
        }
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            check_batch(ta, tb, 1.0f, 0.0f);
            check_batch(ta, tb, 0.25f, 1.0f);
        }
    /* the same shape again: no new primitive */
    size_t before = sw_gemm_cache_entries();
    check_f32(37, 19, 64, 0, 0, 1.0f, 0.0f);
    CHECK(sw_gemm_cache_entries() == before, "a repeated shape created a primitive (%zu -> %zu)",
          before, sw_gemm_cache_entries());
    /* the cache under concurrent callers: two threads, the same new shape, at once */
    {
        enum { M = 48, N = 40, K = 56 };
        static float A[M * K], B[K * N], C2[2][M * N];
        tl_rng r = {7};
        fill(A, M * K, &r); fill(B, K * N, &r);
        int st2[2] = {-1, -1};
#ifdef _OPENMP
#pragma omp parallel for num_threads(2)
#endif
        for (int t = 0; t < 2; t++)
            for (int rep = 0; rep < 20; rep++)
                st2[t] = (int)sw_gemm_f32(C2[t], N, A, K, 0, B, N, 0, M, N, K, 1.0f, 0.0f);
        CHECK(st2[0] == SWIGLU_OK && st2[1] == SWIGLU_OK && !memcmp(C2[0], C2[1], sizeof C2[0]),
              "concurrent GEMMs on one cached primitive: %d %d", st2[0], st2[1]);
    }
    /* activation post-ops: C = act(A B), against act of the plain product */
    {
        enum { M = 13, N = 37, K = 29 };
        static float A[M * K], B[K * N], C0[M * N], C1[M * N];
        static uint16_t Ah[M * K], Bh[K * N], Ch[M * N];
        tl_rng r = {11};
        fill(A, M * K, &r); fill(B, K * N, &r);
        for (int i = 0; i < M * K; i++) Ah[i] = sw_f32_to_bf16(A[i]);
        for (int i = 0; i < K * N; i++) Bh[i] = sw_f32_to_bf16(B[i]);
        sw_gemm_f32(C0, N, A, K, 0, B, N, 0, M, N, K, 1.0f, 0.0f);
        static const swiglu_act acts[] = {SWIGLU_ACT_IDENTITY, SWIGLU_ACT_RELU, SWIGLU_ACT_GELU_ERF,
                                          SWIGLU_ACT_GELU_TANH, SWIGLU_ACT_SWISH};
        for (int post = SW_POST_RELU; post <= SW_POST_SWISH; post++) {
            float want[M * N];
            swiglu_act_forward(want, C0, M * N, acts[post], 1.25f);
            swiglu_status st = sw_gemm_post_f32(C1, N, A, K, 0, B, N, 0, M, N, K, 1.0f, 0.0f,
                                                (sw_gemm_post)post, 1.25f);
            double w = 0;
            for (int i = 0; i < M * N; i++) w = fmax(w, fabs((double)C1[i] - want[i]) / (1.0 + fabs((double)want[i])));
            CHECK(st == SWIGLU_OK && w < 2e-6, "post-op %d f32: %s, err %.3g", post, swiglu_status_str(st), w);
            st = sw_gemm_post_bf16(Ch, SWIGLU_BF16, N, Ah, K, 0, Bh, N, 0, M, N, K, 1.0f, 0.0f,
                                   (sw_gemm_post)post, 1.25f);
            w = 0;
            for (int i = 0; i < M * N; i++) w = fmax(w, fabs((double)sw_bf16_to_f32(Ch[i]) - want[i]) / (1.0 + fabs((double)want[i])));
            CHECK(st == SWIGLU_OK && w < 3e-2, "post-op %d bf16: %s, err %.3g", post, swiglu_status_str(st), w);
        }
    }
    /* bad arguments: a status */
    float a[4] = {0}, b[4] = {0}, c[4] = {0};
    CHECK(sw_gemm_f32(NULL, 2, a, 2, 0, b, 2, 0, 2, 2, 2, 1, 0) == SWIGLU_ERR_NULL, "NULL C");
    CHECK(sw_gemm_f32(c, 2, a, 2, 0, b, 2, 0, 0, 2, 2, 1, 0) == SWIGLU_ERR_SIZE, "M = 0");
    CHECK(sw_gemm_f32(c, 1, a, 2, 0, b, 2, 0, 2, 2, 2, 1, 0) == SWIGLU_ERR_SIZE, "ldc < N");
    CHECK(sw_gemm_bf16(c, SWIGLU_DTYPE_COUNT, 2, (uint16_t *)a, 2, 0, (uint16_t *)b, 2, 0, 2, 2, 2, 1, 0) == SWIGLU_ERR_DTYPE,
          "bad output dtype");
    /* bf16 rounding: nearest even, NaN kept */
    CHECK(sw_f32_to_bf16(1.0f) == 0x3f80, "bf16(1)");
    CHECK(sw_f32_to_bf16(1.00390625f) == 0x3f80, "tie to even (down)");
    CHECK(sw_f32_to_bf16(1.01171875f) == 0x3f82, "tie to even (up)");
    CHECK(isnan(sw_bf16_to_f32(sw_f32_to_bf16(NAN))), "NaN stays NaN");
    /* every ISA's buffer conversion (the kernels' to_bf16, and the threaded
     * sw_to_bf16) gives the scalar bits: every high half with the low halves
     * that decide the rounding (0, 1, below/at/above the tie, all ones),
     * random patterns, the specials; at every start offset mod 16 and odd
     * lengths, so vector bodies and scalar tails both see them */
    {
        enum { N = 65536 * 6 + 4099 };
        static float src[N];
        static uint16_t got[N + 32];
        static const uint32_t lows[6] = {0x0000u, 0x0001u, 0x7fffu, 0x8000u, 0x8001u, 0xffffu};
        tl_rng r = {99};
        for (size_t i = 0; i < N; i++) {
            uint32_t u = i < 65536 * 6 ? ((uint32_t)(i / 6) << 16) | lows[i % 6] : (uint32_t)tl_next(&r);
            memcpy(&src[i], &u, 4);
        }
        const float specials[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, -NAN, 3.4028235e38f, -3.4028235e38f, 1e-45f};
        for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++) src[65536 * 6 + i * 3 + 1] = specials[i];
        swiglu_isa was = swiglu_isa_active();
        for (int isa = 0; isa < SWIGLU_ISA_COUNT; isa++) {
            if (!swiglu_isa_supported((swiglu_isa)isa)) continue;
            const sw_kernels *k = sw_kernels_for((swiglu_isa)isa);
            size_t bad = 0;
            k->to_bf16(got, src, N);
            for (size_t i = 0; i < N; i++) bad += got[i] != sw_f32_to_bf16(src[i]);
            for (size_t off = 1; off < 16; off++) {
                size_t len = 37 + 16 * off + off;
                got[off + len] = 0xabcd;
                k->to_bf16(got + off, src + 65536 * 3 + off, len);
                for (size_t i = 0; i < len; i++) bad += got[off + i] != sw_f32_to_bf16(src[65536 * 3 + off + i]);
                bad += got[off + len] != 0xabcd;  /* nothing written past n */
            }
            CHECK(bad == 0, "%s to_bf16 differs from the scalar rounding in %zu places", k->name, bad);
            swiglu_isa_set((swiglu_isa)isa);
            sw_to_bf16(got, src, N);
            bad = 0;
            for (size_t i = 0; i < N; i++) bad += got[i] != sw_f32_to_bf16(src[i]);
            CHECK(bad == 0, "sw_to_bf16 (%s) differs from the scalar rounding in %zu of %d", k->name, bad, (int)N);
        }
        swiglu_isa_set(was);
    }
    return tl_finish("test_gemm");
}
