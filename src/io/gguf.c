/* gguf.c -- GGUF (llama.cpp) LLaMA models into the llama2.c weight layout;
 * the format and what is read: gguf.h.
 * Legend: D dim, H hidden, L layers, V vocabulary, KV kv_dim, ne[] a
 * tensor's dimensions (ne[0] innermost).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "io/gguf.h"
#include "io/io_util.h"
#include "io/weight_convert.h"

enum { T_U8, T_I8, T_U16, T_I16, T_U32, T_I32, T_F32, T_BOOL, T_STR, T_ARR, T_U64, T_I64, T_F64, T_COUNT };
/* ggml's type numbers (ggml.h's enum ggml_type) of the types read */
enum { G_F32 = 0, G_F16 = 1, G_Q8_0 = 8, G_Q2_K = 10, G_Q3_K = 11, G_Q4_K = 12, G_Q5_K = 13, G_Q6_K = 14, G_BF16 = 30 };

/* A bounds-checked reader over the file image. */
typedef struct cursor { const unsigned char *p; size_t size, pos; char *msg; size_t cap; } cursor;

static int need(cursor *c, size_t n) { return n <= c->size - c->pos; }

static swiglu_status short_file(cursor *c, const char *what)
{
    return sw_io_fail(c->msg, c->cap, SWIGLU_ERR_FORMAT, "GGUF file: %zu bytes, truncated in %s (at byte %zu)",
                      c->size, what, c->pos);
}

static uint64_t le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static swiglu_status rd(cursor *c, uint64_t *v, int bytes, const char *what)
{
    *v = 0;
    if (!need(c, (size_t)bytes)) return short_file(c, what);
    *v = le(c->p + c->pos, bytes);
    c->pos += (size_t)bytes;
    return SWIGLU_OK;
}

/* A string: u64 length, then the bytes (not terminated). */
static swiglu_status rd_str(cursor *c, const char **s, size_t *n, const char *what)
{
    uint64_t len = 0;
    SW_FORWARD_IF_ERROR(rd(c, &len, 8, what));
    if (!need(c, len))
        return sw_io_fail(c->msg, c->cap, SWIGLU_ERR_FORMAT, "GGUF %s: a string of %llu bytes runs past the end of the file",
                          what, (unsigned long long)len);
    *s = (const char *)c->p + c->pos;
    *n = (size_t)len;
    c->pos += (size_t)len;
    return SWIGLU_OK;
}

static const int scalar_bytes[T_COUNT] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};

/* One scalar of a numeric type as a double (integers up to 2^53 exact). */
static swiglu_status rd_num(cursor *c, uint32_t type, double *v, const char *key)
{
    if (type >= T_COUNT || type == T_STR || type == T_ARR)
        return sw_io_fail(c->msg, c->cap, SWIGLU_ERR_FORMAT, "GGUF metadata: %s has type %u, not a number", key, type);
    uint64_t u;
    SW_FORWARD_IF_ERROR(rd(c, &u, scalar_bytes[type], key));
    switch (type) {
    case T_I8: *v = (int8_t)u; break;
    case T_I16: *v = (int16_t)u; break;
    case T_I32: *v = (int32_t)u; break;
    case T_I64: *v = (double)(int64_t)u; break;
    case T_F32: { uint32_t b = (uint32_t)u; float f; memcpy(&f, &b, 4); *v = f; break; }
    case T_F64: memcpy(v, &u, 8); break;
    default: *v = (double)u;
    }
    return SWIGLU_OK;
}

/* Skips one value of `type` (arrays of arrays to depth 4). */
static swiglu_status skip_value(cursor *c, uint32_t type, int depth, const char *key)
{
    if (type >= T_COUNT)
        return sw_io_fail(c->msg, c->cap, SWIGLU_ERR_FORMAT, "GGUF metadata: %s has unknown type %u", key, type);
    if (type == T_STR) { const char *s; size_t n; return rd_str(c, &s, &n, key); }
    if (type != T_ARR) {
        if (!need(c, (size_t)scalar_bytes[type])) return short_file(c, key);
        c->pos += (size_t)scalar_bytes[type];
        return SWIGLU_OK;
    }
    if (depth > 4) return sw_io_fail(c->msg, c->cap, SWIGLU_ERR_FORMAT, "GGUF metadata: %s nests arrays too deep", key);
    uint64_t sub = 0, n = 0;
    SW_FORWARD_IF_ERROR(rd(c, &sub, 4, key));
    SW_FORWARD_IF_ERROR(rd(c, &n, 8, key));
    if (sub < T_COUNT && sub != T_STR && sub != T_ARR) {
        size_t bytes;
        if (n > SIZE_MAX || !sw_mul_ok(&bytes, (size_t)n, (size_t)scalar_bytes[sub]) || !need(c, bytes))
            return sw_io_fail(c->msg, c->cap, SWIGLU_ERR_FORMAT, "GGUF metadata: %s, an array of %llu values, runs past the end of the file",
                              key, (unsigned long long)n);
        c->pos += bytes;
        return SWIGLU_OK;
    }
    for (uint64_t i = 0; i < n; i++) SW_FORWARD_IF_ERROR(skip_value(c, (uint32_t)sub, depth + 1, key));
    return SWIGLU_OK;
}

/* What the reader takes from the metadata. */
typedef struct meta {
    int have_arch, llama;
    double dim, hidden, layers, heads, kv_heads, ctx, vocab, align;
    double rope_base, eps, rope_dims;
    char rope_scaling[32];           /* llama.rope.scaling.type; "" absent */
    int tok_llama, have_tok_model;
    size_t tokens_pos, scores_pos;   /* where the arrays' values start; 0: absent */
    uint64_t n_tokens, n_scores;
    char tok_model[32];
} meta;

static int key_is(const char *k, size_t n, const char *want) { return n == strlen(want) && !memcmp(k, want, n); }

static swiglu_status read_array_head(cursor *c, uint32_t type, uint32_t want, uint64_t *n, const char *key)
{
    if (type != T_ARR) return sw_io_fail(c->msg, c->cap, SWIGLU_ERR_FORMAT, "GGUF metadata: %s is not an array", key);
    uint64_t sub = 0;
    SW_FORWARD_IF_ERROR(rd(c, &sub, 4, key));
    SW_FORWARD_IF_ERROR(rd(c, n, 8, key));
    if (sub != want)
        return sw_io_fail(c->msg, c->cap, SWIGLU_ERR_FORMAT, "GGUF metadata: %s holds values of type %llu, expected %u",
                          key, (unsigned long long)sub, want);
    return SWIGLU_OK;
}

/* One key-value pair: taken into *m when it is one the reader uses. */
static swiglu_status read_kv(cursor *c, meta *m)
{
    const char *k;
    size_t kn;
    uint64_t type;
    SW_FORWARD_IF_ERROR(rd_str(c, &k, &kn, "metadata key"));
    char key[96];
    snprintf(key, sizeof key, "%.*s", (int)(kn < 80 ? kn : 80), k);
    SW_FORWARD_IF_ERROR(rd(c, &type, 4, key));
    static const struct { const char *name; size_t off; } nums[] = {
        {"llama.embedding_length", offsetof(meta, dim)},
        {"llama.feed_forward_length", offsetof(meta, hidden)},
        {"llama.block_count", offsetof(meta, layers)},
        {"llama.attention.head_count", offsetof(meta, heads)},
        {"llama.attention.head_count_kv", offsetof(meta, kv_heads)},
        {"llama.context_length", offsetof(meta, ctx)},
        {"llama.vocab_size", offsetof(meta, vocab)},
        {"general.alignment", offsetof(meta, align)},
        {"llama.rope.freq_base", offsetof(meta, rope_base)},
        {"llama.attention.layer_norm_rms_epsilon", offsetof(meta, eps)},
        {"llama.rope.dimension_count", offsetof(meta, rope_dims)},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        if (key_is(k, kn, nums[i].name)) return rd_num(c, (uint32_t)type, (double *)((char *)m + nums[i].off), key);
    if (key_is(k, kn, "general.architecture") || key_is(k, kn, "tokenizer.ggml.model") ||
        key_is(k, kn, "llama.rope.scaling.type")) {
        if (type != T_STR) return sw_io_fail(c->msg, c->cap, SWIGLU_ERR_FORMAT, "GGUF metadata: %s is not a string", key);
        const char *s;
        size_t n;
        SW_FORWARD_IF_ERROR(rd_str(c, &s, &n, key));
        if (key_is(k, kn, "general.architecture")) { m->have_arch = 1; m->llama = n == 5 && !memcmp(s, "llama", 5); }
        else if (key_is(k, kn, "tokenizer.ggml.model")) {
            m->have_tok_model = 1;
            snprintf(m->tok_model, sizeof m->tok_model, "%.*s", (int)(n < 24 ? n : 24), s);
            m->tok_llama = n == 5 && !memcmp(s, "llama", 5);
        } else snprintf(m->rope_scaling, sizeof m->rope_scaling, "%.*s", (int)(n < 24 ? n : 24), s);
        return SWIGLU_OK;
    }
    if (key_is(k, kn, "tokenizer.ggml.tokens")) {
        SW_FORWARD_IF_ERROR(read_array_head(c, (uint32_t)type, T_STR, &m->n_tokens, key));
        m->tokens_pos = c->pos;
        for (uint64_t i = 0; i < m->n_tokens; i++) { const char *s; size_t n; SW_FORWARD_IF_ERROR(rd_str(c, &s, &n, key)); }
        return SWIGLU_OK;
    }
    if (key_is(k, kn, "tokenizer.ggml.scores")) {
        SW_FORWARD_IF_ERROR(read_array_head(c, (uint32_t)type, T_F32, &m->n_scores, key));
        m->scores_pos = c->pos;
        size_t bytes;
        if (m->n_scores > SIZE_MAX / 4 || !sw_mul_ok(&bytes, (size_t)m->n_scores, 4) || !need(c, bytes))
            return short_file(c, key);
        c->pos += bytes;
        return SWIGLU_OK;
    }
    return skip_value(c, (uint32_t)type, 0, key);
}

typedef struct tinfo { const char *name; size_t name_len; uint32_t n_dims, type; uint64_t ne[4], offset; } tinfo;

static swiglu_status read_tinfo(cursor *c, tinfo *t)
{
    SW_FORWARD_IF_ERROR(rd_str(c, &t->name, &t->name_len, "tensor name"));
    uint64_t v;
    SW_FORWARD_IF_ERROR(rd(c, &v, 4, "tensor info"));
    if (v < 1 || v > 4)
        return sw_io_fail(c->msg, c->cap, SWIGLU_ERR_FORMAT, "GGUF tensor %.*s: %llu dimensions (1 to 4 are valid)",
                          (int)(t->name_len < 80 ? t->name_len : 80), t->name, (unsigned long long)v);
    t->n_dims = (uint32_t)v;
    for (uint32_t d = 0; d < 4; d++) t->ne[d] = 1;
    for (uint32_t d = 0; d < t->n_dims; d++) SW_FORWARD_IF_ERROR(rd(c, &t->ne[d], 8, "tensor info"));
    SW_FORWARD_IF_ERROR(rd(c, &v, 4, "tensor info"));
    t->type = (uint32_t)v;
    return rd(c, &t->offset, 8, "tensor info");
}

static const tinfo *find(const tinfo *t, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (key_is(t[i].name, t[i].name_len, name)) return &t[i];
    return NULL;
}

/* Converts tensor `name` of shape {in, out} (out 0: a vector of `in`)
 * into dst; absent and optional: returns SWIGLU_OK with *found 0. */
static swiglu_status load_tensor(float *dst, const char *name, uint64_t in, uint64_t out, int optional, int *found,
                                 const tinfo *t, size_t nt, const unsigned char *data, size_t data_size,
                                 char *msg, size_t cap)
{
    const tinfo *x = find(t, nt, name);
    if (found) *found = x != NULL;
    if (!x) return optional ? SWIGLU_OK : sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "GGUF file: tensor %s is missing", name);
    int dims_ok = out ? x->n_dims == 2 && x->ne[0] == in && x->ne[1] == out : x->n_dims == 1 && x->ne[0] == in;
    if (!dims_ok)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "GGUF tensor %s: shape {%llu, %llu} (%u dims), expected {%llu, %llu} from the metadata",
                          name, (unsigned long long)x->ne[0], (unsigned long long)x->ne[1], x->n_dims,
                          (unsigned long long)in, (unsigned long long)(out ? out : 1));
    size_t n = (size_t)in * (size_t)(out ? out : 1);   /* both bounded by the model limits */
    static const struct { uint32_t g; sw_wtype t; const char *name; } types[] = {
        {G_F32, SW_W_F32, "F32"}, {G_F16, SW_W_F16, "F16"}, {G_BF16, SW_W_BF16, "BF16"}, {G_Q8_0, SW_W_Q8_0, "Q8_0"},
        {G_Q2_K, SW_W_Q2_K, "Q2_K"}, {G_Q3_K, SW_W_Q3_K, "Q3_K"}, {G_Q4_K, SW_W_Q4_K, "Q4_K"},
        {G_Q5_K, SW_W_Q5_K, "Q5_K"}, {G_Q6_K, SW_W_Q6_K, "Q6_K"}};
    size_t k = 0;
    while (k < sizeof types / sizeof types[0] && types[k].g != x->type) k++;
    if (k == sizeof types / sizeof types[0])
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                          "GGUF tensor %s: ggml type %u is not read (F32, F16, BF16, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K and Q6_K are)",
                          name, x->type);
    sw_wtype wt = types[k].t;
    /* a block never spans two rows (ggml quantizes row by row) */
    if (in % sw_wtype_block(wt))
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "GGUF tensor %s: %s rows of %llu values, not a multiple of its %zu-value blocks",
                          name, types[k].name, (unsigned long long)in, sw_wtype_block(wt));
    size_t bytes = sw_wtype_bytes(wt, n);
    if (x->offset > data_size || bytes > data_size - x->offset)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "GGUF tensor %s: %zu bytes at offset %llu run past the end of the file",
                          name, bytes, (unsigned long long)x->offset);
    if (dst) sw_weights_to_f32(dst, data + x->offset, wt, n);
    return SWIGLU_OK;
}

int sw_gguf_sniff(const void *buf, size_t size) { return size >= 4 && !memcmp(buf, "GGUF", 4); }

/* The metadata's model shape into a llama2.c configuration. */
static swiglu_status shape_of(sw_l2c_config *cfg, const meta *m, const tinfo *t, size_t nt, char *msg, size_t cap)
{
    if (!m->have_arch) return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "GGUF metadata: general.architecture is missing");
    if (!m->llama) return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "GGUF metadata: general.architecture is not 'llama' (the only one read)");
    if (m->rope_scaling[0] && strcmp(m->rope_scaling, "none"))
        return sw_io_fail(msg, cap, SWIGLU_ERR_UNSUPPORTED, "GGUF metadata: llama.rope.scaling.type '%s' is not supported (RoPE without scaling is)",
                          m->rope_scaling);
    /* absent (0): llama2.c's 10000 and 1e-5; sw_l2c_config_check bounds them */
    if (m->rope_base != 0 && !(m->rope_base > 1 && m->rope_base < 1e30))
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "GGUF metadata: llama.rope.freq_base = %g is not a number above 1", m->rope_base);
    if (m->eps != 0 && !(m->eps > 0 && m->eps < 1))
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "GGUF metadata: llama.attention.layer_norm_rms_epsilon = %g is not in (0, 1)", m->eps);
    const tinfo *emb = find(t, nt, "token_embd.weight");
    if (!emb || emb->n_dims != 2) return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "GGUF file: tensor token_embd.weight is missing or not a matrix");
    double vocab = m->vocab ? m->vocab : (double)emb->ne[1];
    const struct { const char *key; double v; } f[] = {
        {"llama.embedding_length", m->dim}, {"llama.feed_forward_length", m->hidden}, {"llama.block_count", m->layers},
        {"llama.attention.head_count", m->heads}, {"llama.context_length", m->ctx}, {"vocab size", vocab}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (!(f[i].v >= 1 && f[i].v <= 1 << 30) || f[i].v != floor(f[i].v))
            return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "GGUF metadata: %s = %g is missing or not a positive count", f[i].key, f[i].v);
    double kvh = m->kv_heads ? m->kv_heads : m->heads;
    if (!(kvh >= 1 && kvh <= 1 << 30) || kvh != floor(kvh))
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "GGUF metadata: llama.attention.head_count_kv = %g is not a positive count", kvh);
    memset(cfg, 0, sizeof *cfg);
    cfg->dim = (int)m->dim; cfg->hidden_dim = (int)m->hidden; cfg->n_layers = (int)m->layers;
    cfg->n_heads = (int)m->heads; cfg->n_kv_heads = (int)kvh; cfg->seq_len = (int)m->ctx; cfg->vocab_size = (int)vocab;
    cfg->shared_classifier = find(t, nt, "output.weight") == NULL;
    cfg->rope_theta = (float)m->rope_base;
    cfg->rms_eps = (float)m->eps;
    /* RoPE on part of each head only (partial rotary) is another forward */
    if (m->rope_dims != 0 && m->rope_dims * m->heads != m->dim)
        return sw_io_fail(msg, cap, SWIGLU_ERR_UNSUPPORTED, "GGUF metadata: llama.rope.dimension_count = %g, not the head size %g (partial RoPE)",
                          m->rope_dims, m->dim / m->heads);
    return SWIGLU_OK;
}

/* Every tensor the model needs, converted into w's arrays; w NULL: only
 * checked (present, the shape the metadata implies, inside the file), which
 * runs before the weights are allocated, so that a small file cannot make
 * the reader allocate what its metadata claims. */
static swiglu_status load_weights(const sw_l2c_config *c, const sw_l2c_weights *w, const tinfo *t, size_t nt,
                                  const unsigned char *data, size_t data_size, char *msg, size_t cap)
{
    size_t D = (size_t)c->dim, H = (size_t)c->hidden_dim, V = (size_t)c->vocab_size;
    size_t KV = (size_t)c->kv_dim;
    /* a destination in the owned buffer (written here), or none */
#define DST(field, off) (w ? (float *)(uintptr_t)(w->field + (off)) : NULL)
#define LOAD(dst, name, in, out) SW_FORWARD_IF_ERROR(load_tensor(dst, name, in, out, 0, NULL, t, nt, data, data_size, msg, cap))
    LOAD(DST(tok_emb, 0), "token_embd.weight", D, V);
    LOAD(DST(rms_final, 0), "output_norm.weight", D, 0);
    if (!c->shared_classifier) LOAD(DST(wcls, 0), "output.weight", D, V);
    for (size_t l = 0; l < (size_t)c->n_layers; l++) {
        char name[64];
#define LAYER(dst, part, in, out) snprintf(name, sizeof name, "blk.%zu." part ".weight", l); LOAD(dst, name, in, out)
        LAYER(DST(rms_att, l * D), "attn_norm", D, 0);
        LAYER(DST(wq, l * D * D), "attn_q", D, D);
        LAYER(DST(wk, l * KV * D), "attn_k", D, KV);
        LAYER(DST(wv, l * KV * D), "attn_v", D, KV);
        LAYER(DST(wo, l * D * D), "attn_output", D, D);
        LAYER(DST(rms_ffn, l * D), "ffn_norm", D, 0);
        LAYER(DST(w1, l * H * D), "ffn_gate", D, H);
        LAYER(DST(w3, l * H * D), "ffn_up", D, H);
        LAYER(DST(w2, l * D * H), "ffn_down", H, D);
#undef LAYER
    }
#undef LOAD
#undef DST
    return SWIGLU_OK;
}

/* tokenizer.ggml.tokens/.scores as a llama2.c tokenizer.bin image:
 * u32 max_token_length, then per token f32 score, i32 length, bytes. */
static swiglu_status make_tokenizer(void **out, size_t *out_size, const meta *m, const cursor *c0, int V,
                                    char *msg, size_t cap)
{
    *out = NULL;
    *out_size = 0;
    if (!m->tokens_pos) return SWIGLU_OK;
    if (!m->tok_llama)
        return sw_io_fail(msg, cap, SWIGLU_ERR_UNSUPPORTED, "GGUF tokenizer: model '%s' is not read (only 'llama', SentencePiece, is)",
                          m->tok_model);
    if (m->n_tokens != (uint64_t)V)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "GGUF tokenizer: %llu tokens for a vocabulary of %d",
                          (unsigned long long)m->n_tokens, V);
    if (m->scores_pos && m->n_scores != m->n_tokens)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "GGUF tokenizer: %llu scores for %llu tokens",
                          (unsigned long long)m->n_scores, (unsigned long long)m->n_tokens);
    /* the strings were checked while the metadata was read: their lengths
     * sum to less than the file, so the image's size cannot overflow */
    cursor c = *c0;
    c.pos = m->tokens_pos;
    size_t total = 4, maxlen = 0;
    for (int i = 0; i < V; i++) {
        const char *s;
        size_t n;
        SW_FORWARD_IF_ERROR(rd_str(&c, &s, &n, "tokenizer.ggml.tokens"));
        total += 8 + n;
        if (n > maxlen) maxlen = n;
    }
    if (maxlen > (1u << 16)) return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "GGUF tokenizer: a token of %zu bytes", maxlen);
    unsigned char *img = malloc(total), *q = img + 4;
    if (!img) return sw_io_fail(msg, cap, SWIGLU_ERR_ALLOC, "GGUF tokenizer: out of memory");
    c.pos = m->tokens_pos;
    size_t longest = 0;
    for (int i = 0; i < V; i++) {
        const char *s;
        size_t n;
        rd_str(&c, &s, &n, "tokenizer.ggml.tokens");
        float score = 0;
        if (m->scores_pos) memcpy(&score, c0->p + m->scores_pos + 4 * (size_t)i, 4);
        unsigned char *len_at = q + 4;
        memcpy(q, &score, 4);
        q += 8;
        size_t k = 0;
        for (size_t j = 0; j < n; j++) {   /* SentencePiece's U+2581 (e2 96 81) is a space */
            if (j + 2 < n && (unsigned char)s[j] == 0xe2 && (unsigned char)s[j + 1] == 0x96 && (unsigned char)s[j + 2] == 0x81) {
                q[k++] = ' ';
                j += 2;
            } else q[k++] = (unsigned char)s[j];
        }
        int32_t len = (int32_t)k;
        memcpy(len_at, &len, 4);
        q += k;
        if (k > longest) longest = k;
    }
    uint32_t ml = (uint32_t)longest;
    memcpy(img, &ml, 4);
    *out = img;
    *out_size = (size_t)(q - img);
    return SWIGLU_OK;
}

swiglu_status sw_gguf_parse(sw_l2c_model *mod, void **tok, size_t *tok_size, const void *buf, size_t size,
                            char *msg, size_t cap)
{
    SW_RETURN_IF(!mod || (!buf && size), SWIGLU_ERR_NULL);
    memset(mod, 0, sizeof *mod);
    if (tok) *tok = NULL;
    if (tok_size) *tok_size = 0;
    cursor c = {buf, size, 0, msg, cap};
    if (!sw_gguf_sniff(buf, size)) return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "not a GGUF file (bad magic)");
    c.pos = 4;
    uint64_t version, nt, nkv;
    SW_FORWARD_IF_ERROR(rd(&c, &version, 4, "header"));
    if (version != 2 && version != 3)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "GGUF header: version %llu; versions 2 and 3 are read", (unsigned long long)version);
    SW_FORWARD_IF_ERROR(rd(&c, &nt, 8, "header"));
    SW_FORWARD_IF_ERROR(rd(&c, &nkv, 8, "header"));
    if (nt > SW_GGUF_MAX_TENSORS || nt > size / 24)   /* a tensor info takes at least 24 bytes */
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "GGUF header: tensor_count = %llu is absurd for a %zu-byte file",
                          (unsigned long long)nt, size);
    if (nkv > SW_GGUF_MAX_KV) return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "GGUF header: metadata_kv_count = %llu is absurd", (unsigned long long)nkv);
    meta m;
    memset(&m, 0, sizeof m);
    for (uint64_t i = 0; i < nkv; i++) SW_FORWARD_IF_ERROR(read_kv(&c, &m));
    tinfo *t = calloc(nt ? (size_t)nt : 1, sizeof *t);
    if (!t) return sw_io_fail(msg, cap, SWIGLU_ERR_ALLOC, "GGUF: out of memory");
    swiglu_status st = SWIGLU_OK;
    for (uint64_t i = 0; i < nt && st == SWIGLU_OK; i++) st = read_tinfo(&c, &t[i]);
    /* the double is checked before it becomes a size (0.5 or -1 would not survive the cast) */
    double a = m.align ? m.align : 32;
    if (st == SWIGLU_OK && !(a >= 1 && a <= 1 << 20 && a == floor(a) && !((size_t)a & ((size_t)a - 1))))
        st = sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "GGUF metadata: general.alignment = %g is not a power of two up to 2^20", a);
    size_t align = st == SWIGLU_OK ? (size_t)a : 1;
    size_t data_at = (c.pos + align - 1) / align * align;
    if (st == SWIGLU_OK && data_at > size) st = short_file(&c, "the padding before the tensor data");
    sw_l2c_config cfg;
    if (st == SWIGLU_OK) st = shape_of(&cfg, &m, t, (size_t)nt, msg, cap);
    const unsigned char *data = (const unsigned char *)buf + data_at;
    /* the shape checked (heads divide dim, ...), then every tensor found
     * inside the file, and only then the weights allocated */
    if (st == SWIGLU_OK) st = sw_l2c_config_check(&cfg, "GGUF metadata", msg, cap);
    if (st == SWIGLU_OK) st = load_weights(&cfg, NULL, t, (size_t)nt, data, size - data_at, msg, cap);
    if (st == SWIGLU_OK) st = sw_l2c_alloc(mod, &cfg, "GGUF metadata", msg, cap);
    if (st == SWIGLU_OK) st = load_weights(&mod->cfg, &mod->w, t, (size_t)nt, data, size - data_at, msg, cap);
    if (st == SWIGLU_OK && tok && tok_size) st = make_tokenizer(tok, tok_size, &m, &c, mod->cfg.vocab_size, msg, cap);
    free(t);
    if (st != SWIGLU_OK) sw_l2c_close(mod);
    return st;
}
