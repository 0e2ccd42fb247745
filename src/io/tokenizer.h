/* tokenizer.h -- llama2.c's tokenizer.bin: reading, BPE encoding, decoding
 * (internal; not installed).
 *
 * File (little-endian): uint32 max_token_length, then per token id
 *   float32 score, int32 length, `length` bytes (no terminator).
 * The file does not store the token count: it is the model's vocab_size,
 * or (vocab_size = 0 here) as many records as the file holds.
 *
 * Encoding (llama2.c run.c encode(), exactly): BOS = 1 if asked; for
 * non-empty text the dummy-prefix token " "; then each UTF-8 code point
 * (at most 4 bytes) as its token, or its bytes as <0xNN> tokens when the
 * code point is not in the vocabulary; then repeatedly merge the adjacent
 * pair whose concatenation is a token with the highest score (leftmost on
 * ties) until no pair merges; EOS = 2 if asked.
 * Decoding: a token's bytes; after BOS a leading space is dropped; a
 * "<0xNN>" token is the raw byte NN.
 * Legend: V tokens, n ids.
 */
#ifndef SW_IO_TOKENIZER_H
#define SW_IO_TOKENIZER_H

#include <stddef.h>
#include "swiglu.h"

#define SW_TOK_BOS 1
#define SW_TOK_EOS 2
#define SW_TOK_MAX_LEN 65536      /* absurd max_token_length beyond this */
#define SW_TOK_MAX_VOCAB (1 << 22)

typedef struct sw_tokenizer {
    int vocab_size;           /* V */
    int max_token_length;     /* header value; every token is at most this long */
    char **vocab;             /* [V] token bytes, each NUL-terminated after len bytes */
    int *len;                 /* [V] */
    float *scores;            /* [V] merge priority */
    int *sorted;              /* [V] ids ordered by (bytes, id): for lookups */
    int byte_id[256];         /* id of the "<0xNN>" token, -1 when absent */
    int space_id;             /* id of " ", -1 when absent */
    char *blob;               /* storage of all token bytes */
    unsigned char byte_piece[256][2];  /* the raw byte NN, NUL-terminated */
} sw_tokenizer;

/* Parses a tokenizer from a buffer (copied; buf may go away after).
 * vocab_size > 0: exactly that many tokens; 0: all records in the buffer.
 * SWIGLU_ERR_FORMAT with msg naming the field on a bad file. */
swiglu_status sw_tok_parse(sw_tokenizer *t, const void *buf, size_t size, int vocab_size,
                           char *msg, size_t msg_cap);
/* Reads `path` and sw_tok_parse(). SWIGLU_ERR_IO when it cannot be read or
 * is not a regular file (a folder, a pipe, a device). */
swiglu_status sw_tok_load(sw_tokenizer *t, const char *path, int vocab_size,
                          char *msg, size_t msg_cap);
void sw_tok_free(sw_tokenizer *t);

/* A character (byte) vocabulary: every token is one byte. Such a
 * tokenizer has no BOS or EOS (ids 1 and 2 are characters like any other):
 * what `swiglu export` writes for our models. 1 when t is one. */
int sw_tok_is_chars(const sw_tokenizer *t);
/* Writes the character vocabulary bytes[0..V) (token id i = the byte
 * bytes[i], score 0, max_token_length 1) as a tokenizer.bin, atomically. */
swiglu_status sw_tok_write_chars(const char *path, const unsigned char *bytes, int V,
                                 char *msg, size_t msg_cap);

/* Id of the token whose bytes are s[0..n), or -1. */
int sw_tok_lookup(const sw_tokenizer *t, const char *s, size_t n);

/* Encodes NUL-terminated text into ids[0..*n). cap >= strlen(text) + 3 always
 * suffices. SWIGLU_ERR_SIZE when cap is too small; SWIGLU_ERR_FORMAT when a
 * byte has no token at all (neither <0xNN> nor id byte+3). */
swiglu_status sw_tok_encode(const sw_tokenizer *t, const char *text, int bos, int eos,
                            int *ids, size_t cap, size_t *n);

/* The bytes of token `id` following token `prev` (*piece, *len bytes;
 * NUL-terminated). SWIGLU_ERR_ARG when id is out of range. */
swiglu_status sw_tok_decode(const sw_tokenizer *t, int prev, int id,
                            const char **piece, size_t *len);

#endif
