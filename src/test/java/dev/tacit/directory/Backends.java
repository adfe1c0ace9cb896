package dev.tacit.directory;

import dev.tacit.testing.Postgres;
import dev.tacit.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts a Tacit test server on the demo's users and aliases (TestServer.USERS, ALIASES) held in any of
 * the directory backends: "files", "postgresql" (a database of its own in the shared test cluster) or
 * "ldap" (UnboundID's in-memory server on loopback). For suites that must hold on every backend.
 */
public final class Backends {

    public static final List<String> ALL = List.of("files", "postgresql", "ldap");

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private Backends() {}

    /** A running server and whatever backs it; closing it closes both. */
    public record Started(TestServer server, AutoCloseable store) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            server.close();
            if (store != null) {
                store.close();
            }
        }
    }

    /**
     * Starts Tacit with the given top-level TOML (and tables) on this backend. The backend's keys go
     * in a [directory] table at the end, so the extra TOML must not open one itself.
     */
    public static Started start(String backend, Path dir, String toml) throws Exception {
        if (backend.equals("files")) {
            return new Started(TestServer.start(dir, toml), null);
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("users"), TestServer.USERS);
        Files.writeString(dir.resolve("aliases"), TestServer.ALIASES);
        FileDirectory.Loaded l = FileDirectory.load(dir.resolve("users"), dir.resolve("aliases"),
                new LocalDomains("mail.example.com", List.of("example.com"), List.of("127.0.0.1")), new Expander.Options(10, false, false));
        if (!l.ok()) {
            throw new IllegalStateException(l.errors().toString());
        }
        // the files are gone before the server starts: only the backend can know the users
        Files.delete(dir.resolve("users"));
        Files.delete(dir.resolve("aliases"));
        FileDirectory data = l.directory();
        switch (backend) {
            case "postgresql" -> {
                Postgres pg = Postgres.shared();
                String db = "tacit_backends_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
                try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                    st.execute("CREATE DATABASE " + db);
                }
                String url = "jdbc:postgresql://127.0.0.1:" + pg.port() + "/" + db + "?user=postgres";
                try (Connection c = DriverManager.getConnection(url)) {
                    PostgresDirectory.createSchema(c);
                    PostgresDirectory.importFrom(c, data.allUsers(), data.allAliases());
                }
                return new Started(TestServer.start(dir, toml + "[directory]\nbackend = \"postgresql\"\njdbc_url = \"" + url + "\"\n",
                        null, null), null);
            }
            case "ldap" -> {
                LdapFixture ldap = new LdapFixture();
                try {
                    ldap.load(data.allUsers(), data.allAliases());
                    return new Started(TestServer.start(dir, toml + "[directory]\n" + ldap.toml(), null, null), ldap);
                } catch (Exception | Error e) {
                    ldap.close();
                    throw e;
                }
            }
            default -> throw new IllegalArgumentException("unknown backend " + backend);
        }
    }
}
