#!/usr/bin/env bash
# test_export.sh -- `swiglu export` and `swiglu inspect` on our checkpoints,
# end to end: a tiny SwiGLU model trained by `swiglu train`, exported to
# llama2.c v0 and v1 (`generate --ids` runs both, same greedy ids), inspected
# (ours: converted in memory; the table has a row per layer, fractions in
# [0, 1]); refusals with their reasons (GELU, learned beta, eps 1e-6, missing
# and foreign files); a GELU checkpoint inspected through our own forward
# (its --out table written atomically).
# (The logits comparison is tests/test_export.c.) Ends with "N passed, N failed, N skipped".
set -u
. "$(dirname "$0")/support/cli_test.bash"   # O, SW, pass/fail, expect
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk 'BEGIN { srand(7); split("the cat sat on a mat and the dog ran to it.", w, " ");
             for (i = 0; i < 3000; i++) { printf "%s%s", w[int(rand() * 10) + 1], (i % 12 == 11) ? "\n" : " " } }' > "$tmp/data.txt"
TINY=(--data "$tmp/data.txt" --tokens char --layers 2 --heads 2 --dim 32 --context 16 --batch 4 --eval-batches 1 --threads 1 --quiet --steps 5)
train() { must "train $*" "$SW" train "${TINY[@]}" "$@"; }

train --ckpt "$tmp/s.ckpt"; expect "train swiglu" [ -s "$tmp/s.ckpt" ]
for v in 0 1; do
    out=$("$SW" export --ckpt "$tmp/s.ckpt" --llama2c "$tmp/s$v.bin" --version $v 2>&1); rc=$?
    expect "export v$v: rc $rc '$out'" [ $rc -eq 0 -a -s "$tmp/s$v.bin" ]
done
expect "no temporary left" [ -z "$(ls "$tmp" | grep tmp)" ]
must "generate on the v0 export" "$SW" generate --model "$tmp/s0.bin" --ids --prompt-ids "3 4 5" -t 0 -n 16; g0=$out
must "generate on the v1 export" "$SW" generate --model "$tmp/s1.bin" --ids --prompt-ids "3 4 5" -t 0 -n 16; g1=$out
expect "generate --ids on the v0 export: '$g0'" [ -n "$g0" ]
expect "v0 and v1 exports generate the same ids" [ "$g0" = "$g1" ]

# inspect on ours (converted in memory): one row per layer, fractions in [0, 1]
must "inspect ours" "$SW" inspect --model "$tmp/s.ckpt" --data "$tmp/data.txt" -n 200 --out "$tmp"
expect "inspect ours says how it ran" grep -q "ours, run as its llama2.c export" <<<"$out"
rows=$(grep -cE '^[0-9]+ +\|' <<<"$out")
expect "inspect ours: 2 layer rows, got $rows" [ "$rows" -eq 2 ]
bad=$(grep -E '^[0-9]+ +\|' <<<"$out" | awk -F'|' '{ split($4, d, " "); split($5, s, " ");
      for (i = 1; i <= 2; i++) if (d[i] < 0 || d[i] > 1 || s[i] < 0 || s[i] > 1) n++ } END { print n + 0 }')
expect "inspect ours: dead/sparsity fractions in [0, 1]" [ "$bad" -eq 0 ]
expect "inspect ours: histograms written" [ -s "$tmp/inspect_hist.dat" -a -s "$tmp/inspect.gp" ]
out=$("$SW" inspect --model "$tmp/s.ckpt" -n 40 2>&1); rc=$?
expect "inspect ours, self-generated: rc $rc" [ $rc -eq 0 ]
out=$("$SW" inspect --model "$tmp/s.ckpt" --tokenizer x.bin --data "$tmp/data.txt" 2>&1); rc=$?
expect "inspect ours refuses --tokenizer: '$out'" [ $rc -ne 0 ]

# refusals: one line naming the reason, non-zero exit, nothing written
refuse() { # name, reason pattern, train options...
    local name=$1 why=$2; shift 2
    train --ckpt "$tmp/$name.ckpt" "$@"
    local out rc
    out=$("$SW" export --ckpt "$tmp/$name.ckpt" --llama2c "$tmp/$name.bin" 2>&1); rc=$?
    expect "$name refused: rc $rc '$out'" [ $rc -ne 0 -a "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]
    expect "$name: reason '$out'" grep -q "$why" <<<"$out"
    expect "$name: nothing written" [ ! -e "$tmp/$name.bin" ]
}
refuse gelu "llama2.c computes only SwiGLU" --ffn gelu
refuse learned "beta is learned" --learn-beta
refuse eps "hard-codes 1e-5" --rms-eps 1e-6
out=$("$SW" export --ckpt "$tmp/none.ckpt" --llama2c "$tmp/x.bin" 2>&1); rc=$?
expect "missing file: '$out'" [ $rc -ne 0 -a "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]
out=$("$SW" export --ckpt "$tmp/data.txt" --llama2c "$tmp/x.bin" 2>&1); rc=$?
expect "foreign file: '$out'" [ $rc -ne 0 ]
expect "foreign file message" grep -q "not a swiglu checkpoint" <<<"$out"

# a GELU checkpoint: inspected through our own forward
out=$("$SW" inspect --model "$tmp/gelu.ckpt" --data "$tmp/data.txt" -n 200 2>&1); rc=$?
expect "inspect gelu: rc $rc" [ $rc -eq 0 ]
expect "inspect gelu names the path" grep -q "our batched forward" <<<"$out"
rows=$(grep -cE '^[0-9]+ +\|' <<<"$out")
expect "inspect gelu: 2 layer rows, got $rows" [ "$rows" -eq 2 ]
bad=$(grep -E '^[0-9]+ +\|' <<<"$out" | awk -F'|' '{ split($4, d, " "); if (d[1] < 0 || d[1] > 1 || d[2] < 0 || d[2] > 1) n++ } END { print n + 0 }')
expect "inspect gelu: fractions in [0, 1]" [ "$bad" -eq 0 ]
mkdir -p "$tmp/g"
must "inspect gelu --out" "$SW" inspect --model "$tmp/gelu.ckpt" --data "$tmp/data.txt" -n 200 --out "$tmp/g"
expect "inspect gelu --out: a header and 2 layer rows" [ "$(grep -vc '^#' "$tmp/g/inspect_layers.tsv" 2>/dev/null)" = 3 ]
expect "inspect gelu --out: no temporary left" [ -z "$(ls "$tmp/g" | grep tmp)" ]
"$SW" inspect --model "$tmp/gelu.ckpt" --data "$tmp/data.txt" -n 200 --out "$tmp/nodir" > /dev/null 2>"$tmp/err"; rc=$?
expect "inspect --out into a missing folder: made ($rc)" [ $rc -eq 0 -a -f "$tmp/nodir/inspect_layers.tsv" ]
"$SW" inspect --model "$tmp/gelu.ckpt" --data "$tmp/data.txt" -n 200 --out "$tmp/no/such" > "$tmp/out" 2>"$tmp/err"; rc=$?
expect "inspect --out under a missing folder: one line, exit 2, before any output ($rc)" [ $rc -eq 2 -a "$(wc -l < "$tmp/err")" = 1 -a ! -s "$tmp/out" ]
out=$("$SW" inspect --model "$tmp/gelu.ckpt" 2>&1); rc=$?
expect "inspect gelu without --data: one-line refusal '$out'" [ $rc -ne 0 -a "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]

finish test_export_cli
