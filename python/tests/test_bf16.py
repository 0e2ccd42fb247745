"""The elementwise kernels on bf16: torch.bfloat16 tensors, and NumPy uint16
arrays of bf16 bits with dtype="bf16". Every activation, GLU variant and
layout, forward and backward (stored and accumulated), learned beta, and
swiglu.torch.glu's autograd, against PyTorch float64 autograd on the same
(bf16-exact) inputs. Bound: each output is one bf16 rounding (to nearest
even, at most 2^-9 relative) of an fp32 result within 1e-5, so 4e-3 of the
tensor's largest magnitude; dbeta is summed in fp32/double (never rounded to
bf16): 1e-5. Also exact: a bf16 output is the fp32 call's output rounded by
torch's .bfloat16() (both round to nearest even)."""
import unittest

from helpers import ACTS, LAYOUTS, VARIANTS, check_refusals, needs_numpy, needs_torch, numpy as np, rel_err, torch
from test_torch_ops import pack, ref_act, ref_glu, unpack

import swiglu

TOL = 4e-3
DB_TOL = 1e-5


@needs_torch
class TestBf16Torch(unittest.TestCase):
    def setUp(self):
        gen = torch.Generator().manual_seed(18)
        # bf16 inputs; their float64 copies hold the same values exactly
        self.g = (torch.randn(3, 5, 37, generator=gen) * 4).bfloat16()
        self.u = (torch.randn(3, 5, 37, generator=gen) * 4).bfloat16()
        self.d = torch.randn(3, 5, 37, generator=gen).bfloat16()

    def test_act_every_act(self):
        for act in ACTS:
            beta = 1.7
            x64 = self.g.double().requires_grad_()
            b64 = torch.tensor(beta, dtype=torch.float64, requires_grad=True)
            ref = ref_act(act, x64, b64)
            ref.backward(self.d.double())
            out = swiglu.act_forward(self.g, act, beta=beta)
            self.assertEqual(out.dtype, torch.bfloat16)
            self.assertLessEqual(rel_err(out, ref.detach()), TOL, act)
            # exactly the fp32 call's output rounded
            self.assertTrue(torch.equal(out, swiglu.act_forward(self.g.float(), act, beta=beta).bfloat16()), act)
            dx, db = swiglu.act_backward(self.d, self.g, act, beta=beta, need_dbeta=(act == "swish"))
            self.assertEqual(dx.dtype, torch.bfloat16)
            self.assertLessEqual(rel_err(dx, x64.grad), TOL, act)
            if act == "swish":
                self.assertLessEqual(abs(db - b64.grad.item()), DB_TOL * max(1.0, abs(b64.grad.item())))
            # in place, and accumulate: dx = bf16(old + grad), the sum in fp32
            y = self.g.clone()
            swiglu.act_forward(y, act, beta=beta, out=y)
            self.assertTrue(torch.equal(y, out), act)
            old = self.u.clone()
            swiglu.act_backward(self.d, self.g, act, beta=beta, dx=old, accumulate=True)
            self.assertLessEqual(rel_err(old, self.u.double() + x64.grad), TOL, act)

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
                    out32 = swiglu.glu_forward(g.float(), u.float(), **kw)
                    dg, du, db = swiglu.glu_backward(self.d, g, u, need_dbeta=swish, **kw)
                    # accumulate into given bf16 buffers
                    ag, au = self.d.clone(), self.d.clone()
                    swiglu.glu_backward(self.d, g, u, din=ag, dup=au, accumulate=True, **kw)
                else:
                    x = pack(g, u, layout)
                    out = swiglu.glu_forward(x, **kw)
                    out32 = swiglu.glu_forward(x.float(), **kw)
                    dx, none, db = swiglu.glu_backward(self.d, x, need_dbeta=swish, **kw)
                    self.assertIsNone(none)
                    self.assertEqual(dx.dtype, torch.bfloat16)
                    dg, du = unpack(dx, layout)
                    acc = pack(self.d, self.d, layout)
                    swiglu.glu_backward(self.d, x, din=acc, accumulate=True, **kw)
                    ag, au = unpack(acc, layout)
                self.assertEqual(out.dtype, torch.bfloat16)
                self.assertTrue(torch.equal(out, out32.bfloat16()), what)
                self.assertLessEqual(rel_err(out, ref.detach()), TOL, what)
                self.assertLessEqual(rel_err(dg, g64.grad), TOL, what)
                self.assertLessEqual(rel_err(du, u64.grad), TOL, what)
                self.assertLessEqual(rel_err(ag, self.d.double() + g64.grad), TOL, what)
                self.assertLessEqual(rel_err(au, self.d.double() + u64.grad), TOL, what)
                if swish:
                    self.assertLessEqual(abs(db - b64.grad.item()), DB_TOL * max(1.0, abs(b64.grad.item())), what)

    def test_autograd_glu_learned_beta(self):
        gate = self.g.clone().requires_grad_()
        up = self.u.clone().requires_grad_()
        beta = torch.tensor([1.3], requires_grad=True)       # float32: learned
        y = swiglu.torch.glu(gate, up, variant="swiglu", beta=beta)
        self.assertEqual(y.dtype, torch.bfloat16)
        y.backward(self.d)
        g64, u64 = self.g.double().requires_grad_(), self.u.double().requires_grad_()
        b64 = torch.tensor(1.3, dtype=torch.float64, requires_grad=True)
        ref = ref_glu("swiglu", g64, u64, b64)
        ref.backward(self.d.double())
        self.assertEqual(gate.grad.dtype, torch.bfloat16)
        self.assertLessEqual(rel_err(y.detach(), ref.detach()), TOL)
        self.assertLessEqual(rel_err(gate.grad, g64.grad), TOL)
        self.assertLessEqual(rel_err(up.grad, u64.grad), TOL)
        self.assertLessEqual(abs(beta.grad.item() - b64.grad.item()), DB_TOL * max(1.0, abs(b64.grad.item())))
        # packed, through torch.chunk halves (read in place)
        x = pack(self.g, self.u, "gate_up").requires_grad_()
        y2 = swiglu.torch.glu(x, layout="gate_up", variant="geglu")
        y2.float().square().sum().backward()
        self.assertEqual(x.grad.dtype, torch.bfloat16)
        self.assertTrue(torch.equal(swiglu.torch.glu(*x.detach().chunk(2, -1), variant="geglu"), y2.detach()))

    def test_refusals(self):
        g, u = self.g, self.u
        check_refusals(self, [
            (lambda: swiglu.glu_forward(g, u.float()), "SWIGLU_ERR_DTYPE"),          # mixed
            (lambda: swiglu.glu_forward(g, u, out=torch.empty(3, 5, 37)), "SWIGLU_ERR_DTYPE"),
            (lambda: swiglu.glu_forward(g.float(), u.float(), dtype="bf16"), "SWIGLU_ERR_DTYPE"),
            (lambda: swiglu.glu_forward(g.half(), u.half()), "SWIGLU_ERR_DTYPE"),
            (lambda: swiglu.act_forward(g, dtype="float16"), "SWIGLU_ERR_DTYPE"),
            (lambda: swiglu.act_forward(g.transpose(1, 2)), "SWIGLU_ERR_ARG"),
        ])


@needs_numpy
@needs_torch
class TestBf16Numpy(unittest.TestCase):
    def test_uint16_bits_with_dtype(self):
        gen = torch.Generator().manual_seed(3)
        g = (torch.randn(4, 2 * 19, generator=gen) * 3).bfloat16()
        bits = g.view(torch.int16).numpy().view(np.uint16)          # bf16 bits, no copy
        for layout in ("gate_up", "interleaved"):
            out = swiglu.glu_forward(bits, layout=layout, variant="swiglu", dtype="bf16")
            self.assertEqual(out.dtype, np.uint16)
            want = swiglu.glu_forward(g, layout=layout, variant="swiglu")
            self.assertTrue(np.array_equal(out, want.view(torch.int16).numpy().view(np.uint16)), layout)
            dx, _, _ = swiglu.glu_backward(np.ones((4, 19), np.uint16) * 0x3f80, bits, layout=layout,
                                           dtype="bf16")                # dout = 1.0 in bf16
            wdx, _, _ = swiglu.glu_backward(torch.ones(4, 19, dtype=torch.bfloat16), g, layout=layout)
            self.assertTrue(np.array_equal(dx, wdx.view(torch.int16).numpy().view(np.uint16)), layout)
        y = swiglu.act_forward(bits, "gelu_tanh", dtype="bf16")
        self.assertTrue(np.array_equal(y, swiglu.act_forward(g, "gelu_tanh").view(torch.int16).numpy().view(np.uint16)))
        check_refusals(self, [
            # uint16 is never guessed to be bf16
            (lambda: swiglu.act_forward(bits), "SWIGLU_ERR_DTYPE"),
            (lambda: swiglu.act_forward(bits.astype(np.float32), dtype="bf16"), "SWIGLU_ERR_DTYPE"),
            (lambda: swiglu.act_forward(bits.view(np.int16), dtype="bf16"), "SWIGLU_ERR_DTYPE"),
        ])


if __name__ == "__main__":
    unittest.main()
