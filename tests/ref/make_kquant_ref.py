#!/usr/bin/python3
"""Writes tests/ref/kquant_ref.bin: ggml K-quant blocks (Q2_K, Q3_K, Q4_K,
Q5_K, Q6_K) and numpy's float32 dequantization of each, for
tests/test_weight_convert.c to check the C decoder value by value, bit for
bit. The blocks and the decoding are tests/support/kquants.py's (numpy,
written from ggml's layouts, not from src/io/weight_convert.c).

Run:  /usr/bin/python3 tests/ref/make_kquant_ref.py   (the output is committed)

Per type, 6 blocks: 3 quantized from normal data (the layout a quantizer
writes), 3 of random bytes with finite F16 scales (every bit of every
scale, min and quant exercised, including Q6_K's negative scales and
Q3_K's hmask).

File layout (little endian):
  char[8]  magic "SWGLKQ01"
  u32      record count
  record:  char[8] type name (NUL padded), u32 ggml type, u32 blocks B,
           u32 bytes per block, u8 blocks[B * bytes], f32 values[B * 256]
"""
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import kquants as K  # noqa: E402

F16_AT = {"Q2_K": (80, 82), "Q3_K": (108,), "Q4_K": (0, 2), "Q5_K": (0, 2), "Q6_K": (208,)}


def main():
    rng = np.random.default_rng(2026)
    out = [b"SWGLKQ01", struct.pack("<I", len(K.BYTES))]
    for t, nbytes in K.BYTES.items():
        x = (rng.standard_normal(3 * K.QK) * 0.02).astype(np.float32)
        x[:40] += 0.3   # a sub-block with a positive minimum
        raw, _ = K.quantize(x, t)
        rnd = rng.integers(0, 256, size=(3, nbytes), dtype=np.uint8)
        for at in F16_AT[t]:   # finite scales: |s| in [2^-14, 2)
            s = (rng.uniform(2 ** -14, 2, 3) * rng.choice([-1, 1], 3)).astype(np.float16)
            rnd[:, at:at + 2] = s.astype("<f2").view(np.uint8).reshape(-1, 2)
        blocks = raw + rnd.tobytes()
        vals = K.dequantize(blocks, t)
        assert np.all(np.isfinite(vals))
        out.append(struct.pack("<8sIII", t.encode(), K.GG_TYPE[t], 6, nbytes))
        out.append(blocks)
        out.append(vals.astype("<f4").tobytes())
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kquant_ref.bin")
    open(path, "wb").write(b"".join(out))
    print("wrote", path)


if __name__ == "__main__":
    main()
