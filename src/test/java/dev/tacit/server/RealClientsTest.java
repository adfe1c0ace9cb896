package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.External;
import dev.tacit.testing.TestServer;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real SMTP clients against a real Tacit: Angus Mail (Jakarta Mail), Python's smtplib, swaks. */
class RealClientsTest {

    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dir, "", TestServer.USERS + "jörg:Jörg Müller\nangus:Angus Client\npy:Python Client\nsw:Swaks Client\n",
                TestServer.ALIASES + "angus-list: angus, gw\n");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Session mailSession() {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(server.port()));
        p.put("mail.smtp.localhost", "angus.example.net");
        p.put("mail.smtp.allow8bitmime", "true");
        p.put("mail.mime.allowutf8", "true");
        p.put("mail.smtp.timeout", "10000");
        return Session.getInstance(p);
    }

    @Test
    void angusMailPlainToSeveralRecipients() throws Exception {
        MimeMessage m = new MimeMessage(mailSession());
        m.setFrom(new InternetAddress("sender@example.org"));
        m.setRecipients(Message.RecipientType.TO, "angus@example.com, angus-list@example.com");
        m.setRecipients(Message.RecipientType.CC, "tj@mail.example.com");
        m.setSubject("plain");
        m.setText("plain ASCII body\n");
        Transport.send(m);
        // angus is reached directly and through the list: one copy
        List<String> got = server.maildirs().await("angus", 1, Duration.ofSeconds(10));
        server.maildirs().await("tj", 1, Duration.ofSeconds(10));
        Thread.sleep(300);
        assertThat(server.maildirs().messages("angus")).hasSize(1);
        assertThat(got.get(0)).contains("Subject: plain", "plain ASCII body");
    }

    @Test
    void angusMailEightBitAndUtf8PassUnchanged() throws Exception {
        MimeMessage m = new MimeMessage(mailSession());
        m.setFrom(new InternetAddress("sender@example.org"));
        m.setRecipients(Message.RecipientType.TO, "jörg@example.com, br@example.com");
        m.setSubject("Grüße aus Zürich", "UTF-8");
        m.setText("Größe: 8 bit, ein Gruß ✓\n", "UTF-8");
        m.setHeader("Content-Transfer-Encoding", "8bit");
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        m.saveChanges();
        m.writeTo(sent);
        Transport.send(m);
        String got = server.maildirs().await("jörg", 1, Duration.ofSeconds(10)).get(0);
        assertThat(got).contains("Größe: 8 bit, ein Gruß ✓").contains("with UTF8SMTP");
        byte[] stored = Files.readAllBytes(server.maildirs().messages("jörg").get(0));
        String storedText = new String(stored, StandardCharsets.UTF_8);
        String body = new String(sent.toByteArray(), StandardCharsets.UTF_8).replace("\r\n", "\n");
        assertThat(storedText).endsWith(body.substring(body.indexOf("\n\n")));
        server.maildirs().await("br", 1, Duration.ofSeconds(10));
    }

    @Test
    void pythonSmtplib() throws Exception {
        Path python = External.require("python3");
        String script = """
                import smtplib, sys
                from email.message import EmailMessage
                m = EmailMessage()
                m['From'] = 'sender@example.org'
                m['To'] = 'py@example.com'
                m['Subject'] = 'from smtplib'
                m.set_content('hello from python\\n')
                with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), local_hostname='py.example.net', timeout=10) as s:
                    code, _ = s.ehlo()
                    assert code == 250
                    assert s.has_extn('pipelining') and s.has_extn('size') and s.has_extn('8bitmime')
                    refused = s.send_message(m)
                    assert not refused, refused
                    # enumeration defence (on by default): RCPT looks the same for an unknown user,
                    # the one verdict comes after DATA and names no address
                    try:
                        s.sendmail('sender@example.org', ['nosuchuser@example.com'], 'Subject: x\\r\\n\\r\\nx\\r\\n')
                        sys.exit('unknown user accepted')
                    except smtplib.SMTPDataError as e:
                        assert e.smtp_code == 550 and e.smtp_error == b'5.1.1 No valid recipients', (e.smtp_code, e.smtp_error)
                print('ok')
                """;
        Process p = new ProcessBuilder(python.toString(), "-c", script, String.valueOf(server.port())).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(server.maildirs().await("py", 1, Duration.ofSeconds(10)).get(0)).contains("Subject: from smtplib", "hello from python");
    }

    @Test
    void swaksWithAndWithoutPipelining() throws Exception {
        Path swaks = External.require("swaks");
        for (String mode : new String[] {"--no-pipeline", "--pipeline"}) {
            Process p = new ProcessBuilder(swaks.toString(), "--server", "127.0.0.1:" + server.port(), "--from", "sender@example.org",
                    "--to", "sw@example.com", "--helo", "swaks.example.net", "--header", "Subject: swaks " + mode,
                    "--body", "swaks body", mode, "--timeout", "10").redirectErrorStream(true).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("<-  250 2.0.0").contains("Message accepted for delivery");
        }
        List<String> got = server.maildirs().await("sw", 2, Duration.ofSeconds(10));
        assertThat(String.join("\n", got)).contains("Subject: swaks --pipeline", "Subject: swaks --no-pipeline");
    }
}
