/* ffn_stats.c -- statistics of the hidden layer (swiglu_ffn_hidden_stats):
 * gate and activation moments, zero and dead units, read from the
 * pre-activations a training forward kept in the workspace.
 *
 * Legend: T tokens, H d_ff, P = 2H (gated) or H (plain).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include "core/internal.h"
#include "ffn/ffn_internal.h"

#define STATS_CHUNK 256

swiglu_status swiglu_ffn_hidden_stats(const swiglu_ffn *f, swiglu_ffn_stats *st,
                                      const void *workspace, size_t T)
{
    SW_RETURN_IF(!f || !st || !workspace, SWIGLU_ERR_NULL);
    SW_RETURN_IF(T == 0, SWIGLU_ERR_SIZE);
    sw_ffn_ws L;
    SW_FORWARD_IF_ERROR(sw_ffn_ws_layout(&L, f, T, 1));
    const unsigned char *base = sw_ffn_ws_base((void *)(uintptr_t)workspace);
    const sw_ffn_hdr *hd = (const sw_ffn_hdr *)(base + L.hdr);
    SW_RETURN_IF(hd->magic != SW_FFN_MAGIC || hd->owner != f || hd->T != T || !hd->training,
                 SWIGLU_ERR_STATE);
    size_t H = f->cfg.d_ff, P = f->P;
    const float *pre = (const float *)(base + L.pre);
    sw_gate g = f->gate;
    g.beta = hd->beta;
    const sw_kernels *k = sw_kernels_active();
    unsigned char *alive = calloc(H, 1);  /* unit j had |h| >= 1e-6 somewhere */
    SW_RETURN_IF(!alive, SWIGLU_ERR_ALLOC);
    double gs = 0, gss = 0, hs = 0, hss = 0, us = 0;
    size_t zeros = 0;
    float hbuf[STATS_CHUNK];
    for (size_t t = 0; t < T; t++) {
        const float *gt = pre + t * P + f->gate_off, *ut = pre + t * P + f->up_off;
        for (size_t c = 0; c < H; c += STATS_CHUNK) {
            size_t n = H - c < STATS_CHUNK ? H - c : STATS_CHUNK;
            /* h recomputed from pre, as the recompute mode does */
            if (f->gated) k->glu_fwd(hbuf, gt + c, ut + c, n, &g);
            else k->act_fwd(hbuf, gt + c, n, &g);
            for (size_t j = 0; j < n; j++) {
                double gv = gt[c + j], hv = hbuf[j];
                gs += gv; gss += gv * gv; hs += hv; hss += hv * hv;
                if (f->gated) us += fabs((double)ut[c + j]);
                if (fabs(hv) < 1e-6) zeros++;
                else alive[c + j] = 1;
            }
        }
    }
    size_t dead = 0;
    for (size_t j = 0; j < H; j++) dead += !alive[j];
    free(alive);
    double n = (double)T * (double)H;
    st->dead_fraction = (double)dead / (double)H;
    st->zero_fraction = (double)zeros / n;
    st->gate_mean = gs / n;
    st->gate_std = sqrt(fmax(gss / n - st->gate_mean * st->gate_mean, 0.0));
    st->act_mean = hs / n;
    st->act_std = sqrt(fmax(hss / n - st->act_mean * st->act_mean, 0.0));
    st->up_abs_mean = f->gated ? us / n : 0.0;
    return SWIGLU_OK;
}
