#!/usr/bin/env bash
# The test suite as README.md and CI run it (after scripts/deps.sh):
# a -Werror build of everything, then every test; the last line is
# "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
make -j"$(nproc)" WERROR=1 all tests-build >/dev/null
O=build bash scripts/run_tests.sh
