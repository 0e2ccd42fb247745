/* scaling_report.h -- the scaling preset's report (scaling.h): OUT/report.md
 * with the gap between SwiGLU and each baseline per size (95 % intervals,
 * paired tests, Holm), its trend over sizes (scaling_stats.h) for both
 * rate policies, the sweeps, FLOPs per token, the unfinished runs with
 * their cost; OUT/scaling_runs.csv, scaling_gaps.csv, scaling_trend.csv,
 * scaling_sweep.csv; plots under OUT/plots/ (gnuplot). */
#ifndef SW_LAB_SCALING_REPORT_H
#define SW_LAB_SCALING_REPORT_H
#include "lab/plan.h"
#include "lab/report.h"

/* Writes the report from the finished runs; summary (may be NULL) gets
 * one line: the trend verdicts per policy and baseline. */
swiglu_status sw_lab_scaling_report(const sw_lab_plan *p, const char *out_dir, const sw_lab_meta *meta,
                                    char *summary, size_t sumcap, char *err, size_t errcap);

#endif
