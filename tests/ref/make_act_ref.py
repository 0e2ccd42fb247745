#!/usr/bin/python3
"""Writes tests/ref/act_ref.bin: PyTorch's own activations and GLU products,
forward and autograd backward, as the cross-check of swiglu's definitions.

Run with Debian's python3-torch:  /usr/bin/python3 tests/ref/make_act_ref.py
The output is committed; tests/test_act_torch.c reads it without torch.

Inputs are float32; PyTorch evaluates in float64 on those exact inputs, so
the reference carries PyTorch's definitions (gelu's tanh form, gpt-oss's
clamps, Swish's beta gradient) without float32 rounding of its own.

File layout (little endian), version 1:
  char[8]  magic "SWGLREF1"
  u32      version (1)
  u32      record count
  record:  char[32] name (NUL padded)
           u32 kind (0 unary, 1 GLU)   u32 act (swiglu_act code)
           f32 beta  f32 limit (inf: no clamp)  f32 up_shift   u32 n
           unary: f32 x[n], f32 dout[n], f64 y[n], f64 dx[n], f64 dbeta
           GLU:   f32 g[n], f32 u[n], f32 dout[n], f64 y[n], f64 dg[n], f64 du[n], f64 dbeta
"""
import math, struct, sys
import torch
import torch.nn.functional as F

N = 256
ACT = {"identity": 0, "relu": 1, "gelu_erf": 2, "gelu_tanh": 3, "sigmoid": 4, "swish": 5}


def act_fn(name, x, beta):
    if name == "identity": return x
    if name == "relu": return F.relu(x)
    if name == "gelu_erf": return F.gelu(x)
    if name == "gelu_tanh": return F.gelu(x, approximate="tanh")
    if name == "sigmoid": return torch.sigmoid(x)
    return x * torch.sigmoid(beta * x)          # Swish_beta; beta = 1 is F.silu


def inputs(gen, n):
    # a spread over [-20, 20] with the interesting region dense, a few large values
    x = torch.cat([torch.linspace(-8, 8, n // 2, dtype=torch.float64),
                   torch.rand(n - n // 2 - 6, generator=gen, dtype=torch.float64) * 40 - 20,
                   torch.tensor([-100.0, -30.0, 30.0, 0.0, -1.2784645, -0.7517915], dtype=torch.float64)])
    return x.float()


def f32(v):
    """beta as the float32 the C side holds (1.702 is not a float)"""
    return struct.unpack("<f", struct.pack("<f", v))[0]


def main(out_path):
    gen = torch.Generator().manual_seed(20261127)
    recs = []
    unary = [("sigmoid", 1.0), ("swish", 1.0), ("swish", 1.702), ("gelu_erf", 1.0), ("gelu_tanh", 1.0), ("relu", 1.0)]
    for name, beta in unary:
        beta = f32(beta)
        x32 = inputs(gen, N)
        d32 = torch.randn(N, generator=gen).float()
        x = x32.double().requires_grad_(True)
        b = torch.tensor(beta, dtype=torch.float64, requires_grad=True)
        y = act_fn(name, x, b)
        (y * d32.double()).sum().backward()
        db = b.grad.item() if b.grad is not None else 0.0
        recs.append(("%s b=%g" % (name, beta), 0, ACT[name], beta, math.inf, 0.0,
                     [x32, d32], [y.detach(), x.grad], db))
    glus = [("glu", "sigmoid", 1.0, math.inf, 0.0), ("bilinear", "identity", 1.0, math.inf, 0.0),
            ("reglu", "relu", 1.0, math.inf, 0.0), ("geglu", "gelu_erf", 1.0, math.inf, 0.0),
            ("geglu_tanh", "gelu_tanh", 1.0, math.inf, 0.0), ("swiglu", "swish", 1.0, math.inf, 0.0),
            ("swiglu b=0.8", "swish", 0.8, math.inf, 0.0), ("swiglu_clamped", "swish", 1.702, 7.0, 1.0)]
    for name, act, beta, limit, shift in glus:
        beta = f32(beta)
        g32 = inputs(gen, N)
        u32 = (torch.rand(N, generator=gen) * 24 - 12).float()
        d32 = torch.randn(N, generator=gen).float()
        g = g32.double().requires_grad_(True)
        u = u32.double().requires_grad_(True)
        b = torch.tensor(beta, dtype=torch.float64, requires_grad=True)
        if math.isinf(limit):
            y = act_fn(act, g, b) * u
        else:  # gpt-oss: x_glu.clamp(max=limit), x_linear.clamp(-limit, limit), out * (x_linear + 1)
            gc = g.clamp(min=None, max=limit)
            uc = u.clamp(min=-limit, max=limit)
            y = gc * torch.sigmoid(b * gc) * (uc + shift)
        (y * d32.double()).sum().backward()
        db = b.grad.item() if b.grad is not None else 0.0
        recs.append((name, 1, ACT[act], beta, limit, shift, [g32, u32, d32], [y.detach(), g.grad, u.grad], db))

    with open(out_path + ".tmp", "wb") as f:
        f.write(b"SWGLREF1")
        f.write(struct.pack("<II", 1, len(recs)))
        for name, kind, act, beta, limit, shift, f32s, f64s, db in recs:
            f.write(name.encode().ljust(32, b"\0"))
            f.write(struct.pack("<IIfffI", kind, act, beta, limit, shift, N))
            for t in f32s: f.write(t.contiguous().numpy().astype("<f4").tobytes())
            for t in f64s: f.write(t.contiguous().numpy().astype("<f8").tobytes())
            f.write(struct.pack("<d", db))
    import os
    os.replace(out_path + ".tmp", out_path)
    print("wrote %s: %d records, torch %s" % (out_path, len(recs), torch.__version__))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/ref/act_ref.bin")
