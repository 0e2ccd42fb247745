/* metrics.c -- an evaluation as one JSON line (trainer.h: sw_eval_json).
 * Keys: step, train_loss, val_loss, lr, grad_norm, grad_norm_other,
 * grad_norm_layer [L], dead_fraction [L], zero_fraction [L], gate_mean [L],
 * gate_std [L], act_mean [L], act_std [L], beta [L] (when learned), init (the
 * scheme's name) and init_std (the std of its D-input matrices). */
#include <math.h>
#include <stdio.h>
#include "model/trainer.h"

typedef struct { char *buf; size_t cap, len; } sbuf;

static void put(sbuf *s, const char *fmt, double v, int is_num)
{
    char tmp[64];
    int n = is_num && !isfinite(v) ? snprintf(tmp, sizeof tmp, "null")
                                   : snprintf(tmp, sizeof tmp, fmt, v);
    for (int i = 0; i < n; i++, s->len++)
        if (s->len + 1 < s->cap) s->buf[s->len] = tmp[i];
}
static void str(sbuf *s, const char *t)
{
    for (; *t; t++, s->len++)
        if (s->len + 1 < s->cap) s->buf[s->len] = *t;
}
static void num(sbuf *s, const char *key, double v)
{
    str(s, ",\""); str(s, key); str(s, "\":");
    put(s, "%.9g", v, 1);
}

typedef double (*stat_fn)(const sw_eval_info *e, size_t l);
static double f_gn(const sw_eval_info *e, size_t l) { return e->grad_norm_layer[l]; }
static double f_dead(const sw_eval_info *e, size_t l) { return e->ffn[l].dead_fraction; }
static double f_zero(const sw_eval_info *e, size_t l) { return e->ffn[l].zero_fraction; }
static double f_gm(const sw_eval_info *e, size_t l) { return e->ffn[l].gate_mean; }
static double f_gs(const sw_eval_info *e, size_t l) { return e->ffn[l].gate_std; }
static double f_am(const sw_eval_info *e, size_t l) { return e->ffn[l].act_mean; }
static double f_as(const sw_eval_info *e, size_t l) { return e->ffn[l].act_std; }
static double f_up(const sw_eval_info *e, size_t l) { return e->ffn[l].up_abs_mean; }
static double f_beta(const sw_eval_info *e, size_t l) { return e->beta[l]; }

static void arr(sbuf *s, const char *key, const sw_eval_info *e, stat_fn f)
{
    str(s, ",\""); str(s, key); str(s, "\":[");
    for (size_t l = 0; l < e->n_layers; l++) {
        if (l) str(s, ",");
        put(s, "%.6g", f(e, l), 1);
    }
    str(s, "]");
}

size_t sw_eval_json(char *buf, size_t cap, const sw_eval_info *e)
{
    sbuf s = {buf, cap, 0};
    str(&s, "{\"step\":");
    put(&s, "%.0f", (double)e->step, 0);
    num(&s, "train_loss", e->train_loss);
    num(&s, "val_loss", e->val_loss);
    num(&s, "lr", e->lr);
    num(&s, "grad_norm", e->grad_norm);
    num(&s, "grad_norm_other", e->grad_norm_other);
    arr(&s, "grad_norm_layer", e, f_gn);
    arr(&s, "dead_fraction", e, f_dead);
    arr(&s, "zero_fraction", e, f_zero);
    arr(&s, "gate_mean", e, f_gm);
    arr(&s, "gate_std", e, f_gs);
    arr(&s, "act_mean", e, f_am);
    arr(&s, "act_std", e, f_as);
    arr(&s, "up_abs_mean", e, f_up);
    if (e->beta) arr(&s, "beta", e, f_beta);
    if (e->init) {
        str(&s, ",\"init\":\""); str(&s, e->init); str(&s, "\"");
        num(&s, "init_std", e->init_std);
    }
    str(&s, "}\n");
    if (cap) buf[s.len < cap ? s.len : cap - 1] = '\0';
    return s.len;
}
