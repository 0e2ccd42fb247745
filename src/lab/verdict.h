/* verdict.h -- how the lab decides whether a claim held, from numbers only.
 *
 * The comparisons are paired over seeds (a seed fixes the data order and the
 * initialization stream for every variant). One comparison of a candidate
 * against a baseline, lower is better:
 *   held          the candidate is lower and a paired t-test gives p < alpha
 *   not held      the candidate is higher and p < alpha
 *   inconclusive  otherwise (the seeds' spread covers the difference, or
 *                 there are too few seeds to tell)
 * The claims combine such comparisons as each function below says. */
#ifndef SW_LAB_VERDICT_H
#define SW_LAB_VERDICT_H
#include <stddef.h>

typedef enum sw_verdict { SW_INCONCLUSIVE = 0, SW_HELD = 1, SW_NOT_HELD = 2 } sw_verdict;

const char *sw_verdict_name(sw_verdict v);   /* "held", "not held", "inconclusive" */

/* candidate vs baseline, lower is better, n seeds paired; *p, *diff (mean of
 * cand - base) may be NULL. */
sw_verdict sw_compare_lower(const double *cand, const double *base, size_t n, double alpha,
                            double *p, double *diff);

/* Several baselines: held when held against every one, not held when not
 * held against any one, else inconclusive. */
sw_verdict sw_verdict_all(const sw_verdict *v, size_t n);

/* Claim 3, dead units: the candidate's largest dead fraction over layers and
 * seeds at the end of training. held below 0.1 %, not held above 1 %. */
sw_verdict sw_verdict_dead(double max_dead_fraction);

/* Claim 2, stability, from three signs (+1 candidate better, -1 worse, 0
 * tie/unclear): the largest learning rate that still trains, the number of
 * loss spikes, and the smoothness of the gradient norm (a paired test).
 * not held when the learning-rate or smoothness sign is against the
 * candidate; held when none is against and at least one is for; else
 * inconclusive. */
sw_verdict sw_verdict_stability(int lr_sign, int spikes_sign, int smooth_sign);

#endif
