/* status.c -- names of status codes, and the library's version. */
#include "swiglu.h"
#include "core/internal.h"

static const char *const status_names[] = {
    [SWIGLU_OK] = "ok",
    [SWIGLU_ERR_NULL] = "a required pointer is NULL",
    [SWIGLU_ERR_SIZE] = "size is zero where it may not be, or overflows",
    [SWIGLU_ERR_ARG] = "argument out of range",
    [SWIGLU_ERR_ALIAS] = "buffers overlap in a way that is not allowed",
    [SWIGLU_ERR_ALLOC] = "out of memory",
    [SWIGLU_ERR_ISA] = "instruction set not available on this CPU",
    [SWIGLU_ERR_GEMM] = "GEMM engine failed",
    [SWIGLU_ERR_DTYPE] = "data type not supported or mismatched",
    [SWIGLU_ERR_WORKSPACE] = "workspace missing or too small",
    [SWIGLU_ERR_STATE] = "call out of order",
    [SWIGLU_ERR_IO] = "file could not be read or written",
    [SWIGLU_ERR_FORMAT] = "not in the expected format",
    [SWIGLU_ERR_UNSUPPORTED] = "not supported by this build",
    [SWIGLU_ERR_NONFINITE] = "a loss or gradient is not finite",
};
SW_STATIC_ASSERT(sizeof status_names / sizeof status_names[0] == SWIGLU_STATUS_COUNT,
                 "status_names must name every swiglu_status");

const char *swiglu_status_str(swiglu_status s)
{
    if ((unsigned)s >= SWIGLU_STATUS_COUNT) return "unknown status";
    return status_names[s];
}

unsigned swiglu_version_number(void) { return SWIGLU_VERSION_NUMBER; }

#define SW_STR2(x) #x
#define SW_STR(x) SW_STR2(x)
const char *swiglu_version_string(void)
{
    return SW_STR(SWIGLU_VERSION_MAJOR) "." SW_STR(SWIGLU_VERSION_MINOR) "." SW_STR(SWIGLU_VERSION_PATCH);
}
