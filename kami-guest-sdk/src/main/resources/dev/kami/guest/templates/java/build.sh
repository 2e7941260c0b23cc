#!/bin/sh
# Builds {{name}}.wasm (kami-v1) with TeaVM 0.10.2 (WEBASSEMBLY_WASI) through this folder's
# standalone pom, then renames TeaVM's `_start` export to `_initialize` with wabt
# (apt-get install wabt): TeaVM runs its class initialisation in `_start` (main is empty), and
# KAMI calls `_initialize` first on every fresh instance.
set -eu
cd "$(dirname "$0")"
mvn -q -f pom.xml package
wasm2wat target/wasm/{{name}}.wasm -o target/wasm/{{name}}.wat
sed -e 's/(export "_start" /(export "_initialize" /' -e '/(export "start" /d' \
    target/wasm/{{name}}.wat > target/wasm/{{name}}.kami.wat
wat2wasm target/wasm/{{name}}.kami.wat -o {{name}}.wasm
echo "built $(pwd)/{{name}}.wasm"
