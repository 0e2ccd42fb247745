/* cli.c -- error and argument helpers of the CLI (see cli.h). */
#include <errno.h>
#include <sched.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif
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
    if (errno == ERANGE && end != s && !*end) cli_die("%s must be in [%lld, %lld], got '%s'", opt, lo, hi, s);
    if (errno || end == s || *end) cli_die("%s expects a whole number, got '%s'", opt, s);
    if (v < lo || v > hi) cli_die("%s must be in [%lld, %lld], got %lld", opt, lo, hi, v);
    return v;
}

double cli_parse_double(const char *opt, const char *s, double lo, double hi)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    /* past double's range (1e400): a number, just not one in [lo, hi];
     * below it (1e-320, a subnormal or 0): the value strtod gives */
    if (errno == ERANGE && end != s && !*end) {
        if (fabs(v) > DBL_MIN) cli_die("%s must be in [%g, %g], got '%s'", opt, lo, hi, s);
        errno = 0;
    }
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

void cli_check_output(const char *opt, const char *path, int kind, const cli_file *ins, size_t n)
{
    if (!path) return;
    char msg[4400];
    struct stat sb;
    if (kind == CLI_OUT_SAVE) {
        if (sw_out_check(path, msg, sizeof msg)) cli_die("%s: %s", opt, msg);
    } else if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) cli_die("%s: '%s' is a folder, not a file", opt, path);
    } else if (sw_out_check(path, msg, sizeof msg)) {
        cli_die("%s: %s", opt, msg);   /* a new file: its folder must exist */
    }
    for (size_t i = 0; i < n; i++)
        if (ins[i].path && sw_same_file(path, ins[i].path))
            cli_die("%s '%s' is the %s file; refusing to overwrite an input", opt, path, ins[i].opt);
}

void cli_out_dir(const char *opt, const char *dir)
{
    struct stat sb;
    if (stat(dir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode)) cli_die("%s: '%s' exists and is not a folder", opt, dir);
        return;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) cli_die("%s: cannot create folder '%s': %s", opt, dir, strerror(errno));
}

/* An alternate signal stack for the calling thread, kept for the process's
 * lifetime: its memory stays listed in alt_stacks[] so it is never freed
 * while a thread may still switch to it (and LeakSanitizer sees it held). */
static void *alt_stacks[1024];
static _Atomic size_t alt_stacks_n;
static void alt_stack(void)
{
    stack_t ss, old;
    /* a thread that has one keeps it (ASan gives every thread its own and
     * unmaps it when the thread exits: a stack of ours there would make that
     * fail; OpenMP threads exit when a smaller team follows a larger one) */
    if (sigaltstack(NULL, &old) == 0 && !(old.ss_flags & SS_DISABLE)) return;
    size_t size = 1 << 16;
    long min = sysconf(_SC_SIGSTKSZ);
    if (min > 0 && (size_t)min * 4 > size) size = (size_t)min * 4;
    size_t slot = alt_stacks_n++;
    if (slot >= sizeof alt_stacks / sizeof alt_stacks[0]) return;
    ss.ss_sp = malloc(size);
    if (!ss.ss_sp) return;
    alt_stacks[slot] = ss.ss_sp;
    ss.ss_size = size;
    ss.ss_flags = 0;
    if (sigaltstack(&ss, NULL) != 0) { alt_stacks[slot] = NULL; free(ss.ss_sp); }
}

void cli_on_signals(void (*handler)(int))
{
    alt_stack();
#ifdef _OPENMP
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    /* the pool is made here, at its full size, so each of its threads can
     * get its stack and mask (later regions reuse these threads) */
#pragma omp parallel
    if (omp_get_thread_num() != 0) {
        alt_stack();
        pthread_sigmask(SIG_BLOCK, &set, NULL);
    }
#endif
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

void cli_signals_default(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

void cli_stream_check(FILE *f, const char *opt, const char *path, int flush)
{
    if (!f) return;
    errno = 0;
    if ((flush && fflush(f) != 0) || ferror(f))
        cli_die("%s: cannot write '%s': %s", opt, path, errno ? strerror(errno) : "write error");
}

void cli_stream_close(FILE *f, const char *opt, const char *path)
{
    if (!f) return;
    cli_stream_check(f, opt, path, 1);
    if (fclose(f) != 0) cli_die("%s: cannot write '%s': %s", opt, path, strerror(errno));
}

int cli_cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* the CPU's model name from /proc/cpuinfo, JSON-safe ("unknown" if none) */
void cli_cpu_name(char *buf, size_t cap)
{
    snprintf(buf, cap, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10)) continue;
        char *c = strchr(line, ':');
        if (!c) break;
        c++;
        while (*c == ' ' || *c == '\t') c++;
        c[strcspn(c, "\n")] = 0;
        /* keep only characters that need no JSON escaping */
        size_t k = 0;
        for (; *c && k + 1 < cap; c++)
            if (*c >= 0x20 && *c != '"' && *c != '\\') buf[k++] = *c;
        buf[k] = 0;
        break;
    }
    fclose(f);
}
