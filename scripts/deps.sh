#!/usr/bin/env bash
# Installs with apt-get only what is missing (Debian 12, as root). Idempotent.
# A thing counts as present when what the project uses is there (the command,
# the header, the Python module), however it was installed.
#
#   scripts/deps.sh           what building, testing and the main job need:
#                             compiler, make, oneDNN, cJSON (safetensors and
#                             config.json), gnuplot (the lab's plots),
#                             npm (fetches the default corpus), clang and its
#                             libFuzzer runtime (the test suite's fuzz stage),
#                             python3 and numpy (tests write checkpoints and
#                             GGUF/safetensors models with them), python3-torch
#                             (the Python package's tests, tests/test_python.sh),
#                             python3-setuptools and python3-pip (pip install ./python),
#                             Open MPI (openmpi-bin, libopenmpi-dev: data-parallel
#                             `swiglu train` and the lab under mpirun, docs/CLUSTER.md)
#   scripts/deps.sh --bench   also valgrind, and libopenblas0-openmp: PyTorch's
#                             fp32 matmuls on OpenBLAS in bench/bench_python_ffn.py
#                             (Debian's torch calls the system libblas.so.3, the
#                             ~30x slower Netlib one without it; installing it also
#                             makes OpenBLAS the system's libblas.so.3 alternative)
set -euo pipefail
# each line: package  check (a shell test that succeeds when it is present)
wanted='
gcc              command -v gcc
make             command -v make
libc6-dev        test -e /usr/include/stdio.h
pkg-config       command -v pkg-config
libdnnl-dev      test -e /usr/include/dnnl.h
libcjson-dev     test -e /usr/include/cjson/cJSON.h
gnuplot-nox      command -v gnuplot
libcurl4-openssl-dev  test -e /usr/include/x86_64-linux-gnu/curl/curl.h -o -e /usr/include/curl/curl.h
npm              command -v npm
ca-certificates  test -d /etc/ssl/certs
clang            command -v clang
libclang-rt-14-dev  ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a
python3          command -v python3
python3-numpy    /usr/bin/python3 -c "import numpy"
python3-torch    /usr/bin/python3 -c "import torch"
python3-setuptools  /usr/bin/python3 -c "import setuptools"
python3-pip      /usr/bin/python3 -m pip --version
openmpi-bin      command -v mpirun
libopenmpi-dev   command -v mpicc
'
bench='
valgrind         command -v valgrind
libopenblas0-openmp  test -e /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3
'
for arg in "$@"; do
    case "$arg" in
    --bench) wanted+=$bench ;;
    *) echo "scripts/deps.sh: unknown option '$arg' (known: --bench)" >&2; exit 2 ;;
    esac
done
missing=()
while read -r pkg check; do
    [ -n "$pkg" ] || continue
    bash -c "$check" >/dev/null 2>&1 || missing+=("$pkg")
done <<<"$wanted"
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "scripts/deps.sh: missing: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
fi
echo "scripts/deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
