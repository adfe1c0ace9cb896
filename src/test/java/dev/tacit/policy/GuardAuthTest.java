package dev.tacit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.server.ListenerRole;
import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import dev.tacit.testing.TlsFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credential guessing is the step after user enumeration: failed AUTH attempts feed the same guard, with
 * the same escalation across reconnects (tarpit, 450 4.7.1, then 421 and a block at connect). Distinct
 * (login, password) pairs count, so a mail client retrying one stale password is not escalated.
 */
class GuardAuthTest {

    @TempDir
    Path dir;

    static final String GUARD = "[guard]\ntarpit_after = 3\ntarpit_delay = \"50ms\"\nrefuse_after = 5\nblock_after = 7\n"
            + "[auth]\nlatency = \"20ms\"\n[log]\nfile = \"mail.log\"\n";

    /** One AUTH PLAIN attempt on a new connection; the replies seen, the greeting's first. */
    private static List<String> attempt(TestServer ts, String user, String password) throws Exception {
        List<String> seen = new ArrayList<>();
        try (SmtpClient c = SmtpClient.connectTls("127.0.0.1", ts.port(ListenerRole.SUBMISSIONS), Duration.ofSeconds(20),
                TlsFixture.anyCert())) {
            SmtpClient.Response g = c.read();
            seen.add(g == null ? "closed" : g.raw().get(0));
            if (g == null || g.code() != 220) {
                return seen;
            }
            c.command("EHLO guesser.example.net");
            SmtpClient.Response r = c.command("AUTH PLAIN " + TlsFixture.plain(user, password));
            seen.add(r == null ? "closed" : r.raw().get(0));
        }
        return seen;
    }

    @Test
    void guessingPasswordsIsTarpittedThenRefusedThenBlocked() throws Exception {
        try (TestServer ts = TlsFixture.start(dir, "log_level = 9\n", GUARD)) {
            List<String> replies = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                replies.add(attempt(ts, "gw", "guess-" + i).get(1));
            }
            assertThat(replies.subList(0, 5)).containsOnly("535 5.7.8 Authentication credentials invalid");
            assertThat(replies.get(5)).isEqualTo("450 4.7.1 mail.example.com Too many invalid requests from your address; try again later");
            // the next guess reaches block_after: told 421 and cut off; new connections are refused at once
            assertThat(attempt(ts, "tj", "guess-7").get(1))
                    .isEqualTo("421 4.7.0 mail.example.com Too many invalid requests from your address; closing connection");
            assertThat(attempt(ts, "gw", TlsFixture.GW_PASSWORD).get(0))
                    .isEqualTo("421 4.7.0 mail.example.com Too many invalid requests from your address; closing connection");
            String log = Files.readString(dir.resolve("mail.log"));
            assertThat(log).contains("guard: tarpitting client 127.0.0.1", "guard: refusing client 127.0.0.1", "guard: blocked client 127.0.0.1");
        }
    }

    @Test
    void probingAndGuessingAddUpInTheSameGuard() throws Exception {
        try (TestServer ts = TlsFixture.start(dir, "", GUARD)) {
            // four names probed with VRFY on the MTA port, then password guesses on the submissions port:
            // one count per source, so the second guess already meets refuse_after (5)
            try (SmtpClient c = TlsFixture.greeted(ts, ListenerRole.MTA)) {
                c.command("EHLO prober.example.net");
                for (String name : new String[] {"alice", "bob", "carol", "dave"}) {
                    assertThat(c.command("VRFY " + name).code()).isEqualTo(252);
                }
            }
            assertThat(attempt(ts, "gw", "guess-1").get(1)).isEqualTo("535 5.7.8 Authentication credentials invalid");
            assertThat(attempt(ts, "gw", "guess-2").get(1))
                    .isEqualTo("450 4.7.1 mail.example.com Too many invalid requests from your address; try again later");
        }
    }

    @Test
    void oneStalePasswordRetriedIsNotEscalatedAndTheRightOneStillWorks() throws Exception {
        try (TestServer ts = TlsFixture.start(dir, "", GUARD)) {
            for (int i = 0; i < 10; i++) {
                assertThat(attempt(ts, "gw", "last-years-password").get(1)).isEqualTo("535 5.7.8 Authentication credentials invalid");
            }
            assertThat(attempt(ts, "gw", TlsFixture.GW_PASSWORD).get(1)).isEqualTo("235 2.7.0 Authentication successful");
        }
    }

    @Test
    void anAuthenticatedClientIsNotHeldToItsAddressesPast() throws Exception {
        try (TestServer ts = TlsFixture.start(dir, "", GUARD)) {
            for (int i = 1; i <= 3; i++) {
                attempt(ts, "nosuchuser", "guess-" + i); // tarpit level reached for 127.0.0.1
            }
            try (SmtpClient c = TlsFixture.encrypted(ts, ListenerRole.SUBMISSION)) {
                assertThat(c.command("AUTH PLAIN " + TlsFixture.plain("gw", TlsFixture.GW_PASSWORD)).code()).isEqualTo(235);
                assertThat(c.command("MAIL FROM:<gw@example.com>").code()).isEqualTo(250);
                // trusted now: per-recipient answers, even though its address is tarpitted
                assertThat(c.command("RCPT TO:<nosuchuser@example.com>").raw())
                        .containsExactly("550 5.1.1 <nosuchuser@example.com>... User unknown");
            }
        }
    }
}
