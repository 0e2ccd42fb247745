/* test_tokenizer.c -- llama2.c tokenizer.bin: the encodings that
 * ../shared/models/README.md lists for llama2-tokenizer.bin (every one,
 * exactly), decode round trips (ASCII, accents, CJK, emoji through byte
 * fallback), and malformed files refused with a message naming the field.
 * Legend: V tokens, n ids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"
#include "io/tokenizer.h"

typedef struct known { const char *text; int ids[64]; int n; } known;

/* ../shared/models/README.md, verbatim. */
static const known cases[] = {
    {"", {1}, 1},
    {"I believe the meaning of life is", {1, 306, 4658, 278, 6593, 310, 2834, 338}, 8},
    {"Simply put, the theory of relativity states that ",
     {1, 3439, 17632, 1925, 29892, 278, 6368, 310, 14215, 537, 5922, 393, 29871}, 13},
    {"A brief message congratulating the team on the launch:\n\n        Hi everyone,\n\n        I just ",
     {1, 319, 11473, 2643, 378, 629, 271, 18099, 278, 3815, 373, 278, 6826, 29901, 13, 13, 4706,
      6324, 14332, 29892, 13, 13, 4706, 306, 925, 29871}, 26},
    {"Translate English to French:\n\n        sea otter => loutre de mer\n        peppermint => menthe poivr\xc3\xa9" "e\n        plush girafe => girafe peluche\n        cheese =>",
     {1, 4103, 9632, 4223, 304, 5176, 29901, 13, 13, 4706, 7205, 4932, 357, 1149, 301, 449, 276, 316,
      2778, 13, 4706, 1236, 407, 837, 524, 1149, 6042, 354, 772, 440, 29878, 1318, 13, 4706, 715, 1878,
      330, 3055, 1725, 1149, 330, 3055, 1725, 4639, 28754, 13, 4706, 923, 968, 1149}, 50},
};

/* Decodes ids[1..n) (after BOS) into buf; returns its length. */
static size_t decode_all(const sw_tokenizer *t, const int *ids, size_t n, char *buf, size_t cap)
{
    size_t len = 0;
    for (size_t i = 1; i < n; i++) {
        const char *p;
        size_t pl;
        if (sw_tok_decode(t, ids[i - 1], ids[i], &p, &pl) != SWIGLU_OK) return (size_t)-1;
        if (len + pl >= cap) return (size_t)-1;
        memcpy(buf + len, p, pl);
        len += pl;
    }
    buf[len] = '\0';
    return len;
}

/* run.c's encoder, literally (rescans every pair after every merge): the
 * oracle for the incremental one on random text. */
static size_t naive_encode(const sw_tokenizer *t, const char *text, int *ids)
{
    size_t n = 0;
    char buf[256];
    ids[n++] = 1;
    if (text[0]) ids[n++] = t->space_id;
    size_t cl = 0;
    for (const char *c = text; *c; c++) {
        if (((unsigned char)*c & 0xC0) != 0x80) cl = 0;
        buf[cl++] = *c;
        if ((((unsigned char)c[1]) & 0xC0) == 0x80 && cl < 4) continue;
        int id = sw_tok_lookup(t, buf, cl);
        if (id >= 0) ids[n++] = id;
        else for (size_t i = 0; i < cl; i++) ids[n++] = (unsigned char)buf[i] + 3;
        cl = 0;
    }
    for (;;) {
        float best = -1e10f;
        int best_id = -1;
        size_t bi = 0;
        for (size_t i = 0; i + 1 < n; i++) {
            size_t la = (size_t)t->len[ids[i]], lb = (size_t)t->len[ids[i + 1]];
            memcpy(buf, t->vocab[ids[i]], la);
            memcpy(buf + la, t->vocab[ids[i + 1]], lb);
            int id = sw_tok_lookup(t, buf, la + lb);
            if (id >= 0 && t->scores[id] > best) { best = t->scores[id]; best_id = id; bi = i; }
        }
        if (best_id < 0) break;
        ids[bi] = best_id;
        memmove(ids + bi + 1, ids + bi + 2, (n - bi - 2) * sizeof *ids);
        n--;
    }
    return n;
}

static void test_known(const char *shared)
{
    char path[4096], msg[512] = "";
    snprintf(path, sizeof path, "%s/models/llama2-tokenizer.bin", shared);
    if (access(path, R_OK) != 0) { tl_skip("%s not found: known encodings", path); return; }
    sw_tokenizer t;
    swiglu_status s = sw_tok_load(&t, path, 32000, msg, sizeof msg);
    CHECK(s == SWIGLU_OK, "load %s: %s", path, msg);
    if (s != SWIGLU_OK) return;
    CHECK(t.vocab_size == 32000 && t.max_token_length == 27, "V %d max_len %d", t.vocab_size, t.max_token_length);
    /* all-records mode reads the same 32000 */
    sw_tokenizer t0;
    CHECK(sw_tok_load(&t0, path, 0, msg, sizeof msg) == SWIGLU_OK && t0.vocab_size == 32000,
          "vocab_size 0 (all records): %s", msg);
    sw_tok_free(&t0);
    CHECK(sw_tok_load(&t0, path, 512, msg, sizeof msg) == SWIGLU_ERR_FORMAT && strstr(msg, "vocab_size"),
          "a 32000-token file for a 512-token model: '%s'", msg);
    sw_tok_free(&t0);

    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int ids[512];
        size_t n = 0;
        s = sw_tok_encode(&t, cases[c].text, 1, 0, ids, 512, &n);
        int same = s == SWIGLU_OK && n == (size_t)cases[c].n;
        for (size_t i = 0; same && i < n; i++) same = ids[i] == cases[c].ids[i];
        CHECK(same, "encoding of case %zu (\"%.30s...\"): %zu ids, want %d", c, cases[c].text, n, cases[c].n);
        if (!same) {
            for (size_t i = 0; i < n; i++) fprintf(stderr, "%d ", ids[i]);
            fputc('\n', stderr);
        }
        char buf[4096];
        size_t len = decode_all(&t, ids, n, buf, sizeof buf);
        CHECK(len == strlen(cases[c].text) && !memcmp(buf, cases[c].text, len),
              "decode(encode(case %zu)) = \"%s\"", c, buf);
    }

    /* round trips through byte fallback and multi-byte code points */
    const char *trips[] = {"Hello, world!", "na\xc3\xafve caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
                           "emoji \xf0\x9f\xa6\x99 llama", "tabs\tand\nnewlines  ", "~`!@#$%^&*()_+{}|:\"<>?",
                           "\x01\x7f control", "<0x41> literal", " leading space"};
    for (size_t i = 0; i < sizeof trips / sizeof trips[0]; i++) {
        int ids[512];
        size_t n = 0;
        s = sw_tok_encode(&t, trips[i], 1, 1, ids, 512, &n);
        CHECK(s == SWIGLU_OK && ids[0] == 1 && ids[n - 1] == 2, "encode trip %zu", i);
        char buf[4096];
        size_t len = decode_all(&t, ids, n - 1, buf, sizeof buf);  /* without EOS */
        CHECK(len == strlen(trips[i]) && !memcmp(buf, trips[i], len),
              "round trip %zu: \"%s\" -> \"%s\"", i, trips[i], len == (size_t)-1 ? "(fail)" : buf);
    }
    /* the emoji has no token: its 4 bytes come out as <0xF0> <0x9F> <0xA6> <0x99> */
    {
        int ids[64];
        size_t n = 0;
        sw_tok_encode(&t, "\xf0\x9f\xa6\x99", 0, 0, ids, 64, &n);
        CHECK(n == 5 && ids[1] == 0xF0 + 3 && ids[2] == 0x9F + 3 && ids[3] == 0xA6 + 3 && ids[4] == 0x99 + 3,
              "byte fallback: n = %zu", n);
    }
    /* capacity */
    {
        int ids[4];
        size_t n;
        CHECK(sw_tok_encode(&t, "I believe the meaning of life is", 1, 0, ids, 4, &n) == SWIGLU_ERR_SIZE,
              "too small an ids buffer accepted");
    }
    /* decode: out-of-range ids refused, BOS strips one leading space */
    {
        const char *p;
        size_t pl;
        CHECK(sw_tok_decode(&t, 1, 32000, &p, &pl) == SWIGLU_ERR_ARG, "id 32000 accepted");
        CHECK(sw_tok_decode(&t, 1, -1, &p, &pl) == SWIGLU_ERR_ARG, "id -1 accepted");
        CHECK(sw_tok_decode(&t, 1, 306, &p, &pl) == SWIGLU_OK && pl == 1 && p[0] == 'I', "after BOS ' I' -> 'I'");
        CHECK(sw_tok_decode(&t, 5, 306, &p, &pl) == SWIGLU_OK && pl == 2 && !memcmp(p, " I", 2), "' I'");
        CHECK(sw_tok_decode(&t, 5, 13, &p, &pl) == SWIGLU_OK && pl == 1 && p[0] == '\n', "<0x0A> -> newline");
    }
    /* the incremental merge equals run.c's rescanning one on 200 random
     * slices of TinyStories / Shakespeare text (and random bytes) */
    {
        char dpath[4096];
        snprintf(dpath, sizeof dpath, "%s/data/tinyshakespeare.txt", shared);
        FILE *f = fopen(dpath, "rb");
        char *text = malloc(1 << 20);
        size_t tn = f ? fread(text, 1, (1 << 20) - 1, f) : 0;
        if (f) fclose(f);
        tl_rng r = {7};
        int same = 1, tried = 0;
        for (int k = 0; k < 200 && tn > 400; k++) {
            char str[300];
            size_t at = tl_next(&r) % (tn - 300), len = 1 + tl_next(&r) % 250;
            memcpy(str, text + at, len);
            if (k % 10 == 0) for (size_t i = 0; i < len; i++) str[i] = (char)(1 + tl_next(&r) % 255);
            str[len] = '\0';
            int a[600], b[600];
            size_t na = 0;
            if (sw_tok_encode(&t, str, 1, 0, a, 600, &na) != SWIGLU_OK) { same = 0; break; }
            size_t nb = naive_encode(&t, str, b);
            tried++;
            if (na != nb || memcmp(a, b, na * sizeof *a)) { same = 0; fprintf(stderr, "differs on \"%s\"\n", str); break; }
        }
        CHECK(same && tried > 0, "incremental BPE vs run.c's rescan: %d slices compared", tried);
        free(text);
    }
    sw_tok_free(&t);
}

/* ---- malformed files --------------------------------------------------- */

typedef struct buf { unsigned char b[4096]; size_t n; } buf;
static void put32(buf *b, uint32_t v) { memcpy(b->b + b->n, &v, 4); b->n += 4; }
static void putf(buf *b, float v) { memcpy(b->b + b->n, &v, 4); b->n += 4; }
static void tok(buf *b, float score, int32_t len, const char *s)
{
    putf(b, score);
    put32(b, (uint32_t)len);
    if (len > 0) { memcpy(b->b + b->n, s, (size_t)len); b->n += (size_t)len; }
}

/* A valid tiny tokenizer: <unk> <s> </s> " " "a" "b" "ab" " a" */
static void tiny(buf *b, uint32_t maxlen)
{
    b->n = 0;
    put32(b, maxlen);
    tok(b, 0, 5, "<unk>"); tok(b, 0, 3, "<s>"); tok(b, 0, 4, "</s>");
    tok(b, -1, 1, " "); tok(b, -2, 1, "a"); tok(b, -3, 1, "b"); tok(b, -0.5f, 2, "ab"); tok(b, -0.1f, 2, " a");
}

static void expect_bad(const buf *b, int vocab, const char *needle, const char *what)
{
    sw_tokenizer t;
    char msg[512] = "";
    swiglu_status s = sw_tok_parse(&t, b->b, b->n, vocab, msg, sizeof msg);
    CHECK(s == SWIGLU_ERR_FORMAT && strstr(msg, needle), "%s: status %d, message '%s' (want '%s')",
          what, (int)s, msg, needle);
    if (s == SWIGLU_OK) sw_tok_free(&t);
}

static void test_bad(void)
{
    buf b;
    char msg[512];
    sw_tokenizer t;
    tiny(&b, 5);
    CHECK(sw_tok_parse(&t, b.b, b.n, 8, msg, sizeof msg) == SWIGLU_OK, "tiny tokenizer: %s", msg);
    {
        int ids[16];
        size_t n;
        CHECK(sw_tok_encode(&t, "ab a", 1, 0, ids, 16, &n) == SWIGLU_OK, "tiny encode");
        /* " " "a" "b" " " "a" -> merges by score: " a"(-0.1) twice, then nothing */
        CHECK(n == 4 && ids[1] == 7 && ids[2] == 5 && ids[3] == 7, "tiny encode ids n=%zu: %d %d %d", n, ids[1], ids[2], ids[3]);
        /* no <0xNN> tokens and byte + 3 beyond V: refused, not an out-of-range id */
        CHECK(sw_tok_encode(&t, "\xc3\xa9", 0, 0, ids, 16, &n) == SWIGLU_ERR_FORMAT,
              "a byte without any token accepted");
        sw_tok_free(&t);
    }
    b.n = 3;
    expect_bad(&b, 0, "max_token_length", "3-byte file");
    tiny(&b, 0);
    expect_bad(&b, 0, "max_token_length is 0", "max_token_length 0");
    tiny(&b, 1u << 30);
    expect_bad(&b, 0, "max_token_length", "absurd max_token_length");
    tiny(&b, 4);
    expect_bad(&b, 0, "exceeds max_token_length", "token longer than max_token_length");
    tiny(&b, 5);
    b.n -= 1;
    expect_bad(&b, 0, "runs past the end of the file", "last token cut short");
    tiny(&b, 5);
    b.n -= 4;
    expect_bad(&b, 0, "length", "last token cut in its bytes");
    tiny(&b, 5);
    b.n -= 3 + 2;  /* cut into the record header of the last token */
    expect_bad(&b, 0, "truncated", "record header cut");
    tiny(&b, 1u << 16);
    putf(&b, 0);
    put32(&b, 60000);  /* claims a 60000-byte token (allowed by the header), file ends here */
    expect_bad(&b, 0, "runs past the end of the file", "length beyond the file");
    tiny(&b, 5);
    tok(&b, 0, -4, NULL);
    expect_bad(&b, 0, "negative", "negative length");
    tiny(&b, 5);
    tok(&b, 0.0f / 0.0f, 1, "z");
    expect_bad(&b, 0, "score", "NaN score");
    tiny(&b, 5);
    expect_bad(&b, 9, "fewer than the model's vocab_size", "fewer tokens than vocab_size");
    expect_bad(&b, 7, "trailing bytes", "more tokens than vocab_size");
    b.n = 4;
    expect_bad(&b, 0, "no tokens", "header only");
    /* found by tests/fuzz/fuzz_tokenizer.c: a 1-token file parsed, and
     * encode's <s> (id 1) then read past its arrays */
    b.n = 0;
    put32(&b, 5);
    tok(&b, 0, 5, "<unk>");
    expect_bad(&b, 0, "ids 0-2 must be", "one token");
    tok(&b, 0, 3, "<s>");
    expect_bad(&b, 0, "ids 0-2 must be", "two tokens");
    CHECK(sw_tok_parse(&t, b.b, b.n, -1, msg, sizeof msg) == SWIGLU_ERR_ARG, "vocab_size -1 accepted");
    CHECK(sw_tok_load(&t, "/nonexistent/tok.bin", 0, msg, sizeof msg) == SWIGLU_ERR_IO &&
          strstr(msg, "/nonexistent/tok.bin"), "missing file: '%s'", msg);
}

int main(void)
{
    const char *shared = tl_shared_dir();
    if (shared) test_known(shared);
    else tl_skip("../shared not found: known encodings");
    test_bad();
    return tl_finish("test_tokenizer");
}
