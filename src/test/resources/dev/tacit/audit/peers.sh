#!/usr/bin/env bash
# Real MTAs for the auditor's tests, each from its own private directory on a loopback port.
# Postfix and Exim come from Debian packages extracted by .ci/audit-peers.sh (never installed);
# sendmail is Debian's installed sendmail-bin run with its own .cf (built with m4 + sendmail-cf).
# Every server knows the same mail domain (example.com) and users: postmaster, gw, tj.
#
#   peers.sh postfix-start DIR PORT yes|no   (disable_vrfy_command); postfix daemonizes
#   peers.sh postfix-stop DIR
#   peers.sh sendmail-cf DIR PORT FLAGS     writes DIR/sendmail.cf (PrivacyOptions=FLAGS) and the aliases db
#   peers.sh exim-conf DIR PORT             writes DIR/exim.conf (Exim's default ACLs, no VRFY/EXPN ACL)
# The caller runs sendmail (-bD) and exim (-bdf) in the foreground and stops them by pid.
set -euo pipefail
PEERS=${TACIT_PEERS:-/var/tmp/tacit-peers}
cmd=$1; dir=$2
mkdir -p "$dir"; chmod 755 "$dir"

case $cmd in
postfix-start)
    port=$3; vrfy=$4; root=$PEERS/postfix
    mkdir -p "$dir/etc" "$dir/spool" "$dir/data" "$dir/log"
    cp "$root/etc/postfix/postfix-files" "$dir/etc/postfix-files"
    mkdir -p "$dir/etc/postfix-files.d" "$dir/etc/dynamicmaps.cf.d"; : > "$dir/etc/dynamicmaps.cf"
    chown postfix:postfix "$dir/data"; chmod 700 "$dir/data"
    cat > "$dir/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $dir/spool
data_directory = $dir/data
daemon_directory = $root/usr/lib/postfix/sbin
command_directory = $root/usr/sbin
meta_directory = $dir/etc
shlib_directory = $root/usr/lib/postfix
sendmail_path = $root/usr/sbin/sendmail
newaliases_path = $root/usr/bin/newaliases
mailq_path = $root/usr/bin/mailq
manpage_directory = /nonexistent
html_directory = no
readme_directory = no
mail_owner = postfix
setgid_group = postdrop
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME LD_LIBRARY_PATH=$root/usr/lib/postfix
maillog_file = $dir/log/maillog
maillog_file_prefixes = $dir/log
myhostname = mail.example.com
mydomain = example.com
myorigin = example.com
mydestination = example.com, mail.example.com, localhost
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
# the auditor's loopback address is not a trusted network here: relaying is refused
mynetworks = 192.0.2.1/32
alias_maps =
alias_database =
local_recipient_maps = inline:{ postmaster=ok, gw=ok, tj=ok }
biff = no
smtpd_banner = \$myhostname ESMTP Postfix (Debian/GNU)
disable_vrfy_command = $vrfy
EOF
    cat > "$dir/etc/master.cf" <<EOF
127.0.0.1:$port inet n - n - 20 smtpd
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
proxymap  unix  -       -       n       -       -       proxymap
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
    export LD_LIBRARY_PATH=$root/usr/lib/postfix
    "$root/usr/sbin/postfix" -c "$dir/etc" start >"$dir/log/start.txt" 2>&1
    ;;
postfix-stop)
    root=$PEERS/postfix
    LD_LIBRARY_PATH=$root/usr/lib/postfix "$root/usr/sbin/postfix" -c "$dir/etc" stop >/dev/null 2>&1 || true
    ;;
sendmail-cf)
    port=$3; flags=$4
    mkdir -p "$dir/mqueue"; chmod 700 "$dir/mqueue"; touch "$dir/sendmail.st"
    printf 'postmaster: root\nMAILER-DAEMON: postmaster\ngw: root\ntj: root\nstaff: gw, tj\n' > "$dir/aliases"
    printf '127.0.0.1\tlocalhost\n127.0.1.1\tmail.example.com mail %s\n' "$(hostname)" > "$dir/hosts"
    printf 'hosts\tfiles\naliases\tfiles\npasswd\tfiles\n' > "$dir/service.switch"
    {
        echo "include(\`/usr/share/sendmail/cf/m4/cf.m4')dnl"
        echo "VERSIONID(\`tacit audit test')dnl"
        echo "OSTYPE(\`debian')dnl"
        echo "define(\`confDOMAIN_NAME', \`mail.example.com')dnl"
        echo "define(\`confSMTP_LOGIN_MSG', \`\$j Sendmail \$v/\$Z; \$b')dnl"
        echo "define(\`ALIAS_FILE', \`$dir/aliases')dnl"
        echo "define(\`confSERVICE_SWITCH_FILE', \`$dir/service.switch')dnl"
        echo "define(\`confHOSTS_FILE', \`$dir/hosts')dnl"
        echo "define(\`confTO_IDENT', \`0')dnl"
        echo "define(\`STATUS_FILE', \`$dir/sendmail.st')dnl"
        echo "define(\`confPID_FILE', \`$dir/sendmail.pid')dnl"
        echo "define(\`QUEUE_DIR', \`$dir/mqueue')dnl"
        echo "undefine(\`confHOST_STATUS_DIRECTORY')dnl"
        echo "define(\`confPRIVACY_FLAGS', \`$flags')dnl"
        echo "FEATURE(\`no_default_msa')dnl"
        echo "DAEMON_OPTIONS(\`Port=$port, Addr=127.0.0.1, Name=MTA')dnl"
        echo "LOCAL_DOMAIN(\`example.com')dnl"
        echo "MAILER(\`local')dnl"
        echo "MAILER(\`smtp')dnl"
    } > "$dir/sendmail.mc"
    m4 "$dir/sendmail.mc" > "$dir/sendmail.cf"
    # (inside a UTS namespace named "mail": under an unqualified host name sendmail sleeps 60 s first)
    unshare -u sh -c "hostname mail && /usr/sbin/sendmail -bi -C $dir/sendmail.cf" >/dev/null 2>&1 || true
    ;;
exim-conf)
    port=$3
    mkdir -p "$dir/spool" "$dir/log"; chown -R Debian-exim:Debian-exim "$dir/spool" "$dir/log"
    cat > "$dir/exim.conf" <<EOF
# Exim's own default behaviour for VRFY/EXPN (no acl_smtp_vrfy/expn) and its default RCPT ACL
primary_hostname = mail.example.com
domainlist local_domains = example.com : mail.example.com
domainlist relay_to_domains =
hostlist   relay_from_hosts =
acl_smtp_rcpt = acl_check_rcpt
daemon_smtp_ports = $port
local_interfaces = 127.0.0.1
spool_directory = $dir/spool
log_file_path = $dir/log/%slog
exim_user = Debian-exim
never_users = root
host_lookup =
rfc1413_hosts =
tls_advertise_hosts =

begin acl
acl_check_rcpt:
  accept  hosts = :
  deny    domains = +local_domains
          local_parts = ^[.] : ^.*[@%!/|]
  accept  local_parts = postmaster
          domains = +local_domains
  require verify = sender
  accept  hosts = +relay_from_hosts
  require message = relay not permitted
          domains = +local_domains : +relay_to_domains
  require verify = recipient
  accept

begin routers
localuser:
  driver = accept
  domains = +local_domains
  local_parts = postmaster : gw : tj
  transport = devnull

begin transports
devnull:
  driver = appendfile
  file = /dev/null
  user = Debian-exim
EOF
    chmod 644 "$dir/exim.conf"
    ;;
*) echo "unknown command $cmd" >&2; exit 2 ;;
esac
