/* profile.h -- where a step's time goes: wall time per phase, summed over
 * the steps of a run, when switched on (`swiglu train --profile`,
 * `swiglu generate --profile`, bench/profile_threads.sh).
 *
 * A lap clock: sw_prof_lap(p, phase) charges the time since the previous lap
 * to `phase` and restarts the clock, so one call after each operation of the
 * step attributes every microsecond to exactly one phase. Threads: the laps
 * are taken by the thread that runs the step (after the parallel regions
 * and barriers of the operation it ends), so a phase's time includes the
 * fork, the join and the waiting of its threads: comparing a phase at n
 * threads with its time at 1 thread / n gives what the threads lost there.
 * Switched off (the default) a lap is one branch. */
#ifndef SW_MODEL_PROFILE_H
#define SW_MODEL_PROFILE_H
#include <stdio.h>

typedef enum sw_phase {
    SW_PH_DATA,       /* batch sampling (the trainer) */
    SW_PH_EMBED,      /* embedding lookup and its gradient */
    SW_PH_NORM,       /* RMSNorm */
    SW_PH_GEMM,       /* attention projections q k v o and the LM head: GEMMs (matvecs when decoding) */
    SW_PH_FFN,        /* the FFN layer: its GEMMs and its activation (libswiglu's swiglu_ffn_*) */
    SW_PH_ATTN,       /* attention scores, softmax, weighted sum */
    SW_PH_ELEM,       /* RoPE, residual adds, dropout, bf16 roundings, zeroing */
    SW_PH_LOSS,       /* cross-entropy (softmax over the vocabulary); sampling when decoding */
    SW_PH_GRADNORM,   /* gradient norm and clipping */
    SW_PH_OPTIM,      /* AdamW */
    SW_PH_COMM,       /* data parallel: the gradients' allreduce (mpirun) */
    SW_PH_WAIT,       /* --split: part 0's thread waiting for the other parts (their phases are not timed) */
    SW_PH_COUNT
} sw_phase;

enum { SW_PROF_FWD, SW_PROF_BWD, SW_PROF_DIRS };

typedef struct sw_profile {
    int on;
    int dir;                                  /* SW_PROF_FWD or SW_PROF_BWD: where laps go */
    double last;                              /* the clock's last lap, seconds */
    double sec[SW_PH_COUNT][SW_PROF_DIRS];    /* summed over the profiled steps */
    double step_sec;                          /* the steps' whole wall time */
    long long steps;
} sw_profile;

double sw_prof_now(void);                     /* monotonic seconds */
const char *sw_phase_name(sw_phase ph);

/* Restarts the clock; later laps go to direction dir. */
static inline void sw_prof_begin(sw_profile *p, int dir)
{
    if (p && p->on) { p->dir = dir; p->last = sw_prof_now(); }
}

static inline void sw_prof_lap(sw_profile *p, sw_phase ph)
{
    if (p && p->on) {
        double t = sw_prof_now();
        p->sec[ph][p->dir] += t - p->last;
        p->last = t;
    }
}

/* Zeroes the sums, keeps `on`. */
void sw_prof_reset(sw_profile *p);

/* The table: per phase milliseconds per step forward / backward / total and
 * the share of the step; `what` names the unit ("step", "token"). */
void sw_prof_print(FILE *f, const sw_profile *p, const char *what, int threads);

#endif
