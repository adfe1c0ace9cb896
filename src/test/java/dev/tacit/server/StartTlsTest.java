package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.External;
import dev.tacit.testing.TestCerts;
import dev.tacit.testing.TestServer;
import dev.tacit.testing.TlsFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * STARTTLS (RFC 3207) and implicit TLS (RFC 8314) against a real Tacit: what EHLO offers with and
 * without a certificate, the same answers before and after TLS (on the MTA and submission ports), the
 * command-injection defence (CVE-2011-0411), the session reset, the protocol and cipher policy as
 * openssl sees it, certificate reload without restart, and the trace headers (RFC 3848).
 */
class StartTlsTest {

    @TempDir
    Path dir;

    private static List<String> ehlo(SmtpClient c) throws IOException {
        List<String> lines = new ArrayList<>(c.command("EHLO client.example.net").lines());
        lines.remove(0);
        return lines;
    }

    @Test
    void withoutACertificateNothingIsOfferedAndNothingLeaks() throws Exception {
        try (TestServer ts = TestServer.start(dir, "log_level = 20\n[log]\nfile = \"mail.log\"\n"); SmtpClient c = ts.greeted()) {
            assertThat(ehlo(c)).containsExactly("ENHANCEDSTATUSCODES", "PIPELINING", "8BITMIME", "SIZE 26214400", "DSN", "ETRN", "SMTPUTF8",
                    "HELP");
            assertThat(c.command("STARTTLS").raw()).containsExactly("502 5.5.1 Command not implemented: \"STARTTLS\"");
            String creds = TlsFixture.plain("gw", "hunter2");
            assertThat(c.command("AUTH PLAIN " + creds).raw()).containsExactly("503 5.3.3 AUTH not available");
            c.command("QUIT");
            assertThat(Files.readString(dir.resolve("mail.log"))).contains("<-- AUTH PLAIN ***").doesNotContain(creds);
        }
    }

    @Test
    void ehloAndEveryPrivacyAnswerAreTheSameBeforeAndAfterTls() throws Exception {
        String[] configs = {"", "privacy_options = \"public\"\nenumeration_defense = false\n"};
        String[] probes = {"VRFY gw", "VRFY nosuchuser", "EXPN all", "EXPN nosuchlist", "VERB", "ETRN example.com",
                "MAIL FROM:<someone@example.org>", "RCPT TO:<gw@example.com>", "RCPT TO:<nosuchuser@example.com>",
                "RCPT TO:<relay@elsewhere.example.org>", "RCPT TO:<relay%elsewhere.example.org@example.com>", "RSET",
                "HELP", "NOOP"};
        // the submission port: the same, but AUTH is offered only after TLS and MAIL needs TLS and then AUTH
        // (RFC 6409, RFC 4954 4), so the envelope is compared apart
        String[] submissionProbes = {"VRFY gw", "VRFY nosuchuser", "EXPN all", "EXPN nosuchlist", "VERB", "ETRN example.com",
                "RSET", "HELP", "NOOP", "RCPT TO:<gw@example.com>"};
        for (int i = 0; i < configs.length; i++) {
            Path d = Files.createDirectories(dir.resolve("c" + i));
            try (TestServer ts = TlsFixture.start(d, configs[i], "[guard]\nenabled = false\n")) {
                List<List<String>> mta = sameBeforeAndAfterTls(ts, ListenerRole.MTA, configs[i], probes);
                if (i == 1) {
                    assertThat(mta.get(0)).as("the public config answers per user").isNotEqualTo(mta.get(1));
                }
                assertThat(mta.get(9)).as("relaying is refused either way").containsExactly(
                        "550 5.7.1 <relay@elsewhere.example.org>... Relaying denied");
                List<List<String>> sub = sameBeforeAndAfterTls(ts, ListenerRole.SUBMISSION, configs[i], submissionProbes);
                assertThat(sub.subList(0, 9)).as("the submission port answers VRFY, EXPN and the rest as the MTA port does")
                        .isEqualTo(List.of(mta.get(0), mta.get(1), mta.get(2), mta.get(3), mta.get(4), mta.get(5), mta.get(11),
                                mta.get(12), mta.get(13)));
                // the envelope: refused before TLS for want of TLS, after it for want of AUTH, never answered per user
                try (SmtpClient c = TlsFixture.greeted(ts, ListenerRole.SUBMISSION)) {
                    ehlo(c);
                    assertThat(c.command("MAIL FROM:<someone@example.org>").raw()).containsExactly(
                            "530 5.7.0 Must issue a STARTTLS command first");
                    SmtpClient t = TlsFixture.startTls(c);
                    ehlo(t);
                    assertThat(t.command("MAIL FROM:<someone@example.org>").raw()).containsExactly("530 5.7.0 Authentication required");
                    assertThat(sub.get(9)).containsExactly("503 5.5.1 Need MAIL before RCPT");
                    assertThat(t.command("RCPT TO:<nosuchuser@example.com>").raw()).isEqualTo(sub.get(9));
                    t.close();
                }
            }
        }
    }

    /**
     * One session in plaintext and one that starts TLS first (sendmail's per-session VRFY slow-down
     * would otherwise grow between the two halves) on this listener: the EHLO list after TLS is the
     * one before without STARTTLS (and, on the submission port, with AUTH), every probe gets the same
     * answer. Returns the plaintext answers.
     */
    private static List<List<String>> sameBeforeAndAfterTls(TestServer ts, ListenerRole role, String config, String[] probes)
            throws Exception {
        List<String> before;
        List<List<String>> plain = new ArrayList<>();
        try (SmtpClient c = TlsFixture.greeted(ts, role)) {
            before = ehlo(c);
            for (String p : probes) {
                plain.add(c.command(p).raw());
            }
        }
        assertThat(before).as(role + " before TLS").contains("STARTTLS").noneMatch(k -> k.startsWith("AUTH"));
        SmtpClient c = TlsFixture.greeted(ts, role);
        assertThat(ehlo(c)).isEqualTo(before);
        c = TlsFixture.startTls(c);
        List<String> after = ehlo(c);
        List<String> expected = new ArrayList<>(before);
        expected.remove("STARTTLS");
        if (role == ListenerRole.SUBMISSION) {
            assertThat(after).as("AUTH is offered after TLS").contains("AUTH PLAIN LOGIN");
            after = after.stream().filter(k -> !k.startsWith("AUTH")).toList();
        }
        assertThat(after).as(role + ": EHLO after TLS: the same list without STARTTLS").isEqualTo(expected);
        for (int p = 0; p < probes.length; p++) {
            assertThat(c.command(probes[p]).raw()).as(role + " " + config + probes[p]).isEqualTo(plain.get(p));
        }
        c.close();
        return plain;
    }

    @Test
    void commandsPipelinedBehindStartTlsAreDiscarded() throws Exception {
        try (TestServer ts = TlsFixture.start(dir, "log_level = 9\n", "[log]\nfile = \"mail.log\"\n")) {
            SmtpClient c = TlsFixture.greeted(ts, ListenerRole.MTA);
            c.command("EHLO attacker.example.net");
            // what a man in the middle appends to the client's STARTTLS, in the same packet
            c.sendRaw("STARTTLS\r\nMAIL FROM:<injected@evil.example>\r\nRCPT TO:<gw@example.com>\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(c.read().raw()).containsExactly("220 2.0.0 Ready to start TLS");
            SmtpClient t = c.startTls(TlsFixture.anyCert(), "mail.example.com");
            // the first thing read over TLS is the answer to this EHLO: nothing queued before it
            assertThat(t.command("EHLO client.example.net").code()).isEqualTo(250);
            assertThat(t.command("RCPT TO:<gw@example.com>").raw()).containsExactly("503 5.5.1 Need MAIL before RCPT");
            assertThat(t.command("NOOP").raw()).containsExactly("250 2.0.0 OK");
            t.close();
            assertThat(Files.readString(dir.resolve("mail.log"))).contains("bytes pipelined after STARTTLS discarded");
        }
    }

    @Test
    void tlsRestartsTheSessionAndIsRefusedWhereItDoesNotBelong() throws Exception {
        try (TestServer ts = TlsFixture.start(dir, "", "")) {
            SmtpClient c = TlsFixture.greeted(ts, ListenerRole.MTA);
            c.command("EHLO client.example.net");
            assertThat(c.command("MAIL FROM:<a@example.org>").code()).isEqualTo(250);
            assertThat(c.command("STARTTLS").raw()).containsExactly("503 5.5.1 STARTTLS not permitted during a mail transaction");
            c.command("RSET");
            assertThat(c.command("STARTTLS now").raw()).containsExactly("501 5.5.4 Syntax error (no parameters allowed)");
            c = TlsFixture.startTls(c);
            // RFC 3207 4.2: the EHLO given in plaintext is forgotten (goaway includes needmailhelo)
            assertThat(c.command("MAIL FROM:<a@example.org>").raw()).containsExactly("503 5.0.0 Polite people say HELO first");
            assertThat(c.command("EHLO client.example.net").code()).isEqualTo(250);
            assertThat(c.command("STARTTLS").raw()).containsExactly("503 5.5.1 TLS already active");
            assertThat(c.command("MAIL FROM:<a@example.org>").code()).isEqualTo(250);
            c.close();
        }
    }

    /** openssl s_client -starttls smtp with the given extra options; its output and exit code. */
    private static String openssl(int port, List<String> options) throws Exception {
        Path openssl = External.require("openssl");
        List<String> cmd = new ArrayList<>(List.of(openssl.toString(), "s_client", "-starttls", "smtp", "-connect", "127.0.0.1:" + port,
                "-name", "client.example.net", "-brief", "-crlf"));
        cmd.addAll(options);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write("EHLO client.example.net\nQUIT\n".getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().flush();
        boolean done = p.waitFor(30, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        assertThat(done).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return "exit=" + p.exitValue() + "\n" + out;
    }

    @Test
    void opensslSeesTls13And12WithModernSuitesOnly() throws Exception {
        try (TestServer ts = TlsFixture.start(dir, "", "")) {
            int port = ts.port(ListenerRole.MTA);
            String v13 = openssl(port, List.of());
            assertThat(v13).contains("CONNECTION ESTABLISHED", "Protocol version: TLSv1.3", "250-mail.example.com Hello",
                    "221 2.0.0 mail.example.com closing connection").doesNotContain("250-STARTTLS");
            String v12 = openssl(port, List.of("-tls1_2"));
            assertThat(v12).contains("Protocol version: TLSv1.2").containsPattern("Ciphersuite: ECDHE-ECDSA-(AES\\d+-GCM-SHA\\d+|CHACHA20-POLY1305)");
            // refused: CBC suites, RSA key exchange, TLS 1.1 and 1.0 (openssl's own floor lowered so only the server says no)
            for (List<String> refused : List.of(List.of("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA"),
                    List.of("-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"), List.of("-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"))) {
                String out = openssl(port, refused);
                assertThat(out).as(refused.toString()).doesNotContain("CONNECTION ESTABLISHED", "250-mail.example.com Hello")
                        .containsPattern("alert (handshake failure|protocol version)"); // the server's refusal, not openssl's
            }
            // the server is still there after the refused handshakes
            assertThat(openssl(port, List.of("-tls1_3"))).contains("Protocol version: TLSv1.3");
        }
    }

    @Test
    void theConfiguredChainIsSentWholeSoClientsThatTrustOnlyTheRootVerifyIt() throws Exception {
        // a certificate from a CA: cert.pem holds the leaf and the intermediate; clients know only the root
        Path d = Files.createDirectories(dir.resolve("chain"));
        String toml = TlsFixture.toml(d, "", "");
        TestCerts.Chain chain = TestCerts.writeChain(d.resolve("tls"), "mail.example.com");
        try (TestServer ts = TestServer.start(d, toml, TlsFixture.users(false), TestServer.ALIASES)) {
            String out = openssl(ts.port(ListenerRole.MTA), List.of("-CAfile", d.resolve("tls/ca.pem").toString(), "-verify_return_error",
                    "-verify_hostname", "mail.example.com"));
            assertThat(out).startsWith("exit=0").contains("Verification: OK", "250-mail.example.com Hello");
            // the JDK's PKIX check with the root as the only trust anchor, and the host name checked
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("root", chain.root());
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            javax.net.ssl.SSLParameters params = new javax.net.ssl.SSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            SmtpClient c = TlsFixture.greeted(ts, ListenerRole.SUBMISSION);
            c.command("EHLO client.example.net");
            assertThat(c.command("STARTTLS").code()).isEqualTo(220);
            try (SmtpClient t = c.startTls(ctx.getSocketFactory(), "mail.example.com", params)) {
                javax.net.ssl.SSLSession session = ((javax.net.ssl.SSLSocket) t.socket()).getSession();
                assertThat(session.getPeerCertificates()).containsExactly(chain.leaf(), chain.intermediate());
                assertThat(t.command("EHLO client.example.net").lines()).contains("AUTH PLAIN LOGIN");
            }
        }
        // control: the same leaf without its intermediate fails that client's check
        Path l = Files.createDirectories(dir.resolve("leaf-only"));
        String leafOnly = TlsFixture.toml(l, "", "");
        TestCerts.writeChain(l.resolve("tls"), "mail.example.com");
        Files.writeString(l.resolve("tls/cert.pem"), TestCerts.pem(TestCerts.readFirst(l.resolve("tls/cert.pem"))));
        try (TestServer ts = TestServer.start(l, leafOnly, TlsFixture.users(false), TestServer.ALIASES)) {
            String out = openssl(ts.port(ListenerRole.MTA), List.of("-CAfile", l.resolve("tls/ca.pem").toString(), "-verify_return_error"));
            assertThat(out).doesNotContain("Verification: OK", "250-mail.example.com Hello").contains("unable to get local issuer certificate");
        }
    }

    @Test
    void aFailedHandshakeEndsOnlyThatSession() throws Exception {
        try (TestServer ts = TlsFixture.start(dir, "log_level = 9\n", "[log]\nfile = \"mail.log\"\n")) {
            SmtpClient c = TlsFixture.greeted(ts, ListenerRole.MTA);
            c.command("EHLO client.example.net");
            assertThat(c.command("STARTTLS").code()).isEqualTo(220);
            c.send("EHLO still-plaintext.example.net"); // not a TLS record
            SmtpClient.Response r;
            try {
                r = c.read();
            } catch (IOException e) {
                r = null;
            }
            assertThat(r == null || r.code() < 0).as("no SMTP reply after a failed handshake: %s", r).isTrue();
            c.close();
            try (SmtpClient ok = TlsFixture.encrypted(ts, ListenerRole.MTA)) {
                assertThat(ok.command("NOOP").code()).isEqualTo(250);
            }
            assertThat(Files.readString(dir.resolve("mail.log"))).contains("STARTTLS=server, relay=localhost [127.0.0.1], error: handshake failed")
                    .contains("STARTTLS=server, relay=localhost [127.0.0.1], version=TLSv1.3, verify=NO, cipher=TLS_");
        }
    }

    @Test
    void anIdleTlsSessionIsToldOfShutdown() throws Exception {
        TestServer ts = TlsFixture.start(dir, "", "");
        SmtpClient stls = TlsFixture.encrypted(ts, ListenerRole.MTA);
        SmtpClient implicit = TlsFixture.encrypted(ts, ListenerRole.SUBMISSIONS);
        Thread closer = Thread.ofPlatform().start(ts::close);
        for (SmtpClient c : List.of(stls, implicit)) {
            assertThat(c.read().raw()).containsExactly("421 4.3.2 mail.example.com Service shutting down; closing connection");
            c.close();
        }
        closer.join(20_000);
        assertThat(closer.isAlive()).isFalse();
    }

    @Test
    void implicitTlsOnTheSubmissionsPort() throws Exception {
        try (TestServer ts = TlsFixture.start(dir, "", "")) {
            try (SmtpClient c = TlsFixture.greeted(ts, ListenerRole.SUBMISSIONS)) {
                List<String> kw = ehlo(c);
                assertThat(kw).contains("AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
                assertThat(c.command("STARTTLS").raw()).containsExactly("503 5.5.1 TLS already active");
            }
            // a plaintext client there gets no greeting, and is let go after the handshake timeout (2s)
            try (SmtpClient p = SmtpClient.connect("127.0.0.1", ts.port(ListenerRole.SUBMISSIONS), Duration.ofSeconds(20))) {
                p.send("EHLO plaintext.example.net");
                SmtpClient.Response r;
                try {
                    r = p.read();
                } catch (IOException e) {
                    r = null;
                }
                assertThat(r == null || r.code() < 0).as("%s", r).isTrue();
            }
        }
    }

    @Test
    void theCertificateIsReloadedWhenItsFilesChange() throws Exception {
        try (TestServer ts = TlsFixture.start(dir, "", "")) {
            Path tls = dir.resolve("tls");
            X509Certificate first = TlsFixture.presented(ts, ListenerRole.MTA);
            // renewal as certbot does it: new files renamed into place, this time RSA with a PKCS#1 key
            Path staging = Files.createDirectories(dir.resolve("staging"));
            TestCerts.Pair second = TestCerts.writePem(staging, "mail.example.com", "RSA", true);
            Files.move(staging.resolve("key.pem"), tls.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(staging.resolve("cert.pem"), tls.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            X509Certificate seen = awaitCertificate(ts, second.cert(), first);
            assertThat(seen).isEqualTo(second.cert());
            // a broken renewal (a certificate without its key) is not taken: the working pair stays
            Path staging2 = Files.createDirectories(dir.resolve("staging2"));
            TestCerts.writePem(staging2, "mail.example.com", "EC", false);
            Files.move(staging2.resolve("cert.pem"), tls.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Thread.sleep(1200);
            for (int i = 0; i < 3; i++) {
                assertThat(TlsFixture.presented(ts, ListenerRole.MTA)).isEqualTo(second.cert());
            }
        }
    }

    /** New connections until the wanted certificate shows up (the files are looked at once a second); at most 10 s. */
    private static X509Certificate awaitCertificate(TestServer ts, X509Certificate wanted, X509Certificate old) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        X509Certificate seen = old;
        while (System.nanoTime() < end) {
            seen = TlsFixture.presented(ts, ListenerRole.MTA);
            if (seen.equals(wanted)) {
                return seen;
            }
            assertThat(seen).isEqualTo(old);
            Thread.sleep(200);
        }
        return seen;
    }

    @Test
    void receivedHeadersNameTheProtocol() throws Exception {
        try (TestServer ts = TlsFixture.start(dir, "", "[queue]\nfsync = false\n")) {
            send(TlsFixture.greeted(ts, ListenerRole.MTA), "plain", false, false);
            SmtpClient c = TlsFixture.greeted(ts, ListenerRole.MTA);
            c.command("EHLO client.example.net");
            send(TlsFixture.startTls(c), "starttls", true, false);
            send(TlsFixture.encrypted(ts, ListenerRole.SUBMISSION), "submission", true, true);
            List<String> got = ts.maildirs().await("bf", 3, Duration.ofSeconds(15));
            String all = String.join("\n----\n", got);
            assertThat(got).anySatisfy(m -> assertThat(m).contains("Subject: plain").contains(" with ESMTP id ").doesNotContain("version=TLS"));
            assertThat(got).anySatisfy(m -> assertThat(m).contains("Subject: starttls").contains(" with ESMTPS id ")
                    .containsPattern("\\(version=TLSv1\\.3 cipher=TLS_\\w+ verify=NO\\)"));
            assertThat(got).as(all).anySatisfy(m -> assertThat(m).contains("Subject: submission").contains(" with ESMTPSA id "));
        }
    }

    private static void send(SmtpClient c, String subject, boolean tls, boolean auth) throws IOException {
        try (c) {
            c.command("EHLO client.example.net");
            if (auth) {
                assertThat(c.command("AUTH PLAIN " + TlsFixture.plain("gw", TlsFixture.GW_PASSWORD)).code()).isEqualTo(235);
            }
            assertThat(c.command("MAIL FROM:<sender@example.org>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<bf@example.com>").code()).isEqualTo(250);
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.data(("Subject: " + subject + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
            c.command("QUIT");
        }
    }
}
