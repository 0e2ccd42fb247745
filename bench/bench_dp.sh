#!/usr/bin/env bash
# bench_dp.sh -- data-parallel `swiglu train` (issue #16, docs/CLUSTER.md):
# tokens/s of the standard preset's model (swiglu, D 128, 4 layers, 4 heads,
# T 64, parameter-matched d_ff 341, batch 12) on the same windows (2
# micro-batches of 12 per step), side by side in one run:
#   1x1        1 rank  x 1 thread   --accum 2        (the baseline)
#   1x2        1 rank  x 2 threads  --accum 2        (threads)
#   1x2-split  1 rank  x 2 threads  --accum 2 --split 2: each micro-batch
#              in 2 parts, a thread each (owner-computes, docs/MODEL.md):
#              the ranks' way inside one process, no MPI
#   2x1        2 ranks x 1 thread   mpirun -n 2, 1 micro-batch each: the
#              sharded optimizer step (the default: reduce-scatter of the
#              gradients, each rank updating half the weights, allgather)
#   2x1-repl   the same, SWIGLU_DP_SHARD=0: every rank updates every weight
#              after a per-layer allreduce (the step before the sharding)
#   2x1-ovl    the same, SWIGLU_DP_OVERLAP=1: per-layer MPI_Iallreduce
#              overlapped with the backward (replicated step)
#   2x1-indep  the bound: two independent 1x1 processes at once, no MPI
#              (the sum of their tokens/s): what this machine gives two
#              busy cores (shared caches, memory, clocks), which no
#              communication scheme can beat; "of bound" = a row / it
#   with --torch, PyTorch 1.13 on the same model (bench/torch_ref.py):
#   torch-1x1  1 process x 1 thread, --accum 2
#   torch-2x1  DistributedDataParallel over gloo, 2 processes x 1 thread,
#              1 micro-batch each
# each the median of REPS runs of STEPS steps, interleaved (a load change
# hits every row alike); training time only (each program's own tokens/s,
# evaluation excluded); speed-ups over 1x1 (ours over ours, PyTorch's over
# PyTorch's 1x1, and PyTorch's 2x1 over ours) against the bound of 2 (two
# cores), and the share of a 2-rank step rank 0 spends communicating.
#
# usage: bench/bench_dp.sh [--json] [--steps 120] [--reps 3] [--torch]
#   --json   one JSON object on stdout (bench/results/dp.json holds one)
#   --steps  120 by default: at 40 the start of a run (first touch of the
#            buffers, Open MPI's shared-memory set-up, the first collectives)
#            weighed on the 2 ranks' shorter training time (quiet EPYC, the
#            same hour: 1.61x at 40 steps, 1.68-1.86x at 120)
#   --torch  the PyTorch rows: /usr/bin/python3 with torch; on Debian's
#            netlib BLAS PyTorch is ~20x slower (docs/MODEL.md), so give
#            TORCH_BLAS_DIR=<dir of an OpenBLAS libblas.so.3>, as
#            scripts/bench_compare_ffn.sh says
# Needs ../shared/data/tinyshakespeare.txt (or DATA=...) and mpirun.
set -eu
cd "$(dirname "$0")/.."
O=${O:-build}
SW=$O/swiglu
DATA=${DATA:-../shared/data/tinyshakespeare.txt}
JSON=0; STEPS=120; REPS=3; TORCH=0
while [ $# -gt 0 ]; do
    case $1 in
        --json) JSON=1; shift;;
        --steps) STEPS=$2; shift 2;;
        --reps) REPS=$2; shift 2;;
        --torch) TORCH=1; shift;;
        *) echo "bench_dp.sh: unknown option $1" >&2; exit 2;;
    esac
done
[ -r "$DATA" ] || { echo "bench_dp.sh: no data: $DATA" >&2; exit 2; }
command -v mpirun >/dev/null || { echo "bench_dp.sh: no mpirun (scripts/deps.sh installs Open MPI)" >&2; exit 2; }
[ -x "$SW" ] || { echo "bench_dp.sh: build first: make ($SW missing)" >&2; exit 2; }
if [ $TORCH = 1 ] && ! /usr/bin/python3 -c 'import torch.distributed as d; assert d.is_gloo_available()' 2>/dev/null; then
    echo "bench_dp.sh: --torch needs /usr/bin/python3 with torch and its gloo backend" >&2; exit 2
fi
export OMP_WAIT_POLICY=passive OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# the model and schedule, both programs' options
SHAPE=(--data "$DATA" --tokens char --layers 4 --heads 4 --dim 128 --context 64 --ffn swiglu --batch 12 --beta2 0.99
       --steps "$STEPS" --warmup 10 --eval-batches 1)
MODEL=("${SHAPE[@]}" --eval-every 0 --ckpt "$tmp/c.ckpt")
# torch_ref.py: d_ff given (its default rounds otherwise), evaluation only at the start and the end
TMODEL=("${SHAPE[@]}" --ffn-hidden 341 --threads 1 --eval-every 1000000000 --log-every 1000000000)
MPI=(mpirun -n 2 --oversubscribe)
# two 1x1 processes side by side, their tokens/s summed into $tmp/2x1-indep
indep() {
    local a b
    "$SW" train "${SHAPE[@]}" --eval-every 0 --ckpt "$tmp/i1.ckpt" --accum 2 --threads 1 > "$tmp/i1.out" 2>&1 & a=$!
    "$SW" train "${SHAPE[@]}" --eval-every 0 --ckpt "$tmp/i2.ckpt" --accum 2 --threads 1 --seed 2 > "$tmp/i2.out" 2>&1 & b=$!
    wait $a && wait $b || { echo "bench_dp.sh: 2x1-indep failed: $(cat "$tmp/i1.out" "$tmp/i2.out")" >&2; exit 1; }
    sed -n 's/^done: .*, \([0-9]*\) tokens\/s;.*/\1/p' "$tmp/i1.out" "$tmp/i2.out" | awk '{ s += $1 } END { print s }' >> "$tmp/2x1-indep"
}
# one run: its tokens/s into $tmp/<row>, and the communication's % into $tmp/<row>.share when it says one
one() {  # row, command...
    local out row=$1; shift
    out=$("$@" 2>&1) || { echo "bench_dp.sh: $row failed: $out" >&2; exit 1; }
    case $row in
        torch*) sed -n 's/.*"tokens_per_s": \([0-9.]*\)}.*/\1/p' <<<"$out" >> "$tmp/$row";;
        *) sed -n 's/^done: .*, \([0-9]*\) tokens\/s;.*/\1/p' <<<"$out" >> "$tmp/$row"
           sed -n 's/^communication: [0-9.]* s, \([0-9.]*\)% .*/\1/p' <<<"$out" >> "$tmp/$row.share";;
    esac
}
TENV=(env OMP_NUM_THREADS=1 LD_LIBRARY_PATH="${TORCH_BLAS_DIR:+$TORCH_BLAS_DIR:}${LD_LIBRARY_PATH:-}")
for _ in $(seq "$REPS"); do
    one 1x1 "$SW" train "${MODEL[@]}" --accum 2 --threads 1
    one 1x2 "$SW" train "${MODEL[@]}" --accum 2 --threads 2
    one 1x2-split "$SW" train "${MODEL[@]}" --accum 2 --threads 2 --split 2
    one 2x1 "${MPI[@]}" "$SW" train "${MODEL[@]}" --threads 1
    one 2x1-repl env SWIGLU_DP_SHARD=0 "${MPI[@]}" -x SWIGLU_DP_SHARD "$SW" train "${MODEL[@]}" --threads 1
    one 2x1-ovl env SWIGLU_DP_OVERLAP=1 "${MPI[@]}" -x SWIGLU_DP_OVERLAP "$SW" train "${MODEL[@]}" --threads 1
    indep
    if [ $TORCH = 1 ]; then
        one torch-1x1 "${TENV[@]}" /usr/bin/python3 bench/torch_ref.py "${TMODEL[@]}" --accum 2
        one torch-2x1 "${TENV[@]}" /usr/bin/python3 bench/torch_ref.py "${TMODEL[@]}" --accum 2 --ddp 2
    fi
done
ROWS=(1x1 1x2 1x2-split 2x1 2x1-repl 2x1-ovl 2x1-indep); [ $TORCH = 1 ] && ROWS+=(torch-1x1 torch-2x1)
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) print "null"; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
declare -A tps share
for r in "${ROWS[@]}"; do tps[$r]=$(median "$tmp/$r"); [ -s "$tmp/$r.share" ] && share[$r]=$(median "$tmp/$r.share"); done
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); ncpu=$(nproc)
load=$(cut -d' ' -f1-3 /proc/loadavg)
blas=${TORCH_BLAS_DIR:-netlib (Debian default)}
if [ $JSON = 1 ]; then
    printf '{"bench":"dp","cpu":"%s","cores":%s,"loadavg_end":"%s","model":"standard preset swiglu D128 L4 T64 d_ff 341 batch 12, 2 micro-batches per step","steps":%s,"reps":%s,' \
        "$cpu" "$ncpu" "$load" "$STEPS" "$REPS"
    [ $TORCH = 1 ] && printf '"torch_blas":"%s",' "$blas"
    printf '"tokens_per_s":{'; sep=
    for r in "${ROWS[@]}"; do printf '%s"%s":%s' "$sep" "$r" "${tps[$r]}"; sep=,; done
    printf '},"x_1x1":{'; sep=
    for r in "${ROWS[@]}"; do
        case $r in torch*) b=${tps[torch-1x1]};; *) b=${tps[1x1]};; esac
        printf '%s"%s":%s' "$sep" "$r" "$(ratio "${tps[$r]}" "$b")"; sep=,
    done
    printf ',"bound":2}'
    printf ',"of_indep_bound":{"1x2-split":%s,"2x1":%s,"2x1-repl":%s,"2x1-ovl":%s}' \
        "$(ratio "${tps[1x2-split]}" "${tps[2x1-indep]}")" "$(ratio "${tps[2x1]}" "${tps[2x1-indep]}")" \
        "$(ratio "${tps[2x1-repl]}" "${tps[2x1-indep]}")" "$(ratio "${tps[2x1-ovl]}" "${tps[2x1-indep]}")"
    [ $TORCH = 1 ] && printf ',"torch_2x1_over_ours_2x1":%s' "$(ratio "${tps[torch-2x1]}" "${tps[2x1]}")"
    printf ',"comm_share_pct":{"2x1":%s,"2x1-repl":%s,"2x1-ovl":%s}}\n' "${share[2x1]}" "${share[2x1-repl]}" "${share[2x1-ovl]}"
else
    echo "CPU: $cpu ($ncpu cores), load average at the end: $load; median of $REPS runs of $STEPS steps"
    printf '%-12s %10s %8s %9s %s\n' "" "tokens/s" "x 1x1" "of bound" "communication (rank 0)"
    for r in "${ROWS[@]}"; do
        case $r in torch*) b=${tps[torch-1x1]}; o=;; *) b=${tps[1x1]}; o=$(ratio "${tps[$r]}" "${tps[2x1-indep]}");; esac
        printf '%-12s %10s %8s %9s %s\n' "$r" "${tps[$r]}" "$(ratio "${tps[$r]}" "$b")" "$o" "${share[$r]:+${share[$r]}%}"
    done
    echo "bound: 2.00 (two cores); this machine's own, measured: 2x1-indep (two 1x1 processes at once, no MPI)"
    [ $TORCH = 0 ] || echo "PyTorch's rows over PyTorch's 1x1; its BLAS: $blas"
fi
