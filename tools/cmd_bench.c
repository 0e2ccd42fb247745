/* cmd_bench.c -- `swiglu bench <target>`: a dispatcher, one benchmark a file
 * (tools/bench_<target>.c). Add a target by adding a line to the table. */
#include <stdio.h>
#include "cli.h"

static const cli_command targets[] = {
    {"act", bench_act, "elementwise kernels: GB/s against copy and triad of the same run"},
    {"ffn", bench_ffn, "FFN layer fwd / fwd+bwd: ms, GFLOP/s, ratio to the bare GEMMs (fp32, bf16)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: swiglu bench <target> [options]   (swiglu bench <target> --help)\n\ntargets:\n");
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
        fprintf(f, "  %-8s %s\n", targets[i].name, targets[i].summary);
}

int cmd_bench(int argc, char **argv)
{
    return cli_dispatch(targets, sizeof targets / sizeof targets[0], "bench target", usage, argc, argv);
}
