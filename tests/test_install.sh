#!/usr/bin/env bash
# test_install.sh -- the library as users install it, exactly as README.md
# prints it: the blocks of its "## Use the library" section (app.c, the
# install command, the build commands, the expected output) are extracted
# and run with HOME set to a temporary folder, so that the prefix is
# $tmp/home/.local. Checks: both programs print the expected text; `app`
# runs without LD_LIBRARY_PATH (rpath) and needs libswiglu.so; `app-static`
# needs no libswiglu at all; swiglu.pc and swiglu-static.pc carry the private
# libraries; `make uninstall` removes what install put there.
# Skipped under sanitizers (the installed library would be instrumented).
# Ends with "N passed, N failed".
set -u
. "$(dirname "$0")/support/cli_test.bash"   # O, SW, pass/fail, expect
cd "$(dirname "$0")/.."
if [ -n "${SAN:-}" ]; then echo "test_install: skipped under sanitizers"; echo "test_install: 0 passed, 0 failed"; exit 0; fi
if ! command -v pkg-config > /dev/null; then echo "FAIL: pkg-config missing (scripts/deps.sh installs it)"; echo "test_install: 0 passed, 1 failed"; exit 1; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the fenced blocks of the section, in order, as $tmp/block.N
awk -v dir="$tmp" '
    /^## / { insec = ($0 == "## Use the library") }
    insec && /^```/ { if (inblk) { inblk = 0; close(f) } else { inblk = 1; f = dir "/block." n++ }; next }
    inblk { print > f }
' README.md
expect "README's library section has 4 blocks" [ -s "$tmp/block.3" -a ! -e "$tmp/block.4" ]
mkdir -p "$tmp/home" "$tmp/work"
cp "$tmp/block.0" "$tmp/work/app.c"
expect "block 0 is app.c" grep -q "int main" "$tmp/work/app.c"

# install (in the source folder), as printed; O picks this build's folder
out=$(HOME="$tmp/home" O="$O" bash -e "$tmp/block.1" 2>&1); rc=$?
expect "install block: rc $rc $(tail -n 3 <<<"$out")" [ $rc -eq 0 ]
P=$tmp/home/.local
expect "installed: lib, header, pc files, CLI" [ -f "$P/lib/libswiglu.a" -a -f "$P/include/swiglu.h" -a -f "$P/lib/pkgconfig/swiglu.pc" \
    -a -f "$P/lib/pkgconfig/swiglu-static.pc" -a -x "$P/bin/swiglu" -a -e "$P/lib/libswiglu.so" ]

# build and run, as printed, with no library path in the environment
out=$(cd "$tmp/work" && env -u LD_LIBRARY_PATH HOME="$tmp/home" bash -e "$tmp/block.2" 2>&1); rc=$?
expect "build block: rc $rc: $out" [ $rc -eq 0 ]
want=$(cat "$tmp/block.3")
expect "the output is README's, twice" [ "$out" = "$(printf '%s\n%s' "$want" "$want")" ]
expect "app needs libswiglu.so" grep -q "libswiglu.so" <<<"$(ldd "$tmp/work/app")"
expect "app finds it in the prefix (rpath)" grep -q "$P/lib/libswiglu.so" <<<"$(env -u LD_LIBRARY_PATH ldd "$tmp/work/app")"
expect "app-static needs no libswiglu" [ -z "$(ldd "$tmp/work/app-static" | grep libswiglu)" ]
out=$(env -u LD_LIBRARY_PATH "$tmp/work/app"); rc=$?
expect "app runs without LD_LIBRARY_PATH: rc $rc" [ $rc -eq 0 -a "$out" = "$want" ]
libs=$(PKG_CONFIG_PATH="$P/lib/pkgconfig" pkg-config --static --libs swiglu)
expect "swiglu.pc --static lists the private libraries: $libs" grep -q -- "-lm" <<<"$libs"
expect "the installed CLI runs" "$P/bin/swiglu" --version

# uninstall removes it
make -s O="$O" uninstall PREFIX="$P" > /dev/null 2>&1
expect "uninstall removes the files" [ ! -e "$P/lib/libswiglu.a" -a ! -e "$P/lib/libswiglu.so" -a ! -e "$P/lib/pkgconfig/swiglu.pc" \
    -a ! -e "$P/lib/pkgconfig/swiglu-static.pc" -a ! -e "$P/include/swiglu.h" -a ! -e "$P/bin/swiglu" ]

echo "test_install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
