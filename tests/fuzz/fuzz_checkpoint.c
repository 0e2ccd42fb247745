/* fuzz_checkpoint.c -- libFuzzer target for our checkpoint reader
 * (src/model/checkpoint.c, format in docs/FORMATS.md).
 * Build and run: `make fuzz FUZZ_SECONDS=60` (or one target:
 *   build-fuzz/fuzz_checkpoint build-fuzz/c_checkpoint tests/fuzz/corpus_checkpoint).
 *
 * The header's payload size and CRC-32 are patched to match the input before
 * it is read: random bytes would almost never pass the CRC, and the fuzzer's
 * time belongs to the configuration and tensor parsing behind it (the header
 * checks themselves are covered by tests/test_robustness.c). When the reader
 * accepts a file whose model is small, for one input in 8 (chosen by the
 * CRC, so a crash reproduces) the model is created from it and a few tokens
 * are run through the forward, so that a configuration the checks let
 * through but the model cannot take shows up here; the other 7 keep the
 * fuzzer's time on the parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_util.h"
#include "model/checkpoint.h"
#include "io/crc32.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    uint32_t crc = 0;
    if (size >= SW_CKPT_HEADER_BYTES) {
        uint64_t pbytes = size - SW_CKPT_HEADER_BYTES;
        crc = sw_crc32(0, buf + SW_CKPT_HEADER_BYTES, (size_t)pbytes);
        memcpy(buf + 16, &pbytes, 8);
        memcpy(buf + 24, &crc, 4);
    }
    char path[64], err[512];
    sw_model_config mc;
    long long step;
    if (fuzz_as_file(path, buf, size) == 0 &&
        sw_checkpoint_read_config(&mc, NULL, &step, path, err, sizeof err) == SWIGLU_OK &&
        mc.seq_len <= 64 && mc.n_layer <= 4 && (crc & 7) == 0) {
        sw_model *m;
        uint8_t itos[256];
        int vocab;
        sw_tokens mode;
        if (sw_checkpoint_load_model(&m, 1, itos, &vocab, &mode, &step, path, err, sizeof err) == SWIGLU_OK) {
            int x[4], y[4];
            size_t T = mc.seq_len < 4 ? (size_t)mc.seq_len : 4;
            for (size_t t = 0; t < T; t++) { x[t] = (int)t % vocab; y[t] = (int)(t + 1) % vocab; }
            double loss;
            sw_model_forward(m, x, y, 1, T, &loss);
            sw_model_free(m);
        }
    }
    free(buf);
    return 0;
}
