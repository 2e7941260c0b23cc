#!/usr/bin/env bash
# Builds and runs the JMH benchmarks (not part of CI). Prints JMH's table and the ratios
# KAMI / raw Chicory measured in the same run. Usage: scripts/bench.sh [jmh options]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -Pbench -DskipTests install -pl verification/kami-benchmarks -am
java -Xss16m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp verification/kami-benchmarks/target/benchmarks.jar \
  dev.kami.benchmarks.DeadlineOvershoot
out=$(mktemp)
java -jar verification/kami-benchmarks/target/benchmarks.jar -rf csv -rff "$out" "$@"
python3 - "$out" <<'PY'
import csv, sys
rows = {r["Benchmark"].split(".")[-1]: float(r["Score"]) for r in csv.DictReader(open(sys.argv[1]))}
for kami, raw in (("echoKamiCall", "echoRawChicory"), ("echoKamiCall", "echoRawChicoryDefaultMemory"),
                  ("sha256KamiCall", "sha256RawChicory"), ("sha256KamiCall", "sha256RawChicoryDefaultMemory"),
                  ("componentEchoKamiCall", "coreEchoKamiCall"), ("componentInstantiate", "mainCoreModuleInstantiate")):
    if kami in rows and raw in rows:
        print(f"{kami} / {raw} = {rows[kami] / rows[raw]:.3f}  ({rows[kami]:.4g} vs {rows[raw]:.4g})")
PY
