/* cmd_sample.c -- `swiglu sample`: text from a checkpoint of `swiglu train`
 * (a thin CLI over src/model/sampler.h). Prints the prompt, then N tokens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#ifdef _OPENMP
#include <omp.h>
#endif
#include "io/checkpoint.h"
#include "model/sampler.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: swiglu sample --ckpt FILE [--prompt S] [-n 200] [--temperature 0.8] [--top-p 0.95] [--seed 1] [--threads N]\n");
}

typedef struct { const uint8_t *itos; } emit_ctx;
static void emit(void *ctx, int tok)
{
    const emit_ctx *e = ctx;
    putchar(e->itos[tok]);
    fflush(stdout);
}

int cmd_sample(int argc, char **argv)
{
    const char *ckpt = NULL, *prompt = "";
    long long n = 200, seed = 1;
    double temp = 0.8, top_p = 0.95;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(stdout); return 0; }
        else if (!strcmp(a, "--ckpt")) ckpt = cli_value(argc, argv, &i);
        else if (!strcmp(a, "--prompt")) prompt = cli_value(argc, argv, &i);
        else if (!strcmp(a, "-n")) n = cli_parse_int(a, cli_value(argc, argv, &i), 0, 100000000);
        else if (!strcmp(a, "--temperature")) temp = cli_parse_double(a, cli_value(argc, argv, &i), 0, 100);
        else if (!strcmp(a, "--top-p")) top_p = cli_parse_double(a, cli_value(argc, argv, &i), 1e-6, 1);
        else if (!strcmp(a, "--seed")) seed = cli_parse_int(a, cli_value(argc, argv, &i), 0, (long long)1 << 62);
        else if (!strcmp(a, "--threads")) {
            int th = (int)cli_parse_int(a, cli_value(argc, argv, &i), 1, 1024);
            cli_check(swiglu_threads_set(th), a);
#ifdef _OPENMP
            omp_set_num_threads(th);
#endif
        }
        else { usage(stderr); cli_die("unknown option '%s'", a); }
    }
    if (!ckpt) { usage(stderr); cli_die("--ckpt FILE is required"); }
    cli_args_done();
    char err[512];
    sw_model *m;
    uint8_t itos[256];
    int vocab;
    sw_tokens mode;
    long long step;
    if (sw_checkpoint_load_model(&m, 1, itos, &vocab, &mode, &step, ckpt, err, sizeof err)) cli_die("%s", err);
    int16_t stoi[256];
    for (int c = 0; c < 256; c++) stoi[c] = -1;
    for (int t = 0; t < vocab; t++) stoi[itos[t]] = (int16_t)t;
    /* an empty prompt starts from a newline (nanoGPT's sample.py), or token 0 */
    const char *p = *prompt ? prompt : (stoi['\n'] >= 0 ? "\n" : NULL);
    size_t np = p ? strlen(p) : 1;
    int *tok = malloc((np + (size_t)n) * sizeof(int));
    if (!tok) cli_die("out of memory");
    if (p) {
        for (size_t i = 0; i < np; i++) {
            int t = stoi[(unsigned char)p[i]];
            if (t < 0) cli_die("the prompt's character 0x%02x ('%c') is not in the model's vocabulary", (unsigned char)p[i],
                               p[i] >= 32 && p[i] < 127 ? p[i] : '?');
            tok[i] = t;
        }
        if (*prompt) fputs(prompt, stdout);
    } else {
        tok[0] = 0;
    }
    emit_ctx e = {itos};
    swiglu_status st = sw_sample(m, tok, np, (size_t)n, (float)temp, (float)top_p, (uint64_t)seed, emit, &e);
    putchar('\n');
    if (st) cli_die("sampling failed: %s", swiglu_status_str(st));
    free(tok);
    sw_model_free(m);
    (void)mode; (void)step;
    return 0;
}
