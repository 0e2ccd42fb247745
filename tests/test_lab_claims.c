/* test_lab_claims.c -- the lab's metrics and verdicts on constructed runs with
 * known answers, through the functions `swiglu compare` uses:
 *   - sw_lab_step_metrics: gradient jitter and loss spikes of constructed
 *     series (warmup, the 50-step window, the 0.3 floor, the MAD rule);
 *   - sw_lab_stable_rates: the largest rate that trains (25 % of the best);
 *   - sw_paired_t / sw_compare_lower at the alpha boundary (t either side of
 *     the 97.5 % quantile), NaN (diverged) seeds;
 *   - sw_lab_decide: every branch of every claim, baseline orientation,
 *     claim 4 compared as accuracy (higher is better);
 *   - sw_lab_report end to end on a folder of constructed runs: the values
 *     in summary.csv, lr_sweep.csv, dead_units.csv and the verdicts, then the
 *     same runs with SwiGLU's and ReLU's numbers swapped. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lab/claims.h"
#include "lab/report.h"
#include "lab/stats.h"
#include "lab/verdict.h"
#include "testlib.h"

static sw_lab_plan plan;  /* large: static */

/* ---- metrics of a series ------------------------------------------------ */

static void test_step_metrics(void)
{
    enum { N = 120 };
    double step[N], loss[N], g[N], sp, ji;
    for (int r = 0; r < N; r++) { step[r] = r + 1; loss[r] = 2.0; g[r] = r % 2 ? 2.0 : 1.0; }
    sw_lab_step_metrics(step, loss, g, N, 0, &sp, &ji);
    CHECK(fabs(ji - log(2.0)) < 1e-12 && sp == 0, "alternating 1, 2: jitter ln 2 (%.9g), no spike (%g)", ji, sp);

    /* warmup: rows with step <= 10 do not count; the first counted pair
     * (row 10 against row 9) is a jump of 100x, the rest are flat */
    for (int r = 0; r < N; r++) g[r] = r < 10 ? (r % 2 ? 100.0 : 1.0) : 1.0;
    sw_lab_step_metrics(step, loss, g, N, 10, &sp, &ji);
    CHECK(fabs(ji - log(100.0) / (N - 10)) < 1e-12, "warmup 10: jitter ln 100 / 110 (%.9g)", ji);
    sw_lab_step_metrics(step, loss, g, N, 0, &sp, &ji);
    CHECK(fabs(ji - 10 * log(100.0) / (N - 1)) < 1e-12, "no warmup: jitter 10 ln 100 / 119 (%.9g)", ji);

    /* non-positive or NaN norms are left out of the jitter; none left: NaN */
    for (int r = 0; r < N; r++) g[r] = r % 3 == 0 ? 0.0 : r % 3 == 1 ? NAN : 1.0;
    sw_lab_step_metrics(step, loss, g, N, 0, &sp, &ji);
    CHECK(isnan(ji), "no two positive norms in a row: jitter NaN (%g)", ji);
    g[5] = 4.0; g[6] = 1.0; g[7] = 4.0;  /* rows 5-6-7: two pairs of ln 4 */
    sw_lab_step_metrics(step, loss, g, N, 0, &sp, &ji);
    CHECK(fabs(ji - log(4.0)) < 1e-12, "jitter over the valid pairs only (%.9g)", ji);

    /* spikes over a flat loss (MAD 0: the 0.3 floor): +0.31 counts, +0.29 and
     * a dip do not, and nothing before row 50 (no full window) */
    for (int r = 0; r < N; r++) { loss[r] = 2.0; g[r] = 1.0; }
    loss[30] = 9.0;   /* no window yet */
    loss[50] = 2.31;  /* the first row with a window */
    loss[70] = 0.5;   /* a dip */
    loss[90] = 2.29;
    loss[110] = 2.31;
    sw_lab_step_metrics(step, loss, g, N, 0, &sp, &ji);
    CHECK(sp == 2, "flat loss: 2 spikes (rows 50 and 110), got %g", sp);
    CHECK(ji == 0, "flat norm: jitter 0 (%g)", ji);
    sw_lab_step_metrics(step, loss, g, N, 51, &sp, &ji);
    CHECK(sp == 1, "warmup 51 (rows 0..50 skipped): 1 spike, got %g", sp);

    /* a noisy loss (1.9, 2.1 alternating: median 2, MAD 0.1, threshold
     * 5 x 1.4826 x 0.1 = 0.7413): +0.75 counts, +0.73 does not */
    for (int r = 0; r < N; r++) loss[r] = r % 2 ? 2.1 : 1.9;
    loss[61] = 2.75;
    loss[100] = 2.73;
    sw_lab_step_metrics(step, loss, g, N, 0, &sp, &ji);
    CHECK(sp == 1, "noisy loss: the MAD rule gives 1 spike, got %g", sp);
    loss[100] = 2.0 + 5 * 1.4826 * 0.1 + 1e-3;
    sw_lab_step_metrics(step, loss, g, N, 0, &sp, &ji);
    CHECK(sp == 2, "noisy loss: just above 5 x 1.4826 MAD is a spike, got %g", sp);
}

static void test_stable_rates(void)
{
    sw_lab_summary vs[3];
    memset(vs, 0, sizeof vs);
    const double rates[3] = {1e-3, 1e-2, 1e-1};
    const double sw[3][3] = {{2.0, 2.4, NAN}, {2.2, 2.5, 2.5000001}, {NAN, NAN, NAN}};
    for (int v = 0; v < 3; v++)
        for (int k = 0; k < 3; k++) vs[v].sweep[k] = sw[v][k];
    vs[0].stable_lr = vs[1].stable_lr = vs[2].stable_lr = 7;
    sw_lab_stable_rates(vs, 3, rates, 3);
    /* best 2.0: a rate trains up to 1.25 x 2.0 = 2.5 inclusive */
    CHECK(vs[0].stable_lr == 1e-2, "stable lr: the last finite one within 25 %% (%g)", vs[0].stable_lr);
    CHECK(vs[1].stable_lr == 1e-2, "stable lr: 2.5 trains, 2.5000001 does not (%g)", vs[1].stable_lr);
    CHECK(vs[2].stable_lr == 0, "stable lr: every rate diverged: 0 (%g)", vs[2].stable_lr);
    vs[0].sweep[0] = NAN;  /* best is now 2.2: the limit 2.75 */
    sw_lab_stable_rates(vs, 3, rates, 3);
    CHECK(vs[1].stable_lr == 1e-1 && vs[0].stable_lr == 1e-2, "stable lr: the best of the sweep moves (%g %g)",
          vs[1].stable_lr, vs[0].stable_lr);
    /* the largest rate that trains, not the last one listed: rates need not
     * be in ascending order (scripts/mutate.sh: 'stable_lr = rates[k]') */
    const double down[3] = {1e-1, 1e-2, 1e-3};
    const double swd[3] = {NAN, 2.4, 2.0};
    for (int k = 0; k < 3; k++) vs[0].sweep[k] = swd[k];
    sw_lab_stable_rates(vs, 1, down, 3);
    CHECK(vs[0].stable_lr == 1e-2, "stable lr: rates in descending order: the largest that trains (%g)", vs[0].stable_lr);
}

/* ---- statistics --------------------------------------------------------- */

/* cand - base = m + s (+1, -1, +1, -1): mean m, sd s sqrt(4/3), so
 * t = m / (sd / 2) = target */
static void pair_at_t(double *cand, double *base, double t, double sign)
{
    const double s = 0.01, m = sign * t * s * sqrt(4.0 / 3.0) / 2;
    for (int i = 0; i < 4; i++) { base[i] = 2.0 + 0.1 * i; cand[i] = base[i] + m + (i % 2 ? -s : s); }
}

static void test_stats(void)
{
    double a[4], b[4], p = 0, d = 0, t = 0;
    sw_verdict v;
    /* df 3: the two-sided 5 % point is t = 3.1824463 */
    pair_at_t(a, b, 3.19, -1);
    v = sw_compare_lower(a, b, 4, 0.05, &p, &d);
    CHECK(v == SW_HELD && p < 0.05 && p > 0.049, "t -3.19: held (p %.5f)", p);
    CHECK(d < 0 && fabs(d + 3.19 * 0.01 * sqrt(4.0 / 3.0) / 2) < 1e-12, "mean difference %.9g", d);
    sw_paired_t(a, b, 4, NULL, &t);
    CHECK(fabs(t + 3.19) < 1e-9, "t statistic -3.19 (%.12g)", t);
    pair_at_t(a, b, 3.17, -1);
    v = sw_compare_lower(a, b, 4, 0.05, &p, &d);
    CHECK(v == SW_INCONCLUSIVE && p > 0.05 && p < 0.051, "t -3.17: inconclusive (p %.5f)", p);
    pair_at_t(a, b, 3.19, +1);
    v = sw_compare_lower(a, b, 4, 0.05, &p, &d);
    CHECK(v == SW_NOT_HELD && d > 0, "t +3.19: not held (p %.5f)", p);
    pair_at_t(a, b, 3.17, +1);
    v = sw_compare_lower(a, b, 4, 0.05, &p, &d);
    CHECK(v == SW_INCONCLUSIVE, "t +3.17: inconclusive (p %.5f)", p);
    /* alpha is the caller's */
    pair_at_t(a, b, 3.17, -1);
    v = sw_compare_lower(a, b, 4, 0.06, &p, &d);
    CHECK(v == SW_HELD, "t -3.17 at alpha 0.06: held");
    CHECK(fabs(sw_t_pvalue(3.1824463, 3) - 0.05) < 1e-6, "t(3) quantile: p %.9g", sw_t_pvalue(3.1824463, 3));
    /* a NaN seed (a diverged run) is no evidence: never held */
    double c[4] = {1.0, 1.1, NAN, 1.2}, e[4] = {2.0, 2.1, 2.2, 2.3};
    v = sw_compare_lower(c, e, 4, 0.05, &p, &d);
    CHECK(v == SW_INCONCLUSIVE && p == 1.0, "NaN candidate seed: inconclusive (p %g)", p);
    v = sw_compare_lower(e, c, 4, 0.05, &p, &d);
    CHECK(v == SW_INCONCLUSIVE, "NaN baseline seed: inconclusive");
    /* a constant difference: zero variance, p 0 */
    for (int i = 0; i < 4; i++) { a[i] = 1.0 + i; b[i] = a[i] + 0.5; }
    v = sw_compare_lower(a, b, 4, 0.05, &p, &d);
    CHECK(v == SW_HELD && p == 0 && d == -0.5, "constant -0.5: held, p 0");
    /* sample standard deviation */
    double x[3] = {1, 2, 6};
    CHECK(fabs(sw_std(x, 3) - sqrt(7.0)) < 1e-12 && sw_std(x, 1) == 0, "std: sqrt(7) (%.9g)", sw_std(x, 3));
    /* Kendall's tau-b between the extremes */
    double k1[5] = {1, 2, 3, 4, 5}, k2[5] = {1, 3, 2, 4, 5}, k3[5] = {1, 1, 2, 3, 4}, k4[5] = {5, 4, 3, 2, 1};
    CHECK(fabs(sw_kendall_tau(k1, k2, 5) - 0.8) < 1e-15, "tau: one swap of ten pairs: 0.8 (%.9g)", sw_kendall_tau(k1, k2, 5));
    /* 9 concordant, 0 discordant, 1 tie in k3: 9 / sqrt(10 * 9) */
    CHECK(fabs(sw_kendall_tau(k1, k3, 5) - 9 / sqrt(90.0)) < 1e-15, "tau-b with a tie (%.9g)", sw_kendall_tau(k1, k3, 5));
    CHECK(fabs(sw_kendall_tau(k3, k4, 5) + 9 / sqrt(90.0)) < 1e-15, "tau-b with a tie, reversed (%.9g)", sw_kendall_tau(k3, k4, 5));
    CHECK(fabs(sw_kendall_tau(k2, k4, 5) + 0.8) < 1e-15, "tau: -0.8 (%.9g)", sw_kendall_tau(k2, k4, 5));
}

static void test_verdict_rules(void)
{
    CHECK(sw_verdict_dead(0.000999) == SW_HELD && sw_verdict_dead(0.001) == SW_INCONCLUSIVE, "dead: 0.1 %% boundary");
    CHECK(sw_verdict_dead(0.01) == SW_INCONCLUSIVE && sw_verdict_dead(0.0101) == SW_NOT_HELD, "dead: 1 %% boundary");
    CHECK(sw_verdict_dead(0.002) == SW_INCONCLUSIVE && sw_verdict_dead(0.05) == SW_NOT_HELD, "dead: between and above");
    /* stability: every combination of the three signs */
    int bad = 0;
    for (int lr = -1; lr <= 1; lr++)
        for (int sp = -1; sp <= 1; sp++)
            for (int sm = -1; sm <= 1; sm++) {
                sw_verdict want = lr < 0 || sm < 0 ? SW_NOT_HELD
                                : sp >= 0 && (lr > 0 || sp > 0 || sm > 0) ? SW_HELD : SW_INCONCLUSIVE;
                sw_verdict got = sw_verdict_stability(lr, sp, sm);
                if (got != want) { bad++; printf("  stability(%d, %d, %d) = %d, want %d\n", lr, sp, sm, got, want); }
            }
    CHECK(bad == 0, "stability: 27 sign combinations, %d wrong", bad);
    CHECK(sw_verdict_stability(0, 0, -1) == SW_NOT_HELD && sw_verdict_stability(0, 0, 1) == SW_HELD, "stability: jitter alone decides");
    sw_verdict none[1] = {SW_HELD}, ni[3] = {SW_INCONCLUSIVE, SW_NOT_HELD, SW_HELD}, ii[2] = {SW_INCONCLUSIVE, SW_INCONCLUSIVE};
    CHECK(sw_verdict_all(none, 0) == SW_INCONCLUSIVE, "no baseline: inconclusive");
    CHECK(sw_verdict_all(none, 1) == SW_HELD && sw_verdict_all(ni, 3) == SW_NOT_HELD && sw_verdict_all(ii, 2) == SW_INCONCLUSIVE,
          "combining: one held, one not held among three, all inconclusive");
    CHECK(!strcmp(sw_verdict_name(SW_HELD), "held") && !strcmp(sw_verdict_name(SW_NOT_HELD), "not held") &&
          !strcmp(sw_verdict_name(SW_INCONCLUSIVE), "inconclusive"), "verdict names");
}

/* ---- the claims from summaries ------------------------------------------ */

enum { S = 4 };

/* a summary: val = v0 + seed noise, jitter j + noise, acc a + noise */
static void fill(sw_lab_summary *s, double val, double jit, double acc, double stable_lr, double spikes, double dead)
{
    static const double noise[S] = {0.002, -0.001, 0.0, 0.003};
    memset(s, 0, sizeof *s);
    s->seeds_done = S;
    s->expr_done = S;
    for (int i = 0; i < S; i++) {
        s->val[i] = val + noise[i];
        s->jitter[i] = jit + noise[i];
        s->acc[i] = acc + noise[i];
        s->spikes[i] = i == 0 ? spikes : 0;
    }
    s->stable_lr = stable_lr;
    s->dead_end = dead;
}

static int idx(const char *name) { return sw_lab_plan_variant(&plan, name); }

static void test_decide(void)
{
    char err[256];
    if (sw_lab_plan_make(&plan, "tiny", "relu,gelu,swiglu", S, err, sizeof err)) {
        CHECK(0, "plan: %s", err);
        return;
    }
    const int sw = idx("swiglu"), re = idx("relu"), ge = idx("gelu");
    sw_lab_summary vs[3];
    sw_lab_claims c;
    /* SwiGLU better on every count */
    fill(&vs[re], 2.00, 0.30, 0.70, 1e-2, 2, 0.30);
    fill(&vs[ge], 2.01, 0.31, 0.71, 1e-2, 1, 0.00);
    fill(&vs[sw], 1.95, 0.20, 0.90, 3e-2, 0, 0.0005);
    sw_lab_decide(&c, &plan, vs);
    CHECK(c.v[0] == SW_HELD && c.v[1] == SW_HELD && c.v[2] == SW_HELD && c.v[3] == SW_HELD,
          "SwiGLU better: held x4 (%d %d %d %d)", c.v[0], c.v[1], c.v[2], c.v[3]);
    CHECK(strstr(c.line[0], "-0.0500 vs relu") && strstr(c.line[0], "-0.0600 vs gelu") && strstr(c.line[0], "4 seeds"),
          "claim 1 line: '%s'", c.line[0]);
    CHECK(strstr(c.line[1], "SwiGLU 0.03, relu 0.01, gelu 0.01") && strstr(c.line[1], "SwiGLU 0, relu 2, gelu 1") &&
          strstr(c.line[1], "SwiGLU smoother than relu, SwiGLU smoother than gelu"), "claim 2 line: '%s'", c.line[1]);
    CHECK(strstr(c.line[2], "0.05 % dead") && strstr(c.line[2], "ReLU's 30.00 %"), "claim 3 line: '%s'", c.line[2]);
    CHECK(strstr(c.line[3], "SwiGLU 0.901 vs relu 0.701") && strstr(c.line[3], "vs gelu 0.711"), "claim 4 line: '%s'", c.line[3]);

    /* the same numbers with SwiGLU and ReLU swapped: the baseline is now better */
    sw_lab_summary sv[3];
    memcpy(sv, vs, sizeof sv);
    sv[sw] = vs[re]; sv[re] = vs[sw];
    sw_lab_decide(&c, &plan, sv);
    CHECK(c.v[0] == SW_NOT_HELD && c.v[1] == SW_NOT_HELD && c.v[2] == SW_NOT_HELD && c.v[3] == SW_NOT_HELD,
          "swapped with ReLU: not held x4 (%d %d %d %d)", c.v[0], c.v[1], c.v[2], c.v[3]);
    CHECK(strstr(c.line[1], "SwiGLU rougher than relu, SwiGLU smoother than gelu"), "claim 2 line, swapped: '%s'", c.line[1]);

    /* one baseline against, the other for: not held; one level: inconclusive */
    fill(&vs[sw], 2.005, 0.20, 0.90, 3e-2, 0, 0.0005);
    vs[sw].acc[0] = vs[re].acc[0];  /* ties ReLU on a seed: no longer a constant gap */
    sw_lab_decide(&c, &plan, vs);
    CHECK(c.v[0] == SW_NOT_HELD, "worse than relu, better than gelu: not held: %d ('%s')", c.v[0], c.line[0]);
    fill(&vs[sw], 2.003, 0.30, 0.70, 1e-2, 2, 0.005);
    for (int i = 0; i < S; i++) { vs[sw].val[i] = vs[re].val[i] + (i % 2 ? 0.01 : -0.01); }
    sw_lab_decide(&c, &plan, vs);
    CHECK(c.v[0] == SW_INCONCLUSIVE, "level with relu, within the spread of gelu: inconclusive: %d ('%s')", c.v[0], c.line[0]);
    CHECK(c.v[2] == SW_INCONCLUSIVE, "0.5 %% dead: inconclusive (%d)", c.v[2]);
    CHECK(c.v[3] == SW_NOT_HELD, "accuracy level with relu, below gelu: not held (%d)", c.v[3]);

    /* claim 2 branch by branch: level everywhere, then one sign each */
    fill(&vs[re], 2.0, 0.3, 0.7, 1e-2, 0, 0);
    fill(&vs[ge], 2.0, 0.3, 0.7, 1e-2, 0, 0);
    fill(&vs[sw], 2.0, 0.3, 0.7, 1e-2, 0, 0);
    sw_lab_decide(&c, &plan, vs);
    CHECK(c.v[1] == SW_INCONCLUSIVE && c.v[0] == SW_INCONCLUSIVE && c.v[3] == SW_INCONCLUSIVE, "all level: inconclusive (%d %d %d)",
          c.v[0], c.v[1], c.v[3]);
    CHECK(strstr(c.line[1], "SwiGLU level with relu, SwiGLU level with gelu"), "claim 2 level line: '%s'", c.line[1]);
    vs[sw].stable_lr = 3e-2;
    sw_lab_decide(&c, &plan, vs);
    CHECK(c.v[1] == SW_HELD, "a larger stable rate than both: held (%d)", c.v[1]);
    vs[ge].stable_lr = 3e-2;
    sw_lab_decide(&c, &plan, vs);
    CHECK(c.v[1] == SW_INCONCLUSIVE, "a larger stable rate than one, equal to the other: inconclusive (%d)", c.v[1]);
    vs[ge].stable_lr = 1e-1;
    sw_lab_decide(&c, &plan, vs);
    CHECK(c.v[1] == SW_NOT_HELD, "a smaller stable rate than one: not held (%d)", c.v[1]);
    vs[ge].stable_lr = vs[sw].stable_lr = 1e-2;
    vs[re].spikes[1] = 1; vs[ge].spikes[2] = 3;
    sw_lab_decide(&c, &plan, vs);
    CHECK(c.v[1] == SW_HELD, "fewer spikes than both (over all seeds): held (%d)", c.v[1]);
    vs[sw].spikes[3] = 2;
    sw_lab_decide(&c, &plan, vs);
    CHECK(c.v[1] == SW_INCONCLUSIVE, "more spikes than relu, fewer than gelu: inconclusive (%d)", c.v[1]);
    vs[sw].spikes[3] = 0; vs[re].spikes[1] = 0; vs[ge].spikes[2] = 0;
    for (int i = 0; i < S; i++) vs[sw].jitter[i] += 0.05;
    sw_lab_decide(&c, &plan, vs);
    CHECK(c.v[1] == SW_NOT_HELD, "rougher gradient norm: not held (%d)", c.v[1]);
    for (int i = 0; i < S; i++) vs[sw].jitter[i] -= 0.1;
    sw_lab_decide(&c, &plan, vs);
    CHECK(c.v[1] == SW_HELD, "smoother gradient norm: held (%d)", c.v[1]);
    vs[sw].stable_lr = 3e-3;
    sw_lab_decide(&c, &plan, vs);
    CHECK(c.v[1] == SW_NOT_HELD, "smoother but a smaller stable rate: not held (%d)", c.v[1]);

    /* claim 3 reads the candidate's end fraction, at the boundaries */
    fill(&vs[re], 2.0, 0.3, 0.7, 1e-2, 0, 0.5);
    const double dead[4] = {0.000999, 0.001, 0.01, 0.0101};
    const sw_verdict want[4] = {SW_HELD, SW_INCONCLUSIVE, SW_INCONCLUSIVE, SW_NOT_HELD};
    for (int k = 0; k < 4; k++) {
        vs[sw].dead_end = dead[k];
        sw_lab_decide(&c, &plan, vs);
        CHECK(c.v[2] == want[k], "claim 3 at %g dead: %d, want %d", dead[k], c.v[2], want[k]);
    }
    vs[sw].seeds_done = 0;
    sw_lab_decide(&c, &plan, vs);
    CHECK(c.v[2] == SW_INCONCLUSIVE, "claim 3 without a finished SwiGLU run: inconclusive");
    vs[sw].seeds_done = S;

    /* claim 4: accuracy, higher is better */
    fill(&vs[re], 2.0, 0.3, 0.70, 1e-2, 0, 0);
    fill(&vs[ge], 2.0, 0.3, 0.75, 1e-2, 0, 0);
    fill(&vs[sw], 2.0, 0.3, 0.80, 1e-2, 0, 0);
    sw_lab_decide(&c, &plan, vs);
    CHECK(c.v[3] == SW_HELD, "higher accuracy: held (%d)", c.v[3]);
    fill(&vs[sw], 2.0, 0.3, 0.65, 1e-2, 0, 0);
    sw_lab_decide(&c, &plan, vs);
    CHECK(c.v[3] == SW_NOT_HELD, "lower accuracy: not held (%d)", c.v[3]);
    vs[sw].expr_done = 0;
    sw_lab_decide(&c, &plan, vs);
    CHECK(c.v[3] == SW_INCONCLUSIVE, "no expressivity run: inconclusive (%d)", c.v[3]);

    /* diverged seeds (NaN loss, NaN jitter) never make a claim hold */
    fill(&vs[re], 2.0, 0.3, 0.7, 1e-2, 0, 0);
    fill(&vs[ge], 2.0, 0.3, 0.7, 1e-2, 0, 0);
    fill(&vs[sw], 1.5, 0.1, 0.7, 1e-2, 0, 0);
    vs[sw].val[2] = NAN; vs[sw].jitter[2] = NAN;
    sw_lab_decide(&c, &plan, vs);
    CHECK(c.v[0] == SW_INCONCLUSIVE && c.v[1] == SW_INCONCLUSIVE, "a diverged SwiGLU seed: inconclusive (%d %d)", c.v[0], c.v[1]);
    CHECK(strstr(c.line[0], "nan vs relu") != NULL, "the line shows the NaN: '%s'", c.line[0]);

    /* one baseline is enough; none, or no SwiGLU: not evaluated */
    static sw_lab_plan one;
    if (sw_lab_plan_make(&one, "tiny", "gelu,swiglu", S, err, sizeof err) == 0) {
        sw_lab_summary o[2];
        fill(&o[sw_lab_plan_variant(&one, "gelu")], 2.0, 0.3, 0.7, 1e-2, 0, 0);
        fill(&o[sw_lab_plan_variant(&one, "swiglu")], 1.9, 0.3, 0.7, 1e-2, 0, 0.5);
        sw_lab_decide(&c, &one, o);
        CHECK(c.v[0] == SW_HELD && !strstr(c.line[0], "relu") && c.v[2] == SW_NOT_HELD && !strstr(c.line[2], "ReLU"),
              "gelu only: held against it ('%s', '%s')", c.line[0], c.line[2]);
    } else CHECK(0, "plan gelu,swiglu: %s", err);
    if (sw_lab_plan_make(&one, "tiny", "swiglu,geglu", S, err, sizeof err) == 0) {
        sw_lab_summary o[2];
        fill(&o[0], 2.0, 0.3, 0.7, 1e-2, 0, 0);
        fill(&o[1], 1.9, 0.3, 0.9, 1e-2, 0, 0);
        sw_lab_decide(&c, &one, o);
        CHECK(c.v[0] == SW_INCONCLUSIVE && c.v[1] == SW_INCONCLUSIVE && c.v[3] == SW_INCONCLUSIVE && c.v[2] == SW_HELD &&
              strstr(c.line[0], "not evaluated") && strstr(c.line[3], "not evaluated"), "no baseline: not evaluated ('%s')", c.line[0]);
    } else CHECK(0, "plan swiglu,geglu: %s", err);
    if (sw_lab_plan_make(&one, "tiny", "relu,gelu", S, err, sizeof err) == 0) {
        sw_lab_summary o[2];
        fill(&o[0], 2.0, 0.3, 0.7, 1e-2, 0, 0);
        fill(&o[1], 1.9, 0.3, 0.9, 1e-2, 0, 0);
        sw_lab_decide(&c, &one, o);
        CHECK(c.v[2] == SW_INCONCLUSIVE && !strcmp(c.line[2], "not evaluated: needs swiglu in --variants"),
              "no swiglu: '%s'", c.line[2]);
    } else CHECK(0, "plan relu,gelu: %s", err);
}

/* ---- sw_lab_report on a folder of constructed runs ---------------------- */

static int put(const char *dir, const char *file, const char *text)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    int ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* per variant: val loss, gradient-norm ratio (jitter ln r), end dead
 * fraction (worst seed; the others a tenth), sweep losses, accuracy */
typedef struct fake { double val, ratio, dead, sweep[2], acc; } fake;

static int write_runs(const char *out, const fake *fk)
{
    char dir[4400], buf[8192];
    snprintf(dir, sizeof dir, "%s/runs", out);
    if (mkdir(out, 0755) || mkdir(dir, 0755)) return -1;
    for (size_t i = 0; i < plan.n_runs; i++) {
        const sw_lab_run *r = &plan.runs[i];
        const fake *f = &fk[r->variant];
        snprintf(dir, sizeof dir, "%s/runs/%s", out, r->id);
        if (mkdir(dir, 0755)) return -1;
        if (r->kind == SW_RUN_SWEEP) {
            snprintf(buf, sizeof buf, "status=done\nfinal_val_loss=%.6f\n", f->sweep[r->rate]);
            if (put(dir, "result.txt", buf)) return -1;
            continue;
        }
        if (r->kind == SW_RUN_EXPR) {
            snprintf(buf, sizeof buf, "final_acc=%.6f\n", f->acc + 0.01 * r->seed);
            if (put(dir, "result.txt", buf)) return -1;
            continue;
        }
        double val = f->val + 0.001 * r->seed * r->seed;
        snprintf(buf, sizeof buf, "status=done\nfinal_val_loss=%.6f\nfinal_train_loss=%.6f\nparams=1000\n"
                 "ffn_params_per_layer=300\nd_ff=%d\nsteps=24\ntokens=3072\nwall_s=1\n", val, val - 0.1, 100 + r->variant);
        if (put(dir, "result.txt", buf)) return -1;
        /* 24 steps (warmup 4): the norm is 50 for steps 1-3, then alternates 1 and ratio */
        size_t k = (size_t)snprintf(buf, sizeof buf, "step,loss,lr,grad_norm\n");
        for (int s = 1; s <= 24; s++)
            k += (size_t)snprintf(buf + k, sizeof buf - k, "%d,3.0,0.001,%.9g\n", s, s <= 3 ? 50.0 : s % 2 ? f->ratio : 1.0);
        if (put(dir, "steps.csv", buf)) return -1;
        double de = r->seed == 1 ? f->dead : f->dead / 10;
        /* two layers: the dead fraction is the worse layer's, the zero
         * fraction the layers' mean (0.3), the flow log10(gn0 / gn1) = 1 */
        snprintf(buf, sizeof buf, "step,train_loss,val_loss,grad_norm,gn0,gn1,dead0,dead1,zero0,zero1\n0,4,4,1,2,2,0.02,0.01,0.1,0.1\n"
                 "24,%.6f,%.6f,1,0.5,0.05,%.6f,%.6f,0.2,0.4\n", val, val, de, de / 2);
        if (put(dir, "evals.csv", buf)) return -1;
    }
    return 0;
}

/* the value in column col of the CSV row whose first field is key (and second, if given) */
static double csv_value(const char *path, const char *key, const char *key2, int col)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    double v = -999;
    if (!f) return v;
    while (fgets(line, sizeof line, f)) {
        char *fld[16];
        int n = 0;
        for (char *s = strtok(line, ",\n"); s && n < 16; s = strtok(NULL, ",\n")) fld[n++] = s;
        if (n > col && !strcmp(fld[0], key) && (!key2 || !strcmp(fld[1], key2))) { v = strtod(fld[col], NULL); break; }
    }
    fclose(f);
    return v;
}

static int file_has(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return strstr(buf, needle) != NULL;
}

static void test_report(void)
{
    char err[256], tmpl[] = "/tmp/swiglu-claims.XXXXXX";
    if (sw_lab_plan_make(&plan, "tiny", "relu,gelu,swiglu", 3, err, sizeof err)) { CHECK(0, "plan: %s", err); return; }
    plan.preset.n_layer = 2;   /* per-layer metrics need two layers to differ (tiny has one) */
    char *root = mkdtemp(tmpl);
    if (!root) { CHECK(0, "mkdtemp"); return; }
    const int sw = idx("swiglu"), re = idx("relu"), ge = idx("gelu");
    fake fk[3];
    /* rates 3e-3, 3e-2; best 2.0: trains up to 2.5 */
    fk[re] = (fake){2.00, 2.0, 0.30, {2.0, NAN}, 0.70};
    fk[ge] = (fake){2.02, 2.0, 0.00, {2.1, 2.6}, 0.72};
    fk[sw] = (fake){1.95, 1.5, 0.0005, {2.2, 2.5}, 0.90};
    sw_lab_meta meta = {"constructed", "swiglu compare (test)", "avx2", 1, 1, 0.0, 65, "char"};
    for (int pass = 0; pass < 2; pass++) {
        char out[4200], path[4300];
        snprintf(out, sizeof out, "%s/%s", root, pass ? "swapped" : "runs");
        CHECK(write_runs(out, fk) == 0, "constructed runs written in %s", out);
        int v[4] = {-1, -1, -1, -1};
        CHECK(sw_lab_report(&plan, out, &meta, v, err, sizeof err) == SWIGLU_OK, "report: %s", err);
        const int want = pass ? SW_NOT_HELD : SW_HELD;
        CHECK(v[0] == want && v[1] == want && v[2] == want && v[3] == want, "pass %d: verdicts %d %d %d %d, want %d", pass,
              v[0], v[1], v[2], v[3], want);
        snprintf(path, sizeof path, "%s/report.md", out);
        CHECK(file_has(path, pass ? "| 1. lower perplexity at an equal parameter count | **not held** |"
                                  : "| 1. lower perplexity at an equal parameter count | **held** |"), "report.md claim 1 row");
        const char *cand = pass ? "relu" : "swiglu", *rel = pass ? "swiglu" : "relu";
        /* the metrics' values as read back from the runs */
        snprintf(path, sizeof path, "%s/summary.csv", out);
        CHECK(fabs(csv_value(path, cand, "1", 8) - log(1.5)) < 1e-6, "summary: jitter ln 1.5 (%.6f)", csv_value(path, cand, "1", 8));
        CHECK(fabs(csv_value(path, rel, "2", 8) - log(2.0)) < 1e-6, "summary: jitter ln 2 (%.6f)", csv_value(path, rel, "2", 8));
        CHECK(fabs(csv_value(path, cand, "2", 2) - 1.954) < 1e-9, "summary: val loss of seed 2 (%.6f)", csv_value(path, cand, "2", 2));
        CHECK(csv_value(path, cand, "0", 7) == 0, "summary: no spikes");
        CHECK(fabs(csv_value(path, cand, "0", 9) - 1.0) < 1e-6, "summary: gradient flow, first layer's norm over the last's: log10 10 = 1 (%.6f)",
              csv_value(path, cand, "0", 9));
        snprintf(path, sizeof path, "%s/lr_sweep.csv", out);
        CHECK(csv_value(path, cand, "0.03", 3) == 1 && csv_value(path, rel, "0.03", 3) == 0 && csv_value(path, "gelu", "0.03", 3) == 0 &&
              csv_value(path, "gelu", "0.003", 3) == 1, "lr_sweep: trains at 0.03 only for the candidate (2.5 <= 1.25 x 2.0)");
        snprintf(path, sizeof path, "%s/dead_units.csv", out);
        CHECK(fabs(csv_value(path, rel, NULL, 2) - 0.30) < 1e-9 && fabs(csv_value(path, rel, NULL, 1) - 0.02) < 1e-9 &&
              fabs(csv_value(path, rel, NULL, 3) - 0.3) < 1e-9, "dead_units: end max over seeds and layers 0.30, init 0.02, zero mean of layers 0.3 (%g %g %g)",
              csv_value(path, rel, NULL, 2), csv_value(path, rel, NULL, 1), csv_value(path, rel, NULL, 3));
        snprintf(path, sizeof path, "%s/expressivity.csv", out);
        CHECK(fabs(csv_value(path, cand, "2", 2) - 0.92) < 1e-9, "expressivity: accuracy of seed 2 (%g)", csv_value(path, cand, "2", 2));
        /* the second pass: SwiGLU's and ReLU's runs swapped */
        fake t = fk[sw]; fk[sw] = fk[re]; fk[re] = t;
    }
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK(system(cmd) == 0, "removing %s", root);
}

int main(void)
{
    test_step_metrics();
    test_stable_rates();
    test_stats();
    test_verdict_rules();
    test_decide();
    test_report();
    return tl_finish("test_lab_claims");
}
