#!/bin/sh
# Builds {{name}}.wasm (kami-v1) with rustc; no cargo, no crates.
# Needs a rustc with the wasm32-unknown-unknown target
# (rustup target add wasm32-unknown-unknown, or Debian: apt-get install rustc libstd-rust-dev-wasm32).
set -eu
cd "$(dirname "$0")"
RUSTC=${RUSTC:-rustc}
"$RUSTC" --edition 2021 --target wasm32-unknown-unknown --crate-type cdylib \
    --crate-name "$(echo '{{name}}' | tr -- '-.' '__')" -C opt-level=s -C panic=abort \
    -C strip=symbols -C link-arg=-zstack-size=262144 -o {{name}}.wasm src/lib.rs
echo "built $(pwd)/{{name}}.wasm"
