/* init_report.c -- the init-sensitivity section of the lab's report
 * (init_report.h).
 *
 * Per init i, variant v and seed s: the final validation loss of the main
 * run at that init, and its dead units at the end (the largest fraction over
 * layers). Claim 1 is decided at each init as report.c decides it at the
 * main one (SwiGLU against ReLU and GELU, paired over seeds, p < 0.05);
 * claim 3 likewise (sw_verdict_dead). Claims 2 and 4 are not repeated: the
 * learning-rate sweep runs at the main init only, and the expressivity task
 * has its own init.
 *
 * The two policies for choosing an init:
 *   one for all   the init whose largest regret over variants is least,
 *                 regret(v, i) = mean loss(v, i) - min over inits of mean loss(v, .)
 *   own best      each variant at the init of its lowest mean loss; claim 1
 *                 then pairs SwiGLU's seeds at its best init with each
 *                 baseline's seeds at the baseline's best.
 * Legend: I inits, V variants, S seeds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "io/io_util.h"
#include "lab/csv.h"
#include "lab/init_report.h"
#include "lab/run.h"
#include "lab/stats.h"
#include "lab/verdict.h"

#define ALPHA 0.05   /* the report's level (report.c) */

typedef struct cell {
    double val[SW_LAB_MAX_SEEDS];    /* final validation loss; NaN: diverged or not run */
    double dead[SW_LAB_MAX_SEEDS];   /* dead fraction at the end, worst layer */
    int done, diverged;              /* runs finished, of which diverged */
    double mean, sd;                 /* over the finite seeds */
} cell;

typedef struct idata {
    const sw_lab_plan *p;
    size_t I, V, S;
    cell *c;                         /* [I x V] */
    double scale[SW_LAB_MAX_INITS];  /* std of the D-input matrices */
    int order[SW_LAB_MAX_INITS];     /* display order: gpt2 by std, then the schemes */
    int complete[SW_LAB_MAX_INITS];  /* every variant's every seed finished */
} idata;

static cell *at(const idata *d, size_t i, size_t v) { return &d->c[i * d->V + v]; }

static double dead_at_end(const char *out, const char *id, int L)
{
    char path[4400], name[32];
    snprintf(path, sizeof path, "%s/runs/%s/evals.csv", out, id);
    sw_csv t;
    if (sw_csv_read(&t, path) || !t.rows) { sw_csv_free(&t); return NAN; }
    double d = 0;
    for (int l = 0; l < L; l++) {
        snprintf(name, sizeof name, "dead%d", l);
        int c = sw_csv_col(&t, name);
        if (c >= 0) d = fmax(d, sw_csv_at(&t, t.rows - 1, c));
    }
    sw_csv_free(&t);
    return d;
}

static void collect(idata *d, const char *out)
{
    const sw_lab_plan *p = d->p;
    for (size_t i = 0; i < d->I; i++) {
        d->scale[i] = sw_lab_init_scale(&p->inits[i], p->preset.d_model, p->preset.n_layer);
        d->complete[i] = 1;
        for (size_t v = 0; v < d->V; v++) {
            cell *c = at(d, i, v);
            double fin[SW_LAB_MAX_SEEDS];
            size_t nf = 0;
            for (size_t s = 0; s < d->S; s++) {
                sw_lab_run r;
                memset(&r, 0, sizeof r);
                sw_lab_run_id(r.id, sizeof r.id, p, i ? SW_RUN_INIT : SW_RUN_MAIN, (int)v, (int)s, 0, (int)i);
                c->val[s] = c->dead[s] = NAN;
                if (!sw_lab_run_done(out, &r)) continue;
                c->done++;
                c->val[s] = sw_lab_result_get(out, r.id, "final_val_loss");
                c->dead[s] = dead_at_end(out, r.id, p->preset.n_layer);
                if (isfinite(c->val[s])) fin[nf++] = c->val[s];
                else c->diverged++;
            }
            c->mean = nf ? sw_mean(fin, nf) : NAN;
            c->sd = sw_std(fin, nf);
            if ((size_t)c->done < d->S) d->complete[i] = 0;
        }
    }
    /* gpt2 inits by std first, then the other schemes in plan order */
    size_t k = 0;
    for (size_t i = 0; i < d->I; i++)
        if (p->inits[i].scheme == SW_INIT_GPT2) d->order[k++] = (int)i;
    for (size_t a = 1; a < k; a++)
        for (size_t b = a; b > 0 && p->inits[d->order[b]].std < p->inits[d->order[b - 1]].std; b--) {
            int t = d->order[b]; d->order[b] = d->order[b - 1]; d->order[b - 1] = t;
        }
    for (size_t i = 0; i < d->I; i++)
        if (p->inits[i].scheme != SW_INIT_GPT2) d->order[k++] = (int)i;
}

/* SwiGLU (cand) against baseline b over the seeds where both are finite;
 * a and b index (init, variant) cells. */
static sw_verdict compare(const cell *cand, const cell *base, size_t S, double *pval, double *diff)
{
    double x[SW_LAB_MAX_SEEDS], y[SW_LAB_MAX_SEEDS];
    size_t n = 0;
    for (size_t s = 0; s < S; s++)
        if (isfinite(cand->val[s]) && isfinite(base->val[s])) { x[n] = cand->val[s]; y[n] = base->val[s]; n++; }
    if (!n) { *pval = 1; *diff = NAN; return SW_INCONCLUSIVE; }
    return sw_compare_lower(x, y, n, ALPHA, pval, diff);
}

/* Claim 1 with SwiGLU at init ic and baseline k at init ib[k]: the verdict
 * and its numbers appended to txt. */
static sw_verdict claim1(const idata *d, int cand, int ic, const int base[2], const int ib[2], char *txt, size_t cap)
{
    sw_verdict vv[2];
    size_t nb = 0, k = strlen(txt);
    for (int b = 0; b < 2; b++) {
        if (base[b] < 0) continue;
        double pv, df;
        vv[nb++] = compare(at(d, (size_t)ic, (size_t)cand), at(d, (size_t)ib[b], (size_t)base[b]), d->S, &pv, &df);
        if (k < cap) k += (size_t)snprintf(txt + k, cap - k, "%s%+.4f vs %s (p %.2g)", nb > 1 ? "; " : "", df,
                                           d->p->variants[base[b]].name, pv);
    }
    return sw_verdict_all(vv, nb);
}

/* the largest dead fraction over seeds of a cell; NaN when none finished */
static double dead_max(const cell *c, size_t S)
{
    double m = NAN;
    for (size_t s = 0; s < S; s++)
        if (isfinite(c->dead[s])) m = isfinite(m) ? fmax(m, c->dead[s]) : c->dead[s];
    return m;
}

static int write_csv(const idata *d, const char *out)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/init_sensitivity.csv", out);
    sw_atomic_file af;
    FILE *f = sw_atomic_open(&af, path, NULL, 0);
    if (!f) return 1;
    fprintf(f, "init,scheme,init_std,variant,seed,final_val_loss,dead_at_end_max_layer\n");
    for (size_t i = 0; i < d->I; i++)
        for (size_t v = 0; v < d->V; v++)
            for (size_t s = 0; s < d->S; s++) {
                const cell *c = at(d, i, v);
                fprintf(f, "%s,%s,%.6g,%s,%zu,%.6f,%.6f\n", d->p->inits[i].name, sw_init_scheme_name(d->p->inits[i].scheme),
                        d->scale[i], d->p->variants[v].name, s, c->val[s], c->dead[s]);
            }
    return sw_atomic_commit(&af, NULL, 0) != SWIGLU_OK;
}

/* final loss against the gpt2 rule's std, one line per variant */
static int write_plot(const idata *d, const char *out)
{
    char dir[4200], dat[4400], body[8192], names[1024] = "";
    size_t ng = 0;
    for (size_t i = 0; i < d->I; i++) ng += d->p->inits[i].scheme == SW_INIT_GPT2;
    if (ng < 2) return 0;
    snprintf(dir, sizeof dir, "%s/plots", out);
    mkdir(dir, 0755);
    snprintf(dat, sizeof dat, "%s/init_scale.dat", dir);
    sw_atomic_file af;
    FILE *f = sw_atomic_open(&af, dat, NULL, 0);
    if (!f) return 1;
    size_t k = 0;
    for (size_t v = 0; v < d->V; v++) {
        fprintf(f, "# %s\n", d->p->variants[v].name);
        for (size_t j = 0; j < d->I; j++) {
            int i = d->order[j];
            if (d->p->inits[i].scheme != SW_INIT_GPT2) continue;
            const cell *c = at(d, (size_t)i, v);
            fprintf(f, "%g %.6g %.6g\n", (double)d->p->inits[i].std, c->mean, c->sd);
        }
        fprintf(f, "\n\n");
        if (k < sizeof names) k += (size_t)snprintf(names + k, sizeof names - k, "%s%s", v ? " " : "", d->p->variants[v].name);
    }
    if (sw_atomic_commit(&af, NULL, 0) != SWIGLU_OK) return 1;
    double lo = INFINITY, hi = 0;
    for (size_t i = 0; i < d->I; i++)
        if (d->p->inits[i].scheme == SW_INIT_GPT2) { lo = fmin(lo, d->p->inits[i].std); hi = fmax(hi, d->p->inits[i].std); }
    snprintf(body, sizeof body,
             "names = '%s'\nset title 'Final validation loss against the init std (gpt2 rule), mean over seeds'\n"
             "set xlabel 'init std of the matrices (wo, W2: std / sqrt(2L))'\nset ylabel 'loss (nats/token)'\n"
             "set logscale x\nset xrange [%g:%g]\n"
             "plot for [i=0:%zu] '%s' index i using 1:2 with linespoints lw 2 pt i+1 lc i+1 title word(names, i+1)",
             names, lo / 1.25, hi * 1.25, d->V - 1, dat);
    return sw_lab_plot(dir, "init_scale", body) != 0;
}

static const char *scheme_rule(int scheme)
{
    switch (scheme) {
    case SW_INIT_FAN_IN: return "1/sqrt(fan_in) per matrix (W2: 1/sqrt(d_ff)), wo and W2 also / sqrt(2L)";
    case SW_INIT_SMALL: return "sqrt(2/(5D)), wo and W2 2/(L sqrt(D)) (GPT-NeoX's small_init and wang_init)";
    default: return "every matrix at the std, wo and W2 at std / sqrt(2L)";
    }
}

/* "held at a, b; inconclusive at c" over the complete inits */
static void dependence(char *buf, size_t cap, const idata *d, const sw_verdict *v, const char *what)
{
    size_t k = 0, n = 0, same = 1;
    int first = -1;
    for (size_t j = 0; j < d->I; j++) {
        int i = d->order[j];
        if (!d->complete[i]) continue;
        n++;
        if (first < 0) first = (int)v[i];
        else if ((int)v[i] != first) same = 0;
    }
    if (n < 2) { snprintf(buf, cap, "%s: too few inits finished to tell.", what); return; }
    if (same) {
        snprintf(buf, cap, "%s does **not** depend on the init here: **%s** at every one of the %zu inits%s.", what,
                 sw_verdict_name((sw_verdict)first), n, n < d->I ? " finished so far" : "");
        return;
    }
    k += (size_t)snprintf(buf + k, cap - k, "%s **depends on the init**:", what);
    int groups = 0;
    for (int w = 0; w < 3; w++) {
        int any = 0;
        for (size_t j = 0; j < d->I && k < cap; j++) {
            int i = d->order[j];
            if (!d->complete[i] || (int)v[i] != w) continue;
            if (any) k += (size_t)snprintf(buf + k, cap - k, ", %s", d->p->inits[i].name);
            else k += (size_t)snprintf(buf + k, cap - k, "%s%s at %s", groups ? "; " : " ", sw_verdict_name((sw_verdict)w),
                                       d->p->inits[i].name);
            any = 1;
        }
        groups += any;
    }
    if (k < cap) snprintf(buf + k, cap - k, ".");
}

/* What the section's tables share: the data, SwiGLU's and the baselines'
 * variant indices (-1: not in the plan), each variant's best init, and the
 * verdicts per init. */
typedef struct irep {
    idata *d;
    int cand, base[2], rl;
    int best[SW_LAB_MAX_VARIANTS];
    sw_verdict v1[SW_LAB_MAX_INITS], v3[SW_LAB_MAX_INITS];
} irep;

/* final loss, variant x init; each variant's best init into R->best */
static void loss_table(FILE *f, irep *R)
{
    idata *dp = R->d;
    const sw_lab_plan *p = dp->p;
    int *best = R->best;
    /* final loss, variant x init */
    fprintf(f, "Final validation loss (mean ± std over seeds; bold: the variant's best init; — not finished):\n\n| variant |");
    for (size_t j = 0; j < dp->I; j++) {
        int i = dp->order[j];
        fprintf(f, " %s%s |", p->inits[i].name, i == 0 ? " (main)" : "");
    }
    fprintf(f, "\n|---|");
    for (size_t j = 0; j < dp->I; j++) fprintf(f, "---|");
    fprintf(f, "\n| *scale* |");
    for (size_t j = 0; j < dp->I; j++) fprintf(f, " *%.4g* |", dp->scale[dp->order[j]]);
    fprintf(f, "\n");
    for (size_t v = 0; v < dp->V; v++) {
        best[v] = -1;
        for (size_t i = 0; i < dp->I; i++)   /* over the inits where every seed finished */
            if ((size_t)at(dp, i, v)->done == dp->S && isfinite(at(dp, i, v)->mean) &&
                (best[v] < 0 || at(dp, i, v)->mean < at(dp, (size_t)best[v], v)->mean))
                best[v] = (int)i;
        fprintf(f, "| %s |", p->variants[v].name);
        for (size_t j = 0; j < dp->I; j++) {
            int i = dp->order[j];
            const cell *c = at(dp, (size_t)i, v);
            const char *b = i == best[v] ? "**" : "";
            if (!c->done) fprintf(f, " — |");
            else if (!isfinite(c->mean)) fprintf(f, " diverged |");
            else fprintf(f, " %s%.4f ± %.4f%s%s |", b, c->mean, c->sd, b,
                         c->diverged ? " (some diverged)" : (size_t)c->done < dp->S ? " (unfinished)" : "");
        }
        fprintf(f, "\n");
    }
    fprintf(f, "\n![final loss against init std](plots/init_scale.png)\n\n");

}

/* SwiGLU minus each baseline per init: the verdicts' labels can agree while
 * the difference changes sign */
static void sign_notes(FILE *f, irep *R)
{
    idata *dp = R->d;
    const sw_lab_plan *p = dp->p;
    const int cand = R->cand;
    const int *base = R->base;
    for (int b = 0; b < 2; b++) {
        if (base[b] < 0) continue;
        size_t k = 0, nneg = 0, npos = 0;
        char list[768] = "";
        for (size_t j = 0; j < dp->I && k < sizeof list; j++) {
            int i = dp->order[j];
            if (!dp->complete[i]) continue;
            double pv, df;
            compare(at(dp, (size_t)i, (size_t)cand), at(dp, (size_t)i, (size_t)base[b]), dp->S, &pv, &df);
            nneg += df < 0; npos += df > 0;
            k += (size_t)snprintf(list + k, sizeof list - k, "%s%+.3f at %s", k ? ", " : "", df, p->inits[i].name);
        }
        if (nneg + npos < 2) continue;
        fprintf(f, "SwiGLU minus %s: %s -- %s. ", p->variants[base[b]].name, list,
                !nneg ? "SwiGLU behind at every init" : !npos ? "SwiGLU ahead at every init"
                                                         : "**the sign depends on the init**");
    }
}

/* claims 1 and 3 per init (into R->v1, R->v3) and what depends on the init */
static void verdict_table(FILE *f, irep *R)
{
    idata *dp = R->d;
    const sw_lab_plan *p = dp->p;
    const int cand = R->cand;
    const int *base = R->base;
    const int rl = R->rl;
    sw_verdict *v1 = R->v1;
    sw_verdict *v3 = R->v3;
    /* verdicts per init */
    if (cand >= 0 && (base[0] >= 0 || base[1] >= 0)) {
        fprintf(f, "Verdicts per init (claim 1: SwiGLU's final loss against ReLU and GELU, paired over seeds; claim 3: "
                   "SwiGLU's dead units at the end, worst layer and seed):\n\n"
                   "| init | scale | claim 1 | SwiGLU's final loss against the baselines | SwiGLU's place among %zu | best variant | claim 3 | dead at end: SwiGLU, ReLU |\n"
                   "|---|---|---|---|---|---|---|---|\n", dp->V);
        for (size_t j = 0; j < dp->I; j++) {
            int i = dp->order[j];
            char txt[512] = "";
            int ib[2] = {i, i};
            if (!dp->complete[i]) {
                v1[i] = v3[i] = SW_INCONCLUSIVE;
                fprintf(f, "| %s%s | %.4g | not finished | — | — | — | — | — |\n", p->inits[i].name, i == 0 ? " (main)" : "", dp->scale[i]);
                continue;
            }
            v1[i] = claim1(dp, cand, i, base, ib, txt, sizeof txt);
            double dc = dead_max(at(dp, (size_t)i, (size_t)cand), dp->S);
            v3[i] = isfinite(dc) ? sw_verdict_dead(dc) : SW_INCONCLUSIVE;
            int place = 1, bv = -1;
            for (size_t v = 0; v < dp->V; v++) {
                double m = at(dp, (size_t)i, v)->mean;
                if (isfinite(m) && m < at(dp, (size_t)i, (size_t)cand)->mean) place++;
                if (isfinite(m) && (bv < 0 || m < at(dp, (size_t)i, (size_t)bv)->mean)) bv = (int)v;
            }
            char dr[64] = "-";
            if (rl >= 0) snprintf(dr, sizeof dr, "%.2f %%, %.2f %%", 100 * dc, 100 * dead_max(at(dp, (size_t)i, (size_t)rl), dp->S));
            fprintf(f, "| %s%s | %.4g | **%s** | %s | %d | %s | %s | %s |\n", p->inits[i].name, i == 0 ? " (main)" : "",
                    dp->scale[i], sw_verdict_name(v1[i]), txt, place,
                    bv >= 0 ? p->variants[bv].name : "-", sw_verdict_name(v3[i]), dr);
        }
        char dep[1024];
        dependence(dep, sizeof dep, dp, v1, "Claim 1's verdict (lower perplexity)");
        fprintf(f, "\n%s ", dep);
        dependence(dep, sizeof dep, dp, v3, "Claim 3's verdict (no dead neurons)");
        fprintf(f, "%s ", dep);
        sign_notes(f, R);
        dep[0] = 0;
        fprintf(f, "%sClaims 2 and 4 are not repeated per init: the learning-rate sweep runs at the main init only, "
                   "and the expressivity task has an init of its own.\n\n", dep);
    }

}

/* policy 1: one init for every variant, the least largest regret */
static void policy_one(FILE *f, irep *R)
{
    idata *dp = R->d;
    const sw_lab_plan *p = dp->p;
    const int cand = R->cand;
    const int *base = R->base;
    int *best = R->best;
    sw_verdict *v1 = R->v1;
    /* policy 1: one init for every variant */
    int one = -1;
    double regret[SW_LAB_MAX_INITS];
    char worst[SW_LAB_MAX_INITS][32];
    fprintf(f, "**Choosing the init.** (1) One init for every variant: the init whose largest *regret* (a variant's "
               "mean loss there minus its mean loss at its own best init) is least. (2) Each variant at its own best "
               "init.\n\n| init | mean final loss over variants | largest regret | of |\n|---|---|---|---|\n");
    for (size_t j = 0; j < dp->I; j++) {
        int i = dp->order[j];
        double sum = 0, r = 0;
        size_t n = 0;
        snprintf(worst[i], sizeof worst[i], "-");
        for (size_t v = 0; v < dp->V; v++) {
            const cell *c = at(dp, (size_t)i, v);
            if (!isfinite(c->mean) || best[v] < 0) { r = INFINITY; continue; }
            sum += c->mean; n++;
            double g = c->mean - at(dp, (size_t)best[v], v)->mean;
            if (g > r) { r = g; snprintf(worst[i], sizeof worst[i], "%s", p->variants[v].name); }
        }
        regret[i] = dp->complete[i] ? r : INFINITY;
        if (dp->complete[i] && (one < 0 || regret[i] < regret[one])) one = i;
        if (dp->complete[i]) fprintf(f, "| %s | %.4f | %+.4f | %s |\n", p->inits[i].name, n ? sum / (double)n : NAN, r, worst[i]);
        else fprintf(f, "| %s | not finished | — | — |\n", p->inits[i].name);
    }
    if (one >= 0) {
        int all_best = 1;
        for (size_t v = 0; v < dp->V; v++) all_best &= best[v] == one;
        fprintf(f, "\nPolicy 1 picks **%s** (largest regret %.4f%s%s)%s", p->inits[one].name, regret[one],
                all_best ? "" : ", ", all_best ? "" : worst[one], all_best ? ": every variant trains best there." : ".");
        if (cand >= 0 && (base[0] >= 0 || base[1] >= 0))
            fprintf(f, " Claim 1 there: %s.", sw_verdict_name(v1[one]));
        fprintf(f, "\n\n");
    }

}

/* policy 2: each variant at its own best init */
static void policy_two(FILE *f, irep *R)
{
    idata *dp = R->d;
    const sw_lab_plan *p = dp->p;
    const int cand = R->cand;
    const int *base = R->base;
    int *best = R->best;
    /* policy 2: each variant at its own best */
    fprintf(f, "| variant | its best init | final loss there | at the main init (%s) |\n|---|---|---|---|\n", p->inits[0].name);
    for (size_t v = 0; v < dp->V; v++) {
        if (best[v] < 0) { fprintf(f, "| %s | - | - | - |\n", p->variants[v].name); continue; }
        const cell *c = at(dp, (size_t)best[v], v), *m = at(dp, 0, v);
        fprintf(f, "| %s | %s | %.4f ± %.4f | %.4f |\n", p->variants[v].name, p->inits[best[v]].name, c->mean, c->sd, m->mean);
    }
    if (cand >= 0 && best[cand] >= 0 && (base[0] >= 0 || base[1] >= 0)) {
        int ib[2] = {base[0] >= 0 ? best[base[0]] : 0, base[1] >= 0 ? best[base[1]] : 0};
        if ((base[0] < 0 || ib[0] >= 0) && (base[1] < 0 || ib[1] >= 0)) {
            char txt[512] = "";
            sw_verdict v = claim1(dp, cand, best[cand], base, ib, txt, sizeof txt);
            fprintf(f, "\nPolicy 2, claim 1 with every variant at its own best init (paired by seed): **%s** (SwiGLU %s).\n\n",
                    sw_verdict_name(v), txt);
        }
    }
}

int sw_lab_init_report(FILE *f, const sw_lab_plan *p, const char *out, const sw_lab_meta *meta)
{
    if (p->n_inits < 2) {
        fprintf(f, "## Initialization\n\nEvery transformer run starts from init %s: %s.\n\n", p->inits[0].name,
                scheme_rule(p->inits[0].scheme));
        return 0;
    }
    idata d = {p, p->n_inits, p->n_variants, (size_t)p->n_seeds, NULL, {0}, {0}, {0}};
    d.c = calloc(d.I * d.V, sizeof *d.c);
    if (!d.c) { fprintf(f, "## Initialization sensitivity\n\n(out of memory)\n\n"); return 1; }
    collect(&d, out);
    int fails = write_csv(&d, out);
    fails += write_plot(&d, out);
    static irep R;
    memset(&R, 0, sizeof R);
    R.d = &d;
    R.cand = sw_lab_plan_variant(p, "swiglu");
    R.base[0] = sw_lab_plan_variant(p, "relu");
    R.base[1] = sw_lab_plan_variant(p, "gelu");
    R.rl = R.base[0];
    size_t done = 0, total = d.I * d.V * d.S;
    for (size_t i = 0; i < d.I * d.V; i++) done += (size_t)d.c[i].done;

    fprintf(f, "## 5. Initialization sensitivity\n\n"
               "The main comparison (every variant, every seed, the full schedule) again at each init; the sections "
               "above are the one at **%s**. Runs finished: %zu of %zu. Inits: the gpt2 rule at a std (%s), "
               "fan-in (%s), small (%s). *scale* is the std of the D-input matrices (wq, wk, wv, W1, W3).\n\n",
            p->inits[0].name, done, total, scheme_rule(SW_INIT_GPT2), scheme_rule(SW_INIT_FAN_IN), scheme_rule(SW_INIT_SMALL));
    loss_table(f, &R);
    verdict_table(f, &R);
    policy_one(f, &R);
    policy_two(f, &R);
    fprintf(f, "Per run: `init_sensitivity.csv` (init, scheme, scale, variant, seed, final validation loss, dead units "
               "at the end); the runs at init X are `runs/<variant>-s<seed>-X/`. %s-level tokens.\n\n",
            meta ? meta->tokens : "");
    free(d.c);
    return fails;
}
