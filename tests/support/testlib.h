/* testlib.h -- the tests' tiny harness. Each test binary calls CHECK()
 * (or the helpers below) and ends with tl_finish(), which prints
 * "N passed, N failed, N skipped" and returns the exit code.
 * scripts/run_tests.sh sums those lines over all binaries (and, with
 * SWIGLU_NO_SKIP=1, as in CI, counts a skip as a failure). Tests may print;
 * the library never does. */
#ifndef TESTLIB_H
#define TESTLIB_H
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

extern int tl_passed, tl_failed, tl_skipped;

/* One assertion: counts, and prints file:line and the message when it fails. */
#define CHECK(cond, ...) tl_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
void tl_check(int ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A check that cannot run here (no ../shared, no oneDNN, ...): counted as
 * skipped and printed as "SKIP: <reason>", never silently passed. */
void tl_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the summary line; returns 0 when nothing failed. */
int tl_finish(const char *name);

/* Deterministic random numbers (splitmix64 / xoshiro-style). */
typedef struct { uint64_t s; } tl_rng;
uint64_t tl_next(tl_rng *r);
double tl_uniform(tl_rng *r, double lo, double hi);  /* [lo, hi) */
double tl_normal(tl_rng *r);

/* Distance in units in the last place between two floats (0 for equal,
 * +0 vs -0 is 0; NaN vs NaN is 0; NaN vs number is UINT64_MAX). */
uint64_t tl_ulp_diff(float a, float b);
/* ulp distance of float a from the double reference r (a vs (float)r, plus
 * the fraction lost by rounding r, so 0.5 means "correctly rounded"). */
double tl_ulp_err(float a, double r);

/* SWIGLU_TEST_SCALE (default 1, at least 1e-4): the factor by which the
 * sampling tests shrink their sample counts, for slow runners such as
 * valgrind (scripts/valgrind.sh); assertions stay the same. */
double tl_scale(void);

/* Directory of the repository's shared data (../shared from the repo root),
 * or NULL when it is not there; tests that need it skip cleanly. */
const char *tl_shared_dir(void);

/* (op(A) op(B))[i][j] in double, row-major A, B with row strides lda, ldb,
 * op = transpose when ta / tb: the GEMM tests' reference. */
double tl_gemm_ref_at(const float *A, size_t lda, int ta, const float *B, size_t ldb, int tb,
                      size_t i, size_t j, size_t K);

#endif
