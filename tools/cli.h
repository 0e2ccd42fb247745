/* cli.h -- what the `swiglu` subcommands share: the command table and small
 * helpers that print a one-line error and exit (tools/ only; the library
 * never prints or exits). */
#ifndef SW_TOOLS_CLI_H
#define SW_TOOLS_CLI_H
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include "swiglu.h"
#include "io/io_util.h"

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

/* Runs the command line argv[0..argc) (argv[0] the program, argv[1] the
 * subcommand) and returns the exit code (tools/commands.c; main is in swiglu.c). */
int cli_run(int argc, char **argv);

/* Runs the entry of table[0..n) named argv[1] with (argc - 1, argv + 1).
 * No name: usage to stderr, 2; --help / -h: usage to stdout, 0; an unknown
 * name: usage to stderr, then dies with "unknown <what> '<name>'". */
int cli_dispatch(const cli_command *table, size_t n, const char *what, void (*usage)(FILE *f),
                 int argc, char **argv);

/* Prints "swiglu: <message>" to stderr and exits with status 2. */
void cli_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Exits with `code` (--help paths that print usage and stop). */
void cli_exit(int code) __attribute__((noreturn));
/* Every subcommand calls this once its options are parsed and checked, before
 * it touches a file or starts work. A no-op, unless a trap is set. */
void cli_args_done(void);

/* The parse-only mode of the fuzz target (tests/fuzz/fuzz_cli.c): with a trap
 * set, cli_die keeps its message (cli_trap_message) and longjmps to the trap
 * with CLI_TRAP_DIED, cli_exit with CLI_TRAP_EXIT, cli_args_done with
 * CLI_TRAP_PARSED, so that a command line is parsed and never run. NULL
 * clears it. Not thread-safe; the CLI itself never sets one. */
enum { CLI_TRAP_PARSED = 1, CLI_TRAP_DIED = 2, CLI_TRAP_EXIT = 3 };
void cli_trap_set(jmp_buf *trap);
const char *cli_trap_message(void);
/* Exits with a message naming `what` when st is not SWIGLU_OK. */
/* The CPUs this process may run on (its affinity mask; the online CPUs when
 * that cannot be read): the thread defaults' "cores". */
int cli_cores(void);

void cli_check(swiglu_status st, const char *what);
/* Parses a whole decimal number in [lo, hi] for option `opt`, or dies. */
long long cli_parse_int(const char *opt, const char *s, long long lo, long long hi);
/* Parses a finite number in [lo, hi] for option `opt`, or dies. */
double cli_parse_double(const char *opt, const char *s, double lo, double hi);
/* The value after option argv[*i], advancing *i, or dies naming the option. */
const char *cli_value(int argc, char **argv, int *i);

/* An input of a command, for the output checks: its option and path
 * (path NULL: not given, skipped). */
typedef struct cli_file { const char *opt, *path; } cli_file;
enum { CLI_OUT_SAVE = 0,     /* replaced atomically: a regular file or a new name (sw_out_check) */
       CLI_OUT_STREAM = 1 }; /* written as it goes (logs): also a FIFO or a device, never a folder */
/* Dies with one line unless `path`, the value of output option `opt`, can
 * be written as `kind` says and is none of the inputs ins[0..n) (the same
 * file by device and inode, or the same new name: sw_same_file). Every
 * command calls it for each output after its options are parsed and before
 * any work, so that a bad path is found in a second, not after the run. */
void cli_check_output(const char *opt, const char *path, int kind, const cli_file *ins, size_t n);
/* The output folder of option `opt`: created when missing (its parent must
 * exist); dies when it exists and is not a folder, or cannot be made. */
void cli_out_dir(const char *opt, const char *dir);

/* Installs handler for SIGINT and SIGTERM on an alternate signal stack
 * (sigaltstack + SA_ONSTACK): oneDNN's JIT code may point the stack register
 * elsewhere while it runs, and a signal frame pushed there corrupts the heap.
 * Every thread of the OpenMP pool gets its own alternate stack and blocks
 * the two signals, so the main thread takes them. Call before any work. */
void cli_on_signals(void (*handler)(int));
/* Restores the default action of SIGINT and SIGTERM (async-signal-safe:
 * a handler calls it so that a second signal kills). */
void cli_signals_default(void);

/* A text file written atomically (sw_atomic_file, io/io_util.h): the same
 * open and commit, dying with one line naming the file on failure. */
FILE *cli_out_open(sw_atomic_file *o, const char *path);
void cli_out_close(sw_atomic_file *o);

/* A stream output (a log written as the run goes, opened with fopen): dies
 * naming opt and path when a write to f has failed (ferror, after fflush
 * when flush), or, with close, when fclose fails. A full disk or /dev/full
 * is reported at once rather than leaving an empty log and exit 0. */
void cli_stream_check(FILE *f, const char *opt, const char *path, int flush);
void cli_stream_close(FILE *f, const char *opt, const char *path);

/* The CPU's model name (/proc/cpuinfo), JSON-safe; "unknown" if none. */
void cli_cpu_name(char *buf, size_t cap);

#endif
