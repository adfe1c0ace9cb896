package dev.tacit.config;

import dev.tacit.policy.CidrSet;
import dev.tacit.policy.PrivacyOptions;
import dev.tacit.rules.RuleFileParser;
import dev.tacit.rules.RuleSets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole configuration, validated. Built by {@link ConfigLoader} from tacit.toml (or by
 * {@link #defaults(Path)} for tests and the demo); immutable.
 */
public record TacitConfig(
        Path source,
        List<ListenAddress> listen,
        String hostname,
        String greetingText,
        List<String> localDomains,
        Path dataDir,
        Path usersFile,
        Path aliasesFile,
        int logLevel,
        PrivacyOptions privacy,
        Path helpFile,
        Log log,
        Limits limits,
        Queue queue,
        Defense defense,
        Guard guard,
        String counters,
        String adminListen,
        Rules rules,
        DirectorySettings directory,
        Delivery delivery,
        Tls tls,
        Auth auth) {

    /**
     * sendmail rule sets (check_vrfy, check_expn and what they call) and where they came from: a
     * rules_file, or a sendmail.cf given to {@code serve --sendmail-cf}. {@code sets} null: none.
     */
    public record Rules(Path source, RuleSets sets) {
        public static final Rules NONE = new Rules(null, null);
    }

    /** This configuration with a sendmail.cf's PrivacyOptions, LogLevel and rule sets in force. */
    public TacitConfig withSendmailCf(Path cf, PrivacyOptions cfPrivacy, Integer cfLogLevel, RuleSets sets) {
        return new TacitConfig(source, listen, hostname, greetingText, localDomains, dataDir, usersFile, aliasesFile,
                cfLogLevel == null ? logLevel : cfLogLevel, cfPrivacy == null ? privacy : cfPrivacy, helpFile, log, limits, queue,
                defense, guard, counters, adminListen, new Rules(cf, sets), directory, delivery, tls, auth);
    }

    /** What sendmail would know of this host when it reads a rules file: $j, $w, $m and class w. */
    public RuleFileParser.Options ruleOptions() {
        List<String> w = new java.util.ArrayList<>(localDomains);
        for (ListenAddress a : listen) {
            if (!a.host().equals("0.0.0.0") && !a.host().equals("::")) {
                w.add(a.host().indexOf(':') >= 0 ? "[IPv6:" + a.host() + "]" : "[" + a.host() + "]");
            }
        }
        return RuleFileParser.Options.forHost(hostname, w);
    }

    public record ListenAddress(String host, int port) {
        @Override
        public String toString() {
            return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    /** Where mail log lines and probe events go; null paths and address mean "not there". */
    public record Log(Path file, boolean stdout, String syslog, Path events) {}

    public record Limits(
            long maxMessageSize,
            int maxRecipients,
            int maxConnections,
            int maxConnectionsPerClient,
            int maxCommandLine,
            int maxDataLine,
            int maxBadCommands,
            int maxNoopCommands,
            Duration commandTimeout,
            Duration dataTimeout,
            Duration shutdownGrace) {}

    /** Enumeration defence: uniform answers and timing for untrusted clients. */
    public record Defense(boolean enabled, CidrSet trusted, Duration latency, Duration jitter, String unknownRecipients) {}

    /** The enumeration guard's thresholds (distinct unknown names per source within the window). */
    public record Guard(boolean enabled, Duration window, int tarpitAfter, Duration tarpitDelay, int refuseAfter, int blockAfter,
            Duration blockDuration, int maxSources, int badRcptThrottle, Duration badRcptDelay, int softErrorLimit,
            int hardErrorLimit, Duration errorSleep, int sharedMaxKeys) {}

    /** The [tls] table: the certificate for STARTTLS and implicit TLS; {@code cert} null: no TLS at all. */
    public record Tls(Path cert, Path key, Duration handshakeTimeout) {
        public boolean enabled() {
            return cert != null;
        }
    }

    /**
     * AUTH (RFC 4954) and the submission listeners, where it is required before MAIL (RFC 6409,
     * RFC 8314): the [auth] table and the top-level submission and submissions keys.
     */
    public record Auth(List<ListenAddress> submission, List<ListenAddress> submissions, List<String> mechanisms, boolean onListen,
            Duration latency, int maxConcurrent) {

        public static final List<String> MECHANISMS = List.of("PLAIN", "LOGIN");
    }

    public record Queue(Duration retryInitial, Duration retryMax, Duration maxAge, int deliveryConcurrency, boolean fsync,
            String maildirSync) {}

    /** The [directory] table: which backend, and its settings (docs/config.md). */
    public record DirectorySettings(
            String backend,
            Duration reloadInterval,
            boolean allowProgramTargets,
            boolean allowFileTargets,
            int maxAliasDepth,
            Duration cacheTtl,
            int cacheSize,
            Duration timeout,
            String jdbcUrl,
            String jdbcUser,
            String jdbcPassword,
            int poolSize,
            String ldapUrl,
            String ldapBindDn,
            String ldapBindPassword,
            String ldapBaseDn,
            String ldapUserFilter,
            String ldapLoginAttribute,
            String ldapNameAttribute,
            String ldapGroupFilter,
            List<String> ldapMemberAttributes) {

        public static final List<String> BACKENDS = List.of("files", "postgresql", "ldap");
    }

    /**
     * The [delivery] table: local delivery (Maildir or LMTP) and outbound SMTP (MX lookups, static
     * routes or a smarthost); docs/config.md.
     */
    public record Delivery(
            String local,
            ListenAddress lmtp,
            boolean lmtpLogin,
            List<ListenAddress> dnsServers,
            java.util.Map<String, ListenAddress> routes,
            int remotePort,
            ListenAddress smarthost,
            String smarthostTls,
            String smarthostUser,
            String smarthostPassword,
            Path smarthostCaFile,
            Duration connectTimeout,
            Duration commandTimeout,
            int maxConnectionsPerDomain) {}

    public Path spoolDir() {
        return dataDir.resolve("spool");
    }

    public Path mailDir() {
        return dataDir.resolve("mail");
    }

    /** Every default, with the data folder given; listens on 127.0.0.1, port 0 (any free port). */
    public static TacitConfig defaults(Path dataDir) {
        try {
            return ConfigLoader.parse("data_dir = " + ConfigLoader.tomlString(dataDir.toString()) + "\nlisten = [\"127.0.0.1:0\"]\n",
                    dataDir.resolve("tacit.toml"));
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

}
