package dev.tacit.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.cli.Main;
import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A delivery that fails temporarily stays queued (mailq shows it) and is retried until it succeeds. */
class QueueRetryTest {

    @TempDir
    Path dir;

    /** A server whose user "stuck" has a Maildir under a plain file (dir/blocker), so delivery to it fails for now. */
    private TestServer startWithStuckUser(String retryInitial, String retryMax) throws Exception {
        Files.writeString(dir.resolve("blocker"), "a file where the Maildir's parent folder should be\n");
        return TestServer.start(dir, "[queue]\nretry_initial = \"" + retryInitial + "\"\nretry_max = \"" + retryMax + "\"\n",
                TestServer.USERS + "stuck:Stuck User:blocker/maildir\n", TestServer.ALIASES);
    }

    /** Sends one message to the recipients; returns its queue id. */
    private static String send(TestServer ts, String subject, String... rcpts) throws Exception {
        try (SmtpClient c = ts.greeted()) {
            c.command("EHLO x");
            c.command("MAIL FROM:<a@example.org>");
            for (String r : rcpts) {
                c.command("RCPT TO:<" + r + ">");
            }
            c.command("DATA");
            return c.data(("Subject: " + subject + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII)).text().split(" ")[1];
        }
    }

    @Test
    void temporaryFailureIsRetriedAndShownByMailq() throws Exception {
        try (TestServer ts = startWithStuckUser("200ms", "400ms")) {
            String qid = send(ts, "retry me", "stuck@example.com", "gw@example.com");
            ts.maildirs().await("gw", 1, Duration.ofSeconds(10));
            Thread.sleep(1000); // several failed attempts
            QueuedMessage m = ts.server().spool().get(qid);
            assertThat(m).isNotNull();
            assertThat(m.attempts(0)).isGreaterThanOrEqualTo(2);
            assertThat(m.status(1)).isEqualTo(TargetStatus.DELIVERED);

            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            PrintStream old = System.out;
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            try {
                assertThat(Main.run("mailq", "--data-dir", dir.toString())).isZero();
            } finally {
                System.setOut(old);
            }
            String out = buf.toString(StandardCharsets.UTF_8);
            assertThat(out).contains("Mail Queue (1 request)", qid, "<a@example.org>", "<stuck>").doesNotContain("<gw>");
            // sendmail's layout: id, size in bytes, arrival time (the age), sender; then each pending recipient
            assertThat(out).containsPattern("(?m)^" + qid + " +" + m.size() + " [A-Z][a-z]{2} [A-Z][a-z]{2} \\d\\d \\d\\d:\\d\\d <a@example.org>$")
                    .containsPattern("(?m)^\\t+ <stuck>$");

            Files.delete(dir.resolve("blocker"));
            assertThat(ts.maildirs().await("../blocker/maildir", 1, Duration.ofSeconds(10)).get(0)).contains("Subject: retry me");
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (ts.server().spool().size() > 0 && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertThat(ts.server().spool().size()).isZero();
        }
    }

    /**
     * Back-off: each failed attempt schedules the next one twice as far away (queue.retry_initial
     * doubling up to queue.retry_max). The gap between successive scheduled times is the back-off
     * itself, whatever the machine's load adds to each attempt.
     */
    @Test
    void retriesBackOffExponentially() throws Exception {
        try (TestServer ts = startWithStuckUser("100ms", "10s")) {
            String qid = send(ts, "back off", "stuck@example.com");
            java.util.List<Long> scheduled = new java.util.ArrayList<>();
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (scheduled.size() < 5 && System.nanoTime() < end) { // bounded in time
                QueuedMessage m = ts.server().spool().get(qid);
                long next = m.nextAttemptMillis();
                if (m.attempts(0) > 0 && (scheduled.isEmpty() || next != scheduled.get(scheduled.size() - 1))) {
                    scheduled.add(next);
                }
                Thread.sleep(5);
            }
            assertThat(scheduled).as("attempts seen").hasSizeGreaterThanOrEqualTo(4);
            long first = scheduled.get(1) - scheduled.get(0);
            long third = scheduled.get(3) - scheduled.get(2);
            // 200, 400, 800 ms apart (plus each attempt's own time); a fixed interval would keep them equal
            assertThat(first).isGreaterThanOrEqualTo(200);
            assertThat(third).as("gaps %s", scheduled).isGreaterThanOrEqualTo(800).isGreaterThan(2 * first - 100);
        }
    }
}
