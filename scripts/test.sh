#!/usr/bin/env bash
# The test suite as README.md and CI run it (after scripts/deps.sh). Three
# stages, each ending in "N passed, N failed, N skipped"; the last line sums
# them (a stage's skips are listed by scripts/run_tests.sh):
#   1. a -Werror build of everything, then every test (build/)
#   2. the same tests on an ASan + UBSan build (build-asan/, make test-asan)
#   3. a 20-second smoke run of every libFuzzer target (build-fuzz/, make fuzz)
#
#   scripts/test.sh            all three
#   scripts/test.sh --quick    stage 1 only (while developing)
#
# In CI (CI=true) every skip is a failure (SWIGLU_NO_SKIP=1, unless set
# otherwise): CI has ../shared, oneDNN and python3, so a skip there means a
# check silently stopped running. SWIGLU_TEST_TIMEOUT (seconds, default 600)
# bounds each test (scripts/run_tests.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
quick=0
for arg in "$@"; do
    case "$arg" in
    --quick) quick=1 ;;
    *) echo "scripts/test.sh: unknown option '$arg' (known: --quick)" >&2; exit 2 ;;
    esac
done
J=$(nproc)
if [ "${CI:-}" = true ]; then export SWIGLU_NO_SKIP=${SWIGLU_NO_SKIP:-1}; fi
passed=0; failed=0; skipped=0
stage() {  # title, command...: runs it, adds its "N passed, N failed[, N skipped]" line to the totals
    local title=$1; shift
    echo "== $title"
    local log; log=$(mktemp)
    "$@" 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    local line; line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    rm -f "$log"
    if [ -z "$line" ]; then
        echo "BROKEN: $title (exit $rc, no summary line)"; failed=$((failed + 1)); return
    fi
    local p f s
    p=$(grep -oE '^[0-9]+' <<<"$line"); f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
    s=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+'); s=${s:-0}
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then echo "BROKEN: $title (exit $rc)"; failed=$((failed + 1)); fi
}
tests() {  # stage 1: a failed build counts as one failed test
    if ! make -j"$J" WERROR=1 all tests-build >/dev/null; then echo "0 passed, 1 failed, 0 skipped"; return 1; fi
    O=build bash scripts/run_tests.sh
}
stage "tests (build/)" tests
if [ "$quick" = 0 ]; then
    stage "tests under ASan + UBSan (build-asan/)" make -s -j"$J" test-asan
    stage "fuzz smoke, 20 s a target (build-fuzz/)" make -s -j"$J" fuzz FUZZ_SECONDS=20
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
