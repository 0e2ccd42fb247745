/* test_act_torch.c -- swiglu's activations and GLU products against
 * PyTorch's, from the committed dump tests/ref/act_ref.bin (written by
 * tests/ref/make_act_ref.py; format in its docstring and docs/FORMATS.md).
 * PyTorch evaluated in float64 on our float32 inputs, so agreement within
 * the kernels' own bounds says both libraries define the same functions.
 * One allowance: PyTorch computes gelu as x/2 (1 + erf(x/sqrt2)), which in
 * float64 cancels for x << 0 (an absolute error ~1e-16 |x|), where ours uses
 * erfc and keeps the tail; there the two agree to PyTorch's own rounding. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "swiglu.h"
#include "testlib.h"

static int rd(void *p, size_t sz, size_t n, FILE *f) { return fread(p, sz, n, f) == n; }

/* within 8 ulp or 1e-6 relative, with an absolute floor for values that
 * are a sum of cancelling float64 terms in PyTorch (its gradient of 0.0 vs ours) */
static int close_grad(float got, double want, double scale)
{
    return tl_ulp_err(got, want) <= 8 || fabs(got - want) <= 1e-6 * fabs(want) || fabs(got - want) <= 1e-12 * scale;
}

int main(void)
{
    FILE *f = fopen("tests/ref/act_ref.bin", "rb");
    CHECK(f != NULL, "tests/ref/act_ref.bin must be readable (run from the repository root)");
    if (!f) return tl_finish("test_act_torch");
    char magic[8];
    uint32_t hdr[2];
    CHECK(rd(magic, 1, 8, f) && !memcmp(magic, "SWGLREF1", 8) && rd(hdr, 4, 2, f) && hdr[0] == 1, "magic and version 1");
    for (uint32_t rec = 0; rec < hdr[1]; rec++) {
        char name[33] = {0};
        uint32_t kind, act, n;
        float beta, limit, shift;
        int ok = rd(name, 1, 32, f) && rd(&kind, 4, 1, f) && rd(&act, 4, 1, f) && rd(&beta, 4, 1, f) &&
                 rd(&limit, 4, 1, f) && rd(&shift, 4, 1, f) && rd(&n, 4, 1, f) && n > 0 && n <= 1u << 20;
        CHECK(ok, "record %u header", rec);
        if (!ok) break;
        int glu = kind == 1;
        float *in[3] = {malloc(n * 4), malloc(n * 4), malloc(n * 4)};
        double *ref[3] = {malloc(n * 8), malloc(n * 8), malloc(n * 8)};
        double dbeta_ref;
        for (int k = 0; k < (glu ? 3 : 2); k++) ok &= rd(in[k], 4, n, f);
        for (int k = 0; k < (glu ? 3 : 2); k++) ok &= rd(ref[k], 8, n, f);
        ok &= rd(&dbeta_ref, 8, 1, f);
        CHECK(ok, "record %u (%s) data", rec, name);
        swiglu_gate gate = {(swiglu_act)act, beta, limit, shift};
        float *y = malloc(n * 4), *dg = malloc(n * 4), *du = malloc(n * 4);
        for (int isa = 0; isa < SWIGLU_ISA_COUNT; isa++) {
            if (!swiglu_isa_supported((swiglu_isa)isa)) continue;
            swiglu_isa_set((swiglu_isa)isa);
            float db = 0;
            double wf = 0;
            size_t badg = 0, badu = 0;
            if (!glu) {
                swiglu_act_forward(y, in[0], n, (swiglu_act)act, beta);
                swiglu_act_backward(dg, &db, in[1], in[0], n, (swiglu_act)act, beta, SWIGLU_BWD_OVERWRITE);
                for (uint32_t i = 0; i < n; i++) {
                    double e = tl_ulp_err(y[i], ref[0][i]);
                    if (fabs(y[i] - ref[0][i]) <= 1e-15 * (1 + fabs(in[0][i]))) e = fmin(e, 0.5);
                    if (e > wf) wf = e;
                    if (getenv("SWIGLU_TEST_VERBOSE") && e > 2) printf("    x %.9g ours %.9g torch %.17g\n", in[0][i], y[i], ref[0][i]);
                    badg += !close_grad(dg[i], ref[1][i], fabs(in[1][i]));
                }
            } else {
                swiglu_glu_forward(y, n, in[0], in[1], n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate);
                swiglu_glu_backward(dg, du, n, &db, in[2], n, in[0], in[1], n, 1, n, SWIGLU_LAYOUT_SPLIT, &gate, SWIGLU_BWD_OVERWRITE);
                for (uint32_t i = 0; i < n; i++) {
                    double e = tl_ulp_err(y[i], ref[0][i]);
                    if (fabs(y[i] - ref[0][i]) <= 1e-15 * (1 + fabs(in[0][i])) * fabs(in[1][i])) e = fmin(e, 0.5);
                    if (e > wf) wf = e;
                    double sc = fabs(in[2][i]) * (fabs(in[1][i]) + 1);
                    badg += !close_grad(dg[i], ref[1][i], sc);
                    badu += !close_grad(du[i], ref[2][i], sc);
                }
            }
            CHECK(wf <= 2.0, "%s on %s: forward %.3f ulp from PyTorch", name, swiglu_isa_name((swiglu_isa)isa), wf);
            CHECK(badg == 0 && badu == 0, "%s on %s: %zu/%zu gradients off PyTorch's", name, swiglu_isa_name((swiglu_isa)isa), badg, badu);
            if (act == SWIGLU_ACT_SWISH)
                CHECK(fabs(db - dbeta_ref) <= 1e-6 * fabs(dbeta_ref) + 1e-9, "%s on %s: dbeta %.9g vs PyTorch %.9g", name,
                      swiglu_isa_name((swiglu_isa)isa), db, dbeta_ref);
            printf("  %-16s %-7s forward max %.3f ulp from PyTorch\n", name, swiglu_isa_name((swiglu_isa)isa), wf);
        }
        for (int k = 0; k < 3; k++) { free(in[k]); free(ref[k]); }
        free(y); free(dg); free(du);
    }
    fclose(f);
    return tl_finish("test_act_torch");
}
