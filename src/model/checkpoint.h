/* checkpoint.h -- checkpoint files (docs/FORMATS.md). The trainer's save and
 * load are declared in model/trainer.h; this adds the inference-side loader
 * (the sampler needs the model and its vocabulary, not the optimizer). */
#ifndef SW_MODEL_CHECKPOINT_H
#define SW_MODEL_CHECKPOINT_H
#include <stddef.h>
#include <stdint.h>
#include "io/dataset.h"
#include "model/model.h"

#define SW_CKPT_MAGIC "SWGLCKPT"
#define SW_CKPT_VERSION 2u     /* 2 added the init scheme; version 1 files still load (as gpt2) */
#define SW_CKPT_HEADER_BYTES 32u

/* 1 when path starts with the checkpoint magic: how the commands that take
 * any model file tell ours from a llama2.c one (a short or unreadable file
 * is 0, left to the llama2.c reader, whose messages name the problem). */
int sw_checkpoint_is_ours(const char *path);

/* Reads and checks a whole checkpoint (every header field, the CRC, the
 * configuration, the parameter count it implies) and returns its model
 * configuration, token mode and step (mode, step may be NULL), allocating nothing for the model. */
swiglu_status sw_checkpoint_read_config(sw_model_config *mc, sw_tokens *mode, long long *step,
                                        const char *path, char *err, size_t errcap);
/* Loads the model of a checkpoint for batches of up to Bmax sequences
 * (inference only: no gradients), and its vocabulary (itos[0..vocab)).
 * A NaN or infinite weight is refused (SWIGLU_ERR_NONFINITE, the message
 * names the tensor and index), as sw_trainer_load refuses one in the
 * weights or the AdamW moments. */
swiglu_status sw_checkpoint_load_model(sw_model **m, size_t Bmax, uint8_t itos[256], int *vocab,
                                       sw_tokens *mode, long long *step, const char *path,
                                       char *err, size_t errcap);
/* The same without the non-finite check (inspect counts them itself). */
swiglu_status sw_checkpoint_load_model_unchecked(sw_model **m, size_t Bmax, uint8_t itos[256], int *vocab,
                                                 sw_tokens *mode, long long *step, const char *path,
                                                 char *err, size_t errcap);
#endif
