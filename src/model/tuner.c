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
    for (int n = max; n >= 1 && u->ncand < SW_TUNE_MAX_CAND; n /= 2) u->cand[u->ncand++] = n;
    if (u->cand[u->ncand - 1] != 1) u->cand[u->ncand - 1] = 1;   /* 1 thread is always tried */
    u->next = first;
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
    if (!u->active) return 0;
    if (u->k > 0) u->times[u->k - 1] = dt;
    if (++u->k <= SW_TUNE_STEPS) return 0;
    qsort(u->times, SW_TUNE_STEPS, sizeof u->times[0], cmp_double);
    u->med[u->ci] = u->times[SW_TUNE_STEPS / 2];
    u->k = 0;
    if (++u->ci < u->ncand) return u->cand[u->ci];
    int best = 0;
    for (int i = 1; i < u->ncand; i++)
        if (u->med[i] <= u->med[best] * 1.03) best = i;
    u->chosen = u->cand[best];
    u->decisions++;
    u->active = 0;
    u->next = step + u->recheck;
    return u->chosen;
}
