package dev.tacit.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.SmtpSink;
import dev.tacit.testing.TestServer;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery to another host, with Postfix's smtp-sink (extracted from Debian's postfix package) as the
 * remote MX on its own loopback port, reached through a static route. Mail leaves through an alias
 * that points elsewhere (friend -> friend@example.net); the local sender gw gets the reports.
 */
class RemoteDeliveryTest {

    static final String ALIASES = TestServer.ALIASES + "friend: friend@example.net\nbuddies: friend@example.net, pal@example.net\n";

    @TempDir
    Path dir;

    static TestServer tacit(Path dir, int sinkPort, String privacy) throws Exception {
        return TestServer.start(dir.resolve("tacit"), """
                privacy_options = "%s"
                [log]
                file = "maillog"
                stdout = false
                [queue]
                retry_initial = "200ms"
                retry_max = "400ms"
                fsync = false
                [delivery]
                routes = ["example.net=127.0.0.1:%d"]
                connect_timeout = "2s"
                command_timeout = "10s"
                """.formatted(privacy, sinkPort), TestServer.USERS, ALIASES);
    }

    @Test
    void deliversToTheRemoteHostAndPassesTheDsnParametersOn() throws Exception {
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1");
                TestServer ts = tacit(dir, sink.port(), "goaway")) {
            String qid = Mail.send(ts, "<gw@example.com> RET=HDRS ENVID=trip+2B42",
                    List.of("friend@example.com NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;friend@example.com"),
                    Mail.body("out we go", "a line\r\n.a line starting with a dot"));
            String dump = sink.await(1, Duration.ofSeconds(15)).get(0);
            assertThat(dump).contains("X-Helo-Args: mail.example.com\n")
                    .containsPattern("X-Mail-Args: <gw@example.com> RET=HDRS ENVID=trip\\+2B42\n")
                    .contains("X-Rcpt-Args: <friend@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;friend@example.com\n")
                    .contains("Subject: out we go\n", "\n.a line starting with a dot\n")
                    .contains("by mail.example.com with ESMTP id " + qid);
            Mail.drained(ts, Duration.ofSeconds(10));
            assertThat(Mail.awaitLog(ts.dataDir(), Duration.ofSeconds(5), qid, "to=<friend@example.net>"))
                    .contains("mailer=esmtp, relay=[127.0.0.1], dsn=2.0.0, stat=Sent (");
            // the remote host speaks DSN: the receipt it owes is not Tacit's to send
            assertThat(ts.maildirs().messages("gw")).isEmpty();
        }
    }

    @Test
    void aServerWithoutDsnGetsNoParametersAndTheSenderARelayedNotice() throws Exception {
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", "-N");
                TestServer ts = tacit(dir, sink.port(), "goaway")) {
            Mail.send(ts, "<gw@example.com>", List.of("friend@example.com NOTIFY=SUCCESS"), Mail.body("receipt please", "hi"));
            String dump = sink.await(1, Duration.ofSeconds(15)).get(0);
            assertThat(dump).contains("X-Mail-Args: <gw@example.com>\n").contains("X-Rcpt-Args: <friend@example.net>\n");
            Mail.Report r = Mail.report(ts.maildirs().await("gw", 1, Duration.ofSeconds(10)).get(0));
            assertThat(r.field(0, "Action")).isEqualTo("relayed");
            assertThat(r.field(0, "Status")).isEqualTo("2.0.0");
            assertThat(r.message().getFrom()[0].toString()).contains("MAILER-DAEMON@mail.example.com");
            assertThat(r.message().getSubject()).isEqualTo("Successful Mail Delivery Report");
        }
    }

    @Test
    void noreceiptsAlsoSilencesAReceiptAskedForBeforeItWasSet() throws Exception {
        // accepted with NOTIFY=SUCCESS while DSN was offered, the remote host down; restarted with noreceipts
        int down = dev.tacit.testing.External.freePort();
        String qid;
        try (TestServer ts = tacit(dir, down, "goaway")) {
            qid = Mail.send(ts, "<gw@example.com>", List.of("friend@example.com NOTIFY=SUCCESS,FAILURE"), Mail.body("receipt please", "x"));
            dev.tacit.queue.QueuedMessage m = ts.server().spool().get(qid);
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (m.attempts(0) < 1 && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertThat(m.status(0)).isEqualTo(dev.tacit.queue.TargetStatus.DEFERRED);
        }
        // a host without DSN: with receipts allowed the sender would get a "relayed" notice (the test above)
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", "-N");
                TestServer ts = tacit(dir, sink.port(), "goaway,noreceipts")) {
            assertThat(sink.await(1, Duration.ofSeconds(15)).get(0)).contains("Subject: receipt please", "X-Rcpt-Args: <friend@example.net>\n");
            Mail.drained(ts, Duration.ofSeconds(10));
            assertThat(Mail.awaitLog(ts.dataDir(), Duration.ofSeconds(5), qid, "stat=Sent")).contains(qid + ": to=<friend@example.net>");
            assertThat(ts.maildirs().messages("gw")).isEmpty();
        }
    }

    @Test
    void aPermanentRefusalBouncesAnRfc3464ReportToTheSendersMaildir() throws Exception {
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", "-f", "RCPT", "-B",
                "550 5.1.1 <friend@example.net>: Recipient address rejected: User unknown");
                TestServer ts = tacit(dir, sink.port(), "goaway")) {
            String qid = Mail.send(ts, "<gw@example.com> ENVID=order-7", List.of("friend@example.com ORCPT=rfc822;friend+2Bx@example.com"),
                    Mail.body("doomed", "the body text"));
            Mail.drained(ts, Duration.ofSeconds(15));
            List<String> got = ts.maildirs().await("gw", 1, Duration.ofSeconds(10));
            assertThat(got).hasSize(1);
            assertThat(got.get(0)).startsWith("Return-Path: <>\n");
            Mail.Report r = Mail.report(got.get(0));
            assertThat(r.message().getSubject()).isEqualTo("Returned mail: see transcript for details");
            assertThat(r.message().getHeader("Auto-Submitted")[0]).isEqualTo("auto-replied");
            assertThat(r.status().getMessageDSN().getHeader("Reporting-MTA")[0]).isEqualTo("dns; mail.example.com");
            assertThat(r.status().getMessageDSN().getHeader("Original-Envelope-Id")[0]).isEqualTo("order-7");
            assertThat(r.status().getRecipientDSNCount()).isEqualTo(1);
            assertThat(r.field(0, "Final-Recipient")).isEqualTo("rfc822; friend@example.com");
            assertThat(r.field(0, "Original-Recipient")).isEqualTo("rfc822;friend+x@example.com");
            assertThat(r.field(0, "X-Actual-Recipient")).isEqualTo("rfc822; friend@example.net");
            assertThat(r.field(0, "Action")).isEqualTo("failed");
            assertThat(r.field(0, "Status")).isEqualTo("5.1.1");
            assertThat(r.field(0, "Remote-MTA")).isEqualTo("dns; [127.0.0.1]");
            assertThat(r.field(0, "Diagnostic-Code"))
                    .isEqualTo("smtp; 550 5.1.1 <friend@example.net>: Recipient address rejected: User unknown");
            assertThat(r.text()).contains("permanent fatal errors", "<friend@example.com>");
            // RET not given, nobodyreturn off: the whole original comes back
            assertThat(r.original().getContentType()).startsWith("message/rfc822");
            MimeMessage orig = (MimeMessage) r.original().getContent();
            assertThat(orig.getSubject()).isEqualTo("doomed");
            assertThat(new String(orig.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("the body text");
            assertThat(Mail.log(ts.dataDir())).contains(qid + ": ", ": DSN: 550 5.1.1", "to=<friend@example.net>")
                    .contains("dsn=5.1.1, stat=550 5.1.1");
        }
    }

    @Test
    void aReportForARemoteSenderLeavesBySmtpWithTheNullSenderAndAFailedReportIsNeverReported() throws Exception {
        try (SmtpSink refusing = SmtpSink.start(dir.resolve("r"), "127.0.0.1", "-f", "RCPT");
                SmtpSink accepting = SmtpSink.start(dir.resolve("a"), "127.0.0.1");
                SmtpSink refusingToo = SmtpSink.start(dir.resolve("t"), "127.0.0.1", "-f", "RCPT");
                TestServer ts = TestServer.start(dir.resolve("tacit"), """
                        [log]
                        file = "maillog"
                        stdout = false
                        [queue]
                        fsync = false
                        [delivery]
                        routes = ["example.net=127.0.0.1:%d", "example.org=127.0.0.1:%d", "example.info=127.0.0.1:%d"]
                        """.formatted(refusing.port(), accepting.port(), refusingToo.port()), TestServer.USERS, ALIASES)) {
            Mail.send(ts, "<someone@example.org>", List.of("friend@example.com"), Mail.body("from afar", "x"));
            String dsn = accepting.await(1, Duration.ofSeconds(15)).get(0);
            assertThat(dsn).contains("X-Mail-Args: <>\n", "X-Rcpt-Args: <someone@example.org>", "Content-Type: multipart/report",
                    "Action: failed", "Final-Recipient: rfc822; friend@example.com");

            // the sender's host refuses the report too: it is dropped, not reported, and the queue empties
            String qid = Mail.send(ts, "<nobody@example.info>", List.of("friend@example.com"), Mail.body("lost cause", "x"));
            Mail.drained(ts, Duration.ofSeconds(15));
            String log = Mail.log(ts.dataDir());
            String dsnQid = log.lines().filter(l -> l.contains(qid + ": ") && l.contains(": DSN: ")).findFirst().orElseThrow()
                    .replaceAll(".*" + qid + ": (\\w+): DSN: .*", "$1");
            assertThat(log).contains(dsnQid + ": to=<nobody@example.info>", dsnQid + ": no report: the message has the null sender");
            assertThat(log.lines().filter(l -> l.contains(": DSN: ")).count()).isEqualTo(2);
        }
    }

    @Test
    void retHdrsGetsOnlyTheHeaderBack() throws Exception {
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", "-f", "RCPT");
                TestServer ts = tacit(dir, sink.port(), "goaway")) {
            Mail.send(ts, "<gw@example.com> RET=HDRS", List.of("friend@example.com"), Mail.body("headers only", "the body stays here"));
            Mail.Report r = Mail.report(ts.maildirs().await("gw", 1, Duration.ofSeconds(15)).get(0));
            assertThat(r.original().getContentType()).startsWith("text/rfc822-headers");
            String returned = new String(r.original().getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(returned).contains("Subject: headers only").doesNotContain("the body stays here");
        }
    }

    @Test
    void nobodyreturnSendsOnlyTheHeaderAndNoactualrecipientHidesTheExpansion() throws Exception {
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", "-f", "RCPT");
                TestServer ts = tacit(dir, sink.port(), "goaway,nobodyreturn,noactualrecipient")) {
            Mail.send(ts, "<gw@example.com> RET=FULL", List.of("friend@example.com"), Mail.body("secret stuff", "the secret body"));
            Mail.Report r = Mail.report(ts.maildirs().await("gw", 1, Duration.ofSeconds(15)).get(0));
            assertThat(r.original().getContentType()).startsWith("text/rfc822-headers");
            String returned = new String(r.original().getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(returned).contains("Subject: secret stuff").doesNotContain("the secret body");
            assertThat(r.field(0, "X-Actual-Recipient")).isNull();
            assertThat(r.field(0, "Status")).isEqualTo("5.3.0"); // smtp-sink's default hard reply
        }
    }

    @Test
    void noReportForNotifyNeverOrTheNullSenderAndEachListMemberAnswersForItself() throws Exception {
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", "-f", "RCPT");
                TestServer ts = tacit(dir, sink.port(), "goaway")) {
            Mail.send(ts, "<gw@example.com>", List.of("friend@example.com NOTIFY=NEVER"), Mail.body("never tell", "x"));
            String nullQid = Mail.send(ts, "<>", List.of("friend@example.com"), Mail.body("a bounce itself", "x"));
            Mail.drained(ts, Duration.ofSeconds(15));
            assertThat(ts.maildirs().messages("gw")).isEmpty();
            assertThat(Mail.log(ts.dataDir())).contains(nullQid + ": no report: the message has the null sender");

            // two members of one list in one session: one report listing both
            Mail.send(ts, "<gw@example.com>", List.of("buddies@example.com"), Mail.body("to the list", "x"));
            Mail.Report r = Mail.report(ts.maildirs().await("gw", 1, Duration.ofSeconds(15)).get(0));
            assertThat(r.status().getRecipientDSNCount()).isEqualTo(2);
            assertThat(List.of(r.field(0, "X-Actual-Recipient"), r.field(1, "X-Actual-Recipient")))
                    .containsExactlyInAnyOrder("rfc822; friend@example.net", "rfc822; pal@example.net");
            assertThat(sink.dumps()).isEmpty();
        }
    }
}
