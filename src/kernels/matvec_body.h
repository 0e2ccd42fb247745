/* matvec_body.h -- the one matvec body, instantiated per ISA directory with
 * MV_NAME (function name) and MV_W (vector width in floats). See matvec.h.
 *
 * Four rows at a time, each with its own vector accumulator, so that four
 * independent add chains hide the add latency and x's vector is loaded once
 * for four rows. Loads go through memcpy: unaligned, no aliasing games.
 * Lanes are summed in a fixed order at the end; the column tail (cols not a
 * multiple of MV_W) is summed scalar, after the lanes.
 */
#include <string.h>
#include "kernels/matvec.h"

typedef float mv_vec __attribute__((vector_size(MV_W * sizeof(float))));

static inline mv_vec mv_load(const float *p)
{
    mv_vec v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Lanes summed as a tree (halves added until 4 remain, then ((0+1)+(2+3))):
 * log2(MV_W) vector adds instead of MV_W dependent scalar adds. */
typedef float mv_v4 __attribute__((vector_size(4 * sizeof(float))));
#if MV_W >= 8
typedef float mv_v8 __attribute__((vector_size(8 * sizeof(float))));
#endif
static inline float mv_hsum(mv_vec v)
{
#if MV_W == 16
    mv_v8 a, b;
    memcpy(&a, &v, sizeof a);
    memcpy(&b, (const char *)&v + sizeof a, sizeof b);
    a += b;
#elif MV_W == 8
    mv_v8 a = v;
#endif
    mv_v4 c, d;
    memcpy(&c, &a, sizeof c);
    memcpy(&d, (const char *)&a + sizeof c, sizeof d);
    c += d;
    return (c[0] + c[1]) + (c[2] + c[3]);
}

void MV_NAME(float *restrict y, const float *restrict W, const float *restrict x,
             size_t cols, size_t r0, size_t r1)
{
    const size_t cv = cols - cols % MV_W;  /* vectorized columns */
    size_t i = r0;
    for (; i + 4 <= r1; i += 4) {
        const float *w0 = W + i * cols, *w1 = w0 + cols, *w2 = w1 + cols, *w3 = w2 + cols;
        mv_vec a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
        for (size_t j = 0; j < cv; j += MV_W) {
            mv_vec xv = mv_load(x + j);
            a0 += mv_load(w0 + j) * xv;
            a1 += mv_load(w1 + j) * xv;
            a2 += mv_load(w2 + j) * xv;
            a3 += mv_load(w3 + j) * xv;
        }
        float s0 = mv_hsum(a0), s1 = mv_hsum(a1), s2 = mv_hsum(a2), s3 = mv_hsum(a3);
        for (size_t j = cv; j < cols; j++) {
            s0 += w0[j] * x[j]; s1 += w1[j] * x[j]; s2 += w2[j] * x[j]; s3 += w3[j] * x[j];
        }
        y[i] = s0; y[i + 1] = s1; y[i + 2] = s2; y[i + 3] = s3;
    }
    for (; i < r1; i++) {
        const float *w0 = W + i * cols;
        mv_vec a0 = {0};
        for (size_t j = 0; j < cv; j += MV_W) a0 += mv_load(w0 + j) * mv_load(x + j);
        float s0 = mv_hsum(a0);
        for (size_t j = cv; j < cols; j++) s0 += w0[j] * x[j];
        y[i] = s0;
    }
}
