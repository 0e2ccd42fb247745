/* dataset.h -- a training text as tokens: the whole file in memory, a
 * deterministic 90/10 split (first 90% train, last 10% validation, as
 * nanoGPT), and random windows of the context length.
 * Tokens: bytes (V = 256) or "char" (the distinct bytes of the file, sorted:
 * nanoGPT's shakespeare_char, V = 65 for TinyShakespeare). */
#ifndef SW_IO_DATASET_H
#define SW_IO_DATASET_H
#include <stddef.h>
#include <stdint.h>
#include "swiglu.h"

typedef enum sw_tokens { SW_TOKENS_BYTE = 0, SW_TOKENS_CHAR = 1 } sw_tokens;

typedef struct sw_dataset {
    uint8_t *tok;          /* [n] token ids */
    size_t n, n_train;     /* tokens in all; the first n_train are the train split */
    sw_tokens mode;
    int vocab;             /* V */
    uint8_t itos[256];     /* token id -> byte */
    int16_t stoi[256];     /* byte -> token id, -1 when absent */
    uint32_t crc;          /* CRC-32 of the file's bytes (checkpoints check it) */
    uint64_t file_bytes;
} sw_dataset;

/* Loads `path`. Missing, not a regular file, empty, or too short for windows
 * of T+1 tokens in both splits: SWIGLU_ERR_IO / SWIGLU_ERR_FORMAT with a
 * one-line reason in err. */
swiglu_status sw_dataset_load(sw_dataset *ds, const char *path, sw_tokens mode, size_t T,
                              char *err, size_t errcap);
void sw_dataset_free(sw_dataset *ds);
/* The byte-level vocabulary (identity), or a given itos table of V entries. */
void sw_vocab_identity(uint8_t itos[256], int16_t stoi[256]);
/* B windows of T+1 tokens from split (0 train, 1 val), starts drawn from *rng:
 * x [B x T] inputs, y [B x T] next tokens. */
void sw_dataset_batch(int *x, int *y, const sw_dataset *ds, int split, size_t B, size_t T,
                      uint64_t *rng);

#endif
