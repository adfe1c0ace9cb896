package dev.tacit.directory;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The PostgreSQL backend: users, aliases and list members in three tables (schema in
 * {@code src/main/resources/dev/tacit/directory/postgresql-schema.sql}, created by
 * {@code tacit directory init --jdbc URL}), read through a HikariCP pool. Every lookup is one indexed
 * query; a whole list's members are looked up with one {@code = ANY(?)} query.
 *
 * <p>An outage (no connection within {@code directory.timeout}, a query cut off) throws
 * {@link DirectoryUnavailableException}: the client gets 451 4.3.0, never "User unknown". The pool
 * starts even when the database is down and reconnects by itself when it is back.
 *
 * <p>Security: the session never runs SQL; only these fixed, parameterised statements do.
 *
 * <p>Config keys: directory.jdbc_url, directory.jdbc_user, directory.jdbc_password,
 * directory.pool_size, directory.timeout.
 */
public final class PostgresDirectory implements Directory {

    static final String SCHEMA_RESOURCE = "postgresql-schema.sql";

    // package-private: PostgresIndexAndCacheTest EXPLAINs these lookups
    static final String USER = "SELECT login, full_name, mailbox FROM tacit_users WHERE lower(login) = ?";
    static final String USERS = "SELECT login, full_name, mailbox FROM tacit_users WHERE lower(login) = ANY(?)";
    private static final String HASH = "SELECT password_hash FROM tacit_users WHERE lower(login) = ? AND password_hash IS NOT NULL";
    static final String ALIAS = "SELECT a.name, m.target FROM tacit_aliases a"
            + " LEFT JOIN tacit_alias_members m ON m.alias = a.name WHERE lower(a.name) = ? ORDER BY m.position";
    static final String ALIASES = "SELECT a.name, m.target FROM tacit_aliases a"
            + " LEFT JOIN tacit_alias_members m ON m.alias = a.name WHERE lower(a.name) = ANY(?) ORDER BY a.name, m.position";

    private final HikariDataSource pool;
    private final int queryTimeoutSeconds;

    private PostgresDirectory(HikariDataSource pool, Duration timeout) {
        this.pool = pool;
        this.queryTimeoutSeconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
    }

    /** A pool on the database; does not fail when the database is down (lookups do, with 451). */
    public static PostgresDirectory open(String jdbcUrl, String user, String password, int poolSize, Duration timeout) {
        HikariConfig c = new HikariConfig();
        c.setPoolName("tacit-directory");
        c.setJdbcUrl(jdbcUrl);
        if (user != null) {
            c.setUsername(user);
        }
        if (password != null) {
            c.setPassword(password);
        }
        c.setMaximumPoolSize(poolSize);
        c.setMinimumIdle(Math.min(2, poolSize));
        c.setConnectionTimeout(Math.max(250, timeout.toMillis()));
        c.setValidationTimeout(Math.max(250, Math.min(timeout.toMillis(), 5000)));
        c.setInitializationFailTimeout(-1);
        c.setReadOnly(true);
        int seconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
        c.addDataSourceProperty("connectTimeout", String.valueOf(seconds));
        c.addDataSourceProperty("loginTimeout", String.valueOf(seconds));
        c.addDataSourceProperty("socketTimeout", String.valueOf(seconds * 2));
        c.addDataSourceProperty("ApplicationName", "tacit");
        return new PostgresDirectory(new HikariDataSource(c), timeout);
    }

    /** Creates the tables and indexes (idempotent): {@code tacit directory init}. */
    public static void createSchema(Connection c) throws SQLException, IOException {
        try (Statement st = c.createStatement()) {
            st.execute(schema());
        }
    }

    public static String schema() throws IOException {
        try (InputStream in = PostgresDirectory.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IOException("schema resource " + SCHEMA_RESOURCE + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Copies users and aliases into the tables, replacing rows with the same names (tests, migration). */
    public static void importFrom(Connection c, Collection<User> users, Collection<Alias> aliases) throws SQLException {
        importFrom(c, users, aliases, Map.of());
    }

    /** As above, with password hashes by lower-case login (a user without one gets none). */
    public static void importFrom(Connection c, Collection<User> users, Collection<Alias> aliases, Map<String, String> hashes)
            throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement u = c.prepareStatement("INSERT INTO tacit_users (login, full_name, mailbox, password_hash) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (login) DO UPDATE SET full_name = EXCLUDED.full_name, mailbox = EXCLUDED.mailbox,"
                + " password_hash = EXCLUDED.password_hash");
                PreparedStatement delA = c.prepareStatement("DELETE FROM tacit_aliases WHERE lower(name) = ?");
                PreparedStatement a = c.prepareStatement("INSERT INTO tacit_aliases (name) VALUES (?)");
                PreparedStatement m = c.prepareStatement("INSERT INTO tacit_alias_members (alias, position, target) VALUES (?, ?, ?)")) {
            int n = 0;
            for (User user : users) {
                u.setString(1, user.login());
                u.setString(2, user.fullName());
                u.setString(3, user.mailbox() == null ? null : user.mailbox().toString());
                u.setString(4, hashes.get(user.login().toLowerCase(Locale.ROOT)));
                u.addBatch();
                if (++n % 1000 == 0) {
                    u.executeBatch();
                }
            }
            u.executeBatch();
            for (Alias al : aliases) {
                delA.setString(1, al.name().toLowerCase(Locale.ROOT));
                delA.executeUpdate();
                a.setString(1, al.name());
                a.executeUpdate();
                int pos = 0;
                for (String t : al.targets()) {
                    m.setString(1, al.name());
                    m.setInt(2, pos++);
                    m.setString(3, t);
                    m.addBatch();
                    if (pos % 1000 == 0) {
                        m.executeBatch();
                    }
                }
                m.executeBatch();
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    @Override
    public Optional<User> user(String login) throws DirectoryUnavailableException {
        Map<String, User> m = query(USER, login.toLowerCase(Locale.ROOT), this::readUsers);
        return Optional.ofNullable(m.get(login.toLowerCase(Locale.ROOT)));
    }

    @Override
    public Optional<String> passwordHash(String login) throws DirectoryUnavailableException {
        Map<String, String> m = query(HASH, login.toLowerCase(Locale.ROOT), rs -> {
            Map<String, String> out = new HashMap<>();
            if (rs.next()) {
                out.put("hash", rs.getString(1));
            }
            return out;
        });
        return Optional.ofNullable(m.get("hash"));
    }

    @Override
    public Optional<Alias> alias(String name) throws DirectoryUnavailableException {
        Map<String, Alias> m = query(ALIAS, name.toLowerCase(Locale.ROOT), this::readAliases);
        return Optional.ofNullable(m.get(name.toLowerCase(Locale.ROOT)));
    }

    @Override
    public Map<String, User> users(Collection<String> logins) throws DirectoryUnavailableException {
        Map<String, User> found = query(USERS, lowered(logins), this::readUsers);
        Map<String, User> out = new HashMap<>();
        for (String l : logins) {
            User u = found.get(l.toLowerCase(Locale.ROOT));
            if (u != null) {
                out.put(l, u);
            }
        }
        return out;
    }

    @Override
    public Map<String, Alias> aliases(Collection<String> names) throws DirectoryUnavailableException {
        Map<String, Alias> found = query(ALIASES, lowered(names), this::readAliases);
        Map<String, Alias> out = new HashMap<>();
        for (String n : names) {
            Alias a = found.get(n.toLowerCase(Locale.ROOT));
            if (a != null) {
                out.put(n, a);
            }
        }
        return out;
    }

    private static String[] lowered(Collection<String> names) {
        return names.stream().map(s -> s.toLowerCase(Locale.ROOT)).distinct().toArray(String[]::new);
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> T query(String sql, Object key, Reader<T> reader) throws DirectoryUnavailableException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(queryTimeoutSeconds);
            if (key instanceof String[] keys) {
                Array arr = c.createArrayOf("text", keys);
                ps.setArray(1, arr);
            } else {
                ps.setString(1, (String) key);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return reader.read(rs);
            }
        } catch (SQLException e) {
            throw new DirectoryUnavailableException("PostgreSQL: " + e.getMessage(), e);
        }
    }

    private Map<String, User> readUsers(ResultSet rs) throws SQLException {
        Map<String, User> out = new HashMap<>();
        while (rs.next()) {
            String login = rs.getString(1);
            String name = rs.getString(2);
            String mailbox = rs.getString(3);
            out.put(login.toLowerCase(Locale.ROOT), new User(login, name == null || name.isEmpty() ? null : name,
                    mailbox == null || mailbox.isEmpty() ? null : Path.of(mailbox)));
        }
        return out;
    }

    private Map<String, Alias> readAliases(ResultSet rs) throws SQLException {
        Map<String, List<String>> targets = new LinkedHashMap<>();
        Map<String, String> names = new HashMap<>();
        while (rs.next()) {
            String name = rs.getString(1);
            String key = name.toLowerCase(Locale.ROOT);
            names.putIfAbsent(key, name);
            List<String> t = targets.computeIfAbsent(key, k -> new ArrayList<>());
            String target = rs.getString(2);
            if (target != null) {
                t.add(target);
            }
        }
        Map<String, Alias> out = new HashMap<>();
        for (var e : targets.entrySet()) {
            out.put(e.getKey(), new Alias(e.getKey(), e.getValue(), "tacit_aliases:" + names.get(e.getKey())));
        }
        return out;
    }

    @Override
    public void close() {
        pool.close();
    }
}
