/* plan.c -- presets and the run list of `swiglu compare` (see plan.h). */
#include <stdio.h>
#include <string.h>
#include "lab/plan.h"
#include "model/ffn_name.h"

const sw_lab_variant sw_lab_variants[] = {
    {"relu", SWIGLU_FFN_RELU, 0},     {"gelu", SWIGLU_FFN_GELU, 0},
    {"swish", SWIGLU_FFN_SWISH, 0},   {"glu", SWIGLU_FFN_GLU, 0},
    {"bilinear", SWIGLU_FFN_BILINEAR, 0}, {"reglu", SWIGLU_FFN_REGLU, 0},
    {"geglu", SWIGLU_FFN_GEGLU, 0},   {"swiglu", SWIGLU_FFN_SWIGLU, 0},
    {"swiglu-learned-beta", SWIGLU_FFN_SWIGLU, 1},
};
const size_t sw_lab_n_variants = sizeof sw_lab_variants / sizeof sw_lab_variants[0];

/* any spelling of model/ffn_name.h (gelu-tanh, swiglu_learned_beta, ...) */
const sw_lab_variant *sw_lab_variant_find(const char *name)
{
    swiglu_ffn_variant v;
    int lb;
    if (sw_ffn_name_parse(&v, &lb, name) != SWIGLU_OK) return NULL;
    for (size_t i = 0; i < sw_lab_n_variants; i++)
        if (sw_lab_variants[i].ffn == v && sw_lab_variants[i].learn_beta == lb) return &sw_lab_variants[i];
    return NULL;
}

/* Presets, sized for a 2-core machine (docs/LAB.md has the measured times). */
static sw_lab_preset presets[4];

static void presets_init(void)
{
    static int done = 0;
    if (done) return;
    done = 1;
    sw_train_config t;
    sw_train_config_default(&t);
    t.beta2 = 0.99f;            /* nanoGPT's small-model setting */
    t.weight_decay = 0.1f;
    t.grad_clip = 1.0f;

    /* tiny: seconds; the tests use it */
    sw_lab_preset *p = &presets[0];
    *p = (sw_lab_preset){"tiny", 32, 1, 2, 32, t, 10, 2, {3e-3, 3e-2}, 12, 8, 60, 32,
                         "seconds: for tests (D 32, 1 layer, 24 steps)"};
    p->train.batch = 4; p->train.steps = 24; p->train.warmup = 4; p->train.lr = 3e-3; p->train.min_lr = 3e-4;
    p->train.eval_every = 8; p->train.eval_batches = 2;

    /* quick: the README's default, <= 15 minutes on 2 cores */
    p = &presets[1];
    *p = (sw_lab_preset){"quick", 64, 2, 4, 64, t, 200, 3, {2e-3, 8e-3, 3e-2}, 300, 16, 1500, 128,
                         "<= 15 minutes on 2 cores (D 64, 2 layers, T 64, 1000 steps of 16 x 64 tokens)"};
    p->train.batch = 16; p->train.steps = 1000; p->train.warmup = 50; p->train.lr = 2e-3; p->train.min_lr = 2e-4;
    p->train.eval_every = 100; p->train.eval_batches = 8;

    /* standard: nanoGPT's CPU baby GPT, 1-2 hours on 2 cores */
    p = &presets[2];
    *p = (sw_lab_preset){"standard", 128, 4, 4, 64, t, 250, 5, {1e-3, 2.5e-3, 6e-3, 1.5e-2, 3e-2}, 400, 16, 4000, 256,
                         "1-2 hours on 2 cores (nanoGPT's baby GPT: D 128, 4 layers, T 64, 2000 steps of 12 x 64)"};
    p->train.batch = 12; p->train.steps = 2000; p->train.warmup = 100; p->train.lr = 1e-3; p->train.min_lr = 1e-4;
    p->train.eval_every = 250; p->train.eval_batches = 20;

    /* long: for bigger machines */
    p = &presets[3];
    *p = (sw_lab_preset){"long", 256, 6, 8, 256, t, 500, 5, {3e-4, 1e-3, 3e-3, 1e-2, 3e-2}, 1000, 32, 10000, 256,
                         "bigger machines (D 256, 6 layers, T 256, 10000 steps of 32 x 256)"};
    p->train.batch = 32; p->train.steps = 10000; p->train.warmup = 400; p->train.lr = 6e-4; p->train.min_lr = 6e-5;
    p->train.eval_every = 500; p->train.eval_batches = 40;
}

const sw_lab_preset *sw_lab_preset_find(const char *name)
{
    presets_init();
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (!strcmp(presets[i].name, name)) return &presets[i];
    return NULL;
}

int sw_lab_plan_variant(const sw_lab_plan *p, const char *name)
{
    for (size_t i = 0; i < p->n_variants; i++)
        if (!strcmp(p->variants[i].name, name)) return (int)i;
    return -1;
}

static int add_run(sw_lab_plan *p, sw_lab_kind kind, int v, int seed, int rate, double work)
{
    if (p->n_runs >= SW_LAB_MAX_RUNS) return -1;
    sw_lab_run *r = &p->runs[p->n_runs++];
    memset(r, 0, sizeof *r);
    r->kind = kind; r->variant = v; r->seed = seed; r->rate = rate; r->work = work;
    char vn[sizeof p->variants[v].name];
    memcpy(vn, p->variants[v].name, sizeof vn);
    if (kind == SW_RUN_MAIN) snprintf(r->id, sizeof r->id, "%s-s%d", vn, seed);
    else if (kind == SW_RUN_SWEEP) snprintf(r->id, sizeof r->id, "sweep-%s-lr%d", vn, rate);
    else snprintf(r->id, sizeof r->id, "expr-%s-s%d", vn, seed);
    return 0;
}

swiglu_status sw_lab_plan_make(sw_lab_plan *p, const char *preset, const char *variants, int seeds,
                               char *err, size_t errcap)
{
    memset(p, 0, sizeof *p);
    const sw_lab_preset *pr = sw_lab_preset_find(preset ? preset : "quick");
    if (!pr) { snprintf(err, errcap, "unknown preset '%s' (tiny, quick, standard, long)", preset); return SWIGLU_ERR_ARG; }
    p->preset = *pr;
    if (seeds < 1 || seeds > SW_LAB_MAX_SEEDS) { snprintf(err, errcap, "--seeds must be 1..%d", SW_LAB_MAX_SEEDS); return SWIGLU_ERR_ARG; }
    p->n_seeds = seeds;
    if (!variants) {
        for (size_t i = 0; i < sw_lab_n_variants; i++) p->variants[p->n_variants++] = sw_lab_variants[i];
    } else {
        char buf[512];
        if (snprintf(buf, sizeof buf, "%s", variants) >= (int)sizeof buf) { snprintf(err, errcap, "--variants too long"); return SWIGLU_ERR_ARG; }
        for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            const sw_lab_variant *v = sw_lab_variant_find(tok);
            if (!v) { snprintf(err, errcap, "unknown variant '%s' (relu, gelu, swish, glu, bilinear, reglu, geglu, swiglu, swiglu-learned-beta)", tok); return SWIGLU_ERR_ARG; }
            if (sw_lab_plan_variant(p, v->name) >= 0) continue;
            if (p->n_variants >= SW_LAB_MAX_VARIANTS) { snprintf(err, errcap, "too many variants"); return SWIGLU_ERR_ARG; }
            p->variants[p->n_variants++] = *v;
        }
        if (!p->n_variants) { snprintf(err, errcap, "--variants names no variant"); return SWIGLU_ERR_ARG; }
    }
    double main_work = (double)pr->train.steps;
    for (size_t v = 0; v < p->n_variants; v++)
        for (int s = 0; s < seeds; s++) add_run(p, SW_RUN_MAIN, (int)v, s, 0, main_work);
    for (size_t v = 0; v < p->n_variants; v++)
        for (int r = 0; r < pr->n_rates; r++) add_run(p, SW_RUN_SWEEP, (int)v, 0, r, (double)pr->sweep_steps);
    /* the expressivity task costs about what 2% of a main run does */
    for (size_t v = 0; v < p->n_variants; v++)
        for (int s = 0; s < seeds; s++) add_run(p, SW_RUN_EXPR, (int)v, s, 0, 0.02 * main_work);
    return SWIGLU_OK;
}

void sw_lab_run_configs(const sw_lab_plan *p, const sw_lab_run *r, sw_model_config *mc,
                        sw_train_config *tc)
{
    const sw_lab_preset *pr = &p->preset;
    const sw_lab_variant *v = &p->variants[r->variant];
    sw_model_config_default(mc);
    mc->d_model = pr->d_model;
    mc->n_layer = pr->n_layer;
    mc->n_head = pr->n_head;
    mc->n_kv_head = pr->n_head;
    mc->seq_len = pr->seq_len;
    mc->ffn = v->ffn;
    mc->learn_beta = v->learn_beta;
    mc->d_ff = 0;               /* parameter-matched */
    *tc = pr->train;
    tc->seed = 1000 + (uint64_t)r->seed;
    if (r->kind == SW_RUN_SWEEP) {
        tc->lr = pr->rates[r->rate];
        tc->min_lr = tc->lr / 10;
        tc->steps = pr->sweep_steps;
        tc->warmup = pr->sweep_steps / 10;
        tc->eval_every = (int)pr->sweep_steps;
    }
}
