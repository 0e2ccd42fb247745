/* cmd_generate.c -- `swiglu generate` and `swiglu sample`: one command under
 * two names. Text (or token ids) from any model file the project reads: a
 * checkpoint of `swiglu train` or a llama2.c model, told apart by content.
 *
 *   swiglu generate|sample [--model] FILE [-z T.bin] [-i S | --prompt-ids "1 2 3"]
 *                          [-n N] [-t TEMP] [-p P] [-k K] [-s SEED] [--ids] [--threads N] [--bench RUNS]
 *
 * Flags and defaults are llama2.c run.c's (-t 1.0, -p 0.9, -s the clock,
 * -n 256), with -n counting new tokens. Decoding runs with a KV cache
 * (model/llama_infer.h) for both kinds of model; the sampler is
 * model/sampler.h (run.c's, plus top-k), so a llama2.c model gives run.c's
 * tokens for a seed.
 *
 * Vocabularies:
 *   chars -- ours (the checkpoint's bytes), or a tokenizer.bin whose every
 *            token is one byte (what `swiglu export` writes beside the model):
 *            the prompt is its characters; an empty prompt starts from '\n'
 *            (or id 0), which is not printed; no id is special (no BOS/EOS).
 *   llama2.c -- a tokenizer.bin with multi-byte pieces: run.c's encoding
 *            (BOS = 1 first), decoding, and a sampled BOS ends the text.
 *   none  -- a llama2.c model without a tokenizer: --ids only, BOS = 1 as run.c.
 * When the context (seq_len) is full, the window restarts from its last half
 * (the cache is refilled), so -n is not limited by the context.
 */
#include <errno.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include "cli.h"
#include "cli_model.h"
#include "model/export_l2c.h"
#include "io/llama2c.h"
#include "io/model_file.h"
#include "io/tokenizer.h"
#include "model/llama_infer.h"
#include "model/sampler.h"
#include "model/profile.h"   /* sw_prof_now */
#include "model/tuner.h"

typedef struct gen_opts {
    const char *cmd;           /* "generate" or "sample" */
    const char *model, *tok, *prompt, *prompt_ids;
    long long n, seed, threads, bench, top_k;
    double temp, top_p;
    int ids, profile;
} gen_opts;

static void usage(FILE *f, const char *cmd)
{
    fprintf(f,
            "usage: swiglu %s [--model] FILE [options]\n"
            "  text from a model: a checkpoint of `swiglu train` or a llama2.c model file\n"
            "  (told apart by content). `sample` and `generate` are the same command.\n"
            "  -m, --model FILE     the model (or give FILE as the first argument; --ckpt is an alias)\n"
            "  -z, --tokenizer T    llama2.c tokenizer.bin, for a llama2.c model (default: the\n"
            "                       FILE.tokenizer.bin that `swiglu export` writes beside it, if any)\n"
            "  -i, --prompt S       prompt text (default: none)\n"
            "      --prompt-ids L   prompt as token ids (space or comma separated)\n"
            "  -n N                 new tokens (default 256; 0 = until the context is full)\n"
            "  -t, --temperature T  (default 1.0; 0 = greedy)\n"
            "  -p, --top-p P        nucleus sampling mass (default 0.9; 0 or 1 = off)\n"
            "  -k, --top-k K        keep the K most probable tokens (default 0 = off)\n"
            "  -s, --seed S         sampler seed (default 0 = from the clock)\n"
            "      --ids            print token ids instead of text\n"
            "      --threads N      threads of the forward (default: measured, the fastest of 1 .. cores,\n"
            "                       timed over the first tokens and again every 512; the text is the same)\n"
            "      --bench RUNS     generate RUNS times silently; print the median tokens/s\n"
            "      --profile        at the end: each phase's share of a token (docs/MODEL.md)\n"
            "  Defaults are llama2.c run.c's. Tokens/s is printed on stderr at the end.\n",
            cmd);
}

/* a is the long option, or the short one (NULL: none) */
static int is_opt(const char *a, const char *lng, const char *shrt)
{
    return !strcmp(a, lng) || (shrt && !strcmp(a, shrt));
}

static void parse(gen_opts *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->cmd = argv[0];
    o->n = 256; o->threads = 0; o->temp = 1.0; o->top_p = 0.9;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
#define IS(l, s) is_opt(a, l, s)
        if (IS("--help", "-h")) { usage(stdout, o->cmd); cli_exit(0); }
        else if (IS("--model", "-m") || IS("--ckpt", NULL)) o->model = cli_value(argc, argv, &i);
        else if (IS("--tokenizer", "-z")) o->tok = cli_value(argc, argv, &i);
        else if (IS("--prompt", "-i")) o->prompt = cli_value(argc, argv, &i);
        else if (IS("--prompt-ids", NULL)) o->prompt_ids = cli_value(argc, argv, &i);
        else if (IS("-n", "--steps")) o->n = cli_parse_int(a, cli_value(argc, argv, &i), 0, 1 << 30);
        else if (IS("--temperature", "-t")) o->temp = cli_parse_double(a, cli_value(argc, argv, &i), 0.0, 1e6);
        else if (IS("--top-p", "-p")) o->top_p = cli_parse_double(a, cli_value(argc, argv, &i), 0.0, 1.0);
        else if (IS("--top-k", "-k")) o->top_k = cli_parse_int(a, cli_value(argc, argv, &i), 0, 1 << 30);
        else if (IS("--seed", "-s")) o->seed = cli_parse_int(a, cli_value(argc, argv, &i), 0, INT64_MAX);
        else if (IS("--ids", NULL)) o->ids = 1;
        else if (IS("--profile", NULL)) o->profile = 1;
        else if (IS("--threads", NULL)) o->threads = cli_parse_int(a, cli_value(argc, argv, &i), 1, 256);
        else if (IS("--bench", NULL)) o->bench = cli_parse_int(a, cli_value(argc, argv, &i), 1, 1000);
        else if (a[0] != '-' && !o->model) o->model = a;
        else { usage(stderr, o->cmd); cli_die("%s: unknown option '%s'", o->cmd, a); }
#undef IS
    }
    if (!o->model) { usage(stderr, o->cmd); cli_die("%s: --model F.bin is required (a checkpoint or a llama2.c model)", o->cmd); }
    if (o->prompt && o->prompt_ids) cli_die("%s: give --prompt or --prompt-ids, not both", o->cmd);
}

/* ---- the model and its vocabulary ---------------------------------------- */

typedef enum { VOCAB_NONE, VOCAB_CHARS, VOCAB_L2C } vocab_kind;

typedef struct gen_model {
    sw_model *ours;          /* a checkpoint of ours, or */
    sw_l2c_model l2c;        /* a llama2.c model */
    sw_llama_state st;
    vocab_kind kind;
    sw_tokenizer tok;        /* VOCAB_L2C */
    unsigned char itos[256]; /* VOCAB_CHARS: id -> byte */
    int16_t stoi[256];       /* byte -> id, -1 when absent */
    int V, S;
    sw_thread_tuner tune;    /* the measured thread count (no --threads) */
    long long passes;        /* forward passes so far, all runs */
    double unit_t0;          /* start of the tuner's current unit */
} gen_model;

/* The tuner times units of this many forward passes (one is ~50 us for
 * stories260K: too short to time alone), measuring again every 64 units. */
enum { TUNE_UNIT = 8, TUNE_RECHECK = 64 };

/* Below this many weights a token's work is too small to split (stories260K:
 * ~60 us a token on 1 thread, 3x slower on 2: the 5 barriers a layer cost
 * more than the matvecs), and measuring would cost more than it could win:
 * 1 thread, no tuner. From here on a token's weights are >= 16 MB of reads. */
#define GEN_TUNE_MIN_WEIGHTS 4000000.0

/* The thread count before the state exists: --threads, else OMP_NUM_THREADS,
 * else 1 for a small model and the cores for a big one (the tuner then
 * measures 1 .. cores). D, H, L, V, KV: the model's sizes. */
static int gen_threads(const gen_opts *o, double D, double H, double L, double V, double KV)
{
    if (o->threads) return (int)o->threads;
    const char *e = getenv("OMP_NUM_THREADS");
    long n = e ? strtol(e, NULL, 10) : 0;
    if (n >= 1 && n <= 256) return (int)n;
    double weights = L * (2 * D * D + 2 * D * KV + 3 * D * H) + V * D;
    return weights < GEN_TUNE_MIN_WEIGHTS ? 1 : cli_cores();
}

/* "swiglu: PATH: problem" (the library's I/O messages may already start with PATH). */
static void die_file(const char *path, const char *msg) __attribute__((noreturn));
static void die_file(const char *path, const char *msg)
{
    if (!strncmp(msg, path, strlen(path))) cli_die("%s", msg);
    cli_die("%s: %s", path, msg);
}

static void set_chars(gen_model *g, const unsigned char *itos, int V)
{
    g->kind = VOCAB_CHARS;
    for (int c = 0; c < 256; c++) g->stoi[c] = -1;
    for (int t = 0; t < V; t++) { g->itos[t] = itos[t]; if (g->stoi[itos[t]] < 0) g->stoi[itos[t]] = (int16_t)t; }
}

static void load(gen_model *g, const gen_opts *o)
{
    char msg[4400];
    memset(g, 0, sizeof *g);
    if (sw_checkpoint_is_ours(o->model)) {
        if (o->tok) cli_die("%s: %s is a checkpoint of `swiglu train`: its vocabulary is inside; drop --tokenizer",
                            o->cmd, o->model);
        cli_ckpt ck;
        cli_ckpt_load(&ck, o->model, 1, 1, NULL);
        g->ours = ck.m;
        const sw_model *m = g->ours;
        cli_check(sw_llama_init_model(&g->st, m, gen_threads(o, (double)m->D, (double)m->H, (double)m->L, (double)m->V,
                                                             (double)m->KV)), "model state");
        set_chars(g, ck.itos, ck.vocab);
        g->V = ck.vocab;
        g->S = (int)g->ours->Tmax;
        return;
    }
    /* llama2.c, GGUF or safetensors (io/model_file.h) */
    sw_model_file mf;
    swiglu_status st = sw_model_file_open(&mf, o->model, 1, msg, sizeof msg);
    if (st == SWIGLU_ERR_FORMAT && !strcmp(mf.format, "llama2.c"))
        cli_die("'%s' is not a swiglu checkpoint (bad magic), a GGUF or safetensors file, nor a llama2.c model: %s",
                o->model, msg);
    if (st != SWIGLU_OK) die_file(o->model, msg);
    g->l2c = mf.m;   /* the weights move to g (sw_l2c_close frees them) */
    g->V = g->l2c.cfg.vocab_size;
    g->S = g->l2c.cfg.seq_len;
    char beside[4200];
    const char *tp = o->tok;
    struct stat sb;
    if (!tp && !sw_export_tokenizer_path(beside, sizeof beside, o->model) && stat(beside, &sb) == 0)
        tp = beside;
    if (!tp && mf.tok) {   /* the tokenizer the file carries (GGUF) */
        st = sw_tok_parse(&g->tok, mf.tok, mf.tok_size, g->V, msg, sizeof msg);
        free(mf.tok);
        if (st != SWIGLU_OK) cli_die("%s: its tokenizer: %s", o->model, msg);
    } else free(mf.tok);
    if (tp || g->tok.vocab) {
        if (tp && sw_tok_load(&g->tok, tp, g->V, msg, sizeof msg) != SWIGLU_OK) die_file(tp, msg);
        if (sw_tok_is_chars(&g->tok)) {
            unsigned char itos[256];
            if (g->V > 256) cli_die("%s: a one-byte tokenizer of %d tokens", tp, g->V);
            for (int t = 0; t < g->V; t++) itos[t] = (unsigned char)g->tok.vocab[t][0];
            set_chars(g, itos, g->V);
        } else {
            g->kind = VOCAB_L2C;
        }
    } else {
        g->kind = VOCAB_NONE;
        if (o->prompt) cli_die("%s: --prompt needs --tokenizer T.bin (or use --prompt-ids)", o->cmd);
        if (!o->ids && !o->bench) cli_die("%s: no tokenizer: pass --tokenizer T.bin, or --ids to print token ids", o->cmd);
    }
    const sw_l2c_config *c = &g->l2c.cfg;
    cli_check(sw_llama_init(&g->st, &g->l2c, gen_threads(o, c->dim, c->hidden_dim, c->n_layers, c->vocab_size, c->kv_dim)),
              "model state");
}

/* After load: the tuner, when the thread count is ours to choose. */
static void start_tuner(gen_model *g, const gen_opts *o)
{
    if (!o->threads && !getenv("OMP_NUM_THREADS")) sw_tuner_init(&g->tune, g->st.max_threads, TUNE_RECHECK, 0);
}

/* One forward pass; the tuner switches threads between its units. */
static void forward(gen_model *g, int token, int pos, const float **logits)
{
    long long unit = g->passes / TUNE_UNIT;
    int n;
    if (g->passes % TUNE_UNIT == 0) {
        if ((n = sw_tuner_before(&g->tune, unit))) cli_check(sw_llama_set_threads(&g->st, n), "threads");
        g->unit_t0 = sw_prof_now();
    }
    double t0 = g->st.prof.on ? sw_prof_now() : 0.0;
    cli_check(sw_llama_forward(&g->st, token, pos, logits), "forward");
    if (g->st.prof.on) { g->st.prof.step_sec += sw_prof_now() - t0; g->st.prof.steps++; }
    if (++g->passes % TUNE_UNIT == 0 && (n = sw_tuner_after(&g->tune, unit, sw_prof_now() - g->unit_t0)))
        cli_check(sw_llama_set_threads(&g->st, n), "threads");
}

static void unload(gen_model *g)
{
    sw_llama_free(&g->st);
    sw_tok_free(&g->tok);
    sw_l2c_close(&g->l2c);
    sw_model_free(g->ours);
}

/* The prompt as ids [*np] (>= 1); *shown: 1 when ids[0] is text to print. */
static int *prompt_ids(const gen_model *g, const gen_opts *o, size_t *np, int *shown)
{
    size_t cap = 4 + (o->prompt ? strlen(o->prompt) : 0) + (o->prompt_ids ? strlen(o->prompt_ids) : 0);
    int *ids = malloc(cap * sizeof *ids);
    if (!ids) cli_die("out of memory");
    *np = 0;
    *shown = o->ids;
    if (o->prompt_ids) {
        const char *p = o->prompt_ids;
        while (*p) {
            while (*p == ' ' || *p == ',' || *p == '\t' || *p == '\n') p++;
            if (!*p) break;
            char *end;
            errno = 0;
            long v = strtol(p, &end, 10);
            if (end == p) cli_die("--prompt-ids: not a number at '%s'", p);
            /* the id as given: strtol clamps 99999999999999999999 to LONG_MAX */
            if (errno == ERANGE || v < 0 || v >= g->V)
                cli_die("--prompt-ids: token id %.*s out of range [0, %d)", (int)(end - p), p, g->V);
            ids[(*np)++] = (int)v;
            p = end;
        }
        if (*np && g->kind == VOCAB_CHARS) *shown = 1;
    } else if (o->prompt && *o->prompt && g->kind == VOCAB_CHARS) {
        for (const char *c = o->prompt; *c; c++) {
            int t = g->stoi[(unsigned char)*c];
            if (t < 0) cli_die("the prompt's character 0x%02x ('%c') is not in the model's vocabulary",
                               (unsigned char)*c, *c >= 32 && *c < 127 ? *c : '?');
            ids[(*np)++] = t;
        }
        *shown = 1;
    } else if (o->prompt && g->kind == VOCAB_L2C) {
        swiglu_status st = sw_tok_encode(&g->tok, o->prompt, 1, 0, ids, cap, np);
        if (st != SWIGLU_OK) cli_die("%s: cannot encode the prompt: %s", o->cmd, swiglu_status_str(st));
    }
    if (*np == 0) {
        /* chars: nanoGPT's start, a newline (not printed), or id 0; else BOS */
        ids[(*np)++] = g->kind == VOCAB_CHARS ? (g->stoi['\n'] >= 0 ? g->stoi['\n'] : 0) : SW_TOK_BOS;
    }
    return ids;
}

/* ---- output ------------------------------------------------------------- */

/* run.c's safe_printf, except for UTF-8: a single raw byte is printed when
 * printable, whitespace, or >= 0x80 (a piece of a multi-byte character that
 * came as <0xNN> byte tokens; run.c drops those); control bytes are not. */
static void put_piece(const char *p, size_t n)
{
    if (n == 0) return;
    if (n == 1) {
        unsigned char b = (unsigned char)p[0];
        if (!(isprint(b) || isspace(b) || b >= 0x80)) return;
    }
    fwrite(p, 1, n, stdout);
}

/* Prints token `id` (after `prev`; prev < 0: the first token). */
static void emit(const gen_model *g, int ids, int prev, int id)
{
    if (ids) { printf(prev < 0 ? "%d" : " %d", id); return; }
    if (g->kind == VOCAB_CHARS) { putchar(g->itos[id]); return; }
    const char *piece;
    size_t len;
    cli_check(sw_tok_decode(&g->tok, prev < 0 ? 0 : prev, id, &piece, &len), "decode");
    put_piece(piece, len);
}

/* CPU seconds of the whole process (all threads). */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One generation: seq [np + nnew] starts with the prompt; appends up to nnew
 * tokens (fewer when a llama2.c BOS ends the text). Returns the count; the
 * forward passes in *passes. */
static size_t run_once(gen_model *g, int *seq, size_t np, size_t nnew, const gen_opts *o,
                       uint64_t seed, int quiet, size_t *passes)
{
    sw_sampler sm;
    cli_check(sw_sampler_init(&sm, (size_t)g->V, (float)o->temp, (float)o->top_p, (int)o->top_k, seed), "sampler");
    const int bos_ends = g->kind != VOCAB_CHARS;
    const size_t S = (size_t)g->S;
    size_t len = np, fed = 0, produced = 0;
    int pos = 0;
    *passes = 0;
    const float *logits;
    while (produced < nnew) {
        if ((size_t)pos == S) {   /* context full: refill the cache with the last half */
            size_t keep = S / 2;
            pos = 0;
            for (size_t i = fed - keep; i < fed; i++, pos++, ++*passes)
                forward(g, seq[i], pos, &logits);
        }
        forward(g, seq[fed], pos, &logits);
        fed++; pos++; ++*passes;
        if (fed < len) continue;   /* still reading the prompt */
        int next = sw_sampler_next(&sm, logits);
        sw_prof_lap(&g->st.prof, SW_PH_LOSS);
        if (bos_ends && next == SW_TOK_BOS) break;   /* BOS delimits sequences (run.c) */
        if (!quiet) { emit(g, o->ids, seq[len - 1], next); fflush(stdout); }
        seq[len++] = next;
        produced++;
    }
    sw_sampler_free(&sm);
    return produced;
}

static int generate_main(int argc, char **argv)
{
    gen_opts o;
    parse(&o, argc, argv);
    cli_args_done();

    gen_model g;
    double t_load = sw_prof_now();
    load(&g, &o);
    t_load = sw_prof_now() - t_load;
    start_tuner(&g, &o);
    g.st.prof.on = o.profile;
    size_t np;
    int shown;
    int *ids = prompt_ids(&g, &o, &np, &shown);
    size_t nnew = (size_t)o.n;
    if (nnew == 0) nnew = (size_t)g.S + 1 > np ? (size_t)g.S + 1 - np : 0;   /* run.c's steps = seq_len */
    int *seq = malloc((np + nnew) * sizeof *seq);
    if (!seq) cli_die("out of memory");
    memcpy(seq, ids, np * sizeof *seq);
    uint64_t seed = o.seed ? (uint64_t)o.seed : (uint64_t)time(NULL);   /* run.c: seed <= 0 -> the clock */

    int runs = o.bench ? (int)o.bench : 1;
    double *rates = malloc((size_t)runs * sizeof *rates), *cpu_rates = malloc((size_t)runs * sizeof *cpu_rates);
    if (!rates || !cpu_rates) cli_die("out of memory");
    for (int r = 0; r < runs; r++) {
        const int quiet = o.bench != 0;
        if (!quiet) {
            for (size_t i = 0; i < np; i++)
                if (i > 0 || shown) emit(&g, o.ids, i ? seq[i - 1] : -1, seq[i]);
            fflush(stdout);
        }
        size_t passes;
        double t0 = sw_prof_now(), c0 = cpu_s();
        size_t made = run_once(&g, seq, np, nnew, &o, seed, quiet, &passes);
        double dt = sw_prof_now() - t0, dc = cpu_s() - c0;
        rates[r] = dt > 0 ? (double)made / dt : 0;
        cpu_rates[r] = dc > 0 ? (double)made / dc : 0;
        if (!quiet) {
            printf("\n");
            fflush(stdout);
            fprintf(stderr, "swiglu %s: %zu tokens in %.1f ms: %.0f tok/s (%zu forward passes with a KV cache, "
                    "%d thread%s%s, %s kernels; load %.1f ms)\n",
                    o.cmd, made, dt * 1e3, rates[r], passes, g.st.nthreads, g.st.nthreads > 1 ? "s" : "",
                    g.tune.max > 1 ? (g.tune.decisions ? " (measured the fastest)" : " (still measuring)") : "",
                    swiglu_isa_name(swiglu_isa_active()), t_load * 1e3);
        }
    }
    if (o.bench) {
        qsort(rates, (size_t)runs, sizeof *rates, cmp_double);
        qsort(cpu_rates, (size_t)runs, sizeof *cpu_rates, cmp_double);
        double med = runs % 2 ? rates[runs / 2] : 0.5 * (rates[runs / 2 - 1] + rates[runs / 2]);
        double cmed = runs % 2 ? cpu_rates[runs / 2] : 0.5 * (cpu_rates[runs / 2 - 1] + cpu_rates[runs / 2]);
        /* tokens per CPU-second: with 1 thread, meant as a figure less
         * sensitive to other processes; a VM under load can overstate it */
        printf("%s %s: threads %d%s, new tokens %zu, runs %d, median %.0f tok/s (min %.0f, max %.0f; "
               "%.0f tok per CPU-s), %s kernels\n",
               o.cmd, o.model, g.st.nthreads, g.tune.max > 1 ? " (measured)" : "", nnew, runs, med, rates[0], rates[runs - 1], cmed,
               swiglu_isa_name(swiglu_isa_active()));
    }
    if (o.profile) sw_prof_print(stderr, &g.st.prof, "token", g.st.nthreads);
    free(rates); free(cpu_rates); free(seq); free(ids);
    unload(&g);
    return 0;
}

int cmd_generate(int argc, char **argv) { return generate_main(argc, argv); }
int cmd_sample(int argc, char **argv) { return generate_main(argc, argv); }
