/* embedding.c -- token embedding lookup, forward and backward.
 * Legend: N rows (= B*T tokens), D d_model, V vocabulary. */
#include <string.h>
#include "core/threads.h"
#include "model/layers.h"
#ifdef _OPENMP
#include <omp.h>
#endif

/* out[n,:] = emb[tok[n],:]    out [N x D], emb [V x D], tok [N] */
void sw_embedding_forward(float *out, const float *emb, const int *tok, size_t N, size_t D)
{
    int nth = swiglu_threads_get();
    SW_PRAGMA(omp parallel for num_threads(nth) schedule(static) if (N * D > SW_PAR_MIN))
    for (size_t n = 0; n < N; n++)
        memcpy(out + n * D, emb + (size_t)tok[n] * D, D * sizeof(float));
}

/* d emb[v,j] = sum over n with tok[n] = v of dout[n,j].
 * Threads own disjoint column ranges and walk the rows in order, so repeated
 * tokens sum in the same order for any thread count. */
void sw_embedding_backward(float *demb, const float *dout, const int *tok, size_t N, size_t D)
{
    int nth = swiglu_threads_get();
    SW_PRAGMA(omp parallel num_threads(nth) if (N * D > SW_PAR_MIN))
    {
        int ith = 0, got = 1;
#ifdef _OPENMP
        ith = omp_get_thread_num(); got = omp_get_num_threads();
#endif
        size_t j0, j1;
        sw_partition(&j0, &j1, D, 16, ith, got);
        for (size_t n = 0; n < N; n++) {
            float *d = demb + (size_t)tok[n] * D;
            const float *s = dout + n * D;
            for (size_t j = j0; j < j1; j++) d[j] += s[j];
        }
    }
}
