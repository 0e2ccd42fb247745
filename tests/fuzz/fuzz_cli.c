/* fuzz_cli.c -- libFuzzer target for the `swiglu` command line: every
 * subcommand's option parser and the checks that follow it.
 * Build and run: `make fuzz FUZZ_SECONDS=60`; seeds in tests/fuzz/corpus_cli,
 * option names in tests/fuzz/cli.dict.
 *
 * The input is the argument list, one argument a line ("train\n--steps\n5").
 * The CLI's parse-only trap (tools/cli.h) turns cli_die, cli_exit and the
 * end of parsing (cli_args_done) into a longjmp back here, so a command line
 * is parsed and checked, never run: no file is opened, nothing is trained. */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = (char *)"swiglu";
    char *s = buf;
    while (argc < MAX_ARGS + 1) {
        argv[argc++] = s;
        char *nl = memchr(s, '\n', (size_t)(buf + size - s));
        if (!nl) break;
        *nl = 0;
        s = nl + 1;
    }
    argv[argc] = NULL;
    jmp_buf trap;
    cli_trap_set(&trap);
    if (setjmp(trap) == 0) cli_run(argc, argv);
    cli_trap_set(NULL);
    free(buf);
    return 0;
}
