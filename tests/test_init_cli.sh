#!/usr/bin/env bash
# The init schemes from the command line: `swiglu train --init/--init-std`
# (help, metrics, a resume keeps the checkpoint's init, bad values refused)
# and the lab's --init plan dimension on the tiny preset: the
# init-sensitivity section, its CSV and plot, run folders keyed by init, and
# a plan grown by inits (or killed with -9 in the middle of its INIT runs)
# continued by the same command to the numbers of an uninterrupted one.
# Ends with "N passed, N failed, N skipped".
set -u
. "$(dirname "$0")/support/cli_test.bash"   # O, pass/fail/skip, finish
SW=$PWD/$O/swiglu
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }
tmp=$(mktemp -d /tmp/swiglu-init-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

data=../shared/data/tinyshakespeare.txt
if [ ! -r "$data" ]; then
    data=$tmp/text.txt
    for i in $(seq 1 400); do cat README.md docs/LAB.md; done >"$data"
fi

# ---- swiglu train ----
"$SW" train --help >"$tmp/help" 2>&1
check "train --help shows --init and --init-std" 'grep -q -- "--init gpt2|fan-in|small" "$tmp/help" && grep -q -- "--init-std S" "$tmp/help"'
"$SW" compare --help >"$tmp/help" 2>&1
check "compare --help shows --init" 'grep -q -- "--init LIST" "$tmp/help" && grep -q "fan-in" "$tmp/help"'

targs=(train --data "$data" --tokens char --layers 1 --dim 16 --heads 2 --context 16 --batch 2 --eval-every 2 --eval-batches 1 --threads 1)
"$SW" "${targs[@]}" --steps 2 --init small --ckpt "$tmp/a.ckpt" --metrics "$tmp/m.jsonl" >"$tmp/train.out" 2>&1
check "train --init small runs" '[ $? -eq 0 ] && grep -q "init small (std 0.1581)" "$tmp/train.out"'
check "metrics record the init" 'grep -q "\"init\":\"small\",\"init_std\":0.158113" "$tmp/m.jsonl"'
"$SW" "${targs[@]}" --steps 4 --init gpt2 --resume "$tmp/a.ckpt" --ckpt "$tmp/b.ckpt" >"$tmp/resume.out" 2>&1
check "--init with --resume is refused, naming it" '[ $? -eq 2 ] && grep -q -- "--init" "$tmp/resume.out" && [ ! -e "$tmp/b.ckpt" ]'
"$SW" train --data "$data" --threads 1 --steps 4 --resume "$tmp/a.ckpt" --ckpt "$tmp/b.ckpt" >"$tmp/resume.out" 2>&1
check "a resumed run keeps the checkpoint's init" '[ $? -eq 0 ] && grep -q "init small" "$tmp/resume.out" && grep -q "resumed" "$tmp/resume.out"'
"$SW" "${targs[@]}" --steps 1 --init-std 0.125 --ckpt "$tmp/c.ckpt" >"$tmp/std.out" 2>&1
check "--init-std sets gpt2's std" '[ $? -eq 0 ] && grep -q "init gpt2 (std 0.125)" "$tmp/std.out"'
"$SW" "${targs[@]}" --steps 1 --init fan-in --init-std 0.1 >/dev/null 2>"$tmp/bad.err"
check "--init-std with --init fan-in refused" '[ $? -ne 0 ] && [ "$(wc -l <"$tmp/bad.err")" -eq 1 ] && grep -q "gpt2" "$tmp/bad.err"'
"$SW" "${targs[@]}" --steps 1 --init xavier >/dev/null 2>"$tmp/bad.err"
check "an unknown --init refused" '[ $? -ne 0 ] && grep -q "gpt2, fan-in or small" "$tmp/bad.err"'
"$SW" "${targs[@]}" --steps 1 --init-std 0 >/dev/null 2>"$tmp/bad.err"
check "--init-std 0 refused" '[ $? -ne 0 ] && [ "$(wc -l <"$tmp/bad.err")" -eq 1 ]'

# ---- the lab ----
args=(compare --preset tiny --variants relu,gelu,swiglu --seeds 2 --data "$data" --jobs 1 --threads 1)
inits=0.02,0.05,fan-in,small
"$SW" "${args[@]}" --init "$inits" --out "$tmp/full" >"$tmp/full.out" 2>"$tmp/full.err"
check "compare with 4 inits exits 0" '[ $? -eq 0 ] && grep -q "x 4 inits: 36 runs" "$tmp/full.err"'
r=$tmp/full/report.md
check "report has the init-sensitivity section" 'grep -q "## 5. Initialization sensitivity" "$r" && grep -q "gpt2:0.02 (main)" "$r"'
check "it says whether claim 1 depends on the init" 'grep -qE "Claim 1.s verdict \(lower perplexity\) (does \*\*not\*\* depend|\*\*depends on the init\*\*)" "$r"'
check "both policies" 'grep -q "Policy 1 picks" "$r" && grep -q "Policy 2, claim 1" "$r"'
check "a verdict row per init" '[ "$(grep -cE "^\| (gpt2:0.02 \(main\)|gpt2:0.05|fan-in|small) \| [0-9.]+ \| \*\*" "$r")" -eq 4 ]'
check "init_sensitivity.csv: a row per run" '[ "$(wc -l <"$tmp/full/init_sensitivity.csv")" -eq 25 ]'
check "no NaN loss in it" '! cut -d, -f6 "$tmp/full/init_sensitivity.csv" | grep -qi nan'
check "the plot" '[ -s "$tmp/full/plots/init_scale.svg" ] && [ -s "$tmp/full/plots/init_scale.png" ]'
check "run folders keyed by init" '[ -s "$tmp/full/runs/relu-s0-fan-in/result.txt" ] && [ -s "$tmp/full/runs/swiglu-s1-gpt2-0.05/result.txt" ] && [ -s "$tmp/full/runs/sweep-gelu-lr1-gpt2-0.02/result.txt" ]'
check "result.txt records the init" 'grep -q "^init=small$" "$tmp/full/runs/gelu-s0-small/result.txt" && grep -q "^init_std=0.111803$" "$tmp/full/runs/gelu-s0-small/result.txt"'
check "the fan-in runs differ from gpt2's" '[ "$(grep final_val "$tmp/full/runs/relu-s0-fan-in/result.txt")" != "$(grep final_val "$tmp/full/runs/relu-s0-gpt2-0.02/result.txt")" ]'

# a plan grown by inits reuses its finished runs
"$SW" "${args[@]}" --init 0.02 --out "$tmp/grow" >/dev/null 2>&1
"$SW" "${args[@]}" --init "$inits" --out "$tmp/grow" >/dev/null 2>"$tmp/grow.err"
check "adding inits keeps the finished runs" 'grep -q "36 runs (18 done)" "$tmp/grow.err"'
check "and ends with the same numbers" 'cmp -s "$tmp/full/init_sensitivity.csv" "$tmp/grow/init_sensitivity.csv"'
# another main init in the same folder: the runs at known inits are reused
"$SW" "${args[@]}" --init small,0.02 --out "$tmp/grow" >/dev/null 2>"$tmp/main.err"
check "a new main init reruns only its sweep" 'grep -q "24 runs (18 done)" "$tmp/main.err" && grep -q "small (main)" "$tmp/grow/report.md"'

# kill -9 in the middle of the INIT runs, then the same command
"$SW" "${args[@]}" --init 0.02 --out "$tmp/int" >/dev/null 2>&1
"$SW" "${args[@]}" --init "$inits" --out "$tmp/int" --jobs 2 >/dev/null 2>&1 &
pid=$! k=0
while [ $k -lt 300 ] && ! ls "$tmp"/int/runs/*-s?-{fan-in,small,gpt2-0.05}/ckpt.bin >/dev/null 2>&1; do
    kill -0 $pid 2>/dev/null || break
    sleep 0.02; k=$((k + 1))
done
kill -KILL $pid 2>/dev/null
{ wait $pid; } 2>/dev/null
"$SW" "${args[@]}" --init "$inits" --out "$tmp/int" >/dev/null 2>"$tmp/int.err"
check "the interrupted plan finishes" '[ "$(ls "$tmp"/int/runs/*/result.txt | wc -l)" -eq 36 ]'
check "with the numbers of the uninterrupted one" 'cmp -s "$tmp/full/init_sensitivity.csv" "$tmp/int/init_sensitivity.csv"'

"$SW" "${args[@]}" --init 0.02,0 --out "$tmp/bad" >/dev/null 2>"$tmp/bad.err"
check "--init 0 refused" '[ $? -ne 0 ] && grep -q "unknown init" "$tmp/bad.err" && [ "$(wc -l <"$tmp/bad.err")" -eq 1 ]'
"$SW" "${args[@]}" --init 0.02,xavier --out "$tmp/bad" >/dev/null 2>"$tmp/bad.err"
check "--init xavier refused" '[ $? -ne 0 ] && grep -q "unknown init .xavier." "$tmp/bad.err"'

finish test_init_cli
