/* expressivity.c -- claim 4's probe: a task where multiplicative
 * interactions are the whole answer.
 *
 *   x ~ N(0, I_D),  label t = sign(sum_k (a_k.x)(b_k.x)),  k = 1..D,
 *   a_k, b_k fixed random directions: the sign of a random indefinite
 *   quadratic form x^T A^T B x of full rank
 *
 * The model is one FFN layer (biases on, as Shazeer's GLU has them), D -> D,
 * parameter-matched like the main runs (4D hidden units plain, 8D/3 gated);
 * its first output is the logit, trained with the logistic loss on fresh
 * samples every step (so accuracy measures what the layer can express, not
 * what it memorizes). A gated unit multiplies two learned projections of x,
 * so D of them hold the quadratic form exactly; a plain unit is a ramp of
 * one projection, and must approximate a D-dimensional quadratic from them.
 * (A single product, sign((a.x)(b.x)), was too easy: it depends on two
 * projections only, and every variant learns it.)
 * Writes acc.csv (step,train_loss,test_acc) and result.txt (final_acc, ...).
 * Legend: B batch, D input dim, H hidden units. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/io_util.h"
#include "lab/corpus.h"
#include "lab/run.h"
#include "model/adamw.h"
#include "core/rng.h"

#define EX_TEST 4096
#define EX_LR 3e-3

/* The layer's tensors in one buffer q: w1 [H x D], w3 [H x D] (gated),
 * w2 [D x H], b1 [H], b3 [H] (gated), b2 [D], beta [1] (learned); the
 * parameters and the gradients are carved the same way. */
static swiglu_ffn_params carve(float *q, size_t H, size_t D, int gated, int learn_beta)
{
    swiglu_ffn_params e;
    e.w1 = q; q += H * D;
    e.w3 = gated ? q : NULL; q += gated ? H * D : 0;
    e.w2 = q; q += D * H;
    e.b1 = q; q += H;
    e.b3 = gated ? q : NULL; q += gated ? H : 0;
    e.b2 = q; q += D;
    e.beta = learn_beta ? q : NULL;
    return e;
}

/* x [B x D] ~ N(0, 1); t [B] = sign(sum_k (a_k.x)(b_k.x)), a, b [D x D] */
static void ex_batch(float *x, float *t, const float *a, const float *b, size_t B, size_t D, uint64_t *rng)
{
    for (size_t i = 0; i < B; i++) {
        float *xi = x + i * D;
        for (size_t j = 0; j < D; j++) xi[j] = (float)sw_rng_normal(rng);
        double s = 0;
        for (size_t k = 0; k < D; k++) {
            double pa = 0, pb = 0;
            for (size_t j = 0; j < D; j++) { pa += a[k * D + j] * xi[j]; pb += b[k * D + j] * xi[j]; }
            s += pa * pb;
        }
        t[i] = s >= 0 ? 1.0f : -1.0f;
    }
}

/* logistic loss l = log(1 + e^{-t z}), z = y[i][0], mean over the B rows
 * of y [B x D]; dy[i][0] = dl/dz / B = -t sigmoid(-t z) / B */
static double logistic(float *dy, const float *y, const float *t, size_t B, size_t D)
{
    double loss = 0;
    for (size_t i = 0; i < B; i++) {
        double m = -(double)t[i] * y[i * D];
        loss += m > 0 ? m + log1p(exp(-m)) : log1p(exp(m));
        dy[i * D] = (float)(-(double)t[i] / (1.0 + exp(-m)) / (double)B);
    }
    return loss / (double)B;
}

swiglu_status sw_lab_expressivity(const sw_lab_plan *p, const sw_lab_run *r, const char *dir,
                                  char *err, size_t errcap)
{
    const sw_lab_variant *v = &p->variants[r->variant];
    const size_t D = (size_t)p->preset.ex_dim, B = (size_t)p->preset.ex_batch;
    const long long steps = p->preset.ex_steps;
    swiglu_ffn_config cfg;
    swiglu_status st = swiglu_ffn_config_init(&cfg, D, v->ffn);
    if (st) { snprintf(err, errcap, "expressivity: %s", swiglu_status_str(st)); return st; }
    cfg.learn_beta = v->learn_beta;
    cfg.bias_up = cfg.bias_down = 1;
    swiglu_ffn *ffn = NULL;
    if ((st = swiglu_ffn_create(&ffn, &cfg))) { snprintf(err, errcap, "expressivity: %s", swiglu_status_str(st)); return st; }
    size_t H = cfg.d_ff, n_par = 0, ws_bytes = 0;
    int gated = swiglu_ffn_variant_gated(v->ffn);
    swiglu_ffn_param_count(&n_par, &cfg);
    swiglu_ffn_workspace_size(&ws_bytes, ffn, B > EX_TEST ? B : EX_TEST, 1);
    /* one buffer each for parameters, gradients, Adam's two moments */
    float *P = calloc(n_par, sizeof(float)), *G = calloc(n_par, sizeof(float));
    float *M = calloc(n_par, sizeof(float)), *V = calloc(n_par, sizeof(float));
    float *x = malloc(EX_TEST * D * sizeof(float)), *t = malloc(EX_TEST * sizeof(float));
    float *xt = malloc(EX_TEST * D * sizeof(float)), *tt = malloc(EX_TEST * sizeof(float));
    float *y = malloc(EX_TEST * D * sizeof(float)), *dy = calloc(B * D, sizeof(float));
    void *ws = aligned_alloc(64, (ws_bytes + 63) / 64 * 64);
    float *a = malloc(D * D * sizeof(float)), *b = malloc(D * D * sizeof(float));
    FILE *csv = NULL;
    if (!P || !G || !M || !V || !x || !t || !xt || !tt || !y || !dy || !ws || !a || !b) {
        st = SWIGLU_ERR_ALLOC;
        snprintf(err, errcap, "expressivity: out of memory");
        goto out;
    }
    /* carve P and G the same way: w1 [H x D], w3 [H x D], w2 [D x H], b1 [H], b3 [H], b2 [D], beta [1] */
    swiglu_ffn_params prm = carve(P, H, D, gated, v->learn_beta);
    swiglu_ffn_params grd = carve(G, H, D, gated, v->learn_beta);
    swiglu_ffn_init_params(ffn, &prm, 5000 + (uint64_t)r->seed, (float)(1.0 / sqrt((double)D)),
                           (float)(1.0 / sqrt((double)H)));
    /* the task: fixed a, b (the same for every variant and seed); the test set fixed too */
    uint64_t trng = 0x7a5c;
    for (size_t j = 0; j < D * D; j++) { a[j] = (float)(sw_rng_normal(&trng) / sqrt((double)D)); b[j] = (float)(sw_rng_normal(&trng) / sqrt((double)D)); }
    ex_batch(xt, tt, a, b, EX_TEST, D, &trng);
    uint64_t rng = 9000 + (uint64_t)r->seed;

    char path[4300];
    snprintf(path, sizeof path, "%s/acc.csv", dir);
    csv = fopen(path, "w");
    if (!csv) { st = SWIGLU_ERR_IO; snprintf(err, errcap, "cannot write %s", path); goto out; }
    fputs("step,train_loss,test_acc\n", csv);
    double loss_avg = 0, acc = 0;
    long long every = steps / 30 > 0 ? steps / 30 : 1;
    for (long long s = 0; s <= steps; s++) {
        if (s % every == 0 || s == steps) {
            /* test accuracy: sign of the logit against the label */
            if ((st = swiglu_ffn_forward(ffn, y, xt, EX_TEST, &prm, ws, ws_bytes, 0))) break;
            size_t right = 0;
            for (size_t i = 0; i < EX_TEST; i++) right += (y[i * D] >= 0) == (tt[i] > 0);
            acc = (double)right / EX_TEST;
            fprintf(csv, "%lld,%.6f,%.6f\n", s, s ? loss_avg : NAN, acc);
        }
        if (s == steps) break;
        ex_batch(x, t, a, b, B, D, &rng);
        if ((st = swiglu_ffn_forward(ffn, y, x, B, &prm, ws, ws_bytes, 1))) break;
        double loss = logistic(dy, y, t, B, D);
        loss_avg = s ? 0.95 * loss_avg + 0.05 * loss : loss;
        memset(G, 0, n_par * sizeof(float));
        if ((st = swiglu_ffn_backward(ffn, NULL, &grd, dy, x, B, &prm, ws, ws_bytes))) break;
        double lr = EX_LR * (0.1 + 0.9 * 0.5 * (1 + cos(3.14159265358979 * (double)s / (double)steps)));
        sw_adamw_update(P, M, V, G, n_par, (float)lr, 0.9f, 0.99f, 1e-8f, 0.0f, s + 1, 1);
    }
    if (st) { snprintf(err, errcap, "expressivity: %s", swiglu_status_str(st)); goto out; }
    fclose(csv);
    csv = NULL;
    char res[512];
    int n = snprintf(res, sizeof res, "status=done\nfinal_acc=%.6f\nfinal_loss=%.6f\nffn_params=%zu\nd_ff=%zu\nsteps=%lld\nseed=%d\n",
                     acc, loss_avg, n_par, H, steps, r->seed);
    snprintf(path, sizeof path, "%s/result.txt", dir);
    st = sw_atomic_write(path, res, (size_t)n, NULL, err, errcap);
out:
    if (csv) fclose(csv);
    free(P); free(G); free(M); free(V); free(x); free(t); free(xt); free(tt); free(y); free(dy); free(ws);
    free(a); free(b);
    swiglu_ffn_destroy(ffn);
    return st;
}
