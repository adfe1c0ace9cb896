package dev.tacit.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.queue.QueuedMessage;
import dev.tacit.queue.TargetStatus;
import dev.tacit.testing.FakeSmtpPeer;
import dev.tacit.testing.TestCerts;
import dev.tacit.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbound SMTP session against a scripted remote host: per-recipient answers, a connection lost
 * after the body, opportunistic STARTTLS (used when offered, dropped for a retry in plain text when
 * the handshake fails), and a remote host that is this host (a mail loop).
 */
class SmtpSessionTest {

    static final String ALIASES = TestServer.ALIASES + "mixed: friend@example.net, pal@example.net, ghost@example.net\n";

    @TempDir
    Path dir;

    TestServer tacit(int port) throws Exception {
        return TestServer.start(dir.resolve("tacit"), """
                [queue]
                retry_initial = "30s"
                fsync = false
                [delivery]
                routes = ["example.net=127.0.0.1:%d"]
                connect_timeout = "2s"
                command_timeout = "5s"
                """.formatted(port), TestServer.USERS, ALIASES);
    }

    static FakeSmtpPeer.Builder remote() {
        return FakeSmtpPeer.builder().hostname("mx.example.net").acceptData()
                .on("RCPT", r -> r.arg().startsWith("<friend@") ? FakeSmtpPeer.Response.of("250 2.1.5 Ok")
                        : r.arg().startsWith("<pal@") ? FakeSmtpPeer.Response.of("451 4.3.0 <pal@example.net>: try later")
                        : FakeSmtpPeer.Response.of("550 5.1.1 <ghost@example.net>: no such user"));
    }

    @Test
    void eachRecipientGetsItsOwnAnswer() throws Exception {
        try (FakeSmtpPeer peer = remote().start(); TestServer ts = tacit(peer.port())) {
            String qid = Mail.send(ts, "<gw@example.com>", List.of("mixed@example.com"), Mail.body("mixed", "x"));
            Mail.Report r = Mail.report(ts.maildirs().await("gw", 1, Duration.ofSeconds(10)).get(0));
            assertThat(r.status().getRecipientDSNCount()).isEqualTo(1);
            assertThat(r.field(0, "X-Actual-Recipient")).isEqualTo("rfc822; ghost@example.net");
            assertThat(r.field(0, "Diagnostic-Code")).isEqualTo("smtp; 550 5.1.1 <ghost@example.net>: no such user");
            assertThat(peer.messages()).hasSize(1);
            QueuedMessage m = ts.server().spool().get(qid);
            assertThat(m.pendingTargets()).singleElement().satisfies(t -> assertThat(m.envelope().targets().get(t).value())
                    .isEqualTo("pal@example.net"));
            assertThat(m.info().lastError()).isEqualTo("451 4.3.0 <pal@example.net>: try later (after RCPT)");
            // one session: MAIL, three RCPTs and DATA pipelined
            assertThat(peer.connections()).isEqualTo(1);
            assertThat(peer.requests()).extracting(FakeSmtpPeer.Request::verb)
                    .containsExactly("EHLO", "MAIL", "RCPT", "RCPT", "RCPT", "DATA", ".", "QUIT");
        }
    }

    @Test
    void aConnectionLostAfterTheBodyDefersTheAcceptedAndKeepsTheRefusals() throws Exception {
        try (FakeSmtpPeer peer = remote().on(".", r -> FakeSmtpPeer.Response.hangUp()).start(); TestServer ts = tacit(peer.port())) {
            String qid = Mail.send(ts, "<gw@example.com>", List.of("mixed@example.com"), Mail.body("cut", "x"));
            Mail.report(ts.maildirs().await("gw", 1, Duration.ofSeconds(10)).get(0));
            QueuedMessage m = ts.server().spool().get(qid);
            assertThat(m.pendingTargets()).hasSize(2);
            for (int t : m.pendingTargets()) {
                assertThat(m.status(t)).isEqualTo(TargetStatus.DEFERRED);
            }
            assertThat(m.info().lastError()).contains("after the message was sent");
        }
    }

    @Test
    void opportunisticTlsIsUsedWhenOfferedAndItsCertificateIsNotChecked() throws Exception {
        try (FakeSmtpPeer peer = remote().tls(TestCerts.server("some-other-name")).start(); TestServer ts = tacit(peer.port())) {
            Mail.send(ts, "<gw@example.com>", List.of("mixed@example.com"), Mail.body("tls list", "x"));
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (peer.messages().isEmpty() && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertThat(peer.messages()).isNotEmpty();
            assertThat(peer.requests("MAIL")).allSatisfy(r -> assertThat(r.tls()).isTrue());
        }
    }

    @Test
    void aFailedHandshakeIsRetriedWithoutTls() throws Exception {
        // the peer says 220 to STARTTLS but has no TLS: the handshake fails, the retry goes in plain text
        try (FakeSmtpPeer peer = remote().keywords("PIPELINING", "STARTTLS")
                .on("STARTTLS", r -> FakeSmtpPeer.Response.of("220 2.0.0 Ready to start TLS")).start();
                TestServer ts = tacit(peer.port())) {
            Mail.send(ts, "<gw@example.com>", List.of("mixed@example.com"), Mail.body("plain retry", "x"));
            long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (peer.messages().isEmpty() && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertThat(peer.messages()).hasSize(1);
            assertThat(peer.connections()).isEqualTo(2);
            assertThat(peer.requests("STARTTLS")).hasSize(1);
        }
    }

    @Test
    void aRemoteHostThatIsThisHostIsAMailLoop() throws Exception {
        try (FakeSmtpPeer peer = remote().hostname("mail.example.com").start(); TestServer ts = tacit(peer.port())) {
            Mail.send(ts, "<gw@example.com>", List.of("mixed@example.com"), Mail.body("loop", "x"));
            Mail.Report r = Mail.report(ts.maildirs().await("gw", 1, Duration.ofSeconds(10)).get(0));
            assertThat(r.status().getRecipientDSNCount()).isEqualTo(3);
            assertThat(r.field(0, "Status")).isEqualTo("5.4.6");
            assertThat(r.text()).contains("mail loops back to me");
            assertThat(peer.requests("MAIL")).isEmpty();
        }
    }
}
