#!/usr/bin/env bash
# Runs every libFuzzer target in $FUZZ_O (default build-fuzz; `make fuzz-build`
# builds them) for SECONDS seconds each, JOBS at a time (default: the cores),
# and prints per target the executions done and what was found, then
# "N passed, N failed, 0 skipped" (a target passes when it ran and found nothing).
#
#   scripts/fuzz.sh [SECONDS]      (make fuzz FUZZ_SECONDS=N calls this)
#   FUZZ_RUNS=10000000 scripts/fuzz.sh   a fixed number of executions instead
#   FUZZ_SEED=N scripts/fuzz.sh    libFuzzer's -seed (default 1: a run can be
#                                  repeated; the log names the seed)
#   FUZZ_TIMEOUT=S                 seconds one input may take (default 10); a
#                                  long campaign niced beside other work needs
#                                  more: a starved process reads as a hang
#   FUZZ_TARGETS="a b"             only these targets (default: every one)
#
# Each target grows its own corpus in $FUZZ_O/corpus/<name>, seeded from the
# committed tests/fuzz/corpus_<name>; a crash, leak, timeout or sanitizer
# report leaves its input in $FUZZ_O/crash-<name>-* and its log in
# $FUZZ_O/log/<name>.log.
set -u
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
FUZZ_O=${FUZZ_O:-build-fuzz}
JOBS=${JOBS:-$(nproc)}
case "$SECONDS_EACH" in ''|*[!0-9]*) echo "scripts/fuzz.sh: SECONDS must be a whole number, got '$SECONDS_EACH'" >&2; exit 2;; esac
targets=()
for b in "$FUZZ_O"/fuzz_*; do
    [ -x "$b" ] || continue
    if [ -n "${FUZZ_TARGETS:-}" ]; then
        name=$(basename "$b"); name=${name#fuzz_}
        [[ " $FUZZ_TARGETS " == *" $name "* ]] || continue
    fi
    targets+=("$b")
done
if [ ${#targets[@]} -eq 0 ]; then
    echo "scripts/fuzz.sh: no targets in $FUZZ_O (make fuzz-build)" >&2
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
fi
mkdir -p "$FUZZ_O/log"

fuzz_one() {  # binary
    local bin=$1 name
    name=$(basename "$bin"); name=${name#fuzz_}
    local corpus="$FUZZ_O/corpus/$name" seeds="tests/fuzz/corpus_$name"
    mkdir -p "$corpus"
    local limit=-max_total_time="$SECONDS_EACH"
    [ -n "${FUZZ_RUNS:-}" ] && limit=-runs="$FUZZ_RUNS"
    local args=("$limit" -seed="${FUZZ_SEED:-1}" -print_final_stats=1 -close_fd_mask=3
                -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2560 -artifact_prefix="$FUZZ_O/crash-$name-")
    [ -f "tests/fuzz/$name.dict" ] && args+=(-dict="tests/fuzz/$name.dict")
    # the CLI target longjmps out of parsers; ASan must not mistake the
    # abandoned frames for stack overflows
    # one thread: the targets are single-input parsers, and idle OpenMP workers
    # spinning beside other jobs only slow every execution down
    OMP_NUM_THREADS=1 ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=0} \
        "$bin" "${args[@]}" "$corpus" $( [ -d "$seeds" ] && echo "$seeds" ) >"$FUZZ_O/log/$name.log" 2>&1
    echo $? >"$FUZZ_O/log/$name.rc"
}

running=0
for b in "${targets[@]}"; do
    fuzz_one "$b" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
done
wait

passed=0; failed=0
for b in "${targets[@]}"; do
    name=$(basename "$b"); name=${name#fuzz_}
    log="$FUZZ_O/log/$name.log"
    rc=$(cat "$FUZZ_O/log/$name.rc" 2>/dev/null || echo 99)
    execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -n 1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+')
    units=$(find "$FUZZ_O/corpus/$name" -type f | wc -l)
    secs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | grep -oE '[0-9]+ second' | grep -oE '[0-9]+')
    if [ "$rc" -eq 0 ] && [ -n "$execs" ]; then
        printf 'ok fuzz_%-11s %12s executions in %ss, coverage %s edges, corpus %s inputs, nothing found\n' \
            "$name" "$execs" "${secs:-$SECONDS_EACH}" "${cov:-?}" "$units"
        passed=$((passed + 1))
    else
        printf 'FAIL fuzz_%s (exit %s): see %s\n' "$name" "$rc" "$log"
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -n 5
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
