#!/usr/bin/python3
"""bench_python_ffn.py -- a PyTorch training step of a LLaMA MLP block:
swiglu.torch.FFN against the plain PyTorch block (nn.Linear + F.silu), side
by side in one run.

    step = y = block(x); y.backward(dy)      (x requires grad: dx is computed,
                                              as inside a network)

(T, D, H) = (512, 512, 1376) and (2048, 768, 2048), fp32 and bf16; both blocks
hold the same weights; x, dy and the blocks are allocated once; the two are
timed alternately, rep for rep, after --warmup steps each; medians of --reps.
Also the inference forward (torch.no_grad). ratio = torch ms / ours ms
(> 1: ours is faster).

Threads: --threads N (default: $OMP_NUM_THREADS, else torch's default),
through OMP_NUM_THREADS before torch and the library load, so both use N;
Debian's torch and libswiglu share libgomp, one OpenMP runtime.
OMP_WAIT_POLICY=passive unless set (idle threads sleep instead of spinning).
Run from the source tree after `make` (or with SWIGLU_LIB, or installed).
--json: one JSON object a row."""
import argparse
import json
import os
import statistics
import sys
import time

SHAPES = [(512, 512, 1376), (2048, 768, 2048)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true", help="one JSON object a row")
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--shape", type=int, choices=range(len(SHAPES)), action="append",
                    help="index into the shapes (repeatable; default all)")
    ap.add_argument("--dtype", choices=["f32", "bf16"], action="append")
    a = ap.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    if a.threads:
        os.environ["OMP_NUM_THREADS"] = str(a.threads)
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "python"))
    sys.path.insert(1, os.path.join(here, "..", "python", "tests"))
    import torch
    import swiglu
    import swiglu.torch as st
    from helpers import LlamaMLP     # the tests' plain PyTorch block
    from torch_act import cpu_model

    threads = torch.get_num_threads()
    info = {"cpu": cpu_model(), "threads": threads, "torch": torch.__version__,
            "libswiglu": swiglu.version(), "isa": swiglu.isa(),
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY")}
    if not a.json:
        print("# %s; %d threads; torch %s; libswiglu %s (%s); OMP_WAIT_POLICY=%s" % (
            info["cpu"], threads, info["torch"], info["libswiglu"], info["isa"],
            info["omp_wait_policy"]))
        print("%-18s %-5s %-8s %10s %10s %7s" % ("T, D, H", "dtype", "pass", "ours ms", "torch ms",
                                              "ratio"))
    rows = []
    for si in a.shape or range(len(SHAPES)):
        T, D, H = SHAPES[si]
        for dn in a.dtype or ["f32", "bf16"]:
            dtype = torch.float32 if dn == "f32" else torch.bfloat16
            torch.manual_seed(0)
            ref = LlamaMLP(D, H).to(dtype)
            ours = st.FFN(D, H).to(dtype)
            ours.load_state_dict(ref.state_dict())
            x = (torch.randn(T, D) * 0.3).to(dtype).requires_grad_()
            dy = (torch.randn(T, D) * 0.01).to(dtype)
            blocks = {"ours": ours, "torch": ref}

            def train_step(m):
                m.zero_grad(set_to_none=True)
                x.grad = None
                m(x).backward(dy)

            def fwd_step(m):
                with torch.no_grad():
                    m(x)

            for pname, step in (("fwd+bwd", train_step), ("fwd", fwd_step)):
                times = {k: [] for k in blocks}
                for _ in range(a.warmup):
                    for m in blocks.values():
                        step(m)
                for _ in range(a.reps):
                    for k, m in blocks.items():   # alternately: the same machine state
                        t0 = time.perf_counter()
                        step(m)
                        times[k].append(time.perf_counter() - t0)
                ms = {k: 1e3 * statistics.median(v) for k, v in times.items()}
                row = dict(T=T, D=D, H=H, dtype=dn, **{"pass": pname}, ours_ms=round(ms["ours"], 3),
                           torch_ms=round(ms["torch"], 3), ratio=round(ms["torch"] / ms["ours"], 3),
                           reps=a.reps, **info)
                rows.append(row)
                if a.json:
                    print(json.dumps(row), flush=True)
                else:
                    print("%-18s %-5s %-8s %10.2f %10.2f %7.2f" % (
                        "%d, %d, %d" % (T, D, H), dn, pname, ms["ours"], ms["torch"], row["ratio"]),
                        flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
