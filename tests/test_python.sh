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
# Under sanitizers (make test-asan) the library would need the ASan runtime
# preloaded into the interpreter (LD_PRELOAD), which is not set up (nor tried
# with torch): this suite runs on the plain build only, as test_install.sh does.
if [ -n "${SAN:-}" ]; then echo "test_python: not run under sanitizers (plain build only)"; echo "test_python: 0 passed, 0 failed"; exit 0; fi
PY=${SWIGLU_TEST_PYTHON:-/usr/bin/python3}
if [ ! -x "$PY" ]; then skip "no $PY (scripts/deps.sh installs python3)"; finish test_python; exit; fi
case "$O" in /*) lib=$O/libswiglu.so ;; *) lib=$PWD/$O/libswiglu.so ;; esac
if [ ! -f "$lib" ]; then
    fail=$((fail + 1)); echo "FAIL: $lib missing (make all builds it)"; finish test_python; exit
fi
# two OpenMP pools may share the process (torch's and ours): idle threads sleep
export OMP_WAIT_POLICY=passive
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

out=$(SWIGLU_LIB=$lib PYTHONDONTWRITEBYTECODE=1 "$PY" python/tests/run.py 2>&1); rc=$?
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
    must "docs/PYTHON.md python example $n runs" env -C "$tmp" SWIGLU_LIB="$lib" PYTHONPATH="$PWD/python" \
        PYTHONDONTWRITEBYTECODE=1 "$PY" "doc$n.py"
done < <(awk '/^```python$/ {on = 1; next} /^```$/ && on {on = 0; printf "%c", 0; next} on' docs/PYTHON.md)
expect "docs/PYTHON.md has python examples ($n)" test "$n" -ge 3

# without numpy and torch (modules that fail to import, shadowing them): their
# tests are skipped with the reason, the rest still run and pass (this run's SKIP lines stay
# here: they are not skips of this suite)
mkdir -p "$tmp/shadow/numpy" "$tmp/shadow/torch"
for m in numpy torch; do echo "raise ImportError('no $m (test_python.sh hides it)')" > "$tmp/shadow/$m/__init__.py"; done
bare=$(SWIGLU_LIB=$lib PYTHONPATH=$tmp/shadow PYTHONDONTWRITEBYTECODE=1 "$PY" python/tests/run.py 2>&1)
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
    must "import the make-installed package; it loads the installed library" env -C "$tmp" -u SWIGLU_LIB \
        PYTHONPATH="$dsite" "$PY" -c "$probe"'
import os, swiglu._lib as l
assert os.path.realpath(l.lib._name).startswith(sys.argv[2]), l.lib._name' "$dsite" "$tmp/dest/p/lib/"
fi
if "$PY" -m pip --version >/dev/null 2>&1 && "$PY" -c 'import setuptools' 2>/dev/null; then
    cp -r python "$tmp/src"   # pip builds inside the source folder: a copy keeps the tree clean
    if must "pip install ./python (no index, no build isolation)" "$PY" -m pip install -q --no-index \
        --no-build-isolation --no-cache-dir --target "$tmp/site" "$tmp/src"; then
        must "import the pip-installed package" env -C "$tmp" SWIGLU_LIB="$lib" PYTHONPATH="$tmp/site" \
            "$PY" -c "$probe" "$tmp/site"
    fi
else
    skip "pip or setuptools missing for $PY (scripts/deps.sh installs python3-pip, python3-setuptools)"
fi
finish test_python
