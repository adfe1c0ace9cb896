package dev.tacit.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.queue.QueuedMessage;
import dev.tacit.queue.TargetStatus;
import dev.tacit.testing.Dovecot;
import dev.tacit.testing.External;
import dev.tacit.testing.TestServer;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMultipart;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local delivery over LMTP into a real Dovecot started on loopback, the mail then read over IMAP
 * with Angus Mail. One LMTP session carries every local recipient of a message; each recipient's
 * reply is its own result: Dovecot's "user doesn't exist" bounces that recipient only.
 */
class LmtpDovecotTest {

    @TempDir
    Path dir;

    TestServer tacit(int lmtpPort) throws Exception {
        return TestServer.start(dir.resolve("tacit"), """
                [log]
                file = "maillog"
                stdout = false
                [queue]
                retry_initial = "200ms"
                retry_max = "300ms"
                fsync = false
                [delivery]
                local = "lmtp"
                lmtp = "127.0.0.1:%d"
                connect_timeout = "2s"
                command_timeout = "10s"
                """.formatted(lmtpPort));
    }

    @Test
    void mailHandedToDovecotIsReadableOverImapAndEachRecipientAnswersForItself() throws Exception {
        try (Dovecot dovecot = Dovecot.start(Map.of("gw", "gw-pass", "tj", "tj-pass"));
                TestServer ts = tacit(dovecot.lmtpPort())) {
            String qid = Mail.send(ts, "<tj@example.com>", List.of("gw@example.com NOTIFY=SUCCESS", "bf@example.com"),
                    Mail.body("to dovecot", "stored by LMTP"));
            Mail.drained(ts, Duration.ofSeconds(20));

            List<Message> gw = inbox(dovecot, "gw", "gw-pass", 1);
            assertThat(gw.get(0).getSubject()).isEqualTo("to dovecot");
            assertThat(gw.get(0).getHeader("Return-Path")[0]).isEqualTo("<tj@example.com>");
            assertThat((String) gw.get(0).getContent()).contains("stored by LMTP");

            // bf has no Dovecot account: a failure report; gw asked for a receipt: a success report
            List<String> reports = new ArrayList<>();
            for (Message m : inbox(dovecot, "tj", "tj-pass", 2)) {
                MimeMultipart mp = (MimeMultipart) m.getContent();
                reports.add(new String(mp.getBodyPart(1).getInputStream().readAllBytes()));
            }
            assertThat(reports).anySatisfy(r -> assertThat(r).contains("Final-Recipient: rfc822; bf@example.com", "Action: failed",
                    "Status: 5.1.1", "Diagnostic-Code: smtp; 550 5.1.1 <bf@mail.example.com> User doesn't exist"));
            assertThat(reports).anySatisfy(r -> assertThat(r).contains("Final-Recipient: rfc822; gw@example.com", "Action: delivered"));

            String log = Mail.log(ts.dataDir());
            assertThat(log).contains(qid + ": to=<gw@mail.example.com>, delay=", "mailer=lmtp, relay=[127.0.0.1], dsn=2.0.0, stat=Sent (")
                    .contains(qid + ": to=<bf@mail.example.com>", "dsn=5.1.1");
            assertThat(dovecot.log()).contains("lmtp(gw)", "saved mail to INBOX");
        }
    }

    @Test
    void anLmtpServerThatIsDownDefersTheMail() throws Exception {
        int port = External.freePort();
        try (TestServer ts = tacit(port)) {
            String qid = Mail.send(ts, "<tj@example.com>", List.of("gw@example.com"), Mail.body("nobody home", "x"));
            QueuedMessage m = ts.server().spool().get(qid);
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (m.attempts(0) < 1 && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertThat(m.status(0)).isEqualTo(TargetStatus.DEFERRED);
            assertThat(m.info().lastError()).startsWith("LMTP server 127.0.0.1:" + port + " unreachable");
        }
    }

    /** Waits for n messages in a user's INBOX (IMAP LOGIN over loopback) and returns them. */
    private static List<Message> inbox(Dovecot d, String user, String password, int n) throws Exception {
        try {
            return read(d, user, password, n);
        } catch (jakarta.mail.MessagingException e) {
            throw new AssertionError("IMAP: " + e + "; dovecot's log:\n" + d.log(), e);
        }
    }

    private static List<Message> read(Dovecot d, String user, String password, int n) throws Exception {
        Properties p = new Properties();
        p.put("mail.imap.connectiontimeout", "5000");
        p.put("mail.imap.timeout", "5000");
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            Store store = Session.getInstance(p).getStore("imap");
            store.connect("127.0.0.1", d.imapPort(), user, password);
            try {
                Folder f = store.getFolder("INBOX");
                f.open(Folder.READ_ONLY);
                if (f.getMessageCount() >= n || System.nanoTime() > end) {
                    List<Message> out = new ArrayList<>();
                    for (Message m : f.getMessages()) {
                        // read while the folder is open
                        jakarta.mail.internet.MimeMessage copy = new jakarta.mail.internet.MimeMessage((jakarta.mail.internet.MimeMessage) m);
                        out.add(copy);
                    }
                    f.close(false);
                    assertThat(out).as(user + "'s INBOX").hasSize(n);
                    return out;
                }
                f.close(false);
            } finally {
                store.close();
            }
            Thread.sleep(100);
        }
    }
}
