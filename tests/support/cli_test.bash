# cli_test.bash -- what the shell tests of the `swiglu` CLI share (sourced,
# never run: run_tests.sh runs tests/*.sh only). Sets O (build folder,
# default build), SW (the CLI), the pass/fail/skip counters, expect, must,
# skip, wait_exit and finish; each test ends with finish NAME, its
# "NAME: N passed, N failed, N skipped" line.
#
# Every command a test runs has its exit status checked (must, or expect on
# a saved rc), and its stderr is kept: under the sanitizer stage a report
# exits non-zero (-fno-sanitize-recover), and must prints the report.

# a busy machine (parallel builds) makes spinning OpenMP threads wait for each other
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
O=${O:-build}
SW="$O/swiglu"
pass=0; fail=0; skip=0
expect() { # description, condition...: counts the condition's outcome
    local what=$1; shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi
}
# must DESCRIPTION COMMAND...: the command must exit 0 (counted as one check);
# its stdout goes to $out, its stderr is shown when it fails. Returns its status.
must() {
    local what=$1; shift
    local errf rc
    errf=$(mktemp)
    out=$("$@" 2>"$errf"); rc=$?
    if [ $rc -eq 0 ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: $what: exit $rc from: $*"; head -n 30 "$errf"
    fi
    rm -f "$errf"
    return $rc
}
# skip REASON: a check that cannot run here, counted and said
skip() { skip=$((skip + 1)); echo "SKIP: $*"; }
# wait_exit PID [LIMIT]: waits for a background process and sets rc to its
# status; a hang guard only (LIMIT s, default 120, far beyond any normal
# exit): a process still there is killed and rc is 124
wait_exit() {
    local pid=$1 limit=${2:-120} k=0
    while kill -0 "$pid" 2>/dev/null && [ $k -lt $((limit * 10)) ]; do sleep 0.1; k=$((k + 1)); done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null; { wait "$pid"; } 2>/dev/null; rc=124; return; fi
    { wait "$pid"; } 2>/dev/null; rc=$?
}
# finish NAME: the closing line; the exit status
finish() { echo "$1: $pass passed, $fail failed, $skip skipped"; [ "$fail" -eq 0 ]; }
