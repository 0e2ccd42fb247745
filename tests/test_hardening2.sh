#!/usr/bin/env bash
# test_hardening2.sh -- the red team's CLI cases of issue #21 (and #20's
# point 1), each as the user now sees it:
#  - every output flag (train --ckpt, --metrics, --loss-log; export
#    --llama2c; inspect --out; compare --out) refuses, before any work, a
#    path in a missing folder, a folder, and any of the command's inputs
#    (the same file under another name too: compared by device and inode);
#  - saves refuse a device, a FIFO and a symbolic link, leaving them as they
#    were (they used to be replaced by a regular file);
#  - --metrics and --loss-log on /dev/full: exit 2, one line, not exit 0;
#  - a dead writer's '<ckpt>.tmp.<pid>' is removed by the next save, a live
#    one's is not;
#  - NaN weights: generate and export refuse them naming the tensor, inspect
#    counts them (exit 0, no crash), sample refuses our checkpoint;
#  - inspect --data: empty file, a folder, a NUL byte (llama2.c tokenizer);
#  - compare on a one-symbol corpus (5000 x 'a', all NUL): refused up front;
#  - messages: --resume with options it would ignore, --steps below the
#    saved step, --lr 1e400 / 1e-320, a /proc file as --data.
# A `timeout` is only a hang guard. Ends with "N passed, N failed".
set -u
. "$(dirname "$0")/support/cli_test.bash"   # O, SW, pass/fail, expect
lines() { printf '%s\n' "$1" | wc -l; }
one_line_exit2() { [ "$1" -eq 2 ] && [ "$(lines "$2")" -eq 1 ] && [[ $2 == swiglu:* ]]; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
G=(timeout -s KILL 120)   # hang guard

awk 'BEGIN { srand(5); split("the cat sat on a mat and the dog ran to it.", w, " ");
             for (i = 0; i < 3000; i++) { printf "%s%s", w[int(rand() * 10) + 1], (i % 12 == 11) ? "\n" : " " } }' > "$tmp/data.txt"
TINY=(--data "$tmp/data.txt" --tokens char --layers 1 --heads 2 --dim 16 --context 16 --batch 4
      --eval-batches 1 --eval-every 0 --threads 1 --quiet)
# a run that would take hours: a refusal must come before it starts
LONG=(--steps 100000000)
"${G[@]}" "$SW" train "${TINY[@]}" --steps 2 --ckpt "$tmp/m.ckpt" >/dev/null 2>&1
expect "setup: a checkpoint" [ -f "$tmp/m.ckpt" ]

# --- train: each output flag, before any work ---
for flag in --ckpt --metrics --loss-log; do
    out=$("${G[@]}" "$SW" train "${TINY[@]}" "${LONG[@]}" $flag "$tmp/nodir/x" 2>&1); rc=$?
    expect "train $flag in a missing folder: at once, one line: '$out'" one_line_exit2 $rc "$out"
    expect "train $flag in a missing folder: names the folder" grep -q "folder '$tmp/nodir'" <<<"$out"
    out=$("${G[@]}" "$SW" train "${TINY[@]}" "${LONG[@]}" $flag "$tmp" 2>&1); rc=$?
    expect "train $flag a folder: '$out'" one_line_exit2 $rc "$out"
    cp "$tmp/data.txt" "$tmp/data.bak"
    out=$("${G[@]}" "$SW" train "${TINY[@]}" "${LONG[@]}" $flag "$tmp/./data.txt" 2>&1); rc=$?
    expect "train $flag = --data (another spelling): '$out'" one_line_exit2 $rc "$out"
    expect "train $flag = --data: says so" grep -q "is the --data file; refusing to overwrite an input" <<<"$out"
    expect "train $flag = --data: the data untouched" cmp -s "$tmp/data.txt" "$tmp/data.bak"
done
ln "$tmp/data.txt" "$tmp/hard.txt"
out=$("${G[@]}" "$SW" train "${TINY[@]}" "${LONG[@]}" --loss-log "$tmp/hard.txt" 2>&1); rc=$?
expect "train --loss-log a hard link of --data: '$out'" one_line_exit2 $rc "$out"
cp "$tmp/m.ckpt" "$tmp/m.bak"
out=$("${G[@]}" "$SW" train --data "$tmp/data.txt" --threads 1 --quiet --resume "$tmp/m.ckpt" --metrics "$tmp/m.ckpt" 2>&1); rc=$?
expect "train --metrics = --resume: '$out'" one_line_exit2 $rc "$out"
expect "train --metrics = --resume: the checkpoint untouched" cmp -s "$tmp/m.ckpt" "$tmp/m.bak"
out=$("${G[@]}" "$SW" train "${TINY[@]}" "${LONG[@]}" --metrics "$tmp/same" --loss-log "$tmp/same" 2>&1); rc=$?
expect "train --loss-log = --metrics: '$out'" one_line_exit2 $rc "$out"
out=$("${G[@]}" "$SW" train --data "$tmp/data.txt" --threads 1 --quiet --resume "$tmp/m.ckpt" --ckpt "$tmp/m.ckpt" --steps 3 2>&1); rc=$?
expect "train --ckpt = --resume continues in place: '$out'" [ $rc -eq 0 ]

# --- messages (item 10) ---
cp "$tmp/m.ckpt" "$tmp/r.ckpt"   # at step 3 (continued in place above)
out=$("${G[@]}" "$SW" train --data "$tmp/data.txt" --threads 1 --quiet --resume "$tmp/r.ckpt" --lr 0.5 --dim 32 2>&1); rc=$?
expect "--resume with --lr and --dim: refused, naming both: '$out'" one_line_exit2 $rc "$out"
expect "--resume with --lr and --dim: the names" grep -q -- "--lr, --dim cannot change" <<<"$out"
out=$("${G[@]}" "$SW" train --data "$tmp/data.txt" --threads 1 --quiet --resume "$tmp/r.ckpt" --steps 1 2>&1); rc=$?
expect "--resume with --steps below the saved step: refused: '$out'" one_line_exit2 $rc "$out"
expect "--resume with --steps below: says so" grep -q -- "--steps 1 is below the checkpoint's step 3" <<<"$out"
out=$("${G[@]}" "$SW" train --data "$tmp/data.txt" --threads 1 --resume "$tmp/r.ckpt" --steps 3 2>&1); rc=$?
expect "--resume at its last step: no 'val loss nan' ($rc)" [ $rc -eq 0 -a -z "$(grep 'val loss nan' <<<"$out")" ]
expect "--resume without --ckpt continues the --resume file" grep -q "checkpoint $tmp/r.ckpt$" <<<"$out"
out=$("${G[@]}" "$SW" train "${TINY[@]}" "${LONG[@]}" --lr 1e400 2>&1); rc=$?
expect "--lr 1e400: a range message: '$out'" [ "$out" = "swiglu: --lr must be in [0, 10], got '1e400'" ]
out=$("${G[@]}" "$SW" train "${TINY[@]}" --steps 1 --lr 1e-320 --ckpt "$tmp/lr.ckpt" 2>&1); rc=$?
expect "--lr 1e-320 (subnormal): a number in range, accepted ($rc): '$out'" [ $rc -eq 0 ]
if [ -r /proc/cpuinfo ]; then
    out=$("${G[@]}" "$SW" train --data /proc/cpuinfo 2>&1); rc=$?
    expect "--data /proc/cpuinfo: not called empty: '$out'" one_line_exit2 $rc "$out"
    expect "--data /proc/cpuinfo: says why" grep -q "has no size on disk" <<<"$out"
fi

# --- saves refuse special files, which stay as they were ---
mkfifo "$tmp/fifo"
ln -s "$tmp/target.ckpt" "$tmp/link.ckpt"
for t in /dev/null "$tmp/fifo" "$tmp/link.ckpt"; do
    before=$(stat -c '%F' "$t")
    out=$("${G[@]}" "$SW" train "${TINY[@]}" "${LONG[@]}" --ckpt "$t" 2>&1); rc=$?
    expect "train --ckpt $t ($before): refused: '$out'" one_line_exit2 $rc "$out"
    expect "train --ckpt $t: still a $before" [ "$(stat -c '%F' "$t")" = "$before" ]
    out=$("${G[@]}" "$SW" export --ckpt "$tmp/m.ckpt" --llama2c "$t" 2>&1); rc=$?
    expect "export --llama2c $t ($before): refused: '$out'" one_line_exit2 $rc "$out"
    expect "export --llama2c $t: still a $before" [ "$(stat -c '%F' "$t")" = "$before" ]
done
expect "the symlink's target was never written" [ ! -e "$tmp/target.ckpt" ]
expect "no temporary left by the refusals" [ -z "$(ls "$tmp" | grep '\.tmp\.')" ]

# --- export: its output flag ---
out=$("${G[@]}" "$SW" export --ckpt "$tmp/m.ckpt" --llama2c "$tmp/./m.ckpt" 2>&1); rc=$?
expect "export --llama2c = --ckpt: '$out'" one_line_exit2 $rc "$out"
cp "$tmp/m.ckpt" "$tmp/m.bak"
out=$("${G[@]}" "$SW" export --ckpt "$tmp/m.ckpt" --llama2c "$tmp/./m.ckpt" 2>&1); rc=$?
expect "export --llama2c = --ckpt (again): the checkpoint untouched" cmp -s "$tmp/m.ckpt" "$tmp/m.bak"
out=$("${G[@]}" "$SW" export --ckpt "$tmp/m.ckpt" --llama2c "$tmp/nodir/m.bin" 2>&1); rc=$?
expect "export --llama2c in a missing folder: '$out'" one_line_exit2 $rc "$out"
out=$("${G[@]}" "$SW" export --ckpt "$tmp/m.ckpt" --llama2c "$tmp" 2>&1); rc=$?
expect "export --llama2c a folder: '$out'" one_line_exit2 $rc "$out"

# --- inspect --out and compare --out ---
out=$("${G[@]}" "$SW" inspect --model "$tmp/m.ckpt" --data "$tmp/data.txt" --out "$tmp/data.txt" 2>&1); rc=$?
expect "inspect --out a file: '$out'" one_line_exit2 $rc "$out"
mkdir -p "$tmp/io"; cp "$tmp/data.txt" "$tmp/io/inspect.gp"
out=$("${G[@]}" "$SW" inspect --model "$tmp/m.ckpt" --data "$tmp/io/inspect.gp" --out "$tmp/io" 2>&1); rc=$?
expect "inspect --out DIR holding the --data file it would write: '$out'" one_line_exit2 $rc "$out"
out=$("${G[@]}" "$SW" compare --data "$tmp/data.txt" --preset tiny --out "$tmp/data.txt" 2>&1); rc=$?
expect "compare --out a file (the data): '$out'" one_line_exit2 $rc "$out"
expect "compare --out the data: untouched" cmp -s "$tmp/data.txt" "$tmp/data.bak"

# --- write errors on the logs ---
out=$("${G[@]}" "$SW" train "${TINY[@]}" --steps 3 --eval-every 1 --ckpt "$tmp/w.ckpt" --metrics /dev/full 2>&1); rc=$?
expect "--metrics /dev/full: one line, exit 2: '$out'" one_line_exit2 $rc "$out"
expect "--metrics /dev/full: says why" grep -q "No space left on device" <<<"$out"
out=$("${G[@]}" "$SW" train "${TINY[@]}" --steps 3 --ckpt "$tmp/w.ckpt" --loss-log /dev/full 2>&1); rc=$?
expect "--loss-log /dev/full: one line, exit 2: '$out'" one_line_exit2 $rc "$out"

# --- stale temporaries: a dead writer's removed, a live one's kept ---
sh -c 'exit 0' & dead=$!; wait $dead
sleep 600 & live=$!
: > "$tmp/s.ckpt.tmp.$dead"; : > "$tmp/s.ckpt.tmp.$live"; : > "$tmp/other.ckpt.tmp.$dead"
"${G[@]}" "$SW" train "${TINY[@]}" --steps 1 --ckpt "$tmp/s.ckpt" >/dev/null 2>&1; rc=$?
expect "stale temporary: the save succeeds" [ $rc -eq 0 -a -f "$tmp/s.ckpt" ]
expect "stale temporary of a dead writer ($dead): removed" [ ! -e "$tmp/s.ckpt.tmp.$dead" ]
expect "temporary of a live writer ($live): kept" [ -e "$tmp/s.ckpt.tmp.$live" ]
expect "another target's temporary: kept" [ -e "$tmp/other.ckpt.tmp.$dead" ]
kill $live 2>/dev/null; wait $live 2>/dev/null

# --- NaN weights ---
"${G[@]}" "$SW" export --ckpt "$tmp/m.ckpt" --llama2c "$tmp/m.bin" >/dev/null 2>&1
cp "$tmp/m.bin" "$tmp/n.bin"
# version 0: a 28-byte header, then tok_emb [V][D]: element 5 of row 0
printf '\0\0\300\177' | dd of="$tmp/n.bin" bs=1 seek=$((28 + 4 * 5)) conv=notrunc 2>/dev/null
out=$("${G[@]}" "$SW" generate --model "$tmp/n.bin" --ids -n 8 2>&1); rc=$?
expect "generate, a NaN weight: refused, one line: '$out'" one_line_exit2 $rc "$out"
expect "generate, a NaN weight: names the tensor" grep -q "tok_emb\[0\]\[5\] = nan" <<<"$out"
out=$("${G[@]}" "$SW" inspect --model "$tmp/n.bin" -n 20 2>&1); rc=$?
expect "inspect, a NaN weight: exit 0 ($rc)" [ $rc -eq 0 ]
expect "inspect, a NaN weight: counted" grep -q "^warning: 1 weight is NaN or infinite" <<<"$out"
if command -v python3 >/dev/null 2>&1; then
    cp "$tmp/m.ckpt" "$tmp/n.ckpt"
    python3 - "$tmp/n.ckpt" <<'PY'
import struct, sys, zlib
path = sys.argv[1]
b = bytearray(open(path, "rb").read())
# docs/FORMATS.md: 468 payload bytes (version 2) before the parameters; emb is first
struct.pack_into("<f", b, 32 + 468 + 4 * 3, float("inf"))
struct.pack_into("<I", b, 24, zlib.crc32(bytes(b[32:])) & 0xFFFFFFFF)
open(path, "wb").write(b)
PY
    out=$("${G[@]}" "$SW" sample --ckpt "$tmp/n.ckpt" -n 5 2>&1); rc=$?
    expect "sample, an infinite weight: refused: '$out'" one_line_exit2 $rc "$out"
    expect "sample, an infinite weight: names it" grep -q "emb\[3\] = inf" <<<"$out"
    out=$("${G[@]}" "$SW" export --ckpt "$tmp/n.ckpt" --llama2c "$tmp/n2.bin" 2>&1); rc=$?
    expect "export, an infinite weight: refused, nothing written: '$out'" [ $rc -eq 2 -a ! -e "$tmp/n2.bin" ]
    out=$("${G[@]}" "$SW" inspect --model "$tmp/n.ckpt" --data "$tmp/data.txt" -n 40 2>&1); rc=$?
    expect "inspect our checkpoint, an infinite weight: exit 0, counted ($rc)" [ $rc -eq 0 ]
    expect "inspect our checkpoint: the warning" grep -q "^warning: 1 weight is NaN or infinite" <<<"$out"
else
    echo "skipped: the checkpoint NaN checks (no python3 to write the CRC)"
fi

# --- inspect --data: empty, a folder, a NUL byte ---
: > "$tmp/empty.txt"
out=$("${G[@]}" "$SW" inspect --model "$tmp/m.ckpt" --data "$tmp/empty.txt" 2>&1); rc=$?
expect "inspect --data empty: '$out'" one_line_exit2 $rc "$out"
expect "inspect --data empty: says so" grep -q "is empty" <<<"$out"
out=$("${G[@]}" "$SW" inspect --model "$tmp/m.ckpt" --data "$tmp" 2>&1); rc=$?
expect "inspect --data a folder: '$out'" one_line_exit2 $rc "$out"
expect "inspect --data a folder: says so" grep -q "not a regular file" <<<"$out"
if command -v python3 >/dev/null 2>&1; then
    # a tokenizer.bin for the exported model m.bin: <unk> <s> </s>, space, then a letter each
    V=$(od -An -t d4 -j 20 -N 4 "$tmp/m.bin" | tr -d ' ')
    python3 - "$tmp/tok.bin" "$V" <<'PY'
import struct, sys
path, V = sys.argv[1], int(sys.argv[2])
toks = [b"<unk>", b"<s>", b"</s>", b" "] + [bytes([97 + i % 26]) for i in range(V - 4)]
with open(path, "wb") as f:
    f.write(struct.pack("<i", 5))
    for t in toks:
        f.write(struct.pack("<fi", 0.0, len(t)) + t)
PY
    printf 'a cab\0 a dab' > "$tmp/nul.txt"
    out=$("${G[@]}" "$SW" inspect --model "$tmp/m.bin" --tokenizer "$tmp/tok.bin" --data "$tmp/nul.txt" 2>&1); rc=$?
    expect "inspect --data with a NUL byte (llama2.c): '$out'" one_line_exit2 $rc "$out"
    expect "inspect --data with a NUL byte: says where" grep -q "NUL byte (at offset 5)" <<<"$out"
    out=$("${G[@]}" "$SW" inspect --model "$tmp/m.bin" --tokenizer "$tmp/tok.bin" --data "$tmp/empty.txt" 2>&1); rc=$?
    expect "inspect llama2.c --data empty: '$out'" one_line_exit2 $rc "$out"
    printf 'a cab a dab\n' > "$tmp/ok.txt"
    out=$("${G[@]}" "$SW" inspect --model "$tmp/m.bin" --tokenizer "$tmp/tok.bin" --data "$tmp/ok.txt" 2>&1); rc=$?
    expect "inspect llama2.c with that tokenizer: runs ($rc)" [ $rc -eq 0 ]
else
    echo "skipped: the llama2.c --data checks (no python3 to write a tokenizer)"
fi
printf 'ab\0cd\n%.0s' $(seq 40) > "$tmp/nulours.txt"
out=$("${G[@]}" "$SW" inspect --model "$tmp/m.ckpt" --data "$tmp/nulours.txt" -n 50 2>&1); rc=$?
# before: the text ended at the first NUL ("ab": one token of the vocabulary)
expect "inspect ours, a NUL byte: the bytes after it read too ($rc): $(head -n 1 <<<"$out")" \
    [ $rc -eq 0 -a "$(grep -c ', 50 tokens of .*bytes outside the vocabulary skipped' <<<"$out")" -eq 1 ]

# item 8: the lab on a one-symbol corpus is refused before any run or report
head -c 5000 /dev/zero | tr '\0' a > "$tmp/one.txt"
out=$("${G[@]}" "$SW" compare --preset tiny --data "$tmp/one.txt" --out "$tmp/lab1" 2>&1); rc=$?
expect "compare on 5000 x 'a': one line, exit 2 ($rc): '$out'" one_line_exit2 $rc "$out"
expect "compare on 5000 x 'a': says why" grep -q "one distinct symbol" <<<"$out"
expect "compare on 5000 x 'a': no report written" [ ! -e "$tmp/lab1/report.md" ]

echo "test_hardening2: $pass passed, $fail failed"
[ $fail -eq 0 ]
