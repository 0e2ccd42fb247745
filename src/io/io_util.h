/* io_util.h -- what the file readers and writers of src/io share: a one-line
 * reason into the caller's buffer, and a durable rename. */
#ifndef SW_IO_IO_UTIL_H
#define SW_IO_IO_UTIL_H
#include <stddef.h>
#include "swiglu.h"

/* Writes the formatted reason into msg (when msg and cap), returns st. */
swiglu_status sw_io_fail(char *msg, size_t cap, swiglu_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* fsync of the folder holding path, so that a rename into it survives a
 * crash; best effort (errors ignored: the file itself is already synced). */
void sw_fsync_parent_dir(const char *path);

#endif
