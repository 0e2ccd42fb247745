#!/usr/bin/env python3
"""llama_ref.py -- an independent reference of the LLaMA forward for the
tests of the readers (tests/test_formats.sh): a llama2.c model (.bin) run
in float64 with numpy, with any RoPE base and RMSNorm epsilon, decoding
greedily from BOS (id 1) as `swiglu generate --ids -t 0` does (a generated
BOS ends the text, as run.c). Written from the architecture (Meta's LLaMA,
llama2.c's interleaved RoPE pairs), not from the C code.

  llama_ref.py MODEL.bin N [--rope-theta T] [--rms-eps E]

prints BOS and the N generated ids on one line. The margin of each step
(top logit minus the runner-up) is checked: a step closer than 1e-4 is a
tie float32 and float64 may break differently, and is reported on stderr.

Per layer, for the token at position p (x the residual stream [D]):
  rms(x) = x / sqrt(mean(x^2) + eps)
  q, k, v = Wq rms(x) g_att, Wk .., Wv ..; pair (2i, 2i+1) of each head
  rotated by angle p * theta^(-2i/hs)
  x += Wo concat_h softmax_t(q_h . k_t / sqrt(hs)) v_t   (kv head h / (nh/nkv))
  x += W2 (silu(W1 rms(x) g_ffn) * W3 rms(x) g_ffn)
logits = Wcls rms(x) g_final.
"""
import argparse
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from convert_model import read_l2c  # noqa: E402  (the .bin's layout only)


def generate(cfg, w, n, theta, eps):
    D, L, nh, nkv, hs = cfg["dim"], cfg["L"], cfg["nh"], cfg["nkv"], cfg["hs"]
    KV, S = cfg["kv"], cfg["S"]
    W = {k: v.astype(np.float64) for k, v in w.items()}
    kc = np.zeros((L, S, KV))
    vc = np.zeros((L, S, KV))
    half = np.arange(hs // 2)
    inv_freq = theta ** (-2.0 * half / hs)

    def rms(x, g):
        return x / np.sqrt(np.mean(x * x) + eps) * g

    def rope(v, pos, heads):
        v = v.reshape(heads, hs // 2, 2).copy()
        a = pos * inv_freq
        c, s = np.cos(a), np.sin(a)
        x0, x1 = v[..., 0].copy(), v[..., 1].copy()
        v[..., 0] = x0 * c - x1 * s
        v[..., 1] = x0 * s + x1 * c
        return v.reshape(-1)

    ids, tok, ties = [1], 1, []
    for pos in range(min(n, S)):
        x = W["tok_emb"][tok].copy()
        for l in range(L):
            xb = rms(x, W["rms_att"][l])
            q = rope(W["wq"][l] @ xb, pos, nh)
            kc[l, pos] = rope(W["wk"][l] @ xb, pos, nkv)
            vc[l, pos] = W["wv"][l] @ xb
            out = np.empty(D)
            for h in range(nh):
                g = h // (nh // nkv)
                K = kc[l, :pos + 1, g * hs:(g + 1) * hs]
                V = vc[l, :pos + 1, g * hs:(g + 1) * hs]
                sc = K @ q[h * hs:(h + 1) * hs] / np.sqrt(hs)
                e = np.exp(sc - sc.max())
                out[h * hs:(h + 1) * hs] = (e / e.sum()) @ V
            x = x + W["wo"][l] @ out
            xb = rms(x, W["rms_ffn"][l])
            a = W["w1"][l] @ xb
            x = x + W["w2"][l] @ (a / (1 + np.exp(-a)) * (W["w3"][l] @ xb))
        logits = W["wcls"] @ rms(x, W["rms_final"])
        top = np.sort(logits)[-2:]
        if top[1] - top[0] < 1e-4:
            ties.append(pos)
        tok = int(np.argmax(logits))
        if tok == 1:
            break
        ids.append(tok)
    return ids, ties


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("n", type=int)
    ap.add_argument("--rope-theta", type=float, default=10000.0)
    ap.add_argument("--rms-eps", type=float, default=1e-5)
    a = ap.parse_args()
    cfg, w = read_l2c(a.model)
    ids, ties = generate(cfg, w, a.n, a.rope_theta, a.rms_eps)
    if ties:
        print("llama_ref.py: near ties (< 1e-4) at positions %s" % ties, file=sys.stderr)
    print(" ".join(map(str, ids)))


if __name__ == "__main__":
    main()
