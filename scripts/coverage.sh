#!/usr/bin/env bash
# Sums up the JaCoCo reports that `mvn verify` writes (target/site/jacoco/jacoco.csv in each module):
# line and branch coverage per module, and in all. Usage: scripts/coverage.sh (after mvn verify)
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import csv, glob, os
rows = []
for f in sorted(glob.glob("**/target/site/jacoco/jacoco.csv", recursive=True)):
    module = f.split("/target/")[0]
    lm = lc = bm = bc = 0
    for r in csv.DictReader(open(f)):
        lm += int(r["LINE_MISSED"]); lc += int(r["LINE_COVERED"])
        bm += int(r["BRANCH_MISSED"]); bc += int(r["BRANCH_COVERED"])
    rows.append((module, lc, lm, bc, bm))
if not rows:
    print("no JaCoCo reports found: run mvn verify first"); raise SystemExit(0)
pct = lambda c, m: 100.0 * c / (c + m) if c + m else 0.0
print(f"{'module':40} {'lines':>8} {'line %':>7} {'branches':>9} {'branch %':>8}")
for m, lc, lm, bc, bm in rows:
    print(f"{m:40} {lc+lm:8d} {pct(lc,lm):6.1f}% {bc+bm:9d} {pct(bc,bm):7.1f}%")
lib = [r for r in rows if not r[0].startswith(("verification/", "samples"))]  # not library code
T = [sum(r[i] for r in lib) for i in range(1, 5)]
print(f"{'library and integration modules':40} {T[0]+T[1]:8d} {pct(T[0],T[1]):6.1f}% {T[2]+T[3]:9d} {pct(T[2],T[3]):7.1f}%")
PY
