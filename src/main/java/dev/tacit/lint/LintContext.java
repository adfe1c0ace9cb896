package dev.tacit.lint;

import dev.tacit.findings.Finding;
import dev.tacit.findings.Location;
import dev.tacit.findings.Severity;
import java.util.ArrayList;
import java.util.List;

/** Collects the findings and the fixes of one lint run. */
public final class LintContext {

    private final List<Finding> findings = new ArrayList<>();
    private final List<Edit> edits = new ArrayList<>();

    /** A finding at a line of a file (line 0 = about the whole file). */
    public void report(LintRule rule, SourceFile file, int line, int column, String message, String fix) {
        report(rule, rule.severity(), file, line, column, message, fix);
    }

    public void report(LintRule rule, Severity severity, SourceFile file, int line, int column, String message, String fix) {
        String snippet = line > 0 && line <= file.lines().size() ? file.line(line).text().strip() : null;
        findings.add(new Finding(rule.id(), severity, message,
                Location.file(file.display(), line, line > 0 ? Math.max(column, 1) : 0, snippet),
                List.of(), fix == null ? firstSentenceOfFix(rule) : fix, rule.references()));
    }

    private static String firstSentenceOfFix(LintRule rule) {
        return rule.help();
    }

    public void fix(Edit edit) {
        for (Edit e : edits) {
            if (e.file() == edit.file() && e.line() == edit.line() && e.kind() == edit.kind() && e.kind() == Edit.Kind.REPLACE) {
                return; // one replacement per line; the first checker to claim it wins
            }
            if (e.file() == edit.file() && e.line() == edit.line() && e.kind() == edit.kind() && e.text().equals(edit.text())) {
                return; // the same line asked for twice (a main.cf setting every master.cf service lacks): add it once
            }
        }
        edits.add(edit);
    }

    public List<Finding> findings() {
        return List.copyOf(findings);
    }

    public List<Edit> edits() {
        return List.copyOf(edits);
    }
}
