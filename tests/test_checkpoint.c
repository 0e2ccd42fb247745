/* test_checkpoint.c -- checkpoints (src/model/checkpoint.c) and resume:
 *  - 2N steps straight == N steps, save, load, N steps: the same losses and
 *    parameters, bit for bit;
 *  - corrupt, truncated, wrong-version, foreign files, and a different data
 *    file: each refused with its own message;
 *  - CRC-32 known answer; the dataset's errors (missing, empty, too short).
 * Legend: B batch, T context. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "support/testlib.h"
#include "model/checkpoint.h"
#include "io/crc32.h"
#include "model/trainer.h"

static char dir[64], data_path[96], ck_path[96];

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(p, 1, n, f) == n;
    if (f && fclose(f)) ok = 0;
    CHECK(ok, "writing %s", path);
}
/* the whole file (NULL, *n = 0, and a failed check when it cannot be read) */
static unsigned char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    long len = -1;
    unsigned char *p = NULL;
    *n = 0;
    if (f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (p = malloc(len ? (size_t)len : 1)) && fread(p, 1, (size_t)len, f) == (size_t)len)
        *n = (size_t)len;
    if (f) fclose(f);
    CHECK(*n == (size_t)len && p, "reading %s", path);
    if (*n != (size_t)len) { free(p); p = NULL; }
    return p;
}

static void configs(sw_model_config *mc, sw_train_config *tc)
{
    sw_model_config_default(mc);
    mc->n_layer = 2; mc->n_head = 2; mc->d_model = 16; mc->seq_len = 16; mc->learn_beta = 1;
    sw_train_config_default(tc);
    tc->batch = 3; tc->accum = 2; tc->steps = 8; tc->warmup = 2; tc->lr = 3e-3; tc->eval_batches = 2;
    tc->seed = 42;
}

/* loads `path` and returns the message (static buffer), or "" when it loads */
static const char *load_msg(const char *path, const sw_dataset *ds)
{
    static char err[512];
    sw_trainer *t;
    err[0] = 0;
    if (sw_trainer_load(&t, path, ds, err, sizeof err) == SWIGLU_OK) { sw_trainer_free(t); return ""; }
    return err;
}

int main(void)
{
    swiglu_threads_set(2);
    CHECK(sw_crc32(0, "123456789", 9) == 0xCBF43926u, "CRC-32 known answer");
    snprintf(dir, sizeof dir, "/tmp/swiglu_ckpt_test_%ld", (long)getpid());
    char cmd[160];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    if (system(cmd)) { CHECK(0, "%s failed", cmd); return tl_finish("test_checkpoint"); }
    snprintf(data_path, sizeof data_path, "%s/data.txt", dir);
    snprintf(ck_path, sizeof ck_path, "%s/a.ckpt", dir);
    /* a text of 20000 bytes */
    char *text = malloc(20000);
    tl_rng r = {3};
    const char *words[] = {"the ", "cat ", "sat ", "on ", "a ", "mat, ", "and ", "dog.\n"};
    size_t n = 0;
    while (n < 20000) {
        const char *w = words[tl_next(&r) % 8];
        for (size_t i = 0; w[i] && n < 20000; i++) text[n++] = w[i];
    }
    write_file(data_path, text, n);

    char err[512];
    sw_dataset ds;
    CHECK(sw_dataset_load(&ds, data_path, SW_TOKENS_CHAR, 16, err, sizeof err) == SWIGLU_OK, "load data: %s", err);
    CHECK(ds.vocab < 30 && ds.n_train == 18000, "char vocabulary %d, train split %zu", ds.vocab, ds.n_train);

    sw_model_config mc;
    sw_train_config tc;
    configs(&mc, &tc);
    /* straight: 8 steps */
    sw_trainer *a, *b;
    double la[8], lb[8];
    CHECK(sw_trainer_create(&a, &mc, &tc, &ds, err, sizeof err) == SWIGLU_OK, "create: %s", err);
    int steps_a = 0;
    for (int s = 0; s < 8; s++) { sw_step_info si; steps_a += sw_trainer_step(a, &si) == SWIGLU_OK; la[s] = si.loss; }
    CHECK(steps_a == 8, "8 steps ran (%d)", steps_a);
    /* 4 steps, save, load, 4 steps */
    CHECK(sw_trainer_create(&b, &mc, &tc, &ds, err, sizeof err) == SWIGLU_OK, "create: %s", err);
    int stepped = 0;
    for (int s = 0; s < 4; s++) { sw_step_info si; stepped += sw_trainer_step(b, &si) == SWIGLU_OK; lb[s] = si.loss; }
    CHECK(sw_trainer_save(b, ck_path, err, sizeof err) == SWIGLU_OK, "save: %s", err);
    sw_trainer_free(b);
    CHECK(sw_trainer_load(&b, ck_path, &ds, err, sizeof err) == SWIGLU_OK, "load: %s", err);
    CHECK(b->step == 4, "resumed at step %lld", b->step);
    for (int s = 4; s < 8; s++) { sw_step_info si; stepped += sw_trainer_step(b, &si) == SWIGLU_OK; lb[s] = si.loss; }
    CHECK(stepped == 8, "4 + 4 steps ran (%d)", stepped);
    CHECK(!memcmp(la, lb, sizeof la), "resume: 8 losses identical bit for bit (last %.17g vs %.17g)", la[7], lb[7]);
    CHECK(!memcmp(a->model->params, b->model->params, a->model->n_params * 4) &&
          !memcmp(a->m, b->m, a->model->n_params * 4) && !memcmp(a->v, b->v, a->model->n_params * 4),
          "resume: parameters and moments identical");
    CHECK(la[7] < la[0], "the loss goes down (%.4f -> %.4f)", la[0], la[7]);
    sw_eval_info e;
    CHECK(sw_trainer_eval(b, &e) == SWIGLU_OK && e.beta && e.n_layers == 2, "eval reports learned betas");
    char line[4096];
    size_t len = sw_eval_json(line, sizeof line, &e);
    CHECK(len < sizeof line && line[0] == '{' && line[len - 1] == '\n' && strstr(line, "\"val_loss\":") &&
          strstr(line, "\"dead_fraction\":[") && strstr(line, "\"beta\":["), "metrics JSON line: %.80s", line);
    sw_trainer_free(a);
    sw_trainer_free(b);

    /* the inference loader reads the same file */
    sw_model *m;
    uint8_t itos[256];
    int vocab;
    sw_tokens mode;
    long long step;
    CHECK(sw_checkpoint_load_model(&m, 1, itos, &vocab, &mode, &step, ck_path, err, sizeof err) == SWIGLU_OK &&
          vocab == ds.vocab && mode == SW_TOKENS_CHAR && step == 4 && !memcmp(itos, ds.itos, (size_t)vocab),
          "model loader: vocabulary and step");
    sw_model_free(m);

    /* damaged files, each with its own message */
    size_t sz;
    unsigned char *good = read_file(ck_path, &sz);
    if (!good) return tl_finish("test_checkpoint");
    char bad_path[128];
    snprintf(bad_path, sizeof bad_path, "%s/bad.ckpt", dir);
    unsigned char *cp = malloc(sz);

    memcpy(cp, good, sz); cp[sz / 2] ^= 0x10;
    write_file(bad_path, cp, sz);
    CHECK(strstr(load_msg(bad_path, &ds), "corrupt: CRC-32") != NULL, "flipped bit: %s", load_msg(bad_path, &ds));

    write_file(bad_path, good, sz - 100);
    CHECK(strstr(load_msg(bad_path, &ds), "truncated") != NULL, "truncated: %s", load_msg(bad_path, &ds));
    write_file(bad_path, good, 20);
    CHECK(strstr(load_msg(bad_path, &ds), "truncated") != NULL, "truncated header: %s", load_msg(bad_path, &ds));

    memcpy(cp, good, sz); cp[8] = 3;
    write_file(bad_path, cp, sz);
    CHECK(strstr(load_msg(bad_path, &ds), "version 3") != NULL, "wrong version: %s", load_msg(bad_path, &ds));

    write_file(bad_path, "#!/bin/sh\necho hello, I am not a checkpoint\n", 44);
    CHECK(strstr(load_msg(bad_path, &ds), "not a swiglu checkpoint") != NULL, "foreign file: %s", load_msg(bad_path, &ds));
    write_file(bad_path, "", 0);
    CHECK(strstr(load_msg(bad_path, &ds), "not a swiglu checkpoint") != NULL, "empty file: %s", load_msg(bad_path, &ds));

    memcpy(cp, good, sz);
    write_file(bad_path, cp, sz);
    unsigned char extra[4] = {1, 2, 3, 4};
    FILE *f = fopen(bad_path, "ab");
    CHECK(f && fwrite(extra, 1, 4, f) == 4 && fclose(f) == 0, "appending to %s", bad_path);
    CHECK(strstr(load_msg(bad_path, &ds), "trailing") != NULL, "trailing bytes: %s", load_msg(bad_path, &ds));

    /* a well-formed file (sizes and CRC consistent) that holds one parameter
     * fewer than its configuration needs: refused before anything is copied
     * (scripts/mutate.sh: 'need < n_params' loaded it). The tensor count
     * follows the 460 bytes of configuration, state and data identity. */
    {
        uint64_t pbytes, np;
        memcpy(&pbytes, good + 16, 8);
        memcpy(&np, good + 32 + 460, 8);
        CHECK(pbytes == 468 + 12 * np && np > 1, "checkpoint layout: %llu parameters in %llu payload bytes",
              (unsigned long long)np, (unsigned long long)pbytes);
        if (pbytes == 468 + 12 * np && np > 1) {
            uint64_t n1 = np - 1, pb1 = pbytes - 12;
            unsigned char *sh = malloc(sz);
            memcpy(sh, good, 32 + 460);
            memcpy(sh + 32 + 460, &n1, 8);
            for (int t = 0; t < 3; t++)   /* params, m, v: each one float shorter */
                memcpy(sh + 32 + 468 + t * n1 * 4, good + 32 + 468 + t * np * 4, n1 * 4);
            uint32_t crc = sw_crc32(0, sh + 32, (size_t)pb1);
            memcpy(sh + 16, &pb1, 8); memcpy(sh + 24, &crc, 4);
            write_file(bad_path, sh, 32 + (size_t)pb1);
            CHECK(strstr(load_msg(bad_path, &ds), "its configuration needs") != NULL, "one parameter short: %s",
                  load_msg(bad_path, &ds));
            free(sh);
        }
    }

    snprintf(bad_path, sizeof bad_path, "%s/missing.ckpt", dir);
    CHECK(strstr(load_msg(bad_path, &ds), "cannot open") != NULL, "missing file: %s", load_msg(bad_path, &ds));

    /* other data */
    text[100] = 'Z';
    char other[128];
    snprintf(other, sizeof other, "%s/other.txt", dir);
    write_file(other, text, n);
    sw_dataset ds2;
    CHECK(sw_dataset_load(&ds2, other, SW_TOKENS_CHAR, 16, err, sizeof err) == SWIGLU_OK, "other data loads: %s", err);
    CHECK(strstr(load_msg(ck_path, &ds2), "other data") != NULL, "other data: %s", load_msg(ck_path, &ds2));
    sw_dataset_free(&ds2);

    /* dataset errors */
    snprintf(other, sizeof other, "%s/nope.txt", dir);
    CHECK(sw_dataset_load(&ds2, other, SW_TOKENS_BYTE, 16, err, sizeof err) == SWIGLU_ERR_IO && strstr(err, "cannot open"),
          "missing data: %s", err);
    write_file(other, "", 0);
    CHECK(sw_dataset_load(&ds2, other, SW_TOKENS_BYTE, 16, err, sizeof err) == SWIGLU_ERR_FORMAT && strstr(err, "empty"),
          "empty data: %s", err);
    write_file(other, text, 100);
    CHECK(sw_dataset_load(&ds2, other, SW_TOKENS_BYTE, 16, err, sizeof err) == SWIGLU_ERR_FORMAT && strstr(err, "too short"),
          "short data: %s", err);

    free(good); free(cp); free(text);
    sw_dataset_free(&ds);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) { CHECK(0, "%s failed", cmd); return tl_finish("test_checkpoint"); }
    return tl_finish("test_checkpoint");
}
