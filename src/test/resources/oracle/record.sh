#!/usr/bin/env bash
# Re-record every golden transcript in transcripts/ from real sendmail 8.17 (Debian 12).
#
# Runs the team's shared oracle script (../shared/oracle/sendmail/run-oracle.sh) unchanged, but on
# this directory's scenarios/ and variants/: it stages a temporary oracle tree whose scenarios are a
# symlink to ours and whose variants are ours plus one line (ForwardPath off, below), so the shared
# script picks them up. Run as root; it installs
# sendmail-bin, sendmail-cf and m4 unless INSTALL=0, and creates the oracle's test users.
#
#   src/test/resources/oracle/record.sh            # everything (about 10 minutes)
#   PASSES="bt" src/test/resources/oracle/record.sh  # only the -bt recordings
#   PASSES=rulesets ONLY=r11_rs_more_d ...           # only these scenarios (space-separated)
#
# Passes: presets (p*.scn on every privacy/log/limits variant, tcp + bs), rulesets (r*.scn on
# default and the rs_* variants, tcp + bs), bt (scenarios/bt-tests.txt through sendmail -bt on the
# rule-set variants).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../../.." && pwd)
SHARED=${SHARED:-$(cd "$REPO/../shared/oracle" && pwd)}
OUT=${OUT:-$HERE/transcripts}
# our own work dir: another engineer may run the oracle (default /var/lib/sendmail-oracle) at once
WORK=${WORK:-/var/lib/sendmail-oracle-rules}
PORT=${PORT:-2526}
PASSES=${PASSES:-"presets rulesets bt"}

PRESET_VARIANTS="default public debian goaway novrfy noexpn novrfy_noexpn needvrfyhelo needexpnhelo
  needmailhelo noverb restrictmailq restrictexpand noetrn noreceipts loglevel5 loglevel15 limits
  matchgecos noreflection rs_forbid rs_selective rs_results"
RULESET_VARIANTS="default rs_forbid rs_selective rs_results rs_more"
BT_VARIANTS="default rs_selective rs_results rs_forbid rs_more rwtest rwmore rwerrors"

STAGE=$(mktemp -d /tmp/oracle-stage.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/sendmail"
ln -s "$SHARED/replay.py" "$STAGE/replay.py"
ln -s "$SHARED/sendmail/run-oracle.sh" "$STAGE/sendmail/run-oracle.sh"
ln -s "$SHARED/sendmail/syslog_sink.py" "$STAGE/sendmail/syslog_sink.py"
ln -s "$HERE/scenarios" "$STAGE/sendmail/scenarios"
# Tacit has no ~/.forward files, so the recordings are made with sendmail's ForwardPath pointing at a
# file nobody has: every staged variant gets that one define, and is otherwise our copy unchanged.
mkdir -p "$STAGE/sendmail/variants"
for v in "$HERE"/variants/*.mc; do
    { echo "define(\`confFORWARD_PATH', \`\$z/.forward-tacit-oracle-none')dnl"; cat "$v"; } > "$STAGE/sendmail/variants/$(basename "$v")"
done

names() {
    if [ -n "${ONLY:-}" ]; then echo "$ONLY"; return; fi
    (cd "$HERE/scenarios" && ls "$1"*.scn | sed 's/\.scn$//' | tr '\n' ' ')
}

run() { env WORK="$WORK" PORT="$PORT" OUT="$OUT" "$@" bash "$STAGE/sendmail/run-oracle.sh"; }

for pass in $PASSES; do
    case $pass in
    presets)
        run MODES="tcp bs" VARIANTS="$(echo $PRESET_VARIANTS)" SCENARIOS="$(names p)" SMTP_SKIP="" ;;
    rulesets)
        run MODES="tcp bs" VARIANTS="$RULESET_VARIANTS" SCENARIOS="$(names r)" SMTP_SKIP="" \
            BS_VARIANTS="rs_selective" INSTALL=0 ;;
    bt)
        run MODES="bt" VARIANTS="$BT_VARIANTS" BT_VARIANTS="$BT_VARIANTS" INSTALL=0 ;;
    *) echo "unknown pass $pass" >&2; exit 2 ;;
    esac
done
echo "transcripts in $OUT"
