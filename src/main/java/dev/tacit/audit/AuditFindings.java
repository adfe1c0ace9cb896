package dev.tacit.audit;

import dev.tacit.audit.Remediation.Issue;
import dev.tacit.findings.Finding;
import dev.tacit.findings.Location;
import dev.tacit.findings.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns what the auditor saw into {@link Finding}s: a stable rule id, a severity, one sentence, the
 * transcript evidence, and the remediation for the fingerprinted MTA. Rule ids are documented in
 * docs/audit.md.
 *
 * <p>Security: the evidence is only what the target itself sent back; names from the wordlist that
 * were not found are never mentioned.
 */
public final class AuditFindings {

    private AuditFindings() {}

    public static final String VRFY = "audit.vrfy-enumeration";
    public static final String EXPN = "audit.expn-enumeration";
    public static final String RCPT = "audit.rcpt-enumeration";
    public static final String USERS = "audit.users-found";
    public static final String TIMING = "audit.timing-oracle";
    public static final String CATCH_ALL = "audit.rcpt-catch-all";
    public static final String VERSION = "audit.version-disclosed";
    public static final String DEBUG = "audit.debug-command";
    public static final String VERB = "audit.verb-enabled";
    public static final String ETRN = "audit.etrn-enabled";
    public static final String MISMATCH = "audit.ehlo-mismatch";
    public static final String NO_TLS = "audit.starttls-missing";
    public static final String AUTH_PLAIN = "audit.auth-before-tls";
    public static final String RELAY = "audit.open-relay";

    private static final List<String> RFC_VRFY = List.of("RFC 5321 3.5.3", "RFC 5321 7.3", "DISA STIG GEN004660/GEN004680",
            "CIS AIX 7 4.6.4.2", "KISA U-48", "Lynis MAIL-8820", "Nessus 10249");

    public static TargetReport attach(TargetReport r) {
        List<Finding> f = new ArrayList<>();
        Target t = r.target();
        Mta mta = r.fingerprint().mta();
        Location where = Location.service(t.uri());
        for (Method m : Method.values()) {
            MethodResult mr = r.method(m);
            if (mr == null) {
                continue;
            }
            if (mr.verdict() == Verdict.VERIFIES) {
                Severity sev = m == Method.RCPT ? Severity.MEDIUM : Severity.HIGH;
                String what = switch (m) {
                    case VRFY -> "VRFY tells real users from unknown ones";
                    case EXPN -> "EXPN tells real users and lists from unknown names";
                    case RCPT -> "RCPT TO answers real and unknown recipients differently";
                };
                String id = m == Method.VRFY ? VRFY : m == Method.EXPN ? EXPN : RCPT;
                Issue issue = m == Method.VRFY ? Issue.VRFY : m == Method.EXPN ? Issue.EXPN : Issue.RCPT;
                f.add(new Finding(id, sev, what + ": " + mr.reason(), where, mr.evidence(), Remediation.of(mta, issue, t),
                        m == Method.RCPT ? List.of("RFC 5321 4.1.1.3", "peers.md 0.1") : RFC_VRFY));
            }
            if (mr.verdict() == Verdict.CATCH_ALL) {
                f.add(new Finding(CATCH_ALL, Severity.INFO, "RCPT TO accepts every recipient: " + mr.reason(), where, mr.evidence(),
                        "None needed for privacy; an accept-all server bounces later, which can cause backscatter.", List.of()));
            }
        }
        if (!r.users().isEmpty()) {
            List<String> ev = r.users().stream().map(u -> u.method() + " " + u.name() + " -> " + u.evidence()).toList();
            Method m = r.users().get(0).method();
            f.add(new Finding(USERS, Severity.HIGH, r.users().size() + " user name(s) confirmed through " + m, where, ev,
                    Remediation.of(mta, m == Method.RCPT ? Issue.RCPT : Issue.USERS, t), RFC_VRFY));
        }
        for (TimingTest.Result tm : r.timing()) {
            if (tm.oracle()) {
                f.add(new Finding(TIMING, Severity.MEDIUM, String.format(Locale.ROOT,
                        "%s replies are the same for every name but take longer for some: median %.2f ms for existing names,"
                                + " %.2f ms for random ones (Mann-Whitney p = %.2g, %d samples each)", tm.method(), tm.knownMedian(),
                        tm.canaryMedian(), tm.p(), tm.samples()), where, List.of(), Remediation.of(mta, Issue.TIMING, t),
                        List.of("peers.md 0.4", "sendmail-privacy.md 9")));
            }
        }
        List<String> disclosed = new ArrayList<>();
        if (r.banner() != null) {
            disclosed.addAll(r.banner().lines().toList());
        }
        if (r.ehloGreeting() != null) {
            disclosed.add(r.ehloGreeting()); // "250-host Hello ...": some servers name themselves here
        }
        disclosed.addAll(r.ehlo());
        disclosed.addAll(r.help());
        String vline = Fingerprint.versionLine(disclosed);
        if (vline != null) {
            f.add(new Finding(VERSION, Severity.LOW, "the server discloses its product version: " + Fingerprint.versionIn(disclosed),
                    where, List.of("S: " + vline), Remediation.of(mta, Issue.VERSION, t), List.of("Lynis MAIL-8818")));
        }
        for (CommandProbe p : r.probes()) {
            if (!p.differs()) {
                continue;
            }
            String verb = p.command().split(" ")[0];
            List<String> ev = List.of("C: " + p.command() + "\nS: " + p.reply());
            switch (verb) {
                case "VERB" -> {
                    if (p.reply().startsWith("2")) {
                        f.add(new Finding(VERB, Severity.LOW, "VERB is accepted: verbose mode shows alias expansion and delivery"
                                + " details to any client", where, ev, Remediation.of(mta, Issue.VERB, t), List.of("sendmail-privacy.md 1.5")));
                    }
                }
                case "ETRN" -> {
                    if (p.reply().startsWith("2")) {
                        f.add(new Finding(ETRN, Severity.INFO, "ETRN is accepted from this client: anyone can start queue runs",
                                where, ev, Remediation.of(mta, Issue.ETRN, t), List.of("RFC 1985")));
                    }
                }
                default -> f.add(new Finding(DEBUG, p.reply().startsWith("2") ? Severity.HIGH : Severity.MEDIUM,
                        verb + " is answered differently from an unknown command: the server knows it", where, ev,
                        Remediation.of(mta, Issue.DEBUG_COMMAND, t), List.of("CVE-1999-0095")));
            }
        }
        mismatch(r, f, where, mta, t, Method.VRFY);
        mismatch(r, f, where, mta, t, Method.EXPN);
        if (!t.implicitTls() && r.tls() == null) {
            boolean offered = ProbeSession.keyword(r.ehloBeforeTls(), "STARTTLS") != null;
            f.add(new Finding(NO_TLS, Severity.MEDIUM, offered ? "STARTTLS is offered but failed: " + r.tlsError()
                    : "STARTTLS is not offered: mail and probes cross the network in clear text", where, List.of(),
                    Remediation.of(mta, Issue.NO_STARTTLS, t), List.of("RFC 3207", "RFC 8314")));
        }
        String auth = ProbeSession.keyword(t.implicitTls() ? List.of() : r.ehloBeforeTls(), "AUTH");
        if (auth != null) {
            String u = auth.toUpperCase(Locale.ROOT);
            boolean plain = u.contains("PLAIN") || u.contains("LOGIN");
            f.add(new Finding(AUTH_PLAIN, plain ? Severity.HIGH : Severity.MEDIUM, "AUTH is offered before TLS ("
                    + auth + "): passwords can cross the network " + (plain ? "in clear text" : "without TLS"), where,
                    List.of("S: 250-" + auth), Remediation.of(mta, Issue.AUTH_BEFORE_TLS, t), List.of("RFC 4954 4", "RFC 8314")));
        }
        if (r.relay() != null && r.relay().startsWith("accepted")) {
            f.add(new Finding(RELAY, Severity.CRITICAL, "RCPT TO a domain outside the server's was accepted (open relay for this client)",
                    where, List.of("S: " + r.relay().substring("accepted: ".length())), Remediation.of(mta, Issue.OPEN_RELAY, t),
                    List.of("RFC 5321 3.6", "RFC 2505")));
        }
        return new TargetReport(t, r.error(), r.banner(), r.ehlo(), r.ehloBeforeTls(), r.ehloGreeting(), r.tls(), r.tlsError(), r.help(),
                r.fingerprint(), r.methods(), r.rcptDomain(), r.users(), r.unresolved(), r.enumeration(), r.enumerationNote(),
                r.timing(), r.probes(), r.relay(), f, r.transcript(), r.seconds());
    }

    private static void mismatch(TargetReport r, List<Finding> f, Location where, Mta mta, Target t, Method m) {
        MethodResult mr = r.method(m);
        if (mr == null) {
            return;
        }
        boolean advertised = ProbeSession.keyword(r.ehlo(), m.name()) != null;
        boolean refused = mr.verdict() == Verdict.DISABLED || mr.verdict() == Verdict.ANSWERS_252_TO_ALL;
        if (advertised && refused) {
            f.add(new Finding(MISMATCH, Severity.LOW, m + " is advertised in EHLO but refused (" + mr.reason() + ")", where,
                    mr.evidence(), Remediation.of(mta, Issue.ADVERTISED_MISMATCH, t), List.of("RFC 5321 4.1.1.1")));
        }
        if (!advertised && !r.ehlo().isEmpty() && mr.verdict() == Verdict.VERIFIES && m == Method.EXPN) {
            f.add(new Finding(MISMATCH, Severity.LOW, "EXPN works but is not advertised in EHLO", where, mr.evidence(),
                    Remediation.of(mta, Issue.ADVERTISED_MISMATCH, t), List.of("RFC 5321 4.1.1.1")));
        }
    }
}
