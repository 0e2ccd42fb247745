/* cmd_export.c -- `swiglu export`: a checkpoint of `swiglu train` as a
 * llama2.c model file.
 *
 *   swiglu export --ckpt F --llama2c OUT.bin [--version 0|1]
 *   swiglu export --ckpt F --safetensors DIR
 *
 * Version 0 (default) is the legacy format run.c reads; 1 is export.py's
 * "ak42" format. Only llama2.c-compatible models are written (SwiGLU, beta 1
 * not learned, eps 1e-5, theta 10000: src/model/export_l2c.h); any other is
 * refused with the reason. The vocabulary (bytes, or a file's characters) is
 * written beside the model as a one-byte-per-token tokenizer.bin
 * (OUT.tokenizer.bin, where `swiglu generate` finds it; no BOS/EOS).
 * --safetensors writes the same model as Hugging Face stores a LLaMA
 * (DIR/model.safetensors, F32, and DIR/config.json: io/safetensors.h) with
 * the vocabulary as DIR/tokenizer.bin; `swiglu generate DIR` reads it.
 * Legend: none (no arrays here).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "cli_model.h"
#include "io/safetensors.h"
#include "io/tokenizer.h"
#include "model/export_l2c.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: swiglu export --ckpt F --llama2c OUT.bin [--version 0|1]\n"
               "       swiglu export --ckpt F --safetensors DIR\n"
               "  writes a checkpoint of `swiglu train` as a llama2.c model (version 0: run.c's\n"
               "  legacy format, the default; 1: export.py's ak42 format). Only SwiGLU models\n"
               "  with beta 1 (not learned), RMSNorm eps 1e-5 and RoPE theta 10000 can be exported.\n"
               "  The vocabulary goes beside it, OUT.tokenizer.bin (llama2.c's tokenizer.bin format,\n"
               "  one character per token): `swiglu generate OUT.bin` prints text.\n"
               "  --safetensors DIR writes it as Hugging Face stores a LLaMA model instead:\n"
               "  DIR/model.safetensors (F32), DIR/config.json and DIR/tokenizer.bin.\n");
}

/* --safetensors DIR: model.safetensors, config.json, tokenizer.bin */
static int export_safetensors(const char *ckpt, const char *dir, const cli_file *ins)
{
    cli_out_dir("--safetensors", dir);
    const char *names[] = {"model.safetensors", "config.json", "tokenizer.bin"};
    char paths[3][4200];
    for (int k = 0; k < 3; k++) {
        if (snprintf(paths[k], sizeof paths[k], "%s/%s", dir, names[k]) >= (int)sizeof paths[k])
            cli_die("--safetensors: path too long");
        cli_check_output("--safetensors", paths[k], CLI_OUT_SAVE, ins, 1);
    }
    char err[512];
    cli_ckpt ck;
    cli_ckpt_load(&ck, ckpt, 1, 1, "export");
    sw_l2c_model l2c;
    float *storage = NULL;
    swiglu_status st = sw_export_l2c_build(ck.m, &l2c, &storage, err, sizeof err);
    if (st == SWIGLU_OK) st = sw_st_write(&l2c, dir, err, sizeof err);
    if (st == SWIGLU_OK) st = sw_tok_write_chars(paths[2], ck.itos, ck.vocab, err, sizeof err);
    free(storage);
    if (st != SWIGLU_OK) { sw_model_free(ck.m); cli_die("export: cannot export '%s': %s", ckpt, err); }
    printf("swiglu export: %s (step %lld, dim %zu, hidden %zu, %zu layers, vocab %d %s) -> %s/ (Hugging Face LLaMA: "
           "model.safetensors F32, config.json; tokenizer.bin)\n",
           ckpt, ck.step, ck.m->D, ck.m->H, ck.m->L, ck.vocab, ck.mode == SW_TOKENS_CHAR ? "char" : "byte", dir);
    sw_model_free(ck.m);
    return 0;
}

int cmd_export(int argc, char **argv)
{
    const char *ckpt = NULL, *outp = NULL, *stdir = NULL;
    long long version = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(stdout); return 0; }
        else if (!strcmp(a, "--ckpt")) ckpt = cli_value(argc, argv, &i);
        else if (!strcmp(a, "--llama2c")) outp = cli_value(argc, argv, &i);
        else if (!strcmp(a, "--safetensors")) stdir = cli_value(argc, argv, &i);
        else if (!strcmp(a, "--version")) version = cli_parse_int(a, cli_value(argc, argv, &i), 0, 1);
        else { usage(stderr); cli_die("export: unknown option '%s'", a); }
    }
    if (!ckpt || !outp == !stdir) {
        usage(stderr);
        cli_die("export: --ckpt F and one of --llama2c OUT.bin or --safetensors DIR are required");
    }
    cli_args_done();
    const cli_file ins[] = {{"--ckpt", ckpt}};
    if (stdir) return export_safetensors(ckpt, stdir, ins);
    cli_check_output("--llama2c", outp, CLI_OUT_SAVE, ins, 1);
    char err[512];
    cli_ckpt ck;
    cli_ckpt_load(&ck, ckpt, 1, 1, "export");
    if (sw_export_l2c_write(ck.m, (int)version, outp, err, sizeof err)) {
        sw_model_free(ck.m);
        cli_die("export: cannot export '%s': %s", ckpt, err);
    }
    char tokp[4200];
    if (sw_export_tokenizer_write(ck.itos, ck.vocab, outp, tokp, sizeof tokp, err, sizeof err)) {
        sw_model_free(ck.m);
        cli_die("export: %s", err);
    }
    printf("swiglu export: %s (step %lld, dim %zu, hidden %zu, %zu layers, vocab %d %s, %s classifier) -> %s (llama2.c v%lld)\n",
           ckpt, ck.step, ck.m->D, ck.m->H, ck.m->L, ck.vocab, ck.mode == SW_TOKENS_CHAR ? "char" : "byte",
           ck.m->cfg.tied ? "shared" : "separate", outp, version);
    if (ck.m->cfg.bf16)
        printf("note: trained with --bf16; the fp32 master weights were written, and llama2.c computes in fp32\n");
    printf("tokenizer: %s (%d one-character tokens, no BOS/EOS); run it with `swiglu generate %s`\n",
           tokp, ck.vocab, outp);
    sw_model_free(ck.m);
    return 0;
}
