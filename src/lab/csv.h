/* csv.h -- a numeric CSV table read back from a run's folder (header of
 * column names, then rows of numbers; a field that is not a number is NaN). */
#ifndef SW_LAB_CSV_H
#define SW_LAB_CSV_H
#include <stddef.h>

typedef struct sw_csv {
    size_t rows, cols;
    char **names;      /* [cols] */
    double *v;         /* [rows x cols] */
} sw_csv;

/* 0 on success; a missing or empty file gives an empty table and -1. */
int sw_csv_read(sw_csv *t, const char *path);
void sw_csv_free(sw_csv *t);
/* Column index by name, or -1. */
int sw_csv_col(const sw_csv *t, const char *name);
static inline double sw_csv_at(const sw_csv *t, size_t r, int c) { return t->v[r * t->cols + (size_t)c]; }

#endif
