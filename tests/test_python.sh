#!/usr/bin/env bash
# test_python.sh -- the Python package (python/): its unittest tests
# (python/tests/test_*.py, by python/tests/run.py) with Debian's
# /usr/bin/python3 against this build's libswiglu.so (SWIGLU_LIB), `import
# swiglu` from python/; then the package installed by `make install-python`
# and by `pip install ./python` (no network) imports and finds the library.
# Without numpy or torch their tests are skipped with a reason (scripts/deps.sh
# installs both). Ends with "test_python: N passed, N failed, N skipped", the
# unittest counts included.
source "$(dirname "$0")/support/cli_test.bash"
cd "$(dirname "$0")/.." || exit 1
PY=${SWIGLU_TEST_PYTHON:-/usr/bin/python3}
if [ ! -x "$PY" ]; then skip "no $PY (scripts/deps.sh installs python3)"; finish test_python; exit; fi
case "$O" in /*) lib=$O/libswiglu.so ;; *) lib=$PWD/$O/libswiglu.so ;; esac
if [ ! -f "$lib" ]; then
    fail=$((fail + 1)); echo "FAIL: $lib missing (make all builds it)"; finish test_python; exit
fi
# Under sanitizers (make test-asan: SAN set, $O/libswiglu.so built with
# -fsanitize=address,undefined) the interpreter is not instrumented, so the
# ASan runtime the library links must be loaded first: LD_PRELOAD of that
# libasan (ldd says which), for the Python runs only (not for make or pip).
# libstdc++ is preloaded after it: ASan resolves its __cxa_throw interceptor
# when it starts, and torch's libstdc++ comes later (dlopen), so without it
# the first C++ exception (torch's autograd relaying a Python exception from
# a backward, as test_ffn's refused second backward does) stops the process
# with "CHECK failed: ... real___cxa_throw". detect_leaks=0: CPython and
# torch keep memory until exit on purpose, and LeakSanitizer would report it
# as the process ends; every other ASan report and every UBSan report (the
# library's code is the instrumented code; Python and torch are not, so
# nothing of theirs can trip UBSan) still ends the run with exit code 86.
# The same checks as on the plain build.
san=()
if [ -n "${SAN:-}" ]; then
    asan=$(ldd "$lib" | awk '/libasan/ {print $3; exit}')
    if [ -z "$asan" ] || [ ! -f "$asan" ]; then
        fail=$((fail + 1)); echo "FAIL: SAN is set but $lib links no ASan runtime (ldd)"; finish test_python; exit
    fi
    cxx=$(ldd "$lib" | awk '/libstdc\+\+/ {print $3; exit}')
    san=(env LD_PRELOAD="$asan ${cxx:-libstdc++.so.6}" ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:exitcode=86${ASAN_OPTIONS:+:$ASAN_OPTIONS}")
    echo "test_python: under ASan + UBSan (LD_PRELOAD=$asan ${cxx:-libstdc++.so.6})"
    # the runtime is live in the interpreter: a heap overflow (ctypes' memmove
    # 104 bytes past a 4 KiB buffer) is reported and ends the process with 86
    "${san[@]}" "$PY" -c 'import ctypes
b = ctypes.create_string_buffer(4096); s = ctypes.create_string_buffer(4096)
ctypes.memmove(ctypes.addressof(b) + 4000, s, 200)' >/dev/null 2>&1
    rc=$?
    expect "ASan is live in the interpreter (exit $rc on a heap overflow, want 86)" test "$rc" -eq 86
fi
# two OpenMP pools may share the process (torch's and ours): idle threads sleep
export OMP_WAIT_POLICY=passive
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

out=$(SWIGLU_LIB=$lib PYTHONDONTWRITEBYTECODE=1 "${san[@]}" "$PY" python/tests/run.py 2>&1); rc=$?
printf '%s\n' "$out"
line=$(printf '%s\n' "$out" | grep -E '^unittest: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' | tail -n 1)
if [ -z "$line" ]; then
    fail=$((fail + 1)); echo "FAIL: python/tests/run.py exited $rc without its closing line"
else
    read -r p f s < <(grep -oE '[0-9]+' <<<"$line" | tr '\n' ' ')
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
    expect "run.py's exit status agrees with its counts ($rc)" test $(( rc != 0 )) -eq $(( f > 0 ))
fi

# docs/PYTHON.md's examples run as printed (every ```python block, from a
# folder outside the tree: the package found through PYTHONPATH)
n=0
while IFS= read -r -d '' block; do
    n=$((n + 1)); printf '%s' "$block" > "$tmp/doc$n.py"
    must "docs/PYTHON.md python example $n runs" "${san[@]}" env -C "$tmp" SWIGLU_LIB="$lib" PYTHONPATH="$PWD/python" \
        PYTHONDONTWRITEBYTECODE=1 "$PY" "doc$n.py"
done < <(awk '/^```python$/ {on = 1; next} /^```$/ && on {on = 0; printf "%c", 0; next} on' docs/PYTHON.md)
expect "docs/PYTHON.md has python examples ($n)" test "$n" -ge 3

# without numpy and torch (modules that fail to import, shadowing them): their
# tests are skipped with the reason, the rest still run and pass (this run's SKIP lines stay
# here: they are not skips of this suite)
mkdir -p "$tmp/shadow/numpy" "$tmp/shadow/torch"
for m in numpy torch; do echo "raise ImportError('no $m (test_python.sh hides it)')" > "$tmp/shadow/$m/__init__.py"; done
bare=$(SWIGLU_LIB=$lib PYTHONPATH=$tmp/shadow PYTHONDONTWRITEBYTECODE=1 "${san[@]}" "$PY" python/tests/run.py 2>&1)
expect "without numpy and torch: their tests skipped, the rest pass ($(tail -n 1 <<<"$bare"))" \
    grep -qE '^unittest: [1-9][0-9]* passed, 0 failed, [1-9][0-9]* skipped$' <<<"$bare"
expect "without numpy and torch: the skips say what is missing" grep -q 'SKIP: .*torch missing (scripts/deps.sh' <<<"$bare"

# installed copies import and find the library
probe='import swiglu, sys; assert swiglu.__file__.startswith(sys.argv[1]), swiglu.__file__; print(swiglu.version())'
# make install install-python (one PREFIX): the package loads the library
# installed beside it, without SWIGLU_LIB and before any ldconfig
ver=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
dsite=$tmp/dest/p/lib/python$ver/dist-packages
if must "make install install-python" make -s O="$O" install install-python DESTDIR="$tmp/dest" PREFIX=/p PYTHON="$PY"; then
    must "import the make-installed package; it loads the installed library" "${san[@]}" env -C "$tmp" -u SWIGLU_LIB \
        PYTHONPATH="$dsite" "$PY" -c "$probe"'
import os, swiglu._lib as l
assert os.path.realpath(l.lib._name).startswith(sys.argv[2]), l.lib._name' "$dsite" "$tmp/dest/p/lib/"
fi
if "$PY" -m pip --version >/dev/null 2>&1 && "$PY" -c 'import setuptools' 2>/dev/null; then
    cp -r python "$tmp/src"   # pip builds inside the source folder: a copy keeps the tree clean
    if must "pip install ./python (no index, no build isolation)" "$PY" -m pip install -q --no-index \
        --no-build-isolation --no-cache-dir --target "$tmp/site" "$tmp/src"; then
        must "import the pip-installed package" "${san[@]}" env -C "$tmp" SWIGLU_LIB="$lib" PYTHONPATH="$tmp/site" \
            "$PY" -c "$probe" "$tmp/site"
    fi
else
    skip "pip or setuptools missing for $PY (scripts/deps.sh installs python3-pip, python3-setuptools)"
fi
finish test_python
