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

/* dx [N x D] +=, dw [D] +=, dw_part [ceil(N / SW_RMS_BLOCK) x D] scratch;
 * dy [N x D]; x, w, rstd from the forward.
 * One pass over x and dy: threads take blocks of SW_RMS_BLOCK rows; a block
 * computes its rows' dx and its partial of dw (rows in order); the partials
 * are then added to dw in block order. The same bits for any thread count,
 * and each thread reads only its own rows (a split of dw by columns had every
 * thread stream all of x and dy: twice the memory traffic on 2 threads). */
void sw_rmsnorm_backward(float *dx, float *dw, float *dw_part, const float *dy, const float *x,
                         const float *w, const float *rstd, size_t N, size_t D)
{
    int nth = swiglu_threads_get();
    long long nb = (long long)((N + SW_RMS_BLOCK - 1) / SW_RMS_BLOCK);
    SW_PRAGMA(omp parallel for num_threads(nth) schedule(static) if (N * D > SW_PAR_MIN))
    for (long long bb = 0; bb < nb; bb++) {
        size_t n0 = (size_t)bb * SW_RMS_BLOCK, n1 = n0 + SW_RMS_BLOCK < N ? n0 + SW_RMS_BLOCK : N;
        float *part = dw_part + (size_t)bb * D;
        for (size_t j = 0; j < D; j++) part[j] = 0.0f;
        for (size_t n = n0; n < n1; n++) {
            const float *xr = x + n * D, *dyr = dy + n * D;
            float *dxr = dx + n * D;
            float r = rstd[n];
            double s = 0.0;
            for (size_t j = 0; j < D; j++) s += (double)w[j] * dyr[j] * xr[j];
            float c = (float)((double)r * r * r * s / (double)D);
            for (size_t j = 0; j < D; j++) {
                dxr[j] += r * w[j] * dyr[j] - c * xr[j];
                part[j] += dyr[j] * xr[j] * r;
            }
        }
    }
    for (long long bb = 0; bb < nb; bb++)
        for (size_t j = 0; j < D; j++) dw[j] += dw_part[(size_t)bb * D + j];
}
