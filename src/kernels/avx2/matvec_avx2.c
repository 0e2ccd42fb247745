/* matvec_avx2.c -- matvec.h for AVX2: 8-float vectors (this directory's flags). */
#define MV_NAME sw_matvec_avx2
#define MV_ATT_NAME sw_attn_avx2
#define MV_SOFTMAX_NAME sw_softmax_avx2
#define MV_W 8
#include "kernels/matvec_body.h"
