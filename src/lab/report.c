/* report.c -- the lab's report (report.h): reads every finished run back
 * from OUT/runs/, decides each claim (verdict.h), writes report.md, the
 * CSVs and the plots.
 *
 * Definitions used below (docs/LAB.md says why; spikes, jitter and the
 * largest rate that trains: claims.h):
 *   gradient flow   log10 of the first layer's gradient norm over the last
 *                   layer's, mean over evaluations after step 0
 *   dead unit       a hidden unit whose |output| < 1e-6 for every token of
 *                   the evaluation batch (swiglu_ffn_stats.dead_fraction)
 * Legend: S seeds, L layers, R sweep rates. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "io/io_util.h"
#include "lab/claims.h"
#include "lab/csv.h"
#include "lab/gnuplot.h"
#include "lab/run.h"
#include "lab/report.h"
#include "lab/init_report.h"
#include "lab/stats.h"
#include "lab/verdict.h"

#define ALPHA SW_LAB_ALPHA

/* Shazeer 2020, "GLU Variants Improve Transformer", Table 1: log-perplexity
 * at 65,536 steps, mean (std) */
static const struct { const char *name; double mean, std; } shazeer[] = {
    {"relu", 1.997, .005}, {"gelu", 1.983, .005}, {"swish", 1.994, .003}, {"glu", 1.982, .006},
    {"bilinear", 1.960, .005}, {"geglu", 1.942, .004}, {"swiglu", 1.944, .010}, {"reglu", 1.953, .003},
};

static int shazeer_find(const char *name)
{
    for (size_t i = 0; i < sizeof shazeer / sizeof shazeer[0]; i++)
        if (!strcmp(shazeer[i].name, name)) return (int)i;
    return -1;
}

typedef sw_lab_summary vsum;

static void path_of(char *buf, size_t cap, const char *out, const char *id, const char *file)
{
    snprintf(buf, cap, "%s/runs/%s/%s", out, id, file);
}

/* spikes and jitter from steps.csv (NaN when it is missing) */
static void step_stats(const char *path, long long warmup, double *spikes, double *jitter)
{
    sw_csv t;
    *spikes = NAN; *jitter = NAN;
    if (sw_csv_read(&t, path)) { sw_csv_free(&t); return; }
    int cl = sw_csv_col(&t, "loss"), cg = sw_csv_col(&t, "grad_norm"), cs = sw_csv_col(&t, "step");
    double *col = cl < 0 || cg < 0 || cs < 0 ? NULL : malloc(3 * (t.rows ? t.rows : 1) * sizeof *col);
    if (col) {
        for (size_t r = 0; r < t.rows; r++) {
            col[r] = sw_csv_at(&t, r, cs);
            col[t.rows + r] = sw_csv_at(&t, r, cl);
            col[2 * t.rows + r] = sw_csv_at(&t, r, cg);
        }
        sw_lab_step_metrics(col, col + t.rows, col + 2 * t.rows, t.rows, warmup, spikes, jitter);
    }
    free(col);
    sw_csv_free(&t);
}

/* dead/zero fractions and gradient flow from evals.csv */
static void eval_stats(const char *path, size_t L, double *dead0, double *dead_end, double *zero_end, double *flow)
{
    sw_csv t;
    *dead0 = *dead_end = *zero_end = *flow = NAN;
    if (sw_csv_read(&t, path) || t.rows == 0) { sw_csv_free(&t); return; }
    char name[32];
    double d0 = 0, de = 0, ze = 0, fsum = 0;
    size_t fn = 0;
    for (size_t l = 0; l < L; l++) {
        snprintf(name, sizeof name, "dead%zu", l);
        int c = sw_csv_col(&t, name);
        snprintf(name, sizeof name, "zero%zu", l);
        int z = sw_csv_col(&t, name);
        if (c < 0 || z < 0) continue;
        d0 = fmax(d0, sw_csv_at(&t, 0, c));
        de = fmax(de, sw_csv_at(&t, t.rows - 1, c));
        ze += sw_csv_at(&t, t.rows - 1, z) / (double)L;
    }
    snprintf(name, sizeof name, "gn%zu", L - 1);
    int cl = sw_csv_col(&t, name), c0 = sw_csv_col(&t, "gn0");
    for (size_t r = 1; r < t.rows && cl >= 0 && c0 >= 0; r++) {
        double a = sw_csv_at(&t, r, c0), b = sw_csv_at(&t, r, cl);
        if (a > 0 && b > 0) { fsum += log10(a / b); fn++; }
    }
    *dead0 = d0; *dead_end = de; *zero_end = ze;
    *flow = fn ? fsum / (double)fn : NAN;
    sw_csv_free(&t);
}

static void collect(vsum *vs, const sw_lab_plan *p, const char *out)
{
    char path[4400];
    const sw_lab_preset *pr = &p->preset;
    memset(vs, 0, sizeof *vs * p->n_variants);
    for (size_t v = 0; v < p->n_variants; v++) {
        vs[v].dead_end = 0;
        for (int s = 0; s < SW_LAB_MAX_SEEDS; s++) vs[v].val[s] = vs[v].acc[s] = NAN;
        for (int k = 0; k < SW_LAB_MAX_RATES; k++) vs[v].sweep[k] = NAN;
    }
    for (size_t i = 0; i < p->n_runs; i++) {
        const sw_lab_run *r = &p->runs[i];
        vsum *s = &vs[r->variant];
        if (!sw_lab_run_done(out, r)) continue;
        if (r->kind == SW_RUN_MAIN) {
            int k = r->seed;
            s->seeds_done++;
            s->val[k] = sw_lab_result_get(out, r->id, "final_val_loss");
            s->train[k] = sw_lab_result_get(out, r->id, "final_train_loss");
            s->params = sw_lab_result_get(out, r->id, "params");
            s->ffn_params = sw_lab_result_get(out, r->id, "ffn_params_per_layer");
            s->d_ff = sw_lab_result_get(out, r->id, "d_ff");
            s->tokens = sw_lab_result_get(out, r->id, "tokens");
            s->wall += sw_lab_result_get(out, r->id, "wall_s");
            s->diverged[k] = !isfinite(s->val[k]);
            path_of(path, sizeof path, out, r->id, "steps.csv");
            step_stats(path, pr->train.warmup, &s->spikes[k], &s->jitter[k]);
            double d0, de, ze;
            path_of(path, sizeof path, out, r->id, "evals.csv");
            eval_stats(path, (size_t)pr->n_layer, &d0, &de, &ze, &s->flow[k]);
            s->dead_init += d0 / p->n_seeds;
            s->dead_end = fmax(s->dead_end, de);
            s->zero_end += ze / p->n_seeds;
        } else if (r->kind == SW_RUN_SWEEP) {
            s->sweep_done[r->rate] = 1;
            s->sweep[r->rate] = sw_lab_result_get(out, r->id, "final_val_loss");
        } else {
            s->expr_done++;
            s->acc[r->seed] = sw_lab_result_get(out, r->id, "final_acc");
        }
    }
    sw_lab_stable_rates(vs, p->n_variants, pr->rates, pr->n_rates);
}

/* ---- plots -------------------------------------------------------------- */

/* The csv `file` of variant v's runs, one per seed that has rows, into
 * t[0..n): the main runs, or (expr) the expressivity runs. Returns n. */
static int read_seeds(sw_csv t[SW_LAB_MAX_SEEDS], const sw_lab_plan *p, const char *out, size_t v, int expr,
                      const char *file)
{
    char path[4400];
    int ns = 0;
    for (int s = 0; s < p->n_seeds; s++) {
        char id[96];
        if (expr) snprintf(id, sizeof id, "expr-%s-s%d", p->variants[v].name, s);
        else sw_lab_run_id(id, sizeof id, p, SW_RUN_MAIN, (int)v, s, 0, 0);
        path_of(path, sizeof path, out, id, file);
        if (sw_csv_read(&t[ns], path) == 0 && t[ns].rows) ns++;
        else sw_csv_free(&t[ns]);
    }
    return ns;
}

/* Per-variant mean and std over seeds of column `col` of each main run's
 * csv `file`, step by step, as one gnuplot index block per variant. */
static int write_curves(const char *dat, const sw_lab_plan *p, const char *out, const char *file,
                        const char *col, int max_over_layers_prefix)
{
    sw_atomic_file af;
    FILE *f = sw_atomic_open(&af, dat, NULL, 0);
    if (!f) return -1;
    for (size_t v = 0; v < p->n_variants; v++) {
        sw_csv t[SW_LAB_MAX_SEEDS];
        int ns = read_seeds(t, p, out, v, 0, file);
        fprintf(f, "# %s\n", p->variants[v].name);
        size_t rows = SIZE_MAX;
        for (int s = 0; s < ns; s++) rows = t[s].rows < rows ? t[s].rows : rows;
        if (ns == 0) { fprintf(f, "nan nan nan\n"); rows = 0; }
        for (size_t r = 0; r < rows; r++) {
            double vals[SW_LAB_MAX_SEEDS];
            for (int s = 0; s < ns; s++) {
                double x = NAN;
                if (max_over_layers_prefix) {
                    x = 0;
                    for (int l = 0; l < p->preset.n_layer; l++) {
                        char name[40];
                        snprintf(name, sizeof name, "%s%d", col, l);
                        int c = sw_csv_col(&t[s], name);
                        if (c >= 0) x = fmax(x, sw_csv_at(&t[s], r, c));
                    }
                } else {
                    int c = sw_csv_col(&t[s], col);
                    if (c >= 0) x = sw_csv_at(&t[s], r, c);
                }
                vals[s] = x;
            }
            fprintf(f, "%g %.6g %.6g\n", sw_csv_at(&t[0], r, 0), sw_mean(vals, (size_t)ns), sw_std(vals, (size_t)ns));
        }
        fprintf(f, "\n\n");
        for (int s = 0; s < ns; s++) sw_csv_free(&t[s]);
    }
    return sw_atomic_commit(&af, NULL, 0) == SWIGLU_OK ? 0 : -1;
}

/* One plot, rendered twice (SVG and PNG). body: the plot commands; "TERMINAL"
 * lines are not needed: the wrapper sets the terminal and output. */
static int plot(const char *dir, const char *name, const char *body)
{
    char script[4400];
    snprintf(script, sizeof script, "%s/%s.gp", dir, name);
    sw_atomic_file af;
    FILE *f = sw_gnuplot_open(&af, script, NULL, 0);
    if (!f) return -1;
    const char *terms[2][2] = {{"svg size 900,560 dynamic font 'Helvetica,12'", "svg"},
                               {"pngcairo size 900,560 font 'Helvetica,10'", "png"}};
    for (int k = 0; k < 2; k++) {
        fprintf(f, "set terminal %s\nset output '%s/%s.%s'\n", terms[k][0], dir, name, terms[k][1]);
        fprintf(f, "reset session\nset terminal %s\nset output '%s/%s.%s'\n", terms[k][0], dir, name, terms[k][1]);
        /* ten distinct colours (the default eight repeat): tab10 */
        static const char *const tab10[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                            "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
        for (int c = 0; c < 10; c++) fprintf(f, "set linetype %d lc rgb '%s'\n", c + 1, tab10[c]);
        fprintf(f, "set linetype cycle 10\nset grid\nset key outside right top\nset datafile missing 'nan'\n%s\nunset output\n", body);
    }
    return sw_gnuplot_run(&af, NULL, NULL, 0) == SW_GNUPLOT_OK ? 0 : -1;
}

static void titles(char *buf, size_t cap, const sw_lab_plan *p)
{
    size_t k = 0;
    buf[0] = 0;
    for (size_t v = 0; v < p->n_variants && k < cap; v++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%s", v ? " " : "", p->variants[v].name);
}

/* What every plot of the report shares: the plan, the lab folder, plots/,
 * the variants' names (gnuplot's word list) and the last variant index. */
typedef struct plots {
    const sw_lab_plan *p;
    const char *out;
    char dir[4200], names[1024];
    int n;
} plots;

/* Validation loss (band of +-1 std), dead units, gradient norm: curves
 * over steps, mean over seeds. */
static int plot_curves(const plots *P)
{
    const sw_lab_plan *p = P->p;
    const char *dir = P->dir, *names = P->names, *out = P->out;
    const int n = P->n;
    char dat[4400], body[16384];
    int fails = 0;
    snprintf(dat, sizeof dat, "%s/val_loss.dat", dir);
    write_curves(dat, p, out, "evals.csv", "val_loss", 0);
    snprintf(body, sizeof body,
             "names = '%s'\nset title 'Validation loss, mean and band of +-1 std over seeds'\n"
             "set xlabel 'step'\nset ylabel 'loss (nats/token)'\n"
             "plot for [i=0:%d] '%s' index i using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.15 noborder lc i+1 notitle, \\\n"
             "     for [i=0:%d] '%s' index i using 1:2 with lines lw 2 lc i+1 title word(names, i+1)",
             names, n, dat, n, dat);
    fails += plot(dir, "loss", body) != 0;

    snprintf(dat, sizeof dat, "%s/dead.dat", dir);
    write_curves(dat, p, out, "evals.csv", "dead", 1);
    snprintf(body, sizeof body,
             "names = '%s'\nset title 'Dead FFN units (|h| < 1e-6 on every token), worst layer, mean over seeds'\n"
             "set xlabel 'step'\nset ylabel 'fraction of hidden units'\n"
             "plot for [i=0:%d] '%s' index i using 1:2 with linespoints lw 2 lc i+1 title word(names, i+1)",
             names, n, dat);
    fails += plot(dir, "dead_units", body) != 0;

    snprintf(dat, sizeof dat, "%s/grad_norm.dat", dir);
    write_curves(dat, p, out, "steps.csv", "grad_norm", 0);
    snprintf(body, sizeof body,
             "names = '%s'\nset title 'Total gradient norm (before clipping), mean over seeds'\n"
             "set xlabel 'step'\nset ylabel 'norm'\nset logscale y\n"
             "plot for [i=0:%d] '%s' index i using 1:2 with lines lw 1 lc i+1 title word(names, i+1)",
             names, n, dat);
    fails += plot(dir, "grad_norm", body) != 0;
    return fails;
}

/* per-layer gradient norms: one panel per layer */
static int plot_grad_layers(const plots *P)
{
    const sw_lab_plan *p = P->p;
    char dat[4400], body[16384];
    size_t k = 0;
    k += (size_t)snprintf(body + k, sizeof body - k, "names = '%s'\nset multiplot layout 1,%d title 'Gradient norm per layer at the evaluations, mean over seeds'\nset logscale y\nset xlabel 'step'\nunset key\n",
                          P->names, p->preset.n_layer);
    for (int l = 0; l < p->preset.n_layer && k < sizeof body - 512; l++) {
        char col[16];
        snprintf(col, sizeof col, "gn%d", l);
        snprintf(dat, sizeof dat, "%s/grad_norm_l%d.dat", P->dir, l);
        write_curves(dat, p, P->out, "evals.csv", col, 0);
        if (l == p->preset.n_layer - 1) k += (size_t)snprintf(body + k, sizeof body - k, "set key outside right\n");
        k += (size_t)snprintf(body + k, sizeof body - k,
                              "set title 'layer %d'\nplot for [i=0:%d] '%s' index i using 1:2 with linespoints lc i+1 title word(names, i+1)\n",
                              l, P->n, dat);
    }
    snprintf(body + k, sizeof body - k, "unset multiplot");
    return plot(P->dir, "grad_norm_layers", body) != 0;
}

/* learning-rate sweep: final validation loss per peak rate (seed 0) */
static int plot_lr_sweep(const plots *P, const vsum *vs)
{
    const sw_lab_plan *p = P->p;
    char dat[4400], body[16384];
    int fails = 0;
    snprintf(dat, sizeof dat, "%s/lr_sweep.dat", P->dir);
    sw_atomic_file af;
    FILE *f = sw_atomic_open(&af, dat, NULL, 0);
    if (f) {
        for (size_t v = 0; v < p->n_variants; v++) {
            fprintf(f, "# %s\n", p->variants[v].name);
            for (int r = 0; r < p->preset.n_rates; r++) fprintf(f, "%g %.6g\n", p->preset.rates[r], vs[v].sweep[r]);
            fprintf(f, "\n\n");
        }
        fails += sw_atomic_commit(&af, NULL, 0) != SWIGLU_OK;
    }
    snprintf(body, sizeof body,
             "names = '%s'\nset title 'Learning-rate sweep (seed 0): final validation loss; gaps: diverged'\n"
             "set xlabel 'peak learning rate'\nset ylabel 'loss'\nset logscale x\n"
             "plot for [i=0:%d] '%s' index i using 1:2 with linespoints lw 2 pt i+1 lc i+1 title word(names, i+1)",
             P->names, P->n, dat);
    return fails + (plot(P->dir, "lr_sweep", body) != 0);
}

/* The expressivity runs' test accuracy against steps, mean and std over
 * seeds, one gnuplot index block per variant, into dat; 0 or -1. */
static int write_expressivity(const char *dat, const sw_lab_plan *p, const char *out)
{
    sw_atomic_file af;
    FILE *f = sw_atomic_open(&af, dat, NULL, 0);
    if (!f) return 0;   /* as before: an unopened file is not counted as a failed plot */
    for (size_t v = 0; v < p->n_variants; v++) {
        sw_csv t[SW_LAB_MAX_SEEDS];
        int ns = read_seeds(t, p, out, v, 1, "acc.csv");
        fprintf(f, "# %s\n", p->variants[v].name);
        size_t rows = SIZE_MAX;
        for (int s = 0; s < ns; s++) rows = t[s].rows < rows ? t[s].rows : rows;
        if (!ns) { rows = 0; fprintf(f, "nan nan nan\n"); }
        for (size_t r = 0; r < rows; r++) {
            double a[SW_LAB_MAX_SEEDS];
            for (int s = 0; s < ns; s++) a[s] = sw_csv_at(&t[s], r, 2);
            fprintf(f, "%g %.6g %.6g\n", sw_csv_at(&t[0], r, 0), sw_mean(a, (size_t)ns), sw_std(a, (size_t)ns));
        }
        fprintf(f, "\n\n");
        for (int s = 0; s < ns; s++) sw_csv_free(&t[s]);
    }
    return sw_atomic_commit(&af, NULL, 0) != SWIGLU_OK ? -1 : 0;
}

/* expressivity: test accuracy against steps */
static int plot_expressivity(const plots *P)
{
    char dat[4400], body[16384];
    snprintf(dat, sizeof dat, "%s/expressivity.dat", P->dir);
    int fails = write_expressivity(dat, P->p, P->out) != 0;
    snprintf(body, sizeof body,
             "names = '%s'\nset title 'Expressivity: sign of a random quadratic form from one FFN layer, test accuracy, mean over seeds'\n"
             "set xlabel 'step'\nset ylabel 'accuracy'\nset yrange [0.4:1]\n"
             "plot for [i=0:%d] '%s' index i using 1:2 with lines lw 2 lc i+1 title word(names, i+1)",
             P->names, P->n, dat);
    return fails + (plot(P->dir, "expressivity", body) != 0);
}

/* beta trajectories of the learned-beta variant, seed 0 (none without it) */
static int plot_beta(const plots *P)
{
    const sw_lab_plan *p = P->p;
    int lb = sw_lab_plan_variant(p, "swiglu-learned-beta");
    if (lb < 0) return 0;
    char path[4400], id[96], body[16384];
    sw_lab_run_id(id, sizeof id, p, SW_RUN_MAIN, lb, 0, 0, 0);
    path_of(path, sizeof path, P->out, id, "evals.csv");
    size_t k = (size_t)snprintf(body, sizeof body,
                                "set title 'Learned Swish beta per layer (swiglu-learned-beta, seed 0)'\n"
                                "set xlabel 'step'\nset ylabel 'beta'\nset datafile separator ','\nplot ");
    for (int l = 0; l < p->preset.n_layer && k < sizeof body - 256; l++)
        k += (size_t)snprintf(body + k, sizeof body - k, "%s'%s' using 1:(column('beta%d')) with linespoints lw 2 title 'layer %d'",
                              l ? ", " : "", path, l, l);
    return plot(P->dir, "beta", body) != 0;
}

/* Every plot of the report into OUT/plots; the number that failed. */
static int make_plots(const sw_lab_plan *p, const char *out, const vsum *vs)
{
    static plots P;   /* its paths are large */
    P.p = p;
    P.out = out;
    snprintf(P.dir, sizeof P.dir, "%s/plots", out);
    mkdir(P.dir, 0755);
    titles(P.names, sizeof P.names, p);
    P.n = (int)p->n_variants - 1;
    int fails = plot_curves(&P);   /* in this order (one statement each: a sum's order is unspecified) */
    fails += plot_grad_layers(&P);
    fails += plot_lr_sweep(&P, vs);
    fails += plot_expressivity(&P);
    fails += plot_beta(&P);
    return fails;
}

/* ---- the report ---------------------------------------------------------- */

static void fmt_ms(char *b, size_t cap, const double *x, size_t n)
{
    double m = sw_mean(x, n), s = sw_std(x, n);
    if (!n || !isfinite(m)) snprintf(b, cap, "-");
    else if (n > 1) snprintf(b, cap, "%.4f ± %.4f", m, s);
    else snprintf(b, cap, "%.4f", m);
}

/* finite values of x[0..n) into y; returns the count */
static size_t finite_of(double *y, const double *x, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) if (isfinite(x[i])) y[k++] = x[i];
    return k;
}

/* summary.csv (every main run), lr_sweep.csv, dead_units.csv, expressivity.csv */
static swiglu_status write_csvs(const sw_lab_plan *p, const char *out, const vsum *vs, char *err, size_t errcap)
{
    char path[4300];
    const size_t S = (size_t)p->n_seeds;
    const sw_lab_preset *pr = &p->preset;
    /* summary.csv: one row per main run */
    snprintf(path, sizeof path, "%s/summary.csv", out);
    sw_atomic_file af;
    FILE *f = sw_atomic_open(&af, path, err, errcap);
    if (!f) return SWIGLU_ERR_IO;
    fprintf(f, "variant,seed,final_val_loss,final_train_loss,params,ffn_params_per_layer,d_ff,spikes,grad_jitter,grad_flow_log10\n");
    for (size_t v = 0; v < p->n_variants; v++)
        for (size_t s = 0; s < S; s++)
            fprintf(f, "%s,%zu,%.6f,%.6f,%.0f,%.0f,%.0f,%.0f,%.6f,%.6f\n", p->variants[v].name, s, vs[v].val[s], vs[v].train[s],
                    vs[v].params, vs[v].ffn_params, vs[v].d_ff, vs[v].spikes[s], vs[v].jitter[s], vs[v].flow[s]);
    if (sw_atomic_commit(&af, err, errcap) != SWIGLU_OK) return SWIGLU_ERR_IO;
    snprintf(path, sizeof path, "%s/lr_sweep.csv", out);
    if ((f = sw_atomic_open(&af, path, NULL, 0))) {
        fprintf(f, "variant,lr,final_val_loss,trains\n");
        for (size_t v = 0; v < p->n_variants; v++)
            for (int r = 0; r < pr->n_rates; r++)
                fprintf(f, "%s,%g,%.6f,%d\n", p->variants[v].name, pr->rates[r], vs[v].sweep[r],
                        vs[v].stable_lr >= pr->rates[r] && isfinite(vs[v].sweep[r]));
        if (sw_atomic_commit(&af, err, errcap) != SWIGLU_OK) return SWIGLU_ERR_IO;
    }
    snprintf(path, sizeof path, "%s/dead_units.csv", out);
    if ((f = sw_atomic_open(&af, path, NULL, 0))) {
        fprintf(f, "variant,dead_at_init_max_layer,dead_at_end_max_layer_seed,zero_fraction_at_end\n");
        for (size_t v = 0; v < p->n_variants; v++)
            fprintf(f, "%s,%.6f,%.6f,%.6f\n", p->variants[v].name, vs[v].dead_init, vs[v].dead_end, vs[v].zero_end);
        if (sw_atomic_commit(&af, err, errcap) != SWIGLU_OK) return SWIGLU_ERR_IO;
    }
    snprintf(path, sizeof path, "%s/expressivity.csv", out);
    if ((f = sw_atomic_open(&af, path, NULL, 0))) {
        fprintf(f, "variant,seed,final_test_acc\n");
        for (size_t v = 0; v < p->n_variants; v++)
            for (size_t s = 0; s < S; s++) fprintf(f, "%s,%zu,%.6f\n", p->variants[v].name, s, vs[v].acc[s]);
        if (sw_atomic_commit(&af, err, errcap) != SWIGLU_OK) return SWIGLU_ERR_IO;
    }

    return SWIGLU_OK;
}

/* report.md: the verdicts first, then a section per claim */
/* The report's sections, each written to f (report.md). */

/* title, smoke-test note, date and command, model and training */
static void report_head(FILE *f, const sw_lab_plan *p, const char *out, const sw_lab_meta *meta)
{
    const sw_lab_preset *pr = &p->preset;
    size_t done = 0;
    for (size_t i = 0; i < p->n_runs; i++) done += sw_lab_run_done(out, &p->runs[i]);
    time_t now = time(NULL);
    char date[64];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now));

    fprintf(f, "# swiglu compare: %s, preset %s, %d seed%s\n\n", meta->corpus, pr->name, p->n_seeds, p->n_seeds > 1 ? "s" : "");
    if (!strcmp(pr->name, "tiny")) fprintf(f, "> **Smoke test** (preset tiny: runs of %lld steps that exercise the machinery): the verdicts below say nothing about the variants.\n\n", (long long)pr->train.steps);
    fprintf(f, "%s. Command: `%s`. Kernels: %s; %d run%s at a time, %d thread%s each. "
               "Runs finished: %zu of %zu%s. Wall time of this invocation: %.0f s.\n\n",
            date, meta->command, meta->isa, meta->jobs, meta->jobs > 1 ? "s" : "", meta->threads,
            meta->threads > 1 ? "s" : "", done, p->n_runs, done < p->n_runs ? " (the report covers those)" : "", meta->wall_s);
    fprintf(f, "Model: LLaMA-style decoder (RMSNorm, RoPE, causal attention, no biases), D %d, %d layer%s, %d heads, "
               "context %d, %s-level tokens (V %d). Training: AdamW (0.9, %.3g), weight decay %.2g, clip %.2g, "
               "lr %.3g with %lld warmup steps then cosine to %.3g, %lld steps of %d x %d tokens, the same for every variant.\n\n",
            pr->d_model, pr->n_layer, pr->n_layer > 1 ? "s" : "", pr->n_head, pr->seq_len, meta->tokens, meta->vocab,
            (double)pr->train.beta2, (double)pr->train.weight_decay, (double)pr->train.grad_clip, pr->train.lr,
            pr->train.warmup, pr->train.min_lr, pr->train.steps, pr->train.batch, pr->seq_len);
    if (p->micro > 1)
        fprintf(f, "Each step's %d windows as %d micro-batches of %d (`--accum %d`, or `--ranks-per-run %d` under mpirun: "
                   "rank r of a run computing micro-batch r; the same windows and means as one batch, up to the rounding of the sums), "
                   "and every evaluation batch likewise.\n\n",
                pr->train.batch, p->micro, pr->train.batch / p->micro, p->micro, p->micro);

}

/* the four verdicts and what held / not held means */
static void report_verdicts(FILE *f, const sw_lab_claims *c, size_t S)
{
    fprintf(f, "## Verdicts\n\n| claim | verdict | the numbers behind it |\n|---|---|---|\n");
    fprintf(f, "| 1. lower perplexity at an equal parameter count | **%s** | %s |\n", sw_verdict_name(c->v[0]), c->line[0]);
    fprintf(f, "| 2. smoother gradient flow, more stable training | **%s** | %s |\n", sw_verdict_name(c->v[1]), c->line[1]);
    fprintf(f, "| 3. no dead neurons | **%s** | %s |\n", sw_verdict_name(c->v[2]), c->line[2]);
    fprintf(f, "| 4. input-dependent gating adds expressive power | **%s** | %s |\n\n", sw_verdict_name(c->v[3]), c->line[3]);
    fprintf(f, "A comparison is *held* when SwiGLU is better than every baseline (ReLU, GELU) with a paired t-test "
               "over seeds at p < %.2g, *not held* when it is worse than one at that level, and *inconclusive at this "
               "scale* otherwise. With %zu seed%s a difference must be large against the seeds' spread to count.\n\n",
            ALPHA, S, S > 1 ? "s" : "");

}

/* claim 1: perplexity table, the ordering against Shazeer's */
static void report_perplexity(FILE *f, const sw_lab_plan *p, const sw_lab_meta *meta, const vsum *vs)
{
    const size_t S = (size_t)p->n_seeds;
    const sw_lab_preset *pr = &p->preset;
    int base[2] = {sw_lab_plan_variant(p, "relu"), sw_lab_plan_variant(p, "gelu")};
    fprintf(f, "## 1. Perplexity at an equal parameter count\n\n");
    fprintf(f, "| variant | d_ff | FFN params / layer | params | final val loss (mean ± std) | perplexity | vs ReLU | Shazeer 2020 log-ppl |\n");
    fprintf(f, "|---|---|---|---|---|---|---|---|\n");
    double ours[16], theirs[16];
    size_t nsh = 0;
    for (size_t v = 0; v < p->n_variants; v++) {
        char ms[64], dr[96] = "-", sh[48] = "-";
        double fin[SW_LAB_MAX_SEEDS];
        size_t nf = finite_of(fin, vs[v].val, S);
        fmt_ms(ms, sizeof ms, fin, nf);
        if (base[0] >= 0 && (int)v != base[0] && nf) {
            double pval, d;
            sw_compare_lower(vs[v].val, vs[base[0]].val, S, ALPHA, &pval, &d);
            snprintf(dr, sizeof dr, "%+.4f (p %.2g)", d, pval);
        }
        int si = shazeer_find(p->variants[v].name);
        if (si >= 0) {
            snprintf(sh, sizeof sh, "%.3f (%.3f)", shazeer[si].mean, shazeer[si].std);
            if (nf) { ours[nsh] = sw_mean(fin, nf); theirs[nsh] = shazeer[si].mean; nsh++; }
        }
        fprintf(f, "| %s | %.0f | %.0f | %.0f | %s | %.3f | %s | %s |\n", p->variants[v].name, vs[v].d_ff, vs[v].ffn_params,
                vs[v].params, ms, nf ? exp(sw_mean(fin, nf)) : NAN, dr, sh);
    }
    if (nsh >= 2) {
        double tau = sw_kendall_tau(ours, theirs, nsh);
        fprintf(f, "\nOrdering against Shazeer's Table 1 over the %zu shared variants: Kendall's tau = %.2f "
                   "(1: the same order, 0: unrelated, -1: reversed). His numbers are log-perplexity of a T5-base "
                   "model on C4 after 65,536 steps; ours are nats per %s token of a model %s smaller trained for "
                   "%lld steps: compare orderings, not values.\n",
                nsh, tau, meta->tokens, "~10^3 x", pr->train.steps);
    }
    fprintf(f, "\n![validation loss](plots/loss.png)\n\n");

}

/* claim 2: spikes, jitter, flow, the learning-rate sweep */
static void report_stability(FILE *f, const sw_lab_plan *p, const vsum *vs)
{
    const size_t S = (size_t)p->n_seeds;
    const sw_lab_preset *pr = &p->preset;
    fprintf(f, "## 2. Gradient flow and stability\n\n| variant | loss spikes (sum over seeds) | gradient jitter (mean ± std) | gradient flow: log10 of first over last layer's gradient norm | largest lr that trains |\n|---|---|---|---|---|\n");
    for (size_t v = 0; v < p->n_variants; v++) {
        char ms[64], fl[64];
        double x[SW_LAB_MAX_SEEDS], sp = 0;
        fmt_ms(ms, sizeof ms, x, finite_of(x, vs[v].jitter, S));
        fmt_ms(fl, sizeof fl, x, finite_of(x, vs[v].flow, S));
        for (size_t s = 0; s < S; s++) sp += isfinite(vs[v].spikes[s]) ? vs[v].spikes[s] : 0;
        fprintf(f, "| %s | %.0f | %s | %s | %g |\n", p->variants[v].name, sp, ms, fl, vs[v].stable_lr);
    }
    fprintf(f, "\nLearning-rate sweep, seed 0, %lld steps each: final validation loss (— diverged or not run).\n\n| variant |", pr->sweep_steps);
    for (int r = 0; r < pr->n_rates; r++) fprintf(f, " lr %g |", pr->rates[r]);
    fprintf(f, "\n|---|");
    for (int r = 0; r < pr->n_rates; r++) fprintf(f, "---|");
    fprintf(f, "\n");
    for (size_t v = 0; v < p->n_variants; v++) {
        fprintf(f, "| %s |", p->variants[v].name);
        for (int r = 0; r < pr->n_rates; r++) {
            if (isfinite(vs[v].sweep[r])) fprintf(f, " %.4f |", vs[v].sweep[r]);
            else fprintf(f, " — |");
        }
        fprintf(f, "\n");
    }
    fprintf(f, "\n![gradient norm](plots/grad_norm.png)\n![gradient norm per layer](plots/grad_norm_layers.png)\n![learning-rate sweep](plots/lr_sweep.png)\n\n");

}

/* claim 3: dead units */
static void report_dead(FILE *f, const sw_lab_plan *p, const vsum *vs)
{
    fprintf(f, "## 3. Dead neurons\n\nA hidden unit is dead when |h| < 1e-6 for every token of the evaluation batch "
               "(h = act(gate) for gated FFNs, act(x W1) for plain ones).\n\n"
               "| variant | dead at init (worst layer, mean over seeds) | dead at end (worst layer and seed) | near-zero outputs at end (mean) |\n|---|---|---|---|\n");
    for (size_t v = 0; v < p->n_variants; v++)
        fprintf(f, "| %s | %.2f %% | %.2f %% | %.2f %% |\n", p->variants[v].name, 100 * vs[v].dead_init, 100 * vs[v].dead_end,
                100 * vs[v].zero_end);
    fprintf(f, "\n![dead units](plots/dead_units.png)\n\n");

}

/* claim 4: the expressivity task */
static void report_expressivity(FILE *f, const sw_lab_plan *p, const vsum *vs)
{
    const size_t S = (size_t)p->n_seeds;
    const sw_lab_preset *pr = &p->preset;
    fprintf(f, "## 4. Expressivity: a multiplicative task\n\nOne FFN layer (biases on, parameter-matched as above: "
               "%d inputs) learns t = sign(sum_k (a_k.x)(b_k.x)), k = 1..%d, for x ~ N(0, I) and fixed random "
               "directions a_k, b_k -- the sign of a random full-rank quadratic form -- on fresh samples each step "
               "(%d steps of %d), logistic loss, test accuracy on 4096 fixed samples. A gated unit multiplies two "
               "learned projections of x, so %d of them hold the form exactly; a plain unit is a ramp of one "
               "projection and must approximate it.\n\n| variant | test accuracy (mean ± std) |\n|---|---|\n",
            pr->ex_dim, pr->ex_dim, pr->ex_steps, pr->ex_batch, pr->ex_dim);
    for (size_t v = 0; v < p->n_variants; v++) {
        char ms[64];
        double x[SW_LAB_MAX_SEEDS];
        fmt_ms(ms, sizeof ms, x, finite_of(x, vs[v].acc, S));
        fprintf(f, "| %s | %s |\n", p->variants[v].name, ms);
    }
    fprintf(f, "\n![expressivity](plots/expressivity.png)\n\n");
}

static swiglu_status write_report(const sw_lab_plan *p, const char *out, const sw_lab_meta *meta, const vsum *vs,
                                  const sw_lab_claims *c, int plot_fails, char *err, size_t errcap)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/report.md", out);
    sw_atomic_file af;
    FILE *f = sw_atomic_open(&af, path, err, errcap);
    if (!f) return SWIGLU_ERR_IO;
    report_head(f, p, out, meta);
    report_verdicts(f, c, (size_t)p->n_seeds);
    report_perplexity(f, p, meta, vs);
    report_stability(f, p, vs);
    report_dead(f, p, vs);
    report_expressivity(f, p, vs);
    if (sw_lab_plan_variant(p, "swiglu-learned-beta") >= 0)
        fprintf(f, "## Learned beta\n\n![beta](plots/beta.png)\n\n");
    plot_fails += sw_lab_init_report(f, p, out, meta);   /* section 5 (init_report.c) */
    fprintf(f, "## Files\n\n`summary.csv` (every main run), `lr_sweep.csv`, `dead_units.csv`, `expressivity.csv`; "
               "per run under `runs/<id>/`: `steps.csv`, `evals.csv` (per-layer gradient norms, dead and near-zero "
               "fractions, gate statistics, beta), `metrics.jsonl`, `result.txt`. Plots in `plots/` as SVG and PNG%s.\n",
            plot_fails ? " (some plots failed: is gnuplot installed?)" : "");
    return sw_atomic_commit(&af, err, errcap);
}

swiglu_status sw_lab_report(const sw_lab_plan *p, const char *out, const sw_lab_meta *meta,
                            int verdicts[4], char *err, size_t errcap)
{
    vsum *vs = calloc(p->n_variants, sizeof *vs);
    if (!vs) { snprintf(err, errcap, "out of memory"); return SWIGLU_ERR_ALLOC; }
    collect(vs, p, out);
    int fails = make_plots(p, out, vs);
    sw_lab_claims c;
    sw_lab_decide(&c, p, vs);
    swiglu_status st = write_csvs(p, out, vs, err, errcap);
    if (st == SWIGLU_OK) st = write_report(p, out, meta, vs, &c, fails, err, errcap);
    if (verdicts)
        for (int i = 0; i < 4; i++) verdicts[i] = c.v[i];
    free(vs);
    return st;
}

int sw_lab_plot(const char *dir, const char *name, const char *body) { return plot(dir, name, body); }
