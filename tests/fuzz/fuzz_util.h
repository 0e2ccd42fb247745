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

#endif
