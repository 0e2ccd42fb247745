/* threads.c -- the thread count of the threaded entry points, and the static
 * partition every threaded kernel uses. One OpenMP runtime serves the library
 * and oneDNN (Debian's build uses libgomp), so there is one pool, not two. */
#include "core/internal.h"
#include "core/threads.h"
#ifdef _OPENMP
#include <omp.h>
#endif

static int threads_wanted = 0; /* 0: OpenMP's default */

swiglu_status swiglu_threads_set(int n)
{
    SW_RETURN_IF(n < 0, SWIGLU_ERR_ARG);
    threads_wanted = n;
    return SWIGLU_OK;
}

int swiglu_threads_get(void)
{
#ifdef _OPENMP
    return threads_wanted > 0 ? threads_wanted : omp_get_max_threads();
#else
    return 1;
#endif
}

void sw_partition(size_t *begin, size_t *end, size_t total, size_t grain, int ith, int nth)
{
    /* Contiguous blocks, each a multiple of `grain` elements (a cache line of
     * floats at least), the last one takes the remainder. Depends only on
     * (total, grain, nth): the same split on every run. */
    size_t blocks = (total + grain - 1) / grain;
    size_t per = blocks / (size_t)nth, extra = blocks % (size_t)nth;
    size_t i = (size_t)ith;
    size_t b0 = i * per + (i < extra ? i : extra);
    size_t nb = per + (i < extra ? 1 : 0);
    size_t b = b0 * grain, e = (b0 + nb) * grain;
    *begin = b < total ? b : total;
    *end = e < total ? e : total;
}

#define SW_MAX_THREADS 256

double sw_parallel_sum(size_t total, size_t grain, sw_span_fn fn, const void *ctx)
{
    double partial[SW_MAX_THREADS];
    size_t blocks = (total + grain - 1) / grain;
    int team = swiglu_threads_get();
    if (team > SW_MAX_THREADS) team = SW_MAX_THREADS;
    if (team < 1) team = 1;
    /* the split: at most one block a thread; the team: always the full
     * count, idle threads beyond the split (OpenMP ends the surplus threads
     * of its pool when a smaller team follows a larger one, and starts them
     * again for the next large one: a thread creation per call) */
    int nth = (size_t)team > blocks ? (int)blocks : team;
    if (nth < 1) nth = 1;
    for (int t = 0; t < nth; t++) partial[t] = 0.0;
#ifdef _OPENMP
#pragma omp parallel num_threads(team) if (nth > 1)
#endif
    {
#ifdef _OPENMP
        int ith = omp_get_thread_num(), got = omp_get_num_threads();
#else
        int ith = 0, got = 1;
#endif
        /* the runtime may grant fewer threads than asked: the partition stays
         * that of nth, so the result does not depend on what was granted */
        for (int t = ith; t < nth; t += got) {
            size_t b, e;
            sw_partition(&b, &e, total, grain, t, nth);
            partial[t] = b < e ? fn(ctx, b, e) : 0.0;
        }
    }
    double sum = 0.0;
    for (int t = 0; t < nth; t++) sum += partial[t];
    return sum;
}
