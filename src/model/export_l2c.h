/* export_l2c.h -- our trained models as llama2.c checkpoints (`swiglu export`,
 * and `swiglu inspect` on our checkpoints, which runs them as llama2.c models).
 *
 * Legend (llama2c.h / layers.h): D dim, H hidden (d_ff), L layers, NH heads,
 * NKV kv heads, HS = D/NH, KV = NKV*HS, V vocab, S seq_len.
 *
 * llama2.c's run.c computes exactly one architecture, so only a model of that
 * architecture can be written: FFN SwiGLU with beta 1 not learned (run.c's
 * silu), RMSNorm eps 1e-5 and RoPE theta 10000 (both hard-coded in run.c).
 * Anything else is refused with a one-line reason rather than exported as a
 * file that run.c would silently compute differently.
 */
#ifndef SW_MODEL_EXPORT_L2C_H
#define SW_MODEL_EXPORT_L2C_H
#include <stddef.h>
#include "swiglu.h"
#include "io/llama2c.h"
#include "model/model.h"

/* SWIGLU_OK when cfg can be expressed as a llama2.c model, else
 * SWIGLU_ERR_ARG with the reason in err. */
swiglu_status sw_export_l2c_check(const sw_model_config *cfg, char *err, size_t errcap);

/* Fills out (cfg and weight pointers) with m's weights copied into one
 * buffer in llama2.c's stacked [L][...] layout; *storage receives the buffer
 * (the caller frees it after the last use of out; out->map stays NULL, so
 * sw_l2c_close(out) is harmless). Refuses like sw_export_l2c_check. */
swiglu_status sw_export_l2c_build(const sw_model *m, sw_l2c_model *out, float **storage,
                                  char *err, size_t errcap);

/* Writes m to path as a llama2.c checkpoint of `version` (0 legacy, 1 ak42),
 * atomically (a temporary next to path, fsync, rename). */
swiglu_status sw_export_l2c_write(const sw_model *m, int version, const char *path,
                                  char *err, size_t errcap);
/* The tokenizer written beside an exported model: "<path minus .bin>.tokenizer.bin"
 * (m.bin -> m.tokenizer.bin; m -> m.tokenizer.bin), where `generate` looks
 * for it. SWIGLU_ERR_SIZE when dst (cap bytes) is too small. */
swiglu_status sw_export_tokenizer_path(char *dst, size_t cap, const char *model_path);
/* Writes the model's character vocabulary itos[0..V) there, as llama2.c's
 * tokenizer.bin (io/tokenizer.h, sw_tok_write_chars): one byte per token,
 * no BOS/EOS (see docs/LLAMA2C.md). *written receives the path. */
swiglu_status sw_export_tokenizer_write(const unsigned char *itos, int V, const char *model_path,
                                        char *written, size_t written_cap, char *err, size_t errcap);
#endif
