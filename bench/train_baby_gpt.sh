#!/usr/bin/env bash
# train_baby_gpt.sh -- nanoGPT's CPU "baby GPT" on TinyShakespeare, ours and
# PyTorch's (bench/torch_ref.py), same model, data, schedule and threads.
#
#   4 layers, 4 heads, d_model 128, context 64, batch 12, 2000 iterations,
#   lr 1e-3 cosine to 1e-4 after 100 warmup steps, beta2 0.99, dropout 0,
#   weight decay 0.1, clip 1.0, GELU FFN of 4 d, eval 20 batches every 250.
#
# usage: bench/train_baby_gpt.sh [--torch-steps N] [--threads N] [--skip-torch]
#   --torch-steps N  PyTorch runs N steps (warmup scaled to N/20) instead of
#                    2000, and ours runs the same short schedule too, for the
#                    side-by-side loss; the tokens/s ratio is taken from the
#                    two short runs. Debian's python3-torch uses the generic
#                    reference BLAS (netlib) and needs ~2 h for 2000 steps on
#                    2 cores; TORCH_BLAS_DIR=<dir of an OpenBLAS libblas.so.3>
#                    (see scripts/bench_compare_ffn.sh) runs it on OpenBLAS
#                    (~14 min for 2000 steps on 2 busy cores).
# Needs ../shared/data/tinyshakespeare.txt (or DATA=...). Run it on a quiet
# machine: it takes minutes and uses every thread it is given.
set -eu
cd "$(dirname "$0")/.."
O=${O:-build}
DATA=${DATA:-../shared/data/tinyshakespeare.txt}
THREADS=2; TORCH_STEPS=2000; SKIP_TORCH=0
while [ $# -gt 0 ]; do
    case $1 in
        --threads) THREADS=$2; shift 2;;
        --torch-steps) TORCH_STEPS=$2; shift 2;;
        --skip-torch) SKIP_TORCH=1; shift;;
        *) echo "unknown option $1" >&2; exit 2;;
    esac
done
[ -f "$DATA" ] || { echo "no data: $DATA" >&2; exit 2; }
export OMP_WAIT_POLICY=passive   # both sides: threads sleep instead of spinning
OUT=${OUT:-$(mktemp -d)}
COMMON=(--tokens char --layers 4 --heads 4 --dim 128 --context 64 --batch 12 --lr 1e-3 --min-lr 1e-4
        --beta2 0.99 --wd 0.1 --clip 1.0 --ffn gelu --ffn-hidden 512 --eval-batches 20 --threads "$THREADS")

make -s -j2 "$O/swiglu"
echo "== swiglu train, 2000 steps"
"$O/swiglu" train --data "$DATA" "${COMMON[@]}" --steps 2000 --warmup 100 --eval-every 250 \
    --log-every 250 --ckpt "$OUT/baby.ckpt" --metrics "$OUT/baby.jsonl" | tee "$OUT/ours_full.txt"
if [ "$SKIP_TORCH" = 1 ]; then exit 0; fi
if [ "$TORCH_STEPS" != 2000 ]; then
    W=$((TORCH_STEPS / 20))
    echo "== swiglu train, $TORCH_STEPS steps (warmup $W)"
    "$O/swiglu" train --data "$DATA" "${COMMON[@]}" --steps "$TORCH_STEPS" --warmup "$W" \
        --eval-every "$TORCH_STEPS" --log-every 50 --ckpt "$OUT/short.ckpt" | tee "$OUT/ours_short.txt"
    ours=$OUT/ours_short.txt
else
    W=100; ours=$OUT/ours_full.txt
fi
echo "== torch_ref.py, $TORCH_STEPS steps (warmup $W), BLAS: ${TORCH_BLAS_DIR:-system default}"
LD_LIBRARY_PATH=${TORCH_BLAS_DIR:+$TORCH_BLAS_DIR:}${LD_LIBRARY_PATH:-} \
    /usr/bin/python3 bench/torch_ref.py --data "$DATA" --tokens char --layers 4 --heads 4 --dim 128 \
    --context 64 --batch 12 --lr 1e-3 --min-lr 1e-4 --beta2 0.99 --wd 0.1 --clip 1.0 --ffn gelu \
    --ffn-hidden 512 --eval-batches 20 --threads "$THREADS" --steps "$TORCH_STEPS" --warmup "$W" \
    --eval-every "$((TORCH_STEPS < 250 ? TORCH_STEPS : 250))" --log-every 50 | tee "$OUT/torch.txt"
our_val=$(sed -n 's/^done: .*val loss \([0-9.]*\).*/\1/p' "$ours")
our_tps=$(sed -n 's/^done: .* \([0-9]*\) tokens\/s.*/\1/p' "$ours")
t_val=$(sed -n 's/.*"val_loss": \([0-9.]*\).*/\1/p' "$OUT/torch.txt")
t_tps=$(sed -n 's/.*"tokens_per_s": \([0-9.]*\).*/\1/p' "$OUT/torch.txt")
awk -v a="$our_val" -v b="$t_val" -v c="$our_tps" -v d="$t_tps" -v s="$TORCH_STEPS" 'BEGIN {
    printf "== %d steps: val loss ours %.4f, torch %.4f (diff %+.4f); tokens/s ours %.0f, torch %.0f (%.1fx)\n",
           s, a, b, a - b, c, d, c / d }'
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(outputs in $OUT)"
