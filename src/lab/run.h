/* run.h -- one run of the lab's plan, resumable.
 *
 * A run lives in OUT/runs/<id>/:
 *   steps.csv     step,loss,lr,grad_norm             (every step)
 *   evals.csv     step,train_loss,val_loss,grad_norm, then per layer l:
 *                 gn<l>,dead<l>,zero<l>,gate_mean<l>,gate_std<l>,act_mean<l>,up_abs<l>,beta<l>
 *   metrics.jsonl the trainer's metrics line per evaluation
 *   ckpt.bin      the trainer's checkpoint while the run is unfinished
 *   result.txt    key=value lines, written (atomically) when it finished
 * A run with result.txt is done and skipped; one with ckpt.bin resumes from
 * it, the CSV rows after the checkpoint's step dropped first, so a killed
 * run continues as if it had never stopped. */
#ifndef SW_LAB_RUN_H
#define SW_LAB_RUN_H
#include "io/dataset.h"
#include "lab/plan.h"
#include "model/trainer.h"

/* progress of the current run: fraction in [0, 1] */
typedef void (*sw_lab_progress_fn)(void *ctx, double frac);

/* 1 when OUT/runs/<id>/result.txt exists. */
int sw_lab_run_done(const char *out_dir, const sw_lab_run *r);

/* Executes (or resumes) run r. stop: polled after every step (SIGINT); a
 * stopped run saves its checkpoint and returns SWIGLU_OK with *stopped = 1.
 * comm (NULL: this process alone): the run's ranks, every one calling this
 * for the same run, training it data parallel (model/trainer.h; the plan's
 * micro-batches per step a multiple of their count: sw_lab_set_micro).
 * Rank 0 of comm decides (done, resumed or fresh) and tells the others,
 * holds the run's lock, writes its files and runs the expressivity task
 * alone; the stop flag is agreed on after every step, so every rank stops
 * after the same one. */
swiglu_status sw_lab_execute(const sw_lab_plan *p, const sw_lab_run *r, const char *out_dir,
                             const sw_dataset *data, const sw_train_comm *comm, volatile int *stop, int *stopped,
                             sw_lab_progress_fn progress, void *ctx, char *err, size_t errcap);

/* The expressivity task (expressivity.c), run r of kind SW_RUN_EXPR. */
swiglu_status sw_lab_expressivity(const sw_lab_plan *p, const sw_lab_run *r, const char *run_dir,
                                  char *err, size_t errcap);

/* Reads key from a result.txt; NAN when absent. */
double sw_lab_result_get(const char *out_dir, const char *run_id, const char *key);

#endif
