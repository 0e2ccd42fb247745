/* gnuplot.c -- the one gnuplot writer (gnuplot.h). */
#include <string.h>
#include "lab/gnuplot.h"
#include "lab/spawn.h"

FILE *sw_gnuplot_open(sw_atomic_file *a, const char *path, char *msg, size_t cap)
{
    return sw_atomic_open(a, path, msg, cap);
}

int sw_gnuplot_run(sw_atomic_file *a, const char *cwd, char *msg, size_t cap)
{
    if (sw_atomic_commit(a, msg, cap) != SWIGLU_OK) return SW_GNUPLOT_UNSAVED;
    const char *script = a->path;
    if (cwd) {
        const char *slash = strrchr(a->path, '/');
        if (slash) script = slash + 1;
    }
    char *argv[] = {"gnuplot", (char *)script, NULL};
    int rc = sw_spawn_quiet_in(cwd, argv);
    return rc == SW_SPAWN_NOT_FOUND ? SW_GNUPLOT_MISSING : rc ? SW_GNUPLOT_FAILED : SW_GNUPLOT_OK;
}
