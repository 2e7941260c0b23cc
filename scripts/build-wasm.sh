#!/usr/bin/env bash
# Rebuilds every committed sample module (samples/tools/*/*.wasm) from source and test-builds
# the kami-guest-sdk templates (what `kami init` writes). Idempotent; exits non-zero on the
# first failure. The Maven build and its tests never need any of this: the .wasm files are
# committed.
#
# Toolchains (Debian 12 "bookworm"; as root), installed with exactly:
#
#   apt-get update
#   apt-get install -y clang lld wasi-libc libclang-rt-dev-wasm32 wabt rustc libstd-rust-dev-wasm32
#   apt-get install -y cargo librust-serde-dev librust-serde-json-dev librust-serde-derive-dev
#
#   - C:      clang 14 --target=wasm32-wasi --sysroot=/usr (wasi-libc installs its sysroot under
#             /usr/include/wasm32-wasi and /usr/lib/wasm32-wasi), lld, libclang-rt-dev-wasm32.
#   - Rust:   Debian's rustc 1.63 by full path (/usr/bin/rustc: a rustup `rustc` first on PATH may
#             lack the wasm targets) and Debian's cargo 1.65 --offline, with the crates Debian
#             packages under /usr/share/cargo/registry (samples/tools/json-transform/.cargo/config.toml
#             points crates-io there). Target wasm32-unknown-unknown: no WASI imports at all.
#   - WAT:    wabt (wat2wasm, wasm2wat, wasm-objdump; also used to check every module).
#   - AssemblyScript: node + npm, then `npm install` in samples/tools/hello-assemblyscript
#             (assemblyscript 0.27.31 from the npm registry; build.sh runs it when node_modules
#             is missing).
#   - Java:   JDK 17 + Maven; TeaVM 0.10.2 (teavm-maven-plugin, teavm-classlib, teavm-interop)
#             comes from Maven Central through samples/tools/hello-java/pom.xml, a standalone
#             pom that is not part of the KAMI reactor.
#
# Usage: scripts/build-wasm.sh [--skip-java] [--skip-assemblyscript] [--skip-templates]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS="$ROOT/samples/tools"
SDK="$ROOT/kami-guest-sdk"
TEMPLATES="$SDK/src/main/resources/dev/kami/guest/templates"

SKIP_JAVA=0
SKIP_AS=0
SKIP_TEMPLATES=0
for arg in "$@"; do
    case "$arg" in
        --skip-java) SKIP_JAVA=1 ;;
        --skip-assemblyscript) SKIP_AS=1 ;;
        --skip-templates) SKIP_TEMPLATES=1 ;;
        -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
        *) echo "unknown option: $arg" >&2; exit 2 ;;
    esac
done

CC=${CC:-clang}
SYSROOT=${SYSROOT:-/usr}
if [ -z "${RUSTC:-}" ]; then
    if [ -x /usr/bin/rustc ]; then RUSTC=/usr/bin/rustc; else RUSTC=rustc; fi
fi
if [ -z "${CARGO:-}" ]; then
    if [ -x /usr/bin/cargo ]; then CARGO=/usr/bin/cargo; else CARGO=cargo; fi
fi
export RUSTC

step() { printf '\n== %s\n' "$*"; }
die() { echo "build-wasm: $*" >&2; exit 1; }

need() {
    command -v "$1" >/dev/null 2>&1 || die "'$1' not found: install the toolchains listed at the top of $0"
}

# signature <objdump -x text> <export>: the exported function's type, e.g. "(i32) -> i32", or "".
signature() {
    awk -v name="$2" '
        /^Type\[/ { sect = "type"; next }
        /^Function\[/ { sect = "func"; next }
        /^Export\[/ { sect = "export"; next }
        /^[A-Z][A-Za-z]*\[/ { sect = "" }
        sect == "type" && /^ - type\[/ { i = $2; gsub(/type\[|\]/, "", i); t = $0; sub(/^ - type\[[0-9]+\] /, "", t); types[i] = t }
        sect == "func" && /^ - func\[/ { f = $2; gsub(/func\[|\]/, "", f); g = $3; sub(/sig=/, "", g); sigs[f] = g }
        sect == "export" && $0 ~ ("-> \"" name "\"$") { f = $2; gsub(/func\[|\]/, "", f); want = f }
        END { if (want != "" && (want in sigs)) print types[sigs[want]] }
    ' <<< "$1"
}

# check <file.wasm> <abi>: imports only kami.* / wasi_snapshot_preview1.*, and the ABI's exports.
check() {
    local wasm=$1 abi=$2 dump bad
    dump=$(wasm-objdump -x "$wasm")
    bad=$(printf '%s\n' "$dump" | sed -n 's/^ - [a-z]*\[[0-9]*\] .* <- \([^ ]*\)$/\1/p' \
        | grep -v -E '^(kami\.(output|log|http_request|http_response)|wasi_snapshot_preview1\.[a-z_]+)$' || true)
    [ -z "$bad" ] || die "$wasm imports what KAMI does not provide: $bad"
    # the kami.* imports must have the ABI's signatures
    bad=$(awk '
        /^Type\[/ { sect = "type"; next }
        /^Import\[/ { sect = "import"; next }
        /^[A-Z][A-Za-z]*\[/ { sect = "" }
        sect == "type" && /^ - type\[/ { i = $2; gsub(/type\[|\]/, "", i); t = $0; sub(/^ - type\[[0-9]+\] /, "", t); types[i] = t }
        sect == "import" && / <- kami\./ { g = $3; sub(/sig=/, "", g); imp[$NF] = g }
        END {
            want["kami.output"] = "(i32, i32) -> nil"; want["kami.log"] = "(i32, i32, i32) -> nil"
            want["kami.http_request"] = "(i32, i32) -> i32"; want["kami.http_response"] = "(i32) -> i32"
            for (n in imp) if (types[imp[n]] != want[n]) printf "%s is %s, expected %s; ", n, types[imp[n]], want[n]
        }' <<< "$dump")
    [ -z "$bad" ] || die "$wasm: $bad"
    grep -q -- '-> "memory"' <<< "$dump" || die "$wasm does not export memory"
    case "$abi" in
        kami-v1)
            [ "$(signature "$dump" kami_alloc)" = "(i32) -> i32" ] \
                || die "$wasm: kami_alloc must be (i32) -> i32, is '$(signature "$dump" kami_alloc)'"
            [ "$(signature "$dump" kami_run)" = "(i32, i32) -> i32" ] \
                || die "$wasm: kami_run must be (i32, i32) -> i32, is '$(signature "$dump" kami_run)'"
            ;;
        wasi-command)
            grep -q -- '-> "_start"' <<< "$dump" || die "$wasm does not export _start"
            if grep -q -- '-> "kami_run"' <<< "$dump"; then die "$wasm exports kami_run"; fi
            ;;
    esac
    printf '   ok %-34s %7d bytes  %s\n' "$(basename "$wasm")" "$(wc -c < "$wasm")" "$abi"
}

# c_reactor <dir> <out.wasm> <sources...>: a kami-v1 module with the guest SDK's kami.h.
c_reactor() {
    local dir=$1 out=$2
    shift 2
    (cd "$dir" && "$CC" --target=wasm32-wasi --sysroot="$SYSROOT" -O2 -Wall -Wextra -Werror \
        -mexec-model=reactor -I"$SDK/c" -Wl,--strip-all -o "$out" "$@")
    check "$dir/$out" kami-v1
}

need wasm-objdump
need wat2wasm
need wasm2wat
need "$CC"

# The kami init templates do not keep their own copy of the SDK files: the Maven build puts
# kami-guest-sdk/<lang>/... into each template (kami-guest-sdk/pom.xml); here, sdk_file does the same.
sdk_file() { # template-relative path of a file the template lists -> its source
    case "$1" in
        c/kami.h) echo "$SDK/c/kami.h" ;;
        rust/src/kami.rs) echo "$SDK/rust/kami.rs" ;;
        assemblyscript/assembly/kami.ts) echo "$SDK/assemblyscript/kami.ts" ;;
        java/src/main/java/dev/kami/guest/Kami.java) echo "$SDK/java/src/main/java/dev/kami/guest/Kami.java" ;;
        *) echo "$TEMPLATES/$1" ;;
    esac
}


step "C (clang $("$CC" --version | head -1 | sed 's/.*version \([0-9.]*\).*/\1/'), wasi-libc)"
(cd "$TOOLS/hello-world" && "$CC" --target=wasm32-wasi --sysroot="$SYSROOT" -O2 -Wall -Wextra -Werror \
    -Wl,--strip-all -o hello_world.wasm hello.c)
check "$TOOLS/hello-world/hello_world.wasm" wasi-command
c_reactor "$TOOLS/echo" echo.wasm echo.c
c_reactor "$TOOLS/sha256" sha256.wasm sha256.c
c_reactor "$TOOLS/http-fetch" http_fetch.wasm http_fetch.c

step "WAT (wabt)"
(cd "$TOOLS/hello-wat" && wat2wasm tool.wat -o hello-wat.wasm)
check "$TOOLS/hello-wat/hello-wat.wasm" kami-v1

step "Rust ($("$RUSTC" --version), cargo --offline, Debian's crates)"
[ -d /usr/share/cargo/registry/serde_json-1.0.87 ] || [ -n "$(ls -d /usr/share/cargo/registry/serde_json-* 2>/dev/null)" ] \
    || die "serde_json not under /usr/share/cargo/registry: apt-get install librust-serde-json-dev"
(cd "$TOOLS/json-transform" && "$CARGO" build --offline --release --target wasm32-unknown-unknown --quiet \
    && cp target/wasm32-unknown-unknown/release/json_transform.wasm json_transform.wasm)
check "$TOOLS/json-transform/json_transform.wasm" kami-v1

if [ "$SKIP_AS" = 0 ]; then
    step "AssemblyScript (npm)"
    need npm
    sh "$TOOLS/hello-assemblyscript/build.sh" >/dev/null
    check "$TOOLS/hello-assemblyscript/hello-assemblyscript.wasm" kami-v1
fi

if [ "$SKIP_JAVA" = 0 ]; then
    step "Java (TeaVM 0.10.2, Maven)"
    need mvn
    sh "$TOOLS/hello-java/build.sh" >/dev/null
    check "$TOOLS/hello-java/hello-java.wasm" kami-v1
fi

if [ "$SKIP_TEMPLATES" = 0 ]; then
    step "kami init templates (instantiated in a scratch directory and built)"
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    for lang in $(cat "$TEMPLATES/index.txt"); do
        if [ "$lang" = java ] && [ "$SKIP_JAVA" = 1 ]; then continue; fi
        if [ "$lang" = assemblyscript ] && [ "$SKIP_AS" = 1 ]; then continue; fi
        dir="$scratch/$lang-tool"
        while IFS= read -r f; do
            [ -n "$f" ] || continue
            mkdir -p "$dir/$(dirname "$f")"
            sed -e "s/{{name}}/$lang-tool/g" -e "s/{{id}}/dev.kami.test.$lang-tool/g" \
                "$(sdk_file "$lang/$f")" > "$dir/$f"
        done < "$TEMPLATES/$lang/template.files"
        if [ "$lang" = assemblyscript ]; then
            # reuse the sample's node_modules rather than downloading again
            ln -s "$TOOLS/hello-assemblyscript/node_modules" "$dir/node_modules"
        fi
        if grep -q '{{' -r "$dir" --exclude-dir=node_modules; then
            die "template $lang leaves a {{placeholder}}: $(grep -l '{{' -r "$dir" --exclude-dir=node_modules)"
        fi
        sh "$dir/build.sh" >/dev/null
        check "$dir/$lang-tool.wasm" kami-v1
    done
fi

step "done"
