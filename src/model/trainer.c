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
#include "model/trainer.h"

void sw_train_config_default(sw_train_config *c)
{
    memset(c, 0, sizeof *c);
    c->batch = 12; c->accum = 1; c->steps = 2000; c->lr = 1e-3; c->min_lr = 1e-4;
    c->warmup = 100; c->decay_steps = 0; c->beta1 = 0.9f; c->beta2 = 0.95f; c->eps = 1e-8f;
    c->weight_decay = 0.1f; c->grad_clip = 1.0f; c->eval_every = 250; c->eval_batches = 20;
    c->seed = 1337;
}

swiglu_status sw_train_config_check(const sw_train_config *c, char *err, size_t cap)
{
#define BAD(...) do { snprintf(err, cap, __VA_ARGS__); return SWIGLU_ERR_ARG; } while (0)
    if (c->batch < 1 || c->batch > 65536) BAD("batch must be in [1, 65536], got %d", c->batch);
    if (c->accum < 1 || c->accum > 65536) BAD("accumulation steps must be in [1, 65536], got %d", c->accum);
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
    if (!t->m || !t->v || !t->bx || !t->by || !t->norm_layer || !t->ffn_stats || !t->beta_buf)
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
    free(t);
}

static double sumsq_span(const void *ctx, size_t b, size_t e)
{
    const float *g = ctx;
    double s = 0.0;
    for (size_t i = b; i < e; i++) s += (double)g[i] * g[i];
    return s;
}

swiglu_status sw_trainer_step(sw_trainer *t, sw_step_info *info)
{
    sw_model *m = t->model;
    size_t B = (size_t)t->tc.batch, T = m->Tmax, N = B * T;
    swiglu_status st;
    sw_model_zero_grad(m);
    double loss_sum = 0.0;
    float scale = (float)(1.0 / ((double)N * t->tc.accum));
    uint64_t rng0 = t->rng;   /* restored when the step is refused */
    for (int a = 0; a < t->tc.accum; a++) {
        double loss;
        sw_dataset_batch(t->bx, t->by, t->data, 0, B, T, &t->rng);
        /* dropout masks from the same stream (so resume continues them); no draw when off */
        if (m->cfg.dropout > 0.0f) sw_model_set_dropout(m, 1, sw_rng_next(&t->rng));
        if ((st = sw_model_forward(m, t->bx, t->by, B, T, &loss))) return st;
        if ((st = sw_model_backward(m, scale))) return st;
        loss_sum += loss;
    }
    /* gradient norm: per tensor in fixed chunks, then per layer and in all */
    double total = 0.0, other = 0.0;
    for (size_t l = 0; l < m->L; l++) t->norm_layer[l] = 0.0;
    for (size_t i = 0; i < m->n_tensors; i++) {
        const sw_tensor *ts = &m->tensors[i];
        double s = sw_parallel_sum(ts->numel, 4096, sumsq_span, m->grads + ts->offset);
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
    /* clip as torch.nn.utils.clip_grad_norm_: g *= clip / (norm + 1e-6) when norm > clip */
    if (t->tc.grad_clip > 0 && norm > t->tc.grad_clip) {
        float c = (float)(t->tc.grad_clip / (norm + 1e-6));
        int nth = m->nth;
        float *g = m->grads;
        size_t n = m->n_params;
        SW_PRAGMA(omp parallel for num_threads(nth) schedule(static) if (n > SW_PAR_MIN))
        for (size_t i = 0; i < n; i++) g[i] *= c;
    }
    long long tstep = t->step + 1;
    for (size_t i = 0; i < m->n_tensors; i++) {
        const sw_tensor *ts = &m->tensors[i];
        size_t o = ts->offset;
        sw_adamw_update(m->params + o, t->m + o, t->v + o, m->grads + o, ts->numel, (float)lr,
                        t->tc.beta1, t->tc.beta2, t->tc.eps, ts->decay ? t->tc.weight_decay : 0.0f,
                        tstep, m->nth);
    }
    /* the FFN's packed weights (our GEMM engine) are stale: one repack per step */
    swiglu_status wst = swiglu_ffn_weights_changed(m->ffn);
    if (wst != SWIGLU_OK) return wst;
    t->step++;
    t->last_lr = lr; t->last_norm = norm;
    if (info) {
        info->step = t->step; info->loss = mean;
        info->lr = lr; info->grad_norm = norm; info->nonfinite = 0;
    }
    return SWIGLU_OK;
}

/* Mean loss over the fixed batches of a split: the RNG restarts from the
 * same seed at every evaluation, so every evaluation sees the same windows. */
static swiglu_status eval_split(sw_trainer *t, int split, double *out)
{
    sw_model *m = t->model;
    size_t B = (size_t)t->tc.batch, T = m->Tmax;
    uint64_t rng = t->tc.seed * 0xD1B54A32D192ED03ull + 0xE7A1u + (uint64_t)split;
    double s = 0.0;
    for (int i = 0; i < t->tc.eval_batches; i++) {
        double loss;
        sw_dataset_batch(t->bx, t->by, t->data, split, B, T, &rng);
        swiglu_status st = sw_model_forward(m, t->bx, t->by, B, T, &loss);
        if (st) return st;
        s += loss;
    }
    *out = s / t->tc.eval_batches;
    return SWIGLU_OK;
}

swiglu_status sw_trainer_eval(sw_trainer *t, sw_eval_info *e)
{
    sw_model *m = t->model;
    swiglu_status st;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(e, 0, sizeof *e);
    sw_model_set_dropout(m, 0, 0);   /* evaluation: no dropout */
    if ((st = eval_split(t, 0, &e->train_loss))) return st;
    if ((st = eval_split(t, 1, &e->val_loss))) return st;
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
        st = sw_trainer_step(t, &s);
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
