#!/usr/bin/env bash
# test_formats.sh -- `generate` and `inspect` on GGUF and Hugging Face
# safetensors models (io/gguf.c, io/safetensors.c, io/model_file.c).
# tests/support/convert_model.py (numpy, no network) writes stories260K as
# safetensors + config.json (F32, F16, BF16) and as GGUF (F32, F16, BF16,
# Q8_0), each with a llama2.c reference file holding the weights exactly as
# the conversion leaves them (rounded or quantized); then:
#  - F32: the 200 greedy ids of the .bin itself (tests/test_llama2c.c's
#    golden ids) and the same gate statistics from inspect;
#  - F16, BF16, Q8_0: the same 200 ids as their reference, bit for bit
#    (what the rounding does to the model is the rounding's, not the
#    reader's); each rounding changes the ids somewhere, so the test would
#    see a reader that ignored the stored type;
#  - a tokenizer carried by a GGUF file: the same text as the .bin with
#    its tokenizer.bin, for a prompt and for inspect --data;
#  - Hugging Face's tokenizer.json (Llama 2's, written from
#    llama2-tokenizer.bin as HF's converter does): the known encodings of
#    models/README.md, by --tokenizer and from a safetensors folder;
#  - export --safetensors: HF's layout, read back to the same text;
#  - refusals: one line, exit 2, naming the key or tensor.
# Skipped (counted) without ../shared/models or numpy.
set -u
cd "$(dirname "$0")/.."
. tests/support/cli_test.bash   # O, SW, pass/fail/skip, expect, must, skip, finish
PY=/usr/bin/python3
CONV=tests/support/convert_model.py
M=""
for d in "${SWIGLU_SHARED:-}" ../shared ../../shared; do
    [ -n "$d" ] && [ -f "$d/models/stories260K.bin" ] && { M=$d/models/stories260K.bin; break; }
done
if [ -z "$M" ]; then skip "../shared/models not found: GGUF and safetensors on stories260K"; finish test_formats; exit; fi
if ! "$PY" -c "import numpy" 2>/dev/null; then skip "numpy not found (scripts/deps.sh installs python3-numpy)"; finish test_formats; exit; fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ids() { "$SW" generate --model "$1" --ids -t 0 -n 200 2>/dev/null; }
# refuse NEEDLE COMMAND...: exit 2 and one line of stderr that holds NEEDLE (a grep pattern)
refuse() {  # needle, command...
    local needle=$1; shift
    local o rc
    o=$("$@" 2>&1 >/dev/null); rc=$?
    local ok=0
    [ "$rc" -eq 2 ] && [ "$(printf '%s\n' "$o" | wc -l)" -eq 1 ] && grep -q -- "$needle" <<<"$o" && ok=1
    expect "'$needle' ($rc): '$o'" [ $ok -eq 1 ]
}
golden=$(ids "$M")
expect "the .bin's greedy ids start as tests/test_llama2c.c's" [ "${golden:0:42}" = "1 461 461 401 401 401 461 378 455 473 456 " ]

# --- F32: the .bin's ids and inspect's statistics ---
must "convert to safetensors F32" "$PY" "$CONV" "$M" --safetensors "$tmp/st_F32" --dtype F32
must "convert to GGUF F32" "$PY" "$CONV" "$M" --gguf "$tmp/g_F32.gguf" --dtype F32
expect "safetensors F32 (the folder): the .bin's 200 greedy ids" [ "$(ids "$tmp/st_F32")" = "$golden" ]
expect "safetensors F32 (the file, config.json beside it): the same" [ "$(ids "$tmp/st_F32/model.safetensors")" = "$golden" ]
expect "GGUF F32: the .bin's 200 greedy ids" [ "$(ids "$tmp/g_F32.gguf")" = "$golden" ]
must "inspect the .bin" "$SW" inspect --model "$M" -n 256; a=$(tail -n +2 <<<"$out")
must "inspect GGUF F32" "$SW" inspect --model "$tmp/g_F32.gguf" -n 256; b=$(tail -n +2 <<<"$out")
must "inspect safetensors F32" "$SW" inspect --model "$tmp/st_F32" -n 256; c=$(tail -n +2 <<<"$out")
expect "inspect: the same gate statistics from GGUF" [ -n "$a" -a "$a" = "$b" ]
expect "inspect: the same gate statistics from safetensors" [ -n "$a" -a "$a" = "$c" ]

# --- sharded safetensors: model.safetensors.index.json + model-0000K-of-0000N ---
for n in 2 3; do
    must "convert to $n safetensors shards" "$PY" "$CONV" "$M" --safetensors "$tmp/sh$n" --dtype F32 --shards $n
    expect "$n shards: no model.safetensors, $n shard files" [ ! -e "$tmp/sh$n/model.safetensors" -a "$(ls "$tmp/sh$n" | grep -c -- "-of-0000$n.safetensors")" -eq $n ]
    expect "$n shards: the .bin's 200 greedy ids" [ "$(ids "$tmp/sh$n")" = "$golden" ]
done
must "inspect 3 shards" "$SW" inspect --model "$tmp/sh3" -n 256; c=$(tail -n +2 <<<"$out")
expect "inspect: the same gate statistics from 3 shards" [ -n "$a" -a "$a" = "$c" ]
must "convert to 3 BF16 shards" "$PY" "$CONV" "$M" --safetensors "$tmp/sh3b" --dtype BF16 --shards 3 --ref "$tmp/sh3b.ref.bin"
got=$(ids "$tmp/sh3b"); want=$(ids "$tmp/sh3b.ref.bin")
expect "3 BF16 shards: the ids of the .bin rounded to BF16" [ -n "$got" -a "$got" = "$want" -a "$got" != "$golden" ]
# broken shard sets, each refused in one line naming the shard or tensor
shard_case() {  # name, python editing the folder's files (argv[1] the folder)
    rm -rf "${tmp:?}/$1"; cp -r "$tmp/sh3" "$tmp/$1"
    "$PY" - "$tmp/$1" <<<"$2"
}
shard_case sh_missing 'import os, sys; os.remove(sys.argv[1] + "/model-00002-of-00003.safetensors")'
shard_case sh_nomap 'import json, sys
p = sys.argv[1] + "/model.safetensors.index.json"; d = json.load(open(p))
del d["weight_map"]["model.layers.2.mlp.up_proj.weight"]; json.dump(d, open(p, "w"))'
shard_case sh_dupkey 'import sys
p = sys.argv[1] + "/model.safetensors.index.json"; t = open(p).read()
t = t.replace("\"weight_map\": {", "\"weight_map\": {\"model.norm.weight\": \"model-00003-of-00003.safetensors\",", 1)
open(p, "w").write(t)'
shard_case sh_twice 'import json, struct, sys
d = sys.argv[1]
def rd(p):
    b = open(p, "rb").read(); n = struct.unpack_from("<Q", b)[0]; h = json.loads(b[8:8 + n]); return h, b[8 + n:]
h1, d1 = rd(d + "/model-00001-of-00003.safetensors"); h3, d3 = rd(d + "/model-00003-of-00003.safetensors")
t = h1["model.embed_tokens.weight"]; a, e = t["data_offsets"]
h3["model.embed_tokens.weight"] = dict(t, data_offsets=[len(d3), len(d3) + e - a])
h = json.dumps(h3).encode(); h += b" " * (-len(h) % 8)
open(d + "/model-00003-of-00003.safetensors", "wb").write(struct.pack("<Q", len(h)) + h + d3 + d1[a:e])'
shard_case sh_dotdot 'import json, sys
p = sys.argv[1] + "/model.safetensors.index.json"; d = json.load(open(p))
d["weight_map"]["model.norm.weight"] = "../sh3/model-00003-of-00003.safetensors"; json.dump(d, open(p, "w"))'
shard_case sh_abs 'import json, sys
p = sys.argv[1] + "/model.safetensors.index.json"; d = json.load(open(p))
d["weight_map"]["model.norm.weight"] = sys.argv[1] + "/model-00003-of-00003.safetensors"; json.dump(d, open(p, "w"))'
shard_case sh_trunc 'import os, sys
p = sys.argv[1] + "/model-00003-of-00003.safetensors"; os.truncate(p, os.path.getsize(p) - 4)'
refuse "shard model-00002-of-00003.safetensors (named by model.safetensors.index.json): .*No such file" "$SW" generate --model "$tmp/sh_missing" --ids -n 3
refuse "tensor model.layers.2.mlp.up_proj.weight is in no shard" "$SW" generate --model "$tmp/sh_nomap" --ids -n 3
refuse "tensor model.norm.weight is named 2 times in the weight_map" "$SW" generate --model "$tmp/sh_dupkey" --ids -n 3
refuse "tensor model.embed_tokens.weight is in model-00003-of-00003.safetensors, but the index puts it in model-00001-of-00003" \
    "$SW" generate --model "$tmp/sh_twice" --ids -n 3
refuse "shard '../sh3/model-00003-of-00003.safetensors' (of tensor model.norm.weight) is not a plain file name" "$SW" generate --model "$tmp/sh_dotdot" --ids -n 3
refuse "shard '/.*' (of tensor model.norm.weight) is not a plain file name" "$SW" generate --model "$tmp/sh_abs" --ids -n 3
refuse "data_offsets are not \[begin, end\] within the .* data bytes of model-00003-of-00003.safetensors" "$SW" generate --model "$tmp/sh_trunc" --ids -n 3

# --- RoPE base and RMSNorm epsilon from the file (Llama 3's 500000, 1e-6) ---
# the ids of tests/support/llama_ref.py, numpy's float64 forward written
# from the architecture, on the same weights with the same theta and eps
must "reference: theta 10000, eps 1e-5 (llama_ref.py)" "$PY" tests/support/llama_ref.py "$M" 200
expect "llama_ref.py reproduces the .bin's 200 greedy ids (the reference is sound)" [ "$out" = "$golden" ]
must "reference: theta 500000, eps 1e-6" "$PY" tests/support/llama_ref.py "$M" 200 --rope-theta 500000 --rms-eps 1e-6; want=$out
must "convert to safetensors, rope_theta 500000, rms_norm_eps 1e-6" "$PY" "$CONV" "$M" --safetensors "$tmp/st_l3" --rope-theta 500000 --rms-eps 1e-6
must "convert to GGUF, freq_base 500000, epsilon 1e-6" "$PY" "$CONV" "$M" --gguf "$tmp/g_l3.gguf" --rope-theta 500000 --rms-eps 1e-6
got=$(ids "$tmp/st_l3")
expect "safetensors theta 500000 / eps 1e-6: the reference's 200 ids" [ -n "$got" -a "$got" = "$want" ]
expect "they differ from theta 10000's (the base was used)" [ "$got" != "$golden" ]
expect "GGUF theta 500000 / eps 1e-6: the same ids" [ "$(ids "$tmp/g_l3.gguf")" = "$want" ]
# eps 1e-6 moves no greedy id of this model; 1e-3 does, so the epsilon is seen to be read
must "reference: eps 1e-3" "$PY" tests/support/llama_ref.py "$M" 200 --rms-eps 1e-3; want=$out
must "convert to GGUF, epsilon 1e-3" "$PY" "$CONV" "$M" --gguf "$tmp/g_e3.gguf" --rms-eps 1e-3
got=$(ids "$tmp/g_e3.gguf")
expect "GGUF eps 1e-3: the reference's ids, not eps 1e-5's" [ -n "$got" -a "$got" = "$want" -a "$got" != "$golden" ]

# --- rounded and quantized types: the ids of their reference ---
for d in F16 BF16; do
    must "convert to safetensors $d" "$PY" "$CONV" "$M" --safetensors "$tmp/st_$d" --dtype "$d" --ref "$tmp/st_$d.ref.bin"
    got=$(ids "$tmp/st_$d"); want=$(ids "$tmp/st_$d.ref.bin")
    expect "safetensors $d: the ids of the .bin rounded to $d" [ -n "$got" -a "$got" = "$want" ]
done
for d in F16 BF16 Q8_0; do
    must "convert to GGUF $d" "$PY" "$CONV" "$M" --gguf "$tmp/g_$d.gguf" --dtype "$d" --ref "$tmp/g_$d.ref.bin"
    got=$(ids "$tmp/g_$d.gguf"); want=$(ids "$tmp/g_$d.ref.bin")
    expect "GGUF $d: the ids of the .bin as $d leaves it" [ -n "$got" -a "$got" = "$want" ]
    expect "GGUF $d: rounding moved some id (the stored type was read)" [ "$got" != "$golden" ]
done

# --- GGUF K-quants: rows of whole 256-value super-blocks, so a random model
# with D 256, H 512 (stories260K's 64 and 172 are not), matrices scaled by
# 1/sqrt(fan-in) so that the logits are not saturated ---
"$PY" - "$tmp/r256.bin" <<'PY'
import struct, sys
import numpy as np
V, D, L, H, nh, nkv, S = 512, 256, 2, 512, 4, 2, 256
kv = nkv * D // nh
rng = np.random.default_rng(7)
mat = lambda r, c: rng.standard_normal((r, c)) / np.sqrt(c)
parts = [rng.standard_normal((V, D)), 1 + 0.1 * rng.standard_normal((L, D))]
parts += [np.stack([mat(D, D) for _ in range(L)]), np.stack([mat(kv, D) for _ in range(L)]),
          np.stack([mat(kv, D) for _ in range(L)]), np.stack([mat(D, D) for _ in range(L)]),
          1 + 0.1 * rng.standard_normal((L, D)), np.stack([mat(H, D) for _ in range(L)]),
          np.stack([mat(D, H) for _ in range(L)]), np.stack([mat(H, D) for _ in range(L)]),
          1 + 0.1 * rng.standard_normal(D), np.zeros(S * D // nh), mat(V, D)]
with open(sys.argv[1], "wb") as f:   # -V: an untied classifier (tied, a random model repeats its input)
    f.write(struct.pack("<7i", D, H, L, nh, nkv, -V, S))
    for p in parts:
        f.write(p.astype("<f4").tobytes())
PY
must "convert the D-256 model to GGUF F32" "$PY" "$CONV" "$tmp/r256.bin" --gguf "$tmp/r256_F32.gguf"
r256=$(ids "$tmp/r256.bin")
expect "GGUF F32 of the D-256 model: its ids" [ -n "$r256" -a "$(ids "$tmp/r256_F32.gguf")" = "$r256" ]
for d in Q2_K Q3_K Q4_K Q5_K Q6_K MIXED_K; do
    must "convert to GGUF $d" "$PY" "$CONV" "$tmp/r256.bin" --gguf "$tmp/k_$d.gguf" --dtype "$d" --ref "$tmp/k_$d.ref.bin"
    got=$(ids "$tmp/k_$d.gguf"); want=$(ids "$tmp/k_$d.ref.bin")
    expect "GGUF $d: the ids of the .bin holding numpy's dequantized weights" [ -n "$got" -a "$got" = "$want" ]
    expect "GGUF $d: quantization moved some id (the blocks were decoded)" [ "$got" != "$r256" ]
done
must "GGUF Q4_K of stories260K, no fallback type" "$PY" "$CONV" "$M" --gguf "$tmp/q4k_64.gguf" --dtype Q4_K --strict
refuse "GGUF tensor token_embd.weight: Q4_K rows of 64 values, not a multiple of its 256-value blocks" "$SW" generate --model "$tmp/q4k_64.gguf" --ids -n 3
head -c 300000 "$tmp/k_Q6_K.gguf" >"$tmp/k_short.gguf"
refuse "GGUF tensor .*: [0-9]* bytes at offset [0-9]* run past the end of the file" "$SW" generate --model "$tmp/k_short.gguf" --ids -n 3

# --- a tokenizer inside a GGUF file (a character model of ours) ---
for i in $(seq 400); do printf 'the cat and the hat sat on a mat.\n'; done >"$tmp/text.txt"
must "train a character model" "$SW" train --data "$tmp/text.txt" --tokens char --dim 32 --layers 1 --heads 2 --context 32 \
    --steps 30 --batch 4 --threads 1 --quiet --ckpt "$tmp/c.ckpt"
must "export it" "$SW" export --ckpt "$tmp/c.ckpt" --llama2c "$tmp/c.bin"
must "convert it to GGUF with its tokenizer" "$PY" "$CONV" "$tmp/c.bin" --gguf "$tmp/c.gguf" --dtype F32 --tokenizer "$tmp/c.tokenizer.bin"
must "generate from the .bin" "$SW" generate "$tmp/c.bin" -i "the c" -n 40 -t 0; a=$out
must "generate from the GGUF, its own tokenizer" "$SW" generate "$tmp/c.gguf" -i "the c" -n 40 -t 0; b=$out
expect "GGUF's tokenizer: the same text ('$b')" [ -n "$a" -a "$a" = "$b" ]
must "inspect --data with the GGUF's tokenizer" "$SW" inspect --model "$tmp/c.gguf" --data "$tmp/text.txt" -n 100
expect "inspect --data read the text with it" grep -q "100 tokens of $tmp/text.txt" <<<"$out"

# --- export --safetensors: Hugging Face's layout, read back the same ---
must "export --safetensors" "$SW" export --ckpt "$tmp/c.ckpt" --safetensors "$tmp/c_st"
must "generate from the exported folder (its tokenizer.bin)" "$SW" generate "$tmp/c_st" -i "the c" -n 40 -t 0; b=$out
expect "export --safetensors: the same text as the .bin ('$b')" [ -n "$a" -a "$a" = "$b" ]
must "the converter's safetensors of the .bin" "$PY" "$CONV" "$tmp/c.bin" --safetensors "$tmp/c_conv" --dtype F32
must "every tensor as the converter (HF's names, shapes, q/k order) writes it" "$PY" - "$tmp/c_st/model.safetensors" "$tmp/c_conv/model.safetensors" <<'PY'
import json, struct, sys
import numpy as np
def load(path):
    b = open(path, "rb").read(); n = struct.unpack_from("<Q", b, 0)[0]; h = json.loads(b[8:8 + n])
    h.pop("__metadata__", None)
    return {k: np.frombuffer(b[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]], "<f4").reshape(v["shape"])
            for k, v in h.items()}
a, c = load(sys.argv[1]), load(sys.argv[2])
assert sorted(a) == sorted(c), (sorted(a), sorted(c))
for k in a:
    assert a[k].shape == c[k].shape and np.array_equal(a[k], c[k]), k
PY
refuse_both=$("$SW" export --ckpt "$tmp/c.ckpt" --safetensors "$tmp/x" --llama2c "$tmp/x.bin" 2>&1 >/dev/null); rc=$?
expect "export with both --llama2c and --safetensors refused ($rc)" [ $rc -eq 2 ]

# --- Hugging Face's tokenizer.json (Llama 2's, written from llama2-tokenizer.bin) ---
TOK=$(dirname "$M")/llama2-tokenizer.bin
must "tokenizer.json from llama2-tokenizer.bin" "$PY" tests/support/tokenizer_json.py "$TOK" 32000 "$tmp/tokenizer.json"
# a random model with Llama 2's vocabulary (D 8, 1 layer): only its prompt ids matter here
"$PY" - "$tmp/r32k.bin" <<'PY'
import struct, sys
import numpy as np
V, D, L, H, nh, S = 32000, 8, 1, 16, 2, 64
n = V * D + L * D + 4 * L * D * D + L * D + 3 * L * H * D + D + S * (D // nh)
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<7i", D, H, L, nh, nh, V, S))
    f.write(np.random.default_rng(1).standard_normal(n).astype("<f4").tobytes())
PY
must "the random 32000-token model's safetensors" "$PY" "$CONV" "$tmp/r32k.bin" --safetensors "$tmp/r32k" --dtype F32
cp "$tmp/tokenizer.json" "$tmp/r32k/"
prompt_ids() {  # model, tokenizer (or ""), text: the prompt's ids (generate prints them, then one more)
    local t=()
    [ -n "$2" ] && t=(--tokenizer "$2")
    "$SW" generate --model "$1" "${t[@]}" -i "$3" -n 1 --ids -t 0 2>/dev/null | awk '{ $NF = ""; sub(/ $/, ""); print }'
}
# models/README.md's known encodings of Llama 2's tokenizer
while IFS='|' read -r text want; do
    text=$(printf '%b' "$text")
    a=$(prompt_ids "$tmp/r32k.bin" "$TOK" "$text")
    b=$(prompt_ids "$tmp/r32k.bin" "$tmp/tokenizer.json" "$text")
    c=$(prompt_ids "$tmp/r32k" "" "$text")
    expect "tokenizer.bin: the known encoding of '${text:0:24}...' ($a)" [ "$a" = "$want" ]
    expect "tokenizer.json (--tokenizer): the same ids ($b)" [ "$b" = "$want" ]
    expect "tokenizer.json in the safetensors folder: the same ids ($c)" [ "$c" = "$want" ]
done <<'KNOWN'
I believe the meaning of life is|1 306 4658 278 6593 310 2834 338
Simply put, the theory of relativity states that |1 3439 17632 1925 29892 278 6368 310 14215 537 5922 393 29871
A brief message congratulating the team on the launch:\n\n        Hi everyone,\n\n        I just |1 319 11473 2643 378 629 271 18099 278 3815 373 278 6826 29901 13 13 4706 6324 14332 29892 13 13 4706 306 925 29871
Translate English to French:\n\n        sea otter => loutre de mer\n        peppermint => menthe poivrée\n        plush girafe => girafe peluche\n        cheese =>|1 4103 9632 4223 304 5176 29901 13 13 4706 7205 4932 357 1149 301 449 276 316 2778 13 4706 1236 407 837 524 1149 6042 354 772 440 29878 1318 13 4706 715 1878 330 3055 1725 1149 330 3055 1725 4639 28754 13 4706 923 968 1149
KNOWN
"$PY" - "$tmp/tokenizer.json" "$tmp/uni.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["model"]["type"] = "Unigram"; json.dump(d, open(sys.argv[2], "w"))
PY

# --- refusals: exit 2, one line naming the problem ---
head -c 100 "$tmp/g_F32.gguf" >"$tmp/short.gguf"
refuse "model.type 'Unigram' is not read" "$SW" generate --model "$tmp/r32k.bin" --tokenizer "$tmp/uni.json" -i hi -n 1
refuse "tensor_count = 47 is absurd for a 100-byte file" "$SW" generate --model "$tmp/short.gguf" --ids -n 3
head -c 500000 "$tmp/g_F32.gguf" >"$tmp/half.gguf"
refuse "run past the end of the file" "$SW" generate --model "$tmp/half.gguf" --ids -n 3
"$PY" - "$tmp/g_F32.gguf" "$tmp/v9.gguf" <<'PY'
import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[4] = 9; open(sys.argv[2], "wb").write(b)
PY
refuse "version 9" "$SW" generate --model "$tmp/v9.gguf" --ids -n 3
"$PY" - "$tmp/g_F32.gguf" "$tmp/noffn.gguf" <<'PY'
import sys; b = open(sys.argv[1], "rb").read(); open(sys.argv[2], "wb").write(b.replace(b"blk.3.ffn_up.weight", b"blk.3.ffn_XX.weight"))
PY
refuse "tensor blk.3.ffn_up.weight is missing" "$SW" generate --model "$tmp/noffn.gguf" --ids -n 3
"$PY" - "$tmp/g_F32.gguf" "$tmp/arch.gguf" <<'PY'
import sys; b = open(sys.argv[1], "rb").read(); open(sys.argv[2], "wb").write(b.replace(b"llama", b"gemma", 1))
PY
refuse "not 'llama'" "$SW" generate --model "$tmp/arch.gguf" --ids -n 3
cp -r "$tmp/st_F32" "$tmp/st_scaled"
sed -i 's/"rope_theta": 10000.0/"rope_theta": 500000.0, "rope_scaling": {"rope_type": "llama3", "factor": 8.0}/' "$tmp/st_scaled/config.json"
refuse "config.json: rope_scaling 'llama3' is not supported" "$SW" generate --model "$tmp/st_scaled" --ids -n 3
must "GGUF with llama.rope.scaling.type yarn" "$PY" "$CONV" "$M" --gguf "$tmp/yarn.gguf" --meta llama.rope.scaling.type=yarn
refuse "llama.rope.scaling.type 'yarn' is not supported" "$SW" generate --model "$tmp/yarn.gguf" --ids -n 3
cp -r "$tmp/st_F32" "$tmp/st_eps0"
sed -i 's/"rms_norm_eps": 1e-05/"rms_norm_eps": 0/' "$tmp/st_eps0/config.json"
refuse "config.json: rms_norm_eps is not a number in (0, 1)" "$SW" generate --model "$tmp/st_eps0" --ids -n 3
cp -r "$tmp/st_F32" "$tmp/st_mistral"
sed -i 's/"model_type": "llama"/"model_type": "mistral"/; s/LlamaForCausalLM/MistralForCausalLM/' "$tmp/st_mistral/config.json"
refuse "model_type 'mistral'" "$SW" generate --model "$tmp/st_mistral" --ids -n 3
cp -r "$tmp/st_F32" "$tmp/st_shape"
sed -i 's/"intermediate_size": 172/"intermediate_size": 176/' "$tmp/st_shape/config.json"
refuse "mlp.gate_proj.weight has shape \[172, 64\], config.json implies \[176, 64\]" "$SW" generate --model "$tmp/st_shape" --ids -n 3
mkdir -p "$tmp/noconf" && cp "$tmp/st_F32/model.safetensors" "$tmp/noconf/"
refuse "needs its config.json" "$SW" generate --model "$tmp/noconf/model.safetensors" --ids -n 3
mkdir -p "$tmp/sharded" && echo '{}' >"$tmp/sharded/model.safetensors.index.json"
refuse "model.safetensors.index.json: safetensors index: weight_map is missing" "$SW" generate --model "$tmp/sharded" --ids -n 3
"$PY" - "$tmp/st_F32/model.safetensors" "$tmp/hdr/model.safetensors" <<'PY'
import os, struct, sys
b = bytearray(open(sys.argv[1], "rb").read()); os.makedirs(os.path.dirname(sys.argv[2]), exist_ok=True)
struct.pack_into("<Q", b, 0, 1 << 40); open(sys.argv[2], "wb").write(b)
PY
cp "$tmp/st_F32/config.json" "$tmp/hdr/"
refuse "a header of 1099511627776 bytes" "$SW" generate --model "$tmp/hdr" --ids -n 3
"$PY" - "$tmp/g_F32.gguf" "$tmp/nan.gguf" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
struct.pack_into("<f", b, len(b) - 64, float("nan"))   # in the last tensor (ffn_down of layer 4)
open(sys.argv[2], "wb").write(b)
PY
refuse "GGUF file: 1 non-finite weight" "$SW" generate --model "$tmp/nan.gguf" --ids -n 3

finish test_formats
