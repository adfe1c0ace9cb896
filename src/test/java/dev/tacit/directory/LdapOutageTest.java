package dev.tacit.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LDAP backend's outage and cache over SMTP, as PostgresOutageTest shows them for PostgreSQL: a
 * name answered before the server went away is answered from the cache; any other name gets 451 4.3.0
 * (never "User unknown"); once the server listens again the same session gets real answers.
 */
class LdapOutageTest {

    @Test
    void cachedAnswersHoldAndTheRestAreTemporaryUntilTheServerIsBack(@TempDir Path dir) throws Exception {
        try (LdapFixture ldap = new LdapFixture()) {
            ldap.load(List.of(new User("gw", "George Washington", null), new User("tj", "Thomas Jefferson", null)),
                    List.of(new Alias("staff", List.of("gw", "tj"), null)));
            String toml = OracleData.SENDMAIL_ANSWERS + "[directory]\n" + ldap.toml() + "cache_ttl = \"5m\"\ntimeout = \"1s\"\n";
            try (TestServer ts = TestServer.start(dir, toml, null, null); SmtpClient c = ts.greeted()) {
                c.command("EHLO client.example.net");
                assertThat(c.command("MAIL FROM:<sender@remote.test>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<gw>").raw()).containsExactly("250 2.1.5 <gw>... Recipient ok");
                assertThat(c.command("RCPT TO:<nobody>").raw()).containsExactly("550 5.1.1 <nobody>... User unknown");

                ldap.server.shutDown("ldap", true);
                assertThat(c.command("RCPT TO:<gw>").raw()).as("cached").containsExactly("250 2.1.5 <gw>... Recipient ok");
                assertThat(c.command("RCPT TO:<nobody>").raw()).as("cached").containsExactly("550 5.1.1 <nobody>... User unknown");
                assertThat(c.command("RCPT TO:<tj>").raw()).containsExactly("451 4.3.0 <tj>... Temporary lookup failure; try again later");
                assertThat(c.command("RCPT TO:<nobody2>").raw())
                        .containsExactly("451 4.3.0 <nobody2>... Temporary lookup failure; try again later");
                assertThat(c.command("EXPN staff").code()).isEqualTo(451);

                ldap.server.startListening("ldap");
                BackendRecovery.assertAnswersAgain(c);
            }
        }
    }
}
