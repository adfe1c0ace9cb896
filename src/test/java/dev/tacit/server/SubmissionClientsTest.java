package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.External;
import dev.tacit.testing.TestServer;
import dev.tacit.testing.TlsFixture;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients submitting mail with TLS and AUTH: Angus Mail (Jakarta Mail) and swaks, each with
 * STARTTLS on the submission port and implicit TLS on the submissions port; and openssl s_client
 * -starttls smtp for the handshake itself.
 */
class SubmissionClientsTest {

    @TempDir
    static Path dir;
    static TestServer ts;

    @BeforeAll
    static void start() throws Exception {
        ts = TlsFixture.start(dir, "", "[queue]\nfsync = false\n[auth]\nlatency = \"50ms\"\n");
    }

    @AfterAll
    static void stop() {
        ts.close();
    }

    private static Session angus(ListenerRole role) {
        Properties p = new Properties();
        boolean implicit = role == ListenerRole.SUBMISSIONS;
        String proto = implicit ? "smtps" : "smtp";
        p.put("mail.transport.protocol", proto);
        p.put("mail." + proto + ".host", "127.0.0.1");
        p.put("mail." + proto + ".port", String.valueOf(ts.port(role)));
        p.put("mail." + proto + ".localhost", "angus.example.net");
        p.put("mail." + proto + ".auth", "true");
        p.put("mail." + proto + ".timeout", "20000");
        p.put("mail." + proto + ".ssl.trust", "*");
        p.put("mail." + proto + ".ssl.checkserveridentity", "false");
        if (!implicit) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        return Session.getInstance(p);
    }

    private static void send(ListenerRole role, String user, String password, String to, String subject) throws MessagingException {
        Session s = angus(role);
        MimeMessage m = new MimeMessage(s);
        m.setFrom(new InternetAddress("gw@example.com"));
        m.setRecipients(Message.RecipientType.TO, to);
        m.setSubject(subject);
        m.setText("submitted by Angus Mail\n");
        try (Transport t = s.getTransport()) {
            t.connect(user, password);
            t.sendMessage(m, m.getAllRecipients());
        }
    }

    @Test
    void angusMailOverStartTlsAndImplicitTls() throws Exception {
        send(ListenerRole.SUBMISSION, "gw", TlsFixture.GW_PASSWORD, "bf@example.com", "angus starttls");
        send(ListenerRole.SUBMISSIONS, "tj@example.com", TlsFixture.TJ_PASSWORD, "bf@example.com", "angus smtps");
        List<String> got = ts.maildirs().await("bf", 2, Duration.ofSeconds(15));
        assertThat(got).anySatisfy(m -> assertThat(m).contains("Subject: angus starttls", "with ESMTPSA"));
        assertThat(got).anySatisfy(m -> assertThat(m).contains("Subject: angus smtps", "with ESMTPSA"));
        for (ListenerRole role : new ListenerRole[] {ListenerRole.SUBMISSION, ListenerRole.SUBMISSIONS}) {
            try {
                send(role, "gw", "not the password", "bf@example.com", "refused");
                throw new AssertionError("a wrong password was accepted on " + role);
            } catch (AuthenticationFailedException e) {
                assertThat(e.getMessage()).contains("535 5.7.8 Authentication credentials invalid");
            }
        }
    }

    private static String swaks(List<String> args) throws Exception {
        Path swaks = External.require("swaks");
        List<String> cmd = new ArrayList<>(List.of(swaks.toString(), "--server", "127.0.0.1", "--from", "gw@example.com", "--helo",
                "swaks.example.net", "--timeout", "20"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return "exit=" + p.exitValue() + "\n" + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void swaksWithStartTlsAndWithTlsOnConnect() throws Exception {
        String starttls = swaks(List.of("--port", String.valueOf(ts.port(ListenerRole.SUBMISSION)), "--tls", "--auth", "PLAIN",
                "--auth-user", "gw", "--auth-password", TlsFixture.GW_PASSWORD, "--to", "br@example.com", "--header", "Subject: swaks tls"));
        assertThat(starttls).startsWith("exit=0").contains("<-  220 2.0.0 Ready to start TLS", "=== TLS started with cipher TLSv1.3",
                "<~  250-AUTH PLAIN LOGIN", "<~  235 2.7.0 Authentication successful", "Message accepted for delivery");
        String tlsc = swaks(List.of("--port", String.valueOf(ts.port(ListenerRole.SUBMISSIONS)), "--tlsc", "--auth", "LOGIN",
                "--auth-user", "tj", "--auth-password", TlsFixture.TJ_PASSWORD, "--to", "br@example.com", "--header", "Subject: swaks tlsc"));
        assertThat(tlsc).startsWith("exit=0").contains("=== TLS started with cipher", "<~  334 VXNlcm5hbWU6", "<~  235 2.7.0",
                "Message accepted for delivery");
        // without --tls, swaks finds no AUTH in the plaintext EHLO and gives up before sending anything
        String plain = swaks(List.of("--port", String.valueOf(ts.port(ListenerRole.SUBMISSION)), "--auth", "PLAIN", "--auth-user", "gw",
                "--auth-password", TlsFixture.GW_PASSWORD, "--to", "br@example.com"));
        assertThat(plain).doesNotStartWith("exit=0").contains("<-  250-STARTTLS").doesNotContain("250-AUTH", "235 2.7.0", "MAIL FROM");
        List<String> got = ts.maildirs().await("br", 2, Duration.ofSeconds(15));
        assertThat(String.join("\n", got)).contains("Subject: swaks tls", "Subject: swaks tlsc");
    }

    @Test
    void opensslStartTlsHandshakeOnTheSubmissionPort() throws Exception {
        Path openssl = External.require("openssl");
        Process p = new ProcessBuilder(openssl.toString(), "s_client", "-starttls", "smtp", "-connect",
                "127.0.0.1:" + ts.port(ListenerRole.SUBMISSION), "-name", "client.example.net", "-crlf", "-servername", "mail.example.com")
                .redirectErrorStream(true).start();
        p.getOutputStream().write(("EHLO client.example.net\nAUTH PLAIN " + TlsFixture.plain("gw", TlsFixture.GW_PASSWORD) + "\nQUIT\n")
                .getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().flush();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).contains("subject=CN = mail.example.com", "New, TLSv1.3, Cipher is TLS_", "250-AUTH PLAIN LOGIN",
                "235 2.7.0 Authentication successful", "221 2.0.0 mail.example.com closing connection");
    }
}
