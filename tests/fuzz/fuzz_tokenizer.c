/* fuzz_tokenizer.c -- libFuzzer target for the tokenizer.bin reader, the BPE
 * encoder and the decoder. Build: `make fuzz`; run:
 *   mkdir -p build-fuzz/c_tok && build-fuzz/fuzz_tokenizer build-fuzz/c_tok tests/fuzz/corpus_tokenizer -max_total_time=60
 *
 * The input is split: its first byte picks the vocab_size mode (0: all
 * records, else the count must match), the rest is a tokenizer file whose
 * last 32 bytes double as text to encode; every id is decoded back. A file
 * that starts a JSON object is read as Hugging Face's tokenizer.json
 * (io/hf_tokenizer.h) and its tokenizer.bin image parsed, as sw_tok_load
 * does. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "io/hf_tokenizer.h"
#include "io/tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int want = data[0] & 1 ? 0 : data[0] >> 1;
    data++;
    size--;
    sw_tokenizer t;
    char msg[256];
    void *img = NULL;
    size_t isz = 0;
    if (sw_hf_tok_sniff(data, size) && sw_hf_tok_image(&img, &isz, (const char *)data, size, msg, sizeof msg) != SWIGLU_OK)
        return 0;
    swiglu_status st = img ? sw_tok_parse(&t, img, isz, want, msg, sizeof msg) : sw_tok_parse(&t, data, size, want, msg, sizeof msg);
    free(img);
    if (st != SWIGLU_OK) return 0;
    size_t tl = size < 32 ? size : 32;
    char text[33];
    memcpy(text, data + size - tl, tl);
    text[tl] = '\0';
    int ids[40];
    size_t n = 0;
    if (sw_tok_encode(&t, text, 1, 1, ids, sizeof ids / sizeof ids[0], &n) == SWIGLU_OK) {
        for (size_t i = 1; i < n; i++) {
            const char *p;
            size_t len;
            if (sw_tok_decode(&t, ids[i - 1], ids[i], &p, &len) == SWIGLU_OK && len) {
                volatile char c = p[len - 1];
                (void)c;
            }
        }
    }
    sw_tok_free(&t);
    return 0;
}
