/* claims.h -- the lab's numbers per variant and the four verdicts decided from
 * them: the deciding half of the report (report.c reads the runs back into
 * sw_lab_summary and writes the files; these functions touch no file, so the
 * tests feed them constructed series and summaries with known answers).
 *
 * Definitions (docs/LAB.md says why):
 *   loss spike      a step whose loss exceeds the median of the 50 steps
 *                   before it by more than max(0.3, 5 x 1.4826 x their MAD),
 *                   after warmup
 *   gradient jitter mean |log g_t - log g_(t-1)| of the total gradient norm
 *                   over the steps after warmup: lower is smoother
 *   trains at a lr  the sweep run did not diverge (loss finite and below
 *                   3 ln V throughout) and ends within 25 % of the best
 *                   final loss of the whole sweep */
#ifndef SW_LAB_CLAIMS_H
#define SW_LAB_CLAIMS_H
#include "lab/plan.h"
#include "lab/verdict.h"

#define SW_LAB_ALPHA 0.05  /* the paired t-test's level for every comparison */

typedef struct sw_lab_summary {
    int seeds_done;                        /* main runs finished */
    double val[SW_LAB_MAX_SEEDS], train[SW_LAB_MAX_SEEDS];
    int diverged[SW_LAB_MAX_SEEDS];
    double spikes[SW_LAB_MAX_SEEDS], jitter[SW_LAB_MAX_SEEDS], flow[SW_LAB_MAX_SEEDS];
    double dead_init, dead_end, zero_end; /* max over layers; init: mean over seeds; end: max over seeds */
    double params, ffn_params, d_ff, tokens, wall;
    double sweep[SW_LAB_MAX_RATES];        /* final val loss, NaN when diverged or missing */
    int sweep_done[SW_LAB_MAX_RATES];
    double stable_lr;                      /* largest rate that trains, 0 for none */
    int expr_done;
    double acc[SW_LAB_MAX_SEEDS];
} sw_lab_summary;

/* Spikes and jitter of one run from its steps.csv columns (rows in file
 * order): steps with step <= warmup are skipped; the spike window is the 50
 * rows before (so none before row 50). NaN jitter when no pair counts. */
void sw_lab_step_metrics(const double *step, const double *loss, const double *grad_norm, size_t rows,
                         long long warmup, double *spikes, double *jitter);

/* stable_lr of each of the n variants from their sweeps over rates[0..n_rates). */
void sw_lab_stable_rates(sw_lab_summary *vs, size_t n, const double *rates, int n_rates);

/* The four claims: verdict and the numbers behind it, one line each. */
typedef struct sw_lab_claims {
    sw_verdict v[4];
    char line[4][1024];
} sw_lab_claims;

/* Decides the claims for the candidate "swiglu" against the baselines "relu"
 * and "gelu" of plan p (a claim not evaluated says why), vs[] indexed like
 * p->variants, p->n_seeds seeds each. */
void sw_lab_decide(sw_lab_claims *c, const sw_lab_plan *p, const sw_lab_summary *vs);

#endif
