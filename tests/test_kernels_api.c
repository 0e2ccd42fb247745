/* test_kernels_api.c -- the elementwise API's contract: every ISA against
 * the scalar reference at odd lengths, layouts, in-place use, ranges,
 * threads, accumulate vs overwrite, and bad arguments (a status, never a
 * crash). Legend: rows x n elements; g gate, u up, d upstream gradient. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "swiglu.h"
#include "testlib.h"

#define GUARD 7  /* floats past the end that a kernel must not touch */
static const float SENTINEL = 123456.0f;

static int isa_list(swiglu_isa *out)
{
    int k = 0;
    for (int i = 0; i < SWIGLU_ISA_COUNT; i++)
        if (swiglu_isa_supported((swiglu_isa)i)) out[k++] = (swiglu_isa)i;
    return k;
}

static void fill(float *p, size_t n, tl_rng *r, double lo, double hi)
{
    for (size_t i = 0; i < n; i++) p[i] = (float)tl_uniform(r, lo, hi);
}

static uint64_t max_ulp(const float *a, const float *b, size_t n)
{
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++) { uint64_t d = tl_ulp_diff(a[i], b[i]); if (d > w) w = d; }
    return w;
}

/* every ISA against ref: lengths 0..67, 1000, 4101; inputs on [-150, 150],
 * with NaN, +-inf and |x| > 150 lanes in every third length */
static void isa_vs_ref(void)
{
    static const size_t extra[] = {1000, 4096 + 5};
    swiglu_isa isas[SWIGLU_ISA_COUNT];
    int nisa = isa_list(isas);
    tl_rng r = {42};
    size_t cap = 4096 + 5 + GUARD;
    float *g = malloc(cap * 4), *u = malloc(cap * 4), *d = malloc(cap * 4);
    float *o_ref = malloc(cap * 4), *o = malloc(cap * 4), *g_ref = malloc(cap * 4), *u_ref = malloc(cap * 4);
    float *dg = malloc(cap * 4), *du = malloc(cap * 4);
    for (size_t t = 0; t < 68 + 2; t++) {
        size_t n = t < 68 ? t : extra[t - 68];
        fill(g, n, &r, -150, 150); fill(u, n, &r, -150, 150); fill(d, n, &r, -3, 3);
        /* every third length also holds non-finite and huge lanes, at
         * positions that move through the SIMD body and the tail (the
         * non-finite lanes take a fallback path of their own) */
        if (t % 3 == 2 && n > 0) {
            static const float nf[] = {NAN, INFINITY, -INFINITY, -NAN};
            g[(t * 7) % n] = nf[t % 4];
            d[(t * 5) % n] = nf[(t / 3) % 4];
            u[(t * 11) % n] = nf[(t / 2) % 4];
            g[(t * 3) % n] = (t & 1) ? 3e30f : -2e20f;
        }
        for (int v = 0; v < SWIGLU_GLU_COUNT; v++) {
            swiglu_gate gate;
            swiglu_gate_init(&gate, (swiglu_glu)v);
            swiglu_isa_set(SWIGLU_ISA_REF);
            swiglu_glu_forward(o_ref, n, g, u, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate);
            float db_ref = 0;
            swiglu_glu_backward(g_ref, u_ref, n, &db_ref, d, n, g, u, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE);
            for (int k = 0; k < nisa; k++) {
                swiglu_isa_set(isas[k]);
                for (size_t i = n; i < n + GUARD; i++) o[i] = dg[i] = du[i] = SENTINEL;
                CHECK(swiglu_glu_forward(o, n, g, u, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate) == SWIGLU_OK, "fwd");
                float db = 0;
                CHECK(swiglu_glu_backward(dg, du, n, &db, d, n, g, u, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE) == SWIGLU_OK, "bwd");
                uint64_t ef = max_ulp(o, o_ref, n), eg = max_ulp(dg, g_ref, n), eu = max_ulp(du, u_ref, n);
                int guard_ok = 1;
                for (size_t i = n; i < n + GUARD; i++) guard_ok &= o[i] == SENTINEL && dg[i] == SENTINEL && du[i] == SENTINEL;
                CHECK(ef <= 1 && eg <= 2 && eu <= 1 && guard_ok, "%s %s n=%zu: fwd %llu ulp, dgate %llu, dup %llu, guard %d",
                      swiglu_glu_name((swiglu_glu)v), swiglu_isa_name(isas[k]), n,
                      (unsigned long long)ef, (unsigned long long)eg, (unsigned long long)eu, guard_ok);
                CHECK(db == db_ref || (isnan(db) && isnan(db_ref)) || fabsf(db - db_ref) <= 1e-5f * (1 + fabsf(db_ref)),
                      "%s dbeta %g vs %g", swiglu_isa_name(isas[k]), db, db_ref);
            }
        }
        for (int a = 0; a < SWIGLU_ACT_COUNT; a++) {
            swiglu_isa_set(SWIGLU_ISA_REF);
            swiglu_act_forward(o_ref, g, n, (swiglu_act)a, 1.3f);
            swiglu_act_backward(g_ref, NULL, d, g, n, (swiglu_act)a, 1.3f, SWIGLU_BWD_OVERWRITE);
            for (int k = 0; k < nisa; k++) {
                swiglu_isa_set(isas[k]);
                o[n] = dg[n] = SENTINEL;
                swiglu_act_forward(o, g, n, (swiglu_act)a, 1.3f);
                swiglu_act_backward(dg, NULL, d, g, n, (swiglu_act)a, 1.3f, SWIGLU_BWD_OVERWRITE);
                CHECK(max_ulp(o, o_ref, n) <= 1 && max_ulp(dg, g_ref, n) <= 2 && o[n] == SENTINEL && dg[n] == SENTINEL,
                      "%s %s n=%zu act vs ref", swiglu_act_name((swiglu_act)a), swiglu_isa_name(isas[k]), n);
            }
        }
    }
    swiglu_isa_set(swiglu_isa_supported(SWIGLU_ISA_AVX512) ? SWIGLU_ISA_AVX512 : SWIGLU_ISA_REF);
    free(g); free(u); free(d); free(o_ref); free(o); free(g_ref); free(u_ref); free(dg); free(du);
}

/* the four layouts give the same bits, forward and backward (strided rows) */
static void layouts(void)
{
    const size_t rows = 5, n = 37, ld = 2 * n + 3;
    tl_rng r = {7};
    float g[5 * 37], u[5 * 37], d[5 * 37], packed[3][5 * 77];
    fill(g, rows * n, &r, -8, 8); fill(u, rows * n, &r, -8, 8); fill(d, rows * n, &r, -1, 1);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < n; j++) {
            float gv = g[i * n + j], uv = u[i * n + j];
            packed[0][i * ld + j] = gv;     packed[0][i * ld + n + j] = uv;     /* GATE_UP */
            packed[1][i * ld + j] = uv;     packed[1][i * ld + n + j] = gv;     /* UP_GATE */
            packed[2][i * ld + 2 * j] = gv; packed[2][i * ld + 2 * j + 1] = uv; /* INTERLEAVED */
        }
    swiglu_gate gate;
    swiglu_gate_init(&gate, SWIGLU_GLU_SWIGLU);
    gate.beta = 1.3f;
    float o_split[5 * 37], o[5 * 37], dg_s[5 * 37], du_s[5 * 37], dp[5 * 77];
    float db_s = 0;
    CHECK(swiglu_glu_forward(o_split, n, g, u, n, rows, n, SWIGLU_LAYOUT_SPLIT, &gate) == SWIGLU_OK, "split fwd");
    CHECK(swiglu_glu_backward(dg_s, du_s, n, &db_s, d, n, g, u, n, rows, n, SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE) == SWIGLU_OK, "split bwd");
    const swiglu_layout lay[3] = {SWIGLU_LAYOUT_GATE_UP, SWIGLU_LAYOUT_UP_GATE, SWIGLU_LAYOUT_INTERLEAVED};
    for (int l = 0; l < 3; l++) {
        CHECK(swiglu_glu_forward(o, n, packed[l], NULL, ld, rows, n, lay[l], &gate) == SWIGLU_OK, "layout %d fwd", l);
        CHECK(memcmp(o, o_split, sizeof o) == 0, "layout %d forward differs from split", l);
        float db = 0;
        for (size_t i = 0; i < rows * ld; i++) dp[i] = SENTINEL;
        CHECK(swiglu_glu_backward(dp, NULL, ld, &db, d, n, packed[l], NULL, ld, rows, n, lay[l], &gate, SWIGLU_BWD_OVERWRITE) == SWIGLU_OK, "layout %d bwd", l);
        int same = 1;
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < n; j++) {
                size_t pg = l == 0 ? j : l == 1 ? n + j : 2 * j, pu = l == 0 ? n + j : l == 1 ? j : 2 * j + 1;
                same &= dp[i * ld + pg] == dg_s[i * n + j] && dp[i * ld + pu] == du_s[i * n + j];
            }
        for (size_t i = 0; i < rows; i++) for (size_t j = 2 * n; j < ld; j++) same &= dp[i * ld + j] == SENTINEL;
        CHECK(same && db == db_s, "layout %d backward differs from split (or wrote padding)", l);
    }
}

/* accumulate adds, overwrite stores; in place; ranges; threads */
static void contract(void)
{
    const size_t n = 1000;
    tl_rng r = {9};
    float *g = malloc(n * 4), *u = malloc(n * 4), *d = malloc(n * 4), *a = malloc(n * 4), *b = malloc(n * 4);
    float *c = malloc(n * 4), *e = malloc(n * 4), *o1 = malloc(n * 4), *o2 = malloc(n * 4);
    fill(g, n, &r, -6, 6); fill(u, n, &r, -6, 6); fill(d, n, &r, -1, 1);
    swiglu_gate gate;
    swiglu_gate_init(&gate, SWIGLU_GLU_SWIGLU);
    /* accumulate: start from 0.25 and compare with overwrite + 0.25 */
    swiglu_glu_backward(a, b, n, NULL, d, n, g, u, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE);
    for (size_t i = 0; i < n; i++) c[i] = e[i] = 0.25f;
    float dbeta = 1.0f, dbeta1 = 0.0f;
    swiglu_glu_backward(c, e, n, &dbeta, d, n, g, u, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate, 0);
    swiglu_glu_backward(o1, o2, n, &dbeta1, d, n, g, u, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE);
    int ok = 1;
    /* a[i] carries its own rounding (half an ulp of a), the sum one more */
    for (size_t i = 0; i < n; i++)
        ok &= fabs(c[i] - ((double)a[i] + 0.25)) <= 1.2e-7 * (fabs(a[i]) + 0.25) &&
              fabs(e[i] - ((double)b[i] + 0.25)) <= 1.2e-7 * (fabs(b[i]) + 0.25);
    CHECK(ok, "accumulate = overwrite + old value");
    CHECK(fabsf(dbeta - (1.0f + dbeta1)) <= 1e-5f * (1 + fabsf(dbeta)), "dbeta accumulates: %g vs 1 + %g", dbeta, dbeta1);
    /* in place: out = gate buffer */
    memcpy(c, g, n * 4);
    swiglu_glu_forward(o1, n, g, u, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate);
    CHECK(swiglu_glu_forward(c, n, c, u, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate) == SWIGLU_OK && !memcmp(c, o1, n * 4), "in-place forward");
    /* backward in place: dgate over gate, dup over up */
    memcpy(c, g, n * 4); memcpy(e, u, n * 4);
    CHECK(swiglu_glu_backward(c, e, n, NULL, d, n, c, e, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE) == SWIGLU_OK
          && !memcmp(c, a, n * 4) && !memcmp(e, b, n * 4), "in-place backward");
    /* ranges: three pieces at odd places equal the whole (rows of 7 x 100 + 300) */
    memset(o2, 0, n * 4);
    size_t cut[4] = {0, 333, 334, n};
    double db_r = 0;
    for (int k = 0; k < 3; k++) {
        CHECK(swiglu_glu_forward_range(o2, 100, g, u, 100, 10, 100, SWIGLU_LAYOUT_SPLIT, &gate, cut[k], cut[k + 1]) == SWIGLU_OK, "range fwd");
        CHECK(swiglu_glu_backward_range(c, e, 100, &db_r, d, 100, g, u, 100, 10, 100, SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE, cut[k], cut[k + 1]) == SWIGLU_OK, "range bwd");
    }
    CHECK(max_ulp(o2, o1, n) <= 1 && max_ulp(c, a, n) <= 2 && max_ulp(e, b, n) <= 1, "ranges equal the whole");
    CHECK(fabs(db_r - dbeta1) <= 1e-5 * (1 + fabs(db_r)), "range dbeta partials sum to the whole");
    /* threads: same thread count gives the same bits, every run */
    float db2a = 0, db2b = 0;
    swiglu_threads_set(2);
    swiglu_glu_backward(a, b, n, &db2a, d, n, g, u, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE);
    swiglu_glu_backward(c, e, n, &db2b, d, n, g, u, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE);
    CHECK(!memcmp(a, c, n * 4) && !memcmp(b, e, n * 4) && db2a == db2b, "2 threads: bit-identical runs");
    swiglu_threads_set(1);
    float db1 = 0;
    swiglu_glu_backward(c, e, n, &db1, d, n, g, u, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE);
    CHECK(max_ulp(a, c, n) <= 1 && fabsf(db1 - db2a) <= 1e-5f * (1 + fabsf(db1)), "1 vs 2 threads agree");
    swiglu_threads_set(0);
    free(g); free(u); free(d); free(a); free(b); free(c); free(e); free(o1); free(o2);
}

/* bad arguments: a status, not a crash */
static void bad_input(void)
{
    float buf[64] = {0}, o[64];
    swiglu_gate gate;
    swiglu_gate_init(&gate, SWIGLU_GLU_SWIGLU);
    CHECK(swiglu_glu_forward(NULL, 8, buf, buf + 8, 8, 1, 8, SWIGLU_LAYOUT_SPLIT, &gate) == SWIGLU_ERR_NULL, "NULL out");
    CHECK(swiglu_glu_forward(o, 8, NULL, buf, 8, 1, 8, SWIGLU_LAYOUT_SPLIT, &gate) == SWIGLU_ERR_NULL, "NULL in");
    CHECK(swiglu_glu_forward(o, 8, buf, NULL, 8, 1, 8, SWIGLU_LAYOUT_SPLIT, &gate) == SWIGLU_ERR_NULL, "NULL up in SPLIT");
    CHECK(swiglu_glu_forward(o, 8, buf, buf, 16, 1, 8, SWIGLU_LAYOUT_GATE_UP, &gate) == SWIGLU_ERR_ARG, "up given for packed");
    CHECK(swiglu_glu_forward(o, 8, buf, buf + 8, 8, 1, 8, SWIGLU_LAYOUT_SPLIT, NULL) == SWIGLU_ERR_NULL, "NULL gate");
    CHECK(swiglu_glu_forward(o, 8, buf, buf + 8, 8, 1, 8, (swiglu_layout)9, &gate) == SWIGLU_ERR_ARG, "bad layout");
    CHECK(swiglu_glu_forward(o, 4, buf, buf + 8, 8, 2, 8, SWIGLU_LAYOUT_SPLIT, &gate) == SWIGLU_ERR_SIZE, "ld_out < n");
    CHECK(swiglu_glu_forward(o, 8, buf, NULL, 15, 2, 8, SWIGLU_LAYOUT_GATE_UP, &gate) == SWIGLU_ERR_SIZE, "ld_in < 2n");
    CHECK(swiglu_glu_forward(o, SIZE_MAX, buf, buf + 8, SIZE_MAX, SIZE_MAX / 2, 8, SWIGLU_LAYOUT_SPLIT, &gate) == SWIGLU_ERR_SIZE, "rows*n overflow");
    CHECK(swiglu_glu_forward(o, 8, buf, NULL, SIZE_MAX, 3, SIZE_MAX / 2 + 1, SWIGLU_LAYOUT_GATE_UP, &gate) == SWIGLU_ERR_SIZE, "2n overflow");
    CHECK(swiglu_glu_forward(buf + 3, 8, buf, buf + 16, 8, 1, 8, SWIGLU_LAYOUT_SPLIT, &gate) == SWIGLU_ERR_ALIAS, "partial overlap");
    CHECK(swiglu_glu_forward(buf, 8, buf, NULL, 16, 2, 8, SWIGLU_LAYOUT_INTERLEAVED, &gate) == SWIGLU_ERR_ALIAS, "out over interleaved input");
    CHECK(swiglu_glu_forward(o, 8, buf, buf + 8, 8, 0, 8, SWIGLU_LAYOUT_SPLIT, &gate) == SWIGLU_OK, "rows = 0 is a no-op");
    CHECK(swiglu_glu_forward(NULL, 0, NULL, NULL, 0, 0, 0, SWIGLU_LAYOUT_SPLIT, &gate) == SWIGLU_OK, "empty, NULL buffers");
    swiglu_gate bad = gate;
    bad.beta = NAN;
    CHECK(swiglu_glu_forward(o, 8, buf, buf + 8, 8, 1, 8, SWIGLU_LAYOUT_SPLIT, &bad) == SWIGLU_ERR_ARG, "beta NaN");
    bad = gate; bad.limit = 0;
    CHECK(swiglu_glu_forward(o, 8, buf, buf + 8, 8, 1, 8, SWIGLU_LAYOUT_SPLIT, &bad) == SWIGLU_ERR_ARG, "limit 0");
    bad = gate; bad.act = (swiglu_act)77;
    CHECK(swiglu_glu_forward(o, 8, buf, buf + 8, 8, 1, 8, SWIGLU_LAYOUT_SPLIT, &bad) == SWIGLU_ERR_ARG, "bad act");
    CHECK(swiglu_glu_backward(o, o + 4, 8, NULL, buf, 8, buf + 16, buf + 24, 8, 1, 8, SWIGLU_LAYOUT_SPLIT, &gate, 0) == SWIGLU_ERR_ALIAS, "dgate overlaps dup");
    CHECK(swiglu_glu_backward(o, o + 8, 8, NULL, buf, 8, buf + 16, buf + 24, 8, 1, 8, SWIGLU_LAYOUT_SPLIT, &gate, 0x80) == SWIGLU_ERR_ARG, "unknown flag");
    CHECK(swiglu_glu_backward(o, o + 8, 8, NULL, NULL, 8, buf + 16, buf + 24, 8, 1, 8, SWIGLU_LAYOUT_SPLIT, &gate, 0) == SWIGLU_ERR_NULL, "NULL dout");
    CHECK(swiglu_glu_forward_range(o, 8, buf, buf + 8, 8, 1, 8, SWIGLU_LAYOUT_SPLIT, &gate, 5, 3) == SWIGLU_ERR_SIZE, "range begin > end");
    CHECK(swiglu_glu_forward_range(o, 8, buf, buf + 8, 8, 1, 8, SWIGLU_LAYOUT_SPLIT, &gate, 0, 9) == SWIGLU_ERR_SIZE, "range past the end");
    CHECK(swiglu_act_forward(NULL, buf, 4, SWIGLU_ACT_RELU, 1) == SWIGLU_ERR_NULL, "act NULL out");
    CHECK(swiglu_act_forward(buf + 1, buf, 4, SWIGLU_ACT_RELU, 1) == SWIGLU_ERR_ALIAS, "act partial overlap");
    CHECK(swiglu_act_forward(buf, buf, 4, SWIGLU_ACT_RELU, 1) == SWIGLU_OK, "act in place");
    CHECK(swiglu_act_forward(o, buf, 4, SWIGLU_ACT_COUNT, 1) == SWIGLU_ERR_ARG, "act out of range");
    CHECK(swiglu_act_forward(o, buf, 4, SWIGLU_ACT_SWISH, INFINITY) == SWIGLU_ERR_ARG, "beta inf");
    CHECK(swiglu_act_forward(o, buf, SIZE_MAX / 2, SWIGLU_ACT_RELU, 1) == SWIGLU_ERR_SIZE, "n bytes overflow");
    CHECK(swiglu_isa_set((swiglu_isa)5) == SWIGLU_ERR_ARG, "isa out of range");
    CHECK(swiglu_threads_set(-1) == SWIGLU_ERR_ARG, "negative threads");
    swiglu_act act; swiglu_glu v; swiglu_isa isa;
    CHECK(swiglu_act_from_name(&act, "silu") == SWIGLU_OK && act == SWIGLU_ACT_SWISH, "silu alias");
    CHECK(swiglu_act_from_name(&act, "tanhh") == SWIGLU_ERR_ARG, "unknown act name");
    CHECK(swiglu_glu_from_name(&v, "geglu") == SWIGLU_OK && v == SWIGLU_GLU_GEGLU, "glu name");
    CHECK(swiglu_isa_from_name(&isa, "avx2") == SWIGLU_OK && isa == SWIGLU_ISA_AVX2, "isa name");
    for (int s = 0; s < SWIGLU_STATUS_COUNT; s++) CHECK(swiglu_status_str((swiglu_status)s)[0] != 0, "status %d named", s);
    CHECK(strcmp(swiglu_status_str((swiglu_status)999), "unknown status") == 0, "unknown status named");
    for (int a = 0; a < SWIGLU_ACT_COUNT; a++) {
        CHECK(swiglu_act_from_name(&act, swiglu_act_name((swiglu_act)a)) == SWIGLU_OK && act == (swiglu_act)a, "act name round trip %d", a);
    }
    swiglu_gate cg;
    CHECK(swiglu_gate_init(&cg, SWIGLU_GLU_SWIGLU_CLAMPED) == SWIGLU_OK && cg.beta == 1.702f && cg.limit == 7.0f && cg.up_shift == 1.0f, "gpt-oss defaults");
}

/* Streaming stores (swiglu_stream_threshold_set): threshold 0 streams every
 * call, SIZE_MAX none. At every output offset (a head of normal stores before
 * the aligned body, or no streaming when dg and du cannot be aligned
 * together) and length, the values agree with the unstreamed call (the head
 * takes the scalar tail path, so within an ulp), nothing past the end is
 * written, and a NULL dbeta (the kernels then skip its terms) changes no
 * gradient bit. */
static void streaming(void)
{
    swiglu_isa isas[SWIGLU_ISA_COUNT];
    int nisa = isa_list(isas);
    CHECK(swiglu_stream_threshold_get() == SWIGLU_STREAM_DEFAULT, "default threshold %zu",
          swiglu_stream_threshold_get());
    const size_t cap = 600 + 32 + GUARD;
    float *g = malloc(cap * 4), *u = malloc(cap * 4), *d = malloc(cap * 4);
    float *o0 = malloc(cap * 4), *g0 = malloc(cap * 4), *u0 = malloc(cap * 4);
    float *o1 = malloc(cap * 4), *g1 = malloc(cap * 4), *u1 = malloc(cap * 4);
    tl_rng r = {7};
    fill(g, cap, &r, -8, 8); fill(u, cap, &r, -4, 4); fill(d, cap, &r, -3, 3);
    static const size_t lens[] = {0, 1, 15, 16, 17, 33, 64, 95, 600};
    size_t bad = 0, checked = 0;
    for (int k = 0; k < nisa; k++) {
        swiglu_isa_set(isas[k]);
        for (size_t li = 0; li < sizeof lens / sizeof *lens; li++)
            for (size_t off = 0; off < 17; off += (off < 3 ? 1 : 7))
                for (size_t offu = 0; offu < 2; offu++) {
                    size_t n = lens[li];
                    swiglu_gate gate;
                    swiglu_gate_init(&gate, SWIGLU_GLU_SWIGLU);
                    float db0 = 0, db1 = 0;
                    for (int pass = 0; pass < 2; pass++) {
                        float *o = pass ? o1 : o0, *dg = pass ? g1 : g0, *du = pass ? u1 : u0;
                        for (size_t i = 0; i < cap; i++) o[i] = dg[i] = du[i] = SENTINEL;
                        swiglu_stream_threshold_set(pass ? 0 : SIZE_MAX);
                        CHECK(swiglu_glu_forward(o + off, n, g, u, n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate) == SWIGLU_OK, "fwd");
                        CHECK(swiglu_glu_backward(dg + off, du + off + offu, n, pass ? &db1 : &db0, d, n, g, u, n, 1, n,
                                                  SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE) == SWIGLU_OK, "bwd");
                    }
                    for (size_t i = 0; i < cap; i++) {
                        int in = i >= off && i < off + n, inu = i >= off + offu && i < off + offu + n;
                        bad += in ? tl_ulp_diff(o0[i], o1[i]) > 1 || tl_ulp_diff(g0[i], g1[i]) > 2
                                  : o1[i] != SENTINEL || g1[i] != SENTINEL;
                        bad += inu ? tl_ulp_diff(u0[i], u1[i]) > 1 : u1[i] != SENTINEL;
                    }
                    bad += fabsf(db0 - db1) > 1e-5f * (1 + fabsf(db0));
                    /* no dbeta wanted: the same gradients, bit for bit */
                    float *dg2 = o1, *du2 = u1;
                    CHECK(swiglu_glu_backward(dg2 + off, du2 + off + offu, n, NULL, d, n, g, u, n, 1, n,
                                              SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE) == SWIGLU_OK, "bwd");
                    bad += n && (memcmp(dg2 + off, g1 + off, n * 4) != 0 || memcmp(du2 + off + offu, u1 + off + offu, n * 4) != 0);
                    /* plain Swish, forward and backward */
                    for (int pass = 0; pass < 2; pass++) {
                        float *o = pass ? o1 : o0, *dx = pass ? g1 : g0;
                        for (size_t i = 0; i < cap; i++) o[i] = dx[i] = SENTINEL;
                        swiglu_stream_threshold_set(pass ? 0 : SIZE_MAX);
                        CHECK(swiglu_act_forward(o + off, g, n, SWIGLU_ACT_SWISH, 1.0f) == SWIGLU_OK, "act fwd");
                        CHECK(swiglu_act_backward(dx + off, NULL, d, g, n, SWIGLU_ACT_SWISH, 1.0f, SWIGLU_BWD_OVERWRITE) == SWIGLU_OK, "act bwd");
                    }
                    for (size_t i = 0; i < cap; i++) {
                        int in = i >= off && i < off + n;
                        bad += in ? tl_ulp_diff(o0[i], o1[i]) > 1 || tl_ulp_diff(g0[i], g1[i]) > 2
                                  : o1[i] != SENTINEL || g1[i] != SENTINEL;
                    }
                    checked++;
                }
    }
    CHECK(bad == 0 && checked > 0, "streamed vs normal stores: %zu differences in %zu cases", bad, checked);
    swiglu_stream_threshold_set(SWIGLU_STREAM_DEFAULT);
    swiglu_isa_set(swiglu_isa_supported(SWIGLU_ISA_AVX512) ? SWIGLU_ISA_AVX512 : SWIGLU_ISA_REF);
    free(g); free(u); free(d); free(o0); free(g0); free(u0); free(o1); free(g1); free(u1);
}

int main(void)
{
    isa_vs_ref();
    layouts();
    contract();
    bad_input();
    streaming();
    return tl_finish("test_kernels_api");
}
