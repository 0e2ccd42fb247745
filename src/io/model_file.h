/* model_file.h -- one door for the model files `generate` and `inspect`
 * read (internal; not installed): llama2.c's .bin (llama2c.h), llama.cpp's
 * GGUF (gguf.h) and Hugging Face safetensors (safetensors.h) -- a
 * .safetensors file with config.json beside it, or the folder holding
 * model.safetensors and config.json. The format is told by the file's
 * first bytes, not its name. Every format ends as a sw_l2c_model (fp32
 * weights in llama2.c's layout), so one forward serves them all. */
#ifndef SW_IO_MODEL_FILE_H
#define SW_IO_MODEL_FILE_H
#include <stddef.h>
#include "swiglu.h"
#include "io/llama2c.h"

typedef struct sw_model_file {
    sw_l2c_model m;
    void *tok;              /* a llama2.c tokenizer.bin image carried by the file (GGUF) or found
                             * in a safetensors model's folder (tokenizer.bin), else NULL */
    size_t tok_size;
    const char *format;     /* "llama2.c", "GGUF", "safetensors" */
} sw_model_file;

/* Opens path in whichever format it is. check_finite: a NaN or infinite
 * weight is refused (SWIGLU_ERR_NONFINITE, naming the first), as
 * sw_l2c_open does; 0 leaves them for the caller to count (inspect).
 * SWIGLU_ERR_FORMAT when the file is none of the formats (msg says what
 * each reader found wrong, for the format the first bytes suggest). */
swiglu_status sw_model_file_open(sw_model_file *f, const char *path, int check_finite, char *msg, size_t msg_cap);
void sw_model_file_close(sw_model_file *f);

#endif
