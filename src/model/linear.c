/* linear.c -- a bias-free linear layer on the GEMM interface.
 * Legend: N rows (tokens), in / out features; W is [out x in] (nn.Linear).
 *   y = x W^T;   dx += dy W;   dW += dy^T x
 */
#include "gemm/gemm.h"
#include "kernels/kernels.h"   /* sw_to_bf16 */
#include "model/layers.h"

/* y [N x out]; x [N x in]; w [out x in] */
swiglu_status sw_linear_forward(float *y, const float *x, const float *w,
                                size_t N, size_t in, size_t out)
{
    return sw_gemm_f32(y, out, x, in, 0, w, in, 1, N, out, in, 1.0f, 0.0f);
}

/* bf16: the same products with operands rounded to bf16 (x, W, dy), fp32 accumulation */
swiglu_status sw_linear_forward_bf16(float *y, const uint16_t *x, const uint16_t *w,
                                     size_t N, size_t in, size_t out)
{
    return sw_gemm_bf16(y, SWIGLU_F32, out, x, in, 0, w, in, 1, N, out, in, 1.0f, 0.0f);
}

swiglu_status sw_linear_backward_bf16(float *dx, float *dw, uint16_t *dy_bf, const float *dy,
                                      const uint16_t *x, const uint16_t *w,
                                      size_t N, size_t in, size_t out)
{
    sw_to_bf16(dy_bf, dy, N * out);
    if (dx) {
        swiglu_status st = sw_gemm_bf16(dx, SWIGLU_F32, in, dy_bf, out, 0, w, in, 0, N, in, out, 1.0f, 1.0f);
        if (st) return st;
    }
    return sw_gemm_bf16(dw, SWIGLU_F32, in, dy_bf, out, 1, x, in, 0, out, in, N, 1.0f, 1.0f);
}

/* dx [N x in] += dy [N x out] . W [out x in];  dw [out x in] += dy^T . x [N x in] */
swiglu_status sw_linear_backward(float *dx, float *dw, const float *dy, const float *x,
                                 const float *w, size_t N, size_t in, size_t out)
{
    if (dx) {
        swiglu_status st = sw_gemm_f32(dx, in, dy, out, 0, w, in, 0, N, in, out, 1.0f, 1.0f);
        if (st) return st;
    }
    return sw_gemm_f32(dw, in, dy, out, 1, x, in, 0, out, in, N, 1.0f, 1.0f);
}
