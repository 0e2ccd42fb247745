#!/usr/bin/env bash
# test_include_order.sh -- the dependency order of docs/DESIGN.md holds:
# scripts/check_includes.sh finds no #include against it in src/ and tools/;
# and the checker itself catches what it must (an io file including model,
# tools including a private header or core/internal.h, a layer including one above it), run on
# a small tree of its own. Also: libswiglu.so exports only swiglu_* (when
# built and nm is here). Ends with "N passed, N failed, N skipped".
set -u
O=${O:-build}
cd "$(dirname "$0")/.."
pass=0; fail=0; skip=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL include_order: $*"; }

out=$(bash scripts/check_includes.sh 2>&1); rc=$?
if [ $rc -eq 0 ]; then ok; else bad "the tree breaks the order:"; echo "$out"; fi

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/io" "$tmp/src/core" "$tmp/tools"
printf '#include "model/model.h"\n' > "$tmp/src/io/up.c"
printf '#include "kernels/kernels.h"\n' > "$tmp/src/core/up.c"
printf '#include "ffn/ffn_internal.h"\n#include "lab/plan.h"\n' > "$tmp/tools/priv.c"
printf '#include "swiglu.h"\n#include "core/internal.h"\n#include "cli.h"\n' > "$tmp/tools/t.c"
out=$(bash scripts/check_includes.sh "$tmp" 2>&1); rc=$?
for want in 'src/io/up.c:1: .*io may not include model' 'src/core/up.c:1: .*core may not include kernels' \
            'tools/priv.c:1: .*private to src/ffn/' 'tools/t.c:2: .*private to src/$'; do
    if grep -q -- "$want" <<<"$out"; then ok; else bad "the checker misses '$want': $out"; fi
done
if [ $rc -ne 0 ] && grep -q '4 against the order' <<<"$out"; then ok; else bad "rc $rc, expected 4 findings: $out"; fi

if [ -f "$O/libswiglu.so" ] && command -v nm > /dev/null; then
    extra=$(nm -D --defined-only "$O/libswiglu.so" | awk '$2 ~ /^[TDBRVW]$/ && $3 !~ /^swiglu_/ {print $3}' | grep -v '^_' | head -5)
    if [ -z "$extra" ]; then ok; else bad "libswiglu.so exports more than swiglu_*: $extra"; fi
else
    skip=$((skip + 1)); echo "SKIP: no $O/libswiglu.so or no nm"
fi
echo "include_order: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
