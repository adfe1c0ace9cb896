#!/usr/bin/env bash
# bench/outbound.sh - Tacit's delivery rate to other hosts and over LMTP, end to end: Postfix's
# smtp-source offers N messages to an alias that points elsewhere (SMTP, through a static route) or
# to a local user (LMTP); Postfix's smtp-sink takes them (with -L for LMTP). Reports accepted msg/s,
# delivered msg/s (from accept of the first to the last "stat=Sent" log line) and server CPU ms/msg.
#
# usage: bench/outbound.sh      (root not needed; postfix extracted by .ci/audit-peers.sh or fetched here)
#   env: N=2000 CONC=10 WORK=/var/tmp/tacit-bench-out
# All traffic is on 127.0.0.1; every run is bounded by count and by `timeout`.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
WORK=${WORK:-/var/tmp/tacit-bench-out}
N=${N:-2000}
CONC=${CONC:-10}
OUT=${OUT:-$ROOT/bench/results/outbound-$(date +%Y%m%dT%H%M%S).md}
mkdir -p "$WORK/deb" "$(dirname "$OUT")"
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

PFX=${TACIT_PEERS:-/var/tmp/tacit-peers}/postfix
if [ ! -x "$PFX/usr/sbin/smtp-sink" ]; then
    PFX=$WORK/postfix
    if [ ! -x "$PFX/usr/sbin/smtp-sink" ]; then
        log "fetching Debian's postfix package for smtp-source and smtp-sink"
        (cd "$WORK/deb" && apt-get download postfix >/dev/null)
        dpkg -x "$WORK"/deb/postfix_*.deb "$PFX"
    fi
fi
export LD_LIBRARY_PATH=$PFX/usr/lib/postfix
SRC=$PFX/usr/sbin/smtp-source
SINK=$PFX/usr/sbin/smtp-sink

[ -f "$ROOT/target/tacit.jar" ] || (cd "$ROOT" && ./mvnw -q -B -DskipTests package)
JAVA=$(bash -c "source <(sed -n '/^java_major()/,/^}/p;/^find_java()/,/^}/p' '$ROOT/tacit'); find_java")
DATA=$WORK/tacit
TACIT_PID=; SINK_PID=
stop_all() {
    [ -n "$TACIT_PID" ] && { kill "$TACIT_PID" 2>/dev/null || true; wait "$TACIT_PID" 2>/dev/null || true; }
    [ -n "$SINK_PID" ] && { kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; }
    TACIT_PID=; SINK_PID=
}
trap stop_all EXIT

wait_port() { for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

# start mode(smtp|lmtp)
start() {
    local mode=$1 sinkport port delivery
    sinkport=$(free_port); port=$(free_port)
    local user=(); [ "$(id -u)" = 0 ] && user=(-u nobody)
    if [ "$mode" = lmtp ]; then
        "$SINK" "${user[@]}" -L -h sink.test "127.0.0.1:$sinkport" 200 >/dev/null 2>&1 &
        delivery="local = \"lmtp\"
lmtp = \"127.0.0.1:$sinkport\""
    else
        "$SINK" "${user[@]}" -h sink.test "127.0.0.1:$sinkport" 200 >/dev/null 2>&1 &
        delivery="routes = [\"example.net=127.0.0.1:$sinkport\"]"
    fi
    SINK_PID=$!
    wait_port "$sinkport" || { log "smtp-sink did not start"; exit 1; }
    rm -rf "$DATA"; mkdir -p "$DATA"
    printf 'user1:Bench User\n' > "$DATA/users"
    printf 'out: someone@example.net\n' > "$DATA/aliases"
    cat > "$DATA/tacit.toml" <<TOML
listen = ["127.0.0.1:$port"]
admin_listen = "off"
hostname = "bench.test"
data_dir = "."
log_level = 9
[log]
stdout = false
file = "maillog"
[limits]
max_connections_per_client = 1000
[delivery]
$delivery
TOML
    "$JAVA" -Xms256m -jar "$ROOT/target/tacit.jar" serve --config "$DATA/tacit.toml" > "$WORK/tacit.log" 2>&1 &
    TACIT_PID=$!
    wait_port "$port" || { log "tacit did not start"; cat "$WORK/tacit.log"; exit 1; }
    PORT=$port
}

sent() { grep -c 'stat=Sent' "$DATA/maillog" 2>/dev/null || true; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$TACIT_PID/stat"; }
now() { date +%s.%N; }

# run rcpt n -> "accept_rate e2e_rate cpu_ms_per_msg"
run() {
    local rcpt=$1 n=$2 before c0 t0 t1 t2 c1
    before=$(sent); c0=$(cpu_ticks); t0=$(now)
    timeout 300 "$SRC" -l 1024 -m "$n" -s "$CONC" -f bench@example.org -t "$rcpt" "127.0.0.1:$PORT" >/dev/null
    t1=$(now)
    for _ in $(seq 1 3000); do
        [ $(( $(sent) - before )) -ge "$n" ] && break
        sleep 0.1
    done
    t2=$(now); c1=$(cpu_ticks)
    [ $(( $(sent) - before )) -ge "$n" ] || log "only $(( $(sent) - before )) of $n delivered in time"
    awk -v n="$n" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%.0f %.0f %.3f\n", n/(b-a), n/(c-a), d*1000/hz/n }'
}

{
    echo "# Tacit outbound and LMTP delivery, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "Machine: $(nproc) CPUs, $(uname -r); JVM: $("$JAVA" -version 2>&1 | head -1)"
    echo "Load: smtp-source, $N messages of 1 KB, $CONC sessions; receiver: smtp-sink on loopback; spool fsync on."
    echo
    echo "| path | accepted msg/s | delivered msg/s (end to end) | server CPU ms/msg |"
    echo "|---|---|---|---|"
} > "$OUT"
start smtp
run out@bench.test 200 >/dev/null   # warm-up
read -r acc e2e cpu < <(run out@bench.test "$N")
echo "| SMTP to a remote host (alias -> static route), one connection per message | $acc | $e2e | $cpu |" >> "$OUT"
stop_all
start lmtp
run user1@bench.test 200 >/dev/null
read -r acc e2e cpu < <(run user1@bench.test "$N")
echo "| LMTP to a local store, one session per message | $acc | $e2e | $cpu |" >> "$OUT"
stop_all
cat "$OUT"
