/* export_l2c.c -- our model -> llama2.c checkpoint (see export_l2c.h).
 *
 * Legend: D dim, H hidden, L layers, KV = NKV*HS kv dim, V vocab, S seq_len.
 * Our sw_weights keep each layer's tensors together; llama2.c stacks each
 * tensor over layers ([L][...]), so the export copies into that order. Both
 * are [out x in] row-major, RoPE rotates adjacent pairs (i, i+1) in both, the
 * gate is w1 and the up projection w3 in both: no transposes, no permutation.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "model/export_l2c.h"
#include "io/io_util.h"
#include "io/tokenizer.h"

swiglu_status sw_export_l2c_check(const sw_model_config *c, char *err, size_t cap)
{
    if (!c) return SWIGLU_ERR_NULL;
    if (c->ffn != SWIGLU_FFN_SWIGLU)
        return sw_io_fail(err, cap, SWIGLU_ERR_ARG,
                    "the FFN is %s; llama2.c computes only SwiGLU (w2 (silu(w1 x) * w3 x))",
                    swiglu_ffn_variant_name(c->ffn));
    if (c->learn_beta)
        return sw_io_fail(err, cap, SWIGLU_ERR_ARG,
                    "the Swish beta is learned; llama2.c's silu has beta fixed at 1 and no place to store one");
    /* 0 = the variant's default (1); after sw_model_create it holds the value */
    if (c->ffn_beta != 0.0f && c->ffn_beta != 1.0f)
        return sw_io_fail(err, cap, SWIGLU_ERR_ARG, "the Swish beta is %g; llama2.c's silu has beta fixed at 1",
                    (double)c->ffn_beta);
    if (c->rms_eps != 1e-5f)
        return sw_io_fail(err, cap, SWIGLU_ERR_ARG, "RMSNorm eps is %g; llama2.c hard-codes 1e-5",
                    (double)c->rms_eps);
    if (c->rope_theta != 10000.0f)
        return sw_io_fail(err, cap, SWIGLU_ERR_ARG, "RoPE theta is %g; llama2.c hard-codes 10000",
                    (double)c->rope_theta);
    return SWIGLU_OK;
}

swiglu_status sw_export_l2c_build(const sw_model *m, sw_l2c_model *out, float **storage,
                                  char *err, size_t cap)
{
    if (!m || !out || !storage) return SWIGLU_ERR_NULL;
    *storage = NULL;
    memset(out, 0, sizeof *out);
    swiglu_status st = sw_export_l2c_check(&m->cfg, err, cap);
    if (st) return st;
    const size_t V = m->V, L = m->L, D = m->D, H = m->H, KV = m->KV;
    const int tied = m->cfg.tied;
    sw_l2c_config *c = &out->cfg;
    c->dim = (int)D; c->hidden_dim = (int)H; c->n_layers = (int)L; c->n_heads = (int)m->NH;
    c->n_kv_heads = (int)m->NKV; c->vocab_size = (int)V; c->seq_len = (int)m->Tmax;
    c->shared_classifier = tied; c->version = 1;
    c->head_size = (int)m->HS; c->kv_dim = (int)KV;
    /* element counts in llama2.c order */
    size_t n_emb = V * D, n_norm = L * D, n_wq = L * D * D, n_wkv = L * KV * D, n_w13 = L * H * D;
    size_t total = n_emb + 2 * n_norm + n_wq + 2 * n_wkv + n_wq + 3 * n_w13 + D + (tied ? 0 : n_emb);
    float *b = malloc(total * sizeof *b);
    if (!b) return sw_io_fail(err, cap, SWIGLU_ERR_ALLOC, "out of memory (%zu floats)", total);
    float *p = b;
#define TAKE(dst, n) (dst = p, p += (n))
    float *emb, *ra, *rf, *wq, *wk, *wv, *wo, *w1, *w2, *w3, *fin, *cls = NULL;
    TAKE(emb, n_emb); TAKE(ra, n_norm); TAKE(rf, n_norm); TAKE(wq, n_wq); TAKE(wk, n_wkv);
    TAKE(wv, n_wkv); TAKE(wo, n_wq); TAKE(w1, n_w13); TAKE(w2, n_w13); TAKE(w3, n_w13); TAKE(fin, D);
    if (!tied) TAKE(cls, n_emb);
#undef TAKE
    const size_t F = sizeof(float);
    memcpy(emb, m->w.emb, n_emb * F);
    for (size_t l = 0; l < L; l++) {
        const sw_layer_weights *lw = &m->w.layer[l];
        memcpy(ra + l * D, lw->rms_att, D * F);
        memcpy(rf + l * D, lw->rms_ffn, D * F);
        memcpy(wq + l * D * D, lw->wq, D * D * F);
        memcpy(wk + l * KV * D, lw->wk, KV * D * F);
        memcpy(wv + l * KV * D, lw->wv, KV * D * F);
        memcpy(wo + l * D * D, lw->wo, D * D * F);
        memcpy(w1 + l * H * D, lw->w1, H * D * F);
        memcpy(w2 + l * D * H, lw->w2, D * H * F);
        memcpy(w3 + l * H * D, lw->w3, H * D * F);
    }
    memcpy(fin, m->w.rms_final, D * F);
    if (!tied) memcpy(cls, m->w.head, n_emb * F);
    sw_l2c_weights *w = &out->w;
    w->tok_emb = emb; w->rms_att = ra; w->rms_ffn = rf; w->wq = wq; w->wk = wk; w->wv = wv;
    w->wo = wo; w->w1 = w1; w->w2 = w2; w->w3 = w3; w->rms_final = fin;
    w->wcls = tied ? emb : cls;
    *storage = b;
    return SWIGLU_OK;
}

swiglu_status sw_export_l2c_write(const sw_model *m, int version, const char *path,
                                  char *err, size_t cap)
{
    if (!m || !path) return SWIGLU_ERR_NULL;
    if (version != 0 && version != 1) return sw_io_fail(err, cap, SWIGLU_ERR_ARG, "llama2.c version %d: 0 or 1", version);
    swiglu_status st = sw_out_check(path, err, cap);
    if (st) return st;
    sw_l2c_model lm;
    float *storage;
    st = sw_export_l2c_build(m, &lm, &storage, err, cap);
    if (st) return st;
    /* atomic (io/io_util.h): a temporary beside path, fsync, rename, fsync the folder */
    sw_atomic_file af;
    if (!sw_atomic_open(&af, path, err, cap)) { free(storage); return SWIGLU_ERR_IO; }
    st = sw_l2c_write_stream(&lm, version, af.f, err, cap);
    free(storage);
    if (st) { fclose(af.f); unlink(af.tmp); return st; }
    return sw_atomic_commit(&af, err, cap);
}

swiglu_status sw_export_tokenizer_path(char *dst, size_t cap, const char *model)
{
    if (!dst || !model) return SWIGLU_ERR_NULL;
    size_t n = strlen(model);
    if (n >= 4 && !strcmp(model + n - 4, ".bin")) n -= 4;
    int w = snprintf(dst, cap, "%.*s.tokenizer.bin", (int)n, model);
    return w < 0 || (size_t)w >= cap ? SWIGLU_ERR_SIZE : SWIGLU_OK;
}

swiglu_status sw_export_tokenizer_write(const unsigned char *itos, int V, const char *model_path,
                                        char *written, size_t wcap, char *err, size_t cap)
{
    if (!itos || !model_path || !written) return SWIGLU_ERR_NULL;
    if (sw_export_tokenizer_path(written, wcap, model_path))
        return sw_io_fail(err, cap, SWIGLU_ERR_SIZE, "%s: path too long for its tokenizer's name", model_path);
    return sw_tok_write_chars(written, itos, V, err, cap);
}
