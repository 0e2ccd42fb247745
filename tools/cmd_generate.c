/* cmd_generate.c -- `swiglu generate`: text (or token ids) from a llama2.c
 * checkpoint, as llama2.c's run.c generates it.
 *
 *   swiglu generate --model F.bin [--tokenizer T.bin] [--prompt S | --prompt-ids "1 2 3"]
 *                   [-n N] [-t TEMP] [--top-p P] [--seed S] [--ids] [--threads N]
 *                   [--bench RUNS]
 *
 * Loop (run.c generate()): feed prompt[0] at pos 0; while pos < N: forward;
 * the next token is the next prompt token while there is one, else sampled;
 * a sampled BOS (1) ends the text. N = 0 or N > seq_len means seq_len.
 * Sampling (run.c sample()): TEMP = 0 is argmax (first maximum); otherwise
 * softmax(logits / TEMP), then top-p ("nucleus") sampling when 0 < P < 1, or
 * plain multinomial; coins from run.c's xorshift* generator, so a seed
 * gives the same text as run.c would (up to float rounding of the logits).
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "io/llama2c.h"
#include "io/tokenizer.h"
#include "model/llama_infer.h"

/* ---- run.c's sampler -------------------------------------------------- */

static uint32_t rng_u32(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return (uint32_t)((*state * 0x2545F4914F6CDD1Dull) >> 32);
}
static float rng_f32(uint64_t *state) { return (float)(rng_u32(state) >> 8) / 16777216.0f; }

typedef struct prob_index { float prob; int index; } prob_index;

static int prob_desc(const void *a, const void *b)
{
    const prob_index *x = a, *y = b;
    return (x->prob < y->prob) - (x->prob > y->prob);
}

static int argmax(const float *v, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best]) best = i;
    return best;
}

/* probs [V] (overwritten), work [V]; returns the sampled id. */
static int sample(float *probs, const float *logits, int n, float temp, float topp,
                  uint64_t *rng, prob_index *work)
{
    if (temp == 0.0f) return argmax(logits, n);
    float mx = -INFINITY, sum = 0.0f;
    for (int i = 0; i < n; i++) { probs[i] = logits[i] / temp; if (probs[i] > mx) mx = probs[i]; }
    for (int i = 0; i < n; i++) { probs[i] = expf(probs[i] - mx); sum += probs[i]; }
    for (int i = 0; i < n; i++) probs[i] /= sum;
    float coin = rng_f32(rng);
    if (topp <= 0.0f || topp >= 1.0f) {
        float cdf = 0.0f;
        for (int i = 0; i < n; i++) { cdf += probs[i]; if (coin < cdf) return i; }
        return n - 1;
    }
    /* top-p: drop tokens below (1 - p)/(n - 1) (cannot be in the nucleus),
     * sort the rest, keep the shortest prefix whose mass exceeds p. */
    const float cutoff = (1.0f - topp) / (float)(n - 1);
    int n0 = 0;
    for (int i = 0; i < n; i++)
        if (probs[i] >= cutoff) { work[n0].index = i; work[n0].prob = probs[i]; n0++; }
    if (n0 == 0) return argmax(logits, n);   /* NaN probabilities pass no cutoff: never work[-1] */
    qsort(work, (size_t)n0, sizeof *work, prob_desc);
    float cum = 0.0f;
    int last = n0 - 1;
    for (int i = 0; i < n0; i++) {
        cum += work[i].prob;
        if (cum > topp) { last = i; break; }
    }
    float r = coin * cum, cdf = 0.0f;
    for (int i = 0; i <= last; i++) { cdf += work[i].prob; if (r < cdf) return work[i].index; }
    return work[last].index;
}

/* ---- output ------------------------------------------------------------ */

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

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
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

/* "swiglu: PATH: problem" (the library's I/O messages already start with PATH). */
static void die_file(const char *path, const char *msg) __attribute__((noreturn));
static void die_file(const char *path, const char *msg)
{
    if (!strncmp(msg, path, strlen(path))) cli_die("%s", msg);
    cli_die("%s: %s", path, msg);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: swiglu generate --model F.bin [--tokenizer T.bin] [--prompt S | --prompt-ids \"1 2 3\"]\n"
            "                       [-n N] [-t TEMP] [--top-p P] [--seed S] [--ids] [--threads N] [--bench RUNS]\n"
            "  --model F.bin     llama2.c checkpoint (version 0 or 1), memory-mapped\n"
            "  --tokenizer T.bin llama2.c tokenizer.bin (needed for text in or out)\n"
            "  --prompt S        prompt text (needs --tokenizer)\n"
            "  --prompt-ids L    prompt as token ids (space or comma separated; default: BOS = 1)\n"
            "  -n N              steps, prompt included (default 256; 0 = seq_len)\n"
            "  -t TEMP           temperature (default 1.0; 0 = greedy)\n"
            "  --top-p P         nucleus sampling mass (default 0.9; 0 or 1 = off)\n"
            "  --seed S          sampler seed (default: time)\n"
            "  --ids             print token ids instead of text\n"
            "  --threads N       threads of the forward (default 1)\n"
            "  --bench RUNS      generate RUNS times silently; print the median tokens/s\n");
}

int cmd_generate(int argc, char **argv)
{
    const char *model_path = NULL, *tok_path = NULL, *prompt = NULL, *prompt_ids = NULL;
    long long steps = 256, seed = 0, threads = 1, bench = 0;
    double temp = 1.0, topp = 0.9;
    int print_ids = 0, have_seed = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(stdout); return 0; }
        else if (!strcmp(a, "--model") || !strcmp(a, "-m")) model_path = cli_value(argc, argv, &i);
        else if (!strcmp(a, "--tokenizer") || !strcmp(a, "-z")) tok_path = cli_value(argc, argv, &i);
        else if (!strcmp(a, "--prompt") || !strcmp(a, "-i")) prompt = cli_value(argc, argv, &i);
        else if (!strcmp(a, "--prompt-ids")) prompt_ids = cli_value(argc, argv, &i);
        else if (!strcmp(a, "-n") || !strcmp(a, "--steps")) steps = cli_parse_int(a, cli_value(argc, argv, &i), 0, 1 << 30);
        else if (!strcmp(a, "-t") || !strcmp(a, "--temperature")) temp = cli_parse_double(a, cli_value(argc, argv, &i), 0.0, 1e6);
        else if (!strcmp(a, "--top-p") || !strcmp(a, "-p")) topp = cli_parse_double(a, cli_value(argc, argv, &i), 0.0, 1.0);
        else if (!strcmp(a, "--seed") || !strcmp(a, "-s")) { seed = cli_parse_int(a, cli_value(argc, argv, &i), 0, INT64_MAX); have_seed = 1; }
        else if (!strcmp(a, "--ids")) print_ids = 1;
        else if (!strcmp(a, "--threads")) threads = cli_parse_int(a, cli_value(argc, argv, &i), 1, 256);
        else if (!strcmp(a, "--bench")) bench = cli_parse_int(a, cli_value(argc, argv, &i), 1, 1000);
        else { usage(stderr); cli_die("generate: unknown option '%s'", a); }
    }
    if (!model_path) { usage(stderr); cli_die("generate: --model F.bin is required"); }
    if (prompt && prompt_ids) cli_die("generate: give --prompt or --prompt-ids, not both");
    if (prompt && !tok_path) cli_die("generate: --prompt needs --tokenizer T.bin (or use --prompt-ids)");
    if (!tok_path && !print_ids && !bench)
        cli_die("generate: no tokenizer: pass --tokenizer T.bin, or --ids to print token ids");
    cli_args_done();

    char msg[512];
    sw_l2c_model model;
    double t_load = now_s();
    if (sw_l2c_open(&model, model_path, msg, sizeof msg) != SWIGLU_OK) die_file(model_path, msg);
    const int V = model.cfg.vocab_size;
    sw_tokenizer tok;
    memset(&tok, 0, sizeof tok);
    if (tok_path && sw_tok_load(&tok, tok_path, V, msg, sizeof msg) != SWIGLU_OK)
        die_file(tok_path, msg);

    /* prompt ids [np] */
    size_t cap = 4 + (prompt ? strlen(prompt) : 0) + (prompt_ids ? strlen(prompt_ids) : 0);
    int *ids = malloc(cap * sizeof *ids);
    if (!ids) cli_die("out of memory");
    size_t np = 0;
    if (prompt) {
        swiglu_status st = sw_tok_encode(&tok, prompt, 1, 0, ids, cap, &np);
        if (st != SWIGLU_OK) cli_die("generate: cannot encode the prompt: %s", swiglu_status_str(st));
    } else if (prompt_ids) {
        const char *p = prompt_ids;
        while (*p) {
            while (*p == ' ' || *p == ',' || *p == '\t' || *p == '\n') p++;
            if (!*p) break;
            char *end;
            long v = strtol(p, &end, 10);
            if (end == p) cli_die("--prompt-ids: not a number at '%s'", p);
            if (v < 0 || v >= V) cli_die("--prompt-ids: token id %ld out of range [0, %d)", v, V);
            ids[np++] = (int)v;
            p = end;
        }
    }
    if (np == 0) ids[np++] = SW_TOK_BOS;

    int S = model.cfg.seq_len;
    if (steps == 0 || steps > S) steps = S;
    if ((long long)np > steps) cli_die("generate: the prompt has %zu tokens, more than -n %lld steps", np, steps);

    sw_llama_state st;
    cli_check(sw_llama_init(&st, &model, (int)threads), "generate: model state");
    t_load = now_s() - t_load;
    float *probs = malloc((size_t)V * sizeof *probs);
    prob_index *work = malloc((size_t)V * sizeof *work);
    if (!probs || !work) cli_die("out of memory");
    uint64_t rng = have_seed ? (uint64_t)seed : (uint64_t)time(NULL);
    if (rng == 0) rng = 1;  /* xorshift's one fixed point */

    int runs = bench ? (int)bench : 1;
    double *rates = malloc((size_t)runs * sizeof *rates);
    double *cpu_rates = malloc((size_t)runs * sizeof *cpu_rates);
    if (!rates || !cpu_rates) cli_die("out of memory");
    for (int r = 0; r < runs; r++) {
        uint64_t rs = rng;
        int token = ids[0], pos = 0;
        const int quiet = bench != 0;
        if (!quiet && print_ids) printf("%d", token);
        double t0 = now_s(), c0 = cpu_s();
        while (pos < steps) {
            const float *logits;
            cli_check(sw_llama_forward(&st, token, pos, &logits), "generate: forward");
            int next;
            if ((size_t)pos < np - 1) next = ids[pos + 1];
            else next = sample(probs, logits, V, (float)temp, (float)topp, &rs, work);
            pos++;
            if (next == SW_TOK_BOS) break;  /* BOS delimits sequences */
            if (!quiet) {
                if (print_ids) printf(" %d", next);
                else {
                    const char *piece;
                    size_t len;
                    cli_check(sw_tok_decode(&tok, token, next, &piece, &len), "generate: decode");
                    put_piece(piece, len);
                }
                fflush(stdout);
            }
            token = next;
        }
        double dt = now_s() - t0, dc = cpu_s() - c0;
        if (!quiet) { printf("\n"); fflush(stdout); }
        rates[r] = pos / dt;
        cpu_rates[r] = dc > 0 ? pos / dc : 0;
        if (!quiet)
            fprintf(stderr, "swiglu generate: %d tokens in %.1f ms: %.0f tok/s (%lld thread%s, %s kernels; load %.1f ms)\n",
                    pos, dt * 1e3, rates[r], threads, threads > 1 ? "s" : "",
                    swiglu_isa_name(swiglu_isa_active()), t_load * 1e3);
    }
    if (bench) {
        qsort(rates, (size_t)runs, sizeof *rates, cmp_double);
        qsort(cpu_rates, (size_t)runs, sizeof *cpu_rates, cmp_double);
        double med = runs % 2 ? rates[runs / 2] : 0.5 * (rates[runs / 2 - 1] + rates[runs / 2]);
        double cmed = runs % 2 ? cpu_rates[runs / 2] : 0.5 * (cpu_rates[runs / 2 - 1] + cpu_rates[runs / 2]);
        /* tokens per CPU-second: with 1 thread, meant as a figure less
         * sensitive to other processes; a VM under load can overstate it */
        printf("generate %s: threads %lld, steps %lld, runs %d, median %.0f tok/s (min %.0f, max %.0f; "
               "%.0f tok per CPU-s), %s kernels\n",
               model_path, threads, steps, runs, med, rates[0], rates[runs - 1], cmed,
               swiglu_isa_name(swiglu_isa_active()));
    }
    free(rates); free(cpu_rates); free(probs); free(work); free(ids);
    sw_llama_free(&st);
    sw_tok_free(&tok);
    sw_l2c_close(&model);
    return 0;
}
