package dev.tacit.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.findings.Finding;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The verdicts must be right for real Postfix, sendmail and Exim on loopback. */
@Timeout(180)
class RealPeersAuditTest {

    static final List<String> WORDS = List.of("alice", "gw", "bob", "tj", "carol");

    static AuditOptions opts() {
        return AuditOptions.defaults().withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(3)).withPace(2, 0)
                .withDomain("example.com").withUsers(WORDS);
    }

    @Test
    void postfixWithVrfyVerifiesThrough252Versus550() throws Exception {
        try (RealPeers p = RealPeers.postfix(false)) {
            TargetReport r = new Auditor(opts(), null).audit(p.target());
            assertThat(r.method(Method.VRFY).verdict()).as(r.method(Method.VRFY).reason()).isEqualTo(Verdict.VERIFIES);
            assertThat(r.method(Method.VRFY).reason()).contains("252 2.0.0").contains("550 5.1.1");
            assertThat(r.method(Method.EXPN).verdict()).isEqualTo(Verdict.DISABLED);
            assertThat(r.method(Method.RCPT).verdict()).isEqualTo(Verdict.VERIFIES);
            assertThat(r.users()).extracting(UserHit::name).containsExactly("gw", "tj");
            assertThat(r.users()).allSatisfy(u -> assertThat(u.method()).isEqualTo(Method.VRFY));
            assertThat(r.fingerprint().mta()).isEqualTo(Mta.POSTFIX);
            assertThat(r.relay()).doesNotStartWith("accepted");
            // Postfix's own lines, VRFY and the RCPT-side limits, and how to verify the fix
            assertThat(remediation(r, AuditFindings.VRFY)).contains("disable_vrfy_command = yes").contains("--expect-closed");
            assertThat(remediation(r, AuditFindings.RCPT)).contains("smtpd_client_recipient_rate_limit", "smtpd_hard_error_limit");
        }
    }

    @Test
    void postfixWithVrfyDisabled() throws Exception {
        try (RealPeers p = RealPeers.postfix(true)) {
            TargetReport r = new Auditor(opts(), null).audit(p.target());
            assertThat(r.method(Method.VRFY).verdict()).as(r.method(Method.VRFY).reason()).isEqualTo(Verdict.DISABLED);
            assertThat(r.method(Method.VRFY).reason()).contains("502 5.5.1");
            assertThat(r.method(Method.RCPT).verdict()).isEqualTo(Verdict.VERIFIES);
            // VRFY is closed, so the wordlist goes through RCPT
            assertThat(r.users()).extracting(UserHit::name).containsExactly("gw", "tj");
            assertThat(r.users()).allSatisfy(u -> assertThat(u.method()).isEqualTo(Method.RCPT));
            assertThat(r.openFor(List.of(Method.VRFY, Method.EXPN))).isFalse();
            assertThat(r.fingerprint().mta()).isEqualTo(Mta.POSTFIX);
        }
    }

    @Test
    void sendmailAuthwarningsLeaksThroughVrfyAndExpn() throws Exception {
        try (RealPeers p = RealPeers.sendmail("authwarnings")) {
            TargetReport r = new Auditor(opts(), null).audit(p.target());
            assertThat(r.method(Method.VRFY).verdict()).as(r.method(Method.VRFY).reason()).isEqualTo(Verdict.VERIFIES);
            assertThat(r.method(Method.EXPN).verdict()).as(r.method(Method.EXPN).reason()).isEqualTo(Verdict.VERIFIES);
            assertThat(r.method(Method.RCPT).verdict()).isEqualTo(Verdict.VERIFIES);
            assertThat(r.users()).extracting(UserHit::name).containsExactly("gw", "tj");
            assertThat(r.fingerprint().mta()).isEqualTo(Mta.SENDMAIL);
            assertThat(r.fingerprint().version()).isEqualTo("8.17.1.9");
            assertThat(r.findings()).extracting(Finding::ruleId).contains(AuditFindings.VRFY, AuditFindings.EXPN,
                    AuditFindings.VERSION, AuditFindings.VERB);
            assertThat(r.findings()).filteredOn(f -> f.ruleId().equals(AuditFindings.VRFY)).singleElement()
                    .satisfies(f -> assertThat(f.remediation()).contains("define(`confPRIVACY_FLAGS', `authwarnings,goaway')dnl")
                            .contains("O PrivacyOptions=authwarnings,goaway").contains("--expect-closed"));
        }
    }

    @Test
    void sendmailGoawayIsClosed() throws Exception {
        try (RealPeers p = RealPeers.sendmail("goaway")) {
            TargetReport r = new Auditor(opts().withUsers(List.of()).withKnown(List.of("gw")), null).audit(p.target());
            assertThat(r.method(Method.VRFY).verdict()).as(r.method(Method.VRFY).reason()).isEqualTo(Verdict.ANSWERS_252_TO_ALL);
            assertThat(r.method(Method.VRFY).reason()).contains("252 2.5.2 Cannot VRFY user");
            assertThat(r.method(Method.EXPN).verdict()).isEqualTo(Verdict.DISABLED);
            assertThat(r.method(Method.EXPN).reason()).contains("502 5.7.0");
            assertThat(r.openFor(List.of(Method.VRFY, Method.EXPN))).isFalse();
            assertThat(r.fingerprint().mta()).isEqualTo(Mta.SENDMAIL);
        }
    }

    @Test
    void eximDefaultAnswers252ToAllButRcptVerifies() throws Exception {
        try (RealPeers p = RealPeers.exim()) {
            TargetReport r = new Auditor(opts(), null).audit(p.target());
            assertThat(r.method(Method.VRFY).verdict()).as(r.method(Method.VRFY).reason()).isEqualTo(Verdict.ANSWERS_252_TO_ALL);
            assertThat(r.method(Method.VRFY).reason()).contains("252").contains("Administrative prohibition");
            assertThat(r.method(Method.EXPN).verdict()).isEqualTo(Verdict.DISABLED);
            assertThat(r.method(Method.RCPT).verdict()).isEqualTo(Verdict.VERIFIES);
            assertThat(r.method(Method.RCPT).reason()).contains("Unrouteable address");
            assertThat(r.users()).extracting(UserHit::name).containsExactly("gw", "tj");
            assertThat(r.fingerprint().mta()).isEqualTo(Mta.EXIM);
            assertThat(remediation(r, AuditFindings.RCPT)).contains("acl_check_rcpt").contains("ratelimit");
        }
    }

    static String remediation(TargetReport r, String ruleId) {
        return r.findings().stream().filter(f -> f.ruleId().equals(ruleId)).map(Finding::remediation).findFirst()
                .orElseThrow(() -> new AssertionError("no " + ruleId + " finding in " + r.findings()));
    }
}
