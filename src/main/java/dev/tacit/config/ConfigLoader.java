package dev.tacit.config;

import dev.tacit.config.TacitConfig.ListenAddress;
import dev.tacit.policy.CidrSet;
import dev.tacit.policy.PrivacyOptions;
import dev.tacit.rules.RuleFileParser;
import dev.tacit.rules.RuleSets;
import dev.tacit.rules.RulesException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Loads tacit.toml into a {@link TacitConfig}. Every key must be in {@link Params}; an unknown key,
 * a value of the wrong type or out of range stops loading with one line naming the file, the line
 * and the key.
 */
public final class ConfigLoader {

    private ConfigLoader() {}

    public static TacitConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw ConfigException.at(file, 0, null, "cannot read: " + e.getMessage());
        }
        return parse(text, file.toAbsolutePath());
    }

    public static TacitConfig parse(String text, Path file) throws ConfigException {
        TomlParseResult toml = Toml.parse(text);
        if (toml.hasErrors()) {
            TomlParseError err = toml.errors().get(0);
            throw ConfigException.at(file, err.position().line(), null, err.getMessage());
        }
        Values v = new Values(toml, file);
        v.checkKeys();
        return v.build();
    }

    /** Loads the rule sets named by rules_file; a bad file stops loading with its own file:line errors. */
    private static TacitConfig rules(TacitConfig c, Path rulesFile) throws ConfigException {
        if (rulesFile == null) {
            return c;
        }
        try {
            RuleSets sets = RuleFileParser.load(rulesFile, c.ruleOptions());
            return new TacitConfig(c.source(), c.listen(), c.hostname(), c.greetingText(), c.localDomains(), c.dataDir(), c.usersFile(),
                    c.aliasesFile(), c.logLevel(), c.privacy(), c.helpFile(), c.log(), c.limits(), c.queue(), c.defense(), c.guard(),
                    c.counters(), c.adminListen(), new TacitConfig.Rules(rulesFile, sets), c.directory(), c.delivery(), c.tls(), c.auth());
        } catch (RulesException e) {
            // one line per error; control characters in a path or a rule (a CR) are shown escaped (found by fuzzing)
            throw new ConfigException(String.join("\n", e.errors().stream().map(ConfigException::printable).toList()));
        }
    }

    /** Quotes a string for embedding in TOML. */
    public static String tomlString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    public static Duration parseDuration(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("expected a duration such as \"30s\", \"5m\", \"250ms\"");
        }
        long n = Long.parseLong(t.substring(0, i));
        try {
            return switch (t.substring(i)) {
                case "ms" -> Duration.ofMillis(n);
                case "s", "" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> throw new IllegalArgumentException("unknown duration unit \"" + t.substring(i) + "\" (use ms, s, m, h or d)");
            };
        } catch (ArithmeticException e) {
            // e.g. "9999999999999999d": more seconds than a long holds (found by fuzzing)
            throw new IllegalArgumentException("duration too large");
        }
    }

    public static long parseSize(String s) {
        String t = s.strip().toUpperCase(Locale.ROOT);
        if (t.endsWith("B")) {
            t = t.substring(0, t.length() - 1);
        }
        long mult = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> mult = 1024L;
                case 'M' -> mult = 1024L * 1024;
                case 'G' -> mult = 1024L * 1024 * 1024;
                default -> mult = 1;
            }
        }
        if (mult != 1) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            long n = Long.parseLong(t.strip());
            if (n < 0) {
                throw new IllegalArgumentException("size must not be negative");
            }
            return Math.multiplyExact(n, mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("expected a size such as 1048576, \"512K\" or \"25M\"");
        }
    }

    /** Resolved values with their positions, for errors that name the line. */
    private static final class Values {
        private final TomlParseResult toml;
        private final Path file;
        private final Map<String, Object> resolved = new HashMap<>();

        Values(TomlParseResult toml, Path file) {
            this.toml = toml;
            this.file = file;
        }

        private int line(String key) {
            TomlPosition p = toml.inputPositionOf(key);
            return p == null ? 0 : p.line();
        }

        void checkKeys() throws ConfigException {
            for (String key : toml.dottedKeySet(true)) {
                Object value = toml.get(List.of(key.split("\\.")));
                if (value instanceof TomlTable) {
                    if (!Params.isTable(key)) {
                        throw ConfigException.at(file, line(key), key, "unknown table");
                    }
                    continue;
                }
                if (Params.get(key) == null) {
                    throw ConfigException.at(file, line(key), key, "unknown key" + suggestion(key));
                }
            }
        }

        private static String suggestion(String key) {
            String best = null;
            int bestDist = 3;
            for (Param p : Params.ALL) {
                int d = distance(key, p.key());
                if (d < bestDist) {
                    bestDist = d;
                    best = p.key();
                }
            }
            return best == null ? "" : " (did you mean '" + best + "'?)";
        }

        private static int distance(String a, String b) {
            int[] prev = new int[b.length() + 1];
            int[] cur = new int[b.length() + 1];
            for (int j = 0; j <= b.length(); j++) {
                prev[j] = j;
            }
            for (int i = 1; i <= a.length(); i++) {
                cur[0] = i;
                for (int j = 1; j <= b.length(); j++) {
                    int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                    cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                }
                int[] t = prev;
                prev = cur;
                cur = t;
            }
            return prev[b.length()];
        }

        /** The value of a key from the file, or its default parsed from TOML. */
        private Object raw(String key) throws ConfigException {
            Param p = Params.get(key);
            Object v = toml.get(List.of(key.split("\\.")));
            if (v != null) {
                return v;
            }
            if (p.defaultValue() == null) {
                return null;
            }
            TomlParseResult d = Toml.parse("v = " + p.defaultValue());
            return d.get("v");
        }

        private ConfigException bad(String key, String msg) {
            return ConfigException.at(file, line(key), key, msg);
        }

        String string(String key) throws ConfigException {
            Object v = raw(key);
            if (v == null) {
                return null;
            }
            if (!(v instanceof String s)) {
                throw bad(key, "expected a string, got " + typeName(v));
            }
            return s;
        }

        List<String> strings(String key) throws ConfigException {
            Object v = raw(key);
            if (!(v instanceof TomlArray a)) {
                throw bad(key, "expected a list of strings, got " + typeName(v));
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                if (!(a.get(i) instanceof String s)) {
                    throw bad(key, "element " + (i + 1) + " is not a string");
                }
                out.add(s);
            }
            return List.copyOf(out);
        }

        long integer(String key, long min, long max) throws ConfigException {
            Object v = raw(key);
            if (!(v instanceof Long n)) {
                throw bad(key, "expected an integer, got " + typeName(v));
            }
            if (n < min || n > max) {
                throw bad(key, "must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        }

        int integer(String key, int min, int max) throws ConfigException {
            return (int) integer(key, (long) min, (long) max);
        }

        boolean bool(String key) throws ConfigException {
            Object v = raw(key);
            if (!(v instanceof Boolean b)) {
                throw bad(key, "expected true or false, got " + typeName(v));
            }
            return b;
        }

        long size(String key) throws ConfigException {
            Object v = raw(key);
            if (v instanceof Long n) {
                if (n <= 0) {
                    throw bad(key, "must be positive");
                }
                return n;
            }
            if (v instanceof String s) {
                try {
                    long n = parseSize(s);
                    if (n <= 0) {
                        throw bad(key, "must be positive");
                    }
                    return n;
                } catch (IllegalArgumentException e) {
                    throw bad(key, e.getMessage());
                }
            }
            throw bad(key, "expected a size, got " + typeName(v));
        }

        Duration duration(String key) throws ConfigException {
            Object v = raw(key);
            if (!(v instanceof String s)) {
                throw bad(key, "expected a duration string such as \"30s\", got " + typeName(v));
            }
            try {
                return parseDuration(s);
            } catch (IllegalArgumentException e) {
                throw bad(key, e.getMessage());
            }
        }

        Path path(String key, Path base) throws ConfigException {
            String s = string(key);
            if (s == null) {
                return null;
            }
            if (s.isBlank()) {
                throw bad(key, "must not be empty");
            }
            Path p;
            try {
                p = Path.of(s);
            } catch (java.nio.file.InvalidPathException e) {
                // e.g. a NUL written as \u0000 (found by fuzzing)
                throw bad(key, "\"" + s + "\" is not a valid path: " + e.getReason());
            }
            return p.isAbsolute() ? p : base.resolve(p).normalize();
        }

        List<ListenAddress> listen(String key) throws ConfigException {
            List<ListenAddress> out = listen(key, true);
            if (out.isEmpty()) {
                throw bad(key, "needs at least one address");
            }
            return out;
        }

        List<ListenAddress> listen(String key, boolean allowEmpty) throws ConfigException {
            List<ListenAddress> out = new ArrayList<>();
            for (String s : strings(key)) {
                try {
                    out.add(parseListen(s));
                } catch (IllegalArgumentException e) {
                    throw bad(key, "\"" + s + "\": " + e.getMessage());
                }
            }
            return List.copyOf(out);
        }

        TacitConfig build() throws ConfigException {
            Path base = file.toAbsolutePath().getParent();
            if (base == null) {
                base = Path.of("").toAbsolutePath();
            }
            Path dataDir = path("data_dir", base);
            String hostname = string("hostname");
            if (hostname == null) {
                hostname = defaultHostname();
            } else if (!hostname.matches("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*")) {
                throw bad("hostname", "\"" + hostname + "\" is not a valid host name");
            }
            List<String> domains = new ArrayList<>();
            for (String d : strings("local_domains")) {
                if (!d.matches("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*")) {
                    throw bad("local_domains", "\"" + d + "\" is not a valid domain");
                }
                domains.add(d.toLowerCase(Locale.ROOT));
            }
            Path users = path("users_file", base);
            Path aliases = path("aliases_file", base);
            var limits = new TacitConfig.Limits(
                    size("limits.max_message_size"),
                    integer("limits.max_recipients", 1, 100_000),
                    integer("limits.max_connections", 1, 1_000_000),
                    integer("limits.max_connections_per_client", 1, 1_000_000),
                    integer("limits.max_command_line", 512, 1_048_576),
                    integer("limits.max_data_line", 1000, 16 * 1_048_576),
                    integer("limits.max_bad_commands", 1, 1_000_000),
                    integer("limits.max_noop_commands", 0, 1_000_000),
                    positive("limits.command_timeout"),
                    positive("limits.data_timeout"),
                    duration("limits.shutdown_grace"));
            var queue = new TacitConfig.Queue(
                    positive("queue.retry_initial"),
                    positive("queue.retry_max"),
                    positive("queue.max_age"),
                    integer("queue.delivery_concurrency", 1, 1024),
                    bool("queue.fsync"),
                    oneOf("queue.maildir_sync", "batch", "file"));
            var defense = new TacitConfig.Defense(bool("enumeration_defense"), cidrs("trusted_networks"),
                    duration("enumeration.latency"), duration("enumeration.jitter"), oneOf("enumeration.unknown_recipients", "drop", "bounce"));
            int tarpit = integer("guard.tarpit_after", 1, 1_000_000);
            int refuse = integer("guard.refuse_after", 1, 1_000_000);
            int block = integer("guard.block_after", 1, 1_000_000);
            if (refuse < tarpit) {
                throw bad("guard.refuse_after", "must not be below guard.tarpit_after (" + tarpit + ")");
            }
            if (block < refuse) {
                throw bad("guard.block_after", "must not be below guard.refuse_after (" + refuse + ")");
            }
            var guard = new TacitConfig.Guard(bool("guard.enabled"), positive("guard.window"), tarpit, duration("guard.tarpit_delay"),
                    refuse, block, positive("guard.block_duration"), integer("guard.max_sources", 100, 10_000_000),
                    integer("guard.bad_rcpt_throttle", 0, 1_000_000), duration("guard.bad_rcpt_delay"),
                    integer("guard.soft_error_limit", 0, 1_000_000), integer("guard.hard_error_limit", 0, 1_000_000),
                    duration("guard.error_sleep"), integer("guard.shared_max_keys", 100, 100_000_000));
            String counters = string("counters");
            if (!counters.equals("local") && !counters.matches("rediss?://.+")) {
                throw bad("counters", "\"" + counters + "\": expected \"local\" or \"redis://host:port\"");
            }
            String admin = string("admin_listen");
            if (!admin.equals("off")) {
                try {
                    parseListen(admin);
                } catch (IllegalArgumentException e) {
                    throw bad("admin_listen", "\"" + admin + "\": " + e.getMessage());
                }
            }
            var directory = directory();
            var tls = tls(base);
            var auth = auth(tls);
            var delivery = delivery(base);
            return rules(new TacitConfig(
                    file,
                    listen("listen"),
                    hostname,
                    string("greeting_text"),
                    List.copyOf(domains),
                    dataDir,
                    users == null ? dataDir.resolve("users") : users,
                    aliases == null ? dataDir.resolve("aliases") : aliases,
                    integer("log_level", 0, 99),
                    privacy("privacy_options"),
                    path("help_file", base),
                    new TacitConfig.Log(path("log.file", base), bool("log.stdout"), syslog("log.syslog"), path("log.events", base)),
                    limits,
                    queue,
                    defense,
                    guard,
                    counters,
                    admin,
                    TacitConfig.Rules.NONE,
                    directory,
                    delivery,
                    tls,
                    auth), path("rules_file", base));
        }

        private TacitConfig.Delivery delivery(Path base) throws ConfigException {
            String local = oneOf("delivery.local", "maildir", "lmtp");
            ListenAddress lmtp = hostPort("delivery.lmtp", string("delivery.lmtp"));
            boolean login = oneOf("delivery.lmtp_recipient", "address", "login").equals("login");
            List<ListenAddress> dns = new ArrayList<>();
            for (String d : strings("delivery.dns_servers")) {
                // host:port, [v6]:port, or a bare address on port 53
                boolean hasPort = d.matches("\\[.*\\]:\\d+") || d.matches("[^:\\[\\]]+:\\d+");
                String withPort = hasPort ? d : (d.contains(":") && !d.startsWith("[") ? "[" + d + "]" : d) + ":53";
                dns.add(hostPort("delivery.dns_servers", withPort));
            }
            Map<String, ListenAddress> routes = new java.util.LinkedHashMap<>();
            for (String r : strings("delivery.routes")) {
                int eq = r.indexOf('=');
                String domain = eq < 0 ? "" : r.substring(0, eq).strip().toLowerCase(Locale.ROOT);
                if (eq < 0 || !domain.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
                    throw bad("delivery.routes", "\"" + r + "\": expected \"domain=host:port\"");
                }
                routes.put(domain, hostPort("delivery.routes", r.substring(eq + 1).strip()));
            }
            int remotePort = integer("delivery.remote_port", 1, 65535);
            String sh = string("delivery.smarthost");
            ListenAddress smarthost = sh == null ? null : hostPort("delivery.smarthost", sh);
            String tls = oneOf("delivery.smarthost_tls", "starttls", "implicit");
            String user = string("delivery.smarthost_user");
            String password = string("delivery.smarthost_password");
            Path ca = path("delivery.smarthost_ca_file", base);
            if (user != null && password == null) {
                throw bad("delivery.smarthost_user", "needs delivery.smarthost_password as well");
            }
            if ((user != null || ca != null) && smarthost == null) {
                throw bad(user != null ? "delivery.smarthost_user" : "delivery.smarthost_ca_file", "is set, but delivery.smarthost is not");
            }
            if (ca != null && !Files.isReadable(ca)) {
                throw bad("delivery.smarthost_ca_file", "cannot read " + ca);
            }
            return new TacitConfig.Delivery(local, lmtp, login, List.copyOf(dns), Map.copyOf(routes), remotePort, smarthost, tls, user,
                    password, ca, positive("delivery.connect_timeout"), positive("delivery.command_timeout"),
                    integer("delivery.max_connections_per_domain", 1, 10_000));
        }

        /** host:port with a port (1-65535); IPv6 in brackets. */
        private ListenAddress hostPort(String key, String s) throws ConfigException {
            try {
                ListenAddress a = parseListen(s);
                if (a.port() == 0) {
                    throw new IllegalArgumentException("port 0");
                }
                return a;
            } catch (IllegalArgumentException e) {
                throw bad(key, "\"" + s + "\": expected host:port (" + e.getMessage() + ")");
            }
        }

        private TacitConfig.DirectorySettings directory() throws ConfigException {
            String backend = string("directory.backend");
            if (!TacitConfig.DirectorySettings.BACKENDS.contains(backend)) {
                throw bad("directory.backend", "\"" + backend + "\" is not one of " + TacitConfig.DirectorySettings.BACKENDS);
            }
            var d = new TacitConfig.DirectorySettings(backend,
                    duration("directory.reload_interval"),
                    bool("directory.allow_program_targets"),
                    bool("directory.allow_file_targets"),
                    integer("directory.max_alias_depth", 1, 100),
                    duration("directory.cache_ttl"),
                    integer("directory.cache_size", 0, 100_000_000),
                    positive("directory.timeout"),
                    string("directory.jdbc_url"),
                    string("directory.jdbc_user"),
                    string("directory.jdbc_password"),
                    integer("directory.pool_size", 1, 1000),
                    string("directory.ldap_url"),
                    string("directory.ldap_bind_dn"),
                    string("directory.ldap_bind_password"),
                    string("directory.ldap_base_dn"),
                    string("directory.ldap_user_filter"),
                    string("directory.ldap_login_attribute"),
                    string("directory.ldap_name_attribute"),
                    string("directory.ldap_group_filter"),
                    strings("directory.ldap_member_attributes"));
            if (backend.equals("postgresql") && (d.jdbcUrl() == null || !d.jdbcUrl().startsWith("jdbc:postgresql:"))) {
                throw bad(d.jdbcUrl() == null ? "directory.backend" : "directory.jdbc_url",
                        "the postgresql backend needs directory.jdbc_url = \"jdbc:postgresql://host:port/database\"");
            }
            if (backend.equals("ldap")) {
                if (d.ldapBaseDn() == null) {
                    throw bad("directory.backend", "the ldap backend needs directory.ldap_base_dn");
                }
                if (!d.ldapUrl().matches("ldaps?://[^/:]+(:\\d+)?/?")) {
                    throw bad("directory.ldap_url", "\"" + d.ldapUrl() + "\" is not ldap://host[:port] or ldaps://host[:port]");
                }
                if (!d.ldapUserFilter().contains("{0}") || !d.ldapGroupFilter().contains("{0}")) {
                    throw bad(d.ldapUserFilter().contains("{0}") ? "directory.ldap_group_filter" : "directory.ldap_user_filter",
                            "the filter must contain {0}, where the name goes");
                }
            }
            return d;
        }

        /** [tls]: both files or neither; they must load, and the key must match the certificate. */
        private TacitConfig.Tls tls(Path base) throws ConfigException {
            Path cert = path("tls.cert", base);
            Path key = path("tls.key", base);
            if ((cert == null) != (key == null)) {
                throw bad(cert == null ? "tls.key" : "tls.cert", "tls.cert and tls.key go together: set both or neither");
            }
            if (cert != null) {
                try {
                    dev.tacit.smtp.Tls.load(cert, key);
                } catch (IOException e) {
                    String m = String.valueOf(e.getMessage());
                    throw bad(m.startsWith(key.toString()) ? "tls.key" : "tls.cert", m);
                }
            }
            return new TacitConfig.Tls(cert, key, positive("tls.handshake_timeout"));
        }

        /** [auth] and the submission listeners; AUTH is only ever offered over TLS, so they need [tls]. */
        private TacitConfig.Auth auth(TacitConfig.Tls tls) throws ConfigException {
            List<ListenAddress> submission = listen("submission", true);
            List<ListenAddress> submissions = listen("submissions", true);
            boolean onListen = bool("auth.on_listen");
            for (String k : new String[] {"submission", "submissions", "auth.on_listen"}) {
                boolean wanted = k.equals("auth.on_listen") ? onListen : !(k.equals("submission") ? submission : submissions).isEmpty();
                if (wanted && !tls.enabled()) {
                    throw bad(k, "needs tls.cert and tls.key: AUTH is only offered over TLS");
                }
            }
            List<String> mechs = new ArrayList<>();
            for (String m : strings("auth.mechanisms")) {
                String u = m.toUpperCase(Locale.ROOT);
                if (!TacitConfig.Auth.MECHANISMS.contains(u)) {
                    throw bad("auth.mechanisms", "\"" + m + "\" is not one of " + TacitConfig.Auth.MECHANISMS);
                }
                if (!mechs.contains(u)) {
                    mechs.add(u);
                }
            }
            if (mechs.isEmpty()) {
                throw bad("auth.mechanisms", "needs at least one mechanism");
            }
            return new TacitConfig.Auth(submission, submissions, List.copyOf(mechs), onListen, duration("auth.latency"),
                    integer("auth.max_concurrent", 1, 1024));
        }

        private CidrSet cidrs(String key) throws ConfigException {
            try {
                return CidrSet.parse(strings(key));
            } catch (IllegalArgumentException e) {
                throw bad(key, e.getMessage());
            }
        }

        private String oneOf(String key, String... allowed) throws ConfigException {
            String v = string(key);
            for (String a : allowed) {
                if (a.equals(v)) {
                    return v;
                }
            }
            throw bad(key, "\"" + v + "\": expected one of " + String.join(", ", allowed));
        }

        private String syslog(String key) throws ConfigException {
            String s = string(key);
            if (s != null) {
                try {
                    ListenAddress a = parseListen(s);
                    if (a.port() == 0) {
                        throw new IllegalArgumentException("port 0");
                    }
                } catch (IllegalArgumentException e) {
                    throw bad(key, "\"" + s + "\": expected host:port of a syslog collector (" + e.getMessage() + ")");
                }
            }
            return s;
        }

        private PrivacyOptions privacy(String key) throws ConfigException {
            try {
                return PrivacyOptions.parse(string(key));
            } catch (IllegalArgumentException e) {
                throw bad(key, e.getMessage());
            }
        }

        private Duration positive(String key) throws ConfigException {
            Duration d = duration(key);
            if (d.isZero() || d.isNegative()) {
                throw bad(key, "must be longer than zero");
            }
            return d;
        }
    }

    /** Parses host:port ([v6]:port) as in the listen key. */
    public static ListenAddress parseListenAddress(String s) {
        return parseListen(s);
    }

    static ListenAddress parseListen(String s) {
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("expected [ipv6]:port");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("expected host:port");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("put IPv6 addresses in brackets, \"[::1]:25\"");
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("missing host");
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port \"" + port + "\" is not a number");
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("port " + p + " out of range");
        }
        return new ListenAddress(host, p);
    }

    static String typeName(Object v) {
        if (v == null) {
            return "nothing";
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Long) {
            return "an integer";
        }
        if (v instanceof Double) {
            return "a number";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof TomlArray) {
            return "a list";
        }
        if (v instanceof TomlTable) {
            return "a table";
        }
        return "a " + v.getClass().getSimpleName();
    }

    static String defaultHostname() {
        try {
            String h = InetAddress.getLocalHost().getCanonicalHostName();
            return h.isEmpty() ? "localhost" : h;
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
