/* io_util.c -- see io_util.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "io/io_util.h"

swiglu_status sw_io_fail(char *msg, size_t cap, swiglu_status st, const char *fmt, ...)
{
    if (msg && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, cap, fmt, ap);
        va_end(ap);
    }
    return st;
}

void sw_fsync_parent_dir(const char *path)
{
    char *dir = strdup(path);
    if (!dir) return;
    char *slash = strrchr(dir, '/');
    const char *d = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
    int dfd = open(d, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) { fsync(dfd); close(dfd); }
    free(dir);
}

FILE *sw_atomic_open(sw_atomic_file *a, const char *path, char *msg, size_t cap)
{
    a->f = NULL;
    if (snprintf(a->path, sizeof a->path, "%s", path) >= (int)sizeof a->path) {
        sw_io_fail(msg, cap, SWIGLU_ERR_IO, "path too long: %s", path);
        return NULL;
    }
    snprintf(a->tmp, sizeof a->tmp, "%s.tmp.%ld", path, (long)getpid());
    a->f = fopen(a->tmp, "w");
    if (!a->f) sw_io_fail(msg, cap, SWIGLU_ERR_IO, "cannot write %s: %s", a->tmp, strerror(errno));
    return a->f;
}

swiglu_status sw_atomic_commit(sw_atomic_file *a, char *msg, size_t cap)
{
    int e = ferror(a->f) ? EIO : 0;
    if (fflush(a->f) != 0 || fsync(fileno(a->f)) != 0) e = e ? e : errno;
    if (fclose(a->f) != 0) e = e ? e : errno;
    a->f = NULL;
    if (!e && rename(a->tmp, a->path) != 0) e = errno;
    if (e) {
        unlink(a->tmp);
        return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "cannot write %s: %s", a->path, strerror(e));
    }
    sw_fsync_parent_dir(a->path);
    return SWIGLU_OK;
}
