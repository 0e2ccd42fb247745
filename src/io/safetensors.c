/* safetensors.c -- Hugging Face LLaMA safetensors + config.json into the
 * llama2.c weight layout; the format and what is read: safetensors.h.
 * Legend: D hidden_size, H intermediate_size, L layers, V vocabulary,
 * KV kv_dim, hs head size.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "io/io_util.h"
#include "io/safetensors.h"
#include "io/weight_convert.h"

static uint64_t le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

int sw_st_sniff(const void *buf, size_t size)
{
    const unsigned char *p = buf;
    if (size < 10) return 0;
    uint64_t n = le64(p);
    return n >= 2 && n <= size - 8 && p[8] == '{';
}

/* A whole number in [1, 2^30] from config.json; absent: dflt (0: required). */
static swiglu_status cfg_int(int *v, const cJSON *cfg, const char *key, int dflt, char *msg, size_t cap)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(cfg, key);
    if (!x || cJSON_IsNull(x)) {
        if (!dflt) return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "config.json: %s is missing", key);
        *v = dflt;
        return SWIGLU_OK;
    }
    double d = cJSON_IsNumber(x) ? x->valuedouble : -1;
    if (!(d >= 1 && d <= 1 << 30) || d != floor(d))
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "config.json: %s is not a positive whole number", key);
    *v = (int)d;
    return SWIGLU_OK;
}

static int str_is(const cJSON *x, const char *s) { return cJSON_IsString(x) && !strcmp(x->valuestring, s); }

/* What the forward cannot honour is refused, named. */
static swiglu_status cfg_supported(const cJSON *cfg, char *msg, size_t cap)
{
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(cfg, "model_type");
    const cJSON *ar = cJSON_GetObjectItemCaseSensitive(cfg, "architectures");
    int llama = str_is(mt, "llama");
    const cJSON *a;
    cJSON_ArrayForEach(a, ar) llama |= str_is(a, "LlamaForCausalLM");
    if (!llama)
        return sw_io_fail(msg, cap, SWIGLU_ERR_UNSUPPORTED, "config.json: model_type '%s' is not read (only llama / LlamaForCausalLM is)",
                          cJSON_IsString(mt) ? mt->valuestring : "?");
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(cfg, "hidden_act");
    if (x && !str_is(x, "silu"))
        return sw_io_fail(msg, cap, SWIGLU_ERR_UNSUPPORTED, "config.json: hidden_act '%s'; the LLaMA block here is SwiGLU (silu)",
                          cJSON_IsString(x) ? x->valuestring : "?");
    /* rope_scaling: null or absent, or {"rope_type" (older: "type"): "default"} -- RoPE as it is */
    x = cJSON_GetObjectItemCaseSensitive(cfg, "rope_scaling");
    if (x && !cJSON_IsNull(x)) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(x, "rope_type");
        if (!k) k = cJSON_GetObjectItemCaseSensitive(x, "type");
        if (!str_is(k, "default"))
            return sw_io_fail(msg, cap, SWIGLU_ERR_UNSUPPORTED, "config.json: rope_scaling '%s' is not supported (RoPE without scaling is)",
                              cJSON_IsString(k) ? k->valuestring : "?");
    }
    const char *bias[] = {"attention_bias", "mlp_bias"};
    for (int i = 0; i < 2; i++)
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cfg, bias[i])))
            return sw_io_fail(msg, cap, SWIGLU_ERR_UNSUPPORTED, "config.json: %s is true; LLaMA's projections have no biases here", bias[i]);
    return SWIGLU_OK;
}

static swiglu_status read_config(sw_l2c_config *c, const cJSON *cfg, int has_head, char *msg, size_t cap)
{
    memset(c, 0, sizeof *c);
    SW_FORWARD_IF_ERROR(cfg_supported(cfg, msg, cap));
    SW_FORWARD_IF_ERROR(cfg_int(&c->dim, cfg, "hidden_size", 0, msg, cap));
    SW_FORWARD_IF_ERROR(cfg_int(&c->hidden_dim, cfg, "intermediate_size", 0, msg, cap));
    SW_FORWARD_IF_ERROR(cfg_int(&c->n_layers, cfg, "num_hidden_layers", 0, msg, cap));
    SW_FORWARD_IF_ERROR(cfg_int(&c->n_heads, cfg, "num_attention_heads", 0, msg, cap));
    SW_FORWARD_IF_ERROR(cfg_int(&c->n_kv_heads, cfg, "num_key_value_heads", c->n_heads, msg, cap));
    SW_FORWARD_IF_ERROR(cfg_int(&c->vocab_size, cfg, "vocab_size", 0, msg, cap));
    SW_FORWARD_IF_ERROR(cfg_int(&c->seq_len, cfg, "max_position_embeddings", 0, msg, cap));
    /* head_dim: Hugging Face's LLaMA allows heads of another size than
     * hidden_size / heads (q_proj then is not square); llama2.c's layout has none */
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(cfg, "head_dim");
    if (x && !cJSON_IsNull(x) && !(cJSON_IsNumber(x) && x->valuedouble * c->n_heads == c->dim))
        return sw_io_fail(msg, cap, SWIGLU_ERR_UNSUPPORTED, "config.json: head_dim %g is not hidden_size / num_attention_heads = %g",
                          cJSON_IsNumber(x) ? x->valuedouble : NAN, (double)c->dim / c->n_heads);
    /* the RoPE base and RMSNorm epsilon (absent: llama2.c's 10000 and 1e-5,
     * Hugging Face's defaults too); sw_l2c_config_check bounds them */
    x = cJSON_GetObjectItemCaseSensitive(cfg, "rope_theta");
    if (x && !cJSON_IsNull(x)) {
        if (!cJSON_IsNumber(x) || !(x->valuedouble > 1 && x->valuedouble < 1e30))
            return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "config.json: rope_theta is not a number above 1");
        c->rope_theta = (float)x->valuedouble;
    }
    x = cJSON_GetObjectItemCaseSensitive(cfg, "rms_norm_eps");
    if (x && !cJSON_IsNull(x)) {
        if (!cJSON_IsNumber(x) || !(x->valuedouble > 0 && x->valuedouble < 1))
            return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "config.json: rms_norm_eps is not a number in (0, 1)");
        c->rms_eps = (float)x->valuedouble;
    }
    c->shared_classifier = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cfg, "tie_word_embeddings")) || !has_head;
    return SWIGLU_OK;
}

/* One safetensors file (the model's, or one shard of a sharded model):
 * its parsed header and its data section. */
typedef struct shard {
    cJSON *hdr;
    const unsigned char *data;
    size_t data_size;
    const char *name;   /* the file name, for messages */
} shard;

/* Where the tensors are: one file (wmap NULL), or the shards an index's
 * weight_map distributes them over. */
typedef struct src { shard *sh; size_t n; const cJSON *wmap; char *msg; size_t cap; } src;

/* How many entries of object o are called key (cJSON keeps duplicate keys). */
static int count_key(const cJSON *o, const char *key)
{
    int n = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, o) n += x->string && !strcmp(x->string, key);
    return n;
}

/* Tensor `name`'s header entry and its shard: exactly once in the model.
 * One file: present once in its header. Sharded: named once in the
 * index's weight_map, present in the shard the index names, and in no
 * other shard's header. NULL with msg when not. */
static const cJSON *find_tensor(const src *s, const char *name, const shard **where)
{
    if (!s->wmap) {
        int k = count_key(s->sh[0].hdr, name);
        if (k == 0) { sw_io_fail(s->msg, s->cap, SWIGLU_ERR_FORMAT, "safetensors: tensor %s is missing", name); return NULL; }
        if (k > 1) { sw_io_fail(s->msg, s->cap, SWIGLU_ERR_FORMAT, "safetensors: tensor %s appears %d times in the header", name, k); return NULL; }
        *where = &s->sh[0];
        return cJSON_GetObjectItemCaseSensitive(s->sh[0].hdr, name);
    }
    int k = count_key(s->wmap, name);
    if (k == 0) {
        sw_io_fail(s->msg, s->cap, SWIGLU_ERR_FORMAT, "safetensors index: tensor %s is in no shard (the weight_map does not name it)", name);
        return NULL;
    }
    if (k > 1) {
        sw_io_fail(s->msg, s->cap, SWIGLU_ERR_FORMAT, "safetensors index: tensor %s is named %d times in the weight_map", name, k);
        return NULL;
    }
    const char *file = cJSON_GetObjectItemCaseSensitive(s->wmap, name)->valuestring;   /* a string: sw_st_index_shards */
    const cJSON *t = NULL;
    for (size_t i = 0; i < s->n; i++) {
        int here = count_key(s->sh[i].hdr, name);
        if (!here) continue;
        if (strcmp(s->sh[i].name, file)) {
            sw_io_fail(s->msg, s->cap, SWIGLU_ERR_FORMAT,
                       "safetensors shards: tensor %s is in %s, but the index puts it in %s (a tensor must be in exactly one shard)",
                       name, s->sh[i].name, file);
            return NULL;
        }
        if (here > 1) {
            sw_io_fail(s->msg, s->cap, SWIGLU_ERR_FORMAT, "safetensors shard %s: tensor %s appears %d times in the header", file, name, here);
            return NULL;
        }
        t = cJSON_GetObjectItemCaseSensitive(s->sh[i].hdr, name);
        *where = &s->sh[i];
    }
    if (!t)
        sw_io_fail(s->msg, s->cap, SWIGLU_ERR_FORMAT, "safetensors shard %s: tensor %s is missing (the index puts it there)", file, name);
    return t;
}

/* Tensor `name` of shape [rows, cols] (cols 0: a vector of rows) into dst. */
static swiglu_status load(float *dst, const src *s, const char *name, size_t rows, size_t cols)
{
    const shard *file = NULL;
    const cJSON *t = find_tensor(s, name, &file);
    if (!t) return SWIGLU_ERR_FORMAT;
    if (!cJSON_IsObject(t)) return sw_io_fail(s->msg, s->cap, SWIGLU_ERR_FORMAT, "safetensors: tensor %s is not an object", name);
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(t, "dtype");
    sw_wtype wt;
    if (str_is(dt, "F32")) wt = SW_W_F32;
    else if (str_is(dt, "F16")) wt = SW_W_F16;
    else if (str_is(dt, "BF16")) wt = SW_W_BF16;
    else return sw_io_fail(s->msg, s->cap, SWIGLU_ERR_FORMAT, "safetensors: tensor %s has dtype %s (F32, F16 and BF16 are read)",
                           name, cJSON_IsString(dt) ? dt->valuestring : "?");
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(t, "shape");
    int nd = cJSON_IsArray(sh) ? cJSON_GetArraySize(sh) : -1;
    double d0 = nd >= 1 && cJSON_IsNumber(cJSON_GetArrayItem(sh, 0)) ? cJSON_GetArrayItem(sh, 0)->valuedouble : -1;
    double d1 = nd == 2 && cJSON_IsNumber(cJSON_GetArrayItem(sh, 1)) ? cJSON_GetArrayItem(sh, 1)->valuedouble : -1;
    int ok = cols ? nd == 2 && d0 == (double)rows && d1 == (double)cols : nd == 1 && d0 == (double)rows;
    if (!ok) {
        char want[64], got[64];
        if (cols) snprintf(want, sizeof want, "[%zu, %zu]", rows, cols);
        else snprintf(want, sizeof want, "[%zu]", rows);
        if (nd == 2) snprintf(got, sizeof got, "[%g, %g]", d0, d1);
        else if (nd == 1) snprintf(got, sizeof got, "[%g]", d0);
        else snprintf(got, sizeof got, "of %d dimensions", nd);
        return sw_io_fail(s->msg, s->cap, SWIGLU_ERR_FORMAT, "safetensors: tensor %s has shape %s, config.json implies %s",
                          name, got, want);
    }
    const cJSON *off = cJSON_GetObjectItemCaseSensitive(t, "data_offsets");
    const cJSON *b = cJSON_GetArrayItem(off, 0), *e = cJSON_GetArrayItem(off, 1);
    size_t n = rows * (cols ? cols : 1), bytes = sw_wtype_bytes(wt, n);
    if (!cJSON_IsArray(off) || cJSON_GetArraySize(off) != 2 || !cJSON_IsNumber(b) || !cJSON_IsNumber(e) ||
        !(b->valuedouble >= 0) || b->valuedouble != floor(b->valuedouble) || !(e->valuedouble >= b->valuedouble) ||
        e->valuedouble > (double)file->data_size)
        return sw_io_fail(s->msg, s->cap, SWIGLU_ERR_FORMAT, "safetensors: tensor %s: data_offsets are not [begin, end] within the %zu data bytes of %s",
                          name, file->data_size, file->name);
    size_t at = (size_t)b->valuedouble;
    if ((double)bytes != e->valuedouble - b->valuedouble)
        return sw_io_fail(s->msg, s->cap, SWIGLU_ERR_FORMAT, "safetensors: tensor %s: %g bytes between its offsets, its shape and dtype take %zu",
                          name, e->valuedouble - b->valuedouble, bytes);
    if (dst) sw_weights_to_f32(dst, file->data + at, wt, n);
    return SWIGLU_OK;
}

/* q_proj / k_proj: Hugging Face's row order back to llama2.c's (see the
 * header): dst row h hs + 2j + i = src row h hs + i hs/2 + j. */
static void unpermute(float *dst, const float *srcw, size_t heads, size_t hs, size_t D)
{
    for (size_t h = 0; h < heads; h++)
        for (size_t i = 0; i < 2; i++)
            for (size_t j = 0; j < hs / 2; j++)
                memcpy(dst + (h * hs + 2 * j + i) * D, srcw + (h * hs + i * hs / 2 + j) * D, D * sizeof(float));
}

/* Every tensor the model needs, converted into w's arrays; w NULL: only
 * checked (present, the shape config.json implies, inside the file),
 * before the weights are allocated: a small file cannot make the reader
 * allocate what its config claims. */
static swiglu_status load_weights(const sw_l2c_config *c, const sw_l2c_weights *w, const src *s)
{
    size_t D = (size_t)c->dim, H = (size_t)c->hidden_dim, KV = (size_t)c->kv_dim, V = (size_t)c->vocab_size;
    size_t hs = (size_t)c->head_size;
    /* a destination in the owned buffer (written here), or none */
#define DST(field, off) (w ? (float *)(uintptr_t)(w->field + (off)) : NULL)
    SW_FORWARD_IF_ERROR(load(DST(tok_emb, 0), s, "model.embed_tokens.weight", V, D));
    SW_FORWARD_IF_ERROR(load(DST(rms_final, 0), s, "model.norm.weight", D, 0));
    if (!c->shared_classifier) SW_FORWARD_IF_ERROR(load(DST(wcls, 0), s, "lm_head.weight", V, D));
    float *tmp = w ? malloc(D * D * sizeof *tmp) : NULL;   /* one q or k matrix in HF's row order */
    if (w && !tmp) return sw_io_fail(s->msg, s->cap, SWIGLU_ERR_ALLOC, "safetensors: out of memory");
    swiglu_status st = SWIGLU_OK;
    for (size_t l = 0; l < (size_t)c->n_layers && st == SWIGLU_OK; l++) {
        char name[96];
#define LAYER(dst, part, rows, cols) \
    if (st == SWIGLU_OK) { snprintf(name, sizeof name, "model.layers.%zu." part ".weight", l); st = load(dst, s, name, rows, cols); }
        LAYER(DST(rms_att, l * D), "input_layernorm", D, 0);
        LAYER(tmp, "self_attn.q_proj", D, D);
        if (st == SWIGLU_OK && w) unpermute(DST(wq, l * D * D), tmp, (size_t)c->n_heads, hs, D);
        LAYER(tmp, "self_attn.k_proj", KV, D);
        if (st == SWIGLU_OK && w) unpermute(DST(wk, l * KV * D), tmp, (size_t)c->n_kv_heads, hs, D);
        LAYER(DST(wv, l * KV * D), "self_attn.v_proj", KV, D);
        LAYER(DST(wo, l * D * D), "self_attn.o_proj", D, D);
        LAYER(DST(rms_ffn, l * D), "post_attention_layernorm", D, 0);
        LAYER(DST(w1, l * H * D), "mlp.gate_proj", H, D);
        LAYER(DST(w3, l * H * D), "mlp.up_proj", H, D);
        LAYER(DST(w2, l * D * H), "mlp.down_proj", D, H);
#undef LAYER
    }
#undef DST
    free(tmp);
    return st;
}

/* A shard's 8-byte header length and JSON header, validated as a single
 * file's are, into f (f->hdr owned: cJSON_Delete). */
static swiglu_status open_shard(shard *f, const sw_st_shard *in, char *msg, size_t cap)
{
    const unsigned char *p = in->buf;
    size_t size = in->size;
    memset(f, 0, sizeof *f);
    f->name = in->name;
    if (size < 8)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "safetensors %s: %zu bytes, shorter than the 8-byte header length", in->name, size);
    uint64_t n = le64(p);
    if (n > size - 8)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "safetensors %s: a header of %llu bytes in a %zu-byte file", in->name,
                          (unsigned long long)n, size);
    if (n > SW_ST_MAX_HEADER)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "safetensors %s: a header of %llu bytes (more than 100 MiB)", in->name,
                          (unsigned long long)n);
    f->hdr = cJSON_ParseWithLength((const char *)p + 8, (size_t)n);
    if (!cJSON_IsObject(f->hdr))
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "safetensors %s: the header is not a JSON object", in->name);
    f->data = p + 8 + n;
    f->data_size = size - 8 - (size_t)n;
    return SWIGLU_OK;
}

/* A shard's file name as the index gives it: a plain name in the index's
 * folder -- not empty, no '/' (so neither an absolute path nor one into
 * another folder), not "." or "..", no control characters, at most 255
 * bytes (a file name's limit). */
static int plain_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 255 || !strcmp(s, ".") || !strcmp(s, "..")) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '/' || s[i] == '\\' || (unsigned char)s[i] < 0x20) return 0;
    return 1;
}

/* The index text parsed: *root (owned), *wmap its weight_map (every value
 * a plain file name), and, when names is given, the distinct shard names
 * in order of first appearance (*names malloc'd, pointing into *root). */
static swiglu_status index_parse(cJSON **root, const cJSON **wmap, const char ***names, size_t *n_names,
                                 const char *text, size_t size, char *msg, size_t cap)
{
    *root = NULL;
    if (names) { *names = NULL; *n_names = 0; }
    if (size > SW_ST_MAX_HEADER)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "safetensors index: %zu bytes (more than 100 MiB)", size);
    *root = cJSON_ParseWithLength(text, size);
    if (!cJSON_IsObject(*root)) return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "safetensors index: not a JSON object");
    *wmap = cJSON_GetObjectItemCaseSensitive(*root, "weight_map");
    if (!cJSON_IsObject(*wmap))
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "safetensors index: weight_map is missing or not an object");
    const cJSON *x;
    size_t n = 0;
    cJSON_ArrayForEach(x, *wmap) {
        if (!cJSON_IsString(x))
            return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "safetensors index: weight_map[\"%.80s\"] is not a file name", x->string);
        if (!plain_name(x->valuestring))
            return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                              "safetensors index: shard '%.80s' (of tensor %.80s) is not a plain file name in the model's folder",
                              x->valuestring, x->string);
        n++;
    }
    if (!names) return SWIGLU_OK;
    const char **v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return sw_io_fail(msg, cap, SWIGLU_ERR_ALLOC, "safetensors index: out of memory");
    size_t k = 0;
    cJSON_ArrayForEach(x, *wmap) {
        size_t j = 0;
        while (j < k && strcmp(v[j], x->valuestring)) j++;
        if (j == k) {
            if (k == SW_ST_MAX_SHARDS) {
                free(v);
                return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "safetensors index: more than %d shards", SW_ST_MAX_SHARDS);
            }
            v[k++] = x->valuestring;
        }
    }
    *names = v;
    *n_names = k;
    return SWIGLU_OK;
}

swiglu_status sw_st_index_shards(char ***names, size_t *n, const char *index_json, size_t index_size, char *msg, size_t cap)
{
    SW_RETURN_IF(!names || !n || !index_json, SWIGLU_ERR_NULL);
    *names = NULL;
    *n = 0;
    cJSON *root;
    const cJSON *wmap;
    const char **v = NULL;
    size_t k = 0;
    swiglu_status st = index_parse(&root, &wmap, &v, &k, index_json, index_size, msg, cap);
    char **out = NULL;
    if (st == SWIGLU_OK && !(out = calloc(k ? k : 1, sizeof *out))) st = sw_io_fail(msg, cap, SWIGLU_ERR_ALLOC, "out of memory");
    for (size_t i = 0; st == SWIGLU_OK && i < k; i++)
        if (!(out[i] = strdup(v[i]))) st = sw_io_fail(msg, cap, SWIGLU_ERR_ALLOC, "out of memory");
    free(v);
    cJSON_Delete(root);
    if (st != SWIGLU_OK) { sw_st_names_free(out, k); return st; }
    *names = out;
    *n = k;
    return SWIGLU_OK;
}

void sw_st_names_free(char **names, size_t n)
{
    if (!names) return;
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

swiglu_status sw_st_parse_sharded(sw_l2c_model *m, const sw_st_shard *shards, size_t n, const char *index_json, size_t index_size,
                                  const char *config_json, size_t config_size, char *msg, size_t cap)
{
    SW_RETURN_IF(!m || !shards || !n || !config_json, SWIGLU_ERR_NULL);
    for (size_t i = 0; i < n; i++) SW_RETURN_IF(!shards[i].name || (!shards[i].buf && shards[i].size), SWIGLU_ERR_NULL);
    memset(m, 0, sizeof *m);
    cJSON *root = NULL, *cfg = NULL;
    const cJSON *wmap = NULL;
    const char **names = NULL;
    size_t n_names = 0;
    swiglu_status st = SWIGLU_OK;
    if (index_json) {
        st = index_parse(&root, &wmap, &names, &n_names, index_json, index_size, msg, cap);
        /* the caller opens the shards the index names (sw_st_index_shards), in its order */
        for (size_t i = 0; st == SWIGLU_OK && i < n; i++)
            if (n != n_names || strcmp(names[i], shards[i].name))
                st = sw_io_fail(msg, cap, SWIGLU_ERR_ARG, "safetensors: the shards given are not the %zu the index names", n_names);
    } else if (n != 1) st = sw_io_fail(msg, cap, SWIGLU_ERR_ARG, "safetensors: %zu files and no index", n);
    free(names);
    shard *f = calloc(n, sizeof *f);
    if (st == SWIGLU_OK && !f) st = sw_io_fail(msg, cap, SWIGLU_ERR_ALLOC, "safetensors: out of memory");
    for (size_t i = 0; st == SWIGLU_OK && i < n; i++) st = open_shard(&f[i], &shards[i], msg, cap);
    if (st == SWIGLU_OK) {
        cfg = cJSON_ParseWithLength(config_json, config_size);
        if (!cJSON_IsObject(cfg)) st = sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "config.json is not a JSON object");
    }
    src s = {f, n, wmap, msg, cap};
    sw_l2c_config c;
    /* lm_head.weight absent means a classifier tied to the embedding */
    int has_head = st == SWIGLU_OK && count_key(wmap ? wmap : f[0].hdr, "lm_head.weight") > 0;
    if (st == SWIGLU_OK) st = read_config(&c, cfg, has_head, msg, cap);
    /* the shape checked, every tensor found inside its file, then the
     * weights allocated and read */
    if (st == SWIGLU_OK) st = sw_l2c_config_check(&c, "config.json", msg, cap);
    if (st == SWIGLU_OK) st = load_weights(&c, NULL, &s);
    if (st == SWIGLU_OK) st = sw_l2c_alloc(m, &c, "config.json", msg, cap);
    if (st == SWIGLU_OK) st = load_weights(&m->cfg, &m->w, &s);
    for (size_t i = 0; f && i < n; i++) cJSON_Delete(f[i].hdr);
    free(f);
    cJSON_Delete(root);
    cJSON_Delete(cfg);
    if (st != SWIGLU_OK) sw_l2c_close(m);
    return st;
}

swiglu_status sw_st_parse(sw_l2c_model *m, const void *buf, size_t size, const char *config_json, size_t config_size,
                          char *msg, size_t cap)
{
    SW_RETURN_IF(!m || (!buf && size) || !config_json, SWIGLU_ERR_NULL);
    sw_st_shard one = {"model.safetensors", buf, size};
    return sw_st_parse_sharded(m, &one, 1, NULL, 0, config_json, config_size, msg, cap);
}

/* ---- writing ------------------------------------------------------------ */

/* One tensor to write: rows x cols floats at p; heads > 0: q or k, whose
 * rows go out in HF's order (the inverse of unpermute). */
typedef struct wtensor { char name[96]; const float *p; size_t rows, cols, heads; } wtensor;

static int put_rows(FILE *f, const wtensor *t, size_t hs)
{
    size_t cols = t->cols ? t->cols : 1;
    if (!t->heads) return fwrite(t->p, sizeof(float), t->rows * cols, f) == t->rows * cols;
    /* HF row h hs + i hs/2 + j = llama2.c row h hs + 2j + i */
    for (size_t h = 0; h < t->heads; h++)
        for (size_t i = 0; i < 2; i++)
            for (size_t j = 0; j < hs / 2; j++)
                if (fwrite(t->p + (h * hs + 2 * j + i) * cols, sizeof(float), cols, f) != cols) return 0;
    return 1;
}

static size_t tensor_list(wtensor *t, const sw_l2c_model *m)
{
    const sw_l2c_config *c = &m->cfg;
    const sw_l2c_weights *w = &m->w;
    size_t D = (size_t)c->dim, H = (size_t)c->hidden_dim, KV = (size_t)c->kv_dim, V = (size_t)c->vocab_size, n = 0;
#define T(nm, ptr, r, cl, hd) do { snprintf(t[n].name, sizeof t[n].name, "%s", nm); \
        t[n].p = (ptr); t[n].rows = (r); t[n].cols = (cl); t[n].heads = (hd); n++; } while (0)
    T("model.embed_tokens.weight", w->tok_emb, V, D, 0);
    for (size_t l = 0; l < (size_t)c->n_layers; l++) {
        char p[64];
        snprintf(p, sizeof p, "model.layers.%zu.", l);
#define TL(part, ptr, r, cl, hd) do { char nm[96]; snprintf(nm, sizeof nm, "%s%s.weight", p, part); T(nm, ptr, r, cl, hd); } while (0)
        TL("input_layernorm", w->rms_att + l * D, D, 0, 0);
        TL("self_attn.q_proj", w->wq + l * D * D, D, D, (size_t)c->n_heads);
        TL("self_attn.k_proj", w->wk + l * KV * D, KV, D, (size_t)c->n_kv_heads);
        TL("self_attn.v_proj", w->wv + l * KV * D, KV, D, 0);
        TL("self_attn.o_proj", w->wo + l * D * D, D, D, 0);
        TL("post_attention_layernorm", w->rms_ffn + l * D, D, 0, 0);
        TL("mlp.gate_proj", w->w1 + l * H * D, H, D, 0);
        TL("mlp.up_proj", w->w3 + l * H * D, H, D, 0);
        TL("mlp.down_proj", w->w2 + l * D * H, D, H, 0);
#undef TL
    }
    T("model.norm.weight", w->rms_final, D, 0, 0);
    if (!c->shared_classifier) T("lm_head.weight", w->wcls, V, D, 0);
#undef T
    return n;
}

static char *config_text(const sw_l2c_config *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *ar = cJSON_AddArrayToObject(o, "architectures");
    cJSON_AddItemToArray(ar, cJSON_CreateString("LlamaForCausalLM"));
    cJSON_AddStringToObject(o, "model_type", "llama");
    cJSON_AddNumberToObject(o, "hidden_size", c->dim);
    cJSON_AddNumberToObject(o, "intermediate_size", c->hidden_dim);
    cJSON_AddNumberToObject(o, "num_hidden_layers", c->n_layers);
    cJSON_AddNumberToObject(o, "num_attention_heads", c->n_heads);
    cJSON_AddNumberToObject(o, "num_key_value_heads", c->n_kv_heads);
    cJSON_AddNumberToObject(o, "vocab_size", c->vocab_size);
    cJSON_AddNumberToObject(o, "max_position_embeddings", c->seq_len);
    /* the float's own decimal value: read back, it is the same float */
    cJSON_AddNumberToObject(o, "rms_norm_eps", c->rms_eps ? (double)c->rms_eps : 1e-5);
    cJSON_AddNumberToObject(o, "rope_theta", c->rope_theta ? (double)c->rope_theta : 10000);
    cJSON_AddStringToObject(o, "hidden_act", "silu");
    cJSON_AddBoolToObject(o, "tie_word_embeddings", c->shared_classifier);
    cJSON_AddStringToObject(o, "torch_dtype", "float32");
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    return text;
}

swiglu_status sw_st_write(const sw_l2c_model *m, const char *dir, char *msg, size_t cap)
{
    SW_RETURN_IF(!m || !dir, SWIGLU_ERR_NULL);
    size_t nmax = 3 + 9 * (size_t)m->cfg.n_layers;
    wtensor *t = calloc(nmax, sizeof *t);
    cJSON *hdr = cJSON_CreateObject();
    if (!t || !hdr) { free(t); cJSON_Delete(hdr); return sw_io_fail(msg, cap, SWIGLU_ERR_ALLOC, "safetensors: out of memory"); }
    size_t n = tensor_list(t, m), off = 0;
    cJSON *meta = cJSON_AddObjectToObject(hdr, "__metadata__");
    cJSON_AddStringToObject(meta, "format", "pt");
    for (size_t i = 0; i < n; i++) {
        size_t bytes = t[i].rows * (t[i].cols ? t[i].cols : 1) * sizeof(float);
        cJSON *e = cJSON_AddObjectToObject(hdr, t[i].name);
        cJSON_AddStringToObject(e, "dtype", "F32");
        cJSON *sh = cJSON_AddArrayToObject(e, "shape");
        cJSON_AddItemToArray(sh, cJSON_CreateNumber((double)t[i].rows));
        if (t[i].cols) cJSON_AddItemToArray(sh, cJSON_CreateNumber((double)t[i].cols));
        cJSON *of = cJSON_AddArrayToObject(e, "data_offsets");
        cJSON_AddItemToArray(of, cJSON_CreateNumber((double)off));
        cJSON_AddItemToArray(of, cJSON_CreateNumber((double)(off + bytes)));
        off += bytes;
    }
    char *json = cJSON_PrintUnformatted(hdr), *cfg = config_text(&m->cfg);
    cJSON_Delete(hdr);
    swiglu_status st = SWIGLU_OK;
    char path[4200];
    sw_atomic_file a;
    if (!json || !cfg) st = sw_io_fail(msg, cap, SWIGLU_ERR_ALLOC, "safetensors: out of memory");
    if (st == SWIGLU_OK && snprintf(path, sizeof path, "%s/model.safetensors", dir) >= (int)sizeof path)
        st = sw_io_fail(msg, cap, SWIGLU_ERR_ARG, "%s: path too long", dir);
    if (st == SWIGLU_OK && !sw_atomic_open(&a, path, msg, cap)) st = SWIGLU_ERR_IO;
    if (st == SWIGLU_OK) {
        /* the header padded with spaces to 8 bytes, so that the data is aligned */
        size_t hl = strlen(json), pad = (8 - hl % 8) % 8;
        unsigned char len8[8];
        for (int b = 0; b < 8; b++) len8[b] = (unsigned char)((uint64_t)(hl + pad) >> (8 * b));
        fwrite(len8, 1, 8, a.f);
        fwrite(json, 1, hl, a.f);
        for (size_t k = 0; k < pad; k++) fputc(' ', a.f);
        for (size_t i = 0; i < n; i++) put_rows(a.f, &t[i], (size_t)m->cfg.head_size);
        st = sw_atomic_commit(&a, msg, cap);   /* any failed write above is reported here (ferror) */
    }
    if (st == SWIGLU_OK && snprintf(path, sizeof path, "%s/config.json", dir) >= (int)sizeof path)
        st = sw_io_fail(msg, cap, SWIGLU_ERR_ARG, "%s: path too long", dir);
    if (st == SWIGLU_OK && !sw_atomic_open(&a, path, msg, cap)) st = SWIGLU_ERR_IO;
    if (st == SWIGLU_OK) {
        fprintf(a.f, "%s\n", cfg);
        st = sw_atomic_commit(&a, msg, cap);
    }
    free(json);
    free(cfg);
    free(t);
    return st;
}
