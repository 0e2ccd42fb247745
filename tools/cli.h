/* cli.h -- what the `swiglu` subcommands share: the command table and small
 * helpers that print a one-line error and exit (tools/ only; the library
 * never prints or exits). */
#ifndef SW_TOOLS_CLI_H
#define SW_TOOLS_CLI_H
#include <stddef.h>
#include "swiglu.h"

/* A subcommand: argv[0] is the subcommand's name. Returns the exit code. */
typedef int (*cli_main_fn)(int argc, char **argv);
typedef struct cli_command { const char *name; cli_main_fn run; const char *summary; } cli_command;

/* Subcommands (one file each: tools/cmd_<name>.c). */
int cmd_compare(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_export(int argc, char **argv);

/* Benchmarks (one file each: tools/bench_<what>.c), dispatched by cmd_bench. */
int bench_act(int argc, char **argv);
int bench_ffn(int argc, char **argv);

/* Prints "swiglu: <message>" to stderr and exits with status 2. */
void cli_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Exits with a message naming `what` when st is not SWIGLU_OK. */
void cli_check(swiglu_status st, const char *what);
/* Parses a whole decimal number in [lo, hi] for option `opt`, or dies. */
long long cli_parse_int(const char *opt, const char *s, long long lo, long long hi);
/* Parses a finite number in [lo, hi] for option `opt`, or dies. */
double cli_parse_double(const char *opt, const char *s, double lo, double hi);
/* The value after option argv[*i], advancing *i, or dies naming the option. */
const char *cli_value(int argc, char **argv, int *i);

#endif
