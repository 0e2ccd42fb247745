/* swiglu.c -- the `swiglu` command's entry point; the command table and its
 * dispatch are in commands.c (the CLI fuzz target links them without main).
 *
 * OpenMP waiting. libgomp's idle threads spin ~300,000 iterations before
 * they sleep, a setting read once from the environment when the runtime
 * starts (before main). On a quiet machine the spinning pays: a training
 * step has hundreds of parallel regions and a sleeping worker costs a
 * wake-up in each (baby GPT on 2 threads: 35,600 tokens/s at the default,
 * 29,200 at GOMP_SPINCOUNT=1000). On a machine where another process wants
 * the cores, a spinning worker takes the core from the thread that does the
 * work, and a 2-thread step was measured 3-10x slower than a 1-thread one.
 * So unless the user chose (OMP_WAIT_POLICY or GOMP_SPINCOUNT set): when
 * another process is running as the command starts (machine_busy), the
 * command starts itself again
 * once with GOMP_SPINCOUNT=SWIGLU_BUSY_SPINCOUNT (spin a few microseconds,
 * then sleep); on a quiet machine it keeps libgomp's default. Load that
 * comes later is met by the thread tuner (src/model/tuner.c), which falls
 * back to 1 thread when more stop paying. If the new start fails, the
 * command goes on as it is. docs/MODEL.md, "Threads". */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "cli.h"

#define SWIGLU_BUSY_SPINCOUNT "1000"

/* Another process running now: /proc/stat's procs_running (runnable tasks,
 * this one included) read 5 times 200 us apart, its median >= 2. Not the
 * load average: it remembers the minute before, this command's own
 * previous run included. */
static int machine_busy(void)
{
    int runs[5], n = 0;
    for (int k = 0; k < 5; k++) {
        FILE *f = fopen("/proc/stat", "r");
        if (!f) return 0;
        char line[256];
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "procs_running %d", &runs[n]) == 1) { n++; break; }
        fclose(f);
        if (k < 4) usleep(200);
    }
    if (n < 5) return 0;
    for (int i = 1; i < 5; i++)   /* insertion sort, 5 values */
        for (int j = i; j > 0 && runs[j] < runs[j - 1]; j--) { int t = runs[j]; runs[j] = runs[j - 1]; runs[j - 1] = t; }
    return runs[2] >= 2;
}

int main(int argc, char **argv)
{
#ifdef _OPENMP
    if (!getenv("OMP_WAIT_POLICY") && !getenv("GOMP_SPINCOUNT") && machine_busy() &&
        setenv("GOMP_SPINCOUNT", SWIGLU_BUSY_SPINCOUNT, 1) == 0)
        execv("/proc/self/exe", argv);   /* returns only on failure: go on */
#endif
    return cli_run(argc, argv);
}
