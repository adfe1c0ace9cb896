package dev.tacit.audit.report;

import dev.tacit.audit.AuditReport;
import dev.tacit.audit.CommandProbe;
import dev.tacit.audit.EnumerationStats;
import dev.tacit.audit.Method;
import dev.tacit.audit.MethodResult;
import dev.tacit.audit.TargetReport;
import dev.tacit.audit.TimingTest;
import dev.tacit.audit.UserHit;
import dev.tacit.findings.Finding;
import java.util.Locale;

/**
 * The human report: one screen per target with the verdict table, the users found and the fixes.
 * Plain text, no colour, so it reads the same in a terminal, a log and an e-mail.
 */
public final class AuditText {

    private AuditText() {}

    public static String render(AuditReport report) {
        StringBuilder sb = new StringBuilder();
        for (TargetReport t : report.targets()) {
            target(sb, t);
            sb.append('\n');
        }
        long targets = report.targets().size();
        long failed = report.targets().stream().filter(t -> !t.ok()).count();
        sb.append(String.format(Locale.ROOT, "%d target(s) audited, %d unreachable, %d finding(s).%n", targets - failed, failed,
                report.findings().size()));
        return sb.toString();
    }

    static void target(StringBuilder sb, TargetReport t) {
        sb.append("== ").append(t.target().display());
        if (t.target().domain() != null) {
            sb.append(" (MX for ").append(t.target().domain()).append(')');
        }
        sb.append('\n');
        if (!t.ok()) {
            sb.append("   ERROR: ").append(t.error()).append('\n');
            return;
        }
        sb.append("   MTA: ").append(t.fingerprint().describe()).append('\n');
        sb.append("   TLS: ").append(t.tls() == null ? "none" + (t.tlsError() == null ? "" : " (" + t.tlsError() + ")") : t.tls()).append('\n');
        sb.append('\n').append(String.format(Locale.ROOT, "   %-6s %-14s %s%n", "method", "verdict", "why"));
        for (Method m : Method.values()) {
            MethodResult r = t.method(m);
            if (r != null) {
                sb.append(String.format(Locale.ROOT, "   %-6s %-14s %s%n", m, r.verdict().label(), r.reason()));
            }
        }
        for (TimingTest.Result r : t.timing()) {
            sb.append(String.format(Locale.ROOT, "   timing %-6s %s: known %.2f ms, random %.2f ms, p = %.2g%n", r.method(),
                    r.oracle() ? "ORACLE" : "no oracle", r.knownMedian(), r.canaryMedian(), r.p()));
        }
        EnumerationStats s = t.enumeration();
        if (s != null) {
            sb.append(String.format(Locale.ROOT, "%n   users found (%s, %d names in %.1f s, %.0f/s, %d connections): %d%n", s.method(),
                    s.tested(), s.seconds(), s.perSecond(), s.connections(), t.users().size()));
            for (UserHit u : t.users()) {
                sb.append(String.format(Locale.ROOT, "     %-20s %-8s %s%n", u.name(), u.confidence(), u.evidence()));
            }
            if (!t.unresolved().isEmpty()) {
                sb.append("   no answer for ").append(t.unresolved().size()).append(" name(s) (temporary failures)\n");
            }
        }
        if (t.enumerationNote() != null) {
            sb.append("   enumeration: ").append(t.enumerationNote()).append('\n');
        }
        for (CommandProbe p : t.probes()) {
            if (p.differs()) {
                sb.append("   ").append(p.command()).append(" -> ").append(p.reply()).append('\n');
            }
        }
        sb.append("   relay check: ").append(t.relay()).append('\n');
        if (t.findings().isEmpty()) {
            sb.append("\n   No findings.\n");
            return;
        }
        sb.append('\n');
        for (Finding f : t.findings()) {
            sb.append("   [").append(f.severity().name()).append("] ").append(f.ruleId()).append(": ").append(f.message()).append('\n');
            sb.append("      fix: ").append(f.remediation()).append('\n');
        }
    }
}
