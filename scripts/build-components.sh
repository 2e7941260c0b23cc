#!/usr/bin/env bash
# Rebuilds the WebAssembly component fixtures of the component ABI (docs/ABI.md "The component
# ABI") into kami-wasm-chicory/src/test/resources/components/, and the reference outputs of the
# differential test (the same components run by `jco transpile` + node). Idempotent; stops at the
# first failure. The Maven build never needs any of this: the built .wasm files are committed.
#
# Toolchains (Debian 12, as root):
#   apt-get update && apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32 nodejs npm
#   npm (in a scratch directory outside the repository, JCO_DIR, default /work/tools/h-component):
#     npm install @bytecodealliance/jco@1.32.1 @bytecodealliance/componentize-js@0.22.0
#   (jco 1.35.0's componentize cannot read a WIT directory; 1.32.1 with componentize-js 0.22.0 can.)
#
# What is built:
#   c-echo.wasm   C (clang wasm32-wasi reactor, canonical ABI written by hand in echo.c)
#                 -> `jco embed` the kami:tool world -> `jco new --wasi-reactor` (jco's bundled
#                 preview-1 reactor adapter): main module + adapter + shim + fixup, WASI 0.2 imports.
#   c-bench-echo.wasm  C (c-bench-echo/echo.c), built as c-echo: the benchmark's component echo,
#                 doing per call what the kami-v1 echo sample does (no log line, no stderr write);
#                 its describe() is plain text (the MCP description of a manifest without one).
#   c-scratch.wasm  C (c-scratch/scratch.c), built as c-echo: fills its wasi:filesystem /data
#                 through libc until a scratch quota refuses (ComponentScratchQuotaTest).
#   edge.wasm     component WAT written by hand (wat/edge.wat) -> `jco parse`: canonical-ABI edge
#                 cases (spilled parameters, return pointer + post-return, lowered import with
#                 realloc, a resource with destructor, invalid UTF-8).
#   js-upper.wasm.gz  JavaScript (tool.js) -> `jco componentize --disable all` (componentize-js,
#                 StarlingMonkey): a 12 MB component, committed gzipped (4 MB).
#   js-wasi.wasm.gz   JavaScript (js-wasi/tool.js) -> `jco componentize --disable http`: imports
#                 the WASI 0.2.10 interfaces the JavaScript engine uses (clocks, random, stdio, ...).
#   expected/<name>.json  the reference outputs: each component `jco transpile`d and run under
#                 node (differential.mjs, with host.mjs as kami:tool/host) on <name>/inputs.json;
#                 DifferentialTest runs the same inputs under KAMI and compares.
#
# Usage: scripts/build-components.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRC="$ROOT/scripts/components"
OUT="$ROOT/kami-wasm-chicory/src/test/resources/components"
JCO_DIR=${JCO_DIR:-/work/tools/h-component}
JCO="$JCO_DIR/node_modules/.bin/jco"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

[ -x "$JCO" ] || { echo "jco not found at $JCO: run the npm install above in \$JCO_DIR" >&2; exit 1; }

echo "== c-echo (C, preview-1 adapter)"
clang --target=wasm32-wasi -mexec-model=reactor -O2 -o "$TMP/c-echo.core.wasm" "$SRC/c-echo/echo.c"
"$JCO" embed --wit "$SRC/wit" -n kami-tool -o "$TMP/c-echo.embed.wasm" "$TMP/c-echo.core.wasm"
"$JCO" new --wasi-reactor -o "$OUT/c-echo.wasm" "$TMP/c-echo.embed.wasm"

echo "== c-bench-echo (C, preview-1 adapter: the benchmark's echo)"
clang --target=wasm32-wasi -mexec-model=reactor -O2 -o "$TMP/c-bench-echo.core.wasm" "$SRC/c-bench-echo/echo.c"
"$JCO" embed --wit "$SRC/wit" -n kami-tool -o "$TMP/c-bench-echo.embed.wasm" "$TMP/c-bench-echo.core.wasm"
"$JCO" new --wasi-reactor -o "$OUT/c-bench-echo.wasm" "$TMP/c-bench-echo.embed.wasm"

echo "== c-scratch (C, preview-1 adapter: the scratch quotas through wasi:filesystem)"
clang --target=wasm32-wasi -mexec-model=reactor -O2 -o "$TMP/c-scratch.core.wasm" "$SRC/c-scratch/scratch.c"
"$JCO" embed --wit "$SRC/wit" -n kami-tool -o "$TMP/c-scratch.embed.wasm" "$TMP/c-scratch.core.wasm"
"$JCO" new --wasi-reactor -o "$OUT/c-scratch.wasm" "$TMP/c-scratch.embed.wasm"

echo "== edge (component WAT written by hand, jco parse)"
"$JCO" parse "$SRC/wat/edge.wat" -o "$OUT/edge.wasm"

echo "== memories (two core memories under one cap, jco parse)"
"$JCO" parse "$SRC/wat/memories.wat" -o "$OUT/memories.wasm"

echo "== js-upper (JavaScript, jco componentize)"
"$JCO" componentize "$SRC/js-upper/tool.js" --wit "$SRC/wit" -n kami-tool --disable all -o "$TMP/js-upper.wasm"
gzip -9 -n -c "$TMP/js-upper.wasm" > "$OUT/js-upper.wasm.gz"

echo "== js-wasi (JavaScript using WASI 0.2 clocks, random and stdio, jco componentize)"
"$JCO" componentize "$SRC/js-wasi/tool.js" --wit "$SRC/wit" -n kami-tool --disable http -o "$TMP/js-wasi.wasm"
gzip -9 -n -c "$TMP/js-wasi.wasm" > "$OUT/js-wasi.wasm.gz"

echo "== reference outputs (jco transpile + node)"
mkdir -p "$OUT/expected" "$JCO_DIR/transpiled"
echo '{"type":"module"}' > "$JCO_DIR/transpiled/package.json"
for name in c-echo js-upper js-wasi; do
  if [ -f "$OUT/$name.wasm" ]; then cp "$OUT/$name.wasm" "$TMP/$name.wasm"; else gunzip -c "$OUT/$name.wasm.gz" > "$TMP/$name.wasm"; fi
  rm -rf "$JCO_DIR/transpiled/$name"
  "$JCO" transpile "$TMP/$name.wasm" -o "$JCO_DIR/transpiled/$name" --map "kami:tool/host@0.1.0=$SRC/host.mjs" >/dev/null
  node "$SRC/differential.mjs" "$JCO_DIR/transpiled/$name/$name.js" "$SRC/$name/inputs.json" \
    "$OUT/expected/$name.json" > /dev/null 2>&1
done

echo "components built into $OUT:"
ls -l "$OUT"
