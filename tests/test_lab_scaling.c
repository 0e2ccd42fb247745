/* test_lab_scaling.c -- the scaling study's statistics (lab/scaling_stats.h)
 * on synthetic studies with known answers: t quantiles and Holm's
 * adjustment against published values, a planted gap that grows with size
 * found as "widens" (and one that shrinks as "narrows"), no trend giving
 * "widens"/"narrows" at most alpha of the time over 2000 studies, and a
 * precisely measured constant gap called "flat".
 *
 * A synthetic study: K = 5 sizes at x = log10(N) = 5, 5.5, .., 7 (two
 * decades), 5, 5, 5, 3, 3 seeds (the scaling preset's), each seed's final
 * loss = a seed effect (shared by the variants: pairing removes it) + the
 * variant's mean + noise of sd sigma_k (the sizes' noise differs). */
#include <math.h>
#include <stdio.h>
#include "lab/scaling_stats.h"
#include "lab/stats.h"
#include "testlib.h"

enum { K = 5 };
static const double xs[K] = {5, 5.5, 6, 6.5, 7};
static const int seeds[K] = {5, 5, 5, 3, 3};

/* one study: gap(x) = g0 + slope (x - 5); noise sd sigma[k] per run */
static sw_trend study(tl_rng *r, double g0, double slope, const double *sigma, sw_gap *gaps)
{
    for (int k = 0; k < K; k++) {
        double sw[16], base[16];
        for (int s = 0; s < seeds[k]; s++) {
            double seed_effect = 0.05 * tl_normal(r);
            base[s] = 2.0 + seed_effect + sigma[k] * tl_normal(r);
            sw[s] = 2.0 + g0 + slope * (xs[k] - 5) + seed_effect + sigma[k] * tl_normal(r);
        }
        gaps[k] = sw_gap_paired(sw, base, (size_t)seeds[k], 0.05);
    }
    return sw_trend_fit(xs, gaps, K, 0.05, SW_SCALING_DELTA);
}

int main(void)
{
    /* t quantiles (two-sided 5 %): df 1 12.706, df 2 4.303, df 4 2.776, df 30 2.042 */
    CHECK(fabs(sw_t_crit(0.05, 1) - 12.7062047) < 1e-5, "t_crit df 1: %g", sw_t_crit(0.05, 1));
    CHECK(fabs(sw_t_crit(0.05, 2) - 4.30265273) < 1e-6, "t_crit df 2: %g", sw_t_crit(0.05, 2));
    CHECK(fabs(sw_t_crit(0.05, 4) - 2.77644511) < 1e-6, "t_crit df 4: %g", sw_t_crit(0.05, 4));
    CHECK(fabs(sw_t_crit(0.05, 30) - 2.04227246) < 1e-6, "t_crit df 30: %g", sw_t_crit(0.05, 30));
    CHECK(isnan(sw_t_crit(0, 3)) && isnan(sw_t_crit(0.05, 0)), "t_crit: bad arguments are NaN");

    /* Holm: p = (0.01, 0.04, 0.03) -> sorted 0.01 x3, 0.03 x2, 0.04 x1 = 0.03, 0.06, 0.06 (monotone) */
    double p[3] = {0.01, 0.04, 0.03}, adj[3];
    sw_holm(adj, p, 3);
    CHECK(fabs(adj[0] - 0.03) < 1e-15 && fabs(adj[1] - 0.06) < 1e-15 && fabs(adj[2] - 0.06) < 1e-15,
          "holm: %g %g %g", adj[0], adj[1], adj[2]);
    double p2[2] = {0.6, 0.02};
    sw_holm(adj, p2, 2);
    CHECK(fabs(adj[0] - 0.6) < 1e-15 && fabs(adj[1] - 0.04) < 1e-15, "holm of 2: %g %g", adj[0], adj[1]);

    /* one size by hand: d = (-0.02, -0.03, -0.01, -0.02): mean -0.02, sd 0.0081650,
     * se 0.0040825, t = -4.899, df 3, p 0.01628, CI -0.02 -+ 3.18245 se */
    double c4[4] = {1.98, 1.97, 1.99, 1.98}, b4[4] = {2.0, 2.0, 2.0, 2.0};
    sw_gap g = sw_gap_paired(c4, b4, 4, 0.05);
    CHECK(g.n == 4 && fabs(g.mean + 0.02) < 1e-12 && fabs(g.se - 0.00408248) < 1e-7, "gap: mean %g se %g", g.mean, g.se);
    CHECK(fabs(g.lo - (-0.02 - 3.18244631 * 0.0040824829)) < 1e-7 && fabs(g.hi - (-0.02 + 3.18244631 * 0.0040824829)) < 1e-7,
          "gap CI [%g, %g]", g.lo, g.hi);
    CHECK(fabs(g.p - 0.016275) < 2e-5 && g.v == SW_HELD, "gap p %g", g.p);
    /* Holm with a second baseline at p 0.5: 0.0163 x 2 = 0.0326 < 0.05, still held; at p 0.03: 0.0326, 0.0326 */
    sw_gap two[2] = {g, g};
    two[1].p = 0.5; two[1].mean = 0.001;
    sw_gap_holm(two, 2, 0.05);
    CHECK(fabs(two[0].p_holm - 2 * g.p) < 1e-12 && two[0].v == SW_HELD && two[1].v == SW_INCONCLUSIVE, "holm on gaps");
    two[1].p = 0.02; two[1].mean = 0.01;
    sw_gap_holm(two, 2, 0.05);
    CHECK(two[0].v == SW_HELD && two[1].v == SW_NOT_HELD && fabs(two[1].p_holm - 2 * g.p) < 1e-12, "holm: both at 2 p_min");
    /* a NaN pair (a diverged run) is left out */
    double cn[4] = {1.98, NAN, 1.99, 1.98};
    CHECK(sw_gap_paired(cn, b4, 4, 0.05).n == 3, "NaN pair skipped");

    /* an exact line through 3 sizes with equal se: slope recovered, the band
     * at xw is +- t(1) se / sqrt(3) (phi = 0 -> floor 1); its interval
     * -0.1 +- 12.7 x 0.0032 excludes 0 */
    sw_gap lin[3];
    double xl[3] = {5, 6, 7};
    for (int k = 0; k < 3; k++) lin[k] = (sw_gap){5, -0.01 - 0.1 * k, 0.01, 0.01 / sqrt(5), 0, 0, 0.1, 0.1, SW_INCONCLUSIVE};
    sw_trend tl = sw_trend_fit(xl, lin, 3, 0.05, SW_SCALING_DELTA);
    CHECK(tl.k == 3 && fabs(tl.b + 0.1) < 1e-12 && fabs(tl.a - (-0.01 + 0.5)) < 1e-12, "line: a %g b %g", tl.a, tl.b);
    double fit, lo, hi;
    sw_trend_band(&tl, 6, &fit, &lo, &hi);
    CHECK(fabs(fit + 0.11) < 1e-12 && fabs(hi - fit - 12.7062047 * (0.01 / sqrt(5)) / sqrt(3)) < 1e-6, "band at the centre");
    CHECK(tl.v == SW_TREND_WIDENS, "exact widening line: %s", sw_trend_name(tl.v));
    lin[2].n = 1;   /* two sizes left: no verdict */
    CHECK(sw_trend_fit(xl, lin, 3, 0.05, SW_SCALING_DELTA).v == SW_TREND_INCONCLUSIVE, "two sizes: inconclusive");

    tl_rng r = {20261205};
    sw_gap gaps[K];
    const double sig[K] = {0.010, 0.012, 0.008, 0.015, 0.010};   /* unequal noise per size */
    const int trials = 2000;
    /* planted: SwiGLU's advantage grows by 0.03 nats per decade from 0 at the smallest size */
    int widens = 0, narrows = 0, flat = 0, fp = 0, fp_const = 0, flat_null = 0;
    for (int i = 0; i < 200; i++) widens += study(&r, 0.0, -0.03, sig, gaps).v == SW_TREND_WIDENS;
    CHECK(widens >= 180, "planted widening gap found in %d of 200 studies", widens);
    /* a SwiGLU deficit of +0.09 at the smallest size shrinking 0.03 per decade (to +0.03) */
    for (int i = 0; i < 200; i++) narrows += study(&r, 0.09, -0.03, sig, gaps).v == SW_TREND_NARROWS;
    CHECK(narrows >= 180, "planted narrowing gap found in %d of 200 studies", narrows);
    /* no trend, no gap: a trend verdict is a false positive */
    for (int i = 0; i < trials; i++) {
        sw_trend_verdict v = study(&r, 0.0, 0.0, sig, gaps).v;
        fp += v == SW_TREND_WIDENS || v == SW_TREND_NARROWS;
        flat_null += v == SW_TREND_FLAT;
    }
    printf("no gap: trend claimed in %d of %d studies (%.2f %%), flat in %d\n", fp, trials, 100.0 * fp / trials, flat_null);
    CHECK(fp <= 0.05 * trials, "false positives %d of %d above the 5 %% level", fp, trials);
    /* a constant gap (SwiGLU ahead by 0.03 at every size): no trend either */
    for (int i = 0; i < trials; i++) {
        sw_trend_verdict v = study(&r, -0.03, 0.0, sig, gaps).v;
        fp_const += v == SW_TREND_WIDENS || v == SW_TREND_NARROWS;
    }
    printf("constant gap: trend claimed in %d of %d studies (%.2f %%)\n", fp_const, trials, 100.0 * fp_const / trials);
    CHECK(fp_const <= 0.05 * trials, "false positives %d of %d (constant gap) above the 5 %% level", fp_const, trials);
    /* a precisely measured constant gap (noise 0.002): "flat" */
    const double quiet[K] = {0.002, 0.002, 0.002, 0.002, 0.002};
    for (int i = 0; i < 200; i++) flat += study(&r, -0.03, 0.0, quiet, gaps).v == SW_TREND_FLAT;
    CHECK(flat >= 180, "precise constant gap flat in %d of 200 studies", flat);
    CHECK(!sw_trend_name(SW_TREND_FLAT)[4] && sw_trend_name(SW_TREND_INCONCLUSIVE)[0] == 'i', "names");
    return tl_finish("test_lab_scaling");
}
