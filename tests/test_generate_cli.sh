#!/usr/bin/env bash
# test_generate_cli.sh -- `swiglu sample` and `swiglu generate`, one command
# family: the same flags (--help lists the llama2.c ones), the same output for
# the same arguments, -n counting new tokens, the positional model path and
# --ckpt alias, tokens/s on stderr; our checkpoint exported with its
# tokenizer: `generate` of the export prints the same text as `sample` of the
# checkpoint at temperature 0, and never stops at id 1 (a character here);
# the stories260K + llama2 tokenizer refusal names the 512-token tokenizer
# (when ../shared is there). Ends with "N passed, N failed".
set -u
. "$(dirname "$0")/support/cli_test.bash"   # O, SW, pass/fail, expect
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk 'BEGIN { srand(11); split("the cat sat on a mat and the dog ran to it.", w, " ");
             for (i = 0; i < 4000; i++) { printf "%s%s", w[int(rand() * 10) + 1], (i % 12 == 11) ? "\n" : " " } }' > "$tmp/data.txt"
"$SW" train --data "$tmp/data.txt" --tokens char --layers 2 --heads 2 --dim 32 --context 16 --batch 4 \
    --eval-every 0 --threads 1 --quiet --steps 80 --ckpt "$tmp/m.ckpt" > /dev/null 2>&1
expect "train a tiny model" [ -s "$tmp/m.ckpt" ]

# --- one vocabulary of flags, listed in both helps, the same text ---
for c in sample generate; do
    h=$("$SW" $c --help); rc=$?
    expect "$c --help exits 0" [ $rc -eq 0 ]
    for f in --model -t, --temperature -p, --top-p -k, --top-k -s, --seed -n -i, --prompt -z, --tokenizer --ids --threads; do
        expect "$c --help lists $f" grep -q -- "$f" <<<"$h"
    done
done
# (a trailing '.' keeps the newlines that $(...) would strip; the text ends with one newline)
a=$("$SW" sample "$tmp/m.ckpt" -i "the " -n 50 -t 0.8 -p 0.9 -k 10 -s 5 2>/dev/null; echo .)
b=$("$SW" generate --model "$tmp/m.ckpt" --prompt "the " -n 50 --temperature 0.8 --top-p 0.9 --top-k 10 --seed 5 2>/dev/null; echo .)
c=$("$SW" sample --ckpt "$tmp/m.ckpt" --prompt "the " -n 50 --temperature 0.8 --top-p 0.9 --top-k 10 --seed 5 2>/dev/null; echo .)
expect "sample (short flags) = generate (long flags) = --ckpt alias" [ -n "$a" -a "$a" = "$b" -a "$a" = "$c" ]
expect "-n counts new tokens: 4 + 50 characters, got ${#a} - 2" [ "${#a}" -eq 56 ]
d=$("$SW" sample "$tmp/m.ckpt" -i "the " -n 50 -t 0.8 -s 6 2>/dev/null)
expect "another seed, another text" [ "$a" != "$d" ]
err=$("$SW" sample "$tmp/m.ckpt" -n 20 -s 1 2>&1 >/dev/null)
expect "tokens/s on stderr: '$err'" grep -qE '^swiglu sample: 20 tokens in [0-9.]+ ms: [0-9]+ tok/s' <<<"$err"
# past the context (16): the window restarts, the text goes on
long=$("$SW" sample "$tmp/m.ckpt" -i "a" -n 100 -t 0 2>/dev/null; echo .)
expect "100 tokens past a 16-token context: ${#long} - 2" [ "${#long}" -eq 103 ]
# top-k 1 is greedy whatever the temperature
k1=$("$SW" sample "$tmp/m.ckpt" -i "the " -n 30 -t 1.5 -k 1 -s 9 2>/dev/null)
g=$("$SW" sample "$tmp/m.ckpt" -i "the " -n 30 -t 0 2>/dev/null)
expect "top-k 1 = greedy" [ "$k1" = "$g" ]

# --- export writes the tokenizer; generate of the export = sample of the checkpoint ---
out=$("$SW" export --ckpt "$tmp/m.ckpt" --llama2c "$tmp/m.bin" 2>&1); rc=$?
expect "export: rc $rc '$out'" [ $rc -eq 0 -a -s "$tmp/m.bin" -a -s "$tmp/m.tokenizer.bin" ]
expect "export says where the tokenizer went" grep -q "m.tokenizer.bin" <<<"$out"
size=$(stat -c %s "$tmp/m.tokenizer.bin")
expect "tokenizer.bin: 4 + 9 bytes per character ($size bytes)" [ $(( (size - 4) % 9 )) -eq 0 ]
for p in "" "the cat"; do
        s=$("$SW" sample "$tmp/m.ckpt" -i "$p" -n 120 -t 0 2>/dev/null; echo .)
    gx=$("$SW" generate "$tmp/m.bin" -i "$p" -n 120 -t 0 2>/dev/null; echo .)
    gz=$("$SW" generate "$tmp/m.bin" -z "$tmp/m.tokenizer.bin" -i "$p" -n 120 -t 0 2>/dev/null; echo .)
    expect "generate of the export = sample of the checkpoint, prompt '$p'" [ ${#s} -ge 120 -a "$s" = "$gx" -a "$s" = "$gz" ]
done
# id 1 is a character (' ' sorts after '\n'): generation must not stop there
n1=$("$SW" generate "$tmp/m.bin" -i "the" -n 200 -t 1 -s 3 2>/dev/null; echo .)
expect "no BOS in a character vocabulary: 203 characters, got ${#n1} - 2" [ "${#n1}" -eq 205 ]
ids=$("$SW" generate "$tmp/m.bin" --ids -n 10 -t 0 2>/dev/null)
expect "--ids on the export: 11 ids, got '$ids'" [ "$(wc -w <<<"$ids")" -eq 11 ]

# --- refusals ---
out=$("$SW" sample "$tmp/data.txt" -n 5 2>&1); rc=$?
expect "a text file as the model: rc $rc '$out'" [ $rc -eq 2 ]
expect "names both formats" grep -q "nor a llama2.c model" <<<"$out"
out=$("$SW" sample "$tmp/m.ckpt" -z "$tmp/m.tokenizer.bin" -n 5 2>&1); rc=$?
expect "a tokenizer with our checkpoint: rc $rc '$out'" [ $rc -eq 2 ]
out=$("$SW" sample "$tmp/m.ckpt" "$tmp/m.ckpt" 2>&1); rc=$?
expect "two model paths: rc $rc" [ $rc -eq 2 ]
out=$("$SW" generate "$tmp/m.bin" -k -1 2>&1); rc=$?
expect "top-k -1: rc $rc '$out'" [ $rc -eq 2 ]

M=""
for d in "${SWIGLU_SHARED:-}" ../shared ../../shared; do
    [ -n "$d" ] && [ -f "$d/models/stories260K.bin" ] && [ -f "$d/models/llama2-tokenizer.bin" ] && { M=$d/models; break; }
done
if [ -n "$M" ]; then
    out=$("$SW" generate "$M/stories260K.bin" -z "$M/llama2-tokenizer.bin" -i hi 2>&1); rc=$?
    expect "stories260K + the llama2 tokenizer: rc $rc '$out'" [ $rc -eq 2 ]
    expect "says the model needs its own 512-token tokenizer" grep -q "needs its own 512-token tokenizer" <<<"$out"
fi

echo "test_generate_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
