/* test_api_alias.c -- the library's own contract, as the red team of issue
 * #21 tried it (each of these returned OK before, most with wrong results):
 *  - aliasing: dbeta inside dx, dout or x (act backward) and inside din,
 *    dup, dout, in, up (GLU backward, and the _range variants' double
 *    dbeta); swiglu_ffn_forward with y on W2 (or any parameter), the
 *    workspace on W3 or x; swiglu_ffn_backward with the gradients on the
 *    parameters, on each other, on dy or x: SWIGLU_ERR_ALIAS. The allowed
 *    cases still work: in place where the header says so, y == x.
 *  - flags: learn_beta, bias_up, bias_down, recompute not 0/1 (create and
 *    param_count), training not 0/1 (workspace_size, forward):
 *    SWIGLU_ERR_ARG.
 *  - alignment: a float* one byte off (each argument of the elementwise
 *    kernels, x / y / a weight of the FFN) is SWIGLU_ERR_ARG and nothing is
 *    read (UBSan flagged the load in glu_ref.c before).
 *  - Swish with beta = 0 at x = +-inf: forward +-inf, backward the limit
 *    0.5 (it was NaN: z = beta x = 0 * inf), dbeta +inf (x^2 / 4), on every
 *    ISA this CPU runs, plain Swish and the SwiGLU gate.
 * Ends with "N passed, N failed". */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "swiglu.h"
#include "testlib.h"

static int isa_list(swiglu_isa *out)
{
    int n = 0;
    for (int i = 0; i < SWIGLU_ISA_COUNT; i++)
        if (swiglu_isa_supported((swiglu_isa)i)) out[n++] = (swiglu_isa)i;
    return n;
}

static void elementwise_alias(void)
{
    enum { N = 64 };
    float *b = calloc(4 * N + 8, sizeof(float));
    float *x = b, *d = b + N, *dx = b + 2 * N, *up = b + 3 * N;
    for (int i = 0; i < N; i++) { x[i] = 0.1f * (float)i - 3; d[i] = 1; up[i] = 0.5f; }
    swiglu_gate gate;
    swiglu_gate_init(&gate, SWIGLU_GLU_SWIGLU);
    float dbeta = 0, *dg = dx, *du = b + 4 * N - 0;   /* du: the last N floats + 8 spare */
    (void)du;
    const swiglu_act S = SWIGLU_ACT_SWISH;
    /* act backward: dbeta inside dx, dout, x */
    CHECK(swiglu_act_backward(dx, dx + 5, d, x, N, S, 1, 0) == SWIGLU_ERR_ALIAS, "act: dbeta inside dx");
    CHECK(swiglu_act_backward(dx, d + 5, d, x, N, S, 1, 0) == SWIGLU_ERR_ALIAS, "act: dbeta inside dout");
    CHECK(swiglu_act_backward(dx, x + 5, d, x, N, S, 1, 0) == SWIGLU_ERR_ALIAS, "act: dbeta inside x");
    double ddb = 0;
    CHECK(swiglu_act_backward_range(dx, (double *)(void *)(dx + 4), d, x, N, S, 1, 0, 0, N) == SWIGLU_ERR_ALIAS,
          "act range: dbeta inside dx");
    CHECK(swiglu_act_backward(dx, &dbeta, d, x, N, S, 1, 0) == SWIGLU_OK, "act: dbeta apart");
    CHECK(swiglu_act_backward_range(dx, &ddb, d, x, N, S, 1, 0, 0, N) == SWIGLU_OK, "act range: dbeta apart");
    CHECK(swiglu_act_backward(d, &dbeta, d, x, N, S, 1, 0) == SWIGLU_OK, "act: dx == dout (in place) still fine");
    /* GLU backward, SPLIT: gate x, up; gradients dg, du2 */
    float *gbuf = calloc(6 * N, sizeof(float));
    float *g = gbuf, *u = gbuf + N, *dout = gbuf + 2 * N, *dgate = gbuf + 3 * N, *dup = gbuf + 4 * N;
    for (int i = 0; i < N; i++) { g[i] = 0.05f * (float)i - 1; u[i] = 1; dout[i] = 1; }
    const swiglu_layout L = SWIGLU_LAYOUT_SPLIT;
    CHECK(swiglu_glu_backward(dgate, dup, N, dup + 3, dout, N, g, u, N, 1, N, L, &gate, 0) == SWIGLU_ERR_ALIAS,
          "glu: dbeta inside dup");
    CHECK(swiglu_glu_backward(dgate, dup, N, dgate + 1, dout, N, g, u, N, 1, N, L, &gate, 0) == SWIGLU_ERR_ALIAS,
          "glu: dbeta inside din");
    CHECK(swiglu_glu_backward(dgate, dup, N, dout + 7, dout, N, g, u, N, 1, N, L, &gate, 0) == SWIGLU_ERR_ALIAS,
          "glu: dbeta inside dout");
    CHECK(swiglu_glu_backward(dgate, dup, N, g, dout, N, g, u, N, 1, N, L, &gate, 0) == SWIGLU_ERR_ALIAS,
          "glu: dbeta on the gate input");
    CHECK(swiglu_glu_backward(dgate, dup, N, u + N - 1, dout, N, g, u, N, 1, N, L, &gate, 0) == SWIGLU_ERR_ALIAS,
          "glu: dbeta on the up input's last element");
    CHECK(swiglu_glu_backward_range(dgate, dup, N, (double *)(void *)(dup + 2), dout, N, g, u, N, 1, N, L, &gate, 0, 0, N)
          == SWIGLU_ERR_ALIAS, "glu range: dbeta inside dup");
    CHECK(swiglu_glu_backward(dgate, dup, N, &dbeta, dout, N, g, u, N, 1, N, L, &gate, 0) == SWIGLU_OK, "glu: dbeta apart");
    CHECK(swiglu_glu_backward(dgate, dup, N, NULL, dout, N, g, u, N, 1, N, L, &gate, 0) == SWIGLU_OK, "glu: no dbeta");
    /* a dbeta that is not aligned for its type */
    char *raw = malloc(64);
    CHECK(swiglu_act_backward(dx, (float *)(void *)(raw + 1), d, x, N, S, 1, 0) == SWIGLU_ERR_ARG, "act: dbeta misaligned");
    free(raw);
    (void)dg;
    free(b);
    free(gbuf);
}

static void elementwise_alignment(void)
{
    enum { N = 40 };
    /* memory whose contents are valid floats at every byte offset tried:
     * zero bytes, so a refusal can be told from a load only by the status */
    unsigned char *m = calloc(8 * N * sizeof(float) + 16, 1);
    float *a = (float *)(void *)m, *bb = a + N, *c = a + 2 * N, *dd = a + 3 * N;
    float *mis = (float *)(void *)(m + 4 * N * sizeof(float) + 1);   /* 1 byte off */
    swiglu_gate gate;
    swiglu_gate_init(&gate, SWIGLU_GLU_SWIGLU);
    const swiglu_layout L = SWIGLU_LAYOUT_SPLIT;
    CHECK(swiglu_act_forward(mis, a, N, SWIGLU_ACT_SWISH, 1) == SWIGLU_ERR_ARG, "act fwd: out misaligned");
    CHECK(swiglu_act_forward(a, mis, N, SWIGLU_ACT_SWISH, 1) == SWIGLU_ERR_ARG, "act fwd: x misaligned");
    CHECK(swiglu_act_backward(a, NULL, mis, bb, N, SWIGLU_ACT_SWISH, 1, 0) == SWIGLU_ERR_ARG, "act bwd: dout misaligned");
    CHECK(swiglu_glu_forward(c, N, mis, bb, N, 1, N, L, &gate) == SWIGLU_ERR_ARG, "glu fwd: gate misaligned");
    CHECK(swiglu_glu_forward(c, N, a, mis, N, 1, N, L, &gate) == SWIGLU_ERR_ARG, "glu fwd: up misaligned");
    CHECK(swiglu_glu_forward(mis, N, a, bb, N, 1, N, L, &gate) == SWIGLU_ERR_ARG, "glu fwd: out misaligned");
    CHECK(swiglu_glu_forward(c, 2 * N, mis, NULL, 2 * N, 1, N, SWIGLU_LAYOUT_GATE_UP, &gate) == SWIGLU_ERR_ARG,
          "glu fwd packed: in misaligned");
    CHECK(swiglu_glu_backward(c, dd, N, NULL, mis, N, a, bb, N, 1, N, L, &gate, 0) == SWIGLU_ERR_ARG,
          "glu bwd: dout misaligned");
    CHECK(swiglu_glu_backward(mis, dd, N, NULL, c, N, a, bb, N, 1, N, L, &gate, 0) == SWIGLU_ERR_ARG,
          "glu bwd: din misaligned");
    CHECK(swiglu_glu_forward(c, N, a, bb, N, 1, N, L, &gate) == SWIGLU_OK, "glu fwd: aligned is fine");
    free(m);
}

/* An FFN of D 8, H 16 with every tensor in one arena, so that any pair can be made to overlap. */
typedef struct ffn_fixture {
    swiglu_ffn *f;
    swiglu_ffn_config c;
    size_t D, H, T, ws;
    float *arena, *w1, *w3, *w2, *x, *y, *dy, *dx, *g1, *g3, *g2;
    void *work;
} ffn_fixture;

static void fixture_make(ffn_fixture *z, int recompute)
{
    memset(z, 0, sizeof *z);
    swiglu_ffn_config_init(&z->c, 8, SWIGLU_FFN_SWIGLU);
    z->c.d_ff = 16;
    z->c.recompute = recompute;
    z->D = 8; z->H = 16; z->T = 4;
    CHECK(swiglu_ffn_create(&z->f, &z->c) == SWIGLU_OK, "fixture: create");
    swiglu_ffn_workspace_size(&z->ws, z->f, z->T, 1);
    size_t HD = z->H * z->D, TD = z->T * z->D;
    z->arena = calloc(6 * HD + 4 * TD, sizeof(float));
    float *p = z->arena;
    z->w1 = p; p += HD; z->w3 = p; p += HD; z->w2 = p; p += HD;
    z->g1 = p; p += HD; z->g3 = p; p += HD; z->g2 = p; p += HD;
    z->x = p; p += TD; z->y = p; p += TD; z->dy = p; p += TD; z->dx = p;
    z->work = malloc(z->ws);
    swiglu_ffn_params prm = {.w1 = z->w1, .w3 = z->w3, .w2 = z->w2};
    swiglu_ffn_init_params(z->f, &prm, 3, 0.3f, 0.3f);
    for (size_t i = 0; i < TD; i++) { z->x[i] = 0.01f * (float)i - 0.1f; z->dy[i] = 1; }
}

static void fixture_free(ffn_fixture *z)
{
    swiglu_ffn_destroy(z->f);
    free(z->arena);
    free(z->work);
}

static void ffn_alias(void)
{
    ffn_fixture z;
    fixture_make(&z, 0);
    swiglu_ffn_params p = {.w1 = z.w1, .w3 = z.w3, .w2 = z.w2}, g = {.w1 = z.g1, .w3 = z.g3, .w2 = z.g2};
    size_t T = z.T;
    /* forward: y on a parameter, the workspace on W3 or x */
    CHECK(swiglu_ffn_forward(z.f, z.w2 + 3, z.x, T, &p, z.work, z.ws, 1) == SWIGLU_ERR_ALIAS, "forward: y overlaps W2");
    CHECK(swiglu_ffn_forward(z.f, z.w1, z.x, T, &p, z.work, z.ws, 1) == SWIGLU_ERR_ALIAS, "forward: y on W1");
    float *big = malloc(z.ws + z.H * z.D * sizeof(float));
    swiglu_ffn_params pw = p;
    pw.w3 = big;   /* W3 inside the workspace */
    CHECK(swiglu_ffn_forward(z.f, z.y, z.x, T, &pw, big, z.ws, 1) == SWIGLU_ERR_ALIAS, "forward: workspace on W3");
    CHECK(swiglu_ffn_forward(z.f, z.y, big, T, &p, big, z.ws, 1) == SWIGLU_ERR_ALIAS, "forward: workspace on x");
    CHECK(swiglu_ffn_forward(z.f, z.x + 1, z.x, T, &p, z.work, z.ws, 1) == SWIGLU_ERR_ALIAS, "forward: y overlaps x, shifted");
    /* allowed: y == x (x read before y written), and the plain call */
    CHECK(swiglu_ffn_forward(z.f, z.y, z.x, T, &p, z.work, z.ws, 1) == SWIGLU_OK, "forward");
    float *y0 = malloc(T * z.D * sizeof(float));
    memcpy(y0, z.y, T * z.D * sizeof(float));
    /* backward: gradients on the parameters, on each other, on dy / x */
    CHECK(swiglu_ffn_backward(z.f, z.dx, &p, z.dy, z.x, T, &p, z.work, z.ws) == SWIGLU_ERR_ALIAS, "backward: grads = params");
    swiglu_ffn_params gg = g;
    gg.w2 = z.w2;
    CHECK(swiglu_ffn_backward(z.f, z.dx, &gg, z.dy, z.x, T, &p, z.work, z.ws) == SWIGLU_ERR_ALIAS, "backward: dW2 on W2");
    gg = g; gg.w3 = z.g1 + 5;
    CHECK(swiglu_ffn_backward(z.f, z.dx, &gg, z.dy, z.x, T, &p, z.work, z.ws) == SWIGLU_ERR_ALIAS, "backward: dW3 overlaps dW1");
    gg = g; gg.w1 = z.dy;
    CHECK(swiglu_ffn_backward(z.f, z.dx, &gg, z.dy, z.x, T, &p, z.work, z.ws) == SWIGLU_ERR_ALIAS, "backward: dW1 on dy");
    CHECK(swiglu_ffn_backward(z.f, z.x, &g, z.dy, z.x, T, &p, z.work, z.ws) == SWIGLU_ERR_ALIAS, "backward: dx on x");
    CHECK(swiglu_ffn_backward(z.f, z.w1, &g, z.dy, z.x, T, &p, z.work, z.ws) == SWIGLU_ERR_ALIAS, "backward: dx on W1");
    CHECK(swiglu_ffn_backward(z.f, z.dx, &g, z.dy, z.x, T, &p, z.work, z.ws) == SWIGLU_OK, "backward");
    /* y == x in place gives the same y as out of place, both for inference
     * (training 0). y0 above is the training forward's y: an inference
     * forward may fuse the activation into oneDNN's GEMM as a post-op, whose
     * AVX-512 code rounds differently (a few ulps), so it is not the
     * reference for a bitwise comparison. */
    CHECK(swiglu_ffn_forward(z.f, z.y, z.x, T, &p, z.work, z.ws, 0) == SWIGLU_OK, "forward, inference, out of place");
    memcpy(y0, z.y, T * z.D * sizeof(float));
    float *xy = malloc(T * z.D * sizeof(float));
    memcpy(xy, z.x, T * z.D * sizeof(float));
    CHECK(swiglu_ffn_forward(z.f, xy, xy, T, &p, z.work, z.ws, 0) == SWIGLU_OK, "forward in place (y == x)");
    CHECK(!memcmp(xy, y0, T * z.D * sizeof(float)), "forward in place: the same y");
    free(xy); free(y0); free(big);
    fixture_free(&z);
}

static void ffn_flags_alignment(void)
{
    swiglu_ffn_config c;
    swiglu_ffn *f = NULL;
    size_t n;
    swiglu_ffn_config_init(&c, 8, SWIGLU_FFN_SWIGLU);
    struct { int *flag; int v; const char *what; } bad[] = {
        {&c.bias_up, -1, "bias_up = -1"}, {&c.bias_down, 2, "bias_down = 2"},
        {&c.recompute, 2, "recompute = 2"}, {&c.learn_beta, 3, "learn_beta = 3"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        swiglu_ffn_config_init(&c, 8, SWIGLU_FFN_SWIGLU);
        *bad[i].flag = bad[i].v;
        f = NULL;
        CHECK(swiglu_ffn_create(&f, &c) == SWIGLU_ERR_ARG && !f, "create with %s", bad[i].what);
        CHECK(swiglu_ffn_param_count(&n, &c) == SWIGLU_ERR_ARG, "param_count with %s", bad[i].what);
    }
    ffn_fixture z;
    fixture_make(&z, 1);
    swiglu_ffn_params p = {.w1 = z.w1, .w3 = z.w3, .w2 = z.w2};
    size_t ws;
    CHECK(swiglu_ffn_workspace_size(&ws, z.f, z.T, 3) == SWIGLU_ERR_ARG, "workspace_size training = 3");
    CHECK(swiglu_ffn_forward(z.f, z.y, z.x, z.T, &p, z.work, z.ws, 3) == SWIGLU_ERR_ARG, "forward training = 3");
    CHECK(swiglu_ffn_forward(z.f, z.y, z.x, z.T, &p, z.work, z.ws, -1) == SWIGLU_ERR_ARG, "forward training = -1");
    /* misaligned: x, y, a weight (1 byte off, inside the arena's spare room) */
    unsigned char *raw = calloc(z.T * z.D * sizeof(float) + z.H * z.D * sizeof(float) + 8, 1);
    void *mis = raw + 1;
    CHECK(swiglu_ffn_forward(z.f, z.y, mis, z.T, &p, z.work, z.ws, 1) == SWIGLU_ERR_ARG, "forward: x misaligned");
    CHECK(swiglu_ffn_forward(z.f, mis, z.x, z.T, &p, z.work, z.ws, 1) == SWIGLU_ERR_ARG, "forward: y misaligned");
    swiglu_ffn_params pm = p;
    pm.w2 = mis;
    CHECK(swiglu_ffn_forward(z.f, z.y, z.x, z.T, &pm, z.work, z.ws, 1) == SWIGLU_ERR_ARG, "forward: W2 misaligned");
    CHECK(swiglu_ffn_forward(z.f, z.y, z.x, z.T, &p, z.work, z.ws, 1) == SWIGLU_OK, "forward, recompute 1");
    swiglu_ffn_params g = {.w1 = z.g1, .w3 = z.g3, .w2 = z.g2}, gm = g;
    gm.w3 = mis;
    CHECK(swiglu_ffn_backward(z.f, z.dx, &gm, z.dy, z.x, z.T, &p, z.work, z.ws) == SWIGLU_ERR_ARG, "backward: dW3 misaligned");
    CHECK(swiglu_ffn_backward(z.f, mis, &g, z.dy, z.x, z.T, &p, z.work, z.ws) == SWIGLU_ERR_ARG, "backward: dx misaligned");
    free(raw);
    fixture_free(&z);
}

/* Swish with beta = 0 is x / 2: at x = +-inf the backward's limit is 0.5 */
static void swish_beta0_inf(void)
{
    swiglu_isa isas[SWIGLU_ISA_COUNT];
    int nisa = isa_list(isas);
    enum { N = 37 };   /* a vector body and a tail on every ISA */
    float x[N], d[N], dx[N], out[N], u[N], dg[N], du[N];
    for (int k = 0; k < nisa; k++) {
        CHECK(swiglu_isa_set(isas[k]) == SWIGLU_OK, "isa %s", swiglu_isa_name(isas[k]));
        const char *nm = swiglu_isa_name(isas[k]);
        for (int at = 0; at < N; at += 5) {
            for (int i = 0; i < N; i++) { x[i] = 0.25f * (float)(i - N / 2); d[i] = 1; u[i] = 1; }
            x[at] = INFINITY;
            x[(at + 3) % N] = -INFINITY;
            for (unsigned fl = 0; fl < 2; fl++) {
                float db = 0;
                for (int i = 0; i < N; i++) dx[i] = 0;
                CHECK(swiglu_act_backward(dx, &db, d, x, N, SWIGLU_ACT_SWISH, 0.0f, fl) == SWIGLU_OK, "bwd");
                int ok = 1;
                for (int i = 0; i < N; i++) ok &= dx[i] == 0.5f;
                CHECK(ok, "%s: swish beta 0 backward is 0.5 everywhere, +-inf at %d, %d included (flags %u): dx[inf] = %g",
                      nm, at, (at + 3) % N, fl, (double)dx[at]);
                CHECK(db == INFINITY, "%s: swish beta 0 dbeta at +-inf is +inf (x^2/4), got %g", nm, (double)db);
                CHECK(swiglu_act_forward(out, x, N, SWIGLU_ACT_SWISH, 0.0f) == SWIGLU_OK, "fwd");
                CHECK(out[at] == INFINITY && out[(at + 3) % N] == -INFINITY, "%s: swish beta 0 forward at +-inf: %g %g",
                      nm, (double)out[at], (double)out[(at + 3) % N]);
                /* the SwiGLU gate: dgate = du * swish'(g) = 0.5, dup = dout * swish(g) = +-inf */
                swiglu_gate gate;
                swiglu_gate_init(&gate, SWIGLU_GLU_SWIGLU);
                gate.beta = 0.0f;
                for (int i = 0; i < N; i++) dg[i] = du[i] = 0;
                db = 0;
                CHECK(swiglu_glu_backward(dg, du, N, &db, d, N, x, u, N, 1, N, SWIGLU_LAYOUT_SPLIT, &gate,
                                          fl ? SWIGLU_BWD_OVERWRITE : 0) == SWIGLU_OK, "glu bwd");
                ok = 1;
                for (int i = 0; i < N; i++) ok &= dg[i] == 0.5f;
                CHECK(ok, "%s: swiglu beta 0 dgate is 0.5 everywhere, +-inf included (flags %u): dg[inf] = %g", nm, fl,
                      (double)dg[at]);
                CHECK(du[at] == INFINITY && du[(at + 3) % N] == -INFINITY, "%s: swiglu beta 0 dup at +-inf", nm);
            }
        }
    }
    swiglu_isa_set(isas[nisa - 1]);
}

int main(void)
{
    elementwise_alias();
    elementwise_alignment();
    ffn_alias();
    ffn_flags_alignment();
    swish_beta0_inf();
    return tl_finish("test_api_alias");
}
