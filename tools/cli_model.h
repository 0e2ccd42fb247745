/* cli_model.h -- a checkpoint of `swiglu train` loaded for inference, the
 * one way `export`, `generate`/`sample` and `inspect` read one (a failure
 * dies with the loader's one-line reason). */
#ifndef SW_TOOLS_CLI_MODEL_H
#define SW_TOOLS_CLI_MODEL_H
#include <stddef.h>
#include <stdint.h>
#include "model/checkpoint.h"

typedef struct cli_ckpt {
    sw_model *m;          /* for batches of up to Bmax sequences, no gradients */
    uint8_t itos[256];    /* the vocabulary: id -> byte, [0, vocab) */
    int vocab;
    sw_tokens mode;
    long long step;
} cli_ckpt;

/* Loads path into c or dies with "<who>: <reason>" ("<reason>" when who is
 * NULL). checked: refuse NaN or infinite weights (export, generate); inspect
 * loads them unchecked and counts them. */
void cli_ckpt_load(cli_ckpt *c, const char *path, size_t Bmax, int checked, const char *who);
#endif
