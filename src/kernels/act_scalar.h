/* act_scalar.h -- the scalar element functions: one definition of every
 * activation, its derivative and its beta-derivative, in double precision.
 *
 * These are the oracle (src/kernels/ref/ uses nothing else) and the scalar
 * tail of every SIMD kernel: a tail element is computed exactly as the
 * reference computes it. (The SIMD bodies compute in double too, except the
 * Swish gate's fast path, simd_swiglu.h, which works on float pairs and is
 * faithful: within an ulp of these.) Inputs are floats, so every product of two inputs
 * (beta*x, x*x) is exact in double; libm's exp/erfc are correctly rounded to
 * within an ulp of double, so each result below is within ~0.5 ulp of float
 * before the one final rounding.
 *
 * Numerical forms (docs/KERNELS.md says why):
 *   sigmoid(z)  = 1/(1+e)  for z >= 0,  e/(1+e) for z < 0,  e = exp(-|z|)
 *                 (never exp(+large): no inf/inf NaN; keeps the deep tail)
 *   s(z)s(-z)   = e/(1+e)^2            (not s(1-s): 1-s is exactly 0 for z >= 16.75 in fp32)
 *   gelu_erf(x) = x/2 erfc(-x/sqrt2)   (not x/2 (1+erf): cancels for x << 0)
 *   gelu_tanh(x)= x sigmoid(2u), u = sqrt(2/pi)(x + 0.044715 x^3)   (1+tanh(u) = 2 sigmoid(2u))
 * Infinities give the mathematical limits; NaN propagates.
 */
#ifndef SW_KERNELS_ACT_SCALAR_H
#define SW_KERNELS_ACT_SCALAR_H

#if defined(__FAST_MATH__) || (defined(__FINITE_MATH_ONLY__) && __FINITE_MATH_ONLY__)
#error "activation code must not be built with fast-math or finite-math-only flags: it handles inf and NaN and relies on exact IEEE rounding"
#endif

#include <math.h>

#define SW_SQRT1_2 0.70710678118654752440     /* 1/sqrt(2) */
#define SW_INV_SQRT_2PI 0.39894228040143267794 /* 1/sqrt(2 pi) */
#define SW_SQRT_2_OVER_PI 0.79788456080286535588
#define SW_GELU_TANH_A 0.044715

/* sigmoid parts of z: s = sigmoid(z), and q = sigmoid(z) sigmoid(-z). */
static inline void sw_sig_parts(double z, double *s, double *q)
{
    double e = exp(-fabs(z));        /* in (0, 1]; 0 only for |z| > 745 */
    double r = 1.0 / (1.0 + e);
    *s = z >= 0 ? r : e * r;         /* NaN: e = NaN, so s = NaN */
    *q = e * r * r;
}

/* act(x; beta). */
static inline double sw_act_d(int act, double x, double beta)
{
    double s, q;
    switch (act) {
    case 0: /* identity */ return x;
    case 1: /* relu: NaN passes through (x < 0 is false) */ return x < 0 ? 0.0 : x;
    case 2: /* gelu_erf = x/2 erfc(-x/sqrt2); limit 0 at -inf */
        if (isinf(x)) return x > 0 ? x : -0.0;
        return 0.5 * x * erfc(-x * SW_SQRT1_2);
    case 3: { /* gelu_tanh = x sigmoid(2u) */
        if (isinf(x)) return x > 0 ? x : -0.0;
        double u2 = 2.0 * SW_SQRT_2_OVER_PI * (x + SW_GELU_TANH_A * x * x * x);
        sw_sig_parts(u2, &s, &q);
        return x * s;
    }
    case 4: /* sigmoid */
        sw_sig_parts(x, &s, &q);
        return s;
    case 5: { /* swish_beta = x sigmoid(beta x) */
        double z = beta * x;
        if (isinf(x)) return z > 0 ? x : (z < 0 ? copysign(0.0, x) : 0.5 * x);
        sw_sig_parts(z, &s, &q);
        return x * s;
    }
    default: return NAN;
    }
}

/* d act/dx (x; beta).
 *   identity: 1         relu: [x > 0]
 *   gelu_erf: Phi(x) + x phi(x) = erfc(-x/sqrt2)/2 + x exp(-x^2/2)/sqrt(2 pi)
 *   gelu_tanh: s + 2 x q u',  s = sigmoid(2u), q = s(2u)s(-2u), u' = sqrt(2/pi)(1 + 3a x^2)
 *   sigmoid: q = s(x)s(-x)
 *   swish: s + z q,  z = beta x, s = sigmoid(z), q = s(z)s(-z)
 * Terms of the form (huge) * q take their limit 0 when q underflows. */
static inline double sw_dact_d(int act, double x, double beta)
{
    double s, q;
    switch (act) {
    case 0: return 1.0;
    case 1: return x > 0 ? 1.0 : 0.0;
    case 2: {
        double phi = exp(-0.5 * x * x) * SW_INV_SQRT_2PI;
        return 0.5 * erfc(-x * SW_SQRT1_2) + (phi == 0 ? 0.0 : x * phi);
    }
    case 3: {
        if (isnan(x)) return x;
        double u2 = 2.0 * SW_SQRT_2_OVER_PI * (x + SW_GELU_TANH_A * x * x * x);
        sw_sig_parts(u2, &s, &q);
        double du = SW_SQRT_2_OVER_PI * (1.0 + 3.0 * SW_GELU_TANH_A * x * x);
        return s + (q == 0 ? 0.0 : 2.0 * x * q * du);
    }
    case 4:
        sw_sig_parts(x, &s, &q);
        return q;
    case 5: {
        /* beta = 0: swish is x/2 and z = 0 for every x, +-inf included
         * (beta * x would be 0 * inf = NaN; the limit of the derivative is 0.5) */
        double z = beta == 0 ? 0.0 : beta * x;
        sw_sig_parts(z, &s, &q);
        return s + (q == 0 ? 0.0 : z * q);
    }
    default: return NAN;
    }
}

/* d act/d beta (x; beta): swish only, x^2 s(z)s(-z) = x z q / beta... written
 * as x * (x q) so that beta = 0 needs no special case. 0 for the others. */
static inline double sw_dact_dbeta_d(int act, double x, double beta)
{
    double s, q;
    if (act != 5) return 0.0;
    sw_sig_parts(beta == 0 ? 0.0 : beta * x, &s, &q);   /* beta = 0, x = +-inf: x^2 / 4 = +inf */
    return q == 0 ? 0.0 : x * x * q;
}

#endif
