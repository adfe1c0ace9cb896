package dev.tacit.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.findings.Finding;
import dev.tacit.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The auditor against a real Tacit server, leaking (public) and in its default (goaway). */
@Timeout(120)
class TacitPeerAuditTest {

    static AuditOptions opts() {
        return AuditOptions.defaults().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(2)).withPace(2, 0)
                .withDomain("example.com");
    }

    @Test
    void publicModeVerifiesAndEnumerates(@TempDir Path dir) throws Exception {
        try (TestServer ts = TestServer.start(dir, "privacy_options = \"public\"\nenumeration_defense = false\n[guard]\nenabled = false\n")) {
            TargetReport r = new Auditor(opts().withUsers(List.of("alice", "gw", "root", "tj", "nobody", "all", "jqp")), null)
                    .audit(Target.of("127.0.0.1", ts.port()));
            System.out.println(r.methods() + "\n" + r.users() + "\n" + r.fingerprint() + "\n" + r.findings());
            assertThat(r.method(Method.VRFY).verdict()).isEqualTo(Verdict.VERIFIES);
            assertThat(r.method(Method.EXPN).verdict()).isEqualTo(Verdict.VERIFIES);
            assertThat(r.method(Method.RCPT).verdict()).isEqualTo(Verdict.VERIFIES);
            assertThat(r.users()).extracting(UserHit::name).containsExactly("gw", "tj", "all", "jqp");
            assertThat(r.fingerprint().mta()).isEqualTo(Mta.TACIT);
            assertThat(r.findings()).extracting(Finding::ruleId).contains(AuditFindings.VRFY, AuditFindings.EXPN, AuditFindings.USERS);
        }
    }

    @Test
    void defaultModeHidesUsersFromVrfyExpnAndRcpt(@TempDir Path dir) throws Exception {
        // the guard would tarpit the auditor's canaries after 10 names: keep this test about the answers
        try (TestServer ts = TestServer.start(dir, "[guard]\nenabled = false\n")) {
            TargetReport r = new Auditor(opts().withKnown(List.of("gw")).withUsers(List.of("alice", "gw", "root", "tj", "all", "jqp")), null)
                    .audit(Target.of("127.0.0.1", ts.port()));
            System.out.println(r.methods() + "\n" + r.fingerprint() + "\n" + r.findings() + "\n" + String.join("\n", r.transcript()));
            assertThat(r.method(Method.VRFY).verdict()).isEqualTo(Verdict.ANSWERS_252_TO_ALL);
            assertThat(r.method(Method.EXPN).verdict()).isEqualTo(Verdict.DISABLED);
            // the enumeration defence: RCPT accepts every local name alike, so no method finds anyone
            assertThat(r.method(Method.RCPT).verdict()).isEqualTo(Verdict.CATCH_ALL);
            assertThat(r.users()).isEmpty();
            assertThat(r.fingerprint().mta()).isEqualTo(Mta.TACIT);
            assertThat(r.openFor(List.of(Method.VRFY, Method.EXPN))).isFalse();
            assertThat(r.findings()).extracting(Finding::ruleId).doesNotContain(AuditFindings.VRFY, AuditFindings.EXPN);
        }
    }

    @Test
    void tlsAndAuthAsTheAuditorSeesThem(@TempDir Path dir) throws Exception {
        try (TestServer ts = dev.tacit.testing.TlsFixture.start(dir, "", "[guard]\nenabled = false\n[auth]\non_listen = true\n")) {
            // the MTA port with STARTTLS, and the submissions port with TLS from the first byte
            for (Target t : List.of(Target.of("127.0.0.1", ts.port(dev.tacit.server.ListenerRole.MTA)),
                    new Target("127.0.0.1", ts.port(dev.tacit.server.ListenerRole.SUBMISSIONS), true, null))) {
                TargetReport r = new Auditor(opts().withKnown(List.of("gw")), null).audit(t);
                System.out.println(t + "\n" + r.findings() + "\n" + String.join("\n", r.transcript()));
                assertThat(r.findings()).extracting(Finding::ruleId).doesNotContain(AuditFindings.NO_TLS, AuditFindings.AUTH_PLAIN,
                        AuditFindings.VRFY, AuditFindings.EXPN);
                assertThat(r.fingerprint().mta()).isEqualTo(Mta.TACIT);
            }
        }
    }
}
