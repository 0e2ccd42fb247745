/* tokenizer.c -- llama2.c tokenizer.bin reader, BPE encoder, decoder
 * (format and algorithm: tokenizer.h).
 *
 * Tokens are compared as byte strings with their stored lengths (not as C
 * strings), so a token holding a NUL byte is still found whole.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "core/internal.h"
#include "io/hf_tokenizer.h"
#include "io/tokenizer.h"
#include "io/io_util.h"

static uint32_t rd_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Byte-string order: memcmp on the common prefix, then shorter first. */
static int bytes_cmp(const char *a, size_t na, const char *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    if (c) return c;
    return (na > nb) - (na < nb);
}

typedef struct tok_key { const char *s; int len, id; } tok_key;

static int key_cmp(const void *pa, const void *pb)
{
    const tok_key *a = pa, *b = pb;
    int c = bytes_cmp(a->s, (size_t)a->len, b->s, (size_t)b->len);
    if (c) return c;
    return (a->id > b->id) - (a->id < b->id);
}

void sw_tok_free(sw_tokenizer *t)
{
    if (!t) return;
    free(t->vocab); free(t->len); free(t->scores); free(t->sorted); free(t->blob);
    memset(t, 0, sizeof *t);
}

/* Pass 1: validates every record (up to vocab_size of them, 0: all),
 * counts the tokens (*count) and the bytes their strings need (*bytes);
 * *end: where the last one read ends. */
static swiglu_status scan_records(size_t *count_out, size_t *bytes_out, size_t *end, const unsigned char *p, size_t size,
                                  uint32_t maxlen, int vocab_size, char *msg, size_t cap)
{
    size_t off = 4, count = 0, bytes = 0;
    while (off < size && (vocab_size == 0 || count < (size_t)vocab_size)) {
        if (size - off < 8)
            return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                        "tokenizer: token %zu: record truncated (%zu bytes left, score and length need 8)",
                        count, size - off);
        float score;
        memcpy(&score, p + off, 4);
        int32_t len = (int32_t)rd_u32(p + off + 4);
        if (!isfinite(score))
            return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "tokenizer: token %zu: score is not finite", count);
        if (len < 0)
            return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "tokenizer: token %zu: length = %d is negative",
                        count, (int)len);
        if ((uint32_t)len > maxlen)
            return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                        "tokenizer: token %zu: length = %d exceeds max_token_length = %u",
                        count, (int)len, maxlen);
        off += 8;
        if ((size_t)len > size - off)
            return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                        "tokenizer: token %zu: length = %d runs past the end of the file (%zu bytes left)",
                        count, (int)len, size - off);
        off += (size_t)len;
        bytes += (size_t)len + 1;
        count++;
        if (count > SW_TOK_MAX_VOCAB)
            return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "tokenizer: more than %d tokens", SW_TOK_MAX_VOCAB);
    }
    *count_out = count;
    *bytes_out = bytes;
    *end = off;
    return SWIGLU_OK;
}

/* The count against the ids encode needs and the model's vocab_size, and
 * the file against the end of the last token read. */
static swiglu_status check_count(size_t count, size_t off, size_t size, int vocab_size, char *msg, size_t cap)
{
    if (count == 0) return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "tokenizer: file holds no tokens");
    /* found by tests/fuzz/fuzz_tokenizer.c: encode writes <s> (id 1) and
     * </s> (id 2), which a shorter vocabulary does not hold */
    if (count <= SW_TOK_EOS)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                    "tokenizer: file holds %zu tokens; ids 0-2 must be <unk>, <s>, </s>", count);
    if (vocab_size > 0 && count < (size_t)vocab_size)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                    "tokenizer: file holds %zu tokens, fewer than the model's vocab_size = %d "
                    "(this model needs its own %d-token tokenizer)",
                    count, vocab_size, vocab_size);
    if (off != size)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                    "tokenizer: %zu trailing bytes after token %zu: more tokens than the model's vocab_size = %d "
                    "(this model needs its own %d-token tokenizer)",
                    size - off, count - 1, vocab_size, vocab_size);

    return SWIGLU_OK;
}

/* Pass 2: the records copied into t (strings in one blob, NUL-terminated),
 * the ids sorted by string for lookups. */
static swiglu_status copy_records(sw_tokenizer *t, const unsigned char *p, size_t count, size_t bytes, uint32_t maxlen)
{
    t->vocab_size = (int)count;
    t->max_token_length = (int)maxlen;
    t->vocab = malloc(count * sizeof *t->vocab);
    t->len = malloc(count * sizeof *t->len);
    t->scores = malloc(count * sizeof *t->scores);
    t->sorted = malloc(count * sizeof *t->sorted);
    t->blob = malloc(bytes);
    tok_key *keys = malloc(count * sizeof *keys);
    if (!t->vocab || !t->len || !t->scores || !t->sorted || !t->blob || !keys) {
        free(keys);
        sw_tok_free(t);
        return SWIGLU_ERR_ALLOC;
    }
    size_t off = 4;
    char *b = t->blob;
    for (size_t i = 0; i < count; i++) {
        memcpy(&t->scores[i], p + off, 4);
        int32_t len = (int32_t)rd_u32(p + off + 4);
        off += 8;
        memcpy(b, p + off, (size_t)len);
        b[len] = '\0';
        t->vocab[i] = b;
        t->len[i] = len;
        b += len + 1;
        off += (size_t)len;
        keys[i] = (tok_key){t->vocab[i], len, (int)i};
    }
    qsort(keys, count, sizeof *keys, key_cmp);
    for (size_t i = 0; i < count; i++) t->sorted[i] = keys[i].id;
    free(keys);

    return SWIGLU_OK;
}

swiglu_status sw_tok_parse(sw_tokenizer *t, const void *buf, size_t size, int vocab_size,
                           char *msg, size_t cap)
{
    SW_RETURN_IF(!t || (!buf && size), SWIGLU_ERR_NULL);
    memset(t, 0, sizeof *t);
    if (vocab_size < 0 || vocab_size > SW_TOK_MAX_VOCAB)
        return sw_io_fail(msg, cap, SWIGLU_ERR_ARG, "tokenizer: vocab_size = %d out of range", vocab_size);
    const unsigned char *p = buf;
    if (size < 4)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                    "tokenizer: %zu bytes, shorter than the 4-byte max_token_length header", size);
    uint32_t maxlen = rd_u32(p);
    if (maxlen == 0)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "tokenizer header: max_token_length is 0");
    if (maxlen > SW_TOK_MAX_LEN)
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT,
                    "tokenizer header: max_token_length = %u is absurd (more than %d)",
                    maxlen, SW_TOK_MAX_LEN);

    size_t count = 0, bytes = 0, off = 0;
    SW_FORWARD_IF_ERROR(scan_records(&count, &bytes, &off, p, size, maxlen, vocab_size, msg, cap));
    SW_FORWARD_IF_ERROR(check_count(count, off, size, vocab_size, msg, cap));
    SW_FORWARD_IF_ERROR(copy_records(t, p, count, bytes, maxlen));
    for (int c = 0; c < 256; c++) {
        char name[8];
        snprintf(name, sizeof name, "<0x%02X>", c);
        t->byte_id[c] = sw_tok_lookup(t, name, 6);
        t->byte_piece[c][0] = (unsigned char)c;
        t->byte_piece[c][1] = 0;
    }
    t->space_id = sw_tok_lookup(t, " ", 1);
    return SWIGLU_OK;
}

swiglu_status sw_tok_load(sw_tokenizer *t, const char *path, int vocab_size, char *msg, size_t cap)
{
    SW_RETURN_IF(!t || !path, SWIGLU_ERR_NULL);
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f) return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "%s: %s", path, strerror(errno));
    /* a folder, a pipe or a device (/dev/zero would fill a 32 GiB buffer before the size limit) */
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "%s: not a regular file", path);
    }
    size_t n = 0, capb = 1 << 16;
    unsigned char *buf = malloc(capb);
    if (!buf) { fclose(f); return SWIGLU_ERR_ALLOC; }
    for (;;) {
        if (n == capb) {
            if (capb > ((size_t)1 << 34)) { free(buf); fclose(f); return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "%s: absurdly large tokenizer", path); }
            unsigned char *nb = realloc(buf, capb * 2);
            if (!nb) { free(buf); fclose(f); return SWIGLU_ERR_ALLOC; }
            buf = nb;
            capb *= 2;
        }
        size_t got = fread(buf + n, 1, capb - n, f);
        n += got;
        if (got == 0) break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) { free(buf); return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "%s: read error", path); }
    if (sw_hf_tok_sniff(buf, n)) {   /* Hugging Face's tokenizer.json: converted first */
        void *img;
        size_t isz;
        swiglu_status hs = sw_hf_tok_image(&img, &isz, (const char *)buf, n, msg, cap);
        free(buf);
        if (hs != SWIGLU_OK) return hs;
        buf = img;
        n = isz;
    }
    swiglu_status s = sw_tok_parse(t, buf, n, vocab_size, msg, cap);
    free(buf);
    return s;
}

int sw_tok_lookup(const sw_tokenizer *t, const char *s, size_t n)
{
    /* lower bound in sorted order; the first equal entry is the lowest id */
    size_t lo = 0, hi = (size_t)t->vocab_size;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int id = t->sorted[mid];
        if (bytes_cmp(t->vocab[id], (size_t)t->len[id], s, n) < 0) lo = mid + 1;
        else hi = mid;
    }
    if (lo < (size_t)t->vocab_size) {
        int id = t->sorted[lo];
        if (bytes_cmp(t->vocab[id], (size_t)t->len[id], s, n) == 0) return id;
    }
    return -1;
}

swiglu_status sw_tok_encode(const sw_tokenizer *t, const char *text, int bos, int eos,
                            int *ids, size_t cap, size_t *n_out)
{
    SW_RETURN_IF(!t || !text || !n_out || (!ids && cap), SWIGLU_ERR_NULL);
    size_t n = 0;
    *n_out = 0;
#define PUSH(id) do { if (n >= cap) return SWIGLU_ERR_SIZE; ids[n++] = (id); } while (0)
    if ((bos && SW_TOK_BOS >= t->vocab_size) || (eos && SW_TOK_EOS >= t->vocab_size)) return SWIGLU_ERR_FORMAT;
    if (bos) PUSH(SW_TOK_BOS);
    if (text[0] != '\0' && t->space_id >= 0) PUSH(t->space_id);  /* dummy prefix */

    /* Code points: a lead byte starts a new one; up to 4 bytes are gathered. */
    char cp[5];
    size_t cl = 0;
    for (const char *c = text; *c; c++) {
        if (((unsigned char)*c & 0xC0) != 0x80) cl = 0;
        cp[cl++] = *c;
        if ((((unsigned char)c[1]) & 0xC0) == 0x80 && cl < 4) continue;
        int id = sw_tok_lookup(t, cp, cl);
        if (id >= 0) {
            PUSH(id);
        } else {
            for (size_t i = 0; i < cl; i++) {
                unsigned char byte = (unsigned char)cp[i];
                int bid = t->byte_id[byte] >= 0 ? t->byte_id[byte] : byte + 3;
                if (bid >= t->vocab_size) return SWIGLU_ERR_FORMAT;
                PUSH(bid);
            }
        }
        cl = 0;
    }

    /* Merge the best-scoring adjacent pair (leftmost on ties, as run.c's
     * strict '>' scan) until none merges. The merge candidate of every pair
     * (ids[j], ids[j+1]) is looked up once and kept in pid/psc [n-1]; a merge
     * at b re-looks-up only the pairs at b-1 and b, the rest shift left. */
    char *tmp = malloc((size_t)t->max_token_length * 2 + 1);
    int *pid = malloc((n > 1 ? n - 1 : 1) * sizeof *pid);
    float *psc = malloc((n > 1 ? n - 1 : 1) * sizeof *psc);
    if (!tmp || !pid || !psc) { free(tmp); free(pid); free(psc); return SWIGLU_ERR_ALLOC; }
#define PAIR(j) do { \
        size_t la_ = (size_t)t->len[ids[j]], lb_ = (size_t)t->len[ids[(j) + 1]]; \
        memcpy(tmp, t->vocab[ids[j]], la_); \
        memcpy(tmp + la_, t->vocab[ids[(j) + 1]], lb_); \
        pid[j] = sw_tok_lookup(t, tmp, la_ + lb_); \
        psc[j] = pid[j] >= 0 ? t->scores[pid[j]] : 0.0f; \
    } while (0)
    for (size_t j = 0; j + 1 < n; j++) PAIR(j);
    for (;;) {
        float best = -1e10f;  /* run.c's floor: scores <= -1e10 never merge */
        int best_id = -1;
        size_t best_i = 0;
        for (size_t i = 0; i + 1 < n; i++) {
            if (pid[i] >= 0 && psc[i] > best) {
                best = psc[i];
                best_id = pid[i];
                best_i = i;
            }
        }
        if (best_id < 0) break;
        ids[best_i] = best_id;
        memmove(ids + best_i + 1, ids + best_i + 2, (n - best_i - 2) * sizeof *ids);
        if (best_i + 2 < n - 1) {
            memmove(pid + best_i + 1, pid + best_i + 2, (n - best_i - 3) * sizeof *pid);
            memmove(psc + best_i + 1, psc + best_i + 2, (n - best_i - 3) * sizeof *psc);
        }
        n--;
        if (best_i > 0) PAIR(best_i - 1);
        if (best_i + 1 < n) PAIR(best_i);
    }
#undef PAIR
    free(tmp);
    free(pid);
    free(psc);
    if (eos) PUSH(SW_TOK_EOS);
#undef PUSH
    *n_out = n;
    return SWIGLU_OK;
}

swiglu_status sw_tok_decode(const sw_tokenizer *t, int prev, int id, const char **piece, size_t *len)
{
    SW_RETURN_IF(!t || !piece || !len, SWIGLU_ERR_NULL);
    SW_RETURN_IF(id < 0 || id >= t->vocab_size, SWIGLU_ERR_ARG);
    const char *p = t->vocab[id];
    size_t n = (size_t)t->len[id];
    if (prev == SW_TOK_BOS && n > 0 && p[0] == ' ') { p++; n--; }
    unsigned v;
    if (n == 6 && p[0] == '<' && p[1] == '0' && p[2] == 'x' && p[5] == '>' &&
        sscanf(p + 3, "%2X", &v) == 1) {
        p = (const char *)t->byte_piece[v & 0xFF];
        n = 1;
    }
    *piece = p;
    *len = n;
    return SWIGLU_OK;
}

int sw_tok_is_chars(const sw_tokenizer *t)
{
    if (!t || t->vocab_size < 1) return 0;
    for (int i = 0; i < t->vocab_size; i++)
        if (t->len[i] != 1) return 0;
    return 1;
}

swiglu_status sw_tok_write_chars(const char *path, const unsigned char *bytes, int V,
                                 char *msg, size_t cap)
{
    if (!path || !bytes) return SWIGLU_ERR_NULL;
    if (V < 1 || V > 256) return sw_io_fail(msg, cap, SWIGLU_ERR_ARG, "a character vocabulary of %d tokens", V);
    sw_atomic_file a;
    if (!sw_atomic_open(&a, path, msg, cap)) return SWIGLU_ERR_IO;
    const uint32_t max_len = 1;
    const int32_t len = 1;
    const float score = 0.0f;
    fwrite(&max_len, sizeof max_len, 1, a.f);
    for (int i = 0; i < V; i++) {
        fwrite(&score, sizeof score, 1, a.f);
        fwrite(&len, sizeof len, 1, a.f);
        fputc(bytes[i], a.f);
    }
    return sw_atomic_commit(&a, msg, cap);
}
