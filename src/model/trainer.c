/* trainer.c -- the training loop's pieces (trainer.h): schedule, step, eval.
 * Legend: B batch, T context, N = B*T, L layers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/threads.h"
#include "model/layers.h"
#include "core/rng.h"
#include "model/adamw.h"
#ifdef _OPENMP
#include <omp.h>
#endif
#include "model/trainer.h"

void sw_train_config_default(sw_train_config *c)
{
    memset(c, 0, sizeof *c);
    c->batch = 12; c->accum = 1; c->split = 1; c->steps = 2000; c->lr = 1e-3; c->min_lr = 1e-4;
    c->warmup = 100; c->decay_steps = 0; c->beta1 = 0.9f; c->beta2 = 0.95f; c->eps = 1e-8f;
    c->weight_decay = 0.1f; c->grad_clip = 1.0f; c->eval_every = 250; c->eval_batches = 20;
    c->seed = 1337;
}

swiglu_status sw_train_config_check(const sw_train_config *c, char *err, size_t cap)
{
#define BAD(...) do { snprintf(err, cap, __VA_ARGS__); return SWIGLU_ERR_ARG; } while (0)
    if (c->batch < 1 || c->batch > 65536) BAD("batch must be in [1, 65536], got %d", c->batch);
    if (c->accum < 1 || c->accum > 65536) BAD("accumulation steps must be in [1, 65536], got %d", c->accum);
    if (c->split < 1 || c->split > c->batch) BAD("split must be in [1, batch %d], got %d", c->batch, c->split);
    if (c->steps < 0) BAD("steps must be >= 0");
    if (!(c->lr >= 0) || !(c->min_lr >= 0) || !isfinite(c->lr) || !isfinite(c->min_lr)) BAD("learning rates must be finite and >= 0");
    if (c->warmup < 0 || c->decay_steps < 0) BAD("warmup and decay steps must be >= 0");
    if (!(c->beta1 >= 0 && c->beta1 < 1) || !(c->beta2 >= 0 && c->beta2 < 1)) BAD("AdamW betas must be in [0, 1)");
    if (!(c->eps > 0)) BAD("AdamW eps must be > 0");
    if (!(c->weight_decay >= 0) || !(c->grad_clip >= 0)) BAD("weight decay and clip must be >= 0");
    if (c->eval_every < 0 || c->eval_batches < 1) BAD("eval every must be >= 0 and eval batches >= 1");
    return SWIGLU_OK;
#undef BAD
}

/* nanoGPT's get_lr: linear warmup lr (s+1)/(w+1); cosine from w to the decay
 * end, coeff = (1 + cos(pi r)) / 2, r = (s - w)/(end - w); min_lr after. */
double sw_lr_at(const sw_train_config *c, long long s)
{
    long long end = c->decay_steps ? c->decay_steps : c->steps;
    if (s < c->warmup) return c->lr * (double)(s + 1) / (double)(c->warmup + 1);
    if (s > end || end <= c->warmup) return c->min_lr;
    double r = (double)(s - c->warmup) / (double)(end - c->warmup);
    double coeff = 0.5 * (1.0 + cos(3.14159265358979323846 * r));
    return c->min_lr + coeff * (c->lr - c->min_lr);
}

/* the gradient norm's blocks (grad_sumsq) */
enum { NORM_GRAIN = 4096 };
static size_t tensor_blocks(const sw_tensor *ts) { return (ts->numel + NORM_GRAIN - 1) / NORM_GRAIN; }

/* A tensor's blocks among [b0, b1), as [*j0, *j1) counted from its first
 * block k (of n); 0 when none is. */
static int blocks_in(size_t *j0, size_t *j1, size_t k, size_t n, size_t b0, size_t b1)
{
    *j0 = b0 > k ? b0 - k : 0;
    *j1 = b1 <= k ? 0 : b1 - k < n ? b1 - k : n;
    return *j0 < *j1;
}

static void parts_free(sw_trainer *t);

static swiglu_status alloc_state(sw_trainer *t)
{
    size_t n = t->model->n_params, L = t->model->L, N = (size_t)t->tc.batch * t->model->Tmax;
    t->m = calloc(n, sizeof(float));
    t->v = calloc(n, sizeof(float));
    t->bx = calloc(N, sizeof(int));
    t->by = calloc(N, sizeof(int));
    t->norm_layer = calloc(L, sizeof(double));
    t->ffn_stats = calloc(L, sizeof(swiglu_ffn_stats));
    t->beta_buf = calloc(L, sizeof(float));
    t->tensor_sumsq = calloc(t->model->n_tensors, sizeof(double));
    size_t blocks = 0;
    for (size_t i = 0; i < t->model->n_tensors; i++) blocks += tensor_blocks(&t->model->tensors[i]);
    t->norm_part = calloc(blocks ? blocks : 1, sizeof(double));
    if (!t->m || !t->v || !t->bx || !t->by || !t->norm_layer || !t->ffn_stats || !t->beta_buf ||
        !t->tensor_sumsq || !t->norm_part)
        return SWIGLU_ERR_ALLOC;
    return SWIGLU_OK;
}

swiglu_status sw_trainer_create(sw_trainer **out, const sw_model_config *cfg_in,
                                const sw_train_config *tc, const sw_dataset *data,
                                char *err, size_t cap)
{
    *out = NULL;
    swiglu_status st = sw_train_config_check(tc, err, cap);
    if (st) return st;
    sw_model_config cfg = *cfg_in;
    cfg.vocab = data->vocab;
    if ((st = sw_model_config_check(&cfg, err, cap))) return st;
    if (data->n_train < (size_t)cfg.seq_len + 1 || data->n - data->n_train < (size_t)cfg.seq_len + 1) {
        snprintf(err, cap, "the data is too short for context %d", cfg.seq_len);
        return SWIGLU_ERR_FORMAT;
    }
    sw_trainer *t = calloc(1, sizeof *t);
    if (!t) return SWIGLU_ERR_ALLOC;
    t->tc = *tc;
    t->data = data;
    t->mode = data->mode; t->vocab = data->vocab;
    memcpy(t->itos, data->itos, sizeof t->itos);
    t->data_crc = data->crc; t->data_bytes = data->file_bytes;
    if ((st = sw_model_create(&t->model, &cfg, (size_t)tc->batch, 1))) {
        snprintf(err, cap, "cannot create the model: %s", swiglu_status_str(st));
        free(t);
        return st;
    }
    if ((st = alloc_state(t)) || (st = sw_model_init(t->model, tc->seed))) {
        snprintf(err, cap, "cannot set up training: %s", swiglu_status_str(st));
        sw_trainer_free(t);
        return st;
    }
    t->rng = tc->seed * 0x9E3779B97F4A7C15ull + 0xDA7A;
    *out = t;
    return SWIGLU_OK;
}

void sw_trainer_free(sw_trainer *t)
{
    if (!t) return;
    sw_model_free(t->model);
    free(t->m); free(t->v); free(t->bx); free(t->by);
    free(t->norm_layer); free(t->ffn_stats); free(t->beta_buf);
    free(t->tensor_sumsq); free(t->norm_part);
    free(t->shard_off); free(t->shard_blk); free(t->shard_cnt);
    parts_free(t);
    free(t);
}

/* The step's tail in two parallel regions over all tensors (a region per
 * tensor was ~80 forks and joins a step, as costly as the arithmetic at the
 * lab's model sizes).
 * grad_sumsq: s[i] = sum of squares of tensor i's gradient, summed in blocks
 * of NORM_GRAIN values (part[], one double per block, blocks of a tensor
 * consecutive), the blocks spread over the threads, then added in block
 * order: the same bits for any thread count. */

/* The blocks [kb0, kb1) of all of them into part[] (sharded: a process's
 * own slice), then, once every block's part is there, the per-tensor sums
 * (tensor_sums). */
static void grad_sumsq_blocks(double *part, const sw_model *m, size_t kb0, size_t kb1, int nth)
{
    size_t nt = m->n_tensors;
    SW_PRAGMA(omp parallel num_threads(nth) if (nth > 1 && m->n_params > SW_PAR_MIN))
    {
        int ith = 0, got = 1;
#ifdef _OPENMP
        ith = omp_get_thread_num(); got = omp_get_num_threads();
#endif
        size_t b0, b1, k = 0;   /* this thread's blocks [b0, b1) of [kb0, kb1); k: the first block of tensor i */
        sw_partition(&b0, &b1, kb1 - kb0, 1, ith, got);
        b0 += kb0; b1 += kb0;
        for (size_t i = 0; i < nt && k < b1; i++) {
            const sw_tensor *ts = &m->tensors[i];
            size_t n = tensor_blocks(ts), j0, j1;
            if (blocks_in(&j0, &j1, k, n, b0, b1))
                for (size_t j = j0; j < j1; j++) {
                    const float *g = m->grads + ts->offset + j * NORM_GRAIN;
                    size_t len = ts->numel - j * NORM_GRAIN < NORM_GRAIN ? ts->numel - j * NORM_GRAIN : NORM_GRAIN;
                    double a = 0.0;
                    for (size_t q = 0; q < len; q++) a += (double)g[q] * g[q];
                    part[k + j] = a;
                }
            k += n;
        }
    }
}

static void tensor_sums(double *s, const double *part, const sw_model *m)
{
    size_t nt = m->n_tensors;
    for (size_t i = 0, k = 0; i < nt; i++) {
        size_t n = tensor_blocks(&m->tensors[i]);
        double a = 0.0;
        for (size_t j = 0; j < n; j++) a += part[k + j];
        s[i] = a;
        k += n;
    }
}

/* Clip (g *= gscale) and AdamW over the norm's blocks [kb0, kb1) (all of
 * them, or a process's slice), one region. Each thread takes the same
 * contiguous blocks as in grad_sumsq_blocks, so it updates the gradients it
 * has just squared, still in its own core's cache (the two vCPUs of the
 * EPYC VMs are ~220 ns apart: docs/MODEL.md, Threads); an earlier split
 * gave each thread half of every tensor, half the lines from the other
 * core. A span starts a whole number of blocks into its tensor and ends at
 * a block boundary or the tensor's end, so AdamW's vector and scalar parts
 * fall on the same values for any thread count (elementwise: same bits). */
static void clip_adamw(sw_trainer *t, float lr, float gscale, long long tstep, size_t kb0, size_t kb1)
{
    sw_model *m = t->model;
    int nth = m->nth;
    sw_adamw_coef decayed, plain;
    sw_adamw_coef_init(&decayed, lr, t->tc.beta1, t->tc.beta2, t->tc.eps, t->tc.weight_decay, tstep);
    sw_adamw_coef_init(&plain, lr, t->tc.beta1, t->tc.beta2, t->tc.eps, 0.0f, tstep);
    SW_PRAGMA(omp parallel num_threads(nth) if (nth > 1 && m->n_params > SW_PAR_MIN))
    {
        int ith = 0, got = 1;
#ifdef _OPENMP
        ith = omp_get_thread_num(); got = omp_get_num_threads();
#endif
        size_t b0, b1, k = 0;   /* this thread's blocks [b0, b1) of [kb0, kb1); k: the first block of tensor i */
        sw_partition(&b0, &b1, kb1 - kb0, 1, ith, got);
        b0 += kb0; b1 += kb0;
        for (size_t i = 0; i < m->n_tensors && k < b1; i++) {
            const sw_tensor *ts = &m->tensors[i];
            size_t n = tensor_blocks(ts), j0, j1;
            if (blocks_in(&j0, &j1, k, n, b0, b1)) {
                size_t b = j0 * NORM_GRAIN, e = j1 * NORM_GRAIN < ts->numel ? j1 * NORM_GRAIN : ts->numel;
                size_t o = ts->offset;
                sw_adamw_span(m->params + o + b, t->m + o + b, t->v + o + b, m->grads + o + b, e - b,
                              ts->decay ? &decayed : &plain, gscale);
            }
            k += n;
        }
    }
}

/* Sharded data parallelism (trainer.h): the slices, cut on the gradient
 * norm's blocks (so that each process squares whole blocks, and a slice
 * starts a multiple of 4096 values into a tensor: AdamW's vector and scalar
 * parts fall on the same values as in one process). Blocks split evenly by
 * count with the threads' static partition; the first call sets them up. */
static int sharded(const sw_trainer *t) { return t->comm && t->comm->size > 1 && t->comm->shard; }

static swiglu_status shard_setup(sw_trainer *t)
{
    if (t->shard_off) return SWIGLU_OK;
    const sw_model *m = t->model;
    size_t P = (size_t)t->comm->size, nb = 0;
    for (size_t i = 0; i < m->n_tensors; i++) nb += tensor_blocks(&m->tensors[i]);
    size_t *off = calloc(P + 1, sizeof *off), *blk = calloc(P + 1, sizeof *blk), *cnt = calloc(P, sizeof *cnt);
    if (!off || !blk || !cnt) { free(off); free(blk); free(cnt); return SWIGLU_ERR_ALLOC; }
    for (size_t r = 0; r <= P; r++) {
        size_t b0 = nb, b1;
        if (r < P) sw_partition(&b0, &b1, nb, 1, (int)r, (int)P);
        blk[r] = b0;
        /* block b0's first value: tensors' blocks are consecutive, in parameter order */
        size_t k = 0, o = m->n_params;
        for (size_t i = 0; i < m->n_tensors; i++) {
            size_t n = tensor_blocks(&m->tensors[i]);
            if (b0 < k + n) { o = m->tensors[i].offset + (b0 - k) * NORM_GRAIN; break; }
            k += n;
        }
        off[r] = o;
    }
    t->shard_off = off; t->shard_blk = blk; t->shard_cnt = cnt;
    return SWIGLU_OK;
}

/* shard_cnt[r] = the values of [lo, lo + n) in slice r */
static const size_t *shard_counts(sw_trainer *t, size_t lo, size_t n)
{
    for (int r = 0; r < t->comm->size; r++) {
        size_t a = t->shard_off[r] > lo ? t->shard_off[r] : lo;
        size_t b = t->shard_off[r + 1] < lo + n ? t->shard_off[r + 1] : lo + n;
        t->shard_cnt[r] = b > a ? b - a : 0;
    }
    return t->shard_cnt;
}

/* the gradients [lo, lo + n): their sum started over the processes */
static int sum_start(sw_trainer *t, size_t lo, size_t n)
{
    const sw_train_comm *cm = t->comm;
    return cm->start(cm->ctx, t->model->grads + lo, n, sharded(t) ? shard_counts(t, lo, n) : NULL);
}

swiglu_status sw_trainer_gather_state(sw_trainer *t)
{
    if (!sharded(t)) return SWIGLU_OK;
    swiglu_status st = shard_setup(t);
    if (st) return st;
    const size_t *cnt = shard_counts(t, 0, t->model->n_params);
    if (t->comm->gather(t->comm->ctx, t->m, sizeof(float), cnt) ||
        t->comm->gather(t->comm->ctx, t->v, sizeof(float), cnt))
        return SWIGLU_ERR_STATE;
    return SWIGLU_OK;
}

/* Data parallel: layer l's gradients are complete; start their sum over
 * the processes. Layer l's tensors are contiguous (model.c's layout). */
typedef struct bucket_ctx { sw_trainer *t; int failed; } bucket_ctx;
static void layer_done(void *ctx, size_t l)
{
    bucket_ctx *b = ctx;
    const sw_model *m = b->t->model;
    size_t lo = SIZE_MAX, hi = 0;
    for (size_t i = 0; i < m->n_tensors; i++) {
        const sw_tensor *ts = &m->tensors[i];
        if (ts->layer != (int)l) continue;
        if (ts->offset < lo) lo = ts->offset;
        if (ts->offset + ts->numel > hi) hi = ts->offset + ts->numel;
    }
    if (hi > lo && sum_start(b->t, lo, hi - lo)) b->failed = 1;
}

/* ---- a split micro-batch (sw_train_config.split) ---------------------------
 * Part p of S takes the sequences [p B / S, (p + 1) B / S) of every
 * micro-batch; part 0 is the trainer's model, parts 1.. have models of
 * their own that borrow its weights (sw_model_create_part). The parts run
 * side by side, one thread each (a part's every operation single-threaded,
 * oneDNN's too: it runs inside our parallel region), so no operation waits
 * for the other core: the threads meet only at the end of the backward.
 * Each part's gradients accumulate in its own buffer over the micro-batches;
 * then g = g_0 + g_1 + ... + g_{S-1}, left to right, elementwise: the same
 * bits at any thread count, other bits than split 1 (a sum's order). */
static size_t part_lo(size_t p, size_t B, size_t S) { return p * B / S; }

static void parts_free(sw_trainer *t)
{
    if (t->part)
        for (size_t p = 0; p < t->n_part; p++) sw_model_free(t->part[p]);
    free(t->part); free(t->part_loss); free(t->part_st);
    t->part = NULL; t->part_loss = NULL; t->part_st = NULL; t->n_part = 0;
}

/* The parts' models for tc.split (made again if the split changed since). */
static swiglu_status parts_setup(sw_trainer *t)
{
    size_t S = (size_t)t->tc.split, B = (size_t)t->tc.batch;
    if (t->part && t->n_part == S - 1) return SWIGLU_OK;
    parts_free(t);
    t->part = calloc(S - 1, sizeof *t->part);
    t->part_loss = calloc(S, sizeof *t->part_loss);
    t->part_st = calloc(S, sizeof *t->part_st);
    if (!t->part || !t->part_loss || !t->part_st) { parts_free(t); return SWIGLU_ERR_ALLOC; }
    t->n_part = S - 1;
    size_t cap = 0;
    for (size_t p = 1; p < S; p++)
        if (part_lo(p + 1, B, S) - part_lo(p, B, S) > cap) cap = part_lo(p + 1, B, S) - part_lo(p, B, S);
    for (size_t p = 1; p < S; p++) {
        swiglu_status st = sw_model_create_part(&t->part[p - 1], t->model, cap);
        if (st) { parts_free(t); return st; }
        t->part[p - 1]->drop_base = part_lo(p, B, S) * t->model->Tmax;
    }
    return SWIGLU_OK;
}

static sw_model *part_model(const sw_trainer *t, size_t p) { return p ? t->part[p - 1] : t->model; }

/* One micro-batch (t->bx, t->by) over the parts: forward, backward into each
 * part's gradients; *loss = the micro-batch's mean (the parts' means weighted
 * by their tokens, in part order). */
static swiglu_status parts_fwd_bwd(sw_trainer *t, size_t B, size_t T, float scale, double *loss)
{
    sw_model *m = t->model;
    size_t S = (size_t)t->tc.split;
    double *part_loss = t->part_loss;
    swiglu_status *part_st = t->part_st;
    int nth = m->nth;
    m->nth = 1;   /* inside the region below every part runs on one thread */
    SW_PRAGMA(omp parallel for num_threads(nth) schedule(static, 1) if (nth > 1))
    for (size_t p = 0; p < S; p++) {
        sw_model *pm = part_model(t, p);
        size_t b0 = part_lo(p, B, S), b1 = part_lo(p + 1, B, S);
        part_st[p] = sw_model_forward(pm, t->bx + b0 * T, t->by + b0 * T, b1 - b0, T, &part_loss[p]);
        if (part_st[p] == SWIGLU_OK) part_st[p] = sw_model_backward(pm, scale);
    }
    m->nth = nth;
    double l = 0.0;
    for (size_t p = 0; p < S; p++)
        if (part_st[p]) {
            for (size_t q = 1; q < S; q++) sw_model_zero_grad(t->part[q - 1]);   /* for the next try */
            return part_st[p];
        }
    for (size_t p = 0; p < S; p++) {
        l += part_loss[p] * (double)(part_lo(p + 1, B, S) - part_lo(p, B, S)) / (double)B;
    }
    *loss = l;
    return SWIGLU_OK;
}

/* g += g_1 + ... + g_{S-1} (left to right), each part's buffer zeroed for the
 * next step in the same pass; static contiguous ranges per thread. */
static void parts_reduce(sw_trainer *t)
{
    sw_model *m = t->model;
    size_t S = (size_t)t->tc.split, n = m->n_params;
    int nth = m->nth;
    SW_PRAGMA(omp parallel num_threads(nth) if (nth > 1 && n > SW_PAR_MIN))
    {
        int ith = 0, got = 1;
#ifdef _OPENMP
        ith = omp_get_thread_num(); got = omp_get_num_threads();
#endif
        size_t i0, i1;
        sw_partition(&i0, &i1, n, 16, ith, got);
        float *g = m->grads;
        for (size_t p = 1; p < S; p++) {
            float *gp = t->part[p - 1]->grads;
            for (size_t i = i0; i < i1; i++) g[i] += gp[i];
            memset(gp + i0, 0, (i1 - i0) * sizeof(float));
        }
    }
}

swiglu_status sw_trainer_step(sw_trainer *t, sw_step_info *info)
{
    sw_model *m = t->model;
    size_t B = (size_t)t->tc.batch, T = m->Tmax, N = B * T;
    swiglu_status st;
    sw_profile *pf = &m->prof;
    double t_step = pf->on ? sw_prof_now() : 0.0;
    sw_prof_begin(pf, SW_PROF_FWD);
    sw_model_zero_grad(m);
    sw_prof_lap(pf, SW_PH_ELEM);
    double loss_sum = 0.0;
    float scale = (float)(1.0 / ((double)N * t->tc.accum));
    uint64_t rng0 = t->rng;   /* restored when the step is refused */
    const sw_train_comm *cm = t->comm;
    int dp = cm && cm->size > 1, shard = sharded(t), split = t->tc.split > 1;
    if (shard && (st = shard_setup(t))) return st;
    if (split && (st = parts_setup(t))) return st;
    /* replicated data parallelism sums each layer as its backward ends; not with a split batch,
     * whose layers are complete only when every part's are added */
    int buckets = dp && !shard && !split;
    if (split) {
        sw_model_round_weights(m);   /* once, for every part */
        m->keep_bf16 = 1;
    }
    bucket_ctx bc = {t, 0};
    for (int a = 0; a < t->tc.accum; a++) {
        double loss;
        sw_dataset_batch(t->bx, t->by, t->data, 0, B, T, &t->rng);
        /* dropout masks from the same stream (so resume continues them); no draw when off */
        if (m->cfg.dropout > 0.0f) {
            uint64_t seed = sw_rng_next(&t->rng);
            for (size_t p = 0; p < (size_t)t->tc.split; p++) sw_model_set_dropout(part_model(t, p), 1, seed);
        }
        if (dp && a % cm->size != cm->rank) continue;   /* another process's micro-batch */
        sw_prof_lap(pf, SW_PH_DATA);
        if (split) {
            st = parts_fwd_bwd(t, B, T, scale, &loss);
            if (st) { m->keep_bf16 = 0; return st; }
            sw_prof_lap(pf, SW_PH_WAIT);   /* part 0's backward ended before the region did */
            loss_sum += loss;
            sw_prof_begin(pf, SW_PROF_BWD);
            continue;
        }
        if ((st = sw_model_forward(m, t->bx, t->by, B, T, &loss))) return st;
        /* this process's last micro-batch: each layer's sum starts when its backward is done
         * (replicated; sharded, one reduce-scatter of all after the backward: on 2 ranks of a
         * busy 2-core machine ~1.5x the tokens/s of a reduce-scatter per layer, each
         * collective being a wait for the other rank to be scheduled) */
        if (buckets && a + cm->size >= t->tc.accum) { m->on_layer_grads = layer_done; m->on_layer_grads_ctx = &bc; }
        st = sw_model_backward(m, scale);
        m->on_layer_grads = NULL;
        if (st) return st;
        loss_sum += loss;
        sw_prof_begin(pf, SW_PROF_BWD);   /* the data of the next microbatch; the step's tail below */
    }
    if (split) {
        m->keep_bf16 = 0;
        parts_reduce(t);
        sw_prof_lap(pf, SW_PH_ELEM);
    }
    if (dp) {
        /* the params' layout: emb | layer 0 .. L-1 | final norm, head */
        size_t lo = m->tensors[0].numel, hi = lo;
        for (size_t i = 0; i < m->n_tensors; i++)
            if (m->tensors[i].layer >= 0) hi = m->tensors[i].offset + m->tensors[i].numel;
        if (bc.failed || (!buckets ? sum_start(t, 0, m->n_params) : sum_start(t, hi, m->n_params - hi) || sum_start(t, 0, lo)) ||
            cm->finish(cm->ctx, &loss_sum))
            return SWIGLU_ERR_STATE;
        sw_prof_lap(pf, SW_PH_COMM);
    }
    /* gradient norm: per tensor in fixed chunks, then per layer and in all */
    double total = 0.0, other = 0.0;
    for (size_t l = 0; l < m->L; l++) t->norm_layer[l] = 0.0;
    /* sharded: this process's blocks, then every block's sum from its owner */
    size_t nb = 0, kb0 = 0, kb1;
    for (size_t i = 0; i < m->n_tensors; i++) nb += tensor_blocks(&m->tensors[i]);
    kb1 = nb;
    if (shard) {
        kb0 = t->shard_blk[cm->rank]; kb1 = t->shard_blk[cm->rank + 1];
    }
    grad_sumsq_blocks(t->norm_part, m, kb0, kb1, m->nth);
    if (shard) {
        for (int r = 0; r < cm->size; r++) t->shard_cnt[r] = t->shard_blk[r + 1] - t->shard_blk[r];
        if (cm->gather(cm->ctx, t->norm_part, sizeof(double), t->shard_cnt)) return SWIGLU_ERR_STATE;
    }
    tensor_sums(t->tensor_sumsq, t->norm_part, m);
    for (size_t i = 0; i < m->n_tensors; i++) {
        const sw_tensor *ts = &m->tensors[i];
        double s = t->tensor_sumsq[i];
        total += s;
        if (ts->layer >= 0) t->norm_layer[ts->layer] += s;
        else other += s;
    }
    for (size_t l = 0; l < m->L; l++) t->norm_layer[l] = sqrt(t->norm_layer[l]);
    t->norm_other = sqrt(other);
    double norm = sqrt(total);
    double mean = loss_sum / t->tc.accum, lr = sw_lr_at(&t->tc, t->step);
    if (!isfinite(mean) || !isfinite(norm)) {
        /* AdamW would spread the NaN into every parameter and both moments:
         * refuse the step, so the trainer still holds the last good one */
        t->rng = rng0;
        if (info) {
            info->step = t->step + 1; info->loss = mean;
            info->lr = lr; info->grad_norm = norm; info->nonfinite = 1;
        }
        return SWIGLU_ERR_NONFINITE;
    }
    /* clip as torch.nn.utils.clip_grad_norm_: g *= clip / (norm + 1e-6) when norm > clip
     * (applied inside the AdamW pass, to g in place) */
    float gscale = 1.0f;
    if (t->tc.grad_clip > 0 && norm > t->tc.grad_clip) gscale = (float)(t->tc.grad_clip / (norm + 1e-6));
    sw_prof_lap(pf, SW_PH_GRADNORM);
    clip_adamw(t, (float)lr, gscale, t->step + 1, kb0, kb1);
    sw_prof_lap(pf, SW_PH_OPTIM);
    /* sharded: every slice's new weights to every process */
    if (shard) {
        if (cm->gather(cm->ctx, m->params, sizeof(float), shard_counts(t, 0, m->n_params))) return SWIGLU_ERR_STATE;
        sw_prof_lap(pf, SW_PH_COMM);
    }
    if (pf->on) { pf->step_sec += sw_prof_now() - t_step; pf->steps++; }
    /* the FFN's packed weights (our GEMM engine) are stale: one repack per step */
    for (size_t p = 0; p <= (split ? t->n_part : 0); p++) {
        swiglu_status wst = swiglu_ffn_weights_changed(part_model(t, p)->ffn);
        if (wst != SWIGLU_OK) return wst;
    }
    t->step++;
    t->last_lr = lr; t->last_norm = norm;
    if (info) {
        info->step = t->step; info->loss = mean;
        info->lr = lr; info->grad_norm = norm; info->nonfinite = 0;
    }
    return SWIGLU_OK;
}

/* The losses of the fixed batches of both splits, loss[0, E) the training
 * split's and loss[E, 2E) the validation split's (E = eval_batches): the
 * RNG restarts from the same seed at every evaluation, so every evaluation
 * sees the same windows. Data parallel, process r computes the batches k
 * with q = 2E - 1 - k in [ceil(r 2E / P), ceil((r + 1) 2E / P)): contiguous
 * shares, the last validation batch (q = 0) always process 0's, computed
 * last, so that its FFN statistics are the ones left in process 0's
 * workspaces; every process draws the windows of the batches before its
 * own (the RNG's order). The others' entries are 0, and the sum over the
 * processes fills them exactly. */
static swiglu_status eval_losses(sw_trainer *t, double *loss)
{
    sw_model *m = t->model;
    size_t B = (size_t)t->tc.batch, T = m->Tmax;
    long long E = t->tc.eval_batches, n = 2 * E, P = 1, r = 0;
    if (t->comm && t->comm->size > 1) { P = t->comm->size; r = t->comm->rank; }
    long long q0 = (r * n + P - 1) / P, q1 = ((r + 1) * n + P - 1) / P;   /* this process's q */
    long long k0 = n - q1, k1 = n - q0;                                     /* its k: [k0, k1) */
    for (long long k = 0; k < n; k++) loss[k] = 0.0;
    for (int split = 0; split < 2; split++) {
        uint64_t rng = t->tc.seed * 0xD1B54A32D192ED03ull + 0xE7A1u + (uint64_t)split;
        for (long long i = 0; i < E; i++) {
            long long k = split * E + i;
            if (k >= k1) break;
            sw_dataset_batch(t->bx, t->by, t->data, split, B, T, &rng);
            if (k < k0) continue;
            swiglu_status st = sw_model_forward(m, t->bx, t->by, B, T, &loss[k]);
            if (st) return st;
        }
    }
    if (P > 1 && t->comm->sum(t->comm->ctx, loss, (size_t)n)) return SWIGLU_ERR_STATE;
    return SWIGLU_OK;
}

/* the mean of E losses, added in batch order */
static double mean_of(const double *loss, int E)
{
    double s = 0.0;
    for (int i = 0; i < E; i++) s += loss[i];
    return s / E;
}

swiglu_status sw_trainer_eval(sw_trainer *t, sw_eval_info *e)
{
    sw_model *m = t->model;
    swiglu_status st;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(e, 0, sizeof *e);
    sw_model_set_dropout(m, 0, 0);   /* evaluation: no dropout */
    int prof_on = m->prof.on;
    m->prof.on = 0;                  /* the profile is the training step's */
    double *loss = malloc(2 * (size_t)t->tc.eval_batches * sizeof *loss);
    if (!loss) return SWIGLU_ERR_ALLOC;
    st = eval_losses(t, loss);
    e->train_loss = mean_of(loss, t->tc.eval_batches);
    e->val_loss = mean_of(loss + t->tc.eval_batches, t->tc.eval_batches);
    free(loss);
    m->prof.on = prof_on;
    if (st) return st;
    /* the FFN statistics of the last validation batch, still in the workspaces */
    for (size_t l = 0; l < m->L; l++)
        if ((st = sw_model_ffn_stats(m, l, &t->ffn_stats[l]))) return st;
    e->step = t->step;
    e->lr = t->last_lr; e->grad_norm = t->last_norm; e->grad_norm_other = t->norm_other;
    e->n_layers = m->L;
    e->grad_norm_layer = t->norm_layer;
    e->ffn = t->ffn_stats;
    e->init = sw_init_scheme_name(m->cfg.init_scheme);
    e->init_std = sw_model_init_scale(&m->cfg);
    if (m->cfg.learn_beta) {
        for (size_t l = 0; l < m->L; l++) t->beta_buf[l] = m->w.layer[l].beta[0];
        e->beta = t->beta_buf;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    e->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    return SWIGLU_OK;
}

void sw_trainer_set_threads(sw_trainer *t, int n)
{
    if (n < 1) n = 1;
    t->model->nth = n;
    swiglu_threads_set(n);
#ifdef _OPENMP
    omp_set_num_threads(n);   /* oneDNN's GEMMs run on the same OpenMP pool */
#endif
}

void sw_trainer_auto_threads(sw_trainer *t, int max, long long recheck)
{
    sw_tuner_init(&t->tune, max, recheck, t->step);
}

swiglu_status sw_trainer_run(sw_trainer *t, const sw_train_hooks *h, int *stopped)
{
    swiglu_status st;
    sw_eval_info e;
    int stop = 0;
    *stopped = 0;
    if (t->step == 0) {
        if ((st = sw_trainer_eval(t, &e))) return st;
        if (h && h->on_eval && h->on_eval(h->ctx, t, &e)) stop = 1;
    }
    while (!stop && t->step < t->tc.steps) {
        sw_step_info s;
        int n = sw_tuner_before(&t->tune, t->step);
        if (n) sw_trainer_set_threads(t, n);
        double t0 = sw_prof_now();
        st = sw_trainer_step(t, &s);
        if (st == SWIGLU_OK && (n = sw_tuner_after(&t->tune, t->step, sw_prof_now() - t0)))
            sw_trainer_set_threads(t, n);
        if (st == SWIGLU_ERR_NONFINITE) {
            /* the hook still sees it (the lab logs the step and marks the run diverged) */
            if (h && h->on_step) h->on_step(h->ctx, t, &s);
            *stopped = 1;
            return st;
        }
        if (st) return st;
        if (h && h->on_step && h->on_step(h->ctx, t, &s)) stop = 1;
        if (h && h->stop && *h->stop) stop = 1;
        int last = t->step == t->tc.steps;
        if (last || (t->tc.eval_every > 0 && t->step % t->tc.eval_every == 0)) {
            if ((st = sw_trainer_eval(t, &e))) return st;
            if (h && h->on_eval && h->on_eval(h->ctx, t, &e)) stop = 1;
        }
    }
    *stopped = t->step < t->tc.steps;
    return SWIGLU_OK;
}
