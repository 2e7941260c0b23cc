#!/bin/sh
# Builds {{name}}.wasm (kami-v1) with clang and wasi-libc.
# Debian/Ubuntu: apt-get install clang lld wasi-libc libclang-rt-dev-wasm32
# (elsewhere: the WASI SDK's clang; set SYSROOT to its share/wasi-sysroot).
set -eu
cd "$(dirname "$0")"
CC=${CC:-clang}
SYSROOT=${SYSROOT:-/usr}
"$CC" --target=wasm32-wasi --sysroot="$SYSROOT" -O2 -Wall -mexec-model=reactor \
    -Wl,--strip-all -o {{name}}.wasm tool.c
echo "built $(pwd)/{{name}}.wasm"
