#!/usr/bin/env python3
"""convert_model.py -- a llama2.c model (.bin, version 0 or 1) written as
Hugging Face safetensors + config.json or as a GGUF file, for the tests of
the readers (tests/test_formats.sh). numpy, struct and json only; no network.

  convert_model.py IN.bin --safetensors DIR [--dtype F32|F16|BF16] [--shards N] [--ref REF.bin]
  convert_model.py IN.bin --gguf OUT.gguf
                   [--dtype F32|F16|BF16|Q8_0|Q2_K|Q3_K|Q4_K|Q5_K|Q6_K|MIXED_K]
                   [--tokenizer TOK.bin] [--ref REF.bin] [--meta KEY=STRING] [--strict]
  both: [--rope-theta T] [--rms-eps E] (the file's RoPE base and RMSNorm
  epsilon; default llama2.c's 10000 and 1e-5)

--ref writes a llama2.c version-0 file holding the weights exactly as the
reader will see them after the conversion (rounded to BF16/F16, or Q8_0
quantized and dequantized as ggml does), so that `generate` on the
converted file and on REF.bin must give the same ids, bit for bit.

Layouts written (what the C readers expect; docs/FORMATS.md):
- safetensors: HF LLaMA names, [out, in] matrices, every tensor in --dtype,
  q_proj/k_proj rows permuted as HF's converter does (rotate_half order);
  config.json with the model's shape, rope_theta 10000, rms_norm_eps 1e-5;
  --shards N: N files model-0000K-of-0000N.safetensors of consecutive
  tensors and model.safetensors.index.json, as save_pretrained shards.
- GGUF v3: llama.cpp's names and metadata; matrices in --dtype (MIXED_K:
  Q2_K, Q3_K, Q4_K, Q5_K, Q6_K in turn; K-quants: tests/support/kquants.py),
  rows that are not whole blocks in Q8_0 or F16 as llama.cpp falls back
  (--strict: not), vectors (the norms) F32 as llama.cpp writes them; q/k in llama2.c's order; the
  tokenizer (when given) as tokenizer.ggml.tokens/scores with spaces as
  U+2581, as SentencePiece writes them.
"""
import argparse
import json
import struct
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import kquants  # noqa: E402  (ggml's K-quant blocks, tests/support/kquants.py)


def read_l2c(path):
    b = open(path, "rb").read()
    if struct.unpack_from("<I", b, 0)[0] == 0x616B3432:
        dim, hidden, L, nh, nkv, V, S = struct.unpack_from("<7i", b, 8)
        shared = b[36]
        off, version = 256, 1
    else:
        dim, hidden, L, nh, nkv, V, S = struct.unpack_from("<7i", b, 0)
        shared = V > 0
        V = abs(V)
        off, version = 28, 0
    f = np.frombuffer(b, dtype="<f4", offset=off)
    hs, kv = dim // nh, nkv * (dim // nh)
    cfg = dict(dim=dim, hidden=hidden, L=L, nh=nh, nkv=nkv, V=V, S=S, shared=bool(shared), hs=hs, kv=kv)
    w, p = {}, 0

    def take(name, *shape):
        nonlocal p
        n = int(np.prod(shape))
        w[name] = f[p:p + n].reshape(shape).copy()
        p += n

    if version == 0:
        take("tok_emb", V, dim); take("rms_att", L, dim); take("wq", L, dim, dim)
        take("wk", L, kv, dim); take("wv", L, kv, dim); take("wo", L, dim, dim)
        take("rms_ffn", L, dim); take("w1", L, hidden, dim); take("w2", L, dim, hidden)
        take("w3", L, hidden, dim); take("rms_final", dim)
        p += S * hs  # the two RoPE tables
    else:
        take("rms_att", L, dim); take("rms_ffn", L, dim); take("rms_final", dim)
        take("tok_emb", V, dim); take("wq", L, dim, dim); take("wk", L, kv, dim)
        take("wv", L, kv, dim); take("wo", L, dim, dim); take("w1", L, hidden, dim)
        take("w2", L, dim, hidden); take("w3", L, hidden, dim)
    w["wcls"] = w["tok_emb"] if shared else f[p:p + V * dim].reshape(V, dim).copy()
    return cfg, w


def write_l2c_v0(path, cfg, w):
    """Version 0, as run.c reads it (RoPE tables written as zeros: unused)."""
    V = cfg["V"] if cfg["shared"] else -cfg["V"]
    with open(path, "wb") as f:
        f.write(struct.pack("<7i", cfg["dim"], cfg["hidden"], cfg["L"], cfg["nh"], cfg["nkv"], V, cfg["S"]))
        for k in ("tok_emb", "rms_att", "wq", "wk", "wv", "wo", "rms_ffn", "w1", "w2", "w3", "rms_final"):
            f.write(w[k].astype("<f4").tobytes())
        f.write(np.zeros(cfg["S"] * cfg["hs"], "<f4").tobytes())
        if not cfg["shared"]:
            f.write(w["wcls"].astype("<f4").tobytes())


# ---- storage types -------------------------------------------------------

def bf16_bits(x):
    """float32 -> bf16 bits, round to nearest even (NaN kept quiet)."""
    u = np.ascontiguousarray(x, np.float32).view(np.uint32).astype(np.uint64)
    r = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    nan = np.isnan(x)
    r[nan] = ((u[nan] >> 16) | 0x40).astype(np.uint16)
    return r


def q8_0(x):
    """ggml's quantize_row_q8_0_ref: blocks of 32, d = amax/127 (stored as
    F16), q = roundf(x / d) (half away from zero). Returns (bytes, the
    dequantized float32 values: F16(d) * q in float32, as ggml computes)."""
    x = np.ascontiguousarray(x, np.float32).reshape(-1, 32)
    amax = np.abs(x).max(axis=1)
    d = (amax / np.float32(127)).astype(np.float32)
    idn = np.where(d != 0, np.float32(1) / np.where(d != 0, d, 1), 0).astype(np.float32)
    v = (x * idn[:, None]).astype(np.float32)
    q = np.trunc(v + np.copysign(np.float32(0.5), v)).astype(np.int8)
    d16 = d.astype(np.float16)
    blocks = np.zeros((x.shape[0], 34), np.uint8)
    blocks[:, 0:2] = d16.view(np.uint8).reshape(-1, 2)
    blocks[:, 2:] = q.view(np.uint8)
    deq = (d16.astype(np.float32)[:, None] * q.astype(np.float32)).astype(np.float32)
    return blocks.tobytes(), deq.reshape(-1)


def encode(x, dtype):
    """(bytes as stored, the float32 values the reader gets back)."""
    x = np.ascontiguousarray(x, np.float32)
    if dtype == "F32":
        return x.astype("<f4").tobytes(), x
    if dtype == "F16":
        h = x.astype(np.float16)
        return h.astype("<f2").tobytes(), h.astype(np.float32)
    if dtype == "BF16":
        b = bf16_bits(x)
        return b.astype("<u2").tobytes(), (b.astype(np.uint32) << 16).view(np.float32).reshape(x.shape)
    if dtype == "Q8_0":
        raw, deq = q8_0(x)
        return raw, deq.reshape(x.shape)
    if dtype in kquants.BYTES:
        raw, deq = kquants.quantize(x, dtype)
        return raw, deq.reshape(x.shape)
    raise SystemExit("unknown dtype " + dtype)


def hf_permute(w, heads):
    """llama2.c (interleaved pairs) -> HF (rotate_half) row order."""
    rows, cols = w.shape
    return w.reshape(heads, rows // heads // 2, 2, cols).transpose(0, 2, 1, 3).reshape(rows, cols)


# ---- safetensors ---------------------------------------------------------

def write_safetensors_file(path, tensors, dtype):
    """One safetensors file of (name, shape, bytes) tensors, its header
    padded with spaces to 8 bytes."""
    header, off = {"__metadata__": {"format": "pt"}}, 0
    for name, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [off, off + len(data)]}
        off += len(data)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for _, _, data in tensors:
            f.write(data)


def write_safetensors(folder, cfg, w, dtype, shards=1, rope_theta=10000.0, rms_eps=1e-5):
    import os
    os.makedirs(folder, exist_ok=True)
    tensors, seen = [], {}

    def add(name, x, key=None, index=None):
        data, back = encode(x, dtype)
        tensors.append((name, x.shape, data))
        if key is not None:
            seen.setdefault(key, {})[index] = back

    add("model.embed_tokens.weight", w["tok_emb"], "tok_emb", 0)
    for l in range(cfg["L"]):
        p = "model.layers.%d." % l
        add(p + "input_layernorm.weight", w["rms_att"][l], "rms_att", l)
        q = hf_permute(w["wq"][l], cfg["nh"])
        k = hf_permute(w["wk"][l], cfg["nkv"])
        data, back = encode(q, dtype); tensors.append((p + "self_attn.q_proj.weight", q.shape, data))
        seen.setdefault("wq", {})[l] = encode(w["wq"][l], dtype)[1]   # rounding commutes with the row permutation
        data, back = encode(k, dtype); tensors.append((p + "self_attn.k_proj.weight", k.shape, data))
        seen.setdefault("wk", {})[l] = encode(w["wk"][l], dtype)[1]
        add(p + "self_attn.v_proj.weight", w["wv"][l], "wv", l)
        add(p + "self_attn.o_proj.weight", w["wo"][l], "wo", l)
        add(p + "post_attention_layernorm.weight", w["rms_ffn"][l], "rms_ffn", l)
        add(p + "mlp.gate_proj.weight", w["w1"][l], "w1", l)
        add(p + "mlp.up_proj.weight", w["w3"][l], "w3", l)
        add(p + "mlp.down_proj.weight", w["w2"][l], "w2", l)
    add("model.norm.weight", w["rms_final"], "rms_final", 0)
    if not cfg["shared"]:
        add("lm_head.weight", w["wcls"], "wcls", 0)
    if shards == 1:
        write_safetensors_file(folder + "/model.safetensors", tensors, dtype)
    else:
        # as save_pretrained shards: consecutive tensors, model-0000K-of-0000N
        # files, and an index mapping each tensor to its file
        parts = np.array_split(np.arange(len(tensors)), shards)
        wmap = {}
        for k, idx in enumerate(parts):
            name = "model-%05d-of-%05d.safetensors" % (k + 1, shards)
            write_safetensors_file(folder + "/" + name, [tensors[i] for i in idx], dtype)
            wmap.update({tensors[i][0]: name for i in idx})
        index = {"metadata": {"total_size": sum(len(t[2]) for t in tensors)}, "weight_map": wmap}
        json.dump(index, open(folder + "/model.safetensors.index.json", "w"), indent=2)
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": cfg["dim"],
              "intermediate_size": cfg["hidden"], "num_hidden_layers": cfg["L"], "num_attention_heads": cfg["nh"],
              "num_key_value_heads": cfg["nkv"], "vocab_size": cfg["V"], "max_position_embeddings": cfg["S"],
              "rms_norm_eps": rms_eps, "rope_theta": rope_theta, "hidden_act": "silu",
              "tie_word_embeddings": cfg["shared"], "torch_dtype": {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[dtype]}
    json.dump(config, open(folder + "/config.json", "w"), indent=2)
    return back_weights(cfg, w, seen)


def back_weights(cfg, w, seen):
    out = {}
    for k, per in seen.items():
        out[k] = np.stack([per[i] for i in sorted(per)]) if k not in ("tok_emb", "rms_final", "wcls") else per[0]
    if cfg["shared"]:
        out["wcls"] = out["tok_emb"]
    return out


# ---- GGUF ----------------------------------------------------------------

GG_TYPES = dict({"F32": 0, "F16": 1, "Q8_0": 8, "BF16": 30}, **kquants.GG_TYPE)
MIXED_K = ["Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"]


def gstr(s):
    b = s if isinstance(s, bytes) else s.encode()
    return struct.pack("<Q", len(b)) + b


def kv(key, vtype, value):
    out = gstr(key) + struct.pack("<I", vtype)
    if vtype == 8:
        return out + gstr(value)
    if vtype == 4:
        return out + struct.pack("<I", value)
    if vtype == 6:
        return out + struct.pack("<f", value)
    raise ValueError(vtype)


def kv_array(key, sub, values):
    out = gstr(key) + struct.pack("<IIQ", 9, sub, len(values))
    for v in values:
        out += gstr(v) if sub == 8 else struct.pack({6: "<f", 5: "<i"}[sub], v)
    return out


def read_tokenizer(path, V):
    b = open(path, "rb").read()
    p, toks, scores = 4, [], []
    for _ in range(V):
        s, n = struct.unpack_from("<fi", b, p)
        p += 8
        toks.append(b[p:p + n]); scores.append(s)
        p += n
    return toks, scores


def write_gguf(path, cfg, w, dtype, tokenizer, rope_theta=10000.0, rms_eps=1e-5, extra=(), strict=False):
    meta = [kv("general.architecture", 8, "llama"), kv("general.name", 8, "converted by tests/support/convert_model.py"),
            kv("llama.context_length", 4, cfg["S"]), kv("llama.embedding_length", 4, cfg["dim"]),
            kv("llama.block_count", 4, cfg["L"]), kv("llama.feed_forward_length", 4, cfg["hidden"]),
            kv("llama.attention.head_count", 4, cfg["nh"]), kv("llama.attention.head_count_kv", 4, cfg["nkv"]),
            kv("llama.attention.layer_norm_rms_epsilon", 6, rms_eps), kv("llama.rope.freq_base", 6, rope_theta),
            kv("general.alignment", 4, 32)]
    meta += [kv(k, 8, v) for k, v in extra]
    if tokenizer:
        toks, scores = read_tokenizer(tokenizer, cfg["V"])
        meta += [kv("tokenizer.ggml.model", 8, "llama"),
                 kv_array("tokenizer.ggml.tokens", 8, [t.replace(b" ", "\u2581".encode()) for t in toks]),
                 kv_array("tokenizer.ggml.scores", 6, scores),
                 kv_array("tokenizer.ggml.token_type", 5, [1] * len(toks))]
    tensors, seen = [], {}

    def add(name, x, key, index):
        t = dtype if x.ndim == 2 else "F32"   # llama.cpp keeps the norms in F32
        if t == "MIXED_K":   # every K-quant in turn, matrix by matrix
            t = MIXED_K[len(tensors) % len(MIXED_K)]
        # rows that are not whole blocks: llama.cpp falls back to another
        # type too (unless --strict: then the reader's refusal is the test)
        if not strict and t in kquants.BYTES and x.shape[-1] % 256:
            t = "Q8_0"
        if not strict and t == "Q8_0" and x.shape[-1] % 32:
            t = "F16"
        data, back = encode(x, t)
        tensors.append((name, x.shape, GG_TYPES[t], data))
        seen.setdefault(key, {})[index] = back

    add("token_embd.weight", w["tok_emb"], "tok_emb", 0)
    add("output_norm.weight", w["rms_final"], "rms_final", 0)
    if not cfg["shared"]:
        add("output.weight", w["wcls"], "wcls", 0)
    for l in range(cfg["L"]):
        p = "blk.%d." % l
        for part, key in (("attn_norm", "rms_att"), ("attn_q", "wq"), ("attn_k", "wk"), ("attn_v", "wv"),
                          ("attn_output", "wo"), ("ffn_norm", "rms_ffn"), ("ffn_gate", "w1"), ("ffn_up", "w3"),
                          ("ffn_down", "w2")):
            add(p + part + ".weight", w[key][l], key, l)
    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(meta)) + b"".join(meta)
    infos, off = b"", 0
    for name, shape, t, data in tensors:
        infos += gstr(name) + struct.pack("<I", len(shape)) + b"".join(struct.pack("<Q", d) for d in reversed(shape))
        infos += struct.pack("<IQ", t, off)
        off += len(data) + (-len(data) % 32)
    out = head + infos
    out += b"\0" * (-len(out) % 32)
    with open(path, "wb") as f:
        f.write(out)
        for _, _, _, data in tensors:
            f.write(data + b"\0" * (-len(data) % 32))
    return back_weights(cfg, w, seen)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("--safetensors")
    ap.add_argument("--gguf")
    ap.add_argument("--dtype", default="F32")
    ap.add_argument("--tokenizer")
    ap.add_argument("--ref")
    ap.add_argument("--shards", type=int, default=1)
    ap.add_argument("--rope-theta", type=float, default=10000.0)
    ap.add_argument("--rms-eps", type=float, default=1e-5)
    ap.add_argument("--strict", action="store_true", help="GGUF: no fallback type for rows that are not whole blocks")
    ap.add_argument("--meta", action="append", default=[], metavar="KEY=STRING",
                    help="GGUF: one more string key (a refusal's test)")
    a = ap.parse_args()
    cfg, w = read_l2c(a.model)
    if a.safetensors:
        back = write_safetensors(a.safetensors, cfg, w, a.dtype, a.shards, a.rope_theta, a.rms_eps)
    elif a.gguf:
        back = write_gguf(a.gguf, cfg, w, a.dtype, a.tokenizer, a.rope_theta, a.rms_eps,
                          [m.split("=", 1) for m in a.meta], a.strict)
    else:
        sys.exit("give --safetensors DIR or --gguf FILE")
    if a.ref:
        write_l2c_v0(a.ref, cfg, back)


if __name__ == "__main__":
    main()
