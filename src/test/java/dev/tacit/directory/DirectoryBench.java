package dev.tacit.directory;

import dev.tacit.testing.Postgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Directory benchmark (not a test): 100,000 users and a 10,000-member list in each backend, then
 * <ul>
 *   <li>lookups: one RCPT/VRFY resolution of a random name (alias lookup, then user lookup; one in ten
 *       names does not exist), cold (every name a cache miss) and cached (the same names again), on one
 *       thread and on 8 virtual threads;
 *   <li>expansions: EXPN of the 10,000-member list, cold (empty cache: one batch query per 200 or all
 *       names) and cached.
 * </ul>
 * Prints a Markdown table of operations per second and p50/p99 latency. Run with bench/directory.sh.
 * The files backend has no cache (it is all in memory); its two rows are the first and second pass.
 */
public final class DirectoryBench {

    static final int USERS = 100_000;
    static final int LIST = 10_000;
    static final int SMALL_LISTS = 1_000;
    static final int LOOKUPS = Integer.getInteger("bench.lookups", 20_000);
    static final int EXPANSIONS = Integer.getInteger("bench.expansions", 20);
    static final int THREADS = 8;

    static final LocalDomains DOMAINS = new LocalDomains("mail.example.com", List.of("example.com"), List.of("127.0.0.1"));

    record Row(String backend, String operation, int n, double opsPerSecond, double p50, double p99) {}

    private final List<Row> rows = new ArrayList<>();
    private final List<User> users = new ArrayList<>();
    private final List<Alias> aliases = new ArrayList<>();
    private final Random random = new Random(42);

    public static void main(String[] args) throws Exception {
        List<String> backends = args.length == 0 ? List.of("files", "postgresql", "ldap") : Arrays.asList(args);
        DirectoryBench b = new DirectoryBench();
        b.data();
        Path dir = Files.createTempDirectory("tacit-bench");
        System.out.println("| backend | operation | n | ops/s | p50 ms | p99 ms |");
        System.out.println("|---|---|---:|---:|---:|---:|");
        for (String backend : backends) {
            switch (backend) {
                case "files" -> b.files(dir);
                case "postgresql" -> b.postgres();
                case "ldap" -> b.ldap();
                default -> throw new IllegalArgumentException("unknown backend " + backend);
            }
            for (Row r : b.rows) {
                System.out.printf(Locale.ROOT, "| %s | %s | %d | %.0f | %.3f | %.3f |%n", r.backend, r.operation, r.n, r.opsPerSecond, r.p50, r.p99);
            }
            System.out.flush();
            b.rows.clear();
        }
    }

    private void data() {
        for (int i = 0; i < USERS; i++) {
            users.add(new User(String.format("u%06d", i), "User Number " + i, null));
        }
        List<String> logins = new ArrayList<>(users.stream().map(User::login).toList());
        Collections.shuffle(logins, random);
        aliases.add(new Alias("biglist", logins.subList(0, LIST)));
        for (int i = 0; i < SMALL_LISTS; i++) {
            aliases.add(new Alias(String.format("list%04d", i), logins.subList(LIST + i * 10, LIST + i * 10 + 10)));
        }
    }

    private int nextUser;
    private List<String> shuffled;

    /**
     * Names for one measured pass, none used before (so a "cold" pass really misses the cache): nine in
     * ten existing users, one in ten names that do not exist.
     */
    private List<String> names(int n) {
        if (shuffled == null) {
            shuffled = new ArrayList<>(users.stream().map(User::login).toList());
            Collections.shuffle(shuffled, random);
        }
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(i % 10 == 9 ? "nobody" + (nextUser * 10 + i) : shuffled.get(nextUser++ % USERS));
        }
        return out;
    }

    private void files(Path dir) throws Exception {
        StringBuilder u = new StringBuilder();
        for (User user : users) {
            u.append(user.login()).append(':').append(user.fullName()).append('\n');
        }
        StringBuilder a = new StringBuilder();
        for (Alias al : aliases) {
            a.append(al.name()).append(": ");
            List<String> t = al.targets();
            for (int i = 0; i < t.size(); i++) {
                a.append(t.get(i)).append(i + 1 < t.size() ? (i % 100 == 99 ? ",\n\t" : ", ") : "\n");
            }
        }
        Files.writeString(dir.resolve("users"), u);
        Files.writeString(dir.resolve("aliases"), a);
        long t0 = System.nanoTime();
        FileDirectory.Loaded l = FileDirectory.load(dir.resolve("users"), dir.resolve("aliases"), DOMAINS, Expander.Options.DEFAULT);
        log("files: loaded %d users, %d aliases in %d ms", l.directory().userCount(), l.directory().aliasCount(),
                (System.nanoTime() - t0) / 1_000_000);
        measure("files", () -> l.directory(), false);
    }

    private void postgres() throws Exception {
        try (Postgres pg = Postgres.create()) {
            long t0 = System.nanoTime();
            try (Connection c = pg.connect()) {
                PostgresDirectory.createSchema(c);
                PostgresDirectory.importFrom(c, users, aliases);
                c.createStatement().execute("ANALYZE");
            }
            log("postgresql: imported in %d ms", (System.nanoTime() - t0) / 1_000_000);
            try (PostgresDirectory d = PostgresDirectory.open(pg.jdbcUrl(), null, null, THREADS, Duration.ofSeconds(5))) {
                measure("postgresql", () -> d, true);
            }
        }
    }

    private void ldap() throws Exception {
        try (LdapFixture server = new LdapFixture()) {
            long t0 = System.nanoTime();
            server.load(users, aliases);
            log("ldap: loaded in %d ms", (System.nanoTime() - t0) / 1_000_000);
            try (LdapDirectory d = LdapDirectory.open(new LdapDirectory.Settings("ldap://127.0.0.1:" + server.port(), null, null,
                    LdapFixture.BASE, "(&(objectClass=inetOrgPerson)(uid={0}))", "uid", "cn",
                    "(&(|(objectClass=groupOfNames)(objectClass=nisMailAlias))(cn={0}))", List.of("member", "rfc822MailMember"),
                    THREADS, Duration.ofSeconds(5)))) {
                measure("ldap", () -> d, true);
            }
        }
    }

    /** The four measurements on one backend; {@code cached} puts the production cache in front. */
    private void measure(String backend, Supplier<Directory> raw, boolean cached) throws Exception {
        // warm-up: JIT, connections; names not reused below
        Directory warm = cached ? new CachingDirectory(raw.get(), Duration.ofMinutes(10), 1_000_000) : raw.get();
        lookups(new Expander(warm, DOMAINS), names(2_000));
        expn(new Expander(warm, DOMAINS), 2);

        List<String> names = names(LOOKUPS);
        CachingDirectory cache = cached ? new CachingDirectory(raw.get(), Duration.ofMinutes(10), 1_000_000) : null;
        Expander x = new Expander(cached ? cache : raw.get(), DOMAINS);
        rows.add(row(backend, cached ? "lookup, cold" : "lookup, first pass", lookups(x, names)));
        rows.add(row(backend, cached ? "lookup, cached" : "lookup, second pass", lookups(x, names)));

        List<String> more = names(LOOKUPS);
        Expander x8 = new Expander(cached ? new CachingDirectory(raw.get(), Duration.ofMinutes(10), 1_000_000) : raw.get(), DOMAINS);
        rows.add(concurrent(backend, cached ? "lookup, cold, 8 threads" : "lookup, 8 threads", x8, more));
        rows.add(concurrent(backend, cached ? "lookup, cached, 8 threads" : "lookup, 8 threads, again", x8, more));

        List<Long> cold = new ArrayList<>();
        for (int i = 0; i < EXPANSIONS; i++) {
            Expander fresh = new Expander(cached ? new CachingDirectory(raw.get(), Duration.ofMinutes(10), 1_000_000) : raw.get(), DOMAINS);
            cold.addAll(expn(fresh, 1));
        }
        rows.add(row(backend, "EXPN 10,000-member list" + (cached ? ", cold" : ""), cold));
        if (cached) {
            Expander warmList = new Expander(cache, DOMAINS);
            expn(warmList, 1);
            rows.add(row(backend, "EXPN 10,000-member list, cached", expn(warmList, EXPANSIONS)));
        }
    }

    private static List<Long> lookups(Expander x, List<String> names) throws Exception {
        List<Long> lat = new ArrayList<>(names.size());
        for (String n : names) {
            long t = System.nanoTime();
            x.run(n, Expander.Mode.VERIFY);
            lat.add(System.nanoTime() - t);
        }
        return lat;
    }

    private static Row concurrent(String backend, String op, Expander x, List<String> names) throws Exception {
        long t0 = System.nanoTime();
        List<Long> lat = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int k = 0; k < THREADS; k++) {
                int part = k;
                fs.add(ex.submit(() -> {
                    for (int i = part; i < names.size(); i += THREADS) {
                        long t = System.nanoTime();
                        x.run(names.get(i), Expander.Mode.VERIFY);
                        lat.add(System.nanoTime() - t);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        long total = System.nanoTime() - t0;
        List<Long> sorted = new ArrayList<>(lat);
        Collections.sort(sorted);
        return new Row(backend, op, sorted.size(), sorted.size() / (total / 1e9), pct(sorted, 0.50), pct(sorted, 0.99));
    }

    private static List<Long> expn(Expander x, int times) throws Exception {
        List<Long> lat = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            long t = System.nanoTime();
            Expansion e = x.run("biglist", Expander.Mode.EXPAND);
            lat.add(System.nanoTime() - t);
            if (e.entries().size() != LIST) {
                throw new IllegalStateException("biglist expanded to " + e.entries().size() + " entries: " + e.firstError());
            }
        }
        return lat;
    }

    private static Row row(String backend, String op, List<Long> lat) {
        List<Long> sorted = new ArrayList<>(lat);
        Collections.sort(sorted);
        double total = sorted.stream().mapToLong(Long::longValue).sum() / 1e9;
        return new Row(backend, op, sorted.size(), sorted.size() / total, pct(sorted, 0.50), pct(sorted, 0.99));
    }

    private static double pct(List<Long> sorted, double p) {
        int i = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
    }

    private static void log(String fmt, Object... args) {
        System.err.printf(fmt + "%n", args);
    }
}
