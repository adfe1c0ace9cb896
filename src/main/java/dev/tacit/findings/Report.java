package dev.tacit.findings;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run of {@code tacit lint} or {@code tacit audit} found, ready for a {@link ReportWriter}:
 * the tool, the findings, the rules that were checked (optional; SARIF and JUnit list them even
 * when they found nothing), the targets that were examined (files or service URIs) and the
 * {@code --fail-on} threshold.
 */
public record Report(
        String toolName,
        String toolVersion,
        String informationUri,
        List<Finding> findings,
        List<Rule> rules,
        List<String> targets,
        Severity failOn) {

    public Report {
        findings = List.copyOf(findings);
        rules = rules == null ? List.of() : List.copyOf(rules);
        targets = targets == null ? List.of() : List.copyOf(targets);
        failOn = failOn == null ? Severity.LOW : failOn;
    }

    /** The findings in a stable order: by target, line, column, then rule id. */
    public List<Finding> sorted() {
        List<Finding> out = new ArrayList<>(findings);
        out.sort(Comparator.comparing((Finding f) -> f.location().uri())
                .thenComparingInt(f -> f.location().line())
                .thenComparingInt(f -> f.location().column())
                .thenComparing(Finding::ruleId));
        return out;
    }

    /** The rule with this id, or null when the report carries no such rule. */
    public Rule rule(String id) {
        for (Rule r : rules) {
            if (r.id().equals(id)) {
                return r;
            }
        }
        return null;
    }

    /** The listed rules, plus a bare entry for any rule id that only appears in a finding. */
    public List<Rule> allRules() {
        Map<String, Rule> out = new LinkedHashMap<>();
        for (Rule r : rules) {
            out.put(r.id(), r);
        }
        for (Finding f : findings) {
            out.computeIfAbsent(f.ruleId(), id -> new Rule(id, id, f.severity(), f.message(),
                    f.remediation(), null, f.references()));
        }
        return List.copyOf(out.values());
    }

    /** The listed targets, plus any target that only appears in a finding. */
    public List<String> allTargets() {
        List<String> out = new ArrayList<>(targets);
        for (Finding f : findings) {
            if (!out.contains(f.location().uri())) {
                out.add(f.location().uri());
            }
        }
        return out;
    }

    public Map<Severity, Integer> countBySeverity() {
        Map<Severity, Integer> m = new EnumMap<>(Severity.class);
        for (Severity s : Severity.values()) {
            m.put(s, 0);
        }
        for (Finding f : findings) {
            m.merge(f.severity(), 1, Integer::sum);
        }
        return m;
    }

    /** True when a finding is at or above {@link #failOn()}. */
    public boolean failed() {
        return findings.stream().anyMatch(f -> f.severity().atLeast(failOn));
    }

    /** The process exit code for this report (see {@link ExitCodes}). */
    public int exitCode() {
        return ExitCodes.forFindings(findings, failOn);
    }
}
