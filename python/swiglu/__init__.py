"""swiglu -- Python bindings of libswiglu (ctypes; nothing compiled at install).

Elementwise kernels on NumPy arrays and CPU torch tensors (float32 or bf16,
zero-copy):
    act_forward(x, act="swish", beta=1.0, out=None) -> out
    act_backward(dout, x, act=..., beta=..., dx=None, accumulate=False,
                 need_dbeta=False) -> (dx, dbeta or None)
    glu_forward(x, up=None, variant="swiglu", layout="split", ..., out=None) -> out
    glu_backward(dout, x, up=None, variant=..., layout=..., ...,
                 need_dbeta=False) -> (din, dup or None, dbeta or None)
PyTorch layers (autograd): swiglu.torch.glu and swiglu.torch.FFN (import
swiglu.torch; it needs torch, this module needs neither torch nor numpy).

bf16: torch.bfloat16 tensors run the C API's _bf16 functions (fp32 compute,
outputs rounded to nearest even). NumPy has no bf16 type: a uint16 array of
bf16 bits is read as bf16 only when the call says dtype="bf16" (never
guessed). Every tensor of a call has one dtype; outputs get it too.

Refused with swiglu.Error (a ValueError, one line, the C status string):
other dtypes (float64, float16; nothing is converted behind your back),
mixed dtypes, tensors not on the CPU, layouts the kernels cannot read in place
(see _rows), mismatched shapes. docs/PYTHON.md has the details and examples.
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

DTYPES = ("float32", "bf16")


class _Arr:
    """A NumPy array or CPU torch tensor seen as the C API sees it: a pointer
    to float32 or bf16 elements (dt), its shape, and strides in elements."""
    __slots__ = ("obj", "is_torch", "ptr", "shape", "strides", "dt")


def _is_torch(a):
    return type(a).__module__.startswith("torch") and hasattr(a, "data_ptr")


def _dtype_arg(where, dtype):
    """the dtype= argument: None (from the tensors), "float32" or "bf16" """
    if dtype is None or dtype in DTYPES:
        return dtype
    if str(dtype) in ("torch.float32", "float32"):
        return "float32"
    if str(dtype) in ("torch.bfloat16", "bfloat16"):
        return "bf16"
    raise Error(where, "dtype=%r: known are None (the inputs'), 'float32' and 'bf16'" % (dtype,),
                _lib.ERR_DTYPE)


def _view(a, where, name, writable=False, dtype=None):
    """dtype: the call's dtype= ("bf16" lets a numpy uint16 array through as bf16 bits)"""
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
        if a.dtype not in (torch.float32, torch.bfloat16):
            raise Error(where, "%s is %s; the elementwise C API takes float32 and bfloat16 "
                        "(no silent conversion: pass %s.float() explicitly)" % (name, a.dtype, name),
                        _lib.ERR_DTYPE)
        v.dt = "float32" if a.dtype == torch.float32 else "bf16"
        v.ptr = a.data_ptr()
        v.shape = tuple(a.shape)
        v.strides = tuple(a.stride())
    elif type(a).__module__ == "numpy" and hasattr(a, "ctypes"):
        import numpy as np
        v.is_torch = False
        if a.dtype == np.uint16 and dtype == "bf16":
            v.dt = "bf16"
        elif a.dtype == np.float32:
            v.dt = "float32"
        else:
            hint = (" (bf16 bits in uint16: say dtype='bf16')" if a.dtype == np.uint16 else "")
            raise Error(where, "%s is %s; the elementwise C API takes float32, and bf16 as uint16 "
                        "bits with dtype='bf16'%s (no silent conversion: pass "
                        "%s.astype(numpy.float32) explicitly)" % (name, a.dtype, hint, name),
                        _lib.ERR_DTYPE)
        if not a.flags.aligned:
            raise Error(where, "%s is not %d-byte aligned" % (name, a.itemsize), _lib.ERR_ARG)
        if writable and not a.flags.writeable:
            raise Error(where, "%s is read-only" % name, _lib.ERR_ARG)
        v.ptr = a.ctypes.data
        v.shape = a.shape
        v.strides = tuple(s // a.itemsize for s in a.strides)
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
    """a new contiguous array of v's kind and dtype (numpy bf16: uint16 bits)"""
    if v.is_torch:
        import torch
        dt = torch.float32 if v.dt == "float32" else torch.bfloat16
        return (torch.zeros if zero else torch.empty)(shape, dtype=dt)
    import numpy as np
    dt = np.float32 if v.dt == "float32" else np.uint16
    return (np.zeros if zero else np.empty)(shape, dtype=dt)


def _one_dtype(where, dtype, *views):
    """the call's dtype: every tensor's, which must agree with dtype= if given"""
    dts = {v.dt for v in views if v is not None}
    if len(dts) > 1:
        raise Error(where, "mixes float32 and bf16 tensors; pass one dtype", _lib.ERR_DTYPE)
    dt = dts.pop()
    if dtype is not None and dt != dtype:
        raise Error(where, "dtype=%r but the tensors are %s" % (dtype, dt), _lib.ERR_DTYPE)
    return dt


def _fn(name, dt):
    """the C function of a dtype: swiglu_NAME or swiglu_NAME_bf16"""
    return getattr(_lib.lib, "swiglu_" + name + ("_bf16" if dt == "bf16" else ""))


def _same_kind(where, *views):
    kinds = {v.is_torch for v in views if v is not None}
    if len(kinds) > 1:
        raise Error(where, "mixes numpy arrays and torch tensors; pass one kind",
                    _lib.ERR_ARG)


def _out(where, name, given, like, shape):
    """The output: a new contiguous array of like's dtype, or `given` checked."""
    if given is None:
        return _view(_empty_like(like, shape), where, name, writable=True, dtype=like.dt)
    o = _view(given, where, name, writable=True, dtype=like.dt)
    _same_kind(where, like, o)
    _one_dtype(where, like.dt, o)
    if tuple(o.shape) != tuple(shape):
        raise Error(where, "%s has shape %s, expected %s" % (name, tuple(o.shape), tuple(shape)),
                    _lib.ERR_SIZE)
    return o


# --- activations -------------------------------------------------------------

def act_forward(x, act="swish", beta=1.0, out=None, dtype=None):
    """out[i] = act(x[i]); act is "identity", "relu", "gelu_erf" ("gelu"),
    "gelu_tanh", "sigmoid" or "swish" ("silu"); beta is Swish's. x and out
    contiguous, float32 or bf16 (dtype="bf16" for numpy uint16 bits); out may
    be x (in place). Returns out."""
    w = "swiglu.act_forward"
    a = _lib.enum_from_name("act", act, w)
    dtype = _dtype_arg(w, dtype)
    xv = _view(x, w, "x", dtype=dtype)
    dt = _one_dtype(w, dtype, xv)
    n = _flat(xv, w, "x")
    ov = _out(w, "out", out, xv, xv.shape)
    _flat(ov, w, "out")
    _lib.check(_fn("act_forward", dt)(ov.ptr, xv.ptr, n, a, float(beta)), w)
    return ov.obj


def act_backward(dout, x, act="swish", beta=1.0, dx=None, accumulate=False, need_dbeta=False,
                 dtype=None):
    """dx = dout * act'(x); with accumulate=True, dx (given) += that instead
    (bf16: the sum in fp32, rounded once). need_dbeta=True (Swish): also
    dbeta = sum(dout * d act/d beta), a float. Returns (dx, dbeta or None)."""
    w = "swiglu.act_backward"
    a = _lib.enum_from_name("act", act, w)
    dtype = _dtype_arg(w, dtype)
    dv, xv = _view(dout, w, "dout", dtype=dtype), _view(x, w, "x", dtype=dtype)
    _same_kind(w, dv, xv)
    dt = _one_dtype(w, dtype, dv, xv)
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
    _lib.check(_fn("act_backward", dt)(ov.ptr, _c.byref(db) if need_dbeta else None,
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


def _glu_inputs(w, x, up, layout, dtype):
    """(x view, up view or None, rows, n, ld_in, leading shape, layout)."""
    lay = _layout(w, layout)
    xv = _view(x, w, "x", dtype=dtype)
    rows, cols, ld = _rows(xv, w, "x")
    if lay == 0:
        if up is None:
            raise Error(w, "layout 'split' needs up (the up half, same shape as x)",
                        _lib.ERR_NULL)
        uv = _view(up, w, "up", dtype=dtype)
        _same_kind(w, xv, uv)
        _one_dtype(w, dtype, xv, uv)
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
                up_shift=None, out=None, dtype=None):
    """out = gate_act(g) * up, per row (include/swiglu.h, swiglu_glu_forward).

    layout "split": x is the gate half and up the up half (same shape [..., n]);
    "gate_up", "up_gate", "interleaved": x [..., 2n] holds both, up is None.
    variant: "glu", "bilinear", "reglu", "geglu", "geglu_tanh", "swiglu",
    "swiglu_clamped"; beta, limit, up_shift override the variant's defaults
    (swiglu_gate_init). out: [..., n], new unless given. float32 or bf16
    (dtype="bf16" for numpy uint16 bits). Returns out."""
    w = "swiglu.glu_forward"
    g = _gate(w, variant, beta, limit, up_shift)
    dtype = _dtype_arg(w, dtype)
    xv, uv, rows, n, ld, lead, lay = _glu_inputs(w, x, up, layout, dtype)
    dt = _one_dtype(w, dtype, xv)
    ov = _out(w, "out", out, xv, lead + (n,))
    _, _, ldo = _rows(ov, w, "out")
    _lib.check(_fn("glu_forward", dt)(ov.ptr, ldo, xv.ptr, uv.ptr if uv else None, ld,
                                      rows, n, lay, _c.byref(g)), w)
    return ov.obj


def glu_backward(dout, x, up=None, variant="swiglu", layout="split", beta=None, limit=None,
                 up_shift=None, din=None, dup=None, accumulate=False, need_dbeta=False,
                 dtype=None):
    """Gradients of glu_forward from dout [..., n], in x's layout:
    split: (dgate, dup, dbeta); packed layouts: (dx, None, dbeta), dx [..., 2n].
    New arrays unless din/dup are given; accumulate=True adds into the given
    ones (the C convention) instead of storing (bf16: the sum in fp32, rounded
    once). dbeta (a float, Swish gates) only with need_dbeta=True, else None."""
    w = "swiglu.glu_backward"
    g = _gate(w, variant, beta, limit, up_shift)
    dtype = _dtype_arg(w, dtype)
    xv, uv, rows, n, ld, lead, lay = _glu_inputs(w, x, up, layout, dtype)
    dv = _view(dout, w, "dout", dtype=dtype)
    _same_kind(w, xv, dv)
    dt = _one_dtype(w, dtype, xv, dv)
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
    _lib.check(_fn("glu_backward", dt)(
        dxv.ptr, duv.ptr if duv else None, ldi, _c.byref(db) if need_dbeta else None,
        dv.ptr, ldd, xv.ptr, uv.ptr if uv else None, ld, rows, n, lay, _c.byref(g), flags), w)
    return dxv.obj, (duv.obj if duv else None), (db.value if need_dbeta else None)


def __getattr__(name):
    # swiglu.torch is imported on first use: the module above needs no torch
    if name == "torch":
        import importlib
        return importlib.import_module(".torch", __name__)
    raise AttributeError("module 'swiglu' has no attribute %r" % name)
