/* tuner.c -- the measured thread count of tuner.h. */
#include <stdlib.h>
#include <string.h>
#include "model/tuner.h"

void sw_tuner_init(sw_thread_tuner *u, int max, long long recheck, long long first)
{
    memset(u, 0, sizeof *u);
    if (max <= 1 || recheck < 1) return;
    u->max = max;
    u->recheck = recheck;
    /* 1, 2, 4, ... below max, then max: 1 thread first, the safe baseline
     * against which a count that loses is dropped early */
    for (int n = 1; n < max && u->ncand < SW_TUNE_MAX_CAND - 1; n *= 2) u->cand[u->ncand++] = n;
    u->cand[u->ncand++] = max;
    u->next = first;
    u->backoff = 1;
}

int sw_tuner_before(sw_thread_tuner *u, long long step)
{
    if (u->max <= 1 || u->active || step < u->next) return 0;
    u->active = 1; u->ci = 0; u->k = 0;
    return u->cand[0];
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int sw_tuner_after(sw_thread_tuner *u, long long step, double dt)
{
    if (!u->active) {
        /* between measurements: 3 steps in a row at 2x the chosen count's
         * median (another process took a core) measure again at once; only
         * when more than 1 thread was chosen (on 1 thread a busy machine
         * only makes 1 thread slower, and short steps have jitter) */
        if (u->decisions && u->chosen > 1) {
            double chosen_med = 0.0;
            for (int i = 0; i < u->ncand; i++) if (u->cand[i] == u->chosen) chosen_med = u->med[i];
            u->slow = dt > 2.0 * chosen_med ? u->slow + 1 : 0;
            if (u->slow >= 3) { u->slow = 0; u->next = step; u->early++; }
        }
        return 0;
    }
    if (u->k > 0) u->times[u->k - 1] = dt;
    /* a count whose timed step already takes 1.5x the best median so far
     * has lost: dropped at once (on a busy machine a 2-thread step can take
     * 3-10x longer, and measuring it fully would cost more than it saves) */
    int lost = 0;
    if (u->k > 0 && u->ci > 0) {
        double best = u->med[0];
        for (int i = 1; i < u->ci; i++) best = u->med[i] < best ? u->med[i] : best;
        lost = dt > 1.5 * best;
    }
    if (!lost && ++u->k <= SW_TUNE_STEPS) return 0;
    if (lost) u->med[u->ci] = dt;
    else {
        qsort(u->times, SW_TUNE_STEPS, sizeof u->times[0], cmp_double);
        u->med[u->ci] = u->times[SW_TUNE_STEPS / 2];
    }
    u->k = 0;
    if (++u->ci < u->ncand) return u->cand[u->ci];
    /* more threads must be more than 3 % faster to be kept */
    int best = 0;
    for (int i = 1; i < u->ncand; i++)
        if (u->med[i] < u->med[best] / 1.03) best = i;
    /* the same choice again: measure half as often (up to 16x the interval) */
    if (u->decisions && u->cand[best] == u->chosen && u->backoff < 16) u->backoff *= 2;
    else if (!u->decisions || u->cand[best] != u->chosen) u->backoff = 1;
    u->chosen = u->cand[best];
    u->decisions++;
    u->active = 0;
    u->next = step + u->recheck * u->backoff;
    return u->chosen;
}
