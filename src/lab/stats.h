/* stats.h -- the little statistics the lab's verdicts rest on. */
#ifndef SW_LAB_STATS_H
#define SW_LAB_STATS_H
#include <stddef.h>

double sw_mean(const double *x, size_t n);
/* Sample standard deviation (n - 1 in the denominator); 0 for n < 2. */
double sw_std(const double *x, size_t n);

/* Paired t-test of a[i] - b[i], i < n (pairs share a seed: data order and
 * initialization stream). Returns the two-sided p-value; *mean_diff and *t
 * get the mean difference and the statistic. n < 2: p = 1 (no evidence).
 * Zero variance: p = 0 when the mean difference is non-zero, else 1. */
double sw_paired_t(const double *a, const double *b, size_t n, double *mean_diff, double *t);

/* Two-sided p-value of Student's t with df degrees of freedom. */
double sw_t_pvalue(double t, double df);

/* The two-sided critical value of Student's t: the t > 0 with
 * P(|T| > t) = p at df degrees of freedom (sw_t_pvalue inverted by
 * bisection), e.g. sw_t_crit(0.05, 4) = 2.776. For a 1 - p confidence
 * interval mean +- t se. */
double sw_t_crit(double p, double df);

/* Holm's step-down adjustment of m p-values (family-wise error at the
 * level the adjusted values are compared with): sorted ascending,
 * adj_(i) = max_{j <= i} min(1, (m - j) p_(j)) (0-based j); adj[] in the
 * order of p[]. m <= 64. */
void sw_holm(double *adj, const double *p, size_t m);

/* Kendall's tau-b between x and y (rank agreement, ties handled), n >= 2. */
double sw_kendall_tau(const double *x, const double *y, size_t n);

#endif
