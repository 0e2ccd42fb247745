#!/usr/bin/python3
"""torch_act.py -- PyTorch's SwiGLU elementwise step on the sizes of
`swiglu bench act`, for `make bench-compare` (scripts/bench_compare.sh).

    OMP_WAIT_POLICY=passive /usr/bin/python3 bench/torch_act.py [--json]
        [--reps N] [--sizes 16M,64K] [--threads 1,2]

Rows (effective bytes per element, counted as `swiglu bench act` counts them:
what the operation must move at least, not what PyTorch's temporaries add):
  fwd_alloc      y = F.silu(a) * b                          12
  fwd_prealloc   torch.mul(F.silu(a), b, out=y)             12  (silu(a) still allocated)
  fwd_noalloc    aten.silu.out(a, out=y); y.mul_(b)         12  (no allocation, two passes)
  bwd            autograd.grad(F.silu(a) * b, (a, b), dout)  20  (reads dout a b, writes da db)
  copy           y.copy_(a)                                  8   PyTorch's own bounds, same run
  triad          torch.add(a, b, alpha=0.5, out=y)           12

Method, as in the C benchmark: buffers allocated once per size and filled
(first touch) before timing; within one (size, threads) group the samples
are taken round-robin (repetition r runs every row once), a sample repeats a
call until it lasts >= 2 ms, and each row reports the median of its samples.

Set OMP_WAIT_POLICY=passive (this script sets it when unset, before torch
starts its OpenMP pool): with spinning workers, two OpenMP pools on 2 cores
-- or one pool next to other work -- burn each other's time slices.
Needs Debian's python3-torch (1.13); run it with /usr/bin/python3.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "passive")

import torch  # noqa: E402  (after the environment is set)
import torch.nn.functional as F  # noqa: E402

MIN_SAMPLE_S = 2e-3
BYTES = {"fwd_alloc": 12, "fwd_prealloc": 12, "fwd_noalloc": 12, "bwd": 20, "copy": 8, "triad": 12}


def parse_size(s):
    mult = 1
    if s[-1] in "kK":
        mult, s = 1 << 10, s[:-1]
    elif s[-1] in "mM":
        mult, s = 1 << 20, s[:-1]
    return int(s) * mult


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_probe():
    """(wall, own CPU time, busy CPU time of the machine) -- see other_load"""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        busy = (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        busy = None
    t = os.times()
    return time.perf_counter(), t.user + t.system, busy


def other_load(a, b):
    """cores' worth of other processes' work between two probes (None if unknown):
    on 2 cores, other work takes a core from the 2-thread rows"""
    if a[2] is None or b[2] is None or b[0] <= a[0]:
        return None
    return max(0.0, ((b[2] - a[2]) - (b[1] - a[1])) / (b[0] - a[0]))


def make_rows(n):
    g = torch.Generator().manual_seed(1)
    # gate in [-6, 6), up in [-2, 2), dout in [-1, 1): the C benchmark's ranges
    a = torch.rand(n, generator=g) * 12 - 6
    b = torch.rand(n, generator=g) * 4 - 2
    dout = torch.rand(n, generator=g) * 2 - 1
    y = torch.zeros(n)
    ar = a.detach().clone().requires_grad_()
    br = b.detach().clone().requires_grad_()
    yr = F.silu(ar) * br  # the graph, kept: every backward call reuses it

    def bwd():
        return torch.autograd.grad(yr, (ar, br), dout, retain_graph=True)

    def noalloc():
        torch.ops.aten.silu.out(a, out=y)
        y.mul_(b)

    return {
        "fwd_alloc": lambda: F.silu(a) * b,
        "fwd_prealloc": lambda: torch.mul(F.silu(a), b, out=y),
        "fwd_noalloc": noalloc,
        "bwd": bwd,
        "copy": lambda: y.copy_(a),
        "triad": lambda: torch.add(a, b, alpha=0.5, out=y),
    }


def time_calls(fn, calls):
    t0 = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - t0) / calls


def bench_group(rows, reps):
    calls, samples = {}, {k: [] for k in rows}
    for k, fn in rows.items():  # calibration, also the warm-up
        t = min(time_calls(fn, 1), time_calls(fn, 1))
        calls[k] = 1 if t >= MIN_SAMPLE_S else int(MIN_SAMPLE_S / max(t, 1e-7)) + 1
    for _ in range(reps):
        for k, fn in rows.items():
            samples[k].append(time_calls(fn, calls[k]))
    return {k: (statistics.median(v), min(v), max(v), calls[k]) for k, v in samples.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="one JSON document on stdout")
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--sizes", default="16M,64K")
    ap.add_argument("--threads", default="1,2")
    args = ap.parse_args()
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    threads = [int(t) for t in args.threads.split(",")]
    if args.reps < 1 or min(sizes) < 1 or min(threads) < 1:
        ap.error("--reps, --sizes and --threads must be positive")

    out = []
    probe0 = load_probe()
    if not args.json:
        print(f"PyTorch {torch.__version__} -- {cpu_model()}; effective GB/s, median of {args.reps} reps; "
              f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}")
    for n in sizes:
        torch.set_num_threads(max(threads))
        rows = make_rows(n)
        for t in threads:
            torch.set_num_threads(t)
            res = bench_group(rows, args.reps)
            triad = BYTES["triad"] * n / res["triad"][0] * 1e-9
            if not args.json:
                print(f"\nn = {n} floats, {t} thread{'s' if t > 1 else ''}")
            for k, (med, lo, hi, calls) in res.items():
                gbs = BYTES[k] * n / med * 1e-9
                out.append({"op": k, "n": n, "threads": t, "gbs": round(gbs, 3),
                            "pct_triad": round(100 * gbs / triad, 1), "s_median": med,
                            "s_min": lo, "s_max": hi, "calls_per_sample": calls})
                if not args.json:
                    print(f"  {k:<13} {BYTES[k]:3d} B/el  {gbs:8.2f} GB/s  {100 * gbs / triad:4.0f}% of triad")
        del rows
    other = other_load(probe0, load_probe())
    if other is not None and other > 0.25 and max(threads) + other > os.cpu_count():
        print(f"torch_act.py: note: other processes kept {other:.2f} of the {os.cpu_count()} CPUs busy: "
              f"the {max(threads)}-thread numbers are unreliable", file=sys.stderr)
    if args.json:
        json.dump({"bench": "torch_act", "torch": torch.__version__, "cpu": cpu_model(),
                   "python": platform.python_version(), "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
                   "cpus": os.cpu_count(), "other_load_cores": None if other is None else round(other, 2),
                   "reps": args.reps, "statistic": "median", "bytes_per_elem": BYTES, "rows": out},
                  sys.stdout, indent=1)
        print()


if __name__ == "__main__":
    main()
