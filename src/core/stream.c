/* stream.c -- when the elementwise kernels write with streaming stores.
 *
 * A normal store first reads its cache line (write-allocate), so a kernel
 * that reads 2 streams and writes 1 moves 4 through the memory bus; a
 * streaming (non-temporal) store writes the line without that read and
 * without keeping it in the cache: 3. Worth it only when the output would
 * not stay in the cache for its reader anyway: below the threshold the next
 * operation (the down projection's GEMM, the next layer's backward) reads
 * what was just written from L2 or L3, and a streamed output would have to
 * come back from memory. The threshold counts every output of one call. */
#include <stdatomic.h>
#include "core/internal.h"

static _Atomic size_t stream_bytes = SWIGLU_STREAM_DEFAULT;

swiglu_status swiglu_stream_threshold_set(size_t bytes)
{
    atomic_store(&stream_bytes, bytes);
    return SWIGLU_OK;
}

size_t swiglu_stream_threshold_get(void) { return atomic_load(&stream_bytes); }

int sw_stream_wanted(size_t elements, size_t outputs)
{
    size_t bytes, t = atomic_load(&stream_bytes);
    if (t == SIZE_MAX) return 0;
    /* a size that overflows is larger than any threshold */
    if (!sw_mul_ok(&bytes, elements, outputs) || !sw_mul_ok(&bytes, bytes, sizeof(float))) return 1;
    return bytes >= t;
}
