/* matvec_body.h -- the one matvec body and attention-head body, instantiated
 * per ISA directory with MV_NAME, MV_ATT_NAME (function names) and MV_W
 * (matvec vector width in floats). See matvec.h.
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
typedef float mv_v8 __attribute__((vector_size(8 * sizeof(float))));
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

/* ---- one attention head (matvec.h), 8-float vectors when hs % 8 == 0 ----
 * Kept as one function (about 80 lines with its vector helpers): scores,
 * softmax and the weighted sum are run.c's three loops in run.c's order,
 * and this body is instantiated once per ISA under MV_ATT_NAME; helpers
 * would each need a per-ISA name of their own. */

#if !defined(MV_ATT_NAME) || !defined(MV_SOFTMAX_NAME)
#error "define MV_ATT_NAME and MV_SOFTMAX_NAME"
#endif
#include <math.h>
#include <stdint.h>

typedef int32_t mv_i8 __attribute__((vector_size(8 * sizeof(int32_t))));

static inline mv_v8 mv_load8(const float *p)
{
    mv_v8 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline float mv_hsum8(mv_v8 a)
{
    mv_v4 c, d;
    memcpy(&c, &a, sizeof c);
    memcpy(&d, (const char *)&a + sizeof c, sizeof d);
    c += d;
    return (c[0] + c[1]) + (c[2] + c[3]);
}

/* e^x for x <= 0 (softmax arguments; x - max), 8 lanes, Cephes' expf:
 * n = round(x log2 e), r = x - n ln2 (two-part ln2), e^r by a degree-6
 * polynomial, times 2^n built in the exponent bits. x is clamped at -87.3
 * (e^-87.3 ~ 1.2e-38, the smallest normal; the weight is 0 to float
 * precision against the maximum's 1). Max error ~2 ulp vs expf. */
static inline mv_v8 mv_exp8(mv_v8 x)
{
    const mv_v8 lo = {-87.3f, -87.3f, -87.3f, -87.3f, -87.3f, -87.3f, -87.3f, -87.3f};
    mv_i8 below = x < lo;                       /* lanes: -1 where x < lo */
    mv_i8 xi, loi;
    memcpy(&xi, &x, sizeof xi);
    memcpy(&loi, &lo, sizeof loi);
    xi = (xi & ~below) | (loi & below);
    memcpy(&x, &xi, sizeof x);
    const float magic = 12582912.0f;            /* 1.5 * 2^23: round to nearest */
    mv_v8 nf = (x * 1.44269504088896341f + magic) - magic;
    mv_v8 r = x - nf * 0.693359375f;
    r = r - nf * -2.12194440e-4f;
    mv_v8 p = 1.9875691500e-4f * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    mv_i8 ni = __builtin_convertvector(nf, mv_i8);
    mv_i8 bits = (ni + 127) << 23;
    mv_v8 scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* att[0..n) = softmax(att) in place: the maximum in a vector pass (no
 * serial max chain), 8 lanes of e^(s - max) with the tail on expf, the sum
 * in a fixed order (lanes, then the tail), then times 1/sum. */
static inline void mv_softmax(float *restrict att, size_t n)
{
    float mx = -INFINITY;
    {
        size_t t = 0;
        if (n >= 8) {
            mv_v8 m = mv_load8(att);
            for (t = 8; t + 8 <= n; t += 8) {
                mv_v8 v = mv_load8(att + t);
                mv_i8 gt = v > m;
                mv_i8 vi, mi;
                memcpy(&vi, &v, sizeof vi);
                memcpy(&mi, &m, sizeof mi);
                mi = (vi & gt) | (mi & ~gt);
                memcpy(&m, &mi, sizeof m);
            }
            for (int k = 0; k < 8; k++) if (m[k] > mx) mx = m[k];
        }
        for (; t < n; t++) if (att[t] > mx) mx = att[t];
    }
    mv_v8 sv = {0};
    size_t t = 0;
    for (; t + 8 <= n; t += 8) {
        mv_v8 e = mv_exp8(mv_load8(att + t) - mx);
        memcpy(att + t, &e, sizeof e);
        sv += e;
    }
    float sum = mv_hsum8(sv);
    for (; t < n; t++) { att[t] = expf(att[t] - mx); sum += att[t]; }
    const float inv = 1.0f / sum;
    t = 0;
    for (; t + 8 <= n; t += 8) {
        mv_v8 e = mv_load8(att + t) * inv;
        memcpy(att + t, &e, sizeof e);
    }
    for (; t < n; t++) att[t] *= inv;
}

void MV_SOFTMAX_NAME(float *restrict x, size_t n)
{
    mv_softmax(x, n);
}

void MV_ATT_NAME(float *restrict out, float *restrict att, const float *restrict q,
                 const float *restrict K, const float *restrict Vc, size_t stride, size_t n,
                 size_t hs)
{
    /* scores times 1/sqrtf(hs) (llama2.c divides; <= 1 ulp apart), then
     * their maximum in a separate vector pass: no serial max chain */
    const float scale = 1.0f / sqrtf((float)hs);
    if (hs % 8 == 0 && hs <= 256) {
        mv_v8 qv[32];
        const size_t nc = hs / 8;
        for (size_t c = 0; c < nc; c++) qv[c] = mv_load8(q + 8 * c) * scale;
        for (size_t t = 0; t < n; t++) {
            const float *k = K + t * stride;
            mv_v8 a = qv[0] * mv_load8(k);
            for (size_t c = 1; c < nc; c++) a += qv[c] * mv_load8(k + 8 * c);
            att[t] = mv_hsum8(a);
        }
    } else {
        for (size_t t = 0; t < n; t++) {
            const float *k = K + t * stride;
            float s = 0.0f;
            for (size_t i = 0; i < hs; i++) s += q[i] * k[i];
            att[t] = s * scale;
        }
    }
    mv_softmax(att, n);
    size_t t;

    if (hs % 8 == 0 && hs <= 256) {
        /* per 8-column block: four accumulators over t (t mod 4), kept in
         * registers, summed (0+1)+(2+3) at the end */
        for (size_t c = 0; c < hs / 8; c++) {
            const float *v = Vc + 8 * c;
            mv_v8 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
            for (t = 0; t + 4 <= n; t += 4) {
                a0 += att[t] * mv_load8(v + t * stride);
                a1 += att[t + 1] * mv_load8(v + (t + 1) * stride);
                a2 += att[t + 2] * mv_load8(v + (t + 2) * stride);
                a3 += att[t + 3] * mv_load8(v + (t + 3) * stride);
            }
            for (; t < n; t++) a0 += att[t] * mv_load8(v + t * stride);
            mv_v8 o = (a0 + a1) + (a2 + a3);
            memcpy(out + 8 * c, &o, sizeof o);
        }
    } else {
        for (size_t i = 0; i < hs; i++) out[i] = 0.0f;
        for (t = 0; t < n; t++) {
            const float *v = Vc + t * stride;
            const float a = att[t];
            for (size_t i = 0; i < hs; i++) out[i] += a * v[i];
        }
    }
}
