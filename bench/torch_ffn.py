#!/usr/bin/python3
"""torch_ffn.py -- the FFNs of `swiglu bench ffn` in PyTorch, written the usual way:

    SwiGLU:  (F.silu(x @ W1.T) * (x @ W3.T)) @ W2.T
    ReLU:    F.relu(x @ W1.T) @ W2.T          GELU: F.gelu(x @ W1.T) @ W2.T

forward (torch.no_grad) and forward+backward (autograd: dx, dW1, dW3, dW2 from
y.backward(dy)), median ms of --reps repetitions after one warm-up, fp32 and
bf16 (weights and activations bf16, as torch runs them on CPU).
Threads: --threads N, default $OMP_NUM_THREADS or 2 (torch.set_num_threads).
Run PyTorch at its best with OMP_WAIT_POLICY=passive (scripts/bench_compare_ffn.sh does).

Legend: T tokens, D d_model, H d_ff. Shapes (T, D, H): (512, 512, 1376),
(2048, 768, 2048), (64, 4096, 11008); plain variants use H = 4D.
Output: a table, or with --json the rows of `swiglu bench ffn --json`
(variant, dtype, T, D, H, pass, ms, gflops).
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

SHAPES = [(512, 512, 1376), (2048, 768, 2048), (64, 4096, 11008)]
VARIANTS = ["swiglu", "relu", "gelu"]


def make(variant, dtype, T, D, H, train):
    g = torch.Generator().manual_seed(1)
    gated = variant == "swiglu"

    def t(*shape, scale):
        return (torch.randn(*shape, generator=g) * scale).to(dtype).requires_grad_(bool(train))

    w1 = t(H, D, scale=0.02)
    w3 = t(H, D, scale=0.02) if gated else None
    w2 = t(D, H, scale=0.02)
    x = t(T, D, scale=0.3)
    dy = (torch.randn(T, D, generator=g) * 0.01).to(dtype)

    if variant == "swiglu":
        def fwd():
            return (F.silu(x @ w1.T) * (x @ w3.T)) @ w2.T
    elif variant == "relu":
        def fwd():
            return F.relu(x @ w1.T) @ w2.T
    else:
        def fwd():
            return F.gelu(x @ w1.T) @ w2.T
    params = [p for p in (w1, w3, w2, x) if p is not None]

    if not train:
        def step():
            with torch.no_grad():
                fwd()
    else:
        def step():
            for p in params:
                p.grad = None
            fwd().backward(dy)
    return step


def bench(step, reps):
    step()  # warm-up
    s = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        s.append(time.perf_counter() - t0)
    return statistics.median(s)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "2")))
    ap.add_argument("--shape", type=int, choices=[0, 1, 2])
    ap.add_argument("--dtype", choices=["f32", "bf16"])
    ap.add_argument("--variant", choices=VARIANTS)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    rows = []
    if not a.json:
        print(f"PyTorch {torch.__version__}, {a.threads} threads, median of {a.reps}")
        print(f"{'variant':9} {'dtype':5} {'T':>5} {'D':>5} {'H':>6}  {'pass':8} {'ms':>9} {'GFLOP/s':>8}")
    for si, (T, D, H0) in enumerate(SHAPES):
        if a.shape is not None and si != a.shape:
            continue
        for dn, dt in (("f32", torch.float32), ("bf16", torch.bfloat16)):
            if a.dtype and dn != a.dtype:
                continue
            for v in VARIANTS:
                if a.variant and v != a.variant:
                    continue
                H = H0 if v == "swiglu" else 4 * D
                P = 2 * H if v == "swiglu" else H
                fl = 2.0 * T * D * P + 2.0 * T * H * D
                for train in (0, 1):
                    ms = 1e3 * bench(make(v, dt, T, D, H, train), a.reps)
                    flops = fl * (3 if train else 1)
                    row = {"variant": v, "dtype": dn, "T": T, "D": D, "H": H,
                           "pass": "fwd+bwd" if train else "fwd", "ms": round(ms, 4),
                           "gflops": round(flops / ms * 1e-6, 2)}
                    rows.append(row)
                    if not a.json:
                        print(f"{v:9} {dn:5} {T:5} {D:5} {H:6}  {row['pass']:8} {ms:9.3f} {row['gflops']:8.1f}",
                              flush=True)
    if a.json:
        json.dump({"bench": "torch_ffn", "torch": torch.__version__, "threads": a.threads,
                   "reps": a.reps, "rows": rows}, sys.stdout, indent=1)
        print()


if __name__ == "__main__":
    main()
