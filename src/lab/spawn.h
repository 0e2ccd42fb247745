/* spawn.h -- running another program (npm, tar, gnuplot) quietly. */
#ifndef SW_LAB_SPAWN_H
#define SW_LAB_SPAWN_H

/* Runs argv (argv[0] looked up in PATH) with stdout and stderr sent to
 * /dev/null and waits for it; 0 when it ran and exited 0, else -1. */
int sw_spawn_quiet(char *const argv[]);

#endif
