#!/usr/bin/env bash
# Rebuilds the Extism plugin fixtures of kami-wasm-chicory (docs/adr/0120-extism-plugins.md) and
# records what Extism's own host for node answers for each case (node-expected.json), which
# ExtismDifferentialTest compares with KAMI. The Maven build never runs this: the .wasm files and
# the expected answers are committed.
#
# Needs: node + npm (the npm registry), wabt's wat2wasm (Debian: apt-get install wabt), Debian's
# rustc with its wasm32-wasi standard library (apt-get install rustc libstd-rust-dev-wasm32;
# RUSTC picks another rustc).
# EXTISM_TOOLS: where the npm packages go (default: $HOME/.cache/kami-extism-tools), outside the repo.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="$ROOT/kami-wasm-chicory/src/test/resources/dev/kami/engine/chicory/extism"
TOOLS="${EXTISM_TOOLS:-$HOME/.cache/kami-extism-tools}"
AS_VERSION=0.28.20
AS_PDK_VERSION=1.0.0
NODE_HOST_VERSION=1.0.3

if [ ! -x "$TOOLS/node_modules/.bin/asc" ] || [ ! -d "$TOOLS/node_modules/@extism/extism" ]; then
  mkdir -p "$TOOLS"
  (cd "$TOOLS" && { [ -f package.json ] || npm init -y >/dev/null; } \
    && npm install --no-audit --no-fund "assemblyscript@$AS_VERSION" "@extism/as-pdk@$AS_PDK_VERSION" \
       "@extism/extism@$NODE_HOST_VERSION")
fi

cd "$DIR"
# AssemblyScript + @extism/as-pdk: the plugin's own abort (no env.abort import), no GC runtime
for p in v1 servlet v2; do
  "$TOOLS/node_modules/.bin/asc" "as/$p.ts" --path "$TOOLS/node_modules" --outFile "as-$p.wasm" \
    --use abort=as/common/abort --optimize --runtime stub
done
# Rust on WASI preview 1, no crates (Debian's rustc 1.63 by default)
"${RUSTC:-/usr/bin/rustc}" --target wasm32-wasi --crate-type cdylib -O -C strip=symbols \
  rust/read_file.rs -o rust-read-file.wasm
for w in wat/*.wat; do
  name="$(basename "$w" .wat)"
  wat2wasm "$w" -o "wat-$name.wasm"
done
EXTISM_NODE_MODULES="$TOOLS/node_modules" node --no-warnings "$DIR/node-run.mjs" "$DIR" > "$DIR/node-expected.json.tmp"
mv "$DIR/node-expected.json.tmp" "$DIR/node-expected.json"
echo "built $(ls "$DIR"/*.wasm | wc -l) Extism fixtures; node answers in $DIR/node-expected.json"
