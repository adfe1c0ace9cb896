package dev.tacit.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.config.ConfigLoader;
import dev.tacit.queue.QueuedMessage;
import dev.tacit.queue.TargetStatus;
import dev.tacit.server.MailServer;
import dev.tacit.testing.External;
import dev.tacit.testing.Maildirs;
import dev.tacit.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second Tacit is the remote MX (mx.example.net, delivering example.net to its own Maildirs). While
 * it is down the connection is refused and the message waits with back-off; once it listens the
 * retry delivers. If it never comes back, the queue lifetime ends in a failure report (4.4.7).
 */
class RetryAndLifetimeTest {

    @TempDir
    Path dir;

    static TestServer sender(Path dir, int mxPort, String maxAge) throws Exception {
        return TestServer.start(dir.resolve("a"), """
                [log]
                file = "maillog"
                stdout = false
                [queue]
                retry_initial = "200ms"
                retry_max = "300ms"
                max_age = "%s"
                fsync = false
                [delivery]
                routes = ["example.net=127.0.0.1:%d"]
                connect_timeout = "2s"
                command_timeout = "10s"
                """.formatted(maxAge, mxPort), TestServer.USERS, TestServer.ALIASES + "friend: friend@example.net\n");
    }

    /** Another Tacit, for example.net, on a port chosen before it runs. */
    static MailServer remoteMx(Path dir, int port) throws Exception {
        Path b = Files.createDirectories(dir.resolve("b"));
        Files.writeString(b.resolve("users"), "friend:Far Friend\n");
        Files.writeString(b.resolve("aliases"), "");
        return MailServer.start(ConfigLoader.parse("""
                listen = ["127.0.0.1:%d"]
                admin_listen = "off"
                hostname = "mx.example.net"
                local_domains = ["example.net"]
                data_dir = "."
                [log]
                stdout = false
                [queue]
                fsync = false
                """.formatted(port), b.resolve("tacit.toml")));
    }

    @Test
    void aRefusedConnectionIsRetriedUntilTheRemoteMxListens() throws Exception {
        int port = External.freePort();
        try (TestServer a = sender(dir, port, "5d")) {
            String qid = Mail.send(a, "<gw@example.com>", List.of("friend@example.com"), Mail.body("patience", "retried"));
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            QueuedMessage m = a.server().spool().get(qid);
            while (m.attempts(0) < 2 && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertThat(m.attempts(0)).as("refused attempts").isGreaterThanOrEqualTo(2);
            assertThat(m.status(0)).isEqualTo(TargetStatus.DEFERRED);
            assertThat(m.info().lastError()).isEqualTo("Connection refused by [127.0.0.1]");
            assertThat(Mail.log(a.dataDir())).contains(qid + ": to=<friend@example.net>", "dsn=4.4.1, stat=Deferred: Connection refused");

            try (MailServer b = remoteMx(dir, port)) {
                String got = new Maildirs(b.config().mailDir()).await("friend", 1, Duration.ofSeconds(10)).get(0);
                assertThat(got).startsWith("Return-Path: <gw@example.com>\nDelivered-To: friend@mx.example.net\n")
                        .contains("Subject: patience", "by mail.example.com with ESMTP id " + qid, "by mx.example.net with ESMTP id");
                Mail.drained(a, Duration.ofSeconds(10));
                assertThat(Mail.awaitLog(a.dataDir(), Duration.ofSeconds(5), qid, "stat=Sent"))
                        .contains("relay=[127.0.0.1], dsn=2.0.0, stat=Sent (", "Message accepted for delivery");
            }
            assertThat(a.maildirs().messages("gw")).as("no report for a message that arrived").isEmpty();
        }
    }

    @Test
    void retriesBackOffByDoublingUpToRetryMaxAndTheLifetimeDefaultsToFiveDays() throws Exception {
        assertThat(TestServer.config(Files.createDirectories(dir.resolve("defaults")), "").queue().maxAge()).isEqualTo(Duration.ofDays(5));
        int port = External.freePort(); // nothing listens: every attempt is refused at once
        try (TestServer a = TestServer.start(dir.resolve("a"), """
                [queue]
                retry_initial = "100ms"
                retry_max = "400ms"
                fsync = false
                [delivery]
                routes = ["example.net=127.0.0.1:%d"]
                connect_timeout = "2s"
                """.formatted(port), TestServer.USERS, TestServer.ALIASES + "friend: friend@example.net\n")) {
            String qid = Mail.send(a, "<gw@example.com>", List.of("friend@example.com"), Mail.body("back off", "x"));
            QueuedMessage m = a.server().spool().get(qid);
            long[] seenAt = new long[6]; // when attempt n was first seen settled
            long[] waitAfter = new long[6]; // the wait it was given: next attempt minus the time it was seen
            long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            int last = 0;
            while (last < 5 && System.nanoTime() < end) {
                int n = m.attempts(0);
                if (n > last && n <= 5) {
                    seenAt[n] = System.nanoTime();
                    waitAfter[n] = m.nextAttemptMillis() - System.currentTimeMillis();
                    last = n;
                }
                Thread.sleep(2);
            }
            assertThat(last).as("attempts seen").isEqualTo(5);
            long[] expected = {0, 100, 200, 400, 400}; // the wait after attempt n: doubling, capped at retry_max
            for (int n = 1; n <= 4; n++) {
                if (seenAt[n] > 0 && seenAt[n + 1] > 0) {
                    long gapMs = (seenAt[n + 1] - seenAt[n]) / 1_000_000;
                    assertThat(gapMs).as("time between attempts %d and %d", n, n + 1).isGreaterThanOrEqualTo(expected[n] - 30);
                }
                assertThat(waitAfter[n]).as("wait scheduled after attempt %d", n).isLessThanOrEqualTo(expected[n]);
            }
            assertThat(m.status(0)).isEqualTo(TargetStatus.DEFERRED);
        }
    }

    @Test
    void theQueueLifetimeEndsInAFailureReport() throws Exception {
        int port = External.freePort();
        try (TestServer a = sender(dir, port, "1s")) {
            String qid = Mail.send(a, "<gw@example.com>", List.of("friend@example.com"), Mail.body("too late", "expired"));
            Mail.Report r = Mail.report(a.maildirs().await("gw", 1, Duration.ofSeconds(15)).get(0));
            assertThat(r.field(0, "Action")).isEqualTo("failed");
            assertThat(r.field(0, "Status")).isEqualTo("4.4.7");
            assertThat(r.text()).contains("queue lifetime exceeded: Connection refused by [127.0.0.1]");
            Mail.drained(a, Duration.ofSeconds(5));
            assertThat(Mail.log(a.dataDir())).contains(qid + ": to=<friend@example.net>", "dsn=4.4.7, stat=queue lifetime exceeded");
        }
    }
}
