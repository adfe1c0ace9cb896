package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.Sasl;
import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.Stats;
import dev.tacit.testing.TestServer;
import dev.tacit.testing.TlsFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AUTH (RFC 4954) and submission (RFC 6409, RFC 8314) against a real Tacit: never before TLS, PLAIN and
 * LOGIN, one answer for every failure, the RFC's replies for protocol errors, authenticated clients
 * trusted (relay, per-recipient answers), unauthenticated ones not, and no credential in the log.
 * The guard is off here; GuardAuthTest covers the escalation.
 */
class AuthTest {

    @TempDir
    static Path dir;
    static TestServer ts;

    static final String OK = "235 2.7.0 Authentication successful";
    static final String FAILED = "535 5.7.8 Authentication credentials invalid";

    @BeforeAll
    static void start() throws Exception {
        ts = TlsFixture.start(dir, "log_level = 20\n", "[log]\nfile = \"mail.log\"\n[guard]\nenabled = false\n[auth]\nlatency = \"100ms\"\n"
                + "[queue]\nfsync = false\n");
    }

    @AfterAll
    static void stop() {
        ts.close();
    }

    @Test
    void authIsNeitherOfferedNorAcceptedBeforeTls() throws Exception {
        try (SmtpClient c = TlsFixture.greeted(ts, ListenerRole.SUBMISSION)) {
            List<String> ehlo = c.command("EHLO client.example.net").lines();
            assertThat(ehlo).contains("STARTTLS").noneMatch(l -> l.startsWith("AUTH"));
            assertThat(c.command("AUTH PLAIN " + TlsFixture.plain("gw", TlsFixture.GW_PASSWORD)).raw())
                    .containsExactly("538 5.7.11 Encryption required for requested authentication mechanism");
            assertThat(c.command("AUTH LOGIN").raw()).containsExactly("538 5.7.11 Encryption required for requested authentication mechanism");
            assertThat(c.command("MAIL FROM:<gw@example.com>").raw()).containsExactly("530 5.7.0 Must issue a STARTTLS command first");
            SmtpClient t = TlsFixture.startTls(c);
            assertThat(t.command("EHLO client.example.net").lines()).contains("AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
            assertThat(t.command("MAIL FROM:<gw@example.com>").raw()).containsExactly("530 5.7.0 Authentication required");
            t.close();
        }
        // the MTA port offers STARTTLS but not AUTH (auth.on_listen is off)
        try (SmtpClient c = TlsFixture.encrypted(ts, ListenerRole.MTA)) {
            assertThat(c.command("EHLO client.example.net").lines()).noneMatch(l -> l.startsWith("AUTH"));
            assertThat(c.command("AUTH PLAIN " + TlsFixture.plain("gw", TlsFixture.GW_PASSWORD)).raw())
                    .containsExactly("503 5.3.3 AUTH not available");
        }
    }

    @Test
    void plainAndLoginInEveryForm() throws Exception {
        for (ListenerRole role : new ListenerRole[] {ListenerRole.SUBMISSION, ListenerRole.SUBMISSIONS}) {
            try (SmtpClient c = TlsFixture.encrypted(ts, role)) {
                assertThat(c.command("AUTH PLAIN " + TlsFixture.plain("gw", TlsFixture.GW_PASSWORD)).raw()).containsExactly(OK);
                assertThat(c.command("AUTH PLAIN " + TlsFixture.plain("gw", TlsFixture.GW_PASSWORD)).raw())
                        .containsExactly("503 5.5.1 Already authenticated");
                assertThat(c.command("EHLO client.example.net").lines()).noneMatch(l -> l.startsWith("AUTH"));
                assertThat(c.command("MAIL FROM:<gw@example.com> AUTH=<>").code()).isEqualTo(250);
            }
            try (SmtpClient c = TlsFixture.encrypted(ts, role)) {
                // PLAIN without an initial response: an empty challenge first; the login with its domain
                assertThat(c.command("AUTH PLAIN").raw()).containsExactly("334 ");
                assertThat(c.command(TlsFixture.plain("tj@example.com", TlsFixture.TJ_PASSWORD)).raw()).containsExactly(OK);
            }
            try (SmtpClient c = TlsFixture.encrypted(ts, role)) {
                assertThat(c.command("AUTH LOGIN").raw()).containsExactly("334 VXNlcm5hbWU6");
                assertThat(c.command(Sasl.encode("GW")).raw()).containsExactly("334 UGFzc3dvcmQ6");
                assertThat(c.command(Sasl.encode(TlsFixture.GW_PASSWORD)).raw()).containsExactly(OK);
            }
            try (SmtpClient c = TlsFixture.encrypted(ts, role)) {
                assertThat(c.command("auth login " + Sasl.encode("tj")).raw()).containsExactly("334 UGFzc3dvcmQ6");
                assertThat(c.command(Sasl.encode(TlsFixture.TJ_PASSWORD)).raw()).containsExactly(OK);
            }
        }
    }

    @Test
    void everyFailureIsTheSameAnswer() throws Exception {
        String[] attempts = {
            "AUTH PLAIN " + TlsFixture.plain("gw", "wrong password"),          // wrong password
            "AUTH PLAIN " + TlsFixture.plain("nosuchuser", "anything"),        // unknown user
            "AUTH PLAIN " + TlsFixture.plain("bf", "anything"),                // a user without a password
            "AUTH PLAIN " + TlsFixture.plain("postmaster", "anything"),        // an alias
            "AUTH PLAIN " + TlsFixture.plain("gw@elsewhere.example.org", TlsFixture.GW_PASSWORD), // not a local login
            "AUTH PLAIN " + TlsFixture.plain("tj", "gw", TlsFixture.GW_PASSWORD), // acting as someone else
            "AUTH PLAIN " + TlsFixture.plain("gw", TlsFixture.GW_PASSWORD.toUpperCase()),
            "AUTH PLAIN " + Sasl.encode("gw " + TlsFixture.GW_PASSWORD),       // not a PLAIN message at all
        };
        for (String a : attempts) {
            try (SmtpClient c = TlsFixture.encrypted(ts, ListenerRole.SUBMISSION)) {
                SmtpClient.Response r = c.command(a);
                assertThat(r.raw()).as(a).containsExactly(FAILED);
                assertThat(r.nanos()).as("the failure waits auth.latency").isGreaterThanOrEqualTo(100_000_000L);
                // the session goes on, and a later right password still works
                assertThat(c.command("MAIL FROM:<gw@example.com>").raw()).containsExactly("530 5.7.0 Authentication required");
                assertThat(c.command("AUTH PLAIN " + TlsFixture.plain("gw", TlsFixture.GW_PASSWORD)).raw()).containsExactly(OK);
            }
        }
        try (SmtpClient c = TlsFixture.encrypted(ts, ListenerRole.SUBMISSION)) {
            c.command("AUTH LOGIN");
            c.command(Sasl.encode("nosuchuser"));
            assertThat(c.command(Sasl.encode("x")).raw()).containsExactly(FAILED);
        }
    }

    @Test
    void protocolErrorsGetTheRepliesRfc4954Names() throws Exception {
        try (SmtpClient c = TlsFixture.encrypted(ts, ListenerRole.SUBMISSION)) {
            assertThat(c.command("AUTH PLAIN").code()).isEqualTo(334);
            assertThat(c.command("*").raw()).containsExactly("501 5.0.0 Authentication aborted");
            assertThat(c.command("AUTH PLAIN").code()).isEqualTo(334);
            assertThat(c.command("not base64!").raw()).containsExactly("501 5.5.2 Cannot decode response");
            assertThat(c.command("AUTH PLAIN ###").raw()).containsExactly("501 5.5.2 Cannot decode response");
            assertThat(c.command("AUTH LOGIN").code()).isEqualTo(334);
            assertThat(c.command("x".repeat(13_000)).raw()).containsExactly("500 5.5.6 Authentication Exchange line is too long");
            assertThat(c.command("AUTH X-UNKNOWN").raw()).containsExactly("504 5.5.4 Unrecognized authentication type");
            assertThat(c.command("AUTH CRAM-MD5").raw()).containsExactly("534 5.7.9 Authentication mechanism is too weak");
            assertThat(c.command("AUTH").raw()).containsExactly("501 5.5.4 Syntax error in parameters");
            assertThat(c.command("AUTH PLAIN a b").raw()).containsExactly("501 5.5.4 Syntax error in parameters");
            assertThat(c.command("NOOP").raw()).containsExactly("250 2.0.0 OK");
        }
        try (SmtpClient c = TlsFixture.greeted(ts, ListenerRole.SUBMISSIONS)) {
            assertThat(c.command("AUTH PLAIN " + TlsFixture.plain("gw", TlsFixture.GW_PASSWORD)).raw())
                    .containsExactly("503 5.0.0 Polite people say HELO first");
        }
    }

    @Test
    void anAuthenticatedClientIsTrustedAndNobodyElseRelays() throws Exception {
        try (SmtpClient c = TlsFixture.encrypted(ts, ListenerRole.SUBMISSIONS)) {
            assertThat(c.command("AUTH PLAIN " + TlsFixture.plain("gw", TlsFixture.GW_PASSWORD)).code()).isEqualTo(235);
            assertThat(c.command("MAIL FROM:<gw@example.com>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<friend@elsewhere.example.org>").raw())
                    .containsExactly("250 2.1.5 <friend@elsewhere.example.org>... Recipient ok");
            // per-recipient answers for a trusted client
            assertThat(c.command("RCPT TO:<nosuchuser@example.com>").raw()).containsExactly("550 5.1.1 <nosuchuser@example.com>... User unknown");
            assertThat(c.command("RCPT TO:<tj@example.com>").code()).isEqualTo(250);
            // the %-hack is not relaying, for anyone
            assertThat(c.command("RCPT TO:<x%elsewhere.example.org@example.com>").raw())
                    .containsExactly("550 5.7.1 <x%elsewhere.example.org@example.com>... Relaying denied");
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.data("Subject: submitted\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
        }
        assertThat(ts.maildirs().await("tj", 1, java.time.Duration.ofSeconds(10)).get(0)).contains("Subject: submitted", "with ESMTPSA");
        // unauthenticated, over TLS on the MTA port: no relaying, uniform answers
        try (SmtpClient c = TlsFixture.encrypted(ts, ListenerRole.MTA)) {
            assertThat(c.command("MAIL FROM:<gw@example.com>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<friend@elsewhere.example.org>").raw())
                    .containsExactly("550 5.7.1 <friend@elsewhere.example.org>... Relaying denied");
            assertThat(c.command("RCPT TO:<nosuchuser@example.com>").raw()).containsExactly("250 2.1.5 <nosuchuser@example.com>... Recipient ok");
        }
        // a failed AUTH leaves the client untrusted
        try (SmtpClient c = TlsFixture.encrypted(ts, ListenerRole.SUBMISSION)) {
            assertThat(c.command("AUTH PLAIN " + TlsFixture.plain("gw", "nope")).code()).isEqualTo(535);
            assertThat(c.command("MAIL FROM:<gw@example.com>").code()).isEqualTo(530);
        }
    }

    @Test
    void credentialsNeverReachTheLog() throws Exception {
        String plain = TlsFixture.plain("tj", TlsFixture.TJ_PASSWORD);
        String wrong = TlsFixture.plain("tj", "guess-123");
        try (SmtpClient c = TlsFixture.encrypted(ts, ListenerRole.SUBMISSION)) {
            c.command("AUTH PLAIN " + wrong);
            c.command("AUTH LOGIN");
            c.command(Sasl.encode("tj"));
            c.command(Sasl.encode(TlsFixture.TJ_PASSWORD));
        }
        try (SmtpClient c = TlsFixture.encrypted(ts, ListenerRole.SUBMISSION)) {
            c.command("AUTH PLAIN " + plain);
        }
        String log = Files.readString(dir.resolve("mail.log"));
        assertThat(log).contains("<-- AUTH PLAIN ***", "<-- AUTH LOGIN", "AUTH failure (PLAIN): authentication failed, relay=localhost [127.0.0.1]",
                "AUTH=server, relay=localhost [127.0.0.1], authid=tj, mech=LOGIN");
        assertThat(log).doesNotContain(plain, wrong, Sasl.encode(TlsFixture.TJ_PASSWORD), TlsFixture.TJ_PASSWORD, "guess-123");
    }

    /** Failed AUTH round trips in ms: [0] unknown users, [1] wrong passwords of gw (whose hash is cheap here). */
    static double[][] failureTimes(TestServer server, int n) throws Exception {
        double[] unknown = new double[n];
        double[] wrong = new double[n];
        try (SmtpClient c = TlsFixture.encrypted(server, ListenerRole.SUBMISSION)) {
            for (int i = 0; i < n; i++) {
                unknown[i] = c.command("AUTH PLAIN " + TlsFixture.plain("nobody" + i, "pw" + i)).nanos() / 1e6;
                wrong[i] = c.command("AUTH PLAIN " + TlsFixture.plain("gw", "pw" + i)).nanos() / 1e6;
            }
        }
        return new double[][] {unknown, wrong};
    }

    @Test
    void failedAnswersTakeTheSameTimeForUnknownUsersAndWrongPasswords() throws Exception {
        double[][] t = failureTimes(ts, 16);
        double[] unknown = t[0];
        double[] wrong = t[1];
        // never earlier than the envelope; the spread is the jitter (10 ms) plus scheduling noise
        assertThat(Stats.median(unknown)).isGreaterThanOrEqualTo(100);
        assertThat(Stats.median(wrong)).isGreaterThanOrEqualTo(100);
        Stats.Ks ks = Stats.kolmogorovSmirnov(unknown, wrong);
        assertThat(ks.p()).as("unknown %s vs wrong %s: D=%s", Stats.median(unknown), Stats.median(wrong), ks.d()).isGreaterThan(0.001);
    }

    @Test
    void withoutTheEnvelopeTheSameMeasurementSeesTheDifference() throws Exception {
        // control: auth.latency 0; an unknown user costs a default Argon2id run, gw's cheap hash ~1 ms
        Path d = Files.createDirectories(dir.resolve("control"));
        try (TestServer bare = TlsFixture.start(d, "", "[guard]\nenabled = false\n[auth]\nlatency = \"0s\"\n")) {
            double[][] t = failureTimes(bare, 16);
            Stats.Ks ks = Stats.kolmogorovSmirnov(t[0], t[1]);
            assertThat(ks.p()).as("unknown %s vs wrong %s", Stats.median(t[0]), Stats.median(t[1])).isLessThan(0.001);
        }
    }
}
