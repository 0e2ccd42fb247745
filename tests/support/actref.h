/* actref.h -- the tests' own reference activations in long double (x87,
 * 64-bit mantissa), written independently of src/kernels/act_scalar.h from
 * the textbook definitions, so that the oracle does not share the code it
 * checks. Stable forms only where the textbook form would lose the answer
 * to cancellation or overflow (1 - sigmoid, exp of large arguments). */
#ifndef ACTREF_H
#define ACTREF_H
#include <math.h>

/* The forward reference, once, for two precisions: long double (the default
 * oracle) and double (ref_act_dbl: fast enough for all 2^32 inputs). */
#define ACTREF_DEFINE(T, SFX, EXP, ERFC, SQRT)                                              \
    static inline T ref_sigmoid##SFX(T z)                                                   \
    {                                                                                       \
        if (isnan(z)) return z;                                                             \
        return z >= 0 ? (T)1 / ((T)1 + EXP(-z)) : EXP(z) / ((T)1 + EXP(z));                 \
    }                                                                                       \
    /* act(x; beta), codes: 0 identity 1 relu 2 gelu_erf 3 gelu_tanh 4 sigmoid 5 swish */   \
    static inline T ref_act##SFX(int act, T x, T beta)                                      \
    {                                                                                       \
        if (isnan(x)) return x;                                                             \
        switch (act) {                                                                      \
        case 0: return x;                                                                   \
        case 1: return x > 0 ? x : (T)0;                                                    \
        case 2:                                                                             \
            if (isinf(x)) return x > 0 ? x : (T)0;                                          \
            return (T)0.5 * x * ERFC(-x / SQRT((T)2));                                      \
        case 3: {                                                                           \
            if (isinf(x)) return x > 0 ? x : (T)0;                                          \
            T u = SQRT((T)2 / (T)3.14159265358979323846264338327950288L) *                  \
                  (x + (T)0.044715L * x * x * x);                                           \
            return x * ref_sigmoid##SFX((T)2 * u); /* = x/2 (1 + tanh u) */                 \
        }                                                                                   \
        case 4: return ref_sigmoid##SFX(x);                                                 \
        default: {                                                                          \
            T z = beta * x;                                                                 \
            if (isinf(x)) return z > 0 ? x : (z < 0 ? (T)0 : (T)0.5 * x);                   \
            return x * ref_sigmoid##SFX(z);                                                 \
        }                                                                                   \
        }                                                                                   \
    }

ACTREF_DEFINE(long double, , expl, erfcl, sqrtl)
ACTREF_DEFINE(double, _dbl, exp, erfc, sqrt)

/* d act / dx, by the textbook derivatives (sigma' = sigma(z) sigma(-z)). */
static inline long double ref_dact(int act, long double x, long double beta)
{
    const long double c = sqrtl(2.0L / 3.14159265358979323846264338327950288L);
    switch (act) {
    case 0: return 1.0L;
    case 1: return x > 0 ? 1.0L : 0.0L;
    case 2: return 0.5L * erfcl(-x / sqrtl(2.0L)) + x * expl(-0.5L * x * x) / sqrtl(2.0L * 3.14159265358979323846264338327950288L);
    case 3: {
        long double u = c * (x + 0.044715L * x * x * x);
        long double s = ref_sigmoid(2.0L * u), q = s * ref_sigmoid(-2.0L * u);
        return s + 2.0L * x * q * c * (1.0L + 3.0L * 0.044715L * x * x);
    }
    case 4: return ref_sigmoid(x) * ref_sigmoid(-x);
    default: {
        long double z = beta * x, s = ref_sigmoid(z);
        return s + z * s * ref_sigmoid(-z);
    }
    }
}

/* The limit of d act / dx as x -> +-inf (x infinite): what a gradient
 * through an infinite input means. Swish with beta = 0 is x / 2. */
static inline long double ref_dact_inf(int act, long double x, long double beta)
{
    switch (act) {
    case 0: return 1.0L;
    case 1: case 2: case 3: return x > 0 ? 1.0L : 0.0L;
    case 4: return 0.0L;
    default: {
        long double z = beta * x;
        return z > 0 ? 1.0L : (z < 0 ? 0.0L : 0.5L);
    }
    }
}

/* The expected gradient scale * act'(x) for any x and scale, non-finite
 * ones included, as the library defines it (src/kernels/act_scalar.h):
 * relu's backward is a mask, x > 0 ? scale : 0 (a NaN or infinite scale
 * behind x <= 0, and any scale behind a NaN x, give 0); identity's
 * derivative is 1 whatever x is. Otherwise NaN in either gives NaN, and an
 * infinite x takes the derivative's limit.
 * With an infinite scale the derivative is rounded to double first: the
 * library forms it in double, so an infinite scale times a derivative that
 * underflows there (gelu at x = -40: phi = e^-800) is inf * 0 = NaN. */
static inline long double ref_grad(int act, long double scale, long double x, long double beta)
{
    if (act == 1) return x > 0 ? scale : 0.0L;
    if (act == 0) return scale;
    if (isnan(scale) || isnan(x)) return NAN;
    long double dd = isinf(x) ? ref_dact_inf(act, x, beta) : ref_dact(act, x, beta);
    if (isinf(scale)) dd = (double)dd;
    return scale * dd;
}

/* d swish / d beta = x^2 sigma(beta x) sigma(-beta x) */
static inline long double ref_dact_dbeta(int act, long double x, long double beta)
{
    if (act != 5) return 0.0L;
    return x * x * ref_sigmoid(beta * x) * ref_sigmoid(-beta * x);
}

#endif
