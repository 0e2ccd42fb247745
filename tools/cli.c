/* cli.c -- error and argument helpers of the CLI (see cli.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static jmp_buf *trap;
static char trap_msg[1024];

void cli_trap_set(jmp_buf *j) { trap = j; trap_msg[0] = 0; }
const char *cli_trap_message(void) { return trap_msg; }

void cli_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (trap) {
        vsnprintf(trap_msg, sizeof trap_msg, fmt, ap);
        va_end(ap);
        longjmp(*trap, CLI_TRAP_DIED);
    }
    fputs("swiglu: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

void cli_exit(int code)
{
    if (trap) longjmp(*trap, CLI_TRAP_EXIT);
    exit(code);
}

void cli_args_done(void)
{
    if (trap) longjmp(*trap, CLI_TRAP_PARSED);
}

void cli_check(swiglu_status st, const char *what)
{
    if (st != SWIGLU_OK) cli_die("%s: %s", what, swiglu_status_str(st));
}

long long cli_parse_int(const char *opt, const char *s, long long lo, long long hi)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end) cli_die("%s expects a whole number, got '%s'", opt, s);
    if (v < lo || v > hi) cli_die("%s must be in [%lld, %lld], got %lld", opt, lo, hi, v);
    return v;
}

double cli_parse_double(const char *opt, const char *s, double lo, double hi)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v)) cli_die("%s expects a number, got '%s'", opt, s);
    if (v < lo || v > hi) cli_die("%s must be in [%g, %g], got %g", opt, lo, hi, v);
    return v;
}

const char *cli_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) cli_die("%s needs a value", argv[*i]);
    return argv[++*i];
}

int cli_dispatch(const cli_command *table, size_t n, const char *what, void (*usage)(FILE *f),
                 int argc, char **argv)
{
    if (argc < 2) { usage(stderr); return 2; }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) { usage(stdout); return 0; }
    for (size_t i = 0; i < n; i++)
        if (!strcmp(argv[1], table[i].name)) return table[i].run(argc - 1, argv + 1);
    usage(stderr);
    cli_die("unknown %s '%s'", what, argv[1]);
}

FILE *cli_out_open(sw_atomic_file *o, const char *path)
{
    char msg[4400];
    if (!sw_atomic_open(o, path, msg, sizeof msg)) cli_die("%s", msg);
    return o->f;
}

void cli_out_close(sw_atomic_file *o)
{
    char msg[4400];
    if (sw_atomic_commit(o, msg, sizeof msg) != SWIGLU_OK) cli_die("%s", msg);
}
