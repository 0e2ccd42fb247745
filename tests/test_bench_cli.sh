#!/usr/bin/env bash
# test_bench_cli.sh -- `swiglu bench act` runs end to end on tiny sizes (a
# smoke test, not a benchmark: no number is judged): every row of every ISA
# at 1 and 2 threads, as a table and as JSON, with and without streaming
# stores. Under the ASan stage of scripts/test.sh this also checks the
# benchmark's own buffers and row tables. Ends with "N passed, N failed, N skipped".
set -u
. "$(dirname "$0")/support/cli_test.bash"   # O, SW, pass/fail, expect
out=$("$SW" bench act --sizes 4K --threads 1,2 --reps 1 2>&1); rc=$?
expect "bench act exits 0 ($rc)" [ "$rc" = 0 ]
expect "bench act names the streaming-store triad" grep -q "with streaming stores" <<< "$out"
expect "bench act has a GEGLU row" grep -q "glu geglu" <<< "$out"
expect "bench act has the accumulating backward" grep -q "bwd+= swiglu" <<< "$out"
json=$("$SW" bench act --sizes 4K --threads 1 --reps 1 --json --no-stream 2>&1); rc=$?
expect "bench act --json exits 0 ($rc)" [ "$rc" = 0 ]
expect "JSON has the triad_nt rows" grep -q '"kind": "triad_nt"' <<< "$json"
expect "JSON records --no-stream" grep -q '"stream_threshold_bytes": null' <<< "$json"
expect "JSON ends its document" [ "$(tail -c 2 <<< "$json")" = "}" ]
out=$("$SW" bench act --sizes 4K --reps 1 --no-stream 2>&1); rc=$?
expect "bench act --no-stream exits 0 ($rc)" [ "$rc" = 0 ]
expect "the table says --no-stream" grep -q "normal stores only" <<< "$out"
# a size past the top (1G floats) gets the range message (1G itself, now
# spelled with a G suffix, would allocate 4 GiB buffers: not run here)
out=$("$SW" bench act --sizes 2G 2>&1); rc=$?
expect "bench act --sizes 2G refused with the range: '$out'" [ "$rc" = 2 -a "$out" = "swiglu: --sizes: '2G' is not a size in [1, 1G] floats" ]
# bench ffn on a shape of the user's (T,D,H), every engine, as JSON; bad shapes refused
json=$("$SW" bench ffn --shape 7,16,33 --variant swiglu --dtype f32 --reps 1 --json 2>&1); rc=$?
expect "bench ffn --shape 7,16,33 exits 0 ($rc)" [ "$rc" = 0 ]
expect "  its rows have that shape" grep -q '"T": 7, "D": 16, "H": 33' <<< "$json"
expect "  and a fwd+bwd row" grep -q '"pass": "fwd+bwd"' <<< "$json"
for bad in 7,16 0,16,33 7,16,33,4 7,x,33; do
    out=$("$SW" bench ffn --shape "$bad" 2>&1); rc=$?
    expect "bench ffn --shape $bad refused in one line ($rc: $out)" [ "$rc" = 2 -a "$(wc -l <<< "$out")" = 1 ]
done
# bench/ab.sh (two builds side by side): its refusals (a run is a benchmark, not a test)
ab="$(dirname "$0")/../bench/ab.sh"
out=$(bash "$ab" 2>&1); rc=$?
expect "bench/ab.sh without binaries: usage, exit 2 ($rc)" [ "$rc" = 2 ] && expect "  says usage" grep -q '^usage: bash bench/ab.sh' <<< "$out"
out=$(bash "$ab" /nonexistent "$SW" 2>&1); rc=$?
expect "bench/ab.sh with a missing binary: one line, exit 2 ('$out')" [ "$rc" = 2 -a "$out" = "bench/ab.sh: /nonexistent: not an executable" ]
out=$(bash "$ab" "$SW" "$SW" --rounds x 2>&1); rc=$?
expect "bench/ab.sh --rounds x refused ('$out')" [ "$rc" = 2 -a "$out" = "bench/ab.sh: --rounds takes a positive integer" ]
finish test_bench_cli
