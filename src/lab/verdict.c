/* verdict.c -- see verdict.h. */
#include "lab/stats.h"
#include "lab/verdict.h"

const char *sw_verdict_name(sw_verdict v)
{
    switch (v) {
    case SW_HELD: return "held";
    case SW_NOT_HELD: return "not held";
    default: return "inconclusive";
    }
}

sw_verdict sw_compare_lower(const double *cand, const double *base, size_t n, double alpha,
                            double *p, double *diff)
{
    double d, t;
    double pv = sw_paired_t(cand, base, n, &d, &t);
    if (p) *p = pv;
    if (diff) *diff = d;
    if (pv >= alpha || d == 0) return SW_INCONCLUSIVE;
    return d < 0 ? SW_HELD : SW_NOT_HELD;
}

sw_verdict sw_verdict_all(const sw_verdict *v, size_t n)
{
    int all_held = n > 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == SW_NOT_HELD) return SW_NOT_HELD;
        if (v[i] != SW_HELD) all_held = 0;
    }
    return all_held ? SW_HELD : SW_INCONCLUSIVE;
}

sw_verdict sw_verdict_dead(double f)
{
    if (f < 0.001) return SW_HELD;
    if (f > 0.01) return SW_NOT_HELD;
    return SW_INCONCLUSIVE;
}

sw_verdict sw_verdict_stability(int lr_sign, int spikes_sign, int smooth_sign)
{
    if (lr_sign < 0 || smooth_sign < 0) return SW_NOT_HELD;
    if (spikes_sign >= 0 && (lr_sign > 0 || spikes_sign > 0 || smooth_sign > 0)) return SW_HELD;
    return SW_INCONCLUSIVE;
}
