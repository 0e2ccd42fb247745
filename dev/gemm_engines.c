/* dev/gemm_engines.c -- our GEMM engine against oneDNN, GEMM by GEMM, the
 * FFN's orientations at a given layer shape, alternating sample for sample;
 * median GFLOP/s and the peak loop of the same run. Not built by default:
 *   cc -O2 -fopenmp -Iinclude -Isrc dev/gemm_engines.c build/libswiglu.a -ldnnl -lm -o build/gemm_engines
 *   OMP_WAIT_POLICY=passive build/gemm_engines T D P
 * Legend: T tokens, D d_model, P columns of the first layer (2H gated). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "gemm/gemm.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
static int cmp_d(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

int main(int argc, char **argv)
{
    size_t T = argc > 1 ? strtoul(argv[1], 0, 10) : 2048, D = argc > 2 ? strtoul(argv[2], 0, 10) : 768,
           P = argc > 3 ? strtoul(argv[3], 0, 10) : 4096;
    int reps = 7;
    float *x = calloc(T * D, 4), *W = calloc(P * D, 4), *pre = calloc(T * P, 4), *dW = calloc(P * D, 4);
    for (size_t i = 0; i < T * D; i++) x[i] = (float)(i % 7) * 0.1f;
    for (size_t i = 0; i < P * D; i++) W[i] = (float)(i % 5) * 0.1f;
    for (size_t i = 0; i < T * P; i++) pre[i] = (float)(i % 3) * 0.1f;
    for (int dt = 0; dt < 2; dt++) {
        printf("%s peak %.0f GFLOP/s (2 threads)\n", dt ? "bf16" : "f32", sw_gemm_peak_gflops(dt ? SWIGLU_BF16 : SWIGLU_F32, 2));
        const char *names[4] = {"y=xW^T [TxP]", "dx=dpre W [TxD]", "dW+=dpre^T x [PxD]", "y=xW^T prepacked"};
        sw_gemm_bpack pb;
        sw_gemm_bpack_init(&pb, dt ? SWIGLU_BF16 : SWIGLU_F32, D, P, 0);
        sw_gemm_bpack_fill(&pb, W, NULL, D, 1);
        for (int o = 0; o < 4; o++) {
            double t[2][32];
            for (int r = -1; r < reps; r++)
                for (int e = 0; e < 2; e++) {
                    sw_gemm_set_engine(e ? SW_GEMM_OWN : SW_GEMM_ONEDNN);
                    double t0 = now_s();
                    if (o == 3 && e == 1) sw_gemm_own_packed(pre, SWIGLU_F32, P, x, D, 0, &pb, T, 1, 0, SW_POST_NONE, 0, NULL);
                    else if (o == 3) { if (dt) sw_gemm_bf16(pre, SWIGLU_F32, P, (uint16_t *)x, D, 0, (uint16_t *)W, D, 1, T, P, D, 1, 0);
                                       else sw_gemm_f32(pre, P, x, D, 0, W, D, 1, T, P, D, 1, 0); }
                    else if (dt == 0) {
                        if (o == 0) sw_gemm_f32(pre, P, x, D, 0, W, D, 1, T, P, D, 1, 0);
                        if (o == 1) sw_gemm_f32(x, D, pre, P, 0, W, D, 0, T, D, P, 1, 0);
                        if (o == 2) sw_gemm_f32(dW, D, pre, P, 1, x, D, 0, P, D, T, 1, 1);
                    } else {
                        uint16_t *xh = (uint16_t *)x, *Wh = (uint16_t *)W, *ph = (uint16_t *)pre;
                        if (o == 0) sw_gemm_bf16(pre, SWIGLU_F32, P, xh, D, 0, Wh, D, 1, T, P, D, 1, 0);
                        if (o == 1) sw_gemm_bf16(x, SWIGLU_F32, D, ph, P, 0, Wh, D, 0, T, D, P, 1, 0);
                        if (o == 2) sw_gemm_bf16(dW, SWIGLU_F32, D, ph, P, 1, xh, D, 0, P, D, T, 1, 1);
                    }
                    if (r >= 0) t[e][r] = now_s() - t0;
                }
            qsort(t[0], reps, 8, cmp_d); qsort(t[1], reps, 8, cmp_d);
            double fl = 2.0 * T * D * P;
            if (o == 3) sw_gemm_bpack_free(&pb);
            printf("  %-20s onednn %7.1f  own %7.1f GFLOP/s  own/onednn speed %.2f\n", names[o],
                   fl / t[0][reps / 2] * 1e-9, fl / t[1][reps / 2] * 1e-9, t[0][reps / 2] / t[1][reps / 2]);
        }
    }
    return 0;
}
