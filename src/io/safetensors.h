/* safetensors.h -- reader of Hugging Face LLaMA models stored as
 * safetensors with their config.json (internal; not installed).
 *
 * safetensors: u64 N (little-endian), N bytes of JSON header, the data.
 * The header maps each tensor name to {"dtype", "shape", "data_offsets":
 * [begin, end]} (offsets from the start of the data); "__metadata__" is
 * skipped. F32, F16 and BF16 tensors are read (converted to fp32).
 * config.json (beside the file): model_type "llama" (or architectures
 * ["LlamaForCausalLM"]), hidden_size, intermediate_size,
 * num_hidden_layers, num_attention_heads, num_key_value_heads (default:
 * the heads), vocab_size, max_position_embeddings, tie_word_embeddings
 * (default false; lm_head.weight absent also means tied), hidden_act
 * "silu", rope_theta and rms_norm_eps (default 10000 and 1e-5: the
 * forward is llama2.c's with these two). Refused: a rope_scaling other
 * than null or "default" (named), a head_dim other than hidden_size /
 * num_attention_heads, biases.
 * Tensors: model.embed_tokens.weight [V, D], model.norm.weight [D],
 * lm_head.weight [V, D], model.layers.N.{input_layernorm,
 * post_attention_layernorm}.weight [D], .self_attn.{q,k,v,o}_proj.weight,
 * .mlp.{gate,up,down}_proj.weight ([out, in], as nn.Linear).
 * Hugging Face's LLaMA rotates the two halves of each head (rotate_half),
 * and its converter permuted q_proj and k_proj rows to match: head h's
 * row h hs + i hs/2 + j holds the Meta/llama2.c row h hs + 2j + i (i in
 * {0, 1}, j < hs/2). The reader undoes that permutation, so the model runs
 * on llama2.c's forward (interleaved pairs) unchanged.
 * Sharded (Hugging Face's save_pretrained for big models): a folder with
 * model.safetensors.index.json, {"metadata": {...}, "weight_map": {tensor
 * name: shard file name}}, and the shards model-0000K-of-0000N.safetensors,
 * each a safetensors file as above. Every shard name must be a plain file
 * name in the index's folder (no '/', not "." or ".."); every tensor the
 * model needs must be named once in the weight_map and be in the header of
 * the shard it names and of no other. Each shard is validated as a single
 * file is; its offsets are its own.
 * JSON is parsed by cJSON (Debian's libcjson). Every offset, shape and
 * size is checked against the file before use.
 * Legend: D hidden_size, H intermediate_size, V vocabulary, hs head size.
 */
#ifndef SW_IO_SAFETENSORS_H
#define SW_IO_SAFETENSORS_H
#include <stddef.h>
#include "swiglu.h"
#include "io/llama2c.h"

#define SW_ST_MAX_HEADER (100u << 20)   /* 100 MiB of JSON header: the reference reader's limit */
#define SW_ST_MAX_SHARDS 1024           /* far above any published model (Llama 3 405B: 191) */

/* One safetensors file image and its file name (a shard's, as the index names it). */
typedef struct sw_st_shard { const char *name; const void *buf; size_t size; } sw_st_shard;

/* 1 when buf looks like a safetensors file (a header length that fits,
 * then '{'). */
int sw_st_sniff(const void *buf, size_t size);

/* Parses a safetensors image and its config.json text into m (weights in
 * m's owned buffer, sw_l2c_alloc). SWIGLU_ERR_FORMAT (or _UNSUPPORTED)
 * with msg on a bad or unsupported file. */
swiglu_status sw_st_parse(sw_l2c_model *m, const void *buf, size_t size, const char *config_json,
                          size_t config_size, char *msg, size_t msg_cap);

/* The shard file names a model.safetensors.index.json text names, each
 * once, in order of first appearance (*names: malloc'd, sw_st_names_free).
 * SWIGLU_ERR_FORMAT with msg when the index is not an object with a
 * weight_map of plain file names (see above). */
swiglu_status sw_st_index_shards(char ***names, size_t *n, const char *index_json, size_t index_size,
                                 char *msg, size_t msg_cap);
void sw_st_names_free(char **names, size_t n);

/* sw_st_parse over the shards of a sharded model: shards[i] the file
 * sw_st_index_shards named i-th, index_json the index's text (NULL: one
 * file, n = 1, which is sw_st_parse). */
swiglu_status sw_st_parse_sharded(sw_l2c_model *m, const sw_st_shard *shards, size_t n, const char *index_json,
                                  size_t index_size, const char *config_json, size_t config_size, char *msg, size_t msg_cap);

/* Writes m (fp32) into the existing folder dir as Hugging Face stores a
 * LLaMA model: dir/model.safetensors (F32, the names above, q_proj and
 * k_proj rows permuted to HF's order) and dir/config.json, each atomically.
 * The inverse of sw_st_parse: reading the folder back gives m's weights
 * bit for bit. */
swiglu_status sw_st_write(const sw_l2c_model *m, const char *dir, char *msg, size_t msg_cap);

#endif
