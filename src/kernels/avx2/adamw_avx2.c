/* adamw_avx2.c -- adamw.h for avx2: 8-float vectors (this directory's flags). */
#define AW_NAME sw_adamw_avx2
#define AW_W 8
#include "kernels/adamw_body.h"
