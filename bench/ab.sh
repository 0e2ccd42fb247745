#!/usr/bin/env bash
# bench/ab.sh -- two builds of swiglu side by side: `bench act` and `bench ffn`
# of an OLD and a NEW binary, alternated round by round (old, new, new, old,
# ...) so drifting load on a shared machine falls on both; per row the median
# over rounds of each binary's time and the ratio new/old of those medians.
#
#   bash bench/ab.sh OLD_BINARY NEW_BINARY [--rounds N] [--threads N] [--json]
#
# The rows: the SwiGLU forward and backward kernels of the widest ISA (64K
# floats, in L2, and 16M, out of cache; `bench act --swiglu-only`) and the
# FFN layer's forward and forward+backward at shape 0 (T, D, H = 512, 512,
# 1376) for swiglu, relu and gelu in fp32 and bf16 on oneDNN (`bench ffn`).
# A ratio within the rows' own round-to-round spread (printed) is noise.
# --json writes one document to stdout (and the table to stderr).
set -euo pipefail
usage() { echo "usage: bash bench/ab.sh OLD_BINARY NEW_BINARY [--rounds N] [--threads N] [--json]" >&2; exit 2; }
[ $# -ge 2 ] || usage
old=$1 new=$2; shift 2
rounds=5 threads=1 json=0
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) rounds=${2:?}; shift 2 ;;
        --threads) threads=${2:?}; shift 2 ;;
        --json) json=1; shift ;;
        *) usage ;;
    esac
done
for b in "$old" "$new"; do
    [ -x "$b" ] || { echo "bench/ab.sh: $b: not an executable" >&2; exit 2; }
done
case $rounds in ''|*[!0-9]*|0) echo "bench/ab.sh: --rounds takes a positive integer" >&2; exit 2 ;; esac
py=/usr/bin/python3
[ -x "$py" ] || py=python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# oneDNN's GEMMs in both (a binary from before our own engine has no --engine)
engine_flag() { if "$1" bench ffn --help 2>&1 | grep -q -- --engine; then echo "--engine onednn"; fi; }
declare -A eng=([old]="$(engine_flag "$old")" [new]="$(engine_flag "$new")")

one_round() {  # $1 = tag (old|new), $2 = binary, $3 = round
    OMP_NUM_THREADS=$threads "$2" bench act --swiglu-only --isa best --threads "$threads" \
        --sizes 64K,16M --reps 5 --json >"$tmp/act.$1.$3.json"
    for dt in f32 bf16; do
        OMP_NUM_THREADS=$threads "$2" bench ffn --shape 0 --dtype "$dt" ${eng[$1]} \
            --threads "$threads" --reps 3 --json >"$tmp/ffn.$dt.$1.$3.json"
    done
}
for r in $(seq 1 "$rounds"); do
    echo "bench/ab.sh: round $r of $rounds" >&2
    if [ $((r % 2)) -eq 1 ]; then one_round old "$old" "$r"; one_round new "$new" "$r"
    else one_round new "$new" "$r"; one_round old "$old" "$r"; fi
done

"$py" - "$tmp" "$rounds" "$json" "$old" "$new" "$threads" <<'EOF'
import glob, json, os, statistics, sys
tmp, rounds, as_json, old, new, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", *sys.argv[4:]
rows = {}   # key -> {"old": [s...], "new": [s...]}
def add(key, tag, s):
    rows.setdefault(key, {"old": [], "new": []})[tag].append(s)
for tag in ("old", "new"):
    for f in glob.glob(os.path.join(tmp, f"act.{tag}.*.json")):
        for r in json.load(open(f))["rows"]:
            if r["kind"] in ("glu_fwd", "glu_bwd", "glu_bwd_acc"):
                add(f'act {r["kind"]} {r["op"]} {r["isa"]} n={r["n"]}', tag, r["s_median"])
    for f in glob.glob(os.path.join(tmp, f"ffn.*.{tag}.*.json")):
        for r in json.load(open(f))["rows"]:
            add(f'ffn {r["variant"]} {r["dtype"]} {r["pass"]}', tag, r["ms"] * 1e-3)
out = []
for key in sorted(rows):
    o, n = rows[key]["old"], rows[key]["new"]
    if not o or not n:
        continue
    mo, mn = statistics.median(o), statistics.median(n)
    # the spread: the old binary's own largest/smallest over rounds
    out.append({"row": key, "old_s": mo, "new_s": mn, "new_over_old": mn / mo,
                "old_spread": max(o) / min(o), "rounds": len(o)})
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
doc = {"bench": "ab", "cpu": cpu, "threads": int(threads), "rounds": rounds, "old": old, "new": new,
       "loadavg": open("/proc/loadavg").read().split()[:3], "rows": out}
table = sys.stderr if as_json else sys.stdout
print(f"{cpu}, {threads} thread(s), {rounds} rounds, load {' '.join(doc['loadavg'])}", file=table)
print(f"{'row':44s} {'old ms':>10s} {'new ms':>10s} {'new/old':>8s} {'old spread':>10s}", file=table)
for r in out:
    print(f'{r["row"]:44s} {r["old_s"]*1e3:10.4f} {r["new_s"]*1e3:10.4f} {r["new_over_old"]:8.3f} {r["old_spread"]:10.2f}', file=table)
if out:
    g = statistics.median(r["new_over_old"] for r in out)
    print(f"median new/old over {len(out)} rows: {g:.3f}", file=table)
    doc["median_new_over_old"] = g
if as_json:
    print(json.dumps(doc, indent=1))
EOF
