/* test_train_nonfinite.c -- a step whose loss or gradient is NaN or infinite
 * (src/model/trainer.c) is refused, and the lab counts it as divergence:
 *  - poisoned weights: SWIGLU_ERR_NONFINITE, info->nonfinite, and the
 *    trainer bit for bit as before the call (parameters, moments, step, data
 *    RNG); a retry fails the same way;
 *  - a run that blows up by itself (lr 10, weight decay 1): sw_trainer_run
 *    returns SWIGLU_ERR_NONFINITE after showing the step to on_step, and the
 *    trainer equals a fresh one stepped to the last good step;
 *  - the lab (src/lab/run.c) resumed from a poisoned checkpoint (huge
 *    finite weights: NaN ones are refused at load, test_hardening2.sh): the run
 *    ends as before the trainer refused such steps (status=diverged, NaN
 *    losses, the step counted, its steps.csv row, no checkpoint left) and
 *    sw_lab_execute succeeds.
 * Legend: B batch, T context. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "support/testlib.h"
#include "lab/run.h"
#include "model/trainer.h"

static char dir[64];

/* the state that must survive a refused step */
typedef struct snap {
    float *p, *m, *v;
    long long step;
    uint64_t rng;
    double last_lr, last_norm;
} snap;

static void take(snap *s, const sw_trainer *t)
{
    size_t n = t->model->n_params * sizeof(float);
    s->p = malloc(n); s->m = malloc(n); s->v = malloc(n);
    memcpy(s->p, t->model->params, n); memcpy(s->m, t->m, n); memcpy(s->v, t->v, n);
    s->step = t->step; s->rng = t->rng; s->last_lr = t->last_lr; s->last_norm = t->last_norm;
}
static int same(const snap *s, const sw_trainer *t)
{
    size_t n = t->model->n_params * sizeof(float);
    return !memcmp(s->p, t->model->params, n) && !memcmp(s->m, t->m, n) && !memcmp(s->v, t->v, n) &&
           s->step == t->step && s->rng == t->rng && s->last_lr == t->last_lr && s->last_norm == t->last_norm;
}
static void drop(snap *s) { free(s->p); free(s->m); free(s->v); }

static void configs(sw_model_config *mc, sw_train_config *tc)
{
    sw_model_config_default(mc);
    mc->n_layer = 1; mc->n_head = 2; mc->d_model = 16; mc->seq_len = 16;
    sw_train_config_default(tc);
    tc->batch = 2; tc->accum = 2; tc->steps = 40; tc->warmup = 2; tc->lr = 3e-3; tc->eval_batches = 1;
    tc->eval_every = 0; tc->seed = 5;
}

static void poison(sw_trainer *t)
{
    /* the embedding: every token's row, and the tied head */
    const sw_tensor *e = &t->model->tensors[0];
    for (size_t i = 0; i < e->numel; i++) t->model->params[e->offset + i] = NAN;
}

/* For a checkpoint: NaN weights are refused at load (sw_trainer_load), so
 * the lab's run is poisoned with the largest finite ones, whose first
 * forward overflows to a non-finite loss. */
static void poison_finite(sw_trainer *t)
{
    const sw_tensor *e = &t->model->tensors[0];
    for (size_t i = 0; i < e->numel; i++) t->model->params[e->offset + i] = 3e38f;
}

static void refused_step(const sw_dataset *ds)
{
    sw_model_config mc;
    sw_train_config tc;
    configs(&mc, &tc);
    char err[512];
    sw_trainer *t;
    CHECK(sw_trainer_create(&t, &mc, &tc, ds, err, sizeof err) == SWIGLU_OK, "create: %s", err);
    sw_step_info si;
    for (int i = 0; i < 3; i++) CHECK(sw_trainer_step(t, &si) == SWIGLU_OK && !si.nonfinite, "finite step %d", i);
    poison(t);
    snap s;
    take(&s, t);
    memset(&si, 0, sizeof si);
    swiglu_status st = sw_trainer_step(t, &si);
    CHECK(st == SWIGLU_ERR_NONFINITE, "poisoned step refused: %s", swiglu_status_str(st));
    CHECK(si.nonfinite && si.step == 4 && isnan(si.loss) && isnan(si.grad_norm),
          "info: nonfinite %d, step %lld, loss %g, norm %g", si.nonfinite, si.step, si.loss, si.grad_norm);
    CHECK(si.lr == sw_lr_at(&t->tc, 3), "info: the lr of the step tried");
    CHECK(same(&s, t), "parameters, moments, step, RNG unchanged by a refused step");
    sw_step_info again;
    CHECK(sw_trainer_step(t, &again) == SWIGLU_ERR_NONFINITE && again.step == 4, "a retry fails the same way");
    CHECK(same(&s, t), "and changes nothing either");
    CHECK(strcmp(swiglu_status_str(SWIGLU_ERR_NONFINITE), "a loss or gradient is not finite") == 0, "status named");
    drop(&s);
    sw_trainer_free(t);
}

typedef struct seen { int calls, nonfinite_calls; sw_step_info last; } seen;
static int count_step(void *ctx, const sw_trainer *t, const sw_step_info *s)
{
    seen *c = ctx;
    (void)t;
    c->calls++;
    c->nonfinite_calls += s->nonfinite;
    c->last = *s;
    return 0;
}

static void blows_up(const sw_dataset *ds)
{
    sw_model_config mc;
    sw_train_config tc;
    configs(&mc, &tc);
    /* the weight decay multiplies the matrices by 1 - lr wd = -9 each step */
    tc.lr = 10; tc.min_lr = 10; tc.warmup = 0; tc.weight_decay = 1; tc.grad_clip = 0; tc.steps = 100;
    char err[512];
    sw_trainer *t, *u;
    CHECK(sw_trainer_create(&t, &mc, &tc, ds, err, sizeof err) == SWIGLU_OK, "create: %s", err);
    seen c = {0};
    sw_train_hooks h = {count_step, NULL, &c, NULL};
    int stopped = 0;
    swiglu_status st = sw_trainer_run(t, &h, &stopped);
    CHECK(st == SWIGLU_ERR_NONFINITE, "the run ends non-finite: %s", swiglu_status_str(st));
    CHECK(stopped == 1, "stopped early");
    CHECK(c.nonfinite_calls == 1 && c.last.nonfinite, "on_step saw the refused step, last (%d calls)", c.calls);
    CHECK(t->step == c.calls - 1 && c.last.step == t->step + 1 && t->step > 0 && t->step < tc.steps,
          "%lld good steps, then step %lld refused", t->step, c.last.step);
    /* a fresh trainer stepped to the last good step holds the same bits */
    CHECK(sw_trainer_create(&u, &mc, &tc, ds, err, sizeof err) == SWIGLU_OK, "create: %s", err);
    sw_step_info si;
    for (long long i = 0; i < t->step; i++) CHECK(sw_trainer_step(u, &si) == SWIGLU_OK, "replay step %lld", i);
    snap s;
    take(&s, u);
    CHECK(same(&s, t), "the trainer is the last good step's, bit for bit");
    drop(&s);
    sw_trainer_free(u);
    sw_trainer_free(t);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *p = calloc(1, 1 << 16);
    size_t n = fread(p, 1, (1 << 16) - 1, f);
    p[n] = 0;
    fclose(f);
    return p;
}

static void lab_diverges(const char *data_path)
{
    sw_lab_plan *p = malloc(sizeof *p);
    char err[512];
    CHECK(sw_lab_plan_make(p, "tiny", "swiglu", 1, err, sizeof err) == SWIGLU_OK, "plan: %s", err);
    const sw_lab_run *r = &p->runs[0];
    CHECK(r->kind == SW_RUN_MAIN, "the first run trains");
    sw_model_config mc;
    sw_train_config tc;
    sw_lab_run_configs(p, r, &mc, &tc);
    sw_dataset ds;
    CHECK(sw_dataset_load(&ds, data_path, SW_TOKENS_BYTE, (size_t)mc.seq_len, err, sizeof err) == SWIGLU_OK,
          "data: %s", err);
    /* the run's checkpoint after 2 steps, its weights poisoned: the lab resumes from it */
    char out[128], rdir[300], ck[400], path[400];
    snprintf(out, sizeof out, "%s/lab", dir);
    snprintf(rdir, sizeof rdir, "%s/runs/%s", out, r->id);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", rdir);
    CHECK(system(cmd) == 0, "mkdir");
    snprintf(ck, sizeof ck, "%s/ckpt.bin", rdir);
    sw_trainer *t;
    CHECK(sw_trainer_create(&t, &mc, &tc, &ds, err, sizeof err) == SWIGLU_OK, "create: %s", err);
    sw_step_info si;
    for (int i = 0; i < 2; i++) sw_trainer_step(t, &si);
    poison_finite(t);
    CHECK(sw_trainer_save(t, ck, err, sizeof err) == SWIGLU_OK, "save: %s", err);
    sw_trainer_free(t);

    volatile int stop = 0;
    int stopped = 0;
    swiglu_status st = sw_lab_execute(p, r, out, &ds, NULL, &stop, &stopped, NULL, NULL, err, sizeof err);
    CHECK(st == SWIGLU_OK, "a diverged run is not the plan's failure: %s (%s)", swiglu_status_str(st), err);
    CHECK(!stopped, "not counted as stopped");
    snprintf(path, sizeof path, "%s/result.txt", rdir);
    char *res = slurp(path);
    CHECK(res && strstr(res, "status=diverged\n"), "result.txt: status=diverged");
    CHECK(res && strstr(res, "final_val_loss=nan\n") && strstr(res, "final_train_loss=nan\n"), "result.txt: NaN losses");
    CHECK(res && strstr(res, "\nsteps=3\n"), "result.txt: the refused step counted (steps=3)");
    CHECK(access(ck, F_OK) != 0, "the checkpoint is gone with the finished run");
    free(res);
    snprintf(path, sizeof path, "%s/steps.csv", rdir);
    res = slurp(path);
    /* resumed without the earlier rows: the file is this one row */
    CHECK(res && (!strncmp(res, "3,nan,", 6) || !strncmp(res, "3,-nan,", 7)), "steps.csv: the refused step's row, loss nan");
    free(res);
    sw_dataset_free(&ds);
    free(p);
}

int main(void)
{
    /* tiny: more threads only wait for each other (oneDNN's GEMMs too) */
    swiglu_threads_set(1);
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
    snprintf(dir, sizeof dir, "/tmp/swiglu_nonfinite_test_%ld", (long)getpid());
    char cmd[160];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    if (system(cmd)) return 1;
    char data_path[128];
    snprintf(data_path, sizeof data_path, "%s/data.txt", dir);
    FILE *f = fopen(data_path, "wb");
    tl_rng r = {11};
    const char *words[] = {"the ", "cat ", "sat ", "on ", "a ", "mat, ", "and ", "dog.\n"};
    for (int i = 0; i < 5000; i++) fputs(words[tl_next(&r) % 8], f);
    fclose(f);

    char err[512];
    sw_dataset ds;
    CHECK(sw_dataset_load(&ds, data_path, SW_TOKENS_CHAR, 16, err, sizeof err) == SWIGLU_OK, "data: %s", err);
    refused_step(&ds);
    blows_up(&ds);
    sw_dataset_free(&ds);
    lab_diverges(data_path);

    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) return 1;
    return tl_finish("test_train_nonfinite");
}
