# cli_test.bash -- what the shell tests of the `swiglu` CLI share (sourced,
# never run: run_tests.sh runs tests/*.sh only). Sets O (build folder,
# default build), SW (the CLI), the pass/fail counters and expect; each test
# ends with its own "name: N passed, N failed" line.

# a busy machine (parallel builds) makes spinning OpenMP threads wait for each other
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
O=${O:-build}
SW="$O/swiglu"
pass=0; fail=0
expect() { # description, condition...: counts the condition's outcome
    local what=$1; shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi
}
