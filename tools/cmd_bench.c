/* cmd_bench.c -- `swiglu bench <what>`: placeholder dispatcher, filled by bench_act.c */
#include <stdio.h>
#include <string.h>
#include "cli.h"

int cmd_bench(int argc, char **argv)
{
    (void)argv;
    if (argc < 2) cli_die("bench needs a target: act");
    cli_die("unknown bench target '%s'", argv[1]);
}
