/* ffn_internal.h -- what the FFN files share: the handle and the workspace
 * layout. Private to src/ffn/ (the layers above use ffn/ffn.h). Not installed.
 *
 * Legend: T tokens, D d_model, H d_ff, P = 2H (gated) or H (plain): the
 * columns of the pre-activation buffer pre [T x P] = x W^T (+ b).
 * pre's column order is the row order of the (packed) weight: gate | up for
 * SPLIT and PACKED, up | gate for PACKED_UP_GATE; gate_off/up_off say where.
 */
#ifndef SW_FFN_FFN_INTERNAL_H
#define SW_FFN_FFN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "swiglu.h"
#include "ffn/ffn.h"
#include "kernels/kernels.h"
#include "gemm/gemm.h"

/* our GEMM engine's packed weights, cached per weight set (ffn_wpack.c) */
typedef struct sw_ffn_wpack sw_ffn_wpack;

struct swiglu_ffn {
    swiglu_ffn_config cfg;
    int gated;               /* 1: W3 exists, the hidden layer is act(gate) * up */
    size_t P;                /* columns of pre: 2H gated, H plain */
    size_t gate_off, up_off; /* column of the gate half / up half in pre */
    sw_gate gate;            /* kernel gate; beta is replaced per call when learned */
    swiglu_dtype out_dtype;  /* y's type: cfg.dtype, or fp32 for a bf16 layer */
    int bare;                /* bench only: run the GEMMs, skip every elementwise pass */
    sw_ffn_wpack *wpack;     /* packed weights (mutable behind the const handle: its own lock) */
};

swiglu_status sw_ffn_wpack_create(sw_ffn_wpack **w);
void sw_ffn_wpack_destroy(sw_ffn_wpack *w);
/* every cached set stale: repacked at its next use */
void sw_ffn_wpack_invalidate(sw_ffn_wpack *w);
/* the packed forms of p's weights (packed now if new or stale): up = W^T
 * (gated: GLU layout), down = W2^T; valid until the next invalidate */
swiglu_status sw_ffn_wpack_get(const sw_gemm_bpack **up, const sw_gemm_bpack **down,
                               const swiglu_ffn *f, const swiglu_ffn_params *p);
/* the backward's packed W2 (op(B) of dh = dy W2, [D x H]), packed now if
 * new or stale; valid until the next invalidate */
swiglu_status sw_ffn_wpack_get_dh(const sw_gemm_bpack **dh, const swiglu_ffn *f, const swiglu_ffn_params *p);

/* The workspace, carved in 64-byte aligned pieces (byte offsets from the
 * aligned base). A piece that a mode does not use has size 0. */
typedef struct sw_ffn_ws {
    size_t hdr;     /* sw_ffn_hdr: who filled it, for how many tokens */
    size_t pre;     /* f32 [T x P]     kept (training)                       */
    size_t h;       /* h = act(gate) (* up): f32 [T x H] (fp32) or bf16 (bf16 layer);
                       kept in store mode, scratch in recompute mode; fp32
                       inference writes h over pre's gate columns instead    */
    size_t dh;      /* f32 [T x H]     backward scratch: dL/dh               */
    size_t dbeta;   /* f64 [T x ceil(H / SW_GEMM_EPI_COLS)] backward scratch with a
                       learned beta: the fused backward's per-block partials */
    size_t dpre;    /* f32 [T x P]     backward scratch: dL/dpre             */
    size_t dy16;    /* bf16 [T x D]    backward scratch (bf16 layer)         */
    size_t dpre16;  /* bf16 [T x P]    backward scratch (bf16 layer)         */
    size_t kept;    /* bytes that must survive from forward to backward      */
    size_t total;   /* bytes, including 64 bytes of alignment slack          */
    int h_in_pre;   /* 1: h lives in pre's gate columns (ld P)               */
} sw_ffn_ws;

#define SW_FFN_MAGIC 0x5357464e4e575331ull  /* "SWFNNWS1" */
typedef struct sw_ffn_hdr {
    uint64_t magic;
    const struct swiglu_ffn *owner;
    uint64_t T;
    int training;
    float beta;      /* the beta the forward used (learned or fixed) */
} sw_ffn_hdr;

/* ffn_workspace.c: the pieces for T tokens, training or inference */
swiglu_status sw_ffn_ws_layout(sw_ffn_ws *L, const struct swiglu_ffn *f, size_t T, int training);
/* 64-byte aligned start of a caller's workspace. */
static inline unsigned char *sw_ffn_ws_base(void *ws)
{
    return (unsigned char *)(((uintptr_t)ws + 63u) & ~(uintptr_t)63u);
}

#endif
