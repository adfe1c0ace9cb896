package dev.tacit.audit.report;

import dev.tacit.audit.AuditReport;
import dev.tacit.audit.CommandProbe;
import dev.tacit.audit.EnumerationStats;
import dev.tacit.audit.Method;
import dev.tacit.audit.MethodResult;
import dev.tacit.audit.TargetReport;
import dev.tacit.audit.TimingTest;
import dev.tacit.audit.UserHit;
import dev.tacit.audit.Verdict;
import dev.tacit.findings.Finding;
import dev.tacit.findings.Severity;
import java.util.Locale;

/**
 * A self-contained HTML report: inline CSS, no script, no external asset (it must open from a file
 * or a CI artifact store with no network). A summary table on top readable at a glance (one row per
 * target, a coloured verdict per method, users found, worst severity), then per-target detail with
 * findings, fixes and the transcript evidence.
 *
 * <p>Security: every server-supplied string is HTML-escaped; the page is inert.
 */
public final class AuditHtml {

    private AuditHtml() {}

    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;max-width:72em;color:#1d2329;padding:0 1em}
            h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccd;padding-bottom:.2em}
            .meta{color:#5a6470}table{border-collapse:collapse;width:100%;margin:.8em 0}
            th,td{border:1px solid #d5dbe1;padding:.35em .6em;text-align:left;vertical-align:top}th{background:#f1f4f7}
            .v{display:inline-block;padding:.1em .5em;border-radius:.8em;font-weight:600;font-size:.9em;white-space:nowrap}
            .bad{background:#fcdcdc;color:#8a1010}.ok{background:#d8f3dc;color:#17562a}.warn{background:#fff1c2;color:#6b4e00}.na{background:#e8ebef;color:#444}
            .sev-CRITICAL,.sev-HIGH{background:#fcdcdc;color:#8a1010}.sev-MEDIUM{background:#fff1c2;color:#6b4e00}
            .sev-LOW,.sev-INFO{background:#e3ecfa;color:#1c3d73}
            .cards{display:flex;gap:1em;flex-wrap:wrap;margin:1em 0}.card{border:1px solid #d5dbe1;border-radius:.5em;padding:.6em 1em;min-width:8em}
            .card b{display:block;font-size:1.6em}pre{background:#f6f8fa;border:1px solid #e1e4e8;padding:.7em;overflow-x:auto;font-size:12.5px}
            details{margin:.6em 0}summary{cursor:pointer;font-weight:600}.fix{color:#23415c}code{background:#f1f4f7;padding:0 .2em}
            """;

    public static String render(AuditReport report) {
        StringBuilder sb = new StringBuilder(32_768);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>tacit audit report</title><style>").append(CSS).append("</style></head><body>\n");
        sb.append("<h1>tacit audit: SMTP user enumeration</h1>\n<p class=\"meta\">Started ").append(esc(report.started().toString()))
                .append(", finished ").append(esc(report.finished().toString())).append(".</p>\n");
        summary(sb, report);
        for (int i = 0; i < report.targets().size(); i++) {
            target(sb, report.targets().get(i), i);
        }
        sb.append("</body></html>\n");
        return sb.toString();
    }

    private static void summary(StringBuilder sb, AuditReport report) {
        long open = report.targets().stream().filter(t -> t.openFor(java.util.List.of(Method.VRFY, Method.EXPN))).count();
        long users = report.targets().stream().mapToLong(t -> t.users().size()).sum();
        long failed = report.targets().stream().filter(t -> !t.ok()).count();
        sb.append("<section id=\"summary\"><h2>Summary</h2>\n<div class=\"cards\">");
        card(sb, report.targets().size(), "targets");
        card(sb, open, "leak users through VRFY/EXPN");
        card(sb, users, "users confirmed");
        card(sb, report.findings().size(), "findings");
        card(sb, failed, "unreachable");
        sb.append("</div>\n<table><thead><tr><th>target</th><th>MTA</th><th>VRFY</th><th>EXPN</th><th>RCPT</th>")
                .append("<th>users found</th><th>worst</th></tr></thead><tbody>\n");
        for (int i = 0; i < report.targets().size(); i++) {
            TargetReport t = report.targets().get(i);
            sb.append("<tr><td><a href=\"#t").append(i).append("\">").append(esc(t.target().display())).append("</a></td>");
            if (!t.ok()) {
                sb.append("<td colspan=\"6\"><span class=\"v bad\">ERROR</span> ").append(esc(t.error())).append("</td></tr>\n");
                continue;
            }
            sb.append("<td>").append(esc(t.fingerprint().describe())).append("</td>");
            for (Method m : Method.values()) {
                MethodResult r = t.method(m);
                sb.append("<td>").append(r == null ? "" : badge(r.verdict(), m)).append("</td>");
            }
            sb.append("<td>").append(t.users().size()).append("</td><td>");
            Severity w = t.worst();
            sb.append(w == null ? "<span class=\"v ok\">none</span>" : "<span class=\"v sev-" + w.name() + "\">" + w.name() + "</span>");
            sb.append("</td></tr>\n");
        }
        sb.append("</tbody></table></section>\n");
    }

    private static void card(StringBuilder sb, long n, String what) {
        sb.append("<div class=\"card\"><b>").append(n).append("</b>").append(esc(what)).append("</div>");
    }

    static String badge(Verdict v, Method m) {
        String cls = switch (v) {
            case VERIFIES -> m == Method.RCPT ? "warn" : "bad";
            case ANSWERS_252_TO_ALL, DISABLED, CATCH_ALL -> "ok";
            case GREYLISTED, TARPITTED, AUTH_REQUIRED -> "warn";
            case INCONCLUSIVE -> "na";
        };
        return "<span class=\"v " + cls + "\">" + esc(v.label()) + "</span>";
    }

    private static void target(StringBuilder sb, TargetReport t, int i) {
        sb.append("<section id=\"t").append(i).append("\"><h2>").append(esc(t.target().display()));
        if (t.target().domain() != null) {
            sb.append(" <small>(MX for ").append(esc(t.target().domain())).append(")</small>");
        }
        sb.append("</h2>\n");
        if (!t.ok()) {
            sb.append("<p><span class=\"v bad\">ERROR</span> ").append(esc(t.error())).append("</p>");
        } else {
            sb.append("<p>MTA: <b>").append(esc(t.fingerprint().describe())).append("</b>. TLS: ")
                    .append(esc(t.tls() == null ? "none" : t.tls())).append(". Relay check: ").append(esc(t.relay())).append(".</p>\n");
            sb.append("<table><thead><tr><th>method</th><th>verdict</th><th>why</th></tr></thead><tbody>\n");
            for (Method m : Method.values()) {
                MethodResult r = t.method(m);
                if (r != null) {
                    sb.append("<tr><td>").append(m).append("</td><td>").append(badge(r.verdict(), m)).append("</td><td>")
                            .append(esc(r.reason())).append("</td></tr>\n");
                }
            }
            sb.append("</tbody></table>\n");
            for (TimingTest.Result r : t.timing()) {
                sb.append("<p>Timing test on ").append(r.method()).append(": ").append(r.oracle() ? "<span class=\"v bad\">timing oracle</span>" : "no oracle")
                        .append(String.format(Locale.ROOT, " (existing names %.2f ms, random %.2f ms, p = %.2g)", r.knownMedian(),
                                r.canaryMedian(), r.p())).append("</p>\n");
            }
            EnumerationStats s = t.enumeration();
            if (s != null) {
                sb.append(String.format(Locale.ROOT, "<h3>Users found: %d</h3><p class=\"meta\">%s, %d names in %.1f s (%.0f/s), %d connections</p>\n",
                        t.users().size(), s.method(), s.tested(), s.seconds(), s.perSecond(), s.connections()));
                if (!t.users().isEmpty()) {
                    sb.append("<table><thead><tr><th>user</th><th>confidence</th><th>server reply</th></tr></thead><tbody>\n");
                    for (UserHit u : t.users()) {
                        sb.append("<tr><td>").append(esc(u.name())).append("</td><td>").append(esc(u.confidence())).append("</td><td><code>")
                                .append(esc(u.evidence())).append("</code></td></tr>\n");
                    }
                    sb.append("</tbody></table>\n");
                }
            }
            if (t.enumerationNote() != null) {
                sb.append("<p class=\"meta\">Enumeration: ").append(esc(t.enumerationNote())).append("</p>\n");
            }
            boolean anyProbe = false;
            for (CommandProbe p : t.probes()) {
                if (p.differs()) {
                    if (!anyProbe) {
                        sb.append("<p>Commands the server knows:</p><ul>");
                        anyProbe = true;
                    }
                    sb.append("<li><code>").append(esc(p.command())).append("</code> &rarr; <code>").append(esc(p.reply())).append("</code></li>");
                }
            }
            if (anyProbe) {
                sb.append("</ul>\n");
            }
            sb.append("<h3>Findings</h3>\n");
            if (t.findings().isEmpty()) {
                sb.append("<p><span class=\"v ok\">none</span></p>\n");
            }
            for (Finding f : t.findings()) {
                sb.append("<div class=\"finding\"><p><span class=\"v sev-").append(f.severity().name()).append("\">").append(f.severity().name())
                        .append("</span> <code>").append(esc(f.ruleId())).append("</code> ").append(esc(f.message())).append("</p>");
                sb.append("<p class=\"fix\"><b>Fix:</b> ").append(esc(f.remediation())).append("</p>");
                if (!f.evidence().isEmpty()) {
                    sb.append("<pre>").append(esc(String.join("\n", f.evidence()))).append("</pre>");
                }
                sb.append("</div>\n");
            }
        }
        if (!t.transcript().isEmpty()) {
            sb.append("<details><summary>Transcript (").append(t.transcript().size()).append(" lines)</summary><pre>")
                    .append(esc(String.join("\n", t.transcript()))).append("</pre></details>\n");
        }
        sb.append("</section>\n");
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
