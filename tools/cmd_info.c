/* cmd_info.c -- `swiglu info`: CPU features, the kernel set and the GEMM engine in use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "gemm/gemm.h"

int cmd_info(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: swiglu info\n"
               "  the library version, CPU features, the kernel sets and the one in use\n"
               "  (SWIGLU_ISA=ref|avx2|avx512 forces one), the GEMM engine (SWIGLU_GEMM=onednn|own|ref\n"
               "  forces one; auto = the default rule of docs/FFN.md), threads, the streaming-store threshold\n");
        return 0;
    }
    if (argc > 1) cli_die("info takes no options (swiglu info --help)");
    cli_args_done();
    char feats[512];
    cli_check(swiglu_cpu_features(feats, sizeof feats), "reading CPU features");
    printf("swiglu %s\n", swiglu_version_string());
    printf("cpu features: %s\n", feats[0] ? feats : "(none of interest)");
    printf("kernel sets:");
    for (int i = 0; i < SWIGLU_ISA_COUNT; i++)
        printf(" %s%s", swiglu_isa_name((swiglu_isa)i), swiglu_isa_supported((swiglu_isa)i) ? "" : "(unsupported)");
    printf("\nactive isa: %s\n", swiglu_isa_name(swiglu_isa_active()));
    if (swiglu_isa_env_error()) printf("note: %s\n", swiglu_isa_env_error());
    printf("gemm engine: %s (own: fp32 %s, bf16 %s)\n", sw_gemm_engine(),
           sw_gemm_own_isa(SWIGLU_F32) ? sw_gemm_own_isa(SWIGLU_F32) : "unsupported",
           sw_gemm_own_isa(SWIGLU_BF16) ? sw_gemm_own_isa(SWIGLU_BF16) : "unsupported");
    if (sw_gemm_engine_env_error()) printf("note: %s\n", sw_gemm_engine_env_error());
    printf("threads: %d\n", swiglu_threads_get());
    const char *wp = getenv("OMP_WAIT_POLICY"), *sc = getenv("GOMP_SPINCOUNT");
    printf("openmp waiting: OMP_WAIT_POLICY=%s GOMP_SPINCOUNT=%s (when neither is set, swiglu sets GOMP_SPINCOUNT=1000 on a busy machine)\n",
           wp ? wp : "(unset)", sc ? sc : "(unset)");
    printf("streaming stores: outputs of >= %zu MiB a call\n", swiglu_stream_threshold_get() >> 20);
    return 0;
}
