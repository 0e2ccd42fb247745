#!/usr/bin/env bash
# Installs with apt-get only what is missing (Debian 12, as root). Idempotent.
#
#   scripts/deps.sh           what building, testing and the main job need:
#                             compiler, make, oneDNN, gnuplot (the lab's plots),
#                             npm (fetches the default corpus)
#   scripts/deps.sh --bench   also PyTorch and NumPy (Debian's python3-torch:
#                             the benchmarks' side-by-side runs) and clang
set -euo pipefail
need=(gcc make libc6-dev pkg-config libdnnl-dev gnuplot-nox npm ca-certificates)
for arg in "$@"; do
    case "$arg" in
    --bench) need+=(python3-torch python3-numpy clang) ;;
    *) echo "scripts/deps.sh: unknown option '$arg' (known: --bench)" >&2; exit 2 ;;
    esac
done
missing=()
for p in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "scripts/deps.sh: missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
fi
echo "scripts/deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
