#!/bin/sh
# Rebuilds the engine TCK's .wasm fixtures from their .wat sources with wabt's wat2wasm.
# The Maven build does not need wat2wasm: the built .wasm files are committed.
# Usage: ./build-fixtures.sh   (from any directory; needs wat2wasm, e.g. apt-get install wabt)
set -eu
cd "$(dirname "$0")"
command -v wat2wasm >/dev/null 2>&1 || { echo "wat2wasm not found: install wabt (apt-get install -y wabt)" >&2; exit 1; }
for wat in *.wat; do
  wat2wasm "$wat" -o "${wat%.wat}.wasm"
done
echo "built $(ls *.wasm | wc -l) fixtures in $(pwd)"
