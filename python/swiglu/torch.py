"""swiglu.torch -- PyTorch layers on libswiglu (CPU tensors).

    glu(gate, up=None, variant="swiglu", beta=None, layout="split", ...)
        the GLU product as a torch.autograd.Function whose backward is the
        library's fused pass (one pass over dout, gate, up: dgate, dup, dbeta).
    FFN(d_model, d_ff, variant="swiglu", ...)
        a whole FFN layer on libswiglu's FFN handle, a drop-in for a LLaMA MLP
        block: parameters gate_proj.weight [H, D], up_proj.weight [H, D],
        down_proj.weight [D, H] (nn.Linear's [out, in]), so a Hugging Face
        LlamaMLP state_dict loads into it.
"""
import ctypes as _c
import weakref

import torch
import torch.nn as nn

import swiglu as _sw
from swiglu import _lib
from swiglu._lib import Error

__all__ = ["glu", "FFN"]


# --- glu ------------------------------------------------------------------------

def _beta_value(beta):
    return None if beta is None else float(beta.detach()) if torch.is_tensor(beta) else float(beta)


class _GLU(torch.autograd.Function):
    # Forward and backward are the elementwise C kernels; gradients are stored
    # (SWIGLU_BWD_OVERWRITE) into new tensors, autograd sums them. beta is a
    # float, or a one-element tensor (learned: its gradient is dbeta).
    @staticmethod
    def forward(ctx, x, up, beta, variant, layout, limit, up_shift):
        b = _beta_value(beta)
        ctx.args = (variant, layout, b, limit, up_shift)
        ctx.beta_like = beta.detach() if torch.is_tensor(beta) else None
        ctx.save_for_backward(x, up)
        return _sw.glu_forward(x, up, variant=variant, layout=layout, beta=b, limit=limit,
                               up_shift=up_shift)

    @staticmethod
    def backward(ctx, dout):
        x, up = ctx.saved_tensors
        variant, layout, b, limit, up_shift = ctx.args
        need_db = ctx.needs_input_grad[2]
        # autograd may hand an expanded or strided gradient (y.sum().backward()):
        # a contiguous copy of the same values is what the kernel reads
        dout = dout.contiguous()
        din, dup, db = _sw.glu_backward(dout, x, up, variant=variant, layout=layout, beta=b,
                                        limit=limit, up_shift=up_shift, need_dbeta=need_db)
        dbeta = torch.full_like(ctx.beta_like, db) if need_db else None
        return din, dup, dbeta, None, None, None, None


def glu(gate, up=None, variant="swiglu", beta=None, layout="split", limit=None, up_shift=None):
    """out = gate_act(gate) * up with libswiglu's fused backward.

    gate, up: float32 or bfloat16 CPU tensors [..., n] (layout "split"), or gate alone
    [..., 2n] holding both halves (layouts "gate_up", "up_gate",
    "interleaved"; up=None). Row slices such as torch.chunk(x, 2, -1) are read
    in place. beta: None (the variant's), a float (fixed), or a one-element
    float tensor with requires_grad (learned: its gradient is the fused
    dbeta). bfloat16 tensors run the bf16 kernels (fp32 compute, outputs and
    gradients rounded to bf16; dbeta is computed in fp32); other dtypes are
    refused with swiglu.Error: convert explicitly with .float()."""
    where = "swiglu.torch.glu"
    for name, t in (("gate", gate), ("up", up)):
        if t is not None and not torch.is_tensor(t):
            raise Error(where, "%s must be a torch.Tensor" % name, _lib.ERR_ARG)
    if torch.is_tensor(beta) and beta.numel() != 1:
        raise Error(where, "beta must have one element, has %d" % beta.numel(), _lib.ERR_SIZE)
    return _GLU.apply(gate, up, beta, variant, layout, limit, up_shift)


# --- FFN ------------------------------------------------------------------------

_DT = {torch.float32: _lib.F32, torch.bfloat16: _lib.BF16}


def _ptr(t):
    return None if t is None else t.data_ptr()


class _Handle:
    """A swiglu_ffn handle and its workspaces. The training workspace holds
    what forward keeps for backward, so it is reused only once the backward
    of the forward that filled it has run; a second training forward before
    that gets a new one (the older stays alive in its autograd context)."""

    def __init__(self, cfg):
        h = _c.c_void_p()
        _lib.check(_lib.lib.swiglu_ffn_create(_c.byref(h), _c.byref(cfg)), "swiglu.torch.FFN",
                   "swiglu_ffn_create refused the configuration")
        self.h = h
        self.cfg = cfg
        self.train_ws = None      # [tensor, busy, generation]
        self.infer_ws = None
        self._fin = weakref.finalize(self, _lib.lib.swiglu_ffn_destroy, h)

    def size(self, T, training):
        n = _c.c_size_t(0)
        _lib.check(_lib.lib.swiglu_ffn_workspace_size(_c.byref(n), self.h, T, training),
                   "swiglu.torch.FFN", "swiglu_ffn_workspace_size")
        return n.value

    def workspace(self, T, training):
        need = self.size(T, training)
        if not training:
            if self.infer_ws is None or self.infer_ws.numel() < need:
                self.infer_ws = torch.empty(max(need, 1), dtype=torch.uint8)
            return self.infer_ws
        ws = self.train_ws
        if ws is None or ws[1] or ws[0].numel() < need:
            # allocated once per size (grown, never shrunk), reused step after step
            self.train_ws = ws = [torch.empty(max(need, 1), dtype=torch.uint8), False, 0]
        ws[1] = True
        # each forward that fills it is a new generation: a backward that finds
        # another one (retain_graph, a forward in between) must not read it
        ws[2] += 1
        return ws


class _FFNFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w1, w3, w2, b1, b3, b2, beta, handle, y_dtype):
        T = x.shape[0]
        ws = handle.workspace(T, 1)
        y = torch.empty((T, handle.cfg.d_model), dtype=y_dtype)
        p = _lib.FFNParams(_ptr(w1), _ptr(w3), _ptr(w2), _ptr(b1), _ptr(b3), _ptr(b2), _ptr(beta))
        _lib.check(_lib.lib.swiglu_ffn_forward(handle.h, y.data_ptr(), x.data_ptr(), T,
                                               _c.byref(p), ws[0].data_ptr(), ws[0].numel(), 1),
                   "swiglu.torch.FFN", "forward")
        ctx.handle, ctx.ws, ctx.gen = handle, ws, ws[2]
        ctx.save_for_backward(x, w1, w3, w2, b1, b3, b2, beta)
        return y

    @staticmethod
    def backward(ctx, dy):
        x, w1, w3, w2, b1, b3, b2, beta = ctx.saved_tensors
        handle, ws = ctx.handle, ctx.ws
        if ws[2] != ctx.gen:
            raise Error("swiglu.torch.FFN", "backward after a later forward reused this "
                        "forward's workspace (a second backward with retain_graph=True after "
                        "another forward); run the forward again", _lib.ERR_STATE)
        T = x.shape[0]
        # dy is float in the C API whatever the layer's dtype: a bf16 layer's
        # gradient is widened here (exactly: bf16 -> fp32 loses nothing)
        dy = dy.contiguous().float()
        # backward ADDS into its gradient buffers (include/swiglu.h): new zeroed
        # fp32 tensors each step, which autograd then owns (no copy)
        z = lambda t: None if t is None else torch.zeros(t.shape, dtype=torch.float32)  # noqa
        g = [z(t) for t in (w1, w3, w2, b1, b3, b2, beta)]
        dx = torch.zeros(x.shape, dtype=torch.float32) if ctx.needs_input_grad[0] else None
        p = _lib.FFNParams(_ptr(w1), _ptr(w3), _ptr(w2), _ptr(b1), _ptr(b3), _ptr(b2), _ptr(beta))
        gp = _lib.FFNParams(*[_ptr(t) for t in g])
        _lib.check(_lib.lib.swiglu_ffn_backward(handle.h, _ptr(dx), _c.byref(gp), dy.data_ptr(),
                                                x.data_ptr(), T, _c.byref(p), ws[0].data_ptr(),
                                                ws[0].numel()),
                   "swiglu.torch.FFN", "backward")
        ws[1] = False  # the workspace may be reused by the next forward
        # gradients in the parameters' dtype (bf16 weights get bf16 gradients,
        # rounded from the fp32 ones, as autograd would cast them anyway)
        out = [None if t is None else t.to(src.dtype)
               for t, src in zip([dx] + g, (x, w1, w3, w2, b1, b3, b2, beta))]
        return tuple(out) + (None, None)


class FFN(nn.Module):
    """y = down_proj(act(gate_proj(x)) * up_proj(x)) on libswiglu's FFN layer.

    d_model D, d_ff H; variant: any of swiglu_ffn_variant's names ("swiglu"
    default = LLaMA's SiLU gate; plain ones such as "relu" have no up_proj).
    bias: nn.Linear biases (b1, b3, b2). beta: Swish's beta (default the
    variant's: 1, clamped 1.702); learn_beta=True makes it a parameter
    `beta` [1]. recompute=True keeps only the pre-activations between forward
    and backward (docs/FFN.md: same gradients, less memory).
    dtype: torch.float32 or torch.bfloat16 (weights, x and y; gradients are
    computed in fp32 and rounded to the parameter's dtype); .to(dtype) works.
    Biases and beta of a bf16 layer are passed to the C API as float copies
    (the API takes them as float)."""

    def __init__(self, d_model, d_ff, variant="swiglu", bias=False, beta=None, learn_beta=False,
                 recompute=False, dtype=torch.float32, device=None):
        super().__init__()
        where = "swiglu.torch.FFN"
        if device is not None and torch.device(device).type != "cpu":
            raise Error(where, "device %s: libswiglu runs on the CPU" % device,
                        _lib.ERR_UNSUPPORTED)
        if dtype not in _DT:
            raise Error(where, "dtype %s: float32 or bfloat16" % dtype, _lib.ERR_DTYPE)
        self.variant = variant
        self._v = _lib.enum_from_name("ffn_variant", variant, where)
        cfg = _lib.FFNConfig()
        _lib.check(_lib.lib.swiglu_ffn_config_init(_c.byref(cfg), int(d_model), self._v), where)
        self.d_model, self.d_ff = int(d_model), int(d_ff)
        self.gated = bool(_lib.lib.swiglu_ffn_variant_gated(self._v))
        self.recompute = bool(recompute)
        self.learn_beta = bool(learn_beta)
        self.has_bias = bool(bias)
        b = float(cfg.beta if beta is None else beta)
        self.gate_proj = nn.Linear(d_model, d_ff, bias=bias, dtype=dtype)
        self.up_proj = nn.Linear(d_model, d_ff, bias=bias, dtype=dtype) if self.gated else None
        self.down_proj = nn.Linear(d_ff, d_model, bias=bias, dtype=dtype)
        if learn_beta:
            self.beta = nn.Parameter(torch.tensor([b], dtype=torch.float32))
        else:
            self.beta_value = b
        self._handles = {}
        self._config(dtype)  # refuses a bad configuration now, not at the first call

    def extra_repr(self):
        return "d_model=%d, d_ff=%d, variant=%s%s%s" % (
            self.d_model, self.d_ff, self.variant, ", learn_beta" if self.learn_beta else "",
            ", recompute" if self.recompute else "")

    def _config(self, dtype):
        key = (dtype, self.recompute)
        h = self._handles.get(key)
        if h is None:
            cfg = _lib.FFNConfig()
            _lib.lib.swiglu_ffn_config_init(_c.byref(cfg), self.d_model, self._v)
            cfg.d_ff = self.d_ff
            cfg.beta = float(self.beta.detach()[0]) if self.learn_beta else self.beta_value
            cfg.learn_beta = int(self.learn_beta)
            cfg.bias_up = cfg.bias_down = int(self.has_bias)
            cfg.weights = _lib.WEIGHTS_SPLIT
            cfg.dtype = _DT[dtype]
            cfg.recompute = int(self.recompute)
            h = self._handles[key] = _Handle(cfg)
        return h

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        # a LlamaMLP state_dict has no beta: a learned beta keeps its value
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)
        if self.learn_beta and prefix + "beta" in missing_keys:
            missing_keys.remove(prefix + "beta")

    def forward(self, x):
        where = "swiglu.torch.FFN"
        w1 = self.gate_proj.weight
        w3 = self.up_proj.weight if self.gated else None
        w2 = self.down_proj.weight
        dt = w1.dtype
        for name, t in (("x", x), ("gate_proj.weight", w1), ("up_proj.weight", w3),
                        ("down_proj.weight", w2)):
            if t is None:
                continue
            if t.device.type != "cpu":
                raise Error(where, "%s is on %s; libswiglu runs on the CPU" % (name, t.device),
                            _lib.ERR_UNSUPPORTED)
            if t.dtype != dt or dt not in _DT:
                raise Error(where, "%s is %s, the weights %s; x and all weights must be float32 "
                            "or all bfloat16 (convert explicitly)" % (name, t.dtype, dt),
                            _lib.ERR_DTYPE)
        if x.dim() < 1 or x.shape[-1] != self.d_model:
            raise Error(where, "x has shape %s; its last dimension must be d_model = %d"
                        % (tuple(x.shape), self.d_model), _lib.ERR_SIZE)
        shape = x.shape
        # [..., D] -> [T, D]; a non-contiguous x is copied as nn.Linear would
        x2 = x.reshape(-1, self.d_model).contiguous()
        T = x2.shape[0]
        if T == 0:
            return x.new_zeros(shape)
        # the C API takes biases and beta as float: fp32 views, or float copies
        # for a bf16 layer (their gradients come back in the parameter's dtype)
        f = lambda t: None if t is None else t.float()  # noqa: E731
        b1 = f(self.gate_proj.bias)
        b3 = f(self.up_proj.bias) if self.gated else None
        b2 = f(self.down_proj.bias)
        beta = f(self.beta) if self.learn_beta else None
        w1c, w2c = w1.contiguous(), w2.contiguous()
        w3c = w3.contiguous() if w3 is not None else None
        h = self._config(dt)
        tensors = [t for t in (x2, w1, w3, w2, b1, b3, b2, beta) if t is not None]
        if torch.is_grad_enabled() and any(t.requires_grad for t in tensors):
            y = _FFNFn.apply(x2, w1c, w3c, w2c, b1, b3, b2, beta, h, dt)
        else:
            ws = h.workspace(T, 0)
            y = torch.empty((T, self.d_model), dtype=dt)
            p = _lib.FFNParams(_ptr(w1c), _ptr(w3c), _ptr(w2c), _ptr(b1), _ptr(b3), _ptr(b2),
                               _ptr(beta))
            _lib.check(_lib.lib.swiglu_ffn_forward(h.h, y.data_ptr(), x2.data_ptr(), T,
                                                   _c.byref(p), ws.data_ptr(), ws.numel(), 0),
                       where, "forward")
        return y.reshape(shape)
