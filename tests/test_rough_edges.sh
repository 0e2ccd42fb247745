#!/usr/bin/env bash
# test_rough_edges.sh -- the rough edges a new user met (issue #20), each
# fixed: `bench ffn` runs any variant (it printed a header and no rows for
# geglu, reglu, bilinear, gelu_tanh) and takes --threads; one variant
# vocabulary (swiglu-learned-beta in train, compare and bench ffn, '-' = '_');
# `info --help` exits 0; `inspect --out DIR` creates DIR; `train` says where
# the checkpoint went and `--resume F` without --ckpt continues F; `compare
# --preset tiny` names its folder after the file without its extension and
# labels its report a smoke test; `bench act` shows no MISSED.
# Ends with "N passed, N failed".
set -u
. "$(dirname "$0")/support/cli_test.bash"   # O, SW, pass/fail, expect
SW=$(cd "$(dirname "$SW")" && pwd)/$(basename "$SW")   # absolute: the lab runs in $tmp
differ() { ! cmp -s "$1" "$2"; }
lacks() { ! grep -q -- "$1" <<<"$2"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk 'BEGIN { srand(5); split("the cat sat on a mat and the dog ran to it.", w, " ");
             for (i = 0; i < 3000; i++) { printf "%s%s", w[int(rand() * 10) + 1], (i % 12 == 11) ? "\n" : " " } }' > "$tmp/data.txt"
TINY=(--data "$tmp/data.txt" --tokens char --layers 1 --heads 2 --dim 32 --context 16 --batch 4 --eval-batches 1 --threads 1 --steps 4 --eval-every 0)

# --- bench ffn: every variant has rows; --threads ---
for v in geglu reglu bilinear gelu_tanh gelu-tanh swiglu-learned-beta swiglu_clamped; do
    out=$("$SW" bench ffn --variant "$v" --shape 0 --dtype f32 --reps 1 --threads 1 --engine auto --json 2>&1); rc=$?
    rows=$(grep -c '"pass"' <<<"$out")
    expect "bench ffn --variant $v: rc $rc, $rows rows" [ $rc -eq 0 -a "$rows" -eq 2 ]
done
expect "bench ffn --threads 1 is used" grep -q '"threads": 1' <<<"$out"
out=$("$SW" bench ffn --variant nope 2>&1); rc=$?
expect "bench ffn --variant nope: rc $rc" [ $rc -eq 2 ]
expect "the message lists swiglu-learned-beta" grep -q "swiglu-learned-beta" <<<"$out"

# --- one variant vocabulary: train --ffn swiglu-learned-beta = --ffn swiglu --learn-beta ---
"$SW" train "${TINY[@]}" --quiet --ffn swiglu-learned-beta --ckpt "$tmp/a.ckpt" > /dev/null 2>&1
"$SW" train "${TINY[@]}" --quiet --ffn swiglu --learn-beta --ckpt "$tmp/b.ckpt" > /dev/null 2>&1
"$SW" train "${TINY[@]}" --quiet --ffn swiglu --ckpt "$tmp/c.ckpt" > /dev/null 2>&1
expect "train --ffn swiglu-learned-beta = --ffn swiglu --learn-beta" cmp -s "$tmp/a.ckpt" "$tmp/b.ckpt"
expect "... and differs from plain swiglu" differ "$tmp/a.ckpt" "$tmp/c.ckpt"
"$SW" train "${TINY[@]}" --quiet --ffn gelu-tanh --ckpt "$tmp/d.ckpt" > /dev/null 2>&1
expect "train --ffn gelu-tanh (alias of gelu_tanh)" [ -s "$tmp/d.ckpt" ]

# --- info --help ---
out=$("$SW" info --help); rc=$?
expect "info --help: rc $rc" [ $rc -eq 0 ]
expect "info --help prints usage" grep -q "usage: swiglu info" <<<"$out"

# --- inspect --out DIR creates DIR before any work ---
out=$("$SW" inspect --model "$tmp/c.ckpt" -n 16 --out "$tmp/newdir" 2>&1); rc=$?
expect "inspect --out a missing folder: rc $rc $(tail -n 2 <<<"$out")" [ $rc -eq 0 -a -d "$tmp/newdir" ]
: > "$tmp/afile"
out=$("$SW" inspect --model "$tmp/c.ckpt" -n 16 --out "$tmp/afile" 2>&1); rc=$?
expect "inspect --out a file: refused ($rc)" [ $rc -eq 2 ]
expect "... before the table" lacks "|" "$out"

# --- train: where the checkpoint went; --resume F continues F ---
out=$(cd "$tmp" && "$SW" train "${TINY[@]}" --ckpt "$tmp/r.ckpt" 2>&1); rc=$?
expect "train says where the checkpoint went" grep -q "checkpoint $tmp/r.ckpt" <<<"$out"
before=$(cksum < "$tmp/r.ckpt")
out=$(cd "$tmp" && "$SW" train --data "$tmp/data.txt" --resume "$tmp/r.ckpt" --steps 8 2>&1); rc=$?
expect "--resume without --ckpt: rc $rc" [ $rc -eq 0 ]
expect "... continues the resumed file" [ "$(cksum < "$tmp/r.ckpt")" != "$before" ]
expect "... writes no ./swiglu.ckpt" [ ! -e "$tmp/swiglu.ckpt" ]
expect "... and says so" grep -q "checkpoint $tmp/r.ckpt" <<<"$out"

# --- compare --preset tiny: folder name, smoke-test label, variant spellings ---
out=$(cd "$tmp" && "$SW" compare --preset tiny --seeds 1 --variants relu,swiglu_learned_beta --data "$tmp/data.txt" 2>&1); rc=$?
expect "compare tiny: rc $rc $(tail -n 2 <<<"$out")" [ $rc -eq 0 ]
expect "compare folder: swiglu-lab/data-tiny" [ -f "$tmp/swiglu-lab/data-tiny/report.md" ]
expect "the report says it is a smoke test" grep -q "Smoke test" "$tmp/swiglu-lab/data-tiny/report.md"
expect "compare took swiglu_learned_beta as swiglu-learned-beta" [ -d "$tmp/swiglu-lab/data-tiny/runs/swiglu-learned-beta-s0-fan-in" ]

# --- bench act: development goals, never MISSED ---
out=$("$SW" bench act --sizes 16M --threads 2 --isa best --swiglu-only --reps 1 2>&1); rc=$?
expect "bench act at the goals' size: rc $rc" [ $rc -eq 0 ]
expect "bench act shows no MISSED" lacks "MISSED" "$out"
expect "bench act calls them development goals" grep -q "development goals" <<<"$out"

echo "test_rough_edges: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
