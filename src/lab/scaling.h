/* scaling.h -- the scaling presets of `swiglu compare` (docs/LAB.md, "The
 * scaling preset"): the same comparison at several model sizes, each
 * trained on a fixed number of tokens per non-embedding parameter, with a
 * learning-rate sweep per size and variant that picks the main runs' rates.
 *
 * Legend: D d_model, L layers, H d_ff, T context, V vocabulary, N the
 * non-embedding parameter count of a size (ReLU's: L (4 D^2 + 8 D^2) +
 * (2 L + 1) D norms; every variant is within 1 % of it).
 *
 * Per size z: a SCALE_SWEEP run per variant and rate (the selection seed
 * SW_LAB_SELECT_SEED, which no main run uses, 1 / sweep_div of the main
 * tokens, final validation loss); then the SCALE runs, every variant x
 * seed at two rates:
 *   own     the variant's best sweep rate (lowest final validation loss;
 *           a diverged sweep run never wins)
 *   shared  one rate for every variant of the size: the sweep rate whose
 *           largest regret (a variant's loss there minus its loss at its
 *           own best rate; diverged: infinite) is least
 * A SCALE run starts once its size's sweep is done (sw_lab_run_ready). A
 * shared run at the rate its own run had is that run: its files are copied
 * when the own run is done first (result.txt says same_as=ID). */
#ifndef SW_LAB_SCALING_H
#define SW_LAB_SCALING_H
#include <stddef.h>
#include <stdio.h>
#include "lab/plan.h"

#define SW_LAB_SELECT_SEED 100   /* the sweep's seed index: tc.seed = 1000 + 100 */
#define SW_LAB_CORE_FLOPS 2.4e10 /* training FLOP/s of one core of this machine, for the cost (docs/LAB.md) */
#define SW_LAB_COST_VOCAB 100    /* V assumed by the cost estimate (the plan is made before the data) */

/* The preset's sizes: steps and sweep steps from the token budget. */
void sw_lab_scaling_fill(sw_lab_preset *pr);

/* N of size z (ReLU's count; see the legend). */
double sw_lab_size_params(const sw_lab_size *z);
/* Forward FLOPs per token of variant v at size z, context T, vocabulary V:
 * 2 L (4 D^2 + FFN weights) + 2 L D (T + 1) (causal attention's scores and
 * mix, mean context (T + 1) / 2) + 2 D V (head). FFN weights: 2 D H
 * (plain, H = 4 D) or 3 D H (gated, H = int(8 D / 3)); the activations'
 * elementwise work (O(H) a token) is left out. Training: 3 x this. */
double sw_lab_size_flops(const sw_lab_size *z, const sw_lab_variant *v, int T, int V);

/* 1 when variant v of the plan runs at size z (every variant, or relu,
 * gelu, swiglu). */
int sw_lab_size_has(const sw_lab_plan *p, int z, int v);

/* Adds the scaling preset's runs to p (sizes, then per size its sweep,
 * its own-rate and its shared-rate runs). seeds caps each size's seeds. */
int sw_lab_scaling_runs(sw_lab_plan *p, int seeds);

/* "d<D>l<L>-sweep-<variant>-lr<k>-<init>", "d<D>l<L>-<variant>-s<seed>-<own|shared>-<init>" */
void sw_lab_scale_id(char *buf, size_t cap, const sw_lab_plan *p, sw_lab_kind kind, int size, int variant,
                     int seed, int rate, int policy);

/* 1 when the sweep run of variant v at rate index k of size z is done in out
 * (its result is there; a diverged run is done too). */
int sw_lab_sweep_done(const sw_lab_plan *p, const char *out, int z, int v, int k);

/* The sweep of size z read back: loss[v][k] (NaN when diverged or not
 * done), own[v] (the rate index of variant v's best, -1 when none),
 * *shared. Returns the number of the size's sweep runs not done (0: all). */
int sw_lab_scale_rates(const sw_lab_plan *p, const char *out, int z,
                       double loss[SW_LAB_MAX_VARIANTS][SW_LAB_MAX_RATES], int own[SW_LAB_MAX_VARIANTS], int *shared);

/* 1 when run r may start: every run but SCALE; SCALE once its size's sweep is done. */
int sw_lab_run_ready(const sw_lab_plan *p, const char *out, const sw_lab_run *r);

/* The rate of SCALE run r (from its size's sweep): its index; -1 when the
 * sweep is not done. */
int sw_lab_scale_rate(const sw_lab_plan *p, const char *out, const sw_lab_run *r);

/* A shared-rate run whose rate is its own-rate run's, that run done:
 * copies its files into r's folder (result.txt last, with same_as=ID).
 * 1 when copied, 0 when r must run, -1 on an I/O error (err). */
int sw_lab_scale_share(const sw_lab_plan *p, const char *out, const sw_lab_run *r, char *err, size_t errcap);

/* The estimated cost of runs [from, to) of the plan: core-seconds at
 * SW_LAB_CORE_FLOPS (work is training FLOPs for the SCALE kinds). */
double sw_lab_plan_core_seconds(const sw_lab_plan *p, size_t from, size_t to);

/* The plan's listing (swiglu compare --plan): per size D, L, N, tokens,
 * steps, variants, seeds, rates, runs and estimated core-hours, the
 * FLOPs per token, the totals and the time on `cores` cores. */
void sw_lab_scaling_describe(FILE *f, const sw_lab_plan *p, int cores);

#endif
