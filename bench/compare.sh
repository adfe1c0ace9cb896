#!/usr/bin/env bash
# bench/compare.sh - Postfix and Tacit under the same load tools in one run; writes docs/performance.md.
#
# Runs shared/bench/postfix-anchor.sh (Postfix 3.7 from Debian's package in a private tree; needs root)
# for acceptance, sessions, fsync and memory, then bench/tacit-load.sh with the same smtp-source and
# smtpbench binaries, then bench/compare.py to put both side by side as ratios.
#   env: RUNS (default 3), CONCS (default "10 50"), QUICK=1 (small counts, one run), PFX_WORK
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
export SHARED=${SHARED:-$(cd "$ROOT/../shared" && pwd)}
OUT=${OUT:-$ROOT/bench/results/compare-$(date +%Y%m%dT%H%M%S)}
export RUNS=${RUNS:-3} CONCS=${CONCS:-"10 50"} QUICK=${QUICK:-0} PFX_WORK=${PFX_WORK:-/var/tmp/postfix-anchor}
[ "$QUICK" = 1 ] && RUNS=1
mkdir -p "$OUT"
(cd "$ROOT" && ./mvnw -q -B -DskipTests package)
PFX_RESULTS=$OUT/postfix bash "$SHARED/bench/postfix-anchor.sh" setup fsync accept sessions memory
RESULTS=$OUT/tacit bash "$HERE/tacit-load.sh"
{ python3 "$HERE/compare.py" "$OUT/postfix/raw.csv" "$OUT/tacit/raw.csv" "$OUT/postfix/env.txt"; echo; cat "$HERE/profile-notes.md"; } > "$ROOT/docs/performance.md"
echo "docs/performance.md written; raw data in $OUT"
