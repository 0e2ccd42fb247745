/* commands.c -- the command table of `swiglu` and its dispatch (cli_run):
 * one subcommand per file, tools/cmd_<name>.c. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const cli_command commands[] = {
    {"compare", cmd_compare, "the lab: every FFN variant, parameter-matched, over seeds; a report per claim"},
    {"info", cmd_info, "CPU features, the chosen kernel set, library version"},
    {"bench", cmd_bench, "benchmarks: `swiglu bench act [--json]`"},
    {"train", cmd_train, "train a LLaMA-style model with any FFN variant on a file"},
    {"sample", cmd_sample, "text or token ids from a model, ours or llama2.c's (= generate)"},
    {"generate", cmd_generate, "text or token ids from a model, ours or llama2.c's (= sample)"},
    {"inspect", cmd_inspect, "per-layer gate statistics of a model (llama2.c or ours) over text"},
    {"export", cmd_export, "a checkpoint of `swiglu train` as a llama2.c model file and tokenizer"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: swiglu <command> [options]   (swiglu <command> --help)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

int cli_run(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "help")) { usage(stdout); return 0; }
    if (argc >= 2 && !strcmp(argv[1], "--version")) { printf("swiglu %s\n", swiglu_version_string()); return 0; }
    return cli_dispatch(commands, sizeof commands / sizeof commands[0], "command", usage, argc, argv);
}
