#!/usr/bin/env bash
# llama2c_cli.sh -- `swiglu generate` and `swiglu inspect` end to end on
# ../shared/models (skipped when absent): golden greedy ids, refusals with a
# message naming the problem (never a crash), inspect's table and plot files.
set -u
cd "$(dirname "$0")/.."
. tests/support/cli_test.bash   # O, SW, pass/fail/skip, must, skip, finish
S=$SW
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL llama2c_cli: $*"; }
M=""
for d in "${SWIGLU_SHARED:-}" ../shared ../../shared; do
    [ -n "$d" ] && [ -f "$d/models/stories260K.bin" ] && { M=$d/models; break; }
done
if [ -z "$M" ]; then skip "../shared/models not found: generate and inspect on stories260K"; finish llama2c_cli; exit; fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# golden greedy ids (the same as tests/test_llama2c.c), 1 and 2 threads
want="1 461 461 401 401 401 461 378 455 473 456"
must "generate greedy" "$S" generate --model "$M/stories260K.bin" --ids -t 0 -n 10; got=$out
[ "$got" = "$want" ] && ok || bad "greedy ids: '$got'"
must "generate greedy, 2 threads" "$S" generate --model "$M/stories260K.bin" --ids -t 0 -n 10 --threads 2; got=$out
[ "$got" = "$want" ] && ok || bad "greedy ids, 2 threads: '$got'"
# a prompt given as ids is forced, then greedy continues (-n counts new tokens)
must "generate with a prompt" "$S" generate --model "$M/stories260K.bin" --ids -t 0 -n 3 --prompt-ids "1 461"; got=$out
[ "$got" = "1 461 461 401 401" ] && ok || bad "prompt ids: '$got'"
# sampling with a seed is reproducible
must "generate sampled" "$S" generate --model "$M/stories260K.bin" --ids -n 30 --seed 7; a=$out
must "generate sampled again" "$S" generate --model "$M/stories260K.bin" --ids -n 30 --seed 7; b=$out
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "seeded sampling not reproducible"

# refusals: exit 2, one line naming the problem
expect_fail() {  # needle, command...
    local needle=$1; shift
    local out rc
    out=$("$@" 2>&1 >/dev/null); rc=$?
    if [ "$rc" -eq 2 ] && grep -q -- "$needle" <<<"$out"; then ok; else bad "'$*' -> rc $rc, '$out' (want '$needle')"; fi
}
expect_fail "vocab_size = 512" "$S" generate --model "$M/stories260K.bin" --tokenizer "$M/llama2-tokenizer.bin" --prompt hi
expect_fail "no tokenizer" "$S" generate --model "$M/stories260K.bin"
expect_fail "out of range" "$S" generate --model "$M/stories260K.bin" --ids --prompt-ids "1 512"
# an id past long's range is echoed as given, not as strtol's clamp 9223372036854775807
expect_fail "token id 99999999999999999999 out of range \[0, 512)" "$S" generate --model "$M/stories260K.bin" --ids --prompt-ids "1 99999999999999999999"
expect_fail "needs --tokenizer" "$S" generate --model "$M/stories260K.bin" --prompt hi
expect_fail "unknown option" "$S" generate --model "$M/stories260K.bin" --bogus
expect_fail "No such file" "$S" generate --model "$tmp/none.bin" --ids
head -c 1000 "$M/stories260K.bin" > "$tmp/short.bin"
expect_fail "truncated" "$S" generate --model "$tmp/short.bin" --ids
printf '\x40\x00\x00\x00\x00\x00\x00\x00' > "$tmp/zero.bin"; head -c 20 /dev/zero >> "$tmp/zero.bin"
expect_fail "hidden_dim is 0" "$S" generate --model "$tmp/zero.bin" --ids
head -c 64 /dev/zero > "$tmp/tok0.bin"
expect_fail "max_token_length is 0" "$S" generate --model "$M/stories260K.bin" --tokenizer "$tmp/tok0.bin" --prompt hi

# inspect: a table row per layer, histogram data and a gnuplot script
must "inspect" "$S" inspect --model "$M/stories260K.bin" -n 64 --out "$tmp"
rows=$(grep -cE '^[0-4] +\|' <<<"$out")
[ "$rows" = 5 ] && ok || bad "inspect: $rows layer rows"
[ -s "$tmp/inspect_hist.dat" ] && [ -s "$tmp/inspect.gp" ] && ok || bad "inspect: no .dat/.gp"
if command -v gnuplot >/dev/null 2>&1; then
    [ -s "$tmp/inspect_gate.png" ] && ok || bad "inspect: gnuplot present but no PNG"
else
    skip "inspect's PNG (no gnuplot)"
fi
expect_fail "needs --tokenizer" "$S" inspect --model "$M/stories260K.bin" --data /etc/hostname

finish llama2c_cli
