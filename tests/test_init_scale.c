/* test_init_scale.c -- the init schemes reach every matrix: for each scheme
 * (gpt2 at 0.02 and at 0.125, fan-in, small), plain and gated FFNs, fp32 and
 * bf16 masters, untied (so the head is a matrix of its own), the measured std
 * of every initialized matrix is within 5 % of the target written out here
 * from the formulas (not from the library's sw_model_init_std), its mean is
 * near 0, and RMSNorm weights are 1. Tensors have >= 128 x 128 entries: the
 * std of a sample std is std / sqrt(2n) <= 0.6 %, so 5 % is > 8 of those.
 * Then the scheme survives a checkpoint (save, read config, resume), and a
 * version-1 checkpoint (no scheme field) loads as gpt2. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "model/checkpoint.h"
#include "io/crc32.h"
#include "io/dataset.h"
#include "model/model.h"
#include "model/trainer.h"
#include "support/testlib.h"

enum { D = 128, L = 2, NH = 4 };

/* the target std of tensor `nm` (without its layer prefix), fan-in H for w2 */
static double target(int scheme, double S, const char *nm, double H)
{
    int out = !strcmp(nm, "wo") || !strcmp(nm, "w2");
    double fan = !strcmp(nm, "w2") ? H : D;
    switch (scheme) {
    case SW_INIT_FAN_IN: return 1 / sqrt(fan) / (out ? sqrt(2.0 * L) : 1);
    case SW_INIT_SMALL: return out ? 2.0 / (L * sqrt((double)D)) : sqrt(2.0 / (5 * D));
    default: return out ? S / sqrt(2.0 * L) : S;
    }
}

static void check_scheme(int scheme, float S, swiglu_ffn_variant ffn, int bf16)
{
    sw_model_config c;
    sw_model_config_default(&c);
    c.d_model = D; c.n_layer = L; c.n_head = NH; c.ffn = ffn; c.tied = 0; c.bf16 = bf16;
    c.init_scheme = scheme; c.init_std = S;
    sw_model *m = NULL;
    CHECK(sw_model_create(&m, &c, 1, 0) == SWIGLU_OK, "create");
    if (!m) return;
    CHECK(sw_model_init(m, 42) == SWIGLU_OK, "init");
    int matrices = 0;
    for (size_t i = 0; i < m->n_tensors; i++) {
        const sw_tensor *t = &m->tensors[i];
        const float *p = m->params + t->offset;
        const char *nm = t->layer >= 0 ? strchr(t->name, '.') + 1 : t->name;
        if (!strncmp(nm, "rms", 3)) {
            int ones = 1;
            for (size_t j = 0; j < t->numel; j++) ones &= p[j] == 1.0f;
            CHECK(ones, "%s %s: %s is all ones", sw_init_scheme_name(scheme), swiglu_ffn_variant_name(ffn), t->name);
            continue;
        }
        if (!t->decay) continue;
        CHECK(t->numel >= 128 * 128, "%s has %zu entries, enough for a 5 %% test", t->name, t->numel);
        double s1 = 0, s2 = 0;
        for (size_t j = 0; j < t->numel; j++) { s1 += p[j]; s2 += (double)p[j] * p[j]; }
        double n = (double)t->numel, mean = s1 / n, sd = sqrt(s2 / n - mean * mean);
        double want = target(scheme, S, nm, (double)m->H);
        CHECK(fabs(sd / want - 1) < 0.05, "%s (std %g) %s%s: %s std %.5f, target %.5f (%+.1f %%)",
              sw_init_scheme_name(scheme), (double)S, swiglu_ffn_variant_name(ffn), bf16 ? " bf16" : "", t->name, sd,
              want, 100 * (sd / want - 1));
        CHECK(fabs(mean) < 5 * want / sqrt(n), "%s: mean %g ~ 0", t->name, mean);
        /* and the library's own formula agrees with this one */
        CHECK(fabs(sw_model_init_std(&m->cfg, !strcmp(nm, "w2") ? m->H : m->D, !strcmp(nm, "wo") || !strcmp(nm, "w2")) / want - 1) < 1e-6,
              "sw_model_init_std for %s", t->name);
        matrices++;
    }
    /* emb, head, and per layer wq wk wv wo w1 (w3) w2 */
    int gated = swiglu_ffn_variant_gated(ffn);
    CHECK(matrices == 2 + L * (6 + gated), "%d matrices checked", matrices);
    sw_model_free(m);
}

/* names and the scale */
static void names(void)
{
    CHECK(sw_init_scheme_from_name("gpt2") == SW_INIT_GPT2 && sw_init_scheme_from_name("fan-in") == SW_INIT_FAN_IN &&
          sw_init_scheme_from_name("small") == SW_INIT_SMALL && sw_init_scheme_from_name("xavier") < 0, "scheme names");
    sw_model_config c;
    sw_model_config_default(&c);
    CHECK(c.init_scheme == SW_INIT_GPT2 && c.init_std == 0.02f, "the default is gpt2 at 0.02");
    c.init_scheme = 7;
    char err[256];
    CHECK(sw_model_config_check(&c, err, sizeof err) != SWIGLU_OK && strstr(err, "init scheme"), "scheme 7 refused: %s", err);
}

/* the scheme in a checkpoint; a version-1 file is gpt2 */
static void checkpoint(void)
{
    char dir[] = "/tmp/swiglu-init-XXXXXX", data[256], ck[256], v1[256], err[512];
    if (!mkdtemp(dir)) { CHECK(0, "mkdtemp"); return; }
    snprintf(data, sizeof data, "%s/text.txt", dir);
    snprintf(ck, sizeof ck, "%s/a.ckpt", dir);
    snprintf(v1, sizeof v1, "%s/v1.ckpt", dir);
    FILE *f = fopen(data, "w");
    for (int i = 0; i < 200; i++) fprintf(f, "the quick brown fox jumps over the lazy dog %d\n", i);
    fclose(f);
    sw_dataset ds;
    CHECK(sw_dataset_load(&ds, data, SW_TOKENS_CHAR, 16, err, sizeof err) == SWIGLU_OK, "data: %s", err);
    sw_model_config mc;
    sw_train_config tc;
    sw_model_config_default(&mc);
    sw_train_config_default(&tc);
    mc.d_model = 16; mc.n_layer = 1; mc.n_head = 2; mc.seq_len = 16; mc.init_scheme = SW_INIT_FAN_IN;
    tc.batch = 2; tc.steps = 2; tc.eval_every = 0;
    sw_trainer *tr = NULL;
    CHECK(sw_trainer_create(&tr, &mc, &tc, &ds, err, sizeof err) == SWIGLU_OK, "trainer: %s", err);
    CHECK(tr && sw_trainer_save(tr, ck, err, sizeof err) == SWIGLU_OK, "save: %s", err);
    sw_model_config got;
    CHECK(sw_checkpoint_read_config(&got, NULL, NULL, ck, err, sizeof err) == SWIGLU_OK && got.init_scheme == SW_INIT_FAN_IN,
          "the checkpoint holds fan-in (%d): %s", got.init_scheme, err);
    sw_trainer *back = NULL;
    CHECK(sw_trainer_load(&back, ck, &ds, err, sizeof err) == SWIGLU_OK && back->model->cfg.init_scheme == SW_INIT_FAN_IN,
          "a resumed trainer keeps fan-in: %s", err);
    /* version 1: the payload without the 4 bytes of the scheme (after 11 u32 and 5 f32), version field 1 */
    f = fopen(ck, "rb");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n);
    CHECK(fread(b, 1, (size_t)n, f) == (size_t)n, "read back");
    fclose(f);
    size_t at = SW_CKPT_HEADER_BYTES + 16 * 4;
    uint32_t scheme;
    memcpy(&scheme, b + at, 4);
    CHECK(scheme == SW_INIT_FAN_IN, "the scheme field sits after init_std (%u)", scheme);
    memmove(b + at, b + at + 4, (size_t)n - at - 4);
    uint32_t ver = 1, crc = sw_crc32(0, b + SW_CKPT_HEADER_BYTES, (size_t)n - 4 - SW_CKPT_HEADER_BYTES);
    uint64_t pb = (uint64_t)n - 4 - SW_CKPT_HEADER_BYTES;
    memcpy(b + 8, &ver, 4); memcpy(b + 16, &pb, 8); memcpy(b + 24, &crc, 4);
    f = fopen(v1, "wb");
    fwrite(b, 1, (size_t)n - 4, f);
    fclose(f);
    free(b);
    CHECK(sw_checkpoint_read_config(&got, NULL, NULL, v1, err, sizeof err) == SWIGLU_OK && got.init_scheme == SW_INIT_GPT2,
          "a version-1 checkpoint loads as gpt2: %s", err);
    sw_trainer_free(back);
    sw_trainer_free(tr);
    sw_dataset_free(&ds);
    unlink(data); unlink(ck); unlink(v1); rmdir(dir);
}

int main(void)
{
    names();
    const swiglu_ffn_variant ffns[2] = {SWIGLU_FFN_RELU, SWIGLU_FFN_SWIGLU};
    for (int k = 0; k < 2; k++) {
        check_scheme(SW_INIT_GPT2, 0.02f, ffns[k], 0);
        check_scheme(SW_INIT_GPT2, 0.125f, ffns[k], 0);
        check_scheme(SW_INIT_FAN_IN, 0.02f, ffns[k], 0);
        check_scheme(SW_INIT_SMALL, 0.02f, ffns[k], 0);
    }
    check_scheme(SW_INIT_FAN_IN, 0.02f, SWIGLU_FFN_SWIGLU, 1);
    checkpoint();
    return tl_finish("test_init_scale");
}
