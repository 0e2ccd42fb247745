/* plan.h -- what `swiglu compare` runs: the presets, the variants, and the
 * list of runs (main matrix, learning-rate sweep, expressivity task).
 *
 * Parameter matching: every variant has the same d_model, depth, heads,
 * context, tokens seen, optimizer and schedule; d_ff is 4 D for the plain
 * FFNs and LLaMA's int(2 * 4D / 3) for the gated ones (swiglu_ffn_hidden_for,
 * multiple_of 1), so FFN parameter counts agree within 1 %. */
#ifndef SW_LAB_PLAN_H
#define SW_LAB_PLAN_H
#include <stddef.h>
#include "model/model.h"
#include "model/trainer.h"

#define SW_LAB_MAX_VARIANTS 16
#define SW_LAB_MAX_SEEDS 16
#define SW_LAB_MAX_RATES 8
#define SW_LAB_MAX_RUNS 2048
#define SW_LAB_MAX_INITS 8
#define SW_LAB_MAX_SIZES 8

typedef struct sw_lab_variant {
    char name[32];              /* "relu", ..., "swiglu-learned-beta" */
    swiglu_ffn_variant ffn;
    int learn_beta;
} sw_lab_variant;

/* The variants the lab knows, in report order. */
extern const sw_lab_variant sw_lab_variants[];
extern const size_t sw_lab_n_variants;
const sw_lab_variant *sw_lab_variant_find(const char *name);

/* An initialization of the transformer runs (model.h: sw_init_scheme).
 * Spelled on the command line as gpt2 (std 0.02), gpt2:S or a bare number
 * S (the gpt2 rule at std S), fan-in, small. */
typedef struct sw_lab_init {
    char name[24];              /* "gpt2:0.02", "fan-in", "small" */
    char key[24];               /* the same in run ids: "gpt2-0.02", "fan-in", "small" */
    int scheme;                 /* sw_init_scheme */
    float std;                  /* the gpt2 rule's std, 4 significant digits (the key's) */
} sw_lab_init;

/* Parses one init spelling; the reason in err. */
swiglu_status sw_lab_init_parse(sw_lab_init *in, const char *spec, char *err, size_t errcap);
/* The std of the D-input matrices of init in at d_model D (the plots' x). */
double sw_lab_init_scale(const sw_lab_init *in, int d_model, int n_layer);

/* One model size of a scaling preset (scaling.h): the preset's context,
 * batch, optimizer and init; steps from the token budget. */
typedef struct sw_lab_size {
    int d_model, n_layer, n_head;
    int n_seeds;                /* main runs' seeds here (--seeds caps it) */
    int every_variant;          /* 1: every variant of the plan; 0: relu, gelu, swiglu of it */
    long long steps;            /* main runs: tokens_per_param x N / (batch x T), set by the preset */
    long long sweep_steps;      /* the sweep's runs: steps / sweep_div */
    int n_rates;
    double rates[SW_LAB_MAX_RATES];
} sw_lab_size;

typedef struct sw_lab_preset {
    const char *name;
    int d_model, n_layer, n_head, seq_len;
    sw_train_config train;      /* batch, steps, schedule, eval cadence */
    int ckpt_every;             /* steps between checkpoints */
    int n_rates;                /* learning-rate sweep: rates, steps, one seed */
    double rates[SW_LAB_MAX_RATES];
    long long sweep_steps;
    int ex_dim, ex_steps, ex_batch; /* expressivity task: input dim, steps, batch */
    const char *what;           /* one line for the report and --help */
    const char *inits;          /* the inits compared (--init's default); the first is the main one */
    /* a scaling preset (n_sizes > 0): the sizes, smallest first; d_model,
     * n_layer, n_head above are unused, seq_len and train (batch, schedule
     * shape, optimizer) serve every size */
    int n_sizes;
    sw_lab_size sizes[SW_LAB_MAX_SIZES];
    double tokens_per_param;    /* main runs: this many tokens per non-embedding parameter */
    int sweep_div;              /* the sweep's runs: 1 / sweep_div of the main run's tokens */
} sw_lab_preset;

/* tiny, quick, standard, long; scaling, scaling-tiny (scaling.h) */
const sw_lab_preset *sw_lab_preset_find(const char *name);

/* MAIN: the main comparison at the main init (inits[0]); INIT: the same
 * runs at another init, for the init-sensitivity section (init_report.h);
 * a scaling preset's SCALE_SWEEP (a size's rate sweep, the selection seed)
 * and SCALE (a main run at a size, at the variant's own best rate or the
 * size's shared rate, both from that size's sweep: scaling.h) */
typedef enum sw_lab_kind {
    SW_RUN_MAIN = 0, SW_RUN_SWEEP = 1, SW_RUN_EXPR = 2, SW_RUN_INIT = 3, SW_RUN_SCALE_SWEEP = 4, SW_RUN_SCALE = 5
} sw_lab_kind;

enum { SW_RATE_OWN = 0, SW_RATE_SHARED = 1 };   /* sw_lab_run.policy of a SCALE run */

typedef struct sw_lab_run {
    char id[64];                /* folder name under OUT/runs/ */
    sw_lab_kind kind;
    int variant;                /* index into plan->variants */
    int seed;                   /* 0-based seed index */
    int rate;                   /* sweep: index into preset->rates */
    int init;                   /* index into plan->inits (0 for MAIN, SWEEP and EXPR) */
    int size;                   /* SCALE, SCALE_SWEEP: index into preset.sizes */
    int policy;                 /* SCALE: SW_RATE_OWN or SW_RATE_SHARED */
    double work;                /* relative cost, for the ETA (SCALE*: training FLOPs) */
} sw_lab_run;

typedef struct sw_lab_plan {
    sw_lab_preset preset;
    sw_lab_variant variants[SW_LAB_MAX_VARIANTS];
    size_t n_variants;
    int n_seeds;
    sw_lab_init inits[SW_LAB_MAX_INITS];   /* inits[0]: the main comparison's */
    size_t n_inits;
    sw_lab_run runs[SW_LAB_MAX_RUNS];      /* MAIN, SWEEP, EXPR, then the INIT runs */
    size_t n_runs;
    size_t n_core_runs;                    /* runs before the first INIT run */
    int micro;   /* 0, 1: as the preset says; K > 1 (compare --accum K, --ranks-per-run K):
                  * every run's batch of B windows as K micro-batches of B/K (sw_lab_set_micro) */
} sw_lab_plan;

/* Builds the plan. variants: comma-separated names (NULL: all); the
 * preset's inits. */
swiglu_status sw_lab_plan_make(sw_lab_plan *p, const char *preset, const char *variants, int seeds,
                               char *err, size_t errcap);
/* The same with inits: comma-separated init spellings (NULL: the preset's);
 * the first is the main comparison's, each later one adds the main
 * comparison's runs at that init (a repeated init is dropped). */
swiglu_status sw_lab_plan_make_inits(sw_lab_plan *p, const char *preset, const char *variants, int seeds,
                                     const char *inits, char *err, size_t errcap);

/* The id (folder name under OUT/runs/) of a run (not of the SCALE kinds:
 * sw_lab_scale_id). The transformer runs carry
 * their init's key, so runs at different inits never share a folder:
 * "<variant>-s<seed>-<init>", "sweep-<variant>-lr<rate>-<init>";
 * the expressivity task's "expr-<variant>-s<seed>" has its own init. */
void sw_lab_run_id(char *buf, size_t cap, const sw_lab_plan *p, sw_lab_kind kind, int variant, int seed,
                   int rate, int init);

/* Cuts every transformer run's batch of B windows into k micro-batches of
 * B/k (k >= 1; B a multiple of k, else SWIGLU_ERR_ARG and err says so).
 * B/k windows k times draw the windows of B in one, in the same order, and
 * the loss and gradient are the mean over the same tokens; so are the
 * evaluations' (eval_batches x k of B/k): the same training up to the
 * rounding of the sums (dropout's masks are drawn per micro-batch, so
 * with dropout it is another draw). What lets k ranks share a run
 * (data parallel: rank r computes micro-batch r). */
swiglu_status sw_lab_set_micro(sw_lab_plan *p, int k, char *err, size_t errcap);

/* The model and training configurations of a run (vocab is set from data;
 * a SCALE run's rate is its size's first until scaling.h resolves it;
 * micro-batches as sw_lab_set_micro says). */
void sw_lab_run_configs(const sw_lab_plan *p, const sw_lab_run *r, sw_model_config *mc,
                        sw_train_config *tc);

/* The index of a variant by name in the plan, or -1. */
int sw_lab_plan_variant(const sw_lab_plan *p, const char *name);

#endif
