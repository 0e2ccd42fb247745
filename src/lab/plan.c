/* plan.c -- presets and the run list of `swiglu compare` (see plan.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lab/plan.h"
#include "lab/scaling.h"
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

swiglu_status sw_lab_init_parse(sw_lab_init *in, const char *spec, char *err, size_t errcap)
{
    memset(in, 0, sizeof *in);
    in->std = 0.02f;
    int scheme = sw_init_scheme_from_name(spec);
    const char *num = !strncmp(spec, "gpt2:", 5) ? spec + 5 : scheme < 0 ? spec : NULL;
    if (num) {
        char *end;
        double v = strtod(num, &end);
        if (end == num || *end || !(v > 0 && v <= 10)) {
            snprintf(err, errcap, "unknown init '%s' (gpt2, gpt2:STD, STD in (0, 10], fan-in, small)", spec);
            return SWIGLU_ERR_ARG;
        }
        /* 4 significant digits: the std is the one its key names */
        char g[16];
        snprintf(g, sizeof g, "%.4g", v);
        in->std = (float)strtod(g, NULL);
        scheme = SW_INIT_GPT2;
    }
    in->scheme = scheme;
    if (scheme == SW_INIT_GPT2) {
        snprintf(in->name, sizeof in->name, "gpt2:%.4g", (double)in->std);
        snprintf(in->key, sizeof in->key, "gpt2-%.4g", (double)in->std);
    } else {
        snprintf(in->name, sizeof in->name, "%s", sw_init_scheme_name(scheme));
        snprintf(in->key, sizeof in->key, "%s", sw_init_scheme_name(scheme));
    }
    return SWIGLU_OK;
}

double sw_lab_init_scale(const sw_lab_init *in, int d_model, int n_layer)
{
    sw_model_config c;
    sw_model_config_default(&c);
    c.d_model = d_model; c.n_layer = n_layer;
    c.init_scheme = in->scheme; c.init_std = in->std;
    return sw_model_init_scale(&c);
}

/* Presets, sized for a 2-core machine (docs/LAB.md has the measured times). */
static sw_lab_preset presets[6];

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
                         "seconds: for tests (D 32, 1 layer, 24 steps)", NULL, 0, {{0}}, 0, 0};
    p->train.batch = 4; p->train.steps = 24; p->train.warmup = 4; p->train.lr = 3e-3; p->train.min_lr = 3e-4;
    p->train.eval_every = 8; p->train.eval_batches = 2;
    p->inits = "fan-in";   /* the default init: docs/LAB.md, Initialization */

    /* quick: the README's default, ~30 minutes on 2 cores (6 inits; one init: 5 minutes) */
    p = &presets[1];
    *p = (sw_lab_preset){"quick", 64, 2, 4, 64, t, 200, 3, {2e-3, 8e-3, 3e-2}, 300, 16, 1500, 128,
                         "~30 minutes on 2 cores (D 64, 2 layers, T 64, 1000 steps of 16 x 64 tokens, 6 inits)", NULL, 0, {{0}}, 0, 0};
    p->train.batch = 16; p->train.steps = 1000; p->train.warmup = 50; p->train.lr = 2e-3; p->train.min_lr = 2e-4;
    p->train.eval_every = 100; p->train.eval_batches = 8;
    /* the init-sensitivity section: the gpt2 rule at 0.01, 0.02, 1 / sqrt(D)
     * and 2 / sqrt(D) (D 64), and the two other schemes */
    p->inits = "fan-in,gpt2:0.01,gpt2:0.02,gpt2:0.125,gpt2:0.25,small";

    /* standard: nanoGPT's CPU baby GPT, 1-2 hours on 2 cores */
    p = &presets[2];
    *p = (sw_lab_preset){"standard", 128, 4, 4, 64, t, 250, 5, {1e-3, 2.5e-3, 6e-3, 1.5e-2, 3e-2}, 400, 16, 4000, 256,
                         "6-9 hours on 2 cores (nanoGPT's baby GPT: D 128, 4 layers, T 64, 2000 steps of 12 x 64, 6 inits)", NULL, 0, {{0}}, 0, 0};
    p->train.batch = 12; p->train.steps = 2000; p->train.warmup = 100; p->train.lr = 1e-3; p->train.min_lr = 1e-4;
    p->train.eval_every = 250; p->train.eval_batches = 20;
    p->inits = "fan-in,gpt2:0.01,gpt2:0.02,gpt2:0.08839,gpt2:0.1768,small";   /* D 128: 1, 2 / sqrt(D) */

    /* long: for bigger machines */
    p = &presets[3];
    *p = (sw_lab_preset){"long", 256, 6, 8, 256, t, 500, 5, {3e-4, 1e-3, 3e-3, 1e-2, 3e-2}, 1000, 32, 10000, 256,
                         "bigger machines (D 256, 6 layers, T 256, 10000 steps of 32 x 256)", NULL, 0, {{0}}, 0, 0};
    p->train.batch = 32; p->train.steps = 10000; p->train.warmup = 400; p->train.lr = 6e-4; p->train.min_lr = 6e-5;
    p->train.eval_every = 500; p->train.eval_batches = 40;
    p->inits = "fan-in";   /* the default init: docs/LAB.md, Initialization */

    /* scaling: 5 sizes over two decades of N (98k..10.6M), 20 tokens per
     * parameter (Chinchilla's rule), T 128, batch 16 (docs/LAB.md, "The
     * scaling preset"); rates 0.5, 1, 2, 4 x 2e-3 sqrt(64 / D) */
    p = &presets[4];
    *p = (sw_lab_preset){"scaling", 0, 0, 0, 128, t, 500, 0, {0}, 0, 0, 0, 0,
                         "5 sizes D 64/2 layers .. D 384/6 layers, 20 tokens per parameter: cluster-sized (--plan)", NULL,
                         5, {{64, 2, 2, 5, 1, 0, 0, 0, {0}}, {128, 3, 4, 5, 1, 0, 0, 0, {0}}, {192, 4, 6, 5, 0, 0, 0, 0, {0}},
                             {256, 5, 8, 3, 0, 0, 0, 0, {0}}, {384, 6, 12, 3, 0, 0, 0, 0, {0}}},
                         20, 4};
    p->train.batch = 16; p->train.eval_batches = 16;
    p->inits = "fan-in";
    for (int z = 0; z < p->n_sizes; z++) {
        sw_lab_size *s = &p->sizes[z];
        s->n_rates = 4;
        for (int k = 0; k < 4; k++) s->rates[k] = 0.5 * (1 << k) * 2e-3 * sqrt(64.0 / s->d_model);
    }
    sw_lab_scaling_fill(p);

    /* scaling-tiny: the scaling machinery in seconds, for the tests: 4 sizes
     * D 16..32 (N 3k..25k), half a token per parameter, T 32 */
    p = &presets[5];
    *p = (sw_lab_preset){"scaling-tiny", 0, 0, 0, 32, t, 10, 0, {0}, 0, 0, 0, 0,
                         "seconds: for tests (4 sizes D 16..32, 12..96 steps): its verdicts mean nothing", NULL,
                         4, {{16, 1, 2, 3, 1, 0, 0, 2, {3e-3, 3e-2}}, {24, 1, 2, 3, 1, 0, 0, 2, {3e-3, 3e-2}},
                             {32, 1, 2, 2, 0, 0, 0, 2, {3e-3, 3e-2}}, {32, 2, 2, 2, 0, 0, 0, 2, {3e-3, 3e-2}}},
                         0.5, 4};
    p->train.batch = 4; p->train.eval_batches = 2;
    p->inits = "fan-in";
    sw_lab_scaling_fill(p);
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

void sw_lab_run_id(char *buf, size_t cap, const sw_lab_plan *p, sw_lab_kind kind, int variant, int seed,
                   int rate, int init)
{
    const char *vn = p->variants[variant].name, *ik = p->inits[init].key;
    if (kind == SW_RUN_MAIN || kind == SW_RUN_INIT) snprintf(buf, cap, "%s-s%d-%s", vn, seed, ik);
    else if (kind == SW_RUN_SWEEP) snprintf(buf, cap, "sweep-%s-lr%d-%s", vn, rate, ik);
    else snprintf(buf, cap, "expr-%s-s%d", vn, seed);
}

static int add_run(sw_lab_plan *p, sw_lab_kind kind, int v, int seed, int rate, int init, double work)
{
    if (p->n_runs >= SW_LAB_MAX_RUNS) return -1;
    sw_lab_run *r = &p->runs[p->n_runs++];
    memset(r, 0, sizeof *r);
    r->kind = kind; r->variant = v; r->seed = seed; r->rate = rate; r->init = init; r->work = work;
    char id[sizeof r->id];
    sw_lab_run_id(id, sizeof id, p, kind, v, seed, rate, init);
    memcpy(r->id, id, sizeof id);
    return 0;
}

swiglu_status sw_lab_plan_make(sw_lab_plan *p, const char *preset, const char *variants, int seeds,
                               char *err, size_t errcap)
{
    return sw_lab_plan_make_inits(p, preset, variants, seeds, NULL, err, errcap);
}

swiglu_status sw_lab_plan_make_inits(sw_lab_plan *p, const char *preset, const char *variants, int seeds,
                                     const char *inits, char *err, size_t errcap)
{
    memset(p, 0, sizeof *p);
    const sw_lab_preset *pr = sw_lab_preset_find(preset ? preset : "quick");
    if (!pr) { snprintf(err, errcap, "unknown preset '%s' (tiny, quick, standard, long, scaling, scaling-tiny)", preset); return SWIGLU_ERR_ARG; }
    p->preset = *pr;
    /* seeds 0: the preset's (3; a scaling preset's per size) */
    if (seeds < 0 || seeds > SW_LAB_MAX_SEEDS) { snprintf(err, errcap, "--seeds must be 1..%d", SW_LAB_MAX_SEEDS); return SWIGLU_ERR_ARG; }
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
    {
        char buf[512];
        if (snprintf(buf, sizeof buf, "%s", inits ? inits : pr->inits) >= (int)sizeof buf) { snprintf(err, errcap, "--init too long"); return SWIGLU_ERR_ARG; }
        for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            sw_lab_init in;
            if (sw_lab_init_parse(&in, tok, err, errcap)) return SWIGLU_ERR_ARG;
            size_t k = 0;
            while (k < p->n_inits && strcmp(p->inits[k].key, in.key)) k++;
            if (k < p->n_inits) continue;
            if (p->n_inits >= SW_LAB_MAX_INITS) { snprintf(err, errcap, "--init names more than %d inits", SW_LAB_MAX_INITS); return SWIGLU_ERR_ARG; }
            p->inits[p->n_inits++] = in;
        }
        if (!p->n_inits) { snprintf(err, errcap, "--init names no init"); return SWIGLU_ERR_ARG; }
    }
    if (pr->n_sizes > 0) {
        /* the scaling plan: one init, seeds capped per size (0: the preset's) */
        if (p->n_inits > 1) { snprintf(err, errcap, "--preset %s takes one init (--init names %zu)", pr->name, p->n_inits); return SWIGLU_ERR_ARG; }
        int full = sw_lab_scaling_runs(p, seeds ? seeds : SW_LAB_MAX_SEEDS);
        p->n_core_runs = p->n_runs;
        if (full) { snprintf(err, errcap, "the plan needs more than %d runs: fewer variants or seeds", SW_LAB_MAX_RUNS); return SWIGLU_ERR_ARG; }
        return SWIGLU_OK;
    }
    if (!seeds) p->n_seeds = seeds = 3;
    double main_work = (double)pr->train.steps;
    int full = 0;
    for (size_t v = 0; v < p->n_variants; v++)
        for (int s = 0; s < seeds; s++) full |= add_run(p, SW_RUN_MAIN, (int)v, s, 0, 0, main_work);
    for (size_t v = 0; v < p->n_variants; v++)
        for (int r = 0; r < pr->n_rates; r++) full |= add_run(p, SW_RUN_SWEEP, (int)v, 0, r, 0, (double)pr->sweep_steps);
    /* the expressivity task costs about what 2% of a main run does */
    for (size_t v = 0; v < p->n_variants; v++)
        for (int s = 0; s < seeds; s++) full |= add_run(p, SW_RUN_EXPR, (int)v, s, 0, 0, 0.02 * main_work);
    p->n_core_runs = p->n_runs;
    for (size_t i = 1; i < p->n_inits; i++)
        for (size_t v = 0; v < p->n_variants; v++)
            for (int s = 0; s < seeds; s++) full |= add_run(p, SW_RUN_INIT, (int)v, s, 0, (int)i, main_work);
    if (full) { snprintf(err, errcap, "the plan needs more than %d runs: fewer variants, seeds or inits", SW_LAB_MAX_RUNS); return SWIGLU_ERR_ARG; }
    return SWIGLU_OK;
}

void sw_lab_run_configs(const sw_lab_plan *p, const sw_lab_run *r, sw_model_config *mc,
                        sw_train_config *tc)
{
    const sw_lab_preset *pr = &p->preset;
    const sw_lab_variant *v = &p->variants[r->variant];
    int scale = r->kind == SW_RUN_SCALE || r->kind == SW_RUN_SCALE_SWEEP;
    const sw_lab_size *z = scale ? &pr->sizes[r->size] : NULL;
    sw_model_config_default(mc);
    mc->d_model = scale ? z->d_model : pr->d_model;
    mc->n_layer = scale ? z->n_layer : pr->n_layer;
    mc->n_head = scale ? z->n_head : pr->n_head;
    mc->n_kv_head = mc->n_head;
    mc->seq_len = pr->seq_len;
    mc->ffn = v->ffn;
    mc->learn_beta = v->learn_beta;
    mc->d_ff = 0;               /* parameter-matched */
    mc->init_scheme = p->inits[r->init].scheme;
    mc->init_std = p->inits[r->init].std;
    *tc = pr->train;
    tc->seed = 1000 + (uint64_t)r->seed;
    if (r->kind == SW_RUN_SWEEP) {
        tc->lr = pr->rates[r->rate];
        tc->min_lr = tc->lr / 10;
        tc->steps = pr->sweep_steps;
        tc->warmup = pr->sweep_steps / 10;
        tc->eval_every = (int)pr->sweep_steps;
    }
    if (scale) {
        /* the size's schedule: warmup 5 %, 8 evaluations (the sweep: one, at
         * the end); the rate: the size's first until scaling.c resolves it */
        tc->steps = r->kind == SW_RUN_SCALE_SWEEP ? z->sweep_steps : z->steps;
        tc->warmup = tc->steps / 20 > 1 ? tc->steps / 20 : 1;
        tc->eval_every = r->kind == SW_RUN_SCALE_SWEEP ? (int)tc->steps : (int)(tc->steps / 8 > 1 ? tc->steps / 8 : 1);
        tc->lr = z->rates[r->kind == SW_RUN_SCALE_SWEEP ? r->rate : 0];
        tc->min_lr = tc->lr / 10;
        if (r->kind == SW_RUN_SCALE_SWEEP) tc->seed = 1000 + SW_LAB_SELECT_SEED;
    }
    if (p->micro > 1) {
        tc->batch /= p->micro;
        tc->accum *= p->micro;
        tc->eval_batches *= p->micro;
    }
}

swiglu_status sw_lab_set_micro(sw_lab_plan *p, int k, char *err, size_t errcap)
{
    int B = p->preset.train.batch;
    if (k < 1 || B % k) {
        snprintf(err, errcap, "the %s preset's batch of %d windows cannot be cut into %d micro-batches", p->preset.name, B, k);
        return SWIGLU_ERR_ARG;
    }
    p->micro = k;
    return SWIGLU_OK;
}
