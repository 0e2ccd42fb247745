#!/usr/bin/env bash
# test_scaling_cli.sh -- the scaling study's machinery end to end on the
# scaling-tiny preset (4 sizes D 16..32, runs of 12..97 steps): the plan's
# listing and cost (--plan, --help), the report's sections, CSVs and plots;
# a main run refused before its size's sweep (--run); SIGINT, then kill -9 of
# the command in the middle of the plan, then the same command again: the
# same numbers to the bit as an uninterrupted run; mpirun -n 2 and the
# --slurm scripts (sweep array, then the main array, then the report) give
# them too. The plan alone takes ~5 s in one process, ~15 s as worker
# processes; this file ~70 s on 2 cores under load 2-3 (~230 short worker
# processes). Ends with "N passed, N
# failed, N skipped".
set -u
. "$(dirname "$0")/support/cli_test.bash"   # O, SW, expect, must, skip, wait_exit, finish
SW=$PWD/$O/swiglu
tmp=$(mktemp -d /tmp/swiglu-scaling-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
data=../shared/data/tinyshakespeare.txt
[ -r "$data" ] || { data=$tmp/text.txt; for i in $(seq 1 400); do cat README.md docs/KERNELS.md; done > "$data"; }
A=(compare --preset scaling-tiny --variants relu,gelu,swiglu --seeds 2 --data "$data" --threads 1)
NRUNS=72   # 4 sizes x (3 variants x 2 rates + 3 variants x 2 seeds x 2 rate policies)
done_runs() { ls "$1"/runs/*/result.txt 2>/dev/null | wc -l; }
# the numbers of a finished plan: every run's losses to the bit, the gaps, trends and sweeps
numbers() {
    local f
    for f in "$1"/runs/*/result.txt; do echo "$(basename "$(dirname "$f")") $(grep -E '^(final_val_loss_hex|lr|steps)=' "$f" | tr '\n' ' ')"; done
    cat "$1/scaling_gaps.csv" "$1/scaling_trend.csv" "$1/scaling_sweep.csv"
}

# --- the plan: listing, cost, --help ---
must "--plan" "$SW" "${A[@]}" --plan
expect "--plan lists $NRUNS runs" [ "$(grep -cE '^[0-9]+ d[0-9]+l[0-9]+-' <<<"$out")" -eq $NRUNS ]
expect "--plan: per size N, tokens, steps" grep -qE '^D32/L2 +24736 +12416 +97 ' <<<"$out"
must "--plan of the scaling preset" "$SW" compare --preset scaling --plan
expect "scaling: 354 runs and their cost" grep -qE '^354 runs, [0-9]+ core-hours .* ~[0-9]+ days on' <<<"$out"
# >= 4 sizes over >= 1.5 decades of N, 20 tokens per parameter
span=$(awk '/^D[0-9]+\/L[0-9]+ / { n[++k] = $2 } END { printf "%d %.2f", k, log(n[k] / n[1]) / log(10) }' <<<"$out")
expect "scaling: >= 4 sizes spanning >= 1.5 decades ($span)" awk -v s="$span" 'BEGIN { split(s, a, " "); exit !(a[1] >= 4 && a[2] >= 1.5) }'
expect "scaling: relu, gelu, swiglu at every size, 5 seeds then 3" \
    grep -qE '^D384/L6 +[0-9]+ +[0-9]+ +[0-9]+ +3 +3 ' <<<"$out"
must "--help" "$SW" compare --help
expect "--help: the scaling preset's runs and cost" grep -qE '354 runs, ~[0-9]+ days on [0-9]+ cores' <<<"$out"

# --- a main run before its size's sweep: refused, one line ---
"$SW" "${A[@]}" --out "$tmp/one" --run d16l1-swiglu-s0-own-fan-in >/dev/null 2>"$tmp/one.err"; rc=$?
expect "--run of a main run before its sweep refused (rc $rc): $(head -c 300 "$tmp/one.err")" \
    eval '[ $rc -ne 0 ] && grep -q "sweep is not done" "$tmp/one.err"'

# --- uninterrupted, in this process (--jobs 1; the rest use worker
# processes of 1 thread each: the same bits) ---
must "scaling-tiny, --jobs 1" "$SW" "${A[@]}" --jobs 1 --out "$tmp/full"
r=$tmp/full/report.md
expect "every run finished" [ "$(done_runs "$tmp/full")" -eq $NRUNS ]
for s in "## The gap against model size" "## Per size" "## Learning rates" "## Compute: FLOPs per token" \
         "## What the data say, and what they cannot" "Smoke test" "Trend rule"; do
    expect "report has '$s'" grep -q "$s" "$r"
done
expect "trend table: 4 rows (2 policies x 2 baselines) with a verdict" \
    [ "$(grep -cE '^\| (own|shared) \| (relu|gelu) \| 4 \| .*\*\*(widens|narrows|flat|inconclusive)\*\* \|$' "$r")" -eq 4 ]
expect "per-size table: 16 rows (4 sizes x 2 policies x 2 baselines)" \
    [ "$(grep -cE '^\| D[0-9]+/L[0-9] \| [0-9]+ \| (own|shared) \| (relu|gelu) \| 2 \| ' "$r")" -eq 16 ]
for p in gap_own gap_shared lr_d16l1 loss_d32l2; do
    expect "plot $p.svg and $p.png" [ -s "$tmp/full/plots/$p.svg" ] && [ -s "$tmp/full/plots/$p.png" ]
done
expect "scaling_gaps.csv: 16 rows" [ "$(wc -l < "$tmp/full/scaling_gaps.csv")" -eq 17 ]
expect "scaling_runs.csv: 48 main runs" [ "$(wc -l < "$tmp/full/scaling_runs.csv")" -eq 49 ]
# the rates: a shared run at its own run's rate is a copy of it; own runs ran at their sweep's best
expect "shared runs at their own run's rate are copies (same_as=)" grep -qs same_as= "$tmp"/full/runs/*-shared-*/result.txt
expect "an own-rate run's rate is its variant's best sweep rate" \
    awk -F, -v lr="$(sed -n 's/^lr=//p' "$tmp/full/runs/d16l1-swiglu-s0-own-fan-in/result.txt")" \
        '$1 == 16 && $3 == "swiglu" && $6 == 1 { found = ($4 + 0 == lr + 0) } END { exit !found }' "$tmp/full/scaling_sweep.csv"
expect "no temporary files left" [ -z "$(find "$tmp/full" -name '*.tmp*')" ]
# a sweep with a rate not run yet: no best rate named, the row says how far it got
cp -r "$tmp/full" "$tmp/part"
rm "$tmp/part/runs/d16l1-sweep-swiglu-lr1-fan-in/result.txt"
must "--report-only with a sweep run missing" "$SW" "${A[@]}" --out "$tmp/part" --report-only
expect "a partial sweep: '-' for the missing rate, no best, 'sweep unfinished (1 of 2 rates)'" \
    grep -qE '^\| D16/L1 \| swiglu \| [0-9.e-]+: [0-9.]+, [0-9.e-]+: - \| - \| sweep unfinished \(1 of 2 rates\) \|$' "$tmp/part/report.md"
# another variant set would choose other shared rates: refused in the same folder
"$SW" compare --preset scaling-tiny --variants relu,swiglu --seeds 2 --data "$data" --out "$tmp/full" >/dev/null 2>"$tmp/v.err"; rc=$?
expect "another variant set in the same folder refused (rc $rc)" eval '[ $rc -ne 0 ] && grep -q "another plan" "$tmp/v.err"'

# --- SIGINT, then kill -9 of the command, then the same command: the same bits ---
wait_runs() {  # pid count: until count runs are done or the process ends
    for _ in $(seq 600); do [ "$(done_runs "$tmp/int")" -ge "$2" ] && return; kill -0 "$1" 2>/dev/null || return; sleep 0.05; done
}
"$SW" "${A[@]}" --jobs 2 --out "$tmp/int" >/dev/null 2>"$tmp/int.err" &
pid=$!
wait_runs $pid 14
kill -INT $pid 2>/dev/null
wait_exit $pid
n1=$(done_runs "$tmp/int")
expect "SIGINT: exits 0 (rc $rc) with runs left ($n1 of $NRUNS)" eval '[ $rc -eq 0 ] && [ "$n1" -lt $NRUNS ]'
expect "SIGINT: says so" grep -q "(interrupted); run the same command again" "$tmp/int.err"
"$SW" "${A[@]}" --jobs 2 --out "$tmp/int" >/dev/null 2>>"$tmp/int.err" &
pid=$!
wait_runs $pid $((n1 + 20))
kill -9 $pid 2>/dev/null
wait_exit $pid
n2=$(done_runs "$tmp/int")
expect "kill -9: the command died (rc $rc) with runs left ($n2 of $NRUNS)" eval '[ $rc -eq 137 ] && [ "$n2" -lt $NRUNS ]'
sleep 0.5   # its workers stop on their parent's death (SIGTERM, checkpoint)
must "the same command finishes the plan" "$SW" "${A[@]}" --jobs 2 --out "$tmp/int"
expect "resumed: every run finished" [ "$(done_runs "$tmp/int")" -eq $NRUNS ]
expect "interrupted twice and resumed: the same numbers to the bit" \
    diff <(numbers "$tmp/full") <(numbers "$tmp/int")

# --- mpirun -n 2: the ranks wait for their size's sweep ---
if command -v mpirun >/dev/null && ldd "$SW" 2>/dev/null | grep -q libmpi; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"   # Open MPI's own (test_mpi.sh says why)
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    must "mpirun -n 2" mpirun -n 2 --oversubscribe "$SW" "${A[@]}" --out "$tmp/mpi"
    expect "mpirun -n 2: the same numbers" diff <(numbers "$tmp/full") <(numbers "$tmp/mpi")
else
    skip "mpirun -n 2 (no mpirun, or $SW built without Open MPI)"
fi

# --- --slurm: the sweeps' array, then the main runs' array, then the report ---
must "--slurm" "$SW" "${A[@]}" --out "$tmp/s" --slurm --jobs 4
expect "--slurm: sweep first, the main array after it (afterok)" \
    eval 'grep -q "^sweep=\$(sbatch --parsable $tmp/s/slurm/sweep.sbatch)" <<<"$out" && grep -q "^jid=\$(sbatch --parsable --dependency=afterok:\$sweep $tmp/s/slurm/array.sbatch)" <<<"$out"'
expect "sweep.sbatch: the 4 sizes' sweeps" grep -q '^#SBATCH --array=0-5,18-23,36-41,54-59%4$' "$tmp/s/slurm/sweep.sbatch"
expect "array.sbatch: the main runs" grep -q '^#SBATCH --array=6-17,24-35,42-53,60-71%4$' "$tmp/s/slurm/array.sbatch"
tasks() { sed -n 's/^#SBATCH --array=\(.*\)%.*/\1/p' "$1" | tr ',' '\n' | awk -F- '{ for (i = $1; i <= ($2 == "" ? $1 : $2); i++) print i }'; }
tasks "$tmp/s/slurm/sweep.sbatch" | xargs -P 2 -I{} env SLURM_ARRAY_TASK_ID={} bash "$tmp/s/slurm/sweep.sbatch" >"$tmp/s.out" 2>&1; rc1=$?
tasks "$tmp/s/slurm/array.sbatch" | xargs -P 2 -I{} env SLURM_ARRAY_TASK_ID={} bash "$tmp/s/slurm/array.sbatch" >>"$tmp/s.out" 2>&1; rc2=$?
expect "the array tasks exit 0 ($rc1, $rc2): $(tail -2 "$tmp/s.out")" [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ]
must "the report task" bash "$tmp/s/slurm/report.sbatch"
expect "--slurm's tasks: the same numbers" diff <(numbers "$tmp/full") <(numbers "$tmp/s")
finish test_scaling_cli
