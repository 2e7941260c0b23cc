#!/bin/sh
# Builds {{name}}.wasm (kami-v1) with rustc; no cargo, no crates.
# Needs a rustc with the standard library for wasm32-unknown-unknown. The first that has it wins:
#   1. $RUSTC, when set (e.g. RUSTC=~/.cargo/bin/rustc sh build.sh);
#   2. /usr/bin/rustc (Debian/Ubuntu: apt-get install rustc libstd-rust-dev-wasm32);
#   3. the rustc on the PATH (rustup: rustup target add wasm32-unknown-unknown).
set -eu
cd "$(dirname "$0")"

# Succeeds when rustc $1 has the wasm32-unknown-unknown standard library.
has_wasm_std() {
    libdir=$("$1" --print target-libdir --target wasm32-unknown-unknown 2>/dev/null) || return 1
    ls "$libdir"/libstd-* >/dev/null 2>&1
}

tried=""
if [ -n "${RUSTC:-}" ]; then
    rustc_bin=$RUSTC
    if ! command -v "$rustc_bin" >/dev/null 2>&1; then
        echo "build.sh: RUSTC=$rustc_bin is not a command; name a rustc, or unset RUSTC to take /usr/bin/rustc or the PATH's." >&2
        exit 1
    fi
    if ! has_wasm_std "$rustc_bin"; then
        echo "build.sh: RUSTC=$rustc_bin has no standard library for wasm32-unknown-unknown." >&2
        echo "  rustup: rustup target add wasm32-unknown-unknown; Debian: apt-get install libstd-rust-dev-wasm32;" >&2
        echo "  or unset RUSTC to take the first rustc that has it (/usr/bin/rustc, then the PATH)." >&2
        exit 1
    fi
else
    rustc_bin=""
    for candidate in /usr/bin/rustc "$(command -v rustc 2>/dev/null || true)"; do
        [ -n "$candidate" ] && [ -x "$candidate" ] || continue
        tried="$tried $candidate"
        if has_wasm_std "$candidate"; then rustc_bin=$candidate; break; fi
    done
    if [ -z "$rustc_bin" ]; then
        echo "build.sh: no rustc with the wasm32-unknown-unknown standard library (tried:${tried:- none found})." >&2
        echo "  Debian/Ubuntu: apt-get install rustc libstd-rust-dev-wasm32" >&2
        echo "  rustup:        rustup target add wasm32-unknown-unknown" >&2
        echo "  or name one:   RUSTC=/path/to/rustc sh build.sh" >&2
        exit 1
    fi
fi

"$rustc_bin" --edition 2021 --target wasm32-unknown-unknown --crate-type cdylib \
    --crate-name "$(echo '{{name}}' | tr -- '-.' '__')" -C opt-level=s -C panic=abort \
    -C strip=symbols -C link-arg=-zstack-size=262144 -o {{name}}.wasm src/lib.rs
echo "built $(pwd)/{{name}}.wasm (with $rustc_bin)"
