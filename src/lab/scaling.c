/* scaling.c -- the scaling presets' sizes, runs, rates and cost (scaling.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/io_util.h"
#include "lab/run.h"
#include "lab/scaling.h"

double sw_lab_size_params(const sw_lab_size *z)
{
    double D = z->d_model, L = z->n_layer;
    return L * 12 * D * D + (2 * L + 1) * D;
}

static int gated(swiglu_ffn_variant v)
{
    return v != SWIGLU_FFN_RELU && v != SWIGLU_FFN_GELU && v != SWIGLU_FFN_SWISH;
}

double sw_lab_size_flops(const sw_lab_size *z, const sw_lab_variant *v, int T, int V)
{
    size_t H = 0;
    double D = z->d_model, L = z->n_layer;
    if (swiglu_ffn_hidden_for(&H, (size_t)z->d_model, v->ffn, 1) != SWIGLU_OK) H = 4 * (size_t)z->d_model;
    double ffn = (gated(v->ffn) ? 3.0 : 2.0) * D * (double)H;
    return 2 * L * (4 * D * D + ffn) + 2 * L * D * (T + 1) + 2 * D * V;
}

void sw_lab_scaling_fill(sw_lab_preset *pr)
{
    double tok_step = (double)pr->train.batch * pr->seq_len;
    for (int z = 0; z < pr->n_sizes; z++) {
        sw_lab_size *s = &pr->sizes[z];
        s->steps = (long long)ceil(pr->tokens_per_param * sw_lab_size_params(s) / tok_step);
        if (s->steps < 8) s->steps = 8;
        s->sweep_steps = s->steps / (pr->sweep_div > 0 ? pr->sweep_div : 1);
        if (s->sweep_steps < 4) s->sweep_steps = 4;
    }
}

int sw_lab_size_has(const sw_lab_plan *p, int z, int v)
{
    if (p->preset.sizes[z].every_variant) return 1;
    const char *n = p->variants[v].name;
    return !strcmp(n, "relu") || !strcmp(n, "gelu") || !strcmp(n, "swiglu");
}

void sw_lab_scale_id(char *buf, size_t cap, const sw_lab_plan *p, sw_lab_kind kind, int size, int variant,
                     int seed, int rate, int policy)
{
    const sw_lab_size *z = &p->preset.sizes[size];
    const char *vn = p->variants[variant].name, *ik = p->inits[0].key;
    if (kind == SW_RUN_SCALE_SWEEP) snprintf(buf, cap, "d%dl%d-sweep-%s-lr%d-%s", z->d_model, z->n_layer, vn, rate, ik);
    else snprintf(buf, cap, "d%dl%d-%s-s%d-%s-%s", z->d_model, z->n_layer, vn, seed,
                  policy == SW_RATE_SHARED ? "shared" : "own", ik);
}

static int add(sw_lab_plan *p, sw_lab_kind kind, int z, int v, int seed, int rate, int policy, double work)
{
    if (p->n_runs >= SW_LAB_MAX_RUNS) return -1;
    sw_lab_run *r = &p->runs[p->n_runs++];
    memset(r, 0, sizeof *r);
    r->kind = kind; r->size = z; r->variant = v; r->seed = seed; r->rate = rate; r->policy = policy; r->work = work;
    char id[sizeof r->id];
    sw_lab_scale_id(id, sizeof id, p, kind, z, v, seed, rate, policy);
    memcpy(r->id, id, sizeof id);
    return 0;
}

int sw_lab_scaling_runs(sw_lab_plan *p, int seeds)
{
    const sw_lab_preset *pr = &p->preset;
    double tok_step = (double)pr->train.batch * pr->seq_len;
    int full = 0;
    p->n_seeds = 0;
    for (int z = 0; z < pr->n_sizes; z++) {
        const sw_lab_size *s = &pr->sizes[z];
        int ns = s->n_seeds < seeds ? s->n_seeds : seeds;
        if (ns > p->n_seeds) p->n_seeds = ns;
        for (size_t v = 0; v < p->n_variants; v++) {
            if (!sw_lab_size_has(p, z, (int)v)) continue;
            double f = 3 * sw_lab_size_flops(s, &p->variants[v], pr->seq_len, SW_LAB_COST_VOCAB) * tok_step;
            for (int k = 0; k < s->n_rates; k++) full |= add(p, SW_RUN_SCALE_SWEEP, z, (int)v, 0, k, 0, f * (double)s->sweep_steps);
        }
        /* own-rate runs first: a shared run at the same rate then copies its own run */
        for (int pol = SW_RATE_OWN; pol <= SW_RATE_SHARED; pol++)
            for (int sd = 0; sd < ns; sd++)
                for (size_t v = 0; v < p->n_variants; v++) {
                    if (!sw_lab_size_has(p, z, (int)v)) continue;
                    double f = 3 * sw_lab_size_flops(s, &p->variants[v], pr->seq_len, SW_LAB_COST_VOCAB) * tok_step;
                    full |= add(p, SW_RUN_SCALE, z, (int)v, sd, 0, pol, f * (double)s->steps);
                }
    }
    return full;
}

int sw_lab_sweep_done(const sw_lab_plan *p, const char *out, int z, int v, int k)
{
    sw_lab_run sr = {.kind = SW_RUN_SCALE_SWEEP};
    sw_lab_scale_id(sr.id, sizeof sr.id, p, SW_RUN_SCALE_SWEEP, z, v, 0, k, 0);
    return sw_lab_run_done(out, &sr);
}

int sw_lab_scale_rates(const sw_lab_plan *p, const char *out, int z,
                       double loss[SW_LAB_MAX_VARIANTS][SW_LAB_MAX_RATES], int own[SW_LAB_MAX_VARIANTS], int *shared)
{
    const sw_lab_size *s = &p->preset.sizes[z];
    int missing = 0;
    char id[64];
    for (size_t v = 0; v < p->n_variants; v++) {
        own[v] = -1;
        for (int k = 0; k < s->n_rates; k++) {
            loss[v][k] = NAN;
            if (!sw_lab_size_has(p, z, (int)v)) continue;
            if (!sw_lab_sweep_done(p, out, z, (int)v, k)) { missing++; continue; }
            sw_lab_scale_id(id, sizeof id, p, SW_RUN_SCALE_SWEEP, z, (int)v, 0, k, 0);
            double l = sw_lab_result_get(out, id, "final_val_loss");   /* NaN: diverged */
            loss[v][k] = l;
            if (isfinite(l) && (own[v] < 0 || l < loss[v][own[v]])) own[v] = k;
        }
    }
    /* shared: least largest regret; ties to the smaller rate */
    double best_worst = INFINITY;
    *shared = 0;
    for (int k = 0; k < s->n_rates; k++) {
        double worst = 0;
        for (size_t v = 0; v < p->n_variants; v++) {
            if (!sw_lab_size_has(p, z, (int)v)) continue;
            double reg = own[v] < 0 ? 0 : isfinite(loss[v][k]) ? loss[v][k] - loss[v][own[v]] : INFINITY;
            if (reg > worst) worst = reg;
        }
        if (worst < best_worst) { best_worst = worst; *shared = k; }
    }
    return missing;
}

int sw_lab_scale_rate(const sw_lab_plan *p, const char *out, const sw_lab_run *r)
{
    static double loss[SW_LAB_MAX_VARIANTS][SW_LAB_MAX_RATES];
    int own[SW_LAB_MAX_VARIANTS], shared;
    if (sw_lab_scale_rates(p, out, r->size, loss, own, &shared)) return -1;
    if (r->policy == SW_RATE_SHARED) return shared;
    return own[r->variant] >= 0 ? own[r->variant] : 0;   /* every rate diverged: the smallest */
}

int sw_lab_run_ready(const sw_lab_plan *p, const char *out, const sw_lab_run *r)
{
    return r->kind != SW_RUN_SCALE || sw_lab_scale_rate(p, out, r) >= 0;
}

/* src to dst whole (atomically); 0, or -1 with err */
static int copy_file(const char *dst, const char *src, const char *extra, char *err, size_t errcap)
{
    FILE *f = fopen(src, "rb");
    if (!f) { snprintf(err, errcap, "cannot read %s", src); return -1; }
    size_t cap = 1 << 16, n = 0, k;
    char *buf = malloc(cap);
    while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) { char *q = realloc(buf, cap *= 2); if (!q) { free(buf); buf = NULL; } else buf = q; }
    }
    fclose(f);
    size_t el = extra ? strlen(extra) : 0;
    if (buf && el) {
        char *q = realloc(buf, n + el);
        if (!q) { free(buf); buf = NULL; } else { buf = q; memcpy(buf + n, extra, el); n += el; }
    }
    if (!buf) { snprintf(err, errcap, "out of memory copying %s", src); return -1; }
    swiglu_status st = sw_atomic_write(dst, buf, n, NULL, err, errcap);
    free(buf);
    return st == SWIGLU_OK ? 0 : -1;
}

int sw_lab_scale_share(const sw_lab_plan *p, const char *out, const sw_lab_run *r, char *err, size_t errcap)
{
    if (r->kind != SW_RUN_SCALE || r->policy != SW_RATE_SHARED) return 0;
    sw_lab_run own = *r;
    own.policy = SW_RATE_OWN;
    if (sw_lab_scale_rate(p, out, r) != sw_lab_scale_rate(p, out, &own)) return 0;
    sw_lab_scale_id(own.id, sizeof own.id, p, SW_RUN_SCALE, r->size, r->variant, r->seed, 0, SW_RATE_OWN);
    if (!sw_lab_run_done(out, &own)) return 0;
    static const char *const files[] = {"steps.csv", "evals.csv", "metrics.jsonl", "result.txt"};
    char src[4300], dst[4300], extra[128];
    snprintf(extra, sizeof extra, "same_as=%s\n", own.id);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(src, sizeof src, "%s/runs/%s/%s", out, own.id, files[i]);
        snprintf(dst, sizeof dst, "%s/runs/%s/%s", out, r->id, files[i]);
        if (copy_file(dst, src, i == 3 ? extra : NULL, err, errcap)) return -1;
    }
    return 1;
}

double sw_lab_plan_core_seconds(const sw_lab_plan *p, size_t from, size_t to)
{
    double s = 0;
    for (size_t i = from; i < to && i < p->n_runs; i++) {
        const sw_lab_run *r = &p->runs[i];
        if (r->kind == SW_RUN_SCALE || r->kind == SW_RUN_SCALE_SWEEP) s += r->work / SW_LAB_CORE_FLOPS;
    }
    return s;
}

static void fmt_hours(char *b, size_t cap, double s)
{
    if (s < 3600) snprintf(b, cap, "%.0f min", s / 60);
    else if (s < 72 * 3600) snprintf(b, cap, "%.1f h", s / 3600);
    else snprintf(b, cap, "%.0f days", s / 86400);
}

void sw_lab_scaling_describe(FILE *f, const sw_lab_plan *p, int cores)
{
    const sw_lab_preset *pr = &p->preset;
    fprintf(f, "scaling plan '%s': %d sizes, T %d, batch %d, %g tokens per non-embedding parameter, "
               "sweep at 1/%d of the tokens (selection seed %d), init %s\n",
            pr->name, pr->n_sizes, pr->seq_len, pr->train.batch, pr->tokens_per_param, pr->sweep_div,
            SW_LAB_SELECT_SEED, p->inits[0].name);
    fprintf(f, "%-10s %10s %12s %8s %4s %5s %5s %6s %12s %14s\n", "size", "N", "tokens", "steps", "var", "seeds",
            "rates", "runs", "core-hours", "FLOP/tok relu:swiglu");
    double total = 0;
    size_t runs = 0;
    for (int z = 0; z < pr->n_sizes; z++) {
        const sw_lab_size *s = &pr->sizes[z];
        size_t nv = 0, nr = 0, first = p->n_runs;
        double cs = 0;
        for (size_t v = 0; v < p->n_variants; v++) nv += (size_t)sw_lab_size_has(p, z, (int)v);
        int seeds = 0;
        for (size_t i = 0; i < p->n_runs; i++)
            if ((p->runs[i].kind == SW_RUN_SCALE || p->runs[i].kind == SW_RUN_SCALE_SWEEP) && p->runs[i].size == z) {
                nr++; cs += sw_lab_plan_core_seconds(p, i, i + 1);
                if (i < first) first = i;
                if (p->runs[i].kind == SW_RUN_SCALE && p->runs[i].seed + 1 > seeds) seeds = p->runs[i].seed + 1;
            }
        const sw_lab_variant *relu = sw_lab_variant_find("relu"), *sg = sw_lab_variant_find("swiglu");
        char d[32];
        snprintf(d, sizeof d, "D%d/L%d", s->d_model, s->n_layer);
        fprintf(f, "%-10s %10.0f %12.0f %8lld %4zu %5d %5d %6zu %12.1f %8.3gM:%.3gM\n", d, sw_lab_size_params(s),
                (double)s->steps * pr->train.batch * pr->seq_len, s->steps, nv, seeds, s->n_rates, nr, cs / 3600,
                sw_lab_size_flops(s, relu, pr->seq_len, SW_LAB_COST_VOCAB) / 1e6,
                sw_lab_size_flops(s, sg, pr->seq_len, SW_LAB_COST_VOCAB) / 1e6);
        total += cs;
        runs += nr;
    }
    char t[32], tc[32];
    fmt_hours(t, sizeof t, total / (cores > 0 ? cores : 1));
    fmt_hours(tc, sizeof tc, total / 64);
    fprintf(f, "%zu runs, %.0f core-hours at %.2g training FLOP/s a core (forward FLOPs per token above, x3 to "
               "train; V %d assumed): ~%s on %d core%s, ~%s on 64 cores; an upper bound: a shared-rate run at its "
               "own run's rate is copied, not run\n",
            runs, total / 3600, SW_LAB_CORE_FLOPS, SW_LAB_COST_VOCAB, t, cores, cores == 1 ? "" : "s", tc);
}
