/* cmd_inspect.c -- `swiglu inspect`: what the gates of a trained SwiGLU
 * model do on real text, layer by layer (llama2.c checkpoints, and
 * checkpoints of `swiglu train`, told apart by their first bytes).
 *
 *   swiglu inspect --model F.bin [--tokenizer T.bin --data FILE] [-n TOKENS]
 *                  [--seed S] [--out DIR] [--threads N]
 *
 * Text: the tokens of FILE (needs the tokenizer; encoded in pieces of <= 1 KiB
 * cut at newlines, as BPE merging is quadratic), fed in windows of at most
 * seq_len positions, up to -n tokens (default 1024). Without --data the model
 * samples its own text from BOS (temperature 1, --seed; model/sampler.c,
 * as `generate -t 1 -s S`), which is what is
 * at hand for stories260K whose tokenizer is not available.
 *
 * Per layer, over all tokens, with g = w1 x (gate pre-activation),
 * s = swish(g) = g sigmoid(g) (the gate output), u = w3 x (up), h = s u:
 *   g, s: mean, std, min, max, and quantiles 1/50/99 % (from histograms)
 *   dead: fraction of hidden units with |h| < 1e-6 on EVERY token (and the
 *         same for |s|): the "dead neuron" claim, measured;
 *   sparsity: per token, the fraction of units with |s| < 1e-6 and < 1e-2,
 *         averaged over tokens;
 *   |u|: mean and max.
 * --out DIR writes DIR/inspect_hist.dat (histograms, one block per layer),
 * DIR/inspect.gp (a gnuplot script) and, when gnuplot is installed,
 * DIR/inspect_gate.png, DIR/inspect_swish.png, DIR/inspect_up.png.
 *
 * Our checkpoints (magic SWGLCKPT): the text of --data is mapped through the
 * checkpoint's own vocabulary (bytes, or the characters it was trained on;
 * other bytes are skipped and counted), no --tokenizer. A model llama2.c can
 * run (src/model/export_l2c.h: SwiGLU, beta 1, eps 1e-5, theta 1e4) is
 * converted in memory to its llama2.c export and inspected exactly as above
 * (same forward, same table; test_export shows the two forwards agree to
 * ~1e-7). Any other (another FFN variant, learned beta, other eps/theta)
 * runs through our own batched forward (sw_model_forward over windows of
 * seq_len) and gets the library's per-layer summary (swiglu_ffn_hidden_stats):
 * h = act(g) * u for gated variants, act(g) for plain ones; dead fraction,
 * zero fraction, g and h mean/std, mean |u|. No histograms there (--out DIR
 * writes that table as DIR/inspect_layers.tsv), and --data is required (no
 * sampler on that path). Every file is written atomically (sw_atomic_file).
 * Legend: H hidden units, L layers, V vocab, T seq_len, B windows.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "cli_model.h"
#include "lab/gnuplot.h"
#include "model/export_l2c.h"
#include "io/llama2c.h"
#include "io/model_file.h"
#include "io/tokenizer.h"
#include "model/llama_infer.h"
#include "model/sampler.h"

#define NBINS 160

/* Fixed-range histogram with exact moments and extremes. */
typedef struct hist {
    double lo, hi;
    double count, sum, sumsq, min, max;
    double under, over, bin[NBINS];
    double nonfinite;          /* NaN or infinite values: counted, never binned */
} hist;

static void hist_init(hist *h, double lo, double hi)
{
    memset(h, 0, sizeof *h);
    h->lo = lo; h->hi = hi; h->min = DBL_MAX; h->max = -DBL_MAX;
}

static void hist_add(hist *h, double v)
{
    if (!isfinite(v)) { h->nonfinite++; return; }   /* (int)NaN would be the bin index */
    h->count++; h->sum += v; h->sumsq += v * v;
    if (v < h->min) h->min = v;
    if (v > h->max) h->max = v;
    if (v < h->lo) { h->under++; return; }
    if (v >= h->hi) { h->over++; return; }
    int b = (int)((v - h->lo) / (h->hi - h->lo) * NBINS);
    h->bin[b < NBINS ? b : NBINS - 1]++;
}

/* An empty histogram (every value non-finite) has statistics nan. */
static double hist_mean(const hist *h) { return h->count ? h->sum / h->count : NAN; }
static double hist_min(const hist *h) { return h->count ? h->min : NAN; }
static double hist_max(const hist *h) { return h->count ? h->max : NAN; }
static double hist_std(const hist *h)
{
    if (!h->count) return NAN;
    double m = hist_mean(h), v = h->sumsq / h->count - m * m;
    return v > 0 ? sqrt(v) : 0;
}
/* Quantile q from the bins (bin centre; the extremes for the tails). */
static double hist_q(const hist *h, double q)
{
    if (!h->count) return NAN;
    double want = q * h->count, acc = h->under;
    if (acc >= want) return h->min;
    for (int b = 0; b < NBINS; b++) {
        acc += h->bin[b];
        if (acc >= want) return h->lo + (b + 0.5) * (h->hi - h->lo) / NBINS;
    }
    return h->max;
}

typedef struct layer_stats {
    hist g, s, au;             /* gate pre-activation, swish output, |up| */
    double *max_abs_h;         /* [H] max over tokens of |s u| */
    double *max_abs_s;         /* [H] max over tokens of |s| */
    double sp6, sp2;           /* sums over tokens of the per-token sparsity */
    double tokens;
} layer_stats;

typedef struct probe_ctx {
    layer_stats *ls;  /* [L] */
    float *sbuf;      /* [H] swish(g) */
} probe_ctx;

static void probe(void *vctx, int layer, const float *g, const float *u, const float *hgl, int H)
{
    probe_ctx *c = vctx;
    layer_stats *L = &c->ls[layer];
    /* s = swish(g) with the library's own kernel */
    cli_check(swiglu_act_forward(c->sbuf, g, (size_t)H, SWIGLU_ACT_SWISH, 1.0f), "inspect: swish");
    int n6 = 0, n2 = 0;
    for (int i = 0; i < H; i++) {
        double s = c->sbuf[i], as = fabs(s), ah = fabs((double)hgl[i]);
        hist_add(&L->g, g[i]);
        hist_add(&L->s, s);
        hist_add(&L->au, fabs((double)u[i]));
        if (ah > L->max_abs_h[i]) L->max_abs_h[i] = ah;
        if (as > L->max_abs_s[i]) L->max_abs_s[i] = as;
        n6 += as < 1e-6;
        n2 += as < 1e-2;
    }
    L->sp6 += (double)n6 / H;
    L->sp2 += (double)n2 / H;
    L->tokens++;
}

/* The whole of --data (at most 1 GiB), NUL-terminated, its length in *len;
 * dies with one line when it is not a regular file, cannot be read, or is
 * empty. */
static char *read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) cli_die("inspect: cannot read --data '%s': %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) cli_die("inspect: --data '%s' is not a regular file", path);
    size_t n = 0, cap = 1 << 16;
    char *b = malloc(cap + 1);
    size_t got;
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            if (cap >= (1u << 30)) break;  /* 1 GiB of text is plenty */
            char *nb = realloc(b, 2 * cap + 1);
            if (!nb) { free(b); b = NULL; break; }
            b = nb;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!b) cli_die("out of memory");
    if (bad) cli_die("inspect: cannot read --data '%s'", path);
    if (n == 0) cli_die("inspect: --data '%s' is empty", path);
    b[n] = '\0';
    *len = n;
    return b;
}

static void write_plots(const char *dir, const layer_stats *ls, int nl)
{
    char path[4200];
    sw_atomic_file out;
    snprintf(path, sizeof path, "%s/inspect_hist.dat", dir);
    cli_out_open(&out, path);
    FILE *f = out.f;
    fprintf(f, "# swiglu inspect histograms: one block per layer (two blank lines apart)\n"
               "# columns: gate_bin_centre gate_fraction swish_bin_centre swish_fraction absup_bin_centre absup_fraction\n");
    for (int l = 0; l < nl; l++) {
        const hist *hs[3] = {&ls[l].g, &ls[l].s, &ls[l].au};
        fprintf(f, "# layer %d\n", l);
        for (int b = 0; b < NBINS; b++) {
            for (int k = 0; k < 3; k++) {
                double w = (hs[k]->hi - hs[k]->lo) / NBINS;
                fprintf(f, "%s%.6g %.6g", k ? " " : "", hs[k]->lo + (b + 0.5) * w,
                        hs[k]->count ? hs[k]->bin[b] / hs[k]->count : 0.0);
            }
            fputc('\n', f);
        }
        fprintf(f, "\n\n");
    }
    cli_out_close(&out);
    snprintf(path, sizeof path, "%s/inspect.gp", dir);
    char msg[4400];
    if (!(f = sw_gnuplot_open(&out, path, msg, sizeof msg))) cli_die("%s", msg);
    const char *what[3][3] = {{"gate", "gate pre-activation g = w1 x", "1:2"},
                              {"swish", "gate output swish(g)", "3:4"},
                              {"up", "|up| = |w3 x|", "5:6"}};
    fprintf(f, "# gnuplot script written by `swiglu inspect`; run: gnuplot inspect.gp\n"
               "set terminal pngcairo size 900,540 noenhanced\nset style data steps\nset format y \"%%g\"\n"
               "set ylabel 'fraction of values per bin'\nset key top right\nset grid\n");
    for (int k = 0; k < 3; k++) {
        fprintf(f, "set output 'inspect_%s.png'\nset title 'per-layer distribution of the %s'\nset logscale y\n"
                   "plot for [l=0:%d] 'inspect_hist.dat' index l using %s title sprintf('layer %%d', l)\n",
                what[k][0], what[k][1], nl - 1, what[k][2]);
    }
    /* run in dir: the script names its files relative to it */
    int rc = sw_gnuplot_run(&out, dir, msg, sizeof msg);
    if (rc == SW_GNUPLOT_UNSAVED) cli_die("%s", msg);
    if (rc == SW_GNUPLOT_FAILED) fprintf(stderr, "swiglu inspect: gnuplot failed; %s/inspect.gp kept\n", dir);
    else if (rc == SW_GNUPLOT_OK) fprintf(stderr, "swiglu inspect: wrote %s/inspect_{gate,swish,up}.png\n", dir);
    else fprintf(stderr, "swiglu inspect: gnuplot not found; run `gnuplot inspect.gp` in %s\n", dir);
}

/* "swiglu: PATH: problem" (the library's I/O messages already start with PATH). */
static void die_file(const char *path, const char *msg) __attribute__((noreturn));
static void die_file(const char *path, const char *msg)
{
    if (!strncmp(msg, path, strlen(path))) cli_die("%s", msg);
    cli_die("%s: %s", path, msg);
}

/* The text of `data` as ids of our vocabulary (itos[0..V)), at most ntok;
 * bytes outside it are skipped and counted in *skipped. */
static int *our_tokens(const char *data, const uint8_t *itos, int V, long long ntok, size_t *n,
                       size_t *skipped)
{
    size_t len;
    char *text = read_text(data, &len);
    int stoi[256];
    for (int i = 0; i < 256; i++) stoi[i] = -1;
    for (int i = 0; i < V; i++) stoi[itos[i]] = i;
    size_t k = 0;   /* every byte, a NUL too: our vocabularies are bytes */
    *skipped = 0;
    int *ids = malloc((len + 1) * sizeof *ids);
    if (!ids) cli_die("out of memory");
    for (size_t i = 0; i < len && (long long)k < ntok; i++) {
        int t = stoi[(unsigned char)text[i]];
        if (t < 0) (*skipped)++;
        else ids[k++] = t;
    }
    free(text);
    *n = k;
    return ids;
}

/* inspect reads a model whatever its weights: NaN or infinite ones are
 * counted and reported (the statistics count non-finite values apart). */
static void report_nonfinite(size_t n)
{
    if (n) printf("warning: %zu weight%s NaN or infinite; the statistics below count non-finite values apart\n",
                  n, n == 1 ? " is" : "s are");
}

/* Any model of ours llama2.c cannot run: our batched forward over B windows
 * of T tokens (all in one forward, so the dead-unit test sees every token),
 * and the library's per-layer summary. */
static int inspect_native(const char *path, const char *data, long long ntok, const char *why, const char *out)
{
    cli_ckpt ck;
    cli_ckpt_load(&ck, path, 1, 0, "inspect");
    size_t T = ck.m->Tmax;
    sw_model_free(ck.m);
    const uint8_t *itos = ck.itos;
    const int V = ck.vocab;
    if (!data) cli_die("inspect: %s cannot run as a llama2.c model (%s); inspecting it needs --data FILE", path, why);
    size_t n, skipped;
    int *ids = our_tokens(data, itos, V, ntok, &n, &skipped);
    if (n == 0) cli_die("inspect: %s holds no token of %s's vocabulary", data, path);
    if (n < T) T = n;
    size_t B = n / T;
    cli_ckpt_load(&ck, path, B, 0, "inspect");
    sw_model *m = ck.m;
    report_nonfinite(sw_model_nonfinite(m));
    sw_model_set_dropout(m, 0, 0);
    if (sw_model_forward(m, ids, NULL, B, T, NULL)) cli_die("inspect: forward failed");
    const char *var = swiglu_ffn_variant_name(m->cfg.ffn);
    printf("swiglu inspect: %s (ours, FFN %s, dim %zu, hidden %zu, %zu layers; %s), %zu tokens of %s in %zu windows of %zu",
           path, var, m->D, m->H, m->L, why, B * T, data, B, T);
    if (skipped) printf(" (%zu bytes outside the vocabulary skipped)", skipped);
    printf("\ng = gate pre-activation x W1^T, h = act(g) (* u = x W3^T when gated); our batched forward\n");
    printf("%-5s | %8s %7s | %8s %7s | %7s %8s | %8s\n", "layer", "g mean", "g std", "h mean", "h std",
           "dead h", "sp<1e-6", "|u|mean");
    /* --out DIR: the same table as tab-separated columns (no histograms here) */
    sw_atomic_file tsv = {0};
    char tpath[4200];
    if (out) {
        snprintf(tpath, sizeof tpath, "%s/inspect_layers.tsv", out);
        cli_out_open(&tsv, tpath);
        fprintf(tsv.f, "# swiglu inspect: %s, FFN %s, %zu tokens of %s\n"
                       "layer\tg_mean\tg_std\th_mean\th_std\tdead_h\tzero_h\tabs_u_mean\n", path, var, B * T, data);
    }
    for (size_t l = 0; l < m->L; l++) {
        swiglu_ffn_stats st;
        if (sw_model_ffn_stats(m, l, &st)) cli_die("inspect: statistics of layer %zu failed", l);
        printf("%-5zu | %8.3f %7.3f | %8.4f %7.3f | %7.4f %8.4f | %8.4f\n", l, st.gate_mean, st.gate_std,
               st.act_mean, st.act_std, st.dead_fraction, st.zero_fraction, st.up_abs_mean);
        if (out)
            fprintf(tsv.f, "%zu\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\n", l, st.gate_mean, st.gate_std,
                    st.act_mean, st.act_std, st.dead_fraction, st.zero_fraction, st.up_abs_mean);
    }
    if (out) {
        cli_out_close(&tsv);
        fprintf(stderr, "swiglu inspect: wrote %s\n", tpath);
    }
    printf("dead h: fraction of the %zu hidden units whose |h| < 1e-6 on every token;\n"
           "sp<1e-6: fraction of (token, unit) entries with |h| < 1e-6; |u|mean 0 for plain variants\n", m->H);
    free(ids);
    sw_model_free(m);
    return 0;
}

/* The output files of --out DIR: none may be an input. */
static void check_out_files(const char *dir, const char *const *names, size_t n, const cli_file *ins, size_t nin)
{
    for (size_t i = 0; i < n; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        cli_check_output("--out", path, CLI_OUT_SAVE, ins, nin);
    }
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: swiglu inspect --model F [--tokenizer T.bin --data FILE] [-n TOKENS]\n"
            "                      [--seed S] [--out DIR] [--threads N]\n"
            "  --model F    a llama2.c model, or a checkpoint of `swiglu train`\n"
            "  --data FILE  text to run the model over (a llama2.c model needs --tokenizer;\n"
            "               ours uses its own vocabulary); without it the model samples\n"
            "               its own text (temperature 1)\n"
            "  -n TOKENS    tokens to inspect (default 1024), in windows of seq_len\n"
            "  --out DIR    histograms (inspect_hist.dat), gnuplot script and PNGs;\n"
            "               for checkpoints run through our own forward: inspect_layers.tsv\n");
}

typedef struct inspect_opts {
    const char *model_path, *tok_path, *data, *out;
    long long ntok, seed, threads;
} inspect_opts;

/* The model to run (load_model). */
typedef struct inspect_model {
    sw_l2c_model model;
    float *storage;
    void *file_tok;          /* a tokenizer the model file carries (GGUF) */
    size_t file_tok_size;
    int bos, start;
    uint8_t itos[256];
} inspect_model;

/* Parses argv into o; 1 when --help was printed (exit 0). */
static int parse_args(inspect_opts *o, int argc, char **argv)
{
    *o = (inspect_opts){.ntok = 1024, .seed = 42, .threads = 1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(stdout); return 1; }
        else if (!strcmp(a, "--model") || !strcmp(a, "-m")) o->model_path = cli_value(argc, argv, &i);
        else if (!strcmp(a, "--tokenizer") || !strcmp(a, "-z")) o->tok_path = cli_value(argc, argv, &i);
        else if (!strcmp(a, "--data")) o->data = cli_value(argc, argv, &i);
        else if (!strcmp(a, "--out")) o->out = cli_value(argc, argv, &i);
        else if (!strcmp(a, "-n")) o->ntok = cli_parse_int(a, cli_value(argc, argv, &i), 1, 1 << 24);
        else if (!strcmp(a, "--seed")) o->seed = cli_parse_int(a, cli_value(argc, argv, &i), 1, INT64_MAX);
        else if (!strcmp(a, "--threads")) o->threads = cli_parse_int(a, cli_value(argc, argv, &i), 1, 256);
        else { usage(stderr); cli_die("inspect: unknown option '%s'", a); }
    }
    if (!o->model_path) { usage(stderr); cli_die("inspect: --model F.bin is required"); }
    cli_args_done();
    if (o->out) {
        /* the folder and the files it will get, before any work */
        const cli_file ins[] = {{"--model", o->model_path}, {"--tokenizer", o->tok_path}, {"--data", o->data}};
        const char *files[] = {"inspect_hist.dat", "inspect.gp", "inspect_layers.tsv", "inspect_gate.png",
                               "inspect_swish.png", "inspect_up.png"};
        cli_out_dir("--out", o->out);
        check_out_files(o->out, files, sizeof files / sizeof files[0], ins, 3);
    }
    return 0;
}

/* The text of `data` as llama2.c token ids, at most ntok, with the
 * tokenizer at tok_path or (none) the one the model file carries. BPE merging is
 * quadratic in the text length (run.c's algorithm), so the text is encoded
 * in pieces of at most CHUNK bytes cut after a newline (or a space), until
 * ntok tokens are there; each piece gets its own dummy-prefix space, the
 * first one BOS. */
static int *l2c_tokens(const char *data, const char *tok_path, const inspect_model *im, const char *model_path,
                       int V, long long ntok, size_t *nids)
{
    char msg[512];
    sw_tokenizer tok;
    if (!tok_path) {   /* the model file's own (GGUF) */
        if (sw_tok_parse(&tok, im->file_tok, im->file_tok_size, V, msg, sizeof msg) != SWIGLU_OK)
            cli_die("inspect: %s: its tokenizer: %s", model_path, msg);
    } else if (sw_tok_load(&tok, tok_path, V, msg, sizeof msg) != SWIGLU_OK) die_file(tok_path, msg);
    size_t len;
    char *text = read_text(data, &len);
    const char *nul = memchr(text, 0, len);
    if (nul) cli_die("inspect: --data '%s' holds a NUL byte (at offset %zu); the tokenizer reads text", data, (size_t)(nul - text));
    enum { CHUNK = 1024 };
    size_t cap = (size_t)ntok + CHUNK + 3, at = 0;
    int *ids = malloc(cap * sizeof *ids);
    if (!ids) cli_die("out of memory");
    char piece[CHUNK + 1];
    *nids = 0;
    while (at < len && (long long)*nids < ntok) {
        size_t n = len - at < CHUNK ? len - at : CHUNK;
        if (at + n < len) {
            size_t cut = n;
            while (cut > 0 && text[at + cut - 1] != '\n') cut--;
            if (cut == 0) { cut = n; while (cut > 0 && text[at + cut - 1] != ' ') cut--; }
            if (cut > 0) n = cut;
        }
        memcpy(piece, text + at, n);
        piece[n] = '\0';
        at += n;
        size_t got = 0;
        cli_check(sw_tok_encode(&tok, piece, *nids == 0, 0, ids + *nids, cap - *nids, &got),
                  "inspect: encode");
        *nids += got;
    }
    free(text);
    sw_tok_free(&tok);
    if ((long long)*nids > ntok) *nids = (size_t)ntok;
    if (*nids == 0) cli_die("inspect: --data '%s' gave no tokens", data);
    return ids;
}

/* Per-layer statistics for NL layers of H hidden units. */
static layer_stats *stats_new(int NL, int H)
{
    layer_stats *ls = calloc((size_t)NL, sizeof *ls);
    if (!ls) cli_die("out of memory");
    for (int l = 0; l < NL; l++) {
        hist_init(&ls[l].g, -12, 12);
        hist_init(&ls[l].s, -0.5, 12);
        hist_init(&ls[l].au, 0, 12);
        ls[l].max_abs_h = calloc((size_t)H, sizeof(double));
        ls[l].max_abs_s = calloc((size_t)H, sizeof(double));
        if (!ls[l].max_abs_h || !ls[l].max_abs_s) cli_die("out of memory");
    }
    return ls;
}

/* The model to run: ours converted to its llama2.c form (*storage holds
 * the weights; bos -1: none, start: its newline), or a llama2.c file.
 * 0, or 1 when ours cannot be run as llama2.c (*why says why). */
static int load_model(inspect_model *im, const inspect_opts *o, int ours, char *why, size_t cap)
{
    const char *path = o->model_path;
    im->storage = NULL;
    im->file_tok = NULL;
    im->file_tok_size = 0;
    im->bos = SW_TOK_BOS;
    im->start = SW_TOK_BOS;
    if (ours) {
        cli_ckpt ck;
        cli_ckpt_load(&ck, path, 1, 0, "inspect");
        memcpy(im->itos, ck.itos, sizeof im->itos);
        swiglu_status es = sw_export_l2c_build(ck.m, &im->model, &im->storage, why, cap);
        sw_model_free(ck.m);
        if (es == SWIGLU_ERR_ARG) return 1;
        cli_check(es, "inspect: conversion to llama2.c");
        im->bos = -1;
        im->start = 0;
        for (int i = 0; i < ck.vocab; i++) if (im->itos[i] == '\n') im->start = i;
    } else {
        /* llama2.c, GGUF or safetensors (io/model_file.h); non-finite
         * weights are counted below, not refused */
        sw_model_file mf;
        if (sw_model_file_open(&mf, path, 0, why, cap) != SWIGLU_OK) die_file(path, why);
        im->model = mf.m;   /* the weights move here (sw_l2c_close frees them) */
        im->file_tok = mf.tok;
        im->file_tok_size = mf.tok_size;
    }
    if (o->data && !o->tok_path && !ours && !im->file_tok)
        cli_die("inspect: --data needs --tokenizer T.bin to turn text into tokens");
    size_t bad_weights = 0;
    sw_l2c_nonfinite(&im->model, &bad_weights, NULL, 0);
    report_nonfinite(bad_weights);
    return 0;
}

/* Runs the model over ids [nids] (text; NULL: self-generated) for up to
 * ntok tokens, the probe filling pc; returns the tokens run. */
static long long run_tokens(const inspect_model *im, const inspect_opts *o, probe_ctx *pc,
                            const int *ids, size_t nids)
{
    const sw_l2c_config *c = &im->model.cfg;
    const int V = c->vocab_size, bos = im->bos;
    /* the probe's swiglu_act_forward() on one token's H values: no thread
     * team per call (the forward has its own --threads) */
    cli_check(swiglu_threads_set(1), "inspect: threads");
    sw_llama_state st;
    cli_check(sw_llama_init(&st, &im->model, (int)o->threads), "inspect: model state");
    st.probe = probe;
    st.probe_ctx = pc;
    /* self-generated text: multinomial at temperature 1 over all V, the
     * sampler of `sample` / `generate` (the same seed draws the same coins) */
    sw_sampler smp;
    cli_check(sw_sampler_init(&smp, (size_t)V, 1.0f, 0.0f, 0, (uint64_t)o->seed), "inspect: sampler");
    long long done = 0;
    int token = im->start, pos = 0;
    size_t at = 0;
    if (ids) token = ids[at++];
    while (done < o->ntok) {
        const float *lg;
        cli_check(sw_llama_forward(&st, token, pos, &lg), "inspect: forward");
        done++;
        pos++;
        if (ids) {
            if (at >= nids) break;
            token = ids[at++];
        } else {
            token = sw_sampler_next(&smp, lg);
        }
        if (pos >= c->seq_len || (!ids && token == bos)) {
            /* new window: the cache restarts at position 0 with BOS (ours:
             * no BOS; a self-generated window restarts from `start`) */
            pos = 0;
            if (token != bos && !ids) token = im->start;
        }
    }
    sw_sampler_free(&smp);
    sw_llama_free(&st);
    return done;
}

/* The per-layer table (and the non-finite counts) on stdout. */
static void print_table(const layer_stats *ls, int NL, int H)
{
    printf("g = w1 x (gate pre-activation), s = swish(g), u = w3 x, h = s*u; quantiles from %d-bin histograms\n", NBINS);
    printf("%-5s | %8s %7s %8s %8s %8s %8s | %8s %7s %8s %8s | %7s %7s | %8s %8s | %7s %7s\n", "layer",
           "g mean", "g std", "g min", "g p1", "g p50", "g max", "s mean", "s std", "s min", "s max",
           "dead h", "dead s", "sp<1e-6", "sp<1e-2", "|u|mean", "|u|max");
    for (int l = 0; l < NL; l++) {
        const layer_stats *L = &ls[l];
        int dh = 0, ds = 0;
        for (int i = 0; i < H; i++) { dh += L->max_abs_h[i] < 1e-6; ds += L->max_abs_s[i] < 1e-6; }
        printf("%-5d | %8.3f %7.3f %8.3f %8.3f %8.3f %8.3f | %8.4f %7.3f %8.4f %8.3f | %7.4f %7.4f | %8.4f %8.4f | %7.4f %7.3f\n",
               l, hist_mean(&L->g), hist_std(&L->g), hist_min(&L->g), hist_q(&L->g, 0.01), hist_q(&L->g, 0.5),
               hist_max(&L->g), hist_mean(&L->s), hist_std(&L->s), hist_min(&L->s), hist_max(&L->s), (double)dh / H,
               (double)ds / H, L->tokens ? L->sp6 / L->tokens : 0, L->tokens ? L->sp2 / L->tokens : 0,
               hist_mean(&L->au), hist_max(&L->au));
    }
    printf("dead h / dead s: fraction of the %d hidden units whose |h| (|s|) < 1e-6 on every token;\n"
           "sp<e: fraction of units per token with |s| < e, averaged over tokens\n", H);
    for (int l = 0; l < NL; l++)
        if (ls[l].g.nonfinite || ls[l].s.nonfinite || ls[l].au.nonfinite)
            printf("layer %d: non-finite values left out above: %.0f of g, %.0f of s, %.0f of |u|\n", l,
                   ls[l].g.nonfinite, ls[l].s.nonfinite, ls[l].au.nonfinite);
}

int cmd_inspect(int argc, char **argv)
{
    inspect_opts o;
    if (parse_args(&o, argc, argv)) return 0;
    const int ours = sw_checkpoint_is_ours(o.model_path);
    if (ours && o.tok_path) cli_die("inspect: %s is a swiglu checkpoint with its own vocabulary; drop --tokenizer", o.model_path);

    char why[512];
    inspect_model im;
    if (load_model(&im, &o, ours, why, sizeof why))
        return inspect_native(o.model_path, o.data, o.ntok, why, o.out);
    const sw_l2c_config *c = &im.model.cfg;
    const int V = c->vocab_size, H = c->hidden_dim, NL = c->n_layers;

    /* the token stream [nids] (text), or none (self-generated) */
    int *ids = NULL;
    size_t nids = 0, skipped = 0;
    if (o.data && ours) {
        ids = our_tokens(o.data, im.itos, V, o.ntok, &nids, &skipped);
        if (nids == 0) cli_die("inspect: %s holds no token of %s's vocabulary", o.data, o.model_path);
    } else if (o.data) {
        ids = l2c_tokens(o.data, o.tok_path, &im, o.model_path, V, o.ntok, &nids);
    }

    layer_stats *ls = stats_new(NL, H);
    probe_ctx pc = {ls, malloc((size_t)H * sizeof(float))};
    if (!pc.sbuf) cli_die("out of memory");
    long long done = run_tokens(&im, &o, &pc, ids, nids);

    printf("swiglu inspect: %s (%sdim %d, hidden %d, %d layers), %lld tokens of %s", o.model_path,
           ours ? "ours, run as its llama2.c export; " : "", c->dim, H, NL, done,
           o.data ? o.data : "self-generated text (temperature 1)");
    if (skipped) printf(" (%zu bytes outside the vocabulary skipped)", skipped);
    printf("\n");
    print_table(ls, NL, H);
    if (o.out) write_plots(o.out, ls, NL);

    for (int l = 0; l < NL; l++) { free(ls[l].max_abs_h); free(ls[l].max_abs_s); }
    free(ls); free(pc.sbuf); free(ids);
    sw_l2c_close(&im.model);
    free(im.file_tok);
    free(im.storage);
    return 0;
}
