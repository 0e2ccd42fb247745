/* rmsnorm.c -- RMSNorm, forward and backward.
 * Legend: N rows (= B*T tokens), D d_model.
 *
 *   rstd = 1 / sqrt(mean_j x_j^2 + eps),   y_j = x_j * rstd * w_j
 * Backward, with g_j = w_j dy_j:
 *   dx_i = rstd g_i - rstd^3 x_i (1/D) sum_j g_j x_j
 *   dw_j = sum_n dy[n,j] x[n,j] rstd[n]
 */
#include <math.h>
#include "core/threads.h"
#include "model/layers.h"
#ifdef _OPENMP
#include <omp.h>
#endif

/* y [N x D], rstd [N]; x [N x D], w [D] */
void sw_rmsnorm_forward(float *y, float *rstd, const float *x, const float *w,
                        size_t N, size_t D, float eps)
{
    int nth = swiglu_threads_get();
    SW_PRAGMA(omp parallel for num_threads(nth) schedule(static) if (N * D > SW_PAR_MIN))
    for (size_t n = 0; n < N; n++) {
        const float *xr = x + n * D;
        float *yr = y + n * D;
        double ss = 0.0;
        for (size_t j = 0; j < D; j++) ss += (double)xr[j] * xr[j];
        float r = (float)(1.0 / sqrt(ss / (double)D + (double)eps));
        rstd[n] = r;
        for (size_t j = 0; j < D; j++) yr[j] = xr[j] * r * w[j];
    }
}

/* dx [N x D] +=, dw [D] +=; dy [N x D]; x, w, rstd from the forward */
void sw_rmsnorm_backward(float *dx, float *dw, const float *dy, const float *x,
                         const float *w, const float *rstd, size_t N, size_t D)
{
    int nth = swiglu_threads_get();
    SW_PRAGMA(omp parallel num_threads(nth) if (N * D > SW_PAR_MIN))
    {
        int ith = 0, got = 1;
#ifdef _OPENMP
        ith = omp_get_thread_num(); got = omp_get_num_threads();
#endif
        size_t b, e;
        /* dx: rows split over threads */
        sw_partition(&b, &e, N, 1, ith, got);
        for (size_t n = b; n < e; n++) {
            const float *xr = x + n * D, *dyr = dy + n * D;
            float *dxr = dx + n * D;
            float r = rstd[n];
            double s = 0.0;
            for (size_t j = 0; j < D; j++) s += (double)w[j] * dyr[j] * xr[j];
            float c = (float)((double)r * r * r * s / (double)D);
            for (size_t j = 0; j < D; j++) dxr[j] += r * w[j] * dyr[j] - c * xr[j];
        }
        /* dw: columns split over threads, rows summed in order */
        sw_partition(&b, &e, D, 16, ith, got);
        if (b < e) {
            for (size_t n = 0; n < N; n++) {
                const float *xr = x + n * D, *dyr = dy + n * D;
                float r = rstd[n];
                for (size_t j = b; j < e; j++) dw[j] += dyr[j] * xr[j] * r;
            }
        }
    }
}
