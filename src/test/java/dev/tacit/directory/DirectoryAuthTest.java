package dev.tacit.directory;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import dev.tacit.server.ListenerRole;
import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.Postgres;
import dev.tacit.testing.TestServer;
import dev.tacit.testing.TlsFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Passwords for AUTH in each directory backend: the users file (a fourth field, or a passwd(5) line's
 * password field), PostgreSQL (the password_hash column, added to older schemas by {@code tacit directory
 * init}) and LDAP (a bind as the user); each also end to end over SMTP AUTH.
 */
class DirectoryAuthTest {

    @TempDir
    Path dir;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static final String GW_HASH = PasswordHash.hash(b("gw-pass"), 1024, 1, 1);
    static final String BCRYPT_UU = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"; // "U*U"

    private FileDirectory load(String users) throws Exception {
        Files.writeString(dir.resolve("users"), users);
        FileDirectory.Loaded l = FileDirectory.load(dir.resolve("users"), dir.resolve("aliases"), FileDirectoryTest.DOMAINS,
                Expander.Options.DEFAULT);
        assertThat(l.errors()).isEmpty();
        return l.directory();
    }

    @Test
    void usersFileHashes() throws Exception {
        FileDirectory d = load("gw:George Washington::" + GW_HASH + "\n"
                + "tj:Thomas Jefferson:/var/mail/tj:" + BCRYPT_UU + "\n"
                + "bf:Ben Franklin\n"
                + "br:" + BCRYPT_UU + ":1001:1001:Betsy Ross:/home/br:/bin/sh\n"
                + "jqp:x:1002:1002:John Q. Public:/home/jqp:/bin/sh\n");
        assertThat(d.checkPassword("gw", b("gw-pass"))).isTrue();
        assertThat(d.checkPassword("GW", b("gw-pass"))).isTrue();
        assertThat(d.checkPassword("gw", b("gw-pasS"))).isFalse();
        assertThat(d.user("tj").orElseThrow().mailbox()).isEqualTo(Path.of("/var/mail/tj"));
        assertThat(d.checkPassword("tj", b("U*U"))).isTrue();
        assertThat(d.checkPassword("bf", b(""))).isFalse();
        assertThat(d.checkPassword("br", b("U*U"))).as("a passwd line whose password field is a bcrypt hash").isTrue();
        assertThat(d.user("br").orElseThrow().fullName()).isEqualTo("Betsy Ross");
        assertThat(d.checkPassword("jqp", b("x"))).as("x in passwd: no password here").isFalse();
        assertThat(d.checkPassword("nobody", b("gw-pass"))).isFalse();
        assertThat(d.passwordHashes()).containsOnlyKeys("gw", "tj", "br");
    }

    @Test
    void aHashTacitCannotCheckIsAnErrorWithItsLine() throws Exception {
        Files.writeString(dir.resolve("users"), "gw:George Washington::" + GW_HASH + "\ntj:Thomas Jefferson::secret\n");
        FileDirectory.Loaded l = FileDirectory.load(dir.resolve("users"), dir.resolve("aliases"), FileDirectoryTest.DOMAINS,
                Expander.Options.DEFAULT);
        assertThat(l.errors()).extracting(FileError::toString).containsExactly(
                dir.resolve("users") + ":2: the password hash of \"tj\" is not an Argon2id or bcrypt hash (make one with: tacit passwd)");
    }

    @Test
    void aChangedPasswordInTheUsersFileTakesEffectOnReload() throws Exception {
        Files.writeString(dir.resolve("users"), "gw:George Washington::" + GW_HASH + "\n");
        try (ReloadingFileDirectory d = ReloadingFileDirectory.open(dir.resolve("users"), dir.resolve("aliases"), FileDirectoryTest.DOMAINS,
                Expander.Options.DEFAULT)) {
            assertThat(d.checkPassword("gw", b("gw-pass"))).isTrue();
            Files.writeString(dir.resolve("users"), "gw:George Washington::" + PasswordHash.hash(b("new-pass"), 1024, 1, 1) + "\n");
            Files.setLastModifiedTime(dir.resolve("users"), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
            assertThat(d.reloadIfChanged()).isTrue();
            assertThat(d.checkPassword("gw", b("gw-pass"))).isFalse();
            assertThat(d.checkPassword("gw", b("new-pass"))).isTrue();
        }
    }

    /** A database of its own, so the shared cluster's other tests keep their tables. */
    private static String database(Postgres pg, String name) throws SQLException {
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name);
            st.execute("CREATE DATABASE " + name);
        }
        return pg.jdbcUrl().replace("/postgres?", "/" + name + "?");
    }

    @Test
    void postgresqlPasswordHashColumn() throws Exception {
        Postgres pg = Postgres.shared();
        String url = database(pg, "tacit_auth");
        try (Connection c = java.sql.DriverManager.getConnection(url); Statement st = c.createStatement()) {
            // a directory made before AUTH existed: init adds the column and keeps the rows
            st.execute("CREATE TABLE tacit_users (login text PRIMARY KEY, full_name text, mailbox text)");
            st.execute("INSERT INTO tacit_users VALUES ('bf', 'Ben Franklin', NULL)");
            PostgresDirectory.createSchema(c);
            PostgresDirectory.importFrom(c, List.of(new User("gw", "George Washington", null), new User("tj", "Thomas Jefferson", null)),
                    List.of(new Alias("postmaster", List.of("gw"), "aliases")), Map.of("gw", GW_HASH, "tj", BCRYPT_UU));
        }
        try (PostgresDirectory d = PostgresDirectory.open(url, null, null, 2, Duration.ofSeconds(5))) {
            assertThat(d.checkPassword("gw", b("gw-pass"))).isTrue();
            assertThat(d.checkPassword("Gw", b("gw-pass"))).isTrue();
            assertThat(d.checkPassword("gw", b("nope"))).isFalse();
            assertThat(d.checkPassword("tj", b("U*U"))).isTrue();
            assertThat(d.checkPassword("bf", b("anything"))).isFalse();
            assertThat(d.checkPassword("postmaster", b("anything"))).isFalse();
            assertThat(d.user("bf")).isPresent();
            // no cache in front of passwords: a change is seen at once
            try (CachingDirectory cached = new CachingDirectory(d, Duration.ofMinutes(5), 1000);
                    Connection c = java.sql.DriverManager.getConnection(url); Statement st = c.createStatement()) {
                assertThat(cached.checkPassword("gw", b("gw-pass"))).isTrue();
                st.execute("UPDATE tacit_users SET password_hash = NULL WHERE login = 'gw'");
                assertThat(cached.checkPassword("gw", b("gw-pass"))).isFalse();
                st.execute("UPDATE tacit_users SET password_hash = '" + GW_HASH + "' WHERE login = 'gw'");
            }
        }
        Path d = Files.createDirectories(dir.resolve("pg"));
        try (TestServer ts = TestServer.start(d, TlsFixture.toml(d, "", "[directory]\nbackend = \"postgresql\"\njdbc_url = \"" + url + "\"\n"),
                null, null)) {
            authOverSmtp(ts, "gw", "gw-pass");
        }
    }

    @Test
    void ldapBindsAsTheUser() throws Exception {
        try (LdapFixture f = new LdapFixture()) {
            f.load(List.of(new User("gw", "George Washington", null), new User("tj", "Thomas Jefferson", null)),
                    List.of(new Alias("postmaster", List.of("gw"), "aliases")));
            f.server.modify("uid=gw,ou=people," + LdapFixture.BASE, new Modification(ModificationType.ADD, "userPassword", "gw-pass"));
            f.server.add(new Entry("uid=ghost,ou=people," + LdapFixture.BASE, new Attribute("objectClass", "top", "person", "inetOrgPerson"),
                    new Attribute("uid", "ghost"), new Attribute("cn", "Ghost"), new Attribute("sn", "ghost")));
            LdapDirectory.Settings s = new LdapDirectory.Settings("ldap://127.0.0.1:" + f.port(), null, null, LdapFixture.BASE,
                    "(&(objectClass=inetOrgPerson)(uid={0}))", "uid", "cn", "(&(objectClass=groupOfNames)(cn={0}))",
                    List.of("member"), 2, Duration.ofSeconds(5));
            try (LdapDirectory d = LdapDirectory.open(s)) {
                assertThat(d.checkPassword("gw", b("gw-pass"))).isTrue();
                assertThat(d.checkPassword("gw", b("gw-pasS"))).isFalse();
                assertThat(d.checkPassword("gw", b(""))).as("an empty password would be an anonymous bind").isFalse();
                assertThat(d.checkPassword("tj", b("anything"))).as("an entry without a password").isFalse();
                assertThat(d.checkPassword("nobody", b("gw-pass"))).isFalse();
                assertThat(d.checkPassword("*", b("gw-pass"))).as("the login is escaped in the filter").isFalse();
                // the pooled connection is back to its own identity: lookups still work
                assertThat(d.user("tj")).isPresent();
            }
            Path d = Files.createDirectories(dir.resolve("ldap"));
            try (TestServer ts = TestServer.start(d, TlsFixture.toml(d, "", "[directory]\n" + f.toml()), null, null)) {
                authOverSmtp(ts, "gw", "gw-pass");
            }
        }
    }

    private static void authOverSmtp(TestServer ts, String login, String password) throws Exception {
        try (SmtpClient c = TlsFixture.encrypted(ts, ListenerRole.SUBMISSIONS)) {
            assertThat(c.command("AUTH PLAIN " + TlsFixture.plain(login, password + "x")).raw())
                    .containsExactly("535 5.7.8 Authentication credentials invalid");
            assertThat(c.command("AUTH PLAIN " + TlsFixture.plain(login + "@example.com", password)).raw())
                    .containsExactly("235 2.7.0 Authentication successful");
            assertThat(c.command("MAIL FROM:<" + login + "@example.com>").code()).isEqualTo(250);
        }
    }
}
