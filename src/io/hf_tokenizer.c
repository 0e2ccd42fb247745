/* hf_tokenizer.c -- tokenizer.json into a tokenizer.bin image
 * (hf_tokenizer.h). Legend: V tokens, M merges. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "io/hf_tokenizer.h"
#include "io/io_util.h"

#define HF_MAX_VOCAB (1 << 22)

int sw_hf_tok_sniff(const void *buf, size_t size)
{
    const unsigned char *p = buf;
    size_t i = 0;
    while (i < size && isspace(p[i])) i++;
    return i < size && p[i] == '{';
}

/* bytes of s with U+2581 (e2 96 81) as ' ' into out (at most strlen(s)) */
static size_t spaces(unsigned char *out, const char *s)
{
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (p[0] == 0xe2 && p[1] == 0x96 && p[2] == 0x81) { out[k++] = ' '; p += 2; }
        else out[k++] = *p;
    }
    return k;
}

typedef struct entry { const char *s; int id; } entry;

static int by_string(const void *a, const void *b) { return strcmp(((const entry *)a)->s, ((const entry *)b)->s); }

/* The id of the token a+b (the two strings joined), or -1. */
static int find_joined(const entry *sorted, int V, const char *a, const char *b, char *buf, size_t cap)
{
    if (snprintf(buf, cap, "%s%s", a, b) >= (int)cap) return -1;
    entry key = {buf, 0};
    const entry *e = bsearch(&key, sorted, (size_t)V, sizeof *sorted, by_string);
    return e ? e->id : -1;
}

/* scores[id] = -(rank of the first merge that makes token id) */
static swiglu_status merge_scores(float *scores, const cJSON *merges, const entry *sorted, int V, char *msg, size_t cap)
{
    int r = 0;
    const cJSON *m;
    char a[1024], joined[2048];
    cJSON_ArrayForEach(m, merges) {
        const char *left, *right;
        if (cJSON_IsString(m)) {        /* "a b" */
            const char *sp = strchr(m->valuestring, ' ');
            if (!sp || (size_t)(sp - m->valuestring) >= sizeof a)
                return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "tokenizer.json: merge %d ('%.40s') is not 'a b'", r, m->valuestring);
            memcpy(a, m->valuestring, (size_t)(sp - m->valuestring));
            a[sp - m->valuestring] = 0;
            left = a;
            right = sp + 1;
        } else if (cJSON_IsArray(m) && cJSON_GetArraySize(m) == 2 && cJSON_IsString(cJSON_GetArrayItem(m, 0)) &&
                   cJSON_IsString(cJSON_GetArrayItem(m, 1))) {   /* ["a", "b"] */
            left = cJSON_GetArrayItem(m, 0)->valuestring;
            right = cJSON_GetArrayItem(m, 1)->valuestring;
        } else {
            return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "tokenizer.json: merge %d is neither \"a b\" nor [\"a\", \"b\"]", r);
        }
        int id = find_joined(sorted, V, left, right, joined, sizeof joined);
        if (id < 0)
            return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "tokenizer.json: merge %d makes '%.40s%.40s', which is not in the vocabulary",
                              r, left, right);
        if (scores[id] == -1e30f) scores[id] = (float)-r;
        r++;
    }
    return SWIGLU_OK;
}

static swiglu_status build(void **img, size_t *img_size, const cJSON *model, char *msg, size_t cap)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(model, "type");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "BPE"))
        return sw_io_fail(msg, cap, SWIGLU_ERR_UNSUPPORTED, "tokenizer.json: model.type '%s' is not read (BPE is)",
                          cJSON_IsString(type) ? type->valuestring : "?");
    const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(model, "vocab");
    const cJSON *merges = cJSON_GetObjectItemCaseSensitive(model, "merges");
    if (!cJSON_IsObject(vocab)) return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "tokenizer.json: model.vocab is not an object");
    if (!cJSON_IsArray(merges)) return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "tokenizer.json: model.merges is not an array");
    int V = cJSON_GetArraySize(vocab);
    if (V < 3 || V > HF_MAX_VOCAB) return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "tokenizer.json: %d tokens in model.vocab", V);
    const char **by_id = calloc((size_t)V, sizeof *by_id);
    entry *sorted = malloc((size_t)V * sizeof *sorted);
    float *scores = malloc((size_t)V * sizeof *scores);
    swiglu_status st = by_id && sorted && scores ? SWIGLU_OK : sw_io_fail(msg, cap, SWIGLU_ERR_ALLOC, "tokenizer.json: out of memory");
    size_t total = 4, longest = 0;
    int k = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, vocab) {
        if (st != SWIGLU_OK) break;
        double d = cJSON_IsNumber(t) ? t->valuedouble : -1;
        if (!(d >= 0 && d < V) || d != floor(d) || by_id[(int)d])
            st = sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "tokenizer.json: token '%.40s' has id %g (ids must be 0..%d, each once)",
                            t->string, d, V - 1);
        else {
            by_id[(int)d] = t->string;
            sorted[k++] = (entry){t->string, (int)d};
            size_t len = strlen(t->string);
            total += 8 + len;
            if (len > longest) longest = len;
        }
    }
    if (st == SWIGLU_OK) {
        qsort(sorted, (size_t)V, sizeof *sorted, by_string);
        for (int i = 0; i < V; i++) scores[i] = -1e30f;
        st = merge_scores(scores, merges, sorted, V, msg, cap);
    }
    unsigned char *out = st == SWIGLU_OK ? malloc(total) : NULL;
    if (st == SWIGLU_OK && !out) st = sw_io_fail(msg, cap, SWIGLU_ERR_ALLOC, "tokenizer.json: out of memory");
    if (st == SWIGLU_OK) {
        unsigned char *q = out + 4;
        size_t maxlen = 0;
        for (int i = 0; i < V; i++) {
            int32_t len = (int32_t)spaces(q + 8, by_id[i]);
            memcpy(q, &scores[i], 4);
            memcpy(q + 4, &len, 4);
            q += 8 + len;
            if ((size_t)len > maxlen) maxlen = (size_t)len;
        }
        uint32_t ml = (uint32_t)maxlen;
        memcpy(out, &ml, 4);
        *img = out;
        *img_size = (size_t)(q - out);
    }
    free(by_id);
    free(sorted);
    free(scores);
    return st;
}

swiglu_status sw_hf_tok_image(void **img, size_t *img_size, const char *json, size_t n, char *msg, size_t cap)
{
    *img = NULL;
    *img_size = 0;
    cJSON *root = cJSON_ParseWithLength(json, n);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "tokenizer.json is not a JSON object");
    }
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
    swiglu_status st = cJSON_IsObject(model) ? build(img, img_size, model, msg, cap)
                                             : sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "tokenizer.json: no model object");
    cJSON_Delete(root);
    return st;
}
