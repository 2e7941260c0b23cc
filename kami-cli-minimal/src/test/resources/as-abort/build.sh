#!/bin/sh
# Rebuilds as-abort.wasm from as-abort.wat with wabt's wat2wasm (Debian: apt-get install wabt).
# The built module is committed: the Maven build never needs a toolchain.
set -eu
cd "$(dirname "$0")"
wat2wasm as-abort.wat -o as-abort.wasm
