#!/usr/bin/env bash
# check_includes.sh [ROOT] -- the dependency order of docs/DESIGN.md, read
# from the #include "..." lines of ROOT/src and ROOT/tools (default: this
# checkout). Prints one line per include against the order and exits 1 when
# there is any; prints "include order: N files, N includes, 0 against the
# order" and exits 0 otherwise. tests/test_include_order.sh runs it.
#
# The order (each layer may include itself and the layers listed):
#     core <- kernels <- gemm <- ffn      libswiglu (the public API)
#     core <- io                          file parsers
#     ffn, io <- model                    the transformer, trainer, checkpoints
#     model <- lab                        `swiglu compare`
#     all of them <- tools                the CLI
# Private headers are included only from their own folder:
#   core/internal.h (src/ only: the library's and its layers' helpers),
#   ffn/ffn_internal.h, model/layers.h, and the kernel bodies
#   kernels/{act_scalar,glu_scalar,simd_*,matvec_body}.h.
# include/swiglu.h (the public header) may be included by anyone.
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2

allowed() {  # layer -> the layers it may include (itself included)
    case $1 in
        core)    echo "core" ;;
        kernels) echo "core kernels" ;;
        gemm)    echo "core kernels gemm" ;;
        ffn)     echo "core kernels gemm ffn" ;;
        io)      echo "core io" ;;
        model)   echo "core kernels gemm ffn io model" ;;
        lab)     echo "core io model lab" ;;
        tools)   echo "core kernels gemm ffn io model lab tools" ;;
        *)       echo "" ;;
    esac
}
private() {  # header -> the folder it is private to ("" when not private)
    case $1 in
        core/internal.h) echo "src" ;;
        ffn/ffn_internal.h) echo "ffn" ;;
        model/layers.h) echo "model" ;;
        kernels/act_scalar.h|kernels/glu_scalar.h|kernels/simd_*.h|kernels/matvec_body.h) echo "kernels" ;;
        *) echo "" ;;
    esac
}

bad=0; files=0; incs=0
while IFS= read -r f; do
    files=$((files + 1))
    case $f in
        tools/*) layer=tools ;;
        src/*) layer=${f#src/}; layer=${layer%%/*} ;;
    esac
    ok=$(allowed "$layer")
    if [ -z "$ok" ]; then echo "$f: folder '$layer' has no place in the order (scripts/check_includes.sh)"; bad=$((bad + 1)); continue; fi
    while IFS=: read -r line inc; do
        incs=$((incs + 1))
        [ "$inc" = swiglu.h ] && continue
        case $inc in
            */*) target=${inc%%/*} ;;
            *)   target=$layer ;;   # "cli.h": the file's own folder
        esac
        if [ "$layer" != tools ] && [ "$target" = "$layer" ] && [[ $inc != */* ]]; then
            echo "$f:$line: #include \"$inc\": name the folder (\"$layer/$inc\")"; bad=$((bad + 1)); continue
        fi
        if ! grep -qw -- "$target" <<<"$ok"; then
            echo "$f:$line: #include \"$inc\": $layer may not include $target (order: docs/DESIGN.md)"; bad=$((bad + 1)); continue
        fi
        owner=$(private "$inc")
        if [ -n "$owner" ] && { { [ "$owner" = src ] && [ "$layer" = tools ]; } || { [ "$owner" != src ] && [ "$owner" != "$layer" ]; }; }; then
            echo "$f:$line: #include \"$inc\": private to $( [ "$owner" = src ] && echo "src/" || echo "src/$owner/")"; bad=$((bad + 1))
        fi
    done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1:\2/')
done < <(find src tools -name '*.[ch]' 2>/dev/null | sort)
echo "include order: $files files, $incs includes, $bad against the order"
[ "$bad" -eq 0 ]
