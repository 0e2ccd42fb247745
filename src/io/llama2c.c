/* llama2c.c -- reading (mmap, validate, point) and writing llama2.c
 * checkpoints. Formats and legend: llama2c.h.
 *
 * Order of checks (each refusal names its field):
 *   1. the file holds a whole header (28 bytes, or 256 for version 1);
 *   2. version 1: magic, version, shared flag in {0, 1};
 *   3. every int field > 0 and below its absurd limit (vocab_size may be
 *      negative in version 0: it only flags the unshared classifier);
 *   4. structure: n_heads | dim, n_kv_heads | n_heads, head_size even (RoPE
 *      rotates pairs);
 *   5. total size, computed with overflow checks, equals the file size.
 * Only then are weight pointers formed; nothing reads the weights here.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/internal.h"
#include "io/llama2c.h"
#include "io/io_util.h"

#define SW_L2C_MAX_HIDDEN (1 << 18)

static int32_t rd_i32(const unsigned char *p)
{
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    int32_t v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* Floats of each weight array, in file order of version 0 (rope = the two
 * skipped RoPE tables together). Returns 0 on overflow. */
typedef struct l2c_sizes {
    size_t emb, norm_l, wq, wkv, wo, w13, w2, final, rope, cls, total_floats;
} l2c_sizes;

static int sizes_of(l2c_sizes *s, const sw_l2c_config *c, int *which)
{
    size_t D = (size_t)c->dim, H = (size_t)c->hidden_dim, L = (size_t)c->n_layers;
    size_t V = (size_t)c->vocab_size, S = (size_t)c->seq_len, hs = (size_t)c->head_size;
    size_t KV = (size_t)c->kv_dim, t;
    memset(s, 0, sizeof *s);
    *which = 0;
    if (!sw_mul_ok(&s->emb, V, D)) { *which = 1; return 0; }
    if (!sw_mul_ok(&s->norm_l, L, D)) { *which = 2; return 0; }
    if (!sw_mul_ok(&t, L, D) || !sw_mul_ok(&s->wq, t, D)) { *which = 2; return 0; }
    if (!sw_mul_ok(&t, L, KV) || !sw_mul_ok(&s->wkv, t, D)) { *which = 3; return 0; }
    s->wo = s->wq;
    if (!sw_mul_ok(&t, L, H) || !sw_mul_ok(&s->w13, t, D)) { *which = 4; return 0; }
    s->w2 = s->w13;
    s->final = D;
    if (c->version == 0 && !sw_mul_ok(&s->rope, S, hs)) { *which = 5; return 0; } /* 2 * S*hs/2 */
    s->cls = c->shared_classifier ? 0 : s->emb;
    size_t parts[] = {s->emb, s->norm_l, s->wq, s->wkv, s->wkv, s->wo, s->norm_l,
                      s->w13, s->w2, s->w13, s->final, s->rope, s->cls};
    size_t sum = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (!sw_add_ok(&sum, sum, parts[i])) { *which = 6; return 0; }
    s->total_floats = sum;
    return 1;
}

size_t sw_l2c_file_size(const sw_l2c_config *c)
{
    l2c_sizes s;
    int which;
    size_t bytes, total;
    if (!c || !sizes_of(&s, c, &which)) return 0;
    if (!sw_mul_ok(&bytes, s.total_floats, sizeof(float))) return 0;
    if (!sw_add_ok(&total, bytes, c->version == 1 ? SW_L2C_V1_HEADER : 7 * sizeof(int32_t)))
        return 0;
    return total;
}

/* Checks one positive, bounded header field. */
static swiglu_status check_field(const char *what, const char *name, long long v, long long max,
                                 char *msg, size_t cap)
{
    if (v == 0) return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "%s: %s is 0; it must be positive", what, name);
    if (v < 0) return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "%s: %s = %lld is negative", what, name, v);
    if (v > max)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                    "%s: %s = %lld is absurd (more than %lld; sizes would overflow)",
                    what, name, v, max);
    return SWIGLU_OK;
}

/* Steps 3-4 of the parse: every header field in range, then the shapes
 * consistent (heads divide dim, kv heads divide heads, even head size);
 * fills the fields of *c from f[] (vocab already made positive) and the
 * derived head_size and kv_dim. Shared with sw_l2c_alloc. */
static swiglu_status config_check(const char *what, sw_l2c_config *c, const int32_t f[7], long long vocab, char *msg, size_t cap)
{
    /* ranges */
    SW_FORWARD_IF_ERROR(check_field(what, "dim", f[0], SW_L2C_MAX_DIM, msg, cap));
    SW_FORWARD_IF_ERROR(check_field(what, "hidden_dim", f[1], SW_L2C_MAX_HIDDEN, msg, cap));
    SW_FORWARD_IF_ERROR(check_field(what, "n_layers", f[2], SW_L2C_MAX_LAYERS, msg, cap));
    SW_FORWARD_IF_ERROR(check_field(what, "n_heads", f[3], SW_L2C_MAX_DIM, msg, cap));
    SW_FORWARD_IF_ERROR(check_field(what, "n_kv_heads", f[4], SW_L2C_MAX_DIM, msg, cap));
    SW_FORWARD_IF_ERROR(check_field(what, "vocab_size", vocab, SW_L2C_MAX_VOCAB, msg, cap));
    SW_FORWARD_IF_ERROR(check_field(what, "seq_len", f[6], SW_L2C_MAX_SEQ, msg, cap));
    c->dim = f[0]; c->hidden_dim = f[1]; c->n_layers = f[2]; c->n_heads = f[3];
    c->n_kv_heads = f[4]; c->vocab_size = (int)vocab; c->seq_len = f[6];

    /* structure */
    if (c->dim % c->n_heads)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                    "%s: n_heads = %d does not divide dim = %d", what, c->n_heads, c->dim);
    if (c->n_kv_heads > c->n_heads || c->n_heads % c->n_kv_heads)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                    "%s: n_kv_heads = %d does not divide n_heads = %d",
                    what, c->n_kv_heads, c->n_heads);
    c->head_size = c->dim / c->n_heads;
    if (c->head_size % 2)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                    "%s: head size dim/n_heads = %d is odd; RoPE rotates pairs",
                    what, c->head_size);
    c->kv_dim = c->n_kv_heads * c->head_size;
    return SWIGLU_OK;
}

/* 1-2. header and version: c->version, c->shared_classifier (version 1's
 * flag), *header (bytes), f[7] the seven int32 fields, *vocab (version 0:
 * its sign read as the classifier flag). */
static swiglu_status parse_header(sw_l2c_config *c, size_t *header, int32_t f[7], long long *vocab,
                                  const unsigned char *p, size_t size, char *msg, size_t cap)
{
    if (size >= 8 && (uint32_t)rd_i32(p) == SW_L2C_MAGIC) {
        c->version = 1;
        *header = SW_L2C_V1_HEADER;
        if (size < *header)
            return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                        "llama2.c file: %zu bytes, shorter than the %zu-byte version-1 header", size, *header);
        int32_t ver = rd_i32(p + 4);
        if (ver != 1)
            return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                        "llama2.c header: version = %d after the ak42 magic; only 1 is known", (int)ver);
        p += 8;
        if (p[28] > 1)
            return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                        "llama2.c header: shared_classifier flag = %u; must be 0 or 1", p[28]);
        c->shared_classifier = p[28];
    } else {
        c->version = 0;
        *header = 7 * sizeof(int32_t);
        if (size < *header)
            return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                        "llama2.c file: %zu bytes, shorter than the 28-byte header", size);
    }
    for (int i = 0; i < 7; i++) f[i] = rd_i32(p + 4 * i);
    *vocab = f[5];
    if (c->version == 0) {
        c->shared_classifier = *vocab > 0;
        if (*vocab < 0) *vocab = -*vocab;  /* int64: INT32_MIN is safe */
    }
    return SWIGLU_OK;
}


/* 5. the file is exactly as long as the header implies; *s the sizes */
static swiglu_status check_size(l2c_sizes *s, const sw_l2c_config *c, size_t size, char *msg, size_t cap)
{
    int which;
    if (!sizes_of(s, c, &which))
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                    "llama2.c header: weight sizes overflow (dim=%d hidden_dim=%d n_layers=%d vocab_size=%d seq_len=%d)",
                    c->dim, c->hidden_dim, c->n_layers, c->vocab_size, c->seq_len);
    size_t want = sw_l2c_file_size(c);
    if (want == 0)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "llama2.c header: file size overflows size_t");
    if (size < want)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                    "llama2.c file: %zu bytes, shorter than the %zu the header implies "
                    "(dim=%d hidden_dim=%d n_layers=%d n_heads=%d n_kv_heads=%d vocab_size=%d seq_len=%d, %s classifier): truncated",
                    size, want, c->dim, c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads,
                    c->vocab_size, c->seq_len, c->shared_classifier ? "shared" : "separate");
    if (size > want)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                    "llama2.c file: %zu bytes, longer than the %zu the header implies "
                    "(%zu trailing bytes; wrong vocab_size sign or seq_len?)",
                    size, want, size - want);
    return SWIGLU_OK;
}

/* The weight pointers into the file after the header, in each version's order. */
static sw_l2c_weights point_weights(const float *q, const sw_l2c_config *c, const l2c_sizes *s)
{
    sw_l2c_weights w;
    if (c->version == 0) {
        w.tok_emb = q;   q += s->emb;
        w.rms_att = q;   q += s->norm_l;
        w.wq = q;        q += s->wq;
        w.wk = q;        q += s->wkv;
        w.wv = q;        q += s->wkv;
        w.wo = q;        q += s->wo;
        w.rms_ffn = q;   q += s->norm_l;
        w.w1 = q;        q += s->w13;
        w.w2 = q;        q += s->w2;
        w.w3 = q;        q += s->w13;
        w.rms_final = q; q += s->final;
        q += s->rope;    /* freq_cis_real, freq_cis_imag: recomputed instead */
        w.wcls = c->shared_classifier ? w.tok_emb : q;
    } else {
        w.rms_att = q;   q += s->norm_l;
        w.rms_ffn = q;   q += s->norm_l;
        w.rms_final = q; q += s->final;
        w.tok_emb = q;   q += s->emb;
        w.wq = q;        q += s->wq;
        w.wk = q;        q += s->wkv;
        w.wv = q;        q += s->wkv;
        w.wo = q;        q += s->wo;
        w.w1 = q;        q += s->w13;
        w.w2 = q;        q += s->w2;
        w.w3 = q;        q += s->w13;
        w.wcls = c->shared_classifier ? w.tok_emb : q;
    }
    return w;
}

swiglu_status sw_l2c_parse(sw_l2c_model *m, const void *buf, size_t size, char *msg, size_t cap)
{
    SW_RETURN_IF(!m || (!buf && size), SWIGLU_ERR_NULL);
    sw_l2c_config c;
    memset(&c, 0, sizeof c);
    size_t header;
    int32_t f[7] = {0};
    long long vocab = 0;
    SW_FORWARD_IF_ERROR(parse_header(&c, &header, f, &vocab, buf, size, msg, cap));
    SW_FORWARD_IF_ERROR(config_check("llama2.c header", &c, f, vocab, msg, cap));   /* 3-4. ranges and structure */
    l2c_sizes s;
    SW_FORWARD_IF_ERROR(check_size(&s, &c, size, msg, cap));
    if ((uintptr_t)buf % sizeof(float))
        return sw_io_fail(msg, cap, SWIGLU_ERR_ARG, "llama2.c buffer is not 4-byte aligned");
    m->cfg = c;
    m->w = point_weights((const float *)((const unsigned char *)buf + header), &c, &s);
    return SWIGLU_OK;
}

swiglu_status sw_l2c_nonfinite(const sw_l2c_model *m, size_t *count, char *msg, size_t cap)
{
    SW_RETURN_IF(!m, SWIGLU_ERR_NULL);
    const sw_l2c_config *c = &m->cfg;
    const sw_l2c_weights *w = &m->w;
    const size_t D = (size_t)c->dim, H = (size_t)c->hidden_dim, L = (size_t)c->n_layers;
    const size_t V = (size_t)c->vocab_size, KV = (size_t)c->kv_dim;
    /* name, data, layers (0: not stacked), rows, columns */
    const struct { const char *name; const float *p; size_t layers, rows, cols; } t[] = {
        {"tok_emb", w->tok_emb, 0, V, D}, {"rms_att", w->rms_att, L, 1, D}, {"wq", w->wq, L, D, D},
        {"wk", w->wk, L, KV, D}, {"wv", w->wv, L, KV, D}, {"wo", w->wo, L, D, D},
        {"rms_ffn", w->rms_ffn, L, 1, D}, {"w1", w->w1, L, H, D}, {"w2", w->w2, L, D, H},
        {"w3", w->w3, L, H, D}, {"rms_final", w->rms_final, 0, 1, D},
        {"wcls", c->shared_classifier ? NULL : w->wcls, 0, V, D}};
    size_t total = 0;
    int named = 0;
    char first[96] = "";
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (!t[i].p) continue;
        size_t per = t[i].rows * t[i].cols, n = (t[i].layers ? t[i].layers : 1) * per, at;
        size_t k = sw_count_nonfinite(t[i].p, n, &at);
        if (k && !named) {
            named = 1;
            size_t l = at / per, r = at % per / t[i].cols, col = at % t[i].cols;
            float v = t[i].p[at];
            const char *vs = isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
            if (t[i].layers && t[i].rows > 1) snprintf(first, sizeof first, "%s[%zu][%zu][%zu] = %s", t[i].name, l, r, col, vs);
            else if (t[i].layers) snprintf(first, sizeof first, "%s[%zu][%zu] = %s", t[i].name, l, col, vs);
            else if (t[i].rows > 1) snprintf(first, sizeof first, "%s[%zu][%zu] = %s", t[i].name, r, col, vs);
            else snprintf(first, sizeof first, "%s[%zu] = %s", t[i].name, col, vs);
        }
        total += k;
    }
    if (count) *count = total;
    if (!total) return SWIGLU_OK;
    return sw_io_fail(msg, cap, SWIGLU_ERR_NONFINITE, "%zu non-finite weight%s (NaN or infinite; the first: %s)",
                      total, total == 1 ? "" : "s", first);
}

swiglu_status sw_l2c_open(sw_l2c_model *m, const char *path, char *msg, size_t cap)
{
    swiglu_status st = sw_l2c_open_unchecked(m, path, msg, cap);
    if (st) return st;
    char why[256];
    if ((st = sw_l2c_nonfinite(m, NULL, why, sizeof why))) {
        sw_l2c_close(m);
        return sw_io_fail(msg, cap, st, "%s: llama2.c file: %s", path, why);
    }
    return SWIGLU_OK;
}

swiglu_status sw_l2c_open_unchecked(sw_l2c_model *m, const char *path, char *msg, size_t cap)
{
    SW_RETURN_IF(!m || !path, SWIGLU_ERR_NULL);
    memset(m, 0, sizeof *m);
    void *map;
    size_t size;
    SW_FORWARD_IF_ERROR(sw_map_file(&map, &size, path, "llama2.c checkpoint", msg, cap));
    swiglu_status s = sw_l2c_parse(m, map, size, msg, cap);
    if (s != SWIGLU_OK) {
        munmap(map, size);
        memset(m, 0, sizeof *m);
        return s;
    }
    m->map = map;
    m->map_size = size;
    return SWIGLU_OK;
}

swiglu_status sw_l2c_config_check(sw_l2c_config *c, const char *what, char *msg, size_t cap)
{
    SW_RETURN_IF(!c || !what, SWIGLU_ERR_NULL);
    sw_l2c_config v = {0};
    const int32_t f[7] = {c->dim, c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads, c->vocab_size, c->seq_len};
    SW_FORWARD_IF_ERROR(config_check(what, &v, f, c->vocab_size, msg, cap));
    /* written as !(a < x) so that a NaN fails too */
    if (c->rope_theta != 0 && !(c->rope_theta > 1 && isfinite(c->rope_theta)))
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "%s: RoPE base %g is not a finite number above 1", what, (double)c->rope_theta);
    if (c->rms_eps != 0 && !(c->rms_eps > 0 && c->rms_eps < 1))
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "%s: RMSNorm epsilon %g is not in (0, 1)", what, (double)c->rms_eps);
    v.rope_theta = c->rope_theta;
    v.rms_eps = c->rms_eps;
    v.version = 1;
    v.shared_classifier = c->shared_classifier ? 1 : 0;
    *c = v;
    return SWIGLU_OK;
}

swiglu_status sw_l2c_alloc(sw_l2c_model *m, const sw_l2c_config *c, const char *what, char *msg, size_t cap)
{
    SW_RETURN_IF(!m || !c || !what, SWIGLU_ERR_NULL);
    memset(m, 0, sizeof *m);
    sw_l2c_config v = *c;
    SW_FORWARD_IF_ERROR(sw_l2c_config_check(&v, what, msg, cap));
    l2c_sizes s;
    int which;
    size_t size = sizes_of(&s, &v, &which) ? sw_l2c_file_size(&v) : 0;
    if (size == 0) return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "%s: weight sizes overflow", what);
    /* a version-1 file in memory (header, then zeroed weights), pointed by
     * the file parser itself: one layout, one set of checks */
    unsigned char *buf = calloc(1, size);
    if (!buf) return sw_io_fail(msg, cap, SWIGLU_ERR_ALLOC, "%s: out of memory for %zu bytes of weights", what, size);
    uint32_t head[9] = {SW_L2C_MAGIC, 1, (uint32_t)v.dim, (uint32_t)v.hidden_dim, (uint32_t)v.n_layers,
                        (uint32_t)v.n_heads, (uint32_t)v.n_kv_heads, (uint32_t)v.vocab_size, (uint32_t)v.seq_len};
    for (int i = 0; i < 9; i++)   /* little-endian, as the format is */
        for (int b = 0; b < 4; b++) buf[4 * i + b] = (unsigned char)(head[i] >> (8 * b));
    buf[36] = (unsigned char)v.shared_classifier;
    swiglu_status st = sw_l2c_parse(m, buf, size, msg, cap);
    if (st != SWIGLU_OK) { free(buf); memset(m, 0, sizeof *m); return st; }
    m->owned = buf;
    m->cfg.rope_theta = v.rope_theta;   /* not in the header: carried over */
    m->cfg.rms_eps = v.rms_eps;
    return SWIGLU_OK;
}

void sw_l2c_close(sw_l2c_model *m)
{
    if (!m) return;
    if (m->map) munmap(m->map, m->map_size);
    free(m->owned);
    memset(m, 0, sizeof *m);
}

static int put(FILE *f, const void *p, size_t bytes) { return fwrite(p, 1, bytes, f) == bytes; }

/* m's file as `version` into f (c: m's config as that version, s its
 * sizes): 1 when every write succeeded. */
static int put_model(FILE *f, const sw_l2c_model *m, sw_l2c_config c, const l2c_sizes s, int version)
{
    int ok = 1;
    int32_t h[7] = {c.dim, c.hidden_dim, c.n_layers, c.n_heads, c.n_kv_heads, c.vocab_size, c.seq_len};
    const sw_l2c_weights *w = &m->w;
    const size_t F = sizeof(float);
    if (version == 0) {
        if (!c.shared_classifier) h[5] = -h[5];
        ok = ok && put(f, h, sizeof h);
        ok = ok && put(f, w->tok_emb, s.emb * F) && put(f, w->rms_att, s.norm_l * F);
        ok = ok && put(f, w->wq, s.wq * F) && put(f, w->wk, s.wkv * F) && put(f, w->wv, s.wkv * F);
        ok = ok && put(f, w->wo, s.wo * F) && put(f, w->rms_ffn, s.norm_l * F);
        ok = ok && put(f, w->w1, s.w13 * F) && put(f, w->w2, s.w2 * F) && put(f, w->w3, s.w13 * F);
        ok = ok && put(f, w->rms_final, s.final * F);
        /* RoPE tables as llama2.c's export writes them: cos, then sin of
         * pos * 10000^(-2i/hs), [S][hs/2] each. Readers skip them. */
        for (int t = 0; ok && t < 2; t++)
            for (int pos = 0; ok && pos < c.seq_len; pos++)
                for (int i = 0; ok && i < c.head_size / 2; i++) {
                    double fr = pos * pow(10000.0, -2.0 * i / c.head_size);
                    float v = (float)(t == 0 ? cos(fr) : sin(fr));
                    ok = put(f, &v, F);
                }
    } else {
        unsigned char hdr[SW_L2C_V1_HEADER];
        memset(hdr, 0, sizeof hdr);
        uint32_t magic = SW_L2C_MAGIC;
        int32_t ver = 1;
        memcpy(hdr, &magic, 4);
        memcpy(hdr + 4, &ver, 4);
        memcpy(hdr + 8, h, sizeof h);
        hdr[36] = (unsigned char)(c.shared_classifier != 0);
        ok = ok && put(f, hdr, sizeof hdr);
        ok = ok && put(f, w->rms_att, s.norm_l * F) && put(f, w->rms_ffn, s.norm_l * F);
        ok = ok && put(f, w->rms_final, s.final * F) && put(f, w->tok_emb, s.emb * F);
        ok = ok && put(f, w->wq, s.wq * F) && put(f, w->wk, s.wkv * F) && put(f, w->wv, s.wkv * F);
        ok = ok && put(f, w->wo, s.wo * F);
        ok = ok && put(f, w->w1, s.w13 * F) && put(f, w->w2, s.w2 * F) && put(f, w->w3, s.w13 * F);
    }
    if (!c.shared_classifier) ok = ok && put(f, w->wcls, s.cls * F);
    return ok;
}

/* m's config as `version` and its sizes; SWIGLU_ERR_SIZE on overflow */
static swiglu_status write_plan(sw_l2c_config *c, l2c_sizes *s, const sw_l2c_model *m, int version,
                                char *msg, size_t cap)
{
    SW_RETURN_IF(version != 0 && version != 1, SWIGLU_ERR_ARG);
    if ((m->cfg.rope_theta != 0 && m->cfg.rope_theta != 10000.0f) || (m->cfg.rms_eps != 0 && m->cfg.rms_eps != 1e-5f))
        return sw_io_fail(msg, cap, SWIGLU_ERR_UNSUPPORTED,
                          "RoPE base %g and RMSNorm epsilon %g: a llama2.c file holds neither (run.c hard-codes 10000 and 1e-5)",
                          (double)m->cfg.rope_theta, (double)m->cfg.rms_eps);
    *c = m->cfg;
    c->version = version;
    int which;
    if (!sizes_of(s, c, &which)) return sw_io_fail(msg, cap, SWIGLU_ERR_SIZE, "model sizes overflow");
    return SWIGLU_OK;
}

swiglu_status sw_l2c_write(const sw_l2c_model *m, int version, const char *path,
                           char *msg, size_t cap)
{
    SW_RETURN_IF(!m || !path, SWIGLU_ERR_NULL);
    sw_l2c_config c;
    l2c_sizes s;
    SW_FORWARD_IF_ERROR(write_plan(&c, &s, m, version, msg, cap));
    FILE *f = fopen(path, "wb");
    if (!f) return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "%s: %s", path, strerror(errno));
    int ok = put_model(f, m, c, s, version);
    if (fclose(f) != 0) ok = 0;
    if (!ok) return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "%s: write failed", path);
    return SWIGLU_OK;
}

swiglu_status sw_l2c_write_stream(const sw_l2c_model *m, int version, FILE *f, char *msg, size_t cap)
{
    SW_RETURN_IF(!m || !f, SWIGLU_ERR_NULL);
    sw_l2c_config c;
    l2c_sizes s;
    SW_FORWARD_IF_ERROR(write_plan(&c, &s, m, version, msg, cap));
    /* a failed write leaves f's error flag set: sw_atomic_commit reports it */
    put_model(f, m, c, s, version);
    return SWIGLU_OK;
}
