/* fuzz_brown.c -- libFuzzer target for the Brown corpus tag stripper
 * (src/lab/brown.c). Build and run: `make fuzz FUZZ_SECONDS=60`.
 *
 * Checks the contract of sw_brown_strip: a buffer of the input's size + 1
 * always suffices, the length fits it, and one byte less than the result's length is
 * refused with SWIGLU_ERR_SIZE rather than overrun (ASan watches the edges:
 * the buffers are allocated to their exact sizes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lab/brown.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size ? size : 1), *out = malloc(size + 1);
    if (!in || !out) { free(in); free(out); return 0; }
    memcpy(in, data, size);
    size_t len = 0;
    if (sw_brown_strip(out, size + 1, &len, in, size) != SWIGLU_OK || len > size + 1) abort();
    if (len > 0) {
        char *small = malloc(len - 1 ? len - 1 : 1);
        size_t len2 = 0;
        if (small && sw_brown_strip(small, len - 1, &len2, in, size) != SWIGLU_ERR_SIZE) abort();
        free(small);
    }
    free(in);
    free(out);
    return 0;
}
