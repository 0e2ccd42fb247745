/* test_tuner.c -- the measured thread count (src/model/tuner.h) on made-up
 * step times: the faster count wins, a tie within 3 % goes to fewer threads,
 * a count that loses by 1.5x is dropped after one timed step, a slowdown
 * of 3 steps at 2x the chosen median measures again at once, and the
 * periodic measurement comes back after `recheck` steps. */
#include <stdio.h>
#include "support/testlib.h"
#include "model/tuner.h"

/* Runs steps from *step until the tuner decides (or limit steps), with
 * step time time_of(threads); returns the steps it took. *cur follows the
 * tuner's switches. */
static int run(sw_thread_tuner *u, long long *step, int *cur, double (*time_of)(int), int limit)
{
    int d0 = u->decisions, k = 0;
    for (; k < limit && u->decisions == d0; k++) {
        int n = sw_tuner_before(u, *step);
        if (n) *cur = n;
        double dt = time_of(*cur);
        ++*step;
        if ((n = sw_tuner_after(u, *step, dt))) *cur = n;
    }
    return k;
}

static double quiet(int n) { return n == 1 ? 0.040 : n == 2 ? 0.025 : 0.022; }
static double busy(int n) { return n == 1 ? 0.040 : 0.300; }
static double tie(int n) { return n == 1 ? 0.040 : 0.0395; }

int main(void)
{
    sw_thread_tuner u;
    long long step = 0;
    int cur = 2;
    sw_tuner_init(&u, 4, 100, 0);
    CHECK(u.ncand == 3 && u.cand[0] == 1 && u.cand[1] == 2 && u.cand[2] == 4, "candidates 1, 2, 4 (%d)", u.ncand);
    int k = run(&u, &step, &cur, quiet, 100);
    CHECK(u.chosen == 4 && cur == 4, "quiet: the fastest count wins (chose %d)", u.chosen);
    CHECK(k == 12, "quiet: 3 candidates x (1 warm-up + 3 timed) steps (took %d)", k);

    sw_tuner_init(&u, 2, 100, step);
    k = run(&u, &step, &cur, busy, 100);
    CHECK(u.chosen == 1 && cur == 1, "busy: 1 thread (chose %d)", u.chosen);
    CHECK(k == 6, "busy: 2 threads dropped after its first timed step (took %d steps)", k);

    sw_tuner_init(&u, 2, 100, step);
    run(&u, &step, &cur, tie, 100);
    CHECK(u.chosen == 1, "a 1.3 %% gain is a tie: fewer threads (chose %d)", u.chosen);

    /* chosen 2 on a quiet machine; then the machine gets busy */
    sw_tuner_init(&u, 2, 1000, step);
    run(&u, &step, &cur, quiet, 100);
    CHECK(u.chosen == 2, "quiet again: 2 threads");
    long long before = step;
    k = run(&u, &step, &cur, busy, 100);
    CHECK(u.early == 1 && u.chosen == 1, "a slowdown measures again at once (early %d, chose %d)", u.early, u.chosen);
    CHECK(step - before <= 3 + 8, "and within 3 slow steps plus the measurement (took %lld)", step - before);

    /* the periodic measurement: after recheck steps the quiet machine gets 2 back */
    sw_tuner_init(&u, 2, 50, step);
    run(&u, &step, &cur, busy, 100);
    k = run(&u, &step, &cur, quiet, 200);
    CHECK(u.chosen == 2 && k >= 50 && k <= 50 + 8, "measured again after 50 steps: 2 threads (took %d)", k);

    sw_tuner_init(&u, 1, 50, 0);
    CHECK(u.max == 0 && sw_tuner_before(&u, 0) == 0, "one core: off");
    return tl_finish("test_tuner");
}
