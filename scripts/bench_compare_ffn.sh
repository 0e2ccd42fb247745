#!/usr/bin/env bash
# bench_compare_ffn.sh -- our FFN layer (`swiglu bench ffn`) against the same
# FFNs in PyTorch (bench/torch_ffn.py), as our time / PyTorch's (< 1: we are
# faster) for every (variant, dtype, shape, pass), with our ratio to the bare
# GEMMs of our own run next to it. Called by scripts/bench_compare.sh
# (`make bench-compare`); runs alone too:
#
#   O=build PYTHON=/usr/bin/python3 bash scripts/bench_compare_ffn.sh
#   FFN_ARGS="--shape 0 --reps 5" passes options to both sides (--shape/--dtype/--variant/--reps).
#
# Both sides: the same thread count (OMP_NUM_THREADS, default 2) and passive
# OpenMP waiting (PyTorch at its best on a shared 2-core machine: one pool,
# no spinning workers stealing the other's time).
#
# Debian's PyTorch runs fp32 matmuls on whatever libblas.so.3 the system
# alternative points at -- the netlib reference BLAS by default (~2 GFLOP/s),
# which makes fp32 comparisons meaningless. TORCH_BLAS_DIR=<dir holding an
# OpenBLAS libblas.so.3> runs PyTorch on it without touching the system, e.g.
#   apt-get download libopenblas0-openmp && dpkg-deb -x libopenblas0-openmp_*.deb /tmp/ob
#   TORCH_BLAS_DIR=/tmp/ob/usr/lib/x86_64-linux-gnu/openblas-openmp make bench-compare
# (the openmp flavour: one libgomp pool, as ours).
set -euo pipefail
cd "$(dirname "$0")/.."
O=${O:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
FFN_ARGS=${FFN_ARGS:-}
export OMP_WAIT_POLICY=passive
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}

if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
    echo "bench-compare ffn: $PYTHON cannot import torch (Debian: apt-get install python3-torch)" >&2
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086  # FFN_ARGS is a list of options
"$O/swiglu" bench ffn --json $FFN_ARGS > "$tmp/ours.json"
blas="system libblas.so.3 ($(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo '?'))"
if [ -n "${TORCH_BLAS_DIR:-}" ]; then blas="$TORCH_BLAS_DIR/libblas.so.3"; fi
echo "PyTorch fp32 BLAS: $blas"
# shellcheck disable=SC2086
LD_LIBRARY_PATH=${TORCH_BLAS_DIR:+$TORCH_BLAS_DIR:}${LD_LIBRARY_PATH:-} \
    "$PYTHON" bench/torch_ffn.py --json $FFN_ARGS > "$tmp/torch.json"

"$PYTHON" - "$tmp/ours.json" "$tmp/torch.json" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))
torch = json.load(open(sys.argv[2]))
key = lambda r: (r["variant"], r["dtype"], r["T"], r["D"], r["H"], r["pass"])
theirs = {key(r): r for r in torch["rows"]}
print(f"FFN: ours ({ours['engine']}) vs PyTorch {torch['torch']}, {ours['threads']} threads, "
      f"medians of {ours['reps']}; ours/torch < 1 means we are faster")
print(f"{'variant':9} {'dtype':5} {'T':>5} {'D':>5} {'H':>6}  {'pass':8} {'ours ms':>9} {'torch ms':>9} "
      f"{'ours/torch':>10} {'speedup':>8} {'ours/bare':>9}")
for r in ours["rows"]:
    if r.get("engine", "auto") != "auto":   # the default rule's rows: what a user gets
        continue
    t = theirs.get(key(r))
    if not t:
        continue
    q = r["ms"] / t["ms"]
    print(f"{r['variant']:9} {r['dtype']:5} {r['T']:5} {r['D']:5} {r['H']:6}  {r['pass']:8} "
          f"{r['ms']:9.3f} {t['ms']:9.3f} {q:10.3f} {1 / q:7.2f}x {r['ratio']:9.3f}")
PY
