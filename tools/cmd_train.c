/* cmd_train.c -- `swiglu train`: a thin CLI over the trainer API
 * (src/model/trainer.h). Parses options, loads data, runs, prints progress,
 * writes metrics (JSON lines) and checkpoints; Ctrl-C or SIGTERM saves and
 * exits 0. A NaN or infinite loss or gradient stops it with exit 2 and no save,
 * so the last checkpoint written stays the last good one; so does a failed
 * save (full disk): the checkpoint file is replaced only by a complete one.
 * Under mpirun (tools/comm.h, docs/CLUSTER.md) N ranks train data-parallel:
 * rank r computes micro-batch r of each step (the windows of one process's
 * --accum N), rank 0 alone prints and writes files, every rank stops after
 * the same step, and the weights are compared across ranks at each
 * evaluation. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "comm.h"
#ifdef _OPENMP
#include <omp.h>
#endif
#include "io/crc32.h"
#include "model/checkpoint.h"
#include "model/ffn_name.h"
#include "model/trainer.h"

static void usage(FILE *f)
{
    fprintf(f,
"usage: swiglu train --data FILE [options]\n"
"  data     --data FILE  --tokens byte|char (byte)\n"
"  model    --layers 4 --heads 4 --kv-heads NH --dim 128 --context 64\n"
"           --ffn swiglu (relu gelu gelu_tanh swish glu bilinear reglu geglu geglu_tanh swiglu swiglu_clamped\n"
"                  swiglu-learned-beta swish-learned-beta; '-' = '_')\n"
"           --ffn-hidden H (parameter-matched) --beta B --learn-beta (= --ffn swiglu-learned-beta) --untied --rms-eps 1e-5\n"
"           --dropout 0 --bf16 (mixed precision: bf16 GEMMs, fp32 master weights)\n"
"  init     --init gpt2|fan-in|small (gpt2)  --init-std S (gpt2's std, 0.02; implies --init gpt2)\n"
"           gpt2: every matrix S, wo and w2 S/sqrt(2L); fan-in: 1/sqrt(fan_in), wo and w2 also /sqrt(2L);\n"
"           small: sqrt(2/(5D)), wo and w2 2/(L sqrt(D)) (GPT-NeoX); --resume keeps the checkpoint's init\n"
"  train    --steps 2000 --batch 12 --accum 1 --lr 1e-3 --min-lr 1e-4 --warmup 100\n"
"           --split 1 (each micro-batch as S parts of batch/S sequences, each part forward and backward\n"
"           on a thread of its own, their gradients added in part order: faster on several threads,\n"
"           the same bits at any thread count for a given S, other last bits than --split 1; like the\n"
"           rank count, not kept in the checkpoint: --resume with the same S continues bit-exactly)\n"
"           --decay-steps STEPS --beta1 0.9 --beta2 0.95 --wd 0.1 --clip 1 --seed 1337\n"
"  threads  --threads N (default: measured: 1 .. cores, the fastest, timed again every 500 steps;\n"
"           OMP_NUM_THREADS fixes it too; the results are the same bits at any count)\n"
"  eval     --eval-every 250 --eval-batches 20\n"
"  files    --ckpt FILE (written at the end and on Ctrl-C or SIGTERM; default: the --resume file, else\n"
"           swiglu.ckpt) --save-every N\n"
"           --resume FILE --metrics FILE (JSON lines) --loss-log FILE (per step, exact)\n"
"  run      --stop-at STEP (stop and save after it) --log-every 10 --quiet\n"
"           --profile (at the end: each phase's share of a training step, docs/MODEL.md)\n"
"  cluster  mpirun -n N swiglu train ...: N data-parallel ranks, rank r computing micro-batch r of\n"
"           each step (the windows of one process's --accum N; --accum A: A per rank); rank 0 prints\n"
"           and writes every file; --threads per rank (default: the node's cores / its ranks);\n"
"           --resume with the same N continues bit-exactly (docs/CLUSTER.md)\n");
}

static volatile int interrupted;
static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
    /* a second Ctrl-C or SIGTERM kills */
    cli_signals_default();
}

typedef struct run_ctx {
    sw_trainer *tr;           /* the hooks' trainer, writable: a save gathers the sharded moments into it */
    const char *ckpt;
    const char *good;         /* the last checkpoint written or resumed from, or NULL */
    long long good_step;
    sw_step_info bad;         /* the refused non-finite step */
    FILE *metrics, *losslog;
    const char *metrics_path, *losslog_path;
    long long stop_at, save_every, log_every;
    int tty, quiet;
    double t0, eval_time;
    long long step0;
    size_t tokens_per_step;
    double last_val;
} run_ctx;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void fmt_time(char *buf, size_t cap, double s)
{
    if (!(s >= 0) || s > 1e7) { snprintf(buf, cap, "?"); return; }
    long v = (long)(s + 0.5);
    if (v >= 3600) snprintf(buf, cap, "%ldh%02ldm", v / 3600, v / 60 % 60);
    else if (v >= 60) snprintf(buf, cap, "%ldm%02lds", v / 60, v % 60);
    else snprintf(buf, cap, "%lds", v);
}

/* A failed save (full disk, say) ends the run: the file at path is still
 * the previous checkpoint, whole, since only a complete one replaces it.
 * Every rank calls it: the sharded moments are gathered first. */
static void save(run_ctx *c, sw_trainer *tr)
{
    char err[512];
    if (sw_trainer_gather_state(tr)) cli_die("rank %d of %d: cannot gather the optimizer state for a save", comm_rank(), comm_size());
    if (comm_rank() == 0 && sw_trainer_save(tr, c->ckpt, err, sizeof err)) cli_die("%s", err);
    c->good = c->ckpt;
    c->good_step = tr->step;
}

static int on_step(void *ctx, const sw_trainer *tr, const sw_step_info *s)
{
    run_ctx *c = ctx;
    if (c->losslog) {
        fprintf(c->losslog, "%lld %a %a %a\n", s->step, s->loss, s->lr, s->grad_norm);
        cli_stream_check(c->losslog, "--loss-log", c->losslog_path, 0);
    }
    if (s->nonfinite) { c->bad = *s; return 1; }   /* reported after the run; nothing to save */
    double el = now() - c->t0 - c->eval_time;
    double done = (double)(s->step - c->step0);
    double tps = el > 0 ? done * (double)c->tokens_per_step / el : 0;
    double eta = done > 0 ? el / done * (double)(tr->tc.steps - s->step) : -1;
    char es[32];
    fmt_time(es, sizeof es, eta);
    if (!c->quiet && c->tty) {
        int width = 20, fill = (int)(width * (double)s->step / (double)(tr->tc.steps ? tr->tc.steps : 1));
        char bar[32];
        for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
        bar[width] = 0;
        fprintf(stderr, "\r\033[K%lld/%lld [%s] loss %.4f lr %.2e %.0f tok/s ETA %s", s->step,
                tr->tc.steps, bar, s->loss, s->lr, tps, es);
        fflush(stderr);
    } else if (!c->quiet && (s->step % c->log_every == 0 || s->step == tr->tc.steps)) {
        printf("step %lld/%lld loss %.4f lr %.3e grad_norm %.3f tok/s %.0f ETA %s\n", s->step,
               tr->tc.steps, s->loss, s->lr, s->grad_norm, tps, es);
        fflush(stdout);
    }
    if (c->save_every > 0 && s->step % c->save_every == 0) save(c, c->tr);
    /* every rank stops after the same step: a signal may reach them apart */
    int stop = comm_size() > 1 && comm_any(interrupted);
    return stop || (c->stop_at > 0 && s->step >= c->stop_at);
}

/* Data parallel: the ranks' weights must be the same bits (each applies
 * the same AdamW step to the same summed gradients); a CRC of the
 * parameters compared at every evaluation. SWIGLU_TEST_CORRUPT_RANK=R (tests
 * only) flips one bit of rank R's weights first, to see the check fire. */
static void check_same_weights(const sw_trainer *tr)
{
    if (comm_size() == 1) return;
    const sw_model *m = tr->model;
    const char *bad = getenv("SWIGLU_TEST_CORRUPT_RANK");
    if (bad && atoi(bad) == comm_rank() && tr->step > 0) m->params[0] = nextafterf(m->params[0], INFINITY);
    uint32_t crc = sw_crc32(0, m->params, m->n_params * sizeof(float));
    if (!comm_same(crc))
        cli_die("rank %d of %d: the ranks' weights differ at step %lld (CRC %08x here); stopping",
                comm_rank(), comm_size(), tr->step, crc);
}

static int on_eval(void *ctx, const sw_trainer *tr, const sw_eval_info *e)
{
    run_ctx *c = ctx;
    double t = now();
    check_same_weights(tr);
    c->last_val = e->val_loss;
    if (c->metrics) {
        char line[16384];
        size_t n = sw_eval_json(line, sizeof line, e);
        if (n >= sizeof line) cli_die("metrics line too long");
        fputs(line, c->metrics);
        cli_stream_check(c->metrics, "--metrics", c->metrics_path, 1);
    }
    if (!c->quiet) {
        if (c->tty) fprintf(stderr, "\r\033[K");
        printf("eval step %lld: train loss %.4f, val loss %.4f\n", e->step, e->train_loss, e->val_loss);
        fflush(stdout);
    }
    /* the evaluation's own time is not training time */
    c->eval_time += now() - t + e->seconds;
    return 0;
}

/* With --resume the checkpoint fixes the model, the data's tokens and the
 * schedule; these options would be silently ignored, so they are refused. */
static int fixed_on_resume(const char *a)
{
    static const char *const fixed[] = {
        "--tokens", "--layers", "--heads", "--kv-heads", "--dim", "--context", "--ffn", "--ffn-hidden",
        "--beta", "--learn-beta", "--untied", "--bf16", "--rms-eps", "--dropout", "--batch", "--accum",
        "--lr", "--min-lr", "--warmup", "--decay-steps", "--beta1", "--beta2", "--wd", "--clip", "--seed",
        "--eval-every", "--eval-batches", "--init", "--init-std"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (!strcmp(a, fixed[i])) return 1;
    return 0;
}

/* The command line: the model and schedule options, the files, and the
 * run's own settings (into c). */
typedef struct train_opts {
    sw_model_config mc;
    sw_train_config tc;
    const char *data, *resume, *metrics, *losslog;
    sw_tokens mode;
    int threads, steps_given, ckpt_given, profile;
    char fixed[512];   /* the fixed options given (refused with --resume) */
    double init_std;   /* 0: not given */
} train_opts;

/* Parses argv into o and c; 1 when --help was printed (exit 0). One flat
 * list of options, one line each: it reads better whole than split. */
static int parse_args(train_opts *o, run_ctx *c, int argc, char **argv)
{
    sw_model_config_default(&o->mc);
    sw_train_config_default(&o->tc);
    o->mode = SW_TOKENS_BYTE;
    c->ckpt = NULL;   /* --ckpt, else the --resume file (continued), else swiglu.ckpt */
    c->log_every = 10;
    sw_model_config mc = o->mc;
    sw_train_config tc = o->tc;
    const char *data = NULL, *resume = NULL, *metrics = NULL, *losslog = NULL;
    sw_tokens mode = o->mode;
    int threads = 0, steps_given = 0, ckpt_given = 0;
    char *fixed = o->fixed;
    const size_t fixed_cap = sizeof o->fixed;
    double init_std = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (fixed_on_resume(a) && strlen(fixed) + strlen(a) + 3 < fixed_cap)
            snprintf(fixed + strlen(fixed), fixed_cap - strlen(fixed), "%s%s", fixed[0] ? ", " : "", a);
        if (!strcmp(a, "--steps")) steps_given = 1;
        if (!strcmp(a, "--ckpt")) ckpt_given = 1;
#define OPT(s) (!strcmp(a, s))
#define VAL() cli_value(argc, argv, &i)
        if (OPT("--help") || OPT("-h")) { usage(stdout); return 1; }
        else if (OPT("--data")) data = VAL();
        else if (OPT("--profile")) o->profile = 1;
        else if (OPT("--tokens")) {
            const char *v = VAL();
            if (!strcmp(v, "byte")) mode = SW_TOKENS_BYTE;
            else if (!strcmp(v, "char")) mode = SW_TOKENS_CHAR;
            else cli_die("--tokens expects byte or char, got '%s'", v);
        }
        else if (OPT("--layers")) mc.n_layer = (int)cli_parse_int(a, VAL(), 1, 1024);
        else if (OPT("--heads")) mc.n_head = (int)cli_parse_int(a, VAL(), 1, 4096);
        else if (OPT("--kv-heads")) mc.n_kv_head = (int)cli_parse_int(a, VAL(), 1, 4096);
        else if (OPT("--dim")) mc.d_model = (int)cli_parse_int(a, VAL(), 2, 1 << 16);
        else if (OPT("--context")) mc.seq_len = (int)cli_parse_int(a, VAL(), 1, 65536);
        else if (OPT("--ffn")) {
            const char *v = VAL();
            int lb;
            if (sw_ffn_name_parse(&mc.ffn, &lb, v)) cli_die("unknown FFN variant '%s' (" SW_FFN_NAMES ")", v);
            if (lb) mc.learn_beta = 1;
        }
        else if (OPT("--ffn-hidden")) mc.d_ff = (int)cli_parse_int(a, VAL(), 1, 1 << 20);
        else if (OPT("--beta")) mc.ffn_beta = (float)cli_parse_double(a, VAL(), 1e-3, 1e3);
        else if (OPT("--learn-beta")) mc.learn_beta = 1;
        else if (OPT("--untied")) mc.tied = 0;
        else if (OPT("--bf16")) mc.bf16 = 1;
        else if (OPT("--rms-eps")) mc.rms_eps = (float)cli_parse_double(a, VAL(), 1e-12, 1);
        else if (OPT("--dropout")) mc.dropout = (float)cli_parse_double(a, VAL(), 0, 0.99);
        else if (OPT("--init")) {
            const char *v = VAL();
            if ((mc.init_scheme = sw_init_scheme_from_name(v)) < 0) cli_die("--init expects gpt2, fan-in or small, got '%s'", v);
        }
        else if (OPT("--init-std")) init_std = cli_parse_double(a, VAL(), 1e-6, 10);
        else if (OPT("--steps")) tc.steps = cli_parse_int(a, VAL(), 0, 1000000000);
        else if (OPT("--batch")) tc.batch = (int)cli_parse_int(a, VAL(), 1, 65536);
        else if (OPT("--accum")) tc.accum = (int)cli_parse_int(a, VAL(), 1, 65536);
        else if (OPT("--split")) tc.split = (int)cli_parse_int(a, VAL(), 1, 65536);
        else if (OPT("--lr")) tc.lr = cli_parse_double(a, VAL(), 0, 10);
        else if (OPT("--min-lr")) tc.min_lr = cli_parse_double(a, VAL(), 0, 10);
        else if (OPT("--warmup")) tc.warmup = cli_parse_int(a, VAL(), 0, 1000000000);
        else if (OPT("--decay-steps")) tc.decay_steps = cli_parse_int(a, VAL(), 0, 1000000000);
        else if (OPT("--beta1")) tc.beta1 = (float)cli_parse_double(a, VAL(), 0, 0.999999);
        else if (OPT("--beta2")) tc.beta2 = (float)cli_parse_double(a, VAL(), 0, 0.999999);
        else if (OPT("--wd")) tc.weight_decay = (float)cli_parse_double(a, VAL(), 0, 10);
        else if (OPT("--clip")) tc.grad_clip = (float)cli_parse_double(a, VAL(), 0, 1e6);
        else if (OPT("--seed")) tc.seed = (uint64_t)cli_parse_int(a, VAL(), 0, (long long)1 << 62);
        else if (OPT("--eval-every")) tc.eval_every = (int)cli_parse_int(a, VAL(), 0, 1000000000);
        else if (OPT("--eval-batches")) tc.eval_batches = (int)cli_parse_int(a, VAL(), 1, 100000);
        else if (OPT("--threads")) threads = (int)cli_parse_int(a, VAL(), 1, 1024);
        else if (OPT("--ckpt")) c->ckpt = VAL();
        else if (OPT("--save-every")) c->save_every = cli_parse_int(a, VAL(), 1, 1000000000);
        else if (OPT("--resume")) resume = VAL();
        else if (OPT("--metrics")) metrics = VAL();
        else if (OPT("--loss-log")) losslog = VAL();
        else if (OPT("--stop-at")) c->stop_at = cli_parse_int(a, VAL(), 1, 1000000000);
        else if (OPT("--log-every")) c->log_every = cli_parse_int(a, VAL(), 1, 1000000000);
        else if (OPT("--quiet")) c->quiet = 1;
        else { usage(stderr); cli_die("unknown option '%s'", a); }
#undef OPT
#undef VAL
    }
    o->mc = mc; o->tc = tc;
    o->data = data; o->resume = resume; o->metrics = metrics; o->losslog = losslog;
    o->mode = mode; o->threads = threads; o->steps_given = steps_given; o->ckpt_given = ckpt_given;
    o->init_std = init_std;
    return 0;
}

/* The options against each other, the threads, the configurations, and
 * every output, before any file is read or work starts. */
static void check_args(train_opts *o, run_ctx *c)
{
    if (!o->data) { usage(stderr); cli_die("--data FILE is required"); }
    if (o->resume && !o->ckpt_given) c->ckpt = o->resume;   /* continue that file, not a new ./swiglu.ckpt */
    if (o->resume && o->fixed[0])
        cli_die("--resume continues the checkpoint's model, tokens and schedule; %s cannot change (only --steps may extend the run)",
                o->fixed);
    if (o->init_std > 0) {
        if (o->mc.init_scheme != SW_INIT_GPT2) cli_die("--init-std sets the gpt2 scheme's std; --init %s has its own", sw_init_scheme_name(o->mc.init_scheme));
        o->mc.init_std = (float)o->init_std;
    }
    if (!o->threads && comm_size() > 1) {
        /* the default: the node's cores shared evenly by its ranks */
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        o->threads = ncpu / comm_local_size() > 1 ? (int)(ncpu / comm_local_size()) : 1;
    }
    if (o->threads) {
        cli_check(swiglu_threads_set(o->threads), "--threads");
#ifdef _OPENMP
        omp_set_num_threads(o->threads);   /* oneDNN's GEMMs run on the same OpenMP pool */
#endif
    }

    if (!c->ckpt) c->ckpt = o->resume ? o->resume : "swiglu.ckpt";
    char err[512];
    /* the options' model and schedule, before any file is read (the
     * vocabulary comes from the data later; the default 256 is valid) */
    if (!o->resume && (sw_model_config_check(&o->mc, err, sizeof err) || sw_train_config_check(&o->tc, err, sizeof err)))
        cli_die("%s", err);
    /* N ranks: --accum micro-batches each, N times as many per step in all */
    if (!o->resume && (long long)o->tc.accum * comm_size() > 65536)
        cli_die("--accum %d x %d ranks is above 65536 micro-batches per step", o->tc.accum, comm_size());
    if (!o->resume) o->tc.accum *= comm_size();
    if (comm_rank() != 0) {   /* rank 0 alone prints and writes files */
        c->quiet = 1;
        o->metrics = o->losslog = NULL;
    }
    cli_args_done();
    /* every output checked before any work (--ckpt may be the --resume file:
     * that continues it in place) */
    const cli_file ins[] = {{"--data", o->data}, {"--resume", o->resume}, {"--ckpt", c->ckpt}, {"--metrics", o->metrics}};
    cli_check_output("--ckpt", c->ckpt, CLI_OUT_SAVE, ins, 1);
    cli_check_output("--metrics", o->metrics, CLI_OUT_STREAM, ins, 3);
    cli_check_output("--loss-log", o->losslog, CLI_OUT_STREAM, ins, 4);
}

/* The data and the trainer: continued from --resume, or new. */
static sw_trainer *open_trainer(const train_opts *o, sw_dataset *ds)
{
    char err[512];
    sw_trainer *tr = NULL;
    if (o->resume) {
        /* the checkpoint fixes model and schedule; the data must be the same file */
        sw_model_config ck;
        sw_tokens ck_mode;
        if (sw_checkpoint_read_config(&ck, &ck_mode, NULL, o->resume, err, sizeof err)) cli_die("%s", err);
        if (sw_dataset_load(ds, o->data, ck_mode, (size_t)ck.seq_len, err, sizeof err)) cli_die("%s", err);
        if (sw_trainer_load(&tr, o->resume, ds, err, sizeof err)) cli_die("%s", err);
        /* --steps may extend a finished run, never go below where it is */
        if (o->steps_given) {
            if (o->tc.steps < tr->step)
                cli_die("--steps %lld is below the checkpoint's step %lld ('%s')", o->tc.steps, tr->step, o->resume);
            tr->tc.steps = o->tc.steps;
        }
        /* the split is the run's, as the thread and rank counts are */
        if (o->tc.split > tr->tc.batch)
            cli_die("--split %d is above the checkpoint's batch %d ('%s')", o->tc.split, tr->tc.batch, o->resume);
        tr->tc.split = o->tc.split;
        if (tr->tc.accum % comm_size())
            cli_die("'%s' takes %d micro-batches per step: not a multiple of %d ranks", o->resume, tr->tc.accum, comm_size());
    } else {
        if (sw_dataset_load(ds, o->data, o->mode, (size_t)o->mc.seq_len, err, sizeof err)) cli_die("%s", err);
        if (sw_trainer_create(&tr, &o->mc, &o->tc, ds, err, sizeof err)) cli_die("%s", err);
    }
    return tr;
}

/* The logs opened, c's counters set, the model's line printed. */
static void start_run(run_ctx *c, const train_opts *o, const sw_trainer *tr)
{
    const char *metrics = o->metrics, *losslog = o->losslog, *resume = o->resume;
    if (metrics && !(c->metrics = fopen(metrics, resume ? "a" : "w")))
        cli_die("--metrics: cannot open '%s': %s", metrics, strerror(errno));
    if (losslog && !(c->losslog = fopen(losslog, resume ? "a" : "w")))
        cli_die("--loss-log: cannot open '%s': %s", losslog, strerror(errno));
    c->metrics_path = metrics;
    c->losslog_path = losslog;
    c->tty = isatty(2);
    c->step0 = tr->step;
    c->tokens_per_step = (size_t)tr->tc.batch * (size_t)tr->tc.accum * tr->model->Tmax;
    const sw_model *m = tr->model;
    char thr[64];
    int tn = tr->tune.max > 1 ? snprintf(thr, sizeof thr, "threads: the fastest of 1..%d, measured", tr->tune.max)
                              : snprintf(thr, sizeof thr, "%d thread%s", m->nth, m->nth == 1 ? "" : "s");
    if (tr->tc.split > 1 && tn > 0 && (size_t)tn < sizeof thr)
        snprintf(thr + tn, sizeof thr - (size_t)tn, ", batch split in %d parts", tr->tc.split);
    if (!c->quiet)
        printf("model: %zu layers, d_model %zu, %zu heads (%zu kv), ffn %s d_ff %zu, vocab %zu, context %zu, %zu parameters, %s, init %s (std %.4g); %s%s\n",
               m->L, m->D, m->NH, m->NKV, swiglu_ffn_variant_name(m->cfg.ffn), m->H, m->V, m->Tmax,
               m->n_params, m->cfg.bf16 ? "bf16 mixed precision" : "fp32", sw_init_scheme_name(m->cfg.init_scheme),
               sw_model_init_scale(&m->cfg), thr, resume ? "; resumed" : "");
    if (comm_size() > 1 && !c->quiet)
        printf("data parallel: %d ranks x %d threads, %d micro-batches of %d per step\n", comm_size(), m->nth,
               tr->tc.accum, tr->tc.batch);
    if (resume && !c->quiet) printf("resumed from %s at step %lld\n", resume, tr->step);
    if (resume) { c->good = resume; c->good_step = tr->step; }
}

/* A non-finite loss or gradient: no save (the last finite step's weights
 * are often already on their way out (huge), and writing them would replace
 * the saner checkpoint); says which checkpoint is kept. */
static void die_diverged(const run_ctx *c) __attribute__((noreturn));
static void die_diverged(const run_ctx *c)
{
    const sw_step_info *s = &c->bad;
    char kept[4200];
    if (c->good) snprintf(kept, sizeof kept, "last checkpoint kept: %s (step %lld)", c->good, c->good_step);
    else snprintf(kept, sizeof kept, "no checkpoint was written");
    double v = isfinite(s->loss) ? s->grad_norm : s->loss;
    cli_die("%s is %s at step %lld (diverged; try a lower --lr); parameters not updated, %s",
            isfinite(s->loss) ? "gradient norm" : "loss", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf",
            s->step, kept);
}

int cmd_train(int argc, char **argv)
{
    train_opts o = {0};
    run_ctx c = {0};
    if (parse_args(&o, &c, argc, argv)) return 0;
    comm_init();
    check_args(&o, &c);
    sw_dataset ds;
    sw_trainer *tr = open_trainer(&o, &ds);
    tr->comm = comm_train();
    if (!o.threads && !getenv("OMP_NUM_THREADS")) sw_trainer_auto_threads(tr, cli_cores(), 500);
    start_run(&c, &o, tr);
    c.tr = tr;
    tr->model->prof.on = o.profile;

    cli_on_signals(on_signal);
    /* one rank: the trainer polls the flag; several: on_step agrees on it */
    sw_train_hooks h = {on_step, on_eval, &c, comm_size() > 1 ? NULL : &interrupted};
    int stopped = 0;
    c.t0 = now();
    c.last_val = NAN;
    swiglu_status st = sw_trainer_run(tr, &h, &stopped);
    if (c.tty && !c.quiet) fprintf(stderr, "\r\033[K");
    if (st == SWIGLU_ERR_NONFINITE) die_diverged(&c);
    if (st) cli_die("training failed at step %lld: %s", tr->step, swiglu_status_str(st));
    double wall = now() - c.t0;
    save(&c, tr);
    double tps = wall - c.eval_time > 0 ? (double)(tr->step - c.step0) * (double)c.tokens_per_step / (wall - c.eval_time) : 0;
    if (!c.quiet) {
        if (stopped) printf("stopped at step %lld%s; checkpoint %s\n", tr->step, interrupted ? " (interrupted)" : "", c.ckpt);
        char val[64] = "no evaluation in this run";
        if (!isnan(c.last_val)) snprintf(val, sizeof val, "val loss %.4f", c.last_val);
        printf("done: step %lld, %s, wall %.2f s (%.2f s training, %.2f s eval), %.0f tokens/s; checkpoint %s\n",
               tr->step, val, wall, wall - c.eval_time, c.eval_time, tps, c.ckpt);
        if (comm_size() > 1)
            printf("communication: %.3f s, %.1f%% of training time (rank 0; %s)\n", comm_sum_seconds(),
                   wall - c.eval_time > 0 ? 100 * comm_sum_seconds() / (wall - c.eval_time) : 0.0,
                   tr->comm && tr->comm->shard ? "sharded: gradient reduce-scatter, weight allgather"
                                               : "replicated: gradient allreduce");
    }
    if (!c.quiet && tr->tune.decisions) {
        const sw_thread_tuner *u = &tr->tune;
        printf("threads: %d, the fastest when last measured (", u->chosen);
        for (int i = 0; i < u->ncand; i++) printf("%s%d: %.2f ms", i ? ", " : "", u->cand[i], 1e3 * u->med[i]);
        printf(" a step)\n");
    }
    if (o.profile) sw_prof_print(stdout, &tr->model->prof, "step", tr->model->nth);
    cli_stream_close(c.metrics, "--metrics", o.metrics);
    cli_stream_close(c.losslog, "--loss-log", o.losslog);
    sw_trainer_free(tr);
    sw_dataset_free(&ds);
    comm_finish();
    return 0;
}
