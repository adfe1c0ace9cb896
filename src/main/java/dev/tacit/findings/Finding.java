package dev.tacit.findings;

import java.util.List;

/**
 * One thing found by {@code tacit audit} or {@code tacit lint}: a stable rule id, severity, where,
 * what (one sentence), the evidence (transcript lines or config text), how to fix it and references
 * (DISA STIG, CIS, KISA, Lynis ids, RFC sections). The report writers know nothing else.
 */
public record Finding(
        String ruleId,
        Severity severity,
        String message,
        Location location,
        List<String> evidence,
        String remediation,
        List<String> references) {

    public Finding {
        evidence = evidence == null ? List.of() : List.copyOf(evidence);
        references = references == null ? List.of() : List.copyOf(references);
    }
}
