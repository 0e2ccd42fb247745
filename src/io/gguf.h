/* gguf.h -- reader of llama.cpp's GGUF files, LLaMA architecture
 * (internal; not installed).
 *
 * GGUF version 3 (and 2), little-endian:
 *   "GGUF", u32 version, u64 tensor_count, u64 metadata_kv_count,
 *   metadata: kv_count x (string key, u32 type, value), where a string is
 *     u64 length + bytes and the types are 0 u8, 1 i8, 2 u16, 3 i16, 4 u32,
 *     5 i32, 6 f32, 7 bool, 8 string, 9 array (u32 type, u64 n, n values),
 *     10 u64, 11 i64, 12 f64;
 *   tensor infos: tensor_count x (string name, u32 n_dims, u64 ne[n_dims],
 *     u32 ggml type, u64 offset), ne[0] the innermost (contiguous) dimension:
 *     a [out][in] matrix has ne = {in, out};
 *   padding to general.alignment (default 32), then the tensor data, each
 *     tensor at its offset from there.
 * Read: general.architecture "llama", llama.{embedding_length,
 * feed_forward_length, block_count, attention.head_count,
 * attention.head_count_kv, context_length}; tensors token_embd, output_norm,
 * output (absent: tied to token_embd), blk.N.{attn_norm, attn_q, attn_k,
 * attn_v, attn_output, ffn_norm, ffn_gate, ffn_up, ffn_down}.weight in F32,
 * F16, BF16, Q8_0 (blocks of 32: an f16 scale d, 32 int8 q; x = d * q) or
 * the K-quants Q2_K, Q3_K, Q4_K, Q5_K, Q6_K (super-blocks of 256 values:
 * io/weight_convert.h), converted to fp32 on load. A quantized tensor's
 * rows (ne[0]) must be whole blocks; its bytes (blocks x block size) are
 * checked against the file before anything is allocated. llama.cpp's converter stores attn_q/attn_k
 * with the pairs RoPE rotates adjacent (the Meta and llama2.c order), so
 * they are used as they are. The forward (model/llama_infer) is llama2.c's
 * with the file's llama.rope.freq_base and
 * llama.attention.layer_norm_rms_epsilon (absent: 10000 and 1e-5); what it
 * cannot run is refused rather than run wrong: llama.rope.scaling.type
 * other than "none" (named), llama.rope.dimension_count other than the
 * head size (partial RoPE).
 * Tokenizer: tokenizer.ggml.model "llama" (SentencePiece) with
 * tokenizer.ggml.tokens and .scores, turned into a llama2.c tokenizer.bin
 * image (U+2581 '▁' written as a space, as llama2.c's tokenizer.py does).
 *
 * Every count, length, dimension and offset is checked against the file
 * before it is used; a refusal is one line naming the key or tensor.
 * Legend: D dim, H hidden, L layers, V vocabulary, KV kv_dim.
 */
#ifndef SW_IO_GGUF_H
#define SW_IO_GGUF_H
#include <stddef.h>
#include "swiglu.h"
#include "io/llama2c.h"

#define SW_GGUF_MAX_TENSORS (1 << 16)
#define SW_GGUF_MAX_KV      (1 << 16)

/* 1 when buf starts with the GGUF magic. */
int sw_gguf_sniff(const void *buf, size_t size);

/* Parses a GGUF image into m (weights converted into m's owned buffer,
 * sw_l2c_alloc) and, when tok and tok_size are given and the file has a
 * llama tokenizer, *tok = a malloc'd llama2.c tokenizer.bin image of
 * *tok_size bytes (NULL, 0 when the file has none). SWIGLU_ERR_FORMAT with
 * msg on a bad or unsupported file. buf may go away afterwards. */
swiglu_status sw_gguf_parse(sw_l2c_model *m, void **tok, size_t *tok_size, const void *buf, size_t size,
                            char *msg, size_t msg_cap);

#endif
