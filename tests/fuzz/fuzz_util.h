/* fuzz_util.h -- what the libFuzzer targets share: a fuzz input as a file
 * path (the loaders under test read paths), backed by an in-memory file so
 * that an execution costs microseconds, not a disk write. */
#ifndef SW_FUZZ_UTIL_H
#define SW_FUZZ_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "io/llama2c.h"
#include "model/llama_infer.h"

/* One memfd per process, rewritten for every input; *path gets
 * "/proc/self/fd/N". Returns 0, or -1 when the file cannot be written. */
static int fuzz_as_file(char path[64], const uint8_t *data, size_t size)
{
    static int fd = -1;
    if (fd < 0 && (fd = memfd_create("fuzz-input", 0)) < 0) return -1;
    if (ftruncate(fd, 0) != 0) return -1;
    size_t off = 0;
    while (off < size) {
        ssize_t n = pwrite(fd, data + off, size - off, (off_t)off);
        if (n <= 0) return -1;
        off += (size_t)n;
    }
    snprintf(path, 64, "/proc/self/fd/%d", fd);
    return 0;
}

/* An accepted llama2.c-layout model runs a few tokens through the forward
 * when it is small (so that a shape the reader let through shows up as an
 * ASan report in the forward, without slow executions). */
static inline void fuzz_forward_small(const sw_l2c_model *m)
{
    const sw_l2c_config *c = &m->cfg;
    if (c->seq_len > 64 || (size_t)c->dim * (size_t)c->hidden_dim > (1u << 16)) return;
    sw_llama_state st;
    if (sw_llama_init(&st, m, 1) != SWIGLU_OK) return;
    const float *lg;
    for (int pos = 0; pos < 3 && pos < c->seq_len; pos++) sw_llama_forward(&st, pos % c->vocab_size, pos, &lg);
    sw_llama_free(&st);
}

#endif
