/* fuzz_llama2c.c -- libFuzzer target for the llama2.c checkpoint reader.
 * Build: `make fuzz` (clang -fsanitize=fuzzer,address,undefined); run:
 *   mkdir -p build-fuzz/c_llama2c && build-fuzz/fuzz_llama2c build-fuzz/c_llama2c tests/fuzz/corpus_llama2c -max_total_time=60
 *
 * Any byte string is parsed; when the parser accepts it, every weight the
 * header promises is read (so a size check that lets a short file through
 * shows up as an ASan read overflow), and when the model is small a few
 * tokens are run through the forward. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "io/llama2c.h"
#include "model/llama_infer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the parser wants 4-byte alignment, as an mmap gives */
    float *buf = malloc(size ? (size + 3) / 4 * 4 : 4);
    if (!buf) return 0;
    memcpy(buf, data, size);
    sw_l2c_model m;
    char msg[256];
    if (sw_l2c_parse(&m, buf, size, msg, sizeof msg) == SWIGLU_OK) {
        const sw_l2c_config *c = &m.cfg;
        const sw_l2c_weights *w = &m.w;
        size_t D = (size_t)c->dim, H = (size_t)c->hidden_dim, L = (size_t)c->n_layers;
        size_t V = (size_t)c->vocab_size, KV = (size_t)c->kv_dim;
        volatile float sink = 0;
        /* the last float of every array */
        sink += w->tok_emb[V * D - 1] + w->rms_att[L * D - 1] + w->wq[L * D * D - 1];
        sink += w->wk[L * KV * D - 1] + w->wv[L * KV * D - 1] + w->wo[L * D * D - 1];
        sink += w->rms_ffn[L * D - 1] + w->w1[L * H * D - 1] + w->w2[L * D * H - 1];
        sink += w->w3[L * H * D - 1] + w->rms_final[D - 1] + w->wcls[V * D - 1];
        (void)sink;
        if (size < (1u << 16) && c->seq_len <= 64) {
            sw_llama_state st;
            if (sw_llama_init(&st, &m, 1) == SWIGLU_OK) {
                const float *lg;
                for (int pos = 0; pos < 3 && pos < c->seq_len; pos++)
                    sw_llama_forward(&st, pos % c->vocab_size, pos, &lg);
                sw_llama_free(&st);
            }
        }
    }
    free(buf);
    return 0;
}
