#!/usr/bin/env bash
# Real MTAs for the auditor's tests, run from private trees without installing them as packages
# (they conflict as installed MTAs): `apt-get download` + `dpkg -x` into $TACIT_PEERS
# (default /var/tmp/tacit-peers). sendmail-bin is installed normally by .ci/run (PACKAGES).
# Nothing extracted here is ever committed. Idempotent; safe to run again.
set -euo pipefail
DEST=${TACIT_PEERS:-/var/tmp/tacit-peers}
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi
mkdir -p "$DEST/deb"

fetch() {  # fetch <dir> <package>...: download and extract into $DEST/<dir>
    local dir=$1; shift
    local p
    for p in "$@"; do
        if ! ls "$DEST"/deb/"${p}"_*.deb >/dev/null 2>&1; then
            for i in 1 2 3 4 5; do
                (cd "$DEST/deb" && apt-get download -qq "$p") && break
                echo "audit-peers: apt-get download $p failed (attempt $i)" >&2; sleep 10
            done
        fi
        if [ ! -e "$DEST/$dir/.$p" ]; then
            mkdir -p "$DEST/$dir"
            dpkg -x "$DEST"/deb/"${p}"_*.deb "$DEST/$dir"
            touch "$DEST/$dir/.$p"
        fi
    done
}

fetch postfix postfix
fetch exim exim4-daemon-light exim4-base
# fail2ban-regex (pure Python) checks that the guard's log lines feed the shipped fail2ban filter
fetch fail2ban fail2ban

# shared libraries the extracted binaries need (ordinary libraries, no MTA)
missing=$( { for f in "$DEST"/postfix/usr/sbin/* "$DEST"/postfix/usr/lib/postfix/sbin/* "$DEST"/exim/usr/sbin/exim4; do
             LD_LIBRARY_PATH=$DEST/postfix/usr/lib/postfix ldd "$f" 2>/dev/null; done; } | awk '/not found/{print $1}' | sort -u)
if [ -n "$missing" ]; then
    echo "audit-peers: installing libraries for:" $missing >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        libicu72 libsasl2-2 libssl3 libdb5.3 libnsl2 libgnutls30 libpcre2-8-0 libidn12 >/dev/null
fi

# users and groups the daemons run as
getent group postdrop >/dev/null || $SUDO groupadd --system postdrop
getent passwd postfix >/dev/null || $SUDO useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin postfix
getent passwd Debian-exim >/dev/null || $SUDO useradd --system --user-group --home-dir /var/spool/exim4 --no-create-home --shell /usr/sbin/nologin Debian-exim
echo "audit-peers: ready in $DEST"
