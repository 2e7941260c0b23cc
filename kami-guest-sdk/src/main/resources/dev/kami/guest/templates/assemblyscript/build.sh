#!/bin/sh
# Builds {{name}}.wasm (kami-v1) with the AssemblyScript compiler (needs node and npm).
set -eu
cd "$(dirname "$0")"
[ -d node_modules/assemblyscript ] || npm install --no-audit --no-fund
npm run --silent build
echo "built $(pwd)/{{name}}.wasm"
