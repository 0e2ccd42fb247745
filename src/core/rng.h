/* rng.h -- the random numbers of the model, the trainer and the datasets: splitmix64, one uint64_t of state,
 * so that a checkpoint can store it and --resume continues the same stream.
 * Normals by Box-Muller in double. Deterministic on every platform. */
#ifndef SW_CORE_RNG_H
#define SW_CORE_RNG_H
#include <math.h>
#include <stdint.h>

static inline uint64_t sw_rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
/* uniform in [0, 1) with 53 bits */
static inline double sw_rng_uniform(uint64_t *s)
{
    return (double)(sw_rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}
/* uniform integer in [0, n), n > 0 (multiply-shift; bias < 2^-32 for n < 2^32) */
static inline uint64_t sw_rng_below(uint64_t *s, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)sw_rng_next(s) * n) >> 64);
}
/* standard normal (Box-Muller, one value per call) */
static inline double sw_rng_normal(uint64_t *s)
{
    double u1 = sw_rng_uniform(s), u2 = sw_rng_uniform(s);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
#endif
