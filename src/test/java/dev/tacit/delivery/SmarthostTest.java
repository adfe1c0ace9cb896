package dev.tacit.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.queue.QueuedMessage;
import dev.tacit.queue.TargetStatus;
import dev.tacit.testing.FakeSmtpPeer;
import dev.tacit.testing.TestServer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * All outbound mail through a smarthost (a scripted peer that checks AUTH and speaks TLS with a
 * certificate for "localhost" that the test trusts through delivery.smarthost_ca_file): AUTH only
 * inside TLS, verified certificates, refused credentials and missing TLS defer instead of bouncing.
 * Also the per-domain connection limit, seen from the receiving side.
 */
class SmarthostTest {

    static SSLContext serverTls;
    static String certPem;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificate() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        long now = System.currentTimeMillis();
        X500Name name = new X500Name("CN=localhost");
        var b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(new SecureRandom().nextLong() & Long.MAX_VALUE),
                new Date(now - 60_000), new Date(now + 86_400_000L), name, kp.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")));
        X509Certificate cert = new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", kp.getPrivate(), "t".toCharArray(), new X509Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "t".toCharArray());
        serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, new SecureRandom());
        certPem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    /** A smarthost that wants AUTH PLAIN or LOGIN as relay/s3cret, offered only after TLS. */
    static FakeSmtpPeer.Builder smarthost() {
        return FakeSmtpPeer.builder().hostname("relay.example.org").users("friend").acceptData()
                .keywords("PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN").keywordsAfterTls("AUTH PLAIN LOGIN")
                .on("AUTH", r -> {
                    if (!r.tls()) {
                        return FakeSmtpPeer.Response.of("530 5.7.0 Must issue a STARTTLS command first");
                    }
                    String[] w = r.arg().split(" ");
                    if (w[0].equalsIgnoreCase("PLAIN") && w.length == 2) {
                        String creds = new String(Base64.getDecoder().decode(w[1]), StandardCharsets.UTF_8);
                        return FakeSmtpPeer.Response.of(creds.equals("\0relay\0s3cret") ? "235 2.7.0 Authentication successful"
                                : "535 5.7.8 Error: authentication failed");
                    }
                    return FakeSmtpPeer.Response.of("504 5.5.4 mechanism not supported here");
                });
    }

    TestServer tacit(String host, int port, String tls, String password, String extra) throws Exception {
        Path ca = dir.resolve("relay-ca.pem");
        Files.writeString(ca, certPem);
        return TestServer.start(dir.resolve("tacit"), """
                [log]
                file = "maillog"
                stdout = false
                [queue]
                retry_initial = "30s"
                fsync = false
                [delivery]
                smarthost = "%s:%d"
                smarthost_tls = "%s"
                smarthost_user = "relay"
                smarthost_password = "%s"
                smarthost_ca_file = "%s"
                connect_timeout = "2s"
                command_timeout = "10s"
                %s
                """.formatted(host, port, tls, password, ca, extra), TestServer.USERS, TestServer.ALIASES + "friend: friend@example.net\n");
    }

    @Test
    void deliversThroughTheSmarthostWithAuthInsideVerifiedTls() throws Exception {
        try (FakeSmtpPeer peer = smarthost().tls(serverTls).start();
                TestServer ts = tacit("localhost", peer.port(), "starttls", "s3cret", "")) {
            String qid = Mail.send(ts, "<gw@example.com>", List.of("friend@example.com"), Mail.body("via relay", "hello relay"));
            Mail.drained(ts, Duration.ofSeconds(15));
            assertThat(peer.messages()).singleElement().asString().contains("Subject: via relay", "hello relay");
            assertThat(peer.requests()).extracting(FakeSmtpPeer.Request::verb)
                    .containsExactly("EHLO", "STARTTLS", "EHLO", "AUTH", "MAIL", "RCPT", "DATA", ".", "QUIT");
            assertThat(peer.requests("AUTH")).allSatisfy(r -> assertThat(r.tls()).isTrue());
            assertThat(peer.requests("MAIL").get(0).arg()).startsWith("<gw@example.com>");
            assertThat(Mail.awaitLog(ts.dataDir(), Duration.ofSeconds(5), qid, "stat=Sent"))
                    .contains("relay=localhost. [127.0.0.1], dsn=2.0.0, stat=Sent (Ok: queued)");
        }
    }

    @Test
    void aSecondTacitIsTheSmarthostWithStartTlsAndAuthOnItsSubmissionPort() throws Exception {
        // the relay: a real Tacit whose certificate comes from a CA (chain in cert.pem), AUTH for gw on
        // its submission port; it takes example.net itself, so the relayed mail lands in its Maildir
        Path r = Files.createDirectories(dir.resolve("relay"));
        String relayToml = dev.tacit.testing.TlsFixture.toml(r, "hostname = \"relay.example.org\"\nlocal_domains = [\"example.net\"]\n",
                "[guard]\nenabled = false\n[queue]\nfsync = false\n");
        dev.tacit.testing.TestCerts.writeChain(r.resolve("tls"), "relay.example.org", "localhost");
        try (TestServer relay = TestServer.start(r, relayToml, dev.tacit.testing.TlsFixture.users(false) + "friend:Far Friend\n", "")) {
            Files.copy(r.resolve("tls/ca.pem"), dir.resolve("relay-root.pem"));
            try (TestServer ts = TestServer.start(dir.resolve("tacit"), """
                    [log]
                    file = "maillog"
                    stdout = false
                    [queue]
                    retry_initial = "30s"
                    fsync = false
                    [delivery]
                    smarthost = "localhost:%d"
                    smarthost_user = "gw"
                    smarthost_password = "%s"
                    smarthost_ca_file = "%s"
                    connect_timeout = "2s"
                    command_timeout = "10s"
                    """.formatted(relay.port(dev.tacit.server.ListenerRole.SUBMISSION), dev.tacit.testing.TlsFixture.GW_PASSWORD,
                    dir.resolve("relay-root.pem")), TestServer.USERS, TestServer.ALIASES + "friend: friend@example.net\n")) {
                String qid = Mail.send(ts, "<tj@example.com>", List.of("friend@example.com"), Mail.body("via a tacit relay", "relayed body"));
                String got = relay.maildirs().await("friend", 1, Duration.ofSeconds(20)).get(0);
                assertThat(got).startsWith("Return-Path: <tj@example.com>\n").contains("Subject: via a tacit relay", "relayed body")
                        .contains("by mail.example.com with ESMTP id " + qid)
                        .containsPattern("by relay\\.example\\.org with ESMTPSA id \\w+\\s*\\(version=TLSv1\\.3");
                Mail.drained(ts, Duration.ofSeconds(10));
                assertThat(Mail.awaitLog(ts.dataDir(), Duration.ofSeconds(5), qid, "stat=Sent")).contains("relay=localhost. [127.0.0.1], dsn=2.0.0");
            }
        }
    }

    @Test
    void implicitTlsWorksToo() throws Exception {
        try (FakeSmtpPeer peer = smarthost().keywords("PIPELINING", "AUTH PLAIN").implicitTls(serverTls).start();
                TestServer ts = tacit("localhost", peer.port(), "implicit", "s3cret", "")) {
            Mail.send(ts, "<gw@example.com>", List.of("friend@example.com"), Mail.body("implicit", "x"));
            Mail.drained(ts, Duration.ofSeconds(15));
            assertThat(peer.messages()).hasSize(1);
            assertThat(peer.requests()).allSatisfy(r -> assertThat(r.tls()).isTrue());
        }
    }

    @Test
    void refusedCredentialsDeferTheMailInsteadOfBouncingIt() throws Exception {
        try (FakeSmtpPeer peer = smarthost().tls(serverTls).start();
                TestServer ts = tacit("localhost", peer.port(), "starttls", "wrong", "")) {
            String qid = Mail.send(ts, "<gw@example.com>", List.of("friend@example.com"), Mail.body("bad creds", "x"));
            QueuedMessage m = awaitAttempt(ts, qid);
            assertThat(m.status(0)).isEqualTo(TargetStatus.DEFERRED);
            assertThat(m.info().lastError()).isEqualTo(
                    "authentication at smarthost localhost. [127.0.0.1] failed: 535 5.7.8 Error: authentication failed");
            assertThat(peer.requests("MAIL")).isEmpty();
            assertThat(ts.maildirs().messages("gw")).isEmpty();
        }
    }

    @Test
    void noTlsMeansNoAuthAndNoDelivery() throws Exception {
        try (FakeSmtpPeer peer = smarthost().keywords("PIPELINING", "AUTH PLAIN LOGIN").start();
                TestServer ts = tacit("localhost", peer.port(), "starttls", "s3cret", "")) {
            String qid = Mail.send(ts, "<gw@example.com>", List.of("friend@example.com"), Mail.body("plain only", "x"));
            QueuedMessage m = awaitAttempt(ts, qid);
            assertThat(m.status(0)).isEqualTo(TargetStatus.DEFERRED);
            assertThat(m.info().lastError()).startsWith("TLS is required, but was not offered by smarthost");
            assertThat(peer.requests()).extracting(FakeSmtpPeer.Request::verb).containsExactly("EHLO", "QUIT");
        }
    }

    @Test
    void aCertificateForAnotherNameIsRefused() throws Exception {
        // the certificate names localhost; connecting as 127.0.0.1 must fail the host name check
        try (FakeSmtpPeer peer = smarthost().tls(serverTls).start();
                TestServer ts = tacit("127.0.0.1", peer.port(), "starttls", "s3cret", "")) {
            String qid = Mail.send(ts, "<gw@example.com>", List.of("friend@example.com"), Mail.body("mitm", "x"));
            QueuedMessage m = awaitAttempt(ts, qid);
            assertThat(m.status(0)).isEqualTo(TargetStatus.DEFERRED);
            assertThat(m.info().lastError()).startsWith("TLS handshake with smarthost failed");
            assertThat(peer.requests("AUTH")).isEmpty();
        }
    }

    @Test
    void noMoreConnectionsToOneDomainThanTheLimit() throws Exception {
        try (FakeSmtpPeer peer = FakeSmtpPeer.builder().users("friend").acceptData()
                .on(".", r -> FakeSmtpPeer.Response.of("250 2.0.0 Ok: queued").delayed(Duration.ofMillis(300))).start();
                TestServer ts = TestServer.start(dir.resolve("limit"), """
                        [queue]
                        fsync = false
                        [delivery]
                        routes = ["example.net=127.0.0.1:%d"]
                        max_connections_per_domain = 2
                        """.formatted(peer.port()), TestServer.USERS, TestServer.ALIASES + "friend: friend@example.net\n")) {
            for (int i = 0; i < 6; i++) {
                Mail.send(ts, "<gw@example.com>", List.of("friend@example.com"), Mail.body("burst " + i, "x"));
            }
            Mail.drained(ts, Duration.ofSeconds(20));
            assertThat(peer.messages()).hasSize(6);
            assertThat(peer.maxConcurrentConnections()).isBetween(1, 2);
        }
    }

    private static QueuedMessage awaitAttempt(TestServer ts, String qid) throws InterruptedException {
        QueuedMessage m = ts.server().spool().get(qid);
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (m.attempts(0) < 1 && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertThat(m.attempts(0)).isGreaterThanOrEqualTo(1);
        return m;
    }
}
