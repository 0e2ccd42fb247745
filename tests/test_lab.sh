#!/usr/bin/env bash
# The lab end to end on the tiny preset: a report with every section, plots
# and CSVs; Ctrl-C (SIGINT) in the middle of the runs, then kill -9 of a
# worker while it writes a checkpoint (the shim tests/shim/enospc.c slows
# that write), then the same command again, give the same numbers as an
# uninterrupted run to the bit (runs resume from their checkpoints).
# Every command's exit status is checked. Ends with "N passed, N failed,
# N skipped".
set -u
. "$(dirname "$0")/support/cli_test.bash"   # O, pass/fail/skip, skip, wait_exit, finish
SW=$PWD/$O/swiglu
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }
tmp=$(mktemp -d /tmp/swiglu-lab-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
errs() { head -n 20 "$1"; }  # a failed command's stderr, for the log

# data: the shared TinyShakespeare when present, else text made here
data=../shared/data/tinyshakespeare.txt
if [ ! -r "$data" ]; then
    data=$tmp/text.txt
    for i in $(seq 1 400); do cat README.md docs/KERNELS.md; done >"$data"
fi
args=(compare --preset tiny --variants relu,gelu,swiglu --seeds 2 --data "$data" --jobs 1 --threads 1)

# an uninterrupted run
"$SW" "${args[@]}" --out "$tmp/full" >"$tmp/full.out" 2>"$tmp/full.err"; rc=$?
check "compare exits 0 (rc $rc)" '[ $rc -eq 0 ] && grep -q "report: $tmp/full/report.md" "$tmp/full.out"' || errs "$tmp/full.err"
r=$tmp/full/report.md
for s in "## Verdicts" "## 1. Perplexity" "## 2. Gradient flow" "## 3. Dead neurons" "## 4. Expressivity" "Shazeer"; do
    check "report has '$s'" 'grep -q "$s" "$r"'
done
check "four verdict lines" '[ "$(grep -cE "^\| [1-4]\. .*\*\*(held|not held|inconclusive)\*\*" "$r")" -eq 4 ]'
for p in loss dead_units grad_norm grad_norm_layers lr_sweep expressivity; do
    check "plot $p.svg and $p.png" '[ -s "$tmp/full/plots/$p.svg" ] && [ -s "$tmp/full/plots/$p.png" ]'
done
for c in summary lr_sweep dead_units expressivity; do
    check "$c.csv" '[ "$(wc -l <"$tmp/full/$c.csv")" -ge 3 ]'
done
check "18 runs finished" '[ "$(ls "$tmp"/full/runs/*/result.txt | wc -l)" -eq 18 ]'
check "no checkpoints left" '! ls "$tmp"/full/runs/*/ckpt.bin >/dev/null 2>&1'
check "no temporary files left (report, CSVs, plot data written atomically)" '[ -z "$(find "$tmp/full" -name "*.tmp*")" ]'

# the same plan again: nothing to do, the same report numbers
"$SW" "${args[@]}" --out "$tmp/full" >/dev/null 2>"$tmp/again.err"; rc=$?
check "rerun of a finished plan exits 0 (rc $rc) and skips every run" '[ $rc -eq 0 ] && grep -q "(18 done)" "$tmp/again.err"' || errs "$tmp/again.err"

# a different preset into the same folder is refused
"$SW" compare --preset quick --variants relu --seeds 1 --data "$data" --out "$tmp/full" >/dev/null 2>"$tmp/plan.err"
check "another plan in the same folder refused" '[ $? -ne 0 ] && grep -q "another plan" "$tmp/plan.err"'

# interrupted twice, in-process like the reference above (worker processes,
# --jobs 2, end a few ulps away from it: not the same arithmetic):
#  1. SIGINT once a run is under way (its steps.csv has grown): the run
#     saves its checkpoint, the command exits 0 saying so;
#  2. kill -9 in the middle of writing a checkpoint (the shim sleeps 3 s in
#     the fsync of runs/*/ckpt.bin.tmp.*; the temporary's name carries the
#     writer's pid);
#  3. the same command again finishes the plan.
wargs=(compare --preset tiny --variants relu,gelu,swiglu --seeds 2 --data "$data" --jobs 1 --threads 1)
# A tiny run lasts a fraction of a second, too short to hit by polling, so
# both interruptions are aimed with the shim (tests/shim/enospc.c): every
# fsync of a checkpoint temporary sleeps, and the signal goes while one
# exists -- in the middle of a run, in the middle of its save.
slow() {  # seconds, command...: the command with checkpoint fsyncs slowed
    # (exec: run in the background, the command keeps the pid $! names)
    local s=$1; shift
    exec env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" LD_PRELOAD="$tmp/slow.so" \
        SW_SHIM_MATCH=ckpt.bin.tmp. SW_SHIM_FSYNC_SLEEP="$s" "$@"
}
mid_save() {  # pid: the first checkpoint temporary to appear ("" if the process ended first)
    local f=
    for _ in $(seq 2400); do
        f=$(ls "$tmp"/int/runs/*/ckpt.bin.tmp.* 2>/dev/null | head -n 1)
        [ -n "$f" ] && break
        kill -0 "$1" 2>/dev/null || break
        sleep 0.05
    done
    echo "$f"
}
if ! cc -shared -fPIC -O1 -o "$tmp/slow.so" tests/shim/enospc.c -ldl 2>"$tmp/cc.err"; then
    skip "SIGINT and kill -9 mid-run (cannot build the shim: $(head -n 1 "$tmp/cc.err"))"
else
    slow 1 "$SW" "${wargs[@]}" --out "$tmp/int" >/dev/null 2>>"$tmp/int.err" &
    pid=$!
    tmpf=$(mid_save $pid)
    check "SIGINT: sent while a run saves a checkpoint ($tmpf)" '[ -n "$tmpf" ]'
    kill -INT $pid 2>/dev/null
    wait_exit $pid
    check "SIGINT exits 0 (rc $rc)" '[ $rc -eq 0 ]' || errs "$tmp/int.err"
    check "SIGINT says so" 'grep -q "(interrupted); run the same command again" "$tmp/int.err"'
    check "SIGINT: runs left to do" '[ "$(ls "$tmp"/int/runs/*/result.txt 2>/dev/null | wc -l)" -lt 18 ]'
    check "SIGINT: the checkpoint saved, no temporary left" 'ls "$tmp"/int/runs/*/ckpt.bin >/dev/null 2>&1 && ! ls "$tmp"/int/runs/*/ckpt.bin.tmp.* >/dev/null 2>&1'
    # a line cut by a kill in the middle of a write (no newline) in the run
    # that resumes next: dropped on resume, not read as step 1 (steps.csv is
    # compared below)
    cut=$(ls "$tmp"/int/runs/*/ckpt.bin 2>/dev/null | head -n 1)
    check "a run left to resume has a checkpoint (for the cut-line check)" '[ -n "$cut" ]'
    [ -n "$cut" ] && printf '1' >>"$(dirname "$cut")/steps.csv"

    slow 3 "$SW" "${wargs[@]}" --out "$tmp/int" >/dev/null 2>>"$tmp/int.err" &
    pid=$!
    tmpf=$(mid_save $pid)
    writer=${tmpf##*.}
    check "kill -9: a checkpoint is being written ($tmpf)" '[ -n "$tmpf" ] && [ "$writer" -gt 0 ] 2>/dev/null'
    [ -n "$tmpf" ] && kill -9 "$writer" 2>/dev/null
    kill -9 $pid 2>/dev/null
    wait_exit $pid
    check "kill -9: the command died (rc $rc)" '[ $rc -eq 137 ]'
    check "kill -9: the temporary was left mid-write" '[ -n "$tmpf" ] && [ -e "$tmpf" ]'
fi
"$SW" "${wargs[@]}" --out "$tmp/int" >/dev/null 2>>"$tmp/int.err"; rc=$?
check "the resumed plan exits 0 (rc $rc)" '[ $rc -eq 0 ]' || errs "$tmp/int.err"
check "the resumed plan finishes" '[ "$(ls "$tmp"/int/runs/*/result.txt | wc -l)" -eq 18 ]'
check "the killed save's temporary removed when its run finished" '! ls "$tmp"/int/runs/*/*.tmp.* >/dev/null 2>&1' || ls "$tmp"/int/runs/*/*.tmp.*
same=1
for f in "$tmp"/full/runs/*/result.txt; do
    id=$(basename "$(dirname "$f")")
    # the losses to the bit (hex floats), the accuracy (k / 4096: exact in 6 decimals)
    a=$(grep -E '^(final_val_loss_hex|final_train_loss_hex|final_acc|steps)=' "$f")
    b=$(grep -E '^(final_val_loss_hex|final_train_loss_hex|final_acc|steps)=' "$tmp/int/runs/$id/result.txt")
    [ -n "$a" ] && [ "$a" = "$b" ] || { same=0; echo "  $id: '$a' vs '$b'"; }
    for c in steps.csv evals.csv; do
        [ ! -e "$tmp/full/runs/$id/$c" ] || cmp -s "$tmp/full/runs/$id/$c" "$tmp/int/runs/$id/$c" || { same=0; echo "  $id: $c differs"; }
    done
done
check "interrupted and resumed runs end with the same bits (and the same steps.csv, evals.csv)" '[ $same -eq 1 ]'
check "steps.csv of a resumed run has no repeated step" '[ "$(cut -d, -f1 "$tmp"/int/runs/swiglu-s0-*/steps.csv | sort | uniq -d | wc -l)" -eq 0 ]'

# bad input: one line, non-zero exit
"$SW" compare --preset nope >/dev/null 2>"$tmp/bad.err"
check "unknown preset refused" '[ $? -ne 0 ] && grep -q "unknown preset" "$tmp/bad.err" && [ "$(wc -l <"$tmp/bad.err")" -eq 1 ]'
"$SW" compare --variants relu,tanh --data "$data" >/dev/null 2>"$tmp/bad.err"
check "unknown variant refused" '[ $? -ne 0 ] && grep -q "unknown variant" "$tmp/bad.err"'
"$SW" compare --data /nonexistent >/dev/null 2>"$tmp/bad.err"
check "missing data refused" '[ $? -ne 0 ] && grep -q "/nonexistent" "$tmp/bad.err"'
printf 'x' >"$tmp/short.txt"
"$SW" compare --preset tiny --data "$tmp/short.txt" --out "$tmp/short" >/dev/null 2>"$tmp/bad.err"
check "too-short data refused" '[ $? -ne 0 ] && [ "$(wc -l <"$tmp/bad.err")" -eq 1 ]'

finish test_lab
