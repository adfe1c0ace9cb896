package dev.tacit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import dev.tacit.testing.TinyDns;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * enumeration.unknown_recipients = "bounce": unknown recipients that were answered like real ones are
 * reported to the sender only when SPF passes for the sender's domain; a forged sender gets nothing
 * (no backscatter). The report travels by real outbound delivery to the sender's own server.
 */
class UnknownRecipientsReportTest {

    @TempDir
    Path dir;

    private static void send(TestServer ts, String from) throws Exception {
        try (SmtpClient c = ts.greeted()) {
            c.command("EHLO client.example.net");
            c.command("MAIL FROM:<" + from + ">");
            assertThat(c.command("RCPT TO:<gw@example.com>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<nosuchuser@example.com>").raw())
                    .containsExactly("250 2.1.5 <nosuchuser@example.com>... Recipient ok");
            c.command("DATA");
            assertThat(c.data(("Subject: from " + from + "\r\n\r\nhello\r\n").getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
        }
    }

    @Test
    void onlyAnSpfAlignedSenderHearsAboutUnknownRecipients() throws Exception {
        try (TinyDns dns = new TinyDns();
                TestServer senders = TestServer.start(dir.resolve("senders"),
                        "hostname = \"mx.senders.test\"\nlocal_domains = [\"aligned.test\", \"forged.test\"]\n", "alice:Alice\nmallory:Mallory\n", "")) {
            dns.txt("aligned.test", "v=spf1 ip4:127.0.0.0/8 -all").txt("forged.test", "v=spf1 ip4:192.0.2.0/24 -all");
            try (TestServer ours = TestServer.start(dir.resolve("ours"), "log_level = 9\n[enumeration]\nunknown_recipients = \"bounce\"\n"
                    + "[delivery]\ndns_servers = [\"" + dns.address() + "\"]\nroutes = [\"aligned.test=127.0.0.1:" + senders.port()
                    + "\", \"forged.test=127.0.0.1:" + senders.port() + "\"]\n[log]\nstdout = false\nfile = \"mail.log\"\n")) {
                send(ours, "alice@aligned.test");
                send(ours, "mallory@forged.test");
                assertThat(ours.maildirs().await("gw", 2, Duration.ofSeconds(20))).hasSize(2);
                String report = senders.maildirs().await("alice", 1, Duration.ofSeconds(20)).get(0);
                assertThat(report).contains("multipart/report", "report-type=delivery-status", "Final-Recipient: rfc822; nosuchuser@example.com",
                        "Action: failed", "Status: 5.1.1").doesNotContain("Final-Recipient: rfc822; gw@example.com");
                Thread.sleep(1500);
                assertThat(senders.maildirs().messages("mallory")).as("no backscatter to a forged sender").isEmpty();
                String log = Files.readString(dir.resolve("ours/mail.log"));
                assertThat(log).contains("unknown recipients: SPF pass for aligned.test from 127.0.0.1, reported to <alice@aligned.test>")
                        .contains("unknown recipients: SPF fail for forged.test from 127.0.0.1, not reported (no backscatter)");
            }
        }
    }

    /** The default, "drop": the message goes to the real recipients, each unknown one is logged, nobody is told. */
    @Test
    void byDefaultUnknownRecipientsAreDroppedAndLogged() throws Exception {
        try (TestServer ours = TestServer.start(dir.resolve("drop"), "log_level = 9\n[log]\nstdout = false\nfile = \"mail.log\"\n")) {
            send(ours, "alice@aligned.test");
            assertThat(ours.maildirs().await("gw", 1, Duration.ofSeconds(20))).hasSize(1);
            Thread.sleep(500);
            String log = Files.readString(dir.resolve("drop/mail.log"));
            assertThat(log).contains("<nosuchuser@example.com>... User unknown (dropped)").doesNotContain("unknown recipients: SPF");
            // no report was queued (one to aligned.test could not be delivered here and would stay queued)
            var admin = ours.server().adminAddress();
            String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + admin.getPort() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("tacit_queue_size 0.0", "tacit_messages_accepted_total 1.0");
        }
    }
}
