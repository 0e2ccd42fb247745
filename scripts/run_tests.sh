#!/usr/bin/env bash
# Runs every test binary in $O/tests (default build/) and the shell tests in
# tests/*.sh, then prints one summary line "N passed, N failed, N skipped".
#
# A test reports a skip (a check that cannot run here: no ../shared, no
# oneDNN, no python3, ...) with a line "SKIP: reason" and the count in its
# closing "N passed, N failed, N skipped" line; the skips are listed at the
# end. SWIGLU_NO_SKIP=1 (scripts/test.sh sets it when CI=true) makes every
# skip a failure: CI has everything a test needs (scripts/deps.sh, ../shared).
# A test binary that tests/test_*.c should have built but is missing, a test
# without a summary line, one that exits non-zero with 0 failed, and one that
# runs longer than SWIGLU_TEST_TIMEOUT seconds (default 600; a hang guard,
# not a speed test) count as failed.
set -u
O=${O:-build}
T=${SWIGLU_TEST_TIMEOUT:-600}
cd "$(dirname "$0")/.."
passed=0; failed=0; skipped=0; broken=(); skips=()
run() {  # name, command...
    local name=$1; shift
    local out rc
    out=$(timeout -k 10 "$T" "$@" 2>&1); rc=$?
    printf '%s\n' "$out" | grep -v '^ok ' | tail -n 25
    while IFS= read -r l; do skips+=("$name: ${l#*SKIP: }"); done < <(printf '%s\n' "$out" | grep 'SKIP: ')
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        broken+=("$name (timed out after $T s)"); failed=$((failed + 1)); return
    fi
    local line p f s
    line=$(printf '%s\n' "$out" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -n 1)
    if [ -z "$line" ]; then
        broken+=("$name (exit $rc, no summary line)"); failed=$((failed + 1)); return
    fi
    p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+')
    f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
    s=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+'); s=${s:-0}
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then broken+=("$name (exit $rc)"); failed=$((failed + 1)); fi
    if [ "$s" -gt 0 ] && [ "${SWIGLU_NO_SKIP:-0}" = 1 ]; then
        broken+=("$name ($s skipped, and SWIGLU_NO_SKIP=1)"); failed=$((failed + s))
    fi
}
for src in tests/test_*.c; do
    t=$O/tests/$(basename "$src" .c)
    if [ ! -x "$t" ]; then broken+=("$(basename "$t") (not built: $t missing)"); failed=$((failed + 1)); continue; fi
    run "$(basename "$t")" "$t"
done
for t in tests/*.sh; do
    [ -f "$t" ] || continue
    run "$(basename "$t")" env O="$O" bash "$t"
done
for s in "${skips[@]}"; do echo "SKIPPED: $s"; done
for b in "${broken[@]}"; do echo "BROKEN: $b"; done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
