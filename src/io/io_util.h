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

/* Whether path can be the target of an atomic save: a regular file (it
 * will be replaced) or a new name in an existing folder. Anything else is
 * refused with the reason in msg, because the rename would replace it: a
 * folder, a device (as root, /dev/null), a FIFO, a socket, a symbolic link
 * (the link, not the file it names, would be replaced). Every atomic writer
 * calls it before it writes and again just before its rename. */
swiglu_status sw_out_check(const char *path, char *msg, size_t cap);

/* 1 when a and b name the same file: the same device and inode when both
 * exist; when neither exists, the same name in the same folder (symbolic
 * links and ".." resolved). 0 otherwise. */
int sw_same_file(const char *a, const char *b);

/* The end of every atomic save: checks path again (sw_out_check), renames
 * tmp over it, syncs the folder, then removes the temporaries that dead
 * writers left for the same target ("<path>.tmp.<pid>" whose pid is not a
 * live process: a writer killed during its save). On failure tmp is
 * removed and path is untouched. */
swiglu_status sw_atomic_rename(const char *tmp, const char *path, char *msg, size_t cap);

/* Removes the temporaries other writers left for path ("<path>.tmp.<pid>",
 * never this process's own). dead_only 1: only those whose pid is not a
 * live process, as sw_atomic_rename does after its rename. dead_only 0: all,
 * for a caller that holds a lock every writer of path holds (the lab's run
 * lock: a temporary there is a save killed earlier; its writer may still be
 * an unreaped zombie, which kill(pid, 0) counts as alive). */
void sw_remove_stale_tmp(const char *path, int dead_only);

/* The one atomic writer: every file the project saves (checkpoints, llama2.c
 * exports, the lab's files) is written to "<path>.tmp.<pid>" beside path,
 * flushed to disk, checked again and renamed over path (sw_atomic_rename), so
 * path holds the old file or the whole new one, never a part. A failure
 * removes the temporary and returns SWIGLU_ERR_IO with the reason: "cannot
 * write <path>: <why>", or "cannot write <what> '<path>': <why>" when the
 * writer names what it writes. Both front ends refuse what sw_out_check
 * refuses.
 *
 * A stream: sw_atomic_open creates the temporary and returns its stream
 * (NULL, with the reason in msg, on failure); write to a->f;
 * sw_atomic_commit checks that every write succeeded and finishes. */
typedef struct sw_atomic_file { FILE *f; const char *what; char path[4096], tmp[4128]; } sw_atomic_file;
FILE *sw_atomic_open(sw_atomic_file *a, const char *path, char *msg, size_t cap);
swiglu_status sw_atomic_commit(sw_atomic_file *a, char *msg, size_t cap);
/* A buffer: buf[0..n) written with write(2) on a descriptor, so that the
 * error of the failing write (ENOSPC, EIO) is the one reported. */
swiglu_status sw_atomic_write(const char *path, const void *buf, size_t n, const char *what,
                              char *msg, size_t cap);

/* Maps path read-only: a regular, non-empty file; *map and *size for
 * munmap. SWIGLU_ERR_IO (msg: the path and the reason) when it cannot be
 * opened or mapped or is not a regular file, SWIGLU_ERR_FORMAT when it is
 * empty ("<path>: empty file, not a <what>"). Every model reader's open. */
swiglu_status sw_map_file(void **map, size_t *size, const char *path, const char *what, char *msg, size_t cap);

#endif
