#!/usr/bin/env bash
# test_mpi.sh -- data-parallel `swiglu train` under Open MPI's mpirun (2 ranks,
# --oversubscribe, as root when root): mpirun -n 2 train = train --accum 2
# (per-step losses to 1e-6 relative, the same over 3 ranks), the sharded
# optimizer step (ZeRO-1, the default) against the replicated one
# (SWIGLU_DP_SHARD=0): the same checkpoint byte for byte; the evaluation
# split over the ranks: step 0's metrics line (the same weights) is one
# process's; --resume under mpirun bit for bit,
# the weights' cross-rank check firing on a corrupted rank, SIGTERM to
# mpirun stopping both ranks after the same step with rank 0's checkpoint,
# a rank killed with -9 ending the job with an error within seconds (the
# last checkpoint whole); the lab over 2 ranks, and through --slurm's scripts
# (each task run by xargs -P 2 with its SLURM_ARRAY_TASK_ID, then the report
# script: no Slurm needed), giving --jobs 2's numbers to the bit; --run by
# id; --ranks-per-run 2 (a run over both ranks) giving --accum 2's numbers, and the
# same numbers after a SIGINT in the middle of a save and the command again. Skips without mpirun (scripts/deps.sh installs it).
# Ends with "N passed, N failed, N skipped".
set -u
. "$(dirname "$0")/support/cli_test.bash"   # O, SW, pass/fail, expect
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Open MPI's shared-memory transport only (no network probing on a build machine)
export OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
# Under the ASan stage: Open MPI keeps allocations past MPI_Finalize, made
# by its components, which it has dlclose'd by then (LeakSanitizer sees
# "<unknown module>", so no suppression can name them): no leak check in
# this file's processes. ASan's other checks stay on; the same training and
# lab code is leak-checked without MPI by test_train_cli.sh and test_lab.sh.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
if ! command -v mpirun >/dev/null || ! ldd "$SW" 2>/dev/null | grep -q libmpi; then
    skip "no mpirun, or $SW built without Open MPI (scripts/deps.sh installs it)"
    finish test_mpi; exit
fi
MPI=(mpirun -n 2 --oversubscribe)
awk 'BEGIN { srand(7); split("the cat sat on a mat and the dog ran to it.", w, " ");
             for (i = 0; i < 6000; i++) { printf "%s%s", w[int(rand() * 10) + 1], (i % 12 == 11) ? "\n" : " " } }' > "$tmp/data.txt"
TINY=(--data "$tmp/data.txt" --tokens char --layers 1 --heads 2 --dim 32 --context 16 --batch 4 --eval-batches 2
      --eval-every 4 --threads 1 --quiet)

# --- the windows of --accum 2: per-step losses to 1e-6 relative ---
must "one process, --accum 2" "$SW" train "${TINY[@]}" --dropout 0.1 --steps 8 --accum 2 --ckpt "$tmp/a.ckpt" --loss-log "$tmp/a.log" \
    --metrics "$tmp/a.jsonl"
must "mpirun -n 2" "${MPI[@]}" "$SW" train "${TINY[@]}" --dropout 0.1 --steps 8 --ckpt "$tmp/m.ckpt" --loss-log "$tmp/m.log" \
    --metrics "$tmp/m.jsonl"
expect "8 steps each" [ "$(wc -l < "$tmp/a.log")" -eq 8 -a "$(wc -l < "$tmp/m.log")" -eq 8 ]
# the worst relative difference of two loss logs' losses, 1 when their lengths differ
# (the loss log's floats are C99 hex: Python reads them exactly)
worst_rel() {
    /usr/bin/python3 - "$1" "$2" <<'PY'
import sys
a = [float.fromhex(l.split()[1]) for l in open(sys.argv[1])]
b = [float.fromhex(l.split()[1]) for l in open(sys.argv[2])]
print(max(abs(x - y) / abs(x) for x, y in zip(a, b)) if len(a) == len(b) else 1)
PY
}
close=$(worst_rel "$tmp/a.log" "$tmp/m.log")
expect "per-step losses agree to 1e-6 relative (worst $close)" /usr/bin/python3 -c "import sys; sys.exit(not $close <= 1e-6)"
expect "step 1's loss is the same bits" [ "$(head -1 "$tmp/a.log" | cut -d' ' -f2)" = "$(head -1 "$tmp/m.log" | cut -d' ' -f2)" ]
expect "rank 0 alone writes the metrics: 3 evaluations, once" [ "$(grep -c val_loss "$tmp/m.jsonl")" -eq 3 ]
# the evaluation split over the ranks, its losses added in batch order: at step 0
# (the same weights) the metrics line is one process's (its losses to the 9
# digits it prints; the FFN statistics are of the last validation batch: rank 0's)
step0() { head -1 "$1"; }
expect "split evaluation: step 0's metrics are one process's" [ "$(step0 "$tmp/a.jsonl")" = "$(step0 "$tmp/m.jsonl")" ]
# the sharded optimizer step (the default) against every rank updating every weight
must "mpirun -n 2, replicated step (SWIGLU_DP_SHARD=0)" env SWIGLU_DP_SHARD=0 "${MPI[@]}" -x SWIGLU_DP_SHARD "$SW" train \
    "${TINY[@]}" --dropout 0.1 --steps 8 --ckpt "$tmp/r.ckpt" --loss-log "$tmp/r.log"
expect "sharded step: the replicated step's losses, bit for bit" cmp -s "$tmp/m.log" "$tmp/r.log"
expect "sharded step: the replicated step's checkpoint, byte for byte" cmp -s "$tmp/m.ckpt" "$tmp/r.ckpt"
# 3 ranks: uneven slices, a rank owning no block of the small tensors; the windows of --accum 3
must "one process, --accum 3" "$SW" train "${TINY[@]}" --steps 8 --accum 3 --ckpt "$tmp/a3.ckpt" --loss-log "$tmp/a3.log" \
    --metrics "$tmp/a3.jsonl"
must "mpirun -n 3" "${MPI[@]}" -n 3 "$SW" train "${TINY[@]}" --steps 8 --ckpt "$tmp/m3.ckpt" --loss-log "$tmp/m3.log" \
    --metrics "$tmp/m3.jsonl"
close3=$(worst_rel "$tmp/a3.log" "$tmp/m3.log")
expect "3 ranks: per-step losses agree with --accum 3 to 1e-6 relative (worst $close3)" \
    /usr/bin/python3 -c "import sys; sys.exit(not $close3 <= 1e-6)"
expect "3 ranks: step 0's metrics are one process's" [ "$(step0 "$tmp/a3.jsonl")" = "$(step0 "$tmp/m3.jsonl")" ]
# the buckets as MPI_Iallreduce overlapped with the backward: 2 ranks add a + b either way
must "mpirun -n 2, SWIGLU_DP_OVERLAP=1" env SWIGLU_DP_OVERLAP=1 "${MPI[@]}" -x SWIGLU_DP_OVERLAP "$SW" train "${TINY[@]}" --dropout 0.1 \
    --steps 8 --ckpt "$tmp/o.ckpt" --loss-log "$tmp/o.log"
expect "overlapped buckets: the same losses, bit for bit" cmp -s "$tmp/m.log" "$tmp/o.log"
expect "overlapped buckets: the same weights, bit for bit" cmp -s "$tmp/m.ckpt" "$tmp/o.ckpt"

# --- resume under mpirun with the same N: bit for bit ---
must "stopped at 3" "${MPI[@]}" "$SW" train "${TINY[@]}" --dropout 0.1 --steps 8 --stop-at 3 --ckpt "$tmp/h.ckpt" --loss-log "$tmp/h.log"
must "resumed" "${MPI[@]}" "$SW" train --data "$tmp/data.txt" --resume "$tmp/h.ckpt" --threads 1 --quiet --loss-log "$tmp/h.log"
expect "resumed losses identical bit for bit" cmp -s "$tmp/m.log" "$tmp/h.log"
expect "resumed checkpoint identical" cmp -s "$tmp/m.ckpt" "$tmp/h.ckpt"
out=$("${MPI[@]}" -n 3 "$SW" train --data "$tmp/data.txt" --resume "$tmp/h.ckpt" --threads 1 --quiet 2>&1); rc=$?
expect "2 micro-batches over 3 ranks refused: rc $rc" [ $rc -ne 0 ]
expect "says why" grep -q "not a multiple of 3 ranks" <<<"$out"

# --- the weights' check: one rank's weights off by one ulp stops the run ---
out=$(SWIGLU_TEST_CORRUPT_RANK=1 "${MPI[@]}" -x SWIGLU_TEST_CORRUPT_RANK "$SW" train "${TINY[@]}" --steps 8 \
      --ckpt "$tmp/c.ckpt" 2>&1); rc=$?
expect "differing weights stop the run: rc $rc" [ $rc -ne 0 ]
expect "names the problem: '$out'" grep -q "the ranks' weights differ at step 4" <<<"$out"

# a longer run for the signals (seconds; checkpoints every 20 steps)
LONG=(--data "$tmp/data.txt" --tokens char --layers 2 --heads 2 --dim 64 --context 32 --batch 8 --eval-batches 2
      --eval-every 100 --threads 1 --steps 1000000 --save-every 20)
wait_file() { local k=0; while [ ! -s "$1" ] && [ $k -lt 300 ]; do sleep 0.1; k=$((k + 1)); done; }

# --- SIGTERM to mpirun: both ranks stop after the same step, rank 0 saves ---
"${MPI[@]}" "$SW" train "${LONG[@]}" --ckpt "$tmp/t.ckpt" > "$tmp/t.out" 2>&1 & p=$!
wait_file "$tmp/t.ckpt"; sleep 0.5
kill -TERM $p; wait_exit $p 30
expect "SIGTERM: mpirun ends (rc $rc)" [ $rc -ne 124 ]
step=$(sed -n 's/^stopped at step \([0-9]*\) (interrupted).*/\1/p' "$tmp/t.out")
expect "SIGTERM: rank 0 stopped and saved: $(tail -3 "$tmp/t.out")" [ -n "$step" ]
expect "SIGTERM: no rank died" bash -c "! grep -q 'exited on signal\|non-zero' '$tmp/t.out'"
must "SIGTERM: the checkpoint resumes at step $step" "${MPI[@]}" "$SW" train --data "$tmp/data.txt" --resume "$tmp/t.ckpt" \
    --threads 1 --steps $((${step:-0} + 2))
expect "SIGTERM: resumed where it stopped" grep -q "resumed from .* at step $step\$" <<<"$out"

# --- kill -9 of one rank: the job ends with an error within seconds ---
"${MPI[@]}" "$SW" train "${LONG[@]}" --quiet --ckpt "$tmp/k.ckpt" > "$tmp/k.out" 2>&1 & p=$!
wait_file "$tmp/k.ckpt"; sleep 0.5
victim=$(pgrep -P $p | tail -1)
kill -9 "$victim"; t0=$(date +%s); wait_exit $p 30; t1=$(date +%s)
expect "kill -9: the job ends with an error (rc $rc)" [ $rc -ne 0 -a $rc -ne 124 ]
expect "kill -9: within 10 s ($((t1 - t0)) s)" [ $((t1 - t0)) -le 10 ]
expect "kill -9: says which rank died: $(cat "$tmp/k.out")" grep -q "exited on signal 9" "$tmp/k.out"
must "kill -9: the last checkpoint is whole" "$SW" sample --ckpt "$tmp/k.ckpt" -n 4 --seed 1

# --- the lab: --jobs 2, mpirun -n 2, --slurm's scripts: the same numbers ---
data=../shared/data/tinyshakespeare.txt
[ -r "$data" ] || { data=$tmp/text.txt; for i in $(seq 1 400); do cat README.md docs/KERNELS.md; done > "$data"; }
LAB=(compare --preset tiny --variants relu,swiglu --seeds 1 --data "$data")
same_numbers() {  # folder [reference, default --jobs 2's]: its CSVs and report (but the line of the command and its times) are the reference's
    local f d=0 ref=${2:-$tmp/j2}
    for f in summary.csv lr_sweep.csv dead_units.csv expressivity.csv; do cmp -s "$ref/$f" "$1/$f" || d=1; done
    diff <(grep -v '^20..-..-.. ..:.. UTC. Command' "$ref/report.md") <(grep -v '^20..-..-.. ..:.. UTC. Command' "$1/report.md") >/dev/null || d=1
    [ $d -eq 0 ]
}
must "lab, --jobs 2" "$SW" "${LAB[@]}" --jobs 2 --out "$tmp/j2"
must "lab, mpirun -n 2" "${MPI[@]}" "$SW" "${LAB[@]}" --out "$tmp/m2"
expect "lab over 2 ranks: rank 0 alone wrote the report" grep -q "report: $tmp/m2/report.md" <<<"$out"
expect "lab over 2 ranks: 8 runs" [ "$(ls "$tmp"/m2/runs/*/result.txt | wc -l)" -eq 8 ]
expect "lab over 2 ranks: --jobs 2's numbers" same_numbers "$tmp/m2"
must "--slurm writes the scripts" "$SW" "${LAB[@]}" --out "$tmp/s2" --slurm --jobs 3 --threads 1
expect "--slurm prints the sbatch commands: '$out'" grep -q "^sbatch --dependency=afterok:\$jid $tmp/s2/slurm/report.sbatch" <<<"$out"
expect "array.sbatch: 8 tasks, 3 at once" grep -q '^#SBATCH --array=0-7%3$' "$tmp/s2/slurm/array.sbatch"
expect "report.sbatch: --report-only" grep -q -- '--report-only$' "$tmp/s2/slurm/report.sbatch"
seq 0 7 | xargs -P 2 -I{} env SLURM_ARRAY_TASK_ID={} bash "$tmp/s2/slurm/array.sbatch" > "$tmp/s2.out" 2>&1; rc=$?
expect "the 8 array tasks exit 0: $(tail -3 "$tmp/s2.out")" [ $rc -eq 0 ]
must "the report task" bash "$tmp/s2/slurm/report.sbatch"
expect "--run per task + --report-only: --jobs 2's numbers" same_numbers "$tmp/s2"
# --ranks-per-run 2: one group of 2 ranks training each run data parallel = the plan of
# --accum 2 (each batch as 2 micro-batches), whose numbers are one process's up to the
# rounding of the gradient sums: the report's numbers the same, every run's final losses to 1e-6
must "lab, --accum 2" "$SW" "${LAB[@]}" --accum 2 --jobs 2 --out "$tmp/a2"
expect "--accum 2: the report says the micro-batches" grep -q "as 2 micro-batches of 2" "$tmp/a2/report.md"
must "lab, mpirun -n 2 --ranks-per-run 2" "${MPI[@]}" "$SW" "${LAB[@]}" --ranks-per-run 2 --out "$tmp/g2"
expect "--ranks-per-run 2: 8 runs" [ "$(ls "$tmp"/g2/runs/*/result.txt | wc -l)" -eq 8 ]
expect "--ranks-per-run 2: the report's numbers are --accum 2's" same_numbers "$tmp/g2" "$tmp/a2"
worst=$(/usr/bin/python3 - "$tmp/a2" "$tmp/g2" <<'PY'
import glob, os, sys
w = 0.0
for f in glob.glob(os.path.join(sys.argv[1], "runs", "*", "result.txt")):
    g = f.replace(sys.argv[1], sys.argv[2], 1)
    ka = dict(l.strip().split("=", 1) for l in open(f) if "_hex=" in l)
    kb = dict(l.strip().split("=", 1) for l in open(g) if "_hex=" in l)
    for k, v in ka.items():
        x, y = float.fromhex(v), float.fromhex(kb[k])
        w = max(w, abs(x - y) / abs(x))
print(w)
PY
)
expect "--ranks-per-run 2: final losses within 1e-6 of --accum 2's (worst ${worst:-none})" \
    /usr/bin/python3 -c "import sys; sys.exit(not ${worst:-1} <= 1e-6)"
out=$("$SW" "${LAB[@]}" --ranks-per-run 2 --out "$tmp/g1" 2>&1); rc=$?
expect "--ranks-per-run without mpirun refused: '$out'" [ $rc -ne 0 ] && grep -q "needs mpirun -n N with N a multiple of 2" <<<"$out"
out=$("$SW" "${LAB[@]}" --ranks-per-run 2 --run 0 --out "$tmp/g1" 2>&1); rc=$?
expect "--ranks-per-run with --run refused, --accum named: '$out'" [ $rc -ne 0 ] && grep -q "give --accum 2" <<<"$out"
out=$("$SW" "${LAB[@]}" --out "$tmp/g2" --report-only 2>&1); rc=$?
expect "an --accum 2 folder without --accum refused: '$out'" [ $rc -ne 0 ] && grep -q "another plan" <<<"$out"
out=$("$SW" compare --preset tiny --accum 3 --out "$tmp/g3" 2>&1); rc=$?
expect "a batch of 4 in 3 micro-batches refused: '$out'" [ $rc -ne 0 ] && grep -q "cannot be cut into 3 micro-batches" <<<"$out"
expect "compare --help shows --ranks-per-run" bash -c "'$SW' compare --help | grep -q -- '--ranks-per-run K'"
# --ranks-per-run 2 interrupted in the middle of a run's checkpoint save (aimed with the
# shim tests/shim/enospc.c: every fsync of a checkpoint temporary sleeps 1 s, longer than
# Open MPI's grace before it SIGKILLs the ranks of a signalled mpirun, so this is a kill
# mid-save): mpirun ends, the temporary is left, and the same command again finishes the
# plan with the uninterrupted --ranks-per-run 2 numbers
if cc -shared -fPIC -O1 -o "$tmp/slow.so" tests/shim/enospc.c -ldl 2>"$tmp/cc.err"; then
    env ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0" LD_PRELOAD="$tmp/slow.so" SW_SHIM_MATCH=ckpt.bin.tmp. \
        SW_SHIM_FSYNC_SLEEP=1 "${MPI[@]}" -x LD_PRELOAD -x SW_SHIM_MATCH -x SW_SHIM_FSYNC_SLEEP -x ASAN_OPTIONS \
        "$SW" "${LAB[@]}" --ranks-per-run 2 --out "$tmp/gi" > "$tmp/gi.out" 2>&1 & p=$!
    f=; for _ in $(seq 1500); do
        f=$(ls "$tmp"/gi/runs/*/ckpt.bin.tmp.* 2>/dev/null | head -n 1); [ -n "$f" ] && break
        kill -0 $p 2>/dev/null || break; sleep 0.02
    done
    expect "--ranks-per-run 2, SIGINT: sent while a run saves a checkpoint ($f)" [ -n "$f" ]
    kill -INT $p 2>/dev/null; wait_exit $p 30
    expect "--ranks-per-run 2, SIGINT: mpirun ends (rc $rc)" [ $rc -ne 124 ]
    expect "--ranks-per-run 2, SIGINT: runs left to do" [ "$(ls "$tmp"/gi/runs/*/result.txt 2>/dev/null | wc -l)" -lt 8 ]
    must "--ranks-per-run 2, the same command again" "${MPI[@]}" "$SW" "${LAB[@]}" --ranks-per-run 2 --out "$tmp/gi"
    expect "--ranks-per-run 2 interrupted and continued: the uninterrupted numbers" same_numbers "$tmp/gi" "$tmp/g2"
    expect "--ranks-per-run 2: the killed save's temporary removed when its run finished: $(ls "$tmp"/gi/runs/*/*.tmp.* 2>/dev/null)" \
        bash -c "! ls '$tmp'/gi/runs/*/*.tmp.* >/dev/null 2>&1"
else
    skip "--ranks-per-run interrupted (cannot build the shim: $(head -n 1 "$tmp/cc.err"))"
fi
must "--run by id" "$SW" "${LAB[@]}" --out "$tmp/one" --run swiglu-s0-fan-in
expect "--run ran that run alone" [ "$(ls "$tmp"/one/runs/*/result.txt)" = "$tmp/one/runs/swiglu-s0-fan-in/result.txt" ]
out=$("$SW" "${LAB[@]}" --out "$tmp/one" --run nope 2>&1); rc=$?
expect "--run of no such run refused: '$out'" [ $rc -ne 0 ] && grep -q "no such run" <<<"$out"

finish test_mpi
