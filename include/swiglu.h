/*
 * swiglu.h -- the one public header of libswiglu.
 *
 * Activation and GLU-family kernels (forward and backward), and whole FFN
 * layers, for people who write inference and training engines in C.
 *
 *   FFN_SwiGLU(x) = (Swish_b(x W1) * (x W3)) W2,  Swish_b(z) = z * sigmoid(b z)
 *
 * Conventions that hold for every function below (stated once, here):
 *   - Every function returns a swiglu_status; swiglu_status_str() names it.
 *     The library never prints, exits or aborts.
 *   - Argument order: outputs, inputs, sizes, parameters.
 *   - Sizes are size_t and are checked for overflow (rows * ld, 2 * n, ...).
 *   - The caller owns every buffer it passes in; the library keeps no pointer
 *     to caller memory after a call returns (handles own only what they
 *     allocate themselves).
 *   - GRADIENTS ACCUMULATE: backward functions ADD into their gradient
 *     buffers (dx += ..., dbeta += ...), as llm.c's layers do, so that
 *     gradients of shared inputs and of several micro-batches sum for free.
 *     The elementwise kernels accept SWIGLU_BWD_OVERWRITE to store instead.
 *   - Aliasing: an output may be exactly an input of the same shape and
 *     stride (in place, element i reads before it writes) where a function
 *     says so; any other overlap between an output and another buffer of
 *     the call is refused with SWIGLU_ERR_ALIAS. Outputs are: out, dx, din,
 *     dup, dbeta (a scalar: it may overlap nothing), y, each gradient tensor
 *     and the workspace (written by forward, read and written by backward).
 *     Every pair (output, any other buffer of the call) is checked, inputs
 *     among themselves are not (they are only read).
 *   - Alignment: float buffers must be 4-byte aligned, bf16 (uint16_t)
 *     buffers 2-byte, double 8-byte (what malloc and any float array give);
 *     a misaligned pointer is refused with SWIGLU_ERR_ARG, never loaded.
 *   - Flags of int type (learn_beta, bias_up, bias_down, recompute,
 *     training) are 0 or 1; any other value is SWIGLU_ERR_ARG.
 *   - Dimension legend: T tokens (rows), D d_model, H d_ff (hidden units),
 *     n elements per row of an elementwise kernel.
 */
#ifndef SWIGLU_H
#define SWIGLU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(SWIGLU_BUILD_DLL)
#define SWIGLU_API __declspec(dllexport)
#elif defined(__GNUC__)
#define SWIGLU_API __attribute__((visibility("default")))
#else
#define SWIGLU_API
#endif

#define SWIGLU_VERSION_MAJOR 0
#define SWIGLU_VERSION_MINOR 1
#define SWIGLU_VERSION_PATCH 0
#define SWIGLU_VERSION_NUMBER \
    (SWIGLU_VERSION_MAJOR * 10000 + SWIGLU_VERSION_MINOR * 100 + SWIGLU_VERSION_PATCH)

/*! swiglu_version_number() : SWIGLU_VERSION_NUMBER of the linked library. */
SWIGLU_API unsigned swiglu_version_number(void);
/*! swiglu_version_string() : "MAJOR.MINOR.PATCH" of the linked library. */
SWIGLU_API const char *swiglu_version_string(void);

/* ------------------------------------------------------------------------ */
/* Status                                                                    */
/* ------------------------------------------------------------------------ */

/* Values are pinned: they never change meaning between versions. */
typedef enum swiglu_status {
    SWIGLU_OK = 0,
    SWIGLU_ERR_NULL = 1,        /* a required pointer is NULL */
    SWIGLU_ERR_SIZE = 2,        /* a size is zero where it may not be, or overflows */
    SWIGLU_ERR_ARG = 3,         /* an enum, flag or parameter is out of range */
    SWIGLU_ERR_ALIAS = 4,       /* buffers overlap in a way that is not allowed */
    SWIGLU_ERR_ALLOC = 5,       /* out of memory */
    SWIGLU_ERR_ISA = 6,         /* the requested instruction set is not available */
    SWIGLU_ERR_GEMM = 7,        /* the GEMM engine failed or refused the shape */
    SWIGLU_ERR_DTYPE = 8,       /* data type not supported here or mismatched */
    SWIGLU_ERR_WORKSPACE = 9,   /* workspace missing or too small */
    SWIGLU_ERR_STATE = 10,      /* call out of order (backward without a training forward) */
    SWIGLU_ERR_IO = 11,         /* a file could not be read or written */
    SWIGLU_ERR_FORMAT = 12,     /* a file or buffer is not in the expected format */
    SWIGLU_ERR_UNSUPPORTED = 13,/* valid request that this build cannot serve */
    SWIGLU_ERR_NONFINITE = 14,  /* a loss or gradient is NaN or infinite (training diverged) */
    SWIGLU_STATUS_COUNT
} swiglu_status;

/*! swiglu_status_str() : a short English description; never NULL. */
SWIGLU_API const char *swiglu_status_str(swiglu_status s);

/* ------------------------------------------------------------------------ */
/* Instruction sets, threads                                                 */
/* ------------------------------------------------------------------------ */

typedef enum swiglu_isa {
    SWIGLU_ISA_REF = 0,     /* plain scalar C: the oracle */
    SWIGLU_ISA_AVX2 = 1,    /* AVX2 + FMA */
    SWIGLU_ISA_AVX512 = 2,  /* AVX-512 F/DQ/BW/VL */
    SWIGLU_ISA_COUNT
} swiglu_isa;

/*! swiglu_isa_name() : "ref", "avx2", "avx512"; "?" when out of range. */
SWIGLU_API const char *swiglu_isa_name(swiglu_isa isa);
/*! swiglu_isa_from_name() : parses the names above. */
SWIGLU_API swiglu_status swiglu_isa_from_name(swiglu_isa *isa, const char *name);
/*! swiglu_isa_supported() : 1 when this CPU and OS can run `isa`, else 0. */
SWIGLU_API int swiglu_isa_supported(swiglu_isa isa);
/*! swiglu_isa_active() : the kernel set in use. Chosen once, at the first
 * call into the library, by cpuid: the best supported, unless the environment
 * variable SWIGLU_ISA=ref|avx2|avx512 names one (an unsupported or unknown
 * name falls back to the best supported set; swiglu_isa_env_error() says so). */
SWIGLU_API swiglu_isa swiglu_isa_active(void);
/*! swiglu_isa_set() : switches the kernel set for the whole process (tests,
 * benchmarks). Not thread-safe against concurrent kernel calls.
 * @return SWIGLU_ERR_ISA when the CPU cannot run it. */
SWIGLU_API swiglu_status swiglu_isa_set(swiglu_isa isa);
/*! swiglu_isa_env_error() : non-NULL message when SWIGLU_ISA was set but
 * could not be honoured (unknown name, unsupported ISA), else NULL. */
SWIGLU_API const char *swiglu_isa_env_error(void);
/*! swiglu_cpu_features() : writes a space-separated list of the CPU features
 * that matter here ("avx2 fma avx512f ... amx_bf16") into buf (always
 * NUL-terminated when cap > 0). */
SWIGLU_API swiglu_status swiglu_cpu_features(char *buf, size_t cap);

/*! swiglu_threads_set() : threads used by the threaded entry points
 * (0 = OpenMP's default). Results are bit-identical for a fixed count.
 * @return SWIGLU_ERR_ARG for n < 0. */
SWIGLU_API swiglu_status swiglu_threads_set(int n);
/*! swiglu_threads_get() : threads the threaded entry points will use. */
SWIGLU_API int swiglu_threads_get(void);

/*! swiglu_stream_threshold_set() : the elementwise kernels (activation and
 * GLU forward, and backward in SWIGLU_BWD_OVERWRITE mode) write their outputs
 * with streaming (non-temporal) stores when the outputs of one call together
 * hold at least `bytes` bytes: the cache lines are written to memory without
 * being read first and without evicting the cache's contents, so an
 * out-of-cache call moves 3 streams instead of 4 (forward) or 5 instead of 7
 * (backward), but its reader then finds the output in memory, not in L2/L3.
 * Default SWIGLU_STREAM_DEFAULT (32 MiB: T x H = 8192 x 1024 floats);
 * SIZE_MAX never streams, 0 always does. The values written are the same
 * either way. Process-wide, safe to call from any thread (takes effect at the
 * next call). Interleaved layouts never stream. @return SWIGLU_OK. */
#define SWIGLU_STREAM_DEFAULT ((size_t)32 << 20)
SWIGLU_API swiglu_status swiglu_stream_threshold_set(size_t bytes);
/*! swiglu_stream_threshold_get() : the threshold in bytes. */
SWIGLU_API size_t swiglu_stream_threshold_get(void);

/* ------------------------------------------------------------------------ */
/* Activations                                                               */
/* ------------------------------------------------------------------------ */

/* Order is pinned; SWIGLU_ACT_COUNT is tied to the name table. */
typedef enum swiglu_act {
    SWIGLU_ACT_IDENTITY = 0,   /* x                                   */
    SWIGLU_ACT_RELU = 1,       /* max(x, 0)                           */
    SWIGLU_ACT_GELU_ERF = 2,   /* x Phi(x) = x/2 erfc(-x/sqrt 2)      */
    SWIGLU_ACT_GELU_TANH = 3,  /* x/2 (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))) */
    SWIGLU_ACT_SIGMOID = 4,    /* 1/(1 + e^-x)                        */
    SWIGLU_ACT_SWISH = 5,      /* x sigmoid(beta x); beta = 1 is SiLU */
    SWIGLU_ACT_COUNT
} swiglu_act;

/*! swiglu_act_name() : "identity", "relu", "gelu_erf", "gelu_tanh",
 * "sigmoid", "swish"; "?" when out of range. */
SWIGLU_API const char *swiglu_act_name(swiglu_act act);
/*! swiglu_act_from_name() : parses the names above, plus the aliases
 * "linear", "gelu" (= gelu_erf), "silu" (= swish). */
SWIGLU_API swiglu_status swiglu_act_from_name(swiglu_act *act, const char *name);

/* Flags of the backward kernels. */
#define SWIGLU_BWD_OVERWRITE 1u  /* store gradients instead of adding them */

/*! swiglu_act_forward() : out[i] = act(x[i]), i < n, threaded.
 * beta is Swish's beta (ignored by the other activations; must be finite).
 * out may be x (in place). n = 0 is a no-op. */
SWIGLU_API swiglu_status swiglu_act_forward(float *out, const float *x, size_t n,
                                            swiglu_act act, float beta);

/*! swiglu_act_backward() : dx[i] (+)= dout[i] * act'(x[i]);
 * and when dbeta != NULL and act is Swish: *dbeta (+)= sum_i dout[i] d act/d beta.
 * dbeta's sum is formed in fixed chunks in fixed order: the same bits for any
 * thread count. dx may be dout (in place). */
SWIGLU_API swiglu_status swiglu_act_backward(float *dx, float *dbeta, const float *dout,
                                             const float *x, size_t n, swiglu_act act,
                                             float beta, unsigned flags);

/*! _range variants: the same work on elements [begin, end) only, so that
 * any thread pool can drive the kernels. They run on the calling thread.
 * A range backward adds its dbeta partial into *dbeta (never overwrites it);
 * the caller sums partials in an order of its choosing. */
SWIGLU_API swiglu_status swiglu_act_forward_range(float *out, const float *x, size_t n,
                                                  swiglu_act act, float beta,
                                                  size_t begin, size_t end);
SWIGLU_API swiglu_status swiglu_act_backward_range(float *dx, double *dbeta,
                                                   const float *dout, const float *x,
                                                   size_t n, swiglu_act act, float beta,
                                                   unsigned flags, size_t begin, size_t end);

/* ------------------------------------------------------------------------ */
/* GLU family: out = gate_act(gate) * up                                     */
/* ------------------------------------------------------------------------ */

/* Named variants (Shazeer 2020, plus gpt-oss's clamped SwiGLU). */
typedef enum swiglu_glu {
    SWIGLU_GLU_GLU = 0,            /* sigmoid(g) * u                       */
    SWIGLU_GLU_BILINEAR = 1,       /* g * u                                */
    SWIGLU_GLU_REGLU = 2,          /* relu(g) * u                          */
    SWIGLU_GLU_GEGLU = 3,          /* gelu_erf(g) * u                      */
    SWIGLU_GLU_GEGLU_TANH = 4,     /* gelu_tanh(g) * u                     */
    SWIGLU_GLU_SWIGLU = 5,         /* swish_beta(g) * u                    */
    SWIGLU_GLU_SWIGLU_CLAMPED = 6, /* gpt-oss: g' = min(g, L), u' = clamp(u, -L, L),
                                      out = g' sigmoid(alpha g') (u' + 1) */
    SWIGLU_GLU_COUNT
} swiglu_glu;

/*! swiglu_glu_name() : "glu", "bilinear", "reglu", "geglu", "geglu_tanh",
 * "swiglu", "swiglu_clamped"; "?" when out of range. */
SWIGLU_API const char *swiglu_glu_name(swiglu_glu v);
SWIGLU_API swiglu_status swiglu_glu_from_name(swiglu_glu *v, const char *name);

/* A gate: the activation applied to the gate half and its parameters.
 * General form:  out = act_beta(min(g, limit)) * (clamp(u, -limit, limit) + up_shift)
 * limit = +INFINITY switches clamping off. */
typedef struct swiglu_gate {
    swiglu_act act;   /* activation of the gate half */
    float beta;       /* Swish's beta (gpt-oss's alpha for the clamped form) */
    float limit;      /* clamp bound (> 0), or +INFINITY for none */
    float up_shift;   /* added to the (clamped) up value: 0, or 1 for gpt-oss */
} swiglu_gate;

/*! swiglu_gate_init() : the gate of a named variant with its defaults:
 * beta = 1; clamped SwiGLU: beta (alpha) = 1.702, limit = 7, up_shift = 1. */
SWIGLU_API swiglu_status swiglu_gate_init(swiglu_gate *gate, swiglu_glu variant);

/* Where gate and up live. `rows` rows of n gate and n up values each. */
typedef enum swiglu_layout {
    SWIGLU_LAYOUT_SPLIT = 0,       /* two buffers: gate[r*ld + j], up[r*ld + j]    */
    SWIGLU_LAYOUT_GATE_UP = 1,     /* one buffer, row r = [g_0..g_n-1 | u_0..u_n-1] (LLaMA, fused W1;W3) */
    SWIGLU_LAYOUT_UP_GATE = 2,     /* one buffer, row r = [u_0..u_n-1 | g_0..g_n-1] (OLMo) */
    SWIGLU_LAYOUT_INTERLEAVED = 3, /* one buffer, row r = g_0 u_0 g_1 u_1 ... (gpt-oss) */
    SWIGLU_LAYOUT_COUNT
} swiglu_layout;

/*! swiglu_glu_forward() : out[r*ld_out + j] = gate_fn(g[r][j], u[r][j]), threaded.
 *   out    : rows x n, row stride ld_out >= n.
 *   in     : SPLIT: the gate buffer; other layouts: the packed buffer (2n values a row).
 *   up     : SPLIT: the up buffer (same ld_in as in); other layouts: must be NULL.
 *   ld_in  : row stride of in (and up), in floats: >= n for SPLIT, >= 2n otherwise.
 * rows = 0 or n = 0 is a no-op. out may be exactly the gate or the up buffer of a
 * SPLIT layout with the same stride (in place). */
SWIGLU_API swiglu_status swiglu_glu_forward(float *out, size_t ld_out,
                                            const float *in, const float *up, size_t ld_in,
                                            size_t rows, size_t n, swiglu_layout layout,
                                            const swiglu_gate *gate);

/*! swiglu_glu_backward() : from dout and the forward inputs,
 *   dgate = dout * d out/d g,  dup = dout * d out/d u,
 * written (added, unless SWIGLU_BWD_OVERWRITE) in the SAME layout as the input:
 *   din    : SPLIT: the gate-gradient buffer; else the packed gradient buffer.
 *   dup    : SPLIT: the up-gradient buffer; else NULL.  Row stride ld_din.
 *   dbeta  : NULL, or *dbeta (+)= sum dout * d out/d beta (Swish gates only),
 *            summed in fixed chunks in fixed order (same bits for any thread count).
 *   dout   : rows x n, stride ld_dout.  in, up, ld_in: as in the forward.
 * din/dup may be exactly in/up (in place), or dout for SPLIT with equal strides. */
SWIGLU_API swiglu_status swiglu_glu_backward(float *din, float *dup, size_t ld_din,
                                             float *dbeta,
                                             const float *dout, size_t ld_dout,
                                             const float *in, const float *up, size_t ld_in,
                                             size_t rows, size_t n, swiglu_layout layout,
                                             const swiglu_gate *gate, unsigned flags);

/*! _range variants: elements [begin, end) of the flattened rows*n index space
 * (element e is row e / n, column e % n), on the calling thread. dbeta as for
 * swiglu_act_backward_range(). */
SWIGLU_API swiglu_status swiglu_glu_forward_range(float *out, size_t ld_out,
                                                  const float *in, const float *up,
                                                  size_t ld_in, size_t rows, size_t n,
                                                  swiglu_layout layout, const swiglu_gate *gate,
                                                  size_t begin, size_t end);
SWIGLU_API swiglu_status swiglu_glu_backward_range(float *din, float *dup, size_t ld_din,
                                                   double *dbeta,
                                                   const float *dout, size_t ld_dout,
                                                   const float *in, const float *up,
                                                   size_t ld_in, size_t rows, size_t n,
                                                   swiglu_layout layout, const swiglu_gate *gate,
                                                   unsigned flags, size_t begin, size_t end);

/* ------------------------------------------------------------------------ */
/* bf16 storage: the activation and GLU functions on bf16 buffers            */
/* ------------------------------------------------------------------------ */
/*
 * Each function below is its float namesake above with every tensor (out, x,
 * in, up, dout, dx, din, dup) held as bf16 bits in uint16_t (the high half of
 * an fp32; 2-byte aligned): the same arguments, checks, layouts, strides (in
 * elements), variants, gates, in-place rules, threads and ranges, and the
 * same statuses. Compute is fp32: inputs are widened (exactly), the float
 * kernel runs, and each output is rounded once to bf16, to nearest even
 * (NaN stays a quiet NaN), as the bf16 FFN rounds.
 *   Exactness: every output is bit for bit the bf16 rounding of what the
 *   float function writes for the widened inputs (same ISA, same thread
 *   count, outputs under the streaming threshold, where the float call's
 *   first few elements may take another path).
 *   Gradients accumulate in fp32, rounded once: without SWIGLU_BWD_OVERWRITE
 *   dx = bf16(float(dx) + dout * act'(x)), the sum formed by the float kernel
 *   on the widened old gradient (one rounding per call: a long sum of many
 *   small bf16 calls loses what bf16 cannot hold; accumulate into float
 *   buffers with the float functions when that matters).
 *   dbeta is a float (threaded) or double (_range) as in the float
 *   functions, summed in double from the fp32 terms, never rounded to bf16.
 */
SWIGLU_API swiglu_status swiglu_act_forward_bf16(uint16_t *out, const uint16_t *x, size_t n,
                                                 swiglu_act act, float beta);
SWIGLU_API swiglu_status swiglu_act_backward_bf16(uint16_t *dx, float *dbeta, const uint16_t *dout,
                                                  const uint16_t *x, size_t n, swiglu_act act,
                                                  float beta, unsigned flags);
SWIGLU_API swiglu_status swiglu_act_forward_range_bf16(uint16_t *out, const uint16_t *x, size_t n,
                                                       swiglu_act act, float beta,
                                                       size_t begin, size_t end);
SWIGLU_API swiglu_status swiglu_act_backward_range_bf16(uint16_t *dx, double *dbeta,
                                                        const uint16_t *dout, const uint16_t *x,
                                                        size_t n, swiglu_act act, float beta,
                                                        unsigned flags, size_t begin, size_t end);
SWIGLU_API swiglu_status swiglu_glu_forward_bf16(uint16_t *out, size_t ld_out,
                                                 const uint16_t *in, const uint16_t *up,
                                                 size_t ld_in, size_t rows, size_t n,
                                                 swiglu_layout layout, const swiglu_gate *gate);
SWIGLU_API swiglu_status swiglu_glu_backward_bf16(uint16_t *din, uint16_t *dup, size_t ld_din,
                                                  float *dbeta,
                                                  const uint16_t *dout, size_t ld_dout,
                                                  const uint16_t *in, const uint16_t *up,
                                                  size_t ld_in, size_t rows, size_t n,
                                                  swiglu_layout layout, const swiglu_gate *gate,
                                                  unsigned flags);
SWIGLU_API swiglu_status swiglu_glu_forward_range_bf16(uint16_t *out, size_t ld_out,
                                                       const uint16_t *in, const uint16_t *up,
                                                       size_t ld_in, size_t rows, size_t n,
                                                       swiglu_layout layout,
                                                       const swiglu_gate *gate,
                                                       size_t begin, size_t end);
SWIGLU_API swiglu_status swiglu_glu_backward_range_bf16(uint16_t *din, uint16_t *dup, size_t ld_din,
                                                        double *dbeta,
                                                        const uint16_t *dout, size_t ld_dout,
                                                        const uint16_t *in, const uint16_t *up,
                                                        size_t ld_in, size_t rows, size_t n,
                                                        swiglu_layout layout,
                                                        const swiglu_gate *gate, unsigned flags,
                                                        size_t begin, size_t end);

/* ------------------------------------------------------------------------ */
/* FFN layers: y = FFN(x) for x of T tokens x D (d_model)                    */
/* ------------------------------------------------------------------------ */
/*
 * Plain:  y = act(x W1^T + b1) W2^T + b2
 * Gated:  y = (gate_act(x W1^T + b1) * (x W3^T + b3)) W2^T + b2
 * Weights are stored as PyTorch's nn.Linear and llama2.c store them,
 * [out x in] row-major: W1, W3 are [H x D], W2 is [D x H].
 */

typedef enum swiglu_ffn_variant {
    SWIGLU_FFN_RELU = 0,          /* plain */
    SWIGLU_FFN_GELU = 1,          /* plain, erf form */
    SWIGLU_FFN_GELU_TANH = 2,     /* plain, tanh form */
    SWIGLU_FFN_SWISH = 3,         /* plain, Swish_beta */
    SWIGLU_FFN_GLU = 4,           /* gated: sigmoid */
    SWIGLU_FFN_BILINEAR = 5,      /* gated: identity */
    SWIGLU_FFN_REGLU = 6,         /* gated: relu */
    SWIGLU_FFN_GEGLU = 7,         /* gated: gelu_erf */
    SWIGLU_FFN_GEGLU_TANH = 8,    /* gated: gelu_tanh */
    SWIGLU_FFN_SWIGLU = 9,        /* gated: Swish_beta (beta fixed, or learned by flag) */
    SWIGLU_FFN_SWIGLU_CLAMPED = 10,/* gated: gpt-oss clamped SwiGLU */
    SWIGLU_FFN_VARIANT_COUNT
} swiglu_ffn_variant;

/*! names: "relu", "gelu", "gelu_tanh", "swish", "glu", "bilinear", "reglu",
 * "geglu", "geglu_tanh", "swiglu", "swiglu_clamped"; "?" when out of range. */
SWIGLU_API const char *swiglu_ffn_variant_name(swiglu_ffn_variant v);
SWIGLU_API swiglu_status swiglu_ffn_variant_from_name(swiglu_ffn_variant *v, const char *name);
/*! 1 for the gated variants (they have W3), 0 for the plain ones. */
SWIGLU_API int swiglu_ffn_variant_gated(swiglu_ffn_variant v);

typedef enum swiglu_dtype { SWIGLU_F32 = 0, SWIGLU_BF16 = 1, SWIGLU_DTYPE_COUNT } swiglu_dtype;

/* How W1 and W3 are stored (gated variants; plain ones have W1 only). */
typedef enum swiglu_weight_layout {
    SWIGLU_WEIGHTS_SPLIT = 0,          /* w1 [H x D], w3 [H x D] */
    SWIGLU_WEIGHTS_PACKED = 1,         /* w1 holds [W1; W3], [2H x D], gate rows first (w3 = NULL) */
    SWIGLU_WEIGHTS_PACKED_UP_GATE = 2, /* w1 holds [W3; W1], up rows first (OLMo) */
    SWIGLU_WEIGHTS_COUNT
} swiglu_weight_layout;

typedef struct swiglu_ffn_config {
    size_t d_model;                /* D */
    size_t d_ff;                   /* H, hidden units */
    swiglu_ffn_variant variant;
    float beta;                    /* Swish's beta; the initial value when learned */
    int learn_beta;                /* 1: beta is a parameter (SWISH, SWIGLU) */
    int bias_up;                   /* 1: b1 (and b3, gated) */
    int bias_down;                 /* 1: b2 */
    swiglu_weight_layout weights;
    swiglu_dtype dtype;            /* weights and activations; accumulation is always fp32 */
    int recompute;                 /* 1: keep only pre-activations for backward, recompute the rest */
} swiglu_ffn_config;

/*! swiglu_ffn_hidden_for() : the parameter-matched d_ff: 4 D for plain FFNs;
 * for gated ones LLaMA's rule, int(2 * 4D / 3) rounded up to a multiple of
 * multiple_of (D = 4096, multiple_of = 256 gives 11008). */
SWIGLU_API swiglu_status swiglu_ffn_hidden_for(size_t *d_ff, size_t d_model,
                                               swiglu_ffn_variant v, size_t multiple_of);
/*! swiglu_ffn_config_init() : defaults: d_ff = swiglu_ffn_hidden_for(D, v, 1),
 * beta 1 (clamped: 1.702), no biases, SPLIT weights, fp32, no recompute. */
SWIGLU_API swiglu_status swiglu_ffn_config_init(swiglu_ffn_config *cfg, size_t d_model,
                                                swiglu_ffn_variant v);
/*! swiglu_ffn_param_count() : number of parameters (weights, biases, beta). */
SWIGLU_API swiglu_status swiglu_ffn_param_count(size_t *count, const swiglu_ffn_config *cfg);

/* Parameters (and, with the same shapes, their gradients) -- caller-owned.
 * Weights are float* for SWIGLU_F32 and uint16_t* (bf16 bits) for SWIGLU_BF16;
 * biases, beta and every gradient are always float. Unused members are NULL. */
typedef struct swiglu_ffn_params {
    void *w1;      /* [H x D] (gate, or the plain up projection); PACKED: [2H x D] */
    void *w3;      /* [H x D] up, gated + SPLIT only */
    void *w2;      /* [D x H] down */
    float *b1;     /* [H] when bias_up (PACKED: [2H], b3 unused) */
    float *b3;     /* [H] when bias_up, gated + SPLIT */
    float *b2;     /* [D] when bias_down */
    float *beta;   /* [1] when learn_beta */
} swiglu_ffn_params;

typedef struct swiglu_ffn swiglu_ffn;  /* opaque: config + cached GEMM primitives */

/*! swiglu_ffn_create() : checks cfg (zero or overflowing sizes, bad enums:
 * a status) and makes a handle. It never holds the caller's tensors. */
SWIGLU_API swiglu_status swiglu_ffn_create(swiglu_ffn **ffn, const swiglu_ffn_config *cfg);
/*! swiglu_ffn_destroy() : frees the handle; NULL is a no-op. */
SWIGLU_API swiglu_status swiglu_ffn_destroy(swiglu_ffn *ffn);
/*! swiglu_ffn_get_config() : a copy of the handle's configuration. */
SWIGLU_API swiglu_status swiglu_ffn_get_config(const swiglu_ffn *ffn, swiglu_ffn_config *cfg);
/*! swiglu_ffn_set_output_dtype() : y's type for a bf16 layer: SWIGLU_BF16
 * (the default, = cfg.dtype) or SWIGLU_F32 (fp32 output of the fp32
 * accumulators, no final rounding). An fp32 layer accepts only SWIGLU_F32
 * (else SWIGLU_ERR_DTYPE). Not thread-safe against a running forward. */
SWIGLU_API swiglu_status swiglu_ffn_set_output_dtype(swiglu_ffn *ffn, swiglu_dtype out);

/*! swiglu_ffn_workspace_size() : bytes of workspace for T tokens.
 * training = 1: what forward keeps for backward (the caller keeps the
 * workspace intact between the two) plus scratch; 0: scratch only. */
SWIGLU_API swiglu_status swiglu_ffn_workspace_size(size_t *bytes, const swiglu_ffn *ffn,
                                                   size_t T, int training);

/*! swiglu_ffn_forward() : y [T x D] = FFN(x [T x D]).
 * y and x are float* (fp32) or uint16_t* (bf16) per cfg.dtype. training = 1
 * keeps what backward needs in workspace. Never allocates. */
SWIGLU_API swiglu_status swiglu_ffn_forward(const swiglu_ffn *ffn, void *y, const void *x, size_t T,
                                            const swiglu_ffn_params *p, void *workspace,
                                            size_t workspace_bytes, int training);

/*! swiglu_ffn_backward() : after a training forward with the same x, p and
 * workspace: ADDS dL/dx into dx [T x D] (may be NULL) and dL/d(params) into
 * grads (float tensors shaped as p; members for absent parameters unused). */
SWIGLU_API swiglu_status swiglu_ffn_backward(const swiglu_ffn *ffn, float *dx,
                                             swiglu_ffn_params *grads, const float *dy,
                                             const void *x, size_t T, const swiglu_ffn_params *p,
                                             void *workspace, size_t workspace_bytes);

/*! swiglu_ffn_weights_changed() : tells the layer that the weights it was
 * called with changed in place (an optimizer step, a load, an edit). Where
 * the layer runs on our own GEMM engine (SWIGLU_GEMM=own, or the default
 * rule picking it) it keeps a packed copy of each weight set it has seen,
 * keyed by the tensors' addresses; this call makes every copy stale, to be
 * repacked once at its next forward. Call it after every write to weights
 * the layer has used (swiglu_ffn_init_params calls it itself); new
 * addresses need no call. Not thread-safe against a running forward. */
SWIGLU_API swiglu_status swiglu_ffn_weights_changed(swiglu_ffn *ffn);

/*! swiglu_ffn_init_params() : W1, W3 ~ normal(0, std), W2 ~ normal(0, std_out)
 * (GPT-2/LLaMA trainers use std_out = std / sqrt(2 n_layers)), biases 0,
 * beta = cfg.beta. Deterministic for a seed. */
SWIGLU_API swiglu_status swiglu_ffn_init_params(const swiglu_ffn *ffn, swiglu_ffn_params *p,
                                                uint64_t seed, float std, float std_out);

/* What the hidden layer did over the T tokens of the last training forward. */
typedef struct swiglu_ffn_stats {
    double dead_fraction;   /* hidden units with |h| < 1e-6 for every token (h = act(gate) gated, act(x W1) plain) */
    double zero_fraction;   /* (token, unit) entries with |h| < 1e-6: activation sparsity */
    double gate_mean, gate_std;  /* gate pre-activations x W1^T + b1 */
    double act_mean, act_std;    /* h */
    double up_abs_mean;          /* mean |x W3^T + b3| (gated; 0 for plain) */
} swiglu_ffn_stats;

/*! swiglu_ffn_hidden_stats() : from a workspace filled by a training forward over T tokens. */
SWIGLU_API swiglu_status swiglu_ffn_hidden_stats(const swiglu_ffn *ffn, swiglu_ffn_stats *st,
                                                 const void *workspace, size_t T);

#ifdef __cplusplus
}
#endif
#endif /* SWIGLU_H */
