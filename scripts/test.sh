#!/usr/bin/env bash
# The test command of README.md and CI: dependencies, a -Werror build, the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
make -j"$(nproc)" WERROR=1 all tests-build >/dev/null
O=build bash scripts/run_tests.sh
