"""The elementwise kernels on NumPy arrays: values against float64 NumPy
formulas, gradients of SwiGLU and Swish (dbeta) written out, every layout
reading the same halves, the refusals."""
import math
import unittest

from helpers import check_refusals, LAYOUTS, needs_numpy, numpy as np, rel_err

import swiglu

TOL = 1e-5  # fp32 kernels: a few ulp of the largest value (docs/KERNELS.md)


def ref_act(name, x, beta=1.0):
    x = x.astype(np.float64)
    erf = np.vectorize(math.erf)
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    return {"identity": x, "relu": np.maximum(x, 0), "gelu_erf": 0.5 * x * (1 + erf(x / math.sqrt(2))),
            "gelu_tanh": 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))),
            "sigmoid": sig(x), "swish": x * sig(beta * x)}[name]


def packed(g, u, layout):
    if layout == "gate_up":
        return np.ascontiguousarray(np.concatenate([g, u], -1))
    if layout == "up_gate":
        return np.ascontiguousarray(np.concatenate([u, g], -1))
    out = np.empty(g.shape[:-1] + (2 * g.shape[-1],), np.float32)
    out[..., 0::2], out[..., 1::2] = g, u
    return out


@needs_numpy
class TestNumpy(unittest.TestCase):
    def setUp(self):
        rng = np.random.default_rng(7)
        self.g = (rng.standard_normal((2, 5, 33)) * 3).astype(np.float32)
        self.u = rng.standard_normal((2, 5, 33)).astype(np.float32)

    def test_act_forward_every_act(self):
        for act in ["identity", "relu", "gelu_erf", "gelu_tanh", "sigmoid", "swish"]:
            out = swiglu.act_forward(self.g, act, beta=1.5)
            self.assertEqual(out.shape, self.g.shape)
            self.assertLessEqual(rel_err(out, ref_act(act, self.g, 1.5)), TOL, act)

    def test_act_in_place(self):
        x = self.g.copy()
        r = swiglu.act_forward(x, "silu", out=x)
        self.assertIs(r, x)
        self.assertLessEqual(rel_err(x, ref_act("swish", self.g)), TOL)

    def test_swish_backward_and_dbeta(self):
        # y = x s(bx), s = sigmoid:  dy/dx = s(bx) + bx s(bx) s(-bx),  dy/db = x^2 s(bx) s(-bx)
        b = 1.3
        x, d = self.g.astype(np.float64), self.u.astype(np.float64)
        s = 1 / (1 + np.exp(-b * x))
        dx_ref = d * (s + b * x * s * (1 - s))
        db_ref = float((d * x * x * s * (1 - s)).sum())
        dx, db = swiglu.act_backward(self.u, self.g, "swish", beta=b, need_dbeta=True)
        self.assertLessEqual(rel_err(dx, dx_ref), TOL)
        self.assertAlmostEqual(db, db_ref, delta=1e-5 * max(1, abs(db_ref)) * 10)
        # accumulate: adds into the given buffer
        acc = np.ones_like(self.g)
        r, none = swiglu.act_backward(self.u, self.g, "swish", beta=b, dx=acc, accumulate=True)
        self.assertIs(r, acc)
        self.assertIsNone(none)
        self.assertLessEqual(rel_err(acc, dx_ref + 1), TOL)

    def test_swiglu_every_layout(self):
        # out = g s(g) u;  dg = d u (s + g s(1-s)),  du = d g s
        g, u = self.g.astype(np.float64), self.u.astype(np.float64)
        s = 1 / (1 + np.exp(-g))
        ref = g * s * u
        d = np.random.default_rng(3).standard_normal(g.shape).astype(np.float32)
        dg_ref, du_ref = d * u * (s + g * s * (1 - s)), d * g * s
        out = swiglu.glu_forward(self.g, self.u)
        self.assertLessEqual(rel_err(out, ref), TOL)
        dg, du, db = swiglu.glu_backward(d, self.g, self.u)
        self.assertIsNone(db)
        self.assertLessEqual(rel_err(dg, dg_ref), TOL)
        self.assertLessEqual(rel_err(du, du_ref), TOL)
        for layout in LAYOUTS[1:]:
            x = packed(self.g, self.u, layout)
            o = swiglu.glu_forward(x, layout=layout)
            self.assertTrue(np.array_equal(o, out), layout)
            dx, none, _ = swiglu.glu_backward(d, x, layout=layout)
            self.assertIsNone(none)
            self.assertTrue(np.array_equal(dx, packed(dg, du, layout)), layout)

    def test_row_slices_in_place(self):
        # the two halves of a [rows, 2n] buffer are row-strided views: read as they are
        x = packed(self.g, self.u, "gate_up").reshape(10, 66)
        out = swiglu.glu_forward(x[:, :33], x[:, 33:])
        self.assertTrue(np.array_equal(out, swiglu.glu_forward(x, layout="gate_up")))

    def test_refusals(self):
        cases = [
            (lambda: swiglu.glu_forward(self.g.astype(np.float64), self.u), "SWIGLU_ERR_DTYPE"),
            (lambda: swiglu.glu_forward(self.g, self.u[..., :3]), "SWIGLU_ERR_SIZE"),
            (lambda: swiglu.glu_forward(self.g.transpose(0, 2, 1), self.u.transpose(0, 2, 1)),
             "SWIGLU_ERR_ARG"),
            (lambda: swiglu.act_forward(self.g[:, :, ::2]), "SWIGLU_ERR_ARG"),
            (lambda: swiglu.glu_forward(self.g), "SWIGLU_ERR_NULL"),
            (lambda: swiglu.glu_forward(self.g, layout="gate_up"), "SWIGLU_ERR_SIZE"),
            (lambda: swiglu.glu_forward(self.g, variant="nope", up=self.u), "SWIGLU_ERR_ARG"),
            (lambda: swiglu.glu_forward(self.g, self.u, layout="rows"), "SWIGLU_ERR_ARG"),
            (lambda: swiglu.act_forward(self.g, "swish", out=self.u[0]), "SWIGLU_ERR_SIZE"),
            (lambda: swiglu.act_forward([1.0, 2.0]), "SWIGLU_ERR_ARG"),
            # an output overlapping its input other than exactly: the C check
            (lambda: swiglu.act_forward(self.g.reshape(-1)[1:], out=self.g.reshape(-1)[:-1]),
             "SWIGLU_ERR_ALIAS"),
        ]
        ro = self.g.copy()
        ro.flags.writeable = False
        cases.append((lambda: swiglu.act_forward(self.g, out=ro), "SWIGLU_ERR_ARG"))
        check_refusals(self, cases)


class TestLibrary(unittest.TestCase):
    """needs neither numpy nor torch"""

    def test_library(self):
        # the header's version; the ISA names of swiglu_isa_name; threads >= 0
        import re
        with open(__file__.rsplit("/python/", 1)[0] + "/include/swiglu.h") as f:
            h = f.read()
        want = ".".join(re.search(r"#define SWIGLU_VERSION_%s (\d+)" % k, h).group(1)
                        for k in ("MAJOR", "MINOR", "PATCH"))
        self.assertEqual(swiglu.version(), want)
        self.assertIn(swiglu.isa(), ("ref", "avx2", "avx512"))
        n = swiglu.threads_get()
        swiglu.threads_set(1)
        self.assertEqual(swiglu.threads_get(), 1)
        swiglu.threads_set(0)
        self.assertGreaterEqual(swiglu.threads_get(), 1)
        check_refusals(self, [(lambda: swiglu.threads_set(-1), "SWIGLU_ERR_ARG")])
        self.assertGreaterEqual(n, 1)


if __name__ == "__main__":
    unittest.main()
