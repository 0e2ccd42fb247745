#!/usr/bin/env bash
# train_bf16.sh -- `swiglu train --bf16` against fp32, on both GEMM engines
# (SWIGLU_GEMM=onednn|own), side by side in one run: the configurations
# alternate within each repetition (a shared machine drifts), medians of
# REPS, training tokens/s (evaluation excluded) and the final validation loss.
#
#   standard  the standard lab preset's model: 4 layers, 4 heads, D 128,
#             context 64, batch 12, SwiGLU parameter-matched
#   d512      4 layers, 8 heads, D 512, context 256, batch 8, SwiGLU
#
#   bench/train_bf16.sh [--reps N] [--steps-standard N] [--steps-d512 N] [--threads N] [--json FILE]
#
# Prints per model: tokens/s of each (dtype, engine), bf16 / fp32 per engine,
# own / oneDNN per dtype, and |val loss bf16 - fp32| per engine (the
# trainer's bf16 tolerance is 0.02: tests/test_model.c). Needs
# ../shared/data/tinyshakespeare.txt (or DATA=...); minutes; run it on an
# otherwise quiet machine.
set -eu
cd "$(dirname "$0")/.."
O=${O:-build}
DATA=${DATA:-../shared/data/tinyshakespeare.txt}
REPS=3; STEPS_STD=300; STEPS_D512=30; THREADS=$(nproc); JSON=bench/results/train_bf16.json
while [ $# -gt 0 ]; do
    case $1 in
        --reps) REPS=$2; shift 2;;
        --steps-standard) STEPS_STD=$2; shift 2;;
        --steps-d512) STEPS_D512=$2; shift 2;;
        --threads) THREADS=$2; shift 2;;
        --json) JSON=$2; shift 2;;
        *) echo "train_bf16.sh: unknown option $1" >&2; exit 2;;
    esac
done
[ -f "$DATA" ] || { echo "train_bf16.sh: no data: $DATA" >&2; exit 2; }
make -s -j2 "$O/swiglu"
SW=$O/swiglu
tmp=$(mktemp -d /tmp/swiglu-bf16-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
rows=$tmp/rows.tsv   # model, dtype, engine, rep, tokens/s, val loss
: >"$rows"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
echo "# $(date -u +%FT%TZ) $cpu, $(nproc) cpus, $THREADS threads, load average $(cut -d' ' -f1-3 /proc/loadavg)"

STD=(--layers 4 --heads 4 --dim 128 --context 64 --batch 12 --steps "$STEPS_STD" --warmup 30)
D512=(--layers 4 --heads 8 --dim 512 --context 256 --batch 8 --steps "$STEPS_D512" --warmup 3)
run() {   # model dtype engine args...
    local model=$1 dtype=$2 engine=$3 out rate loss
    shift 3
    local bf=(); [ "$dtype" = bf16 ] && bf=(--bf16)
    out=$(env OMP_WAIT_POLICY=passive SWIGLU_GEMM="$engine" "$SW" train --data "$DATA" --tokens char --ffn swiglu \
          "$@" "${bf[@]}" --lr 1e-3 --min-lr 1e-4 --eval-every 0 --eval-batches 10 --log-every 100000 \
          --threads "$THREADS" --ckpt "$tmp/b.ckpt")
    rate=$(sed -n 's/^done: .* \([0-9]*\) tokens\/s.*/\1/p' <<<"$out")
    loss=$(sed -n 's/^done: step [0-9]*, val loss \([0-9.]*\),.*/\1/p' <<<"$out")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$model" "$dtype" "$engine" "$rep" "$rate" "$loss" >>"$rows"
    printf '  %-8s %-5s %-7s %8s tok/s  val loss %s\n' "$model" "$dtype" "$engine" "$rate" "$loss"
}
for rep in $(seq 1 "$REPS"); do
    echo "== repetition $rep of $REPS"
    for dtype in fp32 bf16; do for engine in onednn own; do run standard "$dtype" "$engine" "${STD[@]}"; done; done
    for dtype in fp32 bf16; do for engine in onednn own; do run d512 "$dtype" "$engine" "${D512[@]}"; done; done
done

/usr/bin/python3 - "$rows" "$JSON" "$cpu" "$THREADS" "$REPS" "$STEPS_STD" "$STEPS_D512" <<'EOF'
import json, statistics, sys, time
rows_f, out, cpu, threads, reps, s_std, s_d512 = sys.argv[1:8]
rate, loss = {}, {}
for line in open(rows_f):
    model, dtype, engine, rep, r, l = line.rstrip("\n").split("\t")
    if r: rate.setdefault((model, dtype, engine), []).append(float(r))
    if l: loss[(model, dtype, engine)] = float(l)   # the same every repetition (deterministic)
med = {k: statistics.median(v) for k, v in rate.items()}
res = {"cpu": cpu, "threads": int(threads), "reps": int(reps), "steps": {"standard": int(s_std), "d512": int(s_d512)},
       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "rows": []}
print("\nmedians (tokens/s), ratios, final validation loss")
print(f"{'model':9} {'dtype':5} {'onednn':>8} {'own':>8} {'own/1dnn':>8} {'bf16/fp32 1dnn':>14} {'bf16/fp32 own':>13} {'val 1dnn':>9} {'val own':>9} {'|bf16-fp32|':>11}")
for model in ("standard", "d512"):
    for dtype in ("fp32", "bf16"):
        g = lambda d, e: med.get((model, d, e))
        on, ow = g(dtype, "onednn"), g(dtype, "own")
        row = {"model": model, "dtype": dtype, "onednn": on, "own": ow,
               "own_over_onednn": ow / on if on and ow else None,
               "bf16_over_fp32_onednn": g("bf16", "onednn") / g("fp32", "onednn") if dtype == "bf16" and g("fp32", "onednn") else None,
               "bf16_over_fp32_own": g("bf16", "own") / g("fp32", "own") if dtype == "bf16" and g("fp32", "own") else None,
               "val_loss_onednn": loss.get((model, dtype, "onednn")), "val_loss_own": loss.get((model, dtype, "own"))}
        if dtype == "bf16":
            row["bf16_minus_fp32_val"] = max(abs(loss[(model, "bf16", e)] - loss[(model, "fp32", e)]) for e in ("onednn", "own")
                                             if (model, "bf16", e) in loss and (model, "fp32", e) in loss)
        res["rows"].append(row)
        f = lambda x, w, p: f"{x:{w}.{p}f}" if x is not None else f"{'-':>{w}}"
        print(f"{model:9} {dtype:5} {f(on, 8, 0)} {f(ow, 8, 0)} {f(row['own_over_onednn'], 8, 2)} {f(row['bf16_over_fp32_onednn'], 14, 2)} "
              f"{f(row['bf16_over_fp32_own'], 13, 2)} {f(row['val_loss_onednn'], 9, 4)} {f(row['val_loss_own'], 9, 4)} {f(row.get('bf16_minus_fp32_val'), 11, 4)}")
json.dump(res, open(out, "w"), indent=1)
print(f"\nwritten {out}")
EOF
