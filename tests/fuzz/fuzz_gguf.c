/* fuzz_gguf.c -- libFuzzer target for the GGUF reader (io/gguf.h).
 * Build and run: `make fuzz` (scripts/fuzz.sh); seeds in tests/fuzz/corpus_gguf
 * (tiny models in F32, BF16 and Q8_0 with a tokenizer, and h256_<K>.gguf:
 * D 8, H 256, so that ffn_down's rows are one K-quant super-block, in each
 * of Q2_K .. Q6_K (the other matrices fall back to F16), written by
 * tests/support/convert_model.py; seeds stay near 10 KB, as a bigger one
 * slows every execution down).
 *
 * Any byte string is parsed; an accepted file has every weight read (the
 * reader converts them all into its own buffer, so a size check that lets
 * a short file through shows up as an ASan read overflow), its tokenizer
 * image parsed, and, when the model is small, a few tokens run through the
 * forward. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "io/gguf.h"
#include "io/tokenizer.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_l2c_model m;
    void *tok = NULL;
    size_t tok_size = 0;
    char msg[256];
    if (sw_gguf_parse(&m, &tok, &tok_size, data, size, msg, sizeof msg) != SWIGLU_OK) return 0;
    const sw_l2c_config *c = &m.cfg;
    if (tok) {
        sw_tokenizer t;
        if (sw_tok_parse(&t, tok, tok_size, c->vocab_size, msg, sizeof msg) == SWIGLU_OK) {
            int ids[64];
            size_t n = 0;
            sw_tok_encode(&t, "a b", 1, 0, ids, 64, &n);
            sw_tok_free(&t);
        }
        free(tok);
    }
    fuzz_forward_small(&m);
    sw_l2c_close(&m);
    return 0;
}
