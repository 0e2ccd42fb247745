/* hf_tokenizer.h -- Hugging Face tokenizer.json (a LLaMA SentencePiece BPE
 * with byte fallback) as a llama2.c tokenizer.bin image (internal; not
 * installed), so that one encoder (io/tokenizer.c, run.c's) serves both.
 *
 * Read: model.type "BPE", model.vocab {token: id} (ids 0..V-1, each once),
 * model.merges (["a b", ...] or [["a", "b"], ...]), in priority order.
 * Written: per id, the token with SentencePiece's U+2581 as a space, and a
 * score: -r for a token that merge rank r produces first, -1e30 for a
 * token no merge produces. run.c merges, at each step, the adjacent pair
 * whose concatenation has the best score, which is then the pair of the
 * lowest merge rank: Hugging Face's BPE order. (The two differ only where
 * a token's pieces can be split a way the merges do not list; Hugging
 * Face's own LLaMA converter lists every split of every token, ordered by
 * the token's SentencePiece score, so for LLaMA tokenizers they agree.)
 * JSON through cJSON (Debian's libcjson). */
#ifndef SW_IO_HF_TOKENIZER_H
#define SW_IO_HF_TOKENIZER_H
#include <stddef.h>
#include "swiglu.h"

/* 1 when buf (after leading white space) starts a JSON object. */
int sw_hf_tok_sniff(const void *buf, size_t size);

/* *img (malloc'd, *img_size bytes): the tokenizer.bin image of the
 * tokenizer.json text json[0..n). SWIGLU_ERR_FORMAT or _UNSUPPORTED with
 * msg naming the key. */
swiglu_status sw_hf_tok_image(void **img, size_t *img_size, const char *json, size_t n, char *msg, size_t msg_cap);

#endif
