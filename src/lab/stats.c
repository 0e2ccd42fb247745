/* stats.c -- means, paired t-tests, Kendall's tau.
 *
 * The t distribution's tail: P(|T| > t) = I_{df/(df+t^2)}(df/2, 1/2), the
 * regularized incomplete beta function, evaluated by its continued fraction
 * (modified Lentz), after the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) where the
 * fraction converges slowly. */
#include <math.h>
#include "lab/stats.h"

double sw_mean(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i];
    return n ? s / (double)n : 0.0;
}

double sw_std(const double *x, size_t n)
{
    if (n < 2) return 0.0;
    double m = sw_mean(x, n), s = 0;
    for (size_t i = 0; i < n; i++) s += (x[i] - m) * (x[i] - m);
    return sqrt(s / (double)(n - 1));
}

/* continued fraction of I_x(a, b) (x < (a+1)/(a+b+2)) */
static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    if (fabs(d) < tiny) d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 300; m++) {
        double m2 = 2.0 * m;
        double num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
        d = 1 + num * d; if (fabs(d) < tiny) d = tiny;
        c = 1 + num / c; if (fabs(c) < tiny) c = tiny;
        d = 1 / d; h *= d * c;
        num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
        d = 1 + num * d; if (fabs(d) < tiny) d = tiny;
        c = 1 + num / c; if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-15) break;
    }
    return h;
}

static double beta_inc(double a, double b, double x)
{
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    if (x < (a + 1) / (a + b + 2)) return exp(lbt) * beta_cf(a, b, x) / a;
    return 1 - exp(lbt) * beta_cf(b, a, 1 - x) / b;
}

double sw_t_pvalue(double t, double df)
{
    if (isnan(t) || df <= 0) return 1.0;
    if (isinf(t)) return 0.0;
    return beta_inc(df / 2, 0.5, df / (df + t * t));
}

double sw_t_crit(double p, double df)
{
    if (!(p > 0 && p < 1) || !(df > 0)) return NAN;
    /* sw_t_pvalue falls from 1 at t = 0: bracket, then halve 200 times */
    double lo = 0, hi = 1;
    while (sw_t_pvalue(hi, df) > p && hi < 1e12) hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
        double mid = 0.5 * (lo + hi);
        if (sw_t_pvalue(mid, df) > p) lo = mid; else hi = mid;
    }
    return 0.5 * (lo + hi);
}

void sw_holm(double *adj, const double *p, size_t m)
{
    size_t ord[64];
    if (m > 64) m = 64;
    for (size_t i = 0; i < m; i++) ord[i] = i;
    for (size_t i = 1; i < m; i++)   /* insertion sort of the indices by p, ties in input order */
        for (size_t j = i; j > 0 && p[ord[j]] < p[ord[j - 1]]; j--) { size_t t = ord[j]; ord[j] = ord[j - 1]; ord[j - 1] = t; }
    double run = 0;
    for (size_t j = 0; j < m; j++) {
        double a = (double)(m - j) * p[ord[j]];
        if (a > 1) a = 1;
        if (a > run) run = a;
        adj[ord[j]] = run;
    }
}

double sw_paired_t(const double *a, const double *b, size_t n, double *mean_diff, double *t)
{
    double d[64];
    size_t m = n < 64 ? n : 64;
    for (size_t i = 0; i < m; i++) d[i] = a[i] - b[i];
    double md = sw_mean(d, m), sd = sw_std(d, m);
    if (mean_diff) *mean_diff = md;
    if (t) *t = 0;
    if (m < 2) return 1.0;
    if (sd == 0) { if (t) *t = md == 0 ? 0 : copysign(INFINITY, md); return md == 0 ? 1.0 : 0.0; }
    double tt = md / (sd / sqrt((double)m));
    if (t) *t = tt;
    return sw_t_pvalue(tt, (double)(m - 1));
}

double sw_kendall_tau(const double *x, const double *y, size_t n)
{
    double conc = 0, disc = 0, tx = 0, ty = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double dx = x[i] - x[j], dy = y[i] - y[j];
            if (dx == 0 && dy == 0) continue;
            if (dx == 0) { tx++; continue; }
            if (dy == 0) { ty++; continue; }
            if ((dx > 0) == (dy > 0)) conc++; else disc++;
        }
    double den = sqrt((conc + disc + tx) * (conc + disc + ty));
    return den > 0 ? (conc - disc) / den : 0.0;
}
