#!/bin/sh
# Builds hello-wat.wasm (kami-v1) from tool.wat with wabt's wat2wasm
# (Debian/Ubuntu: apt-get install wabt).
set -eu
cd "$(dirname "$0")"
wat2wasm tool.wat -o hello-wat.wasm
echo "built $(pwd)/hello-wat.wasm"
