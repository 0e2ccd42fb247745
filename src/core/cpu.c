/* cpu.c -- what this CPU and OS can run: cpuid leaves 1 and 7, XCR0 for the
 * register state the OS saves (a CPU with AVX-512 under an OS that does not
 * save zmm state must not run AVX-512 code). */
#include <string.h>
#include <stdio.h>
#include "core/cpu.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

void sw_cpu_detect(sw_cpu *c)
{
    unsigned a, b, cx, d;
    memset(c, 0, sizeof *c);
    if (!__get_cpuid(1, &a, &b, &cx, &d)) return;
    int osxsave = (cx >> 27) & 1;
    c->fma = (cx >> 12) & 1;
    c->f16c = (cx >> 29) & 1;
    int avx = (cx >> 28) & 1;
    uint64_t xcr0 = osxsave ? xgetbv0() : 0;
    int os_ymm = (xcr0 & 0x6) == 0x6;              /* SSE + AVX state */
    int os_zmm = os_ymm && (xcr0 & 0xe0) == 0xe0;  /* opmask, ZMM_Hi256, Hi16_ZMM */
    int os_amx = (xcr0 & 0x60000) == 0x60000;      /* XTILECFG, XTILEDATA */
    c->avx = avx && os_ymm;
    if (__get_cpuid_max(0, NULL) >= 7) {
        __cpuid_count(7, 0, a, b, cx, d);
        c->avx2 = ((b >> 5) & 1) && c->avx;
        c->bmi2 = (b >> 8) & 1;
        c->avx512f = ((b >> 16) & 1) && os_zmm;
        c->avx512dq = ((b >> 17) & 1) && os_zmm;
        c->avx512bw = ((b >> 30) & 1) && os_zmm;
        c->avx512vl = ((b >> 31) & 1) && os_zmm;
        c->avx512_fp16 = ((d >> 23) & 1) && os_zmm;
        c->amx_bf16 = ((d >> 22) & 1) && os_amx;
        c->amx_tile = ((d >> 24) & 1) && os_amx;
        c->amx_int8 = ((d >> 25) & 1) && os_amx;
        __cpuid_count(7, 1, a, b, cx, d);
        c->avx512_bf16 = ((a >> 5) & 1) && os_zmm;
    }
    c->fma = c->fma && c->avx;
}
#else
void sw_cpu_detect(sw_cpu *c) { memset(c, 0, sizeof *c); }
#endif

swiglu_status swiglu_cpu_features(char *buf, size_t cap)
{
    if (!buf) return SWIGLU_ERR_NULL;
    if (cap == 0) return SWIGLU_ERR_SIZE;
    sw_cpu c;
    sw_cpu_detect(&c);
    const struct { int on; const char *name; } f[] = {
        {c.avx, "avx"}, {c.avx2, "avx2"}, {c.fma, "fma"}, {c.f16c, "f16c"}, {c.bmi2, "bmi2"},
        {c.avx512f, "avx512f"}, {c.avx512dq, "avx512dq"}, {c.avx512bw, "avx512bw"},
        {c.avx512vl, "avx512vl"}, {c.avx512_bf16, "avx512_bf16"}, {c.avx512_fp16, "avx512_fp16"},
        {c.amx_tile, "amx_tile"}, {c.amx_bf16, "amx_bf16"}, {c.amx_int8, "amx_int8"},
    };
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (!f[i].on) continue;
        int k = snprintf(buf + used, cap - used, "%s%s", used ? " " : "", f[i].name);
        if (k < 0 || (size_t)k >= cap - used) return SWIGLU_ERR_SIZE;
        used += (size_t)k;
    }
    return SWIGLU_OK;
}
