#!/usr/bin/env bash
# first_hour.sh -- a new user's first hour, as a script: README.md's quick
# start (the sh block of its "## Quick start" section, extracted and run as
# printed, in a temporary folder that links build/, docs/ and README.md), its
# outputs checked (the checkpoint, the export and its tokenizer, sample and
# generate printing the same text, tokens/s), then every command's --help
# (exit 0, a usage line; the generation flags listed) and `swiglu help`.
# The library part of the first hour is tests/test_install.sh. Ends with
# "N passed, N failed".
set -u
. "$(dirname "$0")/support/cli_test.bash"   # O, SW, pass/fail, expect
cd "$(dirname "$0")/.."
repo=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- the quick start, as printed ---
awk '/^## / { insec = ($0 ~ /^## Quick start/) }
     insec && /^```/ { if (inblk) exit; if ($0 == "```sh") inblk = 1; next }
     inblk { print }' README.md > "$tmp/quick.sh"
expect "README has a quick start block of 5 commands" [ "$(grep -c . "$tmp/quick.sh")" -eq 5 ]
expect "it trains, samples, exports, generates" grep -q "swiglu train" "$tmp/quick.sh"
mkdir -p "$tmp/work"
ln -s "$repo/$O" "$tmp/work/build"
ln -s "$repo/docs" "$tmp/work/docs"
ln -s "$repo/README.md" "$tmp/work/README.md"
t0=$(date +%s)
(cd "$tmp/work" && bash -e "$tmp/quick.sh" > "$tmp/out" 2> "$tmp/err"); rc=$?
t1=$(date +%s)
echo "first_hour: the quick start took $((t1 - t0)) s (README says under a minute; not judged here)"
expect "the quick start runs: rc $rc $(tail -n 3 "$tmp/err")" [ $rc -eq 0 ]
Q=$tmp/work/quick
expect "train wrote the checkpoint" [ -s "$Q/model.ckpt" ]
expect "export wrote the model and its tokenizer" [ -s "$Q/model.bin" -a -s "$Q/model.tokenizer.bin" ]
expect "train says where the checkpoint went" grep -q "checkpoint quick/model.ckpt" "$tmp/out"
val=$(grep -oE 'done: step 400, val loss [0-9.]+' "$tmp/out" | grep -oE '[0-9.]+$')
expect "train reached step 400 with a val loss below 3.2 (ln V ~ 4.9): '$val'" awk -v v="${val:-99}" 'BEGIN { exit !(v < 3.2) }'
# sample's and generate's text: the 200 new characters after the prompt, each
# ending with the newline the command adds (the text itself may hold newlines)
s=$(sed -n '/^swiglu export:/q; /^The lab/,$p' "$tmp/out" | grep -v '^done:')
g=$(sed -n '/^tokenizer:/,$p' "$tmp/out" | sed '1d')
expect "sample printed the prompt and text" [ "${s:0:7}" = "The lab" -a ${#s} -ge 150 ]
expect "generate of the export printed the same text as sample of the checkpoint" [ "$s" = "$g" ]
expect "tokens/s on stderr for both" [ "$(grep -cE '^swiglu (sample|generate): 200 tokens in .* tok/s' "$tmp/err")" -eq 2 ]

# --- every command's --help ---
cmds=$("$SW" help | awk '/^commands:/ { on = 1; next } on && NF { print $1 }')
expect "swiglu help lists 8 commands: $(echo $cmds)" [ "$(wc -w <<<"$cmds")" -eq 8 ]
for c in $cmds "bench act" "bench ffn"; do
    out=$("$SW" $c --help 2>&1); rc=$?
    expect "swiglu $c --help: exit 0 (got $rc)" [ $rc -eq 0 ]
    expect "swiglu $c --help: a usage line" grep -q "^usage: swiglu $c" <<<"$out"
done
for c in sample generate; do
    h=$("$SW" $c --help)
    for f in -t -p -k -s -n -i -z --model --ids; do
        expect "$c --help lists $f" grep -qE -- "(^| )$f[ ,]" <<<"$h"
    done
done
out=$("$SW" --version); rc=$?
expect "swiglu --version: $out" [ $rc -eq 0 ]

echo "first_hour: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
