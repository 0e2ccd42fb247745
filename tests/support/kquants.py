"""kquants.py -- ggml's K-quant blocks (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K) in
numpy, for the tests of the GGUF reader: quantize() writes blocks byte for
byte in ggml's layout (ggml-common.h's block_qN_K; the quantization itself
is a simple min/max choice, not ggml's search: only the decoding is under
test), dequantize() reads any blocks back in float32 with ggml's operation
order (dequantize_row_qN_K), vectorized and written from the layouts below,
not from the C reader.

Super-blocks of QK_K = 256 values, little-endian, f16 = IEEE binary16:
  Q2_K  84 B: scales[16] (low nibble: scale, high: min, per 16 values),
              qs[64] (2-bit), f16 d, f16 dmin
              x = (d*sc) * q - (dmin*m)
  Q3_K 110 B: hmask[32] (the third bit), qs[64] (low 2 bits),
              scales[12] (16 6-bit scales), f16 d
              x = (d*(sc-32)) * (q - 4 if the hmask bit is clear)
  Q4_K 144 B: f16 d, f16 dmin, scales[12] (8 6-bit scales, 8 6-bit mins),
              qs[128] (4-bit)
              x = (d*sc) * q - (dmin*m)
  Q5_K 176 B: f16 d, f16 dmin, scales[12], qh[32] (the fifth bit), qs[128]
              x = (d*sc) * (q + 16 hbit) - (dmin*m)
  Q6_K 210 B: ql[128] (low 4 bits), qh[64] (high 2 bits),
              scales[16] (int8, per 16 values), f16 d
              x = (d*sc) * (q - 32)
The 12 scale bytes of Q4_K/Q5_K (j = 0..7, 32 values each): j < 4:
scale = b[j] & 63, min = b[j+4] & 63; j >= 4: scale = (b[j+4] & 15) |
(b[j-4] >> 6) << 4, min = (b[j+4] >> 4) | (b[j] >> 6) << 4. Q3_K's
(j = 0..15, 16 values each): low 4 bits b[j] & 15 (j < 8) or b[j-8] >> 4,
high 2 bits (b[8 + j%4] >> 2(j/4)) & 3.
Value order inside a block (v = index 0..255): Q4_K/Q5_K: 64-value chunk
c = v/64, nibble v%64 >= 32 of qs[32c + v%32], Q5_K's fifth bit: bit
2c + (v%64 >= 32) of qh[v%32]. Q2_K/Q3_K: half h = v/128, bits
2((v%128)/32) of qs[32h + v%32]; Q3_K's hmask bit v/32 of hmask[v%32].
Q6_K: half h = v/128, r = v%128: ql[64h + r%64] nibble r >= 64, bits
2(r/32) of qh[32h + r%32].
"""
import numpy as np

QK = 256
BYTES = {"Q2_K": 84, "Q3_K": 110, "Q4_K": 144, "Q5_K": 176, "Q6_K": 210}
GG_TYPE = {"Q2_K": 10, "Q3_K": 11, "Q4_K": 12, "Q5_K": 13, "Q6_K": 14}
F = np.float32


def _f16(b, at):
    """the f16 at byte `at` of every block, as float32 (exact)"""
    return b[:, at:at + 2].copy().view("<f2")[:, 0].astype(F)


def _put_f16(blocks, at, v):
    blocks[:, at:at + 2] = np.asarray(v, np.float16).astype("<f2").view(np.uint8).reshape(-1, 2)


def _scale_min_k4(s):
    """Q4_K/Q5_K: 12 bytes per block -> (scales [nb, 8], mins [nb, 8])"""
    s = s.astype(np.int32)
    sc = np.empty((s.shape[0], 8), np.int32)
    mn = np.empty_like(sc)
    sc[:, :4] = s[:, 0:4] & 63
    mn[:, :4] = s[:, 4:8] & 63
    sc[:, 4:] = (s[:, 8:12] & 15) | ((s[:, 0:4] >> 6) << 4)
    mn[:, 4:] = (s[:, 8:12] >> 4) | ((s[:, 4:8] >> 6) << 4)
    return sc, mn


def _pack_scale_min_k4(sc, mn):
    out = np.zeros((sc.shape[0], 12), np.int32)
    out[:, 0:4] = sc[:, :4] | ((sc[:, 4:] >> 4) << 6)
    out[:, 4:8] = mn[:, :4] | ((mn[:, 4:] >> 4) << 6)
    out[:, 8:12] = (sc[:, 4:] & 15) | ((mn[:, 4:] & 15) << 4)
    return out.astype(np.uint8)


def _q3_scales(s):
    s = s.astype(np.int32)
    j = np.arange(16)
    low = np.where(j < 8, s[:, j % 8] & 15, s[:, j % 8] >> 4)
    high = (s[:, 8 + j % 4] >> (2 * (j // 4))) & 3
    return low | (high << 4)


def _pack_q3_scales(v):
    out = np.zeros((v.shape[0], 12), np.int32)
    for j in range(16):
        if j < 8:
            out[:, j] |= v[:, j] & 15
        else:
            out[:, j - 8] |= (v[:, j] & 15) << 4
        out[:, 8 + j % 4] |= (v[:, j] >> 4) << (2 * (j // 4))
    return out.astype(np.uint8)


def _v():
    return np.arange(QK)


def dequantize(raw, t):
    """float32 values of the blocks in raw (bytes or uint8 array) of type t"""
    b = np.frombuffer(bytes(raw), np.uint8).reshape(-1, BYTES[t])
    v = _v()
    if t in ("Q4_K", "Q5_K"):
        d, dmin = _f16(b, 0), _f16(b, 2)
        sc, mn = _scale_min_k4(b[:, 4:16])
        qs = b[:, 16:144] if t == "Q4_K" else b[:, 48:176]
        c, hi, r = v // 64, (v % 64) >= 32, v % 32
        q = (qs[:, 32 * c + r].astype(np.int32) >> (4 * hi)) & 15
        if t == "Q5_K":
            qh = b[:, 16:48].astype(np.int32)
            q = q + 16 * ((qh[:, r] >> (2 * c + hi)) & 1)
        sub = v // 32
        d1 = (d[:, None] * sc[:, sub].astype(F)).astype(F)
        m1 = (dmin[:, None] * mn[:, sub].astype(F)).astype(F)
        return ((d1 * q.astype(F)).astype(F) - m1).astype(F).reshape(-1)
    if t == "Q6_K":
        ql, qh = b[:, 0:128].astype(np.int32), b[:, 128:192].astype(np.int32)
        sc = b[:, 192:208].view(np.int8).astype(np.int32)
        d = _f16(b, 208)
        h, r = v // 128, v % 128
        lo = (ql[:, 64 * h + r % 64] >> (4 * (r >= 64))) & 15
        hi2 = (qh[:, 32 * h + r % 32] >> (2 * (r // 32))) & 3
        q = (lo | (hi2 << 4)) - 32
        dl = (d[:, None] * sc[:, v // 16].astype(F)).astype(F)
        return (dl * q.astype(F)).astype(F).reshape(-1)
    # Q2_K, Q3_K: 2-bit qs, 16 values per scale
    h, r = v // 128, v % 128
    if t == "Q2_K":
        s, qs = b[:, 0:16].astype(np.int32), b[:, 16:80].astype(np.int32)
        d, dmin = _f16(b, 80), _f16(b, 82)
        q = (qs[:, 32 * h + r % 32] >> (2 * (r // 32))) & 3
        sc = s[:, v // 16]
        dl = (d[:, None] * (sc & 15).astype(F)).astype(F)
        ml = (dmin[:, None] * (sc >> 4).astype(F)).astype(F)
        return ((dl * q.astype(F)).astype(F) - ml).astype(F).reshape(-1)
    hm, qs = b[:, 0:32].astype(np.int32), b[:, 32:96].astype(np.int32)
    sc = _q3_scales(b[:, 96:108])
    d = _f16(b, 108)
    q = (qs[:, 32 * h + r % 32] >> (2 * (r // 32))) & 3
    q = q - 4 * (((hm[:, v % 32] >> (v // 32)) & 1) == 0)
    dl = (d[:, None] * (sc[:, v // 16] - 32).astype(F)).astype(F)
    return (dl * q.astype(F)).astype(F).reshape(-1)


def _round(x):
    return np.floor(x + 0.5).astype(np.int32)


def _asymmetric(xs, qmax, smax):
    """xs [nb, sub-blocks, values]: x ~ (d ls) L - (dmin lm), L in 0..qmax,
    ls and lm in 0..smax; d, dmin rounded to F16. (d, dmin, ls, lm, L)"""
    mins = np.maximum(0.0, -xs.min(axis=2))                       # x >= -min
    scales = (xs.max(axis=2) + mins) / qmax
    d = (scales.max(axis=1) / smax).astype(np.float16).astype(np.float64)
    dmin = (mins.max(axis=1) / smax).astype(np.float16).astype(np.float64)
    ls = np.clip(_round(scales / np.where(d > 0, d, 1)[:, None]), 0, smax)
    lm = np.clip(_round(mins / np.where(dmin > 0, dmin, 1)[:, None]), 0, smax)
    step = d[:, None] * ls
    L = np.clip(_round((xs + (dmin[:, None] * lm)[..., None]) / np.where(step > 0, step, 1)[..., None]), 0, qmax)
    return d, dmin, ls, lm, L.reshape(xs.shape[0], QK)


def _symmetric(xs, qmax, smax):
    """x ~ (d sc) (L - qmax - 1), L in 0..2 qmax + 1, sc in -smax-1..smax;
    d rounded to F16. (d, sc, L)"""
    scales = np.abs(xs).max(axis=2) / qmax
    d = (scales.max(axis=1) / smax).astype(np.float16).astype(np.float64)
    sc = np.clip(_round(scales / np.where(d > 0, d, 1)[:, None]), -smax - 1, smax)
    step = d[:, None] * sc
    L = np.clip(_round(xs / np.where(step != 0, step, 1)[..., None]), -qmax - 1, qmax) + qmax + 1
    return d, sc, L.reshape(xs.shape[0], QK)


def quantize(x, t):
    """(bytes of the blocks, their float32 dequantization) for x (a
    multiple of 256 values), with per-sub-block min/max scales"""
    x = np.ascontiguousarray(x, F).reshape(-1, QK).astype(np.float64)
    nb = x.shape[0]
    blocks = np.zeros((nb, BYTES[t]), np.uint8)
    v = _v()
    h, r = v // 128, v % 128
    if t in ("Q4_K", "Q5_K"):
        d, dmin, ls, lm, L = _asymmetric(x.reshape(nb, 8, 32), 15 if t == "Q4_K" else 31, 63)
        _put_f16(blocks, 0, d)
        _put_f16(blocks, 2, dmin)
        blocks[:, 4:16] = _pack_scale_min_k4(ls, lm)
        c, hi, r32 = v // 64, (v % 64) >= 32, v % 32
        qs = np.zeros((nb, 128), np.int32)
        np.add.at(qs, (slice(None), 32 * c + r32), (L & 15) << (4 * hi))
        if t == "Q5_K":
            qh = np.zeros((nb, 32), np.int32)
            np.add.at(qh, (slice(None), r32), (L >> 4) << (2 * c + hi))
            blocks[:, 16:48] = qh
            blocks[:, 48:176] = qs
        else:
            blocks[:, 16:144] = qs
    elif t == "Q6_K":
        d, sc, L = _symmetric(x.reshape(nb, 16, 16), 31, 127)
        ql = np.zeros((nb, 128), np.int32)
        qh = np.zeros((nb, 64), np.int32)
        np.add.at(ql, (slice(None), 64 * h + r % 64), (L & 15) << (4 * (r >= 64)))
        np.add.at(qh, (slice(None), 32 * h + r % 32), (L >> 4) << (2 * (r // 32)))
        blocks[:, 0:128] = ql
        blocks[:, 128:192] = qh
        blocks[:, 192:208] = sc.astype(np.int8).view(np.uint8)
        _put_f16(blocks, 208, d)
    elif t == "Q2_K":
        d, dmin, ls, lm, L = _asymmetric(x.reshape(nb, 16, 16), 3, 15)
        blocks[:, 0:16] = ls | (lm << 4)
        qs = np.zeros((nb, 64), np.int32)
        np.add.at(qs, (slice(None), 32 * h + r % 32), L << (2 * (r // 32)))
        blocks[:, 16:80] = qs
        _put_f16(blocks, 80, d)
        _put_f16(blocks, 82, dmin)
    elif t == "Q3_K":
        d, sc, L = _symmetric(x.reshape(nb, 16, 16), 3, 31)
        hm = np.zeros((nb, 32), np.int32)
        np.add.at(hm, (slice(None), v % 32), (L >> 2) << (v // 32))
        qs = np.zeros((nb, 64), np.int32)
        np.add.at(qs, (slice(None), 32 * h + r % 32), (L & 3) << (2 * (r // 32)))
        blocks[:, 0:32] = hm
        blocks[:, 32:96] = qs
        blocks[:, 96:108] = _pack_q3_scales(sc + 32)
        _put_f16(blocks, 108, d)
    else:
        raise ValueError(t)
    raw = blocks.tobytes()
    return raw, dequantize(raw, t)
