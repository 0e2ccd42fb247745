#!/usr/bin/env bash
# bench_dp.sh -- data-parallel `swiglu train` (issue #16, docs/CLUSTER.md):
# tokens/s of the standard preset's model (swiglu, D 128, 4 layers, 4 heads,
# T 64, parameter-matched d_ff 341, batch 12) on the same windows three ways,
# side by side in one run:
#   1 rank  x 1 thread   --accum 2              (the baseline)
#   1 rank  x 2 threads  --accum 2              (threads)
#   2 ranks x 1 thread   mpirun -n 2, 1 micro-batch each (data parallel)
#   the same with SWIGLU_DP_OVERLAP=1 (per-layer MPI_Iallreduce overlapped
#                        with the backward instead of blocking per layer)
# each the median of REPS runs of STEPS steps (training time only: the
# trainer's own tokens/s, evaluation excluded), the speed-ups over the
# baseline against the bound of 2 (two cores), and the share of a step the
# 2-rank run spends in its gradient allreduce (rank 0's MPI_Allreduce time /
# training time). PyTorch is not run: its DDP on CPU (gloo) would add a
# second process group to the comparison, not the same work.
#
# usage: bench/bench_dp.sh [--json] [--steps 40] [--reps 3]
#   --json  one JSON object on stdout (bench/results/dp.json holds one)
# Needs ../shared/data/tinyshakespeare.txt (or DATA=...) and mpirun.
set -eu
cd "$(dirname "$0")/.."
O=${O:-build}
SW=$O/swiglu
DATA=${DATA:-../shared/data/tinyshakespeare.txt}
JSON=0; STEPS=40; REPS=3
while [ $# -gt 0 ]; do
    case $1 in
        --json) JSON=1; shift;;
        --steps) STEPS=$2; shift 2;;
        --reps) REPS=$2; shift 2;;
        *) echo "bench_dp.sh: unknown option $1" >&2; exit 2;;
    esac
done
[ -r "$DATA" ] || { echo "bench_dp.sh: no data: $DATA" >&2; exit 2; }
command -v mpirun >/dev/null || { echo "bench_dp.sh: no mpirun (scripts/deps.sh installs Open MPI)" >&2; exit 2; }
[ -x "$SW" ] || { echo "bench_dp.sh: build first: make ($SW missing)" >&2; exit 2; }
export OMP_WAIT_POLICY=passive OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
MODEL=(--data "$DATA" --tokens char --layers 4 --heads 4 --dim 128 --context 64 --ffn swiglu --batch 12
       --beta2 0.99 --steps "$STEPS" --warmup 10 --eval-every 0 --eval-batches 1 --ckpt "$tmp/c.ckpt")
# tokens/s of one run (the "done:" line), and "share" the allreduce's % when there is one
one() {  # label, command...
    local out what=$1; shift
    out=$("$@" 2>&1) || { echo "bench_dp.sh: $what failed: $out" >&2; exit 1; }
    tps=$(sed -n 's/^done: .*, \([0-9]*\) tokens\/s;.*/\1/p' <<<"$out")
    share=$(sed -n 's/^allreduce: [0-9.]* s, \([0-9.]*\)% .*/\1/p' <<<"$out")
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
: > "$tmp/r1"; : > "$tmp/r1t2"; : > "$tmp/r2"; : > "$tmp/share"; : > "$tmp/r2o"; : > "$tmp/shareo"
for _ in $(seq "$REPS"); do   # interleaved: a load change hits all three alike
    one r1 "$SW" train "${MODEL[@]}" --accum 2 --threads 1; echo "$tps" >> "$tmp/r1"
    one r1t2 "$SW" train "${MODEL[@]}" --accum 2 --threads 2; echo "$tps" >> "$tmp/r1t2"
    one r2 mpirun -n 2 --oversubscribe "$SW" train "${MODEL[@]}" --threads 1; echo "$tps" >> "$tmp/r2"; echo "$share" >> "$tmp/share"
    one r2o env SWIGLU_DP_OVERLAP=1 mpirun -n 2 --oversubscribe -x SWIGLU_DP_OVERLAP "$SW" train "${MODEL[@]}" --threads 1
    echo "$tps" >> "$tmp/r2o"; echo "$share" >> "$tmp/shareo"
done
r1=$(median < "$tmp/r1"); r1t2=$(median < "$tmp/r1t2"); r2=$(median < "$tmp/r2"); share=$(median < "$tmp/share")
r2o=$(median < "$tmp/r2o"); shareo=$(median < "$tmp/shareo")
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); ncpu=$(nproc)
load=$(cut -d' ' -f1-3 /proc/loadavg)
sp_t=$(awk -v a="$r1t2" -v b="$r1" 'BEGIN { printf "%.2f", a / b }')
sp_r=$(awk -v a="$r2" -v b="$r1" 'BEGIN { printf "%.2f", a / b }')
sp_o=$(awk -v a="$r2o" -v b="$r1" 'BEGIN { printf "%.2f", a / b }')
if [ $JSON = 1 ]; then
    printf '{"bench":"dp","cpu":"%s","cores":%s,"loadavg":"%s","model":"standard preset swiglu D128 L4 T64 batch 12, 2 micro-batches per step","steps":%s,"reps":%s,' \
        "$cpu" "$ncpu" "$load" "$STEPS" "$REPS"
    printf '"tokens_per_s":{"1rank_1thread":%s,"1rank_2threads":%s,"2ranks_1thread":%s,"2ranks_1thread_overlap":%s},' \
        "$r1" "$r1t2" "$r2" "$r2o"
    printf '"speedup":{"1rank_2threads":%s,"2ranks_1thread":%s,"2ranks_1thread_overlap":%s,"bound":2},' "$sp_t" "$sp_r" "$sp_o"
    printf '"allreduce_share_pct":%s,"allreduce_share_pct_overlap":%s}\n' "$share" "$shareo"
else
    echo "CPU: $cpu ($ncpu cores), load average at the end: $load; median of $REPS runs of $STEPS steps"
    printf '%-22s %10s %8s\n' "" "tokens/s" "x 1x1"
    printf '%-22s %10s %8s\n' "1 rank  x 1 thread" "$r1" "1.00" "1 rank  x 2 threads" "$r1t2" "$sp_t" \
        "2 ranks x 1 thread" "$r2" "$sp_r" "2 ranks, overlapped" "$r2o" "$sp_o"
    echo "bound: 2.00 (two cores); allreduce: $share% of a 2-rank step (rank 0), $shareo% overlapped"
fi
