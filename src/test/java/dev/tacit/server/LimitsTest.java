package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import dev.tacit.testing.TlsFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Timeouts, connection limits and orderly shutdown. */
class LimitsTest {

    @TempDir
    Path dir;

    @Test
    void idleClientTimesOutWith421() throws Exception {
        try (TestServer ts = TestServer.start(dir, "[limits]\ncommand_timeout = \"1s\"\n");
                SmtpClient c = ts.greeted()) {
            long t0 = System.nanoTime();
            SmtpClient.Response r = c.read();
            assertThat(r.raw()).containsExactly("421 4.4.2 mail.example.com Timeout waiting for input; closing connection");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(800), Duration.ofSeconds(5));
            assertThat(c.read()).isNull();
        }
    }

    @Test
    void stalledDataTimesOutAndDeliversNothing() throws Exception {
        try (TestServer ts = TestServer.start(dir, "[limits]\ndata_timeout = \"1s\"\n");
                SmtpClient c = ts.greeted()) {
            c.command("HELO x");
            c.command("MAIL FROM:<a@example.org>");
            c.command("RCPT TO:<gw@example.com>");
            c.command("DATA");
            c.sendRaw("Subject: slow\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(c.read().raw()).containsExactly("421 4.4.2 mail.example.com Timeout waiting for input; closing connection");
            Thread.sleep(200);
            assertThat(ts.maildirs().messages("gw")).isEmpty();
        }
    }

    /** Over TLS the read is cut under the TLS layer; the 421 still goes out, encrypted, on time. */
    @Test
    void idleClientTimesOutWith421OverStartTlsAndImplicitTls() throws Exception {
        try (TestServer ts = TlsFixture.start(dir, "", "[limits]\ncommand_timeout = \"1s\"\n")) {
            for (ListenerRole role : new ListenerRole[] {ListenerRole.MTA, ListenerRole.SUBMISSIONS}) {
                try (SmtpClient c = TlsFixture.encrypted(ts, role)) {
                    long t0 = System.nanoTime();
                    SmtpClient.Response r = c.read();
                    assertThat(r).as(role.toString()).isNotNull();
                    assertThat(r.raw()).as(role.toString())
                            .containsExactly("421 4.4.2 mail.example.com Timeout waiting for input; closing connection");
                    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(800), Duration.ofSeconds(5));
                }
            }
        }
    }

    /** Each read has its own timeout: a client that keeps talking is never cut, however long it stays. */
    @Test
    void aClientThatKeepsTalkingOutlastsTheTimeout() throws Exception {
        try (TestServer ts = TestServer.start(dir, "[limits]\ncommand_timeout = \"1s\"\n");
                SmtpClient c = ts.greeted()) {
            for (int i = 0; i < 8; i++) {
                Thread.sleep(400);
                assertThat(c.command("NOOP").code()).isEqualTo(250);
            }
            Thread.sleep(600);
            assertThat(c.command("HELO x").code()).isEqualTo(250);
        }
    }

    @Test
    void connectionLimitsAnswer421() throws Exception {
        try (TestServer ts = TestServer.start(dir, "[limits]\nmax_connections = 2\nmax_connections_per_client = 5\n");
                SmtpClient a = ts.greeted();
                SmtpClient b = ts.greeted();
                SmtpClient c = ts.connect()) {
            assertThat(c.read().raw()).containsExactly("421 4.7.0 mail.example.com Too many connections; try again later");
            assertThat(c.read()).isNull();
            a.command("QUIT");
            awaitSessions(ts, 1);
            try (SmtpClient d = ts.connect()) {
                assertThat(d.read().code()).isEqualTo(220);
            }
        }
    }

    @Test
    void perClientLimitAnswers421() throws Exception {
        try (TestServer ts = TestServer.start(dir, "[limits]\nmax_connections_per_client = 1\n");
                SmtpClient a = ts.greeted();
                SmtpClient b = ts.connect()) {
            assertThat(b.read().raw()).containsExactly("421 4.7.0 mail.example.com Too many connections from your address; try again later");
            assertThat(a.command("NOOP").code()).isEqualTo(250);
        }
    }

    @Test
    void shutdownTellsIdleClients421AndLetsMessagesInFlightFinish() throws Exception {
        TestServer ts = TestServer.start(dir, "[limits]\nshutdown_grace = \"10s\"\n");
        try (SmtpClient idle = ts.greeted(); SmtpClient busy = ts.greeted()) {
            idle.command("EHLO idle");
            busy.command("EHLO busy");
            busy.command("MAIL FROM:<a@example.org>");
            busy.command("RCPT TO:<gw@example.com>");
            assertThat(busy.command("DATA").code()).isEqualTo(354);
            busy.sendRaw("Subject: in flight\r\n\r\nfirst half\r\n".getBytes(StandardCharsets.US_ASCII));
            CompletableFuture<Void> closing = CompletableFuture.runAsync(ts::close);
            assertThat(idle.read().raw()).containsExactly("421 4.3.2 mail.example.com Service shutting down; closing connection");
            assertThat(closing).isNotDone();
            busy.sendRaw("second half\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(busy.read().raw().get(0)).matches("250 2\\.0\\.0 \\S+ Message accepted for delivery");
            assertThat(busy.read().raw()).containsExactly("421 4.3.2 mail.example.com Service shutting down; closing connection");
            closing.get(15, TimeUnit.SECONDS);
        }
        // the accepted message is in the spool or delivered: a restart delivers it
        try (TestServer again = TestServer.start(dir, "")) {
            assertThat(again.maildirs().await("gw", 1, Duration.ofSeconds(10)).get(0)).contains("first half\nsecond half\n");
        }
    }

    private static void awaitSessions(TestServer ts, int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ts.server().activeSessions() > n && System.nanoTime() < end) {
            Thread.sleep(10);
        }
    }
}
