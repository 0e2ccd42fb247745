#!/usr/bin/env bash
# bench_compare.sh -- `make bench-compare`: our SwiGLU elementwise step against
# PyTorch's (bench/torch_act.py), as speedups ours/PyTorch for matching rows:
# forward (PyTorch allocating, preallocated, allocation-free) and backward, at
# both sizes and both thread counts. Each side also measures its own triad in
# its own run: if the two triads differ much, the machine changed between the
# runs and the speedups carry that error.
#
#   O=build PYTHON=/usr/bin/python3 bash scripts/bench_compare.sh
#   BENCH_ARGS="--reps 11" passes options to both benchmarks (--reps/--sizes/--threads).
#   bash scripts/bench_compare.sh --from bench/results/act.json
#       prints the table of stored results ({"swiglu": ..., "torch": ...}) without running.
set -euo pipefail
cd "$(dirname "$0")/.."
O=${O:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
BENCH_ARGS=${BENCH_ARGS:-}
# Spinning OpenMP workers of two pools (ours, PyTorch's), or of one pool next
# to other work on 2 cores, steal each other's time slices: both sides run
# with passive waiting, so the comparison is under the same policy.
export OMP_WAIT_POLICY=passive

from=
if [ "${1:-}" = --from ]; then from=${2:?--from needs a file}; fi

if [ -z "$from" ] && ! "$PYTHON" -c 'import torch' 2>/dev/null; then
    echo "bench-compare: $PYTHON cannot import torch (Debian: apt-get install python3-torch)" >&2
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -n "$from" ]; then
    "$PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1]))
json.dump(d["swiglu"], open(sys.argv[2], "w")); json.dump(d["torch"], open(sys.argv[3], "w"))' \
        "$from" "$tmp/ours.json" "$tmp/torch.json"
else
    # shellcheck disable=SC2086  # BENCH_ARGS is a list of options
    "$O/swiglu" bench act --json --swiglu-only --isa best $BENCH_ARGS > "$tmp/ours.json"
    # shellcheck disable=SC2086
    "$PYTHON" bench/torch_act.py --json $BENCH_ARGS > "$tmp/torch.json"
fi

"$PYTHON" - "$tmp/ours.json" "$tmp/torch.json" <<'EOF'
import json, sys

ours = json.load(open(sys.argv[1]))
torch = json.load(open(sys.argv[2]))
isa = ours["best_isa"]

def get(rows, **kw):
    for r in rows:
        if all(r.get(k) == v for k, v in kw.items()):
            return r["gbs"]
    return None

def size(n):
    return f"{n >> 20}M" if n % (1 << 20) == 0 else f"{n >> 10}K" if n % 1024 == 0 else str(n)

groups = sorted({(r["n"], r["threads"]) for r in ours["rows"]}, key=lambda g: (-g[0], g[1]))
print(f"SwiGLU elementwise step: swiglu {ours['version']} ({isa}) vs PyTorch {torch['torch']}")
def load(d):
    v = d.get("other_load_cores")
    return "?" if v is None else f"{v:.2f}"
print(f"{ours['cpu']}; effective GB/s (fwd 12 B/el, bwd 20 B/el), medians; "
      f"other processes' load (CPUs): ours {load(ours)}, torch {load(torch)}")
print("speedup = ours / PyTorch  (alloc: F.silu(a)*b; prealloc: torch.mul(F.silu(a), b, out=y);")
print("                           noalloc: aten.silu.out + mul_; bwd: autograd.grad of F.silu(a)*b)\n")
print(f"{'n':>4} {'thr':>3} {'step':<4} {'ours':>7} | {'alloc':>7} {'prealloc':>8} {'noalloc':>7} |"
      f" {'x alloc':>7} {'x prealloc':>10} {'x noalloc':>9} | {'triad ours/torch':>16}")
target = None
for n, t in groups:
    tri_o = get(ours["rows"], kind="triad", n=n, threads=t)
    tri_t = get(torch["rows"], op="triad", n=n, threads=t)
    tri = f"{tri_o:6.1f}/{tri_t:<6.1f}" if tri_o and tri_t else "-"
    for step in ("fwd", "bwd"):
        o = get(ours["rows"], kind=f"glu_{step}", op="swiglu", isa=isa, n=n, threads=t)
        ops = ("fwd_alloc", "fwd_prealloc", "fwd_noalloc") if step == "fwd" else ("bwd", None, None)
        p = [get(torch["rows"], op=k, n=n, threads=t) if k else None for k in ops]
        fmt = lambda v, w: f"{v:{w}.2f}" if v else f"{'-':>{w}}"
        sp = [o / v if o and v else None for v in p]
        fx = lambda v, w: f"{v:{w - 1}.2f}x" if v else f"{'-':>{w}}"
        print(f"{size(n):>4} {t:>3} {step:<4} {fmt(o, 7)} | {fmt(p[0], 7)} {fmt(p[1], 8)} {fmt(p[2], 7)} |"
              f" {fx(sp[0], 7)} {fx(sp[1], 10)} {fx(sp[2], 9)} | {tri if step == 'fwd' else ''}")
        if n == 16 << 20 and t == 2 and step == "fwd":
            target = sp[0]
if target is not None:
    print(f"\ntarget (16M floats, 2 threads): forward >= 6x PyTorch's F.silu(a)*b: {target:.2f}x "
          f"-- {'met' if target >= 6 else 'MISSED'}")
EOF

# The FFN comparison, when that benchmark exists.
if [ -z "$from" ] && [ -f scripts/bench_compare_ffn.sh ]; then
    echo
    O="$O" PYTHON="$PYTHON" bash scripts/bench_compare_ffn.sh
fi
