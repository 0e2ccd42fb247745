/* test_weight_convert.c -- the stored weight types of GGUF and safetensors
 * into fp32 (io/weight_convert.h): ggml's K-quant blocks decoded value by
 * value, bit for bit, as numpy decodes them from ggml's layouts (the
 * committed dump tests/ref/kquant_ref.bin, written by
 * tests/ref/make_kquant_ref.py with tests/support/kquants.py), and the
 * block sizes the GGUF reader checks files against.
 * Legend: B blocks of a record, QK = 256 values per K-quant block. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "io/weight_convert.h"
#include "testlib.h"

static int rd(void *p, size_t sz, size_t n, FILE *f) { return fread(p, sz, n, f) == n; }

int main(void)
{
    /* ggml's block sizes (ggml-common.h's static_asserts) */
    const struct { sw_wtype t; const char *name; size_t block, bytes; } ty[] = {
        {SW_W_Q8_0, "Q8_0", 32, 34}, {SW_W_Q2_K, "Q2_K", 256, 84}, {SW_W_Q3_K, "Q3_K", 256, 110},
        {SW_W_Q4_K, "Q4_K", 256, 144}, {SW_W_Q5_K, "Q5_K", 256, 176}, {SW_W_Q6_K, "Q6_K", 256, 210}};
    for (size_t i = 0; i < sizeof ty / sizeof ty[0]; i++) {
        CHECK(sw_wtype_block(ty[i].t) == ty[i].block, "%s: %zu values per block", ty[i].name, ty[i].block);
        CHECK(sw_wtype_bytes(ty[i].t, 3 * ty[i].block) == 3 * ty[i].bytes, "%s: %zu bytes per block", ty[i].name, ty[i].bytes);
    }

    FILE *f = fopen("tests/ref/kquant_ref.bin", "rb");
    CHECK(f != NULL, "tests/ref/kquant_ref.bin must be readable (run from the repository root)");
    if (!f) return tl_finish("test_weight_convert");
    char magic[8];
    uint32_t count = 0;
    CHECK(rd(magic, 1, 8, f) && !memcmp(magic, "SWGLKQ01", 8) && rd(&count, 4, 1, f) && count == 5, "magic, 5 records");
    for (uint32_t r = 0; r < count; r++) {
        char name[9] = {0};
        uint32_t h[3];
        if (!rd(name, 1, 8, f) || !rd(h, 4, 3, f) || h[1] == 0 || h[1] > 64 || h[2] > 256) { CHECK(0, "record %u header", r); break; }
        size_t k = 0;
        while (k < sizeof ty / sizeof ty[0] && strcmp(ty[k].name, name)) k++;
        CHECK(k < sizeof ty / sizeof ty[0] && h[2] == ty[k].bytes, "record %u: a known type (%s) of %u-byte blocks", r, name, h[2]);
        size_t B = h[1], n = B * 256;
        unsigned char *blocks = malloc(B * h[2]);
        float *want = malloc(n * sizeof *want), *got = malloc(n * sizeof *got);
        int ok = blocks && want && got && rd(blocks, h[2], B, f) && rd(want, sizeof *want, n, f);
        CHECK(ok, "record %u (%s): data", r, name);
        if (ok && k < sizeof ty / sizeof ty[0]) {
            memset(got, 0xff, n * sizeof *got);
            sw_weights_to_f32(got, blocks, ty[k].t, n);
            size_t bad = 0, first = n;
            for (size_t i = 0; i < n; i++)
                if (memcmp(&got[i], &want[i], sizeof got[i])) { bad++; if (first == n) first = i; }
            CHECK(bad == 0, "%s: %zu values decoded, %zu differ from numpy's bit for bit (the first: value %zu of block %zu, %a vs %a)",
                  name, n, bad, first % 256, first / 256, bad ? (double)got[first] : 0.0, bad ? (double)want[first] : 0.0);
            /* the decoder reads only its blocks: an unaligned source gives the same values */
            unsigned char *shifted = malloc(B * h[2] + 1);
            if (shifted) {
                memcpy(shifted + 1, blocks, B * h[2]);
                sw_weights_to_f32(got, shifted + 1, ty[k].t, n);
                CHECK(!memcmp(got, want, n * sizeof *got), "%s: the same values from an unaligned source", name);
                free(shifted);
            }
        }
        free(blocks);
        free(want);
        free(got);
        if (!ok) break;
    }
    fclose(f);
    return tl_finish("test_weight_convert");
}
