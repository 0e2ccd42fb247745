#!/usr/bin/env bash
# test_train_cli.sh -- `swiglu train` and `swiglu sample` end to end on a tiny
# model: data errors, resume bit for bit (2N straight vs N + resume + N),
# Ctrl-C and SIGTERM save and exit 0 (the run resumes), damaged checkpoints
# refused, metrics lines, sampling. Ends with "N passed, N failed, N skipped".
set -u
. "$(dirname "$0")/support/cli_test.bash"   # O, SW, pass/fail, expect
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# a deterministic text of ~30 kB
awk 'BEGIN { srand(7); split("the cat sat on a mat and the dog ran to it.", w, " ");
             for (i = 0; i < 6000; i++) { printf "%s%s", w[int(rand() * 10) + 1], (i % 12 == 11) ? "\n" : " " } }' > "$tmp/data.txt"
TINY=(--tokens char --layers 1 --heads 2 --dim 32 --context 16 --batch 4 --eval-batches 2 --threads 2 --quiet)

# --- data errors: one line, non-zero exit ---
out=$("$SW" train --data "$tmp/none.txt" "${TINY[@]}" 2>&1); rc=$?
expect "missing data: rc $rc, '$out'" [ $rc -ne 0 -a "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]
expect "missing data names the file" grep -q "cannot open data file" <<<"$out"
: > "$tmp/empty.txt"
out=$("$SW" train --data "$tmp/empty.txt" "${TINY[@]}" 2>&1); rc=$?
expect "empty data: '$out'" [ $rc -ne 0 ]
expect "empty data message" grep -q "is empty" <<<"$out"
head -c 100 "$tmp/data.txt" > "$tmp/short.txt"
out=$("$SW" train --data "$tmp/short.txt" "${TINY[@]}" 2>&1); rc=$?
expect "short data: '$out'" [ $rc -ne 0 ]
expect "short data message" grep -q "too short" <<<"$out"
out=$("$SW" train --data "$tmp/data.txt" --ffn nope 2>&1); rc=$?
expect "unknown variant refused: '$out'" [ $rc -ne 0 ]

# --- resume: 2N straight == N + resume + N, bit for bit (with dropout: its masks continue too) ---
must "straight run exits 0" "$SW" train --data "$tmp/data.txt" "${TINY[@]}" --dropout 0.1 --steps 12 --eval-every 4 \
    --ckpt "$tmp/full.ckpt" --loss-log "$tmp/full.log" --metrics "$tmp/full.jsonl"
must "first half exits 0" "$SW" train --data "$tmp/data.txt" "${TINY[@]}" --dropout 0.1 --steps 12 --eval-every 4 \
    --ckpt "$tmp/half.ckpt" --loss-log "$tmp/half.log" --stop-at 6
expect "first half stopped at 6" [ "$(wc -l < "$tmp/half.log")" -eq 6 ]
must "resumed run exits 0" "$SW" train --data "$tmp/data.txt" --resume "$tmp/half.ckpt" --threads 2 --quiet \
    --ckpt "$tmp/half.ckpt" --loss-log "$tmp/half.log"
expect "resume: 12 losses identical bit for bit" cmp -s "$tmp/full.log" "$tmp/half.log"
expect "final checkpoints identical" cmp -s "$tmp/full.ckpt" "$tmp/half.ckpt"
expect "metrics: an evaluation line at steps 0, 4, 8, 12" [ "$(grep -c '"val_loss"' "$tmp/full.jsonl")" -eq 4 ]
expect "metrics lines carry dead fractions" grep -q '"dead_fraction":\[' "$tmp/full.jsonl"

# --- damaged checkpoints ---
cp "$tmp/full.ckpt" "$tmp/bad.ckpt"
printf '\x55' | dd of="$tmp/bad.ckpt" bs=1 seek=5000 conv=notrunc 2>/dev/null
out=$("$SW" train --data "$tmp/data.txt" --resume "$tmp/bad.ckpt" --quiet 2>&1); rc=$?
expect "corrupt checkpoint refused: '$out'" [ $rc -ne 0 ]
expect "corrupt: names the CRC" grep -q "CRC-32" <<<"$out"
head -c 3000 "$tmp/full.ckpt" > "$tmp/bad.ckpt"
out=$("$SW" sample --ckpt "$tmp/bad.ckpt" 2>&1); rc=$?
expect "truncated checkpoint refused: '$out'" [ $rc -ne 0 ]
expect "truncated: says so" grep -q "truncated" <<<"$out"
out=$("$SW" sample --ckpt "$tmp/data.txt" 2>&1); rc=$?
expect "foreign file refused: '$out'" [ $rc -ne 0 ]
expect "foreign: bad magic" grep -q "not a swiglu checkpoint" <<<"$out"

# --- sampling ---
s1=$("$SW" sample --ckpt "$tmp/full.ckpt" --prompt "the " -n 40 --temperature 0.8 --top-p 0.9 --seed 3); rc=$?
expect "sample exits 0" [ $rc -eq 0 ]
must "sample again exits 0" "$SW" sample --ckpt "$tmp/full.ckpt" --prompt "the " -n 40 --temperature 0.8 --top-p 0.9 --seed 3
s2=$out
expect "sample starts with the prompt and adds 40 bytes" [ "${#s1}" -eq 44 -a "${s1:0:4}" = "the " ]
expect "sample is deterministic for a seed" [ "$s1" = "$s2" ]
out=$("$SW" sample --ckpt "$tmp/full.ckpt" --prompt "XYZ" 2>&1); rc=$?
expect "prompt outside the vocabulary refused: '$out'" [ $rc -ne 0 ]

# --- Ctrl-C and SIGTERM mid-run: save a checkpoint and exit 0; it resumes there ---
# (no time limit: wait_exit is a hang guard; a run that ignored the signal
# would go on for 10^6 steps and be killed there, rc 124)
for sig in INT TERM; do
    ck=$tmp/$sig.ckpt log=$tmp/$sig.log
    "$SW" train --data "$tmp/data.txt" "${TINY[@]}" --steps 1000000 --eval-every 0 --ckpt "$ck" --loss-log "$log" &
    pid=$!
    # mid-run: a few steps logged
    for _ in $(seq 1200); do [ "$(wc -l 2>/dev/null < "$log" || echo 0)" -ge 3 ] && break; sleep 0.05; done
    expect "SIG$sig: the run is under way" [ "$(wc -l < "$log")" -ge 3 ]
    kill -$sig $pid
    wait_exit $pid
    expect "SIG$sig: exit 0 (got $rc)" [ $rc -eq 0 ]
    expect "SIG$sig: checkpoint written" [ -s "$ck" ]
    out=$("$SW" sample --ckpt "$ck" -n 5 2>&1); rc=$?
    expect "SIG$sig checkpoint loads: '$out'" [ $rc -eq 0 ]
    k=$(wc -l < "$log")
    out=$("$SW" train --data "$tmp/data.txt" --threads 2 --resume "$ck" --ckpt "$ck" --steps $((k + 2)) --loss-log "$log" 2>&1); rc=$?
    expect "SIG$sig checkpoint resumes: rc $rc" [ $rc -eq 0 ]
    expect "SIG$sig checkpoint resumes at step $k: '$out'" grep -q "resumed from $ck at step $k\$" <<<"$out"
    expect "SIG$sig: the resumed run took 2 more steps" [ "$(wc -l < "$log")" -eq $((k + 2)) ]
done

finish test_train_cli
