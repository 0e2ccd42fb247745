#!/usr/bin/env bash
# Runs every test binary in $O/tests (default build/) and the shell tests in
# tests/*.sh, then prints one summary line "N passed, N failed".
set -u
O=${O:-build}
cd "$(dirname "$0")/.."
passed=0; failed=0; broken=()
run() {  # name, command...
    local name=$1; shift
    local out rc
    out=$("$@" 2>&1); rc=$?
    printf '%s\n' "$out" | grep -v '^ok ' | tail -n 25
    local line p f
    line=$(printf '%s\n' "$out" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -n 1)
    if [ -z "$line" ]; then
        broken+=("$name (exit $rc, no summary line)"); failed=$((failed + 1)); return
    fi
    p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+')
    f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then broken+=("$name (exit $rc)"); failed=$((failed + 1)); fi
}
for t in "$O"/tests/test_*; do
    [ -x "$t" ] || continue
    case "$t" in *.d|*.o) continue;; esac
    run "$(basename "$t")" "$t"
done
for t in tests/*.sh; do
    [ -f "$t" ] || continue
    run "$(basename "$t")" env O="$O" bash "$t"
done
for b in "${broken[@]}"; do echo "BROKEN: $b"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
