/* fuzz_safetensors.c -- libFuzzer target for the safetensors + config.json
 * reader (io/safetensors.h), one file or sharded. Build and run: `make
 * fuzz` (scripts/fuzz.sh); seeds in tests/fuzz/corpus_safetensors.
 *
 * Input: a u16 (little-endian) n, then n bytes of config.json, then either
 *   the safetensors file (one file), or
 *   "IDX:", a u16 m, m bytes of model.safetensors.index.json, then for each
 *   shard the index names (sw_st_index_shards, in its order) a u32 length
 *   and that many bytes (what the input lacks is an empty shard);
 * so the JSON header, the configuration and the index are all mutated. An
 * accepted model has every weight read and, when small, a few tokens run
 * through the forward. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "io/safetensors.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A copy of p[0..n) in a buffer of its own, so that ASan sees a read past it. */
static void *own(const uint8_t *p, size_t n)
{
    void *b = malloc(n ? n : 1);
    if (b && n) memcpy(b, p, n);
    return b;
}

static size_t take(const uint8_t **p, size_t *left, size_t want)
{
    size_t n = want < *left ? want : *left;
    *p += n;
    *left -= n;
    return n;
}

/* The sharded form: p[0..left) after "IDX:". */
static void sharded(const uint8_t *p, size_t left, const char *cfg, size_t cfg_n)
{
    if (left < 2) return;
    size_t m = (size_t)p[0] | (size_t)p[1] << 8;
    take(&p, &left, 2);
    if (m > left) return;
    char *index = own(p, m);
    take(&p, &left, m);
    char **names = NULL;
    size_t n = 0;
    char msg[256];
    if (index && sw_st_index_shards(&names, &n, index, m, msg, sizeof msg) == SWIGLU_OK) {
        sw_st_shard *sh = calloc(n ? n : 1, sizeof *sh);
        for (size_t i = 0; sh && i < n; i++) {
            size_t len = 0;
            if (left >= 4) len = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
            take(&p, &left, 4);
            const uint8_t *at = p;
            len = take(&p, &left, len);
            sh[i] = (sw_st_shard){names[i], own(at, len), len};
            if (!sh[i].buf) sh[i].size = 0;
        }
        sw_l2c_model mod;
        if (sh && sw_st_parse_sharded(&mod, sh, n, index, m, cfg, cfg_n, msg, sizeof msg) == SWIGLU_OK) {
            fuzz_forward_small(&mod);
            sw_l2c_close(&mod);
        }
        for (size_t i = 0; sh && i < n; i++) free((void *)(uintptr_t)sh[i].buf);
        free(sh);
        sw_st_names_free(names, n);
    }
    free(index);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    size_t n = (size_t)data[0] | (size_t)data[1] << 8;
    if (n > size - 2) return 0;
    char *cfg = own(data + 2, n);
    if (!cfg) return 0;
    const uint8_t *rest = data + 2 + n;
    size_t fsize = size - 2 - n;
    if (fsize >= 4 && !memcmp(rest, "IDX:", 4)) {
        sharded(rest + 4, fsize - 4, cfg, n);
        free(cfg);
        return 0;
    }
    unsigned char *file = own(rest, fsize);
    if (!file) { free(cfg); return 0; }
    sw_l2c_model m;
    char msg[256];
    if (sw_st_parse(&m, file, fsize, cfg, n, msg, sizeof msg) == SWIGLU_OK) {
        fuzz_forward_small(&m);
        sw_l2c_close(&m);
    }
    free(file);
    free(cfg);
    return 0;
}
