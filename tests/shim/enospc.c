/* enospc.c -- an LD_PRELOAD shim for tests/test_train_robust.sh: a full or
 * slow disk for the files whose path contains $SW_SHIM_MATCH, without root
 * or a small filesystem. Built by the test itself (cc -shared -fPIC); not
 * part of the library or of the test binaries (tests/support/ would link
 * it into every one of them).
 *   SW_SHIM_ENOSPC_AFTER=N  write() passes N bytes in all, then fails ENOSPC
 *                           (the last one that passes may be a short write)
 *   SW_SHIM_FSYNC_ENOSPC=1  fsync() fails ENOSPC: data accepted, then lost,
 *                           as on a filesystem with delayed allocation
 *   SW_SHIM_FSYNC_SLEEP=S   fsync() first sleeps S seconds (a slow disk, so
 *                           that a test can signal a process mid-save) */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static int matches(int fd)
{
    const char *m = getenv("SW_SHIM_MATCH");
    if (!m || !*m) return 0;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return 0;
    path[n] = 0;
    return strstr(path, m) != NULL;
}

static long long env_ll(const char *name, long long dflt)
{
    const char *v = getenv(name);
    return v && *v ? atoll(v) : dflt;
}

static long long passed;   /* bytes let through to matching files */

ssize_t write(int fd, const void *buf, size_t count)
{
    static ssize_t (*real)(int, const void *, size_t);
    if (!real) real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    long long after = env_ll("SW_SHIM_ENOSPC_AFTER", -1);
    if (after >= 0 && count > 0 && matches(fd)) {
        if (passed >= after) { errno = ENOSPC; return -1; }
        if ((long long)count > after - passed) count = (size_t)(after - passed);
        ssize_t n = real(fd, buf, count);
        if (n > 0) passed += n;
        return n;
    }
    return real(fd, buf, count);
}

int fsync(int fd)
{
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    if (matches(fd)) {
        long long s = env_ll("SW_SHIM_FSYNC_SLEEP", 0);
        if (s > 0) sleep((unsigned)s);
        if (env_ll("SW_SHIM_FSYNC_ENOSPC", 0)) { errno = ENOSPC; return -1; }
    }
    return real(fd);
}
