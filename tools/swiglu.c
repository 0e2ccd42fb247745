/* swiglu.c -- the `swiglu` command's entry point; the command table and its
 * dispatch are in commands.c (the CLI fuzz target links them without main).
 *
 * OpenMP waiting. libgomp's idle threads spin for ~300,000 iterations
 * (a fraction of a millisecond) before they sleep, and read how long from
 * the environment once, when the runtime starts (before main). On a quiet
 * machine spinning saves a wake-up per parallel region; on a machine where
 * another process wants the cores, a spinning worker takes the core from
 * the thread that does the work, and a 2-thread training step was measured
 * 3-8x slower than on 1 thread (docs/MODEL.md, "Threads"). So unless the
 * user chose (OMP_WAIT_POLICY or GOMP_SPINCOUNT set), the command starts
 * itself again once with GOMP_SPINCOUNT=SWIGLU_SPINCOUNT: idle threads spin
 * a few microseconds, then sleep. If the new start fails, it goes on as it
 * is. */
#include <stdlib.h>
#include <unistd.h>
#include "cli.h"

#define SWIGLU_SPINCOUNT "1000"

int main(int argc, char **argv)
{
#ifdef _OPENMP
    if (!getenv("OMP_WAIT_POLICY") && !getenv("GOMP_SPINCOUNT") &&
        setenv("GOMP_SPINCOUNT", SWIGLU_SPINCOUNT, 1) == 0)
        execv("/proc/self/exe", argv);   /* returns only on failure: go on */
#endif
    return cli_run(argc, argv);
}
