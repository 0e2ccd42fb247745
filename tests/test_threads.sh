#!/usr/bin/env bash
# Threads change the speed and nothing else: `swiglu train` gives the same
# checkpoint, byte for byte, at 1, 2 and 3 threads and with the measured
# default (the tuner switches counts during the run), for several models
# (SwiGLU, bf16, grouped-query attention with dropout, odd batch and
# context), and `swiglu generate` the same tokens; --profile prints every phase and they add up to the step; the
# command sets OpenMP's waiting when the user did not (swiglu info).
# Ends with "N passed, N failed, N skipped".
set -u
. "$(dirname "$0")/support/cli_test.bash"   # O, SW, must, expect, finish
tmp=$(mktemp -d /tmp/swiglu-threads-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
data=../shared/data/tinyshakespeare.txt
if [ ! -r "$data" ]; then
    data=$tmp/text.txt
    for i in $(seq 1 200); do cat README.md docs/MODEL.md; done >"$data"
fi

i=0
for extra in "--ffn swiglu" "--ffn swiglu --bf16" "--ffn geglu --kv-heads 2 --dropout 0.1" "--ffn relu --batch 5 --context 37" \
             "--ffn swiglu --split 2" "--ffn swiglu --bf16 --split 2" "--ffn geglu --kv-heads 2 --dropout 0.1 --split 3" \
             "--ffn relu --batch 5 --context 37 --split 2"; do
    i=$((i + 1))
    # shellcheck disable=SC2086
    args=(train --data "$data" --tokens char --layers 2 --heads 4 --dim 64 --context 32 --batch 6 --steps 12
          --eval-every 6 --eval-batches 2 $extra)
    must "train $extra, 1 thread" env OMP_NUM_THREADS=1 "$SW" "${args[@]}" --quiet --threads 1 --ckpt "$tmp/a$i.ckpt" --loss-log "$tmp/a$i.log"
    for t in 2 3; do
        must "train $extra, $t threads" "$SW" "${args[@]}" --quiet --threads $t --ckpt "$tmp/b$i.ckpt" --loss-log "$tmp/b$i.log"
        expect "$extra: $t threads give the 1-thread checkpoint byte for byte" cmp -s "$tmp/a$i.ckpt" "$tmp/b$i.ckpt"
        expect "$extra: $t threads give the 1-thread loss log" cmp -s "$tmp/a$i.log" "$tmp/b$i.log"
    done
    # the measured default: the tuner tries every count from the cores down to 1 in the first steps
    must "train $extra, measured threads" env -u OMP_NUM_THREADS "$SW" "${args[@]}" --log-every 100 --ckpt "$tmp/c$i.ckpt"
    expect "$extra: the measured default gives the same checkpoint" cmp -s "$tmp/a$i.ckpt" "$tmp/c$i.ckpt"
    cores=$(nproc)
    if [ "$cores" -gt 1 ]; then
        expect "$extra: the tuner says what it chose" grep -q "^threads: [0-9]*, the fastest when last measured (" <<<"$out"
    fi
done

# --split S: each micro-batch as S parts side by side; the same sum in another order, so
# the losses follow split 1's to rounding (configs 1 and 5, 3 and 7: the same run, split 1 and 2 or 3;
# dropout: a part's masks are its positions' in the whole batch)
close_logs() {   # the last step's loss (hex float, column 2) of two loss logs within 1e-4 relative
    /usr/bin/python3 - "$1" "$2" <<'PY'
import sys
a, b = (float.fromhex(open(f).read().split("\n")[-2].split()[1]) for f in sys.argv[1:3])
sys.exit(0 if abs(a - b) <= 1e-4 * abs(a) else 1)
PY
}
expect "--split 2: the loss follows split 1's to rounding" close_logs "$tmp/a1.log" "$tmp/a5.log"
expect "--split 2: not the same bits as split 1 (a sum in another order)" test "$(tail -1 "$tmp/a1.log")" != "$(tail -1 "$tmp/a5.log")"
expect "--split 3 with dropout: the loss follows split 1's to rounding" close_logs "$tmp/a3.log" "$tmp/a7.log"
# on AVX2 (oneDNN and our kernels limited to it, as on a CPU without AVX-512) the unsplit
# run's bits depend on the thread count (docs/MODEL.md, Threads); a split run's do not
for t in 1 2; do
    must "--split 2 on AVX2, $t threads" env ONEDNN_MAX_CPU_ISA=AVX2 SWIGLU_ISA=avx2 "$SW" train --data "$data" --tokens char \
        --layers 2 --heads 4 --dim 64 --context 32 --batch 6 --steps 8 --eval-every 4 --eval-batches 2 --quiet \
        --ffn relu --split 2 --threads $t --ckpt "$tmp/avx2_$t.ckpt"
done
expect "--split 2 on AVX2: 2 threads give the 1-thread checkpoint byte for byte" cmp -s "$tmp/avx2_1.ckpt" "$tmp/avx2_2.ckpt"

# resume continues a split run bit for bit when given the same --split (a run setting, as
# the thread count: not kept in the checkpoint)
sargs=(train --data "$data" --tokens char --layers 2 --heads 4 --dim 64 --context 32 --batch 6 --steps 12
       --eval-every 6 --eval-batches 2 --quiet --threads 2 --ffn swiglu --split 2)
must "--split 2: first half" "$SW" "${sargs[@]}" --stop-at 6 --ckpt "$tmp/r.ckpt"
cp "$tmp/r.ckpt" "$tmp/r1.ckpt"
must "--split 2: resumed with --split 2" "$SW" train --data "$data" --quiet --threads 1 --split 2 --resume "$tmp/r.ckpt"
expect "--split 2: stop and resume give the uninterrupted checkpoint" cmp -s "$tmp/r.ckpt" "$tmp/a5.ckpt"
must "--split 2: resumed without --split" "$SW" train --data "$data" --threads 1 --resume "$tmp/r1.ckpt"
expect "--split 2: resumed without it, split 1 (said)" grep -q "^model: .*1 thread; resumed" <<<"$out"
expect "--split 2: resumed without it: other last bits" test "$(cmp -s "$tmp/r1.ckpt" "$tmp/a5.ckpt"; echo $?)" = 1
out=$("$SW" train --data "$data" --tokens char --batch 6 --split 7 --steps 1 --ckpt "$tmp/bad.ckpt" 2>&1); rc=$?
expect "--split above the batch: refused" test $rc -ne 0
expect "--split above the batch: says why" grep -q "split must be in \\[1, batch 6\\], got 7" <<<"$out"
expect "--split above the batch: one line" test "$(wc -l <<<"$out")" -eq 1
out=$("$SW" train --data "$data" --resume "$tmp/r1.ckpt" --split 7 2>&1); rc=$?
expect "--split on --resume above the checkpoint's batch: refused" test $rc -ne 0
expect "--split on --resume above the checkpoint's batch: says why" grep -q "split 7 is above the checkpoint's batch 6" <<<"$out"

# --profile: a row per phase, the shares add up to the step
must "train --profile" "$SW" train --data "$data" --tokens char --layers 2 --heads 2 --dim 32 --context 16 --batch 4 \
    --steps 5 --eval-every 0 --quiet --threads 1 --profile --ckpt "$tmp/p.ckpt"
expect "profile header" grep -q "^profile: 5 steps, 1 thread, " <<<"$out"
for ph in "rmsnorm" "gemm (q k v o, head)" "ffn (gemms + act)" "attention" "elementwise" "adamw" "grad norm + clip"; do
    expect "profile row: $ph" grep -qF "  $ph " <<<"$out"
done
must "train --profile --split 2" "$SW" train --data "$data" --tokens char --layers 2 --heads 2 --dim 32 --context 16 \
    --batch 4 --steps 5 --eval-every 0 --quiet --threads 2 --split 2 --profile --ckpt "$tmp/p2.ckpt"
expect "profile with --split: part 0's wait for the other parts is a row" grep -qF "  wait (--split parts) " <<<"$out"
must "train --profile" "$SW" train --data "$data" --tokens char --layers 2 --heads 2 --dim 32 --context 16 --batch 4 \
    --steps 5 --eval-every 0 --quiet --threads 1 --profile --ckpt "$tmp/p.ckpt"
share=$(awk '/^  [a-z]/ && $NF ~ /%$/ { s += $NF + 0 } END { printf "%.0f", s }' <<<"$out")
expect "profile shares add up to ~100 % (got $share)" test "$share" -ge 95 -a "$share" -le 101

# generate: the same tokens at 1 and 3 threads and with the measured default
model=../shared/models/stories260K.bin
if [ -r "$model" ]; then
    gargs=(generate "$model" --ids -n 120 -t 0.8 -s 7)
    must "generate, 1 thread" "$SW" "${gargs[@]}" --threads 1; a=$out
    must "generate, 3 threads" "$SW" "${gargs[@]}" --threads 3; b=$out
    must "generate, measured threads" env -u OMP_NUM_THREADS "$SW" "${gargs[@]}"; c=$out
    expect "generate: 3 threads give the 1-thread tokens" test "$a" = "$b"
    expect "generate: the measured default gives the 1-thread tokens" test "$a" = "$c"
    expect "generate: 120 sampled ids" test "$(wc -w <<<"$a")" -ge 120
    # stories260K is below the size where threads can pay: 1 thread, not measured
    must "generate --bench, default threads" env -u OMP_NUM_THREADS "$SW" "${gargs[@]}" --bench 2
    expect "generate: a small model decodes on 1 thread by default" grep -q "threads 1, new tokens" <<<"$out"
    must "generate --profile" "$SW" "${gargs[@]}" --threads 1 --profile
    must "generate --profile (stderr)" bash -c "'$SW' generate '$model' --ids -n 20 -s 7 --threads 1 --profile 2>&1 >/dev/null"
    expect "generate --profile: per-token phases" grep -q "^profile: 20 tokens, 1 thread, " <<<"$out"
    expect "generate --profile: the FFN's row" grep -qF "  ffn (gemms + act) " <<<"$out"
else
    skip "no $model"
fi
# a model above the size rule (D 256, 6 layers: 4.8M weights): measured, the same tokens as 1 thread
must "train a D 256 x 6 model (1 step)" "$SW" train --data "$data" --tokens char --dim 256 --layers 6 --heads 4 \
    --context 64 --batch 1 --steps 1 --eval-every 0 --eval-batches 1 --quiet --ffn swiglu --threads 1 --ckpt "$tmp/big.ckpt"
must "generate (big), 1 thread" "$SW" generate "$tmp/big.ckpt" --ids -n 40 -t 0 --threads 1; a=$out
must "generate (big), measured" env -u OMP_NUM_THREADS "$SW" generate "$tmp/big.ckpt" --ids -n 40 -t 0 --bench 1
expect "generate (big): the count is measured" grep -q "threads [0-9]* (measured)" <<<"$out"
must "generate (big), measured, the tokens" env -u OMP_NUM_THREADS "$SW" generate "$tmp/big.ckpt" --ids -n 40 -t 0
expect "generate (big): the measured default gives the 1-thread tokens" test "$a" = "$out"

# OpenMP waiting: set by the command on a busy machine when the user did not
# (another process running at start), left alone when they did
must "info without OpenMP settings" env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT "$SW" info
expect "one of the two settings" grep -qE "GOMP_SPINCOUNT=(1000|\(unset\)) " <<<"$out"
busy_pid=
sh -c 'while :; do :; done' & busy_pid=$!
sh -c 'while :; do :; done' & busy_pid2=$!
must "info beside two busy processes" env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT "$SW" info
kill "$busy_pid" "$busy_pid2"; wait "$busy_pid" "$busy_pid2" 2>/dev/null
expect "busy machine: swiglu sets GOMP_SPINCOUNT=1000" grep -q "GOMP_SPINCOUNT=1000 " <<<"$out"
must "info with OMP_WAIT_POLICY=active" env -u GOMP_SPINCOUNT OMP_WAIT_POLICY=active "$SW" info
expect "the user's OMP_WAIT_POLICY is kept" grep -q "OMP_WAIT_POLICY=active GOMP_SPINCOUNT=(unset)" <<<"$out"

finish test_threads
