#!/bin/sh
# Builds hello-java.wasm (kami-v1) with TeaVM 0.10.2 (WEBASSEMBLY_WASI) through this folder's
# standalone pom, then renames TeaVM's `_start` export to `_initialize` with wabt
# (apt-get install wabt): TeaVM runs its class initialisation in `_start` (main is empty), and
# KAMI calls `_initialize` first on every fresh instance. See docs/adr/0403-*.md.
set -eu
cd "$(dirname "$0")"
mvn -q -f pom.xml package
wasm2wat target/wasm/hello-java.wasm -o target/wasm/hello-java.wat
sed -e 's/(export "_start" /(export "_initialize" /' -e '/(export "start" /d' \
    target/wasm/hello-java.wat > target/wasm/hello-java.kami.wat
wat2wasm target/wasm/hello-java.kami.wat -o hello-java.wasm
echo "built $(pwd)/hello-java.wasm"
