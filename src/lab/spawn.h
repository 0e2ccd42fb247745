/* spawn.h -- running another program (npm, tar, gnuplot) quietly. */
#ifndef SW_LAB_SPAWN_H
#define SW_LAB_SPAWN_H

enum { SW_SPAWN_NOT_FOUND = -2 };

/* Runs argv (argv[0] looked up in PATH) with stdout and stderr sent to
 * /dev/null and waits for it; 0 when it ran and exited 0, else -1. */
int sw_spawn_quiet(char *const argv[]);
/* The same in folder cwd (NULL: the current one), and SW_SPAWN_NOT_FOUND
 * when argv[0] is not on PATH. */
int sw_spawn_quiet_in(const char *cwd, char *const argv[]);

#endif
