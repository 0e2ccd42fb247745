/* test_robustness.c -- the table of bad inputs in docs/ROBUSTNESS.md, kept
 * true. Each row names a file, a field and a bad value; the test builds a
 * valid file of that kind in a temporary folder, corrupts that one field,
 * runs the loader, and asserts the input is refused (an error status, a
 * one-line message that holds the row's key words). The rows render as a
 * Markdown table that must equal the one between the markers in the doc.
 *
 *   build/tests/test_robustness           check (prints the differing lines)
 *   build/tests/test_robustness --write   rewrite the table in docs/ROBUSTNESS.md
 *
 * Files: our checkpoint (a tiny trainer saved, resumed with sw_trainer_load
 * and loaded with sw_checkpoint_load_model: both must give the same message),
 * llama2.c checkpoints v0 and v1 (sw_l2c_open), tokenizer.bin (sw_tok_load),
 * a data file (sw_dataset_load, sw_corpus_resolve). Command-line rows run
 * $O/swiglu (O as scripts/run_tests.sh sets it; else the build folder this
 * binary sits in) and take its "swiglu: ..." line. The temporary folder reads
 * <tmp> in messages, so that the doc is the same on every machine. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "testlib.h"
#include "model/checkpoint.h"
#include "lab/brown.h"
#include "io/crc32.h"
#include "io/llama2c.h"
#include "io/tokenizer.h"
#include "lab/corpus.h"
#include "model/trainer.h"

extern char **environ;

#define DOC "docs/ROBUSTNESS.md"
#define MARK_BEGIN "<!-- robustness-table:begin"
#define MARK_END "<!-- robustness-table:end -->"

/* ---- the rows ------------------------------------------------------------ */

typedef enum { K_CKPT, K_L2C0, K_L2C1, K_TOK, K_DATA, K_SPEC, K_COUNT } kind;
static const char *const kind_name[K_COUNT] = {
    "checkpoint", "llama2.c v0", "llama2.c v1", "tokenizer.bin", "data file", "`--data` spec"};
static const char *const kind_file[K_COUNT] = {
    "model.ckpt", "model.bin", "model.bin", "tokenizer.bin", "data.txt", "data.txt"};

typedef enum {
    OP_SET,      /* the field = arg (parsed as the field's type); a checkpoint's CRC follows */
    OP_ADD,      /* the field += arg (an integer field) */
    OP_XOR,      /* the field's first byte ^= arg */
    OP_FLIP,     /* the same, leaving a checkpoint's CRC as it was */
    OP_CUT,      /* the last arg bytes dropped */
    OP_KEEP,     /* only the first arg bytes kept */
    OP_APPEND,   /* arg zero bytes appended */
    OP_DIR,      /* the path is a folder */
    OP_MISSING,  /* the path does not exist */
    OP_PATH,     /* the path is arg */
    OP_VOCAB,    /* tokenizer: the model's vocab_size is arg (the file holds 8) */
    OP_OTHER,    /* checkpoint: resumed on another data file of the same size */
    OP_ONECHAR,  /* data: arg bytes of one character, char tokens, into the trainer */
} op;

typedef struct row {
    kind k;
    const char *field;   /* the column; for SET/ADD/XOR/FLIP also the field changed */
    op o;
    const char *arg;
    const char *shown;   /* the value column; NULL: arg */
    const char *needle;  /* the message holds this */
} row;

static const row rows[] = {
    /* our checkpoint: header */
    {K_CKPT, "magic", OP_SET, "SWGLCKPX", NULL, "bad magic"},
    {K_CKPT, "file size", OP_KEEP, "0", "0 bytes (empty)", "bad magic"},
    {K_CKPT, "file size", OP_KEEP, "20", "20 bytes", "truncated"},
    {K_CKPT, "format version", OP_SET, "3", NULL, "format version 3"},
    {K_CKPT, "header bytes", OP_SET, "64", NULL, "malformed header"},
    {K_CKPT, "payload bytes", OP_ADD, "8", "P + 8", "truncated"},
    {K_CKPT, "payload bytes", OP_ADD, "-8", "P - 8", "trailing garbage"},
    {K_CKPT, "CRC-32", OP_FLIP, "1", "one bit flipped", "corrupt: CRC-32"},
    {K_CKPT, "flags", OP_SET, "1", NULL, "malformed header"},
    {K_CKPT, "file size", OP_CUT, "100", "100 bytes cut", "truncated"},
    {K_CKPT, "file size", OP_APPEND, "16", "16 bytes appended", "trailing garbage"},
    {K_CKPT, "parameters", OP_FLIP, "16", "one bit flipped (CRC kept)", "corrupt: CRC-32"},
    /* model configuration (the CRC fixed, so that the field itself is judged) */
    {K_CKPT, "vocab", OP_SET, "1", NULL, "vocabulary"},
    {K_CKPT, "vocab", OP_SET, "300", NULL, "vocabulary"},
    {K_CKPT, "n_layer", OP_SET, "0", NULL, "layers must be"},
    {K_CKPT, "n_layer", OP_SET, "2000", NULL, "layers must be"},
    {K_CKPT, "n_layer", OP_SET, "2", "2 (the tensors are for 1)", "parameters"},
    {K_CKPT, "n_head", OP_SET, "0", NULL, "heads must be"},
    {K_CKPT, "n_head", OP_SET, "3", NULL, "must be heads (3)"},
    {K_CKPT, "n_kv_head", OP_SET, "3", NULL, "kv heads (3) must divide"},
    {K_CKPT, "d_model", OP_SET, "10", "10 (head size 5)", "even head size"},
    {K_CKPT, "d_model", OP_SET, "1073741824", "2^30", "d_model must be"},
    {K_CKPT, "d_ff", OP_SET, "0x80000000", "2^31 (negative as int)", "d_ff must be"},
    {K_CKPT, "d_ff", OP_SET, "64", "64 (the tensors are for 21)", "parameters"},
    {K_CKPT, "seq_len", OP_SET, "0", NULL, "context must be"},
    {K_CKPT, "seq_len", OP_SET, "100000", NULL, "context must be"},
    {K_CKPT, "ffn variant", OP_SET, "99", NULL, "unknown FFN variant 99"},
    {K_CKPT, "learn_beta", OP_SET, "1", "1 (no beta in the tensors)", "parameters"},
    {K_CKPT, "tied", OP_SET, "0", "0 (no head in the tensors)", "parameters"},
    {K_CKPT, "learn_beta", OP_SET, "2", NULL, "must be 0 or 1"},
    {K_CKPT, "tied", OP_SET, "7", NULL, "must be 0 or 1"},
    {K_CKPT, "bf16", OP_SET, "2", NULL, "must be 0 or 1"},
    {K_CKPT, "ffn_beta", OP_SET, "nan", NULL, "ffn beta must be finite"},
    {K_CKPT, "ffn_beta", OP_SET, "inf", NULL, "ffn beta must be finite"},
    {K_CKPT, "rms_eps", OP_SET, "0", NULL, "rms eps must be finite and > 0"},
    {K_CKPT, "rms_eps", OP_SET, "nan", NULL, "rms eps must be finite and > 0"},
    {K_CKPT, "rms_eps", OP_SET, "inf", NULL, "rms eps must be finite and > 0"},
    {K_CKPT, "rope_theta", OP_SET, "1", NULL, "rope theta must be finite and > 1"},
    {K_CKPT, "rope_theta", OP_SET, "inf", NULL, "rope theta must be finite and > 1"},
    {K_CKPT, "dropout", OP_SET, "1", NULL, "dropout must be in [0, 1)"},
    {K_CKPT, "init_std", OP_SET, "0", NULL, "init std must be finite and > 0"},
    {K_CKPT, "init_std", OP_SET, "inf", NULL, "init std must be finite and > 0"},
    {K_CKPT, "init scheme", OP_SET, "7", NULL, "unknown init scheme 7"},
    /* training configuration */
    {K_CKPT, "batch", OP_SET, "0", NULL, "batch must be"},
    {K_CKPT, "accum", OP_SET, "0", NULL, "accumulation steps must be"},
    {K_CKPT, "steps", OP_SET, "-1", NULL, "steps must be >= 0"},
    {K_CKPT, "warmup", OP_SET, "-1", NULL, "warmup and decay steps"},
    {K_CKPT, "decay_steps", OP_SET, "-1", NULL, "warmup and decay steps"},
    {K_CKPT, "lr", OP_SET, "nan", NULL, "learning rates must be finite"},
    {K_CKPT, "min_lr", OP_SET, "-1", NULL, "learning rates must be finite"},
    {K_CKPT, "beta1", OP_SET, "1", NULL, "AdamW betas"},
    {K_CKPT, "beta2", OP_SET, "-0.5", NULL, "AdamW betas"},
    {K_CKPT, "eps", OP_SET, "0", NULL, "AdamW eps"},
    {K_CKPT, "weight_decay", OP_SET, "-1", NULL, "weight decay and clip"},
    {K_CKPT, "grad_clip", OP_SET, "nan", NULL, "weight decay and clip"},
    {K_CKPT, "eval_every", OP_SET, "0x80000000", "2^31 (negative as int)", "eval every"},
    {K_CKPT, "eval_batches", OP_SET, "0", NULL, "eval batches"},
    /* state, data identity, tensors */
    {K_CKPT, "step", OP_SET, "-1", NULL, "step -1 < 0"},
    {K_CKPT, "token mode", OP_SET, "2", NULL, "token mode 2"},
    {K_CKPT, "data vocab", OP_ADD, "1", "V + 1 (not the model's)", "the data's vocabulary is"},
    {K_CKPT, "token-to-byte table", OP_XOR, "1", "first entry changed", "other than this data's"},
    {K_CKPT, "data CRC-32", OP_XOR, "1", "one bit flipped", "trained on other data"},
    {K_CKPT, "data bytes", OP_ADD, "1", "601 (the file has 600)", "trained on other data"},
    {K_CKPT, "data file", OP_OTHER, "", "another file of the same size", "trained on other data"},
    {K_CKPT, "n_params", OP_ADD, "1", "n + 1", "tensor section does not match"},
    {K_CKPT, "n_params", OP_SET, "0x5555555555555556", "2^64 / 3 (12 n wraps)", "tensor section does not match"},
    {K_CKPT, "path", OP_DIR, "", "a folder", "not a regular file"},
    {K_CKPT, "path", OP_MISSING, "", "no such file", "No such file"},

    /* llama2.c, legacy format (7 x int32 header) */
    {K_L2C0, "dim", OP_SET, "0", NULL, "dim is 0"},
    {K_L2C0, "dim", OP_SET, "65536", "65536 (in range; the file is tiny)", "shorter than"},
    {K_L2C0, "hidden_dim", OP_SET, "-3", NULL, "hidden_dim = -3 is negative"},
    {K_L2C0, "hidden_dim", OP_SET, "2147483647", NULL, "hidden_dim = 2147483647 is absurd"},
    {K_L2C0, "n_layers", OP_SET, "2000", NULL, "n_layers = 2000 is absurd"},
    {K_L2C0, "n_layers", OP_SET, "3", "3 (the file holds 2)", "shorter than"},
    {K_L2C0, "n_heads", OP_SET, "3", NULL, "n_heads = 3 does not divide dim"},
    {K_L2C0, "n_heads", OP_SET, "8", "8 (head size 1)", "odd"},
    {K_L2C0, "n_kv_heads", OP_SET, "3", NULL, "n_kv_heads = 3 does not divide"},
    {K_L2C0, "n_kv_heads", OP_SET, "0", NULL, "n_kv_heads is 0"},
    {K_L2C0, "vocab_size", OP_SET, "-2147483648", NULL, "vocab_size"},
    {K_L2C0, "vocab_size", OP_SET, "-16", "-16 (unshared classifier, none in the file)", "shorter than"},
    {K_L2C0, "seq_len", OP_SET, "0", NULL, "seq_len is 0"},
    {K_L2C0, "seq_len", OP_SET, "16", "16 (the RoPE tables are for 8)", "shorter than"},
    {K_L2C0, "seq_len", OP_SET, "2000000", NULL, "seq_len = 2000000 is absurd"},
    {K_L2C0, "file size", OP_CUT, "4", "4 bytes cut", "truncated"},
    {K_L2C0, "file size", OP_APPEND, "8", "8 bytes appended", "longer than"},
    {K_L2C0, "file size", OP_KEEP, "20", "20 bytes", "28-byte header"},
    {K_L2C0, "file size", OP_KEEP, "0", "0 bytes (empty)", "empty file"},
    {K_L2C0, "path", OP_DIR, "", "a folder", "not a regular file"},
    {K_L2C0, "path", OP_MISSING, "", "no such file", "No such file"},
    /* llama2.c, export.py version 1 (256-byte header) */
    {K_L2C1, "magic", OP_SET, "0x616b3433", "0x616b3433 (read as v0: dim = the magic)", "dim"},
    {K_L2C1, "version", OP_SET, "2", "2 (the Q8_0 export, with group_size)", "version = 2"},
    {K_L2C1, "version", OP_SET, "0", NULL, "version = 0"},
    {K_L2C1, "shared_classifier", OP_SET, "7", NULL, "shared_classifier flag = 7"},
    {K_L2C1, "shared_classifier", OP_SET, "0", "0 (no classifier in the file)", "shorter than"},
    {K_L2C1, "dim", OP_SET, "65537", NULL, "dim = 65537 is absurd"},
    {K_L2C1, "vocab_size", OP_SET, "-16", NULL, "vocab_size = -16 is negative"},
    {K_L2C1, "n_kv_heads", OP_SET, "4", NULL, "n_kv_heads = 4 does not divide"},
    {K_L2C1, "file size", OP_KEEP, "200", "200 bytes", "256-byte version-1 header"},
    {K_L2C1, "file size", OP_CUT, "4", "4 bytes cut", "truncated"},
    {K_L2C1, "file size", OP_APPEND, "4", "4 bytes appended", "longer than"},

    /* tokenizer.bin of a model with vocab_size 8 */
    {K_TOK, "file size", OP_KEEP, "3", "3 bytes", "4-byte max_token_length header"},
    {K_TOK, "file size", OP_KEEP, "4", "4 bytes (header only)", "no tokens"},
    {K_TOK, "max_token_length", OP_SET, "0", NULL, "max_token_length is 0"},
    {K_TOK, "max_token_length", OP_SET, "1073741824", "2^30", "max_token_length = 1073741824 is absurd"},
    {K_TOK, "max_token_length", OP_SET, "4", "4 (token 0 has 5 bytes)", "exceeds max_token_length"},
    {K_TOK, "token 3 length", OP_SET, "-4", NULL, "length = -4 is negative"},
    {K_TOK, "token 3 length", OP_SET, "2147483647", NULL, "exceeds max_token_length"},
    {K_TOK, "token 7 length", OP_SET, "3", "3 (2 bytes left)", "runs past the end of the file"},
    {K_TOK, "token 7 score", OP_SET, "nan", NULL, "score is not finite"},
    {K_TOK, "token 7 score", OP_SET, "inf", NULL, "score is not finite"},
    {K_TOK, "file size", OP_CUT, "1", "1 byte cut", "runs past the end of the file"},
    {K_TOK, "file size", OP_CUT, "15", "15 bytes cut", "record truncated"},
    {K_TOK, "file size", OP_APPEND, "3", "3 bytes appended", "trailing bytes"},
    {K_TOK, "vocab_size (model)", OP_VOCAB, "9", "9 (the file holds 8)", "fewer than the model's vocab_size = 9"},
    {K_TOK, "vocab_size (model)", OP_VOCAB, "7", "7 (the file holds 8)", "trailing bytes"},
    {K_TOK, "path", OP_DIR, "", "a folder", "not a regular file"},
    {K_TOK, "path", OP_PATH, "/dev/zero", NULL, "not a regular file"},
    {K_TOK, "path", OP_MISSING, "", "no such file", "No such file"},

    /* data files (context 8, so 100 bytes at least) and --data specs */
    {K_DATA, "path", OP_MISSING, "", "no such file", "No such file"},
    {K_DATA, "path", OP_DIR, "", "a folder", "not a regular file"},
    {K_DATA, "path", OP_PATH, "/dev/zero", NULL, "not a regular file"},
    {K_DATA, "file size", OP_KEEP, "0", "0 bytes (empty)", "is empty"},
    {K_DATA, "file size", OP_KEEP, "99", "99 bytes", "too short"},
    {K_DATA, "content", OP_ONECHAR, "400", "one character 400 times (--tokens char)", "vocabulary must be"},
    {K_SPEC, "path", OP_MISSING, "", "no such file", "No such file"},
    {K_SPEC, "path", OP_DIR, "", "a folder", "not a regular file"},
};
#define N_ROWS (sizeof rows / sizeof rows[0])

/* Options of the command line, each run as `swiglu ARGS` (<tmp>: the folder). */
typedef struct cli_row {
    const char *cmd;     /* the file column: "swiglu <cmd>" */
    const char *field, *value;
    const char *args;    /* space-separated */
    const char *needle;
} cli_row;

static const cli_row cli_rows[] = {
    {"", "command", "frobnicate", "frobnicate", "unknown command 'frobnicate'"},
    {"train", "option", "--bogus", "train --bogus", "unknown option '--bogus'"},
    {"train", "--data", "(absent)", "train --layers 2", "--data FILE is required"},
    {"train", "--layers", "abc", "train --layers abc", "--layers expects a whole number"},
    {"train", "--layers", "0", "train --layers 0", "--layers must be in"},
    {"train", "--layers", "2x", "train --layers 2x", "--layers expects a whole number"},
    {"train", "--dim", "(missing: last argument)", "train --dim", "--dim needs a value"},
    {"train", "--context", "99999999999999999999", "train --context 99999999999999999999", "--context must be in [1, 65536]"},
    {"train", "--lr", "nan", "train --lr nan", "--lr expects a number"},
    {"train", "--lr", "-1", "train --lr -1", "--lr must be in"},
    {"train", "--dropout", "1", "train --dropout 1", "--dropout must be in"},
    {"train", "--tokens", "word", "train --tokens word", "--tokens expects byte or char"},
    {"train", "--ffn", "foo", "train --ffn foo", "unknown FFN variant 'foo'"},
    {"train", "--data", "a folder", "train --data <tmp>", "not a regular file"},
    {"train", "--data", "no such file", "train --data <tmp>/missing.txt", "No such file"},
    {"train", "--resume", "no such file", "train --data <tmp>/data.txt --resume <tmp>/missing.ckpt", "No such file"},
    {"sample", "option", "--bogus", "sample --bogus", "unknown option '--bogus'"},
    {"sample", "--model", "(absent)", "sample -n 5", "--model F.bin is required"},
    {"sample", "-n", "-1", "sample -n -1", "-n must be in"},
    {"sample", "--top-p", "2", "sample --top-p 2", "--top-p must be in"},
    {"sample", "--temperature", "hot", "sample --temperature hot", "--temperature expects a number"},
    {"sample", "--ckpt", "a folder", "sample --ckpt <tmp>", "not a regular file"},
    {"generate", "option", "--bogus", "generate --bogus", "unknown option '--bogus'"},
    {"generate", "--model", "(absent)", "generate --ids", "--model F.bin is required"},
    {"generate", "-t", "-1", "generate -t -1", "-t must be in"},
    {"generate", "--top-p", "2", "generate --top-p 2", "--top-p must be in"},
    {"generate", "--threads", "0", "generate --threads 0", "--threads must be in"},
    {"generate", "--seed", "1e3", "generate --seed 1e3", "--seed expects a whole number"},
    {"generate", "--prompt", "with --prompt-ids", "generate --model m.bin --prompt hi --prompt-ids 1", "not both"},
    {"generate", "--model", "no such file", "generate --model <tmp>/missing.bin --ids", "No such file"},
    {"inspect", "option", "--bogus", "inspect --bogus", "unknown option '--bogus'"},
    {"inspect", "-n", "0", "inspect -n 0", "-n must be in"},
    {"inspect", "--model", "(absent)", "inspect -n 5", "--model F.bin is required"},
    {"export", "option", "--bogus", "export --bogus", "unknown option '--bogus'"},
    {"export", "--version", "2", "export --version 2", "--version must be in"},
    {"export", "--llama2c", "(absent)", "export --ckpt a.ckpt", "are required"},
    {"compare", "option", "--bogus", "compare --bogus", "unknown option '--bogus'"},
    {"compare", "--seeds", "0", "compare --seeds 0", "--seeds must be in"},
    {"compare", "--jobs", "many", "compare --jobs many", "--jobs expects a whole number"},
    {"compare", "--tokens", "word", "compare --tokens word", "--tokens must be char or byte"},
    {"compare", "--preset", "huge", "compare --preset huge --out <tmp>/lab", "huge"},
    {"compare", "--data", "no such file", "compare --preset tiny --data <tmp>/missing.txt --out <tmp>/lab", "No such file"},
    {"bench", "target", "frob", "bench frob", "unknown bench target 'frob'"},
    {"bench act", "--reps", "0", "bench act --reps 0", "--reps must be in"},
    {"bench act", "--isa", "sse9", "bench act --isa sse9", "unknown kernel set 'sse9'"},
    {"bench act", "--sizes", "0", "bench act --sizes 0", "--sizes"},
    {"bench ffn", "--reps", "0", "bench ffn --reps 0", "--reps must be in"},
    {"info", "option", "--bogus", "info --bogus", "info takes no options"},
};
#define N_CLI (sizeof cli_rows / sizeof cli_rows[0])

/* One rendered row. */
typedef struct result { char file[48], field[48], value[96], msg[600]; } result;

/* ---- small helpers ------------------------------------------------------- */

static char tmp[64];   /* the temporary folder; "<tmp>" in messages */

static int write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int ok = fwrite(p, 1, n, f) == n;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

static char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, len = 0;
    char *p = malloc(cap + 1);
    for (size_t got; p && (got = fread(p + len, 1, cap - len, f)) > 0;) {
        len += got;
        if (len == cap) { char *q = realloc(p, 2 * cap + 1); if (!q) { free(p); p = NULL; break; } p = q; cap *= 2; }
    }
    fclose(f);
    if (p) { p[len] = 0; *n = len; }
    return p;
}

/* In place: every occurrence of the temporary folder becomes "<tmp>". */
static void normalize(char *s, size_t cap)
{
    size_t tl = strlen(tmp);
    for (char *p; (p = strstr(s, tmp));) {
        size_t rest = strlen(p + tl);
        if ((size_t)(p - s) + 5 + rest + 1 > cap) break;
        memmove(p + 5, p + tl, rest + 1);
        memcpy(p, "<tmp>", 5);
    }
}

/* ---- the valid files ----------------------------------------------------- */

typedef struct blob { unsigned char *p; size_t n; } blob;
static blob valid[K_COUNT];
static sw_dataset ds, ds_other;    /* the checkpoint's data; the same size, other bytes */

static const char words[] = "the cat sat on a mat and the dog ran to it. ";

/* A checkpoint of a tiny fresh trainer whose tensors hold a fixed pattern
 * (the CRC in messages must not depend on floating-point initialization). */
static int make_ckpt(void)
{
    char path[128], err[512];
    char text[600];
    for (size_t i = 0; i < sizeof text; i++) text[i] = words[i % (sizeof words - 1)];
    snprintf(path, sizeof path, "%s/data.txt", tmp);
    if (write_file(path, text, sizeof text)) { CHECK(0, "cannot write %s", path); return -1; }
    if (sw_dataset_load(&ds, path, SW_TOKENS_CHAR, 8, err, sizeof err)) { CHECK(0, "data: %s", err); return -1; }
    text[100] = text[100] == 'x' ? 'y' : 'x';
    snprintf(path, sizeof path, "%s/other.txt", tmp);
    if (write_file(path, text, sizeof text) ||
        sw_dataset_load(&ds_other, path, SW_TOKENS_CHAR, 8, err, sizeof err)) { CHECK(0, "other data: %s", err); return -1; }
    unlink(path);
    sw_model_config mc;
    sw_train_config tc;
    sw_model_config_default(&mc);
    mc.n_layer = 1; mc.n_head = 2; mc.d_model = 8; mc.seq_len = 8;
    sw_train_config_default(&tc);
    tc.batch = 2; tc.steps = 10; tc.warmup = 2; tc.eval_batches = 1;
    sw_trainer *tr;
    if (sw_trainer_create(&tr, &mc, &tc, &ds, err, sizeof err)) { CHECK(0, "trainer: %s", err); return -1; }
    for (size_t i = 0; i < tr->model->n_params; i++) {
        tr->model->params[i] = (float)((int)(i % 13) - 6) * 0.0625f;
        tr->m[i] = 0.0f;
        tr->v[i] = 0.0f;
    }
    snprintf(path, sizeof path, "%s/%s", tmp, kind_file[K_CKPT]);
    swiglu_status st = sw_trainer_save(tr, path, err, sizeof err);
    sw_trainer_free(tr);
    if (st) { CHECK(0, "save: %s", err); return -1; }
    valid[K_CKPT].p = (unsigned char *)read_file(path, &valid[K_CKPT].n);
    return valid[K_CKPT].p ? 0 : -1;
}

/* llama2.c: D 8, H 12, L 2, nh 2, nkv 1, V 16, S 8, shared classifier; the
 * weights are never read, so they are zeros. v1 is written from v0. */
static int make_l2c(void)
{
    sw_l2c_config c = {.dim = 8, .hidden_dim = 12, .n_layers = 2, .n_heads = 2, .n_kv_heads = 1,
                       .vocab_size = 16, .seq_len = 8, .shared_classifier = 1, .version = 0,
                       .head_size = 4, .kv_dim = 4};
    size_t n = sw_l2c_file_size(&c);
    unsigned char *b = calloc(1, n);
    int32_t h[7] = {c.dim, c.hidden_dim, c.n_layers, c.n_heads, c.n_kv_heads, c.vocab_size, c.seq_len};
    if (!b) return -1;
    memcpy(b, h, sizeof h);
    valid[K_L2C0] = (blob){b, n};
    sw_l2c_model m;
    char msg[512], path[128];
    snprintf(path, sizeof path, "%s/v1.bin", tmp);
    if (sw_l2c_parse(&m, b, n, msg, sizeof msg) || sw_l2c_write(&m, 1, path, msg, sizeof msg)) {
        CHECK(0, "tiny llama2.c model: %s", msg);
        return -1;
    }
    valid[K_L2C1].p = (unsigned char *)read_file(path, &valid[K_L2C1].n);
    unlink(path);
    return valid[K_L2C1].p ? 0 : -1;
}

/* tokenizer.bin, max_token_length 5: <unk> <s> </s> " " a b ab " a" */
static int make_tok(void)
{
    static const char *const tok[8] = {"<unk>", "<s>", "</s>", " ", "a", "b", "ab", " a"};
    unsigned char *b = malloc(256), *p = b;
    if (!b) return -1;
    uint32_t maxlen = 5;
    memcpy(p, &maxlen, 4); p += 4;
    for (int i = 0; i < 8; i++) {
        float score = -(float)i;
        int32_t len = (int32_t)strlen(tok[i]);
        memcpy(p, &score, 4); memcpy(p + 4, &len, 4); memcpy(p + 8, tok[i], (size_t)len);
        p += 8 + (size_t)len;
    }
    valid[K_TOK] = (blob){b, (size_t)(p - b)};
    return 0;
}

/* ---- fields: name -> offset and type --------------------------------------
 * types: u u32, i i32, U u64, I i64, f f32, d f64, b u8, s 8 bytes, T 256 bytes */

typedef struct field { const char *name; char type; } field;

/* The payload of docs/FORMATS.md, in order. */
static const field ckpt_payload[] = {
    {"vocab", 'u'}, {"n_layer", 'u'}, {"n_head", 'u'}, {"n_kv_head", 'u'}, {"d_model", 'u'},
    {"d_ff", 'u'}, {"seq_len", 'u'}, {"ffn variant", 'u'}, {"learn_beta", 'u'}, {"tied", 'u'},
    {"bf16", 'u'}, {"ffn_beta", 'f'}, {"rms_eps", 'f'}, {"rope_theta", 'f'}, {"dropout", 'f'},
    {"init_std", 'f'}, {"init scheme", 'u'},
    {"batch", 'u'}, {"accum", 'u'}, {"steps", 'I'}, {"warmup", 'I'}, {"decay_steps", 'I'},
    {"lr", 'd'}, {"min_lr", 'd'}, {"beta1", 'f'}, {"beta2", 'f'}, {"eps", 'f'},
    {"weight_decay", 'f'}, {"grad_clip", 'f'}, {"eval_every", 'u'}, {"eval_batches", 'u'},
    {"seed", 'U'},
    {"step", 'I'}, {"data RNG state", 'U'}, {"last learning rate", 'd'}, {"last gradient norm", 'd'},
    {"token mode", 'u'}, {"data vocab", 'u'}, {"token-to-byte table", 'T'}, {"data CRC-32", 'u'},
    {"data bytes", 'U'},
    {"n_params", 'U'}, {"parameters", 'f'},
};
static const char *const l2c_fields[7] = {"dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads",
                                          "vocab_size", "seq_len"};

static size_t type_size(char t)
{
    switch (t) {
    case 'b': return 1;
    case 'U': case 'I': case 'd': case 's': return 8;
    case 'T': return 256;
    default: return 4;
    }
}

/* Offset and type of `name` in a file of kind k (b: its valid bytes); -1 when unknown. */
static long find_field(kind k, const blob *b, const char *name, char *type)
{
    static const struct { const char *name; size_t off; char type; } ckpt_header[] = {
        {"magic", 0, 's'}, {"format version", 8, 'u'}, {"header bytes", 12, 'u'},
        {"payload bytes", 16, 'U'}, {"CRC-32", 24, 'u'}, {"flags", 28, 'u'}};
    if (k == K_CKPT) {
        for (size_t i = 0; i < sizeof ckpt_header / sizeof ckpt_header[0]; i++)
            if (!strcmp(name, ckpt_header[i].name)) { *type = ckpt_header[i].type; return (long)ckpt_header[i].off; }
        size_t off = SW_CKPT_HEADER_BYTES;
        for (size_t i = 0; i < sizeof ckpt_payload / sizeof ckpt_payload[0]; i++) {
            if (!strcmp(name, ckpt_payload[i].name)) { *type = ckpt_payload[i].type; return (long)off; }
            off += type_size(ckpt_payload[i].type);
        }
        return -1;
    }
    if (k == K_L2C0 || k == K_L2C1) {
        size_t base = k == K_L2C1 ? 8 : 0;
        for (int i = 0; i < 7; i++)
            if (!strcmp(name, l2c_fields[i])) { *type = 'i'; return (long)(base + 4 * (size_t)i); }
        if (k == K_L2C1 && !strcmp(name, "magic")) { *type = 'u'; return 0; }
        if (k == K_L2C1 && !strcmp(name, "version")) { *type = 'i'; return 4; }
        if (k == K_L2C1 && !strcmp(name, "shared_classifier")) { *type = 'b'; return 36; }
        return -1;
    }
    if (k == K_TOK) {
        if (!strcmp(name, "max_token_length")) { *type = 'u'; return 0; }
        int id;
        char what[16];
        if (sscanf(name, "token %d %15s", &id, what) != 2) return -1;
        size_t off = 4;
        for (int i = 0; i < id && off + 8 <= b->n; i++) {
            int32_t len;
            memcpy(&len, b->p + off + 4, 4);
            off += 8 + (size_t)len;
        }
        if (off + 8 > b->n) return -1;
        if (!strcmp(what, "score")) { *type = 'f'; return (long)off; }
        if (!strcmp(what, "length")) { *type = 'i'; return (long)off + 4; }
    }
    return -1;
}

/* Writes the text value v as type t at p (integers: C syntax, 0x allowed). */
static int put_value(unsigned char *p, char t, const char *v, int add)
{
    char *end;
    errno = 0;
    if (t == 's') { if (strlen(v) != 8) return -1; memcpy(p, v, 8); return 0; }
    if (t == 'f' || t == 'd') {
        double x = strtod(v, &end);
        if (*end || add) return -1;
        if (t == 'f') { float f = (float)x; memcpy(p, &f, 4); } else memcpy(p, &x, 8);
        return 0;
    }
    uint64_t x = (v[0] == '-') ? (uint64_t)strtoll(v, &end, 0) : (uint64_t)strtoull(v, &end, 0);
    if (*end || errno) return -1;
    size_t n = type_size(t);
    if (n > 8) n = 1;   /* 'T': its first entry */
    uint64_t old = 0;
    memcpy(&old, p, n);           /* little-endian */
    if (add) x += old;
    memcpy(p, &x, n);
    return 0;
}

/* ---- making a bad file and loading it ------------------------------------ */

/* Makes the row's input; its path in path. Returns 0, or -1 (with a CHECK). */
static int make_input(const row *r, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", tmp, kind_file[r->k]);
    if (r->o == OP_DIR) {
        snprintf(path, cap, "%s/folder", tmp);
        int bad = mkdir(path, 0755) && errno != EEXIST;
        CHECK(!bad, "cannot make the folder %s: %s", path, strerror(errno));
        return bad ? -1 : 0;
    }
    if (r->o == OP_MISSING) { snprintf(path, cap, "%s/missing", tmp); return 0; }
    if (r->o == OP_PATH) { snprintf(path, cap, "%s", r->arg); return 0; }
    if (r->k == K_DATA || r->k == K_SPEC) {
        /* a text of arg (or 600) bytes */
        size_t n = (r->o == OP_KEEP || r->o == OP_ONECHAR) ? (size_t)atol(r->arg) : 600;
        char *t = malloc(n + 1);
        for (size_t i = 0; t && i < n; i++) t[i] = r->o == OP_ONECHAR ? 'z' : words[i % (sizeof words - 1)];
        int rc = t ? write_file(path, t, n) : -1;
        free(t);
        CHECK(rc == 0, "cannot write %s", path);
        return rc;
    }
    const blob *v = &valid[r->k];
    size_t n = v->n, extra = r->o == OP_APPEND ? (size_t)atol(r->arg) : 0;
    unsigned char *b = calloc(1, n + extra + 1);
    if (!b) { CHECK(0, "out of memory"); return -1; }
    memcpy(b, v->p, n);
    int ok = 1;
    switch (r->o) {
    case OP_SET: case OP_ADD: case OP_XOR: case OP_FLIP: {
        char t;
        long off = find_field(r->k, v, r->field, &t);
        ok = off >= 0 && (size_t)off + (t == 'T' ? 1 : type_size(t)) <= n;
        if (ok && (r->o == OP_XOR || r->o == OP_FLIP)) b[off] ^= (unsigned char)atoi(r->arg);
        else if (ok) ok = put_value(b + off, t, r->arg, r->o == OP_ADD) == 0;
        /* a checkpoint's payload edit keeps the CRC right, so that the field is what is judged */
        if (ok && r->k == K_CKPT && r->o != OP_FLIP && off >= (long)SW_CKPT_HEADER_BYTES) {
            uint32_t crc = sw_crc32(0, b + SW_CKPT_HEADER_BYTES, n - SW_CKPT_HEADER_BYTES);
            memcpy(b + 24, &crc, 4);
        }
        break;
    }
    case OP_CUT: ok = (size_t)atol(r->arg) <= n; n -= ok ? (size_t)atol(r->arg) : 0; break;
    case OP_KEEP: ok = (size_t)atol(r->arg) <= n; n = ok ? (size_t)atol(r->arg) : n; break;
    case OP_APPEND: n += extra; break;
    default: break;
    }
    if (ok) ok = write_file(path, b, n) == 0;
    free(b);
    CHECK(ok, "%s %s: cannot make the input (unknown field or bad value '%s')", kind_name[r->k], r->field, r->arg);
    return ok ? 0 : -1;
}

/* Runs the row's loader on path; the status, and the message in msg. */
static swiglu_status run_loader(const row *r, const char *path, char *msg, size_t cap)
{
    swiglu_status st = SWIGLU_OK;
    msg[0] = 0;
    switch (r->k) {
    case K_CKPT: {
        sw_trainer *t = NULL;
        st = sw_trainer_load(&t, path, r->o == OP_OTHER ? &ds_other : &ds, msg, cap);
        sw_trainer_free(t);
        if (!strstr(r->needle, "other data") && !strstr(r->needle, "than this data")) {
            /* the inference loader (which does not look at the data) shares the checks */
            char m2[600] = "";
            sw_model *m = NULL;
            uint8_t itos[256];
            int vocab;
            sw_tokens mode;
            swiglu_status s2 = sw_checkpoint_load_model(&m, 1, itos, &vocab, &mode, NULL, path, m2, sizeof m2);
            sw_model_free(m);
            CHECK(s2 != SWIGLU_OK && strstr(m2, r->needle), "checkpoint %s %s: sw_checkpoint_load_model says '%s' "
                  "(status %d), sw_trainer_load '%s'", r->field, r->arg, m2, (int)s2, msg);
        }
        break;
    }
    case K_L2C0: case K_L2C1: {
        sw_l2c_model m;
        st = sw_l2c_open(&m, path, msg, cap);
        if (st == SWIGLU_OK) sw_l2c_close(&m);
        else CHECK(m.map == NULL, "llama2.c %s: a refused open leaves a mapping", r->field);
        break;
    }
    case K_TOK: {
        sw_tokenizer t;
        st = sw_tok_load(&t, path, r->o == OP_VOCAB ? atoi(r->arg) : 8, msg, cap);
        if (st == SWIGLU_OK) sw_tok_free(&t);
        break;
    }
    case K_DATA: {
        sw_dataset d;
        st = sw_dataset_load(&d, path, r->o == OP_ONECHAR ? SW_TOKENS_CHAR : SW_TOKENS_BYTE, 8, msg, cap);
        if (st == SWIGLU_OK) {
            /* what `swiglu train` does next */
            sw_model_config mc;
            sw_train_config tc;
            sw_model_config_default(&mc);
            sw_train_config_default(&tc);
            mc.seq_len = 8;
            sw_trainer *t = NULL;
            st = sw_trainer_create(&t, &mc, &tc, &d, msg, cap);
            sw_trainer_free(t);
            sw_dataset_free(&d);
        }
        break;
    }
    case K_SPEC: {
        char out[512];
        const char *name;
        st = sw_corpus_resolve(out, sizeof out, &name, path, msg, cap);
        break;
    }
    default: break;
    }
    return st;
}

/* ---- the command line ---------------------------------------------------- */

static char cli_bin[600];

/* Runs swiglu with the row's arguments; the exit code (-1 when it did not
 * exit within 20 s or could not run), its last "swiglu: " stderr line in msg. */
static int run_cli(const cli_row *c, char *msg, size_t cap, int *lines)
{
    char args[512], err_path[128];
    char *argv[24];
    int argc = 0;
    argv[argc++] = cli_bin;
    /* expand <tmp> and split at spaces */
    size_t o = 0;
    for (const char *s = c->args; *s && o + sizeof tmp < sizeof args; s++) {
        if (!strncmp(s, "<tmp>", 5)) { o += (size_t)snprintf(args + o, sizeof args - o, "%s", tmp); s += 4; }
        else args[o++] = *s;
    }
    args[o] = 0;
    for (char *tok = strtok(args, " "); tok && argc < 23; tok = strtok(NULL, " ")) argv[argc++] = tok;
    argv[argc] = NULL;
    snprintf(err_path, sizeof err_path, "%s/stderr.txt", tmp);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawn(&pid, cli_bin, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    msg[0] = 0;
    *lines = 0;
    if (rc) return -1;
    int status = 0, done = 0;
    for (int waited = 0; waited < 20000 && !done; waited++) {   /* 20 s at most, in 1 ms steps */
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) done = 1;
        else if (w < 0 && errno != EINTR) break;
        else nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    if (!done) { kill(pid, SIGKILL); waitpid(pid, &status, 0); return -1; }
    size_t n;
    char *text = read_file(err_path, &n);
    unlink(err_path);
    for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n"))
        if (!strncmp(line, "swiglu: ", 8)) { snprintf(msg, cap, "%s", line); (*lines)++; }
    free(text);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---- the table ------------------------------------------------------------ */

/* A table cell: text as a code span, '|' escaped. */
static void cell(char **o, size_t *left, const char *text, int code)
{
    int fence = code && strchr(text, '`') != NULL;
    const char *q = fence ? "`` " : code ? "`" : "";
    const char *qe = fence ? " ``" : code ? "`" : "";
    int k = snprintf(*o, *left, " %s", q);
    for (const char *s = text; k >= 0 && (size_t)k < *left && *s; s++)
        k += snprintf(*o + k, *left - (size_t)k, "%s", *s == '|' ? "\\|" : (char[2]){*s, 0});
    if (k >= 0 && (size_t)k < *left) k += snprintf(*o + k, *left - (size_t)k, "%s |", qe);
    if (k < 0 || (size_t)k >= *left) k = (int)*left - 1;
    *o += k;
    *left -= (size_t)k;
}

static char *render(const result *res, size_t n, const int counts[5])
{
    size_t cap = 1024 + n * 1024, left = cap;
    char *out = malloc(cap), *o = out;
    int k = snprintf(o, left, "| file | field | value | message |\n|---|---|---|---|\n");
    o += k; left -= (size_t)k;
    for (size_t i = 0; i < n; i++) {
        k = snprintf(o, left, "|"); o += k; left -= (size_t)k;
        cell(&o, &left, res[i].file, 0);
        cell(&o, &left, res[i].field, 0);
        cell(&o, &left, res[i].value, 1);
        cell(&o, &left, res[i].msg, 1);
        k = snprintf(o, left, "\n"); o += k; left -= (size_t)k;
    }
    snprintf(o, left, "\n%zu rows: our checkpoint %d, llama2.c %d, tokenizer %d, data %d, command line %d.\n",
             n, counts[0], counts[1], counts[2], counts[3], counts[4]);
    return out;
}

/* The doc's generated block (between the marker lines) vs the table: prints
 * the differing lines; with write, replaces the block (temp file + rename). */
static int check_doc(const char *doc_path, const char *table, int write)
{
    size_t n;
    char *doc = read_file(doc_path, &n);
    if (!doc) { CHECK(0, "cannot read %s (run from the repository root)", doc_path); return -1; }
    char *b = strstr(doc, MARK_BEGIN), *e = b ? strstr(b, MARK_END) : NULL;
    char *body = b ? strchr(b, '\n') : NULL;
    if (!b || !e || !body || body > e) {
        CHECK(0, "%s lacks the lines '%s ... -->' and '%s'", doc_path, MARK_BEGIN, MARK_END);
        free(doc);
        return -1;
    }
    body++;
    int same = (size_t)(e - body) == strlen(table) && !memcmp(body, table, strlen(table));
    if (write && !same) {
        char tmp_path[700];
        snprintf(tmp_path, sizeof tmp_path, "%s.tmp.%ld", doc_path, (long)getpid());
        FILE *f = fopen(tmp_path, "wb");
        int ok = f != NULL;
        if (f) {
            ok = fwrite(doc, 1, (size_t)(body - doc), f) == (size_t)(body - doc) &&
                 fputs(table, f) >= 0 && fputs(e, f) >= 0;
            ok = fclose(f) == 0 && ok;
        }
        ok = ok && rename(tmp_path, doc_path) == 0;
        if (!ok) unlink(tmp_path);
        CHECK(ok, "cannot rewrite %s: %s", doc_path, strerror(errno));
        if (ok) printf("test_robustness: %s: table rewritten\n", doc_path);
    } else if (!same) {
        /* the first differing lines, as a diff would show them */
        *e = 0;
        const char *d = body, *t = table;
        int shown = 0;
        while ((*d || *t) && shown < 8) {
            size_t dl = strcspn(d, "\n"), tl = strcspn(t, "\n");
            if (dl != tl || memcmp(d, t, dl)) {
                if (*d) fprintf(stderr, "-%.*s\n", (int)dl, d);
                if (*t) fprintf(stderr, "+%.*s\n", (int)tl, t);
                shown++;
            }
            d += dl + (d[dl] == '\n');
            t += tl + (t[tl] == '\n');
        }
        CHECK(0, "the table in %s is stale (- the doc, + now); review the messages, then run "
              "build/tests/test_robustness --write", doc_path);
    } else {
        CHECK(1, "doc table");
    }
    free(doc);
    return 0;
}

/* Brown tag stripping refuses nothing (the doc says so): odd inputs are text,
 * at most one byte longer than they were (a last newline). */
static void brown_accepts_anything(void)
{
    char in[300], out[300];
    for (int i = 0; i < 256; i++) in[i] = (char)(255 - i);   /* every byte, NUL included */
    const char *odd[] = {"/", "//", "a/", "/b", "``/`` ''/'' ( ) ./.", "x/y/z\n\n\t/ \r", "\n\n\n"};
    for (size_t k = 0; k <= sizeof odd / sizeof odd[0]; k++) {
        const char *p = k ? odd[k - 1] : in;
        size_t n = k ? strlen(p) : 256, len = 0;
        swiglu_status st = sw_brown_strip(out, n + 1, &len, p, n);
        CHECK(st == SWIGLU_OK && len <= n + 1, "sw_brown_strip on odd input %zu: status %d, %zu bytes from %zu",
              k, (int)st, len, n);
    }
}

static void remove_tree(void)
{
    const char *names[] = {"model.ckpt", "model.bin", "tokenizer.bin", "data.txt", "stderr.txt", "missing"};
    char p[128];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", tmp, names[i]);
        unlink(p);
    }
    snprintf(p, sizeof p, "%s/folder", tmp);
    rmdir(p);
    snprintf(p, sizeof p, "%s/lab", tmp);
    rmdir(p);
    rmdir(tmp);
}

int main(int argc, char **argv)
{
    int write = argc > 1 && !strcmp(argv[1], "--write");
    swiglu_threads_set(1);
    snprintf(tmp, sizeof tmp, "/tmp/swiglu_robust_XXXXXX");
    if (!mkdtemp(tmp)) { CHECK(0, "mkdtemp: %s", strerror(errno)); return tl_finish("test_robustness"); }
    /* the CLI: $O/swiglu, else the build folder above this binary (build/tests/..) */
    const char *O = getenv("O");
    if (O && *O) snprintf(cli_bin, sizeof cli_bin, "%s/swiglu", O);
    else {
        const char *slash = strrchr(argv[0], '/');
        int dl = slash ? (int)(slash - argv[0]) : 0;
        snprintf(cli_bin, sizeof cli_bin, "%.*s%s../swiglu", dl, argv[0], dl ? "/" : "");
    }

    brown_accepts_anything();
    int ready = make_ckpt() == 0 && make_l2c() == 0 && make_tok() == 0;
    CHECK(ready, "the valid files");
    if (ready) {
        /* the payload layout above is docs/FORMATS.md's: check it on the valid file */
        char t;
        long off_v = find_field(K_CKPT, &valid[K_CKPT], "vocab", &t);
        long off_n = find_field(K_CKPT, &valid[K_CKPT], "n_params", &t);
        long off_p = find_field(K_CKPT, &valid[K_CKPT], "parameters", &t);
        uint32_t vocab;
        uint64_t np;
        memcpy(&vocab, valid[K_CKPT].p + off_v, 4);
        memcpy(&np, valid[K_CKPT].p + off_n, 8);
        CHECK((int)vocab == ds.vocab && (size_t)off_p + 12 * np == valid[K_CKPT].n,
              "the checkpoint layout in this test is not docs/FORMATS.md's (vocab %u, n_params %llu, %zu bytes)",
              vocab, (unsigned long long)np, valid[K_CKPT].n);
    }

    result *res = calloc(N_ROWS + N_CLI, sizeof *res);
    size_t nres = 0;
    int counts[5] = {0};
    for (size_t i = 0; ready && i < N_ROWS; i++) {
        const row *r = &rows[i];
        char path[600], msg[600];
        if (make_input(r, path, sizeof path)) continue;
        swiglu_status st = run_loader(r, path, msg, sizeof msg);
        normalize(msg, sizeof msg);
        CHECK(st != SWIGLU_OK && msg[0] && !strchr(msg, '\n') && strstr(msg, r->needle),
              "%s %s = %s: status %d, message '%s' (want a refusal holding '%s')", kind_name[r->k], r->field,
              r->shown ? r->shown : r->arg, (int)st, msg, r->needle);
        if (r->o == OP_DIR) { rmdir(path); }
        result *o = &res[nres++];
        snprintf(o->file, sizeof o->file, "%s", kind_name[r->k]);
        snprintf(o->field, sizeof o->field, "%s", r->field);
        snprintf(o->value, sizeof o->value, "%s", r->shown ? r->shown : r->arg);
        snprintf(o->msg, sizeof o->msg, "%s", msg);
        counts[r->k == K_CKPT ? 0 : r->k <= K_L2C1 ? 1 : r->k == K_TOK ? 2 : 3]++;
    }
    int have_cli = access(cli_bin, X_OK) == 0;
    CHECK(have_cli, "no CLI at %s (make builds it; O= names the build folder)", cli_bin);
    for (size_t i = 0; have_cli && i < N_CLI; i++) {
        const cli_row *c = &cli_rows[i];
        char msg[600];
        int lines;
        int rc = run_cli(c, msg, sizeof msg, &lines);
        normalize(msg, sizeof msg);
        CHECK(rc == 2 && lines == 1 && strstr(msg, c->needle), "swiglu %s: exit %d, %d 'swiglu:' lines, last '%s' (want '%s')",
              c->args, rc, lines, msg, c->needle);
        result *o = &res[nres++];
        snprintf(o->file, sizeof o->file, "swiglu%s%s", c->cmd[0] ? " " : "", c->cmd);
        snprintf(o->field, sizeof o->field, "%s", c->field);
        snprintf(o->value, sizeof o->value, "%s", c->value);
        snprintf(o->msg, sizeof o->msg, "%s", msg);
        counts[4]++;
    }
    char *table = render(res, nres, counts);
    if (ready && have_cli) {
        char doc[600];
        snprintf(doc, sizeof doc, "%s", DOC);
        if (access(doc, R_OK) != 0) {   /* run from elsewhere: the repository above build/tests/ */
            const char *slash = strrchr(argv[0], '/');
            int dl = slash ? (int)(slash - argv[0]) : 0;
            snprintf(doc, sizeof doc, "%.*s%s../../%s", dl, argv[0], dl ? "/" : "", DOC);
        }
        check_doc(doc, table, write);
    }
    free(table);
    free(res);
    for (int k = 0; k < K_COUNT; k++) free(valid[k].p);
    sw_dataset_free(&ds);
    sw_dataset_free(&ds_other);
    remove_tree();
    return tl_finish("test_robustness");
}
