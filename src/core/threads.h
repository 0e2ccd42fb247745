/* threads.h -- static partition of an index range over threads, and the one
 * parallel loop the elementwise entry points use. */
#ifndef SW_CORE_THREADS_H
#define SW_CORE_THREADS_H
#include <stddef.h>

/* Thread ith of nth gets [*begin, *end) of [0, total), in blocks of grain. */
void sw_partition(size_t *begin, size_t *end, size_t total, size_t grain, int ith, int nth);

/* Work on [b, e) of some job; returns a partial sum (0 when there is none). */
typedef double (*sw_span_fn)(const void *ctx, size_t b, size_t e);

/* Runs fn over [0, total) split statically over swiglu_threads_get() threads
 * (OpenMP); returns the partials summed in thread order: the same bits for a
 * fixed thread count. */
double sw_parallel_sum(size_t total, size_t grain, sw_span_fn fn, const void *ctx);

#endif
