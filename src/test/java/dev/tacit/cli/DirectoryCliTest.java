package dev.tacit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.Postgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tacit directory check}, {@code tacit directory init} and {@code tacit expand}, run as a user would. */
class DirectoryCliTest {

    record Run(int exit, String out, String err) {}

    static Run tacit(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
        return new Run(code, o.toString(), e.toString());
    }

    @TempDir
    Path dir;

    private Path config(String users, String aliases) throws Exception {
        Files.writeString(dir.resolve("users"), users);
        Files.writeString(dir.resolve("aliases"), aliases);
        Path toml = dir.resolve("tacit.toml");
        Files.writeString(toml, """
                hostname = "mail.example.com"
                local_domains = ["example.com"]
                listen = ["127.0.0.1:0"]
                data_dir = "."
                users_file = "users"
                aliases_file = "aliases"
                """);
        return toml;
    }

    @Test
    void checkReportsEveryErrorWithFileAndLine() throws Exception {
        Path toml = config("gw:George Washington\nbroken\n", "all: gw, tj\nstaff gw\nx: <gw\n");
        Run r = tacit("directory", "check", "--config", toml.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out().lines()).containsExactly(
                dir.resolve("users") + ":2: expected login:Full Name[:mailbox] or a passwd(5) line of 7 fields, found 1 field",
                dir.resolve("aliases") + ":2: missing colon",
                dir.resolve("aliases") + ":3: \"<gw\": unbalanced '<'",
                "3 errors");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void checkPassesGoodFilesAndWarnsAboutUndeliverableMembers() throws Exception {
        Path toml = config("gw:George Washington\ntj:Thomas Jefferson\n", "all: gw, tj\nold: gw, left\n");
        Run r = tacit("directory", "check", "-c", toml.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines()).containsExactly(
                dir.resolve("aliases") + ":2: warning: alias \"old\": 550 5.1.1 left... User unknown",
                dir.resolve("users") + ": 2 users",
                dir.resolve("aliases") + ": 2 aliases",
                "no errors, 1 warning");
        assertThat(tacit("directory", "check", "-c", toml.toString(), "--strict").exit()).isEqualTo(1);
    }

    @Test
    void aMissingConfigIsOneLine() {
        Run r = tacit("directory", "check", "-c", dir.resolve("nope.toml").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines()).containsExactly("tacit: " + dir.resolve("nope.toml") + ": no such file (give the server's tacit.toml with --config)");
    }

    @Test
    void expandPrintsTheTreeAndTheOrder() throws Exception {
        Path toml = config("gw:George Washington\ntj:Thomas Jefferson\nbf:x:1:1:Ben,,:/:/bin/sh\n",
                "all: gw, tj\nstaff: all, bf, someone@remote.test, nobody\n");
        Run r = tacit("expand", "-c", toml.toString(), "staff");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out().lines()).containsExactly(
                "staff... aliased to all, bf, someone@remote.test, nobody (aliases:2)",
                "  all... aliased to gw, tj (aliases:1)",
                "    gw... deliverable: mailer local, user gw (George Washington)",
                "    tj... deliverable: mailer local, user tj (Thomas Jefferson)",
                "  bf... deliverable: mailer local, user bf (Ben)",
                "  someone@remote.test... deliverable: mailer esmtp, host remote.test, user someone@remote.test",
                "  nobody... 550 5.1.1 nobody... User unknown",
                "=> delivered to, in order:",
                "   Ben <bf@mail.example.com>  mailbox mail/bf",
                "   Thomas Jefferson <tj@mail.example.com>  mailbox mail/tj",
                "   George Washington <gw@mail.example.com>  mailbox mail/gw",
                "   <someone@remote.test>  remote",
                "");
        assertThat(tacit("expand", "-c", toml.toString(), "all").exit()).isZero();
    }

    @Test
    void initCreatesTheSchemaAndImportsFiles() throws Exception {
        Postgres pg = Postgres.shared();
        Files.writeString(dir.resolve("users"), "cli1:Cli One\ncli2:x:1:1:& Two,,:/:/bin/sh\n");
        Files.writeString(dir.resolve("aliases"), "clilist: cli1,\n  cli2, far@remote.test\n");
        for (int i = 0; i < 2; i++) { // safe to run again
            Run r = tacit("directory", "init", "--jdbc", pg.jdbcUrl(), "--import-users", dir.resolve("users").toString(),
                    "--import-aliases", dir.resolve("aliases").toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out().lines()).containsExactly("tables tacit_users, tacit_aliases, tacit_alias_members are in place",
                    "imported 2 users and 1 aliases");
        }
        try (Connection c = pg.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT string_agg(target, ',' ORDER BY position) FROM tacit_alias_members WHERE alias = 'clilist'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("cli1,cli2,far@remote.test");
        }
        try (Connection c = pg.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT full_name FROM tacit_users WHERE login = 'cli2'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("Cli2 Two");
        }
        Run bad = tacit("directory", "init", "--jdbc", "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=1");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).startsWith("tacit: directory init: ").doesNotContain("\tat ");
    }
}
