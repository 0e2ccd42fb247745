/* tuner.h -- the thread count chosen by measurement, for a loop of like
 * steps (training steps; groups of decoded tokens): the candidates 1, 2,
 * 4, ..., max each run 1 warm-up step and SW_TUNE_STEPS timed ones (a count
 * whose timed step takes 1.5x the best median so far is dropped at once),
 * the fastest median wins (more threads must be more than 3 % faster: the
 * cores are left to whatever else runs), and it is measured again every
 * `recheck` steps (doubling, up to 16x, while the choice holds), so that a
 * machine that gets busy (or quiet) is followed, and at once when 3 steps in
 * a row take twice the median of a chosen count above 1. Meant for
 * computations that give the same bits at every thread count (the trainer,
 * tests/test_threads.sh; decoding, llama_infer.c): the choice changes the
 * speed and nothing else. Why measured and not a rule: on a shared machine
 * a second thread that loses its core makes a 2-thread step 3-10x slower
 * (docs/MODEL.md, "Threads"); no model-size rule sees that. */
#ifndef SW_MODEL_TUNER_H
#define SW_MODEL_TUNER_H

enum { SW_TUNE_STEPS = 3, SW_TUNE_MAX_CAND = 12 };
typedef struct sw_thread_tuner {
    int max;                          /* 0: off (threads fixed) */
    long long recheck;                /* steps between measurements */
    int ncand, cand[SW_TUNE_MAX_CAND];
    double med[SW_TUNE_MAX_CAND];     /* seconds a step, median, per candidate */
    int active;                       /* measuring now */
    int ci, k;                        /* candidate, step within it (0: warm-up) */
    double times[SW_TUNE_STEPS];
    long long next;                   /* step at which to measure again */
    int chosen;                       /* the last choice (0 before the first) */
    int decisions;                    /* how many times it chose */
    int slow;                         /* steps in a row at 2x the chosen median */
    int early;                        /* measurements started early by such a slowdown */
    int backoff;                      /* the interval's factor: doubles while the choice holds (<= 16) */
} sw_thread_tuner;

/* max <= 1 or recheck < 1: off. The first measurement starts at step `first`. */
void sw_tuner_init(sw_thread_tuner *u, int max, long long recheck, long long first);
/* Before step `step`: the thread count to switch to, or 0 to keep the current one. */
int sw_tuner_before(sw_thread_tuner *u, long long step);
/* After step `step` took dt seconds: the count to switch to, or 0. */
int sw_tuner_after(sw_thread_tuner *u, long long step, double dt);

#endif
