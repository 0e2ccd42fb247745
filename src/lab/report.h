/* report.h -- the lab's report: OUT/report.md, OUT/<name>.csv, plots under
 * OUT/plots/ (gnuplot, SVG and PNG), a verdict line per claim. */
#ifndef SW_LAB_REPORT_H
#define SW_LAB_REPORT_H
#include "lab/plan.h"

typedef struct sw_lab_meta {
    const char *corpus;      /* name of the corpus */
    const char *command;     /* the command line, for reproduction */
    const char *isa;         /* kernel set */
    int jobs, threads;       /* runs at once, threads per run */
    double wall_s;           /* wall time of this invocation */
    int vocab;               /* V */
    const char *tokens;      /* "char" or "byte" */
} sw_lab_meta;

/* Writes the report from whatever runs are finished (missing ones are
 * named). *verdicts gets the four verdict lines' codes (may be NULL). */
swiglu_status sw_lab_report(const sw_lab_plan *p, const char *out_dir, const sw_lab_meta *meta,
                            int verdicts[4], char *err, size_t errcap);

/* One gnuplot plot, DIR/NAME.svg and .png, in the report's style: body
 * holds the plot commands (the terminal, colours and grid are set). 0 when
 * gnuplot drew it. */
int sw_lab_plot(const char *dir, const char *name, const char *body);

#endif
