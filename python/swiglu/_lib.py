"""_lib.py -- finds libswiglu.so and declares the C functions the package calls.

Where the library comes from, first match wins:
  1. $SWIGLU_LIB, a path to libswiglu.so (the tests point it at the build);
  2. build/libswiglu.so beside python/ (this package run from the source tree);
  3. PREFIX/lib/libswiglu.so.0 when the package is in PREFIX/lib/python3.X/
     dist-packages (make install install-python, same PREFIX);
  4. the system's: libswiglu.so.0 as the dynamic loader finds it.
Nothing is compiled: ctypes calls the shared library directly, and ctypes
releases the GIL during each call.
"""
import ctypes
import ctypes.util
import os

_c = ctypes
size_t = _c.c_size_t
vp = _c.c_void_p
fp = _c.POINTER(_c.c_float)

# pinned values of include/swiglu.h's swiglu_status
STATUS_NAMES = [
    "SWIGLU_OK", "SWIGLU_ERR_NULL", "SWIGLU_ERR_SIZE", "SWIGLU_ERR_ARG", "SWIGLU_ERR_ALIAS",
    "SWIGLU_ERR_ALLOC", "SWIGLU_ERR_ISA", "SWIGLU_ERR_GEMM", "SWIGLU_ERR_DTYPE",
    "SWIGLU_ERR_WORKSPACE", "SWIGLU_ERR_STATE", "SWIGLU_ERR_IO", "SWIGLU_ERR_FORMAT",
    "SWIGLU_ERR_UNSUPPORTED", "SWIGLU_ERR_NONFINITE",
]
OK, ERR_NULL, ERR_SIZE, ERR_ARG, ERR_ALIAS = 0, 1, 2, 3, 4
ERR_DTYPE, ERR_STATE, ERR_UNSUPPORTED = 8, 10, 13
BWD_OVERWRITE = 1
F32, BF16 = 0, 1
WEIGHTS_SPLIT = 0


class Gate(_c.Structure):
    _fields_ = [("act", _c.c_int), ("beta", _c.c_float), ("limit", _c.c_float),
                ("up_shift", _c.c_float)]


class FFNConfig(_c.Structure):
    _fields_ = [("d_model", size_t), ("d_ff", size_t), ("variant", _c.c_int),
                ("beta", _c.c_float), ("learn_beta", _c.c_int), ("bias_up", _c.c_int),
                ("bias_down", _c.c_int), ("weights", _c.c_int), ("dtype", _c.c_int),
                ("recompute", _c.c_int)]


class FFNParams(_c.Structure):
    _fields_ = [("w1", vp), ("w3", vp), ("w2", vp), ("b1", vp), ("b3", vp), ("b2", vp),
                ("beta", vp)]


def _candidates():
    env = os.environ.get("SWIGLU_LIB")
    if env:
        # an explicit choice is the only one: a wrong path must not fall back silently
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    out = []
    if os.path.exists(os.path.join(here, "..", "pyproject.toml")):
        # python/swiglu in the source tree: the tree's build
        out.append(os.path.join(here, "..", "..", "build", "libswiglu.so"))
    # make install + make install-python: PREFIX/lib/python3.X/dist-packages/swiglu
    # beside PREFIX/lib/libswiglu.so.0, found even before ldconfig has run
    beside = os.path.join(here, "..", "..", "..", "libswiglu.so.0")
    if os.path.exists(beside):
        out.append(beside)
    found = ctypes.util.find_library("swiglu")
    if found:
        out.append(found)
    out += ["libswiglu.so.0", "libswiglu.so"]
    return out


def _load():
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path + " (missing)")
            continue
        try:
            return _c.CDLL(path)
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError("swiglu: libswiglu.so not found; tried " + "; ".join(tried) +
                      ". Build it (make) or install it (make install), or set SWIGLU_LIB")


lib = _load()


def _decl(name, res, *args):
    f = getattr(lib, name)
    f.restype = res
    f.argtypes = list(args)


_decl("swiglu_status_str", _c.c_char_p, _c.c_int)
_decl("swiglu_version_string", _c.c_char_p)
_decl("swiglu_isa_active", _c.c_int)
_decl("swiglu_isa_name", _c.c_char_p, _c.c_int)
_decl("swiglu_threads_set", _c.c_int, _c.c_int)
_decl("swiglu_threads_get", _c.c_int)
_decl("swiglu_act_from_name", _c.c_int, _c.POINTER(_c.c_int), _c.c_char_p)
_decl("swiglu_glu_from_name", _c.c_int, _c.POINTER(_c.c_int), _c.c_char_p)
_decl("swiglu_ffn_variant_from_name", _c.c_int, _c.POINTER(_c.c_int), _c.c_char_p)
_decl("swiglu_ffn_variant_gated", _c.c_int, _c.c_int)
_decl("swiglu_gate_init", _c.c_int, _c.POINTER(Gate), _c.c_int)
_decl("swiglu_act_forward", _c.c_int, vp, vp, size_t, _c.c_int, _c.c_float)
_decl("swiglu_act_backward", _c.c_int, vp, fp, vp, vp, size_t, _c.c_int, _c.c_float, _c.c_uint)
_decl("swiglu_glu_forward", _c.c_int, vp, size_t, vp, vp, size_t, size_t, size_t, _c.c_int,
      _c.POINTER(Gate))
_decl("swiglu_glu_backward", _c.c_int, vp, vp, size_t, fp, vp, size_t, vp, vp, size_t,
      size_t, size_t, _c.c_int, _c.POINTER(Gate), _c.c_uint)
# the bf16 twins: the same arguments, uint16_t buffers (bf16 bits)
for _f in ("act_forward", "act_backward", "glu_forward", "glu_backward"):
    _g = getattr(lib, "swiglu_" + _f)
    _decl("swiglu_%s_bf16" % _f, _g.restype, *_g.argtypes)
_decl("swiglu_ffn_config_init", _c.c_int, _c.POINTER(FFNConfig), size_t, _c.c_int)
_decl("swiglu_ffn_create", _c.c_int, _c.POINTER(vp), _c.POINTER(FFNConfig))
_decl("swiglu_ffn_destroy", _c.c_int, vp)
_decl("swiglu_ffn_workspace_size", _c.c_int, _c.POINTER(size_t), vp, size_t, _c.c_int)
_decl("swiglu_ffn_forward", _c.c_int, vp, vp, vp, size_t, _c.POINTER(FFNParams), vp, size_t,
      _c.c_int)
_decl("swiglu_ffn_backward", _c.c_int, vp, vp, _c.POINTER(FFNParams), vp, vp, size_t,
      _c.POINTER(FFNParams), vp, size_t)


class Error(ValueError):
    """A refused call: .status is the C status (an int of swiglu_status), and
    the message is one line: 'swiglu.FUNC: what (SWIGLU_ERR_X: status string)'."""

    def __init__(self, where, what, status):
        self.status = status
        name = STATUS_NAMES[status] if 0 <= status < len(STATUS_NAMES) else str(status)
        super().__init__("%s: %s (%s: %s)" % (where, what, name, status_str(status)))


def status_str(status):
    return lib.swiglu_status_str(status).decode()


def check(status, where, what="the library refused the call"):
    if status != OK:
        raise Error(where, what, status)


def enum_from_name(kind, name, where):
    """kind: 'act', 'glu' or 'ffn_variant'; the C parser, so aliases (silu,
    gelu, linear) are the library's own."""
    if not isinstance(name, str):
        raise Error(where, "%s must be a name (str), got %r" % (kind, name), ERR_ARG)
    v = _c.c_int(-1)
    st = getattr(lib, "swiglu_%s_from_name" % kind)(_c.byref(v), name.encode())
    check(st, where, "unknown %s %r" % (kind.replace("_", " "), name))
    return v.value
