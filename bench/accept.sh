#!/usr/bin/env bash
# bench/accept.sh - Tacit's durable acceptance rate, measured with Postfix's smtp-source (a load
# generator that is not ours), next to this machine's fsync rate.
#
#   accepted 1 KB messages/s at concurrency 1, 10, 50 (one message per session, and persistent
#   sessions with -d), end-to-end rate into Maildir, server CPU ms per message, sessions/s
#   (connect, EHLO, QUIT) at concurrency 50 with shared/bench/tools/smtpbench.c.
#
# usage: bench/accept.sh            (root not needed; needs gcc, apt-get download, python3)
#   env: N=5000 messages per run, CONCS="1 10 50", WORK=/var/tmp/tacit-bench (a disk, not tmpfs)
# All traffic is on 127.0.0.1; every load run is bounded by count (-m) and by `timeout`.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
WORK=${WORK:-/var/tmp/tacit-bench}
N=${N:-5000}
CONCS=${CONCS:-"1 10 50"}
PORT=${PORT:-2526}
OUT=${OUT:-$ROOT/bench/results/accept-$(date +%Y%m%dT%H%M%S).md}
mkdir -p "$WORK/bin" "$WORK/deb" "$(dirname "$OUT")"

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

# --- load tools: smtp-source from Debian's postfix package (extracted, not installed) -----------
PFX=$WORK/postfix
if [ ! -x "$PFX/usr/sbin/smtp-source" ]; then
    log "fetching Debian's postfix package for smtp-source"
    (cd "$WORK/deb" && apt-get download postfix >/dev/null)
    dpkg -x "$WORK"/deb/postfix_*.deb "$PFX"
fi
export LD_LIBRARY_PATH=$PFX/usr/lib/postfix
SRC=$PFX/usr/sbin/smtp-source
[ -x "$WORK/bin/smtpbench" ] || cc -O2 -o "$WORK/bin/smtpbench" "$SHARED/bench/tools/smtpbench.c"
[ -x "$WORK/bin/fsync-rate" ] || cc -O2 -pthread -o "$WORK/bin/fsync-rate" "$SHARED/bench/tools/fsync-rate.c"

# --- Tacit -------------------------------------------------------------------------------------
[ -f "$ROOT/target/tacit.jar" ] || (cd "$ROOT" && ./mvnw -q -B -DskipTests package)
JAVA=$(bash -c "source <(sed -n '/^java_major()/,/^}/p;/^find_java()/,/^}/p' '$ROOT/tacit'); find_java")
DATA=$WORK/tacit
start_tacit() {
    rm -rf "$DATA"; mkdir -p "$DATA"
    printf 'user1:Bench User\n' > "$DATA/users"
    : > "$DATA/aliases"
    cat > "$DATA/tacit.toml" <<TOML
listen = ["127.0.0.1:$PORT"]
hostname = "bench.test"
data_dir = "."
log_level = 0
[limits]
max_connections_per_client = 1000
max_connections = 5000
TOML
    "$JAVA" -Xms256m -jar "$ROOT/target/tacit.jar" serve --config "$DATA/tacit.toml" > "$WORK/tacit.log" 2>&1 &
    TACIT_PID=$!
    for _ in $(seq 1 100); do
        (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && return 0
        sleep 0.1
    done
    log "tacit did not start"; cat "$WORK/tacit.log"; exit 1
}
stop_tacit() { kill "$TACIT_PID" 2>/dev/null || true; wait "$TACIT_PID" 2>/dev/null || true; }
trap stop_tacit EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$TACIT_PID/stat"; }
delivered() { { find "$DATA/mail/user1/new" -type f 2>/dev/null || true; } | wc -l; }
now() { date +%s.%N; }

# run mode(session|persist) conc -> "accept_rate e2e_rate cpu_ms_per_msg"
run_load() {
    local mode=$1 conc=$2 dflag=
    [ "$mode" = persist ] && dflag=-d
    local before c0 t0 t1 t2 c1
    before=$(delivered); c0=$(cpu_ticks); t0=$(now)
    timeout 300 "$SRC" $dflag -l 1024 -m "$N" -s "$conc" -f bench@example.org -t user1@bench.test "127.0.0.1:$PORT" >/dev/null
    t1=$(now)
    for _ in $(seq 1 600); do
        [ $(( $(delivered) - before )) -ge "$N" ] && break
        sleep 0.05
    done
    t2=$(now); c1=$(cpu_ticks)
    awk -v n="$N" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%.0f %.0f %.3f\n", n/(b-a), n/(c-a), d*1000/hz/n }'
}

log "fsync rate of $WORK"
FS_NEW=$("$WORK/bin/fsync-rate" "$WORK" 5 fsync new 1)
FS_SAME=$("$WORK/bin/fsync-rate" "$WORK" 5 fsync same 1)

start_tacit
log "warm-up"
N_SAVE=$N; N=1000; run_load session 10 >/dev/null; N=$N_SAVE
{
    echo "# Tacit acceptance benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "Machine: $(nproc) CPUs, $(uname -r); JVM: $("$JAVA" -version 2>&1 | head -1)"
    echo "Load: Postfix smtp-source, $N messages of 1 KB per run, one recipient; durable (fsync before 250) and delivered to Maildir (fsync)."
    echo
    echo "fsync ceiling of the spool's filesystem (shared/bench/tools/fsync-rate.c, 1 thread):"
    echo "- new file + 1 KB + fsync: $FS_NEW"
    echo "- overwrite + fsync: $FS_SAME"
    echo
    echo "| concurrency | mode | accepted msg/s | delivered msg/s (end to end) | server CPU ms/msg |"
    echo "|---|---|---|---|---|"
} > "$OUT"
for c in $CONCS; do
    for mode in session persist; do
        log "smtp-source c=$c $mode"
        read -r acc e2e cpu < <(run_load "$mode" "$c")
        echo "| $c | $mode | $acc | $e2e | $cpu |" >> "$OUT"
    done
done
log "sessions (connect, EHLO, QUIT) c=50"
SESS=$(timeout 60 "$WORK/bin/smtpbench" -M sessions -c 50 -T 5 -p "$PORT")
{
    echo
    echo "Sessions (connect, banner, EHLO, QUIT), concurrency 50, smtpbench: $SESS"
    echo
    echo "Spool fsync batches: see the journal's group commit (queue.Spool.SyncStats)."
} >> "$OUT"
cat "$OUT"
