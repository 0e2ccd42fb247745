/* dataset.c -- training text loading, split and batches (see dataset.h).
 * Legend: B batch, T context. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "io/crc32.h"
#include "io/dataset.h"
#include "core/rng.h"

void sw_vocab_identity(uint8_t itos[256], int16_t stoi[256])
{
    for (int i = 0; i < 256; i++) { itos[i] = (uint8_t)i; stoi[i] = (int16_t)i; }
}

swiglu_status sw_dataset_load(sw_dataset *ds, const char *path, sw_tokens mode, size_t T,
                              char *err, size_t errcap)
{
    memset(ds, 0, sizeof *ds);
    FILE *f = fopen(path, "rb");
    if (!f) { snprintf(err, errcap, "cannot open data file '%s': %s", path, strerror(errno)); return SWIGLU_ERR_IO; }
    /* a folder "opens" too, and its size is whatever the file system says (ext4: 2^63 - 1) */
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        snprintf(err, errcap, "data file '%s' is not a regular file", path);
        return SWIGLU_ERR_IO;
    }
    if (fseek(f, 0, SEEK_END) != 0) { fclose(f); snprintf(err, errcap, "data file '%s' is not seekable", path); return SWIGLU_ERR_IO; }
    long len = ftell(f);
    rewind(f);
    if (len < 0) { fclose(f); snprintf(err, errcap, "cannot size data file '%s'", path); return SWIGLU_ERR_IO; }
    if (len == 0) {
        /* /proc and /sys files say 0 bytes and still have contents */
        int has = fgetc(f) != EOF;
        fclose(f);
        if (has)
            snprintf(err, errcap, "data file '%s' has no size on disk (a /proc or /sys file?); copy it to a regular file first", path);
        else
            snprintf(err, errcap, "data file '%s' is empty", path);
        return SWIGLU_ERR_FORMAT;
    }
    size_t n = (size_t)len;
    /* both splits need a window of T+1 tokens: val = n/10 >= T+1 */
    size_t need = 10 * (T + 2);
    if (n < need) {
        fclose(f);
        snprintf(err, errcap, "data file '%s' is too short: %zu bytes, need at least %zu for context %zu (10%% validation split)",
                 path, n, need, T);
        return SWIGLU_ERR_FORMAT;
    }
    ds->tok = malloc(n);
    if (!ds->tok) { fclose(f); snprintf(err, errcap, "out of memory for '%s'", path); return SWIGLU_ERR_ALLOC; }
    if (fread(ds->tok, 1, n, f) != n) {
        fclose(f); free(ds->tok); ds->tok = NULL;
        snprintf(err, errcap, "cannot read data file '%s'", path);
        return SWIGLU_ERR_IO;
    }
    fclose(f);
    ds->n = n;
    ds->file_bytes = n;
    ds->n_train = n - n / 10;
    ds->crc = sw_crc32(0, ds->tok, n);
    ds->mode = mode;
    if (mode == SW_TOKENS_BYTE) {
        sw_vocab_identity(ds->itos, ds->stoi);
        ds->vocab = 256;
    } else {
        int seen[256] = {0};
        for (size_t i = 0; i < n; i++) seen[ds->tok[i]] = 1;
        int V = 0;
        for (int c = 0; c < 256; c++) {
            ds->stoi[c] = -1;
            if (seen[c]) { ds->itos[V] = (uint8_t)c; ds->stoi[c] = (int16_t)V; V++; }
        }
        ds->vocab = V;
        for (size_t i = 0; i < n; i++) ds->tok[i] = (uint8_t)ds->stoi[ds->tok[i]];
    }
    return SWIGLU_OK;
}

void sw_dataset_free(sw_dataset *ds)
{
    free(ds->tok);
    memset(ds, 0, sizeof *ds);
}

/* x [B x T], y [B x T]: window starts uniform over the split's valid range */
void sw_dataset_batch(int *x, int *y, const sw_dataset *ds, int split, size_t B, size_t T,
                      uint64_t *rng)
{
    size_t base = split ? ds->n_train : 0;
    size_t len = split ? ds->n - ds->n_train : ds->n_train;
    size_t starts = len - T;   /* len >= T + 1 by sw_dataset_load */
    for (size_t b = 0; b < B; b++) {
        size_t s = base + (size_t)sw_rng_below(rng, starts);
        for (size_t t = 0; t < T; t++) {
            x[b * T + t] = ds->tok[s + t];
            y[b * T + t] = ds->tok[s + t + 1];
        }
    }
}
