#!/usr/bin/env bash
# Records real sendmail's VRFY/EXPN/RCPT answers for the directory conformance test
# (dev.tacit.directory.SendmailOracleTest). Adapted from the team's oracle script
# (shared/oracle/sendmail/run-oracle.sh): same users, host names and namespace trick, but
#   - its own aliases file (aliases.in, with :include: inc.list), recorded next to it;
#   - ForwardPath points at a file nobody has, so tj's ~/.forward is ignored (Tacit has no
#     .forward files);
#   - LogLevel 0 and no syslog sink, so it can run while the rules oracle runs;
#   - one variant only, PrivacyOptions=public, over TCP only.
# Run as root:  WORK=/var/lib/sendmail-oracle-dir bash record.sh
# Output: transcripts/<scenario>.txt next to this script (OUT= to change).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPLAY=${REPLAY:-$HERE/../../../../../shared/oracle/replay.py}
WORK=${WORK:-/var/lib/sendmail-oracle-dir}
PORT=${PORT:-2525}
OUT=${OUT:-$HERE/transcripts}
SENDMAIL=${SENDMAIL:-/usr/sbin/sendmail}
export WORK PORT OUT SENDMAIL REPLAY

log() { echo "[oracle-directory] $*" >&2; }

if [ -z "${ORACLE_INNER:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
    [ -f "$REPLAY" ] || { echo "replay.py not found at $REPLAY (set REPLAY=)" >&2; exit 1; }
    if ! [ -x "$SENDMAIL" ] || ! command -v m4 >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y sendmail-bin sendmail-cf m4 >/dev/null
    fi
    # the shared oracle's users, plus jm (an alias that lists itself) and aa (GECOS with commas)
    for spec in "gw:George Washington" "tj:Thomas Jefferson" "bf:Benjamin Franklin" \
                "js:& Smith,Room 101,555-0100" "nofn:" "jm:James Madison" "aa:Abigail Adams,,,"; do
        u=${spec%%:*}; c=${spec#*:}
        getent passwd "$u" >/dev/null || useradd -m -s /bin/bash -c "$c" "$u"
    done
    mkdir -p "$WORK/mqueue" "$WORK/cf"
    chmod 755 "$WORK"; chmod 700 "$WORK/mqueue"
    touch "$WORK/sendmail.st"
    sed "s#@DIR@#$WORK#g" "$HERE/aliases.in" > "$WORK/aliases"
    cp "$HERE/inc.list" "$WORK/inc.list"
    chmod 644 "$WORK/aliases" "$WORK/inc.list"
    cat > "$WORK/hosts" <<'HOSTS'
127.0.0.1	localhost
127.0.1.1	mail.example.com mail
198.51.100.10	client.example.net example.net
198.51.100.20	mx.example.org example.org
HOSTS
    printf 'hosts\tfiles\naliases\tfiles\npasswd\tfiles\n' > "$WORK/service.switch"
    exec unshare -n -u env ORACLE_INNER=1 bash "${BASH_SOURCE[0]}" "$@"
fi

hostname mail
ip link set lo up

mc="$WORK/cf/dirpublic.mc"
{
    echo 'divert(-1)dnl'
    echo 'divert(0)dnl'
    echo "include(\`/usr/share/sendmail/cf/m4/cf.m4')dnl"
    echo "VERSIONID(\`oracle directory')dnl"
    echo "OSTYPE(\`debian')dnl"
    echo "define(\`confDOMAIN_NAME', \`mail.example.com')dnl"
    echo "define(\`confSMTP_LOGIN_MSG', \`\$j Sendmail \$v/\$Z; \$b')dnl"
    echo "define(\`ALIAS_FILE', \`$WORK/aliases')dnl"
    echo "define(\`confSERVICE_SWITCH_FILE', \`$WORK/service.switch')dnl"
    echo "define(\`confHOSTS_FILE', \`$WORK/hosts')dnl"
    echo "define(\`confLOG_LEVEL', \`0')dnl"
    echo "define(\`confTO_IDENT', \`0')dnl"
    echo "define(\`confFORWARD_PATH', \`\$z/.forward-tacit-oracle-none')dnl"
    echo "define(\`confPRIVACY_FLAGS', \`public')dnl"
    echo "define(\`STATUS_FILE', \`$WORK/sendmail.st')dnl"
    echo "define(\`confPID_FILE', \`$WORK/sendmail.pid')dnl"
    echo "define(\`QUEUE_DIR', \`$WORK/mqueue')dnl"
    echo "undefine(\`confHOST_STATUS_DIRECTORY')dnl"
    echo "FEATURE(\`no_default_msa')dnl"
    echo "DAEMON_OPTIONS(\`Port=$PORT, Addr=127.0.0.1, Name=MTA')dnl"
    echo "LOCAL_DOMAIN(\`example.com')dnl"
    echo "MAILER(\`local')dnl"
    echo "MAILER(\`smtp')dnl"
} > "$mc"
cf="$WORK/cf/dirpublic.cf"
m4 "$mc" > "$cf"
"$SENDMAIL" -bi -C "$cf" >"$WORK/newaliases.txt" 2>&1 || { cat "$WORK/newaliases.txt" >&2; exit 1; }
sed "s#$WORK#\$WORK#g" "$WORK/newaliases.txt" > "$OUT/../newaliases.txt" 2>/dev/null || true

"$SENDMAIL" -bD -L sm-mta -C "$cf" > "$WORK/daemon.txt" 2>&1 &
DAEMON_PID=$!
trap 'kill $DAEMON_PID 2>/dev/null || true; wait $DAEMON_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$PORT)))" 2>/dev/null && break
    sleep 0.1
done
sleep 0.3
mkdir -p "$OUT"
for scn in "$HERE"/scenarios/${SCENARIOS:-*}.scn; do
    name=$(basename "$scn" .scn)
    log "$name"
    python3 "$REPLAY" run "$scn" --host 127.0.0.1 --port "$PORT" --timeout 60 \
        --comment "scenario=$name variant=dirpublic mode=tcp" \
        --comment "server=sendmail 8.17.1.9 (Debian 8.17.1.9-2+deb12u2) client=127.0.0.1" \
        | sed "s#$WORK#\$WORK#g" > "$OUT/$name.txt"
done
log "done; transcripts in $OUT"
