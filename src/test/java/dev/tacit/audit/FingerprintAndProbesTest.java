package dev.tacit.audit;

import static dev.tacit.audit.FakePeerVerdictTest.audit;
import static dev.tacit.audit.FakePeerVerdictTest.exists;
import static dev.tacit.audit.FakePeerVerdictTest.fast;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.findings.Finding;
import dev.tacit.testing.FakeSmtpPeer;
import dev.tacit.testing.FakeSmtpPeer.Response;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The MTAs the auditor has no real peer for in CI (OpenSMTPD, Exchange, Apache James), played by the
 * scripted peer with the replies shared/spec/peers.md records for each, must be fingerprinted and get
 * that MTA's remediation; a server with none of their shapes is UNKNOWN. Then the probe commands:
 * ETRN, SHOWQ and WIZ answered differently from an unknown command, VRFY/EXPN advertised but refused
 * (and EXPN working but not advertised), and a version in HELP or EHLO (greeting line or keyword).
 */
@Timeout(60)
class FingerprintAndProbesTest {

    static final Set<String> USERS = Set.of("postmaster", "alice");

    static String remediation(TargetReport r, String ruleId) {
        return r.findings().stream().filter(f -> f.ruleId().equals(ruleId)).map(Finding::remediation).findFirst().orElseThrow();
    }

    @Test
    void openSmtpdByItsReplyShapes() throws Exception {
        // the greeting names no product: only OpenSMTPD's reply texts give it away
        try (FakeSmtpPeer p = FakeSmtpPeer.builder().banner("220 mx.example.com ESMTP").hostname("mx.example.com")
                .keywords("8BITMIME", "ENHANCEDSTATUSCODES", "SIZE 36700160", "DSN", "HELP")
                .on("VRFY", r -> Response.of("500 5.5.1 Invalid command: Command unrecognized"))
                .on("EXPN", r -> Response.of("500 5.5.1 Invalid command: Command unrecognized"))
                .on("RCPT", r -> exists(r, USERS) ? Response.of("250 2.1.5 Destination address valid: Recipient ok")
                        : Response.of("550 Invalid recipient: " + r.arg()))
                .start()) {
            TargetReport r = audit(p, fast());
            assertThat(r.fingerprint().mta()).as(r.fingerprint().clues().toString()).isEqualTo(Mta.OPENSMTPD);
            assertThat(r.method(Method.VRFY).verdict()).isEqualTo(Verdict.DISABLED);
            assertThat(r.method(Method.RCPT).verdict()).isEqualTo(Verdict.VERIFIES);
            assertThat(r.findings()).extracting(Finding::ruleId).contains(AuditFindings.RCPT);
        }
    }

    @Test
    void apacheJamesByItsReplyShapes() throws Exception {
        try (FakeSmtpPeer p = FakeSmtpPeer.builder().banner("220 mx.example.com SMTP Server (JAMES SMTP Server 3.8.1) ready")
                .hostname("mx.example.com").keywords("PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME")
                .on("VRFY", r -> Response.of("502 5.3.3 VRFY is not supported"))
                .on("EXPN", r -> Response.of("502 5.3.3 EXPN is not supported"))
                .on("RCPT", r -> exists(r, USERS) ? Response.of("250 2.1.5 Recipient <" + r.arg() + "> OK")
                        : Response.of("550 5.1.1 Unknown user: " + r.arg()))
                .start()) {
            TargetReport r = audit(p, fast());
            assertThat(r.fingerprint().mta()).isEqualTo(Mta.JAMES);
            assertThat(r.fingerprint().version()).isEqualTo("3.8.1");
            assertThat(r.method(Method.VRFY).verdict()).isEqualTo(Verdict.DISABLED);
            assertThat(r.method(Method.EXPN).verdict()).isEqualTo(Verdict.DISABLED);
            assertThat(r.method(Method.RCPT).verdict()).isEqualTo(Verdict.VERIFIES);
            assertThat(r.findings()).extracting(Finding::ruleId).contains(AuditFindings.VERSION);
        }
    }

    @Test
    void exchangeByItsBannerKeywordsAndVrfy() throws Exception {
        try (FakeSmtpPeer p = FakeSmtpPeer.builder()
                .banner("220 mx.example.com Microsoft ESMTP MAIL Service ready at Mon, 1 Jan 2024 10:00:00 +0000")
                .hostname("mx.example.com Hello [127.0.0.1]").keywords("SIZE 37748736", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES",
                        "X-ANONYMOUSTLS", "AUTH NTLM", "X-EXPS GSSAPI NTLM", "8BITMIME", "BINARYMIME", "CHUNKING", "XRDST")
                .on("VRFY", r -> Response.of("252 2.1.5 Cannot VRFY user, but will take message for <" + r.arg() + "@mx.example.com>"))
                .on("EXPN", r -> Response.of("502 5.3.3 Command not implemented"))
                .on("RCPT", r -> exists(r, USERS) ? Response.of("250 2.1.5 Recipient OK")
                        : Response.of("550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"))
                .start()) {
            TargetReport r = audit(p, fast());
            assertThat(r.fingerprint().mta()).isEqualTo(Mta.EXCHANGE);
            assertThat(r.method(Method.VRFY).verdict()).isEqualTo(Verdict.ANSWERS_252_TO_ALL);
            assertThat(r.method(Method.RCPT).verdict()).isEqualTo(Verdict.VERIFIES);
            assertThat(remediation(r, AuditFindings.RCPT)).contains("Set-ReceiveConnector").contains("-TarpitInterval");
        }
    }

    @Test
    void noKnownShapeIsUnknownWithGenericAdvice() throws Exception {
        try (FakeSmtpPeer p = FakeSmtpPeer.builder().banner("220 mx.example.com ready").hostname("mx.example.com")
                .on("VRFY", r -> exists(r, USERS) ? Response.of("250 ok") : Response.of("550 no"))
                .on("EXPN", r -> Response.of("500 no"))
                .on("HELP", r -> Response.of("500 no"))
                .on("RCPT", r -> exists(r, USERS) ? Response.of("250 ok") : Response.of("550 no"))
                .start()) {
            TargetReport r = audit(p, fast().withChecks(true, true, false));
            assertThat(r.fingerprint().mta()).as(r.fingerprint().clues().toString()).isEqualTo(Mta.UNKNOWN);
            assertThat(r.method(Method.VRFY).verdict()).isEqualTo(Verdict.VERIFIES);
            assertThat(remediation(r, AuditFindings.VRFY)).contains("252").contains("502");
        }
    }

    @Test
    void probeCommandsAdvertisedButRefusedAndVersionInHelp() throws Exception {
        try (FakeSmtpPeer p = FakeSmtpPeer.builder().banner("220 mx.example.com ESMTP").hostname("mx.example.com")
                .keywords("PIPELINING", "VRFY", "EXPN", "ETRN", "ENHANCEDSTATUSCODES")
                .users(USERS.toArray(String[]::new))
                .on("VRFY", r -> Response.of("252 2.0.0 Send some mail, I'll try my best"))
                .on("EXPN", r -> Response.of("502 5.7.0 Sorry, we do not allow this operation"))
                .on("ETRN", r -> Response.of("250 2.0.0 Queuing for node " + r.arg() + " started"))
                .on("SHOWQ", r -> Response.of("214 2.0.0 Mail queue is empty"))
                .on("HELP", r -> Response.of("214-2.0.0 This is Postfix version 3.7.11\n214 2.0.0 End of HELP info"))
                .start()) {
            TargetReport r = audit(p, fast());
            assertThat(r.probes()).filteredOn(CommandProbe::differs).extracting(c -> c.command().split(" ")[0])
                    .containsExactlyInAnyOrder("SHOWQ", "ETRN");
            assertThat(r.findings()).extracting(Finding::ruleId).contains(AuditFindings.ETRN, AuditFindings.DEBUG, AuditFindings.MISMATCH,
                    AuditFindings.VERSION);
            assertThat(r.findings()).filteredOn(f -> f.ruleId().equals(AuditFindings.MISMATCH)).extracting(Finding::message)
                    .anySatisfy(m -> assertThat(m).startsWith("VRFY is advertised in EHLO but refused"))
                    .anySatisfy(m -> assertThat(m).startsWith("EXPN is advertised in EHLO but refused"));
            assertThat(r.findings()).filteredOn(f -> f.ruleId().equals(AuditFindings.DEBUG)).singleElement()
                    .satisfies(f -> assertThat(String.join("\n", f.evidence())).contains("SHOWQ"));
            assertThat(r.fingerprint().version()).isEqualTo("3.7.11");
            assertThat(remediation(r, AuditFindings.VERSION)).contains("smtpd_banner = $myhostname ESMTP");
        }
    }

    @Test
    void versionInTheEhloGreetingLine() throws Exception {
        // banner and HELP say nothing; only the first line of the EHLO reply names product and version
        try (FakeSmtpPeer p = FakeSmtpPeer.builder().banner("220 mx.example.com ESMTP ready")
                .hostname("mx.example.com Hello [127.0.0.1], Exim 4.96 at your service")
                .keywords("PIPELINING", "ENHANCEDSTATUSCODES").users(USERS.toArray(String[]::new))
                .on("HELP", r -> Response.of("214 2.0.0 See RFC 5321"))
                .start()) {
            TargetReport r = audit(p, fast().withChecks(false, false, false));
            assertThat(r.findings()).filteredOn(f -> f.ruleId().equals(AuditFindings.VERSION)).singleElement().satisfies(f -> {
                assertThat(f.message()).endsWith(": 4.96");
                assertThat(f.evidence()).containsExactly("S: 250-mx.example.com Hello [127.0.0.1], Exim 4.96 at your service");
            });
            assertThat(r.fingerprint().version()).isEqualTo("4.96");
        }
    }

    @Test
    void versionInAnEhloKeywordLine() throws Exception {
        try (FakeSmtpPeer p = FakeSmtpPeer.builder().banner("220 mx.example.com ESMTP ready").hostname("mx.example.com")
                .keywords("PIPELINING", "X-SERVER Postfix 3.7.11", "ENHANCEDSTATUSCODES").users(USERS.toArray(String[]::new))
                .on("HELP", r -> Response.of("214 2.0.0 See RFC 5321"))
                .start()) {
            TargetReport r = audit(p, fast().withChecks(false, false, false));
            assertThat(r.findings()).filteredOn(f -> f.ruleId().equals(AuditFindings.VERSION)).singleElement().satisfies(f -> {
                assertThat(f.message()).endsWith(": 3.7.11");
                assertThat(f.evidence()).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING).contains("X-SERVER Postfix 3.7.11");
            });
        }
    }

    @Test
    void noVersionInBannerEhloOrHelpIsNoFinding() throws Exception {
        // the same peer with the product name but no version anywhere: the rule must stay quiet
        try (FakeSmtpPeer p = FakeSmtpPeer.builder().banner("220 mx.example.com ESMTP ready")
                .hostname("mx.example.com Hello [127.0.0.1], Exim at your service")
                .keywords("PIPELINING", "ENHANCEDSTATUSCODES").users(USERS.toArray(String[]::new))
                .on("HELP", r -> Response.of("214 2.0.0 See RFC 5321"))
                .start()) {
            TargetReport r = audit(p, fast().withChecks(false, false, false));
            assertThat(r.findings()).extracting(Finding::ruleId).doesNotContain(AuditFindings.VERSION);
            assertThat(r.fingerprint().version()).isNull();
        }
    }

    @Test
    void expnThatWorksWithoutBeingAdvertised() throws Exception {
        try (FakeSmtpPeer p = FakeSmtpPeer.builder().banner("220 mx.example.com ESMTP").hostname("mx.example.com")
                .keywords("PIPELINING", "ENHANCEDSTATUSCODES").users(USERS.toArray(String[]::new))
                .on("EXPN", r -> exists(r, USERS) ? Response.of("250 2.1.5 <" + r.arg() + "@mx.example.com>")
                        : Response.of("550 5.1.1 " + r.arg() + "... User unknown"))
                .start()) {
            TargetReport r = audit(p, fast().withChecks(true, true, false));
            assertThat(r.method(Method.EXPN).verdict()).isEqualTo(Verdict.VERIFIES);
            assertThat(r.findings()).filteredOn(f -> f.ruleId().equals(AuditFindings.MISMATCH)).extracting(Finding::message)
                    .containsExactly("EXPN works but is not advertised in EHLO");
        }
    }
}
