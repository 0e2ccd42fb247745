#!/usr/bin/env bash
# test_signal_loop.sh -- the suite's short run of scripts/signal_loop.sh
# (issue #21, item 1): 30 training runs, each interrupted by SIGINT or
# SIGTERM at a random moment after its first step, must all save and exit 0
# with a checkpoint that loads. 30 runs catch a 5 % crash rate with
# probability 1 - 0.95^30 = 79 % (the red team saw 4 in 84 before the
# handler moved to an alternate stack; scripts/signal_loop.sh's default of
# 200 runs, outside CI, is the acceptance run: docs/ROBUSTNESS.md). About
# 20 s on an idle core; SWIGLU_SIGNAL_RUNS=N changes the count. Its own guard (60 s
# per run to save and exit) catches a hang. Ends with "N passed, N failed".
set -u
. "$(dirname "$0")/support/cli_test.bash"   # O, SW, pass/fail, expect
out=$(O="$O" bash "$(dirname "$0")/../scripts/signal_loop.sh" "${SWIGLU_SIGNAL_RUNS:-30}" 2>&1); rc=$?
printf '%s\n' "$out" | grep -v '^signal_loop:' | head -n 20
last=$(printf '%s\n' "$out" | tail -n 1)
expect "signal loop: every interrupted run saved: '$last'" [ $rc -eq 0 ]
expect "signal loop: summary line" grep -q ' 0 crashed, 0 other$' <<<"$last"
echo "test_signal_loop: $pass passed, $fail failed"
[ $fail -eq 0 ]
