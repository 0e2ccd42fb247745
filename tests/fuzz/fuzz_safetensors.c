/* fuzz_safetensors.c -- libFuzzer target for the safetensors + config.json
 * reader (io/safetensors.h). Build and run: `make fuzz` (scripts/fuzz.sh);
 * seeds in tests/fuzz/corpus_safetensors.
 *
 * Input: a u16 (little-endian) n, then n bytes of config.json, then the
 * safetensors file; so both the JSON header and the configuration are
 * mutated. An accepted model has every weight read and, when small, a few
 * tokens run through the forward. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "io/safetensors.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    size_t n = (size_t)data[0] | (size_t)data[1] << 8;
    if (n > size - 2) return 0;
    /* the JSON text in a buffer of its own, so that ASan sees a read past it */
    char *cfg = malloc(n ? n : 1);
    if (!cfg) return 0;
    memcpy(cfg, data + 2, n);
    size_t fsize = size - 2 - n;
    unsigned char *file = malloc(fsize ? fsize : 1);
    if (!file) { free(cfg); return 0; }
    memcpy(file, data + 2 + n, fsize);
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
