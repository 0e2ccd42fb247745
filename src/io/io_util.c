/* io_util.c -- see io_util.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/mman.h>
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

/* The folder part of path ("." when none) into dir [PATH_MAX]; returns the
 * name part. */
static const char *split_path(char *dir, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) { strcpy(dir, "."); return path; }
    size_t n = (size_t)(slash - path);
    if (n == 0) n = 1;   /* "/x": the root */
    if (n >= PATH_MAX) n = PATH_MAX - 1;
    memcpy(dir, path, n);
    dir[n] = '\0';
    return slash + 1;
}

swiglu_status sw_out_check(const char *path, char *msg, size_t cap)
{
    if (!path || !*path) return sw_io_fail(msg, cap, SWIGLU_ERR_ARG, "empty output path");
    if (strlen(path) >= PATH_MAX - 64) return sw_io_fail(msg, cap, SWIGLU_ERR_ARG, "path too long: %.64s...", path);
    struct stat sb;
    if (lstat(path, &sb) == 0) {
        if (S_ISREG(sb.st_mode)) return SWIGLU_OK;
        const char *what = S_ISDIR(sb.st_mode) ? "a folder" : S_ISLNK(sb.st_mode) ? "a symbolic link"
                         : S_ISFIFO(sb.st_mode) ? "a FIFO" : S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode) ? "a device"
                         : S_ISSOCK(sb.st_mode) ? "a socket" : "not a regular file";
        return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "'%s' is %s; refusing to replace it (give a regular file or a new name)",
                          path, what);
    }
    if (errno != ENOENT) return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    char dir[PATH_MAX];
    const char *base = split_path(dir, path);
    if (!*base) return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "'%s' names a folder, not a file", path);
    if (stat(dir, &sb) != 0)
        return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "cannot write '%s': folder '%s': %s", path, dir, strerror(errno));
    if (!S_ISDIR(sb.st_mode)) return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "cannot write '%s': '%s' is not a folder", path, dir);
    if (access(dir, W_OK | X_OK) != 0)
        return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "cannot write '%s': folder '%s': %s", path, dir, strerror(errno));
    return SWIGLU_OK;
}

/* path with its folder resolved (realpath), into out [PATH_MAX + NAME_MAX + 2]. */
static int canonical(char *out, const char *path)
{
    char dir[PATH_MAX], real[PATH_MAX];
    const char *base = split_path(dir, path);
    if (!realpath(dir, real)) return -1;
    snprintf(out, PATH_MAX + NAME_MAX + 2, "%s/%s", real, base);
    return 0;
}

int sw_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    int ea = stat(a, &sa), eb = stat(b, &sb);
    if (ea == 0 && eb == 0) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (ea == 0 || eb == 0) return 0;
    char ca[PATH_MAX + NAME_MAX + 2], cb[PATH_MAX + NAME_MAX + 2];
    return canonical(ca, a) == 0 && canonical(cb, b) == 0 && !strcmp(ca, cb);
}

/* io_util.h: "<path>.tmp.<pid>" removed, never this process's own; with
 * dead_only, only where pid is not a live process (kill(pid, 0) fails with
 * ESRCH). */
void sw_remove_stale_tmp(const char *path, int dead_only)
{
    char dir[PATH_MAX];
    const char *base = split_path(dir, path);
    size_t bl = strlen(base);
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        if (strncmp(n, base, bl) || strncmp(n + bl, ".tmp.", 5)) continue;
        const char *digits = n + bl + 5;
        char *end;
        errno = 0;
        long pid = strtol(digits, &end, 10);
        if (errno || end == digits || *end || *digits == '-' || *digits == '+' || pid <= 0 || pid == (long)getpid())
            continue;
        if (dead_only && (kill((pid_t)pid, 0) == 0 || errno != ESRCH)) continue;   /* alive, or not ours to judge */
        char full[PATH_MAX + NAME_MAX + 2];
        snprintf(full, sizeof full, "%s/%s", dir, n);
        struct stat sb;
        if (lstat(full, &sb) == 0 && S_ISREG(sb.st_mode)) unlink(full);
    }
    closedir(d);
}

swiglu_status sw_atomic_rename(const char *tmp, const char *path, char *msg, size_t cap)
{
    swiglu_status st = sw_out_check(path, msg, cap);
    if (st) { unlink(tmp); return st; }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "cannot write %s: %s", path, strerror(e));
    }
    sw_fsync_parent_dir(path);
    sw_remove_stale_tmp(path, 1);
    return SWIGLU_OK;
}

/* "cannot write [what ']name[']: why", returns SWIGLU_ERR_IO */
static swiglu_status write_failed(char *msg, size_t cap, const char *what, const char *name, int e)
{
    if (what) return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "cannot write %s '%s': %s", what, name, strerror(e));
    return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "cannot write %s: %s", name, strerror(e));
}

/* The start of every atomic save: a->path, a->tmp; path checked. */
static swiglu_status atomic_begin(sw_atomic_file *a, const char *path, const char *what, char *msg, size_t cap)
{
    a->f = NULL;
    a->what = what;
    if (snprintf(a->path, sizeof a->path, "%s", path) >= (int)sizeof a->path)
        return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "path too long: %s", path);
    swiglu_status st = sw_out_check(path, msg, cap);
    if (st) return st;
    snprintf(a->tmp, sizeof a->tmp, "%s.tmp.%ld", path, (long)getpid());
    return SWIGLU_OK;
}

/* The end: e is the first error of writing, syncing and closing the
 * temporary (0: none). */
static swiglu_status atomic_finish(sw_atomic_file *a, int e, char *msg, size_t cap)
{
    if (e) {
        unlink(a->tmp);
        return write_failed(msg, cap, a->what, a->path, e);
    }
    return sw_atomic_rename(a->tmp, a->path, msg, cap);
}

FILE *sw_atomic_open(sw_atomic_file *a, const char *path, char *msg, size_t cap)
{
    if (atomic_begin(a, path, NULL, msg, cap)) return NULL;
    a->f = fopen(a->tmp, "w");
    if (!a->f) write_failed(msg, cap, a->what, a->tmp, errno);
    return a->f;
}

swiglu_status sw_atomic_commit(sw_atomic_file *a, char *msg, size_t cap)
{
    int e = ferror(a->f) ? EIO : 0;
    if (fflush(a->f) != 0 || fsync(fileno(a->f)) != 0) e = e ? e : errno;
    if (fclose(a->f) != 0) e = e ? e : errno;
    a->f = NULL;
    return atomic_finish(a, e, msg, cap);
}

swiglu_status sw_atomic_write(const char *path, const void *buf, size_t n, const char *what,
                              char *msg, size_t cap)
{
    sw_atomic_file a;
    swiglu_status st = atomic_begin(&a, path, what, msg, cap);
    if (st) return st;
    int fd = open(a.tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return write_failed(msg, cap, what, a.tmp, errno);
    size_t off = 0;
    int e = 0;
    while (off < n) {
        ssize_t w = write(fd, (const char *)buf + off, n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) { e = w < 0 ? errno : EIO; break; }
        off += (size_t)w;
    }
    if (!e && fsync(fd) != 0) e = errno;
    if (close(fd) != 0 && !e) e = errno;
    return atomic_finish(&a, e, msg, cap);
}

swiglu_status sw_map_file(void **map, size_t *size, const char *path, const char *what, char *msg, size_t cap)
{
    *map = NULL;
    *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "%s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "%s: not a regular file", path);
    }
    if (st.st_size == 0) {
        close(fd);
        return sw_io_fail(msg, cap, SWIGLU_ERR_FORMAT, "%s: empty file, not a %s", path, what);
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (m == MAP_FAILED) return sw_io_fail(msg, cap, SWIGLU_ERR_IO, "%s: mmap: %s", path, strerror(e));
    *map = m;
    *size = (size_t)st.st_size;
    return SWIGLU_OK;
}
