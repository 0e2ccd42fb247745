/* ffn_name.c -- FFN variant names with a learned beta (ffn_name.h). */
#include <stdio.h>
#include <string.h>
#include "model/ffn_name.h"

static const char learned[] = "-learned-beta";

/* a equals b with '-' and '_' the same */
static int same_name(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char x = a[i] == '_' ? '-' : a[i], y = b[i] == '_' ? '-' : b[i];
        if (x != y) return 0;
    }
    return 1;
}

swiglu_status sw_ffn_name_parse(swiglu_ffn_variant *v, int *learn_beta, const char *name)
{
    if (!v || !learn_beta || !name) return SWIGLU_ERR_NULL;
    size_t n = strlen(name), ln = sizeof learned - 1;
    int lb = n > ln && same_name(name + n - ln, learned, ln);
    if (lb) n -= ln;
    for (int i = 0; i < SWIGLU_FFN_VARIANT_COUNT; i++) {
        const char *lib = swiglu_ffn_variant_name((swiglu_ffn_variant)i);
        if (strlen(lib) != n || !same_name(name, lib, n)) continue;
        if (lb && i != SWIGLU_FFN_SWIGLU && i != SWIGLU_FFN_SWISH) return SWIGLU_ERR_ARG;
        *v = (swiglu_ffn_variant)i;
        *learn_beta = lb;
        return SWIGLU_OK;
    }
    return SWIGLU_ERR_ARG;
}

void sw_ffn_name(char *dst, size_t cap, swiglu_ffn_variant v, int learn_beta)
{
    snprintf(dst, cap, "%s%s", swiglu_ffn_variant_name(v), learn_beta ? learned : "");
}
