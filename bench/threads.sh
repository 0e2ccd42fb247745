#!/usr/bin/env bash
# threads.sh -- do threads help? One run, side by side, medians of REPS
# repetitions with the configurations alternated (a shared machine drifts):
#
#  train   nanoGPT's CPU baby GPT (4 layers, 4 heads, D 128, context 64,
#          batch 12, GELU d_ff 512) and the standard lab preset's model (the
#          same with SwiGLU, parameter-matched): `swiglu train` at 1 thread,
#          2 threads (all cores: --threads $(nproc)) and the default (the
#          measured count); the machine's own ceiling for using all cores:
#          NT one-thread processes side by side (their summed tokens/s; on a
#          VM the cores share memory bandwidth, caches and clocks, so all
#          threads of one process can hardly beat it); PyTorch's nanoGPT (bench/torch_ref.py, the same
#          model and schedule) at 1 and all threads, its best kept.
#          Each model twice: as it is (split 1) and with --split NT (model
#          name "/sN": each micro-batch in NT parts, a thread each; its 1-
#          thread row is the same computation on one thread).
#  busy    the same `swiglu train` rows with another CPU-bound process
#          running beside (a shell busy loop, started and stopped here).
#  decode  `swiglu generate` (greedy, --bench) at 1 thread, all threads and
#          the default: stories260K, and a D 512, 8-layer SwiGLU model made
#          here (`swiglu train --steps 1` + `swiglu export`, ~100 MB).
#
#   bench/threads.sh [--reps N] [--steps N] [--torch-steps N] [--skip-torch] [--splits "1 2"] [--json FILE]
#
# Rates are training tokens/s (evaluation excluded) and decoded tokens/s.
# Ratios printed: all threads / 1 thread, default / best explicit, ours /
# PyTorch's best. PyTorch: Debian's python3-torch runs fp32 matmuls on the
# reference (netlib) BLAS unless TORCH_BLAS_DIR names a folder with an
# OpenBLAS libblas.so.3 (scripts/bench_compare_ffn.sh says how to get one
# without installing it); the JSON says which it was.
# Needs ../shared/data/tinyshakespeare.txt (or DATA=...). Minutes; run it on
# an otherwise quiet machine (its own busy process aside).
set -eu
cd "$(dirname "$0")/.."
O=${O:-build}
DATA=${DATA:-../shared/data/tinyshakespeare.txt}
STORIES=${STORIES:-../shared/models/stories260K.bin}
REPS=5; STEPS=120; TORCH_STEPS=40; SKIP_TORCH=0; JSON=bench/results/threads.json; SPLITS=
while [ $# -gt 0 ]; do
    case $1 in
        --reps) REPS=$2; shift 2;;
        --steps) STEPS=$2; shift 2;;
        --torch-steps) TORCH_STEPS=$2; shift 2;;
        --skip-torch) SKIP_TORCH=1; shift;;
        --splits) SPLITS=$2; shift 2;;
        --json) JSON=$2; shift 2;;
        *) echo "threads.sh: unknown option $1" >&2; exit 2;;
    esac
done
[ -f "$DATA" ] || { echo "threads.sh: no data: $DATA" >&2; exit 2; }
make -s -j2 "$O/swiglu"
SW=$O/swiglu
NT=$(nproc)
SPLITS=${SPLITS:-1 $NT}
tmp=$(mktemp -d /tmp/swiglu-threads-bench.XXXXXX)
busy_pid=
cleanup() { [ -n "$busy_pid" ] && kill "$busy_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
rows=$tmp/rows.tsv   # section, model, config, rep, rate
: >"$rows"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
echo "# $(date -u +%FT%TZ) $cpu, $NT cpus, load average $(cut -d' ' -f1-3 /proc/loadavg)"

MODEL_ARGS=(--tokens char --layers 4 --heads 4 --dim 128 --context 64 --batch 12 --lr 1e-3 --min-lr 1e-4
            --beta2 0.99 --wd 0.1 --clip 1.0)
name() { if [ "$2" = 1 ]; then echo "$1"; else echo "$1/s$2"; fi; }   # model split -> row name
ours() {   # section model ffn config split -> appends a row
    local section=$1 model=$2 ffn=$3 config=$4 split=$5 thr=() out rate
    case $config in 1) thr=(--threads 1);; all) thr=(--threads "$NT");; default) thr=();; esac
    model=$(name "$model" "$split")
    out=$(env -u OMP_NUM_THREADS -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT "$SW" train --data "$DATA" "${MODEL_ARGS[@]}" \
          --split "$split" --ffn "$ffn" --steps "$STEPS" --warmup 10 --eval-every 0 --eval-batches 1 --log-every 100000 \
          "${thr[@]}" --ckpt "$tmp/b.ckpt")
    rate=$(sed -n 's/^done: .* \([0-9]*\) tokens\/s.*/\1/p' <<<"$out")
    printf '%s\t%s\t%s\t%s\t%s\n' "$section" "$model" "$config" "$rep" "$rate" >>"$rows"
    printf '  %-6s %-11s %-8s %8s tok/s\n' "$section" "$model" "$config" "$rate"
}
ceiling() {   # section model ffn: NT one-thread trainings at once, their summed rate
    local section=$1 model=$2 ffn=$3 i sum=0 rate
    for i in $(seq 1 "$NT"); do
        env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT OMP_NUM_THREADS=1 "$SW" train --data "$DATA" "${MODEL_ARGS[@]}" \
            --ffn "$ffn" --steps "$STEPS" --warmup 10 --eval-every 0 --eval-batches 1 --log-every 100000 \
            --threads 1 --ckpt "$tmp/c$i.ckpt" >"$tmp/c$i.out" &
    done
    wait
    for i in $(seq 1 "$NT"); do
        rate=$(sed -n 's/^done: .* \([0-9]*\) tokens\/s.*/\1/p' "$tmp/c$i.out")
        sum=$((sum + rate))
    done
    printf '%s\t%s\t%s\t%s\t%s\n' "$section" "$model" ceiling "$rep" "$sum" >>"$rows"
    printf '  %-6s %-11s %-8s %8s tok/s (%d processes of 1 thread)\n' "$section" "$model" ceiling "$sum" "$NT"
}
torch() {   # model ffn threads
    local out rate
    out=$(LD_LIBRARY_PATH=${TORCH_BLAS_DIR:+$TORCH_BLAS_DIR:}${LD_LIBRARY_PATH:-} OMP_WAIT_POLICY=passive \
          /usr/bin/python3 bench/torch_ref.py --data "$DATA" "${MODEL_ARGS[@]}" --ffn "$2" --steps "$TORCH_STEPS" \
          --warmup 2 --eval-every "$TORCH_STEPS" --eval-batches 1 --log-every 100000 --threads "$3")
    rate=$(tail -n 1 <<<"$out" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens_per_s"])')
    printf 'train\t%s\ttorch-%s\t%s\t%s\n' "$1" "$3" "$rep" "$rate" >>"$rows"
    printf '  %-6s %-11s %-8s %8s tok/s\n' train "$1" "torch-$3" "$rate"
}
decode() {   # model-name file config
    local thr=() out rate
    case $3 in 1) thr=(--threads 1);; all) thr=(--threads "$NT");; default) thr=();; esac
    out=$(env -u OMP_NUM_THREADS -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT "$SW" generate "$2" --ids -t 0 -n 128 "${thr[@]}" --bench 5)
    rate=$(sed -n 's/.* median \([0-9]*\) tok\/s.*/\1/p' <<<"$out")
    printf 'decode\t%s\t%s\t%s\t%s\n' "$1" "$3" "$rep" "$rate" >>"$rows"
    printf '  %-6s %-11s %-8s %8s tok/s\n' decode "$1" "$3" "$rate"
}

# the decoding model: D 512, 8 layers, SwiGLU, exported to llama2.c
"$SW" train --data "$DATA" --tokens char --dim 512 --layers 8 --heads 8 --context 256 --batch 1 --steps 1 \
    --eval-every 0 --eval-batches 1 --quiet --ffn swiglu --ckpt "$tmp/d512.ckpt"
"$SW" export --ckpt "$tmp/d512.ckpt" --llama2c "$tmp/d512.bin" >/dev/null

for rep in $(seq 1 "$REPS"); do
    echo "== repetition $rep of $REPS"
    for m in baby:gelu standard:swiglu; do
        for sp in $SPLITS; do
            for c in 1 all default; do ours train "${m%%:*}" "${m##*:}" "$c" "$sp"; done
        done
        [ "$NT" -gt 1 ] && ceiling train "${m%%:*}" "${m##*:}"
        if [ "$SKIP_TORCH" = 0 ] && [ "$rep" -le 2 ]; then   # PyTorch is slow: 2 repetitions
            torch "${m%%:*}" "${m##*:}" 1; torch "${m%%:*}" "${m##*:}" "$NT"
        fi
    done
    sh -c 'while :; do :; done' & busy_pid=$!
    for m in baby:gelu standard:swiglu; do
        for sp in $SPLITS; do
            for c in 1 all default; do ours busy "${m%%:*}" "${m##*:}" "$c" "$sp"; done
        done
    done
    kill "$busy_pid"; wait "$busy_pid" 2>/dev/null || true; busy_pid=
    for c in 1 all default; do
        [ -f "$STORIES" ] && decode stories260K "$STORIES" "$c"
        decode d512x8 "$tmp/d512.bin" "$c"
    done
done

/usr/bin/python3 - "$rows" "$JSON" "$cpu" "$NT" "${TORCH_BLAS_DIR:-netlib (Debian default)}" "$STEPS" "$REPS" <<'EOF'
import json, statistics, sys, time
rows_f, out, cpu, nt, blas, steps, reps = sys.argv[1:8]
med = {}
for line in open(rows_f):
    sec, model, cfg, rep, rate = line.rstrip("\n").split("\t")
    if rate:
        med.setdefault((sec, model, cfg), []).append(float(rate))
med = {k: statistics.median(v) for k, v in med.items()}
res = {"cpu": cpu, "cpus": int(nt), "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
       "train_steps": int(steps), "reps": int(reps), "torch_blas": blas, "rows": []}
print("\nmedians (tokens/s) and ratios")
print(f"{'section':8} {'model':12} {'1 thread':>9} {'all':>9} {'default':>9} {'all/1':>6} {'def/best':>8} {'ceiling/1':>9} {'torch best':>10} {'ours/torch':>10}")
for sec in ("train", "busy", "decode"):
    for model in sorted({k[1] for k in med if k[0] == sec}):
        g = lambda c: med.get((sec, model, c))
        base = model.split("/")[0]   # "baby/s2": the baby with --split 2; the ceiling and PyTorch are the baby's
        one, al, de = g("1"), g("all"), g("default")
        ce = med.get((sec, base, "ceiling"))
        tb = max([v for c, v in med.items() if c[0] == "train" and c[1] == base and c[2].startswith("torch")] or [0]) if sec == "train" else 0
        best = max(x for x in (one, al) if x)
        row = {"section": sec, "model": model, "one": one, "all": al, "default": de,
               "all_over_one": al / one if one and al else None,
               "ceiling": ce, "ceiling_over_one": ce / one if ce and one else None,
               "default_over_best": de / best if de and best else None,
               "torch_best": tb or None, "ours_best_over_torch": best / tb if tb else None}
        res["rows"].append(row)
        f = lambda x, w=9, p=0: f"{x:{w}.{p}f}" if x else f"{'-':>{w}}"
        print(f"{sec:8} {model:12} {f(one)} {f(al)} {f(de)} {f(row['all_over_one'], 6, 2)} {f(row['default_over_best'], 8, 2)} {f(row['ceiling_over_one'], 9, 2)} {f(tb, 10)} {f(row['ours_best_over_torch'], 10, 2)}")
# the default (split 1, the measured thread count) against the best explicit setting of any split
res["default_over_best_any_split"] = {}
for sec in ("train", "busy"):
    for base in sorted({k[1].split("/")[0] for k in med if k[0] == sec}):
        exp = [v for k, v in med.items() if k[0] == sec and k[1].split("/")[0] == base and k[2] in ("1", "all")]
        de = med.get((sec, base, "default"))
        if exp and de:
            r = de / max(exp)
            res["default_over_best_any_split"][f"{sec}/{base}"] = r
            print(f"{sec:8} {base:12} default (split 1) / best explicit of any split: {r:.2f}")
json.dump(res, open(out, "w"), indent=1)
print(f"\nwritten {out}")
EOF
