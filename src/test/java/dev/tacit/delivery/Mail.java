package dev.tacit.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.eclipse.angus.mail.dsn.DeliveryStatus;

/** Sending through a test server and reading what came back, for the delivery tests. */
final class Mail {

    private Mail() {}

    /**
     * One transaction: MAIL FROM:{@code from}, one RCPT per entry of {@code rcpts} (each "addr" or
     * "addr PARAMS"), the body; returns the queue id from the 250.
     */
    static String send(TestServer ts, String from, List<String> rcpts, String body) throws IOException {
        try (SmtpClient c = ts.greeted()) {
            c.command("EHLO client.example.org");
            SmtpClient.Response r = c.command("MAIL FROM:" + from);
            assertThat(r.code()).as("MAIL: %s", r).isEqualTo(250);
            for (String rc : rcpts) {
                int sp = rc.indexOf(' ');
                String line = sp < 0 ? "RCPT TO:<" + rc + ">" : "RCPT TO:<" + rc.substring(0, sp) + ">" + rc.substring(sp);
                r = c.command(line);
                assertThat(r.code()).as("%s: %s", line, r).isEqualTo(250);
            }
            assertThat(c.command("DATA").code()).isEqualTo(354);
            r = c.data(body.getBytes(StandardCharsets.UTF_8));
            assertThat(r.code()).as("end of DATA: %s", r).isEqualTo(250);
            c.command("QUIT");
            return r.text().split(" ")[1];
        }
    }

    static String body(String subject, String text) {
        return "From: George <gw@example.com>\r\nTo: Friend <friend@example.com>\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject.hashCode()
                + "@client.example.org>\r\n\r\n" + text + "\r\n";
    }

    /** Waits until the server's queue is empty (every target final). */
    static void drained(TestServer ts, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (ts.server().spool().size() == 0 && ts.server().runner().inFlight() == 0) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("queue not empty after " + timeout + ": " + ts.server().spool().messages().stream()
                .map(m -> m.info().toString()).toList());
    }

    /** A Maildir message (LF line ends) parsed by Angus Mail. */
    static MimeMessage parse(String maildirText) throws Exception {
        byte[] crlf = maildirText.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(crlf));
    }

    /** The parts of a delivery report: [text, delivery-status, original]. */
    record Report(MimeMessage message, String text, DeliveryStatus status, BodyPart original) {
        String field(int recipient, String name) throws Exception {
            String[] v = status.getRecipientDSN(recipient).getHeader(name);
            return v == null ? null : v[0];
        }
    }

    /** Parses a report and checks its RFC 3464 / RFC 6522 shape. */
    static Report report(String maildirText) throws Exception {
        MimeMessage m = parse(maildirText);
        assertThat(m.getContentType()).startsWith("multipart/report").contains("report-type=delivery-status");
        MimeMultipart mp = new MimeMultipart(m.getDataHandler().getDataSource());
        assertThat(mp.getCount()).isEqualTo(3);
        assertThat(mp.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(mp.getBodyPart(1).getContentType()).startsWith("message/delivery-status");
        String text = new String(mp.getBodyPart(0).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        DeliveryStatus ds = new DeliveryStatus(mp.getBodyPart(1).getInputStream());
        return new Report(m, text, ds, mp.getBodyPart(2));
    }

    static String log(Path dataDir) throws IOException {
        Path f = dataDir.resolve("maillog");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    /** Waits for a line in the mail log that contains all the given strings. */
    static String awaitLog(Path dataDir, Duration timeout, String... parts) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            for (String line : log(dataDir).split("\n")) {
                boolean all = true;
                for (String p : parts) {
                    all &= line.contains(p);
                }
                if (all) {
                    return line;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no log line with " + List.of(parts) + " in:\n" + log(dataDir));
    }
}
