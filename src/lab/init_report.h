/* init_report.h -- the report's init-sensitivity section: the main
 * comparison (every variant, every seed) at each init of the plan, a
 * verdict per init, and the two policies for choosing an init (one for
 * every variant; each variant at its own best). */
#ifndef SW_LAB_INIT_REPORT_H
#define SW_LAB_INIT_REPORT_H
#include <stdio.h>
#include "lab/plan.h"
#include "lab/report.h"

/* Writes the section into the open report f, OUT/init_sensitivity.csv and
 * OUT/plots/init_scale.{svg,png}, from whatever runs are finished (the
 * INIT runs found by their ids, sw_lab_run_id). With one init it writes
 * one line naming it. Returns the number of files that failed. */
int sw_lab_init_report(FILE *f, const sw_lab_plan *p, const char *out, const sw_lab_meta *meta);

#endif
