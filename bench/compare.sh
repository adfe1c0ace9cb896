#!/usr/bin/env bash
# bench/compare.sh - Postfix and Tacit under the same load tools in one run; writes docs/performance.md.
#
# Runs shared/bench/postfix-anchor.sh (Postfix 3.7 from Debian's package in a private tree; needs root)
# and bench/tacit-load.sh with the same smtp-source and smtpbench binaries, in rounds: each round is
# one run of every acceptance and session load on each server, Postfix first in odd rounds and Tacit
# first in even ones. This machine's speed drifts by up to a third over minutes (a shared host: the
# same Tacit load gave 1,366 and 2,071 msg/s ten minutes apart), so both servers see the same drift.
# Then memory once each, and bench/compare.py puts both side by side as ratios.
#   env: RUNS rounds (default 3), CONCS (default "10 50"), QUICK=1 (small counts, one round), PFX_WORK
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
export SHARED=${SHARED:-$(cd "$ROOT/../shared" && pwd)}
OUT=${OUT:-$ROOT/bench/results/compare-$(date +%Y%m%dT%H%M%S)}
export RUNS=${RUNS:-3} CONCS=${CONCS:-"10 50"} QUICK=${QUICK:-0} PFX_WORK=${PFX_WORK:-/var/tmp/postfix-anchor}
[ "$QUICK" = 1 ] && RUNS=1
mkdir -p "$OUT"
(cd "$ROOT" && ./mvnw -q -B -DskipTests package)
ANCHOR=$SHARED/bench/postfix-anchor.sh
PFX_RESULTS=$OUT/postfix bash "$ANCHOR" setup fsync
postfix_round() {  # the anchor numbers every run 1; its rows join postfix/raw.csv as run $1
    PFX_RESULTS=$OUT/postfix-round$1 RUNS=1 bash "$ANCHOR" accept sessions
    tail -n +2 "$OUT/postfix-round$1/raw.csv" | awk -F, -v OFS=, -v r="$1" '{$6 = r; print}' >> "$OUT/postfix/raw.csv"
}
# Tacit's data is moved aside, not deleted, until the end: deleting 100,000 files slows the next
# round's new inodes on this ext4 (see tacit-load.sh), and the next round may be Postfix's. (The
# anchor clears its own Maildirs when it exits, some 5,000 files, so Tacit's odd rounds start just
# after a deletion and its even rounds do not: against Tacit, if anything.)
trap 'rm -rf "$PFX_WORK/trash"' EXIT
tacit_round() { RESULTS=$OUT/tacit RUNS=1 RUN_FIRST=$1 PARTS="sessions defense" KEEP_DATA=1 bash "$HERE/tacit-load.sh"; }
for r in $(seq 1 "$RUNS"); do
    if [ $((r % 2)) = 1 ]; then postfix_round "$r"; tacit_round "$r"; else tacit_round "$r"; postfix_round "$r"; fi
done
PFX_RESULTS=$OUT/postfix-memory RUNS=1 bash "$ANCHOR" memory
tail -n +2 "$OUT/postfix-memory/raw.csv" >> "$OUT/postfix/raw.csv"
RESULTS=$OUT/tacit RUNS=0 PARTS=memory bash "$HERE/tacit-load.sh"
{ python3 "$HERE/compare.py" "$OUT/postfix/raw.csv" "$OUT/tacit/raw.csv" "$OUT/postfix/env.txt"; echo; cat "$HERE/profile-notes.md"; } > "$ROOT/docs/performance.md"
echo "docs/performance.md written; raw data in $OUT"
