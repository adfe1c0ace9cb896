package dev.tacit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sendmail slows VRFY/EXPN down after the 6th, but only the successful ones pay the full wait, so real
 * users answer more slowly than unknown ones (a timing side channel). Tacit waits the same for both.
 */
class SlowdownTest {

    @TempDir
    Path dir;

    @Test
    void unknownAndKnownUsersWaitAlikePastTheLimit() throws Exception {
        try (TestServer ts = TestServer.start(dir, "privacy_options = \"public\"\nenumeration_defense = false\n");
                SmtpClient c = ts.greeted()) {
            c.command("EHLO x");
            for (int i = 0; i < 5; i++) {
                assertThat(c.command("VRFY gw").nanos()).isLessThan(900_000_000L);
            }
            long sixth = c.command("VRFY gw").nanos();       // count 6: 1 s
            SmtpClient.Response r = c.command("VRFY nosuchuser"); // count 7: sendmail 1 s for a failure; Tacit 2 s
            assertThat(r.raw()).containsExactly("550 5.1.1 nosuchuser... User unknown");
            assertThat(sixth).isGreaterThanOrEqualTo(950_000_000L);
            assertThat(r.nanos()).isGreaterThanOrEqualTo(1_950_000_000L);
        }
    }
}
