/* test_export.c -- `swiglu export`'s library half (src/model/export_l2c.c):
 * a tiny SwiGLU model trained through the trainer API, exported to llama2.c
 * v0 and v1 files (tied and untied classifier, grouped-query attention),
 * loaded back with the llama2.c reader and run token by token with
 * llama_infer: its logits match our batched forward (sw_model_forward) at
 * every position. They are not bit-identical: the batched forward goes
 * through the GEMM (blocked summation order, possibly FMA-contracted) and
 * our RoPE/attention/RMSNorm, the decoder through matvec kernels and run.c's
 * formulas, so sums round differently; the tolerance is 1e-5 absolute on
 * logits of magnitude ~1-5 (measured: ~2e-7; the max is printed).
 * Refusals: GELU, learned beta, beta 2, rms eps 1e-6, theta 5e5 -- each with
 * its reason. Legend: V vocab, T = S seq_len, D dim.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"
#include "io/dataset.h"
#include "model/export_l2c.h"
#include "io/llama2c.h"
#include "model/llama_infer.h"
#include "model/trainer.h"

static char tmpdir[] = "/tmp/sw_export_XXXXXX";

static void write_text(const char *path)
{
    FILE *f = fopen(path, "w");
    static const char *w[] = {"the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "to"};
    uint64_t s = 7;
    for (int i = 0; i < 4000; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        fprintf(f, "%s%s", w[(s >> 33) % 10], i % 12 == 11 ? "\n" : " ");
    }
    fclose(f);
}

/* max |llama_infer logits - native logits| over every position of x [T] */
static double compare(const sw_l2c_model *lm, sw_model *m, const int *x, int T)
{
    if (sw_model_forward(m, x, NULL, 1, (size_t)T, NULL) != SWIGLU_OK) return INFINITY;
    sw_llama_state st;
    if (sw_llama_init(&st, lm, 1) != SWIGLU_OK) return INFINITY;
    double md = 0;
    for (int t = 0; t < T; t++) {
        const float *lg;
        if (sw_llama_forward(&st, x[t], t, &lg) != SWIGLU_OK) { md = INFINITY; break; }
        for (size_t v = 0; v < m->V; v++) {
            double d = fabs((double)lg[v] - m->logits[(size_t)t * m->V + v]);
            if (!(d <= md)) md = d;   /* NaN propagates */
        }
    }
    sw_llama_free(&st);
    return md;
}

static void one(const sw_dataset *ds, int tied, int nkv)
{
    sw_model_config mc;
    sw_model_config_default(&mc);
    mc.n_layer = 2; mc.n_head = 4; mc.n_kv_head = nkv; mc.d_model = 32; mc.seq_len = 24;
    mc.tied = tied;
    sw_train_config tc;
    sw_train_config_default(&tc);
    tc.batch = 4; tc.steps = 8; tc.warmup = 2; tc.eval_batches = 1;
    char err[512] = "";
    sw_trainer *tr;
    swiglu_status s = sw_trainer_create(&tr, &mc, &tc, ds, err, sizeof err);
    CHECK(s == SWIGLU_OK, "trainer: %s", err);
    if (s) return;
    for (int i = 0; i < 8; i++) {
        sw_step_info info;
        CHECK(sw_trainer_step(tr, &info) == SWIGLU_OK, "step %d", i);
    }
    sw_model *m = tr->model;
    int T = (int)m->Tmax, x[64];
    for (int t = 0; t < T; t++) x[t] = ds->tok[100 + t];

    /* in memory */
    sw_l2c_model lm;
    float *buf;
    s = sw_export_l2c_build(m, &lm, &buf, err, sizeof err);
    CHECK(s == SWIGLU_OK, "build: %s", err);
    if (!s) {
        double d = compare(&lm, m, x, T);
        printf("tied %d nkv %d in-memory: max |dlogit| %.3g\n", tied, nkv, d);
        CHECK(d < 1e-5, "in-memory export: max |dlogit| %g", d);
        free(buf);
    }
    /* files, both versions, read back by the llama2.c reader */
    for (int ver = 0; ver <= 1; ver++) {
        char path[256];
        snprintf(path, sizeof path, "%s/m_%d_%d_v%d.bin", tmpdir, tied, nkv, ver);
        s = sw_export_l2c_write(m, ver, path, err, sizeof err);
        CHECK(s == SWIGLU_OK, "write v%d: %s", ver, err);
        if (s) continue;
        sw_l2c_model fm;
        s = sw_l2c_open(&fm, path, err, sizeof err);
        CHECK(s == SWIGLU_OK, "open v%d: %s", ver, err);
        if (s) continue;
        CHECK(fm.cfg.version == ver && fm.cfg.shared_classifier == tied && fm.cfg.n_kv_heads == (nkv ? nkv : 4) &&
              fm.cfg.vocab_size == (int)m->V && fm.cfg.seq_len == T && fm.cfg.hidden_dim == (int)m->H,
              "v%d header: version %d shared %d nkv %d V %d S %d H %d", ver, fm.cfg.version,
              fm.cfg.shared_classifier, fm.cfg.n_kv_heads, fm.cfg.vocab_size, fm.cfg.seq_len, fm.cfg.hidden_dim);
        double d = compare(&fm, m, x, T);
        printf("tied %d nkv %d file v%d: max |dlogit| %.3g\n", tied, nkv, ver, d);
        CHECK(d < 1e-5, "v%d file: max |dlogit| %g", ver, d);
        sw_l2c_close(&fm);
        /* no temporary left next to it */
        char tmp[300];
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
        CHECK(access(tmp, F_OK) != 0, "temporary %s left behind", tmp);
        unlink(path);
    }
    sw_trainer_free(tr);
}

static void refuse(const char *what, void (*edit)(sw_model_config *), const char *needle)
{
    sw_model_config mc;
    sw_model_config_default(&mc);
    mc.vocab = 20; mc.n_layer = 1; mc.d_model = 16; mc.n_head = 2; mc.seq_len = 8;
    edit(&mc);
    char err[512] = "";
    CHECK(sw_export_l2c_check(&mc, err, sizeof err) == SWIGLU_ERR_ARG && strstr(err, needle),
          "%s: check refused with '%s' (want '%s')", what, err, needle);
    /* and through the model: nothing is written */
    sw_model *m;
    if (sw_model_create(&m, &mc, 1, 0) != SWIGLU_OK) { CHECK(0, "%s: create", what); return; }
    sw_model_init(m, 1);
    char path[256];
    snprintf(path, sizeof path, "%s/refused.bin", tmpdir);
    err[0] = '\0';
    CHECK(sw_export_l2c_write(m, 0, path, err, sizeof err) == SWIGLU_ERR_ARG && strstr(err, needle) &&
          access(path, F_OK) != 0, "%s: write refused with '%s'", what, err);
    sw_model_free(m);
}
static void e_gelu(sw_model_config *c) { c->ffn = SWIGLU_FFN_GELU; }
static void e_learn(sw_model_config *c) { c->learn_beta = 1; }
static void e_beta(sw_model_config *c) { c->ffn_beta = 2.0f; }
static void e_eps(sw_model_config *c) { c->rms_eps = 1e-6f; }
static void e_theta(sw_model_config *c) { c->rope_theta = 500000.0f; }
static void e_clamped(sw_model_config *c) { c->ffn = SWIGLU_FFN_SWIGLU_CLAMPED; }

int main(void)
{
    swiglu_threads_set(1);
    if (!mkdtemp(tmpdir)) { CHECK(0, "mkdtemp"); return tl_finish("test_export"); }
    char path[256], err[512];
    snprintf(path, sizeof path, "%s/data.txt", tmpdir);
    write_text(path);
    sw_dataset ds;
    CHECK(sw_dataset_load(&ds, path, SW_TOKENS_CHAR, 24, err, sizeof err) == SWIGLU_OK, "data: %s", err);
    one(&ds, 1, 0);
    one(&ds, 0, 2);
    refuse("gelu", e_gelu, "llama2.c computes only SwiGLU");
    refuse("clamped", e_clamped, "llama2.c computes only SwiGLU");
    refuse("learned beta", e_learn, "beta is learned");
    refuse("beta 2", e_beta, "beta fixed at 1");
    refuse("eps 1e-6", e_eps, "hard-codes 1e-5");
    refuse("theta", e_theta, "hard-codes 10000");
    sw_dataset_free(&ds);
    unlink(path);
    rmdir(tmpdir);
    return tl_finish("test_export");
}
