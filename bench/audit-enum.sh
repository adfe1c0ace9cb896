#!/usr/bin/env bash
# bench/audit-enum.sh: names tested per second against a local Postfix with VRFY enabled, in one run:
#   1. tacit audit --users (VRFY, persistent connections, --concurrency C, no rate limit)
#   2. nmap smtp-enum-users (its default method order; VRFY alone stops at Postfix's first 252)
#   3. a reconnect-per-query loop (connect, EHLO, VRFY, QUIT for every name, as smtp-user-enum does)
# Same 10,000-name wordlist (two real users in it). Postfix is extracted by .ci/audit-peers.sh and runs
# on 127.0.0.1 only; its anti-abuse limits are raised so the tools, not the tarpit, are measured.
# Every run is bounded by LIMIT seconds. Needs root, the built jar (./tacit builds it) and nmap.
#   env: N=10000 LIMIT=120 CONC=4 PORT=(free)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${N:-10000}; LIMIT=${LIMIT:-120}; CONC=${CONC:-4}
PORT=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
WORK=/var/lib/tacit-audit-peers/bench-$$
PEERS=${TACIT_PEERS:-/var/tmp/tacit-peers}
mkdir -p "$WORK"
bash "$HERE/.ci/audit-peers.sh" >/dev/null
cleanup() { bash "$HERE/src/test/resources/dev/tacit/audit/peers.sh" postfix-stop "$WORK/pf"; }
trap cleanup EXIT
bash "$HERE/src/test/resources/dev/tacit/audit/peers.sh" postfix-start "$WORK/pf" "$PORT" no
cat >> "$WORK/pf/etc/main.cf" <<CF
smtpd_junk_command_limit = 100000000
smtpd_soft_error_limit = 100000000
smtpd_hard_error_limit = 100000000
CF
LD_LIBRARY_PATH=$PEERS/postfix/usr/lib/postfix "$PEERS/postfix/usr/sbin/postfix" -c "$WORK/pf/etc" reload >/dev/null 2>&1
sleep 1
python3 - "$N" > "$WORK/words.txt" <<'PY'
import sys
n = int(sys.argv[1])
names = ["user%05d" % i for i in range(n - 2)]
names.insert(n // 3, "gw"); names.insert(2 * n // 3, "tj")
print("\n".join(names))
PY
echo "wordlist: $(wc -l < "$WORK/words.txt") names; Postfix 127.0.0.1:$PORT, VRFY enabled, limits raised"

t0=$(date +%s.%N)
timeout "$LIMIT" "$HERE/tacit" audit "127.0.0.1:$PORT" --domain example.com --users "$WORK/words.txt" --rate 0 \
    --concurrency "$CONC" --no-probe-commands --no-relay-check -f json -o "$WORK/tacit.json" || true
t1=$(date +%s.%N)
python3 - "$WORK/tacit.json" "$t0" "$t1" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["targets"][0]; e = t["enumeration"]
print("tacit audit: %d names by %s in %.1f s enumeration = %.0f names/s (whole audit %.1f s wall); found %s; connections %d"
      % (e["tested"], e["method"], e["seconds"], e["namesPerSecond"], float(sys.argv[3]) - float(sys.argv[2]), t["users"], e["connections"]))
PY

mkdir -p "$WORK/nmap"; printf 'smtp\t%s/tcp\t0.1\n' "$PORT" > "$WORK/nmap/nmap-services"
t0=$(date +%s.%N)
timeout "$LIMIT" nmap --datadir "$WORK/nmap" -Pn -n -p "$PORT" 127.0.0.1 --script smtp-enum-users \
    --script-args "userdb=$WORK/words.txt,unpwdb.timelimit=0,smtp.domain=example.com" > "$WORK/nmap.txt" 2>&1 || true
t1=$(date +%s.%N)
found=$(awk '/smtp-enum-users:/{f=1;next} f&&/^\|/{sub(/^\|_? +/,""); print} f&&!/^\|/{f=0}' "$WORK/nmap.txt" | tr '\n' ' ')
rcpts=$(grep -o 'rcpt=[0-9]*' "$WORK/pf/log/maillog" | tail -1 || true)
python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print('nmap smtp-enum-users: done in %.1f s; its output: %s; Postfix saw %s. nmap abandons a method at the first reply it does not expect (here RCPT, then 252 to VRFY, then 500 to EXPN), so it never works through the list: no names/s to report.' % (s, sys.argv[3].strip() or '(nothing)', sys.argv[4]))" "$t0" "$t1" "$found" "last session $rcpts"

python3 - "$PORT" "$WORK/words.txt" "$LIMIT" <<'PY'
import socket, sys, time
port, words, limit = int(sys.argv[1]), open(sys.argv[2]).read().split(), float(sys.argv[3])
def reply(f):
    while True:
        l = f.readline()
        if not l or l[3:4] != b"-":
            return l
t0 = time.time(); n = 0; found = []
for w in words:
    if time.time() - t0 > limit:
        break
    s = socket.create_connection(("127.0.0.1", port)); f = s.makefile("rb")
    reply(f); s.sendall(b"EHLO bench\r\n"); reply(f)
    s.sendall(b"VRFY " + w.encode() + b"\r\n"); r = reply(f)
    s.sendall(b"QUIT\r\n"); reply(f); s.close(); n += 1
    if r.startswith(b"252"):
        found.append(w)
dt = time.time() - t0
print("reconnect-per-query loop: %d names in %.1f s = %.0f names/s (found %s)" % (n, dt, n / dt, found))
PY
