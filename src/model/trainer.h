/* trainer.h -- training the model (model.h) on a dataset (io/dataset.h):
 * AdamW, warmup + cosine schedule, gradient clipping and accumulation,
 * evaluation on fixed batches, checkpoints, metrics. An API first (the lab
 * drives it for many runs); tools/cmd_train.c is a thin CLI over it.
 *
 * Determinism: for a seed and a thread count every step is the same bits,
 * and a run resumed from a checkpoint continues the same bits (the
 * checkpoint holds parameters, both moments, the step and the data RNG).
 * Legend: B batch, T context, L layers (see layers.h).
 */
#ifndef SW_MODEL_TRAINER_H
#define SW_MODEL_TRAINER_H
#include <stdint.h>
#include "io/dataset.h"
#include "model/model.h"
#include "model/tuner.h"

typedef struct sw_train_config {
    int batch;             /* B sequences per micro-batch */
    int accum;             /* micro-batches per optimizer step (>= 1) */
    int split;             /* parts of a micro-batch (1 .. batch; 1 = none): each part's sequences
                              get their own forward, backward and gradient buffer, the parts run
                              side by side on the threads, and their gradients are added in part
                              order (so the bits depend on split, never on the thread count); a
                              run setting like the thread and rank counts, not in checkpoints */
    long long steps;       /* optimizer steps of the schedule */
    double lr, min_lr;     /* peak and floor of the schedule */
    long long warmup;      /* linear warmup steps: lr (s+1)/(warmup+1) */
    long long decay_steps; /* cosine from warmup to here, then min_lr; 0 = steps */
    float beta1, beta2, eps, weight_decay, grad_clip;   /* clip 0 = off */
    int eval_every;        /* evaluate every K steps (0 = only at the end) */
    int eval_batches;      /* fixed batches per split per evaluation */
    uint64_t seed;         /* initialization and data order */
} sw_train_config;

/* Defaults: B 12, accum 1, split 1, 2000 steps, lr 1e-3 -> 1e-4, warmup 100, AdamW
 * 0.9 / 0.95 / 1e-8, weight decay 0.1, clip 1, eval every 250 over 20, seed 1337. */
void sw_train_config_default(sw_train_config *c);
swiglu_status sw_train_config_check(const sw_train_config *c, char *err, size_t errcap);
/* The learning rate of step s (0-based). */
double sw_lr_at(const sw_train_config *c, long long s);

typedef struct sw_step_info {
    long long step;        /* steps done, after this one (when nonfinite: the step tried) */
    double loss;           /* mean training loss over the step's micro-batches */
    double lr, grad_norm;  /* grad_norm before clipping */
    int nonfinite;         /* loss or grad_norm is NaN or infinite: nothing was updated */
} sw_step_info;

/* What an evaluation reports (the metrics file's line). Arrays have L entries
 * and belong to the trainer (valid until the next eval). */
typedef struct sw_eval_info {
    long long step;
    double train_loss, val_loss;      /* means over eval_batches fixed batches */
    double lr, grad_norm;             /* of the last step (0 before the first) */
    double grad_norm_other;           /* embedding, final norm, head */
    size_t n_layers;
    const double *grad_norm_layer;    /* [L] */
    const swiglu_ffn_stats *ffn;      /* [L] over the last validation batch */
    const float *beta;                /* [L] learned betas, or NULL */
    const char *init;                 /* the init scheme's name (sw_init_scheme_name) */
    double init_std;                  /* its scale: the std of the D-input matrices */
    double seconds;                   /* wall time of this evaluation */
} sw_eval_info;

/* Data parallelism over P processes (docs/CLUSTER.md; the MPI side is
 * tools/comm.c, so that this layer stays MPI-free). Every process holds the
 * same trainer and draws the same accum micro-batches of a step from the
 * same data RNG; process `rank` computes those with a % size == rank. So P
 * processes train on exactly the windows of one process with the same
 * accum (accum a multiple of size). start() sums gradients over the
 * processes; finish() completes every sum started and sums the loss [1].
 * Replicated, by buckets: during the backward of a process's last
 * micro-batch, start() is called on each layer's gradients [n] as soon as
 * they are complete (layers L-1 .. 0), then on the final norm's and head's,
 * then on the embedding's. Sharded: once, on all of them, after the
 * backward.
 *
 * Two ways (`shard`):
 *   0, replicated: start(g, n, NULL) sums g[0, n) on every process (an
 *      allreduce; it may return before the sum is done and must not touch
 *      the buffer after finish()), and every process applies the same
 *      clip and AdamW step to all parameters.
 *   1, sharded (ZeRO-1): the parameters are cut into P contiguous slices on
 *      the gradient norm's 4096-value blocks (process r owns slice r);
 *      start(g, n, counts) sums g[0, n) and leaves on process r only the
 *      sum of its part of it: counts[0..P-1] (adding up to n) are the
 *      consecutive parts of g owned by processes 0..P-1 (a reduce-scatter,
 *      result in place; the rest of g is left undefined). Each process then
 *      squares its own blocks, gather() brings every block's partial sum to
 *      every process (summed in block order: the norm is the same bits as
 *      one process's), each updates its own slice (AdamW is elementwise:
 *      the same bits as the replicated update), and gather() brings every
 *      process the updated parameters. The AdamW moments are current only
 *      on their owner's slice: sw_trainer_gather_state before a save.
 * gather(buf, elem, counts): buf holds P consecutive parts of counts[r]
 * values of elem bytes (4: float, 8: double), process r's own part filled;
 * afterwards every part on every process (an allgather, in place).
 * sum(x, n): x[0, n) doubles summed over the processes, in place (the
 * evaluation's per-batch losses: each batch's loss is non-zero on one
 * process only, so the sum is exact).
 * All return 0, or non-zero on failure (the step fails with
 * SWIGLU_ERR_STATE). Every process calls them in the same order on the same
 * ranges. */
typedef struct sw_train_comm {
    int rank, size;
    int shard;
    int (*start)(void *ctx, float *grads, size_t n, const size_t *counts);
    int (*finish)(void *ctx, double *loss_sum);
    int (*gather)(void *ctx, void *buf, size_t elem, const size_t *counts);
    int (*sum)(void *ctx, double *x, size_t n);
    void *ctx;
} sw_train_comm;

typedef struct sw_trainer {
    sw_model *model;
    const sw_train_comm *comm;        /* NULL: one process (not owned) */
    sw_train_config tc;
    const sw_dataset *data;           /* not owned */
    sw_tokens mode; int vocab; uint8_t itos[256];
    uint32_t data_crc; uint64_t data_bytes;
    float *m, *v;                     /* AdamW moments [n_params] */
    long long step;                   /* optimizer steps done */
    uint64_t rng;                     /* data-order RNG state */
    int *bx, *by;                     /* [B x T] batch */
    double last_lr, last_norm, norm_other;
    double *norm_layer;               /* [L] */
    double *tensor_sumsq;             /* [n_tensors] this step's sum of squared gradients */
    double *norm_part;                /* [blocks of 4096 gradient values] their partial sums */
    swiglu_ffn_stats *ffn_stats;      /* [L] */
    size_t *shard_off;                /* sharded: [size + 1] the slices' parameter offsets */
    size_t *shard_blk;                /* sharded: [size + 1] the slices' first norm blocks */
    size_t *shard_cnt;                /* sharded: [size] counts of one collective */
    float *beta_buf;                  /* [L] */
    sw_thread_tuner tune;             /* sw_trainer_auto_threads */
    sw_model **part;                  /* [n_part] the models of parts 1.. (part 0 is `model`), made at the first step */
    size_t n_part;                    /* split - 1 of the step that made them */
    double *part_loss;                /* [split] a micro-batch's loss per part */
    swiglu_status *part_st;           /* [split] */
} sw_trainer;

/* A fresh run: model created and initialized from tc->seed. data must stay
 * alive while the trainer is used; its vocabulary sets cfg->vocab. */
swiglu_status sw_trainer_create(sw_trainer **tr, const sw_model_config *cfg,
                                const sw_train_config *tc, const sw_dataset *data,
                                char *err, size_t errcap);
void sw_trainer_free(sw_trainer *tr);
/* One optimizer step (accum micro-batches, clip, AdamW). When the loss or
 * the gradient norm is not finite the update would poison the parameters,
 * so the step is refused: SWIGLU_ERR_NONFINITE, info filled with
 * nonfinite = 1, and the trainer left as it was before the call (parameters,
 * moments, step, data RNG, last_lr, last_norm; norm_layer and norm_other
 * describe the refused step, to show where it blew up). Calling again
 * retries the same batch, so it fails the same way. */
swiglu_status sw_trainer_step(sw_trainer *tr, sw_step_info *info);
/* Threads of the model's step (layers, GEMMs, optimizer): n >= 1; sets the
 * library's and OpenMP's counts too (one pool). */
void sw_trainer_set_threads(sw_trainer *tr, int n);
/* Lets sw_trainer_run choose the thread count, 1..max, by timing steps
 * (model/tuner.h); max <= 1 or recheck < 1 turns it off. */
void sw_trainer_auto_threads(sw_trainer *tr, int max, long long recheck);
/* Losses on the fixed evaluation batches of both splits, and the metrics.
 * Data parallel, the batches are split over the processes (each computes a
 * contiguous share) and the losses added in batch order: the same numbers
 * as one process. Process 0 computes the last validation batch, so its
 * info->ffn is one process's; the other processes' ffn statistics are of
 * another batch. Collective with a comm. */
swiglu_status sw_trainer_eval(sw_trainer *tr, sw_eval_info *info);

/* Callbacks of sw_trainer_run; a non-zero return stops the run (after the
 * step), leaving the trainer ready to save. NULL members are skipped.
 * on_step also sees a refused non-finite step (s->nonfinite), so that a
 * caller can log it; the run stops after it whatever on_step returns. */
typedef struct sw_train_hooks {
    int (*on_step)(void *ctx, const sw_trainer *tr, const sw_step_info *s);
    int (*on_eval)(void *ctx, const sw_trainer *tr, const sw_eval_info *e);
    void *ctx;
    volatile int *stop;     /* polled after every step (SIGINT) */
} sw_train_hooks;
/* Steps until tc.steps (or a stop), evaluating at step 0 of a fresh run,
 * every eval_every steps and at the end. *stopped = 1 when stopped early.
 * A non-finite step ends the run with SWIGLU_ERR_NONFINITE (*stopped = 1, no
 * evaluation after it): the trainer still holds the last good step, so a
 * checkpoint saved before it stays the one to resume from or inspect. */
swiglu_status sw_trainer_run(sw_trainer *tr, const sw_train_hooks *h, int *stopped);

/* Sharded data parallelism (sw_train_comm.shard): every process's AdamW
 * moments are current only on its own slice; this gathers them all to
 * every process, for a save (collective; nothing to do otherwise). */
swiglu_status sw_trainer_gather_state(sw_trainer *tr);

/* Checkpoints (docs/FORMATS.md), in src/model/checkpoint.c. Save is atomic
 * (temporary file, fsync, rename). Load refuses a foreign, truncated,
 * corrupt or other-version file, a dataset other than the one trained on,
 * naming the problem in err. */
swiglu_status sw_trainer_save(const sw_trainer *tr, const char *path, char *err, size_t errcap);
swiglu_status sw_trainer_load(sw_trainer **tr, const char *path, const sw_dataset *data,
                              char *err, size_t errcap);

/* The metrics line of an evaluation as one JSON object + "\n". Returns the
 * length, or the length it needs when >= cap (snprintf's contract). */
size_t sw_eval_json(char *buf, size_t cap, const sw_eval_info *e);

#endif
