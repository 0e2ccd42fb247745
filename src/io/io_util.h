/* io_util.h -- what the file readers and writers share (src/io, the lab,
 * the CLI): a one-line reason into the caller's buffer, a durable rename,
 * and text files written atomically. */
#ifndef SW_IO_IO_UTIL_H
#define SW_IO_IO_UTIL_H
#include <stddef.h>
#include <stdio.h>
#include "swiglu.h"

/* Writes the formatted reason into msg (when msg and cap), returns st. */
swiglu_status sw_io_fail(char *msg, size_t cap, swiglu_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* fsync of the folder holding path, so that a rename into it survives a
 * crash; best effort (errors ignored: the file itself is already synced). */
void sw_fsync_parent_dir(const char *path);

/* A text file written atomically: sw_atomic_open creates "<path>.tmp.<pid>" beside
 * path and returns its stream (NULL, with the reason in msg, on failure);
 * write to a->f; sw_atomic_commit checks that every write succeeded, flushes
 * the file to disk, renames it over path and syncs the folder, so path holds
 * the old file or the whole new one, never a part. On failure it removes the
 * temporary and returns SWIGLU_ERR_IO with the reason. */
typedef struct sw_atomic_file { FILE *f; char path[4096], tmp[4128]; } sw_atomic_file;
FILE *sw_atomic_open(sw_atomic_file *a, const char *path, char *msg, size_t cap);
swiglu_status sw_atomic_commit(sw_atomic_file *a, char *msg, size_t cap);

#endif
