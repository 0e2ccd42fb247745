/* scaling_stats.c -- gaps per size and their trend over sizes (see
 * scaling_stats.h for the formulas and the verdict rule). */
#include <math.h>
#include "lab/scaling_stats.h"
#include "lab/stats.h"

sw_gap sw_gap_paired(const double *cand, const double *base, size_t n, double alpha)
{
    double a[64], b[64];
    size_t m = 0;
    for (size_t i = 0; i < n && m < 64; i++)
        if (isfinite(cand[i]) && isfinite(base[i])) { a[m] = cand[i]; b[m] = base[i]; m++; }
    sw_gap g = {m, NAN, NAN, NAN, NAN, NAN, 1.0, 1.0, SW_INCONCLUSIVE};
    if (m == 0) return g;
    double t;
    g.p = sw_paired_t(a, b, m, &g.mean, &t);
    g.p_holm = g.p;
    if (m >= 2) {
        for (size_t i = 0; i < m; i++) a[i] -= b[i];
        g.sd = sw_std(a, m);
        g.se = g.sd / sqrt((double)m);
        double tc = sw_t_crit(alpha, (double)(m - 1));
        g.lo = g.mean - tc * g.se;
        g.hi = g.mean + tc * g.se;
    }
    g.v = g.p < alpha && g.mean != 0 ? (g.mean < 0 ? SW_HELD : SW_NOT_HELD) : SW_INCONCLUSIVE;
    return g;
}

void sw_gap_holm(sw_gap *g, size_t m, double alpha)
{
    double p[64] = {0}, adj[64];
    if (m > 64) m = 64;
    for (size_t i = 0; i < m; i++) p[i] = g[i].p;
    sw_holm(adj, p, m);
    for (size_t i = 0; i < m; i++) {
        g[i].p_holm = adj[i];
        g[i].v = adj[i] < alpha && g[i].mean != 0 ? (g[i].mean < 0 ? SW_HELD : SW_NOT_HELD) : SW_INCONCLUSIVE;
    }
}

const char *sw_trend_name(sw_trend_verdict v)
{
    switch (v) {
    case SW_TREND_WIDENS: return "widens";
    case SW_TREND_NARROWS: return "narrows";
    case SW_TREND_FLAT: return "flat";
    default: return "inconclusive";
    }
}

sw_trend sw_trend_fit(const double *x, const sw_gap *gaps, size_t K, double alpha, double delta)
{
    sw_trend t = {0, NAN, NAN, NAN, NAN, NAN, 0, 0, NAN, NAN, NAN, NAN, NAN, SW_TREND_INCONCLUSIVE};
    /* the smallest positive se stands in for an se of 0 */
    double se_min = INFINITY;
    for (size_t k = 0; k < K; k++)
        if (gaps[k].n >= 2 && gaps[k].se > 0 && gaps[k].se < se_min) se_min = gaps[k].se;
    if (!isfinite(se_min)) return t;
    double w[64], xs[64], g[64];
    size_t m = 0;
    for (size_t k = 0; k < K && m < 64; k++) {
        if (gaps[k].n < 2 || !isfinite(gaps[k].mean) || !isfinite(x[k])) continue;
        double se = gaps[k].se > 0 ? gaps[k].se : se_min;
        w[m] = 1 / (se * se); xs[m] = x[k]; g[m] = gaps[k].mean; m++;
    }
    t.k = m;
    if (m < 2) return t;
    double sw = 0, sx = 0, sg = 0;
    for (size_t k = 0; k < m; k++) { sw += w[k]; sx += w[k] * xs[k]; sg += w[k] * g[k]; }
    double xw = sx / sw, gw = sg / sw, sxx = 0, sxg = 0;
    t.x_min = t.x_max = xs[0];
    for (size_t k = 0; k < m; k++) {
        sxx += w[k] * (xs[k] - xw) * (xs[k] - xw);
        sxg += w[k] * (xs[k] - xw) * (g[k] - gw);
        if (xs[k] < t.x_min) t.x_min = xs[k];
        if (xs[k] > t.x_max) t.x_max = xs[k];
    }
    if (!(sxx > 0)) return t;   /* one size only */
    t.b = sxg / sxx;
    t.a = gw - t.b * xw;
    double rss = 0;
    for (size_t k = 0; k < m; k++) { double r = g[k] - t.a - t.b * xs[k]; rss += w[k] * r * r; }
    t.phi = m > 2 ? rss / (double)(m - 2) : 1;
    t.xw = xw; t.sw = sw; t.sxx = sxx;
    t.df = m > 2 ? (double)(m - 2) : 1;
    t.tcrit = sw_t_crit(alpha, t.df);
    double se_b = sqrt((t.phi > 1 ? t.phi : 1) / sxx);
    t.b_lo = t.b - t.tcrit * se_b;
    t.b_hi = t.b + t.tcrit * se_b;
    if (m < 3) return t;
    if (t.b_lo > 0 || t.b_hi < 0) {
        double g_end = t.a + t.b * t.x_max;
        t.v = (t.b < 0) == (g_end < 0) ? SW_TREND_WIDENS : SW_TREND_NARROWS;
    } else if (t.b_lo > -delta && t.b_hi < delta) {
        t.v = SW_TREND_FLAT;
    }
    return t;
}

void sw_trend_band(const sw_trend *t, double x, double *fit, double *lo, double *hi)
{
    *fit = t->a + t->b * x;
    if (!(t->sxx > 0)) { *lo = *hi = NAN; return; }
    double s = sqrt((t->phi > 1 ? t->phi : 1) * (1 / t->sw + (x - t->xw) * (x - t->xw) / t->sxx));
    *lo = *fit - t->tcrit * s;
    *hi = *fit + t->tcrit * s;
}
