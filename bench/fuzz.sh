#!/usr/bin/env bash
# bench/fuzz.sh - fuzz every parser that takes outside input with Jazzer, one target after another,
# each for MINUTES minutes, and report execs, coverage and findings per target.
#
# usage: bench/fuzz.sh [Class#method ...]        (default: every target below)
#   env: MINUTES=10 per target, NICE=10, WORK=/var/tmp/tacit-fuzz
#
# The fuzzing runs in a copy of this working tree under $WORK/tree (tracked and new files, not target/),
# so building in the real tree meanwhile cannot swap classes under a fuzzing JVM. Jazzer's growing
# corpus stays in $WORK/tree/.cifuzz-corpus between runs. Findings (crash-*, timeout-*) that Jazzer
# writes next to the committed inputs are copied back into this tree's src/test/resources, where
# `./mvnw verify` replays them as regression inputs once renamed and fixed. The summary goes to
# bench/results/fuzz-<date>.md. Exit status: 1 if any target found something.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
MINUTES=${MINUTES:-10}
NICE=${NICE:-10}
WORK=${WORK:-/var/tmp/tacit-fuzz}
OUT=$(realpath -m "${OUT:-$ROOT/bench/results/fuzz-$(date +%Y%m%dT%H%M%S).md}")  # the run cds into its copy

TARGETS=(
    dev.tacit.smtp.DataReaderFuzzTest#read
    dev.tacit.smtp.PathArgumentFuzzTest#parse
    dev.tacit.server.SessionInputFuzzTest#lines
    dev.tacit.server.SessionFuzzTest#session
    dev.tacit.config.ConfigLoaderFuzzTest#parse
    dev.tacit.directory.AliasesFuzzTest#files
    dev.tacit.rules.TokenizerFuzzTest#tokenize
    dev.tacit.rules.RuleFileFuzzTest#parseAndRun
    dev.tacit.lint.LintFuzzTest#sendmail
    dev.tacit.lint.LintFuzzTest#postfix
    dev.tacit.lint.LintFuzzTest#exim
    dev.tacit.audit.AuditReplyFuzzTest#replies
    dev.tacit.audit.AuditReplyFuzzTest#audit
)
[ $# -gt 0 ] && TARGETS=("$@")

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

# --- a private copy of the tree ------------------------------------------------------------------
mkdir -p "$WORK/tree" "$WORK/logs" "$(dirname "$OUT")"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard) \
    | (cd "$ROOT" && tar --null -T - -cf -) | (cd "$WORK/tree" && tar -xf -)
cd "$WORK/tree"
log "building the copy in $WORK/tree"
nice -n "$NICE" ./mvnw -q -B test-compile >&2

{
    echo "# Fuzzing run, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "Jazzer (jazzer-junit, libFuzzer), $MINUTES min per target, nice $NICE, on $(nproc) CPUs shared with other builds;"
    echo "commit $(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && git diff --quiet || echo ' (with local changes)')."
    echo
    echo "| target | execs | exec/s | coverage (edges) | corpus | findings |"
    echo "|---|---|---|---|---|---|"
} > "$OUT"

found=0
for t in "${TARGETS[@]}"; do
    cls=${t%%#*}; method=${t##*#}
    inputs="src/test/resources/$(echo "${cls%.*}" | tr . /)/${cls##*.}Inputs/$method"
    mkdir -p "$inputs"
    before=$(ls "$inputs" | sort)
    logf="$WORK/logs/${cls##*.}-$method.log"
    log "fuzzing $t for $MINUTES min"
    # the extra five minutes cover Maven, the Jazzer agent and the last input; a hang is killed
    JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${MINUTES}m" timeout --kill-after=30 $((MINUTES * 60 + 300)) \
        nice -n "$NICE" ./mvnw -B test -Dtest="$t" -Dsurefire.failIfNoSpecifiedTests=false > "$logf" 2>&1 || true
    done_line=$(grep -a -E '^Done [0-9]+ runs in [0-9]+ second' "$logf" | tail -1 || true)
    runs=$(echo "$done_line" | awk '{print $2}'); secs=$(echo "$done_line" | awk '{print $5}')
    stat=$(grep -a -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "$logf" | tail -1 || true)
    cov=$(echo "$stat" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    corp=$(echo "$stat" | sed -n 's/.*corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p')
    new=$(comm -13 <(echo "$before") <(ls "$inputs" | sort) | grep -E '^(crash|timeout|leak|oom)-' || true)
    what=$(grep -a -m1 -E 'FuzzTestFindingException|Caused by' "$logf" | sed 's/^.*Exception: //; s/|/\\|/g' | cut -c1-160 || true)
    if [ -n "$new" ]; then
        found=1
        mkdir -p "$ROOT/$inputs"
        for f in $new; do cp "$inputs/$f" "$ROOT/$inputs/$f"; done
        findings="$(echo "$new" | tr '\n' ' ')- $what"
    elif [ -z "$done_line" ]; then
        found=1
        findings="no summary: see $logf"
    else
        findings="none"
    fi
    rate=""
    [ -n "$runs" ] && [ -n "$secs" ] && [ "$secs" -gt 0 ] && rate=$((runs / secs))
    echo "| \`$t\` | ${runs:-?} | ${rate:-?} | ${cov:-?} | ${corp:-?} | $findings |" >> "$OUT"
    log "$t: ${runs:-?} runs in ${secs:-?} s, cov ${cov:-?}, findings: $findings"
done
{
    echo
    echo "Logs: $WORK/logs. Findings were copied into src/test/resources next to the committed inputs."
} >> "$OUT"
cat "$OUT"
exit $found
