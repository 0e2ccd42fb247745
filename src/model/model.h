/* model.h -- a LLaMA-style decoder-only transformer whose FFN is any
 * libswiglu variant: the weights, forward and backward.
 *
 *   x0 = emb[tokens]
 *   per layer l:  x += Wo attention(RoPE(Wq rms(x)), RoPE(Wk rms(x)), Wv rms(x))
 *                 x += FFN_l(rms(x))          (swiglu_ffn_*, any variant)
 *   logits = head rms(x)                      (head = emb when tied)
 *
 * Dimension legend: see layers.h (B, T, N = B*T, D, H, V, NH, NKV, HS, KV, L).
 * The weight struct is plain on purpose (llama2.c interop): named float
 * pointers per layer, [out x in] row-major like PyTorch/llama2.c, all inside
 * one contiguous parameter buffer `params` (grads has the same layout).
 */
#ifndef SW_MODEL_MODEL_H
#define SW_MODEL_MODEL_H
#include <stddef.h>
#include <stdint.h>
#include "swiglu.h"
#include "model/profile.h"

typedef struct sw_model_config {
    int vocab;              /* V */
    int n_layer;            /* L */
    int n_head;             /* NH */
    int n_kv_head;          /* NKV (divides NH); 0 = NH */
    int d_model;            /* D (NH * HS, HS even) */
    int d_ff;               /* H; 0 = parameter-matched (swiglu_ffn_hidden_for, multiple_of 1) */
    int seq_len;            /* T, the longest context */
    swiglu_ffn_variant ffn; /* the FFN variant of every layer */
    float ffn_beta;         /* Swish beta (initial value when learned); 0 = the variant's default */
    int learn_beta;         /* 1: beta is a parameter per layer (swish, swiglu) */
    int tied;               /* 1: the LM head is the embedding */
    float rms_eps;          /* RMSNorm epsilon, 1e-5 */
    float rope_theta;       /* 10000 */
    float dropout;          /* p of dropout on the embedding and on each residual branch (attention, FFN) output; 0 = off */
    float init_std;         /* gpt2 scheme: the matrices' std, 0.02 (other schemes: unused, kept > 0) */
    int init_scheme;        /* sw_init_scheme: how each matrix's std follows (sw_model_init_std) */
    int bf16;               /* 1: mixed precision: fp32 master weights, bf16 GEMM operands
                               (projections, head, FFN), fp32 accumulation, norms, softmax, attention */
} sw_model_config;

/* Initialization schemes: the std of normal(0, std) for each matrix, with
 * fan_in its input width and "out" the residual projections wo, w2:
 *   gpt2    every matrix init_std (GPT-2: 0.02); out: init_std / sqrt(2L)
 *   fan-in  1 / sqrt(fan_in) (LeCun); out: 1 / sqrt(fan_in) / sqrt(2L), the
 *           GPT-2 residual rule on top; emb (the tied head's input is D): 1 / sqrt(D)
 *   small   sqrt(2 / (5 D)) (Nguyen & Salazar 2019, "small init"); out:
 *           2 / (L sqrt(D)) (Wang's rule) -- GPT-NeoX's small_init / wang_init
 * RMSNorm weights start at 1 and a learned beta at its configured value in all. */
typedef enum sw_init_scheme { SW_INIT_GPT2 = 0, SW_INIT_FAN_IN = 1, SW_INIT_SMALL = 2, SW_INIT_COUNT = 3 } sw_init_scheme;
const char *sw_init_scheme_name(int scheme);            /* "gpt2", "fan-in", "small"; "?" */
int sw_init_scheme_from_name(const char *name);         /* -1 when unknown */
/* The std a matrix of input width fan_in gets (out: 1 for wo and w2). */
double sw_model_init_std(const sw_model_config *c, size_t fan_in, int out);
/* The init scale of a configuration: the std of its D-input matrices (wq, w1). */
double sw_model_init_scale(const sw_model_config *c);

/* Defaults: byte vocabulary, 4 layers, 4 heads, D 128, T 64, SwiGLU, tied,
 * eps 1e-5, theta 1e4, no dropout, init gpt2 with std 0.02. */
void sw_model_config_default(sw_model_config *c);
/* Limits that keep every size computation inside size_t: D and H per the
 * config check; a model whose parameter count or largest activation buffer
 * (elements) passes SW_MODEL_MAX_ELEMS is refused with SWIGLU_ERR_SIZE. */
#define SW_MODEL_MAX_DIM  (1 << 20)
#define SW_MODEL_MAX_DFF  (1 << 24)
#define SW_MODEL_MAX_ELEMS ((size_t)1 << 52)

/* Checks ranges and divisibility; the reason in err. */
swiglu_status sw_model_config_check(const sw_model_config *c, char *err, size_t errcap);
/* The parameter count a configuration needs, without allocating (readers
 * compare it with a file's before creating the model). SWIGLU_ERR_ARG for an
 * invalid config, SWIGLU_ERR_SIZE past SW_MODEL_MAX_ELEMS. */
swiglu_status sw_model_config_param_count(size_t *n, const sw_model_config *c);

typedef struct sw_layer_weights {
    float *rms_att;   /* [D] */
    float *wq;        /* [D x D] */
    float *wk, *wv;   /* [KV x D] */
    float *wo;        /* [D x D] */
    float *rms_ffn;   /* [D] */
    float *w1;        /* [H x D] gate (or the plain up projection) */
    float *w3;        /* [H x D] up (gated variants), else NULL */
    float *w2;        /* [D x H] down */
    float *beta;      /* [1] when learn_beta, else NULL */
} sw_layer_weights;

typedef struct sw_weights {
    float *emb;                 /* [V x D] */
    sw_layer_weights *layer;    /* [L] */
    float *rms_final;           /* [D] */
    float *head;                /* [V x D]; == emb when tied */
} sw_weights;

/* One named tensor of the parameter buffer. */
typedef struct sw_tensor {
    char name[24];   /* "emb", "l3.wq", ... */
    int layer;       /* -1 for global tensors */
    size_t offset, numel;
    int decay;       /* 1: a matrix (weight decay applies) */
} sw_tensor;

typedef struct sw_model sw_model;
struct sw_model {
    sw_model_config cfg;
    size_t V, L, D, H, NH, NKV, HS, KV, Tmax, Bmax;
    int nth;                       /* threads, fixed at create */
    sw_profile prof;               /* per-phase times of forward/backward, when prof.on */
    size_t n_params;
    float *params, *grads;         /* [n_params]; grads NULL when not training */
    sw_weights w, g;               /* pointers into params / grads */
    sw_tensor *tensors; size_t n_tensors;
    swiglu_ffn *ffn;
    size_t ffn_ws_bytes;           /* per layer */
    /* activations of the last forward (B, T) */
    size_t B, T;
    int *x, *y;                    /* [N] inputs, targets (y[n] < 0: none) */
    float *resid;                  /* [(L+1) x N x D] stream into each layer, and out of the last */
    float *resid_mid;              /* [L x N x D] after attention */
    float *ln1, *ln2;              /* [L x N x D] */
    float *rstd1, *rstd2;          /* [L x N] */
    float *q;                      /* [L x N x D] after RoPE */
    float *k, *v;                  /* [L x N x KV] (k after RoPE) */
    float *att;                    /* [L x B x NH x T x T] probabilities */
    float *atty;                   /* [L x N x D] */
    float *proj;                   /* [N x D] scratch: Wo output, FFN output */
    void *ffn_ws;                  /* [L x ffn_ws_bytes] */
    float *lnf, *rstdf;            /* [N x D], [N] */
    float *logits;                 /* [N x V] logits; probabilities after a forward with targets */
    float *losses;                 /* [N] */
    float *rope_cos, *rope_sin;    /* [T x HS/2] */
    /* gradient scratch (training) */
    float *dresid, *dln, *dq, *datty;  /* [N x D] */
    float *dk, *dv;                /* [N x KV] */
    float *att_scratch;            /* [B x NH x T x T] dS of one layer */
    float *rms_part;               /* [ceil(N / SW_RMS_BLOCK) x D] RMSNorm's dw partials */
    int have_targets;
    /* dropout (cfg.dropout > 0): on only between sw_model_set_dropout(m, 1, seed) and (m, 0, 0) */
    int dropout_on, have_dropout;  /* have: the last forward applied it */
    /* called by sw_model_backward once layer l's gradients are complete
     * (l = L-1 .. 0), when set: data parallelism starts summing them over
     * the ranks while the backward goes on (trainer.c) */
    void (*on_layer_grads)(void *ctx, size_t l);
    void *on_layer_grads_ctx;
    uint64_t dropout_seed;
    uint8_t *drop_mask;
    /* mixed precision (cfg.bf16): bf16 copies, refreshed from the fp32 ones */
    uint16_t *pbf;                 /* [n_params] the weights, same offsets as params */
    uint16_t *ln1_bf, *ln2_bf, *atty_bf;  /* [L x N x D] GEMM inputs kept for backward */
    uint16_t *lnf_bf;              /* [N x D] */
    uint16_t *dy_bf;               /* [N x max(D, V)] scratch (training) */
    /* a batch split (trainer.c, sw_train_config.split): a part's model borrows
     * params and pbf from the trainer's and has its own gradients and activations */
    int borrowed;                  /* 1: params, pbf are another model's (not freed) */
    int keep_bf16;                 /* 1: forward uses pbf as it is (its owner refreshed it) */
    size_t drop_base;              /* this batch's first token in the micro-batch: dropout masks
                                      are those of positions drop_base.. (0 for the whole batch) */
};

/* Allocates everything for batches of up to Bmax sequences of up to
 * cfg->seq_len tokens; training = 1 adds gradients and their scratch. */
swiglu_status sw_model_create(sw_model **m, const sw_model_config *cfg, size_t Bmax, int training);
void sw_model_free(sw_model *m);
/* A model for batches of up to Bmax sequences that computes with `owner`'s
 * parameters (and bf16 copies: the owner refreshes them, sw_model_round_weights)
 * and has its own gradients and activations, one thread: a part of the
 * trainer's split batch. The owner must outlive it. */
swiglu_status sw_model_create_part(sw_model **m, const sw_model *owner, size_t Bmax);
/* Mixed precision: pbf = bf16(params), what every forward does first unless
 * keep_bf16 is set (a no-op without cfg.bf16). */
void sw_model_round_weights(sw_model *m);
/* How many of m's parameters are NaN or infinite (a loaded checkpoint's,
 * for `swiglu inspect`'s report and the loaders' refusal). */
size_t sw_model_nonfinite(const sw_model *m);
/* Parameter count of a configuration (for reports). */
size_t sw_model_param_count(const sw_model *m);
/* Normal(0, std) matrices, std per cfg.init_scheme (sw_model_init_std),
 * RMS weights 1, beta as configured. */
swiglu_status sw_model_init(sw_model *m, uint64_t seed);
/* Forward over x [B x T] (T <= seq_len, B <= Bmax). y [B x T] targets or
 * NULL; with targets, *loss (may be NULL) = mean cross-entropy over them. */
swiglu_status sw_model_forward(sw_model *m, const int *x, const int *y, size_t B, size_t T,
                               double *loss);
/* After a forward with targets: grads += d(scale * sum of token losses)/d params.
 * (scale = 1 / (tokens * accumulation steps) gives the mean's gradient.) */
swiglu_status sw_model_backward(sw_model *m, float scale);
void sw_model_zero_grad(sw_model *m);
/* Dropout for the following forwards: on = 1 with masks drawn from `seed`
 * (a counter-based hash: the same masks for any thread count), 0 = off
 * (evaluation, sampling). A no-op when cfg.dropout is 0. */
void sw_model_set_dropout(sw_model *m, int on, uint64_t seed);
/* Hidden-unit statistics of layer l's FFN over the last forward's tokens. */
swiglu_status sw_model_ffn_stats(const sw_model *m, size_t l, swiglu_ffn_stats *st);

#endif
