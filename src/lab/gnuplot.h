/* gnuplot.h -- the one gnuplot writer: a script written atomically
 * (sw_atomic_open), then run by gnuplot with its output discarded. The
 * lab's report (plots/NAME.gp, paths inside it absolute or relative to the
 * process) and `swiglu inspect` (DIR/inspect.gp, paths relative to DIR so
 * that it can be run again by hand there) write theirs with it. */
#ifndef SW_LAB_GNUPLOT_H
#define SW_LAB_GNUPLOT_H
#include <stddef.h>
#include <stdio.h>
#include "io/io_util.h"

enum { SW_GNUPLOT_OK = 0, SW_GNUPLOT_FAILED = -1, SW_GNUPLOT_MISSING = -2, SW_GNUPLOT_UNSAVED = -3 };

/* Opens the script `path` for writing (NULL, with the reason in msg, on failure). */
FILE *sw_gnuplot_open(sw_atomic_file *a, const char *path, char *msg, size_t cap);
/* Saves the script (SW_GNUPLOT_UNSAVED, reason in msg, when that fails) and
 * runs `gnuplot SCRIPT` in folder cwd (NULL: the current one; then SCRIPT
 * is the path given to sw_gnuplot_open, else its last component):
 * SW_GNUPLOT_OK when it rendered, SW_GNUPLOT_MISSING when there is no
 * gnuplot on PATH, SW_GNUPLOT_FAILED when it failed. */
int sw_gnuplot_run(sw_atomic_file *a, const char *cwd, char *msg, size_t cap);
#endif
