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

/* sum_j a_j b_j c_j (c NULL: 1) in double, in four interleaved partial sums
 * added (0+1)+(2+3): four independent add chains instead of one (a row of
 * 128 took 128 dependent double adds); a fixed order. */
static double dot3(const float *a, const float *b, const float *c, size_t D)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    size_t j = 0;
    if (c)
        for (; j + 4 <= D; j += 4) {
            s0 += (double)a[j] * b[j] * c[j]; s1 += (double)a[j + 1] * b[j + 1] * c[j + 1];
            s2 += (double)a[j + 2] * b[j + 2] * c[j + 2]; s3 += (double)a[j + 3] * b[j + 3] * c[j + 3];
        }
    else
        for (; j + 4 <= D; j += 4) {
            s0 += (double)a[j] * b[j]; s1 += (double)a[j + 1] * b[j + 1];
            s2 += (double)a[j + 2] * b[j + 2]; s3 += (double)a[j + 3] * b[j + 3];
        }
    for (; j < D; j++) s0 += (double)a[j] * b[j] * (c ? c[j] : 1.0f);
    return (s0 + s1) + (s2 + s3);
}

/* y [N x D], rstd [N]; x [N x D], w [D] */
void sw_rmsnorm_forward(float *y, float *rstd, const float *x, const float *w,
                        size_t N, size_t D, float eps)
{
    int nth = swiglu_threads_get();
    SW_PRAGMA(omp parallel for num_threads(nth) schedule(static) if (N * D > SW_PAR_MIN))
    for (size_t n = 0; n < N; n++) {
        const float *xr = x + n * D;
        float *yr = y + n * D;
        double ss = dot3(xr, xr, NULL, D);
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
            double s = dot3(w, dyr, xr, D);
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
