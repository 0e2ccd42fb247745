/* isa.c -- the choice of kernel set, made once per process: the best set the
 * CPU supports, or the one SWIGLU_ISA names. Only the choice lives here; which
 * kernel table belongs to which ISA is src/kernels/kernel_table.c's business,
 * so that core depends on nothing above it. */
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include "core/internal.h"
#include "core/cpu.h"
#include "core/isa.h"

static const char *const isa_names[] = {"ref", "avx2", "avx512"};
SW_STATIC_ASSERT(sizeof isa_names / sizeof isa_names[0] == SWIGLU_ISA_COUNT,
                 "isa_names must name every swiglu_isa");

static pthread_once_t isa_once = PTHREAD_ONCE_INIT;
static swiglu_isa isa_current = SWIGLU_ISA_REF;
static const char *isa_env_error = NULL;

const char *swiglu_isa_name(swiglu_isa isa)
{
    return SW_NAME_OF(isa_names, isa);
}

swiglu_status swiglu_isa_from_name(swiglu_isa *isa, const char *name)
{
    SW_NAME_PARSE(swiglu_isa, isa, isa_names, name);
}

int swiglu_isa_supported(swiglu_isa isa)
{
    sw_cpu c;
    sw_cpu_detect(&c);
    switch (isa) {
    case SWIGLU_ISA_REF: return 1;
    case SWIGLU_ISA_AVX2: return c.avx2 && c.fma;
    case SWIGLU_ISA_AVX512: return c.avx512f && c.avx512dq && c.avx512bw && c.avx512vl;
    default: return 0;
    }
}

swiglu_isa sw_isa_detect_best(void)
{
    if (swiglu_isa_supported(SWIGLU_ISA_AVX512)) return SWIGLU_ISA_AVX512;
    if (swiglu_isa_supported(SWIGLU_ISA_AVX2)) return SWIGLU_ISA_AVX2;
    return SWIGLU_ISA_REF;
}

static void isa_init(void)
{
    swiglu_isa isa = sw_isa_detect_best();
    const char *env = getenv("SWIGLU_ISA");
    if (env && *env) {
        swiglu_isa want;
        if (swiglu_isa_from_name(&want, env) != SWIGLU_OK)
            isa_env_error = "SWIGLU_ISA is not one of ref, avx2, avx512; using the best supported set";
        else if (!swiglu_isa_supported(want))
            isa_env_error = "SWIGLU_ISA names a set this CPU cannot run; using the best supported set";
        else
            isa = want;
    }
    isa_current = isa;
}

swiglu_isa swiglu_isa_active(void)
{
    pthread_once(&isa_once, isa_init);
    return isa_current;
}

swiglu_status swiglu_isa_set(swiglu_isa isa)
{
    SW_RETURN_IF((unsigned)isa >= SWIGLU_ISA_COUNT, SWIGLU_ERR_ARG);
    SW_RETURN_IF(!swiglu_isa_supported(isa), SWIGLU_ERR_ISA);
    pthread_once(&isa_once, isa_init);
    isa_current = isa;
    return SWIGLU_OK;
}

const char *swiglu_isa_env_error(void)
{
    pthread_once(&isa_once, isa_init);
    return isa_env_error;
}
