"""The elementwise kernels on torch tensors and swiglu.torch.glu (autograd):
values and gradients (dbeta included) of every activation, GLU variant and
layout against PyTorch's float64 autograd. torch.autograd.gradcheck needs
float64 and the C API is float32, so the check is instead: fp32 result within
TOL of the float64 reference, relative to the tensor's largest magnitude."""
import unittest

from helpers import check_refusals, ACTS, LAYOUTS, VARIANTS, needs_torch, rel_err, torch

import swiglu

TOL = 1e-5


def ref_act(name, x, beta):
    F = torch.nn.functional
    return {"identity": lambda: x, "relu": lambda: torch.relu(x), "gelu_erf": lambda: F.gelu(x),
            "gelu_tanh": lambda: F.gelu(x, approximate="tanh"), "sigmoid": lambda: torch.sigmoid(x),
            "swish": lambda: x * torch.sigmoid(beta * x)}[name]()


def ref_glu(variant, g, u, beta):
    """float64 PyTorch; beta: a tensor (so its gradient exists) or the default."""
    F = torch.nn.functional
    if variant == "swiglu_clamped":   # gpt-oss: g' = min(g, 7), u' = clamp(u, -7, 7) + 1
        g = torch.clamp(g, max=7.0)
        return g * torch.sigmoid(beta * g) * (torch.clamp(u, -7.0, 7.0) + 1)
    return {"glu": lambda: torch.sigmoid(g), "bilinear": lambda: g, "reglu": lambda: torch.relu(g),
            "geglu": lambda: F.gelu(g), "geglu_tanh": lambda: F.gelu(g, approximate="tanh"),
            "swiglu": lambda: g * torch.sigmoid(beta * g)}[variant]() * u


def pack(g, u, layout):
    if layout == "gate_up":
        return torch.cat([g, u], -1).contiguous()
    if layout == "up_gate":
        return torch.cat([u, g], -1).contiguous()
    return torch.stack([g, u], -1).reshape(*g.shape[:-1], 2 * g.shape[-1]).contiguous()


def unpack(x, layout):
    n = x.shape[-1] // 2
    if layout == "gate_up":
        return x[..., :n], x[..., n:]
    if layout == "up_gate":
        return x[..., n:], x[..., :n]
    return x[..., 0::2], x[..., 1::2]


@needs_torch
class TestTorchOps(unittest.TestCase):
    def setUp(self):
        gen = torch.Generator().manual_seed(5)
        # gate values up to ~12: past the clamp (7) of gpt-oss's variant on both sides
        self.g = torch.randn(3, 7, 45, generator=gen) * 4
        self.u = torch.randn(3, 7, 45, generator=gen) * 4
        self.d = torch.randn(3, 7, 45, generator=gen)

    def test_act_values_and_gradients(self):
        for act in ACTS:
            beta = 1.7
            x64 = self.g.double().requires_grad_()
            b64 = torch.tensor(beta, dtype=torch.float64, requires_grad=True)
            ref = ref_act(act, x64, b64)
            ref.backward(self.d.double())
            out = swiglu.act_forward(self.g, act, beta=beta)
            self.assertTrue(torch.is_tensor(out))
            self.assertLessEqual(rel_err(out, ref.detach()), TOL, act)
            dx, db = swiglu.act_backward(self.d, self.g, act, beta=beta, need_dbeta=(act == "swish"))
            self.assertLessEqual(rel_err(dx, x64.grad), TOL, act)
            if act == "swish":
                self.assertLessEqual(abs(db - b64.grad.item()), TOL * max(1.0, abs(b64.grad.item())))

    def test_glu_every_variant_layout(self):
        for variant in VARIANTS:
            for layout in LAYOUTS:
                g, u = self.g, self.u
                g64, u64 = g.double().requires_grad_(), u.double().requires_grad_()
                beta = 1.702 if variant == "swiglu_clamped" else 1.3
                b64 = torch.tensor(beta, dtype=torch.float64, requires_grad=True)
                ref = ref_glu(variant, g64, u64, b64)
                ref.backward(self.d.double())
                swish = variant in ("swiglu", "swiglu_clamped")
                kw = dict(variant=variant, layout=layout, beta=beta if swish else None)
                what = "%s/%s" % (variant, layout)
                if layout == "split":
                    out = swiglu.glu_forward(g, u, **kw)
                    dg, du, db = swiglu.glu_backward(self.d, g, u, need_dbeta=swish, **kw)
                else:
                    x = pack(g, u, layout)
                    out = swiglu.glu_forward(x, **kw)
                    dx, none, db = swiglu.glu_backward(self.d, x, need_dbeta=swish, **kw)
                    self.assertIsNone(none)
                    dg, du = unpack(dx, layout)
                self.assertLessEqual(rel_err(out, ref.detach()), TOL, what)
                self.assertLessEqual(rel_err(dg, g64.grad), TOL, what)
                self.assertLessEqual(rel_err(du, u64.grad), TOL, what)
                if swish:
                    self.assertLessEqual(abs(db - b64.grad.item()), TOL * max(1.0, abs(b64.grad.item())), what)

    def test_autograd_glu(self):
        for variant in VARIANTS:
            g = self.g.clone().requires_grad_()
            u = self.u.clone().requires_grad_()
            g64, u64 = self.g.double().requires_grad_(), self.u.double().requires_grad_()
            default_beta = 1.702 if variant == "swiglu_clamped" else 1.0
            out = swiglu.torch.glu(g, u, variant=variant)
            ref = ref_glu(variant, g64, u64, default_beta)
            (out * self.d).sum().backward()
            (ref * self.d.double()).sum().backward()
            self.assertLessEqual(rel_err(out.detach(), ref.detach()), TOL, variant)
            self.assertLessEqual(rel_err(g.grad, g64.grad), TOL, variant)
            self.assertLessEqual(rel_err(u.grad, u64.grad), TOL, variant)

    def test_autograd_glu_learned_beta_and_packed(self):
        # learned beta: a one-element tensor; its gradient is the kernel's dbeta
        x = pack(self.g, self.u, "gate_up").requires_grad_()
        beta = torch.tensor([1.3], requires_grad=True)
        x64 = x.detach().double().requires_grad_()
        b64 = torch.tensor([1.3], dtype=torch.float64, requires_grad=True)
        out = swiglu.torch.glu(x, beta=beta, layout="gate_up")
        g64, u64 = unpack(x64, "gate_up")
        ref = ref_glu("swiglu", g64, u64, b64)
        out.sum().backward()    # an expanded (stride 0) gradient: made contiguous
        ref.sum().backward()
        self.assertLessEqual(rel_err(out.detach(), ref.detach()), TOL)
        self.assertLessEqual(rel_err(x.grad, x64.grad), TOL)
        self.assertEqual(beta.grad.shape, beta.shape)
        self.assertLessEqual(abs(beta.grad.item() - b64.grad.item()), TOL * abs(b64.grad.item()))
        # torch.chunk halves of a packed tensor: read in place, same result
        g, u = torch.chunk(x.detach(), 2, -1)
        self.assertTrue(torch.equal(swiglu.torch.glu(g, u, beta=1.3), out.detach()))

    def test_refusals(self):
        g, u = self.g, self.u
        cases = [
            (lambda: swiglu.glu_forward(g.half(), u.half()), "SWIGLU_ERR_DTYPE"),
            (lambda: swiglu.torch.glu(g.half(), u.half()), "SWIGLU_ERR_DTYPE"),
            (lambda: swiglu.glu_forward(g.double(), u.double()), "SWIGLU_ERR_DTYPE"),
            (lambda: swiglu.glu_forward(g.to("meta"), u.to("meta")), "SWIGLU_ERR_UNSUPPORTED"),
            (lambda: swiglu.glu_forward(g.transpose(1, 2), u.transpose(1, 2)), "SWIGLU_ERR_ARG"),
            (lambda: swiglu.torch.glu(g.transpose(1, 2), u.transpose(1, 2)), "SWIGLU_ERR_ARG"),
            (lambda: swiglu.act_forward(g.transpose(0, 1)), "SWIGLU_ERR_ARG"),
            (lambda: swiglu.glu_forward(g, u[:, :3]), "SWIGLU_ERR_SIZE"),
            (lambda: swiglu.glu_forward(g, u.numpy()), "SWIGLU_ERR_ARG"),
            # a broadcast view (stride 0) and rows that overlap: refused, never read
            (lambda: swiglu.glu_forward(g[:, :1].expand(3, 7, 45), u), "SWIGLU_ERR_ARG"),
            (lambda: swiglu.glu_forward(g.as_strided((4, 45), (10, 1)), u[0, :4]), "SWIGLU_ERR_ARG"),
            (lambda: swiglu.torch.glu(g, u, beta=torch.ones(2)), "SWIGLU_ERR_SIZE"),
            (lambda: swiglu.torch.glu(g, u, variant="swigluu"), "SWIGLU_ERR_ARG"),
            (lambda: swiglu.act_backward(self.d, g, dx=u[0], accumulate=True), "SWIGLU_ERR_SIZE"),
        ]
        check_refusals(self, cases)


if __name__ == "__main__":
    unittest.main()
