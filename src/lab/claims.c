/* claims.c -- see claims.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lab/claims.h"
#include "lab/stats.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *w, size_t n)
{
    qsort(w, n, sizeof *w, cmp_double);
    return n % 2 ? w[n / 2] : 0.5 * (w[n / 2 - 1] + w[n / 2]);
}

void sw_lab_step_metrics(const double *step, const double *loss, const double *grad_norm, size_t rows,
                         long long warmup, double *spikes, double *jitter)
{
    double w[50], dev[50], jsum = 0;
    size_t jn = 0;
    int sp = 0;
    for (size_t r = 0; r < rows; r++) {
        if (step[r] <= (double)warmup) continue;
        if (r >= 50) {
            memcpy(w, loss + r - 50, sizeof w);
            double med = median(w, 50);
            for (int k = 0; k < 50; k++) dev[k] = fabs(w[k] - med);
            double mad = median(dev, 50);
            double thr = fmax(0.3, 5 * 1.4826 * mad);
            if (loss[r] - med > thr) sp++;
        }
        if (r > 0 && grad_norm[r - 1] > 0 && grad_norm[r] > 0) {
            jsum += fabs(log(grad_norm[r]) - log(grad_norm[r - 1]));
            jn++;
        }
    }
    *spikes = sp;
    *jitter = jn ? jsum / (double)jn : NAN;
}

void sw_lab_stable_rates(sw_lab_summary *vs, size_t n, const double *rates, int n_rates)
{
    double best = INFINITY;
    for (size_t v = 0; v < n; v++)
        for (int k = 0; k < n_rates; k++)
            if (isfinite(vs[v].sweep[k])) best = fmin(best, vs[v].sweep[k]);
    for (size_t v = 0; v < n; v++) {
        vs[v].stable_lr = 0;
        for (int k = 0; k < n_rates; k++)
            if (isfinite(vs[v].sweep[k]) && vs[v].sweep[k] <= 1.25 * best)
                vs[v].stable_lr = fmax(vs[v].stable_lr, rates[k]);
    }
}

/* claim 1: final validation loss, paired over seeds */
static sw_verdict claim_loss(char *l, size_t cap, const sw_lab_plan *p, const sw_lab_summary *vs, int cand,
                             const int base[2])
{
    const size_t S = (size_t)p->n_seeds;
    sw_verdict vv[2];
    size_t nb = 0, k = 0;
    k += (size_t)snprintf(l + k, cap - k, "SwiGLU's final validation loss");
    for (int b = 0; b < 2; b++) {
        if (base[b] < 0) continue;
        double pval, d;
        vv[nb++] = sw_compare_lower(vs[cand].val, vs[base[b]].val, S, SW_LAB_ALPHA, &pval, &d);
        k += (size_t)snprintf(l + k, cap - k, "%s %+.4f vs %s (paired t-test p = %.3g)", nb > 1 ? ";" : "", d,
                              p->variants[base[b]].name, pval);
    }
    snprintf(l + k, cap - k, ", %zu seed%s", S, S > 1 ? "s" : "");
    return sw_verdict_all(vv, nb);
}

static double spike_sum(const sw_lab_summary *s, size_t S)
{
    double t = 0;
    for (size_t i = 0; i < S; i++) t += s->spikes[i];
    return t;
}

/* claim 2: stability, from the largest stable rate, the spikes and the jitter */
static sw_verdict claim_stability(char *l, size_t cap, const sw_lab_plan *p, const sw_lab_summary *vs, int cand,
                                  const int base[2])
{
    const size_t S = (size_t)p->n_seeds;
    int lr_sign = 1, sp_sign = 1, sm_sign = 0;
    sw_verdict sm[2];
    size_t nb = 0;
    double csp = spike_sum(&vs[cand], S);
    for (int b = 0; b < 2; b++) {
        if (base[b] < 0) continue;
        if (vs[cand].stable_lr < vs[base[b]].stable_lr) lr_sign = -1;
        else if (vs[cand].stable_lr == vs[base[b]].stable_lr && lr_sign > 0) lr_sign = 0;
        double bsp = spike_sum(&vs[base[b]], S);
        if (csp > bsp) sp_sign = -1;
        else if (csp == bsp && sp_sign > 0) sp_sign = 0;
        sm[nb++] = sw_compare_lower(vs[cand].jitter, vs[base[b]].jitter, S, SW_LAB_ALPHA, NULL, NULL);
    }
    sw_verdict smv = sw_verdict_all(sm, nb);
    sm_sign = smv == SW_HELD ? 1 : smv == SW_NOT_HELD ? -1 : 0;
    size_t k = (size_t)snprintf(l, cap, "largest learning rate that trains: SwiGLU %g", vs[cand].stable_lr);
    for (int b = 0; b < 2; b++)
        if (base[b] >= 0) k += (size_t)snprintf(l + k, cap - k, ", %s %g", p->variants[base[b]].name, vs[base[b]].stable_lr);
    k += (size_t)snprintf(l + k, cap - k, "; loss spikes over seeds: SwiGLU %.0f", csp);
    for (int b = 0; b < 2; b++)
        if (base[b] >= 0)
            k += (size_t)snprintf(l + k, cap - k, ", %s %.0f", p->variants[base[b]].name, spike_sum(&vs[base[b]], S));
    /* jitter, baseline by baseline (the verdict needs both) */
    k += (size_t)snprintf(l + k, cap - k, "; gradient-norm jitter, paired over seeds:");
    for (int b = 0, j = 0; b < 2; b++) {
        if (base[b] < 0) continue;
        const sw_verdict w = sm[j++];
        k += (size_t)snprintf(l + k, cap - k, "%s SwiGLU %s %s", j > 1 ? "," : "",
                              w == SW_HELD ? "smoother than" : w == SW_NOT_HELD ? "rougher than" : "level with",
                              p->variants[base[b]].name);
        if (k >= cap) k = cap - 1;
    }
    return sw_verdict_stability(lr_sign, sp_sign, sm_sign);
}

/* claim 3: dead units at the end of training */
static sw_verdict claim_dead(char *l, size_t cap, const sw_lab_summary *vs, int cand, int relu)
{
    snprintf(l, cap, "SwiGLU's worst layer has %.2f %% dead units at the end (at init %.2f %%)",
             100 * vs[cand].dead_end, 100 * vs[cand].dead_init);
    if (relu >= 0 && vs[relu].seeds_done) {
        size_t k = strlen(l);
        snprintf(l + k, cap - k, "; ReLU's %.2f %%", 100 * vs[relu].dead_end);
    }
    return sw_verdict_dead(vs[cand].dead_end);
}

/* claim 4: expressivity, final test accuracy (higher is better: compare negatives) */
static sw_verdict claim_expressivity(char *l, size_t cap, const sw_lab_plan *p, const sw_lab_summary *vs, int cand,
                                     const int base[2])
{
    const size_t S = (size_t)p->n_seeds;
    sw_verdict vv[2];
    size_t nb = 0, k = 0;
    double nc[SW_LAB_MAX_SEEDS], nbv[SW_LAB_MAX_SEEDS];
    for (size_t s = 0; s < S; s++) nc[s] = -vs[cand].acc[s];
    k += (size_t)snprintf(l + k, cap - k, "sign of a random quadratic form from one layer: SwiGLU %.3f", sw_mean(vs[cand].acc, S));
    for (int b = 0; b < 2; b++) {
        if (base[b] < 0) continue;
        double pval, d;
        for (size_t s = 0; s < S; s++) nbv[s] = -vs[base[b]].acc[s];
        vv[nb++] = sw_compare_lower(nc, nbv, S, SW_LAB_ALPHA, &pval, &d);
        k += (size_t)snprintf(l + k, cap - k, " vs %s %.3f (p = %.3g)", p->variants[base[b]].name,
                              sw_mean(vs[base[b]].acc, S), pval);
    }
    snprintf(l + k, cap - k, " test accuracy");
    return sw_verdict_all(vv, nb);
}

void sw_lab_decide(sw_lab_claims *c, const sw_lab_plan *p, const sw_lab_summary *vs)
{
    const size_t cap = sizeof c->line[0];
    int cand = sw_lab_plan_variant(p, "swiglu");
    int base[2] = {sw_lab_plan_variant(p, "relu"), sw_lab_plan_variant(p, "gelu")};
    int have = cand >= 0 && (base[0] >= 0 || base[1] >= 0);
    for (int i = 0; i < 4; i++) c->v[i] = SW_INCONCLUSIVE;
    for (int i = 0; i < 4; i++)
        snprintf(c->line[i], cap, "%s", i == 2 ? "not evaluated: needs swiglu in --variants"
                                               : "not evaluated: needs swiglu and relu/gelu in --variants");
    if (have) c->v[0] = claim_loss(c->line[0], cap, p, vs, cand, base);
    if (have) c->v[1] = claim_stability(c->line[1], cap, p, vs, cand, base);
    if (cand >= 0 && vs[cand].seeds_done) c->v[2] = claim_dead(c->line[2], cap, vs, cand, base[0]);
    if (have && vs[cand].expr_done) c->v[3] = claim_expressivity(c->line[3], cap, p, vs, cand, base);
}
