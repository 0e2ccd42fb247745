/* test_lab_verdict.c -- the lab's statistics and verdict logic on synthetic
 * metrics: a clear win, a clear loss, an overlap (inconclusive). */
#include <math.h>
#include "lab/stats.h"
#include "lab/verdict.h"
#include "testlib.h"

int main(void)
{
    /* Student's t: known quantiles. t = 2.776 at df 4 is p = 0.05 two-sided;
     * t = 12.706 at df 1; t = 1.96 at df 1e6 (normal) */
    CHECK(fabs(sw_t_pvalue(2.7764451, 4) - 0.05) < 1e-6, "t(4) 97.5%% quantile: p = %g", sw_t_pvalue(2.7764451, 4));
    CHECK(fabs(sw_t_pvalue(12.706205, 1) - 0.05) < 1e-6, "t(1): p = %g", sw_t_pvalue(12.706205, 1));
    CHECK(fabs(sw_t_pvalue(1.959964, 1e6) - 0.05) < 1e-5, "normal limit: p = %g", sw_t_pvalue(1.959964, 1e6));
    CHECK(sw_t_pvalue(0, 3) == 1.0 && sw_t_pvalue(INFINITY, 3) == 0.0, "t = 0 and inf");
    double a[] = {1, 2, 3, 4}, b[] = {2, 4, 6, 8.5};
    CHECK(fabs(sw_mean(a, 4) - 2.5) < 1e-15 && fabs(sw_std(a, 4) - 1.2909944487358056) < 1e-12, "mean, std");
    CHECK(fabs(sw_kendall_tau(a, b, 4) - 1) < 1e-15, "tau of agreeing orders");
    double c[] = {4, 3, 2, 1};
    CHECK(fabs(sw_kendall_tau(a, c, 4) + 1) < 1e-15, "tau of reversed orders");

    /* a clear win: SwiGLU lower on every seed by ~0.05 with a 0.005 spread */
    double relu[] = {1.997, 2.003, 1.991}, win[] = {1.944, 1.952, 1.941}, lose[] = {2.051, 2.060, 2.044};
    double overlap[] = {1.990, 2.010, 1.995};
    double p, d;
    CHECK(sw_compare_lower(win, relu, 3, 0.05, &p, &d) == SW_HELD && p < 0.05 && d < 0, "clear win held (p %g)", p);
    CHECK(sw_compare_lower(lose, relu, 3, 0.05, &p, &d) == SW_NOT_HELD && d > 0, "clear loss not held (p %g)", p);
    CHECK(sw_compare_lower(overlap, relu, 3, 0.05, &p, &d) == SW_INCONCLUSIVE && p > 0.05, "overlap inconclusive (p %g)", p);
    CHECK(sw_compare_lower(win, relu, 1, 0.05, &p, &d) == SW_INCONCLUSIVE, "one seed: inconclusive");
    CHECK(sw_compare_lower(relu, relu, 3, 0.05, &p, &d) == SW_INCONCLUSIVE, "identical: inconclusive");
    sw_verdict hh[2] = {SW_HELD, SW_HELD}, hi[2] = {SW_HELD, SW_INCONCLUSIVE}, hn[2] = {SW_HELD, SW_NOT_HELD};
    CHECK(sw_verdict_all(hh, 2) == SW_HELD && sw_verdict_all(hi, 2) == SW_INCONCLUSIVE && sw_verdict_all(hn, 2) == SW_NOT_HELD,
          "combining baselines");
    CHECK(sw_verdict_dead(0.0) == SW_HELD && sw_verdict_dead(0.005) == SW_INCONCLUSIVE && sw_verdict_dead(0.2) == SW_NOT_HELD,
          "dead-unit thresholds");
    CHECK(sw_verdict_stability(1, 0, 0) == SW_HELD && sw_verdict_stability(0, 0, 0) == SW_INCONCLUSIVE &&
          sw_verdict_stability(-1, 1, 1) == SW_NOT_HELD && sw_verdict_stability(1, -1, 0) == SW_INCONCLUSIVE,
          "stability combination");
    CHECK(sw_verdict_name(SW_HELD)[0] == 'h' && sw_verdict_name(SW_NOT_HELD)[0] == 'n', "names");
    return tl_finish("test_lab_verdict");
}
