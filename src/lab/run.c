/* run.c -- one resumable run of the lab (see run.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "io/io_util.h"
#include "lab/corpus.h"
#include "lab/run.h"
#include "lab/scaling.h"

#define ERR(...) (snprintf(err, errcap, __VA_ARGS__), SWIGLU_ERR_IO)

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void run_dir(char *buf, size_t cap, const char *out, const sw_lab_run *r)
{
    snprintf(buf, cap, "%s/runs/%s", out, r->id);
}

int sw_lab_run_done(const char *out_dir, const sw_lab_run *r)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/runs/%s/result.txt", out_dir, r->id);
    return access(path, R_OK) == 0;
}

double sw_lab_result_get(const char *out_dir, const char *run_id, const char *key)
{
    char path[4200], line[512];
    snprintf(path, sizeof path, "%s/runs/%s/result.txt", out_dir, run_id);
    FILE *f = fopen(path, "r");
    if (!f) return NAN;
    double v = NAN;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, kl) && line[kl] == '=') { v = strtod(line + kl + 1, NULL); break; }
    fclose(f);
    return v;
}

/* Keeps the header and the rows whose first field (the step) is <= step. */
static void csv_truncate(const char *path, long long step)
{
    FILE *f = fopen(path, "r");
    if (!f) return;
    char *out = NULL, *line = NULL;
    size_t n = 0, cap = 0, lcap = 0;
    ssize_t len;
    int first = 1;
    /* whole lines of any length (getline); a last line without its newline
     * was cut by a kill in the middle of a write: dropped, or its first
     * digits ("1" of "120,...") would pass for a step before the checkpoint */
    while ((len = getline(&line, &lcap, f)) > 0 && line[len - 1] == '\n') {
        if (!first && strtoll(line, NULL, 10) > step) continue;
        first = 0;
        size_t k = (size_t)len;
        if (n + k > cap) {
            cap = (n + k) * 2 + 4096;
            char *q = realloc(out, cap);
            if (!q) { free(out); free(line); fclose(f); return; }
            out = q;
        }
        memcpy(out + n, line, k);
        n += k;
    }
    free(line);
    fclose(f);
    char err[256];
    sw_atomic_write(path, out ? out : "", n, NULL, err, sizeof err);
    free(out);
}

typedef struct run_ctx {
    const sw_lab_plan *p;
    const sw_lab_run *r;
    sw_trainer *tr;           /* writable for the hooks: a save gathers the sharded moments */
    const sw_train_comm *comm;   /* the run's ranks (data parallel), or NULL */
    int lead;                 /* this process writes the run's files (rank 0 of comm, or alone) */
    volatile int *stop;       /* with comm: agreed on after every step (on_step) */
    FILE *steps, *evals, *jsonl;
    char ckpt[4300];
    double t0, t_prev;        /* this session's start, time of earlier sessions */
    double init_loss;         /* ln V: a loss above 3 x this has diverged */
    double last_val, last_train; /* of the last evaluation */
    int diverged;
    long long last_step;      /* of the last on_step, a refused non-finite one included */
    sw_lab_progress_fn progress;
    void *pctx;
    double last_report;
    char err[512];
} run_ctx;

/* Data parallel: failed and stop agreed on by the run's ranks (a sum over
 * them: set on any rank, set on all), so that every rank stops after the
 * same step and all or none save. A failure elsewhere is this rank's too
 * (its message is the failing rank's). Returns 1 to stop. */
static int agree(run_ctx *c, int failed, int stop)
{
    if (c->comm) {
        double f[2] = {failed, stop};
        if (c->comm->sum(c->comm->ctx, f, 2)) f[0] = 1;
        if (f[0] > 0 && !failed) snprintf(c->err, sizeof c->err, "another rank of this run failed");
        failed = f[0] > 0; stop = f[1] > 0;
    }
    return failed || stop;
}

static int on_step(void *ud, const sw_trainer *tr, const sw_step_info *s)
{
    run_ctx *c = ud;
    if (c->lead) fprintf(c->steps, "%lld,%.6f,%.6g,%.6g\n", s->step, s->loss, s->lr, s->grad_norm);
    c->last_step = s->step;
    /* the loss is the same on every rank: they stop together */
    if (s->nonfinite || !isfinite(s->loss) || s->loss > 3.0 * c->init_loss) {
        c->diverged = 1;
        return 1;
    }
    int failed = 0;
    if (c->p->preset.ckpt_every > 0 && s->step % c->p->preset.ckpt_every == 0 && s->step < tr->tc.steps) {
        if (sw_trainer_gather_state(c->tr)) { snprintf(c->err, sizeof c->err, "cannot gather the optimizer state"); failed = 1; }
        if (c->lead && !failed) {
            fflush(c->steps); fflush(c->evals); fflush(c->jsonl);
            if (sw_trainer_save(tr, c->ckpt, c->err, sizeof c->err) != SWIGLU_OK) failed = 1;
            char tpath[4400], buf[64];
            snprintf(tpath, sizeof tpath, "%s.time", c->ckpt);
            int k = snprintf(buf, sizeof buf, "%.3f\n", c->t_prev + now_s() - c->t0);
            if (!failed) sw_atomic_write(tpath, buf, (size_t)k, NULL, c->err, sizeof c->err);
        }
    }
    if (agree(c, failed, c->stop && *c->stop)) return 1;
    double t = now_s();
    if (c->progress && (t - c->last_report > 0.25 || s->step == tr->tc.steps)) {
        c->last_report = t;
        c->progress(c->pctx, (double)s->step / (double)tr->tc.steps);
    }
    return 0;
}

static int on_eval(void *ud, const sw_trainer *tr, const sw_eval_info *e)
{
    run_ctx *c = ud;
    (void)tr;
    c->last_val = e->val_loss;
    c->last_train = e->train_loss;
    /* the losses are every rank's (summed over them); the FFN statistics rank 0's */
    if (!c->lead) return !isfinite(e->val_loss) ? (c->diverged = 1) : 0;
    fprintf(c->evals, "%lld,%.6f,%.6f,%.6g", e->step, e->train_loss, e->val_loss, e->grad_norm);
    for (size_t l = 0; l < e->n_layers; l++) {
        const swiglu_ffn_stats *f = &e->ffn[l];
        fprintf(c->evals, ",%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g", e->grad_norm_layer[l], f->dead_fraction,
                f->zero_fraction, f->gate_mean, f->gate_std, f->act_mean, f->up_abs_mean,
                e->beta ? (double)e->beta[l] : NAN);
    }
    fputc('\n', c->evals);
    char line[8192];
    size_t k = sw_eval_json(line, sizeof line, e);
    if (k < sizeof line) fwrite(line, 1, k, c->jsonl);
    if (!isfinite(e->val_loss)) { c->diverged = 1; return 1; }
    return 0;
}

static FILE *open_csv(const char *dir, const char *name, const char *header, int fresh)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, fresh ? "w" : "a");
    if (f && fresh && header) fputs(header, f);
    return f;
}

static swiglu_status execute_locked(const sw_lab_plan *p, const sw_lab_run *r, const char *out_dir,
                                    const char *dir, const sw_dataset *data, const sw_train_comm *comm,
                                    swiglu_status lead_st, volatile int *stop, int *stopped,
                                    sw_lab_progress_fn progress, void *pctx, char *err, size_t errcap);

swiglu_status sw_lab_execute(const sw_lab_plan *p, const sw_lab_run *r, const char *out_dir,
                             const sw_dataset *data, const sw_train_comm *comm, volatile int *stop, int *stopped,
                             sw_lab_progress_fn progress, void *pctx, char *err, size_t errcap)
{
    char dir[4200];
    *stopped = 0;
    run_dir(dir, sizeof dir, out_dir, r);
    if (comm && comm->size < 2) comm = NULL;
    swiglu_status st = SWIGLU_OK;
    int lock = -1;
    /* the run's folder and lock are its rank 0's (the others write nothing) */
    if (!comm || comm->rank == 0) {
        char runs[4200];
        snprintf(runs, sizeof runs, "%s/runs", out_dir);
        mkdir(out_dir, 0755);
        mkdir(runs, 0755);
        /* one process at a time in a run's folder: a second waits for the first
         * to finish or save, then continues from there */
        char lpath[4300];
        snprintf(lpath, sizeof lpath, "%s/lock", dir);
        if (mkdir(dir, 0755) && errno != EEXIST) st = ERR("cannot create %s: %s", dir, strerror(errno));
        else if ((lock = open(lpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) st = ERR("cannot open %s: %s", lpath, strerror(errno));
        else
            while (flock(lock, LOCK_EX) != 0)
                if (errno != EINTR) { st = ERR("cannot lock %s: %s", lpath, strerror(errno)); break; }
    }
    /* (the other ranks still hear of a failure: execute_locked says it to them) */
    if (!comm && st) { if (lock >= 0) close(lock); return st; }
    st = execute_locked(p, r, out_dir, dir, data, comm, st, stop, stopped, progress, pctx, err, errcap);
    if (lock >= 0) close(lock);
    return st;
}

/* The run's trainer: new, or continued from its checkpoint (the metrics
 * files cut back to its step, the wall time so far from ckpt.bin.time). */
static swiglu_status open_run(sw_trainer **out, run_ctx *c, const char *dir, const sw_dataset *data,
                              const sw_model_config *mc, const sw_train_config *tc, int fresh, char *err, size_t errcap)
{
    sw_trainer *tr = NULL;
    swiglu_status st;
    if (fresh) {
        st = sw_trainer_create(&tr, mc, tc, data, err, errcap);
    } else {
        st = sw_trainer_load(&tr, c->ckpt, data, err, errcap);
        if (st == SWIGLU_OK) {
            char path[4400];
            const char *csvs[] = {"steps.csv", "evals.csv", "metrics.jsonl"};
            for (int i = 0; i < 3 && c->lead; i++) {
                snprintf(path, sizeof path, "%s/%s", dir, csvs[i]);
                csv_truncate(path, tr->step);
            }
            snprintf(path, sizeof path, "%s.time", c->ckpt);
            FILE *tf = fopen(path, "r");
            if (tf) { if (fscanf(tf, "%lf", &c->t_prev) != 1) c->t_prev = 0; fclose(tf); }
        }
    }
    *out = tr;
    return st;
}

/* steps.csv, evals.csv (a column group per layer) and metrics.jsonl, new
 * or appended to; SWIGLU_ERR_IO (all closed) when one cannot be opened. */
static swiglu_status open_metrics(run_ctx *c, const char *dir, size_t L, int fresh, char *err, size_t errcap)
{
    char hdr[8192];
    int k = snprintf(hdr, sizeof hdr, "step,train_loss,val_loss,grad_norm");
    for (size_t l = 0; l < L && k < (int)sizeof hdr - 128; l++)
        k += snprintf(hdr + k, sizeof hdr - (size_t)k, ",gn%zu,dead%zu,zero%zu,gate_mean%zu,gate_std%zu,act_mean%zu,up_abs%zu,beta%zu",
                      l, l, l, l, l, l, l, l);
    snprintf(hdr + k, sizeof hdr - (size_t)k, "\n");
    c->steps = open_csv(dir, "steps.csv", "step,loss,lr,grad_norm\n", fresh);
    c->evals = open_csv(dir, "evals.csv", hdr, fresh);
    c->jsonl = open_csv(dir, "metrics.jsonl", NULL, fresh);
    if (!c->steps || !c->evals || !c->jsonl) {
        if (c->steps) fclose(c->steps);
        if (c->evals) fclose(c->evals);
        if (c->jsonl) fclose(c->jsonl);
        return ERR("cannot write the metrics of %s", dir);
    }
    return SWIGLU_OK;
}

/* Stopped from outside: the checkpoint and the wall time so far, to continue. */
static swiglu_status save_place(const run_ctx *c, const sw_trainer *tr, char *err, size_t errcap)
{
    swiglu_status st = sw_trainer_save(tr, c->ckpt, err, errcap);
    char tpath[4400], buf[64];
    snprintf(tpath, sizeof tpath, "%s.time", c->ckpt);
    int n = snprintf(buf, sizeof buf, "%.3f\n", c->t_prev + now_s() - c->t0);
    if (st == SWIGLU_OK) st = sw_atomic_write(tpath, buf, (size_t)n, NULL, err, errcap);
    return st;
}

/* Finished (or diverged): result.txt, then the checkpoint goes. */
static swiglu_status write_result(const run_ctx *c, const sw_trainer *tr, const char *dir, const sw_model_config *mc,
                                  const sw_train_config *tc, char *err, size_t errcap)
{
    const sw_lab_plan *p = c->p;
    const sw_lab_run *r = c->r;
    double val = c->diverged ? NAN : c->last_val, trn = c->diverged ? NAN : c->last_train;
    /* the steps tried: a diverged run counts its refused non-finite step,
     * as it did when the trainer still applied such steps */
    long long steps = c->diverged ? c->last_step : tr->step;
    size_t ffn_params = 0;
    swiglu_ffn_config fc;
    swiglu_ffn_get_config(tr->model->ffn, &fc);
    swiglu_ffn_param_count(&ffn_params, &fc);
    char res[2048];
    int n = snprintf(res, sizeof res,
                     "status=%s\nfinal_val_loss=%.6f\nfinal_train_loss=%.6f\nparams=%zu\nffn_params_per_layer=%zu\n"
                     "d_ff=%zu\nsteps=%lld\ntokens=%lld\nwall_s=%.3f\nlr=%.6g\nseed=%d\ninit=%s\ninit_std=%.6g\n",
                     c->diverged ? "diverged" : "done", val, trn, tr->model->n_params, ffn_params, fc.d_ff,
                     steps, steps * (long long)tc->batch * tc->accum * (long long)mc->seq_len,
                     c->t_prev + now_s() - c->t0, tc->lr, r->kind == SW_RUN_SCALE_SWEEP ? SW_LAB_SELECT_SEED : r->seed,
                     p->inits[r->init].name,
                     sw_model_init_scale(&tr->model->cfg));
    /* the two losses to the bit (C99 hex floats): tests/test_lab.sh compares resumed runs with them */
    n += snprintf(res + n, sizeof res - (size_t)n, "final_val_loss_hex=%a\nfinal_train_loss_hex=%a\n", val, trn);
    char rpath[4300];
    snprintf(rpath, sizeof rpath, "%s/result.txt", dir);
    swiglu_status st = sw_atomic_write(rpath, res, (size_t)n, NULL, err, errcap);
    if (st == SWIGLU_OK) {
        unlink(c->ckpt);
        /* saves killed earlier in this run (kill -9, mpirun's SIGKILL): under
         * the run's lock every temporary of its files is a dead writer's */
        sw_remove_stale_tmp(c->ckpt, 0);
        char tpath[4400];
        snprintf(tpath, sizeof tpath, "%s.time", c->ckpt);
        unlink(tpath);
        sw_remove_stale_tmp(tpath, 0);
    }
    return st;
}

/* What rank 0 of a run decided, for all of its ranks: train it or not
 * (done, the expressivity task, a scaling run shared with another, a
 * failure), from a checkpoint or fresh, at which of its size's rates. */
typedef struct run_plan { int train, fresh, rate; swiglu_status st; } run_plan;

static run_plan decide(const sw_lab_plan *p, const sw_lab_run *r, const char *out_dir, const char *ckpt,
                       char *err, size_t errcap)
{
    run_plan d = {0, 0, -1, SWIGLU_OK};
    if (sw_lab_run_done(out_dir, r) || r->kind == SW_RUN_EXPR) return d;
    if (r->kind == SW_RUN_SCALE) {
        /* the rate from the size's sweep; a shared run at its own run's rate is that run */
        if ((d.rate = sw_lab_scale_rate(p, out_dir, r)) < 0) {
            d.st = ERR("run %s: its size's learning-rate sweep is not done yet (run the sweep's runs first)", r->id);
            return d;
        }
        int shared = sw_lab_scale_share(p, out_dir, r, err, errcap);
        if (shared < 0) { d.st = SWIGLU_ERR_IO; return d; }
        if (shared) return d;
    }
    d.train = 1;
    d.fresh = access(ckpt, R_OK) != 0;
    return d;
}

static swiglu_status execute_locked(const sw_lab_plan *p, const sw_lab_run *r, const char *out_dir,
                                    const char *dir, const sw_dataset *data, const sw_train_comm *comm,
                                    swiglu_status lead_st, volatile int *stop, int *stopped,
                                    sw_lab_progress_fn progress, void *pctx, char *err, size_t errcap)
{
    run_ctx c;
    memset(&c, 0, sizeof c);
    c.p = p; c.r = r; c.comm = comm; c.lead = !comm || comm->rank == 0; c.stop = stop;
    c.progress = c.lead ? progress : NULL; c.pctx = pctx;
    snprintf(c.ckpt, sizeof c.ckpt, "%s/ckpt.bin", dir);
    run_plan d = {0, 0, -1, lead_st};
    if (c.lead && !lead_st) d = decide(p, r, out_dir, c.ckpt, err, errcap);
    if (comm) {   /* rank 0's decision to every rank of the run: a sum with the others' zeros */
        double v[4] = {d.train, d.fresh, d.rate, d.st != SWIGLU_OK};
        if (!c.lead) v[0] = v[1] = v[2] = v[3] = 0;
        if (comm->sum(comm->ctx, v, 4)) return ERR("run %s: the ranks cannot agree", r->id);
        if (!c.lead && v[3] != 0) return ERR("run %s: its rank 0 failed", r->id);
        d.train = v[0] != 0; d.fresh = v[1] != 0; d.rate = (int)v[2];
    }
    if (d.st) return d.st;
    if (!d.train) {
        if (c.lead && r->kind == SW_RUN_EXPR && !sw_lab_run_done(out_dir, r)) return sw_lab_expressivity(p, r, dir, err, errcap);
        if (c.lead && progress) progress(pctx, 1.0);
        return SWIGLU_OK;
    }
    sw_model_config mc;
    sw_train_config tc;
    sw_lab_run_configs(p, r, &mc, &tc);
    if (r->kind == SW_RUN_SCALE) {
        tc.lr = p->preset.sizes[r->size].rates[d.rate];
        tc.min_lr = tc.lr / 10;
    }
    if (comm && tc.accum % comm->size)
        return ERR("run %s: %d micro-batches per step cannot be shared by %d ranks (compare --accum)", r->id, tc.accum,
                   comm->size);
    sw_trainer *tr = NULL;
    swiglu_status st = open_run(&tr, &c, dir, data, &mc, &tc, d.fresh, err, errcap);
    if (st) return st;
    tr->comm = comm;
    c.tr = tr;
    c.init_loss = log((double)tr->model->V);
    c.last_step = tr->step;
    if (c.lead && (st = open_metrics(&c, dir, tr->model->L, d.fresh, err, errcap))) { sw_trainer_free(tr); return st; }
    c.t0 = now_s();
    /* data parallel, the stop flag is agreed on in on_step */
    sw_train_hooks h = {on_step, on_eval, &c, comm ? NULL : stop};
    int stp = 0;
    st = sw_trainer_run(tr, &h, &stp);
    if (c.lead) { fclose(c.steps); fclose(c.evals); fclose(c.jsonl); }
    /* a NaN or infinite step is this run's divergence, not the plan's failure */
    if (st == SWIGLU_ERR_NONFINITE) { c.diverged = 1; st = SWIGLU_OK; }
    if (st == SWIGLU_OK && c.err[0]) { snprintf(err, errcap, "%s", c.err); st = SWIGLU_ERR_IO; }
    if (st == SWIGLU_OK && stp && !c.diverged) {
        if ((st = sw_trainer_gather_state(tr))) snprintf(err, errcap, "run %s: cannot gather the optimizer state", r->id);
        else if (c.lead) st = save_place(&c, tr, err, errcap);
        *stopped = 1;
    } else if (st == SWIGLU_OK && c.lead) {
        st = write_result(&c, tr, dir, &mc, &tc, err, errcap);
        if (progress) progress(pctx, 1.0);
    }
    sw_trainer_free(tr);
    return st;
}
