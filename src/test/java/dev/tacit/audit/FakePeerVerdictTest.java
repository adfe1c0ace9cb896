package dev.tacit.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.findings.Finding;
import dev.tacit.findings.Severity;
import dev.tacit.testing.FakeSmtpPeer;
import dev.tacit.testing.FakeSmtpPeer.Response;
import dev.tacit.testing.FakeSmtpPeer.SocketPolicy;
import dev.tacit.testing.TestCerts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every verdict, driven by a scripted fake peer on loopback. */
@Timeout(60)
class FakePeerVerdictTest {

    static AuditOptions fast() {
        return AuditOptions.defaults().withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(800)).withPace(2, 0)
                .withBackoff(Duration.ofMillis(20), Duration.ofMillis(100), 3);
    }

    static TargetReport audit(FakeSmtpPeer p, AuditOptions o) {
        return new Auditor(o, null).audit(Target.of("127.0.0.1", p.port()));
    }

    static boolean exists(FakeSmtpPeer.Request r, Set<String> users) {
        String a = r.arg().replaceAll("[<>]", "");
        int at = a.indexOf('@');
        return users.contains((at < 0 ? a : a.substring(0, at)).toLowerCase(Locale.ROOT));
    }

    /** Postfix with VRFY enabled: 252 for real users, 550 for unknown ones. */
    static FakeSmtpPeer.Builder postfixLike(Set<String> users) {
        return FakeSmtpPeer.builder().banner("220 mx.example.com ESMTP").hostname("mx.example.com")
                .keywords("PIPELINING", "SIZE 10240000", "VRFY", "ETRN", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN")
                .users(users.toArray(String[]::new))
                .on("VRFY", r -> exists(r, users) ? Response.of("252 2.0.0 " + r.arg())
                        : Response.of("550 5.1.1 <" + r.arg() + ">: Recipient address rejected: User unknown in local recipient table"));
    }

    @Test
    void postfix252IsVerifiesAndEnumerationFindsExactlyTheRealUsers() throws Exception {
        Set<String> users = Set.of("postmaster", "alice", "bob");
        try (FakeSmtpPeer p = postfixLike(users).start()) {
            List<String> words = new ArrayList<>(List.of("carol", "alice", "dave", "bob", "eve", "mallory"));
            TargetReport r = audit(p, fast().withUsers(words));
            assertThat(r.ok()).isTrue();
            assertThat(r.method(Method.VRFY).verdict()).isEqualTo(Verdict.VERIFIES);
            assertThat(r.method(Method.VRFY).reason()).contains("252 2.0.0 postmaster").contains("550 5.1.1");
            assertThat(r.method(Method.EXPN).verdict()).isEqualTo(Verdict.DISABLED);
            assertThat(r.method(Method.RCPT).verdict()).isEqualTo(Verdict.VERIFIES);
            assertThat(r.rcptDomain()).isEqualTo("mx.example.com");
            assertThat(r.users()).extracting(UserHit::name).containsExactly("alice", "bob");
            assertThat(r.users()).allSatisfy(u -> assertThat(u.confidence()).isEqualTo("certain"));
            assertThat(r.enumeration().tested()).isEqualTo(words.size());
            assertThat(r.fingerprint().mta()).isEqualTo(Mta.POSTFIX);
            assertThat(r.findings()).extracting(Finding::ruleId).contains(AuditFindings.VRFY, AuditFindings.USERS,
                    AuditFindings.RCPT, AuditFindings.NO_TLS);
            assertThat(r.findings()).filteredOn(f -> f.ruleId().equals(AuditFindings.VRFY)).singleElement()
                    .satisfies(f -> assertThat(f.remediation()).contains("disable_vrfy_command = yes"));
            // DATA is never sent
            assertThat(p.requests("DATA")).isEmpty();
        }
    }

    @Test
    void sameAnswerForEveryNameIs252ToAllAndNoEnumeration() throws Exception {
        try (FakeSmtpPeer p = FakeSmtpPeer.builder().users("postmaster", "alice")
                .on("VRFY", r -> Response.of("252 2.5.2 Cannot VRFY user; try RCPT to attempt delivery (or try finger)"))
                .on("EXPN", r -> Response.of("502 5.7.0 Sorry, we do not allow this operation"))
                .on("RCPT", r -> Response.of("250 2.1.5 " + r.arg() + "... Recipient ok"))
                .start()) {
            TargetReport r = audit(p, fast().withKnown(List.of("alice")).withUsers(List.of("alice", "zed")));
            assertThat(r.method(Method.VRFY).verdict()).isEqualTo(Verdict.ANSWERS_252_TO_ALL);
            assertThat(r.method(Method.EXPN).verdict()).isEqualTo(Verdict.DISABLED);
            assertThat(r.method(Method.RCPT).verdict()).isEqualTo(Verdict.CATCH_ALL);
            assertThat(r.users()).isEmpty();
            assertThat(r.enumerationNote()).contains("no method");
            assertThat(r.findings()).extracting(Finding::ruleId).doesNotContain(AuditFindings.VRFY, AuditFindings.EXPN, AuditFindings.RCPT)
                    .contains(AuditFindings.CATCH_ALL);
        }
    }

    @Test
    void multiLineExpnListIsReadWholeAndVerifies() throws Exception {
        try (FakeSmtpPeer p = FakeSmtpPeer.builder().users("postmaster", "staff")
                .on("EXPN", r -> r.arg().equals("postmaster") || r.arg().equals("staff")
                        ? Response.of("250-2.1.5 George Washington <gw@fake.example.com>\n250-2.1.5 Thomas Jefferson <tj@fake.example.com>\n"
                                + "250 2.1.5 Ben Franklin <bf@fake.example.com>")
                        : Response.of("550 5.1.1 " + r.arg() + "... User unknown"))
                .start()) {
            TargetReport r = audit(p, fast().withKnown(List.of("staff")));
            MethodResult expn = r.method(Method.EXPN);
            assertThat(expn.verdict()).isEqualTo(Verdict.VERIFIES);
            assertThat(expn.reason()).contains("(+2 lines)");
            assertThat(String.join("\n", expn.evidence())).contains("S: 250-2.1.5 George Washington", "S: 250 2.1.5 Ben Franklin");
            // the reply after a multi-line one is still in step: VRFY gets its own 502
            assertThat(r.method(Method.VRFY).verdict()).isEqualTo(Verdict.DISABLED);
        }
    }

    @Test
    void greylistingIsGreylistedNotUnknown() throws Exception {
        try (FakeSmtpPeer p = FakeSmtpPeer.builder()
                .on("RCPT", r -> Response.of("451 4.7.1 <" + r.arg() + ">: Recipient address rejected: Greylisted, see http://postgrey/"))
                .start()) {
            MethodResult rcpt = audit(p, fast()).method(Method.RCPT);
            assertThat(rcpt.verdict()).isEqualTo(Verdict.GREYLISTED);
            assertThat(rcpt.reason()).contains("451 4.7.1");
        }
    }

    @Test
    void enumerationBacksOffOn4xxAndRetries() throws Exception {
        Set<String> users = Set.of("postmaster", "alice");
        try (FakeSmtpPeer p = postfixLike(users).start()) {
            // the first two VRFYs of the wordlist run are greylisted, then answered normally
            TargetReport probe = audit(p, fast());
            assertThat(probe.method(Method.VRFY).verdict()).isEqualTo(Verdict.VERIFIES);
            p.enqueue("VRFY", Response.of("450 4.7.1 Try again later")).enqueue("VRFY", Response.of("450 4.7.1 Try again later"));
            MethodResult vrfy = probe.method(Method.VRFY);
            Enumerator en = new Enumerator(probe.target(), fast().withPace(1, 0), vrfy, null, Integer.MAX_VALUE,
                    () -> ProbeSession.open(probe.target(), fast(), new Transcript(), false), Progress.NONE);
            Enumerator.Result res = en.run(List.of("alice", "zed"));
            assertThat(res.hits()).extracting(UserHit::name).containsExactly("alice");
            assertThat(res.stats().backoffs()).isEqualTo(2);
            assertThat(res.unresolved()).isEmpty();
        }
    }

    @Test
    void persistent4xxLeavesNameUnresolvedNotAbsent() throws Exception {
        Set<String> users = Set.of("postmaster", "alice");
        try (FakeSmtpPeer p = postfixLike(users).start()) {
            TargetReport probe = audit(p, fast());
            for (int i = 0; i < 10; i++) {
                p.enqueue("VRFY", Response.of("450 4.7.1 Rate limited"));
            }
            Enumerator en = new Enumerator(probe.target(), fast().withPace(1, 0), probe.method(Method.VRFY), null, Integer.MAX_VALUE,
                    () -> ProbeSession.open(probe.target(), fast(), new Transcript(), false), Progress.NONE);
            Enumerator.Result res = en.run(List.of("alice"));
            assertThat(res.hits()).isEmpty();
            assertThat(res.unresolved()).containsExactly("alice");
        }
    }

    @Test
    void tarpitThatNeverAnswersInTimeIsTarpitted() throws Exception {
        try (FakeSmtpPeer p = FakeSmtpPeer.builder()
                .on("VRFY", r -> Response.of("252 2.0.0 ok").delayed(Duration.ofSeconds(3)))
                .start()) {
            AuditOptions o = fast().withTimeouts(Duration.ofMillis(700), Duration.ofMillis(500));
            MethodResult vrfy = audit(p, o).method(Method.VRFY);
            assertThat(vrfy.verdict()).isEqualTo(Verdict.TARPITTED);
            assertThat(vrfy.reason()).contains("no reply within the time limit");
            // it gave up after the first stalled probe instead of waiting for every name
            assertThat(p.requests("VRFY")).hasSize(1);
        }
    }

    @Test
    void slowButIdenticalRepliesAreTarpitted() throws Exception {
        try (FakeSmtpPeer p = FakeSmtpPeer.builder()
                .on("VRFY", r -> Response.of("252 2.0.0 Send some mail, I'll try my best").delayed(Duration.ofMillis(350)))
                .start()) {
            AuditOptions o = fast().withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300));
            MethodResult vrfy = audit(p, o).method(Method.VRFY);
            assertThat(vrfy.verdict()).isEqualTo(Verdict.TARPITTED);
            assertThat(vrfy.reason()).contains("delayed");
        }
    }

    /** A server that answers 421 and hangs up after every 3 commands (an error limit that resets on reconnect). */
    @Test
    void reconnectsAfter421AndStillClassifiesAndEnumerates() throws Exception {
        Set<String> users = Set.of("postmaster", "u07", "u19", "u23");
        Map<Integer, AtomicInteger> perConn = new ConcurrentHashMap<>();
        try (FakeSmtpPeer p = FakeSmtpPeer.builder().users(users.toArray(String[]::new))
                .on("VRFY", r -> {
                    int n = perConn.computeIfAbsent(r.connection(), k -> new AtomicInteger()).incrementAndGet();
                    if (n > 3) {
                        return Response.of("421 4.7.0 fake.example.com Error: too many errors").then(SocketPolicy.CLOSE_AFTER_REPLY);
                    }
                    return exists(r, users) ? Response.of("250 2.1.5 <" + r.arg() + "@fake.example.com>")
                            : Response.of("550 5.1.1 " + r.arg() + "... User unknown");
                }).start()) {
            List<String> words = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                words.add(String.format("u%02d", i));
            }
            TargetReport r = audit(p, fast().withUsers(words));
            assertThat(r.method(Method.VRFY).verdict()).isEqualTo(Verdict.VERIFIES);
            assertThat(r.users()).extracting(UserHit::name).containsExactly("u07", "u19", "u23");
            assertThat(r.unresolved()).isEmpty();
            assertThat(r.enumeration().connections()).isGreaterThanOrEqualTo(10);
        }
    }

    @Test
    void authRequiredEverywhere() throws Exception {
        try (FakeSmtpPeer p = FakeSmtpPeer.builder()
                .on("VRFY", r -> Response.of("530 5.7.0 Authentication required"))
                .on("EXPN", r -> Response.of("530 5.7.0 Authentication required"))
                .on("MAIL", r -> Response.of("530 5.7.0 Authentication required"))
                .start()) {
            TargetReport r = audit(p, fast());
            assertThat(r.method(Method.VRFY).verdict()).isEqualTo(Verdict.AUTH_REQUIRED);
            assertThat(r.method(Method.EXPN).verdict()).isEqualTo(Verdict.AUTH_REQUIRED);
            assertThat(r.method(Method.RCPT).verdict()).isEqualTo(Verdict.AUTH_REQUIRED);
        }
    }

    @Test
    void canariesThatDisagreeAreInconclusiveWithTheReason() throws Exception {
        AtomicInteger n = new AtomicInteger();
        try (FakeSmtpPeer p = FakeSmtpPeer.builder()
                .on("VRFY", r -> n.incrementAndGet() % 2 == 0 ? Response.of("250 2.1.5 ok") : Response.of("550 5.1.1 unknown"))
                .start()) {
            MethodResult vrfy = audit(p, fast()).method(Method.VRFY);
            assertThat(vrfy.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(vrfy.reason()).contains("random names were answered differently");
        }
    }

    @Test
    void startTlsIsUsedAndAuthBeforeTlsIsReported() throws Exception {
        try (FakeSmtpPeer p = FakeSmtpPeer.builder().tls(TestCerts.server("fake.example.com"))
                .keywords("PIPELINING", "AUTH PLAIN LOGIN", "ENHANCEDSTATUSCODES").start()) {
            TargetReport r = audit(p, fast());
            assertThat(r.tls()).startsWith("TLS");
            assertThat(p.requests("VRFY")).isNotEmpty().allSatisfy(q -> assertThat(q.tls()).isTrue());
            assertThat(r.findings()).extracting(Finding::ruleId).contains(AuditFindings.AUTH_PLAIN).doesNotContain(AuditFindings.NO_TLS);
            assertThat(r.findings()).filteredOn(f -> f.ruleId().equals(AuditFindings.AUTH_PLAIN)).singleElement()
                    .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.HIGH));
        }
    }

    @Test
    void implicitTlsOnItsOwnPort() throws Exception {
        try (FakeSmtpPeer p = postfixLike(Set.of("postmaster")).implicitTls(TestCerts.server("fake.example.com")).start()) {
            TargetReport r = new Auditor(fast(), null).audit(new Target("127.0.0.1", p.port(), true, null));
            assertThat(r.error()).isNull();
            assertThat(r.tls()).startsWith("TLS");
            assertThat(r.target().uri()).startsWith("smtps://");
            assertThat(r.method(Method.VRFY).verdict()).isEqualTo(Verdict.VERIFIES);
        }
    }

    @Test
    void openRelayDebugCommandsAndVerbAreFindings() throws Exception {
        try (FakeSmtpPeer p = FakeSmtpPeer.builder().banner("220 fake.example.com ESMTP Sendmail 8.6.12; Mon, 1 Jan 1996")
                .on("RCPT", r -> Response.of("250 2.1.5 " + r.arg() + "... Recipient ok"))
                .on("DEBUG", r -> Response.of("200 2.0.0 Debug set"))
                .on("VERB", r -> Response.of("250 2.0.0 Verbose mode"))
                .start()) {
            TargetReport r = audit(p, fast());
            assertThat(r.relay()).startsWith("accepted");
            assertThat(r.findings()).extracting(Finding::ruleId).contains(AuditFindings.RELAY, AuditFindings.DEBUG,
                    AuditFindings.VERB, AuditFindings.VERSION);
            assertThat(r.probes()).filteredOn(CommandProbe::differs).extracting(c -> c.command()).contains("DEBUG", "VERB")
                    .doesNotContain("SHOWQ", "WIZ");
            assertThat(r.fingerprint().mta()).isEqualTo(Mta.SENDMAIL);
            assertThat(r.fingerprint().version()).isEqualTo("8.6.12");
            assertThat(p.requests("DATA")).isEmpty();
        }
    }

    @Test
    void connectionRefusedIsAnErrorNotAVerdict() throws Exception {
        // a port held by a bound, non-listening socket: connections are refused, and no other test
        // or process on the machine can start listening on it meanwhile
        try (java.net.Socket holder = new java.net.Socket()) {
            holder.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            TargetReport r = new Auditor(fast(), null).audit(Target.of("127.0.0.1", holder.getLocalPort()));
            assertThat(r.ok()).isFalse();
            assertThat(r.error()).contains("refused");
        }
    }

    @Test
    void greetingRefusedIsAnError() throws Exception {
        try (FakeSmtpPeer p = FakeSmtpPeer.builder().banner("554 5.3.2 fake.example.com not accepting messages").start()) {
            TargetReport r = audit(p, fast());
            assertThat(r.ok()).isFalse();
            assertThat(r.error()).contains("554 5.3.2");
        }
    }

    /** sendmail-like counter: the 6th VRFY of a connection and later ones are slow. */
    @Test
    void enumerationLearnsTheServersPerConnectionBudget() throws Exception {
        Set<String> users = Set.of("postmaster", "w3", "w11");
        Map<Integer, AtomicInteger> perConn = new ConcurrentHashMap<>();
        try (FakeSmtpPeer p = FakeSmtpPeer.builder().users(users.toArray(String[]::new))
                .on("VRFY", r -> {
                    int n = perConn.computeIfAbsent(r.connection(), k -> new AtomicInteger()).incrementAndGet();
                    Response out = exists(r, users) ? Response.of("250 2.1.5 <" + r.arg() + "@fake.example.com>")
                            : Response.of("550 5.1.1 " + r.arg() + "... User unknown");
                    return n >= 6 ? out.delayed(Duration.ofMillis(700)) : out;
                }).start()) {
            List<String> words = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                words.add("w" + i);
            }
            TargetReport r = audit(p, fast().withPace(1, 0).withUsers(words));
            assertThat(r.users()).extracting(UserHit::name).containsExactly("w3", "w11");
            assertThat(r.enumeration().budget()).isEqualTo(5);
        }
    }

    @Test
    void timingOracleWithIdenticalReplies() throws Exception {
        try (FakeSmtpPeer p = FakeSmtpPeer.builder().users("postmaster")
                .on("VRFY", r -> r.arg().equals("postmaster") ? Response.of("252 2.0.0 Cannot VRFY user").delayed(Duration.ofMillis(25))
                        : Response.of("252 2.0.0 Cannot VRFY user"))
                .start()) {
            TargetReport r = audit(p, fast().withTiming(true, 15));
            assertThat(r.method(Method.VRFY).verdict()).isEqualTo(Verdict.ANSWERS_252_TO_ALL);
            TimingTest.Result t = r.timing().stream().filter(x -> x.method() == Method.VRFY).findFirst().orElseThrow();
            assertThat(t.oracle()).isTrue();
            assertThat(t.knownMedian()).isGreaterThan(t.canaryMedian() + 20);
            assertThat(r.findings()).extracting(Finding::ruleId).contains(AuditFindings.TIMING);
        }
    }

    @Test
    void noTimingOracleWhenEveryReplyTakesTheSameTime() throws Exception {
        try (FakeSmtpPeer p = FakeSmtpPeer.builder()
                .on("VRFY", r -> Response.of("252 2.0.0 Cannot VRFY user").delayed(Duration.ofMillis(5)))
                .start()) {
            TargetReport r = audit(p, fast().withTiming(true, 15));
            assertThat(r.timing()).isNotEmpty().allSatisfy(t -> assertThat(t.oracle()).isFalse());
            assertThat(r.findings()).extracting(Finding::ruleId).doesNotContain(AuditFindings.TIMING);
        }
    }
}
