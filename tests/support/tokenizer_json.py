#!/usr/bin/env python3
"""tokenizer_json.py -- a llama2.c tokenizer.bin written as Hugging Face's
tokenizer.json (tests/test_formats.sh), the way Hugging Face's
LlamaConverter writes the Llama tokenizer: model.type BPE with
byte_fallback, spaces as U+2581, the vocabulary by id, and the merges from
SentencePieceExtractor's rule: every split (a, b) of every token into two
tokens, ordered by the joined token's score (best first), then by the
pieces' ids. No network, standard library only.

  tokenizer_json.py TOKENIZER.bin VOCAB_SIZE OUT.json
"""
import json
import struct
import sys


def main():
    path, V, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    b = open(path, "rb").read()
    p, toks, scores = 4, [], []
    for _ in range(V):
        s, n = struct.unpack_from("<fi", b, p)
        p += 8
        toks.append(b[p:p + n].decode("utf-8", "replace").replace(" ", "\u2581"))
        scores.append(s)
        p += n
    ids = {t: i for i, t in enumerate(toks)}
    merges = []
    for t, i in ids.items():
        if i < 3 or t.startswith("<0x"):
            continue
        for k in range(1, len(t)):
            a, c = t[:k], t[k:]
            if a in ids and c in ids:
                merges.append((-scores[i], ids[a], ids[c], a, c))
    merges.sort()
    doc = {
        "version": "1.0",
        "added_tokens": [{"id": i, "content": toks[i], "special": True} for i in range(3)],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "\u2581"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
        "pre_tokenizer": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "fuse_unk": True, "byte_fallback": True,
                  "vocab": ids, "merges": [a + " " + c for _, _, _, a, c in merges]},
    }
    json.dump(doc, open(out, "w"), ensure_ascii=False)


if __name__ == "__main__":
    main()
