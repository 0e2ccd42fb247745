/* crossentropy.c -- softmax cross-entropy over the vocabulary.
 * Legend: N rows (tokens), V vocabulary.
 *   p = softmax(z),  loss = -log p_t = log sum_j e^{z_j} - z_t
 *   d loss / d z_j = p_j - [j = t]
 */
#include <math.h>
#include "model/layers.h"

/* losses [N], probs [N x V] (may be logits); logits [N x V], tgt [N] */
void sw_crossentropy_forward(float *losses, float *probs, const float *logits,
                             const int *tgt, size_t N, size_t V)
{
    int nth = swiglu_threads_get();
    SW_PRAGMA(omp parallel for num_threads(nth) schedule(static) if (N * V > SW_PAR_MIN))
    for (size_t n = 0; n < N; n++) {
        const float *z = logits + n * V;
        float *p = probs + n * V;
        float mx = z[0];
        for (size_t j = 1; j < V; j++) mx = z[j] > mx ? z[j] : mx;
        float zt = tgt[n] >= 0 ? z[tgt[n]] : 0.0f;   /* read before p overwrites z */
        double sum = 0.0;
        for (size_t j = 0; j < V; j++) { p[j] = expf(z[j] - mx); sum += p[j]; }
        float inv = (float)(1.0 / sum);
        for (size_t j = 0; j < V; j++) p[j] *= inv;
        losses[n] = tgt[n] >= 0 ? (float)(log(sum) + (double)mx - (double)zt) : 0.0f;
    }
}

/* dlogits [N x V] += scale (p - onehot(t)); in place (dlogits == probs) overwrites */
void sw_crossentropy_backward(float *dlogits, const float *probs, const int *tgt,
                              size_t N, size_t V, float scale)
{
    int nth = swiglu_threads_get();
    int inplace = dlogits == probs;
    SW_PRAGMA(omp parallel for num_threads(nth) schedule(static) if (N * V > SW_PAR_MIN))
    for (size_t n = 0; n < N; n++) {
        const float *p = probs + n * V;
        float *d = dlogits + n * V;
        int t = tgt[n];
        for (size_t j = 0; j < V; j++) {
            float g = t < 0 ? 0.0f : scale * (p[j] - ((int)j == t ? 1.0f : 0.0f));
            d[j] = inplace ? g : d[j] + g;
        }
    }
}
