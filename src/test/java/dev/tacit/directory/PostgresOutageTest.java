package dev.tacit.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.Postgres;
import dev.tacit.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL goes away in the middle of a session: every lookup the cache cannot answer gets
 * 451 4.3.0, for existing and absent users alike (never "User unknown"), and mail flows again, in the
 * same session, once the database is back.
 */
class PostgresOutageTest {

    @Test
    void outageIsTemporaryAndRecovers(@TempDir Path dir) throws Exception {
        try (Postgres pg = Postgres.create()) {
            try (Connection c = pg.connect()) {
                PostgresDirectory.createSchema(c);
                PostgresDirectory.importFrom(c, List.of(new User("gw", "George Washington", null), new User("tj", "Thomas Jefferson", null)),
                        List.of(new Alias("staff", List.of("gw", "tj"))));
            }
            String toml = OracleData.SENDMAIL_ANSWERS + "[directory]\nbackend = \"postgresql\"\njdbc_url = \"" + pg.jdbcUrl()
                    + "\"\ncache_ttl = \"1s\"\ntimeout = \"1s\"\n";
            try (TestServer ts = TestServer.start(dir, toml, null, null); SmtpClient c = ts.greeted()) {
                c.command("EHLO client.example.net");
                assertThat(c.command("MAIL FROM:<sender@remote.test>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<gw>").raw()).containsExactly("250 2.1.5 <gw>... Recipient ok");
                assertThat(c.command("RCPT TO:<nobody>").raw()).containsExactly("550 5.1.1 <nobody>... User unknown");
                assertThat(c.command("VRFY gw").code()).isEqualTo(250);

                pg.stop();
                assertThat(c.command("RCPT TO:<tj>").raw()).containsExactly("451 4.3.0 <tj>... Temporary lookup failure; try again later");
                assertThat(c.command("RCPT TO:<nobody2>").raw())
                        .containsExactly("451 4.3.0 <nobody2>... Temporary lookup failure; try again later");
                assertThat(c.command("VRFY staff").code()).isEqualTo(451);
                assertThat(c.command("EXPN staff").code()).isEqualTo(451);
                Thread.sleep(1200); // past the cache's TTL: even gw is asked for again
                assertThat(c.command("VRFY gw").raw()).containsExactly("451 4.3.0 gw... Temporary lookup failure; try again later");

                pg.start();
                BackendRecovery.assertAnswersAgain(c);
                assertThat(c.command("DATA").code()).isEqualTo(354);
                assertThat(c.data("Subject: back\r\n\r\nagain\r\n".getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
                assertThat(ts.maildirs().await("gw", 1, Duration.ofSeconds(10))).hasSize(1);
                assertThat(ts.maildirs().await("tj", 1, Duration.ofSeconds(10))).hasSize(1);
            }
        }
    }
}
