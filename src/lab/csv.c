/* csv.c -- see csv.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lab/csv.h"

int sw_csv_read(sw_csv *t, const char *path)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    size_t vcap = 0;
    int ok = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n') line[--len] = 0;
        if (len == 0) continue;
        if (!t->names) {
            t->cols = 1;
            for (char *p = line; *p; p++) t->cols += *p == ',';
            t->names = calloc(t->cols, sizeof *t->names);
            if (!t->names) break;
            char *save = NULL, *tok = strtok_r(line, ",", &save);
            for (size_t c = 0; c < t->cols && tok; c++, tok = strtok_r(NULL, ",", &save)) t->names[c] = strdup(tok);
            ok = 1;
            continue;
        }
        if ((t->rows + 1) * t->cols > vcap) {
            vcap = vcap ? vcap * 2 : 1024 * t->cols;
            double *q = realloc(t->v, vcap * sizeof *q);
            if (!q) { ok = 0; break; }
            t->v = q;
        }
        double *row = t->v + t->rows * t->cols;
        char *p = line;
        for (size_t c = 0; c < t->cols; c++) {
            char *end;
            row[c] = strtod(p, &end);
            if (end == p) row[c] = NAN;
            p = strchr(p, ',');
            if (!p) { for (size_t k = c + 1; k < t->cols; k++) row[k] = NAN; break; }
            p++;
        }
        t->rows++;
    }
    free(line);
    fclose(f);
    return ok ? 0 : -1;
}

void sw_csv_free(sw_csv *t)
{
    for (size_t c = 0; t->names && c < t->cols; c++) free(t->names[c]);
    free(t->names);
    free(t->v);
    memset(t, 0, sizeof *t);
}

int sw_csv_col(const sw_csv *t, const char *name)
{
    for (size_t c = 0; c < t->cols; c++)
        if (t->names[c] && !strcmp(t->names[c], name)) return (int)c;
    return -1;
}
