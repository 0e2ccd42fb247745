/* brown.c -- Brown Corpus tag stripping (see brown.h). */
#include <string.h>
#include "lab/brown.h"

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* punctuation that attaches to the word before it */
static int attaches_left(const char *w, size_t n)
{
    static const char *const p[] = {".", ",", ";", ":", "?", "!", ")", "''", "'", "]"};
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
        if (n == strlen(p[i]) && !memcmp(w, p[i], n)) return 1;
    return 0;
}

/* punctuation that attaches to the word after it */
static int attaches_right(const char *w, size_t n)
{
    return (n == 2 && !memcmp(w, "``", 2)) || (n == 1 && (w[0] == '(' || w[0] == '['));
}

swiglu_status sw_brown_strip(char *out, size_t cap, size_t *len, const char *in, size_t n)
{
    if (!len || (n && (!out || !in))) return SWIGLU_ERR_NULL;
    size_t o = 0, i = 0;
    int line_has_words = 0, glue_next = 0;
    while (i < n) {
        if (in[i] == '\n') {
            /* a newline after words ends the sentence */
            if (line_has_words) {
                if (o >= cap) return SWIGLU_ERR_SIZE;
                out[o++] = '\n';
                line_has_words = 0;
                glue_next = 0;
            }
            i++;
            continue;
        }
        if (is_space(in[i])) { i++; continue; }
        size_t b = i;
        while (i < n && !is_space(in[i])) i++;
        size_t e = i, slash = e;
        for (size_t k = e; k > b; k--)
            if (in[k - 1] == '/') { slash = k - 1; break; }
        size_t wn = (slash > b && slash < e) ? slash - b : e - b;  /* "/x" alone stays whole */
        const char *w = in + b;
        int quote = (wn == 2 && (!memcmp(w, "``", 2) || !memcmp(w, "''", 2)));
        /* at most one separating space plus the word: never more than the token took */
        if (line_has_words && !glue_next && !attaches_left(w, wn)) {
            if (o >= cap) return SWIGLU_ERR_SIZE;
            out[o++] = ' ';
        }
        if (quote) {
            if (o >= cap) return SWIGLU_ERR_SIZE;
            out[o++] = '"';
        } else {
            if (wn > cap - o) return SWIGLU_ERR_SIZE;
            memcpy(out + o, w, wn);
            o += wn;
        }
        glue_next = attaches_right(w, wn);
        line_has_words = 1;
    }
    if (line_has_words) {
        if (o >= cap) return SWIGLU_ERR_SIZE;
        out[o++] = '\n';
    }
    *len = o;
    return SWIGLU_OK;
}
