/* model_file.c -- the model file's format from its first bytes, then its
 * reader (model_file.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "core/internal.h"
#include "io/gguf.h"
#include "io/hf_tokenizer.h"
#include "io/io_util.h"
#include "io/model_file.h"
#include "io/safetensors.h"

/* path + "/" + name, or the folder of path + "/" + name (folder 0). */
static int beside(char *out, size_t cap, const char *path, const char *name, int folder)
{
    if (folder) return snprintf(out, cap, "%s/%s", path, name) < (int)cap;
    const char *slash = strrchr(path, '/');
    int dir = slash ? (int)(slash - path) : 1;
    return snprintf(out, cap, "%.*s/%s", dir, slash ? path : ".", name) < (int)cap;
}

/* A safetensors model: one file (index NULL, n 1) or the shards of an
 * index; config.json and the tokenizer from cfg_path's folder. */
static swiglu_status open_safetensors(sw_model_file *f, const sw_st_shard *shards, size_t n, const char *index,
                                      size_t index_size, const char *cfg_path, char *msg, size_t cap)
{
    void *cfg;
    size_t cfg_size;
    swiglu_status st = sw_map_file(&cfg, &cfg_size, cfg_path, "config.json", msg, cap);
    if (st != SWIGLU_OK) {
        char why[512];
        snprintf(why, sizeof why, "%s", msg ? msg : "");
        return sw_io_fail(msg, cap, st, "a safetensors model needs its config.json: %s", why);
    }
    st = sw_st_parse_sharded(&f->m, shards, n, index, index_size, cfg, cfg_size, msg, cap);
    munmap(cfg, cfg_size);
    f->format = "safetensors";
    /* the model's tokenizer in its folder: a llama2.c tokenizer.bin (what
     * `swiglu export --safetensors` writes), else Hugging Face's
     * tokenizer.json (converted, io/hf_tokenizer.h) */
    char tok_path[4200];
    void *tmap;
    size_t tsize;
    struct stat sb;
    const char *names[] = {"tokenizer.bin", "tokenizer.json"};
    for (int k = 0; k < 2 && st == SWIGLU_OK && !f->tok; k++) {
        if (!beside(tok_path, sizeof tok_path, cfg_path, names[k], 0) || stat(tok_path, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        st = sw_map_file(&tmap, &tsize, tok_path, names[k], msg, cap);
        if (st != SWIGLU_OK) break;
        if (k == 0) {
            f->tok = malloc(tsize);
            if (f->tok) { memcpy(f->tok, tmap, tsize); f->tok_size = tsize; }
            else st = sw_io_fail(msg, cap, SWIGLU_ERR_ALLOC, "%s: out of memory", tok_path);
        } else {
            char why[512];
            st = sw_hf_tok_image(&f->tok, &f->tok_size, tmap, tsize, why, sizeof why);
            if (st != SWIGLU_OK) sw_io_fail(msg, cap, st, "%s: %s", tok_path, why);
        }
        munmap(tmap, tsize);
    }
    return st;
}

/* A sharded safetensors model in folder dir: the index, then every shard
 * it names, memory-mapped while the weights are converted. */
static swiglu_status open_sharded(sw_model_file *f, const char *dir, const char *index_path, const char *cfg_path,
                                  char *msg, size_t cap)
{
    void *imap;
    size_t isize;
    SW_FORWARD_IF_ERROR(sw_map_file(&imap, &isize, index_path, "safetensors index", msg, cap));
    char **names = NULL;
    size_t n = 0;
    char why[1024];
    swiglu_status st = sw_st_index_shards(&names, &n, imap, isize, why, sizeof why);
    if (st != SWIGLU_OK) sw_io_fail(msg, cap, st, "model.safetensors.index.json: %s", why);
    sw_st_shard *sh = st == SWIGLU_OK ? calloc(n ? n : 1, sizeof *sh) : NULL;
    if (st == SWIGLU_OK && !sh) st = sw_io_fail(msg, cap, SWIGLU_ERR_ALLOC, "%s: out of memory", index_path);
    size_t mapped = 0;
    for (; st == SWIGLU_OK && mapped < n; mapped++) {
        char path[4200];
        void *map;
        if (!beside(path, sizeof path, dir, names[mapped], 1)) { st = sw_io_fail(msg, cap, SWIGLU_ERR_ARG, "%s: path too long", dir); break; }
        if ((st = sw_map_file(&map, &sh[mapped].size, path, "safetensors shard", why, sizeof why)) != SWIGLU_OK) {
            sw_io_fail(msg, cap, st, "shard %s (named by model.safetensors.index.json): %s", names[mapped], why);
            break;
        }
        sh[mapped].buf = map;
        sh[mapped].name = names[mapped];
    }
    if (st == SWIGLU_OK) st = open_safetensors(f, sh, n, imap, isize, cfg_path, msg, cap);
    for (size_t i = 0; i < mapped; i++) munmap((void *)(uintptr_t)sh[i].buf, sh[i].size);
    free(sh);
    sw_st_names_free(names, n);
    munmap(imap, isize);
    return st;
}

swiglu_status sw_model_file_open(sw_model_file *f, const char *path, int check_finite, char *msg, size_t cap)
{
    SW_RETURN_IF(!f || !path, SWIGLU_ERR_NULL);
    memset(f, 0, sizeof *f);
    char file[4200], cfg_path[4200], index[4200];
    struct stat sb;
    int sharded = 0;   /* a folder of shards and model.safetensors.index.json */
    int folder = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
    if (folder) {
        if (!beside(file, sizeof file, path, "model.safetensors", 1) || !beside(cfg_path, sizeof cfg_path, path, "config.json", 1))
            return sw_io_fail(msg, cap, SWIGLU_ERR_ARG, "%s: path too long", path);
        if (stat(file, &sb) != 0) {
            if (!beside(index, sizeof index, path, "model.safetensors.index.json", 1) || stat(index, &sb) != 0)
                return sw_io_fail(msg, cap, SWIGLU_ERR_IO,
                                  "%s: not a regular file (a folder with neither model.safetensors nor model.safetensors.index.json: "
                                  "not a Hugging Face model folder)", path);
            sharded = 1;
            snprintf(file, sizeof file, "%s", path);
        }
    } else {
        snprintf(file, sizeof file, "%s", path);
        if (!beside(cfg_path, sizeof cfg_path, path, "config.json", 0)) return sw_io_fail(msg, cap, SWIGLU_ERR_ARG, "%s: path too long", path);
    }
    void *map = NULL;
    size_t size = 0;
    if (!sharded) SW_FORWARD_IF_ERROR(sw_map_file(&map, &size, file, "model file", msg, cap));
    swiglu_status st;
    if (sharded) {
        f->format = "safetensors";
        st = open_sharded(f, path, index, cfg_path, msg, cap);
    } else if (sw_gguf_sniff(map, size)) {
        f->format = "GGUF";
        st = sw_gguf_parse(&f->m, &f->tok, &f->tok_size, map, size, msg, cap);
    } else if (folder || sw_st_sniff(map, size)) {
        sw_st_shard one = {"model.safetensors", map, size};
        st = open_safetensors(f, &one, 1, NULL, 0, cfg_path, msg, cap);
    } else {
        /* llama2.c: its weights stay in the mapping */
        f->format = "llama2.c";
        st = sw_l2c_parse(&f->m, map, size, msg, cap);
        if (st == SWIGLU_OK) { f->m.map = map; f->m.map_size = size; map = NULL; }
    }
    if (map) munmap(map, size);   /* converted formats own their weights */
    char why[1024];
    if (st != SWIGLU_OK) {
        /* the readers' messages name their format ("GGUF header: ...") */
        snprintf(why, sizeof why, "%s", msg ? msg : "");
        sw_io_fail(msg, cap, st, "%s: %s", file, why);
    } else if (check_finite && (st = sw_l2c_nonfinite(&f->m, NULL, why, sizeof why)) != SWIGLU_OK) {
        sw_io_fail(msg, cap, st, "%s: %s file: %s", file, f->format, why);
    }
    if (st != SWIGLU_OK) {
        const char *format = f->format;
        sw_model_file_close(f);
        f->format = format;
    }
    return st;
}

void sw_model_file_close(sw_model_file *f)
{
    if (!f) return;
    sw_l2c_close(&f->m);
    free(f->tok);
    memset(f, 0, sizeof *f);
}
