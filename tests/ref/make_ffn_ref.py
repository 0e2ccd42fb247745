#!/usr/bin/python3
"""make_ffn_ref.py -- PyTorch reference outputs of the FFN layer for test_ffn_ref.c.

Writes tests/ref/ffn_ref.bin (committed; the C test reads it without torch).
Run: /usr/bin/python3 tests/ref/make_ffn_ref.py   (PyTorch >= 1.12, numpy)

Inputs are NOT stored: both sides generate them from a seed with splitmix64,
as 8-bit values k in [0, 256): v = (k - 128) / 128 * scale, scale a power of
two. Such values are exact in fp32 AND bf16, so one dump serves both layers.
The reference is computed in float64 by autograd and stored as float32.

Legend: T tokens, D d_model, H d_ff; weights as nn.Linear: W1, W3 [H x D], W2 [D x H].

File format (little endian):
  header : char magic[8] = "SWFFNREF", u32 version = 1, u32 ncases
  per case:
    u32 variant (swiglu_ffn_variant), u32 layout (swiglu_weight_layout),
    u32 bias (b1, b3, b2 all on), u32 learn_beta, u32 T, u32 D, u32 H,
    f32 beta, u64 seed, f32 x_scale
    then float32 arrays:
      y [T x D], dx [T x D],
      dW1 in the layout's shape: SPLIT: dW1 [H x D] (+ dW3 [H x D] when gated);
                                 PACKED: [dW1; dW3] [2H x D]; PACKED_UP_GATE: [dW3; dW1]
      dW2 [D x H]
      when bias: db1 in the layout's shape (SPLIT: db1 [H] + db3 [H] gated;
                 packed: [2H] in the packed order), db2 [D]
      when learn_beta: dbeta [1]
Input generation order (one splitmix64 stream from seed): W1 [H x D], W3 [H x D]
(gated only), W2 [D x H], then if bias: b1 [H], b3 [H] (gated), b2 [D], then
x [T x D], dy [T x D]. Scales: W1/W3: pow2scale(D), W2: pow2scale(H),
biases 1/4, x: x_scale, dy: 1. pow2scale(n) = 1/s, s the largest power of two
with s^2 <= n
(about 1/sqrt(n), a power of two: 5 -> 1/2, 20 -> 1/4, 64 -> 1/8).
The loss is L = sum(y * dy).
"""
import os
import struct
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
MASK = (1 << 64) - 1

VARIANTS = ["relu", "gelu", "gelu_tanh", "swish", "glu", "bilinear", "reglu",
            "geglu", "geglu_tanh", "swiglu", "swiglu_clamped"]
GATED_FROM = 4
SPLIT, PACKED, PACKED_UP_GATE = 0, 1, 2


class Rng:
    def __init__(self, seed):
        self.s = seed & MASK

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def tensor(self, n, scale):
        return torch.tensor([((self.next() >> 56) - 128) / 128.0 * scale for _ in range(n)])


def pow2scale(n):
    s = 1
    while (2 * s) * (2 * s) <= n:
        s *= 2
    return 1.0 / s


def act(v, z, beta):
    name = VARIANTS[v]
    if name in ("relu", "reglu"):
        return F.relu(z)
    if name in ("gelu", "geglu"):
        return F.gelu(z)
    if name in ("gelu_tanh", "geglu_tanh"):
        return F.gelu(z, approximate="tanh")
    if name in ("swish", "swiglu", "swiglu_clamped"):
        return z * torch.sigmoid(beta * z)
    if name == "glu":
        return torch.sigmoid(z)
    if name == "bilinear":
        return z
    raise ValueError(name)


def case(v, layout, bias, T, D, H, seed, x_scale=1.0):
    gated = v >= GATED_FROM
    learn = VARIANTS[v] in ("swish", "swiglu")
    beta_f = 1.702 if VARIANTS[v] == "swiglu_clamped" else (1.25 if learn else 1.0)
    beta32 = struct.unpack("<f", struct.pack("<f", beta_f))[0]  # the fp32 value C uses
    r = Rng(seed)
    w1 = r.tensor(H * D, pow2scale(D)).reshape(H, D)
    w3 = r.tensor(H * D, pow2scale(D)).reshape(H, D) if gated else None
    w2 = r.tensor(D * H, pow2scale(H)).reshape(D, H)
    b1 = b3 = b2 = None
    if bias:
        b1 = r.tensor(H, 0.25)
        b3 = r.tensor(H, 0.25) if gated else None
        b2 = r.tensor(D, 0.25)
    x = r.tensor(T * D, x_scale).reshape(T, D)
    dy = r.tensor(T * D, 1.0).reshape(T, D)
    params = [t for t in (w1, w3, w2, b1, b3, b2, x) if t is not None]
    for t in params:
        t.requires_grad_(True)
    beta = torch.tensor(beta32, requires_grad=True)

    g = x @ w1.T + (b1 if bias else 0)
    if gated:
        u = x @ w3.T + (b3 if bias else 0)
        if VARIANTS[v] == "swiglu_clamped":
            lim = 7.0
            g = torch.clamp(g, max=lim)
            u = torch.clamp(u, -lim, lim) + 1.0
        h = act(v, g, beta) * u
    else:
        h = act(v, g, beta)
    y = h @ w2.T + (b2 if bias else 0)
    (y * dy).sum().backward()

    def f32(t):
        return t.detach().to(torch.float32).contiguous().numpy().tobytes()

    out = struct.pack("<7If Q f", v, layout, bias, int(learn), T, D, H, beta32, seed, x_scale)
    out += f32(y) + f32(x.grad)
    if not gated or layout == SPLIT:
        out += f32(w1.grad) + (f32(w3.grad) if gated else b"")
    elif layout == PACKED:
        out += f32(torch.cat([w1.grad, w3.grad]))
    else:
        out += f32(torch.cat([w3.grad, w1.grad]))
    out += f32(w2.grad)
    if bias:
        if not gated or layout == SPLIT:
            out += f32(b1.grad) + (f32(b3.grad) if gated else b"")
        elif layout == PACKED:
            out += f32(torch.cat([b1.grad, b3.grad]))
        else:
            out += f32(torch.cat([b3.grad, b1.grad]))
        out += f32(b2.grad)
    if learn:
        out += f32(beta.grad.reshape(1))
    return out


def main():
    cases = []
    seed = 1
    # every variant and layout at the tiny odd shapes, with and without biases
    for v in range(len(VARIANTS)):
        layouts = [SPLIT, PACKED, PACKED_UP_GATE] if v >= GATED_FROM else [SPLIT]
        for layout in layouts:
            for bias in (0, 1):
                for T in (1, 3):
                    xs = 8.0 if VARIANTS[v] == "swiglu_clamped" else 1.0
                    cases.append(case(v, layout, bias, T, 5, 7, seed, xs))
                    seed += 1
    # every variant at T = 37, D = 64, H = 20 (not a multiple of 16), layouts in turn
    for v in range(len(VARIANTS)):
        layout = v % 3 if v >= GATED_FROM else SPLIT
        xs = 8.0 if VARIANTS[v] == "swiglu_clamped" else 1.0
        cases.append(case(v, layout, 1, 37, 64, 20, seed, xs))
        seed += 1
    data = b"SWFFNREF" + struct.pack("<II", 1, len(cases)) + b"".join(cases)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ffn_ref.bin")
    with open(path, "wb") as f:
        f.write(data)
    print(f"{path}: {len(cases)} cases, {len(data)} bytes, torch {torch.__version__}")


if __name__ == "__main__":
    sys.exit(main())
