#!/usr/bin/env bash
# bench/tacit-load.sh - Tacit under the same loads and tools as shared/bench/postfix-anchor.sh
# (Postfix's smtp-source, shared/bench/tools/smtpbench.c, cpusnap.py), writing rows in the same
# raw.csv format so both can be summarised side by side (bench/compare.sh does that).
#
#   env: PFX_WORK   postfix-anchor's work tree (smtp-source and smtpbench are taken from it;
#                   run `postfix-anchor.sh setup` first); Tacit's data goes under it too (a disk)
#        RESULTS    where raw.csv and run.log go
#        RUNS       repetitions (default 1; 0 with PARTS=memory for memory alone), RUN_FIRST the first
#                   run's number (default 1), CONCS (default "10 50"), QUICK=1 for small counts
#        PARTS      what runs besides acceptance and delivery (default "sessions defense memory")
# Every load is bounded by a message count and by `timeout`; all traffic is on 127.0.0.1.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${SHARED:-$(cd "$ROOT/../shared" && pwd)}
WORK=${PFX_WORK:-/var/tmp/postfix-anchor}
RESULTS=${RESULTS:-$ROOT/bench/results/tacit-$(date +%Y%m%dT%H%M%S)}
RUNS=${RUNS:-1}
RUN_FIRST=${RUN_FIRST:-1}
CONCS=${CONCS:-"10 50"}
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then N_SMALL=1000; N_BIG=200; IDLE=2000; else N_SMALL=5000; N_BIG=1000; IDLE=10000; fi
BIN=$WORK/bin
SRC=$WORK/root/usr/sbin/smtp-source
export LD_LIBRARY_PATH=$WORK/root/usr/lib/postfix
PORT=2535
# Nothing is deleted while the load runs: this disk is ext4 without a journal, where every new inode
# skips the inodes freed in the last 60-300 s (ext4's recently_deleted()); after deleting the 60,000
# files of a warm-up, a Maildir delivery took 3 times as long (perf: find_inode_bit, recently_deleted).
# So each Tacit gets a folder of its own, delivered mail is moved aside, and all of it goes at the end.
DATA_ROOT=$WORK/tacit
DATA=
STARTS=0
JAVA=$(bash -c "source <(sed -n '/^java_major()/,/^}/p;/^find_java()/,/^}/p' '$ROOT/tacit'); find_java")
TACIT_PID=
mkdir -p "$RESULTS"
CSV_HEADER="test,variant,note,size,conc,run,count,secs,rate,e2e_secs,e2e_rate,cpu_busy_pct,cpu_iowait_pct,other_pct,server_cpu_ms_per_op,client_cpu_s,pre_busy_pct,kernel_pct"
[ -f "$RESULTS/raw.csv" ] || echo "$CSV_HEADER" > "$RESULTS/raw.csv"
log() { printf '[%s] %s\n' "$(date +%T)" "$*" | tee -a "$RESULTS/run.log" >&2; }
csv() { echo "$*" >> "$RESULTS/raw.csv"; }
now() { date +%s.%N; }
[ -x "$SRC" ] && [ -x "$BIN/smtpbench" ] || { log "run postfix-anchor.sh setup first (needs $SRC and $BIN/smtpbench)"; exit 1; }
[ -f "$ROOT/target/tacit.jar" ] || (cd "$ROOT" && ./mvnw -q -B -DskipTests package)

# start_tacit TOML-LINES... : a fresh data folder, one user (user1@bench.test), Tacit's defaults otherwise
start_tacit() {
    stop_tacit
    STARTS=$((STARTS + 1)); DATA=$DATA_ROOT/$STARTS
    mkdir -p "$DATA"
    printf 'user1:Bench User\nuser2:Bench User Two\n' > "$DATA/users"
    : > "$DATA/aliases"
    {
        echo "listen = [\"127.0.0.1:$PORT\"]"
        echo 'hostname = "bench.test"'
        echo 'data_dir = "."'
        echo 'admin_listen = "off"'
        for l in "$@"; do echo "$l"; done
        echo '[limits]'
        echo 'max_connections = 30000'
        echo 'max_connections_per_client = 30000'
        echo 'max_message_size = "10M"'
        echo '[log]'
        echo 'stdout = false'
    } > "$DATA/tacit.toml"
    ulimit -n 65536 2>/dev/null || true
    "$JAVA" ${TACIT_JAVA_OPTS:-} -jar "$ROOT/target/tacit.jar" serve --config "$DATA/tacit.toml" > "$RESULTS/tacit-$PORT.log" 2>&1 &
    TACIT_PID=$!
    local i
    for i in $(seq 1 150); do
        (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && { log "tacit started (pid $TACIT_PID): $*"; return 0; }
        sleep 0.1
    done
    log "tacit did not start"; cat "$RESULTS/tacit-$PORT.log" >&2; exit 1
}
stop_tacit() {
    if [ -n "$TACIT_PID" ] && kill -0 "$TACIT_PID" 2>/dev/null; then kill "$TACIT_PID"; wait "$TACIT_PID" 2>/dev/null || true; fi
    TACIT_PID=
}
# The defence's pair: a trusting Tacit on $PORT ("off") and a default one on $PORT+1 ("on"); use_tacit
# points PORT, DATA and TACIT_PID (which src_run, warm_up and snap use) at one of them.
PAIR_PORT=$PORT
start_pair() {
    PORT=$PAIR_PORT; start_tacit "$TRUSTED"; OFF_PID=$TACIT_PID OFF_DATA=$DATA
    TACIT_PID=; PORT=$((PAIR_PORT + 1)); start_tacit; ON_PID=$TACIT_PID ON_DATA=$DATA
}
use_tacit() {
    if [ "$1" = off ]; then PORT=$PAIR_PORT TACIT_PID=$OFF_PID DATA=$OFF_DATA; else PORT=$((PAIR_PORT + 1)) TACIT_PID=$ON_PID DATA=$ON_DATA; fi
}
stop_pair() { use_tacit on; stop_tacit; use_tacit off; stop_tacit; PORT=$PAIR_PORT; }
# set_aside: the delivered mail of a run leaves user1's Maildir without being deleted (see DATA_ROOT)
set_aside() { [ -d "$DATA/mail/user1" ] && mv "$DATA/mail/user1" "$DATA/mail/done-$(date +%s%N)"; return 0; }
# KEEP_DATA=1 moves it under $WORK/trash instead (for runs back to back; delete that when done)
cleanup() {
    stop_tacit
    local p
    for p in ${OFF_PID:-} ${ON_PID:-}; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    if [ "${KEEP_DATA:-0}" = 1 ]; then mkdir -p "$WORK/trash" && mv "$DATA_ROOT" "$WORK/trash/tacit-$(date +%s%N)"; else rm -rf "$DATA_ROOT"; fi
}
rm -rf "$DATA_ROOT"
trap cleanup EXIT

snap() { python3 "$SHARED/bench/tools/cpusnap.py" "$TACIT_PID"; }
machine_busy_1s() {
    local a b; a=$(snap); sleep 1; b=$(snap)
    awk -v a="$a" -v b="$b" 'BEGIN{split(a,x," "); split(b,y," "); t=y[2]-x[2]; if(t<=0)t=1; printf "%.0f", 100*(y[1]-x[1])/t}'
}
PRE_BUSY=NaN
wait_quiet() {
    local i
    for i in $(seq 1 "${QUIET_MAX:-30}"); do PRE_BUSY=$(machine_busy_1s); [ "$PRE_BUSY" -lt 25 ] && return 0; done
    log "  (machine still ${PRE_BUSY}% busy; running anyway)"
}
cpu_fields() {
    awk -v a="$1" -v b="$2" -v n="$3" -v cl="$4" -v hz="$(getconf CLK_TCK)" 'BEGIN{
      split(a,x," "); split(b,y," "); t=y[2]-x[2]; if(t<=0)t=1;
      busy=y[1]-x[1]; ours=y[4]-x[4]; kern=y[5]-x[5]; other=busy-ours-kern-cl*hz; if(other<0)other=0;
      printf "%.0f %.0f %.0f %.3f %.0f", 100*busy/t, 100*(y[3]-x[3])/t, 100*other/t, (n>0? 1000*ours/hz/n : 0), 100*kern/t }'
}
client_cpu() { awk '{printf "%.2f", $1+$2}' "$1" 2>/dev/null || echo 0; }
# The anchor's wait_delivered (list new/ every 50 ms until N are there), except that its Python is
# started before the load and told the moment the load ends. The anchor starts two Pythons (cpusnap,
# then the waiter) between the end of the load and its first look, about 180 ms here: 3% of Postfix's
# 5-second runs, but 13% of Tacit's 1.3-second ones (docs/performance.md says so beside the figures).
start_waiter() {  # N : starts the waiter; after `end_waiter t0`, $WAITER_OUT holds seconds from t0 until N delivered
    WAITER_GO=$RESULTS/waiter.go; WAITER_OUT=$RESULTS/waiter.out
    rm -f "$WAITER_GO" "$WAITER_OUT"; mkfifo "$WAITER_GO"
    python3 - "$DATA/mail/user1/new" "$1" "$WAITER_GO" > "$WAITER_OUT" <<'PY' &
import os, sys, time
d, want, go = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t0 = float(open(go).read())   # blocks until the load has ended
deadline = time.time() + 300
while True:
    try: n = len(os.listdir(d))
    except FileNotFoundError: n = 0
    if n >= want: print("%.3f" % (time.time() - t0)); break
    if time.time() > deadline: print("NaN"); sys.stderr.write("timeout: %d/%d delivered\n" % (n, want)); break
    time.sleep(0.05)
PY
    WAITER_PID=$!
}
go_waiter() { echo "$1" > "$WAITER_GO"; }  # t0: the load has ended, start counting
end_waiter() { wait "$WAITER_PID" || true; rm -f "$WAITER_GO"; }  # not in a subshell: it waits for its child

# src_run mode(session|persist) size conc count run [tag]
src_run() {
    local mode=$1 size=$2 conc=$3 count=$4 run=$5 tag=${6:-} dflag=
    [ "$mode" = persist ] && dflag=-d
    set_aside
    sync; wait_quiet
    local s0 s1 s2 t0 t1 e2e tf=$RESULTS/client.time rc=0
    start_waiter "$count"; sleep 0.5
    s0=$(snap); t0=$(now)
    timeout 300 /usr/bin/time -f '%U %S' -o "$tf" "$SRC" $dflag -l "$size" -m "$count" -s "$conc" -f from@example.com \
        -t user1@bench.test "127.0.0.1:$PORT" >/dev/null 2>>"$RESULTS/smtp-source.err" || rc=$?
    t1=$(now); go_waiter "$t0"; s1=$(snap)
    end_waiter; e2e=$(cat "$WAITER_OUT"); s2=$(snap)
    local secs rate erate cl f e
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')
    rate=$(awk -v n="$count" -v s="$secs" 'BEGIN{printf "%.1f", n/s}')
    erate=$(awk -v n="$count" -v s="$e2e" 'BEGIN{ if (s=="NaN") print "NaN"; else printf "%.1f", n/s}')
    cl=$(client_cpu "$tf")
    f=($(cpu_fields "$s0" "$s1" "$count" "$cl"))
    e=($(cpu_fields "$s0" "$s2" "$count" "$cl"))
    log "  tacit$tag $mode size=$size c=$conc n=$count: accept ${secs}s ${rate}/s | e2e ${e2e}s ${erate}/s | busy ${f[0]}% other ${f[2]}% | ${e[3]} ms CPU/msg | rc=$rc"
    csv "smtp,tacit$tag-$mode,rc=$rc,$size,$conc,$run,$count,$secs,$rate,$e2e,$erate,${f[0]},${f[1]},${f[2]},${e[3]},$cl,$PRE_BUSY,${f[4]}"
}

sb_run() {  # sb_run mode conc run [tag] [smtpbench args...]
    local mode=$1 conc=$2 run=$3 tag=${4:-}; shift 4 || shift $#
    wait_quiet
    local s0 s1 out tf=$RESULTS/client.time
    s0=$(snap)
    out=$(timeout 120 /usr/bin/time -f '%U %S' -o "$tf" "$BIN/smtpbench" -M "$mode" -c "$conc" -T "${DUR:-5}" -p "$PORT" "$@")
    s1=$(snap)
    local ops secs rate cl f
    ops=$(echo "$out" | sed -E 's/.* ops=([0-9]+).*/\1/'); secs=$(echo "$out" | sed -E 's/.* secs=([0-9.]+).*/\1/')
    rate=$(echo "$out" | sed -E 's/.* rate=([0-9.]+).*/\1/')
    cl=$(client_cpu "$tf")
    f=($(cpu_fields "$s0" "$s1" "$ops" "$cl"))
    log "  tacit$tag $mode c=$conc: $out | server ${f[3]} ms CPU/op"
    csv "smtpbench,tacit$tag-$mode,\"$out\",0,$conc,$run,$ops,$secs,$rate,,,${f[0]},${f[1]},${f[2]},${f[3]},$cl,$PRE_BUSY,${f[4]}"
}

mem_sample() {  # label
    local rss pss
    rss=$(awk '/^VmRSS:/{print $2}' "/proc/$TACIT_PID/status"); pss=$(awk '/^Pss:/{print $2}' "/proc/$TACIT_PID/smaps_rollup")
    log "  $1: RSS ${rss} KiB PSS ${pss} KiB"
    csv "memory,$1,procs=1,0,0,0,1,$rss,$pss,,,,,,,,,"
}

idle_run() {  # idle_run N label
    local n=$1 label=$2 fifo=$RESULTS/idle.out i
    rm -f "$fifo"
    timeout 120 "$BIN/smtpbench" -M idle -c "$n" -i 10 -p "$PORT" > "$fifo" &
    local bpid=$!
    for i in $(seq 1 600); do grep -q READY "$fifo" 2>/dev/null && break; sleep 0.1; done
    sleep 2
    mem_sample "$label"
    wait "$bpid" || true
    log "  idle client: $(tail -1 "$fifo")"
}

# A JVM compiles its hot paths in the first tens of thousands of messages (-XX:+PrintCompilation:
# still ~30 compilations a second after 20,000 messages, C2 12% of the profile); a mail server runs
# for days, so each fresh Tacit is measured after this warm-up.
warm_up() {
    local w=${WARMUP:-40000}
    [ "$QUICK" = 1 ] && w=5000
    timeout 300 "$SRC" -d -l 1024 -m "$w" -s 10 -f from@example.com -t user1@bench.test "127.0.0.1:$PORT" >/dev/null 2>&1 || true
    # every load measured below, so that none of them is the first the compiler sees of its paths
    local c
    for c in $CONCS; do
        timeout 300 "$SRC" -l 1024 -m $((w / 5)) -s "$c" -f from@example.com -t user1@bench.test "127.0.0.1:$PORT" >/dev/null 2>&1 || true
        timeout 300 "$SRC" -l 102400 -m $((w / 20)) -s "$c" -f from@example.com -t user1@bench.test "127.0.0.1:$PORT" >/dev/null 2>&1 || true
    done
    timeout 60 "$BIN/smtpbench" -M sessions -c 50 -T 3 -p "$PORT" >/dev/null 2>&1 || true
    set_aside
    log "  warm-up: $w persistent + $((w / 5)) one per session + $((w / 20)) of 100 KB at each of c=$CONCS, 3 s of sessions"
}

# ---------------------------------------------------------------- the runs
has() { [[ " ${PARTS-sessions defense memory} " == *" $1 "* ]]; }
TRUSTED='trusted_networks = ["127.0.0.0/8"]'   # as Postfix's mynetworks = 127.0.0.0/8 in the anchor
for r in $(seq "$RUN_FIRST" $((RUN_FIRST + RUNS - 1))); do
    log "== run $r: acceptance and delivery, client trusted (the Postfix anchor's setup)"
    start_tacit "$TRUSTED"
    warm_up
    for c in $CONCS; do
        src_run session 1024 "$c" "$N_SMALL" "$r"
        src_run session 102400 "$c" "$N_BIG" "$r"
        src_run persist 1024 "$c" "$N_SMALL" "$r"
    done
    has sessions || continue
    log "== run $r: sessions/s (connect, banner, EHLO, QUIT)"
    sb_run sessions 50 "$r" ""
    sb_run sessions 1 "$r" ""
    has defense || continue
    # Two Tacits side by side, one trusting the client and one not (Tacit's default), each warmed up,
    # and every load alternated between them (off-on, then on-off): the defence's cost is the median
    # of the pairs' ratios. Measured on two Tacits minutes apart instead, it moved between -0.3% and
    # -16.5% from round to round, more than the cost itself (bench/profile-notes.md).
    log "== run $r: the enumeration defence's cost: two Tacits side by side, client trusted by one only"
    start_pair
    use_tacit off; warm_up
    use_tacit on; warm_up
    for c in $CONCS; do
        for mode in session persist; do
            for k in 1 2; do
                if [ "$k" = 1 ]; then order="off on"; else order="on off"; fi
                for side in $order; do
                    use_tacit "$side"
                    src_run "$mode" 1024 "$c" "$N_SMALL" "$r" "-defpair-$side"
                done
            done
        done
    done
    use_tacit on
    out=$("$JAVA" "$HERE/RcptLatency.java" "$PORT" 50 10 user1@bench.test); log "  defense on, RCPT latency c=50: $out"
    csv "rcpt,tacit-defense-on,\"$out\",0,50,$r,,,,,,,,,,,,"
    use_tacit off
    out=$("$JAVA" "$HERE/RcptLatency.java" "$PORT" 50 10 user1@bench.test); log "  defense off (trusted), RCPT latency c=50: $out"
    csv "rcpt,tacit-defense-off,\"$out\",0,50,$r,,,,,,,,,,,,"
    stop_pair
done
has memory || { stop_tacit; log "done: $RESULTS/raw.csv"; exit 0; }
log "== memory: idle connections after EHLO"
start_tacit "$TRUSTED"
sleep 2
mem_sample tacit-baseline
idle_run 200 tacit-200idle
idle_run "$IDLE" "tacit-${IDLE}idle"
stop_tacit
log "done: $RESULTS/raw.csv"
