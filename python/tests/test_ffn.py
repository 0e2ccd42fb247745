"""swiglu.torch.FFN against PyTorch float64 autograd: y, dx and every
parameter gradient (dbeta included) of every variant, with and without
biases, store and recompute modes, fp32 within 1e-5 and bf16 within 1e-2 of
each tensor's largest value (docs/FFN.md's bounds; the bf16 inputs are exact in
bf16, so the error is the layer's own rounding); a LlamaMLP-shaped state_dict
loads into it; the training workspace survives two forwards before backward."""
import unittest

from helpers import LlamaMLP, check_refusals, needs_torch, rel_err, torch
from test_torch_ops import ref_glu

import swiglu

PLAIN = ["relu", "gelu", "gelu_tanh", "swish"]
GATED = ["glu", "bilinear", "reglu", "geglu", "geglu_tanh", "swiglu", "swiglu_clamped"]


def ref_ffn(m, x, beta):
    """float64 PyTorch of the module's weights (names as LlamaMLP's)."""
    F = torch.nn.functional
    lin = lambda l, t: F.linear(t, l.weight.double(), None if l.bias is None else l.bias.double())  # noqa
    g = lin(m.gate_proj, x)
    if m.variant in PLAIN:
        h = {"relu": torch.relu, "gelu": F.gelu, "gelu_tanh": lambda z: F.gelu(z, approximate="tanh"),
             "swish": lambda z: z * torch.sigmoid(beta * z)}[m.variant](g)
    else:
        h = ref_glu(m.variant, g, lin(m.up_proj, x), beta)
    return lin(m.down_proj, h)


def params64(m):
    return {k: v.detach().double().requires_grad_() for k, v in m.named_parameters()}


def run_ref(m, x, dy):
    """y, dx and parameter gradients in float64 from the module's values."""
    ps = params64(m)
    x64 = x.detach().double().requires_grad_()
    beta = ps["beta"][0] if m.learn_beta else m.beta_value
    # the module's structure over the float64 copies
    shadow = type("S", (), {})()
    shadow.variant = m.variant
    for name in ("gate_proj", "up_proj", "down_proj"):
        if getattr(m, name) is None:
            setattr(shadow, name, None)
            continue
        lin = type("L", (), {})()
        lin.weight = ps[name + ".weight"]
        lin.bias = ps.get(name + ".bias")
        setattr(shadow, name, lin)
    y = ref_ffn(shadow, x64, beta)
    y.backward(dy.double())
    return y.detach(), x64.grad, {k: v.grad for k, v in ps.items()}


@needs_torch
class TestFFN(unittest.TestCase):
    def make(self, variant, dtype=None, **kw):
        torch.manual_seed(3)
        m = swiglu.torch.FFN(24, 40, variant, **kw)
        with torch.no_grad():
            for p in m.parameters():
                if p.dim() == 1 and p.numel() > 1:
                    p.normal_(0, 0.1)   # biases: non-zero, so their paths count
        return m.to(dtype or torch.float32)

    def check(self, m, tol, T=37, dtype=None, what=""):
        dtype = dtype or torch.float32
        gen = torch.Generator().manual_seed(11)
        x = (torch.randn(T, 24, generator=gen)).to(dtype)
        dy = torch.randn(T, 24, generator=gen).to(dtype)
        # the reference reads the very values the layer reads (bf16-exact ones in bf16)
        y_ref, dx_ref, g_ref = run_ref(m, x.float(), dy.float())
        xr = x.clone().requires_grad_()
        m.zero_grad(set_to_none=True)
        y = m(xr)
        self.assertEqual(y.dtype, dtype, what)
        y.backward(dy)
        self.assertLessEqual(rel_err(y.detach().float(), y_ref), tol * 1.5, what + " y")
        self.assertLessEqual(rel_err(xr.grad.float(), dx_ref), tol, what + " dx")
        for k, p in m.named_parameters():
            self.assertEqual(p.grad.dtype, p.dtype, what + " " + k)
            if k == "beta":
                # dbeta: a sum over T x H terms, its bound is of |dbeta| + 1 (docs/FFN.md)
                e = abs(p.grad.item() - g_ref[k].item()) / (abs(g_ref[k].item()) + 1)
                self.assertLessEqual(e, tol, what + " dbeta")
            else:
                self.assertLessEqual(rel_err(p.grad.float(), g_ref[k]), tol, what + " d" + k)

    def test_fp32_every_variant(self):
        for v in PLAIN + GATED:
            for bias in (False, True):
                for recompute in (False, True):
                    m = self.make(v, bias=bias, recompute=recompute)
                    self.check(m, 1e-5, what="%s bias=%d recompute=%d" % (v, bias, recompute))

    def test_fp32_learned_beta(self):
        for v in ("swish", "swiglu"):
            m = self.make(v, learn_beta=True, beta=1.4, bias=True)
            self.check(m, 1e-5, what=v + " learned beta")
            self.assertEqual(m.beta.dtype, torch.float32)

    def test_bf16(self):
        for v in ("swiglu", "relu", "geglu"):
            for recompute in (False, True):
                m = self.make(v, recompute=recompute).to(torch.bfloat16)
                self.check(m, 1e-2, dtype=torch.bfloat16, what="bf16 %s recompute=%d" % (v, recompute))
        m = self.make("swiglu", learn_beta=True, bias=True).to(torch.bfloat16)
        self.check(m, 1e-2, dtype=torch.bfloat16, what="bf16 swiglu learned beta, biases")

    def test_llama_mlp_state_dict(self):
        torch.manual_seed(0)
        ref = LlamaMLP(24, 40)
        for kw in ({}, {"learn_beta": True}):
            ours = swiglu.torch.FFN(24, 40, **kw)
            ours.load_state_dict(ref.state_dict())   # strict: same keys (a learned beta keeps 1)
            x = torch.randn(2, 5, 24)                 # [batch, seq, D] as in a transformer
            with torch.no_grad():
                self.assertLessEqual(rel_err(ours(x), ref(x)), 1e-5)
            self.assertEqual(ours(x).shape, x.shape)
        self.assertEqual(sorted(ours.state_dict()), ["beta"] + sorted(ref.state_dict()))

    def test_workspace_two_forwards_then_backward(self):
        m = self.make("swiglu")
        x1, x2 = torch.randn(9, 24).requires_grad_(), torch.randn(13, 24).requires_grad_()
        (m(x1).sum() * 2 + m(x2).sum()).backward()   # the module used twice in one graph
        g_ours = m.gate_proj.weight.grad.clone()
        _, _, g1 = run_ref(m, x1, torch.full((9, 24), 2.0))
        _, _, g2 = run_ref(m, x2, torch.ones(13, 24))
        self.assertLessEqual(rel_err(g_ours, g1["gate_proj.weight"] + g2["gate_proj.weight"]), 1e-5)
        # step after step: one workspace, allocated once and reused
        ptrs = set()
        for _ in range(3):
            m(x1).sum().backward()
            ptrs.add(m._handles[(torch.float32, False)].train_ws[0].data_ptr())
        self.assertEqual(len(ptrs), 1)

    def test_retain_graph(self):
        # a second backward of the same graph adds the same gradients again
        m = self.make("swiglu", learn_beta=True)
        x = torch.randn(7, 24, requires_grad=True)
        y = m(x).square().sum()
        y.backward(retain_graph=True)
        g1 = m.down_proj.weight.grad.clone()
        y.backward(retain_graph=True)
        self.assertLessEqual(rel_err(m.down_proj.weight.grad, 2 * g1), 1e-6)
        # ... unless a later forward reused the workspace: refused, never read
        m(x).sum().backward()
        check_refusals(self, [(lambda: y.backward(), "SWIGLU_ERR_STATE")])

    def test_inference_matches_training_forward(self):
        m = self.make("geglu", bias=True)
        x = torch.randn(4, 3, 24)
        with torch.no_grad():
            y0 = m(x)
        # (not bit-equal: the inference path blocks its work differently)
        self.assertLessEqual(rel_err(m(x.requires_grad_()).detach(), y0), 1e-6)

    def test_refusals(self):
        m = self.make("swiglu")
        check_refusals(self, [
            (lambda: m(torch.randn(3, 24).bfloat16()), "SWIGLU_ERR_DTYPE"),
            (lambda: m(torch.randn(3, 24).double()), "SWIGLU_ERR_DTYPE"),
            (lambda: m(torch.randn(3, 25)), "SWIGLU_ERR_SIZE"),
            (lambda: m(torch.randn(3, 24, device="meta")), "SWIGLU_ERR_UNSUPPORTED"),
            (lambda: swiglu.torch.FFN(24, 40, "swigluu"), "SWIGLU_ERR_ARG"),
            (lambda: swiglu.torch.FFN(24, 40, dtype=torch.float16), "SWIGLU_ERR_DTYPE"),
            (lambda: swiglu.torch.FFN(24, 40, "relu", learn_beta=True), "SWIGLU_ERR_ARG"),
            (lambda: swiglu.torch.FFN(0, 40), "SWIGLU_ERR_SIZE"),
        ])


if __name__ == "__main__":
    unittest.main()
