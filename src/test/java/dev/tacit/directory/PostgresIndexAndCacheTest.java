package dev.tacit.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.Postgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 3's "lookups are indexed and cached with a short TTL", on a real PostgreSQL: the planner runs
 * every lookup the backend sends through an index on a table of 20,000 users, and the cache in front
 * of it answers from memory (found or not) until the TTL passes, then asks again.
 */
class PostgresIndexAndCacheTest {

    static final String DB = "tacit_index_cache";
    static Postgres pg;
    static String url;

    @BeforeAll
    static void fill() throws Exception {
        pg = Postgres.shared();
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + DB);
            st.execute("CREATE DATABASE " + DB);
        }
        url = pg.jdbcUrl().replace("/postgres?", "/" + DB + "?");
        List<User> users = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            users.add(new User(String.format("u%05d", i), "User " + i, null));
        }
        users.add(new User("gw", "George Washington", null));
        users.add(new User("tj", "Thomas Jefferson", null));
        List<Alias> aliases = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            aliases.add(new Alias(String.format("list%04d", i), List.of("gw", "tj"), null));
        }
        try (Connection c = java.sql.DriverManager.getConnection(url)) {
            PostgresDirectory.createSchema(c);
            PostgresDirectory.importFrom(c, users, aliases);
            try (Statement st = c.createStatement()) {
                st.execute("ANALYZE");
            }
        }
    }

    @AfterAll
    static void drop() throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
        }
    }

    private static String plan(String query, Object arg) throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection(url); PreparedStatement ps = c.prepareStatement("EXPLAIN " + query)) {
            if (arg instanceof String[] names) {
                ps.setArray(1, c.createArrayOf("text", names));
            } else {
                ps.setString(1, (String) arg);
            }
            StringBuilder out = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.append(rs.getString(1)).append('\n');
                }
            }
            return out.toString();
        }
    }

    @Test
    void everyLookupUsesAnIndex() throws Exception {
        assertThat(plan(PostgresDirectory.USER, "u01234")).contains("tacit_users_login_ci").doesNotContain("Seq Scan");
        assertThat(plan(PostgresDirectory.USERS, new String[] {"u00001", "u19999", "gw"})).contains("tacit_users_login_ci")
                .doesNotContain("Seq Scan");
        assertThat(plan(PostgresDirectory.ALIAS, "list0042")).contains("tacit_aliases_name_ci", "tacit_alias_members_pkey")
                .doesNotContain("Seq Scan");
        assertThat(plan(PostgresDirectory.ALIASES, new String[] {"list0001", "list1999"})).contains("tacit_aliases_name_ci")
                .doesNotContain("Seq Scan");
    }

    @Test
    void answersAreReusedUntilTheTtlPassesThenAskedAgain() throws Exception {
        AtomicLong now = new AtomicLong();
        try (PostgresDirectory db = PostgresDirectory.open(url, null, null, 2, Duration.ofSeconds(5));
                Connection c = java.sql.DriverManager.getConnection(url); Statement st = c.createStatement()) {
            CachingDirectory cache = new CachingDirectory(db, Duration.ofSeconds(10), 1000, now::get);
            assertThat(cache.user("u00007")).isPresent();
            assertThat(cache.user("newcomer")).isEmpty();
            assertThat(cache.alias("list0007").orElseThrow().targets()).containsExactly("gw", "tj");

            st.execute("DELETE FROM tacit_users WHERE login = 'u00007'");
            st.execute("INSERT INTO tacit_users (login, full_name) VALUES ('newcomer', 'New Comer')");
            st.execute("DELETE FROM tacit_aliases WHERE name = 'list0007'");
            assertThat(db.user("u00007")).as("the database itself").isEmpty();

            now.addAndGet(Duration.ofSeconds(9).toNanos());
            assertThat(cache.user("u00007")).as("a found user, within the TTL").isPresent();
            assertThat(cache.user("newcomer")).as("an absent user, within the TTL").isEmpty();
            assertThat(cache.alias("list0007")).as("a list, within the TTL").isPresent();

            now.addAndGet(Duration.ofSeconds(2).toNanos());
            assertThat(cache.user("u00007")).as("past the TTL").isEmpty();
            assertThat(cache.user("newcomer")).as("past the TTL").contains(new User("newcomer", "New Comer", null));
            assertThat(cache.alias("list0007")).as("past the TTL").isEmpty();
        }
    }
}
