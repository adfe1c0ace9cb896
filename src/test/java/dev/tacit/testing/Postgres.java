package dev.tacit.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster for tests: {@code initdb} into a temporary folder and
 * {@code pg_ctl start} on a free loopback port (Debian's postgresql-15, installed by .ci/run; its
 * binaries are in /usr/lib/postgresql/15/bin). Run as user postgres when the tests run as root, since
 * PostgreSQL refuses to run as root. Trust authentication on 127.0.0.1 only; fsync off.
 *
 * <p>{@link #stop()} and {@link #start()} let a test take the database away and bring it back.
 */
public final class Postgres implements AutoCloseable {

    private static final String[] BIN_DIRS = {"/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"};
    private static Postgres shared;

    private final Path root;
    private final Path data;
    private final Path pgCtl;
    private final int port;
    private final boolean asPostgres;

    private Postgres(Path root, Path pgCtl, int port, boolean asPostgres) {
        this.root = root;
        this.data = root.resolve("data");
        this.pgCtl = pgCtl;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    /** One cluster for the whole test JVM (stopped by a shutdown hook); tests must not stop it. */
    public static synchronized Postgres shared() throws Exception {
        if (shared == null) {
            shared = create();
            Postgres p = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(p::close, "postgres-stop"));
        }
        return shared;
    }

    /** A new cluster of its own, started; skips the test (fails under CI) when PostgreSQL is missing. */
    public static Postgres create() throws Exception {
        Path initdb = External.require("initdb", BIN_DIRS);
        Path pgCtl = External.require("pg_ctl", BIN_DIRS);
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("tacit-pg");
        if (root) {
            UserPrincipal pg = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(dir, pg);
        }
        Postgres p = new Postgres(dir, pgCtl, External.freePort(), root);
        p.run(60, initdb.toString(), "-D", p.data.toString(), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8",
                "--locale=C");
        p.start();
        return p;
    }

    public int port() {
        return port;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    public void start() throws IOException, InterruptedException {
        run(60, pgCtl.toString(), "-D", data.toString(), "-l", root.resolve("log").toString(), "-w", "-t", "50", "-o",
                "-p " + port + " -k " + root + " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off", "start");
    }

    /** Stops at once, as a crash or a network cut would look to clients. */
    public void stop() throws IOException, InterruptedException {
        run(60, pgCtl.toString(), "-D", data.toString(), "-m", "immediate", "-w", "-t", "50", "stop");
    }

    private void run(int seconds, String... cmd) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(root.resolve("cmd.log").toFile()).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + ": no answer in " + seconds + " s");
        }
        if (p.exitValue() != 0) {
            String log = Files.readString(root.resolve("cmd.log"));
            Path server = root.resolve("log");
            if (Files.exists(server)) {
                log += "\n" + Files.readString(server);
            }
            throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "):\n" + log);
        }
    }

    @Override
    public void close() {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                stop();
            }
        } catch (IOException | InterruptedException e) {
            // best effort: the folder goes anyway
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp folder left behind
        }
    }
}
