/* checkpoint.c -- versioned checkpoint files: write atomically, read with
 * every check named (format: docs/FORMATS.md). Little-endian hosts.
 *
 * Header (32 bytes): magic "SWGLCKPT", u32 version, u32 header bytes,
 * u64 payload bytes, u32 CRC-32 of the payload, u32 flags (0).
 * Payload: model config, train config, state (step, RNG), data identity,
 * parameters, AdamW moments m and v. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/internal.h"
#include "model/checkpoint.h"
#include "io/io_util.h"
#include "io/crc32.h"
#include "model/trainer.h"

/* ---- a byte writer and a bounds-checked reader --------------------------- */

typedef struct wbuf { unsigned char *p; size_t len; } wbuf;   /* p NULL: measure only */
static void w_bytes(wbuf *w, const void *src, size_t n)
{
    if (w->p) memcpy(w->p + w->len, src, n);
    w->len += n;
}
static void w_u32(wbuf *w, uint32_t v) { w_bytes(w, &v, 4); }
static void w_u64(wbuf *w, uint64_t v) { w_bytes(w, &v, 8); }
static void w_i64(wbuf *w, long long v) { int64_t x = v; w_bytes(w, &x, 8); }
static void w_f32(wbuf *w, float v) { w_bytes(w, &v, 4); }
static void w_f64(wbuf *w, double v) { w_bytes(w, &v, 8); }

typedef struct rbuf { const unsigned char *p; size_t len, pos; int bad; } rbuf;
static void r_bytes(rbuf *r, void *dst, size_t n)
{
    if (r->bad || r->len - r->pos < n) { r->bad = 1; memset(dst, 0, n); return; }
    memcpy(dst, r->p + r->pos, n);
    r->pos += n;
}
static uint32_t r_u32(rbuf *r) { uint32_t v; r_bytes(r, &v, 4); return v; }
static uint64_t r_u64(rbuf *r) { uint64_t v; r_bytes(r, &v, 8); return v; }
static long long r_i64(rbuf *r) { int64_t v; r_bytes(r, &v, 8); return (long long)v; }
static float r_f32(rbuf *r) { float v; r_bytes(r, &v, 4); return v; }
static double r_f64(rbuf *r) { double v; r_bytes(r, &v, 8); return v; }

/* ---- the payload ------------------------------------------------------------ */

static void put_payload(wbuf *w, const sw_trainer *t)
{
    const sw_model *m = t->model;
    const sw_model_config *c = &m->cfg;
    const sw_train_config *tc = &t->tc;
    /* model config */
    w_u32(w, (uint32_t)c->vocab); w_u32(w, (uint32_t)c->n_layer); w_u32(w, (uint32_t)c->n_head);
    w_u32(w, (uint32_t)c->n_kv_head); w_u32(w, (uint32_t)c->d_model); w_u32(w, (uint32_t)c->d_ff);
    w_u32(w, (uint32_t)c->seq_len); w_u32(w, (uint32_t)c->ffn); w_u32(w, (uint32_t)c->learn_beta);
    w_u32(w, (uint32_t)c->tied); w_u32(w, (uint32_t)c->bf16);
    w_f32(w, c->ffn_beta); w_f32(w, c->rms_eps); w_f32(w, c->rope_theta); w_f32(w, c->dropout);
    w_f32(w, c->init_std); w_u32(w, (uint32_t)c->init_scheme);   /* the scheme: since version 2 */
    /* train config */
    w_u32(w, (uint32_t)tc->batch); w_u32(w, (uint32_t)tc->accum);
    w_i64(w, tc->steps); w_i64(w, tc->warmup); w_i64(w, tc->decay_steps);
    w_f64(w, tc->lr); w_f64(w, tc->min_lr);
    w_f32(w, tc->beta1); w_f32(w, tc->beta2); w_f32(w, tc->eps); w_f32(w, tc->weight_decay);
    w_f32(w, tc->grad_clip);
    w_u32(w, (uint32_t)tc->eval_every); w_u32(w, (uint32_t)tc->eval_batches); w_u64(w, tc->seed);
    /* state */
    w_i64(w, t->step); w_u64(w, t->rng); w_f64(w, t->last_lr); w_f64(w, t->last_norm);
    /* data identity */
    w_u32(w, (uint32_t)t->mode); w_u32(w, (uint32_t)t->vocab); w_bytes(w, t->itos, 256);
    w_u32(w, t->data_crc); w_u64(w, t->data_bytes);
    /* tensors */
    w_u64(w, m->n_params);
    w_bytes(w, m->params, m->n_params * sizeof(float));
    w_bytes(w, t->m, m->n_params * sizeof(float));
    w_bytes(w, t->v, m->n_params * sizeof(float));
}

typedef struct ckpt {
    unsigned char *file; size_t size;
    sw_model_config mc; sw_train_config tc;
    long long step; uint64_t rng; double last_lr, last_norm;
    uint32_t mode, vocab; uint8_t itos[256]; uint32_t data_crc; uint64_t data_bytes;
    uint64_t n_params;
    const unsigned char *params, *m, *v;   /* unaligned: memcpy out */
} ckpt;

/* The whole file into k->file [k->size]. */
static swiglu_status read_whole(ckpt *k, const char *path, char *err, size_t cap)
{
    memset(k, 0, sizeof *k);
    FILE *f = fopen(path, "rb");
    if (!f) return sw_io_fail(err, cap, SWIGLU_ERR_IO, "cannot open checkpoint '%s': %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return sw_io_fail(err, cap, SWIGLU_ERR_IO, "checkpoint '%s' is not a regular file", path);
    }
    k->size = (size_t)sb.st_size;
    k->file = malloc(k->size ? k->size : 1);
    if (!k->file) { fclose(f); return sw_io_fail(err, cap, SWIGLU_ERR_ALLOC, "out of memory reading '%s'", path); }
    if (fread(k->file, 1, k->size, f) != k->size) {
        fclose(f);
        return sw_io_fail(err, cap, SWIGLU_ERR_IO, "cannot read checkpoint '%s'", path);
    }
    fclose(f);
    return SWIGLU_OK;
}

/* The 32-byte header against the file: magic, version (into *version),
 * sizes (the payload's into *pbytes), the payload's CRC. */
static swiglu_status check_header(const ckpt *k, uint32_t *version_out, uint64_t *pbytes_out, const char *path,
                                  char *err, size_t cap)
{
    const unsigned char *p = k->file;
    size_t mlen = strlen(SW_CKPT_MAGIC);
    if (k->size < mlen || memcmp(p, SW_CKPT_MAGIC, mlen) != 0)
        return sw_io_fail(err, cap, SWIGLU_ERR_FORMAT, "'%s' is not a swiglu checkpoint (bad magic)", path);
    if (k->size < SW_CKPT_HEADER_BYTES)
        return sw_io_fail(err, cap, SWIGLU_ERR_FORMAT, "checkpoint '%s' is truncated: %zu bytes, the header alone is %u",
                    path, k->size, SW_CKPT_HEADER_BYTES);
    uint32_t version, hbytes, crc, flags;
    uint64_t pbytes;
    memcpy(&version, p + 8, 4); memcpy(&hbytes, p + 12, 4); memcpy(&pbytes, p + 16, 8);
    memcpy(&crc, p + 24, 4); memcpy(&flags, p + 28, 4);
    if (version != SW_CKPT_VERSION && version != 1)
        return sw_io_fail(err, cap, SWIGLU_ERR_FORMAT, "checkpoint '%s' has format version %u; this build reads versions 1 to %u",
                    path, version, SW_CKPT_VERSION);
    if (hbytes != SW_CKPT_HEADER_BYTES || flags != 0)
        return sw_io_fail(err, cap, SWIGLU_ERR_FORMAT, "checkpoint '%s' has a malformed header", path);
    if (k->size - SW_CKPT_HEADER_BYTES < pbytes)
        return sw_io_fail(err, cap, SWIGLU_ERR_FORMAT, "checkpoint '%s' is truncated: %zu bytes, the header says %llu",
                    path, k->size, (unsigned long long)(pbytes + SW_CKPT_HEADER_BYTES));
    if (k->size - SW_CKPT_HEADER_BYTES > pbytes)
        return sw_io_fail(err, cap, SWIGLU_ERR_FORMAT, "checkpoint '%s' has %llu bytes of trailing garbage",
                    path, (unsigned long long)(k->size - SW_CKPT_HEADER_BYTES - pbytes));
    uint32_t got = sw_crc32(0, p + SW_CKPT_HEADER_BYTES, (size_t)pbytes);
    if (got != crc)
        return sw_io_fail(err, cap, SWIGLU_ERR_FORMAT, "checkpoint '%s' is corrupt: CRC-32 of the payload is %08x, the header says %08x",
                    path, got, crc);
    *version_out = version;
    *pbytes_out = pbytes;
    return SWIGLU_OK;
}

/* The payload: configurations, step, rng, data identity, then the three
 * tensors (pointed at, not copied), whose size must be what is left. */
static swiglu_status parse_payload(ckpt *k, uint32_t version, uint64_t pbytes, const char *path, char *err, size_t cap)
{
    const unsigned char *p = k->file;
    rbuf r = {p + SW_CKPT_HEADER_BYTES, (size_t)pbytes, 0, 0};
    sw_model_config *c = &k->mc;
    c->vocab = (int)r_u32(&r); c->n_layer = (int)r_u32(&r); c->n_head = (int)r_u32(&r);
    c->n_kv_head = (int)r_u32(&r); c->d_model = (int)r_u32(&r); c->d_ff = (int)r_u32(&r);
    c->seq_len = (int)r_u32(&r); c->ffn = (swiglu_ffn_variant)r_u32(&r); c->learn_beta = (int)r_u32(&r);
    c->tied = (int)r_u32(&r); c->bf16 = (int)r_u32(&r);
    c->ffn_beta = r_f32(&r); c->rms_eps = r_f32(&r); c->rope_theta = r_f32(&r); c->dropout = r_f32(&r);
    c->init_std = r_f32(&r);
    c->init_scheme = version >= 2 ? (int)r_u32(&r) : SW_INIT_GPT2;   /* version 1 had only gpt2 */
    sw_train_config *tc = &k->tc;
    tc->batch = (int)r_u32(&r); tc->accum = (int)r_u32(&r);
    tc->steps = r_i64(&r); tc->warmup = r_i64(&r); tc->decay_steps = r_i64(&r);
    tc->lr = r_f64(&r); tc->min_lr = r_f64(&r);
    tc->beta1 = r_f32(&r); tc->beta2 = r_f32(&r); tc->eps = r_f32(&r); tc->weight_decay = r_f32(&r);
    tc->grad_clip = r_f32(&r);
    tc->eval_every = (int)r_u32(&r); tc->eval_batches = (int)r_u32(&r); tc->seed = r_u64(&r);
    tc->split = 1;   /* a run setting, not in the file (sw_train_config) */
    k->step = r_i64(&r); k->rng = r_u64(&r); k->last_lr = r_f64(&r); k->last_norm = r_f64(&r);
    k->mode = r_u32(&r); k->vocab = r_u32(&r); r_bytes(&r, k->itos, 256);
    k->data_crc = r_u32(&r); k->data_bytes = r_u64(&r);
    k->n_params = r_u64(&r);
    if (r.bad || k->n_params > (r.len - r.pos) / (3 * sizeof(float)) ||
        r.len - r.pos != k->n_params * 3 * sizeof(float))
        return sw_io_fail(err, cap, SWIGLU_ERR_FORMAT, "checkpoint '%s' is malformed: the tensor section does not match its size", path);
    k->params = r.p + r.pos;
    k->m = k->params + k->n_params * sizeof(float);
    k->v = k->m + k->n_params * sizeof(float);
    return SWIGLU_OK;
}

/* The configurations valid, and their parameter count the file's. */
static swiglu_status check_config(const ckpt *k, const char *path, char *err, size_t cap)
{
    const sw_model_config *c = &k->mc;
    const sw_train_config *tc = &k->tc;
    char why[160] = "";
    if (sw_model_config_check(c, why, sizeof why) == SWIGLU_OK && sw_train_config_check(tc, why, sizeof why) == SWIGLU_OK) {
        if ((int)k->vocab != c->vocab)
            snprintf(why, sizeof why, "the data's vocabulary is %u tokens, the model's %d", k->vocab, c->vocab);
        else if (k->mode > 1)
            snprintf(why, sizeof why, "token mode %u (0 byte, 1 char)", k->mode);
        else if (k->step < 0)
            snprintf(why, sizeof why, "step %lld < 0", k->step);
    }
    if (why[0])
        return sw_io_fail(err, cap, SWIGLU_ERR_FORMAT, "checkpoint '%s' holds an invalid configuration (%s)", path, why);
    /* before anything is allocated for it: the configuration's size must be the file's */
    size_t need;
    if (sw_model_config_param_count(&need, c) != SWIGLU_OK)
        return sw_io_fail(err, cap, SWIGLU_ERR_FORMAT, "checkpoint '%s' holds an invalid configuration (model too large)", path);
    if (need != k->n_params)
        return sw_io_fail(err, cap, SWIGLU_ERR_FORMAT, "checkpoint '%s' holds %llu parameters, its configuration needs %zu",
                    path, (unsigned long long)k->n_params, need);
    return SWIGLU_OK;
}

/* Reads and checks the whole file: magic, version, sizes, CRC, then parses. */
static swiglu_status ckpt_read(ckpt *k, const char *path, char *err, size_t cap)
{
    uint32_t version = 0;
    uint64_t pbytes = 0;
    SW_FORWARD_IF_ERROR(read_whole(k, path, err, cap));
    SW_FORWARD_IF_ERROR(check_header(k, &version, &pbytes, path, err, cap));
    SW_FORWARD_IF_ERROR(parse_payload(k, version, pbytes, path, err, cap));
    return check_config(k, path, err, cap);
}

/* SWIGLU_OK when every value of the tensors at base (laid out as m's
 * parameters: the weights, or an AdamW moment) is finite; else the count
 * and the first one by tensor name and index, in err. */
static swiglu_status check_finite(const sw_model *m, const unsigned char *base, const char *what,
                                  const char *path, char *err, size_t cap)
{
    size_t total = 0;
    char first[96] = "";
    for (size_t i = 0; i < m->n_tensors; i++) {
        const sw_tensor *t = &m->tensors[i];
        size_t at, k;
        /* the file's bytes are not aligned for float: checked in pieces */
        float buf[1024];
        k = 0; at = t->numel;
        for (size_t o = 0; o < t->numel; o += 1024) {
            size_t n = t->numel - o < 1024 ? t->numel - o : 1024, a;
            memcpy(buf, base + (t->offset + o) * sizeof(float), n * sizeof(float));
            size_t c = sw_count_nonfinite(buf, n, &a);
            if (c && at == t->numel) at = o + a;
            k += c;
        }
        if (k && !first[0]) {
            float v;
            memcpy(&v, base + (t->offset + at) * sizeof(float), sizeof v);
            snprintf(first, sizeof first, "%s[%zu] = %s", t->name, at, isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
        }
        total += k;
    }
    if (!total) return SWIGLU_OK;
    return sw_io_fail(err, cap, SWIGLU_ERR_NONFINITE, "checkpoint '%s' holds %zu non-finite %s%s (NaN or infinite; the first: %s)",
                      path, total, what, total == 1 ? "" : "s", first);
}

/* ---- save ------------------------------------------------------------------ */

swiglu_status sw_trainer_save(const sw_trainer *t, const char *path, char *err, size_t cap)
{
    swiglu_status cst = sw_out_check(path, err, cap);
    if (cst) return cst;
    wbuf w = {NULL, 0};
    put_payload(&w, t);
    size_t plen = w.len, total = SW_CKPT_HEADER_BYTES + plen;
    unsigned char *buf = malloc(total);
    if (!buf) return sw_io_fail(err, cap, SWIGLU_ERR_ALLOC, "out of memory writing '%s'", path);
    w.p = buf + SW_CKPT_HEADER_BYTES; w.len = 0;
    put_payload(&w, t);
    uint32_t version = SW_CKPT_VERSION, hbytes = SW_CKPT_HEADER_BYTES, flags = 0;
    uint64_t pbytes = plen;
    uint32_t crc = sw_crc32(0, buf + SW_CKPT_HEADER_BYTES, plen);
    memcpy(buf, SW_CKPT_MAGIC, 8);
    memcpy(buf + 8, &version, 4); memcpy(buf + 12, &hbytes, 4); memcpy(buf + 16, &pbytes, 8);
    memcpy(buf + 24, &crc, 4); memcpy(buf + 28, &flags, 4);

    /* atomic (io/io_util.h): a temporary beside path, fsync, rename, fsync the folder */
    swiglu_status st = sw_atomic_write(path, buf, total, "checkpoint", err, cap);
    free(buf);
    return st;
}

/* ---- load ------------------------------------------------------------------ */

swiglu_status sw_trainer_load(sw_trainer **out, const char *path, const sw_dataset *data,
                              char *err, size_t cap)
{
    *out = NULL;
    ckpt k;
    swiglu_status st = ckpt_read(&k, path, err, cap);
    if (st) { free(k.file); return st; }
    if (data->crc == k.data_crc && data->file_bytes == k.data_bytes && (uint32_t)data->mode == k.mode &&
        ((uint32_t)data->vocab != k.vocab || memcmp(data->itos, k.itos, k.vocab))) {
        /* the same file, the same mode: only the stored vocabulary can differ */
        free(k.file);
        return sw_io_fail(err, cap, SWIGLU_ERR_FORMAT,
                          "checkpoint '%s' holds a vocabulary (token-to-byte table) other than this data's %s tokens",
                          path, data->mode ? "char" : "byte");
    }
    if ((uint32_t)data->mode != k.mode || data->crc != k.data_crc || data->file_bytes != k.data_bytes) {
        st = sw_io_fail(err, cap, SWIGLU_ERR_ARG,
                  "checkpoint '%s' was trained on other data (%llu bytes, CRC-32 %08x, %s tokens); this data is %llu bytes, CRC-32 %08x, %s tokens",
                  path, (unsigned long long)k.data_bytes, k.data_crc, k.mode ? "char" : "byte",
                  (unsigned long long)data->file_bytes, data->crc, data->mode ? "char" : "byte");
        free(k.file);
        return st;
    }
    sw_trainer *t;
    if ((st = sw_trainer_create(&t, &k.mc, &k.tc, data, err, cap))) { free(k.file); return st; }
    if ((st = check_finite(t->model, k.params, "weight", path, err, cap)) ||
        (st = check_finite(t->model, k.m, "AdamW first moment", path, err, cap)) ||
        (st = check_finite(t->model, k.v, "AdamW second moment", path, err, cap))) {
        sw_trainer_free(t);
        free(k.file);
        return st;
    }
    size_t n = t->model->n_params * sizeof(float);
    memcpy(t->model->params, k.params, n);
    memcpy(t->m, k.m, n);
    memcpy(t->v, k.v, n);
    t->step = k.step; t->rng = k.rng; t->last_lr = k.last_lr; t->last_norm = k.last_norm;
    free(k.file);
    *out = t;
    return SWIGLU_OK;
}

swiglu_status sw_checkpoint_read_config(sw_model_config *mc, sw_tokens *mode, long long *step,
                                        const char *path, char *err, size_t cap)
{
    ckpt k;
    swiglu_status st = ckpt_read(&k, path, err, cap);
    if (st == SWIGLU_OK) {
        *mc = k.mc;
        if (mode) *mode = (sw_tokens)k.mode;
        if (step) *step = k.step;
    }
    free(k.file);
    return st;
}

int sw_checkpoint_is_ours(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    char magic[8];
    int ours = fread(magic, 1, sizeof magic, f) == sizeof magic && !memcmp(magic, SW_CKPT_MAGIC, 8);
    fclose(f);
    return ours;
}

swiglu_status sw_checkpoint_load_model(sw_model **out, size_t Bmax, uint8_t itos[256], int *vocab,
                                       sw_tokens *mode, long long *step, const char *path,
                                       char *err, size_t cap)
{
    swiglu_status st = sw_checkpoint_load_model_unchecked(out, Bmax, itos, vocab, mode, step, path, err, cap);
    if (st) return st;
    size_t n = sw_model_nonfinite(*out);
    if (n) {
        /* names the tensor: the same check as a resume's, on the loaded weights */
        st = check_finite(*out, (const unsigned char *)(*out)->params, "weight", path, err, cap);
        sw_model_free(*out);
        *out = NULL;
    }
    return st;
}

swiglu_status sw_checkpoint_load_model_unchecked(sw_model **out, size_t Bmax, uint8_t itos[256], int *vocab,
                                                 sw_tokens *mode, long long *step, const char *path,
                                                 char *err, size_t cap)
{
    *out = NULL;
    ckpt k;
    swiglu_status st = ckpt_read(&k, path, err, cap);
    if (st) { free(k.file); return st; }
    sw_model *m;
    if ((st = sw_model_create(&m, &k.mc, Bmax, 0))) {
        free(k.file);
        return sw_io_fail(err, cap, st, "cannot create the model of '%s': %s", path, swiglu_status_str(st));
    }
    memcpy(m->params, k.params, m->n_params * sizeof(float));
    memcpy(itos, k.itos, 256);
    *vocab = (int)k.vocab;
    *mode = (sw_tokens)k.mode;
    if (step) *step = k.step;
    free(k.file);
    *out = m;
    return SWIGLU_OK;
}
