/* llama2c.h -- reader of llama2.c checkpoints (internal; not installed).
 *
 * Two formats (both little-endian, fp32 weights):
 *   version 0 ("legacy", run.c): 7 x int32 header
 *       dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len
 *     vocab_size < 0 means an unshared classifier follows; > 0 means the
 *     classifier is the token embedding. Then, stacked over layers:
 *       tok_emb[V][D], rms_att[L][D], wq[L][D][D], wk[L][KV][D], wv[L][KV][D],
 *       wo[L][D][D], rms_ffn[L][D], w1[L][H][D], w2[L][D][H], w3[L][H][D],
 *       rms_final[D], two RoPE tables of S*hs/2 (skipped), wcls[V][D] if unshared.
 *   version 1 (export.py version1_export): 256-byte header: uint32 magic
 *     0x616b3432 ("ak42"), int32 version = 1, the 7 ints, uint8 shared flag,
 *     zero padding; then rms_att[L][D], rms_ffn[L][D], rms_final[D],
 *     tok_emb[V][D], wq, wk, wv, wo, w1, w2, w3 (each [L][..] as above),
 *     wcls[V][D] if not shared. No RoPE tables.
 *
 * Legend: D dim, H hidden_dim, L n_layers, nh n_heads, nkv n_kv_heads,
 * hs = D/nh head size, KV = nkv*hs kv_dim, V vocab_size, S seq_len.
 * Matrices are [out][in] row-major (y = W x, y_i = sum_j W[i][j] x_j).
 *
 * Every header field and the file size are validated BEFORE any weight is
 * touched; a refusal fills `msg` with one line naming the field.
 */
#ifndef SW_IO_LLAMA2C_H
#define SW_IO_LLAMA2C_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include "swiglu.h"

/* Limits beyond which a header is called absurd (far above any llama2.c
 * model; they keep every size product far from overflow on 64-bit). */
#define SW_L2C_MAX_DIM      (1 << 16)
#define SW_L2C_MAX_LAYERS   1024
#define SW_L2C_MAX_VOCAB    (1 << 22)
#define SW_L2C_MAX_SEQ      (1 << 20)

#define SW_L2C_MAGIC 0x616b3432u
#define SW_L2C_V1_HEADER 256

typedef struct sw_l2c_config {
    int dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len;
    int shared_classifier;  /* 1: wcls = tok_emb */
    int version;            /* 0 legacy, 1 ak42 export */
    int head_size;          /* dim / n_heads */
    int kv_dim;             /* n_kv_heads * head_size */
    /* What llama2.c's files cannot say and GGUF and config.json can; 0:
     * llama2.c's value. The forward (model/llama_infer) uses them. */
    float rope_theta;       /* RoPE base: pair i of a head turns by pos * theta^(-2i/hs); 0: 10000 */
    float rms_eps;          /* RMSNorm epsilon: x / sqrt(mean(x^2) + eps); 0: 1e-5 */
} sw_l2c_config;

/* Pointers into the (mapped) file; shapes as in the legend. */
typedef struct sw_l2c_weights {
    const float *tok_emb;    /* [V][D] */
    const float *rms_att;    /* [L][D] */
    const float *wq;         /* [L][D][D] */
    const float *wk;         /* [L][KV][D] */
    const float *wv;         /* [L][KV][D] */
    const float *wo;         /* [L][D][D] */
    const float *rms_ffn;    /* [L][D] */
    const float *w1;         /* [L][H][D]  gate */
    const float *w2;         /* [L][D][H]  down */
    const float *w3;         /* [L][H][D]  up */
    const float *rms_final;  /* [D] */
    const float *wcls;       /* [V][D] */
} sw_l2c_weights;

typedef struct sw_l2c_model {
    sw_l2c_config cfg;
    sw_l2c_weights w;
    void *map;          /* mmap'd file (NULL when parsed from a caller buffer) */
    size_t map_size;
    void *owned;        /* sw_l2c_alloc's buffer (weights converted from another format) */
} sw_l2c_model;

/* Validates a header (and the total size it implies against `size`) and, if
 * all holds, points m->w into buf. buf must stay alive and 4-byte aligned.
 * SWIGLU_ERR_FORMAT (msg names the field) on any bad field or size. */
swiglu_status sw_l2c_parse(sw_l2c_model *m, const void *buf, size_t size,
                           char *msg, size_t msg_cap);

/* Opens and memory-maps `path` read-only, then sw_l2c_parse(), then
 * sw_l2c_nonfinite(): a NaN or infinite weight is refused with
 * SWIGLU_ERR_NONFINITE, msg naming the tensor and the index.
 * SWIGLU_ERR_IO when the file cannot be opened or mapped. */
swiglu_status sw_l2c_open(sw_l2c_model *m, const char *path, char *msg, size_t msg_cap);
/* sw_l2c_open without the non-finite check (inspect counts them itself). */
swiglu_status sw_l2c_open_unchecked(sw_l2c_model *m, const char *path, char *msg, size_t msg_cap);

/* Counts the NaN and infinite weights of m into *count (may be NULL);
 * when there is one, msg says how many and names the first ("wq[1][5][3]
 * = nan") and SWIGLU_ERR_NONFINITE is returned. */
swiglu_status sw_l2c_nonfinite(const sw_l2c_model *m, size_t *count, char *msg, size_t msg_cap);

/* c (dim .. seq_len, shared_classifier) checked as a file header is --
 * every count in range, heads dividing dim, kv heads dividing heads, an
 * even head size -- and its derived fields (head_size, kv_dim, version 1)
 * set; rope_theta and rms_eps kept (0, or finite with theta > 1 and
 * 0 < eps < 1). Nothing allocated: readers of other formats check a shape, then
 * that their file holds it, before sw_l2c_alloc. */
swiglu_status sw_l2c_config_check(sw_l2c_config *c, const char *what, char *msg, size_t msg_cap);
/* A model of configuration c (dim .. seq_len, shared_classifier; the rest
 * derived) with zeroed weights in one owned buffer, laid out and checked as
 * a version-1 file is: for the readers of other formats (GGUF,
 * safetensors) to fill through the weight pointers. `what` names the
 * source in messages ("GGUF metadata: n_heads = 3 does not divide ..."). */
swiglu_status sw_l2c_alloc(sw_l2c_model *m, const sw_l2c_config *c, const char *what, char *msg, size_t msg_cap);
/* Unmaps (when mapped) or frees (when owned); m is zeroed. NULL is a no-op. */
void sw_l2c_close(sw_l2c_model *m);

/* Bytes of the file a config implies (header + weights); 0 on overflow. */
size_t sw_l2c_file_size(const sw_l2c_config *c);

/* Writes m as a checkpoint of `version` (0 or 1) to path (tests), or to
 * the stream f (export, through io_util's atomic writer; a failed write
 * leaves f's error flag set, f stays open). A model whose RoPE base or
 * RMSNorm epsilon is not llama2.c's is refused (SWIGLU_ERR_UNSUPPORTED):
 * the file has no place for them. */
swiglu_status sw_l2c_write(const sw_l2c_model *m, int version, const char *path,
                           char *msg, size_t msg_cap);
swiglu_status sw_l2c_write_stream(const sw_l2c_model *m, int version, FILE *f, char *msg, size_t msg_cap);

#endif
