package dev.tacit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sendmail and Postfix knobs mapped onto the guard: BadRcptThrottle (every RCPT of a transaction
 * waits once it has N unknown recipients, good ones too, so the delay says nothing about the current
 * name; under the enumeration defence "known so far": lookups end after their answers),
 * MaxRecipientsPerMessage, and Postfix's soft/hard error limits.
 */
class ThrottleKnobsTest {

    @TempDir
    Path dir;

    @Test
    void badRcptThrottleDelaysEveryLaterRcptOfTheTransaction() throws Exception {
        try (TestServer ts = TestServer.start(dir, """
                log_level = 9
                [guard]
                bad_rcpt_throttle = 2
                bad_rcpt_delay = "400ms"
                tarpit_after = 1000
                refuse_after = 1000
                block_after = 1000
                [log]
                stdout = false
                file = "mail.log"
                """); SmtpClient c = ts.greeted()) {
            c.command("EHLO x");
            c.command("MAIL FROM:<a@example.org>");
            assertThat(c.command("RCPT TO:<nosuch1@example.com>").nanos()).isLessThan(300_000_000L);
            assertThat(c.command("RCPT TO:<nosuch2@example.com>").nanos()).isLessThan(300_000_000L);
            // the two lookups run after their answers; the throttle counts the unknown names known so far
            TestServer.awaitLog(dir.resolve("mail.log"), l -> l.endsWith("@example.com>... User unknown"), 2, Duration.ofSeconds(10));
            SmtpClient.Response good = c.command("RCPT TO:<gw@example.com>");
            assertThat(good.nanos()).isGreaterThanOrEqualTo(400_000_000L);
            SmtpClient.Response bad = c.command("RCPT TO:<nosuch3@example.com>");
            assertThat(bad.nanos()).isGreaterThanOrEqualTo(400_000_000L);
            // the uniform answers are unchanged by the throttle
            assertThat(good.raw()).containsExactly("250 2.1.5 <gw@example.com>... Recipient ok");
            assertThat(bad.raw()).containsExactly("250 2.1.5 <nosuch3@example.com>... Recipient ok");
            // a new transaction starts again from zero
            c.command("RSET");
            c.command("MAIL FROM:<a@example.org>");
            assertThat(c.command("RCPT TO:<tj@example.com>").nanos()).isLessThan(300_000_000L);
        }
        assertThat(Files.readAllLines(dir.resolve("mail.log")).stream()
                .filter(l -> l.endsWith(": localhost [127.0.0.1]: Possible SMTP RCPT flood, throttling.")).count()).isEqualTo(1);
    }

    @Test
    void maxRecipientsPerMessage() throws Exception {
        try (TestServer ts = TestServer.start(dir, "[limits]\nmax_recipients = 2\n"); SmtpClient c = ts.greeted()) {
            c.command("EHLO x");
            c.command("MAIL FROM:<a@example.org>");
            c.command("RCPT TO:<gw@example.com>");
            c.command("RCPT TO:<tj@example.com>");
            assertThat(c.command("RCPT TO:<bf@example.com>").raw()).containsExactly("452 4.5.3 Too many recipients");
        }
    }

    @Test
    void postfixSoftAndHardErrorLimits() throws Exception {
        try (TestServer ts = TestServer.start(dir, """
                [guard]
                soft_error_limit = 3
                hard_error_limit = 6
                error_sleep = "300ms"
                """); SmtpClient c = ts.greeted()) {
            for (int i = 1; i <= 3; i++) {
                assertThat(c.command("BOGUS" + i).nanos()).isLessThan(250_000_000L);
            }
            SmtpClient.Response slow = c.command("BOGUS4");
            assertThat(slow.code()).isEqualTo(500);
            assertThat(slow.nanos()).isGreaterThanOrEqualTo(300_000_000L);
            c.command("BOGUS5");
            assertThat(c.command("BOGUS6").raw()).containsExactly("421 4.7.0 mail.example.com Error: too many errors");
            assertThat(c.read()).isNull();
        }
    }
}
