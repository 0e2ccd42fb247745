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
--json: one JSON object a row.

BLAS: Debian's torch has no MKL; its fp32 matmuls call the system
libblas.so.3, which with only libblas3 installed is the reference Netlib
BLAS (~30x slower than an optimized one: an fp32 ratio against it is
meaningless). The script runs torch on OpenBLAS: TORCH_BLAS_DIR (the
convention of bench/threads.sh and scripts/bench_compare_ffn.sh: a folder
holding OpenBLAS's libblas.so.3), else Debian's libopenblas0-openmp folder
when installed (`scripts/deps.sh --bench`), put first on LD_LIBRARY_PATH by
re-executing itself (the loader reads it only at start); --netlib keeps the
system default. The BLAS torch actually loaded is in every row ("blas").
OpenBLAS's OpenMP build shares libgomp with torch and libswiglu."""
import argparse
import json
import os
import statistics
import sys
import time

SHAPES = [(512, 512, 1376), (2048, 768, 2048)]
DEBIAN_OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-openmp"


def use_openblas(netlib):
    """re-executes this script with OpenBLAS's folder first on LD_LIBRARY_PATH
    (once: SWIGLU_BENCH_BLAS marks the child); returns when nothing is to do"""
    if netlib or os.environ.get("SWIGLU_BENCH_BLAS"):
        return
    d = os.environ.get("TORCH_BLAS_DIR") or DEBIAN_OPENBLAS
    if not os.path.exists(os.path.join(d, "libblas.so.3")):
        if os.environ.get("TORCH_BLAS_DIR"):
            sys.exit("bench_python_ffn.py: TORCH_BLAS_DIR=%s holds no libblas.so.3" % d)
        print("# no OpenBLAS (scripts/deps.sh --bench installs it, or set TORCH_BLAS_DIR): "
              "torch's fp32 runs on the system BLAS", file=sys.stderr)
        return
    env = dict(os.environ, SWIGLU_BENCH_BLAS=d)
    env["LD_LIBRARY_PATH"] = d + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def loaded_blas():
    """the libblas.so.3 mapped into this process (after torch ran a matmul)"""
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "libblas" in line}
    return ",".join(sorted(os.path.realpath(p) for p in paths)) or "none"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true", help="one JSON object a row")
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--shape", type=int, choices=range(len(SHAPES)), action="append",
                    help="index into the shapes (repeatable; default all)")
    ap.add_argument("--dtype", choices=["f32", "bf16"], action="append")
    ap.add_argument("--netlib", action="store_true", help="keep the system BLAS (no OpenBLAS)")
    a = ap.parse_args()
    use_openblas(a.netlib)
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
    torch.ones(8, 8) @ torch.ones(8, 8)      # loads the BLAS
    info = {"cpu": cpu_model(), "threads": threads, "torch": torch.__version__,
            "libswiglu": swiglu.version(), "isa": swiglu.isa(),
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"), "blas": loaded_blas()}
    if not a.json:
        print("# %s; %d threads; torch %s; libswiglu %s (%s); OMP_WAIT_POLICY=%s; BLAS %s" % (
            info["cpu"], threads, info["torch"], info["libswiglu"], info["isa"],
            info["omp_wait_policy"], info["blas"]))
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
