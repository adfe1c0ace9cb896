package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DATA: unstuffing, the Received: header, and the SMTP smuggling cases (RFC 5321 2.3.8, 4.5.2). */
class DataTest {

    @TempDir
    Path dir;

    private static SmtpClient open(TestServer ts, String rcpt) throws Exception {
        SmtpClient c = ts.greeted();
        c.command("EHLO client.example.net");
        c.command("MAIL FROM:<sender@example.org>");
        assertThat(c.command("RCPT TO:<" + rcpt + ">").code()).isEqualTo(250);
        assertThat(c.command("DATA").code()).isEqualTo(354);
        return c;
    }

    @Test
    void dotStuffedLinesAreUnstuffedAndReceivedIsPrepended() throws Exception {
        try (TestServer ts = TestServer.start(dir, "")) {
            try (SmtpClient c = open(ts, "gw@example.com")) {
                c.sendRaw("Subject: dots\r\n\r\n..leading dot\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(c.read().code()).isEqualTo(250);
            }
            String m = ts.maildirs().await("gw", 1, Duration.ofSeconds(10)).get(0);
            assertThat(m).startsWith("Return-Path: <sender@example.org>\nDelivered-To: gw@mail.example.com\nReceived: from client.example.net (localhost [127.0.0.1])\n\tby mail.example.com with ESMTP id ");
            assertThat(m).contains("\n\tfor <gw@example.com>; ").endsWith("Subject: dots\n\n.leading dot\n");
        }
    }

    /**
     * Each payload tries to end DATA early with a non-CRLF end marker and smuggle a second message.
     * Tacit must not take any of them as the end: the session reads on to the real CRLF.CRLF and then
     * refuses the whole message, so neither part is delivered.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "Subject: a\r\n\r\nbody\n.\nMAIL FROM:<evil@example.org>\nRCPT TO:<tj@example.com>\nDATA\nsmuggled\n.\n",
        "Subject: a\r\n\r\nbody\r.\rMAIL FROM:<evil@example.org>\r\n",
        "Subject: a\r\n\r\nbody\r\n.\nMAIL FROM:<evil@example.org>\r\n",
        "Subject: a\r\n\r\nbody\n.\r\nMAIL FROM:<evil@example.org>\r\n",
        "Subject: a\r\n\r\nbody with a bare\rCR inside\r\n",
        "Subject: a\r\n\r\nbody with a bare LF\nhere\r\n"})
    void bareCrOrLfIsNeverAnEndMarkerAndTheMessageIsRefused(String payload) throws Exception {
        try (TestServer ts = TestServer.start(dir, "")) {
            try (SmtpClient c = open(ts, "gw@example.com")) {
                c.sendRaw((payload + "\r\n.\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(c.read().raw()).containsExactly("554 5.6.0 Message contains a bare CR or LF; lines must end with CRLF");
                assertThat(c.command("NOOP").raw()).containsExactly("250 2.0.0 OK");
            }
            Thread.sleep(300);
            assertThat(ts.maildirs().messages("gw")).isEmpty();
            assertThat(ts.maildirs().messages("tj")).isEmpty();
            assertThat(ts.server().spool().size()).isZero();
        }
    }

    /** PrivacyOptions authwarnings: a client that skipped HELO is named in the message (sendmail-privacy.md 5.2). */
    @Test
    void authwarningsMarksAMessageWhoseClientSkippedHelo() throws Exception {
        try (TestServer ts = TestServer.start(dir, "privacy_options = \"authwarnings\"\n")) {
            try (SmtpClient c = ts.greeted()) {
                assertThat(c.command("MAIL FROM:<sender@example.org>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<gw@example.com>").code()).isEqualTo(250);
                assertThat(c.command("DATA").code()).isEqualTo(354);
                assertThat(c.data("Subject: no helo\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
            }
            try (SmtpClient c = open(ts, "tj@example.com")) {
                assertThat(c.data("Subject: with helo\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
            }
            String noHelo = ts.maildirs().await("gw", 1, Duration.ofSeconds(10)).get(0);
            assertThat(noHelo).contains("\nX-Authentication-Warning: mail: localhost [127.0.0.1] didn't use HELO protocol\nSubject: no helo\n");
            assertThat(ts.maildirs().await("tj", 1, Duration.ofSeconds(10)).get(0)).doesNotContain("X-Authentication-Warning");
        }
    }

    @Test
    void disconnectMidDataLeavesNothingBehind() throws Exception {
        try (TestServer ts = TestServer.start(dir, "")) {
            try (SmtpClient c = open(ts, "gw@example.com")) {
                c.sendRaw("Subject: half\r\n\r\nhalf a message".getBytes(StandardCharsets.US_ASCII));
            }
            // the server keeps serving others
            try (SmtpClient c = ts.greeted()) {
                assertThat(c.command("NOOP").code()).isEqualTo(250);
            }
            Thread.sleep(300);
            assertThat(ts.maildirs().messages("gw")).isEmpty();
            assertThat(ts.server().spool().size()).isZero();
        }
    }

    @Test
    void overlongBodyLineIsRefused() throws Exception {
        try (TestServer ts = TestServer.start(dir, "[limits]\nmax_data_line = 1000\n")) {
            try (SmtpClient c = open(ts, "gw@example.com")) {
                c.sendRaw(("Subject: long\r\n\r\n" + "y".repeat(999) + "\r\n.\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(c.read().raw()).containsExactly("552 5.3.4 Message has a line longer than 1000 bytes");
                c.command("MAIL FROM:<a@example.org>");
                c.command("RCPT TO:<gw@example.com>");
                c.command("DATA");
                c.sendRaw(("Subject: ok\r\n\r\n" + "y".repeat(998) + "\r\n.\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(c.read().code()).isEqualTo(250);
            }
            List<String> got = ts.maildirs().await("gw", 1, Duration.ofSeconds(10));
            assertThat(got).hasSize(1).first().asString().contains("Subject: ok");
        }
    }

    @Test
    void binaryGarbageInDataIsStoredOnlyIfLinesAreWellFormed() throws Exception {
        try (TestServer ts = TestServer.start(dir, "")) {
            byte[] body = new byte[] {'S', 'u', 'b', ':', ' ', (byte) 0xe9, (byte) 0x80, 0, 7, '\r', '\n', '\r', '\n', (byte) 0xff, '\r', '\n', '.', '\r', '\n'};
            try (SmtpClient c = open(ts, "gw@example.com")) {
                c.sendRaw(body);
                assertThat(c.read().code()).isEqualTo(250);
            }
            ts.maildirs().await("gw", 1, Duration.ofSeconds(10));
            byte[] stored = java.nio.file.Files.readAllBytes(ts.maildirs().messages("gw").get(0));
            String tail = new String(stored, StandardCharsets.ISO_8859_1);
            assertThat(tail).endsWith("Sub: \u00e9\u0080\u0000\u0007\n\n\u00ff\n");
        }
    }
}
