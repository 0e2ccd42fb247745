/* ffn_wpack.c -- the FFN handle's packed weights for our GEMM engine: the
 * caller's W1;W3 and W2 packed once into the micro-kernels' layout and
 * reused by every forward until swiglu_ffn_weights_changed().
 *
 * Legend: D d_model, H d_ff, P = 2H (gated) or H.
 *   up   = op(B) of pre = x W^T: W^T [D x P]; gated: the GLU layout (gate
 *          and up columns interleaved by output block, gemm.h), from the
 *          gate rows and the up rows of W1 (PACKED / PACKED_UP_GATE) or
 *          from W1 and W3 (SPLIT)
 *   down = op(B) of y = h W2^T: W2^T [H x D]
 *   dh   = op(B) of the backward's dh = dy W2: W2 [D x H]; packed on the
 *          first backward after each change (inference never packs it)
 * One handle may run several layers' weights (the model shares one handle
 * across its layers), so the cache holds up to WP_SLOTS sets, keyed by the
 * caller's pointers; a new set past that reuses the slots round-robin.
 * A fingerprint of sampled elements also marks a set stale (fingerprint()).
 * The cost: a copy of the weights per set, and one pack per set after each
 * swiglu_ffn_weights_changed (the trainer calls it after each optimizer
 * step; the benchmarks count it in every training row).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "ffn/ffn_internal.h"

#define WP_SLOTS 64

#define WP_PROBES 61   /* sampled elements per tensor in the fingerprint */

typedef struct wp_slot {
    const void *w1, *w3, *w2;   /* key: the tensors it was packed from */
    uint64_t print;             /* their fingerprint when packed */
    int valid, dh_valid;        /* up and down / dh packed from the current weights */
    sw_gemm_bpack up, down, dh;
} wp_slot;

struct sw_ffn_wpack {
    pthread_mutex_t lock;
    wp_slot slot[WP_SLOTS];
    size_t used, next;          /* slots in use; the next one to reuse when full */
    size_t packs;               /* weight sets packed so far (tests) */
};

swiglu_status sw_ffn_wpack_create(sw_ffn_wpack **out)
{
    sw_ffn_wpack *w = calloc(1, sizeof *w);
    SW_RETURN_IF(!w, SWIGLU_ERR_ALLOC);
    pthread_mutex_init(&w->lock, NULL);
    *out = w;
    return SWIGLU_OK;
}

void sw_ffn_wpack_destroy(sw_ffn_wpack *w)
{
    if (!w) return;
    for (size_t i = 0; i < w->used; i++) {
        sw_gemm_bpack_free(&w->slot[i].up);
        sw_gemm_bpack_free(&w->slot[i].down);
        sw_gemm_bpack_free(&w->slot[i].dh);
    }
    pthread_mutex_destroy(&w->lock);
    free(w);
}

void sw_ffn_wpack_invalidate(sw_ffn_wpack *w)
{
    if (!w) return;
    pthread_mutex_lock(&w->lock);
    for (size_t i = 0; i < w->used; i++) w->slot[i].valid = w->slot[i].dh_valid = 0;
    pthread_mutex_unlock(&w->lock);
}

size_t sw_ffn_wpack_count(const swiglu_ffn *f)
{
    pthread_mutex_lock(&f->wpack->lock);
    size_t n = f->wpack->packs;
    pthread_mutex_unlock(&f->wpack->lock);
    return n;
}

/* A fingerprint of p's weights: WP_PROBES elements of each tensor spread
 * over it, hashed. A safety net for a caller that edits weights in place
 * and forgets swiglu_ffn_weights_changed (an optimizer step changes every
 * element, so it always changes sampled ones), not a guarantee: the call is
 * the contract. */
static uint64_t fingerprint(const swiglu_ffn *f, const swiglu_ffn_params *p)
{
    size_t D = f->cfg.d_model, H = f->cfg.d_ff, es = f->cfg.dtype == SWIGLU_BF16 ? 2 : 4;
    int split3 = f->gated && f->cfg.weights == SWIGLU_WEIGHTS_SPLIT;
    const void *t[3] = {p->w1, split3 ? p->w3 : NULL, p->w2};
    size_t n[3] = {(split3 ? H : f->P) * D, H * D, D * H};
    uint64_t h = 1469598103934665603ull;
    for (int k = 0; k < 3; k++) {
        if (!t[k]) continue;
        for (size_t i = 0; i < WP_PROBES; i++) {
            size_t at = (size_t)((double)i * (double)(n[k] - 1) / (WP_PROBES - 1));
            uint32_t v = 0;
            memcpy(&v, (const unsigned char *)t[k] + at * es, es);
            h = (h ^ v) * 1099511628211ull;
        }
    }
    return h;
}

/* packs p's weights into s (allocated on first use) */
static swiglu_status slot_fill(wp_slot *s, const swiglu_ffn *f, const swiglu_ffn_params *p)
{
    size_t D = f->cfg.d_model, H = f->cfg.d_ff, P = f->P, es = f->cfg.dtype == SWIGLU_BF16 ? 2 : 4;
    swiglu_dtype dt = f->cfg.dtype;
    if (!s->up.data) {
        SW_FORWARD_IF_ERROR(sw_gemm_bpack_init(&s->up, dt, D, P, f->gated ? H : 0));
        swiglu_status st = sw_gemm_bpack_init(&s->down, dt, H, D, 0);
        if (st != SWIGLU_OK) { sw_gemm_bpack_free(&s->up); return st; }
    }
    const unsigned char *w1 = p->w1;
    if (!f->gated) {
        SW_FORWARD_IF_ERROR(sw_gemm_bpack_fill(&s->up, w1, NULL, D, 1));
    } else if (f->cfg.weights == SWIGLU_WEIGHTS_SPLIT) {
        SW_FORWARD_IF_ERROR(sw_gemm_bpack_fill(&s->up, w1, p->w3, D, 1));
    } else {
        /* W1 packed [P x D]: the gate rows from gate_off, the up rows from up_off */
        SW_FORWARD_IF_ERROR(sw_gemm_bpack_fill(&s->up, w1 + f->gate_off * D * es, w1 + f->up_off * D * es, D, 1));
    }
    return sw_gemm_bpack_fill(&s->down, p->w2, NULL, H, 1);
}

/* The slot of p's weights (under w->lock): found by the caller's pointers,
 * or a new or reused one; both its validity flags cleared when the
 * fingerprint says the weights changed without the call. */
static wp_slot *slot_of(sw_ffn_wpack *w, const swiglu_ffn *f, const swiglu_ffn_params *p)
{
    const void *w3 = f->gated && f->cfg.weights == SWIGLU_WEIGHTS_SPLIT ? p->w3 : NULL;
    uint64_t print = fingerprint(f, p);
    wp_slot *s = NULL;
    for (size_t i = 0; i < w->used && !s; i++)
        if (w->slot[i].w1 == p->w1 && w->slot[i].w3 == w3 && w->slot[i].w2 == p->w2) s = &w->slot[i];
    if (!s) {
        s = &w->slot[w->used < WP_SLOTS ? w->used++ : (w->next++ % WP_SLOTS)];
        s->w1 = p->w1; s->w3 = w3; s->w2 = p->w2; s->valid = s->dh_valid = 0;
    }
    if (s->print != print) s->valid = s->dh_valid = 0;   /* changed without the call */
    s->print = print;
    return s;
}

swiglu_status sw_ffn_wpack_get(const sw_gemm_bpack **up, const sw_gemm_bpack **down,
                               const swiglu_ffn *f, const swiglu_ffn_params *p)
{
    sw_ffn_wpack *w = f->wpack;
    swiglu_status st = SWIGLU_OK;
    pthread_mutex_lock(&w->lock);
    wp_slot *s = slot_of(w, f, p);
    if (!s->valid) {
        st = slot_fill(s, f, p);
        s->valid = st == SWIGLU_OK;
        if (st == SWIGLU_OK) w->packs++;
        else s->w1 = s->w2 = s->w3 = NULL;   /* never matched again */
    }
    pthread_mutex_unlock(&w->lock);
    *up = &s->up;
    *down = &s->down;
    return st;
}

swiglu_status sw_ffn_wpack_get_dh(const sw_gemm_bpack **dh, const swiglu_ffn *f, const swiglu_ffn_params *p)
{
    sw_ffn_wpack *w = f->wpack;
    swiglu_status st = SWIGLU_OK;
    size_t D = f->cfg.d_model, H = f->cfg.d_ff;
    pthread_mutex_lock(&w->lock);
    wp_slot *s = slot_of(w, f, p);
    if (!s->dh_valid) {
        if (!s->dh.data) st = sw_gemm_bpack_init(&s->dh, f->cfg.dtype, D, H, 0);
        if (st == SWIGLU_OK) st = sw_gemm_bpack_fill(&s->dh, p->w2, NULL, H, 0);
        s->dh_valid = st == SWIGLU_OK;
        if (st != SWIGLU_OK) { s->w1 = s->w2 = s->w3 = NULL; s->valid = 0; }
    }
    pthread_mutex_unlock(&w->lock);
    *dh = &s->dh;
    return st;
}
