#!/usr/bin/env bash
# Runs every test binary of $O/tests (default build/) under valgrind's
# memcheck, and a few CLI commands (train, sample, export, generate), and
# counts a run as passed when memcheck reports no error (invalid access,
# uninitialised value used, definite or indirect leak) and the run itself
# passes. Ends with "N passed, N failed". Slow: minutes per binary, so the
# sampling tests run at SWIGLU_TEST_SCALE (default 0.01 here). Not part of CI.
#
#   scripts/valgrind.sh [test_name ...]     (make test-valgrind)
#
# Valgrind runs x87 long double at double precision: test_act_accuracy's
# oracle then fails its own checks (inf handled as a finite number), so for
# that one binary only memcheck's verdict counts.
# Valgrind knows no AVX-512: under it the CPU looks like AVX2, so the
# dispatch picks the avx2 and ref kernels (the avx512 ones are covered by
# the ASan build); --smc-check lets oneDNN's JIT-generated GEMMs run.
set -u
cd "$(dirname "$0")/.."
O=${O:-build}
export SWIGLU_TEST_SCALE=${SWIGLU_TEST_SCALE:-0.01}
# one thread: valgrind runs threads one at a time, and spinning OpenMP
# workers would only burn its time
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} OMP_WAIT_POLICY=passive
command -v valgrind >/dev/null || { echo "scripts/valgrind.sh: valgrind is not installed (scripts/deps.sh --bench)"; echo "0 passed, 1 failed"; exit 1; }
mkdir -p "$O/valgrind"
VG=(valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --smc-check=all-non-file --track-origins=no --num-callers=30
    --suppressions=scripts/valgrind.supp)
passed=0; failed=0
check() {  # name, command...
    local name=$1; shift
    local log="$O/valgrind/$name.log" t0=$SECONDS
    "${VG[@]}" --log-file="$log" "$@" >"$O/valgrind/$name.out" 2>&1
    local rc=$?
    local errs; errs=$(grep -oE 'ERROR SUMMARY: [0-9]+' "$log" | grep -oE '[0-9]+' | sort -n | tail -n 1)
    local own; own=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$O/valgrind/$name.out" | tail -n 1)
    if [ "$rc" -eq 0 ] && [ "${errs:-1}" -eq 0 ]; then
        echo "ok $name (memcheck: 0 errors, $((SECONDS - t0)) s)"; passed=$((passed + 1))
    elif [ "${errs:-1}" -eq 0 ] && [ "$rc" -ne 99 ] && [ "$rc" -lt 128 ] && [ "$name" = test_act_accuracy ]; then
        # valgrind runs x87 long double at double precision, and this test's
        # oracle is long double (tests/support/actref.h): its own checks are
        # not meaningful here (they pass natively and under ASan)
        echo "ok $name (memcheck: 0 errors, $((SECONDS - t0)) s; its long-double oracle under valgrind: $own)"
        passed=$((passed + 1))
    else
        echo "FAIL $name (exit $rc, memcheck errors ${errs:-?}): $log"
        tail -n 3 "$O/valgrind/$name.out"
        failed=$((failed + 1))
    fi
}
want() { [ $# -eq 0 ] || [[ " $* " == *" $name "* ]]; }
for t in "$O"/tests/test_*; do
    [ -x "$t" ] || continue
    case "$t" in *.d|*.o) continue;; esac
    name=$(basename "$t")
    want "$@" && check "$name" "$t"
done
# the CLI end to end on a tiny run
name=cli
if want "$@"; then
    tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
    for i in $(seq 60); do cat tests/fuzz/corpus_dataset/shakespeare; done >"$tmp/text.txt"
    check cli_train "$O/swiglu" train --data "$tmp/text.txt" --tokens char --layers 1 --dim 16 --heads 2 \
        --context 16 --steps 4 --batch 2 --eval-every 2 --eval-batches 1 --ckpt "$tmp/m.ckpt" --quiet
    check cli_sample "$O/swiglu" sample --ckpt "$tmp/m.ckpt" -n 20 --seed 1
    check cli_export "$O/swiglu" export --ckpt "$tmp/m.ckpt" --llama2c "$tmp/m.bin"
    check cli_generate "$O/swiglu" generate --model "$tmp/m.bin" --ids -n 8 -t 0
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
