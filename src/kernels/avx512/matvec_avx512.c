/* matvec_avx512.c -- matvec.h for AVX-512: 16-float vectors (this directory's flags). */
#define MV_NAME sw_matvec_avx512
#define MV_ATT_NAME sw_attn_avx512
#define MV_SOFTMAX_NAME sw_softmax_avx512
#define MV_W 16
#include "kernels/matvec_body.h"
