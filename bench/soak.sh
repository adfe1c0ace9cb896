#!/usr/bin/env bash
# bench/soak.sh - MINUTES (30) of mixed legitimate mail and probers against one Tacit (the shaded jar,
# a child process), then checks: zero lost messages (every 250 delivered to every final recipient,
# once), zero unexpected errors (client side, and ERROR/exception lines in the server's output), and
# heap and file descriptors flat (RSS, descriptors and heap sampled every 5 s; live heap after a full
# GC at 2 min, half time and the end). The load is dev.tacit.testing.SoakDriver.
#
# usage: bench/soak.sh            env: MINUTES=30 SENDERS=4 PROBERS=2 NICE=10 WORK=/var/tmp/tacit-soak PORT=2527
# Writes bench/results/soak-<date>.md (summary) and $WORK/result/samples.csv. Exit 1 when a check fails.
# Everything runs on 127.0.0.1 (probers bind other 127.x addresses); not part of ./mvnw verify.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
MINUTES=${MINUTES:-30}
SENDERS=${SENDERS:-4}
PROBERS=${PROBERS:-2}
NICE=${NICE:-10}
WORK=${WORK:-/var/tmp/tacit-soak}
PORT=${PORT:-2527}
OUT=${OUT:-$ROOT/bench/results/soak-$(date +%Y%m%dT%H%M%S).md}

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

cd "$ROOT"
log "building the jar and the test classes"
BUILT_FROM=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)  # HEAD may move during the run
nice -n "$NICE" ./mvnw -q -B -DskipTests package >&2
JAVA=$(bash -c "source <(sed -n '/^java_major()/,/^}/p;/^find_java()/,/^}/p' '$ROOT/tacit'); find_java")
JCMD=$(dirname "$(readlink -f "$JAVA")")/jcmd

rm -rf "$WORK"
mkdir -p "$WORK/data" "$WORK/result" "$(dirname "$OUT")"
printf 'gw:George Washington\ntj:Thomas Jefferson\nbf:Ben Franklin\nbr:Betsy Ross\njqp:John Q. Public\n' > "$WORK/data/users"
printf 'postmaster: gw\nabuse: gw\nall: gw, tj, bf, br, jqp\n' > "$WORK/data/aliases"
cat > "$WORK/data/tacit.toml" <<TOML
listen = ["127.0.0.1:$PORT"]
hostname = "mail.example.com"
local_domains = ["example.com"]
data_dir = "."
admin_listen = "off"
[log]
stdout = false
file = "mail.log"
TOML

nice -n "$NICE" "$JAVA" -Xms64m -Xmx512m --enable-native-access=ALL-UNNAMED -jar target/tacit.jar serve \
    --config "$WORK/data/tacit.toml" > "$WORK/tacit.out" 2>&1 &
TACIT_PID=$!
stop_tacit() { kill "$TACIT_PID" 2>/dev/null || true; wait "$TACIT_PID" 2>/dev/null || true; }
trap stop_tacit EXIT
for _ in $(seq 1 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.2
done
log "tacit pid $TACIT_PID on 127.0.0.1:$PORT; $MINUTES min of load ($SENDERS senders, $PROBERS probers)"

set +e
nice -n "$NICE" "$JAVA" -cp "target/test-classes:target/tacit.jar" dev.tacit.testing.SoakDriver \
    "$PORT" "$WORK/data" "$TACIT_PID" "$MINUTES" "$JCMD" "$WORK/result" "$SENDERS" "$PROBERS" > "$WORK/driver.out" 2>&1
driver=$?
set -e
alive=no; kill -0 "$TACIT_PID" 2>/dev/null && alive=yes
stop_tacit
trap - EXIT
server_errors=$(grep -c -E ' ERROR |Exception|OutOfMemory' "$WORK/tacit.out" || true)

# flatness: load minutes 2-5 against the last 3 minutes of load
flat=$(awk -F, -v m="$MINUTES" 'NR > 1 && $1 <= m * 60 {
        if ($1 >= 120 && $1 < 300) { a++; ra += $2; fa += $3 }
        if ($1 >= m * 60 - 180) { b++; rb += $2; fb += $3 }
    } END {
        if (a == 0 || b == 0) { print "n/a"; exit }
        printf "RSS %.0f -> %.0f MB, fds %.0f -> %.0f", ra / a / 1024, rb / b / 1024, fa / a, fb / b
    }' "$WORK/result/samples.csv")
pick() { awk -F, -v t="$1" 'NR > 1 && $1 + 0 >= t + 0 { printf "%d s: RSS %d MB, %d fds, heap in use %d MB, %d threads", $1, $2 / 1024, $3, $4 / 1024, $5; exit }' "$WORK/result/samples.csv"; }
{
    echo "# Soak, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "$MINUTES min, $SENDERS legitimate senders and $PROBERS probers against one Tacit (\`-Xmx512m\`, default config but"
    echo "log to a file), on $(nproc) CPUs shared with other work (nice $NICE); jar built from commit $BUILT_FROM."
    echo
    echo '```'
    cat "$WORK/result/summary.txt"
    echo '```'
    echo
    echo "| when | sample |"
    echo "|---|---|"
    echo "| start | $(pick 0) |"
    echo "| middle | $(pick "$(awk -v m="$MINUTES" 'BEGIN { print m * 30 }')") |"
    echo "| end of load | $(pick "$(awk -v m="$MINUTES" 'BEGIN { print m * 60 - 10 }')") |"
    echo
    echo "Flat? load minutes 2-5 vs the last 3: $flat."
    echo
    echo "Live heap (after a full GC):"
    grep "live heap" "$WORK/result/summary.txt" | sed 's/^/- /' || true
    echo "Server output: $server_errors ERROR/exception line(s); process alive at the end: $alive. Driver exit: $driver."
    echo "Samples every 5 s: $WORK/result/samples.csv."
} > "$OUT"
cat "$OUT"
[ "$driver" -eq 0 ] && [ "$server_errors" -eq 0 ] && [ "$alive" = yes ]
