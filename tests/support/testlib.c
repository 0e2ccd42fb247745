/* testlib.c -- see testlib.h. */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include "testlib.h"

int tl_passed = 0, tl_failed = 0, tl_skipped = 0;

void tl_check(int ok, const char *file, int line, const char *fmt, ...)
{
    if (ok) { tl_passed++; return; }
    tl_failed++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void tl_skip(const char *fmt, ...)
{
    tl_skipped++;
    va_list ap;
    va_start(ap, fmt);
    fputs("SKIP: ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
}

int tl_finish(const char *name)
{
    printf("%s: %d passed, %d failed, %d skipped\n", name, tl_passed, tl_failed, tl_skipped);
    return tl_failed ? 1 : 0;
}

uint64_t tl_next(tl_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double tl_uniform(tl_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * ((double)(tl_next(r) >> 11) * 0x1.0p-53);
}

double tl_normal(tl_rng *r)
{
    double u1 = tl_uniform(r, 0x1.0p-53, 1.0), u2 = tl_uniform(r, 0.0, 1.0);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static int64_t ordered(float a)
{
    int32_t i;
    memcpy(&i, &a, sizeof i);
    return i < 0 ? (int64_t)INT32_MIN - (int64_t)i : (int64_t)i;
}

uint64_t tl_ulp_diff(float a, float b)
{
    if (isnan(a) || isnan(b)) return (isnan(a) && isnan(b)) ? 0 : UINT64_MAX;
    int64_t d = ordered(a) - ordered(b);
    return (uint64_t)(d < 0 ? -d : d);
}

double tl_ulp_err(float a, double r)
{
    if (isnan(r) || isnan(a)) return (isnan(r) && isnan(a)) ? 0.0 : INFINITY;
    if (isinf(r) || fabs(r) > 3.4028234663852886e38) {
        float rf = (float)r;
        return a == rf ? 0.0 : INFINITY;
    }
    /* ulp of the float binade holding r (denormal ulp below FLT_MIN) */
    double ar = fabs(r);
    int e;
    frexp(ar, &e);                   /* ar = m 2^e, m in [0.5, 1) */
    double ulp = ldexp(1.0, e - 24);
    if (ar < 0x1.0p-126) ulp = 0x1.0p-149;
    return fabs((double)a - r) / ulp;
}

double tl_scale(void)
{
    const char *s = getenv("SWIGLU_TEST_SCALE");
    double v = s ? strtod(s, NULL) : 1.0;
    if (!(v <= 1.0)) v = 1.0;
    if (v < 1e-4) v = 1e-4;
    return v;
}

const char *tl_shared_dir(void)
{
    static char buf[4096];
    const char *env = getenv("SWIGLU_SHARED");
    const char *cands[] = {env, "../shared", "../../shared", "../../../shared"};
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
        if (!cands[i]) continue;
        snprintf(buf, sizeof buf, "%s/data/README.md", cands[i]);
        if (access(buf, R_OK) == 0) { snprintf(buf, sizeof buf, "%s", cands[i]); return buf; }
    }
    return NULL;
}

double tl_gemm_ref_at(const float *A, size_t lda, int ta, const float *B, size_t ldb, int tb,
                      size_t i, size_t j, size_t K)
{
    double s = 0;
    for (size_t k = 0; k < K; k++)
        s += (double)A[ta ? k * lda + i : i * lda + k] * (double)B[tb ? j * ldb + k : k * ldb + j];
    return s;
}
