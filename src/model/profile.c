/* profile.c -- the per-phase lap clock of profile.h and its table. */
#include <string.h>
#include <time.h>
#include "model/profile.h"

static const char *const phase_names[SW_PH_COUNT] = {
    [SW_PH_DATA] = "data", [SW_PH_EMBED] = "embedding", [SW_PH_NORM] = "rmsnorm",
    [SW_PH_GEMM] = "gemm (q k v o, head)", [SW_PH_FFN] = "ffn (gemms + act)",
    [SW_PH_ATTN] = "attention", [SW_PH_ELEM] = "elementwise", [SW_PH_LOSS] = "loss / sampling",
    [SW_PH_GRADNORM] = "grad norm + clip", [SW_PH_OPTIM] = "adamw", [SW_PH_COMM] = "allreduce (mpirun)",
    [SW_PH_WAIT] = "wait (--split parts)",
};

double sw_prof_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

const char *sw_phase_name(sw_phase ph)
{
    return (unsigned)ph < SW_PH_COUNT ? phase_names[ph] : "?";
}

void sw_prof_reset(sw_profile *p)
{
    int on = p->on;
    memset(p, 0, sizeof *p);
    p->on = on;
}

void sw_prof_print(FILE *f, const sw_profile *p, const char *what, int threads)
{
    double n = p->steps > 0 ? (double)p->steps : 1.0, sum = 0.0;
    for (int i = 0; i < SW_PH_COUNT; i++) sum += p->sec[i][0] + p->sec[i][1];
    fprintf(f, "profile: %lld %ss, %d thread%s, %.3f ms a %s (phases %.3f ms; the rest is the loop around them)\n",
            p->steps, what, threads, threads == 1 ? "" : "s", 1e3 * p->step_sec / n, what, 1e3 * sum / n);
    fprintf(f, "  %-22s %10s %10s %10s %7s\n", "phase", "fwd ms", "bwd ms", "total ms", "share");
    for (int i = 0; i < SW_PH_COUNT; i++) {
        double a = p->sec[i][0], b = p->sec[i][1];
        if (a + b == 0.0) continue;
        fprintf(f, "  %-22s %10.3f %10.3f %10.3f %6.1f%%\n", phase_names[i], 1e3 * a / n, 1e3 * b / n,
                1e3 * (a + b) / n, p->step_sec > 0 ? 100.0 * (a + b) / p->step_sec : 0.0);
    }
}
