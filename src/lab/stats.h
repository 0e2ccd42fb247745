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

/* Kendall's tau-b between x and y (rank agreement, ties handled), n >= 2. */
double sw_kendall_tau(const double *x, const double *y, size_t n);

#endif
