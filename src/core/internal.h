/* internal.h -- helpers every library file may use: checks that return a
 * status, overflow-checked size arithmetic, static asserts. Never installed. */
#ifndef SW_CORE_INTERNAL_H
#define SW_CORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "swiglu.h"

#define SW_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)

/* RETURN_IF(cond, status): the library's only way out of a bad argument. */
#define SW_RETURN_IF(cond, st) do { if (cond) return (st); } while (0)
/* FORWARD_IF_ERROR(expr): propagate a non-OK status. */
#define SW_FORWARD_IF_ERROR(expr) do { swiglu_status sw_st_ = (expr); \
        if (sw_st_ != SWIGLU_OK) return sw_st_; } while (0)

/* a * b into *out; 0 when it overflows size_t. */
static inline int sw_mul_ok(size_t *out, size_t a, size_t b)
{
    return !__builtin_mul_overflow(a, b, out);
}
/* a + b into *out; 0 when it overflows size_t. */
static inline int sw_add_ok(size_t *out, size_t a, size_t b)
{
    return !__builtin_add_overflow(a, b, out);
}

/* Byte ranges [a, a + na) and [b, b + nb) overlap. */
static inline int sw_overlap(const void *a, size_t na, const void *b, size_t nb)
{
    uintptr_t pa = (uintptr_t)a, pb = (uintptr_t)b;
    if (na == 0 || nb == 0) return 0;
    return pa < pb + nb && pb < pa + na;
}

/* Extent in floats of `rows` rows of `cols` values with row stride ld:
 * (rows - 1) * ld + cols. 0 on overflow or when rows or cols is 0. */
static inline size_t sw_extent(size_t rows, size_t cols, size_t ld)
{
    size_t a, b;
    if (rows == 0 || cols == 0) return 0;
    if (!sw_mul_ok(&a, rows - 1, ld) || !sw_add_ok(&b, a, cols)) return 0;
    if (!sw_mul_ok(&a, b, sizeof(float))) return 0;
    return b;
}

/* The number of values of p[0..n) that are NaN or infinite; *first (may be
 * NULL) gets the index of the first of them (n when none). Weight files with
 * one are refused at load, naming the tensor: a NaN used as a logit or an
 * index is a wrong answer or an out-of-bounds read later. */
static inline size_t sw_count_nonfinite(const float *p, size_t n, size_t *first)
{
    size_t count = 0;
    if (first) *first = n;
    for (size_t i = 0; i < n; i++)
        if (!__builtin_isfinite(p[i]) && count++ == 0 && first) *first = i;
    return count;
}

/* ---- names: one lookup for every enum's name table ----------------------
 * A name table is an array, in enum order, of entries whose first member is
 * the name (a plain `const char *const[]` is one): the ISAs (core/isa.c),
 * activations and GLU ops (kernels/elementwise.c), FFN variants (ffn/ffn.c).
 * SW_NAME_OF(table, v): entry v's name, "?" when v is out of range.
 * SW_NAME_FIND(table, name): the index of name, -1 when none has it. */
static inline const char *sw_name_entry(const void *table, size_t size, size_t i)
{
    return *(const char *const *)(const void *)((const char *)table + i * size);
}
static inline const char *sw_name_of(const void *table, size_t n, size_t size, unsigned v)
{
    return v < n ? sw_name_entry(table, size, v) : "?";
}
static inline int sw_name_find(const void *table, size_t n, size_t size, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, sw_name_entry(table, size, i)) == 0) return (int)i;
    return -1;
}
#define SW_NAME_OF(table, v) sw_name_of(table, sizeof table / sizeof table[0], sizeof table[0], (unsigned)(v))
#define SW_NAME_FIND(table, name) sw_name_find(table, sizeof table / sizeof table[0], sizeof table[0], name)
/* The body of every swiglu_*_from_name: *out = (T) the index of name;
 * SWIGLU_ERR_NULL for a NULL out or name, SWIGLU_ERR_ARG when none has it. */
#define SW_NAME_PARSE(T, out, table, name) do { \
        SW_RETURN_IF(!(out) || !(name), SWIGLU_ERR_NULL); \
        int sw_i_ = SW_NAME_FIND(table, name); \
        SW_RETURN_IF(sw_i_ < 0, SWIGLU_ERR_ARG); \
        *(out) = (T)sw_i_; \
        return SWIGLU_OK; \
    } while (0)

/* 1 when a call writing `outputs` float tensors of `elements` elements each
 * should use streaming stores (stream.c, swiglu_stream_threshold_set). */
int sw_stream_wanted(size_t elements, size_t outputs);

#endif
