#!/usr/bin/env bash
# test_ffn_doc.sh -- the C example of docs/FFN.md compiles (-Wall -Wextra
# -Werror, against the static library) and runs: H is LLaMA's rule, and it
# prints finite numbers.
set -u
O=${O:-build}
CC=${CC:-cc}     # SAN: the sanitizer flags the library was built with (make test-asan)
cd "$(dirname "$0")/.."
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sed -n '/<!-- example:begin -->/,/<!-- example:end -->/p' docs/FFN.md | sed '1,2d;$d' | sed '$d' > "$tmp/ex.c"
[ -s "$tmp/ex.c" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL ffn_doc: no example block in docs/FFN.md"; }
libs="-lm -fopenmp"
if echo 'int main(void){return 0;}' | $CC -x c -include dnnl.h - -o /dev/null -ldnnl 2>/dev/null; then libs="$libs -ldnnl"; fi
# shellcheck disable=SC2086
if $CC -std=c11 -Wall -Wextra -Werror -Iinclude "$tmp/ex.c" -o "$tmp/ex" "$O/libswiglu.a" $libs ${SAN:-} 2>"$tmp/err"; then
    pass=$((pass + 1))
    out=$("$tmp/ex" 2>&1); rc=$?
    if [ $rc -eq 0 ] && grep -Eq '^H = 192, y\[0\] = [-0-9.e]+, dx\[0\] = [-0-9.e]+, dW2\[0\] = [-0-9.e]+$' <<<"$out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL ffn_doc: example exit $rc, output: $out"
    fi
else
    fail=$((fail + 1)); echo "FAIL ffn_doc: the example does not compile:"; head -20 "$tmp/err"
fi
echo "ffn_doc: $pass passed, $fail failed, 0 skipped"
[ $fail -eq 0 ]
