package dev.tacit.audit;

import dev.tacit.findings.Finding;
import dev.tacit.findings.Severity;
import java.util.List;
import java.util.Map;

/**
 * Everything the audit learned about one target; the report writers render it. {@code error} is set
 * when the target could not be audited (no connection, greeting refused), and then most fields are
 * empty.
 *
 * @param ehloGreeting the first line of the (last) EHLO or HELO reply, e.g. "250-mx Hello [192.0.2.1]"; null if none
 * @param relay "refused", "accepted", "not checked" or "inconclusive: why"
 */
public record TargetReport(
        Target target, String error, String banner, List<String> ehlo, List<String> ehloBeforeTls, String ehloGreeting, String tls,
        String tlsError, List<String> help, Fingerprint fingerprint, Map<Method, MethodResult> methods, String rcptDomain,
        List<UserHit> users, List<String> unresolved, EnumerationStats enumeration, String enumerationNote,
        List<TimingTest.Result> timing, List<CommandProbe> probes, String relay, List<Finding> findings,
        List<String> transcript, double seconds) {

    public TargetReport {
        ehlo = List.copyOf(ehlo);
        ehloBeforeTls = List.copyOf(ehloBeforeTls);
        help = List.copyOf(help);
        methods = Map.copyOf(methods);
        users = List.copyOf(users);
        unresolved = List.copyOf(unresolved);
        timing = List.copyOf(timing);
        probes = List.copyOf(probes);
        findings = List.copyOf(findings);
        transcript = List.copyOf(transcript);
    }

    public static TargetReport failed(Target t, String error, List<String> transcript, double seconds) {
        return new TargetReport(t, error, null, List.of(), List.of(), null, null, null, List.of(),
                new Fingerprint(Mta.UNKNOWN, null, "low", List.of()), Map.of(), null, List.of(), List.of(), null, null,
                List.of(), List.of(), "not checked", List.of(), transcript, seconds);
    }

    public boolean ok() {
        return error == null;
    }

    public MethodResult method(Method m) {
        return methods.get(m);
    }

    /** The highest severity among the findings, or null. */
    public Severity worst() {
        return findings.stream().map(Finding::severity).max(Enum::compareTo).orElse(null);
    }

    /** Whether VRFY or EXPN (or the given methods) still tell users apart, or users were found through them. */
    public boolean openFor(List<Method> ms) {
        for (Method m : ms) {
            MethodResult r = methods.get(m);
            if (r != null && r.verdict() == Verdict.VERIFIES) {
                return true;
            }
        }
        return users.stream().anyMatch(u -> ms.contains(u.method()));
    }
}
