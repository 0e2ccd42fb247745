/* fuzz_dataset.c -- libFuzzer target for the plain-text corpus loader
 * (src/io/dataset.c: the whole file as byte or char tokens, the 90/10 split,
 * random windows). Build and run: `make fuzz FUZZ_SECONDS=60`.
 *
 * The first input byte picks the token mode (bit 0) and the context length
 * T = 1 + (byte >> 1) % 64; the rest is the file. Accepted files are sampled
 * from both splits and every token is checked against the vocabulary. */
#include <stdint.h>
#include <stdlib.h>
#include "fuzz_util.h"
#include "io/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    sw_tokens mode = (data[0] & 1) ? SW_TOKENS_CHAR : SW_TOKENS_BYTE;
    size_t T = 1 + (size_t)(data[0] >> 1) % 64;
    char path[64], err[512];
    if (fuzz_as_file(path, data + 1, size - 1) != 0) return 0;
    sw_dataset ds;
    if (sw_dataset_load(&ds, path, mode, T, err, sizeof err) != SWIGLU_OK) return 0;
    int x[4 * 64], y[4 * 64];
    uint64_t rng = 42;
    for (int split = 0; split < 2; split++) {
        sw_dataset_batch(x, y, &ds, split, 4, T, &rng);
        for (size_t i = 0; i < 4 * T; i++)
            if (x[i] < 0 || x[i] >= ds.vocab || y[i] < 0 || y[i] >= ds.vocab) abort();
    }
    sw_dataset_free(&ds);
    return 0;
}
