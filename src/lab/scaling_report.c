/* scaling_report.c -- the scaling preset's report (scaling_report.h).
 *
 * Legend: K sizes (z), V variants (v), S seeds (s), R sweep rates (k),
 * P = 2 rate policies (SW_RATE_OWN, SW_RATE_SHARED), B baselines (relu,
 * gelu: claim 1's). The gap is SwiGLU - baseline in final validation loss
 * (nats, lower is better: negative favours SwiGLU); its statistics and the
 * trend rule are scaling_stats.h's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "io/io_util.h"
#include "lab/claims.h"
#include "lab/csv.h"
#include "lab/run.h"
#include "lab/scaling.h"
#include "lab/scaling_report.h"
#include "lab/scaling_stats.h"
#include "lab/stats.h"

#define ALPHA SW_LAB_ALPHA
#define NB 2
static const char *const base_names[NB] = {"relu", "gelu"};
static const char *const pol_names[2] = {"own", "shared"};

typedef struct zdata {
    double N, x;                                       /* non-embedding parameters, log10 N */
    int seeds;                                         /* main seeds planned here */
    double loss[2][SW_LAB_MAX_VARIANTS][SW_LAB_MAX_SEEDS];   /* [P][V][S] NaN: missing or diverged */
    int done[2][SW_LAB_MAX_VARIANTS][SW_LAB_MAX_SEEDS];
    double rate[2][SW_LAB_MAX_VARIANTS];               /* the rate each policy gave (NaN: sweep not done) */
    double sweep[SW_LAB_MAX_VARIANTS][SW_LAB_MAX_RATES];
    int own[SW_LAB_MAX_VARIANTS], shared, sweep_missing;
    size_t runs, runs_done;
    double wall, left_s;                               /* wall seconds of its finished runs; core-seconds left */
    sw_gap gap[2][NB];                                 /* [P][B]; n = 0 when the baseline is not in the plan */
} zdata;

typedef struct sdata {
    const sw_lab_plan *p;
    const char *out;
    int sg, base[NB];                                  /* variant indices (-1: not in the plan) */
    zdata z[SW_LAB_MAX_SIZES];
    sw_trend trend[2][NB];
} sdata;

static void collect(sdata *d)
{
    const sw_lab_plan *p = d->p;
    const sw_lab_preset *pr = &p->preset;
    d->sg = sw_lab_plan_variant(p, "swiglu");
    for (int b = 0; b < NB; b++) d->base[b] = sw_lab_plan_variant(p, base_names[b]);
    for (int z = 0; z < pr->n_sizes; z++) {
        zdata *Z = &d->z[z];
        Z->N = sw_lab_size_params(&pr->sizes[z]);
        Z->x = log10(Z->N);
        for (int pol = 0; pol < 2; pol++)
            for (size_t v = 0; v < p->n_variants; v++) {
                Z->rate[pol][v] = NAN;
                for (int s = 0; s < SW_LAB_MAX_SEEDS; s++) Z->loss[pol][v][s] = NAN;
            }
        static double loss[SW_LAB_MAX_VARIANTS][SW_LAB_MAX_RATES];
        Z->sweep_missing = sw_lab_scale_rates(p, d->out, z, loss, Z->own, &Z->shared);
        memcpy(Z->sweep, loss, sizeof loss);
    }
    for (size_t i = 0; i < p->n_runs; i++) {
        const sw_lab_run *r = &p->runs[i];
        zdata *Z = &d->z[r->size];
        Z->runs++;
        int done = sw_lab_run_done(d->out, r);
        if (!done) { Z->left_s += sw_lab_plan_core_seconds(p, i, i + 1); }
        else {
            Z->runs_done++;
            double w = sw_lab_result_get(d->out, r->id, "wall_s");
            /* a shared run copied from its own run took no time of its own */
            if (isfinite(w) && isnan(sw_lab_result_get(d->out, r->id, "same_as"))) Z->wall += w;
        }
        if (r->kind != SW_RUN_SCALE) continue;
        if (r->seed + 1 > Z->seeds) Z->seeds = r->seed + 1;
        if (!done) continue;
        Z->done[r->policy][r->variant][r->seed] = 1;
        Z->loss[r->policy][r->variant][r->seed] = sw_lab_result_get(d->out, r->id, "final_val_loss");
        Z->rate[r->policy][r->variant] = sw_lab_result_get(d->out, r->id, "lr");
    }
    for (int pol = 0; pol < 2; pol++) {
        for (int z = 0; z < pr->n_sizes; z++) {
            zdata *Z = &d->z[z];
            sw_gap g[NB];
            int idx[NB], m = 0;
            for (int b = 0; b < NB; b++) {
                Z->gap[pol][b] = (sw_gap){0, NAN, NAN, NAN, NAN, NAN, 1, 1, SW_INCONCLUSIVE};
                if (d->sg < 0 || d->base[b] < 0 || !sw_lab_size_has(p, z, d->base[b]) || !sw_lab_size_has(p, z, d->sg)) continue;
                idx[m] = b;
                g[m++] = sw_gap_paired(Z->loss[pol][d->sg], Z->loss[pol][d->base[b]], (size_t)Z->seeds, ALPHA);
            }
            sw_gap_holm(g, (size_t)m, ALPHA);   /* over the size's baselines */
            for (int j = 0; j < m; j++) Z->gap[pol][idx[j]] = g[j];
        }
        for (int b = 0; b < NB; b++) {
            double x[SW_LAB_MAX_SIZES];
            sw_gap g[SW_LAB_MAX_SIZES];
            for (int z = 0; z < pr->n_sizes; z++) { x[z] = d->z[z].x; g[z] = d->z[z].gap[pol][b]; }
            d->trend[pol][b] = sw_trend_fit(x, g, (size_t)pr->n_sizes, ALPHA, SW_SCALING_DELTA);
        }
    }
}

static void size_name(char *b, size_t cap, const sw_lab_size *s)
{
    snprintf(b, cap, "D%d/L%d", s->d_model, s->n_layer);
}

static const char *vshort(sw_verdict v)
{
    return v == SW_HELD ? "SwiGLU better" : v == SW_NOT_HELD ? "SwiGLU worse" : "inconclusive";
}

/* ---- CSVs ---------------------------------------------------------------- */

static swiglu_status write_csvs(const sdata *d, char *err, size_t errcap)
{
    const sw_lab_plan *p = d->p;
    const sw_lab_preset *pr = &p->preset;
    char path[4300];
    sw_atomic_file af;
    FILE *f;
    snprintf(path, sizeof path, "%s/scaling_runs.csv", d->out);
    if (!(f = sw_atomic_open(&af, path, err, errcap))) return SWIGLU_ERR_IO;
    fprintf(f, "id,d_model,n_layer,N,variant,policy,seed,lr,status,final_val_loss,wall_s,fwd_flops_per_token\n");
    for (size_t i = 0; i < p->n_runs; i++) {
        const sw_lab_run *r = &p->runs[i];
        if (r->kind != SW_RUN_SCALE) continue;
        const sw_lab_size *s = &pr->sizes[r->size];
        int done = sw_lab_run_done(d->out, r);
        fprintf(f, "%s,%d,%d,%.0f,%s,%s,%d,%.6g,%s,%.6f,%.1f,%.0f\n", r->id, s->d_model, s->n_layer, d->z[r->size].N,
                p->variants[r->variant].name, pol_names[r->policy], r->seed,
                done ? sw_lab_result_get(d->out, r->id, "lr") : NAN, done ? "done" : "missing",
                done ? sw_lab_result_get(d->out, r->id, "final_val_loss") : NAN,
                done ? sw_lab_result_get(d->out, r->id, "wall_s") : NAN,
                sw_lab_size_flops(s, &p->variants[r->variant], pr->seq_len, SW_LAB_COST_VOCAB));
    }
    if (sw_atomic_commit(&af, err, errcap)) return SWIGLU_ERR_IO;

    snprintf(path, sizeof path, "%s/scaling_gaps.csv", d->out);
    if (!(f = sw_atomic_open(&af, path, err, errcap))) return SWIGLU_ERR_IO;
    fprintf(f, "policy,baseline,d_model,n_layer,N,pairs,gap,ci_lo,ci_hi,p,p_holm,verdict\n");
    for (int pol = 0; pol < 2; pol++)
        for (int b = 0; b < NB; b++)
            for (int z = 0; z < pr->n_sizes; z++) {
                const sw_gap *g = &d->z[z].gap[pol][b];
                fprintf(f, "%s,%s,%d,%d,%.0f,%zu,%.6f,%.6f,%.6f,%.4g,%.4g,%s\n", pol_names[pol], base_names[b],
                        pr->sizes[z].d_model, pr->sizes[z].n_layer, d->z[z].N, g->n, g->mean, g->lo, g->hi, g->p,
                        g->p_holm, sw_verdict_name(g->v));
            }
    if (sw_atomic_commit(&af, err, errcap)) return SWIGLU_ERR_IO;

    snprintf(path, sizeof path, "%s/scaling_trend.csv", d->out);
    if (!(f = sw_atomic_open(&af, path, err, errcap))) return SWIGLU_ERR_IO;
    fprintf(f, "policy,baseline,sizes,intercept,slope_per_decade,slope_lo,slope_hi,phi,verdict\n");
    for (int pol = 0; pol < 2; pol++)
        for (int b = 0; b < NB; b++) {
            const sw_trend *t = &d->trend[pol][b];
            fprintf(f, "%s,%s,%zu,%.6f,%.6f,%.6f,%.6f,%.4g,%s\n", pol_names[pol], base_names[b], t->k, t->a, t->b,
                    t->b_lo, t->b_hi, t->phi, sw_trend_name(t->v));
        }
    if (sw_atomic_commit(&af, err, errcap)) return SWIGLU_ERR_IO;

    snprintf(path, sizeof path, "%s/scaling_sweep.csv", d->out);
    if (!(f = sw_atomic_open(&af, path, err, errcap))) return SWIGLU_ERR_IO;
    fprintf(f, "d_model,n_layer,variant,lr,final_val_loss,own_best,shared\n");
    for (int z = 0; z < pr->n_sizes; z++)
        for (size_t v = 0; v < p->n_variants; v++) {
            if (!sw_lab_size_has(p, z, (int)v)) continue;
            for (int k = 0; k < pr->sizes[z].n_rates; k++)
                fprintf(f, "%d,%d,%s,%.6g,%.6f,%d,%d\n", pr->sizes[z].d_model, pr->sizes[z].n_layer, p->variants[v].name,
                        pr->sizes[z].rates[k], d->z[z].sweep[v][k], d->z[z].own[v] == k, d->z[z].shared == k);
        }
    return sw_atomic_commit(&af, err, errcap) ? SWIGLU_ERR_IO : SWIGLU_OK;
}

/* ---- plots --------------------------------------------------------------- */

/* gap_<policy>: the gap per size with its 95 % interval, per baseline, the
 * fitted line and its band */
static int plot_gap(const sdata *d, const char *dir, int pol)
{
    const sw_lab_preset *pr = &d->p->preset;
    char dat[4400], body[8192];
    snprintf(dat, sizeof dat, "%s/gap_%s.dat", dir, pol_names[pol]);
    sw_atomic_file af;
    FILE *f = sw_atomic_open(&af, dat, NULL, 0);
    if (!f) return 1;
    for (int b = 0; b < NB; b++) {   /* index 2b: points N gap lo hi; 2b+1: the band N fit lo hi */
        fprintf(f, "# %s: N gap ci_lo ci_hi\n", base_names[b]);
        for (int z = 0; z < pr->n_sizes; z++) {
            const sw_gap *g = &d->z[z].gap[pol][b];
            if (g->n) fprintf(f, "%.0f %.6g %.6g %.6g\n", d->z[z].N, g->mean, isfinite(g->lo) ? g->lo : g->mean,
                              isfinite(g->hi) ? g->hi : g->mean);
        }
        fprintf(f, "\n\n# %s: the fit and its band\n", base_names[b]);
        const sw_trend *t = &d->trend[pol][b];
        if (t->sxx > 0)
            for (int i = 0; i <= 40; i++) {
                double x = t->x_min + (t->x_max - t->x_min) * i / 40.0, fit, lo, hi;
                sw_trend_band(t, x, &fit, &lo, &hi);
                fprintf(f, "%.6g %.6g %.6g %.6g\n", pow(10, x), fit, lo, hi);
            }
        else fprintf(f, "nan nan nan nan\n");
        fprintf(f, "\n\n");
    }
    if (sw_atomic_commit(&af, NULL, 0) != SWIGLU_OK) return 1;
    snprintf(body, sizeof body,
             "set title 'SwiGLU - baseline, final validation loss (%s rates): 95%% intervals, WLS fit and band'\n"
             "set xlabel 'non-embedding parameters N'\nset ylabel 'gap (nats; < 0: SwiGLU better)'\nset logscale x\n"
             "set style fill transparent solid 0.2 noborder\nset xzeroaxis lt -1\n"
             "plot '%s' index 1 using 1:3:4 with filledcurves lc 1 notitle, '' index 1 using 1:2 with lines lw 2 lc 1 title 'relu fit', "
             "'' index 0 using 1:2:3:4 with yerrorbars pt 7 lc 1 title 'relu', "
             "'' index 3 using 1:3:4 with filledcurves lc 2 notitle, '' index 3 using 1:2 with lines lw 2 lc 2 title 'gelu fit', "
             "'' index 2 using 1:2:3:4 with yerrorbars pt 5 lc 2 title 'gelu'",
             pol_names[pol], dat);
    char name[32];
    snprintf(name, sizeof name, "gap_%s", pol_names[pol]);
    return sw_lab_plot(dir, name, body) != 0;
}

/* lr_<size>: each variant's sweep; loss_<size>: validation loss against
 * tokens, mean over seeds, at the own rates */
static int plot_size(const sdata *d, const char *dir, int z)
{
    const sw_lab_plan *p = d->p;
    const sw_lab_preset *pr = &p->preset;
    const sw_lab_size *s = &pr->sizes[z];
    char dat[4400], body[8192], names[1024] = "", tag[32];
    snprintf(tag, sizeof tag, "d%dl%d", s->d_model, s->n_layer);
    int fails = 0, nv = 0;
    size_t k = 0;
    int vids[SW_LAB_MAX_VARIANTS];
    for (size_t v = 0; v < p->n_variants; v++)
        if (sw_lab_size_has(p, z, (int)v)) {
            vids[nv++] = (int)v;
            k += (size_t)snprintf(names + k, sizeof names - k, "%s%s", k ? " " : "", p->variants[v].name);
        }
    sw_atomic_file af;
    snprintf(dat, sizeof dat, "%s/lr_%s.dat", dir, tag);
    FILE *f = sw_atomic_open(&af, dat, NULL, 0);
    if (f) {
        for (int i = 0; i < nv; i++) {
            fprintf(f, "# %s\n", p->variants[vids[i]].name);
            for (int r = 0; r < s->n_rates; r++) fprintf(f, "%g %.6g\n", s->rates[r], d->z[z].sweep[vids[i]][r]);
            fprintf(f, "\n\n");
        }
        fails += sw_atomic_commit(&af, NULL, 0) != SWIGLU_OK;
    }
    snprintf(body, sizeof body,
             "names = '%s'\nset title '%s: learning-rate sweep (selection seed, 1/%d of the tokens); gaps: diverged'\n"
             "set xlabel 'peak learning rate'\nset ylabel 'final validation loss'\nset logscale x\n"
             "plot for [i=0:%d] '%s' index i using 1:2 with linespoints lw 2 pt i+1 lc i+1 title word(names, i+1)",
             names, tag, pr->sweep_div, nv - 1, dat);
    char name[48];
    snprintf(name, sizeof name, "lr_%s", tag);
    fails += sw_lab_plot(dir, name, body) != 0;

    snprintf(dat, sizeof dat, "%s/loss_%s.dat", dir, tag);
    f = sw_atomic_open(&af, dat, NULL, 0);
    if (f) {
        double tok_step = (double)pr->train.batch * pr->seq_len;
        for (int i = 0; i < nv; i++) {
            fprintf(f, "# %s: tokens mean_val_loss\n", p->variants[vids[i]].name);
            sw_csv t[SW_LAB_MAX_SEEDS];
            int ns = 0;
            size_t rows = 0;
            for (int sd = 0; sd < d->z[z].seeds; sd++) {
                char id[64], path[4400];
                sw_lab_scale_id(id, sizeof id, p, SW_RUN_SCALE, z, vids[i], sd, 0, SW_RATE_OWN);
                snprintf(path, sizeof path, "%s/runs/%s/evals.csv", d->out, id);
                if (!d->z[z].done[SW_RATE_OWN][vids[i]][sd] || sw_csv_read(&t[ns], path)) continue;
                if (!ns || t[ns].rows < rows) rows = t[ns].rows;
                ns++;
            }
            for (size_t r = 0; r < rows; r++) {
                double m = 0;
                int c = 0;
                for (int j = 0; j < ns; j++) {
                    int cv = sw_csv_col(&t[j], "val_loss");
                    if (cv >= 0) { m += sw_csv_at(&t[j], r, cv); c++; }
                }
                fprintf(f, "%.6g %.6g\n", sw_csv_at(&t[0], r, 0) * tok_step, c ? m / c : NAN);
            }
            for (int j = 0; j < ns; j++) sw_csv_free(&t[j]);
            fprintf(f, "\n\n");
        }
        fails += sw_atomic_commit(&af, NULL, 0) != SWIGLU_OK;
    }
    snprintf(body, sizeof body,
             "names = '%s'\nset title '%s: validation loss, mean over seeds (own rates)'\n"
             "set xlabel 'tokens'\nset ylabel 'loss'\n"
             "plot for [i=0:%d] '%s' index i using 1:2 with lines lw 2 lc i+1 title word(names, i+1)",
             names, tag, nv - 1, dat);
    snprintf(name, sizeof name, "loss_%s", tag);
    fails += sw_lab_plot(dir, name, body) != 0;
    return fails;
}

/* ---- report.md ------------------------------------------------------------ */

static void fmt_core(char *b, size_t cap, double s)
{
    if (s < 3600) snprintf(b, cap, "%.0f core-min", s / 60);
    else snprintf(b, cap, "%.0f core-h", s / 3600);
}

static void report_head(FILE *f, const sdata *d, const sw_lab_meta *meta)
{
    const sw_lab_plan *p = d->p;
    const sw_lab_preset *pr = &p->preset;
    size_t done = 0;
    double wall = 0;
    for (int z = 0; z < pr->n_sizes; z++) { done += d->z[z].runs_done; wall += d->z[z].wall; }
    time_t now = time(NULL);
    char date[64];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    fprintf(f, "# swiglu compare: %s, preset %s (the scaling study)\n\n", meta->corpus, pr->name);
    if (strcmp(pr->name, "scaling"))
        fprintf(f, "> **Smoke test** (preset %s: models of a few thousand parameters trained for seconds, to exercise "
                   "the machinery): the gaps and verdicts below say nothing about the variants.\n\n", pr->name);
    fprintf(f, "%s. Command: `%s`. Kernels: %s; %d run%s at a time, %d thread%s each. Runs finished: %zu of %zu. "
               "Wall time of the finished runs: %.0f s (summed over runs); of this invocation: %.0f s.\n\n",
            date, meta->command, meta->isa, meta->jobs, meta->jobs > 1 ? "s" : "", meta->threads,
            meta->threads > 1 ? "s" : "", done, p->n_runs, wall, meta->wall_s);
    fprintf(f, "The same LLaMA-style decoder at %d sizes, each trained on %g tokens per non-embedding parameter N "
               "(context %d, batches of %d x %d tokens, %s-level tokens, V %d; AdamW (0.9, %.3g), weight decay %.2g, "
               "clip %.2g, 5 %% warmup, cosine to a tenth of the peak rate; init %s). Parameter-matched FFNs at every "
               "size (d_ff 4 D plain, int(8 D / 3) gated). Per size and variant a learning-rate sweep (%d rates, 1/%d "
               "of the tokens, seed %d, which no main run uses) picks the rates: **own** = each variant's best sweep "
               "rate, **shared** = one rate for every variant of the size, the one whose largest regret over the "
               "variants is least. Every main run is made at both. Seeds pair the variants (data order and init "
               "stream).\n\n",
            pr->n_sizes, pr->tokens_per_param, pr->seq_len, pr->train.batch, pr->seq_len, meta->tokens, meta->vocab,
            (double)pr->train.beta2, (double)pr->train.weight_decay, (double)pr->train.grad_clip, p->inits[0].name,
            pr->sizes[0].n_rates, pr->sweep_div, SW_LAB_SELECT_SEED);
    fprintf(f, "| size | N | tokens | steps | variants | seeds | runs done | wall (s) | unfinished: cost |\n"
               "|---|---|---|---|---|---|---|---|---|\n");
    double left = 0;
    for (int z = 0; z < pr->n_sizes; z++) {
        const sw_lab_size *s = &pr->sizes[z];
        const zdata *Z = &d->z[z];
        char sn[32], lc[48] = "none";
        size_name(sn, sizeof sn, s);
        int nv = 0;
        for (size_t v = 0; v < p->n_variants; v++) nv += sw_lab_size_has(p, z, (int)v);
        if (Z->runs_done < Z->runs) {
            char c[32];
            fmt_core(c, sizeof c, Z->left_s);
            snprintf(lc, sizeof lc, "%zu runs: %s", Z->runs - Z->runs_done, c);
        }
        left += Z->left_s;
        fprintf(f, "| %s | %.0f | %.0f | %lld | %d | %d | %zu of %zu | %.0f | %s |\n", sn, Z->N,
                (double)s->steps * pr->train.batch * pr->seq_len, s->steps, nv, Z->seeds, Z->runs_done, Z->runs, Z->wall, lc);
    }
    if (left > 0)
        fprintf(f, "\n**Unfinished:** %.0f core-hours by the plan's estimate (%.2g training FLOP/s a core, this "
                   "machine's; an upper bound: shared-rate runs at their own run's rate are copied, not run): "
                   "~%.1f days on 2 cores, ~%.1f h on 64 cores, ~%.1f h on 512 (runs spread whole: `--slurm`, "
                   "`mpirun`, docs/CLUSTER.md; the largest size's longest run alone takes ~%.0f h on one core). "
                   "The verdicts below cover the finished runs only.\n",
                left / 3600, SW_LAB_CORE_FLOPS, left / 86400 / 2, left / 3600 / 64, left / 3600 / 512,
                3 * sw_lab_size_flops(&pr->sizes[pr->n_sizes - 1], sw_lab_variant_find("relu"), pr->seq_len,
                                      SW_LAB_COST_VOCAB) * (double)pr->sizes[pr->n_sizes - 1].steps * pr->train.batch *
                    pr->seq_len / SW_LAB_CORE_FLOPS / 3600);
    fprintf(f, "\n");
}

static void report_trend(FILE *f, const sdata *d)
{
    const sw_lab_preset *pr = &d->p->preset;
    fprintf(f, "## The gap against model size\n\n");
    fprintf(f, "| rates | baseline | sizes | slope (nats per decade of N) [95 %% CI] | fitted gap at the smallest / "
               "largest size [95 %% band] | trend |\n|---|---|---|---|---|---|\n");
    for (int pol = 0; pol < 2; pol++)
        for (int b = 0; b < NB; b++) {
            const sw_trend *t = &d->trend[pol][b];
            if (d->base[b] < 0) continue;
            if (!(t->sxx > 0)) {
                fprintf(f, "| %s | %s | %zu | - | - | **inconclusive** (fewer than 2 sizes with 2 seeds) |\n",
                        pol_names[pol], base_names[b], t->k);
                continue;
            }
            double f0, l0, h0, f1, l1, h1;
            sw_trend_band(t, t->x_min, &f0, &l0, &h0);
            sw_trend_band(t, t->x_max, &f1, &l1, &h1);
            fprintf(f, "| %s | %s | %zu | %+.4f [%+.4f, %+.4f] | %+.4f [%+.4f, %+.4f] / %+.4f [%+.4f, %+.4f] | **%s** |\n",
                    pol_names[pol], base_names[b], t->k, t->b, t->b_lo, t->b_hi, f0, l0, h0, f1, l1, h1,
                    sw_trend_name(t->v));
        }
    fprintf(f, "\n![gap, own rates](plots/gap_own.png)\n![gap, shared rate](plots/gap_shared.png)\n\n");
    fprintf(f, "The gap is SwiGLU's final validation loss minus the baseline's, paired by seed (negative: SwiGLU "
               "better). The line is a weighted least-squares fit of the per-size mean gaps on log10 N, weights "
               "1 / se^2; its uncertainty is the seeds' (se) or, when larger, the sizes' scatter about the line; "
               "intervals use Student's t with sizes - 2 degrees of freedom. **Trend rule** (alpha %.2g): *widens* "
               "when the slope's 95 %% interval excludes 0 and the slope moves the gap away from 0 (its sign is "
               "the fitted gap's at the largest size), *narrows* when it excludes 0 the other way, *flat* when the "
               "whole interval lies within +-%.2g nats per decade, *inconclusive* otherwise or with fewer than 3 "
               "sizes. Over 2000 synthetic studies without a trend, shaped like this plan (5 sizes, 5/5/5/3/3 "
               "seeds), the rule claims one 2.8 %% of the time (tests/test_lab_scaling.c).\n\n",
            ALPHA, SW_SCALING_DELTA);
    (void)pr;
}

static void report_sizes(FILE *f, const sdata *d)
{
    const sw_lab_plan *p = d->p;
    const sw_lab_preset *pr = &p->preset;
    fprintf(f, "## Per size\n\n| size | N | rates | baseline | pairs | gap [95 %% CI] | p | p (Holm) | verdict |\n"
               "|---|---|---|---|---|---|---|---|---|\n");
    for (int z = 0; z < pr->n_sizes; z++)
        for (int pol = 0; pol < 2; pol++)
            for (int b = 0; b < NB; b++) {
                const sw_gap *g = &d->z[z].gap[pol][b];
                if (d->base[b] < 0 || d->sg < 0) continue;
                char sn[32];
                size_name(sn, sizeof sn, &pr->sizes[z]);
                if (g->n < 2) {
                    fprintf(f, "| %s | %.0f | %s | %s | %zu | - | - | - | inconclusive (fewer than 2 pairs) |\n", sn,
                            d->z[z].N, pol_names[pol], base_names[b], g->n);
                    continue;
                }
                fprintf(f, "| %s | %.0f | %s | %s | %zu | %+.4f [%+.4f, %+.4f] | %.3g | %.3g | **%s** |\n", sn, d->z[z].N,
                        pol_names[pol], base_names[b], g->n, g->mean, g->lo, g->hi, g->p, g->p_holm, vshort(g->v));
            }
    fprintf(f, "\nPer size and rate policy, SwiGLU against each baseline: the paired t-test over seeds, its p "
               "adjusted by Holm over the size's baselines; *SwiGLU better* (worse) when the adjusted p < %.2g.\n\n",
            ALPHA);
    /* every variant's mean loss per size and policy */
    fprintf(f, "Mean final validation loss over seeds (own rate / shared rate; the rate each gave; - : not run yet):\n\n| variant |");
    for (int z = 0; z < pr->n_sizes; z++) { char sn[32]; size_name(sn, sizeof sn, &pr->sizes[z]); fprintf(f, " %s |", sn); }
    fprintf(f, "\n|---|");
    for (int z = 0; z < pr->n_sizes; z++) fprintf(f, "---|");
    fprintf(f, "\n");
    for (size_t v = 0; v < p->n_variants; v++) {
        fprintf(f, "| %s |", p->variants[v].name);
        for (int z = 0; z < pr->n_sizes; z++) {
            if (!sw_lab_size_has(p, z, (int)v)) { fprintf(f, " |"); continue; }
            double m[2];
            for (int pol = 0; pol < 2; pol++) {
                double x[SW_LAB_MAX_SEEDS];
                size_t n = 0;
                for (int s = 0; s < d->z[z].seeds; s++)
                    if (isfinite(d->z[z].loss[pol][v][s])) x[n++] = d->z[z].loss[pol][v][s];
                m[pol] = n ? sw_mean(x, n) : NAN;
            }
            if (isnan(m[0]) && isnan(m[1]) && isnan(d->z[z].rate[0][v])) { fprintf(f, " - |"); continue; }   /* nothing run yet */
            fprintf(f, " %.4f / %.4f (%.2g / %.2g) |", m[0], m[1], d->z[z].rate[0][v], d->z[z].rate[1][v]);
        }
        fprintf(f, "\n");
    }
    fprintf(f, "\n");
}

static void report_sweep(FILE *f, const sdata *d)
{
    const sw_lab_plan *p = d->p;
    const sw_lab_preset *pr = &p->preset;
    fprintf(f, "## Learning rates\n\n| size | variant | sweep: final validation loss per rate | own best | note |\n|---|---|---|---|---|\n");
    int edge = 0;
    for (int z = 0; z < pr->n_sizes; z++) {
        const sw_lab_size *s = &pr->sizes[z];
        char sn[32];
        size_name(sn, sizeof sn, s);
        for (size_t v = 0; v < p->n_variants; v++) {
            if (!sw_lab_size_has(p, z, (int)v)) continue;
            char cells[512], note[64] = "";
            size_t k = 0;
            int done = 0;
            for (int r = 0; r < s->n_rates; r++) {
                int have = sw_lab_sweep_done(p, d->out, z, (int)v, r);   /* NaN in sweep[][]: diverged, or not run yet */
                done += have;
                if (have) k += (size_t)snprintf(cells + k, sizeof cells - k, "%s%.3g: %.4f", r ? ", " : "", s->rates[r], d->z[z].sweep[v][r]);
                else k += (size_t)snprintf(cells + k, sizeof cells - k, "%s%.3g: -", r ? ", " : "", s->rates[r]);
            }
            /* a best rate is named only once the variant's whole grid has run (the runs use it then) */
            int o = done == s->n_rates ? d->z[z].own[v] : -1;
            if (o == 0 || o == s->n_rates - 1) { snprintf(note, sizeof note, "at the grid's edge"); edge++; }
            if (done < s->n_rates) snprintf(note, sizeof note, "sweep unfinished (%d of %d rates)", done, s->n_rates);
            else if (o < 0) snprintf(note, sizeof note, "every rate diverged");
            char ob[32] = "-";
            if (o >= 0) snprintf(ob, sizeof ob, "%.3g", s->rates[o]);
            fprintf(f, "| %s | %s | %s | %s | %s |\n", sn, p->variants[v].name, cells, ob, note);
        }
    }
    fprintf(f, "\nShared rate per size:");
    for (int z = 0; z < pr->n_sizes; z++) {
        char sn[32];
        size_name(sn, sizeof sn, &pr->sizes[z]);
        if (d->z[z].sweep_missing) fprintf(f, " %s: (sweep unfinished);", sn);
        else fprintf(f, " %s: %.3g;", sn, pr->sizes[z].rates[d->z[z].shared]);
    }
    fprintf(f, "\n\n");
    if (edge)
        fprintf(f, "%d variant-size best rate%s at the edge of the sweep's grid: the true best may lie outside it, "
                   "and the own-rate comparison there is less fair than elsewhere.\n\n", edge, edge > 1 ? "s are" : " is");
    fprintf(f, "The sweep trains 1/%d of the main runs' tokens, so it may favour larger rates than the full runs "
               "would; it uses seed %d, so the main runs' seeds do not select their own rates.\n\n", pr->sweep_div,
            SW_LAB_SELECT_SEED);
    for (int z = 0; z < pr->n_sizes; z++) {
        char tag[32];
        snprintf(tag, sizeof tag, "d%dl%d", pr->sizes[z].d_model, pr->sizes[z].n_layer);
        fprintf(f, "![sweep %s](plots/lr_%s.png) ![loss %s](plots/loss_%s.png)\n", tag, tag, tag, tag);
    }
    fprintf(f, "\n");
}

static void report_flops(FILE *f, const sdata *d)
{
    const sw_lab_plan *p = d->p;
    const sw_lab_preset *pr = &p->preset;
    fprintf(f, "## Compute: FLOPs per token\n\nForward FLOPs per token (training: 3x), V %d assumed "
               "(2 L (4 D^2 + FFN weights) + 2 L D (T + 1) + 2 D V; the activations' elementwise work, O(d_ff) a "
               "token, left out), and each variant's ratio to ReLU:\n\n| variant |", SW_LAB_COST_VOCAB);
    for (int z = 0; z < pr->n_sizes; z++) { char sn[32]; size_name(sn, sizeof sn, &pr->sizes[z]); fprintf(f, " %s |", sn); }
    fprintf(f, "\n|---|");
    for (int z = 0; z < pr->n_sizes; z++) fprintf(f, "---|");
    fprintf(f, "\n");
    const sw_lab_variant *relu = sw_lab_variant_find("relu");
    double worst = 0;
    for (size_t v = 0; v < p->n_variants; v++) {
        fprintf(f, "| %s |", p->variants[v].name);
        for (int z = 0; z < pr->n_sizes; z++) {
            double fl = sw_lab_size_flops(&pr->sizes[z], &p->variants[v], pr->seq_len, SW_LAB_COST_VOCAB);
            double r = fl / sw_lab_size_flops(&pr->sizes[z], relu, pr->seq_len, SW_LAB_COST_VOCAB);
            if (fabs(r - 1) > worst) worst = fabs(r - 1);
            if (sw_lab_size_has(p, z, (int)v)) fprintf(f, " %.4gM (%.4f) |", fl / 1e6, r);
            else fprintf(f, " |");
        }
        fprintf(f, "\n");
    }
    fprintf(f, "\nAt equal parameters the variants' FLOPs per token differ by at most %.2g %% here (the gated "
               "d_ff int(8 D / 3) rounds down), so the parameter-matched comparison is also compute-matched to "
               "that precision: every variant of a size sees the same tokens.\n\n", 100 * worst);
}

static void report_plain(FILE *f, const sdata *d, const sw_lab_meta *meta)
{
    const sw_lab_preset *pr = &d->p->preset;
    fprintf(f, "## What the data say, and what they cannot\n\n");
    double nmin = d->z[0].N, nmax = d->z[pr->n_sizes - 1].N;
    for (int pol = 0; pol < 2; pol++)
        for (int b = 0; b < NB; b++) {
            const sw_trend *t = &d->trend[pol][b];
            if (d->base[b] < 0 || d->sg < 0) continue;
            int better = 0, worse = 0, tested = 0;
            for (int z = 0; z < pr->n_sizes; z++) {
                const sw_gap *g = &d->z[z].gap[pol][b];
                if (g->n < 2) continue;
                tested++;
                better += g->v == SW_HELD;
                worse += g->v == SW_NOT_HELD;
            }
            fprintf(f, "- **%s rates, against %s**: SwiGLU is better at %d and worse at %d of the %d sizes with "
                       "at least two paired seeds; ", pol_names[pol], base_names[b], better, worse, tested);
            if (!(t->sxx > 0)) fprintf(f, "too few sizes for a trend.\n");
            else if (t->v == SW_TREND_WIDENS || t->v == SW_TREND_NARROWS)
                fprintf(f, "the gap **%s** with size (%+.4f nats per decade of N, 95 %% CI [%+.4f, %+.4f]), %s.\n",
                        sw_trend_name(t->v), t->b, t->b_lo, t->b_hi,
                        (t->a + t->b * t->x_max < 0) ? "the fitted gap at the largest size favouring SwiGLU"
                                                     : "the fitted gap at the largest size favouring the baseline");
            else if (t->v == SW_TREND_FLAT)
                fprintf(f, "the gap is **flat** with size (slope within +-%.2g nats per decade: [%+.4f, %+.4f]).\n",
                        SW_SCALING_DELTA, t->b_lo, t->b_hi);
            else
                fprintf(f, "the trend is **inconclusive** (slope %+.4f nats per decade, 95 %% CI [%+.4f, %+.4f]: "
                           "neither excludes 0 nor fits within +-%.2g).\n", t->b, t->b_lo, t->b_hi, SW_SCALING_DELTA);
        }
    fprintf(f, "\nWhat this cannot say: anything outside N %.3g..%.3g (a line in log N fitted over %d sizes is not a "
               "law; extrapolating it to LLaMA's billions is a guess), about other budgets than %g tokens per "
               "parameter (Shazeer's T5 runs saw ~%s), other data than %s at this tokenization, or other "
               "hyperparameters than these (one init, one schedule shape, a %d-rate grid per size). A per-size "
               "verdict with 3 to 5 seeds can only see gaps of a few seed standard deviations; *inconclusive* "
               "there means not shown, not absent. The two rate policies answer different questions: *own* asks "
               "which FFN is better when each is tuned, *shared* which is better at one rate tuned for all "
               "(as Shazeer compared them); where they disagree, the rate, not the FFN, drives the gap.\n\n",
            nmin, nmax, pr->n_sizes, pr->tokens_per_param,
            "4.3B tokens (65,536 steps of 128 x 512) for T5-base's ~220M parameters, ~20 per parameter, at 20 to "
            "2000 times these models' size",
            meta->corpus, pr->sizes[0].n_rates);
}

swiglu_status sw_lab_scaling_report(const sw_lab_plan *p, const char *out_dir, const sw_lab_meta *meta,
                                    char *summary, size_t sumcap, char *err, size_t errcap)
{
    sdata *d = calloc(1, sizeof *d);
    if (!d) { snprintf(err, errcap, "out of memory"); return SWIGLU_ERR_ALLOC; }
    d->p = p;
    d->out = out_dir;
    collect(d);
    char dir[4300];
    snprintf(dir, sizeof dir, "%s/plots", out_dir);
    mkdir(dir, 0755);
    int fails = 0;
    for (int pol = 0; pol < 2; pol++) fails += plot_gap(d, dir, pol);
    for (int z = 0; z < p->preset.n_sizes; z++) fails += plot_size(d, dir, z);
    swiglu_status st = write_csvs(d, err, errcap);
    if (st == SWIGLU_OK) {
        char path[4300];
        snprintf(path, sizeof path, "%s/report.md", out_dir);
        sw_atomic_file af;
        FILE *f = sw_atomic_open(&af, path, err, errcap);
        if (!f) st = SWIGLU_ERR_IO;
        else {
            report_head(f, d, meta);
            report_trend(f, d);
            report_sizes(f, d);
            report_sweep(f, d);
            report_flops(f, d);
            report_plain(f, d, meta);
            fprintf(f, "## Files\n\n`scaling_runs.csv` (every main run: size, variant, policy, seed, rate, loss, wall "
                       "time, FLOPs per token), `scaling_gaps.csv` (per size, policy and baseline), `scaling_trend.csv`, "
                       "`scaling_sweep.csv`; per run under `runs/<id>/`: `steps.csv`, `evals.csv`, `metrics.jsonl`, "
                       "`result.txt` (a shared-rate run copied from its own-rate run says `same_as=`). Plots in "
                       "`plots/` as SVG and PNG%s.\n", fails ? " (some plots failed: is gnuplot installed?)" : "");
            st = sw_atomic_commit(&af, err, errcap);
        }
    }
    if (summary) {
        size_t k = 0;
        summary[0] = 0;
        for (int pol = 0; pol < 2; pol++)
            for (int b = 0; b < NB; b++)
                if (d->base[b] >= 0 && k < sumcap)
                    k += (size_t)snprintf(summary + k, sumcap - k, "%s%s rates vs %s: %s", k ? "; " : "", pol_names[pol],
                                          base_names[b], sw_trend_name(d->trend[pol][b].v));
    }
    free(d);
    return st;
}
