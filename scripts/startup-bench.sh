#!/usr/bin/env bash
# Startup and many-tools benchmark (issue 14; not part of CI). Measures, in one run:
#   1. `kami --version` against `kami exec` of an installed tool, each a fresh JVM;
#   2. Kami.builder().build() + the first call of an installed tool in a fresh JVM, with the
#      compiled-code cache and without it (its rows deleted), against building an empty Kami;
#   3. N distinct tools (the hello-wat sample, another data segment each) called round-robin
#      against one hot tool, in one JVM, and list() of the N tools in a fresh JVM.
# Every fresh-JVM figure is the median of RUNS runs. The machine's load average is printed before
# and after: on a shared machine the absolute times move with it, the ratios much less.
# Usage: scripts/startup-bench.sh [RUNS] [N]       (defaults 5 and 300)
# KAMI_BENCH_PG_URL=jdbc:postgresql://... repeats step 2 on PostgreSQL (an empty database or schema).
# MVN_OFFLINE=1 builds with mvn -o.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
tools="${2:-300}"
offline=""
[[ "${MVN_OFFLINE:-0}" == "1" ]] && offline="-o"
mvn -q -B $offline -Pbench -DskipTests package -pl verification/kami-benchmarks,kami-cli-minimal -am
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
jvm=(java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)
bench=("${jvm[@]}" -cp verification/kami-benchmarks/target/benchmarks.jar dev.kami.benchmarks.StartupBench)
kami=(java -jar kami-cli-minimal/target/kami.jar)

echo "# KAMI startup benchmark, $(date -u +%FT%TZ), $(nproc) cores, $(java -version 2>&1 | head -1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# median wall time in ms of a command run $runs times
median_ms() {
  local times=()
  for ((i = 0; i < runs; i++)); do
    local s e
    s=$(date +%s%N)
    "$@" >/dev/null 2>&1
    e=$(date +%s%N)
    times+=($(((e - s) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# median of one key=value field over $runs runs of a command printing one such line
median_field() {
  local key="$1"; shift
  for ((i = 0; i < runs; i++)); do
    "$@" | tr ' ' '\n' | sed -n "s/^$key=//p"
  done | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

echo
echo "## 1. CLI: kami --version against kami exec (fresh JVM each, median of $runs)"
cli="$work/cli"
"${kami[@]}" --home "$cli" install --yes samples/tools/echo >/dev/null
version_ms=$(median_ms "${kami[@]}" --version)
exec_ms=$(median_ms "${kami[@]}" --home "$cli" exec dev.kami.echo '{"message":"hi"}')
compile_ms=$("${kami[@]}" --home "$cli" exec dev.kami.echo '{"message":"hi"}' --json \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["timings_ms"]["compile"])')
echo "kami --version: ${version_ms} ms; kami exec dev.kami.echo: ${exec_ms} ms;" \
  "ratio $(python3 -c "print(round($exec_ms / $version_ms, 2))"); exec's timings_ms.compile: ${compile_ms}"
# the same through the launcher, which maps an AppCDS archive (made by its first run)
rm -f kami-cli-minimal/target/kami.jsa
./kami --home "$cli" exec dev.kami.echo '{"message":"hi"}' >/dev/null
cds_version_ms=$(median_ms java -XX:SharedArchiveFile=kami-cli-minimal/target/kami.jsa -Xlog:disable \
  -jar kami-cli-minimal/target/kami.jar --version)
cds_exec_ms=$(median_ms ./kami --home "$cli" exec dev.kami.echo '{"message":"hi"}')
echo "with the AppCDS archive: kami --version: ${cds_version_ms} ms; kami exec: ${cds_exec_ms} ms;" \
  "exec / plain --version $(python3 -c "print(round($cds_exec_ms / $version_ms, 2))")"

first_call() { # $1 label, $2 home, $3 url
  local home="$2" url="$3"
  "${bench[@]}" install "$home" "$url" samples/tools/echo >/dev/null
  local empty_home="$work/empty-$1"
  mkdir -p "$empty_home"
  local empty_url="jdbc:sqlite:$empty_home/registry.db"
  [[ "$url" == jdbc:postgresql:* ]] && empty_url="$url"
  local args='{"message":"hi"}'
  local build with_build with_first with_compile without_first without_compile
  build=$(median_field build_ms "${bench[@]}" empty "$empty_home" "$empty_url")
  with_first=$(median_field first_call_ms "${bench[@]}" first "$home" "$url" dev.kami.echo "$args")
  with_build=$(median_field build_ms "${bench[@]}" first "$home" "$url" dev.kami.echo "$args")
  with_compile=$(median_field compile_ms "${bench[@]}" first "$home" "$url" dev.kami.echo "$args")
  local no_cache=()
  for ((i = 0; i < runs; i++)); do
    "${bench[@]}" clear-code "$home" "$url" >/dev/null
    no_cache+=("$("${bench[@]}" first "$home" "$url" dev.kami.echo "$args")")
  done
  without_first=$(printf '%s\n' "${no_cache[@]}" | tr ' ' '\n' | sed -n 's/^first_call_ms=//p' | sort -g \
    | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  without_compile=$(printf '%s\n' "${no_cache[@]}" | tr ' ' '\n' | sed -n 's/^compile_ms=//p' | sort -g \
    | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$1: empty Kami build ${build} ms; with the cache: build ${with_build} ms + first call ${with_first} ms" \
    "(timings.compile ${with_compile} ms); without: first call ${without_first} ms (timings.compile ${without_compile} ms)"
}

echo
echo "## 2. Build + first call of dev.kami.echo in a fresh JVM (median of $runs)"
first_call SQLite "$work/sqlite" "jdbc:sqlite:$work/sqlite/registry.db"
if [[ -n "${KAMI_BENCH_PG_URL:-}" ]]; then
  first_call PostgreSQL "$work/pg" "$KAMI_BENCH_PG_URL"
else
  echo "PostgreSQL: skipped (set KAMI_BENCH_PG_URL to an empty database to measure it)"
fi

echo
echo "## 3. $tools distinct tools"
many="$work/many"
mkdir -p "$many"
"${bench[@]}" install-many "$many" "jdbc:sqlite:$many/registry.db" "$tools" samples/tools/hello-wat
echo "list() in a fresh JVM (median of $runs): $(median_field list_ms "${bench[@]}" list "$many" \
  "jdbc:sqlite:$many/registry.db") ms"
"${bench[@]}" roundrobin "$many" "jdbc:sqlite:$many/registry.db" 3
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
