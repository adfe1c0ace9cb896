package dev.tacit.findings;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compiler-style text, one finding per line so editors and CI logs can jump to it:
 * {@code file:line:col: severity: message [rule]}, followed by the offending text and the fix on
 * indented lines, and a one-line summary. Services print as their URI in place of file:line.
 */
public final class TextWriter implements ReportWriter {

    @Override
    public void write(Report report, Writer out) throws IOException {
        for (Finding f : report.sorted()) {
            out.write(f.location().toString());
            out.write(": ");
            out.write(f.severity().lower());
            out.write(": ");
            out.write(oneLine(f.message()));
            out.write(" [");
            out.write(f.ruleId());
            out.write("]\n");
            String snippet = f.location().snippet();
            if (snippet != null && !snippet.isBlank()) {
                out.write("    | " + oneLine(snippet) + "\n");
            }
            for (String e : f.evidence()) {
                out.write("    > " + oneLine(e) + "\n");
            }
            if (f.remediation() != null && !f.remediation().isBlank()) {
                out.write("    fix: " + oneLine(f.remediation()) + "\n");
            }
        }
        out.write(summary(report));
        out.write("\n");
        out.flush();
    }

    /** "3 findings (1 high, 2 medium) in 2 targets" or "no findings in 2 targets". */
    public static String summary(Report report) {
        int targets = report.allTargets().size();
        String in = " in " + targets + (targets == 1 ? " target" : " targets");
        if (report.findings().isEmpty()) {
            return "no findings" + in;
        }
        List<String> parts = new ArrayList<>();
        Map<Severity, Integer> counts = report.countBySeverity();
        Severity[] order = Severity.values();
        for (int i = order.length - 1; i >= 0; i--) {
            int n = counts.get(order[i]);
            if (n > 0) {
                parts.add(n + " " + order[i].lower());
            }
        }
        int n = report.findings().size();
        return n + (n == 1 ? " finding (" : " findings (") + String.join(", ", parts) + ")" + in;
    }

    /** One line, and no terminal control sequences smuggled in from a config file or a server reply. */
    static String oneLine(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append(c);
                default -> {
                    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
