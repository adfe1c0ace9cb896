package dev.tacit.testing;

import dev.tacit.config.ConfigLoader;
import dev.tacit.config.TacitConfig;
import dev.tacit.server.MailServer;
import dev.tacit.smtp.SmtpClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Tacit server on a free loopback port, in a temporary data folder, for tests. The default
 * users and aliases are the demo's (gw, tj, bf, br, jqp; all; postmaster and abuse to gw).
 */
public final class TestServer implements AutoCloseable {

    public static final String USERS = """
            gw:George Washington
            tj:Thomas Jefferson
            bf:Ben Franklin
            br:Betsy Ross
            jqp:John Q. Public
            """;

    public static final String ALIASES = """
            postmaster: gw
            abuse: gw
            all: gw, tj, bf, br, jqp
            """;

    private final MailServer server;
    private final Path dir;

    private TestServer(MailServer server, Path dir) {
        this.server = server;
        this.dir = dir;
    }

    /** Starts with the demo directory and the given extra TOML lines (top-level keys first). */
    public static TestServer start(Path dir, String extraToml) throws Exception {
        return start(dir, extraToml, USERS, ALIASES);
    }

    public static TestServer start(Path dir, String extraToml, String users, String aliases) throws Exception {
        return start(dir, extraToml, users, aliases, java.util.function.UnaryOperator.identity());
    }

    /** As above, with the directory wrapped (a known latency, an outage). */
    public static TestServer start(Path dir, String extraToml, String users, String aliases,
            java.util.function.UnaryOperator<dev.tacit.directory.Directory> wrap) throws Exception {
        Files.createDirectories(dir);
        if (users != null) {
            Files.writeString(dir.resolve("users"), users);
        }
        if (aliases != null) {
            Files.writeString(dir.resolve("aliases"), aliases);
        }
        TacitConfig cfg = config(dir, extraToml);
        return new TestServer(MailServer.start(cfg, wrap), dir);
    }

    public static TacitConfig config(Path dir, String extraToml) throws Exception {
        // defaults for the top-level keys the extra TOML does not set itself (it may start tables)
        StringBuilder head = new StringBuilder();
        String[][] defaults = {
            {"listen", "[\"127.0.0.1:0\"]"}, {"admin_listen", "\"127.0.0.1:0\""}, {"hostname", "\"mail.example.com\""},
            {"local_domains", "[\"example.com\"]"}, {"data_dir", "\".\""}, {"users_file", "\"users\""}, {"aliases_file", "\"aliases\""}};
        for (String[] d : defaults) {
            if (!java.util.regex.Pattern.compile("(?m)^" + d[0] + "\\s*=").matcher(extraToml).find()) {
                head.append(d[0]).append(" = ").append(d[1]).append('\n');
            }
        }
        return ConfigLoader.parse(head + extraToml, dir.resolve("tacit.toml"));
    }

    public MailServer server() {
        return server;
    }

    public int port() {
        return server.port();
    }

    /** The port of the first listener of this role (MTA, SUBMISSION, SUBMISSIONS). */
    public int port(dev.tacit.server.ListenerRole role) {
        return server.addresses(role).get(0).getPort();
    }

    public Path dataDir() {
        return dir;
    }

    public SmtpClient connect() throws IOException {
        return SmtpClient.connect("127.0.0.1", port(), Duration.ofSeconds(30));
    }

    /** A client that has read the greeting. */
    public SmtpClient greeted() throws IOException {
        SmtpClient c = connect();
        c.read();
        return c;
    }

    /**
     * Waits until a mail log file holds at least n lines matching {@code p} (RCPT lookups log after
     * their reply, from their own thread); returns those lines. Polls every 10 ms up to {@code timeout}.
     */
    public static List<String> awaitLog(Path log, java.util.function.Predicate<String> p, int n, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        List<String> found = List.of();
        while (System.nanoTime() < end) {
            found = Files.exists(log) ? Files.readAllLines(log).stream().filter(p).toList() : List.of();
            if (found.size() >= n) {
                return found;
            }
            Thread.sleep(10);
        }
        throw new AssertionError(log + ": expected " + n + " matching line(s) within " + timeout + ", found " + found);
    }

    public Maildirs maildirs() {
        return new Maildirs(dir.resolve("mail"));
    }

    @Override
    public void close() {
        server.close();
    }
}
