/* adamw_avx512.c -- adamw.h for avx512: 16-float vectors (this directory's flags). */
#define AW_NAME sw_adamw_avx512
#define AW_W 16
#include "kernels/adamw_body.h"
