package dev.tacit.config;

import static dev.tacit.config.Param.Type.BOOL;
import static dev.tacit.config.Param.Type.DURATION;
import static dev.tacit.config.Param.Type.INT;
import static dev.tacit.config.Param.Type.LISTEN_LIST;
import static dev.tacit.config.Param.Type.PATH;
import static dev.tacit.config.Param.Type.SIZE;
import static dev.tacit.config.Param.Type.STRING;
import static dev.tacit.config.Param.Type.STRING_LIST;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalogue of every tacit.toml key. Add a key here, give it a field in {@link TacitConfig}, and
 * document it in docs/config.md (a test checks that every key is documented).
 */
public final class Params {

    private Params() {}

    public static final List<Param> ALL = List.of(
            new Param("listen", LISTEN_LIST, "[\"0.0.0.0:25\"]",
                    "addresses to accept SMTP on, as host:port; IPv6 in brackets, \"[::1]:25\""),
            new Param("submission", LISTEN_LIST, "[]",
                    "addresses for mail submission (RFC 6409, usually port 587): STARTTLS, then AUTH before MAIL; needs tls.cert"),
            new Param("submissions", LISTEN_LIST, "[]",
                    "addresses for submission over implicit TLS (RFC 8314, usually port 465): AUTH before MAIL; needs tls.cert"),
            new Param("hostname", STRING, null,
                    "the server's name in the greeting, Received: headers and replies (default: the machine's canonical name)"),
            new Param("greeting_text", STRING, "\"\"",
                    "text after \"220 <hostname> ESMTP\"; names no product or version unless you put one here"),
            new Param("local_domains", STRING_LIST, "[]",
                    "domains delivered here besides hostname and localhost (sendmail's class w)"),
            new Param("data_dir", PATH, "\"data\"", "folder for the spool and the Maildirs"),
            new Param("users_file", PATH, null,
                    "users file, login:Full Name[:mailbox[:password hash]] or passwd(5) (default <data_dir>/users)"),
            new Param("aliases_file", PATH, null, "sendmail aliases(5) file (default <data_dir>/aliases)"),
            new Param("log_level", INT, "9", "sendmail LogLevel: which mail log lines are written (0-99)"),
            new Param("privacy_options", STRING, "\"goaway\"",
                    "sendmail PrivacyOptions, same words and spelling: goaway, novrfy, noexpn, needvrfyhelo, ..., or public"),
            new Param("enumeration_defense", BOOL, "true",
                    "untrusted clients get the same answer for real and unknown users (RCPT, VRFY, EXPN) and the same timing"),
            new Param("trusted_networks", STRING_LIST, "[]",
                    "CIDR networks whose clients are trusted: per-recipient answers, no latency envelope (none by default, not even loopback)"),
            new Param("counters", STRING, "\"local\"",
                    "where the enumeration guard keeps its counters: \"local\", or \"redis://host:port\" to share them across nodes"),
            new Param("admin_listen", STRING, "\"127.0.0.1:9025\"", "host:port of the admin listener serving /metrics, or \"off\""),
            new Param("rules_file", PATH, null,
                    "check_vrfy/check_expn rule sets in sendmail's own syntax (S and R lines), run on every VRFY/EXPN argument"),
            new Param("help_file", PATH, null, "text answered to HELP, sendmail helpfile format (default: a built-in text with no version)"),

            new Param("log.file", PATH, null, "append mail log lines to this file, syslog layout (default: none)"),
            new Param("log.stdout", BOOL, "true", "write mail log lines to standard output"),
            new Param("log.syslog", STRING, null, "send mail log lines as RFC 5424 syslog over UDP to host:port, facility mail (default: none)"),
            new Param("log.events", PATH, null, "append one JSON line per probe event to this file (default: none)"),

            new Param("limits.max_message_size", SIZE, "\"25M\"", "largest message accepted, advertised as SIZE"),
            new Param("limits.max_recipients", INT, "100", "recipients per message; more get 452 4.5.3"),
            new Param("limits.max_connections", INT, "2000", "concurrent SMTP sessions in all; more get 421 4.7.0"),
            new Param("limits.max_connections_per_client", INT, "50", "concurrent sessions from one client address"),
            new Param("limits.max_command_line", INT, "2048", "longest command line in bytes, CRLF included (sendmail's limit)"),
            new Param("limits.max_data_line", INT, "65536", "longest message line in bytes, CRLF included"),
            new Param("limits.max_bad_commands", INT, "25", "unknown or refused commands before 421 4.7.0 (sendmail's MAXBADCOMMANDS)"),
            new Param("limits.max_noop_commands", INT, "20", "NOOP and VERB per session before sendmail's slow-down (MaxNOOPCommands)"),
            new Param("limits.command_timeout", DURATION, "\"5m\"", "idle time allowed between commands (RFC 5321 4.5.3.2.7)"),
            new Param("limits.data_timeout", DURATION, "\"3m\"", "idle time allowed inside DATA (RFC 5321 4.5.3.2.6)"),
            new Param("limits.shutdown_grace", DURATION, "\"30s\"", "on shutdown, how long messages in flight may take to finish"),

            new Param("enumeration.latency", DURATION, "\"5ms\"",
                    "untrusted VRFY and EXPN replies leave this long after the command arrived, whatever the lookup took (RCPT answers at once)"),
            new Param("enumeration.jitter", DURATION, "\"2ms\"", "random extra delay, 0 to this, added to the latency envelope"),
            new Param("enumeration.unknown_recipients", STRING, "\"drop\"",
                    "unknown recipients accepted for uniformity in a message with valid ones: \"drop\" (and log), or \"bounce\" (a report, only to an SPF-aligned sender)"),

            new Param("guard.enabled", BOOL, "true", "count distinct unknown names and probe commands per source and escalate"),
            new Param("guard.window", DURATION, "\"10m\"", "sliding window the guard counts over"),
            new Param("guard.tarpit_after", INT, "10", "distinct unknown names from one source before every reply to it is delayed"),
            new Param("guard.tarpit_delay", DURATION, "\"2s\"", "the delay added to every reply of a tarpitted source"),
            new Param("guard.refuse_after", INT, "25", "distinct unknown names before the source's commands get 450 4.7.1"),
            new Param("guard.block_after", INT, "50", "distinct unknown names before the source is told 421 4.7.0 and blocked"),
            new Param("guard.block_duration", DURATION, "\"1h\"", "how long a block lasts"),
            new Param("guard.max_sources", INT, "50000", "sources the guard remembers; the least recently seen are forgotten first"),
            new Param("guard.shared_max_keys", INT, "100000",
                    "with Redis counters: source keys the cluster keeps per window; past it new keys are counted on each node only"),
            new Param("guard.bad_rcpt_throttle", INT, "0",
                    "sendmail BadRcptThrottle: after this many unknown recipients in a transaction, delay each further RCPT (0: off)"),
            new Param("guard.bad_rcpt_delay", DURATION, "\"1s\"", "sendmail BadRcptThrottleDelay"),
            new Param("guard.soft_error_limit", INT, "0", "Postfix smtpd_soft_error_limit: errors in a session before each reply waits error_sleep (0: off)"),
            new Param("guard.hard_error_limit", INT, "0", "Postfix smtpd_hard_error_limit: errors in a session before 421 4.7.0 and close (0: off)"),
            new Param("guard.error_sleep", DURATION, "\"1s\"", "Postfix smtpd_error_sleep_time"),

            new Param("tls.cert", PATH, null,
                    "PEM certificate chain, server certificate first; with tls.key, STARTTLS is offered on every listener (default: none)"),
            new Param("tls.key", PATH, null, "PEM private key of tls.cert (PKCS#8, PKCS#1 RSA or SEC1 EC), not encrypted"),
            new Param("tls.handshake_timeout", DURATION, "\"30s\"", "longest a TLS handshake may take before the connection is closed"),

            new Param("auth.mechanisms", STRING_LIST, "[\"PLAIN\", \"LOGIN\"]", "SASL mechanisms offered after TLS (RFC 4954): PLAIN, LOGIN"),
            new Param("auth.on_listen", BOOL, "false",
                    "also offer AUTH (after STARTTLS) on the listen addresses; authenticated clients are trusted and may relay"),
            new Param("auth.latency", DURATION, "\"1s\"",
                    "a failed AUTH is answered this long after the credentials arrived, whether the user exists or not"),
            new Param("auth.max_concurrent", INT, "4", "password checks running at once (Argon2id needs 19 MiB each); more wait their turn"),

            new Param("queue.retry_initial", DURATION, "\"5m\"", "first retry delay after a temporary delivery failure"),
            new Param("queue.retry_max", DURATION, "\"1h\"", "longest retry delay (the delay doubles up to this)"),
            new Param("queue.max_age", DURATION, "\"5d\"", "how long a message may stay queued before it bounces"),
            new Param("queue.delivery_concurrency", INT, "16", "deliveries running at once"),
            new Param("queue.fsync", BOOL, "true", "fsync the spool before answering 250 (turn off only for tests of other things)"),
            new Param("queue.maildir_sync", STRING, "\"batch\"",
                    "how delivered Maildir files are made durable: \"batch\" (one syncfs per file system per delivery batch) or \"file\" (fsync each file and folder)"),

            new Param("delivery.local", STRING, "\"maildir\"",
                    "how local users get their mail: \"maildir\" (written under data_dir/mail) or \"lmtp\" (handed to delivery.lmtp, e.g. Dovecot)"),
            new Param("delivery.lmtp", STRING, "\"127.0.0.1:24\"", "host:port of the LMTP server for delivery.local = \"lmtp\""),
            new Param("delivery.lmtp_recipient", STRING, "\"address\"",
                    "the LMTP recipient: \"address\" (login@hostname) or \"login\" (the bare login)"),
            new Param("delivery.dns_servers", STRING_LIST, "[]",
                    "DNS servers (host:port) for MX and address lookups of outbound mail; empty: the system's resolvers"),
            new Param("delivery.routes", STRING_LIST, "[]",
                    "static routes, \"domain=host:port\": mail for the domain goes to that host, without an MX lookup"),
            new Param("delivery.remote_port", INT, "25", "port of the MX hosts outbound mail is delivered to"),
            new Param("delivery.smarthost", STRING, null,
                    "host:port that takes all outbound mail instead of the MX hosts (unset: deliver directly)"),
            new Param("delivery.smarthost_tls", STRING, "\"starttls\"",
                    "TLS to the smarthost, always required and verified: \"starttls\" (RFC 3207) or \"implicit\" (RFC 8314, port 465)"),
            new Param("delivery.smarthost_user", STRING, null, "user name for AUTH at the smarthost (unset: no AUTH)"),
            new Param("delivery.smarthost_password", STRING, null, "password for AUTH at the smarthost (keep this file readable only by Tacit)"),
            new Param("delivery.smarthost_ca_file", PATH, null,
                    "PEM certificates trusted for the smarthost's certificate (unset: the JDK's trust store)"),
            new Param("delivery.connect_timeout", DURATION, "\"30s\"", "longest wait for an outbound (or LMTP) connection"),
            new Param("delivery.command_timeout", DURATION, "\"5m\"",
                    "longest wait for a reply from a remote server (RFC 5321 4.5.3.2; twice this after the message body)"),
            new Param("delivery.max_connections_per_domain", INT, "10", "outbound connections open at once to one destination domain"),

            new Param("directory.backend", STRING, "\"files\"",
                    "where users, aliases and lists live: \"files\" (users_file, aliases_file), \"postgresql\" or \"ldap\""),
            new Param("directory.reload_interval", DURATION, "\"2s\"",
                    "files: how often to check the users, aliases and :include: files for changes (\"0s\": never)"),
            new Param("directory.allow_program_targets", BOOL, "false",
                    "accept |program alias targets (Tacit never runs them; off, such an alias is an error)"),
            new Param("directory.allow_file_targets", BOOL, "false",
                    "accept /file alias targets (Tacit never writes them; off, such an alias is an error)"),
            new Param("directory.max_alias_depth", INT, "10", "deepest alias nesting (sendmail's MaxAliasRecursion)"),
            new Param("directory.cache_ttl", DURATION, "\"10s\"",
                    "postgresql/ldap: how long an answer (found or not) is reused (\"0s\": no cache)"),
            new Param("directory.cache_size", INT, "100000", "postgresql/ldap: most answers kept in the cache"),
            new Param("directory.timeout", DURATION, "\"2s\"",
                    "postgresql/ldap: longest wait for a lookup; past it the client gets 451 4.3.0"),
            new Param("directory.jdbc_url", STRING, null,
                    "postgresql: JDBC URL, \"jdbc:postgresql://host:5432/db\" (the schema comes from tacit directory init)"),
            new Param("directory.jdbc_user", STRING, null, "postgresql: user name (or put it in the URL)"),
            new Param("directory.jdbc_password", STRING, null, "postgresql: password (keep this file readable only by Tacit)"),
            new Param("directory.pool_size", INT, "8", "postgresql/ldap: connections kept open"),
            new Param("directory.ldap_url", STRING, "\"ldap://127.0.0.1:389\"", "ldap: server, ldap://host:port or ldaps://host:port"),
            new Param("directory.ldap_bind_dn", STRING, null, "ldap: DN to bind as (unset: anonymous)"),
            new Param("directory.ldap_bind_password", STRING, null, "ldap: password for ldap_bind_dn"),
            new Param("directory.ldap_base_dn", STRING, null, "ldap: where users and groups are searched (subtree)"),
            new Param("directory.ldap_user_filter", STRING, "\"(&(objectClass=inetOrgPerson)(uid={0}))\"",
                    "ldap: filter for a user, {0} = the local name; e.g. (|(uid={0})(mail={0}@example.com))"),
            new Param("directory.ldap_login_attribute", STRING, "\"uid\"", "ldap: attribute holding the login (mailbox name)"),
            new Param("directory.ldap_name_attribute", STRING, "\"cn\"", "ldap: attribute holding the full name"),
            new Param("directory.ldap_group_filter", STRING,
                    "\"(&(|(objectClass=groupOfNames)(objectClass=nisMailAlias))(cn={0}))\"",
                    "ldap: filter for an alias or list, {0} = the name"),
            new Param("directory.ldap_member_attributes", STRING_LIST, "[\"member\", \"rfc822MailMember\"]",
                    "ldap: group attributes listing members: DNs (member) or addresses (rfc822MailMember)"));

    private static final Map<String, Param> BY_KEY = new LinkedHashMap<>();

    static {
        for (Param p : ALL) {
            BY_KEY.put(p.key(), p);
        }
    }

    public static Param get(String key) {
        return BY_KEY.get(key);
    }

    /** Table names that may appear in the file ({@code [limits]}, ...). */
    public static boolean isTable(String key) {
        String prefix = key + ".";
        return ALL.stream().anyMatch(p -> p.key().startsWith(prefix));
    }
}
