/* ffn_workspace.c -- the FFN layer's workspace: how a caller's buffer is
 * carved into the pieces forward, backward and the statistics read
 * (layout in ffn_internal.h), and its size (the public query).
 *
 * Legend: T tokens, D d_model, H d_ff, P = 2H (gated) or H (plain).
 */
#include <string.h>
#include "core/internal.h"
#include "ffn/ffn_internal.h"

/* piece of n elements of `size` bytes at *off (64-byte aligned), advancing *off */
static int carve(size_t *at, size_t *off, size_t n, size_t size)
{
    size_t bytes, end;
    if (!sw_mul_ok(&bytes, n, size) || !sw_add_ok(&end, *off, bytes) ||
        !sw_add_ok(&end, end, 63))
        return 0;
    *at = *off;
    *off = end & ~(size_t)63;
    return 1;
}

swiglu_status sw_ffn_ws_layout(sw_ffn_ws *L, const swiglu_ffn *f, size_t T, int training)
{
    SW_RETURN_IF(T == 0, SWIGLU_ERR_SIZE);
    size_t D = f->cfg.d_model, H = f->cfg.d_ff, P = f->P;
    int bf = f->cfg.dtype == SWIGLU_BF16;
    size_t TD, TH, TP;
    SW_RETURN_IF(!sw_mul_ok(&TD, T, D) || !sw_mul_ok(&TH, T, H) || !sw_mul_ok(&TP, T, P),
                 SWIGLU_ERR_SIZE);
    memset(L, 0, sizeof *L);
    size_t off = 0;
    int ok = carve(&L->hdr, &off, 1, sizeof(sw_ffn_hdr)) && carve(&L->pre, &off, TP, 4);
    if (!training) {
        /* fp32: h over pre's gate columns; bf16: h in bf16 beside pre */
        L->h_in_pre = !bf;
        if (bf) ok = ok && carve(&L->h, &off, TH, 2);
        else L->h = L->pre + f->gate_off * sizeof(float);
        L->kept = 0;
    } else {
        if (!f->cfg.recompute) ok = ok && carve(&L->h, &off, TH, bf ? 2 : 4);
        L->kept = off;
        if (f->cfg.recompute) ok = ok && carve(&L->h, &off, TH, bf ? 2 : 4);
        ok = ok && carve(&L->dh, &off, TH, 4) && carve(&L->dpre, &off, TP, 4);
        if (f->cfg.learn_beta) {
            size_t blocks = H / SW_GEMM_EPI_COLS + (H % SW_GEMM_EPI_COLS != 0), n;
            ok = ok && sw_mul_ok(&n, T, blocks) && carve(&L->dbeta, &off, n, sizeof(double));
        }
        if (bf) ok = ok && carve(&L->dy16, &off, TD, 2) && carve(&L->dpre16, &off, TP, 2);
    }
    ok = ok && sw_add_ok(&L->total, off, 64);  /* slack to align the caller's pointer */
    SW_RETURN_IF(!ok, SWIGLU_ERR_SIZE);
    return SWIGLU_OK;
}

swiglu_status swiglu_ffn_workspace_size(size_t *bytes, const swiglu_ffn *f, size_t T, int training)
{
    SW_RETURN_IF(!bytes || !f, SWIGLU_ERR_NULL);
    SW_RETURN_IF(training != 0 && training != 1, SWIGLU_ERR_ARG);
    sw_ffn_ws L;
    SW_FORWARD_IF_ERROR(sw_ffn_ws_layout(&L, f, T, !!training));
    *bytes = L.total;
    return SWIGLU_OK;
}

