#!/usr/bin/env bash
# Coverage-guided fuzzing (Jazzer) of the parsers of untrusted input, one target after another.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TestClass ...]   (default: 20 s, every target)
# CI runs it briefly; run it for longer (e.g. scripts/fuzz.sh 600) before a release.
# A crash fails the run and Jazzer writes the crashing input next to the target's seeds
# (src/test/resources/<package>/<Class>Inputs/<method>/crash-*): commit it with the fix, and it
# is replayed as a regression test by every `mvn verify` from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}; shift || true
declare -A module=(
  [ManifestParserFuzzTest]=kami-core
  [PackageReaderFuzzTest]=kami-core
  [ToolOutputFuzzTest]=kami-core
  [McpMessageFuzzTest]=kami-mcp
  [HttpRequestFuzzTest]=kami-mcp
  [ModuleInspectFuzzTest]=kami-wasm-chicory
  [ComponentFuzzTest]=kami-wasm-chicory
  [ExtismJsonFuzzTest]=kami-wasm-chicory
)
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(ManifestParserFuzzTest PackageReaderFuzzTest ToolOutputFuzzTest McpMessageFuzzTest HttpRequestFuzzTest ModuleInspectFuzzTest ComponentFuzzTest ExtismJsonFuzzTest)
status=0
for t in "${targets[@]}"; do
  m=${module[$t]:?unknown fuzz target $t}
  echo "fuzzing $t ($m) for ${seconds}s"
  if ! JAZZER_FUZZ=1 mvn -B -q -o test -pl "$m" -am -Dtest="$t" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djacoco.skip=true -Djazzer.max_duration="${seconds}s" -Djazzer.instrument='dev.kami.**,org.tomlj.**,com.dylibso.**' \
      -Djunit.jupiter.execution.timeout.mode=disabled >/tmp/kami-fuzz-$t.log 2>&1; then
    echo "FUZZ FINDING in $t (full log: /tmp/kami-fuzz-$t.log):"
    grep -E "FuzzTestFindingException|Caused by|^\s+at dev\.kami" /tmp/kami-fuzz-$t.log | head -12 || true
    for f in $(find "$m/src/test/resources" -path "*${t}Inputs*" -name 'crash-*' -newer "$0" 2>/dev/null); do
      echo "  input $f (base64): $(base64 -w0 "$f" | head -c 65536)"
    done
    status=1
  fi
  grep -h -E "^#[0-9]+ +DONE" "$m"/target/surefire-reports/*"$t"-output.txt 2>/dev/null | tail -1 || true
done
exit $status
