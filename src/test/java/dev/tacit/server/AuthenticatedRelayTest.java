package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import dev.tacit.testing.TlsFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Submission end to end: an authenticated client relays to another domain, and outbound delivery takes
 * the message to that domain's server (a second Tacit, reached through a static route). The same relay
 * from an unauthenticated client on the MTA port is refused.
 */
class AuthenticatedRelayTest {

    @TempDir
    Path dir;

    @Test
    void authenticatedSubmissionRelaysAndDeliversToTheRemoteDomain() throws Exception {
        try (TestServer remote = TestServer.start(dir.resolve("remote"),
                "hostname = \"mx.remote.example\"\nlocal_domains = [\"remote.example\"]\n", "bob:Bob Remote\n", "")) {
            try (TestServer ours = TlsFixture.start(dir.resolve("ours"), "", "[guard]\nenabled = false\n[delivery]\nroutes = [\"remote.example=127.0.0.1:"
                    + remote.port() + "\"]\n")) {
                try (SmtpClient c = TlsFixture.encrypted(ours, ListenerRole.SUBMISSION)) {
                    assertThat(c.command("AUTH PLAIN " + TlsFixture.plain("gw", TlsFixture.GW_PASSWORD)).code()).isEqualTo(235);
                    assertThat(c.command("MAIL FROM:<gw@example.com>").code()).isEqualTo(250);
                    assertThat(c.command("RCPT TO:<bob@remote.example>").raw()).containsExactly("250 2.1.5 <bob@remote.example>... Recipient ok");
                    assertThat(c.command("DATA").code()).isEqualTo(354);
                    assertThat(c.data("Subject: relayed\r\n\r\nover the submission port\r\n".getBytes(StandardCharsets.US_ASCII)).code())
                            .isEqualTo(250);
                }
                try (SmtpClient c = ours.greeted()) {
                    c.command("EHLO stranger.example.net");
                    c.command("MAIL FROM:<someone@example.net>");
                    assertThat(c.command("RCPT TO:<bob@remote.example>").raw()).containsExactly("550 5.7.1 <bob@remote.example>... Relaying denied");
                }
                String got = remote.maildirs().await("bob", 1, Duration.ofSeconds(20)).get(0);
                assertThat(got).contains("Subject: relayed", "over the submission port", "Return-Path: <gw@example.com>")
                        .contains("with ESMTPSA");
            }
        }
    }
}
