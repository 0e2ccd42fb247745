/* test_llama2c_bad.c -- malformed llama2.c checkpoints are refused, each
 * with a message naming the field, before any weight is read.
 *
 * A valid tiny model (D 8, H 12, L 2, nh 2, nkv 1, V 16, S 8) is built in
 * memory; each case mutates one thing and parses it (from the buffer, and
 * a few through a file with sw_l2c_open). Both formats (version 0, 1).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"
#include "io/llama2c.h"
#include "model/llama_infer.h"

enum { D = 8, H = 12, L = 2, NH = 2, NKV = 1, V = 16, S = 8 };

/* File bytes of a valid version-0 model (shared classifier), weights random. */
static unsigned char *make_v0(size_t *size, int shared)
{
    sw_l2c_config c = {.dim = D, .hidden_dim = H, .n_layers = L, .n_heads = NH, .n_kv_heads = NKV,
                       .vocab_size = V, .seq_len = S, .shared_classifier = shared, .version = 0,
                       .head_size = D / NH, .kv_dim = NKV * (D / NH)};
    *size = sw_l2c_file_size(&c);
    unsigned char *b = malloc(*size + 64);
    int32_t h[7] = {D, H, L, NH, NKV, shared ? V : -V, S};
    memcpy(b, h, sizeof h);
    tl_rng r = {42};
    for (size_t off = 28; off + 4 <= *size; off += 4) {
        float f = (float)tl_uniform(&r, -0.5, 0.5);
        memcpy(b + off, &f, 4);
    }
    return b;
}

static void set_field(unsigned char *b, int version, int field, int32_t v)
{
    memcpy(b + (version == 1 ? 8 : 0) + 4 * field, &v, 4);
}

static void expect(const unsigned char *b, size_t size, const char *needle, const char *what)
{
    sw_l2c_model m;
    char msg[512] = "";
    swiglu_status s = sw_l2c_parse(&m, b, size, msg, sizeof msg);
    CHECK(s == SWIGLU_ERR_FORMAT && strstr(msg, needle), "%s: status %d, message '%s' (want '%s')",
          what, (int)s, msg, needle);
}

static const char *fields[7] = {"dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"};

static void header_cases(unsigned char *b, size_t size, int version)
{
    unsigned char *w = malloc(size);
    char what[128];
    int32_t good[7] = {D, H, L, NH, NKV, V, S};
    for (int f = 0; f < 7; f++) {
        int32_t bad[3] = {0, -3, INT_MAX};
        const char *kind[3] = {"0", "negative", "absurd"};
        for (int k = 0; k < 3; k++) {
            if (f == 5 && version == 0 && k == 1) continue;  /* negative vocab: unshared classifier */
            memcpy(w, b, size);
            set_field(w, version, f, bad[k]);
            snprintf(what, sizeof what, "v%d %s = %s", version, fields[f], kind[k]);
            char needle[64];
            snprintf(needle, sizeof needle, "%s", fields[f]);
            expect(w, size, needle, what);
        }
    }
    /* version 0: vocab_size INT_MIN (|INT_MIN| overflows int) */
    if (version == 0) {
        memcpy(w, b, size);
        set_field(w, 0, 5, INT_MIN);
        expect(w, size, "vocab_size", "v0 vocab_size INT_MIN");
    }
    /* sizes whose product overflows 32 bits (and would be huge): refused as
     * absurd or as a size mismatch, never read */
    memcpy(w, b, size);
    set_field(w, version, 0, 65536);
    set_field(w, version, 1, 262144);
    set_field(w, version, 2, 1024);
    set_field(w, version, 3, 1);
    set_field(w, version, 4, 1);
    expect(w, size, "shorter than", "huge but in-range sizes vs a tiny file");
    /* structure */
    memcpy(w, b, size);
    set_field(w, version, 3, 3);
    set_field(w, version, 4, 1);
    expect(w, size, "n_heads = 3 does not divide dim = 8", "n_heads not dividing dim");
    memcpy(w, b, size);
    set_field(w, version, 4, 3);
    expect(w, size, "n_kv_heads = 3 does not divide n_heads = 2", "n_kv_heads > n_heads");
    memcpy(w, b, size);
    set_field(w, version, 3, 4);
    set_field(w, version, 4, 3);
    expect(w, size, "n_kv_heads = 3 does not divide n_heads = 4", "n_kv_heads not dividing n_heads");
    memcpy(w, b, size);
    set_field(w, version, 3, 8);  /* head size 1: odd */
    set_field(w, version, 4, 1);
    expect(w, size, "odd", "odd head size");
    /* size vs header */
    memcpy(w, b, size);
    expect(w, size - 4, "shorter than", "file 4 bytes short");
    expect(w, 20, "shorter than", "file shorter than the header");
    memcpy(w, b, size);
    set_field(w, version, 6, S * 2);
    if (version == 0) expect(w, size, "shorter than", "seq_len larger than the RoPE tables");
    memcpy(w, b, size);
    set_field(w, version, 2, L + 1);
    expect(w, size, "n_layers=3", "one layer more than the file holds");
    (void)good;
    free(w);
}

int main(void)
{
    size_t size;
    unsigned char *b = make_v0(&size, 1);
    char msg[512] = "";
    sw_l2c_model m;

    /* the valid model loads and runs */
    CHECK(sw_l2c_parse(&m, b, size, msg, sizeof msg) == SWIGLU_OK, "valid tiny v0: %s", msg);
    {
        sw_llama_state st;
        const float *lg;
        CHECK(sw_llama_init(&st, &m, 1) == SWIGLU_OK, "init tiny");
        int ok = 1;
        for (int pos = 0; pos < S; pos++) ok &= sw_llama_forward(&st, pos % V, pos, &lg) == SWIGLU_OK;
        CHECK(ok, "tiny forward");
        sw_llama_free(&st);
    }
    header_cases(b, size, 0);

    /* longer than the header implies */
    unsigned char *big = malloc(size + 8);
    memcpy(big, b, size);
    memset(big + size, 0, 8);
    expect(big, size + 8, "longer than", "8 trailing bytes");
    free(big);
    /* a shared model whose header says "unshared": the classifier is missing */
    {
        unsigned char *w = malloc(size);
        memcpy(w, b, size);
        set_field(w, 0, 5, -V);
        expect(w, size, "shorter than", "unshared flag without a classifier");
        free(w);
    }

    /* version 1: write the tiny model out, then mutate */
    char dir[] = "/tmp/swiglu_bad_XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    char path[256];
    snprintf(path, sizeof path, "%s/v1.bin", dir);
    CHECK(sw_l2c_write(&m, 1, path, msg, sizeof msg) == SWIGLU_OK, "write v1: %s", msg);
    sw_l2c_model m1;
    CHECK(sw_l2c_open(&m1, path, msg, sizeof msg) == SWIGLU_OK && m1.cfg.version == 1, "open v1: %s", msg);
    size_t size1 = m1.map_size;
    unsigned char *b1 = malloc(size1);
    memcpy(b1, m1.map, size1);
    sw_l2c_close(&m1);
    header_cases(b1, size1, 1);
    {
        unsigned char *w = malloc(size1);
        memcpy(w, b1, size1);
        int32_t ver = 2;
        memcpy(w + 4, &ver, 4);
        expect(w, size1, "version = 2", "v1 version field 2");
        memcpy(w, b1, size1);
        w[36] = 7;
        expect(w, size1, "shared_classifier flag = 7", "v1 shared flag 7");
        memcpy(w, b1, size1);
        expect(w, 200, "256-byte version-1 header", "v1 file shorter than its header");
        free(w);
    }
    free(b1);

    /* through files: open refuses and names the path's problem */
    FILE *f;
    snprintf(path, sizeof path, "%s/short.bin", dir);
    f = fopen(path, "wb");
    fwrite(b, 1, size - 100, f);
    fclose(f);
    CHECK(sw_l2c_open(&m, path, msg, sizeof msg) == SWIGLU_ERR_FORMAT && strstr(msg, "truncated"),
          "truncated file: '%s'", msg);
    CHECK(m.map == NULL, "a refused open leaves no mapping");
    unlink(path);
    snprintf(path, sizeof path, "%s/empty.bin", dir);
    f = fopen(path, "wb");
    fclose(f);
    CHECK(sw_l2c_open(&m, path, msg, sizeof msg) == SWIGLU_ERR_FORMAT && strstr(msg, "empty"),
          "empty file: '%s'", msg);
    unlink(path);
    CHECK(sw_l2c_open(&m, "/nonexistent/model.bin", msg, sizeof msg) == SWIGLU_ERR_IO &&
          strstr(msg, "/nonexistent/model.bin"), "missing file: '%s'", msg);
    CHECK(sw_l2c_open(&m, dir, msg, sizeof msg) == SWIGLU_ERR_IO && strstr(msg, "not a regular file"),
          "a directory: '%s'", msg);
    rmdir(dir);
    free(b);
    return tl_finish("test_llama2c_bad");
}
