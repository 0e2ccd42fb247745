#!/usr/bin/env bash
# bench_generate.sh -- tokens/s of greedy generation with `swiglu generate`
# on a llama2.c checkpoint, 1 and 2 threads (median of RUNS runs each).
#
#   bench/bench_generate.sh [MODEL] [STEPS] [RUNS]
#     MODEL  default ../shared/models/stories260K.bin
#     STEPS  tokens per run, prompt = BOS (default 256, llama2.c's default)
#     RUNS   runs per thread count (default 15)
# Environment: O (build dir, default build), SWIGLU_ISA (kernel set).
# tokens/s = forward passes / wall time of the decoding loop (model load and
# state allocation excluded, as llama2.c's run.c reports it); 'tok per CPU-s'
# = forward passes / process CPU time (in a VM under load it can overstate).
# Keep other work off the machine while it runs: 2 cores are easily disturbed.
set -eu
cd "$(dirname "$0")/.."
O=${O:-build}
MODEL=${1:-../shared/models/stories260K.bin}
STEPS=${2:-256}
RUNS=${3:-15}
[ -x "$O/swiglu" ] || make -s -j2 "$O/swiglu"
[ -f "$MODEL" ] || { echo "bench_generate: $MODEL not found" >&2; exit 2; }
echo "# $(date -u +%FT%TZ) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cpus, load average $(cut -d' ' -f1-3 /proc/loadavg)"
load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l > 0.5 * n) }'; then
    echo "# WARNING: load average $load on $(nproc) cpus: other processes share the cores; wall-clock"
    echo "#          tokens/s are low and noisy (2 threads worst); quote the load with the numbers"
fi
for t in 1 2; do
    "$O/swiglu" generate --model "$MODEL" -t 0 -n "$STEPS" --threads "$t" --bench "$RUNS"
done
