/* scaling_stats.h -- the statistics of the scaling study (docs/LAB.md,
 * "The scaling preset"): the gap between SwiGLU and a baseline at each
 * model size, and its trend over sizes.
 *
 * Legend: K model sizes, n seeds at a size, x = log10(N) with N the
 * non-embedding parameter count, g the gap SwiGLU - baseline (final
 * validation loss, nats; negative: SwiGLU better).
 *
 * Per size (one baseline): the paired differences d_i = swiglu_i - base_i
 * over the n seeds; mean, sd, se = sd / sqrt(n), the 1 - alpha interval
 * mean +- t_{n-1} se and the paired t-test's p (stats.h); over the
 * baselines of a size Holm's adjustment (sw_holm) before the verdict.
 *
 * Over sizes: weighted least squares of g_k on x_k with w_k = 1 / se_k^2
 * (sizes measured more precisely count more):
 *   xw = sum w x / sum w,  Sxx = sum w (x - xw)^2
 *   b  = sum w (x - xw)(g - gw) / Sxx,  a = gw - b xw
 *   phi = sum w (g - a - b x)^2 / (K - 2)   (1 when K = 2)
 *   var(b) = max(1, phi) / Sxx,  var(a + b x) = max(1, phi) (1 / sum w + (x - xw)^2 / Sxx)
 * max(1, phi): the seeds' spread is the floor of the uncertainty, the sizes'
 * scatter about the line raises it (a trend that is not a line, or an
 * se_k that came out small by chance with few seeds). The interval and
 * band use Student's t at df = K - 2 (at least 1). The verdict on the
 * trend (alpha 0.05, margin delta nats per decade of N):
 *   widens        the slope's interval excludes 0 and the slope has the
 *                 sign of the fitted gap at the largest size (the gap moves
 *                 away from 0 as models grow)
 *   narrows       the interval excludes 0, the slope has the other sign
 *   flat          the whole interval lies inside (-delta, +delta)
 *   inconclusive  otherwise, or fewer than 3 sizes with >= 2 seeds
 * Under no trend, "widens" or "narrows" comes out at most alpha of the
 * time (tests/test_lab_scaling.c checks it over 2000 synthetic studies). */
#ifndef SW_LAB_SCALING_STATS_H
#define SW_LAB_SCALING_STATS_H
#include <stddef.h>
#include "lab/verdict.h"

#define SW_SCALING_DELTA 0.01   /* "flat": the slope's interval inside +-0.01 nats per decade */

typedef struct sw_gap {
    size_t n;                   /* pairs (seeds with both runs finished) */
    double mean, sd, se;        /* of d = cand - base */
    double lo, hi;              /* 1 - alpha interval of the mean (NaN for n < 2) */
    double p;                   /* paired t-test, two-sided */
    double p_holm;              /* after Holm over the size's baselines (sw_gap_holm) */
    sw_verdict v;               /* held: cand lower at p_holm < alpha; not held: higher */
} sw_gap;

/* The gap of cand against base over n paired seeds (p_holm = p, the
 * verdict from p). NaN pairs (a missing or diverged run) are skipped. */
sw_gap sw_gap_paired(const double *cand, const double *base, size_t n, double alpha);

/* Holm over the m baselines of one size: sets p_holm and the verdicts. */
void sw_gap_holm(sw_gap *g, size_t m, double alpha);

typedef enum sw_trend_verdict {
    SW_TREND_INCONCLUSIVE = 0, SW_TREND_WIDENS = 1, SW_TREND_NARROWS = 2, SW_TREND_FLAT = 3
} sw_trend_verdict;

const char *sw_trend_name(sw_trend_verdict v);   /* "inconclusive", "widens", "narrows", "flat" */

typedef struct sw_trend {
    size_t k;                   /* sizes used (n >= 2 and se > 0) */
    double a, b;                /* g = a + b x */
    double b_lo, b_hi;          /* 1 - alpha interval of the slope */
    double xw, sw, sxx, phi, df, tcrit;
    double x_min, x_max;
    sw_trend_verdict v;
} sw_trend;

/* The fit over K sizes: x[k] = log10(N_k), gaps[k] from sw_gap_paired.
 * Sizes with n < 2 are left out; a size with se = 0 (identical pairs)
 * gets the smallest positive se of the others. */
sw_trend sw_trend_fit(const double *x, const sw_gap *gaps, size_t K, double alpha, double delta);

/* The 1 - alpha confidence band of the fitted gap at x. */
void sw_trend_band(const sw_trend *t, double x, double *fit, double *lo, double *hi);

#endif
