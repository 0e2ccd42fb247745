"""swiglu -- Python bindings of libswiglu (ctypes; nothing compiled at install).

Elementwise kernels on NumPy arrays and CPU torch tensors (float32, zero-copy):
    act_forward(x, act="swish", beta=1.0, out=None) -> out
    act_backward(dout, x, act=..., beta=..., dx=None, accumulate=False,
                 need_dbeta=False) -> (dx, dbeta or None)
    glu_forward(x, up=None, variant="swiglu", layout="split", ..., out=None) -> out
    glu_backward(dout, x, up=None, variant=..., layout=..., ...,
                 need_dbeta=False) -> (din, dup or None, dbeta or None)
PyTorch layers (autograd): swiglu.torch.glu and swiglu.torch.FFN (import
swiglu.torch; it needs torch, this module needs neither torch nor numpy).

Refused with swiglu.Error (a ValueError, one line, the C status string):
non-float32 inputs (bf16 included: the C elementwise API is float32; convert
explicitly, e.g. x.float()), tensors not on the CPU, layouts the kernels
cannot read in place (see _rows), mismatched shapes. docs/PYTHON.md has the
details and examples.
"""
import ctypes as _c

from . import _lib
from ._lib import Error, status_str  # noqa: F401  (public)

__all__ = ["Error", "status_str", "version", "isa", "threads_set", "threads_get",
           "act_forward", "act_backward", "glu_forward", "glu_backward", "LAYOUTS"]

LAYOUTS = {"split": 0, "gate_up": 1, "up_gate": 2, "interleaved": 3}


def version():
    """The linked library's "MAJOR.MINOR.PATCH"."""
    return _lib.lib.swiglu_version_string().decode()


def isa():
    """The kernel set in use: "ref", "avx2" or "avx512"."""
    return _lib.lib.swiglu_isa_name(_lib.lib.swiglu_isa_active()).decode()


def threads_set(n):
    """Threads of the library's elementwise passes (0: OpenMP's default).
    oneDNN's GEMMs follow OpenMP's (OMP_NUM_THREADS), see docs/FFN.md."""
    _lib.check(_lib.lib.swiglu_threads_set(int(n)), "swiglu.threads_set", "n must be >= 0")


def threads_get():
    return _lib.lib.swiglu_threads_get()


# --- arrays: what the C API can read in place --------------------------------

class _Arr:
    """A NumPy array or CPU torch tensor seen as the C API sees it: a float32
    pointer, its shape, and strides in elements."""
    __slots__ = ("obj", "is_torch", "ptr", "shape", "strides")


def _is_torch(a):
    return type(a).__module__.startswith("torch") and hasattr(a, "data_ptr")


def _view(a, where, name, writable=False):
    v = _Arr()
    v.obj = a
    if _is_torch(a):
        import torch
        v.is_torch = True
        if a.device.type != "cpu":
            raise Error(where, "%s is on %s; libswiglu runs on the CPU (move it with .cpu())"
                        % (name, a.device), _lib.ERR_UNSUPPORTED)
        if a.layout != torch.strided:
            raise Error(where, "%s is a %s tensor; only dense (strided) tensors are read"
                        % (name, a.layout), _lib.ERR_UNSUPPORTED)
        if a.dtype != torch.float32:
            raise Error(where, "%s is %s; the elementwise C API is float32 (no silent "
                        "conversion: pass %s.float() explicitly)" % (name, a.dtype, name),
                        _lib.ERR_DTYPE)
        v.ptr = a.data_ptr()
        v.shape = tuple(a.shape)
        v.strides = tuple(a.stride())
    elif type(a).__module__ == "numpy" and hasattr(a, "ctypes"):
        import numpy as np
        v.is_torch = False
        if a.dtype != np.float32:
            raise Error(where, "%s is %s; the elementwise C API is float32 (no silent "
                        "conversion: pass %s.astype(numpy.float32) explicitly)"
                        % (name, a.dtype, name), _lib.ERR_DTYPE)
        if not a.flags.aligned:
            raise Error(where, "%s is not 4-byte aligned" % name, _lib.ERR_ARG)
        if writable and not a.flags.writeable:
            raise Error(where, "%s is read-only" % name, _lib.ERR_ARG)
        v.ptr = a.ctypes.data
        v.shape = a.shape
        v.strides = tuple(s // 4 for s in a.strides)
    else:
        raise Error(where, "%s must be a numpy.ndarray or a torch.Tensor, got %s"
                    % (name, type(a).__name__), _lib.ERR_ARG)
    if v.ptr == 0 and any(v.shape) and all(v.shape):
        raise Error(where, "%s has no data" % name, _lib.ERR_NULL)
    return v


def _flat(v, where, name):
    """n elements, contiguous: what the activation kernels take."""
    n = 1
    for d in v.shape:
        n *= d
    expect = 1
    for d, s in reversed(list(zip(v.shape, v.strides))):
        if d != 1 and s != expect:
            raise Error(where, "%s is not contiguous (shape %s, strides %s elements); "
                        "pass a contiguous copy explicitly" % (name, v.shape, v.strides),
                        _lib.ERR_ARG)
        expect *= d
    return n


def _rows(v, where, name):
    """(rows, cols, ld): the array as rows of unit-stride values, one row
    stride ld (elements) apart, which is what the GLU kernels read in place.
    Contiguous arrays qualify, and so do row slices such as x[:, :n] or the
    halves of torch.chunk(x, 2, -1): leading dimensions must collapse into one
    (dimension i's stride = stride i+1 x size i+1) and ld >= cols (rows that
    overlap, e.g. broadcast views, are refused)."""
    if len(v.shape) == 0:
        raise Error(where, "%s is a scalar; the GLU kernels take rows" % name, _lib.ERR_SIZE)
    cols = v.shape[-1]
    rows = 1
    for d in v.shape[:-1]:
        rows *= d
    if cols > 1 and v.strides[-1] != 1:
        raise Error(where, "%s is not contiguous in its last dimension (strides %s elements); "
                    "pass a contiguous copy explicitly" % (name, v.strides), _lib.ERR_ARG)
    lead = [(d, s) for d, s in zip(v.shape[:-1], v.strides[:-1]) if d != 1]
    if not lead or rows * cols == 0:
        return rows, cols, cols
    ld = lead[-1][1]
    for (d0, s0), (d1, s1) in zip(lead, lead[1:]):
        if s0 != s1 * d1:
            raise Error(where, "%s's leading dimensions do not collapse into rows (shape %s, "
                        "strides %s elements); pass a contiguous copy explicitly"
                        % (name, v.shape, v.strides), _lib.ERR_ARG)
    if ld < cols:
        raise Error(where, "%s's rows overlap (row stride %d < %d values a row)"
                    % (name, ld, cols), _lib.ERR_ARG)
    return rows, cols, ld


def _empty_like(v, shape, zero=False):
    if v.is_torch:
        import torch
        return (torch.zeros if zero else torch.empty)(shape, dtype=torch.float32)
    import numpy as np
    return (np.zeros if zero else np.empty)(shape, dtype=np.float32)


def _same_kind(where, *views):
    kinds = {v.is_torch for v in views if v is not None}
    if len(kinds) > 1:
        raise Error(where, "mixes numpy arrays and torch tensors; pass one kind",
                    _lib.ERR_ARG)


def _out(where, name, given, like, shape):
    """The output: a new contiguous float32 array, or `given` checked."""
    if given is None:
        return _view(_empty_like(like, shape), where, name, writable=True)
    o = _view(given, where, name, writable=True)
    _same_kind(where, like, o)
    if tuple(o.shape) != tuple(shape):
        raise Error(where, "%s has shape %s, expected %s" % (name, tuple(o.shape), tuple(shape)),
                    _lib.ERR_SIZE)
    return o


# --- activations -------------------------------------------------------------

def act_forward(x, act="swish", beta=1.0, out=None):
    """out[i] = act(x[i]); act is "identity", "relu", "gelu_erf" ("gelu"),
    "gelu_tanh", "sigmoid" or "swish" ("silu"); beta is Swish's. x and out
    contiguous float32; out may be x (in place). Returns out."""
    w = "swiglu.act_forward"
    a = _lib.enum_from_name("act", act, w)
    xv = _view(x, w, "x")
    n = _flat(xv, w, "x")
    ov = _out(w, "out", out, xv, xv.shape)
    _flat(ov, w, "out")
    _lib.check(_lib.lib.swiglu_act_forward(ov.ptr, xv.ptr, n, a, float(beta)), w)
    return ov.obj


def act_backward(dout, x, act="swish", beta=1.0, dx=None, accumulate=False, need_dbeta=False):
    """dx = dout * act'(x); with accumulate=True, dx (given) += that instead.
    need_dbeta=True (Swish): also dbeta = sum(dout * d act/d beta), a float.
    Returns (dx, dbeta or None)."""
    w = "swiglu.act_backward"
    a = _lib.enum_from_name("act", act, w)
    dv, xv = _view(dout, w, "dout"), _view(x, w, "x")
    _same_kind(w, dv, xv)
    if tuple(dv.shape) != tuple(xv.shape):
        raise Error(w, "dout has shape %s, x has %s" % (tuple(dv.shape), tuple(xv.shape)),
                    _lib.ERR_SIZE)
    n = _flat(xv, w, "x")
    _flat(dv, w, "dout")
    if accumulate and dx is None:
        raise Error(w, "accumulate=True needs dx, the buffer to add into", _lib.ERR_NULL)
    ov = _out(w, "dx", dx, xv, xv.shape)
    _flat(ov, w, "dx")
    db = _c.c_float(0.0)
    flags = 0 if accumulate else _lib.BWD_OVERWRITE
    _lib.check(_lib.lib.swiglu_act_backward(ov.ptr, _c.byref(db) if need_dbeta else None,
                                            dv.ptr, xv.ptr, n, a, float(beta), flags), w)
    return ov.obj, (db.value if need_dbeta else None)


# --- GLU family ----------------------------------------------------------------

def _gate(where, variant, beta, limit, up_shift):
    v = _lib.enum_from_name("glu", variant, where)
    g = _lib.Gate()
    _lib.check(_lib.lib.swiglu_gate_init(_c.byref(g), v), where)
    if beta is not None:
        g.beta = float(beta)
    if limit is not None:
        g.limit = float(limit)
    if up_shift is not None:
        g.up_shift = float(up_shift)
    return g


def _layout(where, layout):
    if layout not in LAYOUTS:
        raise Error(where, "unknown layout %r (known: %s)" % (layout, ", ".join(LAYOUTS)),
                    _lib.ERR_ARG)
    return LAYOUTS[layout]


def _glu_inputs(w, x, up, layout):
    """(x view, up view or None, rows, n, ld_in, leading shape)."""
    lay = _layout(w, layout)
    xv = _view(x, w, "x")
    rows, cols, ld = _rows(xv, w, "x")
    if lay == 0:
        if up is None:
            raise Error(w, "layout 'split' needs up (the up half, same shape as x)",
                        _lib.ERR_NULL)
        uv = _view(up, w, "up")
        _same_kind(w, xv, uv)
        if tuple(uv.shape) != tuple(xv.shape):
            raise Error(w, "up has shape %s, x has %s" % (tuple(uv.shape), tuple(xv.shape)),
                        _lib.ERR_SIZE)
        _, _, uld = _rows(uv, w, "up")
        if uld != ld and rows > 1:
            raise Error(w, "x and up have different row strides (%d, %d elements); the "
                        "kernel takes one" % (ld, uld), _lib.ERR_ARG)
        return xv, uv, rows, cols, ld, tuple(xv.shape[:-1]), lay
    if up is not None:
        raise Error(w, "layout %r packs gate and up in x; up must be None" % layout,
                    _lib.ERR_ARG)
    if cols % 2:
        raise Error(w, "layout %r needs an even last dimension (2n), got %d" % (layout, cols),
                    _lib.ERR_SIZE)
    return xv, None, rows, cols // 2, ld, tuple(xv.shape[:-1]), lay


def glu_forward(x, up=None, variant="swiglu", layout="split", beta=None, limit=None,
                up_shift=None, out=None):
    """out = gate_act(g) * up, per row (include/swiglu.h, swiglu_glu_forward).

    layout "split": x is the gate half and up the up half (same shape [..., n]);
    "gate_up", "up_gate", "interleaved": x [..., 2n] holds both, up is None.
    variant: "glu", "bilinear", "reglu", "geglu", "geglu_tanh", "swiglu",
    "swiglu_clamped"; beta, limit, up_shift override the variant's defaults
    (swiglu_gate_init). out: [..., n], new unless given. Returns out."""
    w = "swiglu.glu_forward"
    g = _gate(w, variant, beta, limit, up_shift)
    xv, uv, rows, n, ld, lead, lay = _glu_inputs(w, x, up, layout)
    ov = _out(w, "out", out, xv, lead + (n,))
    _, _, ldo = _rows(ov, w, "out")
    _lib.check(_lib.lib.swiglu_glu_forward(ov.ptr, ldo, xv.ptr, uv.ptr if uv else None, ld,
                                           rows, n, lay, _c.byref(g)), w)
    return ov.obj


def glu_backward(dout, x, up=None, variant="swiglu", layout="split", beta=None, limit=None,
                 up_shift=None, din=None, dup=None, accumulate=False, need_dbeta=False):
    """Gradients of glu_forward from dout [..., n], in x's layout:
    split: (dgate, dup, dbeta); packed layouts: (dx, None, dbeta), dx [..., 2n].
    New arrays unless din/dup are given; accumulate=True adds into the given
    ones (the C convention) instead of storing. dbeta (a float, Swish gates)
    only with need_dbeta=True, else None."""
    w = "swiglu.glu_backward"
    g = _gate(w, variant, beta, limit, up_shift)
    xv, uv, rows, n, ld, lead, lay = _glu_inputs(w, x, up, layout)
    dv = _view(dout, w, "dout")
    _same_kind(w, xv, dv)
    if tuple(dv.shape) != lead + (n,):
        raise Error(w, "dout has shape %s, expected %s" % (tuple(dv.shape), lead + (n,)),
                    _lib.ERR_SIZE)
    _, _, ldd = _rows(dv, w, "dout")
    if accumulate and (din is None or (lay == 0 and dup is None)):
        raise Error(w, "accumulate=True needs the buffers to add into (din%s)"
                    % (", dup" if lay == 0 else ""), _lib.ERR_NULL)
    dxv = _out(w, "din", din, xv, tuple(xv.shape))
    _, _, ldi = _rows(dxv, w, "din")
    duv = None
    if lay == 0:
        duv = _out(w, "dup", dup, xv, tuple(xv.shape))
        _, _, ldu = _rows(duv, w, "dup")
        if ldu != ldi and rows > 1:
            raise Error(w, "din and dup have different row strides", _lib.ERR_ARG)
    elif dup is not None:
        raise Error(w, "layout %r writes one gradient buffer; dup must be None" % layout,
                    _lib.ERR_ARG)
    db = _c.c_float(0.0)
    flags = 0 if accumulate else _lib.BWD_OVERWRITE
    _lib.check(_lib.lib.swiglu_glu_backward(
        dxv.ptr, duv.ptr if duv else None, ldi, _c.byref(db) if need_dbeta else None,
        dv.ptr, ldd, xv.ptr, uv.ptr if uv else None, ld, rows, n, lay, _c.byref(g), flags), w)
    return dxv.obj, (duv.obj if duv else None), (db.value if need_dbeta else None)


def __getattr__(name):
    # swiglu.torch is imported on first use: the module above needs no torch
    if name == "torch":
        import importlib
        return importlib.import_module(".torch", __name__)
    raise AttributeError("module 'swiglu' has no attribute %r" % name)
