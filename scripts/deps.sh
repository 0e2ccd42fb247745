#!/usr/bin/env bash
# Installs with apt-get only what is missing: the compiler and make, the
# libraries the project links (oneDNN), and the tools the lab, the tests and
# the benchmarks use (gnuplot, Debian's PyTorch and NumPy, npm for the default
# corpus). Idempotent; run as root on Debian 12. SWIGLU_DEPS_MIN=1 installs
# only what building and testing need.
set -euo pipefail
need=(gcc make libc6-dev pkg-config libdnnl-dev gnuplot-nox npm ca-certificates)
[ "${SWIGLU_DEPS_MIN:-0}" = 1 ] || need+=(python3-torch python3-numpy clang)
missing=()
for p in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
    echo "scripts/deps.sh: missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
fi
echo "scripts/deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
