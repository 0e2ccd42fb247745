"""What the Python tests share: numpy/torch presence (a test that needs a
missing one is skipped with the reason) and the error measure."""
import unittest

try:
    import numpy
except ImportError:
    numpy = None
try:
    import torch
except ImportError:
    torch = None

needs_numpy = unittest.skipIf(numpy is None, "numpy missing (scripts/deps.sh installs python3-numpy)")
needs_torch = unittest.skipIf(torch is None, "torch missing (scripts/deps.sh installs python3-torch)")

ACTS = ["identity", "relu", "gelu_erf", "gelu_tanh", "sigmoid", "swish"]
VARIANTS = ["glu", "bilinear", "reglu", "geglu", "geglu_tanh", "swiglu", "swiglu_clamped"]
LAYOUTS = ["split", "gate_up", "up_gate", "interleaved"]


def rel_err(got, ref):
    """max |got - ref| / max(|ref|, 1e-30) over the tensor: the measure of
    docs/FFN.md ('relative to the tensor's largest magnitude')."""
    got = got.double() if torch is not None and torch.is_tensor(got) else numpy.asarray(got, dtype=numpy.float64)
    ref = ref.double() if torch is not None and torch.is_tensor(ref) else numpy.asarray(ref, dtype=numpy.float64)
    d = abs(got - ref).max()
    m = abs(ref).max()
    return float(d / max(float(m), 1e-30))


def check_refusals(tc, cases):
    """cases: (callable, status name): each must raise swiglu.Error whose one-line
    message starts with the function's name and names the C status."""
    import swiglu
    for i, (f, status) in enumerate(cases):
        with tc.assertRaises(swiglu.Error, msg="case %d" % i) as cm:
            f()
        msg = str(cm.exception)
        tc.assertIn(status, msg, "case %d: %s" % (i, msg))
        tc.assertNotIn("\n", msg)
        tc.assertTrue(msg.startswith("swiglu."), msg)


if torch is not None:
    class LlamaMLP(torch.nn.Module):
        """The plain PyTorch LLaMA MLP block (Hugging Face transformers' names,
        nn.Linear's [out, in] weights, no biases): the reference."""

        def __init__(self, D, H):
            super().__init__()
            self.gate_proj = torch.nn.Linear(D, H, bias=False)
            self.up_proj = torch.nn.Linear(D, H, bias=False)
            self.down_proj = torch.nn.Linear(H, D, bias=False)

        def forward(self, x):
            return self.down_proj(torch.nn.functional.silu(self.gate_proj(x)) * self.up_proj(x))
else:
    LlamaMLP = None
